"""Saliency, DeconvNet and guided backprop (``regioncount.analysis``, ``regioncount explain``):
the facts of Nie, Zhang and Patel (ICML 2018) as executable checks on the project's models and
on random networks, the CLI's contract, the report section, and every real model that loads."""

from __future__ import annotations

import doctest
import json
from pathlib import Path

import numpy as np
import pytest

import regioncount
from regioncount import Domain, DomainError, Network, RegioncountError
from regioncount.analysis import (class_similarity, cosine, explain, image_layout,
                                  sample_explanation)

from conftest import SHARED, shared_path

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "models"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

#: Saliency against central finite differences (the issue's 1e-4), relative to the map's scale.
FD_TOL = 1e-4
#: Saliency against the local affine row: the same products in another order (rounding only).
ROW_RTOL = 1e-9

DIGITS_MODELS = ["digits_mlp.onnx", "digits_conv.onnx"] + [
    f"sweep/{p.name}" for p in sorted((MODELS / "sweep").glob("*.onnx"))]
#: Project models without max units (DeconvNet's map cannot depend on the input).
NO_MAX = ["digits_mlp.onnx", "moons_2d.onnx"] + [
    f"sweep/{p.name}" for p in sorted((MODELS / "sweep").glob("*.onnx"))]


# -- helpers ---------------------------------------------------------------------------------

def affine_columns(net: Network, x: np.ndarray, cols) -> np.ndarray:
    """Columns ``cols`` of the local affine map at ``x`` by forward propagation of the pattern
    (the stages' own ``stage_map``), without forming the whole matrix of a large model."""
    n = net.input_size
    E = np.zeros((n, len(cols)))
    E[np.asarray(cols), np.arange(len(cols))] = 1.0
    pats = iter(net.pattern(x))
    maps = [(E, np.zeros(n))]
    for s in net.stages[1:]:
        maps.append(s.stage_map(maps, next(pats) if s.is_pwl else None))
    return maps[net.output][0]


def finite_differences(net: Network, x: np.ndarray, k: int, cols) -> tuple[np.ndarray, np.ndarray]:
    """Differences of output ``k`` along the coordinates ``cols`` with steps that stay in the
    region of ``x`` (same pattern): central when both sides do, one-sided when only one does (a
    point on a tie, such as a max-pool over identical zero patches of a digit's border, keeps
    its piece on one side). Returns the derivatives and a mask of the coordinates where such
    a step was found; the function is affine on the piece, so no truncation error."""
    base = net.pattern(x)
    fx = float(np.asarray(net.evaluate(x)).ravel()[k])
    fd = np.full(len(cols), np.nan)
    todo = np.arange(len(cols))
    for h in (1e-5, 1e-6, 1e-7, 1e-8):
        if todo.size == 0:
            break
        m = todo.size
        E = np.zeros((m, net.input_size))
        E[np.arange(m), np.asarray(cols)[todo]] = h
        X = np.vstack([x + E, x - E])
        same = np.ones(2 * m, bool)
        for p, b in zip(net.pattern(X), base):
            same &= np.all(p == b, axis=1)
        y = np.asarray(net.evaluate(X)).reshape(2 * m, -1)[:, k]
        up, down = same[:m], same[m:]
        d = np.where(up & down, (y[:m] - y[m:]) / (2 * h),
                     np.where(up, (y[:m] - fx) / h, (fx - y[m:]) / h))
        ok = up | down
        fd[todo[ok]] = d[ok]
        todo = todo[~ok]
    fd[todo] = [_same_piece_difference(net, x, k, cols, i) for i in np.asarray(cols)[todo]]
    return fd, ~np.isnan(fd)


def _same_piece_difference(net, x, k, cols, i, h=1e-6) -> float:
    """A central difference along coordinate ``i`` when the pattern flips on both sides but
    the output's affine piece does not: units whose pre-activation is zero up to rounding
    (``relu(a) - relu(a)`` in lattice networks) flip with the noise without changing the
    function. The piece is compared through the forward local affine map (not the backward
    pass under test); nan when it changes."""
    e = np.zeros(net.input_size)
    e[i] = h
    row = affine_columns(net, x, cols)[k]
    scale = max(1.0, float(np.abs(row).max()))
    for y in (x + e, x - e):
        if not np.allclose(affine_columns(net, y, cols)[k], row, rtol=ROW_RTOL, atol=ROW_RTOL * scale):
            return np.nan
    f = lambda z: float(np.asarray(net.evaluate(z)).ravel()[k])   # noqa: E731
    return (f(x + e) - f(x - e)) / (2 * h)


