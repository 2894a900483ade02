"""DCF layers (regioncount.builders.dcf; Qiu, Cheng, Calderbank & Sapiro, ICML 2018): the
Fourier-Bessel bases, the two export forms against onnxruntime and the lowering, parameter
counts, norms and bounds, and the CLI."""

import json
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest

from regioncount import Domain, RegioncountError
from regioncount.builders.dcf import (FORMS, DCFConv, build_dcf_net, circular_norm,
                                      coefficient_bound, dcf_norms, fb_basis, fb_frequencies,
                                      fit_coefficients, network_lipschitz_bound, padded_norm,
                                      random_basis, schur_bound)
from regioncount.enumeration import count_tree

MODELS = Path(__file__).resolve().parents[1] / "models" / "dcf"
TRAINED = sorted(MODELS.glob("*.onnx"))


# ---------------------------------------------------------------------------------------------
# bases

def test_basis_counts_and_rank():
    assert [fb_basis(L).shape for L in (3, 5, 7)] == [(6, 3, 3), (14, 5, 5), (38, 7, 7)]
    ranks = [np.linalg.matrix_rank(fb_basis(L).reshape(-1, L * L)) for L in (3, 5, 7)]
    assert ranks == [6, 14, 35]


def test_basis_order_lowest_frequencies_first():
    got = [(k, q, part) for k, q, _, part in fb_frequencies(5)]
    assert got == [(0, 1, "radial"), (1, 1, "cos"), (1, 1, "sin"), (2, 1, "cos"), (2, 1, "sin"),
                   (0, 2, "radial"), (3, 1, "cos"), (3, 1, "sin"), (1, 2, "cos"), (1, 2, "sin"),
                   (4, 1, "cos"), (4, 1, "sin"), (2, 2, "cos"), (2, 2, "sin")]
    for L in (3, 5, 7):
        z = [f[2] for f in fb_frequencies(L)]
        assert z == sorted(z)
    # R_kq are the Bessel zeros: J_0 2.4048, J_1 3.8317, J_2 5.1356, J_0 (2nd) 5.5201
    assert np.allclose([f[2] for f in fb_frequencies(3)],
                       [2.404826, 3.831706, 3.831706, 5.135622, 5.135622, 5.520078], atol=1e-6)


def test_normalisation_and_truncation():
    for L in (3, 5, 7):
        psi = fb_basis(L)
        assert np.isclose(np.mean(np.sum(psi ** 2, axis=(1, 2))), 1.0)
        assert np.array_equal(fb_basis(L, 3), psi[:3])    # K keeps the first K, same constant


#: fb_basis(3), pinned: rows are y (downwards), columns x (to the right), theta = atan2(y, x).
GOLDEN_3 = np.array([
    [[0.049333, 0.305299, 0.049333], [0.305299, 0.673105, 0.305299], [0.049333, 0.305299, 0.049333]],
    [[-0.078269, 0, 0.078269], [-0.592837, 0, 0.592837], [-0.078269, 0, 0.078269]],
    [[-0.078269, -0.592837, -0.078269], [0, 0, 0], [0.078269, 0.592837, 0.078269]],
    [[0, -0.679931, 0], [0.679931, 0, 0.679931], [0, -0.679931, 0]],
    [[0.147666, 0, -0.147666], [0, 0, 0], [-0.147666, 0, 0.147666]],
    [[-0.111721, -0.408809, -0.111721], [-0.408809, 1.026968, -0.408809],
     [-0.111721, -0.408809, -0.111721]]])


def test_golden_3x3_and_orientation():
    psi = fb_basis(3)
    assert np.max(np.abs(psi - GOLDEN_3)) < 1e-6
    c = 2
    psi5 = fb_basis(5, 3)
    assert psi5[1, c, c + 1] > 0 and psi5[1, c, c - 1] < 0     # cos(theta): + to the right
    assert psi5[2, c + 1, c] > 0 and psi5[2, c - 1, c] < 0     # sin(theta): + below (y down)


