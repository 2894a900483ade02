"""Ranks of (possibly sparse, unrolled-convolution) weight matrices and the number of
linearly independent subsets of their rows.

The exact maximum number of regions of one layer ``relu(W x + b)`` over generic biases ``b``
is the number of linearly independent subsets of rows of ``W`` (Zaslavsky 1975: a generic
translate of a central arrangement has as many regions as its matroid has independent sets;
the empty set counts). For rows in general position that is ``Z(m, rank W)``; tied weights
(convolutions) make it smaller. Counting independent sets is #P-hard in general, so
:func:`count_independent_rows` enumerates them only while ``Z(m, rank W)`` (an upper bound
on the count) is at most :data:`INDEPENDENT_SETS_LIMIT`.

Examples
--------
>>> import numpy as np
>>> W = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])   # three lines in the plane
>>> count_independent_rows(W)     # {}, 3 singletons, 3 pairs: the 7 regions of 3 lines
7
>>> count_independent_rows(np.array([[1.0, 0.0], [2.0, 0.0]]))   # two parallel lines
3
"""

from __future__ import annotations

import logging

import numpy as np
import scipy.sparse as sp

from ..tolerances import RANK_RTOL

log = logging.getLogger(__name__)

#: Largest ``m * n * min(m, n)`` (flops of a dense SVD) for which a rank is computed exactly;
#: above it the structural rank (maximum matching of the sparsity pattern, an upper bound on
#: the rank) is used, which keeps every bound valid. 2e9 is about one second on one core.
DENSE_RANK_FLOPS = 2_000_000_000

#: :func:`count_independent_rows` enumerates only when ``Z(m, rank) <= INDEPENDENT_SETS_LIMIT``.
INDEPENDENT_SETS_LIMIT = 200_000


def matrix_rank(W) -> tuple[int, str]:
    """Rank of a dense or sparse matrix: ``(rank, method)``.

    ``method`` is ``"svd"`` (singular values above ``RANK_RTOL * s_max``; exact up to that
    tolerance) or ``"structural"`` (too large for a dense SVD: the structural rank, an upper
    bound on the rank).

    >>> matrix_rank(np.array([[1.0, 2.0], [2.0, 4.0], [0.0, 0.0]]))
    (1, 'svd')
    """
    m, n = W.shape
    if m == 0 or n == 0:
        return 0, "svd"
    if m * n * min(m, n) <= DENSE_RANK_FLOPS:
        A = W.toarray() if sp.issparse(W) else np.asarray(W, dtype=float)
        s = np.linalg.svd(A, compute_uv=False)
        if s.size == 0 or s[0] == 0:
            return 0, "svd"
        return int(np.sum(s > RANK_RTOL * s[0])), "svd"
    from scipy.sparse.csgraph import structural_rank

    S = sp.csr_matrix(W)
    S.eliminate_zeros()
    return int(structural_rank(S)), "structural"


def _z_exceeds(m: int, r: int, limit: int) -> bool:
    """``Z(m, r) > limit``, stopping as soon as the partial sum exceeds it."""
    total, c = 0, 1
    for j in range(min(m, r) + 1):
        total += c
        if total > limit:
            return True
        c = c * (m - j) // (j + 1)
    return False


def count_independent_rows(W, limit: int = INDEPENDENT_SETS_LIMIT,
                           rank: int | None = None) -> int | None:
    """Number of linearly independent subsets of rows of ``W`` (the empty set included).

    Depth-first over subsets in row order, keeping an orthonormal basis of the current set;
    a dependent set is never extended (its supersets are dependent). When the current set
    and all remaining rows are jointly independent, all their ``2^r`` extensions are counted
    at once.

    Parameters
    ----------
    W : array or sparse matrix, shape (m, n)
    limit : int
        Return ``None`` without enumerating when ``Z(m, rank W)`` exceeds it.
    rank : int, optional
        ``rank(W)`` (or an upper bound) when already known.

    Returns
    -------
    int or None
    """
    m, n = W.shape
    if _z_exceeds(m, min(m, n), limit):
        # maybe the rank is small (e.g. parallel rows); the rank is computed without
        # densifying large sparse matrices (structural rank: an upper bound, so a safe test)
        r0 = matrix_rank(W)[0] if rank is None else rank
        if _z_exceeds(m, r0, limit):
            return None
    A = W.toarray() if sp.issparse(W) else np.asarray(W, dtype=float)
    norms = np.linalg.norm(A, axis=1)
    keep = norms > 0            # a zero row is a constant unit: it never splits anything
    A = A[keep] / norms[keep, None]
    m = A.shape[0]
    r, _ = matrix_rank(A)
    if _z_exceeds(m, r, limit):
        return None

    def rank_rows(rows: np.ndarray) -> int:
        return matrix_rank(rows)[0] if rows.shape[0] else 0

    def dfs(start: int, Q: np.ndarray) -> int:
        k = Q.shape[0]
        rest = m - start
        if rest == 0:
            return 1
        if k + rest <= r and rank_rows(np.vstack([Q, A[start:]])) == k + rest:
            return 2 ** rest
        total = 1                                  # the current set itself
        for i in range(start, m):
            v = A[i] - Q.T @ (Q @ A[i]) if k else A[i].copy()
            v -= Q.T @ (Q @ v) if k else 0.0       # re-orthogonalise once
            nv = np.linalg.norm(v)
            if nv > RANK_RTOL:
                total += dfs(i + 1, np.vstack([Q, v / nv]) if k else (v / nv)[None, :])
        return total

    return dfs(0, np.zeros((0, A.shape[1])))


__all__ = ["matrix_rank", "count_independent_rows", "DENSE_RANK_FLOPS", "INDEPENDENT_SETS_LIMIT"]
