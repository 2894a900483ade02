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
    r, x = one.solve()                       # no row bounds the radius: the box's centre
    assert r == np.inf and x.tolist() == [0.5] * n and one.solves == 0
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
    assert one.solves == 3                        # the first answer needed no LP


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


def test_the_options_are_the_documented_ones():
    """Presolve off, dual simplex, no scaling (scaling drops the basis at every row deletion)
    and the feasibility tolerances of tolerances.py."""
    lp = ChebyshevLP(np.zeros(2), np.ones(2))
    want = {"presolve": "off", "solver": "simplex", "simplex_strategy": 1,
            "simplex_scale_strategy": 0,
            "primal_feasibility_tolerance": tol.CHEBYSHEV_FEASIBILITY_TOL,
            "dual_feasibility_tolerance": tol.CHEBYSHEV_FEASIBILITY_TOL}
    assert {k: _option(lp, k) for k in want} == want


def test_the_objective_is_minus_the_radius():
    """The objective is -r, so that the objective bound -margin means r <= margin; also after
    a round trip through the feasibility mode."""
    lo, hi = np.zeros(2), np.ones(2)
    lp = ChebyshevLP(lo, hi, margin=tol.REGION_MARGIN)
    lp.push_many([1, 2], np.array([[1.0, 0.0], [-1.0, 0.0]]), np.array([0.7, -0.3]))
    for _ in range(2):
        r, _x = lp.solve()
        assert r == pytest.approx(0.2)
        assert lp.h.getInfo().objective_function_value == pytest.approx(-0.2)
        lp.set_feasibility(0.1)
        lp.solve()
        lp.set_feasibility(None)


def test_fixed_rows_without_a_matrix_are_no_rows():
    lp = ChebyshevLP(np.zeros(2), np.ones(2), (None, np.array([1.0])))
    assert lp.nfixed == 0


def test_new_highs_builds_the_plain_binding_class():
    """``highspy.Highs.run`` starts a thread per solve; the plain class does not."""
    import highspy

    plain = getattr(getattr(highspy, "_core", None), "_Highs", None)
    if plain is None:                                        # pragma: no cover - old highspy
        pytest.skip("this highspy has no plain binding class")
    assert type(new_highs()) is plain


class _Scripted:
    """A HiGHS object whose first model statuses are scripted (to reach the fallbacks of
    :meth:`ChebyshevLP.solve`); records each run's feasibility tolerances."""

    def __init__(self, h, statuses):
        self._h, self._script, self._now = h, list(statuses), None
        self.runs: list[tuple[float, float]] = []
        self.clears = 0

    def run(self):
        tols = tuple(self._h.getOptionValue(k) for k in
                     ("primal_feasibility_tolerance", "dual_feasibility_tolerance"))
        self.runs.append(tuple(t[1] if isinstance(t, tuple) else t for t in tols))
        out = self._h.run()
        self._now = self._script.pop(0) if self._script else None
        return out

    def getModelStatus(self):
        return self._h.getModelStatus() if self._now is None else self._now

    def clearSolver(self):
        self.clears += 1
        return self._h.clearSolver()

    def __getattr__(self, k):
        return getattr(self._h, k)


def _scripted_lp(statuses, eps=None, margin=None, b=(0.7, -0.3)):
    lp = ChebyshevLP(np.zeros(2), np.ones(2), margin=margin)
    lp.push_many([1, 2], np.array([[1.0, 0.0], [-1.0, 0.0]]), np.array(b))
    if eps is not None:
        lp.set_feasibility(eps)
    lp.h = _Scripted(lp.h, statuses)
    return lp


def test_a_decided_lp_is_solved_once():
    tight = (tol.CHEBYSHEV_FEASIBILITY_TOL,) * 2
    lp = _scripted_lp([])
    assert lp.solve()[0] == pytest.approx(0.2)
    assert lp.h.runs == [tight] and lp.h.clears == 0
    lp = _scripted_lp([], eps=0.5)                          # feasibility mode: infeasible
    assert lp.solve() == (-np.inf, None)
    assert lp.h.runs == [tight] and lp.h.clears == 0
    lp = _scripted_lp([], margin=tol.REGION_MARGIN, b=(0.5 + 1e-13, -0.5))
    assert lp.solve()[0] < tol.REGION_MARGIN
    assert lp.h.runs == [tight] and lp.h.clears == 0


def test_an_undecided_lp_is_solved_again_from_scratch_then_with_loose_tolerances():
    import highspy

    M = highspy.HighsModelStatus
    tight = (tol.CHEBYSHEV_FEASIBILITY_TOL,) * 2
    lp = _scripted_lp([M.kUnknown])                         # a fresh start settles it
    assert lp.solve()[0] == pytest.approx(0.2)
    assert lp.h.runs == [tight, tight] and lp.h.clears == 1
    lp = _scripted_lp([M.kUnknown, M.kUnknown])             # then HiGHS's default tolerances
    assert lp.solve()[0] == pytest.approx(0.2)
    assert lp.h.runs == [tight, tight, (1e-7, 1e-7)] and lp.h.clears == 2
    assert lp.solve()[0] == pytest.approx(0.2)              # and the tight ones come back
    assert lp.h.runs[-1] == tight
    lp = _scripted_lp([M.kUnknown, M.kUnknown, M.kUnknown])
    with pytest.raises(SolverError, match="could not solve"):
        lp.solve()
    # infeasible answers the question in the feasibility mode only
    lp = _scripted_lp([M.kUnknown, M.kInfeasible], eps=0.05)
    assert lp.solve() == (-np.inf, None) and len(lp.h.runs) == 2
    lp = _scripted_lp([M.kInfeasible, M.kInfeasible])
    assert lp.solve()[0] == pytest.approx(0.2) and len(lp.h.runs) == 3
    lp = _scripted_lp([M.kTimeLimit, M.kTimeLimit, M.kTimeLimit], eps=0.05)
    with pytest.raises(SolverError, match="could not solve"):
        lp.solve()


def test_require_interior_decides_at_the_margin_and_says_which_domain():
    """Slack exactly REGION_MARGIN (in unit-cube coordinates) is no interior."""
    m = tol.REGION_MARGIN
    with pytest.raises(DomainError, match=r"^the domain polytope has an empty interior$"):
        require_interior(Domain(np.zeros(1), np.ones(1), A=np.array([[1.0]]), b=np.array([m])))
    require_interior(Domain(np.zeros(1), np.ones(1), A=np.array([[1.0]]), b=np.array([2 * m])))
    with pytest.raises(DomainError,
                       match=r"^the domain box has an empty interior \(some lo == hi\)$"):
        require_interior(Domain.box(0.0, 0.0, 2))


def test_no_row_at_all_is_the_box_with_an_unbounded_radius():
    lp = ChebyshevLP(np.array([0.0, 0.0]), np.array([1.0, 0.0]), margin=0.0)
    r, x = lp.solve()
    assert r == np.inf and x.tolist() == [0.5, 0.0] and lp.solves == 0
    lp.push("a", np.array([1.0, 0.0]), 0.5)   # x <= 0.5 (the box bounds x, not the radius)
    r, x = lp.solve()
    assert r == pytest.approx(0.5) and x[0] == pytest.approx(0.0) and lp.solves == 1
