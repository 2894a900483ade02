"""Tests written against the mutants of regioncount/enumeration/slices.py (benchmarks/mutation.py,
docs/benchmarks.md "Mutation score"): exact 1-D and 2-D slices of nets whose regions are known by
hand (the polygons, their areas and vertices, the intervals and their ends), the clipping by a
domain's half-spaces, and the refusals."""

from __future__ import annotations

import time

import numpy as np
import pytest

from regioncount import Domain, Network
from regioncount import tolerances as tol
from regioncount.enumeration.slices import (_halves, _labels, count_slice, slice_regions_1d,
                                            slice_regions_2d)
from regioncount.errors import DomainError


def _quadrants():
    """relu(x), relu(y) and a second layer of relu(a - b) for a = relu(x), b = relu(y)."""
    return Network.from_layers([(np.eye(2), np.zeros(2)),
                                (np.array([[1.0, -1.0]]), np.zeros(1))])


def _square(s0, s1, t0, t1):
    return {(s0, t0), (s1, t0), (s1, t1), (s0, t1)}


def test_the_four_quadrants_are_squares_with_their_patterns_and_labels():
    net = Network.from_layers([(np.eye(2), np.zeros(2))])
    polys = slice_regions_2d(net, [0.0, 0.0], [1.0, 0.0], [0.0, 1.0], ((-1, 1), (-2, 2)))
    assert len(polys) == 4
    got = {tuple(p.pattern): p for p in polys}
    assert set(got) == {(0, 0), (0, 1), (1, 0), (1, 1)}
    for (a, b), p in got.items():
        s = (0.0, 1.0) if a else (-1.0, 0.0)
        t = (0.0, 2.0) if b else (-2.0, 0.0)
        assert {tuple(v) for v in p.vertices.tolist()} == _square(*s, *t)
        assert len(p.vertices) == 4 and p.area == pytest.approx(2.0)
        assert np.allclose(p.point, [np.mean(s), np.mean(t)])
        assert p.label == int(np.argmax(net.evaluate(p.point[None])[0]))
    # counter-clockwise vertices: positive signed area
    v = got[(1, 1)].vertices
    assert 0.5 * np.sum(v[:, 0] * np.roll(v[:, 1], -1) - v[:, 1] * np.roll(v[:, 0], -1)) > 0


def test_cells_of_one_region_merge_into_their_hull():
    """The second layer cuts the quadrant x, y > 0 along x = y; the other quadrants keep the
    second unit's pattern constant, so (0, 0) and the two halves are three polygons, and
    relu(x) - relu(y) < 0 on the quadrant x < 0 < y joins with nothing."""
    polys = slice_regions_2d(_quadrants(), [0.0, 0.0], [1.0, 0.0], [0.0, 1.0],
                             ((-1, 1), (-1, 1)))
    by = {tuple(p.pattern): p for p in polys}
    assert set(by) == {(0, 0, 0), (0, 1, 0), (1, 0, 1), (1, 1, 0), (1, 1, 1)}
    assert by[(1, 1, 1)].area == pytest.approx(0.5) and len(by[(1, 1, 1)].vertices) == 3
    assert {tuple(v) for v in by[(1, 1, 1)].vertices.tolist()} == {(0, 0), (1, 0), (1, 1)}
    assert sum(p.area for p in polys) == pytest.approx(4.0)


def test_a_domain_clips_the_plane_and_can_empty_it():
    net = Network.from_layers([(np.eye(2), np.zeros(2))])
    dom = Domain(np.full(2, -1.0), np.ones(2), A=np.array([[1.0, 1.0]]), b=np.array([-1.0]))
    polys = slice_regions_2d(net, [0.0, 0.0], [1.0, 0.0], [0.0, 1.0], ((-1, 1), (-1, 1)), dom)
    assert [tuple(p.pattern) for p in polys] == [(0, 0)]      # x + y <= -1: one triangle
    assert polys[0].area == pytest.approx(0.5)
    empty = Domain(np.full(2, -1.0), np.ones(2), A=np.array([[1.0, 1.0]]), b=np.array([-3.0]))
    assert slice_regions_2d(net, [0.0, 0.0], [1.0, 0.0], [0.0, 1.0], ((-1, 1), (-1, 1)),
                            empty) == []


