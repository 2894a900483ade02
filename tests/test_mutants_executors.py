"""Tests written against the mutants of regioncount/enumeration/executors.py
(benchmarks/mutation.py, docs/benchmarks.md "Mutation score"). The pool and the cluster run in
this process (tests/fake_parallel.py: the executors' own initializer, tasks and master loops,
with the transport replaced), so that every merge, stop and requeue is checked against the
one-process region tree: the same count, pattern set and per-layer counts."""

from __future__ import annotations

import logging
import math
import time

import numpy as np
import pytest

import fake_parallel as fp
from conftest import relu_net
from regioncount import Domain
from regioncount.enumeration import count_tree
from regioncount.enumeration import executors as ex
from regioncount.enumeration.limits import Limits
from regioncount.errors import RegioncountError, SolverError


def _net(seed=5):
    return relu_net(seed, 2, 6, 2)


DOM = Domain.box(-1, 1, 2)


@pytest.fixture(scope="module")
def serial():
    return count_tree(_net(), DOM, workers=1, keep_patterns=True)


@pytest.fixture
def pool(monkeypatch):
    """The spawn context of the executors replaced by one that runs tasks here; the searches
    are split at once, into 4 subtrees a worker."""
    ctx = fp.Context()
    monkeypatch.setattr(ex.mp, "get_context", lambda kind: ctx)
    monkeypatch.setattr(ex, "signal", fp.Signals())
    monkeypatch.setattr(ex, "_exit_with_parent", lambda: None)
    monkeypatch.setattr(ex, "_W", {})
    monkeypatch.setattr(ex, "SERIAL_WARMUP", 0.0)
    monkeypatch.setattr(ex, "SUBTREES_PER_WORKER", 4)
    monkeypatch.setattr(ex, "unguarded_script", lambda: False)
    return ctx


@pytest.fixture
def cluster(monkeypatch):
    fp.install_events(monkeypatch)
    monkeypatch.setattr(ex, "SERIAL_WARMUP", 0.0)
    monkeypatch.setattr(ex, "SUBTREES_PER_WORKER", 4)
    monkeypatch.setattr(ex, "DASK_STOP_POLL", 0.0)
    return fp


def _same(res, serial):
    assert res.complete and res.stop_reason == "" and res.regions == serial.regions
    assert res.pattern_set() == serial.pattern_set() and res.per_layer == serial.per_layer
    assert sum(res.per_class.values()) == res.regions


# -- the pool ---------------------------------------------------------------------------------------

def test_pool_subtrees_merged_equal_one_process(pool, serial):
    res = count_tree(_net(), DOM, workers=2, keep_patterns=True)
    _same(res, serial)
    assert res.workers == 2
    (p,), = [pool.pools]
    assert p.calls == 8 and p.terminated and p.n == 2
    assert ex._W["searcher_args"][2:] == (True, False) and "searcher" in ex._W
    assert ex.signal.calls == [(fp.Signals.SIGINT, fp.Signals.SIG_IGN)]


def test_pool_region_limit(pool, serial):
    res = count_tree(_net(), DOM, workers=2, max_regions=40, keep_patterns=True)
    assert not res.complete and res.stop_reason == "region limit"
    assert 40 <= res.regions < serial.regions
    assert res.pattern_set() < serial.pattern_set()


def test_pool_time_limit_leaves_the_subtrees(pool, serial):
    res = count_tree(_net(), DOM, workers=2, time_limit=0.0)
    assert not res.complete and res.stop_reason == "time limit" and res.regions < serial.regions


def test_pool_subtrees_that_do_not_answer_stay_pending(monkeypatch, pool, serial, tmp_path):
    """Two subtrees never answer: after a region limit and the grace they stay pending (their
    roots in the checkpoint), and the count resumed from it ends exactly."""
    pool.hold = {0, 1}
    monkeypatch.setattr(ex, "STOP_GRACE", 0.0)
    ck = tmp_path / "t.ck"
    res = count_tree(_net(), DOM, workers=2, max_regions=10 ** 6, checkpoint=ck,
                     time_limit=0.5)
    assert not res.complete and res.stop_reason == "time limit"
    pool.hold = set()
    rest = count_tree(_net(), DOM, workers=2, checkpoint=ck, resume=True)
    assert rest.complete and rest.regions == serial.regions


def test_pool_ctrl_c_stops_the_workers(monkeypatch, pool, serial):
    calls = []

    class Interrupt:
        def __enter__(self):
            return lambda: (calls.append(1), len(calls) > 3)[1]

        def __exit__(self, *exc):
            return False

    import regioncount.enumeration.tree as tree
    monkeypatch.setattr(tree, "Interrupt", Interrupt)
    pool.hold = {5, 6, 7}
    monkeypatch.setattr(ex, "STOP_GRACE", 0.0)
    res = count_tree(_net(), DOM, workers=2)
    assert not res.complete and res.stop_reason == "interrupted" and res.regions < serial.regions


