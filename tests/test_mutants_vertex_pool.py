"""Tests written against the mutants of regioncount/enumeration/vertex_pool.py and heap.py
(benchmarks/mutation.py, docs/benchmarks.md "Mutation score"). The workers' tasks run in this
process (the pool's own code, its ``_task`` and ``_collect``, with finished futures in place of a
process pool), so that every merge, requeue and stop is checked against the one-process count:
the same pattern set and per-layer counts."""

from __future__ import annotations

import math
import multiprocessing as mp
import time

import numpy as np
import pytest

from regioncount import Domain
from regioncount.enumeration import heap
from regioncount.enumeration import vertex as vx
from regioncount.enumeration import vertex_pool as vp
from regioncount.enumeration.limits import Limits
from regioncount.enumeration.results import Progress
from regioncount.enumeration.unitbox import unit_box
from regioncount.enumeration.vertex_record import Spill

from conftest import relu_net

KERNEL = (vx._Count, vx._count_boxes, vx._bisect)


def _net(seed=12):
    return relu_net(seed, 3, 8, 3)


DOM = Domain.box(-1, 1, 3)


class _Done:
    """A finished task (``ready``, ``get``) of the pool's interface."""

    def __init__(self, result):
        self.result = result

    def ready(self):
        return True

    def get(self):
        return self.result


class _Later:
    """A task that finishes at the second look."""

    def __init__(self, run):
        self.run, self.looks = run, 0

    def ready(self):
        self.looks += 1
        return self.looks > 1

    def get(self):
        return self.run().get()


class _Never:
    """A task that never finishes."""

    def ready(self):
        return False


class _Pool:
    """The pool of ``count_pool`` in this process: its shared values, the workers' state
    (``_W``) and a ``submit`` that runs the task at once."""

    def __init__(self, monkeypatch, net, dom, workers=2, budget=1 << 28, max_regions=None,
                 time_limit=None, keep_points=False, spill=None, worker_share=None):
        self.net, self.dom = net, dom
        self.u_net, self.u_dom, self.to_input = unit_box(net, dom)
        self.t0 = time.monotonic()
        self.budget = budget
        limits = Limits.starting(self.t0, time_limit, max_regions)
        self.count = vx._Count(self.u_net, self.u_dom, budget, limits, None, self.t0,
                               keep_points)
        if spill is not None:
            self.count.store.disk = Spill(spill, self.count.plan.packer.nbytes)
        self.count.record_cap = vp.own_share(budget - workers * vp.worker_budget(budget,
                                                                                 workers), None)
        self.stop, self.shared, self.running = mp.Value("b", 0), mp.Value("q", 0), mp.Value("q",
                                                                                            0)
        monkeypatch.setattr(vp, "_W", dict(
            net=self.u_net, domain=self.u_dom,
            budget=worker_share or vp.worker_budget(budget, workers),
            keep_points=keep_points, stop=self.stop, regions=self.shared, kernel=KERNEL,
            spill=None if spill is None else str(self.count.store.disk.dir),
            running=self.running))
        self.boxes = vp.spread_boxes([(self.u_dom.lo.copy(), self.u_dom.hi.copy(), 0)],
                                     vp.BOXES_PER_WORKER * workers, vx._bisect)
        self.submitted = []

    def submit(self, box):
        self.submitted.append(box)
        lim = self.count.limits
        return _Done(vp._task(*box, lim.wall_deadline(), lim.max_regions))

    def run(self, tasks=None, progress=None):
        tasks = [(b, self.submit(b)) for b in self.boxes] if tasks is None else tasks
        reason, pending = vp._collect(self.count, tasks, self.stop, progress, self.t0,
                                      (self.submit, vx._bisect))
        self.pending = pending
        return reason, vx._result(self.count, self.to_input, reason, pending, self.t0,
                                  True, self.count.store.keep_points, self.budget)


@pytest.fixture(scope="module")
def serial():
    return vx.count_vertex(_net(), DOM, keep_patterns=True)


