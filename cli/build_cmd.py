"""``regioncount build``: write networks built for a purpose (``max-regions``: a network that
reaches a lower bound on the number of regions; ``dcf``: an untrained DCF network, docs/dcf.md;
``p4``, ``p4m``: an untrained G-CNN, docs/groups.md)."""

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


@dataclass(frozen=True)
class DCFBuildResult:
    """What ``build dcf`` wrote: the architecture, the export form and the parameter counts."""

    out: str
    arch: str
    form: str
    params: int
    dense_params: int


def _ints(text: str, option: str) -> tuple[int, ...]:
    try:
        return tuple(int(p) for p in text.replace(" ", "").split(","))
    except ValueError:
        raise RegioncountError(f"{option} {text!r}: expected integers such as 4,8") from None


@build.command("dcf")
@click.option("--kernel", "kernel", type=int, default=5, show_default=True,
              help="Odd filter size L of every DCF convolution.")
@click.option("--bases", "bases", type=int, default=3, show_default=True,
              help="K: the first K Fourier-Bessel bases (lowest frequencies first).")
@click.option("--channels", "channels", default="4,8", show_default=True, metavar="C1,C2,...",
              help="Output channels of the DCF convolutions (each followed by ReLU and 2x2 pooling).")
@click.option("--input-shape", "input_shape", default="1,12,12", show_default=True, metavar="C,H,W",
              help="Input tensor shape without the batch dimension.")
@click.option("--form", "form", type=click.Choice(["fused", "two-stage"]), default="fused",
              show_default=True, help="One Conv per layer, or depthwise bases Conv + 1x1 Conv.")
@click.option("--pool", "pool", type=click.Choice(["max", "avg"]), default="max", show_default=True,
              help="2x2 pooling after every ReLU.")
@click.option("--classes", "classes", type=click.IntRange(min=1), default=10, show_default=True,
              help="Outputs of the dense head.")
@click.option("--random-bases", "random_bases", is_flag=True,
              help="Gaussian random bases (the paper's control) instead of Fourier-Bessel.")
@click.option("--seed", "seed", type=int, default=0, show_default=True, help="Weight seed.")
@click.option("-o", "--out", "out", required=True, type=click.Path(dir_okay=False),
              help="Where to write the ONNX model.")
@json_option
def dcf(kernel, bases, channels, input_shape, form, pool, classes, random_bases, seed, out,
        as_json):
    """An untrained DCF network (Qiu et al., ICML 2018) with seeded weights: DCF convolutions,
    ReLU, pooling and a dense head, written as plain ONNX (docs/dcf.md)."""
    import onnx

    from regioncount.builders.dcf import build_dcf_net

    net = build_dcf_net(kernel, bases, _ints(channels, "--channels"),
                        _ints(input_shape, "--input-shape"), classes=classes, pool=pool,
                        basis="random" if random_bases else "fourier-bessel", seed=seed)
    try:
        onnx.save(net.to_onnx(form), out)
    except OSError as e:
        raise RegioncountError(f"{out}: cannot write the model ({e.strerror or e})") from None
    result = DCFBuildResult(str(out), net.describe(), form, net.params(), net.dense_params())

    def human(r: DCFBuildResult) -> None:
        click.echo(f"wrote {r.out} ({r.form}): {r.arch}")
        click.echo(f"  {fmt_int(r.params)} parameters (the plain CNN of the same shape: "
                   f"{fmt_int(r.dense_params)})")

    emit(result, as_json, human)


@dataclass(frozen=True)
class GroupBuildResult:
    """What ``build p4`` / ``build p4m`` wrote: the architecture, the group's order, the
    output shape and the parameter counts (the plain CNN of the same Conv shapes)."""

    out: str
    group: str
    order: int
    arch: str
    output_shape: tuple
    params: int
    dense_params: int


def _group_command(group: str):
    @build.command(group)
    @click.option("--channels", "channels", default="1,4,4", show_default=True, metavar="C0,C1,...",
                  help="Input channels, then the lifting layer's and each group convolution's "
                  "output channels (each |G| orientations).")
    @click.option("--kernel", "kernel", type=int, default=3, show_default=True,
                  help="Odd filter size of every layer.")
    @click.option("--input-shape", "input_shape", default="1,9,9", show_default=True,
                  metavar="C,H,W", help="Input tensor shape without the batch dimension (H = W).")
    @click.option("--orientation-pool", "orientation_pool", type=click.Choice(["max", "mean"]),
                  default=None, help="Pool over the orientations at the end (invariant channels).")
    @click.option("--seed", "seed", type=int, default=0, show_default=True, help="Weight seed.")
    @click.option("-o", "--out", "out", required=True, type=click.Path(dir_okay=False),
                  help="Where to write the ONNX model.")
    @json_option
    def command(channels, kernel, input_shape, orientation_pool, seed, out, as_json):
        import onnx

        from regioncount.builders.groups import IMAGE_GROUPS, build_group_net

        net = build_group_net(group, _ints(channels, "--channels"), kernel,
                              _ints(input_shape, "--input-shape"), seed=seed,
                              orientation_pool=orientation_pool)
        try:
            onnx.save(net.to_onnx(), out)
        except OSError as e:
            raise RegioncountError(f"{out}: cannot write the model ({e.strerror or e})") from None
        result = GroupBuildResult(str(out), group, IMAGE_GROUPS[group], net.describe(),
                                  net.feature_shape(), net.params(), net.dense_params())

        def human(r: GroupBuildResult) -> None:
            click.echo(f"wrote {r.out}: {r.arch}, output [{','.join(map(str, r.output_shape))}]")
            click.echo(f"  {fmt_int(r.params)} parameters (the plain CNN of the same Conv shapes: "
                       f"{fmt_int(r.dense_params)}); equivariant under {r.group} (order {r.order})")

        emit(result, as_json, human)

    command.__doc__ = (f"An untrained {group} G-CNN (Cohen & Welling, ICML 2016) with seeded "
                       "weights: a lifting layer and group convolutions, each one plain Conv "
                       "followed by ReLU (docs/groups.md).")
    command.help = command.__doc__
    return command


p4 = _group_command("p4")
p4m = _group_command("p4m")
