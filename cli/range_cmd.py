"""``regioncount range``: exact minimum and maximum of every output over the domain."""

from __future__ import annotations

import click

from regioncount.cli.common import domain_options, emit, json_option, model_options, resolve_domain


@click.command("range")
@model_options
@domain_options
@click.option("--tighten", "method", type=click.Choice(["interval", "lp", "milp"]), default="lp",
              show_default=True, help="Bounds for the big-M constants (tighter: faster MILPs).")
@click.option("--solver", type=click.Choice(["highs", "ortools"]), default="highs", show_default=True)
@click.option("--time-limit", type=click.FloatRange(min=0), default=None, metavar="S",
              help="Overall seconds; unproven optima are labelled with their gap.")
@click.option("--threads", type=click.IntRange(min=1), default=None, help="Solver threads.")
@click.option("--outputs", default=None, metavar="I,J,...", help="Only these outputs (default: all).")
@click.option("--quiet", "-q", is_flag=True, help="No progress lines on stderr.")
@json_option
def range_(model, output_name, box, box_file, vnnlib, method, solver, time_limit, threads, outputs,
           quiet, as_json):
    """Minimum and maximum of each output of MODEL over the domain (default [0,1]^n), exact
    through the MILP: each value is attained at a witness input and proven by the solver's
    bound (docs/milp.md)."""
    from regioncount.cli.common import load_model
    from regioncount.milp.range import output_range

    net = load_model(model, output_name)
    domain = resolve_domain(net.input_size, box, box_file, vnnlib)
    sel = None
    if outputs:
        try:
            sel = [int(v) for v in outputs.split(",")]
        except ValueError:
            raise click.UsageError(f"--outputs: expected integers separated by commas, got {outputs!r}")
        bad = [v for v in sel if not 0 <= v < net.output_size]
        if bad:
            raise click.UsageError(f"--outputs: {bad[0]} is not an output index (0..{net.output_size - 1})")
    progress = None if quiet else (lambda m: click.echo("  " + m, err=True))
    res = output_range(net, domain, solver=solver, tighten_method=method, time_limit=time_limit,
                       threads=threads, outputs=sel, progress=progress)

    def human(r):
        click.echo(f"{r.model}: output ranges over the domain ({r.solver}, {r.tighten} bounds, "
                   f"{r.seconds:.2f} s{', PARTIAL: some optima not proven' if r.partial else ''})")
        click.echo(f"  {'output':>6}  {'min':>14} {'max':>14}   {'gap':>9}  status")
        for o in r.outputs:
            st = "optimal" if o.min_status == o.max_status == "optimal" else \
                f"min {o.min_status}, max {o.max_status}; proven [{o.min_bound:.9g}, {o.max_bound:.9g}]"
            click.echo(f"  {o.index:>6}  {o.min:>14.9g} {o.max:>14.9g}   {o.gap:>9.2g}  {st}")

    emit(res, as_json, human)
