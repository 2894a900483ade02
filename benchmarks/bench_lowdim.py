"""Benchmark: exact counts for low input dimension, the vertex method against the region tree
(and exact slices in 2-D) in the same run (issue 11).

Cases (models of ``$REGIONCOUNT_SHARED/models``, default ``../shared`` beside the checkout):

- fc1 (Marabou, 2-25-25-25-2) on [-3, 3]^2: vertex, tree, slice;
- cartpole (VNN-COMP 2022, 4-64-64-2) on [-0.1, 0.1]^4 and [-0.3, 0.3]^4: vertex, tree;
- ACAS Xu N_1,1 (5-50x6-5) on [-0.02, 0.02]^5: vertex, tree.

``--targets acas cartpole`` adds the targets of the issue: ACAS Xu N_1,1 on [-0.05, 0.05]^5
(14,941 regions; vertex and tree) and cartpole on [-1, 1]^4 (602,490 regions; vertex only, the
tree is hopeless there). ``--targets moonshot`` adds ACAS Xu N_1,1 on [-0.2, 0.2]^5 (vertex
only, stopped after ``--target-seconds``). The vertex method runs with ``--target-seconds``
each, the tree with ``--tree-seconds``. Each run is a fresh forked process, so its peak
resident memory (``ru_maxrss``) and CPU time are its own; on a shared machine the CPU seconds
say more than the wall clock, and the ratio of the two methods in the same run is what
compares. Counts of the two methods are compared (regions and pattern sets when both
complete).

Usage::

    python3 benchmarks/bench_lowdim.py [--tree-seconds 60] [--targets acas cartpole] [--no-write]

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
#: The long targets of the issue, by name (``--targets acas cartpole moonshot``).
TARGETS = {"acas": ("ACAS Xu N_1,1", ACAS, 5, 0.05, ("vertex", "tree")),
           "cartpole": ("cartpole", CARTPOLE, 4, 1.0, ("vertex",)),
           "moonshot": ("ACAS Xu N_1,1", ACAS, 5, 0.2, ("vertex",))}


def _run(model: str, d: int, r: float, method: str, seconds: float | None, patterns: bool):
    """One count in this (forked) process: (regions, complete, stop reason, seconds, CPU
    seconds, peak MiB, pattern set or None, extra)."""
    net = load(SHARED / "models" / model)
    dom = Domain.box(-r, r, d)
    t, c = time.monotonic(), time.process_time()
    if method == "vertex":
        res = count_vertex(net, dom, time_limit=seconds, keep_patterns=patterns)
    elif method == "tree":
        res = count_tree(net, dom, time_limit=seconds, keep_patterns=patterns)
    else:
        res = count_slice(net, dom)
    wall, cpu = time.monotonic() - t, time.process_time() - c
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    pats = res.pattern_set() if res.complete and res.patterns is not None else None
    return res.regions, res.complete, res.stop_reason, wall, cpu, peak, pats, res.extra


def run_case(case, seconds: dict) -> list[dict]:
    label, model, d, r, methods = case
    rows = []
    compare = len(methods) > 1
    for m in methods:
        with ProcessPoolExecutor(1, mp_context=mp.get_context("fork")) as ex:
            n, complete, reason, wall, cpu, peak, pats, extra = ex.submit(
                _run, model, d, r, m, seconds.get(m), compare).result()
        rows.append(dict(case=f"{label}, [-{r:g},{r:g}]^{d}", method=m, regions=n,
                         complete=complete, reason=reason, seconds=wall, cpu=cpu, peak=peak,
                         patterns=pats, subboxes=extra.get("subboxes")))
        print(f"{label} r={r:g} {m}: {n} regions, complete={complete} {reason}, {wall:.2f} s "
              f"(CPU {cpu:.2f} s), {peak:.0f} MiB", flush=True)
    done = [x for x in rows if x["patterns"] is not None]
    agree = all(x["patterns"] == done[0]["patterns"] for x in done) if len(done) > 1 else None
    vertex = next((x for x in rows if x["method"] == "vertex"), None)
    for x in rows:
        x["agree"] = agree
        x["speedup"] = None
        if vertex is not None and x is not vertex and vertex["complete"]:
            # the other method's time over the vertex method's; when the other one did not
            # finish, its regions per second against the vertex method's
            if x["complete"]:
                x["speedup"] = (x["seconds"] / vertex["seconds"], "")
            elif x["regions"]:
                x["speedup"] = ((vertex["regions"] / vertex["seconds"])
                                / (x["regions"] / x["seconds"]), " (rate)")
    return rows


def table(rows: list[dict]) -> list[str]:
    out = ["| network, box | method | regions | complete | seconds | CPU s | regions/s | peak RSS "
           "| vertex faster | same patterns |", "|---|---|---:|---|---:|---:|---:|---:|---:|---|"]
    for x in rows:
        rate = x["regions"] / x["seconds"] if x["seconds"] > 0 else 0.0
        same = {True: "yes", False: "NO", None: "-"}[x["agree"]]
        done = "yes" if x["complete"] else f"no ({x['reason'] or 'stopped'})"
        fast = "-"
        if x["speedup"] is not None:
            v, how = x["speedup"]
            fast = f"{v:,.1f}x{how}"
        out.append(f"| {x['case']} | {x['method']} | {x['regions']:,} | {done} | "
                   f"{x['seconds']:.2f} | {x['cpu']:.2f} | {rate:,.0f} | {x['peak']:.0f} MiB | "
                   f"{fast} | {same} |")
    return out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tree-seconds", type=float, default=60.0)
    ap.add_argument("--targets", nargs="*", choices=sorted(TARGETS), default=[],
                    help="add long target cases (acas: 14,941 regions; cartpole: 602,490; "
                         "moonshot: ACAS Xu on [-0.2, 0.2]^5)")
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
             f"Python {platform.python_version()}, load average {os.getloadavg()[0]:.1f} at "
             f"the end; one process per run, the tree on one worker and stopped after "
             f"{a.tree_seconds:g} s. Peak RSS is the run's forked process (it includes the "
             "interpreter and the loaded libraries, about 80 MiB). *Vertex faster*: the other "
             "method's time over the vertex method's in the same run; *(rate)* where the other "
             "method did not finish: the vertex method's regions per second over the other's. "
             "CPU s is the run's own CPU time (the machine is shared: compare the methods "
             "within a run).", ""]
    lines += table(rows) + ["", END]
    if not a.no_write:
        write_section("\n".join(lines), START, END)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
