"""Who runs the region tree search: one process, a process pool, or a dask.distributed cluster.

Every executor has the same small protocol (:class:`Executor`): ``run(searcher, stack, limits,
report)`` searches from the pending nodes ``stack``, merges every count into
``searcher.counters`` and returns ``(stop reason, frozen pending nodes)``: the pending nodes of a
stopped count, in checkpoint form, so that a stopped count resumes the same way whatever ran it.
``report`` (:class:`Reporter`) is the count's progress callback and checkpoint writer. Executors
are context managers (the dask one may own a cluster); ``workers`` is what the result reports.

- :class:`SerialExecutor`: :meth:`Searcher.run <.search.Searcher.run>` in this process.
- :class:`PoolExecutor`: the pending nodes of a depth-first search are disjoint subtrees. The
  master runs the search alone for a moment (small networks finish there), expands the shallowest
  pending nodes until there are several per worker, and hands them to a ``spawn`` pool. Each
  worker runs its own :class:`~.search.Searcher` (its own HiGHS object) and returns its counters
  and, when stopped early, its pending nodes. Workers ignore SIGINT; the master turns Ctrl-C and
  SIGTERM into a shared stop flag, and gives up on a subtree whose worker has not answered
  :data:`STOP_GRACE` seconds after a stop (its root stays pending). Workers exit as soon as the
  master is gone, for any reason (kill -9 included).
- :class:`DaskExecutor`: the same subtrees on a dask.distributed cluster (the optional
  ``regioncount[dask]`` extra): the network and domain are scattered to every worker once, each
  task is one subtree root, and a distributed ``Event`` plays the part of the stop flag.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import signal
import threading
import time
import uuid
from dataclasses import replace
from typing import Callable, Protocol

from ..errors import RegioncountError, SolverError
from .limits import Limits, deadline_from_wall
from .search import Counters, Node, Searcher

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
#: Seconds between two looks of the master loop at its workers when nothing finished.
_MASTER_SLEEP = 0.02
#: Worker processes per available core at most: the search is CPU-bound, so more processes than
#: cores only add start-up time and memory (hyperthreads already count as cores).
MAX_WORKERS_PER_CORE = 2
#: Seconds the master waits, after a stop (time limit, Ctrl-C, SIGTERM, region limit), for the
#: running subtrees to hand back their state; a subtree that has not answered by then (its
#: worker still starting, or dead) stays pending in the checkpoint as its root.
STOP_GRACE = 0.5
#: Seconds a pool worker has to exit after SIGTERM before it is killed (SIGKILL).
KILL_AFTER = 2.0
#: Seconds between two looks of a pool worker at its parent when the parent cannot be waited on.
PARENT_POLL = 0.5


class Reporter(Protocol):
    """What an executor reports to its count (implemented by :func:`.tree.count_tree`)."""

    #: Seconds between two progress reports.
    every: float

    def progress(self, regions: int, lps: int, depth: int) -> None:
        """A progress report (``depth``: of the node the search is at, 0 when unknown)."""

    def checkpoint(self, pending: Callable[[], list]) -> None:
        """Write a checkpoint if one is due; ``pending()`` lists the frozen pending nodes."""


class Executor(Protocol):
    """Runs a region tree search (see the module docstring)."""

    workers: int

    def run(self, searcher: Searcher, stack: list[Node], limits: Limits,
            report: Reporter) -> tuple[str, list[tuple]]:
        """Search from ``stack``; returns ``(stop reason, frozen pending nodes)``."""

    def close(self) -> None:
        """Release what the executor holds."""


def available_cores() -> int:
    """Cores this process may run on (its CPU affinity, as a batch scheduler sets it; else all
    the machine's cores)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def resolve_workers(workers) -> int:
    """``None`` or ``0``: all available cores; otherwise at least 1 and at most
    :data:`MAX_WORKERS_PER_CORE` per available core (capped with a warning)."""
    cores = available_cores()
    if not workers:
        return cores
    workers = max(1, int(workers))
    cap = MAX_WORKERS_PER_CORE * cores
    if workers > cap:
        log.warning("--workers %d is more than %d per core on %d core%s: using %d worker "
                    "processes", workers, MAX_WORKERS_PER_CORE, cores, "s" if cores > 1 else "",
                    cap)
        return cap
    return workers


def make_executor(workers: int, scheduler=None) -> "SerialExecutor | PoolExecutor | DaskExecutor":
    """The executor of a count: the dask cluster ``scheduler`` when given, else a pool of
    ``workers`` processes when there are several, else this process."""
    if scheduler is not None:
        return DaskExecutor(scheduler, workers)
    if workers > 1 and unguarded_script():
        import warnings

        warnings.warn(f"regioncount: counting in one process, not {workers}: the count was "
                      "started from the top level of a script without `if __name__ == "
                      "\"__main__\":`, which every worker process would run again",
                      RuntimeWarning, stacklevel=_caller_level())
        return SerialExecutor()
    if workers > 1:
        return PoolExecutor(workers)
    return SerialExecutor()


def _caller_level() -> int:
    """The ``stacklevel`` that makes a warning raised by the function calling this one name
    the first line outside regioncount (the user's call, whichever front door led here:
    ``count_tree`` or ``regioncount.count``)."""
    import inspect

    frame, level = inspect.currentframe().f_back, 1
    while frame is not None and frame.f_globals.get("__name__", "").split(".")[0] == \
            "regioncount":
        frame, level = frame.f_back, level + 1
    return level


def unguarded_script() -> bool:
    """Whether this call comes from top-level code of a script's ``__main__`` outside an
    ``if __name__ == "__main__":`` block: ``spawn`` workers import the script again and would
    start the count again, which hangs."""
    import ast
    import inspect

    frame = inspect.currentframe()
    while frame is not None and not (frame.f_code.co_name == "<module>"
                                     and frame.f_globals.get("__name__") == "__main__"):
        frame = frame.f_back
    path = None if frame is None else frame.f_globals.get("__file__")
    if frame is None or not path or frame.f_globals.get("__spec__") is not None:
        return False
    try:
        tree = ast.parse(open(path, encoding="utf-8").read())
    except (OSError, SyntaxError, ValueError):
        return False
    line = frame.f_lineno
    return not any(isinstance(n, ast.If) and "__main__" in ast.unparse(n.test)
                   and n.lineno <= line <= n.end_lineno for n in tree.body)


class _Closing:
    workers = 1

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


class SerialExecutor(_Closing):
    """The search in this process: progress with the depth of the current node, and
    checkpoints of the searcher's own stack."""

    def run(self, searcher, stack, limits, report):
        c = searcher.counters

        def tick(stk):
            report.progress(c.regions, c.lps, int(stk[-1].u) if stk else 0)
            report.checkpoint(lambda: [n.freeze() for n in stk])

        reason = searcher.run(stack, limits, tick, report.every)
        return reason, [n.freeze() for n in stack]


# ---------------------------------------------------------------------------------------------
# independent subtrees: the master's part, common to the pool and the cluster

def _warm_and_split(searcher, stack, workers, limits, report):
    """Search alone for :data:`SERIAL_WARMUP` seconds, then expand the shallowest pending nodes
    until there are :data:`SUBTREES_PER_WORKER` per worker. Returns ``(reason, frozen pending,
    roots)``; ``roots`` is ``None`` when the search already ended (or stopped) on the master."""
    c = searcher.counters

    def tick(stk):
        report.progress(c.regions, c.lps, int(stk[-1].u) if stk else 0)

    warm = replace(limits, deadline=min(limits.deadline, time.monotonic() + SERIAL_WARMUP))
    reason = searcher.run(stack, warm, tick, report.every)
    if not stack or (reason and reason != "time limit") or time.monotonic() >= limits.deadline:
        return reason, [n.freeze() for n in stack], None
    # shallowest first: expand until there are enough subtrees (the limits checked at each node)
    target = SUBTREES_PER_WORKER * workers
    guard = 0
    while stack and len(stack) < target and guard < 10 * target:
        reason = limits.reached(c.regions, time.monotonic())
        if reason:
            searcher.flush()
            return reason, [n.freeze() for n in stack], None
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


class _MasterTick:
    """The master loop's periodic duties: a progress report every ``report.every`` seconds
    and a checkpoint when one is due."""

    def __init__(self, report: Reporter):
        self.report = report
        self.last = time.monotonic()

    def __call__(self, regions: int, lps: int, pending: Callable[[], list]) -> None:
        now = time.monotonic()
        if now - self.last >= self.report.every:
            self.last = now
            self.report.progress(regions, lps, 0)
        self.report.checkpoint(pending)


def _final_reason(reasons, leftovers, max_regions) -> str:
    reason = ""
    for r in ("interrupted", "time limit", "region limit"):
        if r in reasons:
            reason = r
            break
    if leftovers and not reason:
        reason = "region limit" if max_regions is not None else "time limit"
    return reason


class _Subtrees(_Closing):
    """An executor that warms up on the master and farms the subtree roots out."""

    def run(self, searcher, stack, limits, report):
        reason, frozen, roots = _warm_and_split(searcher, stack, self.workers, limits, report)
        if roots is None:
            return reason, frozen
        return self._farm(searcher, roots, limits, report)

    def _farm(self, searcher, roots, limits, report):  # pragma: no cover - abstract
        raise NotImplementedError


# ---------------------------------------------------------------------------------------------
# the process pool

_W: dict = {}


def _exit_with_parent() -> None:
    """Wait until the master process is gone (the pipe it holds is closed: any death, kill -9
    included), then exit this worker at once."""
    parent = mp.parent_process()
    if parent is not None:
        parent.join()
    else:  # pragma: no cover - a worker always knows its spawning parent
        ppid = os.getppid()
        while os.getppid() == ppid:
            time.sleep(PARENT_POLL)
    os._exit(0)


def _init(net, domain, keep_patterns, keep_points, shared_regions, shared_lps, stop_flag):
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with_parent, name="exit-with-parent", daemon=True).start()
    _W["searcher_args"] = (net, domain, keep_patterns, keep_points)
    _W["regions"], _W["lps"], _W["stop"] = shared_regions, shared_lps, stop_flag


