"""Tests written against the mutants of regioncount/enumeration/search.py (benchmarks/mutation.py,
docs/benchmarks.md "Mutation score"): the region tree's :class:`Searcher` driven directly, with
each of its switches (pre-pass, look-ahead, the step-across heuristic, feasibility LPs), on box
and polytope domains, stopped and thawed from frozen nodes, and what it records per region (the
pattern, a point, its margin, its class, the per-layer counts) checked against the exact
polygon oracle and 1-D sweep of tests/oracles.py and against the network's own forward pass."""

from __future__ import annotations

import math

import numpy as np
import pytest

from regioncount import Domain, Network
from regioncount.enumeration.limits import Limits
from regioncount.enumeration.search import Counters, Searcher
from regioncount.errors import DomainError, RegioncountError
from regioncount.network import Affine, Clip, Input, LeakyRelu, MaxGroups, Relu

from oracles import as_bytes, patterns_exact


def _aff(n_in, W, b, src):
    W = np.asarray(W, float).reshape(len(b), n_in)
    return Affine(size=len(b), sources=(src,), weights=(W,), bias=np.asarray(b, float))


def _net(kind, seed, n_in=2, h1=5, h2=4):
    """Input, affine, ``kind``, affine, ReLU, affine (2 outputs): random weights."""
    rng = np.random.default_rng(seed)
    st = [Input(size=n_in), _aff(n_in, rng.normal(size=(h1, n_in)), rng.normal(size=h1) * .5, 0)]
    if kind == "relu":
        st.append(Relu(size=h1, source_index=1))
    elif kind == "leaky":
        st.append(LeakyRelu(size=h1, source_index=1, alpha=np.full(h1, 0.2)))
    elif kind == "clip":
        st.append(Clip(size=h1, source_index=1, lo=np.full(h1, -0.4), hi=np.full(h1, 0.5)))
    else:                                  # max over pairs (and a single last entry)
        ptr = np.array(list(range(0, h1, 2)) + [h1])
        st.append(MaxGroups(size=len(ptr) - 1, source_index=1, indptr=ptr,
                            indices=np.arange(h1)))
    m = st[-1].size
    st += [_aff(m, rng.normal(size=(h2, m)), rng.normal(size=h2) * .5, 2),
           Relu(size=h2, source_index=3),
           _aff(h2, rng.normal(size=(2, h2)), rng.normal(size=2), 4)]
    return Network(st)


def _search(net, dom, **switches):
    s = Searcher(net, dom, keep_patterns=True, keep_points=True)
    for k, v in switches.items():
        setattr(s, k, v)
    stack = [s.root()]
    assert s.run(stack) == "" and stack == []
    return s


def _pattern_of(net, x):
    return np.concatenate([np.asarray(p).ravel() for p in net.pattern(x)]).astype(np.int32)


def _check_regions(net, dom, s, want):
    """The searcher found exactly the oracle's patterns, once each, and for each a point of the
    region strictly inside the domain, its margin, class and the per-layer counts."""
    c = s.counters
    got = [as_bytes(p) for p in c.patterns]
    assert c.regions == len(got) == len(set(got)) == len(want)
    assert set(got) == want
    X = np.array(c.points)
    assert X.shape == (len(want), net.input_size) and len(c.margins) == len(want)
    for p, x, m in zip(c.patterns, X, c.margins):
        # the point is in the open domain and reproduces its pattern exactly
        assert np.all(x > dom.lo) and np.all(x < dom.hi)
        if dom.A is not None:
            assert np.all(dom.A @ x < dom.b)
        assert np.array_equal(_pattern_of(net, x), p)
        assert 0 < m < 1 and math.isfinite(m)
        if dom.A is not None:
            # the margin is at most the slack of every half-space of the domain, in the
            # coordinates where the box is the unit cube, the rows normalised
            scale = dom.hi - dom.lo
            for a, b in zip(dom.A, dom.b):
                n = np.linalg.norm(a * scale)
                if n > 0:
                    assert m <= (b - a @ x) / n + 1e-12
    # the class of each region is the output argmax at its point
    cls = np.argmax(net.evaluate(X).reshape(len(X), -1), axis=1)
    assert c.per_class == {int(k): int(v) for k, v in zip(*np.unique(cls, return_counts=True))}
    # per layer: the distinct pattern prefixes through each PWL stage (oracle patterns)
    W = [np.frombuffer(w, np.int32) for w in want]
    ends = np.cumsum([st.size for st in net.pwl_stages])
    assert c.per_layer == [len({w[:e].tobytes() for w in W}) for e in ends]


