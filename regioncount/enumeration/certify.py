"""Certified counts: every counted region shown to exist, every other piece shown empty.

A count is a set of activation patterns, each with a point. :func:`certify` turns it into a
proof about the canonical network with its float64 weights read as exact rationals
(docs/count.md, "Certified counts"):

**Regions that exist (the lower bound).** For each pattern, its point lies strictly inside the
domain and on the pattern: every PWL unit has strictly positive slack on its piece, or a
constant input on the region that the piece's table assigns to it. Checked first for all points
at once by a float forward pass with a proven rounding-error bound
(:mod:`regioncount.enumeration.exact`), then, for the few points it cannot decide, on the
region's rows with error bounds, then in exact rationals. A point that fails is replaced by the
Chebyshev centre of the region's rows and checked again. Each pattern that passes is an
activation region with an interior (docs/regions.md); distinct patterns are distinct regions.

**Pieces that are empty (the upper bound).** The patterns form a trie, unit by unit in stage
order. At every node, each piece of the next unit that no pattern takes must have no interior
on the node's polytope. That is shown by a Farkas certificate: multipliers ``y >= 0`` on the
node's rows with ``min over the box (G^T y) x >= y h``. The multipliers come from the dual of the
Chebyshev LP (or a single row, which settles the stable units without an LP) and are checked in
float with error bounds, then in exact rationals. Then every region lies in the count.

What cannot be shown is reported: the result is a bracket ``lower <= regions <= upper``, exact
when the two meet. An unproven empty piece adds at most the product of the piece counts of the
units after it (all the patterns below it).

Examples
--------
>>> import numpy as np
>>> from regioncount import Domain, Network
>>> from regioncount.enumeration import count_tree
>>> net = Network.from_layers([(np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]),
...                             np.array([0.0, 0.0, -0.5]))])
>>> d = Domain.box(-1, 1, 2)
>>> res = count_tree(net, d, keep_patterns=True, keep_points=True)
>>> c = certify(net, d, res.patterns, res.points)
>>> c.certified, c.lower, c.upper
(True, 7, 7)
"""

from __future__ import annotations

import logging
import sys
import time
from dataclasses import dataclass, field
from math import prod

import numpy as np

from . import exact as ex
from .exact import exact
from .rows import (LIVE, EMPTY, UNSURE, Rows, box_sides, classify, domain_rows, extend, farkas,
                   identity_map, judge_point, pattern_maps, rows_of, stage_rows, unit_rows)

log = logging.getLogger(__name__)

#: A missing piece whose Chebyshev LP finds a radius above this (in unit-cube coordinates, the
#: rows normalised) is taken to have an interior: no certificate is sought. Below it the LP's
#: dual is checked rigorously, so this number never decides a certificate, only saves time.
OPEN_RADIUS = 1e-7


@dataclass(frozen=True)
class Certificate:
    """The outcome of :func:`certify`.

    Attributes
    ----------
    certified : bool
        Every pattern has a checked interior point and every other piece a checked emptiness
        proof: the count is exact.
    lower, upper : int
        Sure bounds on the number of activation regions (``upper`` None when the count was
        partial and nothing bounds what it did not reach).
    checks : dict
        How each part was decided: points by the float forward pass, by rows, in exact
        rationals, moved to a Chebyshev centre; empty pieces by one row, by an LP's dual, in
        exact rationals; and what failed.
    """

    certified: bool
    lower: int
    upper: int | None
    checks: dict = field(default_factory=dict)
    seconds: float = 0.0

    def to_json(self) -> dict:
        return {"certified": self.certified, "certified_lower": self.lower,
                "certified_upper": self.upper,
                "certificate": {**self.checks, "seconds": round(self.seconds, 3)}}


def _stage_columns(net) -> list:
    out, k = [], 0
    for s in net.pwl_stages:
        out.append(slice(k, k + s.size))
        k += s.size
    return out


