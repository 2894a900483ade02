"""Independent exact region counters for networks of one or two inputs (tests only).

Nothing here comes from ``regioncount.enumeration`` or from the stages' region-tree helpers
(``split``, ``piece_rows``, ``switch_lines``): the oracles read the weights and the parameters of
every stage and do their own geometry in exact rational arithmetic (:class:`fractions.Fraction`;
every float is a dyadic rational, so the arrangement is the network's own, with no tolerance).

What they count is docs/regions.md's definition: an activation region is an activation pattern
whose set of inputs in the domain has a non-empty interior, so the count is the number of
*distinct* patterns among the pieces of positive length (1-D) or area (2-D). The piece numbering
is the one of ``net.pattern``: ReLU / leaky ReLU ``1`` where the input is ``> 0``; clip and hard
sigmoid ``0`` at or below the lower breakpoint, ``1`` strictly between, ``2`` at or above the upper
one (a missing breakpoint is ``-inf`` / ``inf`` and keeps its place in the numbering); a max group
the position of its first maximal entry, so entries that are the same affine function on a
region are one piece, numbered by the first of them.

- :func:`sweep_1d` walks the line from ``lo`` to ``hi``: on the current linear piece it computes
  every unit's input as an affine function of ``t``, the pieces just right of the current point,
  and the nearest point where some unit's input crosses one of its breakpoints (or two entries of
  a max group cross); it moves there and repeats.
- :func:`polygons_2d` starts from the domain as one polygon and, stage by stage, clips every
  polygon by the switching lines of every unit of the stage, computed from the polygon's own
  local affine maps; a polygon is split only when it has vertices strictly on both sides of a
  line, so every piece kept has positive area.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from math import inf

import numpy as np
import scipy.sparse as sp

F0, F1 = Fraction(0), Fraction(1)


def _fr(v) -> Fraction:
    return Fraction(float(v))


# -- affine functions of the input: tuples (a_1, ..., a_n, c) of Fractions -------------------

def _const(f) -> bool:
    return all(a == 0 for a in f[:-1])


def _at(f, x) -> Fraction:
    return sum((a * xi for a, xi in zip(f[:-1], x)), f[-1])


def _lin(pairs, n, c=F0):
    """``sum_k w_k f_k + c`` for ``pairs`` of (w, f)."""
    out = [F0] * n + [c]
    for w, f in pairs:
        if w:
            for j in range(n + 1):
                out[j] += w * f[j]
    return tuple(out)


def _scaled(f, s, off):
    return tuple(s * a for a in f[:-1]) + (s * f[-1] + off,)


def _minus(f, g):
    return tuple(a - b for a, b in zip(f, g))


# -- the stage kinds, read from their parameters ---------------------------------------------

@dataclass(frozen=True)
class Unit:
    """One elementwise unit: sorted breakpoints (Fractions, or -inf / inf where missing, in the
    place the pattern numbering keeps for them), the output ``(slope, offset)`` on each piece,
    and whether the unit is clip-like (three pieces, the outer ones closed)."""

    breaks: tuple
    pieces: tuple
    clip_like: bool

    def piece_of_value(self, v) -> int:
        """The pattern numbering at input value ``v``: ReLU-like units count the breakpoints
        below ``v`` (zero is inactive); clip-like units are 0 at or below the lower breakpoint,
        2 at or above the upper one, 1 strictly between."""
        if self.clip_like:
            return 0 if v <= self.breaks[0] else (2 if v >= self.breaks[1] else 1)
        return sum(1 for b in self.breaks if b < v)


def _relu_units(s):
    return [Unit((F0,), ((F0, F0), (F1, F0)), False)] * s.size


def _leaky_units(s):
    a = np.broadcast_to(np.asarray(s.alpha, float), (s.size,))
    return [Unit((F0,), ((_fr(ai), F0), (F1, F0)), False) for ai in a]


def _bound(v):
    return v if not np.isfinite(v) else _fr(v)


def _clip_units(s):
    lo = np.broadcast_to(np.asarray(s.lo, float), (s.size,))
    hi = np.broadcast_to(np.asarray(s.hi, float), (s.size,))
    out = []
    for l, h in zip(lo, hi):
        L, H = _bound(l), _bound(h)
        pieces = ((F0, L if L != -inf else F0), (F1, F0), (F0, H if H != inf else F0))
        out.append(Unit((L, H), pieces, True))
    return out


def _hard_sigmoid_units(s):
    """``max(0, min(1, alpha g + beta))``: breakpoints where ``alpha g + beta`` is 0 and 1,
    solved exactly; the outer pieces are the constants 0 and 1 (swapped for ``alpha < 0``)."""
    al = np.broadcast_to(np.asarray(s.alpha, float), (s.size,))
    be = np.broadcast_to(np.asarray(s.beta, float), (s.size,))
    out = []
    for a, b in zip(al, be):
        A, B = _fr(a), _fr(b)
        if A == 0:
            v = min(max(B, F0), F1)
            out.append(Unit((-inf, inf), ((F0, v), (F0, v), (F0, v)), True))
            continue
        t0, t1 = -B / A, (1 - B) / A
        low, high = (F0, F1) if A > 0 else (F1, F0)
        out.append(Unit((min(t0, t1), max(t0, t1)), ((F0, low), (A, B), (F0, high)), True))
    return out


#: Elementwise kind -> its units read from the stage's parameters.
ELEMENTWISE = {"relu": _relu_units, "leaky_relu": _leaky_units, "clip": _clip_units,
               "hard_sigmoid": _hard_sigmoid_units}


class ExactNet:
    """The stages of a :class:`regioncount.Network` with exact parameters: affine stages as
    sparse rows of Fractions, elementwise stages as :class:`Unit` lists, max groups as lists of
    members."""

    def __init__(self, net):
        self.net = net
        self.n = net.input_size
        self.stages = []
        for s in net.stages:
            self.stages.append(_READ[s.kind](s))


def _read_input(s):
    return ("input", s.size)


def _read_affine(s):
    parts = []
    for src, W in zip(s.sources, s.weights):
        W = W.toarray() if sp.issparse(W) else np.asarray(W, float)
        rows = [[(j, _fr(w)) for j, w in enumerate(row) if w != 0] for row in W]
        parts.append((src, rows))
    return ("affine", (parts, [_fr(b) for b in np.asarray(s.bias, float).ravel()]))


def _read_elementwise(s):
    return ("elementwise", (s.source_index, ELEMENTWISE[s.kind](s)))


def _read_max(s):
    groups = [[int(i) for i in s.indices[s.indptr[g]:s.indptr[g + 1]]] for g in range(s.size)]
    return ("max", (s.source_index, groups))


_READ = {"input": _read_input, "affine": _read_affine, "max": _read_max,
         **{k: _read_elementwise for k in ELEMENTWISE}}


def _affine_out(data, maps, n):
    parts, bias = data
    out = []
    for i, b in enumerate(bias):
        pairs = [(w, maps[src][j]) for src, rows in parts for j, w in rows[i]]
        out.append(_lin(pairs, n, b))
    return out


def _identity(n):
    return [tuple(F1 if j == i else F0 for j in range(n)) + (F0,) for i in range(n)]


# -- the 2-D polygon oracle ------------------------------------------------------------------

def _split(P, f):
    """The parts of convex polygon ``P`` where ``f >= 0`` and ``f <= 0``: ``[P]`` when ``f`` does
    not have vertices strictly on both sides (the other part would have no area)."""
    vals = [_at(f, p) for p in P]
    if min(vals) >= 0 or max(vals) <= 0:
        return [P]
    pos, neg = [], []
    k = len(P)
    for i in range(k):
        p, q, fp, fq = P[i], P[(i + 1) % k], vals[i], vals[(i + 1) % k]
        if fp >= 0:
            pos.append(p)
        if fp <= 0:
            neg.append(p)
        if (fp > 0 > fq) or (fp < 0 < fq):
            s = fp / (fp - fq)
            x = tuple(a + s * (b - a) for a, b in zip(p, q))
            pos.append(x)
            neg.append(x)
    return [pos, neg]


def _keep_side(P, f):
    """The part of ``P`` where ``f >= 0``, or None when it has no area."""
    vals = [_at(f, p) for p in P]
    if min(vals) >= 0:
        return P
    if max(vals) <= 0:
        return None
    return _split(P, f)[0]


def _inside(P):
    """A point inside a convex polygon of positive area: its vertex mean."""
    k = len(P)
    return tuple(sum(c) / k for c in zip(*P))


def area(P) -> Fraction:
    """Shoelace area of a polygon (exact)."""
    k = len(P)
    return abs(sum(P[i][0] * P[(i + 1) % k][1] - P[(i + 1) % k][0] * P[i][1]
                   for i in range(k))) / 2


def _domain_polygon(domain):
    lo, hi = [_fr(v) for v in domain.lo], [_fr(v) for v in domain.hi]
    if lo[0] == hi[0] or lo[1] == hi[1]:
        return None
    P = [(lo[0], lo[1]), (hi[0], lo[1]), (hi[0], hi[1]), (lo[0], hi[1])]
    if domain.A is not None:
        for row, b in zip(domain.A, domain.b):          # b - a . x >= 0
            P = _keep_side(P, (-_fr(row[0]), -_fr(row[1]), _fr(b)))
            if P is None:
                return None
    return P


def _unit_lines(unit, g):
    return [] if _const(g) else [_scaled(g, F1, -t) for t in unit.breaks if t not in (-inf, inf)]


def _group_lines(members, maps):
    out = []
    for x in range(len(members)):
        for y in range(x + 1, len(members)):
            d = _minus(maps[members[x]], maps[members[y]])
            if not _const(d):
                out.append(d)
    return out


def _stage_lines(kind, data, maps):
    src, items = data
    if kind == "elementwise":
        return [ln for u, g in zip(items, maps[src]) for ln in _unit_lines(u, g)]
    return [ln for members in items for ln in _group_lines(members, maps[src])]


def _elementwise_at(units, g_maps, x):
    pieces, out = [], []
    for u, g in zip(units, g_maps):
        p = u.piece_of_value(_at(g, x))
        s, o = u.pieces[p]
        pieces.append(p)
        out.append(_scaled(g, s, o))
    return tuple(pieces), out


def _max_at(groups, g_maps, x):
    pieces, out = [], []
    for members in groups:
        vals = [_at(g_maps[m], x) for m in members]
        p = vals.index(max(vals))                 # the first maximal entry
        pieces.append(p)
        out.append(g_maps[members[p]])
    return tuple(pieces), out


_PIECES_AT = {"elementwise": _elementwise_at, "max": _max_at}


@dataclass
class Cell:
    """A convex polygon on which every stage so far is one affine map."""

    poly: list
    maps: dict
    pieces: tuple = ()


def polygons_2d(net, domain) -> list[tuple[list, tuple]]:
    """The pieces of the domain on which the pattern is constant: ``[(polygon, pattern)]`` with
    exact vertices (Fractions) and the flat pattern (PWL stages in order). Several pieces may
    share a pattern; the activation regions are the distinct patterns."""
    ex = ExactNet(net)
    if ex.n != 2:
        raise ValueError("polygons_2d: a network with 2 inputs")
    P = _domain_polygon(domain)
    if P is None:
        return []
    cells = [Cell(P, {0: _identity(2)})]
    for k, (kind, data) in enumerate(ex.stages):
        if kind == "input":
            continue
        if kind == "affine":
            for c in cells:
                c.maps = {**c.maps, k: _affine_out(data, c.maps, 2)}
            continue
        cells = [new for c in cells for new in _cut(c, k, kind, data)]
    return [(c.poly, c.pieces) for c in cells]


def _cut(cell, k, kind, data):
    polys = [cell.poly]
    for ln in _stage_lines(kind, data, cell.maps):
        polys = [q for p in polys for q in _split(p, ln)]
    src, items = data
    out = []
    for p in polys:
        pieces, m = _PIECES_AT[kind](items, cell.maps[src], _inside(p))
        out.append(Cell(p, {**cell.maps, k: m}, cell.pieces + pieces))
    return out


def count_2d(net, domain) -> int:
    """Activation regions of a 2-input network on a 2-D domain (distinct patterns of the
    positive-area pieces)."""
    return len({pat for _, pat in polygons_2d(net, domain)})


def patterns_2d(net, domain) -> set:
    """The activation patterns, as :meth:`CountResult.pattern_set` writes them (int32 bytes)."""
    return {as_bytes(pat) for _, pat in polygons_2d(net, domain)}


def as_bytes(pattern) -> bytes:
    return np.asarray(pattern, np.int32).tobytes()


# -- the 1-D sweep ---------------------------------------------------------------------------

def _elementwise_right(units, g_maps, x):
    """Pieces and output maps just right of ``x`` (on ``(x, x + eps)``)."""
    pieces, out = [], []
    for u, g in zip(units, g_maps):
        a, c = g
        v = a * x + c
        if a == 0:
            p = u.piece_of_value(v)
        else:
            p = sum(1 for b in u.breaks if b < v or (b == v and a > 0))
        s, o = u.pieces[p]
        pieces.append(p)
        out.append(_scaled(g, s, o))
    return tuple(pieces), out


def _max_right(groups, g_maps, x):
    pieces, out = [], []
    for members in groups:
        keys = [(g_maps[m][0] * x + g_maps[m][1], g_maps[m][0]) for m in members]
        p = keys.index(max(keys))                 # larger value, then larger slope; first of ties
        pieces.append(p)
        out.append(g_maps[members[p]])
    return tuple(pieces), out


def _elementwise_crossings(units, g_maps):
    return [(t - c) / a for u, (a, c) in zip(units, g_maps) if a != 0
            for t in u.breaks if t not in (-inf, inf)]


def _max_crossings(groups, g_maps):
    out = []
    for members in groups:
        for i, j in ((i, j) for i in members for j in members if i < j):
            (a1, c1), (a2, c2) = g_maps[i], g_maps[j]
            if a1 != a2:
                out.append((c2 - c1) / (a1 - a2))
    return out


_RIGHT = {"elementwise": _elementwise_right, "max": _max_right}
_CROSSINGS = {"elementwise": _elementwise_crossings, "max": _max_crossings}


def _domain_interval(domain):
    lo, hi = _fr(domain.lo[0]), _fr(domain.hi[0])
    if domain.A is not None:
        for (a,), b in zip(domain.A, domain.b):       # a x <= b
            A, B = _fr(a), _fr(b)
            if A > 0:
                hi = min(hi, B / A)
            elif A < 0:
                lo = max(lo, B / A)
            elif B < 0:
                return None
    return (lo, hi) if lo < hi else None


def sweep_1d(net, domain) -> list[tuple[Fraction, Fraction, tuple]]:
    """The intervals ``(t0, t1, pattern)`` of a 1-input network on a 1-D domain, adjacent
    intervals of the same pattern merged; ``t0 < t1`` (exact)."""
    ex = ExactNet(net)
    if ex.n != 1:
        raise ValueError("sweep_1d: a network with 1 input")
    span = _domain_interval(domain)
    if span is None:
        return []
    x, hi = span
    out = []
    while x < hi:
        pattern, cross = _linear_piece(ex, x)
        nxt = min([t for t in cross if t > x] + [hi])
        if out and out[-1][2] == pattern:
            out[-1] = (out[-1][0], nxt, pattern)
        else:
            out.append((x, nxt, pattern))
        x = nxt
    return out


def _linear_piece(ex, x):
    """The pattern on ``(x, x + eps)`` and every crossing point of the maps valid there."""
    maps = {0: [(F1, F0)]}
    pattern, cross = (), []
    for k, (kind, data) in enumerate(ex.stages):
        if kind == "input":
            continue
        if kind == "affine":
            maps[k] = _affine_out(data, maps, 1)
            continue
        src, items = data
        pieces, maps[k] = _RIGHT[kind](items, maps[src], x)
        pattern += pieces
        cross += _CROSSINGS[kind](items, maps[src])
    return pattern, cross


def count_1d(net, domain) -> int:
    """Activation regions of a 1-input network on a 1-D domain."""
    return len({pat for _, _, pat in sweep_1d(net, domain)})


def patterns_1d(net, domain) -> set:
    return {as_bytes(pat) for _, _, pat in sweep_1d(net, domain)}


def count_exact(net, domain) -> int:
    """:func:`count_1d` or :func:`count_2d`, by the number of inputs."""
    return {1: count_1d, 2: count_2d}[net.input_size](net, domain)


def patterns_exact(net, domain) -> set:
    return {1: patterns_1d, 2: patterns_2d}[net.input_size](net, domain)
