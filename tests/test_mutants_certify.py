"""Tests written against the mutants of regioncount/enumeration/certify.py and rows.py
(benchmarks/mutation.py, docs/benchmarks.md "Mutation score"). The patterns and points handed
to :func:`certify` come from the exact oracles of tests/oracles.py (the 1-D sweep's intervals,
the 2-D clipper's polygons), not from a count, so the certificate is checked against an
independent truth: it must confirm the oracle's regions exactly, and when a region is dropped
the upper bound is the count plus every pattern below the first unit where the dropped pattern
leaves the others (the product of the piece counts after it). The row helpers are checked on
rows written out by hand."""

from __future__ import annotations

from fractions import Fraction
from math import prod

import numpy as np
import pytest

from regioncount import Domain, Network
from regioncount.enumeration.certify import Certificate, certify
from regioncount.enumeration.exact import Q, exact
from regioncount.enumeration.rows import (EMPTY, HOLDS, LIVE, UNSURE, Rows, box_sides, classify,
                                          domain_rows, farkas, judge_point, pattern_maps,
                                          rows_of, stage_rows, unit_rows)
from regioncount.network import Affine, Clip, HardSigmoid, Input, LeakyRelu, MaxGroups, Relu

from oracles import _inside, polygons_2d, sweep_1d


def _aff(n_in, W, b, src):
    W = np.asarray(W, float).reshape(len(b), n_in)
    return Affine(size=len(b), sources=(src,), weights=(W,), bias=np.asarray(b, float))


def _pwl(kind, n, src, rng):
    if kind == "relu":
        return Relu(size=n, source_index=src)
    if kind == "leaky":
        return LeakyRelu(size=n, source_index=src, alpha=rng.uniform(0.05, 0.5, n))
    if kind == "clip":
        return Clip(size=n, source_index=src, lo=np.where(np.arange(n) % 3 == 1, -np.inf, -0.4),
                    hi=np.where(np.arange(n) % 3 == 2, np.inf, 0.5))
    if kind == "hard_sigmoid":
        return HardSigmoid(size=n, source_index=src, alpha=rng.choice([-0.9, 0.7, 1.6], n),
                           beta=rng.uniform(0.2, 0.8, n))
    return MaxGroups(size=n // 2, source_index=src, indptr=np.arange(0, n + 1, 2),
                     indices=rng.permutation(n))


KINDS = ["relu", "leaky", "clip", "hard_sigmoid", "max"]


def _net(kind, seed, n_in=2, h1=4, h2=3):
    rng = np.random.default_rng(seed)
    st = [Input(size=n_in), _aff(n_in, rng.normal(size=(h1, n_in)), rng.normal(size=h1) * .4, 0),
          _pwl(kind, h1, 1, rng)]
    m = st[-1].size
    st += [_aff(m, rng.normal(size=(h2, m)), rng.normal(size=h2) * .4, 2),
           Relu(size=h2, source_index=3), _aff(h2, rng.normal(size=(2, h2)), np.zeros(2), 4)]
    return Network(st)


def _truth(net, dom):
    """The oracle's regions: distinct patterns, each with a point inside one of its pieces."""
    got = {}
    if net.input_size == 1:
        for t0, t1, p in sweep_1d(net, dom):
            got.setdefault(p, [float((t0 + t1) / 2)])
    else:
        for poly, p in polygons_2d(net, dom):
            got.setdefault(p, [float(v) for v in _inside(poly)])
    P = np.array(list(got), dtype=int)
    return P, np.array(list(got.values()), float)


def _pieces(net):
    return [len(s.unit_pieces(i)) for s in net.pwl_stages for i in range(s.size)]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("n_in", [1, 2])
def test_the_oracle_regions_certify(kind, n_in):
    net = _net(kind, 3, n_in=n_in)
    dom = Domain.box(-1.0, 1.5, n_in)
    P, X = _truth(net, dom)
    assert len(P) > 4
    c = certify(net, dom, P, X)
    assert (c.certified, c.lower, c.upper) == (True, len(P), len(P))
    assert c.checks["regions"] == len(P) and c.checks["points_failed"] == 0
    # the points are well inside: the float pass decides every one of them
    assert c.checks["points_float"] == len(P)
    # generic weights: the LP's duals, checked in float, prove every piece the box leaves
    assert not any(k.endswith("_exact") or k.endswith("_open") for k in c.checks)
    assert c.checks.get("pieces_lp", 0) + c.checks.get("stage_lp", 0) > 0
    j = c.to_json()
    assert (j["certified"], j["certified_lower"], j["certified_upper"]) == (True, len(P), len(P))
    assert j["certificate"]["regions"] == len(P) and j["certificate"]["seconds"] >= 0