@pytest.mark.parametrize("L", [3, 5, 7])
def test_radial_elements_invariant_under_rotations_and_flips(L):
    psi = fb_basis(L)
    radial = [j for j, f in enumerate(fb_frequencies(L)) if f[3] == "radial"]
    assert len(radial) >= 2
    for j in radial:
        p = psi[j]
        for q in (np.rot90(p), np.rot90(p, 2), np.flipud(p), np.fliplr(p), p.T):
            assert np.allclose(q, p, atol=1e-12)


@pytest.mark.parametrize("L", [3, 5, 7])
def test_k_pairs_rotate_by_k_quarter_turns(L):
    """np.rot90 (a quarter turn) maps the pair (cos k theta, sin k theta) to its rotation by the
    angle k pi / 2; a pair is not invariant unless k is a multiple of 4."""
    psi = fb_basis(L)
    freqs = fb_frequencies(L)
    pairs = [(j, freqs[j][0]) for j in range(len(freqs) - 1)
             if freqs[j][3] == "cos" and freqs[j + 1][3] == "sin"]
    assert {k for _, k in pairs} >= ({1, 2} if L == 3 else {1, 2, 3, 4})
    for j, k in pairs:
        c, s = psi[j], psi[j + 1]
        phi = k * np.pi / 2
        assert np.allclose(np.rot90(c), np.cos(phi) * c - np.sin(phi) * s, atol=1e-12)
        assert np.allclose(np.rot90(s), np.sin(phi) * c + np.cos(phi) * s, atol=1e-12)
        if k % 4:
            assert not np.allclose(np.rot90(c), c, atol=1e-6)


@pytest.mark.parametrize("L, K", [(4, None), (1, None), (5, 15), (3, 7), (5, 0)])
def test_bad_kernel_or_basis_count(L, K):
    with pytest.raises(RegioncountError):
        fb_basis(L, K)


def test_random_bases():
    a, b = random_basis(5, 6, seed=1), random_basis(5, 6, seed=1)
    assert a.shape == (6, 5, 5) and np.array_equal(a, b)
    assert not np.allclose(a, random_basis(5, 6, seed=2))
    assert np.isclose(np.mean(np.sum(a ** 2, axis=(1, 2))), 1.0)
    with pytest.raises(RegioncountError):
        random_basis(3, 10)


# ---------------------------------------------------------------------------------------------
# forms: fused == two-stage == onnxruntime == lowered network

def _ort(model, X):
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return sess.run(None, {"x": X.astype(np.float32)})[0]


@pytest.mark.parametrize("basis, pool", [("fourier-bessel", "max"), ("random", "avg"),
                                         ("fourier-bessel", "avg")])
def test_forms_agree_with_onnxruntime_and_lowering(basis, pool):
    net = build_dcf_net(5, 4, (3, 5), (2, 10, 9), classes=4, pool=pool, basis=basis, seed=7)
    X = np.random.default_rng(0).uniform(size=(40, 2, 10, 9))
    ref = net.forward(X)
    scale = np.abs(ref).max()
    lowered = {}
    for form in FORMS:
        model = net.to_onnx(form)
        onnx.checker.check_model(model, full_check=True)
        assert np.max(np.abs(_ort(model, X) - ref)) < 1e-5 * scale, form
        low = net.lowered(form)
        assert np.max(np.abs(low.evaluate(X.reshape(40, -1)) - ref)) < 1e-5 * scale, form
        lowered[form] = low
    ops = {f: [n.op_type for n in net.to_onnx(f).graph.node] for f in FORMS}
    assert ops["fused"].count("Conv") == 2 and ops["two-stage"].count("Conv") == 4
    a, b = lowered["fused"], lowered["two-stage"]
    assert [(s.kind, s.size) for s in a.stages] == [(s.kind, s.size) for s in b.stages]
    for sa, sb in zip(a.stages, b.stages):
        if sa.kind == "affine":
            Wa, Wb = (np.asarray(w.toarray() if hasattr(w, "toarray") else w)
                      for w in (sa.weights[0], sb.weights[0]))
            assert np.max(np.abs(Wa - Wb)) < 1e-6 * np.abs(Wa).max()
            assert np.allclose(sa.bias, sb.bias, atol=1e-7)


