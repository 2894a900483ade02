"""Tests written against the mutants of regioncount/milp/tighten.py (benchmarks/mutation.py,
docs/benchmarks.md "Mutation score"): the JSON of ``regioncount stable`` field by field, the
widening of bounds before a stability test, and the MILP stage."""

from __future__ import annotations

import importlib
import re

import numpy as np
import pytest

from regioncount import Domain, Network
from regioncount.milp import tighten
from regioncount.milp.tighten import StableReport

tighten_module = importlib.import_module("regioncount.milp.tighten")


def _net():
    """x -> relu(x), relu(-x), relu(x + 5) -> relu(h1 + h2 - 1.5) on [-1, 1]. The third unit
    is stably active by intervals (x + 5 in [4, 6]); the last is stably inactive, since
    relu(x) + relu(-x) = |x| <= 1 < 1.5, which the LP proves and intervals cannot (each relu
    in [0, 1]: the sum reaches 2 > 1.5)."""
    return Network.from_layers([(np.array([[1.0], [-1.0], [1.0]]), np.array([0.0, 0.0, 5.0])),
                                (np.array([[1.0, 1.0, 0.0]]), np.array([-1.5]))])


@pytest.mark.parametrize("method", ["lp", "milp"])
def test_the_stable_report_field_by_field(method):
    t = tighten(_net(), Domain.box(-1, 1, 1), method=method)
    got = StableReport("m.onnx", {"box": [[-1, 1]]}, "highs", t, ("relu1",)).to_json()
    assert got.pop("seconds") >= 0
    for layer in got["layers"]:
        assert layer.pop("seconds") >= 0
    assert got == {
        "model": "m.onnx", "domain": {"box": [[-1, 1]]}, "tighten": method, "solver": "highs",
        "units": 4, "stable": 2, "proved_by": {"interval": 1, "lp": 1, "milp": 0},
        "partial": False,
        "layers": [
            {"stage": 2, "kind": "relu", "name": "relu1", "units": 3, "stably_active": [2],
             "stably_inactive": [], "proved_by": {"interval": [2], "lp": [], "milp": []},
             "lp_solves": 0, "milp_solves": 0},
            {"stage": 4, "kind": "relu", "name": "", "units": 1, "stably_active": [],
             "stably_inactive": [0], "proved_by": {"interval": [], "lp": [0], "milp": []},
             "lp_solves": 2, "milp_solves": 0}]}


def test_bounds_are_widened_by_the_stability_tolerance_relative_to_their_size():
    tol = tighten_module.STABILITY_TOL
    assert tighten_module._widen_lo(0.0) == -tol
    assert tighten_module._widen_hi(0.0) == tol
    assert tighten_module._widen_lo(3.0) == 3.0 - 4 * tol
    assert tighten_module._widen_hi(-3.0) == -3.0 + 4 * tol


def _loose():
    """relu(x1 + x2), relu(x1 - x2), relu(-x1 + x2), relu(-x1 - x2) summed, minus 3, on
    [-1, 1]^2: the sum is 2 max(|x1|, |x2|) <= 2, so the last unit is stably inactive (its
    input in [-3, -1]); the LP relaxation (each relu of an input in [-2, 2] below
    (z + 2) / 2) only shows the sum <= 4, so only the MILP proves it."""
    W1 = np.array([[1.0, 1.0], [1.0, -1.0], [-1.0, 1.0], [-1.0, -1.0]])
    return Network.from_layers([(W1, np.zeros(4)), (np.ones((1, 4)), np.array([-3.0]))])


def test_the_milp_proves_what_the_lp_cannot():
    dom = Domain.box(-1, 1, 2)
    lp = tighten(_loose(), dom, method="lp")
    assert lp.stages[1].proved_by.tolist() == [""] and lp.bounds.pre(4)[1][0] >= 1 - 1e-6
    t = tighten(_loose(), dom, method="milp")
    last = t.stages[1]
    assert last.proved_by.tolist() == ["milp"] and last.inactive.tolist() == [True]
    assert (last.lp_solves, last.milp_solves) == (2, 2) and not t.partial
    lo, hi = t.bounds.pre(4)
    assert lo[0] == pytest.approx(-3, abs=1e-6) and hi[0] == pytest.approx(-1, abs=1e-6)
    assert t.counts() == {"interval": 0, "lp": 0, "milp": 1}


