"""One validation pass over a lowered network: every parameter of every stage is finite.

A NaN or infinite weight, bias or slope does not make the lowering fail: the network then
computes NaN or infinity, the LPs of the region tree see NaN rows, and a count comes out that
means nothing (58 regions for a network with 30). :func:`validate_network` runs once at the
end of :func:`~regioncount.lowering.lower` (so before any command works on the network) and
refuses such a network with one line naming the file, the ONNX node(s) the stage came from,
the model tensor that holds the bad values (when one does) and the reason.

The check is generic over the stage kinds: every float array among a stage's dataclass fields
(affine weights and bias, slopes, clip bounds, ...) must be finite, except the one infinite
value of :data:`UNBOUNDED` that means "no bound".

Examples
--------
>>> import numpy as np
>>> from regioncount.io import read_onnx
>>> from regioncount.io.export import mlp_to_onnx
>>> from regioncount.lowering import lower
>>> model = mlp_to_onnx([(np.array([[1.0, np.nan]]), np.zeros(1))])
>>> try:
...     lower(read_onnx(model, path="m.onnx"))
... except ModelError as e:
...     print(e.path, e.node, "|", e.reason)
m.onnx gemm0 | tensor 'W0' has 1 NaN value (the lowered weights of stage 1 hold non-finite values)
"""

from __future__ import annotations

import dataclasses

import numpy as np
import scipy.sparse as sp

from ..errors import ModelError

#: Stage fields that may hold one infinite value, meaning "no bound" (a Clip's lower bound
#: ``lo`` may be ``-inf``, its upper bound ``hi`` may be ``+inf``). Every other float parameter
#: must be finite, and NaN is refused everywhere.
UNBOUNDED = {"lo": -np.inf, "hi": np.inf}

#: What a field is called in the error message (others by their own name).
FIELD_NAMES = {"weights": "weights", "bias": "bias", "alpha": "slopes", "beta": "offsets",
               "lo": "lower bounds", "hi": "upper bounds"}


def _arrays(stage):
    """``(field name, float array)`` for every float parameter of ``stage`` (weights: one per
    input; sparse matrices: their stored entries)."""
    for f in dataclasses.fields(stage):
        value = getattr(stage, f.name)
        items = value if isinstance(value, tuple) else (value,)
        for v in items:
            if sp.issparse(v):
                v = v.data
            if isinstance(v, np.ndarray) and v.dtype.kind == "f":
                yield f.name, v


def _bad_mask(name: str, v: np.ndarray) -> np.ndarray:
    ok = np.isfinite(v)
    if name in UNBOUNDED:
        ok |= v == UNBOUNDED[name]
    return ~ok


def _describe(v: np.ndarray) -> str:
    """``"1 NaN value"``, ``"3 non-finite values (inf, nan)"``..."""
    n = int(v.size)
    kinds = sorted({"NaN" if np.isnan(x) else ("+inf" if x > 0 else "-inf") for x in v[:1000]})
    word = "value" if n == 1 else "values"
    if len(kinds) == 1:
        return f"{n} {kinds[0]} {word}"
    return f"{n} non-finite {word} ({', '.join(kinds)})"


def _culprit(graph, nodes) -> str | None:
    """The first model tensor read by ``nodes`` (initializer or Constant) that holds a
    non-finite value, described, or None."""
    if graph is None:
        return None
    for n in nodes:
        if n not in graph.graph:
            continue
        for t in graph.layer(n).inputs:
            c = graph.constants.get(t) if t else None
            if c is None:
                continue
            c = np.asarray(c)
            if c.dtype.kind == "f" and not np.all(np.isfinite(c)):
                return f"tensor '{t}' has {_describe(c[~np.isfinite(c)])}"
    return None


def validate_network(net, graph=None, path=None) -> None:
    """Refuse a lowered network with a non-finite parameter.

    Parameters
    ----------
    net : Network
        The lowered network.
    graph : LayerGraph, optional
        The parsed model it came from: the error then names the model tensor holding the bad
        values.
    path : str, optional
        The file named in the error (default: ``graph.path``).

    Raises
    ------
    ModelError
        Naming the file, the ONNX node(s) of the stage, the tensor and the reason.
    """
    path = path if path is not None else (graph.path if graph is not None else net.name)
    for i, stage in enumerate(net.stages):
        for name, v in _arrays(stage):
            bad = _bad_mask(name, v)
            if not bad.any():
                continue
            nodes = tuple(stage.source.nodes)
            ops = tuple(dict.fromkeys(stage.source.ops))
            what = f"the lowered {FIELD_NAMES.get(name, name)} of stage {i} hold non-finite values"
            culprit = _culprit(graph, nodes)
            reason = (f"{culprit} ({what})" if culprit else
                      f"{what}: {_describe(v[bad])} (an overflow of fused parameters?)")
            raise ModelError(path, reason, ", ".join(nodes) or None, ", ".join(ops) or None)
