"""``regioncount report``: the numbers of the JSON form against independent facts, the HTML
page (self-contained, every image a real PNG; in headless Chromium when installed), partial
counts under a time limit, the bound sweep, and the decision boundary geometry."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

from conftest import network_from_entry

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "models"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
CHROMIUM = "/usr/bin/chromium"


def _run_json(cli_run, tmp_path, *args, name="r.json"):
    out = tmp_path / name
    code, _, err = cli_run("report", *args, "-q", "--format", "json", "-o", out)
    assert code == 0, err
    return json.loads(out.read_text())


# -- HTML helpers ------------------------------------------------------------------------------

class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.imgs, self.refs, self.tags = [], [], set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        a = dict(attrs)
        if tag == "img":
            self.imgs.append(a.get("src", ""))
        for k in ("src", "href"):
            if k in a:
                self.refs.append(a[k])


def _check_self_contained(text: str) -> list[bytes]:
    """Every src/href is a data URI or a fragment; every <img> decodes to a PNG; returns them."""
    p = _Links()
    p.feed(text)
    assert p.imgs, "the page has no images"
    for ref in p.refs:
        assert ref.startswith("data:") or ref.startswith("#"), ref[:80]
    assert "http://" not in text and "https://" not in text
    assert "script" not in p.tags and "link" not in p.tags
    pngs = []
    for src in p.imgs:
        head, _, b64 = src.partition(",")
        assert head == "data:image/png;base64", head
        data = base64.b64decode(b64, validate=True)
        assert data[:8] == PNG_SIGNATURE
        w, h = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
        assert w >= 300 and h >= 200 and len(data) > 5000, (w, h, len(data))
        pngs.append(data)
    return pngs


# -- model reports -----------------------------------------------------------------------------

def test_moons_report_numbers(cli_run, tmp_path, bound_values):
    """moons_2d: the tree count equals the number of exact slice polygons (an independent
    method), the polygons tile the unit square, every upper bound is >= the count, and the
    counts per class / per layer add up."""
    r = _run_json(cli_run, tmp_path, MODELS / "moons_2d.onnx")
    assert r["complete"] is True and r["count"]["method"] == "tree"
    n = r["regions"]
    assert n == 30      # the exact polygon oracle of tests/oracles.py (test_oracles.py, DEMO)
    assert n == r["regions_found"] == r["slice"]["regions"] == len(r["slice"]["polygons"])
    assert r["slice"]["whole_domain"] is True
    assert sum(p["area"] for p in r["slice"]["polygons"]) == pytest.approx(1.0, abs=1e-9)
    # a region counts for every class it meets (exact rule): 8 straddle the boundary
    assert r["count"]["per_class_rule"] == "exact" and r["count"]["straddling"] == 8
    assert sum(r["per_class"].values()) == n + r["count"]["straddling"]
    assert r["per_layer"][-1] == n and r["per_layer"][0] <= n
    # the count per class from the tree (argmax at a certificate point) and from the
    # polygons (argmax at the polygon centre) need not agree region by region, but the totals do
    assert sum(r["slice"]["per_class"].values()) == n
    for name, v in r["bounds"].items():
        if v is not None and r["bound_kinds"][name].startswith("upper"):
            assert v >= n, name
    # the architecture-only bounds are those of 2-8-8 in bound_values.json (exact integers):
    # 1,369, 1,369, 2^16 = 65,536 and 925
    ref = next(row for row in bound_values["table"] if row["arch"] == [2, 8, 8])
    for name, key in (("serra2018_upper", "serra2018_upper"),
                      ("montufar2017_upper", "montufar2017_upper"), ("two_pow_n", "two_pow_N"),
                      ("serra2018_lower", "serra2018_lower")):
        assert r["bounds"][name] == ref[key], name
    assert [r["bounds"][k] for k in ("serra2018_upper", "montufar2017_upper", "two_pow_n",
                                     "serra2018_lower")] == [1369, 1369, 65536, 925]
    m = r["model"]
    assert m["arch"] == [2, 8, 8] and m["pwl_units"] == 16
    assert m["params"] == 2 * 8 + 8 + 8 * 8 + 8 + 8 * 2 + 2
    assert r["bounds"]["serra2018_stable_upper"] >= n
    # same count by the slice method and by the MILP no-good baseline
    r2 = _run_json(cli_run, tmp_path, MODELS / "moons_2d.onnx", "--method", "slice",
                   "--no-slice", name="r2.json")
    assert r2["regions"] == n and r2["slice"] is None
    assert any("not available" in s for s in r2["not_available"])
    r3 = _run_json(cli_run, tmp_path, MODELS / "moons_2d.onnx", "--method", "milp",
                   "--no-slice", name="r3.json")
    assert r3["regions"] == n and r3["count"]["method"] == "milp"
    assert r3["per_layer"] == r["per_layer"]


@pytest.mark.parametrize("name", ["random-2-8-8-seed2-box1", "max-construction-2-6-6"])
def test_report_exact_counts_reference(name, exact_counts, bound_values):
    """On networks of exact_counts.json the report's count and its slice polygons both equal the
    reference count, and the bounds equal bound_values.json where the architecture is listed."""
    from regioncount.reports import ReportOptions, build_report

    entry = next(e for e in exact_counts if e["name"] == name)
    net, dom = network_from_entry(entry)
    r = build_report(net, dom, ReportOptions(time_limit=60)).to_json()
    assert r["regions"] == entry["regions"] == r["slice"]["regions"]
    assert sum(p["area"] for p in r["slice"]["polygons"]) == pytest.approx(
        (entry["hi"] - entry["lo"]) ** 2, rel=1e-9)
    table = {tuple(e["arch"]): e for e in bound_values["table"]}
    ref = table.get(tuple(entry["arch"]))
    if ref is not None:
        for mine, theirs in (("serra2018_upper", "serra2018_upper"),
                             ("montufar2017_upper", "montufar2017_upper"),
                             ("montufar2014_lower", "montufar2014_lower"),
                             ("serra2018_lower", "serra2018_lower"), ("two_pow_n", "two_pow_N"),
                             ("zaslavsky_shallow", "shallow_zaslavsky")):
            assert r["bounds"][mine] == ref[theirs], mine
    if name.startswith("max-construction"):
        # Serra's Thm 6 construction reaches its lower bound exactly
        assert r["regions"] == r["bounds"]["serra2018_lower"]


def test_stable_units_lp_vs_interval(cli_run, tmp_path):
    """The demo digits_mlp on [0.45, 0.55]^64: LP tightening proves more units stable than
    intervals (27 against 18) and lowers the weight-aware bound (32 against 14,913); every unit
    the report calls stable holds its piece on 4000 random points of the domain; the
    per-method counts add up (the same on ACAS Xu N_1,1, with ../shared:
    test_bounds_model.py::test_real_model_facts)."""
    import regioncount

    path = MODELS / "digits_mlp.onnx"
    common = (path, "--box", "0.45,0.55", "--no-count", "--no-slice")
    iv = _run_json(cli_run, tmp_path, *common, "--tighten", "interval", name="iv.json")
    lp = _run_json(cli_run, tmp_path, *common, "--tighten", "lp", name="lp.json")
    x = 0.45 + 0.1 * np.random.default_rng(0).random((4000, 64))
    check_tightened_report(iv, lp, regioncount.load(path).pattern(x), 2)


def check_tightened_report(iv: dict, lp: dict, pats: list, layers: int) -> None:
    """The reports of one model with interval (``iv``) and LP (``lp``) tightening: LP proves
    more units stable and lowers the weight-aware bound; each of the ``layers`` PWL layers'
    stable units holds its piece at every sampled pattern of ``pats``; the per-method counts
    add up."""
    s_iv = iv["model"]["stable_active"] + iv["model"]["stable_inactive"]
    s_lp = lp["model"]["stable_active"] + lp["model"]["stable_inactive"]
    assert s_lp > s_iv > 0
    w_iv, w_lp = iv["bounds"]["serra2018_stable_upper"], lp["bounds"]["serra2018_stable_upper"]
    assert w_lp < w_iv <= iv["bounds"]["serra2018_upper"]
    pwl = [s for s in lp["model"]["stages"] if s["active"] is not None]
    assert len(pwl) == len(pats) == layers
    for st, p in zip(pwl, pats):
        assert sum(st["proved_by"].values()) == st["active"] + st["inactive"]
        on = p.all(axis=0).sum()        # units active at every sample
        off = (p == 0).all(axis=0).sum()
        assert st["active"] <= on and st["inactive"] <= off


def test_maxout_report(cli_run, tmp_path):
    """maxout_2d: tree count = slice polygons, and the maxout bound holds."""
    r = _run_json(cli_run, tmp_path, MODELS / "maxout_2d.onnx")
    assert r["regions"] == r["slice"]["regions"] > 1
    assert r["bounds"]["serra2018_maxout_upper"] >= r["regions"]
    assert r["bounds"]["two_pow_n"] is None and r["bound_notes"]["two_pow_n"]
    assert r["model"]["stages"][1]["kind"] == "max"


def test_partial_count_headline(cli_run, tmp_path):
    """digits_mlp cannot be counted in a fraction of a second: the report says PARTIAL in its
    headline (all three forms), gives no exact 'regions', and keeps the regions found."""
    args = (MODELS / "digits_mlp.onnx", "--time-limit", "0.3", "--no-slice")
    r = _run_json(cli_run, tmp_path, *args)
    assert r["complete"] is False and r["regions"] is None
    assert r["headline"].startswith("PARTIAL")
    assert 0 < r["regions_found"] <= r["bounds"]["serra2018_upper"]
    assert r["count"]["stop_reason"] == "time limit"
    assert sum(r["per_class"].values()) == r["regions_found"]
    html = tmp_path / "p.html"
    code, out, err = cli_run("report", *args, "-o", html)
    assert code == 0 and "PARTIAL" in out
    text = html.read_text()
    assert 'class="headline partial">PARTIAL' in text
    md = tmp_path / "p.md"
    assert cli_run("report", *args, "-q", "-o", md)[0] == 0
    assert md.read_text().splitlines()[2].startswith("**PARTIAL COUNT.**")


def test_slice_respects_the_time_limit(cli_run, tmp_path):
    """The slice runs in a child process stopped at --time-limit: 1 ms cannot even start it, so
    the picture is left out with a line saying why (and nothing else is faked)."""
    from regioncount import Domain, load
    from regioncount.reports import ReportOptions
    from regioncount.reports.build import slice_with_limit

    net = load(MODELS / "moons_2d.onnx")
    sl, why = slice_with_limit(net, Domain.box(0, 1, 2), ReportOptions(), 0.001)
    assert sl is None and "did not finish within the time limit of 0.001 s" in why
    sl, why = slice_with_limit(net, Domain.box(0, 1, 2), ReportOptions(), 60.0)
    assert why == "" and sl.regions == 30           # the same slice with time to finish
    r = _run_json(cli_run, tmp_path, MODELS / "moons_2d.onnx", "--time-limit", "0.001")
    assert r["slice"] is None
    assert any(s.startswith("Region picture: not available (it did not finish")
               for s in r["not_available"])
    assert r["complete"] is (r["regions"] is not None)
    assert r["headline"].startswith("PARTIAL") is (not r["complete"])


def test_html_self_contained(cli_run, tmp_path):
    out = tmp_path / "moons.html"
    code, stdout, err = cli_run("report", MODELS / "moons_2d.onnx", "-o", out)
    assert code == 0, err
    assert "report: counting regions" in err       # progress of the long step on stderr
    text = out.read_text()
    assert len(_check_self_contained(text)) == 3    # bounds chart, counts, slice
    assert "serra2018_upper" in text and "1,369" in text
    assert "<html" in text and "</html>" in text and "$" not in text.split("<body>")[1][:2000]


def test_markdown_form(cli_run, tmp_path):
    out = tmp_path / "m.md"
    code, _, err = cli_run("report", MODELS / "moons_2d.onnx", "-q", "-o", out)
    assert code == 0, err
    text = out.read_text()
    assert text.startswith("# Region report: moons_2d.onnx")
    assert text.count("](data:image/png;base64,") == 3
    assert "| serra2018_upper | 1,369 |" in text


def test_slice_of_a_64_input_model():
    """A random plane through the centre of [0,1]^64 and an axis plane: every polygon's class is
    the network's argmax at its centre, the axis slice tiles the unit square, and the decision
    boundary segments are where the two largest logits tie."""
    import regioncount
    from regioncount import Domain
    from regioncount.reports import ReportOptions
    from regioncount.reports.build import slice_section

    net = regioncount.load(MODELS / "sweep" / "digits_64_4_8.onnx")
    dom = Domain.box(0, 1, 64)
    sl = slice_section(net, dom, ReportOptions(seed=3))
    assert sl.regions >= 2 and not sl.whole_domain
    o, U = np.array(sl.origin), np.column_stack([sl.u, sl.v])
    assert np.allclose(U.T @ U, np.eye(2))
    for p in sl.polygons:
        x = o + U @ np.mean(p.vertices, axis=0)
        assert np.all(x >= -1e-9) and np.all(x <= 1 + 1e-9)
        assert int(np.argmax(net.evaluate(x))) == p.label
    assert sl.boundary
    for a, b in sl.boundary:
        mid = o + U @ ((np.array(a) + np.array(b)) / 2)
        z = np.sort(net.evaluate(mid))
        assert z[-1] - z[-2] == pytest.approx(0.0, abs=1e-7 * max(1.0, abs(z[-1])))
    ax = slice_section(net, dom, ReportOptions(slice_axes=(20, 27)))
    assert sum(p.area for p in ax.polygons) == pytest.approx(1.0, abs=1e-9)
    assert ax.s_label == "x[20]" and ax.t_label == "x[27]"


def test_slice_plane_file(cli_run, tmp_path):
    """--slice-plane: the given directions and origin; the polygons' centres map into the domain
    and their classes are the network's argmax there."""
    import regioncount

    net = regioncount.load(MODELS / "sweep" / "digits_64_2_10.onnx")
    u = np.zeros(64)
    u[[18, 19, 20]] = 1.0
    v = np.zeros(64)
    v[[43, 44]] = [1.0, -1.0]
    origin = np.full(64, 0.25)
    plane = tmp_path / "plane.json"
    plane.write_text(json.dumps({"u": u.tolist(), "v": v.tolist(), "origin": origin.tolist()}))
    r = _run_json(cli_run, tmp_path, MODELS / "sweep" / "digits_64_2_10.onnx", "--slice-plane",
                  plane, "--no-count")
    sl = r["slice"]
    assert sl["u"] == u.tolist() and sl["v"] == v.tolist() and sl["origin"] == origin.tolist()
    assert sl["regions"] >= 2 and r["regions"] is None and r["count"] is None
    for p in sl["polygons"]:
        s, t = np.mean(p["vertices"], axis=0)
        x = origin + s * u + t * v
        assert np.all(x >= -1e-9) and np.all(x <= 1 + 1e-9)
        assert int(np.argmax(net.evaluate(x))) == p["label"]
    # the plane meets [0,1]^64 where 0 <= .25 + s <= 1 (s in [-.25, .75]) and both .25 + t and
    # .25 - t lie in [0, 1] (t in [-.25, .25]): a rectangle of area 1 * 0.5
    assert sum(p["area"] for p in sl["polygons"]) == pytest.approx(0.5, abs=1e-9)
    plane.write_text(json.dumps({"u": u.tolist(), "v": (2 * u).tolist()}))
    code, _, err = cli_run("report", MODELS / "sweep" / "digits_64_2_10.onnx", "--slice-plane",
                           plane, "--no-count", "-o", tmp_path / "x.html")
    assert code == 2 and "linearly independent" in err


