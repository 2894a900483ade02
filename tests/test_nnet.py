"""The .nnet reader: agreement with an ONNX model in the VNN-COMP ACAS Xu layout built from the
same weights, an independent parse, and clear errors for malformed files.

The ACAS Xu-shaped file is written here (seeded weights, the ACAS Xu header), so that these
tests run in every clone; that the real N_1,1 .nnet file equals VNN-COMP's ONNX export is
tests/test_models.py::test_nnet_reads_through_onnx_and_equals_the_onnx_export (on ../shared)."""

import numpy as np
import onnx
import onnxruntime as ort
import pytest

from regioncount import Network
from regioncount.errors import ModelError
from regioncount.io.nnet import nnet_input_box, nnet_to_onnx, read_nnet

#: The normalisation header of the ACAS Xu .nnet files (Julian et al.): raw input bounds (rho,
#: theta, psi, v_own, v_int; pi written 3.141593), then means and ranges (inputs, output).
ACAS_HEADER = """0.0,-3.141593,-3.141593,100.0,0.0,
60760.0,3.141593,3.141593,1200.0,1200.0,
1.9791091e+04,0.0,0.0,650.0,600.0,7.5188840201005975,
60261.0,6.28318530718,6.28318530718,1100.0,1200.0,373.94992,
"""
ACAS_SIZES = [5, 50, 50, 50, 50, 50, 50, 5]


def _session(model):
    data = model.SerializeToString() if isinstance(model, onnx.ModelProto) else str(model)
    return ort.InferenceSession(data, providers=["CPUExecutionProvider"])


def _independent_eval(path, X):
    """Evaluate a .nnet file straight from its numbers, without regioncount's parser: drop the
    '//' lines, read every number in order, and walk the layers (ReLU between them)."""
    nums = []
    for line in path.read_text().splitlines():
        if line.strip().startswith("//"):
            continue
        nums += [float(t) for t in line.split(",") if t.strip()]
    L, n_in = int(nums[0]), int(nums[1])
    sizes = [int(v) for v in nums[4:4 + L + 1]]
    pos = 4 + L + 1 + 1 + 2 * n_in + 2 * (n_in + 1)
    h = X
    for k in range(L):
        W = np.array(nums[pos:pos + sizes[k + 1] * sizes[k]]).reshape(sizes[k + 1], sizes[k])
        pos += W.size
        b = np.array(nums[pos:pos + sizes[k + 1]])
        pos += b.size
        h = h @ W.T + b
        if k < L - 1:
            h = np.maximum(h, 0.0)
    assert pos == len(nums)
    return h


def _acas_like_layers(seed=11):
    """Seeded weights of the ACAS Xu shape 5-50x6-5, rounded to the 6 significant digits the
    .nnet files print (so the file holds exactly these numbers)."""
    rng = np.random.default_rng(seed)
    printed = np.vectorize(lambda v: float(f"{v:.5e}"))
    return [(printed(rng.normal(scale=1.5 / np.sqrt(m), size=(n, m))),
             printed(rng.normal(scale=0.1, size=n)))
            for m, n in zip(ACAS_SIZES[:-1], ACAS_SIZES[1:])]


def _write_nnet(path, layers):
    """``layers`` in the .nnet text format with the ACAS Xu header, one row per line."""
    rows = ["// written by tests/test_nnet.py: seeded weights, the ACAS Xu normalisation",
            "// Neural Network File Format by Kyle Julian, Stanford 2016",
            f"{len(layers)},{ACAS_SIZES[0]},{ACAS_SIZES[-1]},{max(ACAS_SIZES)},",
            ",".join(map(str, ACAS_SIZES)) + ",", "0,", ACAS_HEADER.rstrip("\n")]
    for W, b in layers:
        rows += [",".join(f"{v:.5e}" for v in row) + "," for row in W]
        rows += [f"{v:.5e}," for v in b]
    path.write_text("\n".join(rows) + "\n")
    return path


