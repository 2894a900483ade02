"""Exact region enumeration: the region tree and the slices against exact_counts.json, against
each other, against brute force on grids, and under limits, checkpoints and workers."""

import os
import signal

import numpy as np
import pytest

from regioncount import Domain, Network
from regioncount import tolerances as tol
from regioncount.enumeration import count_tree
from regioncount.enumeration import executors as par
from regioncount.enumeration.slices import count_slice, slice_regions_1d, slice_regions_2d
from regioncount.network import Affine, Clip, Input, LeakyRelu, MaxGroups, Relu

from conftest import network_from_entry
from oracles import count_2d, patterns_2d


def _by_name(exact_counts, name):
    return next(e for e in exact_counts if e["name"] == name)


def test_tree_counts_every_reference_network(exact_counts):
    for e in exact_counts:
        net, dom = network_from_entry(e)
        res = count_tree(net, dom, workers=1)
        assert res.complete
        assert res.regions == e["regions"], e["name"]
        assert res.per_layer[-1] == e["regions"]
        assert sum(res.per_class.values()) == e["regions"]


def test_slices_equal_tree_in_dimension_one_and_two(exact_counts):
    done = 0
    for e in exact_counts:
        if e["arch"][0] > 2:
            continue
        net, dom = network_from_entry(e)
        s = count_slice(net, dom)
        t = count_tree(net, dom, workers=1, keep_patterns=True)
        assert s.regions == t.regions == e["regions"], e["name"]
        assert s.pattern_set() == t.pattern_set(), e["name"]
        assert s.per_layer == t.per_layer
        done += 1
    assert done >= 8


def test_certificates_reproduce_patterns_and_have_margin(exact_counts):
    e = _by_name(exact_counts, "random-3-8-8-8-seed5-box1")
    net, dom = network_from_entry(e)
    res = count_tree(net, dom, workers=1, keep_patterns=True, keep_points=True)
    assert len(res.patterns) == len(set(map(bytes, res.patterns))) == 338
    got = np.concatenate(net.pattern(res.points), axis=1)
    assert np.array_equal(got, res.patterns)
    assert np.all(res.margins > tol.REGION_MARGIN)
    assert np.all(dom.contains(res.points))


@pytest.mark.parametrize("factor", [10.0, 0.1])
def test_counts_do_not_move_with_the_tolerances(exact_counts, monkeypatch, factor):
    monkeypatch.setattr(tol, "REGION_MARGIN", tol.REGION_MARGIN * factor)
    monkeypatch.setattr(tol, "EQUAL_PIECES_RTOL", tol.EQUAL_PIECES_RTOL * factor)
    for e in exact_counts:
        net, dom = network_from_entry(e)
        assert count_tree(net, dom, workers=1).regions == e["regions"], e["name"]
        if e["arch"][0] <= 2:
            assert count_slice(net, dom).regions == e["regions"], e["name"]


def test_partial_counts_and_resume_equal_uninterrupted(exact_counts, tmp_path):
    e = _by_name(exact_counts, "random-3-8-8-8-seed5-box1")
    net, dom = network_from_entry(e)
    full = count_tree(net, dom, workers=1, keep_patterns=True)
    ck = tmp_path / "state.ck"
    part = count_tree(net, dom, workers=1, max_regions=100, checkpoint=ck, keep_patterns=True)
    assert not part.complete and part.stop_reason == "region limit"
    assert 100 <= part.regions < 338
    again = count_tree(net, dom, workers=1, max_regions=200, checkpoint=ck, resume=True,
                       keep_patterns=True)
    assert not again.complete and 200 <= again.regions < 338
    rest = count_tree(net, dom, workers=1, checkpoint=ck, resume=True, keep_patterns=True)
    assert rest.complete and rest.regions == 338
    assert len(rest.patterns) == 338 and rest.pattern_set() == full.pattern_set()
    assert rest.per_layer == full.per_layer
    # per class is read at each region's interior point, which may differ after a resume
    assert sum(rest.per_class.values()) == 338


def test_ctrl_c_stops_cleanly_and_resumes_exactly(exact_counts, tmp_path, monkeypatch):
    e = _by_name(exact_counts, "random-3-8-8-8-seed5-box1")
    net, dom = network_from_entry(e)
    import regioncount.enumeration.tree as tree_mod

    monkeypatch.setattr(tree_mod, "PROGRESS_EVERY", 0.0)
    calls = []

    def progress(p):
        calls.append(p.regions)
        if len(calls) == 40:
            os.kill(os.getpid(), signal.SIGINT)   # what Ctrl-C sends

    ck = tmp_path / "ctrlc.ck"
    part = count_tree(net, dom, workers=1, checkpoint=ck, progress=progress)
    assert not part.complete and part.stop_reason == "interrupted"
    assert part.regions < 338
    rest = count_tree(net, dom, workers=1, checkpoint=ck, resume=True)
    assert rest.complete and rest.regions == 338


