"""Build regioncount's demo models and write them as small ONNX files next to this script.

Run ``python models/build_models.py`` from the repository root (or anywhere). Everything is
deterministic (fixed seeds, full-batch or fixed-order training), uses only numpy, scikit-learn
and onnx, and takes a few seconds. The script also writes ``models/README.md`` with each
model's architecture, data and held-out accuracy, and checks every file with
``onnx.checker`` and onnxruntime (predictions must agree with the training code's own).

Input convention of every model: features scaled to ``[0, 1]`` (digits: pixel / 16; moons:
min-max rescaling of the sampled data set), so the default domain ``--box 0,1`` is the data's
natural box.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper
from sklearn.datasets import load_digits, make_moons
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier

HERE = Path(__file__).resolve().parent
#: Where the models and README.md are written (``--out DIR`` changes it, for tests).
OUT = HERE
sys.path.insert(0, str(HERE.parent))

from regioncount.io.export import mlp_to_onnx  # noqa: E402

SEED = 0
#: Held-out fraction and split seed shared by every model (tests/test_demo_models.py repeats it).
TEST_SIZE = 0.25
SPLIT_SEED = 0
OPSET = 13


# ---------------------------------------------------------------------------------------
# data
# ---------------------------------------------------------------------------------------
def digits_split():
    """scikit-learn's bundled 8x8 digits (1797 images), pixels / 16 in [0, 1], stratified
    75/25 split with seed 0."""
    d = load_digits()
    X = d.data.astype(np.float64) / 16.0
    return train_test_split(X, d.target, test_size=TEST_SIZE, random_state=SPLIT_SEED,
                            stratify=d.target)


def moons_split():
    """make_moons(1000 points, noise 0.2, seed 0), each coordinate min-max rescaled to [0, 1]
    over the whole sample, stratified 75/25 split with seed 0."""
    X, y = make_moons(n_samples=1000, noise=0.2, random_state=SEED)
    X = (X - X.min(axis=0)) / (X.max(axis=0) - X.min(axis=0))
    return train_test_split(X, y, test_size=TEST_SIZE, random_state=SPLIT_SEED, stratify=y)


# ---------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------
def _finish(graph) -> onnx.ModelProto:
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="regioncount models/build_models.py")
    model.ir_version = min(model.ir_version, 8)
    onnx.checker.check_model(model)
    return model


def _save(model: onnx.ModelProto, rel: str, doc: str) -> Path:
    model.doc_string = doc
    path = OUT / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(path))
    return path


def _ort_run(path: Path, X: np.ndarray) -> np.ndarray:
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    name = sess.get_inputs()[0].name
    return sess.run(None, {name: X.astype(np.float32)})[0]


def _check(path: Path, X: np.ndarray, ref_logits: np.ndarray, ref_pred: np.ndarray) -> float:
    """onnx.checker, then onnxruntime logits against the training code's; returns the max
    abs difference. Raises when any prediction disagrees."""
    onnx.checker.check_model(onnx.load(str(path)))
    out = _ort_run(path, X)
    diff = float(np.max(np.abs(out - ref_logits)))
    pred = out.argmax(axis=1)
    if diff > 1e-4 or not np.array_equal(pred, ref_pred):
        raise SystemExit(f"{path.name}: onnxruntime disagrees with the training code "
                         f"(max |diff| {diff:.2e}, {int((pred != ref_pred).sum())} predictions)")
    return diff


def _mlp_layers(clf: MLPClassifier):
    """(W, b) pairs with W of shape (out, in) from a fitted MLPClassifier."""
    return [(W.T.copy(), b.copy()) for W, b in zip(clf.coefs_, clf.intercepts_)]


def _fold_centering(W, b):
    """First-layer weights for inputs in [0, 1] from weights trained on ``u = 2 x - 1``:
    ``W u + b = (2 W) x + (b - W 1)`` exactly."""
    return 2.0 * W, b - W.sum(axis=1)


def _mlp_logits(layers, X):
    h = X
    for W, b in layers[:-1]:
        h = np.maximum(h @ W.T + b, 0.0)
    W, b = layers[-1]
    return h @ W.T + b


def _adam(params, grads, state, lr, t, b1=0.9, b2=0.999, eps=1e-8):
    for k in params:
        m, v = state.setdefault(k, (np.zeros_like(params[k]), np.zeros_like(params[k])))
        g = grads[k]
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        state[k] = (m, v)
        params[k] -= lr * (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + eps)


def _softmax_xent_grad(logits, y):
    """Mean cross-entropy and its gradient with respect to the logits."""
    z = logits - logits.max(axis=1, keepdims=True)
    p = np.exp(z)
    p /= p.sum(axis=1, keepdims=True)
    n = len(y)
    loss = -np.mean(np.log(p[np.arange(n), y] + 1e-300))
    g = p
    g[np.arange(n), y] -= 1.0
    return loss, g / n


# ---------------------------------------------------------------------------------------
# models
# ---------------------------------------------------------------------------------------
def fit_digits_mlp(hidden, seed=SEED):
    Xtr, Xte, ytr, yte = digits_split()
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = MLPClassifier(hidden_layer_sizes=hidden, activation="relu", solver="adam",
                            alpha=1e-4, learning_rate_init=1e-2, max_iter=600,
                            random_state=seed).fit(Xtr, ytr)
    return clf, (Xtr, Xte, ytr, yte)


def build_digits_mlp(hidden, rel):
    clf, (Xtr, Xte, ytr, yte) = fit_digits_mlp(hidden)
    layers = _mlp_layers(clf)
    model = mlp_to_onnx(layers[:-1], final=layers[-1], opset=OPSET,
                        name=Path(rel).stem, input_name="x", output_name="logits")
    arch = "-".join(str(s) for s in [64, *hidden, 10])
    path = _save(model, rel, f"{arch} ReLU MLP on sklearn load_digits (pixels/16 in [0,1]); "
                             "output: logits (softmax removed)")
    acc = float(clf.score(Xte, yte))
    diff = _check(path, Xte, _mlp_logits(layers, Xte), clf.predict(Xte))
    return dict(file=rel, arch=arch, acc=acc, train_acc=float(clf.score(Xtr, ytr)),
                diff=diff, bytes=path.stat().st_size, n_test=len(yte))


def build_moons():
    Xtr, Xte, ytr, yte = moons_split()
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = MLPClassifier(hidden_layer_sizes=(8, 8), activation="relu", solver="lbfgs",
                            max_iter=5000, tol=1e-10, max_fun=50000,
                            random_state=SEED).fit(2 * Xtr - 1, ytr)
    layers = _mlp_layers(clf)
    # Trained on centred inputs 2x - 1 (training on [0, 1] directly stalls near a linear
    # separator, ~87% accuracy); folding the centring into the first layer keeps [0, 1] inputs.
    layers[0] = _fold_centering(*layers[0])
    # A binary MLPClassifier has one logistic output z; write it as two logits (-z/2, z/2),
    # whose softmax is exactly (1 - sigmoid(z), sigmoid(z)).
    W, b = layers[-1]
    final = (np.vstack([-W / 2, W / 2]), np.concatenate([-b / 2, b / 2]))
    model = mlp_to_onnx(layers[:-1], final=final, opset=OPSET, name="moons_2d",
                        input_name="x", output_name="logits")
    rel = "moons_2d.onnx"
    path = _save(model, rel, "2-8-8-2 ReLU MLP on make_moons rescaled to [0,1]^2; output: logits")
    hidden = _mlp_logits(layers[:-1] + [final], Xte)
    diff = _check(path, Xte, hidden, clf.predict(2 * Xte - 1))
    return dict(file=rel, arch="2-8-8-2", acc=float(clf.score(2 * Xte - 1, yte)),
                train_acc=float(clf.score(2 * Xtr - 1, ytr)), diff=diff,
                bytes=path.stat().st_size, n_test=len(yte))


# -- maxout --------------------------------------------------------------------------------
MAXOUT = [(6, 3), (4, 2)]  # (units, rank) of the two maxout layers


def _maxout_forward(p, X):
    cache = []
    h = X
    for li, (units, k) in enumerate(MAXOUT):
        z = (h @ p[f"W{li}"].T + p[f"b{li}"]).reshape(len(h), units, k)
        arg = z.argmax(axis=2)
        cache.append((h, arg))
        h = np.take_along_axis(z, arg[:, :, None], axis=2)[:, :, 0]
    return h @ p["W2"].T + p["b2"], cache, h


def _maxout_train(Xtr, ytr, steps=3000, lr=1e-2):
    rng = np.random.default_rng(SEED)
    p = {}
    fan = 2
    for li, (units, k) in enumerate(MAXOUT):
        p[f"W{li}"] = rng.normal(scale=np.sqrt(2.0 / fan), size=(units * k, fan))
        p[f"b{li}"] = rng.normal(scale=0.1, size=units * k)
        fan = units
    p["W2"] = rng.normal(scale=np.sqrt(1.0 / fan), size=(2, fan))
    p["b2"] = np.zeros(2)
    state: dict = {}
    for t in range(1, steps + 1):
        logits, cache, hlast = _maxout_forward(p, Xtr)
        _, g = _softmax_xent_grad(logits, ytr)
        grads = {"W2": g.T @ hlast, "b2": g.sum(axis=0)}
        gh = g @ p["W2"]
        for li in reversed(range(len(MAXOUT))):
            units, k = MAXOUT[li]
            h_in, arg = cache[li]
            gz = np.zeros((len(h_in), units, k))
            np.put_along_axis(gz, arg[:, :, None], gh[:, :, None], axis=2)
            gz = gz.reshape(len(h_in), units * k)
            grads[f"W{li}"] = gz.T @ h_in
            grads[f"b{li}"] = gz.sum(axis=0)
            gh = gz @ p[f"W{li}"]
        _adam(p, grads, state, lr, t)
    return p


def build_maxout():
    Xtr, Xte, ytr, yte = moons_split()
    p = _maxout_train(2 * Xtr - 1, ytr)         # centred inputs, as for moons_2d
    p["W0"], p["b0"] = _fold_centering(p["W0"], p["b0"])
    nodes, inits = [], []
    cur = "x"
    for li, (units, k) in enumerate(MAXOUT):
        inits += [numpy_helper.from_array(p[f"W{li}"].astype(np.float32), f"W{li}"),
                  numpy_helper.from_array(p[f"b{li}"].astype(np.float32), f"b{li}"),
                  numpy_helper.from_array(np.array([-1, units, k], np.int64), f"shape{li}")]
        nodes += [
            helper.make_node("Gemm", [cur, f"W{li}", f"b{li}"], [f"z{li}"], name=f"gemm{li}",
                             transB=1),
            helper.make_node("Reshape", [f"z{li}", f"shape{li}"], [f"g{li}"], name=f"reshape{li}"),
            helper.make_node("ReduceMax", [f"g{li}"], [f"h{li}"], name=f"maxout{li}", axes=[2],
                             keepdims=0),
        ]
        cur = f"h{li}"
    inits += [numpy_helper.from_array(p["W2"].astype(np.float32), "W2"),
              numpy_helper.from_array(p["b2"].astype(np.float32), "b2")]
    nodes.append(helper.make_node("Gemm", [cur, "W2", "b2"], ["logits"], name="gemm2", transB=1))
    graph = helper.make_graph(
        nodes, "maxout_2d",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 2])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", 2])], inits)
    rel = "maxout_2d.onnx"
    path = _save(_finish(graph), rel, "maxout 2 -> 6x3 -> 4x2 -> 2 on make_moons in [0,1]^2; "
                                      "output: logits")
    ref = _maxout_forward(p, Xte)[0]
    acc = float(np.mean(ref.argmax(1) == yte))
    train_acc = float(np.mean(_maxout_forward(p, Xtr)[0].argmax(1) == ytr))
    diff = _check(path, Xte, ref, ref.argmax(1))
    return dict(file=rel, arch="2 -> maxout(6 units, rank 3) -> maxout(4 units, rank 2) -> 2",
                acc=acc, train_acc=train_acc, diff=diff, bytes=path.stat().st_size,
                n_test=len(yte))


# -- conv ------------------------------------------------------------------------------------
def _im2col(X):
    """(N, 8, 8) images -> (N, 64, 9) 3x3 patches of the zero-padded image, row-major."""
    Xp = np.pad(X, ((0, 0), (1, 1), (1, 1)))
    cols = [Xp[:, di:di + 8, dj:dj + 8] for di in range(3) for dj in range(3)]
    return np.stack(cols, axis=-1).reshape(len(X), 64, 9)


def _conv_forward(p, X):
    """X of shape (N, 64) -> logits; returns the intermediates for the backward pass."""
    n = len(X)
    cols = _im2col(X.reshape(n, 8, 8))
    z = cols @ p["Wc"].T + p["bc"]                       # (N, 64 positions, 4 channels)
    a = np.maximum(z, 0.0).reshape(n, 8, 8, 4).transpose(0, 3, 1, 2)  # NCHW
    blocks = a.reshape(n, 4, 4, 2, 4, 2).transpose(0, 1, 2, 4, 3, 5).reshape(n, 4, 4, 4, 4)
    arg = blocks.argmax(axis=-1)
    pooled = np.take_along_axis(blocks, arg[..., None], axis=-1)[..., 0]   # (N, 4, 4, 4)
    flat = pooled.reshape(n, 64)                         # ONNX Flatten of NCHW, C order
    return flat @ p["Wf"].T + p["bf"], (cols, z, arg, flat)


def _conv_train(Xtr, ytr, epochs=80, batch=64, lr=5e-3):
    rng = np.random.default_rng(SEED)
    p = {"Wc": rng.normal(scale=np.sqrt(2.0 / 9), size=(4, 9)), "bc": np.zeros(4),
         "Wf": rng.normal(scale=np.sqrt(1.0 / 64), size=(10, 64)), "bf": np.zeros(10)}
    state: dict = {}
    t = 0
    for _ in range(epochs):
        order = rng.permutation(len(Xtr))
        for s in range(0, len(order), batch):
            idx = order[s:s + batch]
            X, y = Xtr[idx], ytr[idx]
            n = len(idx)
            logits, (cols, z, arg, flat) = _conv_forward(p, X)
            _, g = _softmax_xent_grad(logits, y)
            grads = {"Wf": g.T @ flat, "bf": g.sum(axis=0)}
            gpool = (g @ p["Wf"]).reshape(n, 4, 4, 4)
            gblocks = np.zeros((n, 4, 4, 4, 4))
            np.put_along_axis(gblocks, arg[..., None], gpool[..., None], axis=-1)
            ga = gblocks.reshape(n, 4, 4, 4, 2, 2).transpose(0, 1, 2, 4, 3, 5).reshape(n, 4, 8, 8)
            gz = ga.transpose(0, 2, 3, 1).reshape(n, 64, 4) * (z > 0)
            grads["Wc"] = np.einsum("npc,npk->ck", gz, cols)
            grads["bc"] = gz.sum(axis=(0, 1))
            t += 1
            _adam(p, grads, state, lr, t)
    return p


def build_conv():
    Xtr, Xte, ytr, yte = digits_split()
    p = _conv_train(Xtr, ytr)
    inits = [numpy_helper.from_array(p["Wc"].reshape(4, 1, 3, 3).astype(np.float32), "Wc"),
             numpy_helper.from_array(p["bc"].astype(np.float32), "bc"),
             numpy_helper.from_array(p["Wf"].astype(np.float32), "Wf"),
             numpy_helper.from_array(p["bf"].astype(np.float32), "bf")]
    nodes = [
        helper.make_node("Conv", ["x", "Wc", "bc"], ["c"], name="conv", kernel_shape=[3, 3],
                         pads=[1, 1, 1, 1], strides=[1, 1]),
        helper.make_node("Relu", ["c"], ["r"], name="relu"),
        helper.make_node("MaxPool", ["r"], ["m"], name="pool", kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Flatten", ["m"], ["f"], name="flatten", axis=1),
        helper.make_node("Gemm", ["f", "Wf", "bf"], ["logits"], name="fc", transB=1),
    ]
    graph = helper.make_graph(
        nodes, "digits_conv",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 1, 8, 8])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", 10])], inits)
    rel = "digits_conv.onnx"
    path = _save(_finish(graph), rel, "Conv(4,3x3,pad 1)-Relu-MaxPool 2x2-Flatten-Gemm(10) on "
                                      "sklearn load_digits (pixels/16 in [0,1]); output: logits")
    ref = _conv_forward(p, Xte)[0]
    acc = float(np.mean(ref.argmax(1) == yte))
    train_acc = float(np.mean(_conv_forward(p, Xtr)[0].argmax(1) == ytr))
    diff = _check(path, Xte.reshape(-1, 1, 8, 8), ref, ref.argmax(1))
    return dict(file=rel, arch="[1,8,8] -> Conv(4 filters 3x3, pad 1) -> Relu -> MaxPool 2x2 "
                               "-> Flatten(64) -> Gemm(10)",
                acc=acc, train_acc=train_acc, diff=diff, bytes=path.stat().st_size,
                n_test=len(yte))


# -- DCF (torch) ----------------------------------------------------------------------------
def build_dcf():
    """The DCF models of models/build_dcf_models.py: trained when torch imports, else the README
    rows of the committed files (CI needs no torch). Returns (rows, README section)."""
    sys.path.insert(0, str(HERE))
    import build_dcf_models as dcf

    try:
        import torch  # noqa: F401
    except ImportError:
        rows = dcf.committed_rows(HERE)
    else:
        rows = dcf.build_all(OUT, digits_split(), _check)
    return rows, dcf.readme_section(rows)


# -- p4 G-CNNs (torch) ----------------------------------------------------------------------
def build_groups():
    """The p4 models of models/build_group_models.py: trained when torch imports, else the
    README rows of the committed files (CI needs no torch). Returns (rows, README section)."""
    sys.path.insert(0, str(HERE))
    import build_group_models as groups

    try:
        import torch  # noqa: F401
    except ImportError:
        rows = groups.committed_rows(HERE)
    else:
        rows = groups.build_all(OUT, digits_split(), _check)
    return rows, groups.readme_section(rows)


# ---------------------------------------------------------------------------------------
SWEEP = [(2, 10), (4, 8), (6, 6), (8, 4), (10, 2)]


def _versions_section() -> str:
    """The library versions of this build (training is deterministic within one environment,
    not across releases of scikit-learn, numpy or torch)."""
    import platform
    from importlib import metadata

    vers = [f"Python {platform.python_version()}"]
    for dist in ("numpy", "scipy", "scikit-learn", "onnx", "onnxruntime", "torch"):
        try:
            vers.append(f"{dist} {metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            vers.append(f"{dist} (not installed: its models' rows are read from the files)")
    return "\n".join([
        "", "## Library versions that built the committed files", "",
        "Written by the run of `build_models.py` that built them: " + ", ".join(vers) + ".",
        "Training is deterministic within one environment but not across releases of",
        "scikit-learn, numpy or torch; the tests check what must hold under any version (graph,",
        "accuracy floor, README rows), not the bytes.", ""])


def _readme(rows) -> str:
    def row(r):
        return (f"| `{r['file']}` | {r['arch']} | {r['data']} | {r['train_acc']:.4f} | "
                f"{r['acc']:.4f} ({r['n_test']}) | {r['diff']:.1e} | {r['bytes']:,} |")

    lines = [
        "# Demo models",
        "",
        "Built by `python models/build_models.py` (deterministic: fixed seeds, numpy,",
        "scikit-learn and onnx only; no download). Do not edit by hand: rerun the script, which",
        "rewrites the `.onnx` files and this page. See `docs/models.md` for how to use them.",
        "",
        "**Input convention:** every model takes features in `[0, 1]` (digits: pixel / 16;",
        "moons: each coordinate min-max rescaled over the 1000 sampled points), so the default",
        "domain `--box 0,1` is the data's box. Every model outputs *logits* (no softmax node).",
        "",
        "**Held-out split:** stratified 75/25 `train_test_split(test_size=0.25, random_state=0)`",
        "(digits: 1347 train / 450 test images; moons: 750 / 250 points).",
        "",
        "| file | architecture | data, training | train acc | test acc (n) | max abs diff ORT vs trainer | bytes |",
        "|---|---|---|---|---|---|---|",
    ]
    lines += [row(r) for r in rows]
    lines += [
        "",
        "Notes",
        "",
        "- Digits MLPs: `sklearn.neural_network.MLPClassifier(activation='relu', solver='adam',",
        "  learning_rate_init=1e-2, random_state=0)`, exported by hand (`regioncount.io.export.",
        "  mlp_to_onnx`): `Gemm -> Relu -> ... -> Gemm`, input `x` of shape `[N, n]`, output",
        "  `logits`.",
        "- `sweep/digits_64_a_b.onnx`: the Serra, Tjandraatmadja & Ramalingam (2018) experiment,",
        "  `64-n1-(12-n1)-10` with 12 hidden ReLUs in total split between two layers, small enough",
        "  for exact region counting.",
        "- `moons_2d.onnx`, `maxout_2d.onnx`: trained on the centred inputs `u = 2x - 1` (on",
        "  `[0, 1]` directly both stall near a linear separator, about 87% accuracy); the",
        "  centring is folded into the first Gemm (`2W`, `b - W 1`), so the files take `x` in",
        "  `[0, 1]^2`. `moons_2d` uses `MLPClassifier(solver='lbfgs', random_state=0)`.",
        "- `moons_2d.onnx`: a binary MLPClassifier has one logistic output `z`; it is written as",
        "  the two logits `(-z/2, z/2)`, whose softmax equals `(1 - sigmoid(z), sigmoid(z))`.",
        "- `maxout_2d.onnx`: written as exporters write maxout: `Gemm -> Reshape [-1, units, k] ->",
        "  ReduceMax(axes=[2], keepdims=0)`; unit `g` of a layer is the max of Gemm outputs",
        "  `g*k .. g*k+k-1`. Trained with plain numpy: full-batch Adam (lr 1e-2, 3000 steps) on the",
        "  softmax cross-entropy, He-normal initialisation with seed 0.",
        "- `digits_conv.onnx`: input `[N, 1, 8, 8]`; trained with hand-written numpy forward and",
        "  backward passes (im2col convolution, max-pool argmax routing), Adam lr 5e-3, minibatch",
        "  64, 80 epochs, seed 0.",
        "- The ORT column is the largest |logit difference| between onnxruntime (float32) and the",
        "  training code (float64) on the test split; the script fails if any prediction differs.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    global OUT
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=HERE,
                    help="directory to write the models and README.md to (default: models/)")
    OUT = ap.parse_args(argv).out
    rows = []
    r = build_digits_mlp((16, 16), "digits_mlp.onnx")
    r["data"] = "digits, MLPClassifier"
    rows.append(r)
    for n1, n2 in SWEEP:
        r = build_digits_mlp((n1, n2), f"sweep/digits_64_{n1}_{n2}.onnx")
        r["data"] = "digits, MLPClassifier"
        rows.append(r)
    r = build_moons()
    r["data"] = "moons, MLPClassifier"
    rows.append(r)
    r = build_maxout()
    r["data"] = "moons, numpy Adam"
    rows.append(r)
    r = build_conv()
    r["data"] = "digits, numpy Adam"
    rows.append(r)
    dcf_rows, dcf_section = build_dcf()
    group_rows, group_section = build_groups()
    (OUT / "README.md").write_text(_readme(rows) + dcf_section + group_section
                                   + _versions_section())
    for r in rows + dcf_rows + group_rows:
        print(f"{r['file']:32s} test acc {r['acc']:.4f}  train {r['train_acc']:.4f}  "
              f"ORT diff {r['diff']:.1e}  {r['bytes']} B")


if __name__ == "__main__":
    main()
