"""The stage interface (regioncount.stages): each kind's semantics in one place, checked
against its own forward pass, against onnxruntime, and across the counting methods; the
HardSigmoid and Abs kinds end to end; one definition of stability."""

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from regioncount import Domain, load
from regioncount.check import check_network
from regioncount.enumeration import count_tree
from regioncount.enumeration.milp_count import count_milp
from regioncount.enumeration.slices import count_slice
from regioncount.intervals import interval_bounds, stable_units
from regioncount.io import read_model
from regioncount.lowering import lower
from regioncount.milp.tighten import tighten
from regioncount.network import Affine, Clip, HardSigmoid, Input, LeakyRelu, MaxGroups, Network, Relu


def _kinds(n, rng):
    return {
        "relu": Relu(size=n),
        "leaky": LeakyRelu(size=n, alpha=rng.uniform(0, 0.5, n)),
        "clip": Clip(size=n, lo=np.full(n, -0.5), hi=np.full(n, 0.7)),
        "hard_sigmoid": HardSigmoid(size=n, alpha=rng.choice([-0.7, 0.2, 1.5], n),
                                    beta=rng.uniform(-0.5, 1.0, n)),
        "max": MaxGroups(size=n // 2, indptr=np.arange(0, n + 1, 2), indices=rng.permutation(n)),
    }


@pytest.mark.parametrize("kind", ["relu", "leaky", "clip", "hard_sigmoid", "max"])
def test_each_kind_is_consistent_with_its_own_forward(kind):
    """map_piece reproduces apply on every piece, the interval transfer contains every value,
    and `possible` admits the piece of every point inside the bounds."""
    rng = np.random.default_rng(0)
    s = _kinds(8, rng)[kind]
    x = rng.normal(scale=2.0, size=(500, 8))
    y, p = s.apply(x), s.piece(x)
    for b in range(0, 500, 37):
        A, c = s.map_piece(np.eye(8), np.zeros(8), p[b])
        assert np.allclose(A @ x[b] + c, y[b])
    l, h = x.min(axis=0), x.max(axis=0)
    lo, hi = s.interval(l, h)
    assert np.all(y >= lo - 1e-12) and np.all(y <= hi + 1e-12)
    ok = s.possible(l, h)
    assert np.all(ok[np.arange(p.shape[1])[None, :], p])


def test_hard_sigmoid_pieces_by_hand():
    """alpha 0.2, beta 0.5: breakpoints -2.5 and 2.5; alpha -0.5, beta 0.25: the value is 1 for
    x <= -1.5 and 0 for x >= 0.5."""
    s = HardSigmoid(size=2, alpha=np.array([0.2, -0.5]), beta=np.array([0.5, 0.25]))
    assert s.table()[0].tolist() == [[-2.5, 2.5], [-1.5, 0.5]]
    x = np.array([[-3.0, -2.0], [0.0, 0.0], [3.0, 1.0]])
    assert s.apply(x).tolist() == [[0.0, 1.0], [0.5, 0.25], [1.0, 0.0]]
    assert s.piece(x).tolist() == [[0, 0], [1, 1], [2, 2]]
    assert s.stable_piece(np.array([-9.0, -1.0]), np.array([-3.0, 0.0])).tolist() == [0, 1]


def _onnx_model(path, units, op, attrs, seed):
    """2 -> Gemm(units) -> op -> Gemm(2): a tiny model written with onnx.helper."""
    rng = np.random.default_rng(seed)
    W1, b1 = rng.normal(size=(units, 2)), rng.normal(size=units) * 0.5
    W2, b2 = rng.normal(size=(2, units)), rng.normal(size=2)
    inits = [numpy_helper.from_array(a.astype(np.float32), n)
             for a, n in ((W1, "W1"), (b1, "b1"), (W2, "W2"), (b2, "b2"))]
    nodes = [helper.make_node("Gemm", ["x", "W1", "b1"], ["h"], transB=1, name="fc1"),
             helper.make_node(op, ["h"], ["a"], name="act", **attrs),
             helper.make_node("Gemm", ["a", "W2", "b2"], ["y"], transB=1, name="fc2")]
    g = helper.make_graph(nodes, "tiny", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 2])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 2])], inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 8
    onnx.checker.check_model(m)
    onnx.save(m, str(path))
    return path


