"""Group-equivariant layers: finite groups as permutation actions, p4 / p4m G-CNN layers and
DeepSets layers, written as plain ONNX.

Kondor & Trivedi (*On the Generalization of Equivariance and Convolution in Neural Networks to
the Action of Compact Groups*, ICML 2018) prove that a linear layer between spaces on which a
compact group acts is equivariant if and only if it is a generalised convolution. Cohen &
Welling (*Group Equivariant Convolutional Networks*, ICML 2016) built the p4 (rotations by
quarter turns and translations) and p4m (with reflections) convolutions. This module gives

- finite groups as permutation actions (:class:`PermutationGroup`): cyclic, dihedral and
  symmetric groups, p4 and p4m on square grids (rotations about the centre) and on tori
  (with translations), actions on k-subsets, cosets and the group itself; products, inverses,
  orbits, stabilisers, double cosets;
- p4 and p4m lifting and group convolutions and orientation pooling, each one ordinary ONNX
  ``Conv`` (:func:`lift_filters`, :func:`group_conv_filters`, :class:`GroupConvNet`);
- permutation-equivariant dense layers in the DeepSets form (:class:`DeepSetsNet`).

The exported files go through :func:`regioncount.load` like any model. The equivariance
theorem as numbers and the model checker are in :mod:`regioncount.equivariance`. See
docs/groups.md.

Conventions
-----------
``perms[g, i]`` is the point to which element ``g`` sends point ``i``; element 0 is the
identity; ``table[g, h]`` is the product ``gh`` (first ``h``, then ``g``). A group acts on
vectors ``f`` indexed by the points by ``(g f)[perms[g, i]] = f[i]``.

Image elements of p4m are ``t = 4 m + r``: a quarter turn ``np.rot90(., r)`` (counter-clockwise
on the displayed array) followed, when ``m = 1``, by a flip of the rows (``np.flipud``); p4 is
``m = 0``. The product is ``(m1, r1)(m2, r2) = (m1 + m2 mod 2, (-1)^m2 r1 + r2 mod 4)``, which
is the composition of the image maps. Orientation channels are laid out ``o*|G| + t``.
"""

from __future__ import annotations

import itertools
import json
import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from ..errors import RegioncountError
from .onnxout import finish, positive_ints

#: ONNX opset of the exported models.
#: Prefix of the graph ``doc_string`` metadata written by the exporters.
META_PREFIX = "regioncount.groups: "


# ---------------------------------------------------------------------------------------------
# permutation groups

def _row_keys(a: np.ndarray) -> np.ndarray:
    """One opaque, comparable key per row of an integer array."""
    a = np.ascontiguousarray(a, dtype=np.int64)
    return a.view(np.dtype((np.void, a.dtype.itemsize * a.shape[-1]))).ravel()


def _closure_table(perms: np.ndarray) -> np.ndarray:
    """Product table of a faithful action given by all its permutations (raises when the
    permutations are not closed under composition)."""
    keys = _row_keys(perms)
    order = np.argsort(keys)
    sk = keys[order]
    if len(np.unique(sk)) != len(perms):
        raise RegioncountError("the permutations repeat: the action is not faithful; give the "
                               "product table")
    G, n = perms.shape
    ck = _row_keys(perms[:, perms].reshape(G * G, n))       # [g, h] -> perms[g][perms[h]]
    pos = np.minimum(np.searchsorted(sk, ck), G - 1)
    if np.any(sk[pos] != ck):
        raise RegioncountError("the permutations are not closed under composition")
    return order[pos].reshape(G, G)


