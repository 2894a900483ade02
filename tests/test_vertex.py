"""The vertex method (``regioncount.enumeration.vertex``, issue 11) against the region tree:
the same counts, the same pattern sets, per-layer counts, and certificate points that
reproduce their patterns, on random and degenerate networks, every PWL kind and real models."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from regioncount import Domain, Network, RegioncountError, load
from regioncount.enumeration import count_tree
from regioncount.enumeration.vertex import count_vertex, split_all, unit_cube
from regioncount.stages import (Affine, Clip, HardSigmoid, Input, LeakyRelu, MaxGroups, Relu)

from conftest import network_from_entry, shared_cases, shared_path

MODELS = Path(__file__).resolve().parents[1] / "models"


def _agree(net, dom, expected=None):
    """Count with both methods; assert equal counts, pattern sets and per-layer counts, and
    that every vertex certificate reproduces its pattern. Returns the vertex result."""
    t = count_tree(net, dom, keep_patterns=True)
    v = count_vertex(net, dom, keep_patterns=True, keep_points=True)
    assert v.complete and v.method == "vertex"
    assert v.regions == t.regions
    if expected is not None:
        assert v.regions == expected
    assert v.pattern_set() == t.pattern_set()
    assert v.per_layer == t.per_layer
    assert sum(v.per_class.values()) == v.regions
    got = np.concatenate([p.reshape(v.regions, -1) for p in net.region_pattern(v.points)], axis=1) \
        if v.regions else np.zeros((0, 0))
    assert np.array_equal(got, v.patterns)
    assert np.all(v.points >= dom.lo) and np.all(v.points <= dom.hi)
    assert v.extra["unverified_points"] == 0
    return v


def _chain(d, parts, seed=0):
    """A chain network: ``parts`` is a list of ``(W, b, make_pwl)`` where ``make_pwl(size,
    src)`` builds the PWL stage after the affine stage (None: no PWL stage); a 2-output affine
    stage ends it."""
    stages = [Input(size=d)]
    prev = 0
    for W, b, make in parts:
        W = np.asarray(W, float)
        stages.append(Affine(size=W.shape[0], sources=(prev,), weights=(W,),
                             bias=np.asarray(b, float)))
        prev = len(stages) - 1
        if make is not None:
            stages.append(make(W.shape[0], prev))
            prev = len(stages) - 1
    rng = np.random.default_rng(seed)
    size = stages[prev].size
    stages.append(Affine(size=2, sources=(prev,), weights=(rng.normal(size=(2, size)),),
                         bias=np.zeros(2)))
    return Network(stages)


def _relu(n, src):
    return Relu(size=n, source_index=src)


# -- the cell operations ------------------------------------------------------------------------

def test_cube_split_through_corners_keeps_vertices_and_edges():
    """The diagonal plane x + y + z = 1 passes through three corners of the cube: the halves
    are a tetrahedron (4 vertices, 6 edges) and its complement (7 corners, 12 edges), and no
    vertex is created on an edge."""
    cube = unit_cube(3)
    a = np.ones(3) / np.sqrt(3)
    halves = split_all(cube, -a[None, :], np.array([1 / np.sqrt(3)]), 3)
    sizes = sorted(len(h.V) for h in halves)
    assert sizes == [4, 7]
    small = [h for h in halves if len(h.V) == 4][0]
    assert len(small.E) == 6
    big = [h for h in halves if len(h.V) == 7][0]
    assert len(big.E) == 12 - 3 + 3       # cube edges minus the 3 at the origin, plus 3 on the cut


def test_square_pyramid_apex_is_degenerate():
    """Four planes through the cube centre line meet at one point where more than d = 3
    hyperplanes meet; the pieces still tile the cube: 8 sub-cells of volume 1/8 each."""
    cube = unit_cube(3)
    La = np.array([[1.0, 0, 0], [0, 1.0, 0], [0, 0, 1.0]])
    cells = split_all(cube, La, -0.5 * np.ones(3), 3)
    assert len(cells) == 8
    assert all(len(c.V) == 8 and len(c.E) == 12 for c in cells)


# -- reference counts --------------------------------------------------------------------------

def test_reference_networks_low_dimension(exact_counts):
    low = [e for e in exact_counts if e["arch"][0] <= 5]
    assert low
    for entry in low:
        net, dom = network_from_entry(entry)
        _agree(net, dom, entry["regions"])


def test_doc_example_and_box_cut_by_halfspace():
    net = Network.from_layers([(np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]),
                                np.array([0.0, 0.0, -0.5]))])
    _agree(net, Domain.box(-1, 1, 2), 7)
    cut = Domain(np.full(2, -1.0), np.ones(2), np.array([[1.0, 1.0]]), np.array([0.25]))
    _agree(net, cut)


@pytest.mark.parametrize("d,widths,seed", [(2, [8, 8], 0), (3, [6, 6], 1), (4, [6, 5], 2),
                                           (5, [6, 4], 3)])
def test_random_relu(d, widths, seed):
    rng = np.random.default_rng(seed)
    parts, n = [], d
    for w in widths:
        parts.append((rng.normal(size=(w, n)), 0.5 * rng.normal(size=w), _relu))
        n = w
    _agree(_chain(d, parts, seed), Domain.box(-1, 1, d))


# -- degeneracy --------------------------------------------------------------------------------

def test_zero_biases_all_planes_through_the_centre():
    """Every first-layer hyperplane passes through the origin (the centre of the box): a
    vertex where 6 hyperplanes meet in 3-D."""
    rng = np.random.default_rng(4)
    W1 = rng.normal(size=(6, 3))
    net = _chain(3, [(W1, np.zeros(6), _relu), (rng.normal(size=(5, 6)), np.zeros(5), _relu)])
    _agree(net, Domain.box(-1, 1, 3))


def test_duplicated_and_negated_units():
    """Duplicated units (the same hyperplane twice) and a unit with the opposite sign: the
    second copy never splits a cell."""
    rng = np.random.default_rng(5)
    W = rng.normal(size=(3, 3))
    b = rng.normal(size=3) * 0.3
    W1 = np.vstack([W, W, -W[:1]])
    b1 = np.concatenate([b, b, -b[:1]])
    net = _chain(3, [(W1, b1, _relu), (rng.normal(size=(4, 7)), rng.normal(size=4), _relu)])
    _agree(net, Domain.box(-1, 1, 3))


def test_hyperplanes_through_box_corners():
    """Planes x_i + x_j = 0 and x_1 + x_2 + x_3 = 1 through corners and edges of [-1, 1]^3, and
    a box face plane x_1 = 1 (splits nothing)."""
    W1 = np.array([[1.0, 1, 0], [0, 1, 1], [1, 0, 1], [1, 1, 1], [1, 0, 0], [1, -1, 0]])
    b1 = np.array([0.0, 0, 0, -1, -1, 0])
    rng = np.random.default_rng(6)
    net = _chain(3, [(W1, b1, _relu), (rng.normal(size=(4, 6)), rng.normal(size=4), _relu)])
    _agree(net, Domain.box(-1, 1, 3))


def test_max_pool_over_dead_relus():
    """A max-pool over ReLUs that are inactive on the whole box is one piece (the max of
    zeros); a second pool mixes a dead and a live unit."""
    W1 = np.array([[1.0, 0.0], [0.5, 0.5], [-1.0, 0.0], [0.0, -1.0], [1.0, -1.0], [0.0, -2.0]])
    b1 = np.array([-5.0, -5.0, -5.0, -5.0, 0.1, -7.0])
    stages = [Input(size=2), Affine(size=6, sources=(0,), weights=(W1,), bias=b1),
              Relu(size=6, source_index=1),
              MaxGroups(size=2, source_index=2, indptr=np.array([0, 4, 6]),
                        indices=np.arange(6)),
              Affine(size=1, sources=(3,), weights=(np.array([[1.0, 2.0]]),), bias=np.zeros(1))]
    v = _agree(Network(stages), Domain.box(-1, 1, 2), 2)
    assert set(v.patterns[:, 6]) == {0}


# -- every PWL kind ----------------------------------------------------------------------------

def _kind_net(make, d=2, seed=7):
    rng = np.random.default_rng(seed)
    return _chain(d, [(rng.normal(size=(5, d)), 0.4 * rng.normal(size=5), make),
                      (rng.normal(size=(4, 5)), 0.4 * rng.normal(size=4), _relu)], seed)


@pytest.mark.parametrize("make", [
    lambda n, s: LeakyRelu(size=n, source_index=s, alpha=np.full(n, 0.1)),
    lambda n, s: Clip(size=n, source_index=s, lo=np.full(n, -0.3), hi=np.full(n, 0.4)),
    lambda n, s: HardSigmoid(size=n, source_index=s, alpha=np.full(n, 2.0),
                             beta=np.full(n, 0.5)),
], ids=["leaky", "clip", "hard_sigmoid"])
@pytest.mark.parametrize("d", [2, 3])
def test_elementwise_kinds(make, d):
    _agree(_kind_net(make, d), Domain.box(-1, 1, d))


def test_maxout_and_abs():
    """Maxout groups of 3 and Abs written as max(g, -g)."""
    rng = np.random.default_rng(8)
    W1 = rng.normal(size=(6, 3))
    b1 = 0.3 * rng.normal(size=6)
    maxout = MaxGroups(size=2, source_index=1, indptr=np.array([0, 3, 6]), indices=np.arange(6))
    g = rng.normal(size=(2, 2))
    stages = [Input(size=3), Affine(size=6, sources=(0,), weights=(W1,), bias=b1), maxout,
              Affine(size=4, sources=(2,), weights=(np.vstack([g, -g]),), bias=np.r_[0.1, -0.2,
                                                                                  -0.1, 0.2]),
              MaxGroups(size=2, source_index=3, indptr=np.array([0, 2, 4]),
                        indices=np.array([0, 2, 1, 3])),
              Affine(size=2, sources=(4,), weights=(rng.normal(size=(2, 2)),), bias=np.zeros(2))]
    _agree(Network(stages), Domain.box(-1, 1, 3))


# -- models ------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["moons_2d.onnx", "maxout_2d.onnx"])
def test_demo_models(name):
    _agree(load(MODELS / name), Domain.box(0, 1, 2))


@pytest.mark.parametrize("path,d,r,expected", shared_cases([
    ("vnncomp2022/cartpole.onnx", 4, 0.1, 231),
    ("vnncomp2022/cartpole.onnx", 4, 0.02, None),
    ("vnncomp2022/vdp.onnx", 3, 0.2, None),
    ("vnncomp2022/vdp.onnx", 3, 0.5, None),
    ("marabou/fc1.onnx", 2, 1.0, None),
    ("marabou/fc1.onnx", 2, 0.3, None),
    ("vnncomp2022/tllBench_n2_NM8_m1_instance_0_0.onnx", 2, 1.0, None),
]))
def test_shared_models(path, d, r, expected):
    net = load(shared_path("models", path))
    _agree(net, Domain.box(-r, r, d), expected)


@pytest.mark.slow
def test_acasxu_small_box():
    net = load(shared_path("models", "vnncomp2021", "ACASXU_run2a_1_1_batch_2000.onnx"))
    _agree(net, Domain.box(-0.02, 0.02, 5), 971)


def test_limits_give_partial_results():
    rng = np.random.default_rng(9)
    net = _chain(3, [(rng.normal(size=(8, 3)), rng.normal(size=8) * 0.3, _relu)])
    dom = Domain.box(-1, 1, 3)
    full = count_vertex(net, dom)
    part = count_vertex(net, dom, max_regions=5)
    assert full.complete and not part.complete
    assert part.stop_reason == "region limit" and 5 <= part.regions < full.regions


@pytest.mark.slow
def test_acasxu_target_box():
    """The issue's target: ACAS Xu N_1,1 on [-0.05, 0.05]^5 has 14,941 regions."""
    net = load(shared_path("models", "vnncomp2021", "ACASXU_run2a_1_1_batch_2000.onnx"))
    v = count_vertex(net, Domain.box(-0.05, 0.05, 5))
    assert v.complete and v.regions == 14941 and v.extra["unverified_points"] == 0


