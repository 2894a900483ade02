"""``regioncount report``: a bound-comparison report (HTML, Markdown or JSON) of a model, or the
bound sweep of Serra et al. (``--sweep N0:TOTAL``)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import click

from regioncount.app import COUNT_METHODS
from regioncount.cli.common import (ProgressLine, domain_options, emit, load_problem,
                                    output_name_options, refuse_options, resolve_domain,
                                    write_out)
from regioncount.errors import RegioncountError

FORMATS = {".html": "html", ".htm": "html", ".md": "md", ".markdown": "md", ".json": "json"}
EXT = {"html": ".html", "md": ".md", "json": ".json"}


def _floats(text: str, what: str) -> tuple:
    try:
        return tuple(float(v) for v in text.replace(" ", "").split(",") if v)
    except ValueError:
        raise click.BadParameter(f"{text!r}: expected comma-separated numbers",
                                 param_hint=what) from None


def _origin(text: str | None):
    if text is None:
        return None
    p = Path(text)
    if p.suffix.lower() == ".json" and p.exists():
        try:
            data = json.loads(p.read_text())
        except (OSError, ValueError) as e:
            raise RegioncountError(f"{text}: cannot read the slice origin ({e})") from None
        return tuple(float(v) for v in (data["origin"] if isinstance(data, dict) else data))
    return _floats(text, "--slice-origin")


def _plane(path: str | None):
    """``--slice-plane F.json``: ``{"u": [...], "v": [...], "origin": [...] (optional)}``."""
    if path is None:
        return None, None
    try:
        data = json.loads(Path(path).read_text())
        dirs = (tuple(float(x) for x in data["u"]), tuple(float(x) for x in data["v"]))
        origin = tuple(float(x) for x in data["origin"]) if data.get("origin") is not None else None
    except OSError as e:
        raise RegioncountError(f"{path}: cannot read the slice plane ({e.strerror})") from None
    except (ValueError, KeyError, TypeError, AttributeError):
        raise RegioncountError(f"{path}: expected a JSON object with lists 'u' and 'v' (and "
                               "optionally 'origin') of input values") from None
    return dirs, origin


def _axes(text: str | None):
    if text is None:
        return None
    try:
        i, j = (int(v) for v in text.split(","))
    except ValueError:
        raise click.BadParameter(f"{text!r}: expected two input indices such as 0,1",
                                 param_hint="--slice-axes") from None
    return i, j


@click.command("report")
@click.argument("model", required=False, type=click.Path(dir_okay=False))
@output_name_options(refuse_suffixes=tuple(FORMATS))
@domain_options
@click.option("-o", "--out", "out_path", default=None, metavar="FILE",
              help="Where to write the report ('-' for stdout; default MODEL_report.html or "
                   "sweep_N0_TOTAL.html, extension after --format). -o is always the file: "
                   "--output is the deprecated spelling of --output-name, and refuses a "
                   "report file name such as out.html.")
@click.option("--format", "fmt", type=click.Choice(["html", "md", "json"]), default=None,
              help="Report format (default: from the -o extension, else html).")
@click.option("--time-limit", type=click.FloatRange(min=0), default=60.0, show_default=True,
              metavar="S", help="Seconds for each long step: a stopped count is reported as "
              "partial (a sure lower bound), a slice that does not finish is left out.")
@click.option("--method", type=click.Choice(list(COUNT_METHODS)), default="tree",
              show_default=True, help="Count with the LP region tree, the MILP no-good baseline, "
              "or the exact slice (1 or 2 inputs).")
@click.option("--tighten", type=click.Choice(["interval", "lp", "milp"]), default="lp",
              show_default=True, help="Neuron bounds behind the stable units and the weight-aware "
              "bound: interval propagation, plus LP tightening, plus MILP (docs/milp.md).")
@click.option("--workers", type=click.IntRange(min=0), default=1, show_default=True,
              help="Processes for the region tree (0: all cores).")
@click.option("--no-count", is_flag=True, help="Bounds and pictures only, no exact count.")
@click.option("--no-certify", is_flag=True, help="Do not certify the count (by default a "
              "complete count is certified and the report says so: docs/count.md).")
@click.option("--no-slice", is_flag=True, help="No region picture.")
@click.option("--slice-axes", default=None, metavar="I,J",
              help="Slice along input coordinates I and J (default: the inputs of a 2-input "
                   "model, else two random orthonormal directions).")
@click.option("--slice-origin", default=None, metavar="V,V,...|F.json",
              help="The point the slice goes through (default: the domain's centre).")
@click.option("--slice-plane", "slice_plane", type=click.Path(dir_okay=False), default=None,
              metavar="F.json", help="Slice along the directions 'u' and 'v' (and through "
              "'origin', if given) of a JSON object.")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Seed of the random slice directions and the region colours.")
@click.option("--sweep", default=None, metavar="N0:TOTAL",
              help="Instead of a model: every bound for N0-n1-(TOTAL-n1), n1 = 1..TOTAL-1.")
@click.option("--models", "models_dir", type=click.Path(file_okay=False), default=None,
              metavar="DIR", help="With --sweep: also count the models in DIR of those shapes.")
@click.option("--quiet", "-q", is_flag=True, help="No progress on stderr.")
@click.option("--json", "as_json", is_flag=True,
              help="Print one JSON object saying what was written (path, format, bytes, the "
              "headline, the count and the bounds) instead of the 'wrote' line.")
def report(model, output_name, box, box_file, vnnlib, out_path, fmt, time_limit, method, tighten,
           workers,
           no_count, no_slice, slice_axes, slice_origin, slice_plane, seed, sweep, models_dir,
           quiet, as_json, no_certify=False):
    """Write a bound-comparison report of MODEL: architecture and stable units, every bound
    next to the exact count (log chart), counts per class and layer, and the exact regions of
    a 2-D slice with the decision boundary. One self-contained HTML file by default.

    With --sweep N0:TOTAL (no MODEL): Serra et al.'s experiment from the bounds, and with
    --models DIR the exact counts of trained networks of those shapes. See docs/report.md.

    -o FILE is the report file. The graph output is --output-name NAME; its deprecated
    spelling --output NAME still works with a warning, but a value ending in .html, .htm, .md,
    .markdown or .json is refused (it is a file name: use -o). Options that do not apply are
    refused: the model options with --sweep, the domain, --time-limit and --workers with
    --sweep but no --models, --method and --workers with --no-count, the slice options with
    --no-slice, and --json with -o - (the report itself goes to stdout).
    """
    from regioncount.app import AnalysisOptions, parse_sweep
    from regioncount.reports import build_report, build_sweep, render

    _check_options(model, sweep, models_dir, no_count, no_slice)
    out_path, fmt = _out_path(model, sweep, out_path, fmt)
    if as_json and out_path == "-":
        raise click.UsageError("--json prints a summary of the file written; with -o - the "
                               "report itself goes to stdout (--format json for a JSON report)")
    prog = ProgressLine(not quiet, prefix="report: ")
    if sweep:
        n0, total = parse_sweep(sweep)
        if models_dir:
            given = any(v is not None for v in (box, box_file, vnnlib))
            domain_for = (lambda n: resolve_domain(n, box, box_file, vnnlib)) if given else None
        else:
            domain_for = None
        rep = build_sweep(n0, total, models_dir=models_dir, domain_for=domain_for,
                          time_limit=time_limit, workers=workers, on_step=prog.step,
                          on_count=prog)
    else:
        net, domain = load_problem(model, output_name, box, box_file, vnnlib)
        dirs, plane_origin = _plane(slice_plane)
        if dirs is not None and slice_axes:
            raise click.UsageError("give --slice-axes or --slice-plane, not both")
        if plane_origin is not None and slice_origin:
            raise click.UsageError("the origin is given twice (--slice-origin and in --slice-plane)")
        opts = AnalysisOptions(count=not no_count, method=method, time_limit=time_limit,
                               workers=workers, slice=not no_slice,
                               slice_axes=_axes(slice_axes),
                               slice_origin=_origin(slice_origin) or plane_origin,
                               slice_dirs=dirs, seed=seed, tighten=tighten,
                               certify=not no_certify)
        rep = build_report(net, domain, opts, on_step=prog.step, on_count=prog)
    prog.step(f"rendering {fmt}")
    text = render(rep, fmt)
    prog.close()
    if not write_out(out_path, text):
        return
    emit(Written.of(rep, out_path, fmt, len(text.encode())), as_json,
         lambda w: click.echo(f"wrote {w.path} ({w.bytes / 1024:,.0f} KiB): {w.headline}"))


#: Options of a model's report, refused with --sweep.
MODEL_ONLY = ("output_name", "output_deprecated", "method", "tighten", "no_count", "no_slice",
              "slice_axes", "slice_origin", "slice_plane", "seed")


def _check_options(model, sweep, models_dir, no_count, no_slice) -> None:
    """Usage errors: a MODEL or --sweep, and no option that would be ignored."""
    if (model is None) == (sweep is None):
        raise click.UsageError("give a MODEL or --sweep N0:TOTAL (exactly one)")
    if models_dir and not sweep:
        raise click.UsageError("--models DIR goes with --sweep N0:TOTAL")
    if sweep:
        refuse_options(MODEL_ONLY, "only with a MODEL, not with --sweep")
        if not models_dir:
            refuse_options(("box", "box_file", "vnnlib", "time_limit", "workers"),
                           "with --sweep only together with --models DIR (they apply to "
                           "counting its models)")
        return
    if no_count:
        refuse_options(("method", "workers"), "not with --no-count (nothing is counted)")
    if no_slice:
        refuse_options(("slice_axes", "slice_origin", "slice_plane"),
                       "not with --no-slice (no region picture is drawn)")


def _out_path(model, sweep, out_path, fmt) -> tuple[str, str]:
    """The report file (or '-') and its format; a folder that cannot take it is refused
    before any work."""
    if fmt is None:
        given = out_path and out_path != "-"
        fmt = FORMATS.get(Path(out_path).suffix.lower(), "html") if given else "html"
    if out_path is None:
        stem = Path(model).stem + "_report" if model else "sweep_" + sweep.replace(":", "_")
        out_path = stem + EXT[fmt]
    if out_path != "-":
        if Path(out_path).is_dir():
            raise RegioncountError(f"{out_path}: is a folder; -o names the report file")
        folder = Path(out_path).resolve().parent
        if not folder.is_dir() or not os.access(folder, os.W_OK):
            raise RegioncountError(f"{out_path}: cannot write the report there "
                                   "(no such folder, or not writable)")
    return str(out_path), fmt


@dataclass(frozen=True)
class Written:
    """What ``report`` wrote (its ``--json``): the file, its format and size, the headline
    and the numbers of the report (a model's count and bounds, or a sweep's models)."""

    path: str
    format: str
    bytes: int
    headline: str
    summary: dict

    @classmethod
    def of(cls, rep, path: str, fmt: str, size: int) -> "Written":
        j = rep.to_json()
        keys = (("kind", "domain", "regions", "complete", "regions_found", "bounds",
                 "not_available") if "bounds" in j else
                ("kind", "n0", "total", "domain", "models", "skipped", "not_available"))
        return cls(path, fmt, size, rep.headline, {k: j.get(k) for k in keys})

    def to_json(self) -> dict:
        return {"path": self.path, "format": self.format, "bytes": self.bytes,
                "headline": self.headline, **self.summary}
