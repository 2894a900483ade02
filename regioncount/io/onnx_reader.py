"""Read an ONNX model into a :class:`LayerGraph` (parsing only; lowering is elsewhere).

The reader loads the file (refusing external data outside the model's folder), runs shape
inference, gives every node a stable unique name, normalises each node's attributes across
opsets 7 to 21 through one small reader per op (the explicit registry :data:`READERS`), and
builds a networkx DiGraph of layers keyed by name with one edge per producer -> consumer
tensor.

Examples
--------
>>> import numpy as np
>>> from regioncount.io.export import mlp_to_onnx
>>> g = read_onnx(mlp_to_onnx([(np.eye(2), np.zeros(2))]))
>>> [(l.name, l.op) for l in g.layers()]
[('gemm0', 'Gemm'), ('relu0', 'Relu')]
>>> g.inputs[0].shape
('N', 2)
"""

from __future__ import annotations

import functools
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Callable, Mapping

import networkx as nx
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from ..errors import ModelError

log = logging.getLogger(__name__)

#: Opsets of the default ONNX domain that the readers normalise.
MIN_OPSET, MAX_OPSET = 7, 21

FLOAT_TYPES = (TensorProto.FLOAT, TensorProto.DOUBLE, TensorProto.FLOAT16, TensorProto.BFLOAT16)


@dataclass(frozen=True)
class TensorInfo:
    """Name, shape (ints, str for symbolic dims, None for unknown) and ONNX element type."""

    name: str
    shape: tuple | None
    dtype: int = 0


@dataclass(frozen=True)
class Layer:
    """One ONNX node with attributes normalised across opsets (see :data:`READERS`).

    ``inputs`` and ``outputs`` are the ONNX tensor names as written (``''`` marks an omitted
    optional input). Parameters that moved from attributes to inputs across opsets (Clip
    min/max, Squeeze/Unsqueeze/Reduce axes, Pad pads/value, Slice starts/ends...) appear in
    ``attrs`` under one name whenever their value is known at parse time (an attribute, an
    initializer or a Constant); otherwise ``attrs[name + '_input']`` names the tensor.
    """

    name: str
    op: str
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    attrs: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class LayerGraph:
    """A parsed ONNX model: layers in a DAG plus constants and tensor information."""

    path: str
    graph: nx.DiGraph
    inputs: tuple[TensorInfo, ...]
    outputs: tuple[TensorInfo, ...]
    constants: Mapping[str, np.ndarray]
    value_info: Mapping[str, TensorInfo]
    opset: int
    producer: str
    model: onnx.ModelProto
    #: The original NodeProto of every layer (by layer name), to re-run a node exactly.
    nodes: Mapping[str, onnx.NodeProto] = field(default_factory=dict)

    def layers(self) -> list[Layer]:
        """Layers in topological order (ties broken by the order in the ONNX file)."""
        order = self.graph.graph.get("order", {})
        names = nx.lexicographical_topological_sort(self.graph, key=lambda n: order.get(n, 0))
        return [self.graph.nodes[n]["layer"] for n in names]

    def layer(self, name: str) -> Layer:
        return self.graph.nodes[name]["layer"]

    def producer_of(self, tensor: str) -> Layer | None:
        """The layer computing ``tensor`` (None for graph inputs and initializers)."""
        name = self.graph.graph.get("producers", {}).get(tensor)
        return None if name is None else self.layer(name)

    def consumers_of(self, tensor: str) -> list[Layer]:
        return [self.layer(n) for n in self.graph.graph.get("consumers", {}).get(tensor, ())]

    def tensor_info(self, name: str) -> TensorInfo | None:
        for t in self.inputs + self.outputs:
            if t.name == name:
                return t
        return self.value_info.get(name)


# -- loading -----------------------------------------------------------------------------

