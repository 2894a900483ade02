"""Building reports: compute everything a report shows, as a :class:`~.data.Report`.

Nothing here draws or formats; :mod:`.render` and :mod:`.figures` do that. The steps:

1. the model: the lowered network's stages, parameters, and its stable units on the domain
   (interval propagation, then LP / MILP tightening: :func:`regioncount.milp.tighten.tighten`);
2. the bounds: every entry of the bounds registry for this network
   (:func:`regioncount.bounds.model.bounds_for_network`), with the stable-unit (weight-aware)
   bound fed by the same neuron bounds;
3. the count (the long step): the LP region tree (or the MILP baseline) under the time limit,
   or the exact slice for 1- or 2-input models; a count stopped by the limit is kept as a sure
   lower bound;
4. the slice: the exact regions met by a 2-D plane, and the decision boundary inside them (in a
   child process stopped at the time limit).

Examples
--------
>>> import numpy as np
>>> from regioncount import Domain, Network
>>> final = (np.array([[1.0, 1.0, 1.0], [1.0, -1.0, 2.0]]), np.zeros(2))
>>> net = Network.from_layers([(np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]),
...                             np.array([0.0, 0.0, -1.0]))], final=final)
>>> r = build_report(net, Domain.box(-1, 1, 2))     # x + y = 1 only cuts the quadrant x, y > 0
>>> r.count.regions, r.slice.regions, r.bound("zaslavsky_one_layer")
(5, 5, 7)
"""

from __future__ import annotations

import logging
import time
from typing import Callable

import numpy as np

from .. import __version__
from ..domain import Domain
from ..errors import DomainError, RegioncountError
from ..intervals import interval_bounds, stable_units
from ..network import Affine, Network
from .data import (BoundRow, CountSection, ModelSection, Report, ReportOptions, SlicePolygon,
                   SliceSection, StageRow, SweepModel, SweepReport, SweepRow)

log = logging.getLogger(__name__)

#: Count methods a report can use.
METHODS = ("tree", "milp", "slice")


def _say(on_step, msg: str) -> None:
    log.info(msg)
    if on_step is not None:
        on_step(msg)


def domain_text(domain: Domain) -> str:
    """The domain in words: ``[0, 1]^64``, or the box's range and its extra half-spaces."""
    lo, hi = np.asarray(domain.lo), np.asarray(domain.hi)
    if lo.size and np.all(lo == lo[0]) and np.all(hi == hi[0]):
        txt = f"[{lo[0]:g}, {hi[0]:g}]^{lo.size}"
    else:
        txt = (f"box of {lo.size} coordinates (lo from {lo.min():g} to {lo.max():g}, hi from "
               f"{hi.min():g} to {hi.max():g})")
    if domain.A is not None:
        txt += f" cut by {domain.A.shape[0]} half-spaces"
    return txt


# -- model ---------------------------------------------------------------------------------

def stable_bounds(net: Network, domain: Domain, method: str = "lp",
                  time_limit: float | None = None, progress=None):
    """Neuron bounds for the stable units: :func:`regioncount.milp.tighten.tighten` (interval
    propagation, then LP / MILP tightening under ``time_limit``; sound when stopped early).

    One solver thread: HiGHS keeps one process-wide thread pool, and the region tree's LPs
    (``threads=1``) refuse to run on a pool set up for more threads.
    """
    from ..milp.tighten import tighten

    return tighten(net, domain, method=method, time_limit=time_limit, progress=progress,
                   threads=1)


