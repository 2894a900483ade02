"""The CLI contract of the foundation issue: inspect, check, errors as one line."""

import json
from pathlib import Path

import numpy as np
import onnx
import pytest

from regioncount.io.export import mlp_to_onnx

from conftest import make_model, shared_cases

MODELS = Path(__file__).resolve().parents[1] / "models"



@pytest.fixture
def mlp_path(tmp_path, rng):
    layers = [(rng.normal(size=(6, 3)), rng.normal(size=6)), (rng.normal(size=(5, 6)), rng.normal(size=5))]
    final = (rng.normal(size=(2, 5)), rng.normal(size=2))
    path = tmp_path / "mlp.onnx"
    onnx.save(mlp_to_onnx(layers, final), path)
    return path


def test_inspect_json_contract(cli_run, mlp_path):
    code, out, err = cli_run("inspect", mlp_path, "--json")
    assert code == 0, err
    d = json.loads(out)
    assert d["input_shape"] == [3]
    assert d["pwl_units"] == 11
    kinds = [(L["kind"], L["units"]) for L in d["layers"]]
    assert kinds == [("affine", 6), ("relu", 6), ("affine", 5), ("relu", 5), ("affine", 2)]
    assert d["params"] == 6 * 3 + 6 + 5 * 6 + 5 + 2 * 5 + 2


def test_inspect_human(cli_run, mlp_path):
    code, out, _ = cli_run("inspect", mlp_path)
    assert code == 0
    assert "11 PWL units" in out and "Gemm x3" in out


def test_check_passes_on_exact_lowering(cli_run, mlp_path):
    code, out, err = cli_run("check", mlp_path, "--json", "--samples", "50", "--box", "-2,2")
    assert code == 0, err
    d = json.loads(out)
    assert d["ok"] is True and d["samples"] == 50
    assert d["max_rel_error"] <= 1e-5


def test_check_fails_with_exit_1_on_a_wrong_network(cli_run, mlp_path, monkeypatch):
    import regioncount.lowering as lowering

    real = lowering.lower

    def broken(graph, output=None):
        net = real(graph, output=output)
        W = net.stages[1].weights[0]
        W[0, 0] += 0.1  # a wrong weight, as a lowering bug would give
        return net

    monkeypatch.setattr(lowering, "lower", broken)
    code, out, _ = cli_run("check", mlp_path, "--json")
    assert code == 1
    d = json.loads(out)
    assert d["ok"] is False and d["max_rel_error"] > 1e-3


@pytest.mark.parametrize("content,fragment", [
    (b"", "ONNX"),
    (b"this is not an onnx file at all", "ONNX"),
])
def test_bad_files_give_one_line_and_exit_2(cli_run, tmp_path, content, fragment):
    p = tmp_path / "bad.onnx"
    p.write_bytes(content)
    code, out, err = cli_run("inspect", p)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "bad.onnx" in lines[0] and "Traceback" not in err


