"""Independent subtrees of the region tree on a process pool.

The pending nodes of a depth-first search are disjoint subtrees: the master runs the search
alone for a moment (small networks finish there), expands the shallowest pending nodes until
there are several per worker, and hands them to a ``spawn`` pool. Each worker runs its own
:class:`~regioncount.enumeration.tree.Searcher` (its own HiGHS object) and returns its counters
and, when stopped early, its pending nodes, so that a stopped parallel count checkpoints exactly
like a serial one. Workers ignore SIGINT; the master turns Ctrl-C into a shared stop flag.
"""

from __future__ import annotations

import math
import multiprocessing as mp
import os
import signal
import time

from .results import Progress

#: Seconds the master searches alone before starting the pool (small counts end here).
SERIAL_WARMUP = 0.5
#: Subtrees per worker handed to the pool (load balance).
SUBTREES_PER_WORKER = 32

_W: dict = {}


def resolve_workers(workers) -> int:
    """``None`` or ``0``: all cores; otherwise at least 1."""
    if not workers:
        return max(1, os.cpu_count() or 1)
    return max(1, int(workers))


def _init(net, domain, keep_patterns, keep_points, shared_regions, shared_lps, stop_flag):
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from .tree import Searcher

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


def run_parallel(searcher, stack, workers, deadline, max_regions, intr, progress, save,
                 prior_seconds, t0, checkpoint_every):
    """Run the search of ``searcher`` from ``stack`` on ``workers`` processes; merge every
    result into ``searcher.counters``; return ``(stop reason, frozen pending nodes)``."""
    c = searcher.counters

    def tick(stk):
        if progress is not None:
            progress(Progress(c.regions, c.lps, int(stk[-1].u) if stk else 0,
                              prior_seconds + time.monotonic() - t0))

    warm = min(deadline, time.monotonic() + SERIAL_WARMUP)
    reason = searcher.run(stack, warm, max_regions, intr, tick)
    if not stack or (reason and reason != "time limit") or time.monotonic() >= deadline:
        return reason, [n.freeze() for n in stack]
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
        return "", []
    roots = [n.freeze() for n in stack]
    stack.clear()
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
    last_ck = time.monotonic()
    last_tick = time.monotonic()
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
            now = time.monotonic()
            if progress is not None and now - last_tick >= 0.5:
                last_tick = now
                progress(Progress(base_r + shared_r.value, base_l + shared_l.value, 0,
                                  prior_seconds + now - t0))
            if checkpoint_every is not None and now - last_ck >= checkpoint_every:
                last_ck = now
                save(leftovers + [fr for fr, _ in pending.values()])
            if not done:
                time.sleep(0.02)
    finally:
        pool.terminate()
        pool.join()
    reason = ""
    for r in ("interrupted", "time limit", "region limit"):
        if r in reasons:
            reason = r
            break
    if leftovers and not reason:
        reason = "region limit" if max_regions is not None else "time limit"
    return reason, leftovers