@dataclass(frozen=True, eq=False)
class PermutationGroup:
    """A finite group acting on the points ``0 .. n-1`` by permutations.

    Build one with the constructors of this module (:func:`cyclic`, :func:`dihedral`,
    :func:`symmetric`, :func:`grid_group`, :func:`torus_group`) or :meth:`from_permutations`.
    Other actions of the same group (:meth:`regular`, :meth:`coset_action`,
    :meth:`on_subsets`, :meth:`trivial`) keep its element numbering and product table, so that
    two of them can be the input and output spaces of a layer.

    Attributes
    ----------
    name : str
    perms : ndarray of int, shape (|G|, n)
        ``perms[g, i]``: the image of point ``i`` under ``g``; row 0 is the identity.
    table : ndarray of int, shape (|G|, |G|)
        ``table[g, h]``: the index of ``gh`` (``h`` first).
    labels : tuple of str
        A name for every element.
    """

    name: str
    perms: np.ndarray
    table: np.ndarray
    labels: tuple = ()

    def __post_init__(self):
        perms = np.asarray(self.perms, dtype=np.int64)
        if perms.ndim != 2 or not len(perms):
            raise RegioncountError(f"{self.name}: permutations must be a (|G|, n) array")
        n = perms.shape[1]
        if not np.array_equal(np.sort(perms, axis=1), np.broadcast_to(np.arange(n), perms.shape)):
            raise RegioncountError(f"{self.name}: every row must be a permutation of 0..{n - 1}")
        if not np.array_equal(perms[0], np.arange(n)):
            raise RegioncountError(f"{self.name}: element 0 must be the identity")
        table = np.asarray(self.table, dtype=np.int64)
        if table.shape != (len(perms), len(perms)):
            raise RegioncountError(f"{self.name}: product table of shape {table.shape}")
        for g in range(len(perms)):      # the action respects the product: perms[gh] = g o h
            if not np.array_equal(perms[table[g]], perms[g][perms]):
                raise RegioncountError(f"{self.name}: the permutations do not follow the table")
        labels = tuple(self.labels) or tuple(f"g{g}" for g in range(len(perms)))
        object.__setattr__(self, "perms", perms)
        object.__setattr__(self, "table", table)
        object.__setattr__(self, "labels", labels)

    @classmethod
    def from_permutations(cls, name: str, perms, labels=()) -> "PermutationGroup":
        """A group given by all the permutations of a faithful action (identity first)."""
        perms = np.asarray(perms, dtype=np.int64)
        return cls(name, perms, _closure_table(perms), tuple(labels))

    # -- structure ------------------------------------------------------------------------
    @property
    def order(self) -> int:
        return int(self.perms.shape[0])

    @property
    def degree(self) -> int:
        """Number of points acted on."""
        return int(self.perms.shape[1])

    def product(self, g: int, h: int) -> int:
        """The index of ``gh`` (``h`` first, then ``g``)."""
        return int(self.table[g, h])

    def inverses(self) -> np.ndarray:
        """``inverses()[g]`` is the index of ``g^-1``."""
        return np.argmax(self.table == 0, axis=1)

    def inverse(self, g: int) -> int:
        return int(self.inverses()[g])

    def closure(self, elements) -> np.ndarray:
        """The subgroup generated by ``elements`` (sorted element indices)."""
        seen = {0}
        frontier = [0]
        gens = [int(g) for g in elements]
        while frontier:
            nxt = []
            for x in frontier:
                for g in gens:
                    y = int(self.table[g, x])
                    if y not in seen:
                        seen.add(y)
                        nxt.append(y)
            frontier = nxt
        return np.array(sorted(seen), dtype=np.int64)

    def generators(self) -> list[int]:
        """A small generating set: elements taken in order when not yet generated."""
        gens: list[int] = []
        have = {0}
        for g in range(self.order):
            if g not in have:
                gens.append(g)
                have = set(self.closure(gens).tolist())
        return gens

    def is_subgroup(self, elements) -> bool:
        e = np.unique(np.asarray(elements, dtype=np.int64))
        return len(e) > 0 and np.array_equal(self.closure(e), e)

    def _subgroup(self, elements, what: str) -> np.ndarray:
        e = np.unique(np.asarray(elements, dtype=np.int64))
        if not self.is_subgroup(e):
            raise RegioncountError(f"{what} is not a subgroup of {self.name}")
        return e

    # -- points ---------------------------------------------------------------------------
    def orbit(self, point: int) -> np.ndarray:
        """The points ``g(point)``, sorted."""
        return np.unique(self.perms[:, point])

    def orbits(self) -> list[np.ndarray]:
        """The orbits on the points (each sorted), ordered by their smallest point."""
        seen = np.zeros(self.degree, dtype=bool)
        out = []
        for i in range(self.degree):
            if not seen[i]:
                o = self.orbit(i)
                seen[o] = True
                out.append(o)
        return out

    def is_transitive(self) -> bool:
        return len(self.orbit(0)) == self.degree

    def stabiliser(self, point: int) -> np.ndarray:
        """The elements fixing ``point`` (a subgroup)."""
        return np.flatnonzero(self.perms[:, point] == point)

    def fixed_points(self) -> np.ndarray:
        """``fixed_points()[g]``: how many points ``g`` fixes."""
        return (self.perms == np.arange(self.degree)).sum(axis=1)

    def permutation_matrix(self, g: int) -> np.ndarray:
        """``P`` with ``(P f)[g(i)] = f[i]``: the action of ``g`` on vectors."""
        P = np.zeros((self.degree, self.degree))
        P[self.perms[g], np.arange(self.degree)] = 1.0
        return P

    # -- cosets ---------------------------------------------------------------------------
    def left_cosets(self, H) -> list[np.ndarray]:
        """The left cosets ``gH`` (each sorted), ordered by their smallest element."""
        H = self._subgroup(H, "H")
        seen, out = set(), []
        for g in range(self.order):
            if g not in seen:
                c = np.unique(self.table[g, H])
                seen.update(c.tolist())
                out.append(c)
        return out

    def double_cosets(self, K, H) -> list[np.ndarray]:
        """The double cosets ``K g H`` (each sorted), ordered by their smallest element."""
        K, H = self._subgroup(K, "K"), self._subgroup(H, "H")
        seen, out = set(), []
        for g in range(self.order):
            if g not in seen:
                c = np.unique(self.table[np.ix_(K, self.table[g, H])])
                seen.update(c.tolist())
                out.append(c)
        return out

    # -- other actions of the same group ----------------------------------------------------
    def action(self, name: str, perms) -> "PermutationGroup":
        """Another action of this group (same elements, same table)."""
        return PermutationGroup(name, perms, self.table, self.labels)

    def coset_action(self, H, name: str | None = None) -> "PermutationGroup":
        """The action on the left cosets ``G/H`` (a homogeneous space)."""
        cosets = self.left_cosets(H)
        where = np.empty(self.order, dtype=np.int64)
        for c, members in enumerate(cosets):
            where[members] = c
        reps = np.array([c[0] for c in cosets])
        perms = where[self.table[:, reps]]
        return self.action(name or f"{self.name}/H({len(H)})", perms)

    def regular(self, name: str | None = None) -> "PermutationGroup":
        """The action on the group itself by left multiplication (``G/{e}``)."""
        return self.action(name or f"{self.name} on itself", self.table.copy())

    def trivial(self, name: str | None = None) -> "PermutationGroup":
        """The action on one point (``G/G``)."""
        return self.action(name or f"{self.name} on a point",
                           np.zeros((self.order, 1), dtype=np.int64))

    def on_subsets(self, k: int, name: str | None = None) -> "PermutationGroup":
        """The action on the ``k``-subsets of the points (in ``itertools.combinations`` order)."""
        subsets = list(itertools.combinations(range(self.degree), int(k)))
        index = {s: j for j, s in enumerate(subsets)}
        perms = np.array([[index[tuple(sorted(p[list(s)]))] for s in subsets] for p in self.perms],
                         dtype=np.int64)
        return self.action(name or f"{self.name} on {k}-subsets", perms)


