"""ONNX import: the layer graph, attribute normalisation across opsets, and bad input."""

from __future__ import annotations

import os

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

import regioncount
from regioncount.errors import ModelError, RegioncountError
from regioncount.io import READERS, read_model, read_onnx
from regioncount.io.export import mlp_to_onnx
from regioncount.lowering import LOWERERS, lower

from conftest import conv_maxpool_model, make_model

F = TensorProto.FLOAT


make = make_model


def one_line(err) -> str:
    s = str(err)
    assert "\n" not in s
    return s


# -- the layer graph ---------------------------------------------------------------------

def test_layer_graph_of_an_mlp(rng):
    W0, W1 = rng.normal(size=(3, 2)), rng.normal(size=(1, 3))
    g = read_onnx(mlp_to_onnx([(W0, np.zeros(3))], final=(W1, np.ones(1))))
    assert [(l.name, l.op) for l in g.layers()] == [("gemm0", "Gemm"), ("relu0", "Relu"),
                                                    ("gemm1", "Gemm")]
    assert g.graph.edges["gemm0", "relu0"]["tensor"] == "h0"
    assert g.graph.edges["relu0", "gemm1"]["tensor"] == "a0"
    assert [(t.name, t.shape, t.dtype) for t in g.inputs] == [("x", ("N", 2), F)]
    assert g.outputs[0].name == "y"
    assert np.allclose(g.constants["W0"], W0.astype(np.float32))
    assert g.value_info["h0"].shape == ("N", 3)          # from shape inference
    assert g.opset == 13 and g.producer.startswith("regioncount")
    assert g.layer("gemm0").attrs["transB"] == 1 and g.layer("gemm0").attrs["alpha"] == 1.0
    assert g.producer_of("h0").name == "gemm0"
    assert [l.name for l in g.consumers_of("h0")] == ["relu0"]


def test_unnamed_and_duplicate_nodes_get_stable_names():
    nodes = [helper.make_node("Relu", ["x"], ["a"]),
             helper.make_node("Neg", ["a"], ["b"], name="n"),
             helper.make_node("Relu", ["b"], ["y"], name="n")]
    g = read_onnx(make(nodes, [("x", [1, 2])]))
    assert [l.name for l in g.layers()] == ["Relu_0", "n", "n_1"]


def test_constant_nodes_are_constants():
    c = helper.make_node("Constant", [], ["c"], value=numpy_helper.from_array(
        np.array([1.0, 2.0], np.float32)))
    g = read_onnx(make([c, helper.make_node("Add", ["x", "c"], ["y"])], [("x", [1, 2])]))
    assert g.constants["c"].tolist() == [1.0, 2.0]
    assert [t.name for t in g.inputs] == ["x"]


def test_initializers_listed_as_inputs_are_not_inputs():
    m = make([helper.make_node("Add", ["x", "b"], ["y"])], [("x", [1, 2]), ("b", [2])],
             {"b": np.ones(2, np.float32)})
    assert [t.name for t in read_onnx(m).inputs] == ["x"]


def test_every_lowered_op_has_a_reader():
    assert set(LOWERERS) <= set(READERS)


# -- attribute normalisation across opsets --------------------------------------------

def _single(op, inputs, attrs=None, inits=None, opset=13, n_out=1):
    outs = ["y"] + [f"o{i}" for i in range(1, n_out)]
    node = helper.make_node(op, inputs, outs, name="n", **(attrs or {}))
    m = make([node], [("x", [1, 3, 4, 4])], inits, outputs=("y",), opset=opset)
    return read_onnx(m).layer("n").attrs


def test_clip_attrs_and_inputs_normalise_alike():
    old = _single("Clip", ["x"], {"min": -1.0, "max": 2.0}, opset=7)
    new = _single("Clip", ["x", "lo", "hi"], inits={"lo": np.float32(-1.0), "hi": np.float32(2.0)},
                  opset=13)
    only_max = _single("Clip", ["x", "", "hi"], inits={"hi": np.float32(2.0)}, opset=13)
    assert (old["min"], old["max"]) == (new["min"], new["max"]) == (-1.0, 2.0)
    assert (only_max["min"], only_max["max"]) == (-np.inf, 2.0)


def test_axes_attrs_and_inputs_normalise_alike():
    a11 = _single("Squeeze", ["x"], {"axes": [0]}, opset=11)
    a13 = _single("Squeeze", ["x", "ax"], inits={"ax": np.array([0], np.int64)}, opset=13)
    assert a11["axes"] == a13["axes"] == (0,)
    r13 = _single("ReduceMax", ["x"], {"axes": [1], "keepdims": 0}, opset=13)
    r18 = _single("ReduceMax", ["x", "ax"], {"keepdims": 0},
                  inits={"ax": np.array([1], np.int64)}, opset=18)
    assert r13["axes"] == r18["axes"] == (1,) and r13["keepdims"] == r18["keepdims"] == 0


