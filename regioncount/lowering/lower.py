"""Lower a :class:`~regioncount.io.LayerGraph` to the canonical :class:`~regioncount.network.Network`.

Layers are walked in topological order keeping, for every ONNX tensor, either a constant
ndarray or a :class:`~regioncount.lowering.linear.LinearValue` (an affine expression of earlier
stages). Linear ops transform LinearValues (so consecutive affine ops fuse); data movement
ops gather rows through the index trick (the op applied to ``arange(size)``); nodes whose
inputs are all constant are folded with ``onnx.reference``; PWL ops materialise their input as
an Affine stage (when it is not already a stage) and append a PWL stage. See docs/lowering.md.

Examples
--------
>>> import numpy as np
>>> from regioncount.io import read_onnx
>>> from regioncount.io.export import mlp_to_onnx
>>> net = lower(read_onnx(mlp_to_onnx([(np.eye(2), np.zeros(2))], final=(np.ones((1, 2)), [0.5]))))
>>> [s.kind for s in net.stages], net.input_shape, net.output_shape
(['input', 'affine', 'relu', 'affine'], (2,), (1,))
>>> float(net.evaluate(np.array([1.0, -3.0]))[0])
1.5
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Callable

import numpy as np
import scipy.sparse as sp
from onnx import TensorProto, helper
from onnx import defs as onnx_defs

from ..errors import ModelError, ResourceError
from ..io.onnx_reader import FLOAT_TYPES, Layer, LayerGraph, check_window, schema_defaults
from ..memory import check_memory
from ..network import (Affine, Clip, HardSigmoid, Input, LeakyRelu, MaxGroups, Network, Relu,
                       Source, Stage)
from . import linear as L
from .linear import LinearValue
from .validate import validate_network
from .windows import conv_matrix, pool_groups, pool_matrix, resolve_pads, windows

log = logging.getLogger(__name__)

#: Ops that end a classifier and are stripped (with a warning) when nothing but the graph
#: output follows them: they are monotone, so they change no region or decision.
SQUASHING = ("Softmax", "LogSoftmax", "Sigmoid")

#: Bytes per entry of a tensor the lowering holds (the estimate checked against the memory
#: limit before a layer runs): a flat value row costs its bias (8 bytes) and at least one
#: stored matrix entry (8 bytes of value, 4 to 8 of index) in each term.
BYTES_PER_ENTRY = 24

#: Bytes per stored entry of a sparse matrix while it is built (COO rows, columns and values
#: of 8 bytes each, a keep mask, then the CSR copy): the estimate of convolution, pooling
#: and MatMul matrices.
BYTES_PER_NONZERO = 40

#: Errors of numpy / scipy / onnx.reference inside a per-op lowering that mean an inconsistent
#: model (shapes that do not broadcast, an index out of range, ...): they become a ModelError
#: naming the node, never an internal error (``REGIONCOUNT_DEBUG=1`` lets them through).
MODEL_FAULTS = (ValueError, IndexError, ZeroDivisionError, OverflowError, KeyError, TypeError)


class _Lowering:
    def __init__(self, graph: LayerGraph):
        self.g = graph
        self.path = graph.path
        self.env: dict[str, object] = {}
        self.stages: list[Stage] = []
        self.materialised: dict[int, int] = {}  # id(LinearValue) -> stage
        self.keep: list[LinearValue] = []
        self.batch = False
        self.notes: list[str] = []

    # -- errors and values --------------------------------------------------------------
    def err(self, layer: Layer | None, reason: str) -> ModelError:
        if layer is None:
            return ModelError(self.path, reason)
        return ModelError(self.path, reason, layer.name, layer.op)

    def value(self, t: str):
        if t in self.env:
            return self.env[t]
        if t in self.g.constants:
            return self.g.constants[t]
        raise ModelError(self.path, f"tensor '{t}' has no value (not computed before use)")

    def nobatch(self, shape) -> tuple[int, ...]:
        shape = tuple(int(s) for s in shape)
        if self.batch and len(shape) >= 2 and shape[0] == 1:
            return shape[1:]
        return shape

    # -- stages -------------------------------------------------------------------------
    def _ops(self, nodes) -> tuple[str, ...]:
        return tuple(self.g.layer(n).op if n in self.g.graph else "?" for n in nodes)

    def materialise(self, v: LinearValue, force: bool = False) -> int:
        """Index of a stage whose output is ``v`` (appending an Affine stage if needed)."""
        if v.ident is not None and not force:
            return v.ident
        if id(v) in self.materialised and not force:
            return self.materialised[id(v)]
        n = v.size
        if v.terms:
            keys = tuple(sorted(v.terms))
            weights = tuple(L.tidy(v.terms[k]) for k in keys)
        else:
            keys, weights = (0,), (sp.csr_array((n, self.stages[0].size)),)
        src = Source(v.nodes, self._ops(v.nodes), self.nobatch(v.shape))
        self.stages.append(Affine(size=n, source=src, sources=keys, weights=weights,
                                  bias=np.asarray(v.bias, dtype=float).copy()))
        k = len(self.stages) - 1
        self.materialised[id(v)] = k
        self.keep.append(v)
        return k

    def extra_outputs_used(self, layer: Layer) -> bool:
        """True when an output after the first is read by a layer or is the graph output."""
        outs = {o.name for o in self.g.outputs}
        return any(t and (self.g.consumers_of(t) or t in outs) for t in layer.outputs[1:])

    def pwl(self, stage: Stage, shape) -> LinearValue:
        self.stages.append(stage)
        return L.identity_value(len(self.stages) - 1, shape)

    def src(self, layer: Layer, shape) -> Source:
        return Source((layer.name,), (layer.op,), self.nobatch(shape))

    # -- running ONNX nodes -------------------------------------------------------------
    def run_node(self, layer: Layer, feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
        """Run one node with onnx.reference on the given input values."""
        from onnx.reference import ReferenceEvaluator

        node = self.g.nodes[layer.name]
        ins = []
        for t, v in feeds.items():
            v = np.asarray(v)
            ins.append(helper.make_tensor_value_info(
                t, helper.np_dtype_to_tensor_dtype(v.dtype), list(v.shape)))
        outs = [helper.make_tensor_value_info(t, TensorProto.UNDEFINED, None)
                for t in node.output if t]
        model = helper.make_model(helper.make_graph([node], "fold", ins, outs),
                                  opset_imports=[helper.make_opsetid("", self.g.opset)])
        try:
            res = ReferenceEvaluator(model).run(None, {t: np.asarray(v) for t, v in feeds.items()})
        except Exception as e:  # noqa: BLE001 - report the op's own complaint on one line
            raise self.err(layer, f"cannot evaluate: {type(e).__name__}: {e}") from None
        it = iter(res)
        return [next(it) if t else None for t in node.output]

    def fold(self, layer: Layer, vals) -> list:
        feeds = {t: v for t, v in zip(layer.inputs, vals) if t}
        return self.run_node(layer, feeds)

    # -- main ---------------------------------------------------------------------------
    def choose_output(self, output: str | None) -> tuple[str, list[str]]:
        names = [o.name for o in self.g.outputs]
        if output is None:
            if not names:
                raise self.err(None, "the graph has no outputs")
            out = names[0]
        else:
            out = output
            if out not in names and self.g.producer_of(out) is None:
                raise self.err(None, f"no output named '{out}' (graph outputs: {', '.join(names)})")
        notes = []
        prod = self.g.producer_of(out)
        while prod is not None and prod.op == "Identity":  # exporters add Identity outputs
            prod = self.g.producer_of(prod.inputs[0])
        if prod is not None and prod.op in SQUASHING and self._only_outputs_follow(prod.outputs[0]):
            logits = prod.inputs[0]
            msg = f"stripped trailing {prod.op} '{prod.name}' (output is its input '{logits}')"
            log.warning("%s: %s", self.path, msg)
            notes.append(msg)
            out = logits
        return out, notes

    def lower_layer(self, layer: Layer, vals: list) -> list:
        """The values of the outputs of ``layer``: folded when every input is constant, else
        by its lowerer. Sizes are checked first (the shapes shape inference gives its outputs),
        and a numpy failure on inconsistent shapes becomes a one-line error naming the node."""
        self.check_inputs(layer)
        self.check_output_sizes(layer)
        constant = all(v is None or isinstance(v, np.ndarray) for v in vals)
        fn = LOWERERS.get(layer.op)
        if not constant and fn is None:
            if layer.op in SQUASHING:
                raise self.err(layer, f"{layer.op} is not piecewise linear (only a trailing "
                                      "one, followed by nothing but the output, is stripped)")
            raise self.err(layer, f"op '{layer.op}' is not piecewise linear in its "
                                  "non-constant input")
        try:
            return self.fold(layer, vals) if constant else fn(self, layer, vals)
        except ResourceError as e:
            raise self.err(layer, str(e)) from None
        except MemoryError:
            raise self.err(layer, "out of memory while lowering this node (raise the memory "
                                  "available, or give a smaller model)") from None
        except MODEL_FAULTS as e:
            if os.environ.get("REGIONCOUNT_DEBUG"):     # a bug rather than a bad model?
                raise
            msg = " ".join(str(e).split()) or type(e).__name__
            raise self.err(layer, f"inconsistent shapes or attributes ({msg})") from None

    def check_inputs(self, layer: Layer) -> None:
        """Refuse a node with a number of inputs its op's schema does not allow."""
        try:
            schema = onnx_defs.get_schema(layer.op, max(self.g.opset, 1), "")
        except onnx_defs.SchemaError:
            return
        n = len(layer.inputs)
        if not schema.min_input <= n <= schema.max_input:
            takes = (f"{schema.min_input}" if schema.min_input == schema.max_input else
                     f"{schema.min_input} to {schema.max_input}")
            raise self.err(layer, f"has {n} inputs; {layer.op} at opset {self.g.opset} "
                                  f"takes {takes}")

    def check_output_sizes(self, layer: Layer) -> None:
        """Refuse a layer whose outputs, as shape inference declares them, exceed the memory
        limit (before anything is allocated for them)."""
        for t in layer.outputs:
            info = self.g.value_info.get(t) if t else None
            shape = info.shape if info is not None else None
            if not shape or not all(isinstance(d, int) and d >= 0 for d in shape):
                continue
            n = int(np.prod(shape, dtype=object))
            try:
                check_memory(n * BYTES_PER_ENTRY, f"output '{t}' of shape {shape} ({n:,} entries)")
            except ResourceError as e:
                raise self.err(layer, str(e)) from None

    def _only_outputs_follow(self, t: str) -> bool:
        """True when nothing but Identity nodes leading to graph outputs reads ``t``."""
        return all(c.op == "Identity" and self._only_outputs_follow(c.outputs[0])
                   for c in self.g.consumers_of(t))

    def run(self, output: str | None) -> Network:
        out, notes = self.choose_output(output)
        notes = self.notes = notes + self.notes
        prod = self.g.producer_of(out)
        import networkx as nx
        needed = set() if prod is None else nx.ancestors(self.g.graph, prod.name) | {prod.name}
        layers = [l for l in self.g.layers() if l.name in needed]
        used = {t for l in layers for t in l.inputs} | {out}
        real_inputs = [t for t in self.g.inputs if t.name in used]
        if not real_inputs:
            raise self.err(None, f"output '{out}' does not depend on any graph input")
        if len(real_inputs) > 1:
            raise self.err(None, "models with several inputs are not supported ("
                           + ", ".join(t.name for t in real_inputs) + ")")
        info = real_inputs[0]
        if info.dtype not in FLOAT_TYPES:
            raise self.err(None, f"input '{info.name}' is not a float tensor "
                                 f"(type {TensorProto.DataType.Name(info.dtype)})")
        shape = info.shape
        if shape is None or any(d is None for d in shape[1:]):
            raise self.err(None, f"input '{info.name}' has an unknown shape {shape}")
        if any(isinstance(d, str) for d in shape[1:]):
            raise self.err(None, f"input '{info.name}' has a symbolic non-batch dimension {shape}")
        full = tuple(shape)
        if len(full) >= 1 and (full[0] is None or isinstance(full[0], str)):
            # a symbolic or unnamed dynamic leading dimension (skl2onnx writes None) is the batch
            self.batch, full = True, (1,) + tuple(full[1:])
        elif len(full) >= 2 and full[0] == 1:
            self.batch = True
        full = tuple(int(d) for d in full)
        if any(d < 1 for d in full):
            raise self.err(None, f"input '{info.name}' has a dimension < 1 in its shape {shape}")
        in_shape = self.nobatch(full) if self.batch else full
        n0 = int(np.prod(full, dtype=object))
        try:
            check_memory(n0 * BYTES_PER_ENTRY, f"input '{info.name}' of shape {shape} "
                                               f"({n0:,} entries)")
        except ResourceError as e:
            raise self.err(None, str(e)) from None
        self.stages.append(Input(size=n0, source=Source((info.name,), ("input",), in_shape)))
        self.env[info.name] = L.identity_value(0, full)

        for layer in layers:
            if layer.op == "Constant":
                continue
            try:
                vals = [self.value(t) if t else None for t in layer.inputs]
            except ModelError as e:
                raise self.err(layer, e.reason) from None
            results = self.lower_layer(layer, vals)
            for t, r in zip(layer.outputs, results):
                if t and r is not None:
                    self.env[t] = r

        v = self.value(out)
        if isinstance(v, np.ndarray):
            v = L.constant_value(v)
            log.warning("%s: output '%s' does not depend on the input", self.path, out)
        last = len(self.stages) - 1
        if v.ident is None or v.ident != last or last == 0:
            self.materialise(v, force=v.ident is not None)
        out_shape = self.nobatch(v.shape) if self.batch else v.shape
        return Network(self.stages, input_shape=in_shape, output_shape=out_shape,
                       name=Path(self.path).name, notes=notes, input_name=info.name,
                       output_name=out)


