"""When a region count stops early: a time limit, a region limit, an interrupt.

:class:`Limits` is the one value every search loop of :mod:`.tree` and :mod:`.executors` checks
between two nodes; :class:`Interrupt` turns Ctrl-C (SIGINT) and SIGTERM (what ``kill`` and job
schedulers such as Slurm send at a time limit) into the flag it reads, so that an interrupted
count saves its checkpoint and reports what it found.
"""

from __future__ import annotations

import logging
import math
import signal
import threading
import time
from dataclasses import dataclass
from typing import Callable

log = logging.getLogger(__name__)

#: The signals that stop a count cleanly (checkpoint, partial result) instead of killing it.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@dataclass(frozen=True)
class Limits:
    """The limits of one search.

    Attributes
    ----------
    deadline : float
        A :func:`time.monotonic` instant (``inf``: no time limit).
    max_regions : int or None
        Stop once this many regions are counted.
    interrupt : callable or None
        Returns True when the search must stop now (Ctrl-C, or a stop flag shared with the
        other workers of the count).
    """

    deadline: float = math.inf
    max_regions: int | None = None
    interrupt: Callable[[], bool] | None = None

    @classmethod
    def starting(cls, t0: float, time_limit: float | None, max_regions: int | None,
                 interrupt: Callable[[], bool] | None = None) -> "Limits":
        """The limits of a count started at monotonic instant ``t0``."""
        deadline = t0 + time_limit if time_limit is not None else math.inf
        return cls(deadline, max_regions, interrupt)

    def interrupted(self) -> bool:
        return self.interrupt is not None and bool(self.interrupt())

    def reached(self, regions: int, now: float) -> str:
        """The limit reached with ``regions`` counted at instant ``now`` (``""``: none). The
        order is the one of :meth:`Searcher.run <regioncount.enumeration.search.Searcher.run>`."""
        if self.max_regions is not None and regions >= self.max_regions:
            return "region limit"
        if now >= self.deadline:
            return "time limit"
        if self.interrupted():
            return "interrupted"
        return ""

    def wall_deadline(self) -> float:
        """The deadline as a :func:`time.time` instant, for another process or machine."""
        if not math.isfinite(self.deadline):
            return math.inf
        return time.time() + (self.deadline - time.monotonic())


def deadline_from_wall(wall: float) -> float:
    """The monotonic instant of the :func:`time.time` instant ``wall`` (see
    :meth:`Limits.wall_deadline`)."""
    if not math.isfinite(wall):
        return math.inf
    return time.monotonic() + max(0.0, wall - time.time())


#: No limit at all.
NO_LIMITS = Limits()


class Interrupt:
    """Turns SIGINT and SIGTERM (:data:`STOP_SIGNALS`) into a flag while a count runs (main
    thread only); calling it reads the flag. A context manager: the previous handlers come back
    on exit."""

    def __init__(self):
        self.flag = False
        self.signal_name = ""
        self._old: dict = {}

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            for sig in STOP_SIGNALS:
                try:
                    self._old[sig] = signal.signal(sig, self._handler)
                except (ValueError, OSError):  # pragma: no cover
                    pass
        return self

    def _handler(self, signum, frame):
        # no I/O here (a signal may arrive inside a write); the count logs it when it stops
        if not self.flag:
            self.signal_name = signal.Signals(signum).name
        self.flag = True

    def __exit__(self, *exc):
        for sig, old in self._old.items():
            signal.signal(sig, signal.SIG_DFL if old is None else old)
        self._old = {}
        if self.signal_name:
            log.warning("%s received: the count stopped early", self.signal_name)
        return False

    def __call__(self) -> bool:
        return self.flag