@pytest.mark.parametrize("op,attrs", [("HardSigmoid", {}), ("HardSigmoid", {"alpha": -0.6, "beta": 0.3}),
                                      ("Abs", {})])
def test_new_kinds_load_check_and_count_alike(tmp_path, op, attrs):
    path = _onnx_model(tmp_path / "m.onnx", 5, op, attrs, seed=4)
    graph = read_model(path)
    net = lower(graph)
    dom = Domain.box(-3, 3, 2)
    assert check_network(graph, net, dom, samples=200).ok
    tree = count_tree(net, dom, workers=1, keep_patterns=True)
    milp = count_milp(net, dom)
    sl = count_slice(net, dom)
    assert tree.complete and milp.complete
    assert tree.regions == milp.regions == sl.regions
    assert tree.pattern_set() == milp.pattern_set() == sl.pattern_set()
    # an independent lower bound: the distinct patterns on a fine grid
    g = np.stack(np.meshgrid(np.linspace(-3, 3, 301), np.linspace(-3, 3, 301)), -1).reshape(-1, 2)
    seen = {np.concatenate(p).tobytes() for p in zip(*[q.astype(np.int32) for q in net.pattern(g)])}
    assert tree.regions - 3 <= len(seen) <= tree.regions


def test_hard_sigmoid_count_by_hand():
    """x in [-10, 10] through HardSigmoid(x) and HardSigmoid(2x - 1): breakpoints -2.5, 2.5 and
    -0.75, 1.75, so 5 regions."""
    st = [Input(size=1), Affine(size=2, sources=(0,), weights=(np.array([[1.0], [2.0]]),),
                                bias=np.array([0.0, -1.0])),
          HardSigmoid(size=2, source_index=1, alpha=np.full(2, 0.2), beta=np.full(2, 0.5))]
    net = Network(st)
    dom = Domain.box(-10, 10, 1)
    assert count_tree(net, dom, workers=1).regions == 5
    assert count_slice(net, dom).regions == 5
    assert count_milp(net, dom).regions == 5


def _dead_maxpool_net():
    """Two ReLUs that are always 0 on [0, 1]^2 pooled by one max, and one live ReLU."""
    W = np.array([[1.0, 1.0], [1.0, -1.0], [1.0, -1.0]])
    st = [Input(size=2), Affine(size=3, sources=(0,), weights=(W,), bias=np.array([-5.0, -3.0, 0.1])),
          Relu(size=3, source_index=1),
          MaxGroups(size=1, source_index=2, indptr=np.array([0, 2]), indices=np.array([0, 1])),
          Affine(size=1, sources=(3, 2), weights=(np.ones((1, 1)), np.ones((1, 3))), bias=np.zeros(1))]
    return Network(st)


def test_one_definition_of_stability():
    """A max-pool over two ReLUs that are always zero is one piece (the max of zeros): the
    tightening behind `regioncount stable` and `stable_units` on the same bounds agree."""
    net = _dead_maxpool_net()
    dom = Domain.box(0, 1, 2)
    for method in ("interval", "lp"):
        t = tighten(net, dom, method=method)
        su = {s.stage: s for s in stable_units(net, t.bounds)}
        for st in t.stages:
            assert np.array_equal(st.active, su[st.stage].active), (method, st.stage)
            assert np.array_equal(st.inactive, su[st.stage].inactive), (method, st.stage)
        assert t.stages[1].active.tolist() == [True]          # the max group
        assert t.stages[0].inactive.tolist() == [True, True, False]
    assert stable_units(net, interval_bounds(net, dom))[1].active.tolist() == [True]


