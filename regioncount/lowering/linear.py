"""Affine expressions of earlier stages: the value the lowering keeps for every ONNX tensor
that depends on the network input.

A :class:`LinearValue` of shape ``s`` means ``value = sum_k terms[k] @ out(stage k) + bias``
flattened in C order (``terms[k]`` has ``prod(s)`` rows). Linear ONNX ops left-multiply every
term and the bias by the op's matrix, so consecutive affine ops fuse; data movement ops
row-index the terms (:func:`take`).

Examples
--------
>>> import numpy as np
>>> v = identity_value(0, (1, 3))
>>> w = apply_matrix(v, np.array([[1.0, 2.0, 3.0]]), np.array([1.0]), (1, 1), "g")
>>> w.terms[0].tolist(), w.bias.tolist(), w.nodes
([[1.0, 2.0, 3.0]], [1.0], ('g',))
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from ..memory import check_memory

#: A product or sum of sparse matrices is stored dense once more than this fraction of its
#: entries are non-zero (sparse storage costs about three times a dense entry, and dense
#: products are faster). A storage choice only: it never changes a value.
DENSE_DENSITY = 0.25

#: Sparse matrices with fewer entries than this are always stored dense (no gain from
#: sparsity, and dense is simpler for every consumer).
SMALL_MATRIX = 4096


def _unique(*seqs) -> tuple[str, ...]:
    out: dict[str, None] = {}
    for s in seqs:
        for x in s:
            out[x] = None
    return tuple(out)


@dataclass(eq=False)
class LinearValue:
    """``sum_k terms[k] @ out(stage k) + bias`` with tensor shape ``shape`` (batch 1)."""

    shape: tuple[int, ...]
    terms: dict
    bias: np.ndarray
    nodes: tuple[str, ...] = ()
    #: the stage index when this value is exactly that stage's output (identity, zero bias)
    ident: int | None = field(default=None)

    @property
    def size(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64))

    def reshaped(self, shape, node: str | None = None) -> "LinearValue":
        nodes = self.nodes if node is None else _unique(self.nodes, (node,))
        return LinearValue(tuple(int(s) for s in shape), self.terms, self.bias, nodes, self.ident)


def identity_value(stage: int, shape) -> LinearValue:
    """The output of stage ``stage`` itself."""
    n = int(np.prod(shape, dtype=np.int64))
    return LinearValue(tuple(int(s) for s in shape), {stage: sp.identity(n, format="csr")},
                       np.zeros(n), (), stage)


def constant_value(value, shape=None) -> LinearValue:
    """A constant as a LinearValue without terms."""
    v = np.asarray(value, dtype=float)
    shape = v.shape if shape is None else tuple(shape)
    return LinearValue(tuple(shape), {}, np.broadcast_to(v, shape).ravel().copy())


def tidy(M):
    """Store ``M`` dense or CSR according to :data:`DENSE_DENSITY`."""
    if sp.issparse(M):
        r, c = M.shape
        if r * c <= SMALL_MATRIX or M.nnz > DENSE_DENSITY * r * c:
            return np.asarray(M.toarray())
        M = sp.csr_array(M)
        return M
    return np.asarray(M)


def _dense_ok(rows: int, cols: int) -> None:
    """Refuse a dense ``rows x cols`` result past the memory limit (before computing it)."""
    check_memory(8 * int(rows) * int(cols), f"a dense {int(rows):,} x {int(cols):,} matrix")


def mm(A, B):
    """``A @ B`` for dense or sparse operands; dense when either operand is dense."""
    if sp.issparse(A) and sp.issparse(B):
        return tidy(sp.csr_array(A @ B))
    _dense_ok(A.shape[0], B.shape[1])
    if sp.issparse(B):
        return np.asarray((B.T @ np.asarray(A).T).T)
    if sp.issparse(A):
        return np.asarray(A @ B)
    return np.asarray(A) @ np.asarray(B)


def madd(A, B):
    if sp.issparse(A) and sp.issparse(B):
        return tidy(sp.csr_array(A + B))
    _dense_ok(*A.shape)
    A = A.toarray() if sp.issparse(A) else A
    B = B.toarray() if sp.issparse(B) else B
    return np.asarray(A) + np.asarray(B)


def apply_matrix(v: LinearValue, M, c, shape, node: str) -> LinearValue:
    """The value ``M @ v + c`` (``M`` dense or sparse with ``v.size`` columns)."""
    terms = {k: mm(M, T) for k, T in v.terms.items()}
    bias = np.asarray(mm(M, v.bias[:, None])).ravel()
    if c is not None:
        bias = bias + np.broadcast_to(np.asarray(c, dtype=float).ravel(), bias.shape)
    return LinearValue(tuple(shape), terms, bias, _unique(v.nodes, (node,)))


def scale_rows(v: LinearValue, s, c, node: str) -> LinearValue:
    """The elementwise value ``s * v + c`` (``s``, ``c`` flat or scalars)."""
    s = np.broadcast_to(np.asarray(s, dtype=float).ravel(), (v.size,))
    terms = {}
    for k, T in v.terms.items():
        if sp.issparse(T):
            terms[k] = tidy(sp.csr_array(sp.diags_array(s) @ T))
        else:
            terms[k] = T * s[:, None]
    bias = v.bias * s
    if c is not None:
        bias = bias + np.broadcast_to(np.asarray(c, dtype=float).ravel(), bias.shape)
    return LinearValue(v.shape, terms, bias, _unique(v.nodes, (node,)))


def take(v: LinearValue, g: np.ndarray, shape, node: str | None) -> LinearValue:
    """Rows ``g`` of ``v`` (a gather index in C order) as a value of shape ``shape``."""
    g = np.asarray(g, dtype=np.int64).ravel()
    if g.size == v.size and np.array_equal(g, np.arange(v.size)):
        return v.reshaped(shape, node)
    terms = {}
    for k, T in v.terms.items():
        terms[k] = tidy(sp.csr_array(T[g])) if sp.issparse(T) else T[g]
    nodes = v.nodes if node is None else _unique(v.nodes, (node,))
    return LinearValue(tuple(shape), terms, v.bias[g], nodes)


def broadcast(v: LinearValue, shape, node: str | None = None) -> LinearValue:
    """``v`` broadcast (numpy rules) to ``shape``."""
    shape = tuple(int(s) for s in shape)
    if v.shape == shape:
        return v
    g = np.broadcast_to(np.arange(v.size).reshape(v.shape), shape)
    return take(v, g, shape, node)


def add(values, shape, node: str, signs=None) -> LinearValue:
    """Sum (with signs) of LinearValues already of the same size."""
    signs = signs or [1.0] * len(values)
    terms: dict = {}
    bias = np.zeros(int(np.prod(shape, dtype=np.int64)))
    nodes: tuple[str, ...] = ()
    for v, s in zip(values, signs):
        for k, T in v.terms.items():
            T = T if s == 1.0 else -T
            terms[k] = madd(terms[k], T) if k in terms else T
        bias = bias + s * v.bias
        nodes = _unique(nodes, v.nodes)
    return LinearValue(tuple(shape), terms, bias, _unique(nodes, (node,)))


def vstack(values) -> LinearValue:
    """Concatenate the flat rows of several values (shape: (total,))."""
    keys = sorted({k for v in values for k in v.terms})
    terms = {}
    for k in keys:
        cols = next(v.terms[k].shape[1] for v in values if k in v.terms)
        blocks = [v.terms[k] if k in v.terms else sp.csr_array((v.size, cols)) for v in values]
        if any(not sp.issparse(b) for b in blocks):
            _dense_ok(sum(b.shape[0] for b in blocks), cols)
            terms[k] = np.vstack([b.toarray() if sp.issparse(b) else b for b in blocks])
        else:
            terms[k] = tidy(sp.csr_array(sp.vstack(blocks)))
    bias = np.concatenate([v.bias for v in values]) if values else np.zeros(0)
    return LinearValue((int(bias.size),), terms, bias, _unique(*(v.nodes for v in values)))
