"""Tests written against the mutants of regioncount/enumeration/vertex.py
(benchmarks/mutation.py, docs/benchmarks.md "Mutation score"): the cells handed out, the
Chebyshev centres and moved certificates against geometry computed from the cells' vertices
alone, the packed patterns, the record, the sub-boxes and the refusals."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest
from scipy.optimize import linprog
from scipy.spatial import ConvexHull

from regioncount import Domain, Network, RegioncountError
from regioncount.enumeration import vertex as vx
from regioncount.enumeration.limits import Limits
from regioncount.enumeration.vertex_cells import row_bits
from regioncount.errors import DomainError
from regioncount.stages import Affine, Input, MaxGroups, Relu


def _bitset(Z, rows):
    """Which of ``rows`` are set in each incidence row of ``Z``."""
    w, m = row_bits(np.asarray(rows), Z.shape[1])
    return (Z[:, w] & m) != 0


# -- the cells handed out -----------------------------------------------------------------------

def test_unit_cube_of_a_given_box():
    """``unit_cube(d, lo, hi)``: the corners of ``[lo, hi]`` (integer bounds read as floats),
    each tight on its d face rows, and the 12 edges of a 3-cube one coordinate apart."""
    c = vx.unit_cube(3, [1, -2, 0], [4, 3, 1])
    assert c.V.dtype == np.float64 and c.Z.dtype == np.uint64 and c.Z.shape == (8, 1)
    assert sorted(map(tuple, c.V.tolist())) == sorted(
        (x, y, z) for x in (1.0, 4.0) for y in (-2.0, 3.0) for z in (0.0, 1.0))
    lo, hi = np.array([1, -2, 0]), np.array([4, 3, 1])
    for i in range(3):
        assert np.array_equal(_bitset(c.Z, [2 * i])[:, 0], c.V[:, i] == lo[i])
        assert np.array_equal(_bitset(c.Z, [2 * i + 1])[:, 0], c.V[:, i] == hi[i])
    assert len(c.E) == 12
    assert all(np.sum(c.V[a] != c.V[b]) == 1 for a, b in c.E)
    assert np.allclose(c.centre(), [2.5, 0.5, 0.5])
    assert np.array_equal(vx.unit_cube(2).V.min(axis=0), [0, 0])
    assert np.array_equal(vx.unit_cube(2).V.max(axis=0), [1, 1])


@pytest.mark.parametrize("n,words", [(60, 1), (61, 2)])
def test_split_all_by_many_unnormalised_lines(n, words):
    """``n`` lines ``2 x - 2 k / (n + 1) = 0`` (not unit norm) cut the unit square into n + 1
    strips; the incidence has one 64-bit word per 64 rows (4 box faces and the lines: 64 rows
    in one word, 65 in two) and the row of each line is set on exactly the vertices on it."""
    La = np.tile([2.0, 0.0], (n, 1))
    Lb = -2.0 * np.arange(1, n + 1) / (n + 1)
    cells = vx.split_all(vx.unit_cube(2), La, Lb, 2)
    assert len(cells) == n + 1
    lefts = sorted(float(c.V[:, 0].min()) for c in cells)
    assert np.allclose(lefts, np.arange(n + 1) / (n + 1))
    for c in cells:
        assert c.Z.dtype == np.uint64 and c.Z.shape == (4, words)
        assert len(c.V) == 4 and len(c.E) == 4
        for i in range(n):
            on = np.isclose(c.V[:, 0], (i + 1) / (n + 1), atol=1e-12)
            assert np.array_equal(_bitset(c.Z, [4 + i])[:, 0], on)


def test_split_all_scale_of_a_line():
    """A line given as ``3 x + 3 y - 1.5`` cuts where ``x + y = 0.5``; one given as
    ``-4 y + 1`` where ``y = 0.25``; both scales kept apart from the offsets."""
    cells = vx.split_all(vx.unit_cube(2), [[3.0, 3.0], [0.0, -4.0]], [-1.5, 1.0], 2)
    areas = sorted(ConvexHull(c.V).volume for c in cells)
    # the four pieces: integrals of their widths over y (x + y < 0.5 or > 0.5, y < or > 0.25)
    assert np.allclose(areas, [0.03125, 0.09375, 0.15625, 0.71875])


# -- certificates: Chebyshev centres against the cells' own vertices -----------------------------

def _net2(seed, widths=(8, 6), d=2):
    """A ReLU chain (``widths`` units a layer) with a 3-output affine stage at the end."""
    rng = np.random.default_rng(seed)
    layers, n = [], d
    for w in widths:
        layers.append((rng.normal(size=(w, n)), rng.normal(size=w) * 0.4))
        n = w
    layers.append((rng.normal(size=(3, n)), rng.normal(size=3)))
    return Network.from_layers(layers)


def _sub_box(net, lo, hi, monkeypatch, rows=None, budget=1 << 28):
    """Count the sub-box ``[lo, hi]`` of the unit cube (cut by the half-spaces ``rows``:
    ``(A, b)``) with the count's own engine; the count and, per call of ``record``, its cells
    and table."""
    d = net.input_size
    dom = Domain(np.zeros(d), np.ones(d), *(rows or (None, None)))
    count = vx._Count(net, dom, budget, Limits.starting(time.monotonic(), None, None), None,
                      time.monotonic(), keep_points=True)
    seen, real = [], vx._Count.record
    monkeypatch.setattr(vx._Count, "record", lambda self, cs, P, table, x=None: (
        seen.append((cs, table)), real(self, cs, P, table, x))[1])
    lo, hi = np.asarray(lo, float), np.asarray(hi, float)
    assert count.run_box(lo, hi, vx._inner_faces(lo, hi, count.plan.words)) == ""
    return count, seen


def _facets(V, lo, hi):
    """The facets of the polygon ``V`` that are not on a face of the box ``[lo, hi]``, as unit
    rows ``n x + off <= 0`` (from its convex hull)."""
    h = ConvexHull(V)
    keep = []
    for simplex, eq in zip(h.simplices, h.equations):
        P = V[simplex]
        on_box = any(np.allclose(P[:, i], lo[i], atol=1e-12) or np.allclose(P[:, i], hi[i],
                     atol=1e-12) for i in range(V.shape[1]))
        if not on_box:
            keep.append(eq)
    return np.array(keep).reshape(-1, V.shape[1] + 1)


def _radius(F, lo, hi):
    """The largest ball (centre in the box, radius at most 1) inside the rows ``F``."""
    d = len(lo)
    res = linprog(np.r_[np.zeros(d), -1.0], A_ub=np.hstack([F[:, :d], np.ones((len(F), 1))]),
                  b_ub=-F[:, d], bounds=[(a, b) for a, b in zip(lo, hi)] + [(None, 1.0)])
    assert res.status == 0
    return -res.fun


#: half-spaces ``A x <= b`` of a polytope domain (not unit rows)
CUT = (np.array([[1.0, 1.0], [2.0, -1.0]]), np.array([1.3, 1.5]))


@pytest.mark.parametrize("seed,lo,hi,rows", [(0, [0, 0], [1, 1], None),
                                             (1, [0.5, 0], [1, 0.5], None),
                                             (2, [0, 0.25], [0.5, 1], None),
                                             (0, [0, 0], [1, 1], CUT), (4, [0.5, 0], [1, 1], CUT)])
def test_chebyshev_centre_of_every_cell(seed, lo, hi, rows, monkeypatch):
    """Every cell's Chebyshev point lies in the open sub-box, its slack is its distance to the
    cell's nearest facet (the convex hull of its vertices, box faces apart; every row of the
    domain too) and at least half the largest inscribed radius (the point is moved towards
    the sub-box centre by at most half of it)."""
    lo, hi = np.array(lo, float), np.array(hi, float)
    count, seen = _sub_box(_net2(seed), lo, hi, monkeypatch, rows)
    n = 0
    for cs, table in seen:
        for i in range(cs.nc):
            V = cs.V[cs.vertex_index(np.array([i]))]
            F = _facets(V, lo, hi)
            if rows is not None:
                nr = np.linalg.norm(rows[0], axis=1)
                F = np.vstack([F, np.column_stack([rows[0], -rows[1]]) / nr[:, None]])
            x, slack = count._chebyshev(cs, table, i)
            assert np.all(x > lo) and np.all(x < hi)
            assert math.isclose(slack, float(np.min(-F[:, 2] - F[:, :2] @ x)), abs_tol=1e-9)
            assert slack >= 0.5 * _radius(F, lo, hi) - 1e-9
            n += 1
    assert n >= 5 and count.lps == n


@pytest.mark.parametrize("lo,hi", [([0, 0], [1, 1]), ([0.5, 0], [1, 0.5])])
def test_chebyshev_centre_of_a_cell_with_no_facet(lo, hi, monkeypatch):
    """A sub-box no line crosses is one cell with no facet: its centre, at an infinite
    distance from any facet."""
    net = Network.from_layers([(np.array([[1.0, 1.0]]), np.array([-3.0])),
                               (np.ones((2, 1)), np.zeros(2))])
    count, seen = _sub_box(net, lo, hi, monkeypatch)
    (cs, table), = seen
    x, slack = count._chebyshev(cs, table, 0)
    assert np.array_equal(x, 0.5 * (np.array(lo) + np.array(hi))) and slack == math.inf


def _misread(monkeypatch, calls):
    """``verify`` made to report every point misread on the calls numbered in ``calls`` (its
    classes still the network's); the list of the calls' sizes."""
    real, sizes = vx.verify, []

    def fake(net, packer, B, X):
        C, U = real(net, packer, B, X)
        sizes.append(len(X))
        return C, (np.ones_like(U) if calls == "all" or len(sizes) - 1 in calls else U)

    monkeypatch.setattr(vx, "verify", fake)
    return sizes


def _check_record(count, net, lo, hi, exact_centres=False):
    """Every recorded point reproduces its pattern inside the sub-box, its class is the
    network's argmax there, and no point is left unverified."""
    rec = count.store.arrays()
    X, M, C, U = rec["X"], rec["M"], rec["C"], rec["U"]
    assert len(X) and not U.any()
    assert np.all(X > lo) and np.all(X < hi) and np.all(M > 0)
    got = np.concatenate([p.reshape(len(X), -1) for p in net.region_pattern(X)], axis=1)
    assert np.array_equal(got, count.plan.packer.unpack(rec["B"]))
    assert np.array_equal(C, np.argmax(net.forward(X)[net.output], axis=1))
    assert len(set(C.tolist())) > 1
    return rec


def test_misread_points_move_to_their_chebyshev_centre(monkeypatch):
    """Points the forward pass is made to misread once are moved to their cell's Chebyshev
    centre (one LP each), whose class and margin (the distance to the cell's nearest facet)
    are recorded."""
    net, lo, hi = _net2(3), np.zeros(2), np.ones(2)
    sizes = _misread(monkeypatch, {0})
    count, seen = _sub_box(net, lo, hi, monkeypatch)
    (cs, table), = seen
    rec = _check_record(count, net, lo, hi)
    assert count.lps == cs.nc == len(rec["X"]) and sizes == [cs.nc] + [1] * cs.nc
    for i in range(cs.nc):
        x, slack = count._chebyshev(cs, table, i)
        assert np.array_equal(rec["X"][i], x) and rec["M"][i] == slack


def test_points_misread_twice_are_shown_in_exact_arithmetic(monkeypatch):
    """Points misread at the vertex mean and at the Chebyshev centre are shown inside their
    region in rationals: kept with their slack on the cell's rows, their class read again and
    counted as shown."""
    net, lo, hi = _net2(3), np.zeros(2), np.ones(2)
    sizes = _misread(monkeypatch, "all")
    count, seen = _sub_box(net, lo, hi, monkeypatch)
    (cs, table), = seen
    rec = _check_record(count, net, lo, hi)
    n = cs.nc
    assert sizes == [n] + [1] * n + [1] * n
    for i in range(n):
        Ra, Rb = count._cell_rows(cs, table, i)
        assert rec["M"][i] == pytest.approx(float(np.min(Rb - Ra @ rec["X"][i])), abs=1e-15)


def test_a_misread_point_of_a_cell_with_no_row(monkeypatch):
    """A sub-box that is one region, its point misread every time: its centre is shown in
    exact arithmetic, at an infinite margin."""
    net = Network.from_layers([(np.array([[1.0, 1.0]]), np.array([-3.0])),
                               (np.array([[1.0], [2.0]]), np.array([0.0, 1.0]))])
    _misread(monkeypatch, "all")
    count, _ = _sub_box(net, [0.5, 0], [1, 0.5], monkeypatch)
    rec = count.store.arrays()
    assert rec["M"].tolist() == [math.inf] and not rec["U"].any() and rec["C"].tolist() == [1]
    assert np.allclose(rec["X"], [[0.75, 0.25]])


# -- checkpoints: what a resumed count starts from ----------------------------------------------

def _three_d(seed=12):
    rng = np.random.default_rng(seed)
    return Network.from_layers([(rng.normal(size=(8, 3)), rng.normal(size=8) * 0.3),
                                (rng.normal(size=(8, 8)), rng.normal(size=8) * 0.3),
                                (rng.normal(size=(2, 8)), np.zeros(2))])


def test_reopen_spill_says_why(tmp_path):
    p = tmp_path / "v.ck"
    assert vx._reopen_spill(p, None, tmp_path, 3, []) is None
    with pytest.raises(RegioncountError, match=r"^.*v\.ck: damaged checkpoint \(its spilled "
                                               r"record\)$"):
        vx._reopen_spill(p, ["not", "a", "dict"], tmp_path, 3, [])
    gone = {"removed": True, "dir": "somewhere"}
    with pytest.raises(RegioncountError, match=r"v\.ck: the count finished and its spilled "
                                               r"record was removed; there is nothing to "
                                               r"resume$"):
        vx._reopen_spill(p, gone, tmp_path, 3, [])
    with pytest.raises(RegioncountError, match=r"v\.ck: damaged checkpoint \(its spilled "
                                               r"record is gone\)$"):
        vx._reopen_spill(p, gone, tmp_path, 3, [(0, 1, 0)])
    with pytest.raises(RegioncountError, match=r"v\.ck: part of its record is on disk in "
                                               r"/some/where; resume with --spill-dir$"):
        vx._reopen_spill(p, {"dir": "/some/where"}, None, 3, [(0, 1, 0)])


class _Checkpoint:
    """A checkpoint's contents without a file: the record, the sub-boxes left, the header."""

    path = "fake.ck"

    def __init__(self, rec, boxes, header):
        self.data = rec, boxes, header

    def read(self):
        return self.data


def _counters(**kw):
    from regioncount.enumeration.vertex_checkpoint import COUNTERS
    return {**{c: 0 for c in COUNTERS}, "seconds": 2.5, "spill": None, **kw}


def test_resume_restores_the_record_and_counters():
    net = _three_d()
    count = vx._Count(net, Domain.box(0, 1, 3), 1 << 28, Limits.starting(0.0, None, None),
                      None, time.monotonic())
    w = count.plan.packer.nbytes
    rec = {"B": np.arange(5 * w, dtype=np.uint8).reshape(5, w), "F": np.array([1, 0, 1, 0, 0],
           bool), "C": np.arange(5, dtype=np.int32), "U": np.zeros(5, bool)}
    boxes = [(np.zeros(3), np.ones(3), 0)]
    count.checkpoint = _Checkpoint(rec, boxes, _counters(cells=7, lps=3, subboxes=2))
    assert count.resume() is boxes
    assert count.store.n == 5 and len(count.store.seen) == 2
    assert (count.cells, count.lps, count.subboxes, count.prior_seconds) == (7, 3, 2, 2.5)
    assert count.seconds() >= 2.5
    count.store.rollback()                          # the restored record stays
    assert count.store.n == 5 and count.store.arrays()["B"].shape == (5, w)
    count.checkpoint = _Checkpoint(rec, boxes, _counters(spill={"removed": True}))
    with pytest.raises(RegioncountError, match="is gone"):
        count.resume()


def test_a_resumed_count_stops_exactly_at_its_region_limit(tmp_path):
    """Resumed with a region limit, the count stops when the regions found before and after
    reach it, exactly."""
    net, dom = _three_d(), Domain.box(-1, 1, 3)
    ck = tmp_path / "v.ck"
    first = vx.count_vertex(net, dom, max_regions=40, checkpoint=ck, keep_patterns=True)
    assert not first.complete and first.regions == 40
    res = vx.count_vertex(net, dom, max_regions=47, checkpoint=ck, resume=True,
                          keep_patterns=True)
    assert not res.complete and res.regions == 47 and res.stop_reason == "region limit"
    assert first.pattern_set() < res.pattern_set()


def test_a_resumed_spilled_count_counts_its_files(tmp_path):
    """A spilled count resumed with a region limit no larger than what its files hold stops
    at once: the records on disk count towards the limit."""
    net, dom = _three_d(14), Domain.box(-1, 1, 3)
    ck, sp = tmp_path / "v.ck", tmp_path / "spill"
    kw = dict(memory_budget=6000, spill_dir=sp, checkpoint=ck, checkpoint_every=0.0)
    part = vx.count_vertex(net, dom, max_regions=450, **kw)
    assert not part.complete and part.extra["spilled"] > 300
    again = vx.count_vertex(net, dom, max_regions=part.extra["spilled"], resume=True, **kw)
    assert not again.complete and again.stop_reason == "region limit"
    assert again.regions <= part.regions and again.extra["spilled"] == part.extra["spilled"]


# -- the maps of stages that read several sources -------------------------------------------------

def _skip_net(seed):
    """Input (2) -> affine 5 -> ReLU -> affine reading the ReLU and the input (one unit is
    ReLU(x1) - x1 + 0.2: constant where x1 > 0) -> ReLU -> affine reading both ReLU stages."""
    rng = np.random.default_rng(seed)
    W1 = rng.normal(size=(5, 2))
    W1[0] = [1.0, 0.0]
    Wa, Wb = rng.normal(size=(4, 5)), rng.normal(size=(4, 2))
    Wa[0], Wb[0] = [1.0, 0, 0, 0, 0], [-1.0, 0.0]
    b2 = rng.normal(size=4) * 0.3
    b2[0] = 0.2
    stages = [Input(size=2),
              Affine(size=5, sources=(0,), weights=(W1,), bias=rng.normal(size=5) * 0.3),
              Relu(size=5, source_index=1),
              Affine(size=4, sources=(2, 0), weights=(Wa, Wb), bias=b2),
              Relu(size=4, source_index=3),
              Affine(size=3, sources=(4, 2), weights=(rng.normal(size=(3, 4)),
                                                     rng.normal(size=(3, 5))), bias=np.zeros(3))]
    return Network(stages)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_stages_reading_several_sources_against_the_exact_oracle(seed):
    import oracles

    net, dom = _skip_net(seed), Domain.box(-1, 1, 2)
    res = vx.count_vertex(net, dom, keep_patterns=True, keep_points=True)
    want = oracles.patterns_exact(net, dom)
    assert res.complete and res.regions == len(want) and res.pattern_set() == want
    got = np.concatenate([p.reshape(res.regions, -1) for p in net.region_pattern(res.points)],
                         axis=1)
    assert np.array_equal(got, res.patterns) and res.extra["unverified_points"] == 0


# -- packed patterns -----------------------------------------------------------------------------

def _max(size, group, src=0):
    return MaxGroups(size=size, source_index=src, indptr=np.arange(0, size * group + 1, group),
                     indices=np.arange(size * group))


def test_packer_two_pieces_a_bit_per_unit_each_stage_from_a_byte():
    p = vx._Packer([Relu(size=9, source_index=0), Relu(size=3, source_index=0)])
    assert p.binary and p.nbytes == 3 and p.prefix.tolist() == [0, 2, 3]
    P = np.array([[1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 1], [0] * 11 + [1]], np.int8)
    B = p.pack(P)
    assert B.dtype == np.uint8 and B.tolist() == [[128, 128, 96], [0, 0, 32]]
    assert p.unpack(B).dtype == np.int32 and np.array_equal(p.unpack(B), P)


@pytest.mark.parametrize("group,dtype", [(3, np.int8), (127, np.int8), (128, np.int32)])
def test_packer_more_pieces_a_value_per_unit(group, dtype):
    p = vx._Packer([_max(2, group), Relu(size=1, source_index=0)])
    item = np.dtype(dtype).itemsize
    assert not p.binary and p.dtype == dtype and p.nbytes == 3 * item
    assert p.prefix.tolist() == [0, 2 * item, 3 * item]
    P = np.array([[group - 1, 0, 1], [1, group - 2, 0]])
    B = p.pack(P)
    assert B.dtype == np.uint8 and B.shape == (2, 3 * item)
    assert np.array_equal(B[:, :item].view(dtype).ravel(), [group - 1, 1])
    assert np.array_equal(p.unpack(B), P) and p.unpack(B).dtype == np.int32


def test_packer_of_no_stage():
    p = vx._Packer([])
    B = p.pack(np.zeros((3, 0), np.int8))
    assert B.shape == (3, 0) and B.dtype == np.uint8 and p.nbytes == 0
    U = p.unpack(B)
    assert U.shape == (3, 0) and U.dtype == np.int32
    res = vx.count_vertex(Network([Input(size=2), Affine(size=1, sources=(0,),
                          weights=(np.ones((1, 2)),), bias=np.zeros(1))]), Domain.box(0, 1, 2),
                          keep_patterns=True)
    assert res.regions == 1 and res.patterns.shape == (1, 0) and res.per_layer == ()


# -- sub-boxes, refusals --------------------------------------------------------------------------

def test_inner_faces_and_bisection():
    words = 1
    assert vx._inner_faces(np.zeros(3), np.ones(3), words).tolist() == [0]
    got = vx._inner_faces(np.array([0.5, 0, 0.25]), np.array([1, 0.5, 1.0]), words)
    assert got.dtype == np.uint64 and got.tolist() == [(1 << 0) | (1 << 3) | (1 << 4)]
    got = vx._inner_faces(np.zeros(40), np.r_[np.ones(39), 0.5], 2)
    assert got.tolist() == [0, 1 << (79 - 64)]
    lo, hi = np.array([0.0, 0.25, 0.0]), np.array([0.5, 1.0, 0.75])
    (l1, h1), (l2, h2) = vx._bisect(lo, hi)
    assert h1.tolist() == [0.5, 0.625, 0.75] and l2.tolist() == [0.0, 0.625, 0.0]
    assert l1 is lo and h2 is hi and lo.tolist() == [0.0, 0.25, 0.0]
    assert hi.tolist() == [0.5, 1.0, 0.75]


def test_refusals_before_any_work(tmp_path):
    net = _net2(0)
    with pytest.raises(DomainError, match="^domain has 3 coordinates, the network takes 2$"):
        vx.count_vertex(net, Domain.box(0, 1, 3))
    with pytest.raises(DomainError, match=r"empty interior \(some lo == hi\)"):
        vx.count_vertex(net, Domain(np.zeros(2), np.array([1.0, 0.0])))
    with pytest.raises(RegioncountError, match="^--resume needs --checkpoint FILE$"):
        vx.count_vertex(net, Domain.box(0, 1, 2), resume=True)
    with pytest.raises(RegioncountError, match="^--spill-dir: not with --patterns-out or "
                                               "points, which need the whole record in memory$"):
        vx.count_vertex(net, Domain.box(0, 1, 2), spill_dir=tmp_path, keep_points=True)
    # the 2-cube: 4 vertices of 2 coordinates, 8 bytes each, 4 times: 256 bytes
    vx._check_arguments(net, Domain.box(0, 1, 2), 256, None, False)
    with pytest.raises(RegioncountError, match=r"^--method vertex: the 2-cube alone has 2\^2 "
                                               r"vertices, beyond the memory budget of 255 "
                                               r"bytes \(use --method tree\)$"):
        vx._check_arguments(net, Domain.box(0, 1, 2), 255, None, False)
    with pytest.raises(DomainError, match="the domain polytope has an empty interior"):
        vx.count_vertex(net, Domain(np.zeros(2), np.ones(2), np.array([[1.0, 1.0]]),
                                    np.array([-0.5])))


def test_a_stage_with_no_batched_map():
    class Odd(Relu):
        kind = "odd"

    assert vx._batch_maps(Odd(size=1, source_index=0)) is vx._elementwise_maps
    assert vx._batch_maps(_max(2, 2)) is vx._max_maps
    with pytest.raises(RegioncountError, match="^--method vertex: no batched map for input "
                                               "stages$"):
        vx._batch_maps(Input(size=1))


# -- the record -----------------------------------------------------------------------------------

def _rec(codes, flagged, cls=None, bad=None, d=2):
    n = len(codes)
    return {"B": np.array(codes, np.uint8).reshape(n, 1), "F": np.array(flagged, bool),
            "X": np.arange(n * d, dtype=float).reshape(n, d), "M": np.arange(n) + 0.5,
            "C": np.array(cls if cls is not None else [0] * n, np.int32),
            "U": np.array(bad if bad is not None else [False] * n, bool)}


def _store(keep_points=True):
    return vx._Store(2, vx._Packer([Relu(size=4, source_index=0)]), keep_points)


def test_store_keeps_repeats_once_and_stops_at_its_quota():
    st = _store()
    assert (st.per_region, st.per_key, st.per_region_end) == (31, 141, 41)
    assert st.add(_rec([1, 2, 3], [1, 0, 1])) == 3 and st.n == 3
    assert st.seen == {b"\x01", b"\x03"}
    assert st.nbytes() == 3 * 31 + max(2 * 141, 3 * 41) == 375
    assert st.room(1000, True) == 625 // (31 + 41 + 141) == 2
    assert st.room(1000, False) == 625 // (31 + 41) == 8
    assert st.room(10_000, False) == 9625 // 72 == 133
    assert st.add(_rec([1, 4, 3, 5], [1, 0, 1, 0], cls=[0, 1, 2, 3])) == 2 and st.n == 5
    assert st.truncated == ""
    assert st.add(_rec([6, 7, 8], [0, 0, 0]), quota=2, why="region limit") == 2
    assert st.truncated == "region limit" and st.n == 7
    assert st.add(_rec([9], [0]), quota=0, why="memory budget") == 0 and len(st.B) == 3
    assert st.add(_rec([1, 3], [1, 1])) == 0 and len(st.B) == 3 and st.n == 7
    rec = st.arrays()
    assert rec["B"].ravel().tolist() == [1, 2, 3, 4, 5, 6, 7]
    assert rec["C"].tolist() == [0, 0, 0, 1, 3, 0, 0] and rec["C"].dtype == np.int32
    assert rec["M"].tolist() == [0.5, 1.5, 2.5, 1.5, 3.5, 0.5, 1.5]
    assert rec["X"].shape == (7, 2) and rec["X"][3].tolist() == [2.0, 3.0]
    assert rec["F"].tolist() == [True, False, True, False, False, False, False]
    assert len(st.settled) == 3 and not any(st.settled)
    assert st.nbytes() == 7 * 31 + max(2 * 141, 7 * 41)


def test_store_without_points_and_empty_arrays():
    st = _store(keep_points=False)
    assert st.per_region == 7
    empty = st.arrays()
    assert empty["B"].shape == (0, 1) and empty["B"].dtype == np.uint8
    assert empty["X"].shape == (0, 2) and empty["X"].dtype == np.float64
    assert empty["F"].dtype == bool and empty["U"].dtype == bool and empty["C"].dtype == np.int32
    assert empty["M"].shape == (0,)
    st.add(_rec([1, 2], [0, 0], bad=[True, False]))
    rec = st.arrays()
    assert rec["X"].shape == (0, 2) and rec["U"].tolist() == [True, False]


def test_store_mark_rollback_settle_and_release():
    st = _store()
    st.add(_rec([1, 2], [1, 0]))
    st.settle()
    st.mark()
    st.add(_rec([3, 4], [1, 1]))
    st.add(_rec([5], [0]))
    assert st.n == 5 and st.settled == [True, False, False]
    assert st.arrays(settled=True)["B"].ravel().tolist() == [1, 2]
    assert st.arrays(settled=False)["B"].ravel().tolist() == [3, 4, 5]
    st.rollback()
    assert st.n == 2 and st.seen == {b"\x01"} and len(st.B) == len(st.X) == 1
    assert st.settled == [True]
    st.rollback()                                        # nothing since the mark
    assert st.n == 2 and len(st.B) == 1
    assert st.add(_rec([3, 1], [1, 1])) == 1 and st.seen == {b"\x01", b"\x03"}
    st.settle()
    assert st.settled == [True, True]
    rec = st.arrays(release=True)
    assert rec["B"].ravel().tolist() == [1, 2, 3]
    assert st.B == [] and st.X == [] and st.arrays()["B"].shape == (0, 1)


def test_store_restore_then_rollback_keeps_the_restored_record():
    st = _store(keep_points=False)
    st.restore(_rec([1, 2, 3], [1, 0, 1]))
    assert st.n == 3 and st.seen == {b"\x01", b"\x03"} and st.settled == [True]
    st.add(_rec([4], [1]))
    st.rollback()
    assert st.n == 3 and st.seen == {b"\x01", b"\x03"} and st.settled == [True]
    assert st.add(_rec([3], [1])) == 0


def test_store_spills_its_chunks_to_disk(tmp_path):
    from regioncount.enumeration.vertex_record import Spill

    st = _store(keep_points=False)
    st.disk = Spill(tmp_path, 1)
    assert not st.spill()                                 # nothing to move
    st.disk, st.settled = None, [True]
    assert not st.spill()                                 # no spill directory
    st.disk, st.settled = Spill(tmp_path, 1), []
    st.add(_rec([1, 2], [1, 0]))
    st.settle()
    st.mark()
    st.add(_rec([1, 3, 3], [1, 1, 0], cls=[0, 1, 1]))     # with a spill, repeats are kept
    assert st.n == 5 and st.seen == set() and st.in_memory() == 5
    assert st.nbytes() == 5 * 7 and st.room(100, True) == (100 - 35) // 7 == 9
    assert st.spill() and st.disk.n == 5 and st.in_memory() == 0 and st.nbytes() == 0
    assert st.B == [] and st.settled == []
    st.add(_rec([4], [0]))
    assert st.n == 6 and st.in_memory() == 1
    st.rollback()                                         # the sub-box's files go too
    assert st.n == 2 and st.disk.n == 2 and st.in_memory() == 0 and st.B == []
    assert st.disk.per_class == {0: 1} and st.disk.n_once == 1   # (the repeatable apart)
    st.disk.close()


# -- tables and blocks -----------------------------------------------------------------------------

def test_a_table_drops_its_maps_after_its_last_batch():
    t = vx._Table()
    t.T, t.lines, t.ncross = np.ones((2, 3, 3)), np.zeros((2, 1), int), np.ones(2, int)
    t.A, t.c, t.pattern = np.ones((2, 3, 2)), np.ones((2, 3)), np.zeros((2, 4), np.int8)
    t.maps, t.users = {1: (np.ones((2, 3, 2)), np.ones((2, 3)))}, 2
    assert t.nbytes() == 144 + 16 + 16 + 96 + 48 + 8 + 96 + 48
    t.finish()
    assert t.users == 1 and t.A is not None and t.maps is not None
    t.finish()
    assert t.users == 0 and t.T is not None
    assert all(getattr(t, k) is None for k in ("lines", "ncross", "A", "c", "pattern", "maps"))
    assert t.nbytes() == 144


def test_cells_grouped_by_size_in_blocks(monkeypatch):
    """Cells of a batch in groups with the same number of vertices, each group cut so that
    (cells x vertices x width) values of 8 bytes fit in a block."""
    cells = vx.split_all(vx.unit_cube(2), [[1.0, 1.0], [1.0, 0.0], [0.0, 1.0]],
                         [-1.0, -0.5, -0.5], 2)
    cs = vx.CellSet(2, 1)
    for c in cells:
        cs.add(c.V, c.Z, [len(c.V)], c.E, [len(c.E)], [0])
    sizes = sorted(len(c.V) for c in cells)
    assert sizes == [3, 3, 3, 3, 4, 4]       # the diagonal cuts two of the four squares

    def groups(width):
        return [(int(V.shape[1]), len(ix)) for ix, V in vx._by_size(cs, width)]

    monkeypatch.setattr(vx, "_BLOCK", 8 * 3 * 5 * 2)        # 2 triangles or 1 square of width 5
    assert groups(5) == [(3, 2), (3, 2), (4, 1), (4, 1)]
    monkeypatch.setattr(vx, "_BLOCK", 1)
    assert groups(5) == [(3, 1)] * 4 + [(4, 1)] * 2
    monkeypatch.setattr(vx, "_BLOCK", 8 * 4 * 2)           # width 0 counts as 1
    assert groups(0) == [(3, 2), (3, 2), (4, 2)]
    for ix, V in vx._by_size(cs, 0):
        for r, i in enumerate(ix):
            assert np.array_equal(V[r], cs.V[cs.vertex_index(np.array([i]))])


def test_a_cell_whose_radius_is_the_margin_is_a_sliver(monkeypatch):
    """The Chebyshev LP's radius must be above ``REGION_MARGIN``: equal to it, the cell is a
    sliver (None), as in the region tree."""
    from regioncount import tolerances as tol

    count, seen = _sub_box(_net2(0), np.zeros(2), np.ones(2), monkeypatch)
    cs, table = seen[0]
    real = vx.linprog

    def at(radius):
        def lp(*a, **k):
            res = real(*a, **k)
            res.fun = -radius
            return res
        return lp

    monkeypatch.setattr(vx, "linprog", at(tol.REGION_MARGIN))
    assert count._chebyshev(cs, table, 0) is None
    monkeypatch.setattr(vx, "linprog", at(2 * tol.REGION_MARGIN))
    assert count._chebyshev(cs, table, 0) is not None


def test_a_later_stage_reading_the_input():
    """A second PWL stage reads the network's input (ReLU(x) beside ReLU(W x + b)), on
    batches of many cells: the same pattern set as the exact oracle."""
    import oracles

    rng = np.random.default_rng(5)
    stages = [Input(size=2),
              Affine(size=4, sources=(0,), weights=(rng.normal(size=(4, 2)),),
                     bias=rng.normal(size=4) * 0.3),
              Relu(size=4, source_index=1),
              Relu(size=2, source_index=0),
              Affine(size=2, sources=(2, 3), weights=(rng.normal(size=(2, 4)),
                                                     rng.normal(size=(2, 2))), bias=np.zeros(2))]
    net, dom = Network(stages), Domain.box(-1, 1, 2)
    res = vx.count_vertex(net, dom, keep_patterns=True)
    want = oracles.patterns_exact(net, dom)
    assert res.regions == len(want) > 8 and res.pattern_set() == want


def _cancelling(exact):
    """A unit ``w h1 - v x1`` with ``h1 = ReLU(x1)``: where ``x1 > 0`` its slope is 0 when
    ``exact``, else the rounding residue ``0.3 - (0.1 + 0.2)`` (5.6e-17), within
    ``EQUAL_PIECES_RTOL`` of constant."""
    W1 = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    Wa, Wb = np.zeros((3, 3)), np.zeros((3, 2))
    Wa[0, 0], Wb[0, 0] = 0.3, -0.3 if exact else -(0.1 + 0.2)
    Wa[1], Wb[1] = [0.5, -1, 0.3], [0.2, 0.1]
    Wa[2], Wb[2] = [-0.4, 0.6, 1.0], [0.0, -0.3]
    return Network([Input(size=2), Affine(size=3, sources=(0,), weights=(W1,),
                                          bias=np.array([0, 0, -0.3])),
                    Relu(size=3, source_index=1),
                    Affine(size=3, sources=(2, 0), weights=(Wa, Wb),
                           bias=np.array([0.0, 0.1, -0.2])),
                    Relu(size=3, source_index=3),
                    Affine(size=2, sources=(4,), weights=(np.ones((2, 3)),), bias=np.zeros(2))])


@pytest.mark.parametrize("exact", [True, False])
def test_a_unit_constant_within_rounding_is_constant(exact):
    """The unit that cancels to a rounding residue is constant where ``x1 > 0`` (its value
    the constant of its map), as for the region tree: the same 19 regions (the exact count)
    and patterns. With the residue that constant is a rounding residue too, whose sign is
    not the exact one: the float forward pass does not reproduce those patterns, and the
    count says so (``unverified_points``) instead of calling them shown."""
    import oracles
    from regioncount.enumeration import count_tree

    net, dom = _cancelling(exact), Domain.box(-1, 1, 2)
    res = vx.count_vertex(net, dom, keep_patterns=True)
    tree = count_tree(net, dom, keep_patterns=True)
    assert res.regions == tree.regions == len(oracles.patterns_exact(net, dom)) == 19
    assert res.pattern_set() == tree.pattern_set()
    assert (res.pattern_set() == oracles.patterns_exact(net, dom)) == exact
    assert res.extra["unverified_points"] == (0 if exact else 10)


@pytest.mark.parametrize("scale", [1e-12, 1e6])
def test_the_count_does_not_move_when_the_weights_are_scaled(scale):
    """ReLU is positively homogeneous: the first layer (weights and biases) and the second
    layer's biases scaled by 1e-12 or 1e6 (the last weights by the inverse) leave every
    region and pattern as they were, whatever the tolerances are relative to."""
    dom = Domain.box(-1, 1, 2)
    rng = np.random.default_rng(7)
    W1, b1 = rng.normal(size=(8, 2)), rng.normal(size=8) * 0.4
    W2, b2 = rng.normal(size=(6, 8)), rng.normal(size=6) * 0.4
    W3, b3 = rng.normal(size=(3, 6)), rng.normal(size=3)
    plain = Network.from_layers([(W1, b1), (W2, b2), (W3, b3)])
    scaled = Network.from_layers([(W1 * scale, b1 * scale), (W2, b2 * scale),
                                  (W3 / scale, b3)])
    a = vx.count_vertex(plain, dom, keep_patterns=True)
    b = vx.count_vertex(scaled, dom, keep_patterns=True)
    assert b.regions == a.regions and b.pattern_set() == a.pattern_set()
    assert b.per_layer == a.per_layer and b.extra["unverified_points"] == 0


def test_margins_are_distances_to_the_lines():
    """Each region's margin (unit-cube coordinates) is the distance from its point to one of
    the lines of the first layer, never less than the distance to the nearest one: the lines
    are unit rows, whatever the weights' scale (here 1e3)."""
    rng = np.random.default_rng(3)
    W, b = rng.normal(size=(6, 2)) * 1e3, rng.normal(size=6) * 300
    net = Network.from_layers([(W, b)])
    lo, hi = np.array([-1.0, -2.0]), np.array([1.0, 0.5])
    res = vx.count_vertex(net, Domain(lo, hi), keep_points=True)
    U = (res.points - lo) / (hi - lo)                   # the points in unit-cube coordinates
    Wu, bu = W * (hi - lo), W @ lo + b                  # the lines in those coordinates
    dist = np.abs(U @ Wu.T + bu) / np.linalg.norm(Wu, axis=1)
    assert res.regions > 10
    for m, row in zip(res.margins, dist):
        assert m >= row.min() * (1 - 1e-9) and np.isclose(row, m, rtol=1e-9).any()



def test_max_members_equal_within_rounding_are_one_piece():
    """Two members of a max group whose maps differ by a rounding residue (``0.3 x`` and
    ``(0.1 + 0.2) x``) are one piece: their difference is not a line (its norm is below
    ``EQUAL_PIECES_RTOL`` times the largest map's), as for the region tree."""
    from regioncount.enumeration import count_tree

    W = np.array([[0.3, 0.0], [0.1 + 0.2, 0.0], [0.0, 1.0], [1.0, -1.0], [-1.0, 0.5],
                  [0.2, 0.3]])
    stages = [Input(size=2), Affine(size=6, sources=(0,), weights=(W,),
                                    bias=np.array([0.1, 0.1, 0.0, 0.2, -0.1, 0.0])),
              MaxGroups(size=2, source_index=1, indptr=np.array([0, 3, 6]),
                        indices=np.arange(6)),
              Affine(size=2, sources=(2,), weights=(np.eye(2),), bias=np.zeros(2))]
    net, dom = Network(stages), Domain.box(-1, 1, 2)
    res = vx.count_vertex(net, dom, keep_patterns=True)
    tree = count_tree(net, dom, keep_patterns=True)
    assert res.regions == tree.regions and res.pattern_set() == tree.pattern_set()
    assert not any(p[0] == 1 for p in res.patterns)     # the second copy is never chosen



@pytest.mark.parametrize("depth", [0, 3])
def test_sub_boxes_stop_at_the_deepest_bisection(depth, monkeypatch):
    """Cells that never fit: the domain is bisected depth first down to MAX_SUBBOX_DEPTH,
    where the count stops with the memory budget; the sub-boxes left are the one stopped
    and the sibling of each bisection."""
    monkeypatch.setattr(vx, "MIN_INFLIGHT", 0)
    monkeypatch.setattr(vx, "INFLIGHT_SHARE", 0.0)
    monkeypatch.setattr(vx, "MAX_SUBBOX_DEPTH", depth)
    res = vx.count_vertex(_net2(1), Domain.box(-1, 1, 2))
    assert not res.complete and res.stop_reason == "memory budget" and res.regions == 0
    assert res.extra["subboxes"] == depth + 1


def test_the_sub_boxes_left_at_the_deepest_bisection(monkeypatch, caplog):
    """The sub-boxes left when the cells never fit: the sibling of each bisection, one level
    deeper each, and the one stopped at the deepest level; each split is logged."""
    import logging

    monkeypatch.setattr(vx, "MIN_INFLIGHT", 0)
    monkeypatch.setattr(vx, "INFLIGHT_SHARE", 0.0)
    monkeypatch.setattr(vx, "MAX_SUBBOX_DEPTH", 3)
    count = vx._Count(_net2(1), Domain.box(0, 1, 2), 1 << 20, Limits.starting(
        time.monotonic(), None, None), None, time.monotonic())
    with caplog.at_level(logging.INFO, logger=vx.log.name):
        reason, left = vx._count_boxes(count, [(np.zeros(2), np.ones(2), 0)])
    assert reason == "memory budget" and sorted(b[2] for b in left) == [1, 2, 3, 3]
    assert [m for m in caplog.messages if "sub-box" in m] == [
        f"vertex count: sub-box split (depth {k}) to stay in the memory budget"
        for k in (1, 2, 3)]
    widths = sorted(float(np.prod(h - l)) for l, h, _ in left)
    assert np.isclose(sum(widths), 1.0)                 # the pieces tile the domain


@pytest.mark.parametrize("chunk", [1, 4, vx.CHUNK_CELLS])
def test_batches_of_any_size_against_the_exact_oracle(chunk, monkeypatch):
    """Cells handed on in batches of 1, 4 or 4,096 (their maps sliced by ancestor, the ones
    shared by all kept whole): the exact oracle's pattern set; every cell at the end of a
    stage counted, one sub-box, and the tables' bytes given back at the end."""
    import gc

    import oracles

    monkeypatch.setattr(vx, "CHUNK_CELLS", chunk)
    rng = np.random.default_rng(11)
    net = Network.from_layers([(np.array([[1.0, -0.5]]), np.array([0.1])),
                               (rng.normal(size=(4, 1)), rng.normal(size=4) * 0.5),
                               (rng.normal(size=(4, 4)), rng.normal(size=4) * 0.5),
                               (rng.normal(size=(2, 4)), np.zeros(2))])
    dom = Domain.box(-1, 1, 2)
    res = vx.count_vertex(net, dom, keep_patterns=True)
    want = oracles.patterns_exact(net, dom)
    assert res.pattern_set() == want and res.regions == len(want)
    assert res.extra["subboxes"] == 1 and res.extra["cells"] > res.regions
    count = vx._Count(net, Domain.box(0, 1, 2), 1 << 28, Limits.starting(
        time.monotonic(), None, None), None, time.monotonic())
    assert count.run_box(np.zeros(2), np.ones(2), np.zeros(1, np.uint64)) == ""
    gc.collect()
    assert count.table_bytes == 0 and count.cells > count.store.n


@pytest.mark.parametrize("chunk", [1, 3, vx.CHUNK_CELLS])
def test_maxout_in_batches_of_any_size(chunk, monkeypatch):
    """A maxout stage (three groups of two) under a ReLU layer, cells handed on in batches of
    1, 3 or 4,096: the exact oracle's pattern set."""
    import oracles

    monkeypatch.setattr(vx, "CHUNK_CELLS", chunk)
    rng = np.random.default_rng(4)
    stages = [Input(size=2), Affine(size=6, sources=(0,), weights=(rng.normal(size=(6, 2)),),
                                    bias=rng.normal(size=6) * 0.3),
              _max(3, 2, src=1),
              Affine(size=4, sources=(2,), weights=(rng.normal(size=(4, 3)),),
                     bias=rng.normal(size=4) * 0.3),
              Relu(size=4, source_index=3),
              Affine(size=2, sources=(4,), weights=(rng.normal(size=(2, 4)),), bias=np.zeros(2))]
    net, dom = Network(stages), Domain.box(-1, 1, 2)
    res = vx.count_vertex(net, dom, keep_patterns=True)
    want = oracles.patterns_exact(net, dom)
    assert res.pattern_set() == want and res.regions == len(want) > 10


def test_bisect_the_widest_side_and_count_boxes_to_the_end():
    (l1, h1), (l2, h2) = vx._bisect(np.array([0.6, 0.0]), np.array([1.0, 0.5]))
    assert h1.tolist() == [1.0, 0.25] and l2.tolist() == [0.6, 0.25]
    count = vx._Count(_net2(1), Domain.box(0, 1, 2), 1 << 28, Limits.starting(
        time.monotonic(), None, None), None, time.monotonic())
    assert vx._count_boxes(count, [(np.zeros(2), np.ones(2), 0)]) == ("", [])
    assert count.subboxes == 1 and count.store.n > 10


def test_touching_rows_of_no_cell():
    count = vx._Count(_net2(0), Domain.box(0, 1, 2), 1 << 28, Limits.starting(
        time.monotonic(), None, None), None, time.monotonic())
    cell, row = vx._touching(vx.CellSet(2, count.plan.words), count.plan)
    assert cell.shape == row.shape == (0,) and cell.dtype == row.dtype == np.int64


def test_verify_in_blocks_and_point_by_point():
    """verify reads every point of a batch larger than its block of 8,192, and flags exactly
    the points whose pattern differs from the one recorded."""
    net = _net2(2)
    packer = vx._Packer([s for s in net.stages if s.is_pwl])
    X = np.random.default_rng(0).uniform(0, 1, size=(8200, 2))
    P = np.concatenate([p.reshape(len(X), -1) for p in net.region_pattern(X)], axis=1)
    B = packer.pack(P)
    B[8193] = packer.pack(1 - P[8193:8194])[0]            # one pattern that is not its point's
    C, U = vx.verify(net, packer, B, X)
    assert np.flatnonzero(U).tolist() == [8193]
    assert np.array_equal(C, np.argmax(net.forward(X)[net.output], axis=1))


def test_the_point_of_a_network_with_no_pwl_stage():
    net = Network([Input(size=2), Affine(size=2, sources=(0,), weights=(np.eye(2),),
                                         bias=np.zeros(2))])
    res = vx.count_vertex(net, Domain(np.array([-1.0, 2.0]), np.array([3.0, 4.0])),
                          keep_points=True)
    assert res.regions == 1 and np.allclose(res.points, [[1.0, 3.0]])


def test_an_affine_stage_reading_two_relu_stages():
    """A ReLU over an affine stage that reads two earlier ReLU stages (both maps and offsets
    added): the exact oracle's pattern set."""
    import oracles

    rng = np.random.default_rng(8)
    stages = [Input(size=2),
              Affine(size=3, sources=(0,), weights=(rng.normal(size=(3, 2)),),
                     bias=rng.normal(size=3) * 0.4),
              Relu(size=3, source_index=1),
              Affine(size=3, sources=(2,), weights=(rng.normal(size=(3, 3)),),
                     bias=rng.normal(size=3) * 0.4),
              Relu(size=3, source_index=3),
              Affine(size=4, sources=(2, 4), weights=(rng.normal(size=(4, 3)),
                                                     rng.normal(size=(4, 3))),
                     bias=rng.normal(size=4) * 0.4),
              Relu(size=4, source_index=5),
              Affine(size=2, sources=(6,), weights=(rng.normal(size=(2, 4)),), bias=np.zeros(2))]
    net, dom = Network(stages), Domain.box(-1, 1, 2)
    res = vx.count_vertex(net, dom, keep_patterns=True)
    want = oracles.patterns_exact(net, dom)
    assert res.pattern_set() == want and res.regions == len(want) > 10


def test_the_result_its_extras_and_its_warnings(caplog):
    """A stopped count: its warning, and the extras of the result key by key; a complete
    one-layer count: one split per region past the first, every region a cell."""
    import logging

    net, dom = _net2(2), Domain.box(-1, 1, 2)
    with caplog.at_level(logging.WARNING, logger=vx.log.name):
        part = vx.count_vertex(net, dom, max_regions=5, memory_budget=64 << 20)
    assert not part.complete and part.regions == 5 and part.stop_reason == "region limit"
    assert caplog.messages == ["vertex count stopped early (region limit): 5 regions found "
                               "so far"]
    assert set(part.extra) == {"cells", "splits", "slivers", "subboxes", "unverified_points",
                               "memory_budget", "spilled"}
    assert part.extra["memory_budget"] == 64 << 20 and part.extra["spilled"] == 0
    assert part.extra["subboxes"] == 1 and part.extra["unverified_points"] == 0
    one = Network.from_layers([(np.random.default_rng(3).normal(size=(5, 2)),
                                np.random.default_rng(4).normal(size=5) * 0.3)])
    res = vx.count_vertex(one, dom)
    assert res.complete and res.stop_reason == ""
    assert res.extra["splits"] == res.regions - 1 and res.extra["cells"] == res.regions


def test_progress_reports_field_by_field(monkeypatch):
    monkeypatch.setattr(vx, "PROGRESS_EVERY", 0.0)
    monkeypatch.setattr(vx, "CHUNK_CELLS", 4)
    seen = []
    t = time.monotonic()
    res = vx.count_vertex(_net2(2), Domain.box(-1, 1, 2), progress=seen.append)
    assert len(seen) > 3 and all(isinstance(p.lps, int) and p.lps >= 0 for p in seen)
    assert all(p.depth in (0, 1, 2) for p in seen) and any(p.depth > 0 for p in seen)
    assert all(0 <= p.seconds <= time.monotonic() - t for p in seen)
    assert [p.regions for p in seen] == sorted(p.regions for p in seen)
    assert seen[-1].regions <= res.regions
