"""Tests written against the mutants of regioncount/enumeration/vertex_cells.py
(benchmarks/mutation.py, docs/benchmarks.md "Mutation score"): the bit counts of the incidence
sets, on both paths (numpy 2's ``bitwise_count`` and the byte table numpy 1 uses)."""

from __future__ import annotations

import numpy as np
import pytest

from regioncount.enumeration import vertex_cells as vc

#: words with known numbers of set bits
WORDS = np.array([0, 1, 3, 2**63, 2**64 - 1, 0x0123456789ABCDEF, 255 << 56], dtype=np.uint64)
BITS = [0, 1, 2, 1, 64, 32, 8]


@pytest.mark.parametrize("numpy1", [False, True])
def test_set_bits_of_each_word_and_each_row(numpy1, monkeypatch):
    if numpy1:                  # the byte-table path of numpy before 2.0
        monkeypatch.delattr(np, "bitwise_count", raising=False)
    got = vc._bits(WORDS)
    assert got.tolist() == BITS and got.dtype == np.int64
    Z = np.stack([WORDS, WORDS[::-1]], axis=1)
    assert vc.popcount(Z).tolist() == [a + b for a, b in zip(BITS, BITS[::-1])]
    assert vc.popcount(Z[:, :1]).tolist() == BITS
    assert vc._bits(np.zeros(0, np.uint64)).tolist() == []


def test_the_byte_table():
    assert vc._BYTE_BITS.tolist() == [bin(b).count("1") for b in range(256)]


# -- the cell arena and the split, against brute-force polytope geometry ------------------------

from itertools import combinations  # noqa: E402

from scipy.spatial import ConvexHull  # noqa: E402


def _rows(lo, hi, planes, signs):
    """(A, b, ids): the cell ``A x + b >= 0`` (box faces, then the cuts on their sides)."""
    d = len(lo)
    A, b, ids = [], [], []
    for i in range(d):
        e = np.eye(d)[i]
        A += [e, -e]
        b += [-lo[i], hi[i]]
        ids += [2 * i, 2 * i + 1]
    for (a, c, rid), s in zip(planes, signs):
        if s:
            A.append(s * a)
            b.append(s * c)
            ids.append(rid)
    return np.array(A), np.array(b), ids


def _oracle(A, b, ids):
    """Vertices (each with its set of tight row ids) and edges (by the rank of the shared tight
    rows: a face of a polytope has dimension d - rank of the rows tight on it)."""
    d = A.shape[1]
    verts = {}
    for sub in combinations(range(len(A)), d):
        M = A[list(sub)]
        if abs(np.linalg.det(M)) < 1e-9:
            continue
        x = np.linalg.solve(M, -b[list(sub)])
        s = A @ x + b
        if (s >= -1e-9).all():
            verts[tuple(np.round(x, 7))] = frozenset(ids[k] for k in np.flatnonzero(abs(s) <= 1e-9))
    pts = sorted(verts)
    row = {r: A[k] for k, r in enumerate(ids)}
    edges = set()
    for p, q in combinations(pts, 2):
        shared = verts[p] & verts[q]
        rank = np.linalg.matrix_rank(np.array([row[r] for r in shared]), 1e-9) if shared else 0
        if rank == d - 1:
            edges.add((p, q))
    return verts, edges


def _cell(cs, c):
    """Vertices (with their tight row ids) and edges (as coordinate pairs) of cell ``c``."""
    V = cs.V[cs.vs[c]:cs.vs[c] + cs.vn[c]]
    Z = cs.Z[cs.vs[c]:cs.vs[c] + cs.vn[c]]
    keys = [tuple(np.round(v, 7)) for v in V]
    verts = {k: frozenset(w * 64 + bit for w in range(cs.words) for bit in range(64)
                          if int(z[w]) >> bit & 1) for k, z in zip(keys, Z)}
    assert len(verts) == len(keys), "a vertex held twice"
    E = cs.E[cs.es[c]:cs.es[c] + cs.en[c]]
    edges = {tuple(sorted((keys[i], keys[j]))) for i, j in E}
    assert len(edges) == len(E), "an edge held twice"
    return verts, edges


