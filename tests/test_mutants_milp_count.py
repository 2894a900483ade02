"""Tests written to kill the mutants of regioncount/enumeration/milp_count.py that survived the
focused suite (benchmarks/mutation.py, docs/benchmarks.md "Mutation score").

Small networks whose regions are known by hand (and by the exact polygon oracle of
tests/oracles.py): the count, the solves it takes, the per-layer and per-class tallies, the
interior points mapped back to the input, the stop and error paths, and every branch of the
blind-spot check that makes the MILP refuse instead of undercounting."""

from __future__ import annotations

import dataclasses
import logging
import types

import numpy as np
import pytest

from regioncount import Domain, Network
from regioncount.backends import Solution, Status
from regioncount.backends.highs import HighsBackend
from regioncount.enumeration.milp_count import count_milp, milp_blind_spots
from regioncount.errors import RegioncountError, SolverError
from regioncount.intervals import interval_bounds
from regioncount.network import Affine, Input, LeakyRelu, MaxGroups, Relu

from oracles import count_2d, patterns_2d


def three_lines():
    """relu(x), relu(y), relu(x + y - 1/2) on [-1, 1]^2: 7 regions (by hand, and the oracle)."""
    net = Network.from_layers([(np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]),
                                np.array([0.0, 0.0, -0.5]))])
    return net, Domain.box(-1.0, 1.0, 2)


def test_count_solves_and_points_of_a_small_arrangement():
    net, dom = three_lines()
    want = patterns_2d(net, dom)
    assert count_2d(net, dom) == 7
    r = count_milp(net, dom, bounds="interval")
    assert (r.regions, r.complete, r.stop_reason, r.method, r.solver) == (7, True, "", "milp",
                                                                          "highs")
    assert r.lps == 8                          # one solve per region, and the last infeasible one
    assert r.per_layer == (7,)
    assert r.pattern_set() == want
    # the interior points are in input coordinates and have the patterns reported
    assert np.all(r.points >= -1) and np.all(r.points <= 1)
    assert np.array_equal(np.concatenate(net.pattern(r.points), axis=1), r.patterns)


def test_points_are_mapped_back_from_the_unit_box_and_given_bounds_are_used_as_they_are():
    net, _ = three_lines()
    dom = Domain.box([-1.0, -3.0], [3.0, 1.0])      # not the unit box: the map matters
    want = patterns_2d(net, dom)
    for bounds in ("interval", None, interval_bounds(net, dom)):
        r = count_milp(net, dom, bounds=bounds)
        assert r.regions == len(want) and r.pattern_set() == want
        assert np.all(r.points >= dom.lo) and np.all(r.points <= dom.hi)
        assert np.array_equal(np.concatenate(net.pattern(r.points), axis=1), r.patterns)


def test_per_layer_and_per_class_tallies():
    # a line: relu(x), relu(-x), then outputs (relu(x), relu(-x)): x > 0 is class 0, x < 0 class 1
    net = Network.from_layers([(np.array([[1.0], [-1.0]]), np.zeros(2)),
                               (np.eye(2), np.zeros(2))], final=(np.eye(2), np.zeros(2)))
    r = count_milp(net, Domain.box(-1, 1, 1), bounds="interval")
    assert r.regions == 2 and r.per_layer == (2, 2)
    assert r.per_class == {0: 1, 1: 1}
    assert all(type(k) is int and type(v) is int for k, v in r.per_class.items())
    # two layers on the square: 7 patterns of the first layer, refined by the second
    net2 = Network.from_layers([(np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]),
                                 np.array([0.0, 0.0, -0.5])),
                                (np.array([[1.0, -1.0, 0.5]]), np.array([-0.25]))])
    dom = Domain.box(-1.0, 1.0, 2)
    want = patterns_2d(net2, dom)
    r2 = count_milp(net2, dom, bounds="interval")
    assert r2.regions == len(want) == count_2d(net2, dom)
    first_layer = {p[:12] for p in want}          # int32 bytes: the first three units
    assert r2.per_layer == (len(first_layer), len(want))


def test_without_patterns_and_with_progress():
    net, dom = three_lines()
    seen = []
    r = count_milp(net, dom, bounds="interval", keep_patterns=False, progress=seen.append)
    assert r.regions == 7 and r.patterns is None and r.points is None
    assert sum(r.per_class.values()) == 7           # every region once, at its interior point
    assert seen and (seen[0].regions, seen[0].lps, seen[0].depth) == (1, 1, 0)
    assert seen[0].seconds >= 0