def test_intervals_end_where_the_units_switch_and_where_the_domain_cuts():
    net = Network.from_layers([(np.array([[1.0], [1.0]]), np.array([0.0, -0.5]))])
    got = slice_regions_1d(net, [-1.0], [1.0], (0.0, 2.0))
    assert [(i.t0, i.t1, tuple(i.pattern)) for i in got] == \
        [(0.0, 1.0, (0, 0)), (1.0, 1.5, (1, 0)), (1.5, 2.0, (1, 1))]
    assert [float(i.point[0]) for i in got] == [-0.5, 0.25, 0.75]
    # x <= 0.8 and -x <= 0.6: t in [0.4, 1.8]; a zero row with b >= 0 changes nothing
    dom = Domain(np.array([-1.0]), np.array([1.0]), A=np.array([[1.0], [-1.0], [0.0]]),
                 b=np.array([0.8, 0.6, 0.0]))
    got = slice_regions_1d(net, [-1.0], [1.0], (0.0, 2.0), dom)
    assert [(i.t0, i.t1) for i in got] == [(pytest.approx(0.4), 1.0), (1.0, 1.5),
                                          (1.5, pytest.approx(1.8))]
    no = Domain(np.array([-1.0]), np.array([1.0]), A=np.array([[0.0]]), b=np.array([-1.0]))
    assert slice_regions_1d(net, [-1.0], [1.0], (0.0, 2.0), no) == []
    thin = Domain(np.array([-1.0]), np.array([1.0]), A=np.array([[1.0], [-1.0]]),
                  b=np.array([0.2, -0.2 + tol.REGION_MARGIN / 2]))
    assert slice_regions_1d(net, [-1.0], [1.0], (0.0, 2.0), thin) == []


def test_breakpoints_within_the_margin_of_an_end_do_not_split():
    m = tol.REGION_MARGIN
    for bias, n in ((-m / 2, 1), (-(1 - m / 2), 1), (-2 * m, 2), (-(1 - 2 * m), 2)):
        net = Network.from_layers([(np.array([[1.0]]), np.array([bias]))])
        assert len(slice_regions_1d(net, [0.0], [1.0], (0.0, 1.0))) == n, bias


def test_count_slice_tallies_layers_classes_and_points():
    net = _quadrants()
    res = count_slice(net, Domain.box(-1, 1, 2))
    assert res.regions == 5 and res.complete and res.method == "slice"
    assert res.per_layer == (4, 5)
    assert sum(res.per_class.values()) == 5
    labels = np.argmax(net.evaluate(res.points), axis=1)
    assert res.per_class == {int(k): int(v) for k, v in zip(*np.unique(labels, return_counts=True))}
    assert np.array_equal(np.concatenate(net.pattern(res.points), axis=1), res.patterns)
    one = count_slice(Network.from_layers([(np.array([[1.0], [-1.0]]), np.array([0.0, 0.5]))]),
                      Domain.box(-1, 1, 1))
    assert one.regions == 3 and one.per_layer == (3,) and one.points.shape == (3, 1)


def test_slices_refuse_what_they_cannot_cut():
    net = Network.from_layers([(np.eye(3), np.zeros(3))])
    with pytest.raises(DomainError, match=r"^--method slice counts whole domains of dimension 1 "
                                          r"or 2 only; this network has 3 inputs \(use "
                                          r"slice_regions_1d/2d for a slice\)$"):
        count_slice(net, Domain.box(-1, 1, 3))
    with pytest.raises(DomainError, match=r"^slice: origin and directions need 3 coordinates$"):
        slice_regions_2d(net, [0.0, 0.0], [1.0, 0.0], [0.0, 1.0], ((0, 1), (0, 1)))
    with pytest.raises(DomainError, match=r"^slice: origin and direction need 3 coordinates$"):
        slice_regions_1d(net, [0.0, 0.0, 0.0], [1.0, 0.0], (0, 1))
    with pytest.raises(DomainError, match="empty interior"):
        count_slice(Network.from_layers([(np.eye(2), np.zeros(2))]), Domain.box(0.0, 0.0, 2))