def _external_tensors(model: onnx.ModelProto):
    """Every TensorProto of the model that may carry external data."""
    def in_graph(g):
        yield from g.initializer
        for node in g.node:
            for a in node.attribute:
                if a.type == onnx.AttributeProto.TENSOR:
                    yield a.t
                elif a.type == onnx.AttributeProto.TENSORS:
                    yield from a.tensors
                elif a.type == onnx.AttributeProto.GRAPH:
                    yield from in_graph(a.g)
                elif a.type == onnx.AttributeProto.GRAPHS:
                    for sub in a.graphs:
                        yield from in_graph(sub)
    yield from in_graph(model.graph)


def _resolve_external(model: onnx.ModelProto, path: str | None) -> None:
    """Check that every external data file lies inside the model's folder, then load it."""
    tensors = [t for t in _external_tensors(model)
               if t.HasField("data_location") and t.data_location == TensorProto.EXTERNAL]
    if not tensors:
        return
    if path is None:
        raise ModelError(path, "the model uses external data but was not read from a file")
    base = os.path.realpath(os.path.dirname(os.path.abspath(path)))
    for t in tensors:
        info = {e.key: e.value for e in t.external_data}
        loc = info.get("location", "")
        target = os.path.realpath(os.path.join(base, loc))
        if not loc or os.path.commonpath([base, target]) != base:
            raise ModelError(path, f"tensor '{t.name}': external data location '{loc}' is "
                                   "outside the model's folder (refused)")
        if not os.path.isfile(target):
            raise ModelError(path, f"tensor '{t.name}': external data file '{loc}' not found")
    try:
        onnx.external_data_helper.load_external_data_for_model(model, base)
    except Exception as e:  # noqa: BLE001 - any failure is a bad model file
        raise ModelError(path, f"cannot read external data: {e}") from None


def load_onnx(path) -> onnx.ModelProto:
    """``onnx.load`` with external data checked and one-line errors.

    Raises
    ------
    ModelError
        Missing file, not an ONNX model (or truncated), external data outside the folder.
    """
    path = str(path)
    if not os.path.isfile(path):
        raise ModelError(path, "no such file")
    try:
        model = onnx.load(path, load_external_data=False)
    except Exception:  # noqa: BLE001 - protobuf raises several kinds of errors
        raise ModelError(path, "not a valid ONNX model (cannot parse the protobuf; "
                               "truncated or another format?)") from None
    if model.ir_version <= 0 or not model.HasField("graph") or (
            not model.graph.node and not model.graph.output):
        raise ModelError(path, "not a valid ONNX model (no graph)")
    _resolve_external(model, path)
    return model


# -- attribute readers ---------------------------------------------------------------------

class _Ctx:
    """What a reader may look at: the opset and the constants known at parse time."""

    def __init__(self, path, opset, constants):
        self.path, self.opset, self.constants = path, opset, constants

    def const(self, node, pos):
        """The constant value of input ``pos`` of ``node`` or None (absent or not constant)."""
        if pos >= len(node.input) or not node.input[pos]:
            return None
        return self.constants.get(node.input[pos])


def _decode(v):
    """An attribute value as readers hand it on: str for bytes, ndarray for a tensor, tuple
    for a list."""
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    if isinstance(v, TensorProto):
        return numpy_helper.to_array(v)
    if isinstance(v, list):
        return tuple(x.decode() if isinstance(x, bytes) else x for x in v)
    return v


def _raw_attrs(node) -> dict:
    return {a.name: _decode(helper.get_attribute_value(a)) for a in node.attribute}


