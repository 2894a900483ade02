"""Tests written against the mutants of regioncount/enumeration/vertex_dask.py
(benchmarks/mutation.py, docs/benchmarks.md "Mutation score"): the vertex method's sub-boxes on
a dask client that runs its tasks in this process (tests/fake_parallel.py), against the
one-process count; the task's stops, the stop flag and the futures."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest

import fake_parallel as fp
from regioncount.enumeration import vertex as vx
from regioncount.enumeration import vertex_dask as vd
from regioncount.enumeration.unitbox import unit_box

from test_mutants_vertex_pool import DOM, KERNEL, _net  # the same network


@pytest.fixture(autouse=True)
def events(monkeypatch):
    fp.install_events(monkeypatch)
    monkeypatch.setattr(vd, "DASK_STOP_POLL", 0.0)


@pytest.fixture(scope="module")
def serial():
    return vx.count_vertex(_net(), DOM, keep_patterns=True)


def test_sub_boxes_on_a_cluster_equal_one_process(serial):
    client = fp.Client(threads=3)
    res = vx.count_vertex(_net(), DOM, scheduler=client, keep_patterns=True,
                          memory_budget=1 << 26)
    assert res.complete and res.regions == serial.regions and res.workers == 3
    assert res.pattern_set() == serial.pattern_set() and res.per_layer == serial.per_layer
    assert len(client.submitted) == 12 and not client.closed
    share = client.submitted[0][3]
    assert share == 1 << 26                       # a remote cluster: the whole budget a task
    assert res.extra["subboxes"] == 12


def test_a_region_limit_on_a_cluster(serial):
    res = vx.count_vertex(_net(), DOM, scheduler=fp.Client(threads=2), max_regions=100,
                          keep_patterns=True)
    assert not res.complete and res.stop_reason == "region limit" and res.regions == 100
    assert res.pattern_set() < serial.pattern_set()


def test_a_task_that_does_not_answer_stays_pending(monkeypatch, serial, tmp_path):
    import regioncount.enumeration.vertex_pool as vp

    monkeypatch.setattr(vp, "STOP_GRACE", 0.0)
    ck = tmp_path / "v.ck"
    res = vx.count_vertex(_net(), DOM, scheduler=fp.Client(hold={3}), time_limit=0.3,
                          checkpoint=ck)
    assert not res.complete and res.stop_reason == "time limit"
    assert res.regions < serial.regions
    rest = vx.count_vertex(_net(), DOM, scheduler=fp.Client(), checkpoint=ck, resume=True)
    assert rest.complete and rest.regions == serial.regions


def _task(box, deadline=math.inf, max_regions=None, event="ev", budget=1 << 26):
    u_net, u_dom, _ = unit_box(_net(), DOM)
    return vd._box_task(KERNEL, u_net, u_dom, budget, True, box, deadline, max_regions, event)


def test_a_box_task(serial):
    box = (np.zeros(3), np.ones(3), 0)
    (settled, rest), counters, reason, pending, files = _task(box)
    assert reason == "" and pending == [] and files is None and len(rest["B"]) == 0
    assert len(settled["B"]) == serial.regions and settled["X"].shape == (serial.regions, 3)
    assert counters[4] == 1 and counters[0] >= serial.regions
    (settled, rest), _, reason, pending, _ = _task(box, max_regions=9)
    assert reason == "region limit" and len(settled["B"]) + len(rest["B"]) == 9 and pending
    _, _, reason, pending, _ = _task(box, deadline=time.time() - 1)
    assert reason == "time limit" and pending
    fp.Event("stop-now").set()
    rec, _, reason, pending, _ = _task(box, event="stop-now")
    assert reason == "" and pending and len(rec[0]["B"]) + len(rec[1]["B"]) == 0


def test_the_stop_event_is_looked_at_every_poll(monkeypatch):
    """A task looks at the event at most every DASK_STOP_POLL seconds: set while it runs,
    the task stops at its next look."""
    looks = []

    class Slow(fp.Event):
        def is_set(self):
            looks.append(1)
            return len(looks) > 2

    import distributed
    monkeypatch.setattr(distributed, "Event", Slow)
    box = (np.zeros(3), np.ones(3), 0)
    rec, _, reason, pending, _ = _task(box)
    assert reason == "" and pending and len(looks) == 3
    looks.clear()
    monkeypatch.setattr(vd, "DASK_STOP_POLL", 1e9)
    rec, _, reason, pending, _ = _task(box)
    assert reason == "" and pending == [] and len(looks) == 1


def test_the_flag_and_the_futures():
    ev = fp.Event("f")
    flag = vd._Flag(ev)
    assert flag.value == 0
    flag.value = 0
    assert not ev.is_set()
    flag.value = 1
    assert flag.value == 1 and ev.is_set()
    t = vd._Task(fp.Ready(41))
    assert t.ready() and t.get() == 41
    assert not vd._Task(fp.Held()).ready()


def test_a_cluster_it_starts_itself(monkeypatch, serial):
    """``scheduler="local"``: the count starts its own cluster (dask_client with the scheduler
    and the workers), gives each task the budget divided by the cluster's threads, and closes
    the client and the cluster at the end; the tasks get the network and domain scattered to
    every worker, the points asked for, the region limit, the stop event and pure=False."""
    made, closed = [], []

    class Cluster:
        def close(self):
            closed.append("cluster")

    class Own(fp.Client):
        def close(self):
            closed.append("client")

    client = Own(threads=4)
    monkeypatch.setattr(vd, "dask_client", lambda s, w: (made.append((s, w)),
                                                         (client, Cluster()))[1])
    res = vx.count_vertex(_net(), DOM, scheduler="local", workers=4, keep_points=True,
                          max_regions=10 ** 6, memory_budget=4001 << 10)
    assert res.complete and res.regions == serial.regions and res.workers == 4
    assert made == [("local", 4)] and closed == ["client", "cluster"]
    args = client.submitted[0]
    assert args[3] == (4001 << 10) // 4 and type(args[3]) is int
    assert args[4] is True and args[5][2] == 4 and args[7] == 10 ** 6      # 16 sub-boxes
    assert args[8].startswith("regioncount-vertex-stop-") and fp.Event.clients[args[8]] is client
    assert set(client.pure) == {False} and client.scattered == [(True, False)] * 2
    assert len(res.points) == res.regions


def test_a_client_given_is_left_open(monkeypatch, serial):
    client = fp.Client(threads=2)
    monkeypatch.setattr(vd, "dask_client", lambda s, w: pytest.fail("no cluster to start"))
    res = vx.count_vertex(_net(), DOM, scheduler=client, memory_budget=1 << 26)
    assert res.complete and not client.closed and client.submitted[0][3] == 1 << 26


def test_the_event_is_not_looked_at_again_within_a_poll(monkeypatch):
    """A task shorter than DASK_STOP_POLL looks at the event once, when it starts."""
    looks = []

    class Counted(fp.Event):
        def is_set(self):
            looks.append(1)
            return False

    import distributed
    monkeypatch.setattr(distributed, "Event", Counted)
    monkeypatch.setattr(vd, "DASK_STOP_POLL", 5.0)
    t = time.monotonic()
    rec, _, reason, pending, _ = _task((np.zeros(3), np.ones(3), 0))
    assert time.monotonic() - t < 5.0
    assert reason == "" and pending == [] and looks == [1]


def test_progress_and_halves_on_a_cluster(monkeypatch):
    """The master reports progress while it waits (a task that never answers, a time limit),
    and a task whose share of the budget fills is cut into halves sent as new tasks."""
    import regioncount.enumeration.vertex_pool as vp

    monkeypatch.setattr(vp, "STOP_GRACE", 0.0)
    seen = []
    res = vx.count_vertex(_net(), DOM, scheduler=fp.Client(hold={3}), time_limit=0.8,
                          progress=seen.append)
    assert not res.complete and res.stop_reason == "time limit"
    assert seen and 0 < seen[0].regions and 0.5 <= seen[0].seconds < 30
    client = fp.Client(threads=2)
    vx.count_vertex(_net(), DOM, scheduler=client, memory_budget=120_000)
    depths = [a[5][2] for a in client.submitted]
    assert len(depths) > 8 and max(depths) > 3             # halves of the first eight