def test_decision_boundary_is_complete(cli_run, tmp_path):
    """moons_2d on a 241 x 241 grid: wherever the network's argmax differs between two
    neighbouring grid points, a decision-boundary segment of the report crosses the step
    between them (no piece of the boundary is missing)."""
    import regioncount

    net = regioncount.load(MODELS / "moons_2d.onnx")
    r = _run_json(cli_run, tmp_path, MODELS / "moons_2d.onnx", "--no-count")
    segs = np.array(r["slice"]["boundary_segments"])          # (k, 2, 2)
    assert len(segs) >= 3
    g = np.linspace(0.0, 1.0, 241)
    X, Y = np.meshgrid(g, g, indexing="ij")
    lab = np.argmax(net.evaluate(np.column_stack([X.ravel(), Y.ravel()])), axis=1).reshape(X.shape)
    steps = []
    for axis in (0, 1):
        d = np.diff(lab, axis=axis) != 0
        i, j = np.nonzero(d)
        a = np.column_stack([X[i, j], Y[i, j]])
        b = a + (np.array([g[1], 0.0]) if axis == 0 else np.array([0.0, g[1]]))
        steps += list(zip(a, b))
    assert len(steps) > 50

    def crosses(p, q, s0, s1):
        def orient(a, b, c):
            return np.sign((b[..., 0] - a[..., 0]) * (c[..., 1] - a[..., 1])
                           - (b[..., 1] - a[..., 1]) * (c[..., 0] - a[..., 0]))
        return ((orient(p, q, s0) * orient(p, q, s1) <= 0)
                & (orient(s0, s1, p) * orient(s0, s1, q) <= 0))

    for p, q in steps:
        assert crosses(p, q, segs[:, 0], segs[:, 1]).any(), (p, q)


