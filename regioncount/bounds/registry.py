"""The registry of analytic bounds and the :class:`BoundsReport` result.

:data:`BOUNDS` is an explicit dict from bound name to :class:`BoundSpec`: the function, its
:class:`BoundKind`, reference and condition, and which networks it applies to. A bound
declares what it needs beyond the architecture (:class:`Needs`: ranks, stable-unit counts,
maxout units; without them it is left out) and the properties of the network it requires
(:class:`Requirement`: a chain, ReLU units only, two-piece units, no max units...). Whether a
bound applies is decided from these declarations *before* its function runs; a bound that
does not apply is ``None`` with the failed requirement's reason. The function itself returns an
exact ``int``, or ``None`` when its width condition (``condition``) fails.

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
>>> leaky = BoundInput((2, 6, 6), units=frozenset({"leaky_relu"}))
>>> BOUNDS["serra2018_upper"].why_not(leaky)
'ReLU only (inactive unit = 0); this is a leaky ReLU network'
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from enum import Enum
from math import prod
from types import MappingProxyType
from typing import Callable, Mapping

from . import formulas as F


class BoundKind(str, Enum):
    """What a number is: an upper or lower bound on the maximum over weights, that maximum,
    an upper bound for the given weights (on the given domain), or a reference value.

    Members are strings (``BoundKind.UPPER == "upper"``), so reports and JSON keep the text.
    """

    UPPER = "upper"
    LOWER = "lower"
    EXACT = "exact"
    UPPER_WEIGHTS = "upper (weights)"
    UPPER_WEIGHTS_DOMAIN = "upper (weights, domain)"
    REFERENCE = "reference"

    def __str__(self) -> str:
        return self.value

    def __format__(self, spec: str) -> str:
        return format(self.value, spec)

    @property
    def side(self) -> str:
        """``"upper"`` for the three kinds of upper bound, else the kind itself.

        >>> BoundKind.UPPER_WEIGHTS.side, BoundKind.EXACT.side
        ('upper', 'exact')
        """
        return "upper" if self in UPPER_KINDS else self.value


#: The kinds that bound the regions from above (of every weight, or of the given ones).
UPPER_KINDS = frozenset({BoundKind.UPPER, BoundKind.UPPER_WEIGHTS, BoundKind.UPPER_WEIGHTS_DOMAIN})

#: Every kind, in the order of the documentation.
KINDS = tuple(BoundKind)


@dataclass(frozen=True)
class BoundInput:
    """What the bound functions and the applicability declarations see.

    The defaults describe a plain fully connected ReLU chain (:func:`bounds_for_arch`).

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
    units : frozenset of str
        Unit kinds of the layers as the stages name them for the bounds: ``relu``,
        ``leaky_relu`` (some slope not 0), ``clip``, ``max``...
    chain : bool
        Each layer reads only the one before (False: residual or branching network).
    hyperplanes : tuple of int or None
        Per layer, the hyperplanes with which it cuts a region; None: one per unit.
    max_sizes : tuple of int
        The distinct group sizes of the network's max units (maxout, max-pooling).
    """

    arch: tuple
    ranks: tuple | None = None
    maxout_rank: int | None = None
    active: tuple | None = None
    inactive: tuple | None = None
    units: frozenset = frozenset({"relu"})
    chain: bool = True
    hyperplanes: tuple | None = None
    max_sizes: tuple = ()

    @property
    def two_piece(self) -> bool:
        """Every unit has two pieces (ReLU or leaky ReLU)."""
        return self.units <= {"relu", "leaky_relu"}

    @property
    def units_text(self) -> str:
        return "leaky ReLU" if self.two_piece else "/".join(sorted(self.units))

    @property
    def cuts(self) -> tuple:
        """Hyperplanes per layer (one per unit unless stated)."""
        return tuple(self.arch[1:]) if self.hyperplanes is None else tuple(self.hyperplanes)

    @property
    def maxout(self):
        """The maxout units to bound: ``--maxout-rank K``, else the network's group sizes."""
        return self.maxout_rank if self.maxout_rank is not None else (self.max_sizes or None)

    @property
    def maxout_k(self) -> int | None:
        """The one rank of the maxout units, or None (several sizes, or none)."""
        if self.maxout_rank is not None:
            return self.maxout_rank
        return self.max_sizes[0] if len(self.max_sizes) == 1 else None