def test_a_pool_task_in_its_worker(pool, serial):
    """One task: a subtree searched to the end in the worker's own searcher, its regions and
    LPs added to the shared counters; with the shared count at the limit it stops at once."""
    from regioncount.enumeration.search import Searcher

    s = Searcher(_net(), DOM)
    frozen = s.root().freeze()
    shared_r, shared_l, flag = (pool.Value("q", 0), pool.Value("q", 0), pool.Value("b", 0))
    ex._init(_net(), DOM, False, False, shared_r, shared_l, flag)
    counters, rest, why = ex._task(frozen, math.inf, None)
    assert why == "" and rest == [] and counters.regions == serial.regions == shared_r.value
    assert shared_l.value == counters.lps > 0
    counters, rest, why = ex._task(frozen, math.inf, serial.regions)
    assert why == "region limit" and rest and counters.regions == 0
    shared_r.value, flag.value = 0, 1
    counters, rest, why = ex._task(frozen, math.inf, None)
    assert why == "interrupted" and rest and counters.regions == 0
    flag.value = 0
    counters, rest, why = ex._task(frozen, time.time() - 1.0, None)
    assert why == "time limit" and rest


def test_stopping_and_its_reason():
    flag = fp.Context().Value("b", 0)
    lim = Limits.starting(time.monotonic(), None, 10)
    assert not ex._stopping(lim, 9, flag) and ex._stopping(lim, 10, flag)
    flag.value = 1
    assert ex._stopping(lim, 0, flag)
    flag.value = 0
    assert ex._stopping(Limits.starting(time.monotonic() - 1, 0.5, None), 0, flag)
    assert not ex._stopping(Limits.starting(time.monotonic(), None, None), 10 ** 9, flag)
    assert ex._limit_reason(Limits.starting(time.monotonic() - 1, 0.5, None)) == "time limit"
    assert ex._limit_reason(Limits.starting(time.monotonic(), None, 3)) == "region limit"


def test_final_reason():
    assert ex._final_reason({"region limit", "time limit", "interrupted"}, [], None) == \
        "interrupted"
    assert ex._final_reason({"region limit", "time limit"}, [], 5) == "time limit"
    assert ex._final_reason({"region limit"}, [1], None) == "region limit"
    assert ex._final_reason(set(), [1], 5) == "region limit"
    assert ex._final_reason(set(), [1], None) == "time limit"
    assert ex._final_reason(set(), [], None) == ""


# -- the cluster ------------------------------------------------------------------------------------

def test_cluster_subtrees_merged_equal_one_process(cluster, serial, caplog, monkeypatch):
    roots = []
    real = ex._warm_and_split
    monkeypatch.setattr(ex, "_warm_and_split", lambda *a: (lambda out: (roots.append(out[2]),
                                                                        out)[1])(real(*a)))
    client = fp.Client(threads=3)
    with caplog.at_level(logging.INFO, logger=ex.log.name):
        res = count_tree(_net(), DOM, scheduler=client, keep_patterns=True)
    _same(res, serial)
    assert res.workers == 3 and len(client.submitted) == 12 and not client.closed
    assert client.cancelled                     # the scattered network and domain released
    assert client.scattered == [(True, False)] * 2
    assert "dask: 12 subtrees on 3 worker threads" in caplog.messages
    assert [a[5] for a in client.submitted] == roots[0]      # the roots in their order
    args = client.submitted[0]
    assert args[2:4] == (True, False) and args[-1].startswith("regioncount-stop-")
    assert fp.Event.clients[args[-1]] is client


def test_two_cluster_counts_in_one_thread_keep_their_searchers(cluster, serial):
    """Each count's tasks find their own searcher in the worker thread (by the count's
    token): a second count of another network is not searched with the first one's."""
    other = _net(9)
    client = fp.Client(threads=2)
    a = count_tree(_net(), DOM, scheduler=client)
    b = count_tree(other, DOM, scheduler=client)
    assert a.regions == serial.regions and b.regions == count_tree(other, DOM).regions
    assert b.regions != a.regions