def check_saliency(net: Network, x: np.ndarray, max_cols: int | None = None, seed: int = 0):
    """Saliency at ``x`` (argmax) == the local affine row == finite differences; returns the
    largest finite-difference error relative to the map's scale."""
    e = explain(net, x, "saliency")[0]
    sal = e.maps["saliency"].ravel()
    n = net.input_size
    cols = np.arange(n)
    if max_cols is not None and n > max_cols:
        cols = np.sort(np.random.default_rng(seed).choice(n, max_cols, replace=False))
    if max_cols is None:
        A, _ = net.local_affine(x)
        row = A[e.output]
    else:
        row = affine_columns(net, x, cols)[e.output]
    scale = max(1.0, float(np.abs(sal).max()))
    np.testing.assert_allclose(sal[cols], row, rtol=ROW_RTOL, atol=ROW_RTOL * scale)
    fd, ok = finite_differences(net, x, e.output, cols)
    assert ok.mean() >= 0.9, f"only {ok.sum()} of {len(cols)} coordinates stayed in the region"
    err = float(np.abs(fd[ok] - sal[cols][ok]).max()) / scale
    assert err <= FD_TOL, err
    return err


def random_mlp(rng, d: int, widths, outputs: int, activation: str = "relu") -> Network:
    """Gaussian weights (variance 1 / fan-in; the first layer variance 1), no biases."""
    layers, fan = [], d
    for i, w in enumerate(widths):
        layers.append((rng.normal(size=(w, fan)) / (1.0 if i == 0 else np.sqrt(fan)), np.zeros(w)))
        fan = w
    return Network.from_layers(layers, final=(rng.normal(size=(outputs, fan)), np.zeros(outputs)),
                               activation=activation)


@pytest.fixture(scope="module")
def digits():
    sk = pytest.importorskip("sklearn.datasets")
    return sk.load_digits().data / 16.0          # the models' input convention: pixels / 16


def test_docstring_examples():
    import regioncount.analysis as mod

    res = doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert res.failed == 0 and res.attempted >= 10


# -- fact 1: saliency is the local affine row and the gradient --------------------------------

@pytest.mark.parametrize("rel", DIGITS_MODELS + ["moons_2d.onnx", "maxout_2d.onnx",
                                                 "dcf/digits_cnn5.onnx"])
def test_saliency_is_the_local_affine_row_and_the_gradient(rel):
    net = regioncount.load(MODELS / rel)
    rng = np.random.default_rng(1)
    for x in rng.uniform(0, 1, size=(4, net.input_size)):
        check_saliency(net, x)
    # every class, not only the argmax: the rows of A
    x = rng.uniform(0, 1, size=net.input_size)
    A, _ = net.local_affine(x)
    sal = np.stack([explain(net, x, output=k)[0].maps["saliency"].ravel()
                    for k in range(net.output_size)])
    np.testing.assert_allclose(sal, A, rtol=ROW_RTOL, atol=ROW_RTOL * max(1.0, np.abs(A).max()))


def test_saliency_on_real_digits(digits):
    """On real 8 x 8 digits, for the MLP and the conv net (which has max-pooling)."""
    for rel in ("digits_mlp.onnx", "digits_conv.onnx"):
        net = regioncount.load(MODELS / rel)
        for x in digits[:5]:
            check_saliency(net, x)


def test_leaky_relu_and_clip_rules_on_a_random_network(rng):
    """The rules of the other elementwise kinds: leaky ReLU saliency == gradient; DeconvNet
    through a leaky ReLU is the leaky ReLU of the signal (input-independent)."""
    net = random_mlp(rng, 6, (12, 9), 4, activation="leaky_relu")
    X = rng.normal(size=(5, 6))
    for x in X:
        check_saliency(net, x)
    d = np.stack([explain(net, x, "deconvnet", output=2)[0].maps["deconvnet"] for x in X])
    assert np.array_equal(d, np.broadcast_to(d[0], d.shape))


# -- fact 2: without max-pooling, DeconvNet does not look at the input ------------------------

