"""The application layer (``regioncount.app``): every front door gives the numbers of the
engines behind it, the count methods agree with each other, and the report and the CLI built
on the front doors carry the same numbers."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import numpy as np
import pytest

from regioncount import Domain, DomainError, RegioncountError, app, load
from regioncount.intervals import interval_bounds, stable_units

MODELS = Path(__file__).resolve().parents[1] / "models"
MOONS = MODELS / "moons_2d.onnx"
#: The keys of a slice in the report's JSON form (docs/report.md).
SLICE_KEYS = {"description", "whole_domain", "origin", "u", "v", "s_range", "t_range", "regions",
              "seconds", "per_class", "polygons", "boundary_segments"}


@pytest.fixture(scope="module")
def moons():
    return load(MOONS), Domain.box(0, 1, 2)


@pytest.fixture(scope="module")
def counts(moons):
    """moons_2d counted by each method (the MILP with interval big-M bounds)."""
    net, dom = moons
    return {"tree": app.count(net, dom, "tree", keep_patterns=True, keep_points=True),
            "milp": app.count(net, dom, "milp", keep_patterns=True,
                              neuron_bounds=interval_bounds(net, dom)),
            "slice": app.count(net, dom, "slice")}


@pytest.fixture(scope="module")
def analysis(moons):
    return app.analyse(*moons)          # default options: time limit 60 s, slice in a child


# -- count ---------------------------------------------------------------------------------

@pytest.mark.parametrize("method", ["tree", "milp", "slice"])
def test_count_methods_give_30_on_moons(counts, method):
    r = counts[method]
    assert r.method == method and r.complete and r.stop_reason == ""
    assert r.regions == 30 and tuple(r.per_layer) == (13, 30)
    # one definition of per-class counts for every method: a region counts for each class
    # that is the argmax on a part of it with interior (8 regions straddle the boundary)
    assert r.per_class == {0: 29, 1: 9} and r.extra["straddling"] == 8
    assert r.extra["per_class_rule"] == "exact"
    assert sum(r.per_class.values()) == 30 + 8


def test_tree_and_milp_find_the_same_regions(moons, counts):
    """Two independent methods, one set of activation patterns; every tree certificate point
    reproduces its pattern."""
    net, _ = moons
    tree, milp = counts["tree"], counts["milp"]
    assert tree.pattern_set() == milp.pattern_set() and len(tree.pattern_set()) == 30
    assert np.array_equal(np.concatenate(net.pattern(tree.points), axis=1), tree.patterns)


def test_count_options_and_errors(moons, tmp_path):
    net, dom = moons
    r = app.count(net, dom, "tree", max_regions=5, keep_patterns=True, keep_points=True)
    assert not r.complete and r.stop_reason == "region limit" and 5 <= r.regions < 30
    assert r.patterns.shape == (r.regions, 16) and r.points.shape == (r.regions, 2)
    with pytest.raises(RegioncountError, match="checkpoint: only the tree and the vertex "
                                               "methods take it .this count runs the milp"):
        app.count(net, dom, "milp", checkpoint=tmp_path / "x.ck")
    with pytest.raises(RegioncountError, match="memory_budget: only the vertex method takes"):
        app.count(net, dom, "tree", memory_budget=1 << 20)
    with pytest.raises(RegioncountError, match="scheduler: only the tree and the vertex "
                                               "methods take it .this count runs the milp"):
        app.count(net, dom, "milp", scheduler="local")
    with pytest.raises(RegioncountError, match="unknown count method 'slices'"):
        app.count(net, dom, "slices")
    assert set(app.COUNT_METHODS) == {"tree", "milp", "slice", "vertex", "auto"}


# -- model and domain ----------------------------------------------------------------------

def test_load_problem_and_domains(tmp_path, cli_run):
    """A sub-box has at most the regions of the box (every pattern met in it is met in the
    box), counted by two methods; two domain sources are an error (a usage error in the CLI)."""
    net, dom = app.load_problem(MOONS, box="-1,1")
    assert net.input_size == 2 and dom.lo.tolist() == [-1, -1] and dom.hi.tolist() == [1, 1]
    f = tmp_path / "box.json"
    f.write_text(json.dumps({"lo": [0.0, 0.25], "hi": [0.5, 1.0]}))
    net, sub = app.load_problem(MOONS, box_file=f)
    assert sub.lo.tolist() == [0.0, 0.25] and sub.hi.tolist() == [0.5, 1.0]
    n = app.count(net, sub, "tree").regions
    assert 1 < n < 30 and app.count(net, sub, "slice").regions == n
    assert app.load_problem(MOONS)[1].hi.tolist() == [1.0, 1.0]       # default [0, 1]^n
    with pytest.raises(DomainError, match="at most one of box, box_file"):
        app.domain_for(2, box="0,1", box_file=f)
    code, out, err = cli_run("count", MOONS, "--box", "0,1", "--box-file", f)
    assert code == 2 and out == "" and "give at most one of --box, --box-file" in err


# -- stable units and bounds ---------------------------------------------------------------

def test_stable_front_door_and_cli(moons, cli_run):
    """moons_2d on [0, 1]^2: unit 6 of the first ReLU layer and units 0, 3 of the second are
    stably inactive (intervals prove all three); each is zero on 4000 random points of the
    domain; ``regioncount stable --json`` prints the same object."""
    net, dom = moons
    rep = app.stable(net, dom, "lp")
    j = rep.to_json()
    assert j["stable"] == 3 and j["units"] == 16 and j["proved_by"]["interval"] == 3
    assert [(l["stably_active"], l["stably_inactive"]) for l in j["layers"]] == [([], [6]),
                                                                                ([], [0, 3])]
    pats = net.pattern(dom.sample(4000, 0))
    for layer, p in zip(j["layers"], pats):
        assert not p[:, layer["stably_inactive"]].any()
    code, out, err = cli_run("stable", MOONS, "--json", "-q")
    assert code == 0, err
    cli = json.loads(out)
    for d in (cli, j):
        d.pop("seconds")
        for layer in d["layers"]:
            layer.pop("seconds")
    assert cli == j


def test_bounds_front_door(moons, analysis):
    """The report's bounds are those of ``bounds(tighten="lp")``; the architecture bounds are
    those of 2-8-8; interval bounds give a weight-aware bound no tighter than LP's."""
    from regioncount.bounds import bounds_for_arch

    net, dom = moons
    lp = app.bounds(net, dom, tighten="lp")
    assert lp.bounds == {b.name: b.value for b in analysis.bounds}
    assert lp.bounds["serra2018_upper"] == bounds_for_arch((2, 8, 8)).bounds["serra2018_upper"]
    assert lp.bounds["serra2018_upper"] == 1369 and lp.bounds["serra2018_stable_upper"] == 638
    iv = app.bounds(net, dom)
    assert iv.bounds["serra2018_stable_upper"] >= lp.bounds["serra2018_stable_upper"] >= 30
    given = app.bounds(net, dom, neuron_bounds=analysis.tightening.bounds)
    assert given.bounds == lp.bounds


