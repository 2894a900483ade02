"""Every real ONNX model of ../shared/models loads and computes what onnxruntime computes.

Two references per model: onnxruntime in float32 (the model as shipped; normwise relative error
at most CHECK_RTOL) and the same graph converted to float64 and run by onnxruntime, or onnx.reference where onnxruntime
lacks float64 kernels (every
output entry within 1e-9 relative to the output scale: the lowering is exact, float32 rounding
in onnxruntime is the only difference in the first comparison).
"""

from __future__ import annotations

import resource

import numpy as np
import onnx
import onnxruntime as ort
import pytest
import scipy.sparse as sp
from onnx import TensorProto
from onnx.reference import ReferenceEvaluator

import regioncount
from regioncount.network import Affine
from regioncount.check import to_float64
from regioncount.tolerances import CHECK_RTOL

from conftest import SHARED, shared_path

_MODELS_DIR = SHARED / "models"
MODEL_FILES = (sorted(str(p.relative_to(_MODELS_DIR)) for p in _MODELS_DIR.rglob("*.onnx"))
               if _MODELS_DIR.is_dir() else ["<absent>.onnx"])

#: Exactness of the lowering against a float64 evaluation of the same graph.
F64_RTOL = 1e-9

ort.set_default_logger_severity(3)


def _with_output(model: onnx.ModelProto, name: str) -> onnx.ModelProto:
    m = onnx.ModelProto()
    m.CopyFrom(model)
    if name not in [o.name for o in m.graph.output]:
        m.graph.output.append(onnx.helper.make_tensor_value_info(name, TensorProto.FLOAT, None))
    return m


def _feed_shape(model: onnx.ModelProto, name: str) -> tuple[int, ...]:
    vi = next(i for i in model.graph.input if i.name == name)
    return tuple(d.dim_value if d.HasField("dim_value") else 1 for d in vi.type.tensor_type.shape.dim)


def compare_with_references(path, net, n_points=4, seed=0):
    """(ORT float32 normwise error, float64 reference error) over random points."""
    model = _with_output(onnx.load(str(path)), net.output_name)
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    m64 = to_float64(model)
    try:  # onnxruntime in float64 when it has every kernel (no double Conv on CPU) ...
        s64 = ort.InferenceSession(m64.SerializeToString(), providers=["CPUExecutionProvider"])
        run64 = s64.run
    except Exception:  # noqa: BLE001 - ... else the numpy reference evaluator
        run64 = ReferenceEvaluator(m64).run
    shape = _feed_shape(model, net.input_name)
    rng = np.random.default_rng(seed)
    e32 = e64 = 0.0
    for _ in range(n_points):
        x = rng.uniform(-1.0, 1.0, size=shape).astype(np.float32)
        y = net.evaluate(x.astype(float).reshape(-1)).ravel()
        r32 = sess.run([net.output_name], {net.input_name: x})[0].astype(float).ravel()
        r64 = np.asarray(run64([net.output_name], {net.input_name: x.astype(np.float64)})[0],
                         dtype=float).ravel()
        assert y.shape == r32.shape == r64.shape
        scale = max(np.abs(r64).max(), 1e-300)
        e32 = max(e32, np.abs(y - r32).max() / scale)
        e64 = max(e64, np.abs(y - r64).max() / scale)
    return e32, e64


@pytest.mark.parametrize("rel", MODEL_FILES)
def test_model_matches_onnxruntime(rel):
    path = shared_path("models", rel)
    net = regioncount.load(path)
    assert net.name == path.name
    assert net.input_size == int(np.prod(net.input_shape))
    assert net.output_size == int(np.prod(net.output_shape))
    e32, e64 = compare_with_references(path, net)
    assert e64 <= F64_RTOL, f"lowering differs from the float64 reference by {e64:.2e}"
    assert e32 <= CHECK_RTOL, f"differs from onnxruntime float32 by {e32:.2e}"