def test_two_stage_layout():
    """Depthwise bases Conv (channel i*K + k holds psi_k for input i), then a 1x1 Conv with
    a.reshape(C_out, C_in*K)."""
    net = build_dcf_net(3, 4, (2,), (3, 6, 6), seed=2)
    model = net.to_onnx("two-stage")
    w = {t.name: onnx.numpy_helper.to_array(t) for t in model.graph.initializer}
    conv = net.convs[0]
    B = w["B0"]
    assert B.shape == (3 * 4, 1, 3, 3)
    for i in range(3):
        for k in range(4):
            assert np.allclose(B[i * 4 + k, 0], conv.bases[k], atol=1e-7)
    assert np.allclose(w["A0"][:, :, 0, 0], conv.coef.reshape(2, 12), atol=1e-7)
    node = model.graph.node[0]
    assert node.op_type == "Conv" and [a.i for a in node.attribute if a.name == "group"] == [3]


def test_both_forms_have_the_same_regions():
    """Exact region counts of a tiny DCF net on a small box: the same in both forms."""
    net = build_dcf_net(3, 3, (2,), (1, 6, 6), classes=3, seed=1)
    x0 = np.random.default_rng(0).uniform(0.3, 0.7, size=36)
    dom = Domain.box(x0 - 0.05, x0 + 0.05)
    res = {f: count_tree(net.lowered(f), dom, keep_patterns=True) for f in FORMS}
    assert res["fused"].complete and res["two-stage"].complete
    assert res["fused"].regions == res["two-stage"].regions == 192
    assert res["fused"].pattern_set() == res["two-stage"].pattern_set()


def test_exported_model_loads_through_regioncount_load(tmp_path):
    import regioncount

    net = build_dcf_net(5, 3, (4, 8), (1, 12, 12), seed=0)
    X = np.random.default_rng(2).uniform(size=(10, 144))
    for form in FORMS:
        path = tmp_path / f"{form}.onnx"
        onnx.save(net.to_onnx(form), path)
        low = regioncount.load(path)
        assert low.input_shape == (1, 12, 12) and low.output_size == 10
        assert np.allclose(low.evaluate(X), net.forward(X), atol=1e-5)


# ---------------------------------------------------------------------------------------------
# parameter counts

def test_parameter_counts():
    net = build_dcf_net(5, 3, (4, 8), (1, 12, 12), seed=0)
    head = 10 * 8 * 3 * 3 + 10
    assert net.params() == (4 * 1 * 3 + 4) + (8 * 4 * 3 + 8) + head == 850
    assert net.dense_params() == (4 * 25 + 4) + (8 * 4 * 25 + 8) + head == 1642
    conv = net.convs[1]
    assert conv.coef.size == 8 * 4 * 3 and conv.params() == 104 and conv.dense_params() == 808
    # the LAYERS.md ratios of the weights alone: 25/3 (8.3x) for 5x5, 9/3 for 3x3
    assert conv.coef.size * 25 / 3 == 8 * 4 * 25
    plain = build_dcf_net(5, None, (4, 8), (1, 12, 12), basis="pixel")
    assert plain.params() == plain.dense_params() == 1642


# ---------------------------------------------------------------------------------------------
# norms and bounds

def _circulant_matrix(W, n):
    """Dense matrix of the circular cross-correlation on an n x n torus (brute force)."""
    Co, Ci, L, _ = W.shape
    p = L // 2
    A = np.zeros((Co * n * n, Ci * n * n))
    for o in range(Co):
        for i in range(Ci):
            for y in range(n):
                for x in range(n):
                    for u in range(L):
                        for v in range(L):
                            row = o * n * n + y * n + x
                            col = i * n * n + ((y + u - p) % n) * n + (x + v - p) % n
                            A[row, col] += W[o, i, u, v]
    return A


def test_circular_norm_is_exact(rng):
    W = rng.normal(size=(3, 2, 3, 3))
    for n in (3, 5, 6):
        brute = np.linalg.svd(_circulant_matrix(W, n), compute_uv=False)[0]
        assert np.isclose(circular_norm(W, (n, n)), brute, rtol=1e-10)


