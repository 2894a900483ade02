"""Certified counts (regioncount.enumeration.certify): every counted region has a rigorously
checked interior point, every other piece a checked Farkas certificate, and the bracket is
honest when a count is wrong or partial.

Each network here is counted by the tree; the certificate must confirm the count exactly
(``lower == upper == regions``). The tests that break a count on purpose (a dropped region, a
pattern no point realises, a partial count) check that the bracket then says so."""

from pathlib import Path

import numpy as np
import pytest

from regioncount import Domain, RegioncountError, load
from regioncount.app import count
from regioncount.enumeration import count_tree
from regioncount.enumeration.certify import certify
from regioncount.enumeration.exact import Q, exact, no_underflow
from regioncount.enumeration.rows import LIVE, EMPTY, HOLDS, Rows, classify, farkas
from regioncount.network import Affine, Clip, HardSigmoid, Input, LeakyRelu, MaxGroups, Network, Relu

from conftest import shared_cases, shared_path

MODELS = Path(__file__).resolve().parents[1] / "models"


def _two_layer(kind_of, n_in=2, h1=8, h2=6, seed=0):
    rng = np.random.default_rng(seed)
    W1, b1 = rng.normal(size=(h1, n_in)), rng.normal(size=h1)
    m = kind_of(h1, 1, rng)
    W2, b2 = rng.normal(size=(h2, m.size)), rng.normal(size=h2)
    st = [Input(size=n_in), Affine(size=h1, sources=(0,), weights=(W1,), bias=b1), m,
          Affine(size=h2, sources=(2,), weights=(W2,), bias=b2),
          Relu(size=h2, source_index=3),
          Affine(size=2, sources=(4,), weights=(rng.normal(size=(2, h2)),), bias=np.zeros(2))]
    return Network(st)


KINDS = {
    "relu": lambda n, src, rng: Relu(size=n, source_index=src),
    "leaky": lambda n, src, rng: LeakyRelu(size=n, source_index=src, alpha=rng.uniform(0, .5, n)),
    "clip": lambda n, src, rng: Clip(size=n, source_index=src, lo=np.full(n, -0.5),
                                     hi=np.full(n, 0.7)),
    "hard_sigmoid": lambda n, src, rng: HardSigmoid(size=n, source_index=src,
                                                    alpha=rng.choice([-0.7, 0.2, 1.5], n),
                                                    beta=rng.uniform(-0.5, 1.0, n)),
    "max": lambda n, src, rng: MaxGroups(size=n // 2, source_index=src,
                                         indptr=np.arange(0, n + 1, 2),
                                         indices=rng.permutation(n)),
}


def _certified(net, dom, method="tree"):
    res = count(net, dom, method, certify=True, per_class="point")
    j = res.to_json()
    return res.regions, j


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_certifies_its_count(kind):
    net = _two_layer(KINDS[kind])
    regions, j = _certified(net, Domain.box(-2, 2, 2))
    assert regions > 10
    assert j["certified"] is True
    assert j["certified_lower"] == j["certified_upper"] == regions


@pytest.mark.parametrize("model,box", [("moons_2d.onnx", (-2, 2)), ("maxout_2d.onnx", (-2, 2))])
@pytest.mark.parametrize("method", ["tree", "slice", pytest.param("milp", marks=pytest.mark.slow)])
def test_demo_models_certify_for_every_method(model, box, method):
    """moons_2d: 60 regions on [-2, 2]^2, maxout_2d: 87 (the slice counter, tests/test_classes.py).
    The MILP refuses maxout_2d: its max-pool can tie on a region, which its encoding cannot
    count."""
    net = load(MODELS / model)
    if method == "milp" and model == "maxout_2d.onnx":
        with pytest.raises(RegioncountError, match="would miss regions"):
            _certified(net, Domain.box(*box, 2), method)
        return
    regions, j = _certified(net, Domain.box(*box, 2), method)
    assert regions == {"moons_2d.onnx": 60, "maxout_2d.onnx": 87}[model]
    assert j["certified"] and j["certified_lower"] == j["certified_upper"] == regions