def lower(graph: LayerGraph, output: str | None = None) -> Network:
    """Lower a parsed model to the canonical network, exactly.

    Parameters
    ----------
    graph : LayerGraph
        From :func:`regioncount.io.read_onnx` / :func:`~regioncount.io.read_model`.
    output : str, optional
        Graph output (or any tensor) to analyse; default the first graph output. A trailing
        Softmax / LogSoftmax / Sigmoid in front of it is stripped (warning and a note).

    Returns
    -------
    Network
        ``input_shape`` / ``output_shape`` without the batch dimension, ``output_name`` the
        ONNX tensor the output stage computes.

    Raises
    ------
    ModelError
        An op that is not piecewise linear in its input, a product of two variables, a
        non-constant parameter, several inputs, an unknown input shape, inconsistent shapes
        or attributes, a size past the memory limit (:mod:`regioncount.memory`), a parameter
        that is not finite (:func:`~regioncount.lowering.validate.validate_network`).
    """
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        net = _Lowering(graph).run(output)   # non-finite results: refused just below
    validate_network(net, graph)
    return net


# ---------------------------------------------------------------------------------------
# per-op lowering (each returns one value per ONNX output)
# ---------------------------------------------------------------------------------------

def _f(v) -> np.ndarray:
    return np.asarray(v, dtype=float)


