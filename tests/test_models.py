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

from conftest import (SHARED, conv_maxpool_model, make_model, shared_cases, shared_path,
                      two_branch_model)

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


#: Input and output shapes (batch dimension dropped) of real models with distinct batch
#: conventions; test_batch_conventions_and_shapes checks the same conventions on small models.
REAL_SHAPES = {
    "marabou/oneInput_twoBranches.onnx": ((2, 6), (2, 6)),   # fixed leading 2: no batch
    "vnncomp2021/test_nano.onnx": ((1,), (1,)),              # rank 1: no batch
    "vnncomp2021/mnist-net_256x2.onnx": ((784, 1), (10,)),   # fixed 1 and rank 3: batch
    "vnncomp2021/cifar10_small.onnx": ((32, 32, 3), (10,)),  # symbolic batch, NHWC
    "marabou/conv_mp1.onnx": ((3, 8, 8), (5,)),
}


@pytest.mark.parametrize("rel", MODEL_FILES)
def test_model_matches_onnxruntime(rel):
    path = shared_path("models", rel)
    net = regioncount.load(path)
    assert net.name == path.name
    if rel in REAL_SHAPES:
        assert (net.input_shape, net.output_shape) == REAL_SHAPES[rel], rel
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


@pytest.mark.parametrize("rel,units", shared_cases(sorted(RELU_UNITS.items())))
def test_relu_unit_counts(rel, units):
    net = regioncount.load(shared_path("models", rel))
    assert sum(s.size for s in net.stages if s.kind == "relu") == units


def _save(model, tmp_path, name):
    path = tmp_path / name
    onnx.save(model, str(path))
    return path


def _convention_models():
    """Small models with the batch conventions of real ones (REAL_SHAPES), and the shapes the
    loader must give them."""
    from onnx import helper

    rng = np.random.default_rng(1)
    f32 = lambda *s: rng.normal(size=s).astype(np.float32)      # noqa: E731
    nano = make_model([helper.make_node("MatMul", ["model_in", "W"], ["m"]),
                       helper.make_node("Relu", ["m"], ["model_out"])],
                      [("model_in", [1])], {"W": f32(1, 1)}, outputs=("model_out",))
    rank3 = make_model([helper.make_node("Flatten", ["0"], ["f"]),
                        helper.make_node("Gemm", ["f", "W1", "b1"], ["g"], transB=1),
                        helper.make_node("Relu", ["g"], ["r"]),
                        helper.make_node("Gemm", ["r", "W2", "b2"], ["12"], transB=1)],
                       [("0", [1, 16, 1])], dict(W1=f32(8, 16), b1=f32(8), W2=f32(3, 8), b2=f32(3)),
                       outputs=("12",), opset=9)
    nhwc = make_model([helper.make_node("Transpose", ["x:0"], ["t"], perm=[0, 3, 1, 2]),
                       helper.make_node("Conv", ["t", "K", "kb"], ["c"]),
                       helper.make_node("Relu", ["c"], ["r"]),
                       helper.make_node("Transpose", ["r"], ["t2"], perm=[0, 2, 3, 1]),
                       helper.make_node("Reshape", ["t2", "flat"], ["v"]),
                       helper.make_node("MatMul", ["v", "W"], ["m"]),
                       helper.make_node("Add", ["m", "b"], ["Identity:0"])],
                      [("x:0", ["unk__17", 8, 8, 3])],
                      dict(K=f32(4, 3, 3, 3), kb=f32(4), flat=np.array([-1, 144], np.int64),
                           W=f32(144, 10), b=f32(10)), outputs=("Identity:0",), opset=9)
    return {"two_branches.onnx": (two_branch_model(), ((2, 6), (2, 6))),   # fixed leading 2
            "nano.onnx": (nano, ((1,), (1,))),                           # rank 1: no batch
            "rank3.onnx": (rank3, ((16, 1), (3,))),                      # fixed 1, rank 3: batch
            "nhwc.onnx": (nhwc, ((8, 8, 3), (10,))),                     # symbolic batch, NHWC
            "conv_mp.onnx": (conv_maxpool_model(), ((3, 8, 8), (5,)))}


