"""Shared fixtures. The real models live in ../shared beside the checkout (or wherever
REGIONCOUNT_SHARED points); tests that need them skip cleanly without, except under CI (the
``CI`` variable set, as CI services and tox pass it): there a missing shared folder stops the
session with one message. The small reference vectors are copied in tests/data/ and always
run."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("REGIONCOUNT_SHARED", ROOT.parent / "shared"))


def in_ci() -> bool:
    """Whether the suite runs under CI: ``CI`` set to anything but empty, ``0``, ``false``,
    ``no`` or ``off``. There the shared material is required, not optional."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no", "off")


def missing_shared_message(p: Path) -> str:
    """The one message of a CI run without the shared material at ``p``."""
    return (f"CI is set (CI={os.environ.get('CI', '')!r}) but the shared test material is "
            f"missing: {p} does not exist. Put the shared folder beside the checkout "
            f"(../shared) or point REGIONCOUNT_SHARED at it; without CI the tests that need it "
            f"are skipped.")


def pytest_sessionstart(session):
    """Under CI, a missing shared folder fails the session at once, with one message."""
    if in_ci() and not SHARED.is_dir():
        raise pytest.UsageError(missing_shared_message(SHARED))


def shared_path(*parts) -> Path:
    """A path inside ../shared; skips the calling test when it is absent (fails it under CI)."""
    p = SHARED.joinpath(*parts)
    if not p.exists():
        if in_ci():
            pytest.fail(missing_shared_message(p), pytrace=False)
        pytest.skip(f"shared material not available: {p}")
    return p


def shared_cases(params, what: str = "models") -> list:
    """The parameter list of a test parametrized over shared material.

    Unchanged (same cases, same ids) when the shared folder exists, and under CI (where a
    missing folder already stopped the session). Without it, one skipped case stands for all
    of them, so that a clone without ../shared reports one skip per test function rather than
    one per model. The case takes the values of the first parameter (a plain tuple is read as
    the values of several argnames) and is marked ``slow`` when every case was, so that
    ``-m "not slow"`` deselects it as it deselected them.
    """
    params = list(params)
    if SHARED.is_dir() or in_ci() or not params:
        return params

    def values_marks(p):
        if hasattr(p, "values") and hasattr(p, "marks"):        # a pytest.param
            return tuple(p.values), tuple(p.marks)
        return (p if isinstance(p, tuple) else (p,)), ()

    slow = all(any(m.name == "slow" for m in values_marks(p)[1]) for p in params)
    n = len(params)
    reason = (f"{n} cases need the shared {what} in {SHARED}" if n > 1
              else f"1 case needs the shared {what} in {SHARED}")
    marks = [pytest.mark.skip(reason=reason)] + ([pytest.mark.slow] if slow else [])
    return [pytest.param(*values_marks(params[0])[0], marks=marks, id="shared-absent")]


#: The small reference vectors, copied into the repository so that their tests run in every
#: clone (tests/data/README.md says where they come from).
DATA = ROOT / "tests" / "data"


def reference_path(name: str) -> Path:
    """A reference vector: the copy in tests/data/ (kept equal to ../shared/reference when that
    is present, see test_reference_copies_are_current)."""
    return DATA / name


@pytest.fixture(scope="session")
def exact_counts():
    data = json.loads(reference_path("exact_counts.json").read_text())
    return data["networks"]


@pytest.fixture(scope="session")
def bound_values():
    return json.loads(reference_path("bound_values.json").read_text())


def network_from_entry(entry):
    """The canonical network of an exact_counts.json entry and its domain."""
    from regioncount import Domain, Network

    layers = [(np.array(W, float), np.array(b, float)) for W, b in entry["layers"]]
    net = Network.from_layers(layers, name=entry["name"])
    dom = Domain.box(entry["lo"], entry["hi"], entry["arch"][0])
    return net, dom


def relu_net(seed: int, d: int, width: int, outputs: int):
    """Two ReLU layers of ``width`` units on ``d`` inputs (normal weights, biases scaled by
    0.3) and ``outputs`` ReLU outputs with zero bias: the worker and cluster tests' network."""
    from regioncount import Network

    rng = np.random.default_rng(seed)
    return Network.from_layers([(rng.normal(size=(width, d)), rng.normal(size=width) * 0.3),
                                (rng.normal(size=(width, width)),
                                 rng.normal(size=width) * 0.3),
                                (rng.normal(size=(outputs, width)), np.zeros(outputs))])


