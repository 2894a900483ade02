"""Exact enumeration for low input dimension: vertices and edges of the cells (docs/count.md).

A *cell* is a convex polytope inside the domain, held by its vertices, the incidence of every
vertex with the rows of the cell's description and its edges (:mod:`.vertex_cells`). The cells
are refined stage by stage, as Berzins (ICML 2023) refines the whole complex: on a cell every unit
of the next PWL stage is affine (the stage's input map under the cell's pattern), and each affine
function whose zero set separates the unit's pieces (``switch_lines`` of the stage kind) splits
the cell where it changes sign beyond ``REGION_MARGIN``; the split itself, its degenerate cases
(vertices on the hyperplane) and the combinatorial adjacency test are in
:func:`.vertex_cells.split`.

Everything is done for many cells at once. A *batch* is a set of cells at the start of one PWL
stage; its *table* holds, per cell of the batch (the *ancestor* of every cell it is cut into),
the stage's switching lines as unit-norm rows and the list of the lines that cross it. Pass
``k`` cuts every cell of the batch by the ``k``-th crossing line of its ancestor, in a fixed
number of numpy calls for the whole batch. At the end of the stage the piece of each unit is
read at the vertex mean of every cell (``stage.piece_on_maps``, the pattern numbering itself;
entries of a max group that are the same affine function on the cell, up to ``EQUAL_PIECES_RTOL``
as in the region tree, read as the first of them: one piece, as in docs/regions.md), the next
stage's input
maps are composed for all cells at once, and the cells go on as new batches, depth first. Max
groups are split by the line of every candidate pair, which can cut a region into several
cells: cells are merged by their pattern, and a region counts once.

Each region's certificate is the vertex mean of one of its cells, kept when its slack on the
cell's facet rows that are not box faces (the box is a bound, as in the region tree) is above
``REGION_MARGIN``; otherwise the Chebyshev LP of the cell decides (a cell whose inscribed radius
is not above the margin is a sliver and not a region, the rule of the region tree) and its
centre, moved into the open box, is the certificate. Every certificate is checked to reproduce
its pattern with the network's float forward pass; one it misreads is moved to its cell's
Chebyshev centre, then decided in exact arithmetic (:func:`.certify.confirm_points`), and what
none shows is counted (``extra["unverified_points"]``).

**Memory.** The cells in flight (the batch being cut and the pending ones) are kept below half
the memory budget: a batch that grows past an eighth of it is halved (its cells are
independent), and when the cells of the domain at one stage would not fit at all, the domain is
cut into sub-boxes (bisected along their widest side, depth first), each counted on its own.
A sub-box face is a bound, not a region boundary, so a region's certificate radius is the same
whole or in pieces; a region met by several sub-boxes is counted once: its cells there touch an
inner sub-box face, and the patterns of such cells go through one set (the union of the
sub-boxes' pattern sets is the domain's, docs/regions.md). The record of the regions (packed
patterns, output class and check of each certificate, and with ``keep_points`` the points and
margins) has the other half of the budget; past it the count stops with
``stop_reason="memory budget"``, or, with a spill directory, the record of the finished
sub-boxes goes to disk and the count goes on (:mod:`.vertex_record`: a sub-box whose own
regions do not fit is cut in two; the patterns that may repeat are kept in every copy and made
distinct at the end, bucket by bucket, so no set of them stays in memory). Sub-boxes are the unit of progress and of parallel work
(``workers``, :mod:`.vertex_pool`). A time limit, a region limit or Ctrl-C stops between two
passes with a partial result, as the region tree does.
"""

from __future__ import annotations

import logging
import math
import time
import weakref
from dataclasses import replace
from typing import Callable

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog

from .. import tolerances as tol
from ..domain import Domain
from ..errors import DomainError, RegioncountError
from ..network import Network
from ..stages import Elementwise, MaxGroups, _matmul
from .executors import resolve_workers, unguarded_script
from .limits import Interrupt, Limits
from .lp import toward_centre
from .results import CountResult, Progress
from .checkpoint import CHECKPOINT_EVERY
from .heap import TRIM_EVERY, trim_heap
from .unitbox import unit_box
from .vertex_checkpoint import COUNTERS, VertexCheckpoint
from .vertex_record import Spill, distinct_prefixes, distinct_rows, prefix_counts
from .vertex_cells import CellSet, box_cell, row_bits, split

log = logging.getLogger(__name__)

#: Seconds between two progress callbacks.
PROGRESS_EVERY = 0.5
#: Default memory budget (bytes) of :func:`count_vertex`.
MEMORY_BUDGET = 2 << 30
#: Cells per batch handed from one stage to the next (depth first: the first batch is counted
#: to the end before the next starts).
CHUNK_CELLS = 4096
#: The share of the memory budget for the cells in flight (the rest is for the record).
INFLIGHT_SHARE = 0.5
#: The cells in flight may always take this many bytes, whatever the budget (smaller sub-boxes
#: would only cost time).
MIN_INFLIGHT = 16 << 20
#: Bisections of a sub-box at most (2^-24 of the domain's side over all coordinates).
MAX_SUBBOX_DEPTH = 24
#: Bytes of the values of one batched matrix product (crossing tests, facet counts).
_BLOCK = 32 << 20
#: Bytes of a key of the set of patterns that may repeat, beside the pattern itself: a bytes
#: object's header (33) and a set slot (16 bytes at a load factor down to 0.15 after a resize).
SEEN_ENTRY = 33 + 107


class Cell:
    """One polytope (vertices ``V``, incidence bits ``Z``, edges ``E``), as :func:`unit_cube`
    and :func:`split_all` hand it out."""

    __slots__ = ("V", "Z", "E")

    def __init__(self, V, Z, E):
        self.V, self.Z, self.E = V, Z, E

    def centre(self) -> np.ndarray:
        return self.V.mean(axis=0)


