"""Bound tightening and stable units: interval, LP and MILP.

Optimisation-based bound tightening, layer by layer (docs/milp.md): for every stage
that feeds a PWL stage, minimise and maximise each *unstable* pre-activation over the LP
relaxation of the network up to that stage, encoded with the bounds already tightened
(:func:`~regioncount.milp.formulation.encode` with ``upto``). Within a stage the LP is loaded
once and re-solved after each objective change from the kept basis (warm start).
Optionally (``method="milp"``) the units still unstable are then optimised over the exact
MILP under a time budget, using the solver's proven dual bound (sound even when stopped
early).

Every solver optimum is widened by ``STABILITY_TOL * (1 + |v|)`` before it is stored and
intersected with the interval bound, so the result is a sound outer bound
(:class:`~regioncount.intervals.NeuronBounds`) whatever the solver's tolerances.

Examples
--------
>>> import numpy as np
>>> from regioncount import Domain, Network
>>> # relu(x) + relu(-x) - 1.5 = |x| - 1.5 < 0 on [-1, 1]; intervals give [-1.5, 0.5]
>>> net = Network.from_layers([(np.array([[1.0], [-1.0]]), np.zeros(2)),
...                            (np.array([[1.0, 1.0]]), np.array([-1.5]))])
>>> t = tighten(net, Domain.box(-1, 1, 1), method="lp")
>>> [s.proved_by.tolist() for s in t.stages]
[['', ''], ['lp']]
>>> round(float(t.bounds.pre(4)[1][0]), 6)       # the LP relaxation proves |x| <= 1
-0.5
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import numpy as np

from ..domain import Domain
from ..errors import DomainError, RegioncountError, SolverError
from ..intervals import NeuronBounds, interval_bounds, make_bounds, propagate_stage, stable_units
from ..network import Affine, Network
from ..tolerances import STABILITY_TOL
from .formulation import encode

log = logging.getLogger(__name__)

METHODS = ("interval", "lp", "milp")

#: Default time budget of one MILP bound (seconds) when ``method="milp"`` and no overall
#: time limit is given.
MILP_UNIT_SECONDS = 5.0


@dataclass(frozen=True, eq=False)
class StageStability:
    """Stable units of one PWL stage and the method that proved each.

    Attributes
    ----------
    stage : int
        Index in ``net.stages``.
    kind : str
    units : int
    active, inactive : ndarray of bool
        As in :class:`regioncount.intervals.StableUnits` (clip: ``active`` is the middle
        piece, ``inactive`` a constant piece; max groups: ``active`` is a group with one
        candidate left).
    proved_by : ndarray of str
        ``"interval"``, ``"lp"`` or ``"milp"`` for stable units, ``""`` otherwise.
    seconds : float
        Time spent tightening this stage's pre-activations.
    lp_solves, milp_solves : int
    """

    stage: int
    kind: str
    units: int
    active: np.ndarray
    inactive: np.ndarray
    proved_by: np.ndarray
    seconds: float
    lp_solves: int = 0
    milp_solves: int = 0

    def counts(self) -> dict:
        """Stable units per proving method."""
        return {m: int(np.count_nonzero(self.proved_by == m)) for m in METHODS}


@dataclass(frozen=True, eq=False)
class Tightening:
    """Result of :func:`tighten`.

    Attributes
    ----------
    bounds : NeuronBounds
        Sound outer bounds (``bounds.method`` is the method asked for).
    interval : NeuronBounds
        The interval bounds it started from.
    stages : tuple of StageStability
        One per PWL stage, in order.
    method : str
    seconds : float
    partial : bool
        True when the time limit stopped tightening early (the bounds stay sound; the
        remaining stages kept interval bounds).
    """

    bounds: NeuronBounds
    interval: NeuronBounds
    stages: tuple
    method: str
    seconds: float
    partial: bool = False

    def stable_count(self) -> int:
        """Stable units over all stages (stably active or stably inactive)."""
        return int(sum(np.count_nonzero(s.active | s.inactive) for s in self.stages))

    def counts(self) -> dict:
        """Stable units per proving method, over all stages."""
        out = {m: 0 for m in METHODS}
        for s in self.stages:
            for m, v in s.counts().items():
                out[m] += v
        return out


@dataclass(frozen=True, eq=False)
class StableReport:
    """What ``regioncount stable`` prints: a :class:`Tightening` with its context."""

    model: str
    domain: dict
    solver: str
    tightening: Tightening
    stage_names: tuple = ()

    def to_json(self) -> dict:
        t = self.tightening
        layers = []
        for n, s in enumerate(t.stages):
            layers.append({
                "stage": s.stage, "kind": s.kind,
                "name": self.stage_names[n] if n < len(self.stage_names) else "",
                "units": s.units,
                "stably_active": np.flatnonzero(s.active).tolist(),
                "stably_inactive": np.flatnonzero(s.inactive).tolist(),
                "proved_by": {m: np.flatnonzero(s.proved_by == m).tolist() for m in METHODS},
                "seconds": s.seconds, "lp_solves": s.lp_solves, "milp_solves": s.milp_solves,
            })
        return {"model": self.model, "domain": self.domain, "tighten": t.method,
                "solver": self.solver, "units": int(sum(s.units for s in t.stages)),
                "stable": t.stable_count(), "proved_by": t.counts(), "partial": t.partial,
                "seconds": t.seconds, "layers": layers}


def _unstable_inputs(net: Network, k: int, lo, hi) -> np.ndarray:
    """Indices of the inputs of PWL stage ``k`` whose bounds leave the stage unstable."""
    s = net.stages[k]
    return s.unstable_inputs(lo[s.inputs[0]], hi[s.inputs[0]])


def _widen_lo(v: float) -> float:
    return v - STABILITY_TOL * (1.0 + abs(v))


def _widen_hi(v: float) -> float:
    return v + STABILITY_TOL * (1.0 + abs(v))


def tighten(net: Network, domain: Domain, method: str = "lp", solver: str = "highs",
            bounds: NeuronBounds | None = None, time_limit: float | None = None,
            threads: int | None = None, warm: bool = True,
            milp_unit_seconds: float = MILP_UNIT_SECONDS, progress=None,
            relax: bool = True) -> Tightening:
    """Tighten neuron bounds and find stable units.

    Parameters
    ----------
    net : Network
    domain : Domain
    method : {'interval', 'lp', 'milp'}
    solver : str
        Backend name (``regioncount.backends.BACKENDS``).
    bounds : NeuronBounds, optional
        Starting bounds (default: interval bounds).
    time_limit : float, optional
        Overall seconds; when it runs out the remaining stages keep their interval bounds and
        the result is marked ``partial``.
    threads : int, optional
    warm : bool
        Re-solve each LP from the previous basis (default). ``False`` clears the solver's
        basis before every solve: the cold-start baseline of the benchmark.
    milp_unit_seconds : float
        Time budget of one MILP bound (``method="milp"``).
    progress : callable, optional
        Called with one line of text after each tightened stage.
    relax : bool
        Solve the hull relaxation built without binaries (default; the same LP bound as the
        big-M relaxation, on a smaller LP). ``False`` relaxes the big-M MILP instead.

    Returns
    -------
    Tightening
        ``.bounds`` are sound outer bounds (pass them, or the Tightening itself, as
        ``neuron_bounds`` to :func:`regioncount.bounds.bounds_for_network`,
        :func:`regioncount.app.bounds` or :func:`regioncount.intervals.stable_units`);
        ``.stages`` say which units are stable and which method proved each.

    Raises
    ------
    RegioncountError
        For an unknown ``method``.
    SolverError
        When the solver is not available or cannot solve LPs.
    DomainError
        When the domain does not fit the network, or the LP relaxation is infeasible (an
        empty polytope domain).

    Examples
    --------
    >>> import numpy as np
    >>> from regioncount import Domain, Network
    >>> from regioncount.milp import tighten
    >>> # relu(x) + relu(-x) - 1.5 on [-1, 1]: only the LP proves the last unit off
    >>> net = Network.from_layers([(np.array([[1.0], [-1.0]]), np.zeros(2)),
    ...                            (np.array([[1.0, 1.0]]), np.array([-1.5]))])
    >>> dom = Domain.box(-1, 1, 1)
    >>> [tighten(net, dom, method=m).counts() for m in ("interval", "lp")]
    [{'interval': 0, 'lp': 0, 'milp': 0}, {'interval': 0, 'lp': 1, 'milp': 0}]
    >>> tighten(net, dom, method="exact")
    Traceback (most recent call last):
    ...
    regioncount.errors.RegioncountError: unknown tightening method 'exact' (choose from interval, lp, milp)
    """
    if method not in METHODS:
        raise RegioncountError(f"unknown tightening method {method!r} (choose from {', '.join(METHODS)})")
    run = _Run(net, domain, method, solver, bounds, time_limit, threads, warm,
               milp_unit_seconds, progress, relax)
    for i in range(1, len(net.stages)):
        run.stage(i)
    return run.result()


class _Run:
    """The state of one :func:`tighten` call: bounds so far, solve counts, the deadline."""

    def __init__(self, net, domain, method, solver, bounds, time_limit, threads, warm,
                 milp_unit_seconds, progress, relax):
        self.net, self.domain, self.method, self.solver = net, domain, method, solver
        self.threads, self.warm, self.unit_secs = threads, warm, milp_unit_seconds
        self.progress, self.relax = progress, relax
        self.t_start = time.perf_counter()
        self.ib = interval_bounds(net, domain) if bounds is None else bounds
        self.lo, self.hi = [self.ib.lo[0].copy()], [self.ib.hi[0].copy()]
        self.consumers = net.consumers()
        self.pwl_set = set(net.pwl_indices)
        self.stage_secs: dict[int, float] = {}
        self.lp_count: dict[int, int] = {}
        self.milp_count: dict[int, int] = {}
        self.lp_snap: dict[int, tuple] = {}
        self.partial = False
        self.be = None
        self.deadline = None if time_limit is None else self.t_start + float(time_limit)

    def left(self):
        return None if self.deadline is None else self.deadline - time.perf_counter()

    def _say(self, msg: str) -> None:
        if self.progress is not None:
            self.progress(msg)

    def stage(self, i: int) -> None:
        """Interval bounds of stage ``i``, then LP (and MILP) bounds where they can help."""
        s = self.net.stages[i]
        l, h = propagate_stage(s, self.lo, self.hi)
        self.lo.append(np.maximum(l, self.ib.lo[i]))      # never looser than the start
        self.hi.append(np.minimum(h, self.ib.hi[i]))
        feeds = [k for k in self.consumers[i] if k in self.pwl_set]
        if self.method == "interval" or not feeds or self.partial:
            return
        t0 = time.perf_counter()
        try:
            todo = self._todo(feeds)
            if not todo.size or self._exact_already(s):
                return
            solves = self._lp(i, todo)
            if self.method == "milp" and not self.partial:
                self._milp(i, self._todo(feeds))
            dt = time.perf_counter() - t0
            for k in feeds:
                self.stage_secs[k] = self.stage_secs.get(k, 0.0) + dt
            msg = (f"stage {i} ({s.kind}, {s.size} units): {todo.size} unstable inputs, "
                   f"{solves} LP / {self.milp_count.get(i, 0)} MILP solves, {dt:.2f} s")
            log.info(msg)
            self._say(msg)
        except KeyboardInterrupt:
            # every bound stored so far is sound: stop tightening, keep them, say so
            self.partial = True
            log.warning("tightening interrupted at stage %d; keeping the bounds found so far", i)
            self._say(f"stage {i}: interrupted; the remaining stages keep interval bounds")

    def _todo(self, feeds) -> np.ndarray:
        return np.unique(np.concatenate([_unstable_inputs(self.net, k, self.lo, self.hi)
                                         for k in feeds]))

    def _exact_already(self, s) -> bool:
        """Stages whose interval bounds are already what the LP would give."""
        if self.domain.is_box and isinstance(s, Affine) and all(j == 0 for j in s.sources):
            return True     # an affine map of the input over a box: intervals are exact
        # a nondecreasing elementwise stage (e.g. ReLU -> max-pool): the bounds of f(g) follow
        # from the LP bounds of g, which its input already has
        return s.is_pwl and s.monotone

    def _encode(self, i: int, method: str, relax: bool):
        ib = self.ib
        cur = make_bounds(self.net, self.lo + list(ib.lo[i + 1:]), self.hi + list(ib.hi[i + 1:]),
                          method)
        return encode(self.net, self.domain, cur, upto=i + 1, relax=relax)

    def _lp(self, i: int, todo: np.ndarray) -> int:
        """Minimise and maximise each input in ``todo`` over the LP relaxation."""
        from ..backends import Status, get_backend

        enc = self._encode(i, "lp", self.relax)
        cols, n = enc.value_cols[i], enc.model.num_cols
        if self.be is None:
            self.be = get_backend(self.solver)
            if "lp" not in self.be.capabilities:
                raise SolverError(f"solver {self.solver!r} cannot solve LPs")
        be = self.be
        be.load(enc.model.relaxed())   # no-op integrality for relax=True
        solves = 0
        # all minimisations, then all maximisations: consecutive objectives then point the
        # same way and the kept basis is a better start (fewer simplex iterations, measured)
        for sense, j in [(sn, j) for sn in ("min", "max") for j in todo.tolist()]:
            rem = self.left()
            if rem is not None and rem <= 0:
                self.partial = True
                break
            obj = np.zeros(n)      # max g = -min(-g): one objective sense, two costs change
            obj[cols[j]] = 1.0 if sense == "min" else -1.0
            be.set_objective(obj, "min")
            if not self.warm:
                be.reset()
            sol = be.solve(time_limit=rem, threads=self.threads)
            solves += 1
            if sol.status is Status.INFEASIBLE:
                raise DomainError("domain: the LP relaxation is infeasible; is the domain empty?")
            if sol.status is Status.OPTIMAL and sol.bound is not None:
                self._store(i, j, sense, sol.bound if sense == "min" else -sol.bound)
        self.lp_count[i] = solves
        self.lp_snap[i] = (self.lo[i].copy(), self.hi[i].copy())
        return solves

    def _store(self, i: int, j: int, sense: str, v: float) -> None:
        if sense == "min":
            self.lo[i][j] = max(self.lo[i][j], _widen_lo(v))
        else:
            self.hi[i][j] = min(self.hi[i][j], _widen_hi(v))

    def _milp(self, i: int, todo: np.ndarray) -> None:
        """The units still unstable over the exact MILP, each under a time budget."""
        from ..backends import Status, get_backend

        if not todo.size:
            return
        enc = self._encode(i, "milp", False)
        cols, n = enc.value_cols[i], enc.model.num_cols
        mb = get_backend(self.solver)
        mb.load(enc.model)
        start = enc.start(self.domain.sample(1, 0)[0])
        solves = 0
        for j, sense in [(j, sn) for j in todo.tolist() for sn in ("min", "max")]:
            rem = self.left()
            if rem is not None and rem <= 0:
                self.partial = True
                break
            obj = np.zeros(n)
            obj[cols[j]] = 1.0
            mb.set_objective(obj, sense)
            if "start" in mb.capabilities:
                mb.set_start(start)
            sol = mb.solve(time_limit=self.unit_secs if rem is None else min(self.unit_secs, rem),
                           threads=self.threads)
            solves += 1
            if sol.bound is not None and sol.status not in (Status.ERROR, Status.NOT_SOLVED,
                                                            Status.UNBOUNDED):
                self._store(i, j, sense, sol.bound)
        self.milp_count[i] = solves

    def result(self) -> Tightening:
        net, lo, hi = self.net, self.lo, self.hi
        final = make_bounds(net, lo, hi, self.method)
        final_stable = stable_units(net, final)
        interval_stable = stable_units(net, self.ib)
        lp_stable = final_stable
        if self.method == "milp":
            snap = [self.lp_snap.get(i, (lo[i], hi[i])) for i in range(len(lo))]
            lp_stable = stable_units(net, make_bounds(net, [a for a, _ in snap],
                                                      [b for _, b in snap], "lp"))
        stages = [self._stability(iv, lps, fs)
                  for iv, lps, fs in zip(interval_stable, lp_stable, final_stable)]
        secs = time.perf_counter() - self.t_start
        return Tightening(final, self.ib, tuple(stages), self.method, secs, self.partial)

    def _stability(self, iv, lps, fs) -> StageStability:
        """Which method proved each stable unit of one stage first."""
        k = fs.stage
        s = self.net.stages[k]
        act = fs.active | iv.active
        ina = fs.inactive | iv.inactive
        by = np.full(s.size, "", dtype=object)
        by[act | ina] = self.method
        by[lps.active | lps.inactive] = "lp"
        by[iv.active | iv.inactive] = "interval"
        return StageStability(k, s.kind, s.size, act, ina, by.astype(str),
                              self.stage_secs.get(k, 0.0), self.lp_count.get(s.inputs[0], 0),
                              self.milp_count.get(s.inputs[0], 0))


__all__ = ["METHODS", "MILP_UNIT_SECONDS", "StableReport", "StageStability", "Tightening", "tighten"]