def _scales(net, domain) -> list:
    vals = [domain.lo, domain.hi] + ([domain.A, domain.b] if domain.A is not None else [])
    for s in net.stages[1:]:
        vals += list(getattr(s, "weights", ())) + [getattr(s, "bias", None)]
        if s.is_pwl and hasattr(s, "table"):
            vals += list(s.table())
    return [v for v in vals if v is not None]


# -- regions that exist ------------------------------------------------------------------------

def _forward(net, X: np.ndarray, P: np.ndarray, cols: list) -> np.ndarray:
    """Which points certainly lie strictly inside their pattern (float pass with error bounds;
    False means: not decided here)."""
    vals, errs = [X], [np.zeros_like(X)]
    ok = np.ones(X.shape[0], bool)
    absw: dict = {}
    k = 0
    for s in net.stages[1:]:
        if s.is_pwl:
            z, ez = vals[s.source_index], errs[s.source_index]
            p = P[:, cols[k]]
            k += 1
            slack, serr = s.point_slack(z, ez, p)
            ok &= np.all(slack > serr * ex.INFLATE + ex.FLOOR, axis=1)
            src, sc, off = s.piece_parts(p)
            zs, es = np.take_along_axis(z, src, 1), np.take_along_axis(ez, src, 1)
            v = sc * zs + off
            e = np.abs(sc) * es + ex.gamma(2) * (np.abs(sc * zs) + np.abs(off))
        else:
            v = s.forward(vals)
            e = np.zeros_like(v)
            tot = np.abs(np.asarray(s.bias, float))[None, :] + 0 * v
            terms = 1
            for i, W in zip(s.sources, s.weights):
                aW = absw.setdefault(id(W), ex.abs_matrix(W))
                terms += W.shape[1]
                e += (aW @ errs[i].T).T
                tot = tot + (aW @ np.abs(vals[i]).T).T
            e += ex.gamma(terms) * tot
        vals.append(v)
        errs.append(e * ex.INFLATE + ex.FLOOR)
    return ok


def _in_domain(domain, X: np.ndarray) -> np.ndarray:
    """Points strictly inside the box (in its coordinates of non-zero width) and the rows."""
    free = domain.hi > domain.lo
    ok = np.all((X[:, free] > domain.lo[free]) & (X[:, free] < domain.hi[free]), axis=1)
    ok &= np.all(X[:, ~free] == domain.lo[~free], axis=1)
    if domain.A is not None:
        v = X @ domain.A.T - domain.b
        e = ex.gamma(X.shape[1] + 2) * (np.abs(X) @ np.abs(domain.A).T + np.abs(domain.b))
        ok &= np.all(v < -(e * ex.INFLATE + ex.FLOOR), axis=1)
    return ok


def _region_rows(net, stage_pats: list, exact_mode: bool, absw: dict) -> Rows:
    maps = pattern_maps(net, stage_pats, exact_mode, absw)
    maps[0] = identity_map(net.input_size, exact_mode)      # for PWL stages on the input
    parts = [stage_rows(s, p, maps[s.source_index])
             for s, p in zip(net.pwl_stages, stage_pats)]
    return Rows.stack(parts, net.input_size, exact_mode)


def _judge(net, domain, stage_pats, x, absw) -> tuple[int, str]:
    """(1 inside / 0 not, the arithmetic that decided)."""
    for mode, name in ((False, "rows"), (True, "exact")):
        r = Rows.stack([_region_rows(net, stage_pats, mode, absw), domain_rows(domain, mode)],
                       net.input_size, mode)
        v = judge_point(r, x)
        if v >= 0:
            return v, name
    return 0, "exact"


