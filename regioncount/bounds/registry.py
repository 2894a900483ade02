"""The registry of analytic bounds and the :class:`BoundsReport` result.

:data:`BOUNDS` is an explicit dict from bound name to :class:`BoundSpec` (function, kind,
reference, condition). Every function takes a :class:`BoundInput` and returns an exact
``int`` or ``None`` (its condition fails); :func:`bounds_for_arch` evaluates them all.

Examples
--------
>>> r = bounds_for_arch((2, 6, 6))
>>> r.bounds["serra2018_upper"], r.bounds["serra2018_lower"], r.bounds["montufar2014_lower"]
(484, 352, 198)
>>> r.bounds["arora2018_lower"], r.bounds["serra2018_thm7_lower"]
(36, 42)
>>> r5 = bounds_for_arch((2, 5, 5))
>>> r5.bounds["arora2018_lower"] is None, r5.reasons["arora2018_lower"]
(True, 'first layer of 2m units (m >= 1), then L-1 layers of one width w >= 2')
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Callable, Mapping

from . import formulas as F

#: Kinds of entries: an upper or lower bound on the maximum over weights, an exact maximum,
#: an upper bound for the given weights on the given domain, or a reference value.
KINDS = ("upper", "lower", "exact", "upper (weights)", "upper (weights, domain)", "reference")


@dataclass(frozen=True)
class BoundInput:
    """What the bound functions see.

    Attributes
    ----------
    arch : tuple of int
        ``(n0, n1, ..., nL)``.
    ranks : tuple of int or None
        ``rank(W_l)`` of the actual weights (model input only).
    maxout_rank : int or None
        ``--maxout-rank K``: evaluate the maxout bounds for rank-K units of these widths.
    active, inactive : tuple of int or None
        Stably active / inactive units per layer on a domain (model input with weights).
    """

    arch: tuple
    ranks: tuple | None = None
    maxout_rank: int | None = None
    active: tuple | None = None
    inactive: tuple | None = None


@dataclass(frozen=True)
class BoundSpec:
    func: Callable[[BoundInput], "int | None"]
    kind: str
    reference: str
    condition: str
    #: Which input it needs beyond the architecture: None, "ranks", "stable" or "maxout".
    needs: str | None = None


def _stable(b: BoundInput):
    return F.serra2020_stable_upper(b.arch, b.active, b.inactive, ranks=b.ranks)


#: name -> BoundSpec, in the order of the human table.
BOUNDS: dict[str, BoundSpec] = {
    "two_pow_n": BoundSpec(lambda b: F.two_pow_n(b.arch), "upper",
                           "Montufar et al., NeurIPS 2014", "always (each unit has 2 pieces)"),
    "zaslavsky_shallow": BoundSpec(lambda b: F.zaslavsky_shallow(b.arch), "reference",
                                   "Zaslavsky 1975",
                                   "reference value: one layer with all N units, Z(N, n0)"),
    "zaslavsky_one_layer": BoundSpec(lambda b: F.zaslavsky_one_layer(b.arch), "exact",
                                     "Zaslavsky 1975", "one hidden layer"),
    "zaslavsky_one_layer_rank": BoundSpec(lambda b: F.zaslavsky_one_layer(b.arch, b.ranks),
                                          "upper (weights)", "Serra et al., ICML 2018",
                                          "one hidden layer; uses rank(W)", needs="ranks"),
    "montufar2017_upper": BoundSpec(lambda b: F.montufar2017_upper(b.arch), "upper",
                                    "Montufar, SampTA 2017", "always"),
    "raghu2017_upper": BoundSpec(lambda b: F.raghu2017_upper(b.arch), "upper",
                                 "Raghu et al., ICML 2017 (explicit product)", "always"),
    "serra2018_upper": BoundSpec(lambda b: F.serra2018_upper(b.arch), "upper",
                                 "Serra, Tjandraatmadja, Ramalingam, ICML 2018, Thm 1", "always"),
    "hinz2019_histogram_upper": BoundSpec(lambda b: F.hinz_histogram_upper(b.arch), "upper",
                                          "Hinz & van de Geer 2019 (Serra's histogram)",
                                          "always"),
    "serra2018_rank_upper": BoundSpec(lambda b: F.serra2018_rank_upper(b.arch, b.ranks),
                                      "upper (weights)",
                                      "Serra et al., ICML 2018, Thm 1 with rank(W_l)",
                                      "uses rank(W_l) of the actual weights", needs="ranks"),
    "serra2020_stable_upper": BoundSpec(_stable, "upper (weights, domain)",
                                        "stable-unit recursion (BOUNDS.md; Serra & Ramalingam, "
                                        "AAAI 2020)",
                                        "uses the stably active / inactive units on the domain",
                                        needs="stable"),
    "exact_max_n0_1": BoundSpec(lambda b: F.exact_max_n0_1(b.arch), "exact",
                                "Serra et al., ICML 2018", "n0 = 1 and n_l >= 3 for every l < L"),
    "montufar2014_lower": BoundSpec(lambda b: F.montufar2014_lower(b.arch), "lower",
                                    "Montufar et al., NeurIPS 2014", "n_l >= n0 for every l"),
    "serra2018_lower": BoundSpec(lambda b: F.serra2018_lower(b.arch), "lower",
                                 "Serra et al., ICML 2018, Thm 6", "n_l >= 3 n0 for every l"),
    "arora2018_lower": BoundSpec(lambda b: F.arora2018_lower(b.arch), "lower",
                                 "Arora et al., ICLR 2018",
                                 "first layer of 2m units (m >= 1), then L-1 layers of one "
                                 "width w >= 2"),
    "serra2018_thm7_lower": BoundSpec(lambda b: F.serra2018_thm7_lower(b.arch), "lower",
                                      "Serra et al., ICML 2018, Thm 7",
                                      "first layer of 2m units (m >= 1), then L-1 layers of one "
                                      "width w >= 2"),
    "serra2018_maxout_upper": BoundSpec(lambda b: F.serra2018_maxout_upper(b.arch, b.maxout_rank),
                                        "upper", "Serra et al., ICML 2018, Thm 8",
                                        "maxout units of rank K", needs="maxout"),
    "maxout_one_layer_sharp": BoundSpec(lambda b: F.maxout_one_layer_sharp(b.arch, b.maxout_rank),
                                        "exact", "Montufar, Ren, Zhang, SIAGA 2022",
                                        "one layer of maxout units of rank K", needs="maxout"),
}


@dataclass(frozen=True, eq=False)
class BoundsReport:
    """The bounds of one architecture or model.

    Attributes
    ----------
    arch : tuple of int
        ``(n0, n1, ..., nL)``.
    bounds : mapping
        Name -> exact ``int`` or ``None`` (does not apply).
    kinds, references, reasons : mapping
        Name -> kind (:data:`KINDS`), reference, and for ``None`` entries why (the failed
        condition); for others an optional note.
    ranks : tuple of int or None
        Ranks of the weight matrices used (model input).
    source : str
        ``"architecture"`` or the model's name.
    notes : tuple of str
        Caveats about the whole report (e.g. a rank replaced by an upper bound).
    """

    arch: tuple
    bounds: Mapping[str, "int | None"]
    kinds: Mapping[str, str]
    references: Mapping[str, str]
    reasons: Mapping[str, str] = field(default_factory=dict)
    ranks: tuple | None = None
    maxout_rank: int | None = None
    source: str = "architecture"
    domain: str | None = None
    notes: tuple = ()
    #: Model input: one :class:`~regioncount.bounds.model.LayerInfo` per PWL stage.
    layers: tuple = ()

    def to_json(self) -> dict:
        from ..results import jsonable

        return {"arch": list(self.arch), "source": self.source,
                "layers": [jsonable(l) for l in self.layers],
                "ranks": None if self.ranks is None else list(self.ranks),
                "maxout_rank": self.maxout_rank, "domain": self.domain,
                "bounds": dict(self.bounds), "kinds": dict(self.kinds),
                "references": dict(self.references), "reasons": dict(self.reasons),
                "notes": list(self.notes)}


def evaluate(inp: BoundInput, names=None) -> tuple[dict, dict]:
    """Evaluate the registry (or the given names) on ``inp``: ``(values, reasons)``.

    Bounds whose extra input (ranks, stable counts, maxout rank) is absent are left out.
    """
    values: dict = {}
    reasons: dict = {}
    for name, spec in BOUNDS.items():
        if names is not None and name not in names:
            continue
        if spec.needs == "ranks" and inp.ranks is None:
            continue
        if spec.needs == "stable" and inp.active is None:
            continue
        if spec.needs == "maxout" and inp.maxout_rank is None:
            continue
        v = spec.func(inp)
        values[name] = v
        if v is None:
            reasons[name] = spec.condition
    return values, reasons


def make_report(values: Mapping, reasons: Mapping, **kw) -> BoundsReport:
    """A :class:`BoundsReport` with kinds and references filled from the registry (entries not
    in the registry must pass ``kinds`` / ``references`` for themselves)."""
    kinds = dict(kw.pop("kinds", {}))
    refs = dict(kw.pop("references", {}))
    for name in values:
        if name in BOUNDS:
            kinds.setdefault(name, BOUNDS[name].kind)
            refs.setdefault(name, BOUNDS[name].reference)
    return BoundsReport(bounds=MappingProxyType(dict(values)), kinds=MappingProxyType(kinds),
                        references=MappingProxyType(refs),
                        reasons=MappingProxyType(dict(reasons)), **kw)


def bounds_for_arch(arch, maxout_rank: int | None = None, ranks=None) -> BoundsReport:
    """Every bound of the registry for a fully connected ReLU architecture.

    Parameters
    ----------
    arch : sequence of int
        ``(n0, n1, ..., nL)``, input dimension first.
    maxout_rank : int, optional
        Also the maxout bounds for rank-K units of the same widths.
    ranks : sequence of int, optional
        ``rank(W_l)`` per layer, for the rank versions.

    Returns
    -------
    BoundsReport
    """
    a = F.check_arch(arch)
    if maxout_rank is not None and int(maxout_rank) < 2:
        from ..errors import RegioncountError

        raise RegioncountError(f"--maxout-rank {maxout_rank}: a maxout unit has at least 2 pieces")
    if ranks is not None:
        ranks = tuple(int(r) for r in ranks)
    values, reasons = evaluate(BoundInput(a, ranks=ranks, maxout_rank=maxout_rank))
    return make_report(values, reasons, arch=a, ranks=ranks, maxout_rank=maxout_rank)


__all__ = ["BOUNDS", "BoundSpec", "BoundInput", "BoundsReport", "KINDS", "bounds_for_arch",
           "evaluate", "make_report"]