def test_milp_count_certifies():
    """Three lines through [-1, 1]^2 (x = 0, y = 0, x + y = 0.5): 7 regions by hand."""
    net = Network.from_layers([(np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]),
                                np.array([0.0, 0.0, -0.5]))])
    regions, j = _certified(net, Domain.box(-1, 1, 2), "milp")
    assert regions == 7 and j["certified"] and j["certified_upper"] == 7


def test_a_dropped_region_opens_the_bracket():
    net = load(MODELS / "moons_2d.onnx")
    dom = Domain.box(-2, 2, 2)
    res = count_tree(net, dom, keep_patterns=True, keep_points=True)
    c = certify(net, dom, res.patterns[1:], res.points[1:])
    assert not c.certified
    assert c.lower == res.regions - 1
    assert c.upper >= res.regions                 # the missing region is not ruled out
    assert c.checks["pieces_open"] >= 1


def test_a_pattern_with_no_region_is_not_certified():
    """Give one region the pattern of another with one unit flipped to a piece it cannot have
    there: its point fails, the Chebyshev centre of the (empty) pattern does not exist."""
    net = load(MODELS / "moons_2d.onnx")
    dom = Domain.box(-2, 2, 2)
    res = count_tree(net, dom, keep_patterns=True, keep_points=True)
    P = res.patterns.copy()
    known = {bytes(p.astype(np.int32)) for p in P}
    for j in range(P.shape[1]):
        q = P[0].copy()
        q[j] = 1 - q[j]
        if bytes(q.astype(np.int32)) not in known:
            break
    P[0] = q
    c = certify(net, dom, P, res.points, complete=False)
    assert c.lower <= res.regions - 1
    assert c.upper is None and not c.certified


def test_a_pattern_realised_only_outside_the_box_is_not_a_region():
    """relu(x - 2) on [-1, 1] has one region; the pattern "active" holds at x = 5, outside the
    box. Its rows (which leave the box out) hold there, so the point must not be judged on them:
    it goes to the region's centre in the box, which does not exist. Found by a survivor of the
    mutation run; before, the certificate said 2 regions, exact."""
    net = Network.from_layers([(np.array([[1.0]]), np.array([-2.0]))])
    dom = Domain.box(-1, 1, 1)
    c = certify(net, dom, [[0], [1]], [[0.0], [5.0]])
    assert (c.certified, c.lower, c.upper) == (False, 1, 2)
    assert c.checks["points_failed"] == 1
    # the same with a polytope domain: x + y <= 0.5 keeps (0.9, 0.9) out; relu(x + y - 1)
    # is active only beyond that half-plane
    net = Network.from_layers([(np.array([[1.0, 1.0]]), np.array([-1.0]))])
    dom = Domain([-1.0, -1.0], [1.0, 1.0], A=[[1.0, 1.0]], b=[0.5])
    c = certify(net, dom, [[0], [1]], [[0.0, 0.0], [0.9, 0.9]])
    assert (c.certified, c.lower, c.upper) == (False, 1, 2)
    # a point outside the box whose region does reach into it is moved there
    net = Network.from_layers([(np.array([[1.0]]), np.array([-0.5]))])
    c = certify(net, Domain.box(-1, 1, 1), [[0], [1]], [[0.0], [5.0]])
    assert (c.certified, c.lower, c.upper) == (True, 2, 2) and c.checks["points_moved"] == 1


def test_partial_count_certifies_a_lower_bound_only():
    net = load(MODELS / "moons_2d.onnx")
    res = count(net, Domain.box(-2, 2, 2), "tree", max_regions=10, certify=True,
                per_class="point")
    j = res.to_json()
    assert res.complete is False and res.regions == 10
    assert j["certified"] is False
    assert j["certified_lower"] == 10 and j["certified_upper"] is None


def test_duplicated_units_and_zero_biases_need_exact_arithmetic():
    """Two identical ReLUs (their pieces can never differ: the mixed patterns are empty only
    by an exact cancellation), a dead unit, zero biases: 4 regions on [-1, 1]^2 (the lines
    x + y/2 = 0 and -x + 2y = 0 cut the square into 4; the second layer's live unit sees
    relu(z1) - relu(z1) + ... )."""
    W = np.array([[1.0, 0.5], [1.0, 0.5], [-1.0, 2.0], [0.0, 0.0]])
    W2 = np.array([[1.0, -1.0, 0.5, 1.0], [0.0, 0.0, 0.0, 0.0]])
    net = Network.from_layers([(W, np.zeros(4)), (W2, np.zeros(2))])
    regions, j = _certified(net, Domain.box(-1, 1, 2))
    assert regions == 4
    assert j["certified"] and j["certified_lower"] == j["certified_upper"] == 4
    cert = j["certificate"]
    assert cert.get("pieces_exact", 0) + cert.get("stage_exact", 0) >= 1


