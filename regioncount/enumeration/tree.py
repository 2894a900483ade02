"""Exact enumeration of activation regions by the LP region tree (REGIONS.md section 3).

The search decides the PWL units one at a time (topological stage order, index order inside a
stage). A node of the tree is a partial pattern together with its polytope ``P`` (the rows of the
units that cut an ancestor), an interior point ``x`` of ``P`` and a margin ``r`` (every row of
``P`` has normalised slack at least ``r`` at ``x``). For the next unit:

1. its pre-activation is an affine function of the input on ``P`` (the stage's input map under
   the decided pattern, computed once per stage on the path: :mod:`.units`);
2. if it is identically constant, or its range over the box (and its interval bounds on the
   domain) has one sign, it does not split ``P``: one child, no LP, no row;
3. otherwise each piece is a set of rows; the piece that contains ``x`` with slack above
   ``REGION_MARGIN`` is non-empty without any LP (the parent's point proves it); every other
   piece costs one Chebyshev-centre LP, warm-started from the basis of the previous solve;
4. when only one piece is non-empty, ``P`` lies in it: one child and no row; when several are,
   each child adds its piece's rows.

A node at which every unit is decided is an activation region; its certificate is ``x`` moved a
little towards the box centre (which keeps every slack above ``r / 2`` and puts it in the open
box, so it reproduces the pattern exactly) and the smallest slack there.

Long runs: ``progress`` callback, ``time_limit``, ``max_regions``, Ctrl-C (the search stops
between nodes and returns what it found with ``complete=False``), and checkpoints: the pending
stack (pattern prefix, cut units, point, margin per node) and the counters, written atomically;
``resume`` rebuilds the rows of each pending node from its pattern and continues, so no region
is lost or counted twice. Parallel: the pending nodes are independent subtrees, run on a pool.
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import pickle
import signal
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .. import tolerances as tol
from ..domain import Domain
from ..errors import DomainError, RegioncountError
from ..intervals import interval_bounds
from ..network import Network
from .lp import ChebyshevLP
from .results import CountResult, Progress
from .units import UnitPlan

log = logging.getLogger(__name__)

#: Seconds between two progress callbacks.
PROGRESS_EVERY = 0.5
#: Seconds between two checkpoint writes (when a checkpoint file is given).
CHECKPOINT_EVERY = 10.0
#: Points whose output argmax is computed in one batch.
_CLASS_BATCH = 4096
_CHECKPOINT_VERSION = 1


# ---------------------------------------------------------------------------------------------
# search state

@dataclass
class Counters:
    """Everything a count accumulates (mergeable across subtrees and runs)."""

    regions: int = 0
    lps: int = 0
    per_class: dict = field(default_factory=dict)
    per_layer: list = field(default_factory=list)
    patterns: list = field(default_factory=list)
    points: list = field(default_factory=list)
    margins: list = field(default_factory=list)
    seconds: float = 0.0

    def merge(self, other: "Counters") -> None:
        self.regions += other.regions
        self.lps += other.lps
        for k, v in other.per_class.items():
            self.per_class[k] = self.per_class.get(k, 0) + v
        if len(self.per_layer) < len(other.per_layer):
            self.per_layer += [0] * (len(other.per_layer) - len(self.per_layer))
        for k, v in enumerate(other.per_layer):
            self.per_layer[k] += v
        self.patterns += other.patterns
        self.points += other.points
        self.margins += other.margins


class Node:
    """A pending node: units ``< u`` decided. ``keys`` are the rows of ``P`` (tuples ``(a, b)``,
    compared by identity with the rows in the LP), ``cuts`` the units that added them."""

    __slots__ = ("u", "pattern", "cuts", "keys", "x", "r", "smap", "maps")

    def __init__(self, u, pattern, cuts, keys, x, r, smap=None, maps=None):
        self.u = u
        self.pattern = pattern
        self.cuts = cuts
        self.keys = keys
        self.x = x
        self.r = r
        self.smap = smap
        self.maps = maps

    def freeze(self) -> tuple:
        """Plain data for checkpoints and worker processes (rows are rebuilt on thaw)."""
        return (int(self.u), self.pattern[: self.u].copy(), tuple(int(c) for c in self.cuts),
                self.x.copy(), float(self.r))


class Searcher:
    """Depth-first region tree over one network and domain (one LP object)."""

    def __init__(self, net: Network, domain: Domain, keep_patterns: bool = False,
                 keep_points: bool = False):
        if domain.dim != net.input_size:
            raise DomainError(f"domain has {domain.dim} coordinates, the network takes {net.input_size}")
        self.net = net
        self.domain = domain
        self.lo = domain.lo
        self.hi = domain.hi
        self.center = domain.center
        self.bounds = interval_bounds(net, domain)
        self.plan = UnitPlan(net, domain.lo, domain.hi, self.bounds)
        self.margin = tol.REGION_MARGIN
        self.keep_patterns = keep_patterns
        self.keep_points = keep_points
        self.fixed = None
        if domain.A is not None:
            nr = np.linalg.norm(domain.A, axis=1)
            ok = nr > 0
            self.fixed = (domain.A[ok] / nr[ok, None], domain.b[ok] / nr[ok])
        self._lp = None
        self.counters = Counters(per_layer=[0] * len(self.plan.stages))
        self._pending_points: list = []
        self._pending_margin: list = []

    # -- LP ---------------------------------------------------------------------------------
    @property
    def lp(self) -> ChebyshevLP:
        if self._lp is None:
            self._lp = ChebyshevLP(self.lo, self.hi, self.fixed)
        return self._lp

    def chebyshev(self, keys: list) -> tuple[float, np.ndarray]:
        lp = self.lp
        lp.sync(keys, lambda key: key)
        if not keys and self.fixed is None:
            return math.inf, self.center.copy()
        self.counters.lps += 1
        return lp.solve()

    # -- nodes ------------------------------------------------------------------------------
    def root(self) -> Node:
        pat = np.zeros(self.plan.total, dtype=np.int32)
        if self.fixed is None:
            if np.any(self.hi <= self.lo):
                raise DomainError("the domain box has an empty interior (some lo == hi)")
            x, r = self.center.copy(), math.inf
        else:
            r, x = self.chebyshev([])
            if not r > self.margin:
                raise DomainError("the domain polytope has an empty interior")
        return Node(0, pat, (), (), x, r, None, {})

    def thaw(self, frozen: tuple) -> Node:
        """Rebuild a node (its rows) from :meth:`Node.freeze` data."""
        u, prefix, cuts, x, r = frozen
        pat = np.zeros(self.plan.total, dtype=np.int32)
        pat[:u] = prefix
        keys: list = []
        maps: dict = {}
        smaps: dict = {}
        plan = self.plan
        for c in cuts:
            j = int(plan.stage_of[c])
            if j not in smaps:
                smaps[j] = plan.stage_map(j, pat, maps)
            pieces = dict(smaps[j].pieces(c - plan.start[j]))
            if int(pat[c]) not in pieces:
                raise RegioncountError("checkpoint does not match this network (a cut unit has no such piece)")
            keys.extend(pieces[int(pat[c])])
        return Node(u, pat, tuple(cuts), tuple(keys), np.asarray(x, float), float(r), None, {})

    def expand(self, node: Node) -> list[Node]:
        """Decide units from ``node.u`` on until one splits; return the children (nodes at
        ``u == total`` are regions and are recorded, not returned)."""
        plan = self.plan
        total = plan.total
        start = plan.start
        stage_of = plan.stage_of
        margin = self.margin
        u = node.u
        pat = node.pattern
        x, r = node.x, node.r
        smap, maps = node.smap, node.maps
        keys, cuts = node.keys, node.cuts
        per_layer = self.counters.per_layer
        while u < total:
            j = stage_of[u]
            if smap is None or smap.j != j:
                maps = dict(maps) if maps is not None else {}
                smap = plan.stage_map(j, pat, maps)
            i = u - start[j]
            pieces = smap.pieces(i)
            if len(pieces) == 1:
                pat[u] = pieces[0][0]
                u += 1
                if u == start[j + 1]:
                    per_layer[j] += 1
                continue
            # several candidate pieces: the point decides one, LPs the others
            found = []       # (value, rows, x, r)
            lp_keys = None
            for value, rows in pieces:
                slack = r
                for a, b in rows:
                    s = b - float(a @ x)
                    if s < slack:
                        slack = s
                if slack > margin:
                    found.append((value, rows, x, slack))
                    continue
                ks = list(keys) + list(rows)
                rr, xx = self.chebyshev(ks)
                lp_keys = ks
                if rr > margin:
                    found.append((value, rows, xx, rr))
            if not found:
                # P has an interior but every piece looks like a sliver (P itself is barely
                # above the margin): keep P whole, with the piece of largest radius
                log.debug("region tree: every piece of unit %d is below the margin", u)
                best = None
                for value, rows in pieces:
                    rr, xx = self.chebyshev(list(keys) + list(rows))
                    if best is None or rr > best[0]:
                        best = (rr, value)
                found = [(best[1], (), x, r)]
            if len(found) == 1:
                value, rows, x1, r1 = found[0]
                pat[u] = value
                if x1 is not x:
                    x, r = x1, r1
                u += 1
                if u == start[j + 1]:
                    per_layer[j] += 1
                continue
            children = []
            tail = None
            nu = u + 1
            boundary = nu == start[j + 1]
            for value, rows, x1, r1 in found:
                p2 = pat.copy()
                p2[u] = value
                child = Node(nu, p2, cuts + (u,), keys + tuple(rows), x1, r1, smap, maps)
                if boundary:
                    per_layer[j] += 1
                if nu == total:
                    self._record(child)
                    continue
                if lp_keys is not None and len(lp_keys) == len(child.keys) and all(
                        p is q for p, q in zip(lp_keys, child.keys)):
                    tail = child
                else:
                    children.append(child)
            if tail is not None:
                children.append(tail)      # popped first: its rows are in the LP already
            return children
        node.u = u
        node.x, node.r = x, r
        node.keys, node.cuts = keys, cuts
        self._record(node)
        return []

    # -- regions ----------------------------------------------------------------------------
    def _record(self, node: Node) -> None:
        x = node.x
        d = self.center - x
        nd = float(np.linalg.norm(d))
        if nd > 0:
            t = 0.5 if not math.isfinite(node.r) else min(0.5, node.r / (2 * nd))
            x = x + t * d
        m = math.inf
        for a, b in node.keys:
            s = b - float(a @ x)
            if s < m:
                m = s
        if self.fixed is not None:
            m = min(m, float(np.min(self.fixed[1] - self.fixed[0] @ x)))
        c = self.counters
        c.regions += 1
        self._pending_points.append(x)
        self._pending_margin.append(m)
        if self.keep_patterns:
            c.patterns.append(node.pattern.copy())
        if len(self._pending_points) >= _CLASS_BATCH:
            self.flush()

    def flush(self) -> None:
        """Classify the buffered region points (output argmax)."""
        if not self._pending_points:
            return
        X = np.vstack(self._pending_points)
        out = np.asarray(self.net.evaluate(X)).reshape(len(X), -1)
        cls = np.argmax(out, axis=1)
        pc = self.counters.per_class
        for k, v in zip(*np.unique(cls, return_counts=True)):
            pc[int(k)] = pc.get(int(k), 0) + int(v)
        if self.keep_points:
            self.counters.points += list(X)
            self.counters.margins += list(self._pending_margin)
        self._pending_points = []
        self._pending_margin = []

    # -- the loop ---------------------------------------------------------------------------
    def run(self, stack: list[Node], deadline: float = math.inf, max_regions: int | None = None,
            stop: Callable[[], bool] | None = None, tick: Callable[[list], None] | None = None,
            tick_every: float | None = None) -> str:
        """Depth-first search until ``stack`` is empty or a limit stops it; returns the stop
        reason (``""`` when the subtrees are complete). ``stack`` is left holding the pending
        nodes."""
        c = self.counters
        if tick_every is None:
            tick_every = PROGRESS_EVERY
        last = time.monotonic()
        reason = ""
        while stack:
            if max_regions is not None and c.regions >= max_regions:
                reason = "region limit"
                break
            now = time.monotonic()
            if now >= deadline:
                reason = "time limit"
                break
            if stop is not None and stop():
                reason = "interrupted"
                break
            if tick is not None and now - last >= tick_every:
                last = now
                tick(stack)
            node = stack.pop()
            stack.extend(self.expand(node))
        self.flush()
        return reason


# ---------------------------------------------------------------------------------------------
# the public entry point

def _fingerprint(net: Network, domain: Domain) -> str:
    h = hashlib.sha256()
    for s in net.stages:
        h.update(s.kind.encode())
        h.update(str(s.size).encode())
        for name in ("bias", "alpha", "lo", "hi", "indptr", "indices"):
            v = getattr(s, name, None)
            if v is not None:
                h.update(np.ascontiguousarray(v, dtype=float).tobytes())
        for W in getattr(s, "weights", ()):
            W = W.toarray() if hasattr(W, "toarray") else W
            h.update(np.ascontiguousarray(W, dtype=float).tobytes())
    for v in (domain.lo, domain.hi) + ((domain.A, domain.b) if domain.A is not None else ()):
        h.update(np.ascontiguousarray(v, dtype=float).tobytes())
    return h.hexdigest()[:32]


def _write_checkpoint(path, fp, frozen_nodes, counters: Counters, keep_patterns: bool) -> None:
    data = {
        "version": _CHECKPOINT_VERSION,
        "fingerprint": fp,
        "stack": frozen_nodes,
        "regions": counters.regions,
        "lps": counters.lps,
        "per_class": dict(counters.per_class),
        "per_layer": list(counters.per_layer),
        "seconds": counters.seconds,
        "patterns": [np.asarray(p) for p in counters.patterns] if keep_patterns else None,
    }
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "wb") as f:
        pickle.dump(data, f, protocol=pickle.HIGHEST_PROTOCOL)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def _read_checkpoint(path, fp):
    try:
        with open(path, "rb") as f:
            data = pickle.load(f)
    except FileNotFoundError:
        raise RegioncountError(f"{path}: no such checkpoint file") from None
    except Exception as e:
        raise RegioncountError(f"{path}: not a regioncount checkpoint ({type(e).__name__})") from None
    if not isinstance(data, dict) or data.get("version") != _CHECKPOINT_VERSION:
        raise RegioncountError(f"{path}: not a regioncount checkpoint of this version")
    if data.get("fingerprint") != fp:
        raise RegioncountError(f"{path}: checkpoint was written for another network or domain")
    return data


class _Interrupt:
    """Turns SIGINT into a flag while a count runs (main thread only)."""

    def __init__(self):
        self.flag = False
        self._old = None

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            try:
                self._old = signal.signal(signal.SIGINT, self._handler)
            except ValueError:  # pragma: no cover
                self._old = None
        return self

    def _handler(self, signum, frame):
        self.flag = True

    def __exit__(self, *exc):
        if self._old is not None:
            signal.signal(signal.SIGINT, self._old)
        return False

    def __call__(self) -> bool:
        return self.flag


def count_tree(net: Network, domain: Domain, *, time_limit: float | None = None,
               max_regions: int | None = None, workers: int = 1,
               checkpoint: str | os.PathLike | None = None, resume: bool = False,
               progress: Callable[[Progress], None] | None = None,
               keep_patterns: bool = False, keep_points: bool = False,
               checkpoint_every: float = CHECKPOINT_EVERY) -> CountResult:
    """Count the activation regions of ``net`` on ``domain`` with the LP region tree.

    Parameters
    ----------
    net : Network
    domain : Domain
        A box, optionally cut by ``A x <= b``.
    time_limit : float, optional
        Seconds; the count stops cleanly and returns ``complete=False``.
    max_regions : int, optional
        Stop after this many regions (``complete=False`` unless the count ended there).
    workers : int
        Processes (independent subtrees); ``0`` or ``None`` means all cores.
    checkpoint : path, optional
        State file, written every ``checkpoint_every`` seconds and when the count stops.
    resume : bool
        Continue from ``checkpoint``.
    progress : callable, optional
        Called with a :class:`Progress` about twice a second.
    keep_patterns, keep_points : bool
        Return every region's pattern (flat, one row per region) / interior point and margin.

    Returns
    -------
    CountResult

    Examples
    --------
    >>> import numpy as np
    >>> from regioncount import Domain, Network
    >>> net = Network.from_layers([(np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]),
    ...                             np.array([0.0, 0.0, -0.5]))])
    >>> count_tree(net, Domain.box(-1, 1, 2)).regions     # 3 lines, 7 cells in the square
    7
    """
    from .parallel import resolve_workers, run_parallel

    t0 = time.monotonic()
    workers = resolve_workers(workers)
    fp = _fingerprint(net, domain) if checkpoint is not None else ""
    searcher = Searcher(net, domain, keep_patterns=keep_patterns, keep_points=keep_points)
    prior_seconds = 0.0
    if resume:
        if checkpoint is None:
            raise RegioncountError("--resume needs --checkpoint FILE")
        data = _read_checkpoint(checkpoint, fp)
        stack = [searcher.thaw(f) for f in data["stack"]]
        c = searcher.counters
        c.regions, c.lps = int(data["regions"]), int(data["lps"])
        c.per_class = {int(k): int(v) for k, v in data["per_class"].items()}
        c.per_layer = list(data["per_layer"])
        if keep_patterns:
            if data.get("patterns") is None:
                raise RegioncountError(f"{checkpoint}: written without patterns; resume without them")
            c.patterns = list(data["patterns"])
        prior_seconds = float(data.get("seconds", 0.0))
    else:
        stack = [searcher.root()]
    deadline = t0 + time_limit if time_limit is not None else math.inf
    last_ck = [time.monotonic()]

    def save(frozen_stack) -> None:
        if checkpoint is None:
            return
        searcher.flush()
        searcher.counters.seconds = prior_seconds + (time.monotonic() - t0)
        _write_checkpoint(checkpoint, fp, frozen_stack, searcher.counters, keep_patterns)
        last_ck[0] = time.monotonic()

    def tick(stk) -> None:
        now = time.monotonic()
        if progress is not None:
            depth = stk[-1].u if stk else 0
            progress(Progress(searcher.counters.regions, searcher.counters.lps, int(depth),
                              prior_seconds + now - t0))
        if checkpoint is not None and now - last_ck[0] >= checkpoint_every:
            save([n.freeze() for n in stk])

    with _Interrupt() as intr:
        if workers > 1:
            reason, stack_frozen = run_parallel(
                searcher, stack, workers, deadline, max_regions, intr, progress, save,
                prior_seconds, t0, checkpoint_every if checkpoint is not None else None)
        else:
            reason = searcher.run(stack, deadline, max_regions, intr, tick)
            stack_frozen = [n.freeze() for n in stack]
    searcher.flush()
    complete = not stack_frozen
    if complete:
        reason = ""
    save(stack_frozen)
    c = searcher.counters
    seconds = prior_seconds + time.monotonic() - t0
    pats = np.array(c.patterns, dtype=np.int32).reshape(len(c.patterns), searcher.plan.total) \
        if keep_patterns else None
    pts = np.array(c.points).reshape(len(c.points), net.input_size) if keep_points else None
    mg = np.array(c.margins) if keep_points else None
    if not complete:
        log.warning("region count stopped early (%s): %d regions found so far", reason, c.regions)
    return CountResult(regions=c.regions, complete=complete, method="tree", seconds=seconds,
                       lps=c.lps, per_class=dict(c.per_class), per_layer=tuple(c.per_layer),
                       patterns=pats, points=pts, margins=mg, stop_reason=reason,
                       solver="highs", workers=workers)
