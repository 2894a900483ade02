"""``regioncount build``: write networks built for a purpose (``max-regions``: a network that
reaches a lower bound on the number of regions)."""

from __future__ import annotations

from dataclasses import dataclass

import click

from regioncount.cli.bounds_cmd import parse_arch
from regioncount.cli.common import emit, fmt_int, json_option
from regioncount.errors import RegioncountError


@dataclass(frozen=True)
class MaxRegionsResult:
    """What ``build max-regions`` wrote and how many regions the network has on the box."""

    arch: tuple
    out: str
    box: tuple
    regions: int
    matches: tuple


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

    from regioncount.bounds.formulas import check_arch

    a = check_arch(parse_arch(arch))
    dom = Domain.from_spec(box, a[0])
    c = max_regions_network(a, float(dom.lo[0]), float(dom.hi[0]))
    try:
        onnx.save(c.onnx(), out)
    except OSError as e:
        raise RegioncountError(f"{out}: cannot write the model ({e.strerror or e})") from None
    result = MaxRegionsResult(tuple(c.arch), str(out), (c.lo, c.hi), c.regions, tuple(c.matches))

    def human(r: MaxRegionsResult) -> None:
        what = ", ".join(r.matches) if r.matches else "no registry bound (a valid lower bound)"
        click.echo(f"wrote {r.out}: {'-'.join(map(str, r.arch))} ReLU network with "
                   f"{fmt_int(r.regions)} activation regions on [{r.box[0]:g}, {r.box[1]:g}]^"
                   f"{r.arch[0]} (= {what})")

    emit(result, as_json, human)
