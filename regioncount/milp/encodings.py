"""One MILP encoding per PWL stage kind, in two registries: :data:`EXACT` (the big-M model) and
:data:`RELAXED` (the LP relaxation used for bound tightening).

Each entry is a small function ``encode_kind(ctx) -> Encoded`` that adds the stage's columns and
rows to ``ctx.builder`` (see :mod:`regioncount.milp.formulation` for the formulas). A new stage
kind adds one function per registry, as OMLT adds one formulation per activation and cvxpy one
canonicaliser per atom; :func:`~regioncount.milp.formulation.encode` is a loop over stages.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from ..errors import RegioncountError
from ..network import Network
from .model import ModelBuilder

_INF = np.inf


class Rows:
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

    def add_sparse(self, rows, cols, vals, nrows, lb, ub) -> np.ndarray:
        """Rows given as coordinates (row within the block, column, value)."""
        A = sp.coo_matrix((vals, (rows, cols)), shape=(nrows, self.b.num_cols))
        return self.b.add_rows(A, lb, ub)


@dataclass(eq=False)
class Context:
    """What an encoding function needs for PWL stage ``k`` reading stage ``i``."""

    builder: ModelBuilder
    rows: Rows
    net: Network
    k: int
    g: np.ndarray               # columns of the stage's inputs
    l: np.ndarray               # bounds of the inputs
    u: np.ndarray
    lo_k: np.ndarray            # bounds of the outputs
    hi_k: np.ndarray
    f: int | None = None        # margin column
    F: float = 1.0              # its upper bound
    margin_rows: list = field(default_factory=list)

    @property
    def stage(self):
        return self.net.stages[self.k]

    @property
    def i(self) -> int:
        return self.stage.inputs[0]

    def add_margin(self, terms, lb, ub) -> None:
        self.margin_rows.append(self.rows.add(terms, lb, ub))


@dataclass(eq=False)
class Encoded:
    """Columns of a PWL stage's outputs, its binaries and stable pieces.

    ``pc`` (units, pieces): the binary column of each (unit, piece), ``-1`` where stable or
    impossible. ``implied``: one binary per unit in column 1, piece 0 being its complement
    (ReLU-like units). ``aux``: clip slack columns ``(S, s_cols, T, t_cols, lo, hi)``.
    """

    cols: np.ndarray
    pc: np.ndarray
    st: np.ndarray
    implied: bool = False
    aux: tuple | None = None


def weight_rows(net: Network, i: int):
    """The concatenated weight rows of Affine stage ``i`` (sparse), or None."""
    weights = getattr(net.stages[i], "weights", None)
    if weights is None:
        return None
    return sp.hstack([sp.csr_matrix(W) for W in weights]).tocsr()


def row_norms(net: Network, i: int) -> np.ndarray:
    """Euclidean norms of the weight rows of stage ``i`` (1 when it is not affine or a row
    is zero): the normalisation of the margin rows."""
    W = weight_rows(net, i)
    if W is None:
        return np.ones(net.stages[i].size)
    n = np.sqrt(np.asarray(W.multiply(W).sum(axis=1)).ravel())
    return np.where(n > 0, n, 1.0)


# -- ReLU and leaky ReLU ----------------------------------------------------------------------
def _relu_common(ctx: Context):
    """Slopes, stable pieces and the output columns with the stable units' rows."""
    s, b, R = ctx.stage, ctx.builder, ctx.rows
    a = s.table()[1][:, 0].astype(float)          # slope of the inactive piece
    if np.any(a > 1):
        raise RegioncountError(f"stage {ctx.k}: leaky ReLU slope above 1 is not max(a*y, y)")
    st = s.stable_piece(ctx.l, ctx.u)
    inactive, active = st == 0, st == 1
    hl = np.where(inactive & (a == 0), 0.0, ctx.lo_k)
    hu = np.where(inactive & (a == 0), 0.0, ctx.hi_k)
    h = b.add_vars(s.size, hl, hu, name=f"s{ctx.k}")
    g = ctx.g
    ia = np.flatnonzero(active)
    R.add([(h[ia], 1.0), (g[ia], -1.0)], 0.0, 0.0)
    ii = np.flatnonzero(inactive & (a != 0))
    R.add([(h[ii], 1.0), (g[ii], -a[ii])], 0.0, 0.0)
    return a, st, h


