"""The pictures and numbers of docs/explain.md: saliency, DeconvNet and guided backprop on the
digits models and on random networks (Nie, Zhang and Patel, ICML 2018).

Everything is seeded; the digits are scikit-learn's bundled 8 x 8 images (pixels / 16, the
models' input convention), the test images of the split the models were trained on being
unknown here: the first images of the data set are used.

Usage::

    python benchmarks/explain_figures.py                 # figures docs/img/explain_*.png + tables
    python benchmarks/explain_figures.py --json out.json # every number as JSON too
    python benchmarks/explain_figures.py --no-figures    # only the numbers

About 20 seconds on one core.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import regioncount  # noqa: E402
from regioncount import Network  # noqa: E402
from regioncount.analysis import ImageLayout, class_similarity, explain  # noqa: E402
from regioncount.reports.figures import explain_figure, png_bytes  # noqa: E402

IMG = ROOT / "docs" / "img"
MODELS = ROOT / "models"
DIGIT_MODELS = ("digits_mlp.onnx", "digits_conv.onnx", "sweep/digits_64_8_4.onnx",
                "dcf/digits_cnn5.onnx")
RULES = ("saliency", "deconvnet", "gbp")
GRID = ImageLayout(8, 8)


def digits(count: int) -> np.ndarray:
    from sklearn.datasets import load_digits

    return load_digits().data[:count] / 16.0


def random_net(seed: int, d: int, widths, outputs: int) -> Network:
    """Gaussian weights without bias: the first layer N(0, 1), later ones N(0, 1 / fan-in)."""
    rng = np.random.default_rng(seed)
    layers, fan = [], d
    for i, w in enumerate(widths):
        layers.append((rng.normal(size=(w, fan)) / (1.0 if i == 0 else np.sqrt(fan)), np.zeros(w)))
        fan = w
    return Network.from_layers(layers, final=(rng.normal(size=(outputs, fan)), np.zeros(outputs)))


# -- numbers -------------------------------------------------------------------------------

def theory_table(d: int = 100, seeds: int = 40) -> list:
    """cos(GBP, x) and cos(saliency, x) for ``x -> v . relu(W x)`` against sqrt(N/(N+pi^2 d))."""
    rows = []
    for ratio in (1, 3, 10, 30, 100):
        N = ratio * d
        g, s = [], []
        for seed in range(seeds):
            net = random_net(seed, d, (N,), 1)
            x = np.random.default_rng(10_000 + seed).normal(size=d)
            e = explain(net, x, "all")[0]
            g.append(e.summaries["gbp"].cosine)
            s.append(e.summaries["saliency"].cosine)
        rows.append({"N_over_d": ratio, "N": N, "d": d, "theory": float(np.sqrt(N / (N + np.pi ** 2 * d))),
                     "gbp_mean": float(np.mean(g)), "gbp_sd": float(np.std(g)),
                     "saliency_abs_mean": float(np.mean(np.abs(s))), "seeds": seeds})
    return rows


def digits_table(X: np.ndarray) -> list:
    """Per trained model and rule: mean cosine with the input (argmax) and mean pairwise cosine
    between the maps of the 10 classes."""
    rows = []
    for rel in DIGIT_MODELS:
        net = regioncount.load(MODELS / rel)
        for rule in RULES:
            cos_in = [explain(net, x, rule)[0].summaries[rule].cosine for x in X]
            sim = [class_similarity(net, x, rule) for x in X]
            rows.append({"model": rel, "rule": rule,
                         "cosine_with_input": float(np.mean([c for c in cos_in if c is not None])),
                         "class_similarity": float(np.mean([c for c in sim if c is not None]))})
    return rows


def random_deep_table(seeds: int = 10) -> list:
    rows = []
    for depth in (1, 2, 3):
        sims = {r: [] for r in RULES}
        for seed in range(seeds):
            net = random_net(seed, 64, (640,) * depth, 10)
            x = np.random.default_rng(20_000 + seed).normal(size=64)
            for r in RULES:
                sims[r].append(class_similarity(net, x, r))
        rows.append({"hidden_layers": depth, "width": 640, "d": 64,
                     **{f"{r}_class_similarity": float(np.mean(v)) for r, v in sims.items()}})
    return rows


def saliency_orthogonality(seeds: int = 5) -> dict:
    s, g = [], []
    for seed in range(seeds):
        net = random_net(seed, 256, (2560,), 10)
        x = np.random.default_rng(30_000 + seed).normal(size=256)
        for k in range(10):
            e = explain(net, x, "all", output=k)[0]
            s.append(abs(e.summaries["saliency"].cosine))
            g.append(e.summaries["gbp"].cosine)
    return {"d": 256, "N": 2560, "classes": 10, "seeds": seeds,
            "saliency_abs_cosine": float(np.mean(s)), "gbp_cosine": float(np.mean(g))}


# -- figures -------------------------------------------------------------------------------

def _panel(ax, img, signed, title):
    if signed:
        v = float(np.abs(img).max()) or 1.0
        ax.imshow(img, cmap="RdBu_r", vmin=-v, vmax=v)
    else:
        ax.imshow(img, cmap="gray")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title, fontsize=8)


def figure_classes(x: np.ndarray) -> bytes:
    """Maps of the 10 classes at one digit: saliency and GBP of digits_conv, GBP of a random
    3-layer network."""
    from matplotlib.figure import Figure

    conv = regioncount.load(MODELS / "digits_conv.onnx")
    deep = random_net(0, 64, (640, 640, 640), 10)
    rows = [("digits_conv, saliency", conv, "saliency"), ("digits_conv, guided backprop", conv, "gbp"),
            ("random 64-640-640-640-10, guided backprop", deep, "gbp")]
    fig = Figure(figsize=(13.0, 4.6))
    axes = fig.subplots(3, 11)
    for r, (name, net, rule) in enumerate(rows):
        _panel(axes[r, 0], x.reshape(8, 8), False, "input" if r == 0 else "")
        sim = class_similarity(net, x, rule)
        axes[r, 0].set_ylabel(f"{name}\nclass similarity {sim:.2f}", fontsize=7.5, rotation=0,
                              ha="right", va="center")
        for k in range(10):
            m = explain(net, x, rule, output=k)[0].maps[rule].reshape(8, 8)
            _panel(axes[r, k + 1], m, True, f"class {k}" if r == 0 else "")
    fig.subplots_adjust(left=0.2, right=0.99, wspace=0.08, hspace=0.15)
    return png_bytes(fig)


def figure_theory(rows: list) -> bytes:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.4, 4.0))
    ax = fig.add_subplot()
    r = np.logspace(-0.3, 2.3, 200)
    ax.plot(r, np.sqrt(r / (r + np.pi ** 2)), color="black", lw=1.2,
            label=r"$\sqrt{N / (N + \pi^2 d)}$ (Nie et al.)")
    ax.errorbar([t["N_over_d"] for t in rows], [t["gbp_mean"] for t in rows],
                yerr=[t["gbp_sd"] for t in rows], fmt="o", color="#c0392b", capsize=3,
                label=f"guided backprop, measured (d = {rows[0]['d']}, {rows[0]['seeds']} seeds)")
    ax.plot([t["N_over_d"] for t in rows], [t["saliency_abs_mean"] for t in rows], "s",
            color="#2471a3", label="saliency, |cosine| measured")
    ax.set_xscale("log")
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("N / d (hidden ReLUs per input)")
    ax.set_ylabel("cosine between the map and the input")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="center right")
    ax.set_title("One hidden layer of random ReLUs, no bias", fontsize=10)
    return png_bytes(fig)


def figure_random_recovery(x: np.ndarray) -> bytes:
    """GBP of random one-hidden-layer networks of growing width at a digit: the image comes
    back; saliency does not."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(11.0, 2.6))
    axes = fig.subplots(1, 5)
    _panel(axes[0], x.reshape(8, 8), False, "input")
    for ax, N in zip(axes[1:4], (64, 640, 6400)):
        e = explain(random_net(1, 64, (N,), 1), x, "gbp")[0]
        _panel(ax, e.maps["gbp"].reshape(8, 8), True,
               f"GBP, N = {N}\ncos with input {e.summaries['gbp'].cosine:.2f}")
    e = explain(random_net(1, 64, (6400,), 1), x, "saliency")[0]
    _panel(axes[4], e.maps["saliency"].reshape(8, 8), True,
           f"saliency, N = 6400\ncos with input {e.summaries['saliency'].cosine:.2f}")
    fig.tight_layout()
    return png_bytes(fig)


