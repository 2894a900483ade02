"""Equivariance: the theorem of Kondor & Trivedi as numbers, and a checker for any model.

Theorem (Kondor & Trivedi, *On the Generalization of Equivariance and Convolution in Neural
Networks to the Action of Compact Groups*, ICML 2018; finite-group form): with the neurons of
two layers indexed by homogeneous spaces ``X = G/H`` (input) and ``Y = G/K`` (output) and ``G``
acting by permutations ``P_g``, ``Q_g``, a linear layer ``A`` is equivariant (``A P_g = Q_g
A``) if and only if it is a generalised convolution: a matrix constant on the G-orbits of pairs
``(y, x)``. :func:`equivariant_dimension` computes the dimension of that space three
independent ways (and, for transitive actions, a fourth):

1. ``nullspace``: the nullity of the stacked constraints ``(I kron Q_g - P_g^T kron I) vec(A) =
   0`` over generators (restricted first to the cycles of the first generator, then an SVD);
2. ``orbits``: the number of orbits of ``G`` on the pairs (connected components);
3. ``burnside``: ``(1/|G|) sum_g fix_X(g) fix_Y(g)``;
4. ``double_cosets``: ``|K \\ G / H|`` with ``H``, ``K`` the stabilisers of a point.

:func:`project_equivariant` projects a matrix onto the equivariant subspace by group averaging;
:func:`equivariance_distance` and :func:`conv_distance` say how far a layer is from it.

The checker (:func:`check_equivariance`, ``regioncount equivariance``) evaluates a model on
seeded samples and their transforms: invariant when ``f(g x) = f(x)``; equivariant when ``f(g x)
= g f(x)`` for one of the actions on the output (the group acting on the orientation channels
``o*|G| + t`` and the grid, on the grid alone, or trivially). It reports the worst error and the
element that breaks the check. See docs/equivariance.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from .builders.groups import (IMAGE_GROUPS, PermutationGroup, element_label, product_table,
                              transform)
from .errors import RegioncountError
from .tolerances import EQUIVARIANCE_RTOL, RANK_RTOL


# ---------------------------------------------------------------------------------------------
# the theorem as numbers

@dataclass(frozen=True)
class EquivariantDimension:
    """The dimension of the space of equivariant linear maps ``X -> Y``, computed three (or
    four) ways; ``channels = C_in * C_out`` multiplies every count."""

    group: str
    source: str
    target: str
    order: int
    nullspace: int | None
    orbits: int
    burnside: int
    double_cosets: int | None = None
    channels: int = 1

    @property
    def agree(self) -> bool:
        return (self.orbits == self.burnside and self.nullspace in (None, self.orbits)
                and self.double_cosets in (None, self.orbits))

    @property
    def dimension(self) -> int:
        if not self.agree:
            raise RegioncountError(f"{self.group} {self.source} -> {self.target}: the three "
                                   f"counts disagree ({self.nullspace}, {self.orbits}, "
                                   f"{self.burnside})")
        return self.orbits

    def to_json(self) -> dict:
        from .results import jsonable

        return {**{f: jsonable(getattr(self, f)) for f in self.__dataclass_fields__},
                "agree": self.agree}


#: Largest ``|X| |Y|`` for which :func:`equivariant_dimension` computes the nullspace (a dense
#: matrix of pairs by cycles of the first generator).
NULLSPACE_MAX_PAIRS = 2_500


def _same_group(gin: PermutationGroup, gout: PermutationGroup) -> None:
    if not np.array_equal(gin.table, gout.table):
        raise RegioncountError(f"{gin.name} and {gout.name} are not actions of one group "
                               "(different product tables)")


def _pair_perms(gin, gout, g) -> np.ndarray:
    """Where ``g`` sends the pair ``(y, x)``, pairs numbered ``y * |X| + x``."""
    return (gout.perms[g][:, None] * gin.degree + gin.perms[g][None, :]).ravel()


def _cycles(perm: np.ndarray) -> tuple[int, np.ndarray]:
    """Number of cycles of a permutation and the cycle label of every point."""
    from scipy.sparse.csgraph import connected_components
    import scipy.sparse as sp

    n = len(perm)
    graph = sp.csr_array((np.ones(n), (np.arange(n), perm)), shape=(n, n))
    return connected_components(graph, directed=True, connection="weak")


def _nullity(gin: PermutationGroup, gout: PermutationGroup) -> int:
    """Nullity of the stacked constraints over the generators. The kernel of one generator's
    block is spanned by the indicators of its cycles on pairs (orthonormal after scaling; the
    generator with the fewest cycles is taken); the other blocks, ``(M_g v)[pair] = v[pair] -
    v[g^-1 pair]`` (the rows of ``I kron Q_g - P_g^T kron I``, reordered), are applied to that
    basis and their rank is taken by SVD."""
    gens = gin.generators() or [0]
    pairs = {g: _pair_perms(gin, gout, g) for g in gens}
    cyc = {g: _cycles(pairs[g]) for g in gens}
    first = min(gens, key=lambda g: cyc[g][0])
    k, label = cyc[first]
    n = len(label)
    B = np.zeros((n, k))
    B[np.arange(n), label] = 1.0
    B /= np.sqrt(B.sum(axis=0))
    rows = [B - B[np.argsort(pairs[g])] for g in gens if g != first]
    if not rows:
        return int(k)
    s = np.linalg.svd(np.vstack(rows), compute_uv=False)
    return int(k - np.sum(s > RANK_RTOL * max(s[0], 1.0)))


def _pair_orbits(gin: PermutationGroup, gout: PermutationGroup) -> np.ndarray:
    """Orbit label of every pair ``(y, x)`` (connected components under the generators)."""
    from scipy.sparse.csgraph import connected_components
    import scipy.sparse as sp

    n = gin.degree * gout.degree
    gens = gin.generators() or [0]
    src = np.tile(np.arange(n), len(gens))
    dst = np.concatenate([_pair_perms(gin, gout, g) for g in gens])
    graph = sp.csr_array((np.ones(len(src)), (src, dst)), shape=(n, n))
    return connected_components(graph, directed=True, connection="weak")[1]


def _burnside(gin: PermutationGroup, gout: PermutationGroup) -> int:
    total = Fraction(int(np.dot(gin.fixed_points(), gout.fixed_points())), gin.order)
    if total.denominator != 1:
        raise RegioncountError(f"Burnside's count {total} is not an integer: not a group action")
    return int(total)


def equivariant_dimension(gin: PermutationGroup, gout: PermutationGroup, channels=(1, 1),
                          group: str | None = None) -> EquivariantDimension:
    """The dimension of the equivariant linear maps from ``gin``'s points to ``gout``'s,
    three ways (four when both actions are transitive); see the module docstring. The
    nullspace is computed when ``|X| |Y|`` is at most :data:`NULLSPACE_MAX_PAIRS` (else None:
    its dense SVD would not fit).

    Examples
    --------
    >>> from regioncount.builders.groups import symmetric
    >>> S3 = symmetric(3)
    >>> d = equivariant_dimension(S3, S3)
    >>> d.nullspace, d.orbits, d.burnside, d.double_cosets
    (2, 2, 2, 2)
    """
    _same_group(gin, gout)
    c = int(channels[0]) * int(channels[1])
    dc = None
    if gin.is_transitive() and gout.is_transitive():
        dc = len(gin.double_cosets(gout.stabiliser(0), gin.stabiliser(0)))
    return EquivariantDimension(
        group or gin.name, gin.name, gout.name, gin.order,
        c * _nullity(gin, gout) if gin.degree * gout.degree <= NULLSPACE_MAX_PAIRS else None,
        c * int(_pair_orbits(gin, gout).max() + 1),
        c * _burnside(gin, gout), None if dc is None else c * dc, c)


def equivariant_basis(gin: PermutationGroup, gout: PermutationGroup) -> np.ndarray:
    """The generalised convolutions: one 0/1 matrix ``(|Y|, |X|)`` per orbit on pairs,
    shape ``(dim, |Y|, |X|)``."""
    _same_group(gin, gout)
    label = _pair_orbits(gin, gout)
    return (label[None, :] == np.arange(label.max() + 1)[:, None]).reshape(
        -1, gout.degree, gin.degree).astype(float)


def project_equivariant(A, gin: PermutationGroup, gout: PermutationGroup) -> np.ndarray:
    """The group average ``(1/|G|) sum_g Q_g A P_g^T``: the orthogonal projection of ``A``
    (``(|Y|, |X|)``, or ``(C_out, |Y|, C_in, |X|)`` with channels) onto the equivariant maps."""
    _same_group(gin, gout)
    A = np.asarray(A, float)
    four = A.ndim == 4
    if not four:
        A = A[None, :, None, :]
    if A.shape[1] != gout.degree or A.shape[3] != gin.degree:
        raise RegioncountError(f"a matrix of shape {A.shape} does not map {gin.degree} points "
                               f"to {gout.degree}")
    out = np.zeros_like(A)
    for g in range(gin.order):
        iy, ix = np.argsort(gout.perms[g]), np.argsort(gin.perms[g])
        out += A[:, iy][:, :, :, ix]
    out /= gin.order
    return out if four else out[0, :, 0, :]


def equivariance_distance(A, gin: PermutationGroup, gout: PermutationGroup) -> float:
    """``||A - proj(A)||_F / ||A||_F``: 0 for an equivariant layer, at most 1."""
    A = np.asarray(A, float)
    norm = np.linalg.norm(A)
    return 0.0 if norm == 0 else float(np.linalg.norm(A - project_equivariant(A, gin, gout)) / norm)


def conv_project(W, group: str = "p4", orientations_in: bool = False,
                 orientations_out: bool = False) -> np.ndarray:
    """The group average of a Conv weight ``W (C_out', C_in', k, k)`` under the point group of
    ``group`` acting on the filter grid and, when asked, on the orientation channels
    (``o*|G| + t``): ``(g W)[o, g t, i, g s] = g(W[o, t, i, s])``. Its fixed points are the
    equivariant convolutions (lifting: ``orientations_out`` only; group convolution: both;
    plain convolution with rotation-invariant filters: neither)."""
    W = np.asarray(W, float)
    G = _image_order(group)
    Co, Ci, k, k2 = W.shape
    if k != k2 or k % 2 == 0:
        raise RegioncountError(f"filters of shape {W.shape[2:]}: need odd square filters")
    for flag, c, what in ((orientations_out, Co, "output"), (orientations_in, Ci, "input")):
        if flag and c % G:
            raise RegioncountError(f"{c} {what} channels are not a multiple of |G| = {G}")
    table = product_table(G)
    out = np.zeros_like(W)
    for g in range(G):
        V = transform(W, g)
        inv = np.argsort(table[g])
        if orientations_out:
            V = V.reshape(Co // G, G, Ci, k, k)[:, inv].reshape(Co, Ci, k, k)
        if orientations_in:
            V = V.reshape(Co, Ci // G, G, k, k)[:, :, inv].reshape(Co, Ci, k, k)
        out += V
    return out / G


def conv_distance(W, group: str = "p4", orientations_in: bool = False,
                  orientations_out: bool = False) -> float:
    """``||W - conv_project(W)||_F / ||W||_F`` (see :func:`conv_project`)."""
    W = np.asarray(W, float)
    norm = np.linalg.norm(W)
    if norm == 0:
        return 0.0
    P = conv_project(W, group, orientations_in, orientations_out)
    return float(np.linalg.norm(W - P) / norm)


def _image_order(group: str) -> int:
    if group not in IMAGE_GROUPS:
        raise RegioncountError(f"unknown group {group!r} (choose from {', '.join(IMAGE_GROUPS)})")
    return IMAGE_GROUPS[group]


#: How the Conv layers of a model are read for :func:`layer_distances`.
CONV_KINDS = {"plain": (False, False), "lifting": (False, True), "group": (True, True)}


def theorem_table() -> list[EquivariantDimension]:
    """The known values of the theorem (docs/equivariance.md): p4 on the 3x3 torus (pixels,
    the group), S3 (points, the group), S4 (points, 2-subsets), and C4 / D4 on k x k filters
    (from one point: the invariant filters)."""
    from .builders.groups import grid_group, symmetric, torus_group

    p4 = torus_group(3, "p4").action("pixels", torus_group(3, "p4").perms)
    S3, S4 = symmetric(3), symmetric(4)
    spaces = [("p4, 3x3 torus", p4, p4.regular("group")),
              ("S3", S3.action("points", S3.perms), S3.regular("regular")),
              ("S4", S4.action("points", S4.perms), S4.on_subsets(2, "2-subsets"))]
    rows = []
    for name, X, Y in spaces[:2]:
        rows += [equivariant_dimension(a, b, group=name) for a, b in ((X, X), (X, Y), (Y, Y))]
    rows.append(equivariant_dimension(spaces[2][1], spaces[2][2], group="S4"))
    for group, point in (("p4", "C4"), ("p4m", "D4")):
        for k in (3, 5, 7):
            G = grid_group(k, group)
            rows.append(equivariant_dimension(G.trivial("point"), G.action(f"{k}x{k} filter",
                                                                            G.perms), group=point))
    return rows


# ---------------------------------------------------------------------------------------------
# the checker

@dataclass(frozen=True)
class EquivarianceResult:
    """What ``regioncount equivariance`` reports.

    ``invariant``: ``f(g x) = f(x)`` to :data:`~regioncount.tolerances.EQUIVARIANCE_RTOL`
    (relative to the largest output). ``equivariant``: ``f(g x) = g f(x)`` for the output
    action ``action`` (an invariant model is equivariant with the trivial action).
    ``max_error`` is that action's worst error (when no action passes, the closest action's);
    ``worst_element`` the element with that error when the check fails (None when it passes);
    ``errors`` every element's error under ``action``. ``layers``: for each Conv of an ONNX
    file, its distance from the equivariant convolutions under each reading that fits.
    """

    model: str
    group: str
    order: int
    equivariant: bool
    invariant: bool
    max_error: float
    worst_element: str | None
    action: str
    invariance_error: float
    errors: dict
    samples: int
    input_shape: tuple
    output_shape: tuple
    layers: tuple = ()
    tolerance: float = EQUIVARIANCE_RTOL

    def to_json(self) -> dict:
        from .results import jsonable

        return {f: jsonable(getattr(self, f)) for f in self.__dataclass_fields__}


@dataclass(frozen=True)
class _Actions:
    """A group's action on a model: element labels, input permutations ``(g x) = x[perm]``,
    and the candidate output actions (name -> one permutation per element)."""

    group: str
    labels: tuple
    inputs: tuple
    outputs: dict = field(default_factory=dict)
    input_shape: tuple = ()


def _image_shape(shape: tuple, group: str) -> tuple[tuple, bool]:
    """``((C, H, H), hwc)``: a model input read as square images, channels first (``C,H,H``)
    or last (``H,H,C``, ``hwc``); a flat input of ``s*s`` values (size-1 axes aside) is one
    ``s x s`` image."""
    dims = tuple(int(d) for d in shape)
    if len(dims) == 4 and dims[0] == 1:
        dims = dims[1:]
    if len(dims) == 3 and dims[1] == dims[2] > 1:
        return dims, False
    if len(dims) == 3 and dims[0] == dims[1] > 1:
        return (dims[2], dims[0], dims[1]), True
    flat = [d for d in dims if d != 1]
    if len(flat) == 1:
        s = int(round(np.sqrt(flat[0])))
        if s * s == flat[0] and s > 1:
            return (1, s, s), False
    raise RegioncountError(f"group {group} does not act on input shape "
                           f"{','.join(map(str, dims))}: it needs square images C,H,H or H,H,C "
                           "(or a flat input of s*s pixels)")


def _input_perm(shape: tuple, hwc: bool, t: int, G: int) -> np.ndarray:
    """Flat permutation of element ``t`` on an input of ``shape = (C, H, H)``, stored
    channels first, or channels last when ``hwc``."""
    if not hwc:
        return _grid_perm(shape, t, G, False)
    C, H, W = shape
    idx = np.arange(C * H * W).reshape(H, W, C).transpose(2, 0, 1)
    return np.ascontiguousarray(transform(idx, t).transpose(1, 2, 0)).ravel()


def _grid_perm(shape: tuple, t: int, G: int, orientations: bool) -> np.ndarray:
    """Flat permutation of element ``t`` on a ``(C, H, W)`` tensor: the grid and, when asked,
    the orientation channels ``o*G + h -> o*G + t h``."""
    C, H, W = shape
    idx = np.arange(C * H * W).reshape(C, H, W)
    if orientations:
        inv = np.argsort(product_table(G)[t])
        idx = idx.reshape(C // G, G, H, W)[:, inv].reshape(C, H, W)
    return np.ascontiguousarray(transform(idx, t)).ravel()


def _output_actions(shape: tuple, G: int) -> dict:
    """Candidate output actions of an image group: name -> one flat permutation per element."""
    shape = tuple(int(d) for d in shape)
    m = int(np.prod(shape))
    acts = {"trivial": [np.arange(m)] * G}
    grid = shape if len(shape) == 3 else (shape[0], 1, 1) if len(shape) == 1 else None
    if grid is None:
        return acts
    C, H, W = grid
    if C % G == 0 and H == W:
        acts["orientation channels"] = [_grid_perm(grid, t, G, True) for t in range(G)]
    if H == W > 1:
        acts["grid"] = [_grid_perm(grid, t, G, False) for t in range(G)]
    return acts


def image_actions(net, group: str) -> _Actions:
    """How an image group acts on the inputs and (candidates) outputs of ``net``."""
    G = _image_order(group)
    shape, hwc = _image_shape(net.input_shape, group)
    return _Actions(group, tuple(element_label(t) for t in range(G)),
                    tuple(_input_perm(shape, hwc, t, G) for t in range(G)),
                    _output_actions(net.output_shape, G),
                    (shape[1], shape[2], shape[0]) if hwc else shape)


def set_actions(net, group: PermutationGroup) -> _Actions:
    """How a group acting on the ``n`` elements of a set acts on a flat, element-major input
    of ``n*d`` values and on outputs of ``n*e`` values (or trivially)."""
    n = group.degree
    size = int(net.input_size)
    if size % n:
        raise RegioncountError(f"group {group.name} does not act on input shape {size}: it needs "
                               f"{n} elements of equal size")

    def blocks(total: int) -> list:
        d = total // n
        return [(np.argsort(p)[:, None] * d + np.arange(d)).ravel() for p in group.perms]

    m = int(net.output_size)
    outputs = {"trivial": [np.arange(m)] * group.order}
    if m % n == 0:
        outputs["elements"] = blocks(m)
    return _Actions(group.name, group.labels, tuple(blocks(size)), outputs, (n, size // n))


def _errors(net, X: np.ndarray, acts: _Actions) -> tuple[dict, float]:
    """Per output action, the error of every element; and the output scale."""
    Y = np.asarray(net.evaluate(X), float).reshape(len(X), -1)
    scale = max(float(np.abs(Y).max(initial=0.0)), np.finfo(float).tiny)
    out = {name: np.zeros(len(acts.labels)) for name in acts.outputs}
    for g, p in enumerate(acts.inputs):
        Yg = np.asarray(net.evaluate(X[:, p]), float).reshape(len(X), -1)
        for name, perms in acts.outputs.items():
            out[name][g] = np.abs(Yg - Y[:, perms[g]]).max(initial=0.0) / scale
    return out, scale


def _load(model, output):
    import regioncount

    if hasattr(model, "evaluate"):
        return model, getattr(model, "name", "network")
    return regioncount.load(model, output=output), str(model)


def check_equivariance(model, group="p4", samples: int = 16, seed: int = 0,
                       output: str | None = None) -> EquivarianceResult:
    """Check numerically whether a model is invariant or equivariant.

    Parameters
    ----------
    model : path or Network
        An ONNX (or .nnet) file, or a lowered network.
    group : str or PermutationGroup
        ``"p4"``, ``"p4m"``, ``"c4"``, ``"d4"`` (rotations and flips of square images about
        their centre), or a group acting on the elements of a set input (DeepSets).
    samples, seed : int
        Seeded uniform samples in ``[0, 1]`` on the input.
    output : str, optional
        Graph output to check (default: the first).

    Raises
    ------
    RegioncountError
        A group that does not act on the model's input shape.
    """
    net, name = _load(model, output)
    acts = image_actions(net, group) if isinstance(group, str) else set_actions(net, group)
    X = np.random.default_rng(seed).uniform(0.0, 1.0, size=(int(samples), net.input_size))
    errs, _ = _errors(net, X, acts)
    inv = float(errs["trivial"].max())
    passing = [a for a in errs if errs[a].max() <= EQUIVARIANCE_RTOL]
    action = passing[0] if passing else min(errs, key=lambda a: errs[a].max())
    e = errs[action]
    worst = None if passing else acts.labels[int(np.argmax(e))]
    layers = tuple(layer_distances(model, group)) if isinstance(group, str) and not hasattr(
        model, "evaluate") else ()
    return EquivarianceResult(
        name, acts.group, len(acts.labels), bool(passing), inv <= EQUIVARIANCE_RTOL,
        float(e.max()), worst, action, inv, dict(zip(acts.labels, map(float, e))), int(samples),
        tuple(acts.input_shape), tuple(net.output_shape), layers)


def layer_distances(path, group: str = "p4") -> list[dict]:
    """For every ``Conv`` of an ONNX file with constant, odd square filters: its distance
    (:func:`conv_distance`) from the equivariant convolutions under each reading of
    :data:`CONV_KINDS` that fits its channel counts."""
    from .io import read_model

    G = _image_order(group)
    graph = read_model(path)
    out = []
    for layer in graph.layers():
        W = graph.constants.get(layer.inputs[1]) if layer.op == "Conv" and len(layer.inputs) > 1 else None
        if W is None or np.ndim(W) != 4 or W.shape[2] != W.shape[3] or W.shape[2] % 2 == 0:
            continue
        if int(layer.attrs.get("group", 1)) != 1:
            continue
        d = {}
        for kind, (oin, oout) in CONV_KINDS.items():
            if (not oin or W.shape[1] % G == 0) and (not oout or W.shape[0] % G == 0):
                d[kind] = conv_distance(W, group, oin, oout)
        out.append({"name": layer.name, "shape": list(W.shape), "distance": d})
    return out
