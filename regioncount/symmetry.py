"""Symmetry-aware region counting: one representative per orbit of regions.

When a group acts on the input by permutations ``x -> x[perm_g]`` and every PWL layer is
equivariant (the inputs of its units at ``g x`` are a permutation of those at ``x``), ``g``
maps each activation region onto an activation region, so regions come in orbits (the
consequence of Kondor & Trivedi's theorem and Cohen & Welling's G-CNNs for regions). If the
domain is mapped onto itself, it is enough to count on a fundamental domain and to map the
regions found there through the group:

1. the Dirichlet domain ``D = {x in domain : x . (g p - p) <= 0 for all g}`` of a seeded
   generic point ``p`` (the Voronoi cell of ``p`` among its images; the images of ``D`` cover
   the domain and meet only on their walls, since the action is orthogonal);
2. :func:`regioncount.enumeration.count_tree` on ``D``: every region meeting ``D`` with an
   interior, each with its pattern and an interior point ``x``;
3. the pattern of ``g R`` is read from the values at ``x`` permuted by the units' permutation
   (no new evaluation), so the orbit of every region found is known; every orbit meets ``D``.

The total (the sum of the orbit sizes) is the plain count, as long as no region's pieces in the
images of ``D`` are all thinner than the region margin. See docs/equivariance.md.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from .domain import Domain
from .errors import DomainError, RegioncountError
from .tolerances import SYMMETRY_UNIT_RTOL


def group_actions(net, group):
    """The group's action on ``net``'s input (see :mod:`regioncount.equivariance`)."""
    from .equivariance import image_actions, set_actions

    return image_actions(net, group) if isinstance(group, str) else set_actions(net, group)


def check_domain(domain: Domain, perms) -> None:
    """Raise :class:`DomainError` unless every ``x -> x[perm]`` maps the domain onto itself
    (the box exactly; the rows of ``A x <= b``, normalised, as a set)."""
    for g, p in enumerate(perms):
        if not (np.array_equal(domain.lo[p], domain.lo) and np.array_equal(domain.hi[p], domain.hi)):
            raise DomainError("the group does not map the domain onto itself (the box is not "
                              "symmetric); a symmetry count needs a domain that it does")
    if domain.A is None:
        return
    Ab = np.hstack([domain.A, domain.b[:, None]])
    Ab = Ab / np.linalg.norm(domain.A, axis=1, keepdims=True)
    for p in perms:
        inv = np.argsort(p)
        moved = np.hstack([Ab[:, :-1][:, inv], Ab[:, -1:]])
        d = np.abs(moved[:, None, :] - Ab[None, :, :]).max(axis=2).min(axis=1)
        if d.max() > SYMMETRY_UNIT_RTOL:
            raise DomainError("the group does not map the domain onto itself (its half-spaces "
                              "A x <= b are not permuted); a symmetry count needs a domain "
                              "that it does")


def fundamental_domain(domain: Domain, perms, seed: int = 0) -> Domain:
    """The Dirichlet domain of a seeded point ``p``: ``domain`` cut by ``(p[perm_g] - p) . x
    <= 0`` for every element but the identity (``perms[0]``)."""
    p = np.random.default_rng(seed).standard_normal(domain.dim)
    rows = np.array([p[q] - p for q in perms[1:]]) if len(perms) > 1 else np.zeros((0, domain.dim))
    if len(rows) and np.min(np.abs(rows).max(axis=1)) == 0:
        raise RegioncountError("two group elements act alike on the input; no fundamental domain")
    A = rows if domain.A is None else np.vstack([domain.A, rows])
    b = np.zeros(len(rows)) if domain.A is None else np.concatenate([domain.b, np.zeros(len(rows))])
    if not len(A):
        return domain
    return Domain(domain.lo, domain.hi, A, b, name=f"{domain.name} (fundamental domain)")


def _match(V: np.ndarray, Vg: np.ndarray, tol: float) -> np.ndarray | None:
    """``sigma`` with ``Vg[:, j] = V[:, sigma[j]]`` to ``tol`` (a bijection), or None."""
    from scipy.spatial import cKDTree

    tree = cKDTree(V.T)
    cand = tree.query_ball_point(Vg.T, r=tol, p=np.inf)
    used = np.zeros(V.shape[1], dtype=bool)
    sigma = np.empty(V.shape[1], dtype=np.int64)
    for j, c in enumerate(cand):
        free = [i for i in sorted(c) if not used[i]]
        if not free:
            return None
        sigma[j] = free[0]
        used[free[0]] = True
    return sigma


def unit_permutations(net, perms, labels=None, samples: int = 16, seed: int = 0) -> list:
    """For every element ``g`` (input permutation ``perms[g]``), one permutation per PWL stage
    with ``input_of_stage(g x) = input_of_stage(x)[sigma]``, found on seeded Gaussian points
    around the origin; raises when a stage is not equivariant."""
    X = np.random.default_rng(seed).standard_normal((int(samples), net.input_size))
    base = net.forward(X)
    idx = [s.inputs[0] for s in net.pwl_stages]
    out = []
    for g, p in enumerate(perms):
        vals = net.forward(X[:, p])
        sig = []
        for k, i in enumerate(idx):
            V, Vg = base[i], vals[i]
            scale = max(float(np.abs(V).max(initial=0.0)), np.finfo(float).tiny)
            s = _match(V, Vg, SYMMETRY_UNIT_RTOL * scale)
            if s is None:
                who = labels[g] if labels else f"element {g}"
                raise RegioncountError(
                    f"the group does not map the regions of {net.name} onto regions: under "
                    f"{who} the inputs of PWL stage {k + 1} ({net.pwl_stages[k].kind}) are not "
                    "a permutation of themselves (a symmetry count needs every PWL layer "
                    "equivariant; see regioncount equivariance)")
            sig.append(s)
        out.append(sig)
    return out


def _orbit_patterns(net, points: np.ndarray, sigmas: list) -> np.ndarray:
    """``(|G|, R, units)``: the pattern of ``g R`` for each element and region, from the values
    at the regions' interior points permuted by the units' permutations."""
    vals = net.forward(points)
    stages = net.pwl_stages
    out = []
    for sig in sigmas:
        out.append(np.hstack([s.piece(vals[s.inputs[0]][:, sk]) for s, sk in zip(stages, sig)]))
    return np.stack(out).astype(np.int32)


def _per_layer(net, patterns: np.ndarray) -> tuple:
    """Regions of the network cut after each PWL stage: distinct prefixes of the patterns."""
    out, k = [], 0
    for s in net.pwl_stages:
        k += s.size
        out.append(len({r.tobytes() for r in np.ascontiguousarray(patterns[:, :k])}))
    return tuple(out)


@dataclass(frozen=True, eq=False)
class _Orbits:
    """Every region of the orbits of the regions found: patterns, points (``g x``), the index
    of the representative each came from, and the orbit sizes (one per orbit)."""

    patterns: np.ndarray
    points: np.ndarray
    source: np.ndarray
    sizes: tuple


def _expand(net, points: np.ndarray, perms: list, sigmas: list) -> _Orbits:
    """The orbits of the regions whose interior points are ``points``."""
    n, G = net.input_size, len(perms)
    if not len(points):
        return _Orbits(np.zeros((0, net.pwl_units), np.int32), np.zeros((0, n)),
                       np.zeros(0, np.int64), ())
    pats = _orbit_patterns(net, points, sigmas)
    keys = [[row.tobytes() for row in pg] for pg in pats]
    seen, first, orbits = set(), [], {}
    for r in range(len(points)):
        members = {keys[g][r] for g in range(G)}
        orbits[min(members)] = len(members)
        for g in range(G):
            if keys[g][r] not in seen:
                seen.add(keys[g][r])
                first.append((g, r))
    return _Orbits(np.array([pats[g, r] for g, r in first]),
                   np.array([points[r][perms[g]] for g, r in first]),
                   np.array([r for _, r in first], dtype=np.int64), tuple(orbits.values()))


def count_symmetric(net, domain: Domain, group="p4", *, time_limit: float | None = None,
                    max_regions: int | None = None, workers: int = 1, progress=None,
                    keep_patterns: bool = False, keep_points: bool = False, seed: int = 0):
    """Count the activation regions of ``net`` on ``domain`` with one representative per
    orbit of ``group`` (see the module docstring).

    Parameters
    ----------
    net : Network
    domain : Domain
        Mapped onto itself by the group.
    group : str or PermutationGroup
        ``"p4"``, ``"p4m"``, ``"c4"``, ``"d4"`` (square images), or a group acting on the
        elements of a set input.
    time_limit, max_regions, workers, progress :
        As for :func:`regioncount.enumeration.count_tree` (on the fundamental domain).
    keep_patterns, keep_points : bool
        Return the pattern / an interior point and margin of every region.

    Returns
    -------
    CountResult
        ``regions`` is the total (the sum of the orbit sizes; ``per_class``, ``per_layer``,
        and, when kept, ``patterns`` / ``points`` / ``margins`` cover every region);
        ``extra`` holds ``symmetry``, ``group_order``, ``orbits``, ``orbit_sizes`` (orbit size
        -> number of orbits), ``fundamental_regions`` (the regions met on the fundamental
        domain: the tree's work) and ``per_class_rule`` (``"interior point"``: the argmax at
        each region's interior point).

    Raises
    ------
    RegioncountError
        A group that does not act on the input, or a network whose PWL layers it does not
        permute; :class:`DomainError` for a domain that it does not map onto itself.
    """
    from .enumeration import CountResult, count_tree

    t0 = time.monotonic()
    acts = group_actions(net, group)
    perms = list(acts.inputs)
    check_domain(domain, perms)
    sigmas = unit_permutations(net, perms, acts.labels, seed=seed)
    res = count_tree(net, fundamental_domain(domain, perms, seed), time_limit=time_limit,
                     max_regions=max_regions, workers=workers, progress=progress,
                     keep_patterns=True, keep_points=True)
    orb = _expand(net, np.asarray(res.points, float).reshape(-1, net.input_size), perms, sigmas)
    out = np.asarray(net.evaluate(orb.points)).reshape(len(orb.points), -1) if len(
        orb.points) else np.zeros((0, 1))
    per_class = np.unique(out.argmax(axis=1), return_counts=True) if len(out) else ((), ())
    sizes = np.unique(np.array(orb.sizes, dtype=int), return_counts=True)
    extra = {"symmetry": acts.group, "group_order": len(perms), "orbits": len(orb.sizes),
             "orbit_sizes": {int(k): int(v) for k, v in zip(*sizes)},
             "fundamental_regions": int(res.regions), "per_class_rule": "interior point"}
    margins = (np.asarray(res.margins)[orb.source]
               if keep_points and res.margins is not None else None)
    return CountResult(
        regions=len(orb.patterns), complete=res.complete, method=res.method,
        seconds=time.monotonic() - t0, lps=res.lps,
        per_class={int(k): int(v) for k, v in zip(*per_class)},
        per_layer=_per_layer(net, orb.patterns) if len(orb.patterns) else (),
        patterns=orb.patterns if keep_patterns else None,
        points=orb.points if keep_points else None, margins=margins,
        stop_reason=res.stop_reason, solver=res.solver, workers=res.workers, extra=extra)
