"""The canonical piecewise-linear network.

Every model, whatever it was exported from, is lowered to this one representation: a list of
*stages* in topological order over flat (C-order) vectors. Stage 0 is the network input; every
other stage reads the outputs of earlier stages:

- :class:`Affine`: ``y = sum_k W_k @ out[inputs[k]] + bias`` (dense or scipy.sparse ``W_k``;
  several inputs express residual Adds and Concats),
- :class:`Relu`, :class:`LeakyRelu`, :class:`Clip`: elementwise PWL units on one input,
- :class:`MaxGroups`: ``y_g = max_{i in group g} out[input][i]`` (maxout, max-pooling, Max, Min
  after negation).

The network is usually a chain ``Affine, PWL, Affine, PWL, ..., Affine``; residual networks make
it a DAG. Every stage keeps its provenance (the ONNX nodes it came from and its tensor shape).

Pieces and patterns
-------------------
A *pattern* gives, for every PWL unit, the index of the affine piece it is on:

- ReLU / leaky ReLU: ``1`` active (pre-activation ``> 0``), ``0`` inactive (``<= 0``; zero counts
  as inactive, REGIONS.md section 1).
- Clip ``[lo, hi]``: ``0`` at or below ``lo``, ``1`` strictly between, ``2`` at or above ``hi``.
- Max group: the position inside the group of the first maximal entry.

Examples
--------
>>> import numpy as np
>>> net = Network.from_layers([(np.array([[1.0], [-1.0]]), np.zeros(2))],
...                           final=(np.array([[1.0, 1.0]]), np.zeros(1)))
>>> net.evaluate(np.array([[-2.0], [3.0]])).ravel().tolist()     # |x|
[2.0, 3.0]
>>> [p.tolist() for p in net.pattern(np.array([3.0]))]
[[1, 0]]
>>> A, c = net.local_affine(np.array([-2.0]))
>>> A.tolist(), c.tolist()
([[-1.0]], [0.0])
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence, Union

import numpy as np
import scipy.sparse as sp

from .errors import RegioncountError

Matrix = Union[np.ndarray, sp.spmatrix, sp.sparray]

#: Number of affine pieces of each elementwise unit kind.
PIECES = {"relu": 2, "leaky_relu": 2, "clip": 3}


def _matmul(W: Matrix, X: np.ndarray) -> np.ndarray:
    """``W @ X`` as a dense array for dense or sparse ``W``."""
    out = W @ X
    return np.asarray(out.toarray() if sp.issparse(out) else out)


@dataclass(frozen=True, eq=False)
class Source:
    """Where a stage came from: ONNX node names and the op types, and the tensor shape
    (without batch dimension) whose C-order flattening indexes the stage's units."""

    nodes: tuple[str, ...] = ()
    ops: tuple[str, ...] = ()
    shape: tuple[int, ...] = ()

    def describe(self) -> str:
        return ", ".join(f"{n} ({o})" for n, o in zip(self.nodes, self.ops)) or "-"


@dataclass(frozen=True, eq=False)
class Stage:
    """Base class of all stages. ``size`` is the number of outputs."""

    size: int
    source: Source = field(default_factory=Source)

    kind = "stage"

    @property
    def inputs(self) -> tuple[int, ...]:
        return ()

    @property
    def is_pwl(self) -> bool:
        return False


@dataclass(frozen=True, eq=False)
class Input(Stage):
    kind = "input"


@dataclass(frozen=True, eq=False)
class Affine(Stage):
    """``y = sum_k weights[k] @ out[sources[k]] + bias``."""

    sources: tuple[int, ...] = ()
    weights: tuple[Matrix, ...] = ()
    bias: np.ndarray = None

    kind = "affine"

    @property
    def inputs(self) -> tuple[int, ...]:
        return self.sources

    def params(self) -> int:
        n = int(self.bias.size)
        for W in self.weights:
            n += int(W.nnz) if sp.issparse(W) else int(W.size)
        return n


@dataclass(frozen=True, eq=False)
class _Elementwise(Stage):
    source_index: int = 0

    @property
    def inputs(self) -> tuple[int, ...]:
        return (self.source_index,)

    @property
    def is_pwl(self) -> bool:
        return True

    @property
    def pieces(self) -> int:
        return PIECES[self.kind]