SWITCHES = [dict(), dict(prepass=False), dict(lookahead=False),
            dict(prepass=False, lookahead=False), dict(heuristic=True),
            dict(feasibility=True), dict(heuristic=True, feasibility=True, prepass=False)]


@pytest.mark.parametrize("kind", ["relu", "leaky", "clip", "max"])
@pytest.mark.parametrize("switches", SWITCHES, ids=lambda d: "-".join(d) or "default")
def test_every_switch_finds_the_oracle_regions(kind, switches):
    net, dom = _net(kind, 3), Domain.box([-1.5, -1.0], [1.0, 2.0])
    want = patterns_exact(net, dom)
    assert len(want) > 10
    _check_regions(net, dom, _search(net, dom, **switches), want)


POLYTOPES = {
    # the box cut by two half-spaces and a zero row (which must be ignored); the first row
    # has a norm below 1 in the unit-cube coordinates too
    "centre-inside": ([[0.3, 0.3], [0.0, 0.0], [-1.0, 2.0]], [0.21, 1.0, 1.2]),
    # the box centre is outside: the root's point must come from the LP
    "centre-outside": ([[1.0, 1.0], [0.0, 0.0]], [-0.3, 2.0]),
}


# (with feasibility=True on the polytope whose centre is outside, a region's point used to land
# outside the domain: the point pool's slacks left out the domain's half-spaces)
POLY_CASES = [(p, sw) for p in sorted(POLYTOPES) for sw in SWITCHES[:1] + SWITCHES[4:]]


@pytest.mark.parametrize("poly,switches", POLY_CASES,
                         ids=[f"{p}-{'-'.join(sw) or 'default'}" for p, sw in POLY_CASES])
def test_a_polytope_domain(switches, poly):
    net = _net("relu", 5)
    A, b = POLYTOPES[poly]
    dom = Domain([-1.0, -1.0], [1.0, 1.0], A=A, b=b)
    want = patterns_exact(net, dom)
    assert len(want) >= 3
    s = _search(net, dom, **switches)
    _check_regions(net, dom, s, want)
    assert s.counters.lps > 0                   # the root's centre needs an LP


def test_a_one_input_network():
    net = _net("clip", 7, n_in=1, h1=6, h2=5)
    dom = Domain.box(-2.0, 3.0, 1)
    want = patterns_exact(net, dom)
    assert len(want) > 6
    for sw in SWITCHES:
        _check_regions(net, dom, _search(net, dom, **sw), want)


def test_a_network_with_one_region_needs_no_lp():
    # relu(x + 5), relu(y + 5) on [-1, 1]^2: every unit is active everywhere
    net = Network([Input(size=2), _aff(2, [[1, 0], [0, 1]], [5.0, 5.0], 0),
                   Relu(size=2, source_index=1)])
    s = _search(net, Domain.box(-1, 1, 2))
    assert s.counters.regions == 1 and s.counters.lps == 0
    assert s.counters.patterns[0].tolist() == [1, 1]
    # the point is the box centre (moved from the centre to itself) and the margin is inf
    assert np.allclose(s.counters.points[0], [0.0, 0.0]) and s.counters.margins[0] == math.inf