def _same(res, serial, patterns=True):
    assert res.complete and res.regions == serial.regions and res.per_layer == serial.per_layer
    assert not patterns or res.pattern_set() == serial.pattern_set()
    # (a region's class is the argmax at its certificate point, which depends on the
    # sub-box that kept it: only their total is the count)
    assert sum(res.per_class.values()) == res.regions


# -- the tasks and their merge -----------------------------------------------------------------------

def test_tasks_merged_count_each_region_once(monkeypatch, serial):
    pool = _Pool(monkeypatch, _net(), DOM)
    reason, res = pool.run()
    assert reason == "" and pool.pending == []
    _same(res, serial)
    assert len(pool.boxes) == 8 and res.extra["subboxes"] == 8
    assert res.extra["cells"] > res.regions and res.extra["splits"] > 0
    assert pool.shared.value > res.regions          # the records, repeats included
    assert pool.running.value == 0


def test_a_task_returns_its_record_and_counters(monkeypatch):
    pool = _Pool(monkeypatch, _net(), DOM, keep_points=True)
    lo, hi = np.zeros(3), np.r_[0.5, 1.0, 1.0]
    (settled, rest), counters, reason, pending, files = vp._task(lo, hi, 1, math.inf, None)
    assert reason == "" and pending == [] and files is None
    assert len(rest["B"]) == 0 and len(settled["B"]) == pool.shared.value > 10
    assert settled["X"].shape == (len(settled["B"]), 3)
    assert np.all(settled["X"] >= lo) and np.all(settled["X"] <= hi)
    cells, splits, lps, slivers, subboxes = counters
    assert cells >= len(settled["B"]) and splits > 0 and subboxes == 1
    got = np.concatenate([p.reshape(len(settled["X"]), -1)
                          for p in pool.u_net.region_pattern(settled["X"])], axis=1)
    assert np.array_equal(got, pool.count.plan.packer.unpack(settled["B"]))
    assert pool.running.value == 0


def test_a_task_stops_on_the_flag_the_region_limit_and_the_time(monkeypatch):
    pool = _Pool(monkeypatch, _net(), DOM)
    box = (np.zeros(3), np.ones(3), 0)
    pool.stop.value = 1
    rec, _, reason, pending, _ = vp._task(*box, math.inf, None)
    assert reason == "interrupted" and len(pending) == 1
    pool.stop.value = 0
    pool.shared.value = 5
    rec, _, reason, pending, _ = vp._task(*box, math.inf, 5)
    assert reason == "region limit" and len(pending) == 1       # the others' regions count
    assert len(rec[0]["B"]) + len(rec[1]["B"]) == 0
    pool.shared.value = 0
    rec, _, reason, pending, _ = vp._task(*box, math.inf, 7)
    assert reason == "region limit" and len(pending) == 1
    assert len(rec[0]["B"]) + len(rec[1]["B"]) == 7 == pool.shared.value
    rec, _, reason, pending, _ = vp._task(*box, time.time() - 1, None)
    assert reason == "time limit" and len(pending) == 1


def test_a_task_with_a_spill_directory_sends_files(monkeypatch, tmp_path, serial):
    pool = _Pool(monkeypatch, _net(), DOM, spill=tmp_path)
    box = (np.zeros(3), np.ones(3), 0)
    rec, _, reason, _, files = vp._task(*box, math.inf, None)
    assert reason == "" and len(rec[0]["B"]) == len(rec[1]["B"]) == 0
    folder, listed = files
    assert sum(f[1] for f in listed) == serial.regions
    reason, res = pool.run()
    _same(res, serial, patterns=False)             # (patterns are not kept with a spill)
    assert res.extra["spilled"] >= serial.regions   # every record, the repeats included
    pool.count.store.disk.close()


def test_a_region_limit_across_tasks(monkeypatch, serial):
    pool = _Pool(monkeypatch, _net(), DOM, max_regions=100)
    reason, res = pool.run()
    assert reason == "region limit" and not res.complete and res.regions == 100
    assert res.pattern_set() < serial.pattern_set()
    assert pool.pending and all(len(b) == 3 for b in pool.pending)


