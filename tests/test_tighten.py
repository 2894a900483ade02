"""Bound tightening is sound (samples, exact per-region LPs) and proves what it should."""

import itertools

import numpy as np
import pytest
from scipy.optimize import linprog

from regioncount import Domain, Network
from regioncount.intervals import interval_bounds, stable_units
from regioncount.milp.tighten import tighten

from conftest import network_from_entry


def _abs_net():
    # relu(x) + relu(-x) - 1.5 = |x| - 1.5 < 0 on [-1, 1]; intervals give [-1.5, 0.5]
    return Network.from_layers([(np.array([[1.0], [-1.0]]), np.zeros(2)),
                                (np.array([[1.0, 1.0], [1.0, 1.0]]), np.array([-1.5, -0.5]))])


@pytest.mark.parametrize("solver", ["highs", "ortools"])
def test_lp_proves_what_intervals_cannot(solver):
    t = tighten(_abs_net(), Domain.box(-1, 1, 1), method="lp", solver=solver)
    st = t.stages[1]
    assert st.inactive.tolist() == [True, False]          # |x| - 0.5 does cross zero
    assert st.proved_by.tolist() == ["lp", ""]
    assert t.bounds.pre(4)[1][0] == pytest.approx(-0.5, abs=1e-6)
    assert t.bounds.pre(4)[1][0] >= -0.5                   # widened, never tighter than exact
    assert interval_bounds(_abs_net(), Domain.box(-1, 1, 1)).pre(4)[1][0] == pytest.approx(0.5)


def test_bounds_contain_samples_and_are_inside_intervals(exact_counts, rng):
    for entry in exact_counts:
        net, dom = network_from_entry(entry)
        if net.pwl_units > 40:
            continue
        t = tighten(net, dom, method="lp")
        ib = t.interval
        vals = net.forward(dom.sample(4000, rng))
        pats = net.pattern(dom.sample(4000, rng))
        for k, v in enumerate(vals):
            assert np.all(v >= t.bounds.lo[k] - 1e-12) and np.all(v <= t.bounds.hi[k] + 1e-12)
            assert np.all(t.bounds.lo[k] >= ib.lo[k]) and np.all(t.bounds.hi[k] <= ib.hi[k])
        for st, p in zip(t.stages, pats):
            assert np.all(p[:, st.active] == 1) and np.all(p[:, st.inactive] == 0)


def _exact_second_layer_range(net, dom):
    """Exact min / max of the second layer's pre-activations over the box, by one LP per
    first-layer activation pattern (the closed pattern cells cover the box)."""
    W1, b1 = net.stages[1].weights[0], net.stages[1].bias
    W2, b2 = net.stages[3].weights[0], net.stages[3].bias
    n1 = W1.shape[0]
    lo = np.full(W2.shape[0], np.inf)
    hi = np.full(W2.shape[0], -np.inf)
    bnds = list(zip(dom.lo, dom.hi))
    for pat in itertools.product([0, 1], repeat=n1):
        on = np.array(pat, bool)
        # active: W1 x + b1 >= 0; inactive: <= 0
        sign = np.where(on, -1.0, 1.0)
        A_ub, b_ub = sign[:, None] * W1, -sign * b1
        M = W2 @ (W1 * on[:, None])
        c0 = W2 @ (b1 * on) + b2
        for j in range(W2.shape[0]):
            for s in (1.0, -1.0):
                r = linprog(s * M[j], A_ub=A_ub, b_ub=b_ub, bounds=bnds, method="highs")
                if r.status == 2:
                    break               # empty cell
                v = s * r.fun + c0[j]
                lo[j], hi[j] = min(lo[j], v), max(hi[j], v)
    return lo, hi


