"""Exact counts of every unit kind against the independent oracles of tests/oracles.py (a 1-D
sweep and a 2-D polygon clipper in rational arithmetic, nothing from regioncount.enumeration),
and every count method against them: the same number and the same set of patterns.

Where each pinned number comes from is written beside it: a hand count for the tiny networks
(the oracle must reproduce it, so the oracle itself is checked), the oracle for the others."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from onnx import helper

from regioncount import Domain, Network
from regioncount.app import count
from regioncount.errors import RegioncountError
from regioncount.io import read_onnx
from regioncount.lowering import lower
from regioncount.network import Affine, Clip, HardSigmoid, Input, LeakyRelu, MaxGroups, Relu

from conftest import make_model
from oracles import (area, as_bytes, count_1d, count_2d, patterns_exact, polygons_2d,
                     sweep_1d)

ROOT = Path(__file__).resolve().parents[1]
METHODS = ("tree", "milp", "slice", "vertex")


def _dense(n_in, W, b, src=0):
    W = np.asarray(W, float).reshape(len(b), n_in)
    return Affine(size=len(b), sources=(src,), weights=(W,), bias=np.asarray(b, float))


def _chain(n_in, *layers):
    """Stages ``Input, Affine, PWL, Affine, PWL, ...``: ``layers`` are ``(W, b, make_pwl)`` with
    ``make_pwl(size, source_index)`` building the PWL stage (or None for a last affine)."""
    st = [Input(size=n_in)]
    width = n_in
    for W, b, pwl in layers:
        st.append(_dense(width, W, b, src=len(st) - 1))
        width = len(b)
        if pwl is not None:
            st.append(pwl(width, len(st) - 1))
            width = st[-1].size
    return Network(st)


def relu(n, k):
    return Relu(size=n, source_index=k)


def leaky(alpha):
    return lambda n, k: LeakyRelu(size=n, source_index=k, alpha=np.full(n, alpha))


def clip(lo, hi):
    return lambda n, k: Clip(size=n, source_index=k, lo=np.asarray(lo, float),
                             hi=np.asarray(hi, float))


def hard_sigmoid(alpha, beta):
    return lambda n, k: HardSigmoid(size=n, source_index=k, alpha=np.asarray(alpha, float),
                                    beta=np.asarray(beta, float))


def groups(*sizes):
    ptr = np.concatenate([[0], np.cumsum(sizes)])
    return lambda n, k: MaxGroups(size=len(sizes), source_index=k, indptr=ptr,
                                  indices=np.arange(ptr[-1]))


def _onnx_abs_net(W1, b1, W2, b2):
    """ONNX ``Relu(Abs(x W1 + b1) W2 + b2)``, lowered by the library (Abs becomes max groups of
    ``(g, -g)``)."""
    W1, W2 = np.asarray(W1, np.float32), np.asarray(W2, np.float32)
    nodes = [helper.make_node("MatMul", ["x", "W1"], ["m1"]),
             helper.make_node("Add", ["m1", "b1"], ["g"]),
             helper.make_node("Abs", ["g"], ["a"]),
             helper.make_node("MatMul", ["a", "W2"], ["m2"]),
             helper.make_node("Add", ["m2", "b2"], ["h"]),
             helper.make_node("Relu", ["h"], ["y"])]
    inits = {"W1": W1, "b1": np.asarray(b1, np.float32), "W2": W2,
             "b2": np.asarray(b2, np.float32)}
    model = make_model(nodes, [("x", [1, W1.shape[0]])], inits)
    net = lower(read_onnx(model))
    assert "max" in [s.kind for s in net.stages]
    return net


# -- tiny networks, counted by hand --------------------------------------------------------------

def relu_1d():
    # h = relu(x, x - 1), y = relu(h1 - 2 h2 - 0.5) on [-2, 2]. Layer 1 breaks at 0 and 1. On
    # (-2, 0) h = 0, y's input is -0.5 (inactive, no cut); on (0, 1) it is x - 0.5 (cut at 0.5);
    # on (1, 2) it is 1.5 - x (cut at 1.5): intervals (-2,0) (0,.5) (.5,1) (1,1.5) (1.5,2) with
    # patterns 000, 100, 101, 111, 110: 5 regions.
    return _chain(1, ([[1.0], [1.0]], [0.0, -1.0], relu), ([[1.0, -2.0]], [-0.5], relu))


def leaky_1d():
    # The same weights with leaky ReLUs of slope 1/2. On (-2, 0) h = (x/2, (x - 1)/2) and y's
    # input is -x/2 + 1/2 > 0; on (0, 1) h = (x, (x - 1)/2), input exactly 1/2 (constant, no cut);
    # on (1, 2) 1.5 - x (cut at 1.5): patterns 001, 101, 111, 110: 4 regions.
    return _chain(1, ([[1.0], [1.0]], [0.0, -1.0], leaky(0.5)), ([[1.0, -2.0]], [-0.5], leaky(0.5)))


def clip_1d():
    # c = (clip(x, -1, 1), min(2x, 1)) (the second clip has no lower breakpoint, so its pieces
    # are 1 and 2), y = relu(c1 - 0.5) on [-2, 2]. Breaks: c1 at -1 and 1, c2 at 0.5, y at
    # c1 = 0.5, the same point x = 0.5. Patterns (-2,-1) 010, (-1,.5) 110, (.5,1) 121,
    # (1,2) 221 (c1 = 1 there, y active): 4 regions.
    return _chain(1, ([[1.0], [2.0]], [0.0, 0.0], clip([-1.0, -np.inf], [1.0, 1.0])),
                  ([[1.0, 0.0]], [-0.5], relu))


def hard_sigmoid_1d():
    # hs(x) with (alpha, beta) = (1/2, 1/2): breaks where x/2 + 1/2 is 0 and 1, x = -1 and 1;
    # hs(x) with (-1/4, 1/2): -x/4 + 1/2 is 1 at x = -2 and 0 at x = 2. On [-3, 3]: intervals
    # (-3,-2) 00, (-2,-1) 01, (-1,1) 11, (1,2) 21, (2,3) 22: 5 regions. On [-2, 2] the second
    # unit's breaks are the domain's ends: 3 regions.
    return _chain(1, ([[1.0], [1.0]], [0.0, 0.0], hard_sigmoid([0.5, -0.25], [0.5, 0.5])))


def max_1d(twin=False):
    # max(x, -x, 1/2) = -x for x < -1/2, 1/2 between, x above: pieces 1, 2, 0; on [-2, 2]:
    # 3 regions. With twin=True a second group max(x, x) (two rows with the same weights) is
    # the same function twice, one piece (the first, 0) everywhere: still 3 regions.
    W, b = [[1.0], [-1.0], [0.0]], [0.0, 0.0, 0.5]
    if twin:
        return _chain(1, (W + [[1.0], [1.0]], b + [0.0, 0.0], groups(3, 2)))
    return _chain(1, (W, b, groups(3)))


def abs_1d():
    # ONNX Relu(Abs(x - 1/2) - 1) on [-2, 2]: |x - 1/2| breaks at 1/2, the ReLU where
    # |x - 1/2| = 1, at -1/2 and 3/2: intervals (-2,-.5) (-.5,.5) (.5,1.5) (1.5,2): 4 regions.
    return _onnx_abs_net([[1.0]], [-0.5], [[1.0]], [-1.0])


def relu_2d():
    # Lines x = 0, y = 0 and x + y = 0 all through the origin (6 sectors of [-1, 1]^2) and
    # x + 1 = 0, the box's own left edge (it cuts off nothing with area): 6 regions.
    return _chain(2, ([[1, 0], [0, 1], [1, 1], [1, 0]], [0.0, 0.0, 0.0, 1.0], relu))


def leaky_2d():
    # x = 0, y = 0, x + y = 1/2: three lines in general position, all three crossing points
    # ((0, 0), (0, 1/2), (1/2, 0)) inside [-1, 1]^2: 1 + 3 + 3 = 7 regions.
    return _chain(2, ([[1, 0], [0, 1], [1, 1]], [0.0, 0.0, -0.5], leaky(0.2)))


def clip_2d():
    # c = (clip(x, -1/2, 1/2), clip(y, -1/2, 1/2)): a 3 x 3 grid on [-1, 1]^2. y = relu(c1 + c2):
    # in the middle cell c1 + c2 = x + y cuts it in two; in the corner cells (1/2, -1/2) and
    # (-1/2, 1/2) the input is exactly 0 on the whole cell (inactive, no cut); in the other
    # cells it keeps one sign (x - 1/2 < 0 below the middle, x + 1/2 > 0 above, ...): 10 regions.
    return _chain(2, ([[1, 0], [0, 1]], [0.0, 0.0], clip([-0.5, -0.5], [0.5, 0.5])),
                  ([[1.0, 1.0]], [0.0], relu))


def hard_sigmoid_2d():
    # u = x + y with (1/2, 1/2): breaks u = -1, 1; v = x - y with (-1/2, 1/2): breaks v = 1, -1.
    # In (u, v) the square [-1, 1]^2 is |u| + |v| <= 2: the 3 x 3 grid of the breaks meets it in
    # the middle cell and the four side cells; the four corner cells (|u|, |v| > 1) only touch
    # it at a point: 5 regions.
    return _chain(2, ([[1, 1], [1, -1]], [0.0, 0.0], hard_sigmoid([0.5, -0.5], [0.5, 0.5])))


def max_2d(twin=False):
    # max(x, y, -x - y): each entry is the maximum on one of three cones at the origin: 3
    # regions on [-1, 1]^2; twin=True adds max(x, x), one piece: still 3.
    W, b = [[1, 0], [0, 1], [-1, -1]], [0.0] * 3
    if twin:
        return _chain(2, (W + [[1, 0], [1, 0]], b + [0.0, 0.0], groups(3, 2)))
    return _chain(2, (W, b, groups(3)))


def abs_2d():
    # ONNX Relu(|x| + |y| - 1) on [-3/2, 3/2]^2: the Abs units cut the square in 4 quadrants,
    # the diamond |x| + |y| = 1 crosses each of them: 8 regions.
    return _onnx_abs_net([[1.0, 0.0], [0.0, 1.0]], [0.0, 0.0], [[1.0], [1.0]], [-1.0])


def maxpool_2d():
    # test_enumeration's toy: max(relu(x1 - 1/2), relu(x2 - 1/2)) and max(relu(-x1 - 1/2),
    # relu(-x2 - 1/2)) on [-1, 1]^2: the 9 cells of x_i = +-1/2, two of them split by
    # x1 = x2; the max of two zeros is one piece: 11 regions.
    net = _chain(2, ([[1, 0], [0, 1], [-1, 0], [0, -1]], [-0.5] * 4, relu))
    return Network(list(net.stages) + [groups(2, 2)(2, 2)])


def maxpool_after_affine_2d():
    # The same with a per-channel scale and shift between the ReLUs and the pool (a BatchNorm
    # after the ReLU): 2 relu + 0.1 is 0.1 on both entries of a window where both ReLUs are
    # off, the same constant, one piece: the same 11 regions.
    return _chain(2, ([[1, 0], [0, 1], [-1, 0], [0, -1]], [-0.5] * 4, relu),
                  (2 * np.eye(4), [0.1] * 4, groups(2, 2)))


#: (builder, box, hand count, what the MILP does: True, it refuses the network (it declines
#: networks where its margin cannot see a region, milp_blind_spots, with a one-line error);
#: False, it counts; None, it returns a wrong count, see test_milp_on_ties_it_does_not_see).
HAND = {
    "relu_1d": (relu_1d, (-2, 2), 5, False),
    "leaky_1d": (leaky_1d, (-2, 2), 4, False),
    "clip_1d": (clip_1d, (-2, 2), 4, False),
    "hard_sigmoid_1d": (hard_sigmoid_1d, (-3, 3), 5, False),
    "hard_sigmoid_1d_ends": (hard_sigmoid_1d, (-2, 2), 3, False),
    "max_1d": (max_1d, (-2, 2), 3, False),
    "max_twin_1d": (lambda: max_1d(twin=True), (-2, 2), 3, True),
    "abs_1d": (abs_1d, (-2, 2), 4, False),
    "relu_2d": (relu_2d, (-1, 1), 6, False),
    "leaky_2d": (leaky_2d, (-1, 1), 7, False),
    "clip_2d": (clip_2d, (-1, 1), 10, True),        # a ReLU with bias 0 over clip outputs
    "hard_sigmoid_2d": (hard_sigmoid_2d, (-1, 1), 5, False),
    "max_2d": (max_2d, (-1, 1), 3, False),
    "max_twin_2d": (lambda: max_2d(twin=True), (-1, 1), 3, True),
    "abs_2d": (abs_2d, (-1.5, 1.5), 8, False),
    "maxpool_2d": (maxpool_2d, (-1, 1), 11, True),  # a max-pool over ReLU outputs
    "maxpool_after_affine_2d": (maxpool_after_affine_2d, (-1, 1), 11, True),
}


def _methods_agree(net, dom, want: set, milp_refuses=False):
    for m in METHODS:
        if m == "milp" and milp_refuses is None:
            continue                        # a known wrong count: test_milp_on_ties_it_does_not_see
        if m == "milp" and milp_refuses:
            with pytest.raises(RegioncountError, match="method tree"):
                count(net, dom, m, keep_patterns=True)
            continue
        res = count(net, dom, m, keep_patterns=True)
        assert res.complete, m
        assert res.regions == len(want), (m, res.regions, len(want))
        assert res.pattern_set() == want, m


@pytest.mark.parametrize("name", list(HAND))
def test_hand_counts(name):
    build, (lo, hi), expected, refuses = HAND[name]
    net = build()
    dom = Domain.box(lo, hi, net.input_size)
    want = patterns_exact(net, dom)
    assert len(want) == expected          # the oracle reproduces the hand count
    _methods_agree(net, dom, want, refuses)


#: Networks on which the margin MILP once returned a wrong count marked complete (issue 18):
#: a max group with two rows of equal weights (0 of 3 regions), ReLU -> affine -> max-pool
#: (2 of 11). ``milp_blind_spots`` now refuses them.
TIES = ["max_twin_1d", "max_twin_2d", "maxpool_after_affine_2d"]


@pytest.mark.parametrize("name", TIES)
def test_milp_on_ties_it_does_not_see(name):
    """The MILP must count these exactly or refuse them as it refuses a max-pool over ReLUs."""
    build, (lo, hi), expected, _ = HAND[name]
    net = build()
    dom = Domain.box(lo, hi, net.input_size)
    try:
        res = count(net, dom, "milp", keep_patterns=True)
    except RegioncountError:
        return
    assert res.regions == expected and res.pattern_set() == patterns_exact(net, dom)


def test_the_sweep_lists_the_hand_computed_intervals():
    net = relu_1d()
    got = [(t0, t1, p) for t0, t1, p in sweep_1d(net, Domain.box(-2, 2, 1))]
    h = Fraction(1, 2)
    assert got == [(-2, 0, (0, 0, 0)), (0, h, (1, 0, 0)), (h, 1, (1, 0, 1)),
                   (1, 3 * h, (1, 1, 1)), (3 * h, 2, (1, 1, 0))]
    # clip_1d: two breakpoints at the same point x = 1/2 make one boundary
    assert [p for _, _, p in sweep_1d(clip_1d(), Domain.box(-2, 2, 1))] == [
        (0, 1, 0), (1, 1, 0), (1, 2, 1), (2, 2, 1)]


def test_the_polygons_tile_the_domain_and_match_net_pattern():
    """Exact areas add up to the domain's; the vertex mean of every polygon has the polygon's
    pattern under ``net.pattern``; and the sampled patterns are all among the oracle's."""
    for name in ("clip_2d", "hard_sigmoid_2d", "abs_2d", "maxpool_2d"):
        build, (lo, hi), _, _ = HAND[name]
        net = build()
        polys = polygons_2d(net, Domain.box(lo, hi, 2))
        assert sum(area(P) for P, _ in polys) == Fraction(hi - lo) ** 2, name
        for P, pat in polys:
            x = np.array([float(sum(c) / len(P)) for c in zip(*P)])
            assert tuple(np.concatenate(net.pattern(x)).tolist()) == pat, name
        X = np.random.default_rng(0).uniform(lo, hi, size=(2000, 2))
        seen = {as_bytes(p) for p in np.concatenate(net.pattern(X), axis=1)}
        assert seen <= {as_bytes(p) for _, p in polys}, name


