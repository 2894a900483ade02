"""Networks that reach the lower bounds: a lower bound is a claim about the best weights, so
the tool that prints it can also build them.

The construction (Serra et al. 2018, Thm 6; for ``n0 = 1`` it reaches the exact maximum):

- Every hidden layer ``l < L`` splits its ``n_l`` units into ``n0`` groups of
  ``p = floor(n_l / n0) >= 3`` units (the ``n_l - p n0`` left over are switched off). Group
  ``i`` reads coordinate ``i`` of the previous layer's "folded" output ``f`` (an affine map of
  its units; ``f = `` the input scaled to ``[0, 1]^n0`` for the first layer), sets
  ``t = -1 + (p + 1) f_i`` and computes ``u_k = relu(t - k)`` for ``k != 2`` and
  ``u_2 = relu(2 - t)``. The sawtooth ``g(t) = 3 u_0 + sum_{k>=1} 2 (-1)^k u_k - 4`` has its
  ``p`` breakpoints at ``t = 0, ..., p - 1`` and slopes ``-2, +1, -1, +1, ...``: each of its
  ``p + 1`` pieces maps onto (at least) ``[0, 1]`` when ``t`` runs over ``[-1, p]``, i.e. when
  ``f_i`` runs over ``[0, 1]``. So each layer multiplies the number of cells by
  ``(p + 1)^n0`` and maps every cell onto (a superset of) ``[0, 1]^n0`` again.
- The last layer places ``n_L`` hyperplanes in general position with every vertex inside
  ``(0, 1)^n0``: every one of their ``Z(n_L, n0)`` regions meets every cell.

Total: ``prod_{l<L} (floor(n_l / n0) + 1)^n0 * Z(n_L, n0)`` activation regions on the box;
this is Serra et al.'s Thm 6 bound when every ``n_l >= 3 n0``, and ``prod (n_l + 1)``, the
exact maximum, when ``n0 = 1``. The construction needs ``n_l >= 3 n0`` only for ``l < L``.

Examples
--------
>>> c = max_regions_network((1, 3, 3), lo=-1.0, hi=4.0)
>>> c.regions, c.matches
(16, ['exact_max_n0_1', 'serra2018_lower'])
>>> c.layers[0][0].ravel().tolist(), c.layers[0][1].round(6).tolist()   # t = 0.8 x - 0.2
([0.8, 0.8, -0.8], [-0.2, -1.2, 2.2])
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from math import comb, prod

import numpy as np

from ..errors import RegioncountError
from . import formulas as F

#: The construction checks the vertices of its last layer when there are at most this many.
MAX_VERTEX_CHECK = 200_000


@dataclass(frozen=True, eq=False)
class Construction:
    """A network built to reach a lower bound.

    Attributes
    ----------
    arch : tuple of int
    layers : list of (W, b)
        Hidden layers, each followed by ReLU (no output layer: it creates no regions).
    lo, hi : float
        The box ``[lo, hi]^n0`` on which it reaches ``regions``.
    regions : int
        The number of activation regions it has on the box (by construction).
    matches : list of str
        The registry bounds equal to ``regions`` for this architecture.
    """

    arch: tuple
    layers: list = field(repr=False)
    lo: float = 0.0
    hi: float = 1.0
    regions: int = 0
    matches: list = field(default_factory=list)

    def network(self):
        """The canonical :class:`~regioncount.network.Network`."""
        from ..network import Network

        return Network.from_layers(self.layers, name="max-regions-" + "-".join(map(str, self.arch)))

    def onnx(self):
        """The ONNX model (float32 weights)."""
        from ..io.export import mlp_to_onnx

        return mlp_to_onnx(self.layers, name="max_regions_" + "_".join(map(str, self.arch)))


def sawtooth(p: int) -> tuple[np.ndarray, np.ndarray, float]:
    """The ``p``-unit sawtooth: signs ``s`` (unit k is ``relu(s_k (t - k))``), coefficients
    ``c`` and constant ``K`` with ``g(t) = sum_k c_k relu(s_k (t - k)) + K``.

    >>> s, c, K = sawtooth(3)
    >>> s.tolist(), c.tolist(), K
    ([1.0, 1.0, -1.0], [3.0, -2.0, 2.0], -4.0)
    """
    if p < 3:
        raise RegioncountError(f"a sawtooth layer needs at least 3 units per input coordinate (got {p})")
    s = np.ones(p)
    s[2] = -1.0
    c = np.array([3.0] + [2.0 * (-1) ** k for k in range(1, p)])
    return s, c, float(-c[2] * 2.0)


def _last_layer(n: int, n0: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` hyperplanes ``V f = tau`` in general position in R^n0 whose vertices all lie in
    ``[0.1, 0.9]^n0`` (so every region meets the unit cube)."""
    if n0 == 1:
        return np.ones((n, 1)), (np.arange(1, n + 1) / (n + 1))
    if n < n0:   # no vertex: independent normals through (nearly) the centre
        rng = np.random.default_rng(seed)
        V = np.linalg.qr(rng.normal(size=(n0, n0)))[0][:n]
        return V, V @ np.full(n0, 0.5)
    n_vert = comb(n, n0)
    if n_vert > MAX_VERTEX_CHECK:
        raise RegioncountError(f"last layer of {n} units on {n0} inputs: {n_vert:,} vertices to "
                               f"place, more than the {MAX_VERTEX_CHECK:,} this construction checks")
    centre = np.full(n0, 0.5)
    for attempt in range(20):
        rng = np.random.default_rng(seed + attempt)
        if n0 == 2:
            th = np.pi * (np.arange(n) + 0.5 * rng.random()) / n
            V = np.stack([np.cos(th), np.sin(th)], axis=1)
        else:
            V = rng.normal(size=(n, n0))
            V /= np.linalg.norm(V, axis=1, keepdims=True)
        delta = rng.uniform(-1.0, 1.0, size=n)
        verts = []
        ok = True
        for S in itertools.combinations(range(n), n0):
            VS = V[list(S)]
            if abs(np.linalg.det(VS)) < 1e-6:
                ok = False
                break
            verts.append((S, np.linalg.solve(VS, delta[list(S)])))
        if not ok:
            continue
        # general position: no vertex on a further hyperplane (scale free: eps cancels)
        gap = min((abs(V[j] @ x - delta[j]) for S, x in verts for j in range(n) if j not in S),
                  default=1.0)
        if gap < 1e-6:
            continue
        radius = max(np.max(np.abs(x)) for _, x in verts)
        eps = 0.4 / radius
        return V, V @ centre + eps * delta
    raise RegioncountError("could not place the last layer in general position")  # pragma: no cover


