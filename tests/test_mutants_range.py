"""Tests written against the mutants of regioncount/milp/range.py (benchmarks/mutation.py,
docs/benchmarks.md "Mutation score"): output ranges of a network whose optima are known by hand,
every field of the result, a subset of outputs, and an interrupted run."""

from __future__ import annotations

import numpy as np
import pytest

from regioncount import Domain, Network
from regioncount.milp import range as rg
from regioncount.milp.range import START_SAMPLES, output_range
from regioncount.milp.tighten import tighten


def _net():
    """f0 = relu(x) - relu(y), f1 = relu(x) + relu(y) - 1."""
    return Network.from_layers([(np.eye(2), np.zeros(2))],
                               final=(np.array([[1.0, -1.0], [1.0, 1.0]]), np.array([0.0, -1.0])),
                               name="two.onnx")


DOM = Domain(np.array([-1.0, -1.0]), np.array([2.0, 1.0]))
#: (min, max) of each output on DOM, by hand: f0 in [-1, 2], f1 in [-1, 2]
OPTIMA = [(-1.0, 2.0), (-1.0, 2.0)]


def test_every_field_of_an_exact_range():
    net = _net()
    r = output_range(net, DOM)
    assert r.model == "two.onnx" and r.solver == "highs" and r.tighten == "lp"
    assert r.domain == DOM.to_json() and r.partial is False
    assert r.seconds >= r.tighten_seconds >= 0.0
    assert [o.index for o in r.outputs] == [0, 1]
    for o, (lo, hi) in zip(r.outputs, OPTIMA):
        assert (o.min_status, o.max_status) == ("optimal", "optimal")
        assert o.min == pytest.approx(lo, abs=1e-9) and o.max == pytest.approx(hi, abs=1e-9)
        assert o.min_bound == pytest.approx(lo, abs=1e-6) and o.max_bound == pytest.approx(hi, abs=1e-6)
        assert o.min_bound <= o.min + 1e-9 and o.max <= o.max_bound + 1e-9
        assert float(net.evaluate(o.argmin)[o.index]) == o.min       # attained, exactly
        assert float(net.evaluate(o.argmax)[o.index]) == o.max
        assert DOM.contains(np.vstack([o.argmin, o.argmax]), tol=0.0).all()
        assert o.gap == max(o.min - o.min_bound, o.max_bound - o.max, 0.0) <= 1e-6
        assert o.seconds >= 0.0
    one = output_range(net, DOM, outputs=[1], tighten_method="interval")
    assert [o.index for o in one.outputs] == [1] and one.tighten == "interval"
    assert one.outputs[0].max == pytest.approx(2.0, abs=1e-9)


def test_an_interrupted_range_keeps_sampled_values_and_sound_bounds(monkeypatch):
    """Ctrl-C in the second optimisation: the first optimum stands, the rest keep the best
    sampled value (attained) and the tightened bound (sound), labelled "interrupted"."""
    net = _net()
    real, calls = rg._optimise, []

    def second_is_interrupted(*a, **k):
        calls.append(a[2:4])
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(*a, **k)

    monkeypatch.setattr(rg, "_optimise", second_is_interrupted)
    r = output_range(net, DOM)
    assert calls == [(0, "min"), (0, "max")]                   # none after the interrupt
    assert r.partial is True
    o0, o1 = r.outputs
    assert o0.min_status == "optimal" and o0.min == pytest.approx(-1.0, abs=1e-9)
    assert o0.max_status == o1.min_status == o1.max_status == "interrupted"
    X = DOM.sample(START_SAMPLES, 0)
    X = np.vstack([X, DOM.center[None, :]])
    Y = net.evaluate(X)
    assert o0.max == Y[:, 0].max() and o1.min == Y[:, 1].min() and o1.max == Y[:, 1].max()
    assert np.array_equal(o1.argmax, X[np.argmax(Y[:, 1])])
    b = tighten(net, DOM, method="lp").bounds
    assert o0.max_bound == b.hi[net.output][0] and o1.min_bound == b.lo[net.output][1]
    assert o1.max_bound == b.hi[net.output][1]
    assert o1.max_bound >= 2.0 - 1e-9 and o1.min_bound <= -1.0 + 1e-9


def test_an_optimum_inside_the_box_is_the_milps_input_evaluated():
    """f = -|x - 0.3| on [-1, 1]: the max 0 lies at x = 0.3, which no sampled start point
    meets exactly, so only the MILP's input (evaluated by the network) attains it; the min
    -1.3 is at the corner x = -1. By hand."""
    net = Network.from_layers([(np.array([[1.0], [-1.0]]), np.array([-0.3, 0.3]))],
                              final=(np.array([[-1.0, -1.0]]), np.zeros(1)), name="v.onnx")
    dom = Domain(np.array([-1.0]), np.array([1.0]))
    o = output_range(net, dom).outputs[0]
    assert o.max == pytest.approx(0.0, abs=1e-9) and o.argmax[0] == pytest.approx(0.3, abs=1e-9)
    assert o.min == pytest.approx(-1.3, abs=1e-12) and o.argmin[0] == -1.0
    assert float(net.evaluate(o.argmax)[0]) == o.max and float(net.evaluate(o.argmin)[0]) == o.min
    assert (o.min_status, o.max_status) == ("optimal", "optimal")
