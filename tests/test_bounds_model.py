"""Bounds from a model: the architecture a network implies (widths, ranks, unit kinds, chain
or DAG), the stable-unit recursion on a domain, unrolled convolutions (independent rows), and
the CLI on models shaped like real ones and, with ../shared, on the real ones."""

import itertools
import json
from math import comb

import numpy as np
import pytest
import scipy.sparse as sp

from conftest import (conv_maxpool_model, make_model, shared_cases, shared_path,
                      two_branch_model)
from regioncount import Domain, Network
from regioncount.bounds import formulas as F
from regioncount.bounds import linalg
from regioncount.bounds.linalg import count_independent_rows, matrix_rank
from regioncount.bounds.model import bounds_for_network, network_architecture
from regioncount.network import Affine, Input, MaxGroups, Relu


def _chain(rng, arch, scale=1.0):
    layers = [(scale * rng.normal(size=(n, m)), rng.normal(size=n)) for m, n in zip(arch[:-1], arch[1:])]
    return Network.from_layers(layers, final=(rng.normal(size=(2, arch[-1])), np.zeros(2)))


def unrolled_conv(filters, H=3, W=3):
    """Rows of a stride-1, unpadded convolution of one H x W channel (C-order positions)."""
    f, kh, kw = filters.shape
    oh, ow = H - kh + 1, W - kw + 1
    M = np.zeros((f * oh * ow, H * W))
    r = 0
    for c in range(f):
        for i in range(oh):
            for j in range(ow):
                for a in range(kh):
                    M[r, (i + a) * W + j:(i + a) * W + j + kw] = filters[c, a]
                r += 1
    return M


def test_relu_chain_matches_the_architecture_bounds(rng, bound_values):
    net = _chain(rng, (3, 8, 8, 8))
    r = bounds_for_network(net)
    row = next(x for x in bound_values["table"] if x["arch"] == [3, 8, 8, 8])
    assert r.arch == (3, 8, 8, 8) and r.ranks == (3, 8, 8)
    assert r.bounds["serra2018_upper"] == row["serra2018_upper"] == 804357
    assert r.bounds["montufar2014_lower"] == row["montufar2014_lower"]
    assert r.bounds["two_pow_n"] == row["two_pow_N"]
    # ranks (3, 8, 8) are the caps Thm 1's index set already has (j_1 <= n0 = 3, j_l <= n_l = 8):
    # the rank version's sum is Thm 1's, bound_values.json's 804,357
    assert r.bounds["serra2018_rank_upper"] == row["serra2018_upper"] == 804357


def test_rank_deficient_weights_lower_the_bound(rng):
    # 10-8-8 with rank(W2) = 4, as in bound_values.json's rank example (32,886)
    W1 = rng.normal(size=(8, 10))
    W2 = rng.normal(size=(8, 4)) @ rng.normal(size=(4, 8))
    net = Network.from_layers([(W1, rng.normal(size=8)), (W2, rng.normal(size=8))])
    r = bounds_for_network(net)
    assert r.ranks == (8, 4)
    assert r.bounds["serra2018_rank_upper"] == 32886 < r.bounds["serra2018_upper"] == 39203
    # one layer of rank 1 in the plane: parallel lines, at most n1 + 1 regions
    net1 = Network.from_layers([(np.outer(rng.normal(size=5), [1.0, 2.0]), rng.normal(size=5))])
    r1 = bounds_for_network(net1)
    assert r1.bounds["zaslavsky_one_layer"] == 16 and r1.bounds["zaslavsky_one_layer_rank"] == 6
    assert r1.bounds["layer1_independent_sets"] == 6


def test_stable_units_784_11_11_example():
    """BOUNDS.md: 784-11-11 with a = (2, 1), i = (3, 2) gives 12,911 (interval bounds here)."""
    rng = np.random.default_rng(0)
    W1 = 0.001 * rng.normal(size=(11, 784))
    b1 = np.r_[[5.0, 5.0], [-5.0] * 3, [0.0] * 6]
    W2 = rng.normal(size=(11, 11))
    W2[:, :2] = 0.0          # layer 2 reads only the unstable units of layer 1
    b2 = np.r_[[50.0], [-50.0] * 2, [0.0] * 8]
    net = Network.from_layers([(W1, b1), (W2, b2)])
    r = bounds_for_network(net, domain=Domain.box(0.0, 1.0, 784))
    assert r.bounds["serra2018_stable_upper"] == 12911
    assert r.bounds["serra2018_upper"] == 2449868
    assert any("active [2, 1], inactive [3, 2]" in n for n in r.notes)


