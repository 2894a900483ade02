"""The baseline: Serra et al.'s counting MILP with no-good cuts (docs/milp.md).

The network is encoded once (:func:`regioncount.milp.formulation.encode` with the margin column
``f``, maximised); each solve returns the pattern of largest margin among those not yet excluded;
it is recorded and excluded by its no-good cut ``sum_{z=1} (1 - z) + sum_{z=0} z >= 1``; the loop
ends when the best margin is at most ``REGION_MARGIN``. Every solve starts the branch and bound
again, so the cost grows with the square of the count: this is the method to beat, kept as an
independent cross-check of the region tree (same count, same set of patterns).

Examples
--------
>>> import numpy as np
>>> from regioncount import Domain, Network
>>> net = Network.from_layers([(np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]),
...                             np.array([0.0, 0.0, -0.5]))])
>>> count_milp(net, Domain.box(-1, 1, 2)).regions
7
"""

from __future__ import annotations

import logging
import math
import time
from typing import Callable

import numpy as np

from .. import tolerances as tol
from ..backends import Status, get_backend
from ..domain import Domain
from ..errors import RegioncountError, SolverError
from ..intervals import interval_bounds
from ..network import Network
from .results import CountResult, Progress
from .limits import Interrupt, Limits
from .lp import require_interior
from .unitbox import unit_box

log = logging.getLogger(__name__)


def milp_blind_spots(net: Network, bounds) -> list[str]:
    """Where the margin MILP cannot certify a region, so that its count could be too low.

    The margin ``f`` asks every unstable unit to be at least ``f`` away from its breakpoints.
    Two kinds of region have no such point although they have positive volume (docs/regions.md:
    identical pieces count once, a unit constant at zero is inactive):

    - a max group that reads ReLU / clip outputs: where several of them sit on the same
      constant piece (a max-pool window of inactive ReLUs) the candidates tie on the region;
    - an unstable ReLU whose pre-activation has bias exactly 0 and reads only ReLU / clip
      outputs: where all of those are off it is identically 0 on the region.

    The region tree handles both. Returns one description per affected stage (empty: the
    MILP count is exact).
    """
    from ..intervals import stable_units

    out = []
    stab = {st.stage: st for st in stable_units(net, bounds)}
    for k in net.pwl_indices:
        s = net.stages[k]
        src = net.stages[s.inputs[0]]
        st = stab[k]
        if s.kind == "max" and src.is_pwl and src.has_constant_piece:
            if np.any(~st.active):
                out.append(f"stage {k} ({s.source.describe()}): a max over {src.kind} outputs "
                           "whose constant pieces tie on some regions")
        elif s.kind == "max" and np.any(~st.active) and _ties_possible(net, s, src):
            out.append(f"stage {k} ({s.source.describe()}): a max whose entries can be the same "
                       "function on a region (repeated weights, or an affine map of outputs "
                       "that can all be constant)")
        elif s.kind == "relu" and src.kind == "affine":
            reads_input = any(not _may_be_constant(net.stages[i]) for i in src.sources)
            zero = (np.asarray(src.bias) == 0) & st.unstable
            if not reads_input and np.any(zero):
                out.append(f"stage {k} ({s.source.describe()}): {int(zero.sum())} unstable "
                           "ReLU(s) with bias exactly 0 over ReLU outputs, identically 0 on "
                           "some regions")
    return out


def _ties_possible(net: Network, s, src) -> bool:
    """Whether two entries of a max group can be the same function on a region with interior
    (then no point has a positive margin there): the source is an affine map of stages that can
    all be constant (a BatchNorm after ReLUs before a max-pool), or a group repeats a row of it
    (equal weights and bias)."""
    if src.kind != "affine":
        return False
    if not any(i == 0 or not _may_be_constant(net.stages[i]) for i in src.sources):
        return True
    import scipy.sparse as sp

    rows = np.hstack([W.toarray() if sp.issparse(W) else np.asarray(W, float)
                      for W in src.weights] + [np.asarray(src.bias, float)[:, None]])
    for g in range(s.size):
        members = s.indices[s.indptr[g]:s.indptr[g + 1]]
        sig = {rows[m].tobytes() for m in set(int(v) for v in members)}
        if len(sig) < len(set(int(v) for v in members)):
            return True
    return False


def _may_be_constant(s) -> bool:
    """A PWL stage whose outputs can all be constant on a region (a constant piece, or a max
    over such outputs)."""
    return s.is_pwl and (s.has_constant_piece or s.kind == "max")


