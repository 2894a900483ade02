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
  one piece, numbered by the first of them (docs/regions.md), and members that can never
  be the maximum on the domain (interval bounds) are dropped.

A unit whose pre-activation is identically constant on the region does not split it: it is in
the state its value gives (zero counts as inactive).
"""

from __future__ import annotations

import numpy as np

from .. import tolerances as tol
from ..intervals import NeuronBounds
from ..network import Affine, Input, Network, _matmul


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
        self.candidates = {k: net.stages[k].candidates(*bounds.pre(k)) for k in self.stages}

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
            A, c = s.map_piece(As, cs, p)
            out = (A, c, np.sqrt(np.einsum("ij,ij->i", A, A)))
        maps[i] = out
        return out


class StageMap:
    """The affine input map of one PWL stage on a partial region, and per-unit data."""

    __slots__ = ("plan", "j", "stage", "A", "c", "norms", "lb", "ub", "const", "cand", "_pieces")

    def __init__(self, plan: UnitPlan, j: int, A, c, scale):
        self.plan = plan
        self.j = j
        self.stage = plan.net.stages[plan.stages[j]]
        self.cand = plan.candidates[plan.stages[j]]
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
        split the region (stable or constant), and then ``rows`` is empty. The stage kind
        decides (``split`` in :mod:`regioncount.stages`)."""
        got = self._pieces.get(i)
        if got is None:
            got = self._pieces[i] = self.stage.split(i, self)
        return got
