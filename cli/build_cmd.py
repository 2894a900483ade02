"""``regioncount build``: write networks built for a purpose (``max-regions``: a network that
reaches a lower bound on the number of regions)."""

from __future__ import annotations

import json

import click

from regioncount.cli.bounds_cmd import parse_arch
from regioncount.cli.common import fmt_int, json_option
from regioncount.errors import RegioncountError


@click.group("build")
def build():
    """Build networks (written as ONNX)."""


@build.command("max-regions")
@click.option("--arch", "arch", required=True, metavar="N0,N1,...",
              help="Architecture, input dimension first; n_l >= 3 n0 for every layer but the last.")
@click.option("-o", "--out", "out", required=True, type=click.Path(dir_okay=False),
              help="Where to write the ONNX model.")
@click.option("--box", "box", default="0,1", show_default=True, metavar="LO,HI",
              help="The box [LO, HI]^n0 on which the network reaches the bound.")
@json_option
def max_regions(arch, out, box, as_json):
    """A ReLU network with the most regions this construction gives on the box: Serra et al.'s
    Thm 6 lower bound, and the exact maximum prod (n_l + 1) when n0 = 1 (docs/bounds.md)."""
    import onnx

    from regioncount.bounds.construct import max_regions_network
    from regioncount.domain import Domain

    a = parse_arch(arch)
    dom = Domain.from_spec(box, a[0] if a else 1)
    c = max_regions_network(a, float(dom.lo[0]), float(dom.hi[0]))
    try:
        onnx.save(c.onnx(), out)
    except OSError as e:
        raise RegioncountError(f"{out}: cannot write the model ({e.strerror or e})") from None
    result = {"arch": list(c.arch), "out": str(out), "box": [c.lo, c.hi], "regions": c.regions,
              "matches": c.matches}
    if as_json:
        click.echo(json.dumps(result))
        return
    what = ", ".join(c.matches) if c.matches else "no registry bound (a valid lower bound)"
    click.echo(f"wrote {out}: {'-'.join(map(str, c.arch))} ReLU network with {fmt_int(c.regions)} "
               f"activation regions on [{c.lo:g}, {c.hi:g}]^{c.arch[0]} (= {what})")
