"""Independent subtrees of the region tree on a process pool.

The pending nodes of a depth-first search are disjoint subtrees: the master runs the search
alone for a moment (small networks finish there), expands the shallowest pending nodes until
there are several per worker, and hands them to a ``spawn`` pool. Each worker runs its own
:class:`~regioncount.enumeration.tree.Searcher` (its own HiGHS object) and returns its counters
and, when stopped early, its pending nodes, so that a stopped parallel count checkpoints exactly
like a serial one. Workers ignore SIGINT; the master turns Ctrl-C into a shared stop flag.

The same subtrees can instead go to a dask.distributed cluster (:func:`run_dask`, the optional
``regioncount[dask]`` extra): the network and domain are scattered to every worker once, each
task is one subtree root, and a distributed ``Event`` plays the part of the stop flag.
"""

from __future__ import annotations

import logging
import math
import multiprocessing as mp
import os
import signal
import threading
import time
import uuid

from ..errors import RegioncountError, SolverError
from .results import Progress

log = logging.getLogger(__name__)

#: Seconds the master searches alone before starting the pool (small counts end here).
SERIAL_WARMUP = 0.5
#: Subtrees per worker handed to the pool (load balance).
SUBTREES_PER_WORKER = 32
#: Seconds between two looks of a cluster task at the shared stop event.
DASK_STOP_POLL = 0.25
#: Cluster tasks in flight per worker thread. The rest wait on the master, so that under a
#: region limit each new task gets its share of the budget that is left (a task that spends its
#: share hands its pending nodes back to the queue).
DASK_IN_FLIGHT = 2
#: Seconds to wait for a dask scheduler to answer.
DASK_CONNECT_TIMEOUT = 20.0

_W: dict = {}


def resolve_workers(workers) -> int:
    """``None`` or ``0``: all cores; otherwise at least 1."""
    if not workers:
        return max(1, os.cpu_count() or 1)
    return max(1, int(workers))


def _init(net, domain, keep_patterns, keep_points, shared_regions, shared_lps, stop_flag):
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _W["searcher_args"] = (net, domain, keep_patterns, keep_points)
    _W["regions"], _W["lps"], _W["stop"] = shared_regions, shared_lps, stop_flag


def _task(frozen, deadline_wall, max_regions):
    from .tree import Counters, Searcher

    net, domain, kp, kpt = _W["searcher_args"]
    s = _W.get("searcher")
    if s is None:
        s = _W["searcher"] = Searcher(net, domain, keep_patterns=kp, keep_points=kpt)
    s.counters = Counters(per_layer=[0] * len(s.plan.stages))
    stack = [s.thaw(frozen)]
    shared_r, shared_l, stop_flag = _W["regions"], _W["lps"], _W["stop"]
    reported = [0, 0]

    def report():
        dr = s.counters.regions - reported[0]
        dl = s.counters.lps - reported[1]
        with shared_r.get_lock():
            shared_r.value += dr
        with shared_l.get_lock():
            shared_l.value += dl
        reported[0] += dr
        reported[1] += dl

    def stop() -> bool:
        if stop_flag.value:
            return True
        return max_regions is not None and shared_r.value >= max_regions

    deadline = time.monotonic() + max(0.0, deadline_wall - time.time()) \
        if math.isfinite(deadline_wall) else math.inf
    reason = s.run(stack, deadline, None, stop, lambda stk: report())
    report()
    if reason == "interrupted" and not stop_flag.value:
        reason = "region limit"
    return s.counters, [n.freeze() for n in stack], reason


def _warm_and_split(searcher, stack, workers, deadline, max_regions, intr, progress,
                    prior_seconds, t0):
    """The master's part, common to the pool and the cluster: search alone for
    :data:`SERIAL_WARMUP` seconds, then expand the shallowest pending nodes until there are
    :data:`SUBTREES_PER_WORKER` per worker. Returns ``(reason, frozen pending, roots)``;
    ``roots`` is ``None`` when the search already ended (or stopped) on the master."""
    c = searcher.counters

    def tick(stk):
        if progress is not None:
            progress(Progress(c.regions, c.lps, int(stk[-1].u) if stk else 0,
                              prior_seconds + time.monotonic() - t0))

    warm = min(deadline, time.monotonic() + SERIAL_WARMUP)
    reason = searcher.run(stack, warm, max_regions, intr, tick)
    if not stack or (reason and reason != "time limit") or time.monotonic() >= deadline:
        return reason, [n.freeze() for n in stack], None
    # shallowest first: expand until there are enough subtrees
    target = SUBTREES_PER_WORKER * workers
    guard = 0
    while stack and len(stack) < target and guard < 10 * target:
        guard += 1
        k = min(range(len(stack)), key=lambda i: stack[i].u)
        node = stack.pop(k)
        stack.extend(searcher.expand(node))
    searcher.flush()
    if not stack:
        return "", [], None
    roots = [n.freeze() for n in stack]
    stack.clear()
    return "", [], roots


