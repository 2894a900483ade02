"""Tests written against the mutants of regioncount/enumeration/exact.py (benchmarks/mutation.py,
docs/benchmarks.md "Mutation score"): the rounding-error constants and the exact rationals,
checked against :class:`fractions.Fraction` arithmetic and the formulas of Higham's bound."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import scipy.sparse as sp

from regioncount.enumeration import exact as ex
from regioncount.enumeration.exact import (Q, abs_matrix, exact, gamma, no_underflow,
                                           rational_weights, set_floor)


def test_constants_and_gamma():
    assert ex.U == Fraction(1, 2 ** 53)
    assert 1.0 < ex.INFLATE < 1.0 + 1e-6
    assert ex.UNDERFLOW_FLOOR == 1e-300
    for k in (1, 2, 7, 1000):
        u = Fraction(1, 2 ** 53)
        want = k * u / (1 - k * u)
        assert Fraction(gamma(k)) == pytest.approx(want, rel=1e-15)
        assert gamma(k) > k * ex.U
    assert gamma(0) == 0.0


def test_set_floor_returns_the_old_value():
    old = set_floor(1e-200)
    try:
        assert ex.FLOOR == 1e-200
        assert set_floor(3) == 1e-200 and ex.FLOOR == 3.0 and isinstance(ex.FLOOR, float)
    finally:
        set_floor(old)
    assert ex.FLOOR == old


def test_no_underflow_threshold():
    # depth * log2(smallest nonzero) must stay above -1000
    assert no_underflow([np.array([2.0 ** -100])], 9)
    assert not no_underflow([np.array([2.0 ** -100])], 10)
    assert not no_underflow([np.array([2.0 ** -100])], 11)
    # the smallest over every array; zeros, infinities and signs ignored
    vals = [np.array([1.0, 0.0, -2.0 ** -50]), np.array([np.inf, 3.0]), np.array([])]
    assert no_underflow(vals, 19) and not no_underflow(vals, 20)
    assert no_underflow([np.zeros(3), np.array([np.inf])], 10 ** 6)     # nothing nonzero
    assert no_underflow([np.array([5.0, 1e10])], 10 ** 6)               # nothing below 1
    # sparse matrices: their stored values
    S = sp.csr_matrix(np.array([[0.0, 2.0 ** -200], [1.0, 0.0]]))
    assert no_underflow([S], 4) and not no_underflow([S], 5)


def test_q_arithmetic_stays_exact():
    a = Q(0.1)
    assert isinstance(a, Fraction) and a == Fraction(0.1)
    cases = [(a + 0.2, Fraction(0.1) + Fraction(0.2)), (0.2 + a, Fraction(0.2) + Fraction(0.1)),
             (a - 0.2, Fraction(0.1) - Fraction(0.2)), (0.2 - a, Fraction(0.2) - Fraction(0.1)),
             (a * 3, Fraction(0.1) * 3), (np.float64(0.5) * a, Fraction(0.1) / 2),
             (a / 0.5, Fraction(0.1) * 2), (1 / a, 1 / Fraction(0.1)),
             (a + np.int64(2), Fraction(0.1) + 2),
             (a + Fraction(1, 3), Fraction(0.1) + Fraction(1, 3)),
             (-a, -Fraction(0.1)), (abs(Q(-0.75)), Fraction(3, 4))]
    for got, want in cases:
        assert got == want and type(got) is Q
    assert repr(Q(1, 2)) == "Q(1, 2)" and repr(-Q(3, 4)) == "Q(-3, 4)"
    assert (a + Q(0.2)) != Q(0.3)                  # exact: 0.1 + 0.2 is not 0.3 in binary
    with pytest.raises(TypeError):
        a + "x"
    # an object array of Q mixed with floats stays exact
    v = exact(np.array([0.1, 0.2])) + np.array([0.2, 0.1])
    assert all(type(x) is Q for x in v) and v[0] == v[1] == Fraction(0.1) + Fraction(0.2)


def test_exact_arrays():
    A = np.array([[0.1, -2.5], [3.0, 1e-300]])
    E = exact(A)
    assert E.dtype == object and E.shape == (2, 2)
    assert all(type(x) is Q and x == Fraction(float(v)) for x, v in zip(E.ravel(), A.ravel()))
    S = exact(sp.csr_matrix(A))
    assert S.shape == (2, 2) and list(S.ravel()) == list(E.ravel())
    assert exact(np.array(7)).shape == () and exact([1, 2]).tolist() == [Q(1), Q(2)]
    M = np.array([[1.0, -2.0]])
    assert abs_matrix(M).tolist() == [[1.0, 2.0]]
    assert abs_matrix(sp.csr_matrix(M)).toarray().tolist() == [[1.0, 2.0]]


def test_rational_weights():
    got = rational_weights(np.array([0.5, 1.0, -0.3, 0.0]))
    assert list(got) == [Fraction(1, 2), 1, 0, 0] and all(type(x) is Q for x in got)
    # scaled so the largest is 1, then small denominators
    got = rational_weights(np.array([2.0, 4.0, 4.0 / 3.0]))
    assert list(got) == [Fraction(1, 2), 1, Fraction(1, 3)]
    got = rational_weights(np.array([1.0 / 3.0, 1.0]), limit=2)
    assert list(got) == [Fraction(1, 2), 1]
    assert list(rational_weights(np.array([0.0, -1.0]))) == [0, 0]
    assert rational_weights(np.array([])).shape == (0,)


def _fraction_dot(W, M):
    """``W @ M`` in Fractions, product by product (the reference for exact_dot)."""
    W = np.asarray(W.toarray() if sp.issparse(W) else W, float)
    M2 = M.reshape(len(M), -1)
    out = [[sum((Fraction(float(W[i, k])) * Fraction(M2[k, j]) for k in range(W.shape[1])),
                Fraction(0)) for j in range(M2.shape[1])] for i in range(W.shape[0])]
    return np.array(out, dtype=object).reshape((W.shape[0],) + M.shape[1:])


@pytest.mark.parametrize("scale", [1.0, 2.0 ** 60, 2.0 ** -70])
def test_exact_dot_against_fractions(scale):
    """exact_dot against Fraction arithmetic: small weights (negative common exponent), huge
    ones (every weight a multiple of 2^8: the exponent is positive), tiny ones; vectors and
    matrices of rationals with unlike denominators; dense and sparse weights."""
    rng = np.random.default_rng(int(np.log2(scale)) + 100)
    W = rng.normal(size=(3, 4)) * scale
    W[1, 2] = 0.0
    if scale > 1:
        W = np.round(W / 2.0 ** 20) * 2.0 ** 20          # integers, all multiples of 2^20
    M = np.array([Q(1, 3), Q(-2, 7), Q(0.1), Q(5)], dtype=object)
    M2 = np.array([[Q(1, 3), Q(2)], [Q(-1, 6), Q(0)], [Q(3, 4), Q(1, 9)], [Q(0.25), Q(-5)]],
                  dtype=object)
    for Wx in (W, sp.csr_matrix(W)):
        for Mx in (M, M2):
            got = ex.exact_dot(Wx, Mx)
            want = _fraction_dot(Wx, Mx)
            assert got.shape == want.shape
            assert all(type(g) is Q and g == w for g, w in zip(got.ravel(), want.ravel()))
    _, e0 = ex._dyadic(W)
    assert (e0 >= 0) == (scale > 1)


def test_exact_dot_of_zero_weights():
    got = ex.exact_dot(np.zeros((2, 3)), np.array([Q(1, 3), Q(2), Q(-1)], dtype=object))
    assert got.tolist() == [0, 0] and all(type(g) is Q for g in got)
    M, e = ex._dyadic(np.zeros((1, 2)))
    assert M.tolist() == [[0, 0]]


def test_no_underflow_of_lists():
    """Array-likes (nested lists) as well as arrays."""
    assert no_underflow([[1.0, 2.0 ** -100]], 9) and not no_underflow([[2.0 ** -100]], 10)