def _need_const(low, layer, v, what):
    if v is None:
        return None
    if isinstance(v, LinearValue):
        raise low.err(layer, f"{what} must be a constant, not a function of the input")
    return v


def _param(low, layer, vals, name, pos, default=None):
    """Normalised parameter: from attrs (reader), else the folded input, else default."""
    if name in layer.attrs:
        return layer.attrs[name]
    if pos < len(vals) and vals[pos] is not None:
        return _need_const(low, layer, vals[pos], f"input '{name}'")
    return default


def _attr(low, layer, name):
    """Attribute ``name``: as written, else the default of the op's schema at the model's
    opset (the reader fills those in, and the documented values of attributes an older opset
    lacks); a one-line error when there is neither."""
    if name in layer.attrs:
        return layer.attrs[name]
    default = schema_defaults(layer.op, low.g.opset).get(name)
    if default is None:
        raise low.err(layer, f"attribute '{name}' is missing and has no default at opset "
                             f"{low.g.opset}")
    return default


# -- data movement ----------------------------------------------------------------------

def _lower_alias(low, layer, vals):
    return [vals[0]] + [None] * (len(layer.outputs) - 1)


def _lower_dropout(low, layer, vals):
    if int(_attr(low, layer, "training_mode")):
        raise low.err(layer, "Dropout in training mode is random")
    v = vals[0]
    mask = np.ones(v.shape, dtype=bool)
    return [v, mask][: len(layer.outputs)]