def _centre(net, domain, stage_pats, absw) -> np.ndarray | None:
    """The Chebyshev centre of the region's rows (float), moved into the open box by at most
    half its radius; None when it has no interior."""
    from .lp import ChebyshevLP, toward_centre

    r = _region_rows(net, stage_pats, False, absw)
    cls = classify(r)
    live = r.take(cls == LIVE)
    lo, hi = domain.lo, domain.hi
    width = np.where(hi > lo, hi - lo, 1.0)
    G = live.G * width[None, :]
    h = live.h - live.G @ lo
    fixed = None if domain.A is None else (domain.A * width[None, :], domain.b - domain.A @ lo)
    lp = ChebyshevLP(np.zeros_like(lo), np.where(hi > lo, 1.0, 0.0), fixed)
    for j, (a, b) in enumerate(zip(G, h)):
        nr = float(np.linalg.norm(a))
        lp.push(j, a / nr, b / nr)
    rad, u = lp.solve()
    if u is None or rad <= 0:
        return None
    return lo + toward_centre(u, rad, np.where(hi > lo, 0.5, 0.0)) * width


def _lower(net, domain, P: np.ndarray, X: np.ndarray, cols: list, checks: dict,
           moved: dict | None = None) -> np.ndarray:
    """Which patterns are certified regions (a boolean per row of ``P``); ``moved``, when
    given, gets the row and new point of each point moved to its region's centre."""
    inside = _in_domain(domain, X)
    ok = inside.copy()
    for a in range(0, len(P), 4096):
        ok[a:a + 4096] &= _forward(net, X[a:a + 4096], P[a:a + 4096], cols)
    checks["points_float"] = int(ok.sum())
    absw: dict = {}
    for j in np.flatnonzero(~ok):
        pats = [P[j, c] for c in cols]
        # the rows leave the box out: a point outside the domain goes to its region's centre
        v, how = _judge(net, domain, pats, X[j], absw) if inside[j] else (0, "rows")
        if not v:
            x = _centre(net, domain, pats, absw)
            if x is not None and _in_domain(domain, x[None, :])[0]:
                v, how = _judge(net, domain, pats, x, absw)
                checks["points_moved"] = checks.get("points_moved", 0) + int(v)
                if v and moved is not None:
                    moved[int(j)] = x
        checks[f"points_{how}"] = checks.get(f"points_{how}", 0) + int(v)
        ok[j] = bool(v)
    return ok


# -- pieces that are empty ----------------------------------------------------------------------

class _StageTable:
    """The rows of every (unit, piece) of one PWL stage as index arrays (they do not depend
    on the map), and where each (unit, piece) finds its rows."""

    def __init__(self, s):
        self.pieces = [s.unit_pieces(i) for i in range(s.size)]
        parts, self.span, n = [], {}, 0
        for i, qs in enumerate(self.pieces):
            for q in qs:
                t = s.unit_rows(i, q)
                self.span[(i, q)] = np.arange(n, n + len(t[0]))
                n += len(t[0])
                parts.append(t)
        self.table = tuple(np.concatenate([p[j] for p in parts]) if parts else
                           np.zeros(0, (int, int, float, bool)[j]) for j in range(4))
        self.pid = {key: j for j, key in enumerate(self.span)}
        self.owner = np.repeat(np.arange(len(self.span)), [len(v) for v in self.span.values()])

    def per_piece(self, flags: np.ndarray) -> np.ndarray:
        """Whether any row of each piece has the flag."""
        out = np.zeros(len(self.span), bool)
        out[self.owner[flags]] = True
        return out


