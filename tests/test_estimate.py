"""Lower bounds, estimates and brackets past exact counting (regioncount.estimate, issue 15).

Every figure is checked against exact counts: exact_counts.json (three independent programs)
and the demo models counted here."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from conftest import network_from_entry, shared_cases
from regioncount import Domain, Network
from regioncount.errors import RegioncountError
from regioncount.estimate import (Bracket, _binary_matrix, _problem, bracket,
                                  hyperplane_lower_bound, mipbound, mipbound_slack,
                                  sample_lower_bound, slice_estimate)

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "models"


def _three_lines():
    return Network.from_layers([(np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]),
                                 np.array([0.0, 0.0, -0.5]))])


def test_slack_matches_the_union_bound():
    a = mipbound_slack(3, 0.95)
    assert 2.0 ** (-a * 3) / (1 - 2.0 ** -3) == pytest.approx(0.05)
    assert mipbound_slack(10, 0.95) < a          # more trials, less slack
    for bad in (0.0, 1.0, 1.5):
        with pytest.raises(RegioncountError):
            mipbound_slack(3, bad)
    with pytest.raises(RegioncountError):
        mipbound_slack(0, 0.9)


def test_binaries_of_sampled_patterns_match_the_encoding(exact_counts):
    net, dom = network_from_entry(next(e for e in exact_counts if e["arch"] == [3, 8, 8, 8]))
    enc, _ = _problem(net, dom, "interval", "highs", None)
    X = np.random.default_rng(0).random((25, net.input_size))
    B = _binary_matrix(enc, enc.net.pattern(X))
    S = np.array([np.round(enc.start(x)[enc.binary_cols]) for x in X])
    assert B.shape == (25, enc.binary_cols.size) and np.array_equal(B, S)


def test_every_exact_count_lies_in_its_bracket(exact_counts):
    for e in exact_counts:
        net, dom = network_from_entry(e)
        b = bracket(net, dom, method="all", time_limit=10, samples=1000, lines=8, planes=2,
                    tighten="interval", seed=3)
        exact = e["regions"]
        assert b.sure_lower_bound <= b.lower_bound <= exact <= b.upper_bound, e["name"]
        assert b.lower_bound <= b.estimate <= b.upper_bound, e["name"]
        if net.input_size <= 2:          # the slice is the whole domain: exact
            assert b.sure_lower_bound == b.estimate == exact, e["name"]
        assert len(b.how) == 4 and isinstance(b, Bracket)


@pytest.mark.parametrize("solver,nets", [("highs", slice(0, 6)), ("ortools", slice(1, 3))])
def test_mipbound_lower_bound_at_most_exact(exact_counts, solver, nets):
    """No sampled witnesses (samples=0): every feasible trial is the MILP's, re-checked."""
    for e in exact_counts[nets]:
        net, dom = network_from_entry(e)
        m = mipbound(net, dom, trials=3, confidence=0.95, solver=solver, seed=7, samples=0,
                     time_limit=20, bounds="interval")
        assert 1 <= m.lower_bound <= e["regions"], e["name"]
        assert m.sure_lower_bound <= e["regions"], e["name"]
        assert m.confidence == 0.95
        assert all(ok <= t for _, ok, t in m.tried)
        if m.parities:
            assert m.lower_bound == int(np.ceil(2.0 ** (m.parities - m.slack)))


def test_mipbound_passes_on_many_regions(exact_counts):
    """On 352 regions the MILP passes several parities: a bound above 1."""
    e = next(x for x in exact_counts if x["name"] == "max-construction-2-6-6")
    net, dom = network_from_entry(e)
    m = mipbound(net, dom, trials=3, seed=2, samples=0, time_limit=30)
    assert m.parities >= 4 and 2 <= m.lower_bound <= 352
    assert 1 <= m.sure_lower_bound <= 352


def test_sampling_is_a_sure_lower_bound(exact_counts):
    for e in exact_counts:
        net, dom = network_from_entry(e)
        s = sample_lower_bound(net, dom, samples=3000, seed=1)
        assert 1 <= s.lower_bound <= e["regions"], e["name"]
        counts = [c for _, c in s.curve]
        assert counts == sorted(counts) and s.curve[-1] == (3000, s.lower_bound)
        assert [n for n, _ in s.curve[:4]] == [1, 2, 4, 8]


def test_sampling_and_slices_on_a_small_net():
    net, dom = _three_lines(), Domain.box(-1, 1, 2)
    assert sample_lower_bound(net, dom, samples=5000).lower_bound == 7
    e = slice_estimate(net, dom)
    assert e.exact and e.estimate == 7.0


