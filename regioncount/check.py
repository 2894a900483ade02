"""Exactness check: the lowered network against onnxruntime on random points of the domain.

The error measure: for the output vectors ``a`` (lowered network, float64) and ``b``
(onnxruntime) of each sample, ``max_abs_error = max |a - b|`` and ``max_rel_error`` is the
largest ``||a - b||_inf / ||b||_inf`` over the samples: the error relative to the size of that
sample's output vector. (Elementwise relative error would turn float32 rounding in an output
that happens to be near zero into a large number without any lowering error behind it.)
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

import numpy as np

from .domain import Domain
from .errors import ModelError
from .network import Network
from .tolerances import CHECK_RTOL

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CheckResult:
    """Outcome of :func:`check_network`."""

    model: str
    output_name: str | None
    samples: int
    max_abs_error: float
    max_rel_error: float
    tolerance: float
    ok: bool
    #: what ``max_*_error`` compare with: the graph in float64 (onnxruntime, or onnx's
    #: reference evaluator where onnxruntime lacks a double kernel), else the model as shipped
    reference: str = "onnxruntime"
    #: the same errors against onnxruntime running the model as shipped (usually float32)
    shipped_max_abs_error: float = 0.0
    shipped_max_rel_error: float = 0.0


def _ort_session(model):
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.log_severity_level = 3
    opts.intra_op_num_threads = 1
    return ort.InferenceSession(model.SerializeToString(), opts, providers=["CPUExecutionProvider"])


def _with_output(model, name: str):
    """A copy of ``model`` that also outputs tensor ``name`` (when it is not an output)."""
    import onnx
    from onnx import helper

    if any(o.name == name for o in model.graph.output):
        return model
    m = onnx.ModelProto()
    m.CopyFrom(model)
    elem = onnx.TensorProto.FLOAT
    for vi in list(m.graph.value_info) + list(m.graph.input):
        if vi.name == name:
            elem = vi.type.tensor_type.elem_type
    m.graph.output.append(helper.make_tensor_value_info(name, elem, None))
    return m


_NP_TYPES = {1: np.float32, 11: np.float64, 10: np.float16}


def to_float64(model):
    """The same graph computing in float64 (initializers, Constant values, Casts and tensor
    types), with its nodes in topological order (onnx.reference needs that; some exporters
    write unsorted graphs)."""
    import onnx
    from onnx import TensorProto, numpy_helper

    m = onnx.ModelProto()
    m.CopyFrom(model)
    g = m.graph
    nodes = list(g.node)
    done = {i.name for i in g.input} | {t.name for t in g.initializer} | {""}
    ordered = []
    while nodes:
        ready = [n for n in nodes if all(t in done for t in n.input)]
        if not ready:
            raise ModelError(None, "graph has a cycle", node=nodes[0].name, op=nodes[0].op_type)
        for n in ready:
            ordered.append(n)
            done.update(n.output)
        nodes = [n for n in nodes if all(n is not r for r in ready)]
    del g.node[:]
    g.node.extend(ordered)
    for i, t in enumerate(g.initializer):
        if t.data_type == TensorProto.FLOAT:
            g.initializer[i].CopyFrom(numpy_helper.from_array(
                numpy_helper.to_array(t).astype(np.float64), t.name))
    for n in g.node:
        for a in n.attribute:
            if a.name == "value" and a.t.data_type == TensorProto.FLOAT:
                a.t.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(a.t).astype(np.float64)))
            if n.op_type == "Cast" and a.name == "to" and a.i == TensorProto.FLOAT:
                a.i = TensorProto.DOUBLE
    for vi in list(g.input) + list(g.output) + list(g.value_info):
        if vi.type.tensor_type.elem_type == TensorProto.FLOAT:
            vi.type.tensor_type.elem_type = TensorProto.DOUBLE
    return m


def _float64_runner(model):
    """``run(output_names, feeds)`` of the float64 graph: onnxruntime when it has every double
    kernel, else onnx's reference evaluator (onnxruntime has no double Conv on CPU)."""
    m64 = to_float64(model)
    try:
        return _ort_session(m64).run, "onnxruntime-float64"
    except Exception:  # noqa: BLE001 - any missing kernel: fall back to the reference evaluator
        from onnx.reference import ReferenceEvaluator

        return ReferenceEvaluator(m64).run, "onnx-reference-float64"


