"""The MILP encoding reproduces the network, and its margin counts regions exactly."""

import numpy as np
import pytest

from regioncount import Domain, Network
from regioncount.backends import Status, get_backend
from regioncount.intervals import interval_bounds
from regioncount.milp.formulation import encode
from regioncount.milp.model import ModelBuilder
from regioncount.network import Affine, Clip, Input, LeakyRelu, MaxGroups, Relu
from regioncount.tolerances import REGION_MARGIN

from conftest import network_from_entry
from oracles import count_2d

SOLVERS = ["highs", "ortools"]


def _mlp(rng, activation, sizes=(3, 8, 6), out=2):
    layers = [(rng.normal(size=(b, a)), rng.normal(size=b)) for a, b in zip(sizes[:-1], sizes[1:])]
    final = (rng.normal(size=(out, sizes[-1])), rng.normal(size=out))
    return Network.from_layers(layers, final=final, activation=activation, alpha=0.1)


def _max_clip_net(rng):
    """Maxout, clip (two- and three-piece), ReLU, max-pool over ReLUs and a residual Affine."""
    st = [Input(size=3),
          Affine(size=8, sources=(0,), weights=(rng.normal(size=(8, 3)),), bias=rng.normal(size=8)),
          MaxGroups(size=3, source_index=1, indptr=np.array([0, 3, 5, 8]), indices=np.arange(8)),
          Affine(size=4, sources=(2,), weights=(rng.normal(size=(4, 3)),), bias=rng.normal(size=4)),
          Clip(size=4, source_index=3, lo=np.array([-0.5, -0.5, -np.inf, -0.2]),
               hi=np.array([0.7, 0.7, 0.3, np.inf])),
          Relu(size=4, source_index=4),
          MaxGroups(size=2, source_index=5, indptr=np.array([0, 2, 4]), indices=np.arange(4)),
          Affine(size=2, sources=(6, 3), weights=(rng.normal(size=(2, 2)), rng.normal(size=(2, 4))),
                 bias=rng.normal(size=2)),
          LeakyRelu(size=2, source_index=7, alpha=np.array([0.0, 0.3])),
          Affine(size=1, sources=(8,), weights=(rng.normal(size=(1, 2)),), bias=rng.normal(size=1))]
    return Network(st)


def _nets(rng):
    return [_mlp(rng, "relu"), _mlp(rng, "leaky_relu"), _max_clip_net(rng)]


def test_builder_blocks_over_given_columns():
    b = ModelBuilder()
    x = b.add_vars(3, lb=[0, 1, 2], ub=5.0, name="x")
    b.add_rows(np.array([[2.0, -1.0]]), lb=1.0, ub=np.inf, cols=[x[2], x[0]])
    m = b.build()
    assert m.A.toarray().tolist() == [[-1.0, 0.0, 2.0]]
    assert m.violation(np.array([3.0, 1.0, 2.0])) == pytest.approx(0.0)
    assert m.violation(np.array([4.0, 1.0, 2.0])) == pytest.approx(1.0)


@pytest.mark.parametrize("solver", SOLVERS)
def test_fixed_input_reproduces_outputs(solver, rng):
    dom = Domain.box(-1, 1, 3)
    for net in _nets(rng):
        enc = encode(net, dom)
        assert enc.model.num_integer > 0
        be = get_backend(solver)
        be.load(enc.model)
        for x in dom.sample(15, rng):
            be.set_col_bounds(enc.input_cols, x, x)
            sol = be.solve()
            assert sol.status is Status.OPTIMAL
            np.testing.assert_allclose(sol.x[enc.output_cols], net.evaluate(x), atol=1e-6, rtol=0)
            for k, cols in enumerate(enc.value_cols):       # every stage, not only the output
                np.testing.assert_allclose(sol.x[cols], net.forward(x[None])[k][0], atol=1e-6, rtol=0)