# -- the margin rule of a cut, at exactly the margin (slices._halves) -------------------------

E = tol.REGION_MARGIN
X = np.array([1.0, 0.0])       # the line x = 0: a vertex's distance is its x


def _rows(P):
    return None if P is None else [tuple(v) for v in np.asarray(P).tolist()]


def test_a_polygon_within_the_margin_of_a_line_is_not_cut():
    """Farther than the margin on both sides or not cut: a polygon reaching exactly E (or
    less) beyond the line stays whole, on the side where the rest of it lies."""
    right = np.array([[-E, 0.0], [1.0, 0.0], [1.0, 1.0], [-E, 1.0]])
    assert _rows(_halves(right, X, 0.0)[0]) == _rows(right) and _halves(right, X, 0.0)[1] is None
    on = np.array([[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]])      # an edge on the line
    assert _halves(on, X, 0.0)[1] is None
    left = np.array([[-1.0, 0.0], [E, 0.0], [E, 1.0], [-1.0, 1.0]])
    assert _halves(left, X, 0.0)[0] is None and _rows(_halves(left, X, 0.0)[1]) == _rows(left)


@pytest.mark.parametrize("P, pos, neg", [
    # distances 1, -E, -1, E: the vertices at exactly +-E go to both parts, and no edge crosses
    ([(1, 0), (-E, 1), (-1, 0), (E, -1)], [(1, 0), (-E, 1), (E, -1)],
     [(-E, 1), (-1, 0), (E, -1)]),
    # distances E, -1, -E, 1
    ([(E, 1), (-1, 0), (-E, -1), (1, 0)], [(E, 1), (-E, -1), (1, 0)],
     [(E, 1), (-1, 0), (-E, -1)]),
    # distances 1, 0, -1, 0: the vertices on the line go to both parts, no crossing is added
    ([(1, 0), (0, 1), (-1, 0), (0, -1)], [(1, 0), (0, 1), (0, -1)], [(0, 1), (-1, 0), (0, -1)]),
    # a clean cut: the crossings (0, -1) and (0, 1) are added to both parts
    ([(-1, -1), (1, -1), (1, 1), (-1, 1)], [(0, -1), (1, -1), (1, 1), (0, 1)],
     [(-1, -1), (0, -1), (0, 1), (-1, 1)]),
])
def test_a_cut_puts_the_vertices_within_the_margin_on_both_sides(P, pos, neg):
    p, n = _halves(np.array(P, float), X, 0.0)
    assert _rows(p) == pos and _rows(n) == neg


@pytest.mark.parametrize("b, side", [(0.5, 0), (1.5, 0), (0.0, 0), (-0.5, 1), (-E, 1)])
def test_a_line_without_normal_leaves_the_polygon_on_the_side_of_its_constant(b, side):
    P = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    got = _halves(P, np.zeros(2), b)
    assert got[side] is P and got[1 - side] is None


def test_a_plane_of_a_three_input_network_at_a_constant_third_coordinate():
    """relu(x), relu(y), relu(z) on [-1, 1]^3 cut by z = c: 4 quadrants for c inside the box
    or on its face (with or without the domain given), none for c outside it."""
    net = Network.from_layers([(np.eye(3), np.zeros(3))])
    box = Domain.box(-1, 1, 3)
    sq = ((-1, 1), (-1, 1))
    for c in (0.0, 0.5, 1.0, -1.0):
        for dom in (None, box):
            polys = slice_regions_2d(net, [0, 0, c], [1, 0, 0], [0, 1, 0], sq, dom)
            assert sorted(tuple(p.pattern[:2]) for p in polys) == [(0, 0), (0, 1), (1, 0),
                                                                  (1, 1)], (c, dom)
            assert all(p.pattern[2] == (c > 0) for p in polys)
    assert slice_regions_2d(net, [0, 0, 2.0], [1, 0, 0], [0, 1, 0], sq, box) == []


