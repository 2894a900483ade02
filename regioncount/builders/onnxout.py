"""What every builder of :mod:`regioncount.builders` shares: the ONNX opset it writes, the
finishing of a graph into a checked model, and the validation of integer options."""

from __future__ import annotations

from ..errors import RegioncountError

#: The ONNX opset the builders write.
OPSET = 13


def finish(graph, doc: str, producer: str):
    """A checked ONNX model of ``graph`` (opset :data:`OPSET`, IR version at most 8)."""
    import onnx
    from onnx import helper

    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name=producer)
    model.ir_version = min(model.ir_version, 8)
    model.doc_string = doc
    onnx.checker.check_model(model)
    return model


def positive_ints(values, what: str) -> tuple[int, ...]:
    """``values`` as a non-empty tuple of positive integers, else a one-line error."""
    try:
        out = tuple(int(v) for v in values)
    except (TypeError, ValueError):
        raise RegioncountError(f"{what} {values!r}: expected positive integers") from None
    if not out or any(v < 1 for v in out):
        raise RegioncountError(f"{what} {','.join(map(str, values))}: expected positive integers")
    return out
