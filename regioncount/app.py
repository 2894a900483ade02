"""The application layer: one front door per question, shared by the CLI, the report and scripts.

The commands of ``regioncount`` (:mod:`regioncount.cli`) and the report builder
(:func:`regioncount.reports.build_report`) ask their questions here; these functions call the
engines (:mod:`regioncount.enumeration`, :mod:`regioncount.milp.tighten`,
:mod:`regioncount.bounds`, :func:`regioncount.intervals.stable_units`) and return frozen
dataclasses. Nothing here prints, draws or lays out a page: the CLI writes the text, and
:mod:`regioncount.reports` turns the results into HTML, Markdown and JSON.

Front doors
-----------
:func:`load_problem`
    A model file and its domain (a box spec ``"LO,HI"``, a box file or a VNN-LIB property;
    default ``[0, 1]^n``): ``(net, domain)``. :func:`domain_for` gives the domain alone.
:func:`count`
    The exact number of activation regions by ``method`` ``"tree"`` (LP region tree),
    ``"milp"`` (the no-good MILP baseline), ``"slice"`` (exact slice, 1 or 2 inputs),
    ``"vertex"`` (vertex and edge subdivision, few inputs) or ``"auto"``: a
    :class:`~regioncount.enumeration.CountResult`. The one dispatch of the count methods
    (:data:`COUNT_METHODS`); ``regioncount count`` and the report both use it.
:func:`stable`
    The stable units of every PWL stage and the method that proved each (interval, LP, MILP):
    a :class:`~regioncount.milp.tighten.StableReport` (``regioncount stable``).
:func:`bounds`
    Every analytic bound of the registry for a network, with the neuron bounds behind the
    weight-aware bound tightened as asked: a :class:`~regioncount.bounds.BoundsReport`
    (``regioncount bounds MODEL``).
:func:`analyse`
    Everything a report shows, as an :class:`Analysis`: the model summary with its stable
    units (:class:`ModelSection`), the bounds (:class:`BoundRow`), the count
    (:class:`CountSection`) and the exact regions of a 2-D slice (:class:`SliceSection`, on the
    plane of a :class:`SlicePlane`). Options: :class:`AnalysisOptions`.
:func:`sweep`
    Serra et al.'s experiment: every bound of ``n0-n1-(total-n1)`` and the counts of the
    trained models of those shapes in a folder: a :class:`Sweep`.

Building blocks, public for tests and scripts: :func:`model_section`, :func:`bound_rows`,
:func:`slice_plane`, :func:`slice_section`, :func:`slice_with_limit`.

Examples
--------
>>> import numpy as np
>>> from regioncount import Domain, Network
>>> final = (np.array([[1.0, 1.0, 1.0], [1.0, -1.0, 2.0]]), np.zeros(2))
>>> net = Network.from_layers([(np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]),
...                             np.array([0.0, 0.0, -1.0]))], final=final)
>>> dom = Domain.box(-1, 1, 2)      # x + y = 1 only cuts the quadrant x, y > 0
>>> {m: count(net, dom, m).regions for m in COUNT_METHODS}
{'tree': 5, 'milp': 5, 'slice': 5, 'vertex': 5, 'auto': 5}
>>> a = analyse(net, dom, time_limit=None)
>>> a.count.regions, a.slice.regions, a.bound("zaslavsky_one_layer")
(5, 5, 7)
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field, replace
from typing import Callable

import numpy as np

from .domain import Domain
from .errors import DomainError, RegioncountError
from .enumeration.lp import require_interior
from .intervals import interval_bounds, stable_units
from .network import Affine, Network
from .results import jsonable

log = logging.getLogger(__name__)


def _say(on_step, msg: str) -> None:
    log.info(msg)
    if on_step is not None:
        on_step(msg)


# -- model and domain ----------------------------------------------------------------------

def domain_for(n: int, box: str | None = None, box_file=None, vnnlib=None) -> Domain:
    """The input domain of a network with ``n`` inputs, from at most one source.

    Parameters
    ----------
    n : int
        Input coordinates of the network.
    box : str, optional
        ``"LO,HI"``: every coordinate in ``[LO, HI]`` (the default, ``"0,1"``).
    box_file : path, optional
        JSON file with lists ``lo`` and ``hi``.
    vnnlib : path, optional
        The input box of a VNN-LIB property.

    Returns
    -------
    Domain

    Examples
    --------
    >>> d = domain_for(3, box="-1,2")
    >>> d.lo.tolist(), d.hi.tolist()
    ([-1.0, -1.0, -1.0], [2.0, 2.0, 2.0])
    """
    sources = (("box", box), ("box_file", box_file), ("vnnlib", vnnlib))
    given = [k for k, v in sources if v is not None]     # '' is given (and an error below)
    if len(given) > 1:
        raise DomainError(f"give at most one of box, box_file, vnnlib (got {', '.join(given)})")
    if box_file is not None:
        return Domain.from_file(box_file, n)
    if vnnlib is not None:
        from .io.vnnlib import read_vnnlib_box

        return read_vnnlib_box(vnnlib, n)
    return Domain.from_spec("0,1" if box is None else box, n)


def load_problem(path, output: str | None = None, *, box: str | None = None, box_file=None,
                 vnnlib=None) -> tuple[Network, Domain]:
    """A model file, lowered, and its domain (:func:`domain_for`).

    Parameters
    ----------
    path : str or Path
        ONNX or ``.nnet`` file (:func:`regioncount.load`).
    output : str, optional
        Graph output to analyse (default: the first).
    box, box_file, vnnlib : optional
        The domain, as in :func:`domain_for` (default ``[0, 1]^n``).

    Returns
    -------
    (Network, Domain)

    Examples
    --------
    >>> net, dom = load_problem("models/moons_2d.onnx", box="0,1")    # doctest: +SKIP
    >>> count(net, dom).regions                                        # doctest: +SKIP
    30
    """
    from . import load

    net = load(path, output=output)
    return net, domain_for(net.input_size, box, box_file, vnnlib)


# -- count ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class CountOptions:
    """Options of :func:`count`; a method ignores those it does not use, except
    ``checkpoint``, ``resume`` and ``scheduler`` (tree and vertex) and ``memory_budget``
    (vertex): an error with another method.

    Attributes
    ----------
    time_limit : float or None
        Seconds; a stopped count is returned with ``complete=False`` (tree, milp).
    max_regions : int or None
        Stop after this many regions (tree, milp).
    workers : int
        Processes for independent subtrees (tree) or sub-boxes (vertex), ``0``: all cores.
    solver : str
        MILP backend, ``"highs"`` or ``"ortools"`` (milp).
    progress : callable or None
        Called with a :class:`regioncount.enumeration.Progress` (tree, milp).
    keep_patterns, keep_points : bool
        Keep every region's pattern / interior point (tree; milp keeps both or neither).
    checkpoint, resume
        State file and continue from it (tree: the pending subtrees; vertex: the sub-boxes
        left, :mod:`regioncount.enumeration.vertex_checkpoint`).
    scheduler
        A dask scheduler (``"local"`` or an address) for the subtrees (tree) or sub-boxes
        (vertex).
    memory_budget : int or None
        Vertex only: bytes for the cells in flight and the record (default 2 GiB); past it the
        domain is cut into sub-boxes, or the count stops with a partial result.
    spill_dir : path or None
        Vertex only: past the budget the record of finished sub-boxes goes to files in a
        temporary directory inside it and the count goes on
        (:mod:`regioncount.enumeration.vertex_record`); per-class counts then take the
        interior-point rule. Not with ``keep_patterns``, ``keep_points``, ``checkpoint`` or
        ``certify``.
    neuron_bounds : NeuronBounds or None
        Bounds for the MILP's big-M constants (milp; default: LP-tightened).
    per_class : {'exact', 'point'}
        ``"exact"`` (default): a region counts for every class that is the argmax on a part of
        it with non-empty interior, the same for every method
        (:mod:`regioncount.enumeration.classes`), for complete counts of at most
        :data:`PER_CLASS_EXACT_MAX` regions; ``"point"``: the argmax at each region's interior
        point. The JSON says which rule was used (``per_class_rule``).
    certify : bool
        Certify the count (:mod:`regioncount.enumeration.certify`): every region's interior
        point re-checked rigorously, every other piece proven empty by a Farkas certificate.
        Adds ``certified``, ``certified_lower``, ``certified_upper`` and ``certificate`` to the
        JSON (``extra``). The proof shares ``time_limit`` with the count (what the count left
        of it); stopped, it certifies the lower bound only.
    """

    time_limit: float | None = None
    max_regions: int | None = None
    workers: int = 1
    solver: str = "highs"
    progress: Callable | None = field(default=None, compare=False)
    keep_patterns: bool = False
    keep_points: bool = False
    checkpoint: object = None
    resume: bool = False
    scheduler: object = None
    neuron_bounds: object = field(default=None, compare=False)
    per_class: str = "exact"
    certify: bool = False
    memory_budget: int | None = None
    spill_dir: object = None


#: The exact per-class rule takes a small LP per region and candidate class (about a
#: millisecond each): above this many regions the per-class counts keep the interior-point rule
#: (labelled ``"per_class_rule": "interior point"``) rather than add minutes to a count.
PER_CLASS_EXACT_MAX = 5000


def _with_classes(net, domain, res, opts: CountOptions):
    """``res`` with the per-class counts of the exact rule when it applies (see
    :class:`CountOptions`), and the rule used in ``extra``."""
    from .enumeration.classes import exact_per_class

    exact = (opts.per_class == "exact" and res.complete and res.patterns is not None
             and res.regions <= PER_CLASS_EXACT_MAX)
    if not exact:
        return replace(res, extra={**res.extra, "per_class_rule": "interior point"})
    per_class, straddling = exact_per_class(net, domain, res.patterns)
    return replace(res, per_class=per_class,
                   patterns=res.patterns if opts.keep_patterns else None,
                   extra={**res.extra, "per_class_rule": "exact", "straddling": straddling})


def _count_tree(net, domain, o: CountOptions):
    from .enumeration import count_tree

    return count_tree(net, domain, time_limit=o.time_limit, max_regions=o.max_regions,
                      workers=o.workers, checkpoint=o.checkpoint, resume=o.resume,
                      progress=o.progress, keep_patterns=o.keep_patterns,
                      keep_points=o.keep_points, scheduler=o.scheduler)


def _count_milp(net, domain, o: CountOptions):
    from .enumeration.milp_count import count_milp

    return count_milp(net, domain, solver=o.solver, time_limit=o.time_limit,
                      max_regions=o.max_regions, progress=o.progress,
                      keep_patterns=o.keep_patterns or o.keep_points,
                      bounds=o.neuron_bounds if o.neuron_bounds is not None else "lp")


def _count_slice(net, domain, o: CountOptions):
    from .enumeration.slices import count_slice

    return count_slice(net, domain)


def _count_vertex(net, domain, o: CountOptions):
    from .enumeration.vertex import count_vertex

    return count_vertex(net, domain, time_limit=o.time_limit, max_regions=o.max_regions,
                        progress=o.progress, keep_patterns=o.keep_patterns,
                        keep_points=o.keep_points, workers=o.workers,
                        checkpoint=o.checkpoint, resume=o.resume,
                        memory_budget=o.memory_budget, scheduler=o.scheduler,
                        spill_dir=o.spill_dir)


#: ``method="auto"`` counts with the vertex method up to this many inputs and with the region
#: tree above (benchmarks/bench_auto.py, docs/benchmarks.md: on random and trained d-12-8-2
#: networks the vertex method took 21 to 48 times less CPU than the tree up to 5 inputs, 8 to
#: 11 times less at 6 and 2 to 3 times less at 7, where its margin is too thin to bet on).
AUTO_VERTEX_MAX_INPUTS = 6


def auto_method(net, o: CountOptions) -> str:
    """The method ``method="auto"`` runs for ``net`` with options ``o``."""
    return "vertex" if net.input_size <= AUTO_VERTEX_MAX_INPUTS else "tree"


def _count_auto(net, domain, o: CountOptions):
    return COUNT_METHODS[auto_method(net, o)](net, domain, o)


#: Count method -> runner ``(net, domain, CountOptions) -> CountResult``.
COUNT_METHODS: dict[str, Callable] = {"tree": _count_tree, "milp": _count_milp,
                                      "slice": _count_slice, "vertex": _count_vertex,
                                      "auto": _count_auto}

#: Options each method takes that the others refuse (beyond those every method ignores).
METHOD_ONLY = {"checkpoint": ("tree", "vertex"), "resume": ("tree", "vertex"),
               "scheduler": ("tree", "vertex"), "memory_budget": ("vertex",),
               "spill_dir": ("vertex",)}


def _check_method(method: str) -> None:
    if method not in COUNT_METHODS:
        raise RegioncountError(f"unknown count method {method!r} "
                               f"(choose from {', '.join(COUNT_METHODS)})")


def count(net: Network, domain: Domain, method: str = "tree", **options):
    """Count the activation regions of ``net`` on ``domain`` exactly.

    Parameters
    ----------
    net : Network
    domain : Domain
    method : {'tree', 'milp', 'slice', 'vertex', 'auto'}
        The LP region tree (docs/count.md), Serra et al.'s no-good MILP baseline, the exact
        slice of a 1- or 2-input domain, the vertex method for few inputs, or ``auto`` (the
        vertex method up to :data:`AUTO_VERTEX_MAX_INPUTS` inputs, else the tree).
    **options
        Fields of :class:`CountOptions` (``time_limit``, ``max_regions``, ``workers``,
        ``progress``, ...).

    Returns
    -------
    regioncount.enumeration.CountResult
        ``complete`` is False when a limit stopped the count (``regions`` is then a sure
        lower bound).

    Raises
    ------
    RegioncountError
        For an unknown method, an option the method does not take, or a network / domain the
        method cannot count (e.g. ``slice`` with more than two inputs).
    DomainError
        When the domain does not fit the network.
    SolverError
        When the LP / MILP solver is missing or fails.

    Examples
    --------
    >>> import numpy as np
    >>> from regioncount import Domain, Network
    >>> net = Network.from_layers([(np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]),
    ...                             np.array([0.0, 0.0, -0.5]))])
    >>> [count(net, Domain.box(-1, 1, 2), m).regions for m in ("tree", "milp", "slice")]
    [7, 7, 7]
    >>> count(net, Domain.box(-1, 1, 2), "exhaustive")
    Traceback (most recent call last):
    ...
    regioncount.errors.RegioncountError: unknown count method 'exhaustive' (choose from tree, milp, slice, vertex, auto)
    """
    _check_method(method)
    require_interior(domain)
    opts = CountOptions(**options)
    run_method = auto_method(net, opts) if method == "auto" else method
    for k, methods in METHOD_ONLY.items():
        if getattr(opts, k) and run_method not in methods:
            who = " and ".join(f"the {m}" for m in methods)
            raise RegioncountError(f"{k}: only {who} method{'s' if len(methods) > 1 else ''} "
                                   f"take{'' if len(methods) > 1 else 's'} it (this count "
                                   f"runs the {run_method} method)")
    if opts.per_class not in ("exact", "point"):
        raise RegioncountError(f"per_class must be 'exact' or 'point', not {opts.per_class!r}")
    if opts.spill_dir is not None and opts.certify:
        raise RegioncountError("--spill-dir: not with --certify, which needs the whole record "
                               "in memory")
    exact = opts.per_class == "exact" and opts.spill_dir is None
    run = replace(opts, keep_patterns=True) if exact else opts
    if opts.certify:
        run = replace(run, keep_patterns=True, keep_points=True)
    res = COUNT_METHODS[method](net, domain, run)
    if opts.certify:
        res = _certified(net, domain, res, opts)
    return _with_classes(net, domain, res, opts)


def _certified(net, domain, res, opts: CountOptions):
    """``res`` with its certificate in ``extra`` (and without the patterns and points it kept
    only for the certificate)."""
    from .enumeration.certify import certify

    left = None if opts.time_limit is None else max(opts.time_limit - res.seconds, 0.0)
    cert = certify(net, domain, res.patterns, res.points, complete=res.complete, time_limit=left)
    return replace(res, extra={**res.extra, **cert.to_json()},
                   patterns=res.patterns if (opts.keep_patterns or opts.per_class == "exact")
                   else None,
                   points=res.points if opts.keep_points else None)


# -- stable units and bounds ---------------------------------------------------------------

def _tighten(net, domain, method, **kw):
    from .milp.tighten import tighten

    return tighten(net, domain, method=method, **kw)


def stable(net: Network, domain: Domain, method: str = "lp", *, solver: str = "highs",
           time_limit: float | None = None, threads: int | None = None,
           unit_seconds: float | None = None, progress=None):
    """The units of every PWL stage that hold one piece on the whole domain.

    Neuron bounds by :func:`regioncount.milp.tighten.tighten` (interval propagation, then LP,
    then MILP tightening); stability as :func:`regioncount.intervals.stable_units` defines it.

    Parameters
    ----------
    net : Network
    domain : Domain
    method : {'interval', 'lp', 'milp'}
    solver : str
        Backend for LP / MILP tightening.
    time_limit : float, optional
        Overall seconds (sound when stopped early; marked partial).
    threads : int, optional
    unit_seconds : float, optional
        Seconds per MILP bound (``method="milp"``).
    progress : callable, optional
        Called with one line of text after each tightened stage.

    Returns
    -------
    regioncount.milp.tighten.StableReport

    Raises
    ------
    RegioncountError
        For an unknown method.
    DomainError
        When the domain does not fit the network, or is empty.
    SolverError
        When the solver is missing or cannot solve the LPs / MILPs.

    Examples
    --------
    >>> import numpy as np
    >>> from regioncount import Domain, Network
    >>> net = Network.from_layers([(np.array([[1.0], [-1.0]]), np.zeros(2)),
    ...                            (np.array([[1.0, 1.0]]), np.array([-1.5]))])
    >>> r = stable(net, Domain.box(-1, 1, 1))      # |x| - 1.5 < 0: the last unit is off
    >>> r.tightening.stable_count(), r.to_json()["proved_by"]
    (1, {'interval': 0, 'lp': 1, 'milp': 0})
    """
    from .milp.tighten import MILP_UNIT_SECONDS, StableReport

    t = _tighten(net, domain, method, solver=solver, time_limit=time_limit, threads=threads,
                 milp_unit_seconds=MILP_UNIT_SECONDS if unit_seconds is None else unit_seconds,
                 progress=progress)
    names = tuple(net.stages[s.stage].source.describe() for s in t.stages)
    return StableReport(net.name, domain.to_json(), solver, t, names)


def bounds(net: Network, domain: Domain | None = None, *, tighten: str = "interval",
           solver: str = "highs", time_limit: float | None = None, threads: int | None = None,
           maxout_rank: int | None = None, neuron_bounds=None):
    """Every analytic bound of the registry for ``net`` (on ``domain``: with its stable units).

    Parameters
    ----------
    net : Network
    domain : Domain, optional
        Without it, the stable-unit (weight-aware) bound does not apply.
    tighten : {'interval', 'lp', 'milp'}
        Neuron bounds behind the stable units (ignored when ``neuron_bounds`` is given).
    solver, time_limit, threads
        Of the tightening (:func:`regioncount.milp.tighten.tighten`).
    maxout_rank : int, optional
        Also the maxout bounds for units of this rank.
    neuron_bounds : NeuronBounds or Tightening, optional
        Bounds already computed: a :class:`~regioncount.milp.tighten.Tightening` or its
        ``.bounds``.

    Returns
    -------
    regioncount.bounds.BoundsReport

    Raises
    ------
    DomainError
        When tightening is asked for without a domain, or the domain does not fit.
    RegioncountError
        When the network has no PWL unit, or a bound's tables exceed the memory budget.
    SolverError
        When the solver of the tightening is missing or fails.

    Examples
    --------
    >>> import numpy as np
    >>> from regioncount import Domain, Network
    >>> net = Network.from_layers([(np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]),
    ...                             np.array([0.0, 0.0, -1.0]))])
    >>> bounds(net, Domain.box(-1, 1, 2), tighten="lp").bounds["zaslavsky_one_layer"]
    7
    """
    from .bounds.model import bounds_for_network

    if neuron_bounds is None and tighten != "interval":
        if domain is None:
            raise DomainError(f"{tighten} tightening needs a domain")
        neuron_bounds = _tighten(net, domain, tighten, solver=solver, time_limit=time_limit,
                                 threads=threads).bounds
    return bounds_for_network(net, domain=domain, maxout_rank=maxout_rank,
                              neuron_bounds=neuron_bounds)


# -- the analysis a report shows: results ---------------------------------------------------

@dataclass(frozen=True)
class AnalysisOptions:
    """What :func:`analyse` computes. Plain data, so a report records how it was made.

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
    certify : bool
        Certify the count (``count --certify``, docs/count.md): the report then says
        "certified" beside it, or gives the certified bracket.
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
    certify: bool = True