def model_section(net: Network, domain: Domain, neuron_bounds=None,
                  tightening=None) -> ModelSection:
    """Architecture, parameters and stable units of ``net`` on ``domain``.

    Examples
    --------
    >>> import numpy as np
    >>> from regioncount import Domain, Network
    >>> net = Network.from_layers([(np.array([[1.0], [1.0], [-1.0]]), np.array([2.0, 0.0, -3.0]))])
    >>> m = model_section(net, Domain.box(-1, 1, 1))
    >>> m.arch, m.stable_active, m.stable_inactive
    ((1, 3), 1, 1)
    """
    from ..bounds.model import network_architecture

    if tightening is not None:
        neuron_bounds = tightening.bounds
    nb = neuron_bounds if neuron_bounds is not None else interval_bounds(net, domain)
    stable = {su.stage: su for su in stable_units(net, nb)}
    proved = {}
    if tightening is not None:
        proved = {s.stage: tuple((m, v) for m, v in s.counts().items() if v)
                  for s in tightening.stages}
    elif neuron_bounds is None:
        proved = {k: (("interval", int(su.active.sum() + su.inactive.sum())),)
                  for k, su in stable.items()}
    rows = []
    for k, s in enumerate(net.stages):
        if k == 0:
            continue
        su = stable.get(k)
        rows.append(StageRow(
            index=k, kind=s.kind, units=int(s.size), inputs=tuple(int(i) for i in s.inputs),
            shape=tuple(int(d) for d in s.source.shape), source=s.source.describe(),
            params=s.params() if isinstance(s, Affine) else None,
            active=None if su is None else int(su.active.sum()),
            inactive=None if su is None else int(su.inactive.sum()),
            proved_by=proved.get(k, ())))
    arch = network_architecture(net)
    return ModelSection(name=net.name, input_shape=tuple(net.input_shape),
                        output_shape=tuple(net.output_shape), arch=tuple(arch.arch),
                        stages=tuple(rows), pwl_units=int(net.pwl_units),
                        params=int(net.params()), chain=net.is_chain(),
                        stable_method=getattr(nb, "method", "interval"),
                        notes=tuple(net.notes),
                        stable_seconds=0.0 if tightening is None else float(tightening.seconds),
                        stable_partial=bool(tightening is not None and tightening.partial))


def bound_rows(report) -> tuple:
    """:class:`BoundRow` per entry of a :class:`regioncount.bounds.BoundsReport`."""
    return tuple(BoundRow(name=n, value=v, kind=report.kinds.get(n, ""),
                          reference=report.references.get(n, ""),
                          note=report.reasons.get(n, ""))
                 for n, v in report.bounds.items())


# -- count ---------------------------------------------------------------------------------

def count_section(net: Network, domain: Domain, options: ReportOptions, on_count=None,
                  neuron_bounds=None) -> CountSection:
    """Count the regions (the report's long step) with the method of ``options``: the LP
    region tree, the MILP no-good baseline (big-M constants from ``neuron_bounds``, default
    LP-tightened) or the exact slice of a 1- or 2-input domain."""
    if options.method == "tree":
        from ..enumeration import count_tree

        res = count_tree(net, domain, time_limit=options.time_limit, workers=options.workers,
                         progress=on_count)
    elif options.method == "milp":
        from ..enumeration.milp_count import count_milp

        res = count_milp(net, domain, time_limit=options.time_limit, progress=on_count,
                         keep_patterns=False,
                         bounds=neuron_bounds if neuron_bounds is not None else "lp")
    elif options.method == "slice":
        from ..enumeration.slices import count_slice

        res = count_slice(net, domain)
    else:
        raise RegioncountError(f"report: unknown count method {options.method!r} "
                               f"(choose from {', '.join(METHODS)})")
    return CountSection(regions=int(res.regions), complete=bool(res.complete), method=res.method,
                        seconds=float(res.seconds), lps=int(res.lps),
                        per_class=tuple(sorted((int(k), int(v)) for k, v in res.per_class.items())),
                        per_layer=tuple(int(v) for v in res.per_layer),
                        stop_reason=res.stop_reason, time_limit=options.time_limit)


# -- slice ---------------------------------------------------------------------------------

def _axis_name(net: Network, i: int) -> str:
    shape = tuple(net.input_shape)
    if len(shape) > 1:
        return f"x{list(np.unravel_index(i, shape))}".replace(" ", "")
    return f"x[{i}]"


