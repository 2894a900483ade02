"""Tests written against the mutants of regioncount/bounds/model.py and bounds/linalg.py
(benchmarks/mutation.py, docs/benchmarks.md "Mutation score"): ranks and counts of linearly
independent row subsets against a brute force in exact rational arithmetic (Gaussian
elimination over :class:`fractions.Fraction`, every subset of rows tried); what a chain is,
ranks through consecutive affine stages, and the report's domain text and notes."""

from __future__ import annotations

import itertools
from fractions import Fraction
from math import comb

import numpy as np
import pytest
import scipy.sparse as sp

from regioncount import Domain, Network
from regioncount.bounds.linalg import (DENSE_RANK_FLOPS, _z_exceeds, count_independent_rows,
                                       matrix_rank)
from regioncount.bounds.model import bounds_for_network, network_architecture
from regioncount.errors import RegioncountError
from regioncount.intervals import interval_bounds
from regioncount.network import Affine, Input, Relu


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


# -- network_architecture: what a chain is, ranks through affine stages, the report's text ----


def _aff(size, src, rng, cols, W=None):
    W = rng.normal(size=(size, cols)) if W is None else np.asarray(W, float)
    return Affine(size=size, sources=(src,), weights=(W,), bias=rng.normal(size=size))


def _layers(rng, sizes, extra=()):
    """In(sizes[0]) -> (affine -> ReLU) per width; ``extra``: stages appended after the
    output (dead branches), as (size, source) affines."""
    st = [Input(size=sizes[0])]
    prev, prev_size = 0, sizes[0]
    for w in sizes[1:]:
        st.append(_aff(w, prev, rng, prev_size))
        st.append(Relu(size=w, source_index=len(st) - 1))
        prev, prev_size = len(st) - 1, w
    out = len(st) - 1
    for size, src in extra:
        st.append(_aff(size, src, rng, st[src].size))
    return Network(st, output=out)


def _not_a_chain(net):
    A = network_architecture(net)
    assert A.chain is False and A.ranks is None and A.first_matrix is None
    assert [l.rank_method for l in A.layers] == ["-"] * len(A.layers)
    assert [l.rank for l in A.layers] == [None] * len(A.layers)


def test_a_stage_read_twice_is_not_a_chain():
    rng = np.random.default_rng(0)
    assert network_architecture(_layers(rng, (2, 3, 3, 2))).chain is True
    _not_a_chain(_layers(rng, (2, 3, 2), extra=[(1, 0)]))          # the input read twice
    _not_a_chain(_layers(rng, (2, 3, 2), extra=[(1, 2)]))          # the first ReLU read twice
    _not_a_chain(_layers(rng, (2, 3, 3, 2), extra=[(1, 4)]))       # the middle ReLU
    _not_a_chain(_layers(rng, (2, 3, 3, 3, 2), extra=[(1, 6)]))    # the third of four


def test_a_layer_that_skips_the_previous_one_is_not_a_chain():
    """In -> A1 -> R1, and R2 reads A1 (not R1): every stage is read at most once."""
    rng = np.random.default_rng(1)
    st = [Input(size=2), _aff(3, 0, rng, 2), Relu(size=3, source_index=1), _aff(2, 1, rng, 3),
          Relu(size=2, source_index=3)]
    _not_a_chain(Network(st))


def test_ranks_compose_consecutive_affine_stages_and_identities():
    rng = np.random.default_rng(2)
    W1 = rng.normal(size=(3, 2))                                   # rank 2
    W2 = np.outer([1.0, 2.0, -1.0], [1.0, 0.5, 3.0])               # rank 1
    st = [Input(size=2), _aff(3, 0, rng, 2, W1), _aff(3, 1, rng, 3, W2),
          Relu(size=3, source_index=2), Relu(size=3, source_index=3),   # a ReLU of a ReLU
          _aff(2, 4, rng, 3), Relu(size=2, source_index=5)]
    A = network_architecture(Network(st))
    assert A.chain is True and A.arch == (2, 3, 3, 2)
    assert A.ranks == (1, 3, 2)                                    # rank(W2 @ W1) = 1
    assert [l.rank_method for l in A.layers] == ["svd", "identity", "svd"]
    assert np.allclose(A.first_matrix, W2 @ W1)
    # a ReLU straight on the input: the identity of the input's size
    st = [Input(size=3), Relu(size=3, source_index=0), _aff(2, 1, rng, 3),
          Relu(size=2, source_index=2)]
    A = network_architecture(Network(st))
    assert A.ranks == (3, 2) and A.layers[0].rank_method == "identity"


def test_an_affine_network_is_refused_by_name():
    net = Network([Input(size=2), _aff(1, 0, np.random.default_rng(3), 2)], name="lin.onnx")
    with pytest.raises(RegioncountError,
                       match=r"^lin\.onnx: the network has no PWL unit \(it is affine: one region\)$"):
        network_architecture(net)


@pytest.mark.parametrize("lo, hi, A, text", [
    ([-1, -1], [1, 1], None, "[-1, 1]^2"),
    ([0, 0], [1, 2], None, "box of 2 coordinates"),
    ([0, 1], [2, 2], None, "box of 2 coordinates"),
    ([0, 0], [1, 1], [[1.0, 1.0], [1.0, -1.0], [-1.0, 0.5]], "[0, 1]^2 with 3 half-spaces"),
    ([0, 0], [1, 2], [[1.0, 1.0]], "box of 2 coordinates with 1 half-spaces"),
])
def test_the_report_names_its_domain(lo, hi, A, text):
    net = _layers(np.random.default_rng(4), (2, 3))
    b = None if A is None else np.full(len(A), 0.5)
    dom = Domain(np.array(lo, float), np.array(hi, float),
                 A=None if A is None else np.array(A), b=b)
    assert bounds_for_network(net, dom).domain == text


