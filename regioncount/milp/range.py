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
        ``outputs``: one :class:`OutputRange` per output asked for, each with the attained
        ``min`` / ``max``, their witnesses ``argmin`` / ``argmax`` and the proven bounds.

    Raises
    ------
    SolverError
        When the solver is not available or cannot solve MILPs.
    RegioncountError
        For an unknown ``tighten_method``.
    DomainError
        When the domain does not fit the network or is empty.

    Examples
    --------
    >>> import numpy as np
    >>> from regioncount import Domain, Network
    >>> from regioncount.milp import output_range
    >>> net = Network.from_layers([(np.array([[1.0, 0.0], [0.0, 1.0]]), np.zeros(2))],
    ...                           final=(np.array([[1.0, -1.0]]), np.zeros(1)))
    >>> o = output_range(net, Domain.box(-1, 1, 2)).outputs[0]   # relu(x) - relu(y)
    >>> round(o.min, 6), round(o.max, 6), round(float(net.evaluate(o.argmax)[0]), 6)
    (-1.0, 1.0, 1.0)
    """
    from ..backends import get_backend

    t0 = time.perf_counter()
    tt = tighten(net, domain, method=tighten_method, solver=solver, threads=threads,
                 time_limit=None if time_limit is None else 0.3 * float(time_limit),
                 progress=progress)
    t_tight = time.perf_counter() - t0
    enc = encode(net, domain, tt.bounds)
    be = get_backend(solver)
    if "milp" not in be.capabilities:
        raise SolverError(f"solver {solver!r} cannot solve MILPs")
    be.load(enc.model)
    X = domain.sample(START_SAMPLES, seed)
    X = np.vstack([X, domain.center[None, :]]) if domain.contains(domain.center[None, :])[0] else X
    idx = list(range(net.output_size)) if outputs is None else [int(o) for o in outputs]
    run = _Sides(net, domain, be, enc, tt.bounds, X, net.evaluate(X), threads, progress,
                 None if time_limit is None else t0 + float(time_limit), 2 * len(idx))
    res = []
    for o in idx:
        t1 = time.perf_counter()
        lo, hi = run.side(o, "min"), run.side(o, "max")
        gap = max(lo[0] - lo[2], hi[2] - hi[0], 0.0)
        res.append(OutputRange(o, lo[0], hi[0], lo[2], hi[2], lo[3], hi[3], lo[1], hi[1], gap,
                               time.perf_counter() - t1))
    return RangeResult(net.name, domain.to_json(), solver, tighten_method, tuple(res),
                       time.perf_counter() - t0, t_tight, run.partial)


class _Sides:
    """The optimisations of one :func:`output_range` call, one output side at a time."""

    def __init__(self, net, domain, be, enc, bounds, X, Y, threads, progress, deadline, todo):
        self.net, self.domain, self.be, self.enc, self.bounds = net, domain, be, enc, bounds
        self.X, self.Y, self.threads, self.progress = X, Y, threads, progress
        self.deadline, self.todo = deadline, todo
        self.partial = self.interrupted = False

    def side(self, o: int, sense: str) -> tuple:
        """``(value, argument, bound, status)`` of the minimum or maximum of output ``o``: the
        best attained value (sampled or MILP) and the proven bound."""
        from ..backends import Status

        pick = int(np.argmin(self.Y[:, o]) if sense == "min" else np.argmax(self.Y[:, o]))
        best_x, best_v = self.X[pick], float(self.Y[pick, o])
        lo_o, hi_o = self.bounds.lo[self.net.output][o], self.bounds.hi[self.net.output][o]
        bound = float(lo_o if sense == "min" else hi_o)
        if self.interrupted:
            self.partial = True
            return best_v, best_x, bound, Status.INTERRUPTED.value
        try:
            sol = _optimise(self.be, self.enc, o, sense, best_x, self.deadline, self.todo,
                            self.threads)
        except KeyboardInterrupt:
            self.interrupted = self.partial = True
            log.warning("range interrupted; the remaining optima keep sampled values and "
                        "tightened bounds")
            return best_v, best_x, bound, Status.INTERRUPTED.value
        self.todo -= 1
        if sol.x is not None:
            best_v, best_x = self._attained(o, sense, sol, best_v, best_x)
        if sol.bound is not None and sol.status not in (Status.ERROR, Status.NOT_SOLVED,
                                                        Status.UNBOUNDED):
            bound = float(max(sol.bound, lo_o) if sense == "min" else min(sol.bound, hi_o))
        if sol.status is not Status.OPTIMAL:
            self.partial = True
        msg = (f"output {o} {sense}: {best_v:.9g} (bound {bound:.9g}, "
               f"{sol.status.value}, {sol.seconds:.2f} s)")
        log.info(msg)
        if self.progress is not None:
            self.progress(msg)
        return best_v, best_x, bound, sol.status.value

    def _attained(self, o, sense, sol, best_v, best_x):
        """The network's own value at the MILP's input (clipped to the box), if better."""
        xw = np.clip(sol.x[self.enc.input_cols], self.domain.lo, self.domain.hi)
        vw = float(self.net.evaluate(xw)[o])
        if abs(vw - sol.objective) > 1e-6 * (1 + abs(vw)):
            log.warning("output %d %s: MILP objective %.9g but the network gives %.9g at "
                        "its input", o, sense, sol.objective, vw)
        better = vw < best_v if sense == "min" else vw > best_v
        return (vw, xw) if better else (best_v, best_x)


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
