"""Tests written against the mutants of regioncount/enumeration/vertex_record.py
(benchmarks/mutation.py, docs/benchmarks.md "Mutation score"): the sort and hash primitives on
rows whose answers are known by hand, the bucketed counts in every regime of room, and a
spill's files written, undone, handed over, named by a checkpoint and reopened."""

from __future__ import annotations

import json

import numpy as np
import pytest

import regioncount.enumeration.vertex_record as vr
from regioncount.errors import RegioncountError

#: rows of 2 bytes: distinct first bytes 1, 2; distinct rows (1,2), (1,3), (2,2)
B4 = np.array([[1, 2], [1, 3], [2, 2], [1, 2]], np.uint8)


@pytest.mark.parametrize("block", [2, 4, 1 << 20])
def test_prefix_counts_by_hand(block, monkeypatch):
    monkeypatch.setattr(vr, "_BLOCK", block)
    assert vr.prefix_counts(B4, [0, 1, 2]) == (1, 2, 3)
    assert vr.prefix_counts(B4, [2, 1]) == (3, 2)
    assert vr.prefix_counts(B4[:1], [0, 1, 2]) == (1, 1, 1)
    assert vr.prefix_counts(B4[:0], [1, 2]) == (0, 0)
    assert vr.prefix_counts(np.zeros((3, 0), np.uint8), [0]) == (1,)
    # rows that first differ in their last byte, in an order the sort must fix
    C = np.array([[5, 1, 9], [5, 1, 0], [5, 0, 9], [5, 1, 9]], np.uint8)
    assert vr.prefix_counts(C, [1, 2, 3]) == (1, 2, 3)


