"""Rigorous arithmetic for certificates: floats with a proven error bound, and exact rationals.

Every float64 is an exact rational, so the canonical network (its weights as stored) is an exact
piecewise-linear function of exact rationals. :mod:`regioncount.enumeration.certify` decides its
questions in two tiers:

1. **floats with error bounds.** A value ``v`` comes with ``e`` such that the exact value lies
   in ``[v - e, v + e]``. For a sum of ``k`` products computed in float64 the rounding error is
   at most ``gamma(k) * sum |terms|`` (Higham, *Accuracy and Stability of Numerical
   Algorithms*, 2nd ed., section 3.1), with ``gamma(k) = k u / (1 - k u)`` and ``u = 2^-53``.
   Error bounds are themselves computed in floats, so each is inflated by :data:`INFLATE`.
2. **exact rationals** (:class:`Q`), where a float decision is too close to call: slow, used on
   the few decisions that need it.

Examples
--------
>>> a = Q(0.1) + Q(0.2)
>>> a == Q(0.3), float(a) == 0.1 + 0.2
(False, True)
>>> np.dot(exact(np.array([0.5, 0.25])), exact(np.array([2.0, 4.0])))
Q(2, 1)
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import scipy.sparse as sp

#: Unit roundoff of float64.
U = 2.0 ** -53
#: Relative inflation of every error bound: covers the rounding of the bound's own
#: computation (a few ``gamma(k)`` for ``k`` far below 10^5).
INFLATE = 1.0 + 1e-9
#: Absolute floor of every error bound, covering underflow (each operation may lose one
#: subnormal unit, 2^-1074; far fewer than 10^20 operations feed one value). It is 0 while
#: :func:`no_underflow` holds (then no product of the computation can underflow), and an
#: exactly zero float with a zero bound is then an exact zero.
FLOOR = 0.0
#: The floor when underflow cannot be ruled out.
UNDERFLOW_FLOOR = 1e-300


def no_underflow(values, depth: int) -> bool:
    """Whether no product of at most ``depth`` nonzero factors taken from ``values`` (every
    weight, bias, breakpoint, slope and coordinate of a computation) can fall below 2^-1000,
    so that nothing in it underflows: sums of such products are exact multiples of their
    smallest term's unit in the last place, never subnormal unless zero."""
    lo = np.inf
    for v in values:
        a = np.abs(np.asarray(v.data if sp.issparse(v) else v, float)).ravel()
        a = a[(a > 0) & np.isfinite(a)]
        if a.size:
            lo = min(lo, float(a.min()))
    return not np.isfinite(lo) or depth * min(np.log2(lo), 0.0) > -1000.0


def set_floor(value: float) -> float:
    """Set :data:`FLOOR`; returns the previous value (restore it when done)."""
    global FLOOR
    old, FLOOR = FLOOR, float(value)
    return old


def gamma(k: int) -> float:
    """``k u / (1 - k u)``: the relative rounding error of a ``k``-term float64 sum of
    products."""
    return k * U / (1.0 - k * U)


class Q(Fraction):
    """An exact rational that turns floats into exact rationals before any operation, so that
    numpy object arrays of :class:`Q` mixed with float arrays stay exact."""

    __slots__ = ()

    def __repr__(self):
        return f"Q({self.numerator}, {self.denominator})"


def _q(x):
    if isinstance(x, Q):
        return x
    if isinstance(x, (float, int, np.floating, np.integer, Fraction)):
        return Q(x)
    return NotImplemented


def _binary(name):
    op = getattr(Fraction, name)

    def f(a, b):
        b = _q(b)
        if b is NotImplemented:
            return b
        return Q(op(a, b))
    f.__name__ = name
    return f


for _name in ("__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__",
              "__truediv__", "__rtruediv__"):
    setattr(Q, _name, _binary(_name))
Q.__neg__ = lambda a: Q(Fraction.__neg__(a))
Q.__abs__ = lambda a: Q(Fraction.__abs__(a))


def exact(a) -> np.ndarray:
    """An object array of :class:`Q` equal to the float array (or sparse matrix) ``a``."""
    if sp.issparse(a):
        a = a.toarray()
    a = np.asarray(a, dtype=float)
    out = np.empty(a.shape, dtype=object)
    flat = out.reshape(-1)
    for i, v in enumerate(a.reshape(-1)):
        flat[i] = Q(float(v))
    return out


def _dyadic(W) -> tuple[np.ndarray, int]:
    """``(M, e)`` with ``W = M * 2**e`` exactly: ``M`` an object array of Python ints (every
    float64 is an integer times a power of two; ``e`` is the smallest exponent of ``W``)."""
    W = np.asarray(W.toarray() if sp.issparse(W) else W, dtype=float)
    m, e = np.frexp(W)
    mant = (m * 2.0 ** 53).astype(np.int64)          # exact: 53 bits of mantissa
    e = e.astype(np.int64) - 53
    nz = mant != 0
    e0 = int(e[nz].min()) if nz.any() else 0
    out = np.empty(W.shape, dtype=object)
    flat, sh = out.reshape(-1), np.where(nz, e - e0, 0).reshape(-1)
    for i, v in enumerate(mant.reshape(-1).tolist()):
        flat[i] = v << int(sh[i])
    return out, e0


def exact_dot(W, M: np.ndarray) -> np.ndarray:
    """``W @ M`` as an object array of :class:`Q`, exactly, for a float matrix ``W`` (dense or
    sparse) and an object array ``M`` of rationals (a vector or a matrix): one product of
    Python integers (``W`` as integers times a power of two, ``M`` over the least common
    denominator of its entries) and one rational per entry of the result, instead of a
    rational per product and sum (ten to thirty times faster)."""
    Wi, e = _dyadic(W)
    flat = M.reshape(-1)
    den = math.lcm(*(int(q.denominator) for q in flat)) if flat.size else 1
    Mi = np.empty(M.shape, dtype=object)
    mflat = Mi.reshape(-1)
    for i, q in enumerate(flat):
        mflat[i] = int(q.numerator) * (den // int(q.denominator))
    P = Wi.dot(Mi)
    out = np.empty(P.shape, dtype=object)
    pflat, oflat = P.reshape(-1), out.reshape(-1)
    for i, v in enumerate(pflat):
        v = int(v)
        oflat[i] = Q(v << e, den) if e >= 0 else Q(v, den << -e)
    return out


def abs_matrix(W):
    """``|W|`` for a dense or sparse matrix."""
    return abs(W) if sp.issparse(W) else np.abs(W)


def rational_weights(y: np.ndarray, limit: int = 10 ** 6) -> np.ndarray:
    """Nonnegative float multipliers as small-denominator rationals (scaled so the largest is
    1): a float dual vector that is meant to cancel rows exactly usually does after this."""
    y = np.maximum(np.asarray(y, float), 0.0)
    top = float(y.max()) if y.size else 0.0
    out = np.empty(y.shape, dtype=object)
    for i, v in enumerate(y):
        out[i] = Q(Fraction(v / top).limit_denominator(limit)) if top > 0 else Q(0)
    return out