@pytest.mark.parametrize("kind", ["relu", "leaky", "clip", "hard_sigmoid", "max"])
def test_saliency_is_the_local_affine_row(kind):
    rng = np.random.default_rng(5)
    act = _kinds(8, rng)[kind]
    w = act.size
    st = [Input(size=3), Affine(size=8, sources=(0,), weights=(rng.normal(size=(8, 3)),),
                                bias=rng.normal(size=8))]
    fields = {f: getattr(act, f) for f in ("alpha", "beta", "lo", "hi", "indptr", "indices")
              if hasattr(act, f)}
    st.append(type(act)(size=w, source_index=1, **fields))
    st.append(Affine(size=4, sources=(2,), weights=(rng.normal(size=(4, w)),), bias=np.zeros(4)))
    net = Network(st)
    x = rng.normal(size=(20, 3))
    sal = net.backward(x, "saliency", output=2)
    for b in range(20):
        A, _ = net.local_affine(x[b])
        assert np.allclose(sal[b], A[2])
    # DeconvNet passes the signal through ReLU-like units whatever the input
    if kind == "relu":
        d = net.backward(x, "deconvnet", output=2)
        assert np.allclose(d, d[0])


def test_demo_model_saliency_matches_finite_differences():
    from pathlib import Path

    net = load(Path(__file__).resolve().parents[1] / "models" / "digits_mlp.onnx")
    x = np.random.default_rng(1).uniform(0, 1, 64)
    k = int(net.evaluate(x).argmax())
    sal = net.backward(x, "saliency")
    eps = 1e-6
    fd = np.array([(net.evaluate(x + eps * e)[k] - net.evaluate(x - eps * e)[k]) / (2 * eps)
                   for e in np.eye(64)])
    assert np.allclose(sal, fd, atol=1e-5)


def test_piece_on_maps_reads_equal_max_members_as_the_first():
    """Entries of a max group that are the same affine function (within EQUAL_PIECES_RTOL)
    read as the first of them, whatever their values' rounding; other kinds read their
    values."""
    from regioncount.stages import MaxGroups, Relu

    s = MaxGroups(size=1, source_index=0, indptr=np.array([0, 3]), indices=np.arange(3))
    A = np.array([[[0.3, 0.0], [0.1 + 0.2, 0.0], [0.0, 1.0]]] * 2)
    c = np.array([[0.1, 0.1, 0.0]] * 2)
    x = np.array([[0.7, 0.2], [0.7, 0.9]])
    g = np.einsum("nud,nd->nu", A, x) + c
    assert s.piece(g).ravel().tolist() == [1, 2]        # the rounding makes entry 1 larger
    assert s.piece_on_maps(A, c, g).ravel().tolist() == [0, 2]
    A2 = A.copy()
    A2[:, 1, 0] = 0.3 + 1e-6                             # a different function: its own piece
    g2 = np.einsum("nud,nd->nu", A2, x) + c
    assert s.piece_on_maps(A2, c, g2).ravel().tolist() == [1, 2]
    r = Relu(size=2, source_index=0)
    assert r.piece_on_maps(None, None, np.array([[1e-17, -1.0]])).tolist() == [[1, 0]]


@pytest.mark.parametrize("block", [4 << 20, 1, 12])
def test_piece_on_maps_on_every_cell_relative_to_the_norms(block, monkeypatch):
    """Every cell (the first included, in blocks of any size); same is relative to the rows'
    norms: 1e-6 apart at norms of 1e4 is one function, 1e-3 apart at norms of 1 is not."""
    from regioncount.stages import MaxGroups

    s = MaxGroups(size=2, source_index=0, indptr=np.array([0, 2, 4]), indices=np.arange(4))
    monkeypatch.setattr(MaxGroups, "BLOCK_VALUES", block)
    x = np.array([[0.7, 0.2], [0.7, -0.4], [0.3, 0.9]])
    A = np.zeros((3, 4, 2))
    A[:, 0], A[:, 1] = [1e4, 0.0], [1e4 + 1e-6, 0.0]
    A[:, 2], A[:, 3] = [1.0, 0.0], [1.0 + 1e-3, 0.0]
    c = np.zeros((3, 4))
    g = np.einsum("nud,nd->nu", A, x) + c
    assert s.piece(g).tolist() == [[1, 1]] * 3
    assert s.piece_on_maps(A, c, g).tolist() == [[0, 1]] * 3
