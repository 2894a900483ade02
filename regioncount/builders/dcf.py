"""DCF layers: convolutions whose filters are truncated Fourier-Bessel expansions.

DCFNet (Qiu, Cheng, Calderbank & Sapiro, *DCFNet: Deep Neural Network with Decomposed
Convolutional Filters*, ICML 2018) writes every filter of a convolution as a truncated
expansion in fixed bases, ``W[o, i](u) = sum_{k<K} a[o, i, k] psi_k(u)``; only the coefficients
``a`` are learned: ``C_out * C_in * K`` numbers instead of ``C_out * C_in * L^2``.

This module builds the bases (:func:`fb_basis`, :func:`random_basis`), DCF convolutions
(:class:`DCFConv`) and small DCF networks (:func:`build_dcf_net`: DCF convolutions, ReLU, 2x2
max or average pooling, a dense head), writes them as plain ONNX in the paper's two forms
(:meth:`DCFNet.to_onnx`), and computes each layer's exact operator norm and two upper bounds
on it (:func:`circular_norm`, :func:`schur_bound`, :func:`coefficient_bound`). The ONNX files
go through :func:`regioncount.load` like any model. See docs/dcf.md.

Grid and orientation
--------------------
A basis is an array ``(K, L, L)`` indexed ``[k, row, column]``, ``L = 2 L1 + 1`` odd. The grid
offsets are ``x = column - L1`` (to the right) and ``y = row - L1`` (downwards, the image
convention), ``theta = atan2(y, x)``: the cosine element of the ``k = 1`` pair is positive to the
right of the centre and the sine element below it. ONNX ``Conv`` is a cross-correlation
(``out[o, p] = sum_i sum_u W[o, i, u] x[i, p + u]``); the filters are written as they are.

Finding DCF layers in an ONNX file
----------------------------------
:func:`dcf_norms` reads any ONNX model. The two-stage form is recognised from its structure
alone: a depthwise ``Conv`` (``group = C_in``, weight ``(C_in*K, 1, L, L)`` holding the same K
filters for every input channel) whose only consumer is a 1x1 ``Conv``. A fused DCF ``Conv`` is
an ordinary ``Conv``; the exporter records its bases in the node's ``doc_string``
(``regioncount.dcf: {"basis": ..., "kernel": L, "bases": K, ...}``), the coefficients are
recovered by least squares onto those bases, and the fit's residual is reported and added to
the coefficient bound (which therefore holds whatever the fit). Every other stride-1 ``Conv``
is reported as ``plain`` (operator norm and Schur bound, no coefficient bound).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Callable

import numpy as np
from scipy import special

from ..errors import ModelError, RegioncountError
from .onnxout import finish, positive_ints

#: Largest angular frequency of the Fourier-Bessel bases (as in the authors' code).
FB_KMAX = 15
#: Prefix of the ``doc_string`` with which the exporter marks the Conv nodes of a DCF layer.
META_PREFIX = "regioncount.dcf: "
#: ONNX opset of the exported models.


# ---------------------------------------------------------------------------------------------
# bases

def _check_kernel(L) -> int:
    """``L1`` of an odd kernel size ``L = 2 L1 + 1 >= 3``."""
    if isinstance(L, bool) or int(L) != L or L < 3 or L % 2 == 0:
        raise RegioncountError(f"kernel size {L}: DCF filters are odd squares L = 2 L1 + 1 >= 3")
    return (int(L) - 1) // 2


def _fb_pairs(L1: int) -> list[tuple[int, int, float]]:
    """Kept ``(k, q, R_kq)``: ``R_kq`` is the q-th positive zero of ``J_k``; the pair is kept when
    ``k <= 15`` and the next zero ``R_{k,q+1} <= pi R f`` (``R = L1 + 1/2``, ``f = 2`` when
    ``L1 < 2``, else 1.5); sorted by ``R_kq`` (stable)."""
    R = L1 + 0.5
    top = np.pi * R * (2.0 if L1 < 2 else 1.5)
    nq = int(top / np.pi) + 2           # more zeros of J_0 (spacing ~ pi) than lie below top
    pairs = []
    for k in range(FB_KMAX + 1):
        z = special.jn_zeros(k, nq + 1)
        pairs += [(k, q + 1, float(z[q])) for q in range(nq) if z[q + 1] <= top]
    return sorted(pairs, key=lambda p: p[2])


def fb_frequencies(L: int) -> list[tuple[int, int, float, str]]:
    """``(k, q, R_kq, part)`` of every element of :func:`fb_basis` (all of them, in order);
    ``part`` is ``"radial"`` (k = 0), ``"cos"`` or ``"sin"``.

    >>> [(k, q, part) for k, q, _, part in fb_frequencies(3)]
    [(0, 1, 'radial'), (1, 1, 'cos'), (1, 1, 'sin'), (2, 1, 'cos'), (2, 1, 'sin'), (0, 2, 'radial')]
    """
    L1 = _check_kernel(L)
    out = []
    for k, q, z in _fb_pairs(L1):
        out += [(k, q, z, "radial")] if k == 0 else [(k, q, z, "cos"), (k, q, z, "sin")]
    return out[: L * L - 1]


def _first(psi: np.ndarray, K, what: str) -> np.ndarray:
    if K is None:
        return psi
    if isinstance(K, bool) or int(K) != K or not 1 <= K <= len(psi):
        raise RegioncountError(f"{K} bases: the {what} basis of {psi.shape[1]}x{psi.shape[2]} "
                               f"filters has {len(psi)}; choose K from 1 to {len(psi)}")
    return psi[: int(K)]


def _normalise(psi: np.ndarray) -> np.ndarray:
    """Divide by ``c = sqrt(mean_k sum_grid psi_k^2)`` (one constant for the whole basis)."""
    return psi / np.sqrt(np.mean(np.sum(psi ** 2, axis=(1, 2))))


def fb_basis(L: int, K: int | None = None) -> np.ndarray:
    """The first ``K`` Fourier-Bessel bases of ``L x L`` filters, shape ``(K, L, L)``.

    Built as the DCFNet authors' code builds them: grid offsets scaled by ``1 / (L1 + 1/2)``,
    polar ``(r, theta)``; the radial part ``J_k(R_kq r) / |J_{k+1}(R_kq)|``, zero for ``r >= 1``;
    ``k = 0`` gives one element, ``k > 0`` the pair ``sqrt(2) cos(k theta)``, ``sqrt(2) sin(k
    theta)`` times the radial part; ordered by ``R_kq`` (lowest frequencies first); at most
    ``L^2 - 1`` kept; all divided by one constant (:func:`_normalise`; not orthonormal on the
    grid). Orientation: see the module docstring.

    Parameters
    ----------
    L : int
        Odd filter size, at least 3.
    K : int, optional
        How many to keep (default: all; 6, 14, 38 for L = 3, 5, 7).

    Examples
    --------
    >>> [fb_basis(L).shape[0] for L in (3, 5, 7)]
    [6, 14, 38]
    """
    L1 = _check_kernel(L)
    off = np.arange(-L1, L1 + 1) / (L1 + 0.5)
    x, y = np.meshgrid(off, off)          # x varies along columns, y along rows (downwards)
    r, theta = np.hypot(x, y), np.arctan2(y, x)
    psi = []
    for k, q, z in _fb_pairs(L1):
        phi = special.jv(k, z * r) / abs(special.jv(k + 1, z))
        phi[r >= 1] = 0.0
        psi += ([phi] if k == 0 else
                [np.sqrt(2) * np.cos(k * theta) * phi, np.sqrt(2) * np.sin(k * theta) * phi])
    psi = _normalise(np.array(psi[: L * L - 1]))
    return _first(psi, K, "Fourier-Bessel")


def random_basis(L: int, K: int, seed: int = 0) -> np.ndarray:
    """``K`` Gaussian random ``L x L`` bases (the paper's control), normalised as
    :func:`fb_basis` (``numpy.random.default_rng(seed).standard_normal``)."""
    _check_kernel(L)
    if isinstance(K, bool) or K is None or int(K) != K or not 1 <= K <= L * L:
        raise RegioncountError(f"{K} random bases of {L}x{L} filters: choose K from 1 to {L * L}")
    return _normalise(np.random.default_rng(seed).standard_normal((int(K), L, L)))


def pixel_basis(L: int, K: int | None = None) -> np.ndarray:
    """The ``L^2`` one-pixel filters: a plain convolution written as a DCF layer."""
    _check_kernel(L)
    if K not in (None, L * L):
        raise RegioncountError(f"a plain {L}x{L} convolution has {L * L} pixel bases, not {K}")
    return np.eye(L * L).reshape(L * L, L, L)


#: basis name -> ``make(L, K, seed)``; the names written in the exported metadata.
BASES: dict[str, Callable] = {
    "fourier-bessel": lambda L, K, seed: fb_basis(L, K),
    "random": lambda L, K, seed: random_basis(L, K, 0 if seed is None else seed),
    "pixel": lambda L, K, seed: pixel_basis(L, K),
}


def make_basis(kind: str, L: int, K: int | None, seed: int | None = None) -> np.ndarray:
    """A basis by name (:data:`BASES`)."""
    if kind not in BASES:
        raise RegioncountError(f"unknown basis {kind!r} (known: {', '.join(BASES)})")
    return BASES[kind](L, K, seed)


# ---------------------------------------------------------------------------------------------
# norms and bounds

def _spectral_norm(A) -> float:
    """Largest singular value of a dense or sparse matrix (dense SVD when it is small)."""
    import scipy.sparse as sp

    if min(A.shape) == 0:
        return 0.0
    if min(A.shape) <= 2000:
        dense = A.toarray() if sp.issparse(A) else np.asarray(A, float)
        return float(np.linalg.svd(dense, compute_uv=False)[0])
    from scipy.sparse.linalg import svds

    return float(svds(sp.csr_array(A), k=1, return_singular_vectors=False)[0])


def circular_norm(W, size) -> float:
    """Exact L2 operator norm of the stride-1 convolution with filters ``W (C_out, C_in, kh,
    kw)`` and circular padding on a torus of ``size = (N1, N2)``: the largest singular value, over
    the ``N1 x N2`` DFT frequencies, of the ``C_out x C_in`` matrix of filter DFTs.

    On the torus of ``(h + kh - 1, w + kw - 1)`` it bounds the zero-padded layer on ``h x w``
    inputs (that layer is a block of the circular one: no wrap-around reaches the input).
    """
    W = np.asarray(W, float)
    if size[0] < W.shape[2] or size[1] < W.shape[3]:
        raise RegioncountError(f"torus {tuple(size)} is smaller than the filters {W.shape[2:]}")
    F = np.moveaxis(np.fft.fft2(W, s=tuple(int(s) for s in size)), (0, 1), (-2, -1))
    return float(np.linalg.svd(F, compute_uv=False).max())


def padded_norm(W, hw, pads=None) -> float:
    """Exact L2 operator norm of the stride-1 ``Conv`` with filters ``W`` on ``hw = (h, w)``
    inputs and ONNX ``pads`` (default: "same", ``(kh // 2, kw // 2) * 2``)."""
    from ..lowering.windows import conv_matrix, windows

    W = np.asarray(W, float)
    kh, kw = W.shape[2:]
    pads = tuple(pads) if pads is not None else (kh // 2, kw // 2) * 2
    win = windows(tuple(hw), (kh, kw), (1, 1), pads[:2], pads[2:], (1, 1))
    return _spectral_norm(conv_matrix(W, (W.shape[1],) + tuple(hw), win, 1))


def _schur(B: np.ndarray) -> float:
    """``sqrt(max_i sum_o B_oi * max_o sum_i B_oi)`` for nonnegative ``B (C_out, C_in)``."""
    return float(np.sqrt(B.sum(axis=0).max() * B.sum(axis=1).max()))


def schur_bound(W) -> float:
    """Schur-test bound ``sqrt(max_i sum_o |W_oi|_1 * max_o sum_i |W_oi|_1)`` on the norm of the
    convolution with filters ``W`` (any padding, any input size)."""
    return _schur(np.abs(np.asarray(W, float)).sum(axis=(2, 3)))


def coefficient_bound(coef, bases, residual=None) -> float:
    """Bound from the coefficients: :func:`schur_bound` with ``|W_oi|_1`` replaced by
    ``|a_oi|_2 sqrt(sum_k |psi_k|_1^2)`` (Cauchy-Schwarz), plus ``|R_oi|_1`` when the filters
    are ``a . psi + R`` (a least-squares fit with residual ``R``)."""
    s = np.sqrt(np.sum(np.abs(np.asarray(bases, float)).sum(axis=(1, 2)) ** 2))
    B = np.linalg.norm(np.asarray(coef, float), axis=2) * s
    if residual is not None:
        B = B + np.abs(np.asarray(residual, float)).sum(axis=(2, 3))
    return _schur(B)


def fit_coefficients(W, bases) -> tuple[np.ndarray, np.ndarray]:
    """Least-squares coefficients ``a (C_out, C_in, K)`` of filters ``W`` on ``bases`` (the
    minimum-norm solution when the bases are dependent) and the residual ``W - a . psi``."""
    W = np.asarray(W, float)
    Co, Ci, L, _ = W.shape
    P = np.asarray(bases, float).reshape(len(bases), -1).T
    a = np.linalg.lstsq(P, W.reshape(Co * Ci, L * L).T, rcond=None)[0]
    coef = a.T.reshape(Co, Ci, len(bases))
    return coef, W - np.einsum("oik,kuv->oiuv", coef, bases)


@dataclass(frozen=True)
class LayerNorms:
    """Norms of one convolution layer of a model, on its input size.

    ``padded_norm`` is the exact norm of the layer as exported (zero padding);
    ``operator_norm`` the exact norm with circular padding on the torus ``torus`` (input size
    plus the filter size minus one), which bounds it; then the two bounds, in that order:
    ``padded_norm <= operator_norm <= schur_bound <= coefficient_bound``. ``residual`` is the
    relative Frobenius residual of the coefficient fit (0 for the two-stage form).
    """

    name: str
    form: str
    basis: str
    kernel: tuple
    bases: int | None
    in_channels: int
    out_channels: int
    input_size: tuple
    torus: tuple
    params: int
    dense_params: int
    padded_norm: float
    operator_norm: float
    schur_bound: float
    coefficient_bound: float | None
    residual: float = 0.0

    def to_json(self) -> dict:
        from ..results import jsonable

        return {f: jsonable(getattr(self, f)) for f in self.__dataclass_fields__}


# ---------------------------------------------------------------------------------------------
# layers and networks

@dataclass(frozen=True, eq=False)
class DCFConv:
    """A DCF convolution: filters ``einsum('oik,kuv->oiuv', coef, bases)`` (+ ``residual``, for
    filters fitted from a fused Conv), bias per output channel, stride 1, "same" zero padding.

    ``basis`` names the bases (:data:`BASES`, or ``"unknown"`` for bases read from a model);
    ``seed`` is the seed of random bases.
    """

    coef: np.ndarray
    bases: np.ndarray
    bias: np.ndarray
    basis: str = "fourier-bessel"
    seed: int | None = None
    residual: np.ndarray | None = None

    @property
    def kernel(self) -> int:
        return int(self.bases.shape[1])

    @property
    def n_bases(self) -> int:
        return int(self.bases.shape[0])

    @property
    def in_channels(self) -> int:
        return int(self.coef.shape[1])

    @property
    def out_channels(self) -> int:
        return int(self.coef.shape[0])

    def filters(self) -> np.ndarray:
        W = np.einsum("oik,kuv->oiuv", self.coef, self.bases)
        return W if self.residual is None else W + self.residual

    def params(self) -> int:
        """Learned parameters: coefficients and biases."""
        return int(self.coef.size + self.bias.size)

    def dense_params(self) -> int:
        """Parameters of the plain convolution of the same shape."""
        return self.out_channels * (self.in_channels * self.kernel ** 2 + 1)

    def norms(self, hw, name: str = "", form: str = "fused", pads=None) -> LayerNorms:
        """:class:`LayerNorms` of this layer on ``hw = (h, w)`` inputs."""
        W, L = self.filters(), self.kernel
        torus = (int(hw[0]) + L - 1, int(hw[1]) + L - 1)
        coef_bound = (None if self.basis == "pixel"
                      else coefficient_bound(self.coef, self.bases, self.residual))
        rel = 0.0
        if self.residual is not None:
            rel = float(np.linalg.norm(self.residual) / max(np.linalg.norm(W), 1e-300))
        return LayerNorms(
            name=name, form=form, basis=self.basis, kernel=(L, L),
            bases=None if self.basis == "pixel" else self.n_bases,
            in_channels=self.in_channels, out_channels=self.out_channels,
            input_size=tuple(int(v) for v in hw), torus=torus,
            params=self.params() if self.basis != "pixel" else self.dense_params(),
            dense_params=self.dense_params(), padded_norm=padded_norm(W, hw, pads),
            operator_norm=circular_norm(W, torus), schur_bound=schur_bound(W),
            coefficient_bound=coef_bound, residual=rel)


def dcf_conv2d(x: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Reference numpy cross-correlation, stride 1, "same" zero padding: ``x (N, C, H, W)``."""
    p = W.shape[2] // 2
    xp = np.pad(np.asarray(x, float), ((0, 0), (0, 0), (p, p), (p, p)))
    win = np.lib.stride_tricks.sliding_window_view(xp, W.shape[2:], axis=(2, 3))
    return np.einsum("nihwuv,oiuv->nohw", win, W) + np.asarray(b, float)[None, :, None, None]


def _pool_max(x):
    n, c, h, w = x.shape
    return x[:, :, : h // 2 * 2, : w // 2 * 2].reshape(n, c, h // 2, 2, w // 2, 2).max(axis=(3, 5))


def _pool_avg(x):
    n, c, h, w = x.shape
    return x[:, :, : h // 2 * 2, : w // 2 * 2].reshape(n, c, h // 2, 2, w // 2, 2).mean(axis=(3, 5))


#: pooling name -> (ONNX op, numpy reference); 2x2 windows, stride 2.
POOLS: dict[str, tuple[str, Callable]] = {"max": ("MaxPool", _pool_max),
                                          "avg": ("AveragePool", _pool_avg)}
#: export forms -> writer of one layer's nodes (defined below).
FORMS = ("fused", "two-stage")


@dataclass(frozen=True, eq=False)
class DCFNet:
    """DCF convolutions, each followed by ReLU and 2x2 pooling, then ``Flatten`` and a dense
    head ``logits = head_weight @ features + head_bias``.

    Build one with :func:`build_dcf_net`; write it with :meth:`to_onnx`.
    """

    input_shape: tuple
    convs: tuple
    head_weight: np.ndarray
    head_bias: np.ndarray
    pool: str = "max"

    def conv_input_shapes(self) -> list[tuple[int, int, int]]:
        """``(C, H, W)`` at the input of every convolution, then of the head."""
        c, h, w = self.input_shape
        out = []
        for conv in self.convs:
            out.append((c, h, w))
            c, h, w = conv.out_channels, h // 2, w // 2
        return out + [(c, h, w)]

    def forward(self, x) -> np.ndarray:
        """Logits of a batch ``x`` (anything that reshapes to ``(N, *input_shape)``), float64."""
        h = np.asarray(x, float).reshape((-1,) + tuple(self.input_shape))
        for conv in self.convs:
            h = POOLS[self.pool][1](np.maximum(dcf_conv2d(h, conv.filters(), conv.bias), 0.0))
        return h.reshape(len(h), -1) @ self.head_weight.T + self.head_bias

    def params(self) -> int:
        """Learned parameters (DCF coefficients, biases, head)."""
        return sum(c.params() for c in self.convs) + int(self.head_weight.size + self.head_bias.size)

    def dense_params(self) -> int:
        """Parameters of the plain CNN of the same shape."""
        return (sum(c.dense_params() for c in self.convs)
                + int(self.head_weight.size + self.head_bias.size))

    def describe(self) -> str:
        parts = [f"[{','.join(map(str, self.input_shape))}]"]
        for conv in self.convs:
            L = conv.kernel
            what = (f"Conv({conv.out_channels}, {L}x{L})" if conv.basis == "pixel" else
                    f"DCF({conv.out_channels}, {L}x{L}, K={conv.n_bases} {conv.basis})")
            parts += [what, "Relu", f"{POOLS[self.pool][0]} 2x2"]
        return " -> ".join(parts + [f"Gemm({self.head_weight.shape[0]})"])

    def layer_norms(self, form: str = "fused") -> list[LayerNorms]:
        """:class:`LayerNorms` of every convolution on its input size."""
        return [c.norms(s[1:], name=f"conv{l}", form=form if c.basis != "pixel" else "plain")
                for l, (c, s) in enumerate(zip(self.convs, self.conv_input_shapes()))]

    def to_onnx(self, form: str = "fused", name: str = "dcfnet") -> "onnx.ModelProto":  # noqa: F821
        """Plain ONNX: ``form="fused"`` writes one Conv per layer with the composed filters;
        ``"two-stage"`` the bases as a depthwise Conv (channel ``i*K + k``) followed by a 1x1
        Conv with ``coef.reshape(C_out, C_in*K)``. Input ``x [N, C, H, W]``, output ``logits``."""
        from onnx import TensorProto, helper

        if form not in FORMS:
            raise RegioncountError(f"form {form!r}: choose one of {', '.join(FORMS)}")
        nodes, inits, cur = [], [], "x"
        for l, conv in enumerate(self.convs):
            cur = _export_conv(conv, l, cur, form, nodes, inits)
            nodes.append(helper.make_node("Relu", [cur], [f"r{l}"], name=f"relu{l}"))
            nodes.append(helper.make_node(POOLS[self.pool][0], [f"r{l}"], [f"p{l}"],
                                          name=f"pool{l}", kernel_shape=[2, 2], strides=[2, 2]))
            cur = f"p{l}"
        nodes.append(helper.make_node("Flatten", [cur], ["f"], name="flatten", axis=1))
        inits += [_init(self.head_weight, "Wfc"), _init(self.head_bias, "bfc")]
        nodes.append(helper.make_node("Gemm", ["f", "Wfc", "bfc"], ["logits"], name="fc", transB=1))
        F = TensorProto.FLOAT
        graph = helper.make_graph(
            nodes, name, [helper.make_tensor_value_info("x", F, ["N", *self.input_shape])],
            [helper.make_tensor_value_info("logits", F, ["N", self.head_weight.shape[0]])], inits)
        return _finish(graph, self.describe())

    def lowered(self, form: str = "fused"):
        """The canonical network of the exported model (:func:`regioncount.load`'s lowering)."""
        from ..io import read_onnx
        from ..lowering import lower

        return lower(read_onnx(self.to_onnx(form)))


def _init(a, name):
    from onnx import numpy_helper

    return numpy_helper.from_array(np.asarray(a, dtype=np.float32), name)


def _meta(conv: DCFConv, l: int, role: str) -> str:
    d = {"layer": l, "form": role, "basis": conv.basis, "kernel": conv.kernel,
         "bases": conv.n_bases}
    if conv.seed is not None:
        d["seed"] = int(conv.seed)
    return META_PREFIX + json.dumps(d)


def _export_conv(conv: DCFConv, l: int, cur: str, form: str, nodes: list, inits: list) -> str:
    """Append the nodes of one DCF convolution; returns its output tensor name."""
    from onnx import helper

    L, K, Ci, Co = conv.kernel, conv.n_bases, conv.in_channels, conv.out_channels
    same = dict(kernel_shape=[L, L], pads=[L // 2] * 4, strides=[1, 1])
    if form == "fused":
        inits += [_init(conv.filters(), f"W{l}"), _init(conv.bias, f"b{l}")]
        node = helper.make_node("Conv", [cur, f"W{l}", f"b{l}"], [f"c{l}"], name=f"conv{l}", **same)
        if conv.basis != "pixel":
            node.doc_string = _meta(conv, l, "fused")
        nodes.append(node)
        return f"c{l}"
    inits += [_init(np.tile(conv.bases, (Ci, 1, 1))[:, None], f"B{l}"),
              _init(conv.coef.reshape(Co, Ci * K, 1, 1), f"A{l}"), _init(conv.bias, f"b{l}")]
    first = helper.make_node("Conv", [cur, f"B{l}"], [f"d{l}"], name=f"conv{l}_bases",
                             group=Ci, **same)
    second = helper.make_node("Conv", [f"d{l}", f"A{l}", f"b{l}"], [f"c{l}"],
                              name=f"conv{l}_coef", kernel_shape=[1, 1])
    first.doc_string, second.doc_string = _meta(conv, l, "bases"), _meta(conv, l, "coefficients")
    nodes += [first, second]
    return f"c{l}"


def _finish(graph, doc: str):
    return finish(graph, doc, "regioncount.builders.dcf")


def _check_fit(input_shape, channels) -> None:
    """Every pooling needs at least 2x2 inputs."""
    _, h, w = input_shape
    for l in range(len(channels)):
        if h < 2 or w < 2:
            raise RegioncountError(
                f"channels {','.join(map(str, channels))} do not fit input shape "
                f"{','.join(map(str, input_shape))}: layer {l + 1} gets {h}x{w} inputs, too "
                "small for its 2x2 pooling (fewer layers or a larger input)")
        h, w = h // 2, w // 2


def build_dcf_net(kernel: int = 5, bases: int | None = 3, channels=(4, 8),
                  input_shape=(1, 12, 12), classes: int = 10, pool: str = "max",
                  basis: str = "fourier-bessel", seed: int = 0) -> DCFNet:
    """An untrained DCF network with seeded weights.

    Each entry of ``channels`` is a DCF convolution (``kernel x kernel``, the first ``bases``
    bases of kind ``basis``; ``basis="pixel"`` gives the plain CNN of the same shape), then ReLU
    and 2x2 ``pool`` pooling; a dense head gives ``classes`` logits. Coefficients are
    ``N(0, 2 / (C_in K))`` (He initialisation of the composed filters, the bases being
    normalised), biases ``N(0, 0.1^2)``, the head ``N(0, 1 / features)``; random bases of layer
    ``l`` use seed ``seed + 1 + l``.

    Raises
    ------
    RegioncountError
        Even or too small kernel, ``bases`` out of range, unknown pool or basis, channels that
        do not fit the input shape.
    """
    input_shape = positive_ints(input_shape, "input shape")
    if len(input_shape) != 3:
        raise RegioncountError(f"input shape {','.join(map(str, input_shape))}: expected C,H,W")
    channels = positive_ints(channels, "channels")
    if pool not in POOLS:
        raise RegioncountError(f"pool {pool!r}: choose one of {', '.join(POOLS)}")
    _check_fit(input_shape, channels)
    rng = np.random.default_rng(seed)
    convs, c_in = [], input_shape[0]
    for l, c_out in enumerate(channels):
        bseed = seed + 1 + l if basis == "random" else None
        psi = make_basis(basis, kernel, bases, bseed)
        K = len(psi)
        coef = rng.normal(scale=np.sqrt(2.0 / (c_in * K)), size=(c_out, c_in, K))
        convs.append(DCFConv(coef, psi, rng.normal(scale=0.1, size=c_out), basis, bseed))
        c_in = c_out
    net = DCFNet(input_shape, tuple(convs), np.zeros((0, 0)), np.zeros(0), pool)
    feat = int(np.prod(net.conv_input_shapes()[-1]))
    head = rng.normal(scale=np.sqrt(1.0 / feat), size=(int(classes), feat))
    return DCFNet(input_shape, tuple(convs), head, rng.normal(scale=0.1, size=int(classes)), pool)


# ---------------------------------------------------------------------------------------------
# network Lipschitz bound

def _max_groups_factor(s) -> float:
    """L2 Lipschitz constant bound of max over index groups: ``sqrt`` of the largest number of
    groups an input belongs to (1 for non-overlapping pooling)."""
    return float(np.sqrt(np.bincount(s.indices).max())) if s.indices.size else 0.0


#: stage kind -> L2 Lipschitz constant (affine: exact spectral norm; PWL units: a bound).
LIPSCHITZ: dict[str, Callable] = {
    "affine": lambda s: _spectral_norm(s.weights[0]),
    "relu": lambda s: 1.0,
    "leaky_relu": lambda s: float(max(1.0, np.abs(s.alpha).max(initial=0.0))),
    "clip": lambda s: 1.0,
    "max": _max_groups_factor,
}


def network_lipschitz_bound(net) -> float:
    """Upper bound on the L2 Lipschitz constant of a chain :class:`~regioncount.network.Network`:
    the product over its stages of each stage's constant (:data:`LIPSCHITZ`; the exact spectral
    norm of every affine stage, zero padding and pooling included; ReLU is 1-Lipschitz)."""
    if not net.is_chain():
        raise RegioncountError("the product Lipschitz bound needs a chain network (no residual "
                               "branches)")
    out = 1.0
    for s in net.stages[1: net.output + 1]:
        if s.kind not in LIPSCHITZ:
            raise RegioncountError(f"no Lipschitz constant for {s.kind} stages")
        out *= LIPSCHITZ[s.kind](s)
    return float(out)


# ---------------------------------------------------------------------------------------------
# reading models: dcf-norms

@dataclass(frozen=True)
class DCFNormsResult:
    """What ``regioncount dcf-norms`` reports: one :class:`LayerNorms` per convolution layer,
    the network's Lipschitz bound (:func:`network_lipschitz_bound`; None for a DAG) and the
    Conv nodes that were not analysed, with the reason."""

    model: str
    layers: tuple
    lipschitz_bound: float | None
    skipped: tuple = ()

    def to_json(self) -> dict:
        from ..results import jsonable

        return {"model": self.model, "layers": [l.to_json() for l in self.layers],
                "lipschitz_bound": jsonable(self.lipschitz_bound), "skipped": list(self.skipped)}


def _node_meta(graph, name: str) -> dict:
    doc = graph.nodes[name].doc_string if name in graph.nodes else ""
    if not doc.startswith(META_PREFIX):
        return {}
    try:
        return json.loads(doc[len(META_PREFIX):])
    except json.JSONDecodeError:
        raise ModelError(graph.path, "unreadable DCF metadata in the doc_string", name,
                         "Conv") from None


def _conv_info(graph, layer):
    """``(W, (C, H, W) input shape, attrs)`` of a 2-D Conv, or a reason it cannot be read."""
    W = graph.constants.get(layer.inputs[1]) if len(layer.inputs) > 1 else None
    info = graph.tensor_info(layer.inputs[0])
    if W is None or np.ndim(W) != 4:
        return "not a 2-D Conv with constant weights"
    shape = info.shape if info is not None else None
    if shape is None or len(shape) != 4 or not all(isinstance(d, int) for d in shape[1:]):
        return "input shape unknown"
    return np.asarray(W, float), tuple(shape[1:]), layer.attrs


def _unit(attrs, key) -> bool:
    return all(int(v) == 1 for v in attrs.get(key, (1, 1)))


def _two_stage(graph, layer, W, shape, attrs):
    """``(DCFConv, second layer, pads)`` when ``layer`` is the depthwise half of a two-stage DCF
    layer, else None."""
    C, L = shape[0], W.shape[2]
    if int(attrs.get("group", 1)) != C or C < 1 or W.shape[1] != 1 or W.shape[0] % C:
        return None
    K = W.shape[0] // C
    if L != W.shape[3] or L % 2 == 0 or not np.array_equal(W, np.tile(W[:K], (C, 1, 1, 1))):
        return None
    nxt = graph.consumers_of(layer.outputs[0])
    if len(nxt) != 1 or nxt[0].op != "Conv" or any(o.name == layer.outputs[0] for o in graph.outputs):
        return None
    A = graph.constants.get(nxt[0].inputs[1])
    if (A is None or np.ndim(A) != 4 or tuple(A.shape[1:]) != (C * K, 1, 1)
            or int(nxt[0].attrs.get("group", 1)) != 1 or not _unit(nxt[0].attrs, "strides")
            or any(int(p) for p in nxt[0].attrs.get("pads", ()))):
        return None
    meta = _node_meta(graph, layer.name)
    coef = np.asarray(A, float).reshape(A.shape[0], C, K)
    conv = DCFConv(coef, W[:K, 0], np.zeros(A.shape[0]), meta.get("basis", "unknown"),
                   meta.get("seed"))
    return conv, nxt[0]


def _single(graph, layer, W, shape, attrs):
    """``(DCFConv, form)`` of a group-1 Conv: fused DCF when its metadata says so, else plain."""
    meta = _node_meta(graph, layer.name)
    if meta.get("form") == "fused" and meta.get("basis") in BASES and W.shape[2] == W.shape[3]:
        psi = make_basis(meta["basis"], W.shape[2], meta.get("bases"), meta.get("seed"))
        coef, res = fit_coefficients(W, psi)
        return DCFConv(coef, psi, np.zeros(W.shape[0]), meta["basis"], meta.get("seed"), res), "fused"
    if W.shape[2] != W.shape[3]:
        return None, "plain"
    L = W.shape[2]
    coef = W.reshape(W.shape[0], W.shape[1], L * L)
    return DCFConv(coef, np.eye(L * L).reshape(L * L, L, L), np.zeros(W.shape[0]), "pixel"), "plain"


def _analyse_conv(graph, layer):
    """``(LayerNorms, names of the layers it used)`` or ``(None, reason)``."""
    got = _conv_info(graph, layer)
    if isinstance(got, str):
        return None, got
    W, shape, attrs = got
    if not (_unit(attrs, "strides") and _unit(attrs, "dilations")) or attrs.get(
            "auto_pad", "NOTSET") not in ("NOTSET", ""):
        return None, "stride, dilation or auto_pad not supported"
    pads = tuple(int(p) for p in attrs.get("pads", (0, 0, 0, 0)))
    two = _two_stage(graph, layer, W, shape, attrs)
    if two is not None:
        conv, second = two
        return conv.norms(shape[1:], f"{layer.name}+{second.name}", "two-stage", pads), \
            (layer.name, second.name)
    if int(attrs.get("group", 1)) != 1:
        return None, "grouped Conv that is not the first half of a two-stage DCF layer"
    conv, form = _single(graph, layer, W, shape, attrs)
    if conv is None:
        return None, "non-square filters"
    return conv.norms(shape[1:], layer.name, form, pads), (layer.name,)


def dcf_norms(path) -> DCFNormsResult:
    """Norms and bounds of every convolution layer of a model file (see the module docstring
    for how DCF layers are found), and the network's Lipschitz bound.

    Raises
    ------
    ModelError
        Unreadable model, or no Conv layer that could be analysed.
    """
    from ..io import read_model
    from ..lowering import lower

    graph = read_model(path)
    layers, skipped, used = [], [], set()
    for layer in graph.layers():
        if layer.op != "Conv" or layer.name in used:
            continue
        norms, got = _analyse_conv(graph, layer)
        if norms is None:
            skipped.append(f"{layer.name}: {got}")
            continue
        layers.append(norms)
        used.update(got)
    if not layers:
        raise ModelError(path, "no Conv layer to analyse" + (f" ({skipped[0]})" if skipped else ""))
    net = lower(graph)
    lip = network_lipschitz_bound(net) if net.is_chain() else None
    return DCFNormsResult(str(path), tuple(layers), lip, tuple(skipped))
