"""Saliency, DeconvNet and guided backprop maps of any supported model.

The three backward visualisations compared by Nie, Zhang and Patel (ICML 2018, "A theoretical
explanation for perplexing behaviors of backpropagation-based visualizations") start from the
one-hot of the chosen output and run backwards through the canonical network
(:meth:`regioncount.network.Network.backward`); each stage applies its own rule, so residual,
max-pooling, leaky-ReLU and clip models work alike. Through a ReLU with pre-activation ``z``
the signal ``R`` becomes

- saliency (the true gradient): ``R * 1[z > 0]``,
- DeconvNet: ``relu(R)`` (the forward mask is ignored),
- guided backprop (GBP): ``relu(R) * 1[z > 0]``;

affine and convolution stages use the transpose and max groups route the signal to the forward
argmax, in all three.

Front door
----------
:func:`explain`
    The maps of one input or a batch for one method or all three, with their summaries (L2
    norm, cosine with the input, the largest entries): an :class:`ExplainResult` of one
    :class:`Explanation` per input, each map shaped like the model input.

Helpers
-------
:func:`class_similarity`
    The mean pairwise cosine between the maps of different classes at one input (GBP's are
    close to one another, saliency's are not).
:func:`image_layout`
    Whether a model input shape is an image, and its height, width and channels.
:func:`sample_explanation`
    The three maps at a random point of a domain, for the report (image inputs only).

Examples
--------
>>> import numpy as np
>>> from regioncount import Network
>>> net = Network.from_layers([(np.array([[1.0, 0.0], [-1.0, 1.0]]), np.zeros(2))],
...                           final=(np.array([[1.0, -2.0], [0.5, 1.0]]), np.zeros(2)))
>>> r = explain(net, np.array([2.0, 3.0]), method="all", output=0)
>>> e = r[0]
>>> e.predicted, e.maps["saliency"].tolist(), e.maps["deconvnet"].tolist(), e.maps["gbp"].tolist()
(1, [3.0, -2.0], [1.0, 0.0], [1.0, 0.0])
>>> A, c = net.local_affine(np.array([2.0, 3.0]))      # saliency is the row of the region's map
>>> bool(np.array_equal(A[0], e.maps["saliency"]))
True
"""

from __future__ import annotations

import itertools
import logging
from dataclasses import dataclass
from math import prod

import numpy as np

from .errors import DomainError, RegioncountError
from .network import Network
from .results import jsonable
from .stages import BACKWARD_RULES

log = logging.getLogger(__name__)

#: What ``method`` may be: one rule of :data:`regioncount.stages.BACKWARD_RULES`, or all three.
METHODS = BACKWARD_RULES + ("all",)

#: How many of the largest entries (by absolute value) a summary lists.
TOP_PIXELS = 5

#: An input is drawn as an image when, after dropping axes of size 1, it has two spatial axes of
#: at least this many pixels (and at most 4 channels first or last). Smaller 2-D tensors (the
#: 2 x 6 or 3 x 2 inputs of some verification benchmarks) are tables of features, not images.
MIN_IMAGE_SIDE = 4

#: Channels an image may have (grey, grey + alpha, RGB, RGBA).
MAX_CHANNELS = 4


# -- results -----------------------------------------------------------------------------

@dataclass(frozen=True)
class MapSummary:
    """What one backward map looks like, in numbers.

    Attributes
    ----------
    method : str
        ``"saliency"``, ``"deconvnet"`` or ``"gbp"``.
    norm : float
        The map's L2 norm.
    cosine : float or None
        Cosine between the map and the input (``None`` when either is zero).
    top : tuple
        ``((index, value), ...)``: the :data:`TOP_PIXELS` entries of largest absolute value,
        ``index`` a tuple into the model input shape, largest first.
    """

    method: str
    norm: float
    cosine: float | None
    top: tuple

    def to_json(self) -> dict:
        return {"method": self.method, "norm": self.norm, "cosine_with_input": self.cosine,
                "top": [{"index": list(i), "value": v} for i, v in self.top]}


