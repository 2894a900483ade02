"""Exact enumeration for low input dimension: vertices and edges of the cells (docs/count.md).

A *cell* is a convex polytope inside the domain, held by its vertices, the incidence of every
vertex with the inequality rows of the cell (which rows are tight there) and its edges. The
cells are refined stage by stage, as Berzins (ICML 2023) refines the whole complex: on a cell
every unit of the next PWL stage is affine (the stage's input map under the cell's pattern),
and each affine function whose zero set separates the unit's pieces (``switch_lines`` of the
stage kind) splits the cell where it changes sign:

1. the signed distances of the vertices to the hyperplane (rows normalised, unit-cube
   coordinates) put each vertex on the positive side, the negative side, or on the hyperplane
   (``|s| <= REGION_MARGIN``: a vertex where more than ``d`` hyperplanes meet, a zero bias, a
   hyperplane through a box corner are all this case; the vertex joins both halves);
2. every edge whose endpoints have strictly opposite signs gets a new vertex; its incidence is
   the endpoints' common rows plus the new one, set combinatorially, never from coordinates;
3. the new edges inside the hyperplane join the vertices on it that pass the *combinatorial
   adjacency test* (Fukuda and Prodon 1996): two vertices are adjacent exactly when no other
   vertex is tight on every row the two share. The test holds for any inequality description,
   so degenerate vertices need no perturbation; the count of shared rows (at least ``d - 1``)
   only filters candidates first.

A hyperplane splits a cell only when vertices lie beyond ``REGION_MARGIN`` on both sides. The
piece of each unit of the stage is read at the vertex mean of every sub-cell (``stage.piece``,
the pattern numbering itself), so pieces that are the same affine function are one piece as in
docs/regions.md. Max groups are split by the line of every candidate pair, which can cut a
region into several cells: cells are merged by their pattern, and a region counts once.

Each region's certificate is the vertex mean of one of its cells, kept when its slack on the
cell's cut rows (the box faces are bounds, as in the region tree) is above ``REGION_MARGIN``;
otherwise the Chebyshev LP of the cell decides (a cell whose inscribed radius is not above the
margin is a sliver and not a region, the rule of the region tree) and its centre, moved into
the open box, is the certificate. Every certificate is checked to reproduce its pattern with
the network (``extra["unverified_points"]``).

The cells are processed depth first (one stack, stage by stage), so memory holds one path of
cells and their siblings whatever the domain; a time limit, a region limit or Ctrl-C stops
between two splits with a partial result, as the region tree does, and the record of the
regions found is capped by a memory budget.
"""

from __future__ import annotations

import logging
import math
import time
from itertools import product
from typing import Callable

import numpy as np
from scipy.optimize import linprog

from .. import tolerances as tol
from ..domain import Domain
from ..errors import DomainError, RegioncountError
from ..intervals import interval_bounds
from ..network import Network
from .limits import Interrupt, Limits
from .results import CountResult, Progress
from .unitbox import unit_box
from .units import UnitPlan

log = logging.getLogger(__name__)

#: Seconds between two progress callbacks.
PROGRESS_EVERY = 0.5
#: Default memory budget (bytes) of :func:`count_vertex`.
MEMORY_BUDGET = 2 << 30


class Cell:
    """A convex polytope: vertices ``V`` (k, d), incidence ``Z`` (k, F) with its rows
    ``Ra x <= Rb`` (F rows, unit norm), ``cut`` (F,) which rows are not box faces, and
    edges ``E`` (m, 2) as vertex index pairs."""

    __slots__ = ("V", "Z", "Ra", "Rb", "cut", "E")

    def __init__(self, V, Z, Ra, Rb, cut, E):
        self.V, self.Z, self.Ra, self.Rb, self.cut, self.E = V, Z, Ra, Rb, cut, E

    def centre(self) -> np.ndarray:
        return self.V.mean(axis=0)

    def slack(self, x: np.ndarray) -> float:
        """The smallest slack of ``x`` on the cell's cut rows (not the box faces): the margin
        of the region tree."""
        if not self.cut.any():
            return math.inf
        return float(np.min(self.Rb[self.cut] - self.Ra[self.cut] @ x))


