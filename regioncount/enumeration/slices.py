"""Exact 1-D and 2-D slices: the activation regions met by a segment or by a plane.

On a segment ``x(t) = origin + t d`` every pre-activation is affine in ``t`` on a cell, so the
cells are intervals between breakpoints; on a plane ``x(s, t) = origin + s u + t v`` the cells are
convex polygons. Stage by stage (as SplineCam does, Humayun et al. 2023), every cell is split
by the lines of the current stage's units (ReLU/leaky ReLU ``g = 0``; clip ``g = lo``, ``g = hi``;
max groups every ``y_j = y_l`` of two different members), and the stage's pattern is read at a
point inside each piece. An activation region is convex, so its trace on the plane is convex
and the cells with the same final pattern tile it: the regions met are the distinct patterns and
each one's polygon is the convex hull of its cells.

Only pieces with positive length (1-D) or area (2-D) count: a cell is split by a line only when
vertices lie farther than ``REGION_MARGIN`` on both sides (distances in the slice coordinates).
For a network of input dimension 1 or 2 and the whole domain as slice, the count equals the
region tree's (:func:`count_slice`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from scipy.spatial import ConvexHull

from .. import tolerances as tol
from ..domain import Domain
from ..errors import DomainError
from ..intervals import interval_bounds
from ..network import Network
from .lp import require_interior
from .results import CountResult
from .units import UnitPlan


@dataclass(frozen=True, eq=False)
class Polygon:
    """The trace of one activation region on a 2-D slice.

    Attributes
    ----------
    vertices : ndarray (k, 2)
        Counter-clockwise vertices in slice coordinates ``(s, t)``.
    pattern : ndarray
        Flat pattern (one entry per PWL unit, stages in order).
    area : float
        Area in slice coordinates.
    point : ndarray
        An interior point in input coordinates (the vertex mean).
    label : int
        Output argmax at ``point``.
    """

    vertices: np.ndarray
    pattern: np.ndarray
    area: float
    point: np.ndarray
    label: int


@dataclass(frozen=True, eq=False)
class Interval:
    """The trace of one activation region on a segment: ``t`` in ``[t0, t1]``."""

    t0: float
    t1: float
    pattern: np.ndarray
    point: np.ndarray
    label: int


# -- geometry ------------------------------------------------------------------------------

def _halves(P: np.ndarray, a: np.ndarray, b: float):
    """The parts of convex polygon ``P`` (k, 2) where ``a . p + b >= 0`` and ``<= 0``; ``None``
    for a part without positive extent beyond ``REGION_MARGIN`` (distance in the plane).
    When ``a`` is zero the whole polygon is on the side of ``b``, ``b = 0`` counting as ``>= 0``
    (a domain's face holds the plane: kept, as a segment on it is in 1-D)."""
    na = float(np.hypot(a[0], a[1]))
    if na == 0.0:
        return (P, None) if b >= 0 else (None, P)
    d = (P @ a + b) / na
    eps = tol.REGION_MARGIN
    if not d.min() < -eps:
        return P, None
    if not d.max() > eps:
        return None, P
    pos, neg = [], []
    k = len(P)
    for i in range(k):
        p, q = P[i], P[(i + 1) % k]
        dp, dq = d[i], d[(i + 1) % k]
        if dp >= -eps:
            pos.append(p)
        if dp <= eps:
            neg.append(p)
        if (dp > eps and dq < -eps) or (dp < -eps and dq > eps):
            w = dp / (dp - dq)
            x = p + w * (q - p)
            pos.append(x)
            neg.append(x)
    return np.array(pos), np.array(neg)


def _split_poly(P: np.ndarray, a: np.ndarray, b: float):
    """Split ``P`` by the line ``a . p + b = 0`` (one piece when it misses the interior)."""
    return [q for q in _halves(P, a, b) if q is not None]


def _area(P: np.ndarray) -> float:
    x, y = P[:, 0], P[:, 1]
    return 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))


def _hull(points: np.ndarray) -> np.ndarray:
    """Convex hull (counter-clockwise vertices) of 2-D points: the vertices of positive-area
    cells of one region, so never all on one line (qhull, through scipy)."""
    pts = np.unique(np.round(points, 12), axis=0)
    if len(pts) < 3:
        return pts
    return pts[ConvexHull(pts).vertices]


