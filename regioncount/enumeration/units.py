"""PWL units in search order and their pieces as half-spaces of the input space.

The region tree decides the PWL units one at a time, in topological order of the network's
stages and in index order inside a stage. Once every unit of the stages before PWL stage ``k`` is
decided, the input of stage ``k`` is an affine function of the network input, ``A x + c``; a
:class:`StageMap` holds it with everything the search needs per unit (row norms, the range over
the box, whether a unit is identically constant).

The pieces of a unit on a region become normalised rows ``a x <= b`` (``||a|| = 1``):

- ReLU / leaky ReLU ``g = a x + c``: active (1) ``-a x <= c``; inactive (0) ``a x <= -c``.
- Clip ``[lo, hi]``: 0 ``g <= lo``; 1 ``lo <= g <= hi`` (two rows); 2 ``g >= hi``.
- Max group: the piece of member ``j`` is ``y_j >= y_l`` for every other member ``l``; members
  that are the *same affine function* on the region (e.g. several inactive ReLUs, all zero) are
  one piece, numbered by the first of them (REGIONS.md section 1), and members that can never
  be the maximum on the domain (interval bounds) are dropped.

A unit whose pre-activation is identically constant on the region does not split it: it is in
the state its value gives (zero counts as inactive).
"""

from __future__ import annotations

import numpy as np

from .. import tolerances as tol
from ..intervals import NeuronBounds
from ..network import Affine, Clip, Input, LeakyRelu, MaxGroups, Network, Relu, _matmul


class UnitPlan:
    """The order of the units and per-stage constants of a network on a domain.

    Attributes
    ----------
    stages : tuple of int
        PWL stage indices (into ``net.stages``) in search order.
    start : ndarray
        ``start[j]`` is the global index of the first unit of ``stages[j]``; ``start[-1]`` is
        the total number of units.
    """

    def __init__(self, net: Network, lo: np.ndarray, hi: np.ndarray, bounds: NeuronBounds):
        self.net = net
        self.lo = np.asarray(lo, float)
        self.hi = np.asarray(hi, float)
        self.stages = net.pwl_indices
        sizes = [net.stages[k].size for k in self.stages]
        self.start = np.concatenate([[0], np.cumsum(sizes)]).astype(int)
        self.total = int(self.start[-1])
        self.stage_of = np.repeat(np.arange(len(self.stages)), sizes).astype(int)
        self.bounds = bounds
        self.abs_w = {}
        for k, s in enumerate(net.stages):
            if isinstance(s, Affine):
                self.abs_w[k] = tuple(abs(W) for W in s.weights)
        # candidates of max groups (members that can be the maximum somewhere on the domain)
        self.candidates = {}
        for k in self.stages:
            s = net.stages[k]
            if isinstance(s, MaxGroups):
                l, h = bounds.pre(k)
                cand = np.ones(s.indices.size, dtype=bool)
                for g in range(s.size):
                    m = s.indices[s.indptr[g]:s.indptr[g + 1]]
                    cand[s.indptr[g]:s.indptr[g + 1]] = h[m] >= l[m].max()
                self.candidates[k] = cand

    # -- affine maps --------------------------------------------------------------------
    def stage_map(self, j: int, pattern: np.ndarray, maps: dict) -> "StageMap":
        """The :class:`StageMap` of the ``j``-th PWL stage given the decided ``pattern`` of the
        earlier stages. ``maps`` (stage index -> (A, c, scale)) is extended in place."""
        k = self.stages[j]
        src = self.net.stages[k].inputs[0]
        A, c, scale = self._map(src, pattern, maps)
        return StageMap(self, j, A, c, scale)

    def _map(self, i: int, pattern: np.ndarray, maps: dict):
        got = maps.get(i)
        if got is not None:
            return got
        net = self.net
        s = net.stages[i]
        n = net.input_size
        if isinstance(s, Input):
            out = (np.eye(n), np.zeros(n), np.ones(n))
        elif isinstance(s, Affine):
            A = np.zeros((s.size, n))
            c = np.array(s.bias, dtype=float)
            scale = np.zeros(s.size)
            for src, W, aW in zip(s.sources, s.weights, self.abs_w[i]):
                As, cs, _ = self._map(src, pattern, maps)
                A += _matmul(W, As)
                c += _matmul(W, cs[:, None])[:, 0]
                norms = np.sqrt(np.einsum("ij,ij->i", As, As))
                scale += np.asarray(aW @ norms).ravel()
            out = (A, c, scale)
        else:
            j = self.stages.index(i)
            p = pattern[self.start[j]:self.start[j + 1]]
            As, cs, _ = self._map(s.inputs[0], pattern, maps)
            if isinstance(s, Relu):
                on = p == 1
                A, c = As * on[:, None], cs * on
            elif isinstance(s, LeakyRelu):
                f = np.where(p == 1, 1.0, s.alpha)
                A, c = As * f[:, None], cs * f
            elif isinstance(s, Clip):
                mid = p == 1
                A = As * mid[:, None]
                c = np.where(p == 0, s.lo, np.where(p == 2, s.hi, cs))
            elif isinstance(s, MaxGroups):
                rows = s.indices[s.indptr[:-1] + p]
                A, c = As[rows], cs[rows]
            else:  # pragma: no cover
                raise TypeError(s.kind)
            out = (A, c, np.sqrt(np.einsum("ij,ij->i", A, A)))
        maps[i] = out
        return out