def test_region_limit_counts_solves_and_logs(caplog):
    net, dom = three_lines()
    with caplog.at_level(logging.WARNING, logger="regioncount.enumeration.milp_count"):
        r = count_milp(net, dom, bounds="interval", max_regions=3)
    assert (r.regions, r.complete, r.stop_reason, r.lps) == (3, False, "region limit", 3)
    assert [rec.getMessage() for rec in caplog.records] == [
        "MILP count stopped early (region limit): 3 regions found so far"]
    none = count_milp(net, dom, bounds="interval", max_regions=0)
    assert none.regions == 0 and none.patterns.shape == (0, 3)
    assert none.patterns.dtype == np.int32 and none.points.shape == (0, 2)


def _solver_returning(monkeypatch, status, at=2, keep_solution=False):
    real, calls = HighsBackend.solve, []

    def solve(self, *a, **k):
        calls.append(k.get("time_limit"))
        if len(calls) == at:
            if keep_solution:                    # the solver's point, under another status
                return dataclasses.replace(real(self, *a, **k), status=status)
            return Solution(status, None, None, None, 0.0)
        return real(self, *a, **k)

    monkeypatch.setattr(HighsBackend, "solve", solve)
    return calls


def test_a_solver_failure_is_an_error_not_a_count(monkeypatch):
    net, dom = three_lines()
    _solver_returning(monkeypatch, Status.ERROR)
    with pytest.raises(SolverError) as e:
        count_milp(net, dom, bounds="interval")
    assert str(e.value) == "highs: counting MILP ended with status error"
    monkeypatch.undo()
    _solver_returning(monkeypatch, Status.FEASIBLE, keep_solution=True)   # a point, not optimal
    with pytest.raises(SolverError, match="ended with status feasible"):
        count_milp(net, dom, bounds="interval")


def test_the_loop_ends_on_a_zero_margin_and_the_count_is_complete():
    # relu(x), relu(-x): after x > 0 and x < 0 the best pattern left is (0, 0), whose only
    # point is x = 0 (margin 0, no interior); the loop stops there, with a complete count
    net = Network.from_layers([(np.array([[1.0], [-1.0]]), np.zeros(2))])
    r = count_milp(net, Domain.box(-1, 1, 1), bounds="interval")
    assert (r.regions, r.complete, r.stop_reason, r.lps) == (2, True, "", 3)


def test_margins_are_taken_in_unit_box_coordinates():
    # a box 2e-9 wide: every region's inradius (5e-10) is below REGION_MARGIN (1e-9) in input
    # units, but not in the unit box the MILP works in (without it the count is 0);
    # relu(x - c), relu(y - c) at the centre: 4 regions
    c = 1e-9
    net = Network.from_layers([(np.eye(2), np.array([-c, -c]))])
    dom = Domain.box(0.0, 2 * c, 2)
    for bounds in ("interval", None):
        r = count_milp(net, dom, bounds=bounds)
        assert r.regions == 4 and r.complete
        assert np.all(r.points >= 0) and np.all(r.points <= 2 * c)


def test_progress_is_throttled_to_twice_a_second_on_the_loop_clock(monkeypatch):
    from regioncount.enumeration import milp_count

    ticks = iter(range(10 ** 6))
    clock = types.SimpleNamespace(monotonic=lambda: 1000.0 + next(ticks) / 8)
    monkeypatch.setattr(milp_count, "time", clock)
    net, dom = three_lines()
    seen = []
    r = count_milp(net, dom, bounds="interval", progress=seen.append)
    assert r.regions == 7 and 0 < r.seconds < 100          # measured from the start, not 0
    stamps = [p.seconds for p in seen]
    assert len(seen) >= 3 and all(0 < t < 100 for t in stamps)
    gaps = np.diff(stamps)
    assert np.all(gaps >= 0.5) and np.all(gaps < 1.5)
    assert [p.regions for p in seen] == sorted(p.regions for p in seen)


def test_solver_time_limit_and_the_time_left(monkeypatch):
    net, dom = three_lines()
    calls = _solver_returning(monkeypatch, Status.TIME_LIMIT, at=3)
    r = count_milp(net, dom, bounds="interval", time_limit=600.0)
    assert (r.regions, r.complete, r.stop_reason, r.lps) == (2, False, "time limit", 3)
    assert all(t is not None and 0 < t <= 600.0 for t in calls)
    calls.clear()
    monkeypatch.undo()
    calls = _solver_returning(monkeypatch, Status.INTERRUPTED, at=5)
    r = count_milp(net, dom, bounds="interval")
    assert (r.regions, r.stop_reason) == (4, "interrupted")
    assert calls == [None] * 5                       # no time limit: the solver gets none


