"""Benchmark: where ``--method auto`` should switch from the vertex method to the region tree.

For each input dimension ``d`` from 3 to 8, two networks of widths 12 and 8 (ReLU) are
counted on ``[-0.5, 0.5]^d`` by the vertex method and by the region tree (one worker), in the
same run, each in a fresh forked process:

- *random*: Gaussian weights (seed ``d``), biases scaled by 0.3;
- *trained*: an ``MLPClassifier`` (scikit-learn, the test extra) trained on 2,000 points of the
  box labelled by the sign of a random quadratic form, so that its hyperplanes follow data.

The ratio is tree CPU seconds over vertex CPU seconds (CPU, not wall: the machine is shared);
both counts must agree. ``regioncount.app.AUTO_VERTEX_MAX_INPUTS`` is the largest ``d`` at
which the vertex method is faster on both networks at every smaller ``d`` too, with a margin
(docs/count.md).

Usage::

    python3 benchmarks/bench_auto.py [--max-d 8] [--seconds 300] [--no-write]

It rewrites its section of ``docs/benchmarks.md`` (between the ``auto`` markers).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import platform
import sys
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from regioncount import Domain, Network  # noqa: E402
from regioncount.app import AUTO_VERTEX_MAX_INPUTS  # noqa: E402
from regioncount.enumeration import count_tree  # noqa: E402
from regioncount.enumeration.vertex import count_vertex  # noqa: E402

from docsection import write_section  # noqa: E402

START, END = "<!-- auto:start -->", "<!-- auto:end -->"
WIDTHS = (12, 8)


def random_layers(d: int) -> list:
    rng = np.random.default_rng(d)
    sizes = (d,) + WIDTHS + (2,)
    return [(rng.normal(size=(m, n)), rng.normal(size=m) * 0.3)
            for n, m in zip(sizes[:-1], sizes[1:])]


def trained_layers(d: int) -> list:
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    rng = np.random.default_rng(100 + d)
    X = rng.uniform(-0.5, 0.5, size=(2000, d))
    Q = rng.normal(size=(d, d))
    y = (np.einsum("ij,jk,ik->i", X, Q + Q.T, X) > 0).astype(int)
    clf = MLPClassifier(hidden_layer_sizes=WIDTHS, max_iter=300, random_state=d)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    return [(W.T, b) for W, b in zip(clf.coefs_, clf.intercepts_)]


def _run(kind: str, d: int, method: str, seconds: float):
    layers = (random_layers if kind == "random" else trained_layers)(d)
    net = Network.from_layers(layers)
    dom = Domain.box(-0.5, 0.5, d)
    c = time.process_time()
    if method == "vertex":
        res = count_vertex(net, dom, time_limit=seconds)
    else:
        res = count_tree(net, dom, time_limit=seconds, workers=1)
    return res.regions, res.complete, time.process_time() - c


def measure(kind: str, d: int, seconds: float) -> dict:
    out = {"kind": kind, "d": d}
    for m in ("vertex", "tree"):
        with ProcessPoolExecutor(1, mp_context=mp.get_context("fork")) as ex:
            out[m] = ex.submit(_run, kind, d, m, seconds).result()
    v, t = out["vertex"], out["tree"]
    print(f"{kind} d={d}: vertex {v}, tree {t}", flush=True)
    return out


def row(x: dict) -> str:
    (nv, cv, sv), (nt, ct, st) = x["vertex"], x["tree"]
    if cv and ct:
        ratio = f"{st / sv:.1f}" if nv == nt else "counts differ"
    elif cv:
        ratio = f"> {st / sv:.1f} (tree stopped)"
    else:
        ratio = "vertex stopped"
    return (f"| {x['kind']} | {x['d']} | {nv:,}{'' if cv else ' (partial)'} | {sv:.2f} | "
            f"{nt:,}{'' if ct else ' (partial)'} | {st:.2f} | {ratio} |")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--min-d", type=int, default=3)
    ap.add_argument("--max-d", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=300.0, help="time limit of each count")
    ap.add_argument("--no-write", action="store_true")
    a = ap.parse_args(argv)
    rows = [measure(k, d, a.seconds) for d in range(a.min_d, a.max_d + 1)
            for k in ("random", "trained")]
    lines = [START, "## Where `--method auto` switches (benchmarks/bench_auto.py)", "",
             f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores shared, "
             f"Python {platform.python_version()}, load average {os.getloadavg()[0]:.1f} at the "
             f"end. Networks d-{WIDTHS[0]}-{WIDTHS[1]}-2 (ReLU) on [-0.5, 0.5]^d: random "
             "Gaussian weights, or trained by scikit-learn on the sign of a random quadratic "
             "form. CPU seconds of each count in its own process (the tree on one worker), "
             f"stopped after {a.seconds:g} s. Ratio: tree CPU over vertex CPU, in the same run. "
             f"`auto` uses the vertex method up to d = {AUTO_VERTEX_MAX_INPUTS}.", "",
             "| network | d | regions (vertex) | vertex CPU s | regions (tree) | tree CPU s | "
             "vertex faster |", "|---|---:|---:|---:|---:|---:|---|"]
    lines += [row(x) for x in rows] + ["", END]
    if not a.no_write:
        write_section("\n".join(lines), START, END)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