def slice_plane(net: Network, domain: Domain, options: ReportOptions) -> dict:
    """The plane of the picture: origin, directions, rectangle of slice coordinates, labels.

    - a 2-input model (no axes given): the whole domain, slice coordinates = the inputs;
    - ``slice_axes=(i, j)``: coordinates ``i`` and ``j`` through the origin (the others fixed);
    - ``slice_dirs=(u, v)``: these two directions through the origin;
    - otherwise two random orthonormal directions (``seed``) through the origin, over a square
      that covers the domain (the picture is the plane's intersection with the domain).
    """
    n = net.input_size
    centre = (domain.lo + domain.hi) / 2
    if options.slice_origin is not None:
        origin = np.asarray(options.slice_origin, float).ravel()
        if origin.size != n:
            raise DomainError(f"--slice-origin has {origin.size} values, the model has {n} inputs")
        if np.any(origin < domain.lo) or np.any(origin > domain.hi):
            raise DomainError("--slice-origin lies outside the domain's box")
    else:
        origin = centre.copy()
    axes = options.slice_axes
    if options.slice_dirs is not None and axes is not None:
        raise DomainError("give slice directions or slice axes, not both")
    if axes is None and n == 2 and options.slice_dirs is None:
        axes = (0, 1)
    if axes is not None:
        i, j = (int(a) for a in axes)
        if not (0 <= i < n and 0 <= j < n) or i == j:
            raise DomainError(f"--slice-axes {i},{j}: need two different input coordinates "
                              f"in 0..{n - 1}")
        u, v = np.zeros(n), np.zeros(n)
        u[i], v[j] = 1.0, 1.0
        o = origin.copy()
        o[i], o[j] = 0.0, 0.0                    # slice coordinates are the inputs i and j
        fixed = "" if n == 2 else (" through the domain's centre" if options.slice_origin is None
                                   else " through the given point")
        return dict(origin=o, u=u, v=v, s_range=(float(domain.lo[i]), float(domain.hi[i])),
                    t_range=(float(domain.lo[j]), float(domain.hi[j])),
                    s_label=_axis_name(net, i), t_label=_axis_name(net, j),
                    description=(f"inputs {_axis_name(net, i)} and {_axis_name(net, j)}{fixed}"
                                 + ("" if n == 2 else ", other inputs fixed")),
                    whole_domain=(n == 2))
    R = float(np.linalg.norm(domain.hi - domain.lo)) / 2 + float(np.linalg.norm(origin - centre))
    where = "the domain's centre" if options.slice_origin is None else "the given point"
    if options.slice_dirs is not None:
        try:
            u, v = (np.asarray(d, float).ravel() for d in options.slice_dirs)
        except (TypeError, ValueError):
            raise DomainError("slice directions: expected two lists of numbers u, v") from None
        if u.size != n or v.size != n:
            raise DomainError(f"slice directions have {u.size} and {v.size} values, the model "
                              f"has {n} inputs")
        if np.linalg.matrix_rank(np.column_stack([u, v])) < 2:
            raise DomainError("slice directions u and v must be linearly independent")
        nu, nv = float(np.linalg.norm(u)), float(np.linalg.norm(v))
        return dict(origin=origin, u=u, v=v, s_range=(-R / nu, R / nu), t_range=(-R / nv, R / nv),
                    s_label="s (along the given u)", t_label="t (along the given v)",
                    description=f"the plane through {where} spanned by the given directions u, v, "
                                "within the domain",
                    whole_domain=False)
    rng = np.random.default_rng(options.seed)
    Q, _ = np.linalg.qr(rng.normal(size=(n, 2)))
    return dict(origin=origin, u=Q[:, 0], v=Q[:, 1], s_range=(-R, R), t_range=(-R, R),
                s_label="s (random unit direction u)", t_label="t (random unit direction v)",
                description=(f"the plane through {where} spanned by two random orthonormal "
                             f"directions u, v (seed {options.seed}), within the domain"),
                whole_domain=False)


def slice_section(net: Network, domain: Domain, options: ReportOptions) -> SliceSection:
    """The exact regions met by the report's plane, and the decision boundary in them."""
    from ..enumeration.slices import slice_regions_2d
    from .geometry import decision_boundary

    t0 = time.monotonic()
    plane = slice_plane(net, domain, options)
    polys = slice_regions_2d(net, plane["origin"], plane["u"], plane["v"],
                             (plane["s_range"], plane["t_range"]), domain)
    segs = decision_boundary(net, polys, plane["origin"], plane["u"], plane["v"])
    return SliceSection(
        origin=tuple(float(x) for x in plane["origin"]), u=tuple(float(x) for x in plane["u"]),
        v=tuple(float(x) for x in plane["v"]), s_range=tuple(plane["s_range"]),
        t_range=tuple(plane["t_range"]), s_label=plane["s_label"], t_label=plane["t_label"],
        description=plane["description"], whole_domain=plane["whole_domain"],
        polygons=tuple(SlicePolygon(tuple(tuple(float(c) for c in p) for p in P.vertices),
                                    int(P.label), float(P.area)) for P in polys),
        boundary=tuple((tuple(float(c) for c in s[0]), tuple(float(c) for c in s[1]))
                       for s in segs),
        seconds=time.monotonic() - t0)


