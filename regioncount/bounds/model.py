"""Bounds for a lowered :class:`~regioncount.network.Network`.

:func:`network_architecture` reads the architecture a network implies: one *layer* per PWL
stage (in topological order), its number of units, the number of hyperplanes with which it
can cut a region of the layers before, and the rank of the affine map from the previous
layer's outputs (or the input) to its pre-activations (a product of the affine stages in
between; convolutions are unrolled sparse matrices).

:func:`bounds_for_network` describes the network to the registry (:func:`bound_input`), whose
bounds declare what they hold for (:mod:`.registry`), so what does not hold is never computed:

- ReLU chains: every bound of the registry, plus the rank versions and, on a domain, the
  stable-unit recursion fed by neuron bounds (interval propagation by default, or any
  :class:`~regioncount.intervals.NeuronBounds`-like object, e.g. LP-tightened bounds).
- Leaky ReLU (``alpha != 0``): two pieces like a ReLU, but an "inactive" unit keeps its
  input's dimension, so Serra et al.'s bottleneck argument, the constructions and the exact
  values for ``n0 = 1`` do not apply; the hyperplane products (Montufar 2017, Raghu) do.
- Clip: two parallel hyperplanes per unit (three pieces).
- Max groups (maxout, max-pooling) of size k: maxout units of rank k, ``k(k-1)/2``
  hyperplanes each (Serra et al.'s Thm 8, per layer with the actual group sizes).
- Residual or branching networks (DAGs): only ``2^N`` (or the product of the pieces) and
  Raghu's product over the PWL stages in topological order hold: on a region of all earlier
  stages, each stage's pre-activations are affine in the input, so it cuts the region by its
  hyperplanes in ``R^n0``. Every other upper bound routes a region's image through each
  layer's width (``d_l = min(n0, ..., n_l)``) or through the units left active, which a skip
  connection bypasses; the lower bounds are constructions for plain chains.

Examples
--------
>>> import numpy as np
>>> from regioncount import Network
>>> rng = np.random.default_rng(0)
>>> net = Network.from_layers([(rng.normal(size=(4, 2)), rng.normal(size=4)),
...                            (rng.normal(size=(4, 4)), rng.normal(size=4))])
>>> r = bounds_for_network(net)
>>> r.arch, r.ranks, r.bounds["serra2018_upper"]
((2, 4, 4), (2, 4), 121)
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from math import prod

import numpy as np
import scipy.sparse as sp

from ..errors import RegioncountError
from ..network import Affine, Network
from .linalg import INDEPENDENT_SETS_LIMIT, count_independent_rows, matrix_rank
from .registry import BOUNDS, BoundInput, BoundKind, BoundsReport, evaluate, make_report

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LayerInfo:
    """One PWL stage seen as a layer.

    Attributes
    ----------
    stage : int
        Index in ``net.stages``.
    kind : str
        ``relu``, ``leaky_relu``, ``clip`` or ``max``.
    units : int
        Outputs of the stage.
    hyperplanes : int
        Hyperplanes with which the layer cuts a region of the layers before (1 per ReLU,
        finite sides of a clip, ``k(k-1)/2`` per max group of size k).
    pieces : int
        Product over units of their number of pieces (an exact integer).
    rank : int or None
        Rank of the affine map from the previous layer (chains only).
    rank_method : str
        ``svd``, ``structural`` (upper bound on the rank of a large sparse matrix),
        ``identity`` (no affine stage in between) or ``-`` (not a chain).
    group_sizes : tuple of int
        Max layers: the distinct group sizes.
    """

    stage: int
    kind: str
    units: int
    hyperplanes: int
    pieces: int
    rank: int | None = None
    rank_method: str = "-"
    group_sizes: tuple = ()


@dataclass(frozen=True, eq=False)
class NetworkArchitecture:
    """The architecture a network implies: ``arch = (n0, n1, ..., nL)`` over its PWL stages."""

    arch: tuple
    layers: tuple
    chain: bool
    #: For chains: the matrix of each layer as a function of the previous layer (kept for the
    #: first layer only, for the independent-rows count).
    first_matrix: object = None
    notes: tuple = ()

    @property
    def kinds(self) -> tuple:
        return tuple(l.kind for l in self.layers)

    @property
    def ranks(self) -> tuple | None:
        if not self.chain or any(l.rank is None for l in self.layers):
            return None
        return tuple(l.rank for l in self.layers)


def _unit_kind(s) -> str:
    """The kind the bounds see (a leaky ReLU with every slope 0 is a ReLU)."""
    return s.bound_kind


def _layer_counts(s) -> tuple[int, int, tuple]:
    """(hyperplanes, pieces, group sizes) of a PWL stage, as the stage kind states them."""
    return s.layer_counts()


def _compose_back(net: Network, k: int):
    """Walk back from stage ``k`` through single-source affine stages. Returns
    ``(reached_stage, matrix or None)`` where the matrix maps ``reached_stage``'s outputs to
    stage ``k``'s outputs (``None``: identity), or ``(None, None)`` at a multi-source affine."""
    M = None
    j = k
    while isinstance(net.stages[j], Affine):
        s = net.stages[j]
        if len(s.sources) != 1:
            return None, None
        W = s.weights[0]
        M = W if M is None else M @ W
        j = s.sources[0]
    return j, M


