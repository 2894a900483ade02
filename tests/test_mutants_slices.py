"""Tests written against the mutants of regioncount/enumeration/slices.py (benchmarks/mutation.py,
docs/benchmarks.md "Mutation score"): exact 1-D and 2-D slices of nets whose regions are known by
hand (the polygons, their areas and vertices, the intervals and their ends), the clipping by a
domain's half-spaces, and the refusals."""

from __future__ import annotations

import numpy as np
import pytest

from regioncount import Domain, Network
from regioncount import tolerances as tol
from regioncount.enumeration.slices import count_slice, slice_regions_1d, slice_regions_2d
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
