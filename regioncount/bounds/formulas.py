"""Analytic bounds on the number of activation regions, as exact Python integers.

Every function takes the architecture ``arch = (n0, n1, ..., nL)`` (input dimension first,
then the hidden widths; the final affine layer creates no regions and is not listed) and
returns an ``int``, or ``None`` when the bound's condition does not hold. Nothing here uses
floats: sums of binomials are computed with :func:`math.comb`.

Notation: ``N = n1 + ... + nL`` and ``Z(n, d) = sum_{j=0}^{min(n, d)} C(n, j)``, the largest
number of regions of ``n`` hyperplanes in ``R^d`` (Zaslavsky 1975).

References
----------
- T. Zaslavsky, *Facing up to arrangements*, Mem. AMS 154, 1975.
- G. Montufar, R. Pascanu, K. Cho, Y. Bengio, *On the number of linear regions of deep neural
  networks*, NeurIPS 2014.
- G. Montufar, *Notes on the number of linear regions of deep neural networks*, SampTA 2017.
- M. Raghu, B. Poole, J. Kleinberg, S. Ganguli, J. Sohl-Dickstein, *On the expressive power of
  deep neural networks*, ICML 2017.
- R. Arora, A. Basu, P. Mianjy, A. Mukherjee, *Understanding deep neural networks with
  rectified linear units*, ICLR 2018.
- T. Serra, C. Tjandraatmadja, S. Ramalingam, *Bounding and counting linear regions of deep
  neural networks*, ICML 2018.
- G. Montufar, Y. Ren, L. Zhang, *Sharp bounds for the number of regions of maxout networks
  and vertices of Minkowski sums*, SIAM J. Appl. Algebra Geometry 2022.

Examples
--------
>>> serra2018_upper((3, 2, 5)), serra2018_upper((3, 5, 2))
(29, 104)
>>> serra2018_lower((2, 6, 6)), montufar2014_lower((2, 6, 6))
(352, 198)
"""

from __future__ import annotations

from math import comb, log2, prod
from typing import Sequence

from ..errors import RegioncountError
from ..memory import check_memory

Arch = tuple[int, ...]


def check_arch(arch: Sequence[int]) -> Arch:
    """Validate an architecture: at least an input dimension and one hidden layer, all >= 1.

    Raises
    ------
    RegioncountError
        With a one-line message naming the offending entry.
    """
    try:
        a = tuple(int(v) for v in arch)
    except (TypeError, ValueError):
        raise RegioncountError(f"architecture {arch!r}: widths must be integers") from None
    if len(a) < 2:
        raise RegioncountError(f"architecture {'-'.join(map(str, a)) or '()'}: give the input "
                               "dimension and at least one hidden width, e.g. 2,4,4")
    for i, v in enumerate(a):
        if v < 1:
            raise RegioncountError(f"architecture {'-'.join(map(str, a))}: entry {i} is {v}, "
                                   "every width must be >= 1")
    return a


def table_bytes(n0: int, widths: Sequence[int]) -> int:
    """An upper estimate of the memory of the tables of :func:`serra_recursion` and
    :func:`hinz_histogram_upper`: per layer ``l`` about ``4 (D_l + 2)`` integers (``D_l``, the
    reachable dimension, is at most ``n0``), each of at most ``sum_l D_l log2(n_l + 1) + 1``
    bits (the recursion's values are at most ``prod_l (n_l + 1)^D_l``).

    >>> table_bytes(784, (22, 22)) < 10**6, table_bytes(10**8, (10**8, 10**8)) > 10**15
    (True, True)
    """
    d, bits, count = int(n0), 1.0, 0
    for n in widths:
        count += 4 * (d + 2)
        d = min(d, int(n))
        bits += min(float(n), d * log2(int(n) + 1))
    return int(count * (bits / 8 + 32))


def check_tables(n0: int, widths: Sequence[int]) -> None:
    """Refuse (:class:`~regioncount.errors.ResourceError`) bounds whose tables
    (:func:`table_bytes`) exceed the memory limit of :mod:`regioncount.memory`."""
    check_memory(table_bytes(n0, widths), f"the bound tables of {n0}-{'-'.join(map(str, widths))}")


def zaslavsky(n: int, d: int) -> int:
    """``Z(n, d) = sum_{j=0}^{min(n, d)} C(n, j)``: the most regions of n hyperplanes in R^d.

    >>> zaslavsky(6, 2), zaslavsky(3, 5)
    (22, 8)
    """
    return sum(comb(n, j) for j in range(min(n, d) + 1))


def hidden(arch: Sequence[int]) -> Arch:
    return tuple(arch[1:])


