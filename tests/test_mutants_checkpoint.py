"""Tests written against the mutants of regioncount/enumeration/checkpoint.py and
vertex_checkpoint.py (benchmarks/mutation.py, docs/benchmarks.md "Mutation score"): a tree
checkpoint written and read back field by field, what its fingerprint depends on, every refusal
of a damaged file with its exact message, the atomic write, stale temporary files, and the
refusals of the vertex method's checkpoints."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest
import scipy.sparse as sp

from regioncount import Domain, Network
from regioncount.enumeration import checkpoint as cpt
from regioncount.enumeration.checkpoint import (Checkpoint, fingerprint, load_arrays,
                                                read_checkpoint, read_header,
                                                remove_stale_temporaries, save_atomic,
                                                write_checkpoint)
from regioncount.enumeration.search import Counters
from regioncount.errors import RegioncountError
from regioncount.stages import Affine, Clip, HardSigmoid, Input, LeakyRelu, MaxGroups, Relu

FP = "f" * 32
#: two pending nodes of a network of 2 inputs and 3 units: (u, prefix, cuts, x, r)
NODES = [(2, np.array([1, 0]), (0, 1), np.array([0.25, -0.5]), 0.125),
         (1, np.array([1]), (), np.array([0.5, 0.5]), float("inf"))]


def _counters(patterns=()):
    return Counters(regions=7, lps=31, per_class={0: 3, -1: 4}, per_layer=[2, 5],
                    patterns=[np.array(p, np.int32) for p in patterns], seconds=1.5)


def _written(tmp_path, keep=True, nodes=NODES):
    ck = tmp_path / "c.ck"
    write_checkpoint(ck, FP, nodes, _counters([[0, 1, 1], [1, 1, 0]] if keep else ()), keep,
                     inputs=2, units=3)
    return ck


def _arrays(ck):
    with np.load(ck, allow_pickle=False) as z:
        return {k: z[k] for k in z.files}


def _save(ck, data, **header):
    h = json.loads(bytes(data["header"]).decode())
    h.update(header)
    data = dict(data, header=np.frombuffer(json.dumps(h).encode(), np.uint8))
    with open(ck, "wb") as f:
        np.savez(f, **data)


def test_the_arrays_written():
    import tempfile
    from pathlib import Path
    with tempfile.TemporaryDirectory() as d:
        a = _arrays(_written(Path(d)))
    assert json.loads(bytes(a["header"]).decode()) == {
        "format": "regioncount-checkpoint", "version": 2, "fingerprint": FP, "regions": 7,
        "lps": 31, "per_class": {"0": 3, "-1": 4}, "per_layer": [2, 5], "seconds": 1.5,
        "nodes": 2, "inputs": 2, "units": 3, "patterns": True}
    assert a["node_u"].tolist() == [2, 1] and a["node_u"].dtype == np.int64
    assert a["node_r"].tolist() == [0.125, np.inf] and a["node_r"].dtype == np.float64
    assert a["node_x"].tolist() == [[0.25, -0.5], [0.5, 0.5]]
    assert a["prefix"].tolist() == [1, 0, 1] and a["prefix"].dtype == np.int32
    assert a["cut_counts"].tolist() == [2, 0] and a["cut_counts"].dtype == np.int64
    assert a["cuts"].tolist() == [0, 1] and a["cuts"].dtype == np.int64
    assert a["patterns"].tolist() == [[0, 1, 1], [1, 1, 0]] and a["patterns"].dtype == np.int32


def test_a_checkpoint_read_back(tmp_path):
    d = read_checkpoint(_written(tmp_path), FP, 2, 3)
    assert (d["regions"], d["lps"], d["per_class"], d["per_layer"], d["seconds"]) == (
        7, 31, {0: 3, -1: 4}, [2, 5], 1.5)
    assert [p.tolist() for p in d["patterns"]] == [[0, 1, 1], [1, 1, 0]]
    assert all(p.dtype == np.int32 for p in d["patterns"])
    (u0, p0, c0, x0, r0), (u1, p1, c1, x1, r1) = d["stack"]
    assert (u0, p0.tolist(), c0, x0.tolist(), r0) == (2, [1, 0], (0, 1), [0.25, -0.5], 0.125)
    assert (u1, p1.tolist(), c1, x1.tolist(), r1) == (1, [1], (), [0.5, 0.5], np.inf)
    assert p0.dtype == np.int32 and type(u0) is int and type(r0) is float
    assert all(type(c) is int for c in c0) and x0.dtype == float
    # without patterns, and without pending nodes
    d = read_checkpoint(_written(tmp_path, keep=False, nodes=[]), FP, 2, 3)
    assert d["patterns"] is None and d["stack"] == []
    a = _arrays(tmp_path / "c.ck")
    assert "patterns" not in a and a["node_x"].shape == (0, 2)
    assert a["prefix"].dtype == np.int32 and a["cuts"].dtype == np.int64


def _stages():
    return [Input(2), Affine(3, sources=(0,), weights=(np.array([[1.0, 2.0], [0.0, 1.0],
                                                                  [3.0, -1.0]]),),
                             bias=np.array([0.0, 1.0, -1.0])),
            LeakyRelu(3, source_index=1, alpha=np.full(3, 0.1))]


def test_what_the_fingerprint_depends_on():
    box = Domain(np.zeros(2), np.ones(2))
    fp = fingerprint(Network(_stages()), box)
    assert len(fp) == 32 and int(fp, 16) >= 0
    assert fingerprint(Network(_stages()), Domain(np.zeros(2), np.ones(2))) == fp
    s = _stages()
    sparse = Affine(3, sources=(0,), weights=(sp.csr_matrix(s[1].weights[0]),), bias=s[1].bias)
    assert fingerprint(Network([s[0], sparse, s[2]]), box) == fp     # the same numbers
    changed = []
    for k, field, value in [(1, "bias", np.array([0.0, 1.0, -2.0])),
                            (1, "weights", (np.array([[1.0, 2.0], [0.0, 1.0], [3.0, 1.0]]),)),
                            (2, "alpha", np.full(3, 0.2))]:
        s = _stages()
        setattr_ = dict(s[k].__dict__, **{field: value})
        s[k] = type(s[k])(**{f: setattr_[f] for f in setattr_})
        changed.append(fingerprint(Network(s), box))
    s = _stages()
    s[2] = Relu(3, source_index=1)                                     # the kind
    changed.append(fingerprint(Network(s), box))
    for dom in (Domain(np.zeros(2), np.array([1.0, 2.0])), Domain(np.array([0.0, -1.0]), np.ones(2)),
                Domain(np.zeros(2), np.ones(2), A=[[1.0, 1.0]], b=[1.0]),
                Domain(np.zeros(2), np.ones(2), A=[[1.0, 1.0]], b=[1.5]),
                Domain(np.zeros(2), np.ones(2), A=[[1.0, 2.0]], b=[1.0])):
        changed.append(fingerprint(Network(_stages()), dom))
    assert len(set(changed)) == len(changed) and fp not in changed


@pytest.mark.parametrize("make", [
    lambda v: Clip(2, source_index=1, lo=np.array([0.0, v]), hi=np.ones(2)),
    lambda v: Clip(2, source_index=1, lo=np.zeros(2), hi=np.array([1.0, 1.0 + v])),
    lambda v: HardSigmoid(2, source_index=1, alpha=np.array([0.2, 0.2 + v]), beta=np.full(2, 0.5)),
    lambda v: HardSigmoid(2, source_index=1, alpha=np.full(2, 0.2), beta=np.array([0.5, 0.5 + v])),
    lambda v: MaxGroups(1 + int(v > 0), source_index=1, indptr=np.array([0, 1, 2][:2 + int(v > 0)]),
                        indices=np.array([0, 1])),
    lambda v: MaxGroups(1, source_index=1, indptr=np.array([0, 2]),
                        indices=np.array([0, 1]) if v == 0 else np.array([1, 0])),
])
def test_every_parameter_of_a_unit_is_in_the_fingerprint(make):
    box = Domain(np.zeros(2), np.ones(2))

    def fp(v):
        return fingerprint(Network([Input(2), Affine(2, sources=(0,), weights=(np.eye(2),),
                                                     bias=np.zeros(2)), make(v)]), box)
    assert fp(0.0) == fp(0.0) != fp(0.25)


def _refused(ck, message, inputs=2, units=3, fp=FP):
    with pytest.raises(RegioncountError) as e:
        read_checkpoint(ck, fp, inputs, units)
    assert str(e.value) == f"{ck}: {message}"


COUNTERS = "damaged checkpoint (counters do not fit the network)"


@pytest.mark.parametrize("change", [
    {"regions": -1}, {"regions": True}, {"regions": 1.0}, {"lps": -2}, {"lps": None},
    {"per_class": []}, {"per_class": {"a": 1}}, {"per_class": {"0": -1}}, {"per_class": {"0": 1.5}},
    {"per_layer": {"0": 1}}, {"per_layer": [1, -1]}, {"per_layer": [True]},
    {"seconds": -0.5}, {"seconds": "1"}, {"nodes": -1}, {"nodes": 2.0},
    {"patterns": 1}, {"inputs": 3}, {"units": 2},
])
def test_counters_that_do_not_fit_are_refused(tmp_path, change):
    ck = _written(tmp_path)
    _save(ck, _arrays(ck), **change)
    _refused(ck, COUNTERS)


def test_counters_at_their_limits_are_read(tmp_path):
    ck = _written(tmp_path)
    _save(ck, _arrays(ck), regions=0, lps=0, per_class={"-3": 0}, per_layer=[], seconds=0)
    d = read_checkpoint(ck, FP, 2, 3)
    assert (d["regions"], d["lps"], d["per_class"], d["per_layer"], d["seconds"]) == (
        0, 0, {-3: 0}, [], 0.0)
    _refused(ck, "checkpoint was written for another network or domain", fp="e" * 32)


def _damaged(what):
    return f"damaged checkpoint ({what})"


@pytest.mark.parametrize("name, value, message", [
    ("node_u", None, "no array 'node_u'"),
    ("cuts", None, "no array 'cuts'"),
    ("node_u", np.array([2.0, 1.0]), "array 'node_u' has type float64"),
    ("node_r", np.array([1, 1]), "array 'node_r' has type int64"),
    ("node_x", np.zeros((2, 2), np.int64), "array 'node_x' has type int64"),
    ("prefix", np.array([1.0, 0.0, 1.0]), "array 'prefix' has type float64"),
    ("cut_counts", np.array([True, False]), "array 'cut_counts' has type bool"),
    ("node_u", np.array([2, 1, 0]), "the pending nodes' arrays do not have one row per node"),
    ("node_r", np.array([1.0]), "the pending nodes' arrays do not have one row per node"),
    ("cut_counts", np.array([2]), "the pending nodes' arrays do not have one row per node"),
    ("node_x", np.zeros((2, 3)), "the pending nodes' arrays do not have one row per node"),
    ("node_x", np.zeros(4), "the pending nodes' arrays do not have one row per node"),
    ("node_u", np.array([-1, 4]), "pattern prefixes out of range"),
    ("node_u", np.array([4, -1]), "pattern prefixes out of range"),
    ("prefix", np.array([1, 0]), "pattern prefixes out of range"),
    ("prefix", np.array([1, -1, 0]), "a pattern entry is not a piece index"),
    ("prefix", np.array([1, 2**31, 0]), "a pattern entry is not a piece index"),
    ("cut_counts", np.array([-1, 3]), "cut units out of range"),
    ("cuts", np.array([0]), "cut units out of range"),
    ("cuts", np.array([0, -1]), "a cut unit is not among the decided units"),
    ("cuts", np.array([0, 2]), "a cut unit is not among the decided units"),
    ("node_x", np.array([[0.0, np.inf], [0.5, 0.5]]), "a pending node has no interior point"),
    ("node_x", np.array([[0.0, np.nan], [0.5, 0.5]]), "a pending node has no interior point"),
    ("node_r", np.array([np.nan, 1.0]), "a pending node has no interior point"),
    ("node_r", np.array([0.125, 0.0]), "a pending node has no interior point"),
    ("node_r", np.array([-1.0, 1.0]), "a pending node has no interior point"),
    ("patterns", None, "the patterns array does not fit the network"),
    ("patterns", np.zeros((2, 3)), "the patterns array does not fit the network"),
    ("patterns", np.zeros(6, np.int32), "the patterns array does not fit the network"),
    ("patterns", np.zeros((2, 2), np.int32), "the patterns array does not fit the network"),
])
def test_each_damaged_array_is_refused_by_name(tmp_path, name, value, message):
    ck = _written(tmp_path)
    a = _arrays(ck)
    if value is None:
        del a[name]
    else:
        a[name] = value
    _save(ck, a)
    _refused(ck, _damaged(message))


def test_unsigned_arrays_and_the_largest_piece_are_read(tmp_path):
    ck = _written(tmp_path)
    a = _arrays(ck)
    a.update(node_u=a["node_u"].astype(np.uint64), cut_counts=a["cut_counts"].astype(np.uint8),
             cuts=a["cuts"].astype(np.uint16), prefix=np.array([2**31 - 1, 0, 1], np.int64),
             patterns=a["patterns"].astype(np.uint8))
    _save(ck, a)
    d = read_checkpoint(ck, FP, 2, 3)
    assert d["stack"][0][1].tolist() == [2**31 - 1, 0] and d["stack"][1][1].tolist() == [1]
    assert d["stack"][0][2] == (0, 1)


def test_the_header_is_checked_first(tmp_path):
    ck = _written(tmp_path)
    a = _arrays(ck)
    for header, message in [
            (None, "not a regioncount checkpoint (no readable header)"),
            (np.frombuffer(b"{not json", np.uint8), "not a regioncount checkpoint (no readable "
                                                     "header)"),
            (np.frombuffer(b"\xff\xfe", np.uint8), "not a regioncount checkpoint (no readable "
                                                   "header)"),
            (np.frombuffer(b"[1, 2]", np.uint8), "not a regioncount checkpoint"),
            (np.frombuffer(b'{"format": "other"}', np.uint8), "not a regioncount checkpoint"),
            (np.frombuffer(b'{"format": "regioncount-vertex-checkpoint"}', np.uint8),
             "a checkpoint of --method vertex; resume it with that method"),
            (np.frombuffer(b'{"format": "regioncount-checkpoint", "version": 1}', np.uint8),
             "checkpoint format version 1; this regioncount reads version 2"),
            (np.frombuffer(b'{"format": "regioncount-checkpoint"}', np.uint8),
             "checkpoint format version None; this regioncount reads version 2")]:
        b = dict(a)
        if header is None:
            del b["header"]
        else:
            b["header"] = header
        with open(ck, "wb") as f:
            np.savez(f, **b)
        _refused(ck, message)
    h = read_header(ck, {"header": np.frombuffer(
        b'{"format": "regioncount-vertex-checkpoint", "version": 1}', np.uint8)},
        "regioncount-vertex-checkpoint", 1)
    assert h == {"format": "regioncount-vertex-checkpoint", "version": 1}
    with pytest.raises(RegioncountError, match=r"a checkpoint of --method tree; resume it"):
        read_header(ck, b, "regioncount-vertex-checkpoint", 1)


def test_files_that_are_no_checkpoint(tmp_path):
    cases = {tmp_path / "none.ck": "no such checkpoint file", tmp_path: "is a folder, not a "
             "checkpoint file"}
    one = tmp_path / "one.npy"
    np.save(one, np.zeros(3))
    cases[one] = "not a regioncount checkpoint (ValueError)"
    junk = tmp_path / "junk.ck"
    junk.write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    cases[junk] = "not a regioncount checkpoint (BadZipFile)"
    pick = tmp_path / "pick.ck"
    with open(pick, "wb") as f:
        np.savez(f, a=np.array([{"x": 1}], dtype=object))
    cases[pick] = "not a regioncount checkpoint (it holds pickled objects (an old or foreign file))"
    for path, message in cases.items():
        with pytest.raises(RegioncountError) as e:
            load_arrays(path)
        assert str(e.value) == f"{path}: {message}"
    assert load_arrays(_written(tmp_path))["node_u"].tolist() == [2, 1]


def test_the_atomic_write_and_its_refusal(tmp_path):
    ck = tmp_path / "a.npz"
    save_atomic(ck, {"v": np.arange(3)})
    assert load_arrays(ck)["v"].tolist() == [0, 1, 2]
    save_atomic(ck, {"w": np.ones(1)})                          # replaced whole
    assert list(load_arrays(ck)) == ["w"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.npz"]
    bad = tmp_path / "no" / "c.ck"
    with pytest.raises(RegioncountError) as e:
        save_atomic(bad, {"v": np.arange(3)})
    assert str(e.value) == f"{bad}: cannot write the checkpoint (No such file or directory)"
    with pytest.raises(RegioncountError) as e:
        cpt.check_writable(bad)
    assert str(e.value) == (f"{bad}: cannot write the checkpoint there (no such folder, or not "
                            "writable)")
    cpt.check_writable(ck)                                      # its folder exists


def _dead_pid():
    pid = 2**22 + 4321
    while cpt._alive(pid):
        pid += 1
    return pid


@pytest.fixture
def writer():
    """A live process standing for another count's writer (asked, never signalled)."""
    # (hang-ups restored to their default, which a run under nohup would have it ignore)
    proc = subprocess.Popen([sys.executable, "-c", "import signal, time; signal.signal("
                             "signal.SIGHUP, signal.SIG_DFL); print('ready', flush=True); "
                             "time.sleep(60)"], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline() == "ready\n"
    yield proc
    proc.kill()
    proc.wait()
    proc.stdout.close()


def test_only_the_temporaries_of_dead_writers_are_removed(tmp_path, writer):
    ck = tmp_path / "c.ck"
    dead = tmp_path / f"c.ck.tmp{_dead_pid()}"
    keep = [tmp_path / f"c.ck.tmp{os.getpid()}", tmp_path / f"c.ck.tmp{writer.pid}",
            tmp_path / "c.ck.tmpx1", tmp_path / "c.ck.tmp"]
    for p in [dead, *keep]:
        p.write_bytes(b"half")
    assert remove_stale_temporaries(ck) == [str(dead)]
    assert not dead.exists() and all(p.exists() for p in keep)
    assert remove_stale_temporaries(ck) == []
    assert cpt._alive(writer.pid) and not cpt._alive(_dead_pid())
    with pytest.raises(subprocess.TimeoutExpired):   # asked whether it lives, not signalled
        writer.wait(timeout=0.5)


def test_a_writer_of_another_user_counts_as_alive(monkeypatch):
    def denied(pid, sig):
        raise PermissionError(1, "Operation not permitted")
    monkeypatch.setattr(cpt.os, "kill", denied)
    assert cpt._alive(12345) is True


def test_the_checkpoint_of_a_count(tmp_path, monkeypatch):
    net = Network(_stages())
    dom = Domain(np.zeros(2), np.ones(2))
    stale = tmp_path / f"c.ck.tmp{_dead_pid()}"
    stale.write_bytes(b"half")
    ck = Checkpoint(tmp_path / "c.ck", net, dom, keep_patterns=True, every=3600.0)
    assert not stale.exists()                                  # removed when it is set up
    assert (ck.inputs, ck.units, ck.fingerprint) == (2, 3, fingerprint(net, dom))
    assert ck.keep_patterns is True and ck.every == 3600.0 and not ck.due()
    ck.last -= 3600.0
    assert ck.due()
    ck.mark()
    assert not ck.due()
    ck.last -= 3600.0
    ck.write(NODES[1:], _counters([[1, 0, 0]]))
    assert not ck.due()                                        # a write starts a new period
    d = read_checkpoint(ck.path, ck.fingerprint, 2, 3)
    assert d["regions"] == 7 and [p.tolist() for p in d["patterns"]] == [[1, 0, 0]]
    assert Checkpoint(tmp_path / "d.ck", net, dom).every == cpt.CHECKPOINT_EVERY == 10.0
    assert Checkpoint(tmp_path / "d.ck", net, dom).keep_patterns is False
    bare = Checkpoint(tmp_path / "c.ck", net, dom, keep_patterns=False)
    bare.write(NODES[1:], _counters())
    again = Checkpoint(tmp_path / "c.ck", net, dom, keep_patterns=True)
    with pytest.raises(RegioncountError) as e:
        again.resume(None)
    assert str(e.value) == f"{tmp_path / 'c.ck'}: written without patterns; resume without them"
    with pytest.raises(RegioncountError) as e:
        Checkpoint(tmp_path / "no" / "c.ck", net, dom).check_writable()
    assert "cannot write the checkpoint there" in str(e.value)


# -- the vertex method's checkpoints -----------------------------------------------------------

@pytest.fixture(scope="module")
def vertex_ck(tmp_path_factory):
    """A vertex count of a 3-input network (313 regions) stopped after 156, with points kept,
    its domain cut into sub-boxes (almost no memory for the cells in flight): the checkpoint
    holds 3 sub-boxes left and the 115 regions of the finished ones."""
    import regioncount.enumeration.vertex as vertex

    rng = np.random.default_rng(13)
    net = Network.from_layers([(rng.normal(size=(8, 3)), rng.normal(size=8) * 0.3),
                               (rng.normal(size=(8, 8)), rng.normal(size=8) * 0.3)],
                              final=(rng.normal(size=(2, 8)), np.zeros(2)))
    dom = Domain.box(-1, 1, 3)
    ck = tmp_path_factory.mktemp("v") / "v.ck"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(vertex, "MIN_INFLIGHT", 0)
        mp.setattr(vertex, "INFLIGHT_SHARE", 0.01)
        res = vertex.count_vertex(net, dom, max_regions=156, checkpoint=ck, keep_points=True,
                                  memory_budget=2 << 20, checkpoint_every=0.0)
    assert not res.complete
    a = _arrays(ck)
    assert len(a["box_depth"]) >= 2 and len(a["B"]) >= 2
    return net, dom, ck, a


def _vread(tmp_path, vertex_ck, arrays=None, keep_points=True, **header):
    from regioncount.enumeration.vertex_checkpoint import VertexCheckpoint

    net, dom, ck, a = vertex_ck
    h = json.loads(bytes(a["header"]).decode())
    path = tmp_path / "w.ck"
    _save(path, dict(a) if arrays is None else arrays, **header)
    return VertexCheckpoint(path, net, dom, h["pattern_bytes"], keep_points=keep_points,
                            resume=True).read(), path


def test_a_vertex_checkpoint_read_back(tmp_path, vertex_ck):
    (rec, boxes, h), _ = _vread(tmp_path, vertex_ck)
    a = vertex_ck[3]
    assert h["format"] == "regioncount-vertex-checkpoint" and h["version"] == 1
    assert h["inputs"] == 3 and h["points"] is True and h["boxes"] == len(boxes) >= 1
    assert h["regions"] == len(rec["B"]) and set(rec) == {"B", "F", "U", "C", "X", "M"}
    assert all(np.array_equal(rec[f], a[f]) for f in rec)
    assert [(lo.tolist(), hi.tolist(), d) for lo, hi, d in boxes] == [
        (lo.tolist(), hi.tolist(), int(d)) for lo, hi, d in zip(a["box_lo"], a["box_hi"],
                                                                a["box_depth"])]
    assert all(type(d) is int for _, _, d in boxes)
    # read without points: none are kept, so NaN stands in for them
    b = {k: v for k, v in a.items() if k not in ("X", "M")}
    (rec, _, _), _ = _vread(tmp_path, vertex_ck, b, keep_points=False, points=False)
    n = len(rec["B"])
    assert rec["X"].shape == (n, 3) and np.isnan(rec["X"]).all()
    assert rec["M"].shape == (n,) and np.isnan(rec["M"]).all()


VCOUNTERS = "damaged checkpoint (counters do not fit the network)"


@pytest.mark.parametrize("header", [
    {"cells": -1}, {"splits": True}, {"lps": 1.5}, {"slivers": None}, {"subboxes": "2"},
    {"boxes": -1}, {"regions": None}, {"seconds": -1.0}, {"seconds": "0"}, {"seconds": None},
    {"inputs": 2}, {"pattern_bytes": 0},
])
def test_vertex_counters_that_do_not_fit_are_refused(tmp_path, vertex_ck, header):
    with pytest.raises(RegioncountError) as e:
        _vread(tmp_path, vertex_ck, **header)
    assert str(e.value) == f"{tmp_path / 'w.ck'}: {VCOUNTERS}"


def _vdamage(a, name, how):
    a = dict(a)
    v = a[name]
    a[name] = {"drop": None, "row": v[:-1] if len(v) else np.zeros((1,) + v.shape[1:], v.dtype),
               "type": v.astype(np.float64) if v.dtype.kind != "f" else v.astype(np.int64)}[how]
    if a[name] is None:
        del a[name]
    return a


@pytest.mark.parametrize("name", ["box_lo", "box_hi", "box_depth", "B", "F", "U", "C", "X", "M"])
@pytest.mark.parametrize("how", ["drop", "row", "type"])
def test_each_vertex_array_is_checked(tmp_path, vertex_ck, name, how):
    with pytest.raises(RegioncountError) as e:
        _vread(tmp_path, vertex_ck, _vdamage(vertex_ck[3], name, how))
    assert str(e.value).startswith(f"{tmp_path / 'w.ck'}: damaged checkpoint (array '{name}' "
                                   "missing or not of shape (")


def test_points_are_only_checked_when_kept(tmp_path, vertex_ck):
    a = {k: v for k, v in vertex_ck[3].items() if k not in ("X", "M")}
    (rec, _, _), _ = _vread(tmp_path, vertex_ck, a, keep_points=False, points=False)
    with pytest.raises(RegioncountError, match=r"w.ck: written without points and patterns; "
                                               r"resume without them$"):
        _vread(tmp_path, vertex_ck, a, keep_points=True, points=False)


@pytest.mark.parametrize("change, message", [
    (lambda a: a["box_lo"].__setitem__((0, 0), -0.25), "a sub-box is not inside the domain"),
    (lambda a: a["box_hi"].__setitem__((0, 1), 1.25), "a sub-box is not inside the domain"),
    (lambda a: a["box_hi"].__setitem__((0, 2), a["box_lo"][0, 2]),
     "a sub-box is not inside the domain"),
    (lambda a: a["box_lo"].__setitem__((0, 0), np.nan), "a sub-box is not inside the domain"),
    (lambda a: a["box_hi"].__setitem__((0, 0), np.inf), "a sub-box is not inside the domain"),
    (lambda a: a["box_lo"].__setitem__((0, 0), -np.inf), "a sub-box is not inside the domain"),
    (lambda a: a["box_depth"].__setitem__(0, -1), "a sub-box depth out of range"),
    (lambda a: a["box_depth"].__setitem__(0, 65), "a sub-box depth out of range"),
    (lambda a: a["C"].__setitem__(0, -1), "an output class out of range"),
    (lambda a: a["C"].__setitem__(0, 2), "an output class out of range"),
])
def test_vertex_values_out_of_range_are_refused(tmp_path, vertex_ck, change, message):
    a = {k: v.copy() for k, v in vertex_ck[3].items()}
    change(a)
    with pytest.raises(RegioncountError) as e:
        _vread(tmp_path, vertex_ck, a)
    assert str(e.value) == f"{tmp_path / 'w.ck'}: damaged checkpoint ({message})"


def test_vertex_values_at_their_limits_are_read(tmp_path, vertex_ck):
    a = {k: v.copy() for k, v in vertex_ck[3].items()}
    a["box_lo"][0], a["box_hi"][0] = 0.0, 1.0
    a["box_depth"][0] = 64
    a["C"][0] = 1
    (rec, boxes, _), _ = _vread(tmp_path, vertex_ck, a)
    assert boxes[0][2] == 64 and rec["C"][0] == 1
    (_, _, h), _ = _vread(tmp_path, vertex_ck, a, seconds=0)
    assert h["seconds"] == 0


def test_a_vertex_checkpoint_for_another_network_is_refused(tmp_path, vertex_ck):
    from regioncount.enumeration.vertex_checkpoint import VertexCheckpoint

    net, dom, ck, a = vertex_ck
    with pytest.raises(RegioncountError) as e:
        VertexCheckpoint(ck, net, Domain.box(-1, 2, 3), 1, resume=True).read()
    assert str(e.value) == f"{ck}: checkpoint was written for another network or domain"
    with pytest.raises(RegioncountError, match="cannot write the checkpoint there"):
        VertexCheckpoint(tmp_path / "no" / "v.ck", net, dom, 1)
    v = VertexCheckpoint(tmp_path / "no" / "v.ck", net, dom, 1, resume=True, every=5.0)
    assert (v.every, v.inputs, v.outputs, v.pattern_bytes, v.keep_points) == (5.0, 3, 2, 1, False)
    assert not v.due()
    v.last -= 5.0
    assert v.due()


# -- the limits of each check ------------------------------------------------------------------

def _three_nodes(tmp_path):
    """Three pending nodes, one unit decided each, no cuts."""
    nodes = [(1, np.array([1]), (), np.array([0.0, 0.0]), 1.0) for _ in range(3)]
    ck = tmp_path / "t.ck"
    write_checkpoint(ck, FP, nodes, _counters(), False, inputs=2, units=3)
    return ck, _arrays(ck)


@pytest.mark.parametrize("us, prefix, refused", [
    ([-1, 2, 2], [1, 0, 1], True),      # a negative count, the prefixes' length right
    ([4, 0, 0], [1, 0, 1, 0], True),    # more units than the network has
    ([3, 0, 0], [1, 0, 1], False),      # all units decided at one node, none at the others
])
def test_the_decided_units_of_a_node_are_from_0_to_all(tmp_path, us, prefix, refused):
    ck, a = _three_nodes(tmp_path)
    a.update(node_u=np.array(us), prefix=np.array(prefix, np.int32))
    _save(ck, a)
    if refused:
        _refused(ck, _damaged("pattern prefixes out of range"))
    else:
        d = read_checkpoint(ck, FP, 2, 3)
        assert [(u, p.tolist()) for u, p, *_ in d["stack"]] == [(3, [1, 0, 1]), (0, []), (0, [])]


def test_unsigned_integers_are_accepted_only_for_integer_arrays(tmp_path):
    ck = _written(tmp_path)
    a = _arrays(ck)
    a["node_r"] = np.array([1, 2], np.uint8)
    _save(ck, a)
    _refused(ck, _damaged("array 'node_r' has type uint8"))


def test_an_empty_pattern_list_is_written_as_integers(tmp_path):
    """A count that keeps patterns and has found none yet: its checkpoint reads back."""
    ck = tmp_path / "c.ck"
    write_checkpoint(ck, FP, NODES, _counters(()), True, inputs=2, units=3)
    a = _arrays(ck)
    assert a["patterns"].shape == (0, 3) and a["patterns"].dtype == np.int32
    assert read_checkpoint(ck, FP, 2, 3)["patterns"] == []


def test_a_class_key_must_be_an_integer(tmp_path):
    ck = _written(tmp_path)
    _save(ck, _arrays(ck), per_class={"X1": 1})
    _refused(ck, COUNTERS)


def test_a_header_of_wider_unsigned_bytes_is_read(tmp_path):
    ck = _written(tmp_path)
    a = _arrays(ck)
    a["header"] = a["header"].astype(np.uint16)
    with open(ck, "wb") as f:
        np.savez(f, **a)
    assert read_checkpoint(ck, FP, 2, 3)["regions"] == 7


def test_a_folder_without_write_permission_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(cpt.os, "access", lambda path, mode: False)
    with pytest.raises(RegioncountError, match="cannot write the checkpoint there"):
        cpt.check_writable(tmp_path / "c.ck")


def test_a_checkpoint_onto_a_folder_is_refused_and_leaves_nothing(tmp_path):
    target = tmp_path / "d"
    target.mkdir()
    with pytest.raises(RegioncountError) as e:
        save_atomic(target, {"v": np.arange(3)})
    assert str(e.value).startswith(f"{target}: cannot write the checkpoint (")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d"]


def test_a_period_of_zero_is_due_at_once(tmp_path, monkeypatch):
    from regioncount.enumeration import vertex_checkpoint as vck

    net = Network(_stages())
    dom = Domain(np.zeros(2), np.ones(2))
    monkeypatch.setattr(cpt.time, "monotonic", lambda: 100.0)
    monkeypatch.setattr(vck.time, "monotonic", lambda: 100.0)
    assert Checkpoint(tmp_path / "c.ck", net, dom, every=0.0).due()
    assert vck.VertexCheckpoint(tmp_path / "v.ck", net, dom, 1, every=0.0).due()
    assert not Checkpoint(tmp_path / "c.ck", net, dom, every=1e-9).due()


class _Thawless:
    """A searcher whose pending nodes do not fit: thaw raises ``error``."""

    def __init__(self, error):
        self.error = error

    def thaw(self, frozen):
        raise self.error


@pytest.mark.parametrize("error, message", [
    (IndexError("index 9"), "damaged checkpoint (a pending node does not fit the network: "
                            "IndexError)"),
    (ValueError("shape"), "damaged checkpoint (a pending node does not fit the network: "
                          "ValueError)"),
    (RegioncountError("checkpoint does not match this network"),
     "checkpoint does not match this network"),
])
def test_a_pending_node_that_does_not_fit_is_refused_by_file(tmp_path, error, message):
    net = Network(_stages())
    dom = Domain(np.zeros(2), np.ones(2))
    ck = Checkpoint(tmp_path / "c.ck", net, dom)
    ck.write(NODES, _counters())
    with pytest.raises(RegioncountError) as e:
        ck.resume(_Thawless(error))
    assert str(e.value) == f"{ck.path}: {message}"


def test_the_parameters_of_a_unit_are_hashed_as_floats():
    """The fingerprint hashes values, not their storage: float32 weights and biases and integer
    group indices give the fingerprint of the same numbers in float64."""
    box = Domain(np.zeros(3), np.ones(3))

    def fp(dtype, itype):
        W = np.array([[1.0, 2.0, 0.5], [0.0, 1.0, -1.0], [3.0, -1.0, 0.25]], dtype)
        return fingerprint(Network([
            Input(3), Affine(3, sources=(0,), weights=(W,), bias=np.array([0.5, 1, -1], dtype)),
            MaxGroups(2, source_index=1, indptr=np.array([0, 1, 3], itype),
                      indices=np.array([0, 1, 2], itype))]), box)
    assert fp(np.float32, np.int64) == fp(np.float64, np.int64) == fp(np.float64, np.int32)


def test_group_boundaries_are_in_the_fingerprint():
    """Two max groups over three units, {0} {1, 2} against {0, 1} {2}: same sizes, indices."""
    box = Domain(np.zeros(3), np.ones(3))

    def fp(indptr):
        return fingerprint(Network([
            Input(3), Affine(3, sources=(0,), weights=(np.eye(3),), bias=np.zeros(3)),
            MaxGroups(2, source_index=1, indptr=np.array(indptr), indices=np.arange(3))]), box)
    assert fp([0, 1, 3]) != fp([0, 2, 3])


def test_the_fingerprint_follows_its_recipe():
    """Recomputed from the recipe in its docstring: each stage's kind, size and parameters
    (as float64 bytes), then the domain's box (and half-spaces when it has them)."""
    import hashlib

    def recipe(net, dom):
        h = hashlib.sha256()
        for s in net.stages:
            h.update(s.kind.encode() + str(s.size).encode())
            for name in ("bias", "alpha", "beta", "lo", "hi", "indptr", "indices"):
                if getattr(s, name, None) is not None:
                    h.update(np.asarray(getattr(s, name), np.float64).tobytes())
            for W in getattr(s, "weights", ()):
                h.update(np.asarray(W.toarray() if sp.issparse(W) else W, np.float64).tobytes())
        parts = [dom.lo, dom.hi] + ([dom.A, dom.b] if dom.A is not None else [])
        for v in parts:
            h.update(np.asarray(v, np.float64).tobytes())
        return h.hexdigest()[:32]

    net = Network(_stages())
    for dom in (Domain(np.zeros(2), np.ones(2)),
                Domain(np.zeros(2), np.ones(2), A=[[1.0, 1.0]], b=[1.0])):
        assert fingerprint(net, dom) == recipe(net, dom)


def test_a_one_output_network_has_one_class(tmp_path, vertex_ck):
    from regioncount.enumeration import vertex_checkpoint as vck

    a = {k: v.copy() for k, v in vertex_ck[3].items()}
    h = json.loads(bytes(a["header"]).decode())
    a["C"][:] = 0
    vck._check("f.ck", a, h, 3, h["pattern_bytes"], 1)
    a["C"][0] = 1
    with pytest.raises(RegioncountError, match=r"^f.ck: damaged checkpoint \(an output class "):
        vck._check("f.ck", a, h, 3, h["pattern_bytes"], 1)


def test_a_vertex_checkpoint_removes_stale_temporaries_and_names_its_file(tmp_path, vertex_ck):
    from regioncount.enumeration.vertex_checkpoint import VertexCheckpoint

    net, dom, ck, a = vertex_ck
    stale = tmp_path / f"v.ck.tmp{_dead_pid()}"
    stale.write_bytes(b"half")
    VertexCheckpoint(tmp_path / "v.ck", net, dom, 1)
    assert not stale.exists()
    tree = _written(tmp_path)
    with pytest.raises(RegioncountError) as e:
        VertexCheckpoint(tree, net, dom, 1, resume=True).read()
    assert str(e.value) == f"{tree}: a checkpoint of --method tree; resume it with that method"
