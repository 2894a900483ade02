"""Benchmark: LP bound tightening and stable units on real networks.

For the three ACAS Xu networks of VNN-COMP 2021 over the normalised ACAS Xu input box, and
an MNIST MLP over a pixel box, it measures

- the stable units interval propagation proves, and those LP tightening proves,
- the mean width of the last hidden layer's pre-activation bounds (interval vs LP),
- LP tightening warm-started (each LP re-solved from the previous basis, the default)
  against cold-started (basis cleared before every LP: the baseline, same run).

Usage::

    python3 benchmarks/bench_tighten.py [--solver highs] [--no-write]

The models are looked up in ``$REGIONCOUNT_SHARED/models`` (default ``../shared`` beside the
checkout). It rewrites its section of ``docs/benchmarks.md`` (between the ``tighten``
markers).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import regioncount  # noqa: E402
from regioncount import Domain  # noqa: E402
from regioncount.milp.tighten import tighten  # noqa: E402

from docsection import write_section

SHARED = Path(os.environ.get("REGIONCOUNT_SHARED", ROOT.parent / "shared"))
START, END = "<!-- tighten:start -->", "<!-- tighten:end -->"

#: The normalised ACAS Xu input box of the VNN-COMP 2021 properties (rho, theta, psi,
#: v_own, v_int after the networks' input normalisation).
ACAS_LO = [-0.3284, -0.5, -0.5, -0.5, -0.5]
ACAS_HI = [0.6799, 0.5, 0.5, 0.5, 0.5]

CASES = [
    ("ACAS Xu 1_1", "vnncomp2021/ACASXU_run2a_1_1_batch_2000.onnx", "acas"),
    ("ACAS Xu 3_3", "vnncomp2021/ACASXU_run2a_3_3_batch_2000.onnx", "acas"),
    ("ACAS Xu 5_9", "vnncomp2021/ACASXU_run2a_5_9_batch_2000.onnx", "acas"),
    ("MNIST 256x2", "vnncomp2021/mnist-net_256x2.onnx", "pixels"),
]


def domain_for(kind: str, n: int) -> Domain:
    if kind == "acas":
        return Domain(np.array(ACAS_LO), np.array(ACAS_HI))
    return Domain.box(0.4, 0.6, n)          # every pixel in [0.4, 0.6]


def run_case(label, rel, kind, solver):
    path = SHARED / "models" / rel
    if not path.exists():
        print(f"skip {label}: {path} not found", file=sys.stderr)
        return None
    net = regioncount.load(path)
    dom = domain_for(kind, net.input_size)
    t0 = time.perf_counter()
    ti = tighten(net, dom, method="interval")
    t_int = time.perf_counter() - t0
    t0 = time.perf_counter()
    warm = tighten(net, dom, method="lp", solver=solver, warm=True, threads=1)
    t_warm = time.perf_counter() - t0
    t0 = time.perf_counter()
    cold = tighten(net, dom, method="lp", solver=solver, warm=False, threads=1)
    t_cold = time.perf_counter() - t0
    for a, b in zip(warm.stages, cold.stages):     # same LPs, same answers
        assert np.array_equal(a.active, b.active) and np.array_equal(a.inactive, b.inactive)
    last = net.pwl_indices[-1]
    wi = np.mean(np.subtract(*ti.bounds.pre(last)[::-1]))
    wl = np.mean(np.subtract(*warm.bounds.pre(last)[::-1]))
    solves = sum(s.lp_solves for s in warm.stages)
    per_layer_i = "/".join(str(int((s.active | s.inactive).sum())) for s in ti.stages)
    per_layer_l = "/".join(str(int((s.active | s.inactive).sum())) for s in warm.stages)
    row = dict(label=label, file=Path(rel).name, units=net.pwl_units, n0=net.input_size,
               int_stable=ti.stable_count(), lp_stable=warm.stable_count(), per_i=per_layer_i,
               per_l=per_layer_l, t_int=t_int, t_warm=t_warm, t_cold=t_cold, solves=solves,
               wi=wi, wl=wl)
    print(f"{label}: interval {row['int_stable']} stable ({per_layer_i}), LP {row['lp_stable']} "
          f"({per_layer_l}); warm {t_warm:.2f} s, cold {t_cold:.2f} s, {solves} LPs; last-layer "
          f"width {wi:.4g} -> {wl:.4g}", file=sys.stderr)
    return row


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--solver", default="highs")
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    rows = [r for r in (run_case(*c, args.solver) for c in CASES) if r is not None]
    if not rows:
        print("no models found; nothing written", file=sys.stderr)
        return
    lines = [
        START,
        "## Stable units and LP bound tightening (`benchmarks/bench_tighten.py`)",
        "",
        f"Python {platform.python_version()}, solver {args.solver}, one thread, one run each. "
        "Domains: ACAS Xu over the normalised input box of the VNN-COMP 2021 properties, "
        f"lo = {ACAS_LO}, hi = {ACAS_HI}; MNIST 256x2 with every pixel in [0.4, 0.6]. "
        "Stable counts are over all ReLUs (per layer in brackets). LP tightening minimises and "
        "maximises every unstable pre-activation over the LP relaxation, layer by layer "
        "(the first layer over a box is exact already and is skipped). Baseline for the ratio: "
        "the same LPs cold-started (basis cleared before each solve), in the same run. "
        "Width: mean of `hi - lo` of the last hidden layer's pre-activations.",
        "",
        "| network | ReLUs | stable: interval | stable: LP | LPs | interval | LP warm | LP cold (baseline) | cold / warm | width interval -> LP |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['label']} | {r['units']} | {r['int_stable']} ({r['per_i']}) | {r['lp_stable']} "
            f"({r['per_l']}) | {r['solves']} | {r['t_int'] * 1000:.1f} ms | {r['t_warm']:.2f} s | "
            f"{r['t_cold']:.2f} s | {r['t_cold'] / r['t_warm']:.2f}x | {r['wi']:.4g} -> {r['wl']:.4g} |")
    lines += [
        "",
        "Reading: over the whole ACAS Xu box almost every unit switches somewhere, and the LP "
        "relaxation proves no further unit stable although it shrinks the deep layers' bounds "
        "by an order of magnitude (smaller big-M constants for every MILP built on them). "
        "Warm starts pay off when each LP is large (784 inputs: about 10x); on the small "
        "ACAS Xu LPs (about 500 columns) a cold solve, which HiGHS presolves first, is faster "
        "(ratio below 1: the kept basis of one unit's optimum is a poor start for the next "
        "unit's, measured as more simplex iterations in total). Warm stays the default: it "
        "loses little where it loses and wins by an order of magnitude where LPs are large; "
        "`tighten(..., warm=False)` selects the cold solves.",
        END,
    ]
    section = "\n".join(lines)
    print(section)
    if args.no_write:
        return
    write_section(section, START, END)


if __name__ == "__main__":
    main()