@dataclass(frozen=True, eq=False)
class Relu(_Elementwise):
    kind = "relu"


@dataclass(frozen=True, eq=False)
class LeakyRelu(_Elementwise):
    """``max(alpha * y, y)`` for ``0 <= alpha < 1`` (per unit); ``y`` for ``y > 0``."""

    alpha: np.ndarray = None
    kind = "leaky_relu"


@dataclass(frozen=True, eq=False)
class Clip(_Elementwise):
    """``min(max(y, lo), hi)`` per unit (``lo`` may be ``-inf`` or ``hi`` ``+inf``)."""

    lo: np.ndarray = None
    hi: np.ndarray = None
    kind = "clip"


@dataclass(frozen=True, eq=False)
class MaxGroups(Stage):
    """``y_g = max(x[indices[indptr[g]:indptr[g + 1]]])`` for each group g."""

    source_index: int = 0
    indptr: np.ndarray = None
    indices: np.ndarray = None
    kind = "max"

    @property
    def inputs(self) -> tuple[int, ...]:
        return (self.source_index,)

    @property
    def is_pwl(self) -> bool:
        return True

    def group_sizes(self) -> np.ndarray:
        return np.diff(self.indptr)

    def _padded(self) -> tuple[np.ndarray, np.ndarray]:
        """Indices as a (groups, kmax) array padded with the group's first index, and the mask
        of real entries."""
        sizes = self.group_sizes()
        k = int(sizes.max()) if sizes.size else 0
        pos = np.arange(k)
        mask = pos[None, :] < sizes[:, None]
        idx = self.indptr[:-1, None] + np.minimum(pos[None, :], np.maximum(sizes[:, None] - 1, 0))
        return self.indices[idx], mask


PWL_KINDS = (Relu, LeakyRelu, Clip, MaxGroups)


