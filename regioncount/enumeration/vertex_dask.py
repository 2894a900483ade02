"""Sub-boxes of a vertex count on a dask.distributed cluster (``count_vertex(scheduler=...)``,
``count --method vertex --dask``).

The same work as :mod:`.vertex_pool`, with futures instead of a process pool: the domain (or
the sub-boxes a checkpoint left) is cut into :data:`.vertex_pool.BOXES_PER_WORKER` sub-boxes
per worker thread, one future each; the master merges the records as they finish (regions met
by several sub-boxes counted once, :func:`.vertex_pool._merge`) and writes checkpoints. A
limit or Ctrl-C sets a distributed ``Event``: running tasks stop between two passes and hand
back what they found; a task that does not answer within the grace period is cancelled and its
sub-box stays pending, so a stopped cluster count resumes like a local one. Each task has the
memory budget divided by the worker threads of a local cluster, the whole budget on a remote
one (its workers are other machines).
"""

from __future__ import annotations

import time
import uuid

from .executors import DASK_STOP_POLL, cluster_threads, dask_client
from .limits import Limits, deadline_from_wall
from .vertex_pool import BOXES_PER_WORKER, _collect, spread_boxes


def _box_task(kernel, net, domain, budget, keep_points, box, deadline_wall, max_regions,
              event_name):
    """Count one sub-box ``(lo, hi, depth)`` on a cluster worker; the same answer as
    :func:`.vertex_pool._task`."""
    from distributed import Event

    _Count, _count_boxes, _ = kernel

    event = Event(event_name)
    looked = [time.monotonic(), bool(event.is_set())]

    def stop() -> bool:
        now = time.monotonic()
        if not looked[1] and now - looked[0] >= DASK_STOP_POLL:
            looked[0], looked[1] = now, bool(event.is_set())
        return looked[1]

    limits = Limits(deadline_from_wall(deadline_wall), max_regions, stop)
    count = _Count(net, domain, budget, limits, None, time.monotonic(), keep_points)
    reason, pending = _count_boxes(count, [box])
    if reason == "interrupted":
        reason = "" if looked[1] else "region limit"    # the master knows why it stopped
    rec = (count.store.arrays(settled=True), count.store.arrays(settled=False))
    counters = (count.cells, count.splits, count.lps, count.slivers, count.subboxes)
    return rec, counters, reason, pending, None       # no spilled files: the record is sent


class _Flag:
    """The stop flag of :func:`.vertex_pool._collect` (``flag.value = 1``) as a distributed
    ``Event``."""

    def __init__(self, event):
        self.event, self._value = event, 0

    @property
    def value(self) -> int:
        return self._value

    @value.setter
    def value(self, v: int) -> None:
        self._value = v
        if v:
            self.event.set()


class _Task:
    """A dask future with the two calls :func:`.vertex_pool._collect` makes."""

    def __init__(self, future):
        self.future = future

    def ready(self) -> bool:
        return self.future.done()

    def get(self):
        return self.future.result()


def count_dask(count, scheduler, workers: int, budget: int, progress, t0, kernel,
               boxes: list | None = None) -> tuple[str, list]:
    """Count the sub-boxes of ``count`` on the dask cluster ``scheduler`` (an address,
    ``"local"``: a local cluster of ``workers`` processes, or a connected ``Client``, left
    open); merge into ``count``'s record. Returns the stop reason and the sub-boxes not
    done. ``kernel`` is ``(count class, sub-box counter, bisection)`` of :mod:`.vertex`, as
    for :func:`.vertex_pool.count_pool`."""
    from distributed import Event

    own = not hasattr(scheduler, "submit")
    client, cluster = dask_client(str(scheduler), workers) if own else (scheduler, None)
    futures = []
    try:
        nthreads = count.workers = cluster_threads(client)
        whole = [(count.domain.lo.copy(), count.domain.hi.copy(), 0)]
        boxes = spread_boxes(boxes if boxes is not None else whole,
                             BOXES_PER_WORKER * nthreads, kernel[2])
        event = Event(f"regioncount-vertex-stop-{uuid.uuid4().hex}", client=client)
        share = budget // nthreads if own and cluster is not None else budget
        net, dom = (client.scatter(x, broadcast=True, hash=False)
                    for x in (count.net, count.domain))
        limits = count.limits
        def submit(box):
            f = client.submit(_box_task, kernel, net, dom, share, count.store.keep_points, box,
                              limits.wall_deadline(), limits.max_regions, event.name,
                              pure=False)
            futures.append(f)
            return _Task(f)

        tasks = [(box, submit(box)) for box in boxes]
        return _collect(count, tasks, _Flag(event), progress, t0, (submit, kernel[2]))
    finally:
        for f in futures:
            f.cancel()
        if own:
            client.close()
        if cluster is not None:
            cluster.close()
