"""Tests written against the mutants of regioncount/milp/range.py (benchmarks/mutation.py,
docs/benchmarks.md "Mutation score"): output ranges of a network whose optima are known by hand,
every field of the result, a subset of outputs, and an interrupted run."""

from __future__ import annotations

import time

import numpy as np
import pytest

from regioncount import Domain, Network
from regioncount.milp import range as rg
from regioncount.milp.range import START_SAMPLES, output_range
from regioncount.milp.tighten import tighten


def _net():
    """f0 = relu(x) - relu(y), f1 = relu(x) + relu(y) - 1."""
    return Network.from_layers([(np.eye(2), np.zeros(2))],
                               final=(np.array([[1.0, -1.0], [1.0, 1.0]]), np.array([0.0, -1.0])),
                               name="two.onnx")


DOM = Domain(np.array([-1.0, -1.0]), np.array([2.0, 1.0]))
#: (min, max) of each output on DOM, by hand: f0 in [-1, 2], f1 in [-1, 2]
OPTIMA = [(-1.0, 2.0), (-1.0, 2.0)]


def test_every_field_of_an_exact_range():
    net = _net()
    t0 = time.perf_counter()
    r = output_range(net, DOM)
    wall = time.perf_counter() - t0
    assert wall >= r.seconds >= sum(o.seconds for o in r.outputs)
    assert r.model == "two.onnx" and r.solver == "highs" and r.tighten == "lp"
    assert r.domain == DOM.to_json() and r.partial is False
    assert r.seconds >= r.tighten_seconds >= 0.0
    assert [o.index for o in r.outputs] == [0, 1]
    for o, (lo, hi) in zip(r.outputs, OPTIMA):
        assert (o.min_status, o.max_status) == ("optimal", "optimal")
        assert o.min == pytest.approx(lo, abs=1e-9) and o.max == pytest.approx(hi, abs=1e-9)
        assert o.min_bound == pytest.approx(lo, abs=1e-6) and o.max_bound == pytest.approx(hi, abs=1e-6)
        assert o.min_bound <= o.min + 1e-9 and o.max <= o.max_bound + 1e-9
        assert float(net.evaluate(o.argmin)[o.index]) == o.min       # attained, exactly
        assert float(net.evaluate(o.argmax)[o.index]) == o.max
        assert DOM.contains(np.vstack([o.argmin, o.argmax]), tol=0.0).all()
        assert o.gap == max(o.min - o.min_bound, o.max_bound - o.max, 0.0) <= 1e-6
        assert o.seconds >= 0.0
    one = output_range(net, DOM, outputs=[1], tighten_method="interval")
    assert [o.index for o in one.outputs] == [1] and one.tighten == "interval"
    assert one.outputs[0].max == pytest.approx(2.0, abs=1e-9)


def test_an_interrupted_range_keeps_sampled_values_and_sound_bounds(monkeypatch, caplog):
    """Ctrl-C in the second optimisation: the first optimum stands, the rest keep the best
    sampled value (attained) and the tightened bound (sound), labelled "interrupted"."""
    net = _net()
    real, calls = rg._optimise, []

    def second_is_interrupted(*a, **k):
        calls.append(a[2:4])
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(*a, **k)

    monkeypatch.setattr(rg, "_optimise", second_is_interrupted)
    with caplog.at_level("WARNING", logger="regioncount.milp.range"):
        r = output_range(net, DOM)
    assert [m.getMessage() for m in caplog.records] == [
        "range interrupted; the remaining optima keep sampled values and tightened bounds"]
    assert calls == [(0, "min"), (0, "max")]                   # none after the interrupt
    assert r.partial is True
    o0, o1 = r.outputs
    assert o0.min_status == "optimal" and o0.min == pytest.approx(-1.0, abs=1e-9)
    assert o0.max_status == o1.min_status == o1.max_status == "interrupted"
    X = DOM.sample(START_SAMPLES, 0)
    X = np.vstack([X, DOM.center[None, :]])
    Y = net.evaluate(X)
    assert o0.max == Y[:, 0].max() and o1.min == Y[:, 1].min() and o1.max == Y[:, 1].max()
    assert np.array_equal(o1.argmax, X[np.argmax(Y[:, 1])])
    b = tighten(net, DOM, method="lp").bounds
    assert o0.max_bound == b.hi[net.output][0] and o1.min_bound == b.lo[net.output][1]
    assert o1.max_bound == b.hi[net.output][1]
    assert o1.max_bound >= 2.0 - 1e-9 and o1.min_bound <= -1.0 + 1e-9