def test_bad_domains_are_refused():
    net = _net("relu", 1)
    with pytest.raises(DomainError, match="domain has 3 coordinates, the network takes 2"):
        Searcher(net, Domain.box(-1, 1, 3))
    with pytest.raises(DomainError, match=r"^the domain box has an empty interior "
                                          r"\(some lo == hi\)$"):
        Searcher(net, Domain.box([0.0, -1.0], [0.0, 1.0])).root()
    # a polytope without interior: x + y <= -2 on [-1, 1]^2 is a single point
    flat = Domain([-1.0, -1.0], [1.0, 1.0], A=[[1.0, 1.0]], b=[-2.0])
    with pytest.raises(DomainError, match="^the domain polytope has an empty interior$"):
        Searcher(net, flat).root()


@pytest.mark.parametrize("kind", ["relu", "clip", "max"])
def test_stopped_searches_thaw_into_the_rest_of_the_count(kind):
    # stop after a few regions, freeze the pending nodes, go on in a fresh searcher from the
    # thawed nodes: together they find every region once
    net, dom = _net(kind, 11), Domain.box(-1, 1, 2)
    want = patterns_exact(net, dom)
    first = Searcher(net, dom, keep_patterns=True)
    stack = [first.root()]
    assert first.run(stack, Limits(max_regions=4)) == "region limit"
    # checked between nodes: a split at the last unit may record several regions at once
    assert 4 <= first.counters.regions < len(want) and stack
    frozen = [n.freeze() for n in stack]
    for u, prefix, cuts, x, r in frozen:
        assert len(prefix) == u and all(c < u for c in cuts) and r > 0
    second = Searcher(net, dom, keep_patterns=True)
    rest = [second.thaw(f) for f in frozen]
    assert second.run(rest) == "" and not rest
    got = [as_bytes(p) for p in first.counters.patterns + second.counters.patterns]
    assert len(got) == len(set(got)) == len(want) and set(got) == want
    merged = Counters(per_layer=[0, 0])
    merged.merge(first.counters)
    merged.merge(second.counters)
    assert merged.regions == len(want)
    assert sum(merged.per_class.values()) == len(want)


def test_thawed_rows_are_the_cut_units_rows():
    # a thawed node carries the rows of its cut units: on them, its point keeps a positive
    # slack (the rows are its polytope's) and its pattern prefix is the point's own
    net, dom = _net("relu", 2), Domain.box(-1, 1, 2)
    s = Searcher(net, dom)
    node = s.root()
    children = s.expand(node)
    while len(children) < 2:
        children = s.expand(children[-1])
    t = Searcher(net, dom)
    for ch in children:
        th = t.thaw(ch.freeze())
        assert th.u == ch.u and th.cuts == ch.cuts and len(th.keys) == len(ch.keys)
        for (a1, b1), (a2, b2) in zip(th.keys, ch.keys):
            assert np.array_equal(a1, a2) and b1 == b2
        assert min(b - a @ th.x for a, b in th.keys) > 0
        u_x = s.to_input(th.x)
        assert np.array_equal(_pattern_of(net, u_x)[: th.u], th.pattern[: th.u])


def test_a_frozen_node_of_another_network_is_refused():
    net, dom = _net("relu", 2), Domain.box(-1, 1, 2)
    s = Searcher(net, dom)
    children = s.expand(s.root())
    while len(children) < 2:
        children = s.expand(children[-1])
    u, prefix, cuts, x, r = children[0].freeze()
    # the same cut unit put on a piece a ReLU does not have
    bad = prefix.copy()
    bad[cuts[-1]] = 5
    with pytest.raises(RegioncountError, match=r"^checkpoint does not match this network "
                                                r"\(a cut unit has no such piece\)$"):
        Searcher(net, dom).thaw((u, bad, cuts, x, r))