def unit_cube(d: int, lo=None, hi=None) -> Cell:
    """The cell ``[0, 1]^d`` (or the box ``[lo, hi]``): 2^d vertices, 2d rows, edges between
    corners one bit apart."""
    bits = np.array(list(product((0, 1), repeat=d)), bool).reshape(-1, d)
    lo = np.zeros(d) if lo is None else np.asarray(lo, float)
    hi = np.ones(d) if hi is None else np.asarray(hi, float)
    V = np.where(bits, hi, lo)
    Ra = np.zeros((2 * d, d))
    Rb = np.zeros(2 * d)
    Z = np.zeros((len(V), 2 * d), bool)
    for i in range(d):
        Ra[2 * i, i], Ra[2 * i + 1, i] = -1.0, 1.0
        Rb[2 * i], Rb[2 * i + 1] = -lo[i], hi[i]
        Z[:, 2 * i] = ~bits[:, i]
        Z[:, 2 * i + 1] = bits[:, i]
    diff = (bits[:, None, :] != bits[None, :, :]).sum(axis=2)
    i, j = np.nonzero(np.triu(diff == 1))
    return Cell(V, Z, Ra, Rb, np.zeros(2 * d, bool), np.column_stack([i, j]))


_NO_EDGES = np.zeros((0, 2), np.intp)


def _h_edges(Zh: np.ndarray, d: int) -> np.ndarray:
    """Pairs of the vertices ``Zh`` (incidence rows, all on the new hyperplane) that are
    adjacent by the combinatorial test, as (p, 2) local indices."""
    if len(Zh) < 2:
        return _NO_EDGES
    Zf = Zh.astype(np.float32)
    i, j = np.nonzero(np.triu(Zf @ Zf.T, 1) >= d - 1)      # at least d - 1 shared rows
    if not len(i):
        return _NO_EDGES
    missing = (Zf[i] * Zf[j]) @ (1.0 - Zf).T                # shared rows that k lacks
    ok = np.count_nonzero(missing == 0, axis=1) == 2         # only i and j hold them all
    return np.column_stack([i[ok], j[ok]])


def split(cell: Cell, a: np.ndarray, b: float, s: np.ndarray, d: int):
    """The two halves of ``cell`` where ``a x + b >= 0`` and ``<= 0`` (``a`` unit norm, ``s``
    the signed distances of the vertices); the caller checks that both have vertices beyond
    the margin."""
    eps = tol.REGION_MARGIN
    pos, neg = s > eps, s < -eps
    zer = ~(pos | neg)
    E = cell.E
    P, N = pos[E], neg[E]
    cross = (P[:, 0] & N[:, 1]) | (N[:, 0] & P[:, 1])
    C = E[cross]
    c0, c1 = C[:, 0], C[:, 1]
    t = s[c0] / (s[c0] - s[c1])
    V0 = cell.V[c0]
    k, nc = len(cell.V), len(c0)
    V = np.concatenate([cell.V, V0 + t[:, None] * (cell.V[c1] - V0)])
    Z = np.empty((k + nc, cell.Z.shape[1] + 1), bool)
    Z[:k, :-1] = cell.Z
    Z[k:, :-1] = cell.Z[c0] & cell.Z[c1]
    Z[:k, -1] = zer
    Z[k:, -1] = True
    on = np.concatenate([np.flatnonzero(zer), np.arange(k, k + nc)])
    hE = on[_h_edges(Z[on], d)]
    Zc = zer[E]
    # old edges inside the hyperplane are found again by the adjacency test (hE)
    plain = E[~cross & ~(Zc[:, 0] & Zc[:, 1])]
    fp = P[cross, 0]
    halves = []
    for side, ends, sign in ((~neg, np.where(fp, c0, c1), -1.0), (~pos, np.where(fp, c1, c0), 1.0)):
        S = side[plain]
        E2 = np.concatenate([plain[S[:, 0] & S[:, 1]], C, hE])
        E2[-len(hE) - nc:len(E2) - len(hE), 0] = ends
        E2[-len(hE) - nc:len(E2) - len(hE), 1] = np.arange(k, k + nc)
        keep = np.concatenate([side, np.ones(nc, bool)])
        halves.append(_restrict(V, Z, np.concatenate([cell.Ra, sign * a[None, :]]),
                                np.concatenate([cell.Rb, (-sign * b,)]), cell.cut, E2, keep, d))
    return halves