def test_tie_segments_geometry():
    """Three logits on the unit square: l0 = s, l1 = t, l2 = 0.6 meet in a Y."""
    from regioncount.reports.geometry import tie_segments

    square = np.array([[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]])
    M = np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]])
    segs = [tuple(map(tuple, np.round(s, 12).tolist()))
            for s in tie_segments(square, M, [0, 0, 0.6])]
    # l0 = l1 on the diagonal above 0.6; l0 = l2 at s = 0.6 for t <= 0.6; l1 = l2 likewise
    got = {tuple(sorted(s)) for s in segs}
    assert got == {((0.6, 0.6), (1.0, 1.0)), ((0.6, 0.0), (0.6, 0.6)), ((0.0, 0.6), (0.6, 0.6))}
    # one logit: a binary classifier with threshold 0
    one = tie_segments(square, np.array([[1.0, 1.0]]), [-1.0])
    assert len(one) == 1 and sorted(map(tuple, one[0].tolist())) == [(0.0, 1.0), (1.0, 0.0)]


# -- sweep -------------------------------------------------------------------------------------

def test_sweep_784_22_against_bound_values(cli_run, tmp_path, bound_values):
    r = _run_json(cli_run, tmp_path, "--sweep", "784:22")
    rows = {tuple(row["arch"]): row["bounds"] for row in r["rows"]}
    assert [row["n1"] for row in r["rows"]] == list(range(1, 22))
    ref = bound_values["sweep_784_n1_n2_sum22"]
    assert ref
    for e in ref:
        arch = tuple(e["arch"])
        for name, v in e.items():
            if name != "arch":
                assert rows[arch][name] == v, (arch, name)
    html = tmp_path / "sweep.html"
    assert cli_run("report", "--sweep", "784:22", "-q", "-o", html)[0] == 0
    assert len(_check_self_contained(html.read_text())) == 1