def test_counters_merge():
    a = Counters(regions=3, lps=10, per_class={0: 2, 1: 1}, per_layer=[2, 3],
                 patterns=[np.array([1])], points=[np.zeros(2)], margins=[0.5])
    b = Counters(regions=4, lps=7, per_class={1: 3, 2: 1}, per_layer=[1, 2, 4],
                 patterns=[np.array([0])], points=[np.ones(2)], margins=[0.25])
    a.merge(b)
    assert (a.regions, a.lps) == (7, 17)
    assert a.per_class == {0: 2, 1: 4, 2: 1}
    assert a.per_layer == [3, 5, 4]
    assert [p.tolist() for p in a.patterns] == [[1], [0]]
    assert [p.tolist() for p in a.points] == [[0, 0], [1, 1]] and a.margins == [0.5, 0.25]
    # a shorter other leaves the longer list as it was past its end
    c = Counters(per_layer=[1])
    a.merge(c)
    assert a.per_layer == [4, 5, 4]


def test_run_ticks_and_limits():
    net, dom = _net("relu", 4), Domain.box(-1, 1, 2)
    want = len(patterns_exact(net, dom))
    s = Searcher(net, dom)
    seen = []
    stack = [s.root()]
    assert s.run(stack, tick=lambda st: seen.append(len(st)), tick_every=0.0) == ""
    assert s.counters.regions == want and len(seen) > 1
    # a deadline already past stops before the first node, an interrupt too
    s2 = Searcher(net, dom)
    stack = [s2.root()]
    assert s2.run(stack, Limits(deadline=0.0)) == "time limit"
    assert s2.counters.regions == 0 and len(stack) == 1
    assert s2.run(stack, Limits(interrupt=lambda: True)) == "interrupted"
    # never ticks when the interval is long
    s3 = Searcher(net, dom)
    seen3 = []
    assert s3.run([s3.root()], tick=seen3.append, tick_every=3600.0) == "" and seen3 == []
    # an empty stack: nothing to do, no stop reason
    assert Searcher(net, dom).run([]) == ""


def _counting_lp(s):
    """Count the searcher's LP solves (an oracle for ``counters.lps``)."""
    lp = s.lp
    calls = []
    solve = lp.solve

    def counted():
        calls.append(1)
        return solve()
    lp.solve = counted
    return calls


@pytest.mark.parametrize("switches", SWITCHES, ids=lambda d: "-".join(d) or "default")
@pytest.mark.parametrize("poly", [False, True])
def test_lps_counts_every_solve(switches, poly):
    net = _net("leaky", 6)
    dom = Domain([-1.0, -1.0], [1.0, 1.0], A=[[1.0, 1.0]], b=[-0.3]) if poly else \
        Domain.box(-1, 1, 2)
    s = Searcher(net, dom)
    for k, v in switches.items():
        setattr(s, k, v)
    calls = _counting_lp(s)
    stack = [s.root()]
    assert s.run(stack) == ""
    assert s.counters.regions == len(patterns_exact(net, dom))
    assert s.counters.lps == len(calls) > 0


def test_defaults():
    # by default nothing per region is kept, and the search is the one of the defaults spelt
    # out (the same LPs, in the same order, as with the switches set explicitly)
    net, dom = _net("clip", 8), Domain.box(-1, 1, 2)
    s = Searcher(net, dom)
    stack = [s.root()]
    s.run(stack)
    c = s.counters
    assert c.regions == len(patterns_exact(net, dom))
    assert c.patterns == [] and c.points == [] and c.margins == []
    t = _search(net, dom, prepass=True, lookahead=True, heuristic=False, feasibility=False)
    assert t.counters.lps == c.lps
    # and the switches matter: without the pre-pass and look-ahead the count takes other LPs
    u = _search(net, dom, prepass=False, lookahead=False)
    assert u.counters.lps != c.lps
    v = _search(net, dom, lookahead=False)
    assert v.counters.lps != c.lps
    w = _search(net, dom, feasibility=True)
    assert w.counters.lps >= c.lps
    # the pre-pass is on by default: it saves LPs when the look-ahead is off
    d = _search(net, dom, lookahead=False)
    assert d.counters.lps == _search(net, dom, prepass=True, lookahead=False).counters.lps
    assert d.counters.lps < _search(net, dom, prepass=False, lookahead=False).counters.lps