def test_cluster_region_limit_gives_each_task_its_share(cluster, serial):
    client = fp.Client(threads=2)
    res = count_tree(_net(), DOM, scheduler=client, max_regions=60, keep_patterns=True)
    assert not res.complete and res.stop_reason == "region limit"
    assert 60 <= res.regions < serial.regions
    assert res.pattern_set() < serial.pattern_set()
    shares = [a[7] for a in client.submitted]
    assert shares[0] == -(-60 // 4) == 15 and all(1 <= s <= 15 for s in shares)


def test_cluster_time_limit_and_ctrl_c(cluster, monkeypatch, serial):
    res = count_tree(_net(), DOM, scheduler=fp.Client(), time_limit=0.0)
    assert not res.complete and res.stop_reason == "time limit"
    monkeypatch.setattr(ex, "STOP_GRACE", 0.0)
    farm_limits = Limits(math.inf, None, lambda: True)
    from regioncount.enumeration.search import Searcher

    s = Searcher(_net(), DOM)
    roots = [s.root().freeze()]

    class Report:
        every = 0.5

        def progress(self, *a):
            pass

        def checkpoint(self, pending):
            pass

    farm = ex._DaskFarm(fp.Client(), 2, s, farm_limits, Report())
    reason, left = farm.run(roots)
    assert reason == "interrupted" and left == roots and fp.Event.flags[farm.event.name]


def test_a_cluster_task_that_fails(cluster):
    with pytest.raises(SolverError, match=r"^dask: a subtree task failed on a worker "
                                          r"\(ValueError: boom\)$"):
        count_tree(_net(), DOM, scheduler=fp.Client(fail=(2, ValueError("boom"))))
    with pytest.raises(RegioncountError, match="^its own words$"):
        count_tree(_net(), DOM, scheduler=fp.Client(fail=(0, RegioncountError("its own "
                                                                             "words"))))


def test_a_cluster_task_stops_on_the_event(cluster, serial):
    from regioncount.enumeration.search import Searcher

    s = Searcher(_net(), DOM)
    frozen = s.root().freeze()
    counters, rest, why = ex._dask_task(_net(), DOM, False, False, "tok", frozen, math.inf,
                                        None, "ev")
    assert why == "" and rest == [] and counters.regions == serial.regions
    counters, rest, why = ex._dask_task(_net(), DOM, False, False, "tok", frozen, math.inf,
                                        7, "ev")
    assert why == "region limit" and rest and counters.regions == 7
    fp.Event("ev").set()
    counters, rest, why = ex._dask_task(_net(), DOM, False, False, "tok", frozen, math.inf,
                                        None, "ev")
    assert why == "" and rest == [frozen] and counters.regions == 0


def test_cluster_threads_and_clients(cluster, monkeypatch):
    assert ex.cluster_threads(fp.Client(threads=5)) == 5
    assert ex.cluster_threads(fp.Client(threads=0)) == 1

    class Two(fp.Client):
        def scheduler_info(self):
            return {"workers": {"a": {"nthreads": 2}, "b": {}}}

    assert ex.cluster_threads(Two()) == 3
    c = fp.Client()
    with ex.make_executor(4, c) as e:
        assert isinstance(e, ex.DaskExecutor) and e.client is c and e.cluster is None
    assert not c.closed                         # a client given is left open


# -- workers, executors ------------------------------------------------------------------------------

def test_available_cores(monkeypatch):
    monkeypatch.setattr(ex.os, "sched_getaffinity", lambda pid: {0, 3, 5}, raising=False)
    assert ex.available_cores() == 3
    monkeypatch.setattr(ex.os, "sched_getaffinity", lambda pid: set(), raising=False)
    assert ex.available_cores() == 1

    def no(pid):
        raise OSError

    monkeypatch.setattr(ex.os, "sched_getaffinity", no, raising=False)
    monkeypatch.setattr(ex.os, "cpu_count", lambda: 6)
    assert ex.available_cores() == 6
    monkeypatch.setattr(ex.os, "cpu_count", lambda: None)
    assert ex.available_cores() == 1


def test_resolve_workers(monkeypatch, caplog):
    monkeypatch.setattr(ex, "available_cores", lambda: 3)
    assert ex.resolve_workers(None) == ex.resolve_workers(0) == 3
    assert ex.resolve_workers(-4) == 1 and ex.resolve_workers(2.7) == 2
    assert ex.resolve_workers(6) == 6
    with caplog.at_level(logging.WARNING, logger=ex.log.name):
        assert ex.resolve_workers(7) == 6
    assert caplog.messages == ["--workers 7 is more than 2 per core on 3 cores: using 6 worker "
                               "processes"]
    monkeypatch.setattr(ex, "available_cores", lambda: 1)
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger=ex.log.name):
        assert ex.resolve_workers(3) == 2
    assert caplog.messages == ["--workers 3 is more than 2 per core on 1 core: using 2 worker "
                               "processes"]


