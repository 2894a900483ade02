"""``regioncount count``: the JSON contract, methods, limits, checkpoints, patterns file."""

import json

import numpy as np
import onnx
import pytest

from regioncount.io.export import mlp_to_onnx

from conftest import network_from_entry



def _entry(exact_counts, name):
    return next(e for e in exact_counts if e["name"] == name)


@pytest.fixture
def model_2d(tmp_path, exact_counts):
    """The 2-8-8 reference network (27 regions on [-1, 1]^2) with a 3-class output layer."""
    e = _entry(exact_counts, "random-2-8-8-seed2-box1")
    layers = [(np.array(W, float), np.array(b, float)) for W, b in e["layers"]]
    final = (np.arange(24, dtype=float).reshape(3, 8) % 5 - 2.0, np.zeros(3))
    path = tmp_path / "net2d.onnx"
    onnx.save(mlp_to_onnx(layers, final), path)
    return path


@pytest.fixture
def model_3d(tmp_path, exact_counts):
    e = _entry(exact_counts, "random-3-8-8-8-seed5-box1")
    layers = [(np.array(W, float), np.array(b, float)) for W, b in e["layers"]]
    path = tmp_path / "net3d.onnx"
    onnx.save(mlp_to_onnx(layers, (np.ones((2, 8)), np.zeros(2))), path)
    return path


def test_json_contract_and_methods_agree(cli_run, model_2d):
    seen = {}
    for method in ("tree", "slice", "milp"):
        code, out, err = cli_run("count", model_2d, "--box", "-1,1", "--method", method,
                                 "--workers", "1", "--json")
        assert code == 0, err
        d = json.loads(out)
        assert set(d) >= {"regions", "complete", "method", "seconds", "lps", "per_class"}
        assert d["regions"] == 27 and d["complete"] is True and d["method"] == method
        assert d["per_class_rule"] == "exact"
        assert sum(d["per_class"].values()) == 27 + d["straddling"]
        assert all(k in ("0", "1", "2") for k in d["per_class"])
        seen[method] = d
    # one definition of per-class counts: every method gives the same numbers
    assert seen["tree"]["per_class"] == seen["slice"]["per_class"] == seen["milp"]["per_class"]
    assert seen["tree"]["lps"] > 0 and seen["slice"]["lps"] == 0
    assert seen["milp"]["lps"] == 28          # one MILP per region and the last, empty one


def test_human_output(cli_run, model_2d):
    code, out, _ = cli_run("count", model_2d, "--box", "-1,1", "--workers", "1", "-q")
    assert code == 0
    assert "27 activation regions (exact)" in out and "per output argmax" in out


def test_limits_checkpoint_resume_and_patterns(cli_run, model_3d, tmp_path, exact_counts):
    ck = tmp_path / "count.ck"
    code, out, err = cli_run("count", model_3d, "--box", "-1,1", "--workers", "1", "--json",
                             "--max-regions", "120", "--checkpoint", ck)
    assert code == 0, err
    d = json.loads(out)
    assert d["complete"] is False and 120 <= d["regions"] < 338
    assert d["stop_reason"] == "region limit"
    npz = tmp_path / "p.npz"
    code, out, err = cli_run("count", model_3d, "--box", "-1,1", "--workers", "1", "--json",
                             "--checkpoint", ck, "--resume")
    assert code == 0, err
    d = json.loads(out)
    assert d["complete"] is True and d["regions"] == 338
    code, out, err = cli_run("count", model_3d, "--box", "-1,1", "--workers", "1", "--json",
                             "--patterns-out", npz)
    assert code == 0, err
    z = np.load(npz)
    assert z["patterns"].shape == (338, 24) and z["points"].shape == (338, 3)
    assert len({p.tobytes() for p in z["patterns"]}) == 338
    net, _ = network_from_entry(_entry(exact_counts, "random-3-8-8-8-seed5-box1"))
    assert np.array_equal(np.concatenate(net.pattern(z["points"]), axis=1), z["patterns"])


def test_time_limit_reports_partial(cli_run, model_3d):
    code, out, err = cli_run("count", model_3d, "--box", "-1,1", "--workers", "1", "--json",
                             "--time-limit", "0")
    assert code == 0, err
    d = json.loads(out)
    # 338 is the exact count (exact_counts.json); a count stopped at once finds fewer
    assert d["complete"] is False and d["stop_reason"] == "time limit"
    assert 0 <= d["regions"] < 338


def test_user_errors_are_one_line(cli_run, model_3d):
    code, _, err = cli_run("count", model_3d, "--method", "slice")
    assert code == 2 and "dimension 1 or 2" in err and "Traceback" not in err
    code, _, err = cli_run("count", model_3d, "--resume")
    assert code == 2 and "--checkpoint" in err
    code, _, err = cli_run("count", model_3d, "--checkpoint", "/nonexistent/dir/x.ck", "--resume")
    assert code == 2 and "no such checkpoint" in err


def test_unwritable_checkpoint_is_one_line_before_any_work(cli_run, tmp_path):
    import onnx
    import numpy as np
    from regioncount.io.export import mlp_to_onnx

    path = tmp_path / "m.onnx"
    onnx.save(mlp_to_onnx([(np.eye(2), np.zeros(2))]), path)
    code, out, err = cli_run("count", path, "--checkpoint", tmp_path / "no" / "such" / "x.ck")
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "cannot write the checkpoint" in err