@dataclass(frozen=True)
class StageRow:
    """One stage of the lowered network, with its stable units on the domain (PWL stages)."""

    index: int
    kind: str
    units: int
    inputs: tuple
    shape: tuple
    source: str
    #: Affine stages: entries of the unrolled weight matrices plus biases (the ``params``
    #: column; :meth:`regioncount.network.Network.params` says how they are counted).
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
    """The model as the lowered network sees it, with its stable units on the domain."""

    name: str
    input_shape: tuple
    output_shape: tuple
    arch: tuple
    stages: tuple
    pwl_units: int
    #: Parameters of the lowered network: unrolled non-zeros, not the trainer's count
    #: (:meth:`regioncount.network.Network.params`).
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
    per_class_rule: str = "interior point"
    straddling: int | None = None      # regions meeting several classes (exact rule)
    #: The certificate (``count --certify``): None when not asked for.
    certified: bool | None = None
    certified_lower: int | None = None
    certified_upper: int | None = None
    #: When the count did not finish: the :class:`regioncount.estimate.Bracket` of the
    #: regions found, sampling, slices and the weight-aware upper bound (docs/estimate.md).
    bracket: object = field(default=None, compare=False)

    @classmethod
    def from_result(cls, res, time_limit: float | None = None) -> "CountSection":
        """From a :class:`regioncount.enumeration.CountResult` counted under ``time_limit``."""
        return cls(regions=int(res.regions), complete=bool(res.complete), method=res.method,
                   seconds=float(res.seconds), lps=int(res.lps),
                   per_class=tuple(sorted((int(k), int(v)) for k, v in res.per_class.items())),
                   per_layer=tuple(int(v) for v in res.per_layer),
                   stop_reason=res.stop_reason, time_limit=time_limit,
                   per_class_rule=res.extra.get("per_class_rule", "interior point"),
                   straddling=res.extra.get("straddling"),
                   certified=res.extra.get("certified"),
                   certified_lower=res.extra.get("certified_lower"),
                   certified_upper=res.extra.get("certified_upper"))

    def to_json(self) -> dict:
        return {"regions": int(self.regions), "complete": bool(self.complete),
                "method": self.method, "seconds": round(float(self.seconds), 4),
                "lps": int(self.lps), "per_class": {str(k): int(v) for k, v in self.per_class},
                "per_layer": [int(v) for v in self.per_layer], "stop_reason": self.stop_reason,
                "time_limit": self.time_limit, "per_class_rule": self.per_class_rule,
                "straddling": self.straddling, "certified": self.certified,
                "certified_lower": self.certified_lower, "certified_upper": self.certified_upper,
                **({} if self.bracket is None else {"bracket": self.bracket.to_json()})}