def test_a_spilled_region_limit_leaves_the_whole_sub_box(monkeypatch, tmp_path, serial):
    pool = _Pool(monkeypatch, _net(), DOM, max_regions=100, spill=tmp_path)
    reason, res = pool.run()
    assert reason == "region limit" and not res.complete and 0 < res.regions <= 100
    assert res.pattern_set() < serial.pattern_set()
    pool.count.store.disk.close()


def test_a_worker_whose_record_fills_hands_back_halves(monkeypatch, serial):
    """A worker budget too small for a sub-box's record: the task's settled part is kept and
    the halves of what it left are counted as new tasks, one bisection deeper; the whole
    count is the one-process count."""
    pool = _Pool(monkeypatch, _net(), DOM, worker_share=30_000)
    reason, res = pool.run()
    assert reason == "" and pool.pending == []
    _same(res, serial)
    deeper = [b for b in pool.submitted if b[2] > 3]
    assert deeper and len(pool.submitted) > len(pool.boxes)


def test_halves_only_for_a_memory_stop_without_limits(monkeypatch):
    pool = _Pool(monkeypatch, _net(), DOM)
    lo, hi = np.zeros(3), np.ones(3)
    empty = pool.count.store.arrays()
    result = ((empty, empty), (1, 2, 3, 4, 5), "memory budget", [(lo, hi, 2)], None)
    halves = vp._halves(pool.count, result, (None, vx._bisect))
    assert [b[2] for b in halves] == [3, 3]
    assert halves[0][1][0] == 0.5 and halves[1][0][0] == 0.5
    c = pool.count
    assert (c.cells, c.splits, c.lps, c.slivers, c.subboxes) == (1, 2, 3, 4, 5)
    assert vp._halves(c, result, None) is None
    assert vp._halves(c, (*result[:2], "time limit", *result[3:]), (None, vx._bisect)) is None
    deep = (*result[:3], [(lo, hi, vp.MAX_REQUEUE_DEPTH)], None)
    assert vp._halves(c, deep, (None, vx._bisect)) is None
    assert vp._halves(c, (*result[:3], [(lo, hi, vp.MAX_REQUEUE_DEPTH - 1)], None),
                      (None, vx._bisect)) is not None
    c.store.truncated = "region limit"
    assert vp._halves(c, result, (None, vx._bisect)) is None
    c.store.truncated = ""
    c.limits = Limits.starting(0.0, None, 10)
    assert vp._halves(c, result, (None, vx._bisect)) is None


def test_a_full_master_record_stops_the_count(monkeypatch, serial):
    """The master's record past its cap after a merge: the count stops, the tasks still
    running are left after the grace."""
    monkeypatch.setattr(vp, "STOP_GRACE", 0.0)
    pool = _Pool(monkeypatch, _net(), DOM)
    pool.count.record_cap = 2000
    tasks = [(b, pool.submit(b)) for b in pool.boxes[:2]] + [(b, _Never())
                                                            for b in pool.boxes[2:]]
    reason, res = pool.run(tasks)
    assert reason == "memory budget" and not res.complete and 0 < res.regions < serial.regions
    assert len(pool.pending) == 6 and pool.stop.value == 1
    assert vp._full(pool.count)
    pool.count.record_cap = 10 ** 9
    assert not vp._full(pool.count)


def test_unfinished_tasks_are_left_after_the_grace(monkeypatch):
    """A stop (here a time limit already past) waits STOP_GRACE seconds for the running tasks,
    then leaves their sub-boxes pending; a finished one is merged."""
    monkeypatch.setattr(vp, "STOP_GRACE", 0.05)
    pool = _Pool(monkeypatch, _net(), DOM, time_limit=0.0)
    a, b = pool.boxes[:2]
    t = time.monotonic()
    reason, res = pool.run(tasks=[(a, _Never()), (b, _Never())])
    assert reason == "time limit" and pool.stop.value == 1
    assert [x[2] for x in pool.pending] == [a[2], b[2]] and res.regions == 0
    assert time.monotonic() - t >= 0.05


