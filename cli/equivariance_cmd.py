"""``regioncount equivariance``: is a model invariant, or equivariant, under p4 / p4m / C4 / D4
(rotations and flips of square images)? The worst error and the element that breaks the check
(docs/equivariance.md)."""

from __future__ import annotations

import click

from regioncount.cli.common import emit, json_option, output_name_options


def _human(r) -> None:
    verdict = ("invariant" if r.invariant else
               f"equivariant (the group acting on the output's {r.action})" if r.equivariant
               else "NOT equivariant")
    click.echo(f"{r.model}: {verdict} under {r.group} (order {r.order}), input "
               f"[{','.join(map(str, r.input_shape))}], output [{','.join(map(str, r.output_shape))}]")
    click.echo(f"  max error {r.max_error:.3g} (relative to the largest output; tolerance "
               f"{r.tolerance:g}), {r.samples} samples in [0, 1]")
    if not r.equivariant:
        click.echo(f"  broken by {r.worst_element}; closest output action: {r.action}; "
                   f"invariance error {r.invariance_error:.3g}")
        click.echo("  errors per element: " + ", ".join(f"{k} {v:.2g}" for k, v in r.errors.items()))
    for layer in r.layers:
        d = ", ".join(f"{k} {v:.2g}" for k, v in layer["distance"].items())
        click.echo(f"  Conv {layer['name']} {'x'.join(map(str, layer['shape']))}: distance from "
                   f"the equivariant filters: {d}")


@click.command("equivariance")
@click.argument("model", type=click.Path(dir_okay=False))
@click.option("--group", "group", type=click.Choice(["p4", "p4m", "c4", "d4"]), required=True,
              help="Quarter turns (p4, c4) or quarter turns and flips (p4m, d4) of the image "
              "about its centre.")
@output_name_options("check")
@click.option("--samples", type=click.IntRange(min=1), default=16, show_default=True,
              help="Seeded random inputs in [0, 1].")
@click.option("--seed", type=int, default=0, show_default=True, help="Sample seed.")
@json_option
def equivariance(model, group, output_name, samples, seed, as_json):
    """Check numerically whether MODEL is invariant (f(g x) = f(x)) or equivariant (f(g x) =
    g f(x), the group acting on the output's grid and orientation channels o*|G| + t, or on its
    grid alone) under GROUP, report the worst error and the element that breaks the check, and
    how far each Conv layer's filters are from equivariant ones."""
    from regioncount.equivariance import check_equivariance

    emit(check_equivariance(model, group, samples=samples, seed=seed, output=output_name),
         as_json, _human)