# -- the command line ----------------------------------------------------------------------------

def test_cli_vertex_and_auto(cli_run, tmp_path):
    """``--method vertex`` and the default ``auto`` (2 inputs: vertex) give the tree's count,
    the JSON keys of every method, and a patterns file whose points reproduce the patterns."""
    import json

    model = MODELS / "moons_2d.onnx"
    code, out, err = cli_run("count", model, "--box", "0,1", "--method", "tree", "--json",
                             "--workers", "1")
    assert code == 0, err
    tree = json.loads(out)
    out_f = tmp_path / "p.npz"
    for args in (("--method", "vertex"), ()):
        code, out, err = cli_run("count", model, "--box", "0,1", *args, "--json", "-q",
                                 "--patterns-out", out_f)
        assert code == 0, err
        d = json.loads(out)
        assert d["method"] == "vertex" and d["complete"] is True
        assert set(d) >= {"regions", "complete", "method", "seconds", "lps", "per_class",
                          "per_layer", "kind", "workers"}
        assert d["regions"] == tree["regions"] and d["per_layer"] == tree["per_layer"]
        assert d["per_class"] == tree["per_class"]
        data = np.load(out_f)
        net = load(model)
        got = np.concatenate(net.region_pattern(data["points"]), axis=1)
        assert np.array_equal(got, data["patterns"])