def test_progress_and_checkpoints_while_merging(monkeypatch):
    class Ck:
        writes = []

        def due(self):
            return True

        def write(self, count, boxes, seconds):
            assert count is pool.count and isinstance(seconds, float) and seconds >= 0
            self.writes.append(len(boxes))

    pool = _Pool(monkeypatch, _net(), DOM)
    pool.count.checkpoint = Ck()
    pool.t0 -= 1.0                                  # a progress report is due at once
    seen = []
    tasks = [(b, pool.submit(b)) for b in pool.boxes[:3]] + [
        (b, _Later(lambda b=b: pool.submit(b))) for b in pool.boxes[3:]]
    reason, res = pool.run(tasks, progress=seen.append)
    assert reason == "" and res.complete
    assert Ck.writes == [5, 0]                      # the boxes of the running tasks, then none
    assert len(seen) == 1 and isinstance(seen[0], Progress)
    assert 0 < seen[0].regions < res.regions and seen[0].depth == 0
    assert seen[0].lps == 0 and 1.0 <= seen[0].seconds < 60.0


# -- the shares, the spread, the shown regions ---------------------------------------------------------

def test_shares_of_the_budget():
    assert vp.worker_budget(1000, 3) == 250 and vp.worker_budget(999, 1) == 499
    share = 600 << 20
    assert vp.own_share(share, 80 << 20) == share - (80 << 20) - vp.TEMPORARIES
    assert vp.own_share(share, share) == share // 2
    assert vp.own_share(share, None) == share
    odd = vp.own_share(6001, 10 ** 9)
    assert odd == 3000 and isinstance(odd, int)


def test_spread_boxes_bisects_the_largest_first():
    boxes = [(np.zeros(2), np.array([1.0, 0.5]), 3), (np.zeros(2), np.ones(2), 0)]
    out = vp.spread_boxes(boxes, 4, vx._bisect)
    assert [b[2] for b in out] == [4, 4, 1, 1]
    assert out[0][1].tolist() == [0.5, 0.5] and out[2][1].tolist() == [0.5, 1.0]
    assert len(boxes) == 2                            # the list given is not changed
    assert vp.spread_boxes(boxes, 1, vx._bisect) == boxes
    same = [(np.zeros(1), np.ones(1), 0), (np.ones(1), np.full(1, 2.0), 5)]
    out = vp.spread_boxes(same, 3, vx._bisect)        # equal volumes: the first is cut
    assert [b[2] for b in out] == [1, 1, 5]


def test_shown_regions_of_a_running_task():
    running = mp.Value("q", 10)
    s = vp._Shown(running)
    s(Progress(4, 0, 0, 0.0))
    s(Progress(6, 0, 0, 0.0))
    assert running.value == 16 and s.sent == 6
    s(Progress(6, 0, 0, 0.0))
    assert running.value == 16
    s.done()
    assert running.value == 10 and s.sent == 0
    quiet = vp._Shown(None)
    quiet(Progress(3, 0, 0, 0.0))
    quiet.done()
    assert quiet.sent == 0


def test_a_worker_starts_with_its_own_share(monkeypatch):
    calls = []
    monkeypatch.setattr(vp.signal, "signal", lambda *a: calls.append(a))

    class Thread:
        def __init__(self, target, name, daemon):
            calls.append((target, name, daemon))

        def start(self):
            calls.append("started")

    monkeypatch.setattr(vp.threading, "Thread", Thread)
    monkeypatch.setattr(vp, "resident_bytes", lambda: 80 << 20)
    monkeypatch.setattr(vp, "_W", {})
    vp._init("net", "dom", 600 << 20, True, "stop", "shared", "kernel", "dir", "running")
    assert calls == [(vp.signal.SIGINT, vp.signal.SIG_IGN),
                     (vp._exit_with_parent, "exit-with-parent", True), "started"]
    assert vp._W == dict(net="net", domain="dom", budget=vp.own_share(600 << 20, 80 << 20),
                         keep_points=True, stop="stop", regions="shared", kernel="kernel",
                         spill="dir", running="running")


