"""regioncount: exact analysis of piecewise-linear neural networks.

A model file (ONNX, or ``.nnet``) is read and *lowered* exactly to one canonical
:class:`Network`; every question is then asked of that network on a bounded input
:class:`Domain`: how many activation regions it has (docs/regions.md defines them), which
analytic bounds hold for it (docs/bounds.md), which units are stable, what range each output
takes. The command line ``regioncount`` asks the same questions (docs/index.md).

Front doors
-----------
:func:`load`
    Read and lower a model file: a :class:`Network`.
:class:`Network`
    ``evaluate``, ``pattern``, ``local_affine``, ``affine_maps``; ``Network.from_layers``
    builds a fully connected one from numpy weights.
:class:`Domain`
    A box ``lo <= x <= hi``, optionally cut by half-spaces ``A x <= b``
    (``Domain.box``, ``Domain.from_file``).
:func:`regioncount.app.count`
    The exact number of regions (region tree, MILP, exact slice, vertex method).
:func:`regioncount.app.bounds`
    Every analytic bound that holds for a network (``regioncount.bounds.bounds_for_arch``
    for an architecture alone).
:func:`regioncount.app.stable`, :func:`regioncount.milp.tighten`
    Stable units and tightened neuron bounds (interval, LP, MILP).
:func:`regioncount.milp.output_range`
    The exact minimum and maximum of every output over the domain (MILP).
:func:`regioncount.estimate.bracket`
    Past exact counting: sure and probabilistic lower bounds, an estimate, an upper bound.
:func:`regioncount.app.analyse`, :func:`regioncount.reports.build_report`
    Everything a report shows, and the report itself (HTML, Markdown, JSON).

Map of the package
------------------
``network``, ``stages``
    The canonical network and its stage kinds (affine, ReLU, leaky ReLU, clip, hard sigmoid,
    max groups), each with all of its semantics.
``domain``
    Input domains.
``io``, ``lowering``
    Model import (ONNX, ``.nnet``, VNN-LIB properties) and the exact lowering to a network.
``check``
    The lowered network against onnxruntime on random points.
``app``
    One front door per question, shared by the CLI, the report and scripts.
``enumeration``
    Exact counting of regions: the LP region tree, the MILP baseline, exact slices, the
    vertex method, checkpoints and parallel executors.
``bounds``
    Analytic bounds (exact integers): formulas, the registry, a network's architecture.
``intervals``
    Sound neuron bounds by interval propagation, and the one definition of stable units.
``milp``, ``backends``
    MILP formulations, bound tightening, output ranges; the HiGHS and OR-Tools solvers.
``estimate``
    MIPBound, sampling and slice estimates, brackets.
``analysis``, ``symmetry``, ``equivariance``, ``builders``, ``dcf_sweep``
    Saliency maps; orbit counting; equivariance checks; networks regioncount builds itself
    (lower-bound constructions, DCF, G-CNNs); regions of DCF networks against their number of
    bases.
``reports``
    Bound-comparison reports.
``errors``, ``tolerances``, ``memory``, ``results``
    Errors (all :class:`RegioncountError`), every numerical tolerance with its reason, the
    memory budget, JSON-ready results.

Examples
--------
>>> import numpy as np
>>> import regioncount
>>> from regioncount.app import bounds, count
>>> # |x| - 0.5 on [-1, 2]: one hidden layer of two ReLUs, two regions
>>> net = regioncount.Network.from_layers([(np.array([[1.0], [-1.0]]), np.zeros(2))],
...                                       final=(np.array([[1.0, 1.0]]), np.array([-0.5])))
>>> dom = regioncount.Domain.box(-1, 2, 1)
>>> x = np.array([1.5])
>>> net.evaluate(x).tolist(), [p.tolist() for p in net.pattern(x)]
([1.0], [[1, 0]])
>>> count(net, dom).regions, bounds(net, dom).bounds["two_pow_n"]
(2, 4)

A model file is read with :func:`load` (here one written by the example itself):

>>> import tempfile, onnx
>>> from pathlib import Path
>>> from regioncount.io.export import mlp_to_onnx
>>> path = Path(tempfile.mkdtemp()) / "abs.onnx"
>>> onnx.save(mlp_to_onnx([(np.array([[1.0], [-1.0]]), np.zeros(2))],
...                       final=(np.array([[1.0, 1.0]]), np.array([-0.5]))), str(path))
>>> regioncount.load(path).evaluate(x).tolist()
[1.0]
"""

from __future__ import annotations

import logging

from .domain import Domain
from .errors import DomainError, ModelError, RegioncountError, SolverError
from .network import Network

__version__ = "0.1.0"
__all__ = ["load", "Network", "Domain", "RegioncountError", "ModelError", "DomainError",
           "SolverError", "__version__"]

logging.getLogger(__name__).addHandler(logging.NullHandler())


def load(path, output: str | None = None) -> Network:
    """Read a model file (ONNX, or ``.nnet``) and lower it exactly to the canonical network.

    The file is parsed (:func:`regioncount.io.read_model`) and lowered
    (:func:`regioncount.lowering.lower`): every supported op becomes affine or PWL stages of
    a :class:`Network` that computes the same function (``regioncount check`` compares it
    with onnxruntime). A trailing Softmax, LogSoftmax or Sigmoid is stripped with a note, so
    the output is the logits.

    Parameters
    ----------
    path : str or Path
        The model file: ``.onnx``, or ``.nnet`` (read through ONNX).
    output : str, optional
        Name of the graph output (or any tensor) to analyse (default: the first output).

    Returns
    -------
    Network
        Named after the file; ``input_shape`` and ``output_shape`` without the batch
        dimension.

    Raises
    ------
    ModelError
        When the file cannot be read, or holds an op that is not piecewise linear in its input
        or that cannot be lowered exactly (the message names the file, the node and why).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import numpy as np, onnx
    >>> from regioncount.io.export import mlp_to_onnx
    >>> path = Path(tempfile.mkdtemp()) / "tiny.onnx"
    >>> onnx.save(mlp_to_onnx([(np.eye(2), np.zeros(2))], final=(np.ones((1, 2)), np.zeros(1))),
    ...           str(path))
    >>> net = load(path)
    >>> net.name, net.input_shape, net.output_shape, [s.kind for s in net.stages]
    ('tiny.onnx', (2,), (1,), ['input', 'affine', 'relu', 'affine'])
    >>> net.evaluate(np.array([2.0, -1.0])).tolist()
    [2.0]
    >>> load(Path(tempfile.mkdtemp()) / "missing.onnx")    # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    regioncount.errors.ModelError: ...missing.onnx: ...
    """
    from .io import read_model
    from .lowering import lower

    return lower(read_model(path), output=output)
