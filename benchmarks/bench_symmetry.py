"""Benchmark: symmetry-aware counting (one region per orbit) against the plain count.

Small untrained p4 / p4m G-CNNs (``regioncount build p4|p4m``, seed 0, 3x3 filters) are
counted twice with the LP region tree on one worker, in the same run: plainly on the domain
(the baseline), and with :func:`regioncount.symmetry.count_symmetric` (the tree on a
fundamental domain, then the orbits). Both counts are exact; the totals and the pattern sets
are checked equal. The speed-up is the ratio of the wall times; the LP ratio is the plain
count's LPs over the symmetric count's.

Usage::

    python3 benchmarks/bench_symmetry.py [--no-write]

It rewrites its section of ``docs/benchmarks.md`` (between the ``symmetry`` markers); about a
minute on one core.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from regioncount import Domain  # noqa: E402
from regioncount.builders.groups import IMAGE_GROUPS, build_group_net  # noqa: E402
from regioncount.enumeration import count_tree  # noqa: E402
from regioncount.symmetry import count_symmetric  # noqa: E402

from docsection import write_section  # noqa: E402

START, END = "<!-- symmetry:start -->", "<!-- symmetry:end -->"
#: (group, channels, input size H, box half-width around 0.5)
CASES = [("p4", (1, 2), 2, 0.5), ("p4m", (1, 1), 2, 0.5), ("p4", (1, 1), 3, 0.1)]


def run_case(group, channels, H, w) -> dict:
    net = build_group_net(group, channels, 3, (1, H, H), seed=0).lowered()
    dom = Domain.box(0.5 - w, 0.5 + w, net.input_size)
    t = time.perf_counter()
    plain = count_tree(net, dom, keep_patterns=True)
    tp = time.perf_counter() - t
    t = time.perf_counter()
    sym = count_symmetric(net, dom, group, keep_patterns=True)
    ts = time.perf_counter() - t
    if not (plain.complete and sym.complete and plain.pattern_set() == sym.pattern_set()):
        raise SystemExit(f"{group} {channels}: the symmetric count differs from the plain count")
    arch = f"{group} [1,{H},{H}] -> " + " -> ".join(
        f"{c}x{IMAGE_GROUPS[group]}" for c in channels[1:])
    return dict(arch=arch, units=net.pwl_units, dom=f"[{0.5 - w:g}, {0.5 + w:g}]^{net.input_size}",
                regions=plain.regions, orbits=sym.extra["orbits"], sizes=sym.extra["orbit_sizes"],
                fundamental=sym.extra["fundamental_regions"], order=IMAGE_GROUPS[group],
                tp=tp, ts=ts, lp=plain.lps, ls=sym.lps)


def section(rows, load0, load1) -> str:
    lines = [
        START, "## Symmetry-aware counting (`benchmarks/bench_symmetry.py`)", "",
        f"Python {platform.python_version()}, HiGHS through highspy, one worker, 2 cores shared "
        f"with other jobs (1-minute load average {load0:.1f} at the start, {load1:.1f} at the "
        "end), one run each. Untrained G-CNNs of `regioncount build p4|p4m` (seed 0, 3x3 "
        "filters, each layer `C x |G|` channels, ReLU). Baseline: the plain region tree on the "
        "box, in the same run. Both counts exact; the totals and the pattern sets are equal. "
        "`fundamental` is the number of regions the tree met on the fundamental domain.", "",
        "| network | ReLUs | domain | regions | orbits (size: number) | fundamental | plain | "
        "symmetric | speed-up | LPs plain / symmetric | |G| |",
        "|---|---:|---|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        sizes = ", ".join(f"{k}: {v:,}" for k, v in r["sizes"].items())
        lines.append(f"| {r['arch']} | {r['units']} | {r['dom']} | {r['regions']:,} | "
                     f"{r['orbits']:,} ({sizes}) | {r['fundamental']:,} | {r['tp']:.2f} s | "
                     f"{r['ts']:.2f} s | **{r['tp'] / r['ts']:.1f}x** | "
                     f"{r['lp']:,} / {r['ls']:,} = {r['lp'] / r['ls']:.1f}x | {r['order']} |")
    lines += ["", "Reading: the tree only works on the fundamental domain, so the speed-up is the "
              "total over the regions met there: close to |G| when regions are small next to the "
              "domain and few straddle its walls (4 inputs), far below it when most regions meet "
              "the walls, which all contain the symmetric images (9 inputs, a box of half-width "
              "0.1 around the constant image: almost every region touches the centre).", END]
    return "\n".join(lines)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-write", action="store_true", help="print, do not rewrite the docs")
    args = ap.parse_args(argv)
    load0 = os.getloadavg()[0]
    rows = []
    for case in CASES:
        rows.append(run_case(*case))
        r = rows[-1]
        print(f"{r['arch']:28s} {r['regions']:7,} regions  {r['orbits']:6,} orbits  plain "
              f"{r['tp']:.2f} s  symmetric {r['ts']:.2f} s  ({r['tp'] / r['ts']:.1f}x)", flush=True)
    text = section(rows, load0, os.getloadavg()[0])
    if args.no_write:
        print(text)
    else:
        write_section(text, START, END)


if __name__ == "__main__":
    main()