def test_make_executor(monkeypatch):
    assert type(ex.make_executor(1)) is ex.SerialExecutor
    e = ex.make_executor(3)
    assert type(e) is ex.PoolExecutor and e.workers == 3
    monkeypatch.setattr(ex, "unguarded_script", lambda: True)
    with pytest.warns(RuntimeWarning, match="counting in one process, not 3"):
        e = ex.make_executor(3)
    assert type(e) is ex.SerialExecutor and e.workers == 1
    with ex.SerialExecutor() as s:
        assert s.close() is None
    assert s.__exit__(None, None, None) is False


def test_master_tick(monkeypatch):
    seen = []

    class Report:
        every = 10.0

        def progress(self, *a):
            seen.append(a)

        def checkpoint(self, pending):
            seen.append(pending())

    tick = ex._MasterTick(Report())
    tick(5, 7, lambda: ["p"])
    assert seen == [["p"]]
    tick.last -= 11.0
    tick(6, 8, lambda: ["q"])
    assert seen == [["p"], (6, 8, 0), ["q"]]
    t = tick.last
    tick(6, 8, lambda: [])
    assert tick.last == t


# -- scripts, clients, the pool's end ------------------------------------------------------------

def _run_as_main(path, src, **extra):
    path.write_text(src)
    g = {"__name__": "__main__", "__file__": str(path), **extra}
    exec(compile(src, str(path), "exec"), g)
    return g["RESULT"]


def test_unguarded_script(tmp_path):
    """A count started from a script's top level outside ``if __name__ == "__main__":`` is
    found (spawned workers would run the script again); inside the guard, in a module run
    with ``-m`` (it has a spec), or when the script cannot be read, it is not."""
    top = "import regioncount.enumeration.executors as ex\nRESULT = ex.unguarded_script()\n"
    assert _run_as_main(tmp_path / "a.py", top) is True
    guarded = ("import regioncount.enumeration.executors as ex\nRESULT = None\n"
               "if __name__ == '__main__':\n    RESULT = ex.unguarded_script()\n")
    assert _run_as_main(tmp_path / "b.py", guarded) is False
    other = ("import regioncount.enumeration.executors as ex\nRESULT = None\n"
             "if True:\n    RESULT = ex.unguarded_script()\n")
    assert _run_as_main(tmp_path / "c.py", other) is True
    assert _run_as_main(tmp_path / "d.py", top, __spec__=object()) is False
    path = tmp_path / "e.py"
    path.write_text(top)
    g = {"__name__": "__main__", "__file__": str(tmp_path / "gone.py")}
    exec(compile(top, str(path), "exec"), g)
    assert g["RESULT"] is False
    g = {"__name__": "__main__", "__file__": ""}
    exec(compile(top, str(path), "exec"), g)
    assert g["RESULT"] is False
    bad = tmp_path / "f.py"
    bad.write_text("def (:\n")
    g = {"__name__": "__main__", "__file__": str(bad)}
    exec(compile(top, str(path), "exec"), g)
    assert g["RESULT"] is False
    g = {"__name__": "not_main", "__file__": str(path)}
    exec(compile(top, str(path), "exec"), g)
    assert g["RESULT"] is False
    assert ex.unguarded_script() is False          # from a test: no script at all


def test_dask_client_errors_and_the_local_cluster(monkeypatch):
    import builtins

    distributed = pytest.importorskip("distributed")
    real = builtins.__import__

    def no_dask(name, *a, **k):
        if name == "distributed":
            raise ImportError(name)
        return real(name, *a, **k)

    monkeypatch.setattr(builtins, "__import__", no_dask)
    with pytest.raises(SolverError, match=r"^--dask local: dask.distributed is not installed "
                                          r"\(pip install regioncount\[dask\]\)$"):
        ex.dask_client("local", 2)
    monkeypatch.setattr(builtins, "__import__", real)
    made = []

    class Cluster:
        def __init__(self, **kw):
            made.append(kw)
            self.closed = False

        def close(self):
            self.closed = True

    def client(target, timeout=None):
        if target == "tcp://nowhere:1":
            raise OSError("no route")
        if isinstance(target, Cluster) and made[-1]["n_workers"] == 9:
            raise RuntimeError("failed to start")
        return ("client", target, timeout)

    monkeypatch.setattr(distributed, "LocalCluster", Cluster)
    monkeypatch.setattr(distributed, "Client", client)
    c, cl = ex.dask_client("local", 3)
    assert c == ("client", cl, None) and made[-1] == dict(
        n_workers=3, threads_per_worker=1, processes=True, host="127.0.0.1",
        dashboard_address="127.0.0.1:0")
    assert ex.dask_client("tcp://a:1", 3) == (("client", "tcp://a:1",
                                              ex.DASK_CONNECT_TIMEOUT), None)
    with pytest.raises(SolverError, match=r"^--dask tcp://nowhere:1: cannot reach the dask "
                                          r"scheduler \(OSError: no route\)$"):
        ex.dask_client("tcp://nowhere:1", 2)
    with pytest.raises(SolverError, match=r"\(RuntimeError: failed to start\)$"):
        ex.dask_client("local", 9)
    assert made[-1]["n_workers"] == 9