class StageMap:
    """The affine input map of one PWL stage on a partial region, and per-unit data."""

    __slots__ = ("plan", "j", "stage", "A", "c", "norms", "lb", "ub", "const", "_pieces")

    def __init__(self, plan: UnitPlan, j: int, A, c, scale):
        self.plan = plan
        self.j = j
        self.stage = plan.net.stages[plan.stages[j]]
        self.A = A
        self.c = c
        self.norms = np.sqrt(np.einsum("ij,ij->i", A, A))
        self.const = self.norms <= tol.EQUAL_PIECES_RTOL * scale
        Ap = np.maximum(A, 0.0)
        An = np.minimum(A, 0.0)
        lb = c + Ap @ plan.lo + An @ plan.hi
        ub = c + Ap @ plan.hi + An @ plan.lo
        gl, gh = plan.bounds.pre(plan.stages[j])
        self.lb = np.maximum(lb, gl)
        self.ub = np.minimum(ub, gh)
        self._pieces = {}

    def fork(self) -> "StageMap":
        """A copy sharing the arrays, with its own piece cache (for a subtree that learnt that
        some pieces are empty on it)."""
        other = object.__new__(StageMap)
        for name in StageMap.__slots__:
            setattr(other, name, getattr(self, name))
        other._pieces = dict(self._pieces)
        return other

    def pieces(self, i: int):
        """The pieces of unit ``i`` as ``(value, rows)``; a single piece means the unit does not
        split the region (stable or constant), and then ``rows`` is empty."""
        got = self._pieces.get(i)
        if got is not None:
            return got
        s = self.stage
        if isinstance(s, (Relu, LeakyRelu)):
            out = self._relu(i)
        elif isinstance(s, Clip):
            out = self._clip(i)
        else:
            out = self._max(i)
        self._pieces[i] = out
        return out

    def _relu(self, i):
        c = float(self.c[i])
        if self.const[i]:
            return ((1 if c > 0 else 0, ()),)
        if self.ub[i] <= 0:
            return ((0, ()),)
        if self.lb[i] >= 0:
            return ((1, ()),)
        n = self.norms[i]
        a = self.A[i] / n
        return ((1, ((-a, c / n),)), (0, ((a, -c / n),)))

    def _clip(self, i):
        s = self.stage
        lo_c, hi_c = float(s.lo[i]), float(s.hi[i])
        c = float(self.c[i])
        if self.const[i]:
            return ((0 if c <= lo_c else (2 if c >= hi_c else 1), ()),)
        lb, ub = self.lb[i], self.ub[i]
        if ub <= lo_c:
            return ((0, ()),)
        if lb >= hi_c:
            return ((2, ()),)
        if lb >= lo_c and ub <= hi_c:
            return ((1, ()),)
        n = self.norms[i]
        a = self.A[i] / n
        out = []
        cut_lo = lb < lo_c < ub
        cut_hi = lb < hi_c < ub
        if cut_lo:
            out.append((0, ((a, (lo_c - c) / n),)))
        mid = []
        if cut_lo:
            mid.append((-a, (c - lo_c) / n))
        if cut_hi:
            mid.append((a, (hi_c - c) / n))
        out.append((1, tuple(mid)))
        if cut_hi:
            out.append((2, ((-a, (c - hi_c) / n),)))
        return tuple(out)

    def _max(self, g):
        s = self.stage
        a0, a1 = s.indptr[g], s.indptr[g + 1]
        members = s.indices[a0:a1]
        cand = self.plan.candidates[self.plan.stages[self.j]][a0:a1]
        # classes of identical affine functions among the candidates
        reps: list[int] = []   # positions in the group
        for pos in range(len(members)):
            if not cand[pos]:
                continue
            m = members[pos]
            row = np.r_[self.A[m], self.c[m]]
            same = False
            for q in reps:
                other = np.r_[self.A[members[q]], self.c[members[q]]]
                if np.linalg.norm(row - other) <= tol.EQUAL_PIECES_RTOL * (
                        np.linalg.norm(row) + np.linalg.norm(other)):
                    same = True
                    break
            if not same:
                reps.append(pos)
        if len(reps) == 1:
            return ((reps[0], ()),)
        out = []
        for pos in reps:
            mj = members[pos]
            rows = []
            dead = False
            for q in reps:
                if q == pos:
                    continue
                ml = members[q]
                d = self.A[ml] - self.A[mj]              # y_l - y_j <= 0
                e = self.c[ml] - self.c[mj]
                nd = np.linalg.norm(d)
                scale = np.linalg.norm(self.A[ml]) + np.linalg.norm(self.A[mj])
                if nd <= tol.EQUAL_PIECES_RTOL * scale:
                    if e > 0 or (e == 0 and q < pos):
                        dead = True                      # y_l >= y_j everywhere
                        break
                    continue
                rows.append((d / nd, -e / nd))
            if not dead:
                out.append((pos, tuple(rows)))
        if len(out) == 1:
            return ((out[0][0], ()),)
        return tuple(out)