def test_chebyshev_and_feasibility_lps_by_hand():
    # P: 0.1 <= u <= 0.3, v <= 0.95 in the unit square. The Chebyshev LP gives the largest
    # ball (radius 0.1, centre u = 0.2); a feasibility LP gives some point whose smallest
    # slack over P's rows is its margin (a vertex of the shrunken polytope, not the centre)
    net = Network.from_layers([(np.eye(2), np.zeros(2))])
    keys = [(np.array([1.0, 0.0]), 0.3), (np.array([-1.0, 0.0]), -0.1),
            (np.array([0.0, 1.0]), 0.95)]
    s = Searcher(net, Domain.box(0, 1, 2))
    r, x = s.chebyshev(keys)
    assert r == pytest.approx(0.1, abs=1e-9) and x[0] == pytest.approx(0.2, abs=1e-9)
    assert s.counters.lps == 1
    f = Searcher(net, Domain.box(0, 1, 2))
    f.feasibility = True
    r, x = f.chebyshev(keys)
    assert r > f.margin and r == pytest.approx(f._slack(keys, x), abs=1e-15)
    assert r != pytest.approx(0.1, abs=1e-3)
    assert np.all(x >= 0) and np.all(x <= 1) and f.counters.lps == 1
    # an empty P in feasibility mode: the Chebyshev LP decides, one LP more
    r, x = f.chebyshev(keys + [(np.array([-1.0, 0.0]), -0.5)])
    assert not r > f.margin and f.counters.lps == 3


def test_a_search_stopped_and_run_again_keeps_every_point():
    # run() returns at a limit with the pending nodes on the stack; running it again on the
    # same searcher finishes the count: every region once, with its point and margin
    net, dom = _net("leaky", 9), Domain.box(-1, 1, 2)
    want = patterns_exact(net, dom)
    s = Searcher(net, dom, keep_patterns=True, keep_points=True)
    stack = [s.root()]
    for limit in (3, 8, 12):
        assert s.run(stack, Limits(max_regions=limit)) == "region limit"
        assert len(s.counters.points) == len(s.counters.margins) == s.counters.regions
    assert s.run(stack) == "" and not stack
    _check_regions(net, dom, s, want)


def test_thin_regions_near_a_corner_of_a_cube():
    # three inputs: two parallel planes x + y + z = 2.6 and 2.64 near the corner (1, 1, 1) of
    # [-1, 1]^3 (a slab far from the centre, thinner than its distance to it) cut by x = y:
    # every recorded point must stay in its slab (it reproduces its pattern)
    W = np.array([[1.0, 1.0, 1.0], [1.0, 1.0, 1.0], [1.0, -1.0, 0.0], [0.0, 0.2, -1.0]])
    net = Network.from_layers([(W, np.array([-2.6, -2.64, 0.0, 0.1]))])
    dom = Domain.box(-1, 1, 3)
    for sw in SWITCHES:
        s = _search(net, dom, **sw)
        c = s.counters
        # x + y + z = 2.6 and 2.64 (parallel, 3 slabs), x = y and z = 0.2 y + 0.1 crossing
        # everything: the slab near the corner is where a point can slip out
        assert c.regions == len({as_bytes(p) for p in c.patterns})
        for p, x in zip(c.patterns, np.array(c.points)):
            assert np.all(np.abs(x) < 1) and np.array_equal(_pattern_of(net, x), p)
        assert any(p[1] == 1 for p in c.patterns)          # the far corner was reached


