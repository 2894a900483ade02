"""Tests written against the mutants of regioncount/enumeration/tree.py (benchmarks/mutation.py,
docs/benchmarks.md "Mutation score"): the driver's memory refusal, its clock, its progress
callbacks and its checkpoint writes."""

from __future__ import annotations

import types

import numpy as np
import pytest

from regioncount import Domain, Network
from regioncount.enumeration import checkpoint as ckpt
from regioncount.enumeration import tree
from regioncount.errors import RegioncountError, ResourceError
from regioncount.memory import ENV_VAR, format_bytes


def _net():
    """Three lines in the square: 7 regions (two axes and x + y = 0.5)."""
    return Network.from_layers([(np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]),
                                 np.array([0.0, 0.0, -0.5]))])


def test_the_memory_refusal_is_at_two_dense_matrices_of_float64(monkeypatch):
    net = Network.from_layers([(np.ones((5, 3)), np.zeros(5)), (np.ones((4, 5)), np.zeros(4))])
    # stages: input 3, affine 5, ReLU 5, affine 4, ReLU 4: 21 rows of 3 inputs, twice
    need = 8 * 2 * 21 * 3
    monkeypatch.setenv(ENV_VAR, str(need))
    tree.check_search_memory(net)                            # exactly at the limit: allowed
    monkeypatch.setenv(ENV_VAR, str(need - 1))
    msg = (f"the region tree's affine maps (21 units x 3 inputs, dense) would need about "
           f"{format_bytes(need)} of memory, above the limit of {format_bytes(need - 1)}")
    with pytest.raises(ResourceError) as e:
        tree.check_search_memory(net)
    assert str(e.value).startswith(msg)


def test_resume_without_a_checkpoint_says_what_is_missing():
    with pytest.raises(RegioncountError, match=r"^--resume needs --checkpoint FILE$"):
        tree.count_tree(_net(), Domain.box(-1, 1, 2), resume=True)


def test_seconds_are_the_clock_of_this_run(monkeypatch):
    """A frozen clock: a fresh count took 0 seconds, exactly."""
    monkeypatch.setattr(tree, "time", types.SimpleNamespace(monotonic=lambda: 1000.0))
    res = tree.count_tree(_net(), Domain.box(-1, 1, 2))
    assert res.regions == 7 and res.seconds == 0.0


def test_progress_reports_counts_depth_and_seconds(monkeypatch):
    monkeypatch.setattr(tree, "PROGRESS_EVERY", 0.0)         # a callback at every node
    seen = []
    res = tree.count_tree(_net(), Domain.box(-1, 1, 2), progress=seen.append)
    assert len(seen) >= 3
    for p in seen:
        assert type(p.regions) is int and type(p.lps) is int and type(p.depth) is int
        assert 0 <= p.regions <= res.regions and 0 <= p.lps <= res.lps and 0 <= p.depth <= 3
        assert isinstance(p.seconds, float) and p.seconds >= 0.0
    assert [p.regions for p in seen] == sorted(p.regions for p in seen)
    assert [p.seconds for p in seen] == sorted(p.seconds for p in seen)


def test_checkpoints_are_written_every_period_with_the_pending_nodes(tmp_path, monkeypatch):
    monkeypatch.setattr(tree, "PROGRESS_EVERY", 0.0)
    written = []
    real = ckpt.Checkpoint.write

    def spy(self, frozen, counters):
        written.append(frozen)
        real(self, frozen, counters)

    monkeypatch.setattr(ckpt.Checkpoint, "write", spy)
    f = tmp_path / "c.npz"
    res = tree.count_tree(_net(), Domain.box(-1, 1, 2), checkpoint=f, checkpoint_every=0.0)
    assert res.regions == 7 and len(written) > 2             # during the search and at the end
    assert all(isinstance(w, list) for w in written) and written[-1] == []
    assert any(len(w) > 0 for w in written[:-1])


