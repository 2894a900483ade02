"""Bounds for a lowered :class:`~regioncount.network.Network`.

:func:`network_architecture` reads the architecture a network implies: one *layer* per PWL
stage (in topological order), its number of units, the number of hyperplanes with which it
can cut a region of the layers before, and the rank of the affine map from the previous
layer's outputs (or the input) to its pre-activations (a product of the affine stages in
between; convolutions are unrolled sparse matrices).

:func:`bounds_for_network` then evaluates what still holds:

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
from dataclasses import dataclass
from math import prod

import numpy as np
import scipy.sparse as sp

from ..errors import RegioncountError
from ..network import Affine, Clip, LeakyRelu, MaxGroups, Network, Relu
from . import formulas as F
from .linalg import INDEPENDENT_SETS_LIMIT, count_independent_rows, matrix_rank
from .registry import BOUNDS, BoundInput, BoundsReport, evaluate, make_report

log = logging.getLogger(__name__)

#: Bounds that hold only for plain ReLU chains (Serra's bottleneck, the constructions).
RELU_CHAIN_ONLY = ("serra2018_upper", "hinz2019_histogram_upper", "serra2018_rank_upper",
                   "serra2020_stable_upper", "exact_max_n0_1", "montufar2014_lower",
                   "serra2018_lower", "arora2018_lower", "serra2018_thm7_lower")


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
    if isinstance(s, LeakyRelu):
        return "relu" if np.all(np.asarray(s.alpha) == 0) else "leaky_relu"
    return s.kind


def _layer_counts(s) -> tuple[int, int, tuple]:
    """(hyperplanes, pieces, group sizes) of a PWL stage."""
    if isinstance(s, (Relu, LeakyRelu)):
        return s.size, 2 ** s.size, ()
    if isinstance(s, Clip):
        lo = np.broadcast_to(np.asarray(s.lo, float), (s.size,))
        hi = np.broadcast_to(np.asarray(s.hi, float), (s.size,))
        sides = np.isfinite(lo).astype(int) + np.isfinite(hi).astype(int)
        return int(sides.sum()), prod(int(v) + 1 for v in sides), ()
    if isinstance(s, MaxGroups):
        k = [int(v) for v in s.group_sizes()]
        return sum(F.maxout_hyperplanes(v) for v in k), prod(k), tuple(sorted(set(k)))
    raise RegioncountError(f"stage kind {s.kind} is not a PWL stage")


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

    Raises
    ------
    RegioncountError
        When the network has no PWL stage (it is affine: one region).
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
    from ..intervals import interval_bounds, stable_units

    if neuron_bounds is None:
        neuron_bounds = interval_bounds(net, domain)
    by_stage = {su.stage: su for su in stable_units(net, neuron_bounds)}
    act = tuple(int(np.sum(by_stage[l.stage].active)) for l in arch.layers)
    ina = tuple(int(np.sum(by_stage[l.stage].inactive)) for l in arch.layers)
    return act, ina, getattr(neuron_bounds, "method", "given")


def bounds_for_network(net: Network, domain=None, neuron_bounds=None,
                       maxout_rank: int | None = None,
                       independent_sets_limit: int = INDEPENDENT_SETS_LIMIT) -> BoundsReport:
    """The bounds that hold for ``net`` (see the module docstring for which and why).

    Parameters
    ----------
    net : Network
    domain : Domain, optional
        With a domain, the stable-unit recursion is evaluated (ReLU chains).
    neuron_bounds : NeuronBounds-like, optional
        Bounds of the pre-activations on ``domain`` (anything :func:`stable_units` accepts:
        ``pre(k)`` per PWL stage); default interval propagation of ``domain``.
    maxout_rank : int, optional
        For a network without max units: also the maxout bounds for rank-K units of these
        widths.
    independent_sets_limit : int
        Budget for counting independent rows of the first layer (see
        :func:`~regioncount.bounds.linalg.count_independent_rows`).

    Returns
    -------
    BoundsReport
    """
    A = network_architecture(net)
    arch, kinds = A.arch, set(A.kinds)
    L = len(A.layers)
    ranks = A.ranks
    notes = list(A.notes)
    relu_chain = A.chain and kinds == {"relu"}
    values: dict = {}
    reasons: dict = {}
    kinds_out: dict = {}
    refs: dict = {}

    # Registry bounds for a plain ReLU architecture, then take back what does not hold.
    active = inactive = None
    dom_text = None
    if domain is not None:
        dom_text = _domain_text(domain)
        if relu_chain:
            active, inactive, method = _stable_counts(net, A, domain, neuron_bounds)
            notes.append(f"stable units on the domain from {method} bounds: active "
                         f"{list(active)}, inactive {list(inactive)}")
    has_max = "max" in kinds
    if has_max and maxout_rank is not None:
        notes.append(f"maxout rank {maxout_rank} not used: the model's max groups give the ranks")
    inp = BoundInput(arch, ranks=ranks if A.chain else None,
                     maxout_rank=None if has_max else maxout_rank,
                     active=active, inactive=inactive)
    values, reasons = evaluate(inp)

    pieces = prod(l.pieces for l in A.layers)
    if kinds <= {"relu", "leaky_relu"}:
        values["two_pow_n"] = F.two_pow_n(arch)
    else:
        values["two_pow_n"] = None
        reasons["two_pow_n"] = "units with more than two pieces (clip / max): see pieces_product"
    values["pieces_product"] = pieces
    kinds_out["pieces_product"] = "upper"
    refs["pieces_product"] = "every unit is on one of its pieces"

    hyper = [l.hyperplanes for l in A.layers]
    values["raghu2017_upper"] = prod(F.zaslavsky(h, arch[0]) for h in hyper)
    if not kinds <= {"relu", "leaky_relu"}:
        reasons["raghu2017_upper"] = "hyperplanes per layer: k(k-1)/2 per max group, 2 per clip"
    if not A.chain:
        reasons["raghu2017_upper"] = "holds for DAGs: PWL stages in topological order"

    why_dag = "not for residual / branching networks (skips bypass the layer widths)"
    why_lower = "constructions are plain ReLU chains, this network branches"
    if not A.chain:
        for name in list(values):
            if name in ("two_pow_n", "pieces_product", "raghu2017_upper", "zaslavsky_shallow"):
                continue
            values[name] = None
            kind = BOUNDS[name].kind if name in BOUNDS else "upper"
            reasons[name] = why_lower if kind == "lower" else why_dag
    else:
        if has_max:
            values["montufar2017_upper"] = None
            reasons["montufar2017_upper"] = "network has max units: see serra2018_maxout_upper"
            values["serra2018_maxout_upper"] = F.hyperplane_product(
                arch[0], arch[1:], hyper)
            kinds_out["serra2018_maxout_upper"] = "upper"
            refs["serra2018_maxout_upper"] = BOUNDS["serra2018_maxout_upper"].reference
            reasons["serra2018_maxout_upper"] = (
                "k(k-1)/2 hyperplanes per max group of size k (sizes "
                f"{sorted({g for l in A.layers for g in l.group_sizes})}), 1 per ReLU")
            if L == 1 and len(A.layers[0].group_sizes) == 1:
                k = A.layers[0].group_sizes[0]
                values["maxout_one_layer_sharp"] = F.maxout_one_layer_sharp(arch, k)
                kinds_out["maxout_one_layer_sharp"] = "exact"
        elif "clip" in kinds:
            values["montufar2017_upper"] = F.hyperplane_product(arch[0], arch[1:], hyper)
            reasons["montufar2017_upper"] = "a clip unit counts as two parallel hyperplanes"
        if not relu_chain:
            kind_txt = "leaky ReLU" if kinds <= {"relu", "leaky_relu"} else "/".join(sorted(kinds))
            for name in RELU_CHAIN_ONLY:
                if name in values:
                    values[name] = None
                    reasons[name] = (f"ReLU only (inactive unit = 0); this is a {kind_txt} "
                                     "network" if BOUNDS[name].kind != "lower" else
                                     f"constructions are ReLU networks; this is a {kind_txt} "
                                     "network")
        if not kinds <= {"relu", "leaky_relu"}:
            for name in ("zaslavsky_one_layer", "zaslavsky_one_layer_rank"):
                if name in values:
                    values[name] = None
                    reasons[name] = "one layer of two-piece units only"

        # The first layer alone: independent subsets of rows of its (unrolled) matrix.
        if A.layers[0].kind in ("relu", "leaky_relu"):
            M = A.first_matrix
            n_ind = count_independent_rows(M, limit=independent_sets_limit,
                                           rank=A.layers[0].rank)
            name = "layer1_independent_sets"
            refs[name] = "Zaslavsky 1975 (independent sets of the rows of W1)"
            kinds_out[name] = "upper (weights)" if L == 1 else "reference"
            values[name] = n_ind
            if n_ind is None:
                reasons[name] = (f"Z(n1, rank W1) > {independent_sets_limit:,} subsets: too "
                                 "many to enumerate")
            elif L > 1:
                reasons[name] = "the first layer alone, over generic biases"
            else:
                reasons[name] = "exact maximum over biases for these weights"

    if active is None and domain is not None and not relu_chain:
        notes.append("stable-unit recursion: ReLU chains only")
    return make_report(values, reasons, arch=arch, ranks=ranks, maxout_rank=maxout_rank,
                       source=net.name, domain=dom_text, notes=tuple(notes), kinds=kinds_out,
                       references=refs, layers=A.layers)


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
           "RELU_CHAIN_ONLY"]