def test_step_across_one_row():
    # the step-across heuristic on the unit square, by hand: from x = (0.5, 0.5) across the
    # row 2 u <= 0.6 (u <= 0.3) along its normal; a row of P keeps u >= 0.28, so only the
    # first, shortest step lands inside (it overshoots the row by 10 margins)
    net = Network.from_layers([(np.eye(2), np.zeros(2))])
    s = Searcher(net, Domain.box(0, 1, 2))
    x = np.array([0.5, 0.5])
    keys = ((np.array([-1.0, 0.0]), -0.28),)
    rows = ((np.array([2.0, 0.0]), 0.6),)
    got = s._step_across(keys, x, rows)
    assert got is not None
    y, slack = got
    assert 0.28 < y[0] < 0.3 and y[1] == 0.5
    assert slack == pytest.approx(min(0.6 - 2 * y[0], y[0] - 0.28), abs=1e-15)
    assert slack > s.margin
    # without the row of P every step is inside: the largest slack wins (the longest step
    # that the box allows, clipped at u = 0)
    y, slack = s._step_across((), x, rows)
    assert y.tolist() == [0.0, 0.5] and slack == pytest.approx(0.6)
    # a row of P that no step can meet (u >= 0.45 and u <= 0.3): no point
    assert s._step_across(((np.array([-1.0, 0.0]), -0.45),), x, rows) is None
    # a row that x already meets cannot be stepped across (its value rises along -a only
    # when a = 0): nothing to gain, no point
    assert s._step_across((), x, ((np.zeros(2), 0.6),)) is None
    # at the box's side the step along the normal is cut: x on u = 0, the row -u <= -0.4
    # asks for u >= 0.4: the step goes inwards
    y, slack = s._step_across((), np.array([0.0, 0.5]), ((np.array([-1.0, 0.0]), -0.4),))
    assert y[0] > 0.4 and y[1] == 0.5 and slack == pytest.approx(y[0] - 0.4)
    # a row whose normal points out of the box at x (u <= 0.3 from u = 1... stepping to
    # u < 1 along -a is allowed); stepping along +u from u = 1 would be cut
    y, _ = s._step_across((), np.array([1.0, 0.5]), ((np.array([1.0, 0.0]), 0.3),))
    assert y[0] < 0.3


def test_step_across_keeps_to_the_domain_half_spaces():
    # the half-space u + v <= 0.9 of the domain is a row of P for the heuristic: the longest
    # steps that leave it are not taken
    net = Network.from_layers([(np.eye(2), np.zeros(2))])
    s = Searcher(net, Domain([0.0, 0.0], [1.0, 1.0], A=[[1.0, 1.0]], b=[0.9]))
    x = np.array([0.3, 0.3])
    rows = ((np.array([0.0, -1.0]), -0.35),)            # v >= 0.35
    y, slack = s._step_across((), x, rows)
    assert y[1] > 0.35 and y[0] == 0.3 and y[0] + y[1] < 0.9
    assert slack == pytest.approx(min(y[1] - 0.35, (0.9 - y[0] - y[1]) / np.sqrt(2)))


def test_step_across_at_the_sides_of_the_box():
    # at a side of the box the step along the normal is cut in the coordinate that would
    # leave the box; a row of P leaves room only for the first step
    net = Network.from_layers([(np.eye(2), np.zeros(2))])
    s = Searcher(net, Domain.box(0, 1, 2))
    # at u = 0 the normal of u + v <= 0.2 points out in u: step in v only, to v = 0.2
    y, slack = s._step_across(((np.array([0.0, -1.0]), -0.18),), np.array([0.0, 0.5]),
                              ((np.array([1.0, 1.0]), 0.2),))
    assert y[0] == 0.0 and 0.18 < y[1] < 0.2 and slack > s.margin
    # at u = 1 the normal of -u - v <= -1.8 points out in u: step in v only, to v = 0.8
    y, slack = s._step_across(((np.array([0.0, 1.0]), 0.82),), np.array([1.0, 0.5]),
                              ((np.array([-1.0, -1.0]), -1.8),))
    assert y[0] == 1.0 and 0.8 < y[1] < 0.82 and slack > s.margin
    # at u = 0 a normal pointing into the box is kept: -0.5 u <= -0.2 asks for u >= 0.4
    y, slack = s._step_across((), np.array([0.0, 0.5]), ((np.array([-0.5, 0.0]), -0.2),))
    assert y[0] > 0.4 and y[1] == 0.5 and slack == pytest.approx(0.5 * y[0] - 0.2)
    # a row that cannot be stepped across (zero normal) is skipped, the next one is used
    rows = ((np.zeros(2), 0.6), (np.array([2.0, 0.0]), 0.6))
    y, slack = s._step_across((), np.array([0.5, 0.5]), rows)
    assert y[0] < 0.3 and slack == pytest.approx(0.6 - 2 * y[0])