def _cut_all(lo, hi, planes, words, batch=None, monkeypatch=None):
    if batch is not None:
        monkeypatch.setattr(vc, "PAIR_BATCH", batch)
    cs = vc.CellSet(len(lo), words)
    V, Z, E = vc.box_cell(np.array(lo, float), np.array(hi, float), words)
    cs.add(V, Z, [len(V)], E, [len(E)], [7])
    cs.cuts = [set()]           # the planes in each cell's description (those that cut it)
    for a, c, rid in planes:
        cells = np.arange(cs.nc)
        n = len(cells)
        cut = split(cs, cells, np.repeat(a[None, :], n, 0), np.full(n, c), np.full(n, rid))
        for k in cut:           # the part <= 0 of cut k is the next new slot
            cs.cuts[k].add(rid)
            cs.cuts.append(set(cs.cuts[k]))
        assert len(cs.cuts) == cs.nc
    return cs


split = vc.split


def _check(cs, lo, hi, planes):
    """Every cell is its polytope exactly: vertices, incidences and edges; the cells tile the
    box (volumes add up) and their sign vectors are distinct."""
    d = len(lo)
    seen, vol = set(), 0.0
    for c in range(cs.nc):
        assert cs.anc[c] == 7
        V = cs.V[cs.vs[c]:cs.vs[c] + cs.vn[c]]
        mid = V.mean(axis=0)
        signs = []
        for a, b0, _ in planes:
            s = a @ mid + b0
            on = a @ V.T + b0
            signs.append(0 if (on >= -1e-9).all() and not (on > 1e-9).any() else
                         (1 if s > 0 else -1))
            if (on > 1e-9).any() and (on < -1e-9).any():
                raise AssertionError(f"cell {c} is crossed by a plane")
        assert tuple(signs) not in seen
        seen.add(tuple(signs))
        # the description holds only the planes that cut the cell (or one it descends from)
        signs = [s if rid in cs.cuts[c] else 0 for s, (_, _, rid) in zip(signs, planes)]
        want_v, want_e = _oracle(*_rows(lo, hi, planes, signs))
        got_v, got_e = _cell(cs, c)
        assert got_v == want_v
        assert got_e == want_e
        vol += ConvexHull(V).volume if d > 1 else V.max() - V.min()
    assert vol == pytest.approx(np.prod(np.subtract(hi, lo)))


def _unit(v):
    v = np.asarray(v, float)
    return v / np.linalg.norm(v)


def _plane(normal, point, rid):
    a = _unit(normal)
    return a, -float(a @ np.asarray(point, float)), rid


def test_box_cell_corners_faces_and_edges():
    V, Z, E = vc.box_cell(np.array([-1.0, 2.0, 0.0]), np.array([3.0, 5.0, 1.0]), 1)
    assert V.shape == (8, 3) and len(E) == 12 and E.dtype == np.int32
    for x, z in zip(V, Z):
        tight = {r for r in range(6) if int(z[0]) >> r & 1}
        want = {2 * i if x[i] == lo else 2 * i + 1
                for i, lo in enumerate((-1.0, 2.0, 0.0))}
        assert tight == want
    for i, j in E:
        assert (V[i] != V[j]).sum() == 1
    V, Z, E = vc.box_cell(np.array([0.0]), np.array([2.0]), 2)
    assert V.ravel().tolist() == [0.0, 2.0] and Z.tolist() == [[1, 0], [2, 0]]
    assert E.tolist() == [[0, 1]]


def test_ranges_and_row_bits():
    assert vc.ranges([5, 0, 9], [2, 0, 3]).tolist() == [5, 6, 9, 10, 11]
    assert vc.ranges([4], [0]).tolist() == [] and vc.ranges([], []).dtype == np.int64
    w, m = vc.row_bits(np.array([0, 63, 64, 130]), 3)
    assert w.tolist() == [0, 0, 1, 2]
    assert m.tolist() == [1, 2**63, 1, 4] and m.dtype == np.uint64