class Network:
    """A piecewise-linear network over flat input vectors.

    Parameters
    ----------
    stages : sequence of Stage
        In topological order; ``stages[0]`` is an :class:`Input`.
    output : int, optional
        Index of the stage whose value is the network output (default: the last).
    input_shape, output_shape : tuple of int
        Tensor shapes without batch dimension; their products are the flat sizes.
    name : str
        Usually the model file's name.
    """

    def __init__(self, stages: Sequence[Stage], output: int | None = None,
                 input_shape: tuple[int, ...] | None = None,
                 output_shape: tuple[int, ...] | None = None, name: str = "network",
                 notes: Sequence[str] = (), input_name: str | None = None,
                 output_name: str | None = None):
        self.stages = tuple(stages)
        if not self.stages or not isinstance(self.stages[0], Input):
            raise RegioncountError("a network starts with its Input stage")
        for k, s in enumerate(self.stages):
            for i in s.inputs:
                if not 0 <= i < k:
                    raise RegioncountError(f"stage {k} ({s.kind}) reads stage {i}, not an earlier one")
        self.output = len(self.stages) - 1 if output is None else int(output)
        self.input_shape = tuple(input_shape) if input_shape is not None else (self.stages[0].size,)
        self.output_shape = (tuple(output_shape) if output_shape is not None
                             else (self.stages[self.output].size,))
        self.name = name
        self.notes = tuple(notes)
        #: ONNX tensor names of the input and of the tensor the output stage computes (after a
        #: trailing softmax is stripped, the logits), for tools that compare with onnxruntime.
        self.input_name = input_name
        self.output_name = output_name

    # -- construction helpers -----------------------------------------------------------
    @classmethod
    def from_layers(cls, layers, final=None, activation: str = "relu", name: str = "mlp",
                    alpha: float = 0.01) -> "Network":
        """A fully connected network: each ``(W, b)`` of ``layers`` (W of shape (out, in)) is
        followed by the activation; ``final`` is an optional last affine ``(W, b)``.

        With no ``final`` the output is the last hidden layer (as in exact_counts.json, where
        the output layer creates no regions).
        """
        W0 = np.asarray(layers[0][0] if layers else final[0], dtype=float)
        stages: list[Stage] = [Input(size=W0.shape[1])]
        prev = 0
        for li, (W, b) in enumerate(layers):
            W = np.atleast_2d(np.asarray(W, dtype=float))
            b = np.asarray(b, dtype=float).ravel()
            src = Source((f"layer{li}",), ("Gemm",), (W.shape[0],))
            stages.append(Affine(size=W.shape[0], source=src, sources=(prev,), weights=(W,), bias=b))
            act_src = Source((f"act{li}",), (activation,), (W.shape[0],))
            if activation == "relu":
                stages.append(Relu(size=W.shape[0], source=act_src, source_index=len(stages) - 1))
            elif activation == "leaky_relu":
                stages.append(LeakyRelu(size=W.shape[0], source=act_src, source_index=len(stages) - 1,
                                        alpha=np.full(W.shape[0], alpha)))
            else:
                raise RegioncountError(f"from_layers: unknown activation {activation!r}")
            prev = len(stages) - 1
        if final is not None:
            W, b = np.atleast_2d(np.asarray(final[0], dtype=float)), np.asarray(final[1], float).ravel()
            stages.append(Affine(size=W.shape[0], source=Source(("output",), ("Gemm",), (W.shape[0],)),
                                 sources=(prev,), weights=(W,), bias=b))
        return cls(stages, name=name)

    # -- structure ----------------------------------------------------------------------
    @property
    def input_size(self) -> int:
        return self.stages[0].size

    @property
    def output_size(self) -> int:
        return self.stages[self.output].size

    @property
    def pwl_indices(self) -> tuple[int, ...]:
        """Indices of the PWL stages, in topological order."""
        return tuple(k for k, s in enumerate(self.stages) if s.is_pwl)

    @property
    def pwl_stages(self) -> tuple[Stage, ...]:
        return tuple(self.stages[k] for k in self.pwl_indices)

    @property
    def pwl_units(self) -> int:
        return sum(s.size for s in self.pwl_stages)

    def params(self) -> int:
        return sum(s.params() for s in self.stages if isinstance(s, Affine))

    def is_chain(self) -> bool:
        """True when every stage reads only the stage just before it."""
        return all(s.inputs == (k - 1,) for k, s in enumerate(self.stages) if k > 0)

    def consumers(self) -> list[list[int]]:
        out: list[list[int]] = [[] for _ in self.stages]
        for k, s in enumerate(self.stages):
            for i in s.inputs:
                out[i].append(k)
        return out

    def __repr__(self) -> str:
        kinds = "-".join(f"{s.kind}[{s.size}]" for s in self.stages)
        return f"Network({self.name!r}: {kinds})"

    # -- evaluation ---------------------------------------------------------------------
    def _as_batch(self, x) -> tuple[np.ndarray, bool]:
        x = np.asarray(x, dtype=float)
        n = self.input_size
        single = x.ndim == 1 or x.shape == self.input_shape
        if single:
            if x.size != n:
                raise RegioncountError(f"input has {x.size} values, the network takes {n}")
            return x.reshape(1, n), True
        if x.size % n or x.shape[0] * n != x.size:
            raise RegioncountError(f"input of shape {x.shape} does not fit network input {self.input_shape}")
        return x.reshape(x.shape[0], n), False

    def forward(self, x) -> list[np.ndarray]:
        """Outputs of every stage for a batch ``x`` of shape (B, n0): a list of (B, size)."""
        X, _ = self._as_batch(x)
        vals: list[np.ndarray] = [X]
        for s in self.stages[1:]:
            vals.append(_apply(s, vals))
        return vals

    def evaluate(self, x) -> np.ndarray:
        """The network output: (B, m) for a batch, (m,) for a single point."""
        X, single = self._as_batch(x)
        vals: list[np.ndarray | None] = [X]
        last_use = self._last_use()
        for k, s in enumerate(self.stages[1:], start=1):
            vals.append(_apply(s, vals))
            for i in s.inputs:
                if last_use[i] == k and i != self.output:
                    vals[i] = None  # free memory of large intermediate stages
            if k == self.output:
                break
        out = vals[self.output]
        return out[0] if single else out

    def _last_use(self) -> list[int]:
        last = list(range(len(self.stages)))
        for k, s in enumerate(self.stages):
            for i in s.inputs:
                last[i] = max(last[i], k)
        return last

    def pattern(self, x) -> list[np.ndarray]:
        """The activation pattern: one int array per PWL stage, (units,) for a point or
        (B, units) for a batch (see the module docstring for the piece numbering)."""
        X, single = self._as_batch(x)
        vals = self.forward(X)
        pats = [_piece(s, vals[s.inputs[0]]) for s in self.stages if s.is_pwl]
        return [p[0] for p in pats] if single else pats

    def affine_maps(self, x=None, pattern: Sequence[np.ndarray] | None = None
                    ) -> list[tuple[np.ndarray, np.ndarray]]:
        """The affine map ``(A, c)`` of every stage's output as a function of the input, on
        the activation region of the point ``x`` (or of the given ``pattern``)."""
        if pattern is None:
            if x is None:
                raise RegioncountError("affine_maps needs a point or a pattern")
            pattern = self.pattern(np.asarray(x, float).reshape(-1))
        pats = iter(pattern)
        n = self.input_size
        maps: list[tuple[np.ndarray, np.ndarray]] = [(np.eye(n), np.zeros(n))]
        for s in self.stages[1:]:
            if isinstance(s, Affine):
                A = np.zeros((s.size, n))
                c = np.array(s.bias, dtype=float)
                for i, W in zip(s.sources, s.weights):
                    Ai, ci = maps[i]
                    A += _matmul(W, Ai)
                    c += _matmul(W, ci[:, None])[:, 0]
                maps.append((A, c))
                continue
            p = np.asarray(next(pats))
            Ai, ci = maps[s.inputs[0]]
            if isinstance(s, Relu):
                on = p == 1
                maps.append((Ai * on[:, None], ci * on))
            elif isinstance(s, LeakyRelu):
                scale = np.where(p == 1, 1.0, s.alpha)
                maps.append((Ai * scale[:, None], ci * scale))
            elif isinstance(s, Clip):
                mid = p == 1
                c = np.where(p == 0, s.lo, np.where(p == 2, s.hi, ci))
                maps.append((Ai * mid[:, None], c))
            elif isinstance(s, MaxGroups):
                rows = s.indices[s.indptr[:-1] + p]
                maps.append((Ai[rows], ci[rows]))
            else:  # pragma: no cover - every stage kind is handled above
                raise RegioncountError(f"unknown stage kind {s.kind}")
        return maps

    def local_affine(self, x=None, pattern=None) -> tuple[np.ndarray, np.ndarray]:
        """``(A, c)`` with ``net(y) = A @ y + c`` for every ``y`` in the region of ``x``."""
        return self.affine_maps(x, pattern)[self.output]


