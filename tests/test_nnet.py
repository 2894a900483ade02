"""The .nnet reader: agreement with the VNN-COMP ACAS Xu ONNX file, an independent parse,
and clear errors for malformed files."""

import numpy as np
import onnx
import onnxruntime as ort
import pytest

from regioncount.errors import ModelError
from regioncount.io.nnet import nnet_input_box, nnet_to_onnx, read_nnet

from conftest import shared_path

NNET = ("models", "marabou", "ACASXU_experimental_v2a_1_1.nnet")
ACAS_ONNX = ("models", "vnncomp2021", "ACASXU_run2a_1_1_batch_2000.onnx")


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


@pytest.fixture(scope="module")
def acas():
    path = shared_path(*NNET)
    return path, nnet_to_onnx(path), nnet_input_box(path)


def test_nnet_structure_and_box(acas):
    path, model, box = acas
    onnx.checker.check_model(model)
    net = read_nnet(path)
    assert [W.shape for W, _ in net.layers] == [(50, 5)] + [(50, 50)] * 5 + [(5, 50)]
    assert [n.op_type for n in model.graph.node].count("Relu") == 6
    # The well-known normalised ACAS Xu input box: rho in [0, 60760] with mean 19791.091 and
    # range 60261; the angles over [-pi, pi] with range 2 pi give +-0.5 (pi rounded to 3.141593).
    np.testing.assert_allclose(box.lo, [-19791.091 / 60261, -0.5, -0.5, -0.5, -0.5], atol=1e-6)
    np.testing.assert_allclose(box.hi, [(60760 - 19791.091) / 60261, 0.5, 0.5, 0.5, 0.5], atol=1e-6)


def test_nnet_matches_vnncomp_onnx(acas):
    path, model, box = acas
    ref = _session(shared_path(*ACAS_ONNX))
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