@pytest.mark.parametrize("rel", NO_MAX)
def test_deconvnet_does_not_depend_on_the_input(rel):
    net = regioncount.load(MODELS / rel)
    assert "max" not in {s.kind for s in net.stages}
    X = np.random.default_rng(2).uniform(0, 1, size=(20, net.input_size))
    for k in range(net.output_size):
        # one input at a time: the same arithmetic whatever x, so the maps are bit-identical
        # (in a batch, BLAS may round rows differently)
        rs = [explain(net, x, "all", output=k)[0] for x in X]
        d = np.stack([r.maps["deconvnet"] for r in rs])
        assert np.array_equal(d, np.broadcast_to(d[0], d.shape))
        s = np.stack([r.maps["saliency"] for r in rs])  # saliency changes with the region
        if k == 0:
            assert not np.allclose(s, s[0])
        b = explain(net, X, "deconvnet", output=k).stack("deconvnet")
        np.testing.assert_allclose(b, d, rtol=1e-12, atol=1e-12 * np.abs(d).max())


def test_deconvnet_depends_on_the_input_through_max_pooling():
    """digits_conv has max-pooling: the forward argmax routes DeconvNet's signal, so its map
    changes with the input (the condition of the fact is needed)."""
    net = regioncount.load(MODELS / "digits_conv.onnx")
    X = np.random.default_rng(3).uniform(0, 1, size=(10, net.input_size))
    d = explain(net, X, "deconvnet", output=0).stack("deconvnet")
    assert not np.allclose(d, d[0])


# -- fact 3: GBP recovers the image on random networks ---------------------------------------

def gbp_input_cosine(d: int, N: int, seeds: int) -> float:
    """Mean cosine between the GBP map and the input for ``x -> v . relu(W x)``, W (N x d) and
    v Gaussian, no bias, x Gaussian (a fresh network and input per seed)."""
    out = []
    for seed in range(seeds):
        rng = np.random.default_rng(seed)
        net = Network.from_layers([(rng.normal(size=(N, d)), np.zeros(N))],
                                  final=(rng.normal(size=(1, N)), np.zeros(1)))
        x = rng.normal(size=d)
        out.append(explain(net, x, "gbp")[0].summaries["gbp"].cosine)
    return float(np.mean(out))


@pytest.mark.parametrize("ratio", [1, 10, 100])
def test_gbp_cosine_with_the_input_follows_the_theory(ratio):
    """cos(GBP, x) ~ sqrt(N / (N + pi^2 d)): 0.30 at N = d, 0.71 at N = 10 d, 0.95 at 100 d."""
    d = 100
    N = ratio * d
    theory = np.sqrt(N / (N + np.pi ** 2 * d))
    got = gbp_input_cosine(d, N, seeds=40 if ratio == 1 else 20)
    assert abs(got - theory) <= 0.05, (ratio, got, theory)


# -- fact 4: GBP hardly depends on the class, saliency does ----------------------------------

def test_gbp_maps_of_different_classes_nearly_the_same_on_random_networks():
    """Three hidden layers of 640 random ReLUs on 64 inputs, 10 classes: GBP's maps of
    different classes have a mean pairwise cosine above 0.9 (measured 0.94); saliency's
    are unrelated (|mean| below 0.1, measured 0.03)."""
    g, s = [], []
    for seed in range(4):
        rng = np.random.default_rng(seed)
        net = random_mlp(rng, 64, (640, 640, 640), 10)
        x = rng.normal(size=64)
        g.append(class_similarity(net, x, "gbp"))
        s.append(class_similarity(net, x, "saliency"))
    assert np.mean(g) > 0.9, g
    assert abs(np.mean(s)) < 0.1, s


@pytest.mark.parametrize("rel", ["digits_mlp.onnx", "digits_conv.onnx"])
def test_gbp_less_class_sensitive_than_saliency_on_trained_digits(rel, digits):
    """On the small trained digits models GBP's maps of different classes are far closer
    to one another than saliency's (measured on 30 digits: mean pairwise cosine 0.34 against
    -0.08 for the MLP, 0.40 against -0.04 for the conv net)."""
    net = regioncount.load(MODELS / rel)
    g = np.mean([class_similarity(net, x, "gbp") for x in digits[:30]])
    s = np.mean([class_similarity(net, x, "saliency") for x in digits[:30]])
    assert s < 0.05 and g > 0.25 and g - s > 0.3, (g, s)


