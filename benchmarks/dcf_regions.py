"""Linear regions of DCF networks against the plain CNN of the same shape (docs/dcf.md).

The models: the trained digits networks of ``models/dcf/`` (DCF layers with the first K = 3,
6, 9 or all 14 Fourier-Bessel bases of 5x5 filters, and the plain CNN), and the same five
networks untrained (the builder's seeded initialisation, seed 0, the one training starts
from). Every model is counted on the same sets, all inside the data box ``[0, 1]^64``:

1. ``segments``: the segments between ``--pairs`` pairs of test images (seeded choice):
   activation regions met, exact (:func:`slice_regions_1d`);
2. ``patch``: the plane through test images 0, 1, 2, ``x0 + s (x1 - x0) + t (x2 - x0)`` for
   ``s, t`` in ``[0, --patch]``, clipped to ``[0, 1]^64``: regions met, exact
   (:func:`slice_regions_2d`); ``--plane`` adds the whole parallelogram ``s, t`` in ``[0, 1]``
   (minutes per model);
3. ``boxes``: ``[x - r, x + r] ∩ [0, 1]^64`` around the first ``--boxes`` test images: exact
   counts with the LP region tree when they finish within ``--time-limit`` seconds, else the
   regions found so far as a lower bound (``>= n``; the analytic upper bounds of ``regioncount
   bounds`` are above 1e170 here and say nothing).

Usage::

    python benchmarks/dcf_regions.py                  # about a minute on one core
    python benchmarks/dcf_regions.py --plane          # adds the whole plane (several minutes)
    python benchmarks/dcf_regions.py --write-docs     # also rewrite the section of docs/dcf.md
    python benchmarks/dcf_regions.py --json out.json  # every number as JSON
    python benchmarks/dcf_regions.py --figures        # only the pictures docs/img/dcf_*.png
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "models"))

import regioncount  # noqa: E402
from regioncount import Domain  # noqa: E402
from regioncount.builders.dcf import build_dcf_net  # noqa: E402
from regioncount.enumeration import count_tree  # noqa: E402
from regioncount.enumeration.slices import slice_regions_1d, slice_regions_2d  # noqa: E402

from build_dcf_models import CHANNELS, KERNEL, MODELS  # noqa: E402
from build_models import digits_split  # noqa: E402
from docsection import write_section  # noqa: E402

DOCS = ROOT / "docs" / "dcf.md"
START, END = "<!-- dcf-regions:start -->", "<!-- dcf-regions:end -->"


def _label(K) -> str:
    return "plain CNN" if K is None else f"DCF K={K}"


def models(trained: bool):
    """(label, lowered network) of the five models, trained or at initialisation."""
    out = []
    for rel, K in MODELS:
        if trained:
            net = regioncount.load(ROOT / "models" / rel)
        else:
            basis = "pixel" if K is None else "fourier-bessel"
            net = build_dcf_net(KERNEL, K, CHANNELS, (1, 8, 8), basis=basis, seed=0).lowered()
        out.append((_label(K), net))
    return out


def plane_domain(u, v) -> Domain:
    """``[0, 1]`` on the coordinates the plane moves; the others are constant in ``[0, 1]`` and
    get a wider box, so that no constraint is degenerate on the plane (same region set)."""
    moving = (u != 0) | (v != 0)
    return Domain.box(np.where(moving, 0.0, -1.0), np.where(moving, 1.0, 2.0))


def count_segments(net, X, pairs) -> list[int]:
    return [len(slice_regions_1d(net, X[i], X[j] - X[i], (0.0, 1.0))) for i, j in pairs]


def count_patch(net, X, side: float) -> int:
    u, v = X[1] - X[0], X[2] - X[0]
    return len(slice_regions_2d(net, X[0], u, v, ((0.0, side), (0.0, side)),
                                domain=plane_domain(u, v)))


def count_boxes(net, X, radius: float, time_limit: float) -> list[tuple[int, bool]]:
    out = []
    for x in X:
        dom = Domain.box(np.clip(x - radius, 0, 1), np.clip(x + radius, 0, 1))
        r = count_tree(net, dom, time_limit=time_limit)
        out.append((int(r.regions), bool(r.complete)))
    return out


def run(args) -> dict:
    _, Xte, _, _ = digits_split()
    rng = np.random.default_rng(0)
    pairs = [tuple(int(v) for v in rng.choice(len(Xte), 2, replace=False)) for _ in range(args.pairs)]
    results = {"pairs": pairs, "patch": args.patch, "radius": args.radius,
               "time_limit": args.time_limit, "models": []}
    for trained in (True, False):
        for label, net in models(trained):
            t = time.monotonic()
            row = {"model": label, "trained": trained,
                   "segments": count_segments(net, Xte, pairs),
                   "patch": count_patch(net, Xte, args.patch),
                   "boxes": count_boxes(net, Xte[: args.boxes], args.radius, args.time_limit)}
            if args.plane:
                row["plane"] = count_patch(net, Xte, 1.0)
            row["seconds"] = round(time.monotonic() - t, 1)
            print(f"{'trained' if trained else 'initial'} {label}: {row['seconds']} s",
                  file=sys.stderr, flush=True)
            results["models"].append(row)
    return results


def _box_cell(boxes) -> str:
    return " / ".join(f"{n}" if done else f">= {n}" for n, done in boxes)


def markdown(res: dict) -> str:
    plane = any("plane" in r for r in res["models"])
    head = (f"| model | weights | segments: mean (total) | patch [0, {res['patch']:g}]^2 | "
            + ("plane [0, 1]^2 | " if plane else "")
            + f"boxes r = {res['radius']:g} around test images 0-{len(res['models'][0]['boxes']) - 1} |")
    lines = [head, "|" + "---|" * (5 + plane)]
    for r in res["models"]:
        seg = r["segments"]
        cells = [r["model"], "trained" if r["trained"] else "initial",
                 f"{np.mean(seg):.1f} ({sum(seg)})", str(r["patch"])]
        cells += [str(r["plane"])] if plane else []
        cells += [_box_cell(r["boxes"])]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


# -- figures (docs/img/dcf_*.png) ------------------------------------------------------------

def _grid(arrays, titles, path: Path, cols: int, title: str) -> None:
    import matplotlib.pyplot as plt

    rows = -(-len(arrays) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(1.3 * cols, 1.45 * rows + 0.3), squeeze=False)
    for ax in axes.ravel():
        ax.axis("off")
    for ax, a, t in zip(axes.ravel(), arrays, titles):
        m = float(np.abs(a).max()) or 1.0
        ax.imshow(a, cmap="RdBu_r", vmin=-m, vmax=m, interpolation="nearest")
        ax.set_title(t, fontsize=7)
    fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)


def basis_figures(out: Path) -> list[Path]:
    """The Fourier-Bessel bases of 3x3, 5x5 and 7x7 filters and a random control."""
    from regioncount.builders.dcf import fb_basis, fb_frequencies, random_basis

    paths = []
    for L, cols in ((3, 6), (5, 7), (7, 10)):
        names = [f"{k},{q} {part}" for k, q, _, part in fb_frequencies(L)]
        paths.append(out / f"dcf_bases_{L}x{L}.png")
        _grid(list(fb_basis(L)), names, paths[-1], cols,
              f"Fourier-Bessel bases of {L}x{L} filters (k, q, part), lowest frequency first")
    paths.append(out / "dcf_bases_random_5x5.png")
    _grid(list(random_basis(5, 14, seed=1)), [str(k) for k in range(14)], paths[-1], 7,
          "Gaussian random bases of 5x5 filters (seed 1), the paper's control")
    return paths


def filter_figure(out: Path) -> Path:
    """The four first-layer filters of every trained model."""
    import onnx
    from onnx import numpy_helper

    arrays, titles = [], []
    for rel, K in MODELS:
        model = onnx.load(str(ROOT / "models" / rel))
        w = {t.name: numpy_helper.to_array(t).astype(float) for t in model.graph.initializer}
        W = (w["W0"] if K is None else
             np.einsum("ok,kuv->ouv", w["A0"][:, :, 0, 0], w["B0"][:K, 0]))
        arrays += [W[o].reshape(KERNEL, KERNEL) for o in range(W.shape[0])]
        titles += [f"{_label(K)} #{o}" for o in range(W.shape[0])]
    path = out / "dcf_filters_trained.png"
    _grid(arrays, titles, path, 4, "First-layer filters of the trained models (models/dcf/)")
    return path


def patch_figure(out: Path, side: float) -> Path:
    """The activation regions of the trained models on the plane patch."""
    import matplotlib.pyplot as plt
    from matplotlib.collections import PolyCollection

    _, Xte, _, _ = digits_split()
    u, v = Xte[1] - Xte[0], Xte[2] - Xte[0]
    nets = models(True)
    fig, axes = plt.subplots(1, len(nets), figsize=(2.4 * len(nets), 2.7))
    for ax, (label, net) in zip(axes, nets):
        polys = slice_regions_2d(net, Xte[0], u, v, ((0.0, side), (0.0, side)),
                                 domain=plane_domain(u, v))
        cmap = plt.get_cmap("tab20")
        ax.add_collection(PolyCollection([p.vertices for p in polys], linewidths=0.3,
                                         edgecolors="k", facecolors=[cmap(i % 20) for i in
                                                                     range(len(polys))]))
        ax.set_xlim(0, side)
        ax.set_ylim(0, side)
        ax.set_aspect("equal")
        ax.set_title(f"{label}: {len(polys)}", fontsize=8)
        ax.tick_params(labelsize=6)
    fig.suptitle(f"Regions on x0 + s (x1 - x0) + t (x2 - x0), s, t in [0, {side:g}] "
                 "(test images 0, 1, 2)", fontsize=9)
    fig.tight_layout()
    path = out / "dcf_regions_patch.png"
    fig.savefig(path, dpi=80)
    plt.close(fig)
    return path


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pairs", type=int, default=10, help="segments between test images")
    ap.add_argument("--patch", type=float, default=0.1, help="side of the plane patch")
    ap.add_argument("--plane", action="store_true", help="also the whole plane (slow)")
    ap.add_argument("--boxes", type=int, default=4, help="boxes around the first test images")
    ap.add_argument("--radius", type=float, default=0.002, help="half side of the boxes")
    ap.add_argument("--time-limit", type=float, default=2.0, help="seconds per box count")
    ap.add_argument("--json", type=Path, default=None, help="write every number here")
    ap.add_argument("--write-docs", action="store_true", help="rewrite the section of docs/dcf.md")
    ap.add_argument("--figures", action="store_true",
                    help="only write the pictures docs/img/dcf_*.png (bases, filters, regions)")
    args = ap.parse_args(argv)
    if args.figures:
        import matplotlib

        matplotlib.use("Agg")
        img = ROOT / "docs" / "img"
        for p in basis_figures(img) + [filter_figure(img), patch_figure(img, args.patch)]:
            print(p.relative_to(ROOT))
        return
    res = run(args)
    table = markdown(res)
    print(table)
    if args.json:
        args.json.write_text(json.dumps(res, indent=1))
    if args.write_docs:
        cmd = "python benchmarks/dcf_regions.py" + (" --plane" if args.plane else "")
        write_section(f"{START}\n\nMeasured with `{cmd} --write-docs`:\n\n{table}\n\n{END}",
                      START, END, DOCS)


if __name__ == "__main__":
    main()