def test_an_optimum_inside_the_box_is_the_milps_input_evaluated():
    """f = -|x - 0.3| on [-1, 1]: the max 0 lies at x = 0.3, which no sampled start point
    meets exactly, so only the MILP's input (evaluated by the network) attains it; the min
    -1.3 is at the corner x = -1. By hand."""
    net = Network.from_layers([(np.array([[1.0], [-1.0]]), np.array([-0.3, 0.3]))],
                              final=(np.array([[-1.0, -1.0]]), np.zeros(1)), name="v.onnx")
    dom = Domain(np.array([-1.0]), np.array([1.0]))
    o = output_range(net, dom).outputs[0]
    assert o.max == pytest.approx(0.0, abs=1e-9) and o.argmax[0] == pytest.approx(0.3, abs=1e-9)
    assert o.min == pytest.approx(-1.3, abs=1e-12) and o.argmin[0] == -1.0
    assert float(net.evaluate(o.argmax)[0]) == o.max and float(net.evaluate(o.argmin)[0]) == o.min
    assert (o.min_status, o.max_status) == ("optimal", "optimal")


def test_tightening_gets_the_method_solver_threads_progress_and_three_tenths_of_the_time(
        monkeypatch):
    """The big-M bounds come from :func:`tighten` with the caller's method, solver, threads
    and progress, and 30% of the overall time limit; the encoding uses exactly those bounds."""
    net, seen = _net(), {}
    real_tighten, real_encode = rg.tighten, rg.encode

    def spy_tighten(*a, **k):
        seen["tighten"] = (a, k)
        seen["tt"] = real_tighten(*a, **k)
        return seen["tt"]

    def spy_encode(*a, **k):
        seen["encode"] = (a, k)
        return real_encode(*a, **k)

    monkeypatch.setattr(rg, "tighten", spy_tighten)
    monkeypatch.setattr(rg, "encode", spy_encode)
    lines = []
    output_range(net, DOM, tighten_method="interval", time_limit=50, threads=1,
                 progress=lines.append)
    a, k = seen["tighten"]
    assert a == (net, DOM) and k == {"method": "interval", "solver": "highs", "threads": 1,
                                     "time_limit": 15.0, "progress": lines.append}
    a, k = seen["encode"]
    assert a[:2] == (net, DOM) and a[2] is seen["tt"].bounds and k == {}
    output_range(net, DOM)
    assert seen["tighten"][1]["time_limit"] is None and seen["tighten"][1]["threads"] is None
    assert seen["tighten"][1]["method"] == "lp" and seen["tighten"][1]["progress"] is None


class _Recorder:
    """The real HiGHS backend, recording every call; ``answer`` (if set) replaces the
    solver's solution of each solve with ``answer(objective, sense, real_solution)``."""

    capabilities = frozenset({"milp", "lp", "start"})

    def __init__(self, answer=None):
        from regioncount.backends import get_backend
        self.be, self.answer, self.calls = get_backend("highs"), answer, []

    def load(self, model):
        self.be.load(model)

    def set_objective(self, obj, sense):
        self.obj, self.sense = np.array(obj), sense
        self.be.set_objective(obj, sense)

    def set_start(self, x):
        self.start = np.array(x)
        self.be.set_start(x)

    def solve(self, time_limit=None, threads=None):
        sol = self.be.solve(time_limit=time_limit, threads=threads)
        self.calls.append(dict(obj=self.obj, sense=self.sense, start=self.start,
                               time_limit=time_limit, threads=threads))
        return sol if self.answer is None else self.answer(self.obj, self.sense, sol)


def _with_backend(monkeypatch, rec):
    import regioncount.backends as backends
    monkeypatch.setattr(backends, "get_backend", lambda name="highs", **k: rec)


