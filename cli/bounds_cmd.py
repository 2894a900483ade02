"""``regioncount bounds``: analytic bounds on the number of regions, of an architecture or a model."""

from __future__ import annotations

import click

from regioncount.cli.common import domain_options, emit, fmt_int, json_option, resolve_domain
from regioncount.errors import RegioncountError


def parse_arch(text: str) -> tuple[int, ...]:
    """``"2,4,4"`` (or ``2-4-4``) -> ``(2, 4, 4)``."""
    t = text.replace(" ", "")
    parts = t.split(",") if "," in t else t.split("-")
    try:
        return tuple(int(p) for p in parts)
    except ValueError:
        raise RegioncountError(f"--arch {text!r}: expected integers such as 2,4,4 "
                               "(input dimension first)") from None


#: Values with more digits are shown rounded in the table (exact in --json).
TABLE_DIGITS = 24


def _fmt(v) -> str:
    if v is None:
        return "n/a"
    if len(str(abs(v))) <= TABLE_DIGITS:
        return fmt_int(v)
    from decimal import Decimal

    return "~" + f"{Decimal(v):.3e}".replace("e+", "e")


def human_table(r) -> None:
    """Aligned table: name, value (thousands separators), kind, reference; n/a with why."""
    rows = []
    for name, v in r.bounds.items():
        value = _fmt(v)
        ref = r.references.get(name, "")
        why = r.reasons.get(name)
        if why:
            ref = f"{ref}  [{why}]" if ref else f"[{why}]"
        rows.append((name, value, r.kinds.get(name, ""), ref))
    wn = max(len(x[0]) for x in rows)
    wv = max(len(x[1]) for x in rows)
    wk = max(len(x[2]) for x in rows)
    head = f"{'bound':<{wn}}  {'value':>{wv}}  {'kind':<{wk}}  reference"
    title = "-".join(map(str, r.arch))
    src = "" if r.source == "architecture" else f" ({r.source})"
    click.echo(f"architecture {title}{src}" + (f"   ranks {list(r.ranks)}" if r.ranks and not r.layers else "")
               + (f"   maxout rank {r.maxout_rank}" if r.maxout_rank else "")
               + (f"   domain {r.domain}" if r.domain else ""))
    if r.layers:
        click.echo("layers       " + ", ".join(
            f"{l.kind} {l.units:,}" + (f" (rank {l.rank:,}{'*' if l.rank_method == 'structural' else ''})"
                                       if l.rank is not None else "")
            for l in r.layers) + ("   (* structural rank, an upper bound)"
                                  if any(l.rank_method == "structural" for l in r.layers) else ""))
    click.echo(head)
    click.echo("-" * len(head.rstrip()))
    for name, value, kind, ref in rows:
        click.echo(f"{name:<{wn}}  {value:>{wv}}  {kind:<{wk}}  {ref}".rstrip())
    if any(v is not None and len(str(abs(v))) > TABLE_DIGITS for v in r.bounds.values()):
        click.echo(f"note: values of more than {TABLE_DIGITS} digits are rounded here; --json "
                   "gives them exactly")
    for n in r.notes:
        click.echo(f"note: {n}")


@click.command("bounds")
@click.argument("model", required=False, type=click.Path(dir_okay=False))
@click.option("--arch", "arch", default=None, metavar="N0,N1,...",
              help="Fully connected ReLU architecture, input dimension first (instead of MODEL).")
@click.option("--maxout-rank", "maxout_rank", type=int, default=None, metavar="K",
              help="Also the maxout bounds for rank-K units of these widths.")
@click.option("--output", "output_name", default=None, metavar="NAME",
              help="Graph output to analyse (default: the first).")
@click.option("--tighten", "tighten_method", type=click.Choice(["interval", "lp", "milp"]),
              default="interval", show_default=True,
              help="Neuron bounds behind the stable-unit (weight-aware) bound.")
@click.option("--solver", default="highs", show_default=True,
              type=click.Choice(["highs", "ortools"]), help="Backend for --tighten lp / milp.")
@click.option("--time-limit", "time_limit", type=click.FloatRange(min=0), default=None,
              help="Seconds for tightening; stopped early, the bounds stay sound.")
@domain_options
@json_option
def bounds(model, arch, maxout_rank, output_name, tighten_method, solver, time_limit,
           box, box_file, vnnlib, as_json):
    """Analytic bounds on the number of activation regions (exact integers).

    Give a MODEL (ONNX / .nnet; ranks, unit kinds and, on the domain, stable units are read
    from the weights) or --arch 2,4,4. Formulas and references: docs/bounds.md.
    """
    from regioncount.bounds import bounds_for_arch

    if (model is None) == (arch is None):
        raise click.UsageError("give a MODEL or --arch N0,N1,... (exactly one)")
    if maxout_rank is not None and maxout_rank < 2:
        raise click.BadParameter("a maxout unit has at least 2 pieces", param_hint="--maxout-rank")
    if arch is not None:
        if box or box_file or vnnlib:
            raise click.UsageError("--box / --box-file / --vnnlib need a MODEL (stable units "
                                   "come from its weights)")
        report = bounds_for_arch(parse_arch(arch), maxout_rank=maxout_rank)
    else:
        from regioncount.bounds.model import bounds_for_network
        from regioncount.cli.common import load_model

        net = load_model(model, output_name)
        domain = resolve_domain(net.input_size, box, box_file, vnnlib)
        neuron_bounds = None
        if tighten_method != "interval":
            from regioncount.milp.tighten import tighten

            neuron_bounds = tighten(net, domain, method=tighten_method, solver=solver,
                                    time_limit=time_limit).bounds
        report = bounds_for_network(net, domain=domain, maxout_rank=maxout_rank,
                                    neuron_bounds=neuron_bounds)
    emit(report, as_json, human_table)
