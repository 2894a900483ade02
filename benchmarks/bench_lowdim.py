"""Benchmark: exact counts for low input dimension, the vertex method against the region tree
(and exact slices in 2-D) in the same run (issue 11).

Cases (models of ``$REGIONCOUNT_SHARED/models``, default ``../shared`` beside the checkout):

- fc1 (Marabou, 2-25-25-25-2) on [-3, 3]^2: vertex, tree, slice;
- cartpole (VNN-COMP 2022, 4-64-64-2) on [-0.1, 0.1]^4 and [-0.3, 0.3]^4: vertex, tree;
- ACAS Xu N_1,1 (5-50x6-5) on [-0.02, 0.02]^5: vertex, tree.

``--targets acas cartpole`` adds the long cases of the issue (ACAS Xu N_1,1 on
[-0.05, 0.05]^5: 14,941 regions; cartpole on [-1, 1]^4: 602,490), run by the vertex method with
``--target-seconds`` each and the tree with ``--tree-seconds``. Each run is a fresh forked
process, so its peak resident memory (``ru_maxrss``) is its own. Counts of the two methods are compared (regions and
pattern sets when both complete).

Usage::

    python3 benchmarks/bench_lowdim.py [--tree-seconds 30] [--targets acas cartpole] [--no-write]

It rewrites its section of ``docs/benchmarks.md`` (between the ``lowdim`` markers).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import platform
import resource
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from regioncount import Domain, load  # noqa: E402
from regioncount.enumeration import count_tree  # noqa: E402
from regioncount.enumeration.slices import count_slice  # noqa: E402
from regioncount.enumeration.vertex import count_vertex  # noqa: E402

from docsection import write_section  # noqa: E402

SHARED = Path(os.environ.get("REGIONCOUNT_SHARED", ROOT.parent / "shared"))
START, END = "<!-- lowdim:start -->", "<!-- lowdim:end -->"

FC1 = "marabou/fc1.onnx"
CARTPOLE = "vnncomp2022/cartpole.onnx"
ACAS = "vnncomp2021/ACASXU_run2a_1_1_batch_2000.onnx"
#: (label, model, input dimension, half-width of the box, methods)
CASES = [("fc1", FC1, 2, 3.0, ("vertex", "tree", "slice")),
         ("cartpole", CARTPOLE, 4, 0.1, ("vertex", "tree")),
         ("cartpole", CARTPOLE, 4, 0.3, ("vertex", "tree")),
         ("ACAS Xu N_1,1", ACAS, 5, 0.02, ("vertex", "tree"))]
#: The long targets of the issue, by name (``--targets acas cartpole``).
TARGETS = {"acas": ("ACAS Xu N_1,1", ACAS, 5, 0.05, ("vertex", "tree")),
           "cartpole": ("cartpole", CARTPOLE, 4, 1.0, ("vertex",))}


def _run(model: str, d: int, r: float, method: str, seconds: float | None):
    """One count in this (forked) process: (regions, complete, seconds, peak MiB, patterns)."""
    net = load(SHARED / "models" / model)
    dom = Domain.box(-r, r, d)
    t = time.monotonic()
    if method == "vertex":
        res = count_vertex(net, dom, time_limit=seconds, keep_patterns=True)
    elif method == "tree":
        res = count_tree(net, dom, time_limit=seconds, keep_patterns=True)
    else:
        res = count_slice(net, dom)
    wall = time.monotonic() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    pats = res.pattern_set() if res.complete and res.patterns is not None else None
    return res.regions, res.complete, wall, peak, pats


def run_case(case, seconds: float | None) -> list[dict]:
    label, model, d, r, methods = case
    rows = []
    for m in methods:
        with ProcessPoolExecutor(1, mp_context=mp.get_context("fork")) as ex:
            n, complete, wall, peak, pats = ex.submit(_run, model, d, r, m,
                                                      seconds.get(m)).result()
        rows.append(dict(case=f"{label}, [-{r:g},{r:g}]^{d}", method=m, regions=n,
                         complete=complete, seconds=wall, peak=peak, patterns=pats))
        print(f"{label} r={r:g} {m}: {n} regions, complete={complete}, {wall:.2f} s, "
              f"{peak:.0f} MiB", flush=True)
    done = [x for x in rows if x["patterns"] is not None]
    agree = all(x["patterns"] == done[0]["patterns"] for x in done) if len(done) > 1 else None
    for x in rows:
        x["agree"] = agree
    return rows


def table(rows: list[dict]) -> list[str]:
    out = ["| network, box | method | regions | complete | seconds | regions/s | peak RSS "
           "| same patterns |", "|---|---|---:|---|---:|---:|---:|---|"]
    for x in rows:
        rate = x["regions"] / x["seconds"] if x["seconds"] > 0 else 0.0
        same = {True: "yes", False: "NO", None: "-"}[x["agree"]]
        out.append(f"| {x['case']} | {x['method']} | {x['regions']:,} | "
                   f"{'yes' if x['complete'] else 'no (time limit)'} | {x['seconds']:.2f} | "
                   f"{rate:,.0f} | {x['peak']:.0f} MiB | {same} |")
    return out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tree-seconds", type=float, default=30.0)
    ap.add_argument("--targets", nargs="*", choices=sorted(TARGETS), default=[],
                    help="add long target cases (acas: 14,941 regions; cartpole: 602,490)")
    ap.add_argument("--target-seconds", type=float, default=600.0)
    ap.add_argument("--no-write", action="store_true")
    a = ap.parse_args(argv)
    if not (SHARED / "models").exists():
        sys.exit(f"shared models not found in {SHARED}")
    rows = []
    for case in CASES:
        rows += run_case(case, {"tree": a.tree_seconds})
    for name in a.targets:
        rows += run_case(TARGETS[name], {"tree": a.tree_seconds, "vertex": a.target_seconds})
    lines = [START, "## Low input dimension: the vertex method and the region tree "
             "(benchmarks/bench_lowdim.py)", "",
             f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores shared, "
             f"Python {platform.python_version()}; one process per run, the tree on one worker "
             f"and stopped after {a.tree_seconds:g} s. Peak RSS is the run's forked process "
             "(it includes the interpreter and the loaded libraries, about 80 MiB).", ""]
    lines += table(rows) + ["", END]
    if not a.no_write:
        write_section("\n".join(lines), START, END)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