class Needs(Enum):
    """Input a bound needs beyond the architecture; without it the bound is left out. The
    value names the :class:`BoundInput` attribute that must not be None."""

    RANKS = "ranks"
    STABLE = "active"
    MAXOUT = "maxout"

    def given(self, b: BoundInput) -> bool:
        return getattr(b, self.value) is not None


@dataclass(frozen=True)
class Requirement:
    """A property of the network a bound holds for, and the reason shown when it fails
    (``{units}``: the unit kinds, ``{sizes}``: the max group sizes)."""

    holds: Callable[[BoundInput], bool]
    reason: str

    def why_not(self, b: BoundInput) -> str | None:
        if self.holds(b):
            return None
        return self.reason.format(units=b.units_text, sizes=list(b.max_sizes))


def _is_chain(b):
    return b.chain


def _relu_only(b):
    return b.units == {"relu"}


def _two_piece(b):
    return b.two_piece


#: Every bound but the hyperplane products routes a region's image through each layer's width
#: (or its active units), which a skip connection bypasses.
CHAIN = Requirement(_is_chain, "not for residual / branching networks (skips bypass the layer "
                               "widths)")
#: The lower bounds are constructions of plain chains.
CHAIN_CONSTRUCTION = Requirement(_is_chain, "constructions are plain ReLU chains, this network "
                                            "branches")
#: Serra's bottleneck: an inactive ReLU outputs 0, so the image loses a dimension.
RELU = Requirement(_relu_only, "ReLU only (inactive unit = 0); this is a {units} network")
RELU_CONSTRUCTION = Requirement(_relu_only, "constructions are ReLU networks; this is a {units} "
                                            "network")
TWO_PIECES = Requirement(_two_piece, "units with more than two pieces (clip / max): see "
                                     "pieces_product")
ONE_LAYER_TWO_PIECES = Requirement(_two_piece, "one layer of two-piece units only")
NO_MAX = Requirement(lambda b: "max" not in b.units,
                     "network has max units: see serra2018_maxout_upper")
ONE_MAXOUT_RANK = Requirement(lambda b: b.maxout_k is not None,
                              "max groups of several sizes {sizes}")


@dataclass(frozen=True)
class BoundSpec:
    """One bound: ``func`` (exact int, or None when ``condition`` fails), what it is, and the
    networks it applies to (``needs``: inputs, ``requires``: properties, checked in order)."""

    func: Callable[[BoundInput], "int | None"]
    kind: BoundKind
    reference: str
    condition: str
    needs: tuple = ()
    requires: tuple = ()
    #: An optional note on how a value was obtained (e.g. hyperplanes per clip unit).
    note: Callable[[BoundInput], "str | None"] | None = None

    def given(self, b: BoundInput) -> bool:
        """Whether ``b`` has the inputs the bound needs (else it is left out)."""
        return all(n.given(b) for n in self.needs)

    def why_not(self, b: BoundInput) -> str | None:
        """Why the bound does not apply to ``b``'s network, or None when it does."""
        return next((w for w in (r.why_not(b) for r in self.requires) if w is not None), None)

    def apply(self, b: BoundInput) -> tuple:
        """``(value, reason or note)``; the function runs only when the bound applies."""
        why = self.why_not(b)
        if why is not None:
            return None, why
        v = self.func(b)
        if v is None:
            return None, self.condition
        return v, self.note(b) if self.note else None


def _montufar(b: BoundInput) -> int:
    if b.two_piece:
        return F.montufar2017_upper(b.arch)
    return F.hyperplane_product(b.arch[0], b.arch[1:], b.cuts)


def _raghu(b: BoundInput) -> int:
    if b.two_piece:
        return F.raghu2017_upper(b.arch)
    return prod(F.zaslavsky(h, b.arch[0]) for h in b.cuts)


def _raghu_note(b: BoundInput) -> str | None:
    if not b.chain:
        return "holds for DAGs: PWL stages in topological order"
    return None if b.two_piece else "hyperplanes per layer: k(k-1)/2 per max group, 2 per clip"