def test_lp_tightening_gets_a_quarter_of_the_time(monkeypatch):
    import importlib

    T = importlib.import_module("regioncount.milp.tighten")
    net, dom = three_lines()
    real, seen = T.tighten, []

    def spy(*a, **k):
        seen.append(k)
        return real(*a, **k)

    monkeypatch.setattr(T, "tighten", spy)
    assert count_milp(net, dom, time_limit=100.0).regions == 7
    assert count_milp(net, dom).regions == 7
    assert [(k["method"], k["solver"], k["time_limit"]) for k in seen] == [
        ("lp", "highs", 25.0), ("lp", "highs", None)]


def _max_net(rows, bias, source_stages=None):
    """Input(2) -> Affine(rows) -> one max group over all rows."""
    rows = np.asarray(rows, float)
    aff = Affine(size=len(rows), sources=(0,), weights=(rows,), bias=np.asarray(bias, float))
    return Network([Input(size=2), aff,
                    MaxGroups(size=1, source_index=1, indptr=np.array([0, len(rows)]),
                              indices=np.arange(len(rows)))], name="max-toy")


def test_blind_spots_of_max_groups():
    dom = Domain.box(-1, 1, 2)
    rows = [[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]]
    distinct = _max_net(rows, [0.0, 0.0, 0.0])
    assert milp_blind_spots(distinct, interval_bounds(distinct, dom)) == []
    repeated = _max_net(rows + [[1.0, 0.0]], [0.0, 0.0, 0.0, 0.0])
    assert milp_blind_spots(repeated, interval_bounds(repeated, dom)) == [
        "stage 2 (-): a max whose entries can be the same function on a region (repeated "
        "weights, or an affine map of outputs that can all be constant)"]
    shifted = _max_net(rows + [[1.0, 0.0]], [0.0, 0.0, 0.0, 0.25])     # same row, other bias
    assert milp_blind_spots(shifted, interval_bounds(shifted, dom)) == []
    # the repeated row can never be the maximum: the group is decided, nothing is missed
    decided = _max_net([[0.0, 0.0], [0.0, 0.0]], [5.0, 5.0])
    b = interval_bounds(decided, dom)
    assert milp_blind_spots(decided, b) == []


def test_blind_spots_of_a_max_over_relu_outputs():
    dom = Domain.box(-1, 1, 2)
    W = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0], [0.0, -1.0]])
    relu = [Input(size=2), Affine(size=4, sources=(0,), weights=(W,), bias=np.full(4, -0.5)),
            Relu(size=4, source_index=1)]
    direct = Network(relu + [MaxGroups(size=2, source_index=2, indptr=np.array([0, 2, 4]),
                                       indices=np.arange(4))], name="pool")
    assert milp_blind_spots(direct, interval_bounds(direct, dom)) == [
        "stage 3 (-): a max over relu outputs whose constant pieces tie on some regions"]
    # an affine map (a BatchNorm) of the ReLU outputs only: still ties where they are all off
    bn = Affine(size=4, sources=(2,), weights=(np.diag([2.0, 1.0, 1.0, 3.0]),),
                bias=np.array([0.1, 0.2, 0.3, 0.4]))
    scaled = Network(relu + [bn, MaxGroups(size=2, source_index=3, indptr=np.array([0, 2, 4]),
                                           indices=np.arange(4))], name="bn-pool")
    spots = milp_blind_spots(scaled, interval_bounds(scaled, dom))
    assert len(spots) == 1 and spots[0].startswith("stage 4 (-): a max whose entries")
    # the same map reading the input as well: the entries differ, no tie
    mixed = Affine(size=4, sources=(2, 0), weights=(np.diag([2.0, 1.0, 1.0, 3.0]), W),
                   bias=np.array([0.1, 0.2, 0.3, 0.4]))
    ok = Network(relu + [mixed, MaxGroups(size=2, source_index=3, indptr=np.array([0, 2, 4]),
                                          indices=np.arange(4))], name="mixed-pool")
    assert milp_blind_spots(ok, interval_bounds(ok, dom)) == []
    with pytest.raises(RegioncountError) as e:
        count_milp(direct, dom, bounds="interval")
    assert str(e.value) == ("pool: the MILP count would miss regions (stage 3 (-): a max over "
                            "relu outputs whose constant pieces tie on some regions); use "
                            "--method tree, which counts them")