@dataclass(frozen=True, eq=False)
class Explanation:
    """The backward maps of one input.

    Attributes
    ----------
    input : ndarray
        The input, shaped like the model input.
    output : int
        The output (class) the maps explain.
    predicted : int
        The argmax of the outputs at the input.
    logits : ndarray
        The network's outputs at the input.
    maps : dict
        Method -> map, each shaped like the model input.
    summaries : dict
        Method -> :class:`MapSummary`.
    """

    input: np.ndarray
    output: int
    predicted: int
    logits: np.ndarray
    maps: dict
    summaries: dict

    def to_json(self) -> dict:
        """The summary (no maps): output, prediction, logits and each map's numbers."""
        return {"output": self.output, "predicted": self.predicted,
                "logits": jsonable(self.logits.ravel()),
                "maps": {m: s.to_json() for m, s in self.summaries.items()}}


@dataclass(frozen=True, eq=False)
class ExplainResult:
    """The result of :func:`explain`: one :class:`Explanation` per input of the batch.

    Indexing and iteration go over the explanations; :meth:`stack` gives one method's maps of
    the whole batch as one array.
    """

    model: str
    input_shape: tuple
    methods: tuple
    explanations: tuple

    def __len__(self) -> int:
        return len(self.explanations)

    def __getitem__(self, i) -> Explanation:
        return self.explanations[i]

    def __iter__(self):
        return iter(self.explanations)

    def stack(self, method: str) -> np.ndarray:
        """The maps of ``method`` for the whole batch, shape ``(B, *input_shape)``."""
        if method not in self.methods:
            raise RegioncountError(f"method {method!r} was not computed (have {', '.join(self.methods)})")
        return np.stack([e.maps[method] for e in self.explanations])

    def to_json(self) -> dict:
        return {"model": self.model, "input_shape": list(self.input_shape),
                "methods": list(self.methods), "batch": len(self),
                "inputs": [e.to_json() for e in self.explanations]}


# -- the front door ----------------------------------------------------------------------

def _methods(method: str) -> tuple:
    if method not in METHODS:
        raise RegioncountError(f"unknown method {method!r}: expected one of {', '.join(METHODS)}")
    return BACKWARD_RULES if method == "all" else (method,)


def _squeeze(shape) -> tuple:
    return tuple(int(d) for d in shape if d != 1)


def as_batch(net: Network, x) -> np.ndarray:
    """``x`` as a ``(B, n)`` batch of flat inputs of ``net``.

    A single input is shaped like the model input or flat (``(n,)``); a batch has one more
    axis in front. Axes of size 1 may be left out (an 8 x 8 image for a ``[1, 8, 8]`` input).

    Raises
    ------
    DomainError
        When ``x`` fits neither, or holds values that are not finite.
    """
    x = np.asarray(x, dtype=float)
    n = net.input_size
    shapes = {tuple(net.input_shape), (n,)}
    core = _squeeze(net.input_shape)
    if x.shape in shapes or (x.size == n and _squeeze(x.shape) == core):
        X = x.reshape(1, n)
    elif x.ndim >= 1 and (x.shape[1:] in shapes or _squeeze(x.shape[1:]) == core) \
            and x.shape[0] > 0:
        X = x.reshape(x.shape[0], n)
    else:
        raise DomainError(f"an input of shape {list(x.shape)} does not fit the model input "
                          f"{list(net.input_shape)} ({n} values; a batch adds a first axis)")
    if not np.all(np.isfinite(X)):
        raise DomainError("the input holds values that are not finite (nan or inf)")
    return X


def _outputs(net: Network, output, B: int, predicted: np.ndarray) -> np.ndarray:
    if output is None:
        return predicted
    k = np.asarray(output)
    if k.ndim > 1 or (k.ndim == 1 and k.size not in (1, B)):
        raise RegioncountError(f"output: give one class or one per input ({B}), got shape {list(k.shape)}")
    if not np.issubdtype(k.dtype, np.integer):
        raise RegioncountError(f"output: class indices are integers, got {output!r}")
    bad = k[(k < 0) | (k >= net.output_size)]
    if bad.size:
        raise RegioncountError(f"class {int(bad.ravel()[0])} is out of range: the model has "
                               f"{net.output_size} outputs (0..{net.output_size - 1})")
    return np.broadcast_to(k.ravel() if k.ndim else k, (B,)).astype(int)