def _slice_cells(net: Network, domain: Domain, origin, dirs: np.ndarray, cell0, split):
    """Generic stage-by-stage subdivision; ``split(cell, a, b)`` splits one cell by one line
    (a in slice coordinates); ``inner(cell)`` gives a slice-coordinate interior point."""
    plan = UnitPlan(net, domain.lo, domain.hi, interval_bounds(net, domain))
    cells = [(cell0, np.zeros(plan.total, np.int32), {})]
    for j, k in enumerate(plan.stages):
        stage = net.stages[k]
        nxt = []
        for cell, pat, maps in cells:
            maps = dict(maps)
            sm = plan.stage_map(j, pat, maps)
            A2 = sm.A @ dirs
            c2 = sm.c + sm.A @ origin
            pieces = [cell]
            for a, b in stage.switch_lines(A2, c2, plan.candidates[k]):
                pieces = [q for p in pieces for q in split(p, a, b)]
            for p in pieces:
                centre = p.mean(axis=0)
                p2 = pat.copy()
                g = (A2 @ centre + c2)[None]
                p2[plan.start[j]:plan.start[j + 1]] = stage.piece_on_maps(sm.A[None],
                                                                          sm.c[None], g)[0]
                nxt.append((p, p2, maps))
        cells = nxt
    return cells


def _domain_rows(domain: Domain, origin, dirs):
    G, h = domain.halfspaces()
    return G @ dirs, h - G @ origin


def slice_regions_2d(net: Network, origin, u, v, bounds_uv, domain: Domain | None = None
                     ) -> list[Polygon]:
    """The activation regions met by the plane ``origin + s u + t v``, as convex polygons.

    Parameters
    ----------
    net : Network
    origin, u, v : array_like (n,)
        A point and two directions of the input space.
    bounds_uv : ((s0, s1), (t0, t1))
        The rectangle of slice coordinates.
    domain : Domain, optional
        Clip the slice to this domain (its box and half-spaces) as well.

    Returns
    -------
    list of Polygon
        One per region met with positive area, vertices in slice coordinates.

    Examples
    --------
    >>> import numpy as np
    >>> from regioncount import Network
    >>> net = Network.from_layers([(np.eye(2), np.zeros(2))])
    >>> len(slice_regions_2d(net, [0, 0], [1, 0], [0, 1], ((-1, 1), (-1, 1))))
    4
    """
    origin = np.asarray(origin, float).ravel()
    dirs = np.column_stack([np.asarray(u, float).ravel(), np.asarray(v, float).ravel()])
    if dirs.shape[0] != net.input_size or origin.size != net.input_size:
        raise DomainError(f"slice: origin and directions need {net.input_size} coordinates")
    (s0, s1), (t0, t1) = bounds_uv
    poly = np.array([[s0, t0], [s1, t0], [s1, t1], [s0, t1]], float)
    if domain is None:
        domain = _plane_box(origin, dirs, poly)
    Gd, hd = _domain_rows(domain, origin, dirs)
    for a, b in zip(Gd, hd):
        poly, _ = _halves(poly, -a, b)       # keep a . p <= b
        if poly is None:
            return []
    cells = _slice_cells(net, domain, origin, dirs, poly, _split_poly)
    groups: dict = {}
    for p, pat, _ in cells:
        if abs(_area(p)) <= 0:
            continue
        groups.setdefault(pat.tobytes(), (pat, []))[1].append(p)
    out = []
    pts, pats, hulls = [], [], []
    for pat, ps in groups.values():
        H = _hull(np.vstack(ps))
        hulls.append(H)
        pats.append(pat)
        pts.append(origin + dirs @ H.mean(axis=0))
    labels = _labels(net, pts)
    for H, pat, x, lab in zip(hulls, pats, pts, labels):
        out.append(Polygon(H, pat, abs(_area(H)), x, int(lab)))
    return out


def _plane_box(origin, dirs, poly) -> Domain:
    corners = origin[None, :] + poly @ dirs.T
    return Domain.box(corners.min(axis=0), corners.max(axis=0))


def _labels(net, pts) -> np.ndarray:
    if not pts:
        return np.zeros(0, int)
    out = np.asarray(net.evaluate(np.vstack(pts))).reshape(len(pts), -1)
    return np.argmax(out, axis=1)