def write_figures(X: np.ndarray, theory: list) -> list:
    out = {}
    for rel, name in (("digits_conv.onnx", "explain_digits_conv.png"),
                      ("digits_mlp.onnx", "explain_digits_mlp.png")):
        net = regioncount.load(MODELS / rel)
        res = explain(net, X[:4], "all")
        out[name] = explain_figure(res, None if "conv" in rel else GRID, title=rel)
    out["explain_classes.png"] = figure_classes(X[0])
    out["explain_theory.png"] = figure_theory(theory)
    out["explain_random_recovery.png"] = figure_random_recovery(X[0])
    IMG.mkdir(parents=True, exist_ok=True)
    for name, png in out.items():
        (IMG / name).write_bytes(png)
    return sorted(out)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--json", default=None, help="write every number to this file")
    ap.add_argument("--no-figures", action="store_true", help="skip docs/img/explain_*.png")
    ap.add_argument("--digits", type=int, default=30, help="digit images for the class table")
    a = ap.parse_args(argv)
    X = digits(max(a.digits, 4))
    res = {"theory": theory_table(), "digits": digits_table(X[:a.digits]),
           "random_deep": random_deep_table(), "saliency_orthogonality": saliency_orthogonality()}
    print("| N/d | sqrt(N/(N+pi^2 d)) | cos(GBP, x) measured | |cos(saliency, x)| |")
    print("|---|---|---|---|")
    for t in res["theory"]:
        print(f"| {t['N_over_d']} | {t['theory']:.3f} | {t['gbp_mean']:.3f} ± {t['gbp_sd']:.3f} "
              f"| {t['saliency_abs_mean']:.3f} |")
    print("\n| model | map | cos with the input | mean pairwise cosine of the 10 classes |")
    print("|---|---|---|---|")
    for t in res["digits"]:
        print(f"| {t['model']} | {t['rule']} | {t['cosine_with_input']:.3f} | {t['class_similarity']:.3f} |")
    print("\n| hidden layers of 640 (random, 64 inputs) | saliency | DeconvNet | GBP |")
    print("|---|---|---|---|")
    for t in res["random_deep"]:
        print(f"| {t['hidden_layers']} | {t['saliency_class_similarity']:.3f} | "
              f"{t['deconvnet_class_similarity']:.3f} | {t['gbp_class_similarity']:.3f} |")
    print("\nsaliency orthogonality:", res["saliency_orthogonality"])
    if not a.no_figures:
        print("wrote", ", ".join(f"docs/img/{n}" for n in write_figures(X, res["theory"])))
    if a.json:
        Path(a.json).write_text(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()