def summarise(method: str, m: np.ndarray, x: np.ndarray, top: int = TOP_PIXELS) -> MapSummary:
    """:class:`MapSummary` of the map ``m`` of input ``x`` (same shape).

    >>> s = summarise("gbp", np.array([[0.0, 3.0], [4.0, 0.0]]), np.array([[0.0, 1.0], [1.0, 0.0]]))
    >>> s.norm, round(s.cosine, 4), s.top[:2]
    (5.0, 0.9899, (((1, 0), 4.0), ((0, 1), 3.0)))
    """
    flat, xf = m.ravel(), x.ravel()
    norm = float(np.linalg.norm(flat))
    xn = float(np.linalg.norm(xf))
    cosine = float(flat @ xf / (norm * xn)) if norm > 0 and xn > 0 else None
    order = np.argsort(-np.abs(flat), kind="stable")[:top]
    return MapSummary(method=method, norm=norm, cosine=cosine,
                      top=tuple((tuple(int(i) for i in np.unravel_index(j, m.shape)),
                                 float(flat[j])) for j in order))


def explain(net: Network, x, method: str = "saliency", output=None, *,
            top: int = TOP_PIXELS) -> ExplainResult:
    """Saliency, DeconvNet and/or guided-backprop maps of ``net`` at ``x``.

    Parameters
    ----------
    net : Network
    x : array_like
        One input (shaped like the model input, or flat) or a batch (one more axis in front).
    method : {"saliency", "deconvnet", "gbp", "all"}
        The backward rule, or all three.
    output : int or array of int, optional
        The output (class) to explain: one for the whole batch or one per input. Default: the
        argmax at each input.
    top : int
        How many of the largest entries each summary lists.

    Returns
    -------
    ExplainResult
        One :class:`Explanation` per input: the maps shaped like the model input and their
        summaries. The saliency map is the row ``output`` of the local affine map of the
        input's activation region (:meth:`~regioncount.network.Network.local_affine`).

    Raises
    ------
    DomainError
        An input of the wrong shape or size.
    RegioncountError
        An unknown method, or a class index out of range.

    Examples
    --------
    A batch of two inputs of a 1-input network ``|x|``:

    >>> import numpy as np
    >>> from regioncount import Network
    >>> net = Network.from_layers([(np.array([[1.0], [-1.0]]), np.zeros(2))],
    ...                           final=(np.array([[1.0, 1.0]]), np.zeros(1)))
    >>> r = explain(net, np.array([[-2.0], [3.0]]), method="all")
    >>> [e.maps["saliency"].tolist() for e in r]
    [[-1.0], [1.0]]
    >>> r.stack("deconvnet").ravel().tolist()       # the forward mask is ignored: 1 - 1 at both
    [0.0, 0.0]
    >>> r[0].summaries["saliency"].cosine
    1.0
    """
    rules = _methods(method)
    X = as_batch(net, x)
    B = X.shape[0]
    logits = np.asarray(net.evaluate(X)).reshape(B, net.output_size)
    predicted = logits.argmax(axis=1)
    k = _outputs(net, output, B, predicted)
    shape = tuple(net.input_shape)
    maps = {r: np.asarray(net.backward(X, r, output=k)).reshape((B,) + shape) for r in rules}
    items = []
    for b in range(B):
        xb = X[b].reshape(shape)
        mb = {r: maps[r][b] for r in rules}
        items.append(Explanation(input=xb, output=int(k[b]), predicted=int(predicted[b]),
                                 logits=logits[b], maps=mb,
                                 summaries={r: summarise(r, mb[r], xb, top) for r in rules}))
    log.debug("explain: %s, %d inputs, methods %s", net.name, B, rules)
    return ExplainResult(model=net.name, input_shape=shape, methods=rules,
                         explanations=tuple(items))


def cosine(a, b) -> float | None:
    """Cosine between two arrays of the same size (``None`` when either is zero).

    >>> round(cosine([1.0, 0.0], [1.0, 1.0]), 6), cosine([0.0, 0.0], [1.0, 1.0])
    (0.707107, None)
    """
    a, b = np.ravel(np.asarray(a, float)), np.ravel(np.asarray(b, float))
    na, nb = np.linalg.norm(a), np.linalg.norm(b)
    return float(a @ b / (na * nb)) if na > 0 and nb > 0 else None