# -- the heap --------------------------------------------------------------------------------------

def test_resident_bytes_of_this_process_and_of_none(tmp_path):
    import os
    import sys

    if sys.platform.startswith("linux"):
        rss = heap.resident_bytes()
        with open("/proc/self/statm") as f:
            pages = int(f.read().split()[1])
        assert abs(rss - pages * os.sysconf("SC_PAGE_SIZE")) < 64 << 20
        assert heap.resident_bytes(os.getpid()) > 1 << 20
    assert heap.resident_bytes(2 ** 31 - 1) is None                 # no such process
    assert heap.resident_bytes("no/such") is None


def test_trim_heap_without_glibc(monkeypatch):
    import ctypes
    import sys

    linux = sys.platform.startswith("linux")
    monkeypatch.setattr(heap, "_LIBC", None)
    assert heap.trim_heap() is False
    monkeypatch.setattr(sys, "platform", "darwin")
    assert heap._glibc() is None
    if linux:
        monkeypatch.setattr(sys, "platform", "linux")
        lib = heap._glibc()
        assert lib is not None and lib.malloc_trim.argtypes == [ctypes.c_size_t]


# -- count_pool itself, its pool in this process ------------------------------------------------

@pytest.fixture
def local_pool(monkeypatch):
    import fake_parallel as fp

    ctx = fp.Context()
    ctx.kinds = []
    monkeypatch.setattr(vp.mp, "get_context", lambda kind: (ctx.kinds.append(kind), ctx)[1])
    monkeypatch.setattr(vp, "signal", fp.Signals())
    monkeypatch.setattr(vp, "_exit_with_parent", lambda: None)
    monkeypatch.setattr(vp, "_W", {})
    monkeypatch.setattr(vx, "unguarded_script", lambda: False)
    return ctx


def test_count_pool_equals_one_process(local_pool, serial):
    seen = []
    res = vx.count_vertex(_net(), DOM, workers=2, keep_patterns=True, keep_points=True,
                          progress=seen.append, memory_budget=300 << 20)
    _same(res, serial)
    assert res.workers == 2 and res.extra["subboxes"] == 8
    (pool,) = local_pool.pools
    assert pool.n == 2 and pool.calls == 8 and pool.terminated and local_pool.kinds == ["spawn"]
    assert vp._W["budget"] == vp.own_share(100 << 20, vp.resident_bytes())
    assert vp._W["keep_points"] is True and vp._W["spill"] is None
    assert vp._W["kernel"] == KERNEL and vp._W["running"].value == 0
    got = np.concatenate([p.reshape(res.regions, -1) for p in _net().region_pattern(res.points)],
                         axis=1)
    assert np.array_equal(got, res.patterns)
    assert np.all(res.points >= DOM.lo) and np.all(res.points <= DOM.hi)


def test_count_pool_with_limits_and_a_spill(local_pool, serial, tmp_path):
    res = vx.count_vertex(_net(), DOM, workers=2, max_regions=150, keep_patterns=True)
    assert not res.complete and res.stop_reason == "region limit" and res.regions == 150
    assert res.pattern_set() < serial.pattern_set()
    res = vx.count_vertex(_net(), DOM, workers=2, spill_dir=tmp_path)
    assert res.complete and res.regions == serial.regions and res.per_layer == serial.per_layer
    assert vp._W["spill"].startswith(str(tmp_path)) and list(tmp_path.iterdir()) == []


def test_count_pool_shows_the_running_regions(local_pool, monkeypatch):
    """Progress reports add the regions of the tasks still running (the shared count)."""
    local_pool.hold = {7}                     # one task never ends: the time limit stops it
    monkeypatch.setattr(vp, "STOP_GRACE", 0.0)
    running = []
    real = vp._collect

    def collect(count, tasks, stop, progress, t0, requeue=None):
        for shown in (0, -5, 1000):            # as if the tasks had shown so many regions
            vp._W["running"].value = shown
            progress(Progress(3, 0, 0, 0.0))
        running.append(True)
        return real(count, tasks, stop, None, t0, requeue)

    monkeypatch.setattr(vp, "_collect", collect)
    seen = []
    res = vx.count_vertex(_net(), DOM, workers=2, time_limit=0.5, progress=seen.append)
    assert running and [p.regions for p in seen[:3]] == [3, 3, 1003]
    assert not res.complete and res.stop_reason == "time limit"