# ---------------------------------------------------------------------------------------------
# constructors

def cyclic(n: int) -> PermutationGroup:
    """C_n rotating ``n`` points: element ``k`` sends ``i`` to ``i + k mod n``."""
    n = _positive(n, "C_n needs n")
    perms = (np.arange(n)[None, :] + np.arange(n)[:, None]) % n
    return PermutationGroup.from_permutations(f"C{n}", perms, [f"r{k}" for k in range(n)])


def dihedral(n: int) -> PermutationGroup:
    """D_n (order 2n) on the ``n`` vertices of a polygon: rotations ``r k`` (``i -> i + k``)
    then reflections ``s k`` (``i -> k - i``), mod ``n``."""
    n = _positive(n, "D_n needs n")
    if n < 3:
        raise RegioncountError(f"D_{n}: the dihedral group acts faithfully on n >= 3 points")
    i, k = np.arange(n)[None, :], np.arange(n)[:, None]
    perms = np.vstack([(i + k) % n, (k - i) % n])
    labels = [f"r{j}" for j in range(n)] + [f"s{j}" for j in range(n)]
    return PermutationGroup.from_permutations(f"D{n}", perms, labels)


def symmetric(n: int) -> PermutationGroup:
    """S_n on ``n`` points (all ``n!`` permutations, ``n <= 6``), in lexicographic order."""
    n = _positive(n, "S_n needs n")
    if n > 6:
        raise RegioncountError(f"S_{n} has {math.factorial(n):,} elements; at most S_6 is built")
    perms = np.array(list(itertools.permutations(range(n))), dtype=np.int64)
    return PermutationGroup.from_permutations(f"S{n}", perms,
                                              ["".join(map(str, p)) for p in perms])


def _positive(n, what: str) -> int:
    if isinstance(n, bool) or int(n) != n or n < 1:
        raise RegioncountError(f"{what} a positive integer, got {n!r}")
    return int(n)


#: image group name -> order. c4 / d4 are the point groups of p4 / p4m, the same rotations and
#: flips about the image centre (on a bounded image the translations are those of any Conv).
IMAGE_GROUPS: dict[str, int] = {"p4": 4, "p4m": 8, "c4": 4, "d4": 8}


def _image_group(group: str) -> int:
    if group not in IMAGE_GROUPS:
        raise RegioncountError(f"unknown group {group!r} (choose from {', '.join(IMAGE_GROUPS)})")
    return IMAGE_GROUPS[group]


def element_label(t: int) -> str:
    """``id``, ``rot90``, ``rot180``, ``rot270``, then ``flip.rotR`` (rotation, then flip)."""
    m, r = divmod(int(t), 4)
    rot = "id" if r == 0 else f"rot{90 * r}"
    return rot if m == 0 else ("flip" if r == 0 else f"flip.{rot}")