def test_slices_estimate_in_three_dimensions():
    """Three coordinate ReLUs on [-1,1]^3: a grid, where R1 (R2/R1)^(n-1) is exact (8)."""
    net = Network.from_layers([(np.eye(3), np.zeros(3))])
    e = slice_estimate(net, Domain.box(-1, 1, 3), lines=40, planes=10, seed=0)
    assert not e.exact and e.low <= e.log10 <= e.high
    assert 1.0 < e.mean_1d <= 4.0 and e.mean_2d <= 7.0
    assert 2.0 <= e.estimate <= 100.0


def test_a_partial_count_feeds_the_sure_lower_bound(exact_counts):
    from regioncount.enumeration.results import CountResult

    e = next(x for x in exact_counts if x["name"] == "random-3-8-8-8-seed5-box1")
    net, dom = network_from_entry(e)
    stopped = CountResult(regions=300, complete=False, method="tree", seconds=1.0, lps=0,
                          per_class={},
                          stop_reason="time limit")
    b = bracket(net, dom, method="sampling", samples=200, partial=stopped, tighten="interval")
    assert b.sure_lower_bound == b.lower_bound == 300 and b.confidence == 1.0
    assert "partial exact count" in b.how[0] and b.upper_bound >= 338
    done = CountResult(regions=338, complete=True, method="tree", seconds=1.0, lps=0,
                       per_class={})
    b = bracket(net, dom, method="sampling", partial=done, tighten="interval")
    assert (b.lower_bound, b.estimate, b.upper_bound) == (338, 338, 338)
    assert b.how == ("exact count (tree): 338 regions",) * 4


def test_demo_models_inside_their_brackets():
    import regioncount
    from regioncount import app

    for name, box in (("moons_2d.onnx", "-3,3"), ("maxout_2d.onnx", None)):
        net = regioncount.load(MODELS / name)
        dom = app.domain_for(net.input_size, box)
        exact = app.count(net, dom, "tree").regions
        b = bracket(net, dom, method="sampling", samples=2000, tighten="interval")
        assert b.lower_bound <= exact <= b.upper_bound, name
        b = bracket(net, dom, method="slices", tighten="interval")
        assert b.lower_bound == b.estimate == exact <= b.upper_bound, name


def test_first_layer_hyperplanes_are_a_sure_lower_bound(exact_counts):
    for e in exact_counts:
        net, dom = network_from_entry(e)
        k, how = hyperplane_lower_bound(net, dom)
        assert 2 <= k <= e["regions"] and "sure" in how, e["name"]
    # a duplicated row and its negative are one hyperplane; a row missing the box is none
    W = np.array([[1.0, 1.0], [-2.0, -2.0], [1.0, -1.0], [1.0, 0.0]])
    net = Network.from_layers([(W, np.array([0.0, 0.0, 0.0, 3.0]))])
    assert hyperplane_lower_bound(net, Domain.box(-1, 1, 2))[0] == 3
    poly = Domain(np.full(2, -1.0), np.ones(2), np.array([[1.0, 1.0]]), np.array([0.5]))
    assert hyperplane_lower_bound(net, poly)[0] == 1          # not a box: no claim


def test_report_shows_the_bracket_of_an_unfinished_count(exact_counts):
    from regioncount import app
    from regioncount.reports.build import build_report
    from regioncount.reports.render import render_html, render_markdown

    e = next(x for x in exact_counts if x["name"] == "random-3-8-8-8-seed5-box1")
    net, dom = network_from_entry(e)
    a = app.analyse(net, dom, method="tree", time_limit=None, slice=False, tighten="interval")
    assert a.count.complete and a.count.bracket is None
    # a microsecond: the MILP count (338 regions, one solve each) stops on any machine
    rep = build_report(net, dom, app.AnalysisOptions(method="milp", time_limit=1e-6,
                                                      slice=False, tighten="interval"))
    c = rep.count
    assert not c.complete
    b = c.bracket
    assert b.sure_lower_bound >= c.regions and b.lower_bound <= 338 <= b.upper_bound
    assert "bracket" in rep.to_json()["count"]
    assert "The bracket of the count" in render_markdown(rep)
    assert "how it was obtained" in render_html(rep)


def test_bad_method():
    with pytest.raises(RegioncountError):
        bracket(_three_lines(), Domain.box(-1, 1, 2), method="guess")


