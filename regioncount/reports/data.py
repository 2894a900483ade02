"""The data of a report: frozen dataclasses, independent of how they are rendered.

:func:`~regioncount.reports.build.build_report` fills a :class:`Report`,
:func:`~regioncount.reports.build.build_sweep` a :class:`SweepReport`; the renderers
(:mod:`.render`, :mod:`.figures`) only read them, and ``to_json`` gives the JSON form with the
same numbers (bounds are exact Python integers, which JSON carries exactly).
"""

from __future__ import annotations

from dataclasses import dataclass, field

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


@dataclass(frozen=True)
class ReportOptions:
    """What to compute. Plain data, so a report records how it was made.

    Attributes
    ----------
    count : bool
        Count the regions exactly (the long step).
    method : str
        ``"tree"`` (LP region tree), ``"milp"`` (Serra et al.'s no-good MILP baseline) or
        ``"slice"`` (exact 2-D / 1-D slice of the whole domain, input dimension 1 or 2 only).
    time_limit : float or None
        Seconds for each long step: the count (a count stopped by it is kept as a sure lower
        bound) and the slice (left out, with a line saying so, when it does not finish).
    workers : int
        Processes for the region tree.
    slice : bool
        Draw the regions met by a 2-D slice.
    slice_axes : tuple of int or None
        Slice along these two input coordinates; ``None``: the two inputs of a 2-input model,
        else two random orthonormal directions (``seed``).
    slice_origin : tuple of float or None
        The point the slice goes through (default: the domain's centre).
    slice_dirs : tuple of two tuples of float, or None
        Two directions ``u``, ``v`` of the input space for the slice (instead of axes or
        random directions).
    seed : int
        Seed of the random slice directions and of the region colours.
    tighten : str
        Neuron bounds behind the stable units and the weight-aware bound: ``"interval"``,
        ``"lp"`` (interval, then LP tightening) or ``"milp"``
        (:func:`regioncount.milp.tighten.tighten`, under ``time_limit``).
    """

    count: bool = True
    method: str = "tree"
    time_limit: float | None = 60.0
    workers: int = 1
    slice: bool = True
    slice_axes: tuple | None = None
    slice_origin: tuple | None = None
    slice_dirs: tuple | None = None
    seed: int = 0
    tighten: str = "lp"


@dataclass(frozen=True)
class StageRow:
    """One stage of the lowered network, with its stable units on the domain (PWL stages)."""

    index: int
    kind: str
    units: int
    inputs: tuple
    shape: tuple
    source: str
    params: int | None = None
    active: int | None = None
    inactive: int | None = None
    #: ``((method, stable units it proved), ...)`` for PWL stages, e.g. ``(("interval", 3),)``.
    proved_by: tuple = ()

    @property
    def unstable(self) -> int | None:
        if self.active is None:
            return None
        return self.units - self.active - self.inactive


@dataclass(frozen=True)
class ModelSection:
    """The model as the lowered network sees it."""

    name: str
    input_shape: tuple
    output_shape: tuple
    arch: tuple
    stages: tuple
    pwl_units: int
    params: int
    chain: bool
    stable_method: str
    notes: tuple = ()
    stable_seconds: float = 0.0
    stable_partial: bool = False

    @property
    def stable_active(self) -> int:
        return sum(s.active or 0 for s in self.stages)

    @property
    def stable_inactive(self) -> int:
        return sum(s.inactive or 0 for s in self.stages)

    def to_json(self) -> dict:
        return {"name": self.name, "input_shape": list(self.input_shape),
                "output_shape": list(self.output_shape), "arch": list(self.arch),
                "pwl_units": self.pwl_units, "params": self.params, "chain": self.chain,
                "stable_method": self.stable_method, "stable_partial": self.stable_partial,
                "stable_seconds": round(self.stable_seconds, 4),
                "stable_active": self.stable_active, "stable_inactive": self.stable_inactive,
                "stages": [dict(jsonable({k: getattr(s, k) for k in
                                          ("index", "kind", "units", "inputs", "shape",
                                           "source", "params", "active", "inactive")}),
                                unstable=s.unstable, proved_by=dict(s.proved_by))
                           for s in self.stages],
                "notes": list(self.notes)}