@pytest.mark.parametrize("left, solves, proved, partial", [
    ([0.5, 0.5], 2, "milp", False),     # time left for both solves
    ([0.5, 0.0], 1, "", True),          # none left after the first: stop, keep what is proved
    ([0.0], 0, "", True),               # none at all (exactly 0 counts as none)
])
def test_the_milp_stage_stops_when_no_time_is_left(monkeypatch, left, solves, proved, partial):
    """The clock is scripted: None (no limit) while the LP runs, then ``left`` seconds before
    each MILP solve."""
    Run = tighten_module._Run
    script = {"on": False, "left": list(left)}
    lp = Run._lp

    def after_lp(self, i, todo):
        out = lp(self, i, todo)
        script["on"] = i == 3
        return out

    def clock(self):
        if not script["on"]:
            return None
        return script["left"].pop(0) if script["left"] else 0.0

    monkeypatch.setattr(Run, "_lp", after_lp)
    monkeypatch.setattr(Run, "left", clock)
    t = tighten(_loose(), Domain.box(-1, 1, 2), method="milp")
    last = t.stages[1]
    assert (last.milp_solves, last.proved_by.tolist(), t.partial) == (solves, [proved], partial)


class _Watched:
    """A backend that passes every call to HiGHS and records the arguments of ``solve`` in
    ``calls`` (and each ``reset`` in ``resets``, when given); ``fake``: ``(status, bound)``
    that every solve comes back with instead of its own."""

    def __init__(self, be, calls, fake=None, resets=None):
        self._be, self._calls, self._fake, self._resets = be, calls, fake, resets

    def __getattr__(self, name):
        return getattr(self._be, name)

    def reset(self):
        if self._resets is not None:
            self._resets.append(1)
        self._be.reset()

    def solve(self, **kw):
        from dataclasses import replace

        self._calls.append(kw)
        sol = self._be.solve(**kw)
        if self._fake is None:
            return sol
        return replace(sol, status=self._fake[0], bound=self._fake[1])


def _watch(monkeypatch, error=False):
    """Watch the MILP's backend: the LPs of a run share the first backend made, each MILP
    stage makes its own after it."""
    import regioncount.backends as backends

    calls, made, real = [], [], backends.get_backend

    def make(name):
        made.append(name)
        from regioncount.backends import Status

        fake = (Status.ERROR, -100.0) if error else None      # an error with a (wrong) bound
        return _Watched(real(name), calls, fake) if len(made) > 1 else real(name)

    monkeypatch.setattr(backends, "get_backend", make)
    return calls


@pytest.mark.parametrize("unit, want", [(7.0, 0.5), (0.25, 0.25)])
def test_a_milp_bound_gets_the_least_of_its_budget_and_the_time_left(monkeypatch, unit, want):
    Run = tighten_module._Run
    lp, on = Run._lp, []

    def after_lp(self, i, todo):
        out = lp(self, i, todo)
        on.append(i == 3)
        return out

    monkeypatch.setattr(Run, "_lp", after_lp)
    monkeypatch.setattr(Run, "left", lambda self: 0.5 if on and on[-1] else None)
    calls = _watch(monkeypatch)
    tighten(_loose(), Domain.box(-1, 1, 2), method="milp", milp_unit_seconds=unit)
    assert [c["time_limit"] for c in calls] == [want, want]


def test_each_milp_bound_has_its_own_time_budget_and_the_threads(monkeypatch):
    calls = _watch(monkeypatch)
    t = tighten(_loose(), Domain.box(-1, 1, 2), method="milp", milp_unit_seconds=7.0,
                threads=1)
    assert [c for c in calls] == [{"time_limit": 7.0, "threads": 1}] * 2
    assert t.stages[1].proved_by.tolist() == ["milp"]


