"""``regioncount count``: exact activation-region counts (region tree, MILP baseline, slices)."""

from __future__ import annotations

import click

from regioncount.app import COUNT_METHODS
from regioncount.cli.common import (ProgressLine, domain_options, emit, fmt_int, json_option,
                                    load_problem, model_options, refuse_options)


@click.command("count")
@model_options
@domain_options
@click.option("--method", type=click.Choice(list(COUNT_METHODS)), default="auto",
              show_default=True, help="LP region tree, the MILP no-good baseline, exact "
              "slices (input dimension 1 or 2), the vertex method (few inputs), or auto: "
              "vertex up to 6 inputs, else tree (docs/count.md).")
@click.option("--solver", type=click.Choice(["highs", "ortools"]), default="highs",
              show_default=True, help="MILP backend (--method milp).")
@click.option("--time-limit", type=click.FloatRange(min=0), default=None, metavar="S",
              help="Stop after S seconds; the partial count is reported with complete: false.")
@click.option("--max-regions", type=click.IntRange(min=1), default=None, metavar="N",
              help="Stop after N regions (complete: false unless the count ended there).")
@click.option("--workers", type=click.IntRange(min=0), default=None,
              help="Processes for independent subtrees (tree) or sub-boxes (vertex); 0: all "
              "cores. Default: all cores for the tree, 1 for the vertex method.")
@click.option("--dask", "dask_scheduler", default=None, metavar="ADDRESS|local",
              help="Run the subtrees (tree) or sub-boxes (vertex) on a dask.distributed "
              "cluster: a scheduler address (tcp://host:8786) or 'local' (--workers "
              "processes here). Needs "
              "pip install regioncount[dask].")
@click.option("--checkpoint", type=click.Path(dir_okay=False), default=None, metavar="F",
              help="Save the search state to F every few seconds and at the end (tree and "
              "vertex: pending subtrees or sub-boxes).")
@click.option("--resume", is_flag=True, help="Continue the count saved in --checkpoint.")
@click.option("--memory-budget", type=click.IntRange(min=1), default=None, metavar="MIB",
              help="Memory for the vertex method's cells and record, in MiB (default 2048); "
              "past it the domain is cut into sub-boxes, or the count stops, partial.")
@click.option("--spill-dir", type=click.Path(file_okay=False), default=None, metavar="DIR",
              help="Vertex method: past the memory budget, keep the record of finished "
              "sub-boxes in files in DIR (removed at the end) and go on, instead of stopping. "
              "Not with --patterns-out, --checkpoint or --certify.")
@click.option("--patterns-out", type=click.Path(dir_okay=False), default=None, metavar="F.npz",
              help="Write every region's pattern, interior point and margin to F.npz.")
@click.option("--certify", is_flag=True,
              help="Prove the count: re-check every region's interior point rigorously and "
              "prove every other piece empty (Farkas certificates); reports certified, "
              "certified_lower, certified_upper (docs/count.md).")
@click.option("--quiet", "-q", is_flag=True, help="No progress display.")
@click.option("--symmetry", type=click.Choice(["p4", "p4m", "c4", "d4"]), default=None,
              help="Count one region per orbit of the group (on a fundamental domain) and "
              "report the orbits and the total (region tree; docs/equivariance.md).")
@json_option
def count(model, output_name, box, box_file, vnnlib, method, solver, time_limit, max_regions,
          workers, dask_scheduler, checkpoint, resume, memory_budget, spill_dir, patterns_out,
          quiet, as_json, symmetry=None, certify=False):
    """Count the activation regions of MODEL exactly on the domain (default [0,1]^n).

    A region is a choice of one affine piece per PWL unit realised on a set with non-empty
    interior; identical pieces count once (docs/count.md). Ctrl-C, --time-limit and
    --max-regions stop cleanly and report what was found with complete: false.

    Options the method that runs does not use are refused: --solver goes with --method milp,
    --workers (other than 1) with the region tree and the vertex method, --checkpoint and
    --resume and --dask with those two, --memory-budget and --spill-dir with the vertex
    method, and
    the slice method takes neither --time-limit nor --max-regions (it always runs to the end).
    """
    from regioncount import app

    if resume and not checkpoint:
        raise click.UsageError("--resume needs --checkpoint F")
    if method not in ("tree", "vertex", "auto") and (checkpoint or resume):
        raise click.UsageError("--checkpoint and --resume work with --method tree or vertex")
    if method not in ("tree", "vertex", "auto") and dask_scheduler:
        raise click.UsageError("--dask works with --method tree or vertex")
    if certify and symmetry:
        raise click.UsageError("--certify checks a whole count; it does not take --symmetry")
    net, domain = load_problem(model, output_name, box, box_file, vnnlib)
    run = _method_run(net, method, symmetry, checkpoint, resume, dask_scheduler)
    _refuse_unused(run, workers)
    if workers is None:
        workers = 1 if run == "vertex" else 0
    keep = patterns_out is not None
    bar = ProgressLine(not quiet)
    try:
        if symmetry:
            res = _count_symmetric(net, domain, symmetry, method, checkpoint or dask_scheduler,
                                   time_limit, max_regions, workers, bar, keep)
        else:
            res = app.count(net, domain, method, solver=solver, time_limit=time_limit,
                            max_regions=max_regions, workers=workers, checkpoint=checkpoint,
                            resume=resume, scheduler=dask_scheduler, progress=bar,
                            keep_patterns=keep, keep_points=keep, certify=certify,
                            memory_budget=None if memory_budget is None
                            else memory_budget << 20, spill_dir=spill_dir)
    finally:
        bar.close()
    if keep:
        _write_patterns(patterns_out, net, res)

    def human(r):
        state = "exact" if r.complete else f"PARTIAL, stopped by {r.stop_reason or 'a limit'}"
        click.echo(f"{net.name}: {fmt_int(r.regions)} activation regions ({state}) on "
                   f"{_domain_words(domain)}")
        per = f", {r.lps / r.regions:.2f} per region" if r.regions and r.lps else ""
        click.echo(f"  method {r.method}{' (' + r.solver + ')' if r.solver else ''}, "
                   f"{r.seconds:.2f} s, {fmt_int(r.lps)} {'MILPs' if r.method == 'milp' else 'LPs'}"
                   f"{per}, {r.workers} worker{'s' if r.workers != 1 else ''}")
        if r.per_layer:
            click.echo("  regions after each PWL layer: " + ", ".join(fmt_int(v) for v in r.per_layer))
        if r.per_class:
            click.echo("  regions per output argmax: " + ", ".join(
                f"{k}: {fmt_int(v)}" for k, v in sorted(r.per_class.items())))
        if certify:
            click.echo("  " + _certificate_words(r.extra))
        if symmetry:
            x = r.extra
            click.echo(f"  symmetry {x['symmetry']} (order {x['group_order']}): "
                       f"{fmt_int(x['orbits'])} orbits (sizes: " + ", ".join(
                           f"{fmt_int(v)} of size {k}" for k, v in x["orbit_sizes"].items())
                       + f"); the tree met {fmt_int(x['fundamental_regions'])} regions on a "
                       "fundamental domain")
        if keep:
            click.echo(f"  patterns written to {patterns_out}")

    emit(res, as_json, human)


