"""Sound neuron bounds and stable units.

:class:`NeuronBounds` holds, for every stage of a network, lower and upper bounds of its
outputs over a domain. They are *outer* bounds: every value the network takes on the domain
lies inside them. Interval propagation (here) gives them cheaply; LP and MILP tightening
(``regioncount.milp``) give tighter ones in the same form.

A PWL unit is *stable* on the domain when one piece holds everywhere:

- ReLU / leaky ReLU: stably inactive when the pre-activation's upper bound is ``<= 0`` (zero
  counts as inactive), stably active when its lower bound is ``>= 0`` (and it is not inactive);
  a unit with lower bound exactly 0 is zero only on a set of measure zero.
- Clip ``[a, b]``: stable on the low piece when ``hi <= a``, on the high piece when ``lo >= b``,
  on the middle piece when ``a <= lo`` and ``hi <= b``.
- Clip-like units (HardSigmoid): the same on their two breakpoints.
- Max group: a piece whose upper bound is below another piece's lower bound can never be the
  maximum, an entry repeating an earlier one is the same piece, and candidates that are all the
  same constant are one piece (a max-pool over inactive ReLUs); the group is stable when one
  candidate is left.

Each stage kind states this itself (``possible`` and ``stable_piece`` in
:mod:`regioncount.stages`); :func:`stable_units` is the one place that reads it.

Examples
--------
>>> import numpy as np
>>> from regioncount import Domain, Network
>>> net = Network.from_layers([(np.array([[1.0], [1.0], [-1.0]]), np.array([2.0, 0.0, -3.0]))])
>>> b = interval_bounds(net, Domain.box(-1, 1, 1))
>>> b.pre(2)
(array([ 1., -1., -4.]), array([ 3.,  1., -2.]))
>>> [(s.active.tolist(), s.inactive.tolist()) for s in stable_units(net, b)]
[([True, False, False], [False, False, True])]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .domain import Domain
from .network import Network


@dataclass(frozen=True, eq=False)
class NeuronBounds:
    """Outer bounds of every stage's outputs over a domain.

    Attributes
    ----------
    lo, hi : tuple of ndarray
        ``lo[k]``, ``hi[k]`` bound the outputs of ``net.stages[k]``.
    method : str
        ``"interval"``, ``"lp"`` or ``"milp"``: the strongest method that produced them.
    """

    lo: tuple
    hi: tuple
    method: str = "interval"
    #: ``stage_input[k]``: the stage whose outputs feed PWL stage ``k`` (-1 for others).
    stage_input: tuple = ()

    def pre(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Bounds of the input of PWL stage ``k`` (its pre-activations)."""
        i = self.stage_input[k]
        if i < 0:
            raise ValueError(f"stage {k} is not a PWL stage")
        return self.lo[i], self.hi[i]


def make_bounds(net: Network, lo, hi, method: str) -> NeuronBounds:
    """A :class:`NeuronBounds` from per-stage lists of lower and upper bounds.

    Parameters
    ----------
    net : Network
    lo, hi : sequence of array_like
        One array per stage of ``net`` (stage 0: the input).
    method : str
        How they were obtained (``"interval"``, ``"lp"``, ``"milp"``).

    Returns
    -------
    NeuronBounds

    Examples
    --------
    >>> import numpy as np
    >>> from regioncount import Network
    >>> net = Network.from_layers([(np.eye(1), np.zeros(1))])
    >>> make_bounds(net, [[-1], [-1], [0]], [[1], [1], [1]], "given").pre(2)
    (array([-1.]), array([1.]))
    """
    inputs = tuple(s.inputs[0] if s.is_pwl else -1 for s in net.stages)
    return NeuronBounds(tuple(np.asarray(v, float) for v in lo),
                        tuple(np.asarray(v, float) for v in hi), method, inputs)


def propagate_stage(s, lo: list, hi: list) -> tuple[np.ndarray, np.ndarray]:
    """Interval bounds of stage ``s``'s outputs from the bounds ``lo``, ``hi`` of earlier stages
    (the stage's own interval transfer)."""
    return s.stage_interval(lo, hi)


def interval_bounds(net: Network, domain: Domain) -> NeuronBounds:
    """Interval (box) propagation of the domain's bounding box through ``net``.

    Parameters
    ----------
    net : Network
    domain : Domain
        Only its box ``lo <= x <= hi`` is used (extra half-spaces make the bounds looser,
        never wrong).

    Returns
    -------
    NeuronBounds
        ``method == "interval"``.

    Raises
    ------
    DomainError
        When the domain does not have one coordinate per network input.

    Examples
    --------
    >>> import numpy as np
    >>> from regioncount import Domain, Network
    >>> net = Network.from_layers([(np.array([[1.0, -1.0]]), np.zeros(1))])
    >>> b = interval_bounds(net, Domain.box(0, 1, 2))
    >>> b.pre(2), b.hi[2].tolist()             # x - y on [0, 1]^2, then its ReLU
    ((array([-1.]), array([1.])), [1.0])
    """
    if domain.dim != net.input_size:
        from .errors import DomainError

        raise DomainError(f"domain has {domain.dim} coordinates, the network takes {net.input_size}")
    lo: list = [domain.lo.copy()]
    hi: list = [domain.hi.copy()]
    for s in net.stages[1:]:
        l, h = propagate_stage(s, lo, hi)
        lo.append(l)
        hi.append(h)
    return make_bounds(net, lo, hi, "interval")