def _lower_cast(low, layer, vals):
    if int(layer.attrs.get("to", 0)) not in FLOAT_TYPES:
        raise low.err(layer, "Cast of the input to a non-float type is not piecewise linear")
    return [vals[0]]


def _lower_gather_like(data_positions: Callable):
    """Data movement by the index trick: run the node on ``arange`` index tensors."""
    def fn(low, layer, vals):
        pos_data = data_positions(len(vals))
        feeds, pool, offset = {}, [], 0
        for i, (t, v) in enumerate(zip(layer.inputs, vals)):
            if not t:
                continue
            if i in pos_data:
                if t in feeds:
                    continue
                lv = v if isinstance(v, LinearValue) else L.constant_value(v)
                feeds[t] = (offset + np.arange(lv.size, dtype=np.int64)).reshape(lv.shape)
                pool.append(lv)
                offset += lv.size
            else:
                feeds[t] = _need_const(low, layer, v, f"input {i}")
        whole = pool[0] if len(pool) == 1 else L.vstack(pool)
        outs = low.run_node(layer, feeds)
        for o in outs:
            if o is not None:
                check_memory(np.size(o) * BYTES_PER_ENTRY,
                             f"an output of shape {np.shape(o)} ({np.size(o):,} entries)")
        return [None if o is None else L.take(whole, np.asarray(o), np.shape(o), layer.name)
                for o in outs]
    return fn


def _lower_pad(low, layer, vals):
    v = vals[0]
    pads = _param(low, layer, vals, "pads", 1)
    if pads is None:
        raise low.err(layer, "Pad without pads")
    pads = [int(p) for p in np.asarray(pads).ravel()]
    value = float(np.asarray(_param(low, layer, vals, "value", 2, 0.0)).reshape(()))
    r = len(v.shape)
    axes = _param(low, layer, vals, "axes", 3)
    axes = list(range(r)) if axes is None else [int(a) % r for a in np.asarray(axes).ravel()]
    k = len(axes)
    pb, pe = [0] * r, [0] * r
    for j, a in enumerate(axes):
        pb[a], pe[a] = pads[j], pads[k + j]
    mode = {"constant": "constant", "reflect": "reflect", "edge": "edge", "wrap": "wrap"}.get(
        str(_attr(low, layer, "mode")))
    if mode is None:
        raise low.err(layer, f"unsupported Pad mode '{_attr(low, layer, 'mode')}'")
    idx = np.arange(v.size, dtype=np.int64).reshape(v.shape)
    crop = tuple(slice(max(-b, 0), s - max(-e, 0)) for b, e, s in zip(pb, pe, v.shape))
    idx = idx[crop]
    width = [(max(b, 0), max(e, 0)) for b, e in zip(pb, pe)]
    if mode == "constant":
        idx = np.pad(idx, width, mode="constant", constant_values=v.size)
        whole = L.vstack([v, L.constant_value(np.array([value]))])
    else:
        idx = np.pad(idx, width, mode=mode)
        whole = v
    return [L.take(whole, idx, idx.shape, layer.name)]


def _lower_shape(low, layer, vals):
    shape = np.array(vals[0].shape, dtype=np.int64)
    start = int(_attr(low, layer, "start"))
    end = layer.attrs.get("end")
    return [shape[start:None if end is None else int(end)]]


def _lower_size(low, layer, vals):
    return [np.array(vals[0].size, dtype=np.int64)]


# -- linear -----------------------------------------------------------------------------

def _as_lv(v):
    return v if isinstance(v, LinearValue) else L.constant_value(v)


def _lower_addsub(sign_of: Callable):
    def fn(low, layer, vals):
        vals = [v for v in vals if v is not None]
        shape = tuple(int(s) for s in np.broadcast_shapes(*[np.shape(v) if isinstance(v, np.ndarray)
                                                           else v.shape for v in vals]))
        parts = [L.broadcast(_as_lv(v), shape) for v in vals]
        signs = [sign_of(i, len(vals)) for i in range(len(vals))]
        return [L.add(parts, shape, layer.name, signs)]
    return fn


def _lower_mean(low, layer, vals):
    (res,) = _lower_addsub(lambda i, n: 1.0)(low, layer, vals)
    return [L.scale_rows(res, 1.0 / len([v for v in vals if v is not None]), None, layer.name)]


def _lower_mul(low, layer, vals):
    a, b = vals
    if isinstance(a, LinearValue) and isinstance(b, LinearValue):
        raise low.err(layer, "product of two functions of the input is not piecewise linear")
    v, c = (a, b) if isinstance(a, LinearValue) else (b, a)
    if layer.op == "Div":
        if not isinstance(a, LinearValue):
            raise low.err(layer, "division by a function of the input is not piecewise linear")
        c = 1.0 / _f(c)
    shape = tuple(int(s) for s in np.broadcast_shapes(v.shape, np.shape(c)))
    v = L.broadcast(v, shape)
    return [L.scale_rows(v, np.broadcast_to(_f(c), shape).ravel(), None, layer.name)]


def _lower_neg(low, layer, vals):
    return [L.scale_rows(vals[0], -1.0, None, layer.name)]


