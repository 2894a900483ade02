"""``regioncount check``: the lowered network against onnxruntime."""

from __future__ import annotations

import sys

import click

from regioncount.cli.common import domain_options, emit, json_option, model_options, resolve_domain


@click.command("check")
@model_options
@click.option("--samples", default=100, show_default=True, type=click.IntRange(1),
              help="Random points of the domain to compare on.")
@click.option("--seed", default=0, show_default=True, type=int)
@domain_options
@json_option
def check(model, output_name, samples, seed, box, box_file, vnnlib, as_json):
    """Evaluate the lowered MODEL and onnxruntime on random points of the domain and report
    the largest absolute and relative error. Exits 1 above tolerance."""
    from regioncount.check import check_network
    from regioncount.io import read_model
    from regioncount.lowering import lower

    graph = read_model(model)
    net = lower(graph, output=output_name)
    domain = resolve_domain(net.input_size, box, box_file, vnnlib)
    res = check_network(graph, net, domain, samples=samples, seed=seed)

    def human(r):
        verdict = "ok" if r.ok else "FAILED"
        click.echo(f"{r.model}: {verdict}: max abs error {r.max_abs_error:.3g}, "
                   f"max rel error {r.max_rel_error:.3g} (tolerance {r.tolerance:g}) against "
                   f"{r.reference} over {r.samples} samples of output '{r.output_name}'")
        click.echo(f"  against the model as shipped (onnxruntime): max abs error "
                   f"{r.shipped_max_abs_error:.3g}, max rel error {r.shipped_max_rel_error:.3g}")

    emit(res, as_json, human)
    if not res.ok:
        sys.exit(1)
