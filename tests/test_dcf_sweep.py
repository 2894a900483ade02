"""The DCF sweep (issue 12, item 4): regions of DCF networks against K next to the plain CNN,
on a small box around a test digit. The counts are checked against app.count and against the
box counts of benchmarks/dcf_regions.py (docs/dcf.md)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import onnx
import pytest

import regioncount
from regioncount import Domain, app
from regioncount.builders.dcf import build_dcf_net
from regioncount.dcf_sweep import dcf_sweep, digit_domain, model_bases
from regioncount.errors import RegioncountError
from regioncount.reports.dcf_sweep import build_dcf_sweep, regions_chart, render_dcf_sweep

ROOT = Path(__file__).resolve().parents[1]
DCF = ROOT / "models" / "dcf"
NAMES = ["digits_dcf_k3", "digits_dcf_k6", "digits_dcf_k9", "digits_dcf_k14", "digits_cnn5"]
PATHS = [DCF / f"{n}.onnx" for n in NAMES]

#: Regions in [x - 0.002, x + 0.002] ∩ [0, 1]^64 around test image 0 (docs/dcf.md, boxes).
BOX_0002 = [1, 20, 32, 68, 2]


def test_model_bases_of_the_trained_models():
    got = [(b.K, b.source, b.full, b.params, b.kernel, b.basis)
           for b in map(model_bases, PATHS)]
    assert got == [(3, "layer record", False, 450, 5, "fourier-bessel"),
                   (6, "layer record", False, 558, 5, "fourier-bessel"),
                   (9, "layer record", False, 666, 5, "fourier-bessel"),
                   (14, "layer record", True, 846, 5, "fourier-bessel"),
                   (None, "plain", False, 1242, 5, "pixel")]


@pytest.mark.parametrize("form", ["fused", "two-stage"])
def test_params_counted_and_K_from_metadata(tmp_path, form):
    net = build_dcf_net(5, 3, (2, 3), (1, 8, 8), classes=4, seed=1)
    model = net.to_onnx(form)
    del model.metadata_props[:]
    path = tmp_path / "m.onnx"
    onnx.save(model, path)
    b = model_bases(path)
    assert (b.K, b.source, b.params) == (3, "layer record", net.params())
    assert b.params == 2 * 1 * 3 + 2 + 3 * 2 * 3 + 3 + 3 * 2 * 2 * 4 + 4
    entry = model.metadata_props.add()
    entry.key, entry.value = "bases", "3"
    onnx.save(model, path)
    assert model_bases(path).source == "metadata"


def test_sweep_counts_equal_app_count():
    pytest.importorskip("sklearn")
    dom = digit_domain(0, 0.002)
    sw = dcf_sweep(list(reversed(PATHS)), dom, time_limit=60)
    assert [r.name for r in sw.rows] == NAMES            # by K, the plain CNN last
    assert [r.regions for r in sw.rows] == BOX_0002
    assert all(r.complete and r.lower_bound is None for r in sw.rows)
    for r in (sw.rows[1], sw.rows[4]):
        assert r.regions == app.count(regioncount.load(r.path), dom, "tree").regions
    assert [r.K for r in sw.dcf] == [3, 6, 9, 14] and [r.name for r in sw.plain] == NAMES[4:]


def test_unfinished_count_gets_a_bracket_around_the_exact_count():
    pytest.importorskip("sklearn")
    dom = digit_domain(0, 0.003)
    exact = app.count(regioncount.load(PATHS[1]), dom, "tree").regions
    assert exact == 64
    # a microsecond: the count stops at its first check on any machine (it needs many nodes)
    rep = build_dcf_sweep([PATHS[1]], dom, time_limit=1e-6)
    r = rep.rows[0]
    assert not r.complete
    assert r.regions <= r.lower_bound <= exact <= r.upper_bound
    assert r.lower_bound <= r.estimate <= r.upper_bound and r.confidence == 1.0
    assert r.regions < exact and len(r.how) == 4 and r.how[3].startswith("upper bound")
    d = rep.to_json()["rows"][0]
    assert d["regions"] is None and d["regions_found"] == r.regions
    assert ">= " in rep.headline and "bracket" in render_dcf_sweep(rep, "md")
    assert regions_chart(rep)[:4] == b"\x89PNG"


def test_report_forms(tmp_path):
    pytest.importorskip("sklearn")
    dom = digit_domain(1, 0.002)
    rep = build_dcf_sweep([PATHS[0], PATHS[4]], dom, time_limit=30)
    counts = [app.count(regioncount.load(p), dom, "tree").regions for p in (PATHS[0], PATHS[4])]
    assert [r.regions for r in rep.rows] == counts
    page = render_dcf_sweep(rep, "html")
    assert page.count("data:image/png;base64,") == 1 and "digits_cnn5" in page
    d = json.loads(render_dcf_sweep(rep, "json"))
    assert [(x["K"], x["regions"], x["params"]) for x in d["rows"]] == [
        (3, counts[0], 450), (None, counts[1], 1242)]
    with pytest.raises(ValueError):
        render_dcf_sweep(rep, "pdf")


def test_cli(cli_run, tmp_path):
    pytest.importorskip("sklearn")
    out = tmp_path / "sweep.md"
    code, text, err = cli_run("dcf-sweep", PATHS[4], PATHS[0], "--digit", "0", "--quiet",
                              "-o", out)
    assert code == 0, err
    lines = text.splitlines()
    assert lines[0] == "domain: test digit 0 +- 0.002 (clipped to [0, 1])"
    assert lines[2].split() == ["digits_dcf_k3", "3", "450", "1"]
    assert lines[3].split() == ["digits_cnn5", "plain", "1,242", "2"]
    assert lines[4] == f"wrote {out}" and "regions against K" in out.read_text()
    code, text, err = cli_run("dcf-sweep", PATHS[0], "--digit", "0", "--json", "--quiet")
    assert code == 0 and json.loads(text)["rows"][0]["regions"] == 1


@pytest.mark.parametrize("args", [
    ("--digit", "0", "--box", "0,1"),            # two domains
    ("--radius", "0.1",),                        # radius without a digit
    ("--digit", "100000",),                      # no such test image
    ("--box", "0,1", "-o", "no/such/dir/r.html"),
])
def test_cli_bad_input(cli_run, args):
    pytest.importorskip("sklearn")
    code, out, err = cli_run("dcf-sweep", PATHS[0], *args)
    assert code == 2 and err.strip(), args


def test_models_without_conv_or_of_another_size(cli_run):
    code, out, err = cli_run("dcf-sweep", ROOT / "models" / "moons_2d.onnx", "--quiet")
    assert code == 2 and len(err.strip().splitlines()) == 1        # no Conv to analyse
    with pytest.raises(RegioncountError):
        dcf_sweep([PATHS[0]], Domain.box(0, 1, 3))
    with pytest.raises(RegioncountError):
        dcf_sweep([], Domain.box(0, 1, 64))


def test_digit_domain_is_clipped_to_the_data_box():
    pytest.importorskip("sklearn")
    from regioncount.dcf_sweep import digits_test_images

    X = digits_test_images()
    assert X.shape == (450, 64)
    dom = digit_domain(3, 0.25)
    assert np.array_equal(dom.lo, np.maximum(X[3] - 0.25, 0.0))
    assert np.array_equal(dom.hi, np.minimum(X[3] + 0.25, 1.0))
    with pytest.raises(RegioncountError):
        digit_domain(0, 0.0)