def _restrict(V, Z, Ra, Rb, cut, E, keep, d) -> Cell:
    """The cell on the vertices ``keep``, with its edges renumbered and the rows tight at
    fewer than ``d`` vertices (not facets) dropped (``cut`` lacks the last, new row)."""
    E = (np.cumsum(keep) - 1)[E]
    Zk = Z[keep]
    facet = Zk.sum(axis=0) >= d
    cut = np.concatenate([cut, (True,)])
    if facet.all():
        return Cell(V[keep], Zk, Ra, Rb, cut, E)
    return Cell(V[keep], Zk[:, facet], Ra[facet], Rb[facet], cut[facet], E)


def _clip(cell: Cell, a: np.ndarray, b: float, d: int) -> Cell | None:
    """``cell`` cut to ``a x <= b`` (``a`` unit norm), None when nothing with interior is
    left."""
    s = b - cell.V @ a
    eps = tol.REGION_MARGIN
    if s.min() >= -eps:
        return cell
    if not s.max() > eps:
        return None
    return split(cell, -a, b, s, d)[0]


class _Stopped(Exception):
    """A limit was reached in the middle of splitting one cell."""


def split_all(cell: Cell, La: np.ndarray, Lb: np.ndarray, d: int, stop=None) -> list[Cell]:
    """``cell`` split by every hyperplane ``La x + Lb = 0`` (rows unit norm) that cuts its
    interior. A hyperplane that misses a cell misses its sub-cells: only the crossing ones are
    passed down. ``stop()``, called before every split, raises :class:`_Stopped` when true
    (a cell of many inputs can take long)."""
    eps = tol.REGION_MARGIN
    out = []
    stack = [(cell, La, Lb)]
    while stack:
        if stop is not None and stop():
            raise _Stopped
        c, A, B = stack.pop()
        if not len(B):
            out.append(c)
            continue
        S = c.V @ A.T + B
        crosses = (S.max(axis=0) > eps) & (S.min(axis=0) < -eps)
        if not crosses.any():
            out.append(c)
            continue
        idx = np.flatnonzero(crosses)
        f = idx[0]
        rest = idx[1:]
        for half in split(c, A[f], float(B[f]), S[:, f], d):
            stack.append((half, A[rest], B[rest]))
    return out


def _lines(stage, A, c, cand, scale: float):
    """The stage's switching hyperplanes on a cell as unit-norm rows; a line whose normal is
    at most ``EQUAL_PIECES_RTOL`` times ``scale`` (the largest norm of the stage's input
    rows: two max-group members that are the same function up to rounding) splits
    nothing."""
    lines = stage.switch_lines(A, c, cand)
    if not lines:
        return np.zeros((0, A.shape[1])), np.zeros(0)
    La = np.array([l[0] for l in lines], float)
    Lb = np.array([l[1] for l in lines], float)
    n = np.linalg.norm(La, axis=1)
    ok = n > tol.EQUAL_PIECES_RTOL * scale
    return La[ok] / n[ok, None], Lb[ok] / n[ok]


def _chebyshev(cell: Cell, fixed, lo, hi):
    """The Chebyshev centre of ``cell`` as the region tree measures it (cut rows and domain
    rows with the radius, the box ``[lo, hi]`` as bounds): ``(r, x)``."""
    d = len(lo)
    Ra, Rb = cell.Ra[cell.cut], cell.Rb[cell.cut]
    if fixed is not None:
        Ra, Rb = np.vstack([Ra, fixed[0]]), np.concatenate([Rb, fixed[1]])
    if not len(Rb):
        return math.inf, cell.centre()
    A = np.hstack([Ra, np.ones((len(Rb), 1))])
    box = [(float(l), float(h)) for l, h in zip(lo, hi)]
    res = linprog(np.r_[np.zeros(d), -1.0], A_ub=A, b_ub=Rb, bounds=box + [(None, 1.0)],
                  method="highs")
    if res.status != 0:
        return -math.inf, None
    return float(-res.fun), res.x[:d]


