"""The affine maps and piece rows of a network along an activation pattern, in two arithmetics:
floats with proven error bounds, and exact rationals (:mod:`regioncount.enumeration.exact`).

A *map* of a stage is ``(A, c, EA, Ec)``: its output is ``A x + c`` on the region of the pattern
(``x`` the network input), and the exact coefficients lie within ``EA``, ``Ec`` of the float ones
(``EA``, ``Ec`` are None in exact arithmetic, where ``A``, ``c`` are object arrays of rationals).
The input stage's map is None (the identity). A *row set* ``Rows(G, h, EG, Eh, strict)`` says
``G x <= h`` (``<`` where ``strict``); each PWL kind gives its rows through
``unit_rows(i, q)`` (:mod:`regioncount.stages`).

Examples
--------
>>> import numpy as np
>>> from regioncount import Network
>>> net = Network.from_layers([(np.array([[1.0, -1.0]]), np.array([0.5]))])
>>> maps = extend(net, [None], 1, 2, {}, exact_mode=False)
>>> A, c, EA, Ec = maps[1]
>>> A.tolist(), c.tolist(), float(EA.max()), bool(Ec.max() < 1e-15)
([[1.0, -1.0]], [0.5], 0.0, True)
>>> r = unit_rows(net.stages[2], 0, 1, maps[1])         # ReLU active: x0 - x1 + 0.5 > 0
>>> r.G.tolist(), r.h.tolist(), r.strict.tolist()
([[-1.0, 1.0]], [0.5], [True])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ..stages import _matmul
from . import exact as _ex
from .exact import INFLATE, U, Q, abs_matrix, exact, exact_dot, gamma


@dataclass(frozen=True, eq=False)
class Rows:
    """Rows ``G x <= h`` (strict where ``strict``) with error bounds (None when exact)."""

    G: np.ndarray
    h: np.ndarray
    EG: np.ndarray | None
    Eh: np.ndarray | None
    strict: np.ndarray

    @property
    def exact(self) -> bool:
        return self.EG is None

    def __len__(self) -> int:
        return int(self.h.size)

    def take(self, keep) -> "Rows":
        e = self.exact
        return Rows(self.G[keep], self.h[keep], None if e else self.EG[keep],
                    None if e else self.Eh[keep], self.strict[keep])

    @staticmethod
    def stack(parts: list, n: int, exact_mode: bool) -> "Rows":
        parts = [p for p in parts if len(p)]
        if not parts:
            z = np.zeros((0, n), dtype=object if exact_mode else float)
            return Rows(z, z[:, 0], None if exact_mode else z, None if exact_mode else z[:, 0],
                        np.zeros(0, bool))
        cat = np.concatenate
        return Rows(np.vstack([p.G for p in parts]), cat([p.h for p in parts]),
                    None if exact_mode else np.vstack([p.EG for p in parts]),
                    None if exact_mode else cat([p.Eh for p in parts]),
                    cat([p.strict for p in parts]))


def domain_rows(domain, exact_mode: bool) -> Rows:
    """The domain's half-spaces ``A x <= b`` as rows (the box is handled apart)."""
    n = domain.dim
    if domain.A is None:
        return Rows.stack([], n, exact_mode)
    A, b = np.asarray(domain.A, float), np.asarray(domain.b, float)
    if exact_mode:
        return Rows(exact(A), exact(b), None, None, np.zeros(b.size, bool))
    return Rows(A, b, np.zeros_like(A), np.zeros_like(b), np.zeros(b.size, bool))


# -- maps ------------------------------------------------------------------------------------

def _affine_float(s, maps, n: int, absw: dict):
    """The map of an affine stage: every entry of ``A`` and ``c`` is a float sum of
    ``terms`` products (whatever the order of the sources), so its rounding error is at most
    ``gamma(terms)`` times the sum of their absolute values (``aA``, ``aC``), on top of the
    sources' own errors carried through ``|W|``."""
    A = np.zeros((s.size, n))
    c = np.array(s.bias, dtype=float)
    EA = np.zeros((s.size, n))
    Ec = np.zeros(s.size)
    aA = np.zeros((s.size, n))
    aC = np.abs(c)
    terms = 1
    for i, W in zip(s.sources, s.weights):
        aW = absw.setdefault(id(W), abs_matrix(W))
        terms += W.shape[1]
        if maps[i] is None:                 # the input: W @ I = W (the sum into A rounds)
            Wd = W.toarray() if sp.issparse(W) else np.asarray(W, float)
            A += Wd
            aA += np.abs(Wd)
            continue
        Ai, ci, Ei, ei = maps[i]
        A += _matmul(W, Ai)
        c += _matmul(W, ci[:, None])[:, 0]
        EA += _matmul(aW, Ei)
        aA += _matmul(aW, np.abs(Ai))
        Ec += _matmul(aW, ei[:, None])[:, 0]
        aC = aC + _matmul(aW, np.abs(ci)[:, None])[:, 0]
    EA += gamma(terms) * aA
    Ec += gamma(terms) * aC
    return A, c, EA * INFLATE + _ex.FLOOR, Ec * INFLATE + _ex.FLOOR