def _certificate_words(x: dict) -> str:
    """One line on the certificate of a count (docs/count.md, "Certified counts")."""
    lo, hi = x["certified_lower"], x["certified_upper"]
    c = x["certificate"]
    how = (f"{fmt_int(c.get('regions', 0))} interior points checked, "
           f"{fmt_int(c.get('pieces', 0))} empty pieces proven")
    if x["certified"]:
        return f"certified: exactly {fmt_int(lo)} regions ({how}, {c['seconds']:.2f} s)"
    up = "unknown" if hi is None else fmt_int(hi)
    stopped = f"; the proof stopped: {c['stopped']}" if c.get("stopped") else ""
    return f"NOT certified: {fmt_int(lo)} <= regions <= {up} ({how}{stopped})"


def _domain_words(domain) -> str:
    """``the box [0, 1]^2``, ``the polytope [0, 1]^2 cut by 2 half-spaces``, or for a box
    whose coordinates differ ``a box of 2 coordinates (lo from ... to ..., hi ...)``."""
    from regioncount.reports.build import domain_text

    txt = domain_text(domain)
    if not txt.startswith("["):
        return f"a {txt}"
    return f"the {'box' if domain.is_box else 'polytope'} {txt}"


def _method_run(net, method, symmetry, checkpoint, resume, scheduler) -> str:
    """The count method that will run (``auto`` resolved as :func:`regioncount.app.count`
    resolves it; ``--symmetry`` runs the region tree)."""
    from regioncount.app import CountOptions, auto_method

    if method != "auto":
        return method
    if symmetry:
        return "tree"
    return auto_method(net, CountOptions(checkpoint=checkpoint, resume=resume,
                                         scheduler=scheduler))


def _refuse_unused(run: str, workers: int) -> None:
    """A usage error for an option that the method ``run`` would ignore."""
    if run != "milp":
        refuse_options(("solver",), f"only with --method milp (this count runs the {run} method)")
    if run not in ("tree", "vertex") and workers not in (None, 1):
        refuse_options(("workers",), f"only the region tree and the vertex method run in "
                       f"parallel, and this count runs the {run} method")
    if run != "vertex":
        refuse_options(("memory_budget", "spill_dir"), f"only with the vertex method (this count runs the "
                       f"{run} method)")
    if run == "slice":
        refuse_options(("time_limit", "max_regions"), "the slice method takes no limit (it "
                       "always runs to the end)")


def _count_symmetric(net, domain, group, method, other, time_limit, max_regions, workers,
                     bar, keep):
    """``count --symmetry``: the region tree on a fundamental domain (regioncount.symmetry)."""
    from regioncount.symmetry import count_symmetric

    if method not in ("tree", "auto") or other:
        raise click.UsageError("--symmetry works with the region tree, without --checkpoint "
                               "and --dask")
    return count_symmetric(net, domain, group, time_limit=time_limit, max_regions=max_regions,
                           workers=workers, progress=bar, keep_patterns=keep, keep_points=keep)


def _write_patterns(path, net, res) -> None:
    import numpy as np

    from regioncount.errors import RegioncountError

    if res.patterns is None:
        raise RegioncountError(f"{path}: this method kept no patterns")
    data = {"patterns": res.patterns,
            "stage_sizes": np.array([s.size for s in net.pwl_stages], dtype=np.int64),
            "complete": np.array(res.complete)}
    if res.points is not None:
        data["points"] = res.points
    if res.margins is not None:
        data["margins"] = res.margins
    try:
        np.savez_compressed(path, **data)
    except OSError as e:
        raise RegioncountError(f"{path}: cannot write ({e.strerror})") from None