def test_a_dask_executor_owns_the_cluster_it_starts(monkeypatch):
    closed = []

    class Thing:
        def __init__(self, name):
            self.name = name

        def close(self):
            closed.append(self.name)

    monkeypatch.setattr(ex, "dask_client", lambda s, w: (Thing("client"), Thing("cluster")))
    with ex.DaskExecutor("local", 2) as e:
        assert e.workers == 2 and e.client.name == "client"
    assert closed == ["client", "cluster"]
    closed.clear()
    monkeypatch.setattr(ex, "dask_client", lambda s, w: (Thing("client"), None))
    ex.DaskExecutor("tcp://a:1", 2).close()
    assert closed == ["client"]


def test_shutdown_kills_a_worker_that_does_not_end(monkeypatch):
    class Proc:
        def __init__(self, code):
            self.exitcode, self.killed = code, False

        def kill(self):
            self.killed = True

    class Pool:
        def __init__(self, wait):
            self._pool, self.wait, self.done = [Proc(None), Proc(0)], wait, []

        def terminate(self):
            time.sleep(self.wait)
            self.done.append("terminate")

        def join(self):
            self.done.append("join")

    monkeypatch.setattr(ex, "KILL_AFTER", 0.01)
    p = Pool(0.3)
    ex._shutdown(p)
    assert p.done == ["terminate", "join"] and p._pool[0].killed and not p._pool[1].killed
    monkeypatch.setattr(ex, "KILL_AFTER", 0.2)
    p = Pool(0.0)
    ex._shutdown(p)
    time.sleep(0.3)
    assert not p._pool[0].killed                  # ended in time: the timer was cancelled


def test_a_worker_exits_when_its_parent_is_gone(monkeypatch):
    joined, exits = [], []

    class Parent:
        def join(self):
            joined.append(1)

    monkeypatch.setattr(ex.mp, "parent_process", lambda: Parent())
    monkeypatch.setattr(ex.os, "_exit", exits.append)
    ex._exit_with_parent()
    assert joined == [1] and exits == [0]


def test_a_worker_without_its_parent_process_polls_for_it(monkeypatch):
    """Where the parent process is not known, a worker polls its parent's pid and exits when
    it changes."""
    pids, naps, exits = [7, 7, 7, 1], [], []
    monkeypatch.setattr(ex.mp, "parent_process", lambda: None)
    monkeypatch.setattr(ex.os, "getppid", lambda: pids.pop(0))
    monkeypatch.setattr(ex.time, "sleep", naps.append)
    monkeypatch.setattr(ex.os, "_exit", exits.append)
    ex._exit_with_parent()
    assert naps == [ex.PARENT_POLL] * 2 and exits == [0] and pids == []


# -- the cluster's master loop, piece by piece ----------------------------------------------------

class _Rec:
    """A Reporter that records what the master loop reports."""

    every = 0.0

    def __init__(self):
        self.progressed, self.pendings = [], []

    def progress(self, *a):
        self.progressed.append(a)

    def checkpoint(self, pending):
        self.pendings.append(pending())


def _farm(limits, client=None, report=None, regions=0):
    from regioncount.enumeration.search import Searcher

    s = Searcher(_net(), DOM)
    s.counters.regions = regions
    farm = ex._DaskFarm(client or fp.Client(), 2, s, limits, report or _Rec())
    return farm, s


def test_farm_limits(cluster):
    now = time.monotonic()
    farm, _ = _farm(Limits(now - 1.0, None, None))
    farm._check_limits()
    assert farm.reasons == {"time limit"} and farm.stopping is True
    assert fp.Event.flags[farm.event.name] is True
    farm.reasons.clear()
    farm.limits = Limits(math.inf, None, lambda: True)
    farm._check_limits()                          # already stopping: nothing more
    assert farm.reasons == set()
    farm, _ = _farm(Limits(math.inf, None, lambda: True))
    farm._check_limits()
    assert farm.reasons == {"interrupted"}
    farm, s = _farm(Limits(math.inf, 30, None), regions=20)
    assert farm.budget == 10 and farm.base_r == 20
    s.counters.regions = 29
    farm._check_limits()
    assert not farm.stopping and farm.reasons == set()
    s.counters.regions = 30
    farm._check_limits()
    assert farm.stopping is True and farm.reasons == {"region limit"}
    farm, _ = _farm(Limits(math.inf, None, None))
    farm._check_limits()
    assert farm.stopping is False and farm.reasons == set() and farm.budget is None


