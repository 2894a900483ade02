"""Common types of the solver backends: :class:`Status`, :class:`Solution`, :class:`Backend`."""

from __future__ import annotations

import enum
from dataclasses import dataclass

import numpy as np


class Status(enum.Enum):
    """Outcome of a solve, common to every backend."""

    OPTIMAL = "optimal"
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    INFEASIBLE_OR_UNBOUNDED = "infeasible_or_unbounded"
    TIME_LIMIT = "time_limit"            # stopped by the time limit (a solution may exist)
    FEASIBLE = "feasible"                # stopped early for another reason, with a solution
    ITERATION_LIMIT = "iteration_limit"
    INTERRUPTED = "interrupted"
    ERROR = "error"
    NOT_SOLVED = "not_solved"

    @property
    def is_optimal(self) -> bool:
        return self is Status.OPTIMAL


@dataclass(frozen=True, eq=False)
class Solution:
    """Result of :meth:`Backend.solve`.

    Attributes
    ----------
    status : Status
    objective : float or None
        Objective value of the best solution found (None without one).
    x : ndarray or None
        The best solution found (all columns).
    bound : float or None
        The solver's proven bound on the optimum (dual bound: an upper bound when
        maximising, a lower bound when minimising); equals ``objective`` at optimality.
    seconds : float
    """

    status: Status
    objective: float | None
    x: np.ndarray | None
    bound: float | None
    seconds: float

    @property
    def gap(self) -> float | None:
        """Absolute gap ``|bound - objective|`` (None when either is missing)."""
        if self.objective is None or self.bound is None:
            return None
        return abs(self.bound - self.objective)


class Backend:
    """Common interface. Subclasses implement the solver calls.

    Usage: ``load(model)`` once; then any number of ``set_objective``, ``set_col_bounds``,
    ``add_rows``, ``set_start`` and ``solve`` calls, each re-solving the changed model
    without rebuilding it (warm-started where the solver allows).
    """

    name = "backend"
    capabilities: frozenset = frozenset()

    def __init__(self):
        self._lb = None
        self._ub = None

    # -- helpers shared by the backends -------------------------------------------------
    def _empty_bounds(self) -> bool:
        """True when some column has lower bound above upper bound (see
        ``Encoding.fix_pattern``): the model is infeasible without asking the solver."""
        return self._lb is not None and bool(np.any(self._lb > self._ub))

    def _track_bounds(self, model):
        self._lb = np.array(model.col_lb, dtype=float)
        self._ub = np.array(model.col_ub, dtype=float)

    def _track_change(self, cols, lb, ub):
        self._lb[cols] = lb
        self._ub[cols] = ub

    @staticmethod
    def _cols_bounds(cols, lb, ub):
        cols = np.asarray(cols, dtype=np.int64).ravel()
        lb = np.broadcast_to(np.asarray(lb, dtype=float), cols.shape).astype(float)
        ub = np.broadcast_to(np.asarray(ub, dtype=float), cols.shape).astype(float)
        return cols, lb, ub

    # -- API ----------------------------------------------------------------------------
    def load(self, model) -> None:
        """Load a :class:`~regioncount.milp.model.MilpModel` (replacing any earlier one)."""
        raise NotImplementedError

    def solve(self, time_limit: float | None = None, threads: int | None = None) -> Solution:
        """Solve the current model; ``time_limit`` in seconds (None: no limit)."""
        raise NotImplementedError

    def add_rows(self, A, lb, ub) -> None:
        """Append rows ``lb <= A x <= ub`` (``A`` sparse or dense over all columns)."""
        raise NotImplementedError

    def set_col_bounds(self, cols, lb, ub) -> None:
        """Change the bounds of some columns."""
        raise NotImplementedError

    def set_objective(self, obj, sense: str = "min") -> None:
        """Replace the objective by the dense vector ``obj``."""
        raise NotImplementedError

    def set_start(self, x) -> None:
        """A feasible (or partial) starting point for the next MILP solve."""
        raise NotImplementedError

    def reset(self) -> None:
        """Forget bases and starts (the next solve starts cold)."""
        raise NotImplementedError


__all__ = ["Backend", "Solution", "Status"]
