"""Many cells of the vertex method in shared arrays, split by one hyperplane each at once.

A *cell* is a convex polytope held by its vertices, the incidence of every vertex (the rows of the
cell's description that are tight there, a bit set over global row ids: the box faces, the
domain's rows and every switching line of the network) and its edges (pairs of local vertex
indices). :class:`CellSet` keeps any number of cells in a few arrays (an arena: a split writes
the two halves at the end and leaves the parent's space dead until :meth:`CellSet.compact`), and
:func:`split` cuts a whole set of cells, each by its own hyperplane, in a fixed number of numpy
calls (docs/count.md, "The vertex method"):

1. the signed distances ``s`` of the vertices (unit-norm rows) put each vertex on the positive
   side, the negative side or on the hyperplane (``|s| <= REGION_MARGIN``: a vertex where more
   than ``d`` hyperplanes meet, a zero bias, a hyperplane through a box corner; it joins both
   halves); a cell is split only when it has vertices beyond the margin on both sides;
2. every edge whose endpoints have strictly opposite signs gets a new vertex, whose incidence is
   the endpoints' common rows plus the new one, set combinatorially, never from coordinates;
3. the new edges inside the hyperplane join the vertices on it that pass the combinatorial
   adjacency test (Fukuda and Prodon 1996): two vertices of a polytope are adjacent exactly when
   no other vertex is tight on every row the two share. It holds for any description, so
   degenerate vertices need no perturbation. Two shortcuts decide most pairs without the third
   vertex: fewer than ``d - 1`` shared rows rules a pair out, and when one of the two vertices
   has exactly ``d`` tight rows (they are then independent) ``d - 1`` shared rows span an edge,
   whose two endpoints these are.
"""

from __future__ import annotations

from itertools import product

import numpy as np

from .. import tolerances as tol

#: Candidate vertex pairs of the adjacency test handled in one batch (memory: a few words each).
PAIR_BATCH = 1 << 20


def ranges(starts: np.ndarray, lens: np.ndarray) -> np.ndarray:
    """The concatenation of ``arange(s, s + n)`` for every ``(s, n)``."""
    lens = np.asarray(lens, np.int64)
    total = int(lens.sum())
    if total == 0:
        return np.zeros(0, np.int64)
    offs = np.cumsum(lens) - lens
    return np.repeat(np.asarray(starts, np.int64) - offs, lens) + np.arange(total)


#: Set bits of every byte value (numpy before 2.0 has no ``bitwise_count``).
_BYTE_BITS = np.unpackbits(np.arange(256, dtype=np.uint8)[:, None], axis=1).sum(axis=1)


def _bits(col: np.ndarray) -> np.ndarray:
    """Set bits of each entry of a uint64 vector."""
    if hasattr(np, "bitwise_count"):
        return np.bitwise_count(col).astype(np.int64)
    b = np.ascontiguousarray(col, dtype=np.uint64).view(np.uint8).reshape(len(col), 8)
    return _BYTE_BITS[b].sum(axis=1).astype(np.int64)


def popcount(Z: np.ndarray) -> np.ndarray:
    """Set bits per row of a (n, words) uint64 array.

    >>> popcount(np.array([[3, 2 ** 63], [0, 255]], dtype=np.uint64)).tolist()
    [3, 8]
    """
    out = _bits(Z[:, 0])
    for w in range(1, Z.shape[1]):
        out += _bits(Z[:, w])
    return out


def row_bits(rows: np.ndarray, words: int) -> tuple[np.ndarray, np.ndarray]:
    """``(word, mask)`` of each row id."""
    rows = np.asarray(rows, np.int64)
    return rows // 64, np.left_shift(np.uint64(1), (rows % 64).astype(np.uint64))