@dataclass(frozen=True)
class BoundRow:
    """One analytic bound: exact integer value (``None``: does not apply, ``note`` says why)."""

    name: str
    value: int | None
    kind: str
    reference: str = ""
    note: str = ""


@dataclass(frozen=True)
class CountSection:
    """The exact count, or the regions found before the time limit (``complete`` False)."""

    regions: int
    complete: bool
    method: str
    seconds: float
    lps: int
    per_class: tuple          # ((class, regions), ...) sorted by class
    per_layer: tuple
    stop_reason: str = ""
    time_limit: float | None = None

    def to_json(self) -> dict:
        return {"regions": int(self.regions), "complete": bool(self.complete),
                "method": self.method, "seconds": round(float(self.seconds), 4),
                "lps": int(self.lps), "per_class": {str(k): int(v) for k, v in self.per_class},
                "per_layer": [int(v) for v in self.per_layer], "stop_reason": self.stop_reason,
                "time_limit": self.time_limit}


@dataclass(frozen=True, eq=False)
class SlicePolygon:
    """The trace of one region on the slice: vertices in slice coordinates, output argmax."""

    vertices: tuple           # ((s, t), ...) counter-clockwise
    label: int
    area: float


@dataclass(frozen=True, eq=False)
class SliceSection:
    """The regions met by the plane ``origin + s u + t v`` (exact polygons).

    ``boundary`` holds the decision boundary as segments ``((s0, t0), (s1, t1))``: inside each
    region the logits are affine, and a segment is where the two largest logits tie.
    """

    origin: tuple
    u: tuple
    v: tuple
    s_range: tuple
    t_range: tuple
    s_label: str
    t_label: str
    description: str
    whole_domain: bool
    polygons: tuple
    boundary: tuple
    seconds: float

    @property
    def regions(self) -> int:
        return len(self.polygons)

    def to_json(self) -> dict:
        return {"description": self.description, "whole_domain": self.whole_domain,
                "origin": list(self.origin), "u": list(self.u), "v": list(self.v),
                "s_range": list(self.s_range), "t_range": list(self.t_range),
                "regions": self.regions, "seconds": round(self.seconds, 4),
                "per_class": _count_labels(p.label for p in self.polygons),
                "polygons": [{"label": p.label, "area": p.area,
                              "vertices": [list(v) for v in p.vertices]} for p in self.polygons],
                "boundary_segments": [[list(a), list(b)] for a, b in self.boundary]}


def _count_labels(labels) -> dict:
    out: dict = {}
    for lab in labels:
        out[str(int(lab))] = out.get(str(int(lab)), 0) + 1
    return dict(sorted(out.items(), key=lambda kv: int(kv[0])))


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
            "options": jsonable(self.options),
            "not_available": list(self.unavailable), "notes": list(self.notes),
        }


@dataclass(frozen=True)
class SweepRow:
    """The bounds of one architecture ``(n0, n1, total - n1)`` of a sweep."""

    n1: int
    arch: tuple
    bounds: dict = field(hash=False)


@dataclass(frozen=True)
class SweepModel:
    """A trained network of one of the sweep's shapes and its count."""

    path: str
    arch: tuple
    n1: int
    regions: int
    complete: bool
    method: str
    seconds: float
    stop_reason: str = ""
    #: The model's weight-aware bound on the domain (serra2020_stable_upper), if it applies.
    stable_upper: int | None = None


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
                        "stop_reason": m.stop_reason, "serra2020_stable_upper": m.stable_upper}
                       for m in self.models],
            "skipped": [{"path": p, "why": w} for p, w in self.skipped],
            "domain": self.domain, "time_limit": self.time_limit,
            "not_available": list(self.unavailable),
        }


__all__ = ["KIND_LABELS", "ReportOptions", "StageRow", "ModelSection", "BoundRow",
           "CountSection", "SlicePolygon", "SliceSection", "Report", "SweepRow", "SweepModel",
           "SweepReport"]