def relu_hull(ctx: Context) -> Encoded:
    """LP relaxation: the convex hull on ``[l, u]``: ``h >= g``, ``h >= a g`` and the chord."""
    a, st, h = _relu_common(ctx)
    U = np.flatnonzero(st < 0)
    au, lu, uu, gu, hu = a[U], ctx.l[U], ctx.u[U], ctx.g[U], h[U]
    R = ctx.rows
    R.add([(hu, 1.0), (gu, -1.0)], 0.0, _INF)
    leak = np.flatnonzero(au != 0)
    R.add([(hu[leak], 1.0), (gu[leak], -au[leak])], 0.0, _INF)
    slope = (uu - au * lu) / (uu - lu)
    R.add([(hu, 1.0), (gu, -slope)], -_INF, au * lu - slope * lu)
    return Encoded(h, np.full((h.size, 2), -1, np.int64), st, implied=True)


def relu_exact(ctx: Context) -> Encoded:
    """``h >= g, h >= a g, h <= g + (1 - a)(-l)(1 - z), h <= a g + (1 - a) u z``."""
    a, st, h = _relu_common(ctx)
    U = np.flatnonzero(st < 0)
    au, lu, uu, gu, hu = a[U], ctx.l[U], ctx.u[U], ctx.g[U], h[U]
    R = ctx.rows
    z = ctx.builder.add_vars(U.size, 0.0, 1.0, integer=True, name=f"z{ctx.k}")
    R.add([(hu, 1.0), (gu, -1.0)], 0.0, _INF)                      # h >= g
    leak = np.flatnonzero(au != 0)
    R.add([(hu[leak], 1.0), (gu[leak], -au[leak])], 0.0, _INF)     # h >= a g
    c1 = (1 - au) * (-lu)
    R.add([(hu, 1.0), (gu, -1.0), (z, c1)], -_INF, c1)             # h <= g + c1 (1 - z)
    R.add([(hu, 1.0), (gu, -au), (z, -(1 - au) * uu)], -_INF, 0.0)  # h <= a g + (1-a) u z
    pc = np.full((h.size, 2), -1, np.int64)
    pc[U, 1] = z
    if ctx.f is not None and U.size:
        n = row_norms(ctx.net, ctx.i)[U]
        fU = np.full(U.size, ctx.f)
        Ma = ctx.F - lu / n
        ctx.add_margin([(fU, 1.0), (gu, -1.0 / n), (z, Ma)], -_INF, Ma)
        Mi = ctx.F + uu / n
        ctx.add_margin([(fU, 1.0), (gu, 1.0 / n), (z, -Mi)], -_INF, 0.0)
    return Encoded(h, pc, st, implied=True)


# -- clip-like units: scale * clip(g, lo, hi) + shift ------------------------------------------
def clip_exact(ctx: Context) -> Encoded:
    """``y = k (g + s - t) + d`` with ``s = max(lo - g, 0)`` switched by ``z0`` and ``t = max(g
    - hi, 0)`` by ``z2``, one binary per possible piece summing to 1."""
    s, b, R, g, l, u = ctx.stage, ctx.builder, ctx.rows, ctx.g, ctx.l, ctx.u
    clo, chi, kk, dd = (np.asarray(v, float) for v in s.bounds3)
    st = s.stable_piece(l, u)
    low, mid, high = st == 0, st == 1, st == 2
    with np.errstate(invalid="ignore"):
        v0, v2 = kk * clo + dd, kk * chi + dd
    y = b.add_vars(s.size, np.where(low, v0, np.where(high, v2, ctx.lo_k)),
                   np.where(low, v0, np.where(high, v2, ctx.hi_k)), name=f"s{ctx.k}")
    im = np.flatnonzero(mid)
    R.add([(y[im], 1.0), (g[im], -kk[im])], dd[im], dd[im])
    U = np.flatnonzero(st < 0)
    S, T = U[l[U] < clo[U]], U[u[U] > chi[U]]
    pc = np.full((s.size, 3), -1, np.int64)
    pc[U, 1] = b.add_vars(U.size, 0.0, 1.0, integer=True, name=f"z{ctx.k}_1")
    pc[S, 0] = b.add_vars(S.size, 0.0, 1.0, integer=True, name=f"z{ctx.k}_0")
    pc[T, 2] = b.add_vars(T.size, 0.0, 1.0, integer=True, name=f"z{ctx.k}_2")
    pos = np.full(s.size, -1)
    pos[U] = np.arange(U.size)
    if U.size:   # one piece: z0 + z1 + z2 = 1 (absent pieces contribute nothing)
        rows = np.concatenate([pos[U], pos[S], pos[T]])
        cc = np.concatenate([pc[U, 1], pc[S, 0], pc[T, 2]])
        R.add_sparse(rows, cc, np.ones(cc.size), U.size, 1.0, 1.0)
    sc, tc = _clip_slacks(ctx, clo, chi, S, T, pc)
    if U.size:   # y = k (g + s - t) + d
        rows = np.concatenate([pos[U], pos[U], pos[S], pos[T]])
        cc = np.concatenate([y[U], g[U], sc, tc])
        vv = np.concatenate([np.ones(U.size), -kk[U], -kk[S], kk[T]])
        R.add_sparse(rows, cc, vv, U.size, dd[U], dd[U])
    if ctx.f is not None and U.size:
        _clip_margins(ctx, clo, chi, S, T, pc)
    return Encoded(y, pc, st, aux=(S, sc, T, tc, clo, chi))