def class_similarity(net: Network, x, method: str) -> float | None:
    """The mean pairwise cosine between the maps of every pair of classes at one input.

    Near one, the map hardly depends on the class (guided backprop on random and deep
    networks, Nie et al. 2018); near zero, maps of different classes are unrelated (saliency).
    Pairs with an all-zero map are left out; ``None`` when no pair is left.

    Examples
    --------
    >>> import numpy as np
    >>> from regioncount import Network
    >>> net = Network.from_layers([(np.eye(2), np.zeros(2))],
    ...                           final=(np.array([[1.0, -1.0], [-1.0, 1.0]]), np.zeros(2)))
    >>> round(class_similarity(net, [1.0, 2.0], "saliency"), 9), class_similarity(net, [1.0, 2.0], "gbp")
    (-1.0, 0.0)
    """
    X = as_batch(net, x)
    if X.shape[0] != 1:
        raise RegioncountError("class_similarity takes one input")
    rule = _methods(method)
    if len(rule) != 1:
        raise RegioncountError("class_similarity takes one method, not 'all'")
    maps = [net.backward(X, rule[0], output=k)[0] for k in range(net.output_size)]
    cos = [c for a, b in itertools.combinations(maps, 2) if (c := cosine(a, b)) is not None]
    return float(np.mean(cos)) if cos else None


# -- images ------------------------------------------------------------------------------

@dataclass(frozen=True)
class ImageLayout:
    """How a flat model input is an image: ``height x width`` pixels of ``channels`` values,
    channels first (``channels_first``) or last in the C-order flattening.

    >>> lay = image_layout((1, 8, 8))
    >>> lay.height, lay.width, lay.channels, lay.to_hwc(np.arange(64.0)).shape
    (8, 8, 1, (8, 8, 1))
    """

    height: int
    width: int
    channels: int = 1
    channels_first: bool = False

    @property
    def size(self) -> int:
        return self.height * self.width * self.channels

    def to_hwc(self, a) -> np.ndarray:
        """A flat (or model-shaped) input or map as a ``(height, width, channels)`` array."""
        a = np.asarray(a, float).reshape(-1)
        if self.channels_first:
            return a.reshape(self.channels, self.height, self.width).transpose(1, 2, 0)
        return a.reshape(self.height, self.width, self.channels)

    def from_hwc(self, img) -> np.ndarray:
        """A ``(height, width, channels)`` array as the flat model input."""
        img = np.asarray(img, float).reshape(self.height, self.width, self.channels)
        return (img.transpose(2, 0, 1) if self.channels_first else img).reshape(-1)


def image_layout(shape) -> ImageLayout | None:
    """The :class:`ImageLayout` of a model input shape, or ``None`` when it is not an image.

    Axes of size 1 are dropped (they do not change the C-order flattening). What is left is
    an image when it is ``(H, W)``, ``(C, H, W)`` or ``(H, W, C)`` with ``H, W >=``
    :data:`MIN_IMAGE_SIDE` and ``C <=`` :data:`MAX_CHANNELS`. A flat input (the 64 pixels of
    an 8 x 8 digit given to an MLP as a vector) is not: its shape does not say so.

    >>> [image_layout(s) is not None for s in [(1, 28, 28), (32, 32, 3), (64,), (1, 1, 5), (2, 6)]]
    [True, True, False, False, False]
    >>> image_layout((3, 32, 32)).channels_first
    True
    """
    s = _squeeze(shape)
    big = MIN_IMAGE_SIDE
    if len(s) == 2 and min(s) >= big:
        return ImageLayout(s[0], s[1])
    if len(s) == 3:
        if s[0] <= MAX_CHANNELS and min(s[1:]) >= big:
            return ImageLayout(s[1], s[2], s[0], channels_first=True)
        if s[2] <= MAX_CHANNELS and min(s[:2]) >= big:
            return ImageLayout(s[0], s[1], s[2])
    return None


def sample_explanation(net: Network, domain, seed: int = 0) -> ExplainResult | None:
    """The three maps of ``net`` at a uniform random point of ``domain`` (``seed``), explaining
    the predicted class; ``None`` when the model input is not an image (:func:`image_layout`).
    """
    if image_layout(net.input_shape) is None or prod(net.input_shape) != domain.dim:
        return None
    x = domain.sample(1, rng=seed)[0]
    return explain(net, x, method="all")


__all__ = ["METHODS", "TOP_PIXELS", "MapSummary", "Explanation", "ExplainResult", "explain",
           "summarise", "cosine", "class_similarity", "as_batch", "ImageLayout", "image_layout",
           "sample_explanation"]
