"""What a certificate costs: `count --certify` against the plain count, in the same run.

For each network the region tree counts once with its patterns and points kept (what the
certificate needs), then :func:`regioncount.enumeration.certify.certify` checks the result. The
ratio is (count + certificate) / count. Cases: the demo moons_2d, cartpole (4 inputs), ACAS Xu
N_1,1 on the box where issue 10 found two thin regions (5 inputs), and mnist2x10 over
[0, 1]^784 (784 inputs, 108,762 regions; ``--skip-mnist`` leaves it out).

Run: ``python benchmarks/bench_certify.py [--skip-mnist]``; it rewrites its section of
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

from docsection import write_section

from regioncount import Domain, load
from regioncount.app import count
from regioncount.enumeration.certify import certify

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("REGIONCOUNT_SHARED", ROOT.parent / "shared"))
START, END = "<!-- bench_certify:start -->", "<!-- bench_certify:end -->"

CASES = [
    ("moons_2d", ROOT / "models" / "moons_2d.onnx", -2.0, 2.0),
    ("cartpole (4-64-64)", SHARED / "models" / "vnncomp2022" / "cartpole.onnx", -0.1, 0.1),
    ("ACAS Xu N_1,1 (5-50x6)",
     SHARED / "models" / "vnncomp2021" / "ACASXU_run2a_1_1_batch_2000.onnx", -0.02, 0.02),
    ("mnist2x10 (784-10-10-10)", SHARED / "models" / "marabou" / "mnist2x10.onnx", 0.0, 1.0),
]


def measure(path: Path, lo: float, hi: float) -> dict:
    net = load(path)
    dom = Domain.box(lo, hi, net.input_size)
    t = time.perf_counter()
    res = count(net, dom, "tree", keep_patterns=True, keep_points=True, per_class="point")
    t_count = time.perf_counter() - t
    cert = certify(net, dom, res.patterns, res.points, complete=res.complete)
    return {"regions": res.regions, "count_s": t_count, "cert_s": cert.seconds,
            "cert": cert}


def _row(name, lo, hi, n, m) -> str:
    c = m["cert"]
    ratio = (m["count_s"] + m["cert_s"]) / m["count_s"]
    state = "certified" if c.certified else f"bracket [{c.lower}, {c.upper}]"
    lps = c.checks.get("pieces_lp", 0) + c.checks.get("stage_lp", 0)
    exact = sum(v for k, v in c.checks.items() if k.endswith("exact"))
    return (f"| {name} | [{lo:g}, {hi:g}]^{n} | {m['regions']:,} | {state} | {m['count_s']:.1f} | "
            f"{m['cert_s']:.1f} | {ratio:.2f}x | {c.checks.get('pieces', 0):,} / {lps:,} / "
            f"{exact} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--skip-mnist", action="store_true")
    args = ap.parse_args()
    rows = []
    for name, path, lo, hi in CASES:
        if not path.exists() or (args.skip_mnist and "mnist" in name):
            print(f"skipped {name}")
            continue
        m = measure(path, lo, hi)
        n = load(path).input_size
        rows.append(_row(name, lo, hi, n, m))
        print(rows[-1], flush=True)
    section = "\n".join([
        START,
        "## The cost of a certificate (`count --certify`)",
        "",
        "`python benchmarks/bench_certify.py` on this machine "
        f"({platform.machine()}, {os.cpu_count()} cores, load average "
        f"{os.getloadavg()[0]:.1f} at the end): the region tree counts with its "
        "patterns and points kept, then the certificate checks every region's point "
        "(rigorous float error bounds, exact rationals where those cannot decide) and proves "
        "every piece no pattern takes empty (one row on the box, or the dual of an LP checked "
        "as a Farkas certificate). Ratio: (count + certificate) / count, in the same run. "
        "Missing pieces: all / settled by an LP's dual / settled in exact rationals.",
        "",
        "| network | domain | regions | result | count (s) | certificate (s) | ratio | "
        "missing pieces: all / LP / exact |",
        "|---|---|---:|---|---:|---:|---:|---|",
        *rows,
        "",
        END,
    ])
    write_section(section, START, END)


if __name__ == "__main__":
    main()