def test_resume_refuses_another_network(exact_counts, tmp_path):
    from regioncount.errors import RegioncountError

    a, dom = network_from_entry(_by_name(exact_counts, "random-3-8-8-8-seed5-box1"))
    b, dom_b = network_from_entry(_by_name(exact_counts, "random-3-6-6-seed3-box1"))
    ck = tmp_path / "a.ck"
    count_tree(a, dom, workers=1, max_regions=10, checkpoint=ck)
    with pytest.raises(RegioncountError, match="another network"):
        count_tree(b, dom_b, workers=1, checkpoint=ck, resume=True)


def test_time_limit_returns_partial(exact_counts):
    net, dom = network_from_entry(_by_name(exact_counts, "random-3-8-8-8-seed5-box1"))
    res = count_tree(net, dom, workers=1, time_limit=0.0)
    assert not res.complete and res.stop_reason == "time limit" and res.regions < 338


def test_two_workers_agree_with_one(exact_counts, monkeypatch, tmp_path):
    monkeypatch.setattr(par, "SERIAL_WARMUP", 0.0)     # force the pool even on a small tree
    monkeypatch.setattr(par, "SUBTREES_PER_WORKER", 4)
    e = _by_name(exact_counts, "random-3-8-8-8-seed5-box1")
    net, dom = network_from_entry(e)
    one = count_tree(net, dom, workers=1, keep_patterns=True)
    two = count_tree(net, dom, workers=2, keep_patterns=True)
    assert two.complete and two.regions == one.regions == 338
    assert two.pattern_set() == one.pattern_set()
    assert two.per_layer == one.per_layer
    assert sum(two.per_class.values()) == 338
    # a parallel count stopped early resumes exactly
    ck = tmp_path / "par.ck"
    part = count_tree(net, dom, workers=2, max_regions=50, checkpoint=ck)
    assert not part.complete
    rest = count_tree(net, dom, workers=2, checkpoint=ck, resume=True)
    assert rest.complete and rest.regions == 338


# -- merging identical pieces, other unit kinds, brute force on a grid -----------------------

def _grid_count(net, lo, hi, n=700):
    """Distinct tuples of per-stage local affine maps on a dense grid: two points are in the
    same activation region exactly when every PWL unit is on the same affine function."""
    s = np.linspace(lo, hi, n)
    X = np.stack(np.meshgrid(s, s), -1).reshape(-1, 2)
    vals = net.forward(X)
    pats = np.concatenate([p.astype(np.int64) for p in net.pattern(X)], axis=1)
    keys = set()
    for p in np.unique(pats, axis=0):
        x = X[np.all(pats == p, axis=1)][0]
        maps = net.affine_maps(x)
        keys.add(tuple(np.round(np.concatenate([np.c_[A, c].ravel() for (A, c), st in
                                                zip(maps, net.stages) if st.is_pwl]), 9)))
    del vals
    return len(keys)


def _maxpool_net():
    # y = max(relu(x1 - 0.5), relu(x2 - 0.5)), z = max(relu(-x1 - 0.5), relu(-x2 - 0.5)).
    # On [-1, 1]^2 the lines x_i = +-1/2 cut the square into 9 cells; in the middle cell all four
    # ReLUs are inactive and both max-pools take the max of two zeros: ONE piece each (counting
    # one piece per index would split it and every cell where a pool sees two zeros).
    # Cells: ReLU patterns of (x1 - 1/2, x2 - 1/2) x (-x1 - 1/2, -x2 - 1/2) = 9 cells; in the
    # top-right cell both ReLUs of y are active and y = max(x1, x2) - 1/2 splits along x1 = x2:
    # the same in the bottom-left cell for z. So 9 + 2 = 11 activation regions.
    W = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0], [0.0, -1.0]])
    st = [Input(size=2), Affine(size=4, sources=(0,), weights=(W,), bias=np.full(4, -0.5)),
          Relu(size=4, source_index=1),
          MaxGroups(size=2, source_index=2, indptr=np.array([0, 2, 4]), indices=np.arange(4))]
    return Network(st, name="maxpool-toy")