def _affine_exact(s, maps, n: int, absw: dict):
    A = exact(np.zeros((s.size, n)))
    c = exact(s.bias)
    for i, W in zip(s.sources, s.weights):
        if maps[i] is None:                 # the input
            A = A + exact(W)
            continue
        Ai, ci = maps[i][:2]
        A = A + exact_dot(W, Ai)
        c = c + exact_dot(W, ci)
    return A, c, None, None


def identity_map(n: int, exact_mode: bool):
    """The map of the input stage (the identity, exact in either arithmetic), for the stages
    that read the input directly (its entry in a list of maps is None)."""
    eye = np.eye(n)
    if exact_mode:
        return exact(eye), exact(np.zeros(n)), None, None
    return eye, np.zeros(n), np.zeros((n, n)), np.zeros(n)


def _pwl_map(s, m, p, n: int, exact_mode: bool):
    A, c, EA, Ec = identity_map(n, exact_mode) if m is None else m
    src, sc, off = s.piece_parts(np.asarray(p))
    if exact_mode:
        sc, off = exact(sc), exact(off)
        return sc[:, None] * A[src], sc * c[src] + off, None, None
    A2 = sc[:, None] * A[src]
    c2 = sc * c[src] + off
    asc = np.abs(sc)
    EA2 = asc[:, None] * EA[src] + 2 * U * np.abs(A2)
    Ec2 = asc * Ec[src] + gamma(2) * (np.abs(sc * c[src]) + np.abs(off))
    return A2, c2, EA2 * INFLATE + _ex.FLOOR, Ec2 * INFLATE + _ex.FLOOR


def extend(net, maps: list, start: int, stop: int, pats: dict, exact_mode: bool,
           absw: dict | None = None) -> list:
    """``maps`` extended with the maps of stages ``start .. stop - 1``; ``pats[k]`` is the
    pattern of PWL stage ``k`` (stage index)."""
    maps = list(maps)
    n = net.input_size
    absw = {} if absw is None else absw
    for k in range(start, stop):
        s = net.stages[k]
        if s.is_pwl:
            maps.append(_pwl_map(s, maps[s.source_index], pats[k], n, exact_mode))
        else:
            maps.append((_affine_exact if exact_mode else _affine_float)(s, maps, n, absw))
    return maps


def pattern_maps(net, stage_pats: list, exact_mode: bool, absw: dict | None = None) -> list:
    """The maps of every stage along a whole pattern (one array per PWL stage)."""
    pats = dict(zip(net.pwl_indices, stage_pats))
    return extend(net, [None], 1, len(net.stages), pats, exact_mode, absw)


# -- rows -----------------------------------------------------------------------------------

def _take(M, idx):
    """``M[idx]`` with index -1 meaning a zero row."""
    out = M[np.maximum(idx, 0)]
    if out.dtype == object:
        out = out.copy()
        out[idx < 0] = Q(0)
        return out
    return np.where((idx < 0).reshape((-1,) + (1,) * (M.ndim - 1)), 0.0, out)


def unit_rows(s, i: int, q: int, m) -> Rows:
    """The rows that put unit ``i`` of PWL stage ``s`` on piece ``q``, given the map ``m`` of
    the stage's input."""
    return rows_of(s.unit_rows(i, q), m)


def rows_of(table, m) -> Rows:
    """Rows from ``(pos, neg, k, strict)`` (see :func:`unit_rows`) and the map ``m``."""
    pos, neg, k, strict = table
    if m is None:
        raise ValueError("a PWL stage reading the input directly: extend() the identity first")
    A, c, EA, Ec = m
    if EA is None:
        ke = exact(k)
        return Rows(_take(A, pos) - _take(A, neg), ke - (_take(c, pos) - _take(c, neg)),
                    None, None, strict)
    G = _take(A, pos) - _take(A, neg)
    cp, cn = _take(c, pos), _take(c, neg)
    h = k - (cp - cn)
    EG = _take(EA, pos) + _take(EA, neg) + U * np.abs(G)
    Eh = _take(Ec, pos) + _take(Ec, neg) + gamma(2) * (np.abs(k) + np.abs(cp) + np.abs(cn))
    return Rows(G, h, EG * INFLATE + _ex.FLOOR, Eh * INFLATE + _ex.FLOOR, strict)