@dataclass(frozen=True, eq=False)
class SlicePlane:
    """The plane ``origin + s u + t v`` of a slice, over ``s_range x t_range``.

    Attributes
    ----------
    origin, u, v : ndarray
        A point and two independent directions of the input space.
    s_range, t_range : tuple of float
        The rectangle of slice coordinates that covers the domain.
    s_label, t_label : str
        Axis labels.
    description : str
        The plane in words.
    whole_domain : bool
        The plane is the whole (2-input) domain: its polygons are the regions.
    """

    origin: np.ndarray
    u: np.ndarray
    v: np.ndarray
    s_range: tuple
    t_range: tuple
    s_label: str
    t_label: str
    description: str
    whole_domain: bool


@dataclass(frozen=True, eq=False)
class SlicePolygon:
    """The trace of one region on the slice: vertices in slice coordinates, output argmax."""

    vertices: tuple           # ((s, t), ...) counter-clockwise
    label: int
    area: float


def _count_labels(labels) -> dict:
    out: dict = {}
    for lab in labels:
        out[str(int(lab))] = out.get(str(int(lab)), 0) + 1
    return dict(sorted(out.items(), key=lambda kv: int(kv[0])))


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


@dataclass(frozen=True, eq=False)
class Analysis:
    """What :func:`analyse` found for one model on one domain (the data of a report).

    Attributes
    ----------
    model : ModelSection
        Architecture, parameters and the stable units of every stage.
    bounds : tuple of BoundRow
        Every bound the registry evaluates for this network (``None`` values included, with
        why).
    count : CountSection or None
        ``None`` when not requested.
    slice : SliceSection or None
        ``None`` when not requested or not available (``unavailable`` says why).
    options : AnalysisOptions
    domain : Domain
    tightening : regioncount.milp.tighten.Tightening
        The neuron bounds behind the stable units and the weight-aware bound.
    unavailable : tuple of str
        Sections left out, each with why (never faked).
    notes : tuple of str
        Caveats (partial tightening, the bounds' notes, a disagreement of two methods).
    explain : regioncount.analysis.ExplainResult or None
        Saliency, DeconvNet and guided-backprop maps at a random point of the domain (seed
        ``options.seed``) when the model input is an image
        (:func:`regioncount.analysis.image_layout`), else ``None``.
    """

    model: ModelSection
    bounds: tuple
    count: CountSection | None
    slice: SliceSection | None
    options: AnalysisOptions
    domain: Domain
    tightening: object = None
    unavailable: tuple = ()
    notes: tuple = ()
    explain: object = None

    def bound(self, name: str) -> int | None:
        """The value of bound ``name`` (``None``: it does not apply); a deprecated name of
        :data:`regioncount.bounds.registry.DEPRECATED_NAMES` warns and gives the renamed bound.
        """
        from .bounds.registry import current_name

        name = current_name(name)
        for b in self.bounds:
            if b.name == name:
                return b.value
        raise KeyError(name)


