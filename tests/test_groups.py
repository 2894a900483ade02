"""Group-equivariant layers (regioncount.builders.groups; Cohen & Welling, ICML 2016), the
equivariance theorem as numbers and the checker (regioncount.equivariance; Kondor & Trivedi,
ICML 2018), symmetry-aware counting (regioncount.symmetry), and their CLI."""

import json
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import numpy_helper

from regioncount import Domain, DomainError, RegioncountError
from regioncount.builders.groups import (DeepSetsLayer, PermutationGroup, build_deepsets_net,
                                         build_group_net, cyclic, dihedral, element_product,
                                         grid_group, group_conv_filters, lift_filters,
                                         orientation_pool_filters, symmetric, torus_group,
                                         transform)
from regioncount.enumeration import count_tree
from regioncount.equivariance import (check_equivariance, conv_distance, conv_project,
                                      equivariance_distance, equivariant_basis,
                                      equivariant_dimension, project_equivariant, theorem_table)
from regioncount.symmetry import (count_symmetric, fundamental_domain, group_actions,
                                  unit_permutations)

from conftest import shared_cases, shared_path

MODELS = Path(__file__).resolve().parents[1] / "models"


def _ort(model, X):
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return sess.run(None, {"x": X.astype(np.float32)})[0]


# ---------------------------------------------------------------------------------------------
# groups

@pytest.mark.parametrize("make, order, degree", [
    (lambda: cyclic(5), 5, 5), (lambda: dihedral(4), 8, 4), (lambda: symmetric(4), 24, 4),
    (lambda: torus_group(3, "p4"), 36, 9), (lambda: torus_group(3, "p4m"), 72, 9),
    (lambda: grid_group(5, "p4"), 4, 25), (lambda: grid_group(4, "p4m"), 8, 16),
    (lambda: symmetric(4).on_subsets(2), 24, 6), (lambda: symmetric(3).regular(), 6, 6)])
def test_group_axioms(make, order, degree):
    G = make()
    assert (G.order, G.degree) == (order, degree)
    T, inv = G.table, G.inverses()
    assert np.array_equal(T[0], np.arange(order)) and np.array_equal(T[:, 0], np.arange(order))
    assert np.all(T[np.arange(order), inv] == 0)
    a, b, c = np.meshgrid(*[np.arange(order)] * 3, indexing="ij")
    assert np.array_equal(T[T[a, b], c], T[a, T[b, c]])                 # associative
    for g in range(order):                                             # perms[gh] = g o h
        assert np.array_equal(G.perms[T[g]], G.perms[g][G.perms])
    assert np.array_equal(G.closure(G.generators()), np.arange(order))


def test_p4m_product_is_composition_of_image_maps():
    x = np.random.default_rng(0).normal(size=(2, 5, 5))
    for a in range(8):
        for b in range(8):
            assert np.array_equal(transform(transform(x, b), a), transform(x, element_product(a, b)))
            m1, r1 = divmod(a, 4)
            m2, r2 = divmod(b, 4)
            assert element_product(a, b) == 4 * ((m1 + m2) % 2) + ((-1) ** m2 * r1 + r2) % 4
    assert np.array_equal(transform(x, 1), np.rot90(x, 1, axes=(1, 2)))
    assert np.array_equal(transform(x, 5), np.flip(np.rot90(x, 1, axes=(1, 2)), axis=1))


def test_orbits_stabilisers_and_cosets():
    C4 = grid_group(3, "p4")
    assert [o.tolist() for o in C4.orbits()] == [[0, 2, 6, 8], [1, 3, 5, 7], [4]]
    assert C4.stabiliser(4).tolist() == [0, 1, 2, 3] and C4.stabiliser(0).tolist() == [0]
    assert C4.fixed_points().tolist() == [9, 1, 1, 1]
    D4 = grid_group(3, "p4m")
    assert [len(D4.stabiliser(i)) for i in (0, 1, 4)] == [2, 2, 8]     # corners on a diagonal
    p4 = torus_group(3)
    H = p4.stabiliser(0)
    assert len(H) == 4 and p4.is_subgroup(H) and p4.is_transitive()
    assert all(len(p4.orbit(i)) * len(p4.stabiliser(i)) == 36 for i in range(9))
    cosets = p4.left_cosets(H)
    assert len(cosets) == 9 and sorted(np.concatenate(cosets).tolist()) == list(range(36))
    dc = p4.double_cosets(H, H)
    assert len(dc) == 3 and sorted(len(d) for d in dc) == [4, 16, 16]
    # the action on G/H is the pixel action, relabelled: same orbit counts on pairs
    X = p4.coset_action(H)
    assert X.degree == 9 and equivariant_dimension(X, X).orbits == 3
    S4 = symmetric(4)
    assert len(S4.double_cosets(S4.stabiliser(0), S4.on_subsets(2).stabiliser(0))) == 2
    assert not p4.is_subgroup([0, 1]) and len(p4.closure([1])) == 4


