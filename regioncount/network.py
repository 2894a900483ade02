"""The canonical piecewise-linear network.

Every model, whatever it was exported from, is lowered to this one representation: a list of
*stages* in topological order over flat (C-order) vectors. Stage 0 is the network input; every
other stage reads the outputs of earlier stages:

- :class:`Affine`: ``y = sum_k W_k @ out[inputs[k]] + bias`` (dense or scipy.sparse ``W_k``;
  several inputs express residual Adds and Concats),
- :class:`Relu`, :class:`LeakyRelu`, :class:`Clip`, :class:`HardSigmoid`: elementwise PWL
  units on one input,
- :class:`MaxGroups`: ``y_g = max_{i in group g} out[input][i]`` (maxout, max-pooling, Max, Min
  after negation, Abs as ``max(x, -x)``).

The stage kinds live in :mod:`regioncount.stages`, each with all of its semantics (forward,
pieces, local maps, interval transfer, stability, the region tree's rows, backward rules);
this module strings them together.

The network is usually a chain ``Affine, PWL, Affine, PWL, ..., Affine``; residual networks make
it a DAG. Every stage keeps its provenance (the ONNX nodes it came from and its tensor shape).

Pieces and patterns
-------------------
A *pattern* gives, for every PWL unit, the index of the affine piece it is on:

- ReLU / leaky ReLU: ``1`` active (pre-activation ``> 0``), ``0`` inactive (``<= 0``; zero counts
  as inactive; docs/regions.md).
- Clip ``[lo, hi]`` and HardSigmoid: ``0`` at or below the lower breakpoint, ``1`` strictly
  between, ``2`` at or above the upper one.
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

from typing import Sequence

import numpy as np

from .errors import RegioncountError
from .stages import (BACKWARD_RULES, PWL_KINDS, Affine, Clip, Elementwise,  # noqa: F401
                     HardSigmoid, Input, LeakyRelu, MaxGroups, Matrix, PwlStage, Relu, Source,
                     Stage, _matmul)


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
        """A fully connected network from numpy weights.

        Parameters
        ----------
        layers : sequence of (W, b)
            Hidden layers: ``W`` of shape (out, in), ``b`` of shape (out,); each is followed
            by ``activation``.
        final : (W, b), optional
            A last affine layer without activation. Without it the output is the last hidden
            layer (the output layer creates no regions, so counts are the same either way).
        activation : {'relu', 'leaky_relu'}
        name : str
        alpha : float
            Slope of the leaky ReLU for negative inputs.

        Returns
        -------
        Network
            The chain ``Input, Affine, Relu, ..., Affine, Relu[, Affine]``.

        Raises
        ------
        RegioncountError
            For an unknown activation.

        Examples
        --------
        >>> import numpy as np
        >>> net = Network.from_layers([(np.ones((3, 2)), np.zeros(3))],
        ...                           final=(np.ones((1, 3)), np.zeros(1)))
        >>> net
        Network('mlp': input[2]-affine[3]-relu[3]-affine[1])
        >>> net.input_size, net.output_size, net.pwl_units
        (2, 1, 3)
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
        """The parameters of the *lowered* network: the number of entries of its unrolled
        weight matrices (every entry of a dense matrix, the stored non-zeros of a sparse one)
        plus the biases.

        This is the ``params`` column of ``regioncount inspect`` and of the report. It is not
        the trainer's count: a convolution is unrolled to a sparse matrix, so each kernel
        weight counts once per position it is applied at, and a Conv followed by BatchNorm
        is one affine stage.

        Returns
        -------
        int

        Examples
        --------
        >>> import numpy as np
        >>> Network.from_layers([(np.ones((3, 2)), np.zeros(3))],
        ...                     final=(np.ones((1, 3)), np.zeros(1))).params()   # 6+3 + 3+1
        13
        """
        return sum(s.params() or 0 for s in self.stages)

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
            vals.append(s.forward(vals))
        return vals

    def evaluate(self, x) -> np.ndarray:
        """The network output at a point or a batch of points.

        Parameters
        ----------
        x : array_like
            One point, of shape ``(n,)`` or ``input_shape``, or a batch of shape ``(B, n)``
            or ``(B, *input_shape)`` (flat C order).

        Returns
        -------
        ndarray
            ``(m,)`` for a point, ``(B, m)`` for a batch (``m = output_size``, flat).

        Raises
        ------
        RegioncountError
            When ``x`` does not fit the network input.

        Examples
        --------
        >>> import numpy as np
        >>> net = Network.from_layers([(np.array([[1.0], [-1.0]]), np.zeros(2))],
        ...                           final=(np.array([[1.0, 1.0]]), np.zeros(1)))   # |x|
        >>> net.evaluate(np.array([-2.0])).tolist()                  # a point
        [2.0]
        >>> net.evaluate(np.array([[-2.0], [3.0]])).tolist()         # a batch
        [[2.0], [3.0]]
        >>> net.evaluate(np.zeros(2))
        Traceback (most recent call last):
        ...
        regioncount.errors.RegioncountError: input has 2 values, the network takes 1
        """
        X, single = self._as_batch(x)
        vals: list[np.ndarray | None] = [X]
        last_use = self._last_use()
        for k, s in enumerate(self.stages[1:], start=1):
            vals.append(s.forward(vals))
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
        """The activation pattern: the piece every PWL unit is on at ``x``.

        Two points are in the same activation region when they have the same pattern and the
        segment between them keeps it (docs/regions.md). Pieces are numbered as in the module
        docstring (ReLU: 1 active, 0 inactive, zero counts as inactive).

        Parameters
        ----------
        x : array_like
            A point or a batch, as in :meth:`evaluate`.

        Returns
        -------
        list of ndarray of int
            One array per PWL stage (in the order of :attr:`pwl_indices`): ``(units,)`` for a
            point, ``(B, units)`` for a batch.

        Raises
        ------
        RegioncountError
            When ``x`` does not fit the network input.

        Examples
        --------
        >>> import numpy as np
        >>> net = Network.from_layers([(np.array([[1.0], [-1.0]]), np.zeros(2))])
        >>> [p.tolist() for p in net.pattern(np.array([3.0]))]
        [[1, 0]]
        >>> [p.tolist() for p in net.pattern(np.array([[3.0], [0.0]]))]      # 0: both off
        [[[1, 0], [0, 0]]]
        """
        X, single = self._as_batch(x)
        vals = self.forward(X)
        pats = [s.piece(vals[s.inputs[0]]) for s in self.stages if s.is_pwl]
        return [p[0] for p in pats] if single else pats

    def region_pattern(self, x, values: list | None = None) -> list[np.ndarray]:
        """The pattern of :meth:`pattern` numbered as the exact counts number it: every PWL
        stage's input is first rounded to multiples of ``EQUAL_PIECES_RTOL`` times (1 + its
        largest entry) at that point. A unit whose input is identically zero on a region,
        computed as +-1e-16 by cancellation, is then on the piece zero gives, and max-group
        entries equal up to rounding pick the first of them (docs/regions.md); without it
        points of one region can show several patterns. ``values``: :meth:`forward` of the
        batch ``x``, when already computed.

        Examples
        --------
        >>> import numpy as np
        >>> net = Network.from_layers([(np.array([[0.1], [0.2], [0.3]]), np.zeros(3)),
        ...                            (np.array([[1.0, 1.0, -1.0]]), np.zeros(1))])
        >>> net.forward(np.array([[1.0]]))[3]          # 0.1 x + 0.2 x - 0.3 x is zero for all x
        array([[5.55111512e-17]])
        >>> [p.tolist() for p in net.pattern(np.array([1.0]))]
        [[1, 1, 1], [1]]
        >>> [p.tolist() for p in net.region_pattern(np.array([1.0]))]
        [[1, 1, 1], [0]]
        """
        from .tolerances import EQUAL_PIECES_RTOL

        X, single = self._as_batch(x)
        vals = self.forward(X) if values is None else values
        pats = []
        for s in self.stages:
            if s.is_pwl:
                g = np.asarray(vals[s.inputs[0]], float).reshape(len(X), -1)
                q = EQUAL_PIECES_RTOL * (1.0 + np.abs(g).max(axis=1, keepdims=True))
                pats.append(s.piece(np.round(g / q) * q))
        return [p[0] for p in pats] if single else pats

    def affine_maps(self, x=None, pattern: Sequence[np.ndarray] | None = None
                    ) -> list[tuple[np.ndarray, np.ndarray]]:
        """The affine map of every stage's output as a function of the input, on one
        activation region.

        Parameters
        ----------
        x : array_like, optional
            A point; its region is used.
        pattern : sequence of ndarray, optional
            A pattern (one int array per PWL stage, as :meth:`pattern` returns for a point);
            used instead of ``x``.

        Returns
        -------
        list of (ndarray, ndarray)
            ``(A_k, c_k)`` per stage ``k`` (stage 0 the input: ``(I, 0)``), with
            ``out_k(y) = A_k @ y + c_k`` for every ``y`` in the region.

        Raises
        ------
        RegioncountError
            When neither ``x`` nor ``pattern`` is given, or ``x`` does not fit the input.

        Examples
        --------
        >>> import numpy as np
        >>> net = Network.from_layers([(np.array([[1.0], [-1.0]]), np.array([0.0, 1.0]))])
        >>> maps = net.affine_maps(np.array([0.5]))       # relu(x), relu(1 - x): both on
        >>> [(A.tolist(), c.tolist()) for A, c in maps[1:]]
        [([[1.0], [-1.0]], [0.0, 1.0]), ([[1.0], [-1.0]], [0.0, 1.0])]
        >>> A, c = net.affine_maps(pattern=[np.array([1, 0])])[-1]      # x > 0, x >= 1
        >>> (A + 0.0).tolist(), (c + 0.0).tolist()                       # + 0.0: no -0.0
        ([[1.0], [0.0]], [0.0, 0.0])
        """
        if pattern is None:
            if x is None:
                raise RegioncountError("affine_maps needs a point or a pattern")
            pattern = self.pattern(np.asarray(x, float).reshape(-1))
        pats = iter(pattern)
        n = self.input_size
        maps: list[tuple[np.ndarray, np.ndarray]] = [(np.eye(n), np.zeros(n))]
        for s in self.stages[1:]:
            maps.append(s.stage_map(maps, next(pats) if s.is_pwl else None))
        return maps

    def region_rows(self, pattern) -> tuple[np.ndarray, np.ndarray]:
        """``(G, h)``: the rows ``G x <= h`` on the input that pin every PWL unit on its piece of
        ``pattern`` (one array per PWL stage); the region is their interior inside the domain.
        Rows of units that are constant on the region are all zero."""
        maps = self.affine_maps(pattern=pattern)
        pats = iter(pattern)
        parts = [s.piece_rows(*maps[s.inputs[0]], np.asarray(next(pats)))
                 for s in self.stages if s.is_pwl]
        if not parts:
            return np.zeros((0, self.input_size)), np.zeros(0)
        return np.vstack([g for g, _ in parts]), np.concatenate([h for _, h in parts])

    def local_affine(self, x=None, pattern=None) -> tuple[np.ndarray, np.ndarray]:
        """The affine map the network computes on the activation region of ``x``.

        Parameters
        ----------
        x : array_like, optional
            A point.
        pattern : sequence of ndarray, optional
            A pattern, used instead of ``x`` (see :meth:`affine_maps`).

        Returns
        -------
        A : ndarray of shape (m, n)
        c : ndarray of shape (m,)
            ``net(y) = A @ y + c`` for every ``y`` in the region (``A`` is the Jacobian there,
            i.e. the saliency map of every output).

        Raises
        ------
        RegioncountError
            When neither ``x`` nor ``pattern`` is given, or ``x`` does not fit the input.

        Examples
        --------
        >>> import numpy as np
        >>> net = Network.from_layers([(np.array([[1.0], [-1.0]]), np.zeros(2))],
        ...                           final=(np.array([[1.0, 1.0]]), np.array([-0.5])))
        >>> A, c = net.local_affine(np.array([-2.0]))        # |x| - 0.5 = -x - 0.5 for x < 0
        >>> A.tolist(), c.tolist()
        ([[-1.0]], [-0.5])
        >>> y = np.array([-0.7])
        >>> bool(np.allclose(A @ y + c, net.evaluate(y)))
        True
        """
        return self.affine_maps(x, pattern)[self.output]

    def backward(self, x, rule: str = "saliency", output=None) -> np.ndarray:
        """One backward pass of saliency, DeconvNet or guided backprop (``rule`` in
        :data:`regioncount.stages.BACKWARD_RULES`), each stage applying its own rule.

        Parameters
        ----------
        x : array_like
            A point or a batch (B, n).
        output : int or array of int, optional
            Which output to explain (default: the argmax at each point).

        Returns
        -------
        ndarray
            The map on the input, shaped like the flat batch (or one point). For
            ``"saliency"`` it is the row ``output`` of :meth:`local_affine`'s matrix.
        """
        X, single = self._as_batch(x)
        vals = self.forward(X)
        out = vals[self.output]
        k = out.argmax(axis=1) if output is None else np.broadcast_to(output, (X.shape[0],))
        if rule not in BACKWARD_RULES:
            raise RegioncountError(f"unknown backward rule {rule!r} (choose from "
                                   f"{', '.join(BACKWARD_RULES)})")
        if np.any((k < 0) | (k >= out.shape[1])):
            raise RegioncountError(f"output index out of range: the network has {out.shape[1]} outputs")
        grads: list = [None] * len(self.stages)
        grads[self.output] = np.zeros_like(out)
        grads[self.output][np.arange(X.shape[0]), k] = 1.0
        for j in range(self.output, 0, -1):
            if grads[j] is not None:
                for i, gi in self.stages[j].backprop(grads[j], vals, rule):
                    grads[i] = gi if grads[i] is None else grads[i] + gi
        res = grads[0] if grads[0] is not None else np.zeros_like(X)
        return res[0] if single else res
