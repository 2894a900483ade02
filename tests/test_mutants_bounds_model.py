"""Tests written against the mutants of regioncount/bounds/model.py and bounds/linalg.py
(benchmarks/mutation.py, docs/benchmarks.md "Mutation score"): ranks and counts of linearly
independent row subsets against a brute force in exact rational arithmetic (Gaussian
elimination over :class:`fractions.Fraction`, every subset of rows tried)."""

from __future__ import annotations

import itertools
from fractions import Fraction
from math import comb

import numpy as np
import pytest
import scipy.sparse as sp

from regioncount.bounds.linalg import (DENSE_RANK_FLOPS, _z_exceeds, count_independent_rows,
                                       matrix_rank)


def _exact_rank(rows) -> int:
    M = [[Fraction(float(v)) for v in r] for r in rows]
    rank, col = 0, 0
    ncols = len(M[0]) if M else 0
    for col in range(ncols):
        piv = next((i for i in range(rank, len(M)) if M[i][col] != 0), None)
        if piv is None:
            continue
        M[rank], M[piv] = M[piv], M[rank]
        for i in range(len(M)):
            if i != rank and M[i][col] != 0:
                f = M[i][col] / M[rank][col]
                M[i] = [a - f * b for a, b in zip(M[i], M[rank])]
        rank += 1
    return rank


def _brute_independent(W) -> int:
    W = np.asarray(W, float)
    m = W.shape[0]
    return sum(1 for k in range(m + 1) for S in itertools.combinations(range(m), k)
               if _exact_rank(W[list(S)]) == k)


MATRICES = {
    "three lines": [[1, 0], [0, 1], [1, 1]],
    "parallel": [[1, 0], [2, 0], [0, 3]],
    "zero row": [[1, 2], [0, 0], [3, -1], [0, 0]],
    "3d dependent": [[1, 0, 0], [0, 1, 0], [1, 1, 0], [0, 0, 1], [2, 2, 0]],
    "general 3d": [[1, 2, 3], [0, 1, -1], [2, 0, 1], [1, 1, 1], [3, -2, 0]],
    "rank one": [[1, 2], [2, 4], [-3, -6]],
    "conv-like": [[1, 1, 0, 0], [0, 1, 1, 0], [0, 0, 1, 1], [1, 0, 0, 1], [1, -1, 1, -1]],
}


@pytest.mark.parametrize("name", sorted(MATRICES))
def test_independent_row_subsets_against_brute_force(name):
    W = np.array(MATRICES[name], float)
    want = _brute_independent(W)
    assert count_independent_rows(W) == want
    assert count_independent_rows(sp.csr_matrix(W)) == want
    assert count_independent_rows(W, rank=_exact_rank(W)) == want
    assert matrix_rank(W) == (_exact_rank(W), "svd")
    assert matrix_rank(sp.csr_matrix(W)) == (_exact_rank(W), "svd")


def test_the_limit_refuses_large_enumerations():
    W = np.array(MATRICES["general 3d"], float)      # 5 rows of rank 3: Z(5, 3) = 26
    assert count_independent_rows(W, limit=26) == 26
    assert count_independent_rows(W, limit=25) is None
    # many rows of rank one: Z(m, min(m, n)) is large but Z(m, 1) = m + 1 is not
    R = np.outer(np.arange(1, 31), [1.0, 2.0, -1.0])
    assert count_independent_rows(R, limit=31) == 31
    assert count_independent_rows(R, limit=30) is None
    assert count_independent_rows(R, limit=31, rank=1) == 31
    # zero rows count in the limit (Z(8, 2) = 37), then are dropped: the 7 sets of 3 lines
    Z = np.vstack([np.array(MATRICES["three lines"], float), np.zeros((5, 2))])
    assert count_independent_rows(Z, limit=37) == 7
    assert count_independent_rows(Z, limit=36) is None


def test_z_exceeds():
    for m in range(0, 7):
        for r in range(0, 7):
            z = sum(comb(m, j) for j in range(min(m, r) + 1))
            for limit in (z - 1, z, z + 1):
                assert _z_exceeds(m, r, limit) == (z > limit), (m, r, limit)


def test_rank_of_empty_zero_and_large_sparse_matrices():
    assert matrix_rank(np.zeros((0, 3))) == (0, "svd")
    assert matrix_rank(np.zeros((3, 0))) == (0, "svd")
    assert matrix_rank(np.zeros((2, 3))) == (0, "svd")
    assert count_independent_rows(np.zeros((3, 2))) == 1          # only the empty set
    # too large for a dense SVD: the structural rank (an upper bound)
    n = int(round(DENSE_RANK_FLOPS ** (1 / 3))) + 10
    S = sp.eye(n, format="csr")
    assert matrix_rank(S) == (n, "structural")
    # a block of ones: rank n - 1, structural rank n (the upper bound)
    T = sp.block_diag([np.ones((2, 2)), sp.eye(n - 2)], format="csr")
    assert matrix_rank(T) == (n, "structural")
    # explicit zeros are not structure
    Z = sp.csr_matrix((np.zeros(n), (np.arange(n), np.arange(n))), shape=(n, n))
    assert matrix_rank(Z) == (0, "structural")