def element_product(t1: int, t2: int) -> int:
    """``t1 t2`` in p4m (p4: ``t < 4``): ``(m1, r1)(m2, r2) = (m1 + m2, (-1)^m2 r1 + r2)``.

    >>> element_label(element_product(1, 4)), element_label(element_product(4, 1))
    ('flip.rot270', 'flip.rot90')
    """
    m1, r1 = divmod(int(t1), 4)
    m2, r2 = divmod(int(t2), 4)
    return 4 * ((m1 + m2) % 2) + ((-1) ** m2 * r1 + r2) % 4


def product_table(order: int) -> np.ndarray:
    """The p4 (order 4) or p4m (order 8) product table of :func:`element_product`."""
    return np.array([[element_product(a, b) for b in range(order)] for a in range(order)])


def transform(x, t: int) -> np.ndarray:
    """Element ``t`` on the last two axes of ``x``: ``np.rot90(., t % 4)``, then ``np.flipud``
    when ``t >= 4``."""
    y = np.rot90(np.asarray(x), int(t) % 4, axes=(-2, -1))
    return np.flip(y, axis=-2) if t >= 4 else y


def grid_group(N: int, group: str = "p4") -> PermutationGroup:
    """The point group of p4 (C4) or p4m (D4) on the pixels of an ``N x N`` grid, about its
    centre; pixel ``(row, col)`` is point ``row * N + col`` and element ``t`` is
    :func:`transform` ``t``.

    >>> [o.tolist() for o in grid_group(3, "p4").orbits()]
    [[0, 2, 6, 8], [1, 3, 5, 7], [4]]
    """
    order, N = _image_group(group), _positive(N, "a grid needs a size")
    idx = np.arange(N * N).reshape(N, N)
    perms = np.empty((order, N * N), dtype=np.int64)
    for t in range(order):
        perms[t, transform(idx, t).ravel()] = np.arange(N * N)   # pixel i goes to where it lands
    return PermutationGroup(f"{group} on {N}x{N}", perms, product_table(order),
                            tuple(element_label(t) for t in range(order)))


def torus_group(N: int, group: str = "p4") -> PermutationGroup:
    """p4 (order ``4 N^2``) or p4m (``8 N^2``) on the ``N x N`` torus: point-group element ``t``
    about pixel (0, 0), then the translation ``(a, b)``; element ``(a*N + b) * |H| + t``."""
    H, N = _image_group(group), _positive(N, "a torus needs a size")
    if N < 3:
        raise RegioncountError(f"{group} acts faithfully on an N x N torus with N >= 3, not {N}")
    y, x = np.divmod(np.arange(N * N), N)
    perms, labels = [], []
    for a, b in itertools.product(range(N), range(N)):
        for t in range(H):
            m, r = divmod(t, 4)
            yy, xx = y, x
            for _ in range(r):              # np.rot90 sends (row, col) to (-col, row) about 0
                yy, xx = -xx, yy
            if m:
                yy = -yy
            perms.append(((yy + a) % N) * N + (xx + b) % N)
            labels.append(f"t({a},{b}){element_label(t)}")
    return PermutationGroup.from_permutations(f"{group} on the {N}x{N} torus", np.array(perms),
                                              labels)


# ---------------------------------------------------------------------------------------------
# p4 / p4m filters

def lift_filters(w, group: str = "p4") -> np.ndarray:
    """Lifting convolution as one plain Conv: ``W[o*|G| + t, i] = t(w[o, i])``.

    ``w`` has shape ``(C_out, C_in, k, k)``; the result ``(C_out*|G|, C_in, k, k)``.
    """
    w = np.asarray(w, float)
    G = _image_group(group)
    _check_filters(w, 4, "lifting")
    return np.stack([transform(w, t) for t in range(G)], axis=1).reshape(
        w.shape[0] * G, *w.shape[1:])


def group_conv_filters(w, group: str = "p4") -> np.ndarray:
    """Group convolution as one plain Conv: ``W[o*|G| + t(g), i*|G| + t(h)] = g(w[o, i,
    t(g^-1 h)])`` (p4: ``rot90(w[o, i, (s - r) mod 4], r)``).

    ``w`` has shape ``(C_out, C_in, |G|, k, k)``; the result ``(C_out*|G|, C_in*|G|, k, k)``.
    """
    w = np.asarray(w, float)
    G = _image_group(group)
    _check_filters(w, 5, "group convolution")
    if w.shape[2] != G:
        raise RegioncountError(f"group convolution filters have {w.shape[2]} orientations; "
                               f"{group} has {G}")
    table = product_table(G)
    inv = np.argmax(table == 0, axis=1)
    Co, Ci, _, k, _ = w.shape
    W = np.empty((Co, G, Ci, G, k, k))
    for g in range(G):
        W[:, g] = transform(w[:, :, table[inv[g]]], g)      # [o, i, h] <- w[o, i, g^-1 h]
    return W.reshape(Co * G, Ci * G, k, k)


def orientation_pool_filters(channels: int, group: str = "p4") -> np.ndarray:
    """Orientation mean pooling as one 1x1 Conv: ``(C, C*|G|, 1, 1)`` with ``1/|G|`` on the
    orientations of each channel (invariant under the orientation action)."""
    G = _image_group(group)
    return (np.kron(np.eye(int(channels)), np.ones((1, G))) / G)[:, :, None, None]