def test_tighter_neuron_bounds_are_accepted(rng):
    """Any NeuronBounds-shaped object feeds the recursion (e.g. LP-tightened bounds)."""
    from regioncount.intervals import interval_bounds, make_bounds, stable_units

    net = _chain(rng, (2, 4, 4))
    dom = Domain.box(-1.0, 1.0, 2)
    ib = interval_bounds(net, dom)
    loose = bounds_for_network(net, dom, neuron_bounds=ib).bounds["serra2018_stable_upper"]
    # pretend a tighter method proved every unit of layer 2 inactive: one factor disappears
    lo, hi = list(ib.lo), list(ib.hi)
    hi[3] = np.minimum(hi[3], -1.0)
    lo[3] = np.minimum(lo[3], hi[3])
    tight = make_bounds(net, lo, hi, "lp")
    r = bounds_for_network(net, dom, neuron_bounds=tight)
    su = stable_units(net, ib)[0]
    a, i = (int(su.active.sum()), 0), (int(su.inactive.sum()), 4)
    # interval bounds on [-1, 1]^2 (rng seed 12345): in layer 1 one unit is stably active, one
    # stably inactive, u1 = 2 unstable; layer 2 is all off (u2 = 0). Serra's sum over its index
    # set is then sum_{j1 <= min(n0, u1, rank 2) = 2} C(2, j1) * C(0, 0) = 1 + 2 + 1 = 4 (two
    # lines in the plane: at most 4 regions)
    assert (a, i) == ((1, 0), (1, 4))
    assert r.bounds["serra2018_stable_upper"] == 4 == sum(comb(2, j) for j in range(3))
    assert r.bounds["serra2018_stable_upper"] <= loose
    assert any("from lp bounds" in n for n in r.notes)


def test_leaky_relu_keeps_only_the_dimension_free_bounds(rng):
    layers = [(rng.normal(size=(6, 2)), rng.normal(size=6)), (rng.normal(size=(6, 6)), rng.normal(size=6))]
    leaky = Network.from_layers(layers, activation="leaky_relu", alpha=0.1)
    r = bounds_for_network(leaky)
    assert r.bounds["two_pow_n"] == 4096 and r.bounds["montufar2017_upper"] == 484
    for name in ("serra2018_upper", "serra2018_lower", "montufar2014_lower", "serra2018_rank_upper"):
        assert r.bounds[name] is None and "leaky" in r.reasons[name]
    # alpha = 0 is a ReLU
    r0 = bounds_for_network(Network.from_layers(layers, activation="leaky_relu", alpha=0.0))
    assert r0.bounds["serra2018_upper"] == 484 and r0.bounds["serra2018_lower"] == 352


def test_max_groups_are_maxout_units(rng):
    # 2 -> affine 12 -> max over groups of 3 (4 maxout units of rank 3) -> affine 8 -> relu
    W1, b1 = rng.normal(size=(12, 2)), rng.normal(size=12)
    W2, b2 = rng.normal(size=(8, 4)), rng.normal(size=8)
    stages = [Input(size=2),
              Affine(size=12, sources=(0,), weights=(W1,), bias=b1),
              MaxGroups(size=4, source_index=1, indptr=np.arange(0, 13, 3), indices=np.arange(12)),
              Affine(size=8, sources=(2,), weights=(W2,), bias=b2),
              Relu(size=8, source_index=3)]
    r = bounds_for_network(Network(stages))
    assert r.arch == (2, 4, 8)
    # Thm 8 with 3 hyperplanes per rank-3 unit, 1 per ReLU: Z(12, 2) * Z(8, 2)
    assert r.bounds["serra2018_maxout_upper"] == F.zaslavsky(12, 2) * F.zaslavsky(8, 2) == 79 * 37
    assert r.bounds["two_pow_n"] is None and r.bounds["pieces_product"] == 3 ** 4 * 2 ** 8
    assert r.bounds["serra2018_upper"] is None and r.bounds["montufar2017_upper"] is None
    # one maxout layer alone: the sharp count
    r1 = bounds_for_network(Network(stages[:3]))
    assert r1.bounds["maxout_one_layer_sharp"] == F.maxout_one_layer_sharp((2, 4), 3) == 1 + 8 + 24