class _Node:
    """Every row of a PWL stage on one node of the trie (its input map ``m``): the class of
    each row, and whether the box alone settles it."""

    def __init__(self, tab: _StageTable, m, lo, hi):
        self.tab, self.m = tab, m
        self.rows = rows_of(tab.table, m)
        self.cls = classify(self.rows)
        never, always = box_sides(self.rows, lo, hi)
        live = self.cls == LIVE
        self.keep = live & ~always            # the rows worth giving to the LP
        self.empty = tab.per_piece((self.cls == EMPTY) | (live & never))
        self.unsure = tab.per_piece(self.cls == UNSURE)
        self.has_rows = tab.per_piece(self.keep)

    def piece(self, i: int, q: int) -> tuple[str, np.ndarray]:
        """``(state, kept row positions within the piece)``: state ``"empty"`` (a row fails
        on the whole box or is a failing constant), ``"unsure"`` or ``"open"``."""
        j = self.tab.pid[(i, q)]
        if self.empty[j]:
            return "empty", None
        if self.unsure[j]:
            return "unsure", None
        if not self.has_rows[j]:
            return "open", np.zeros(0, int)
        return "open", np.flatnonzero(self.keep[self.tab.span[(i, q)]])

    def rows_for(self, i: int, q: int, keep: np.ndarray) -> Rows:
        return self.rows.take(self.tab.span[(i, q)][keep])


class _RowStack:
    """The rows of the current trie path (after the domain's), in growing arrays."""

    def __init__(self, first: Rows, n: int):
        self.n = n
        cap = max(64, 2 * len(first))
        self.G, self.EG = np.zeros((cap, n)), np.zeros((cap, n))
        self.h, self.Eh = np.zeros(cap), np.zeros(cap)
        self.top = 0
        self.push(first)

    def push(self, r: Rows) -> int:
        top, m = self.top, len(r)
        while top + m > self.h.size:
            for name in ("G", "EG", "h", "Eh"):
                a = getattr(self, name)
                setattr(self, name, np.concatenate([a, np.zeros_like(a)]))
        self.G[top:top + m], self.EG[top:top + m] = r.G, r.EG
        self.h[top:top + m], self.Eh[top:top + m] = r.h, r.Eh
        self.top = top + m
        return top

    def rows(self, sel: np.ndarray) -> Rows:
        """The stacked rows at the positions ``sel``."""
        sel = sel[sel < self.top]
        return Rows(self.G[sel], self.h[sel], self.EG[sel], self.Eh[sel],
                    np.zeros(sel.size, bool))


