"""The mixed-integer encoding of a piecewise-linear network over a domain.

:func:`encode` turns a :class:`~regioncount.network.Network`, a
:class:`~regioncount.domain.Domain` and sound neuron bounds into a
:class:`~regioncount.milp.model.MilpModel` whose feasible points, projected on the input and
stage columns, are exactly the network's input-output graph over the domain (Serra,
Tjandraatmadja and Ramalingam 2018; Tjeng, Xiao and Tedrake 2019). Every stage output gets a
column (the input stage: the input columns); :attr:`Encoding.value_cols` lists them.

Per unit, with pre-activation ``g`` in ``[l, u]`` (bounds from ``bounds``):

- ReLU ``h = max(g, 0)``, unstable (``l < 0 < u``), one binary ``z`` (1: active)::

      h >= g,  h >= 0,  h <= g - l (1 - z),  h <= u z

  This is Serra et al.'s ``g = h - hbar, 0 <= h <= H z, 0 <= hbar <= Hbar (1 - z)`` with
  ``H = u``, ``Hbar = -l`` and ``hbar = h - g`` substituted.
- leaky ReLU ``h = max(a g, g)`` (``a <= 1``)::

      h >= g,  h >= a g,  h <= g + (1 - a)(-l)(1 - z),  h <= a g + (1 - a) u z

- clip ``[lo, hi]``: ``h = g + s - t`` with ``s = max(lo - g, 0)``, ``t = max(g - hi, 0)``
  each encoded like a ReLU; one binary per possible piece (``z0`` below, ``z1`` between,
  ``z2`` above), ``sum z = 1``, ``s`` switched by ``z0`` and ``t`` by ``z2``.
- max group ``y = max_j x_j``: one binary per candidate piece (pieces whose upper bound is
  below another piece's lower bound are dropped), ``sum z = 1``::

      y >= x_j (every j),  y <= x_j + (U - l_j)(1 - z_j)   (U = max_j u_j)

- Stable units get no binary: active ``h = g``, inactive ``h = 0`` (leaky: ``h = a g``),
  a stable clip is its constant or ``h = g``, a stable max group ``y = x_c``.

With ``margin=True`` a column ``f`` in ``[0, margin_bound]`` is added (maximised by default)
with, for every *unstable* unit and each of its pieces, a row that holds when that piece is
selected and is relaxed otherwise::

    f <= g / n + (1 - z) Ma,     Ma = F - l / n       (ReLU active piece)
    f <= -g / n + z Mi,          Mi = F + u / n       (ReLU inactive piece)

``n`` is the Euclidean norm of the unit's weight row (the pre-activation row normalised, so
the margin is not scale dependent), ``F = margin_bound``. The big-M constants are the
smallest valid ones given ``f <= F``; they are *not* the ReLU's ``H`` (a stably inactive unit
has ``H = 0`` and reusing it would force ``f <= 0``). Stable units get no margin row: they
hold one piece on the whole domain and do not cut it, and the domain's own boundary is not a
region boundary (a region is counted inside the domain). A pattern has a region with
non-empty interior exactly when ``max f > 0`` (in practice ``> REGION_MARGIN``).

Piece numbering is that of :mod:`regioncount.network`.

Examples
--------
>>> import numpy as np
>>> from regioncount import Domain, Network
>>> net = Network.from_layers([(np.array([[1.0], [-1.0]]), np.array([0.0, 0.5]))],
...                           final=(np.array([[1.0, 1.0]]), np.zeros(1)))
>>> enc = encode(net, Domain.box(-1, 1, 1))
>>> enc.model.num_integer          # both ReLUs straddle zero on [-1, 1]
2
>>> x = enc.start(np.array([0.25]))
>>> float(x[enc.output_cols[0]]), enc.model.violation(x) == 0
(0.5, True)
>>> [p.tolist() for p in enc.pattern_from(x)]
[[1, 1]]
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from ..domain import Domain
from ..errors import DomainError, RegioncountError
from ..intervals import NeuronBounds, interval_bounds
from ..network import Network
from ..stages import max_candidates
from .encodings import EXACT, RELAXED, Context, Rows
from .model import MilpModel, ModelBuilder

#: Upper bound ``F`` of the margin column ``f``. The margin only has to be positive for a
#: region to count, so capping it changes no decision; a cap of the order of the inputs keeps
#: the margin big-M constants ``F + |bound| / n`` small. Not a big-M of any unit.
MARGIN_BOUND = 1.0

_INF = np.inf


@dataclass(eq=False)
class Encoding:
    """A network encoded as a MILP, and the maps between its columns and the network.

    Attributes
    ----------
    model : MilpModel
        Objective: maximise the margin when ``margin=True``, else zero (set your own with
        :meth:`MilpModel.with_objective` or a backend's ``set_objective``).
    net : Network
    bounds : NeuronBounds
        The bounds the encoding was built from.
    input_cols : ndarray of int
    value_cols : list of ndarray of int or None
        ``value_cols[k]``: the columns of stage ``k``'s outputs (``None`` beyond ``upto``).
        The pre-activations of PWL stage ``k`` are ``value_cols[net.stages[k].inputs[0]]``.
    piece_cols : dict int -> ndarray of int, shape (units, pieces)
        For each PWL stage, the binary column of each (unit, piece), ``-1`` where the unit is
        stable or the piece impossible. ReLU and leaky ReLU units have one binary ``z``
        (``z = 1``: piece 1, active); it sits in column 1 and column 0 is ``-1`` (piece 0 is
        ``1 - z``). Clip and max units have one binary per possible piece, summing to 1.
    stable_piece : dict int -> ndarray of int
        For each PWL stage, the piece of every stable unit and ``-1`` for unstable ones.
    margin_col : int or None
    margin_rows : ndarray of int
        The rows that carry ``f`` (empty without a margin).
    """

    model: MilpModel
    net: Network
    bounds: NeuronBounds
    input_cols: np.ndarray
    value_cols: list
    piece_cols: dict
    stable_piece: dict
    margin_col: int | None = None
    margin_rows: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    _aux: dict = field(default_factory=dict, repr=False)
    #: Per PWL stage: one binary per unit in column 1 whose complement is piece 0 (ReLU-like).
    implied: dict = field(default_factory=dict, repr=False)

    # -- structure ----------------------------------------------------------------------
    @property
    def output_cols(self) -> np.ndarray:
        """Columns of the network output stage."""
        cols = self.value_cols[self.net.output]
        if cols is None:
            raise RegioncountError("this encoding stops before the network output")
        return cols

    def pre_cols(self, k: int) -> np.ndarray:
        """Columns of the pre-activations (input values) of PWL stage ``k``."""
        return self.value_cols[self.net.stages[k].inputs[0]]

    @property
    def binary_cols(self) -> np.ndarray:
        """Every binary column, in stage order."""
        parts = [p[p >= 0] for p in self.piece_cols.values()]
        return np.concatenate(parts) if parts else np.zeros(0, np.int64)

    def _units(self):
        for k, pc in self.piece_cols.items():
            yield k, self.net.stages[k], pc, self.stable_piece[k]

    # -- patterns -----------------------------------------------------------------------
    def pattern_from(self, x_solution) -> list[np.ndarray]:
        """The activation pattern selected by the binaries of a solution vector.

        Stable units get their stable piece. Numbering as in :mod:`regioncount.network`.
        """
        x = np.asarray(x_solution, dtype=float)
        out = []
        for k, s, pc, st in self._units():
            p = st.astype(np.int32).copy()
            u = np.flatnonzero(st < 0)
            if u.size:
                if self.implied.get(k):
                    p[u] = (x[pc[u, 1]] > 0.5).astype(np.int32)
                else:
                    cols = pc[u]
                    vals = np.where(cols >= 0, x[np.maximum(cols, 0)], -_INF)
                    p[u] = np.argmax(vals, axis=1)
            out.append(p.astype(s.pattern_dtype))
        return out

    def _binaries(self, k: int, u: np.ndarray, pu: np.ndarray, pc: np.ndarray):
        """The binary columns of unstable units ``u`` and their values (1: the piece ``pu``
        is selected) under pieces ``pu``."""
        if self.implied.get(k):
            real = pc[u, 1] >= 0          # none in an LP relaxation
            return pc[u, 1][real], (pu[real] == 1).astype(float)
        sub = pc[u]
        chosen = np.arange(sub.shape[1])[None, :] == pu[:, None]
        real = sub >= 0
        return sub[real], chosen[real].astype(float)

    def _check_pattern(self, pattern):
        pattern = [np.asarray(p).ravel() for p in pattern]
        if len(pattern) != len(self.piece_cols):
            raise RegioncountError(
                f"pattern has {len(pattern)} stages, the encoding {len(self.piece_cols)} PWL stages")
        for (k, s, pc, st), p in zip(self._units(), pattern):
            if p.size != pc.shape[0]:
                raise RegioncountError(f"pattern for stage {k} has {p.size} units, expected {pc.shape[0]}")
        return pattern

    def nogood(self, pattern) -> tuple[sp.csr_matrix, float]:
        """The no-good cut excluding ``pattern``: ``sum_{z=1} (1 - z) + sum_{z=0} z >= 1``.

        Returns
        -------
        row : scipy.sparse.csr_matrix of shape (1, num_cols)
        lb : float
            The cut is ``row @ x >= lb`` (no upper side).
        """
        pattern = self._check_pattern(pattern)
        cols, coef = [], []
        for (k, s, pc, st), p in zip(self._units(), pattern):
            u = np.flatnonzero(st < 0)
            if u.size:
                c, v = self._binaries(k, u, p[u], pc)
                cols.append(c)
                coef.append(np.where(v > 0, -1.0, 1.0))
        cols = np.concatenate(cols) if cols else np.zeros(0, np.int64)
        coef = np.concatenate(coef) if coef else np.zeros(0)
        n = self.model.num_cols
        row = sp.csr_matrix((coef, (np.zeros(cols.size, np.int64), cols)), shape=(1, n))
        return row, float(1.0 - np.count_nonzero(coef < 0))

    def fix_pattern(self, pattern) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Column bounds that restrict the model to one activation pattern.

        Returns ``(cols, lb, ub)`` fixing every binary. A pattern that contradicts a stable
        unit or picks an impossible piece cannot be realised: the result then also gives
        column ``cols[-1]`` the empty range ``lb = 1 > ub = 0``, which every backend reports
        as ``Status.INFEASIBLE``.
        """
        pattern = self._check_pattern(pattern)
        cols, vals = [], []
        bad = False
        for (k, s, pc, st), p in zip(self._units(), pattern):
            stable = st >= 0
            if np.any(p[stable] != st[stable]):
                bad = True
            u = np.flatnonzero(~stable)
            if not u.size:
                continue
            if np.any((p[u] < 0) | (p[u] >= pc.shape[1])):
                bad = True
                continue
            if not self.implied.get(k) and np.any(pc[u, p[u]] < 0):
                bad = True
            c, v = self._binaries(k, u, p[u], pc)
            cols.append(c)
            vals.append(v)
        cols = np.concatenate(cols).astype(np.int64) if cols else np.zeros(0, np.int64)
        lb = np.concatenate(vals) if vals else np.zeros(0)
        ub = lb.copy()
        if bad:
            c = self.margin_col if self.margin_col is not None else int(self.input_cols[0])
            cols = np.append(cols, c)
            lb = np.append(lb, 1.0)
            ub = np.append(ub, 0.0)
        return cols, lb, ub

    # -- feasible starts ----------------------------------------------------------------
    def start(self, x_input) -> np.ndarray:
        """A full solution vector from a forward pass at the input point ``x_input``.

        Feasible for the model whenever ``x_input`` lies in the domain (the bounds are sound);
        hand it to a backend as a MIP start. The margin column gets the largest value its rows
        allow at this point (0 when the point is on a unit's boundary).
        """
        x_input = np.asarray(x_input, dtype=float).ravel()
        net = self.net
        vals = net.forward(x_input[None, :])
        pats = iter(net.pattern(x_input))
        sol = np.zeros(self.model.num_cols)
        for k, s in enumerate(net.stages):
            cols = self.value_cols[k]
            if cols is None:
                break
            sol[cols] = vals[k][0]
            if not s.is_pwl:
                continue
            p = np.asarray(next(pats)).ravel()
            u = np.flatnonzero(self.stable_piece[k] < 0)
            c, v = self._binaries(k, u, p[u], self.piece_cols[k])
            sol[c] = v
            if k in self._aux:
                g = vals[s.inputs[0]][0]
                su, scol, tu, tcol, lo, hi = self._aux[k]
                sol[scol] = np.maximum(lo[su] - g[su], 0.0)
                sol[tcol] = np.maximum(g[tu] - hi[tu], 0.0)
        if self.margin_col is not None:
            sol[self.margin_col] = 0.0
            if self.margin_rows.size:
                A = self.model.A[self.margin_rows]
                slack = self.model.row_ub[self.margin_rows] - A @ sol
                f = float(np.min(slack)) if slack.size else self.model.col_ub[self.margin_col]
            else:
                f = self.model.col_ub[self.margin_col]
            sol[self.margin_col] = min(max(f, 0.0), self.model.col_ub[self.margin_col])
        return sol


def encode(net: Network, domain: Domain, bounds: NeuronBounds | None = None, margin: bool = False,
           margin_bound: float = MARGIN_BOUND, upto: int | None = None,
           relax: bool = False) -> Encoding:
    """Encode ``net`` over ``domain`` as a MILP.

    Parameters
    ----------
    net : Network
    domain : Domain
        Box bounds become input column bounds; ``A x <= b`` becomes rows.
    bounds : NeuronBounds, optional
        Sound outer bounds of every stage (default: :func:`~regioncount.intervals.interval_bounds`).
        They decide the big-M constants and which units are stable; tighter is faster.
    margin : bool
        Add the margin column ``f`` (see the module docstring) and maximise it.
    margin_bound : float
        Upper bound of ``f``.
    upto : int, optional
        Encode only stages ``0 .. upto-1`` (used by layer-wise bound tightening).
    relax : bool
        Build the LP relaxation directly: an unstable ReLU / leaky ReLU becomes its convex
        hull on ``[l, u]`` (``h >= g``, ``h >= a g`` and the chord
        ``h <= a l + (u - a l)(g - l)/(u - l)``), which is exactly the projection of the big-M
        relaxation with ``0 <= z <= 1``, with no ``z`` column; clip and max binaries become
        continuous. Smaller LPs for bound tightening; such an encoding has no patterns.

    Returns
    -------
    Encoding
    """
    if domain.dim != net.input_size:
        raise DomainError(f"domain has {domain.dim} coordinates, the network takes {net.input_size}")
    if bounds is None:
        bounds = interval_bounds(net, domain)
    if relax and margin:
        raise ValueError("the margin needs the binaries: relax=True and margin=True do not mix")
    upto = len(net.stages) if upto is None else int(upto)
    b = ModelBuilder()
    x = b.add_vars(net.input_size, domain.lo, domain.hi, name="x")
    if domain.A is not None:
        b.add_rows(domain.A, -_INF, domain.b, cols=x)
    f = None
    if margin:
        if not margin_bound > 0:
            raise ValueError("margin_bound must be positive")
        f = int(b.add_vars(1, 0.0, margin_bound, name="f")[0])
    value_cols: list = [x] + [None] * (len(net.stages) - 1)
    enc = Encoding(None, net, bounds, x, value_cols, {}, {}, f)
    ctx = dict(builder=b, rows=Rows(b), net=net, f=f, F=float(margin_bound), margin_rows=[])
    registry = RELAXED if relax else EXACT
    for k in range(1, upto):
        s = net.stages[k]
        if not s.is_pwl:
            value_cols[k] = _affine(b, s, bounds.lo[k], bounds.hi[k], value_cols, k)
            continue
        _pwl(enc, registry, Context(k=k, g=value_cols[s.inputs[0]], l=bounds.lo[s.inputs[0]],
                                    u=bounds.hi[s.inputs[0]], lo_k=bounds.lo[k],
                                    hi_k=bounds.hi[k], **ctx))
    if f is not None:
        b.set_objective([f], [1.0], sense="max")
    if relax:
        b.set_integer(False)
    enc.model = b.build()
    mr = ctx["margin_rows"]
    enc.margin_rows = np.concatenate(mr) if mr else np.zeros(0, np.int64)
    return enc


def _affine(b: ModelBuilder, s, lo_k, hi_k, value_cols: list, k: int) -> np.ndarray:
    """Columns ``y`` of an affine stage with the rows ``y - sum W x = bias``."""
    y = b.add_vars(s.size, lo_k, hi_k, name=f"s{k}")
    blocks = [sp.identity(s.size, format="csr")] + [-sp.csr_matrix(W) for W in s.weights]
    cols = np.concatenate([y] + [value_cols[i] for i in s.sources])
    b.add_rows(sp.hstack(blocks), s.bias, s.bias, cols=cols)
    return y


def _pwl(enc: Encoding, registry: dict, ctx: Context) -> None:
    """Encode PWL stage ``ctx.k`` with its kind's entry of ``registry``."""
    fn = registry.get(ctx.stage.kind)
    if fn is None:
        raise RegioncountError(f"stage {ctx.k}: no MILP encoding for stage kind {ctx.stage.kind}")
    e = fn(ctx)
    k = ctx.k
    enc.value_cols[k] = e.cols
    enc.piece_cols[k] = e.pc
    enc.stable_piece[k] = e.st
    enc.implied[k] = e.implied
    if e.aux is not None:
        enc._aux[k] = e.aux


__all__ = ["MARGIN_BOUND", "Encoding", "encode", "max_candidates"]