def _task(frozen, deadline_wall, max_regions):
    """One subtree in a pool worker; its progress goes to the shared counters, and it stops on
    the shared flag or when the count's regions reach ``max_regions``."""
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

    limits = Limits(deadline_from_wall(deadline_wall), None, stop)
    reason = s.run(stack, limits, lambda stk: report())
    report()
    if reason == "interrupted" and not stop_flag.value:
        reason = "region limit"
    return s.counters, [n.freeze() for n in stack], reason


def _shutdown(pool) -> None:
    """``pool.terminate()`` (SIGTERM to every worker), with a SIGKILL for any worker still alive
    :data:`KILL_AFTER` seconds later (``terminate`` alone would wait forever for it)."""
    procs = list(getattr(pool, "_pool", ()))

    def kill_stragglers():
        for p in procs:
            if p.exitcode is None:
                p.kill()

    timer = threading.Timer(KILL_AFTER, kill_stragglers)
    timer.daemon = True
    timer.start()
    try:
        pool.terminate()
        pool.join()
    finally:
        timer.cancel()


def _stopping(limits: Limits, regions: int, stop_flag) -> bool:
    """Has the count been told to stop (the workers then hand back their state)?"""
    return bool(stop_flag.value) or time.monotonic() >= limits.deadline or (
        limits.max_regions is not None and regions >= limits.max_regions)


