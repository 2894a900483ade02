"""The stage kinds of the canonical network, each with all of its semantics in one class.

A :class:`~regioncount.network.Network` is a list of stages. Every consumer (intervals, MILP
encodings, the region tree, slices, bounds, backward rules) calls the methods below and never
asks which kind a stage is. A PWL stage answers:

==========================  ===================================================================
``apply(x)``                forward on a batch of input values (B, n_in) -> (B, size)
``piece(x)``                the piece of every unit at those points (the pattern numbering)
``piece_on_maps(A, c, g)``  the same on cells where the input is the affine map ``A``, ``c``:
                            max-group entries that are one function read as the first
``map_piece(A, c, p)``      the affine map of the output on pieces ``p``, given the input's map
``interval(l, h)``          interval transfer of input bounds to output bounds
``possible(l, h)``          which pieces can hold given input bounds (ties of identical pieces
                            merged), shape (size, pieces); :meth:`stable_piece` follows from it
``split(i, m)``             the pieces of unit ``i`` on a partial region as normalised rows
                            ``a x <= b`` (the region tree), ``m`` a :class:`StageMap`-like view
``switch_lines(A, c, cand)``  the affine functions whose zero sets separate the pieces
``backward(g, x, rule)``    one step of saliency, DeconvNet or guided backprop
==========================  ===================================================================

Elementwise units (:class:`Relu`, :class:`LeakyRelu`, :class:`Clip`, :class:`HardSigmoid`)
are one-dimensional PWL functions described by a table: sorted breakpoints ``t_1 < ... <
t_{P-1}`` per unit and, on piece ``p`` (between ``t_p`` and ``t_{p+1}``), ``y = slope_p g +
offset_p``. Everything except ``apply`` and ``piece`` (which fix the numbering on the
breakpoints themselves) is derived from that table, so a new elementwise kind is a class with a
table. :class:`MaxGroups` (maxout, max-pooling, Max, Min, Abs) has its own methods.

Pieces: ReLU / leaky ReLU ``1`` active (``g > 0``), ``0`` inactive (``g <= 0``); clip-like units
``0`` at or below the lower breakpoint, ``1`` strictly between, ``2`` at or above the upper one;
a max group the position of its first maximal entry. Pieces that are the same affine function
on the domain are one piece (docs/regions.md).

Examples
--------
>>> import numpy as np
>>> r = Relu(size=2)
>>> r.apply(np.array([[-1.0, 2.0]])).tolist(), r.piece(np.array([[-1.0, 2.0]])).tolist()
([[0.0, 2.0]], [[0, 1]])
>>> r.possible(np.array([-1.0, 1.0]), np.array([1.0, 2.0])).tolist()   # unit 1 stably active
[[True, True], [False, True]]
>>> h = HardSigmoid(size=1, alpha=np.array([0.2]), beta=np.array([0.5]))
>>> h.apply(np.array([[-5.0], [0.0], [5.0]])).ravel().tolist()
[0.0, 0.5, 1.0]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from math import prod
from typing import Union

import numpy as np
import scipy.sparse as sp

from . import tolerances as tol

Matrix = Union[np.ndarray, sp.spmatrix, sp.sparray]

#: The three backward rules of :meth:`PwlStage.backward` (Nie, Zhang and Patel 2018).
BACKWARD_RULES = ("saliency", "deconvnet", "gbp")


def _matmul(W: Matrix, X: np.ndarray) -> np.ndarray:
    """``W @ X`` as a dense array for dense or sparse ``W``."""
    out = W @ X
    return np.asarray(out.toarray() if sp.issparse(out) else out)


def _split_signs(W):
    if sp.issparse(W):
        W = sp.csr_matrix(W)
        return W.maximum(0), W.minimum(0)
    return np.maximum(W, 0), np.minimum(W, 0)


def _mv(W, v):
    return np.asarray(W @ v).ravel()


@dataclass(frozen=True, eq=False)
class Source:
    """Where a stage came from: ONNX node names and the op types, and the tensor shape
    (without batch dimension) whose C-order flattening indexes the stage's units."""

    nodes: tuple[str, ...] = ()
    ops: tuple[str, ...] = ()
    shape: tuple[int, ...] = ()

    def describe(self) -> str:
        return ", ".join(f"{n} ({o})" for n, o in zip(self.nodes, self.ops)) or "-"


@dataclass(frozen=True, eq=False)
class Stage:
    """Base class of all stages. ``size`` is the number of outputs."""

    size: int
    source: Source = field(default_factory=Source)

    kind = "stage"
    is_pwl = False

    @property
    def inputs(self) -> tuple[int, ...]:
        return ()

    def params(self) -> int | None:
        """Number of stored parameters (None: the stage has no weights)."""
        return None


