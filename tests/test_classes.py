"""Per-class counts by one definition (regioncount.enumeration.classes): a region counts for
every class that is the argmax on a part of it with interior. Checked against an independent
oracle (the classes seen on a fine grid, region by region) and across methods."""

from pathlib import Path

import numpy as np
import pytest

from regioncount import Domain, Network, app, load
from regioncount.enumeration.classes import exact_per_class, region_classes

MODELS = Path(__file__).resolve().parents[1] / "models"


def _grid_classes(net, lo, hi, n=401):
    """pattern bytes -> set of argmax classes seen at the points of an n x n grid."""
    g = np.stack(np.meshgrid(np.linspace(lo, hi, n), np.linspace(lo, hi, n)), -1).reshape(-1, 2)
    pats = np.concatenate([p.astype(np.int32) for p in net.pattern(g)], axis=1)
    cls = net.evaluate(g).argmax(axis=1)
    seen: dict = {}
    for p, c in zip(pats, cls):
        seen.setdefault(p.tobytes(), set()).add(int(c))
    return seen


@pytest.mark.parametrize("model", ["moons_2d.onnx", "maxout_2d.onnx"])
def test_exact_rule_against_a_grid(model):
    net = load(MODELS / model)
    dom = Domain.box(0, 1, 2)
    r = app.count(net, dom, "tree", keep_patterns=True)
    seen = _grid_classes(net, 0.0, 1.0)
    grid_total = exact_total = 0
    for flat in r.patterns:
        key = np.asarray(flat, np.int32).tobytes()
        from regioncount.enumeration.results import split_pattern
        exact = set(region_classes(net, dom, split_pattern(net, flat)))
        got = seen.get(key, set())
        assert got <= exact            # a grid never invents a class, it can miss a sliver
        grid_total += len(got)
        exact_total += len(exact)
    assert exact_total == sum(r.per_class.values())
    assert exact_total - grid_total <= 2


def test_methods_agree_and_rule_is_labelled():
    net = load(MODELS / "moons_2d.onnx")
    dom = Domain.box(0, 1, 2)
    res = {m: app.count(net, dom, m) for m in ("tree", "slice", "milp")}
    assert res["tree"].per_class == res["slice"].per_class == res["milp"].per_class
    assert {r.extra["straddling"] for r in res.values()} == {8}
    point = app.count(net, dom, "tree", per_class="point")
    assert point.extra["per_class_rule"] == "interior point" and sum(point.per_class.values()) == 30


def test_a_straddled_quadrant_by_hand():
    """o = (x, y) on the quadrant x, y > 0 of [-1, 1]^2: both classes; on x > 0 > y only 0."""
    net = Network.from_layers([(np.eye(2), np.zeros(2))], final=(np.eye(2), np.zeros(2)))
    dom = Domain.box(-1, 1, 2)
    assert region_classes(net, dom, [np.array([1, 1])]) == (0, 1)
    assert region_classes(net, dom, [np.array([1, 0])]) == (0,)
    per_class, straddling = exact_per_class(net, dom, np.array([[1, 1], [1, 0], [0, 1], [0, 0]]))
    # (0,0): o = (0, 0) everywhere, a tie: np.argmax's first index, class 0
    assert per_class == {0: 3, 1: 2} and straddling == 1