def _clip_slacks(ctx, clo, chi, S, T, pc):
    """``s = max(lo - g, 0)`` switched by ``z0``; ``t = max(g - hi, 0)`` switched by ``z2``."""
    b, R, g, l, u = ctx.builder, ctx.rows, ctx.g, ctx.l, ctx.u
    z0, z2 = pc[S, 0], pc[T, 2]
    sc = b.add_vars(S.size, 0.0, clo[S] - l[S], name=f"s{ctx.k}_lo")
    R.add([(sc, 1.0), (g[S], 1.0)], clo[S], _INF)
    R.add([(sc, 1.0), (g[S], 1.0), (z0, u[S] - clo[S])], -_INF, u[S])
    R.add([(sc, 1.0), (z0, -(clo[S] - l[S]))], -_INF, 0.0)
    tc = b.add_vars(T.size, 0.0, u[T] - chi[T], name=f"s{ctx.k}_hi")
    R.add([(tc, 1.0), (g[T], -1.0)], -chi[T], _INF)
    R.add([(tc, 1.0), (g[T], -1.0), (z2, chi[T] - l[T])], -_INF, -l[T])
    R.add([(tc, 1.0), (z2, -(u[T] - chi[T]))], -_INF, 0.0)
    return sc, tc


def _clip_margins(ctx, clo, chi, S, T, pc):
    """Margin rows of each possible piece of the unstable clip units."""
    g, l, u, F = ctx.g, ctx.l, ctx.u, ctx.F
    nn = row_norms(ctx.net, ctx.i)
    fS, fT = np.full(S.size, ctx.f), np.full(T.size, ctx.f)
    nS, nT = nn[S], nn[T]
    M = F + np.maximum(u[S] - clo[S], 0) / nS            # piece 0: f <= (lo - g)/n
    ctx.add_margin([(fS, 1.0), (g[S], 1.0 / nS), (pc[S, 0], M)], -_INF, M + clo[S] / nS)
    M = F + np.maximum(chi[T] - l[T], 0) / nT            # piece 2: f <= (g - hi)/n
    ctx.add_margin([(fT, 1.0), (g[T], -1.0 / nT), (pc[T, 2], M)], -_INF, M - chi[T] / nT)
    # piece 1: f <= (g - lo)/n where piece 0 is possible, f <= (hi - g)/n where 2 is
    M = F + np.maximum(clo[S] - l[S], 0) / nS
    ctx.add_margin([(fS, 1.0), (g[S], -1.0 / nS), (pc[S, 1], M)], -_INF, M - clo[S] / nS)
    M = F + np.maximum(u[T] - chi[T], 0) / nT
    ctx.add_margin([(fT, 1.0), (g[T], 1.0 / nT), (pc[T, 1], M)], -_INF, M + chi[T] / nT)