# ReLU units per model from SOURCES.md (counted by onnxruntime on the Relu outputs).
RELU_UNITS = {
    "vnncomp2021/ACASXU_run2a_1_1_batch_2000.onnx": 300,
    "vnncomp2021/mnist_relu_9_200.onnx": 1610,
    "vnncomp2021/resnet_2b.onnx": 6244,
    "vnncomp2021/cifar10_small.onnx": 2568,
    "marabou/KJ_TinyTaxiNet.onnx": 32,
    "vnncomp2022/NN_rul_small_window_20.onnx": 5500,
    "vnncomp2022/resnet_3b2_bn_mixup_adv_4.0_bs128.onnx": 11364,
    "vnncomp2022/tllBench_n2_NM16_m1_instance_1_0.onnx": 1020,
    "burn/mnist.onnx": 26272,
}


@pytest.mark.parametrize("rel,units", sorted(RELU_UNITS.items()))
def test_relu_unit_counts(rel, units):
    net = regioncount.load(shared_path("models", rel))
    assert sum(s.size for s in net.stages if s.kind == "relu") == units


def test_batch_conventions_and_shapes():
    cases = {
        "marabou/oneInput_twoBranches.onnx": ((2, 6), (2, 6)),   # fixed leading 2: no batch
        "vnncomp2021/test_nano.onnx": ((1,), (1,)),              # rank 1: no batch
        "vnncomp2021/mnist-net_256x2.onnx": ((784, 1), (10,)),   # fixed 1 and rank 3: batch
        "vnncomp2021/cifar10_small.onnx": ((32, 32, 3), (10,)),  # symbolic batch, NHWC
        "marabou/conv_mp1.onnx": ((3, 8, 8), (5,)),
    }
    for rel, (ins, outs) in cases.items():
        net = regioncount.load(shared_path("models", rel))
        assert (net.input_shape, net.output_shape) == (ins, outs), rel


def test_logsoftmax_stripped_and_output_name(caplog):
    path = shared_path("models", "burn", "mnist.onnx")
    with caplog.at_level("WARNING", logger="regioncount"):
        net = regioncount.load(path)
    assert any("stripped trailing LogSoftmax" in r.getMessage() for r in caplog.records)
    assert any("LogSoftmax" in n for n in net.notes)
    assert net.output_name == "/norm2/BatchNormalization_output_0"
    model = onnx.load(str(path))
    assert net.output_name not in [o.name for o in model.graph.output]


def test_choose_second_output():
    path = shared_path("models", "marabou", "oneInput_twoBranches.onnx")
    first = regioncount.load(path)
    second = regioncount.load(path, output="add1")
    assert first.output_name == "Y" and second.output_name == "add1"
    e32, e64 = compare_with_references(path, second)
    assert e64 <= F64_RTOL and e32 <= CHECK_RTOL
    with pytest.raises(regioncount.ModelError, match="no output named 'nope'"):
        regioncount.load(path, output="nope")


def test_conv_stays_sparse():
    """A conv on a 3x32x32 image is a sparse matrix, not a dense (units x 3072) one."""
    net = regioncount.load(shared_path("models", "vnncomp2021", "cifar_base_kw.onnx"))
    first = net.stages[1]
    assert isinstance(first, Affine) and first.sources == (0,)
    W = first.weights[0]
    assert sp.issparse(W)
    assert W.shape == (first.size, 3 * 32 * 32)
    assert W.nnz < 0.05 * W.shape[0] * W.shape[1]


@pytest.mark.parametrize("rel", ["vnncomp2021/resnet_2b.onnx", "marabou/cnn_max_mninst2.onnx",
                                 "marabou/fc1.onnx"])
def test_pattern_and_local_affine_consistent(rel):
    net = regioncount.load(shared_path("models", rel))
    rng = np.random.default_rng(3)
    x = rng.uniform(-1, 1, size=net.input_size)
    A, c = net.local_affine(x)
    # the local map reproduces the network at x and at nearby points in the same region
    assert np.allclose(A @ x + c, net.evaluate(x), rtol=1e-9, atol=1e-9)
    pat = net.pattern(x)
    for t in (1e-7, 1e-6):
        y = x + t * rng.standard_normal(net.input_size)
        if all(np.array_equal(p, q) for p, q in zip(pat, net.pattern(y))):
            assert np.allclose(A @ y + c, net.evaluate(y), rtol=1e-9, atol=1e-9)


