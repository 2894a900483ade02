import numpy as np
import pytest
import scipy.sparse as sp

from regioncount.network import Affine, Clip, Input, LeakyRelu, MaxGroups, Network, Relu


def _dag_network(rng):
    """input(3) -> affine(4) -> relu -> maxgroups(2 groups) ; skip: affine(input, max) -> out."""
    W1 = rng.normal(size=(4, 3))
    b1 = rng.normal(size=4)
    stages = [
        Input(size=3),
        Affine(size=4, sources=(0,), weights=(sp.csr_matrix(W1),), bias=b1),
        LeakyRelu(size=4, source_index=1, alpha=np.full(4, 0.1)),
        MaxGroups(size=2, source_index=2, indptr=np.array([0, 3, 4]), indices=np.array([0, 1, 2, 3])),
        Clip(size=2, source_index=3, lo=np.array([-0.5, -1.0]), hi=np.array([0.5, 2.0])),
        Affine(size=2, sources=(4, 0), weights=(rng.normal(size=(2, 2)), rng.normal(size=(2, 3))),
               bias=rng.normal(size=2)),
    ]
    return Network(stages), (W1, b1)


def test_dag_evaluate_matches_manual(rng):
    net, (W1, b1) = _dag_network(rng)
    x = rng.normal(size=(50, 3))
    vals = net.forward(x)
    h = x @ W1.T + b1
    lr = np.where(h > 0, h, 0.1 * h)
    m = np.stack([lr[:, :3].max(1), lr[:, 3]], 1)
    np.testing.assert_allclose(vals[3], m)
    np.testing.assert_allclose(vals[4], np.clip(m, [-0.5, -1.0], [0.5, 2.0]))
    np.testing.assert_allclose(net.evaluate(x), vals[-1])


def test_local_affine_reproduces_outputs_nearby(rng):
    net, _ = _dag_network(rng)
    for x in rng.normal(size=(30, 3)):
        A, c = net.local_affine(x)
        np.testing.assert_allclose(A @ x + c, net.evaluate(x), atol=1e-12)
        # a point very close by is (almost surely) in the same region
        y = x + 1e-9 * rng.normal(size=3)
        if all((p == q).all() for p, q in zip(net.pattern(x), net.pattern(y))):
            np.testing.assert_allclose(A @ y + c, net.evaluate(y), atol=1e-10)


def test_pattern_semantics_zero_is_inactive():
    net = Network.from_layers([(np.array([[1.0], [-1.0]]), np.zeros(2))])
    assert [p.tolist() for p in net.pattern(np.array([0.0]))] == [[0, 0]]
    assert [p.tolist() for p in net.pattern(np.array([[1.0], [-1.0]]))] == [[[1, 0], [0, 1]]]


def test_structure_counts():
    net = Network.from_layers([(np.ones((4, 2)), np.zeros(4)), (np.ones((3, 4)), np.zeros(3))],
                              final=(np.ones((1, 3)), np.zeros(1)))
    assert net.pwl_units == 7
    assert net.params() == 4 * 2 + 4 + 3 * 4 + 3 + 3 + 1
    assert net.is_chain()


def test_bad_stage_order_is_refused():
    from regioncount.errors import RegioncountError

    with pytest.raises(RegioncountError):
        Network([Input(size=2), Relu(size=2, source_index=2)])


def test_integer_bias_evaluates_in_float():
    """An affine stage whose bias is stored as integers (a hand-built network) still evaluates
    in float: relu(0.5 x + 1) at x = 0.25 is 1.125."""
    st = [Input(size=1), Affine(size=1, sources=(0,), weights=(np.array([[0.5]]),),
                                bias=np.array([1])),
          Relu(size=1, source_index=1)]
    assert Network(st).evaluate(np.array([0.25])).tolist() == [1.125]