@functools.lru_cache(maxsize=None)
def schema_defaults(op_type: str, opset: int, domain: str = "") -> Mapping[str, Any]:
    """The attribute defaults stated by the schema of ``op_type`` at ``opset``
    (``onnx.defs``), decoded like node attributes; empty when the op has no schema there.

    >>> schema_defaults("Softmax", 11)["axis"], schema_defaults("Softmax", 13)["axis"]
    (1, -1)
    >>> dict(schema_defaults("Gemm", 13)) == {"alpha": 1.0, "beta": 1.0, "transA": 0, "transB": 0}
    True
    """
    try:
        schema = onnx.defs.get_schema(op_type, opset, domain)
    except onnx.defs.SchemaError:
        return MappingProxyType({})
    return MappingProxyType({name: _decode(helper.get_attribute_value(a.default_value))
                             for name, a in schema.attributes.items()
                             if a.default_value.type != onnx.AttributeProto.UNDEFINED})


def _attrs(node, ctx) -> dict:
    """The node's attributes over the defaults of its schema at the model's opset."""
    return {**schema_defaults(node.op_type, ctx.opset), **_raw_attrs(node)}


def _lift(attrs: dict, ctx: _Ctx, node, pos: int, name: str, conv=None) -> None:
    """Put input ``pos`` (a parameter in newer opsets) into ``attrs[name]`` when constant,
    else record the tensor name in ``attrs[name + '_input']``."""
    if name in attrs or pos >= len(node.input) or not node.input[pos]:
        return
    v = ctx.const(node, pos)
    if v is None:
        attrs[name + "_input"] = node.input[pos]
    else:
        attrs[name] = conv(v) if conv else v


def _ints(v):
    return tuple(int(x) for x in np.asarray(v).ravel())


def _scalar(v) -> float:
    return float(np.asarray(v).reshape(()))


def _read_plain(node, ctx):
    return _attrs(node, ctx)


def _with_fallback(**values) -> Callable:
    """A reader that adds hand-typed ``values`` for attributes the op's schema does not state
    at the model's opset (older opsets without the attribute; each use says why)."""
    def reader(node, ctx):
        a = _attrs(node, ctx)
        for k, v in values.items():
            a.setdefault(k, v)
        return a
    return reader


#: float32's largest magnitude. Clip-6 to Clip-10 default ``min`` / ``max`` to -/+ this (their
#: schemas); no float32 value lies beyond it, so such a bound is read as infinite (no
#: hyperplane), whether it is the default or written in the model.
FLOAT32_MAX = float(np.finfo(np.float32).max)


def _read_clip(node, ctx):
    a = _attrs(node, ctx)  # opset < 11: min / max attributes, schema defaults -/+FLOAT32_MAX
    if ctx.opset >= 11:
        _lift(a, ctx, node, 1, "min", _scalar)
        _lift(a, ctx, node, 2, "max", _scalar)
    # opset >= 11: min / max are optional inputs without a schema default; absent = no bound
    if "min_input" not in a:
        lo = float(a.get("min", -np.inf))
        a["min"] = -np.inf if lo <= -FLOAT32_MAX else lo
    if "max_input" not in a:
        hi = float(a.get("max", np.inf))
        a["max"] = np.inf if hi >= FLOAT32_MAX else hi
    return a


def _read_axes_at(pos: int, since: int, **fallback):
    def reader(node, ctx):
        a = _attrs(node, ctx)
        if ctx.opset >= since:
            _lift(a, ctx, node, pos, "axes", _ints)
        if "axes" in a:
            a["axes"] = _ints(a["axes"])
        for k, v in fallback.items():
            a.setdefault(k, v)
        return a
    return reader


def _read_reduce(since: int):
    # keepdims: schema. noop_with_empty_axes has no attribute before opset ``since`` (13 for
    # ReduceSum, 18 for the others): empty axes then reduce every axis, which is 0.
    return _read_axes_at(1, since, noop_with_empty_axes=0)


def _spatial_defaults(a: dict, nd: int) -> None:
    """strides / pads / dilations have no schema default (it depends on the number of
    spatial axes): 1, 0 and 1 per axis as the operator documentation states."""
    if nd:
        a.setdefault("strides", (1,) * nd)
        a.setdefault("pads", (0,) * (2 * nd))
        a.setdefault("dilations", (1,) * nd)


