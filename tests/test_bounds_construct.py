"""Constructions that reach the lower bounds, verified by exact region counts written here
independently of the library: an exact breakpoint sweep on the line (n0 = 1) and exact
polygon splitting in the plane (n0 = 2), both checked first on exact_counts.json."""

import json

import numpy as np
import onnx
import pytest

from regioncount.bounds.construct import max_regions_network, sawtooth
from regioncount.errors import RegioncountError

#: Pieces shorter / polygons smaller than this (relative to the box) are not regions: the
#: constructions keep every breakpoint at least 1e-3 of the box apart.
TINY = 1e-9


def count_regions_1d(layers, lo, hi):
    """Activation regions of a ReLU net on [lo, hi]: per piece the exact affine map of each
    layer's output, split at the zeros of every pre-activation; distinct patterns counted."""
    pieces = [(lo, hi, np.ones((1, 1)), np.zeros(1), ())]   # (a, b, A, c, pattern so far)
    for W, b in layers:
        W = np.asarray(W, float)
        b = np.asarray(b, float)
        new = []
        for a0, b0, A, c, pat in pieces:
            G, g = W @ A, W @ c + b            # z(x) = G[:, 0] x + g
            cuts = [a0, b0]
            for slope, off in zip(G[:, 0], g):
                if slope != 0:
                    x = -off / slope
                    if a0 < x < b0:
                        cuts.append(x)
            cuts = sorted(set(cuts))
            for u, v in zip(cuts[:-1], cuts[1:]):
                if v - u <= TINY * (hi - lo):
                    continue
                z = G[:, 0] * (0.5 * (u + v)) + g
                on = z > 0
                new.append((u, v, G * on[:, None], g * on, pat + tuple(on.astype(int))))
        pieces = new
    return len({p[4] for p in pieces}), pieces


def _clip(poly, n, d):
    """The part of convex polygon ``poly`` (k, 2) where ``n . x + d >= 0``."""
    out = []
    k = len(poly)
    vals = poly @ n + d
    for i in range(k):
        p, q = poly[i], poly[(i + 1) % k]
        vp, vq = vals[i], vals[(i + 1) % k]
        if vp >= 0:
            out.append(p)
        if (vp > 0 > vq) or (vp < 0 < vq):
            t = vp / (vp - vq)
            out.append(p + t * (q - p))
    return np.array(out) if len(out) >= 3 else None


def _area(poly):
    x, y = poly[:, 0], poly[:, 1]
    return 0.5 * abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))


def count_regions_2d(layers, lo, hi):
    """Activation regions of a ReLU net on [lo, hi]^2 by exact convex polygon splitting."""
    box = np.array([[lo, lo], [hi, lo], [hi, hi], [lo, hi]], float)
    min_area = TINY * (hi - lo) ** 2
    cells = [(box, np.eye(2), np.zeros(2), ())]
    for W, b in layers:
        W = np.asarray(W, float)
        b = np.asarray(b, float)
        new = []
        for poly, A, c, pat in cells:
            G, g = W @ A, W @ c + b
            parts = [poly]
            for u in range(W.shape[0]):
                nxt = []
                for P in parts:
                    for sgn in (1.0, -1.0):
                        Q = _clip(P, sgn * G[u], sgn * g[u])
                        if Q is not None and _area(Q) > min_area:
                            nxt.append(Q)
                parts = nxt
            for P in parts:
                z = G @ P.mean(axis=0) + g
                on = z > 0
                new.append((P, G * on[:, None], g * on, pat + tuple(on.astype(int))))
        cells = new
    return len({c[3] for c in cells})


def _layers(entry):
    return [(np.array(W, float), np.array(b, float)) for W, b in entry["layers"]]


def test_counters_reproduce_exact_counts(exact_counts):
    seen = 0
    for e in exact_counts:
        n0 = e["arch"][0]
        if n0 == 1:
            assert count_regions_1d(_layers(e), e["lo"], e["hi"])[0] == e["regions"], e["name"]
            seen += 1
        elif n0 == 2:
            assert count_regions_2d(_layers(e), e["lo"], e["hi"]) == e["regions"], e["name"]
            seen += 1
    assert seen >= 8


def test_sawtooth_pieces_cover_the_unit_interval():
    for p in range(3, 9):
        s, c, K = sawtooth(p)

        def g(t):
            return float(np.sum(c * np.maximum(s * (t - np.arange(p)), 0)) + K)

        # breakpoints at 0..p-1, linear in between: every one of the p + 1 pieces on
        # [-1, p] covers [0, 1] (its values at its two ends)
        edges = [-1.0] + list(range(p)) + [float(p)]
        for u, v in zip(edges[:-1], edges[1:]):
            ends = sorted([g(u), g(v)])
            assert ends[0] <= 0 and ends[1] >= 1, (p, u, v, ends)
            mid = g(0.5 * (u + v))
            assert mid == pytest.approx(0.5 * (g(u) + g(v)))
        # and the slope changes at every breakpoint
        for k in range(p):
            assert g(k - 0.5) + g(k + 0.5) != pytest.approx(2 * g(k))
    with pytest.raises(RegioncountError):
        sawtooth(2)