def _slice_child(conn, net, domain, options) -> None:
    try:
        conn.send(("ok", slice_section(net, domain, options)))
    except KeyboardInterrupt:
        conn.send(("error", "interrupted"))
    except Exception as e:  # reported in the page as "not available", with the reason
        conn.send(("error", f"{type(e).__name__}: {e}"))
    finally:
        conn.close()


def slice_with_limit(net: Network, domain: Domain, options: ReportOptions,
                     time_limit: float | None) -> tuple[SliceSection | None, str]:
    """:func:`slice_section` under a time limit: ``(section, "")``, or ``(None, why)`` when it
    did not finish in time, was interrupted, or failed.

    The slice has no stopping point of its own, so with a limit it runs in a child process
    (``spawn``) that is terminated at the limit; without one it runs here.
    """
    slice_plane(net, domain, options)            # option errors surface here, not in the child
    if time_limit is None:
        return slice_section(net, domain, options), ""
    import multiprocessing as mp

    ctx = mp.get_context("spawn")
    recv, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_slice_child, args=(send, net, domain, options), daemon=True)
    proc.start()
    send.close()
    try:
        if recv.poll(time_limit):
            try:
                status, value = recv.recv()
            except EOFError:
                status, value = "error", f"the slice process ended with code {proc.exitcode}"
        else:
            status, value = "error", f"it did not finish within the time limit of {time_limit:g} s"
    except KeyboardInterrupt:
        status, value = "error", "interrupted"
    finally:
        if proc.is_alive():
            proc.terminate()
        proc.join(5)
        recv.close()
    if status == "ok":
        return value, ""
    log.warning("region picture left out: %s", value)
    return None, value


# -- headline ------------------------------------------------------------------------------

def fmt_big(v: int, digits: int = 15) -> str:
    """An exact integer with thousands separators, or ``~1.234e567`` beyond ``digits`` digits.

    >>> fmt_big(1234567), fmt_big(2 ** 200)
    ('1,234,567', '~1.607e60')
    """
    if v is None:
        return "n/a"
    if len(str(abs(v))) <= digits:
        return f"{v:,}"
    from decimal import Decimal

    return "~" + f"{Decimal(v):.3e}".replace("e+", "e")


def tightest(bounds, prefix: str) -> BoundRow | None:
    """The smallest upper (``prefix="upper"``) bound that applies, or ``None``."""
    rows = [b for b in bounds if b.value is not None and b.kind.startswith(prefix)]
    return min(rows, key=lambda b: b.value) if rows else None


def headline(name: str, dom: str, count: CountSection | None, bounds) -> str:
    up = tightest(bounds, "upper")
    up_txt = f"tightest upper bound {up.name} = {fmt_big(up.value)}" if up else "no upper bound applies"
    if count is None:
        return f"{name} on {dom}: regions not counted; {up_txt}."
    if count.complete:
        ratio = ""
        if up is not None and count.regions > 0:
            ratio = f" ({fmt_big(up.value // count.regions)}x the count)"
        noun = "activation region" if count.regions == 1 else "activation regions"
        return (f"{name} on {dom}: {count.regions:,} {noun} (exact, {count.method}, "
                f"{count.seconds:.2f} s); {up_txt}{ratio}.")
    why = count.stop_reason or "a limit"
    lim = f" of {count.time_limit:g} s" if count.time_limit is not None and why == "time limit" else ""
    if count.regions == 0:
        return (f"PARTIAL COUNT: {name} on {dom}: the count stopped at the {why}{lim} before it "
                f"completed a region; the exact count is unknown; {up_txt}.")
    return (f"PARTIAL COUNT: {name} on {dom}: the count stopped at the {why}{lim}; at least "
            f"{count.regions:,} activation regions (a sure lower bound, not the exact count); "
            f"{up_txt}.")


# -- report --------------------------------------------------------------------------------