def test_polytope_domain_and_empty_domains():
    net = relu_2d()
    # x + y <= 0 keeps the three sectors below the anti-diagonal x + y = 0 (a line of the net)
    dom = Domain(np.full(2, -1.0), np.full(2, 1.0), A=np.array([[1.0, 1.0]]), b=np.array([0.0]))
    assert count_2d(net, dom) == 3
    _methods_agree(net, dom, patterns_exact(net, dom))
    # a domain with no interior: no region at all
    flat = Domain(np.full(2, -1.0), np.full(2, 1.0), A=np.array([[1.0, 1.0], [-1.0, -1.0]]),
                  b=np.array([0.0, 0.0]))
    assert count_2d(net, flat) == 0 and count_2d(net, Domain.box([0, -1], [0, 1])) == 0
    assert count_1d(relu_1d(), Domain.box(1, 1, 1)) == 0
    # 1-D: x <= 1/4 keeps (-2, 0) and (0, 1/4): 2 regions
    half = Domain(np.array([-2.0]), np.array([2.0]), A=np.array([[4.0]]), b=np.array([1.0]))
    assert count_1d(relu_1d(), half) == 2


def test_the_two_oracles_agree_on_a_network_that_ignores_one_input():
    """A 2-D network whose weights on y are zero has the regions of its 1-D version times
    nothing: the polygon count equals the sweep's."""
    rng = np.random.default_rng(11)
    W1, b1 = rng.normal(size=(6, 1)), rng.normal(size=6) * 0.5
    W2, b2 = rng.normal(size=(4, 6)), rng.normal(size=4) * 0.5
    one = _chain(1, (W1, b1, clip([-0.5] * 6, [0.7] * 6)), (W2, b2, groups(2, 2)))
    two = _chain(2, (np.c_[W1, np.zeros(6)], b1, clip([-0.5] * 6, [0.7] * 6)),
                 (W2, b2, groups(2, 2)))
    n1 = count_1d(one, Domain.box(-2, 2, 1))
    assert n1 == count_2d(two, Domain.box(-2, 2, 2)) == 10      # both oracles
    assert patterns_exact(one, Domain.box(-2, 2, 1)) == patterns_exact(two, Domain.box(-2, 2, 2))


