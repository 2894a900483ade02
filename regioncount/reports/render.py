"""Rendering reports: one self-contained HTML page, Markdown, or JSON.

The HTML page is ``templates/report.html`` (:class:`string.Template`) filled with the sections
built here; every figure is a PNG embedded as a ``data:`` URI, and the page loads nothing else
(no scripts, no external CSS or fonts), so it can be opened offline or sent next to a paper.
The Markdown form carries the same tables and the same embedded images; the JSON form
(``report.to_json()``) the same numbers.
"""

from __future__ import annotations

import html
import json
from importlib import resources
from string import Template

from .data import KIND_LABELS, Report, SweepReport
from .figures import (KIND_COLOURS, bounds_chart, counts_figure, data_uri, explain_figure,
                      slice_figure, sweep_chart)

#: Integers with more digits are shown rounded (the exact digits follow in a fold-out / JSON).
EXACT_DIGITS = 30


def _template() -> Template:
    text = resources.files("regioncount.reports").joinpath("templates", "report.html").read_text(
        encoding="utf-8")
    return Template(text)


def _e(x) -> str:
    return html.escape(str(x), quote=True)


def _approx(v: int) -> str:
    from decimal import Decimal

    return "~" + f"{Decimal(v):.4e}".replace("e+", "e")


def _num_html(v) -> str:
    if v is None:
        return '<td class="num na">n/a</td>'
    s = str(abs(v))
    if len(s) <= EXACT_DIGITS:
        return f'<td class="num">{v:,}</td>'
    return (f'<td class="num"><details><summary>{_approx(v)} ({len(s)} digits)</summary>'
            f'<code>{v}</code></details></td>')


def _num_md(v) -> str:
    if v is None:
        return "n/a"
    if len(str(abs(v))) <= EXACT_DIGITS:
        return f"{v:,}"
    return f"{_approx(v)} ({len(str(abs(v)))} digits; exact in the JSON form)"


def _img(png: bytes, alt: str) -> str:
    return f'<img src="{data_uri(png)}" alt="{_e(alt)}">'