# -- the analysis: model section and bounds ------------------------------------------------

def model_section(net: Network, domain: Domain, neuron_bounds=None,
                  tightening=None) -> ModelSection:
    """Architecture, parameters and stable units of ``net`` on ``domain``.

    Stability is :func:`regioncount.intervals.stable_units` of ``tightening.bounds``, else of
    ``neuron_bounds``, else of the interval bounds of the domain.

    Examples
    --------
    >>> import numpy as np
    >>> from regioncount import Domain, Network
    >>> net = Network.from_layers([(np.array([[1.0], [1.0], [-1.0]]), np.array([2.0, 0.0, -3.0]))])
    >>> m = model_section(net, Domain.box(-1, 1, 1))
    >>> m.arch, m.stable_active, m.stable_inactive
    ((1, 3), 1, 1)
    """
    from .bounds.model import network_architecture

    if tightening is not None:
        neuron_bounds = tightening.bounds
    nb = neuron_bounds if neuron_bounds is not None else interval_bounds(net, domain)
    stable_ = {su.stage: su for su in stable_units(net, nb)}
    proved = {}
    if tightening is not None:
        proved = {s.stage: tuple((m, v) for m, v in s.counts().items() if v)
                  for s in tightening.stages}
    elif neuron_bounds is None:
        proved = {k: (("interval", int(su.active.sum() + su.inactive.sum())),)
                  for k, su in stable_.items()}
    rows = []
    for k, s in enumerate(net.stages):
        if k == 0:
            continue
        su = stable_.get(k)
        rows.append(StageRow(
            index=k, kind=s.kind, units=int(s.size), inputs=tuple(int(i) for i in s.inputs),
            shape=tuple(int(d) for d in s.source.shape), source=s.source.describe(),
            params=s.params() if isinstance(s, Affine) else None,
            active=None if su is None else int(su.active.sum()),
            inactive=None if su is None else int(su.inactive.sum()),
            proved_by=proved.get(k, ())))
    arch = network_architecture(net)
    return ModelSection(name=net.name, input_shape=tuple(net.input_shape),
                        output_shape=tuple(net.output_shape), arch=tuple(arch.arch),
                        stages=tuple(rows), pwl_units=int(net.pwl_units),
                        params=int(net.params()), chain=net.is_chain(),
                        stable_method=getattr(nb, "method", "interval"),
                        notes=tuple(net.notes),
                        stable_seconds=0.0 if tightening is None else float(tightening.seconds),
                        stable_partial=bool(tightening is not None and tightening.partial))


