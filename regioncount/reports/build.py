"""Building reports: the results of :mod:`regioncount.app` with a headline, as a
:class:`~.data.Report`.

The computing is :func:`regioncount.app.analyse` (stable units, bounds, count, slice) and
:func:`regioncount.app.sweep`; this module adds the words a page opens with (the headline, the
domain in words) and the package version. Nothing here draws or lays out a page: :mod:`.render`
and :mod:`.figures` do that.

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
>>> print(r.headline)                                 # doctest: +ELLIPSIS
mlp on [-1, 1]^2: 5 activation regions (exact, certified, tree, ... s); tightest upper bound
zaslavsky_one_layer_rank = 7 (1x the count).
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from .. import __version__
from .. import app
from ..app import (bound_rows, model_section, parse_sweep, slice_plane, slice_section,
                   slice_with_limit)
from ..domain import Domain
from .data import BoundRow, CountSection, Report, ReportOptions, SweepReport

#: Count methods a report can use.
METHODS = tuple(app.COUNT_METHODS)


def domain_text(domain: Domain) -> str:
    """The domain in words: ``[0, 1]^64``, or the box's range and its extra half-spaces.

    >>> domain_text(Domain.box(0, 1, 64))
    '[0, 1]^64'
    """
    lo, hi = np.asarray(domain.lo), np.asarray(domain.hi)
    if lo.size and np.all(lo == lo[0]) and np.all(hi == hi[0]):
        txt = f"[{lo[0]:g}, {hi[0]:g}]^{lo.size}"
    else:
        txt = (f"box of {lo.size} coordinates (lo from {lo.min():g} to {lo.max():g}, hi from "
               f"{hi.min():g} to {hi.max():g})")
    if domain.A is not None:
        txt += f" cut by {domain.A.shape[0]} half-spaces"
    return txt


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
    from ..bounds.registry import BoundKind

    side = {k for k in BoundKind if k.side == prefix}
    rows = [b for b in bounds if b.value is not None and b.kind in side]
    return min(rows, key=lambda b: b.value) if rows else None


def _certified_words(count: CountSection) -> str:
    """``", certified"``, the certified bracket when the certificate fell short, or nothing
    when no certificate was asked for."""
    if count.certified is None:
        return ""
    if count.certified:
        return ", certified"
    return (f", NOT certified: {count.certified_lower:,} <= regions <= "
            f"{count.certified_upper:,}" if count.certified_upper is not None else
            f", NOT certified: at least {count.certified_lower:,}")


def headline(name: str, dom: str, count: CountSection | None, bounds) -> str:
    """The sentence a report opens with: the count (exact, PARTIAL or absent) and the tightest
    upper bound of ``bounds`` (:class:`BoundRow`)."""
    up = tightest(bounds, "upper")
    up_txt = f"tightest upper bound {up.name} = {fmt_big(up.value)}" if up else "no upper bound applies"
    if count is None:
        return f"{name} on {dom}: regions not counted; {up_txt}."
    if count.complete:
        ratio = ""
        if up is not None and count.regions > 0:
            ratio = f" ({fmt_big(up.value // count.regions)}x the count)"
        noun = "activation region" if count.regions == 1 else "activation regions"
        return (f"{name} on {dom}: {count.regions:,} {noun} (exact{_certified_words(count)}, "
                f"{count.method}, {count.seconds:.2f} s); {up_txt}{ratio}.")
    why = count.stop_reason or "a limit"
    lim = f" of {count.time_limit:g} s" if count.time_limit is not None and why == "time limit" else ""
    if count.regions == 0:
        return (f"PARTIAL COUNT: {name} on {dom}: the count stopped at the {why}{lim} before it "
                f"completed a region; the exact count is unknown; {up_txt}.")
    return (f"PARTIAL COUNT: {name} on {dom}: the count stopped at the {why}{lim}; at least "
            f"{count.regions:,} activation regions (a sure lower bound, not the exact count); "
            f"{up_txt}.")


# -- report --------------------------------------------------------------------------------

def build_report(net, domain: Domain, options: ReportOptions = ReportOptions(),
                 on_step: Callable[[str], None] | None = None,
                 on_count: Callable | None = None) -> Report:
    """Everything a bound-comparison report shows for ``net`` on ``domain``:
    :func:`regioncount.app.analyse` and its headline.

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
        Render it with :func:`regioncount.reports.render` (``"html"``, ``"md"`` or ``"json"``).

    Raises
    ------
    DomainError
        When the domain does not fit the network.
    RegioncountError
        For an unknown count method or option (a section that cannot be computed is listed in
        ``unavailable`` instead).

    Examples
    --------
    >>> import numpy as np
    >>> from regioncount import Domain, Network
    >>> from regioncount.reports import render
    >>> net = Network.from_layers([(np.array([[1.0], [-1.0]]), np.array([0.0, 0.5]))])
    >>> r = build_report(net, Domain.box(-1, 1, 1))       # breakpoints at 0 and 0.5
    >>> r.count.regions, r.unavailable
    (3, ('Region picture: not available (the model has one input; a 2-D slice needs two).',))
    >>> render(r, "md").splitlines()[0]
    '# Region report: mlp'
    """
    a = app.analyse(net, domain, options, on_step=on_step, on_count=on_count)
    dom = domain_text(domain)
    return Report(headline=headline(net.name, dom, a.count, a.bounds), model=a.model, domain=dom,
                  bounds=a.bounds, count=a.count, slice=a.slice, options=a.options,
                  unavailable=a.unavailable, notes=a.notes, version=__version__,
                  explain=a.explain)


# -- sweep ---------------------------------------------------------------------------------

def build_sweep(n0: int, total: int, models_dir=None, domain_for: Callable | None = None,
                time_limit: float | None = 60.0, workers: int = 1,
                on_step: Callable[[str], None] | None = None,
                on_count: Callable | None = None) -> SweepReport:
    """Serra et al.'s experiment (:func:`regioncount.app.sweep`, same parameters) and its
    headline.

    Returns
    -------
    SweepReport

    Raises
    ------
    RegioncountError
        When ``models_dir`` is not a directory, or the shape is invalid.

    Examples
    --------
    >>> s = build_sweep(784, 22)
    >>> [r.bounds["serra2018_upper"] for r in s.rows[:3]]
    [23, 254, 1794]
    """
    sw = app.sweep(n0, total, models_dir, domain_for=domain_for, time_limit=time_limit,
                   workers=workers, on_step=on_step, on_count=on_count)
    return SweepReport(headline=_sweep_headline(n0, total, sw.rows, sw.models), n0=n0,
                       total=total, rows=sw.rows, kinds=sw.kinds, references=sw.references,
                       models=sw.models, skipped=sw.skipped,
                       domain=None if sw.domain is None else domain_text(sw.domain),
                       time_limit=time_limit, version=__version__)


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
           "bound_rows", "slice_plane", "slice_section", "slice_with_limit", "headline",
           "domain_text", "fmt_big", "tightest"]