def test_a_checkpoint_folder_is_checked_before_any_work(tmp_path, monkeypatch):
    monkeypatch.setattr(tree, "PROGRESS_EVERY", 0.0)
    seen = []
    with pytest.raises(RegioncountError, match="cannot write the checkpoint there"):
        tree.count_tree(_net(), Domain.box(-1, 1, 2), checkpoint=tmp_path / "no" / "c.npz",
                        progress=seen.append)
    assert seen == []


def test_the_result_of_a_complete_count_field_by_field():
    """7 regions by hand; the reason of a complete count is the empty string; patterns are
    int32 (one row of 0/1 per region, 3 units), points and margins only when asked."""
    dom = Domain.box(-1, 1, 2)
    res = tree.count_tree(_net(), dom, max_regions=100, keep_patterns=True, keep_points=True)
    assert res.complete and res.stop_reason == "" and res.regions == 7
    assert res.method == "tree" and res.solver == "highs" and res.workers == 1
    assert res.patterns.dtype == np.int32 and res.patterns.shape == (7, 3)
    assert {tuple(p) for p in res.patterns.tolist()} == {
        (0, 0, 0), (1, 0, 0), (0, 1, 0), (1, 1, 0), (1, 1, 1), (1, 0, 1), (0, 1, 1)}
    assert res.points.shape == (7, 2) and res.margins.shape == (7,)
    assert np.all(res.margins > 0)
    assert res.per_layer == (7,) and sum(res.per_class.values()) == 7
    bare = tree.count_tree(_net(), dom)
    assert bare.patterns is None and bare.points is None and bare.margins is None
    assert bare.stop_reason == "" and bare.regions == 7


def test_the_result_of_a_stopped_count_keeps_its_reason():
    res = tree.count_tree(_net(), Domain.box(-1, 1, 2), max_regions=3, keep_patterns=True)
    assert not res.complete and res.stop_reason == "region limit" and res.regions == 3
    assert res.patterns.shape == (3, 3)


def test_a_count_stopped_before_its_first_region_has_an_empty_int32_record():
    res = tree.count_tree(_net(), Domain.box(-1, 1, 2), time_limit=0.0, keep_patterns=True,
                          keep_points=True)
    assert not res.complete and res.stop_reason == "time limit" and res.regions == 0
    assert res.patterns.dtype == np.int32 and res.patterns.shape == (0, 3)
    assert res.points.shape == (0, 2)


def test_only_a_stopped_count_warns(caplog):
    with caplog.at_level("WARNING", logger="regioncount.enumeration.tree"):
        tree.count_tree(_net(), Domain.box(-1, 1, 2))
        assert not caplog.records
        tree.count_tree(_net(), Domain.box(-1, 1, 2), max_regions=3)
    assert [r.getMessage() for r in caplog.records] == [
        "region count stopped early (region limit): 3 regions found so far"]


def test_the_result_names_its_workers():
    res = tree.count_tree(_net(), Domain.box(-1, 1, 2), workers=2)
    assert res.complete and res.regions == 7 and res.workers == 2


def test_resuming_from_a_missing_folder_names_the_missing_file(tmp_path):
    """On resume the checkpoint is read, not written first: a file in a folder that does not
    exist is reported as missing (not as a folder that cannot be written)."""
    path = tmp_path / "nowhere" / "t.ckpt"
    with pytest.raises(RegioncountError, match="no such checkpoint file"):
        tree.count_tree(_net(), Domain.box(-1, 1, 2), checkpoint=path, resume=True)


def test_the_scheduler_reaches_the_executor(monkeypatch):
    """``scheduler`` is handed to the executor factory (which makes a dask executor of it);
    here the factory is watched and given no scheduler, so the count runs locally."""
    seen = []
    real = tree.make_executor
    monkeypatch.setattr(tree, "make_executor",
                        lambda workers, scheduler: (seen.append(scheduler), real(workers, None))[1])
    res = tree.count_tree(_net(), Domain.box(-1, 1, 2), scheduler="tcp://nowhere:1")
    assert seen == ["tcp://nowhere:1"] and res.regions == 7