# -- fact 5: saliency is nearly orthogonal to the input on random networks -------------------

def test_saliency_nearly_orthogonal_to_the_input_on_random_networks():
    """256 inputs, 2560 random ReLUs, 10 classes: mean |cos(saliency, x)| over every class
    below 0.1 (measured 0.05), while GBP's cosine is above 0.6 (measured 0.71)."""
    s, g = [], []
    for seed in range(5):
        rng = np.random.default_rng(seed)
        net = random_mlp(rng, 256, (2560,), 10)
        x = rng.normal(size=256)
        for k in range(10):
            e = explain(net, x, "all", output=k)[0]
            s.append(abs(e.summaries["saliency"].cosine))
            g.append(e.summaries["gbp"].cosine)
    assert np.mean(s) < 0.1, np.mean(s)
    assert np.mean(g) > 0.6, np.mean(g)


# -- the front door --------------------------------------------------------------------------

def test_batches_shapes_and_outputs():
    net = regioncount.load(MODELS / "digits_conv.onnx")
    X = np.random.default_rng(4).uniform(0, 1, size=(3, 1, 8, 8))
    r = explain(net, X, "all")
    assert len(r) == 3 and r.methods == ("saliency", "deconvnet", "gbp")
    assert r.stack("gbp").shape == (3, 1, 8, 8) and r[0].maps["saliency"].shape == (1, 8, 8)
    for b, e in enumerate(r):
        one = explain(net, X[b], "all")[0]           # a batch is the inputs one by one
        for m in r.methods:
            assert np.array_equal(one.maps[m], e.maps[m])
        assert e.output == e.predicted == int(np.argmax(net.evaluate(X[b].ravel())))
    for x in (X[0], X[0].reshape(8, 8), X[0].ravel()):   # one input, three spellings
        assert np.array_equal(explain(net, x)[0].maps["saliency"], r[0].maps["saliency"])
    per = explain(net, X.reshape(3, 64), "saliency", output=[1, 2, 3])
    assert [e.output for e in per] == [1, 2, 3]
    s = r[0].summaries["gbp"]
    m = r[0].maps["gbp"]
    assert s.norm == pytest.approx(np.linalg.norm(m))
    assert s.cosine == pytest.approx(cosine(m, X[0]))
    assert abs(s.top[0][1]) == np.abs(m).max() and m[s.top[0][0]] == s.top[0][1]
    d = r.to_json()
    assert d["batch"] == 3 and set(d["inputs"][0]["maps"]) == {"saliency", "deconvnet", "gbp"}
    json.dumps(d)


@pytest.mark.parametrize("bad", [(63,), (2, 7, 8), (0, 64), (3, 2, 8, 8)])
def test_wrong_input_shapes(bad):
    net = regioncount.load(MODELS / "digits_conv.onnx")
    with pytest.raises(DomainError, match="does not fit"):
        explain(net, np.zeros(bad))


def test_bad_class_method_and_values():
    net = regioncount.load(MODELS / "digits_mlp.onnx")
    x = np.zeros(64)
    for k in (10, -1, [0, 12]):
        with pytest.raises(RegioncountError, match="out of range|one per input"):
            explain(net, x, output=k)
    with pytest.raises(RegioncountError, match="unknown method"):
        explain(net, x, method="lrp")
    with pytest.raises(DomainError, match="not finite"):
        explain(net, np.full(64, np.nan))


@pytest.mark.parametrize("shape,want", [
    ((1, 8, 8), (8, 8, 1, True)), ((28, 28, 1), (28, 28, 1, False)),
    ((3, 32, 32), (32, 32, 3, True)), ((32, 32, 3), (32, 32, 3, False)),
    ((8, 16, 1), (8, 16, 1, False)), ((1, 20, 20), (20, 20, 1, True)),
    ((64,), None), ((784, 1), None), ((1, 1, 5), None), ((2, 6), None), ((3, 2, 1), None)])
def test_image_layout(shape, want):
    lay = image_layout(shape)
    if want is None:
        assert lay is None
        return
    assert (lay.height, lay.width, lay.channels) == want[:3]
    a = np.arange(int(np.prod(shape)), dtype=float)
    hwc = lay.to_hwc(a)
    assert hwc.shape == want[:3] and np.array_equal(lay.from_hwc(hwc), a)
    if len(shape) == 3 and shape[0] == 3:                 # channels first: (c, h, w) in C order
        assert hwc[1, 2, 1] == a.reshape(shape)[1, 1, 2]


