"""A process pool and a dask client that run their tasks in the test process (tests only).

The executors' own code (the pool's initializer and tasks, the master loops that merge, stop and
requeue) runs unchanged; only the transport is replaced: ``apply_async`` and ``submit`` run the
task at once (or, for tasks named in ``hold``, never finish), shared values are real
``multiprocessing`` values, and a dask ``Event`` is a flag in a dictionary. The tests then
compare what the master merged with the one-process count.
"""

from __future__ import annotations

import itertools
import multiprocessing as mp


class Ready:
    """A finished task: ``ready`` / ``get`` of a pool, ``done`` / ``result`` of a future."""

    _keys = itertools.count()

    def __init__(self, value=None, error=None):
        self.value, self.error = value, error
        self.key = f"task-{next(self._keys)}"
        self.cancelled = False

    def ready(self):
        return True

    done = ready

    def get(self):
        if self.error is not None:
            raise self.error
        return self.value

    result = get

    def cancel(self):
        self.cancelled = True


class Held(Ready):
    """A task that never finishes."""

    def ready(self):
        return False

    done = ready


class Pool:
    """``ctx.Pool``: the initializer runs here, each ``apply_async`` runs its task at once; the
    tasks numbered in ``hold`` (in submission order) never finish."""

    def __init__(self, n, initializer=None, initargs=(), hold=()):
        self.n, self.hold, self.calls, self.args = n, set(hold), 0, []
        self._pool = []
        self.terminated = False
        if initializer is not None:
            initializer(*initargs)

    def apply_async(self, fn, args=()):
        i, self.calls = self.calls, self.calls + 1
        self.args.append(args)
        return Held() if i in self.hold else Ready(fn(*args))

    def terminate(self):
        self.terminated = True

    def join(self):
        pass


class Context:
    """``mp.get_context("spawn")`` with :class:`Pool`; the pools it made are in ``pools``."""

    def __init__(self, hold=()):
        self.hold, self.pools = hold, []

    def Value(self, typecode, value):
        return mp.Value(typecode, value)

    def Pool(self, n, initializer=None, initargs=()):
        pool = Pool(n, initializer, initargs, self.hold)
        self.pools.append(pool)
        return pool


class Signals:
    """The ``signal`` module as a pool initializer sees it: the calls are recorded, none
    made (the test process keeps its Ctrl-C)."""

    SIGINT, SIG_IGN = 2, "ignore"

    def __init__(self):
        self.calls = []

    def signal(self, *args):
        self.calls.append(args)


class Event:
    """``distributed.Event``: one flag per name, shared by every instance of that name."""

    flags: dict = {}

    #: the client each named event was made with
    clients: dict = {}

    def __init__(self, name=None, client=None):
        self.name = name
        Event.clients.setdefault(name, client)

    def set(self):
        Event.flags[self.name] = True

    def is_set(self):
        return Event.flags.get(self.name, False)


class Client:
    """A ``distributed.Client`` whose ``submit`` runs the task at once (a task that raises
    gives a future that raises); ``threads`` worker threads; the tasks numbered in ``hold``
    never finish."""

    def __init__(self, threads=2, hold=(), fail=None):
        self.threads, self.hold, self.fail = threads, set(hold), fail
        self.submitted, self.cancelled, self.closed = [], [], False
        self.scattered, self.pure = [], []

    def scheduler_info(self):
        return {"workers": {f"w{i}": {"nthreads": 1} for i in range(self.threads)}}

    def scatter(self, x, broadcast=False, hash=True):
        self.scattered.append((broadcast, hash))
        return x

    def submit(self, fn, *args, pure=True):
        i = len(self.submitted)
        self.submitted.append(args)
        self.pure.append(pure)
        if i in self.hold:
            return Held()
        if self.fail is not None and i == self.fail[0]:
            return Ready(error=self.fail[1])
        return Ready(fn(*args))

    def cancel(self, futures):
        self.cancelled += list(futures)

    def close(self):
        self.closed = True


def install_events(monkeypatch) -> None:
    """``distributed.Event`` replaced by :class:`Event`, no flag set (the test is skipped
    without dask.distributed)."""
    import pytest

    distributed = pytest.importorskip("distributed")
    monkeypatch.setattr(distributed, "Event", Event)
    monkeypatch.setattr(Event, "flags", {})
    monkeypatch.setattr(Event, "clients", {})


class Counted:
    """A shared value (``value``, ``get_lock``) that records every value it is given in
    ``seen``."""

    def __init__(self, v=0):
        self._v, self.seen = v, []

    @property
    def value(self):
        return self._v

    @value.setter
    def value(self, v):
        self._v = v
        self.seen.append(v)

    def get_lock(self):
        import contextlib

        return contextlib.nullcontext()
