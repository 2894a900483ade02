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
from ..network import Affine, Clip, LeakyRelu, MaxGroups, Network, Relu
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
                if isinstance(s, (Relu, LeakyRelu)):
                    p[u] = (x[pc[u, 1]] > 0.5).astype(np.int32)
                else:
                    cols = pc[u]
                    vals = np.where(cols >= 0, x[np.maximum(cols, 0)], -_INF)
                    p[u] = np.argmax(vals, axis=1)
            out.append(p.astype(np.int8) if not isinstance(s, MaxGroups) else p)
        return out

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
            if not u.size:
                continue
            if isinstance(s, (Relu, LeakyRelu)):
                z = pc[u, 1]
                on = p[u] == 1
                cols.append(z)
                coef.append(np.where(on, -1.0, 1.0))
            else:
                sub = pc[u]
                chosen = np.arange(sub.shape[1])[None, :] == p[u][:, None]
                real = sub >= 0
                cols.append(sub[real])
                coef.append(np.where(chosen[real], -1.0, 1.0))
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
            if isinstance(s, (Relu, LeakyRelu)):
                cols.append(pc[u, 1])
                vals.append((p[u] == 1).astype(float))
            else:
                sub = pc[u]
                if np.any((p[u] < 0) | (p[u] >= sub.shape[1])):
                    bad = True
                    continue
                if np.any(sub[np.arange(u.size), p[u]] < 0):
                    bad = True
                chosen = np.arange(sub.shape[1])[None, :] == p[u][:, None]
                real = sub >= 0
                cols.append(sub[real])
                vals.append(chosen[real].astype(float))
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
            pc = self.piece_cols[k]
            st = self.stable_piece[k]
            u = np.flatnonzero(st < 0)
            if isinstance(s, (Relu, LeakyRelu)):
                sol[pc[u, 1]] = p[u] == 1
            elif u.size:
                sub = pc[u]
                chosen = np.arange(sub.shape[1])[None, :] == p[u][:, None]
                real = sub >= 0
                sol[sub[real]] = chosen[real]
            if isinstance(s, Clip) and k in self._aux:
                g = vals[s.inputs[0]][0]
                su, scol, tu, tcol = self._aux[k]
                sol[scol] = np.maximum(s.lo[su] - g[su], 0.0)
                sol[tcol] = np.maximum(g[tu] - s.hi[tu], 0.0)
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


# ---------------------------------------------------------------------------------------
class _Rows:
    """Collects rows ``lb <= sum_t coef_t * x[col_t] <= ub`` given term by term, vectorised
    over the rows (each term contributes one entry per row)."""

    def __init__(self, b: ModelBuilder):
        self.b = b

    def add(self, terms, lb, ub) -> np.ndarray:
        terms = [(np.asarray(c, np.int64).ravel(), np.asarray(v, float)) for c, v in terms]
        r = terms[0][0].size
        if r == 0:
            return np.zeros(0, np.int64)
        rows = np.concatenate([np.arange(r)] * len(terms))
        cols = np.concatenate([c for c, _ in terms])
        vals = np.concatenate([np.broadcast_to(v, (r,)) for _, v in terms])
        A = sp.coo_matrix((vals, (rows, cols)), shape=(r, self.b.num_cols))
        return self.b.add_rows(A, lb, ub)


def _weight_rows(net: Network, i: int):
    """The concatenated weight rows of Affine stage ``i`` (sparse), or None."""
    s = net.stages[i]
    if not isinstance(s, Affine):
        return None
    return sp.hstack([sp.csr_matrix(W) for W in s.weights]).tocsr()


def _row_norms(net: Network, i: int) -> np.ndarray:
    """Euclidean norms of the weight rows of stage ``i`` (1 when it is not affine or a row
    is zero): the normalisation of the margin rows."""
    W = _weight_rows(net, i)
    if W is None:
        return np.ones(net.stages[i].size)
    n = np.sqrt(np.asarray(W.multiply(W).sum(axis=1)).ravel())
    return np.where(n > 0, n, 1.0)