def _check_filters(w: np.ndarray, ndim: int, what: str) -> None:
    if w.ndim != ndim or w.shape[-1] != w.shape[-2] or w.shape[-1] % 2 == 0:
        raise RegioncountError(f"{what} filters of shape {w.shape}: expected {ndim} axes ending "
                               "in an odd square k x k (odd kernels keep the grid centre)")


def orientation_permutation(order: int, t: int) -> np.ndarray:
    """Where element ``t`` sends each orientation channel: ``h -> t h``."""
    return product_table(order)[t]


# ---------------------------------------------------------------------------------------------
# G-CNN networks

@dataclass(frozen=True, eq=False)
class GroupConv:
    """One p4 / p4m layer: lifting (``weight (C_out, C_in, k, k)``) or group convolution
    (``weight (C_out, C_in, |G|, k, k)``), one bias per group channel (``bias (C_out,)``,
    repeated over the orientations), stride 1, "same" zero padding."""

    weight: np.ndarray
    bias: np.ndarray
    group: str = "p4"

    @property
    def lifting(self) -> bool:
        return np.ndim(self.weight) == 4

    @property
    def kernel(self) -> int:
        return int(np.shape(self.weight)[-1])

    @property
    def out_channels(self) -> int:
        return int(np.shape(self.weight)[0])

    def filters(self) -> np.ndarray:
        """The plain Conv weight."""
        return (lift_filters if self.lifting else group_conv_filters)(self.weight, self.group)

    def conv_bias(self) -> np.ndarray:
        """The plain Conv bias: each channel's bias on its ``|G|`` orientations."""
        return np.repeat(np.asarray(self.bias, float), IMAGE_GROUPS[self.group])

    def params(self) -> int:
        return int(np.size(self.weight) + np.size(self.bias))


#: 2x2 spatial pooling after a layer's ReLU -> (ONNX op, numpy reference).
POOLS: dict[str, tuple[str, Callable]] = {
    "max": ("MaxPool", lambda x: _blocks(x).max(axis=(3, 5))),
    "avg": ("AveragePool", lambda x: _blocks(x).mean(axis=(3, 5))),
}
#: orientation pooling -> numpy reference on ``(N, C, |G|, H, W)``.
ORIENTATION_POOLS: dict[str, Callable] = {"max": lambda x: x.max(axis=2),
                                          "mean": lambda x: x.mean(axis=2)}