# -- random networks of every kind, the demo models: counts from the oracles ----------------------

def random_net(kind, seed, n_in=2, widths=(6, 4)):
    """``n_in -> widths[0] -> kind -> widths[1] -> ReLU`` with normal weights of a fixed seed;
    ``max``: groups of size widths[0] // 2 (two maxout units); ``abs``: an ONNX Abs."""
    rng = np.random.default_rng(seed)
    a, b = widths
    W1, b1 = rng.normal(size=(a, n_in)), rng.normal(size=a) * 0.5
    W2, b2 = rng.normal(size=(b, a)), rng.normal(size=b) * 0.5
    if kind == "abs":
        return _onnx_abs_net(W1.T, b1, W2.T, b2)
    first = {"relu": relu, "leaky": leaky(0.1), "clip": clip([-0.5] * a, [0.7] * a),
             "hard_sigmoid": hard_sigmoid(rng.choice([-0.7, 0.3, 1.5], a),
                                          rng.normal(size=a) * 0.3),
             "max": groups(a // 2, a // 2)}[kind]
    w = a if kind != "max" else 2
    return _chain(n_in, (W1, b1, first), (W2[:, :w], b2, relu))


#: Oracle counts (tests/oracles.py; each equals what tree, slice and vertex find, and the MILP
#: in the slow cases): (kind, n_in, widths, seed) -> regions on [-1.5, 1.5]^2 or [-3, 3].
RANDOM = {
    ("relu", 2, (6, 4), 1): 43, ("relu", 2, (6, 4), 2): 54,
    ("leaky", 2, (6, 4), 1): 44, ("leaky", 2, (6, 4), 2): 54,
    ("clip", 2, (6, 4), 1): 85, ("clip", 2, (6, 4), 2): 104,
    ("hard_sigmoid", 2, (6, 4), 1): 69, ("hard_sigmoid", 2, (6, 4), 2): 85,
    ("max", 2, (6, 4), 1): 13, ("max", 2, (6, 4), 2): 16,
    ("abs", 2, (6, 4), 1): 34, ("abs", 2, (6, 4), 2): 50,
    ("relu", 2, (4, 3), 1): 16, ("leaky", 2, (4, 3), 1): 16, ("clip", 2, (4, 3), 1): 35,
    ("hard_sigmoid", 2, (4, 3), 1): 31, ("max", 2, (4, 3), 1): 6, ("abs", 2, (4, 3), 1): 17,
    ("relu", 1, (6, 4), 1): 11, ("relu", 1, (6, 4), 2): 8,
    ("leaky", 1, (6, 4), 1): 11, ("leaky", 1, (6, 4), 2): 8,
    ("clip", 1, (6, 4), 1): 18, ("clip", 1, (6, 4), 2): 20,
    ("hard_sigmoid", 1, (6, 4), 1): 16, ("hard_sigmoid", 1, (6, 4), 2): 14,
    ("max", 1, (6, 4), 1): 5, ("max", 1, (6, 4), 2): 7,
    ("abs", 1, (6, 4), 1): 11, ("abs", 1, (6, 4), 2): 9,
}

#: MILP cases that take at most a few seconds on 2 busy cores; the others are marked slow.
MILP_FAST = {("max", 2, (4, 3), 1), ("abs", 2, (4, 3), 1),
             ("max", 2, (6, 4), 1), ("max", 1, (6, 4), 1), ("max", 1, (6, 4), 2),
             ("relu", 1, (6, 4), 2)}


def _case_id(key):
    kind, n, w, seed = key
    return f"{kind}-{n}d-{w[0]}x{w[1]}-seed{seed}"


def _random_case(key):
    kind, n, widths, seed = key
    net = random_net(kind, seed, n, widths)
    return net, Domain.box(-1.5 if n == 2 else -3.0, 1.5 if n == 2 else 3.0, n)


@pytest.mark.parametrize("key", [
    pytest.param(k, id=_case_id(k), marks=pytest.mark.slow if k[1:3] == (2, (6, 4)) else ())
    for k in RANDOM])
def test_random_nets_tree_slice_vertex(key):
    net, dom = _random_case(key)
    want = patterns_exact(net, dom)
    assert len(want) == RANDOM[key]
    for m in ("tree", "slice", "vertex"):
        res = count(net, dom, m, keep_patterns=True)
        assert res.complete and res.regions == RANDOM[key], m
        assert res.pattern_set() == want, m


@pytest.mark.parametrize("key", [
    pytest.param(k, id=_case_id(k), marks=() if k in MILP_FAST else pytest.mark.slow)
    for k in RANDOM])
def test_random_nets_milp(key):
    net, dom = _random_case(key)
    want = patterns_exact(net, dom)
    assert len(want) == RANDOM[key]
    res = count(net, dom, "milp", keep_patterns=True)
    assert res.complete and res.regions == RANDOM[key]
    assert res.pattern_set() == want


#: The demo models on the unit square (the domain their reports use): oracle counts.
DEMO = {"moons_2d.onnx": 30, "maxout_2d.onnx": 60}


@pytest.mark.parametrize("name", [
    pytest.param(n, marks=() if n == "moons_2d.onnx" else pytest.mark.slow) for n in DEMO])
def test_demo_models(name):
    import regioncount

    net = regioncount.load(ROOT / "models" / name)
    dom = Domain.box(0.0, 1.0, 2)
    want = patterns_exact(net, dom)
    assert len(want) == DEMO[name]
    for m in ("tree", "slice", "vertex"):
        res = count(net, dom, m, keep_patterns=True)
        assert res.complete and res.regions == DEMO[name], m
        assert res.pattern_set() == want, m


@pytest.mark.slow
@pytest.mark.parametrize("name", list(DEMO))
def test_demo_models_milp(name):
    """The MILP counts moons_2d exactly and refuses maxout_2d (its max groups read ReLU
    outputs that can all be 0 on a region, where the MILP's margin would miss regions)."""
    import regioncount
    from regioncount.errors import RegioncountError

    net = regioncount.load(ROOT / "models" / name)
    dom = Domain.box(0.0, 1.0, 2)
    if name == "maxout_2d.onnx":
        with pytest.raises(RegioncountError, match=r"^maxout_2d.onnx: the MILP count would miss "
                                                   r"regions \(stage 4 "):
            count(net, dom, "milp", keep_patterns=True)
        return
    res = count(net, dom, "milp", keep_patterns=True)
    assert res.complete and res.regions == DEMO[name]
    assert res.pattern_set() == patterns_exact(net, dom)