def bound_rows(report) -> tuple:
    """:class:`BoundRow` per entry of a :class:`regioncount.bounds.BoundsReport`."""
    return tuple(BoundRow(name=n, value=v, kind=report.kinds.get(n, ""),
                          reference=report.references.get(n, ""),
                          note=report.reasons.get(n, ""))
                 for n, v in report.bounds.items())


# -- the analysis: the slice ---------------------------------------------------------------

def _axis_name(net: Network, i: int) -> str:
    shape = tuple(net.input_shape)
    if len(shape) > 1:
        return f"x{list(np.unravel_index(i, shape))}".replace(" ", "")
    return f"x[{i}]"


def _slice_origin(domain: Domain, options: AnalysisOptions, n: int) -> np.ndarray:
    if options.slice_origin is None:
        return (domain.lo + domain.hi) / 2
    origin = np.asarray(options.slice_origin, float).ravel()
    if origin.size != n:
        raise DomainError(f"--slice-origin has {origin.size} values, the model has {n} inputs")
    if np.any(origin < domain.lo) or np.any(origin > domain.hi):
        raise DomainError("--slice-origin lies outside the domain's box")
    return origin


def _axes_plane(net, domain, options, origin, axes) -> SlicePlane:
    n = net.input_size
    i, j = (int(a) for a in axes)
    if not (0 <= i < n and 0 <= j < n) or i == j:
        raise DomainError(f"--slice-axes {i},{j}: need two different input coordinates "
                          f"in 0..{n - 1}")
    u, v = np.zeros(n), np.zeros(n)
    u[i], v[j] = 1.0, 1.0
    o = origin.copy()
    o[i], o[j] = 0.0, 0.0                    # slice coordinates are the inputs i and j
    fixed = "" if n == 2 else (" through the domain's centre" if options.slice_origin is None
                               else " through the given point")
    return SlicePlane(origin=o, u=u, v=v, s_range=(float(domain.lo[i]), float(domain.hi[i])),
                      t_range=(float(domain.lo[j]), float(domain.hi[j])),
                      s_label=_axis_name(net, i), t_label=_axis_name(net, j),
                      description=(f"inputs {_axis_name(net, i)} and {_axis_name(net, j)}{fixed}"
                                   + ("" if n == 2 else ", other inputs fixed")),
                      whole_domain=(n == 2))