def _split_interval(I: np.ndarray, a: np.ndarray, b: float):
    a = float(a[0])
    if a == 0.0:
        return [I]
    t = -b / a
    eps = tol.REGION_MARGIN
    if I[0][0] + eps < t < I[1][0] - eps:
        return [np.array([I[0], [t]]), np.array([[t], I[1]])]
    return [I]


def slice_regions_1d(net: Network, origin, direction, bounds=(0.0, 1.0),
                     domain: Domain | None = None) -> list[Interval]:
    """The activation regions met by the segment ``origin + t direction``, ``t`` in ``bounds``.

    Returns one :class:`Interval` per region met with positive length, in order along the
    segment. Examples
    --------
    >>> import numpy as np
    >>> from regioncount import Network
    >>> net = Network.from_layers([(np.array([[1.0], [1.0]]), np.array([0.0, -0.5]))])
    >>> [(i.t0, i.t1) for i in slice_regions_1d(net, [-1.0], [1.0], (0.0, 2.0))]
    [(0.0, 1.0), (1.0, 1.5), (1.5, 2.0)]
    """
    origin = np.asarray(origin, float).ravel()
    d = np.asarray(direction, float).ravel()
    if d.size != net.input_size or origin.size != net.input_size:
        raise DomainError(f"slice: origin and direction need {net.input_size} coordinates")
    dirs = d[:, None]
    t0, t1 = float(bounds[0]), float(bounds[1])
    if domain is None:
        a, b = origin + t0 * d, origin + t1 * d
        domain = Domain.box(np.minimum(a, b), np.maximum(a, b))
    Gd, hd = _domain_rows(domain, origin, dirs)
    for a, b in zip(Gd[:, 0], hd):          # a t <= b
        if a > 0:
            t1 = min(t1, b / a)
        elif a < 0:
            t0 = max(t0, b / a)
        elif b < 0:
            return []
    if not t1 - t0 > tol.REGION_MARGIN:
        return []
    cells = _slice_cells(net, domain, origin, dirs, np.array([[t0], [t1]]), _split_interval)
    groups: dict = {}
    for I, pat, _ in cells:
        g = groups.setdefault(pat.tobytes(), [pat, I[0][0], I[1][0]])
        g[1] = min(g[1], I[0][0])
        g[2] = max(g[2], I[1][0])
    items = sorted(groups.values(), key=lambda g: g[1])
    pts = [origin + d * (g[1] + g[2]) / 2 for g in items]
    labels = _labels(net, pts)
    return [Interval(float(g[1]), float(g[2]), g[0], x, int(l))
            for g, x, l in zip(items, pts, labels)]


def count_slice(net: Network, domain: Domain) -> CountResult:
    """Exact count for a network of input dimension 1 or 2: the slice is the whole domain.

    Examples
    --------
    >>> import numpy as np
    >>> from regioncount import Domain, Network
    >>> net = Network.from_layers([(np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]),
    ...                             np.array([0.0, 0.0, -0.5]))])
    >>> count_slice(net, Domain.box(-1, 1, 2)).regions
    7
    """
    require_interior(domain)
    t = time.monotonic()
    n = net.input_size
    if n == 1:
        cells = slice_regions_1d(net, domain.lo, [1.0], (0.0, float(domain.hi[0] - domain.lo[0])),
                                 domain)
    elif n == 2:
        cells = slice_regions_2d(net, domain.lo, [1.0, 0.0], [0.0, 1.0],
                                 ((0.0, float(domain.hi[0] - domain.lo[0])),
                                  (0.0, float(domain.hi[1] - domain.lo[1]))), domain)
    else:
        raise DomainError(f"--method slice counts whole domains of dimension 1 or 2 only; this "
                          f"network has {n} inputs (use slice_regions_1d/2d for a slice)")
    per_class: dict = {}
    for c in cells:
        per_class[c.label] = per_class.get(c.label, 0) + 1
    pats = np.array([c.pattern for c in cells], np.int32).reshape(len(cells), -1)
    pts = np.array([c.point for c in cells]).reshape(len(cells), n)
    per_layer = []
    plan_sizes = [s.size for s in net.pwl_stages]
    k = 0
    for size in plan_sizes:
        k += size
        per_layer.append(len({p[:k].tobytes() for p in pats}))
    return CountResult(regions=len(cells), complete=True, method="slice",
                       seconds=time.monotonic() - t, lps=0, per_class=per_class,
                       per_layer=tuple(per_layer), patterns=pats, points=pts)
