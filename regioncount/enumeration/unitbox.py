"""Counting in the coordinates where the domain's box is the unit cube.

The region tree decides "has this polytope an interior?" with a margin
(:data:`regioncount.tolerances.REGION_MARGIN`). A margin in input units would make the count
depend on the units of the input: a network that takes metres and one that takes millimetres
would have different counts on the same set. The tree therefore works in the coordinates
``u = (x - lo) / (hi - lo)`` in which the domain's box is ``[0, 1]^n``: the same function on the
same points, so the same regions, whatever the scale or offset of the input (docs/count.md).
The change of variables is folded into the affine stages that read the input, so the network
keeps its stages and its patterns; interior points are mapped back to the input.

Examples
--------
>>> import numpy as np
>>> from regioncount import Domain, Network
>>> net = Network.from_layers([(np.array([[1.0, -1.0]]), np.array([0.5]))])
>>> u_net, u_dom, to_input = unit_box(net, Domain.box(-4.0, 4.0, 2))
>>> u_dom.lo.tolist(), u_dom.hi.tolist()
([0.0, 0.0], [1.0, 1.0])
>>> x = to_input(np.array([[0.25, 0.5]]))
>>> x.tolist(), bool(np.allclose(u_net.evaluate([0.25, 0.5]), net.evaluate(x[0])))
([[-2.0, 0.0]], True)
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import scipy.sparse as sp

from ..domain import Domain
from ..network import Network


def unit_box(net: Network, domain: Domain):
    """``(net_u, domain_u, to_input)``: the network and domain in unit-cube coordinates and the
    map of points back to the input. A coordinate of zero width keeps its units (it is only
    shifted to 0). When a stage other than an affine one reads the input directly, nothing can
    be folded and the network is returned as it is."""
    lo, hi = domain.lo, domain.hi
    width = hi - lo
    scale = np.where(width > 0, width, 1.0)
    readers = [s for s in net.stages[1:] if 0 in s.inputs]
    if any(getattr(s, "weights", None) is None for s in readers):
        return net, domain, lambda U: np.asarray(U, float)
    stages = [replace(net.stages[0])] + [_fold(s, lo, scale) if 0 in s.inputs else s
                                         for s in net.stages[1:]]
    u_net = Network(stages, output=net.output, input_shape=net.input_shape,
                    output_shape=net.output_shape, name=net.name, notes=net.notes,
                    input_name=net.input_name, output_name=net.output_name)
    A, b = domain.A, domain.b
    if A is not None:
        A, b = A * scale[None, :], b - A @ lo
    u_dom = Domain(np.zeros_like(lo), width / scale, A, b, name=domain.name)
    return u_net, u_dom, lambda U: lo + np.asarray(U, float) * scale


def _fold(s, lo: np.ndarray, scale: np.ndarray):
    """An affine stage reading the input, with ``x = lo + scale * u`` substituted."""
    bias = np.array(s.bias, dtype=float)
    weights = []
    for i, W in zip(s.sources, s.weights):
        if i == 0:
            bias = bias + np.asarray(W @ lo).ravel()
            W = W @ sp.diags(scale) if sp.issparse(W) else W * scale[None, :]
        weights.append(W)
    return replace(s, weights=tuple(weights), bias=bias)
