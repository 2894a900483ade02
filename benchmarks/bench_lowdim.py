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

Where relucent is installed (``import relucent`` and ``gurobipy`` work; ``tox -e relucent``),
the four default cases also run the peer relucent (Gaines and Bi, "Characterizing the Discrete
Geometry of ReLU Networks", ICLR 2026; ``pip install relucent gurobipy``). It enumerates the
cells of a ReLU network by a breadth-first search across their facets, with Gurobi LPs for each
cell's Chebyshev centre and facets. It gets the network as its (W, b) pairs
(``relucent.convert``: the same float64 weights, no PyTorch round trip), starts at the centre
of the box and keeps the cells that meet the cube ``[-r, r]^d`` (``Complex.searcher(0,
cube_radius=r, cube_mode="intersect", nworkers=1, verify=True)``, i.e. ``Complex.bfs`` with
our queue; centred cubes only, which all the cases are). Its LPs run on one worker process
beside the process that leads the search (and tests each new cell against the cube); its CPU
time and peak RSS add the two. relucent has no time limit of its own: the benchmark hands it a
FIFO queue that stops the search after ``--relucent-seconds`` (the tasks already sent to the
worker still finish; relucent's certification of a finished search is not limited). A finished
search's cells are compared with the other methods' patterns (a cell's sign vector, ``+1`` read
as active, is regioncount's ``net.pattern``). The free pip licence of gurobipy refuses a model
past 2,000 variables or constraints; relucent's LPs have about one row per ReLU unit, so even
ACAS Xu (300 units) fits, and a refusal would be the row's stop reason. Without relucent its
rows are absent and the section says so.

Usage::

    python3 benchmarks/bench_lowdim.py [--tree-seconds 60] [--targets acas cartpole] [--no-write]
                                       [--relucent-seconds 60]

It rewrites its section of ``docs/benchmarks.md`` (between the ``lowdim`` markers).
"""

from __future__ import annotations

import argparse
import importlib.util
import multiprocessing as mp
import os
import platform
import resource
import sys
import threading
import time
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from regioncount import Domain, load  # noqa: E402
from regioncount.enumeration import count_tree  # noqa: E402
from regioncount.enumeration.heap import resident_bytes  # noqa: E402
from regioncount.enumeration.slices import count_slice  # noqa: E402
from regioncount.enumeration.vertex import count_vertex  # noqa: E402

from docsection import write_section  # noqa: E402

SHARED = Path(os.environ.get("REGIONCOUNT_SHARED", ROOT.parent / "shared"))
START, END = "<!-- lowdim:start -->", "<!-- lowdim:end -->"
#: The section of the long targets (``--only-targets``), written apart from the cases.
T_START, T_END = "<!-- lowdim-targets:start -->", "<!-- lowdim-targets:end -->"
#: Seconds between two progress lines of a long vertex count.
PRINT_EVERY = 60.0

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


#: relucent's search runs on this many LP worker processes (the tree runs on one worker too).
RELUCENT_WORKERS = 1


def have_relucent() -> bool:
    """Whether relucent and gurobipy are installed (found, not imported: importing them in this
    process would add their memory to every forked run's peak RSS)."""
    return all(importlib.util.find_spec(m) is not None for m in ("relucent", "gurobipy"))


class _Deadline(Exception):
    """Raised into relucent's search loop when its time is up."""


class _DeadlineQueue:
    """A FIFO with the protocol relucent's ``Complex.searcher(queue=...)`` uses (push, pop,
    close, len, iteration; pop waits while the queue is empty and open) that stops the search at
    a deadline: past it, pop ends the iteration (no more tasks go to the pool) and push raises
    :class:`_Deadline` in the search loop (relucent's pool then finishes the tasks in flight and
    skips the rest)."""

    def __init__(self, seconds: float | None):
        self.deadline = float("inf") if seconds is None else time.monotonic() + seconds
        self.items: deque = deque()
        self.lock = threading.Condition()
        self.closed = self.expired = False

    def late(self) -> bool:
        self.expired = self.expired or time.monotonic() > self.deadline
        return self.expired

    def __iter__(self):
        while True:
            try:
                yield self.pop()
            except IndexError:
                return

    def pop(self):
        with self.lock:
            while not self.items and not self.closed and not self.late():
                self.lock.wait(timeout=0.1)
            if self.late() or not self.items:
                raise IndexError("queue closed")
            return self.items.popleft()

    def push(self, item, priority=None) -> None:
        with self.lock:
            if self.late():
                raise _Deadline
            self.items.append(item)
            self.lock.notify()

    def close(self) -> None:
        with self.lock:
            self.closed = True
            self.lock.notify_all()

    def __len__(self) -> int:
        with self.lock:
            return len(self.items)


def _affine_pairs(net) -> list:
    """The (W, b) pairs of a chain Input, Affine, Relu, ..., Affine (relucent's input form)."""
    kinds = [s.kind for s in net.stages[1:]]
    if not net.is_chain() or kinds[-1] != "affine" or any(
            k != ("affine", "relu")[i % 2] for i, k in enumerate(kinds)):
        raise ValueError("not a chain of affine and ReLU stages")
    return [(np.asarray(s.weights[0].toarray() if hasattr(s.weights[0], "toarray")
                        else s.weights[0], float), np.asarray(s.bias, float))
            for s in net.stages[1::2]]


def _stop_reason(exc: BaseException) -> str:
    """One line for the table from an exception relucent (or Gurobi) raised."""
    msg = (str(exc).strip().splitlines() or [""])[0]
    if "size-limited" in msg:
        return "Gurobi size-limited licence refused a model"
    return f"{type(exc).__name__}: {msg}"[:100].replace("|", "/")


def _relucent_count(net, r: float, seconds: float | None, patterns: bool):
    """relucent's count of the cells meeting [-r, r]^d: (regions, complete, stop reason,
    pattern set or None)."""
    import relucent  # here only: relucent imports gurobipy (and torch when installed)
    from relucent.config import update_settings
    update_settings(VERBOSE=0)
    queue = _DeadlineQueue(seconds)
    cx, reason, res = None, None, None
    try:
        cx = relucent.Complex(relucent.convert(_affine_pairs(net)))
        res = cx.searcher(np.zeros(net.input_size), queue=queue, cube_radius=r,
                          cube_mode="intersect", nworkers=RELUCENT_WORKERS, verify=True,
                          verbose=0)
    except Exception as exc:  # a stopped search, a refused licence: the row's stop reason
        reason = "time limit" if queue.expired else _stop_reason(exc)
    n = len(cx) if cx is not None else 0
    complete = reason is None and res.complete and cx.verified is not False
    if reason is None and not complete:
        reason = "incomplete"
    pats = None
    if complete and patterns:
        pats = {(np.asarray(p.ss_np).ravel() > 0).astype(np.int32).tobytes() for p in cx}
    return n, complete, reason or "", pats


#: Seconds between two samples of the resident memory of a run's processes together.
SAMPLE_EVERY = 0.25


def _tree_rss_mib(root: int) -> float:
    """The resident memory of process ``root`` and all its descendants, summed (Linux /proc;
    0 where it cannot be read)."""
    kids: dict[int, list] = {}
    for st in Path("/proc").glob("[0-9]*/stat"):
        try:
            _, _, rest = st.read_text().rpartition(")")
            kids.setdefault(int(rest.split()[1]), []).append(int(st.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo += kids.get(pid, [])
        total += resident_bytes(pid) or 0
    return total / 2**20


class _Sampler:
    """The largest sum of the resident memory of this process and its descendants, sampled
    every :data:`SAMPLE_EVERY` seconds in a thread while the ``with`` block runs: what the
    processes held together (a sample can miss a peak shorter than the interval)."""

    def __init__(self):
        self.peak, self._stop = 0.0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _run(self):
        me = os.getpid()
        while True:
            self.peak = max(self.peak, _tree_rss_mib(me))
            if self._stop.wait(SAMPLE_EVERY):
                return


def _run(model: str, d: int, r: float, method: str, seconds: float | None, patterns: bool,
         vertex_opts: dict | None = None):
    """One count in this (forked) process: (regions, complete, stop reason, seconds, CPU
    seconds, peak MiB, pattern set or None, extra). CPU seconds and peak memory include the
    processes the count started (relucent's LP worker)."""
    net = load(SHARED / "models" / model)
    dom = Domain.box(-r, r, d)
    t, c = time.monotonic(), time.process_time()
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    with _Sampler() as sampled:
        if method == "relucent":
            n, complete, reason, pats = _relucent_count(net, r, seconds, patterns)
            extra = {}
        else:
            if method == "vertex":
                res = count_vertex(net, dom, time_limit=seconds, keep_patterns=patterns,
                                   progress=_printer(f"{model} r={r:g}"), **(vertex_opts or {}))
            elif method == "tree":
                res = count_tree(net, dom, time_limit=seconds, keep_patterns=patterns)
            else:
                res = count_slice(net, dom)
            n, complete, reason = res.regions, res.complete, res.stop_reason
            extra = {**res.extra, "per_layer": list(res.per_layer)}
            pats = res.pattern_set() if res.complete and res.patterns is not None else None
    extra["sampled_peak"] = sampled.peak
    wall, cpu = time.monotonic() - t, time.process_time() - c
    if method == "vertex" and (vertex_opts or {}).get("resume"):
        wall = res.seconds          # the earlier runs included (CPU s: this run only)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu += (after.ru_utime + after.ru_stime) - (kids.ru_utime + kids.ru_stime)
    # the run's own peak plus its largest child's times the worker processes (0 without
    # children; an upper bound: pages a child shares with the run count twice, and the
    # children need not peak together)
    kids_n = max(1, int((vertex_opts or {}).get("workers", 1)))
    peak = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss + kids_n * after.ru_maxrss) / 1024
    return n, complete, reason, wall, cpu, peak, pats, extra


def _printer(label: str):
    """A progress callback that prints a line every :data:`PRINT_EVERY` seconds."""
    last = [0.0]

    def show(p):
        if p.seconds - last[0] >= PRINT_EVERY:
            last[0] = p.seconds
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"  {label}: {p.regions:,} regions after {p.seconds:.0f} s, peak "
                  f"{rss:.0f} MiB", flush=True)
    return show


def _option(k: str, v) -> str:
    """A vertex option as the table shows it (the spill directory by its use only)."""
    return "spill to disk" if k == "spill_dir" else f"{k}={v:,}"


def run_case(case, seconds: dict, vertex_opts: dict | None = None,
             checkpoint: dict | None = None) -> list[dict]:
    label, model, d, r, methods = case
    rows = []
    compare = len(methods) > 1
    for m in methods:
        with ProcessPoolExecutor(1, mp_context=mp.get_context("fork")) as ex:
            n, complete, reason, wall, cpu, peak, pats, extra = ex.submit(
                _run, model, d, r, m, seconds.get(m), compare,
                {**(vertex_opts or {}), **(checkpoint or {})} if m == "vertex"
                else None).result()
        how = "" if not vertex_opts or m != "vertex" else " (" + ", ".join(
            _option(k, v) for k, v in vertex_opts.items()) + ")"
        rows.append(dict(case=f"{label}, [-{r:g},{r:g}]^{d}", method=m + how, regions=n,
                         complete=complete, reason=reason, seconds=wall, cpu=cpu, peak=peak,
                         patterns=pats, subboxes=extra.get("subboxes"),
                         per_layer=extra.get("per_layer"),
                         unverified=extra.get("unverified_points"),
                         sampled=extra.get("sampled_peak")))
        print(f"{label} r={r:g} {m}: {n} regions, complete={complete} {reason}, {wall:.2f} s "
              f"(CPU {cpu:.2f} s), {peak:.0f} MiB", flush=True)
    done = [x for x in rows if x["patterns"] is not None]
    agree = all(x["patterns"] == done[0]["patterns"] for x in done) if len(done) > 1 else None
    vertex = next((x for x in rows if x["method"].startswith("vertex")), None)
    for x in rows:
        x["agree"] = agree if x["patterns"] is not None else None   # "-" for an unfinished run
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


def checks(rows: list[dict]) -> list[str]:
    """Per vertex row: the per-layer counts, the certificates not shown inside their region
    (0 expected: every region's point is checked with the network), and the largest sampled
    sum of the resident memory of the run's processes (the table's peak RSS is a bound that
    adds peaks of different moments)."""
    out = []
    for x in rows:
        if x["method"].startswith("vertex") and x.get("per_layer") is not None:
            out.append(f"- {x['case']}, {x['method']}: regions after each PWL layer "
                       f"{', '.join(f'{v:,}' for v in x['per_layer'])}; certificate points "
                       f"not shown inside their region: {x['unverified']}; the run's processes "
                       f"together at most {x['sampled']:,.0f} MiB (sampled every "
                       f"{SAMPLE_EVERY:g} s)")
    return ["", *out] if out else []


def relucent_note(peer: tuple, seconds: float) -> str:
    """The section's sentence on the peer relucent."""
    if not peer:
        return ("The peer relucent (Gaines and Bi, ICLR 2026) was not installed for this run: "
                "no relucent rows (`tox -e relucent` runs them).")
    from importlib.metadata import version
    return (f"*relucent*: the peer relucent {version('relucent')} (Gaines and Bi, ICLR 2026; "
            f"gurobipy {version('gurobipy')}): its breadth-first search across cell facets from "
            "the box centre, keeping the cells that meet the box (`cube_mode=\"intersect\"`), "
            f"one LP worker, stopped after {seconds:g} s; a finished search is certified by "
            "relucent (included in the time). Its CPU s and peak RSS add the LP worker process "
            "to the leading one (pages they share count twice; relucent imports PyTorch when "
            "it is installed).")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tree-seconds", type=float, default=60.0)
    ap.add_argument("--targets", nargs="*", choices=sorted(TARGETS), default=[],
                    help="add long target cases (acas: 14,941 regions; cartpole: 602,490; "
                         "moonshot: ACAS Xu on [-0.2, 0.2]^5)")
    ap.add_argument("--target-seconds", type=float, default=600.0)
    ap.add_argument("--relucent-seconds", type=float, default=60.0,
                    help="time limit of the peer relucent (default cases, where installed)")
    ap.add_argument("--target-workers", type=int, default=1,
                    help="processes of the vertex method on the targets")
    ap.add_argument("--target-memory-mib", type=int, default=None,
                    help="memory budget of the vertex method on the targets (default 2 GiB)")
    ap.add_argument("--target-checkpoint", default=None, metavar="F",
                    help="checkpoint file of the vertex method on the (single) target; with "
                         "--resume it continues from it (seconds include the earlier runs)")
    ap.add_argument("--resume", action="store_true")
    ap.add_argument("--target-spill-dir", default=None, metavar="DIR",
                    help="spill directory of the vertex method on the targets (the record "
                         "past the budget goes to disk)")
    ap.add_argument("--only-targets", action="store_true",
                    help="run the --targets only and write them to their own section")
    ap.add_argument("--no-write", action="store_true")
    a = ap.parse_args(argv)
    if not (SHARED / "models").exists():
        sys.exit(f"shared models not found in {SHARED}")
    peer = ("relucent",) if have_relucent() else ()
    rows = []
    for label, model, d, r, methods in ([] if a.only_targets else CASES):
        rows += run_case((label, model, d, r, methods + peer),
                         {"tree": a.tree_seconds, "relucent": a.relucent_seconds})
    opts = {}
    if a.target_workers != 1:
        opts["workers"] = a.target_workers
    if a.target_memory_mib:
        opts["memory_budget"] = a.target_memory_mib << 20
    if a.target_spill_dir:
        opts["spill_dir"] = a.target_spill_dir
    ckpt = {}
    if a.target_checkpoint:
        if len(a.targets) != 1:
            sys.exit("--target-checkpoint goes with one target")
        ckpt = {"checkpoint": a.target_checkpoint, "resume": a.resume}
    for name in a.targets:
        rows += run_case(TARGETS[name], {"tree": a.tree_seconds, "vertex": a.target_seconds},
                         opts, ckpt)
    start, end = (START, END)
    if a.only_targets:          # a section per set of targets, so that runs add up
        key = "-".join(a.targets) + ("" if not opts else "-" + "-".join(
            "spill" if k == "spill_dir" else f"{k}{v}" for k, v in sorted(opts.items())))
        start, end = (T_START.replace("targets", f"targets-{key}"),
                      T_END.replace("targets", f"targets-{key}"))
    title = ("### The long targets (`--only-targets --targets ...`)" if a.only_targets else
             "## Low input dimension: the vertex method and the region tree "
             "(benchmarks/bench_lowdim.py)")
    lines = [start, title, "",
             f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores shared, "
             f"Python {platform.python_version()}, load average {os.getloadavg()[0]:.1f} at "
             f"the end; one process per run, the tree on one worker and stopped after "
             f"{a.tree_seconds:g} s. Peak RSS is the run's forked process (it includes the "
             "interpreter and the loaded libraries, about 80 MiB), plus, with worker "
             "processes, the largest worker's peak times their number (an upper bound). *Vertex faster*: the other "
             "method's time over the vertex method's in the same run; *(rate)* where the other "
             "method did not finish: the vertex method's regions per second over the other's. "
             "CPU s is the run's own CPU time (the machine is shared: compare the methods "
             "within a run).", ""] + ([] if a.only_targets else [
                 relucent_note(peer, a.relucent_seconds), ""])
    lines += table(rows) + checks(rows) + ["", end]
    if not a.no_write:
        write_section("\n".join(lines), start, end)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