def _read_pool(**fallback):
    """auto_pad, ceil_mode, count_include_pad, storage_order: schema; ``fallback`` for
    opsets without the attribute."""
    def reader(node, ctx):
        a = _attrs(node, ctx)
        _spatial_defaults(a, len(a.get("kernel_shape", ())))
        for k, v in fallback.items():
            a.setdefault(k, v)
        return a
    return reader


def _read_conv(node, ctx):
    a = _attrs(node, ctx)   # group, auto_pad: schema
    W = ctx.const(node, 1)
    if "kernel_shape" not in a and W is not None and W.ndim >= 3:
        a["kernel_shape"] = tuple(int(s) for s in W.shape[2:])
    _spatial_defaults(a, len(a.get("kernel_shape", ())))
    return a


def _read_pad(node, ctx):
    a = _attrs(node, ctx)   # mode; value up to opset 10: schema
    if "paddings" in a:  # opset 1
        a["pads"] = a.pop("paddings")
    if ctx.opset >= 11:
        _lift(a, ctx, node, 1, "pads", _ints)
        _lift(a, ctx, node, 2, "value", _scalar)
        if ctx.opset >= 18:
            _lift(a, ctx, node, 3, "axes", _ints)
    if "pads" in a:
        a["pads"] = _ints(a["pads"])
    a.setdefault("value", 0.0)  # opset >= 11: an absent constant_value input pads with 0
    return a


def _read_slice(node, ctx):
    a = _attrs(node, ctx)
    if ctx.opset >= 10:
        for pos, name in ((1, "starts"), (2, "ends"), (3, "axes"), (4, "steps")):
            _lift(a, ctx, node, pos, name, _ints)
    return a


def _read_dropout(node, ctx):
    a = _attrs(node, ctx)   # ratio up to opset 11: schema
    if ctx.opset >= 12:
        _lift(a, ctx, node, 1, "ratio", _scalar)
        _lift(a, ctx, node, 2, "training_mode", lambda v: int(np.asarray(v).reshape(())))
    a.setdefault("ratio", 0.5)          # opset >= 12: an absent ratio input is 0.5
    a.setdefault("training_mode", 0)    # absent input, or no such parameter before 12
    return a


def _read_split(node, ctx):
    a = _attrs(node, ctx)   # axis: schema
    if ctx.opset >= 13:
        _lift(a, ctx, node, 1, "split", _ints)
    return a


def _read_constant(node, ctx):
    return {"value": _constant_value(node, ctx.path)}


def _read_reshape(node, ctx):
    a = _attrs(node, ctx)
    a.setdefault("allowzero", 0)   # no attribute before opset 14: a 0 copies the input's dim
    _lift(a, ctx, node, 1, "shape", _ints)
    return a


def _constant_value(node, path) -> np.ndarray:
    for a in node.attribute:
        if a.name == "value":
            return numpy_helper.to_array(a.t)
        if a.name == "sparse_value":
            from onnx.reference import ReferenceEvaluator
            return ReferenceEvaluator(helper.make_graph(
                [node], "c", [], [helper.make_tensor_value_info(node.output[0], 0, None)]
            )).run(None, {})[0]
        if a.name in ("value_float", "value_int", "value_string"):
            return np.asarray(helper.get_attribute_value(a),
                              dtype={"value_float": np.float32, "value_int": np.int64}.get(a.name, object))
        if a.name in ("value_floats", "value_ints", "value_strings"):
            return np.asarray(helper.get_attribute_value(a),
                              dtype={"value_floats": np.float32, "value_ints": np.int64}.get(a.name, object))
    raise ModelError(path, "Constant without a value", node.name, "Constant")