def _transpose2d(v: LinearValue, node) -> LinearValue:
    g = np.arange(v.size).reshape(v.shape).T
    return L.take(v, g, g.shape, node)


def _matmul_var_const(v: LinearValue, W, node: str) -> LinearValue:
    """``v @ W`` (numpy matmul semantics) for a variable ``v`` and a constant ``W``."""
    W = _f(W)
    x1, w1 = len(v.shape) == 1, W.ndim == 1
    xs = (1,) + v.shape if x1 else v.shape
    W = W[:, None] if w1 else W
    batch = tuple(np.broadcast_shapes(xs[:-2], W.shape[:-2]))
    M, K = xs[-2:]
    N = W.shape[-1]
    if W.shape[-2] != K:
        raise ValueError(f"MatMul shapes {v.shape} and {W.shape} do not match")
    nb = int(np.prod(batch, dtype=np.int64))
    check_memory(int(np.prod(batch + (M, K, N), dtype=object)) * BYTES_PER_NONZERO,
                 f"the MatMul matrix ({nb:,} x {M:,} blocks of {K:,} x {N:,})")
    vb = L.broadcast(v.reshaped(xs), batch + (M, K))
    if W.ndim == 2:
        Mat = W.T if nb * M == 1 else sp.kron(sp.identity(nb * M), sp.csr_array(W.T), format="csr")
    else:
        Wb = np.broadcast_to(W, batch + (K, N)).reshape(nb, K, N)
        Mat = sp.block_diag([sp.kron(sp.identity(M), sp.csr_array(Wb[i].T)) for i in range(nb)],
                            format="csr")
    shape = batch + (M, N)
    if x1:
        shape = shape[:-2] + (N,)
    if w1:
        shape = shape[:-1]
    return L.apply_matrix(vb, Mat, None, shape, node)


def _matmul_const_var(A, v: LinearValue, node: str) -> LinearValue:
    """``A @ v`` for a constant ``A`` and a variable ``v``."""
    A = _f(A)
    a1, x1 = A.ndim == 1, len(v.shape) == 1
    A = A[None, :] if a1 else A
    xs = v.shape + (1,) if x1 else v.shape
    batch = tuple(np.broadcast_shapes(A.shape[:-2], xs[:-2]))
    M, K = A.shape[-2:]
    N = xs[-1]
    if xs[-2] != K:
        raise ValueError(f"MatMul shapes {A.shape} and {v.shape} do not match")
    nb = int(np.prod(batch, dtype=np.int64))
    check_memory(int(np.prod(batch + (M, K, N), dtype=object)) * BYTES_PER_NONZERO,
                 f"the MatMul matrix ({nb:,} x {N:,} blocks of {M:,} x {K:,})")
    vb = L.broadcast(v.reshaped(xs), batch + (K, N))
    Ab = np.broadcast_to(A, batch + (M, K)).reshape(nb, M, K)
    if N == 1 and nb == 1:
        Mat = Ab[0]
    else:
        Mat = sp.block_diag([sp.kron(sp.csr_array(Ab[i]), sp.identity(N)) for i in range(nb)],
                            format="csr")
    shape = batch + (M, N)
    if a1:
        shape = shape[:-2] + (N,)
    if x1:
        shape = shape[:-1]
    return L.apply_matrix(vb, Mat, None, shape, node)


def _lower_matmul(low, layer, vals):
    a, b = vals[0], vals[1]
    try:
        if isinstance(a, LinearValue) and isinstance(b, LinearValue):
            raise low.err(layer, "product of two functions of the input is not piecewise linear")
        if isinstance(a, LinearValue):
            return [_matmul_var_const(a, b, layer.name)]
        return [_matmul_const_var(a, b, layer.name)]
    except ValueError as e:
        raise low.err(layer, str(e)) from None


def _lower_gemm(low, layer, vals):
    a, b = vals[0], vals[1]
    c = vals[2] if len(vals) > 2 else None
    alpha, beta = float(_attr(low, layer, "alpha")), float(_attr(low, layer, "beta"))
    tA, tB = int(_attr(low, layer, "transA")), int(_attr(low, layer, "transB"))
    try:
        if isinstance(a, LinearValue) and isinstance(b, LinearValue):
            raise low.err(layer, "product of two functions of the input is not piecewise linear")
        for v in (a, b):
            if isinstance(v, LinearValue) and len(v.shape) != 2:
                raise low.err(layer, f"Gemm input of shape {v.shape} is not a matrix")
        if isinstance(a, LinearValue):
            av = _transpose2d(a, layer.name) if tA else a
            B = _f(b).T if tB else _f(b)
            y = _matmul_var_const(av, alpha * B, layer.name)
        else:
            bv = _transpose2d(b, layer.name) if tB else b
            A = _f(a).T if tA else _f(a)
            y = _matmul_const_var(alpha * A, bv, layer.name)
    except ValueError as e:
        raise low.err(layer, str(e)) from None
    if c is not None:
        cv = _as_lv(c)
        try:
            fits = tuple(np.broadcast_shapes(cv.shape, y.shape)) == tuple(y.shape)
        except ValueError:
            fits = False
        if not fits:
            raise low.err(layer, f"bias C of shape {cv.shape} does not broadcast to the "
                                 f"output shape {y.shape}")
        cb = L.broadcast(cv, y.shape)
        y = L.add([y, L.scale_rows(cb, beta, None, layer.name)], y.shape, layer.name)
    return [y]