def _table(head, rows, num_cols=()) -> str:
    out = ["<table>"]
    if head:
        out.append("<tr>" + "".join(f"<th>{_e(h)}</th>" for h in head) + "</tr>")
    for r in rows:
        cells = []
        for i, c in enumerate(r):
            if isinstance(c, str) and c.startswith("<td"):
                cells.append(c)
            elif i in num_cols:
                txt = "-" if c is None else (f"{c:,}" if isinstance(c, int) else c)
                cells.append(f'<td class="num">{_e(txt)}</td>')
            else:
                cells.append(f"<td>{_e('-' if c is None else c)}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    return "\n".join(out) + "</table>"


def _md_table(head, rows) -> str:
    def cell(c):
        if c is None:
            return "-"
        if isinstance(c, int) and not isinstance(c, bool):
            return _num_md(c)
        return str(c).replace("|", "\\|").replace("\n", " ")

    head = head or ("", "")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(cell(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


# -- pieces shared by the HTML and Markdown forms --------------------------------------------

def _summary_rows(r: Report) -> list:
    m = r.model
    how = {"interval": "interval bounds", "lp": "interval bounds, then LP tightening",
           "milp": "interval bounds, LP and MILP tightening"}.get(m.stable_method, m.stable_method)
    if m.stable_seconds:
        how += f", {m.stable_seconds:.2f} s"
    if m.stable_partial:
        how += ", PARTIAL: stopped at the time limit"
    stable = (f"{m.stable_active:,} stably active, {m.stable_inactive:,} stably inactive of "
              f"{m.pwl_units:,} PWL units ({how})")
    return [("model", m.name), ("input shape", str(list(m.input_shape))),
            ("output shape", str(list(m.output_shape))),
            ("architecture (PWL layers)", "-".join(map(str, m.arch))),
            ("structure", "chain" if m.chain else "DAG (branches / residual adds)"),
            ("PWL units", f"{m.pwl_units:,}"), ("parameters (unrolled)", f"{m.params:,}"),
            ("domain", r.domain), ("stable units on the domain", stable)]


def _stage_rows(r: Report) -> list:
    return [(s.index, s.kind, s.units, str(list(s.inputs)), str(tuple(s.shape)), s.params,
             s.active, s.inactive, s.unstable,
             (", ".join(f"{m} {v}" for m, v in s.proved_by) or "none")
             if s.active is not None else None,
             s.source) for s in r.model.stages]


_STAGE_HEAD = ("#", "kind", "units", "reads", "shape", "params (unrolled)", "stably active",
               "stably inactive", "unstable", "proved by", "source (ONNX nodes)")


def _count_rows(r: Report) -> list:
    c = r.count
    state = "yes" if c.complete else f"no: stopped by the {c.stop_reason or 'limit'}"
    return [("regions" if c.complete else "regions found (sure lower bound)", f"{c.regions:,}"),
            ("complete", state), ("method", c.method), ("time", f"{c.seconds:.2f} s"),
            ("time limit", "none" if c.time_limit is None else f"{c.time_limit:g} s"),
            ("MILPs solved" if c.method == "milp" else "LPs solved", f"{c.lps:,}")]


def _bracket_rows(b) -> list:
    """Lower bound, estimate and upper bound of a :class:`regioncount.estimate.Bracket`."""
    est = b.estimate
    est_s = "-" if est is None else (f"{est:,}" if isinstance(est, int) else f"{est:.4g}")
    lower = f"{b.lower_bound:,}" + ("" if b.confidence == 1.0 else f" (probability {b.confidence})")
    upper = "-" if b.upper_bound is None else f"{b.upper_bound:,}"
    return [("lower bound", lower, b.how[0]), ("estimate", est_s, b.how[2]),
            ("upper bound", upper, b.how[3])]


def _slice_text(sl, r: Report) -> str:
    txt = f"The slice: {sl.description}. It meets {sl.regions:,} regions"
    if sl.whole_domain:
        txt += " (it is the whole domain, so these are all the regions"
        if r.count is not None and r.count.complete:
            agree = "agrees" if r.count.regions == sl.regions else "DISAGREES"
            txt += f"; the count ({r.count.method}) {agree}: {r.count.regions:,}"
        txt += ")"
    return txt + (f"; {len(sl.boundary):,} decision-boundary segments; computed in "
                  f"{sl.seconds:.2f} s.")


def _explain_text(r: Report) -> str:
    e = r.explain[0]
    return (f"The backward maps of Nie, Zhang and Patel (ICML 2018) at a sample input, a uniform "
            f"random point of the domain (seed {r.options.seed}), explaining its argmax, output "
            f"{e.output}: saliency (the gradient, the row of the local affine map of the input's "
            "region), DeconvNet (ReLUs pass the positive backward signal, whatever the input) "
            "and guided backprop (both). Red is positive, blue negative.")


def _explain_rows(r: Report) -> list:
    return [(m, f"{s.norm:.4g}", "n/a" if s.cosine is None else f"{s.cosine:+.3f}",
             ", ".join(f"{list(i)} {v:+.3g}" for i, v in s.top[:3]))
            for m, s in r.explain[0].summaries.items()]


_EXPLAIN_HEAD = ("map", "L2 norm", "cosine with the input", "largest entries")

_KIND_TEXT = ("Upper bounds hold for every choice of weights of the architecture; lower bounds "
              "are bounds on the <em>maximum</em> over weights (some weights reach them), so a "
              "trained network can have far fewer regions. Weight-aware bounds use this model's "
              "weights (ranks) and, on the domain, its stable units.")


# -- HTML ----------------------------------------------------------------------------------

def render_html(report: Report) -> str:
    """The report as one self-contained HTML page (images embedded as data URIs)."""
    r = report
    parts = []
    cls = "headline partial" if r.partial else "headline"
    parts.append(f'<p class="{cls}">{_e(r.headline)}</p>')
    for line in r.unavailable:
        parts.append(f'<p class="missing">{_e(line)}</p>')

    parts.append("<h2>1. The model as the lowered network sees it</h2>")
    parts.append(_table(None, _summary_rows(r)))
    parts.append(_table(_STAGE_HEAD, _stage_rows(r), num_cols=(0, 2, 5, 6, 7, 8)))
    for n in r.model.notes:
        parts.append(f'<p class="small">note: {_e(n)}</p>')

    parts.append("<h2>2. Bounds and the exact count</h2>")
    parts.append(f"<p>{_KIND_TEXT}</p>")
    parts.append(_img(bounds_chart(r), "bounds and count on a log scale"))
    rows = []
    for b in r.bounds:
        colour = KIND_COLOURS.get(b.kind, "#555")
        kind = f'<td><span class="kind" style="background:{colour}"></span>{_e(b.kind)}</td>'
        rows.append((b.name, _num_html(b.value), kind, b.reference, b.note))
    if r.count is not None:
        name = "exact count" if r.count.complete else "regions found (partial count)"
        rows.append((name, _num_html(r.count.regions),
                     f'<td><span class="kind" style="background:#1e8449"></span>'
                     f'{"exact" if r.count.complete else "sure lower bound"}</td>',
                     f"{r.count.method}, {r.count.seconds:.2f} s", ""))
    parts.append(_table(("bound", "value", "kind", "reference", "condition / note"), rows))
    parts.append('<p class="small">' + "; ".join(f"<b>{_e(k)}</b>: {_e(v)}"
                                                 for k, v in KIND_LABELS.items()) + ".</p>")

    parts.append("<h2>3. Counts per class and per layer</h2>")
    if r.count is None:
        parts.append('<p class="missing">Not available: the regions were not counted.</p>')
    else:
        if not r.count.complete:
            parts.append('<p class="missing">PARTIAL: the count did not finish; these are the '
                         'regions found so far.</p>')
            if r.count.bracket is not None:
                parts.append("<p>The bracket of the count (docs/estimate.md):</p>")
                parts.append(_table(("figure", "value", "how it was obtained"),
                                    _bracket_rows(r.count.bracket)))
        parts.append(_table(None, _count_rows(r)))
        parts.append(_img(counts_figure(r.count), "regions per class and per layer"))
        parts.append(_table(("class (output argmax)", "regions"), list(r.count.per_class),
                            num_cols=(0, 1)))
        parts.append(_table(("network cut after PWL layer", "regions"),
                            [(i + 1, v) for i, v in enumerate(r.count.per_layer)], num_cols=(0, 1)))

    parts.append("<h2>4. The regions of a 2-D slice</h2>")
    if r.slice is None:
        parts.append('<p class="missing">Not available (see above).</p>')
    else:
        sl = r.slice
        parts.append(f"<p>{_e(_slice_text(sl, r))} Colours are random (one per region); "
                     "the black line is the decision boundary (where the output argmax "
                     "changes); small numbers give each region's class at its centre.</p>")
        parts.append(_img(slice_figure(sl, r.options.seed), "regions of the slice"))
        per = {}
        for p in sl.polygons:
            per[p.label] = per.get(p.label, 0) + 1
        parts.append(_table(("class", "regions met by the slice"), sorted(per.items()),
                            num_cols=(0, 1)))
    if r.explain is not None:
        parts.append("<h2>5. Saliency, DeconvNet and guided backprop</h2>")
        parts.append(f"<p>{_e(_explain_text(r))}</p>")
        parts.append(_img(explain_figure(r.explain), "the sample input beside its three maps"))
        parts.append(_table(_EXPLAIN_HEAD, _explain_rows(r)))
    if r.notes:
        parts.append("<h2>Notes</h2><ul>" + "".join(f"<li>{_e(n)}</li>" for n in r.notes)
                     + "</ul>")
    o = r.options
    footer = _e(f"options: method {o.method}, stable units from {o.tighten} bounds, time limit "
                f"{'none' if o.time_limit is None else f'{o.time_limit:g} s'}, workers "
                f"{o.workers}, seed {o.seed}.")
    return _template().substitute(title=_e(f"Region report: {r.model.name}"),
                                  body="\n".join(parts), version=_e(r.version), footer=footer)


# -- Markdown ------------------------------------------------------------------------------

def render_markdown(report: Report) -> str:
    """The report as Markdown (tables, and the figures embedded as data URIs)."""
    r = report
    out = [f"# Region report: {r.model.name}", "",
           ("**PARTIAL COUNT.** " if r.partial else "") + f"**{r.headline}**", ""]
    out += [f"*{line}*" for line in r.unavailable] + ([""] if r.unavailable else [])
    out += ["## 1. The model as the lowered network sees it", "",
            _md_table(None, _summary_rows(r)), "", _md_table(_STAGE_HEAD, _stage_rows(r)), ""]
    out += ["## 2. Bounds and the exact count", "",
            _KIND_TEXT.replace("<em>", "*").replace("</em>", "*"), "",
            f"![bounds and count]({data_uri(bounds_chart(r))})", ""]
    rows = [(b.name, b.value, b.kind, b.reference, b.note) for b in r.bounds]
    if r.count is not None:
        rows.append(("exact count" if r.count.complete else "regions found (partial count)",
                     r.count.regions, "exact" if r.count.complete else "sure lower bound",
                     f"{r.count.method}, {r.count.seconds:.2f} s", ""))
    out += [_md_table(("bound", "value", "kind", "reference", "condition / note"), rows), ""]
    out += ["## 3. Counts per class and per layer", ""]
    if r.count is None:
        out += ["Not available: the regions were not counted.", ""]
    else:
        if not r.count.complete:
            out += ["**PARTIAL:** the count did not finish; these are the regions found so far.", ""]
            if r.count.bracket is not None:
                out += ["The bracket of the count (docs/estimate.md):", "",
                        _md_table(("figure", "value", "how it was obtained"),
                                  _bracket_rows(r.count.bracket)), ""]
        out += [_md_table(None, _count_rows(r)), "",
                f"![regions per class and per layer]({data_uri(counts_figure(r.count))})", "",
                _md_table(("class (output argmax)", "regions"), list(r.count.per_class)), "",
                _md_table(("network cut after PWL layer", "regions"),
                          [(i + 1, v) for i, v in enumerate(r.count.per_layer)]), ""]
    out += ["## 4. The regions of a 2-D slice", ""]
    if r.slice is None:
        out += ["Not available (see above).", ""]
    else:
        out += [_slice_text(r.slice, r), "",
                f"![regions of the slice]({data_uri(slice_figure(r.slice, r.options.seed))})", ""]
    if r.explain is not None:
        out += ["## 5. Saliency, DeconvNet and guided backprop", "", _explain_text(r), "",
                f"![the sample input beside its three maps]({data_uri(explain_figure(r.explain))})",
                "", _md_table(_EXPLAIN_HEAD, _explain_rows(r)), ""]
    if r.notes:
        out += ["## Notes", ""] + [f"- {n}" for n in r.notes] + [""]
    out += [f"*Made by regioncount {r.version}.*", ""]
    return "\n".join(out)


# -- sweep ---------------------------------------------------------------------------------

def _sweep_columns(sw: SweepReport) -> list:
    return [n for n in sw.series()]


def _sweep_rows(sw: SweepReport, names) -> list:
    by_n1: dict = {}
    for m in sw.models:
        by_n1.setdefault(m.n1, []).append(m)
    rows = []
    for r in sw.rows:
        counts = "; ".join((f"{m.regions:,}" if m.complete else f">= {m.regions:,} (partial)")
                           for m in by_n1.get(r.n1, []))
        rows.append([r.n1, "-".join(map(str, r.arch))] + [r.bounds.get(n) for n in names]
                    + [counts or "-"])
    return rows


def render_sweep_html(sw: SweepReport) -> str:
    """The sweep report as one self-contained HTML page."""
    names = _sweep_columns(sw)
    parts = [f'<p class="headline{" partial" if any(not m.complete for m in sw.models) else ""}">'
             f"{_e(sw.headline)}</p>"]
    for line in sw.unavailable:
        parts.append(f'<p class="missing">{_e(line)}</p>')
    parts.append(f"<p>Serra, Tjandraatmadja and Ramalingam (ICML 2018) trained networks "
                 f"{sw.n0}-n1-({sw.total}-n1) and compared their region counts with the bounds. "
                 f"Here every bound of the registry is evaluated for each split n1 = 1.."
                 f"{sw.total - 1} of the {sw.total} hidden units. {_KIND_TEXT}</p>")
    parts.append(_img(sweep_chart(sw), "bounds against n1"))
    head = ["n1", "architecture"] + names + ["exact count (trained)"]
    rows = []
    for row in _sweep_rows(sw, names):
        rows.append(row[:2] + [_num_html(v) for v in row[2:-1]] + [row[-1]])
    parts.append(_table(head, rows, num_cols=(0,)))
    parts.append(_table(("bound", "kind", "reference"),
                        [(n, sw.kinds.get(n, ""), sw.references.get(n, "")) for n in names]))
    if sw.models:
        parts.append("<h2>Trained models</h2>")
        parts.append(_table(("model", "architecture", "regions", "complete", "time",
                             "weight-aware bound (serra2018_stable_upper)"),
                            [(m.path, "-".join(map(str, m.arch)),
                              f"{m.regions:,}" if m.complete else f">= {m.regions:,}",
                              "yes" if m.complete else f"no ({m.stop_reason})",
                              f"{m.seconds:.2f} s", _num_html(m.stable_upper))
                             for m in sw.models]))
        parts.append(f"<p>Counted with the LP region tree on {_e(sw.domain)}, time limit "
                     f"{'none' if sw.time_limit is None else f'{sw.time_limit:g} s'} each.</p>")
    if sw.skipped:
        parts.append("<p>Skipped:</p><ul>" + "".join(f"<li>{_e(p)}: {_e(w)}</li>"
                                                     for p, w in sw.skipped) + "</ul>")
    return _template().substitute(title=_e(f"Bound sweep {sw.n0}-n1-({sw.total}-n1)"),
                                  body="\n".join(parts), version=_e(sw.version), footer="")


def render_sweep_markdown(sw: SweepReport) -> str:
    """The sweep report as Markdown."""
    names = _sweep_columns(sw)
    out = [f"# Bound sweep {sw.n0}-n1-({sw.total}-n1)", "", f"**{sw.headline}**", "",
           _KIND_TEXT.replace("<em>", "*").replace("</em>", "*"), "",
           f"![bounds against n1]({data_uri(sweep_chart(sw))})", "",
           _md_table(["n1", "architecture"] + names + ["exact count (trained)"],
                     _sweep_rows(sw, names)), ""]
    if sw.skipped:
        out += ["Skipped:", ""] + [f"- {p}: {w}" for p, w in sw.skipped] + [""]
    out += [f"*Made by regioncount {sw.version}.*", ""]
    return "\n".join(out)


def render(report, fmt: str) -> str:
    """``report`` (a :class:`Report` or :class:`SweepReport`) as ``"html"``, ``"md"`` or
    ``"json"`` text.

    Parameters
    ----------
    report : Report or SweepReport
        From :func:`~regioncount.reports.build.build_report` or
        :func:`~regioncount.reports.build.build_sweep`.
    fmt : {'html', 'md', 'json'}

    Returns
    -------
    str
        One self-contained HTML page (figures embedded), Markdown, or JSON.

    Raises
    ------
    ValueError
        For an unknown format.

    Examples
    --------
    >>> import json
    >>> from regioncount.reports import build_sweep
    >>> sw = build_sweep(2, 4)
    >>> json.loads(render(sw, "json"))["rows"][0]["arch"]
    [2, 1, 3]
    >>> render(sw, "html").startswith("<!DOCTYPE html>")
    True
    """
    sweep = isinstance(report, SweepReport)
    if fmt == "html":
        return render_sweep_html(report) if sweep else render_html(report)
    if fmt == "md":
        return render_sweep_markdown(report) if sweep else render_markdown(report)
    if fmt == "json":
        return json.dumps(report.to_json(), indent=1)
    raise ValueError(f"unknown report format {fmt!r}")


__all__ = ["render", "render_html", "render_markdown", "render_sweep_html",
           "render_sweep_markdown", "EXACT_DIGITS"]