class _Walk:
    """The depth-first refinement of one count (state shared by its steps)."""

    def __init__(self, net: Network, domain: Domain):
        self.net, self.domain = net, domain
        self.d = net.input_size
        self.plan = UnitPlan(net, domain.lo, domain.hi, interval_bounds(net, domain))
        self.stages = [net.stages[k] for k in self.plan.stages]
        self.fixed = None
        if domain.A is not None:
            nr = np.linalg.norm(domain.A, axis=1)
            ok = nr > 0
            self.fixed = (domain.A[ok] / nr[ok, None], domain.b[ok] / nr[ok])
        pieces = max((int(s.pieces) for s in self.stages), default=1)
        #: patterns are kept as bytes, one byte per unit where every piece index fits
        self.key_dtype = np.int8 if pieces <= 127 else np.int32
        self.seen: set[bytes] = set()
        self.keys: list[bytes] = []
        self.points: list = []
        self.margins: list = []
        #: bytes one region holds (its pattern twice, as set entry and list entry, its point
        #: and margin, and the Python objects around them), for the memory budget
        self.per_region = 2 * self.plan.total * np.dtype(self.key_dtype).itemsize \
            + 16 * self.d + 400
        self.cells = 0
        self.lps = 0
        self.slivers = 0
        #: called between two splits; true when the count must stop (a time limit, Ctrl-C)
        self.stop = None

    def root(self) -> Cell:
        cell = unit_cube(self.d, self.domain.lo, self.domain.hi)
        if self.fixed is not None:
            for a, b in zip(*self.fixed):
                cell = _clip(cell, a, b, self.d)
                if cell is None:
                    raise DomainError("the domain polytope has an empty interior")
        return cell

    def children(self, item):
        """The sub-cells of one stack item ``(cell, j, pattern, maps)`` after stage ``j``."""
        cell, j, pat, maps = item
        plan = self.plan
        stage = self.stages[j]
        maps = dict(maps)
        sm = plan.stage_map(j, pat, maps)
        # a unit identically constant on the cell (the region tree's test) has no slope at all
        A = np.where(sm.const[:, None], 0.0, sm.A) if sm.const.any() else sm.A
        G = cell.V @ A.T + sm.c                 # the stage's input at the cell's vertices
        l, h = G.min(axis=0), G.max(axis=0)      # its exact range over the cell
        if stage.possible(l, h).sum(axis=1).max(initial=1) > 1:
            cand = stage.candidates(l, h)
            scale = float(sm.norms.max()) if sm.norms.size else 0.0
            La, Lb = _lines(stage, A, sm.c, cand, max(scale, 1e-300))
            pieces = split_all(cell, La, Lb, self.d, self.stop)
        else:
            pieces = [cell]
        out = []
        for piece in pieces:
            self.cells += 1
            g = A @ piece.centre() + sm.c
            p2 = pat.copy()
            p2[plan.start[j]:plan.start[j + 1]] = stage.piece(g[None, :])[0]
            out.append((piece, j + 1, p2, maps))
        return out

    def record(self, cell: Cell, pat: np.ndarray) -> None:
        key = pat.astype(self.key_dtype).tobytes()
        if key in self.seen:
            return
        x = cell.centre()
        m = cell.slack(x)
        if self.fixed is not None:
            m = min(m, float(np.min(self.fixed[1] - self.fixed[0] @ x)))
        if not m > tol.REGION_MARGIN:
            self.lps += 1
            r, xc = _chebyshev(cell, self.fixed, self.domain.lo, self.domain.hi)
            if not r > tol.REGION_MARGIN:
                self.slivers += 1
                return
            # into the open box, keeping a slack above r / 2 (the region tree's certificate)
            c = 0.5 * (self.domain.lo + self.domain.hi)
            nd = float(np.linalg.norm(c - xc))
            x = xc + (min(0.5, r / (2 * nd)) * (c - xc) if nd > 0 else 0.0)
            m = cell.slack(x)
            if self.fixed is not None:
                m = min(m, float(np.min(self.fixed[1] - self.fixed[0] @ x)))
        self.seen.add(key)
        self.keys.append(key)
        self.points.append(x)
        self.margins.append(m)


def _check_points(net: Network, pats: np.ndarray, X: np.ndarray) -> int:
    """How many certificate points do not reproduce their pattern."""
    if not len(X):
        return 0
    got = np.concatenate([p.reshape(len(X), -1) for p in net.pattern(X)], axis=1)
    return int(np.sum(np.any(got != pats, axis=1)))