def build_report(net: Network, domain: Domain, options: ReportOptions = ReportOptions(),
                 on_step: Callable[[str], None] | None = None,
                 on_count: Callable | None = None) -> Report:
    """Everything a bound-comparison report shows for ``net`` on ``domain``.

    Parameters
    ----------
    net : Network
    domain : Domain
    options : ReportOptions
    on_step : callable, optional
        Called with a short message as each step starts.
    on_count : callable, optional
        Progress callback of the count (:class:`regioncount.enumeration.Progress`).

    Returns
    -------
    Report
    """
    from ..bounds.model import bounds_for_network

    if domain.dim != net.input_size:
        raise DomainError(f"domain has {domain.dim} coordinates, the network takes {net.input_size}")
    if options.method not in METHODS:
        raise RegioncountError(f"report: unknown count method {options.method!r}")
    unavailable: list[str] = []
    notes: list[str] = []
    lim = "no time limit" if options.time_limit is None else f"time limit {options.time_limit:g} s"
    _say(on_step, f"stable units ({options.tighten} bounds, {lim})")
    tt = stable_bounds(net, domain, options.tighten, options.time_limit,
                       None if on_step is None else (lambda m: on_step("  " + m)))
    nb = tt.bounds
    model = model_section(net, domain, tightening=tt)
    if tt.partial:
        notes.append(f"{options.tighten} tightening stopped at the time limit; later stages kept "
                     "their interval bounds (sound, less tight)")
    _say(on_step, "analytic bounds")
    brep = bounds_for_network(net, domain=domain, neuron_bounds=nb)
    bounds = bound_rows(brep)
    notes.extend(brep.notes)
    count = None
    if options.count:
        _say(on_step, f"counting regions ({options.method}, {lim})")
        count = count_section(net, domain, options, on_count, neuron_bounds=nb)
    else:
        unavailable.append("Exact count: not available (not requested: --no-count).")
    sl = None
    if options.slice and net.input_size >= 2:
        _say(on_step, f"regions of the 2-D slice ({lim})")
        sl, why = slice_with_limit(net, domain, options, options.time_limit)
        if sl is None:
            unavailable.append(f"Region picture: not available ({why}).")
    elif options.slice:
        unavailable.append("Region picture: not available (the model has one input; a 2-D "
                           "slice needs two).")
    else:
        unavailable.append("Region picture: not available (not requested: --no-slice).")
    if count is not None and sl is not None and sl.whole_domain and count.complete \
            and count.regions != sl.regions:
        notes.append(f"the slice of the whole domain shows {sl.regions} regions, the count found "
                     f"{count.regions}: the two methods disagree")
    dom = domain_text(domain)
    return Report(headline=headline(net.name, dom, count, bounds), model=model, domain=dom,
                  bounds=bounds, count=count, slice=sl, options=options,
                  unavailable=tuple(unavailable), notes=tuple(notes), version=__version__)


# -- sweep ---------------------------------------------------------------------------------

def parse_sweep(text: str) -> tuple[int, int]:
    """``"784:22"`` -> ``(784, 22)``: input dimension and total hidden units of two layers.

    >>> parse_sweep("784:22")
    (784, 22)
    """
    try:
        a, b = (int(p) for p in text.split(":"))
    except ValueError:
        raise RegioncountError(f"--sweep {text!r}: expected N0:TOTAL such as 784:22") from None
    if a < 1 or b < 2:
        raise RegioncountError(f"--sweep {text!r}: need N0 >= 1 and TOTAL >= 2 (two hidden "
                               "layers of at least one unit)")
    return a, b


def _model_files(models_dir) -> list:
    from pathlib import Path

    d = Path(models_dir)
    if not d.is_dir():
        raise RegioncountError(f"--models {models_dir}: not a directory")
    return sorted(p for p in d.iterdir() if p.suffix.lower() in (".onnx", ".nnet"))