def test_group_errors():
    with pytest.raises(RegioncountError, match="S_6"):
        symmetric(7)
    with pytest.raises(RegioncountError, match="closed"):
        PermutationGroup.from_permutations("bad", [[0, 1, 2], [1, 2, 0]])
    with pytest.raises(RegioncountError, match="permutation"):
        PermutationGroup.from_permutations("bad", [[0, 1], [0, 0]])
    with pytest.raises(RegioncountError, match="identity"):
        PermutationGroup.from_permutations("bad", [[1, 0], [0, 1]])
    with pytest.raises(RegioncountError):
        torus_group(2)
    with pytest.raises(RegioncountError, match="unknown group"):
        grid_group(3, "p6")
    with pytest.raises(RegioncountError, match="not a subgroup"):
        torus_group(3).left_cosets([0, 1])


# ---------------------------------------------------------------------------------------------
# the theorem as numbers

#: LAYERS.md section B (Kondor & Trivedi's theorem, finite-group form).
KNOWN = {("p4, 3x3 torus", "pixels", "pixels"): 3, ("p4, 3x3 torus", "pixels", "group"): 9,
         ("p4, 3x3 torus", "group", "group"): 36, ("S3", "points", "points"): 2,
         ("S3", "points", "regular"): 3, ("S3", "regular", "regular"): 6,
         ("S4", "points", "2-subsets"): 2,
         ("C4", "point", "3x3 filter"): 3, ("C4", "point", "5x5 filter"): 7,
         ("C4", "point", "7x7 filter"): 13, ("D4", "point", "3x3 filter"): 3,
         ("D4", "point", "5x5 filter"): 6, ("D4", "point", "7x7 filter"): 10}