def _window_attrs(low, layer, x_shape, kernel) -> tuple:
    """``(kernel, strides, dilations)`` of a window op on an input of ``x_shape``
    ``(N, C, *spatial)``, checked (:func:`~regioncount.io.onnx_reader.check_window`)."""
    if len(x_shape) < 3:
        raise low.err(layer, f"input of shape {tuple(x_shape)} has no spatial axes "
                             "(expected N x C x D1 x ...)")
    nd = len(x_shape) - 2
    at = dict(layer.attrs)
    at["kernel_shape"] = tuple(int(k) for k in kernel)
    for key, default in (("strides", 1), ("dilations", 1), ("pads", 0)):
        at.setdefault(key, (default,) * (2 * nd if key == "pads" else nd))
    check_window(at, low.path, layer.name, layer.op)
    if len(at["kernel_shape"]) != nd:
        raise low.err(layer, f"kernel_shape {at['kernel_shape']} does not fit the {nd} spatial "
                             f"axes of the input {tuple(x_shape)}")
    return at["kernel_shape"], tuple(at["strides"]), tuple(at["dilations"])


def _window_count(low, layer, in_sp, kernel, strides, dil, pb, pe, what: str, per: int) -> None:
    """Refuse a window op whose index arrays and matrix (``per`` stored entries per output
    position and kernel offset) exceed the memory limit, before building them."""
    P = 1
    for n, k, st, d, b, e in zip(in_sp, kernel, strides, dil, pb, pe):
        P *= max(0, (n + b + e - d * (k - 1) - 1) // st + 1)
    K = int(np.prod(kernel, dtype=object))
    check_memory(P * K * per * BYTES_PER_NONZERO,
                 f"{what} ({P:,} output positions x {K:,} kernel offsets x {per:,})")


def _lower_conv(low, layer, vals):
    x = vals[0]
    W = _need_const(low, layer, vals[1], "the weight")
    b = _need_const(low, layer, vals[2] if len(vals) > 2 else None, "the bias")
    W = _f(W)
    at = layer.attrs
    if W.ndim != len(x.shape):
        raise low.err(layer, f"weight of shape {W.shape} does not fit the input "
                             f"{tuple(x.shape)} (expected M x C/group x k1 x ...)")
    N, C = x.shape[0], x.shape[1]
    in_sp = x.shape[2:]
    if at.get("kernel_shape") and tuple(at["kernel_shape"]) != W.shape[2:]:
        raise low.err(layer, f"kernel_shape {tuple(at['kernel_shape'])} disagrees with the "
                             f"weight of shape {W.shape}")
    kernel, strides, dil = _window_attrs(low, layer, x.shape, W.shape[2:])
    group = int(_attr(low, layer, "group"))
    if C % group or W.shape[0] % group or W.shape[1] * group != C:
        raise low.err(layer, f"group {group} does not fit {C} input channels and weight {W.shape}")
    M = W.shape[0]
    if b is not None and np.shape(b) != (M,):
        raise low.err(layer, f"bias of shape {np.shape(b)} does not fit the {M} output "
                             f"channels (expected ({M},))")
    pb, pe = resolve_pads(_attr(low, layer, "auto_pad"), in_sp, kernel, strides, dil,
                          at.get("pads"))
    _window_count(low, layer, in_sp, kernel, strides, dil, pb, pe, "the convolution matrix",
                  N * M * W.shape[1])
    win = windows(in_sp, kernel, strides, pb, pe, dil)
    A = conv_matrix(W, (C,) + tuple(in_sp), win, group)
    if N > 1:
        A = sp.kron(sp.identity(N), A, format="csr")
    M, P = W.shape[0], int(np.prod(win.out_shape, dtype=np.int64))
    bias = np.tile(np.repeat(_f(b), P), N) if b is not None else None
    return [L.apply_matrix(x, A, bias, (N, M) + win.out_shape, layer.name)]


def _pool_setup(low, layer, x):
    at = layer.attrs
    in_sp = x.shape[2:]
    kernel, strides, dil = _window_attrs(low, layer, x.shape, at["kernel_shape"])
    pb, pe = resolve_pads(_attr(low, layer, "auto_pad"), in_sp, kernel, strides, dil, at.get("pads"))
    channels = x.shape[0] * x.shape[1]
    _window_count(low, layer, in_sp, kernel, strides, dil, pb, pe, "the pooling windows",
                  channels)
    win = windows(in_sp, kernel, strides, pb, pe, dil, bool(_attr(low, layer, "ceil_mode")))
    S = int(np.prod(in_sp, dtype=np.int64))
    return win, channels, S


def _lower_avgpool(low, layer, vals):
    x = vals[0]
    win, channels, S = _pool_setup(low, layer, x)
    A = pool_matrix(channels, S, win, bool(_attr(low, layer, "count_include_pad")))
    return [L.apply_matrix(x, A, None, x.shape[:2] + win.out_shape, layer.name)]


def _lower_maxpool(low, layer, vals):
    if low.extra_outputs_used(layer):
        raise low.err(layer, "the Indices output of MaxPool is not supported")
    x = vals[0]
    win, channels, S = _pool_setup(low, layer, x)
    indptr, indices = pool_groups(channels, S, win)
    if np.any(np.diff(indptr) == 0):
        raise low.err(layer, "a pooling window lies entirely in the padding")
    k = low.materialise(x)
    shape = x.shape[:2] + win.out_shape
    n = int(np.prod(shape, dtype=np.int64))
    return [low.pwl(MaxGroups(size=n, source=low.src(layer, shape), source_index=k,
                              indptr=indptr, indices=indices), shape)]


def _lower_bn(low, layer, vals):
    if int(_attr(low, layer, "training_mode")) or low.extra_outputs_used(layer):
        raise low.err(layer, "BatchNormalization in training mode is not supported")
    x = vals[0]
    scale, B, mean, var = (_f(_need_const(low, layer, v, "a parameter")) for v in vals[1:5])
    eps = float(_attr(low, layer, "epsilon"))
    a = scale / np.sqrt(var + eps)
    c = B - mean * a
    r = len(x.shape)
    if a.size == x.shape[1]:
        shp = (1, x.shape[1]) + (1,) * (r - 2)
    else:  # spatial=0 (opsets 7-8): per activation
        shp = (1,) + tuple(x.shape[1:])
    a = np.broadcast_to(a.reshape(shp), x.shape).ravel()
    c = np.broadcast_to(c.reshape(shp), x.shape).ravel()
    return [L.scale_rows(x, a, c, layer.name)]


def _reduce_axes(low, layer, vals, shape):
    r = len(shape)
    axes = _param(low, layer, vals, "axes", 1)
    if axes is None or len(np.asarray(axes).ravel()) == 0:
        if int(_attr(low, layer, "noop_with_empty_axes")):
            return None
        return tuple(range(r))
    return tuple(sorted({int(a) % r for a in np.asarray(axes).ravel()}))


def _groups(shape, axes, keepdims: bool):
    """Flat index groups (G, k) of a reduction over ``axes`` and the output shape."""
    a = np.arange(int(np.prod(shape, dtype=np.int64))).reshape(shape)
    moved = np.moveaxis(a, axes, range(-len(axes), 0))
    k = int(np.prod([shape[i] for i in axes], dtype=np.int64))
    groups = moved.reshape(-1, k)
    if keepdims:
        out = tuple(1 if i in axes else s for i, s in enumerate(shape))
    else:
        out = tuple(s for i, s in enumerate(shape) if i not in axes)
    return groups, out


def _reduce_groups(low, layer, vals):
    """``(groups (G, k) of flat indices, output shape)`` of a Reduce*/Global* node, or None
    when it reduces over no axis (then it is the identity)."""
    x = vals[0]
    if layer.op.startswith("Global"):
        axes, keep = tuple(range(2, len(x.shape))), True
    else:
        axes, keep = _reduce_axes(low, layer, vals, x.shape), bool(_attr(low, layer, "keepdims"))
        if axes is None:
            return None
    return _groups(x.shape, axes, keep)


def _lower_reduce_linear(low, layer, vals):
    x = vals[0]
    red = _reduce_groups(low, layer, vals)
    if red is None:
        return [x]
    groups, out = red
    G, k = groups.shape
    w = 1.0 / k if layer.op in ("ReduceMean", "GlobalAveragePool") else 1.0
    A = sp.csr_array((np.full(G * k, w), (np.repeat(np.arange(G), k), groups.ravel())),
                     shape=(G, x.size))
    return [L.apply_matrix(x, A, None, out, layer.name)]


def _max_stage(low, layer, v: LinearValue, indptr, indices, shape, negate: bool) -> LinearValue:
    """max (or min when ``negate``) over index groups of ``v``."""
    if negate:
        v = L.scale_rows(v, -1.0, None, layer.name)
    k = low.materialise(v)
    n = int(indptr.size - 1)
    res = low.pwl(MaxGroups(size=n, source=low.src(layer, shape), source_index=k,
                            indptr=np.asarray(indptr, np.int64),
                            indices=np.asarray(indices, np.int64)), shape)
    return L.scale_rows(res, -1.0, None, layer.name) if negate else res


def _lower_reduce_max(low, layer, vals):
    x = vals[0]
    red = _reduce_groups(low, layer, vals)
    if red is None:
        return [x]
    groups, out = red
    G, k = groups.shape
    indptr = np.arange(0, G * k + 1, k)
    return [_max_stage(low, layer, x, indptr, groups.ravel(), out,
                       negate=layer.op == "ReduceMin")]


def _lower_maxmin(low, layer, vals):
    vals = [v for v in vals if v is not None]
    is_min = layer.op == "Min"
    shape = tuple(int(s) for s in np.broadcast_shapes(
        *[v.shape if isinstance(v, LinearValue) else np.shape(v) for v in vals]))
    var = [v for v in vals if isinstance(v, LinearValue)]
    consts = [_f(v) for v in vals if not isinstance(v, LinearValue)]
    if len(var) == 1:
        x = L.broadcast(var[0], shape)
        if not consts:
            return [x]
        c = np.broadcast_to((np.minimum if is_min else np.maximum).reduce(
            [np.broadcast_to(c, shape) for c in consts]), shape).ravel()
        k = low.materialise(x)
        if not is_min and np.all(c == 0):
            return [low.pwl(Relu(size=x.size, source=low.src(layer, shape), source_index=k), shape)]
        lo = np.full(x.size, -np.inf) if is_min else c.astype(float)
        hi = c.astype(float) if is_min else np.full(x.size, np.inf)
        return [low.pwl(Clip(size=x.size, source=low.src(layer, shape), source_index=k,
                             lo=lo, hi=hi), shape)]
    parts = [L.broadcast(_as_lv(v), shape) for v in vals]
    n, m = int(np.prod(shape, dtype=np.int64)), len(parts)
    whole = L.vstack(parts)
    indices = np.arange(n * m).reshape(m, n).T.ravel()
    indptr = np.arange(0, n * m + 1, m)
    return [_max_stage(low, layer, whole, indptr, indices, shape, negate=is_min)]


def _lower_abs(low, layer, vals):
    x = vals[0]
    n = x.size
    whole = L.vstack([x, L.scale_rows(x, -1.0, None, layer.name)])
    indices = np.arange(2 * n).reshape(2, n).T.ravel()
    return [_max_stage(low, layer, whole, np.arange(0, 2 * n + 1, 2), indices, x.shape, False)]


# -- elementwise PWL --------------------------------------------------------------------

def _lower_relu(low, layer, vals):
    x = vals[0]
    k = low.materialise(x)
    return [low.pwl(Relu(size=x.size, source=low.src(layer, x.shape), source_index=k), x.shape)]


def _leaky(low, layer, x, alpha):
    k = low.materialise(x)
    alpha = np.broadcast_to(_f(alpha), x.shape).ravel().copy()
    if np.any((alpha < 0) | (alpha >= 1)):
        msg = (f"{layer.op} '{layer.name}' has slopes outside [0, 1) (min {alpha.min():g}, "
               f"max {alpha.max():g}): a non-convex unit")
        log.warning("%s: %s", low.path, msg)
        low.notes.append(msg)
    return [low.pwl(LeakyRelu(size=x.size, source=low.src(layer, x.shape), source_index=k,
                              alpha=alpha), x.shape)]


def _lower_leaky(low, layer, vals):
    return _leaky(low, layer, vals[0], float(_attr(low, layer, "alpha")))


def _lower_prelu(low, layer, vals):
    slope = _need_const(low, layer, vals[1], "the slope")
    x = vals[0]
    try:
        np.broadcast_shapes(np.shape(slope), x.shape)
    except ValueError:
        raise low.err(layer, f"slope of shape {np.shape(slope)} does not broadcast to {x.shape}") from None
    return _leaky(low, layer, x, slope)


def _lower_hard_sigmoid(low, layer, vals):
    x = vals[0]
    k = low.materialise(x)
    n = x.size
    alpha, beta = (float(_attr(low, layer, a)) for a in ("alpha", "beta"))
    return [low.pwl(HardSigmoid(size=n, source=low.src(layer, x.shape), source_index=k,
                                alpha=np.full(n, alpha), beta=np.full(n, beta)), x.shape)]


def _lower_clip(low, layer, vals):
    x = vals[0]
    lo = _param(low, layer, vals, "min", 1, -np.inf)
    hi = _param(low, layer, vals, "max", 2, np.inf)
    lo = float(np.asarray(lo, dtype=float).reshape(()))
    hi = float(np.asarray(hi, dtype=float).reshape(()))
    if lo == -np.inf and hi == np.inf:
        return [x]
    k = low.materialise(x)
    if lo == 0.0 and hi == np.inf:
        return [low.pwl(Relu(size=x.size, source=low.src(layer, x.shape), source_index=k), x.shape)]
    return [low.pwl(Clip(size=x.size, source=low.src(layer, x.shape), source_index=k,
                         lo=np.full(x.size, lo), hi=np.full(x.size, hi)), x.shape)]


_first = lambda n: {0}  # noqa: E731
_all = lambda n: set(range(n))  # noqa: E731

#: How each op lowers when one of its inputs depends on the network input (nodes whose inputs
#: are all constant are folded with onnx.reference instead). Explicit registry.
LOWERERS: dict[str, Callable] = {
    # data movement
    "Identity": _lower_alias, "Dropout": _lower_dropout, "Cast": _lower_cast,
    "Flatten": _lower_gather_like(_first), "Reshape": _lower_gather_like(_first),
    "Transpose": _lower_gather_like(_first), "Squeeze": _lower_gather_like(_first),
    "Unsqueeze": _lower_gather_like(_first), "Slice": _lower_gather_like(_first),
    "Gather": _lower_gather_like(_first), "Expand": _lower_gather_like(_first),
    "Tile": _lower_gather_like(_first), "Split": _lower_gather_like(_first),
    "DepthToSpace": _lower_gather_like(_first), "SpaceToDepth": _lower_gather_like(_first),
    "Concat": _lower_gather_like(_all), "Pad": _lower_pad,
    "Where": _lower_gather_like(lambda n: {1, 2}),
    "Shape": _lower_shape, "Size": _lower_size,
    # linear
    "Add": _lower_addsub(lambda i, n: 1.0), "Sum": _lower_addsub(lambda i, n: 1.0),
    "Sub": _lower_addsub(lambda i, n: 1.0 if i == 0 else -1.0), "Mean": _lower_mean,
    "Mul": _lower_mul, "Div": _lower_mul, "Neg": _lower_neg,
    "MatMul": _lower_matmul, "Gemm": _lower_gemm, "Conv": _lower_conv,
    "BatchNormalization": _lower_bn, "AveragePool": _lower_avgpool,
    "GlobalAveragePool": _lower_reduce_linear, "ReduceMean": _lower_reduce_linear,
    "ReduceSum": _lower_reduce_linear,
    # piecewise linear
    "Relu": _lower_relu, "LeakyRelu": _lower_leaky, "PRelu": _lower_prelu, "Clip": _lower_clip,
    "HardSigmoid": _lower_hard_sigmoid,
    "Max": _lower_maxmin, "Min": _lower_maxmin, "Abs": _lower_abs,
    "MaxPool": _lower_maxpool, "GlobalMaxPool": _lower_reduce_max,
    "ReduceMax": _lower_reduce_max, "ReduceMin": _lower_reduce_max,
}