def test_auto_rule():
    from regioncount import app

    small = Network.from_layers([(np.eye(6), np.zeros(6))])
    big = Network.from_layers([(np.ones((2, 7)), np.zeros(2))])
    opts = app.CountOptions()
    assert app.auto_method(small, opts) == "vertex"
    assert app.auto_method(big, opts) == "tree"
    # checkpoints and dask work with both methods: they no longer decide
    assert app.auto_method(small, app.CountOptions(checkpoint="x.ck", scheduler="local")) \
        == "vertex"
    assert app.count(big, Domain.box(-1, 1, 7), "auto").method == "tree"


def test_pwl_stage_reading_the_input():
    """A ReLU applied to the input itself: nothing can be folded into unit-cube coordinates,
    and the count runs on the box as given."""
    rng = np.random.default_rng(10)
    stages = [Input(size=2), Relu(size=2, source_index=0),
              Affine(size=4, sources=(1,), weights=(rng.normal(size=(4, 2)),),
                     bias=rng.normal(size=4)),
              Relu(size=4, source_index=2),
              Affine(size=2, sources=(3,), weights=(rng.normal(size=(2, 4)),), bias=np.zeros(2))]
    _agree(Network(stages), Domain(np.array([-2.0, -1.0]), np.array([3.0, 2.0])))


@pytest.mark.parametrize("width,regions,slivers", [(5e-9, 6, 0), (1.5e-9, 4, 2)])
def test_thin_slab_decided_like_the_tree(width, regions, slivers):
    """Two parallel hyperplanes ``width`` apart (unit-cube coordinates): a slab wider than
    twice the margin is a region (its vertex mean proves it); a thinner one goes to the
    Chebyshev LP (its two halves, cut by y = 0.3) and is a sliver, as in the tree."""
    W = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    net = _chain(2, [(W, np.array([-0.5, -0.5 - width, -0.3]), _relu)])
    v = _agree(net, Domain.box(0, 1, 2), regions)
    assert v.extra["slivers"] == slivers and v.lps == slivers


def test_memory_budget_stops_with_a_partial_result():
    rng = np.random.default_rng(9)
    net = _chain(3, [(rng.normal(size=(8, 3)), rng.normal(size=8) * 0.3, _relu)])
    dom = Domain.box(-1, 1, 3)
    full = count_vertex(net, dom, keep_patterns=True)
    assert full.regions == 79
    # half of 1000 bytes for the record, 7 bytes a region (1 byte of pattern, 6 of flags and
    # class) and 17 more at the end (the record copied, 10 bytes of sort): 20 regions fit
    part = count_vertex(net, dom, memory_budget=1000, keep_patterns=True)
    assert not part.complete and part.stop_reason == "memory budget"
    assert part.regions == 500 // 24 == 20
    assert {tuple(p) for p in part.patterns} < {tuple(p) for p in full.patterns}
    with pytest.raises(RegioncountError, match="memory budget"):
        count_vertex(Network.from_layers([(np.ones((1, 30)), np.zeros(1))]),
                     Domain.box(0, 1, 30))


def test_slab_against_the_box_face():
    """A slab between the box face x = 0 and a cut 1.5e-9 away: the tree's rule (cut rows with
    the radius, the box as bounds) counts it, and so does the vertex method, with a
    certificate inside the open box."""
    W = np.array([[1.0, 0.0], [0.0, 1.0]])
    net = _chain(2, [(W, np.array([-1.5e-9, -0.3]), _relu)])
    v = _agree(net, Domain.box(0, 1, 2), 4)
    assert v.lps >= 1 and np.all(v.points > 0) and np.all(v.points < 1)


def test_progress_and_time_limit(monkeypatch):
    import regioncount.enumeration.vertex as vertex

    rng = np.random.default_rng(11)
    net = _chain(2, [(rng.normal(size=(6, 2)), rng.normal(size=6) * 0.3, _relu)])
    dom = Domain.box(-1, 1, 2)
    monkeypatch.setattr(vertex, "PROGRESS_EVERY", 0.0)
    seen = []
    full = count_vertex(net, dom, progress=seen.append)
    assert seen and all(p.regions <= full.regions for p in seen)
    assert [p.regions for p in seen] == sorted(p.regions for p in seen)
    stopped = count_vertex(net, dom, time_limit=0.0)
    assert not stopped.complete and stopped.stop_reason == "time limit"