# -- max groups ------------------------------------------------------------------------------
def max_exact(ctx: Context) -> Encoded:
    """One binary per candidate piece, ``sum z = 1``; ``y >= x_j``, ``y <= x_p + (U - l_p)(1 -
    z_p)``."""
    s, b, R, g = ctx.stage, ctx.builder, ctx.rows, ctx.g
    idx, mask = s.padded()
    G, K = idx.shape
    xl = np.where(mask, ctx.l[idx], -_INF)
    xu = np.where(mask, ctx.u[idx], -_INF)
    cand = s.possible(ctx.l, ctx.u)
    ncand = cand.sum(axis=1)
    first = np.argmax(cand, axis=1)
    st = np.where(ncand == 1, first, -1).astype(np.int32)
    y = b.add_vars(s.size, ctx.lo_k, ctx.hi_k, name=f"s{ctx.k}")
    one = np.flatnonzero(ncand == 1)
    R.add([(y[one], 1.0), (g[idx[one, first[one]]], -1.0)], 0.0, 0.0)
    Ug = np.flatnonzero(ncand > 1)
    pc = np.full((s.size, K), -1, np.int64)
    ci = np.argwhere(cand[Ug])          # (group position in Ug, piece position)
    zc = b.add_vars(ci.shape[0], 0.0, 1.0, integer=True, name=f"z{ctx.k}")
    gi, pi = Ug[ci[:, 0]], ci[:, 1]
    pc[gi, pi] = zc
    if Ug.size:
        R.add_sparse(ci[:, 0], zc, np.ones(zc.size), Ug.size, 1.0, 1.0)
    rj = np.argwhere(mask[Ug])          # y >= x_j for every real position of an unstable group
    gj, pj = Ug[rj[:, 0]], rj[:, 1]
    R.add([(y[gj], 1.0), (g[idx[gj, pj]], -1.0)], 0.0, _INF)
    Uy = xu.max(axis=1) if K else np.zeros(G)
    M = np.maximum(Uy[gi] - xl[gi, pi], 0.0)
    R.add([(y[gi], 1.0), (g[idx[gi, pi]], -1.0), (zc, M)], -_INF, M)
    if ctx.f is not None and zc.size:
        _max_margins(ctx, idx, mask, gi, pi, zc)
    return Encoded(y, pc, st)


def _max_margins(ctx, idx, mask, gi, pi, zc):
    """``z_p = 1  =>  f <= (x_p - x_q) / n`` for every other real, distinct entry ``q``."""
    K = idx.shape[1]
    sel, qq = [], []
    for q in range(K):
        ok = mask[gi, q] & (pi != q) & (idx[gi, q] != idx[gi, pi])
        sel.append(np.flatnonzero(ok))
        qq.append(np.full(int(ok.sum()), q))
    sel, qq = np.concatenate(sel), np.concatenate(qq)      # index into (gi, pi, zc)
    if not sel.size:
        return
    xp, xq = idx[gi[sel], pi[sel]], idx[gi[sel], qq]
    Wr = weight_rows(ctx.net, ctx.i)
    if Wr is None:
        n = np.ones(sel.size)
    else:
        D = Wr[xp] - Wr[xq]
        n = np.sqrt(np.asarray(D.multiply(D).sum(axis=1)).ravel())
        n = np.where(n > 0, n, 1.0)
    M = ctx.F + np.maximum(ctx.u[xq] - ctx.l[xp], 0.0) / n
    ctx.add_margin([(np.full(sel.size, ctx.f), 1.0), (ctx.g[xp], -1.0 / n),
                    (ctx.g[xq], 1.0 / n), (zc[sel], M)], -_INF, M)


#: The exact big-M encoding of each PWL stage kind.
EXACT = {"relu": relu_exact, "leaky_relu": relu_exact, "clip": clip_exact,
         "hard_sigmoid": clip_exact, "max": max_exact}

#: The LP relaxation used for bound tightening: ReLU-like units become their convex hull with
#: no binary column; the other kinds keep the exact encoding, whose binaries the caller relaxes.
RELAXED = {**EXACT, "relu": relu_hull, "leaky_relu": relu_hull}

__all__ = ["EXACT", "RELAXED", "Context", "Encoded", "Rows", "row_norms", "weight_rows"]