def unit_cube(d: int, lo=None, hi=None) -> Cell:
    """The cell ``[0, 1]^d`` (or the box ``[lo, hi]``)."""
    lo = np.zeros(d) if lo is None else np.asarray(lo, float)
    hi = np.ones(d) if hi is None else np.asarray(hi, float)
    return Cell(*box_cell(lo, hi, (2 * d + 63) // 64))


def split_all(cell: Cell, La: np.ndarray, Lb: np.ndarray, d: int) -> list[Cell]:
    """``cell`` cut by every hyperplane ``La x + Lb = 0`` that crosses it (beyond the margin);
    the rows of the lines get ids after the ``2 d`` box faces."""
    La, Lb = np.atleast_2d(np.asarray(La, float)), np.asarray(Lb, float).ravel()
    n = np.linalg.norm(La, axis=1)
    La, Lb = La / n[:, None], Lb / n
    words = (2 * d + len(Lb) + 63) // 64
    Z = np.zeros((len(cell.V), words), np.uint64)
    Z[:, :cell.Z.shape[1]] = cell.Z
    cs = CellSet(d, words)
    cs.add(cell.V, Z, [len(cell.V)], cell.E, [len(cell.E)], [0])
    for i in range(len(Lb)):
        all_ = np.arange(cs.nc)
        split(cs, all_, np.repeat(La[i:i + 1], cs.nc, 0), np.full(cs.nc, Lb[i]),
              np.full(cs.nc, 2 * d + i))
    out = []
    for c in range(cs.nc):
        vi = cs.vertex_index(np.array([c]))
        E = cs.E[cs.es[c]:cs.es[c] + cs.en[c]]
        out.append(Cell(cs.V[vi].copy(), cs.Z[vi].copy(), E.copy()))
    return out


# -- the network side: stages, their switching lines, batched affine maps ----------------------

def _elementwise_maps(stage, A, c, p):
    """Batched ``map_piece`` of a table-driven elementwise stage (pieces ``p`` (n, units))."""
    _, slopes, offsets = stage.table()
    u = np.arange(stage.size)
    s, o = slopes[u, p], offsets[u, p]
    return A * s[..., None], np.where(s == 0, 0.0, c * s) + o


def _max_maps(stage, A, c, p):
    """Batched ``map_piece`` of max groups: the chosen member of every group."""
    rows = stage.indices[stage.indptr[:-1] + p]
    n = max(len(rows), A.shape[0])
    A = np.broadcast_to(A, (n,) + A.shape[1:])
    c = np.broadcast_to(c, (n,) + c.shape[1:])
    return np.take_along_axis(A, rows[..., None], 1), np.take_along_axis(c, rows, 1)


#: Stage class -> batched ``map_piece(stage, A (n, in, d), c (n, in), pieces (n, units))``; the
#: class of a stage is looked up along its MRO.
BATCH_MAPS: dict = {Elementwise: _elementwise_maps, MaxGroups: _max_maps}


def _batch_maps(stage):
    """The batched ``map_piece`` of a stage's kind."""
    for cls in type(stage).__mro__:
        if cls in BATCH_MAPS:
            return BATCH_MAPS[cls]
    raise RegioncountError(f"--method vertex: no batched map for {stage.kind} stages")


class _StagePlan:
    """One PWL stage: its switching lines as ``L g + beta`` over the stage input ``g``."""

    def __init__(self, net: Network, j: int, k: int, start: int, rid0: int):
        st = net.stages[k]
        self.j, self.k, self.stage, self.start, self.end = j, k, st, start, start + st.size
        self.src = st.inputs[0]
        nin = net.stages[self.src].size
        self.nin = nin
        cand = st.candidates(-np.ones(nin), np.ones(nin))
        lines = st.switch_lines(np.eye(nin), np.zeros(nin), cand)
        self.L = sp.csr_matrix(np.array([l[0] for l in lines], float).reshape(len(lines), nin))
        self.beta = np.array([float(l[1]) for l in lines])
        self.nl = len(lines)
        self.multi = bool(self.nl) and int(np.diff(self.L.indptr).max()) > 1
        #: lines of one unit each: ``val * g[col] + beta``
        self.col = self.val = None
        if self.nl and not self.multi and np.all(np.diff(self.L.indptr) == 1):
            self.col, self.val = self.L.indices.copy(), self.L.data.copy()
        #: line -> its index (the first of equal lines), to match a cell's own lines
        self.index = {}
        for i, (a, b) in enumerate(lines):
            self.index.setdefault((np.asarray(a, float).tobytes(), float(b)), i)
        self.rid0 = rid0
        self.maps = _batch_maps(st)


class _Plan:
    """Everything about the network a count needs, computed once."""

    def __init__(self, net: Network, d: int, nfixed: int):
        self.net, self.d = net, d
        pwl = net.pwl_indices
        sizes = [net.stages[k].size for k in pwl]
        self.start = np.concatenate([[0], np.cumsum(sizes)]).astype(int)
        self.total = int(self.start[-1])
        self.first_line = 2 * d + nfixed
        self.stages: list[_StagePlan] = []
        rid = self.first_line
        for j, k in enumerate(pwl):
            self.stages.append(_StagePlan(net, j, k, int(self.start[j]), rid))
            rid += self.stages[-1].nl
        self.rows = rid
        self.words = max(1, (rid + 63) // 64)
        self.row_stage = np.full(rid, -1, np.int64)
        self.row_line = np.full(rid, -1, np.int64)
        for sp_ in self.stages:
            self.row_stage[sp_.rid0:sp_.rid0 + sp_.nl] = sp_.j
            self.row_line[sp_.rid0:sp_.rid0 + sp_.nl] = np.arange(sp_.nl)
        self.multi = any(s.multi for s in self.stages)
        self.last_use = list(range(len(net.stages)))
        for k, s in enumerate(net.stages):
            for i in s.inputs:
                self.last_use[i] = max(self.last_use[i], k)
        self.abs_w = {k: tuple(abs(W) for W in s.weights) for k, s in enumerate(net.stages)
                      if getattr(s, "weights", None) is not None}
        pieces = max((int(net.stages[k].pieces) for k in pwl), default=1)
        self.pat_dtype = np.int8 if pieces <= 127 else np.int32
        self.packer = _Packer([s.stage for s in self.stages])

    def stage_map(self, i: int, P: np.ndarray, maps: dict):
        """``(A, c, scale)`` of stage ``i``'s output on every cell of a batch (patterns ``P``;
        a leading dimension of 1 is shared by all), cached in ``maps``."""
        got = maps.get(i)
        if got is not None:
            return got
        s = self.net.stages[i]
        d = self.d
        if not s.inputs:
            out = (np.eye(d)[None], np.zeros((1, d)), np.ones((1, d)))
        elif s.is_pwl:
            sp_ = next(t for t in self.stages if t.k == i)
            As, cs_, _ = self.stage_map(s.inputs[0], P, maps)
            A, c = sp_.maps(s, As, cs_, P[:, sp_.start:sp_.end])
            out = (A, c, np.sqrt(np.einsum("nud,nud->nu", A, A)))
        else:
            out = self._affine(i, s, P, maps)
        maps[i] = out
        return out

    def _affine(self, i, s, P, maps):
        A = c = scale = None
        for src, W, aW in zip(s.sources, s.weights, self.abs_w[i]):
            As, cs_, _ = self.stage_map(src, P, maps)
            nb, nin, d = As.shape
            Y = _matmul(W, As.transpose(1, 0, 2).reshape(nin, nb * d))
            Y = Y.reshape(s.size, nb, d).transpose(1, 0, 2)
            cY = _matmul(W, cs_.T).T
            sY = _matmul(aW, np.sqrt(np.einsum("nud,nud->nu", As, As)).T).T
            A = Y if A is None else A + Y
            c = cY if c is None else c + cY
            scale = sY if scale is None else scale + sY
        return A, c + np.asarray(s.bias, float), scale


class _Packer:
    """Patterns as bytes: one bit per unit when every stage has at most two pieces (each stage
    starts a byte, so a prefix of stages is a prefix of bytes), else one value per unit."""

    def __init__(self, stages):
        self.sizes = [s.size for s in stages]
        self.binary = all(int(s.pieces) <= 2 for s in stages)
        big = max((int(s.pieces) for s in stages), default=1) > 127
        self.dtype = np.dtype(np.int32 if big else np.int8)
        per = [(n + 7) // 8 if self.binary else n * self.dtype.itemsize for n in self.sizes]
        self.prefix = np.cumsum([0] + per).astype(int)
        self.nbytes = int(self.prefix[-1])

    def pack(self, P: np.ndarray) -> np.ndarray:
        parts, k = [], 0
        for n in self.sizes:
            block = P[:, k:k + n]
            parts.append(np.packbits(block.astype(bool), axis=1) if self.binary
                         else np.ascontiguousarray(block.astype(self.dtype)).view(np.uint8))
            k += n
        if not parts:
            return np.zeros((len(P), 0), np.uint8)
        return np.ascontiguousarray(np.concatenate(parts, axis=1))

    def unpack(self, B: np.ndarray) -> np.ndarray:
        parts = []
        for j, n in enumerate(self.sizes):
            block = np.ascontiguousarray(B[:, self.prefix[j]:self.prefix[j + 1]])
            parts.append(np.unpackbits(block, axis=1, count=n) if self.binary
                         else block.view(self.dtype))
        if not parts:
            return np.zeros((len(B), 0), np.int32)
        return np.concatenate(parts, axis=1).astype(np.int32)


# -- tables: the lines of one stage on every cell of a batch -----------------------------------

class _Table:
    """Per ancestor cell of a batch at stage ``j``: the stage's lines as unit-norm rows ``T``
    (value ``a x + b``), which of them cross the cell (``lines``, ``ncross``), the stage's input
    map (``A`` with constant units zeroed, ``c``), the patterns of the earlier stages, the maps
    later stages read, and ``up``: the row of each ancestor in the previous stage's table."""

    __slots__ = ("j", "parent", "up", "T", "lines", "ncross", "A", "c", "pattern", "maps",
                 "users", "__weakref__")

    def nbytes(self) -> int:
        n = sum(getattr(self, k).nbytes for k in ("T", "lines", "ncross", "A", "c", "pattern")
                if getattr(self, k) is not None)
        return int(n + sum(sum(x.nbytes for x in v) for v in (self.maps or {}).values()))

    def finish(self) -> None:
        """One batch cut by this table is done; after the last, drop what is needed no more
        (the rows stay for the certificates)."""
        self.users -= 1
        if self.users:
            return
        self.lines = self.ncross = self.A = self.c = self.pattern = self.maps = None


def _by_size(cs: CellSet, width: int):
    """``(cells, V)`` for groups of cells with the same number of vertices ``k`` (``V`` of
    shape (m, k, d)), each group cut so that (m x k x width) values fit in a block."""
    vn = cs.vn[:cs.nc]
    order = np.argsort(vn, kind="stable")
    first = np.flatnonzero(np.r_[True, np.diff(vn[order]) != 0])
    for g0, g1 in zip(first, np.r_[first[1:], len(order)]):
        k = int(vn[order[g0]])
        step = max(1, _BLOCK // (8 * k * max(1, width)))
        for a in range(g0, g1, step):
            cells = order[a:min(g1, a + step)]
            yield cells, cs.V[cs.vs[cells][:, None] + np.arange(k)]


def _line_rows(st: "_StagePlan", Aeff: np.ndarray, c: np.ndarray) -> np.ndarray:
    """The stage's lines on every cell as rows ``(a, b)`` (n, lines, d + 1), value ``a x + b``
    (not normalised)."""
    n, _, d = Aeff.shape
    if st.col is not None:                  # one unit per line: a scaled copy of its row
        T = np.empty((n, st.nl, d + 1))
        T[..., :d] = Aeff[:, st.col, :] * st.val[:, None]
        T[..., d] = c[:, st.col] * st.val + st.beta
        return T
    Ac = np.concatenate([Aeff, c[..., None]], axis=2).transpose(1, 0, 2).reshape(st.nin, -1)
    T = np.asarray(st.L @ Ac).reshape(st.nl, n, d + 1).transpose(1, 0, 2).copy()
    T[..., d] += st.beta
    return T


def build_table(plan: _Plan, j: int, cs: CellSet, P: np.ndarray, maps: dict, parent, up):
    """The :class:`_Table` of a batch of cells ``cs`` entering stage ``j`` (patterns ``P``,
    the maps of its earlier stages ``maps``)."""
    st = plan.stages[j]
    n, d = cs.nc, plan.d
    A, c, scale = plan.stage_map(st.src, P, maps)
    A = np.broadcast_to(A, (n,) + A.shape[1:])
    c = np.ascontiguousarray(np.broadcast_to(c, (n,) + c.shape[1:]))
    norms = np.sqrt(np.einsum("nud,nud->nu", A, A))
    const = norms <= tol.EQUAL_PIECES_RTOL * scale
    Aeff = np.where(const[..., None], 0.0, A) if const.any() else A
    T = _line_rows(st, Aeff, c)
    nrm = np.sqrt(np.einsum("nld,nld->nl", T[..., :d], T[..., :d]))
    smax = norms.max(axis=1) if norms.shape[1] else np.zeros(n)
    act = nrm > tol.EQUAL_PIECES_RTOL * np.maximum(smax, 1e-300)[:, None]
    if st.multi:
        act &= _candidate_lines(st, cs, Aeff, c)
    T *= np.where(act, 1.0 / np.where(act, nrm, 1.0), 0.0)[..., None]
    T[..., d] += ~act                        # a line that is not one: the constant 1
    crossing = np.zeros((n, st.nl), bool)
    eps = tol.REGION_MARGIN
    for cells, V in _by_size(cs, st.nl):
        vals = V @ T[cells, :, :d].transpose(0, 2, 1)
        vals += T[cells, None, :, d]
        crossing[cells] = (vals.max(axis=1) > eps) & (vals.min(axis=1) < -eps)
    t = _Table()
    t.j, t.parent, t.up, t.T, t.users = j, parent, up, T, 1
    t.ncross = crossing.sum(axis=1)
    K = int(t.ncross.max(initial=0))
    t.lines = np.argsort(~crossing, axis=1, kind="stable")[:, :K]
    t.A, t.c, t.pattern = Aeff, c, P
    t.maps = {i: m for i, m in maps.items() if plan.last_use[i] > st.k or i == st.src}
    return t


def _candidate_lines(st: _StagePlan, cs: CellSet, Aeff, c) -> np.ndarray:
    """Which lines of a stage are lines of the cell: the stage's own ``switch_lines`` for its
    candidates on the cell (``stage.candidates`` on the exact range of every input over the
    cell's vertices), matched to the stage's lines."""
    n = cs.nc
    out = np.zeros((n, st.nl), bool)
    eye, zero = np.eye(st.nin), np.zeros(st.nin)
    for cells, V in _by_size(cs, st.nin):
        G = V @ Aeff[cells].transpose(0, 2, 1) + c[cells, None, :]
        lo, hi = G.min(axis=1), G.max(axis=1)
        for r, i in enumerate(cells):
            for a, b in st.stage.switch_lines(eye, zero, st.stage.candidates(lo[r], hi[r])):
                out[i, st.index[(np.asarray(a, float).tobytes(), float(b))]] = True
    return out


# -- the count ---------------------------------------------------------------------------------

class _Overflow(Exception):
    """The cells in flight of one sub-box would pass their share of the memory budget."""


class _Batch:
    """Cells entering (``table`` None) or being cut by stage ``j``: ``k`` passes done."""

    __slots__ = ("cs", "j", "table", "k", "P", "maps", "parent", "up")

    def __init__(self, cs, j, P, maps, parent, up):
        self.cs, self.j, self.P, self.maps, self.parent, self.up = cs, j, P, maps, parent, up
        self.table, self.k = None, 0

    def nbytes(self) -> int:
        n = self.cs.nbytes() + (self.P.nbytes if self.P is not None else 0)
        return int(n + sum(sum(x.nbytes for x in v) for v in (self.maps or {}).values()))


class _Store:
    """The regions found, in chunks: packed patterns ``B``, whether a region may repeat (``F``:
    a max group's cells, cells on an inner sub-box face; their patterns go through ``seen``),
    the output argmax at its certificate (``C``), whether the certificate failed to reproduce
    the pattern (``U``), and with ``keep_points`` the certificates and margins (``X``, ``M``).
    ``mark`` / ``rollback`` undo a sub-box that is cut further. A chunk is *settled* once its
    sub-box is counted to the end (:meth:`settle`): checkpoints keep only settled chunks."""

    FIELDS = ("B", "X", "M", "F", "C", "U")

    def __init__(self, d: int, packer: _Packer, keep_points: bool):
        self.d, self.packer, self.keep_points = d, packer, keep_points
        for k in self.FIELDS:
            setattr(self, k, [])
        self.n = 0
        self.settled: list[bool] = []
        self.seen: set[bytes] = set()
        self._mark = (0, 0, [])
        #: bytes per region of the record: its pattern, flags (F, U) and class (C), and with
        #: ``keep_points`` its point and margin
        self.per_region = packer.nbytes + 6 + (8 * d + 8 if keep_points else 0)
        #: bytes per key in ``seen``: the pattern, a bytes object's header and a set slot at
        #: the lowest load factor of a Python set
        self.per_key = packer.nbytes + SEEN_ENTRY
        #: bytes per region of the end of the count, when ``seen`` is gone: the record copied
        #: into one array, and the sort of the per-layer counts (:func:`prefix_counts`)
        self.per_region_end = self.per_region + 10
        #: why regions of a recorded batch were left out (a region limit, the memory budget)
        self.truncated = ""
        #: the settled regions moved to disk (:meth:`spill`), or None: all in memory
        self.disk: Spill | None = None

    def in_memory(self) -> int:
        return self.n - (self.disk.n if self.disk is not None else 0)

    def nbytes(self) -> int:
        """Bytes the record takes now or at the end of the count, whichever is more (with a
        spill the end counts in buckets of the memory left: no end cost here)."""
        n = self.in_memory()
        if self.disk is not None:
            return n * self.per_region
        return n * self.per_region + max(len(self.seen) * self.per_key,
                                         n * self.per_region_end)

    def room(self, cap: int, flagged: bool) -> int:
        """How many more regions (that may repeat: ``flagged``) fit in ``cap`` bytes."""
        if self.disk is not None:
            return (cap - self.nbytes()) // self.per_region
        per = self.per_region + self.per_region_end + (self.per_key if flagged else 0)
        return (cap - self.nbytes()) // per

    def spill(self) -> bool:
        """Move the record to disk (with a spill directory): the settled chunks, and the ones
        of the sub-box being counted, which :meth:`rollback` removes from disk too; whether
        any moved."""
        if self.disk is None or not self.settled:
            return False
        for flag in (True, False):
            move = [i for i, f in enumerate(self.settled) if f == flag]
            if move:
                self.disk.write(*([getattr(self, k)[i] for i in move] for k in "BFCU"),
                                settled=flag)
        for k in self.FIELDS:
            getattr(self, k).clear()
        self.settled = []
        _, n, keys = self._mark
        self._mark = (0, n, keys)
        return True

    def add(self, rec: dict, quota=None, why: str = "", settled: bool = False) -> int:
        """Add the records ``rec`` (arrays by field), the ones that may repeat only when new
        (with a spill: all, the repeats are dropped at the end), at most ``quota`` of them;
        returns how many were added."""
        B, flagged = rec["B"], rec["F"]
        ok = np.ones(len(B), bool)
        for i in np.flatnonzero(flagged) if self.disk is None else ():
            key = B[i].tobytes()
            if key in self.seen:
                ok[i] = False
            else:
                self.seen.add(key)
                self._mark[2].append(key)
        if quota is not None and ok.sum() > quota:
            ok &= np.cumsum(ok) <= quota
            self.truncated = why
        if ok.any():
            for k in self.FIELDS:
                if k in rec and (self.keep_points or k not in "XM"):
                    getattr(self, k).append(np.asarray(rec[k])[ok])
            self.settled.append(settled)
            self.n += int(ok.sum())
        return int(ok.sum())

    def settle(self) -> None:
        """Every chunk so far belongs to sub-boxes counted to the end."""
        self.settled = [True] * len(self.settled)
        if self.disk is not None:
            self.disk.settle()

    def restore(self, rec: dict) -> None:
        """Start from the settled record ``rec`` of a checkpoint (the patterns that may
        repeat go into ``seen`` again)."""
        self.add(rec, settled=True)
        self._mark = (len(self.B), self.n, [])

    def mark(self) -> None:
        self._mark = (len(self.B), self.n, [])

    def rollback(self) -> None:
        nb, n, keys = self._mark
        for k in self.FIELDS:
            del getattr(self, k)[nb:]
        del self.settled[nb:]
        self.n = n
        for k in keys:
            self.seen.discard(k)
        self._mark = (nb, n, [])
        if self.disk is not None:
            self.disk.rollback()

    def arrays(self, release: bool = False, settled: bool | None = None) -> dict:
        """The record as arrays by field (with ``settled`` True / False: of the settled /
        unsettled chunks only); ``release`` empties the record as it goes (each chunk is
        dropped once copied: the record is held about once, not twice)."""
        empty = {"B": (self.packer.nbytes,), "X": (self.d,), "M": (), "F": (), "C": (),
                 "U": ()}
        dtype = {"B": np.uint8, "F": bool, "C": np.int32, "U": bool}
        out = {}
        for k in self.FIELDS:
            chunks = getattr(self, k)
            if settled is not None:
                chunks = [c for c, f in zip(chunks, self.settled) if f == settled]
            if not chunks:
                out[k] = np.zeros((0, *empty[k]), dtype.get(k, float))
                continue
            dst = np.empty((sum(len(c) for c in chunks), *chunks[0].shape[1:]), chunks[0].dtype)
            at = 0
            for i in range(len(chunks)):
                c = chunks[i]
                if release:
                    chunks[i] = None
                dst[at:at + len(c)] = c
                at += len(c)
            if release:
                chunks.clear()
            out[k] = dst
        return out


def verify(net: Network, packer: _Packer, B: np.ndarray, X: np.ndarray):
    """``(C, U)``: the output argmax at every certificate point and whether the point fails
    to reproduce its pattern (:meth:`.Network.region_pattern`, by blocks of points)."""
    C, U = np.zeros(len(X), np.int32), np.zeros(len(X), bool)
    for a in range(0, len(X), 8192):
        x = X[a:a + 8192]
        n = len(x)
        vals = net.forward(x)
        got = [p.reshape(n, -1) for p in net.region_pattern(x, vals)]
        got = np.concatenate(got, axis=1) if got else np.zeros((n, 0))
        U[a:a + n] = np.any(got != packer.unpack(B[a:a + n]), axis=1)
        C[a:a + n] = np.argmax(np.asarray(vals[net.output]).reshape(n, -1), axis=1)
    return C, U


class _Count:
    """One count: the plan, the record, the limits, and the sub-box engine."""

    def __init__(self, net: Network, domain: Domain, budget: int, limits: Limits, progress, t0,
                 keep_points: bool = False):
        self.net, self.domain = net, domain
        self.d = d = net.input_size
        self.fixed = None
        if domain.A is not None:
            nr = np.linalg.norm(domain.A, axis=1)
            ok = nr > 0
            self.fixed = (domain.A[ok] / nr[ok, None], domain.b[ok] / nr[ok])
        self.plan = _Plan(net, d, 0 if self.fixed is None else len(self.fixed[1]))
        self.store = _Store(d, self.plan.packer, keep_points)
        share = int(budget * INFLIGHT_SHARE)
        self.inflight_cap = max(share, MIN_INFLIGHT)
        self.batch_cap = self.inflight_cap // 8
        self.record_cap = budget - share
        self.limits, self.progress_cb, self.t0 = limits, progress, t0
        self.last_progress = self.last_trim = t0
        self.cells = self.lps = self.slivers = self.splits = 0
        self.subboxes = 0
        self.table_bytes = 0
        self.depth = 0
        #: the checkpoint file (a :class:`.vertex_checkpoint.VertexCheckpoint`) and the
        #: seconds of the runs resumed
        self.checkpoint, self.prior_seconds = None, 0.0
        #: processes or cluster threads that counted the sub-boxes
        self.workers = 1

    def seconds(self) -> float:
        """Seconds of the count, the runs it resumes included."""
        return self.prior_seconds + time.monotonic() - self.t0

    def resume(self, spill_dir=None) -> list:
        """Restore the record (its spilled part reopened) and counters of the checkpoint; the
        sub-boxes left."""
        rec, boxes, h = self.checkpoint.read()
        self.store.disk = _reopen_spill(self.checkpoint.path, h.get("spill"), spill_dir,
                                        self.plan.packer.nbytes, boxes)
        self.store.n = 0 if self.store.disk is None else self.store.disk.n
        self.store.restore(rec)
        for c in COUNTERS:
            setattr(self, c, h[c])
        self.prior_seconds = float(h["seconds"])
        return boxes

    # -- limits and progress ----------------------------------------------------------------
    def check(self) -> str:
        now = time.monotonic()
        if self.store.nbytes() > self.record_cap:
            self.store.spill()
            if self.store.nbytes() > self.record_cap:
                return "memory budget"
        reason = self.limits.reached(self.store.n, now)
        if reason:
            return reason
        if self.progress_cb is not None and now - self.last_progress >= PROGRESS_EVERY:
            self.last_progress = now
            self.progress_cb(Progress(self.store.n, self.lps, self.depth, now - self.t0))
        if now - self.last_trim >= TRIM_EVERY:
            self.last_trim = now
            trim_heap()             # resident memory follows what the count holds
        return ""

    def _track(self, table: _Table) -> None:
        n = table.nbytes()
        self.table_bytes += n
        weakref.finalize(table, self._untrack, n)

    def _untrack(self, n: int) -> None:
        self.table_bytes -= n

    # -- one sub-box ------------------------------------------------------------------------
    def root(self, lo, hi) -> CellSet | None:
        """The sub-box ``[lo, hi]`` cut by the domain's rows (None: no interior left)."""
        d, words = self.d, self.plan.words
        V, Z, E = box_cell(lo, hi, words)
        cs = CellSet(d, words)
        cs.add(V, Z, [len(V)], E, [len(E)], [0])
        if self.fixed is None:
            return cs
        eps = tol.REGION_MARGIN
        for i, (a, b) in enumerate(zip(*self.fixed)):
            s = b - cs.V[cs.vertex_index()] @ a
            if not s.max() > eps:
                return None
            if s.min() < -eps:
                split(cs, np.array([0]), -a[None, :], np.array([b]), np.array([2 * d + i]))
                cs = cs.take(np.array([0]))
        return cs

    def run_box(self, lo, hi, inner) -> str:
        """Count the regions of the sub-box ``[lo, hi]`` (``inner``: the bit words of its faces
        inside the domain); returns the stop reason (``""``: done)."""
        cs = self.root(lo, hi)
        if cs is None:
            return ""
        self.box = (lo, hi, inner)
        P = np.zeros((1, self.plan.total), self.plan.pat_dtype)
        stack = [_Batch(cs, 0, P, {}, None, np.zeros(1, np.int64))]
        self.stack_bytes = stack[0].nbytes()
        while stack:
            reason = self.check()
            if reason:
                return reason
            b = stack.pop()
            self.stack_bytes -= b.nbytes()
            reason = self.stage(b, stack)
            if self.store.truncated:
                return self.store.truncated
            if reason:
                return reason
        return ""

    def stage(self, b: _Batch, stack: list) -> str:
        """Cut batch ``b`` by its stage's lines, then hand its cells to the next stage."""
        plan = self.plan
        self.depth = b.j
        if b.j == len(plan.stages):
            self.record(b.cs, b.P, None)
            return ""
        if b.table is None:
            b.table = build_table(plan, b.j, b.cs, b.P, b.maps, b.parent, b.up)
            self._track(b.table)
            b.cs.anc[:b.cs.nc] = np.arange(b.cs.nc)
            b.P = b.maps = None
        while True:
            cs, t = b.cs, b.table
            ws = np.flatnonzero(t.ncross[cs.anc[:cs.nc]] > b.k)
            if not len(ws):
                break
            reason = self.check()
            if reason:
                stack.append(b)
                return reason
            anc = cs.anc[ws]
            ln = t.lines[anc, b.k]
            coef = t.T[anc, ln]
            self.splits += len(split(cs, ws, coef[:, :-1], coef[:, -1],
                                     plan.stages[b.j].rid0 + ln))
            b.k += 1
            cs.compact()
            self._bound(b, stack)
        self.finish_stage(b, stack)
        return ""

    def _bound(self, b: _Batch, stack: list) -> None:
        """Halve a batch past its share of memory; give up the sub-box past the whole share."""
        cs = b.cs
        if cs.nbytes() > self.batch_cap and cs.nc > 1:
            half = cs.nc // 2
            other = _Batch(cs.take(np.arange(half, cs.nc)), b.j, None, None, b.parent, b.up)
            other.table, other.k = b.table, b.k
            b.table.users += 1
            b.cs = cs.take(np.arange(half))
            stack.append(other)
            self.stack_bytes += other.nbytes()
        if self.stack_bytes + b.nbytes() + self.table_bytes > self.inflight_cap:
            raise _Overflow

    def finish_stage(self, b: _Batch, stack: list) -> None:
        """Read the stage's pieces at the cells' vertex means; record the regions after the
        last stage, else push the cells as batches of the next stage."""
        plan, cs, t = self.plan, b.cs, b.table
        cs.compact(force=True)
        st = plan.stages[b.j]
        n = cs.nc
        x = np.add.reduceat(cs.V[:cs.nv], cs.vs[:n], axis=0) / cs.vn[:n, None]
        anc = cs.anc[:n]
        A, c = t.A[anc], t.c[anc]
        P = t.pattern[anc]
        P[:, st.start:st.end] = st.stage.piece_on_maps(A, c, np.einsum("nud,nd->nu", A, x) + c)
        self.cells += n
        if b.j + 1 == len(plan.stages):
            t.finish()
            self.record(cs, P, t, x)
            return
        maps = t.maps
        t.finish()
        batches = []
        for a in range(0, n, CHUNK_CELLS):
            idx = np.arange(a, min(n, a + CHUNK_CELLS))
            rows = anc[idx]
            sub = {i: tuple(m[rows] if len(m) > 1 else m for m in v) for i, v in maps.items()}
            part = cs if n <= CHUNK_CELLS else cs.take(idx)
            batches.append(_Batch(part, b.j + 1, P[idx], sub, t, rows))
        for nb in reversed(batches):
            stack.append(nb)
            self.stack_bytes += nb.nbytes()

    # -- regions ----------------------------------------------------------------------------
    def record(self, cs: CellSet, P, table, x=None) -> None:
        """Certify and record the cells ``cs`` (final patterns ``P``)."""
        n = cs.nc
        if x is None:
            x = np.add.reduceat(cs.V[:cs.nv], cs.vs[:n], axis=0) / cs.vn[:n, None]
        lo, hi, inner = self.box
        touch = np.zeros(n, bool)
        if inner.any():
            hit = np.any(cs.Z[:cs.nv] & inner, axis=1)
            touch = np.logical_or.reduceat(hit, cs.vs[:n])
        flagged = touch | self.plan.multi
        X, M, ok = self.certify(cs, table, x)
        B = self.plan.packer.pack(P[ok])
        C, U = verify(self.net, self.plan.packer, B, X[ok])
        if U.any():
            self._recentre(cs, table, np.flatnonzero(ok), X, M, B, C, U)
        st = self.store
        quota = st.room(self.record_cap, bool(flagged.any()))
        if quota < len(B) and st.disk is not None:
            st.spill()
            quota = st.room(self.record_cap, bool(flagged.any()))
            if quota < len(B):
                raise _Overflow         # this sub-box's own regions do not fit: cut it
        why = "memory budget"
        if self.limits.max_regions is not None and self.limits.max_regions - st.n < quota:
            quota, why = self.limits.max_regions - st.n, "region limit"
        st.add({"B": B, "X": X[ok], "M": M[ok], "F": flagged[ok], "C": C, "U": U},
               max(0, quota), why)

    def certify(self, cs: CellSet, table, x):
        """``(points, margins, ok)``: the vertex mean where its slack on the rows that bound
        the cell (not box faces) is above the margin, else the Chebyshev centre of the cell
        (its facets); ``ok`` false for slivers."""
        n, d = cs.nc, self.d
        cell, rows = _touching(cs, self.plan)
        vals = np.zeros(len(rows))
        if len(rows):
            coef = self._coefficients(table, cs.anc[cell], rows)
            vals = np.einsum("ij,ij->i", coef[:, :d], x[cell]) + coef[:, d]
        margin = np.full(n, math.inf)
        np.minimum.at(margin, cell, np.abs(vals))
        if self.fixed is not None:
            margin = np.minimum(margin, (self.fixed[1][None, :] - x @ self.fixed[0].T).min(axis=1))
        X, M, ok = x.copy(), margin, np.ones(n, bool)
        for i in np.flatnonzero(~(margin > tol.REGION_MARGIN)):
            got = self._chebyshev(cs, table, i)
            if got is None:
                ok[i] = False
                self.slivers += 1
            else:
                X[i], M[i] = got
        return X, M, ok

    def _recentre(self, cs, table, cells, X, M, B, C, U) -> None:
        """Certificates that fail to reproduce their pattern in the float forward pass (the
        vertex mean near a row whose composed value the layer-by-layer pass rounds the other
        way) are replaced by the Chebyshev centre of their cell, the point farthest from its
        facets; those that still fail are decided with rounding-error bounds, then in exact
        rationals (:func:`.certify.confirm_points`, which moves a point it cannot show inside
        to its region's centre). In place; ``cells``: the cell of each record row."""
        from .certify import confirm_points

        for r in np.flatnonzero(U):
            got = self._chebyshev(cs, table, cells[r])
            if got is not None:
                c, u = verify(self.net, self.plan.packer, B[r:r + 1], got[0][None, :])
                if not u[0]:
                    X[cells[r]], M[cells[r]] = got
                    C[r], U[r] = c[0], False
        left = np.flatnonzero(U)
        if not len(left):
            return
        shown, Xs = confirm_points(self.net, self.domain, self.plan.packer.unpack(B[left]),
                                   X[cells[left]])
        for r, x in zip(left[shown], Xs[shown]):
            Ra, Rb = self._cell_rows(cs, table, cells[r])
            margin = float(np.min(Rb - Ra @ x, initial=math.inf))
            if margin > 0:              # (a centre of the region outside this cell is not kept)
                X[cells[r]], M[cells[r]] = x, margin
                C[r] = verify(self.net, self.plan.packer, B[r:r + 1], x[None, :])[0][0]
                U[r] = False            # shown in exact arithmetic, whatever the float pass reads

    def _coefficients(self, table, anc, rows) -> np.ndarray:
        """The unit-norm rows ``(a, b)`` (value ``a x + b``) of line rows ``rows`` on the cells
        whose rows in the last stage's table are ``anc``, read from the tables of their
        stages (each table's ``up`` leads to the previous one)."""
        plan = self.plan
        out = np.zeros((len(rows), self.d + 1))
        stage = plan.row_stage[rows]
        t, a = table, np.asarray(anc)
        for j in range(len(plan.stages) - 1, -1, -1):
            sel = stage == j
            if sel.any():
                out[sel] = t.T[a[sel], plan.row_line[rows[sel]]]
            if j:
                a, t = t.up[a], t.parent
        return out

    def _chebyshev(self, cs, table, i):
        """The Chebyshev centre of cell ``i`` (its facet rows, the domain's rows, the sub-box
        as bounds) moved towards the sub-box centre, and its slack; None for a sliver."""
        d = self.d
        lo, hi, _ = self.box
        Ra, Rb = self._cell_rows(cs, table, i)
        self.lps += 1
        if not len(Rb):
            return 0.5 * (lo + hi), math.inf
        res = linprog(np.r_[np.zeros(d), -1.0], A_ub=np.hstack([Ra, np.ones((len(Rb), 1))]),
                      b_ub=Rb, bounds=[(float(l), float(h)) for l, h in zip(lo, hi)]
                      + [(None, 1.0)], method="highs")
        if res.status != 0 or not -res.fun > tol.REGION_MARGIN:
            return None
        x = toward_centre(res.x[:d], float(-res.fun), 0.5 * (lo + hi))
        return x, float(np.min(Rb - Ra @ x))

    def _cell_rows(self, cs, table, i):
        """``(Ra, Rb)``: cell ``i`` as ``Ra x <= Rb`` (its facet rows, unit norm, and the
        domain's rows; the sub-box is apart)."""
        d = self.d
        vi = cs.vertex_index(np.array([i]))
        bits = np.unpackbits(cs.Z[vi].view(np.uint8), axis=1, bitorder="little")
        rows = np.flatnonzero(bits[:, :self.plan.rows].sum(axis=0) >= d)
        rows = rows[rows >= self.plan.first_line]
        coef = self._coefficients(table, np.full(len(rows), cs.anc[i]), rows)
        vals = cs.V[vi] @ coef[:, :d].T + coef[:, d]
        side = np.sign(vals[np.argmax(np.abs(vals), axis=0), np.arange(len(rows))])
        Ra, Rb = -side[:, None] * coef[:, :d], side * coef[:, d]
        if self.fixed is not None:
            Ra, Rb = np.vstack([Ra, self.fixed[0]]), np.concatenate([Rb, self.fixed[1]])
        return Ra, Rb


def _touching(cs: CellSet, plan: _Plan):
    """``(cell, row)`` pairs: the line rows tight at some vertex of the cell (its facets and
    the lines that touch it in a lower-dimensional face)."""
    if not cs.nc:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    Zc = np.bitwise_or.reduceat(cs.Z[:cs.nv], cs.vs[:cs.nc], axis=0)
    bits = np.unpackbits(Zc.view(np.uint8), axis=1, bitorder="little")
    cell, row = np.nonzero(bits[:, plan.first_line:plan.rows])
    return cell, row + plan.first_line


# -- sub-boxes and the result ------------------------------------------------------------------

def _inner_faces(lo, hi, words: int) -> np.ndarray:
    """The incidence bits of the faces of the sub-box ``[lo, hi]`` (unit-cube coordinates)
    that lie inside the domain ``[0, 1]^d``."""
    rows = [2 * i for i in range(len(lo)) if lo[i] > 0] + \
           [2 * i + 1 for i in range(len(hi)) if hi[i] < 1]
    mask = np.zeros(words, np.uint64)
    if rows:
        w, m = row_bits(np.array(rows), words)
        np.bitwise_or.at(mask, w, m)
    return mask


def _bisect(lo, hi):
    """The two halves of a sub-box along its widest side."""
    i = int(np.argmax(hi - lo))
    mid = 0.5 * (lo[i] + hi[i])
    hi1, lo2 = hi.copy(), lo.copy()
    hi1[i] = lo2[i] = mid
    return (lo, hi1), (lo2, hi)


def _count_boxes(count: _Count, boxes: list) -> tuple[str, list]:
    """Count the sub-boxes ``(lo, hi, depth)`` of ``boxes`` (the last first); a sub-box whose
    cells do not fit is replaced by its halves. Returns the stop reason and the sub-boxes not
    done (the one stopped included)."""
    words = count.plan.words
    while boxes:
        lo, hi, depth = boxes[-1]
        count.store.mark()
        try:
            reason = count.run_box(lo, hi, _inner_faces(lo, hi, words))
        except _Overflow:
            count.store.rollback()
            if depth >= MAX_SUBBOX_DEPTH:
                return "memory budget", boxes
            boxes.pop()
            (l1, h1), (l2, h2) = _bisect(lo, hi)
            boxes += [(l2, h2, depth + 1), (l1, h1, depth + 1)]
            log.info("vertex count: sub-box split (depth %d) to stay in the memory budget",
                     depth + 1)
            continue
        except KeyboardInterrupt:
            return "interrupted", boxes
        if reason:
            return reason, boxes
        boxes.pop()
        count.subboxes += 1
        count.store.settle()
        if count.checkpoint is not None and count.checkpoint.due():
            count.checkpoint.write(count, boxes, count.seconds())
    return "", boxes


def count_vertex(net: Network, domain: Domain, *, time_limit: float | None = None,
                 max_regions: int | None = None, keep_patterns: bool = False,
                 keep_points: bool = False, progress: Callable[[Progress], None] | None = None,
                 memory_budget: int | None = None, workers: int = 1, checkpoint=None,
                 resume: bool = False, checkpoint_every: float = CHECKPOINT_EVERY,
                 scheduler=None, spill_dir=None) -> CountResult:
    """Count the activation regions of ``net`` on ``domain`` by vertex and edge subdivision.

    Parameters
    ----------
    net : Network
    domain : Domain
        A box, optionally cut by ``A x <= b``; meant for few inputs (the cells of ``d`` inputs
        have up to exponentially many vertices in ``d``).
    time_limit, max_regions : optional
        Stop early (``complete=False``) after this many seconds / regions.
    keep_patterns, keep_points : bool
        Return every region's flat pattern / interior point (input coordinates) and margin.
    progress : callable, optional
        Called with a :class:`Progress` about twice a second (``depth``: the stage being cut).
    memory_budget : int, optional
        Bytes (default :data:`MEMORY_BUDGET`, 2 GiB). Half of it bounds the cells in flight:
        past it the domain is cut into sub-boxes; the other half bounds the record of the
        regions found (patterns packed to a bit per unit, points, margins): past it the count
        stops with ``stop_reason="memory budget"`` and a partial result. A network whose input
        cube alone (2^d vertices) exceeds the budget is refused.
    workers : int
        Processes (``0`` or ``None``: all cores). With more than one the domain is cut into
        sub-boxes counted in parallel (:mod:`.vertex_pool`), each worker with its share of
        the budget.
    checkpoint : path, optional
        State file (:mod:`.vertex_checkpoint`): the sub-boxes left and the regions of the
        finished ones, written every ``checkpoint_every`` seconds between sub-boxes and when
        the count stops.
    resume : bool
        Continue from ``checkpoint`` (same network, domain and options); ``seconds`` then
        include the earlier runs.
    scheduler : str, optional
        Count the sub-boxes on a dask.distributed cluster (:mod:`.vertex_dask`): a scheduler
        address, or ``"local"`` for a local cluster of ``workers`` processes.
    spill_dir : path, optional
        Where the record goes past its share of the budget, instead of stopping the count:
        the patterns move to files in a temporary directory inside it (removed at the end;
        with workers, each worker's files too, taken over by the master), and the per-layer
        counts are taken in buckets that fit (:mod:`.vertex_record`). With a
        ``checkpoint`` the files of a stopped count stay for ``resume`` (which needs a
        ``spill_dir`` again; the files are found where the checkpoint says). Not with
        ``keep_patterns`` or ``keep_points``, which need the whole record.

    Returns
    -------
    CountResult
        ``method="vertex"``; ``lps`` counts the Chebyshev LPs of thin cells; ``extra`` has
        ``cells`` (cells at the ends of stages), ``splits``, ``slivers``, ``subboxes`` and
        ``unverified_points``.

    Examples
    --------
    >>> import numpy as np
    >>> from regioncount import Domain, Network
    >>> net = Network.from_layers([(np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]),
    ...                             np.array([0.0, 0.0, -0.5]))])
    >>> count_vertex(net, Domain.box(-1, 1, 2)).regions
    7
    """
    t0 = time.monotonic()
    budget = MEMORY_BUDGET if memory_budget is None else int(memory_budget)
    _check_arguments(net, domain, budget, checkpoint, resume, spill=spill_dir is not None,
                     keep=keep_patterns or keep_points)
    u_net, u_dom, to_input = unit_box(net, domain)
    workers = resolve_workers(workers)
    if workers > 1 and scheduler is None and unguarded_script():
        log.warning("counting in one process, not %d: the count was started from the top "
                    "level of a script without `if __name__ == \"__main__\":`", workers)
        workers = 1
    with Interrupt() as intr:
        limits = Limits.starting(t0, time_limit, max_regions, intr)
        count = _Count(u_net, u_dom, budget, limits, progress, t0, keep_points)
        boxes = None
        if checkpoint is not None:
            count.checkpoint = VertexCheckpoint(checkpoint, net, domain, count.plan.packer.nbytes,
                                                keep_points=keep_points, every=checkpoint_every,
                                                resume=resume)
            boxes = count.resume(spill_dir) if resume else None
        count.workers = workers
        if spill_dir is not None and count.store.disk is None:
            count.store.disk = Spill(spill_dir, count.plan.packer.nbytes)
        try:
            reason, pending = _run(count, workers, budget, progress, t0, boxes, scheduler)
            _save(count, pending)
            res = _result(count, to_input, reason, pending, t0, keep_patterns, keep_points,
                          budget)
        finally:
            if count.store.disk is not None:
                count.store.disk.close()
    return replace(res, workers=count.workers) if count.workers > 1 else res


def _check_arguments(net: Network, domain: Domain, budget: int, checkpoint, resume,
                     spill: bool = False, keep: bool = False) -> None:
    """Refuse, before any work, what :func:`count_vertex` cannot count (``spill``: a spill
    directory is given; ``keep``: patterns or points are kept)."""
    if domain.dim != net.input_size:
        raise DomainError(f"domain has {domain.dim} coordinates, the network takes "
                          f"{net.input_size}")
    if np.any(domain.hi <= domain.lo):
        raise DomainError("the domain box has an empty interior (some lo == hi)")
    need = (2 ** min(net.input_size, 62)) * net.input_size * 8 * 4
    if need > budget:
        raise RegioncountError(f"--method vertex: the {net.input_size}-cube alone has "
                               f"2^{net.input_size} vertices, beyond the memory budget of "
                               f"{budget:,} bytes (use --method tree)")
    if resume and checkpoint is None:
        raise RegioncountError("--resume needs --checkpoint FILE")
    if spill and keep:
        raise RegioncountError("--spill-dir: not with --patterns-out or points, which need the "
                               "whole record in memory")


def _reopen_spill(path, state, spill_dir, width: int, boxes: list) -> Spill | None:
    """The spilled part of the record a checkpoint (``path``) names (None when it has none);
    a checkpoint whose count spilled resumes with a spill directory only."""
    if state is None:
        return None
    if not isinstance(state, dict):
        raise RegioncountError(f"{path}: damaged checkpoint (its spilled record)")
    if state.get("removed"):
        if not boxes:
            raise RegioncountError(f"{path}: the count finished and its spilled record was "
                                   "removed; there is nothing to resume")
        raise RegioncountError(f"{path}: damaged checkpoint (its spilled record is gone)")
    if spill_dir is None:
        raise RegioncountError(f"{path}: part of its record is on disk in {state.get('dir')}; "
                               "resume with --spill-dir")
    return Spill.reopen(state, width, path)


def _run(count: _Count, workers: int, budget: int, progress, t0,
         boxes: list | None = None, scheduler=None) -> tuple[str, list]:
    """Count the domain (or the sub-boxes ``boxes`` a checkpoint left) in this process, on a
    pool or on a dask cluster; the stop reason and the sub-boxes left (None where unknown)."""
    dom = count.domain
    if count.root(dom.lo, dom.hi) is None:
        raise DomainError("the domain polytope has an empty interior")
    if scheduler is not None:
        from .vertex_dask import count_dask

        try:
            return count_dask(count, scheduler, workers, budget, progress, t0,
                              (_Count, _count_boxes, _bisect), boxes)
        except KeyboardInterrupt:
            return "interrupted", [None]
    if workers == 1:
        return _count_boxes(count, boxes if boxes is not None
                            else [(dom.lo.copy(), dom.hi.copy(), 0)])
    from .vertex_pool import count_pool

    try:
        return count_pool(count, workers, budget, progress, t0, (_Count, _count_boxes, _bisect),
                          boxes)
    except KeyboardInterrupt:
        return "interrupted", [None]


def _save(count: _Count, pending: list) -> None:
    """Write the final checkpoint (none when the sub-boxes left are unknown: the last one
    written stays)."""
    if count.checkpoint is None:
        return
    disk = count.store.disk
    if disk is not None:        # the files stay for a resume, or go with a finished count
        disk.keep, disk.finished = bool(pending), not pending
        if pending:
            log.info("vertex count: the spilled part of the record stays in %s for --resume",
                     disk.dir)
    if any(b is None for b in pending):
        log.warning("vertex count: interrupted while merging; the checkpoint %s keeps its "
                    "last state", count.checkpoint.path)
        return
    count.checkpoint.write(count, pending, count.seconds())


def _result(count: _Count, to_input, reason, pending, t0, keep_patterns, keep_points,
            budget) -> CountResult:
    """The :class:`CountResult` of a count (partial when sub-boxes are left)."""
    complete = not pending
    if complete:
        reason = ""
    else:
        log.warning("vertex count stopped early (%s): %d regions found so far", reason,
                    count.store.n)
    plan = count.plan
    rec = count.store.arrays(release=True)
    count.store.seen.clear()
    B, X, M = rec["B"], rec["X"], rec["M"]
    regions, per_class, bad, per_layer = _tallies(count, rec)
    if bad:
        log.warning("vertex count: %d certificate points not shown inside their region", bad)
    if per_layer and per_layer[-1] != regions:   # never expected: each pattern is new
        log.warning("vertex count: repeated patterns in the record")
    return CountResult(
        regions=regions, complete=complete, method="vertex", seconds=count.seconds(),
        lps=count.lps, per_class=per_class, per_layer=per_layer,
        patterns=plan.packer.unpack(B) if keep_patterns else None,
        points=to_input(X) if keep_points else None,
        margins=M if keep_points else None, stop_reason=reason,
        extra={"cells": count.cells, "splits": count.splits, "slivers": count.slivers,
               "subboxes": count.subboxes + (0 if complete else len(pending)),
               "unverified_points": bad, "memory_budget": int(budget),
               "spilled": count.store.disk.n if count.store.disk is not None else 0})


def _tallies(count: _Count, rec: dict) -> tuple[int, dict, int, tuple]:
    """Regions, regions per output class, failed certificates and per-layer counts of the
    record ``rec`` in memory and of the part on disk. With a spill the regions that may repeat
    are made distinct here, and the prefixes counted, in buckets of the memory the record
    leaves (:mod:`.vertex_record`)."""
    plan, disk = count.plan, count.store.disk
    widths = [plan.packer.prefix[j + 1] for j in range(len(plan.stages))]
    B, F, C, U = rec["B"], rec["F"], rec["C"], rec["U"]
    if disk is None:
        per_class = {int(k): int(v) for k, v in zip(*np.unique(C, return_counts=True))}
        return len(B), per_class, int(U.sum()), prefix_counts(B, widths)
    room = max(count.record_cap - B.nbytes, MIN_INFLIGHT)
    once = ~F
    step = disk.step()

    def flagged():             # block by block: a pass never holds more than one block
        yield from disk.flagged_blocks()
        for a in range(0, len(B), step):
            f = F[a:a + step]
            yield B[a:a + step][f], C[a:a + step][f], U[a:a + step][f]

    def every():
        yield from disk.blocks()
        yield B

    nf, per_class, bad = distinct_rows(
        flagged, sum(r for _, r, _ in disk.flagged) + int(F.sum()), plan.packer.nbytes, room)
    for part in (disk.per_class, dict(zip(*np.unique(C[once], return_counts=True)))):
        for k, v in part.items():
            per_class[int(k)] = per_class.get(int(k), 0) + int(v)
    per_layer = distinct_prefixes(every, disk.n + len(B), widths, room)
    return (disk.n_once + int(once.sum()) + nf, dict(sorted(per_class.items())),
            bad + disk.bad + int(U[once].sum()), per_layer)