def test_polytope_domain_certifies():
    """moons_2d on [-2, 2]^2 cut by x + y <= 0.3."""
    net = load(MODELS / "moons_2d.onnx")
    dom = Domain(np.full(2, -2.0), np.full(2, 2.0), np.array([[1.0, 1.0]]), np.array([0.3]))
    regions, j = _certified(net, dom)
    assert 0 < regions < 60
    assert j["certified"] and j["certified_lower"] == j["certified_upper"] == regions


def test_dead_maxpool_over_equal_entries_certifies():
    """A max over two ReLUs that are 0 everywhere on [0, 1]^2 is one piece (docs/regions.md):
    the live ReLU's line x - y + 0.1 = 0 makes 2 regions; the tie needs the exact zero rows."""
    W = np.array([[1.0, 1.0], [1.0, -1.0], [1.0, -1.0]])
    st = [Input(size=2), Affine(size=3, sources=(0,), weights=(W,), bias=np.array([-5.0, -3.0, 0.1])),
          Relu(size=3, source_index=1),
          MaxGroups(size=1, source_index=2, indptr=np.array([0, 2]), indices=np.array([0, 1])),
          Affine(size=1, sources=(3, 2), weights=(np.ones((1, 1)), np.ones((1, 3))), bias=np.zeros(1))]
    regions, j = _certified(Network(st), Domain.box(0, 1, 2))
    assert regions == 2
    assert j["certified"] and j["certified_lower"] == j["certified_upper"] == 2


def test_certificate_does_not_move_with_the_scale():
    """moons_2d with its input scaled by 2^-20 (the first layer multiplied back): the same
    function on the same points, 60 certified regions."""
    net = load(MODELS / "moons_2d.onnx")
    s = 2.0 ** -20
    st = list(net.stages)
    first = next(k for k, x in enumerate(st) if 0 in x.inputs)
    a = st[first]
    st[first] = Affine(size=a.size, sources=a.sources, weights=tuple(W / s for W in a.weights),
                       bias=a.bias, source=a.source)
    scaled = Network(st, output=net.output)
    regions, j = _certified(scaled, Domain.box(-2 * s, 2 * s, 2))
    assert regions == 60 and j["certified"] and j["certified_upper"] == 60


def test_farkas_by_hand():
    """x <= 0 and -x <= -1 on [-5, 5]: y = (1, 1) gives 0 >= -1, empty; x <= 1 and -x <= 0 is
    the open interval (0, 1): no multipliers prove it empty."""
    lo, hi = np.array([-5.0]), np.array([5.0])
    r = Rows(np.array([[1.0], [-1.0]]), np.array([0.0, -1.0]), np.zeros((2, 1)), np.zeros(2),
             np.zeros(2, bool))
    assert farkas(r, [1.0, 1.0], lo, hi)
    assert not farkas(r, [1.0, 0.0], lo, hi)
    open_ = Rows(np.array([[1.0], [-1.0]]), np.array([1.0, 0.0]), np.zeros((2, 1)),
                 np.zeros(2), np.zeros(2, bool))
    assert not farkas(open_, [1.0, 1.0], lo, hi)
    ex = Rows(exact(r.G), exact(r.h), None, None, r.strict)
    assert farkas(ex, np.array([Q(1), Q(1)], dtype=object), lo, hi)


def test_an_error_bound_too_wide_defers_to_exact():
    """A zero row whose error bound is not zero cannot be called constant in floats."""
    r = Rows(np.zeros((3, 2)), np.array([1.0, 0.0, 0.0]), np.zeros((3, 2)),
             np.zeros(3), np.array([False, False, True]))
    assert classify(r).tolist() == [HOLDS, HOLDS, EMPTY]
    r2 = Rows(np.array([[0.0, 1e-20]]), np.zeros(1), np.full((1, 2), 1e-19), np.zeros(1),
              np.zeros(1, bool))
    assert classify(r2).tolist() == [3]           # UNSURE: maybe zero, maybe not
    r3 = Rows(exact(np.array([[0.0, 1e-20]])), exact(np.zeros(1)), None, None, np.zeros(1, bool))
    assert classify(r3).tolist() == [LIVE]