#: One reader per supported op type (default ONNX domain). A reader returns the node's
#: attributes over the defaults of the op's schema at the model's opset (:func:`schema_defaults`),
#: with opset differences removed; the few values typed here are for attributes the schema does
#: not state (said where). Ops not listed here are refused with "unsupported op".
READERS: dict[str, Callable] = {
    # affine
    "Gemm": _read_plain, "MatMul": _read_plain, "Add": _read_plain, "Sub": _read_plain,
    "Mul": _read_plain, "Div": _read_plain, "Neg": _read_plain, "Sum": _read_plain,
    "Mean": _read_plain, "Conv": _read_conv,
    # training_mode: no attribute before opset 14 (inference); spatial (opsets 7-8): schema
    "BatchNormalization": _with_fallback(training_mode=0),
    # count_include_pad: no attribute before opset 7; ceil_mode: none before 10 (floor)
    "AveragePool": _read_pool(count_include_pad=0, ceil_mode=0),
    "GlobalAveragePool": _read_plain,
    "ReduceMean": _read_reduce(18), "ReduceSum": _read_reduce(13),
    # piecewise linear
    "Relu": _read_plain, "LeakyRelu": _read_plain, "PRelu": _read_plain,
    "HardSigmoid": _read_plain, "Clip": _read_clip, "Max": _read_plain, "Min": _read_plain,
    "ReduceMax": _read_reduce(18),
    "ReduceMin": _read_reduce(18), "MaxPool": _read_pool(ceil_mode=0),
    "GlobalMaxPool": _read_plain,
    # data movement
    "Flatten": _read_plain, "Reshape": _read_reshape, "Transpose": _read_plain,
    "Squeeze": _read_axes_at(1, 13), "Unsqueeze": _read_axes_at(1, 13),
    "Concat": _read_plain, "Pad": _read_pad, "Identity": _read_plain, "Dropout": _read_dropout,
    "Cast": _read_plain, "Slice": _read_slice, "Gather": _read_plain,
    "Expand": _read_plain, "Tile": _read_plain, "Split": _read_split,
    # mode: no attribute before opset 11, when DCR was the only order
    "DepthToSpace": _with_fallback(mode="DCR"), "SpaceToDepth": _read_plain,
    # constants and shape arithmetic (folded); Shape's start: no attribute before opset 15
    "Constant": _read_constant, "Shape": _with_fallback(start=0), "Size": _read_plain,
    "ConstantOfShape": _read_plain, "Range": _read_plain, "Equal": _read_plain,
    "Where": _read_plain, "Less": _read_plain, "Greater": _read_plain, "Not": _read_plain,
    "Floor": _read_plain, "Ceil": _read_plain, "Sqrt": _read_plain, "Abs": _read_plain,
    "Reciprocal": _read_plain, "Pow": _read_plain, "ReduceProd": _read_reduce(18),
    # trailing squashing functions (stripped by the lowering when last); axis: schema
    "Softmax": _read_plain, "LogSoftmax": _read_plain, "Sigmoid": _read_plain,
}


# -- graph ------------------------------------------------------------------------------

def _tensor_info(vi: onnx.ValueInfoProto) -> TensorInfo:
    t = vi.type.tensor_type
    shape = None
    if t.HasField("shape"):
        shape = tuple(int(d.dim_value) if d.HasField("dim_value")
                      else (d.dim_param if d.HasField("dim_param") else None) for d in t.shape.dim)
    return TensorInfo(vi.name, shape, int(t.elem_type))


def _opset(model: onnx.ModelProto) -> int:
    for o in model.opset_import:
        if o.domain in ("", "ai.onnx"):
            return int(o.version)
    return 1 if model.ir_version < 3 else MIN_OPSET