def test_residual_network_keeps_only_what_holds(rng):
    W1, W2 = rng.normal(size=(4, 2)), rng.normal(size=(4, 4))
    skip = rng.normal(size=(4, 2))
    stages = [Input(size=2),
              Affine(size=4, sources=(0,), weights=(W1,), bias=rng.normal(size=4)),
              Relu(size=4, source_index=1),
              Affine(size=4, sources=(2, 0), weights=(W2, skip), bias=rng.normal(size=4)),
              Relu(size=4, source_index=3)]
    net = Network(stages)
    r = bounds_for_network(net)
    assert not network_architecture(net).chain
    assert r.bounds["two_pow_n"] == 256
    assert r.bounds["raghu2017_upper"] == F.zaslavsky(4, 2) ** 2 == 121
    assert "DAG" in r.reasons["raghu2017_upper"]
    for name in ("serra2018_upper", "montufar2017_upper", "serra2018_lower", "montufar2014_lower"):
        assert r.bounds[name] is None, name
        assert "residual" in r.reasons[name] or "branches" in r.reasons[name], name


def test_cnn_one_layer_exact_maximum_is_the_independent_rows():
    """3x3 input, 2x2 filters: 255 regions with 2 filters, 3,998 with 3 (not 256 / 4,013)."""
    rng = np.random.default_rng(1)
    for nf, expected in ((2, 255), (3, 3998)):
        M = unrolled_conv(rng.normal(size=(nf, 2, 2)))
        net = Network([Input(size=9),
                       Affine(size=M.shape[0], sources=(0,), weights=(sp.csr_matrix(M),),
                              bias=rng.normal(size=M.shape[0])),
                       Relu(size=M.shape[0], source_index=1)])
        r = bounds_for_network(net)
        assert r.bounds["layer1_independent_sets"] == expected
        assert r.kinds["layer1_independent_sets"] == "upper (weights)"
        # Serra's rank bound on the unrolled layer: 255 (rank 7) and 4,017 (rank 9)
        assert r.bounds["zaslavsky_one_layer_rank"] == {2: 255, 3: 4017}[nf]
        # brute force over all subsets of rows
        brute = sum(1 for k in range(M.shape[0] + 1) for S in itertools.combinations(range(M.shape[0]), k)
                    if k == 0 or matrix_rank(M[list(S)])[0] == k)
        assert brute == expected


def test_independent_rows_do_not_depend_on_the_tolerance(monkeypatch):
    rng = np.random.default_rng(2)
    M = unrolled_conv(rng.normal(size=(3, 2, 2)))
    counts = set()
    for factor in (0.1, 1.0, 10.0):
        monkeypatch.setattr(linalg, "RANK_RTOL", 1e-10 * factor)
        counts.add((count_independent_rows(M), matrix_rank(M)[0]))
    assert counts == {(3998, 9)}


def test_independent_rows_limit_and_structural_rank(monkeypatch):
    rng = np.random.default_rng(3)
    M = rng.normal(size=(30, 20))
    assert count_independent_rows(M, limit=1000) is None
    monkeypatch.setattr(linalg, "DENSE_RANK_FLOPS", 0)
    A = sp.random(50, 40, density=0.05, random_state=4, format="csr")
    r, method = matrix_rank(A)
    assert method == "structural" and r >= np.linalg.matrix_rank(A.toarray())


def test_structural_rank_fallback_is_reported(monkeypatch, rng):
    import regioncount.bounds.model as model

    monkeypatch.setattr(model, "matrix_rank", lambda W: (min(W.shape), "structural"))
    r = bounds_for_network(_chain(rng, (3, 5, 5)))
    assert any("structural rank" in n for n in r.notes)


# -- models shaped like real ones (written here) -----------------------------------------------

def _save(model, tmp_path, name):
    import onnx

    path = tmp_path / name
    onnx.save(model, str(path))
    return path