def test_a_task_shows_its_regions_while_it_runs(monkeypatch):
    """With a progress report at every pass, a task adds its regions so far to the shared
    count of the running tasks, and takes them back when it returns its record."""
    import fake_parallel as fp

    _Pool(monkeypatch, _net(), DOM)
    vp._W["running"] = running = fp.Counted()
    seen = running.seen
    monkeypatch.setattr(vx, "PROGRESS_EVERY", 0.0)
    monkeypatch.setattr(vx, "CHUNK_CELLS", 4)           # many batches, a report between them
    rec, *_ = vp._task(np.zeros(3), np.ones(3), 0, math.inf, None)
    n = len(rec[0]["B"])
    assert max(seen) > 0 and seen[-1] == 0 and max(seen) <= n
    assert seen == sorted(seen[:-1]) + [0]                      # growing, then given back


def test_count_pool_tasks_and_the_master_share(local_pool, monkeypatch):
    """The tasks are the domain bisected three times (eight sub-boxes for two workers, depth
    3); the master keeps for its record what the workers' shares leave, less what it holds."""
    calls, caps = [], []
    real_task, real_collect = vp._task, vp._collect
    monkeypatch.setattr(vp, "_task", lambda *a: (calls.append(a), real_task(*a))[1])
    monkeypatch.setattr(vp, "_collect", lambda count, *a: (caps.append(count.record_cap),
                                                           real_collect(count, *a))[1])
    monkeypatch.setattr(vp, "resident_bytes", lambda: 10 << 20)
    vx.count_vertex(_net(), DOM, workers=2, memory_budget=3000 << 20)
    assert [c[2] for c in calls] == [3] * 8
    assert caps == [(1000 << 20) - (10 << 20) - vp.TEMPORARIES]


def test_count_pool_resumes_the_sub_boxes_left(local_pool, serial, tmp_path):
    """Stopped by a region limit and resumed from its checkpoint, a count with workers counts
    the sub-boxes left, not the domain again: the one-process count."""
    ck = tmp_path / "v.ck"
    part = vx.count_vertex(_net(), DOM, workers=2, max_regions=300, checkpoint=ck)
    assert not part.complete
    res = vx.count_vertex(_net(), DOM, workers=2, checkpoint=ck, resume=True)
    assert res.complete and res.regions == serial.regions and res.per_layer == serial.per_layer


def test_count_pool_region_limit_at_a_task_boundary(local_pool, serial):
    """A limit one past the regions of the first task: the second task runs (the shared count
    starts at 0) and the count stops at the limit exactly."""
    (settled, rest), *_ = _first_task()
    first = len(settled["B"]) + len(rest["B"])
    res = vx.count_vertex(_net(), DOM, workers=2, max_regions=first + 1, keep_patterns=True)
    assert not res.complete and res.regions == first + 1


def _first_task():
    import multiprocessing as mp

    u_net, u_dom, _ = unit_box(_net(), DOM)
    box = vp.spread_boxes([(u_dom.lo.copy(), u_dom.hi.copy(), 0)], 8, vx._bisect)[0]
    vp._W.update(net=u_net, domain=u_dom, budget=1 << 28, keep_points=False,
                 stop=mp.Value("b", 0), regions=mp.Value("q", 0), kernel=KERNEL, spill=None,
                 running=None)
    return vp._task(*box, math.inf, None)


def test_a_full_master_record_is_past_its_cap_not_at_it(monkeypatch):
    pool = _Pool(monkeypatch, _net(), DOM)
    st = pool.count.store
    st.add({"B": np.zeros((3, pool.count.plan.packer.nbytes), np.uint8),
            "F": np.zeros(3, bool), "C": np.zeros(3, np.int32), "U": np.zeros(3, bool)})
    pool.count.record_cap = st.nbytes()
    assert not vp._full(pool.count)
    pool.count.record_cap = st.nbytes() - 1
    assert vp._full(pool.count)