def test_a_milp_solve_that_fails_leaves_the_lp_bounds(monkeypatch):
    lp = tighten(_loose(), Domain.box(-1, 1, 2), method="lp")
    _watch(monkeypatch, error=True)
    t = tighten(_loose(), Domain.box(-1, 1, 2), method="milp")
    assert t.stages[1].milp_solves == 2 and t.stages[1].proved_by.tolist() == [""]
    assert np.array_equal(t.bounds.pre(4)[0], lp.bounds.pre(4)[0])
    assert np.array_equal(t.bounds.pre(4)[1], lp.bounds.pre(4)[1])


def test_an_unknown_method_is_refused_with_the_choices():
    from regioncount.errors import RegioncountError

    with pytest.raises(RegioncountError) as e:
        tighten(_loose(), Domain.box(-1, 1, 2), method="simplex")
    assert str(e.value) == "unknown tightening method 'simplex' (choose from interval, lp, milp)"


def test_lp_is_the_default_method():
    t = tighten(_loose(), Domain.box(-1, 1, 2))
    assert t.method == "lp" and t.bounds.method == "lp"
    assert t.stages[1].lp_solves == 2 and t.stages[1].milp_solves == 0


def test_progress_says_what_each_stage_took():
    said = []
    t = tighten(_loose(), Domain.box(-1, 1, 2), method="milp", progress=said.append)
    assert len(said) == 1
    assert re.fullmatch(r"stage 3 \(affine, 1 units\): 1 unstable inputs, 2 LP / 2 MILP "
                        r"solves, \d+\.\d\d s", said[0])
    assert all(0 <= s.seconds <= t.seconds for s in t.stages)


def test_given_bounds_are_the_start():
    """Starting from the MILP's bounds, intervals alone see the last unit stably inactive."""
    dom = Domain.box(-1, 1, 2)
    milp = tighten(_loose(), dom, method="milp")
    t = tighten(_loose(), dom, method="interval", bounds=milp.bounds)
    assert t.stages[1].inactive.tolist() == [True]
    assert tighten(_loose(), dom, method="interval").stages[1].inactive.tolist() == [False]


def test_a_time_limit_that_is_not_reached_changes_nothing():
    t = tighten(_loose(), Domain.box(-1, 1, 2), method="milp", time_limit=600)
    assert not t.partial and t.stages[1].proved_by.tolist() == ["milp"]


def test_ctrl_c_keeps_the_bounds_found_and_says_so(monkeypatch, caplog):
    Run = tighten_module._Run

    def interrupted(self, i, todo):
        raise KeyboardInterrupt

    monkeypatch.setattr(Run, "_lp", interrupted)
    said = []
    with caplog.at_level("WARNING", logger="regioncount.milp.tighten"):
        t = tighten(_loose(), Domain.box(-1, 1, 2), method="lp", progress=said.append)
    assert t.partial and t.stages[1].proved_by.tolist() == [""]
    assert said == ["stage 3: interrupted; the remaining stages keep interval bounds"]
    assert [r.getMessage() for r in caplog.records] == [
        "tightening interrupted at stage 3; keeping the bounds found so far"]


def test_the_lp_stage_line_says_no_milp_solves(caplog):
    said = []
    with caplog.at_level("INFO", logger="regioncount.milp.tighten"):
        tighten(_loose(), Domain.box(-1, 1, 2), method="lp", progress=said.append)
    assert re.fullmatch(r"stage 3 \(affine, 1 units\): 1 unstable inputs, 2 LP / 0 MILP "
                        r"solves, \d+\.\d\d s", said[0])
    assert [r.getMessage() for r in caplog.records] == said


