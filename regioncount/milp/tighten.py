"""Bound tightening and stable units: interval, LP and MILP.

Optimisation-based bound tightening, layer by layer (REGIONS.md section 2): for every stage
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
from ..intervals import (NeuronBounds, StableUnits, interval_bounds, make_bounds, propagate_stage,
                         stable_units)
from ..network import Affine, Clip, LeakyRelu, MaxGroups, Network, Relu
from ..tolerances import STABILITY_TOL
from .formulation import encode, max_candidates

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
    i = s.inputs[0]
    l, h = lo[i], hi[i]
    if isinstance(s, (Relu, LeakyRelu)):
        return np.flatnonzero((l < 0) & (h > 0))
    if isinstance(s, Clip):
        cl, ch = np.broadcast_to(s.lo, l.shape), np.broadcast_to(s.hi, l.shape)
        return np.flatnonzero(((l < cl) & (h > cl)) | ((l < ch) & (h > ch)))
    if isinstance(s, MaxGroups):
        idx, mask = s._padded()
        cand = max_candidates(idx, mask, np.where(mask, l[idx], -np.inf), np.where(mask, h[idx], -np.inf))
        groups = np.flatnonzero(cand.sum(axis=1) > 1)
        ent = np.unique(idx[groups][mask[groups]])
        return ent[l[ent] < h[ent]]            # a constant entry has nothing to tighten
    raise RegioncountError(f"stage {k}: unknown PWL kind {s.kind}")


def _with_max_ties(net: Network, bounds: NeuronBounds, st: list) -> list:
    """``stable_units`` with max groups reduced by :func:`max_candidates` (a group whose
    candidates are all the same constant is one piece, hence stable)."""
    out = []
    for su in st:
        s = net.stages[su.stage]
        if isinstance(s, MaxGroups):
            l, h = bounds.pre(su.stage)
            idx, mask = s._padded()
            cand = max_candidates(idx, mask, np.where(mask, l[idx], -np.inf), np.where(mask, h[idx], -np.inf))
            su = StableUnits(su.stage, su.kind, su.active | (cand.sum(axis=1) == 1), su.inactive,
                             su.candidates)
        out.append(su)
    return out


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
    """
    from ..backends import Status, get_backend

    if method not in METHODS:
        raise RegioncountError(f"unknown tightening method {method!r} (choose from {', '.join(METHODS)})")
    t_start = time.perf_counter()
    ib = interval_bounds(net, domain) if bounds is None else bounds
    interval_stable = stable_units(net, ib)
    lo, hi = [ib.lo[0].copy()], [ib.hi[0].copy()]
    consumers = net.consumers()
    pwl_set = set(net.pwl_indices)
    stage_secs: dict[int, float] = {}
    lp_count: dict[int, int] = {}
    milp_count: dict[int, int] = {}
    partial = False
    lp_snap: dict[int, tuple] = {}
    be = None
    deadline = None if time_limit is None else t_start + float(time_limit)

    def left():
        return None if deadline is None else deadline - time.perf_counter()

    for i in range(1, len(net.stages)):
        s = net.stages[i]
        l, h = propagate_stage(s, lo, hi)
        # never looser than the starting bounds
        lo.append(np.maximum(l, ib.lo[i]))
        hi.append(np.minimum(h, ib.hi[i]))
        feeds = [k for k in consumers[i] if k in pwl_set]
        if method == "interval" or not feeds or partial:
            continue
        t0 = time.perf_counter()
        solves = 0
        try:
            todo = np.unique(np.concatenate([_unstable_inputs(net, k, lo, hi) for k in feeds]))
            if not todo.size:
                continue
            if domain.is_box and isinstance(s, Affine) and all(j == 0 for j in s.sources):
                # an affine map of the input over a box: interval bounds are already exact
                continue
            if isinstance(s, (Relu, Clip)) or (isinstance(s, LeakyRelu) and np.all(s.alpha >= 0)):
                # a monotone elementwise stage (e.g. ReLU -> max-pool): the LP optimum of
                # h = relu(g) is relu of the LP optimum of g, which its input already has
                continue
            cur = make_bounds(net, lo + [b for b in ib.lo[i + 1:]], hi + [b for b in ib.hi[i + 1:]], "lp")
            enc = encode(net, domain, cur, upto=i + 1, relax=relax)
            cols = enc.value_cols[i]
            n = enc.model.num_cols
            if be is None:
                be = get_backend(solver)
                if "lp" not in be.capabilities:
                    raise SolverError(f"solver {solver!r} cannot solve LPs")
            be.load(enc.model.relaxed())   # no-op integrality for relax=True
            solves = 0
            # all minimisations, then all maximisations: consecutive objectives then point the
            # same way and the kept basis is a better start (fewer simplex iterations, measured)
            for sense, j in [(sn, j) for sn in ("min", "max") for j in todo.tolist()]:
                rem = left()
                if rem is not None and rem <= 0:
                    partial = True
                    break
                # max g = -min(-g): one objective sense throughout, only two costs change
                obj = np.zeros(n)
                obj[cols[j]] = 1.0 if sense == "min" else -1.0
                be.set_objective(obj, "min")
                if not warm:
                    be.reset()
                sol = be.solve(time_limit=rem, threads=threads)
                solves += 1
                if sol.status is Status.INFEASIBLE:
                    raise DomainError("domain: the LP relaxation is infeasible; is the domain empty?")
                if sol.status is not Status.OPTIMAL or sol.bound is None:
                    continue
                if sense == "min":
                    lo[i][j] = max(lo[i][j], _widen_lo(sol.bound))
                else:
                    hi[i][j] = min(hi[i][j], _widen_hi(-sol.bound))
            lp_count[i] = solves
            lp_snap[i] = (lo[i].copy(), hi[i].copy())
            if method == "milp" and not partial:
                todo2 = np.unique(np.concatenate([_unstable_inputs(net, k, lo, hi) for k in feeds]))
                if todo2.size:
                    cur = make_bounds(net, lo + [b for b in ib.lo[i + 1:]], hi + [b for b in ib.hi[i + 1:]], "milp")
                    enc = encode(net, domain, cur, upto=i + 1)
                    cols = enc.value_cols[i]
                    n = enc.model.num_cols
                    mb = get_backend(solver)
                    mb.load(enc.model)
                    start = enc.start(domain.sample(1, 0)[0])
                    msolves = 0
                    for j in todo2.tolist():
                        for sense in ("min", "max"):
                            rem = left()
                            if rem is not None and rem <= 0:
                                partial = True
                                break
                            tl = milp_unit_seconds if rem is None else min(milp_unit_seconds, rem)
                            obj = np.zeros(n)
                            obj[cols[j]] = 1.0
                            mb.set_objective(obj, sense)
                            if "start" in mb.capabilities:
                                mb.set_start(start)
                            sol = mb.solve(time_limit=tl, threads=threads)
                            msolves += 1
                            if sol.bound is None or sol.status in (Status.ERROR, Status.NOT_SOLVED,
                                                                   Status.UNBOUNDED):
                                continue
                            if sense == "min":
                                lo[i][j] = max(lo[i][j], _widen_lo(sol.bound))
                            else:
                                hi[i][j] = min(hi[i][j], _widen_hi(sol.bound))
                        if partial:
                            break
                    milp_count[i] = msolves
            dt = time.perf_counter() - t0
            for k in feeds:
                stage_secs[k] = stage_secs.get(k, 0.0) + dt
            msg = (f"stage {i} ({s.kind}, {s.size} units): {todo.size} unstable inputs, "
                   f"{solves} LP / {milp_count.get(i, 0)} MILP solves, {dt:.2f} s")
            log.info(msg)
            if progress is not None:
                progress(msg)
        except KeyboardInterrupt:
            # every bound stored so far is sound: stop tightening, keep them, say so
            partial = True
            log.warning("tightening interrupted at stage %d; keeping the bounds found so far", i)
            if progress is not None:
                progress(f"stage {i}: interrupted; the remaining stages keep interval bounds")

    final = make_bounds(net, lo, hi, method)
    final_stable = _with_max_ties(net, final, stable_units(net, final))
    interval_stable = _with_max_ties(net, ib, interval_stable)
    if method == "milp":
        lp_b = make_bounds(net, [lp_snap.get(i, (lo[i], hi[i]))[0] for i in range(len(lo))],
                           [lp_snap.get(i, (lo[i], hi[i]))[1] for i in range(len(lo))], "lp")
        lp_stable = _with_max_ties(net, lp_b, stable_units(net, lp_b))
    else:
        lp_stable = final_stable
    stages = []
    for iv, lps, fs in zip(interval_stable, lp_stable, final_stable):
        k = fs.stage
        s = net.stages[k]
        act = fs.active | iv.active
        ina = fs.inactive | iv.inactive
        by = np.full(s.size, "", dtype=object)
        by[act | ina] = method
        by[lps.active | lps.inactive] = "lp"
        by[iv.active | iv.inactive] = "interval"
        stages.append(StageStability(k, s.kind, s.size, act, ina, by.astype(str),
                                     stage_secs.get(k, 0.0), lp_count.get(s.inputs[0], 0),
                                     milp_count.get(s.inputs[0], 0)))
    secs = time.perf_counter() - t_start
    return Tightening(final, ib, tuple(stages), method, secs, partial)


__all__ = ["METHODS", "MILP_UNIT_SECONDS", "StableReport", "StageStability", "Tightening", "tighten"]
