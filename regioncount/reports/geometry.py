"""Plane geometry for the region picture: the decision boundary inside slice polygons.

On one activation region the logits are affine in the input, hence in the slice coordinates
``p = (s, t)``: ``l(p) = M p + k``. The decision boundary (where the output argmax changes) meets
the region's polygon ``P`` in the segments where two logits tie and no other logit is larger:
for classes ``i < j`` the line ``(M_i - M_j) p = k_j - k_i`` clipped to ``P`` and to
``l_m(p) <= l_i(p)`` for every other ``m``. A network with one output is read as a binary
classifier with threshold 0 (a zero logit is added).

Examples
--------
>>> import numpy as np
>>> square = np.array([[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]])
>>> M, k = np.array([[1.0, 0.0], [0.0, 0.0]]), np.array([0.0, 0.5])   # l0 = s, l1 = 0.5
>>> [seg.tolist() for seg in tie_segments(square, M, k)]
[[[0.5, 0.0], [0.5, 1.0]]]
"""

from __future__ import annotations

import numpy as np

from .. import tolerances as tol
from ..enumeration.results import split_pattern


def _ccw(P: np.ndarray) -> np.ndarray:
    x, y = P[:, 0], P[:, 1]
    area2 = float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))
    return P if area2 >= 0 else P[::-1]


def polygon_rows(P) -> tuple[np.ndarray, np.ndarray]:
    """Half-planes ``G p <= h`` of a convex polygon given by its vertices (either orientation)."""
    P = _ccw(np.asarray(P, float))
    E = np.roll(P, -1, axis=0) - P
    G = np.column_stack([E[:, 1], -E[:, 0]])
    h = np.einsum("ij,ij->i", G, P)
    return G, h


def clip_line(n: np.ndarray, c: float, G: np.ndarray, h: np.ndarray):
    """The segment of the line ``n . p = c`` inside ``G p <= h``; ``None`` when shorter than
    ``REGION_MARGIN`` (slice coordinates) or empty."""
    nn = float(n @ n)
    if nn == 0.0:
        return None
    norm = np.sqrt(nn)
    d = np.array([-n[1], n[0]]) / norm
    p0 = n * (c / nn)
    gd = G @ d
    slack = h - G @ p0
    lo, hi = -np.inf, np.inf
    for a, b in zip(gd, slack):
        if a > 0:
            hi = min(hi, b / a)
        elif a < 0:
            lo = max(lo, b / a)
        elif b < 0:
            return None
    if not (np.isfinite(lo) and np.isfinite(hi)) or hi - lo <= tol.REGION_MARGIN:
        return None
    return np.array([p0 + lo * d, p0 + hi * d])


def tie_segments(P, M: np.ndarray, k: np.ndarray) -> list[np.ndarray]:
    """Decision-boundary segments inside the convex polygon ``P`` for logits ``M p + k``.

    Parameters
    ----------
    P : array_like (v, 2)
        Polygon vertices in slice coordinates.
    M : ndarray (m, 2)
    k : ndarray (m,)

    Returns
    -------
    list of ndarray (2, 2)
    """
    P = np.asarray(P, float)
    M = np.atleast_2d(np.asarray(M, float))
    k = np.asarray(k, float).ravel()
    if M.shape[0] == 1:                         # one logit: binary classifier, threshold 0
        M = np.vstack([M, np.zeros((1, 2))])
        k = np.append(k, 0.0)
    m = M.shape[0]
    G, h = polygon_rows(P)
    D = P @ M.T + k                              # logits at the vertices (v, m)
    # class i can be the argmax somewhere in P only if, for every other class, it beats it at
    # some vertex (l_i - l_j is affine, so its maximum over P is at a vertex)
    diff_max = (D[:, :, None] - D[:, None, :]).max(axis=0)      # [i, j] = max_v (l_i - l_j)
    can_win = np.all(diff_max >= 0, axis=1)
    out = []
    idx = np.flatnonzero(can_win)
    for a in range(len(idx)):
        for b in range(a + 1, len(idx)):
            i, j = idx[a], idx[b]
            n = M[i] - M[j]
            if not (diff_max[i, j] > 0 and diff_max[j, i] > 0):
                continue                          # the tie line misses the polygon's interior
            others = [q for q in range(m) if q != i and q != j]
            G2 = np.vstack([G, M[others] - M[i]]) if others else G
            h2 = np.concatenate([h, k[i] - k[others]]) if others else h
            seg = clip_line(n, float(k[j] - k[i]), G2, h2)
            if seg is not None:
                out.append(seg)
    return out


def decision_boundary(net, polygons, origin, u, v) -> list[np.ndarray]:
    """Decision-boundary segments over the polygons of a 2-D slice
    (:func:`regioncount.enumeration.slices.slice_regions_2d`)."""
    origin = np.asarray(origin, float).ravel()
    U = np.column_stack([np.asarray(u, float).ravel(), np.asarray(v, float).ravel()])
    segs: list[np.ndarray] = []
    for poly in polygons:
        A, c = net.local_affine(pattern=split_pattern(net, poly.pattern))
        M = A @ U
        kk = A @ origin + c
        segs.extend(tie_segments(poly.vertices, M, kk))
    return segs


__all__ = ["polygon_rows", "clip_line", "tie_segments", "decision_boundary"]
