"""Benchmark: Serra et al.'s bound by the layer-at-a-time recursion against the sum written out over
its index set J (the baseline), and the whole ``bounds --arch`` report.

Run ``python3 benchmarks/bench_bounds.py`` from the repository root; it prints a table and
rewrites its section of ``docs/benchmarks.md`` (between the ``bounds`` markers).
"""

from __future__ import annotations

import itertools
import platform
import sys
import time
from math import comb, prod
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from regioncount.bounds import formulas as F  # noqa: E402
from regioncount.bounds.registry import bounds_for_arch  # noqa: E402

from docsection import write_section

ARCHS = [(10, 8, 8, 8), (784, 11, 11), (784, 16, 16, 16), (784, 22, 22, 22, 22)]
START, END = "<!-- bounds:start -->", "<!-- bounds:end -->"


def brute_force(arch):
    """The baseline: every tuple (j_1..j_L) with 0 <= j_l <= n_l, kept when it is in J."""
    n0, ws = arch[0], arch[1:]
    total = 0
    for js in itertools.product(*[range(n + 1) for n in ws]):
        if all(j <= min([n0] + [ws[k] - js[k] for k in range(l)] + [ws[l]])
               for l, j in enumerate(js)):
            total += prod(comb(n, j) for n, j in zip(ws, js))
    return total


def best_of(f, repeat=3):
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        v = f()
        best = min(best, time.perf_counter() - t)
    return best, v


def main() -> None:
    rows = []
    for arch in ARCHS:
        t_rec, v_rec = best_of(lambda: F.serra2018_upper(arch))
        t_bf, v_bf = best_of(lambda: brute_force(arch), repeat=1)
        assert v_rec == v_bf, arch
        t_all, _ = best_of(lambda: bounds_for_arch(arch, maxout_rank=3))
        rows.append((arch, v_rec, t_rec, t_bf, t_all))
    lines = [START, "## Analytic bounds (`benchmarks/bench_bounds.py`)", "",
             f"Python {platform.python_version()}, one process. Serra et al.'s Thm 1 bound by the "
             "layer-at-a-time recursion against the sum written out over its index set J (baseline, "
             "same run); last column: the whole `bounds --arch ... --maxout-rank 3` report.", "",
             "| architecture | serra2018_upper | recursion | sum over J (baseline) | speed-up | full report |",
             "|---|---:|---:|---:|---:|---:|"]
    for arch, v, t_rec, t_bf, t_all in rows:
        lines.append(f"| {'-'.join(map(str, arch))} | {v:,} | {t_rec * 1e3:.3f} ms | "
                     f"{t_bf * 1e3:.1f} ms | {t_bf / t_rec:,.0f}x | {t_all * 1e3:.2f} ms |")
    lines.append(END)
    section = "\n".join(lines)
    print(section)
    write_section(section, START, END)


if __name__ == "__main__":
    main()