def test_pad_dropout_softmax_normalise():
    p9 = _single("Pad", ["x"], {"pads": [0, 0, 1, 1, 0, 0, 1, 1], "value": 0.5}, opset=9)
    p11 = _single("Pad", ["x", "p", "v"], inits={"p": np.array([0, 0, 1, 1, 0, 0, 1, 1], np.int64),
                                                 "v": np.float32(0.5)}, opset=11)
    assert p9["pads"] == p11["pads"] and p9["value"] == p11["value"] == 0.5
    assert p9["mode"] == p11["mode"] == "constant"
    assert _single("Dropout", ["x"], {"ratio": 0.3}, opset=7)["training_mode"] == 0
    assert _single("Dropout", ["x"], opset=12)["ratio"] == 0.5
    assert _single("Softmax", ["x"], opset=11)["axis"] == 1
    assert _single("Softmax", ["x"], opset=13)["axis"] == -1


#: Attributes without a default that a node of these ops must carry.
REQUIRED = {"AveragePool": {"kernel_shape": [2, 2]}, "MaxPool": {"kernel_shape": [2, 2]},
            "Cast": {"to": 1}, "Concat": {"axis": 0}, "DepthToSpace": {"blocksize": 2}}


@pytest.mark.parametrize("opset", [7, 9, 11, 13, 15, 18, 21])
def test_reader_fills_every_schema_default(opset):
    """Whatever the op's schema (onnx.defs) states as a default at the model's opset is in the
    layer's attributes when the node omits it."""
    checked = 0
    for op in ("Gemm", "LeakyRelu", "BatchNormalization", "Conv", "AveragePool", "MaxPool",
               "ReduceMean", "ReduceSum", "ReduceMax", "Flatten", "Gather", "Split",
               "DepthToSpace", "Softmax", "LogSoftmax", "Dropout", "Shape", "Reshape", "Cast"):
        attrs = _single(op, ["x"], REQUIRED.get(op), opset=opset)
        for name, a in onnx.defs.get_schema(op, opset).attributes.items():
            if a.default_value.type == onnx.AttributeProto.UNDEFINED or name in REQUIRED.get(op, {}):
                continue
            want = helper.get_attribute_value(a.default_value)
            want = want.decode() if isinstance(want, bytes) else want
            assert attrs[name] == want, (op, opset, name)
            checked += 1
    assert checked >= 20


def test_clip_float32_extremes_are_no_bound():
    """Clip-6's schema defaults min / max to -/+ the largest float32: no breakpoint."""
    f32 = float(np.finfo(np.float32).max)
    assert onnx.defs.get_schema("Clip", 7).attributes["max"].default_value.f == pytest.approx(f32)
    none = _single("Clip", ["x"], opset=7)
    assert (none["min"], none["max"]) == (-np.inf, np.inf)
    explicit = _single("Clip", ["x"], {"min": -f32, "max": 1.0}, opset=9)
    assert (explicit["min"], explicit["max"]) == (-np.inf, 1.0)
    big = _single("Clip", ["x", "lo"], inits={"lo": np.float32(-3e38)}, opset=13)
    assert big["min"] == pytest.approx(-3e38) and big["max"] == np.inf


def test_dynamic_parameter_is_recorded_by_name():
    nodes = [helper.make_node("Shape", ["x"], ["s"]),
             helper.make_node("Reshape", ["x", "s"], ["y"], name="r")]
    g = read_onnx(make(nodes, [("x", [1, 4])]))
    assert g.layer("r").attrs["shape_input"] == "s"


# -- bad input -----------------------------------------------------------------------------

def test_missing_file(tmp_path):
    with pytest.raises(ModelError, match="no such file"):
        regioncount.load(tmp_path / "nope.onnx")