@pytest.mark.parametrize("batch", [None, 1, 2, 3])
def test_random_cuts_of_a_square_are_exact(batch, monkeypatch):
    rng = np.random.default_rng(3)
    lo, hi = [-1.0, -0.5], [1.0, 1.5]
    planes = [_plane(rng.normal(size=2), rng.uniform(-0.5, 0.5, 2), 4 + k) for k in range(6)]
    cs = _cut_all(lo, hi, planes, 1, batch, monkeypatch)
    _check(cs, lo, hi, planes)
    assert cs.nc == 1 + 6 + _crossings_2d(lo, hi, planes)


def _crossings_2d(lo, hi, planes):
    """Lines crossing inside the open box (an arrangement in general position has 1 + lines +
    crossings regions)."""
    n = 0
    for (a1, b1, _), (a2, b2, _) in combinations(planes, 2):
        x = np.linalg.solve(np.array([a1, a2]), -np.array([b1, b2]))
        n += bool((x > lo).all() and (x < hi).all())
    return n


@pytest.mark.parametrize("batch", [None, 1, 5])
def test_random_cuts_of_a_cube_over_two_words_are_exact(batch, monkeypatch):
    rng = np.random.default_rng(11)
    lo, hi = [0.0, 0.0, 0.0], [1.0, 2.0, 1.0]
    planes = [_plane(rng.normal(size=3), rng.uniform(0.2, 0.8, 3), 60 + 3 * k)
              for k in range(5)]            # row ids 60 .. 72: two words
    cs = _cut_all(lo, hi, planes, 2, batch, monkeypatch)
    _check(cs, lo, hi, planes)


@pytest.mark.parametrize("batch", [None, 1])
def test_degenerate_cuts_through_a_common_point_and_a_corner(batch, monkeypatch):
    """Four planes through the centre (a vertex with 6 tight rows, pairs decided by a third
    vertex), one through a corner of the cube (a vertex on the plane joins both halves) and one
    that touches the cube only at a corner (it splits nothing)."""
    lo, hi = [-1.0, -1.0, -1.0], [1.0, 1.0, 1.0]
    planes = [_plane([1, 0, 0], [0, 0, 0], 6), _plane([0, 1, 0], [0, 0, 0], 7),
              _plane([0, 0, 1], [0, 0, 0], 8), _plane([1, 1, 1], [0, 0, 0], 9),
              _plane([1, -1, 0], [1, 1, 0], 10), _plane([1, 1, 1], [1, 1, 1], 11)]
    cs = _cut_all(lo, hi, planes, 1, batch, monkeypatch)
    _check(cs, lo, hi, planes)
    # 8 octants; x+y+z=0 cuts the 6 mixed ones; x=y cuts the 4 cells with x,y of equal sign
    # and two of them (x, y > 0 or < 0 with z of mixed sign) again
    assert cs.nc == 8 + 6 + 4 + 2


def test_degenerate_square_cut_through_its_centre_and_corners():
    lo, hi = [0.0, 0.0], [2.0, 2.0]
    planes = [_plane([1, -1], [0, 0], 4), _plane([1, 1], [1, 1], 5), _plane([1, 0], [1, 1], 6),
              _plane([0, 1], [1, 1], 7)]
    cs = _cut_all(lo, hi, planes, 1)
    _check(cs, lo, hi, planes)
    assert cs.nc == 8