def max_regions_network(arch, lo: float = 0.0, hi: float = 1.0) -> Construction:
    """Weights that reach ``prod_{l<L} (floor(n_l/n0) + 1)^n0 * Z(n_L, n0)`` regions on the box
    ``[lo, hi]^n0`` (see the module docstring).

    Parameters
    ----------
    arch : sequence of int
        ``(n0, n1, ..., nL)`` with ``n_l >= 3 n0`` for every ``l < L``.
    lo, hi : float
        The box.

    Returns
    -------
    Construction

    Raises
    ------
    RegioncountError
        When a layer before the last has fewer than ``3 n0`` units.
    """
    a = F.check_arch(arch)
    lo, hi = float(lo), float(hi)
    if not hi > lo:
        raise RegioncountError(f"box [{lo:g}, {hi:g}]: need lo < hi")
    n0, ws = a[0], a[1:]
    for l, n in enumerate(ws[:-1], start=1):
        if n < 3 * n0:
            raise RegioncountError(
                f"architecture {'-'.join(map(str, a))}: layer {l} has {n} units, the construction "
                f"needs n_l >= 3 n0 = {3 * n0} for every layer but the last (Serra et al. 2018, Thm 6)")
    # f = P h + q: the folded coordinates read from the previous layer (the input at first)
    P = np.eye(n0) / (hi - lo)
    q = np.full(n0, -lo / (hi - lo))
    layers = []
    for n in ws[:-1]:
        p = n // n0
        s, c, K = sawtooth(p)
        W = np.zeros((n, P.shape[1]))
        b = np.full(n, -1.0)            # left-over units: always off
        newP = np.zeros((n0, n))
        for i in range(n0):
            rows = slice(i * p, (i + 1) * p)
            # t = -1 + (p + 1) f_i ; unit k: relu(s_k (t - k))
            W[rows] = s[:, None] * (p + 1) * P[i][None, :]
            b[rows] = s * (-1.0 + (p + 1) * q[i] - np.arange(p))
            newP[i, rows] = c
        layers.append((W, b))
        P, q = newP, np.full(n0, K)
    V, tau = _last_layer(ws[-1], n0)
    layers.append((V @ P, V @ q - tau))
    regions = prod((n // n0 + 1) ** n0 for n in ws[:-1]) * F.zaslavsky(ws[-1], n0)
    from .registry import bounds_for_arch

    rep = bounds_for_arch(a)
    matches = [k for k, v in rep.bounds.items() if v == regions and rep.kinds[k] in ("lower", "exact")]
    return Construction(a, layers, lo, hi, regions, matches)


__all__ = ["Construction", "max_regions_network", "sawtooth", "MAX_VERTEX_CHECK"]