def max_candidates(idx: np.ndarray, mask: np.ndarray, xl: np.ndarray, xu: np.ndarray) -> np.ndarray:
    """Which positions of each max group can be *the* maximum piece, shape (groups, k).

    ``idx``, ``mask`` are the padded group indices and their validity (``MaxGroups._padded``),
    ``xl``, ``xu`` the entries' bounds in the same layout. A position is dropped when its upper
    bound is below another entry's lower bound, when it repeats an input already in the
    group, or when every remaining candidate is the same constant (a max-pool over inactive
    ReLUs is one piece, the max of zeros: REGIONS.md section 1); the first position is kept,
    as in the pattern numbering of :mod:`regioncount.network`.
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
    R = _Rows(b)
    x = b.add_vars(net.input_size, domain.lo, domain.hi, name="x")
    if domain.A is not None:
        b.add_rows(domain.A, -_INF, domain.b, cols=x)
    f = None
    margin_rows: list[np.ndarray] = []
    if margin:
        if not margin_bound > 0:
            raise ValueError("margin_bound must be positive")
        f = int(b.add_vars(1, 0.0, margin_bound, name="f")[0])
    value_cols: list = [x] + [None] * (len(net.stages) - 1)
    piece_cols: dict = {}
    stable_piece: dict = {}
    aux: dict = {}
    F = float(margin_bound)

    for k in range(1, upto):
        s = net.stages[k]
        lo_k, hi_k = bounds.lo[k], bounds.hi[k]
        if isinstance(s, Affine):
            y = b.add_vars(s.size, lo_k, hi_k, name=f"s{k}")
            blocks = [sp.identity(s.size, format="csr")] + [-sp.csr_matrix(W) for W in s.weights]
            cols = np.concatenate([y] + [value_cols[i] for i in s.sources])
            b.add_rows(sp.hstack(blocks), s.bias, s.bias, cols=cols)
            value_cols[k] = y
            continue
        i = s.inputs[0]
        g = value_cols[i]
        l, u = bounds.lo[i], bounds.hi[i]
        if isinstance(s, (Relu, LeakyRelu)):
            a = np.zeros(s.size) if isinstance(s, Relu) else np.broadcast_to(s.alpha, (s.size,)).astype(float)
            if np.any(a > 1):
                raise RegioncountError(f"stage {k}: leaky ReLU slope above 1 is not max(a*y, y)")
            inactive = u <= 0
            active = (l >= 0) & ~inactive
            unst = ~(inactive | active)
            hl = np.where(inactive & (a == 0), 0.0, lo_k)
            hu = np.where(inactive & (a == 0), 0.0, hi_k)
            h = b.add_vars(s.size, hl, hu, name=f"s{k}")
            ia = np.flatnonzero(active)
            R.add([(h[ia], 1.0), (g[ia], -1.0)], 0.0, 0.0)
            ii = np.flatnonzero(inactive & (a != 0))
            R.add([(h[ii], 1.0), (g[ii], -a[ii])], 0.0, 0.0)
            U = np.flatnonzero(unst)
            au, lu, uu = a[U], l[U], u[U]
            gu, hu_ = g[U], h[U]
            if relax:
                # convex hull: h >= g, h >= a g, h <= a l + slope (g - l)
                R.add([(hu_, 1.0), (gu, -1.0)], 0.0, _INF)
                leak = np.flatnonzero(au != 0)
                R.add([(hu_[leak], 1.0), (gu[leak], -au[leak])], 0.0, _INF)
                slope = (uu - au * lu) / (uu - lu)
                R.add([(hu_, 1.0), (gu, -slope)], -_INF, au * lu - slope * lu)
                piece_cols[k] = np.full((s.size, 2), -1, np.int64)
                stable_piece[k] = np.where(inactive, 0, np.where(active, 1, -1)).astype(np.int32)
                value_cols[k] = h
                continue
            z = b.add_vars(U.size, 0.0, 1.0, integer=True, name=f"z{k}")
            R.add([(hu_, 1.0), (gu, -1.0)], 0.0, _INF)                      # h >= g
            leak = np.flatnonzero(au != 0)
            R.add([(hu_[leak], 1.0), (gu[leak], -au[leak])], 0.0, _INF)     # h >= a g
            c1 = (1 - au) * (-lu)
            R.add([(hu_, 1.0), (gu, -1.0), (z, c1)], -_INF, c1)             # h <= g + c1 (1 - z)
            R.add([(hu_, 1.0), (gu, -au), (z, -(1 - au) * uu)], -_INF, 0.0)  # h <= a g + (1-a) u z
            pc = np.full((s.size, 2), -1, np.int64)
            pc[U, 1] = z
            st = np.where(inactive, 0, np.where(active, 1, -1)).astype(np.int32)
            if f is not None and U.size:
                n = _row_norms(net, i)[U]
                Ma = F - lu / n
                margin_rows.append(R.add([(np.full(U.size, f), 1.0), (gu, -1.0 / n), (z, Ma)], -_INF, Ma))
                Mi = F + uu / n
                margin_rows.append(R.add([(np.full(U.size, f), 1.0), (gu, 1.0 / n), (z, -Mi)], -_INF, 0.0))
            value_cols[k] = h
        elif isinstance(s, Clip):
            clo = np.broadcast_to(s.lo, (s.size,)).astype(float)
            chi = np.broadcast_to(s.hi, (s.size,)).astype(float)
            low = u <= clo
            high = (l >= chi) & ~low
            mid = (l >= clo) & (u <= chi) & ~low & ~high
            st = np.where(low, 0, np.where(mid, 1, np.where(high, 2, -1))).astype(np.int32)
            yl = np.where(low, clo, np.where(high, chi, lo_k))
            yu = np.where(low, clo, np.where(high, chi, hi_k))
            y = b.add_vars(s.size, yl, yu, name=f"s{k}")
            im = np.flatnonzero(mid)
            R.add([(y[im], 1.0), (g[im], -1.0)], 0.0, 0.0)
            U = np.flatnonzero(st < 0)
            p0 = l[U] < clo[U]
            p2 = u[U] > chi[U]
            pc = np.full((s.size, 3), -1, np.int64)
            z1 = b.add_vars(U.size, 0.0, 1.0, integer=True, name=f"z{k}_1")
            pc[U, 1] = z1
            S, T = U[p0], U[p2]
            z0 = b.add_vars(S.size, 0.0, 1.0, integer=True, name=f"z{k}_0")
            z2 = b.add_vars(T.size, 0.0, 1.0, integer=True, name=f"z{k}_2")
            pc[S, 0] = z0
            pc[T, 2] = z2
            # one piece: z0 + z1 + z2 = 1 (absent pieces contribute nothing)
            if U.size:
                rows = np.concatenate([np.arange(U.size), np.flatnonzero(p0), np.flatnonzero(p2)])
                cc = np.concatenate([z1, z0, z2])
                b.add_rows(sp.coo_matrix((np.ones(cc.size), (rows, cc)), shape=(U.size, b.num_cols)), 1.0, 1.0)
            # s = max(lo - g, 0) switched by z0;  t = max(g - hi, 0) switched by z2
            sc = b.add_vars(S.size, 0.0, clo[S] - l[S], name=f"s{k}_lo")
            R.add([(sc, 1.0), (g[S], 1.0)], clo[S], _INF)
            R.add([(sc, 1.0), (g[S], 1.0), (z0, u[S] - clo[S])], -_INF, u[S])
            R.add([(sc, 1.0), (z0, -(clo[S] - l[S]))], -_INF, 0.0)
            tc = b.add_vars(T.size, 0.0, u[T] - chi[T], name=f"s{k}_hi")
            R.add([(tc, 1.0), (g[T], -1.0)], -chi[T], _INF)
            R.add([(tc, 1.0), (g[T], -1.0), (z2, chi[T] - l[T])], -_INF, -l[T])
            R.add([(tc, 1.0), (z2, -(u[T] - chi[T]))], -_INF, 0.0)
            # y = g + s - t
            if U.size:
                rows = np.concatenate([np.arange(U.size)] * 2 + [np.flatnonzero(p0), np.flatnonzero(p2)])
                cc = np.concatenate([y[U], g[U], sc, tc])
                vv = np.concatenate([np.ones(U.size), -np.ones(U.size), -np.ones(S.size), np.ones(T.size)])
                b.add_rows(sp.coo_matrix((vv, (rows, cc)), shape=(U.size, b.num_cols)), 0.0, 0.0)
            aux[k] = (S, sc, T, tc)
            if f is not None and U.size:
                nn = _row_norms(net, i)
                fS, fT = np.full(S.size, f), np.full(T.size, f)
                nS, nT = nn[S], nn[T]
                # piece 0: f <= (lo - g)/n
                M = F + np.maximum(u[S] - clo[S], 0) / nS
                margin_rows.append(R.add([(fS, 1.0), (g[S], 1.0 / nS), (z0, M)], -_INF, M + clo[S] / nS))
                # piece 2: f <= (g - hi)/n
                M = F + np.maximum(chi[T] - l[T], 0) / nT
                margin_rows.append(R.add([(fT, 1.0), (g[T], -1.0 / nT), (z2, M)], -_INF, M - chi[T] / nT))
                # piece 1: f <= (g - lo)/n where piece 0 is possible, f <= (hi - g)/n where 2 is
                z1S, z1T = pc[S, 1], pc[T, 1]
                M = F + np.maximum(clo[S] - l[S], 0) / nS
                margin_rows.append(R.add([(fS, 1.0), (g[S], -1.0 / nS), (z1S, M)], -_INF, M - clo[S] / nS))
                M = F + np.maximum(u[T] - chi[T], 0) / nT
                margin_rows.append(R.add([(fT, 1.0), (g[T], 1.0 / nT), (z1T, M)], -_INF, M + chi[T] / nT))
            value_cols[k] = y
        elif isinstance(s, MaxGroups):
            idx, mask = s._padded()
            G, K = idx.shape
            xl = np.where(mask, l[idx], -_INF)
            xu = np.where(mask, u[idx], -_INF)
            cand = max_candidates(idx, mask, xl, xu)
            ncand = cand.sum(axis=1)
            first = np.argmax(cand, axis=1)
            st = np.where(ncand == 1, first, -1).astype(np.int32)
            y = b.add_vars(s.size, lo_k, hi_k, name=f"s{k}")
            one = np.flatnonzero(ncand == 1)
            R.add([(y[one], 1.0), (g[idx[one, first[one]]], -1.0)], 0.0, 0.0)
            Ug = np.flatnonzero(ncand > 1)
            pc = np.full((s.size, K), -1, np.int64)
            ci = np.argwhere(cand[Ug])          # (group position in Ug, piece position)
            zc = b.add_vars(ci.shape[0], 0.0, 1.0, integer=True, name=f"z{k}")
            gi, pi = Ug[ci[:, 0]], ci[:, 1]
            pc[gi, pi] = zc
            if Ug.size:
                b.add_rows(sp.coo_matrix((np.ones(zc.size), (ci[:, 0], zc)), shape=(Ug.size, b.num_cols)), 1.0, 1.0)
            # y >= x_j for every real position of an unstable group
            rj = np.argwhere(mask[Ug])
            gj, pj = Ug[rj[:, 0]], rj[:, 1]
            R.add([(y[gj], 1.0), (g[idx[gj, pj]], -1.0)], 0.0, _INF)
            # y <= x_p + (U - l_p)(1 - z_p) for candidates p
            Uy = xu.max(axis=1) if K else np.zeros(G)
            M = np.maximum(Uy[gi] - xl[gi, pi], 0.0)
            R.add([(y[gi], 1.0), (g[idx[gi, pi]], -1.0), (zc, M)], -_INF, M)
            if f is not None and zc.size:
                Wr = _weight_rows(net, i)
                fr_g, fr_p, fr_q = [], [], []
                for q in range(K):
                    sel = mask[gi, q] & (pi != q) & (idx[gi, q] != idx[gi, pi])
                    fr_g.append(np.flatnonzero(sel))
                    fr_p.append(np.flatnonzero(sel))
                    fr_q.append(np.full(int(sel.sum()), q))
                sel = np.concatenate(fr_g)          # index into (gi, pi, zc)
                qq = np.concatenate(fr_q)
                if sel.size:
                    xp = idx[gi[sel], pi[sel]]
                    xq = idx[gi[sel], qq]
                    if Wr is None:
                        n = np.ones(sel.size)
                    else:
                        D = Wr[xp] - Wr[xq]
                        n = np.sqrt(np.asarray(D.multiply(D).sum(axis=1)).ravel())
                        n = np.where(n > 0, n, 1.0)
                    M = F + np.maximum(u[xq] - l[xp], 0.0) / n
                    # z_p = 1  =>  f <= (x_p - x_q) / n
                    margin_rows.append(R.add([(np.full(sel.size, f), 1.0), (g[xp], -1.0 / n),
                                              (g[xq], 1.0 / n), (zc[sel], M)], -_INF, M))
            value_cols[k] = y
        else:  # pragma: no cover - every PWL kind is handled above
            raise RegioncountError(f"stage {k}: no MILP encoding for stage kind {s.kind}")
        piece_cols[k] = pc
        stable_piece[k] = st

    if f is not None:
        b.set_objective([f], [1.0], sense="max")
    if relax:
        b.set_integer(False)
    mrows = np.concatenate(margin_rows) if margin_rows else np.zeros(0, np.int64)
    return Encoding(b.build(), net, bounds, x, value_cols, piece_cols, stable_piece, f, mrows, aux)


__all__ = ["MARGIN_BOUND", "Encoding", "encode", "max_candidates"]
