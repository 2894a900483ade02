"""Per-class counts with one definition for every method (docs/count.md, "Regions per class").

A region counts for output class ``c`` when ``c`` is the argmax of the output on a part of the
region with non-empty interior. The output is affine on a region, so this is the Chebyshev
question of the region tree with a few more rows: the region's own rows, and ``o_c >= o_j`` for
every other output ``j``; ``c`` counts when the inscribed radius is above the margin, measured,
as the counts are, in the unit-cube coordinates of the domain's box. A class that loses to
another everywhere on the box is ruled out without an LP. A region that meets several classes
counts for each (it *straddles* a decision boundary), so the per-class numbers can add up to more
than the number of regions. Outputs that are equal on the whole region count as one, the first
(as ``np.argmax`` does).

Examples
--------
>>> import numpy as np
>>> from regioncount import Domain, Network
>>> net = Network.from_layers([(np.eye(2), np.zeros(2))], final=(np.eye(2), np.zeros(2)))
>>> r = region_classes(net, Domain.box(-1, 1, 2), [np.array([1, 1])])   # x, y > 0: o = (x, y)
>>> r
(0, 1)
"""

from __future__ import annotations

import numpy as np

from .. import tolerances as tol
from ..domain import Domain
from ..network import Network
from .results import split_pattern
from .unitbox import unit_box


def region_classes(net: Network, domain: Domain, pattern, point=None) -> tuple[int, ...]:
    """The output classes that are the argmax on a part of the region of ``pattern`` (one
    array per PWL stage) with non-empty interior. ``net`` and ``domain`` in input units."""
    u_net, u_dom, _ = unit_box(net, domain)
    return _classes(u_net, u_dom, pattern)


def _classes(net: Network, dom: Domain, pattern) -> tuple[int, ...]:
    from .lp import ChebyshevLP

    G, h = net.region_rows(pattern)
    if dom.A is not None:
        G, h = np.vstack([G, dom.A]), np.concatenate([h, dom.b])
    Ao, co = net.local_affine(pattern=pattern)
    lo, hi = dom.lo, dom.hi
    lp = None
    out = []
    for c in range(Ao.shape[0]):
        D, e = Ao - Ao[c], co - co[c]                 # o_j - o_c = D x + e <= 0 on c's part
        least = e + np.maximum(D, 0) @ lo + np.minimum(D, 0) @ hi
        if np.any(np.delete(least, c) > 0):
            continue                                  # another output wins on the whole box
        tie = (np.abs(D).sum(axis=1) == 0) & (e == 0)
        if np.any(tie[:c]):
            continue                                  # equal to an earlier output everywhere:
            #                                           the argmax is the first (np.argmax)
        D, e = np.delete(D, c, 0), -np.delete(e, c)
        flat = np.linalg.norm(D, axis=1) == 0
        if np.any(e[flat] < 0):
            continue                                  # an output above c everywhere
        if lp is None:                                # one warm-started LP per region
            lp = ChebyshevLP(lo, hi, (G, h), margin=tol.REGION_MARGIN)
        Dn, en = _normalised(D, e)
        lp.truncate(0)
        for j, (a, b) in enumerate(zip(Dn, en)):
            lp.push(j, a, b)
        if lp.solve()[0] > tol.REGION_MARGIN:
            out.append(c)
    return tuple(out)


def _normalised(G, h):
    n = np.linalg.norm(G, axis=1)
    keep = n > 0
    return G[keep] / n[keep, None], h[keep] / n[keep]


def exact_per_class(net: Network, domain: Domain, patterns: np.ndarray) -> tuple[dict, int]:
    """``(per_class, straddling)`` for flat patterns (one row per region, as in
    :attr:`CountResult.patterns`): regions per class by the definition above, and the number
    of regions that meet more than one class."""
    u_net, u_dom, _ = unit_box(net, domain)
    per_class: dict = {}
    straddling = 0
    for flat in np.asarray(patterns):
        cls = _classes(u_net, u_dom, split_pattern(net, flat))
        straddling += len(cls) > 1
        for c in cls:
            per_class[c] = per_class.get(c, 0) + 1
    return per_class, straddling