def _three_layers():
    """x -> h = relu(x), relu(-x) -> a = relu(h1 + h2 - 1.5), p = relu(h1), q = relu(h2)
    -> relu(p + q + a - 1.1) on [-1, 1].

    The LP proves a off (h1 + h2 = |x| <= 1 over the hull of each relu). With that bound the
    LP of the last unit reads a = 0, and p + q <= 1 over the hulls: its input is at most
    -0.1, so it is off. Intervals cannot see it (p + q in [0, 2]); nor can an LP that
    encodes a with its interval bounds [0, 0.5]: its hull lets a reach (h1 + h2) / 4, so the
    last input reaches 1 + 1/4 - 1.1 = 0.15 > 0."""
    return Network.from_layers([
        (np.array([[1.0], [-1.0]]), np.zeros(2)),
        (np.array([[1.0, 1.0], [1.0, 0.0], [0.0, 1.0]]), np.array([-1.5, 0.0, 0.0])),
        (np.array([[1.0, 1.0, 1.0]]), np.array([-1.1]))])


def test_each_stage_is_encoded_with_the_bounds_tightened_before_it():
    """Worked out by hand in ``_three_layers``: the last unit is off, proved only by an LP that
    uses the LP bound of a."""
    t = tighten(_three_layers(), Domain.box(-1, 1, 1), method="lp")
    last = t.stages[-1]
    assert last.inactive.tolist() == [True] and last.proved_by.tolist() == ["lp"]
    assert t.bounds.hi[5][0] == pytest.approx(-0.1, abs=1e-6)
    iv = tighten(_three_layers(), Domain.box(-1, 1, 1), method="interval")
    assert iv.stages[-1].inactive.tolist() == [False]


def test_each_stage_loads_only_the_stages_before_it(monkeypatch):
    """The LP of stage i encodes stages 1..i, with the tightened bounds, as the hull relaxation
    (built without binaries): each loaded model has the size of the one built here."""
    import regioncount.backends as backends
    from regioncount.intervals import make_bounds
    from regioncount.milp.formulation import encode

    loaded, real = [], backends.get_backend

    def make(name):
        be = real(name)
        load = be.load
        be.load = lambda model: (loaded.append(model), load(model))[1]
        return be

    monkeypatch.setattr(backends, "get_backend", make)
    net, dom = _three_layers(), Domain.box(-1, 1, 1)
    b = tighten(net, dom, method="lp").bounds
    cur = make_bounds(net, b.lo, b.hi, "lp")
    # the affine stages that feed an unstable relu
    want = [encode(net, dom, cur, upto=i + 1, relax=True).model for i in (3, 5)]
    assert encode(net, dom, cur, upto=4).model.num_cols != want[0].num_cols   # big-M differs
    got = [(m.num_cols, m.num_rows, int(m.integer.sum())) for m in loaded]
    assert got == [(m.num_cols, m.num_rows, int(m.integer.sum())) for m in want]


def _negated():
    """x -> relu(x), relu(-x) -> relu(1.5 - h1 - h2) on [-1, 1]: the mirror of ``_net``'s last
    unit. Its input is 1.5 - |x| >= 0.5 (the LP's lower bound: each relu's hull keeps
    h1 + h2 <= 1), while intervals give 1.5 - 2 = -0.5: only a *lower* LP bound proves it on."""
    return Network.from_layers([(np.array([[1.0], [-1.0]]), np.zeros(2)),
                                (np.array([[-1.0, -1.0]]), np.array([1.5]))])


def test_the_lp_tightens_lower_bounds_too():
    t = tighten(_negated(), Domain.box(-1, 1, 1), method="lp")
    assert t.bounds.lo[3][0] == pytest.approx(0.5, abs=1e-6)
    assert t.bounds.hi[3][0] == pytest.approx(1.5, abs=1e-6)
    assert t.stages[1].active.tolist() == [True] and t.stages[1].proved_by.tolist() == ["lp"]


def _lp_watch(monkeypatch, status=None):
    """Record the LP backend's ``solve`` arguments and ``reset`` calls; ``status``: every
    solve comes back with that status and a bound of 0, which would tighten both sides."""
    import regioncount.backends as backends

    calls, resets, real = [], [], backends.get_backend
    fake = None if status is None else (status, 0.0)
    monkeypatch.setattr(backends, "get_backend",
                        lambda name: _Watched(real(name), calls, fake, resets))
    return calls, resets


