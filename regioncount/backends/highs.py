"""HiGHS backend (highspy): the model is passed in bulk from numpy arrays.

LPs are re-solved from the kept simplex basis after an objective, bound or row change (the
warm start that makes layer-wise bound tightening cheap); MILPs accept a start vector
(``setSolution``). HiGHS has no indicator or SOS constraints, so the formulation is big-M.
"""

from __future__ import annotations

import logging
import time

import numpy as np
import scipy.sparse as sp

from ..errors import SolverError
from ..tolerances import MIP_ABS_GAP, MIP_REL_GAP, SOLVER_FEASIBILITY_TOL
from .base import Backend, Solution, Status

log = logging.getLogger(__name__)

#: Size of HiGHS's process-wide thread pool when we last set it (None: HiGHS's default).
_SCHEDULER_THREADS = None


def _import_highspy():
    try:
        import highspy
    except ImportError:  # pragma: no cover - highspy is a dependency
        raise SolverError("solver 'highs' needs the highspy package (pip install highspy)") from None
    return highspy


class HighsBackend(Backend):
    """HiGHS through highspy.

    Parameters
    ----------
    options : dict, optional
        Extra HiGHS options (name -> value), set after the defaults.
    """

    name = "highs"
    capabilities = frozenset({"milp", "lp", "warm_start", "start", "add_rows", "time_limit",
                              "threads", "bound"})

    def __init__(self, options: dict | None = None):
        super().__init__()
        self._hs = _import_highspy()
        self._options = dict(options or {})
        self._h = None
        self._n = 0
        self._mip = False
        self._sense = "min"
        self._threads = None

    def _new(self):
        hs = self._hs
        # the plain binding: highspy.Highs() prints a banner on stdout before any option can
        # silence it, and wraps run() in a thread for interrupt handling we do not need
        core = getattr(getattr(hs, "_core", None), "_Highs", None)
        h = core() if core is not None else hs.Highs()
        h.setOptionValue("output_flag", False)
        for k, v in (("mip_rel_gap", MIP_REL_GAP), ("mip_abs_gap", MIP_ABS_GAP),
                     ("mip_feasibility_tolerance", SOLVER_FEASIBILITY_TOL),
                     ("primal_feasibility_tolerance", SOLVER_FEASIBILITY_TOL),
                     ("dual_feasibility_tolerance", SOLVER_FEASIBILITY_TOL)):
            h.setOptionValue(k, v)
        for k, v in self._options.items():
            h.setOptionValue(k, v)
        return h

    def _check(self, status, what: str):
        if status == self._hs.HighsStatus.kError:
            raise SolverError(f"highs: {what} failed")

    def load(self, model) -> None:
        hs = self._hs
        h = self._new()
        A = sp.csc_matrix(model.A)
        A.sort_indices()
        n, m = model.num_cols, model.num_rows
        inf = hs.kHighsInf
        clip = lambda v: np.clip(np.asarray(v, dtype=np.float64), -inf, inf)  # noqa: E731
        sense = hs.ObjSense.kMaximize if model.sense == "max" else hs.ObjSense.kMinimize
        args = [n, m, int(A.nnz), int(hs.MatrixFormat.kColwise), int(sense), 0.0,
                np.asarray(model.obj, np.float64), clip(model.col_lb), clip(model.col_ub),
                clip(model.row_lb), clip(model.row_ub), A.indptr.astype(np.int32),
                A.indices.astype(np.int32), A.data.astype(np.float64)]
        self._mip = bool(model.num_integer)
        args.append(model.integer.astype(np.int32))   # all zero: HiGHS solves it as an LP
        st = h.passModel(*args)
        self._check(st, "loading the model")
        self._h = h
        self._n = n
        self._sense = model.sense
        self._obj = np.array(model.obj, dtype=np.float64)
        self._track_bounds(model)

    def _need(self):
        if self._h is None:
            raise SolverError("highs: no model loaded")

    def solve(self, time_limit: float | None = None, threads: int | None = None) -> Solution:
        self._need()
        h = self._h
        t0 = time.perf_counter()
        if self._empty_bounds():
            return Solution(Status.INFEASIBLE, None, None, None, 0.0)
        h.setOptionValue("time_limit", float(time_limit) if time_limit is not None else self._hs.kHighsInf)
        if threads is not None and threads != self._threads:
            global _SCHEDULER_THREADS
            h.setOptionValue("threads", int(threads))
            self._threads = threads
            if threads != _SCHEDULER_THREADS:
                # HiGHS runs on one process-wide thread pool: a new size needs a new pool
                h.resetGlobalScheduler(True)
                _SCHEDULER_THREADS = threads
        self._check(h.run(), "solve")
        secs = time.perf_counter() - t0
        ms = h.getModelStatus()
        M = self._hs.HighsModelStatus
        status = {
            M.kOptimal: Status.OPTIMAL, M.kInfeasible: Status.INFEASIBLE,
            M.kUnbounded: Status.UNBOUNDED, M.kUnboundedOrInfeasible: Status.INFEASIBLE_OR_UNBOUNDED,
            M.kTimeLimit: Status.TIME_LIMIT, M.kIterationLimit: Status.ITERATION_LIMIT,
            M.kInterrupt: Status.INTERRUPTED, M.kHighsInterrupt: Status.INTERRUPTED,
            M.kSolutionLimit: Status.FEASIBLE, M.kObjectiveBound: Status.FEASIBLE,
            M.kObjectiveTarget: Status.FEASIBLE, M.kModelEmpty: Status.OPTIMAL,
            M.kNotset: Status.NOT_SOLVED,
        }.get(ms, Status.ERROR)
        info = h.getInfo()
        has_x = int(info.primal_solution_status) == 2  # kSolutionStatusFeasible
        x = np.array(h.getSolution().col_value, dtype=float) if has_x else None
        obj = float(info.objective_function_value) if has_x else None
        if self._mip:
            bound = float(info.mip_dual_bound)
            if not np.isfinite(bound):
                bound = None
        else:
            bound = obj if status is Status.OPTIMAL else None
        if status is Status.ERROR:
            log.warning("highs: model status %s", h.modelStatusToString(ms))
        return Solution(status, obj, x, bound, secs)

    def add_rows(self, A, lb, ub) -> None:
        self._need()
        A = sp.csr_matrix(A)
        if A.shape[1] < self._n:
            A = sp.csr_matrix((A.data, A.indices, A.indptr), shape=(A.shape[0], self._n))
        A.sort_indices()
        m = A.shape[0]
        lb = np.broadcast_to(np.asarray(lb, float), (m,)).astype(np.float64)
        ub = np.broadcast_to(np.asarray(ub, float), (m,)).astype(np.float64)
        self._check(self._h.addRows(m, lb, ub, int(A.nnz), A.indptr[:-1].astype(np.int32),
                                    A.indices.astype(np.int32), A.data.astype(np.float64)),
                    "adding rows")

    def set_col_bounds(self, cols, lb, ub) -> None:
        self._need()
        cols, lb, ub = self._cols_bounds(cols, lb, ub)
        self._track_change(cols, lb, ub)
        ok = lb <= ub   # an empty range is kept aside: solve() reports INFEASIBLE
        if np.any(ok):
            self._check(self._h.changeColsBounds(int(ok.sum()), cols[ok].astype(np.int32), lb[ok], ub[ok]),
                        "changing bounds")

    def set_objective(self, obj, sense: str = "min") -> None:
        self._need()
        obj = np.asarray(obj, dtype=np.float64).ravel()
        if obj.size != self._n:
            raise SolverError(f"highs: objective has {obj.size} entries, the model {self._n} columns")
        hs = self._hs
        # change only the costs that differ: rewriting every cost makes HiGHS treat the
        # objective as new and costs the warm start about a third of its benefit (measured)
        changed = np.flatnonzero(obj != self._obj)
        if changed.size:
            self._check(self._h.changeColsCost(int(changed.size), changed.astype(np.int32),
                                               obj[changed]), "objective")
            self._obj = obj.copy()
        if sense != self._sense:
            self._check(self._h.changeObjectiveSense(
                hs.ObjSense.kMaximize if sense == "max" else hs.ObjSense.kMinimize), "objective sense")
            self._sense = sense

    def set_start(self, x) -> None:
        self._need()
        x = np.asarray(x, dtype=np.float64).ravel()
        self._h.setSolution(self._n, np.arange(self._n, dtype=np.int32), x)

    def reset(self) -> None:
        self._need()
        self._h.clearSolver()


__all__ = ["HighsBackend"]