def test_spilling_workers_stop_at_the_region_limit(monkeypatch, tmp_path, serial):
    """Workers whose record goes to disk while they count: a task whose files would take the
    count past its region limit is dropped whole (its sub-box left), so the count never holds
    more records than the limit."""
    pool = _Pool(monkeypatch, _net(), DOM, max_regions=400, spill=tmp_path, worker_share=3000)
    merged, real = [], vp._merge
    monkeypatch.setattr(vp, "_merge", lambda count, result, *a: (
        merged.append(sum(f[1] for f in result[4][1]) if result[4] else 0),
        real(count, result, *a))[1])
    reason, res = pool.run()
    assert reason == "region limit" and not res.complete and max(merged) > 100
    assert pool.count.store.n <= 400 and 0 < res.regions <= 400
    assert pool.pending and all(len(b) == 3 for b in pool.pending)
    assert res.stop_reason == "region limit" and list(tmp_path.iterdir())
    pool.count.store.disk.close()


# -- the merge of one task, piece by piece ------------------------------------------------------------

def _part(pool, codes):
    w = pool.count.plan.packer.nbytes
    n = len(codes)
    return {"B": np.array([[c] * w for c in codes], np.uint8).reshape(n, w),
            "F": np.zeros(n, bool), "C": np.zeros(n, np.int32), "U": np.zeros(n, bool)}


def test_merge_keeps_the_parts_apart_and_passes_the_reason(monkeypatch):
    pool = _Pool(monkeypatch, _net(), DOM)
    box = (np.zeros(3), np.ones(3), 0)
    left = [(np.zeros(3), np.full(3, 0.5), 1)]
    pending = [("earlier",)]
    got = vp._merge(pool.count, ((_part(pool, [1, 2]), _part(pool, [3])), (1, 2, 3, 4, 5),
                                 "time limit", left, None), pending, box)
    assert got == "time limit" and pending == [("earlier",)] + left
    assert pool.count.store.settled == [True, False] and pool.count.store.n == 3
    c = pool.count
    assert (c.cells, c.splits, c.lps, c.slivers, c.subboxes) == (1, 2, 3, 4, 5)
    vp._add_counters(c, (1, 2, 3, 4, 5))
    assert (c.cells, c.splits, c.lps, c.slivers, c.subboxes) == (2, 4, 6, 8, 10)


def test_merge_cut_by_the_region_limit_leaves_the_whole_sub_box(monkeypatch):
    pool = _Pool(monkeypatch, _net(), DOM, max_regions=4)
    box = (np.zeros(3), np.ones(3), 0)
    pending = []
    assert vp._merge(pool.count, ((_part(pool, [1, 2]), _part(pool, [3])), (0,) * 5, "",
                                  [], None), pending, box) == ""
    assert pool.count.store.n == 3 and pending == []
    got = vp._merge(pool.count, ((_part(pool, [4, 5]), _part(pool, [6])), (0,) * 5, "",
                                 [("left",)], None), pending, box)
    assert got == "region limit" and pool.count.store.n == 4 and pending == [box]
    assert pool.count.store.settled == [True, False, False]    # the cut task's chunk unsettled
    pending.clear()
    got = vp._merge(pool.count, ((_part(pool, [7]), _part(pool, [])), (0,) * 5, "", [], None),
                    pending, box)
    assert pool.count.store.n == 4 and pending == [box] and got == "region limit"


