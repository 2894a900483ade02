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
