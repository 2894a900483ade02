"""Stopped counts are partial: a time limit, a region limit or an interrupt gives
``complete is False``, the reason, and a count strictly below the truth, for the MILP on both
backends, the region tree and the vertex method; a slice (which takes no limits) is always
whole. The truths are independent: the
exact polygon oracle of tests/oracles.py and exact_counts.json."""

from __future__ import annotations

import types

import numpy as np
import pytest

from regioncount import Domain, Network
from regioncount.app import count
from regioncount.enumeration import milp_count
from regioncount.enumeration.milp_count import count_milp

from conftest import network_from_entry
from oracles import count_2d, patterns_2d

SOLVERS = ["highs", "ortools"]


def _entry(exact_counts, name):
    return next(e for e in exact_counts if e["name"] == name)


@pytest.fixture(scope="module")
def net_2d():
    """relu(x), relu(y), relu(x + y - 1/2) on [-1, 1]^2: three lines in general position whose
    three crossings lie inside the square, 1 + 3 + 3 = 7 regions (by hand and by the oracle).
    Small, because OR-Tools' SCIP takes seconds per solve on larger counting MILPs."""
    net = Network.from_layers([(np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]),
                                np.array([0.0, 0.0, -0.5]))], final=(np.ones((1, 3)), np.zeros(1)))
    dom = Domain.box(-1.0, 1.0, 2)
    want = patterns_2d(net, dom)
    assert len(want) == count_2d(net, dom) == 7
    return net, dom, want


def _partial(res, reason, truth, want=None):
    assert res.complete is False and res.stop_reason == reason
    assert res.regions < truth
    assert res.to_json()["stop_reason"] == reason and res.to_json()["complete"] is False
    if want is not None:         # what was found is real: distinct patterns of true regions
        assert len(res.pattern_set()) == res.regions and res.pattern_set() <= want


@pytest.mark.parametrize("solver", SOLVERS)
def test_milp_region_limit(net_2d, solver):
    net, dom, want = net_2d
    res = count_milp(net, dom, solver=solver, max_regions=4, bounds="interval")
    _partial(res, "region limit", len(want), want)
    assert res.regions == 4


@pytest.mark.parametrize("solver", SOLVERS)
def test_milp_time_limit_in_the_loop(net_2d, solver, monkeypatch):
    """A clock that advances one second per reading: the loop passes its deadline after a
    few regions, deterministically, whatever the machine's speed."""
    net, dom, want = net_2d
    ticks = iter(range(10 ** 6))
    clock = types.SimpleNamespace(monotonic=lambda: float(next(ticks)))
    monkeypatch.setattr(milp_count, "time", clock)
    res = count_milp(net, dom, solver=solver, time_limit=6.5, bounds="interval")
    _partial(res, "time limit", len(want), want)
    assert res.regions >= 1


@pytest.mark.parametrize("solver", SOLVERS)
def test_milp_time_limit_real_clock(exact_counts, solver):
    """338 regions (exact_counts.json) take the MILP far more than half a second: the
    LP-tightened count stops with what it found, by its own clock or by the solver's."""
    net, dom = network_from_entry(_entry(exact_counts, "random-3-8-8-8-seed5-box1"))
    res = count(net, dom, "milp", solver=solver, time_limit=0.5, keep_patterns=True)
    _partial(res, "time limit", 338)
    assert res.solver == solver
    assert res.extra["per_class_rule"] == "interior point"     # no exact rule on a partial count


class _Flag:
    """An Interrupt stand-in whose flag rises on its fourth reading (Ctrl-C mid-count)."""

    def __init__(self):
        self.calls = 0

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def __call__(self):
        self.calls += 1
        return self.calls > 3


@pytest.mark.parametrize("solver", SOLVERS)
def test_milp_interrupt(net_2d, solver, monkeypatch):
    """Ctrl-C (the Interrupt flag) raised after the third region."""
    net, dom, want = net_2d
    monkeypatch.setattr(milp_count, "Interrupt", _Flag)
    res = count_milp(net, dom, solver=solver, bounds="interval")
    _partial(res, "interrupted", len(want), want)
    assert res.regions == 3


@pytest.mark.parametrize("solver", SOLVERS)
def test_milp_solver_time_limit_status(net_2d, solver, monkeypatch):
    """The solver itself reports its time limit on the fourth solve (both backends' classes)."""
    from regioncount.backends import Solution, Status, get_backend

    net, dom, want = net_2d
    cls = type(get_backend(solver))
    real, calls = cls.solve, []

    def solve(self, *a, **k):
        calls.append(1)
        if len(calls) == 4:
            return Solution(Status.TIME_LIMIT, None, None, None, 0.0)
        return real(self, *a, **k)

    monkeypatch.setattr(cls, "solve", solve)
    res = count_milp(net, dom, solver=solver, bounds="interval")
    _partial(res, "time limit", len(want), want)
    assert res.regions == 3


def test_slice_takes_no_limit_and_is_whole(net_2d):
    """count_slice has no stopping point (regioncount/enumeration/slices.py): given limits it
    ignores them, and the result it labels complete is the whole count."""
    net, dom, want = net_2d
    res = count(net, dom, "slice", time_limit=1e-9, max_regions=1, keep_patterns=True)
    assert res.complete is True and res.stop_reason == ""
    assert res.regions == len(want) and res.pattern_set() == want



# -- the region tree and the vertex method ------------------------------------------------------

def _run(method, net, dom, **kw):
    from regioncount.enumeration import count_tree
    from regioncount.enumeration.vertex import count_vertex

    if method == "tree":
        return count_tree(net, dom, workers=1, keep_patterns=True, **kw)
    return count_vertex(net, dom, keep_patterns=True, **kw)


@pytest.mark.parametrize("method", ["tree", "vertex"])
def test_region_limit(net_2d, method):
    net, dom, want = net_2d
    res = _run(method, net, dom, max_regions=4)
    _partial(res, "region limit", len(want), want)
    # the vertex method drops what passes the limit (its sub-box is counted again on resume);
    # the tree keeps the leaves of the node it was splitting (no pending node holds them)
    assert res.regions == 4 if method == "vertex" else 4 <= res.regions < len(want)


@pytest.mark.parametrize("method", ["tree", "vertex"])
def test_interrupt(exact_counts, method, monkeypatch):
    """The Interrupt flag (what Ctrl-C sets) rising mid-count, on 338 regions
    (exact_counts.json)."""
    from regioncount.enumeration import tree, vertex

    monkeypatch.setattr(tree if method == "tree" else vertex, "Interrupt", _Flag)
    net, dom = network_from_entry(_entry(exact_counts, "random-3-8-8-8-seed5-box1"))
    res = _run(method, net, dom)
    _partial(res, "interrupted", 338)
    assert len(res.pattern_set()) == res.regions


@pytest.mark.parametrize("method", ["tree", "vertex"])
def test_time_limit(exact_counts, method, monkeypatch):
    """A clock that advances one second per reading passes a 20 s limit mid-count."""
    from regioncount.enumeration import executors, limits, search, tree, vertex

    ticks = iter(range(10 ** 7))
    clock = types.SimpleNamespace(monotonic=lambda: float(next(ticks)), time=lambda: 0.0)
    for mod in (executors, limits, search, tree, vertex):
        monkeypatch.setattr(mod, "time", clock)
    net, dom = network_from_entry(_entry(exact_counts, "random-3-8-8-8-seed5-box1"))
    res = _run(method, net, dom, time_limit=20.0)
    _partial(res, "time limit", 338)
    assert len(res.pattern_set()) == res.regions