def read_onnx(model, path=None) -> LayerGraph:
    """Parse an ONNX model (a ModelProto or a file path) into a :class:`LayerGraph`.

    Parameters
    ----------
    model : onnx.ModelProto or str or Path
    path : str, optional
        The file the model came from (error messages, external data folder).

    Raises
    ------
    ModelError
        Unreadable file, unsupported op or opset, graph cycle, dangling tensor.
    """
    if isinstance(model, (str, Path)):
        path = str(model)
        model = load_onnx(path)
    else:
        _resolve_external(model, path)
    where = path if path is not None else (model.graph.name or "<model>")
    opset = _opset(model)
    if not MIN_OPSET <= opset <= MAX_OPSET:
        log.warning("%s: opset %d is outside the tested range %d-%d", where, opset, MIN_OPSET,
                    MAX_OPSET)
    g = model.graph
    constants = _initializers(g, where)
    value_info = _infer_shapes(model, where)
    inputs = tuple(_tensor_info(vi) for vi in g.input if vi.name not in constants)
    outputs = tuple(value_info.get(vi.name) if _tensor_info(vi).shape is None and vi.name in value_info
                    else _tensor_info(vi) for vi in g.output)
    names = _unique_names(g.node)
    known = set(constants) | {t.name for t in inputs}
    G, producers, protos = _add_layers(names, g.node, _Ctx(where, opset, constants), known)
    consumers = _add_edges(G, names, g.node, producers, known, where)
    for t in g.output:
        if t.name not in producers and t.name not in known:
            raise ModelError(where, f"graph output '{t.name}' is never produced")
    _check_acyclic(G, where)
    G.graph.update(order={n: i for i, n in enumerate(names)}, producers=producers,
                   consumers=consumers)
    return LayerGraph(path=where, graph=G, inputs=inputs, outputs=outputs,
                      constants=MappingProxyType(constants),
                      value_info=MappingProxyType(value_info), opset=opset,
                      producer=" ".join(x for x in (model.producer_name, model.producer_version) if x),
                      model=model, nodes=MappingProxyType(protos))


def _initializers(g: onnx.GraphProto, where: str) -> dict[str, np.ndarray]:
    constants: dict[str, np.ndarray] = {}
    for t in g.initializer:
        if t.name in constants:  # ONNX forbids it, and which value wins would be a guess
            raise ModelError(where, f"initializer '{t.name}' is defined twice (ONNX requires "
                                    "unique tensor names)")
        try:
            constants[t.name] = numpy_helper.to_array(t)
        except Exception as e:  # noqa: BLE001
            raise ModelError(where, f"initializer '{t.name}' cannot be read: {e}") from None
    for t in g.sparse_initializer:
        raise ModelError(where, f"sparse initializer '{t.values.name}' is not supported")
    return constants


#: Integer attributes that shape inference divides by: onnx before 1.18 dies of SIGFPE on a
#: zero there instead of raising, so such a model skips inference (the lowering names it).
_DIVISORS = ("strides", "dilations", "group")


def _divides_by_zero(model: onnx.ModelProto) -> bool:
    for node in model.graph.node:
        for a in node.attribute:
            if a.name in _DIVISORS and (any(v <= 0 for v in a.ints)
                                        or (a.type == onnx.AttributeProto.INT and a.i <= 0)):
                return True
    return False


def _infer_shapes(model: onnx.ModelProto, where: str) -> dict[str, TensorInfo]:
    """Shape inference, best effort: a failure leaves shapes to the lowering."""
    value_info: dict[str, TensorInfo] = {}
    if _divides_by_zero(model):
        log.info("%s: a zero stride, dilation or group: no shape inference", where)
        return value_info
    try:
        inferred = onnx.shape_inference.infer_shapes(model, strict_mode=False)
        for vi in list(inferred.graph.value_info) + list(inferred.graph.output):
            value_info[vi.name] = _tensor_info(vi)
    except Exception as e:  # noqa: BLE001
        log.info("%s: shape inference failed (%s); continuing without it", where, e)
    return value_info