def network_architecture(net: Network) -> NetworkArchitecture:
    """The layers (PWL stages up to the output) and, for chains, the rank of each layer's
    weight matrix as a function of the previous layer.

    Parameters
    ----------
    net : Network

    Returns
    -------
    NetworkArchitecture
        ``arch = (n0, n1, ..., nL)``, one :class:`LayerInfo` per layer, and whether the
        network is a chain.

    Raises
    ------
    RegioncountError
        When the network has no PWL stage (it is affine: one region).

    Examples
    --------
    >>> import numpy as np
    >>> from regioncount import Network
    >>> net = Network.from_layers([(np.ones((3, 2)), np.zeros(3)), (np.ones((2, 3)), np.zeros(2))])
    >>> A = network_architecture(net)
    >>> A.arch, A.chain, A.ranks, A.kinds
    ((2, 3, 2), True, (1, 1), ('relu', 'relu'))
    """
    pwl = [k for k in net.pwl_indices if k <= net.output]
    if not pwl:
        raise RegioncountError(f"{net.name}: the network has no PWL unit (it is affine: one region)")
    # A chain: each PWL stage reads the previous one (or the input) through single-source
    # affine stages, and the output reads the last one that way.
    chain = True
    mats = []
    prev = 0
    for k in pwl:
        s = net.stages[k]
        j, M = _compose_back(net, s.inputs[0])
        if j != prev:
            chain = False
            break
        mats.append(M)
        prev = k
    if chain:
        j, _ = _compose_back(net, net.output)
        chain = j == pwl[-1]
    if chain:
        consumers = net.consumers()
        chain = all(len(consumers[k]) <= 1 for k in [0] + pwl[:-1])
    notes = []
    layers = []
    for li, k in enumerate(pwl):
        s = net.stages[k]
        h, pieces, groups = _layer_counts(s)
        rank, method = None, "-"
        if chain:
            M = mats[li]
            if M is None:
                rank, method = net.stages[pwl[li - 1]].size if li else net.input_size, "identity"
            else:
                rank, method = matrix_rank(M)
                if method == "structural":
                    notes.append(f"layer {li + 1} ({M.shape[0]} x {M.shape[1]}): rank replaced by "
                                 f"the structural rank {rank} (an upper bound; too large for SVD)")
        layers.append(LayerInfo(k, _unit_kind(s), int(s.size), int(h), pieces, rank, method, groups))
    arch = (int(net.input_size),) + tuple(l.units for l in layers)
    first = mats[0] if chain else None
    if first is None and chain:
        first = sp.identity(net.input_size, format="csr")
    return NetworkArchitecture(arch, tuple(layers), chain, first, tuple(notes))


