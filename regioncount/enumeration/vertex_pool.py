"""Sub-boxes of a vertex count on a pool of worker processes (``count_vertex(workers=N)``).

The domain is bisected (largest sub-box first, along its widest side) into
:data:`BOXES_PER_WORKER` sub-boxes per worker; each task counts one sub-box with its own share
of the memory budget (cutting it further if its cells do not fit) and returns its record:
packed patterns, points, margins and which regions touch an inner sub-box face. The master
merges the records as they come, counting a region met by several sub-boxes once (those regions
touch an inner face, and their patterns go through the master's set), reports progress, and
stops the workers through a shared flag on a time limit, a region limit or Ctrl-C (workers
ignore SIGINT; the master waits :data:`STOP_GRACE` seconds for the running tasks to hand back
what they found, then ends them). Workers are ``spawn`` processes, as for the region tree
(:mod:`.executors`).
"""

from __future__ import annotations

import multiprocessing as mp
import signal
import threading
import time
from dataclasses import replace

import numpy as np

from .executors import _exit_with_parent, _shutdown
from .heap import resident_bytes, trim_heap
from .limits import Limits, deadline_from_wall
from .results import Progress

#: Sub-boxes per worker (load balance; each costs the cells its faces cut in two).
BOXES_PER_WORKER = 4
#: Bytes a counting process holds beyond its cells and record, for the temporaries of a pass
#: (batched matrix products of up to 32 MiB of values and their operands; the merge of a
#: task's record in the master): measured about 60-70 MiB per process.
TEMPORARIES = 64 << 20
#: Seconds the master waits after a stop for the running tasks to return their records.
STOP_GRACE = 2.0
#: Bisections at most of a sub-box handed back by a worker whose record filled its share.
MAX_REQUEUE_DEPTH = 24
#: Seconds between two looks of the master at its tasks.
_POLL = 0.05

_W: dict = {}


def own_share(share: int, resident: int | None) -> int:
    """A process's memory for its cells and record, with worker processes: its share of the
    budget less what it holds before it counts (the interpreter, the libraries, the network)
    and :data:`TEMPORARIES`, so that the whole process stays within the share; at least half
    the share (budgets of a few megabytes, smaller than an interpreter, keep their meaning of a
    data budget).

    >>> own_share(600 << 20, 80 << 20) >> 20, own_share(6000, 80 << 20), own_share(6000, None)
    (456, 3000, 6000)
    """
    if resident is None:
        return share
    return max(share - resident - TEMPORARIES, share // 2)


def _init(net, domain, budget, keep_points, stop_flag, shared_regions, kernel, spill=None,
          running=None):
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with_parent, name="exit-with-parent", daemon=True).start()
    budget = own_share(budget, resident_bytes())
    _W.update(net=net, domain=domain, budget=budget, keep_points=keep_points, stop=stop_flag,
              regions=shared_regions, kernel=kernel, spill=spill, running=running)


def _task(lo, hi, depth, deadline_wall, max_regions):
    """Count the sub-box ``[lo, hi]`` (unit-cube coordinates, ``depth`` bisections deep) in a
    worker; its record comes back in two parts, the settled one (sub-boxes counted to the
    end) and the rest, and with a spill directory the files the worker wrote (in a folder of
    its own inside the master's, which the master takes over: a worker's record never fills,
    so no work is lost to it)."""
    _Count, _count_boxes, _ = _W["kernel"]
    stop, shared = _W["stop"], _W["regions"]

    def interrupted() -> bool:
        return bool(stop.value) or (max_regions is not None and shared.value >= max_regions)

    limits = Limits(deadline_from_wall(deadline_wall), max_regions, interrupted)
    shown = _Shown(_W.get("running"))
    count = _Count(_W["net"], _W["domain"], _W["budget"], limits, shown, time.monotonic(),
                   _W["keep_points"])
    if _W.get("spill") is not None:
        from .vertex_record import Spill

        count.store.disk = Spill(_W["spill"], count.plan.packer.nbytes)
    reason, pending = _count_boxes(count, [(lo, hi, depth)])
    if reason == "interrupted" and not stop.value:
        reason = "region limit"                     # the count's regions reached the limit
    if max_regions is None:
        # with a spill directory the record leaves as files: the pipe to the master would
        # hold a copy of it (and the arrays sent a second one)
        count.store.spill()
    rec = (count.store.arrays(settled=True), count.store.arrays(settled=False))
    with shared.get_lock():
        shared.value += count.store.n
    shown.done()
    counters = (count.cells, count.splits, count.lps, count.slivers, count.subboxes)
    files = count.store.disk.export() if count.store.disk is not None else None
    return rec, counters, reason, pending, files