def test_cli_json_and_exit_codes(cli_run):
    model = MODELS / "moons_2d.onnx"
    code, out, err = cli_run("estimate", model, "--box", "-3,3", "--method", "all",
                             "--time-limit", "20", "--json")
    assert code == 0, err
    d = json.loads(out)
    assert {"lower_bound", "confidence", "estimate", "upper_bound", "method", "seconds",
            "how"} <= set(d)
    assert d["lower_bound"] == d["estimate"] == 61 and d["confidence"] == 1.0
    code, out, err = cli_run("estimate", model, "--box", "-3,3", "--method", "sample",
                             "--samples", "500")
    assert code == 0 and "lower bound" in out and "upper bound" in out
    code, out, err = cli_run("estimate", model, "--method", "mipbound", "--time-limit", "5",
                             "--tighten", "interval", "--json")
    assert code == 0 and 1 <= json.loads(out)["lower_bound"] <= json.loads(out)["upper_bound"]
    for bad in (("--confidence", "1.5"), ("--trials", "0"), ("--method", "guess"),
                ("--box", "1,0"), ("--solver", "cplex")):
        code, out, err = cli_run("estimate", model, *bad)
        assert code == 2, bad
    code, out, err = cli_run("estimate", "no/such/model.onnx")
    assert code == 2 and len(err.strip().splitlines()) == 1


# -- issue 15, "Done means": every exact count we can get lies in the bracket -----------------

#: The project's own models (models/) with a domain where their exact count is fast: the data
#: box for the small ones, a box around the first test digit (``("digit", r)``: every pixel
#: within r, clipped to [0, 1]) for the larger ones.
PROJECT_CASES = [
    ("moons_2d.onnx", "0,1"), ("maxout_2d.onnx", "0,1"),
    ("sweep/digits_64_2_10.onnx", "0,1"), ("sweep/digits_64_6_6.onnx", "0,1"),
    ("digits_mlp.onnx", ("digit", 0.02)), ("digits_conv.onnx", ("digit", 0.002)),
    ("dcf/digits_dcf_k14.onnx", ("digit", 0.002)), ("dcf/digits_cnn5.onnx", ("digit", 0.002)),
    ("groups/digits_p4.onnx", ("digit", 0.0005)),
]
#: Slower ones (marked slow).
PROJECT_SLOW = [
    ("sweep/digits_64_4_8.onnx", "0,1"), ("sweep/digits_64_8_4.onnx", "0,1"),
    ("sweep/digits_64_10_2.onnx", "0,1"), ("dcf/digits_dcf_k6.onnx", ("digit", 0.003)),
    ("groups/digits_p4.onnx", ("digit", 0.001)),
]
#: Shared models (../shared/models) that count exactly in well under a minute on these boxes.
SHARED_CASES = [
    ("vnncomp2021/test_small.onnx", "-2,2"), ("marabou/fc_2-2-3.onnx", "-3,3"),
    ("marabou/fc1.onnx", "-3,3"), ("vnncomp2022/cartpole.onnx", "-0.1,0.1"),
    ("vnncomp2021/ACASXU_run2a_1_1_batch_2000.onnx", "-0.02,0.02"),
]
SHARED_SLOW = [
    ("vnncomp2022/vdp.onnx", "-0.1,0.1"), ("vnncomp2022/lunarlander.onnx", "-0.05,0.05"),
    ("vnncomp2022/tllBench_n2_NM8_m1_instance_0_0.onnx", "-2,2"),
]


def _case_domain(net, spec):
    from regioncount import app

    if isinstance(spec, tuple):
        pytest.importorskip("sklearn")
        from regioncount.dcf_sweep import digit_domain

        return digit_domain(0, spec[1])
    return app.domain_for(net.input_size, spec)


def _check_bracket(net, dom, name):
    """The exact count (tree or vertex) lies in every figure of the bracket of
    ``regioncount estimate --method all`` without the exact count (MIPBound included)."""
    from regioncount import app

    res = app.count(net, dom, "auto", time_limit=120, per_class="point")
    assert res.complete, name
    exact = res.regions
    b = bracket(net, dom, method="all", time_limit=4, samples=1000, lines=8, planes=2,
                tighten="lp", seed=5)
    assert b.sure_lower_bound <= b.lower_bound <= exact <= b.upper_bound, (name, exact)
    assert b.estimate is not None and b.lower_bound <= b.estimate <= b.upper_bound, name
    m = b.parts["mipbound"]
    assert m.lower_bound <= exact and m.sure_lower_bound <= exact, name
    assert b.parts["sampling"].lower_bound <= exact, name
    return exact, b


@pytest.mark.parametrize("rel,spec", PROJECT_CASES)
def test_project_models_inside_their_brackets(rel, spec):
    import regioncount

    net = regioncount.load(MODELS / rel)
    _check_bracket(net, _case_domain(net, spec), rel)


@pytest.mark.slow
@pytest.mark.parametrize("rel,spec", PROJECT_SLOW)
def test_project_models_inside_their_brackets_slow(rel, spec):
    import regioncount

    net = regioncount.load(MODELS / rel)
    _check_bracket(net, _case_domain(net, spec), rel)