def _mnist2x10_like(seed=0):
    """A 784-10-10-10 MLP laid out like marabou's mnist2x10: input [batch_size, 1, 28, 28] ->
    Reshape [-1, 784] -> Gemm -> Relu -> Gemm -> Relu -> Gemm (seeded weights)."""
    from onnx import helper

    rng = np.random.default_rng(seed)
    inits = {"shape": np.array([-1, 784], np.int64)}
    nodes = [helper.make_node("Reshape", ["input", "shape"], ["h0"])]
    for k, (m, n) in enumerate([(784, 10), (10, 10), (10, 10)], start=1):
        inits |= {f"W{k}": rng.normal(size=(n, m)).astype(np.float32),
                  f"b{k}": rng.normal(size=n).astype(np.float32)}
        out = "output" if k == 3 else f"g{k}"
        nodes.append(helper.make_node("Gemm", [f"h{k - 1}", f"W{k}", f"b{k}"], [out], transB=1))
        if k < 3:
            nodes.append(helper.make_node("Relu", [out], [f"h{k}"]))
    return make_model(nodes, [("input", ["batch_size", 1, 28, 28])], inits, outputs=("output",),
                      opset=11)


def test_mnist2x10_shaped_mlp(tmp_path, request):
    _mnist2x10_model(_save(_mnist2x10_like(), tmp_path, "mnist2x10.onnx"), request.getfixturevalue)


def test_conv_maxpool_model_is_unrolled(tmp_path, request):
    _conv_maxpool_model_is_unrolled(_save(conv_maxpool_model(), tmp_path, "conv_mp.onnx"),
                                    request.getfixturevalue)


def test_branching_model(tmp_path, request):
    import regioncount

    path = _save(two_branch_model(), tmp_path, "two_branches.onnx")
    assert regioncount.load(path).pwl_units == 36
    _branching_model(path, request.getfixturevalue)


# -- facts of single real models ---------------------------------------------------------------
# Each check takes a model's path and ``fixture`` (pytest's request.getfixturevalue) and makes
# the assertions of the test of the same name; the three tests above make them on generated
# models in every clone, test_real_model_facts on the real models they were written for.

def _mnist2x10_model(path, fixture):
    cli_run = fixture("cli_run")
    code, out, err = cli_run("bounds", path, "--json")
    assert code == 0, err
    d = json.loads(out)
    assert d["arch"] == [784, 10, 10]
    # Thm 1 with n0 = 784 >= every width: J = {j1 <= 10, j2 <= 10 - j1}, so the bound is
    # sum_{j1} C(10, j1) sum_{j2 <= 10 - j1} C(10, j2) = 616,666
    assert d["bounds"]["serra2018_upper"] == 616666 == sum(
        comb(10, j1) * comb(10, j2) for j1 in range(11) for j2 in range(11 - j1))
    assert d["bounds"]["two_pow_n"] == 2 ** 20
    assert d["ranks"] == [10, 10] and d["domain"] == "[0, 1]^784"
    assert [(l["kind"], l["units"], l["rank"], l["rank_method"]) for l in d["layers"]] == [
        ("relu", 10, 10, "svd"), ("relu", 10, 10, "svd")]
    code, out, _ = cli_run("bounds", path)
    assert code == 0 and "serra2018_stable_upper" in out


def _conv_maxpool_model_is_unrolled(path, fixture):
    import regioncount

    net = regioncount.load(path)
    A = network_architecture(net)
    assert A.chain and A.kinds == ("relu", "max", "relu")
    assert A.arch == (192, 512, 128, 32)
    r = bounds_for_network(net)
    assert r.ranks[0] <= 192
    # Thm 8 on the model's own layers: hyperplanes 512 (ReLU), 128 groups of 4 give
    # 128 * C(4, 2) = 768, 32 (ReLU); d_l = min(192, 512) = 192, min(192, 128) = 128,
    # min(128, 32) = 32: Z(512, 192) * Z(768, 128) * Z(32, 32), Z(h, d) = sum_{j<=d} C(h, j)
    assert r.bounds["serra2018_maxout_upper"] == (sum(comb(512, j) for j in range(193))
                                                  * sum(comb(768, j) for j in range(129))
                                                  * 2 ** 32)
    assert r.bounds["serra2018_upper"] is None