def test_split_returns_the_cells_it_cut_and_leaves_the_rest():
    cs = _cut_all([0.0, 0.0], [1.0, 1.0], [], 1)
    V0 = cs.V[:cs.nv].copy()
    a = np.array([[1.0, 0.0]])
    for b in (0.0, -1.0, 0.5, -1.0 - 1e-12):        # on a face, beyond the box: nothing
        got = split(cs, np.array([0]), a, np.array([b]), np.array([4]))
        assert got.tolist() == [] and cs.nc == 1 and (cs.V[:cs.nv] == V0).all()
    got = split(cs, np.array([0]), a, np.array([-0.5]), np.array([4]))
    assert got.tolist() == [0] and cs.nc == 2
    assert split(cs, np.zeros(0, np.int64), a[:0], np.zeros(0), np.zeros(0, np.int64)).size == 0
    # the margin: a plane 1e-10 inside a face leaves the cell whole
    got = split(cs, np.array([1]), -a, np.array([1e-10]), np.array([5]))
    assert got.tolist() == []
    got = split(cs, np.array([0, 1]), np.array([[0.0, 1.0], [0.0, 1.0]]),
                np.array([-0.25, -0.75]), np.array([6, 6]))
    assert got.tolist() == [0, 1] and cs.nc == 4
    assert sorted(cs.anc[:cs.nc].tolist()) == [7, 7, 7, 7]
    assert cs.vn[:4].tolist() == [4, 4, 4, 4] and cs.en[:4].tolist() == [4, 4, 4, 4]


def test_take_and_compact_keep_every_cell():
    rng = np.random.default_rng(5)
    lo, hi = [-1.0, -1.0], [1.0, 1.0]
    planes = [_plane(rng.normal(size=2), rng.uniform(-0.3, 0.3, 2), 4 + k) for k in range(5)]
    cs = _cut_all(lo, hi, planes, 1)
    cells = [_cell(cs, c) for c in range(cs.nc)]
    dead_v, dead_e = cs.nv - cs.live_v, cs.ne - cs.live_e
    assert dead_v > 0 and dead_e > 0             # the parents' space left by each split
    assert cs.live_v == int(cs.vn[:cs.nc].sum()) and cs.live_e == int(cs.en[:cs.nc].sum())
    sub = cs.take(np.array([3, 0]), spare=0.5)
    assert [_cell(sub, c) for c in range(2)] == [cells[3], cells[0]]
    nv = int(cs.vn[[3, 0]].sum())
    assert sub.nv == sub.live_v == nv and len(sub.V) == int(nv * 1.5) + 16
    assert sub.vs.tolist() == [0, int(cs.vn[3])] and sub.nc == 2
    assert sub.nbytes() == sub.V.nbytes + sub.Z.nbytes + sub.E.nbytes + 5 * 8 * 2
    before = cs.nv
    cs.compact()                                 # little dead space: kept as it is
    assert cs.nv == before
    cs.compact(force=True)
    assert cs.nv == cs.live_v and cs.ne == cs.live_e
    assert [_cell(cs, c) for c in range(cs.nc)] == cells
    _check(cs, lo, hi, planes)


def _emptied(n, eper, k):
    """``n`` 1-D cells of one vertex and ``eper`` (storage-only) edges each, the first ``k`` of
    them emptied: ``n`` vertices and ``eper * n`` edges held, ``k`` and ``eper * k`` dead."""
    cs = vc.CellSet(1, 1)
    cs.add(np.arange(n, dtype=float)[:, None], np.ones((n, 1), np.uint64), np.ones(n, int),
           np.zeros((eper * n, 2), np.int32), np.full(n, eper), np.zeros(n, int))
    s = np.arange(k)
    cs.place(s, cs.vs[s], np.zeros(k, np.int64), cs.es[s], np.zeros(k, np.int64))
    assert (cs.nv, cs.live_v, cs.ne, cs.live_e) == (n, n - k, eper * n, eper * (n - k))
    return cs


@pytest.mark.parametrize("n, eper, k, dropped", [
    (4099, 1, 4098, False),    # vertices: 4099 <= 3 * 1 + 4096, just (edges far inside)
    (4100, 1, 4099, True),     # 4100 > 3 * 1 + 4096, by one
    (2051, 4, 2050, False),    # edges: 8204 <= 3 * 4 + 8192, just (vertices far inside)
    (2051, 4, 2051, True),     # 8204 > 0 + 8192
    (4, 8192, 3, False),       # 32768 <= 3 * 8192 + 8192, just
    (4, 8193, 3, True),        # 32772 > 3 * 8193 + 8192, by one
])
def test_compact_drops_dead_space_past_its_threshold(n, eper, k, dropped):
    cs = _emptied(n, eper, k)
    cs.compact()
    assert (cs.nv == n - k) is dropped and (cs.ne == eper * (n - k)) is dropped
    assert cs.nc == n and cs.vn[:n].tolist() == [0] * k + [1] * (n - k)