def test_maxpool_over_relu_merges_identical_pieces():
    net = _maxpool_net()
    dom = Domain.box(-1, 1, 2)
    t = count_tree(net, dom, workers=1, keep_patterns=True)
    assert t.regions == 11
    assert count_slice(net, dom).regions == 11
    assert _grid_count(net, -1, 1) == 11
    assert count_2d(net, dom) == 11 and t.pattern_set() == patterns_2d(net, dom)


def _mixed_net(rng, kind):
    W1, b1 = rng.normal(size=(6, 2)), rng.normal(size=6) * 0.5
    W2, b2 = rng.normal(size=(4, 6)), rng.normal(size=4) * 0.5
    st = [Input(size=2), Affine(size=6, sources=(0,), weights=(W1,), bias=b1)]
    if kind == "clip":
        st.append(Clip(size=6, source_index=1, lo=np.full(6, -0.5), hi=np.full(6, 0.7)))
    elif kind == "leaky":
        st.append(LeakyRelu(size=6, source_index=1, alpha=np.full(6, 0.1)))
    else:  # maxout over pairs
        st.append(MaxGroups(size=3, source_index=1, indptr=np.array([0, 2, 4, 6]),
                            indices=np.arange(6)))
    w = st[-1].size
    st.append(Affine(size=4, sources=(len(st) - 1,), weights=(W2[:, :w],), bias=b2))
    st.append(Relu(size=4, source_index=len(st) - 1))
    # a residual-style second source: the output also reads the input directly (a DAG)
    st.append(Affine(size=3, sources=(len(st) - 1, 0),
                     weights=(rng.normal(size=(3, 4)), rng.normal(size=(3, 2))), bias=np.zeros(3)))
    return Network(st, name=f"mixed-{kind}")


@pytest.mark.parametrize("kind", ["clip", "leaky", "maxout"])
def test_other_unit_kinds_tree_equals_slice_and_grid(kind):
    net = _mixed_net(np.random.default_rng({"clip": 1, "leaky": 2, "maxout": 3}[kind]), kind)
    dom = Domain.box(-1.5, 1.5, 2)
    t = count_tree(net, dom, workers=1, keep_patterns=True, keep_points=True)
    s = count_slice(net, dom)
    assert t.regions == s.regions
    assert t.pattern_set() == s.pattern_set()
    # per class: the argmax at each method's own interior point (a region may hold several)
    assert sum(t.per_class.values()) == sum(s.per_class.values()) == t.regions
    labels = np.argmax(net.evaluate(t.points), axis=1)
    assert t.per_class == {int(k): int(v) for k, v in zip(*np.unique(labels, return_counts=True))}
    got = np.concatenate(net.pattern(t.points), axis=1)
    assert np.array_equal(got, t.patterns)
    g = _grid_count(net, -1.5, 1.5)
    assert g <= t.regions and g >= t.regions - 2      # a grid can miss slivers, never invent
    # the exact count: the rational polygon oracle of tests/oracles.py (no enumeration code)
    exact = {"clip": 85, "leaky": 54, "maxout": 32}[kind]
    assert count_2d(net, dom) == exact
    assert t.regions == s.regions == exact
    assert t.pattern_set() == patterns_2d(net, dom)


def test_polytope_domain_tree_equals_slice(exact_counts):
    net, box = network_from_entry(_by_name(exact_counts, "random-2-8-8-seed2-box1"))
    dom = Domain(box.lo, box.hi, A=np.array([[1.0, 1.0], [-1.0, 2.0]]), b=np.array([0.3, 1.2]))
    t = count_tree(net, dom, workers=1, keep_patterns=True, keep_points=True)
    s = count_slice(net, dom)
    assert t.regions == s.regions and t.pattern_set() == s.pattern_set()
    # 15: the exact polygon oracle of tests/oracles.py clips the box by the two half-planes
    # and the network's lines in rational arithmetic (issue 18 found 15 patterns among 4
    # million samples too)
    assert t.regions == 15 == count_2d(net, dom)
    assert t.pattern_set() == patterns_2d(net, dom)
    assert np.all(dom.contains(t.points))