def _branching_model(path, fixture):
    import regioncount

    net = regioncount.load(path)
    r = bounds_for_network(net)
    assert r.bounds["serra2018_upper"] is None and r.bounds["two_pow_n"] == 2 ** net.pwl_units


def _bounds_with_lp_tightened_stable_units(path, fixture):
    """(test_cli.py) The stable-unit bound fed by LP tightening is tighter than with interval
    bounds, and still above the exact count (cartpole 4-64-64 on [0.4, 0.6]^4)."""
    from test_cli import check_lp_bound_is_tighter

    check_lp_bound_is_tighter(fixture("cli_run"), path, "0.4,0.6")


def _report_json(cli_run, path, *args):
    code, _, err = cli_run("report", *args, "-q", "--format", "json", "-o", path)
    assert code == 0, err
    return json.loads(path.read_text())


def _stable_units_lp_vs_interval(path, fixture):
    """(test_report.py) ACAS Xu N_1,1 on [0,1]^5: LP tightening proves more units stable than
    intervals and lowers the weight-aware bound; every unit the report calls stable holds its
    piece on 4000 random points of the domain; the per-method counts add up."""
    import regioncount

    cli_run, tmp_path = fixture("cli_run"), fixture("tmp_path")
    common = (path, "--no-count", "--no-slice")
    iv = _report_json(cli_run, tmp_path / "iv.json", *common, "--tighten", "interval")
    lp = _report_json(cli_run, tmp_path / "lp.json", *common, "--tighten", "lp")
    from test_report import check_tightened_report

    x = np.random.default_rng(0).random((4000, 5))
    check_tightened_report(iv, lp, regioncount.load(path).pattern(x), 6)


REAL_MODEL_FACTS = {
    "mnist2x10_model": ("marabou/mnist2x10.onnx", _mnist2x10_model),
    "conv_maxpool_model_is_unrolled": ("marabou/conv_mp1.onnx", _conv_maxpool_model_is_unrolled),
    "branching_model": ("marabou/oneInput_twoBranches.onnx", _branching_model),
    "bounds_with_lp_tightened_stable_units": ("vnncomp2022/cartpole.onnx",
                                              _bounds_with_lp_tightened_stable_units),
    "stable_units_lp_vs_interval": ("vnncomp2021/ACASXU_run2a_1_1_batch_2000.onnx",
                                    _stable_units_lp_vs_interval),
}


@pytest.mark.parametrize("rel,fact", shared_cases(
    [(rel, fact) for fact, (rel, _) in REAL_MODEL_FACTS.items()]))
def test_real_model_facts(rel, fact, request):
    """One case per fact of REAL_MODEL_FACTS (one skip in all without the shared models)."""
    REAL_MODEL_FACTS[fact][1](shared_path("models", rel), request.getfixturevalue)


def test_clip_units_are_two_parallel_hyperplanes(rng):
    from regioncount.network import Clip

    W1, W2 = rng.normal(size=(3, 2)), rng.normal(size=(2, 3))
    stages = [Input(size=2),
              Affine(size=3, sources=(0,), weights=(W1,), bias=rng.normal(size=3)),
              Clip(size=3, source_index=1, lo=np.zeros(3), hi=np.array([1.0, 1.0, np.inf])),
              Affine(size=2, sources=(2,), weights=(W2,), bias=rng.normal(size=2)),
              Relu(size=2, source_index=3)]
    r = bounds_for_network(Network(stages))
    # 5 finite clip sides in layer 1, 2 ReLUs in layer 2; d = min(2, 3, 2)
    assert r.bounds["montufar2017_upper"] == F.zaslavsky(5, 2) * F.zaslavsky(2, 2) == 16 * 4
    assert r.bounds["pieces_product"] == 3 * 3 * 2 * 4
    assert r.bounds["two_pow_n"] is None and r.bounds["serra2018_upper"] is None


@pytest.mark.parametrize("name", ["formulas", "registry", "linalg", "model", "construct"])
def test_docstring_examples(name):
    import doctest
    import importlib

    mod = importlib.import_module(f"regioncount.bounds.{name}")
    res = doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert res.failed == 0 and res.attempted > 0