def _vnncomp_layout_onnx(layers):
    """The network as VNN-COMP 2021 writes ACAS Xu, built directly with onnx.helper: input
    [1, 1, 1, 5] -> Sub (zero image) -> Flatten -> (MatMul, Add, Relu) x 6 -> MatMul, Add."""
    from onnx import TensorProto, helper, numpy_helper

    f32 = lambda a: np.asarray(a, np.float32)      # noqa: E731
    nodes = [helper.make_node("Sub", ["input", "avg"], ["sub"]),
             helper.make_node("Flatten", ["sub"], ["h0"])]
    inits = [numpy_helper.from_array(f32(np.zeros((1, 1, 1, 5))), "avg")]
    for k, (W, b) in enumerate(layers, start=1):
        inits += [numpy_helper.from_array(f32(W.T), f"W{k}"), numpy_helper.from_array(f32(b), f"b{k}")]
        nodes += [helper.make_node("MatMul", [f"h{k - 1}", f"W{k}"], [f"m{k}"]),
                  helper.make_node("Add", [f"m{k}", f"b{k}"], [f"a{k}"])]
        if k < len(layers):
            nodes.append(helper.make_node("Relu", [f"a{k}"], [f"h{k}"]))
    graph = helper.make_graph(
        nodes, "acas", [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 1, 1, 5])],
        [helper.make_tensor_value_info(f"a{len(layers)}", TensorProto.FLOAT, [1, 5])], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 8)], ir_version=4)


@pytest.fixture(scope="module")
def acas(tmp_path_factory):
    """An ACAS Xu-shaped .nnet file written from known weights (_acas_like_layers)."""
    path = _write_nnet(tmp_path_factory.mktemp("nnet") / "acas_like.nnet", _acas_like_layers())
    return path, nnet_to_onnx(path), nnet_input_box(path)


def test_nnet_structure_and_box(acas):
    path, model, box = acas
    onnx.checker.check_model(model)
    net = read_nnet(path)
    assert [W.shape for W, _ in net.layers] == [(50, 5)] + [(50, 50)] * 5 + [(5, 50)]
    for (W, b), (W0, b0) in zip(net.layers, _acas_like_layers()):   # the numbers written
        assert np.array_equal(W, W0) and np.array_equal(b, b0)
    assert [n.op_type for n in model.graph.node].count("Relu") == 6
    # The well-known normalised ACAS Xu input box: rho in [0, 60760] with mean 19791.091 and
    # range 60261; the angles over [-pi, pi] with range 2 pi give +-0.5 (pi rounded to 3.141593).
    np.testing.assert_allclose(box.lo, [-19791.091 / 60261, -0.5, -0.5, -0.5, -0.5], atol=1e-6)
    np.testing.assert_allclose(box.hi, [(60760 - 19791.091) / 60261, 0.5, 0.5, 0.5, 0.5], atol=1e-6)


def test_nnet_matches_vnncomp_onnx(acas):
    """nnet_to_onnx's model computes what the VNN-COMP layout of the same weights computes."""
    path, model, box = acas
    ref = _session(_vnncomp_layout_onnx(_acas_like_layers()))
    ours = _session(model)
    X = box.sample(300, rng=7).astype(np.float32)
    got = ours.run(None, {"input": X})[0]
    name = ref.get_inputs()[0].name
    want = np.vstack([ref.run(None, {name: x.reshape(1, 1, 1, 5)})[0] for x in X])
    assert got.shape == want.shape == (300, 5)
    assert np.max(np.abs(got - want)) < 1e-4
    # the outputs vary across the box, so agreement is not trivial
    assert np.ptp(want, axis=0).min() > 1e-2


def test_nnet_matches_independent_numpy(acas):
    path, model, box = acas
    X = box.sample(200, rng=3)
    want = _independent_eval(path, X)
    np.testing.assert_allclose(read_nnet(path).evaluate(X), want, rtol=0, atol=1e-10)
    *hidden, last = _acas_like_layers()                           # the weights, not the file
    direct = Network.from_layers(hidden, final=last)
    np.testing.assert_allclose(direct.evaluate(X), want, rtol=0, atol=1e-10)
    got = _session(model).run(None, {"input": X.astype(np.float32)})[0]
    assert np.max(np.abs(got - want)) < 1e-4


SMALL = """// tiny net
// second comment
2,2,1,3,
2,3,1,
0,
0.0,-1.0,
4.0,1.0,
2.0,0.0,10.0,
4.0,2.0,1.0,
1.0,-1.0,
0.5,0.5,
-1.0,2.0,
0.0,
0.25,
-0.5,
1.0,-1.0,2.0,
0.5,
"""


