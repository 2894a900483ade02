"""The data of a report: frozen dataclasses, independent of how they are rendered.

:func:`~regioncount.reports.build.build_report` fills a :class:`Report` (the results of
:func:`regioncount.app.analyse` and a headline), :func:`~regioncount.reports.build.build_sweep`
a :class:`SweepReport` (those of :func:`regioncount.app.sweep`); the renderers (:mod:`.render`,
:mod:`.figures`) only read them, and ``to_json`` gives the JSON form with the same numbers
(bounds are exact Python integers, which JSON carries exactly). The sections of a report
(:class:`ModelSection`, :class:`BoundRow`, :class:`CountSection`, :class:`SliceSection`, ...)
are the results of :mod:`regioncount.app`, imported here under their names.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..app import AnalysisOptions as ReportOptions
from ..app import (BoundRow, CountSection, ModelSection, SlicePolygon, SliceSection, StageRow,
                   SweepModel, SweepRow)
from ..results import jsonable

#: How every bound kind of the bounds registry reads in a report (and in the chart legend).
KIND_LABELS = {
    "upper": "upper bound, any weights of this architecture",
    "lower": "lower bound on the maximum over weights (some weights reach it)",
    "exact": "exact maximum over weights",
    "upper (weights)": "upper bound for these weights",
    "upper (weights, domain)": "upper bound for these weights on this domain (weight-aware)",
    "reference": "reference value",
}


@dataclass(frozen=True, eq=False)
class Report:
    """A bound-comparison report of one model on one domain.

    Attributes
    ----------
    headline : str
        One sentence: the count (or that it is partial / absent) and the tightest bounds.
    model : ModelSection
    domain : str
        The domain in words.
    bounds : tuple of BoundRow
        Every bound the bounds registry evaluates for this network (``None`` values included,
        with why).
    count : CountSection or None
    slice : SliceSection or None
    unavailable : tuple of str
        Sections left out, each with why (never faked).
    explain : regioncount.analysis.ExplainResult or None
        The saliency, DeconvNet and guided-backprop maps of a sample input (image inputs only).
    """

    headline: str
    model: ModelSection
    domain: str
    bounds: tuple
    count: CountSection | None
    slice: SliceSection | None
    options: ReportOptions
    unavailable: tuple = ()
    notes: tuple = ()
    version: str = ""
    explain: object = None

    @property
    def partial(self) -> bool:
        return self.count is not None and not self.count.complete

    def bound(self, name: str) -> int | None:
        for b in self.bounds:
            if b.name == name:
                return b.value
        raise KeyError(name)

    def to_json(self) -> dict:
        c = self.count
        return {
            "kind": "regioncount report", "version": self.version, "headline": self.headline,
            "model": self.model.to_json(), "domain": self.domain,
            # the exact count, only when it is exact; regions_found is a sure lower bound
            "regions": c.regions if c is not None and c.complete else None,
            "complete": None if c is None else c.complete,
            "regions_found": None if c is None else c.regions,
            "count": None if c is None else c.to_json(),
            "per_class": None if c is None else {str(k): v for k, v in c.per_class},
            "per_layer": None if c is None else list(c.per_layer),
            "bounds": {b.name: b.value for b in self.bounds},
            "bound_kinds": {b.name: b.kind for b in self.bounds},
            "bound_references": {b.name: b.reference for b in self.bounds},
            "bound_notes": {b.name: b.note for b in self.bounds if b.note},
            "slice": None if self.slice is None else self.slice.to_json(),
            "explain": None if self.explain is None else self.explain.to_json(),
            "options": jsonable(self.options),
            "not_available": list(self.unavailable), "notes": list(self.notes),
        }


@dataclass(frozen=True, eq=False)
class SweepReport:
    """Serra et al.'s experiment: every bound against ``n1`` for ``n0-n1-(total-n1)``."""

    headline: str
    n0: int
    total: int
    rows: tuple
    kinds: dict
    references: dict
    models: tuple = ()
    skipped: tuple = ()       # ((path, why), ...)
    domain: str | None = None
    time_limit: float | None = None
    unavailable: tuple = ()
    version: str = ""

    def series(self) -> dict:
        """Bound name -> ``[(n1, value), ...]`` over the rows where it applies."""
        out: dict = {}
        for r in self.rows:
            for name, v in r.bounds.items():
                if v is not None:
                    out.setdefault(name, []).append((r.n1, v))
        return out

    def to_json(self) -> dict:
        return {
            "kind": "regioncount sweep report", "version": self.version,
            "headline": self.headline, "n0": self.n0, "total": self.total,
            "rows": [{"n1": r.n1, "arch": list(r.arch), "bounds": dict(r.bounds)}
                     for r in self.rows],
            "bound_kinds": dict(self.kinds), "bound_references": dict(self.references),
            "models": [{"path": m.path, "arch": list(m.arch), "n1": m.n1,
                        "regions": m.regions if m.complete else None,
                        "regions_found": m.regions, "complete": m.complete,
                        "method": m.method, "seconds": round(m.seconds, 4),
                        "stop_reason": m.stop_reason, "serra2018_stable_upper": m.stable_upper}
                       for m in self.models],
            "skipped": [{"path": p, "why": w} for p, w in self.skipped],
            "domain": self.domain, "time_limit": self.time_limit,
            "not_available": list(self.unavailable),
        }


__all__ = ["KIND_LABELS", "ReportOptions", "StageRow", "ModelSection", "BoundRow",
           "CountSection", "SlicePolygon", "SliceSection", "Report", "SweepRow", "SweepModel",
           "SweepReport"]