def test_each_solve_gets_one_output_one_sense_its_best_sampled_start_and_its_time_share(
        monkeypatch):
    net, rec = _net(), _Recorder()
    _with_backend(monkeypatch, rec)
    t0 = time.perf_counter()
    r = output_range(net, DOM, time_limit=1000.0, threads=1, seed=3)
    t1 = time.perf_counter()
    assert [c["sense"] for c in rec.calls] == ["min", "max", "min", "max"]
    from regioncount.milp.formulation import encode as enc_of
    enc = enc_of(net, DOM, tighten(net, DOM, method="lp").bounds)
    X = np.vstack([DOM.sample(START_SAMPLES, 3), DOM.center[None, :]])
    Y = net.evaluate(X)
    for c, (o, pick) in zip(rec.calls, [(0, np.argmin), (0, np.argmax), (1, np.argmin),
                                        (1, np.argmax)]):
        assert np.flatnonzero(c["obj"]).tolist() == [int(enc.output_cols[o])]
        assert c["obj"][enc.output_cols[o]] == 1.0
        assert np.array_equal(c["start"], enc.start(X[pick(Y[:, o])]))
        assert c["threads"] == 1
    # the remaining time of the whole call shared by the optimisations still to run: 4, 3, 2, 1
    for todo, c in zip([4, 3, 2, 1], rec.calls):
        assert (1000.0 - (t1 - t0)) / todo <= c["time_limit"] <= 1000.0 / todo
    assert r.partial is False
    rec.calls.clear()
    output_range(net, DOM, outputs=[1])
    assert [c["time_limit"] for c in rec.calls] == [None, None]
    assert [c["threads"] for c in rec.calls] == [None, None]


def test_past_the_deadline_every_solve_still_gets_a_hundredth_of_a_second(monkeypatch):
    net, rec = _net(), _Recorder()
    _with_backend(monkeypatch, rec)
    output_range(net, DOM, time_limit=1e-9, tighten_method="interval")
    assert [c["time_limit"] for c in rec.calls] == [0.01] * 4


def test_a_solver_without_milps_is_refused_by_name(monkeypatch):
    from regioncount.errors import SolverError
    rec = _Recorder()
    rec.capabilities = frozenset({"lp"})
    _with_backend(monkeypatch, rec)
    with pytest.raises(SolverError, match=r"^solver 'ortools' cannot solve MILPs$"):
        output_range(_net(), DOM, solver="ortools", tighten_method="interval")


def _stopped(bound_shift, status, x_shift=None, objective_shift=0.0):
    """A solve answered as stopped: its bound moved by ``bound_shift`` outwards (negative:
    inwards), its input the solver's optimum moved by ``x_shift`` (None: no input)."""
    from regioncount.backends import Solution, Status

    def answer(obj, sense, sol):
        out = -1.0 if sense == "min" else 1.0
        x = None if x_shift is None else sol.x + x_shift
        return Solution(Status(status), None if x is None else sol.objective + objective_shift,
                        x, sol.bound + out * bound_shift, 0.5)
    return answer


@pytest.mark.parametrize("shift", [0.25, -0.25])
def test_a_stopped_solve_keeps_the_sampled_value_and_the_tighter_sound_bound(monkeypatch,
                                                                              shift):
    """Time limit without an input: the value is the best sample; the bound is the solver's
    when it is tighter than the tightened one, else the tightened one; the range is partial."""
    net = _net()
    _with_backend(monkeypatch, _Recorder(_stopped(shift, "time_limit")))
    lines = []
    r = output_range(net, DOM, progress=lines.append)
    X = np.vstack([DOM.sample(START_SAMPLES, 0), DOM.center[None, :]])
    Y = net.evaluate(X)
    b = tighten(net, DOM, method="lp").bounds
    lo, hi = b.lo[net.output], b.hi[net.output]
    assert r.partial is True and len(lines) == 4
    for o, (mn, mx) in zip(r.outputs, OPTIMA):
        assert (o.min_status, o.max_status) == ("time_limit", "time_limit")
        assert o.min == Y[:, o.index].min() and o.max == Y[:, o.index].max()
        assert np.array_equal(o.argmin, X[np.argmin(Y[:, o.index])])
        assert np.array_equal(o.argmax, X[np.argmax(Y[:, o.index])])
        if shift > 0:       # the solver's bound is looser: the tightened bound is kept
            assert o.min_bound == lo[o.index] and o.max_bound == hi[o.index]
        else:               # inside the true range (a solver that lies): taken as given
            assert o.min_bound == pytest.approx(mn + 0.25, abs=1e-6)
            assert o.max_bound == pytest.approx(mx - 0.25, abs=1e-6)
        assert o.gap == max(o.min - o.min_bound, o.max_bound - o.max, 0.0)
    assert lines[0] == (f"output 0 min: {r.outputs[0].min:.9g} "
                        f"(bound {r.outputs[0].min_bound:.9g}, time_limit, 0.50 s)")