# -- long runs: limits, Ctrl-C, sub-boxes ------------------------------------------------------

def _two_layer_net(seed=12):
    rng = np.random.default_rng(seed)
    return _chain(3, [(rng.normal(size=(8, 3)), rng.normal(size=8) * 0.3, _relu),
                      (rng.normal(size=(8, 8)), rng.normal(size=8) * 0.3, _relu)], seed)


@pytest.fixture
def small_batches(monkeypatch):
    """Batches of 4 cells between stages and a progress report at every pass, so that a count
    records its regions in many steps."""
    import regioncount.enumeration.vertex as vertex

    monkeypatch.setattr(vertex, "CHUNK_CELLS", 4)
    monkeypatch.setattr(vertex, "PROGRESS_EVERY", 0.0)
    return vertex


def test_region_limit_stops_exactly_there(small_batches):
    net, dom = _two_layer_net(), Domain.box(-1, 1, 3)
    full = count_vertex(net, dom)
    part = count_vertex(net, dom, max_regions=full.regions // 3, keep_patterns=True)
    assert not part.complete and part.stop_reason == "region limit"
    assert part.regions == full.regions // 3 < full.regions
    assert part.per_layer[-1] == part.regions and sum(part.per_class.values()) == part.regions


def test_time_limit_gives_a_partial_result(small_batches):
    import time as _time

    net, dom = _two_layer_net(), Domain.box(-1, 1, 3)
    full = count_vertex(net, dom)

    def slow(p):                      # once regions are found, pass the deadline
        if p.regions:
            _time.sleep(0.3)

    part = count_vertex(net, dom, time_limit=0.2, progress=slow)
    assert not part.complete and part.stop_reason == "time limit"
    assert 0 < part.regions < full.regions
    assert part.extra["unverified_points"] == 0


def test_ctrl_c_gives_a_partial_result(small_batches):
    """SIGINT during the count (what Ctrl-C sends) stops it between two passes with the
    regions found so far; a KeyboardInterrupt raised inside it does the same."""
    import os
    import signal

    net, dom = _two_layer_net(), Domain.box(-1, 1, 3)
    full = count_vertex(net, dom)

    def ctrl_c(p):
        if p.regions:
            os.kill(os.getpid(), signal.SIGINT)

    part = count_vertex(net, dom, progress=ctrl_c)
    assert not part.complete and part.stop_reason == "interrupted"
    assert 0 < part.regions < full.regions

    def raise_(p):
        if p.regions:
            raise KeyboardInterrupt

    part = count_vertex(net, dom, progress=raise_)
    assert not part.complete and part.stop_reason == "interrupted"
    assert 0 < part.regions < full.regions


def test_sub_boxes_count_each_region_once(monkeypatch):
    """With almost no memory for the cells in flight the domain is cut into sub-boxes; the
    regions met by several of them count once: the same pattern set, per-layer counts and
    certificates as one box."""
    import regioncount.enumeration.vertex as vertex

    net, dom = _two_layer_net(13), Domain.box(-1, 1, 3)
    one = count_vertex(net, dom, keep_patterns=True)
    monkeypatch.setattr(vertex, "MIN_INFLIGHT", 0)
    monkeypatch.setattr(vertex, "INFLIGHT_SHARE", 0.01)
    many = count_vertex(net, dom, keep_patterns=True, keep_points=True, memory_budget=2 << 20)
    assert many.complete and many.extra["subboxes"] > 4
    assert many.regions == one.regions and many.pattern_set() == one.pattern_set()
    assert many.per_layer == one.per_layer
    got = np.concatenate([p.reshape(many.regions, -1) for p in net.region_pattern(many.points)], axis=1)
    assert np.array_equal(got, many.patterns)


def test_workers_count_sub_boxes_in_parallel():
    """Two worker processes count the sub-boxes of the domain: the same regions, pattern set
    and per-layer counts as one process."""
    net, dom = _two_layer_net(14), Domain.box(-1, 1, 3)
    one = count_vertex(net, dom, keep_patterns=True)
    two = count_vertex(net, dom, keep_patterns=True, keep_points=True, workers=2)
    assert two.complete and two.workers == 2 and two.extra["subboxes"] > 1
    assert two.pattern_set() == one.pattern_set() and two.per_layer == one.per_layer
    assert two.extra["unverified_points"] == 0


@pytest.mark.parametrize("seed", range(4))
def test_prefix_counts_equal_distinct_prefixes(seed, monkeypatch):
    """The per-layer counts from one sort, against np.unique of every prefix (blocks of a few
    rows, so that block edges are crossed)."""
    import regioncount.enumeration.vertex as vx
    import regioncount.enumeration.vertex_record as vertex_record

    monkeypatch.setattr(vertex_record, "_BLOCK", 64)
    rng = np.random.default_rng(seed)
    B = rng.integers(0, 3, size=(300, 5)).astype(np.uint8)
    B = np.vstack([B, B[:40]])                          # repeated rows
    widths = [0, 1, 2, 4, 5]
    want = tuple(len(np.unique(B[:, :w], axis=0)) if w else 1 for w in widths)
    assert vx.prefix_counts(B, widths) == want
    assert vx.prefix_counts(B[:0], widths) == (0,) * 5


# -- checkpoints: sub-boxes left and the regions of the finished ones ---------------------------

@pytest.fixture
def sub_boxes(monkeypatch):
    """Almost no memory for the cells in flight: the domain is cut into many sub-boxes."""
    import regioncount.enumeration.vertex as vertex

    monkeypatch.setattr(vertex, "MIN_INFLIGHT", 0)
    monkeypatch.setattr(vertex, "INFLIGHT_SHARE", 0.01)
    monkeypatch.setattr(vertex, "PROGRESS_EVERY", 0.0)
    return 2 << 20


def test_checkpoint_resumes_region_limits_to_the_full_pattern_set(sub_boxes, tmp_path):
    """Stopped every few regions and resumed from its checkpoint until it ends, the count
    finds exactly the pattern set, per-layer counts and certificates of one uninterrupted run:
    no region lost (a stopped sub-box is counted again) nor counted twice (regions met by
    several sub-boxes go through the set rebuilt from the checkpoint)."""
    net, dom = _two_layer_net(13), Domain.box(-1, 1, 3)
    full = count_vertex(net, dom, keep_patterns=True)
    ck = tmp_path / "v.ckpt"
    kw = dict(keep_patterns=True, keep_points=True, memory_budget=sub_boxes, checkpoint=ck,
              checkpoint_every=0.0)
    res = count_vertex(net, dom, max_regions=full.regions // 4, **kw)
    runs = 1
    while not res.complete:
        assert res.stop_reason in ("region limit", "memory budget") and ck.exists()
        res = count_vertex(net, dom, max_regions=res.regions + full.regions // 4, resume=True,
                           **kw)
        runs += 1
        assert runs < 20
    assert runs > 2 and res.extra["subboxes"] > 4
    assert res.regions == full.regions and res.pattern_set() == full.pattern_set()
    assert res.per_layer == full.per_layer and sum(res.per_class.values()) == res.regions
    got = np.concatenate([p.reshape(res.regions, -1) for p in net.region_pattern(res.points)], axis=1)
    assert np.array_equal(got, res.patterns)
    again = count_vertex(net, dom, resume=True, **kw)        # a finished checkpoint: nothing left
    assert again.complete and again.pattern_set() == full.pattern_set()


def test_checkpoint_after_ctrl_c_resumes_exactly(sub_boxes, tmp_path):
    import os
    import signal

    net, dom = _two_layer_net(12), Domain.box(-1, 1, 3)
    full = count_vertex(net, dom, keep_patterns=True)
    ck = tmp_path / "v.ckpt"

    def ctrl_c(p):
        if p.regions > full.regions // 2:
            os.kill(os.getpid(), signal.SIGINT)

    part = count_vertex(net, dom, memory_budget=sub_boxes, checkpoint=ck, progress=ctrl_c,
                        keep_patterns=True)
    assert not part.complete and part.stop_reason == "interrupted"
    assert full.regions // 2 < part.regions < full.regions
    res = count_vertex(net, dom, memory_budget=sub_boxes, checkpoint=ck, resume=True,
                       keep_patterns=True)
    assert res.complete and res.pattern_set() == full.pattern_set()
    assert res.seconds >= part.seconds


def test_checkpoint_refusals(tmp_path):
    net, dom = _two_layer_net(12), Domain.box(-1, 1, 3)
    ck = tmp_path / "v.ckpt"
    count_vertex(net, dom, max_regions=5, checkpoint=ck)
    with pytest.raises(RegioncountError, match="another network or domain"):
        count_vertex(net, Domain.box(-1, 2, 3), checkpoint=ck, resume=True)
    with pytest.raises(RegioncountError, match="without points"):
        count_vertex(net, dom, checkpoint=ck, resume=True, keep_points=True)
    with pytest.raises(RegioncountError, match="--method vertex"):
        count_tree(net, dom, checkpoint=ck, resume=True)
    tree_ck = tmp_path / "t.ckpt"
    count_tree(net, dom, max_regions=5, checkpoint=tree_ck)
    with pytest.raises(RegioncountError, match="--method tree"):
        count_vertex(net, dom, checkpoint=tree_ck, resume=True)
    data = dict(np.load(ck))
    data["box_hi"] = data["box_hi"] + 2.0
    np.savez(tmp_path / "bad.npz", **data)
    with pytest.raises(RegioncountError, match="bad.npz: damaged checkpoint"):
        count_vertex(net, dom, checkpoint=tmp_path / "bad.npz", resume=True)
    with pytest.raises(RegioncountError, match="cannot write the checkpoint"):
        count_vertex(net, dom, checkpoint=tmp_path / "no" / "v.ckpt")


def test_checkpoint_with_workers_resumes_exactly(tmp_path):
    """Two workers stopped by a region limit, then resumed in one process (and the other way
    round): the same pattern set as one uninterrupted run."""
    net, dom = _two_layer_net(14), Domain.box(-1, 1, 3)
    full = count_vertex(net, dom, keep_patterns=True)
    ck = tmp_path / "w.ckpt"
    part = count_vertex(net, dom, workers=2, max_regions=full.regions // 2, checkpoint=ck,
                        keep_patterns=True)
    assert not part.complete
    res = count_vertex(net, dom, checkpoint=ck, resume=True, keep_patterns=True)
    assert res.complete and res.pattern_set() == full.pattern_set()
    part = count_vertex(net, dom, max_regions=full.regions // 3, checkpoint=ck,
                        keep_patterns=True)
    res = count_vertex(net, dom, workers=2, checkpoint=ck, resume=True, keep_patterns=True)
    assert res.complete and res.pattern_set() == full.pattern_set()
    assert res.per_layer == full.per_layer
    assert res.extra["subboxes"] >= 8       # what was left, spread over both workers


def test_sub_boxes_left_are_spread_over_the_workers():
    """One sub-box left (two bisections deep) becomes 4 for 4 tasks: the widest side is
    halved first, the halves tile the box and are one bisection deeper."""
    from regioncount.enumeration.vertex import _bisect
    from regioncount.enumeration.vertex_pool import spread_boxes

    box = (np.array([0.0, 0.0, 0.0]), np.array([0.5, 1.0, 0.25]), 2)
    four = spread_boxes([box], 4, _bisect)
    assert [b[2] for b in four] == [4, 4, 4, 4]
    got = sorted((tuple(l), tuple(h)) for l, h, _ in four)
    assert got == [((0, 0, 0), (0.25, 0.5, 0.25)), ((0, 0.5, 0), (0.25, 1, 0.25)),
                   ((0.25, 0, 0), (0.5, 0.5, 0.25)), ((0.25, 0.5, 0), (0.5, 1, 0.25))]
    assert spread_boxes([box] * 5, 4, _bisect) == [box] * 5


def test_a_worker_whose_record_fills_hands_back_halves(monkeypatch):
    """Workers with a record share of a few kilobytes: each task that fills it keeps what it
    finished and hands back the halves of the rest, counted as new tasks; the count still
    ends with the one-process pattern set."""
    import regioncount.enumeration.vertex_pool as vp

    # 12,000 bytes each, of which a worker's cells and record have half (vp.own_share: its
    # interpreter alone is larger than its share)
    monkeypatch.setattr(vp, "worker_budget", lambda budget, workers: 12000)
    net, dom = _two_layer_net(14), Domain.box(-1, 1, 3)
    one = count_vertex(net, dom, keep_patterns=True)
    two = count_vertex(net, dom, keep_patterns=True, workers=2)
    assert two.complete and two.pattern_set() == one.pattern_set()
    assert two.per_layer == one.per_layer and two.extra["subboxes"] > 8


@pytest.mark.parametrize("seed", range(3))
def test_bucketed_counts_equal_one_sort(seed, monkeypatch):
    """Distinct prefixes and distinct rows counted bucket by bucket (room for a few rows, so
    that there are tens of buckets, over blocks of a few rows) against np.unique of the whole."""
    import regioncount.enumeration.vertex_record as vr

    monkeypatch.setattr(vr, "_BLOCK", 48)
    rng = np.random.default_rng(seed)
    B = rng.integers(0, 3, size=(400, 6)).astype(np.uint8)
    B = np.vstack([B, B[::7]])                          # repeated rows
    C = rng.integers(0, 4, size=len(B))
    U = rng.random(len(B)) < 0.1
    cuts = [0, 1, 57, 200, 333, len(B)]
    parts = [(B[a:b], C[a:b], U[a:b]) for a, b in zip(cuts, cuts[1:])]
    widths = [1, 2, 4, 6]
    want = tuple(len(np.unique(B[:, :w], axis=0)) for w in widths)
    for room in (300, 3000, 10**6):     # every width alone; the first alone, then one sort
        assert vr.distinct_prefixes(lambda: [p[0] for p in parts], len(B), widths, room) == want
    n, per_class, bad = vr.distinct_rows(lambda: parts, len(B), 6, 300)
    _, first = np.unique(B, axis=0, return_index=True)
    assert n == len(first) == sum(per_class.values())
    assert per_class == {int(k): int(v) for k, v in zip(*np.unique(C[first], return_counts=True))}
    assert bad == int(U[first].sum())


@pytest.mark.parametrize("workers", [1, 2])
def test_spilled_record_gives_the_same_count(workers, tmp_path, monkeypatch):
    """A budget whose record share holds a fraction of the regions: with a spill directory
    the patterns go to disk (with workers, each worker's too, taken over by the master), and
    the count is the in-memory one: regions and per-layer counts (the regions met by two
    sub-boxes made distinct at the end). Without the directory the same budget stops the
    count."""
    import regioncount.enumeration.vertex_record as vr

    adopted = []
    real = vr.Spill.adopt
    monkeypatch.setattr(vr.Spill, "adopt", lambda self, *a, **k: adopted.append(
        real(self, *a, **k)) or adopted[-1])
    net, dom = _two_layer_net(14), Domain.box(-1, 1, 3)
    full = count_vertex(net, dom)
    assert full.regions == 602 and full.per_layer == (82, 602)   # as the tree (below)
    assert count_tree(net, dom).regions == 602
    budget = 6000                       # with workers: 2000 bytes each, the master the rest
    res = count_vertex(net, dom, memory_budget=budget, spill_dir=tmp_path, workers=workers)
    assert res.complete and res.regions == 602 and res.per_layer == full.per_layer
    assert sum(res.per_class.values()) == 602
    assert res.extra["spilled"] > res.regions - 300 and res.extra["subboxes"] > 1
    assert list(tmp_path.iterdir()) == []              # the record's files are gone
    assert (sum(adopted) > 100) == (workers > 1)       # rows the workers wrote
    stopped = count_vertex(net, dom, memory_budget=budget, workers=workers)
    assert not stopped.complete and stopped.stop_reason == "memory budget"
    assert stopped.regions < 602


def test_the_end_of_a_spilled_count_reads_one_block_at_a_time(tmp_path, monkeypatch):
    """The regions made distinct and the per-layer counts read the files block by block:
    every block a pass asks for is hashed before the next is read (a pass that listed the
    blocks first would hold the whole record: 5 GB on the moonshot)."""
    import regioncount.enumeration.vertex_record as vr

    monkeypatch.setattr(vr, "_BLOCK", 64 * 14)          # blocks of 64 rows of 14 bytes
    log = []
    real_blocks, real_flagged, real_buckets = (vr.Spill.blocks, vr.Spill.flagged_blocks,
                                               vr.buckets)

    def watched(gen):
        def wrapper(self):
            for blk in gen(self):
                log.append("read")
                yield blk
        return wrapper

    monkeypatch.setattr(vr.Spill, "blocks", watched(real_blocks))
    monkeypatch.setattr(vr.Spill, "flagged_blocks", watched(real_flagged))
    monkeypatch.setattr(vr, "buckets", lambda P, k: (log.append("hash"), real_buckets(P, k))[1])
    net, dom = _two_layer_net(14), Domain.box(-1, 1, 3)
    res = count_vertex(net, dom, memory_budget=6000, spill_dir=tmp_path)
    assert res.complete and res.regions == 602 and res.per_layer == (82, 602)
    reads = [i for i, e in enumerate(log) if e == "read"]
    assert len(reads) >= 5
    assert all(log[i + 1] == "hash" for i in reads)


def test_spilled_files_of_a_sub_box_cut_further_are_removed(monkeypatch, tmp_path):
    """The record of the sub-box being counted goes to disk too; when the cells in flight
    then overflow and the sub-box is cut in two, its files are removed with it (else its
    regions would count twice, flagged or not): the count stays the in-memory one."""
    import regioncount.enumeration.vertex as vertex
    import regioncount.enumeration.vertex_record as vr

    monkeypatch.setattr(vertex, "MIN_INFLIGHT", 0)
    monkeypatch.setattr(vertex, "INFLIGHT_SHARE", 0.96)     # 20 KB of cells, 860 B of record
    removed = []
    real = vr.Spill.rollback
    monkeypatch.setattr(vr.Spill, "rollback", lambda self: removed.append(
        sum(1 for f in self.files if not f.settled)) or real(self))
    net, dom = _two_layer_net(14), Domain.box(-1, 1, 3)
    res = count_vertex(net, dom, memory_budget=21500, spill_dir=tmp_path)
    assert res.complete and res.regions == 602 and res.per_layer == (82, 602)
    assert res.extra["subboxes"] > 8 and sum(removed) > 0


@pytest.mark.parametrize("workers", [1, 2])
def test_spilled_record_with_checkpoints_resumes_exactly(workers, tmp_path):
    """A spilled count stopped every 150 records and resumed from its checkpoint until it
    ends: the files the checkpoint names are reopened (the ones written after it removed),
    and the count is the one of one uninterrupted run in memory; no partial count holds a
    region twice (a task cut by the region limit leaves its whole sub-box, its files
    dropped). A finished count leaves no files, and its checkpoint says there is nothing to
    resume. (With workers: 2000 bytes each, so that they spill too.)"""
    net, dom = _two_layer_net(14), Domain.box(-1, 1, 3)
    full = count_vertex(net, dom)
    ck, sp = tmp_path / "v.ck", tmp_path / "spill"
    kw = dict(memory_budget=6000, spill_dir=sp, checkpoint=ck, checkpoint_every=0.0,
              workers=workers)
    res, limit, runs, spilled = count_vertex(net, dom, max_regions=150, **kw), 150, 1, 0
    while not res.complete:
        assert res.stop_reason in ("region limit", "memory budget") and ck.exists()
        (folder,) = sp.iterdir()                           # kept for the resume
        limit += 150                                       # records, repeats included
        res = count_vertex(net, dom, max_regions=limit, resume=True, **kw)
        assert res.regions <= 602 and res.per_layer[-1] == res.regions
        spilled, runs = max(spilled, res.extra["spilled"]), runs + 1
        assert runs < 30
    assert runs > 3 and spilled > 300
    assert res.regions == full.regions == 602 and res.per_layer == full.per_layer
    assert sum(res.per_class.values()) == 602
    assert list(sp.iterdir()) == []
    with pytest.raises(RegioncountError, match="v.ck: the count finished and its spilled "
                                               "record was removed; there is nothing to resume"):
        count_vertex(net, dom, resume=True, **kw)


def test_spilled_record_checks_on_resume(tmp_path):
    net, dom = _two_layer_net(14), Domain.box(-1, 1, 3)
    ck, sp = tmp_path / "v.ck", tmp_path / "spill"
    kw = dict(memory_budget=6000, spill_dir=sp, checkpoint=ck, checkpoint_every=0.0)
    part = count_vertex(net, dom, max_regions=450, **kw)
    assert not part.complete and part.extra["spilled"] > 0
    (folder,) = sp.iterdir()
    with pytest.raises(RegioncountError, match="part of its record is on disk in .*; "
                                               "resume with --spill-dir"):
        count_vertex(net, dom, checkpoint=ck, resume=True, memory_budget=6000)
    later = folder / "once-999999.npy"                     # as if written after the checkpoint
    later.write_bytes(b"rows the checkpoint does not name")
    mine = folder / "notes.txt"
    mine.write_text("not a file of the count")
    res = count_vertex(net, dom, resume=True, **{**kw, "checkpoint_every": 1e9})
    assert res.complete and res.regions == 602
    assert not later.exists() and not folder.exists()      # removed, then the folder at the end
    part = count_vertex(net, dom, max_regions=450, **kw)
    (folder,) = sp.iterdir()
    victim = sorted(folder.glob("once-*.npy"))[0]
    victim.write_bytes(victim.read_bytes()[:-1])           # one byte short
    with pytest.raises(RegioncountError, match=f"v.ck: its spilled record is damaged or "
                                               f"missing \\({victim.name}\\)"):
        count_vertex(net, dom, resume=True, **kw)
    victim.unlink()
    with pytest.raises(RegioncountError, match="damaged or missing"):
        count_vertex(net, dom, resume=True, **kw)


def test_spill_refusals(tmp_path, cli_run):
    net, dom = _two_layer_net(14), Domain.box(-1, 1, 3)
    for kw in ({"keep_patterns": True}, {"keep_points": True}):
        with pytest.raises(RegioncountError, match="--spill-dir"):
            count_vertex(net, dom, spill_dir=tmp_path, **kw)
    model = MODELS / "moons_2d.onnx"
    code, out, err = cli_run("count", model, "--box", "0,1", "--method", "tree",
                             "--spill-dir", tmp_path, "-q")
    assert code == 2 and "--spill-dir" in err and "vertex" in err
    code, out, err = cli_run("count", model, "--box", "0,1", "--spill-dir", tmp_path, "-q",
                             "--patterns-out", tmp_path / "p.npz")
    assert code == 2 and "--spill-dir" in err and "Traceback" not in err
    code, out, err = cli_run("count", model, "--box", "0,1", "--json", "-q",
                             "--spill-dir", tmp_path, "--memory-budget", "1")
    assert code == 0, err
    import json
    got = json.loads(out)
    plain = count_vertex(load(model), Domain.box(0, 1, 2))
    assert got["regions"] == plain.regions and tuple(got["per_layer"]) == plain.per_layer
    assert got["per_class_rule"] == "interior point"
    # with a checkpoint: stopped, then resumed with the spill directory
    ck = tmp_path / "c.ck"
    args = ("count", model, "--box", "0,1", "--json", "-q", "--spill-dir", tmp_path / "sp",
            "--memory-budget", "1", "--checkpoint", ck)
    code, out, err = cli_run(*args, "--max-regions", "10")
    assert code == 0, err
    assert json.loads(out)["complete"] is False and len(list((tmp_path / "sp").iterdir())) == 1
    code, out, err = cli_run(*args, "--resume")
    assert code == 0, err
    assert json.loads(out)["regions"] == plain.regions and json.loads(out)["complete"]
    code, out, err = cli_run(*args, "--resume")
    assert code == 2 and "nothing to resume" in err and "Traceback" not in err


def test_a_worker_reports_its_running_regions_and_takes_them_back():
    """Progress of a pool count: each running task adds the regions it has found (its count
    may also drop, when a sub-box is cut further) to one shared number, and takes them back
    when its record goes to the master."""
    import multiprocessing as mp

    from regioncount.enumeration.results import Progress
    from regioncount.enumeration.vertex_pool import _Shown

    running = mp.get_context("spawn").Value("q", 0)
    a, b = _Shown(running), _Shown(running)
    a(Progress(10, 0, 0, 0.1))
    b(Progress(4, 0, 0, 0.1))
    a(Progress(25, 0, 0, 0.2))
    assert running.value == 29
    b(Progress(1, 0, 0, 0.3))                       # rolled back
    assert running.value == 26
    a.done()
    assert running.value == 1
    b.done()
    assert running.value == 0
    _Shown(None)(Progress(5, 0, 0, 0.1))            # no shared number: nothing to do


def _cancelling_net(c: float) -> Network:
    """Two units of slope 1e8 whose difference is ``x1``: the forward pass rounds it with an
    error near 3e-8, the composed rows of the vertex method have it exactly; with a line
    ``1e-7`` away, some certificate points lie where the forward pass reads the other side."""
    big = 1e8
    W1 = np.array([[big + 1, 0.0], [big, 0.0], [1.0, -1.0], [0.0, 1.0]])
    b1 = np.array([3 * big, 3 * big, -c - 1e-7, 0.0])
    W2 = np.array([[1.0, -1.0, 0.0, -1.0], [0.0, 0.0, 1.0, 0.0]])
    return Network.from_layers([(W1, b1), (W2, np.array([-c, 0.0]))])


def test_points_the_forward_pass_misreads_are_moved_or_shown_exactly(monkeypatch):
    """A certificate whose pattern the float forward pass does not reproduce is moved to its
    cell's Chebyshev centre, or shown inside its region in exact rationals: no point is left
    unverified, and the certificate module proves every region (7, as the region tree)."""
    from regioncount.enumeration import vertex
    from regioncount.enumeration.certify import certify

    failed = []
    recentre = vertex._Count._recentre
    monkeypatch.setattr(vertex._Count, "_recentre",
                        lambda self, *a: (failed.append(int(a[-1].sum())), recentre(self, *a)))
    dom = Domain.box(-1, 1, 2)
    for c in np.linspace(-0.5, 0.5, 9):
        net = _cancelling_net(c)
        res = count_vertex(net, dom, keep_patterns=True, keep_points=True)
        tree = count_tree(net, dom, keep_patterns=True)
        assert res.regions == 7 and res.pattern_set() == tree.pattern_set()
        assert res.extra["unverified_points"] == 0
        proof = certify(net, dom, res.patterns, res.points)
        assert proof.lower == proof.upper == 7 and proof.checks["points_failed"] == 0
    assert sum(failed) >= 3         # the float pass misread some first points


def test_a_process_share_pays_for_the_process_first():
    """With workers, a share of the budget is for the whole process: what it holds before it
    counts and the temporaries come out of it, never more than half of it."""
    import regioncount.enumeration.vertex_pool as vp

    share = 683 << 20
    assert vp.own_share(share, 85 << 20) == share - (85 << 20) - vp.TEMPORARIES
    assert vp.own_share(share, 600 << 20) == share // 2
    assert vp.own_share(share, None) == share                 # where it cannot be read
    rss = vp.resident_bytes()
    if sys.platform.startswith("linux"):
        assert 10 << 20 < rss < 8 << 30


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim")
def test_trimming_the_heap_gives_freed_memory_back():
    """Many small arrays freed leave their pages in glibc's heap; a trim hands them back."""
    from regioncount.enumeration.heap import resident_bytes, trim_heap

    trim_heap()
    before = resident_bytes()
    keep = [np.ones(1000) for _ in range(20_000)]           # 8 KB each, from the heap
    keep = keep[-1:]                  # 160 MB of it freed, below the last one: no brk shrink
    held = resident_bytes()
    assert held > before + (100 << 20)
    assert trim_heap() and resident_bytes() < held - (100 << 20) and keep


def test_a_spilled_task_sends_its_record_as_files(tmp_path, monkeypatch):
    """With a spill directory and no region limit a worker's task writes its whole record
    to its folder before it ends: the arrays it sends back are empty, the count the same."""
    import regioncount.enumeration.vertex_pool as vp

    sent = []
    real = vp._merge
    monkeypatch.setattr(vp, "_merge", lambda count, result, *a: (
        sent.append(sum(len(p["B"]) for p in result[0])), real(count, result, *a))[1])
    net, dom = _two_layer_net(14), Domain.box(-1, 1, 3)
    res = count_vertex(net, dom, spill_dir=tmp_path, workers=2)
    assert res.complete and res.regions == 602 and res.per_layer == (82, 602)
    assert len(sent) == 8 and sent == [0] * 8