def test_underflow_guard():
    assert no_underflow([np.array([1e-3, 0.5])], 10)
    assert not no_underflow([np.array([1e-200])], 10)


@pytest.mark.parametrize("rel,box,regions", shared_cases([
    ("vnncomp2022/cartpole.onnx", 0.1, 231),
    pytest.param("vnncomp2021/ACASXU_run2a_1_1_batch_2000.onnx", 0.02, 971,
                 marks=pytest.mark.slow),
]))
def test_shared_models_certify(rel, box, regions):
    """Counts from tests/test_scale_free.py (cartpole) and issue 10 (ACAS Xu N_1,1, whose two
    thin regions have inscribed radii 6.4e-7 and 3.3e-7)."""
    net = load(shared_path("models", *rel.split("/")))
    n, j = _certified(net, Domain.box(-box, box, net.input_size))
    assert n == regions
    assert j["certified"] and j["certified_lower"] == j["certified_upper"] == regions


def test_every_reference_network_certifies(exact_counts):
    """Every network of tests/data/exact_counts.json: the certificate confirms the published
    count exactly."""
    from conftest import network_from_entry

    for entry in exact_counts:
        net, dom = network_from_entry(entry)
        regions, j = _certified(net, dom)
        assert regions == entry["regions"], entry["name"]
        assert j["certified"], (entry["name"], j["certificate"])
        assert j["certified_lower"] == j["certified_upper"] == entry["regions"], entry["name"]


def test_a_count_with_no_region_yet():
    """A count stopped before its first region: nothing certified, nothing claimed."""
    net = load(MODELS / "moons_2d.onnx")
    dom = Domain.box(-2, 2, 2)
    units = sum(s.size for s in net.pwl_stages)
    c = certify(net, dom, np.zeros((0, units), int), np.zeros((0, 2)), complete=False)
    assert (c.certified, c.lower, c.upper) == (False, 0, None)


def test_cli_count_certify(cli_run):
    import json

    code, out, err = cli_run("count", MODELS / "maxout_2d.onnx", "--box=-2,2", "--certify",
                             "--json", "-q")
    assert code == 0, err
    j = json.loads(out)
    assert j["regions"] == 87 and j["certified"] is True
    assert j["certified_lower"] == j["certified_upper"] == 87
    assert j["certificate"]["regions"] == 87 and j["certificate"]["points_failed"] == 0
    code, out, err = cli_run("count", MODELS / "moons_2d.onnx", "--box=-2,2", "--certify", "-q")
    assert code == 0 and "certified: exactly 60 regions" in out
    code, out, err = cli_run("count", MODELS / "moons_2d.onnx", "--certify", "--symmetry", "c4")
    assert code == 2 and "--certify" in err


def test_report_says_certified(cli_run, tmp_path):
    import json

    out = tmp_path / "r.json"
    code, _, err = cli_run("report", MODELS / "moons_2d.onnx", "--box=-2,2", "-q", "--no-slice",
                           "-o", out)
    assert code == 0, err
    r = json.loads(out.read_text())
    assert "(exact, certified," in r["headline"]
    assert r["count"]["certified"] is True and r["count"]["certified_upper"] == 60
    code, _, err = cli_run("report", MODELS / "moons_2d.onnx", "--box=-2,2", "-q", "--no-slice",
                           "--no-certify", "-o", out)
    r = json.loads(out.read_text())
    assert code == 0 and r["count"]["certified"] is None and "certified" not in r["headline"]


def test_a_certificate_out_of_time_keeps_its_lower_bound():
    net = load(MODELS / "moons_2d.onnx")
    dom = Domain.box(-2, 2, 2)
    res = count_tree(net, dom, keep_patterns=True, keep_points=True)
    c = certify(net, dom, res.patterns, res.points, time_limit=0.0)
    assert (c.certified, c.lower, c.upper) == (False, 60, None)
    assert c.checks["stopped"] == "time limit"