def box_cell(lo: np.ndarray, hi: np.ndarray, words: int):
    """``(V, Z, E)`` of the box ``[lo, hi]``: 2^d corners, the face rows ``2i`` (``x_i >=
    lo_i``) and ``2i + 1`` (``x_i <= hi_i``) tight where they hold, edges between corners one
    bit apart."""
    d = len(lo)
    bits = np.array(list(product((0, 1), repeat=d)), bool).reshape(-1, d)
    V = np.where(bits, hi, lo).astype(float)
    Z = np.zeros((len(V), words), np.uint64)
    for i in range(d):
        for r, on in ((2 * i, ~bits[:, i]), (2 * i + 1, bits[:, i])):
            w, m = row_bits(np.array([r]), words)
            Z[on, w[0]] |= m[0]
    diff = (bits[:, None, :] != bits[None, :, :]).sum(axis=2)
    i, j = np.nonzero(np.triu(diff == 1))
    return V, Z, np.column_stack([i, j]).astype(np.int32)


class CellSet:
    """Cells in shared arrays: vertices ``V`` (n, d), incidence ``Z`` (n, words) uint64 and
    edges ``E`` (m, 2) int32 local to their cell; cell ``c`` owns vertices ``vs[c] ..
    vs[c] + vn[c]`` and edges ``es[c] .. es[c] + en[c]``, and ``anc[c]`` is its row in the
    stage's table (the cell it descends from at the start of the stage)."""

    def __init__(self, d: int, words: int):
        self.d, self.words = d, words
        self.V = np.empty((0, d))
        self.Z = np.empty((0, words), np.uint64)
        self.E = np.empty((0, 2), np.int32)
        self.nv = self.ne = self.nc = 0
        self.vs = np.empty(0, np.int64)
        self.vn = np.empty(0, np.int64)
        self.es = np.empty(0, np.int64)
        self.en = np.empty(0, np.int64)
        self.anc = np.empty(0, np.int64)
        self.live_v = self.live_e = 0

    # -- storage ------------------------------------------------------------------------------
    def nbytes(self) -> int:
        """Bytes held (dead space included)."""
        return int(self.V.nbytes + self.Z.nbytes + self.E.nbytes + 5 * 8 * len(self.vs))

    @staticmethod
    def _grow(a: np.ndarray, need: int) -> np.ndarray:
        if need <= len(a):
            return a
        out = np.empty((max(need, 2 * len(a), 16),) + a.shape[1:], a.dtype)
        out[:len(a)] = a
        return out

    def _put_vertices(self, V, Z) -> int:
        start = self.nv
        self.V = self._grow(self.V, start + len(V))
        self.Z = self._grow(self.Z, start + len(V))
        self.V[start:start + len(V)] = V
        self.Z[start:start + len(V)] = Z
        self.nv += len(V)
        return start

    def _put_edges(self, E) -> int:
        start = self.ne
        self.E = self._grow(self.E, start + len(E))
        self.E[start:start + len(E)] = E
        self.ne += len(E)
        return start

    def add(self, V, Z, vlen, E, elen, anc) -> np.ndarray:
        """Append cells (their vertices, then edges, concatenated in cell order); returns their
        ids."""
        slots = np.arange(self.nc, self.nc + len(vlen))
        for name in ("vs", "vn", "es", "en", "anc"):
            setattr(self, name, self._grow(getattr(self, name), self.nc + len(vlen)))
        self.nc += len(vlen)
        self._assign(slots, V, Z, vlen, E, elen)
        self.anc[slots] = anc
        return slots

    def _assign(self, slots, V, Z, vlen, E, elen) -> None:
        v0 = self._put_vertices(V, Z)
        e0 = self._put_edges(E)
        vlen = np.asarray(vlen, np.int64)
        elen = np.asarray(elen, np.int64)
        self.vs[slots] = v0 + np.cumsum(vlen) - vlen
        self.vn[slots] = vlen
        self.es[slots] = e0 + np.cumsum(elen) - elen
        self.en[slots] = elen
        self.live_v += int(vlen.sum())
        self.live_e += int(elen.sum())

    def new_slots(self, k: int, anc) -> np.ndarray:
        """``k`` new (empty) cells descending from ``anc``."""
        slots = np.arange(self.nc, self.nc + k)
        for name in ("vs", "vn", "es", "en", "anc"):
            setattr(self, name, self._grow(getattr(self, name), self.nc + k))
        self.nc += k
        self.vn[slots] = self.en[slots] = 0
        self.anc[slots] = anc
        return slots

    def write(self, vcells, V, Z, ecells, E, m: int):
        """Write the vertices and edges of ``m`` new cells at the end of the arena; each of
        them comes in groups (arrays sorted by cell, with their cell ids ``vcells`` /
        ``ecells``) that are laid out by cell, the groups in order inside each cell. Returns
        what :meth:`place` needs."""
        (vpos, vtot, vstart), (epos, etot, estart) = (_interleave(vcells, m),
                                                     _interleave(ecells, m))
        nv, ne = int(vtot.sum()), int(etot.sum())
        v0, e0 = self.nv, self.ne
        self.V = self._grow(self.V, v0 + nv)
        self.Z = self._grow(self.Z, v0 + nv)
        self.E = self._grow(self.E, e0 + ne)
        for p, x, z in zip(vpos, V, Z):
            self.V[v0 + p] = x
            self.Z[v0 + p] = z
        for p, e in zip(epos, E):
            self.E[e0 + p] = e
        self.nv += nv
        self.ne += ne
        return v0 + vstart, vtot, e0 + estart, etot

    def place(self, slots, vs, vn, es, en) -> None:
        """Point the cells ``slots`` at contents written by :meth:`write`."""
        self.live_v += int(vn.sum() - self.vn[slots].sum())
        self.live_e += int(en.sum() - self.en[slots].sum())
        self.vs[slots], self.vn[slots], self.es[slots], self.en[slots] = vs, vn, es, en

    def vertex_index(self, cells=None) -> np.ndarray:
        cells = np.arange(self.nc) if cells is None else cells
        return ranges(self.vs[cells], self.vn[cells])

    def take(self, cells: np.ndarray, spare: float = 1.0) -> "CellSet":
        """A new, compact set holding copies of the cells ``cells`` (in that order), with room
        for ``spare`` times as much again."""
        out = CellSet(self.d, self.words)
        vi = self.vertex_index(cells)
        ei = ranges(self.es[cells], self.en[cells])
        nv, ne, nc = len(vi), len(ei), len(cells)
        out.V = np.empty((int(nv * (1 + spare)) + 16, self.d))
        out.Z = np.empty((len(out.V), self.words), np.uint64)
        out.E = np.empty((int(ne * (1 + spare)) + 16, 2), np.int32)
        np.take(self.V, vi, axis=0, out=out.V[:nv])
        np.take(self.Z, vi, axis=0, out=out.Z[:nv])
        np.take(self.E, ei, axis=0, out=out.E[:ne])
        out.vn, out.en, out.anc = self.vn[cells], self.en[cells], self.anc[cells]
        out.vs, out.es = np.cumsum(out.vn) - out.vn, np.cumsum(out.en) - out.en
        out.nv, out.ne, out.nc = nv, ne, nc
        out.live_v, out.live_e = nv, ne
        return out

    def compact(self, force: bool = False) -> None:
        """Drop the dead space when it is twice the live data (or always with ``force``)."""
        if not force and self.nv <= 3 * self.live_v + 4096 and self.ne <= 3 * self.live_e + 8192:
            return
        other = self.take(np.arange(self.nc))
        self.__dict__.update(other.__dict__)