class _Trie:
    """The depth-first walk over the patterns' trie that proves every missing piece empty."""

    def __init__(self, net, domain, P: np.ndarray, cols: list, checks: dict):
        from .lp import ChebyshevLP

        self.net, self.domain, self.P, self.cols, self.checks = net, domain, P, cols, checks
        lo, hi = domain.lo, domain.hi
        self.width = np.where(hi > lo, hi - lo, 1.0)
        d = domain_rows(domain, False)
        d = d.take(np.linalg.norm(d.G * self.width[None, :], axis=1) > 0)
        self.stack = _RowStack(d, net.input_size)
        self.norms = np.linalg.norm(d.G * self.width[None, :], axis=1)
        self.norm_stack = list(self.norms)
        fixed = (d.G * self.width[None, :], d.h - d.G @ lo) if len(d) else None
        # stop as soon as the dual bound proves r* <= 0: its duals are the certificate
        self.lp = ChebyshevLP(np.zeros_like(lo), np.where(hi > lo, 1.0, 0.0), fixed, margin=0.0)
        self.nfixed = self.lp.nfixed
        self.deadline = float("inf")
        self.path: list = []          # (stage k, unit i, piece q, kept positions)
        self.absw: dict = {}
        self.open_cap = 0
        self.tables = [_StageTable(s) for s in net.pwl_stages]
        flat = [len(qs) for t in self.tables for qs in t.pieces]
        #: patterns below unit t: the product of the piece counts after it
        self.below = [prod(flat[t + 1:]) for t in range(len(flat))]

    # rows in the LP ---------------------------------------------------------------------
    def _push(self, rows: Rows) -> tuple[int, int]:
        """Append live rows to the LP (unit-cube coordinates, normalised) and the stack;
        returns the previous sizes, for :meth:`_pop`."""
        mark = (len(self.lp.rows), self.stack.top)
        if len(rows):
            A = rows.G * self.width[None, :]
            nr = np.linalg.norm(A, axis=1)
            self.norm_stack.extend(nr)
            self.lp.push_many([None] * len(rows), A / nr[:, None],
                              (rows.h - rows.G @ self.domain.lo) / nr)
            self.stack.push(rows)
        return mark

    def _pop(self, mark: tuple[int, int]) -> None:
        self.lp.truncate(mark[0])
        self.stack.top = mark[1]
        del self.norm_stack[mark[1]:]

    def _duals(self) -> np.ndarray:
        """The LP's row duals as multipliers of the unnormalised stacked rows."""
        d = np.abs(np.asarray(self.lp.h.getSolution().row_dual, float))
        return d / np.asarray(self.norm_stack)

    # one missing piece ---------------------------------------------------------------------
    def _prove(self, k: int, i: int, q: int, node: _Node, pats: dict) -> str:
        """Try to prove that piece ``q`` of unit ``i`` of PWL stage ``k`` has no interior on
        the current node (not settled by the box alone): ``"lp"`` (the LP's duals are a
        certificate), ``"exact"`` (so in rationals) or ``"open"`` (not proven)."""
        state, keep = node.piece(i, q)
        if state == "unsure":
            return self._exact(k, i, q, None, pats, None)
        mark = self._push(node.rows_for(i, q, keep))
        rad, _ = self.lp.solve()
        y = self._duals() if rad <= OPEN_RADIUS else None
        done = False
        if y is not None:
            sel = np.flatnonzero(y > 0)
            done = farkas(self.stack.rows(sel), y[sel], self.domain.lo, self.domain.hi)
        self._pop(mark)
        if done:
            return "lp"
        return "open" if y is None else self._exact(k, i, q, keep, pats, y)

    def _exact(self, k, i, q, keep, pats, y) -> str:
        """The exact tier: the node's rows in rationals, with rationalised multipliers."""
        ok = _exact_empty(self.net, self.domain, self.path, (k, i, q, keep), pats, y)
        return "exact" if ok else "open"

    def _count(self, key: str, n: int = 1) -> None:
        self.checks[key] = self.checks.get(key, 0) + n

    # the walk ---------------------------------------------------------------------------
    def run(self) -> int:
        """Walk the trie; returns the cap on regions the unproven pieces may hide."""
        net = self.net
        sys.setrecursionlimit(max(sys.getrecursionlimit(), 4 * self.P.shape[1] + 1000))
        if net.pwl_indices:
            maps = extend(net, [None], 1, net.pwl_indices[0], {}, False, self.absw)
            self._stage(0, np.arange(len(self.P)), maps, {})
        return self.open_cap

    def _stage(self, k: int, rows: np.ndarray, maps: list, pats: dict) -> None:
        net = self.net
        if k == len(net.pwl_indices):
            return
        s = net.pwl_stages[k]
        m = maps[s.source_index]
        if m is None:                          # a PWL stage reading the input: the identity
            m = identity_map(net.input_size, False)
        node = _Node(self.tables[k], m, self.domain.lo, self.domain.hi)
        self._stage_pass(k, rows, node, pats)
        self._unit(k, 0, rows, maps, pats, node)

    def _stage_pass(self, k, rows, node: _Node, pats) -> None:
        """Prove empty, once for the whole stage, every piece that no pattern below this node
        takes (as the region tree's pre-pass does): then no deeper node needs an LP for it."""
        tab = self.tables[k]
        S = self.P[rows][:, self.cols[k]]
        node.settled = node.empty.copy()
        for i, qs in enumerate(tab.pieces):
            present = np.unique(S[:, i])
            for q in qs:
                j = tab.pid[(i, q)]
                if q in present or node.empty[j] or node.unsure[j]:
                    continue
                how = self._prove(k, i, q, node, pats)
                node.settled[j] = how != "open"
                self._count(f"stage_{how}")

    def _next_stage(self, k, rows, maps, pats) -> None:
        net = self.net
        idx = net.pwl_indices[k]
        pats = {**pats, idx: self.P[rows[0], self.cols[k]]}
        stop = net.pwl_indices[k + 1] if k + 1 < len(net.pwl_indices) else idx + 1
        self._stage(k + 1, rows, extend(net, maps, idx, stop, pats, False, self.absw), pats)

    def _unit(self, k, i, rows, maps, pats, node: _Node) -> None:
        """Walk from unit ``i`` of stage ``k`` down, for the patterns ``rows``: the units that
        all of them put on one piece at once, then a branch on the next unit."""
        depth, mark = len(self.path), (len(self.lp.rows), self.stack.top)
        S = self.P[rows][:, self.cols[k]][:, i:]
        same = np.all(S == S[0], axis=0)
        j = i + (int(np.argmin(same)) if not same.all() else S.shape[1])
        for u in range(i, j):
            self._missing(k, u, [int(S[0, u - i])], node, pats)
            self._put(k, u, int(S[0, u - i]), node)
        if j == len(self.tables[k].pieces):
            self._next_stage(k, rows, maps, pats)
        else:
            col = S[:, j - i]
            present = [int(q) for q in np.unique(col)]
            self._missing(k, j, present, node, pats)
            for q in present:
                d, m2 = len(self.path), (len(self.lp.rows), self.stack.top)
                self._put(k, j, q, node)
                self._unit(k, j + 1, rows[col == q], maps, pats, node)
                del self.path[d:]
                self._pop(m2)
        del self.path[depth:]
        self._pop(mark)

    def _missing(self, k, i, present: list, node: _Node, pats) -> None:
        """Prove empty the pieces of unit ``i`` that no pattern of the node takes."""
        tab = self.tables[k]
        for q in tab.pieces[i]:
            if q in present:
                continue
            self._count("pieces")
            if time.perf_counter() > self.deadline:
                raise _Stop
            j = tab.pid[(i, q)]
            if node.empty[j]:
                self._count("pieces_box")
            elif node.settled[j]:
                self._count("pieces_stage")
            else:
                how = self._prove(k, i, q, node, pats)
                self._count(f"pieces_{how}")
                if how == "open":
                    self.open_cap += self.below[self.cols[k].start + i]

    def _put(self, k, i, q, node: _Node) -> None:
        """Unit ``i`` on piece ``q``: its rows onto the LP and the path."""
        _, keep = node.piece(i, q)
        if keep is None or not keep.size:
            return
        self._push(node.rows_for(i, q, keep))
        self.path.append((k, i, q, keep))


