"""Tests written to kill the mutants of regioncount/intervals.py that survived the focused suite
(benchmarks/mutation.py, docs/benchmarks.md "Mutation score"): bounds of a ReLU that reads the
input directly, the method and dtype the bounds carry, the stage and kind of every stability
record, bounds handed over inside a tightening result, and the error messages."""

from __future__ import annotations

import numpy as np
import pytest

from regioncount import Domain, Network
from regioncount.errors import DomainError, RegioncountError
from regioncount.intervals import as_neuron_bounds, interval_bounds, make_bounds, stable_units
from regioncount.milp import tighten
from regioncount.network import Affine, Input, LeakyRelu, Relu


def relu_on_the_input():
    """relu(x) on the raw input (stage 1 reads stage 0), then x - 2 relu(x) and its ReLU."""
    return Network([Input(size=2), Relu(size=2, source_index=0),
                    Affine(size=1, sources=(0, 1), weights=(np.array([[1.0, 0.0]]),
                                                            np.array([[-2.0, 0.0]])),
                           bias=np.array([0.5])),
                    LeakyRelu(size=1, source_index=2, alpha=0.1)])


def test_a_relu_reading_the_input_gets_the_domain_as_its_pre_activation_bounds():
    net = relu_on_the_input()
    b = interval_bounds(net, Domain.box([-1.0, 0.5], [2.0, 3.0]))
    lo, hi = b.pre(1)                               # stage 1 reads stage 0, the input box
    assert lo.tolist() == [-1.0, 0.5] and hi.tolist() == [2.0, 3.0]
    # x - 2 relu(x) + 0.5 with x in [-1, 2], relu(x) in [0, 2] (interval arithmetic): [-4.5, 2.5]
    assert b.pre(3)[0].tolist() == [-4.5] and b.pre(3)[1].tolist() == [2.5]
    st = stable_units(net, b)
    assert [s.stage for s in st] == [1, 3]
    assert [s.kind for s in st] == ["relu", "leaky_relu"]
    assert st[0].active.tolist() == [False, True] and st[0].unstable.tolist() == [True, False]


def test_pre_refuses_a_stage_that_is_not_piecewise_linear():
    net = relu_on_the_input()
    b = interval_bounds(net, Domain.box(-1, 1, 2))
    for k in (0, 2):
        with pytest.raises(ValueError) as e:
            b.pre(k)
        assert str(e.value) == f"stage {k} is not a PWL stage"


def test_bounds_are_float_arrays_and_name_their_method():
    net = Network.from_layers([(np.eye(1), np.zeros(1))])
    b = make_bounds(net, [[-1], [-1], [0]], [[1], [1], [1]], "lp")
    assert b.method == "lp"
    assert all(v.dtype == np.float64 for v in (*b.lo, *b.hi))
    assert b.pre(2)[0].dtype == np.float64
    assert interval_bounds(net, Domain.box(-1, 1, 1)).method == "interval"


def test_bounds_inside_a_tightening_are_accepted_and_anything_else_refused():
    net = Network.from_layers([(np.array([[1.0], [-1.0], [1.0]]), np.array([0.0, 0.0, 2.0]))])
    t = tighten(net, Domain.box(-1, 1, 1), method="interval")
    assert as_neuron_bounds(t) is t.bounds and as_neuron_bounds(t.bounds) is t.bounds
    st = stable_units(net, t)                       # the Tightening itself
    assert st[0].active.tolist() == [False, False, True]
    assert st[0].inactive.tolist() == [False, False, False]
    for bad, name in (([0.0, 1.0], "list"), (None, "NoneType"), (t.bounds.lo, "tuple")):
        with pytest.raises(RegioncountError) as e:
            as_neuron_bounds(bad)
        assert str(e.value) == ("neuron bounds: expected NeuronBounds or a Tightening (with "
                                f".bounds), not {name}")


def test_domain_of_the_wrong_dimension():
    net = Network.from_layers([(np.eye(2), np.zeros(2))])
    with pytest.raises(DomainError) as e:
        interval_bounds(net, Domain.box(0, 1, 3))
    assert str(e.value) == "domain has 3 coordinates, the network takes 2"