# -- upper bounds ----------------------------------------------------------------------------

def two_pow_n(arch: Sequence[int]) -> int:
    """``2^N``: every ReLU is on or off (Montufar et al. 2014)."""
    return 2 ** sum(hidden(arch))


def zaslavsky_shallow(arch: Sequence[int]) -> int:
    """``Z(N, n0)``: the most regions of a one-layer network with all N units (a reference
    value for comparing depth with width, not a bound on a deep network)."""
    return zaslavsky(sum(hidden(arch)), arch[0])


def zaslavsky_one_layer(arch: Sequence[int], ranks: Sequence[int] | None = None) -> int | None:
    """Exact maximum of a one-layer network, ``Z(n1, n0)``; with ``ranks = (r,)``, the rank of
    ``W``, the bound ``sum_{j<=r} C(n1, j)`` (Zaslavsky 1975; Serra et al. 2018). ``None`` for
    deeper networks."""
    if len(arch) != 2:
        return None
    n0, n1 = arch
    r = min(n0, n1) if ranks is None else min(int(ranks[0]), n0, n1)
    return sum(comb(n1, j) for j in range(r + 1))


def montufar2017_upper(arch: Sequence[int]) -> int:
    """``prod_l Z(n_l, d_l)`` with ``d_l = min(n0, n1, ..., n_l)`` (Montufar 2017)."""
    d = arch[0]
    out = 1
    for n in hidden(arch):
        d = min(d, n)
        out *= zaslavsky(n, d)
    return out


def raghu2017_upper(arch: Sequence[int]) -> int:
    """The explicit product behind Raghu et al.'s ``O(n^(L n0))``: ``prod_l Z(n_l, n0)``."""
    return prod(zaslavsky(n, arch[0]) for n in hidden(arch))


def serra_recursion(n0: int, widths: Sequence[int], ranks: Sequence[int] | None = None,
                    active: Sequence[int] | None = None,
                    inactive: Sequence[int] | None = None) -> int:
    """The recursion that evaluates Serra et al.'s sum (and its rank and stable-unit forms).

    ``R(L+1, d) = 1``;
    ``R(l, d) = sum_{j=0}^{min(d, u_l, r_l)} C(u_l, j) R(l+1, min(d, a_l + u_l - j))``
    with ``u_l = n_l - a_l - i_l`` unstable units (``a_l`` stably active, ``i_l`` stably
    inactive; both 0 without weights) and ``r_l`` the rank of ``W_l`` (``n_l`` without weights).
    The bound is ``R(1, n0)``, evaluated one layer at a time with prefix sums in
    ``O(sum_l (D_l + n_l))`` big-integer operations (``D_l`` the largest reachable dimension).

    Parameters
    ----------
    n0 : int
        Input dimension.
    widths : sequence of int
        ``n1, ..., nL``.
    ranks, active, inactive : sequence of int, optional
        Per layer.

    Examples
    --------
    >>> serra_recursion(784, (11, 11), active=(2, 1), inactive=(3, 2))
    12911
    """
    L = len(widths)
    act = tuple(active) if active is not None else (0,) * L
    ina = tuple(inactive) if inactive is not None else (0,) * L
    rk = tuple(ranks) if ranks is not None else tuple(widths)
    if not len(act) == len(ina) == len(rk) == L:
        raise RegioncountError("serra_recursion: one rank / active / inactive count per layer")
    uns = []
    for l, n in enumerate(widths):
        u = n - act[l] - ina[l]
        if u < 0 or act[l] < 0 or ina[l] < 0:
            raise RegioncountError(f"layer {l + 1}: {act[l]} active + {ina[l]} inactive units "
                                   f"exceed its width {n}")
        uns.append(u)

    check_tables(n0, widths)
    # Evaluate R(l, .) as a whole vector per layer, from the last layer back. Reachable
    # dimensions: D_0 = n0, D_{l+1} = min(D_l, a_l + u_l). With m = a + u and c = min(u, r):
    #   R(l, d) = R(l+1, d) * sum_{j <= min(d, c, m - d)} C(u, j)          (terms j <= m - d)
    #           + sum_{max(m - d + 1, 0) <= j <= min(d, c)} C(u, j) R(l+1, m - j)
    # both from prefix sums, so a layer costs O(D_l + c) big-integer operations instead of
    # O(D_l * c) (784-22-22-22-22 and CIFAR-sized conv nets alike).
    dims = [n0]
    for l in range(L):
        dims.append(min(dims[-1], act[l] + uns[l]))
    nxt = [1] * (dims[L] + 1)
    for l in range(L - 1, -1, -1):
        u, a, D, Dn = uns[l], act[l], dims[l], dims[l + 1]
        m, c = a + u, min(u, rk[l], D)     # j > D never enters R(l, d) for d <= D
        binom = [1] * (c + 1)
        for j in range(c):
            binom[j + 1] = binom[j] * (u - j) // (j + 1)
        bsum = [0] * (c + 2)           # bsum[t + 1] = sum_{j <= t} C(u, j)
        gsum = [0] * (c + 2)           # gsum[t + 1] = sum_{j <= t} C(u, j) R(l+1, m - j)
        for j in range(c + 1):
            bsum[j + 1] = bsum[j] + binom[j]
            g = binom[j] * nxt[m - j] if m - j <= Dn else 0
            gsum[j + 1] = gsum[j] + g
        cur = [0] * (D + 1)
        # the first layer is entered with d = n0 only; deeper layers with any d <= D_l
        for d in (range(D + 1) if l else (D,)):
            t1 = min(d, c, m - d)
            total = nxt[d] * bsum[t1 + 1] if t1 >= 0 else 0
            lo, hi = max(m - d + 1, 0), min(d, c)
            if hi >= lo:
                total += gsum[hi + 1] - gsum[lo]
            cur[d] = total
        nxt = cur
    return nxt[n0]