def test_a_triangle_region_is_counter_clockwise():
    polys = slice_regions_2d(_quadrants(), [0.0, 0.0], [1.0, 0.0], [0.0, 1.0], ((-1, 1), (-1, 1)))
    for p in polys:
        v = p.vertices
        signed = 0.5 * np.sum(v[:, 0] * np.roll(v[:, 1], -1) - v[:, 1] * np.roll(v[:, 0], -1))
        assert signed == pytest.approx(p.area) and p.area > 0
    assert sorted(len(p.vertices) for p in polys) == [3, 3, 4, 4, 4]


def test_no_points_no_labels():
    got = _labels(_quadrants(), [])
    assert got.shape == (0,) and got.dtype.kind == "i"


def test_a_rectangle_away_from_the_origin_without_a_domain():
    """s in [0, 1], t in [0, 2] from (0.5, 0) on relu(x - 1), relu(y - 1): the plane's own box is
    [0.5, 1.5] x [0, 2], cut at x = 1 and y = 1 into four squares of area 0.5 x 1."""
    net = Network.from_layers([(np.eye(2), np.array([-1.0, -1.0]))])
    polys = slice_regions_2d(net, [0.5, 0.0], [1.0, 0.0], [0.0, 1.0], ((0, 1), (0, 2)))
    assert sorted(tuple(p.pattern) for p in polys) == [(0, 0), (0, 1), (1, 0), (1, 1)]
    assert [p.area for p in polys] == pytest.approx([0.5] * 4)


def test_a_segment_with_a_longer_direction_and_a_negative_start():
    """origin 0, direction 2, t in [-0.5, 0.5]: x in [-1, 1], cut at x = 0 and x = 0.5 by
    relu(x), relu(x - 0.5): at t = 0 and t = 0.25."""
    net = Network.from_layers([(np.array([[1.0], [1.0]]), np.array([0.0, -0.5]))])
    got = slice_regions_1d(net, [0.0], [2.0], (-0.5, 0.5))
    assert [(i.t0, i.t1, tuple(i.pattern)) for i in got] == [
        (-0.5, 0.0, (0, 0)), (0.0, 0.25, (1, 0)), (0.25, 0.5, (1, 1))]
    assert [float(i.point[0]) for i in got] == [-0.5, 0.25, 0.75]


def test_a_segment_exactly_as_long_as_the_margin_has_no_region():
    net = Network.from_layers([(np.array([[1.0]]), np.zeros(1))])
    assert slice_regions_1d(net, [0.0], [1.0], (0.0, E)) == []
    assert len(slice_regions_1d(net, [0.0], [1.0], (0.0, 2 * E))) == 1


@pytest.mark.parametrize("bias, n", [(-E, 1), (-(1 - E), 1)])
def test_a_breakpoint_exactly_at_the_margin_does_not_split(bias, n):
    net = Network.from_layers([(np.array([[1.0]]), np.array([bias]))])
    assert len(slice_regions_1d(net, [0.0], [1.0], (0.0, 1.0))) == n


def test_cells_of_one_max_region_merge_along_a_segment():
    """max(x, -x, 0.5) on [-1, 1] (x = t - 1): the members cross at x = -0.5, 0 and 0.5; the
    crossing of x and -x at 0 splits the constant's region [-0.5, 0.5] into two cells, which
    merge into one interval."""
    from regioncount.stages import Affine, Input, MaxGroups

    net = Network([Input(1), Affine(3, sources=(0,), weights=(np.array([[1.0], [-1.0], [0.0]]),),
                                    bias=np.array([0.0, 0.0, 0.5])),
                   MaxGroups(1, source_index=1, indptr=np.array([0, 3]), indices=np.arange(3))])
    got = slice_regions_1d(net, [-1.0], [1.0], (0.0, 2.0))
    assert [(i.t0, i.t1, i.pattern.tolist()) for i in got] == [
        (0.0, 0.5, [1]), (0.5, 1.5, [2]), (1.5, 2.0, [0])]


