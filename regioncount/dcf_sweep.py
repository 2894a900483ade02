"""The DCF sweep: linear regions of DCF networks against K, next to the plain CNN (issue 12).

DCFNet (Qiu, Cheng, Calderbank and Sapiro, ICML 2018) truncates every filter to its first K
Fourier-Bessel bases. :func:`dcf_sweep` counts the activation regions of a list of models on
one domain, the DCF networks of several K and a plain CNN of the same shape, and says for each
its K, its parameters and its count: exact where the count finishes within the time limit,
otherwise a bracket (the regions found as a sure lower bound, an estimate and the weight-aware
upper bound, :func:`regioncount.estimate.bracket`). :mod:`regioncount.reports.dcf_sweep` turns
the result into a report, ``regioncount dcf-sweep`` runs both (docs/dcf.md).

The domain is usually a small box around a test digit (:func:`digit_domain`): the whole
``[0, 1]^64`` is far out of reach of exact counting for these networks.

Examples
--------
>>> import os, tempfile
>>> import onnx
>>> from regioncount.builders.dcf import build_dcf_net
>>> d = tempfile.mkdtemp()
>>> paths = []
>>> for K in (1, 3):
...     p = os.path.join(d, f"k{K}.onnx")
...     onnx.save(build_dcf_net(3, K, (2,), (1, 4, 4), classes=2, seed=0).to_onnx(), p)
...     paths.append(p)
>>> sw = dcf_sweep(paths, Domain.box(0.4, 0.6, 16), time_limit=None)
>>> [(r.K, r.K_source, r.complete) for r in sw.rows]
[(1, 'layer record', True), (3, 'layer record', True)]
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

import numpy as np

from .domain import Domain
from .errors import DomainError, RegioncountError

log = logging.getLogger(__name__)

#: ``metadata_props`` keys that may record K in a model file (checked in this order); without
#: one, K comes from the DCF layers themselves (:func:`regioncount.builders.dcf.dcf_norms`:
#: the exporter's record in the Conv nodes, or the two-stage structure).
K_KEYS = ("bases", "K")

#: Held-out split of scikit-learn's digits, as in models/build_models.py (the models of
#: models/dcf/ were trained on the other 75 %).
DIGITS_TEST_SIZE, DIGITS_SPLIT_SEED = 0.25, 0


@dataclass(frozen=True)
class ModelBases:
    """What a model file says about its convolutions.

    Attributes
    ----------
    K : int or None
        Bases per filter of its DCF layers; None for plain convolutions.
    source : str
        ``"metadata"`` (a ``metadata_props`` key), ``"layer record"`` (the DCF layers found in
        the graph) or ``"plain"``.
    kernel : int or None
    basis : str
        ``"fourier-bessel"``, ``"random"``, ``"pixel"`` (plain) or ``"unknown"``.
    full : bool
        K is every Fourier-Bessel basis of the kernel (14 for 5x5 filters).
    params : int
        Learned parameters (a ``params`` metadata entry when recorded, else the DCF layers'
        coefficients and biases plus every other weight of the graph).
    """

    K: int | None
    source: str
    kernel: int | None
    basis: str
    full: bool
    params: int


@dataclass(frozen=True)
class DCFSweepRow:
    """One model of a DCF sweep and its count (exact, or a bracket when it did not finish).

    ``regions`` are the regions found: the exact count when ``complete``, else a sure lower
    bound; then ``lower_bound`` / ``estimate`` / ``upper_bound`` (with ``how``) are the bracket.
    """

    path: str
    name: str
    bases: ModelBases
    regions: int
    complete: bool
    method: str
    seconds: float
    time_limit: float | None
    stop_reason: str = ""
    lower_bound: int | None = None
    confidence: float | None = None
    estimate: float | int | None = None
    upper_bound: int | None = None
    how: tuple = field(default=(), hash=False)

    @property
    def K(self) -> int | None:
        return self.bases.K

    @property
    def K_source(self) -> str:
        return self.bases.source

    @property
    def label(self) -> str:
        """``K=3``, ``K=14 (full)`` or ``plain CNN``."""
        if self.K is None:
            return "plain CNN"
        return f"K={self.K}" + (" (full)" if self.bases.full else "")

    def to_json(self) -> dict:
        from .results import jsonable

        est = self.estimate
        if isinstance(est, float) and not np.isfinite(est):
            est = None
        return {"path": self.path, "name": self.name, "K": self.K, "K_source": self.K_source,
                "full": self.bases.full, "kernel": self.bases.kernel, "basis": self.bases.basis,
                "params": self.bases.params,
                "regions": self.regions if self.complete else None,
                "regions_found": self.regions, "complete": self.complete,
                "method": self.method, "seconds": round(self.seconds, 3),
                "time_limit": self.time_limit, "stop_reason": self.stop_reason,
                "lower_bound": self.lower_bound, "confidence": self.confidence,
                "estimate": jsonable(est), "upper_bound": self.upper_bound,
                "how": list(self.how)}


@dataclass(frozen=True, eq=False)
class DCFSweep:
    """The rows of :func:`dcf_sweep`: DCF models by increasing K, then the plain ones."""

    rows: tuple
    domain: Domain
    time_limit: float | None
    method: str

    @property
    def dcf(self) -> tuple:
        return tuple(r for r in self.rows if r.K is not None)

    @property
    def plain(self) -> tuple:
        return tuple(r for r in self.rows if r.K is None)


# -- what a model says about its bases ------------------------------------------------------

def _metadata(path):
    """``(ModelProto, metadata_props as a dict)`` of an ONNX file."""
    import onnx

    try:
        model = onnx.load(str(path), load_external_data=False)
    except Exception as e:                 # onnx raises several kinds for a bad file
        raise RegioncountError(f"{path}: cannot read the model ({type(e).__name__})") from None
    return model, {p.key: p.value for p in model.metadata_props}


def _other_params(model) -> int:
    """Elements of the initializers that no Conv reads (the dense head, biases of Gemm)."""
    sizes = {t.name: int(np.prod(t.dims)) for t in model.graph.initializer}
    conv_inputs = {i for n in model.graph.node if n.op_type == "Conv" for i in n.input}
    used = {i for n in model.graph.node if n.op_type != "Conv" for i in n.input}
    return sum(v for k, v in sizes.items() if k in used and k not in conv_inputs)


def model_bases(path) -> ModelBases:
    """K, kernel, basis and parameter count of a (DCF or plain CNN) model file.

    K comes from the model's ``metadata_props`` (:data:`K_KEYS`) when recorded, else from its
    DCF layers (:func:`regioncount.builders.dcf.dcf_norms`); every DCF layer must have the same
    K. A model whose convolutions are all plain has ``K = None``.

    Raises
    ------
    RegioncountError
        Unreadable model, no convolution, or DCF layers with different K.
    """
    from .builders.dcf import dcf_norms, fb_frequencies

    model, meta = _metadata(path)
    layers = dcf_norms(path).layers
    dcf = [l for l in layers if l.basis != "pixel"]
    kernels = {l.kernel[0] for l in layers}
    kernel = kernels.pop() if len(kernels) == 1 else None
    basis = dcf[0].basis if dcf else "pixel"
    key = next((k for k in K_KEYS if k in meta), None)
    if key is not None:
        K, source = _int(meta[key], path, key), "metadata"
    elif dcf:
        Ks = {l.bases for l in dcf}
        if len(Ks) != 1:
            raise RegioncountError(f"{path}: DCF layers with different K ({sorted(Ks)}); the "
                                   "sweep needs one K per model")
        K, source = Ks.pop(), "layer record"
    else:
        K, source = None, "plain"
    full = (K is not None and basis == "fourier-bessel" and kernel is not None
            and K == len(fb_frequencies(kernel)))
    params = (_int(meta["params"], path, "params") if "params" in meta
              else sum(l.params for l in layers) + _other_params(model))
    return ModelBases(K, source, kernel, basis, full, params)


def _int(text: str, path, key: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise RegioncountError(f"{path}: metadata {key}={text!r} is not an integer") from None


# -- the domain -----------------------------------------------------------------------------

def digits_test_images() -> np.ndarray:
    """The test images of scikit-learn's bundled 8x8 digits (pixels / 16 in ``[0, 1]``), the
    stratified 75/25 split of models/build_models.py: (450, 64)."""
    try:
        from sklearn.datasets import load_digits
        from sklearn.model_selection import train_test_split
    except ImportError:
        raise RegioncountError("--digit needs scikit-learn (pip install scikit-learn); give "
                               "the domain with --box-file instead") from None
    d = load_digits()
    X = d.data.astype(np.float64) / 16.0
    return train_test_split(X, d.target, test_size=DIGITS_TEST_SIZE,
                            random_state=DIGITS_SPLIT_SEED, stratify=d.target)[1]


def digit_domain(index: int, radius: float) -> Domain:
    """``[x - radius, x + radius] ∩ [0, 1]^64`` around test digit ``index``
    (:func:`digits_test_images`)."""
    X = digits_test_images()
    if not 0 <= index < len(X):
        raise DomainError(f"--digit {index}: the digits test split has images 0..{len(X) - 1}")
    if not radius > 0:
        raise DomainError(f"--radius {radius}: must be positive")
    x = X[index]
    return Domain(np.clip(x - radius, 0.0, 1.0), np.clip(x + radius, 0.0, 1.0))


# -- the sweep ------------------------------------------------------------------------------

def _order(row: DCFSweepRow):
    return (row.K is None, row.K if row.K is not None else 0, row.name)


def sweep_row(path, domain: Domain, *, time_limit: float | None = 60.0, method: str = "tree",
              on_step: Callable[[str], None] | None = None) -> DCFSweepRow:
    """Count one model on ``domain``; a count stopped by ``time_limit`` gets its bracket."""
    import regioncount
    from . import app
    from .estimate import bracket

    bases = model_bases(path)
    net = regioncount.load(path)
    if net.input_size != domain.dim:
        raise DomainError(f"{path}: {net.input_size} inputs, the domain has {domain.dim}")
    name = Path(path).stem
    if on_step is not None:
        on_step(f"counting {name} (K = {bases.K if bases.K is not None else 'plain'})")
    res = app.count(net, domain, method, time_limit=time_limit, per_class="point")
    row = DCFSweepRow(str(path), name, bases, int(res.regions), bool(res.complete), res.method,
                      float(res.seconds), time_limit, res.stop_reason)
    if res.complete:
        return row
    if on_step is not None:
        on_step(f"bracket of {name} (sampling, slices, weight-aware upper bound)")
    b = bracket(net, domain, method="slices", time_limit=time_limit, tighten="lp",
                partial=res, seed=0)
    return replace(row, lower_bound=b.lower_bound, confidence=b.confidence,
                   estimate=b.estimate, upper_bound=b.upper_bound, how=b.how)


def dcf_sweep(paths, domain: Domain, *, time_limit: float | None = 60.0, method: str = "tree",
              on_step: Callable[[str], None] | None = None) -> DCFSweep:
    """The regions of every model of ``paths`` on ``domain``, by K (:class:`DCFSweep`).

    Parameters
    ----------
    paths : list of path
        DCF networks (any K) and plain CNNs, all with the domain's number of inputs.
    domain : Domain
    time_limit : float or None
        Seconds per count (and for each bracket's slices and LP tightening).
    method : str
        Count method of :func:`regioncount.app.count` (``tree`` or ``auto``; ``milp``).
    on_step : callable, optional
        Called with a short message as each model starts.

    Returns
    -------
    DCFSweep
    """
    if not paths:
        raise RegioncountError("the DCF sweep needs at least one model")
    rows = [sweep_row(p, domain, time_limit=time_limit, method=method, on_step=on_step)
            for p in paths]
    return DCFSweep(tuple(sorted(rows, key=_order)), domain, time_limit, method)


__all__ = ["K_KEYS", "ModelBases", "DCFSweepRow", "DCFSweep", "model_bases",
           "digits_test_images", "digit_domain", "sweep_row", "dcf_sweep"]