def _limit_reason(limits: Limits) -> str:
    return "time limit" if time.monotonic() >= limits.deadline else "region limit"


class PoolExecutor(_Subtrees):
    """The subtrees on a ``spawn`` pool of ``workers`` processes."""

    def __init__(self, workers: int):
        self.workers = workers

    def _farm(self, searcher, roots, limits, report):
        c = searcher.counters
        ctx = mp.get_context("spawn")
        shared_r, shared_l, stop_flag = ctx.Value("q", 0), ctx.Value("q", 0), ctx.Value("b", 0)
        base_r, base_l = c.regions, c.lps
        budget = None if limits.max_regions is None else max(0, limits.max_regions - base_r)
        wall = limits.wall_deadline()
        pending = {}
        leftovers: list = []
        reasons: set = set()
        tick = _MasterTick(report)
        pool = ctx.Pool(self.workers, initializer=_init,
                        initargs=(searcher.input_net, searcher.input_domain, searcher.keep_patterns,
                                  searcher.keep_points, shared_r, shared_l, stop_flag))
        stopped_at = None
        try:
            for i, fr in enumerate(roots):
                pending[i] = (fr, pool.apply_async(_task, (fr, wall, budget)))
            while pending:
                if limits.interrupted() and not stop_flag.value:
                    stop_flag.value = 1
                    reasons.add("interrupted")
                if stopped_at is None and _stopping(limits, base_r + shared_r.value, stop_flag):
                    stopped_at = time.monotonic()
                if stopped_at is not None and time.monotonic() - stopped_at > STOP_GRACE:
                    leftovers += [fr for fr, _ in pending.values()]    # not answered: pending
                    reasons.add("interrupted" if stop_flag.value else _limit_reason(limits))
                    break
                done = [i for i, (_, ar) in pending.items() if ar.ready()]
                for i in done:
                    counters, rest, why = pending.pop(i)[1].get()
                    counters.seconds = 0.0
                    c.merge(counters)
                    leftovers += rest
                    if why:
                        reasons.add(why)
                tick(base_r + shared_r.value, base_l + shared_l.value,
                     lambda: leftovers + [fr for fr, _ in pending.values()])
                if not done:
                    time.sleep(_MASTER_SLEEP)
        finally:
            _shutdown(pool)
        return _final_reason(reasons, leftovers, limits.max_regions), leftovers