@pytest.mark.parametrize("arch,lo,hi,expected", [
    ((1, 3, 2), -1.0, 4.0, 12), ((1, 3, 3), -1.0, 4.0, 16), ((1, 3, 3, 3), -1.0, 4.0, 64),
    ((1, 4, 4), 0.0, 1.0, 25), ((1, 5, 3, 6), 0.0, 1.0, 168), ((1, 7), -2.0, 3.0, 8),
    ((1, 3, 4, 5, 6, 2), 0.0, 1.0, 4 * 5 * 6 * 7 * 3),
])
def test_n0_1_constructions_reach_the_exact_maximum(arch, lo, hi, expected):
    c = max_regions_network(arch, lo, hi)
    assert c.regions == expected
    assert "exact_max_n0_1" in c.matches
    n, pieces = count_regions_1d(c.layers, lo, hi)
    assert n == expected
    # the library's patterns agree at the midpoints of the exact pieces
    net = c.network()
    mids = np.array([[0.5 * (p[0] + p[1])] for p in pieces])
    pats = np.concatenate(net.pattern(mids), axis=1)
    assert len({tuple(r) for r in pats}) == expected


@pytest.mark.parametrize("arch,lo,hi,expected", [
    ((2, 6, 6), -1.0, 4.0, 352), ((2, 6, 6), 0.0, 1.0, 352), ((2, 8, 8), 0.0, 1.0, 925),
    ((2, 6, 6, 3), 0.0, 1.0, 16 * 16 * 7), ((2, 7, 1), 0.0, 1.0, 16 * 2), ((2, 5), 0.0, 1.0, 16),
])
def test_n0_2_constructions_reach_serra_thm6(arch, lo, hi, expected):
    c = max_regions_network(arch, lo, hi)
    assert c.regions == expected
    assert count_regions_2d(c.layers, lo, hi) == expected


def test_2_6_6_matches_the_reference_construction(exact_counts):
    ref = next(e for e in exact_counts if e["name"] == "max-construction-2-6-6")
    c = max_regions_network(ref["arch"], ref["lo"], ref["hi"])
    assert c.regions == ref["regions"] == 352 and c.matches == ["serra2018_lower"]


def test_constructions_survive_float32_onnx_export(tmp_path):
    """The written ONNX (float32 weights) still has the count."""
    from onnx import numpy_helper

    c = max_regions_network((1, 3, 3, 3), 0.0, 1.0)
    m = c.onnx()
    inits = {t.name: numpy_helper.to_array(t) for t in m.graph.initializer}
    layers = [(inits[f"W{i}"].astype(float), inits[f"b{i}"].astype(float)) for i in range(3)]
    assert count_regions_1d(layers, 0.0, 1.0)[0] == 64
    c2 = max_regions_network((2, 6, 6), 0.0, 1.0)
    inits = {t.name: numpy_helper.to_array(t) for t in c2.onnx().graph.initializer}
    layers = [(inits[f"W{i}"].astype(float), inits[f"b{i}"].astype(float)) for i in range(2)]
    assert count_regions_2d(layers, 0.0, 1.0) == 352


def test_no_construction_below_three_units_per_input():
    with pytest.raises(RegioncountError) as e:
        max_regions_network((2, 5, 6))
    assert "3 n0" in str(e.value) and "\n" not in str(e.value)


def test_cli_build_max_regions(cli_run, tmp_path):
    out = tmp_path / "net.onnx"
    code, so, err = cli_run("build", "max-regions", "--arch", "2,6,6", "-o", out, "--json")
    assert code == 0, err
    d = json.loads(so)
    assert d["regions"] == 352 and d["matches"] == ["serra2018_lower"]
    m = onnx.load(out)
    onnx.checker.check_model(m)
    import onnxruntime as ort

    sess = ort.InferenceSession(str(out), providers=["CPUExecutionProvider"])
    x = np.random.default_rng(0).random((5, 2)).astype(np.float32)
    y = sess.run(None, {"x": x})[0]
    assert y.shape == (5, 6)
    # the file computes relu(W1 relu(W0 x + b0) + b1) of its own weights (numpy, float64) ...
    from onnx import numpy_helper

    inits = {t.name: numpy_helper.to_array(t).astype(float) for t in m.graph.initializer}
    layers = [(inits[f"W{i}"], inits[f"b{i}"]) for i in range(2)]
    ref = x.astype(float)
    for W, b in layers:
        ref = np.maximum(ref @ W.T + b, 0.0)
    np.testing.assert_allclose(y, ref, rtol=1e-5, atol=1e-5)
    assert np.any(y > 0) and np.any(y == 0)
    # ... and those weights have the 352 regions the JSON claims (the exact polygon splitter)
    assert count_regions_2d(layers, 0.0, 1.0) == 352
    code, so, err = cli_run("build", "max-regions", "--arch", "1,3,3", "-o", out, "--box", "-1,4")
    assert code == 0 and "16" in so and "exact_max_n0_1" in so
    code, _, err = cli_run("build", "max-regions", "--arch", "1,2,2", "-o", out)
    assert code == 2 and len(err.strip().splitlines()) == 1
    code, _, err = cli_run("build", "max-regions", "--arch", "1,3", "-o", tmp_path / "no" / "x.onnx")
    assert code == 2 and "cannot write" in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("arch,lo,hi", [((2, 6, 6), -1.0, 4.0), ((3, 9, 4), 0.0, 1.0),
                                        ((1, 3, 4, 3), 0.0, 1.0), ((2, 3), 0.0, 1.0)])
def test_constructions_agree_with_the_region_tree(arch, lo, hi):
    """Third check, by the library's exact LP region tree (also in 3-D)."""
    import regioncount.enumeration as enumeration
    from regioncount import Domain

    c = max_regions_network(arch, lo, hi)
    res = enumeration.count_tree(c.network(), Domain.box(lo, hi, arch[0]))
    assert res.complete and res.regions == c.regions
