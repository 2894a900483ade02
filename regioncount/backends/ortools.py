"""OR-Tools backend (pywraplp): SCIP (or CBC) for MILPs, GLOP for LPs.

The model is handed over as one ``MPModelProto`` (filled from the numpy arrays) and loaded
with ``LoadModelFromProto``; later changes (objective, bounds, rows) go through the pywraplp
objects, so a re-solve does not rebuild anything. GLOP re-solves LPs from its kept basis.
CP-SAT is not offered: it needs integral coefficients (see ``regioncount.backends``).
"""

from __future__ import annotations

import logging
import time

import numpy as np
import scipy.sparse as sp

from ..errors import SolverError
from ..tolerances import MIP_REL_GAP, SOLVER_FEASIBILITY_TOL
from .base import Backend, Solution, Status

log = logging.getLogger(__name__)


def _import_pywraplp():
    try:
        from ortools.linear_solver import linear_solver_pb2, pywraplp
    except ImportError:  # pragma: no cover - ortools is a dependency
        raise SolverError("solver 'ortools' needs the ortools package (pip install ortools)") from None
    return pywraplp, linear_solver_pb2


class OrToolsBackend(Backend):
    """OR-Tools through pywraplp.

    Parameters
    ----------
    mip_solver : str
        pywraplp solver id for models with integer columns (``"SCIP"`` or ``"CBC"``).
    lp_solver : str
        Solver id for pure LPs (``"GLOP"``).
    """

    name = "ortools"
    capabilities = frozenset({"milp", "lp", "warm_start", "start", "add_rows", "time_limit",
                              "threads", "bound"})

    def __init__(self, mip_solver: str = "SCIP", lp_solver: str = "GLOP"):
        super().__init__()
        self._pw, self._pb = _import_pywraplp()
        self._mip_solver = mip_solver
        self._lp_solver = lp_solver
        self._s = None
        self._vars = []
        self._proto = None
        self._mip = False
        self._sense = "min"

    def load(self, model) -> None:
        proto = self._pb.MPModelProto()
        proto.maximize = model.sense == "max"
        for lb, ub, c, integ in zip(model.col_lb.tolist(), model.col_ub.tolist(), model.obj.tolist(),
                                    model.integer.tolist()):
            proto.variable.add(lower_bound=lb, upper_bound=ub, objective_coefficient=c, is_integer=integ)
        A = sp.csr_matrix(model.A)
        ptr, ind, val = A.indptr, A.indices.tolist(), A.data.tolist()
        for r, (lb, ub) in enumerate(zip(model.row_lb.tolist(), model.row_ub.tolist())):
            c = proto.constraint.add(lower_bound=lb, upper_bound=ub)
            c.var_index.extend(ind[ptr[r]:ptr[r + 1]])
            c.coefficient.extend(val[ptr[r]:ptr[r + 1]])
        self._mip = bool(model.num_integer)
        self._proto = proto
        self._sense = model.sense
        self._track_bounds(model)
        self._build()

    def _build(self):
        sid = self._mip_solver if self._mip else self._lp_solver
        s = self._pw.Solver.CreateSolver(sid)
        if s is None:
            raise SolverError(f"ortools: solver {sid} is not available in this OR-Tools build")
        err = s.LoadModelFromProto(self._proto)
        if err:
            raise SolverError(f"ortools: could not load the model ({err})")
        self._s = s
        self._vars = s.variables()
        self._start = None

    def _need(self):
        if self._s is None:
            raise SolverError("ortools: no model loaded")

    def solve(self, time_limit: float | None = None, threads: int | None = None) -> Solution:
        self._need()
        if self._empty_bounds():
            return Solution(Status.INFEASIBLE, None, None, None, 0.0)
        pw, s = self._pw, self._s
        if time_limit is not None:
            s.SetTimeLimit(max(1, int(round(float(time_limit) * 1000))))
        else:
            s.SetTimeLimit(0)  # 0: no limit
        if threads is not None:
            s.SetNumThreads(int(threads))
        p = pw.MPSolverParameters()
        p.SetDoubleParam(p.PRIMAL_TOLERANCE, SOLVER_FEASIBILITY_TOL)
        if self._mip:
            p.SetDoubleParam(p.RELATIVE_MIP_GAP, MIP_REL_GAP)
        else:
            p.SetDoubleParam(p.DUAL_TOLERANCE, SOLVER_FEASIBILITY_TOL)
        if self._start is not None and self._mip:
            s.SetHint(self._vars, self._start)
        t0 = time.perf_counter()
        code = s.Solve(p)
        secs = time.perf_counter() - t0
        limited = time_limit is not None and secs >= 0.95 * float(time_limit)
        status = {
            pw.Solver.OPTIMAL: Status.OPTIMAL,
            pw.Solver.INFEASIBLE: Status.INFEASIBLE,
            pw.Solver.UNBOUNDED: Status.UNBOUNDED,
            pw.Solver.FEASIBLE: Status.TIME_LIMIT if limited else Status.FEASIBLE,
            pw.Solver.NOT_SOLVED: Status.TIME_LIMIT if limited else Status.NOT_SOLVED,
            pw.Solver.ABNORMAL: Status.ERROR,
            pw.Solver.MODEL_INVALID: Status.ERROR,
        }.get(code, Status.ERROR)
        if code == pw.Solver.INFEASIBLE and not self._mip and self._has_objective():
            # GLOP reports an unbounded LP found in presolve as INFEASIBLE: tell them apart
            # by the feasibility problem (zero objective), which is rare and cheap
            if self._feasible_without_objective(p):
                status = Status.UNBOUNDED
        has_x = code in (pw.Solver.OPTIMAL, pw.Solver.FEASIBLE)
        x = np.array([v.solution_value() for v in self._vars]) if has_x else None
        obj = float(s.Objective().Value()) if has_x else None
        if self._mip and code in (pw.Solver.OPTIMAL, pw.Solver.FEASIBLE):
            bound = float(s.Objective().BestBound())
            bound = bound if np.isfinite(bound) else None
        else:
            bound = obj if status is Status.OPTIMAL else None
        return Solution(status, obj, x, bound, secs)

    def _has_objective(self) -> bool:
        return any(v.objective_coefficient != 0 for v in self._proto.variable)

    def _feasible_without_objective(self, params) -> bool:
        s = self._pw.Solver.CreateSolver(self._lp_solver)
        proto = self._pb.MPModelProto()
        proto.CopyFrom(self._proto)
        for v in proto.variable:
            v.objective_coefficient = 0.0
        if s is None or s.LoadModelFromProto(proto):
            return False
        return s.Solve(params) in (self._pw.Solver.OPTIMAL, self._pw.Solver.FEASIBLE)

    def add_rows(self, A, lb, ub) -> None:
        self._need()
        A = sp.csr_matrix(A)
        m = A.shape[0]
        lb = np.broadcast_to(np.asarray(lb, float), (m,)).tolist()
        ub = np.broadcast_to(np.asarray(ub, float), (m,)).tolist()
        inf = self._s.infinity()
        for r in range(m):
            c = self._s.RowConstraint(max(lb[r], -inf), min(ub[r], inf), "")
            for j, v in zip(A.indices[A.indptr[r]:A.indptr[r + 1]].tolist(),
                            A.data[A.indptr[r]:A.indptr[r + 1]].tolist()):
                c.SetCoefficient(self._vars[j], v)
        # keep the proto in step so that reset() reproduces the current model
        ptr, ind, val = A.indptr, A.indices.tolist(), A.data.tolist()
        for r in range(m):
            c = self._proto.constraint.add(lower_bound=lb[r], upper_bound=ub[r])
            c.var_index.extend(ind[ptr[r]:ptr[r + 1]])
            c.coefficient.extend(val[ptr[r]:ptr[r + 1]])

    def set_col_bounds(self, cols, lb, ub) -> None:
        self._need()
        cols, lb, ub = self._cols_bounds(cols, lb, ub)
        self._track_change(cols, lb, ub)
        for j, a, b in zip(cols.tolist(), lb.tolist(), ub.tolist()):
            if a <= b:
                self._vars[j].SetBounds(a, b)
            self._proto.variable[j].lower_bound = a
            self._proto.variable[j].upper_bound = b

    def set_objective(self, obj, sense: str = "min") -> None:
        self._need()
        obj = np.asarray(obj, dtype=float).ravel()
        if obj.size != len(self._vars):
            raise SolverError(f"ortools: objective has {obj.size} entries, the model {len(self._vars)} columns")
        o = self._s.Objective()
        o.Clear()
        for j in np.flatnonzero(obj).tolist():
            o.SetCoefficient(self._vars[j], float(obj[j]))
        if sense == "max":
            o.SetMaximization()
        else:
            o.SetMinimization()
        self._proto.maximize = sense == "max"
        for j, v in enumerate(obj.tolist()):
            self._proto.variable[j].objective_coefficient = v
        self._sense = sense

    def set_start(self, x) -> None:
        self._need()
        self._start = np.asarray(x, dtype=float).ravel().tolist()

    def reset(self) -> None:
        self._need()
        self._build()


class OrToolsCbcBackend(OrToolsBackend):
    """OR-Tools with CBC for MILPs (no MIP start: CBC ignores pywraplp hints)."""

    name = "ortools-cbc"
    capabilities = frozenset({"milp", "lp", "warm_start", "add_rows", "time_limit", "bound"})

    def __init__(self):
        super().__init__(mip_solver="CBC", lp_solver="GLOP")


__all__ = ["OrToolsBackend", "OrToolsCbcBackend"]