def onnxruntime_outputs(graph, net: Network, x: np.ndarray, float64: bool = False
                        ) -> tuple[np.ndarray, str]:
    """Run the original model on the rows of ``x`` (flat inputs) and return the tensor the
    lowered network's output stands for, flattened per sample, and the name of the engine.

    With ``float64`` the graph is converted to double precision first, so that the comparison
    measures the lowering and not float32 rounding.
    """
    if len(graph.inputs) != 1:
        raise ModelError(graph.path, f"the model has {len(graph.inputs)} inputs; "
                                     "only single-input models are supported",
                         node=graph.inputs[-1].name if graph.inputs else None)
    info = graph.inputs[0]
    name = net.output_name or graph.outputs[0].name
    model = _with_output(graph.model, name)
    if float64:
        run, engine = _float64_runner(model)
        dtype = np.float64
    else:
        run, engine = _ort_session(model).run, "onnxruntime"
        dtype = _NP_TYPES.get(info.dtype, np.float32)
    in_shape = tuple(net.input_shape)
    onnx_shape = tuple(info.shape)
    has_batch = len(onnx_shape) == len(in_shape) + 1
    dynamic = has_batch and not isinstance(onnx_shape[0], int)
    if dynamic:
        batches = [x.reshape((len(x),) + in_shape)]
    elif has_batch:
        batches = [row.reshape((1,) + in_shape) for row in x]
    else:
        batches = [row.reshape(in_shape) for row in x]
    outs = []
    for xb in batches:
        (y,) = run([name], {info.name: xb.astype(dtype)})
        n = len(xb) if has_batch else 1
        outs.append(np.asarray(y, dtype=float).reshape(n, -1))
    return np.vstack(outs), engine


#: Characters of an onnxruntime message kept in a one-line error.
_MESSAGE_CHARS = 240


def _short(e: Exception) -> str:
    """An exception's message on one line, without onnxruntime's source locations and C++
    signatures, cut to :data:`_MESSAGE_CHARS`."""
    msg = " ".join(str(e).split()) or type(e).__name__
    msg = re.sub(r"\[ONNXRuntimeError\] : \d+ : ", "", msg)
    msg = re.sub(r"\S*onnxruntime\S*:\d+ .*?\)(?= [A-Z])", "", msg)
    return msg if len(msg) <= _MESSAGE_CHARS else msg[: _MESSAGE_CHARS - 3] + "..."


def _errors(ours: np.ndarray, ref: np.ndarray) -> tuple[float, float]:
    """(max absolute error, max over samples of ||a - b||_inf / ||b||_inf)."""
    if not ref.size:
        return 0.0, 0.0
    diff = np.abs(ours - ref)
    denom = np.maximum(np.abs(ref).max(axis=1), np.finfo(float).tiny)
    return float(diff.max()), float((diff.max(axis=1) / denom).max())


def check_network(graph, net: Network, domain: Domain, samples: int = 100,
                  seed: int = 0, rtol: float = CHECK_RTOL) -> CheckResult:
    """Compare ``net`` with onnxruntime on ``samples`` uniform points of ``domain``.

    The verdict uses the graph converted to float64 (so that it measures the lowering, not
    float32 rounding in the model as shipped); the errors against the model as shipped are
    reported beside it.

    Parameters
    ----------
    graph : regioncount.io.LayerGraph
        The parsed model (its ONNX model is what onnxruntime runs).
    net : Network
        The lowered network of ``graph``.
    domain : Domain
    samples : int
    seed : int
    rtol : float
        The largest relative error that passes.

    Returns
    -------
    CheckResult
    """
    x = domain.sample(samples, np.random.default_rng(seed))
    # the model runs in its own precision: give every side the same (rounded) inputs
    dtype = _NP_TYPES.get(graph.inputs[0].dtype, np.float32)
    x = x.astype(dtype).astype(float)
    ours = net.evaluate(x).reshape(len(x), -1)
    try:
        ref32, _ = onnxruntime_outputs(graph, net, x)
    except ModelError:
        raise
    except Exception as e:  # noqa: BLE001 - onnxruntime refuses the model (opset, types...)
        raise ModelError(graph.path, f"onnxruntime cannot run the model: {_short(e)}") from None
    if ours.shape != ref32.shape:
        raise ModelError(graph.path, f"lowered output has {ours.shape[1]} values per sample, "
                                     f"onnxruntime gives {ref32.shape[1]}", node=net.output_name)
    abs32, rel32 = _errors(ours, ref32)
    try:
        ref64, engine = onnxruntime_outputs(graph, net, x, float64=True)
    except Exception as e:  # noqa: BLE001 - no float64 reference: judge on the model as shipped
        log.info("no float64 reference for %s (%s); comparing with the model as shipped", graph.path, e)
        ref64, engine = None, "onnxruntime"
    if ref64 is not None:
        max_abs, max_rel = _errors(ours, ref64)
    else:
        max_abs, max_rel = abs32, rel32
    ok = bool(np.all(np.isfinite(ours))) and max_rel <= rtol
    log.info("check %s: max abs %.3g, max rel %.3g against %s over %d samples",
             graph.path, max_abs, max_rel, engine, samples)
    return CheckResult(str(graph.path), net.output_name, int(samples), max_abs, max_rel, rtol, ok,
                       engine, abs32, rel32)