def split(cs: CellSet, cells: np.ndarray, a: np.ndarray, b: np.ndarray,
          rid: np.ndarray) -> np.ndarray:
    """Cut every cell ``cells[i]`` by the hyperplane ``a[i] x + b[i] = 0`` (``a[i]`` unit
    norm, row id ``rid[i]``) where it has vertices beyond the margin on both sides: the part
    ``>= 0`` stays in the cell's slot, the part ``<= 0`` is a new cell. Returns the ids of the
    cells that were split."""
    if not len(cells):
        return cells
    eps = tol.REGION_MARGIN
    vn = cs.vn[cells]
    vidx = ranges(cs.vs[cells], vn)
    seg = np.repeat(np.arange(len(cells)), vn)
    s = np.einsum("ij,ij->i", cs.V[vidx], a[seg]) + b[seg]
    starts = np.cumsum(vn) - vn
    crossed = np.logical_or.reduceat(s > eps, starts) & np.logical_or.reduceat(s < -eps, starts)
    if not crossed.any():
        return cells[:0]
    cidx = np.flatnonzero(crossed)
    keep = crossed[seg]
    _split_crossed(cs, cells[cidx], vidx[keep], s[keep], rid[cidx])
    return cells[cidx]


def _interleave(groups: list, m: int):
    """Positions of the entries of several groups (each a cell id array sorted by cell) in a
    layout by cell, the groups in order inside each cell; returns ``(positions, per-cell
    totals, per-cell starts)``."""
    cnts = [np.bincount(g, minlength=m) for g in groups]
    tot = np.sum(cnts, axis=0) if cnts else np.zeros(m, np.int64)
    start = np.cumsum(tot) - tot
    off = start.copy()
    pos = []
    for g, cnt in zip(groups, cnts):
        pos.append(off[g] + np.arange(len(g)) - (np.cumsum(cnt) - cnt)[g])
        off += cnt
    return pos, tot, start