def make_model(nodes, inputs, inits=None, outputs=("y",), opset=13):
    """A small float ONNX model: ``inputs`` [(name, shape)], ``inits`` {name: array}."""
    from onnx import TensorProto, helper, numpy_helper

    F = TensorProto.FLOAT
    graph = helper.make_graph(
        nodes, "t", [helper.make_tensor_value_info(n, F, s) for n, s in inputs],
        [helper.make_tensor_value_info(o, F, None) for o in outputs],
        [numpy_helper.from_array(np.asarray(v), k) for k, v in (inits or {}).items()])
    ops = [helper.make_opsetid("", opset)]
    m = helper.make_model(graph, opset_imports=ops)
    m.ir_version = helper.find_min_ir_version_for(ops)
    return m


def _weights(seed, *shapes):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=s).astype(np.float32) for s in shapes]


def conv_maxpool_model(seed=0):
    """A max-pooling conv net laid out like marabou's conv_mp1: input X [1, 3, 8, 8] ->
    Conv (8 filters 3x3, pad 1) -> Relu -> MaxPool 2x2 -> Reshape [128] -> MatMul/Add (32)
    -> Relu -> MatMul/Add -> Y [5]; no value_info (shapes come from inference). Intermediate
    tensors: "conv" (1, 8, 8, 8), "pool" (1, 8, 4, 4), "flat" (128,)."""
    from onnx import helper

    K, b1, W2, b2, W3, b3 = _weights(seed, (8, 3, 3, 3), (8,), (128, 32), (32,), (32, 5), (5,))
    nodes = [helper.make_node("Conv", ["X", "K", "b1"], ["conv"], pads=[1, 1, 1, 1]),
             helper.make_node("Relu", ["conv"], ["relu1"]),
             helper.make_node("MaxPool", ["relu1"], ["pool"], kernel_shape=[2, 2], strides=[2, 2]),
             helper.make_node("Reshape", ["pool", "to128"], ["flat"]),
             helper.make_node("MatMul", ["flat", "W2"], ["mm2"]),
             helper.make_node("Add", ["mm2", "b2"], ["h2"]),
             helper.make_node("Relu", ["h2"], ["relu2"]),
             helper.make_node("MatMul", ["relu2", "W3"], ["mm3"]),
             helper.make_node("Add", ["mm3", "b3"], ["Y"])]
    inits = dict(K=K, b1=b1, W2=W2 / 8, b2=b2, W3=W3, b3=b3, to128=np.array([128], np.int64))
    return make_model(nodes, [("X", [1, 3, 8, 8])], inits, outputs=("Y",), opset=11)


def two_branch_model(seed=0):
    """A network with two branches and two outputs laid out like marabou's
    oneInput_twoBranches: input X [2, 6] (a fixed leading 2, not a batch), a = relu(Gemm X);
    b = relu(Gemm a) and c = relu(a W3) both read a; outputs Y = (b + c) W4 and add1 = b + c,
    both [2, 6]. 36 ReLU units."""
    from onnx import helper

    W1, b1, W2, b2, W3, W4 = _weights(seed, (6, 6), (6,), (6, 6), (6,), (6, 6), (6, 6))
    nodes = [helper.make_node("Flatten", ["X"], ["f"]),
             helper.make_node("Gemm", ["f", "W1", "b1"], ["g1"], transB=1),
             helper.make_node("Relu", ["g1"], ["a"]),
             helper.make_node("Gemm", ["a", "W2", "b2"], ["g2"], transB=1),
             helper.make_node("Relu", ["g2"], ["b"]),
             helper.make_node("MatMul", ["a", "W3"], ["m3"]),
             helper.make_node("Relu", ["m3"], ["c"]),
             helper.make_node("Add", ["b", "c"], ["add1"]),
             helper.make_node("MatMul", ["add1", "W4"], ["Y"])]
    inits = dict(W1=W1, b1=b1, W2=W2, b2=b2, W3=W3, W4=W4)
    return make_model(nodes, [("X", [2, 6])], inits, outputs=("Y", "add1"), opset=11)


@pytest.fixture
def rng():
    return np.random.default_rng(12345)


@pytest.fixture
def cli_run(capsys):
    """Run the ``regioncount`` CLI in-process: ``code, out, err = cli_run("inspect", path)``."""
    from regioncount.cli.main import main

    import logging

    def run(*args):
        capsys.readouterr()
        root = logging.getLogger()
        handlers, level = root.handlers[:], root.level
        try:
            main([str(a) for a in args])
            code = 0
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        finally:
            # the CLI points the root logger at this test's captured stderr; put pytest's
            # handlers back so that later records (solver or cluster threads) go nowhere closed
            root.handlers[:] = handlers
            root.setLevel(level)
        out, err = capsys.readouterr()
        return code, out, err

    return run