def count_milp(net: Network, domain: Domain, *, solver: str = "highs",
               time_limit: float | None = None, max_regions: int | None = None,
               progress: Callable[[Progress], None] | None = None, keep_patterns: bool = True,
               bounds="lp") -> CountResult:
    """Count activation regions with the no-good MILP loop.

    Parameters
    ----------
    net : Network
    domain : Domain
    solver : str
        Backend name (``"highs"`` or ``"ortools"``).
    time_limit : float, optional
        Seconds for the whole loop; a stopped count is returned with ``complete=False``.
    max_regions : int, optional
    progress : callable, optional
        Called with a :class:`Progress` after each solve (at most twice a second).
    keep_patterns : bool
        Return the patterns (flat, one row per region) with their interior points.
    bounds : NeuronBounds or {"lp", "interval"}
        Neuron bounds for the big-M constants: given, or LP-tightened (default, docs/milp.md:
        tighten first), or plain interval bounds.

    Returns
    -------
    CountResult
        ``lps`` counts the MILPs solved (one per region, plus the final one).
    """
    from ..milp.formulation import encode

    t0 = time.monotonic()
    require_interior(domain)
    net_in, domain_in = net, domain
    if bounds is None or isinstance(bounds, str):       # margins in unit-cube coordinates
        net, domain, to_input = unit_box(net, domain)
    else:
        to_input = np.asarray                            # given bounds belong to the input
    bounds = _big_m_bounds(net, domain, bounds, solver, time_limit)
    risks = milp_blind_spots(net, bounds)
    if risks:
        raise RegioncountError(
            f"{net.name}: the MILP count would miss regions ({risks[0]}"
            + (f"; and {len(risks) - 1} more stage(s)" if len(risks) > 1 else "")
            + "); use --method tree, which counts them")
    enc = encode(net, domain, bounds, margin=True)
    be = get_backend(solver)
    be.load(enc.model)
    with Interrupt() as intr:
        limits = Limits.starting(t0, time_limit, max_regions, intr)
        patterns, points, solves, reason = _nogood_loop(be, enc, limits, progress, t0, solver)
    if reason:
        log.warning("MILP count stopped early (%s): %d regions found so far", reason, len(patterns))
    P = np.array(patterns, np.int32).reshape(len(patterns), net.pwl_units)
    # the solver's points may overshoot the box by its feasibility tolerance: back inside
    X = np.clip(to_input(np.array(points).reshape(len(points), net.input_size)),
                domain_in.lo, domain_in.hi)
    return CountResult(regions=len(P), complete=reason == "", method="milp",
                       seconds=time.monotonic() - t0, lps=solves, per_class=_per_class(net_in, X),
                       per_layer=_per_layer(net, P), patterns=P if keep_patterns else None,
                       points=X if keep_patterns else None, stop_reason=reason, solver=solver)


def _big_m_bounds(net, domain, bounds, solver, time_limit):
    """The neuron bounds of the big-M constants: given, interval, or LP-tightened under a
    quarter of the time limit."""
    if bounds is None or bounds == "interval":
        return interval_bounds(net, domain)
    if bounds == "lp":
        from ..milp.tighten import tighten

        return tighten(net, domain, method="lp", solver=solver,
                       time_limit=None if time_limit is None else time_limit / 4).bounds
    return bounds


def _nogood_loop(be, enc, limits: Limits, progress, t0: float, solver: str):
    """Solve, record the pattern, exclude it, until no pattern with a positive margin is left
    or a limit stops the loop. Returns ``(patterns, points, solves, stop_reason)``."""
    patterns, points = [], []
    solves, last = 0, 0.0
    while True:
        reason = limits.reached(len(patterns), time.monotonic())
        if reason:
            return patterns, points, solves, reason
        left = limits.deadline - time.monotonic()
        sol = be.solve(time_limit=None if math.isinf(left) else left)
        solves += 1
        if sol.status is Status.INFEASIBLE:
            return patterns, points, solves, ""        # every pattern is excluded
        if sol.status in _STOPPED:
            return patterns, points, solves, _STOPPED[sol.status]
        if not sol.status.is_optimal or sol.x is None:
            raise SolverError(f"{solver}: counting MILP ended with status {sol.status.value}")
        if not sol.objective > tol.REGION_MARGIN:
            return patterns, points, solves, ""        # no pattern left with an interior
        pattern = enc.pattern_from(sol.x)
        patterns.append(np.concatenate([np.asarray(p, np.int32).ravel() for p in pattern]))
        points.append(np.asarray(sol.x[enc.input_cols], float))
        row, lb = enc.nogood(pattern)
        be.add_rows(row, lb, np.inf)
        now = time.monotonic()
        if progress is not None and now - last >= 0.5:
            last = now
            progress(Progress(len(patterns), solves, 0, now - t0))


#: Solver statuses that stop the loop early, with the stop reason they give.
_STOPPED = {Status.TIME_LIMIT: "time limit", Status.INTERRUPTED: "interrupted"}


def _per_class(net: Network, X: np.ndarray) -> dict:
    """Regions per argmax output at their interior points."""
    if not len(X):
        return {}
    cls = np.argmax(np.asarray(net.evaluate(X)).reshape(len(X), -1), axis=1)
    return {int(k): int(v) for k, v in zip(*np.unique(cls, return_counts=True))}


def _per_layer(net: Network, P: np.ndarray) -> tuple:
    """Distinct prefixes of the patterns after each PWL stage."""
    out, k = [], 0
    for s in net.pwl_stages:
        k += s.size
        out.append(len({p[:k].tobytes() for p in P}))
    return tuple(out)