# -- the report section ----------------------------------------------------------------------

def test_report_section_for_image_inputs_only():
    from regioncount.reports import build_report, render

    net = regioncount.load(MODELS / "digits_conv.onnx")
    dom = Domain.box(0, 1, 64)
    r = build_report(net, dom, options=_opts())
    x = dom.sample(1, rng=0)[0]
    assert r.explain is not None and len(r.explain) == 1
    assert np.array_equal(r.explain[0].input.ravel(), x)
    assert np.array_equal(r.explain[0].maps["saliency"].ravel(),
                          net.local_affine(x)[0][int(np.argmax(net.evaluate(x)))])
    d = r.to_json()
    assert set(d["explain"]["inputs"][0]["maps"]) == {"saliency", "deconvnet", "gbp"}
    md = render(r, "md")
    assert "## 5. Saliency, DeconvNet and guided backprop" in md
    assert md.count("](data:image/png;base64,") == 2        # bounds chart and the maps
    assert "5. Saliency" in render(r, "html")
    flat = regioncount.load(MODELS / "digits_mlp.onnx")  # 64 values, not shaped as an image
    assert sample_explanation(flat, dom) is None
    rf = build_report(flat, dom, options=_opts())
    assert rf.explain is None and rf.to_json()["explain"] is None
    assert "5. Saliency" not in render(rf, "md")


def _opts():
    from regioncount.reports import ReportOptions

    return ReportOptions(count=False, slice=False, tighten="interval")


# -- the CLI ---------------------------------------------------------------------------------

@pytest.fixture
def inputs(tmp_path):
    from matplotlib import image as mpimg

    rng = np.random.default_rng(5)
    x = rng.uniform(0, 1, size=(8, 8))
    paths = {"one": tmp_path / "one.npy", "batch": tmp_path / "batch.npy",
             "png": tmp_path / "digit.png", "big": tmp_path / "big.png",
             "wrong": tmp_path / "wrong.npy", "junk_npy": tmp_path / "junk.npy",
             "junk_png": tmp_path / "junk.png", "txt": tmp_path / "x.txt"}
    np.save(paths["one"], x.reshape(1, 8, 8))
    np.save(paths["batch"], rng.uniform(0, 1, size=(3, 1, 8, 8)))
    np.save(paths["wrong"], np.zeros((7, 7)))
    mpimg.imsave(paths["png"], x, cmap="gray", vmin=0, vmax=1)
    mpimg.imsave(paths["big"], np.zeros((10, 10)), cmap="gray")
    paths["junk_npy"].write_text("not an array")
    paths["junk_png"].write_bytes(b"\x89PNG but not really")
    paths["txt"].write_text("1 2 3")
    return x, paths


def test_cli_json_and_npy(cli_run, inputs, tmp_path):
    x, p = inputs
    model = MODELS / "digits_conv.onnx"
    out = tmp_path / "maps.npy"
    code, stdout, err = cli_run("explain", model, "--input", p["one"], "--method", "all",
                                "-o", out, "--json")
    assert code == 0, err
    d = json.loads(stdout)
    net = regioncount.load(model)
    ref = explain(net, x.reshape(1, 8, 8), "all")[0]
    assert d["inputs"][0]["output"] == ref.output
    g = d["inputs"][0]["maps"]["gbp"]
    assert g["norm"] == pytest.approx(ref.summaries["gbp"].norm)
    assert g["cosine_with_input"] == pytest.approx(ref.summaries["gbp"].cosine)
    assert len(g["top"]) == 5 and len(g["top"][0]["index"]) == 3
    maps = np.load(out)
    assert maps.shape == (3, 1, 8, 8)
    assert np.array_equal(maps[2], ref.maps["gbp"])
    code, _, err = cli_run("explain", model, "--input", p["batch"], "--class", "4",
                           "--method", "saliency", "-o", out)
    assert code == 0, err
    A = [net.local_affine(xb)[0][4] for xb in np.load(p["batch"])]
    np.testing.assert_allclose(np.load(out).reshape(3, 64), A, rtol=ROW_RTOL, atol=1e-12)