def test_filter_pool_by_hand():
    net = Network.from_layers([(np.eye(2), np.zeros(2))])
    s = Searcher(net, Domain.box(0, 1, 2))
    m = s.margin
    X = np.array([[0.1, 0.1], [0.5, 0.5], [0.9, 0.2]])
    S = np.array([0.1, 0.4, 0.05])
    # the row u <= 0.6: the third point leaves, the second's slack drops to 0.1
    X2, S2 = s._filter_pool((X, S), [(np.array([1.0, 0.0]), 0.6)])
    assert X2.tolist() == [[0.1, 0.1], [0.5, 0.5]] and S2 == pytest.approx([0.1, 0.1])
    # extra points: only those with a finite slack above the margin join
    extra = [(np.array([0.3, 0.3]), 0.2), (np.array([0.7, 0.7]), m / 2),
             (np.array([0.4, 0.4]), math.inf), ([0.2, 0.6], 0.15)]
    X3, S3 = s._filter_pool((X, S), (), extra)
    assert X3.tolist() == X.tolist() + [[0.3, 0.3], [0.2, 0.6]]
    assert S3.tolist() == S.tolist() + [0.2, 0.15]
    # into an empty pool
    X4, S4 = s._filter_pool((np.zeros((0, 2)), np.zeros(0)), [(np.array([1.0, 0.0]), 0.6)],
                            [(np.array([0.3, 0.3]), 0.2)])
    assert X4.tolist() == [[0.3, 0.3]] and S4.tolist() == [0.2]
    # at most _POOL_MAX points, the ones with the largest slacks
    from regioncount.enumeration.search import _POOL_MAX
    n = _POOL_MAX + 5
    big = (np.arange(2 * n, dtype=float).reshape(n, 2) / (2 * n), (np.arange(n) + 1.0) / n)
    X5, S5 = s._filter_pool(big, ())
    assert len(S5) == _POOL_MAX and sorted(S5.tolist()) == sorted(big[1][-_POOL_MAX:].tolist())
    assert {tuple(r) for r in X5} == {tuple(r) for r in big[0][-_POOL_MAX:]}
    X6, S6 = s._filter_pool((big[0][:_POOL_MAX], big[1][:_POOL_MAX]), ())
    assert len(S6) == _POOL_MAX


def test_decide_takes_an_lp_only_when_no_known_point_proves_the_piece():
    net = Network.from_layers([(np.eye(2), np.zeros(2))])
    s = Searcher(net, Domain.box(0, 1, 2))
    calls = _counting_lp(s)
    keys = ((np.array([-1.0, 0.0]), -0.1),)                  # P: u >= 0.1
    x, r = np.array([0.5, 0.5]), 0.4
    rows = [(np.array([1.0, 0.0]), 0.3)]                     # the piece u <= 0.3
    # the pool's first point is outside the piece, its second inside: no LP, the second
    X = np.array([[0.35, 0.5], [0.2, 0.5], [0.25, 0.9]])
    S = np.array([0.25, 0.1, 0.1])
    y, sl = s._decide(keys, x, r, (X, S), rows)
    assert y.tolist() == [0.2, 0.5] and sl == pytest.approx(0.1) and calls == []
    # x itself proves the other piece
    y, sl = s._decide(keys, x, r, (X, S), [(np.array([-1.0, 0.0]), -0.3)])
    assert y is x and sl == pytest.approx(0.2) and calls == []
    # no known point: one LP, its centre
    y, sl = s._decide(keys, x, r, (np.zeros((0, 2)), np.zeros(0)), rows)
    assert len(calls) == 1 and s.counters.lps == 1
    assert 0.1 < y[0] < 0.3 and sl == pytest.approx(0.1, abs=1e-7)
    # with the heuristic a step across proves it: no LP
    s.heuristic = True
    y, sl = s._decide(keys, x, r, (np.zeros((0, 2)), np.zeros(0)), rows)
    assert len(calls) == 1 and 0.1 < y[0] < 0.3 and sl > s.margin
    # an empty piece (u <= 0.05 inside u >= 0.1): the LP says so
    s.heuristic = False
    assert s._decide(keys, x, r, (X, S), [(np.array([1.0, 0.0]), 0.05)]) is None
    assert len(calls) == 2