def count_vertex(net: Network, domain: Domain, *, time_limit: float | None = None,
                 max_regions: int | None = None, keep_patterns: bool = False,
                 keep_points: bool = False, progress: Callable[[Progress], None] | None = None,
                 memory_budget: int = MEMORY_BUDGET) -> CountResult:
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
        Called with a :class:`Progress` about twice a second (``depth``: the stage of the cell).
    memory_budget : int
        Bytes. The depth-first walk holds one path of cells and their siblings, whatever the
        size of the domain; what grows is the record of each region found (pattern, point).
        When that would exceed the budget the count stops with ``stop_reason="memory
        budget"`` and a partial result. A network whose input cube alone (2^d vertices)
        exceeds it is refused.

    Returns
    -------
    CountResult
        ``method="vertex"``; ``lps`` counts the Chebyshev LPs of thin cells.

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
    if domain.dim != net.input_size:
        raise DomainError(f"domain has {domain.dim} coordinates, the network takes "
                          f"{net.input_size}")
    if np.any(domain.hi <= domain.lo):
        raise DomainError("the domain box has an empty interior (some lo == hi)")
    need = (2 ** min(net.input_size, 62)) * net.input_size * 8 * 4
    if need > memory_budget:
        raise RegioncountError(f"--method vertex: the {net.input_size}-cube alone has "
                               f"2^{net.input_size} vertices, beyond the memory budget of "
                               f"{memory_budget:,} bytes (use --method tree)")
    u_net, u_dom, to_input = unit_box(net, domain)
    walk = _Walk(u_net, u_dom)
    stack = [(walk.root(), 0, np.zeros(walk.plan.total, np.int32), {})]
    with Interrupt() as intr:
        limits = Limits.starting(t0, time_limit, max_regions, intr)
        reason = _run(walk, stack, limits, progress, memory_budget, t0)
    return _result(walk, u_net, to_input, stack, reason, t0, keep_patterns, keep_points,
                   memory_budget)


def _run(walk: _Walk, stack: list, limits: Limits, progress, budget: int, t0: float) -> str:
    """Refine the cells of ``stack`` depth first until it is empty or a limit stops it
    (checked before every cell); returns the stop reason, ``stack`` keeps what is pending."""
    nst = len(walk.stages)
    last = t0
    walk.stop = lambda: bool(limits.reached(0, time.monotonic()))
    while stack:
        now = time.monotonic()
        reason = limits.reached(len(walk.keys), now)
        if reason:
            return reason
        if progress is not None and now - last >= PROGRESS_EVERY:
            last = now
            progress(Progress(len(walk.keys), walk.lps, int(stack[-1][1]), now - t0))
        item = stack.pop()
        if item[1] < nst:
            try:
                stack.extend(walk.children(item))
            except _Stopped:
                stack.append(item)
                return limits.reached(len(walk.keys), time.monotonic()) or "interrupted"
            continue
        cell, j, pat, maps = item
        walk.record(cell, pat)
        if len(walk.keys) * walk.per_region > budget:
            return "memory budget"
    return ""


def _result(walk: _Walk, u_net, to_input, stack, reason, t0, keep_patterns, keep_points,
            budget) -> CountResult:
    complete = not stack
    if complete:
        reason = ""
    else:
        log.warning("vertex count stopped early (%s): %d regions found so far", reason,
                    len(walk.points))
    n = walk.d
    total = walk.plan.total
    pats = np.frombuffer(b"".join(walk.keys), walk.key_dtype).reshape(len(walk.keys), total)
    pats = pats.astype(np.int32)
    X = np.array(walk.points).reshape(len(walk.points), n)
    bad = _check_points(u_net, pats, X)
    if bad:
        log.warning("vertex count: %d certificate points do not reproduce their pattern", bad)
    per_class: dict = {}
    if len(X):
        out = np.asarray(u_net.evaluate(X)).reshape(len(X), -1)
        for k, v in zip(*np.unique(np.argmax(out, axis=1), return_counts=True)):
            per_class[int(k)] = int(v)
    per_layer = []
    for end in walk.plan.start[1:]:
        per_layer.append(len({p[:end].tobytes() for p in pats}) if len(pats) else 0)
    return CountResult(
        regions=len(pats), complete=complete, method="vertex", seconds=time.monotonic() - t0,
        lps=walk.lps, per_class=per_class, per_layer=tuple(per_layer),
        patterns=pats if keep_patterns else None,
        points=to_input(X) if keep_points else None,
        margins=np.array(walk.margins) if keep_points else None, stop_reason=reason,
        extra={"cells": walk.cells, "slivers": walk.slivers, "unverified_points": bad,
               "memory_budget": int(budget)})