def test_stable_units_match_exact_ranges_on_two_layer_nets(exact_counts):
    checked = 0
    for entry in exact_counts:
        net, dom = network_from_entry(entry)
        if len(entry["layers"]) != 2 or entry["arch"][1] > 8:
            continue
        lo, hi = _exact_second_layer_range(net, dom)
        t_lp = tighten(net, dom, method="lp")
        t_milp = tighten(net, dom, method="milp")
        for t in (t_lp, t_milp):
            st = t.stages[1]
            assert np.all(hi[st.inactive] <= 1e-9) and np.all(lo[st.active] >= -1e-9)
            l, h = t.bounds.pre(4)
            assert np.all(l <= lo + 1e-9) and np.all(h >= hi - 1e-9)   # sound
        # units left unstable by the LP get exact MILP bounds (up to the widening), so the
        # MILP decides stability exactly
        st = t_milp.stages[1]
        l, h = t_milp.bounds.pre(4)
        un = ~(t_lp.stages[1].active | t_lp.stages[1].inactive)
        np.testing.assert_allclose(l[un], lo[un], atol=1e-5)
        np.testing.assert_allclose(h[un], hi[un], atol=1e-5)
        clear = (hi < -1e-6) | (lo > 1e-6) | ((lo < -1e-6) & (hi > 1e-6))
        assert np.array_equal((st.inactive)[clear], (hi <= 0)[clear])
        assert np.array_equal((st.active)[clear], (lo >= 0)[clear])
        checked += 1
    assert checked >= 3


def test_counts_and_methods_are_consistent(rng):
    layers = [(rng.normal(size=(12, 3)), rng.normal(size=12)), (rng.normal(size=(12, 12)), rng.normal(size=12)),
              (rng.normal(size=(8, 12)), rng.normal(size=8))]
    net = Network.from_layers(layers)
    dom = Domain.box(-1, 1, 3)
    ti = tighten(net, dom, method="interval")
    tl = tighten(net, dom, method="lp")
    assert ti.counts()["lp"] == 0 and ti.stable_count() == ti.counts()["interval"]
    assert tl.counts()["interval"] == ti.stable_count()
    assert tl.stable_count() >= ti.stable_count()
    pats = net.pattern(dom.sample(20000, rng))
    for st, p in zip(tl.stages, pats):
        assert np.all(p[:, st.active] == 1) and np.all(p[:, st.inactive] == 0)
    # the stable_units view of the tightened bounds agrees with the report
    for st, su in zip(tl.stages, stable_units(net, tl.bounds)):
        assert np.array_equal(st.active, su.active) and np.array_equal(st.inactive, su.inactive)


def test_time_limit_zero_is_partial_and_sound(rng):
    layers = [(rng.normal(size=(10, 2)), rng.normal(size=10)), (rng.normal(size=(10, 10)), rng.normal(size=10))]
    net = Network.from_layers(layers)
    dom = Domain.box(-1, 1, 2)
    t = tighten(net, dom, method="lp", time_limit=0.0)
    assert t.partial
    ib = interval_bounds(net, dom)
    for a, b in zip(t.bounds.lo, ib.lo):
        np.testing.assert_array_equal(a, b)


def test_leaky_clip_and_max_stages_tighten_soundly(rng):
    from test_milp import _max_clip_net

    net = _max_clip_net(rng)
    dom = Domain.box(-1, 1, 3)
    t = tighten(net, dom, method="lp")
    vals = net.forward(dom.sample(5000, rng))
    for k, v in enumerate(vals):
        assert np.all(v >= t.bounds.lo[k] - 1e-12) and np.all(v <= t.bounds.hi[k] + 1e-12)
    pats = net.pattern(dom.sample(5000, rng))
    for st, p in zip(t.stages, pats):
        if st.kind in ("relu", "leaky_relu"):
            assert np.all(p[:, st.active] == 1) and np.all(p[:, st.inactive] == 0)


