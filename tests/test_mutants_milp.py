"""Tests written against the mutants of regioncount/milp/formulation.py and encodings.py
(benchmarks/mutation.py, docs/benchmarks.md "Mutation score"), for every PWL kind:

- with the input fixed, every column of the model (values, binaries, clip slacks) is pinned to
  the network's own forward pass (a loose big-M leaves some column free: the minimum and the
  maximum of a random objective then differ);
- the LP relaxation of a ReLU is exactly its convex hull: with the input fixed, ``h`` ranges
  from ``max(g, 0)`` to the chord ``u (g - l) / (u - l)`` of the interval bounds computed here;
- the margin of each region of a one-input, one-layer network is the largest distance, inside
  the region's interval, to the nearest breakpoint of an unstable unit (capped by the margin
  bound), computed from the exact intervals of the 1-D sweep of tests/oracles.py; the margin of
  the start point is that distance at the point;
- Serra et al.'s no-good loop finds exactly the patterns of the polygon oracle;
- a no-good cut excludes its pattern and nothing else; ``fix_pattern`` makes an impossible
  pattern infeasible.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from regioncount import Domain, Network
from regioncount.backends import Status, get_backend
from regioncount.errors import DomainError, RegioncountError
from regioncount.milp.formulation import MARGIN_BOUND, encode
from regioncount.network import Affine, Clip, HardSigmoid, Input, LeakyRelu, MaxGroups, Relu
from regioncount.tolerances import REGION_MARGIN

from oracles import as_bytes, patterns_exact, sweep_1d


def _aff(n_in, W, b, src):
    W = np.asarray(W, float).reshape(len(b), n_in)
    return Affine(size=len(b), sources=(src,), weights=(W,), bias=np.asarray(b, float))


def _pwl(kind, n, src):
    if kind == "relu":
        return Relu(size=n, source_index=src)
    if kind == "leaky":
        return LeakyRelu(size=n, source_index=src, alpha=np.linspace(0.1, 0.4, n))
    if kind == "clip":                       # a two-piece clip each side, and a three-piece one
        lo = np.array([-0.3, -np.inf, -0.2, -0.5, -0.1, -0.4][:n])
        hi = np.array([0.4, 0.2, np.inf, 0.5, 0.3, 0.1][:n])
        return Clip(size=n, source_index=src, lo=lo, hi=hi)
    if kind == "hard_sigmoid":
        return HardSigmoid(size=n, source_index=src, alpha=np.array([1.5, -0.8, 2.0, 1.0,
                                                                     -1.2, 0.9][:n]),
                           beta=np.array([0.5, 0.4, 0.6, 0.5, 0.3, 0.5][:n]))
    # max: a pair, a triple (the last entry repeated)
    assert n >= 4
    ptr = np.array([0, 2, n + 1])
    return MaxGroups(size=2, source_index=src, indptr=ptr,
                     indices=np.concatenate([np.arange(n), [n - 1]]))


KINDS = ["relu", "leaky", "clip", "hard_sigmoid", "max"]


def _two_layer(kind, seed, n_in=2, h1=4, h2=3):
    """Input, affine, ``kind``, affine over the PWL outputs and the input (a residual), ReLU,
    affine."""
    rng = np.random.default_rng(seed)
    st = [Input(size=n_in), _aff(n_in, rng.normal(size=(h1, n_in)), rng.normal(size=h1) * .4, 0),
          _pwl(kind, h1, 1)]
    m = st[-1].size
    st.append(Affine(size=h2, sources=(2, 0), weights=(rng.normal(size=(h2, m)),
                                                       rng.normal(size=(h2, n_in)) * .5),
                     bias=rng.normal(size=h2) * .4))
    st += [Relu(size=h2, source_index=3), _aff(h2, rng.normal(size=(2, h2)), np.zeros(2), 4)]
    return Network(st)


def _highs(model):
    be = get_backend("highs")
    be.load(model)
    return be


# -- every column pinned by the input ----------------------------------------------------------

@pytest.mark.parametrize("kind", KINDS)
def test_the_input_pins_every_column(kind):
    net = _two_layer(kind, 1)
    dom = Domain.box(-1, 1, 2)
    enc = encode(net, dom)
    assert enc.model.num_integer == enc.binary_cols.size > 0
    be = _highs(enc.model)
    rng = np.random.default_rng(0)
    objectives = rng.normal(size=(2, enc.model.num_cols))
    for x in dom.sample(4, rng):
        be.set_col_bounds(enc.input_cols, x, x)
        vals = net.forward(x[None])
        lo_hi = []
        for c in objectives:
            for sense in ("min", "max"):
                be.set_objective(c, sense)
                sol = be.solve()
                assert sol.status is Status.OPTIMAL
                lo_hi.append(sol.objective)
                for k, cols in enumerate(enc.value_cols):
                    np.testing.assert_allclose(sol.x[cols], vals[k][0], atol=1e-6)
                got, want = enc.pattern_from(sol.x), net.pattern(x)
                assert [p.tolist() for p in got] == [p.tolist() for p in want]
                assert [p.dtype for p in got] == [p.dtype for p in want]
        assert lo_hi[0] == pytest.approx(lo_hi[1], abs=1e-6)
        assert lo_hi[2] == pytest.approx(lo_hi[3], abs=1e-6)
        s = enc.start(x)
        assert enc.model.violation(s) < 1e-9
        np.testing.assert_allclose(s, sol.x, atol=1e-6)     # start is the pinned solution


def test_the_relaxation_is_the_convex_hull():
    W = np.array([[1.0, 0.5], [-1.0, 2.0], [0.3, -0.7], [0.0, 1.0]])
    b = np.array([0.2, -0.1, 0.0, 3.0])                 # the last unit is stably active
    net = Network.from_layers([(W, b)], final=(np.ones((1, 4)), np.zeros(1)))
    dom = Domain.box([-1.0, -0.5], [1.0, 1.5])
    l = b + np.minimum(W * dom.lo, W * dom.hi).sum(axis=1)
    u = b + np.maximum(W * dom.lo, W * dom.hi).sum(axis=1)
    enc = encode(net, dom, relax=True)
    assert enc.model.num_integer == 0 and enc.binary_cols.size == 0
    be = _highs(enc.model)
    h = enc.value_cols[2]
    for x in (np.array([0.1, 0.2]), np.array([-0.9, 1.2]), np.array([0.8, -0.4])):
        be.set_col_bounds(enc.input_cols, x, x)
        g = W @ x + b
        for i in range(4):
            c = np.zeros(enc.model.num_cols)
            c[h[i]] = 1.0
            be.set_objective(c, "max")
            hi = be.solve().objective
            be.set_objective(c, "min")
            lo = be.solve().objective
            assert lo == pytest.approx(max(g[i], 0.0), abs=1e-7)
            want = g[i] if l[i] >= 0 else u[i] * (g[i] - l[i]) / (u[i] - l[i])
            assert hi == pytest.approx(want, abs=1e-7)
    # a leaky unit: the chord from (l, a l) to (u, u), and h >= a g
    leaky = Network.from_layers([(W[:2], b[:2])], activation="leaky_relu", alpha=0.25)
    enc = encode(leaky, dom, relax=True)
    be = _highs(enc.model)
    x = np.array([0.1, 0.2])
    be.set_col_bounds(enc.input_cols, x, x)
    g = W[:2] @ x + b[:2]
    for i in range(2):
        c = np.zeros(enc.model.num_cols)
        c[enc.value_cols[2][i]] = 1.0
        be.set_objective(c, "max")
        hi = be.solve().objective
        be.set_objective(c, "min")
        lo = be.solve().objective
        a = 0.25
        assert lo == pytest.approx(max(g[i], a * g[i]), abs=1e-7)
        chord = a * l[i] + (u[i] - a * l[i]) * (g[i] - l[i]) / (u[i] - l[i])
        assert hi == pytest.approx(chord, abs=1e-7)


# -- the margin, against the exact 1-D sweep ------------------------------------------------------

def _one_d(kind):
    """A one-input network with one PWL stage whose every unit (group) is unstable on [-1, 1]
    (breakpoints inside), and the rows of its margin: per unit, the normalised distances to
    its breakpoints, as (weight, offset, breakpoints) with the input's pre-activation
    ``g = w x + c``."""
    w = np.array([1.0, -2.0, 0.5, 1.5, -1.0])
    c = np.array([0.1, 0.3, -0.05, -0.2, 0.07])
    net = Network([Input(size=1), _aff(1, w, c, 0), _pwl(kind, 5, 1),
                   _aff(_pwl(kind, 5, 1).size, np.ones(_pwl(kind, 5, 1).size), [0.0], 2)])
    return net, w, c


def _margin_lines(kind, net, w, c, pattern):
    """Lines ``s x + t`` whose minimum is the margin at ``x`` on the region of ``pattern``."""
    lines = []
    if kind == "max":
        st = net.stages[2]
        for gi in range(st.size):
            members = st.indices[st.indptr[gi]:st.indptr[gi + 1]]
            p = members[pattern[gi]]
            for q in set(members.tolist()) - {p}:
                n = abs(w[p] - w[q])
                lines.append(((w[p] - w[q]) / n, (c[p] - c[q]) / n))
        return lines
    st = net.stages[2]
    if kind in ("relu", "leaky"):
        for i in range(5):
            n = abs(w[i])
            sgn = 1.0 if pattern[i] == 1 else -1.0
            lines.append((sgn * w[i] / n, sgn * c[i] / n))
        return lines
    lo, hi = st.bounds3[0], st.bounds3[1]
    for i in range(5):
        n = abs(w[i])
        if pattern[i] == 0:
            lines.append((-w[i] / n, (lo[i] - c[i]) / n))
        elif pattern[i] == 2:
            lines.append((w[i] / n, (c[i] - hi[i]) / n))
        else:
            if np.isfinite(lo[i]):
                lines.append((w[i] / n, (c[i] - lo[i]) / n))
            if np.isfinite(hi[i]):
                lines.append((-w[i] / n, (hi[i] - c[i]) / n))
    return lines


def _max_min(lines, a, b):
    """max over x in [a, b] of min over the lines (exact for this concave function)."""
    xs = [a, b]
    for (s1, t1), (s2, t2) in itertools.combinations(lines, 2):
        if s1 != s2:
            x = (t2 - t1) / (s1 - s2)
            if a <= x <= b:
                xs.append(x)
    return max(min(s * x + t for s, t in lines) for x in xs)


@pytest.mark.parametrize("kind", KINDS)
def test_margin_of_every_region_in_one_dimension(kind):
    net, w, c = _one_d(kind)
    dom = Domain.box(-1, 1, 1)
    enc = encode(net, dom, margin=True)
    assert np.all(enc.stable_piece[2] < 0)             # every unit is unstable, as designed
    be = _highs(enc.model)
    pieces = sweep_1d(net, dom)
    assert len(pieces) >= 4
    small = encode(net, dom, margin=True, margin_bound=0.02)
    be_small = _highs(small.model)
    for t0, t1, pattern in pieces:
        a, b = float(t0), float(t1)
        lines = _margin_lines(kind, net, w, c, pattern)
        want = min(MARGIN_BOUND, _max_min(lines, a, b))
        pat = [np.array(pattern)]
        cols, lb, ub = enc.fix_pattern(pat)
        be.set_col_bounds(cols, lb, ub)
        sol = be.solve()
        assert sol.status is Status.OPTIMAL
        assert sol.objective == pytest.approx(want, abs=1e-7)
        be.set_col_bounds(cols, 0.0, 1.0)
        cols, lb, ub = small.fix_pattern(pat)
        be_small.set_col_bounds(cols, lb, ub)
        assert be_small.solve().objective == pytest.approx(min(0.02, want), abs=1e-7)
        be_small.set_col_bounds(cols, 0.0, 1.0)
        # the start at a point of the region: the margin there
        x = np.array([a + (b - a) * 0.3])
        s = enc.start(x)
        assert s[enc.margin_col] == pytest.approx(
            min(MARGIN_BOUND, min(sv * x[0] + tv for sv, tv in lines)), abs=1e-9)
        assert enc.model.violation(s) < 1e-9
    # the whole count: the no-good loop finds the sweep's patterns
    assert _nogood_patterns(net, dom) == {as_bytes(p) for _, _, p in pieces}


def test_a_start_on_a_boundary_has_margin_zero():
    net, w, c = _one_d("relu")
    enc = encode(net, Domain.box(-1, 1, 1), margin=True)
    s = enc.start(np.array([-0.1]))               # unit 0: g = x + 0.1 = 0
    assert s[enc.margin_col] == 0.0 and enc.model.violation(s) < 1e-9


# -- counts ----------------------------------------------------------------------------------

def _nogood_patterns(net, dom, limit=300):
    enc = encode(net, dom, margin=True)
    be = _highs(enc.model)
    seen = set()
    for _ in range(limit):
        s = be.solve()
        if s.status is not Status.OPTIMAL or s.objective <= REGION_MARGIN:
            return seen
        p = enc.pattern_from(s.x)
        key = as_bytes(np.concatenate(p))
        assert key not in seen
        seen.add(key)
        row, lb = enc.nogood(p)
        be.add_rows(row, lb, np.inf)
    raise AssertionError("no-good loop did not finish")


@pytest.mark.parametrize("kind", KINDS)
def test_nogood_loop_finds_the_oracle_patterns(kind):
    net = _two_layer(kind, 3 if kind == "hard_sigmoid" else 2, h1=4 if kind == "max" else 3, h2=2)
    dom = Domain.box(-1, 1, 2)
    want = patterns_exact(net, dom)
    assert 10 < len(want) < 40
    assert _nogood_patterns(net, dom) == want


def test_nogood_loop_on_a_polytope():
    net = _two_layer("relu", 3, h1=4, h2=2)
    dom = Domain([-1.0, -1.0], [1.0, 1.0], A=[[1.0, 1.0], [-1.0, 0.5]], b=[0.5, 0.6])
    want = patterns_exact(net, dom)
    assert len(want) > 3
    assert _nogood_patterns(net, dom) == want


# -- cuts and fixed patterns ---------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["relu", "clip", "max"])
def test_a_nogood_cut_excludes_its_pattern_only(kind):
    net = _two_layer(kind, 4, h1=4, h2=2)
    enc = encode(net, Domain.box(-1, 1, 2))
    units = [(k, st) for k, st in enc.stable_piece.items()]
    # every combination of pieces of the unstable units (the stable ones at their piece)
    choices = []
    for k, st in units:
        pc = enc.piece_cols[k]
        for i in range(st.size):
            if st[i] >= 0:
                choices.append([int(st[i])])
            elif enc.implied[k]:
                choices.append([0, 1])
            else:
                choices.append([q for q in range(pc.shape[1]) if pc[i, q] >= 0])
    sizes = [st.size for _, st in units]
    combos = list(itertools.product(*choices))
    assert len(combos) > 4
    rng = np.random.default_rng(0)
    for target in [combos[j] for j in rng.choice(len(combos), 4, replace=False)]:
        tp = np.split(np.array(target), np.cumsum(sizes)[:-1])
        row, lb = enc.nogood(tp)
        # sum over z = 1 of (1 - z) plus sum over z = 0 of z: coefficients -1 and +1
        cols_t, vals_t, _ = enc.fix_pattern(tp)
        coef = row.toarray()[0]
        assert np.all(coef[cols_t] == np.where(vals_t > 0, -1.0, 1.0))
        assert np.count_nonzero(coef) == len(cols_t) and lb == 1.0 - np.sum(vals_t > 0)
        for other in combos:
            op = np.split(np.array(other), np.cumsum(sizes)[:-1])
            cols, vals, _ = enc.fix_pattern(op)
            x = np.zeros(enc.model.num_cols)
            x[cols] = vals
            assert (float((row @ x)[0]) >= lb - 1e-9) == (other != target)


def test_fix_pattern_refuses_impossible_patterns():
    # unit 0 is stably active on [0, 1], unit 1 unstable
    net = Network.from_layers([(np.array([[1.0], [1.0]]), np.array([1.0, -0.5]))])
    dom = Domain.box(0, 1, 1)
    enc = encode(net, dom, margin=True)
    be = _highs(enc.model)
    for bad in ([0, 1], [1, 2], [1, -1]):
        cols, lb, ub = enc.fix_pattern([np.array(bad)])
        assert cols[-1] == enc.margin_col and lb[-1] == 1.0 and ub[-1] == 0.0
        be.set_col_bounds(cols, lb, ub)
        assert be.solve().status is Status.INFEASIBLE
        be.set_col_bounds(cols, enc.model.col_lb[cols], enc.model.col_ub[cols])
    cols, lb, ub = enc.fix_pattern([np.array([1, 1])])
    assert lb.tolist() == ub.tolist() == [1.0]
    be.set_col_bounds(cols, lb, ub)
    sol = be.solve()
    assert sol.status is Status.OPTIMAL and sol.objective == pytest.approx(0.5 / 1.0)
    # without a margin column the empty range goes on the first input column
    plain = encode(net, dom)
    cols, lb, ub = plain.fix_pattern([np.array([0, 0])])
    assert cols[-1] == plain.input_cols[0] and (lb[-1], ub[-1]) == (1.0, 0.0)
    # a max piece that is not a candidate: entry 1 (x - 5) never wins on [0, 1]
    mx = Network([Input(size=1), _aff(1, [1.0, 1.0, -1.0], [0.0, -5.0, 0.2], 0),
                  MaxGroups(size=1, source_index=1, indptr=np.array([0, 3]),
                            indices=np.arange(3))])
    enc = encode(mx, dom, margin=True)
    assert enc.piece_cols[2][0, 1] == -1
    cols, lb, ub = enc.fix_pattern([np.array([1])])
    assert (lb[-1], ub[-1]) == (1.0, 0.0)
    cols, lb, ub = enc.fix_pattern([np.array([2])])
    be = _highs(enc.model)
    be.set_col_bounds(cols, lb, ub)
    sol = be.solve()                       # 0.2 - x > x on [0, 0.1): half of 0.1 / sqrt(2) / ...
    assert sol.status is Status.OPTIMAL and sol.objective == pytest.approx(0.1, abs=1e-7)


def test_patterns_of_the_wrong_shape_are_refused():
    net = _two_layer("relu", 5)
    enc = encode(net, Domain.box(-1, 1, 2))
    with pytest.raises(RegioncountError,
                       match=r"^pattern has 1 stages, the encoding 2 PWL stages$"):
        enc.nogood([np.zeros(4)])
    with pytest.raises(RegioncountError,
                       match=r"^pattern for stage 4 has 2 units, expected 3$"):
        enc.fix_pattern([np.zeros(4), np.zeros(2)])


# -- options and refusals --------------------------------------------------------------------------

def test_encode_options_and_refusals():
    net = _two_layer("clip", 6)
    dom = Domain.box(-1, 1, 2)
    with pytest.raises(DomainError, match=r"^domain has 3 coordinates, the network takes 2$"):
        encode(net, Domain.box(-1, 1, 3))
    with pytest.raises(ValueError, match="^the margin needs the binaries: relax=True and "
                                         "margin=True do not mix$"):
        encode(net, dom, relax=True, margin=True)
    with pytest.raises(ValueError, match="^margin_bound must be positive$"):
        encode(net, dom, margin=True, margin_bound=0.0)
    part = encode(net, dom, upto=3)
    assert part.value_cols[3] is None and part.value_cols[2] is not None
    with pytest.raises(RegioncountError, match="^this encoding stops before the network output$"):
        part.output_cols
    assert part.start(np.array([0.2, -0.3])).shape == (part.model.num_cols,)
    from regioncount.intervals import interval_bounds
    nb = interval_bounds(net, dom)
    full = encode(net, dom, bounds=nb)
    assert full.bounds is nb and full.margin_rows.dtype.kind == "i"
    assert full.pre_cols(2).tolist() == full.value_cols[1].tolist()
    assert full.pre_cols(4).tolist() == full.value_cols[3].tolist()
    assert full.margin_col is None and full.margin_rows.size == 0
    assert full.model.obj.tolist() == [0.0] * full.model.num_cols
    m = encode(net, dom, margin=True, margin_bound=0.5)
    assert m.model.col_lb[m.margin_col] == 0.0 and m.model.col_ub[m.margin_col] == 0.5
    assert m.model.obj[m.margin_col] == 1.0 and m.margin_rows.size > 0
    # a leaky slope above 1 is not max(a y, y)
    bad = Network([Input(size=1), _aff(1, [1.0], [0.0], 0),
                   LeakyRelu(size=1, source_index=1, alpha=np.array([1.5]))])
    with pytest.raises(RegioncountError,
                       match=r"^stage 2: leaky ReLU slope above 1 is not max\(a\*y, y\)$"):
        encode(bad, Domain.box(-1, 1, 1))


def test_stable_units_of_every_kind_are_pinned_without_binaries():
    # on [-1, 1]: g = x + 5 > 0 and g = x - 5 < 0 for every x; each kind on both (the max
    # over x, x + 4 and x - 6: x + 4 wins everywhere)
    g_w = np.ones(10)
    g_b = np.array([5.0, -5.0, 5.0, -5.0, 5.0, -5.0, 0.0, 4.0, -6.0, 0.0])
    # one affine per kind, each picking its units
    def pick(idx):
        W = np.zeros((len(idx), 10))
        W[np.arange(len(idx)), idx] = 1.0
        return W
    st = [Input(size=1), _aff(1, g_w, g_b, 0)]
    kinds = [Relu(size=2, source_index=2),
             LeakyRelu(size=2, source_index=4, alpha=np.array([0.2, 0.3])),
             Clip(size=2, source_index=6, lo=np.array([-1.0, -1.0]), hi=np.array([1.0, 1.0])),
             HardSigmoid(size=2, source_index=8, alpha=np.array([1.0, 1.0]),
                         beta=np.array([0.5, 0.5])),
             MaxGroups(size=1, source_index=10, indptr=np.array([0, 3]),
                       indices=np.array([0, 1, 2]))]
    picks = [[0, 1], [2, 3], [4, 5], [4, 5], [6, 7, 8]]
    outs = []
    for kind, idx in zip(kinds, picks):
        st.append(Affine(size=len(idx), sources=(1,), weights=(pick(idx),),
                         bias=np.zeros(len(idx))))
        st.append(kind)
        outs.append(len(st) - 1)
    sizes = [st[k].size for k in outs]
    st.append(Affine(size=1, sources=tuple(outs),
                     weights=tuple(np.ones((1, n)) for n in sizes), bias=np.zeros(1)))
    net = Network(st)
    dom = Domain.box(-1, 1, 1)
    enc = encode(net, dom, margin=True)
    assert enc.model.num_integer == 0 and enc.margin_rows.size == 0
    assert [enc.stable_piece[k].tolist() for k in outs] == \
        [[1, 0], [1, 0], [2, 0], [2, 0], [1]]
    be = _highs(enc.model)
    for x in (np.array([-0.7]), np.array([0.2]), np.array([0.9])):
        be.set_col_bounds(enc.input_cols, x, x)
        vals = net.forward(x[None])
        for sense in ("min", "max"):
            c = np.random.default_rng(1).normal(size=enc.model.num_cols)
            c[enc.margin_col] = 0.0
            be.set_objective(c, sense)
            sol = be.solve()
            assert sol.status is Status.OPTIMAL
            for k, cols in enumerate(enc.value_cols):
                np.testing.assert_allclose(sol.x[cols], vals[k][0], atol=1e-7)
        s = enc.start(x)
        assert enc.model.violation(s) < 1e-9
        # no unstable unit: the margin is its upper bound everywhere
        assert s[enc.margin_col] == MARGIN_BOUND
    # a no-good cut over no binaries excludes the one pattern: 0 >= 1
    row, lb = enc.nogood(net.pattern(np.array([0.0])))
    assert row.nnz == 0 and lb == 1.0
    assert enc.binary_cols.size == 0 and enc.binary_cols.dtype == np.int64
    cols, lb, ub = enc.fix_pattern(net.pattern(np.array([0.0])))
    assert cols.size == lb.size == ub.size == 0


def test_fix_pattern_checks_stable_inactive_units_and_every_stage():
    # stage 2: relu(x + 5) (stably active), relu(x - 5) (stably inactive); stage 4: an
    # unstable relu of stage 2's first output, relu(h - 5.2) on [-1, 1]
    net = Network([Input(size=1), _aff(1, [1.0, 1.0], [5.0, -5.0], 0),
                   Relu(size=2, source_index=1), _aff(2, [1.0, 0.0], [-5.2], 2),
                   Relu(size=1, source_index=3)])
    dom = Domain.box(-1, 1, 1)
    enc = encode(net, dom, margin=True)
    assert enc.stable_piece[2].tolist() == [1, 0] and enc.stable_piece[4].tolist() == [-1]
    be = _highs(enc.model)
    for bad in ([1, 1], [0, 0]):
        cols, lb, ub = enc.fix_pattern([np.array(bad), np.array([1])])
        assert (lb[-1], ub[-1]) == (1.0, 0.0)
    # a good pattern fixes the binary of the second stage (the first has none)
    cols, lb, ub = enc.fix_pattern([np.array([1, 0]), np.array([1])])
    assert cols.tolist() == enc.piece_cols[4][:, 1].tolist() and lb.tolist() == [1.0]
    be.set_col_bounds(cols, lb, ub)
    sol = be.solve()       # x - 0.2 > 0 on (0.2, 1]: margin 0.8 at x = 1 (no row at the box)
    assert sol.status is Status.OPTIMAL and sol.objective == pytest.approx(0.8, abs=1e-7)


def test_the_relaxation_of_clip_and_max_brackets_the_network():
    for kind in ("clip", "max", "hard_sigmoid"):
        net = _two_layer(kind, 7)
        dom = Domain.box(-1, 1, 2)
        enc = encode(net, dom, relax=True)
        assert enc.model.num_integer == 0 and enc.model.num_cols > 0
        exact = encode(net, dom)
        assert exact.model.num_integer > 0
        be = _highs(enc.model)
        x = np.array([0.3, -0.6])
        be.set_col_bounds(enc.input_cols, x, x)
        want = net.evaluate(x)
        for j in range(2):
            c = np.zeros(enc.model.num_cols)
            c[enc.output_cols[j]] = 1.0
            be.set_objective(c, "min")
            lo = be.solve().objective
            be.set_objective(c, "max")
            hi = be.solve().objective
            assert lo <= want[j] + 1e-7 and want[j] - 1e-7 <= hi


@pytest.mark.parametrize("side", ["upper", "lower"])
def test_one_sided_clips_margin(side):
    # min(g, hi) (no lower breakpoint: no piece 0 anywhere) or max(g, lo): the margin at a
    # point is the smallest distance to a breakpoint, rows of the absent side are none
    w, c = np.array([1.0, -2.0, 0.5]), np.array([0.1, 0.3, -0.05])
    inf = np.full(3, np.inf)
    bp = np.array([0.2, -0.1, 0.0])
    clip = Clip(size=3, source_index=1, lo=-inf if side == "upper" else bp,
                hi=bp if side == "upper" else inf)
    net = Network([Input(size=1), _aff(1, w, c, 0), clip, _aff(3, np.ones(3), [0.0], 2)])
    dom = Domain.box(-1, 1, 1)
    enc = encode(net, dom, margin=True)
    assert np.all(enc.stable_piece[2] < 0) and enc.margin_rows.dtype.kind == "i"
    assert enc.margin_rows.size == 6                  # two pieces a unit, one row each
    be = _highs(enc.model)
    for x in (-0.8, -0.3, 0.45, 0.9):
        g = w * x + c
        want = min(MARGIN_BOUND, float(np.min(np.abs(g - bp) / np.abs(w))))
        s = enc.start(np.array([x]))
        assert s[enc.margin_col] == pytest.approx(want, abs=1e-12)
        assert enc.model.violation(s) < 1e-9
        be.set_col_bounds(enc.input_cols, [x], [x])
        sol = be.solve()
        assert sol.objective == pytest.approx(want, abs=1e-7)


def test_column_names_follow_the_stages():
    # the model's columns are named after what they hold (model files, debugging): the input
    # x, the margin f, stage k's outputs s<k>, its binaries z<k> (clip pieces z<k>_0,
    # z<k>_1, z<k>_2) and the clip slacks s<k>_lo, s<k>_hi
    rng = np.random.default_rng(0)
    W = np.array([[1.0, 0.5], [-1.0, 1.0]])
    net = Network([Input(size=2), _aff(2, W, [0.1, -0.2], 0),
                   Clip(size=2, source_index=1, lo=np.array([-0.5, -0.5]),
                        hi=np.array([0.5, 0.5])),
                   _aff(2, rng.normal(size=(2, 2)), [0.0, 0.1], 2),
                   Relu(size=2, source_index=3)])
    enc = encode(net, Domain.box(-1, 1, 2), margin=True)
    names = enc.model.names
    assert [names[c] for c in enc.input_cols] == ["x[0]", "x[1]"]
    assert names[enc.margin_col] == "f[0]"
    for k in (1, 2, 3, 4):
        assert [names[c] for c in enc.value_cols[k]] == [f"s{k}[{i}]" for i in range(2)]
    pc = enc.piece_cols[2]
    assert [names[c] for c in pc[:, 1]] == ["z2_1[0]", "z2_1[1]"]
    assert [names[c] for c in pc[:, 0]] == ["z2_0[0]", "z2_0[1]"]
    assert [names[c] for c in pc[:, 2]] == ["z2_2[0]", "z2_2[1]"]
    S, sc, T, tc, _, _ = enc._aux[2]
    assert [names[c] for c in sc] == ["s2_lo[0]", "s2_lo[1]"]
    assert [names[c] for c in tc] == ["s2_hi[0]", "s2_hi[1]"]
    z = enc.piece_cols[4][:, 1]
    assert [names[c] for c in z[z >= 0]] == [f"z4[{i}]" for i in range(int((z >= 0).sum()))]
    mx = Network([Input(size=1), _aff(1, [1.0, -1.0, 0.5], [0.0, 0.1, 0.0], 0),
                  MaxGroups(size=1, source_index=1, indptr=np.array([0, 3]),
                            indices=np.arange(3))])
    e = encode(mx, Domain.box(-1, 1, 1))
    assert [e.model.names[c] for c in e.piece_cols[2][0] if c >= 0] == ["z2[0]", "z2[1]",
                                                                          "z2[2]"]
    assert e.model.names[e.value_cols[2][0]] == "s2[0]"


@pytest.mark.parametrize("kind", KINDS)
def test_binaries_are_zero_one_integers_and_nothing_else_is(kind):
    net = _two_layer(kind, 4)
    for margin in (False, True):
        enc = encode(net, Domain.box(-1, 1, 2), margin=margin)
        m, b = enc.model, enc.binary_cols
        assert b.size > 0 and np.all(m.integer[b]) and m.integer.sum() == b.size
        assert np.all(m.col_lb[b] == 0.0) and np.all(m.col_ub[b] == 1.0)
