"""The MILP no-good baseline: exact counts on both backends, the same patterns as the tree."""

import numpy as np
import pytest

from regioncount.enumeration import count_tree
from regioncount.enumeration.milp_count import count_milp

from conftest import network_from_entry

#: seconds-scale cases (a few seconds each on 2 busy cores); the others are marked slow
FAST = {
    "highs": ["random-1-3-3-seed0-box1", "random-2-4-4-seed1-box1", "random-2-4-4-seed1-box20",
              "random-2-8-8-seed2-box1", "random-2-5-5-5-seed4-box1", "max-construction-1-3-2",
              "max-construction-1-3-3"],
    "ortools": ["random-1-3-3-seed0-box1", "random-2-4-4-seed1-box1", "random-2-4-4-seed1-box20",
                "max-construction-1-3-2"],
}
ALL = ["random-1-3-3-seed0-box1", "random-2-4-4-seed1-box1", "random-2-4-4-seed1-box20",
       "random-2-8-8-seed2-box1", "random-3-6-6-seed3-box1", "random-2-5-5-5-seed4-box1",
       "random-3-8-8-8-seed5-box1", "random-4-6-6-seed6-box1", "random-2-10-10-seed7-box1",
       "max-construction-1-3-2", "max-construction-1-3-3", "max-construction-1-3-3-3",
       "max-construction-2-6-6"]
CASES = [pytest.param(s, n, marks=() if n in FAST[s] else pytest.mark.slow)
         for s in ("highs", "ortools") for n in ALL]


@pytest.mark.parametrize("solver,name", CASES)
def test_milp_count_and_patterns_equal_the_tree(exact_counts, solver, name):
    e = next(x for x in exact_counts if x["name"] == name)
    net, dom = network_from_entry(e)
    m = count_milp(net, dom, solver=solver)
    assert m.complete and m.regions == e["regions"]
    t = count_tree(net, dom, workers=1, keep_patterns=True)
    assert m.pattern_set() == t.pattern_set()
    assert m.per_layer == t.per_layer
    # every MILP solution point is inside its region
    got = np.concatenate(net.pattern(m.points), axis=1)
    assert np.array_equal(got, m.patterns)


def test_milp_stops_cleanly(exact_counts):
    e = next(x for x in exact_counts if x["name"] == "max-construction-1-3-3-3")
    net, dom = network_from_entry(e)
    part = count_milp(net, dom, max_regions=5, bounds="interval")
    assert not part.complete and part.regions == 5 and part.stop_reason == "region limit"
    assert len(set(map(bytes, part.patterns))) == 5


def test_milp_refuses_where_its_margin_misses_regions():
    """A max-pool over ReLUs ties on the cells where a window's ReLUs are all off: the margin
    MILP has no positive margin there and would count 2 of the 11 regions. It must refuse
    rather than return a wrong number; a plain ReLU chain with biases is accepted."""
    import numpy as np

    from regioncount import Domain, Network
    from regioncount.enumeration.milp_count import milp_blind_spots
    from regioncount.errors import RegioncountError
    from regioncount.intervals import interval_bounds
    from regioncount.network import Affine, Input, MaxGroups, Relu

    W = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0], [0.0, -1.0]])
    net = Network([Input(size=2), Affine(size=4, sources=(0,), weights=(W,), bias=np.full(4, -0.5)),
                   Relu(size=4, source_index=1),
                   MaxGroups(size=2, source_index=2, indptr=np.array([0, 2, 4]), indices=np.arange(4))],
                  name="maxpool-toy")
    dom = Domain.box(-1, 1, 2)
    assert len(milp_blind_spots(net, interval_bounds(net, dom))) == 1
    with pytest.raises(RegioncountError, match="method tree"):
        count_milp(net, dom, bounds="interval")
    # zero bias over ReLU outputs: identically 0 where both inputs are off
    chain = Network.from_layers([(np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([-0.5, -0.5])),
                                 (np.array([[1.0, -1.0]]), np.array([0.0]))])
    assert len(milp_blind_spots(chain, interval_bounds(chain, dom))) == 1
    chain_b = Network.from_layers([(np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([-0.5, -0.5])),
                                   (np.array([[1.0, -1.0]]), np.array([0.1]))])
    assert milp_blind_spots(chain_b, interval_bounds(chain_b, dom)) == []


def _toy():
    rng = np.random.default_rng(0)
    from regioncount import Domain, Network

    net = Network.from_layers([(rng.normal(size=(6, 2)), rng.normal(size=6) * 0.3),
                               (rng.normal(size=(6, 6)), rng.normal(size=6) * 0.3)])
    return net, Domain.box(-1, 1, 2)


def test_a_stopped_milp_count_is_partial():
    """Every way out of the loop but exhaustion is labelled partial, with its reason."""
    net, dom = _toy()
    full = count_milp(net, dom)
    assert full.complete and full.regions == count_tree(net, dom, workers=1).regions
    assert full.regions > 8
    part = count_milp(net, dom, max_regions=5)
    assert (part.complete, part.stop_reason, part.regions) == (False, "region limit", 5)
    assert part.pattern_set() <= full.pattern_set()
    late = count_milp(net, dom, time_limit=1e-9, bounds="interval")
    assert (late.complete, late.stop_reason, late.regions) == (False, "time limit", 0)


@pytest.mark.parametrize("status,reason", [("TIME_LIMIT", "time limit"),
                                           ("INTERRUPTED", "interrupted")])
def test_solver_stopping_early_makes_the_count_partial(monkeypatch, status, reason):
    """The solver itself stops (its own time limit, Ctrl-C) on the fourth solve."""
    from regioncount.backends import Solution, Status
    from regioncount.backends.highs import HighsBackend

    net, dom = _toy()
    real, calls = HighsBackend.solve, []

    def solve(self, *a, **k):
        calls.append(1)
        if len(calls) == 4:
            return Solution(Status[status], None, None, None, 0.0)
        return real(self, *a, **k)

    monkeypatch.setattr(HighsBackend, "solve", solve)
    r = count_milp(net, dom, bounds="interval")
    assert (r.complete, r.stop_reason, r.regions) == (False, reason, 3)
