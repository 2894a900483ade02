"""Results of region enumeration: frozen dataclasses with ``to_json``."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..results import jsonable

#: What the counts of this package are (docs/regions.md).
KIND = "activation regions"


@dataclass(frozen=True, eq=False)
class Progress:
    """A progress report of a long count (handed to the ``progress`` callback)."""

    regions: int
    lps: int
    depth: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.regions / self.seconds if self.seconds > 0 else 0.0


@dataclass(frozen=True, eq=False)
class CountResult:
    """An exact (or, when ``complete`` is False, partial) count of activation regions.

    Attributes
    ----------
    regions : int
        Activation regions found (docs/regions.md).
    complete : bool
        False when a time limit, a region limit or an interrupt stopped the count early: then
        ``regions`` is a lower bound.
    method : str
        ``"tree"``, ``"milp"`` or ``"slice"``.
    seconds : float
        Wall time (summed over resumed runs).
    lps : int
        LPs (tree), MILPs (milp) solved; 0 for slices.
    per_class : dict
        Output index -> regions whose output argmax (at the region's certificate point) is
        that index.
    per_layer : tuple of int
        ``per_layer[k]``: activation regions of the network cut after its ``k``-th PWL stage
        (the last entry equals ``regions`` for a complete count).
    patterns : ndarray or None
        (regions, units) piece indices, one row per region, when requested.
    points, margins : ndarray or None
        An interior point of each region (it reproduces the pattern) and its margin: the
        smallest normalised slack of the point on the region's cutting hyperplanes.
    stop_reason : str
        ``""`` for a complete count, else ``"time limit"``, ``"region limit"``, ``"interrupted"``.
    """

    regions: int
    complete: bool
    method: str
    seconds: float
    lps: int
    per_class: dict
    per_layer: tuple = ()
    patterns: np.ndarray | None = None
    points: np.ndarray | None = None
    margins: np.ndarray | None = None
    stop_reason: str = ""
    solver: str = ""
    workers: int = 1
    kind: str = KIND
    extra: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        d = {
            "regions": int(self.regions),
            "complete": bool(self.complete),
            "method": self.method,
            "seconds": round(float(self.seconds), 4),
            "lps": int(self.lps),
            "per_class": {str(int(k)): int(v) for k, v in sorted(self.per_class.items())},
            "per_layer": [int(v) for v in self.per_layer],
            "kind": self.kind,
            "workers": int(self.workers),
        }
        if self.solver:
            d["solver"] = self.solver
        if self.stop_reason:
            d["stop_reason"] = self.stop_reason
        if self.extra:
            d.update(jsonable(self.extra))
        return d

    def pattern_set(self) -> set:
        """The patterns as a set of byte strings (for comparing methods)."""
        if self.patterns is None:
            raise ValueError("this result kept no patterns (pass keep_patterns=True)")
        return {bytes(np.asarray(p, np.int32).tobytes()) for p in self.patterns}


def split_pattern(net, flat: np.ndarray) -> list[np.ndarray]:
    """Split a flat pattern (as in :attr:`CountResult.patterns`) into one array per PWL stage,
    the form :meth:`Network.pattern` and :meth:`Network.affine_maps` use."""
    out = []
    k = 0
    for s in net.pwl_stages:
        out.append(np.asarray(flat[k:k + s.size]))
        k += s.size
    return out