def test_zero_bias_relus_over_relu_outputs():
    dom = Domain.box(-1, 1, 2)
    first = (np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([-0.5, -0.5]))
    two = Network.from_layers([first, (np.array([[1.0, -1.0], [-1.0, 2.0], [1.0, 0.0]]),
                                       np.array([0.0, 0.0, -0.3]))], name="chain")
    where = two.stages[4].source.describe()
    assert milp_blind_spots(two, interval_bounds(two, dom)) == [
        f"stage 4 ({where}): 2 unstable ReLU(s) with bias exactly 0 over ReLU outputs, "
        "identically 0 on some regions"]
    # zero bias over the input itself: a line through the origin, no blind spot
    direct = Network.from_layers([(np.array([[1.0, -1.0]]), np.array([0.0]))])
    assert milp_blind_spots(direct, interval_bounds(direct, dom)) == []
    # a zero-bias unit that is stable (its input is >= 0 everywhere) splits nothing
    stable = Network.from_layers([first, (np.array([[1.0, 1.0]]), np.array([0.0]))])
    assert milp_blind_spots(stable, interval_bounds(stable, dom)) == []
    # two risky stages: the error names the first and counts the rest
    three = Network.from_layers([first, (np.array([[1.0, -1.0], [-1.0, 2.0]]), np.zeros(2)),
                                 (np.array([[1.0, -1.0]]), np.array([0.0]))], name="three")
    spots = milp_blind_spots(three, interval_bounds(three, dom))
    assert len(spots) == 2
    with pytest.raises(RegioncountError) as e:
        count_milp(three, dom, bounds="interval")
    assert str(e.value) == (f"three: the MILP count would miss regions ({spots[0]}; and 1 more "
                            "stage(s)); use --method tree, which counts them")


def test_blind_spots_of_max_groups_over_other_sources():
    import scipy.sparse as sp

    dom = Domain.box(-1, 1, 2)
    W = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.5]])

    def pool(k, n):
        return MaxGroups(size=1, source_index=k, indptr=np.array([0, n]), indices=np.arange(n))

    # a max straight over the input, or over leaky ReLU outputs (no constant piece): no tie
    direct = Network([Input(size=2), pool(0, 2)])
    assert milp_blind_spots(direct, interval_bounds(direct, dom)) == []
    leaky = [Input(size=2), Affine(size=3, sources=(0,), weights=(W,), bias=np.zeros(3)),
             LeakyRelu(size=3, source_index=1, alpha=np.full(3, 0.1))]
    over_leaky = Network(leaky + [pool(2, 3)])
    assert milp_blind_spots(over_leaky, interval_bounds(over_leaky, dom)) == []
    # an affine map of leaky ReLU outputs: they are never constant, the rows differ: no tie
    mix = Affine(size=3, sources=(2,), weights=(np.eye(3),), bias=np.zeros(3))
    over_mix = Network(leaky + [mix, pool(3, 3)])
    assert milp_blind_spots(over_mix, interval_bounds(over_mix, dom)) == []
    # an affine map of a ReLU that reads the input directly (stage 1): all can be 0, a tie
    relu_first = Network([Input(size=2), Relu(size=2, source_index=0),
                          Affine(size=2, sources=(1,), weights=(np.array([[1.0, 0.0],
                                                                          [0.0, 2.0]]),),
                                 bias=np.array([0.0, 0.1])), pool(2, 2)])
    assert len(milp_blind_spots(relu_first, interval_bounds(relu_first, dom))) == 1
    # sparse weights: a repeated row is found in them as in dense ones
    rows = sp.csr_matrix(np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]]))
    sparse = Network([Input(size=2), Affine(size=3, sources=(0,), weights=(rows,),
                                            bias=np.zeros(3)), pool(1, 3)])
    assert len(milp_blind_spots(sparse, interval_bounds(sparse, dom))) == 1
    # rows repeated across two groups but not inside one: no tie
    two = Network([Input(size=2),
                   Affine(size=4, sources=(0,), weights=(np.array([[1.0, 0.0], [0.0, 1.0],
                                                                    [1.0, 0.0], [-1.0, 1.0]]),),
                          bias=np.zeros(4)),
                   MaxGroups(size=2, source_index=1, indptr=np.array([0, 2, 4]),
                             indices=np.arange(4))])
    assert milp_blind_spots(two, interval_bounds(two, dom)) == []