def test_new_cells_grow_the_arrays():
    cs = vc.CellSet(2, 1)
    slots = cs.new_slots(3, np.array([1, 2, 3]))
    assert slots.tolist() == [0, 1, 2] and cs.vn[:3].tolist() == [0, 0, 0]
    assert cs.anc[:3].tolist() == [1, 2, 3] and len(cs.vs) >= 16
    V, Z, E = vc.box_cell(np.zeros(2), np.ones(2), 1)
    ids = cs.add(np.r_[V, V + 2], np.r_[Z, Z], [4, 4], np.r_[E, E], [4, 4], [8, 9])
    assert ids.tolist() == [3, 4] and cs.vs[3:5].tolist() == [0, 4]
    assert cs.es[3:5].tolist() == [0, 4] and cs.live_v == 8 and cs.live_e == 8
    assert (cs.V[cs.vs[4]:cs.vs[4] + 4] == V + 2).all()
    assert cs.vertex_index(np.array([4, 0, 3])).tolist() == [4, 5, 6, 7, 0, 1, 2, 3]
    assert cs.vertex_index().tolist() == list(range(8))


def test_the_arena_grows_by_doubling_and_counts_what_it_holds():
    cs = vc.CellSet(2, 1)
    assert cs.nbytes() == 0
    V, Z, E = vc.box_cell(np.zeros(2), np.ones(2), 1)
    cs.add(V, Z, [4], E, [4], [0])
    assert len(cs.V) == len(cs.Z) == len(cs.E) == len(cs.vs) == 16
    cs.add(np.tile(V, (3, 1)), np.tile(Z, (3, 1)), [4, 4, 4], np.tile(E, (3, 1)), [4, 4, 4],
           [1, 2, 3])
    assert len(cs.V) == 16 and cs.nv == cs.live_v == 16 and cs.ne == cs.live_e == 16
    assert cs.vs[:4].tolist() == [0, 4, 8, 12] and cs.es[:4].tolist() == [0, 4, 8, 12]
    cs.add(V[:1], Z[:1], [1], E[:0], [0], [4])
    assert len(cs.V) == len(cs.Z) == 32 and len(cs.E) == 16 and cs.nv == 17
    assert cs.nbytes() == 32 * 16 + 32 * 8 + 16 * 8 + 5 * 8 * 16
    sub = cs.take(np.arange(4), spare=0.5)
    assert len(sub.V) == len(sub.Z) == 16 * 3 // 2 + 16 and len(sub.E) == 16 * 3 // 2 + 16
    sub = cs.take(np.arange(4))                 # room for as much again by default
    assert len(sub.V) == len(sub.E) == 2 * 16 + 16


def test_a_segment_split_in_one_dimension():
    lo, hi = [-1.0], [2.0]
    planes = [(np.array([1.0]), -0.5, 2), (np.array([-1.0]), 1.5, 3)]
    cs = _cut_all(lo, hi, planes, 1)
    _check(cs, lo, hi, planes)
    assert cs.nc == 3 and cs.ne == 1 + 2 + 2 and cs.en[:3].tolist() == [1, 1, 1]


def _plane_at(normal, b):
    """A plane with its offset exactly ``b`` (so a vertex at the origin has distance ``b``)."""
    return _unit(normal), float(b)


@pytest.mark.parametrize("sign", [1, -1])
def test_a_vertex_exactly_at_the_margin_is_on_the_plane(sign):
    """The origin at distance exactly +-REGION_MARGIN: on the plane, in both halves, with the
    plane's row; no new vertex beside it."""
    eps = vc.tol.REGION_MARGIN
    a, b = _plane_at([sign, -sign], sign * eps)
    cs = _cut_all([0.0, 0.0], [1.0, 1.0], [], 1)
    assert split(cs, np.array([0]), a[None, :], np.array([b]), np.array([4])).tolist() == [0]
    for c in (0, 1):
        verts, _ = _cell(cs, c)
        assert verts[(0.0, 0.0)] == {0, 2, 4}
        assert len(verts) == 3
    # every other vertex on one side, the origin at the margin: not crossed
    for normal in ([sign, sign], [-sign, -sign]):
        a, b = _plane_at(normal, sign * eps if normal[0] == -sign else -sign * eps)
        got = split(cs, np.array([0]), a[None, :], np.array([b]), np.array([5]))
        assert got.tolist() == [] and cs.nc == 2


