"""Tests written against the mutants of regioncount/enumeration/lp.py (benchmarks/mutation.py,
docs/benchmarks.md "Mutation score"): the incremental Chebyshev-centre LP against scipy's
``linprog`` (HiGHS through another interface, built from scratch for every question), row by
row, in batches, truncated, synced, with fixed rows, a margin and the feasibility mode."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import linprog

from regioncount import Domain
from regioncount import tolerances as tol
from regioncount.errors import DomainError, SolverError
from regioncount.enumeration.lp import ChebyshevLP, new_highs, require_interior


def _rows(rng, m, n):
    A = rng.normal(size=(m, n))
    A /= np.linalg.norm(A, axis=1)[:, None]
    return A, rng.uniform(0.05, 0.6, size=m) + A @ np.full(n, 0.5)


def _reference(lo, hi, A, b):
    """max r s.t. a_i x + r <= b_i, lo <= x <= hi (the box bounds x, it is not a row)."""
    n = len(lo)
    res = linprog(np.r_[np.zeros(n), -1.0], A_ub=np.c_[A, np.ones(len(b))], b_ub=b,
                  bounds=[*zip(lo, hi), (None, None)], method="highs")
    assert res.status == 0
    return -res.fun


def _option(lp, name):
    got = lp.h.getOptionValue(name)
    return got[1] if isinstance(got, tuple) else got


def _check(lp, lo, hi, A, b):
    r, x = lp.solve()
    assert r == pytest.approx(_reference(lo, hi, A, b), abs=1e-9)
    assert np.all(x >= lo - 1e-12) and np.all(x <= hi + 1e-12)
    assert np.all(A @ x + r <= b + 1e-9)
    return r


@pytest.mark.parametrize("seed", range(3))
def test_rows_one_by_one_in_batches_truncated_and_synced(seed):
    rng = np.random.default_rng(seed)
    n = 3
    lo, hi = np.zeros(n), np.ones(n)
    A, b = _rows(rng, 6, n)
    one = ChebyshevLP(lo, hi)
    with pytest.raises(SolverError, match="Unbounded"):      # no row bounds the radius
        one.solve()
    keys = [object() for _ in range(6)]
    for k, a, bi in zip(keys, A, b):
        one.push(k, a, bi)
    assert one.rows == keys
    _check(one, lo, hi, A, b)
    many = ChebyshevLP(lo, hi)
    many.push_many(keys[:4], A[:4], b[:4])
    many.push_many([], A[:0], b[:0])
    many.push_many(keys[4:], A[4:], b[4:])
    assert many.rows == keys
    _check(many, lo, hi, A, b)
    one.truncate(3)
    assert one.rows == keys[:3]
    _check(one, lo, hi, A[:3], b[:3])
    one.truncate(5)                                   # longer than the path: nothing changes
    assert one.rows == keys[:3]
    # sync: keep the common prefix (by identity), replace the rest
    other = [keys[0], keys[1], keys[5], keys[4]]
    idx = {id(k): i for i, k in enumerate(keys)}
    asked = []

    def rowdata(key):
        asked.append(key)
        return A[idx[id(key)]], b[idx[id(key)]]
    one.sync(other, rowdata)
    assert one.rows == other and asked == [keys[5], keys[4]]
    sel = [0, 1, 5, 4]
    _check(one, lo, hi, A[sel], b[sel])
    assert one.solves == 4


def test_fixed_rows_stay_and_are_normalised():
    lo, hi = np.zeros(2), np.ones(2)
    F = np.array([[2.0, 0.0], [0.0, 0.0], [0.0, -3.0]])     # x <= 0.3, (zero row), y >= 0.2
    g = np.array([0.6, 1.0, -0.6])
    lp = ChebyshevLP(lo, hi, (F, g))
    assert lp.nfixed == 2
    Af, bf = np.array([[1.0, 0.0], [0.0, -1.0]]), np.array([0.3, -0.2])
    assert _check(lp, lo, hi, Af, bf) == pytest.approx(0.3)
    lp.push("k", np.array([0.0, 1.0]), 0.5)                  # y <= 0.5
    _check(lp, lo, hi, np.r_[Af, [[0.0, 1.0]]], np.r_[bf, 0.5])
    lp.truncate(0)
    assert lp.rows == [] and _check(lp, lo, hi, Af, bf) == pytest.approx(0.3)
    assert ChebyshevLP(lo, hi, (None, None)).nfixed == 0
    assert ChebyshevLP(lo, hi, (F[:0], g[:0])).nfixed == 0


def test_margin_and_feasibility_mode():
    lo, hi = np.zeros(2), np.ones(2)
    A = np.array([[1.0, 0.0], [-1.0, 0.0]])
    wide = np.array([0.6, -0.4])                  # 0.4 <= x <= 0.6: r* = 0.1
    thin = np.array([0.5 + 1e-12, -0.5])          # r* = 5e-13, below the margin
    lp = ChebyshevLP(lo, hi, margin=tol.REGION_MARGIN)
    lp.push_many([1, 2], A, wide)
    assert lp.solve()[0] == pytest.approx(0.1)
    lp.truncate(0)
    lp.push_many([1, 2], A, thin)
    assert lp.solve()[0] < tol.REGION_MARGIN     # -inf when the bound stopped the solve
    assert _option(lp, "objective_bound") == -tol.REGION_MARGIN
    # feasibility: fix r = eps; a point with slack eps, or no answer
    lp.truncate(0)
    lp.push_many([1, 2], A, wide)
    lp.set_feasibility(0.05)
    assert _option(lp, "objective_bound") == np.inf
    r, x = lp.solve()
    assert r == pytest.approx(0.05) and np.all(A @ x + 0.05 <= wide + 1e-9)
    lp.set_feasibility(0.2)
    assert lp.solve() == (-np.inf, None)
    lp.set_feasibility(None)                     # Chebyshev mode again, margin restored
    assert lp.eps is None and lp.solve()[0] == pytest.approx(0.1)
    assert _option(lp, "objective_bound") == -tol.REGION_MARGIN
    free = ChebyshevLP(lo, hi)                   # no margin: the tiny radius itself
    free.push_many([1, 2], A, thin)
    assert 0 < free.solve()[0] < 1e-11
    free.set_feasibility(0.01)
    free.set_feasibility(None)
    assert 0 < free.solve()[0] < 1e-11 and _option(free, "objective_bound") == np.inf


def test_a_solve_with_loose_tolerances_restores_the_tight_ones():
    lp = ChebyshevLP(np.zeros(2), np.ones(2))
    lp.push("a", np.array([1.0, 0.0]), 0.5)
    st = lp._run_with_tolerance(1e-7)
    assert st == lp._hs.HighsModelStatus.kOptimal
    for k in ("primal_feasibility_tolerance", "dual_feasibility_tolerance"):
        assert _option(lp, k) == tol.CHEBYSHEV_FEASIBILITY_TOL
    assert lp.solve()[0] == pytest.approx(0.5)


def test_new_highs_is_silent(capfd):
    h = new_highs()
    got = h.getOptionValue("output_flag")
    assert (got[1] if isinstance(got, tuple) else got) is False
    lp = ChebyshevLP(np.zeros(2), np.ones(2))
    lp.push("a", np.array([1.0, 0.0]), 0.5)
    lp.solve()
    out, _ = capfd.readouterr()
    assert out == ""


def test_require_interior_is_scale_free():
    require_interior(Domain.box(0.0, 1.0, 2))
    with pytest.raises(DomainError, match="box has an empty interior"):
        require_interior(Domain.box([0.0, 1.0], [1.0, 1.0]))
    for s in (1.0, 1000.0, 1e-3):
        lo, hi = np.zeros(2), np.full(2, s)
        A = np.array([[1.0, 1.0], [-1.0, -1.0]])
        require_interior(Domain(lo, hi, A=A, b=np.array([1.2 * s, -0.8 * s])))   # a band
        with pytest.raises(DomainError, match="polytope has an empty interior"):
            require_interior(Domain(lo, hi, A=A, b=np.array([s, -s])))          # a line
        with pytest.raises(DomainError, match="polytope has an empty interior"):
            require_interior(Domain(lo, hi, A=A[:1], b=np.array([-s])))         # nothing
    # the margin is measured in the unit cube: a band of relative width 1e-6 has an interior
    require_interior(Domain(np.zeros(2), np.full(2, 1e-6), A=np.array([[1.0, 0.0]]),
                            b=np.array([1e-12])))