class _Shown:
    """The progress callback of a worker's task: its regions so far go to the shared count of
    the running tasks (``running``), which the master adds to its own in progress reports."""

    def __init__(self, running):
        self.running, self.sent = running, 0

    def __call__(self, p) -> None:
        self._add(p.regions - self.sent)

    def done(self) -> None:
        """The task's regions go back to the master with its record."""
        self._add(-self.sent)

    def _add(self, delta: int) -> None:
        if self.running is None or not delta:
            return
        with self.running.get_lock():
            self.running.value += delta
        self.sent += delta


def spread_boxes(boxes: list, k: int, _bisect) -> list:
    """The sub-boxes ``(lo, hi, depth)`` with the largest (by volume, the first of equals)
    bisected (by ``_bisect``) until there are ``k`` of them, so that the tasks are of like
    size and a resumed count with fewer sub-boxes left than workers leaves none idle. The
    regions of halves are counted once as for any sub-boxes."""
    boxes = list(boxes)
    while len(boxes) < k:
        volumes = [float(np.prod(h - l)) for l, h, _ in boxes]
        i = int(np.argmax(volumes))
        depth = boxes[i][2] + 1
        boxes[i:i + 1] = [(l, h, depth) for l, h in _bisect(*boxes[i][:2])]
    return boxes


def worker_budget(budget: int, workers: int) -> int:
    """Each worker's share of the memory budget; the master's record has the rest (one share
    or more), so that the processes together stay within the budget."""
    return budget // (workers + 1)


def count_pool(count, workers: int, budget: int, progress, t0, kernel,
               boxes: list | None = None) -> tuple[str, list]:
    """Count the domain of ``count`` on ``workers`` processes; merge into ``count``'s record.
    Returns the stop reason and the sub-boxes not done. ``kernel`` is ``(count class,
    sub-box counter, bisection)`` of :mod:`.vertex` (passed in: this module does not import
    it, which would be a cycle). ``boxes``: the sub-boxes ``(lo, hi, depth)`` to count
    (default: the domain), bisected until there are :data:`BOXES_PER_WORKER` per worker."""
    ctx = mp.get_context("spawn")
    stop, shared, running = ctx.Value("b", 0), ctx.Value("q", 0), ctx.Value("q", 0)
    dom = count.domain
    boxes = spread_boxes(boxes if boxes is not None else [(dom.lo.copy(), dom.hi.copy(), 0)],
                         BOXES_PER_WORKER * workers, kernel[2])
    limits = count.limits
    count.record_cap = own_share(budget - workers * worker_budget(budget, workers),
                                 resident_bytes())
    pool = ctx.Pool(workers, initializer=_init,
                    initargs=(count.net, count.domain, worker_budget(budget, workers),
                              count.store.keep_points, stop, shared, kernel,
                              None if count.store.disk is None else str(count.store.disk.dir),
                              running))
    def submit(box):
        return pool.apply_async(_task, (*box, limits.wall_deadline(), limits.max_regions))

    def shown(p):               # the regions of the running tasks too
        progress(replace(p, regions=p.regions + max(0, int(running.value))))

    try:
        tasks = [(box, submit(box)) for box in boxes]
        return _collect(count, tasks, stop, None if progress is None else shown, t0,
                        (submit, kernel[2]))
    finally:
        _shutdown(pool)