def test_buckets_are_a_function_of_the_bytes():
    P = np.array([[i % 16, i // 16] for i in range(256)], np.uint8)
    b = vr.buckets(P, 7)
    assert b.dtype == np.int64 and b.min() >= 0 and b.max() <= 6
    assert len(set(b.tolist())) == 7                           # every bucket used
    assert np.array_equal(vr.buckets(np.vstack([P, P]), 7), np.concatenate([b, b]))
    assert vr.buckets(P, 1).tolist() == [0] * 256 and vr.buckets(P, 1).dtype == np.int64
    two = ((h := (P.astype(np.uint64) * vr._MULT[:2]).sum(axis=1, dtype=np.uint64))
           >> np.uint64(17)) % np.uint64(2)
    assert np.array_equal(vr.buckets(P, 2), two.astype(np.int64)) and 0 < two.sum() < 256
    assert len(h) == 256
    assert vr.buckets(np.zeros((3, 0), np.uint8), 5).tolist() == [0, 0, 0]
    # the hash of a row: sum of its bytes times the odd multipliers, top bits, mod k
    h = (P.astype(np.uint64) * vr._MULT[:2]).sum(axis=1, dtype=np.uint64)
    assert np.array_equal(b, ((h >> np.uint64(17)) % np.uint64(7)).astype(np.int64))


def test_buckets_in_small_steps(monkeypatch):
    P = np.random.default_rng(1).integers(0, 256, (100, 3)).astype(np.uint8)
    whole = vr.buckets(P, 5)
    monkeypatch.setattr(vr, "_BLOCK", 8 * 3 * 7)                # 7 rows a step
    assert np.array_equal(vr.buckets(P, 5), whole)


def _blocks(B, cuts):
    return lambda: [B[a:b] for a, b in zip(cuts, cuts[1:])]


@pytest.mark.parametrize("room", [1, 60, 400, 10**6])
def test_distinct_prefixes_in_every_regime_of_room(room):
    """One first byte held by most rows (a prefix too large for any small bucket: counted on
    its own), then widths that fit."""
    rng = np.random.default_rng(3)
    B = rng.integers(0, 4, (300, 4)).astype(np.uint8)
    B[:250, 0] = 7
    B = np.vstack([B, B[::5]])
    widths = [3, 1, 4, 2, 1]
    want = tuple(len(np.unique(B[:, :w], axis=0)) for w in widths)
    assert vr.distinct_prefixes(_blocks(B, [0, 1, 100, 299, len(B)]), len(B), widths,
                                room) == want
    assert vr.distinct_prefixes(lambda: [], 0, [1, 2], room) == (0, 0)


def test_pack_bins_largest_first():
    """12 rows over 64 fine bins packed into buckets of at most cap rows: None when one bin
    alone holds more than cap; else every bin in one bucket and no bucket over cap."""
    B = np.repeat(np.arange(4, dtype=np.uint8)[:, None], 3, axis=0)      # 4 values, 3 each
    blocks = lambda: [B]                                                 # noqa: E731
    assert vr._pack_bins(blocks, 1, 1, 2) is None
    of = vr._pack_bins(blocks, 1, 1, 6)
    bins = vr.buckets(B, 64)
    load = np.bincount(of[bins])
    assert load.tolist() == [6, 6]                       # two buckets, each exactly full
    assert vr._pack_bins(blocks, 1, 1, 12).max() == 0    # all in one
    got = vr._gather(blocks, 1, of, 1, 1)
    assert len(got) == 6 and got.dtype == np.uint8


def test_one_width_in_many_buckets():
    B = np.random.default_rng(4).integers(0, 50, (200, 2)).astype(np.uint8)
    want = len(np.unique(B[:, :1], axis=0))
    for room in (1, 100, 10**6):
        assert vr._one_width(_blocks(B, [0, 50, 200]), len(B), 1, room) == want
    assert vr._one_width(lambda: [], 0, 1, 10) == 0


@pytest.mark.parametrize("room", [1, 10**6])
def test_distinct_rows_keep_the_class_and_flag_of_the_first_copy(room):
    B = np.array([[1], [2], [1], [3], [2]], np.uint8)
    C = np.array([0, 1, 5, 2, 7])
    U = np.array([False, True, True, False, False])
    parts = [(B[:2], C[:2], U[:2]), (B[2:], C[2:], U[2:])]
    assert vr.distinct_rows(lambda: parts, 5, 1, room) == (3, {0: 1, 1: 1, 2: 1}, 1)
    assert vr.distinct_rows(lambda: [], 0, 1, room) == (0, {}, 0)
    empty = [(B[:0], C[:0], U[:0])]
    assert vr.distinct_rows(lambda: empty, 0, 1, room) == (0, {}, 0)


# -- the spill -------------------------------------------------------------------------------

def _chunk(rows, classes, flags, bad=None):
    B = np.array(rows, np.uint8)
    F = np.array(flags, bool)
    U = np.zeros(len(rows), bool) if bad is None else np.array(bad, bool)
    return B, F, np.array(classes), U


def _spill(tmp_path, width=2):
    return vr.Spill(tmp_path / "rec", width)


def test_a_spill_writes_its_regions_once_or_flagged(tmp_path):
    sp = _spill(tmp_path)
    assert sp.dir.parent == tmp_path / "rec" and sp.dir.name.startswith("regioncount-record-")
    B, F, C, U = _chunk([[1, 1], [2, 2], [3, 3], [4, 4]], [0, 1, 1, 2], [0, 1, 0, 1],
                        [1, 0, 1, 1])
    sp.write([B], [F], [C], [U])
    assert [f.path.name for f in sp.files] == ["once-000000.npy", "flagged-000001.npy"]
    assert sp.files[1].side.name == "flagged-000001-cu.npz"
    assert (sp.n, sp.n_once, sp.per_class, sp.bad) == (4, 2, {0: 1, 1: 1}, 2)
    assert sp.once == [(sp.dir / "once-000000.npy", 2)]
    assert sp.flagged == [(sp.dir / "flagged-000001.npy", 2, sp.dir / "flagged-000001-cu.npz")]
    assert [b.tolist() for b in sp.blocks()] == [[[1, 1], [3, 3]], [[2, 2], [4, 4]]]
    (fb, fc, fu), = list(sp.flagged_blocks())
    assert fb.tolist() == [[2, 2], [4, 4]] and fc.tolist() == [1, 2] and fu.tolist() == [0, 1]
    assert np.load(sp.dir / "once-000000.npy").tolist() == [[1, 1], [3, 3]]
    # only flagged rows, then only once rows: one file each
    sp.write([B[:1]], [np.array([True])], [C[:1]], [U[:1]])
    sp.write([B[2:]], [np.zeros(2, bool)], [C[2:]], [U[2:]])
    assert [f.path.name for f in sp.files][2:] == ["flagged-000002.npy", "once-000003.npy"]
    assert (sp.n, sp.n_once, sp.per_class, sp.bad) == (7, 4, {0: 1, 1: 2, 2: 1}, 4)


def test_reading_in_steps(tmp_path, monkeypatch):
    sp = _spill(tmp_path, width=3)
    B = np.arange(30, dtype=np.uint8).reshape(10, 3)
    sp.write([B], [np.array([0, 1] * 5, bool)], [np.arange(10)], [np.zeros(10, bool)])
    monkeypatch.setattr(vr, "_BLOCK", 6)
    assert sp.step() == 2
    got = list(sp.blocks())
    assert [len(b) for b in got] == [2, 2, 1, 2, 2, 1]
    assert np.array_equal(np.vstack(got), np.vstack([B[::2], B[1::2]]))
    fl = list(sp.flagged_blocks())
    assert [c.tolist() for _, c, _ in fl] == [[1, 3], [5, 7], [9]]
    monkeypatch.setattr(vr, "_BLOCK", 1)
    assert sp.step() == 1


def test_rollback_removes_the_unsettled_files_only(tmp_path):
    sp = _spill(tmp_path)
    B, F, C, U = _chunk([[1, 1], [2, 2]], [0, 1], [0, 1])
    sp.write([B], [F], [C], [U])                         # settled
    sp.write([B], [F], [C], [U], settled=False)
    unsettled = [sp.dir / "once-000002.npy", sp.dir / "flagged-000003.npy",
                 sp.dir / "flagged-000003-cu.npz"]
    assert all(p.exists() for p in unsettled)
    sp.rollback()
    assert not any(p.exists() for p in unsettled)
    assert [f.path.name for f in sp.files] == ["once-000000.npy", "flagged-000001.npy"]
    sp.write([B], [F], [C], [U], settled=False)
    sp.settle()
    sp.rollback()
    assert sp.n == 4 and all(f.settled for f in sp.files)


def test_the_spill_of_a_worker_process_handed_over(tmp_path):
    master = _spill(tmp_path)
    B, F, C, U = _chunk([[1, 1], [2, 2]], [0, 1], [0, 1], [1, 0])
    master.write([B], [F], [C], [U])
    worker = vr.Spill(master.dir, 2)
    worker.write([B], [F], [C], [U])
    worker.write([B], [F], [C], [U], settled=False)
    exported = worker.export()
    assert worker.keep is True and exported[0] == str(worker.dir)
    assert exported[1][0] == (str(worker.dir / "once-000000.npy"), 1, None, True, {0: 1}, 1)
    assert master.adopt(exported, settled_only=True) == 2
    assert not worker.dir.exists()
    assert [f.path.name for f in master.files] == ["once-000000.npy", "flagged-000001.npy",
                                                   "once-000002.npy", "flagged-000003.npy"]
    assert master.files[3].side == master.dir / "flagged-000003-cu.npz"
    assert master.files[3].side.exists() and master.files[2].per_class == {0: 1}
    assert (master.n, master.per_class, master.bad) == (4, {0: 2}, 2)
    w2 = vr.Spill(master.dir, 2)
    w2.write([B], [F], [C], [U], settled=False)
    assert master.adopt(w2.export()) == 2 and master.files[-1].settled is False
    w3 = vr.Spill(master.dir, 2)
    w3.write([B], [F], [C], [U])
    vr.Spill.discard(w3.export())
    assert not w3.dir.exists() and master.n == 6


def test_a_checkpoint_names_the_settled_files_and_reopens_them(tmp_path):
    sp = _spill(tmp_path)
    B, F, C, U = _chunk([[1, 1], [2, 2], [3, 3]], [0, 1, 2], [0, 1, 0], [0, 0, 1])
    sp.write([B], [F], [C], [U])
    sp.write([B], [F], [C], [U], settled=False)
    state = json.loads(json.dumps(sp.state()))
    assert state == {"dir": str(sp.dir.resolve()), "files": [
        ["once-000000.npy", 2, None, [[0, 1], [2, 1]], 1],
        ["flagged-000001.npy", 1, "flagged-000001-cu.npz", [], 0]]}
    # written after the checkpoint: a file of the count, a worker's folder; others stay
    (sp.dir / "regioncount-record-w").mkdir()
    (sp.dir / "notes.txt").write_text("kept")
    again = vr.Spill.reopen(state, 2, "c.ck")
    assert sorted(p.name for p in sp.dir.iterdir()) == [
        "flagged-000001-cu.npz", "flagged-000001.npy", "notes.txt", "once-000000.npy"]
    assert again.keep is False and again.dir == sp.dir.resolve()
    assert (again.n, again.n_once, again.per_class, again.bad) == (3, 2, {0: 1, 2: 1}, 1)
    assert all(f.settled for f in again.files)
    assert [b.tolist() for b in again.blocks()] == [[[1, 1], [3, 3]], [[2, 2]]]
    sp.keep = True
    sp.finished = True
    assert sp.state() == {"removed": True}


def _damaged(tmp_path, change):
    sp = _spill(tmp_path)
    B, F, C, U = _chunk([[1, 1], [2, 2], [3, 3]], [0, 1, 2], [0, 1, 0])
    sp.write([B], [F], [C], [U])
    state = json.loads(json.dumps(sp.state()))
    what = change(sp, state)
    (sp.dir / "once-000009.npy").write_bytes(b"written after the checkpoint")
    before = sorted(p.name for p in sp.dir.iterdir())
    with pytest.raises(RegioncountError) as e:
        vr.Spill.reopen(state, 2, "c.ck")
    assert str(e.value) == f"c.ck: its spilled record is damaged or missing ({what})"
    assert sorted(p.name for p in sp.dir.iterdir()) == before     # nothing removed


@pytest.mark.parametrize("change", [
    lambda sp, st: (st.pop("files"), "the checkpoint's list of files")[1],
    lambda sp, st: (st["files"][0].__setitem__(1, "x"), "the checkpoint's list of files")[1],
    lambda sp, st: (st["files"].append([1, 2]), "the checkpoint's list of files")[1],
    lambda sp, st: (st.__setitem__("dir", str(sp.dir) + "-gone"), f"no folder {sp.dir}-gone")[1],
    lambda sp, st: (st["files"][0].__setitem__(1, 3), "once-000000.npy")[1],
    lambda sp, st: ((sp.dir / "once-000000.npy").unlink(), "once-000000.npy")[1],
    lambda sp, st: (st["files"][0].__setitem__(0, "../once-000000.npy"), "once-000000.npy")[1],
    lambda sp, st: (np.save(sp.dir / "once-000000.npy", np.zeros((2, 3), np.uint8)),
                    "once-000000.npy")[1],
    lambda sp, st: (np.save(sp.dir / "once-000000.npy", np.zeros((2, 2), np.int16)),
                    "once-000000.npy")[1],
    lambda sp, st: ((sp.dir / "flagged-000001-cu.npz").write_bytes(b"junk"),
                    "flagged-000001-cu.npz")[1],
    lambda sp, st: (np.savez(sp.dir / "flagged-000001-cu.npz", C=np.zeros(2), U=np.zeros(1)),
                    "flagged-000001-cu.npz")[1],
    lambda sp, st: (np.savez(sp.dir / "flagged-000001-cu.npz", C=np.zeros(1), U=np.zeros(2)),
                    "flagged-000001-cu.npz")[1],
    lambda sp, st: (np.savez(sp.dir / "flagged-000001-cu.npz", C=np.zeros(1)),
                    "flagged-000001-cu.npz")[1],
    lambda sp, st: (st["files"][1].__setitem__(2, "../flagged-000001-cu.npz"),
                    "flagged-000001-cu.npz")[1],
])
def test_a_damaged_spill_is_refused_and_left_alone(tmp_path, change):
    _damaged(tmp_path, change)


def test_a_truncated_file_has_no_rows(tmp_path):
    sp = _spill(tmp_path)
    B, F, C, U = _chunk([[1, 1], [2, 2]], [0, 1], [0, 0])
    sp.write([B], [F], [C], [U])
    path = sp.dir / "once-000000.npy"
    assert vr._rows_of(path, 2) == 2 and vr._rows_of(path, 3) is None
    path.write_bytes(path.read_bytes()[:-1])
    assert vr._rows_of(path, 2) is None
    assert vr._rows_of(sp.dir / "none.npy", 2) is None


def test_closing_removes_the_folder_unless_kept(tmp_path):
    sp = _spill(tmp_path)
    sp.keep = True
    sp.close()
    assert sp.dir.exists()
    sp.keep = False
    sp.close()
    assert not sp.dir.exists()
    other = _spill(tmp_path)
    d = other.dir
    del other
    import gc
    gc.collect()
    assert not d.exists()
    given = tmp_path / "given"
    given.mkdir()
    assert vr.Spill(None, 2, directory=given).dir == given


def test_a_spill_file_holding_pickles_is_not_loaded(tmp_path):
    """A file named like a spill's that holds pickled objects: not a file of rows, and its
    objects are never built (building this one would create a file)."""
    marker = tmp_path / "built"

    class Evil:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    path = tmp_path / "once-000000.npy"
    np.save(path, np.array([Evil()], dtype=object), allow_pickle=True)
    assert vr._rows_of(path, 2) is None and not marker.exists()


def test_removing_what_is_already_gone(tmp_path):
    vr._unlink(tmp_path / "none.npy", None, tmp_path / "none-cu.npz")
    sp = _spill(tmp_path)
    sp.close()
    sp.close()                                           # twice: nothing left to remove
    w = vr.Spill(tmp_path, 2)
    exported = w.export()
    vr.Spill.discard(exported)
    vr.Spill.discard(exported)
    assert not w.dir.exists()


def test_a_spill_in_a_new_nested_folder(tmp_path):
    sp = vr.Spill(tmp_path / "a" / "b" / "c", 3)
    assert sp.dir.parent == tmp_path / "a" / "b" / "c" and sp.dir.is_dir()
    assert sp.keep is False and sp.finished is False and sp.width == 3 and sp.files == []


def test_classes_add_up_over_the_chunks_of_one_write(tmp_path):
    sp = _spill(tmp_path)
    B, F, C, U = _chunk([[1, 1], [2, 2]], [4, 4], [0, 0], [1, 0])
    sp.write([B, B + 10], [F, F], [C, C], [U, U])
    assert sp.files[0].rows == 4 and sp.per_class == {4: 4} and sp.bad == 2
    assert np.load(sp.files[0].path).tolist() == [[1, 1], [2, 2], [11, 11], [12, 12]]


def test_reopening_leaves_foreign_folders_and_files(tmp_path):
    sp = _spill(tmp_path)
    B, F, C, U = _chunk([[1, 1]], [0], [0])
    sp.write([B], [F], [C], [U])
    state = sp.state()
    (sp.dir / "mine").mkdir()
    (sp.dir / "regioncount-record-notes.txt").write_text("a file, not a worker's folder")
    again = vr.Spill.reopen(state, 2, "c.ck")
    assert sorted(p.name for p in again.dir.iterdir()) == [
        "mine", "once-000000.npy", "regioncount-record-notes.txt"]


def test_rows_of_nine_bytes():
    """72 units make 9-byte rows, where twice the width equals the bytes a bucket row takes
    beside it (18): counted bucket by bucket as in one sort."""
    B = np.random.default_rng(9).integers(0, 2, (120, 9)).astype(np.uint8)
    want = tuple(len(np.unique(B[:, :w], axis=0)) for w in (1, 9))
    for room in (1, 500, 10**6):
        assert vr.distinct_prefixes(_blocks(B, [0, 60, 120]), 120, [1, 9], room) == want


def test_only_the_settled_files_of_a_worker_are_taken_when_asked(tmp_path):
    """The worker's unsettled files come first: they are dropped, the settled ones after them
    are taken over as settled (a later rollback keeps them)."""
    master = _spill(tmp_path)
    B, F, C, U = _chunk([[1, 1], [2, 2], [3, 3]], [0, 1, 2], [0, 1, 0], [0, 0, 1])
    worker = vr.Spill(master.dir, 2)
    worker.write([B], [F], [C], [U], settled=False)
    worker.write([B], [F], [C], [U])
    assert master.adopt(worker.export(), settled_only=True) == 3
    assert [f.settled for f in master.files] == [True, True]
    assert (master.n, master.per_class, master.bad) == (3, {0: 1, 2: 1}, 1)
    master.rollback()
    assert master.n == 3 and all(f.path.exists() for f in master.files)
