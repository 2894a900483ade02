"""``regioncount bounds``: analytic bounds on the number of regions, of an architecture or a model."""

from __future__ import annotations

import click

from regioncount.cli.common import (domain_options, emit, fmt_int, json_option, load_problem,
                                    output_name_options, refuse_options)
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

#: Bits above which a value is rounded from its leading bits alone in the table: decimal
#: conversion of a Python int is quadratic (a 10^6-digit value takes seconds, the 2^N of an
#: architecture with 2 x 10^8 units would take hours).
EXACT_ROUNDING_BITS = 100_000

#: --json writes every bound exactly; a value with more decimal digits than this is refused
#: with one line (its conversion alone would take minutes).
JSON_DIGITS = 1_000_000


def _long(v: int) -> bool:
    """More than :data:`TABLE_DIGITS` digits (without converting huge values to decimal)."""
    v = abs(v)
    return v.bit_length() > 4 * TABLE_DIGITS or len(str(v)) > TABLE_DIGITS


def _sci(v: int) -> str:
    """``v`` rounded to 4 significant digits, ``1.234e56``: exact rounding below
    :data:`EXACT_ROUNDING_BITS`, else from the leading 64 bits (linear time)."""
    import math
    from decimal import Decimal

    if abs(v).bit_length() <= EXACT_ROUNDING_BITS:
        return f"{Decimal(v):.3e}".replace("e+", "e")
    shift = abs(v).bit_length() - 64
    lg = math.log10(abs(v) >> shift) + shift * math.log10(2)
    e = math.floor(lg)
    return f"{'-' if v < 0 else ''}{10 ** (lg - e):.3f}e{e}"


def _fmt(v) -> str:
    if v is None:
        return "n/a"
    if not _long(v):
        return fmt_int(v)
    return "~" + _sci(v)


def _check_json_size(r) -> None:
    """Refuse --json when a bound has more than :data:`JSON_DIGITS` digits."""
    for name, v in r.bounds.items():
        if v is not None and abs(v).bit_length() * 0.30103 > JSON_DIGITS:
            raise RegioncountError(f"bound {name} has about {abs(v).bit_length() * 0.30103:,.0f} "
                                   f"digits; --json writes bounds exactly, up to {JSON_DIGITS:,} "
                                   "digits (the table rounds them)")


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
    if any(v is not None and _long(v) for v in r.bounds.values()):
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
@output_name_options()
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

    Options that do not apply are refused, not ignored: with --arch, every option that reads
    the weights (the domain, --output-name, --tighten, --solver, --time-limit); with
    --tighten interval, --solver and --time-limit.
    """
    from regioncount.bounds import bounds_for_arch

    if (model is None) == (arch is None):
        raise click.UsageError("give a MODEL or --arch N0,N1,... (exactly one)")
    if maxout_rank is not None and maxout_rank < 2:
        raise click.BadParameter("a maxout unit has at least 2 pieces", param_hint="--maxout-rank")
    if arch is not None:
        if any(v is not None for v in (box, box_file, vnnlib)):
            raise click.UsageError("--box / --box-file / --vnnlib need a MODEL (stable units "
                                   "come from its weights)")
        refuse_options(("output_name", "output_deprecated", "tighten_method", "solver",
                        "time_limit"), "only with a MODEL (--arch bounds read no weights)")
        report = bounds_for_arch(parse_arch(arch), maxout_rank=maxout_rank)
    else:
        from regioncount import app

        if tighten_method == "interval":
            refuse_options(("solver", "time_limit"), "only with --tighten lp or milp "
                           "(interval propagation uses no solver)")
        net, domain = load_problem(model, output_name, box, box_file, vnnlib)
        report = app.bounds(net, domain, tighten=tighten_method, solver=solver,
                            time_limit=time_limit, maxout_rank=maxout_rank)
    if as_json:
        _check_json_size(report)
    emit(report, as_json, human_table)