@pytest.mark.parametrize("rel,spec", shared_cases(SHARED_CASES))
def test_shared_models_inside_their_brackets(rel, spec):
    import regioncount
    from conftest import shared_path

    net = regioncount.load(shared_path("models", rel))
    _check_bracket(net, _case_domain(net, spec), rel)


@pytest.mark.slow
@pytest.mark.parametrize("rel,spec", shared_cases(SHARED_SLOW))
def test_shared_models_inside_their_brackets_slow(rel, spec):
    import regioncount
    from conftest import shared_path

    net = regioncount.load(shared_path("models", rel))
    _check_bracket(net, _case_domain(net, spec), rel)


@pytest.mark.slow
def test_mnist2x10_inside_its_bracket():
    """108,762 regions over [0,1]^784 (docs/count.md): about a minute on two workers."""
    import regioncount
    from conftest import shared_path

    net = regioncount.load(shared_path("models", "marabou", "mnist2x10.onnx"))
    dom = Domain.box(0, 1, net.input_size)
    b = bracket(net, dom, method="all", time_limit=20, samples=5000, tighten="lp", seed=5)
    assert b.sure_lower_bound <= b.lower_bound <= 108_762 <= b.upper_bound


def test_segment_witnesses_are_regions(exact_counts):
    """Every pattern MIPBound pools from its segments is a region of the exact count (the
    tree's pattern set), and the pool only adds to the sure bound."""
    from regioncount import app
    from regioncount.estimate import _pool

    for name in ("random-3-8-8-8-seed5-box1", "max-construction-2-6-6"):
        e = next(x for x in exact_counts if x["name"] == name)
        net, dom = network_from_entry(e)
        enc, udom = _problem(net, dom, "interval", "highs", None)
        X, B = _pool(enc, udom, np.random.default_rng(1), 100, 30)
        assert len(X) == len({r.tobytes() for r in B}) == len(B)      # one point per pattern
        P = np.hstack([np.asarray(p).reshape(len(X), -1) for p in enc.net.pattern(X)])
        exact = app.count(net, dom, "tree", keep_patterns=True, per_class="point").pattern_set()
        assert {r.astype(np.int32).tobytes() for r in P} <= exact, name
        only = _pool(enc, udom, np.random.default_rng(1), 100, 0)[0]
        assert len(X) > len(only), name
        m = mipbound(net, dom, trials=5, seed=1, segments=30, time_limit=6, bounds="interval",
                     samples=100, trial_time=1.0)
        # (the pool inside mipbound depends on its time limit, so it may hold fewer patterns
        # than the unlimited pool above on a loaded machine: only the true count bounds it)
        assert m.lower_bound <= e["regions"] and 1 <= m.sure_lower_bound <= e["regions"]
        assert "segments" in m.how


def test_sampling_counts_a_unit_zero_by_cancellation_once():
    """relu(x) three times, then 0.1 h1 + 0.2 h2 - 0.3 h3: identically zero for x > 0, but
    +-1e-17 in floating point. The exact counts see 2 regions (docs/regions.md: a constant
    input is on the piece its value gives); raw patterns at sampled points show 3."""
    net = Network.from_layers([(np.ones((3, 1)), np.zeros(3)),
                               (np.array([[0.1, 0.2, -0.3]]), np.zeros(1))])
    dom = Domain.box(-1, 1, 1)
    X = np.random.default_rng(0).random((2000, 1)) * 2 - 1
    raw = np.hstack([np.asarray(p).reshape(len(X), -1) for p in net.pattern(X)])
    assert len({r.tobytes() for r in raw}) == 3
    assert sample_lower_bound(net, dom, samples=2000).lower_bound == 2
    assert mipbound(net, dom, samples=2000, time_limit=10).sure_lower_bound <= 2


def test_sampled_patterns_of_a_tll_network_are_regions():
    """TLLVerifyBench (VNN-COMP 2022) on [-2,2]^2: 433 regions (tree, slice and vertex agree);
    most sampled points have units zero up to rounding, whose raw patterns are no regions."""
    import regioncount
    from conftest import shared_path
    from regioncount import app
    from regioncount.estimate import _patterns

    net = regioncount.load(shared_path("models", "vnncomp2022",
                                       "tllBench_n2_NM8_m1_instance_0_0.onnx"))
    dom = Domain.box(-2, 2, 2)
    exact = app.count(net, dom, "vertex", keep_patterns=True, per_class="point")
    assert exact.regions == 433
    X = dom.lo + np.random.default_rng(0).random((5000, 2)) * 4
    P = np.hstack([np.asarray(p).reshape(len(X), -1) for p in _patterns(net, X)])
    assert {r.astype(np.int32).tobytes() for r in P} <= exact.pattern_set()
    assert 300 <= sample_lower_bound(net, dom, samples=20000).lower_bound <= 433