@dataclass(frozen=True, eq=False)
class Input(Stage):
    kind = "input"


@dataclass(frozen=True, eq=False)
class Affine(Stage):
    """``y = sum_k weights[k] @ out[sources[k]] + bias``."""

    sources: tuple[int, ...] = ()
    weights: tuple[Matrix, ...] = ()
    bias: np.ndarray = None

    kind = "affine"

    @property
    def inputs(self) -> tuple[int, ...]:
        return self.sources

    def params(self) -> int:
        n = int(self.bias.size)
        for W in self.weights:
            n += int(W.nnz) if sp.issparse(W) else int(W.size)
        return n

    def forward(self, vals: list) -> np.ndarray:
        out = np.broadcast_to(np.asarray(self.bias, dtype=float),
                              (vals[self.sources[0]].shape[0], self.size)).copy()
        for i, W in zip(self.sources, self.weights):
            out += _matmul(W, vals[i].T).T
        return out

    def stage_map(self, maps: list, pattern=None) -> tuple[np.ndarray, np.ndarray]:
        """The affine map of the output from the maps ``(A, c)`` of the sources."""
        n = maps[self.sources[0]][0].shape[1]
        A = np.zeros((self.size, n))
        c = np.array(self.bias, dtype=float)
        for i, W in zip(self.sources, self.weights):
            Ai, ci = maps[i][:2]
            A += _matmul(W, Ai)
            c += _matmul(W, ci[:, None])[:, 0]
        return A, c

    def stage_interval(self, lo: list, hi: list) -> tuple[np.ndarray, np.ndarray]:
        l = np.array(self.bias, dtype=float)
        h = np.array(self.bias, dtype=float)
        for i, W in zip(self.sources, self.weights):
            Wp, Wn = _split_signs(W)
            l += _mv(Wp, lo[i]) + _mv(Wn, hi[i])
            h += _mv(Wp, hi[i]) + _mv(Wn, lo[i])
        return l, h

    def backprop(self, g: np.ndarray, vals: list, rule: str) -> list:
        """``(source, gradient)`` pairs: the transpose of the linear map, for every rule."""
        return [(i, _matmul(W.T, g.T).T) for i, W in zip(self.sources, self.weights)]


# ---------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class PwlStage(Stage):
    """A piecewise-linear stage reading one earlier stage (``source_index``)."""

    source_index: int = 0
    is_pwl = True
    #: dtype of this kind's patterns
    pattern_dtype = np.int8
    #: Whether a stably-held piece counts as "active" in :class:`StableUnits` (per piece).
    active_pieces = (1,)

    @property
    def inputs(self) -> tuple[int, ...]:
        return (self.source_index,)

    # the interface every consumer calls -------------------------------------------------
    def forward(self, vals: list) -> np.ndarray:
        return self.apply(vals[self.source_index])

    def stage_map(self, maps: list, pattern) -> tuple[np.ndarray, np.ndarray]:
        A, c = maps[self.source_index][:2]
        return self.map_piece(A, c, np.asarray(pattern))

    def stage_interval(self, lo: list, hi: list) -> tuple[np.ndarray, np.ndarray]:
        return self.interval(lo[self.source_index], hi[self.source_index])

    def backprop(self, g: np.ndarray, vals: list, rule: str) -> list:
        return [(self.source_index, self.backward(g, vals[self.source_index], rule))]

    def piece_on_maps(self, A, c, g) -> np.ndarray:
        """The pieces at inputs ``g`` (n, inputs) on cells where the input is the affine map
        ``A`` (n, inputs, d), ``c`` (n, inputs): :meth:`piece`, for kinds whose pieces are
        different functions wherever they differ in value (max groups override it)."""
        return self.piece(g)

    def stable_piece(self, l, h) -> np.ndarray:
        """The piece every unit holds on the whole box ``[l, h]`` of its inputs, -1 where more
        than one piece is possible."""
        ok = self.possible(l, h)
        one = ok.sum(axis=1) == 1
        return np.where(one, np.argmax(ok, axis=1), -1).astype(np.int32)

    @property
    def bound_kind(self) -> str:
        """The kind the analytic bounds see (a leaky ReLU with every slope 0 is a ReLU)."""
        return self.kind

    def candidates(self, l, h) -> np.ndarray | None:
        """Max groups: which entries can be the maximum (None for elementwise units)."""
        return None

    def unstable_inputs(self, l, h) -> np.ndarray:
        """Indices of the inputs whose bounds leave some unit with more than one piece: the
        inputs worth tightening."""
        return np.flatnonzero(self.stable_piece(l, h) < 0)

    #: Whether tightening this stage's output is pointless once its input is tight: true for
    #: a nondecreasing elementwise unit, whose bounds follow from its input's.
    monotone = False

    def is_active(self, piece: np.ndarray) -> np.ndarray:
        """Which (stable) pieces count as active in reports."""
        return np.isin(piece, self.active_pieces)

    @property
    def has_constant_piece(self) -> bool:
        """Whether some unit has a piece that is a constant (slope 0)."""
        return False