def test_batch_conventions_and_shapes(tmp_path):
    for name, (model, (ins, outs)) in _convention_models().items():
        path = _save(model, tmp_path, name)
        net = regioncount.load(path)
        assert (net.input_shape, net.output_shape) == (ins, outs), name
        e32, e64 = compare_with_references(path, net)
        assert e64 <= F64_RTOL and e32 <= CHECK_RTOL, name


def _logsoftmax_model():
    """A small conv net exported the way burn exports its MNIST example: ... Gemm ->
    BatchNormalization -> LogSoftmax, the tensor before LogSoftmax named as burn names it."""
    from onnx import helper

    rng = np.random.default_rng(2)
    f32 = lambda *s: rng.normal(size=s).astype(np.float32)      # noqa: E731
    bn = lambda c: dict(scale=f32(c), B=f32(c), mean=f32(c), var=np.abs(f32(c)) + 0.5)  # noqa: E731
    inits = {f"bn1_{k}": v for k, v in bn(2).items()} | {f"bn2_{k}": v for k, v in bn(4).items()}
    inits |= dict(K=f32(2, 1, 3, 3), kb=f32(2), W1=f32(8, 32), b1=f32(8), W2=f32(4, 8), b2=f32(4))
    norm = "/norm2/BatchNormalization_output_0"
    nodes = [helper.make_node("Conv", ["input.1", "K", "kb"], ["c"]),
             helper.make_node("Relu", ["c"], ["r"]),
             helper.make_node("BatchNormalization", ["r"] + [f"bn1_{k}" for k in bn(1)], ["n1"]),
             helper.make_node("Flatten", ["n1"], ["f"]),
             helper.make_node("Gemm", ["f", "W1", "b1"], ["g1"], transB=1),
             helper.make_node("Relu", ["g1"], ["r1"]),
             helper.make_node("Gemm", ["r1", "W2", "b2"], ["g2"], transB=1),
             helper.make_node("BatchNormalization", ["g2"] + [f"bn2_{k}" for k in bn(1)], [norm]),
             helper.make_node("LogSoftmax", [norm], ["33"], axis=1)]
    return make_model(nodes, [("input.1", [1, 1, 6, 6])], inits, outputs=("33",), opset=16)


def test_logsoftmax_stripped_and_output_name(request, tmp_path):
    path = _save(_logsoftmax_model(), tmp_path, "mnist.onnx")
    _logsoftmax_stripped_and_output_name(path, request.getfixturevalue)
    net = regioncount.load(path)
    e32, e64 = compare_with_references(path, net)          # the logits, before LogSoftmax
    assert e64 <= F64_RTOL and e32 <= CHECK_RTOL


def test_choose_second_output(tmp_path):
    path = _save(two_branch_model(), tmp_path, "two_branches.onnx")
    _choose_second_output(path, None)
    first, second = regioncount.load(path), regioncount.load(path, output="add1")
    x = np.random.default_rng(4).normal(size=12)
    assert not np.allclose(first.evaluate(x), second.evaluate(x))     # two different outputs


def test_conv_stays_sparse(tmp_path):
    """A conv on a 3x32x32 image is a sparse matrix, not a dense (units x 3072) one (a first
    layer like cifar_base_kw's: 16 filters 4x4, stride 2, pad 1)."""
    from onnx import helper

    rng = np.random.default_rng(5)
    nodes = [helper.make_node("Conv", ["input.1", "K", "kb"], ["c"], strides=[2, 2],
                              pads=[1, 1, 1, 1]),
             helper.make_node("Relu", ["c"], ["r"]),
             helper.make_node("Flatten", ["r"], ["f"]),
             helper.make_node("Gemm", ["f", "W", "b"], ["16"], transB=1)]
    inits = dict(K=rng.normal(size=(16, 3, 4, 4)).astype(np.float32),
                 kb=rng.normal(size=16).astype(np.float32),
                 W=rng.normal(size=(10, 4096)).astype(np.float32), b=np.zeros(10, np.float32))
    path = _save(make_model(nodes, [("input.1", [1, 3, 32, 32])], inits, outputs=("16",), opset=9),
                 tmp_path, "conv.onnx")
    _conv_stays_sparse(path, None)