def _apply(s: Stage, vals: list[np.ndarray]) -> np.ndarray:
    if isinstance(s, Affine):
        out = np.broadcast_to(s.bias, (vals[s.sources[0]].shape[0], s.size)).copy()
        for i, W in zip(s.sources, s.weights):
            out += _matmul(W, vals[i].T).T
        return out
    x = vals[s.inputs[0]]
    if isinstance(s, Relu):
        return np.maximum(x, 0.0)
    if isinstance(s, LeakyRelu):
        return np.where(x > 0, x, x * s.alpha)
    if isinstance(s, Clip):
        return np.minimum(np.maximum(x, s.lo), s.hi)
    if isinstance(s, MaxGroups):
        idx, mask = s._padded()
        g = x[:, idx]
        return g.max(axis=2) if idx.size else np.zeros((x.shape[0], 0))
    raise RegioncountError(f"unknown stage kind {s.kind}")


def _piece(s: Stage, x: np.ndarray) -> np.ndarray:
    """Piece index of every unit of PWL stage ``s`` given its input values (B, n)."""
    if isinstance(s, (Relu, LeakyRelu)):
        return (x > 0).astype(np.int8)
    if isinstance(s, Clip):
        return np.where(x <= s.lo, 0, np.where(x >= s.hi, 2, 1)).astype(np.int8)
    if isinstance(s, MaxGroups):
        idx, _ = s._padded()
        return np.argmax(x[:, idx], axis=2).astype(np.int32)
    raise RegioncountError(f"stage kind {s.kind} has no pieces")