def _dirs_plane(n: int, dirs, origin, R: float, where: str) -> SlicePlane:
    try:
        u, v = (np.asarray(d, float).ravel() for d in dirs)
    except (TypeError, ValueError):
        raise DomainError("slice directions: expected two lists of numbers u, v") from None
    if u.size != n or v.size != n:
        raise DomainError(f"slice directions have {u.size} and {v.size} values, the model "
                          f"has {n} inputs")
    if np.linalg.matrix_rank(np.column_stack([u, v])) < 2:
        raise DomainError("slice directions u and v must be linearly independent")
    nu, nv = float(np.linalg.norm(u)), float(np.linalg.norm(v))
    return SlicePlane(origin=origin, u=u, v=v, s_range=(-R / nu, R / nu),
                      t_range=(-R / nv, R / nv), s_label="s (along the given u)",
                      t_label="t (along the given v)",
                      description=f"the plane through {where} spanned by the given directions "
                                  "u, v, within the domain",
                      whole_domain=False)


def slice_plane(net: Network, domain: Domain, options: AnalysisOptions) -> SlicePlane:
    """The plane of the picture: origin, directions, rectangle of slice coordinates, labels.

    - a 2-input model (no axes given): the whole domain, slice coordinates = the inputs;
    - ``slice_axes=(i, j)``: coordinates ``i`` and ``j`` through the origin (the others fixed);
    - ``slice_dirs=(u, v)``: these two directions through the origin;
    - otherwise two random orthonormal directions (``seed``) through the origin, over a square
      that covers the domain (the picture is the plane's intersection with the domain).

    Examples
    --------
    >>> import numpy as np
    >>> from regioncount import Domain, Network
    >>> net = Network.from_layers([(np.ones((2, 3)), np.zeros(2))])
    >>> p = slice_plane(net, Domain.box(0, 1, 3), AnalysisOptions(slice_axes=(0, 2)))
    >>> p.origin.tolist(), p.u.tolist(), p.v.tolist(), p.s_label, p.whole_domain
    ([0.0, 0.5, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0], 'x[0]', False)
    """
    n = net.input_size
    origin = _slice_origin(domain, options, n)
    axes = options.slice_axes
    if options.slice_dirs is not None and axes is not None:
        raise DomainError("give slice directions or slice axes, not both")
    if axes is None and n == 2 and options.slice_dirs is None:
        axes = (0, 1)
    if axes is not None:
        return _axes_plane(net, domain, options, origin, axes)
    centre = (domain.lo + domain.hi) / 2
    R = float(np.linalg.norm(domain.hi - domain.lo)) / 2 + float(np.linalg.norm(origin - centre))
    where = "the domain's centre" if options.slice_origin is None else "the given point"
    if options.slice_dirs is not None:
        return _dirs_plane(n, options.slice_dirs, origin, R, where)
    rng = np.random.default_rng(options.seed)
    Q, _ = np.linalg.qr(rng.normal(size=(n, 2)))
    return SlicePlane(origin=origin, u=Q[:, 0], v=Q[:, 1], s_range=(-R, R), t_range=(-R, R),
                      s_label="s (random unit direction u)", t_label="t (random unit direction v)",
                      description=(f"the plane through {where} spanned by two random orthonormal "
                                   f"directions u, v (seed {options.seed}), within the domain"),
                      whole_domain=False)


def slice_section(net: Network, domain: Domain, options: AnalysisOptions) -> SliceSection:
    """The exact regions met by the plane of :func:`slice_plane`, and the decision boundary
    in them."""
    from .enumeration.slices import slice_regions_2d
    from .reports.geometry import decision_boundary

    t0 = time.monotonic()
    p = slice_plane(net, domain, options)
    polys = slice_regions_2d(net, p.origin, p.u, p.v, (p.s_range, p.t_range), domain)
    segs = decision_boundary(net, polys, p.origin, p.u, p.v)
    return SliceSection(
        origin=tuple(float(x) for x in p.origin), u=tuple(float(x) for x in p.u),
        v=tuple(float(x) for x in p.v), s_range=tuple(p.s_range), t_range=tuple(p.t_range),
        s_label=p.s_label, t_label=p.t_label, description=p.description,
        whole_domain=p.whole_domain,
        polygons=tuple(SlicePolygon(tuple(tuple(float(c) for c in q) for q in P.vertices),
                                    int(P.label), float(P.area)) for P in polys),
        boundary=tuple((tuple(float(c) for c in s[0]), tuple(float(c) for c in s[1]))
                       for s in segs),
        seconds=time.monotonic() - t0)


def _slice_child(conn, net, domain, options) -> None:
    try:
        conn.send(("ok", slice_section(net, domain, options)))
    except KeyboardInterrupt:
        conn.send(("error", "interrupted"))
    except Exception as e:  # reported in the page as "not available", with the reason
        conn.send(("error", f"{type(e).__name__}: {e}"))
    finally:
        conn.close()


