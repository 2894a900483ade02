"""``regioncount estimate``: lower bounds, estimates and brackets past exact counting."""

from __future__ import annotations

from dataclasses import replace

import click

from regioncount.cli.common import (domain_options, emit, fmt_int, json_option, model_options,
                                    refuse_options)

#: ``--method`` values (see :data:`regioncount.estimate.METHODS`; ``sample`` and ``all`` are
#: the spellings of ``sampling`` and ``bracket``).
METHOD_CHOICES = ("mipbound", "sampling", "slices", "bracket", "sample", "all")


@click.command("estimate")
@model_options
@domain_options
@click.option("--method", type=click.Choice(METHOD_CHOICES), default="bracket", show_default=True,
              help="MIPBound (probabilistic lower bound), sampling (sure lower bound), slices "
              "(estimate from exact lines and planes), or bracket: all of them, a partial "
              "exact count and the weight-aware upper bound (docs/estimate.md).")
@click.option("--trials", type=click.IntRange(min=1), default=3, show_default=True,
              help="MIPBound trials per number of parity constraints.")
@click.option("--confidence", type=click.FloatRange(0, 1, min_open=True, max_open=True),
              default=0.95, show_default=True, help="Probability that the MIPBound bound holds.")
@click.option("--solver", type=click.Choice(["highs", "ortools"]), default="highs",
              show_default=True, help="MILP backend of MIPBound and the LP tightening.")
@click.option("--time-limit", type=click.FloatRange(min_open=True, min=0), default=60.0,
              show_default=True, metavar="S",
              help="Seconds for MIPBound, for the slices and (bracket) for the exact count, each.")
@click.option("--samples", type=click.IntRange(min=1), default=20000, show_default=True,
              help="Random points for the sampled lower bound.")
@click.option("--xor-size", type=click.IntRange(min=1), default=None, metavar="K",
              help="Binaries per parity constraint (default: each with probability 1/2).")
@click.option("--tighten", type=click.Choice(["lp", "interval"]), default="lp", show_default=True,
              help="Neuron bounds behind the stable units, the big-Ms and the upper bound.")
@click.option("--seed", type=int, default=0, show_default=True)
@json_option
def estimate(model, output_name, box, box_file, vnnlib, method, trials, confidence, solver,
             time_limit, samples, xor_size, tighten, seed, as_json):
    """Bracket the number of activation regions of MODEL when exact counting is out of reach.

    Prints the best lower bound (sure, or MIPBound's with its confidence), the best estimate
    (labelled as such) and the best weight-aware upper bound, each with how it was obtained.

    --trials, --confidence and --xor-size are MIPBound's (methods mipbound and bracket),
    --samples the sampled bound's (every method but mipbound), --solver the LP tightening's
    and MIPBound's; given where they are not used, they are refused.
    """
    from regioncount import app
    from regioncount.cli.common import load_problem
    from regioncount.estimate import METHODS, bracket

    sources = METHODS.get(method, ())
    if "mipbound" not in sources:
        refuse_options(("trials", "confidence", "xor_size"), f"only with MIPBound (--method "
                       f"mipbound or bracket), not --method {method}")
        if tighten == "interval":
            refuse_options(("solver",), "only with --tighten lp or MIPBound (interval bounds "
                           "and sampling use no solver)")
    if "sampling" not in sources:
        refuse_options(("samples",), f"only with the sampled lower bound, which --method "
                       f"{method} does not run")
    net, domain = load_problem(model, output_name, box, box_file, vnnlib)
    partial = None
    if method in ("bracket", "all"):
        partial = app.count(net, domain, "tree", time_limit=time_limit, per_class="point")
    res = bracket(net, domain, method=method, trials=trials, confidence=confidence,
                  solver=solver, time_limit=time_limit, seed=seed, samples=samples,
                  tighten=tighten, partial=partial, xor_size=xor_size)
    if partial is not None:                      # the seconds of the whole command
        res = replace(res, seconds=res.seconds + float(partial.seconds))
    emit(res, as_json, _human)


def _human(b) -> None:
    est = b.estimate
    est_s = "-" if est is None else (fmt_int(est) if isinstance(est, int) else f"{est:.4g}")
    click.echo(f"lower bound  {fmt_int(b.lower_bound)}"
               + ("" if b.confidence == 1.0 else f"  (probability {b.confidence})"))
    click.echo(f"estimate     {est_s}")
    click.echo(f"upper bound  {fmt_int(b.upper_bound)}")
    click.echo(f"method       {b.method}  ({b.seconds:.1f} s)")
    for line in b.how:
        click.echo(f"  {line}")