def test_cli_png(cli_run, inputs, tmp_path):
    x, p = inputs
    for model in ("digits_conv.onnx", "digits_mlp.onnx"):   # the MLP reads the 8x8 image row by row
        out = tmp_path / f"{model}.png"
        code, stdout, err = cli_run("explain", MODELS / model, "--input", p["png"], "-o", out)
        assert code == 0, err
        assert "saliency" in stdout and "gbp" in stdout
        data = out.read_bytes()
        assert data[:8] == PNG_SIGNATURE
        w, h = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
        assert w > 3 * h and h >= 200                     # the input beside three maps
    code, stdout, _ = cli_run("explain", MODELS / "digits_mlp.onnx", "--input", p["png"],
                              "--json", "--method", "saliency")
    d = json.loads(stdout)["inputs"][0]["maps"]["saliency"]
    net = regioncount.load(MODELS / "digits_mlp.onnx")
    from matplotlib import image as mpimg

    grey = mpimg.imread(p["png"])[..., :3].astype(float).mean(axis=2)   # RGB(A) -> grey
    assert np.abs(grey - x).max() < 1 / 128                  # 8-bit levels of the digit
    ref = explain(net, grey.ravel(), "saliency")[0].summaries["saliency"]
    assert d["norm"] == pytest.approx(ref.norm, rel=1e-9)


@pytest.mark.parametrize("key,args,fragment", [
    ("wrong", (), "does not fit"),
    ("big", (), "10x10 pixels"),
    ("one", ("--class", "10"), "out of range"),
    ("one", ("--class", "-3"), "out of range"),
    ("junk_npy", (), "not a .npy array"),
    ("junk_png", (), "not an image"),
    ("txt", (), "expected a .npy array or an image"),
    ("one", ("-o", "maps.txt"), "expected a .npy or .png"),
])
def test_cli_bad_input_exit_2(cli_run, inputs, key, args, fragment):
    _, p = inputs
    code, out, err = cli_run("explain", MODELS / "digits_conv.onnx", "--input", p[key], *args)
    assert code == 2, (out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0] and "Traceback" not in err


def test_cli_missing_input_file(cli_run, tmp_path):
    code, _, err = cli_run("explain", MODELS / "digits_conv.onnx", "--input", tmp_path / "no.npy")
    assert code == 2 and len(err.strip().splitlines()) == 1 and "no such file" in err


# -- every real model that loads -------------------------------------------------------------

_SHARED_MODELS = SHARED / "models"
REAL_MODELS = (sorted(str(p.relative_to(_SHARED_MODELS)) for p in _SHARED_MODELS.rglob("*")
                      if p.suffix in (".onnx", ".nnet"))
               if _SHARED_MODELS.is_dir() else ["<absent>.onnx"])
#: A quick sample: max-pooling conv net, two branches, a 784-input MLP, a residual network.
SAMPLE = {"marabou/conv_mp1.onnx", "marabou/oneInput_twoBranches.onnx",
          "vnncomp2021/mnist-net_256x2.onnx", "vnncomp2021/resnet_2b.onnx"}
#: Models with more inputs than this check a random subset of the coordinates.
MAX_COLS = 48


def _real(rel):
    return [pytest.param(r, marks=() if r in SAMPLE else pytest.mark.slow) for r in rel]


@pytest.mark.parametrize("rel", _real(REAL_MODELS))
def test_saliency_on_real_models(rel, cli_run, tmp_path):
    """Saliency == the local affine row == finite differences (to 1e-4), and the CLI gives
    the same map, for every model that loads."""
    path = shared_path("models", rel)
    try:
        net = regioncount.load(path)
    except RegioncountError as e:
        pytest.skip(f"does not load: {e}")
    rng = np.random.default_rng(7)
    x = rng.uniform(0, 1, size=net.input_size)
    check_saliency(net, x, max_cols=None if net.input_size <= MAX_COLS else MAX_COLS)
    xin, out = tmp_path / "x.npy", tmp_path / "s.npy"
    np.save(xin, x.reshape(net.input_shape))
    code, _, err = cli_run("explain", path, "--input", xin, "--method", "saliency", "-o", out)
    assert code == 0, err
    assert np.array_equal(np.load(out), explain(net, x)[0].maps["saliency"])