@dataclass(frozen=True, eq=False)
class Elementwise(PwlStage):
    """A PWL function applied to every input value; semantics from :meth:`table`."""

    def table(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(breaks, slopes, offsets)`` of shapes (size, P-1), (size, P), (size, P); breaks
        sorted, ``-inf`` / ``inf`` for a breakpoint that does not exist (computed once)."""
        return self._table

    @cached_property
    def _table(self):
        return self.make_table()

    def make_table(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        raise NotImplementedError

    @property
    def pieces(self) -> int:
        return self.table()[1].shape[1]

    @property
    def monotone(self) -> bool:
        return bool(np.all(self.table()[1] >= 0))

    def apply(self, x: np.ndarray) -> np.ndarray:
        _, slopes, offsets = self.table()
        p = self.piece(x)
        return np.take_along_axis(np.broadcast_to(slopes, x.shape + (slopes.shape[1],)),
                                  p[..., None], -1)[..., 0] * x + _pick(offsets, p)

    def piece_of_value(self, v: np.ndarray) -> np.ndarray:
        return self.piece(np.asarray(v, float)[None, :])[0]

    def map_piece(self, A, c, p):
        _, slopes, offsets = self.table()
        s = _pick(slopes, p)
        return A * s[:, None], np.where(s == 0, 0.0, c * s) + _pick(offsets, p)

    def interval(self, l, h):
        breaks, _, _ = self.table()
        pts = [l, h] + [np.clip(breaks[:, q], l, h) for q in range(breaks.shape[1])]
        vals = np.stack([self.apply(v[None, :])[0] for v in pts])
        return vals.min(axis=0), vals.max(axis=0)

    def possible(self, l, h):
        breaks, _, _ = self.table()
        n = breaks.shape[0]
        lower = np.concatenate([np.full((n, 1), -np.inf), breaks], axis=1)
        upper = np.concatenate([breaks, np.full((n, 1), np.inf)], axis=1)
        ok = (np.asarray(l)[:, None] < upper) & (np.asarray(h)[:, None] > lower)
        none = ~ok.any(axis=1)
        if none.any():          # a constant input sitting on a breakpoint: its own piece
            at = self.piece_of_value(np.asarray(l, float))
            ok[np.flatnonzero(none), at[none]] = True
        return ok

    def layer_counts(self) -> tuple[int, int, tuple]:
        """(hyperplanes, pieces, group sizes) for the analytic bounds: each finite breakpoint
        is one hyperplane of the unit."""
        breaks, _, _ = self.table()
        sides = np.isfinite(breaks).sum(axis=1)
        return int(sides.sum()), prod(int(v) + 1 for v in sides), ()

    def split(self, i: int, m) -> tuple:
        """The pieces of unit ``i`` on a partial region as ``((piece, rows), ...)``; one piece
        with no rows when the unit does not cut the region (stable or constant there)."""
        if m.const[i]:
            return ((self._piece_at(i, m.c[i]), ()),)
        t = self.table()[0][i]
        lb, ub = m.lb[i], m.ub[i]
        if not np.any((lb < t) & (t < ub)):
            return ((int(self._piece_at(i, 0.5 * (lb + ub) if lb < ub else lb)), ()),)
        n = m.norms[i]
        a = m.A[i] / n
        c = float(m.c[i])
        first, last = int(np.sum(t <= lb)), int(np.sum(t < ub))
        out = []
        for p in range(first, last + 1):
            rows = []
            if p > 0 and lb < t[p - 1]:
                rows.append((-a, (c - t[p - 1]) / n))          # g >= t_p
            if p < t.size and t[p] < ub:
                rows.append((a, (t[p] - c) / n))              # g <= t_{p+1}
            out.append((p, tuple(rows)))
        return tuple(out)

    # -- certificates (regioncount.enumeration.certify) ---------------------------------
    def piece_parts(self, p) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(src, scale, offset)``, each shaped like the pieces ``p`` ((B, size) or (size,)):
        on piece ``p`` unit ``j`` outputs ``scale * z[src] + offset`` of its input ``z``."""
        _, slopes, offsets = self.table()
        p = np.asarray(p, int)
        return np.broadcast_to(np.arange(self.size), p.shape), _pick(slopes, p), _pick(offsets, p)

    def point_slack(self, z, ez, p) -> tuple[np.ndarray, np.ndarray]:
        """``(slack, err)`` of shape (B, size): how far each input value ``z`` (known to within
        ``ez``) lies inside its piece of ``p``, and a bound on the rounding error of ``slack``."""
        breaks = self.table()[0]
        p = np.asarray(p, int)
        k = np.arange(self.size)[None, :]
        P = breaks.shape[1]
        lo = np.where(p > 0, breaks[k, np.maximum(p - 1, 0)], -np.inf) if P else np.full(p.shape, -np.inf)
        hi = np.where(p < P, breaks[k, np.minimum(p, max(P - 1, 0))], np.inf) if P else np.full(p.shape, np.inf)
        with np.errstate(invalid="ignore"):
            d = np.minimum(z - lo, hi - z)
            t = np.where(z - lo < hi - z, lo, hi)
        return d, ez + 2.0 ** -52 * (np.abs(z) + np.abs(np.where(np.isfinite(t), t, 0.0)))

    def unit_pieces(self, i: int) -> list[int]:
        """The pieces of unit ``i`` whose input interval is not empty."""
        t = np.r_[-np.inf, self.table()[0][i], np.inf]
        return [q for q in range(t.size - 1) if t[q] < t[q + 1]]

    def unit_rows(self, i: int, q: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``(pos, neg, k, strict)``: unit ``i`` is on piece ``q`` where ``g[pos] - g[neg] <= k``
        for each row (``g`` the stage input, index -1: no term), ``<`` where ``strict``: the
        lower breakpoint strictly (a value on a breakpoint takes the lower piece)."""
        t = self.table()[0][i]
        rows = []
        if q > 0 and np.isfinite(t[q - 1]):
            rows.append((-1, i, -float(t[q - 1]), True))
        if q < t.size and np.isfinite(t[q]):
            rows.append((i, -1, float(t[q]), False))
        return _row_arrays(rows)

    def _piece_at(self, i: int, v: float) -> int:
        """The piece of unit ``i`` at input value ``v``: the first piece whose upper
        breakpoint is ``>= v`` (a value on a breakpoint takes the lower piece)."""
        return int(np.sum(self.table()[0][i] < v))

    def piece_rows(self, A, c, p) -> tuple[np.ndarray, np.ndarray]:
        """The rows ``G x <= h`` that pin every unit on its piece ``p`` (``t_p <= g <=
        t_{p+1}``), given the affine map ``g = A x + c`` of the input on the region."""
        breaks = self.table()[0]
        p = np.asarray(p, int)
        k = np.arange(self.size)
        lo = np.where(p > 0, breaks[k, np.maximum(p - 1, 0)], -np.inf)
        hi = np.where(p < breaks.shape[1], breaks[k, np.minimum(p, breaks.shape[1] - 1)], np.inf)
        a, b = np.isfinite(lo), np.isfinite(hi)
        return (np.vstack([-A[a], A[b]]), np.concatenate([c[a] - lo[a], hi[b] - c[b]]))

    def switch_lines(self, A, c, cand=None) -> list:
        """``(a, b)`` pairs: the unit switches pieces where ``a . s + b = 0``."""
        breaks = self.table()[0]
        return [(A[i], c[i] - t) for i in range(self.size) for t in breaks[i] if np.isfinite(t)]

    def backward(self, g, x, rule: str):
        """Input gradient of one backward step: saliency multiplies by the piece's slope,
        DeconvNet passes the ReLU (first-piece slope) of the incoming signal whatever the
        input, guided backprop does both."""
        _, slopes, _ = self.table()
        if rule == "saliency":
            return g * _pick(slopes, self.piece(x))
        gated = np.where(g > 0, g, g * slopes[:, 0])
        if rule == "deconvnet":
            return gated
        return gated * _pick(slopes, self.piece(x))

    @property
    def has_constant_piece(self) -> bool:
        _, slopes, offsets = self.table()
        return bool(np.any((slopes == 0) & np.isfinite(offsets)))


def _pick(table: np.ndarray, p: np.ndarray) -> np.ndarray:
    """``table[unit, p[..., unit]]`` for pieces ``p`` of shape (..., size)."""
    p = np.asarray(p)
    cols = np.arange(table.shape[0])
    return table[cols, p] if p.ndim == 1 else table[cols[None, :], p]


def _row_arrays(rows) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Rows ``(pos, neg, k, strict)`` as four arrays (see :meth:`Elementwise.unit_rows`)."""
    if not rows:
        return (np.zeros(0, int), np.zeros(0, int), np.zeros(0), np.zeros(0, bool))
    pos, neg, k, strict = zip(*rows)
    return np.array(pos), np.array(neg), np.array(k, float), np.array(strict, bool)


@dataclass(frozen=True, eq=False)
class Relu(Elementwise):
    kind = "relu"

    def make_table(self):
        n = self.size
        return (np.zeros((n, 1)), np.tile([0.0, 1.0], (n, 1)), np.zeros((n, 2)))

    @property
    def pieces(self) -> int:
        return 2

    def apply(self, x):
        return np.maximum(x, 0.0)

    def piece(self, x):
        return (x > 0).astype(np.int8)

    def map_piece(self, A, c, p):
        on = p == 1
        return A * on[:, None], c * on

    def interval(self, l, h):
        return np.maximum(l, 0.0), np.maximum(h, 0.0)

    def split(self, i, m):
        """The generic split for one breakpoint at 0, written out (the tree's hot path);
        active first: the tree's search order."""
        c = float(m.c[i])
        if m.const[i]:
            return ((1 if c > 0 else 0, ()),)
        if m.ub[i] <= 0:
            return ((0, ()),)
        if m.lb[i] >= 0:
            return ((1, ()),)
        n = m.norms[i]
        a = m.A[i] / n
        return ((1, ((-a, c / n),)), (0, ((a, -c / n),)))

    def backward(self, g, x, rule):
        if rule == "saliency":
            return g * (x > 0)
        return np.maximum(g, 0.0) * ((x > 0) if rule == "gbp" else 1.0)

    @property
    def has_constant_piece(self) -> bool:
        return True


@dataclass(frozen=True, eq=False)
class LeakyRelu(Elementwise):
    """``max(alpha * y, y)`` for ``0 <= alpha < 1`` (per unit); ``y`` for ``y > 0``."""

    alpha: np.ndarray = None
    kind = "leaky_relu"

    def make_table(self):
        n = self.size
        a = np.broadcast_to(np.asarray(self.alpha, float), (n,))
        return np.zeros((n, 1)), np.column_stack([a, np.ones(n)]), np.zeros((n, 2))

    @property
    def pieces(self) -> int:
        return 2

    def apply(self, x):
        return np.where(x > 0, x, x * self.alpha)

    def piece(self, x):
        return (x > 0).astype(np.int8)

    def map_piece(self, A, c, p):
        scale = np.where(p == 1, 1.0, self.alpha)
        return A * scale[:, None], c * scale

    split = Relu.split

    @property
    def bound_kind(self) -> str:
        """The kind the analytic bounds see: a leaky ReLU with every slope 0 is a ReLU."""
        return "relu" if np.all(np.asarray(self.alpha) == 0) else "leaky_relu"


@dataclass(frozen=True, eq=False)
class _ClipLike(Elementwise):
    """``scale * min(max(g, lo), hi) + shift`` per unit: three pieces, numbered 0 at or below
    ``lo``, 1 strictly between, 2 at or above ``hi``."""

    @property
    def bounds3(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``(lo, hi, scale, shift)`` per unit."""
        raise NotImplementedError

    def make_table(self):
        lo, hi, k, d = self.bounds3
        slopes = np.column_stack([np.zeros_like(k), k, np.zeros_like(k)])
        with np.errstate(invalid="ignore"):
            offsets = np.column_stack([k * lo + d, d, k * hi + d])
        return np.column_stack([lo, hi]), slopes, offsets

    @property
    def pieces(self) -> int:
        return 3

    def piece(self, x):
        lo, hi, _, _ = self.bounds3
        return np.where(x <= lo, 0, np.where(x >= hi, 2, 1)).astype(np.int8)

    def _piece_at(self, i, v):
        lo, hi = self.table()[0][i]
        return 0 if v <= lo else (2 if v >= hi else 1)

    def apply(self, x):
        lo, hi, k, d = self.bounds3
        return k * np.minimum(np.maximum(x, lo), hi) + d


@dataclass(frozen=True, eq=False)
class Clip(_ClipLike):
    """``min(max(y, lo), hi)`` per unit (``lo`` may be ``-inf`` or ``hi`` ``+inf``)."""

    lo: np.ndarray = None
    hi: np.ndarray = None
    kind = "clip"

    @cached_property
    def bounds3(self):
        n = self.size
        lo = np.broadcast_to(np.asarray(self.lo, float), (n,))
        hi = np.broadcast_to(np.asarray(self.hi, float), (n,))
        return lo, hi, np.ones(n), np.zeros(n)

    def apply(self, x):
        return np.minimum(np.maximum(x, self.lo), self.hi)

    def map_piece(self, A, c, p):
        mid = p == 1
        return A * mid[:, None], np.where(p == 0, self.lo, np.where(p == 2, self.hi, c))

    def interval(self, l, h):
        return np.clip(l, self.lo, self.hi), np.clip(h, self.lo, self.hi)


@dataclass(frozen=True, eq=False)
class HardSigmoid(_ClipLike):
    """ONNX ``HardSigmoid``: ``max(0, min(1, alpha * g + beta))`` per unit, written as
    ``alpha * clip(g, lo, hi) + beta`` with the breakpoints ``lo <= hi`` where ``alpha g +
    beta`` is 0 or 1 (for ``alpha = 0``: one constant piece)."""

    alpha: np.ndarray = None
    beta: np.ndarray = None
    kind = "hard_sigmoid"

    @cached_property
    def bounds3(self):
        n = self.size
        a = np.broadcast_to(np.asarray(self.alpha, float), (n,))
        b = np.broadcast_to(np.asarray(self.beta, float), (n,))
        flat = a == 0
        safe = np.where(flat, 1.0, a)
        t0, t1 = -b / safe, (1.0 - b) / safe
        lo = np.where(flat, -np.inf, np.minimum(t0, t1))
        hi = np.where(flat, np.inf, np.maximum(t0, t1))
        shift = np.where(flat, np.clip(b, 0.0, 1.0), b)
        return lo, hi, a, shift


# ---------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class MaxGroups(PwlStage):
    """``y_g = max(x[indices[indptr[g]:indptr[g + 1]]])`` for each group g."""

    indptr: np.ndarray = None
    indices: np.ndarray = None
    kind = "max"
    pattern_dtype = np.int32

    def group_sizes(self) -> np.ndarray:
        return np.diff(self.indptr)

    @property
    def pieces(self) -> int:
        sizes = self.group_sizes()
        return int(sizes.max()) if sizes.size else 0

    def is_active(self, piece):
        return np.ones(np.shape(piece), dtype=bool)

    def padded(self) -> tuple[np.ndarray, np.ndarray]:
        """Indices as a (groups, kmax) array padded with the group's last index, and the mask
        of real entries."""
        sizes = self.group_sizes()
        k = int(sizes.max()) if sizes.size else 0
        pos = np.arange(k)
        mask = pos[None, :] < sizes[:, None]
        idx = self.indptr[:-1, None] + np.minimum(pos[None, :], np.maximum(sizes[:, None] - 1, 0))
        return self.indices[idx], mask

    _padded = padded

    def apply(self, x):
        idx, _ = self.padded()
        return x[:, idx].max(axis=2) if idx.size else np.zeros((x.shape[0], 0))

    def piece(self, x):
        idx, _ = self.padded()
        return np.argmax(x[..., idx], axis=-1).astype(np.int32)

    def map_piece(self, A, c, p):
        rows = self.indices[self.indptr[:-1] + p]
        return A[rows], c[rows]

    #: Values of a block of :meth:`piece_on_maps` (the rows of one pair of entries).
    BLOCK_VALUES = 4 << 20

    def piece_on_maps(self, A, c, g) -> np.ndarray:
        """:meth:`piece` at inputs ``g`` (n, inputs) on cells whose input maps are ``A`` (n,
        inputs, d), ``c``, where an entry that is the same affine function as an earlier entry
        of its group (rows within ``EQUAL_PIECES_RTOL``, as :func:`max_split` decides for the
        region tree) reads as that one: the first of equal entries is the piece, whatever
        rounding makes of their values (docs/regions.md)."""
        idx, mask = self.padded()
        g = np.array(g, float)
        step = max(1, self.BLOCK_VALUES // (max(1, len(idx)) * (A.shape[2] + 1)))
        for a0 in range(0, len(g), step):
            R = np.concatenate([A[a0:a0 + step], c[a0:a0 + step, :, None]], axis=2)
            norm = np.linalg.norm(R, axis=2)
            for q in range(1, idx.shape[1]):
                for p in range(q):
                    live = mask[:, p] & mask[:, q]
                    i, j = idx[live, p], idx[live, q]
                    same = np.linalg.norm(R[:, j] - R[:, i], axis=2) <= \
                        tol.EQUAL_PIECES_RTOL * (norm[:, i] + norm[:, j])
                    g[a0:a0 + step, j] = np.where(same, g[a0:a0 + step, i], g[a0:a0 + step, j])
        return self.piece(g)

    def interval(self, l, h):
        idx, _ = self.padded()
        return l[idx].max(axis=1), h[idx].max(axis=1)

    def possible(self, l, h):
        """:func:`max_candidates` on the group's entries' bounds."""
        idx, mask = self.padded()
        return max_candidates(idx, mask, np.where(mask, l[idx], -np.inf),
                              np.where(mask, h[idx], -np.inf))

    def candidates(self, l, h) -> np.ndarray:
        """:meth:`possible` flattened in the order of ``indices``."""
        return self.possible(l, h)[self.padded()[1]]

    def layer_counts(self) -> tuple[int, int, tuple]:
        k = [int(v) for v in self.group_sizes()]
        return sum(v * (v - 1) // 2 for v in k), prod(k), tuple(sorted(set(k)))

    def unstable_inputs(self, l, h) -> np.ndarray:
        """Entries (input indices) of groups with more than one possible piece that are not
        constant on the box: the inputs whose bounds are worth tightening."""
        idx, mask = self.padded()
        groups = np.flatnonzero(self.possible(l, h).sum(axis=1) > 1)
        ent = np.unique(idx[groups][mask[groups]])
        return ent[l[ent] < h[ent]]

    def split(self, g: int, m) -> tuple:
        """Pieces of group ``g`` on a partial region (see :func:`max_split`)."""
        return max_split(self, g, m)

    def piece_rows(self, A, c, p) -> tuple[np.ndarray, np.ndarray]:
        """Rows ``y_q - y_p <= 0`` for every other entry ``q`` of each group, ``p`` the
        group's piece, given the affine map ``(A, c)`` of the entries on the region."""
        idx, mask = self.padded()
        chosen = idx[np.arange(self.size), np.asarray(p, int)]
        g, q = np.nonzero(mask)
        other = idx[g, q]
        keep = other != chosen[g]
        other, ch = other[keep], chosen[g[keep]]
        return A[other] - A[ch], c[ch] - c[other]

    def switch_lines(self, A, c, cand) -> list:
        out = []
        for g in range(self.size):
            a0, a1 = self.indptr[g], self.indptr[g + 1]
            mem = [m for m, ok in zip(self.indices[a0:a1], cand[a0:a1]) if ok]
            for x in range(len(mem)):
                for y in range(x + 1, len(mem)):
                    out.append((A[mem[x]] - A[mem[y]], c[mem[x]] - c[mem[y]]))
        return out

    # -- certificates (regioncount.enumeration.certify) ---------------------------------
    def piece_parts(self, p) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(src, scale, offset)`` as for :meth:`Elementwise.piece_parts`: a group outputs its
        chosen entry."""
        p = np.asarray(p, int)
        src = self.indices[self.indptr[:-1] + p]
        return src, np.ones(p.shape), np.zeros(p.shape)

    def point_slack(self, z, ez, p) -> tuple[np.ndarray, np.ndarray]:
        """``(slack, err)``: by how much each group's chosen entry beats every other entry
        (an earlier repeat of the same input: ``-inf``; a later one is the same piece)."""
        idx, mask = self.padded()
        p = np.asarray(p, int)
        K = idx.shape[1]
        w = idx[np.arange(self.size)[None, :], p]                       # (B, G)
        zw, ew = np.take_along_axis(z, w, 1), np.take_along_axis(ez, w, 1)
        zo, eo = z[:, idx], ez[:, idx]                                  # (B, G, K)
        pos = np.arange(K)[None, None, :]
        same = idx[None, :, :] == w[:, :, None]
        d = np.where(mask[None] & ~same, zw[..., None] - zo, np.inf)
        d = np.where(mask[None] & same & (pos < p[..., None]), -np.inf, d)
        err = ew[..., None] + eo + 2.0 ** -52 * (np.abs(zw[..., None]) + np.abs(zo))
        j = np.argmin(d, axis=2)[..., None]
        return (np.take_along_axis(d, j, 2)[..., 0] if K else np.full(p.shape, np.inf),
                np.take_along_axis(err, j, 2)[..., 0] if K else np.zeros(p.shape))

    def unit_pieces(self, g: int) -> list[int]:
        """The positions of group ``g`` that can be its first maximal entry (not a repeat of
        an earlier entry's input)."""
        members = list(self.indices[self.indptr[g]:self.indptr[g + 1]])
        return [q for q, m in enumerate(members) if m not in members[:q]]

    def unit_rows(self, g: int, q: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Rows ``g[l] - g[w] <= 0`` for every other entry ``l`` of group ``g`` (``w`` the
        entry at position ``q``), strict for the entries before ``q`` (the first maximal entry
        names the piece); see :meth:`Elementwise.unit_rows`."""
        members = self.indices[self.indptr[g]:self.indptr[g + 1]]
        w = int(members[q])
        return _row_arrays([(int(m), w, 0.0, pos < q) for pos, m in enumerate(members)
                            if int(m) != w])

    def backward(self, g, x, rule: str):
        """Every rule routes the signal to the forward argmax of each group."""
        out = np.zeros_like(x)
        rows = self.indices[self.indptr[:-1] + self.piece(x)]
        np.add.at(out, (np.arange(x.shape[0])[:, None], rows), g)
        return out


def max_candidates(idx: np.ndarray, mask: np.ndarray, xl: np.ndarray, xu: np.ndarray) -> np.ndarray:
    """Which positions of each max group can be *the* maximum piece, shape (groups, k).

    ``idx``, ``mask`` are the padded group indices and their validity (``MaxGroups.padded``),
    ``xl``, ``xu`` the entries' bounds in the same layout. A position is dropped when its upper
    bound is below another entry's lower bound, when it repeats an input already in the
    group, or when every remaining candidate is the same constant (a max-pool over inactive
    ReLUs is one piece, the max of zeros: docs/regions.md); the first position is kept, as in
    the pattern numbering.
    """
    G, K = idx.shape
    best_lo = xl.max(axis=1) if K else np.zeros(G)
    cand = mask & (xu >= best_lo[:, None])
    for p in range(1, K):
        for q in range(p):
            cand[:, p] &= ~(mask[:, q] & (idx[:, q] == idx[:, p]))
    if K:
        cl = np.where(cand, xl, np.inf).min(axis=1)
        cu = np.where(cand, xu, -np.inf).max(axis=1)
        const = cand.any(axis=1) & (cl == cu)          # every candidate is the constant cl
        first = np.argmax(cand, axis=1)
        cand[const] = False
        cand[np.flatnonzero(const), first[const]] = True
    return cand


def _same_function(m, j: int, l: int) -> bool:
    """Whether entries ``j`` and ``l`` are the same affine function on the region."""
    rj, rl = np.r_[m.A[j], m.c[j]], np.r_[m.A[l], m.c[l]]
    return np.linalg.norm(rj - rl) <= tol.EQUAL_PIECES_RTOL * (np.linalg.norm(rj) + np.linalg.norm(rl))


def max_split(s: MaxGroups, g: int, m) -> tuple:
    """The pieces of group ``g``: member ``j`` is the maximum where ``y_j >= y_l`` for every
    other member; members that are the same affine function on the region are one piece,
    numbered by the first of them, and members that cannot be the maximum on the domain
    (``m.cand``) are dropped."""
    a0, a1 = s.indptr[g], s.indptr[g + 1]
    members = s.indices[a0:a1]
    cand = m.cand[a0:a1]
    reps: list[int] = []
    for pos in range(len(members)):
        if cand[pos] and not any(_same_function(m, members[pos], members[q]) for q in reps):
            reps.append(pos)
    if len(reps) == 1:
        return ((reps[0], ()),)
    out = [piece for piece in (_max_piece(m, members, reps, pos) for pos in reps) if piece]
    if len(out) == 1:
        return ((out[0][0], ()),)
    return tuple(out)


def _max_piece(m, members, reps, pos):
    """``(pos, rows)`` for member ``pos`` of a group, or None when another member dominates
    it everywhere on the region."""
    mj = members[pos]
    rows = []
    for q in reps:
        if q == pos:
            continue
        ml = members[q]
        d = m.A[ml] - m.A[mj]              # y_l - y_j <= 0
        e = m.c[ml] - m.c[mj]
        nd = np.linalg.norm(d)
        if nd <= tol.EQUAL_PIECES_RTOL * (np.linalg.norm(m.A[ml]) + np.linalg.norm(m.A[mj])):
            if e > 0 or (e == 0 and q < pos):
                return None                 # y_l >= y_j everywhere
            continue
        rows.append((d / nd, -e / nd))
    return (pos, tuple(rows))


#: Every PWL stage kind, by its ``kind`` name.
PWL_KINDS = {cls.kind: cls for cls in (Relu, LeakyRelu, Clip, HardSigmoid, MaxGroups)}