def _maxout_upper(b: BoundInput) -> int:
    if b.maxout_rank is not None:        # rank-K units of these widths
        return F.serra2018_maxout_upper(b.arch, b.maxout_rank)
    return F.hyperplane_product(b.arch[0], b.arch[1:], b.cuts)   # the network's max groups


def _maxout_note(b: BoundInput) -> str | None:
    if b.maxout_rank is not None:
        return None
    return (f"k(k-1)/2 hyperplanes per max group of size k (sizes {list(b.max_sizes)}), "
            "1 per ReLU")


def _stable(b: BoundInput):
    return F.serra2018_stable_upper(b.arch, b.active, b.inactive, ranks=b.ranks)


#: Bound names that were renamed: old name -> current name. The old names are still accepted,
#: with a :class:`DeprecationWarning`, wherever a bound is looked up by name (:data:`BOUNDS`,
#: the mappings of a :class:`BoundsReport`); listings and JSON show the current names only.
DEPRECATED_NAMES: Mapping[str, str] = MappingProxyType({
    # Serra et al.'s ICML 2018 Thm 1 with stable units, once misattributed to the AAAI 2020 paper
    "serra2020_stable_upper": "serra2018_stable_upper",
})


def current_name(name: str) -> str:
    """The current name of bound ``name``: ``name`` itself, or the new name of a deprecated one.

    Parameters
    ----------
    name : str
        A bound name.

    Returns
    -------
    str

    Warns
    -----
    DeprecationWarning
        When ``name`` is a deprecated name (:data:`DEPRECATED_NAMES`).

    Examples
    --------
    >>> current_name("serra2018_upper")
    'serra2018_upper'
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as w:
    ...     warnings.simplefilter("always")
    ...     current_name("serra2020_stable_upper"), w[0].category.__name__
    ('serra2018_stable_upper', 'DeprecationWarning')
    """
    new = DEPRECATED_NAMES.get(name)
    if new is None:
        return name
    warnings.warn(f"bound name {name!r} is deprecated: use {new!r}", DeprecationWarning,
                  stacklevel=3)
    return new


class Names(dict):
    """A dict keyed by bound name that also answers to the deprecated names of
    :data:`DEPRECATED_NAMES` (with a :class:`DeprecationWarning`) in ``[]``, ``in`` and ``get``.
    Iteration, ``len``, equality and JSON see the current names only.

    Examples
    --------
    >>> import warnings
    >>> d = Names({"serra2018_stable_upper": 638})
    >>> list(d), d == {"serra2018_stable_upper": 638}
    (['serra2018_stable_upper'], True)
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore", DeprecationWarning)
    ...     d["serra2020_stable_upper"], "serra2020_stable_upper" in d
    (638, True)
    """

    def __missing__(self, key):
        new = current_name(key) if key in DEPRECATED_NAMES else key
        if new == key or not dict.__contains__(self, new):
            raise KeyError(key)
        return dict.__getitem__(self, new)

    def __contains__(self, key) -> bool:
        if dict.__contains__(self, key):
            return True
        return key in DEPRECATED_NAMES and dict.__contains__(self, current_name(key))

    def get(self, key, default=None):
        if not dict.__contains__(self, key) and key in DEPRECATED_NAMES:
            key = current_name(key)
        return dict.get(self, key, default)


_SERRA = (CHAIN, RELU)
_LOWER = (CHAIN_CONSTRUCTION, RELU_CONSTRUCTION)
_ARORA_SHAPE = "first layer of 2m units (m >= 1), then L-1 layers of one width w >= 2"
_K = BoundKind