def _stable_counts(net: Network, arch: NetworkArchitecture, domain, neuron_bounds):
    from ..intervals import as_neuron_bounds, interval_bounds, stable_units

    if neuron_bounds is None:
        neuron_bounds = interval_bounds(net, domain)
    neuron_bounds = as_neuron_bounds(neuron_bounds)     # a Tightening: its .bounds
    by_stage = {su.stage: su for su in stable_units(net, neuron_bounds)}
    act = tuple(int(np.sum(by_stage[l.stage].active)) for l in arch.layers)
    ina = tuple(int(np.sum(by_stage[l.stage].inactive)) for l in arch.layers)
    return act, ina, getattr(neuron_bounds, "method", "given")


def bounds_for_network(net: Network, domain=None, neuron_bounds=None,
                       maxout_rank: int | None = None,
                       independent_sets_limit: int = INDEPENDENT_SETS_LIMIT) -> BoundsReport:
    """The bounds that hold for ``net`` (see the module docstring for which and why).

    Which registry bounds apply is decided from the network's description
    (:func:`bound_input`) before any is computed; the stable-unit counts are computed only
    when the stable-unit recursion applies.

    Parameters
    ----------
    net : Network
    domain : Domain, optional
        With a domain, the stable-unit recursion (``serra2018_stable_upper``) is evaluated
        (ReLU chains).
    neuron_bounds : NeuronBounds or Tightening, optional
        Bounds of the pre-activations on ``domain``: a
        :class:`~regioncount.intervals.NeuronBounds` (anything with ``pre(k)`` per PWL
        stage), or the :class:`~regioncount.milp.tighten.Tightening` returned by
        :func:`regioncount.milp.tighten` (its ``.bounds`` are used). Default: interval
        propagation of ``domain``.
    maxout_rank : int, optional
        For a network without max units: also the maxout bounds for rank-K units of these
        widths.
    independent_sets_limit : int
        Budget for counting independent rows of the first layer (see
        :func:`~regioncount.bounds.linalg.count_independent_rows`).

    Returns
    -------
    BoundsReport
        ``bounds``: name -> exact ``int`` or ``None`` (does not apply, with the reason in
        ``reasons``); ``notes``: how the stable units were obtained.

    Raises
    ------
    RegioncountError
        When the network has no PWL unit, when ``neuron_bounds`` holds no neuron bounds, or
        when a bound's tables would exceed the memory budget
        (:class:`~regioncount.errors.ResourceError`).
    DomainError
        When ``domain`` does not have one coordinate per network input.

    Examples
    --------
    >>> import numpy as np
    >>> from regioncount import Domain, Network
    >>> from regioncount.milp import tighten
    >>> # relu(x) + relu(-x) - 1.5 < 0 on [-1, 1]: LP tightening proves the last unit off
    >>> net = Network.from_layers([(np.array([[1.0], [-1.0]]), np.zeros(2)),
    ...                            (np.array([[1.0, 1.0]]), np.array([-1.5]))])
    >>> dom = Domain.box(-1, 1, 1)
    >>> bounds_for_network(net, dom).bounds["serra2018_stable_upper"]        # intervals
    6
    >>> t = tighten(net, dom, method="lp")
    >>> bounds_for_network(net, dom, neuron_bounds=t).bounds["serra2018_stable_upper"]
    3
    """
    A = network_architecture(net)
    inp = bound_input(A, maxout_rank)
    notes = list(A.notes)
    if inp.max_sizes and maxout_rank is not None:
        notes.append(f"maxout rank {maxout_rank} not used: the model's max groups give the ranks")
    if domain is not None:
        inp = _with_stable_counts(net, A, inp, domain, neuron_bounds, notes)
    values, reasons = evaluate(inp)
    kinds, refs = {}, {}
    extra = {"pieces_product": _pieces_product(A),
             "layer1_independent_sets": _independent_sets(A, independent_sets_limit)}
    for name, e in extra.items():
        if e is not None:
            values[name], kinds[name], refs[name] = e.value, e.kind, e.reference
            if e.reason:
                reasons[name] = e.reason
    return make_report(values, reasons, arch=A.arch, ranks=A.ranks, maxout_rank=maxout_rank,
                       source=net.name, domain=None if domain is None else _domain_text(domain),
                       notes=tuple(notes), kinds=kinds, references=refs, layers=A.layers)


