"""Analytic bounds on the number of activation regions (exact Python integers).

- :mod:`.formulas`: the formulas on architectures ``(n0, n1, ..., nL)``.
- :mod:`.registry`: the explicit registry of bounds, :func:`bounds_for_arch` and the
  :class:`BoundsReport` result.
- :mod:`.model`: the architecture a lowered network implies (widths, ranks, unit kinds,
  chain or DAG) and :func:`bounds_for_network`, with the stable-unit recursion on a domain.
- :mod:`.linalg`: ranks of (sparse, unrolled) weight matrices, independent row subsets.
- :mod:`.construct`: networks that reach the lower bounds.

Formulas, references and conditions: ``docs/bounds.md``.
"""

from .formulas import (exact_max_n0_1, montufar2014_lower, montufar2017_upper, serra2018_lower,
                       serra2018_maxout_upper, serra2018_rank_upper, serra2018_stable_upper,
                       serra2018_upper, serra_recursion, two_pow_n, zaslavsky, zaslavsky_shallow)
from .registry import BOUNDS, BoundsReport, bounds_for_arch

__all__ = ["BOUNDS", "BoundsReport", "bounds_for_arch", "bounds_for_network",
           "network_architecture", "zaslavsky", "two_pow_n", "zaslavsky_shallow",
           "montufar2017_upper", "serra2018_upper", "serra2018_rank_upper",
           "serra2018_stable_upper", "serra_recursion",
           "montufar2014_lower", "serra2018_lower", "exact_max_n0_1", "serra2018_maxout_upper"]


def __getattr__(name):  # the model part imports the network machinery only when used
    if name in ("bounds_for_network", "network_architecture"):
        from . import model

        return getattr(model, name)
    raise AttributeError(name)
