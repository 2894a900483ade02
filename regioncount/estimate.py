"""Past exact counting: certified lower bounds, estimates and brackets (docs/estimate.md).

Counting regions is #P-hard; when the exact count is out of reach this module still says
something true about a network on a domain, from three sources:

- **MIPBound** (Serra and Ramalingam, AAAI 2020): ``r`` random parity (XOR) constraints
  ``sum_{i in S} z_i - 2 k = b`` (``k`` an auxiliary integer, ``b`` a fair coin) are added to
  the binaries of the counting MILP, and the MILP is asked for a point with a positive margin.
  Each pattern survives ``r`` independent fair parities with probability ``2^-r``, so by
  Markov's inequality a feasible trial is unlikely when the count is below ``2^r``: if ``t``
  trials are all feasible, the count is at least ``2^(r - a)`` except with probability
  ``2^(-a t)``. Every ``r`` tried enters a union bound (:func:`mipbound_slack`), so the bound
  reported for the largest passing ``r`` holds with the stated confidence.
- **Sampling**: the distinct patterns at random points of the domain are a sure lower bound;
  the curve of distinct patterns against samples shows whether it saturates.
- **Slices**: the exact counts along random lines and planes through the domain, extrapolated
  to its dimension: an *estimate*, labelled with its method and its uncertainty.

:class:`Bracket` puts the best sure lower bound, the best estimate and the best weight-aware
upper bound together, each with how it was obtained; a count stopped by its time limit is a
sure lower bound and feeds it.

Examples
--------
>>> import numpy as np
>>> from regioncount import Domain, Network
>>> net = Network.from_layers([(np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]),
...                             np.array([0.0, 0.0, -0.5]))])
>>> dom = Domain.box(-1, 1, 2)
>>> sample_lower_bound(net, dom, samples=2000, seed=0).lower_bound
7
>>> b = bracket(net, dom, method="sampling", samples=2000, seed=0)
>>> b.lower_bound <= 7 <= b.upper_bound
True
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, replace

import numpy as np
import scipy.sparse as sp

from . import tolerances as tol
from .backends import Status, get_backend
from .domain import Domain
from .errors import RegioncountError
from .network import Network

log = logging.getLogger(__name__)

#: Margin the MILP of a trial must reach (in unit-cube coordinates): the region tree's
#: feasibility slack ``REGION_FEASIBILITY_FACTOR * REGION_MARGIN`` (1e-6), three orders above
#: the margin that decides a region, so that a solver point within its feasibility tolerance
#: still passes the exact re-check (forward pass, margin above ``REGION_MARGIN``).
TRIAL_MARGIN = tol.REGION_FEASIBILITY_FACTOR * tol.REGION_MARGIN

#: The methods of :func:`bracket` (the CLI's ``--method``); ``sample`` and ``all`` are the
#: spellings of issue 15's contract.
METHODS = {"mipbound": ("mipbound",), "sampling": ("sampling",), "sample": ("sampling",),
           "slices": ("sampling", "slices"),
           "bracket": ("sampling", "slices", "mipbound"), "all": ("sampling", "slices", "mipbound")}


# -- results ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class MipBoundResult:
    """A MIPBound lower bound.

    Attributes
    ----------
    lower_bound : int
        ``ceil(2^(r - slack))`` for the largest ``r`` whose trials were all feasible
        (1 when none passed: the domain has at least one region).
    confidence : float
        Probability that ``lower_bound`` holds (over the random parities).
    parities : int
        That ``r``.
    trials : int
    slack : float
        ``a`` of ``2^(r - a)`` (:func:`mipbound_slack`).
    tried : tuple of (int, int, int)
        ``(r, trials feasible, trials run)`` for every ``r`` tried.
    sure_lower_bound : int
        Distinct patterns met on the way, at its pooled random points and its verified
        witnesses (a sure bound).
    seconds : float
    how : str
    """

    lower_bound: int
    confidence: float
    parities: int
    trials: int
    slack: float
    tried: tuple
    sure_lower_bound: int
    seconds: float
    how: str


@dataclass(frozen=True)
class SampleResult:
    """Distinct activation patterns at uniform random points of the domain.

    Attributes
    ----------
    lower_bound : int
        Distinct patterns met: a sure lower bound.
    samples : int
    curve : tuple of (int, int)
        ``(samples so far, distinct patterns)`` at doubling sample sizes: a curve still
        climbing at the end means the count is far above the bound; a flat one only means
        that the regions holding most of the volume have been met (small regions are
        rarely hit), never that the count is reached.
    seconds : float
    how : str
    """

    lower_bound: int
    samples: int
    curve: tuple
    seconds: float
    how: str


@dataclass(frozen=True)
class SliceEstimate:
    """An *estimate* of the count from exact counts on random lines and planes.

    With ``R1`` the mean count on chords through the domain and ``R2`` the mean count on
    planes through it, the estimate for ``n`` input dimensions is ``R1 (R2 / R1)^(n - 1)``:
    exact for a product (grid) arrangement, and for ``n <= 2`` the slice is the whole domain
    and the figure is the exact count.

    Attributes
    ----------
    estimate : float
        Possibly ``inf`` when it overflows a float (see ``log10``).
    log10 : float
    low, high : float
        ``log10`` of the estimate at -2 / +2 standard errors of the slice means.
    lines, planes : int
    mean_1d, mean_2d : float
    exact : bool
        True when the slice is the whole domain (``n <= 2``).
    seconds : float
    how : str
    """

    estimate: float
    log10: float
    low: float
    high: float
    lines: int
    planes: int
    mean_1d: float
    mean_2d: float
    exact: bool
    seconds: float
    how: str


@dataclass(frozen=True, eq=False)
class Bracket:
    """The best sure lower bound, the best estimate and the best weight-aware upper bound.

    Attributes
    ----------
    lower_bound : int
        The largest lower bound found (sure, or MIPBound's with ``confidence``).
    confidence : float
        1.0 for a sure bound.
    sure_lower_bound : int
        The largest sure lower bound (sampling, a partial count, MIPBound's witnesses).
    estimate : float or int or None
        The best estimate, clipped into ``[lower_bound, upper_bound]``; None without one.
    upper_bound : int or None
        The smallest analytic upper bound that holds for these weights and this domain.
    method : str
    seconds : float
    how : tuple of str
        One line per figure: how it was obtained.
    parts : dict
        The results behind the figures (name -> result dataclass).
    """

    lower_bound: int
    confidence: float
    sure_lower_bound: int
    estimate: float | int | None
    upper_bound: int | None
    method: str
    seconds: float
    how: tuple
    parts: dict

    def to_json(self) -> dict:
        """The JSON of ``regioncount estimate --json`` (keys of issue 15's contract)."""
        from .results import jsonable

        est = self.estimate
        if isinstance(est, float) and not math.isfinite(est):
            est = None
        return {"lower_bound": int(self.lower_bound), "confidence": float(self.confidence),
                "sure_lower_bound": int(self.sure_lower_bound), "estimate": est,
                "upper_bound": None if self.upper_bound is None else int(self.upper_bound),
                "method": self.method, "seconds": round(self.seconds, 3),
                "how": list(self.how),
                "parts": {k: jsonable(v) for k, v in self.parts.items()}}


# -- MIPBound --------------------------------------------------------------------------------

def mipbound_slack(trials: int, confidence: float) -> float:
    """The slack ``a`` such that ``count >= 2^(r - a)`` holds with probability ``confidence``.

    For one ``r`` with ``count < 2^(r - a)``, a trial is feasible with probability at most
    ``count / 2^r < 2^-a`` (Markov), ``t`` trials with at most ``2^(-a t)``. Over every ``r``
    that could be reported (each larger ``r`` halves the chance) the union is below
    ``2^(-a t) / (1 - 2^-t)``; ``a`` solves ``2^(-a t) / (1 - 2^-t) = 1 - confidence``.

    Examples
    --------
    >>> round(mipbound_slack(3, 0.95), 3)
    1.505
    """
    if trials < 1:
        raise RegioncountError("MIPBound needs at least one trial")
    if not 0.0 < confidence < 1.0:
        raise RegioncountError(f"confidence must be in (0, 1), not {confidence}")
    return -math.log2((1.0 - confidence) * (1.0 - 2.0 ** -trials)) / trials


def _problem(net: Network, domain: Domain, bounds, solver: str, time_limit):
    """``(encoding, to_input)``: the counting MILP with margin in unit-cube coordinates
    (as :func:`regioncount.enumeration.milp_count.count_milp`), LP-tightened by default."""
    from .enumeration.unitbox import unit_box
    from .intervals import interval_bounds
    from .milp.formulation import encode

    net, domain, to_input = unit_box(net, domain)
    if bounds == "lp":
        from .milp.tighten import tighten

        bounds = tighten(net, domain, method="lp", solver=solver,
                         time_limit=None if time_limit is None else time_limit / 4).bounds
    elif bounds in (None, "interval"):
        bounds = interval_bounds(net, domain)
    elif isinstance(bounds, str):
        raise RegioncountError(f"bounds must be 'lp' or 'interval', not {bounds!r}")
    return encode(net, domain, bounds, margin=True), domain


def _binary_matrix(enc, pats) -> np.ndarray:
    """The values of ``enc.binary_cols`` (in that order) for a batch of patterns."""
    out = []
    for (k, pc), p in zip(enc.piece_cols.items(), pats):
        p = np.asarray(p).reshape(len(p), -1)
        u = np.flatnonzero(enc.stable_piece[k] < 0)
        if enc.implied.get(k):
            cols = pc[u, 1]
            out.append((p[:, u[cols >= 0]] == 1).astype(np.int8))
        else:
            sub = pc[u]
            real = sub >= 0
            onehot = p[:, u][:, :, None] == np.arange(sub.shape[1])[None, None, :]
            out.append(onehot[:, real].astype(np.int8))
    return np.hstack(out) if out else np.zeros((len(pats[0]) if pats else 0, 0), np.int8)


#: Rows of a witness pool per parity check (bounds the memory of one matrix product).
_CHUNK = 16384


@dataclass(frozen=True)
class _Parities:
    """``r`` parities: ``S`` as a 0/1 matrix over the binaries (r, nb), ``b`` the coins."""

    S: np.ndarray
    b: np.ndarray

    @classmethod
    def draw(cls, rng, r: int, nb: int, size: int | None):
        if size is None:
            S = rng.random((r, nb)) < 0.5
        else:
            S = np.zeros((r, nb), bool)
            for i in range(r):
                S[i, rng.choice(nb, size=min(size, nb), replace=False)] = True
        return cls(S.astype(np.int8), rng.integers(0, 2, r))

    def satisfied(self, B: np.ndarray) -> np.ndarray:
        """How many parities each row of the binary matrix ``B`` satisfies (in chunks of
        rows: a pool of patterns can be large)."""
        S = self.S.T.astype(np.float32)          # exact: sums stay far below 2^24
        out = np.empty(len(B), np.int64)
        for i in range(0, len(B), _CHUNK):
            par = np.rint(B[i:i + _CHUNK].astype(np.float32) @ S).astype(np.int64) % 2
            out[i:i + _CHUNK] = (par == self.b).sum(axis=1)
        return out

    def hold(self, B: np.ndarray) -> np.ndarray:
        """Rows of the binary matrix ``B`` (patterns) that satisfy every parity."""
        return self.satisfied(B) == len(self.b)


def _with_parities(enc, par: _Parities):
    """The counting MILP with the parity rows ``sum_S z - 2 k = b`` and ``f >= TRIAL_MARGIN``
    (a feasibility problem)."""
    m = enc.model
    n, r = m.num_cols, len(par.b)
    bins = enc.binary_cols
    S = sp.csr_matrix(par.S.astype(float))
    rows = sp.hstack([sp.csr_matrix((r, n)), -2.0 * sp.identity(r, format="csr")]).tolil()
    rows[:, bins] = S
    kub = np.floor(par.S.sum(axis=1) / 2.0)
    A = sp.vstack([sp.hstack([m.A, sp.csr_matrix((m.num_rows, r))]), rows.tocsr()]).tocsr()
    lb = np.r_[m.col_lb, np.zeros(r)]
    lb[enc.margin_col] = TRIAL_MARGIN
    return replace(m, col_lb=lb, col_ub=np.r_[m.col_ub, kub],
                   integer=np.r_[m.integer, np.ones(r, bool)], obj=np.zeros(n + r),
                   A=A, row_lb=np.r_[m.row_lb, par.b.astype(float)],
                   row_ub=np.r_[m.row_ub, par.b.astype(float)], names=None)


def _verified(enc, par: _Parities, x_input) -> bytes | None:
    """The pattern at ``x_input`` (as bytes) when it has margin above ``REGION_MARGIN`` and
    satisfies every parity, else None: the exact check of a trial's witness."""
    s = enc.start(x_input)
    if not s[enc.margin_col] > tol.REGION_MARGIN:
        return None
    z = np.round(s[enc.binary_cols]).astype(np.int8)[None, :]
    return z.tobytes() if par.hold(z)[0] else None


def _trial(enc, par, pool, solver, seconds, found: set) -> bool:
    """One trial: a pooled sample that satisfies the parities, else the MILP (started from
    the pooled point closest to satisfying them). True when a verified witness was found."""
    X, B = pool
    ok = par.hold(B)
    if ok.any():
        found.add(B[np.flatnonzero(ok)[0]].tobytes())
        return True
    be = get_backend(solver)
    be.load(_with_parities(enc, par))
    if len(X):
        x0 = X[int(np.argmax(par.satisfied(B)))]
    else:
        x0 = (enc.model.col_lb[enc.input_cols] + enc.model.col_ub[enc.input_cols]) / 2
    be.set_start(np.r_[enc.start(x0), np.zeros(len(par.b))])
    sol = be.solve(time_limit=seconds)
    if sol.x is None or sol.status in (Status.INFEASIBLE, Status.ERROR):
        return False
    key = _verified(enc, par, sol.x[enc.input_cols])
    if key is None:
        log.info("MIPBound: solver point failed the exact re-check; trial counted as failed")
        return False
    found.add(key)
    return True


#: Densities of the random box vertices that witness segments join (the fraction of
#: coordinates at their upper end). Uniform points gather near the box's centre; segments
#: between sparse, medium and dense vertices cross the regions where trained networks switch
#: (on [0,1]^784 an MNIST network is mostly switched off at the grey centre, and its regions
#: gather near sparse, digit-like inputs). Each density is tried twice, then the one with the
#: most new patterns per second so far is taken, and a random one every fifth segment.
SEGMENT_DENSITIES = (0.02, 0.05, 0.1, 0.2, 0.5)

#: Share of MIPBound's time limit (after its LP tightening) that its witness segments may use.
SEGMENT_SHARE = 0.5


def _density(i: int, rng, gain: np.ndarray, spent: np.ndarray) -> int:
    """Index into :data:`SEGMENT_DENSITIES` of segment ``i``: each in turn twice, then the
    best rate of new patterns so far, a random one every fifth segment."""
    k = len(SEGMENT_DENSITIES)
    if i < 2 * k:
        return i % k
    if i % 5 == 4:
        return int(rng.integers(k))
    return int(np.argmax(gain / np.maximum(spent, 1e-9)))


def _segment_points(net: Network, domain: Domain, rng, segments: int,
                    deadline: float) -> np.ndarray:
    """One point in each region met by ``segments`` random segments between vertices of the
    domain's box (exact 1-D slices, clipped to the domain), until ``deadline``."""
    from .enumeration.slices import slice_regions_1d

    k = len(SEGMENT_DENSITIES)
    gain, spent, seen, pts = np.zeros(k), np.zeros(k), set(), []
    for i in range(segments):
        t = time.monotonic()
        if t > deadline:
            break
        j = _density(i, rng, gain, spent)
        p = SEGMENT_DENSITIES[j]
        a = np.where(rng.random(domain.dim) < p, domain.hi, domain.lo)
        b = np.where(rng.random(domain.dim) < p, domain.hi, domain.lo)
        for iv in slice_regions_1d(net, a, b - a, (0.0, 1.0), domain=domain):
            key = iv.pattern.tobytes()
            if key not in seen:
                seen.add(key)
                pts.append(iv.point)
                gain[j] += 1
        spent[j] += time.monotonic() - t
    return np.array(pts, float).reshape(-1, domain.dim)


def _distinct(B: np.ndarray) -> np.ndarray:
    """Indices of the first occurrence of every distinct row of ``B``, in order."""
    first: dict = {}
    for i, row in enumerate(B):
        first.setdefault(row.tobytes(), i)
    return np.fromiter(first.values(), np.int64, len(first))


def _has_margin(enc, x) -> bool:
    """``x`` is an interior point of its region: its margin exceeds ``REGION_MARGIN``."""
    return bool(enc.start(x)[enc.margin_col] > tol.REGION_MARGIN)


def _pool(enc, domain: Domain, rng, samples: int, segments: int = 0,
          deadline: float = math.inf):
    """``(X, B)``: witness points of the (unit-cube) domain and their binaries, one per
    distinct pattern: ``samples`` uniform random points (inside a region with probability
    one), then one point per region met by ``segments`` random segments, kept when its
    margin is positive (an interior point: a region for sure)."""
    nb = enc.binary_cols.size
    X = _uniform(domain, rng, samples)
    B = _binary_matrix(enc, _patterns(enc.net, X)) if len(X) else np.zeros((0, nb), np.int8)
    if segments:
        Y = _segment_points(enc.net, domain, rng, segments, deadline)
        if len(Y):
            C = _binary_matrix(enc, _patterns(enc.net, Y))
            known = {row.tobytes() for row in B}
            new = [i for i in _distinct(C) if C[i].tobytes() not in known
                   and _has_margin(enc, Y[i])]
            X, B = np.vstack([X, Y[new]]), np.vstack([B, C[new]])
    keep = _distinct(B)
    return X[keep], B[keep]


def mipbound(net: Network, domain: Domain, *, trials: int = 3, confidence: float = 0.95,
             solver: str = "highs", time_limit: float | None = 60.0, seed: int = 0,
             xor_size: int | None = None, bounds: str = "lp", samples: int = 4096,
             max_parities: int | None = None, segments: int = 0,
             trial_time: float | None = None) -> MipBoundResult:
    """A lower bound on the number of regions that holds with probability ``confidence``.

    ``r`` (the number of parities) doubles while all ``trials`` trials are feasible, then is
    bisected while time is left. A trial looks for a witness among pooled points, then asks
    the MILP (forward-pass start, ``f >= TRIAL_MARGIN``); witnesses are re-checked exactly,
    and a trial out of time counts as failed (the bound stays valid).

    Parameters
    ----------
    net : Network
    domain : Domain
    trials : int
        ``t``: trials per ``r``.
    confidence : float
        In (0, 1).
    solver : {'highs', 'ortools'}
    time_limit : float or None
        Seconds for everything (a quarter goes to LP tightening); each MILP gets a share.
    seed : int
    xor_size : int, optional
        Binaries per parity (default: each binary with probability 1/2, as in the paper).
        The bound is valid for any size (only the coin ``b`` must be fair); short parities
        are easier for the solver and give looser bounds.
    bounds : {'lp', 'interval'} or NeuronBounds
        Neuron bounds of the big-M constants and stable units (given ones must be those of
        the network in unit-cube coordinates, :func:`~regioncount.enumeration.unitbox.unit_box`).
    samples : int
        Random points pooled as cheap witnesses.
    max_parities : int, optional
        Largest ``r`` tried (default: the number of binaries).
    segments : int
        Random segments between box vertices whose regions (exact 1-D slices, a re-checked
        point each) join the witnesses, within ``SEGMENT_SHARE`` of the time (docs/estimate.md).
    trial_time : float, optional
        Cap on the seconds of one MILP trial (default: an even share of the time left).

    Returns
    -------
    MipBoundResult

    Raises
    ------
    SolverError
        When the solver is missing or cannot solve MILPs.
    DomainError
        When the domain does not fit the network.

    Examples
    --------
    >>> import numpy as np
    >>> from regioncount import Domain, Network
    >>> net = Network.from_layers([(np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]),
    ...                             np.array([0.0, 0.0, -0.5]))])
    >>> res = mipbound(net, Domain.box(-1, 1, 2), trials=4, confidence=0.9, seed=1)
    >>> 1 <= res.lower_bound <= 7, res.confidence
    (True, 0.9)
    """
    t0 = time.monotonic()
    a = mipbound_slack(trials, confidence)
    enc, udom = _problem(net, domain, bounds, solver, time_limit)
    rng = np.random.default_rng(seed)
    deadline = math.inf if time_limit is None else t0 + float(time_limit)
    seg_end = time.monotonic() + SEGMENT_SHARE * max(0.0, deadline - time.monotonic())
    pool = _pool(enc, udom, rng, samples, segments, seg_end)
    found = {row.tobytes() for row in pool[1]} if pool[1].size else set()
    nb = enc.binary_cols.size
    top = nb if max_parities is None else min(nb, int(max_parities))
    tried, best = _search(enc, pool, rng, trials, top, xor_size, solver, deadline, found,
                          trial_time)
    lb = max(1, math.ceil(2.0 ** (best - a))) if best else 1
    how = _mipbound_how(best, xor_size, nb, trials, a, confidence)
    if segments:
        how += f" (witnesses: {len(pool[1]):,} distinct pooled patterns, with segments)"
    return MipBoundResult(int(lb), float(confidence), best, trials, a, tuple(tried), len(found),
                          time.monotonic() - t0, how)


def _mipbound_how(best, xor_size, nb, trials, a, confidence) -> str:
    if not best:
        return "MIPBound: no number of parities passed all trials (bound 1)"
    return (f"MIPBound (Serra and Ramalingam, AAAI 2020): {best} random parities "
            f"({'density 1/2' if xor_size is None else f'{xor_size} binaries each'}) on {nb} "
            f"binaries, all {trials} trials feasible with margin; count >= 2^({best} - {a:.2f}) "
            f"with probability {confidence}")


def _search(enc, pool, rng, trials: int, top: int, xor_size, solver: str, deadline: float,
            found: set, trial_time: float | None = None) -> tuple[list, int]:
    """Double ``r`` while all trials pass, then bisect; ``(tried, largest passing r)``."""
    nb = enc.binary_cols.size
    tried, best, fail, r = [], 0, top + 1, 1
    while top >= 1 and r < fail and r > best:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        ok = 0
        for i in range(trials):
            share = None if math.isinf(left) else max(0.5, (deadline - time.monotonic())
                                                      / (trials - i + 2))
            if trial_time is not None:
                share = trial_time if share is None else min(share, trial_time)
            if not _trial(enc, _Parities.draw(rng, r, nb, xor_size), pool, solver, share, found):
                break
            ok += 1
        tried.append((r, ok, trials))
        if ok == trials:
            best = r
        else:
            fail = r
        r = min(2 * r, top) if fail > top else (best + fail) // 2
    return tried, best


# -- sampling ---------------------------------------------------------------------------------

def _patterns(net: Network, X: np.ndarray) -> list:
    """The activation patterns of a batch as the exact counts number them
    (:meth:`Network.region_pattern`): without the rounding, sampled points of one region can
    show several patterns."""
    return net.region_pattern(X)


def _uniform(domain: Domain, rng, n: int) -> np.ndarray:
    """``n`` uniform points of the domain's box, those outside ``A x <= b`` dropped."""
    X = domain.lo + rng.random((n, domain.dim)) * (domain.hi - domain.lo)
    if domain.A is not None:
        X = X[np.all(X @ domain.A.T <= domain.b, axis=1)]
    return X


def sample_lower_bound(net: Network, domain: Domain, *, samples: int = 20000, seed: int = 0,
                       batch: int = 4096) -> SampleResult:
    """Distinct activation patterns at ``samples`` uniform random points: a sure lower bound.

    A random point lies inside a region with probability one (region boundaries have no
    volume), so each distinct pattern met is a region.

    Parameters
    ----------
    net : Network
    domain : Domain
    samples : int
    seed : int
    batch : int
        Points per forward pass.

    Returns
    -------
    SampleResult
        With the curve of distinct patterns at 1, 2, 4, ... samples and at the end.

    Examples
    --------
    >>> import numpy as np
    >>> from regioncount import Domain, Network
    >>> net = Network.from_layers([(np.array([[1.0], [1.0]]), np.array([0.0, -0.5]))])
    >>> r = sample_lower_bound(net, Domain.box(-1, 1, 1), samples=100)
    >>> r.lower_bound, r.curve[-1]
    (3, (100, 3))
    """
    t0 = time.monotonic()
    rng = np.random.default_rng(seed)
    seen: set = set()
    curve, done, points, mark = [], 0, 0, 1
    while done < samples:
        X = _uniform(domain, rng, min(batch, samples - done))
        done += min(batch, samples - done)
        if not len(X):
            continue
        P = np.hstack([np.asarray(p).reshape(len(X), -1).astype(np.int32)
                       for p in _patterns(net, X)])
        for row in P:
            seen.add(row.tobytes())
            points += 1
            if points == mark:
                curve.append((mark, len(seen)))
                mark *= 2
    if not curve or curve[-1][0] != points:
        curve.append((points, len(seen)))
    how = (f"sampling: {len(seen):,} distinct patterns at {samples:,} uniform random points "
           f"(sure lower bound; curve {'still climbing' if _climbing(curve) else 'flat'})")
    return SampleResult(len(seen), samples, tuple(curve), time.monotonic() - t0, how)


def _climbing(curve) -> bool:
    """The last doubling of samples still found new patterns (more than 1 %)."""
    return len(curve) >= 2 and curve[-1][1] > 1.01 * curve[-2][1]


# -- the first layer's hyperplanes ------------------------------------------------------------

#: PWL kinds whose units break at one hyperplane ``g = 0`` of their pre-activation.
_ONE_BREAK = {"relu": True, "leaky_relu": True}


def hyperplane_lower_bound(net: Network, domain: Domain) -> tuple[int, str]:
    """``k + 1`` for the ``k`` distinct hyperplanes of the first PWL stage that cut the
    interior of a box domain: a sure lower bound.

    Each distinct hyperplane that meets the interior of a convex set splits at least one cell
    of the arrangement so far, so ``k`` of them leave at least ``k + 1`` cells; every cell has
    positive volume and holds at least one region of the whole network. Applies when the first
    PWL stage is a ReLU or leaky ReLU reading an affine map of the input alone; on a box the
    range of each pre-activation is exact, and a hyperplane counts when both sides reach more
    than ``REGION_MARGIN`` (unit-cube coordinates) into the box.

    Examples
    --------
    >>> import numpy as np
    >>> from regioncount import Domain, Network
    >>> W = np.array([[1.0, 0.0], [2.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    >>> net = Network.from_layers([(W, np.array([0.0, 0.0, 0.0, 5.0]))])
    >>> hyperplane_lower_bound(net, Domain.box(-1, 1, 2))[0]   # x=0 twice, y=0; x+y=-5 misses
    3
    """
    from .enumeration.unitbox import unit_box

    if not domain.is_box or not net.pwl_indices:
        return 1, "first-layer hyperplanes: not applicable (domain not a box)"
    unet, udom, _ = unit_box(net, domain)
    s = unet.stages[unet.pwl_indices[0]]
    src = unet.stages[s.inputs[0]]
    if not _ONE_BREAK.get(s.kind) or src.kind != "affine" or tuple(src.sources) != (0,):
        return 1, "first-layer hyperplanes: not applicable (first PWL stage)"
    W = src.weights[0]
    W = W.toarray() if sp.issparse(W) else np.asarray(W, float)
    b = np.asarray(src.bias, float)
    n = np.linalg.norm(W, axis=1)
    lo = b + np.minimum(W * udom.lo, W * udom.hi).sum(axis=1)
    hi = b + np.maximum(W * udom.lo, W * udom.hi).sum(axis=1)
    safe = np.where(n > 0, n, 1.0)
    cut = (n > 0) & (lo / safe < -tol.REGION_MARGIN) & (hi / safe > tol.REGION_MARGIN)
    H = np.column_stack([W, b])[cut] / safe[cut, None]
    lead = H[np.arange(len(H)), np.argmax(np.abs(H[:, :-1]) > 0, axis=1)] if len(H) else H
    H = H * np.sign(lead)[:, None] if len(H) else H
    k = len(np.unique(np.round(H, 12), axis=0)) if len(H) else 0
    return k + 1, (f"first-layer hyperplanes: {k} distinct hyperplanes of the first PWL stage "
                   f"cut the domain, so at least {k + 1} regions (sure)")


# -- slices -----------------------------------------------------------------------------------

def _directions(rng, n: int, k: int) -> np.ndarray:
    """``k`` orthonormal random directions of R^n, as columns."""
    Q, _ = np.linalg.qr(rng.standard_normal((n, k)))
    return Q


def slice_estimate(net: Network, domain: Domain, *, lines: int = 32, planes: int = 8,
                   seed: int = 0, time_limit: float | None = None) -> SliceEstimate:
    """An estimate of the count from exact counts on random lines and planes.

    Lines and planes pass through uniform random points of the domain in random directions
    and are clipped to the domain (unit-cube coordinates, so every input coordinate weighs
    the same). The mean counts ``R1`` (lines) and ``R2`` (planes) give a growth per dimension
    ``R2 / R1``, extrapolated to ``n`` dimensions as ``R1 (R2 / R1)^(n - 1)`` (exact for a
    grid arrangement; for ``n <= 2`` the whole domain is sliced and the count is exact). The
    band ``low``/``high`` propagates two standard errors of ``log R1`` and ``log R2``; it
    measures the sampling spread only, not the error of the model, which can be orders of
    magnitude: an estimate, never a bound.

    Parameters
    ----------
    net : Network
    domain : Domain
    lines, planes : int
        Random lines and planes counted exactly.
    seed : int
    time_limit : float, optional
        Seconds; the lines and planes counted by then are used (at least one of each).

    Returns
    -------
    SliceEstimate
        ``estimate`` with its band; ``exact`` is True when the domain is one slice (``n <= 2``).

    Raises
    ------
    RegioncountError
        When no line or plane meets the domain.

    Examples
    --------
    >>> import numpy as np
    >>> from regioncount import Domain, Network
    >>> net = Network.from_layers([(np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]),
    ...                             np.array([0.0, 0.0, -0.5]))])
    >>> e = slice_estimate(net, Domain.box(-1, 1, 2))
    >>> e.estimate, e.exact
    (7.0, True)
    """
    from .enumeration.slices import count_slice, slice_regions_1d, slice_regions_2d
    from .enumeration.unitbox import unit_box

    t0 = time.monotonic()
    n = int(np.count_nonzero(domain.hi > domain.lo))
    if n <= 2 and net.input_size <= 2:
        c = count_slice(net, domain).regions
        return SliceEstimate(float(c), math.log10(max(c, 1)), math.log10(max(c, 1)),
                             math.log10(max(c, 1)), 0, 1, float(c), float(c), True,
                             time.monotonic() - t0, f"slices: the {n}-D domain is one slice: "
                             f"{c:,} regions (exact)")
    unet, udom, _ = unit_box(net, domain)
    rng = np.random.default_rng(seed)
    L = math.sqrt(net.input_size)
    deadline = math.inf if time_limit is None else t0 + time_limit
    c1, c2 = [], []
    for _ in range(lines):
        if c1 and time.monotonic() > deadline:
            break
        o = _uniform(udom, rng, 1)
        if len(o):
            d = _directions(rng, net.input_size, 1)[:, 0]
            c1.append(len(slice_regions_1d(unet, o[0], d, (-L, L), domain=udom)))
    for _ in range(planes):
        if c2 and time.monotonic() > deadline:
            break
        o = _uniform(udom, rng, 1)
        if len(o):
            Q = _directions(rng, net.input_size, 2)
            c2.append(len(slice_regions_2d(unet, o[0], Q[:, 0], Q[:, 1], ((-L, L), (-L, L)),
                                           domain=udom)))
    return _extrapolate(np.array(c1, float), np.array(c2, float), n, time.monotonic() - t0)


def _extrapolate(c1: np.ndarray, c2: np.ndarray, n: int, seconds: float) -> SliceEstimate:
    """``R1 (R2/R1)^(n-1)`` in log10 with its two-standard-error band."""
    if not c1.size or not c2.size:
        raise RegioncountError("slices: no line or plane met the domain")
    m1, m2 = float(c1.mean()), float(c2.mean())
    s1 = float(c1.std(ddof=1) / math.sqrt(c1.size) / m1 / math.log(10)) if c1.size > 1 else 0.0
    s2 = float(c2.std(ddof=1) / math.sqrt(c2.size) / m2 / math.log(10)) if c2.size > 1 else 0.0
    lg = (2 - n) * math.log10(m1) + (n - 1) * math.log10(m2)
    se = math.hypot((n - 2) * s1, (n - 1) * s2)
    est = 10.0 ** lg if lg < 300 else math.inf
    how = (f"slices (estimate): {c1.size} lines (mean {m1:.1f} regions) and {c2.size} planes "
           f"(mean {m2:.1f}), extrapolated as R1 (R2/R1)^(n-1) to n = {n}: about 10^{lg:.1f} "
           f"(sampling band 10^{lg - 2 * se:.1f} .. 10^{lg + 2 * se:.1f}; "
           "model error not included)")
    return SliceEstimate(est, lg, lg - 2 * se, lg + 2 * se, int(c1.size), int(c2.size), m1, m2,
                         False, seconds, how)


# -- brackets ---------------------------------------------------------------------------------

def best_upper_bound(report) -> tuple[int | None, str]:
    """The smallest applicable upper bound of a :class:`~regioncount.bounds.BoundsReport`
    (every upper kind, and the maximum over weights, bound this network's count)."""
    from .bounds.registry import UPPER_KINDS, BoundKind

    kinds = UPPER_KINDS | {BoundKind.EXACT}
    ok = [(v, n) for n, v in report.bounds.items() if v is not None and report.kinds[n] in kinds]
    if not ok:
        return None, "no analytic upper bound applies"
    v, n = min(ok)
    return int(v), f"{n} ({report.references.get(n, '')})"


def bracket(net: Network, domain: Domain, *, method: str = "bracket", trials: int = 3,
            confidence: float = 0.95, solver: str = "highs", time_limit: float | None = 60.0,
            seed: int = 0, samples: int = 20000, lines: int = 32, planes: int = 8,
            tighten: str = "lp", partial=None, xor_size: int | None = None,
            neuron_bounds=None) -> Bracket:
    """The best lower bound, estimate and weight-aware upper bound together.

    Parameters
    ----------
    net : Network
    domain : Domain
    method : str
        A key of :data:`METHODS`: which sources run (the upper bound is always computed).
    trials, confidence, solver, seed, xor_size
        Of :func:`mipbound`.
    time_limit : float or None
        Seconds for the slices and for MIPBound (each).
    samples : int
        Of :func:`sample_lower_bound`.
    lines, planes : int
        Of :func:`slice_estimate`.
    tighten : {'lp', 'interval'}
        Neuron bounds behind the stable units of the upper bound and MIPBound's big-Ms.
    partial : CountResult, optional
        An exact count: complete, it decides everything; stopped by a limit, its ``regions``
        are a sure lower bound.
    neuron_bounds : NeuronBounds, optional
        Bounds of ``net`` on ``domain`` already computed (e.g. a report's tightening): the
        upper bound uses them and nothing is tightened again (MIPBound then uses interval
        big-Ms unless ``tighten`` is ``'lp'``).

    Returns
    -------
    Bracket
        ``lower_bound`` (with its ``confidence``), ``sure_lower_bound``, ``estimate`` and
        ``upper_bound``, each with how it was obtained (``how``).

    Raises
    ------
    RegioncountError
        For an unknown ``method``.
    SolverError
        When the solver is missing or fails.

    Examples
    --------
    >>> import numpy as np
    >>> from regioncount import Domain, Network
    >>> net = Network.from_layers([(np.array([[1.0], [1.0]]), np.array([0.0, -0.5]))])
    >>> b = bracket(net, Domain.box(-1, 1, 1), method="slices")
    >>> b.lower_bound, b.estimate, b.upper_bound
    (3, 3, 3)
    """
    from .enumeration.unitbox import unit_box

    if method not in METHODS:
        raise RegioncountError(f"unknown method {method!r} (choose from {', '.join(METHODS)})")
    t0 = time.monotonic()
    unet, udom, _ = unit_box(net, domain)
    nb, upper, up_how = _upper(net, domain, unet, udom, tighten, solver, time_limit,
                               neuron_bounds)
    parts, sure = {}, [(1, "the domain is one region at least")]
    lower = [(1, 1.0, sure[0][1])]
    if partial is not None:
        done = _from_count(partial, parts, sure, method, t0)
        if done is not None:
            return done
    sure.append(hyperplane_lower_bound(net, domain))
    _run_sources(METHODS[method], unet, udom, parts, sure, lower,
                 dict(trials=trials, confidence=confidence, solver=solver, seed=seed,
                      time_limit=time_limit, bounds=nb, xor_size=xor_size),
                 dict(samples=samples, seed=seed), dict(lines=lines, planes=planes, seed=seed,
                                                        time_limit=time_limit))
    return _assemble(parts, sure, lower, upper, up_how, method, t0)


def _from_count(partial, parts: dict, sure: list, method: str, t0: float):
    """Record an exact count: complete, the whole bracket (returned); stopped by a limit, a
    sure lower bound (appended to ``sure``; None returned)."""
    parts["count"] = {"regions": int(partial.regions), "complete": bool(partial.complete),
                      "method": partial.method, "seconds": float(partial.seconds)}
    if partial.complete:
        c = int(partial.regions)
        line = f"exact count ({partial.method}): {c:,} regions"
        return Bracket(c, 1.0, c, c, c, method, time.monotonic() - t0, (line,) * 4, parts)
    sure.append((int(partial.regions), f"partial exact count ({partial.method}, stopped: "
                 f"{partial.stop_reason or 'limit'}): {partial.regions:,} regions"))
    return None


def _assemble(parts, sure, lower, upper, up_how, method, t0) -> "Bracket":
    """The best of each kind of figure, each with how it was obtained."""
    s_val, s_how = max(sure, key=lambda t: t[0])
    lower.append((s_val, 1.0, s_how))
    l_val, l_conf, l_how = max(lower, key=lambda t: (t[0], t[1]))
    est, e_how = _best_estimate(parts, l_val, upper)
    how = (f"lower bound {l_val:,} (confidence {l_conf}): {l_how}",
           f"sure lower bound {s_val:,}: {s_how}", e_how,
           f"upper bound {'-' if upper is None else f'{upper:,}'}: {up_how}")
    return Bracket(l_val, l_conf, s_val, est, upper, method, time.monotonic() - t0, how, parts)


def _upper(net, domain, unet, udom, tighten, solver, time_limit, neuron_bounds):
    """``(bounds for MIPBound, best upper bound, how)``: the given neuron bounds of ``net``
    (MIPBound then tightens its own unless ``tighten`` is 'interval'), or bounds of the
    unit-cube network tightened here."""
    from .bounds.model import bounds_for_network
    from .intervals import interval_bounds

    if neuron_bounds is not None:
        nb = "lp" if tighten == "lp" else interval_bounds(unet, udom)
        return (nb,) + best_upper_bound(bounds_for_network(net, domain=domain,
                                                           neuron_bounds=neuron_bounds))
    if tighten == "lp":
        from .milp.tighten import tighten as _tighten

        nb = _tighten(unet, udom, method="lp", solver=solver,
                      time_limit=None if time_limit is None else time_limit / 4).bounds
    else:
        nb = interval_bounds(unet, udom)
    return (nb,) + best_upper_bound(bounds_for_network(unet, domain=udom, neuron_bounds=nb))


def _run_sources(runs, unet, udom, parts: dict, sure: list, lower: list, mip_kw: dict,
                 sample_kw: dict, slice_kw: dict) -> None:
    """Run the sources named in ``runs``; record their results in ``parts``, their sure lower
    bounds in ``sure`` and MIPBound's bound in ``lower``."""
    if "sampling" in runs:
        parts["sampling"] = s = sample_lower_bound(unet, udom, **sample_kw)
        sure.append((s.lower_bound, s.how))
    if "slices" in runs:
        parts["slices"] = e = slice_estimate(unet, udom, **slice_kw)
        if e.exact:
            sure.append((int(e.estimate), e.how))
    if "mipbound" in runs:
        parts["mipbound"] = m = mipbound(unet, udom, **mip_kw)
        sure.append((m.sure_lower_bound, f"MIPBound: {m.sure_lower_bound:,} distinct patterns "
                     "among its sampled points and verified witnesses (sure)"))
        lower.append((m.lower_bound, m.confidence, m.how))


def _best_estimate(parts: dict, lower: int, upper: int | None):
    """The slice estimate clipped into ``[lower, upper]``, else none. A flat sampling curve
    is no estimate: random points concentrate in a few large regions (on mnist-net_256x2 over
    [0,1]^784, 20,000 points meet 57 patterns of a count above 256)."""
    e = parts.get("slices")
    if e is not None:
        v = e.estimate
        if upper is not None and v > upper:
            return upper, f"estimate: {e.how}; clipped to the upper bound"
        if v < lower:
            return lower, f"estimate: {e.how}; raised to the lower bound"
        return (int(round(v)) if e.exact else v), f"estimate: {e.how}"
    return None, "estimate: none (no slices run)"