def test_padded_norm_is_the_lowered_layer(rng):
    net = build_dcf_net(5, 6, (3,), (2, 7, 7), seed=4)
    low = net.lowered()
    W = low.stages[1].weights[0]
    dense = W.toarray() if hasattr(W, "toarray") else W
    expect = np.linalg.svd(dense, compute_uv=False)[0]
    assert np.isclose(padded_norm(net.convs[0].filters(), (7, 7)), expect, rtol=1e-6)


def _chain(norms):
    return [norms.padded_norm, norms.operator_norm, norms.schur_bound, norms.coefficient_bound]


@pytest.mark.parametrize("basis", ["fourier-bessel", "random"])
@pytest.mark.parametrize("K", [1, 3, 9])
def test_norm_schur_coefficient_order_random_layers(basis, K):
    for seed in range(4):
        net = build_dcf_net(5, K, (3, 6), (2, 8, 8), basis=basis, seed=seed)
        for norms in net.layer_norms():
            v = _chain(norms)
            assert all(a <= b * (1 + 1e-12) for a, b in zip(v, v[1:])), v
            assert v[0] > 0


def test_coefficient_bound_formula(rng):
    psi = fb_basis(5, 6)
    a = rng.normal(size=(2, 3, 6))
    W = np.einsum("oik,kuv->oiuv", a, psi)
    s = np.sqrt(np.sum(np.abs(psi).sum(axis=(1, 2)) ** 2))
    B = np.linalg.norm(a, axis=2) * s
    assert np.isclose(coefficient_bound(a, psi), np.sqrt(B.sum(0).max() * B.sum(1).max()))
    A1 = np.abs(W).sum(axis=(2, 3))
    assert np.isclose(schur_bound(W), np.sqrt(A1.sum(0).max() * A1.sum(1).max()))
    coef, res = fit_coefficients(W, psi)
    assert np.allclose(coef, a) and np.abs(res).max() < 1e-12


def test_fit_residual_keeps_the_coefficient_bound_valid(rng):
    """Filters outside the span of the bases: the residual enters the bound."""
    psi = fb_basis(5, 3)
    W = rng.normal(size=(4, 2, 5, 5))
    coef, res = fit_coefficients(W, psi)
    conv = DCFConv(coef, psi, np.zeros(4), residual=res)
    assert np.allclose(conv.filters(), W)
    v = _chain(conv.norms((6, 6)))
    assert all(a <= b * (1 + 1e-12) for a, b in zip(v, v[1:])), v


@pytest.mark.skipif(not TRAINED, reason="models/dcf not present")
@pytest.mark.parametrize("path", TRAINED, ids=lambda p: p.name)
def test_norm_schur_coefficient_order_trained_layers(path):
    r = dcf_norms(path)
    assert len(r.layers) == 2 and not r.skipped
    dcf = "cnn" not in path.name
    for norms in r.layers:
        assert norms.form == ("two-stage" if dcf else "plain")
        v = _chain(norms) if dcf else _chain(norms)[:3]
        assert all(a <= b * (1 + 1e-12) for a, b in zip(v, v[1:])), v
    assert r.lipschitz_bound > 0


def test_fused_and_two_stage_norms_agree(tmp_path):
    net = build_dcf_net(5, 6, (3, 4), (1, 10, 10), basis="random", seed=3)
    got = {}
    for form in FORMS:
        onnx.save(net.to_onnx(form), tmp_path / f"{form}.onnx")
        got[form] = dcf_norms(tmp_path / f"{form}.onnx")
    want = net.layer_norms()
    for form, r in got.items():
        assert [l.form for l in r.layers] == [form] * 2
        assert [l.basis for l in r.layers] == ["random"] * 2
        for l, w in zip(r.layers, want):
            assert l.params == w.params and l.bases == 6
            assert np.allclose(_chain(l), _chain(w), rtol=1e-5), form
    assert np.isclose(got["fused"].lipschitz_bound, got["two-stage"].lipschitz_bound, rtol=1e-5)


