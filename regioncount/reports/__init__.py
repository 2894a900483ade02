"""Bound-comparison reports (``regioncount report``).

- :mod:`.data`: the report as frozen dataclasses (:class:`Report`, :class:`SweepReport`);
- :mod:`.build`: :func:`build_report` and :func:`build_sweep` fill them from the results of
  :func:`regioncount.app.analyse` and :func:`regioncount.app.sweep` (which compute everything);
- :mod:`.figures`: matplotlib (Agg) charts as PNG bytes;
- :mod:`.render`: one self-contained HTML page (``templates/report.html``), Markdown, JSON;
- :mod:`.geometry`: the decision boundary inside the slice polygons.

See docs/report.md.
"""

from .build import build_report, build_sweep, parse_sweep
from .data import Report, ReportOptions, SweepReport
from .render import render, render_html, render_markdown

__all__ = ["build_report", "build_sweep", "parse_sweep", "Report", "ReportOptions",
           "SweepReport", "render", "render_html", "render_markdown"]