def test_sweep_with_models(cli_run, tmp_path):
    """The demo sweep models 64-n1-(12-n1)-10 are counted; a model of another shape is skipped
    with the reason; every count lies below the bounds of its architecture."""
    d = tmp_path / "models"
    d.mkdir()
    for f in ("digits_64_2_10.onnx", "digits_64_6_6.onnx"):
        shutil.copy(MODELS / "sweep" / f, d / f)
    shutil.copy(MODELS / "moons_2d.onnx", d / "moons_2d.onnx")
    r = _run_json(cli_run, tmp_path, "--sweep", "64:12", "--models", d)
    got = {m["n1"]: m for m in r["models"]}
    assert set(got) == {2, 6}
    rows = {row["n1"]: row["bounds"] for row in r["rows"]}
    for n1, m in got.items():
        assert m["complete"] and m["regions"] == m["regions_found"] > 1
        assert m["arch"] == [64, n1, 12 - n1]
        assert m["regions"] <= rows[n1]["serra2018_upper"] <= rows[n1]["montufar2017_upper"]
        assert m["regions"] <= m["serra2018_stable_upper"] <= rows[n1]["serra2018_upper"]
    assert [s["path"].endswith("moons_2d.onnx") for s in r["skipped"]] == [True]
    assert "2-8-8" in r["skipped"][0]["why"]