def _rank(keep: np.ndarray, seg: np.ndarray, m: int) -> np.ndarray:
    """For entries sorted by cell ``seg``: the index of each kept entry among the kept ones of
    its cell (garbage where not kept)."""
    c = np.cumsum(keep) - keep
    first = np.searchsorted(seg, np.arange(m))
    return c - c[np.minimum(first, len(c) - 1)][seg]


def _split_crossed(cs: CellSet, slots, gv, gs, rid) -> None:
    """:func:`split` on cells that are crossed: ``gv`` their vertices (arena indices, in cell
    order) and ``gs`` the signed distances there."""
    d, m, w = cs.d, len(slots), cs.words
    eps = tol.REGION_MARGIN
    gvn = cs.vn[slots]
    gseg = np.repeat(np.arange(m), gvn)
    cen = cs.en[slots]
    eseg = np.repeat(np.arange(m), cen)
    Eg = cs.E[ranges(cs.es[slots], cen)] + (np.cumsum(gvn) - gvn)[eseg][:, None]
    P, N = gs > eps, gs < -eps
    zer = ~(P | N)
    e0, e1 = Eg[:, 0], Eg[:, 1]
    cross = (P[e0] & N[e1]) | (N[e0] & P[e1])
    c0, c1 = e0[cross], e1[cross]
    nseg = eseg[cross]
    nn = len(c0)
    v0, v1 = gv[c0], gv[c1]
    t = (gs[c0] / (gs[c0] - gs[c1]))[:, None]
    V0 = cs.V[v0]
    Vn = V0 + t * (cs.V[v1] - V0)
    bw, bm = row_bits(rid, w)
    Zn = cs.Z[v0] & cs.Z[v1]
    Zn[np.arange(nn), bw[nseg]] |= bm[nseg]
    nrank = np.arange(nn) - np.searchsorted(nseg, np.arange(m))[nseg]
    # the vertices on the hyperplane, per cell: the old ones, then the new ones
    zi = np.flatnonzero(zer)
    zs = gseg[zi]
    (pz, pn), _, _ = _interleave([zs, nseg], m)
    Zh = np.empty((len(zi) + nn, w), np.uint64)
    Zh[pz] = cs.Z[gv[zi]]
    Zh[pz, bw[zs]] |= bm[zs]
    Zh[pn] = Zn
    hcell = np.empty(len(zi) + nn, np.int64)
    hcell[pz], hcell[pn] = zs, nseg
    I, J = adjacent_pairs(Zh, hcell, d)
    both_zero = zer[e0] & zer[e1]
    out = []
    for side, other in ((P, N), (N, P)):
        keep = ~other
        loc = _rank(keep, gseg, m)
        newloc = np.bincount(gseg[keep], minlength=m)[nseg] + nrank
        hloc = np.empty(len(hcell), np.int64)
        hloc[pz], hloc[pn] = loc[zi], newloc
        plain = ~cross & ~both_zero & keep[e0] & keep[e1]
        ends = np.where(side[c0], c0, c1)
        edges = [np.column_stack([loc[e0[plain]], loc[e1[plain]]]),
                 np.column_stack([loc[ends], newloc]), np.column_stack([hloc[I], hloc[J]])]
        ki = np.flatnonzero(keep)
        ks = gseg[ki]
        Zk = cs.Z[gv[ki]]
        zk = np.flatnonzero(zer[ki])
        Zk[zk, bw[ks[zk]]] |= bm[ks[zk]]
        out.append(cs.write([ks, nseg], [cs.V[gv[ki]], Vn], [Zk, Zn],
                            [eseg[plain], nseg, hcell[I]], edges, m))
    cs.place(slots, *out[0])
    cs.place(cs.new_slots(m, cs.anc[slots]), *out[1])


