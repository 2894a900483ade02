"""Solver backends for :class:`~regioncount.milp.model.MilpModel`.

Every backend has the same small API (see :class:`Backend`), declares what it supports in
``capabilities``, imports its solver package only when it is first used, and maps the
solver's statuses into :class:`Status`.

==========  ===================================================  ==========================
name        solver                                               capabilities
==========  ===================================================  ==========================
highs       HiGHS through highspy (simplex warm start, MIP start)  milp, lp, warm_start, ...
ortools     OR-Tools pywraplp: SCIP for MILPs, GLOP for LPs      milp, lp, warm_start, ...
ortools-cbc OR-Tools pywraplp: CBC for MILPs, GLOP for LPs       milp, lp, ...
==========  ===================================================  ==========================

CP-SAT is not offered: it needs integral coefficients, and scaling real weights to integers
would make the optima inexact.

Examples
--------
>>> import numpy as np
>>> from regioncount.milp.model import ModelBuilder
>>> b = ModelBuilder()
>>> x = b.add_vars(2, 0.0, 10.0)
>>> z = b.add_vars(1, 0, 1, integer=True)
>>> rows = b.add_rows(np.array([[1.0, 1.0, 0.0], [1.0, 0.0, -10.0]]), -np.inf, [3.5, 0.0])
>>> b.set_objective(np.r_[x, z], [1.0, 2.0, 0.5], sense="max")
>>> be = get_backend("highs")
>>> be.load(b.build())
>>> sol = be.solve()
>>> sol.status, round(sol.objective, 6)
(<Status.OPTIMAL: 'optimal'>, 7.5)
"""

from __future__ import annotations

from ..errors import SolverError
from .base import Backend, Solution, Status
from .highs import HighsBackend
from .ortools import OrToolsBackend, OrToolsCbcBackend

#: Backend name -> class. The solver package is imported when an instance is created.
BACKENDS: dict[str, type[Backend]] = {
    "highs": HighsBackend,
    "ortools": OrToolsBackend,
    "ortools-cbc": OrToolsCbcBackend,
}


def get_backend(name: str = "highs", **options) -> Backend:
    """A new backend instance by name.

    Raises
    ------
    SolverError
        Unknown name, or the solver package is not installed (one line naming it).
    """
    if name not in BACKENDS:
        raise SolverError(f"unknown solver {name!r} (choose from {', '.join(sorted(BACKENDS))})")
    return BACKENDS[name](**options)


__all__ = ["BACKENDS", "Backend", "Solution", "Status", "get_backend"]
