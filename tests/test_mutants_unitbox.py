"""Tests written against the mutants of regioncount/enumeration/unitbox.py
(benchmarks/mutation.py, docs/benchmarks.md "Mutation score"): the change to unit-cube
coordinates on a residual network with dense and sparse weights, a coordinate of zero width, a
polytope domain, a network whose input is read by a unit directly, and everything the new
network keeps of the old one."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from regioncount import Domain, Network
from regioncount.enumeration.unitbox import unit_box
from regioncount.stages import Affine, Input, Relu

LO, HI = np.array([-4.0, 1.0, 2.0]), np.array([4.0, 3.0, 2.0])     # the last has zero width


def _residual():
    """y = W2 relu(W1 x + b1) + S x + b2, with S sparse: two stages read the input."""
    rng = np.random.default_rng(5)
    W1, W2 = rng.normal(size=(4, 3)), rng.normal(size=(2, 4))
    S = sp.csr_matrix(np.array([[1.0, 0.0, 2.0], [0.0, -3.0, 0.5]]))
    stages = [Input(3), Affine(4, sources=(0,), weights=(W1,), bias=rng.normal(size=4)),
              Relu(4, source_index=1),
              Affine(2, sources=(2, 0), weights=(W2, S), bias=np.array([0.25, -1.0]))]
    return Network(stages, input_shape=(1, 3), output_shape=(1, 2), name="res.onnx",
                   notes=("a note",), input_name="x", output_name="y")


def test_the_unit_network_is_the_same_function_of_the_unit_coordinates():
    net = _residual()
    dom = Domain(LO, HI, A=[[1.0, 1.0, 0.0]], b=[2.0], name="cut")
    u_net, u_dom, to_input = unit_box(net, dom)
    # the box [0, 1]^2 x {0}: the zero-width coordinate is only shifted, to 0
    assert u_dom.lo.tolist() == [0.0, 0.0, 0.0] and u_dom.hi.tolist() == [1.0, 1.0, 0.0]
    assert u_dom.name == "cut"
    # x = lo + (8, 2, 1) u: A x <= b becomes (A * scale) u <= b - A lo
    assert u_dom.A.tolist() == [[8.0, 2.0, 0.0]] and u_dom.b.tolist() == [5.0]
    U = np.random.default_rng(0).uniform(size=(50, 3)) * u_dom.hi
    X = to_input(U)
    assert np.array_equal(X, LO + U * np.array([8.0, 2.0, 1.0]))
    assert np.allclose(u_net.evaluate(U), net.evaluate(X), atol=1e-12)
    pu, px = u_net.pattern(U), net.pattern(X)           # the same patterns
    assert len(pu) == len(px) == 1 and np.array_equal(pu[0], px[0])
    assert u_dom.contains(U).tolist() == dom.contains(X).tolist()
    assert sp.issparse(u_net.stages[3].weights[1])
    assert u_net.stages[2] is net.stages[2] and u_net.stages[0] is not net.stages[0]
    assert (u_net.output, u_net.input_shape, u_net.output_shape) == (3, (1, 3), (1, 2))
    assert (u_net.name, u_net.notes, u_net.input_name, u_net.output_name) == (
        "res.onnx", ("a note",), "x", "y")
    # the input's network is left as it was
    assert net.stages[1].bias is not u_net.stages[1].bias
    assert np.allclose(net.evaluate(X), _residual().evaluate(X))


def test_a_box_domain_stays_a_box():
    u_net, u_dom, to_input = unit_box(_residual(), Domain(LO, HI))
    assert u_dom.A is None and u_dom.b is None and u_dom.name == "box"
    assert to_input([[1.0, 1.0, 0.0]]).tolist() == [[4.0, 3.0, 2.0]]
    # a coordinate of zero width keeps its units: only shifted
    assert to_input([[0.0, 0.0, 0.5]]).tolist() == [[-4.0, 1.0, 2.5]]
    assert u_net.stages[1].weights[0][:, 2].tolist() == _residual().stages[1].weights[0][:, 2].tolist()


def test_an_output_stage_before_the_last_is_kept():
    net = _residual()
    net = Network(net.stages, output=1, name="mid")
    u_net, _, to_input = unit_box(net, Domain(LO, HI))
    U = np.array([[0.5, 0.25, 0.0]])
    assert u_net.output == 1
    assert np.allclose(u_net.evaluate(U), net.evaluate(to_input(U)), atol=1e-12)


def test_a_unit_reading_the_input_leaves_everything_as_it_is():
    """relu(x) then an affine map: nothing to fold into, so the input's coordinates stay."""
    net = Network([Input(2), Relu(2, source_index=0),
                   Affine(1, sources=(1,), weights=(np.ones((1, 2)),), bias=np.zeros(1))])
    dom = Domain(np.array([-2.0, 0.0]), np.array([2.0, 5.0]))
    u_net, u_dom, to_input = unit_box(net, dom)
    assert u_net is net and u_dom is dom
    X = to_input([[1, 2]])
    assert X.dtype == float and X.tolist() == [[1.0, 2.0]]


@pytest.mark.parametrize("dense", [True, False])
def test_the_fold_of_one_stage(dense):
    W = np.array([[1.0, 2.0], [3.0, -1.0]])
    net = Network([Input(2), Affine(2, sources=(0,), weights=(W if dense else sp.csr_matrix(W),),
                                    bias=np.array([1.0, 0.0]))])
    u_net, _, _ = unit_box(net, Domain(np.array([1.0, -1.0]), np.array([3.0, 3.0])))
    s = u_net.stages[1]
    Wu = s.weights[0].toarray() if sp.issparse(s.weights[0]) else s.weights[0]
    assert sp.issparse(s.weights[0]) is not dense
    # x = (1, -1) + (2, 4) u: W x + b = (W * (2, 4)) u + W (1, -1) + b
    assert Wu.tolist() == [[2.0, 8.0], [6.0, -4.0]]
    assert s.bias.tolist() == [0.0, 4.0]
    assert s.sources == (0,)
