"""Exact enumeration of activation regions by the LP region tree (docs/count.md; what a region is:
docs/regions.md).

:func:`count_tree` is the driver of one count. The parts it puts together:

- :mod:`.search`: the tree itself (nodes, their expansion, the depth-first loop);
- :mod:`.limits`: ``time_limit``, ``max_regions`` and Ctrl-C as one :class:`~.limits.Limits`
  (the search stops between nodes and returns what it found with ``complete=False``);
- :mod:`.checkpoint`: the pending stack (pattern prefix, cut units, point, margin per node) and
  the counters, written atomically every ``checkpoint_every`` seconds and at the stop;
  ``resume`` rebuilds the rows of each pending node from its pattern and continues, so no region
  is lost or counted twice;
- :mod:`.executors`: this process, a process pool, or a dask.distributed cluster (the pending
  nodes are independent subtrees), behind one protocol;
- the ``progress`` callback, about twice a second, and the :class:`~.results.CountResult`.
"""

from __future__ import annotations

import logging
import os
import time
from typing import Callable

import numpy as np

from ..domain import Domain
from ..errors import RegioncountError
from ..memory import check_memory
from ..network import Network
from .checkpoint import CHECKPOINT_EVERY, Checkpoint
from .executors import make_executor, resolve_workers
from .limits import Interrupt, Limits
from .results import CountResult, Progress
from .search import Node, Searcher

log = logging.getLogger(__name__)

#: Seconds between two progress callbacks.
PROGRESS_EVERY = 0.5

class _Report:
    """The :class:`~.executors.Reporter` of one count: its clock (seconds include the runs
    it resumes), the ``progress`` callback and the checkpoint writes."""

    def __init__(self, searcher: Searcher, progress: Callable[[Progress], None] | None,
                 store: Checkpoint | None, prior_seconds: float, t0: float):
        self.searcher, self._progress, self.store = searcher, progress, store
        self.prior_seconds, self.t0 = prior_seconds, t0
        self.every = PROGRESS_EVERY
        if store is not None:
            store.mark()

    def seconds(self) -> float:
        return self.prior_seconds + (time.monotonic() - self.t0)

    def progress(self, regions: int, lps: int, depth: int) -> None:
        if self._progress is not None:
            self._progress(Progress(regions, lps, int(depth), self.seconds()))

    def checkpoint(self, pending: Callable[[], list]) -> None:
        if self.store is not None and self.store.due():
            self.save(pending())

    def save(self, frozen: list) -> None:
        """Write ``frozen`` (the pending nodes) and the counters so far, if checkpointing."""
        if self.store is None:
            return
        self.searcher.flush()
        self.searcher.counters.seconds = self.seconds()
        self.store.write(frozen, self.searcher.counters)


def check_search_memory(net: Network) -> None:
    """Refuse, before any work, a network whose affine maps on one path of the tree (a dense
    ``units x inputs`` matrix per stage) exceed the memory limit of :mod:`regioncount.memory`."""
    n = int(net.input_size)
    rows = sum(int(s.size) for s in net.stages)
    check_memory(8 * 2 * rows * n, f"the region tree's affine maps ({rows:,} units x {n:,} "
                                   "inputs, dense)")


def _open_checkpoint(checkpoint, resume: bool, net: Network, domain: Domain,
                     keep_patterns: bool, every: float) -> Checkpoint | None:
    if checkpoint is None:
        return None
    store = Checkpoint(checkpoint, net, domain, keep_patterns=keep_patterns, every=every)
    if not resume:
        store.check_writable()
    return store


def _start(searcher: Searcher, store: Checkpoint | None, resume: bool) -> tuple[list[Node], float]:
    """The pending stack to search and the seconds spent by earlier runs."""
    if not resume:
        return [searcher.root()], 0.0
    if store is None:
        raise RegioncountError("--resume needs --checkpoint FILE")
    return store.resume(searcher)


def _result(report: _Report, reason: str, pending: list, workers: int, keep_patterns: bool,
            keep_points: bool) -> CountResult:
    """Save the final state and assemble the result (partial when nodes are pending)."""
    searcher = report.searcher
    searcher.flush()
    complete = not pending
    if complete:
        reason = ""
    report.save(pending)
    c = searcher.counters
    seconds = report.seconds()
    pats = np.array(c.patterns, dtype=np.int32).reshape(len(c.patterns), searcher.plan.total) \
        if keep_patterns else None
    pts = np.array(c.points).reshape(len(c.points), searcher.net.input_size) \
        if keep_points else None
    mg = np.array(c.margins) if keep_points else None
    if not complete:
        log.warning("region count stopped early (%s): %d regions found so far", reason, c.regions)
    return CountResult(regions=c.regions, complete=complete, method="tree", seconds=seconds,
                       lps=c.lps, per_class=dict(c.per_class), per_layer=tuple(c.per_layer),
                       patterns=pats, points=pts, margins=mg, stop_reason=reason,
                       solver="highs", workers=workers)


def count_tree(net: Network, domain: Domain, *, time_limit: float | None = None,
               max_regions: int | None = None, workers: int = 1,
               checkpoint: str | os.PathLike | None = None, resume: bool = False,
               progress: Callable[[Progress], None] | None = None,
               keep_patterns: bool = False, keep_points: bool = False,
               checkpoint_every: float = CHECKPOINT_EVERY, scheduler=None) -> CountResult:
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
    scheduler : str or distributed.Client, optional
        Run the independent subtrees on a dask.distributed cluster instead of a local pool: a
        scheduler address (``"tcp://10.0.0.5:8786"``), ``"local"`` (a ``LocalCluster`` of
        ``workers`` single-threaded processes on 127.0.0.1, closed afterwards) or a connected
        ``Client`` (left open). Needs ``pip install regioncount[dask]``; same result as the
        local count.

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
    t0 = time.monotonic()
    workers = resolve_workers(workers)
    check_search_memory(net)
    store = _open_checkpoint(checkpoint, resume, net, domain, keep_patterns, checkpoint_every)
    searcher = Searcher(net, domain, keep_patterns=keep_patterns, keep_points=keep_points)
    stack, prior_seconds = _start(searcher, store, resume)
    report = _Report(searcher, progress, store, prior_seconds, t0)
    # Ctrl-C and SIGTERM are flags until the final checkpoint is written
    with Interrupt() as intr, make_executor(workers, scheduler) as executor:
        limits = Limits.starting(t0, time_limit, max_regions, intr)
        reason, pending = executor.run(searcher, stack, limits, report)
        workers = executor.workers
        return _result(report, reason, pending, workers, keep_patterns, keep_points)
