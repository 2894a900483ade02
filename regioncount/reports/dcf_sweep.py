"""The DCF sweep report: regions of DCF networks against K, the plain CNN as a reference.

:func:`build_dcf_sweep` runs :func:`regioncount.dcf_sweep.dcf_sweep` and adds a headline;
:func:`regions_chart` draws the regions against K (exact counts as filled markers, brackets as
bars from the sure lower bound to the upper bound with the estimate, the plain CNN as a
horizontal line); :func:`render_dcf_sweep` writes one self-contained HTML page, Markdown or
JSON (docs/dcf.md).
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from typing import Callable

from .. import __version__
from ..dcf_sweep import DCFSweep, dcf_sweep
from .build import domain_text, fmt_big
from .figures import COUNT_COLOUR, KIND_COLOURS, data_uri, log10, png_bytes
from .render import _md_table, _table, _template

#: How far above the largest count, lower bound or estimate the chart's axis goes when a
#: bracket is drawn (decades; half a decade otherwise); larger upper bounds run off the top
#: with their value written beside them.
CHART_HEADROOM = 2.0


@dataclass(frozen=True, eq=False)
class DCFSweepReport:
    """A DCF sweep with its headline, the domain in words and the package version."""

    headline: str
    sweep: DCFSweep
    domain: str
    version: str = ""

    @property
    def rows(self) -> tuple:
        return self.sweep.rows

    def to_json(self) -> dict:
        return {"kind": "regioncount dcf sweep report", "version": self.version,
                "headline": self.headline, "domain": self.domain,
                "time_limit": self.sweep.time_limit, "method": self.sweep.method,
                "rows": [r.to_json() for r in self.rows]}


def figure_text(row) -> str:
    """The count of a row in words: ``68`` or ``>= 638 (bracket 638 .. 1.2e9, estimate 1,000)``."""
    if row.complete:
        return f"{row.regions:,}"
    est = row.estimate
    est_s = "-" if est is None else (f"{est:,}" if isinstance(est, int) else f"{est:.4g}")
    return (f">= {row.regions:,} (bracket {fmt_big(row.lower_bound)} .. "
            f"{fmt_big(row.upper_bound)}, estimate {est_s})")


def _headline(sw: DCFSweep, dom: str) -> str:
    parts = [f"{r.label}: {figure_text(r) if r.complete else f'>= {r.regions:,}'}"
             for r in sw.rows]
    done = all(r.complete for r in sw.rows)
    lim = "no time limit" if sw.time_limit is None else f"{sw.time_limit:g} s per model"
    state = ("all counts exact" if done else
             f"{sum(not r.complete for r in sw.rows)} count(s) stopped by the time limit: "
             "brackets")
    return f"Linear regions on {dom}: " + "; ".join(parts) + f" ({state}; {lim})."


def build_dcf_sweep(paths, domain, *, time_limit: float | None = 60.0, method: str = "tree",
                    domain_words: str | None = None,
                    on_step: Callable[[str], None] | None = None) -> DCFSweepReport:
    """Count every model of ``paths`` on ``domain`` (:func:`regioncount.dcf_sweep.dcf_sweep`)
    and give the result its headline; ``domain_words`` replaces the generic description of
    the domain (e.g. ``test digit 0 +- 0.002``)."""
    sw = dcf_sweep(paths, domain, time_limit=time_limit, method=method, on_step=on_step)
    dom = domain_words or domain_text(domain)
    return DCFSweepReport(_headline(sw, dom), sw, dom, __version__)


# -- the chart ------------------------------------------------------------------------------

def _plot_dcf(ax, rows, top: float) -> None:
    done = [r for r in rows if r.complete and r.regions > 0]
    if done:
        ax.plot([r.K for r in done], [log10(r.regions) for r in done], "o-", ms=8,
                color=COUNT_COLOUR, markeredgecolor="black", label="DCF: exact count")
        for r in done:
            ax.annotate(f"{r.regions:,}", (r.K, log10(r.regions)), textcoords="offset points",
                        xytext=(7, -4), fontsize=8)
    for i, r in enumerate([row for row in rows if not row.complete]):
        lo = log10(max(r.lower_bound or r.regions, 1))
        hi = min(log10(r.upper_bound), top) if r.upper_bound else top
        ax.vlines(r.K, lo, hi, color=KIND_COLOURS["upper (weights, domain)"], lw=3,
                  label=None if i else "DCF: bracket (sure lower bound .. upper bound)")
        ax.plot([r.K], [lo], "^", ms=9, color=COUNT_COLOUR, markerfacecolor="white",
                label=None if i else "DCF: regions found before the time limit")
        ax.annotate(f">= {r.regions:,}", (r.K, lo), textcoords="offset points",
                    xytext=(7, -4), fontsize=8)
        if r.upper_bound and log10(r.upper_bound) > top:
            ax.annotate(f"upper {fmt_big(r.upper_bound, 6)}", (r.K, top),
                        textcoords="offset points", xytext=(5, -12), fontsize=7)
        if r.estimate:
            ax.plot([r.K], [log10(max(float(r.estimate), 1.0))], "x", ms=9, color="black",
                    label=None if i else "DCF: estimate (slices)")


def regions_chart(rep: DCFSweepReport) -> bytes:
    """Regions against K on a log axis; the plain CNN(s) as horizontal reference lines."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import FixedLocator, FuncFormatter

    rows = rep.sweep.dcf
    vals = [max(r.regions, r.lower_bound or 0, 1) for r in rep.rows]
    vals += [float(r.estimate) for r in rep.rows if r.estimate and r.estimate < 1e300]
    top = log10(max(vals)) + (CHART_HEADROOM if any(not r.complete for r in rep.rows) else 0.5)
    fig = Figure(figsize=(7.5, 4.6))
    ax = fig.add_subplot()
    _plot_dcf(ax, rows, top)
    styles = ("--", ":", "-.")
    for i, r in enumerate(rep.sweep.plain):
        y = log10(max(r.regions, 1))
        what = "exact" if r.complete else "regions found (partial)"
        ax.axhline(y, ls=styles[i % 3], color="#555555",
                   label=f"{r.name} (plain CNN, {r.bases.params:,} params): {r.regions:,} {what}")
    ks = sorted({r.K for r in rows})
    if ks:
        ax.xaxis.set_major_locator(FixedLocator(ks))
        ax.set_xticklabels([next(r.label for r in rows if r.K == k).replace("K=", "")
                            for k in ks])
        ax.set_xlim(min(ks) - 1, max(ks) + 1)
    ax.set_ylim(bottom=-0.1, top=top)
    ax.yaxis.set_major_formatter(FuncFormatter(
        lambda y, _: f"$10^{{{y:g}}}$" if float(y).is_integer() else ""))
    ax.set_xlabel("K (Fourier-Bessel bases per filter)")
    ax.set_ylabel("activation regions (log scale)")
    ax.set_title(f"Regions against K on {rep.domain}", fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7.5, loc="upper left")
    return png_bytes(fig)