def test_layers_md_values_three_ways():
    rows = theorem_table()
    got = {(r.group, r.source, r.target): r for r in rows}
    assert set(got) == set(KNOWN)
    for key, want in KNOWN.items():
        r = got[key]
        assert (r.nullspace, r.orbits, r.burnside) == (want, want, want), key
        assert r.double_cosets in (None, want) and r.agree and r.dimension == want
    assert got[("p4, 3x3 torus", "group", "group")].order == 36
    # local filters: (k^2 + 3) / 4 C4-invariant values
    assert [got[("C4", "point", f"{k}x{k} filter")].orbits for k in (3, 5, 7)] == [
        (k * k + 3) // 4 for k in (3, 5, 7)]


def _literal_nullity(gin, gout):
    """The nullity of (I kron Q_g - P_g^T kron I) stacked over every element, written out."""
    ni, no = gin.degree, gout.degree
    M = np.vstack([np.kron(np.eye(ni), gout.permutation_matrix(g))
                   - np.kron(gin.permutation_matrix(g).T, np.eye(no)) for g in range(gin.order)])
    s = np.linalg.svd(M, compute_uv=False)
    return ni * no - int(np.sum(s > 1e-9 * s[0]))


@pytest.mark.parametrize("pair", ["S3", "S3 regular", "S4 subsets", "C4 5x5", "D4 5x5", "C5 D5"])
def test_nullspace_agrees_with_the_literal_kronecker_system(pair):
    S3, S4, D5 = symmetric(3), symmetric(4), dihedral(5)
    gin, gout = {"S3": (S3, S3), "S3 regular": (S3.regular(), S3.regular()),
                 "S4 subsets": (S4, S4.on_subsets(2)),
                 "C4 5x5": (grid_group(5).trivial(), grid_group(5)),
                 "D4 5x5": (grid_group(5, "p4m"), grid_group(5, "p4m")),
                 "C5 D5": (D5, D5.on_subsets(2))}[pair]
    d = equivariant_dimension(gin, gout)
    assert d.agree and _literal_nullity(gin, gout) == d.nullspace


def test_channels_multiply_and_actions_must_share_the_group():
    S3 = symmetric(3)
    assert equivariant_dimension(S3, S3, channels=(2, 3)).orbits == 12
    with pytest.raises(RegioncountError, match="one group"):
        equivariant_dimension(symmetric(3), cyclic(6))


def test_projection_is_the_equivariant_subspace(rng):
    G = torus_group(3)
    X, Y = G, G.regular()
    A = rng.normal(size=(Y.degree, X.degree))
    P = project_equivariant(A, X, Y)
    for g in range(G.order):
        assert np.allclose(P @ X.permutation_matrix(g), Y.permutation_matrix(g) @ P)
    assert np.allclose(project_equivariant(P, X, Y), P)
    assert equivariance_distance(P, X, Y) < 1e-12 and equivariance_distance(A, X, Y) > 0.5
    # project random matrices, take the rank: the dimension again
    stack = np.array([project_equivariant(rng.normal(size=A.shape), X, Y).ravel()
                      for _ in range(20)])
    assert np.linalg.matrix_rank(stack) == 9
    B = equivariant_basis(X, Y)
    assert B.shape == (9, 36, 9) and np.array_equal(B.sum(axis=0), np.ones((36, 9)))
    coef = np.linalg.lstsq(B.reshape(9, -1).T, P.ravel(), rcond=None)[0]
    assert np.allclose(np.einsum("k,kij->ij", coef, B), P)     # P is a generalised convolution
    # channels: (C_out, |Y|, C_in, |X|)
    A4 = rng.normal(size=(2, 36, 3, 9))
    P4 = project_equivariant(A4, X, Y)
    assert np.allclose(P4[1, :, 2], project_equivariant(A4[1, :, 2], X, Y))


def _torus_matrices(w, kind, N=3):
    """Dense matrices of p4 layers with circular padding on the N x N torus, acting on
    features indexed (r, y, x) -> the regular representation (lifting / group conv) or on
    pixels (plain conv)."""
    if kind == "lifting":
        W = lift_filters(w[None, None])[:, 0]                    # (4, k, k)
    elif kind == "group":
        W = group_conv_filters(w[None, None])                    # (4, 4, k, k)
    else:
        W = w
    k = w.shape[-1]
    p = k // 2
    rows = 4 if kind != "plain" else 1
    cols = 4 if kind == "group" else 1
    M = np.zeros((rows, N, N, cols, N, N))
    for r in range(rows):
        for s in range(cols):
            f = W[r, s] if kind == "group" else (W[r] if kind == "lifting" else W)
            for y in range(N):
                for x in range(N):
                    for u in range(k):
                        for v in range(k):
                            M[r, y, x, s, (y + u - p) % N, (x + v - p) % N] += f[u, v]
    return M.reshape(rows * N * N, cols * N * N)


def _feature_action(G, N=3):
    """The torus group on features (r, y, x): element (a, b, t) sends (r, p) to (t + r,
    R^t p + (a, b)), i.e. left multiplication when (r, p) is the element 'translate p, rotate r'."""
    perms = np.empty((G.order, 4 * N * N), dtype=np.int64)
    for e in range(G.order):
        t = e % 4
        for r in range(4):
            perms[e, r * N * N + np.arange(N * N)] = ((t + r) % 4) * N * N + G.perms[e]
    return G.action("features", perms)


def test_p4_layers_on_the_torus_are_the_generalised_convolutions(rng):
    """With circular padding on the 3x3 torus the p4 layers of this module are equivariant for
    the torus group, and random filters span exactly the theorem's dimensions (lifting: 9,
    group convolution: 36, plain conv with rotation-invariant filters: 3)."""
    G = torus_group(3)
    feats = _feature_action(G)
    pix = G
    spaces = {"lifting": (pix, feats, 9, (3, 3)), "group": (feats, feats, 36, (4, 3, 3)),
              "plain": (pix, pix, 3, (3, 3))}
    for kind, (X, Y, dim, shape) in spaces.items():
        mats = []
        for _ in range(dim + 6):
            w = rng.normal(size=shape)
            if kind == "plain":
                w = conv_project(w[None, None], "p4")[0, 0]     # rotation-invariant filter
            M = _torus_matrices(w, kind)
            assert equivariance_distance(M, X, Y) < 1e-12, kind
            mats.append(M.ravel())
        assert np.linalg.matrix_rank(np.array(mats)) == dim == equivariant_dimension(X, Y).orbits
    assert equivariance_distance(_torus_matrices(rng.normal(size=(3, 3)), "plain"), pix, pix) > 0.1


# ---------------------------------------------------------------------------------------------
# p4 / p4m layers

def test_lifting_and_group_conv_index_formulas(rng):
    w = rng.normal(size=(2, 3, 3, 3))
    W = lift_filters(w, "p4")
    for o in range(2):
        for i in range(3):
            for r in range(4):
                assert np.array_equal(W[o * 4 + r, i], np.rot90(w[o, i], r))
    w = rng.normal(size=(2, 3, 4, 3, 3))
    W = group_conv_filters(w, "p4")
    for o, i, r, s in np.ndindex(2, 3, 4, 4):
        assert np.array_equal(W[o * 4 + r, i * 4 + s], np.rot90(w[o, i, (s - r) % 4], r))
    w = rng.normal(size=(1, 2, 8, 5, 5))
    W = group_conv_filters(w, "p4m")
    inv = {g: next(h for h in range(8) if element_product(g, h) == 0) for g in range(8)}
    for i, g, h in np.ndindex(2, 8, 8):
        assert np.array_equal(W[g, i * 8 + h], transform(w[0, i, element_product(inv[g], h)], g))
    Wl = lift_filters(rng.normal(size=(1, 1, 3, 3)), "p4m")
    assert Wl.shape == (8, 1, 3, 3) and np.array_equal(Wl[5, 0], np.flipud(np.rot90(Wl[0, 0])))
    assert np.allclose(orientation_pool_filters(2, "p4")[1, 4:8, 0, 0], 0.25)
    with pytest.raises(RegioncountError, match="orientations"):
        group_conv_filters(rng.normal(size=(1, 1, 4, 3, 3)), "p4m")
    with pytest.raises(RegioncountError, match="odd"):
        lift_filters(rng.normal(size=(1, 1, 4, 4)))


@pytest.mark.parametrize("group, kw", [
    ("p4", {}), ("p4m", {}), ("p4", dict(orientation_pool="max")),
    ("p4m", dict(orientation_pool="mean")),
    ("p4", dict(pool="max", orientation_pool="max", global_pool=True, classes=3)),
    ("p4m", dict(pool="avg", orientation_pool="mean", global_pool=True, classes=3))])
def test_exported_networks_agree_and_are_equivariant(group, kw, tmp_path):
    shape = (2, 8, 8) if "pool" in kw else (2, 7, 7)
    net = build_group_net(group, (2, 3, 2), 3, shape, seed=5, **kw)
    model = net.to_onnx()
    onnx.checker.check_model(model, full_check=True)
    X = np.random.default_rng(1).uniform(size=(20, *shape))
    ref = net.forward(X)
    scale = np.abs(ref).max()
    assert np.max(np.abs(_ort(model, X).reshape(ref.shape) - ref)) < 1e-5 * scale
    path = tmp_path / "g.onnx"
    onnx.save(model, path)
    import regioncount

    low = regioncount.load(path)
    assert np.max(np.abs(low.evaluate(X.reshape(20, -1)) - ref.reshape(20, -1))) < 1e-5 * scale
    convs = [n for n in model.graph.node if n.op_type == "Conv"]
    assert len(convs) == 2 + (kw.get("orientation_pool") == "mean")   # one Conv per layer
    r = check_equivariance(path, group)
    assert r.equivariant and r.max_error < 1e-5 and r.worst_element is None
    invariant = kw.get("global_pool", False)
    assert r.invariant == invariant
    want = "trivial" if invariant else ("grid" if kw.get("orientation_pool") else
                                        "orientation channels")
    assert r.action == want
    assert [l["name"] for l in r.layers][:2] == ["conv0", "conv1"]
    for layer in r.layers:
        assert min(layer["distance"].values()) < 1e-6
    assert all(l["distance"]["plain"] > 0.1 for l in r.layers[:2])   # 1x1 pooling: 0


def test_equivariance_needs_tied_biases_and_matching_groups(tmp_path):
    net = build_group_net("p4", (1, 2, 2), 3, (1, 7, 7), seed=2)
    model = net.to_onnx()
    b = model.graph.initializer[1]
    assert b.name == "b0"
    arr = numpy_helper.to_array(b).copy()
    arr[1] += 0.5                                         # untie one orientation's bias
    b.CopyFrom(numpy_helper.from_array(arr, "b0"))
    onnx.save(model, tmp_path / "untied.onnx")
    r = check_equivariance(tmp_path / "untied.onnx", "p4")
    assert not r.equivariant and r.worst_element in ("rot90", "rot180", "rot270")
    onnx.save(net.to_onnx(), tmp_path / "p4.onnx")
    r = check_equivariance(tmp_path / "p4.onnx", "p4m")
    assert not r.equivariant and r.worst_element is not None
    assert r.max_error > 0.01


@pytest.mark.parametrize("group", ["p4", "p4m"])
def test_one_perturbed_weight_is_reported(group, tmp_path):
    net = build_group_net(group, (1, 2, 2), 3, (1, 9, 9), seed=3)
    model = net.to_onnx()
    W = model.graph.initializer[2]
    assert W.name == "W1"
    arr = numpy_helper.to_array(W).copy()
    arr[0, 0, 0, 0] += 1e-2
    W.CopyFrom(numpy_helper.from_array(arr, "W1"))
    onnx.save(model, tmp_path / "bad.onnx")
    r = check_equivariance(tmp_path / "bad.onnx", group)
    assert not r.equivariant and not r.invariant
    assert 1e-5 < r.max_error < 1.0 and r.worst_element != "id"
    assert r.errors["id"] == 0.0 and r.errors[r.worst_element] == r.max_error
    assert r.layers[1]["distance"]["group"] > 1e-4


@pytest.mark.parametrize("kwargs, words", [
    (dict(kernel=4), "odd"), (dict(input_shape=(1, 8, 9)), "square"),
    (dict(channels=(2, 4)), "input channels"), (dict(channels=(1,)), "at least one"),
    (dict(pool="max", input_shape=(1, 6, 6), channels=(1, 2, 2, 2)), "even"),
    (dict(group="p6"), "unknown group"), (dict(pool="median"), "pool"),
    (dict(orientation_pool="sum"), "orientation")])
def test_builder_errors(kwargs, words):
    args = {**dict(group="p4", channels=(1, 4, 4), kernel=3, input_shape=(1, 9, 9)), **kwargs}
    with pytest.raises(RegioncountError, match=words):
        build_group_net(**args)


def test_parameter_counts():
    net = build_group_net("p4", (1, 4, 4), 3, (1, 9, 9))
    assert net.params() == (4 * 9 + 4) + (4 * 4 * 4 * 9 + 4) == 620
    assert net.dense_params() == (16 * 9 + 16) + (16 * 16 * 9 + 16) == 2480
    assert net.feature_shape() == (16, 9, 9)


# ---------------------------------------------------------------------------------------------
# DeepSets

def test_deepsets_layers_are_the_equivariant_maps(rng):
    n, di, do = 4, 2, 3
    layer = DeepSetsLayer(rng.normal(size=(do, di)), rng.normal(size=(do, di)), np.zeros(do))
    S = symmetric(n)
    A = layer.matrix(n).reshape(n, do, n, di).transpose(1, 0, 3, 2)   # (C_out, n, C_in, n)
    assert np.allclose(project_equivariant(A, S, S), A)
    assert equivariant_dimension(S, S, channels=(di, do)).dimension == 2 * di * do


def test_deepsets_export_and_checker(tmp_path):
    import regioncount

    S5 = symmetric(5)
    for readout in ("mean", "max"):
        net = build_deepsets_net(5, (2, 6, 6), classes=3, readout=readout, seed=1)
        X = np.random.default_rng(2).normal(size=(30, 10))
        model = net.to_onnx()
        assert np.allclose(_ort(model, X), net.forward(X), atol=1e-5)
        onnx.save(model, tmp_path / f"{readout}.onnx")
        low = regioncount.load(tmp_path / f"{readout}.onnx")
        assert np.allclose(low.evaluate(X), net.forward(X), atol=1e-5)
        r = check_equivariance(low, S5)
        assert r.invariant and r.equivariant and r.order == 120
    eq = build_deepsets_net(5, (2, 4), classes=None, seed=1)
    onnx.save(eq.to_onnx(), tmp_path / "eq.onnx")
    r = check_equivariance(tmp_path / "eq.onnx", S5)
    assert r.equivariant and not r.invariant and r.action == "elements"
    with pytest.raises(RegioncountError, match="does not act"):
        check_equivariance(tmp_path / "eq.onnx", symmetric(3))


# ---------------------------------------------------------------------------------------------
# the checker on models

def test_checker_on_the_demo_models():
    r = check_equivariance(MODELS / "digits_conv.onnx", "p4")
    assert not r.equivariant and not r.invariant and r.max_error > 0.1
    assert r.worst_element in ("rot90", "rot180", "rot270")
    r = check_equivariance(MODELS / "groups" / "digits_p4_inv.onnx", "p4")
    assert r.invariant and r.max_error < 1e-5
    r = check_equivariance(MODELS / "groups" / "digits_p4_inv.onnx", "p4m")
    assert not r.equivariant and r.worst_element.startswith("flip")
    r = check_equivariance(MODELS / "groups" / "digits_p4.onnx", "p4", output="features")
    assert r.equivariant and not r.invariant and r.action == "grid" and r.max_error < 1e-5
    assert [min(l["distance"].values()) < 1e-6 for l in r.layers] == [True, True]
    r = check_equivariance(MODELS / "groups" / "digits_p4.onnx", "p4")
    assert not r.equivariant                             # the dense head sees orientation


def test_checker_flat_square_inputs_and_bad_shapes():
    r = check_equivariance(MODELS / "digits_mlp.onnx", "d4")
    assert r.input_shape == (1, 8, 8) and not r.equivariant
    with pytest.raises(RegioncountError, match="does not act on input shape 2"):
        check_equivariance(MODELS / "moons_2d.onnx", "p4")


def test_channels_last_and_flat_inputs(rng):
    from regioncount.equivariance import _image_shape, _input_perm

    x = rng.normal(size=(5, 5, 3))
    for t in range(8):
        p = _input_perm((3, 5, 5), True, t, 8)
        want = transform(x.transpose(2, 0, 1), t).transpose(1, 2, 0)
        assert np.array_equal(x.ravel()[p], want.ravel())
    assert _image_shape((28, 28, 1), "p4") == ((1, 28, 28), True)
    assert _image_shape((784, 1), "p4") == ((1, 28, 28), False)
    assert _image_shape((3, 32, 32), "p4") == ((3, 32, 32), False)
    with pytest.raises(RegioncountError, match="does not act on input shape 1,1,5"):
        _image_shape((1, 1, 5), "p4")


@pytest.mark.parametrize("rel, shape", shared_cases([
    ("onnx_zoo/mnist-8.onnx", (1, 28, 28)), ("marabou/conv_mp1.onnx", (3, 8, 8)),
    ("marabou/cnn_max_mninst2.onnx", (28, 28, 1)), ("vnncomp2021/mnist-net_256x2.onnx", (1, 28, 28))]))
def test_checker_on_shared_models(rel, shape):
    r = check_equivariance(shared_path("models", *rel.split("/")), "p4")
    assert not r.equivariant and r.max_error > 1e-2 and r.input_shape == shape


def test_conv_distance(rng):
    w = rng.normal(size=(3, 2, 5, 5))
    P = conv_project(w, "p4m")
    for t in range(8):
        assert np.allclose(transform(P, t), P)
    assert conv_distance(P, "p4m") < 1e-12 < conv_distance(w, "p4m") <= 1.0
    with pytest.raises(RegioncountError, match="multiple"):
        conv_distance(w, "p4", orientations_out=True)


# ---------------------------------------------------------------------------------------------
# symmetry-aware counting

def _small(group, channels, H, seed=0):
    return build_group_net(group, channels, 3, (1, H, H), seed=seed).lowered()


def test_fundamental_domain_tiles_the_box(rng):
    net = _small("p4m", (1, 1), 3)
    perms = list(group_actions(net, "p4m").inputs)
    dom = Domain.box(0.0, 1.0, 9)
    D = fundamental_domain(dom, perms, seed=0)
    X = rng.uniform(size=(2000, 9))
    inside = np.array([D.contains(X[:, p]) for p in perms])        # g x in D
    assert np.all(inside.sum(axis=0) == 1)                           # exactly one image, a.s.


@pytest.mark.parametrize("group, channels, H, w, regions, orbits", [
    ("p4", (1, 1), 2, 0.5, 305, 82), ("p4", (1, 1, 1), 2, 0.25, 873, 223),
    ("p4m", (1, 1), 2, 0.2, 315, 47)])
def test_symmetric_total_equals_the_plain_count(group, channels, H, w, regions, orbits):
    net = _small(group, channels, H)
    dom = Domain.box(0.5 - w, 0.5 + w, net.input_size)
    full = count_tree(net, dom, keep_patterns=True)
    sym = count_symmetric(net, dom, group, keep_patterns=True, keep_points=True)
    assert full.complete and sym.complete
    assert sym.regions == full.regions and sym.pattern_set() == full.pattern_set()
    assert sym.per_layer == full.per_layer
    x = sym.extra
    assert sum(int(k) * v for k, v in x["orbit_sizes"].items()) == sym.regions
    assert sum(x["orbit_sizes"].values()) == x["orbits"] < x["fundamental_regions"] < sym.regions
    assert sym.lps < full.lps                     # the tree's work on the fundamental domain
    assert set(x["orbit_sizes"]) <= {1, 2, 4, 8}
    assert (sym.regions, x["orbits"]) == (regions, orbits)
    # the pattern set is a union of orbits: closed under the group acting on the points
    acts = list(group_actions(net, group).inputs)
    sig = unit_permutations(net, acts)
    assert np.array_equal(np.hstack(net.pattern(sym.points)), sym.patterns)
    for g, p in enumerate(acts):
        moved = np.hstack(net.pattern(sym.points[:, p]))
        assert {r.tobytes() for r in moved.astype(np.int32)} == sym.pattern_set()
        assert len(sig[g]) == len(net.pwl_stages)


def test_symmetric_count_refuses_what_it_cannot_do(tmp_path):
    net = _small("p4", (1, 1), 2)
    lo = np.zeros(4)
    with pytest.raises(DomainError, match="onto itself"):
        count_symmetric(net, Domain.box(lo, np.array([1.0, 1.0, 1.0, 0.9])), "p4")
    cut = Domain(np.zeros(4), np.ones(4), np.array([[1.0, 0, 0, 0]]), np.array([0.5]))
    with pytest.raises(DomainError, match="onto itself"):
        count_symmetric(net, cut, "p4")
    sym_cut = Domain(np.zeros(4), np.ones(4), np.ones((1, 4)), np.array([2.0]))
    assert count_symmetric(net, sym_cut, "p4").regions == count_tree(net, sym_cut).regions
    with pytest.raises(RegioncountError, match="onto regions"):
        count_symmetric(net, Domain.box(0, 1, 4), "p4m")            # p4 net, p4m group
    import regioncount

    with pytest.raises(RegioncountError, match="does not act"):
        count_symmetric(regioncount.load(MODELS / "moons_2d.onnx"), Domain.box(0, 1, 2), "p4")


# ---------------------------------------------------------------------------------------------
# CLI

def test_cli_build_and_check(cli_run, tmp_path):
    out = tmp_path / "p4.onnx"
    code, stdout, err = cli_run("build", "p4", "--channels", "1,4,4", "--kernel", "3",
                                "--input-shape", "1,9,9", "--seed", "2", "-o", out, "--json")
    assert code == 0, err
    d = json.loads(stdout)
    assert d["params"] == 620 and d["order"] == 4 and d["output_shape"] == [16, 9, 9]
    code, stdout, err = cli_run("equivariance", out, "--group", "p4", "--json")
    assert code == 0, err
    d = json.loads(stdout)
    assert {"equivariant", "invariant", "max_error", "group", "worst_element"} <= set(d)
    assert d["equivariant"] is True and d["invariant"] is False and d["max_error"] < 1e-5
    assert d["group"] == "p4" and d["worst_element"] is None
    code, stdout, err = cli_run("equivariance", out, "--group", "p4m", "--json")
    d = json.loads(stdout)
    assert code == 0 and d["equivariant"] is False and d["worst_element"]
    code, stdout, _ = cli_run("equivariance", out, "--group", "c4")
    assert code == 0 and "equivariant" in stdout and "lifting 0" in stdout
    out8 = tmp_path / "p4m.onnx"
    code, stdout, err = cli_run("build", "p4m", "--channels", "1,2", "--input-shape", "1,5,5",
                                "--orientation-pool", "max", "-o", out8)
    assert code == 0, err
    assert "p4m lift(2x8" in stdout
    code, stdout, _ = cli_run("equivariance", out8, "--group", "d4", "--json")
    assert json.loads(stdout)["action"] == "grid"


@pytest.mark.parametrize("args, words", [
    (["build", "p4", "--kernel", "4"], "odd"),
    (["build", "p4", "--input-shape", "1,8,9"], "square"),
    (["build", "p4m", "--channels", "3,4"], "input channels"),
    (["build", "p4", "--channels", "a,b"], "integers"),
])
def test_cli_build_bad_input(cli_run, tmp_path, args, words):
    out = tmp_path / "bad.onnx"
    code, _, err = cli_run(*args, "-o", out)
    assert code == 2 and len(err.strip().splitlines()) == 1 and words in err
    assert not out.exists()


def test_cli_equivariance_bad_input(cli_run, tmp_path):
    code, _, err = cli_run("equivariance", MODELS / "moons_2d.onnx", "--group", "p4")
    assert code == 2 and len(err.strip().splitlines()) == 1 and "does not act" in err
    code, _, err = cli_run("equivariance", tmp_path / "missing.onnx", "--group", "p4")
    assert code == 2 and len(err.strip().splitlines()) == 1


def test_cli_count_symmetry(cli_run, tmp_path):
    out = tmp_path / "s.onnx"
    assert cli_run("build", "p4", "--channels", "1,1", "--input-shape", "1,2,2", "-o", out)[0] == 0
    code, stdout, err = cli_run("count", out, "--symmetry", "p4", "--json", "-q",
                                "--workers", "1")
    assert code == 0, err
    d = json.loads(stdout)
    assert (d["regions"], d["orbits"], d["group_order"]) == (305, 82, 4)
    code, stdout, _ = cli_run("count", out, "--symmetry", "p4", "-q", "--workers", "1")
    assert code == 0 and "82 orbits (sizes: 3 of size 1, 7 of size 2, 72 of size 4)" in stdout
    code, stdout, _ = cli_run("count", out, "--json", "-q", "--workers", "1", "--method", "tree")
    assert json.loads(stdout)["regions"] == 305
    box = tmp_path / "box.json"
    box.write_text(json.dumps({"lo": [0, 0, 0, 0], "hi": [1, 1, 1, 0.5]}))
    code, _, err = cli_run("count", out, "--symmetry", "p4", "--box-file", box, "-q")
    assert code == 2 and len(err.strip().splitlines()) == 1 and "onto itself" in err
    code, _, err = cli_run("count", MODELS / "moons_2d.onnx", "--symmetry", "p4", "-q")
    assert code == 2 and len(err.strip().splitlines()) == 1 and "does not act" in err


@pytest.mark.parametrize("name", ["regioncount.builders.groups", "regioncount.equivariance"])
def test_docstring_examples(name):
    import doctest
    import importlib

    res = doctest.testmod(importlib.import_module(name), optionflags=doctest.NORMALIZE_WHITESPACE)
    assert res.failed == 0 and res.attempted >= 1
