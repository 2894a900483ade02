"""Chebyshev-centre LPs for the region tree, solved incrementally with highspy.

The LP of a polytope ``P = {x in box : a_i x <= b_i}`` (rows normalised to ``||a_i|| = 1``) is

    maximise r   subject to   a_i x + r <= b_i  (every row),   lo <= x <= hi,

the box entering as plain column bounds. ``P`` has a non-empty interior exactly when the optimum
``r* > 0``: a point of the closed box with positive slack on every row can be moved a little
towards the box centre, into the open box, keeping positive slack (the slacks are continuous),
and conversely an interior point has positive slack. A region is real when
``r* > tolerances.REGION_MARGIN``.

One :class:`ChebyshevLP` object (one ``highspy.Highs``) serves a whole depth-first search: rows
are appended when the search descends and deleted when it backtracks, and HiGHS re-solves from
the basis it has (dual simplex, presolve off), which is the warm start.
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
import threading

import numpy as np

from .. import tolerances as tol

from ..domain import Domain
from ..errors import DomainError, SolverError

_BANNER_LOCK = threading.Lock()
_BANNER_DONE = False


@contextlib.contextmanager
def _stdout_to_stderr():
    """Send file descriptor 1 to stderr for a moment: HiGHS prints a licence banner on stdout
    when the first ``Highs`` object of a process is built, which would spoil ``--json``."""
    try:
        sys.stdout.flush()
    except Exception:  # pragma: no cover - closed stdout
        pass
    try:
        saved = os.dup(1)
    except OSError:  # pragma: no cover - no fd 1
        yield
        return
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.close(devnull)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def new_highs():
    """A silent ``highspy.Highs`` object (the banner of the first one is swallowed)."""
    global _BANNER_DONE
    import highspy

    # the plain binding class: ``highspy.Highs.run`` runs every solve in a new thread (for
    # interrupt handling), which costs more than a small warm-started LP itself
    cls = getattr(getattr(highspy, "_core", None), "_Highs", None) or highspy.Highs
    with _BANNER_LOCK:
        if not _BANNER_DONE:
            with _stdout_to_stderr():
                h = cls()
            _BANNER_DONE = True
        else:
            h = cls()
    h.setOptionValue("output_flag", False)
    return h


class ChebyshevLP:
    """Incremental Chebyshev-centre LP over a box with a stack of rows.

    Parameters
    ----------
    lo, hi : ndarray
        The box (column bounds).
    fixed_rows : (A, b), optional
        Rows that stay for the whole search (a polytope domain), normalised here.

    Notes
    -----
    ``rows`` is the list of row keys currently in the LP after the fixed rows; callers keep it
    equal to the search path with :meth:`truncate` and :meth:`push`.
    """

    def __init__(self, lo: np.ndarray, hi: np.ndarray, fixed_rows=None,
                 margin: float | None = None):
        import highspy

        self._hs = highspy
        self.n = int(lo.size)
        self.lo, self.hi = np.asarray(lo, float), np.asarray(hi, float)
        self.h = h = new_highs()
        inf = highspy.kHighsInf
        self.inf = inf
        # presolve off (tiny re-solves), dual simplex, no scaling: the rows are normalised
        # already, and with scaling on HiGHS drops the basis whenever a row is deleted.
        # ("threads" is left alone: HiGHS refuses to run when it differs from the process-wide
        # scheduler another solver object may have started.)
        for k, v in (("presolve", "off"), ("solver", "simplex"), ("simplex_strategy", 1),
                     ("simplex_scale_strategy", 0),
                     ("primal_feasibility_tolerance", tol.CHEBYSHEV_FEASIBILITY_TOL),
                     ("dual_feasibility_tolerance", tol.CHEBYSHEV_FEASIBILITY_TOL)):
            try:
                h.setOptionValue(k, v)
            except Exception:  # pragma: no cover - option names of other highspy versions
                pass
        n = self.n
        cost = np.zeros(n + 1)
        cost[n] = -1.0          # minimise -r: the dual simplex can then stop early (below)
        clo = np.r_[np.asarray(lo, float), -inf]
        chi = np.r_[np.asarray(hi, float), inf]
        h.addCols(n + 1, cost, clo, chi, 0, np.zeros(0, np.int32), np.zeros(0, np.int32),
                  np.zeros(0))
        h.changeObjectiveSense(highspy.ObjSense.kMinimize)
        #: With a margin, the dual simplex stops as soon as its bound proves ``r* <= margin``
        #: (the polytope has no interior): most LPs of the tree are such proofs.
        self.margin = margin
        if margin is not None:
            h.setOptionValue("objective_bound", -float(margin))
        self._idx = np.arange(n + 1, dtype=np.int32)
        self.nfixed = 0
        if fixed_rows is not None and fixed_rows[0] is not None and len(fixed_rows[1]):
            A, b = fixed_rows
            for a, bi in zip(np.atleast_2d(A), np.ravel(b)):
                nr = float(np.linalg.norm(a))
                if nr == 0.0:
                    continue
                self._add(a / nr, bi / nr)
                self.nfixed += 1
        self.rows: list = []
        self.solves = 0

    def _add(self, a: np.ndarray, b: float) -> None:
        vals = np.empty(self.n + 1)
        vals[: self.n] = a
        vals[self.n] = 1.0
        self.h.addRow(-self.inf, float(b), self.n + 1, self._idx, vals)

    def truncate(self, k: int) -> None:
        """Keep the first ``k`` path rows."""
        extra = len(self.rows) - k
        if extra > 0:
            first = self.nfixed + k
            self.h.deleteRows(extra, np.arange(first, first + extra, dtype=np.int32))
            del self.rows[k:]

    def push_many(self, keys: list, A: np.ndarray, b: np.ndarray) -> None:
        """Append normalised rows ``A x <= b`` (one HiGHS call), identified by ``keys``."""
        m = len(keys)
        if not m:
            return
        n = self.n
        vals = np.ones((m, n + 1))
        vals[:, :n] = A
        starts = np.arange(0, m * (n + 1), n + 1, dtype=np.int32)
        idx = np.tile(self._idx, m)
        self.h.addRows(m, np.full(m, -self.inf), np.asarray(b, float), m * (n + 1), starts,
                       idx, vals.ravel())
        self.rows.extend(keys)

    def push(self, key, a: np.ndarray, b: float) -> None:
        """Append a normalised row ``a x <= b`` identified by ``key``."""
        self._add(a, b)
        self.rows.append(key)

    def sync(self, keys: list, rowdata) -> None:
        """Make the path rows equal ``keys`` (compared by identity); ``rowdata(key)`` gives
        ``(a, b)`` for keys that must be added."""
        cur = self.rows
        k = 0
        m = min(len(cur), len(keys))
        while k < m and cur[k] is keys[k]:
            k += 1
        self.truncate(k)
        for key in keys[k:]:
            a, b = rowdata(key)
            self.push(key, a, b)

    def set_feasibility(self, eps: float | None) -> None:
        """Feasibility mode: fix ``r = eps`` with no objective (every row must keep slack
        ``eps``): the same yes/no answer as ``r* >= eps`` in fewer simplex iterations, and a
        point with slack at least ``eps`` instead of the centre. ``None``: Chebyshev mode."""
        h = self.h
        n = self.n
        if eps is None:
            h.changeColBounds(n, -self.inf, self.inf)
            h.changeColCost(n, -1.0)
            if self.margin is not None:
                h.setOptionValue("objective_bound", -float(self.margin))
        else:
            h.setOptionValue("objective_bound", self.inf)
            h.changeColCost(n, 0.0)
            h.changeColBounds(n, float(eps), float(eps))
        self.eps = eps

    eps = None

    def _run_with_tolerance(self, t: float):
        """Solve once more from scratch with feasibility tolerances ``t`` (the point found is
        re-checked in float64 by the caller either way), then restore the tight ones."""
        h = self.h
        for k in ("primal_feasibility_tolerance", "dual_feasibility_tolerance"):
            h.setOptionValue(k, t)
        h.clearSolver()
        h.run()
        st = h.getModelStatus()
        for k in ("primal_feasibility_tolerance", "dual_feasibility_tolerance"):
            h.setOptionValue(k, tol.CHEBYSHEV_FEASIBILITY_TOL)
        return st

    def _decided(self, st) -> bool:
        """Whether a model status answers the question (optimal, or no interior proven)."""
        M = self._hs.HighsModelStatus
        return st in (M.kOptimal, M.kObjectiveBound) or (self.eps is not None and st == M.kInfeasible)

    def solve(self) -> tuple[float, np.ndarray | None]:
        """Maximise the radius; return ``(r, x)``, or ``(-inf, None)`` when the solve stopped
        on the objective bound (``r* <= margin`` proven). With no row at all nothing bounds
        the radius: ``(inf, the box's centre)``, no LP solved."""
        if not self.nfixed and not self.rows and self.eps is None:
            return np.inf, (self.lo + self.hi) / 2
        h = self.h
        self.solves += 1
        h.run()
        M = self._hs.HighsModelStatus
        st = h.getModelStatus()
        if not self._decided(st):
            h.clearSolver()               # a fresh start (basis dropped) before giving up
            h.run()
            st = h.getModelStatus()
        if not self._decided(st):         # then HiGHS's default tolerances, for this LP only
            st = self._run_with_tolerance(1e-7)
        if st == M.kObjectiveBound or (self.eps is not None and st == M.kInfeasible):
            return -np.inf, None
        if st != M.kOptimal:
            raise SolverError(f"HiGHS could not solve a Chebyshev-centre LP ({h.modelStatusToString(st)})")
        sol = np.asarray(h.getSolution().col_value)
        return float(sol[self.n]), sol[: self.n].copy()


def toward_centre(x: np.ndarray, r: float, centre: np.ndarray) -> np.ndarray:
    """``x``, the centre of a ball of radius ``r`` inside a polytope of the box, moved towards
    the box's ``centre`` by at most ``r / 2`` and at most half way: every slack stays above
    ``r / 2`` and the point lies in the open box (the rule of the module docstring; an
    infinite ``r`` moves it half way).

    >>> toward_centre(np.array([0.0, 0.0]), 0.2, np.array([0.5, 0.0])).tolist()
    [0.1, 0.0]
    """
    d = centre - x
    nd = float(np.linalg.norm(d))
    if nd == 0:
        return x
    return x + (0.5 if not math.isfinite(r) else min(0.5, r / (2 * nd))) * d


def require_interior(domain: Domain) -> None:
    """Raise :class:`DomainError` when ``domain`` has an empty interior (a box with some
    ``lo == hi``, or half-spaces that leave no ball): a region has a non-empty interior, so
    there is nothing to count, for every method alike (docs/regions.md). Every count
    method and :func:`regioncount.app.count` call it.

    Examples
    --------
    >>> from regioncount import Domain
    >>> require_interior(Domain.box(0.0, 1.0, 2))
    >>> require_interior(Domain.box(0.0, 0.0, 2))
    Traceback (most recent call last):
    ...
    regioncount.errors.DomainError: the domain box has an empty interior (some lo == hi)
    """
    if np.any(domain.hi <= domain.lo):
        raise DomainError("the domain box has an empty interior (some lo == hi)")
    if domain.A is None:
        return
    w = domain.hi - domain.lo               # unit-cube coordinates: a scale-free margin
    lp = ChebyshevLP(np.zeros_like(w), np.ones_like(w),
                     (domain.A * w[None, :], domain.b - domain.A @ domain.lo))
    r, _ = lp.solve()
    if not r > tol.REGION_MARGIN:
        raise DomainError("the domain polytope has an empty interior")