# -- analyse -------------------------------------------------------------------------------

def test_analyse_moons(moons, analysis, counts):
    """The numbers of the moons report: 30 regions by the tree and as slice polygons (which
    tile the unit square), architecture 2-8-8 with 16 PWL units, 3 stably inactive units (each
    truly inactive on samples), bounds 1369 / 638."""
    net, dom = moons
    a = analysis
    assert a.count.regions == a.slice.regions == 30 and a.count.complete
    assert a.count.method == "tree" and a.count.per_layer == (13, 30)
    assert dict(a.count.per_class) == counts["tree"].per_class
    assert a.slice.whole_domain and sum(p.area for p in a.slice.polygons) == pytest.approx(1.0)
    assert a.model.arch == (2, 8, 8) and a.model.pwl_units == 16
    assert (a.model.stable_active, a.model.stable_inactive) == (0, 3)
    assert a.model.stable_method == "lp" and a.options.time_limit == 60.0
    assert a.bound("serra2018_upper") == 1369 and a.bound("serra2018_stable_upper") == 638
    assert a.unavailable == ()
    pats = net.pattern(dom.sample(4000, 1))
    for su, p in zip(stable_units(net, a.tightening.bounds), pats):
        assert not p[:, su.inactive].any() and p[:, su.active].all()


def test_analyse_is_what_the_report_shows(analysis, cli_run, tmp_path):
    """``regioncount report --format json`` carries the numbers of :func:`analyse`."""
    out = tmp_path / "r.json"
    code, _, err = cli_run("report", MOONS, "-q", "--format", "json", "-o", out)
    assert code == 0, err
    r = json.loads(out.read_text())
    a = analysis
    assert r["regions"] == a.count.regions == 30 and r["per_layer"] == list(a.count.per_layer)
    assert r["per_class"] == {str(k): v for k, v in a.count.per_class}
    assert r["bounds"] == {b.name: b.value for b in a.bounds}
    assert [(s["active"], s["inactive"]) for s in r["model"]["stages"]] == [
        (s.active, s.inactive) for s in a.model.stages]
    assert r["slice"]["regions"] == a.slice.regions and r["slice"]["origin"] == list(a.slice.origin)
    assert set(r["slice"]) == SLICE_KEYS == set(a.slice.to_json())
    assert r["options"] == {"count": True, "method": "tree", "time_limit": 60.0, "workers": 1,
                            "slice": True, "slice_axes": None, "slice_origin": None,
                            "slice_dirs": None, "seed": 0, "tighten": "lp", "certify": True}