@pytest.mark.parametrize("status", ["error", "not_solved", "unbounded"])
def test_the_bound_of_a_failed_solve_is_not_used(monkeypatch, status):
    net = _net()
    _with_backend(monkeypatch, _Recorder(_stopped(-0.25, status)))
    r = output_range(net, DOM)
    b = tighten(net, DOM, method="lp").bounds
    assert r.partial is True
    for o in r.outputs:
        assert (o.min_status, o.max_status) == (status, status)
        assert o.min_bound == b.lo[net.output][o.index]
        assert o.max_bound == b.hi[net.output][o.index]


def test_an_input_worse_than_the_samples_is_not_taken_and_a_wrong_objective_is_warned(
        monkeypatch, caplog):
    """The solver reports the optimum's objective but an input moved off it: the network's
    value there is worse than the best sample, so the sample stays; the objective differs
    from the network's value, which is warned about."""
    net = _net()
    _with_backend(monkeypatch, _Recorder(_stopped(0.0, "feasible", x_shift=0.0,
                                                  objective_shift=0.5)))
    with caplog.at_level("WARNING", logger="regioncount.milp.range"):
        r = output_range(net, DOM, outputs=[0])
    warned = [m.getMessage() for m in caplog.records]
    assert len(warned) == 2
    assert warned[0] == "output 0 min: MILP objective -0.5 but the network gives -1 at its input"
    assert warned[1].startswith("output 0 max: MILP objective 2.5 but the network gives 2 ")
    o = r.outputs[0]
    assert o.min == pytest.approx(-1.0, abs=1e-9) and o.max == pytest.approx(2.0, abs=1e-9)
    assert (o.min_status, o.max_status) == ("feasible", "feasible") and r.partial is True


def _no_input(obj, sense, sol):
    from regioncount.backends import Solution, Status
    return Solution(Status.TIME_LIMIT, None, None, None, 0.0)


def test_the_centre_is_a_start_point_when_inside_and_not_otherwise(monkeypatch):
    """Every solve stopped without an input, so the values are the best start points.
    -|x| on the box [-1, 1]: the max 0 is at the centre only, which is a start point. On the
    triangle x, y >= 0, x + y <= 0.5 (box [0, 1]^2, whose centre (0.5, 0.5) lies outside),
    the max of relu(x) + relu(y) is 0.5: the centre, worth 1, is not taken."""
    _with_backend(monkeypatch, _Recorder(_no_input))
    vee = Network.from_layers([(np.array([[1.0], [-1.0]]), np.zeros(2))],
                              final=(np.array([[-1.0, -1.0]]), np.zeros(1)))
    o = output_range(vee, Domain(np.array([-1.0]), np.array([1.0]))).outputs[0]
    assert o.max == 0.0 and o.argmax.tolist() == [0.0] and o.max_status == "time_limit"
    tri = Domain(np.zeros(2), np.ones(2), A=[[1.0, 1.0]], b=[0.5])
    plus = Network.from_layers([(np.eye(2), np.zeros(2))],
                               final=(np.ones((1, 2)), np.zeros(1)))
    o = output_range(plus, tri).outputs[0]
    assert 0.45 < o.max <= 0.5 and o.argmax.sum() <= 0.5


def _answer_at(where, objective):
    """Every solve answered "feasible" with its input columns set by ``where(sense)`` and
    the objective ``objective(sense)`` (what the solver claims)."""
    from regioncount.backends import Solution, Status

    def answer(obj, sense, sol):
        x = sol.x.copy()
        x[_answer_at.enc.input_cols] = where(sense)
        return Solution(Status.FEASIBLE, objective(sense), x, sol.bound, 0.0)
    return answer


def _spy_encoding(monkeypatch):
    real = rg.encode

    def spy(*a, **k):
        _answer_at.enc = real(*a, **k)
        return _answer_at.enc
    monkeypatch.setattr(rg, "encode", spy)