def test_upper_bounds_hold_on_the_exact_counts(exact_counts):
    """Every upper bound (including the weight and domain ones) is at least the exact count,
    and the constructions' counts reach the lower bounds they claim."""
    from conftest import network_from_entry

    tighter = 0
    for e in exact_counts:
        net, dom = network_from_entry(e)
        r = bounds_for_network(net, domain=dom)
        for name, v in r.bounds.items():
            if v is not None and r.kinds[name].startswith("upper"):
                assert v >= e["regions"], (e["name"], name, v)
        if r.bounds["serra2018_stable_upper"] < r.bounds["serra2018_upper"]:
            tighter += 1
        if e["name"].startswith("max-construction"):
            lows = [v for k, v in r.bounds.items() if r.kinds[k] in ("lower", "exact") and v is not None]
            assert e["regions"] == max(lows), e["name"]
    assert tighter >= 3       # stable units make the bound smaller on several networks


def test_cnn_one_layer_count_agrees_with_exact_enumeration():
    """The LP region tree on a box that holds every vertex of the arrangement (biases of 1e-3,
    box [-100, 100]^9) finds exactly the independent-rows count: 255 and 3,998."""
    import regioncount.enumeration as enumeration
    rng = np.random.default_rng(1)
    for nf in (2, 3):
        M = unrolled_conv(rng.normal(size=(nf, 2, 2)))
        b = 1e-3 * rng.normal(size=M.shape[0])
        net = Network([Input(size=9),
                       Affine(size=M.shape[0], sources=(0,), weights=(sp.csr_matrix(M),), bias=b),
                       Relu(size=M.shape[0], source_index=1)])
        res = enumeration.count_tree(net, Domain.box(-100.0, 100.0, 9))
        assert res.complete
        assert res.regions == bounds_for_network(net).bounds["layer1_independent_sets"] == {2: 255, 3: 3998}[nf]


def test_leaky_onnx_model_through_the_cli(cli_run, tmp_path, rng):
    import onnx

    from regioncount.io.export import mlp_to_onnx

    layers = [(rng.normal(size=(6, 2)), rng.normal(size=6)), (rng.normal(size=(6, 6)), rng.normal(size=6))]
    path = tmp_path / "leaky.onnx"
    onnx.save(mlp_to_onnx(layers, final=(rng.normal(size=(1, 6)), np.zeros(1)),
                          activation="leaky_relu", alpha=0.1), path)
    code, out, err = cli_run("bounds", path, "--json", "--maxout-rank", "3")
    assert code == 0, err
    d = json.loads(out)
    assert [l["kind"] for l in d["layers"]] == ["leaky_relu", "leaky_relu"]
    assert d["bounds"]["montufar2017_upper"] == 484 and d["bounds"]["serra2018_upper"] is None
    assert d["bounds"]["serra2018_maxout_upper"] == 29584     # bound_values.json, 2-6-6, k = 3


# -- applicability is decided before computing ----------------------------------------------

def _forbid(monkeypatch, names):
    """Make the formulas ``names`` fail the test if they are called."""
    def called(name):
        def f(*a, **k):
            raise AssertionError(f"{name} was computed for a network it does not apply to")
        return f
    for name in names:
        monkeypatch.setattr(F, name, called(name))


SERRA_AND_LOWER = ("serra2018_upper", "hinz_histogram_upper", "serra2018_rank_upper",
                   "serra2018_stable_upper", "exact_max_n0_1", "montufar2014_lower",
                   "serra2018_lower", "arora2018_lower", "serra2018_thm7_lower")