def test_farm_submits_up_to_its_tasks_in_flight_each_with_its_share(cluster):
    from regioncount.enumeration.search import Searcher

    client = fp.Client(hold=set(range(100)))
    farm, s = _farm(Limits(math.inf, 30, None), client=client, regions=7)
    root = Searcher(_net(), DOM).root().freeze()
    farm.queue = [root] * 10
    farm.shared = ("net", "dom")
    s.counters.regions = 7 + 5                     # a budget of 30 - 7 = 23, 18 of it left
    farm._submit()
    assert len(farm.pending) == farm.in_flight == 4 and len(farm.queue) == 6
    shares = [a[7] for a in client.submitted]
    assert shares == [-(-(23 - 5) // 4)] * 4 == [5] * 4 and all(type(x) is int for x in shares)
    farm.pending.clear()
    s.counters.regions = 7 + 22                    # one region of the budget left
    farm._submit()
    assert [a[7] for a in client.submitted[4:]] == [1] * 4
    farm.pending.clear()
    farm.stopping = True
    farm._submit()
    assert len(client.submitted) == 8


def test_farm_run_reports_and_ends_with_what_is_left(cluster):
    rep = _Rec()
    farm, s = _farm(Limits(math.inf, None, None), report=rep)
    roots = [s.root().freeze()] * 6                 # four in flight, then two
    reason, left = farm.run(roots)
    assert reason == "" and left == [] and rep.progressed
    assert rep.progressed[-1] == (s.counters.regions, s.counters.lps, 0)
    assert s.counters.regions == 6 * count_tree(_net(), DOM).regions
    assert [len(p) for p in rep.pendings] == [2, 0]
    for limit, want in ((5, "region limit"), (None, "time limit")):
        farm, s = _farm(Limits(math.inf, limit, None))
        farm.stopping = True
        farm.leftovers = ["done before"]
        reason, left = farm.run(["a", "b"])
        assert reason == want and left == ["done before", "b", "a"]



# -- the pool's tasks and master loop, piece by piece ------------------------------------------------

def test_a_pool_task_reports_as_it_goes(pool, serial, monkeypatch):
    """A task adds its regions and LPs to the shared counters between nodes (here at every
    node), each once, on top of what is there."""
    from regioncount.enumeration.search import Searcher

    real = Searcher.run
    monkeypatch.setattr(Searcher, "run", lambda self, stack, limits, tick=None, every=0.0:
                        real(self, stack, limits, tick, 0.0))
    shared_r, shared_l, flag = fp.Counted(100), fp.Counted(50), pool.Value("b", 0)
    ex._init(_net(), DOM, False, True, shared_r, shared_l, flag)
    frozen = Searcher(_net(), DOM).root().freeze()
    counters, rest, why = ex._task(frozen, math.inf, None)
    assert why == "" and counters.regions == serial.regions
    assert shared_r.value == 100 + serial.regions and shared_l.value == 50 + counters.lps
    assert len(shared_r.seen) > 3 and shared_r.seen == sorted(shared_r.seen)
    assert len(counters.points) == serial.regions             # keep_points reached the task


def test_the_pool_farm_reports_and_answers(pool, serial, monkeypatch):
    from regioncount.enumeration.search import Searcher

    pool.kinds = []
    monkeypatch.setattr(ex.mp, "get_context", lambda kind: (pool.kinds.append(kind), pool)[1])
    s = Searcher(_net(), DOM)
    roots = [s.root().freeze()] * 3
    rep = _Rec()
    reason, left = ex.PoolExecutor(2)._farm(s, roots, Limits(math.inf, None, None), rep)
    assert reason == "" and left == [] and pool.kinds == ["spawn"]
    assert s.counters.regions == 3 * serial.regions
    assert rep.progressed[-1] == (3 * serial.regions, s.counters.lps, 0)
    assert rep.pendings[-1] == []
    s2 = Searcher(_net(), DOM)
    reason, left = ex.PoolExecutor(2)._farm(s2, roots, Limits(math.inf, None, lambda: True),
                                            _Rec())
    assert reason == "interrupted"


def test_a_worker_starts_its_parent_watch(monkeypatch):
    made = []

    class Thread:
        def __init__(self, target=None, name=None, daemon=None):
            made.append((target, name, daemon))

        def start(self):
            made.append("started")

    monkeypatch.setattr(ex, "signal", fp.Signals())
    monkeypatch.setattr(ex.threading, "Thread", Thread)
    monkeypatch.setattr(ex, "_W", {})
    ex._init("net", "dom", True, False, "r", "l", "flag")
    assert made == [(ex._exit_with_parent, "exit-with-parent", True), "started"]
    assert ex._W == {"searcher_args": ("net", "dom", True, False), "regions": "r",
                     "lps": "l", "stop": "flag"}


def test_shutdown_timer_is_a_daemon_and_any_pool_will_do(monkeypatch):
    timers = []

    class Timer:
        def __init__(self, after, fn):
            self.after, self.fn, self.daemon = after, fn, None
            timers.append(self)

        def start(self):
            pass

        def cancel(self):
            self.cancelled = True

    class Bare:
        def terminate(self):
            pass

        def join(self):
            pass

    monkeypatch.setattr(ex.threading, "Timer", Timer)
    ex._shutdown(Bare())
    (t,) = timers
    assert t.daemon is True and t.after == ex.KILL_AFTER and t.cancelled
    t.fn()                                       # no processes to kill


def test_a_cluster_task_stopped_by_the_event_while_it_runs(cluster, serial):
    """The event set while a task runs: it stops at its next look (every DASK_STOP_POLL) and
    hands back its pending nodes with no reason of its own (the master knows why)."""
    from regioncount.enumeration.search import Searcher

    looks = []

    class Late(fp.Event):
        def is_set(self):
            looks.append(1)
            return len(looks) > 60

    import distributed
    distributed.Event = Late
    try:
        frozen = Searcher(_net(), DOM).root().freeze()
        counters, rest, why = ex._dask_task(_net(), DOM, False, True, "late", frozen,
                                            math.inf, None, "ev-late")
    finally:
        distributed.Event = fp.Event
    assert why == "" and rest and 0 < counters.regions < serial.regions
    assert len(looks) == 61 and len(counters.points) == counters.regions


def test_cluster_threads_of_a_scheduler_with_no_workers():
    class Empty(fp.Client):
        def scheduler_info(self):
            return {}

    assert ex.cluster_threads(Empty()) == 1


def test_a_guard_on_the_same_line(tmp_path):
    one = ("import regioncount.enumeration.executors as ex\nRESULT = None\n"
           "if __name__ == '__main__': RESULT = ex.unguarded_script()\n")
    assert _run_as_main(tmp_path / "g.py", one) is False


def test_a_dask_executor_starts_its_client_with_the_scheduler_and_workers(monkeypatch):
    got = []
    monkeypatch.setattr(ex, "dask_client", lambda s, w: (got.append((s, w)), (fp.Client(),
                                                                             None))[1])
    ex.DaskExecutor("tcp://h:1", 3).close()
    assert got == [("tcp://h:1", 3)]


# -- the search in this process and the warm-up ------------------------------------------------------

def _ticks_agree(rep):
    """Every progress report pairs with the checkpoint of the same tick: its depth is the
    unit of the node on top of the pending stack (0 with none)."""
    assert len(rep.progressed) == len(rep.pendings) > 10
    regions = [p[0] for p in rep.progressed]
    assert regions == sorted(regions)
    for (r, lps, depth), pend in zip(rep.progressed, rep.pendings):
        assert isinstance(lps, int) and depth == (pend[-1][0] if pend else 0)
    assert any(p[2] > 0 for p in rep.progressed)


def test_serial_executor_reports_every_tick(serial):
    from regioncount.enumeration.search import Searcher

    s = Searcher(_net(), DOM)
    rep = _Rec()
    reason, left = ex.SerialExecutor().run(s, [s.root()], Limits(math.inf, None, None), rep)
    assert reason == "" and left == [] and s.counters.regions == serial.regions
    _ticks_agree(rep)


def test_warm_up_and_split(monkeypatch, serial):
    from regioncount.enumeration.search import Searcher

    monkeypatch.setattr(ex, "SUBTREES_PER_WORKER", 4)
    monkeypatch.setattr(ex, "SERIAL_WARMUP", 30.0)         # long enough to end the search
    s = Searcher(_net(), DOM)
    rep = _Rec()
    reason, frozen, roots = ex._warm_and_split(s, [s.root()], 2,
                                              Limits(math.inf, None, None), rep)
    assert (reason, frozen, roots) == ("", [], None) and s.counters.regions == serial.regions
    assert len(rep.progressed) > 10 and rep.pendings == []
    assert all(p[2] >= 0 for p in rep.progressed) and any(p[2] > 0 for p in rep.progressed)
    monkeypatch.setattr(ex, "SERIAL_WARMUP", 0.0)          # split at once
    s = Searcher(_net(), DOM)
    reason, frozen, roots = ex._warm_and_split(s, [s.root()], 2,
                                              Limits(math.inf, None, None), _Rec())
    assert reason == "" and frozen == [] and len(roots) >= 8
    monkeypatch.setattr(ex, "SERIAL_WARMUP", 30.0)
    s = Searcher(_net(), DOM)
    reason, frozen, roots = ex._warm_and_split(s, [s.root()], 2,
                                              Limits(math.inf, 3, None), _Rec())
    assert reason == "region limit" and roots is None and frozen and s.counters.regions == 3
    s = Searcher(_net(), DOM)
    reason, frozen, roots = ex._warm_and_split(s, [s.root()], 2,
                                              Limits(time.monotonic() - 1, None, None), _Rec())
    assert reason == "time limit" and roots is None and len(frozen) == 1


def test_make_executor_warns_only_with_several_workers(monkeypatch, recwarn):
    monkeypatch.setattr(ex, "unguarded_script", lambda: True)
    assert type(ex.make_executor(1)) is ex.SerialExecutor and len(recwarn) == 0
    with pytest.warns(RuntimeWarning) as rec:
        assert type(ex.make_executor(2)) is ex.SerialExecutor
    assert str(rec[0].message) == (
        "regioncount: counting in one process, not 2: the count was started from the top "
        "level of a script without `if __name__ == \"__main__\":`, which every worker process "
        "would run again")
    got = []
    monkeypatch.setattr(ex, "dask_client", lambda s, w: (got.append((s, w)), (fp.Client(),
                                                                             None))[1])
    ex.make_executor(3, "local").close()
    assert got == [("local", 3)]


def test_resolve_workers_on_two_cores(monkeypatch, caplog):
    monkeypatch.setattr(ex, "available_cores", lambda: 2)
    with caplog.at_level(logging.WARNING, logger=ex.log.name):
        assert ex.resolve_workers(5) == 4
    assert caplog.messages == ["--workers 5 is more than 2 per core on 2 cores: using 4 worker "
                               "processes"]


def test_unguarded_script_from_a_thread():
    import threading

    out = []
    t = threading.Thread(target=lambda: out.append(ex.unguarded_script()))
    t.start()
    t.join()
    assert out == [False]


def test_farm_collect_keeps_every_task_left_and_its_reason(cluster):
    from regioncount.enumeration.search import Counters

    farm, s = _farm(Limits(math.inf, 50, None))
    farm.stopping = True
    done = {f"k{i}": (f"root{i}", fp.Ready((Counters(regions=i), [f"left{i}"], why)))
            for i, why in enumerate(["time limit", "", "region limit"])}
    farm.pending = dict(done)
    assert sorted(farm._collect()) == ["k0", "k1", "k2"] and farm.pending == {}
    assert farm.leftovers == ["left0", "left1", "left2"]
    assert farm.reasons == {"time limit", "region limit"} and s.counters.regions == 3
    farm.stopping = False                          # a task's own share ran out: queued again
    farm.pending = {"k3": ("root3", fp.Ready((Counters(regions=1), ["left3"], "region limit")))}
    farm._collect()
    assert farm.queue == ["left3"] and farm.leftovers == ["left0", "left1", "left2"]


def test_pool_tasks_get_the_region_budget_left_after_the_warm_up(pool):
    from regioncount.enumeration.search import Searcher

    s = Searcher(_net(), DOM)
    s.counters.regions = 20
    roots = [s.root().freeze()] * 3
    ex.PoolExecutor(2)._farm(s, roots, Limits(math.inf, 30, None), _Rec())
    (p,) = pool.pools
    assert [a[2] for a in p.args] == [10, 10, 10] and all(a[1] == math.inf for a in p.args)


def test_pool_workers_own_time_limit_with_a_region_limit(pool):
    res = count_tree(_net(), DOM, workers=2, time_limit=0.0, max_regions=10 ** 6)
    assert not res.complete and res.stop_reason == "time limit"


def test_cluster_tasks_are_not_pure(cluster):
    client = fp.Client()
    count_tree(_net(), DOM, scheduler=client)
    assert client.pure and set(client.pure) == {False}


@pytest.mark.parametrize("front", ["count_tree", "count"])
def test_the_warning_names_the_callers_line(front, monkeypatch):
    """The warning of an unguarded script names the user's line, through either front door
    (regioncount.app.count or count_tree; it named a line of pytest or of regioncount
    before)."""
    from regioncount import app

    monkeypatch.setattr(ex, "unguarded_script", lambda: True)

    call = count_tree if front == "count_tree" else app.count
    with pytest.warns(RuntimeWarning) as rec:
        call(_net(), DOM, workers=2, max_regions=1)
    assert rec[0].filename == __file__
