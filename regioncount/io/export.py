"""Write plain ONNX models of fully connected PWL networks (used by constructions, the demo
models and tests)."""

from __future__ import annotations

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def mlp_to_onnx(layers, final=None, activation: str = "relu", alpha: float = 0.01,
                opset: int = 13, name: str = "mlp", input_name: str = "x",
                output_name: str = "y", dynamic_batch: bool = True) -> onnx.ModelProto:
    """An ONNX model ``Gemm -> act -> ... -> Gemm``.

    Parameters
    ----------
    layers : list of (W, b)
        Hidden layers, ``W`` of shape (out, in); each is followed by ``activation``
        (``"relu"`` or ``"leaky_relu"``).
    final : (W, b), optional
        A last affine layer without activation.

    Examples
    --------
    >>> import numpy as np
    >>> m = mlp_to_onnx([(np.eye(2), np.zeros(2))])
    >>> [n.op_type for n in m.graph.node]
    ['Gemm', 'Relu']
    """
    nodes, inits = [], []
    cur = input_name
    all_layers = [(W, b, True) for W, b in layers]
    if final is not None:
        all_layers.append((final[0], final[1], False))
    n_in = int(np.asarray(all_layers[0][0]).shape[1])
    for i, (W, b, act) in enumerate(all_layers):
        W = np.asarray(W, dtype=np.float32)
        b = np.asarray(b, dtype=np.float32).ravel()
        wn, bn, out = f"W{i}", f"b{i}", f"h{i}"
        inits += [numpy_helper.from_array(W, wn), numpy_helper.from_array(b, bn)]
        nodes.append(helper.make_node("Gemm", [cur, wn, bn], [out], name=f"gemm{i}", transB=1))
        cur = out
        if act:
            a = f"a{i}"
            if activation == "relu":
                nodes.append(helper.make_node("Relu", [cur], [a], name=f"relu{i}"))
            elif activation == "leaky_relu":
                nodes.append(helper.make_node("LeakyRelu", [cur], [a], name=f"lrelu{i}", alpha=alpha))
            else:
                raise ValueError(f"unknown activation {activation!r}")
            cur = a
    nodes[-1].output[0] = output_name
    n_out = int(np.asarray(all_layers[-1][0]).shape[0])
    batch = "N" if dynamic_batch else 1
    graph = helper.make_graph(
        nodes, name,
        [helper.make_tensor_value_info(input_name, TensorProto.FLOAT, [batch, n_in])],
        [helper.make_tensor_value_info(output_name, TensorProto.FLOAT, [batch, n_out])],
        inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)],
                              producer_name="regioncount")
    model.ir_version = min(model.ir_version, 8)
    onnx.checker.check_model(model)
    return model