def serra2018_upper(arch: Sequence[int]) -> int:
    """Serra et al. 2018, Thm 1: ``sum_{(j_1..j_L) in J} prod_l C(n_l, j_l)`` with
    ``J = {0 <= j_l <= min(n0, n1 - j1, ..., n_{l-1} - j_{l-1}, n_l)}``, via the recursion.

    >>> serra2018_upper((10, 8, 8)), zaslavsky_shallow((10, 8, 8))
    (39203, 58651)
    """
    return serra_recursion(arch[0], hidden(arch))


def serra2018_rank_upper(arch: Sequence[int], ranks: Sequence[int]) -> int:
    """Serra et al. 2018, rank version: ``n_l`` inside the min of ``J`` replaced by
    ``rank(W_l)`` (``W_1`` is ``n1 x n0``, ``W_l`` is ``n_l x n_{l-1}``).

    >>> serra2018_rank_upper((784, 11, 11), (11, 5))
    1749222
    """
    return serra_recursion(arch[0], hidden(arch), ranks=ranks)


def serra2018_stable_upper(arch: Sequence[int], active: Sequence[int], inactive: Sequence[int],
                           ranks: Sequence[int] | None = None) -> int:
    """Serra et al.'s Theorem 1 with stably active / inactive units: this project's weight-aware
    form of the recursion (:func:`serra_recursion` with ``active`` and ``inactive``).

    Serra, Tjandraatmadja and Ramalingam (ICML 2018) bound the regions of a ReLU chain by a
    sum over the numbers of active units ``j_l``, with the dimension of a region's image capped
    by the widths before. On a domain where ``a_l`` units of layer ``l`` are stably active and
    ``i_l`` stably inactive, only ``n_l - a_l - i_l`` units can switch, and an inactive unit
    removes a dimension: the recursion counts only those units and caps the dimension by the
    units left on (docs/bounds.md). Valid on the domain on which the stability holds.

    Parameters
    ----------
    arch : sequence of int
        ``(n0, n1, ..., nL)``.
    active, inactive : sequence of int
        Stably active / stably inactive units per hidden layer (``L`` entries each).
    ranks : sequence of int, optional
        ``rank(W_l)`` per layer, which caps each layer's term as in
        :func:`serra2018_rank_upper` (default ``n_l``).

    Returns
    -------
    int
        The exact bound.

    Raises
    ------
    RegioncountError
        When ``active``, ``inactive`` or ``ranks`` do not have one entry per hidden layer, or
        a layer's stable units exceed its width.

    Examples
    --------
    >>> serra2018_stable_upper((784, 11, 11), (2, 1), (3, 2))
    12911
    >>> serra2018_stable_upper((2, 3), (0,), (0,)) == serra2018_upper((2, 3))   # none stable
    True
    """
    return serra_recursion(arch[0], hidden(arch), ranks=ranks, active=active, inactive=inactive)