def _collect(count, tasks, stop, progress, t0, requeue=None) -> tuple[str, list]:
    """Merge finished tasks until all are done or the count must stop. ``requeue``:
    ``(submit, bisect)``, to send the halves of a sub-box whose worker's record filled its
    share of the memory budget as new tasks (:func:`_halves`) instead of stopping."""
    pending, reason, last = [], "", t0
    stopped_at = None
    while tasks:
        now = time.monotonic()
        if stopped_at is None:
            reason = count.limits.reached(count.store.n, now) or reason
            if reason:
                stop.value, stopped_at = 1, now
        elif now - stopped_at > STOP_GRACE:
            pending += [box for box, _ in tasks]
            break
        ready = [t[1].ready() for t in tasks]
        done = [t for t, r in zip(tasks, ready) if r]
        tasks = [t for t, r in zip(tasks, ready) if not r]
        for t in done:
            result = t[1].get()
            halves = _halves(count, result, requeue) if stopped_at is None else None
            if halves is not None:
                tasks += [(b, requeue[0](b)) for b in halves]
                continue
            got = _merge(count, result, pending, t[0])
            trim_heap()                 # the task's arrays, once merged
            if stopped_at is None and got:          # a worker's own stop (its time limit)
                reason, stop.value, stopped_at = got, 1, now
        if done and stopped_at is None and _full(count):
            reason, stop.value, stopped_at = "memory budget", 1, now
        ckpt = count.checkpoint
        if done and stopped_at is None and ckpt is not None and ckpt.due():
            ckpt.write(count, pending + [box for box, _ in tasks], count.seconds())
        if progress is not None and now - last >= 0.5:
            last = now
            progress(Progress(count.store.n, count.lps, 0, now - t0))
        if not done:
            time.sleep(_POLL)
    return reason, pending


def _full(count) -> bool:
    """Whether the master's record is past its cap once what can go to disk has gone."""
    st = count.store
    if st.nbytes() > count.record_cap:
        st.spill()
    return st.nbytes() > count.record_cap


def _add_counters(count, counters) -> None:
    cells, splits, lps, slivers, subboxes = counters
    count.cells += cells
    count.splits += splits
    count.lps += lps
    count.slivers += slivers
    count.subboxes += subboxes


def _halves(count, result, requeue) -> list | None:
    """For a task stopped by its worker's share of the memory budget (with no region limit):
    keep its settled record (sub-boxes it finished) and return the halves of the sub-boxes
    it left, to be counted as new tasks; None for any other task, or past
    :data:`MAX_REQUEUE_DEPTH` (the count then stops as before)."""
    rec, counters, reason, left, files = result
    if (requeue is None or reason != "memory budget" or count.limits.max_regions is not None
            or count.store.truncated or any(b[2] >= MAX_REQUEUE_DEPTH for b in left)):
        return None
    _add_counters(count, counters)
    count.store.add(rec[0], settled=True)           # the unsettled part is counted again
    _adopt(count, files, settled_only=True)
    bisect = requeue[1]
    return [(lo, hi, depth + 1) for lo0, hi0, depth in left
            for lo, hi in bisect(lo0, hi0)]


def _merge(count, result, pending, box) -> str:
    """Add a task's record and counters to ``count``; the sub-boxes it left go to
    ``pending`` (its whole sub-box ``box`` when the record is cut by the region limit)."""
    rec, counters, reason, left, files = result
    _add_counters(count, counters)
    st = count.store
    lim = count.limits.max_regions
    on_disk = 0 if files is None else sum(f[1] for f in files[1])
    if on_disk and (st.truncated or lim is not None and
                    on_disk + sum(len(p["B"]) for p in rec) > max(0, lim - st.n)):
        st.disk.discard(files)          # past the region limit: the task's sub-box is left whole
        st.truncated = st.truncated or "region limit"
        pending.append(box)
        return st.truncated
    _adopt(count, files)
    first = len(st.settled)
    for part, settled in zip(rec, (True, False)):
        quota, why = None, ""
        if count.limits.max_regions is not None:
            quota, why = max(0, count.limits.max_regions - st.n), "region limit"
        st.add(part, quota, why, settled=settled)
    if st.truncated:            # regions of the task left out: its whole sub-box is left
        st.settled[first:] = [False] * (len(st.settled) - first)
        pending.append(box)
    else:
        pending += left
    return st.truncated or reason


def _adopt(count, files, settled_only: bool = False) -> None:
    """Take over the files a worker spilled (:meth:`.Spill.export`; None: it spilled none)."""
    if files is not None:
        count.store.n += count.store.disk.adopt(files, settled_only)