@pytest.mark.slow
def test_resnet_3b2_peak_memory_record():
    """Load the largest model and evaluate 10 points; print the peak RSS (for the record)."""
    net = regioncount.load(shared_path("models", "vnncomp2022",
                                       "resnet_3b2_bn_mixup_adv_4.0_bs128.onnx"))
    y = net.evaluate(np.random.default_rng(0).uniform(-1, 1, size=(10, net.input_size)))
    assert y.shape == (10, 10)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:.0f} MiB")
    assert peak < 4096


def _export_torch(torch, model, x, path):
    try:
        torch.onnx.export(model, x, str(path), input_names=["x"], output_names=["y"],
                          dynamic_axes={"x": {0: "batch"}}, dynamo=False)
    except TypeError:  # older torch without the dynamo switch
        torch.onnx.export(model, x, str(path), input_names=["x"], output_names=["y"],
                          dynamic_axes={"x": {0: "batch"}})


def test_torch_exported_cnn(tmp_path):
    torch = pytest.importorskip("torch")
    nn = torch.nn
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(3, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(4, 4, 3, stride=2, groups=2), nn.LeakyReLU(0.1), nn.AvgPool2d(2, ceil_mode=True),
        nn.Flatten(), nn.Linear(4, 6), nn.Hardtanh(-0.5, 0.5), nn.Linear(6, 3), nn.LogSoftmax(dim=1))
    model.eval()
    path = tmp_path / "torch_cnn.onnx"
    _export_torch(torch, model, torch.zeros(1, 3, 12, 12), path)
    net = regioncount.load(path)
    assert net.input_shape == (3, 12, 12) and net.output_shape == (3,)
    assert any("LogSoftmax" in n for n in net.notes)
    e32, e64 = compare_with_references(path, net)
    assert e64 <= F64_RTOL and e32 <= CHECK_RTOL


def test_sklearn_exported_mlp(tmp_path):
    skl2onnx = pytest.importorskip("skl2onnx")
    pytest.importorskip("sklearn")
    from skl2onnx.common.data_types import FloatTensorType
    from sklearn.neural_network import MLPRegressor

    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(200, 3))
    y = np.sin(X).sum(axis=1)
    reg = MLPRegressor(hidden_layer_sizes=(8, 8), max_iter=300, random_state=0).fit(X, y)
    onx = skl2onnx.convert_sklearn(reg, initial_types=[("x", FloatTensorType([None, 3]))])
    path = tmp_path / "skl_mlp.onnx"
    path.write_bytes(onx.SerializeToString())
    net = regioncount.load(path)
    assert net.pwl_units == 16
    e32, e64 = compare_with_references(path, net)
    assert e64 <= F64_RTOL and e32 <= CHECK_RTOL
    # and the network is the scikit-learn model itself
    assert np.allclose(net.evaluate(X[:20]).ravel(), reg.predict(X[:20]), rtol=1e-5, atol=1e-6)


def test_nnet_reads_through_onnx_and_equals_the_onnx_export():
    """Marabou's ACAS Xu N_1,1 .nnet and VNN-COMP's ONNX file are the same network."""
    a = regioncount.load(shared_path("models", "marabou", "ACASXU_experimental_v2a_1_1.nnet"))
    b = regioncount.load(shared_path("models", "vnncomp2021", "ACASXU_run2a_1_1_batch_2000.onnx"))
    x = np.random.default_rng(0).uniform(-0.5, 0.5, size=(50, 5))
    assert a.pwl_units == b.pwl_units == 300
    assert np.allclose(a.evaluate(x), b.evaluate(x), rtol=1e-6, atol=1e-6)