def test_halves_keep_the_settled_part_and_the_settled_files(monkeypatch, tmp_path):
    """A worker whose record filled: its settled records and files are kept (settled), the
    rest is counted again in the halves."""
    from regioncount.enumeration.vertex_record import Spill

    pool = _Pool(monkeypatch, _net(), DOM, spill=tmp_path / "master")
    (tmp_path / "master").mkdir(exist_ok=True)
    w = pool.count.plan.packer.nbytes
    worker = Spill(tmp_path, w)
    settled, rest = _part(pool, [1, 2]), _part(pool, [3])
    worker.write([settled["B"]], [settled["F"]], [settled["C"]], [settled["U"]], settled=True)
    worker.write([rest["B"]], [rest["F"]], [rest["C"]], [rest["U"]], settled=False)
    files = worker.export()
    lo, hi = np.zeros(3), np.ones(3)
    result = ((_part(pool, [4]), _part(pool, [5])), (0,) * 5, "memory budget", [(lo, hi, 1)],
              files)
    halves = vp._halves(pool.count, result, (None, vx._bisect))
    assert [b[2] for b in halves] == [2, 2]
    st = pool.count.store
    assert st.settled == [True] and st.n == 1 + 2 and st.disk.n == 2
    pool.count.store.disk.close()


def test_tasks_that_answer_within_the_grace_are_merged(monkeypatch, serial):
    """After a stop the master waits STOP_GRACE seconds: tasks that answer in that time are
    merged, their sub-boxes not left pending; a worker's own stop (its time limit) leaves
    what it did not count."""
    monkeypatch.setattr(vp, "STOP_GRACE", 30.0)
    pool = _Pool(monkeypatch, _net(), DOM, time_limit=0.0)
    a, b = pool.boxes[:2]
    done_b = _Done(_own_count(pool, b))                 # counted before the stop, sent after
    late = _Later(lambda: done_b)
    reason, res = pool.run(tasks=[(a, _Done(_own_count(pool, a))), (b, late)])
    assert reason == "time limit" and pool.pending == [] and res.regions > 0
    assert late.looks >= 2


def test_boxes_left_by_merged_tasks_stay_pending_after_the_grace(monkeypatch):
    monkeypatch.setattr(vp, "STOP_GRACE", 0.0)
    pool = _Pool(monkeypatch, _net(), DOM, time_limit=0.0)
    a, b = pool.boxes[:2]
    empty = pool.count.store.arrays()
    left = (np.zeros(3), np.full(3, 0.25), 5)
    stopped = ((empty, empty), (0,) * 5, "time limit", [left], None)
    reason, _ = pool.run(tasks=[(a, _Done(stopped)), (b, _Never())])
    assert reason == "time limit" and [x[2] for x in pool.pending] == [5, b[2]]


def test_no_halves_after_a_stop(monkeypatch):
    """A task stopped by its worker's memory share after the count was told to stop is merged
    as it is (its sub-boxes left pending), not cut into new tasks."""
    monkeypatch.setattr(vp, "STOP_GRACE", 30.0)
    pool = _Pool(monkeypatch, _net(), DOM, time_limit=0.0)
    empty = pool.count.store.arrays()
    lo, hi = np.zeros(3), np.ones(3)
    full = ((empty, empty), (0,) * 5, "memory budget", [(lo, hi, 3)], None)
    reason, _ = pool.run(tasks=[(pool.boxes[0], _Later(lambda: _Done(full)))])
    assert reason == "time limit" and pool.submitted == [] and len(pool.pending) == 1


def _own_count(pool, box):
    lim = pool.count.limits
    return vp._task(*box, math.inf, lim.max_regions)


def test_adopt_takes_every_file_of_a_worker_by_default(monkeypatch, tmp_path):
    from regioncount.enumeration.vertex_record import Spill

    pool = _Pool(monkeypatch, _net(), DOM, spill=tmp_path / "master")
    w = pool.count.plan.packer.nbytes
    worker = Spill(tmp_path, w)
    settled, rest = _part(pool, [1, 2]), _part(pool, [3])
    worker.write([settled["B"]], [settled["F"]], [settled["C"]], [settled["U"]], settled=True)
    worker.write([rest["B"]], [rest["F"]], [rest["C"]], [rest["U"]], settled=False)
    pool.count.store.n = 10
    vp._adopt(pool.count, worker.export())
    assert pool.count.store.n == 13 and pool.count.store.disk.n == 3
    vp._adopt(pool.count, None)
    assert pool.count.store.n == 13
    pool.count.store.disk.close()