class _Ticker:
    """The master loop's periodic duties, shared by the process pool and the dask path:
    a progress report every half second and a checkpoint every ``checkpoint_every`` seconds."""

    def __init__(self, progress, save, checkpoint_every, prior_seconds, t0):
        self.progress, self.save, self.every = progress, save, checkpoint_every
        self.prior_seconds, self.t0 = prior_seconds, t0
        self.last_tick = self.last_ck = time.monotonic()

    def __call__(self, regions: int, lps: int, pending_nodes) -> None:
        """``pending_nodes()`` lists the frozen nodes not yet counted (called only when a
        checkpoint is due)."""
        now = time.monotonic()
        if self.progress is not None and now - self.last_tick >= 0.5:
            self.last_tick = now
            self.progress(Progress(regions, lps, 0, self.prior_seconds + now - self.t0))
        if self.every is not None and now - self.last_ck >= self.every:
            self.last_ck = now
            self.save(pending_nodes())


def _final_reason(reasons, leftovers, max_regions) -> str:
    reason = ""
    for r in ("interrupted", "time limit", "region limit"):
        if r in reasons:
            reason = r
            break
    if leftovers and not reason:
        reason = "region limit" if max_regions is not None else "time limit"
    return reason


def run_parallel(searcher, stack, workers, deadline, max_regions, intr, progress, save,
                 prior_seconds, t0, checkpoint_every):
    """Run the search of ``searcher`` from ``stack`` on ``workers`` processes; merge every
    result into ``searcher.counters``; return ``(stop reason, frozen pending nodes)``."""
    c = searcher.counters
    reason, frozen, roots = _warm_and_split(searcher, stack, workers, deadline, max_regions,
                                            intr, progress, prior_seconds, t0)
    if roots is None:
        return reason, frozen
    ctx = mp.get_context("spawn")
    shared_r = ctx.Value("q", 0)
    shared_l = ctx.Value("q", 0)
    stop_flag = ctx.Value("b", 0)
    base_r, base_l = c.regions, c.lps
    deadline_wall = time.time() + (deadline - time.monotonic()) if math.isfinite(deadline) else math.inf
    limit = None if max_regions is None else max(0, max_regions - base_r)
    pending = {}
    leftovers: list = []
    reasons: set = set()
    tick = _Ticker(progress, save, checkpoint_every, prior_seconds, t0)
    pool = ctx.Pool(workers, initializer=_init,
                    initargs=(searcher.net, searcher.domain, searcher.keep_patterns,
                              searcher.keep_points, shared_r, shared_l, stop_flag))
    try:
        for i, fr in enumerate(roots):
            pending[i] = (fr, pool.apply_async(_task, (fr, deadline_wall, limit)))
        while pending:
            if intr() and not stop_flag.value:
                stop_flag.value = 1
                reasons.add("interrupted")
            done = [i for i, (_, ar) in pending.items() if ar.ready()]
            for i in done:
                fr, ar = pending.pop(i)
                counters, rest, why = ar.get()
                counters.seconds = 0.0
                c.merge(counters)
                leftovers += rest
                if why:
                    reasons.add(why)
            tick(base_r + shared_r.value, base_l + shared_l.value,
                 lambda: leftovers + [fr for fr, _ in pending.values()])
            if not done:
                time.sleep(0.02)
    finally:
        pool.terminate()
        pool.join()
    return _final_reason(reasons, leftovers, max_regions), leftovers


# ---------------------------------------------------------------------------------------------
# dask.distributed

#: Per worker thread: the Searcher of the count identified by a token (one HiGHS object each).
_DASK_LOCAL = threading.local()


def _dask_task(net, domain, keep_patterns, keep_points, token, frozen, deadline_wall,
               max_regions, event_name):
    """One subtree on a cluster worker: the same search as :func:`_task`, stopped by the
    deadline, its own region budget or the count's distributed ``Event``."""
    from distributed import Event

    from .tree import Counters, Searcher

    s = getattr(_DASK_LOCAL, "searchers", {}).get(token)
    if s is None:
        s = Searcher(net, domain, keep_patterns=keep_patterns, keep_points=keep_points)
        _DASK_LOCAL.searchers = {token: s}       # one count at a time per thread
    s.counters = Counters(per_layer=[0] * len(s.plan.stages))
    stack = [s.thaw(frozen)]
    event = Event(event_name)
    looked = [time.monotonic(), False]

    def stop() -> bool:
        now = time.monotonic()
        if not looked[1] and now - looked[0] >= DASK_STOP_POLL:
            looked[0] = now
            looked[1] = bool(event.is_set())
        return looked[1]

    if event.is_set():
        return s.counters, [frozen], ""
    deadline = time.monotonic() + max(0.0, deadline_wall - time.time()) \
        if math.isfinite(deadline_wall) else math.inf
    reason = s.run(stack, deadline, max_regions, stop)
    if reason == "interrupted":     # the master set the event; it knows why
        reason = ""
    return s.counters, [n.freeze() for n in stack], reason


