"""Tests written against the mutants of regioncount/enumeration/classes.py (benchmarks/mutation.py,
docs/benchmarks.md "Mutation score"): the classes of one region of a network whose outputs are
chosen affine functions of one input on [0, 1] (the unit box, so the box's own coordinates are
the counting ones). Each expected tuple is read off the outputs by hand: a class counts when it
is the argmax on an interval of positive length (np.argmax's first index on ties)."""

from __future__ import annotations

import numpy as np
import pytest

from regioncount import Domain, Network
from regioncount.enumeration.classes import region_classes

BOX = Domain.box(0.0, 1.0, 1)


def _net(outputs):
    """x -> ReLU(x + 1) = h (active on the box) -> outputs a x + c = a h + (c - a)."""
    a = np.array([[o[0]] for o in outputs], float)
    c = np.array([o[1] for o in outputs], float)
    return Network.from_layers([(np.array([[1.0]]), np.array([1.0]))], final=(a, c - a[:, 0]))


@pytest.mark.parametrize("outputs,want", [
    # 0 wins only at x = 1/2 (no interior); three outputs on one input
    ([(0.0, 0.0), (0.5, -0.25), (-0.5, 0.25)], (1, 2)),
    # a unit-norm row with a negative offset: x - 1/2 wins on (1/2, 1]
    ([(0.0, 0.0), (1.0, -0.5)], (0, 1)),
    # 1 equals 0 everywhere (the first counts), 2 loses everywhere (ruled out before any LP),
    # 3 wins on [0, 1/2): the ones after a tie and after a ruled-out class still count
    ([(1.0, -0.5), (1.0, -0.5), (1.0, -1.5), (-1.0, 0.5)], (0, 3)),
    # 0 wins on [0, 0.8): a row of slope 1/2 does not rule it out on the box
    ([(0.0, 0.0), (0.5, -0.4)], (0, 1)),
])
def test_classes_of_affine_outputs(outputs, want):
    assert region_classes(_net(outputs), BOX, [np.array([1])]) == want


def test_classes_on_a_polytope_domain():
    """x <= 1/2 cuts off the part of [0, 1] where x - 0.7 wins."""
    net = _net([(0.0, 0.0), (1.0, -0.7)])
    assert region_classes(net, BOX, [np.array([1])]) == (0, 1)
    cut = Domain(np.array([0.0]), np.array([1.0]), A=np.array([[1.0]]), b=np.array([0.5]))
    assert region_classes(net, cut, [np.array([1])]) == (0,)
