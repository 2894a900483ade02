"""``regioncount dcf-norms``: operator norms and bounds of the convolution layers of a model
(DCF layers and plain convolutions) and the network's Lipschitz bound (docs/dcf.md)."""

from __future__ import annotations

import click

from regioncount.cli.common import emit, json_option


def _fmt(v) -> str:
    return "-" if v is None else f"{v:.4g}"


def _human(r) -> None:
    click.echo(f"model {r.model}")
    click.echo(f"  {'layer':<28} {'form':<9} {'basis':<14} {'K':>3} {'in':>7} {'params':>7} "
               f"{'padded':>8} {'norm':>8} {'Schur':>8} {'coef':>8}")
    for L in r.layers:
        size = "x".join(map(str, L.input_size))
        click.echo(f"  {L.name:<28} {L.form:<9} {L.basis:<14} {L.bases or '-':>3} {size:>7} "
                   f"{L.params:>7,} {_fmt(L.padded_norm):>8} {_fmt(L.operator_norm):>8} "
                   f"{_fmt(L.schur_bound):>8} {_fmt(L.coefficient_bound):>8}")
        if L.residual > 0:
            click.echo(f"  {'':<28} coefficients fitted to the recorded bases, relative "
                       f"residual {L.residual:.1e}")
    click.echo("norm: exact, circular padding on the input size + L - 1 (bounds the zero-padded "
               "layer, 'padded');")
    click.echo("Schur, coef: the Schur-test and coefficient bounds (norm <= Schur <= coef)")
    if r.lipschitz_bound is not None:
        click.echo(f"network Lipschitz bound (L2, product over the lowered stages): "
                   f"{r.lipschitz_bound:.6g}")
    for s in r.skipped:
        click.echo(f"not analysed: {s}")


@click.command("dcf-norms")
@click.argument("model", type=click.Path(dir_okay=False))
@json_option
def dcf_norms(model, as_json):
    """Norms of the convolution layers of MODEL: for each, the exact L2 operator norm with
    circular padding, the Schur bound and (DCF layers) the coefficient bound, in that order;
    then the network's Lipschitz bound. DCF layers are found as described in docs/dcf.md."""
    from regioncount.builders.dcf import dcf_norms as compute

    emit(compute(model), as_json, _human)