def test_start_is_feasible_and_pattern_round_trips(rng):
    dom = Domain.box(-1, 1, 3)
    for j, net in enumerate(_nets(rng)):
        enc = encode(net, dom, margin=True)
        for x in dom.sample(50, rng):
            s = enc.start(x)
            assert enc.model.violation(s) < 1e-9
            if j < 2:   # random points are off every boundary (the max-pool over ReLUs has ties)
                assert s[enc.margin_col] > 0
            for p, q in zip(enc.pattern_from(s), net.pattern(x)):
                assert p.tolist() == q.tolist()


def test_exact_counts_fixture_reproduced(exact_counts, rng):
    be = get_backend("highs")
    for entry in exact_counts[:4]:
        net, dom = network_from_entry(entry)
        enc = encode(net, dom)
        be.load(enc.model)
        for x in dom.sample(5, rng):
            be.set_col_bounds(enc.input_cols, x, x)
            sol = be.solve()
            np.testing.assert_allclose(sol.x[enc.output_cols], net.evaluate(x), atol=1e-6, rtol=0)


def _nogood_count(net, dom, solver, limit=200):
    enc = encode(net, dom, margin=True)
    be = get_backend(solver)
    be.load(enc.model)
    be.set_start(enc.start(dom.center))
    seen = set()
    for _ in range(limit):
        s = be.solve()
        if s.status is not Status.OPTIMAL or s.objective <= REGION_MARGIN:
            return len(seen)
        p = enc.pattern_from(s.x)
        # the certificate reproduces its pattern at the solver's input point
        assert [q.tolist() for q in net.pattern(s.x[enc.input_cols])] == [q.tolist() for q in p]
        key = tuple(np.concatenate(p).tolist())
        assert key not in seen
        seen.add(key)
        row, lb = enc.nogood(p)
        be.add_rows(row, lb, np.inf)
    raise AssertionError("no-good loop did not finish")


@pytest.mark.parametrize("solver", SOLVERS)
def test_margin_nogood_loop_counts_regions(exact_counts, solver):
    """Serra et al.'s counting loop reproduces the independently confirmed counts."""
    for entry in exact_counts:
        if entry["name"] not in ("random-1-3-3-seed0-box1", "random-2-4-4-seed1-box1"):
            continue
        net, dom = network_from_entry(entry)
        assert _nogood_count(net, dom, solver) == entry["regions"]


def test_margin_positive_on_region_and_empty_pattern_infeasible(exact_counts, rng):
    entry = next(e for e in exact_counts if e["name"] == "random-2-4-4-seed1-box1")
    net, dom = network_from_entry(entry)
    enc = encode(net, dom, margin=True)
    be = get_backend("highs")
    be.load(enc.model)
    x = dom.sample(1, rng)[0]
    pat = net.pattern(x)
    cols, lb, ub = enc.fix_pattern(pat)
    be.set_col_bounds(cols, lb, ub)
    s = be.solve()
    assert s.status is Status.OPTIMAL and s.objective > 1e-3
    # every pattern seen at 20000 samples is a region; find one that never occurs
    seen = {tuple(np.concatenate(p).tolist()) for p in zip(*net.pattern(dom.sample(20000, rng)))}
    units = [p.size for p in pat]
    for code in range(2 ** sum(units)):
        bits = [(code >> i) & 1 for i in range(sum(units))]
        if tuple(bits) not in seen:
            break
    split = np.split(np.array(bits), np.cumsum(units)[:-1])
    cols2, lb2, ub2 = enc.fix_pattern(split)
    be.set_col_bounds(cols, 0.0, 1.0)
    be.set_col_bounds(cols2, lb2, ub2)
    s = be.solve()
    assert s.status is Status.INFEASIBLE or s.objective <= REGION_MARGIN


def test_pattern_contradicting_a_stable_unit_is_infeasible():
    # unit 0 is stably active on [0, 1], unit 1 unstable
    net = Network.from_layers([(np.array([[1.0], [1.0]]), np.array([1.0, -0.5]))])
    dom = Domain.box(0, 1, 1)
    enc = encode(net, dom, margin=True)
    assert enc.stable_piece[2].tolist() == [1, -1]
    be = get_backend("highs")
    be.load(enc.model)
    be.set_col_bounds(*enc.fix_pattern([np.array([0, 1])]))
    assert be.solve().status is Status.INFEASIBLE