def _exact_empty(net, domain, path, piece, pats, y) -> bool:
    """Whether ``piece = (k, i, q, keep)`` (unit ``i`` of PWL stage ``k`` on piece ``q``) is
    empty on the node of ``path``, in exact rationals: a constant row that fails, or the
    multipliers ``y`` (over the domain's rows, the path's and the piece's kept rows, as in the
    LP) rationalised."""
    k, i, q, keep = piece
    stages = net.pwl_stages
    maps = {}

    def m_of(kk):
        if kk not in maps:
            idx = net.pwl_indices[kk]
            upto = extend(net, [None], 1, idx, {j: pats[j] for j in net.pwl_indices[:kk]}, True)
            maps[kk] = upto[stages[kk].source_index] if stages[kk].source_index else \
                identity_map(net.input_size, True)
        return maps[kk]

    rows = unit_rows(stages[k], i, q, m_of(k))
    if np.any(classify(rows) == EMPTY):
        return True
    if y is None or keep is None:
        return False
    d = domain_rows(domain, True)
    width = np.where(domain.hi > domain.lo, domain.hi - domain.lo, 1.0)
    if len(d):
        d = d.take(np.linalg.norm(np.asarray(domain.A) * width[None, :], axis=1) > 0)
    parts = [d] + [unit_rows(stages[kk], ii, qq, m_of(kk)).take(kp)
                   for kk, ii, qq, kp in path] + [rows.take(keep)]
    return farkas(Rows.stack(parts, net.input_size, True), ex.rational_weights(y),
                  domain.lo, domain.hi)