def slice_with_limit(net: Network, domain: Domain, options: AnalysisOptions,
                     time_limit: float | None) -> tuple[SliceSection | None, str]:
    """:func:`slice_section` under a time limit: ``(section, "")``, or ``(None, why)`` when it
    did not finish in time, was interrupted, or failed.

    The slice has no stopping point of its own, so with a limit it runs in a child process
    (``spawn``) that is terminated at the limit; without one it runs here.
    """
    slice_plane(net, domain, options)            # option errors surface here, not in the child
    if time_limit is None:
        return slice_section(net, domain, options), ""
    import multiprocessing as mp

    ctx = mp.get_context("spawn")
    recv, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_slice_child, args=(send, net, domain, options), daemon=True)
    proc.start()
    send.close()
    try:
        if recv.poll(time_limit):
            try:
                status, value = recv.recv()
            except EOFError:
                status, value = "error", f"the slice process ended with code {proc.exitcode}"
        else:
            status, value = "error", f"it did not finish within the time limit of {time_limit:g} s"
    except KeyboardInterrupt:
        status, value = "error", "interrupted"
    finally:
        if proc.is_alive():
            proc.terminate()
        proc.join(5)
        recv.close()
    if status == "ok":
        return value, ""
    log.warning("region picture left out: %s", value)
    return None, value


# -- the analysis --------------------------------------------------------------------------

def _limit_text(time_limit: float | None) -> str:
    return "no time limit" if time_limit is None else f"time limit {time_limit:g} s"


def _slice_step(net, domain, opts: AnalysisOptions, on_step) -> tuple:
    """``(SliceSection or None, why it is not available or "")``."""
    if not opts.slice:
        return None, "Region picture: not available (not requested: --no-slice)."
    if net.input_size < 2:
        return None, ("Region picture: not available (the model has one input; a 2-D slice "
                      "needs two).")
    _say(on_step, f"regions of the 2-D slice ({_limit_text(opts.time_limit)})")
    sl, why = slice_with_limit(net, domain, opts, opts.time_limit)
    return sl, ("" if sl is not None else f"Region picture: not available ({why}).")


def analyse(net: Network, domain: Domain, options: AnalysisOptions | None = None, *,
            on_step: Callable[[str], None] | None = None, on_count: Callable | None = None,
            **changes) -> Analysis:
    """Everything a report shows for ``net`` on ``domain``, in four steps: the stable units
    (tightened neuron bounds), every analytic bound, the count (a stopped count is kept as a
    sure lower bound), and the exact regions of a 2-D slice (in a child process stopped at the
    time limit). A model whose input is an image also gets the three backward maps of a
    sample input (:func:`regioncount.analysis.sample_explanation`, milliseconds).

    Parameters
    ----------
    net : Network
    domain : Domain
    options : AnalysisOptions, optional
    on_step : callable, optional
        Called with a short message as each step starts.
    on_count : callable, optional
        Progress callback of the count (:class:`regioncount.enumeration.Progress`).
    **changes
        Fields of :class:`AnalysisOptions` that replace those of ``options``.

    Returns
    -------
    Analysis

    Raises
    ------
    DomainError
        When the domain does not fit the network.
    RegioncountError
        For an unknown count method or option (a step that cannot run is listed in
        ``unavailable`` instead).

    Examples
    --------
    >>> import numpy as np
    >>> from regioncount import Domain, Network
    >>> net = Network.from_layers([(np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]),
    ...                             np.array([0.0, 0.0, -0.5]))])
    >>> a = analyse(net, Domain.box(-1, 1, 2), method="slice", time_limit=None)
    >>> a.count.regions, a.count.method, a.slice.regions, a.bound("zaslavsky_one_layer")
    (7, 'slice', 7, 7)
    """
    opts = replace(options or AnalysisOptions(), **changes)
    if domain.dim != net.input_size:
        raise DomainError(f"domain has {domain.dim} coordinates, the network takes "
                          f"{net.input_size}")
    _check_method(opts.method)
    unavailable: list[str] = []
    notes: list[str] = []
    lim = _limit_text(opts.time_limit)
    _say(on_step, f"stable units ({opts.tighten} bounds, {lim})")
    # one solver thread: HiGHS keeps one process-wide thread pool, and the region tree's LPs
    # (threads=1) refuse to run on a pool set up for more threads
    tt = _tighten(net, domain, opts.tighten, time_limit=opts.time_limit, threads=1,
                  progress=None if on_step is None else (lambda m: on_step("  " + m)))
    model = model_section(net, domain, tightening=tt)
    if tt.partial:
        notes.append(f"{opts.tighten} tightening stopped at the time limit; later stages kept "
                     "their interval bounds (sound, less tight)")
    _say(on_step, "analytic bounds")
    brep = bounds(net, domain, neuron_bounds=tt.bounds)
    notes.extend(brep.notes)
    counted = _count_step(net, domain, opts, tt, on_step, on_count) if opts.count else None
    if not opts.count:
        unavailable.append("Exact count: not available (not requested: --no-count).")
    sl, why = _slice_step(net, domain, opts, on_step)
    if why:
        unavailable.append(why)
    if counted is not None and sl is not None and sl.whole_domain and counted.complete \
            and counted.regions != sl.regions:
        notes.append(f"the slice of the whole domain shows {sl.regions} regions, the count found "
                     f"{counted.regions}: the two methods disagree")
    from .analysis import sample_explanation

    return Analysis(model=model, bounds=bound_rows(brep), count=counted, slice=sl, options=opts,
                    domain=domain, tightening=tt, unavailable=tuple(unavailable),
                    notes=tuple(notes), explain=sample_explanation(net, domain, opts.seed))


def _count_step(net, domain, opts, tt, on_step, on_count) -> "CountSection":
    """The report's count, with the bracket of the regions when it does not finish."""
    lim = _limit_text(opts.time_limit)
    _say(on_step, f"counting regions ({opts.method}, {lim})")
    res = count(net, domain, opts.method, time_limit=opts.time_limit, workers=opts.workers,
                progress=on_count, neuron_bounds=tt.bounds, certify=opts.certify)
    counted = CountSection.from_result(res, opts.time_limit)
    if counted.complete:
        return counted
    from .estimate import bracket

    _say(on_step, f"bracket of the unfinished count (sampling, slices, {lim})")
    return replace(counted, bracket=bracket(
        net, domain, method="slices", time_limit=opts.time_limit, seed=opts.seed,
        tighten="interval", partial=counted, neuron_bounds=tt.bounds))


# -- the sweep -----------------------------------------------------------------------------

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
    #: The model's weight-aware bound on the domain (serra2018_stable_upper), if it applies.
    stable_upper: int | None = None