def stage_rows(s, p, m) -> Rows:
    """The rows of every unit of PWL stage ``s`` on its pieces ``p``."""
    n = (m[0].shape[1] if m is not None else 0)
    return Rows.stack([unit_rows(s, i, int(q), m) for i, q in enumerate(p)], n,
                      m is not None and m[2] is None)


# -- deciding rows ---------------------------------------------------------------------------

#: Row classes of :func:`classify`.
LIVE, HOLDS, EMPTY, UNSURE = 0, 1, 2, 3


def classify(r: Rows) -> np.ndarray:
    """Per row: ``LIVE`` (its normal is certainly not zero), ``HOLDS`` (zero normal, the
    constant condition holds everywhere), ``EMPTY`` (zero normal, it holds nowhere) or
    ``UNSURE`` (the float bounds cannot tell)."""
    out = np.full(len(r), UNSURE)
    if r.exact:
        nz = np.array([any(v != 0 for v in row) for row in r.G], bool)
        hpos = np.array([v > 0 for v in r.h], bool)
        hzero = np.array([v == 0 for v in r.h], bool)
        out[nz] = LIVE
        z = ~nz
        out[z & (hpos | (hzero & ~r.strict))] = HOLDS
        out[z & ~hpos & ~(hzero & ~r.strict)] = EMPTY
        return out
    nz = np.any(np.abs(r.G) > r.EG, axis=1)
    zr = np.all(r.G == 0, axis=1) & np.all(r.EG == 0, axis=1)
    out[nz] = LIVE
    exact0 = zr & (r.Eh == 0) & (r.h == 0)
    out[zr & (r.h - r.Eh > 0)] = HOLDS
    out[zr & (r.h + r.Eh < 0)] = EMPTY
    out[exact0 & r.strict] = EMPTY
    out[exact0 & ~r.strict] = HOLDS
    return out


def judge_point(r: Rows, x: np.ndarray) -> int:
    """Whether the point ``x`` lies strictly inside the rows: 1 yes, 0 no, -1 undecided."""
    cls = classify(r)
    if np.any(cls == EMPTY):
        return 0
    if np.any(cls == UNSURE):
        return -1
    live = r.take(cls == LIVE)
    if not len(live):
        return 1
    if live.exact:
        xe = exact(x)
        return int(all(v < 0 for v in live.G.dot(xe) - live.h))
    ax = np.abs(x)
    v = live.G @ x - live.h
    e = (live.EG @ ax + live.Eh + gamma(x.size + 2) * (np.abs(live.G) @ ax + np.abs(live.h)))
    e = e * INFLATE + _ex.FLOOR
    if np.all(v < -e):
        return 1
    return 0 if np.any(v > e) else -1


def box_sides(r: Rows, lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per (float) row: ``(never, always)``: whether ``G x <= h`` fails on the whole box (no
    point of the box meets it: the one-row Farkas certificate), and whether it holds on the
    whole box (the row adds nothing there)."""
    a, b = r.G * lo, r.G * hi
    mn, mx = np.minimum(a, b).sum(axis=1) - r.h, np.maximum(a, b).sum(axis=1) - r.h
    xm = np.maximum(np.abs(lo), np.abs(hi))
    err = r.EG @ xm + r.Eh + gamma(lo.size + 2) * (np.abs(r.G) @ xm + np.abs(r.h))
    err = err * INFLATE + _ex.FLOOR
    return mn - err >= 0, mx + err <= 0


def farkas(r: Rows, y, lo: np.ndarray, hi: np.ndarray) -> bool:
    """Whether the multipliers ``y >= 0`` prove that no point of the box ``[lo, hi]`` has
    ``G x < h`` on every row (the rows must be LIVE): ``min over the box of (G^T y) x >=
    y h``, so that ``y (G x - h) >= 0`` everywhere, against ``< 0`` on an interior point."""
    if r.exact:
        y = np.asarray(y, dtype=object)
        if not any(v > 0 for v in y):
            return False
        rho = r.G.T.dot(y)
        lo_e, hi_e = exact(lo), exact(hi)
        m = sum((min(a * l, a * u) for a, l, u in zip(rho, lo_e, hi_e)), Q(0))
        return m - r.h.dot(y) >= 0
    y = np.maximum(np.asarray(y, float), 0.0)
    if not np.any(y > 0):
        return False
    k = len(y) + 1
    rho = r.G.T @ y
    erho = r.EG.T @ y + gamma(k) * (np.abs(r.G).T @ y)
    mins = np.minimum(rho * lo, rho * hi)
    yh = r.h @ y
    err = (erho @ np.maximum(np.abs(lo), np.abs(hi)) + r.Eh @ y + gamma(k) * (np.abs(r.h) @ y)
           + gamma(lo.size + 2) * (np.abs(mins).sum() + abs(yh)))
    return bool(mins.sum() - yh - (err * INFLATE + _ex.FLOOR) >= 0)