def test_network_lipschitz_bound(rng):
    net = build_dcf_net(3, 3, (3,), (1, 6, 6), classes=3, pool="avg", seed=5)
    low = net.lowered()
    bound = network_lipschitz_bound(low)
    X = rng.uniform(size=(200, 36))
    Y = X + rng.normal(scale=1e-2, size=X.shape)
    ratio = np.linalg.norm(low.evaluate(X) - low.evaluate(Y), axis=1) / np.linalg.norm(X - Y, axis=1)
    assert ratio.max() <= bound
    # conv (exact, zero padded) * ReLU 1 * (avg pool 2x2 + head, one affine stage, exact)
    norms = [np.linalg.svd(s.weights[0].toarray() if hasattr(s.weights[0], "toarray")
                           else s.weights[0], compute_uv=False)[0]
             for s in low.stages if s.kind == "affine"]
    assert np.isclose(bound, np.prod(norms))
    assert np.isclose(norms[0], net.layer_norms()[0].padded_norm)


# ---------------------------------------------------------------------------------------------
# builder errors and CLI

@pytest.mark.parametrize("kwargs", [dict(kernel=4), dict(bases=15), dict(bases=0),
                                    dict(channels=(4, 8, 16, 32)), dict(input_shape=(1, 12)),
                                    dict(channels=(0,)), dict(pool="median"),
                                    dict(basis="wavelet")])
def test_builder_errors(kwargs):
    with pytest.raises(RegioncountError):
        build_dcf_net(**{**dict(kernel=5, bases=3, channels=(4, 8), input_shape=(1, 12, 12)),
                         **kwargs})


def test_cli_build_dcf_and_norms(cli_run, tmp_path):
    out = tmp_path / "m.onnx"
    code, stdout, err = cli_run("build", "dcf", "--kernel", "5", "--bases", "3", "--channels",
                                "4,8", "--input-shape", "1,12,12", "--form", "two-stage",
                                "--seed", "4", "-o", out, "--json")
    assert code == 0, err
    d = json.loads(stdout)
    assert d["params"] == 850 and d["dense_params"] == 1642 and d["form"] == "two-stage"
    code, stdout, err = cli_run("dcf-norms", out, "--json")
    assert code == 0, err
    d = json.loads(stdout)
    layers = d["layers"]
    assert [l["form"] for l in layers] == ["two-stage"] * 2
    for l in layers:
        assert l["operator_norm"] <= l["schur_bound"] <= l["coefficient_bound"]
        assert l["basis"] == "fourier-bessel" and l["bases"] == 3
    assert d["lipschitz_bound"] > 0
    code, stdout, _ = cli_run("dcf-norms", out)
    assert code == 0 and "conv0_bases+conv0_coef" in stdout


def test_cli_random_bases_fused(cli_run, tmp_path):
    out = tmp_path / "r.onnx"
    code, _, err = cli_run("build", "dcf", "--random-bases", "--bases", "5", "-o", out)
    assert code == 0, err
    code, stdout, err = cli_run("dcf-norms", out, "--json")
    assert code == 0, err
    layers = json.loads(stdout)["layers"]
    assert [(l["form"], l["basis"], l["bases"]) for l in layers] == [("fused", "random", 5)] * 2
    assert all(l["residual"] < 1e-5 for l in layers)


@pytest.mark.parametrize("args, words", [
    (["--kernel", "4"], "odd"),
    (["--bases", "15"], "14"),
    (["--channels", "4,8,16,32"], "do not fit"),
    (["--input-shape", "1,12"], "C,H,W"),
    (["--channels", "a,b"], "integers"),
])
def test_cli_build_dcf_bad_input(cli_run, tmp_path, args, words):
    out = tmp_path / "bad.onnx"
    code, stdout, err = cli_run("build", "dcf", *args, "-o", out)
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and words in err
    assert not out.exists()


def test_cli_dcf_norms_errors(cli_run, tmp_path):
    from regioncount.io.export import mlp_to_onnx

    mlp = tmp_path / "mlp.onnx"
    onnx.save(mlp_to_onnx([(np.eye(2), np.zeros(2))]), mlp)
    code, _, err = cli_run("dcf-norms", mlp)
    assert code == 2 and "no Conv layer" in err and len(err.strip().splitlines()) == 1
    code, _, err = cli_run("dcf-norms", tmp_path / "missing.onnx")
    assert code == 2


def test_docstring_examples():
    import doctest

    import regioncount.builders.dcf as dcf

    res = doctest.testmod(dcf, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert res.failed == 0 and res.attempted >= 2