# -- facts of single real models ---------------------------------------------------------------
# Each check takes a model's path and ``fixture`` (pytest's request.getfixturevalue) and makes
# the assertions of the test of the same name, which runs on a generated model in every clone
# (the tests above call the same checks; test_io.py and test_cli.py have their own versions);
# test_real_model_facts makes them on the real model the test was written for.

def _logsoftmax_stripped_and_output_name(path, fixture):
    caplog = fixture("caplog")
    with caplog.at_level("WARNING", logger="regioncount"):
        net = regioncount.load(path)
    assert any("stripped trailing LogSoftmax" in r.getMessage() for r in caplog.records)
    assert any("LogSoftmax" in n for n in net.notes)
    assert net.output_name == "/norm2/BatchNormalization_output_0"
    model = onnx.load(str(path))
    assert net.output_name not in [o.name for o in model.graph.output]


def _choose_second_output(path, fixture):
    first = regioncount.load(path)
    second = regioncount.load(path, output="add1")
    assert first.output_name == "Y" and second.output_name == "add1"
    e32, e64 = compare_with_references(path, second)
    assert e64 <= F64_RTOL and e32 <= CHECK_RTOL
    with pytest.raises(regioncount.ModelError, match="no output named 'nope'"):
        regioncount.load(path, output="nope")


def _conv_stays_sparse(path, fixture):
    """A conv on a 3x32x32 image is a sparse matrix, not a dense (units x 3072) one."""
    net = regioncount.load(path)
    first = net.stages[1]
    assert isinstance(first, Affine) and first.sources == (0,)
    W = first.weights[0]
    assert sp.issparse(W)
    assert W.shape == (first.size, 3 * 32 * 32)
    assert W.nnz < 0.05 * W.shape[0] * W.shape[1]


def _shared_model_parses_with_value_info(path, fixture):
    """(test_io.py) The graph reader keeps the model's value_info."""
    from regioncount.io import read_model

    g = read_model(path)
    assert g.value_info["7"].shape == (1, 8, 8, 8)
    assert [l.op for l in g.layers()][:3] == ["Conv", "Relu", "MaxPool"]


def _inspect_real_residual_net(path, fixture):
    """(test_cli.py) ``inspect --json`` on a residual network."""
    import json

    code, out, err = fixture("cli_run")("inspect", path, "--json")
    assert code == 0, err
    d = json.loads(out)
    assert d["input_shape"] == [3, 32, 32]
    assert d["pwl_units"] == 6244          # the benchmark's README: 6244 ReLUs
    assert d["chain"] is False             # residual Adds make it a DAG
    assert [L["units"] for L in d["layers"] if L["kind"] == "relu"] == [2048, 1024, 1024, 1024, 1024, 100]


REAL_MODEL_FACTS = {
    "logsoftmax_stripped_and_output_name": ("burn/mnist.onnx", _logsoftmax_stripped_and_output_name),
    "choose_second_output": ("marabou/oneInput_twoBranches.onnx", _choose_second_output),
    "conv_stays_sparse": ("vnncomp2021/cifar_base_kw.onnx", _conv_stays_sparse),
    "shared_model_parses_with_value_info": ("marabou/conv_mp1.onnx",
                                            _shared_model_parses_with_value_info),
    "inspect_real_residual_net": ("vnncomp2021/resnet_2b.onnx", _inspect_real_residual_net),
}


@pytest.mark.parametrize("rel,fact", shared_cases(
    [(rel, fact) for fact, (rel, _) in REAL_MODEL_FACTS.items()]))
def test_real_model_facts(rel, fact, request):
    """One case per fact of REAL_MODEL_FACTS (one skip in all without the shared models)."""
    REAL_MODEL_FACTS[fact][1](shared_path("models", rel), request.getfixturevalue)


@pytest.mark.parametrize("rel", shared_cases(["vnncomp2021/resnet_2b.onnx",
                                              "marabou/cnn_max_mninst2.onnx", "marabou/fc1.onnx"]))
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