# ---------------------------------------------------------------------------------------------
# dask.distributed

#: Per worker thread: the Searcher of the count identified by a token (one HiGHS object each).
_DASK_LOCAL = threading.local()


def _dask_task(net, domain, keep_patterns, keep_points, token, frozen, deadline_wall,
               max_regions, event_name):
    """One subtree on a cluster worker: the same search as :func:`_task`, stopped by the
    deadline, its own region budget or the count's distributed ``Event``."""
    from distributed import Event

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
    reason = s.run(stack, Limits(deadline_from_wall(deadline_wall), max_regions, stop))
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


class DaskExecutor(_Subtrees):
    """The subtrees on the dask cluster ``scheduler``: an address, ``"local"`` (a
    ``LocalCluster`` of ``workers`` processes, closed with the executor) or a connected
    ``Client`` (left open). ``workers`` becomes the cluster's thread count when it runs."""

    def __init__(self, scheduler, workers: int):
        self.workers = workers
        self.cluster = None
        self._own = not hasattr(scheduler, "submit")
        if self._own:
            self.client, self.cluster = dask_client(str(scheduler), workers)
        else:
            self.client = scheduler

    def run(self, searcher, stack, limits, report):
        self.workers = cluster_threads(self.client)
        return super().run(searcher, stack, limits, report)

    def _farm(self, searcher, roots, limits, report):
        return _DaskFarm(self.client, self.workers, searcher, limits, report).run(roots)

    def close(self) -> None:
        if self._own:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()