def test_small_nnet_by_hand(tmp_path):
    p = tmp_path / "small.nnet"
    p.write_text(SMALL)
    box = nnet_input_box(p)
    np.testing.assert_allclose(box.lo, [-0.5, -0.5])
    np.testing.assert_allclose(box.hi, [0.5, 0.5])
    x = np.array([[0.25, -0.5]])
    # hidden: [0.25+0.5, 0.125-0.25+0.25, -0.25-1-0.5] -> relu [0.75, 0.125, 0]
    expected = 0.75 - 0.125 + 0 + 0.5
    got = _session(nnet_to_onnx(p)).run(None, {"input": x.astype(np.float32)})[0]
    np.testing.assert_allclose(got, [[expected]], rtol=1e-6)
    net = read_nnet(p)
    np.testing.assert_allclose(net.normalise([[3.0, 5.0]]), [[0.25, 0.5]])  # 5 clipped to 1


def _expect_error(tmp_path, text, *fragments):
    p = tmp_path / "bad.nnet"
    p.write_text(text)
    with pytest.raises(ModelError) as e:
        nnet_to_onnx(p)
    msg = str(e.value)
    assert "\n" not in msg and "bad.nnet" in msg
    for f in fragments:
        assert f in msg, msg
    return msg


def test_truncated_nnet(tmp_path):
    lines = SMALL.splitlines()
    _expect_error(tmp_path, "\n".join(lines[:-2]) + "\n", "file ends at line 15",
                  "row 0 of the weights of layer 2")


def test_non_numeric_nnet(tmp_path):
    bad = SMALL.replace("0.5,0.5,", "0.5,abc,")
    _expect_error(tmp_path, bad, "line 11:", "'abc'", "weights of layer 1")


def test_wrong_row_length_and_header(tmp_path):
    _expect_error(tmp_path, SMALL.replace("-1.0,2.0,\n", "-1.0,\n"), "line 12:",
                  "expected 2 values")
    _expect_error(tmp_path, SMALL.replace("2,3,1,", "3,3,1,"), "line 4:", "layer sizes")
    _expect_error(tmp_path, SMALL.replace("2,2,1,3,", "2,x,1,3,"), "line 3:", "not an integer")
    _expect_error(tmp_path, SMALL + "7.0,\n", "line 18:", "after the last layer")
    _expect_error(tmp_path, SMALL.replace("4.0,2.0,1.0,", "4.0,0.0,1.0,"), "range 1")
    _expect_error(tmp_path, "", "file ends")


def test_missing_nnet(tmp_path):
    with pytest.raises(ModelError, match="no such file"):
        nnet_to_onnx(tmp_path / "nope.nnet")


def test_normalisation_matches_vnncomp_property(acas):
    """VNN-COMP 2021's ACAS Xu property 3 states its box in normalised inputs and, in comments,
    the raw ranges (rho 1500..1800, theta -0.06..0.06, psi 3.10..pi, v_own 980..1200,
    v_int 960..1200); normalising the raw corners reproduces the published numbers."""
    path, _, _ = acas
    net = read_nnet(path)
    lo = net.normalise([1500.0, -0.06, 3.10, 980.0, 960.0])
    hi = net.normalise([1800.0, 0.06, 3.141593, 1200.0, 1200.0])
    np.testing.assert_allclose(lo, [-0.303531156, -0.009549297, 0.493380324, 0.3, 0.3],
                               rtol=0, atol=1e-8)
    # psi's maximum is pi rounded to 3.141593 in the .nnet file: 0.5 + 6e-8
    np.testing.assert_allclose(hi, [-0.298552812, 0.009549297, 0.5, 0.5, 0.5], rtol=0, atol=1e-7)


def test_load_nnet_lowers_to_the_same_network(acas):
    """regioncount.load on a .nnet file (through nnet_to_onnx and the lowering) computes the
    network of the file, checked against the independent evaluation."""
    import regioncount

    path, _, box = acas
    net = regioncount.load(path)
    assert net.input_size == 5 and net.output_size == 5 and net.pwl_units == 300
    X = box.sample(200, rng=11)
    assert np.max(np.abs(net.evaluate(X) - _independent_eval(path, X))) < 1e-4
