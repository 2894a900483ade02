"""Benchmark: exact region counting, the LP region tree against baselines in the same run.

1. ``max-construction-2-6-6`` of ``exact_counts.json`` (352 regions on [-1, 4]^2): the region
   tree (one worker) against the MILP no-good baseline (Serra et al. 2018; HiGHS, LP-tightened
   big-Ms), both exact, same patterns checked.
2. ``marabou/mnist2x10.onnx`` (784-10-10-10, MNIST) over [0, 1]^784: the exact count by the
   region tree on ``--workers`` processes; baseline for the ratio: the same tree with every
   shortcut off (one Chebyshev-centre LP for every unit no cheap check decides, no look-ahead,
   no known points, no feasibility LPs), run for ``--baseline-seconds`` on one worker, and the
   tree itself on one worker for the same time (rates compared per worker).

Usage::

    python3 benchmarks/bench_count.py [--workers 2] [--baseline-seconds 30] [--no-write]

Data are looked up in ``$REGIONCOUNT_SHARED`` (default ``../shared`` beside the checkout). It
rewrites its section of ``docs/benchmarks.md`` (between the ``count`` markers).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import regioncount  # noqa: E402
from regioncount import Domain, Network  # noqa: E402
from regioncount.enumeration import count_tree  # noqa: E402
from regioncount.enumeration.milp_count import count_milp  # noqa: E402
from regioncount.enumeration.limits import Limits  # noqa: E402
from regioncount.enumeration.search import Searcher  # noqa: E402

from docsection import write_section

SHARED = Path(os.environ.get("REGIONCOUNT_SHARED", ROOT.parent / "shared"))
START, END = "<!-- count:start -->", "<!-- count:end -->"


def construction():
    data = json.loads((SHARED / "reference" / "exact_counts.json").read_text())
    e = next(x for x in data["networks"] if x["name"] == "max-construction-2-6-6")
    layers = [(np.array(W, float), np.array(b, float)) for W, b in e["layers"]]
    return Network.from_layers(layers, name=e["name"]), Domain.box(e["lo"], e["hi"], 2), e["regions"]


def rate(net, dom, seconds, plain: bool) -> tuple[float, float]:
    """Regions per second and LPs per region of a time-limited one-worker search."""
    s = Searcher(net, dom)
    if plain:
        s.prepass = s.lookahead = s.heuristic = s.feasibility = False
    stack = [s.root()]
    t = time.monotonic()
    s.run(stack, Limits(deadline=t + seconds))
    dt = time.monotonic() - t
    c = s.counters
    return c.regions / dt, c.lps / max(c.regions, 1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--baseline-seconds", type=float, default=30.0)
    ap.add_argument("--skip-mnist", action="store_true")
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()

    load0 = os.getloadavg()[0]
    net, dom, expected = construction()
    t = time.perf_counter()
    tree = count_tree(net, dom, workers=1, keep_patterns=True)
    t_tree = time.perf_counter() - t
    t = time.perf_counter()
    milp = count_milp(net, dom, solver="highs")
    t_milp = time.perf_counter() - t
    assert tree.regions == milp.regions == expected, (tree.regions, milp.regions, expected)
    assert tree.pattern_set() == milp.pattern_set()
    print(f"2-6-6: tree {t_tree:.3f} s, MILP {t_milp:.1f} s, ratio {t_milp / t_tree:.0f}x",
          file=sys.stderr)

    mn = None
    path = SHARED / "models" / "marabou" / "mnist2x10.onnx"
    if not args.skip_mnist and path.exists():
        m = regioncount.load(path)
        box = Domain.box(0.0, 1.0, m.input_size)
        t = time.perf_counter()
        res = count_tree(m, box, workers=args.workers)
        t_full = time.perf_counter() - t
        print(f"mnist2x10: {res.regions} regions, complete {res.complete}, {t_full:.1f} s",
              file=sys.stderr)
        r_tree, lpr_tree = rate(m, box, args.baseline_seconds, plain=False)
        r_plain, lpr_plain = rate(m, box, args.baseline_seconds, plain=True)
        mn = dict(res=res, t=t_full, r_tree=r_tree, r_plain=r_plain, lpr_tree=lpr_tree,
                  lpr_plain=lpr_plain)

    cpu = os.cpu_count()
    load1 = os.getloadavg()[0]
    lines = [
        START,
        "## Exact region counting (`benchmarks/bench_count.py`)",
        "",
        f"Python {platform.python_version()}, HiGHS through highspy, {cpu} cores shared with "
        f"other jobs while measured (1-minute load average {load0:.1f} at the start, {load1:.1f} "
        "at the end: every process got less than a core), one run each. Counts are activation "
        "regions (docs/count.md), exact.",
        "",
        "| network | domain | regions | method | time | LPs (MILPs) | LPs per region | regions / s | ratio |",
        "|---|---|---:|---|---:|---:|---:|---:|---:|",
        f"| max-construction-2-6-6 | [-1, 4]^2 | {tree.regions:,} | region tree, 1 worker | "
        f"{t_tree:.3f} s | {tree.lps:,} | {tree.lps / tree.regions:.2f} | "
        f"{tree.regions / t_tree:,.0f} | **{t_milp / t_tree:,.0f}x** |",
        f"| max-construction-2-6-6 | [-1, 4]^2 | {milp.regions:,} | MILP no-good (baseline) | "
        f"{t_milp:.1f} s | {milp.lps:,} | - | {milp.regions / t_milp:,.1f} | 1x |",
    ]
    if mn is not None:
        res = mn["res"]
        state = "exact" if res.complete else "partial"
        lines += [
            f"| mnist2x10 (784-10-10-10) | [0, 1]^784 | {res.regions:,} ({state}) | region tree, "
            f"{res.workers} workers | {mn['t']:.1f} s | {res.lps:,} | {res.lps / res.regions:.2f} | "
            f"{res.regions / mn['t']:,.0f} | - |",
            f"| mnist2x10, first {args.baseline_seconds:.0f} s | [0, 1]^784 | - | region tree, 1 worker | "
            f"- | - | {mn['lpr_tree']:.2f} | {mn['r_tree']:,.0f} | **{mn['r_tree'] / mn['r_plain']:.1f}x** |",
            f"| mnist2x10, first {args.baseline_seconds:.0f} s | [0, 1]^784 | - | plain depth-first "
            f"LP tree (baseline) | - | - | {mn['lpr_plain']:.2f} | {mn['r_plain']:,.0f} | 1x |",
        ]
    lines += [
        "",
        "Ratios: 2-6-6, MILP time over tree time (both exact, same pattern set checked in the "
        "run); mnist2x10, regions per second of the tree over the plain depth-first LP tree "
        "(one Chebyshev LP per undecided unit and node, the same HiGHS warm starts), both on "
        "one worker over the same first seconds of the same search order.",
    ]
    if mn is not None:
        res = mn["res"]
        per_class = ", ".join(f"{k}: {v:,}" for k, v in sorted(res.per_class.items()))
        est = res.regions / mn["r_plain"] if mn["r_plain"] > 0 else math.inf
        lines += [
            "",
            f"mnist2x10: regions after the first layer {res.per_layer[0]:,} (all 2^10 sign "
            f"patterns), after the second {res.per_layer[-1]:,}. Regions per output argmax (at each "
            f"region's interior point): {per_class}. At the plain tree's rate the same count "
            f"would take about {est / 60:.0f} min on one worker.",
            "",
            f"Target: mnist2x10 exactly in under 2 minutes on 2 cores: "
            f"{'met' if res.complete and mn['t'] < 120 else 'not met in this run'} "
            f"({mn['t']:.0f} s with {res.workers} workers; one worker alone ran at "
            f"{mn['r_tree']:,.0f} regions/s, that is {res.regions / mn['r_tree']:.0f} s for the "
            "count on one core).",
        ]
    lines.append(END)
    section = "\n".join(lines)
    print(section)
    if args.no_write:
        return
    write_section(section, START, END)


if __name__ == "__main__":
    main()
