"""``regioncount stable``: stably active and stably inactive units per layer."""

from __future__ import annotations

import click

from regioncount.cli.common import (domain_options, emit, json_option, load_problem,
                                    model_options, refuse_options)


@click.command("stable")
@model_options
@domain_options
@click.option("--tighten", "method", type=click.Choice(["interval", "lp", "milp"]), default="lp",
              show_default=True, help="Interval propagation only, plus LP tightening, plus a "
              "MILP per still-unstable unit.")
@click.option("--solver", type=click.Choice(["highs", "ortools"]), default="highs", show_default=True)
@click.option("--time-limit", type=click.FloatRange(min=0), default=None, metavar="S",
              help="Stop tightening after S seconds (sound, labelled partial).")
@click.option("--unit-time", type=click.FloatRange(min=0.01), default=5.0, show_default=True,
              metavar="S", help="Seconds per MILP bound (--tighten milp).")
@click.option("--threads", type=click.IntRange(min=1), default=None, help="Solver threads.")
@click.option("--quiet", "-q", is_flag=True, help="No progress lines on stderr.")
@json_option
def stable(model, output_name, box, box_file, vnnlib, method, solver, time_limit, unit_time,
           threads, quiet, as_json):
    """Units of MODEL that hold one piece on the whole domain (default [0,1]^n), per PWL
    layer, and the method that proved each (docs/milp.md).

    --solver, --time-limit and --threads go with --tighten lp or milp, --unit-time with
    --tighten milp; given with a method that does not use them, they are refused."""
    from regioncount import app
    from regioncount.milp.tighten import METHODS

    if method == "interval":
        refuse_options(("solver", "time_limit", "threads", "unit_time"),
                       "only with --tighten lp or milp (interval propagation solves nothing)")
    if method != "milp":
        refuse_options(("unit_time",), "only with --tighten milp (the seconds of one MILP bound)")
    net, domain = load_problem(model, output_name, box, box_file, vnnlib)
    progress = None if quiet else (lambda m: click.echo("  " + m, err=True))
    rep = app.stable(net, domain, method, solver=solver, time_limit=time_limit, threads=threads,
                     unit_seconds=unit_time, progress=progress)

    def human(r):
        tt = r.tightening
        click.echo(f"{r.model}: stable units ({tt.method} tightening, {r.solver}; "
                   f"{tt.seconds:.2f} s{', PARTIAL: time limit' if tt.partial else ''})")
        click.echo(f"  {'stage':>5}  {'kind':<10} {'units':>6} {'active':>7} {'inactive':>8}   "
                   + "  ".join(f"{m:>8}" for m in METHODS) + f"  {'seconds':>8}  name")
        for s, name in zip(tt.stages, r.stage_names):
            c = s.counts()
            click.echo(f"  {s.stage:>5}  {s.kind:<10} {s.units:>6} {int(s.active.sum()):>7} "
                       f"{int(s.inactive.sum()):>8}   " + "  ".join(f"{c[m]:>8}" for m in METHODS)
                       + f"  {s.seconds:>8.2f}  {name}")
        total = sum(s.units for s in tt.stages)
        c = tt.counts()
        click.echo(f"  total: {tt.stable_count()} of {total} units stable ("
                   + ", ".join(f"{m} {c[m]}" for m in METHODS) + ")")

    emit(rep, as_json, human)