#: Incidence of a square u0 u1 u2 u3 in the cutting plane (row 10), each vertex on a second row
#: 11 through the same plane (a duplicate neuron): every vertex is degenerate (4 rows in 3-D)
#: and the diagonals share 2 = d - 1 rows, so only a third vertex holding both rules them out.
#: Sides: rows 0 .. 3 (u_i on sides i and i + 1).
def _square_in_plane():
    rows = [{10, 11, i, (i + 1) % 4} for i in range(4)]
    return rows, {(0, 1), (1, 2), (2, 3), (0, 3)}


def _words(rows, words=1):
    Z = np.zeros((len(rows), words), np.uint64)
    for k, rs in enumerate(rows):
        w, m = vc.row_bits(np.array(sorted(rs)), words)
        for ww, mm in zip(w, m):
            Z[k, ww] |= mm
    return Z


@pytest.mark.parametrize("batch", [None, 1, 2])
def test_degenerate_pairs_need_a_third_vertex(batch, monkeypatch):
    if batch is not None:
        monkeypatch.setattr(vc, "PAIR_BATCH", batch)
    sq, want = _square_in_plane()
    # cell 0: the square; cell 1: a triangle of simple vertices (3 rows each: 20, 21, 22 sides)
    # and one degenerate vertex; cell 2: the square again after a simple vertex
    tri = [{10, 20, 21}, {10, 21, 22}, {10, 20, 22, 23}]
    rows = sq + tri + [{10, 30, 31}] + sq
    hcell = np.array([0] * 4 + [1] * 3 + [2] * 5)
    I, J = vc.adjacent_pairs(_words(rows), hcell, 3)
    got = sorted(zip(I.tolist(), J.tolist()))
    assert got == sorted(list(want) + [(4, 5), (4, 6), (5, 6)] +
                         [(8 + i, 8 + j) for i, j in want])
    I, J = vc.adjacent_pairs(_words([{1, 2}]), np.array([0]), 3)
    assert I.size == J.size == 0


def test_the_pair_batches_are_as_large_as_allowed(monkeypatch):
    """Each batch holds at most PAIR_BATCH candidate pairs (one entry alone may hold more),
    and no batch could take the next entry too."""
    sq, _ = _square_in_plane()
    rows = sq * 3 + [{10, 11, 1}] * 3
    hcell = np.repeat([0, 1, 2, 3], [4, 4, 4, 3])
    cnt = np.concatenate([np.arange(n - 1, -1, -1) for n in (4, 4, 4, 3)])
    full = vc.adjacent_pairs(_words(rows), hcell, 3)
    real = vc._pairs
    for batch in (1, 2, 3, 4, 5, 7):
        seen = []

        def spy(Zh, pz, g0, gend, c, lo, hi, d):
            seen.append((lo, hi))
            return real(Zh, pz, g0, gend, c, lo, hi, d)
        monkeypatch.setattr(vc, "PAIR_BATCH", batch)
        monkeypatch.setattr(vc, "_pairs", spy)
        got = vc.adjacent_pairs(_words(rows), hcell, 3)
        assert [x.tolist() for x in got] == [x.tolist() for x in full]
        assert seen[0][0] == 0 and seen[-1][1] == len(rows)
        for (lo, hi), (lo2, _) in zip(seen, seen[1:] + [(len(rows), None)]):
            assert hi == lo2 and hi > lo
            assert cnt[lo:hi].sum() <= batch or hi == lo + 1
            assert hi == len(rows) or cnt[lo:hi + 1].sum() > batch