# -- rendering ------------------------------------------------------------------------------

HEAD = ("model", "K", "K from", "parameters", "regions", "complete", "time", "lower bound",
        "estimate", "upper bound")


def table_rows(rep: DCFSweepReport) -> list:
    """One row per model: :data:`HEAD`."""
    out = []
    for r in rep.rows:
        lim = "" if r.time_limit is None else f" (limit {r.time_limit:g} s)"
        state = "yes" if r.complete else f"no: {r.stop_reason or 'limit'}{lim}"
        est = r.estimate
        est_s = None if est is None else (f"{est:,}" if isinstance(est, int) else f"{est:.4g}")
        lower = None if r.lower_bound is None else (
            f"{r.lower_bound:,}" + ("" if r.confidence in (None, 1.0)
                                    else f" (p = {r.confidence})"))
        out.append((r.name, "plain" if r.K is None else r.label.replace("K=", ""), r.K_source,
                    f"{r.bases.params:,}", f"{r.regions:,}" if r.complete else f">= {r.regions:,}",
                    state, f"{r.seconds:.2f} s", lower, est_s,
                    None if r.upper_bound is None else fmt_big(r.upper_bound)))
    return out


_TEXT = ("DCFNet (Qiu, Cheng, Calderbank and Sapiro, ICML 2018) keeps the first K "
         "Fourier-Bessel bases of each filter. Each model is counted on the same domain; a "
         "count that finishes within the time limit is exact, one that does not is shown as "
         "a bracket: the regions found (a sure lower bound), an estimate from exact counts on "
         "random lines and planes, and the smallest weight-aware upper bound (docs/estimate.md). "
         "The plain CNN of the same shape is the reference line.")


def render_html(rep: DCFSweepReport) -> str:
    """One self-contained HTML page (the chart embedded as a data URI)."""
    e = html.escape
    partial = any(not r.complete for r in rep.rows)
    parts = [f'<p class="headline{" partial" if partial else ""}">{e(rep.headline)}</p>',
             f"<p>{e(_TEXT)}</p>",
             f'<img src="{data_uri(regions_chart(rep))}" alt="regions against K">',
             _table(HEAD, table_rows(rep))]
    hows = [(r.name, line) for r in rep.rows for line in r.how]
    if hows:
        parts.append("<h2>How each bracket was obtained</h2>")
        parts.append(_table(("model", "figure"), hows))
    footer = e(f"domain: {rep.domain}; count method {rep.sweep.method}.")
    return _template().substitute(title=e("DCF sweep: regions against K"),
                                  body="\n".join(parts), version=e(rep.version), footer=footer)


def render_markdown(rep: DCFSweepReport) -> str:
    """The report as Markdown (the chart embedded as a data URI)."""
    out = ["# DCF sweep: regions against K", "", f"**{rep.headline}**", "", _TEXT, "",
           f"![regions against K]({data_uri(regions_chart(rep))})", "",
           _md_table(HEAD, table_rows(rep)), ""]
    hows = [(r.name, line) for r in rep.rows for line in r.how]
    if hows:
        out += ["How each bracket was obtained:", "", _md_table(("model", "figure"), hows), ""]
    out += [f"*Made by regioncount {rep.version}.*", ""]
    return "\n".join(out)


def render_dcf_sweep(rep: DCFSweepReport, fmt: str) -> str:
    """``rep`` as ``"html"``, ``"md"`` or ``"json"`` text."""
    if fmt == "html":
        return render_html(rep)
    if fmt == "md":
        return render_markdown(rep)
    if fmt == "json":
        return json.dumps(rep.to_json(), indent=1)
    raise ValueError(f"unknown report format {fmt!r}")


__all__ = ["DCFSweepReport", "build_dcf_sweep", "regions_chart", "figure_text", "table_rows",
           "render_html", "render_markdown", "render_dcf_sweep"]
