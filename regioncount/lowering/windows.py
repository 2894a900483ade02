"""Sliding windows of Conv, AveragePool and MaxPool as index arrays (vectorised numpy).

:func:`windows` gives, for every output position and kernel offset, the flat index of the
input position it reads (``-1`` in the padding). Conv and AveragePool turn it into a sparse
matrix; MaxPool into the groups of a MaxGroups stage.

Examples
--------
>>> w = windows((4,), (2,), (2,), (0,), (0,), (1,))
>>> w.out_shape, w.idx.tolist()
((2,), [[0, 1], [2, 3]])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp


@dataclass(frozen=True)
class Windows:
    out_shape: tuple[int, ...]
    #: (P, K) flat input index of output position p and kernel offset k, -1 in the padding
    idx: np.ndarray
    #: (P, K) True where the offset lies in the input or the padding (not beyond it)
    in_padded: np.ndarray


def resolve_pads(auto_pad: str, in_sp, kernel, strides, dilations, pads):
    """Begin and end pads after ``auto_pad`` (SAME_UPPER / SAME_LOWER / VALID / NOTSET)."""
    nd = len(in_sp)
    auto_pad = auto_pad or "NOTSET"
    if auto_pad == "NOTSET":
        pads = tuple(pads) if pads else (0,) * (2 * nd)
        return tuple(pads[:nd]), tuple(pads[nd:])
    if auto_pad == "VALID":
        return (0,) * nd, (0,) * nd
    begin, end = [], []
    for i in range(nd):
        out = -(-in_sp[i] // strides[i])
        eff = dilations[i] * (kernel[i] - 1) + 1
        total = max(0, (out - 1) * strides[i] + eff - in_sp[i])
        small = total // 2
        if auto_pad == "SAME_UPPER":
            begin.append(small)
            end.append(total - small)
        else:
            begin.append(total - small)
            end.append(small)
    return tuple(begin), tuple(end)


def windows(in_sp, kernel, strides, pad_begin, pad_end, dilations, ceil_mode=False) -> Windows:
    """Window index arrays for an N-d sliding window (ONNX Conv/pool conventions).

    With ``ceil_mode`` the output size is rounded up, and a last window that would start in
    the end padding is dropped (ONNX spec, as onnxruntime and PyTorch do).
    """
    nd = len(in_sp)
    out_shape, pos = [], []
    for i in range(nd):
        eff = dilations[i] * (kernel[i] - 1) + 1
        num = in_sp[i] + pad_begin[i] + pad_end[i] - eff
        o = (-(-num // strides[i]) if ceil_mode else num // strides[i]) + 1
        if ceil_mode and (o - 1) * strides[i] >= in_sp[i] + pad_begin[i]:
            o -= 1
        o = max(o, 0)
        out_shape.append(o)
        pos.append(np.arange(o)[:, None] * strides[i] - pad_begin[i]
                   + np.arange(kernel[i])[None, :] * dilations[i])
    flat = np.zeros((1,) * (2 * nd), dtype=np.int64)
    valid = np.ones((1,) * (2 * nd), dtype=bool)
    padded = np.ones((1,) * (2 * nd), dtype=bool)
    step = 1
    for i in reversed(range(nd)):
        shp = [1] * (2 * nd)
        shp[i], shp[nd + i] = out_shape[i], kernel[i]
        p = pos[i].reshape(shp)
        flat = flat + p * step
        valid = valid & (p >= 0) & (p < in_sp[i])
        padded = padded & (p < in_sp[i] + pad_end[i])
        step *= in_sp[i]
    P, K = int(np.prod(out_shape, dtype=np.int64)), int(np.prod(kernel, dtype=np.int64))
    full = tuple(out_shape) + tuple(kernel)
    flat = np.broadcast_to(flat, full).reshape(P, K)
    valid = np.broadcast_to(valid, full).reshape(P, K)
    padded = np.broadcast_to(padded, full).reshape(P, K)
    return Windows(tuple(out_shape), np.where(valid, flat, -1), padded)


def conv_matrix(W: np.ndarray, in_shape, win: Windows, group: int) -> sp.csr_array:
    """The sparse matrix of a convolution without bias on one sample ``in_shape = (C, *sp)``.

    Rows index the output ``(M, *out_sp)`` and columns the input, both in C order.
    """
    C = int(in_shape[0])
    S = int(np.prod(in_shape[1:], dtype=np.int64))
    M, Cg = int(W.shape[0]), int(W.shape[1])
    P, K = win.idx.shape
    Mg = M // group
    W3 = np.asarray(W, dtype=float).reshape(M, Cg, K)
    p_v, k_v = np.nonzero(win.idx >= 0)
    sp_v = win.idx[p_v, k_v]
    m = np.arange(M)[:, None, None]
    c = np.arange(Cg)[None, :, None]
    rows = m * P + p_v[None, None, :]
    cols = ((m // Mg) * Cg + c) * S + sp_v[None, None, :]
    data = W3[:, :, k_v]
    rows, cols = np.broadcast_arrays(rows, cols)
    keep = data != 0
    A = sp.csr_array((data[keep], (rows[keep], cols[keep])), shape=(M * P, C * S))
    return A


def pool_matrix(channels: int, S: int, win: Windows, count_include_pad: bool) -> sp.csr_array:
    """The sparse matrix of an average pool over ``channels`` planes of ``S`` inputs each."""
    P, K = win.idx.shape
    valid = win.idx >= 0
    div = (win.in_padded.sum(axis=1) if count_include_pad else valid.sum(axis=1)).astype(float)
    p_v, k_v = np.nonzero(valid)
    sp_v = win.idx[p_v, k_v]
    ch = np.arange(channels)[:, None]
    rows = ch * P + p_v[None, :]
    cols = ch * S + sp_v[None, :]
    data = np.broadcast_to(1.0 / div[p_v], rows.shape)
    rows, cols = np.broadcast_arrays(rows, cols)
    return sp.csr_array((data.ravel(), (rows.ravel(), cols.ravel())), shape=(channels * P, channels * S))


def pool_groups(channels: int, S: int, win: Windows) -> tuple[np.ndarray, np.ndarray]:
    """``(indptr, indices)`` of max-pool groups (padding excluded), channel-major."""
    valid = win.idx >= 0
    counts = valid.sum(axis=1)
    flat = win.idx[valid]  # row-major: grouped by output position
    indices = (np.arange(channels, dtype=np.int64)[:, None] * S + flat[None, :]).ravel()
    indptr = np.concatenate([[0], np.cumsum(np.tile(counts, channels))]).astype(np.int64)
    return indptr, indices