@dataclass(frozen=True, eq=False)
class Sweep:
    """What :func:`sweep` found: the bounds of every ``n0-n1-(total-n1)`` and the counts.

    Attributes
    ----------
    n0, total : int
    rows : tuple of SweepRow
        One per ``n1 = 1 .. total - 1``.
    kinds, references : dict
        Bound name -> kind / reference.
    models : tuple of SweepModel
        The models counted.
    skipped : tuple
        ``((path, why), ...)``: model files not counted.
    domain : Domain or None
        The domain of the counts (``None`` when no model was counted).
    time_limit : float or None
        Seconds per model count.
    """

    n0: int
    total: int
    rows: tuple
    kinds: dict
    references: dict
    models: tuple = ()
    skipped: tuple = ()
    domain: Domain | None = None
    time_limit: float | None = None


def parse_sweep(text: str) -> tuple[int, int]:
    """``"784:22"`` -> ``(784, 22)``: input dimension and total hidden units of two layers.

    >>> parse_sweep("784:22")
    (784, 22)
    """
    try:
        a, b = (int(p) for p in text.split(":"))
    except ValueError:
        raise RegioncountError(f"--sweep {text!r}: expected N0:TOTAL such as 784:22") from None
    if a < 1 or b < 2:
        raise RegioncountError(f"--sweep {text!r}: need N0 >= 1 and TOTAL >= 2 (two hidden "
                               "layers of at least one unit)")
    return a, b


def _model_files(models_dir) -> list:
    from pathlib import Path

    d = Path(models_dir)
    if not d.is_dir():
        raise RegioncountError(f"--models {models_dir}: not a directory")
    return sorted(p for p in d.iterdir() if p.suffix.lower() in (".onnx", ".nnet"))


def _sweep_model(path, n0: int, total: int, domain_for_n, time_limit, workers, on_step,
                 on_count):
    """``(SweepModel, "")`` for the model file ``path``, or ``(None, why)`` when skipped."""
    import regioncount
    from .bounds.model import network_architecture

    try:
        net = regioncount.load(path)
        arch = tuple(network_architecture(net).arch)
    except RegioncountError as e:
        return None, f"cannot load: {e}"
    kinds_ok = {s.kind for s in net.pwl_stages} == {"relu"} and net.is_chain()
    if len(arch) != 3 or arch[0] != n0 or arch[1] + arch[2] != total or not kinds_ok:
        return None, (f"architecture {'-'.join(map(str, arch))} is not a ReLU chain "
                      f"{n0}-n1-({total}-n1)")
    dom = domain_for_n(net.input_size)
    _say(on_step, f"counting {path.name} ({'-'.join(map(str, arch))})")
    res = count(net, dom, "tree", time_limit=time_limit, workers=workers, progress=on_count,
                per_class="point")        # the sweep shows no per-class counts
    up = bounds(net, dom, tighten="lp", time_limit=time_limit, threads=1).bounds.get(
        "serra2018_stable_upper")
    return SweepModel(path=str(path), arch=arch, n1=arch[1], regions=int(res.regions),
                      complete=bool(res.complete), method=res.method, seconds=float(res.seconds),
                      stop_reason=res.stop_reason, stable_upper=up), ""


def sweep(n0: int, total: int, models_dir=None, *, domain_for: Callable | None = None,
          time_limit: float | None = 60.0, workers: int = 1,
          on_step: Callable[[str], None] | None = None, on_count: Callable | None = None) -> Sweep:
    """Serra et al.'s experiment: every bound for ``n0-n1-(total-n1)``, ``n1 = 1..total-1``,
    and, with ``models_dir``, the exact counts of the models there of those shapes.

    Parameters
    ----------
    n0, total : int
    models_dir : path, optional
        Models whose PWL layers are ``(n1, total - n1)`` on ``n0`` inputs are counted with the
        region tree (others are listed as skipped, with why).
    domain_for : callable, optional
        ``domain_for(n) -> Domain`` for a model of ``n`` inputs (default the box [0, 1]^n).
    time_limit : float, optional
        Seconds per model count; a stopped count is kept as a sure lower bound.
    workers : int
    on_step, on_count : callable, optional
        As in :func:`analyse`.

    Returns
    -------
    Sweep

    Examples
    --------
    >>> s = sweep(784, 22)
    >>> [r.bounds["serra2018_upper"] for r in s.rows[:3]]
    [23, 254, 1794]
    """
    from .bounds import bounds_for_arch

    rows, kinds, refs = [], {}, {}
    _say(on_step, f"bounds of {n0}-n1-({total}-n1), n1 = 1..{total - 1}")
    for n1 in range(1, total):
        r = bounds_for_arch((n0, n1, total - n1))
        rows.append(SweepRow(n1=n1, arch=(n0, n1, total - n1), bounds=dict(r.bounds)))
        kinds.update(r.kinds)
        refs.update(r.references)
    dom_of = domain_for or (lambda n: Domain.box(0, 1, n))
    models, skipped = [], []
    for path in ([] if models_dir is None else _model_files(models_dir)):
        model, why = _sweep_model(path, n0, total, dom_of, time_limit, workers, on_step,
                                  on_count)
        if model is not None:
            models.append(model)
        else:
            skipped.append((str(path), why))
    if models_dir is not None and not models:
        skipped_txt = f" ({len(skipped)} files skipped)" if skipped else ""
        log.warning("no model in %s has the sweep's shapes%s", models_dir, skipped_txt)
    return Sweep(n0=n0, total=total, rows=tuple(rows), kinds=kinds, references=refs,
                 models=tuple(models), skipped=tuple(skipped),
                 domain=dom_of(n0) if models else None, time_limit=time_limit)


__all__ = ["COUNT_METHODS", "CountOptions", "count", "stable", "bounds", "domain_for",
           "load_problem", "AnalysisOptions", "Analysis", "StageRow", "ModelSection", "BoundRow",
           "CountSection", "SlicePlane", "SlicePolygon", "SliceSection", "analyse",
           "model_section", "bound_rows", "slice_plane", "slice_section", "slice_with_limit",
           "SweepRow", "SweepModel", "Sweep", "sweep", "parse_sweep"]