#: name -> BoundSpec, in the order of the human table (deprecated names are still accepted:
#: :data:`DEPRECATED_NAMES`).
BOUNDS: dict[str, BoundSpec] = Names({
    "two_pow_n": BoundSpec(lambda b: F.two_pow_n(b.arch), _K.UPPER,
                           "Montufar et al., NeurIPS 2014", "always (each unit has 2 pieces)",
                           requires=(TWO_PIECES,)),
    "zaslavsky_shallow": BoundSpec(lambda b: F.zaslavsky_shallow(b.arch), _K.REFERENCE,
                                   "Zaslavsky 1975",
                                   "reference value: one layer with all N units, Z(N, n0)"),
    "zaslavsky_one_layer": BoundSpec(lambda b: F.zaslavsky_one_layer(b.arch), _K.EXACT,
                                     "Zaslavsky 1975", "one hidden layer",
                                     requires=(CHAIN, ONE_LAYER_TWO_PIECES)),
    "zaslavsky_one_layer_rank": BoundSpec(lambda b: F.zaslavsky_one_layer(b.arch, b.ranks),
                                          _K.UPPER_WEIGHTS, "Serra et al., ICML 2018",
                                          "one hidden layer; uses rank(W)", needs=(Needs.RANKS,),
                                          requires=(CHAIN, ONE_LAYER_TWO_PIECES)),
    "montufar2017_upper": BoundSpec(_montufar, _K.UPPER, "Montufar, SampTA 2017", "always",
                                    requires=(CHAIN, NO_MAX),
                                    note=lambda b: (None if b.two_piece else "a clip unit "
                                                    "counts as two parallel hyperplanes")),
    "raghu2017_upper": BoundSpec(_raghu, _K.UPPER, "Raghu et al., ICML 2017 (explicit product)",
                                 "always", note=_raghu_note),
    "serra2018_upper": BoundSpec(lambda b: F.serra2018_upper(b.arch), _K.UPPER,
                                 "Serra, Tjandraatmadja, Ramalingam, ICML 2018, Thm 1", "always",
                                 requires=_SERRA),
    "hinz2019_histogram_upper": BoundSpec(lambda b: F.hinz_histogram_upper(b.arch), _K.UPPER,
                                          "Hinz & van de Geer 2019 (Serra's histogram)",
                                          "always", requires=_SERRA),
    "serra2018_rank_upper": BoundSpec(lambda b: F.serra2018_rank_upper(b.arch, b.ranks),
                                      _K.UPPER_WEIGHTS,
                                      "Serra et al., ICML 2018, Thm 1 with rank(W_l)",
                                      "uses rank(W_l) of the actual weights",
                                      needs=(Needs.RANKS,), requires=_SERRA),
    "serra2018_stable_upper": BoundSpec(_stable, _K.UPPER_WEIGHTS_DOMAIN,
                                        "Serra et al., ICML 2018, Thm 1 with stable units "
                                        "(this project's form)",
                                        "uses the stably active / inactive units on the domain",
                                        needs=(Needs.STABLE,), requires=_SERRA),
    "exact_max_n0_1": BoundSpec(lambda b: F.exact_max_n0_1(b.arch), _K.EXACT,
                                "Serra et al., ICML 2018", "n0 = 1 and n_l >= 3 for every l < L",
                                requires=_SERRA),
    "montufar2014_lower": BoundSpec(lambda b: F.montufar2014_lower(b.arch), _K.LOWER,
                                    "Montufar et al., NeurIPS 2014", "n_l >= n0 for every l",
                                    requires=_LOWER),
    "serra2018_lower": BoundSpec(lambda b: F.serra2018_lower(b.arch), _K.LOWER,
                                 "Serra et al., ICML 2018, Thm 6", "n_l >= 3 n0 for every l",
                                 requires=_LOWER),
    "arora2018_lower": BoundSpec(lambda b: F.arora2018_lower(b.arch), _K.LOWER,
                                 "Arora et al., ICLR 2018", _ARORA_SHAPE, requires=_LOWER),
    "serra2018_thm7_lower": BoundSpec(lambda b: F.serra2018_thm7_lower(b.arch), _K.LOWER,
                                      "Serra et al., ICML 2018, Thm 7", _ARORA_SHAPE,
                                      requires=_LOWER),
    "serra2018_maxout_upper": BoundSpec(_maxout_upper, _K.UPPER, "Serra et al., ICML 2018, Thm 8",
                                        "maxout units of rank K", needs=(Needs.MAXOUT,),
                                        requires=(CHAIN,), note=_maxout_note),
    "maxout_one_layer_sharp": BoundSpec(lambda b: F.maxout_one_layer_sharp(b.arch, b.maxout_k),
                                        _K.EXACT, "Montufar, Ren, Zhang, SIAGA 2022",
                                        "one layer of maxout units of rank K",
                                        needs=(Needs.MAXOUT,), requires=(CHAIN, ONE_MAXOUT_RANK)),
})


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
        Name -> :class:`BoundKind`, reference, and for ``None`` entries why (the failed
        requirement or condition); for others an optional note.
    ranks : tuple of int or None
        Ranks of the weight matrices used (model input).
    source : str
        ``"architecture"`` or the model's name.
    notes : tuple of str
        Caveats about the whole report (e.g. a rank replaced by an upper bound).
    """

    arch: tuple
    bounds: Mapping[str, "int | None"]
    kinds: Mapping[str, BoundKind]
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
                "bounds": dict(self.bounds),
                "kinds": {n: str(k) for n, k in self.kinds.items()},
                "references": dict(self.references), "reasons": dict(self.reasons),
                "notes": list(self.notes)}


def evaluate(inp: BoundInput, names=None) -> tuple[dict, dict]:
    """Evaluate the registry (or the given names) on ``inp``: ``(values, reasons)``.

    Bounds whose extra input (:class:`Needs`) is absent are left out; a bound whose
    requirements fail is ``None`` with the reason, without running its function. Tables past
    the memory limit are refused first (:func:`~.formulas.check_tables`).
    """
    k = inp.maxout_rank or max(inp.max_sizes, default=2)
    F.check_tables(inp.arch[0], tuple(max(n, h) * F.maxout_hyperplanes(max(k, 2))
                                      for n, h in zip(inp.arch[1:], inp.cuts)))
    values: dict = {}
    reasons: dict = {}
    for name, spec in BOUNDS.items():
        if (names is None or name in names) and spec.given(inp):
            values[name], why = spec.apply(inp)
            if why:
                reasons[name] = why
    return values, reasons


def make_report(values: Mapping, reasons: Mapping, **kw) -> BoundsReport:
    """A :class:`BoundsReport` with kinds and references filled from the registry (entries not
    in the registry must pass ``kinds`` / ``references`` for themselves)."""
    kinds = {n: BoundKind(k) for n, k in kw.pop("kinds", {}).items()}
    refs = dict(kw.pop("references", {}))
    for name in values:
        if name in BOUNDS:
            kinds.setdefault(name, BOUNDS[name].kind)
            refs.setdefault(name, BOUNDS[name].reference)
    return BoundsReport(bounds=MappingProxyType(Names(values)),
                        kinds=MappingProxyType(Names(kinds)),
                        references=MappingProxyType(Names(refs)),
                        reasons=MappingProxyType(Names(reasons)), **kw)


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
        ``bounds``: name -> exact ``int``, or ``None`` when the bound's condition fails (the
        reason in ``reasons``).

    Raises
    ------
    RegioncountError
        For an invalid architecture, a maxout rank below 2, or tables past the memory budget
        (:class:`~regioncount.errors.ResourceError`).

    Examples
    --------
    >>> r = bounds_for_arch((2, 6, 6), maxout_rank=3)
    >>> r.bounds["serra2018_upper"], r.bounds["serra2018_maxout_upper"], r.kinds["serra2018_lower"]
    (484, 29584, <BoundKind.LOWER: 'lower'>)
    >>> r3 = bounds_for_arch((3, 6, 6), ranks=(2, 2))      # rank-2 weights: as if n0 = 2
    >>> r3.bounds["serra2018_upper"], r3.bounds["serra2018_rank_upper"]
    (1764, 484)
    >>> bounds_for_arch((2, 6, 6), maxout_rank=1)
    Traceback (most recent call last):
    ...
    regioncount.errors.RegioncountError: --maxout-rank 1: a maxout unit has at least 2 pieces
    """
    a = F.check_arch(arch)
    if maxout_rank is not None and int(maxout_rank) < 2:
        from ..errors import RegioncountError

        raise RegioncountError(f"--maxout-rank {maxout_rank}: a maxout unit has at least 2 pieces")
    if ranks is not None:
        ranks = tuple(int(r) for r in ranks)
    values, reasons = evaluate(BoundInput(a, ranks=ranks, maxout_rank=maxout_rank))
    return make_report(values, reasons, arch=a, ranks=ranks, maxout_rank=maxout_rank)


__all__ = ["BOUNDS", "BoundSpec", "BoundInput", "BoundKind", "BoundsReport", "DEPRECATED_NAMES",
           "KINDS", "Names", "Needs", "Requirement", "UPPER_KINDS", "bounds_for_arch",
           "current_name", "evaluate", "make_report"]