def _unique_names(nodes) -> list[str]:
    """A stable unique name per node: its own, else ``{op}_{index}``; repeats get ``_1``..."""
    names, seen = [], set()
    for i, node in enumerate(nodes):
        base = node.name or f"{node.op_type}_{i}"
        name, k = base, 1
        while name in seen:
            name, k = f"{base}_{k}", k + 1
        seen.add(name)
        names.append(name)
    return names


def _add_layers(names, nodes, ctx: _Ctx, known: set) -> tuple[nx.DiGraph, dict, dict]:
    """One graph node per ONNX node (its :class:`Layer`), the producer of every tensor and
    the NodeProto of every layer; Constant nodes' values join ``ctx.constants``."""
    G = nx.DiGraph()
    producers: dict[str, str] = {}
    protos: dict[str, onnx.NodeProto] = {}
    for name, node in zip(names, nodes):
        if node.domain not in ("", "ai.onnx"):
            raise ModelError(ctx.path, f"unsupported op '{node.domain}.{node.op_type}' (custom "
                                       "domain)", name, node.op_type)
        reader = READERS.get(node.op_type)
        if reader is None:
            raise ModelError(ctx.path, f"unsupported op '{node.op_type}'", name, node.op_type)
        for t in node.output:
            if t and (t in producers or t in known):
                raise ModelError(ctx.path, f"tensor '{t}' is produced twice", name, node.op_type)
            if t:
                producers[t] = name
        _check_attribute_types(node, name, ctx)
        try:
            attrs = reader(node, ctx)
        except (ValueError, TypeError, IndexError, KeyError) as e:
            msg = " ".join(str(e).split()) or type(e).__name__
            raise ModelError(ctx.path, f"cannot read its attributes or constant inputs ({msg})",
                             name, node.op_type) from None
        _check_attributes(node, name, attrs, ctx.path)
        if node.op_type == "Constant":
            ctx.constants[node.output[0]] = attrs["value"]
        G.add_node(name, layer=Layer(name, node.op_type, tuple(node.input), tuple(node.output),
                                     attrs))
        protos[name] = node
    return G, producers, protos


#: Float attributes that may be infinite: Clip's bounds (``-inf`` / ``+inf``: no bound) and
#: Constant values (checked where they become parameters, by the lowering). NaN is refused
#: everywhere, and every other float attribute must be finite (a NaN Gemm ``alpha`` or
#: LeakyRelu ``alpha`` would otherwise give a network that computes NaN and a meaningless count).
INFINITE_OK = frozenset({("Clip", "min"), ("Clip", "max"), ("Constant", "value_float"),
                         ("Constant", "value_floats")})

#: Ops with a sliding window; their spatial attributes are checked at parse time
#: (:func:`check_window`): the weight-dependent checks of Conv are the lowering's.
WINDOW_OPS = ("Conv", "AveragePool", "MaxPool")


def _check_attribute_types(node, name: str, ctx: _Ctx) -> None:
    """Refuse an attribute that the op's schema at the model's opset does not have (onnxruntime
    and the ONNX checker refuse it too), or whose type is not the one it states (an ``int``
    kernel_shape, a list ``alpha``...)."""
    try:
        schema = onnx.defs.get_schema(node.op_type, max(ctx.opset, 1), "")
    except onnx.defs.SchemaError:
        return
    for a in node.attribute:
        spec = schema.attributes.get(a.name)
        if spec is None:
            raise ModelError(ctx.path, f"attribute '{a.name}' is not an attribute of "
                             f"{node.op_type} at opset {ctx.opset}", name, node.op_type)
        if a.type != spec.type:
            raise ModelError(ctx.path, f"attribute '{a.name}' has type "
                             f"{onnx.AttributeProto.AttributeType.Name(a.type)}, expected "
                             f"{onnx.AttributeProto.AttributeType.Name(spec.type)}",
                             name, node.op_type)