def dask_client(scheduler, workers: int):
    """A ``(client, cluster)`` pair for ``scheduler``: an address such as
    ``"tcp://10.0.0.5:8786"``, or ``"local"`` for a ``LocalCluster`` of ``workers``
    single-threaded processes on 127.0.0.1 (``cluster`` is ``None`` for an address).

    Raises
    ------
    SolverError
        When dask.distributed is not installed or the scheduler does not answer.
    """
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise SolverError(f"--dask {scheduler}: dask.distributed is not installed "
                          "(pip install regioncount[dask])") from None
    cluster = None
    try:
        if scheduler == "local":
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                   host="127.0.0.1", dashboard_address="127.0.0.1:0")
            client = Client(cluster)
        else:
            client = Client(scheduler, timeout=DASK_CONNECT_TIMEOUT)
    except (OSError, TimeoutError, ValueError, RuntimeError) as e:
        if cluster is not None:
            cluster.close()
        raise SolverError(f"--dask {scheduler}: cannot reach the dask scheduler "
                          f"({type(e).__name__}: {e})") from None
    return client, cluster


def cluster_threads(client) -> int:
    """Worker threads of the cluster behind ``client`` (at least 1)."""
    info = client.scheduler_info()
    return max(1, sum(int(w.get("nthreads", 1)) for w in info.get("workers", {}).values()))


def run_dask(searcher, stack, client, deadline, max_regions, intr, progress, save,
             prior_seconds, t0, checkpoint_every):
    """Like :func:`run_parallel`, on the dask cluster behind ``client``: the same warm-up and
    subtree roots, one future per root, merged into ``searcher.counters`` as they finish.
    A limit or Ctrl-C sets a distributed ``Event``; the running tasks return their counters and
    pending nodes, so a stopped cluster count checkpoints and resumes like a local one.
    Returns ``(stop reason, frozen pending nodes)``."""
    from distributed import Event

    c = searcher.counters
    nthreads = cluster_threads(client)
    reason, frozen, roots = _warm_and_split(searcher, stack, nthreads, deadline, max_regions,
                                            intr, progress, prior_seconds, t0)
    if roots is None:
        return reason, frozen
    base_r = c.regions
    deadline_wall = time.time() + (deadline - time.monotonic()) if math.isfinite(deadline) else math.inf
    limit = None if max_regions is None else max(0, max_regions - base_r)
    token = uuid.uuid4().hex
    event = Event(f"regioncount-stop-{token}", client=client)
    net_f = client.scatter(searcher.net, broadcast=True, hash=False)
    dom_f = client.scatter(searcher.domain, broadcast=True, hash=False)
    pending = {}
    leftovers: list = []
    reasons: set = set()
    tick = _Ticker(progress, save, checkpoint_every, prior_seconds, t0)
    stopping = False
    log.info("dask: %d subtrees on %d worker threads", len(roots), nthreads)
    queue = roots[::-1]
    in_flight = DASK_IN_FLIGHT * nthreads
    try:
        while pending or (queue and not stopping):
            if not stopping:
                why = ""
                if intr():
                    why = "interrupted"
                elif time.monotonic() >= deadline:
                    why = "time limit"
                elif limit is not None and c.regions - base_r >= limit:
                    why = "region limit"
                if why:
                    reasons.add(why)
                    event.set()
                    stopping = True
            while queue and not stopping and len(pending) < in_flight:
                fr = queue.pop()
                budget = None if limit is None else \
                    max(1, -(-(limit - (c.regions - base_r)) // in_flight))
                fut = client.submit(_dask_task, net_f, dom_f, searcher.keep_patterns,
                                    searcher.keep_points, token, fr, deadline_wall, budget,
                                    event.name, pure=False)
                pending[fut.key] = (fr, fut)
            done = [k for k, (_, fut) in pending.items() if fut.done()]
            for k in done:
                fr, fut = pending.pop(k)
                try:
                    counters, rest, why = fut.result()
                except RegioncountError:
                    raise
                except Exception as e:  # dask reruns the tasks of lost workers; this is worse
                    raise SolverError(f"dask: a subtree task failed on a worker "
                                      f"({type(e).__name__}: {e})") from None
                counters.seconds = 0.0
                c.merge(counters)
                if why == "region limit" and not stopping:
                    queue += rest       # only this task's share of the budget ran out
                    continue
                leftovers += rest
                if why:
                    reasons.add(why)
            tick(c.regions, c.lps, lambda: leftovers + [fr for fr, _ in pending.values()] + queue)
            if not done:
                time.sleep(0.02)
    finally:
        for _, fut in pending.values():
            fut.cancel()
        try:
            event.set()
            client.cancel([net_f, dom_f])
        except Exception:  # pragma: no cover - the cluster went away; nothing to release
            pass
    leftovers += queue
    return _final_reason(reasons, leftovers, max_regions), leftovers