def test_stable_units_get_no_binary():
    W = np.array([[1.0], [1.0], [-1.0]])
    net = Network.from_layers([(W, np.array([2.0, 0.0, -3.0]))])
    dom = Domain.box(-1, 1, 1)
    enc = encode(net, dom, bounds=interval_bounds(net, dom))
    assert enc.model.num_integer == 1
    assert enc.piece_cols[2][:, 1].tolist()[0] == -1 and enc.piece_cols[2][2, 1] == -1


def test_margin_counts_agree_with_region_tree_on_leaky_maxout_clip():
    """The margin rows of every unit kind against the independent LP region tree."""
    from regioncount.enumeration import count_tree

    rng = np.random.default_rng(5)
    leaky = Network.from_layers([(rng.normal(size=(5, 2)), rng.normal(size=5) * 0.3),
                                 (rng.normal(size=(4, 5)), rng.normal(size=4) * 0.3)],
                                activation="leaky_relu", alpha=0.2)
    maxout = Network([
        Input(size=2),
        Affine(size=9, sources=(0,), weights=(rng.normal(size=(9, 2)),), bias=rng.normal(size=9) * 0.3),
        MaxGroups(size=3, source_index=1, indptr=np.array([0, 3, 6, 9]), indices=np.arange(9)),
        Affine(size=3, sources=(2,), weights=(rng.normal(size=(3, 3)),), bias=rng.normal(size=3) * 0.3),
        MaxGroups(size=1, source_index=3, indptr=np.array([0, 3]), indices=np.arange(3))])
    clip = Network([
        Input(size=2),
        Affine(size=4, sources=(0,), weights=(rng.normal(size=(4, 2)),), bias=rng.normal(size=4) * 0.3),
        Clip(size=4, source_index=1, lo=np.array([-0.5, -0.5, -np.inf, -0.2]),
             hi=np.array([0.5, 0.7, 0.3, np.inf])),
        Affine(size=3, sources=(2,), weights=(rng.normal(size=(3, 4)),), bias=rng.normal(size=3) * 0.3),
        Relu(size=3, source_index=3)])
    dom = Domain.box(-1, 1, 2)
    counts = []
    for net in (leaky, maxout, clip):
        tree = count_tree(net, dom).regions
        assert _nogood_count(net, dom, "highs", limit=500) == tree
        counts.append(tree)
    # the exact counts come from the rational polygon oracle of tests/oracles.py (no code of
    # regioncount.enumeration): 18, 9 and 41 regions on [-1, 1]^2
    assert [count_2d(net, dom) for net in (leaky, maxout, clip)] == [18, 9, 41]
    assert counts == [18, 9, 41]


def test_max_pool_over_dead_relus_is_one_piece():
    """max(relu(-x-5), relu(-x-6)) is the constant 0 on [-1, 1]: one piece, no binary, and the
    margin is not killed by the tie (REGIONS.md: identical pieces count once)."""
    from regioncount.enumeration import count_tree

    net = Network([
        Input(size=1),
        Affine(size=3, sources=(0,), weights=(np.array([[1.0], [-1.0], [-1.0]]),),
               bias=np.array([0.0, -5.0, -6.0])),
        Relu(size=3, source_index=1),
        MaxGroups(size=2, source_index=2, indptr=np.array([0, 2, 3]), indices=np.array([1, 2, 0]))])
    dom = Domain.box(-1, 1, 1)
    enc = encode(net, dom, margin=True)
    assert enc.stable_piece[3].tolist() == [0, 0]
    assert enc.model.num_integer == 1                       # only the ReLU of x
    assert _nogood_count(net, dom, "highs") == 2 == count_tree(net, dom).regions
    from regioncount.milp.tighten import tighten

    st = tighten(net, dom, method="lp").stages[1]
    assert st.active.tolist() == [True, True] and st.proved_by.tolist() == ["interval", "interval"]