def test_the_milps_input_is_clipped_to_the_box(monkeypatch):
    """f(x) = relu(x) - relu(-x) = x on [-1, 1]; the solver answers x = -3 (min) and 3 (max):
    clipped, they give the true optima -1 and 1."""
    net = Network.from_layers([(np.array([[1.0], [-1.0]]), np.zeros(2))],
                              final=(np.array([[1.0, -1.0]]), np.zeros(1)))
    _spy_encoding(monkeypatch)
    out = {"min": -3.0, "max": 3.0}
    _with_backend(monkeypatch, _Recorder(_answer_at(lambda s: out[s], lambda s: out[s])))
    o = output_range(net, Domain(np.array([-1.0]), np.array([1.0]))).outputs[0]
    assert (o.min, o.max) == (-1.0, 1.0)
    assert o.argmin.tolist() == [-1.0] and o.argmax.tolist() == [1.0]


def test_an_input_worse_than_the_best_sample_is_not_taken(monkeypatch):
    """The solver answers the box's centre (0.5, 0), where f1 = -0.5: the samples are better
    on both sides and stay."""
    net = _net()
    _spy_encoding(monkeypatch)
    _with_backend(monkeypatch, _Recorder(_answer_at(lambda s: [0.5, 0.0], lambda s: -0.5)))
    o = output_range(net, DOM, outputs=[1]).outputs[0]
    X = np.vstack([DOM.sample(START_SAMPLES, 0), DOM.center[None, :]])
    Y = net.evaluate(X)[:, 1]
    assert o.min == Y.min() == -1.0 and o.max == Y.max() > 1.9
    assert np.array_equal(o.argmin, X[np.argmin(Y)]) and np.array_equal(o.argmax, X[np.argmax(Y)])


def test_on_a_tie_the_sample_found_first_is_kept():
    """min of relu(x) + relu(y) - 1 and max of -relu(x) - relu(y) are attained on the whole
    quarter x, y <= 0, by samples and by the MILP alike: the sampled witness is kept."""
    net = Network.from_layers([(np.eye(2), np.zeros(2))],
                              final=(np.array([[1.0, 1.0], [-1.0, -1.0]]), np.array([-1.0, 0.0])))
    r = output_range(net, DOM)
    X = np.vstack([DOM.sample(START_SAMPLES, 0), DOM.center[None, :]])
    Y = net.evaluate(X)
    assert r.outputs[0].min == -1.0 and r.outputs[1].max == 0.0
    assert np.array_equal(r.outputs[0].argmin, X[np.argmin(Y[:, 0])])
    assert np.array_equal(r.outputs[1].argmax, X[np.argmax(Y[:, 1])])


def test_an_objective_off_the_network_by_more_than_a_millionth_relative_is_warned(
        monkeypatch, caplog):
    """The solver's objective off by 2.5e-6 from the network's value: above the threshold
    1e-6 (1 + |v|) at the min (v = -1: 2e-6), below it at the max (v = 2: 3e-6)."""
    net = _net()
    opt = {"min": (np.array([-0.5, 1.0]), -1.0), "max": (np.array([2.0, -0.5]), 2.0)}
    _spy_encoding(monkeypatch)
    _with_backend(monkeypatch, _Recorder(_answer_at(lambda s: opt[s][0],
                                                    lambda s: opt[s][1] + 2.5e-6)))
    with caplog.at_level("WARNING", logger="regioncount.milp.range"):
        o = output_range(net, DOM, outputs=[0]).outputs[0]
    assert [m.getMessage() for m in caplog.records] == [
        "output 0 min: MILP objective -0.9999975 but the network gives -1 at its input"]
    assert (o.min, o.max) == (-1.0, 2.0)


def test_an_exact_range_warns_nothing_and_logs_each_optimum(caplog):
    with caplog.at_level("INFO", logger="regioncount.milp.range"):
        r = output_range(_net(), DOM)
    msgs = [m.getMessage() for m in caplog.records]
    assert [m.levelname for m in caplog.records] == ["INFO"] * 4
    for msg, (o, side) in zip(msgs, [(0, "min"), (0, "max"), (1, "min"), (1, "max")]):
        v = getattr(r.outputs[o], side)
        assert msg.startswith(f"output {o} {side}: {v:.9g} (bound ")
        assert ", optimal, " in msg and msg.endswith(" s)")
