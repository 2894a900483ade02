"""Read the ``.nnet`` text format (Kyle Julian, Stanford 2016; the original ACAS Xu networks).

Layout of a ``.nnet`` file, after header comment lines starting with ``//`` (values are
comma-separated, a trailing comma is allowed)::

    numLayers, inputSize, outputSize, maxLayerSize
    size_0, size_1, ..., size_numLayers          (size_0 = inputSize)
    flag                                          (unused, historically "symmetric")
    input minimums                                (inputSize values)
    input maximums                                (inputSize values)
    means                                         (inputSize values, then the output mean)
    ranges                                        (inputSize values, then the output range)
    then for each layer k = 1..numLayers:
        size_k rows of size_{k-1} weights (one row per line)
        size_k biases (one per line)

Every layer but the last is followed by a ReLU. The network is defined on *normalised*
inputs: a raw input ``r`` is clipped to ``[min, max]`` and mapped to ``(r - mean) / range``;
the raw output is ``y * range_out + mean_out``.

:func:`nnet_to_onnx` writes the network on normalised inputs without output un-scaling, the
convention of the ACAS Xu ONNX files of VNN-COMP 2021 (which agree with the ``.nnet`` files to
float32 rounding), and :func:`nnet_input_box` gives the matching normalised input box. The
clipping is the identity on that box, so analysing the ONNX model on the box is analysing the
``.nnet`` network on its whole input range (up to the fixed affine output scaling, which
creates no regions and flips no comparisons since ``range_out > 0``).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnx

from ..domain import Domain
from ..errors import ModelError
from .export import mlp_to_onnx

log = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class NNet:
    """The contents of a ``.nnet`` file.

    Attributes
    ----------
    layers : tuple of (W, b)
        ``W`` of shape (size_k, size_{k-1}); ReLU after every layer but the last.
    input_min, input_max : ndarray of shape (n,)
        Raw input bounds.
    means, ranges : ndarray of shape (n + 1,) or (n,)
        Normalisation of the inputs (and, in the last entry when present, of the output).
    """

    path: str
    layers: tuple
    input_min: np.ndarray
    input_max: np.ndarray
    means: np.ndarray
    ranges: np.ndarray

    @property
    def input_size(self) -> int:
        return int(self.layers[0][0].shape[1])

    @property
    def output_size(self) -> int:
        return int(self.layers[-1][0].shape[0])

    def normalise(self, raw: np.ndarray) -> np.ndarray:
        """``(clip(raw, min, max) - mean) / range`` for raw inputs (last axis = inputs)."""
        n = self.input_size
        raw = np.clip(np.asarray(raw, dtype=float), self.input_min, self.input_max)
        return (raw - self.means[:n]) / self.ranges[:n]

    def evaluate(self, x: np.ndarray) -> np.ndarray:
        """The network on *normalised* inputs ``x`` (B, n), without output un-scaling."""
        h = np.atleast_2d(np.asarray(x, dtype=float))
        for W, b in self.layers[:-1]:
            h = np.maximum(h @ W.T + b, 0.0)
        W, b = self.layers[-1]
        return h @ W.T + b


class _Lines:
    """Non-blank, non-comment lines of the file as (line number, tokens)."""

    def __init__(self, path: Path, text: str):
        self.path = path
        self.rows: list[tuple[int, list[str]]] = []
        header = True
        for no, line in enumerate(text.splitlines(), start=1):
            s = line.strip()
            if not s:
                continue
            if s.startswith("//"):
                if header:
                    continue
                raise ModelError(path, f"line {no}: comment line '//' after the header")
            header = False
            self.rows.append((no, [t.strip() for t in s.split(",") if t.strip()]))
        self.pos = 0
        #: line number of the row returned last
        self.no = 0
        self.last_line = len(text.splitlines())

    def next(self, what: str) -> tuple[int, list[str]]:
        if self.pos >= len(self.rows):
            raise ModelError(self.path, f"file ends at line {self.last_line}, expected {what}")
        row = self.rows[self.pos]
        self.pos += 1
        self.no = row[0]
        return row

    def numbers(self, what: str, count: int | None = None, integer: bool = False) -> np.ndarray:
        no, toks = self.next(what)
        if count is not None and len(toks) != count:
            raise ModelError(self.path, f"line {no}: expected {count} values for {what}, "
                                        f"found {len(toks)}")
        vals = []
        for t in toks:
            try:
                v = int(t) if integer else float(t)
            except ValueError:
                kind = "an integer" if integer else "a number"
                raise ModelError(self.path, f"line {no}: {t[:40]!r} in {what} is not {kind}") from None
            vals.append(v)
        arr = np.asarray(vals, dtype=np.int64 if integer else float)
        if not integer and not np.all(np.isfinite(arr)):
            raise ModelError(self.path, f"line {no}: non-finite value in {what}")
        return arr


def read_nnet(path) -> NNet:
    """Parse a ``.nnet`` file.

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    NNet

    Raises
    ------
    ModelError
        Missing, truncated or malformed file; the message names the line.
    """
    path = Path(path)
    try:
        text = path.read_text()
    except FileNotFoundError:
        raise ModelError(path, "no such file") from None
    except (OSError, UnicodeDecodeError) as e:
        raise ModelError(path, f"cannot read as text ({e})") from None
    lines = _Lines(path, text)

    head = lines.numbers("the header 'numLayers,inputSize,outputSize,maxLayerSize'", 4, integer=True)
    num_layers, n_in, n_out, max_size = (int(v) for v in head)
    if num_layers < 1 or n_in < 1 or n_out < 1:
        raise ModelError(path, f"line {lines.no}: header gives {num_layers} layers, {n_in} inputs, "
                               f"{n_out} outputs")
    sizes = lines.numbers("the layer sizes", num_layers + 1, integer=True)
    if sizes[0] != n_in or sizes[-1] != n_out or np.any(sizes < 1):
        raise ModelError(path, f"line {lines.no}: layer sizes {sizes.tolist()} do not match "
                               f"{n_in} inputs and {n_out} outputs")
    if int(sizes.max()) != max_size:
        log.warning("%s: header says the largest layer has %d units, the sizes say %d",
                    path, max_size, int(sizes.max()))
    lines.next("the (unused) flag line")
    mins = lines.numbers("the input minimums", n_in)
    maxs = lines.numbers("the input maximums", n_in)
    means = lines.numbers("the means")
    no_m = lines.no
    ranges = lines.numbers("the ranges")
    no_r = lines.no
    for arr, no_x, what in ((means, no_m, "means"), (ranges, no_r, "ranges")):
        if arr.size not in (n_in, n_in + 1):
            raise ModelError(path, f"line {no_x}: expected {n_in + 1} {what} (inputs, then "
                                   f"output), found {arr.size}")
    if np.any(mins > maxs):
        i = int(np.argmax(mins > maxs))
        raise ModelError(path, f"input {i}: minimum {mins[i]} is above maximum {maxs[i]}")
    if np.any(ranges <= 0):
        i = int(np.argmax(ranges <= 0))
        raise ModelError(path, f"line {no_r}: range {i} is {ranges[i]}, must be positive")

    layers = []
    for k in range(num_layers):
        rows_out, cols_in = int(sizes[k + 1]), int(sizes[k])
        W = np.empty((rows_out, cols_in))
        for r in range(rows_out):
            W[r] = lines.numbers(f"row {r} of the weights of layer {k + 1} "
                                 f"({rows_out}x{cols_in})", cols_in)
        b = np.empty(rows_out)
        for r in range(rows_out):
            b[r] = lines.numbers(f"bias {r} of layer {k + 1}", 1)[0]
        layers.append((W, b))
    if lines.pos < len(lines.rows):
        no = lines.rows[lines.pos][0]
        raise ModelError(path, f"line {no}: unexpected data after the last layer")
    return NNet(str(path), tuple(layers), mins, maxs, means, ranges)


def nnet_to_onnx(path) -> onnx.ModelProto:
    """Convert a ``.nnet`` file to an ONNX model ``Gemm -> Relu -> ... -> Gemm``.

    The model takes *normalised* inputs ``x`` of shape ``[N, n]`` (input ``"input"``) and
    returns the network output *without* un-scaling (output ``"output"``), the convention of
    the VNN-COMP ACAS Xu ONNX files. Use :func:`nnet_input_box` for the matching domain.
    Weights are stored as float32, like every exported ONNX model.

    Examples
    --------
    >>> m = nnet_to_onnx("ACASXU_experimental_v2a_1_1.nnet")          # doctest: +SKIP
    >>> [n.op_type for n in m.graph.node][:3]                        # doctest: +SKIP
    ['Gemm', 'Relu', 'Gemm']
    """
    net = read_nnet(path)
    n = net.input_size
    model = mlp_to_onnx(list(net.layers[:-1]), final=net.layers[-1], name=Path(path).stem,
                        input_name="input", output_name="output")
    model.doc_string = (f"converted from {Path(path).name} (.nnet): inputs are normalised "
                        "(x - mean) / range; the output is not un-scaled")
    entry = model.metadata_props.add()
    entry.key = "nnet_normalisation"
    entry.value = json.dumps({"input_min": net.input_min.tolist(),
                              "input_max": net.input_max.tolist(),
                              "input_mean": net.means[:n].tolist(),
                              "input_range": net.ranges[:n].tolist(),
                              "output_mean": net.means[n:].tolist(),
                              "output_range": net.ranges[n:].tolist()})
    return model


def nnet_input_box(path) -> Domain:
    """The normalised input box ``[(min - mean) / range, (max - mean) / range]`` of a
    ``.nnet`` file, the domain on which :func:`nnet_to_onnx`'s model equals the network.

    Examples
    --------
    >>> d = nnet_input_box("ACASXU_experimental_v2a_1_1.nnet")        # doctest: +SKIP
    >>> d.lo.round(4).tolist()                                       # doctest: +SKIP
    [-0.3284, -0.5, -0.5, -0.5, -0.5]
    """
    net = read_nnet(path)
    n = net.input_size
    lo = (net.input_min - net.means[:n]) / net.ranges[:n]
    hi = (net.input_max - net.means[:n]) / net.ranges[:n]
    return Domain(lo, hi, name=Path(path).name)