# -- the front door -------------------------------------------------------------------------------

class _Stop(Exception):
    """The certificate's time limit passed."""


def certify(net, domain, patterns, points, complete: bool = True,
            time_limit: float | None = None) -> Certificate:
    """Certify a count given as its patterns (flat, as in :class:`CountResult`) and points.

    Parameters
    ----------
    net : Network
    domain : Domain
    patterns : ndarray of shape (regions, units)
    points : ndarray of shape (regions, n)
    complete : bool
        Whether the count claims to be complete; for a partial count only the lower bound is
        certified and ``upper`` is None.
    time_limit : float or None
        Seconds for the proof of the empty pieces; when it passes (or on Ctrl-C) the lower
        bound stands and ``upper`` is None, with ``checks["stopped"]`` saying why.

    Returns
    -------
    Certificate
    """
    t0 = time.perf_counter()
    P = np.asarray(patterns, int).reshape(len(patterns), sum(s.size for s in net.pwl_stages))
    X = np.asarray(points, float).reshape(len(P), net.input_size)
    cols = _stage_columns(net)
    checks: dict = {"regions": int(len(P))}
    safe = ex.no_underflow(_scales(net, domain) + [X], len(net.stages) + 2)
    old = ex.set_floor(0.0 if safe else ex.UNDERFLOW_FLOOR)
    try:
        ok = _lower(net, domain, P, X, cols, checks)
        upper = _upper(net, domain, P, cols, checks, complete, t0, time_limit)
    finally:
        ex.set_floor(old)
    lower = int(ok.sum())
    checks["points_failed"] = int((~ok).sum())
    return Certificate(certified=upper is not None and lower == upper, lower=lower,
                       upper=upper, checks=checks, seconds=time.perf_counter() - t0)


def confirm_points(net, domain, patterns, points) -> tuple[np.ndarray, np.ndarray]:
    """``(ok, points)``: which points are shown strictly inside their pattern's region (the
    first half of :func:`certify`), with a point that is not replaced by its region's
    Chebyshev centre where that one is shown inside (the points given are not changed).

    Examples
    --------
    >>> import numpy as np
    >>> from regioncount import Domain, Network
    >>> net = Network.from_layers([(np.array([[1.0, -1.0]]), np.array([0.0]))])
    >>> ok, x = confirm_points(net, Domain.box(0, 1, 2), [[1], [0]], [[0.7, 0.2], [0.5, 0.5]])
    >>> ok.tolist(), x[1].round(3).tolist()
    ([True, True], [0.25, 0.75])
    """
    P = np.asarray(patterns, int).reshape(len(patterns), sum(s.size for s in net.pwl_stages))
    X = np.array(points, float).reshape(len(P), net.input_size)
    safe = ex.no_underflow(_scales(net, domain) + [X], len(net.stages) + 2)
    old = ex.set_floor(0.0 if safe else ex.UNDERFLOW_FLOOR)
    moved: dict = {}
    try:
        ok = _lower(net, domain, P, X, _stage_columns(net), {}, moved)
    finally:
        ex.set_floor(old)
    for j, x in moved.items():
        X[j] = x
    return ok, X


def _upper(net, domain, P, cols, checks, complete, t0, time_limit) -> int | None:
    """The certified upper bound: the patterns plus what unproven pieces may hide; None for a
    partial count or a proof stopped by the time limit or Ctrl-C."""
    if not complete:
        return None
    trie = _Trie(net, domain, P, cols, checks)
    if time_limit is not None:
        trie.deadline = t0 + time_limit
    try:
        return len(P) + trie.run()
    except _Stop:
        checks["stopped"] = "time limit"
    except KeyboardInterrupt:
        checks["stopped"] = "interrupted"
    log.warning("certificate stopped (%s): only the lower bound is certified",
                checks["stopped"])
    return None