def test_sweep_partial_model(cli_run, tmp_path):
    """A sweep model whose count cannot finish in 1 ms is marked partial (no exact 'regions',
    the regions found kept), in the JSON and in the headline."""
    d = tmp_path / "models"
    d.mkdir()
    shutil.copy(MODELS / "sweep" / "digits_64_10_2.onnx", d / "digits_64_10_2.onnx")
    r = _run_json(cli_run, tmp_path, "--sweep", "64:12", "--models", d, "--time-limit", "0.001")
    (m,) = r["models"]
    assert m["complete"] is False and m["regions"] is None and m["stop_reason"] == "time limit"
    assert m["regions_found"] < 4083                # below serra2018_upper of 64-10-2
    assert "PARTIAL" in r["headline"]


def test_cli_errors(cli_run, tmp_path):
    code, _, err = cli_run("report")
    assert code == 2 and "MODEL or --sweep" in err
    code, _, err = cli_run("report", "--sweep", "784")
    assert code == 2 and err.count("\n") == 1 and "N0:TOTAL" in err
    code, _, err = cli_run("report", MODELS / "moons_2d.onnx", "--slice-axes", "0,5",
                           "-o", tmp_path / "x.html")
    assert code == 2 and "--slice-axes" in err


# -- headless Chromium -------------------------------------------------------------------------