def _check_attributes(node, name: str, attrs: Mapping, where: str) -> None:
    """Refuse non-finite float attributes and inconsistent window attributes (one line naming
    the node and the attribute)."""
    for a in node.attribute:
        if a.type == onnx.AttributeProto.FLOAT:
            values = [a.f]
        elif a.type == onnx.AttributeProto.FLOATS:
            values = list(a.floats)
        else:
            continue
        for v in values:
            if np.isnan(v) or (np.isinf(v) and (node.op_type, a.name) not in INFINITE_OK):
                raise ModelError(where, f"attribute '{a.name}' is {v} (not a finite number)",
                                 name, node.op_type)
    if node.op_type in WINDOW_OPS:
        check_window(attrs, where, name, node.op_type)


def check_window(attrs: Mapping, where: str, name: str, op: str) -> None:
    """kernel_shape, strides, dilations, pads (and Conv's group) of a window op: present where
    the op needs them, one entry per spatial axis (two for pads), kernel, strides and
    dilations >= 1, pads >= 0 (a stride of 0 would divide by zero)."""
    def bad(msg):
        return ModelError(where, msg, name, op)

    for key in ("kernel_shape", "strides", "dilations", "pads"):
        v = attrs.get(key)
        if v is not None and not (isinstance(v, (tuple, list)) and all(
                isinstance(x, (int, np.integer)) for x in v)):
            raise bad(f"attribute '{key}' is {v!r}, expected a list of integers")
    kernel = attrs.get("kernel_shape")
    if op == "Conv" and int(attrs.get("group", 1)) < 1:
        raise bad(f"attribute 'group' is {attrs.get('group')}, expected >= 1")
    if kernel is None:
        if op != "Conv":            # a Conv takes it from its weight (checked by the lowering)
            raise bad("attribute 'kernel_shape' is missing (required)")
        return
    kernel = tuple(int(k) for k in kernel)
    nd = len(kernel)
    if nd == 0 or min(kernel) < 1:
        raise bad(f"attribute 'kernel_shape' is {kernel}, expected positive entries")
    for key, n, least in (("strides", nd, 1), ("dilations", nd, 1), ("pads", 2 * nd, 0)):
        v = tuple(int(x) for x in attrs.get(key, ()))
        if len(v) != n:
            raise bad(f"attribute '{key}' has {len(v)} entries, expected {n} for "
                      f"{nd} spatial axes")
        if v and min(v) < least:
            raise bad(f"attribute '{key}' is {v}, expected entries >= {least}")


def _add_edges(G: nx.DiGraph, names, nodes, producers, known, where) -> dict[str, list[str]]:
    """One edge per producer -> consumer (all the tensors it carries); the consumers of every
    tensor."""
    consumers: dict[str, list[str]] = {}
    for name, node in zip(names, nodes):
        for t in node.input:
            if not t:
                continue
            consumers.setdefault(t, []).append(name)
            if t in producers:
                src = producers[t]
                if G.has_edge(src, name):
                    G.edges[src, name]["tensors"] += (t,)
                else:
                    G.add_edge(src, name, tensor=t, tensors=(t,))
            elif t not in known:
                raise ModelError(where, f"input tensor '{t}' is never produced", name, node.op_type)
    return consumers


def _check_acyclic(G: nx.DiGraph, where: str) -> None:
    if not nx.is_directed_acyclic_graph(G):
        cycle = nx.find_cycle(G)
        n0 = cycle[0][0]
        raise ModelError(where, "the graph has a cycle: " + " -> ".join(u for u, _ in cycle)
                         + f" -> {n0}", n0, G.nodes[n0]["layer"].op)


def read_model(path) -> LayerGraph:
    """Read a model file: ``.onnx`` directly, ``.nnet`` through its ONNX translation."""
    path = str(path)
    if path.lower().endswith(".nnet"):
        if not os.path.isfile(path):
            raise ModelError(path, "no such file")
        from .nnet import nnet_to_onnx  # written separately; imported lazily
        return read_onnx(nnet_to_onnx(path), path=path)
    return read_onnx(path)