def bound_input(A: NetworkArchitecture, maxout_rank: int | None = None) -> BoundInput:
    """What the registry's applicability declarations and functions see of a network: its
    widths, unit kinds, chain or not, hyperplanes per layer, ranks (chains) and max groups.
    ``maxout_rank`` is dropped when the network has max units (their sizes give the ranks)."""
    units = frozenset(A.kinds)
    sizes = tuple(sorted({g for l in A.layers for g in l.group_sizes}))
    return BoundInput(A.arch, ranks=A.ranks, maxout_rank=None if sizes else maxout_rank,
                      units=units, chain=A.chain,
                      hyperplanes=tuple(l.hyperplanes for l in A.layers), max_sizes=sizes)


def _with_stable_counts(net, A, inp: BoundInput, domain, neuron_bounds, notes) -> BoundInput:
    """``inp`` with the stably active / inactive units on ``domain`` when the stable-unit
    recursion applies (else unchanged: no neuron bounds are computed); a note either way."""
    if BOUNDS["serra2018_stable_upper"].why_not(inp) is not None:
        notes.append("stable-unit recursion: ReLU chains only")
        return inp
    active, inactive, method = _stable_counts(net, A, domain, neuron_bounds)
    notes.append(f"stable units on the domain from {method} bounds: active "
                 f"{list(active)}, inactive {list(inactive)}")
    return replace(inp, active=active, inactive=inactive)


@dataclass(frozen=True)
class _Entry:
    """A model-only bound (not in the registry: it needs more than :class:`BoundInput`)."""

    value: int | None
    kind: BoundKind
    reference: str
    reason: str | None = None


def _pieces_product(A: NetworkArchitecture) -> _Entry:
    """Every unit is on one of its pieces: any network, any unit kinds."""
    return _Entry(prod(l.pieces for l in A.layers), BoundKind.UPPER,
                  "every unit is on one of its pieces")


def _independent_sets(A: NetworkArchitecture, limit: int) -> _Entry | None:
    """The first layer alone: independent subsets of rows of its (unrolled) matrix. Applies
    to chains whose first layer has two-piece units (else None, nothing computed)."""
    if not A.chain or A.layers[0].kind not in ("relu", "leaky_relu"):
        return None
    n_ind = count_independent_rows(A.first_matrix, limit=limit, rank=A.layers[0].rank)
    one = len(A.layers) == 1
    if n_ind is None:
        why = f"Z(n1, rank W1) > {limit:,} subsets: too many to enumerate"
    else:
        why = ("exact maximum over biases for these weights" if one else
               "the first layer alone, over generic biases")
    return _Entry(n_ind, BoundKind.UPPER_WEIGHTS if one else BoundKind.REFERENCE,
                  "Zaslavsky 1975 (independent sets of the rows of W1)", why)


def _domain_text(domain) -> str:
    lo, hi = np.asarray(domain.lo), np.asarray(domain.hi)
    if lo.size and np.all(lo == lo[0]) and np.all(hi == hi[0]):
        txt = f"[{lo[0]:g}, {hi[0]:g}]^{lo.size}"
    else:
        txt = f"box of {lo.size} coordinates"
    if getattr(domain, "A", None) is not None:
        txt += f" with {domain.A.shape[0]} half-spaces"
    return txt


__all__ = ["LayerInfo", "NetworkArchitecture", "network_architecture", "bounds_for_network",
           "bound_input"]
