"""The report's figures: matplotlib (Agg, no display) to PNG bytes.

Region counts and bounds are exact Python integers that can exceed the float range, so every
chart plots ``log10(value)`` (``math.log10`` is exact enough on integers of any size) on a
linear axis labelled with powers of ten.

Each function takes report data and returns PNG bytes; :func:`data_uri` embeds them in a page.
"""

from __future__ import annotations

import base64
import io
import math

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

from .data import KIND_LABELS

#: Colour of each bound kind (bounds registry kinds) and of the counts.
KIND_COLOURS = {
    "upper": "#c0392b",
    "lower": "#2471a3",
    "exact": "#7d3c98",
    "upper (weights)": "#e67e22",
    "upper (weights, domain)": "#b9770e",
    "reference": "#95a5a6",
}
COUNT_COLOUR = "#1e8449"
DPI = 110


def log10(v: int) -> float:
    """``log10`` of a positive integer of any size.

    >>> log10(10 ** 400)
    400.0
    """
    return math.log10(v)


def png_bytes(fig: Figure) -> bytes:
    """Render a figure to PNG bytes (Agg canvas; no pyplot state)."""
    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, bbox_inches="tight")
    return buf.getvalue()


def data_uri(png: bytes) -> str:
    """``data:image/png;base64,...`` for an ``<img src>``."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _pow10_axis(axis) -> None:
    axis.set_major_locator(MaxNLocator(integer=True, nbins=8))
    axis.set_major_formatter(FuncFormatter(lambda y, _: f"$10^{{{int(round(y))}}}$"))


def _short(v: int) -> str:
    s = str(abs(v))
    if len(s) <= 9:
        return f"{v:,}"
    return f"{s[0]}.{s[1:3]}e{len(s) - 1}"


def bounds_chart(report) -> bytes:
    """Horizontal bars, one per bound that applies, at ``log10(value)``; upper bounds, lower
    bounds (on the maximum over weights), weight-aware bounds and the count in their own
    colours; the exact count (or the regions found so far) as a vertical line across."""
    rows = [b for b in report.bounds if b.value is not None and b.value > 0]
    items = [(b.name, log10(b.value), b.value, KIND_COLOURS.get(b.kind, "#555555"), None)
             for b in rows]
    c = report.count
    if c is not None and c.regions > 0:
        name = "exact count (this model)" if c.complete else "regions found (partial count)"
        items.append((name, log10(c.regions), c.regions, COUNT_COLOUR,
                      None if c.complete else "//"))
    items.sort(key=lambda it: it[1])
    fig = Figure(figsize=(8.5, 0.42 * max(len(items), 3) + 1.6))
    ax = fig.add_subplot()
    y = np.arange(len(items))
    for yi, (name, lv, v, col, hatch) in zip(y, items):
        ax.barh(yi, lv, color=col if hatch is None else "white", edgecolor=col,
                hatch=hatch, linewidth=1.2, height=0.7)
        ax.text(lv, yi, "  " + ("≥ " if hatch else "") + _short(v), va="center", fontsize=8)
    ax.set_yticks(y, [it[0] for it in items], fontsize=9)
    strong = {b.name for b in rows if b.kind == "upper (weights, domain)"}
    for lab, it in zip(ax.get_yticklabels(), items):
        if it[0] in strong or it[3] == COUNT_COLOUR:     # weight-aware bound and the count
            lab.set_fontweight("bold")
    top = max((it[1] for it in items), default=1.0)
    ax.set_xlim(0, max(top * 1.18, top + 1.5, 1.0))
    _pow10_axis(ax.xaxis)
    ax.set_xlabel("number of regions (log scale)")
    if c is not None and c.regions > 0:
        ax.axvline(log10(c.regions), color=COUNT_COLOUR, ls="-" if c.complete else "--", lw=1.2)
    used = {b.kind for b in rows}
    handles = [Patch(color=KIND_COLOURS[k], label=KIND_LABELS[k]) for k in KIND_COLOURS if k in used]
    if c is not None:
        handles.append(Patch(facecolor=COUNT_COLOUR if c.complete else "white",
                             edgecolor=COUNT_COLOUR, hatch=None if c.complete else "//",
                             label="exact count" if c.complete
                             else "regions found before the limit (sure lower bound)"))
    ax.legend(handles=handles, fontsize=7.5, loc="upper center", bbox_to_anchor=(0.5, -0.06 -
              0.6 / (len(items) + 3)), ncol=2, frameon=False)
    ax.set_title(f"{report.model.name}: bounds and count", fontsize=11)
    ax.grid(axis="x", alpha=0.3)
    return png_bytes(fig)


def region_colours(n: int, seed: int = 0) -> np.ndarray:
    """``n`` light random colours (fixed by ``seed``) for the regions of the picture."""
    rng = np.random.default_rng(seed)
    from matplotlib.colors import hsv_to_rgb

    hsv = np.column_stack([rng.random(n), 0.18 + 0.4 * rng.random(n), 0.88 + 0.12 * rng.random(n)])
    return hsv_to_rgb(hsv)


def slice_figure(sl, seed: int = 0, title: str = "") -> bytes:
    """The exact regions of a slice, one random colour each, and the decision boundary."""
    fig = Figure(figsize=(6.8, 6.2))
    ax = fig.add_subplot()
    polys = [np.asarray(p.vertices) for p in sl.polygons]
    if polys:
        cols = region_colours(len(polys), seed)
        ax.add_collection(PolyCollection(polys, facecolors=cols, edgecolors="white",
                                         linewidths=0.4))
        if sl.boundary:
            ax.add_collection(LineCollection([np.asarray(s) for s in sl.boundary],
                                             colors="black", linewidths=1.8))
        allv = np.vstack(polys)
        lo, hi = allv.min(axis=0), allv.max(axis=0)
        pad = 0.02 * (hi - lo).max()
        ax.set_xlim(lo[0] - pad, hi[0] + pad)
        ax.set_ylim(lo[1] - pad, hi[1] + pad)
        if len(polys) <= 80:
            for P, p in zip(polys, sl.polygons):
                cx, cy = P.mean(axis=0)
                ax.text(cx, cy, str(p.label), ha="center", va="center", fontsize=6, alpha=0.6)
    ax.set_aspect("equal", adjustable="box")
    ax.set_xlabel(sl.s_label)
    ax.set_ylabel(sl.t_label)
    ax.legend(handles=[Line2D([], [], color="black", lw=1.8, label="decision boundary")],
              loc="upper right", fontsize=8, framealpha=0.85)
    ax.set_title(title or f"{sl.regions:,} regions met by the slice", fontsize=11)
    return png_bytes(fig)


def counts_figure(count) -> bytes:
    """Regions per output class (bars) and after each PWL layer (log scale)."""
    fig = Figure(figsize=(9.0, 3.4))
    ax1, ax2 = fig.subplots(1, 2)
    tag = "" if count.complete else " (partial)"
    classes = [k for k, _ in count.per_class]
    vals = [v for _, v in count.per_class]
    ax1.bar([str(k) for k in classes], vals, color=COUNT_COLOUR)
    ax1.set_xlabel("output argmax (class)")
    ax1.set_ylabel("regions")
    ax1.set_title("regions per class" + tag, fontsize=10)
    layers = list(range(1, len(count.per_layer) + 1))
    if layers:
        vals2 = [max(v, 1) for v in count.per_layer]     # counts are small enough for floats
        ax2.plot(layers, vals2, "o-", color=COUNT_COLOUR)
        for x, v in zip(layers, count.per_layer):
            ax2.annotate(f"{v:,}", (x, max(v, 1)), textcoords="offset points",
                         xytext=(0, 6), ha="center", fontsize=8)
        ax2.set_xticks(layers)
        ax2.set_yscale("log")
        ax2.set_ylim(min(vals2) / 2, max(vals2) * 3)
    ax2.set_xlabel("network cut after PWL layer")
    ax2.set_ylabel("regions (log scale)")
    ax2.set_title("regions per layer" + tag, fontsize=10)
    fig.tight_layout()
    return png_bytes(fig)


_STYLES = {"upper": "-", "upper (weights)": "-", "upper (weights, domain)": "-", "lower": "--",
           "exact": "-.", "reference": ":"}


def sweep_chart(sw) -> bytes:
    """Every bound against ``n1`` for ``n0-n1-(total-n1)`` on one log chart, with the exact
    counts of the trained models (hollow markers: partial counts, sure lower bounds)."""
    fig = Figure(figsize=(9.0, 5.6))
    ax = fig.add_subplot()
    cmap = __import__("matplotlib").colormaps["tab10"]
    groups: dict = {}                    # identical series share one line and one legend entry
    for name, pts in sorted(sw.series().items()):
        kind = sw.kinds.get(name, "upper")
        groups.setdefault((kind, tuple(pts)), []).append(name)
    for i, ((kind, pts), names) in enumerate(groups.items()):
        xs = [p[0] for p in pts]
        ys = [log10(p[1]) for p in pts if p[1] > 0]
        if len(ys) != len(xs):
            continue
        ax.plot(xs, ys, _STYLES.get(kind, "-"), marker="o", ms=3, color=cmap(i % 10),
                label=" = ".join(names) + f" ({kind})")
    stab = [m for m in sw.models if m.stable_upper]
    if stab:
        ax.plot([m.n1 for m in stab], [log10(m.stable_upper) for m in stab], "D", ms=7,
                color=KIND_COLOURS["upper (weights, domain)"], markeredgecolor="black",
                label="serra2018_stable_upper of the trained model (weight-aware)")
    done = [m for m in sw.models if m.complete and m.regions > 0]
    part = [m for m in sw.models if not m.complete and m.regions > 0]
    if done:
        ax.plot([m.n1 for m in done], [log10(m.regions) for m in done], "*", ms=14,
                color=COUNT_COLOUR, markeredgecolor="black", label="exact count, trained model")
        for m in done:
            ax.annotate(f"{m.regions:,}", (m.n1, log10(m.regions)), textcoords="offset points",
                        xytext=(8, -10), fontsize=8)
    if part:
        ax.plot([m.n1 for m in part], [log10(m.regions) for m in part], "*", ms=14,
                markerfacecolor="white", markeredgecolor=COUNT_COLOUR,
                label="regions found before the limit (partial)")
    ax.set_xlim(0.5, sw.total - 0.5)
    ax.set_xlabel(f"n1 (architecture {sw.n0}-n1-({sw.total}-n1))")
    ax.set_ylabel("number of regions (log scale)")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    _pow10_axis(ax.yaxis)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7.5, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    ax.set_title(f"Bounds for {sw.n0}-n1-({sw.total}-n1) (Serra et al. 2018)", fontsize=11)
    return png_bytes(fig)


#: Names of the backward maps in figure titles.
METHOD_TITLES = {"saliency": "saliency", "deconvnet": "DeconvNet", "gbp": "guided backprop"}


def _show_image(ax, img: np.ndarray, signed: bool) -> None:
    """One (height, width, channels) panel: RGB min-max scaled; one channel (or the mean of
    2 or 4) grey for an input, red/blue around zero for a signed map."""
    if img.shape[2] == 3:
        lo, hi = img.min(), img.max()
        ax.imshow((img - lo) / (hi - lo) if hi > lo else np.zeros_like(img))
    else:
        g = img.mean(axis=2)
        if signed:
            v = float(np.abs(g).max()) or 1.0
            ax.imshow(g, cmap="RdBu_r", vmin=-v, vmax=v)
        else:
            ax.imshow(g, cmap="gray")
    ax.set_xticks([])
    ax.set_yticks([])


def _show_vector(ax, v: np.ndarray, colour: str) -> None:
    v = v.ravel()
    if v.size <= 256:
        ax.bar(np.arange(v.size), v, width=1.0, color=colour)
    else:
        ax.plot(np.arange(v.size), v, color=colour, lw=0.6)
    ax.axhline(0.0, color="black", lw=0.5)
    ax.tick_params(labelsize=7)


def explain_figure(result, layout=None, max_rows: int = 8, title: str = "") -> bytes:
    """The input beside its backward maps (:class:`regioncount.analysis.ExplainResult`), one
    row per input (at most ``max_rows``): images when ``layout`` (an
    :class:`~regioncount.analysis.ImageLayout`, default from the model input shape) says the
    input is one, bar charts over the input index otherwise. Map panels are titled with the
    cosine between the map and the input."""
    from ..analysis import image_layout

    layout = layout or image_layout(result.input_shape)
    rows = list(result)[:max_rows]
    cols = 1 + len(result.methods)
    side = 2.3 if layout is not None else 2.8
    fig = Figure(figsize=(side * cols, (side + 0.35) * len(rows) + (0.4 if title else 0.0)))
    axes = fig.subplots(len(rows), cols, squeeze=False)
    for ax_row, e in zip(axes, rows):
        head = f"input (argmax {e.predicted})"
        if e.output != e.predicted:
            head += f"\nexplaining {e.output}"
        panels = [(head, e.input, False, "#555555")]
        for m in result.methods:
            c = e.summaries[m].cosine
            panels.append((f"{METHOD_TITLES.get(m, m)}\ncos with input "
                           + ("n/a" if c is None else f"{c:.2f}"), e.maps[m], True, "#2471a3"))
        for ax, (name, data, signed, colour) in zip(ax_row, panels):
            if layout is not None:
                _show_image(ax, layout.to_hwc(data), signed)
            else:
                _show_vector(ax, data, colour)
            ax.set_title(name, fontsize=8.5)
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return png_bytes(fig)


__all__ = ["KIND_COLOURS", "COUNT_COLOUR", "log10", "png_bytes", "data_uri", "bounds_chart",
           "region_colours", "slice_figure", "counts_figure", "sweep_chart", "explain_figure"]