def test_truncated_model_gives_one_line(cli_run, mlp_path, tmp_path):
    data = mlp_path.read_bytes()
    p = tmp_path / "trunc.onnx"
    p.write_bytes(data[: len(data) // 2])
    code, _, err = cli_run("check", p)
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and "trunc.onnx" in err


def test_missing_file(cli_run, tmp_path):
    code, _, err = cli_run("inspect", tmp_path / "nope.onnx")
    assert code == 2 and len(err.strip().splitlines()) == 1


def test_box_file_and_bad_box(cli_run, mlp_path, tmp_path):
    bf = tmp_path / "box.json"
    bf.write_text(json.dumps({"lo": [-1, -1, -1], "hi": [1, 2, 3]}))
    code, out, err = cli_run("check", mlp_path, "--box-file", bf, "--json", "--samples", "10")
    assert code == 0, err
    bf.write_text(json.dumps({"lo": [-1, -1], "hi": [1, 2]}))
    code, _, err = cli_run("check", mlp_path, "--box-file", bf)
    assert code == 2 and "3 inputs" in err
    code, _, err = cli_run("check", mlp_path, "--box", "1")
    assert code == 2 and "LO,HI" in err


def test_unknown_op_names_the_node(cli_run, tmp_path):
    from onnx import TensorProto, helper

    node = helper.make_node("Erf", ["x"], ["y"], name="the_erf")
    g = helper.make_graph([node], "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 3])])
    p = tmp_path / "erf.onnx"
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), p)
    code, _, err = cli_run("inspect", p)
    assert code == 2
    assert "erf.onnx" in err and "the_erf" in err and "Erf" in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("rel", shared_cases([
    "vnncomp2021/ACASXU_run2a_3_3_batch_2000.onnx",   # float32 error above 1e-5: float64 reference decides
    "burn/mnist.onnx",                                # trailing LogSoftmax stripped: logits compared
    "marabou/cnn_max_mninst2.onnx",                   # NHWC export with Transpose, MaxPool
    "marabou/ACASXU_experimental_v2a_1_1.nnet",       # the .nnet text format
]))
def test_check_on_real_models(cli_run, rel):
    from conftest import shared_path

    path = shared_path("models", rel)
    code, out, err = cli_run("check", path, "--json", "--samples", "20")
    assert code == 0, err
    d = json.loads(out)
    assert d["ok"] and d["max_rel_error"] <= 1e-9
    assert d["shipped_max_rel_error"] <= 1e-4   # float32 rounding only
    if rel.startswith("burn"):
        assert "LogSoftmax" in err


def _residual_model():
    """A small residual conv net laid out like VNN-COMP's resnet_2b (Conv, Relu, Conv, Relu,
    Conv, a 1x1 Conv shortcut, Add, Relu, Flatten, Gemm, Relu, Gemm) on a [1, 3, 8, 8] input:
    ReLU layers of 4*8*8 = 256, 256, 256 and 10 units."""
    from onnx import helper

    rng = np.random.default_rng(6)
    f32 = lambda *s: rng.normal(size=s).astype(np.float32)      # noqa: E731
    conv = lambda i, w, o, **kw: helper.make_node("Conv", [i, w, w + "b"], [o], **kw)  # noqa: E731
    nodes = [conv("input.1", "K1", "c1", pads=[1, 1, 1, 1]), helper.make_node("Relu", ["c1"], ["r1"]),
             conv("r1", "K2", "c2", pads=[1, 1, 1, 1]), helper.make_node("Relu", ["c2"], ["r2"]),
             conv("r2", "K3", "c3", pads=[1, 1, 1, 1]), conv("r1", "S", "s"),
             helper.make_node("Add", ["c3", "s"], ["a"]), helper.make_node("Relu", ["a"], ["r3"]),
             helper.make_node("Flatten", ["r3"], ["f"]),
             helper.make_node("Gemm", ["f", "W1", "W1b"], ["g1"], transB=1),
             helper.make_node("Relu", ["g1"], ["r4"]),
             helper.make_node("Gemm", ["r4", "W2", "W2b"], ["33"], transB=1)]
    inits = dict(K1=f32(4, 3, 3, 3), K1b=f32(4), K2=f32(4, 4, 3, 3), K2b=f32(4),
                 K3=f32(4, 4, 3, 3), K3b=f32(4), S=f32(4, 4, 1, 1), Sb=f32(4),
                 W1=f32(10, 256), W1b=f32(10), W2=f32(10, 10), W2b=f32(10))
    return make_model(nodes, [("input.1", [1, 3, 8, 8])], inits, outputs=("33",), opset=9)


def test_inspect_residual_net(cli_run, tmp_path):
    """``inspect`` on a residual network (_residual_model, written here; the same on VNN-COMP's
    resnet_2b, with ../shared: test_models.py::test_real_model_facts)."""
    path = tmp_path / "resnet.onnx"
    onnx.save(_residual_model(), path)
    code, out, err = cli_run("inspect", path, "--json")
    assert code == 0, err
    d = json.loads(out)
    assert d["input_shape"] == [3, 8, 8]
    assert d["pwl_units"] == 3 * 256 + 10
    assert d["chain"] is False             # residual Adds make it a DAG
    assert [L["units"] for L in d["layers"] if L["kind"] == "relu"] == [256, 256, 256, 10]
    code, out, err = cli_run("check", path, "--json", "--samples", "20")
    assert code == 0 and json.loads(out)["max_rel_error"] <= 1e-9, err


def test_bounds_with_lp_tightened_stable_units(cli_run):
    """The stable-unit bound fed by LP tightening is tighter than with interval bounds, and
    still above the exact count (the demo digits_mlp 64-16-16-10 on [0.45, 0.55]^64: 18
    regions, bounds 32 with LP and 14,913 with intervals; the same on cartpole, with ../shared:
    test_bounds_model.py::test_real_model_facts)."""
    check_lp_bound_is_tighter(cli_run, MODELS / "digits_mlp.onnx", "0.45,0.55")


def check_lp_bound_is_tighter(cli_run, path, box: str) -> None:
    """``serra2018_stable_upper`` with LP tightening is below the interval one and not below
    the exact count of ``path`` on ``--box box``."""
    vals = {}
    for method in ("interval", "lp"):
        code, out, err = cli_run("bounds", path, "--box", box, "--tighten", method, "--json")
        assert code == 0, err
        vals[method] = json.loads(out)["bounds"]["serra2018_stable_upper"]
    code, out, err = cli_run("count", path, "--box", box, "--json", "--workers", "1")
    assert code == 0, err
    regions = json.loads(out)["regions"]
    assert regions <= vals["lp"] < vals["interval"]