def serra2020_stable_upper(arch: Sequence[int], active: Sequence[int], inactive: Sequence[int],
                           ranks: Sequence[int] | None = None) -> int:
    """Deprecated name of :func:`serra2018_stable_upper` (the bound is Serra et al.'s ICML 2018
    Theorem 1 with stable units, not a result of the AAAI 2020 paper).

    Parameters
    ----------
    arch, active, inactive, ranks
        As in :func:`serra2018_stable_upper`.

    Returns
    -------
    int
        ``serra2018_stable_upper(arch, active, inactive, ranks)``.

    Warns
    -----
    DeprecationWarning
        Always; use :func:`serra2018_stable_upper`.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore", DeprecationWarning)
    ...     serra2020_stable_upper((784, 11, 11), (2, 1), (3, 2))
    12911
    """
    import warnings

    warnings.warn("serra2020_stable_upper is deprecated: use serra2018_stable_upper (Serra, "
                  "Tjandraatmadja, Ramalingam, ICML 2018, Thm 1 with stable units)",
                  DeprecationWarning, stacklevel=2)
    return serra2018_stable_upper(arch, active, inactive, ranks=ranks)


# -- lower bounds (constructions) -------------------------------------------------------------

def montufar2014_lower(arch: Sequence[int]) -> int | None:
    """``prod_{l<L} floor(n_l / n0)^n0 * Z(nL, n0)`` when every ``n_l >= n0`` (Montufar et al.
    2014); else ``None``."""
    n0, ws = arch[0], hidden(arch)
    if any(n < n0 for n in ws):
        return None
    return prod((n // n0) ** n0 for n in ws[:-1]) * zaslavsky(ws[-1], n0)


def serra2018_lower(arch: Sequence[int]) -> int | None:
    """Serra et al. 2018, Thm 6: ``prod_{l<L} (floor(n_l / n0) + 1)^n0 * Z(nL, n0)`` when every
    ``n_l >= 3 n0``; else ``None``."""
    n0, ws = arch[0], hidden(arch)
    if any(n < 3 * n0 for n in ws):
        return None
    return prod((n // n0 + 1) ** n0 for n in ws[:-1]) * zaslavsky(ws[-1], n0)


def _arora_shape(arch: Sequence[int]) -> tuple[int, int] | None:
    """``(m, w)`` when the architecture is ``n0, 2m, w, ..., w`` with ``m >= 1``, ``w >= 2``."""
    ws = hidden(arch)
    if ws[0] % 2:
        return None
    rest = set(ws[1:])
    if len(rest) > 1:
        return None
    w = rest.pop() if rest else 2
    if w < 2:
        return None
    return ws[0] // 2, w


def arora2018_lower(arch: Sequence[int]) -> int | None:
    """Arora et al. 2018: ``2 sum_{j<n0} C(m-1, j) w^(L-1)`` for a first layer of ``2m`` units
    followed by ``L-1`` layers of width ``w >= 2``; else ``None``."""
    s = _arora_shape(arch)
    if s is None:
        return None
    m, w = s
    return 2 * sum(comb(m - 1, j) for j in range(arch[0])) * w ** (len(arch) - 2)


def serra2018_thm7_lower(arch: Sequence[int]) -> int | None:
    """Serra et al. 2018, Thm 7: ``2 sum_{j<n0} C(m-1, j) (w+1)^(L-1)`` (same shape as Arora
    et al.: ``2m`` units, then width ``w >= 2``); else ``None``."""
    s = _arora_shape(arch)
    if s is None:
        return None
    m, w = s
    return 2 * sum(comb(m - 1, j) for j in range(arch[0])) * (w + 1) ** (len(arch) - 2)


def exact_max_n0_1(arch: Sequence[int]) -> int | None:
    """The exact maximum ``prod_l (n_l + 1)`` for input dimension 1 when every layer but the
    last has ``n_l >= 3`` units (Serra et al. 2018: their upper bound equals it, and the
    sawtooth construction of :mod:`regioncount.bounds.construct` reaches it); else ``None``.

    >>> exact_max_n0_1((1, 3, 3, 3)), exact_max_n0_1((1, 2, 2))
    (64, None)
    """
    if arch[0] != 1 or any(n < 3 for n in hidden(arch)[:-1]):
        return None
    return prod(n + 1 for n in hidden(arch))


# -- maxout -----------------------------------------------------------------------------------

def maxout_hyperplanes(k: int) -> int:
    """``k (k - 1) / 2``: the pairwise comparisons of a rank-k maxout unit."""
    return k * (k - 1) // 2


def hyperplane_product(n0: int, sizes: Sequence[int], hyperplanes: Sequence[int]) -> int:
    """``prod_l Z(h_l, d_l)`` with ``d_l = min(n0, size_1, ..., size_l)`` for layers whose
    units cut each region of the layers before by at most ``h_l`` hyperplanes: Montufar 2017
    for ReLU (``h_l = n_l``), Serra et al.'s Thm 8 for maxout (``h_l = k(k-1)/2 n_l``), and
    their common form for mixed chains (a clip unit is two parallel hyperplanes)."""
    d, out = n0, 1
    for n, h in zip(sizes, hyperplanes):
        d = min(d, n)
        out *= zaslavsky(h, d)
    return out


def serra2018_maxout_upper(arch: Sequence[int], k: int) -> int:
    """Serra et al. 2018, Thm 8: ``prod_l sum_{j=0}^{d_l} C(k(k-1)/2 n_l, j)`` with
    ``d_l = min(n0, n1, ..., n_l)``, for ``n_l`` maxout units of rank ``k`` per layer.

    >>> serra2018_maxout_upper((1, 1, 1), 3)
    16
    """
    if k < 2:
        raise RegioncountError(f"maxout rank {k}: a maxout unit has at least 2 pieces")
    n0, ws = arch[0], hidden(arch)
    d, out = n0, 1
    for n in ws:
        d = min(d, n)
        out *= zaslavsky(maxout_hyperplanes(k) * n, d)
    return out


def maxout_one_layer_sharp(arch: Sequence[int], k: int) -> int | None:
    """Montufar, Ren, Zhang 2022: ``sum_{j=0}^{n0} C(n1, j) (k-1)^j``, the sharp maximum of
    one layer of ``n1`` rank-k maxout units; ``None`` for deeper networks.

    >>> maxout_one_layer_sharp((1, 1), 3), maxout_one_layer_sharp((2, 4), 2)
    (3, 11)
    """
    if len(arch) != 2:
        return None
    n0, n1 = arch
    return sum(comb(n1, j) * (k - 1) ** j for j in range(min(n0, n1) + 1))


# -- histogram framework ----------------------------------------------------------------------

def hinz_histogram_upper(arch: Sequence[int], ranks: Sequence[int] | None = None) -> int:
    """Hinz and van de Geer (2019): push a histogram ``h[d]`` = number of regions whose image
    has dimension ``d`` through the layers. A region of image dimension ``d`` entering a layer
    of ``n`` units (rank ``r``) gives at most ``C(n, j)`` sub-regions with ``j`` inactive units
    for ``j <= min(d, r)``, each of image dimension at most ``min(d, n - j)``. With this
    per-layer histogram the bound equals Serra et al.'s (the recursion evaluated forwards);
    it is kept as an independent evaluation order.

    >>> hinz_histogram_upper((3, 2, 5))
    29
    """
    n0 = arch[0]
    ws = hidden(arch)
    check_tables(n0, ws)
    rk = tuple(ranks) if ranks is not None else ws
    hist = [0] * n0 + [1]                 # hist[d]: regions whose image has dimension d
    for n, r in zip(ws, rk):
        D = len(hist) - 1
        c = min(n, r)
        K = min(D, n)                     # only C(n, j) and C(n, n - j) = C(n, j), j <= K, are read
        small = [1] * (K + 1)
        for j in range(K):
            small[j + 1] = small[j] * (n - j) // (j + 1)
        bsum = [0] * (K + 2)
        for j in range(K + 1):
            bsum[j + 1] = bsum[j] + small[j]
        suffix = [0] * (D + 2)            # suffix[d] = sum_{d' >= d} hist[d']
        for d in range(D, -1, -1):
            suffix[d] = suffix[d + 1] + hist[d]
        new = [0] * (min(D, n) + 1)
        # j <= n - d keeps the dimension d: C(n, j) for j <= min(d, c, n - d)
        for d in range(min(D, n) + 1):
            t = min(d, c, n - d)
            if t >= 0 and hist[d]:
                new[d] += hist[d] * bsum[t + 1]
        # j > n - d gives dimension e = n - j < d, for every d >= max(e + 1, n - e) and j <= c
        for e in range(min(D, n) + 1):
            j = n - e
            if 0 <= j <= c:
                lo = max(e + 1, j)
                if lo <= D:
                    new[e] += small[e] * suffix[lo]     # C(n, j) = C(n, e)
        hist = new
    return sum(hist)


__all__ = ["check_arch", "check_tables", "table_bytes",
           "zaslavsky", "two_pow_n", "zaslavsky_shallow", "zaslavsky_one_layer",
           "montufar2017_upper", "raghu2017_upper", "serra_recursion", "serra2018_upper",
           "serra2018_rank_upper", "serra2018_stable_upper", "montufar2014_lower",
           "serra2018_lower", "arora2018_lower", "serra2018_thm7_lower", "exact_max_n0_1",
           "maxout_hyperplanes", "hyperplane_product", "serra2018_maxout_upper",
           "maxout_one_layer_sharp", "hinz_histogram_upper"]
