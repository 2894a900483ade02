"""Tests written against the mutants of regioncount/network.py (benchmarks/mutation.py,
docs/benchmarks.md "Mutation score"): construction and its refusals, the structure helpers,
evaluation of points and batches (including tensor-shaped inputs and an output that is not the
last stage), the affine maps and region rows of a pattern, and the backward rules, each checked
against numpy written out by hand (nothing from regioncount computes the expected values)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from regioncount.errors import RegioncountError
from regioncount.network import Affine, Input, LeakyRelu, MaxGroups, Network, Relu


def _relu_mlp(rng, n=3, h=5, m=2):
    W1, b1 = rng.normal(size=(h, n)), rng.normal(size=h)
    W2, b2 = rng.normal(size=(m, h)), rng.normal(size=m)
    return Network.from_layers([(W1, b1)], final=(W2, b2)), (W1, b1, W2, b2)


# -- construction ----------------------------------------------------------------------------

def test_a_network_must_start_with_its_input():
    with pytest.raises(RegioncountError, match="^a network starts with its Input stage$"):
        Network([])
    with pytest.raises(RegioncountError, match="^a network starts with its Input stage$"):
        Network([Relu(size=2, source_index=0)])


def test_stages_read_only_earlier_stages():
    with pytest.raises(RegioncountError,
                       match=r"^stage 1 \(relu\) reads stage 1, not an earlier one$"):
        Network([Input(size=2), Relu(size=2, source_index=1)])
    with pytest.raises(RegioncountError,
                       match=r"^stage 2 \(affine\) reads stage 3, not an earlier one$"):
        Network([Input(size=2), Relu(size=2, source_index=0),
                 Affine(size=1, sources=(3,), weights=(np.ones((1, 2)),), bias=np.zeros(1))])
    with pytest.raises(RegioncountError, match="reads stage -1"):
        Network([Input(size=2), Relu(size=2, source_index=-1)])
    # reading the input (stage 0) directly is allowed
    net = Network([Input(size=2), Relu(size=2, source_index=0)])
    assert net.evaluate(np.array([-1.0, 2.0])).tolist() == [0.0, 2.0]


def test_default_and_given_attributes():
    st = [Input(size=4), Affine(size=3, sources=(0,), weights=(np.ones((3, 4)),),
                                bias=np.zeros(3)), Relu(size=3, source_index=1)]
    net = Network(st)
    assert net.output == 2 and net.input_shape == (4,) and net.output_shape == (3,)
    assert net.name == "network" and net.notes == () and net.input_name is None
    assert net.output_name is None
    other = Network(st, output=1, input_shape=[2, 2], output_shape=[3, 1], name="n",
                    notes=["a", "b"], input_name="x", output_name="y")
    assert other.output == 1 and other.input_shape == (2, 2) and other.output_shape == (3, 1)
    assert other.notes == ("a", "b") and other.name == "n"
    assert (other.input_name, other.output_name) == ("x", "y")
    assert other.output_size == 3 and Network(st, output=0).output_shape == (4,)


def test_from_layers_relu_leaky_and_final():
    W1 = np.array([[1.0, -1.0], [0.5, 2.0]])
    b1 = np.array([0.1, -0.2])
    W2, b2 = np.array([[1.0, 3.0]]), np.array([0.5])
    x = np.array([[0.3, 0.9], [2.0, -1.0]])
    h = x @ W1.T + b1
    relu = Network.from_layers([(W1, b1)], final=(W2, b2))
    assert relu.name == "mlp" and repr(relu) == \
        "Network('mlp': input[2]-affine[2]-relu[2]-affine[1])"
    np.testing.assert_allclose(relu.evaluate(x), np.maximum(h, 0) @ W2.T + b2)
    leaky = Network.from_layers([(W1, b1)], final=(W2, b2), activation="leaky_relu",
                                name="lk")
    assert leaky.name == "lk" and leaky.stages[2].kind == "leaky_relu"
    np.testing.assert_allclose(leaky.evaluate(x), np.where(h > 0, h, 0.01 * h) @ W2.T + b2)
    leaky3 = Network.from_layers([(W1, b1)], activation="leaky_relu", alpha=0.3)
    np.testing.assert_allclose(leaky3.evaluate(x), np.where(h > 0, h, 0.3 * h))
    # provenance of every stage
    s = relu.stages
    assert (s[1].source.nodes, s[1].source.ops, s[1].source.shape) == (("layer0",), ("Gemm",), (2,))
    assert (s[2].source.nodes, s[2].source.ops) == (("act0",), ("relu",))
    assert (s[3].source.nodes, s[3].source.ops, s[3].source.shape) == (("output",), ("Gemm",), (1,))
    assert leaky.stages[2].source.ops == ("leaky_relu",)


def test_from_layers_shapes():
    # two hidden layers, a 1-D bias given as a column, a final row vector given 1-D
    W1, b1 = np.arange(6.0).reshape(3, 2) / 4 - 0.5, np.array([[0.1], [0.0], [-0.3]])
    W2, b2 = np.array([[1.0, -1.0, 0.5], [0.2, 0.3, -1.0]]), np.array([0.0, 0.4])
    net = Network.from_layers([(W1, b1), (W2, b2)], final=(np.array([2.0, -1.0]), 0.25))
    assert [s.kind for s in net.stages] == ["input", "affine", "relu", "affine", "relu",
                                            "affine"]
    assert [s.inputs for s in net.stages[1:]] == [(0,), (1,), (2,), (3,), (4,)]
    x = np.array([0.7, -0.4])
    h1 = np.maximum(W1 @ x + b1.ravel(), 0)
    h2 = np.maximum(W2 @ h1 + b2, 0)
    np.testing.assert_allclose(net.evaluate(x), [2 * h2[0] - h2[1] + 0.25])
    assert net.output_shape == (1,) and net.pwl_units == 5
    # only a final layer: its weights give the input size, no PWL stage
    lin = Network.from_layers([], final=(np.ones((2, 3)), np.zeros(2)))
    assert lin.input_size == 3 and lin.pwl_units == 0 and lin.output_size == 2
    with pytest.raises(RegioncountError, match=r"^from_layers: unknown activation 'tanh'$"):
        Network.from_layers([(W1, b1)], activation="tanh")


# -- structure -------------------------------------------------------------------------------

def _dag():
    """input(2) -> affine(3) -> relu ; affine(relu, input) -> leaky ; max over the leaky pair
    and the first relu output ... the input is read by two stages (a residual)."""
    W1, b1 = np.array([[1.0, 0.5], [-1.0, 1.0], [0.3, -0.7]]), np.array([0.1, 0.0, -0.2])
    Wa, Wb = np.array([[1.0, -1.0, 0.5], [0.2, 0.3, 0.0]]), np.array([[0.5, 0.0], [0.0, -1.0]])
    st = [Input(size=2), Affine(size=3, sources=(0,), weights=(sp.csr_matrix(W1),), bias=b1),
          Relu(size=3, source_index=1),
          Affine(size=2, sources=(2, 0), weights=(Wa, Wb), bias=np.array([0.0, 0.1])),
          LeakyRelu(size=2, source_index=3, alpha=np.array([0.1, 0.2])),
          MaxGroups(size=1, source_index=4, indptr=np.array([0, 2]), indices=np.array([0, 1])),
          Affine(size=2, sources=(5, 2), weights=(np.array([[1.0], [-2.0]]),
                                                  np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 1.0]])),
                 bias=np.array([0.0, 0.3]))]
    return Network(st), (W1, b1, Wa, Wb)


def _dag_by_hand(x, W1, b1, Wa, Wb):
    r = np.maximum(x @ W1.T + b1, 0)
    g = r @ Wa.T + x @ Wb.T + np.array([0.0, 0.1])
    lk = np.where(g > 0, g, g * np.array([0.1, 0.2]))
    m = lk.max(axis=1, keepdims=True)
    return np.hstack([m + r[:, 1:2], -2 * m + r[:, 0:1] + r[:, 2:3] + 0.3]), (r, g, lk, m)


def test_structure_helpers():
    net, _ = _dag()
    assert net.input_size == 2 and net.output_size == 2
    assert net.pwl_indices == (2, 4, 5)
    assert [s.kind for s in net.pwl_stages] == ["relu", "leaky_relu", "max"]
    assert net.pwl_units == 3 + 2 + 1
    assert not net.is_chain()
    assert net.consumers() == [[1, 3], [2], [3, 6], [4], [5], [6], []]
    # params: the sparse matrix's stored non-zeros (6), the dense entries, the biases
    assert net.params() == (6 + 3) + (6 + 4 + 2) + (2 + 6 + 2)
    chain = Network.from_layers([(np.ones((2, 2)), np.zeros(2))])
    assert chain.is_chain() and chain.consumers() == [[1], [2], []]
    assert repr(net) == ("Network('network': input[2]-affine[3]-relu[3]-affine[2]-"
                         "leaky_relu[2]-max[1]-affine[2])")


# -- evaluation ------------------------------------------------------------------------------

def test_dag_evaluate_forward_and_pattern(rng):
    net, (W1, b1, Wa, Wb) = _dag()
    X = rng.uniform(-2, 2, size=(40, 2))
    want, (r, g, lk, m) = _dag_by_hand(X, W1, b1, Wa, Wb)
    np.testing.assert_allclose(net.evaluate(X), want, atol=1e-12)
    vals = net.forward(X)
    assert len(vals) == 7
    np.testing.assert_allclose(vals[2], r)
    np.testing.assert_allclose(vals[4], lk)
    for x, w in zip(X, want):
        np.testing.assert_allclose(net.evaluate(x), w, atol=1e-12)
    pats = net.pattern(X)
    assert len(pats) == 3
    np.testing.assert_array_equal(pats[0], (X @ W1.T + b1 > 0).astype(int))
    np.testing.assert_array_equal(pats[1], (g > 0).astype(int))
    np.testing.assert_array_equal(pats[2][:, 0], np.argmax(lk, axis=1))
    one = net.pattern(X[0])
    assert [p.tolist() for p in one] == [p[0].tolist() for p in pats]


def test_an_output_that_is_not_the_last_stage():
    net, (W1, b1, Wa, Wb) = _dag()
    X = np.array([[0.5, -0.25], [-1.0, 1.5]])
    _, (r, g, lk, m) = _dag_by_hand(X, W1, b1, Wa, Wb)
    mid = Network(net.stages, output=4)
    np.testing.assert_allclose(mid.evaluate(X), lk)
    np.testing.assert_allclose(mid.evaluate(X[1]), lk[1])
    relu_out = Network(net.stages, output=2)
    np.testing.assert_allclose(relu_out.evaluate(X), r)
    # the input itself as the output, although later stages read it
    ident = Network(net.stages, output=0)
    np.testing.assert_array_equal(ident.evaluate(X), X)
    A, c = ident.local_affine(X[0])
    np.testing.assert_array_equal(A, np.eye(2)) and np.testing.assert_array_equal(c, 0)


def test_tensor_shaped_inputs():
    W = np.arange(8.0).reshape(2, 4) / 8 - 0.2
    st = [Input(size=4), Affine(size=2, sources=(0,), weights=(W,), bias=np.zeros(2)),
          Relu(size=2, source_index=1)]
    net = Network(st, input_shape=(2, 2))
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    want = np.maximum(W @ x.ravel(), 0)
    np.testing.assert_allclose(net.evaluate(x), want)                 # one point, its shape
    np.testing.assert_allclose(net.evaluate(x.ravel()), want)         # one point, flat
    np.testing.assert_allclose(net.evaluate(np.stack([x, 2 * x])), [want, 2 * want])
    np.testing.assert_allclose(net.evaluate(np.stack([x.ravel(), -x.ravel()])),
                               [want, np.maximum(-W @ x.ravel(), 0)])
    assert net.evaluate(x).shape == (2,)
    assert net.evaluate(x[None]).shape == (1, 2)
    with pytest.raises(RegioncountError, match=r"^input has 3 values, the network takes 4$"):
        net.evaluate(np.zeros(3))
    with pytest.raises(RegioncountError,
                       match=r"^input of shape \(3, 3\) does not fit network input \(2, 2\)$"):
        net.evaluate(np.zeros((3, 3)))
    with pytest.raises(RegioncountError, match="does not fit"):
        net.evaluate(np.zeros((2, 5)))
    with pytest.raises(RegioncountError, match="does not fit"):
        net.evaluate(np.zeros((2, 3, 4)))      # 24 values: a multiple of 4, not 2 rows of 4


# -- affine maps and region rows --------------------------------------------------------------

def test_affine_maps_by_hand():
    net, (W1, b1, Wa, Wb) = _dag()
    x = np.array([0.4, 0.3])
    _, (r, g, lk, m) = _dag_by_hand(x[None], W1, b1, Wa, Wb)
    maps = net.affine_maps(x)
    assert len(maps) == 7
    np.testing.assert_array_equal(maps[0][0], np.eye(2))
    np.testing.assert_array_equal(maps[0][1], np.zeros(2))
    D = np.diag((x @ W1.T + b1 > 0).astype(float))
    np.testing.assert_allclose(maps[1][0], W1)
    np.testing.assert_allclose(maps[2][0], D @ W1)
    np.testing.assert_allclose(maps[2][1], D @ b1)
    for k, v in enumerate(net.forward(x[None])):
        np.testing.assert_allclose(maps[k][0] @ x + maps[k][1], v[0], atol=1e-12)
    by_pattern = net.affine_maps(pattern=net.pattern(x))
    for (A1, c1), (A2, c2) in zip(maps, by_pattern):
        np.testing.assert_array_equal(A1, A2) and np.testing.assert_array_equal(c1, c2)
    A, c = net.local_affine(pattern=net.pattern(x))
    np.testing.assert_allclose(A, maps[-1][0]) and np.testing.assert_allclose(c, maps[-1][1])
    with pytest.raises(RegioncountError, match="^affine_maps needs a point or a pattern$"):
        net.affine_maps()
    with pytest.raises(RegioncountError, match="^affine_maps needs a point or a pattern$"):
        net.local_affine()


def test_region_rows_cut_out_the_region(rng):
    net, _ = _dag()
    X = rng.uniform(-2, 2, size=(400, 2))
    pats = net.pattern(X)
    flat = np.hstack([np.asarray(p) for p in pats])
    for j in range(0, 400, 37):
        G, h = net.region_rows([p[j] for p in pats])
        assert G.shape == (len(h), 2) and len(h) >= net.pwl_units
        inside = np.all(X @ G.T <= h, axis=1)
        same = np.all(flat == flat[j], axis=1)
        # the rows hold exactly at the points of the pattern (none lies on a boundary)
        np.testing.assert_array_equal(inside, same)
    lin = Network.from_layers([], final=(np.ones((1, 3)), np.zeros(1)))
    G, h = lin.region_rows([])
    assert G.shape == (0, 3) and h.shape == (0,)


# -- backward --------------------------------------------------------------------------------

def test_backward_rules_by_hand(rng):
    net, (W1, b1, W2, b2) = _relu_mlp(rng)
    X = rng.normal(size=(20, 3))
    H = X @ W1.T + b1
    out = np.maximum(H, 0) @ W2.T + b2
    k = out.argmax(axis=1)
    g_top = W2[k]                                   # d out_k / d relu
    want = {"saliency": (g_top * (H > 0)) @ W1,
            "deconvnet": np.maximum(g_top, 0) @ W1,
            "gbp": (np.maximum(g_top, 0) * (H > 0)) @ W1}
    for rule, w in want.items():
        np.testing.assert_allclose(net.backward(X, rule), w, atol=1e-12)
        np.testing.assert_allclose(net.backward(X[3], rule), w[3], atol=1e-12)
    np.testing.assert_allclose(net.backward(X), want["saliency"], atol=1e-12)
    # a chosen output, for every point or one each
    np.testing.assert_allclose(net.backward(X, output=0), (W2[0] * (H > 0)) @ W1, atol=1e-12)
    ks = np.arange(20) % 2
    np.testing.assert_allclose(net.backward(X, output=ks), (W2[ks] * (H > 0)) @ W1,
                               atol=1e-12)
    with pytest.raises(RegioncountError,
                       match=r"^unknown backward rule 'grad' "
                             r"\(choose from saliency, deconvnet, gbp\)$"):
        net.backward(X, "grad")
    with pytest.raises(RegioncountError,
                       match=r"^output index out of range: the network has 2 outputs$"):
        net.backward(X, output=2)
    with pytest.raises(RegioncountError, match="out of range"):
        net.backward(X, output=-1)
    net.backward(X, output=1)                       # the last output is in range


def test_backward_through_a_dag_adds_the_branches():
    # the input reaches the output through the first affine and directly (a residual): the
    # saliency is the local affine map's row, computed by hand
    net, (W1, b1, Wa, Wb) = _dag()
    for x in (np.array([0.4, 0.3]), np.array([-1.2, 0.8]), np.array([1.5, -1.1])):
        H = W1 @ x + b1
        D = np.diag((H > 0).astype(float))
        g = Wa @ D @ (W1 @ x + b1) + Wb @ x + np.array([0.0, 0.1])
        S = np.diag(np.where(g > 0, 1.0, [0.1, 0.2]))
        lk = S @ g
        jac_lk = S @ (Wa @ D @ W1 + Wb)
        jac_m = jac_lk[int(np.argmax(lk))]
        jac_r = D @ W1
        jac = np.vstack([jac_m + jac_r[1], -2 * jac_m + jac_r[0] + jac_r[2]])
        out = net.evaluate(x)
        k = int(np.argmax(out))
        np.testing.assert_allclose(net.backward(x), jac[k], atol=1e-12)
        np.testing.assert_allclose(net.backward(x, output=1 - k), jac[1 - k], atol=1e-12)
        np.testing.assert_allclose(net.local_affine(x)[0], jac, atol=1e-12)


def test_backward_of_an_output_that_ignores_the_input():
    # a constant output: the map on the input is zero
    st = [Input(size=2), Affine(size=1, sources=(0,), weights=(np.zeros((1, 2)),),
                                bias=np.array([1.0])), Relu(size=1, source_index=1)]
    net = Network(st)
    np.testing.assert_array_equal(net.backward(np.array([0.3, -0.2])), [0.0, 0.0])
    ident = Network(st, output=0)
    np.testing.assert_array_equal(ident.backward(np.array([[0.3, -0.2]]), output=1),
                                  [[0.0, 1.0]])


def test_from_layers_non_square_layers_and_float_storage():
    # integer weights given as nested lists: the canonical network stores float64 (certified
    # counts read the float64 weights as exact rationals)
    W1, b1 = [[1, -1], [2, 0], [0, 3]], [1, 0, -1]
    W2, b2 = [[1, 1, -2]], [2]
    for act in ("relu", "leaky_relu"):
        net = Network.from_layers([(W1, b1)], final=(W2, b2), activation=act, alpha=0.5)
        aff, pwl, out = net.stages[1], net.stages[2], net.stages[3]
        for arr in (aff.weights[0], aff.bias, out.weights[0], out.bias):
            assert arr.dtype == np.float64
        assert aff.weights[0].shape == (3, 2) and pwl.size == 3 and out.weights[0].shape == (1, 3)
        assert aff.source.shape == (3,) and pwl.source.shape == (3,) and out.source.shape == (1,)
        if act == "leaky_relu":
            assert pwl.alpha.tolist() == [0.5, 0.5, 0.5]
        x = np.array([0.5, 0.25])
        h = np.array(W1, float) @ x + np.array(b1, float)
        a = np.where(h > 0, h, 0.0 if act == "relu" else 0.5 * h)
        np.testing.assert_allclose(net.evaluate(x), np.array(W2, float) @ a + 2.0)
    lin = Network.from_layers([], final=([[1, 2, 3]], [1]))
    assert lin.stages[1].weights[0].dtype == np.float64 and lin.stages[1].bias.dtype == np.float64


def test_integer_points_evaluate_in_float():
    # a ReLU straight on the input and a max over input entries: integer points give floats
    net = Network([Input(size=3), Relu(size=3, source_index=0),
                   MaxGroups(size=1, source_index=0, indptr=np.array([0, 3]),
                             indices=np.arange(3))], output=1)
    out = net.evaluate(np.array([1, -2, 3]))
    assert out.dtype == np.float64 and out.tolist() == [1.0, 0.0, 3.0]
    out = net.evaluate(np.array([[1, -2, 3], [-1, 0, 2]]))
    assert out.dtype == np.float64 and out.tolist() == [[1.0, 0.0, 3.0], [0.0, 0.0, 2.0]]
    mx = Network(net.stages)                        # the max of the entries
    out = mx.evaluate(np.array([1, -2, 3]))
    assert out.dtype == np.float64 and out.tolist() == [3.0]
    out = mx.evaluate(np.array([[1, -2, 3], [-1, 0, -2]]))
    assert out.dtype == np.float64 and out.tolist() == [[3.0], [0.0]]


def test_local_affine_of_a_point_given_as_a_row():
    net, _ = _dag()
    x = np.array([0.4, 0.3])
    A, c = net.local_affine(x)
    A2, c2 = net.local_affine(x[None, :])          # the same point, as a (1, n) array
    np.testing.assert_array_equal(A, A2)
    np.testing.assert_array_equal(c, c2)
    assert A.shape == (2, 2) and c.shape == (2,)


def test_a_first_stage_reading_the_input_twice_is_not_a_chain():
    st = [Input(size=2), Affine(size=1, sources=(0, 0), weights=(np.ones((1, 2)), np.ones((1, 2))),
                                bias=np.zeros(1))]
    net = Network(st)
    assert not net.is_chain()
    assert net.evaluate(np.array([1.0, 2.0])).tolist() == [6.0]
