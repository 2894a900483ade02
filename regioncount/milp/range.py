"""Exact output ranges through the MILP: ``min`` and ``max`` of every output over the domain.

Each optimum is reported as a *witness* value (the network evaluated at an input the solver
or the sampler found, so the value is attained) beside the solver's proven *bound*; at
optimality they agree to the solver's gap (``MIP_REL_GAP``), and a time limit leaves the true
optimum between them.

Examples
--------
>>> import numpy as np
>>> from regioncount import Domain, Network
>>> net = Network.from_layers([(np.array([[1.0], [-1.0]]), np.zeros(2))],
...                           final=(np.array([[1.0, 1.0]]), np.array([-0.5])))   # |x| - 0.5
>>> r = output_range(net, Domain.box(-1, 2, 1))
>>> [(round(o.min, 9), round(o.max, 9), o.min_status, o.max_status) for o in r.outputs]
[(-0.5, 1.5, 'optimal', 'optimal')]
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import numpy as np

from ..domain import Domain
from ..errors import SolverError
from ..network import Network
from .formulation import encode
from .tighten import tighten

log = logging.getLogger(__name__)

#: Points sampled to seed every optimisation with a feasible start (and a witness when the
#: solver finds none within its time limit).
START_SAMPLES = 2000


@dataclass(frozen=True, eq=False)
class OutputRange:
    """Range of one output.

    Attributes
    ----------
    index : int
        Output index (C order of the output tensor).
    min, max : float
        Attained values (network evaluated at ``argmin`` / ``argmax``).
    min_bound, max_bound : float
        Proven bounds: ``min_bound <= true min <= min``, ``max <= true max <= max_bound``.
    min_status, max_status : str
        ``"optimal"`` or the reason the solver stopped (e.g. ``"time_limit"``).
    argmin, argmax : ndarray
        The witness inputs.
    gap : float
        ``max(min - min_bound, max_bound - max)`` (0 up to solver tolerance when optimal).
    seconds : float
    """

    index: int
    min: float
    max: float
    min_bound: float
    max_bound: float
    min_status: str
    max_status: str
    argmin: np.ndarray
    argmax: np.ndarray
    gap: float
    seconds: float


@dataclass(frozen=True, eq=False)
class RangeResult:
    """Result of :func:`output_range`.

    ``partial`` is True when some optimum is not proven (time limit): its value is still
    attained and its bound still sound.
    """

    model: str
    domain: dict
    solver: str
    tighten: str
    outputs: tuple
    seconds: float
    tighten_seconds: float
    partial: bool


def output_range(net: Network, domain: Domain, solver: str = "highs", tighten_method: str = "lp",
                 time_limit: float | None = None, threads: int | None = None,
                 outputs=None, seed: int = 0, progress=None) -> RangeResult:
    """Minimum and maximum of every network output over ``domain``, exactly (MILP).

    Parameters
    ----------
    net : Network
    domain : Domain
    solver : str
        Backend name.
    tighten_method : {'interval', 'lp', 'milp'}
        Bounds used for the big-M constants (tighter: faster MILPs).
    time_limit : float, optional
        Overall seconds, shared evenly by the remaining optimisations.
    threads : int, optional
    outputs : sequence of int, optional
        Which outputs (default: all).
    seed : int
        Seed of the start sampler.
    progress : callable, optional
        Called with one line of text after each optimisation.

    Ctrl-C stops early: the optimisations not run keep the best sampled value (attained) and
    the tightened bound (sound), labelled ``"interrupted"``.

    Returns
    -------
    RangeResult
    """
    from ..backends import Status, get_backend

    t0 = time.perf_counter()
    deadline = None if time_limit is None else t0 + float(time_limit)
    tl_tight = None if time_limit is None else 0.3 * float(time_limit)
    tt = tighten(net, domain, method=tighten_method, solver=solver, time_limit=tl_tight, threads=threads,
                 progress=progress)
    t_tight = time.perf_counter() - t0
    enc = encode(net, domain, tt.bounds)
    be = get_backend(solver)
    if "milp" not in be.capabilities:
        raise SolverError(f"solver {solver!r} cannot solve MILPs")
    be.load(enc.model)
    X = domain.sample(START_SAMPLES, seed)
    X = np.vstack([X, domain.center[None, :]]) if domain.contains(domain.center[None, :])[0] else X
    Y = net.evaluate(X)
    idx = list(range(net.output_size)) if outputs is None else [int(o) for o in outputs]
    todo = 2 * len(idx)
    res = []
    partial = False
    interrupted = False
    for o in idx:
        t1 = time.perf_counter()
        vals, bounds, stats, args = {}, {}, {}, {}
        for sense in ("min", "max"):
            pick = int(np.argmin(Y[:, o]) if sense == "min" else np.argmax(Y[:, o]))
            best_x, best_v = X[pick], float(Y[pick, o])
            lo_o, hi_o = tt.bounds.lo[net.output][o], tt.bounds.hi[net.output][o]
            vals[sense], args[sense] = best_v, best_x
            bounds[sense] = float(lo_o if sense == "min" else hi_o)
            stats[sense] = Status.INTERRUPTED.value
            if interrupted:
                partial = True
                continue
            try:
                sol = _optimise(be, enc, o, sense, best_x, deadline, todo, threads)
            except KeyboardInterrupt:
                interrupted = partial = True
                log.warning("range interrupted; the remaining optima keep sampled values and "
                            "tightened bounds")
                continue
            todo -= 1
            if sol.x is not None:
                xw = np.clip(sol.x[enc.input_cols], domain.lo, domain.hi)
                vw = float(net.evaluate(xw)[o])
                if abs(vw - sol.objective) > 1e-6 * (1 + abs(vw)):
                    log.warning("output %d %s: MILP objective %.9g but the network gives %.9g at "
                                "its input", o, sense, sol.objective, vw)
                better = vw < best_v if sense == "min" else vw > best_v
                if better:
                    vals[sense], args[sense] = vw, xw
            b = sol.bound
            if b is not None and sol.status not in (Status.ERROR, Status.NOT_SOLVED, Status.UNBOUNDED):
                bounds[sense] = float(max(b, lo_o) if sense == "min" else min(b, hi_o))
            stats[sense] = sol.status.value
            if sol.status is not Status.OPTIMAL:
                partial = True
            msg = (f"output {o} {sense}: {vals[sense]:.9g} (bound {bounds[sense]:.9g}, "
                   f"{sol.status.value}, {sol.seconds:.2f} s)")
            log.info(msg)
            if progress is not None:
                progress(msg)
        gap = max(vals["min"] - bounds["min"], bounds["max"] - vals["max"], 0.0)
        res.append(OutputRange(o, vals["min"], vals["max"], bounds["min"], bounds["max"],
                               stats["min"], stats["max"], args["min"], args["max"], gap,
                               time.perf_counter() - t1))
    return RangeResult(net.name, domain.to_json(), solver, tighten_method, tuple(res),
                       time.perf_counter() - t0, t_tight, partial)


def _optimise(be, enc, o, sense, x_start, deadline, todo, threads):
    """One MILP optimisation of output ``o``, started from the forward pass at ``x_start``."""
    obj = np.zeros(enc.model.num_cols)
    obj[enc.output_cols[o]] = 1.0
    be.set_objective(obj, sense)
    if "start" in be.capabilities:
        be.set_start(enc.start(x_start))
    rem = None
    if deadline is not None:
        rem = max((deadline - time.perf_counter()) / max(todo, 1), 0.01)
    return be.solve(time_limit=rem, threads=threads)


__all__ = ["OutputRange", "RangeResult", "START_SAMPLES", "output_range"]