@pytest.mark.parametrize("warm, resets", [(True, 0), (False, 2)])
def test_each_lp_gets_the_time_left_and_the_threads_and_a_cold_start_when_asked(
        monkeypatch, warm, resets):
    calls, reset = _lp_watch(monkeypatch)
    tighten(_net(), Domain.box(-1, 1, 1), method="lp", time_limit=1000.0, threads=1, warm=warm)
    assert len(calls) == 2 and len(reset) == resets           # min and max of the one input
    assert all(c["threads"] == 1 and 0 < c["time_limit"] <= 1000.0 for c in calls)


def test_an_lp_that_does_not_finish_leaves_the_interval_bound(monkeypatch):
    from regioncount.backends import Status

    _lp_watch(monkeypatch, Status.TIME_LIMIT)
    t = tighten(_net(), Domain.box(-1, 1, 1), method="lp")
    assert (t.bounds.lo[3][0], t.bounds.hi[3][0]) == (-1.5, 0.5)
    assert t.stages[1].proved_by.tolist() == [""]


@pytest.mark.parametrize("left, solves, partial", [
    ([0.5, 0.5], 2, False),           # under a second left is still time to solve
    ([0.0], 0, True),                 # none left: stop before the first LP
    ([3.0, 0.0], 1, True),            # the minimisation ran, the maximisation did not
])
def test_the_lp_stage_stops_when_no_time_is_left(monkeypatch, left, solves, partial):
    Run = tighten_module._Run
    script = list(left)
    monkeypatch.setattr(Run, "left", lambda self: script.pop(0) if script else 0.0)
    t = tighten(_net(), Domain.box(-1, 1, 1), method="lp")
    assert (t.stages[1].lp_solves, t.partial) == (solves, partial)


def test_a_solver_without_lps_is_refused(monkeypatch):
    import regioncount.backends as backends
    from regioncount.errors import SolverError

    class NoLp:
        capabilities = frozenset({"milp"})

    monkeypatch.setattr(backends, "get_backend", lambda name: NoLp())
    with pytest.raises(SolverError, match=r"^solver 'highs' cannot solve LPs$"):
        tighten(_net(), Domain.box(-1, 1, 1), method="lp")


def test_an_empty_polytope_is_refused_with_a_reason():
    from regioncount.errors import DomainError

    dom = Domain(-np.ones(1), np.ones(1), A=[[1.0]], b=[-2.0])      # x <= -2 on [-1, 1]
    with pytest.raises(DomainError, match=r"^domain: the LP relaxation is infeasible; is the "
                                          r"domain empty\?$"):
        tighten(_net(), dom, method="lp")


def test_by_default_each_lp_starts_from_the_last_basis_and_the_time_is_measured(monkeypatch):
    import time

    calls, reset = _lp_watch(monkeypatch)
    t0 = time.perf_counter()
    t = tighten(_net(), Domain.box(-1, 1, 1))
    assert len(calls) == 2 and reset == []
    assert 0 <= t.seconds <= time.perf_counter() - t0


def test_the_milp_starts_from_the_domains_seeded_sample_point(monkeypatch):
    """Reproducible runs: every MILP bound is given the same start, built on the point
    ``domain.sample(1, 0)``."""
    import regioncount.backends as backends

    starts, real = [], backends.get_backend

    def make(name):
        be = real(name)
        set_start = be.set_start
        be.set_start = lambda x: (starts.append(np.array(x)), set_start(x))[1]
        return be

    monkeypatch.setattr(backends, "get_backend", make)
    dom = Domain.box(-1, 1, 2)
    t = tighten(_loose(), dom, method="milp")
    assert t.stages[1].milp_solves == len(starts) == 2
    assert np.array_equal(starts[0], starts[1])
    assert np.array_equal(starts[0][:2], dom.sample(1, 0)[0])
    assert not np.array_equal(starts[0][:2], dom.sample(1, 1)[0])
