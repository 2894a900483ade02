"""``regioncount dcf-sweep``: regions of DCF networks against K next to the plain CNN, as a
table and a report (HTML, Markdown or JSON)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from regioncount.cli.common import ProgressLine, domain_options, resolve_domain, write_out
from regioncount.errors import RegioncountError

FORMATS = {".html": "html", ".htm": "html", ".md": "md", ".markdown": "md", ".json": "json"}


def _domain(n: int, digit, radius, box, box_file, vnnlib):
    """``(Domain, words)``: a box around a test digit, or the usual domain options."""
    from regioncount.dcf_sweep import digit_domain

    given = [o for o, v in (("--box", box), ("--box-file", box_file), ("--vnnlib", vnnlib))
             if v is not None]
    if digit is not None:
        if given:
            raise click.UsageError(f"give --digit or {given[0]}, not both")
        return digit_domain(digit, radius), f"test digit {digit} +- {radius:g} (clipped to [0, 1])"
    if radius is not None:
        raise click.UsageError("--radius goes with --digit")
    return resolve_domain(n, box, box_file, vnnlib), None


def _writable(path: str) -> None:
    folder = Path(path).resolve().parent
    if not folder.is_dir() or not os.access(folder, os.W_OK):
        raise RegioncountError(f"{path}: cannot write the report there (no such folder, or "
                               "not writable)")


@click.command("dcf-sweep")
@click.argument("models", nargs=-1, required=True, type=click.Path(dir_okay=False))
@domain_options
@click.option("--digit", type=click.IntRange(min=0), default=None, metavar="I",
              help="Box around test image I of scikit-learn's digits (the split of "
                   "models/build_models.py), with --radius.")
@click.option("--radius", type=float, default=None, metavar="R",
              help="With --digit: every pixel within R of the image, clipped to [0, 1] "
                   "(default 0.002).")
@click.option("--time-limit", type=click.FloatRange(min=0, min_open=True), default=60.0,
              show_default=True, metavar="S",
              help="Seconds per model count; a stopped count is shown as a bracket.")
@click.option("--method", type=click.Choice(["tree", "auto", "milp"]), default="tree",
              show_default=True, help="Count method.")
@click.option("-o", "--out", "out_path", default=None, metavar="FILE",
              help="Also write the report (with the chart of regions against K) here; the "
                   "format follows the extension (.html, .md, .json) or --format.")
@click.option("--format", "fmt", type=click.Choice(["html", "md", "json"]), default=None,
              help="Report format (default: from the -o extension, else html).")
@click.option("--json", "as_json", is_flag=True,
              help="Print the report's JSON instead of the table.")
@click.option("--quiet", "-q", is_flag=True, help="No progress on stderr.")
def dcf_sweep(models, box, box_file, vnnlib, digit, radius, time_limit, method, out_path, fmt,
              as_json, quiet):
    """Count the activation regions of DCF networks (any K) and plain CNNs on one domain.

    MODELS are ONNX files of the same input size (e.g. models/dcf/*.onnx). K comes from each
    model's metadata, else from its DCF layers; the plain CNN is the reference. A count that
    finishes within --time-limit is exact; one that does not is shown as a bracket (regions
    found, an estimate, the weight-aware upper bound). See docs/dcf.md.
    """
    import regioncount
    from regioncount.reports.dcf_sweep import build_dcf_sweep, render_dcf_sweep

    if digit is not None and radius is None:
        radius = 0.002
    n = regioncount.load(models[0]).input_size
    domain, words = _domain(n, digit, radius, box, box_file, vnnlib)
    if out_path and out_path != "-":
        _writable(out_path)
    prog = ProgressLine(not quiet, prefix="dcf-sweep: ")
    rep = build_dcf_sweep(list(models), domain, time_limit=time_limit, method=method,
                          domain_words=words, on_step=prog.step)
    prog.close()
    if as_json:
        click.echo(json.dumps(rep.to_json()))
    else:
        _table(rep)
    if out_path:
        fmt = fmt or FORMATS.get(Path(out_path).suffix.lower(), "html")
        if write_out(out_path, render_dcf_sweep(rep, fmt)) and not as_json:
            click.echo(f"wrote {out_path}")


def _table(rep) -> None:
    """The sweep as a table without times (the report has them)."""
    from regioncount.reports.dcf_sweep import figure_text

    click.echo(f"domain: {rep.domain}")
    click.echo(f"{'model':<18} {'K':<10} {'params':>8}  regions")
    for r in rep.rows:
        k = "plain" if r.K is None else r.label.replace("K=", "")
        click.echo(f"{r.name:<18} {k:<10} {r.bases.params:>8,}  {figure_text(r)}")