def test_slices_of_a_higher_dimensional_network(exact_counts):
    net, dom = network_from_entry(_by_name(exact_counts, "random-3-6-6-seed3-box1"))
    # a plane through the cube: every polygon's interior point has the polygon's pattern,
    # the polygons tile the slice, and every pattern is one the tree found
    tree = count_tree(net, dom, workers=1, keep_patterns=True)
    polys = slice_regions_2d(net, [0, 0, 0.1], [1, 0, 0], [0, 1, 0.2], ((-1, 1), (-1, 1)), dom)
    assert len(polys) > 5
    for p in polys:
        assert np.array_equal(np.concatenate(net.pattern(p.point)), p.pattern)
    assert abs(sum(p.area for p in polys) - 4.0) < 1e-9
    assert {bytes(p.pattern.astype(np.int32)) for p in polys} <= tree.pattern_set()
    segs = slice_regions_1d(net, [-1, -1, -1], [1, 1, 1], (0.0, 2.0), dom)
    assert segs[0].t0 == 0.0 and segs[-1].t1 == 2.0
    assert all(a.t1 == b.t0 for a, b in zip(segs, segs[1:]))
    assert len({bytes(s.pattern) for s in segs}) == len(segs)


def test_per_class_counts_follow_the_output_argmax():
    # |x| - 0.5 style net on [-1, 1]: outputs (relu(x), relu(-x)); the argmax is 0 on x > 0
    # and 1 on x < 0, and each ReLU region has one class
    net = Network.from_layers([(np.array([[1.0], [-1.0]]), np.zeros(2))],
                              final=(np.eye(2), np.zeros(2)))
    res = count_tree(net, Domain.box(-1, 1, 1), workers=1)
    assert res.regions == 2 and res.per_class == {0: 1, 1: 1}


def test_workers_in_a_script_without_main_guard(tmp_path):
    """A script that counts with workers at its top level, without the main guard, would be
    re-run by every spawned worker and hang: it counts in one process with a warning; the
    guarded script uses its workers. Same count either way."""
    import subprocess
    import sys

    body = ("import numpy as np\nfrom regioncount import Domain, Network\n"
            "from regioncount.enumeration import count_tree\n"
            "rng = np.random.default_rng(0)\n"
            "net = Network.from_layers([(rng.normal(size=(8, 2)), rng.normal(size=8)),"
            " (rng.normal(size=(8, 8)), rng.normal(size=8))])\n")
    call = "r = count_tree(net, Domain.box(-1, 1, 2), workers=2)\nprint(r.regions, r.workers)\n"
    guarded = "if __name__ == '__main__':\n" + "".join("    " + ln + "\n" for ln in call.splitlines())
    out = {}
    for name, text in (("plain.py", body + call), ("guarded.py", body + guarded)):
        (tmp_path / name).write_text(text)
        p = subprocess.run([sys.executable, str(tmp_path / name)], capture_output=True, text=True,
                           timeout=120)
        assert p.returncode == 0, p.stderr
        out[name] = (p.stdout.split(), p.stderr)
    assert out["plain.py"][0][1] == "1" and "one process" in out["plain.py"][1]
    assert out["guarded.py"][0][1] == "2"
    assert out["plain.py"][0][0] == out["guarded.py"][0][0]


def _near_equal_members():
    """A max group whose first two members are ``0.3 x + 0.1`` and ``(0.1 + 0.2) x + 0.1``:
    the same function up to rounding (their slopes differ by 5.6e-17)."""
    W = np.array([[0.3, 0.0], [0.1 + 0.2, 0.0], [0.0, 1.0], [1.0, -1.0], [-1.0, 0.5],
                  [0.2, 0.3]])
    return Network([Input(size=2), Affine(size=6, sources=(0,), weights=(W,),
                                          bias=np.array([0.1, 0.1, 0.0, 0.2, -0.1, 0.0])),
                    MaxGroups(size=2, source_index=1, indptr=np.array([0, 3, 6]),
                              indices=np.arange(6)),
                    Affine(size=2, sources=(2,), weights=(np.eye(2),), bias=np.zeros(2))])


def test_max_members_equal_within_rounding_in_every_method():
    """Members that are the same function up to rounding are one piece, numbered by the
    first, in the tree, the slices and the vertex method alike: 5 regions (with the second
    member's slope exactly 0.3 the network is the same and so is the count)."""
    from regioncount.enumeration.vertex import count_vertex

    net, dom = _near_equal_members(), Domain.box(-1, 1, 2)
    tree = count_tree(net, dom, keep_patterns=True)
    exact_twin = Network([*net.stages[:1], Affine(size=6, sources=(0,),
                          weights=(np.where(np.arange(6)[:, None] == 1, [[0.3, 0.0]],
                                            net.stages[1].weights[0]),),
                          bias=net.stages[1].bias), *net.stages[2:]])
    assert tree.regions == count_tree(exact_twin, dom).regions == 5
    assert count_slice(net, dom).regions == 5
    assert count_vertex(net, dom, keep_patterns=True).pattern_set() == tree.pattern_set()
    assert not any(p[0] == 1 for p in tree.patterns)