_CHECK = """<script>
window.__errors = [];
window.addEventListener('error', function (e) {
  window.__errors.push(String(e.message || (e.target && e.target.src) || e)); }, true);
window.addEventListener('load', function () {
  var imgs = Array.prototype.slice.call(document.images);
  var ok = imgs.filter(function (i) { return i.complete && i.naturalWidth > 0; }).length;
  document.title = 'CHECK images=' + imgs.length + ' loaded=' + ok +
                   ' errors=' + window.__errors.length;
});
</script>"""


def _chromium_title(page: Path, tmp_path: Path) -> str:
    """Load ``page`` in headless Chromium with a load-time check injected into a copy; the
    check writes the image and error counts into the title, read back from the dumped DOM."""
    probe = tmp_path / ("probe_" + page.name)
    probe.write_text(page.read_text().replace("<head>", "<head>\n" + _CHECK, 1))
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
           "--virtual-time-budget=5000", "--dump-dom", probe.as_uri()]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    import re

    m = re.search(r"<title>(CHECK[^<]*)</title>", res.stdout)
    assert m, res.stderr[-2000:]
    return m.group(1)


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium not installed")
def test_html_in_headless_chromium(cli_run, tmp_path):
    out = tmp_path / "moons.html"
    assert cli_run("report", MODELS / "moons_2d.onnx", "-q", "-o", out)[0] == 0
    assert _chromium_title(out, tmp_path) == "CHECK images=3 loaded=3 errors=0"
    # the probe can fail: a corrupted image is reported as not loaded, with an error
    bad = tmp_path / "bad.html"
    bad.write_text(out.read_text().replace("data:image/png;base64,iVBOR",
                                           "data:image/png;base64,AAAA", 1))
    assert _chromium_title(bad, tmp_path) == "CHECK images=3 loaded=2 errors=1"


@pytest.mark.parametrize("name", ["regioncount.reports.build", "regioncount.reports.geometry",
                                  "regioncount.reports.figures"])
def test_report_docstring_examples(name):
    import doctest
    import importlib

    res = doctest.testmod(importlib.import_module(name), optionflags=doctest.NORMALIZE_WHITESPACE)
    assert res.failed == 0 and res.attempted > 0