def test_stable_command_json_contract(tmp_path, cli_run):
    import json

    import onnx

    from regioncount.io.export import mlp_to_onnx

    # relu(x) + relu(-x) - 1.5 < 0 on [-1, 1]: LP proves unit 0 of layer 2 inactive
    W1, W2 = np.array([[1.0], [-1.0]]), np.array([[1.0, 1.0], [1.0, 1.0]])
    path = tmp_path / "abs.onnx"
    onnx.save(mlp_to_onnx([(W1, np.zeros(2)), (W2, np.array([-1.5, -0.5]))]), path)
    code, out, err = cli_run("stable", path, "--box", "-1,1", "--json")
    assert code == 0, err
    d = json.loads(out)
    assert [(L["units"], L["stably_active"], L["stably_inactive"]) for L in d["layers"]] == \
        [(2, [], []), (2, [], [0])]
    assert d["layers"][1]["proved_by"]["lp"] == [0] and d["proved_by"] == {"interval": 0, "lp": 1, "milp": 0}
    assert all(L["seconds"] >= 0 for L in d["layers"])
    code, out, _ = cli_run("stable", path, "--box", "-1,1", "--tighten", "interval", "--json")
    assert json.loads(out)["layers"][1]["stably_inactive"] == []
    code, out, _ = cli_run("stable", path, "--box", "-1,1", "--solver", "ortools", "-q")
    assert code == 0 and "1 of 4 units stable" in out
    code, _, err = cli_run("stable", path, "--box", "-1,1,2")
    assert code == 2 and "--box" in err and "Traceback" not in err


@pytest.mark.parametrize("factor", [0.1, 10.0])
def test_stable_counts_do_not_depend_on_the_tolerance(exact_counts, monkeypatch, factor):
    # the package attribute regioncount.milp.tighten is the function; the module by name:
    import importlib

    T = importlib.import_module("regioncount.milp.tighten")

    base = {}
    for entry in exact_counts[:6]:
        net, dom = network_from_entry(entry)
        base[entry["name"]] = tighten(net, dom, method="lp").stable_count()
    monkeypatch.setattr(T, "STABILITY_TOL", T.STABILITY_TOL * factor)
    for entry in exact_counts[:6]:
        net, dom = network_from_entry(entry)
        assert tighten(net, dom, method="lp").stable_count() == base[entry["name"]]


@pytest.mark.slow
def test_acas_xu_lp_tightening_is_sound():
    import regioncount
    from conftest import shared_path

    net = regioncount.load(shared_path("models", "vnncomp2021", "ACASXU_run2a_1_1_batch_2000.onnx"))
    dom = Domain(np.array([0.6, -0.5, -0.5, 0.45, -0.5]), np.array([0.6799, 0.5, 0.5, 0.5, -0.45]))
    t = tighten(net, dom, method="lp")
    assert t.stable_count() > t.counts()["interval"]          # LP proves more on this box
    X = dom.sample(20000, 0)
    for k, v in enumerate(net.forward(X)):
        assert np.all(v >= t.bounds.lo[k] - 1e-9) and np.all(v <= t.bounds.hi[k] + 1e-9)
    for st, p in zip(t.stages, net.pattern(X)):
        assert np.all(p[:, st.active] == 1) and np.all(p[:, st.inactive] == 0)


def test_ctrl_c_keeps_sound_partial_bounds(monkeypatch, rng):
    from regioncount.backends.highs import HighsBackend

    layers = [(rng.normal(size=(8, 2)), rng.normal(size=8)), (rng.normal(size=(8, 8)), rng.normal(size=8)),
              (rng.normal(size=(6, 8)), rng.normal(size=6))]
    net = Network.from_layers(layers)
    dom = Domain.box(-1, 1, 2)
    full = tighten(net, dom, method="lp")
    calls = {"n": 0}
    orig = HighsBackend.solve

    def solve(self, *a, **k):
        calls["n"] += 1
        if calls["n"] == 5:
            raise KeyboardInterrupt
        return orig(self, *a, **k)

    monkeypatch.setattr(HighsBackend, "solve", solve)
    t = tighten(net, dom, method="lp")
    assert t.partial and t.stable_count() <= full.stable_count()
    vals = net.forward(dom.sample(5000, rng))
    for k, v in enumerate(vals):
        assert np.all(v >= t.bounds.lo[k] - 1e-12) and np.all(v <= t.bounds.hi[k] + 1e-12)