class _DaskFarm:
    """One count's subtrees on a cluster: the same warm-up and subtree roots as the pool, one
    future per root, merged into ``searcher.counters`` as they finish. A limit or Ctrl-C sets
    a distributed ``Event``; the running tasks return their counters and pending nodes, so a
    stopped cluster count checkpoints and resumes like a local one."""

    def __init__(self, client, nthreads, searcher, limits, report):
        from distributed import Event

        self.client, self.searcher, self.limits, self.report = client, searcher, limits, report
        self.c = searcher.counters
        self.base_r = self.c.regions
        self.wall = limits.wall_deadline()
        mr = limits.max_regions
        self.budget = None if mr is None else max(0, mr - self.base_r)
        self.token = uuid.uuid4().hex
        self.event = Event(f"regioncount-stop-{self.token}", client=client)
        self.in_flight = DASK_IN_FLIGHT * nthreads
        self.nthreads = nthreads
        self.pending: dict = {}
        self.queue: list = []
        self.leftovers: list = []
        self.reasons: set = set()
        self.stopping = False

    def run(self, roots) -> tuple[str, list]:
        s = self.searcher
        self.shared = (self.client.scatter(s.input_net, broadcast=True, hash=False),
                       self.client.scatter(s.input_domain, broadcast=True, hash=False))
        log.info("dask: %d subtrees on %d worker threads", len(roots), self.nthreads)
        self.queue = roots[::-1]
        tick = _MasterTick(self.report)
        try:
            while self.pending or (self.queue and not self.stopping):
                self._check_limits()
                self._submit()
                done = self._collect()
                tick(self.c.regions, self.c.lps, lambda: self.leftovers + [
                    fr for fr, _ in self.pending.values()] + self.queue)
                if not done:
                    time.sleep(_MASTER_SLEEP)
        finally:
            self._release()
        self.leftovers += self.queue
        return _final_reason(self.reasons, self.leftovers, self.limits.max_regions), self.leftovers

    def _check_limits(self) -> None:
        """Set the stop event when Ctrl-C, the deadline or the region budget says so."""
        if self.stopping:
            return
        why = ""
        if self.limits.interrupted():
            why = "interrupted"
        elif time.monotonic() >= self.limits.deadline:
            why = "time limit"
        elif self.budget is not None and self.c.regions - self.base_r >= self.budget:
            why = "region limit"
        if why:
            self.reasons.add(why)
            self.event.set()
            self.stopping = True

    def _submit(self) -> None:
        """Send queued roots until :data:`DASK_IN_FLIGHT` per thread are running, each with
        its share of the region budget left."""
        s = self.searcher
        while self.queue and not self.stopping and len(self.pending) < self.in_flight:
            fr = self.queue.pop()
            share = None if self.budget is None else \
                max(1, -(-(self.budget - (self.c.regions - self.base_r)) // self.in_flight))
            fut = self.client.submit(_dask_task, *self.shared, s.keep_patterns, s.keep_points,
                                     self.token, fr, self.wall, share, self.event.name,
                                     pure=False)
            self.pending[fut.key] = (fr, fut)

    def _collect(self) -> list:
        """Merge the finished tasks; returns their keys."""
        done = [k for k, (_, fut) in self.pending.items() if fut.done()]
        for k in done:
            fr, fut = self.pending.pop(k)
            try:
                counters, rest, why = fut.result()
            except RegioncountError:
                raise
            except Exception as e:  # dask reruns the tasks of lost workers; this is worse
                raise SolverError(f"dask: a subtree task failed on a worker "
                                  f"({type(e).__name__}: {e})") from None
            counters.seconds = 0.0
            self.c.merge(counters)
            if why == "region limit" and not self.stopping:
                self.queue += rest       # only this task's share of the budget ran out
                continue
            self.leftovers += rest
            if why:
                self.reasons.add(why)
        return done

    def _release(self) -> None:
        for _, fut in self.pending.values():
            fut.cancel()
        try:
            self.event.set()
            self.client.cancel(list(self.shared))
        except Exception:  # pragma: no cover - the cluster went away; nothing to release
            pass