@dataclass(frozen=True, eq=False)
class StableUnits:
    """Stability of the units of one PWL stage.

    Attributes
    ----------
    stage : int
        Index of the PWL stage in ``net.stages``.
    kind : str
    active, inactive : ndarray of bool
        Stably active / stably inactive units (ReLU, leaky ReLU). For clip: stably on the
        middle piece / on a constant piece. For max groups: groups with one candidate left /
        all False.
    candidates : ndarray of bool or None
        Max groups only: which entries of ``indices`` can still be the maximum.
    """

    stage: int
    kind: str
    active: np.ndarray
    inactive: np.ndarray
    candidates: np.ndarray | None = None

    @property
    def unstable(self) -> np.ndarray:
        return ~(self.active | self.inactive)


def as_neuron_bounds(bounds) -> NeuronBounds:
    """The :class:`NeuronBounds` held by ``bounds``.

    Accepts the bounds themselves (anything with a ``pre(k)`` method) or a result that
    carries them as ``.bounds``, such as the :class:`~regioncount.milp.tighten.Tightening`
    returned by :func:`regioncount.milp.tighten`.

    Parameters
    ----------
    bounds : NeuronBounds or Tightening
        Neuron bounds, or an object whose ``.bounds`` are neuron bounds.

    Returns
    -------
    NeuronBounds
        ``bounds`` itself, or ``bounds.bounds``.

    Raises
    ------
    RegioncountError
        When ``bounds`` is neither.

    Examples
    --------
    >>> import numpy as np
    >>> from regioncount import Domain, Network
    >>> from regioncount.milp import tighten
    >>> net = Network.from_layers([(np.array([[1.0], [-1.0]]), np.zeros(2))])
    >>> t = tighten(net, Domain.box(-1, 1, 1), method="interval")
    >>> as_neuron_bounds(t) is t.bounds, as_neuron_bounds(t.bounds) is t.bounds
    (True, True)
    >>> as_neuron_bounds([0.0, 1.0])
    Traceback (most recent call last):
    ...
    regioncount.errors.RegioncountError: neuron bounds: expected NeuronBounds or a Tightening (with .bounds), not list
    """
    if callable(getattr(bounds, "pre", None)):
        return bounds
    inner = getattr(bounds, "bounds", None)
    if callable(getattr(inner, "pre", None)):
        return inner
    from .errors import RegioncountError

    raise RegioncountError("neuron bounds: expected NeuronBounds or a Tightening (with .bounds), "
                           f"not {type(bounds).__name__}")


def stable_units(net: Network, bounds: NeuronBounds) -> list[StableUnits]:
    """Which units of every PWL stage hold one piece on the whole domain.

    The one definition of stability (:meth:`~regioncount.stages.PwlStage.stable_piece`), used
    by ``stable``, the MILP encodings, the bound tightening and the report alike.

    Parameters
    ----------
    net : Network
    bounds : NeuronBounds or Tightening
        Outer bounds of every stage on the domain: :func:`interval_bounds`, the ``.bounds``
        of :func:`regioncount.milp.tighten`, or that :class:`Tightening` itself.

    Returns
    -------
    list of StableUnits
        One per PWL stage, in the order of ``net.pwl_indices``.

    Raises
    ------
    RegioncountError
        When ``bounds`` holds no neuron bounds (:func:`as_neuron_bounds`).

    Examples
    --------
    >>> import numpy as np
    >>> from regioncount import Domain, Network
    >>> net = Network.from_layers([(np.array([[1.0], [1.0]]), np.array([2.0, 0.0]))])
    >>> su = stable_units(net, interval_bounds(net, Domain.box(-1, 1, 1)))
    >>> su[0].stage, su[0].active.tolist(), su[0].unstable.tolist()
    (2, [True, False], [False, True])
    """
    bounds = as_neuron_bounds(bounds)
    out = []
    for k in net.pwl_indices:
        s = net.stages[k]
        l, h = bounds.pre(k)
        piece = s.stable_piece(l, h)
        stable = piece >= 0
        active = stable & s.is_active(piece)
        out.append(StableUnits(k, s.kind, active, stable & ~active, s.candidates(l, h)))
    return out


__all__ = ["NeuronBounds", "StableUnits", "as_neuron_bounds", "interval_bounds", "make_bounds",
           "propagate_stage", "stable_units"]