def test_a_domain_cuts_a_segment_with_a_longer_direction():
    """direction 2, t in [-0.5, 0.5] (x in [-1, 1]) inside the domain [-0.5, 0.5]: t is cut
    to [-0.25, 0.25], at x = 0 by relu(x)."""
    net = Network.from_layers([(np.array([[1.0]]), np.zeros(1))])
    got = slice_regions_1d(net, [0.0], [2.0], (-0.5, 0.5), Domain.box(-0.5, 0.5, 1))
    assert [(i.t0, i.t1, tuple(i.pattern)) for i in got] == [(-0.25, 0.0, (0,)), (0.0, 0.25, (1,))]


def test_count_slice_of_a_polytope_and_its_fields():
    """relu(x), relu(x - 0.5) on [-1, 1] cut by x <= 0.25: two regions, not three."""
    net = Network.from_layers([(np.array([[1.0], [1.0]]), np.array([0.0, -0.5]))],
                              final=(np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([0.0, 0.1])))
    dom = Domain(np.array([-1.0]), np.array([1.0]), A=[[1.0]], b=[0.25])
    t = time.monotonic()
    res = count_slice(net, dom)
    wall = time.monotonic() - t
    assert res.regions == 2 and res.patterns.tolist() == [[0, 0], [1, 0]]
    assert res.lps == 0 and 0.0 <= res.seconds <= wall
    # classes: argmax of (relu(x), relu(x - 0.5) + 0.1) at the middles of [-1, 0] and [0, 0.25]:
    # (0, 0.1) at -0.5, (0.125, 0.1) at 0.125; on the box also (0.75, 0.35) at 0.75
    assert res.per_class == {1: 1, 0: 1}
    assert count_slice(net, Domain.box(-1, 1, 1)).per_class == {1: 1, 0: 2}


@pytest.mark.parametrize("axis", [0, 1])
def test_a_region_thinner_than_twice_the_margin_is_counted_in_unit_steps(axis):
    """relu(w) and relu(w - 1.5e-9) along one input: a region of width 1.5e-9, above the margin
    1e-9, between two others: counted, in 1-D and along either axis in 2-D."""
    w = 1.5e-9
    net = Network.from_layers([(np.array([[1.0], [1.0]]), np.array([0.0, -w]))])
    assert count_slice(net, Domain.box(-1, 1, 1)).regions == 3
    W = np.zeros((2, 2))
    W[:, axis] = 1.0
    net2 = Network.from_layers([(W, np.array([0.0, -w]))])
    assert count_slice(net2, Domain.box(-1, 1, 2)).regions == 3


def test_count_slice_of_a_box_that_is_not_a_square():
    """relu(x - 1.5), relu(y - 0.5) on [-1, 2] x [0, 1]: four regions (the x cut lies beyond
    the height's range and the y cut beyond lo[0] + height)."""
    net = Network.from_layers([(np.eye(2), np.array([-1.5, -0.5]))])
    res = count_slice(net, Domain(np.array([-1.0, 0.0]), np.array([2.0, 1.0])))
    assert res.regions == 4 and res.per_layer == (4,)
    assert sorted(map(tuple, res.patterns.tolist())) == [(0, 0), (0, 1), (1, 0), (1, 1)]


def test_tiny_weights_cut_as_large_ones_do():
    """relu(1e-5 x), relu(1e-5 y): the same four quadrants as relu(x), relu(y); distances to a
    line are measured in the plane, not in the units of the weights."""
    net = Network.from_layers([(1e-5 * np.eye(2), np.zeros(2))])
    assert count_slice(net, Domain.box(-1, 1, 2)).regions == 4


def test_an_origin_of_the_wrong_size_is_refused():
    net = Network.from_layers([(np.eye(3), np.zeros(3))])
    with pytest.raises(DomainError, match=r"^slice: origin and directions need 3 coordinates$"):
        slice_regions_2d(net, [0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0], ((0, 1), (0, 1)))