def adjacent_pairs(Zh: np.ndarray, hcell: np.ndarray, d: int):
    """The new edges inside the cutting hyperplanes: pairs ``(I, J)`` of entries of ``Zh``
    (incidence of the vertices on the hyperplane, sorted by cell ``hcell``) of the same cell
    that pass the combinatorial adjacency test."""
    empty = np.zeros(0, np.int64)
    if len(hcell) < 2:
        return empty, empty
    first = np.flatnonzero(np.r_[True, hcell[1:] != hcell[:-1]])
    size = np.diff(np.r_[first, len(hcell)])
    g0 = np.repeat(first, size)                 # start of each entry's group
    gend = g0 + np.repeat(size, size)
    cnt = gend - np.arange(len(hcell)) - 1      # partners after each entry
    pz = popcount(Zh)
    out_i, out_j = [], []
    csum = np.cumsum(cnt)
    lo = 0
    while lo < len(hcell):                      # batches of at most PAIR_BATCH pairs
        hi = int(np.searchsorted(csum, (csum[lo - 1] if lo else 0) + PAIR_BATCH, "right"))
        hi = max(hi, lo + 1)
        I, J = _pairs(Zh, pz, g0, gend, cnt, lo, hi, d)
        out_i.append(I)
        out_j.append(J)
        lo = hi
    return np.concatenate(out_i), np.concatenate(out_j)


def _pairs(Zh, pz, g0, gend, cnt, lo, hi, d):
    """Adjacent pairs ``(I, J)`` (``I`` in ``lo .. hi``, ``J`` after it in its group)."""
    c = cnt[lo:hi]
    I = np.repeat(np.arange(lo, hi), c)
    J = I + 1 + (np.arange(len(I)) - np.repeat(np.cumsum(c) - c, c))
    S = Zh[I] & Zh[J]
    ok = popcount(S) >= d - 1
    I, J, S = I[ok], J[ok], S[ok]
    hard = np.flatnonzero((pz[I] != d) & (pz[J] != d))
    if not len(hard):
        return I, J
    # both vertices degenerate: no third vertex of the cell may hold every shared row
    size = gend[I[hard]] - g0[I[hard]]
    K = np.repeat(np.arange(len(hard)), size)
    k = np.repeat(g0[I[hard]], size) + (np.arange(len(K)) - np.repeat(np.cumsum(size) - size, size))
    holds = ~np.any(S[hard][K] & ~Zh[k], axis=1) & (k != I[hard][K]) & (k != J[hard][K])
    blocked = np.zeros(len(I), bool)
    blocked[hard[K[holds]]] = True
    return I[~blocked], J[~blocked]