def test_truncated_file(tmp_path):
    src = mlp_to_onnx([(np.ones((40, 30)), np.zeros(40))]).SerializeToString()
    p = tmp_path / "cut.onnx"
    p.write_bytes(src[: len(src) // 2])
    with pytest.raises(ModelError) as e:
        regioncount.load(p)
    assert "not a valid ONNX model" in one_line(e.value) and "cut.onnx" in str(e.value)


@pytest.mark.parametrize("data", [b"hello, this is not a model\n", b"", b"\x00\x01\x02" * 50])
def test_not_onnx(tmp_path, data):
    p = tmp_path / "junk.onnx"
    p.write_bytes(data)
    with pytest.raises(ModelError) as e:
        regioncount.load(p)
    assert "not a valid ONNX model" in one_line(e.value) and "junk.onnx" in str(e.value)


def test_unknown_op_names_file_and_node(tmp_path):
    p = tmp_path / "foo.onnx"
    onnx.save(make([helper.make_node("Foo", ["x"], ["y"], name="strange")], [("x", [1, 2])]), p)
    with pytest.raises(ModelError) as e:
        regioncount.load(p)
    msg = one_line(e.value)
    assert "unsupported op 'Foo'" in msg and "strange" in msg and "foo.onnx" in msg


def test_custom_domain_op_refused():
    node = helper.make_node("Relu", ["x"], ["y"], name="c", domain="com.example")
    m = make([node], [("x", [1, 2])])
    m.opset_import.append(helper.make_opsetid("com.example", 1))
    with pytest.raises(ModelError, match="unsupported op 'com.example.Relu'"):
        read_onnx(m)


def test_graph_cycle(tmp_path):
    nodes = [helper.make_node("Add", ["x", "b"], ["a"], name="first"),
             helper.make_node("Relu", ["a"], ["b"], name="second"),
             helper.make_node("Relu", ["a"], ["y"], name="out")]
    m = make(nodes, [("x", [1, 2])])
    p = tmp_path / "cyc.onnx"
    p.write_bytes(m.SerializeToString())
    with pytest.raises(ModelError) as e:
        regioncount.load(p)
    msg = one_line(e.value)
    assert "cycle" in msg and "cyc.onnx" in msg and ("first" in msg or "second" in msg)


def test_dangling_tensor():
    with pytest.raises(ModelError, match="'ghost' is never produced"):
        read_onnx(make([helper.make_node("Add", ["x", "ghost"], ["y"], name="a")], [("x", [1, 2])]))


def _external_model(tmp_path, rng):
    W = rng.normal(size=(64, 3)).astype(np.float32)
    m = mlp_to_onnx([(W, np.zeros(64))], final=(np.ones((1, 64)), np.zeros(1)))
    folder = tmp_path / "model"
    folder.mkdir()
    onnx.save_model(m, str(folder / "m.onnx"), save_as_external_data=True,
                    all_tensors_to_one_file=True, location="weights.bin", size_threshold=0)
    return folder / "m.onnx", W


def test_external_data_inside_folder_loads(tmp_path, rng):
    path, W = _external_model(tmp_path, rng)
    g = read_model(path)
    assert np.array_equal(g.constants["W0"], W)
    net = lower(g)
    x = rng.normal(size=3)
    assert np.allclose(net.evaluate(x), np.maximum(W.astype(float) @ x, 0).sum(), rtol=1e-12)


@pytest.mark.parametrize("where", ["../outside.bin", "/etc/passwd", "sub/../../outside.bin"])
def test_external_data_outside_folder_refused(tmp_path, rng, where):
    path, _ = _external_model(tmp_path, rng)
    (tmp_path / "outside.bin").write_bytes((path.parent / "weights.bin").read_bytes())
    m = onnx.load(str(path), load_external_data=False)
    for t in m.graph.initializer:
        for e in t.external_data:
            if e.key == "location":
                e.value = where
    path.write_bytes(m.SerializeToString())
    with pytest.raises(ModelError) as e:
        regioncount.load(path)
    msg = one_line(e.value)
    assert "outside the model's folder" in msg and "m.onnx" in msg


def test_external_data_symlink_escaping_folder_refused(tmp_path, rng):
    path, _ = _external_model(tmp_path, rng)
    real = tmp_path / "elsewhere.bin"
    os.replace(path.parent / "weights.bin", real)
    os.symlink(real, path.parent / "weights.bin")
    with pytest.raises(ModelError, match="outside the model's folder"):
        regioncount.load(path)


def test_external_data_file_missing(tmp_path, rng):
    path, _ = _external_model(tmp_path, rng)
    os.remove(path.parent / "weights.bin")
    with pytest.raises(ModelError, match="not found"):
        regioncount.load(path)


def test_wrong_input_shape_to_network(rng):
    net = lower(read_onnx(mlp_to_onnx([(rng.normal(size=(3, 2)), np.zeros(3))])))
    with pytest.raises(RegioncountError):
        net.evaluate(np.zeros(5))
    with pytest.raises(RegioncountError):
        net.evaluate(np.zeros((4, 3)))


def test_model_without_value_info_gets_inferred_shapes(tmp_path):
    """A model without value_info (laid out like marabou's conv_mp1) gets its intermediate
    shapes from shape inference (the real conv_mp1's own value_info, with ../shared:
    test_models.py::test_real_model_facts)."""
    model = conv_maxpool_model()
    assert len(model.graph.value_info) == 0
    path = tmp_path / "conv_mp.onnx"
    onnx.save(model, str(path))
    g = read_model(path)
    assert g.value_info["conv"].shape == (1, 8, 8, 8)
    assert g.value_info["pool"].shape == (1, 8, 4, 4) and g.value_info["flat"].shape == (128,)
    assert [l.op for l in g.layers()][:3] == ["Conv", "Relu", "MaxPool"]
