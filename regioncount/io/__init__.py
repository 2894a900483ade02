"""Model import: ONNX (and ``.nnet`` through ONNX) -> :class:`LayerGraph`.

Parsing only parses; :mod:`regioncount.lowering` turns the layer graph into a Network.
"""

from .onnx_reader import (READERS, Layer, LayerGraph, TensorInfo, load_onnx, read_model,
                          read_onnx)

__all__ = ["read_model", "read_onnx", "load_onnx", "Layer", "LayerGraph", "TensorInfo", "READERS"]