@pytest.mark.parametrize("counter", ["milp", "slice"])
def test_count_functions_refuse_a_domain_without_interior(counter):
    """The enumerators themselves (not only app.count) refuse a flat domain: the MILP once
    counted 1 region on the point [0, 0]^2, the slice counter crashed."""
    from regioncount.enumeration.milp_count import count_milp
    from regioncount.enumeration.slices import count_slice
    from regioncount.errors import DomainError

    net = load(MODELS / "moons_2d.onnx")
    run = {"milp": count_milp, "slice": count_slice}[counter]
    with pytest.raises(DomainError, match="empty interior"):
        run(net, Domain.box(0.0, 0.0, 2))
    flat = Domain(np.zeros(2), np.ones(2), np.array([[1.0, 1.0], [-1.0, -1.0]]),
                  np.array([0.5, -0.5]))                    # the segment x + y = 0.5
    with pytest.raises(DomainError, match="empty interior"):
        run(net, flat)


def test_exact_dot_equals_rational_products():
    """The integer product of exact.exact_dot against the rational product it replaces:
    weights from 1e-30 to 1e30, zeros, a subnormal, and a non-dyadic entry (1/3)."""
    from fractions import Fraction

    from regioncount.enumeration.exact import Q, exact, exact_dot

    rng = np.random.default_rng(0)
    for trial in range(10):
        W = rng.normal(size=(7, 5)) * 10.0 ** rng.integers(-30, 30, size=(7, 5))
        W[rng.random(W.shape) < 0.3] = 0.0
        W[0, 0] = 5e-324 if trial == 0 else W[0, 0]
        M = exact(rng.normal(size=(5, 3)))
        M[1, 1] = Q(Fraction(1, 3))
        for m in (M, M[:, 0]):
            got = exact_dot(W, m)
            assert got.shape == exact(W).dot(m).shape
            assert all(a == b and type(b) is Q for a, b in zip(exact(W).dot(m).ravel(),
                                                               got.ravel()))


def test_a_pwl_stage_on_the_input_with_a_point_on_a_boundary():
    """ReLUs reading the input directly, and a point on one's boundary (x = 0): the float
    pass cannot decide it, so the region's rows are built, the input's map the identity.
    Before, this ended in a ValueError traceback."""
    net = Network([Input(size=2), Relu(size=2, source_index=0),
                   Affine(size=1, sources=(1,), weights=(np.array([[1.0, -1.0]]),),
                          bias=np.array([0.0])),
                   Relu(size=1, source_index=2)])
    dom = Domain.box(-1, 1, 2)
    res = count_tree(net, dom, keep_patterns=True, keep_points=True)
    j = next(i for i, p in enumerate(res.patterns.tolist()) if p == [1, 1, 0])
    X = res.points.copy()
    X[j] = [0.0, 0.5]                        # x = 0: on the first unit's boundary
    c = certify(net, dom, res.patterns, X)
    assert (c.certified, c.lower, c.upper) == (True, res.regions, res.regions)
    assert c.checks["points_moved"] == 1


def test_a_region_or_piece_with_no_row_at_all():
    """Two max groups of one entry each (no rows): the one region is the box; a point given
    outside it goes to the box's centre. And relu(x + 5), active on all of [-1, 1], given
    only the inactive pattern: the missing active piece has no row for the LP (it holds on
    the whole box), so it stays open. Before, both ended in an 'Unbounded' SolverError: the
    Chebyshev LP had no row to bound its radius."""
    net = Network([Input(size=2), Affine(size=2, sources=(0,), weights=(np.eye(2),),
                                         bias=np.zeros(2)),
                   MaxGroups(size=2, source_index=1, indptr=np.arange(3), indices=np.arange(2))])
    c = certify(net, Domain.box(-1, 1, 2), [[0, 0]], [[5.0, 5.0]])
    assert (c.certified, c.lower, c.upper) == (True, 1, 1) and c.checks["points_moved"] == 1
    net = Network.from_layers([(np.array([[1.0]]), np.array([5.0]))])
    c = certify(net, Domain.box(-1.0, 1.0, 1), [[0]], [[0.0]])
    assert (c.certified, c.lower, c.upper) == (False, 0, 2)