def test_the_note_says_where_the_stable_units_come_from():
    net = _layers(np.random.default_rng(5), (2, 3, 2))
    dom = Domain.box(-1, 1, 2)
    nb = interval_bounds(net, dom)

    class Given:                                   # neuron bounds that do not say their method
        def pre(self, k):
            return nb.pre(k)

    def note(r):
        return next(n for n in r.notes if n.startswith("stable units"))

    assert note(bounds_for_network(net, dom)).startswith(
        "stable units on the domain from interval bounds")
    assert note(bounds_for_network(net, dom, neuron_bounds=Given())).startswith(
        "stable units on the domain from given bounds")


def _maxout_net(rng):
    """2 -> affine 6 -> max over groups of 3 (2 maxout units of rank 3)."""
    from regioncount.network import MaxGroups

    return Network([Input(size=2),
                    Affine(size=6, sources=(0,), weights=(rng.normal(size=(6, 2)),),
                           bias=rng.normal(size=6)),
                    MaxGroups(size=2, source_index=1, indptr=np.array([0, 3, 6]),
                              indices=np.arange(6))], name="two maxouts")


def test_a_maxout_rank_beside_max_groups_is_noted_as_unused():
    rng = np.random.default_rng(6)
    note = "maxout rank 3 not used: the model's max groups give the ranks"
    r = bounds_for_network(_maxout_net(rng), maxout_rank=3)
    assert note in r.notes and r.maxout_rank == 3
    assert not any("not used" in n for n in bounds_for_network(_maxout_net(rng)).notes)
    relu = bounds_for_network(_layers(rng, (2, 3)), maxout_rank=3)
    assert not any("not used" in n for n in relu.notes) and relu.maxout_rank == 3


def test_the_report_names_its_source_and_the_references_of_its_extras():
    rng = np.random.default_rng(7)
    net = _layers(rng, (2, 3))
    net.name = "two-three"
    r = bounds_for_network(net)
    assert r.source == "two-three" and r.maxout_rank is None
    assert r.references["pieces_product"] == "every unit is on one of its pieces"
    assert r.references["layer1_independent_sets"] == (
        "Zaslavsky 1975 (independent sets of the rows of W1)")
    assert r.bounds["layer1_independent_sets"] == 7     # 3 lines in general position in 2-D
    assert r.reasons["layer1_independent_sets"] == "exact maximum over biases for these weights"


def test_too_many_independent_sets_say_why():
    r = bounds_for_network(_layers(np.random.default_rng(8), (2, 3)), independent_sets_limit=2)
    assert r.bounds["layer1_independent_sets"] is None
    assert r.reasons["layer1_independent_sets"] == (
        "Z(n1, rank W1) > 2 subsets: too many to enumerate")


def test_a_rank_too_large_for_svd_is_noted_with_its_layer_and_shape(monkeypatch):
    import regioncount.bounds.linalg as linalg

    monkeypatch.setattr(linalg, "DENSE_RANK_FLOPS", 0)
    net = _layers(np.random.default_rng(9), (2, 3, 4))
    notes = network_architecture(net).notes
    assert notes[:2] == (
        "layer 1 (3 x 2): rank replaced by the structural rank 2 (an upper bound; too large "
        "for SVD)",
        "layer 2 (4 x 3): rank replaced by the structural rank 3 (an upper bound; too large "
        "for SVD)")


def test_a_relu_on_the_input_has_the_identity_as_first_matrix():
    """In(2) -> ReLU -> affine 3 -> ReLU: the first layer's rows are the 2 unit vectors,
    whose independent subsets are all 4 subsets."""
    rng = np.random.default_rng(10)
    net = Network([Input(size=2), Relu(size=2, source_index=0), _aff(3, 1, rng, 2),
                   Relu(size=3, source_index=2)])
    A = network_architecture(net)
    assert A.first_matrix.format == "csr" and (A.first_matrix != sp.identity(2)).nnz == 0
    r = bounds_for_network(net)
    assert r.bounds["layer1_independent_sets"] == 4
    assert r.reasons["layer1_independent_sets"] == "the first layer alone, over generic biases"


def test_a_maxout_rank_is_dropped_for_a_network_with_max_groups():
    from regioncount.bounds.model import bound_input

    rng = np.random.default_rng(11)
    assert bound_input(network_architecture(_maxout_net(rng)), 3).maxout_rank is None
    assert bound_input(network_architecture(_layers(rng, (2, 3))), 3).maxout_rank == 3


def test_a_leaky_first_layer_has_independent_sets_too():
    """Three leaky-ReLU lines in general position in the plane: 1 + 3 + 3 = 7 subsets."""
    rng = np.random.default_rng(12)
    layers = [(rng.normal(size=(3, 2)), rng.normal(size=3))]
    r = bounds_for_network(Network.from_layers(layers, activation="leaky_relu", alpha=0.1))
    assert r.bounds["layer1_independent_sets"] == 7


def test_short_rows_are_normalised_before_the_rank_tolerance():
    """Two tiny orthogonal rows and their sum: independence does not depend on scale, so the
    count is that of three lines in general position (1 + 3 + 3)."""
    W = 1e-6 * np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    assert count_independent_rows(W) == 7 == _brute_independent(W)