def test_every_piece_below_the_margin_keeps_p_whole(caplog):
    # P is the slab 0.35 < u < 0.65 (radius 0.15) and the unit's row cuts it at u = 0.45:
    # with a margin of 0.12 neither piece (radii 0.05 and 0.1) counts, so P is kept whole on
    # the piece of the largest radius, with its own point, and the search says so
    net = Network.from_layers([(np.eye(2), np.zeros(2))])
    keys = ((np.array([-1.0, 0.0]), -0.35), (np.array([1.0, 0.0]), 0.65))
    x, r = np.array([0.5, 0.5]), 0.15
    small = (1, [(np.array([1.0, 0.0]), 0.45)])            # u <= 0.45: radius 0.05
    big = (0, [(np.array([-1.0, 0.0]), -0.45)])             # u >= 0.45: radius 0.1
    empty = (np.zeros((0, 2)), np.zeros(0))
    s = Searcher(net, Domain.box(0, 1, 2))
    s.lp                                  # the LP keeps the usual margin: it reports radii
    s.margin = 0.12
    with caplog.at_level("DEBUG", logger="regioncount.enumeration.search"):
        got = s._nonempty_pieces(3, [small, big], keys, x, r, empty)
    assert len(got) == 1
    value, rows, y, rr = got[0]
    assert value == 0 and rows == () and y is x and rr == r
    assert [rec.getMessage() for rec in caplog.records] == \
        ["region tree: every piece of unit 3 is below the margin"]
    # the other order of the pieces: the same choice
    got = s._nonempty_pieces(3, [big, small], keys, x, r, empty)
    assert [g[0] for g in got] == [0]


def test_feasibility_points_stay_in_the_polytope():
    """The case that found the bug: feasibility LPs on a polytope whose box centre is outside;
    every recorded point lies in the domain with a positive margin, and the count equals the
    default search's."""
    from regioncount.network import Affine, Input, Relu

    rng = np.random.default_rng(5)
    W1, b1 = rng.normal(size=(5, 2)), rng.normal(size=5) * .5
    W2, b2 = rng.normal(size=(4, 5)), rng.normal(size=4) * .5
    net = Network([Input(size=2), Affine(size=5, sources=(0,), weights=(W1,), bias=b1),
                   Relu(size=5, source_index=1), Affine(size=4, sources=(2,), weights=(W2,),
                                                         bias=b2),
                   Relu(size=4, source_index=3)])
    dom = Domain([-1.0, -1.0], [1.0, 1.0], A=[[1.0, 1.0]], b=[-0.3])
    got = {}
    for feas in (False, True):
        s = Searcher(net, dom, keep_points=True)
        s.feasibility = feas
        stack = [s.root()]
        s.run(stack)
        X = np.array(s.counters.points).reshape(-1, 2)
        assert np.all(X.sum(axis=1) < -0.3) and np.all(np.abs(X) < 1)
        assert np.all(np.array(s.counters.margins) > 0)
        got[feas] = s.counters.regions
    assert got[True] == got[False]
