"""The search of the LP region tree (docs/count.md): nodes and their expansion.

The search decides the PWL units one at a time (topological stage order, index order inside a
stage). A node of the tree is a partial pattern together with its polytope ``P`` (the rows of the
units that cut an ancestor), an interior point ``x`` of ``P`` and a margin ``r`` (every row of
``P`` has normalised slack at least ``r`` at ``x``). For the next unit:

1. its pre-activation is an affine function of the input on ``P`` (the stage's input map under
   the decided pattern, computed once per stage on the path: :mod:`.units`);
2. if it is identically constant, or its range over the box (and its interval bounds on the
   domain) has one sign, it does not split ``P``: one child, no LP, no row;
3. otherwise each piece is a set of rows; the piece that contains ``x`` with slack above
   ``REGION_MARGIN`` is non-empty without any LP (the parent's point proves it); every other
   piece costs one Chebyshev-centre LP, warm-started from the basis of the previous solve;
4. when only one piece is non-empty, ``P`` lies in it: one child and no row; when several are,
   each child adds its piece's rows.

A node at which every unit is decided is an activation region; its certificate is ``x`` moved a
little towards the box centre (which keeps every slack above ``r / 2`` and puts it in the open
box, so it reproduces the pattern exactly) and the smallest slack there.

:meth:`Searcher.run` is the depth-first loop over a stack of pending nodes, stopped between two
nodes by its :class:`~.limits.Limits`. The pending nodes are independent subtrees: a node freezes
to plain data (:meth:`Node.freeze`, the checkpoint form) and thaws in any searcher of the same
network and domain (:meth:`Searcher.thaw`). Who runs the loop, and where, is :mod:`.executors`;
the count itself (checkpoints, progress, the result) is :func:`.tree.count_tree`.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .. import tolerances as tol
from ..domain import Domain
from ..errors import DomainError, RegioncountError
from ..intervals import interval_bounds
from ..network import Network
from .limits import NO_LIMITS, Limits
from .lp import ChebyshevLP, toward_centre
from .unitbox import unit_box
from .units import UnitPlan

log = logging.getLogger(__name__)

#: Seconds between two calls of the ``tick`` of :meth:`Searcher.run`, unless it is given.
TICK_EVERY = 0.5
#: Points whose output argmax is computed in one batch.
_CLASS_BATCH = 4096
#: Known interior points carried by a node (the ones with the largest slack are kept).
_POOL_MAX = 32

# ---------------------------------------------------------------------------------------------
# search state

@dataclass
class Counters:
    """Everything a count accumulates (mergeable across subtrees and runs)."""

    regions: int = 0
    lps: int = 0
    per_class: dict = field(default_factory=dict)
    per_layer: list = field(default_factory=list)
    patterns: list = field(default_factory=list)
    points: list = field(default_factory=list)
    margins: list = field(default_factory=list)
    seconds: float = 0.0

    def merge(self, other: "Counters") -> None:
        self.regions += other.regions
        self.lps += other.lps
        for k, v in other.per_class.items():
            self.per_class[k] = self.per_class.get(k, 0) + v
        if len(self.per_layer) < len(other.per_layer):
            self.per_layer += [0] * (len(other.per_layer) - len(self.per_layer))
        for k, v in enumerate(other.per_layer):
            self.per_layer[k] += v
        self.patterns += other.patterns
        self.points += other.points
        self.margins += other.margins


class Node:
    """A pending node: units ``< u`` decided. ``keys`` are the rows of ``P`` (tuples ``(a, b)``,
    compared by identity with the rows in the LP), ``cuts`` the units that added them."""

    __slots__ = ("u", "pattern", "cuts", "keys", "x", "r", "smap", "maps", "pool")

    def __init__(self, u, pattern, cuts, keys, x, r, smap=None, maps=None, pool=None):
        self.u = u
        self.pattern = pattern
        self.cuts = cuts
        self.keys = keys
        self.x = x
        self.r = r
        self.smap = smap
        self.maps = maps
        #: points known inside the polytope and their slacks (a cache, not checkpointed)
        self.pool = pool

    def freeze(self) -> tuple:
        """Plain data for checkpoints and worker processes (rows are rebuilt on thaw)."""
        return (int(self.u), self.pattern[: self.u].copy(), tuple(int(c) for c in self.cuts),
                self.x.copy(), float(self.r))


class Searcher:
    """Depth-first region tree over one network and domain (one LP object)."""

    def __init__(self, net: Network, domain: Domain, keep_patterns: bool = False,
                 keep_points: bool = False):
        if domain.dim != net.input_size:
            raise DomainError(f"domain has {domain.dim} coordinates, "
                              f"the network takes {net.input_size}")
        #: what the count was asked about (workers rebuild their searcher from these)
        self.input_net, self.input_domain = net, domain
        # count in the coordinates where the box is the unit cube (scale-free margins)
        net, domain, self.to_input = unit_box(net, domain)
        self.net = net
        self.domain = domain
        self.lo = domain.lo
        self.hi = domain.hi
        self.center = domain.center
        self.bounds = interval_bounds(net, domain)
        self.plan = UnitPlan(net, domain.lo, domain.hi, self.bounds)
        self.margin = tol.REGION_MARGIN
        self.keep_patterns = keep_patterns
        self.keep_points = keep_points
        self.fixed = None
        if domain.A is not None:
            nr = np.linalg.norm(domain.A, axis=1)
            ok = nr > 0
            self.fixed = (domain.A[ok] / nr[ok, None], domain.b[ok] / nr[ok])
        self._lp = None
        self.prepass = True
        self.lookahead = True
        self.heuristic = False
        self.feasibility = False     # Chebyshev LPs decide r* > margin exactly (docs/count.md)
        self._empty_pool = (np.zeros((0, net.input_size)), np.zeros(0))
        self._kcache = (None, None, None)
        self.counters = Counters(per_layer=[0] * len(self.plan.stages))
        self._pending_points: list = []
        self._pending_margin: list = []

    # -- LP ---------------------------------------------------------------------------------
    @property
    def lp(self) -> ChebyshevLP:
        if self._lp is None:
            self._lp = ChebyshevLP(self.lo, self.hi, self.fixed, self.margin)
        return self._lp

    def chebyshev(self, keys: list) -> tuple[float, np.ndarray]:
        lp = self.lp
        lp.sync(keys, lambda key: key)
        if not keys and self.fixed is None:
            return math.inf, self.center.copy()
        self.counters.lps += 1
        if self.feasibility and lp.eps is None:
            lp.set_feasibility(self.margin * tol.REGION_FEASIBILITY_FACTOR)
        rr, xx = lp.solve()
        if lp.eps is not None and xx is None:
            # no point keeps the feasibility slack: a polytope whose inscribed radius lies
            # between the margin and that slack is still a region; the Chebyshev LP decides
            lp.set_feasibility(None)
            rr, xx = lp.solve()
            self.counters.lps += 1
        elif lp.eps is not None:
            rr = self._slack(keys, xx)
            if not rr > self.margin:          # rounding: ask for the centre instead
                lp.set_feasibility(None)
                rr, xx = lp.solve()
                self.counters.lps += 1
        return rr, xx

    # -- nodes ------------------------------------------------------------------------------
    def root(self) -> Node:
        pat = np.zeros(self.plan.total, dtype=np.int32)
        if self.fixed is None:
            if np.any(self.hi <= self.lo):
                raise DomainError("the domain box has an empty interior (some lo == hi)")
            x, r = self.center.copy(), math.inf
        else:
            r, x = self.chebyshev([])
            if not r > self.margin:
                raise DomainError("the domain polytope has an empty interior")
        return Node(0, pat, (), (), x, r, None, {})

    def thaw(self, frozen: tuple) -> Node:
        """Rebuild a node (its rows) from :meth:`Node.freeze` data."""
        u, prefix, cuts, x, r = frozen
        pat = np.zeros(self.plan.total, dtype=np.int32)
        pat[:u] = prefix
        keys: list = []
        maps: dict = {}
        smaps: dict = {}
        plan = self.plan
        for c in cuts:
            j = int(plan.stage_of[c])
            if j not in smaps:
                smaps[j] = plan.stage_map(j, pat, maps)
            pieces = dict(smaps[j].pieces(c - plan.start[j]))
            if int(pat[c]) not in pieces:
                raise RegioncountError("checkpoint does not match this network "
                                       "(a cut unit has no such piece)")
            keys.extend(pieces[int(pat[c])])
        return Node(u, pat, tuple(cuts), tuple(keys), np.asarray(x, float), float(r), None, {})

    def _decide(self, keys, x, r, pool, rows):
        """Is ``P`` (rows ``keys``, point ``x`` with margin ``r``, known points ``pool``) cut
        by a piece with extra ``rows`` into a set with interior? Returns ``(x', r')`` (an
        interior point of ``P`` in the piece and its margin) or ``None``; an LP only when
        neither ``x`` nor a pool point proves it."""
        margin = self.margin
        slack = r
        for a, b in rows:
            s = b - float(a @ x)
            if s < slack:
                slack = s
        if slack > margin:
            return x, slack
        X, S = pool
        if len(S):
            sl = S
            for a, b in rows:
                sl = np.minimum(sl, b - X @ a)
            k = int(np.argmax(sl))
            if sl[k] > margin:
                return X[k], float(sl[k])
        if self.heuristic:
            got = self._step_across(keys, x, rows)
            if got is not None:
                return got
        rr, xx = self.chebyshev(list(keys) + list(rows))
        if rr > margin:
            return xx, rr
        return None

    def _step_across(self, keys, x, rows):
        """Cheap try before an LP: step from ``x`` across the piece's rows (along their
        normals, within the box) and keep a point that has slack above the margin on every
        row. ``None`` when the few steps tried fail."""
        lo, hi = self.lo, self.hi
        best = None
        if self._kcache[0] is not keys:
            allrows = list(keys)
            if self.fixed is not None:
                allrows += list(zip(self.fixed[0], self.fixed[1]))
            if allrows:
                KA = np.array([a for a, _ in allrows])
                KB = np.array([b for _, b in allrows])
            else:
                KA, KB = np.zeros((0, self.lo.size)), np.zeros(0)
            self._kcache = (keys, KA, KB)
        _, KA, KB = self._kcache
        A = np.vstack([KA] + [a[None, :] for a, _ in rows])
        B = np.concatenate([KB, [b for _, b in rows]])
        for a, b in rows:
            d = -a
            d = np.where(((x <= lo) & (d < 0)) | ((x >= hi) & (d > 0)), 0.0, d)
            rate = float(a @ d)              # negative: the row's value falls along d
            if rate >= 0:
                continue
            need = float(a @ x) - b          # how far the row is violated at x
            ts = (need + self.margin * 10) / -rate * np.array([1.0, 1.5, 2.5, 4.0])
            Y = np.clip(x[None, :] + ts[:, None] * d[None, :], lo, hi)
            sl = (B[None, :] - Y @ A.T).min(axis=1)
            k = int(np.argmax(sl))
            if sl[k] > self.margin and (best is None or sl[k] > best[1]):
                best = (Y[k], float(sl[k]))
        return best

    def _prepass(self, smap, keys, x, r, pool, first=0):
        """Drop every piece of the units ``first..`` of the stage that is empty on this node's
        polytope: the whole subtree shares the answer (one LP per unit instead of one per unit
        and node). Returns the pool enlarged by the points found."""
        X, S = pool
        newx, news = [], []
        for i in range(first, smap.stage.size):
            pieces = smap.pieces(i)
            if len(pieces) == 1:
                continue
            keep = []
            for value, rows in pieces:
                got = self._decide(keys, x, r, (X, S), rows)
                if got is not None:
                    keep.append((value, rows))
                    if got[0] is not x:
                        newx.append(got[0])
                        news.append(self._slack(keys, got[0]))
            if len(keep) == 1:
                smap._pieces[i] = ((keep[0][0], ()),)
            elif keep:
                smap._pieces[i] = tuple(keep)
        if newx:
            X = np.vstack([X] + [np.asarray(v)[None, :] for v in newx])
            S = np.concatenate([S, news])
        return X, S

    def _slack(self, keys, x) -> float:
        """The smallest slack of ``x`` on the rows ``keys`` and the domain's half-spaces."""
        m = math.inf
        for a, b in keys:
            s = b - float(a @ x)
            if s < m:
                m = s
        if self.fixed is not None:
            m = min(m, float(np.min(self.fixed[1] - self.fixed[0] @ x)))
        return m

    def _filter_pool(self, pool, rows, extra=()):
        """The pool points that stay inside after adding ``rows`` (slack above the margin),
        plus ``extra`` points ``(x, slack)``."""
        X, S = pool
        if len(S) and rows:
            for a, b in rows:
                S = np.minimum(S, b - X @ a)
            ok = S > self.margin
            X, S = X[ok], S[ok]
        for xe, se in extra:
            if se > self.margin and math.isfinite(se):
                X = np.vstack([X, np.asarray(xe)[None, :]])
                S = np.append(S, se)
        if len(S) > _POOL_MAX:
            keep = np.argsort(S)[-_POOL_MAX:]
            X, S = X[keep], S[keep]
        return X, S

    def expand(self, node: Node) -> list[Node]:
        """Decide units from ``node.u`` on until one splits; return the children (nodes at
        ``u == total`` are regions and are recorded, not returned)."""
        plan = self.plan
        total = plan.total
        start = plan.start
        stage_of = plan.stage_of
        u = node.u
        pat = node.pattern
        x, r = node.x, node.r
        smap, maps = node.smap, node.maps
        keys, cuts = node.keys, node.cuts
        pool = node.pool if node.pool is not None else self._empty_pool
        per_layer = self.counters.per_layer
        while u < total:
            j = stage_of[u]
            if smap is None or smap.j != j:
                maps = dict(maps) if maps is not None else {}
                smap = plan.stage_map(j, pat, maps)
                if self.prepass:
                    pool = self._prepass(smap, keys, x, r, pool)
            pieces = smap.pieces(u - start[j])
            if len(pieces) == 1:
                value = pieces[0][0]
            else:
                # several candidate pieces: the point or the pool decides one, LPs the others
                found = self._nonempty_pieces(u, pieces, keys, x, r, pool)
                if len(found) > 1:
                    return self._split(Node(u, pat, cuts, keys, x, r, smap, maps, pool), found)
                value, _, x1, r1 = found[0]
                if x1 is not x:
                    pool = self._filter_pool(pool, (), ((x, r),))
                    x, r = x1, r1
            pat[u] = value
            u += 1
            if u == start[j + 1]:
                per_layer[j] += 1
        node.u = u
        node.x, node.r = x, r
        node.keys, node.cuts = keys, cuts
        self._record(node)
        return []

    def _nonempty_pieces(self, u, pieces, keys, x, r, pool) -> list[tuple]:
        """The pieces of unit ``u`` that cut ``P`` in a set with interior, as ``(value, rows,
        point, margin)``; at least one."""
        found = []
        for value, rows in pieces:
            got = self._decide(keys, x, r, pool, rows)
            if got is not None:
                found.append((value, rows, got[0], got[1]))
        if found:
            return found
        # P has an interior but every piece looks like a sliver (P itself is barely above the
        # margin): keep P whole, with the piece of largest radius
        log.debug("region tree: every piece of unit %d is below the margin", u)
        best = None
        for value, rows in pieces:
            rr, xx = self.chebyshev(list(keys) + list(rows))
            if best is None or rr > best[0]:
                best = (rr, value)
        return [(best[1], (), x, r)]

    def _split(self, at: Node, found: list[tuple]) -> list[Node]:
        """The children of ``at`` (unit ``at.u`` undecided) for its non-empty pieces ``found``
        (several); the ones at ``u == total`` are recorded as regions instead."""
        plan = self.plan
        u, x, r = at.u, at.x, at.r
        j = plan.stage_of[u]
        smap, pool = at.smap, at.pool
        if self.lookahead and u + 1 < plan.start[j + 1]:
            smap = smap.fork()
            pool = self._prepass(smap, at.keys, x, r, pool, u - plan.start[j] + 1)
        children = []
        tail = None
        nu = u + 1
        boundary = nu == plan.start[j + 1]
        lp_keys = self._lp.rows if self._lp is not None else None
        extra = [(x, r)] + [(x1, r1) for _, _, x1, r1 in found if x1 is not x]
        for value, rows, x1, r1 in found:
            p2 = at.pattern.copy()
            p2[u] = value
            cpool = self._filter_pool(pool, rows, [(xe, min(se, self._slack(rows, xe)))
                                                   for xe, se in extra if xe is not x1])
            child = Node(nu, p2, at.cuts + (u,), at.keys + tuple(rows), x1, r1, smap, at.maps,
                         cpool)
            if boundary:
                self.counters.per_layer[j] += 1
            if nu == plan.total:
                self._record(child)
                continue
            if lp_keys is not None and len(lp_keys) == len(child.keys) and all(
                    p is q for p, q in zip(lp_keys, child.keys)):
                tail = child
            else:
                children.append(child)
        if tail is not None:
            children.append(tail)      # popped first: its rows are in the LP already
        return children

    # -- regions ----------------------------------------------------------------------------
    def _record(self, node: Node) -> None:
        x = toward_centre(node.x, node.r, self.center)
        m = math.inf
        for a, b in node.keys:
            s = b - float(a @ x)
            if s < m:
                m = s
        if self.fixed is not None:
            m = min(m, float(np.min(self.fixed[1] - self.fixed[0] @ x)))
        c = self.counters
        c.regions += 1
        self._pending_points.append(x)
        self._pending_margin.append(m)
        if self.keep_patterns:
            c.patterns.append(node.pattern.copy())
        if len(self._pending_points) >= _CLASS_BATCH:
            self.flush()

    def flush(self) -> None:
        """Classify the buffered region points (output argmax)."""
        if not self._pending_points:
            return
        X = np.vstack(self._pending_points)
        out = np.asarray(self.net.evaluate(X)).reshape(len(X), -1)
        cls = np.argmax(out, axis=1)
        pc = self.counters.per_class
        for k, v in zip(*np.unique(cls, return_counts=True)):
            pc[int(k)] = pc.get(int(k), 0) + int(v)
        if self.keep_points:
            self.counters.points += list(self.to_input(X))
            self.counters.margins += list(self._pending_margin)
        self._pending_points = []
        self._pending_margin = []

    # -- the loop ---------------------------------------------------------------------------
    def run(self, stack: list[Node], limits: Limits = NO_LIMITS,
            tick: Callable[[list], None] | None = None, tick_every: float = TICK_EVERY) -> str:
        """Depth-first search until ``stack`` is empty or one of ``limits`` stops it (checked
        before every node); returns the stop reason (``""`` when the subtrees are complete).
        ``stack`` is left holding the pending nodes. ``tick(stack)`` is called between two
        nodes every ``tick_every`` seconds."""
        c = self.counters
        last = time.monotonic()
        reason = ""
        while stack:
            now = time.monotonic()
            reason = limits.reached(c.regions, now)
            if reason:
                break
            if tick is not None and now - last >= tick_every:
                last = now
                tick(stack)
            node = stack.pop()
            stack.extend(self.expand(node))
        self.flush()
        return reason