@pytest.mark.parametrize("kind", ["relu", "clip", "max"])
def test_a_dropped_region_opens_the_bracket_by_the_patterns_below(kind):
    net = _net(kind, 4)
    dom = Domain.box(-1.0, 1.0, 2)
    P, X = _truth(net, dom)
    pieces = _pieces(net)
    for drop in (0, len(P) // 2, len(P) - 1):
        keep = np.arange(len(P)) != drop
        c = certify(net, dom, P[keep], X[keep])
        # the first unit where the dropped pattern leaves every other one
        common = max(int(np.argmin(np.append(P[drop] == q, False))) for q in P[keep])
        assert not c.certified and c.lower == len(P) - 1
        assert c.upper == len(P) - 1 + prod(pieces[common + 1:])
        assert c.checks["pieces_open"] == 1


def test_a_point_outside_its_region_is_moved_and_an_empty_pattern_fails():
    net = _net("relu", 5)
    dom = Domain.box(-1.0, 1.0, 2)
    P, X = _truth(net, dom)
    n = len(P)
    # region 0 gets the point of region 1: it is moved to its Chebyshev centre
    X2 = X.copy()
    X2[0] = X[1]
    c = certify(net, dom, P, X2)
    assert (c.certified, c.lower, c.upper) == (True, n, n)
    # the float pass leaves it, the rows (with error bounds) say it is outside, the centre
    # of its region passes the rows: no exact arithmetic needed
    assert {k: v for k, v in c.checks.items() if k.startswith("points_")} == \
        {"points_float": n - 1, "points_rows": 1, "points_moved": 1, "points_failed": 0}
    # a point outside the domain is moved too
    X3 = X.copy()
    X3[2] = [5.0, 5.0]
    c = certify(net, dom, P, X3)
    assert (c.certified, c.lower) == (True, n) and c.checks["points_moved"] == 1
    # a pattern no point realises (one unit flipped to a piece it cannot take with the
    # others), given with a point of another region: it fails, the others stand
    known = {tuple(p) for p in P}
    bad = next(q for q in (np.where(np.arange(P.shape[1]) == j, 1 - P[0], P[0])
                           for j in range(P.shape[1])) if tuple(q) not in known)
    c = certify(net, dom, np.vstack([P, bad]), np.vstack([X, X[0]]), complete=False)
    assert (c.certified, c.lower, c.upper) == (False, n, None)
    assert c.checks["points_failed"] == 1


def test_partial_and_stopped_certificates_keep_the_lower_bound():
    net = _net("leaky", 6)
    dom = Domain.box(-1.0, 1.0, 2)
    P, X = _truth(net, dom)
    c = certify(net, dom, P, X, complete=False)
    assert (c.certified, c.lower, c.upper) == (False, len(P), None)
    assert "stopped" not in c.checks
    c = certify(net, dom, P, X, time_limit=0.0)
    assert (c.certified, c.lower, c.upper) == (False, len(P), None)
    assert c.checks["stopped"] == "time limit"
    c = certify(net, dom, P, X, time_limit=60.0)
    assert (c.certified, c.lower, c.upper) == (True, len(P), len(P))


def test_a_polytope_domain_with_a_zero_row():
    net = _net("clip", 7)
    dom = Domain([-1.0, -1.0], [1.0, 1.0], A=[[1.0, 1.0], [0.0, 0.0], [-1.0, 0.5]],
                 b=[0.6, 1.0, 0.7])
    P, X = _truth(net, dom)
    assert len(P) > 4
    c = certify(net, dom, P, X)
    assert (c.certified, c.lower, c.upper) == (True, len(P), len(P))
    # a point outside the half-spaces (but in the box) is not taken as is
    X2 = X.copy()
    X2[0] = [0.9, 0.9]
    c = certify(net, dom, P, X2)
    assert c.lower == len(P) and c.checks["points_moved"] == 1


def test_a_box_with_a_flat_coordinate():
    # y is fixed at 0.25: the network is the 1-D network with y folded into the bias
    rng = np.random.default_rng(8)
    W1, b1 = rng.normal(size=(5, 2)), rng.normal(size=5) * .3
    W2, b2 = rng.normal(size=(3, 5)), rng.normal(size=3) * .3
    net2 = Network.from_layers([(W1, b1), (W2, b2)])
    net1 = Network.from_layers([(W1[:, :1], b1 + 0.25 * W1[:, 1]), (W2, b2)])
    dom1 = Domain.box(-1.0, 1.0, 1)
    P, X1 = _truth(net1, dom1)
    assert len(P) > 4
    dom2 = Domain.box([-1.0, 0.25], [1.0, 0.25])
    X2 = np.hstack([X1, np.full((len(P), 1), 0.25)])
    c = certify(net2, dom2, P, X2)
    assert (c.certified, c.lower, c.upper) == (True, len(P), len(P))
    # a point of another region: moved to the centre of its region in the flat box
    X3 = X2.copy()
    X3[0] = X2[1]
    c = certify(net2, dom2, P, X3)
    assert (c.certified, c.lower, c.upper) == (True, len(P), len(P))
    assert c.checks["points_moved"] == 1
    # off the flat coordinate: not in the domain, moved back onto it
    X3[0, 1] = 0.3
    c = certify(net2, dom2, P, X3)
    assert (c.certified, c.lower) == (True, len(P)) and c.checks["points_moved"] == 1


def test_a_pwl_stage_on_the_input():
    # a ReLU and a max reading the input directly (no affine before them)
    net = Network([Input(size=2), Relu(size=2, source_index=0),
                   MaxGroups(size=1, source_index=0, indptr=np.array([0, 2]),
                             indices=np.array([0, 1])),
                   Affine(size=2, sources=(1, 2), weights=(np.array([[1.0, -1.0], [0.5, 1.0]]),
                                                           np.array([[1.0], [-1.0]])),
                          bias=np.array([-0.2, 0.1])),
                   Relu(size=2, source_index=3)])
    dom = Domain.box(-1.0, 1.0, 2)
    P, X = _truth(net, dom)
    assert len(P) > 4
    c = certify(net, dom, P, X)
    assert (c.certified, c.lower, c.upper) == (True, len(P), len(P))


def test_certificate_json():
    c = Certificate(certified=False, lower=3, upper=None, checks={"regions": 3}, seconds=1.23456)
    assert c.to_json() == {"certified": False, "certified_lower": 3, "certified_upper": None,
                           "certificate": {"regions": 3, "seconds": 1.235}}


# -- the row helpers, by hand -----------------------------------------------------------------

def _rows(G, h, strict=None, EG=None, Eh=None):
    G, h = np.asarray(G, float), np.asarray(h, float)
    return Rows(G, h, np.zeros_like(G) if EG is None else np.asarray(EG, float),
                np.zeros_like(h) if Eh is None else np.asarray(Eh, float),
                np.zeros(h.size, bool) if strict is None else np.asarray(strict, bool))


def test_classify_by_hand():
    r = _rows([[0, 0], [0, 0], [0, 0], [0, 0], [1, 0], [0, 1e-20], [0, 0], [0, 0]],
              [1, 0, 0, -1, 0, 0, 1e-16, -1e-16], strict=[0, 0, 1, 0, 0, 0, 0, 0],
              EG=[[0, 0]] * 5 + [[0, 1e-19], [0, 0], [0, 0]],
              Eh=[0, 0, 0, 0, 0, 0, 1e-15, 1e-15])
    assert classify(r).tolist() == [HOLDS, HOLDS, EMPTY, EMPTY, LIVE, UNSURE, UNSURE, UNSURE]
    # error bounds that still leave the sign of h sure
    r = _rows([[0, 0], [0, 0]], [1e-15, -1e-15], Eh=[1e-16, 1e-16])
    assert classify(r).tolist() == [HOLDS, EMPTY]
    e = Rows(exact(np.array([[0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 2.0]])),
             exact(np.array([1.0, 0.0, 0.0, -1.0, -3.0])), None, None,
             np.array([False, False, True, False, True]))
    assert e.exact and len(e) == 5
    assert classify(e).tolist() == [HOLDS, HOLDS, EMPTY, EMPTY, LIVE]


def test_judge_point_by_hand():
    # x < 1, -x < 0, y < 2 (strict), with a holding constant row
    r = _rows([[1, 0], [-1, 0], [0, 1], [0, 0]], [1, 0, 2, 1])
    assert judge_point(r, np.array([0.5, 0.0])) == 1
    assert judge_point(r, np.array([1.5, 0.0])) == 0
    assert judge_point(r, np.array([1.0, 0.0])) == -1      # on the boundary: undecided in float
    assert judge_point(r, np.array([-0.25, 3.0])) == 0
    # an empty constant row makes every point fail; an unsure one leaves it undecided
    assert judge_point(Rows.stack([r, _rows([[0, 0]], [-1])], 2, False),
                       np.array([0.5, 0.0])) == 0
    assert judge_point(Rows.stack([r, _rows([[0, 1e-20]], [0], EG=[[0, 1e-19]])], 2, False),
                       np.array([0.5, 0.0])) == -1
    # only constant rows that hold: every point is inside
    assert judge_point(_rows([[0, 0]], [2]), np.array([7.0, 7.0])) == 1
    # an error bound that swallows the slack: undecided
    wide = _rows([[1, 0]], [1], Eh=[0.1])
    assert judge_point(wide, np.array([0.95, 0.0])) == -1
    assert judge_point(wide, np.array([0.5, 0.0])) == 1
    assert judge_point(wide, np.array([1.2, 0.0])) == 0
    # in exact arithmetic the boundary is decided
    e = Rows(exact(r.G), exact(r.h), None, None, r.strict)
    assert judge_point(e, np.array([1.0, 0.0])) == 0
    assert judge_point(e, np.array([0.5, 1.0])) == 1


def test_box_sides_by_hand():
    lo, hi = np.array([-1.0, 0.0]), np.array([1.0, 2.0])
    r = _rows([[1, 0], [1, 1], [0, -1], [1, 0], [0, 0]], [-2, 3.5, 0.5, 1.5, -1])
    never, always = box_sides(r, lo, hi)
    # x <= -2 fails on the whole box; x + y <= 3.5, -y <= 0.5, x <= 1.5 hold on it; 0 <= -1
    # fails
    assert never.tolist() == [True, False, False, False, True]
    assert always.tolist() == [False, True, True, True, False]
    # touching the box (x <= -1, x + y <= 3): neither fails nor holds everywhere, within the
    # rounding bound
    never, always = box_sides(_rows([[1, 0], [1, 1]], [-1, 3]), lo, hi)
    assert never.tolist() == [False, False] and always.tolist() == [False, False]
    never, always = box_sides(_rows([[1, 0]], [-0.5]), lo, hi)
    assert never.tolist() == [False] and always.tolist() == [False]
    # an error bound too wide to decide
    never, always = box_sides(_rows([[1, 0]], [-2.0], Eh=[1.5]), lo, hi)
    assert never.tolist() == [False]


def test_farkas_on_a_box_by_hand():
    lo, hi = np.array([0.0, 0.0]), np.array([1.0, 1.0])
    # x + y <= 0.5 and -x <= -0.4, -y <= -0.4: x + y >= 0.8 there: empty, y = (1, 1, 1)
    r = _rows([[1, 1], [-1, 0], [0, -1]], [0.5, -0.4, -0.4])
    assert farkas(r, [1.0, 1.0, 1.0], lo, hi)
    assert not farkas(r, [1.0, 1.0, 0.0], lo, hi)          # x >= 0.4, x + y <= 0.5: open
    assert not farkas(r, [0.0, 0.0, 0.0], lo, hi)
    assert farkas(r, [2.0, 2.0, 2.0], lo, hi)
    # the box does the rest: x + y <= 0.5 with x >= 0.6 (the box gives y >= 0)
    r2 = _rows([[1, 1], [-1, 0]], [0.5, -0.6])
    assert farkas(r2, [1.0, 1.0], lo, hi)
    assert not farkas(r2, [1.0, 1.0], np.array([0.0, -1.0]), hi)   # y >= -1: (0.7, -0.5)
    # negative multipliers are clipped to 0
    assert not farkas(r, [1.0, 1.0, -1.0], lo, hi)
    e = Rows(exact(r.G), exact(r.h), None, None, r.strict)
    assert farkas(e, np.array([Q(1), Q(1), Q(1)], dtype=object), lo, hi)
    assert not farkas(e, np.array([Q(1), Q(1), Q(0)], dtype=object), lo, hi)
    assert not farkas(e, np.array([Q(0), Q(0), Q(0)], dtype=object), lo, hi)
    # exactly touching: x + y <= 0.8 with x, y >= 0.4 is a single point, no interior: empty
    t = Rows(exact(np.array([[1.0, 1.0], [-1.0, 0.0], [0.0, -1.0]])),
             exact(np.array([0.8, -0.4, -0.4])), None, None, np.zeros(3, bool))
    assert farkas(t, np.array([Q(1), Q(1), Q(1)], dtype=object), lo, hi)


def test_maps_and_rows_of_a_pattern_by_hand():
    W1 = np.array([[1.0, -1.0], [0.5, 2.0], [0.0, 0.0]])
    b1 = np.array([0.5, -1.0, 0.25])
    W2, b2 = np.array([[2.0, 1.0, -1.0]]), np.array([0.1])
    net = Network.from_layers([(W1, b1), (W2, b2)])
    pats = [np.array([1, 0, 1]), np.array([1])]
    D = np.diag([1.0, 0.0, 1.0])
    A2, c2 = W2 @ D @ W1, W2 @ D @ b1 + b2
    for exact_mode in (False, True):
        maps = pattern_maps(net, pats, exact_mode)
        assert maps[0] is None and len(maps) == 5
        A, c = maps[3][0], maps[3][1]
        if exact_mode:
            assert maps[3][2] is None and maps[3][3] is None
            assert [[Fraction(v) for v in row] for row in A] == \
                [[Fraction(v) for v in row] for row in A2]
            F = Fraction
            want = sum(F(W2[0, j]) * F(b1[j]) for j in (0, 2)) + F(b2[0])
            assert list(c) == [want]
        else:
            np.testing.assert_allclose(A, A2, rtol=0, atol=1e-15)
            np.testing.assert_allclose(c, c2, rtol=0, atol=1e-15)
            # the error bounds cover the difference with the exact values, and are small
            ex = pattern_maps(net, pats, True)
            for k in (1, 2, 3, 4):
                dA = np.abs(np.array(ex[k][0] - exact(maps[k][0]), float))
                assert np.all(dA <= maps[k][2]) and np.all(maps[k][2] < 1e-12)
                dc = np.abs(np.array(ex[k][1] - exact(maps[k][1]), float))
                assert np.all(dc <= maps[k][3]) and np.all(maps[k][3] < 1e-12)
        # the rows of the first ReLU stage: unit 0 active (-(x - y + 0.5) < 0), unit 1
        # inactive (0.5 x + 2 y - 1 <= 0), unit 2 constant 0.25 > 0 (a zero row that holds)
        r = stage_rows(net.stages[2], pats[0], maps[1])
        one = unit_rows(net.stages[2], 1, 0, maps[1])
        assert np.array(one.G, float).tolist() == [[0.5, 2.0]] and float(one.h[0]) == 1.0
        G = np.array(r.G, float)
        h = np.array(r.h, float)
        assert G.tolist() == [[-1.0, 1.0], [0.5, 2.0], [0.0, 0.0]]
        assert h.tolist() == [0.5, 1.0, 0.25]
        assert r.strict.tolist() == [True, False, True]
        assert classify(r).tolist() == [LIVE, LIVE, HOLDS]
    with pytest.raises(ValueError, match="^a PWL stage reading the input directly: "
                       "extend\\(\\) the identity first$"):
        rows_of(net.stages[2].unit_rows(0, 1), None)


def test_domain_rows():
    box = Domain.box(-1, 1, 2)
    for mode in (False, True):
        r = domain_rows(box, mode)
        assert len(r) == 0 and r.G.shape == (0, 2) and r.exact == mode
    poly = Domain([-1.0, -1.0], [1.0, 1.0], A=[[1.0, 2.0]], b=[0.5])
    r = domain_rows(poly, False)
    assert r.G.tolist() == [[1.0, 2.0]] and r.h.tolist() == [0.5] and not r.strict.any()
    assert r.EG.tolist() == [[0.0, 0.0]] and r.Eh.tolist() == [0.0]
    e = domain_rows(poly, True)
    assert e.exact and [Fraction(v) for v in e.G[0]] == [1, 2] and e.h[0] == Fraction(1, 2)
    # take and stack keep rows, bounds and strictness together
    s = Rows.stack([r, _rows([[3, 4]], [5], strict=[True], EG=[[1e-3, 0]], Eh=[2e-3])], 2, False)
    assert s.G.tolist() == [[1, 2], [3, 4]] and s.strict.tolist() == [False, True]
    t = s.take(np.array([False, True]))
    assert t.G.tolist() == [[3, 4]] and t.EG.tolist() == [[1e-3, 0]] and t.Eh.tolist() == [2e-3]
    assert t.h.tolist() == [5] and t.strict.tolist() == [True]


def test_exact_arithmetic_on_a_polytope_domain():
    # two identical ReLUs (their mixed patterns are empty only by an exact cancellation), zero
    # biases, a dead unit, on the square cut by x + y <= 1.2 and a zero row
    W = np.array([[1.0, 0.5], [1.0, 0.5], [-1.0, 2.0], [0.0, 0.0]])
    W2 = np.array([[1.0, -1.0, 0.5, 1.0], [0.5, 0.5, -1.0, 0.0]])
    net = Network.from_layers([(W, np.zeros(4)), (W2, np.array([0.0, 0.1]))])
    dom = Domain([-1.0, -1.0], [1.0, 1.0], A=[[1.0, 1.0], [0.0, 0.0]], b=[1.2, 1.0])
    P, X = _truth(net, dom)
    assert len(P) > 4
    c = certify(net, dom, P, X)
    assert (c.certified, c.lower, c.upper) == (True, len(P), len(P))
    assert c.checks.get("pieces_exact", 0) + c.checks.get("stage_exact", 0) >= 1
    # and the same network with a pattern dropped: the bracket opens by the patterns below
    c = certify(net, dom, P[1:], X[1:])
    assert not c.certified and c.lower == len(P) - 1 and c.upper > len(P) - 1


def test_a_point_on_a_boundary_needs_exact_arithmetic():
    # relu(x - 0.25), relu(0.5 - x) on [-1, 1]: x = 0.25 is exactly on the first unit's
    # breakpoint: the float bounds cannot tell, the rationals say it is not inside; the
    # region's centre is (and the rows tier, which decided it, is what the checks record)
    net = Network.from_layers([(np.array([[1.0], [-1.0]]), np.array([-0.25, 0.5]))])
    dom = Domain.box(-1.0, 1.0, 1)
    P, X = _truth(net, dom)
    assert len(P) == 3
    j = next(i for i in range(3) if P[i].tolist() == [1, 1])     # 0.25 < x < 0.5
    X2 = X.copy()
    X2[j] = [0.25]
    c = certify(net, dom, P, X2)
    assert (c.certified, c.lower, c.upper) == (True, 3, 3)
    assert {k: v for k, v in c.checks.items() if k.startswith("points_")} == \
        {"points_float": 2, "points_rows": 1, "points_moved": 1, "points_failed": 0}


# -- confirm_points: the first half of certify, with the moved points handed back ---------------

def test_confirm_points_keeps_good_points_and_moves_the_others():
    from regioncount.enumeration import exact as ex
    from regioncount.enumeration.certify import confirm_points

    net = _net("relu", 5)
    dom = Domain.box(-1.0, 1.0, 2)
    P, X = _truth(net, dom)
    n = len(P)
    ok, Y = confirm_points(net, dom, P, X)
    assert ok.tolist() == [True] * n and (Y == X).all() and Y is not X
    # region 0 given the point of region 1, region 2 a point outside the box, as lists
    X2 = X.copy()
    X2[0], X2[2] = X[1], [5.0, 5.0]
    given = X2.copy()
    old = ex.set_floor(0.125)
    try:
        ok, Y = confirm_points(net, dom, P.tolist(), X2.ravel().tolist())
        assert ex.FLOOR == 0.125                  # the floor is put back
    finally:
        ex.set_floor(old)
    assert ok.tolist() == [True] * n and (X2 == given).all()
    assert (Y[1:2] == X[1:2]).all() and (Y[3:] == X[3:]).all()
    for j in (0, 2):                               # moved into the box, onto the pattern
        assert (np.abs(Y[j]) < 1).all() and not (Y[j] == X2[j]).all()
        got = np.concatenate(net.pattern(Y[j][None, :]), axis=1)[0]
        assert got.tolist() == P[j].tolist()
    # a pattern with no region keeps its point and fails
    known = {tuple(p) for p in P}
    bad = next(q for q in (np.where(np.arange(P.shape[1]) == j, 1 - P[0], P[0])
                           for j in range(P.shape[1])) if tuple(q) not in known)
    ok, Y = confirm_points(net, dom, np.vstack([P, bad]), np.vstack([X, X[0]]))
    assert ok.tolist() == [True] * n + [False] and (Y[-1] == X[0]).all()


def test_confirm_points_guards_underflow(monkeypatch):
    """Weights so small that products underflow: the bounds get the underflow floor while
    the points are judged, and 0 after."""
    from regioncount.enumeration import certify as cm
    from regioncount.enumeration import exact as ex

    seen = _floors_seen(monkeypatch)
    tiny = Network.from_layers([(np.array([[1e-300], [-1e-300]]), np.array([0.0, 1e-301]))])
    big = Network.from_layers([(np.array([[1.0], [-1.0]]), np.array([0.0, 0.1]))])
    dom = Domain.box(-1.0, 1.0, 1)
    for net, floor in ((tiny, ex.UNDERFLOW_FLOOR), (big, 0.0)):
        seen.clear()
        ok, _ = cm.confirm_points(net, dom, [[1, 1]], [[0.05]])
        c = cm.certify(net, dom, [[1, 1]], [[0.05]], complete=False)
        assert seen == [floor, floor] and ex.FLOOR == 0.0
        assert ok.tolist() == [True] and c.lower == 1


# -- a deep trie: more rows on one path than the row stack first holds ---------------------------

def test_a_path_of_many_rows_grows_the_row_stack():
    """70 ReLUs of one input on [-1, 1], breakpoints spread over it: 71 regions, a trie path
    of about 70 rows (the stack starts with room for 64); one region dropped opens the bracket
    by exactly the patterns below its first unit of difference."""
    k = 70
    br = np.linspace(-0.95, 0.95, k)
    W = np.where(np.arange(k) % 2 == 0, 1.0, -1.0)[:, None]
    net = Network.from_layers([(W, -W[:, 0] * br)])
    dom = Domain.box(-1.0, 1.0, 1)
    P, X = _truth(net, dom)
    assert len(P) == k + 1
    c = certify(net, dom, P, X)
    assert (c.certified, c.lower, c.upper) == (True, k + 1, k + 1)
    drop = len(P) // 2
    keep = np.arange(len(P)) != drop
    c = certify(net, dom, P[keep], X[keep])
    common = max(int(np.argmin(np.append(P[drop] == q, False))) for q in P[keep])
    assert (c.certified, c.lower, c.upper) == (False, k, k + 2 ** (k - common - 1))


@pytest.fixture(params=[0.0, 1e-300])
def floor(request):
    """The error bounds' absolute floor (0, or the one used when underflow is possible), put
    back after the test."""
    from regioncount.enumeration import exact as ex

    old = ex.set_floor(request.param)
    yield request.param
    ex.set_floor(old)


# -- the float tiers never claim what the rationals deny ------------------------------------------

def _near_zero_rows(rng, n, k):
    """``k`` rows through (about) the point ``x``: ``h`` is the float product ``G x`` moved
    by at most two ulps, so the exact sign of ``G x - h`` is decided by rounding."""
    G = rng.normal(size=(k, n)) * 10.0 ** rng.integers(-3, 4, size=(k, 1))
    x = rng.normal(size=n) * 10.0 ** rng.integers(-2, 3)
    h = G @ x
    for _ in range(rng.integers(0, 3)):
        h = np.nextafter(h, rng.choice([-np.inf, np.inf], size=k))
    return G, h, x


def _exact_margins(G, h, x):
    return [sum(Fraction(float(g)) * Fraction(float(v)) for g, v in zip(row, x))
            - Fraction(float(b)) for row, b in zip(G, h)]


def test_judge_point_never_contradicts_the_rationals(floor):
    rng = np.random.default_rng(21)
    decided = 0
    for t in range(3000):
        n = int(rng.integers(2, 9))
        G, h, x = _near_zero_rows(rng, n, 1)
        if t % 3 == 0:                         # and rows well inside or well outside
            h = h + rng.choice([-1.0, 1.0]) * np.abs(h) * 1e-6 - 1e-300
        s = _exact_margins(G, h, x)[0]
        v = judge_point(_rows(G, h), x)
        assert v != 1 or s < 0
        assert v != 0 or s >= 0
        decided += v >= 0
    # the origin on a row through it: exactly 0, never inside
    assert judge_point(_rows([[1.0, 2.0]], [0.0]), np.zeros(2)) != 1
    assert decided >= 1000                 # the rows well off the point, at least


def test_farkas_never_contradicts_the_rationals(floor):
    """Multipliers on rows whose bound ``min over the box of (G^T y) x - y h`` is within
    rounding of 0: the float test says yes only where the rational one does."""
    rng = np.random.default_rng(22)
    yes = 0
    for t in range(1500):
        n, k = int(rng.integers(1, 6)), int(rng.integers(1, 6))
        G = rng.normal(size=(k, n)) * 10.0 ** rng.integers(-2, 3, size=(k, 1))
        y = rng.uniform(0, 2, k) * (rng.random(k) < 0.8)
        lo = rng.normal(size=n) - 1.5
        hi = lo + rng.uniform(0.1, 3.0, n)
        rho = G.T @ y
        mins = np.minimum(rho * lo, rho * hi).sum()
        h = rng.normal(size=k)
        if y.any():                            # put y h at the float minimum, give or take
            j = int(np.flatnonzero(y)[0])
            h[j] = 0.0
            h[j] = (mins - h @ y) / y[j]
            for _ in range(rng.integers(0, 4)):
                h[j] = np.nextafter(h[j], rng.choice([-np.inf, np.inf]))
        if t % 4 == 0:
            h = h - rng.choice([-1.0, 1.0]) * 1e-3
        F = Fraction
        rho_e = [sum(F(float(G[i, c])) * F(float(y[i])) for i in range(k)) for c in range(n)]
        m = sum(min(r * F(float(a)), r * F(float(b))) for r, a, b in zip(rho_e, lo, hi))
        margin = m - sum(F(float(a)) * F(float(b)) for a, b in zip(h, y))
        got = farkas(_rows(G, h), y, lo, hi)
        assert not got or margin >= 0
        ge = Rows(exact(G), exact(h), None, None, np.zeros(k, bool))
        assert farkas(ge, np.array([Q(F(float(v))) for v in y], dtype=object), lo, hi) \
            == (bool(y.any()) and margin >= 0)
        yes += got
    assert yes > 100


def test_farkas_holds_for_every_row_within_the_error_bounds():
    """Float rows with error bounds stand for every exact row within them: a yes must hold
    for the exact rows the floats were perturbed from (the bounds at 1e-9 and 1e-6)."""
    rng = np.random.default_rng(23)
    F = Fraction
    yes = 0
    for t in range(800):
        n, k = int(rng.integers(1, 5)), int(rng.integers(1, 5))
        Gt = rng.normal(size=(k, n))
        y = rng.uniform(0.1, 2, k)
        lo = rng.normal(size=n) - 1.0
        hi = lo + rng.uniform(0.5, 2.0, n)
        EG = np.abs(rng.normal(size=(k, n))) * 10.0 ** rng.choice([-9, -6])
        Eh = np.abs(rng.normal(size=k)) * 10.0 ** rng.choice([-9, -6])
        rho = Gt.T @ y
        ht = rng.normal(size=k)
        ht[0] = 0.0
        ht[0] = (np.minimum(rho * lo, rho * hi).sum() - ht @ y) / y[0]
        ht[0] -= rng.choice([-1.0, 1.0]) * 10.0 ** rng.uniform(-12, -4)
        G = Gt + rng.uniform(-1, 1, size=(k, n)) * EG
        h = ht + rng.uniform(-1, 1, size=k) * Eh
        got = farkas(_rows(G, h, EG=EG, Eh=Eh), y, lo, hi)
        rho_e = [sum(F(float(Gt[i, c])) * F(float(y[i])) for i in range(k)) for c in range(n)]
        m = sum(min(r * F(float(a)), r * F(float(b))) for r, a, b in zip(rho_e, lo, hi))
        margin = m - sum(F(float(a)) * F(float(b)) for a, b in zip(ht, y))
        assert not got or margin >= 0
        yes += got
    assert yes > 50


# -- the trie's tiers, each made to decide ----------------------------------------------------

def _twins():
    """x on [-1, 1]; u1 = u2 = relu(x), u3 = relu(-x); v = relu(u1 - u2 + 0.5). Where u1 and
    u2 are active, v's input row cancels to 0 in float with an error bound: unsure, left to
    the rationals (0.5 > 0: v is active on the whole node)."""
    W1 = np.array([[1.0], [1.0], [-1.0]])
    return Network.from_layers([(W1, np.zeros(3)), (np.array([[1.0, -1.0, 0.0]]), np.array([0.5]))])


def test_an_unsure_piece_that_is_not_empty_stays_open():
    net = _twins()
    dom = Domain.box(-1.0, 1.0, 1)
    P, X = _truth(net, dom)
    assert sorted(P.tolist()) == [[0, 0, 1, 1], [1, 1, 0, 1]]
    c = certify(net, dom, P, X)
    assert (c.certified, c.lower, c.upper) == (True, 2, 2)
    # v inactive where u1, u2 are active: no region; given in place of the true pattern,
    # the true piece (v active) is missing, unsure in float, and not empty in rationals
    fake = np.array([[0, 0, 1, 1], [1, 1, 0, 0]])
    c = certify(net, dom, fake, X[np.argsort([p[0] for p in P.tolist()])])
    assert (c.certified, c.lower, c.upper) == (False, 1, 3)
    assert c.checks["pieces_open"] == 1 and c.checks["points_failed"] == 1


def test_a_point_only_the_rationals_place():
    """relu(x - 0.25) on [-1, 1] with the active region's point one ulp above 0.25: the float
    bounds cannot tell, the rationals say inside; the point is kept."""
    net = Network.from_layers([(np.array([[1.0]]), np.array([-0.25]))])
    dom = Domain.box(-1.0, 1.0, 1)
    x = np.nextafter(0.25, 1.0)
    c = certify(net, dom, [[0], [1]], [[-0.5], [x]])
    assert (c.certified, c.lower, c.upper) == (True, 2, 2)
    assert c.checks["points_float"] == 1 and c.checks["points_exact"] == 1
    assert "points_moved" not in c.checks


def test_a_small_domain_row_is_kept_in_the_proofs():
    """A half-space of norm 0.5 (1 in unit-cube coordinates) is what makes relu(x + 0.4)
    inactive on the domain x <= -0.5 of [-1, 1]^2: one region, certified."""
    net = Network.from_layers([(np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([0.4, 0.0]))])
    dom = Domain([-1.0, -1.0], [1.0, 1.0], A=[[0.5, 0.0]], b=[-0.25])
    P, X = _truth(net, dom)
    assert sorted(P.tolist()) == [[0, 0], [0, 1]]
    c = certify(net, dom, P, X)
    assert (c.certified, c.lower, c.upper) == (True, 2, 2)
    assert c.checks.get("pieces_open", 0) == 0 and c.checks.get("stage_open", 0) == 0


def test_the_centre_respects_the_domain_half_spaces():
    """relu(x) on the corner x + y <= -0.5 of [-1, 1]^2: the active region's point is given
    outside the domain; the centre of x > 0 in the box alone, (0.5, 0), is outside too; the
    centre with the half-space is inside."""
    net = Network.from_layers([(np.array([[1.0, 0.0]]), np.array([0.0]))])
    dom = Domain([-1.0, -1.0], [1.0, 1.0], A=[[1.0, 1.0]], b=[-0.5])
    c = certify(net, dom, [[0], [1]], [[-0.5, -0.5], [0.5, 0.5]])
    assert (c.certified, c.lower, c.upper) == (True, 2, 2)
    assert c.checks["points_moved"] == 1


def test_the_centre_with_a_row_on_a_flat_coordinate_only():
    """y is fixed at 0.25; relu(y - 0.1) is active on the whole domain (its row reads y only)
    and relu(x) splits it. A point given off its region is moved to the centre of the region
    in the flat box."""
    net = Network.from_layers([(np.array([[0.0, 1.0], [1.0, 0.0]]), np.array([-0.1, 0.0]))])
    dom = Domain.box([-1.0, 0.25], [1.0, 0.25])
    P = [[1, 0], [1, 1]]
    c = certify(net, dom, P, [[0.5, 0.25], [0.5, 0.25]])
    assert (c.certified, c.lower, c.upper) == (True, 2, 2)
    from regioncount.enumeration.certify import confirm_points
    ok, Y = confirm_points(net, dom, P, [[0.5, 0.25], [0.5, 0.25]])
    assert ok.tolist() == [True, True] and Y[0, 1] == 0.25 and -1 < Y[0, 0] < 0
    assert Y[1].tolist() == [0.5, 0.25]


@pytest.mark.parametrize("kind", ["relu", "clip", "max"])
def test_the_pieces_add_up_over_how_each_was_proven(kind):
    net = _net(kind, 4)
    dom = Domain.box(-1.0, 1.0, 2)
    P, X = _truth(net, dom)
    for keep in (np.arange(len(P)), np.arange(1, len(P))):
        c = certify(net, dom, P[keep], X[keep])
        parts = {k: v for k, v in c.checks.items() if k.startswith("pieces_")}
        assert c.checks["pieces"] == sum(parts.values()) and c.checks["pieces"] >= 2
        assert len([v for v in parts.values() if v]) >= 2


def test_two_dropped_regions_add_their_caps():
    net = _net("relu", 4)
    dom = Domain.box(-1.0, 1.0, 2)
    P, X = _truth(net, dom)
    pieces = _pieces(net)

    def first_leave(drop, rest):
        return max(int(np.argmin(np.append(P[drop] == q, False))) for q in P[rest])
    ran = 0
    for a, b in ((0, len(P) - 1), (1, len(P) // 2)):
        keep = (np.arange(len(P)) != a) & (np.arange(len(P)) != b)
        ca, cb = first_leave(a, keep), first_leave(b, keep)
        if ca == cb and (P[a][:ca + 1] == P[b][:ca + 1]).all():
            continue                        # the same missing piece: one cap
        c = certify(net, dom, P[keep], X[keep])
        assert c.lower == len(P) - 2 and c.checks["pieces_open"] == 2
        assert c.upper == len(P) - 2 + prod(pieces[ca + 1:]) + prod(pieces[cb + 1:])
        ran += 1
    assert ran == 2


def test_the_stage_pass_proves_a_stable_unit_once():
    """Units 0, 2 and 4 cross only the corner x + y > 1.5 of [-1, 1]^2, which the domain cuts
    off: inactive on the whole domain, which the box alone cannot show. The stage pass proves
    each active piece empty once, with an LP; every node then finds it settled."""
    W = np.array([[1.0, 1.0], [1.0, -0.5], [1.0, 1.2], [-0.3, 1.0], [1.2, 1.0]])
    b = np.array([-1.8, 0.1, -2.0, 0.2, -2.0])
    net = Network.from_layers([(W, b)])
    dom = Domain([-1.0, -1.0], [1.0, 1.0], A=[[1.0, 1.0]], b=[1.5])
    P, X = _truth(net, dom)
    assert (P[:, [0, 2, 4]] == 0).all() and len(P) == 4
    c = certify(net, dom, P, X)
    assert (c.certified, c.lower, c.upper) == (True, 4, 4)
    assert c.checks["stage_lp"] == 3 and "pieces_lp" not in c.checks
    assert c.checks["pieces_stage"] == c.checks["pieces"] > 3


def test_an_empty_stack_of_rows():
    for mode in (False, True):
        r = Rows.stack([], 3, mode)
        assert len(r) == 0 and r.G.shape == (0, 3) and r.h.shape == (0,) and r.exact == mode
        assert r.strict.dtype == bool and r.strict.shape == (0,)
        assert (r.G.dtype == object) == mode and (r.Eh is None) == mode
        assert classify(r).tolist() == [] and judge_point(r, np.zeros(3)) == 1
    # empty parts are dropped before stacking
    one = _rows([[1.0, 2.0, 3.0]], [4.0])
    s = Rows.stack([Rows.stack([], 3, False), one], 3, False)
    assert s.G.tolist() == [[1.0, 2.0, 3.0]] and s.EG.shape == (1, 3)


def test_stage_rows_of_units_without_rows():
    """Max groups of one entry each: no rows at all, in the map's input size."""
    net = Network([Input(size=3), _aff(3, np.eye(3), np.zeros(3), 0),
                   MaxGroups(size=3, source_index=1, indptr=np.arange(4),
                             indices=np.arange(3))])
    for mode in (False, True):
        maps = pattern_maps(net, [np.zeros(3, int)], mode)
        r = stage_rows(net.stages[2], np.zeros(3, int), maps[1])
        assert len(r) == 0 and r.G.shape == (0, 3) and r.exact == mode


def test_exact_and_float_maps_agree_through_a_skip_connection():
    """An affine stage reading the input and a PWL stage (sources (0, 2)): both sources
    enter the exact map too."""
    rng = np.random.default_rng(9)
    W1, b1 = rng.normal(size=(4, 2)), rng.normal(size=4)
    Wx, Wh, b2 = rng.normal(size=(3, 2)), rng.normal(size=(3, 4)), rng.normal(size=3)
    net = Network([Input(size=2), _aff(2, W1, b1, 0), Relu(size=4, source_index=1),
                   Affine(size=3, sources=(0, 2), weights=(Wx, Wh), bias=b2),
                   Relu(size=3, source_index=3)])
    for _ in range(5):
        pats = [rng.integers(0, 2, 4), rng.integers(0, 2, 3)]
        fl = pattern_maps(net, pats, False)
        ex_ = pattern_maps(net, pats, True)
        D = np.diag(pats[0].astype(float))
        want = Wx + Wh @ D @ W1
        np.testing.assert_allclose(fl[3][0], want, atol=1e-12)
        got = np.array(ex_[3][0], float)
        assert np.all(np.abs(got - fl[3][0]) <= fl[3][2])
        np.testing.assert_allclose(np.array(ex_[3][1], float), Wh @ D @ b1 + b2, atol=1e-12)


def _wild_net(kind, seed):
    """Two PWL layers with weights over six orders of magnitude and a skip connection read
    second (sources (2, 0)): rounding errors of every size reach the maps."""
    rng = np.random.default_rng(seed)
    n, h = 3, 6
    scale = lambda *s: rng.normal(size=s) * 10.0 ** rng.integers(-3, 4, size=s)  # noqa: E731
    st = [Input(size=n), _aff(n, scale(h, n), scale(h), 0), _pwl(kind, h, 1, rng)]
    m = st[-1].size
    st += [Affine(size=4, sources=(2, 0), weights=(scale(4, m), scale(4, n)), bias=scale(4)),
           _pwl(kind, 4, 3, rng)]
    return Network(st), rng


def _random_pattern(rng, s):
    return np.array([rng.choice(s.unit_pieces(i)) for i in range(s.size)])


@pytest.mark.parametrize("kind", KINDS)
def test_float_maps_and_rows_lie_within_their_error_bounds(kind):
    """Every float coefficient of every map and row is within its error bound of the exact
    rational one, on networks built to round."""
    F = Fraction
    for seed in range(6):
        net, rng = _wild_net(kind, seed)
        pats = [_random_pattern(rng, s) for s in net.pwl_stages]
        fl = pattern_maps(net, pats, False)
        ex_ = pattern_maps(net, pats, True)
        for k in range(1, len(net.stages)):
            A, c, EA, Ec = fl[k]
            dA = np.array([[abs(F(v) - F(float(w))) for v, w in zip(r1, r2)]
                           for r1, r2 in zip(ex_[k][0], A)], dtype=object)
            assert all(d <= F(float(e)) for d, e in zip(dA.ravel(), EA.ravel()))
            assert all(abs(F(v) - F(float(w))) <= F(float(e)) for v, w, e in zip(ex_[k][1], c, Ec))
        for s, p in zip(net.pwl_stages, pats):
            for i in range(s.size):
                for q in s.unit_pieces(i):
                    r = unit_rows(s, i, q, fl[s.source_index])
                    e = unit_rows(s, i, q, ex_[s.source_index])
                    for g1, g2, eg in zip(np.ravel(e.G), r.G.ravel(), r.EG.ravel()):
                        assert abs(F(g1) - F(float(g2))) <= F(float(eg))
                    for h1, h2, eh in zip(e.h, r.h, r.Eh):
                        assert abs(F(h1) - F(float(h2))) <= F(float(eh))
                    assert r.strict.tolist() == e.strict.tolist()


def test_classify_a_zero_row_at_its_error_bound():
    """h exactly at its error bound: the exact h may be 0, which a strict row (0 < h) fails
    and a non-strict one (0 <= h) meets: a strict row with h >= 0 may not be said to hold,
    a non-strict one with h <= 0 may not be said to fail."""
    r = _rows([[0, 0]] * 4, [1e-16, 1e-16, -1e-16, -1e-16], strict=[1, 0, 1, 0],
              Eh=[1e-16] * 4)
    cls = classify(r).tolist()
    assert cls[0] != HOLDS and cls[3] != EMPTY            # would be wrong at h = 0
    assert cls[1] in (UNSURE, HOLDS) and cls[2] in (UNSURE, EMPTY)


def test_box_sides_never_contradict_the_rationals(floor):
    rng = np.random.default_rng(24)
    F = Fraction
    sure = 0
    for t in range(2000):
        n = int(rng.integers(1, 7))
        g = rng.normal(size=n) * 10.0 ** rng.integers(-3, 4)
        lo = rng.normal(size=n)
        hi = lo + rng.uniform(0.1, 2.0, n)
        a, b = g * lo, g * hi
        # h at the float minimum or maximum over the box, give or take a few ulps
        h = (np.minimum(a, b).sum() if t % 2 else np.maximum(a, b).sum())
        for _ in range(rng.integers(0, 4)):
            h = np.nextafter(h, rng.choice([-np.inf, np.inf]))
        if t % 5 == 0:
            h = 0.0 if n == 0 else h * (1 + rng.choice([-1e-3, 1e-3]))
        never, always = box_sides(_rows([g], [h]), lo, hi)
        ends = [(F(float(x)) * F(float(l)), F(float(x)) * F(float(u)))
                for x, l, u in zip(g, lo, hi)]
        mn = sum(min(e) for e in ends) - F(float(h))
        mx = sum(max(e) for e in ends) - F(float(h))
        assert not never[0] or mn >= 0
        assert not always[0] or mx <= 0
        sure += bool(never[0]) + bool(always[0])
    assert sure > 200


def test_a_missing_piece_that_covers_the_box():
    """relu(x + 5) is active on all of [-1, 1]; given only the inactive pattern, the active
    piece is missing and its one row holds on the whole box (no row for the LP): open."""
    net = Network.from_layers([(np.array([[1.0]]), np.array([5.0]))])
    c = certify(net, Domain.box(-1.0, 1.0, 1), [[0]], [[0.0]])
    assert (c.certified, c.lower, c.upper) == (False, 0, 2)
    assert c.checks["pieces_open"] == 1 and c.checks["stage_open"] == 1


# -- the points: in chunks, on the box's faces, near a half-space, moved ----------------------

def test_points_are_judged_in_chunks_of_4096():
    from regioncount.enumeration.certify import confirm_points

    net = _net("relu", 5)
    dom = Domain.box(-1.0, 1.0, 2)
    P, X = _truth(net, dom)
    reps = 4100 // len(P) + 1
    PP, XX = np.tile(P, (reps, 1)), np.tile(X, (reps, 1))
    for bad in (4095, 4096, 4097, len(PP) - 1):
        Xb = XX.copy()
        Xb[bad] = XX[(bad + 1) % len(P)]          # another region's point: moved
        ok, Y = confirm_points(net, dom, PP, Xb)
        assert ok.all() and (Y[bad] != Xb[bad]).any()
        assert (np.delete(Y, bad, 0) == np.delete(Xb, bad, 0)).all()
    c = certify(net, dom, PP, XX, complete=False)
    assert c.lower == len(PP) and c.checks["points_float"] == len(PP)


def test_points_on_the_box_faces_are_not_inside():
    """A point exactly on a face of the box (either side) is moved, and the counts of the
    moved points add up."""
    net = _net("relu", 5)
    dom = Domain.box(-1.0, 1.0, 2)
    P, X = _truth(net, dom)
    X2 = X.copy()
    j0 = int(np.argmin(X[:, 0]))
    j1 = int(np.argmax(X[:, 1]))
    X2[j0, 0] = -1.0
    X2[j1, 1] = 1.0
    c = certify(net, dom, P, X2)
    assert (c.certified, c.lower) == (True, len(P))
    assert c.checks["points_moved"] == 2 and c.checks["points_rows"] == 2
    assert c.checks["points_float"] == len(P) - 2
    assert 0 < c.seconds < 60


def test_in_domain_never_contradicts_the_rationals(floor):
    from regioncount.enumeration.certify import _in_domain

    rng = np.random.default_rng(25)
    F = Fraction
    inside = 0
    for t in range(1500):
        n = int(rng.integers(1, 6))
        x = rng.uniform(-0.9, 0.9, n)
        a = rng.normal(size=(2, n)) * 10.0 ** rng.integers(-3, 4, size=(2, 1))
        b = a @ x
        for _ in range(rng.integers(0, 3)):
            b = np.nextafter(b, rng.choice([-np.inf, np.inf], size=2))
        if t % 3 == 0:
            b = b + np.abs(b) * 1e-6 + 1e-300
        dom = Domain(-np.ones(n), np.ones(n), A=a, b=b)
        got = bool(_in_domain(dom, x[None, :])[0])
        margins = [sum(F(float(g)) * F(float(v)) for g, v in zip(row, x)) - F(float(c))
                   for row, c in zip(a, b)]
        assert not got or all(m < 0 for m in margins)
        inside += got
    assert inside >= 400


def test_the_forward_pass_never_contradicts_the_rationals():
    """Points put within rounding of a unit's boundary (bisection along a segment in float):
    the float pass with error bounds accepts a point only where the rational rows do."""
    from regioncount.enumeration.certify import _forward, _stage_columns

    F = Fraction
    accepted = 0
    for kind in KINDS:
        for seed in range(8):
            net = _net(kind, 30 + seed) if seed < 3 else _wild_net(kind, seed)[0]
            n = net.input_size
            rng = np.random.default_rng(seed)
            cols = _stage_columns(net)
            for _ in range(12):
                a, b = rng.uniform(-1, 1, n), rng.uniform(-1, 1, n)
                pa = np.concatenate(net.pattern(a[None, :]), axis=1)[0]
                pb = np.concatenate(net.pattern(b[None, :]), axis=1)[0]
                if (pa == pb).all():
                    continue
                pts = []
                for step in range(80):               # bisect to the float boundary
                    m = (a + b) / 2
                    pm = np.concatenate(net.pattern(m[None, :]), axis=1)[0]
                    a, pa = (m, pm) if (pm == pa).all() else (a, pa)
                    b = b if (pm == pa).all() else m
                    if step in (15, 30, 40, 45, 50, 79):
                        pts.append((a.copy(), pa.copy()))
                pts.append((b, np.concatenate(net.pattern(b[None, :]), axis=1)[0]))
                X = np.array([x for x, _ in pts])
                P = np.array([p for _, p in pts])
                ok = _forward(net, X, P, cols)
                for j in np.flatnonzero(ok):
                    pats = [P[j, c] for c in cols]
                    maps = pattern_maps(net, pats, True)
                    r = Rows.stack([stage_rows(s, p, maps[s.source_index])
                                    for s, p in zip(net.pwl_stages, pats)], n, True)
                    assert judge_point(r, X[j]) == 1
                    accepted += 1
                assert not ok[-2:].all()           # one of the last two is within rounding
    assert accepted > 100


def _floors_seen(monkeypatch):
    from regioncount.enumeration import certify as cm
    from regioncount.enumeration import exact as ex

    seen = []
    real = cm._lower

    def spy(*a, **k):
        seen.append(ex.FLOOR)
        return real(*a, **k)
    monkeypatch.setattr(cm, "_lower", spy)
    return seen


@pytest.mark.parametrize("where", ["none", "weights", "bias", "domain", "table", "points"])
def test_underflow_is_looked_for_everywhere(where, monkeypatch):
    """A value of 1e-300 in the first layer's weights, the second layer's bias, the domain's
    half-spaces, a leaky ReLU's slope or a point sets the underflow floor while points are
    judged; with none, the floor stays 0."""
    from regioncount.enumeration import exact as ex
    from regioncount.enumeration.certify import confirm_points

    seen = _floors_seen(monkeypatch)
    tiny = 1e-300
    W1 = np.array([[1.0], [-1.0]]) * (tiny if where == "weights" else 1.0)
    b2 = np.array([tiny if where == "bias" else 0.5])
    alpha = np.array([tiny if where == "table" else 0.1] * 2)
    net = Network([Input(size=1), _aff(1, W1, np.array([0.0, 0.3]), 0),
                   LeakyRelu(size=2, source_index=1, alpha=alpha),
                   _aff(2, np.array([[1.0, 1.0]]), b2, 2), Relu(size=1, source_index=3)])
    A = [[tiny if where == "domain" else 1.0]]
    dom = Domain([-1.0], [1.0], A=A, b=[0.9 * A[0][0]])
    x = tiny if where == "points" else 0.05
    pat = np.concatenate(net.pattern(np.array([[x]])), axis=1)
    confirm_points(net, dom, pat, [[x]])
    certify(net, dom, pat, [[x]], complete=False)
    want = 0.0 if where == "none" else ex.UNDERFLOW_FLOOR
    assert seen == [want, want] and ex.FLOOR == 0.0


def test_an_interrupted_certificate_keeps_its_lower_bound(monkeypatch, caplog):
    from regioncount.enumeration import certify as cm

    def stop(self):
        raise KeyboardInterrupt
    monkeypatch.setattr(cm._Trie, "run", stop)
    net = _net("relu", 6)
    dom = Domain.box(-1.0, 1.0, 2)
    P, X = _truth(net, dom)
    with caplog.at_level("WARNING", logger="regioncount.enumeration.certify"):
        c = certify(net, dom, P, X)
    assert (c.certified, c.lower, c.upper) == (False, len(P), None)
    assert c.checks["stopped"] == "interrupted"
    assert caplog.messages == ["certificate stopped (interrupted): only the lower bound is "
                               "certified"]


def test_patterns_and_points_given_as_floats_and_ints():
    from regioncount.enumeration.certify import confirm_points

    net = Network.from_layers([(np.array([[1.0]]), np.array([-0.5]))])
    dom = Domain.box(-1.0, 2.0, 1)
    c = certify(net, dom, [[0.0], [1.0]], [[0], [1]])
    assert (c.certified, c.lower, c.upper) == (True, 2, 2)
    ok, Y = confirm_points(net, dom, [[0.0], [1.0]], [[0], [1]])
    assert ok.tolist() == [True, True] and Y.dtype == float and Y.tolist() == [[0.0], [1.0]]