def test_formulas_that_do_not_apply_are_never_called(monkeypatch, rng):
    from regioncount.bounds.model import bound_input
    from regioncount.bounds.registry import BOUNDS

    layers = [(rng.normal(size=(6, 2)), rng.normal(size=6)), (rng.normal(size=(6, 6)), rng.normal(size=6))]
    relu = Network.from_layers(layers)
    leaky = Network.from_layers(layers, activation="leaky_relu", alpha=0.1)
    dom = Domain.box(0.0, 1.0, 2)
    _forbid(monkeypatch, SERRA_AND_LOWER)
    r = bounds_for_network(leaky, domain=dom)
    inp = bound_input(network_architecture(leaky))
    for name in ("serra2018_upper", "hinz2019_histogram_upper", "serra2018_rank_upper",
                 "exact_max_n0_1"):
        assert r.bounds[name] is None
        assert r.reasons[name] == BOUNDS[name].why_not(inp) == (
            "ReLU only (inactive unit = 0); this is a leaky ReLU network")
    for name in ("montufar2014_lower", "serra2018_lower", "arora2018_lower", "serra2018_thm7_lower"):
        assert r.bounds[name] is None
        assert r.reasons[name] == "constructions are ReLU networks; this is a leaky ReLU network"
    assert "serra2018_stable_upper" not in r.bounds
    assert "stable-unit recursion: ReLU chains only" in r.notes
    assert r.bounds["montufar2017_upper"] == 484       # what applies is still computed
    # the same patched formulas are called for a ReLU chain (the check above can fail)
    with pytest.raises(AssertionError, match="was computed"):
        bounds_for_network(relu)


def test_no_neuron_bounds_for_a_network_without_the_stable_recursion(monkeypatch, rng):
    import regioncount.bounds.model as model

    def stable_counts(*a, **k):
        raise AssertionError("stable units computed")
    monkeypatch.setattr(model, "_stable_counts", stable_counts)
    layers = [(rng.normal(size=(4, 2)), rng.normal(size=4)), (rng.normal(size=(4, 4)), rng.normal(size=4))]
    r = bounds_for_network(Network.from_layers(layers, activation="leaky_relu", alpha=0.2),
                           domain=Domain.box(0.0, 1.0, 2))
    assert "serra2018_stable_upper" not in r.bounds and r.bounds["two_pow_n"] == 256
    with pytest.raises(AssertionError, match="stable units computed"):
        bounds_for_network(Network.from_layers(layers), domain=Domain.box(0.0, 1.0, 2))


def test_residual_and_max_networks_skip_the_formulas_they_break(monkeypatch, rng):
    W1, W2, skip = rng.normal(size=(4, 2)), rng.normal(size=(4, 4)), rng.normal(size=(4, 2))
    residual = Network([Input(size=2),
                        Affine(size=4, sources=(0,), weights=(W1,), bias=rng.normal(size=4)),
                        Relu(size=4, source_index=1),
                        Affine(size=4, sources=(2, 0), weights=(W2, skip), bias=rng.normal(size=4)),
                        Relu(size=4, source_index=3)])
    maxout = Network([Input(size=2),
                      Affine(size=12, sources=(0,), weights=(rng.normal(size=(12, 2)),),
                             bias=rng.normal(size=12)),
                      MaxGroups(size=4, source_index=1, indptr=np.arange(0, 13, 3),
                                indices=np.arange(12))])
    _forbid(monkeypatch, SERRA_AND_LOWER + ("montufar2017_upper", "zaslavsky_one_layer",
                                            "serra2018_maxout_upper"))
    r = bounds_for_network(residual, maxout_rank=3)
    why = "not for residual / branching networks (skips bypass the layer widths)"
    for name in ("montufar2017_upper", "zaslavsky_one_layer", "serra2018_upper",
                 "serra2018_maxout_upper", "maxout_one_layer_sharp"):
        assert r.bounds[name] is None and r.reasons[name] == why, name
    assert r.reasons["serra2018_lower"] == "constructions are plain ReLU chains, this network branches"
    assert r.bounds["raghu2017_upper"] == 121 and r.bounds["pieces_product"] == 256
    # one layer of 4 rank-3 maxout units: 2^N and Montufar 2017 are not evaluated
    _forbid(monkeypatch, ("two_pow_n",))
    m = bounds_for_network(maxout)
    assert m.bounds["two_pow_n"] is None and m.reasons["two_pow_n"].startswith("units with more")
    assert m.reasons["montufar2017_upper"] == "network has max units: see serra2018_maxout_upper"
    assert m.bounds["maxout_one_layer_sharp"] == 33 and m.bounds["pieces_product"] == 81
    # Thm 8 on the network's groups goes through the hyperplane product, not the rank-K formula
    assert m.bounds["serra2018_maxout_upper"] == F.zaslavsky(12, 2) == 79
