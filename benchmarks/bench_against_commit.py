"""Benchmark: the region tree of this checkout against an earlier commit, in the same run.

Used to check that a refactoring kept the speed (the stage-interface change of issue 9, the
unit-cube margins of issue 10). The earlier commit is exported with ``git archive`` into a
temporary folder; each case runs in a fresh subprocess per tree, alternating, ``--repeat``
times, and the medians are compared. Counts must agree except where the newer code counts
regions the older dropped (reported beside the times).

Usage::

    python3 benchmarks/bench_against_commit.py [--base d71e3a8] [--repeat 3] [--no-write]

Rewrites its section of ``docs/benchmarks.md`` (between the ``against-commit`` markers).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("REGIONCOUNT_SHARED", ROOT.parent / "shared"))

#: (label, model path, box radius or "0,1", max regions)
CASES = [
    ("moons_2d, [0,1]^2", ROOT / "models" / "moons_2d.onnx", "0,1", None),
    ("digits 64-6-6-10, [0,1]^64", ROOT / "models" / "sweep" / "digits_64_6_6.onnx", "0,1", None),
    ("digits_mlp 64-16-16-10, first 3,000 regions", ROOT / "models" / "digits_mlp.onnx", "0,1", 3000),
    ("cartpole, [-0.1,0.1]^4", SHARED / "models" / "vnncomp2022" / "cartpole.onnx", "-0.1,0.1", None),
    ("ACAS Xu N_1,1, [-0.02,0.02]^5", SHARED / "models" / "vnncomp2021" / "ACASXU_run2a_1_1_batch_2000.onnx",
     "-0.02,0.02", None),
]

_RUN = """
import json, sys, time
sys.path.insert(0, {root!r})
import numpy as np
from regioncount import Domain, load
from regioncount.enumeration import count_tree
net = load({model!r})
lo, hi = (float(v) for v in {box!r}.split(","))
t = time.perf_counter()
r = count_tree(net, Domain.box(lo, hi, net.input_size), workers=1, max_regions={maxr!r})
print(json.dumps({{"seconds": time.perf_counter() - t, "regions": r.regions, "lps": r.lps}}))
"""


def _time(root: Path, model: Path, box: str, maxr) -> dict:
    code = _RUN.format(root=str(root), model=str(model), box=box, maxr=maxr)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "OMP_NUM_THREADS": "1"}, cwd=tempfile.gettempdir())
    return json.loads(out.stdout.strip().splitlines()[-1])


def _export(base: str, dest: Path) -> None:
    data = subprocess.run(["git", "-C", str(ROOT), "archive", base], capture_output=True,
                          check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(dest)], input=data, check=True)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", default="d71e3a8")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-write", action="store_true")
    a = ap.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        _export(a.base, Path(tmp))
        for label, model, box, maxr in CASES:
            if not model.exists():
                print(f"skip {label}: {model} not found")
                continue
            runs = {"base": [], "new": []}
            for _ in range(a.repeat):
                runs["base"].append(_time(Path(tmp), model, box, maxr))
                runs["new"].append(_time(ROOT, model, box, maxr))
            med = {k: statistics.median(r["seconds"] for r in v) for k, v in runs.items()}
            row = (label, runs["base"][0]["regions"], runs["new"][0]["regions"],
                   runs["base"][0]["lps"], runs["new"][0]["lps"], med["base"], med["new"])
            print("{} | {} -> {} regions | {} -> {} LPs | {:.2f} s -> {:.2f} s".format(*row))
            rows.append(row)
    if not a.no_write:
        _write(rows, a.base, a.repeat)


def _write(rows, base: str, repeat: int) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from docsection import write_section

    lines = ["<!-- against-commit:start -->",
             "## The region tree against an earlier commit (`benchmarks/bench_against_commit.py`)", "",f"Region tree of this checkout against commit `{base}` (before the stage interface "
             f"and the unit-cube margins), one worker, median of {repeat} alternating runs in "
             "fresh processes (`python3 benchmarks/bench_against_commit.py`):", "",
             "| network, domain | regions (base → now) | LPs (base → now) | seconds (base → now) | "
             "time ratio now / base |", "|---|---|---|---|---|"]
    for label, rb, rn, lb, ln, tb, tn in rows:
        lines.append(f"| {label} | {rb:,} → {rn:,} | {lb:,} → {ln:,} | {tb:.2f} → {tn:.2f} | "
                     f"{tn / tb:.2f} |")
    lines.append("<!-- against-commit:end -->")
    write_section("\n".join(lines), lines[0], lines[-1])


if __name__ == "__main__":
    main()