def build_sweep(n0: int, total: int, models_dir=None, domain_for: Callable | None = None,
                time_limit: float | None = 60.0, workers: int = 1,
                on_step: Callable[[str], None] | None = None,
                on_count: Callable | None = None) -> SweepReport:
    """Serra et al.'s experiment: every bound for ``n0-n1-(total-n1)``, ``n1 = 1..total-1``,
    and, with ``models_dir``, the exact counts of the models there of those shapes.

    Parameters
    ----------
    n0, total : int
    models_dir : path, optional
        Models whose PWL layers are ``(n1, total - n1)`` on ``n0`` inputs are counted with the
        region tree (others are listed as skipped, with why).
    domain_for : callable, optional
        ``domain_for(n) -> Domain`` for a model of ``n`` inputs (default the box [0, 1]^n).
    time_limit : float, optional
        Seconds per model count; a stopped count is kept as a sure lower bound.

    Examples
    --------
    >>> s = build_sweep(784, 22)
    >>> [r.bounds["serra2018_upper"] for r in s.rows[:3]]
    [23, 254, 1794]
    """
    from ..bounds import bounds_for_arch

    rows = []
    kinds: dict = {}
    refs: dict = {}
    _say(on_step, f"bounds of {n0}-n1-({total}-n1), n1 = 1..{total - 1}")
    for n1 in range(1, total):
        arch = (n0, n1, total - n1)
        r = bounds_for_arch(arch)
        rows.append(SweepRow(n1=n1, arch=arch, bounds=dict(r.bounds)))
        kinds.update(r.kinds)
        refs.update(r.references)
    models, skipped = [], []
    if models_dir is not None:
        import regioncount
        from ..bounds.model import bounds_for_network, network_architecture
        from ..enumeration import count_tree

        for path in _model_files(models_dir):
            try:
                net = regioncount.load(path)
                arch = tuple(network_architecture(net).arch)
            except RegioncountError as e:
                skipped.append((str(path), f"cannot load: {e}"))
                continue
            kinds_ok = {s.kind for s in net.pwl_stages} == {"relu"} and net.is_chain()
            if len(arch) != 3 or arch[0] != n0 or arch[1] + arch[2] != total or not kinds_ok:
                skipped.append((str(path), f"architecture {'-'.join(map(str, arch))} is not a "
                                           f"ReLU chain {n0}-n1-({total}-n1)"))
                continue
            dom = domain_for(net.input_size) if domain_for else Domain.box(0, 1, net.input_size)
            _say(on_step, f"counting {path.name} ({'-'.join(map(str, arch))})")
            res = count_tree(net, dom, time_limit=time_limit, workers=workers, progress=on_count)
            tt = stable_bounds(net, dom, "lp", time_limit)
            stable = bounds_for_network(net, domain=dom, neuron_bounds=tt.bounds).bounds.get(
                "serra2020_stable_upper")
            models.append(SweepModel(path=str(path), arch=arch, n1=arch[1],
                                     regions=int(res.regions), complete=bool(res.complete),
                                     method=res.method, seconds=float(res.seconds),
                                     stop_reason=res.stop_reason, stable_upper=stable))
        if not models:
            skipped_txt = f" ({len(skipped)} files skipped)" if skipped else ""
            log.warning("no model in %s has the sweep's shapes%s", models_dir, skipped_txt)
    dom_txt = None
    if models:
        n = n0
        dom_txt = domain_text(domain_for(n) if domain_for else Domain.box(0, 1, n))
    return SweepReport(headline=_sweep_headline(n0, total, rows, models), n0=n0, total=total,
                       rows=tuple(rows), kinds=kinds, references=refs, models=tuple(models),
                       skipped=tuple(skipped), domain=dom_txt, time_limit=time_limit,
                       version=__version__)


def _sweep_headline(n0, total, rows, models) -> str:
    best = max(rows, key=lambda r: r.bounds.get("serra2018_upper") or 0)
    txt = (f"Bounds for {n0}-n1-({total}-n1), n1 = 1..{total - 1}: serra2018_upper is largest "
           f"at n1 = {best.n1} ({fmt_big(best.bounds.get('serra2018_upper'))})")
    if models:
        done = [m for m in models if m.complete]
        txt += f"; exact counts of {len(done)} of {len(models)} trained models"
        part = len(models) - len(done)
        if part:
            txt += f" (PARTIAL for {part}: stopped by the time limit)"
        if done:
            top = max(done, key=lambda m: m.regions)
            txt += f", most regions at n1 = {top.n1} ({top.regions:,})"
    return txt + "."


__all__ = ["METHODS", "build_report", "build_sweep", "parse_sweep", "model_section",
           "bound_rows", "stable_bounds", "count_section", "slice_plane", "slice_section", "slice_with_limit", "headline",
           "domain_text", "fmt_big", "tightest"]