def _blocks(x):
    n, c, h, w = x.shape
    return x.reshape(n, c, h // 2, 2, w // 2, 2)


@dataclass(frozen=True, eq=False)
class GroupConvNet:
    """A p4 / p4m G-CNN: a lifting layer and group convolutions, each followed by ReLU and
    optional 2x2 pooling; then optional orientation pooling (``max``: Reshape + ReduceMax;
    ``mean``: one 1x1 Conv), optional global average pooling, and an optional dense head.

    Without a head the output is the last feature map (equivariant: the group acts on its
    grid and on its orientation channels; invariant in the orientations after orientation
    pooling). Build one with :func:`build_group_net`; write it with :meth:`to_onnx`.
    """

    group: str
    input_shape: tuple
    layers: tuple
    pool: str | None = None
    orientation_pool: str | None = None
    global_pool: bool = False
    head_weight: np.ndarray | None = None
    head_bias: np.ndarray | None = None

    @property
    def order(self) -> int:
        return IMAGE_GROUPS[self.group]

    def feature_shape(self) -> tuple:
        """``(C, H, W)`` of the features before Flatten / the head."""
        c, h, w = self.input_shape
        for layer in self.layers:
            c = layer.out_channels * self.order
            if self.pool:
                h, w = h // 2, w // 2
        if self.orientation_pool:
            c //= self.order
        return (c, 1, 1) if self.global_pool else (c, h, w)

    def forward(self, x) -> np.ndarray:
        """The output of a batch (anything that reshapes to ``(N, *input_shape)``), float64."""
        from .dcf import dcf_conv2d

        h = np.asarray(x, float).reshape((-1,) + tuple(self.input_shape))
        for layer in self.layers:
            h = np.maximum(dcf_conv2d(h, layer.filters(), layer.conv_bias()), 0.0)
            if self.pool:
                h = POOLS[self.pool][1](h)
        n, c, hh, ww = h.shape
        if self.orientation_pool:
            h = ORIENTATION_POOLS[self.orientation_pool](h.reshape(n, c // self.order,
                                                                    self.order, hh, ww))
        if self.global_pool:
            h = h.mean(axis=(2, 3), keepdims=True)
        if self.head_weight is None:
            return h
        return h.reshape(n, -1) @ self.head_weight.T + self.head_bias

    def params(self) -> int:
        head = 0 if self.head_weight is None else self.head_weight.size + self.head_bias.size
        return sum(layer.params() for layer in self.layers) + int(head)

    def dense_params(self) -> int:
        """Parameters of the plain CNN with the same Conv shapes."""
        n = 0
        for layer in self.layers:
            W = layer.filters()
            n += W.size + W.shape[0]
        head = 0 if self.head_weight is None else self.head_weight.size + self.head_bias.size
        return int(n + head)

    def describe(self) -> str:
        parts = [f"[{','.join(map(str, self.input_shape))}]"]
        for layer in self.layers:
            k = layer.kernel
            kind = "lift" if layer.lifting else "gconv"
            parts += [f"{self.group} {kind}({layer.out_channels}x{self.order}, {k}x{k})", "Relu"]
            if self.pool:
                parts.append(f"{POOLS[self.pool][0]} 2x2")
        if self.orientation_pool:
            parts.append(f"orientation {self.orientation_pool}")
        if self.global_pool:
            parts.append("GlobalAveragePool")
        if self.head_weight is not None:
            parts.append(f"Gemm({self.head_weight.shape[0]})")
        return " -> ".join(parts)

    def to_onnx(self, name: str = "gcnn", features_output: bool = False):
        """Plain ONNX: one ``Conv`` per layer (:meth:`GroupConv.filters`), ``Relu``, pooling,
        orientation pooling, ``GlobalAveragePool``, ``Flatten`` and ``Gemm``. Input ``x [N, C,
        H, W]``; output ``y`` (no head) or ``logits``; ``features_output`` adds the features
        before ``Flatten`` as a second output ``features``."""
        from onnx import TensorProto, helper

        nodes, inits, cur = [], [], "x"
        for l, layer in enumerate(self.layers):
            k = layer.kernel
            inits += [_init(layer.filters(), f"W{l}"), _init(layer.conv_bias(), f"b{l}")]
            node = helper.make_node("Conv", [cur, f"W{l}", f"b{l}"], [f"c{l}"], name=f"conv{l}",
                                    kernel_shape=[k, k], pads=[k // 2] * 4, strides=[1, 1])
            node.doc_string = META_PREFIX + json.dumps(
                {"group": self.group, "layer": "lifting" if layer.lifting else "group"})
            nodes += [node, helper.make_node("Relu", [f"c{l}"], [f"r{l}"], name=f"relu{l}")]
            cur = f"r{l}"
            if self.pool:
                nodes.append(helper.make_node(POOLS[self.pool][0], [cur], [f"p{l}"], name=f"pool{l}",
                                              kernel_shape=[2, 2], strides=[2, 2]))
                cur = f"p{l}"
        cur = self._export_pooling(cur, nodes, inits)
        F = TensorProto.FLOAT
        feat = list(self.feature_shape())
        if self.head_weight is None:
            nodes.append(helper.make_node("Identity", [cur], ["y"], name="output"))
            outputs = [helper.make_tensor_value_info("y", F, ["N", *feat])]
        else:
            nodes.append(helper.make_node("Flatten", [cur], ["f"], name="flatten", axis=1))
            inits += [_init(self.head_weight, "Wfc"), _init(self.head_bias, "bfc")]
            nodes.append(helper.make_node("Gemm", ["f", "Wfc", "bfc"], ["logits"], name="fc",
                                          transB=1))
            outputs = [helper.make_tensor_value_info("logits", F, ["N", self.head_weight.shape[0]])]
            if features_output:
                nodes.append(helper.make_node("Identity", [cur], ["features"], name="features"))
                outputs.append(helper.make_tensor_value_info("features", F, ["N", *feat]))
        graph = helper.make_graph(
            nodes, name, [helper.make_tensor_value_info("x", F, ["N", *self.input_shape])],
            outputs, inits)
        return _finish(graph, self.describe())

    def _export_pooling(self, cur: str, nodes: list, inits: list) -> str:
        """Orientation pooling and global pooling nodes; returns the last tensor name."""
        from onnx import helper

        c = self.layers[-1].out_channels
        if self.orientation_pool == "mean":
            inits.append(_init(orientation_pool_filters(c, self.group), "Wopool"))
            nodes.append(helper.make_node("Conv", [cur, "Wopool"], ["o"], name="orientation_pool",
                                          kernel_shape=[1, 1]))
            cur = "o"
        elif self.orientation_pool == "max":
            h, w = self._grid()
            inits.append(_init(np.array([-1, c, self.order, h, w]), "oshape", np.int64))
            nodes += [helper.make_node("Reshape", [cur, "oshape"], ["o5"], name="orientations"),
                      helper.make_node("ReduceMax", ["o5"], ["o"], name="orientation_pool",
                                       axes=[2], keepdims=0)]
            cur = "o"
        if self.global_pool:
            nodes.append(helper.make_node("GlobalAveragePool", [cur], ["gap"], name="global_pool"))
            cur = "gap"
        return cur

    def _grid(self) -> tuple:
        _, h, w = self.input_shape
        for _ in self.layers:
            if self.pool:
                h, w = h // 2, w // 2
        return h, w

    def lowered(self):
        """The canonical network of the exported model (:func:`regioncount.load`'s lowering)."""
        from ..io import read_onnx
        from ..lowering import lower

        return lower(read_onnx(self.to_onnx()))


def _init(a, name, dtype=np.float32):
    from onnx import numpy_helper

    return numpy_helper.from_array(np.asarray(a, dtype=dtype), name)


def _finish(graph, doc: str):
    return finish(graph, doc, "regioncount.builders.groups")


def _check_shape(group, channels, kernel, input_shape, pool) -> None:
    """Equivariance holds exactly with odd kernels, square grids and (2x2 pooling) even sizes
    at every pooled layer."""
    if len(input_shape) != 3:
        raise RegioncountError(f"input shape {','.join(map(str, input_shape))}: expected C,H,W")
    c, h, w = input_shape
    if h != w:
        raise RegioncountError(f"input shape {c},{h},{w}: {group} acts on square images (H = W)")
    if len(channels) < 2 or channels[0] != c:
        raise RegioncountError(f"channels {','.join(map(str, channels))}: expected the input "
                               f"channels ({c}) first, then at least one layer")
    if isinstance(kernel, bool) or int(kernel) != kernel or kernel < 1 or kernel % 2 == 0:
        raise RegioncountError(f"kernel {kernel}: odd sizes keep the grid centre (1, 3, 5, ...)")
    for l in range(len(channels) - 1):
        if pool and h % 2:
            raise RegioncountError(
                f"layer {l + 1} gets {h}x{h} inputs: 2x2 pooling needs even sizes to keep the "
                "grid centre (fewer layers or another input size)")
        h = h // 2 if pool else h


def build_group_net(group: str = "p4", channels=(1, 4, 4), kernel: int = 3,
                    input_shape=(1, 9, 9), seed: int = 0, pool: str | None = None,
                    orientation_pool: str | None = None, global_pool: bool = False,
                    classes: int | None = None) -> GroupConvNet:
    """An untrained p4 / p4m G-CNN with seeded weights.

    ``channels[0]`` is the input's channel count; ``channels[1]`` the lifting layer's output
    channels (each ``|G|`` orientations), then one group convolution per further entry. Every
    layer is followed by ReLU (and 2x2 ``pool`` pooling). Weights are ``N(0, 2 / fan_in)`` (He),
    biases ``N(0, 0.1^2)``, the head (when ``classes``) ``N(0, 1 / features)``.

    Raises
    ------
    RegioncountError
        Unknown group or pooling, even kernel, non-square input, channels that do not start
        with the input channels, odd sizes before 2x2 pooling.
    """
    G = _image_group(group)
    input_shape = positive_ints(input_shape, "input shape")
    channels = positive_ints(channels, "channels")
    if pool not in (None, *POOLS):
        raise RegioncountError(f"pool {pool!r}: choose one of {', '.join(POOLS)}")
    if orientation_pool not in (None, *ORIENTATION_POOLS):
        raise RegioncountError(f"orientation pooling {orientation_pool!r}: choose one of "
                               f"{', '.join(ORIENTATION_POOLS)}")
    _check_shape(group, channels, kernel, input_shape, pool)
    rng = np.random.default_rng(seed)
    k, layers = int(kernel), []
    for l, (ci, co) in enumerate(zip(channels, channels[1:])):
        shape = (co, ci, k, k) if l == 0 else (co, ci, G, k, k)
        fan_in = int(np.prod(shape[1:]))
        layers.append(GroupConv(rng.normal(scale=np.sqrt(2.0 / fan_in), size=shape),
                                rng.normal(scale=0.1, size=co), group))
    net = GroupConvNet(group, input_shape, tuple(layers), pool, orientation_pool, global_pool)
    if classes is None:
        return net
    feat = int(np.prod(net.feature_shape()))
    head = rng.normal(scale=np.sqrt(1.0 / feat), size=(int(classes), feat))
    return GroupConvNet(group, input_shape, tuple(layers), pool, orientation_pool, global_pool,
                        head, rng.normal(scale=0.1, size=int(classes)))


# ---------------------------------------------------------------------------------------------
# DeepSets: permutation-equivariant dense layers

@dataclass(frozen=True, eq=False)
class DeepSetsLayer:
    """``y_i = lam @ x_i + gam @ mean_j x_j + bias`` for the ``n`` elements ``x_i`` of a set
    (Zaheer et al.'s DeepSets form): the general S_n-equivariant linear layer (dimension 2
    per pair of features, :mod:`regioncount.equivariance`)."""

    lam: np.ndarray
    gam: np.ndarray
    bias: np.ndarray

    def matrix(self, n: int) -> np.ndarray:
        """The dense weight on flat sets, element-major (``x[i*d + c]``):
        ``kron(I_n, lam) + kron(ones(n, n) / n, gam)``."""
        return (np.kron(np.eye(n), np.asarray(self.lam, float))
                + np.kron(np.ones((n, n)) / n, np.asarray(self.gam, float)))

    def flat_bias(self, n: int) -> np.ndarray:
        return np.tile(np.asarray(self.bias, float), n)


@dataclass(frozen=True, eq=False)
class DeepSetsNet:
    """DeepSets layers with ReLU on sets of ``n`` elements of ``d`` features (input flat,
    ``n*d``, element-major); then, when there is a head, an invariant ``mean`` or ``max``
    over the elements and a dense head. Without a head the output is equivariant."""

    n: int
    layers: tuple
    readout: str = "mean"
    head_weight: np.ndarray | None = None
    head_bias: np.ndarray | None = None

    @property
    def features(self) -> int:
        return int(np.shape(self.layers[0].lam)[1])

    def forward(self, x) -> np.ndarray:
        h = np.asarray(x, float).reshape(-1, self.n * self.features)
        for layer in self.layers:
            h = np.maximum(h @ layer.matrix(self.n).T + layer.flat_bias(self.n), 0.0)
        if self.head_weight is None:
            return h
        h = h.reshape(len(h), self.n, -1)
        h = h.mean(axis=1) if self.readout == "mean" else h.max(axis=1)
        return h @ self.head_weight.T + self.head_bias

    def to_onnx(self, name: str = "deepsets"):
        """Plain ONNX: one ``Gemm`` per layer and ``Relu``; the mean readout is folded into
        the head's ``Gemm``, the max readout is ``Reshape`` + ``ReduceMax``."""
        from onnx import TensorProto, helper

        nodes, inits, cur = [], [], "x"
        for l, layer in enumerate(self.layers):
            inits += [_init(layer.matrix(self.n), f"W{l}"), _init(layer.flat_bias(self.n), f"b{l}")]
            nodes += [helper.make_node("Gemm", [cur, f"W{l}", f"b{l}"], [f"z{l}"], name=f"fc{l}",
                                       transB=1),
                      helper.make_node("Relu", [f"z{l}"], [f"r{l}"], name=f"relu{l}")]
            cur = f"r{l}"
        d = int(np.shape(self.layers[-1].lam)[0])
        F = TensorProto.FLOAT
        if self.head_weight is None:
            nodes.append(helper.make_node("Identity", [cur], ["y"], name="output"))
            out = helper.make_tensor_value_info("y", F, ["N", self.n * d])
        else:
            W = self.head_weight
            if self.readout == "mean":
                W = np.kron(np.ones((1, self.n)) / self.n, W)
            else:
                inits.append(_init(np.array([-1, self.n, d]), "sshape", np.int64))
                nodes += [helper.make_node("Reshape", [cur, "sshape"], ["s3"], name="elements"),
                          helper.make_node("ReduceMax", ["s3"], ["s"], name="readout", axes=[1],
                                           keepdims=0)]
                cur = "s"
            inits += [_init(W, "Wfc"), _init(self.head_bias, "bfc")]
            nodes.append(helper.make_node("Gemm", [cur, "Wfc", "bfc"], ["logits"], name="head",
                                          transB=1))
            out = helper.make_tensor_value_info("logits", F, ["N", W.shape[0]])
        graph = helper.make_graph(
            nodes, name, [helper.make_tensor_value_info("x", F, ["N", self.n * self.features])],
            [out], inits)
        return _finish(graph, f"DeepSets n={self.n}, {len(self.layers)} layers, {self.readout}")


def build_deepsets_net(n: int = 5, dims=(2, 6, 6), classes: int | None = 3,
                       readout: str = "mean", seed: int = 0) -> DeepSetsNet:
    """Seeded DeepSets layers ``dims[0] -> dims[1] -> ...`` on sets of ``n`` elements; with
    ``classes`` an invariant readout and a head, else the equivariant last layer."""
    n = _positive(n, "a set needs n")
    dims = positive_ints(dims, "dims")
    if len(dims) < 2:
        raise RegioncountError("dims: the input features, then at least one layer")
    if readout not in ("mean", "max"):
        raise RegioncountError(f"readout {readout!r}: choose mean or max")
    rng = np.random.default_rng(seed)
    layers = tuple(DeepSetsLayer(rng.normal(scale=np.sqrt(1.0 / a), size=(b, a)),
                                 rng.normal(scale=np.sqrt(1.0 / a), size=(b, a)),
                                 rng.normal(scale=0.1, size=b)) for a, b in zip(dims, dims[1:]))
    if classes is None:
        return DeepSetsNet(n, layers, readout)
    head = rng.normal(scale=np.sqrt(1.0 / dims[-1]), size=(int(classes), dims[-1]))
    return DeepSetsNet(n, layers, readout, head, rng.normal(scale=0.1, size=int(classes)))