def test_analyse_options(moons):
    """Option overrides: no count, no slice, interval stability (the sections left out say so);
    a slice count of the whole domain by ``method="slice"``."""
    net, dom = moons
    a = app.analyse(net, dom, count=False, slice=False, tighten="interval")
    assert a.count is None and a.slice is None and a.model.stable_method == "interval"
    assert a.unavailable == ("Exact count: not available (not requested: --no-count).",
                             "Region picture: not available (not requested: --no-slice).")
    assert a.model.stable_inactive == 3
    b = app.analyse(net, dom, app.AnalysisOptions(method="slice", slice=False, time_limit=None))
    assert b.count.method == "slice" and b.count.regions == 30 and b.count.lps == 0
    with pytest.raises(DomainError, match="domain has 3 coordinates"):
        app.analyse(net, Domain.box(0, 1, 3))


# -- the slice plane -----------------------------------------------------------------------

def test_slice_plane_is_typed():
    """The plane of given directions through the centre of [0,1]^64 covers the domain: half-side
    |hi - lo| / 2 = 4 in units of each direction; axes through a given point fix the other
    coordinates there."""
    net, dom = load(MODELS / "sweep" / "digits_64_2_10.onnx"), Domain.box(0, 1, 64)
    u, v = np.zeros(64), np.zeros(64)
    u[3], v[[10, 11]] = 2.0, 1.0
    p = app.slice_plane(net, dom, app.AnalysisOptions(slice_dirs=(u, v)))
    assert isinstance(p, app.SlicePlane) and not p.whole_domain
    assert p.origin.tolist() == [0.5] * 64 and p.u.tolist() == u.tolist()
    assert p.s_range == (-2.0, 2.0) and p.t_range == pytest.approx((-4 / math.sqrt(2),
                                                                     4 / math.sqrt(2)))
    with pytest.raises(DomainError, match="linearly independent"):
        app.slice_plane(net, dom, app.AnalysisOptions(slice_dirs=(u, 2 * u)))
    q = app.slice_plane(net, dom, app.AnalysisOptions(slice_axes=(20, 27),
                                                      slice_origin=(0.25,) * 64))
    assert q.origin[20] == q.origin[27] == 0.0 and q.origin[0] == 0.25
    assert (q.s_label, q.t_label, q.s_range) == ("x[20]", "x[27]", (0.0, 1.0))
    assert q.description == "inputs x[20] and x[27] through the given point, other inputs fixed"


def test_slice_section_follows_its_plane(moons, analysis):
    net, dom = moons
    p = app.slice_plane(net, dom, analysis.options)
    sl = analysis.slice
    assert sl.origin == tuple(p.origin) and sl.u == tuple(p.u) and sl.v == tuple(p.v)
    assert (sl.s_range, sl.t_range, sl.description) == (p.s_range, p.t_range, p.description)
    assert p.whole_domain and p.s_range == p.t_range == (0.0, 1.0)


# -- sweep ---------------------------------------------------------------------------------

def test_sweep_counts_models_of_its_shapes(tmp_path):
    """64-2-10 has 43 regions on [0,1]^64 (docs/report.md) and a weight-aware bound of 67,
    below serra2018_upper = 79 of its architecture; moons_2d is skipped with why."""
    d = tmp_path / "models"
    d.mkdir()
    shutil.copy(MODELS / "sweep" / "digits_64_2_10.onnx", d / "a.onnx")
    shutil.copy(MOONS, d / "b.onnx")
    s = app.sweep(64, 12, d)
    (m,) = s.models
    assert (m.arch, m.regions, m.complete, m.stable_upper) == ((64, 2, 10), 43, True, 67)
    assert s.rows[1].bounds["serra2018_upper"] == 79 and s.rows[1].arch == (64, 2, 10)
    assert [p.endswith("b.onnx") for p, _ in s.skipped] == [True] and "2-8-8" in s.skipped[0][1]
    assert s.domain.dim == 64 and s.domain.hi.tolist() == [1.0] * 64
    assert app.parse_sweep("64:12") == (64, 12)
