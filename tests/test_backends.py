"""Backends: statuses, incremental changes, and agreement on every optimum of the test set."""

import itertools

import numpy as np
import pytest

from regioncount import Domain, Network
from regioncount.backends import BACKENDS, Status, get_backend
from regioncount.errors import SolverError
from regioncount.milp.formulation import encode
from regioncount.milp.model import ModelBuilder
from regioncount.milp.range import output_range

from conftest import network_from_entry

SOLVERS = ["highs", "ortools"]


def _knapsack(rng, n=10):
    w = rng.integers(1, 20, size=n).astype(float)
    v = rng.integers(1, 30, size=n).astype(float)
    cap = float(w.sum() // 2)
    b = ModelBuilder()
    x = b.add_vars(n, 0, 1, integer=True, name="x")
    b.add_rows(w[None, :], -np.inf, cap, cols=x)
    b.set_objective(x, v, sense="max")
    best = max(v @ np.array(s) for s in itertools.product([0, 1], repeat=n) if w @ np.array(s) <= cap)
    return b.build(), w, v, cap, best


def test_registry_and_unknown_name():
    assert set(BACKENDS) >= {"highs", "ortools"}
    with pytest.raises(SolverError, match="unknown solver 'gurobi'"):
        get_backend("gurobi")
    for name in BACKENDS:
        caps = get_backend(name).capabilities
        assert {"milp", "lp", "add_rows", "time_limit", "bound"} <= caps


@pytest.mark.parametrize("solver", list(BACKENDS))
def test_milp_optimum_matches_brute_force(solver, rng):
    model, w, v, cap, best = _knapsack(rng)
    be = get_backend(solver)
    be.load(model)
    sol = be.solve()
    assert sol.status is Status.OPTIMAL
    assert sol.objective == pytest.approx(best) and sol.bound == pytest.approx(best)
    assert w @ np.round(sol.x) <= cap
    # add a row and re-solve without rebuilding: forbid the first optimum's items together
    chosen = np.flatnonzero(np.round(sol.x) == 1)
    row = np.zeros((1, model.num_cols))
    row[0, chosen] = 1.0
    be.add_rows(row, -np.inf, chosen.size - 1)
    sol2 = be.solve()
    brute = max(v @ np.array(s) for s in itertools.product([0, 1], repeat=len(w))
                if w @ np.array(s) <= cap and np.array(s)[chosen].sum() <= chosen.size - 1)
    assert sol2.objective == pytest.approx(brute)


@pytest.mark.parametrize("solver", SOLVERS)
def test_lp_objective_bounds_and_statuses(solver):
    b = ModelBuilder()
    x = b.add_vars(2, 0.0, np.inf)
    b.add_rows(np.array([[1.0, 2.0], [3.0, 1.0]]), -np.inf, [4.0, 6.0])
    b.set_objective(x, [1.0, 1.0], sense="max")
    be = get_backend(solver)
    be.load(b.build())
    s = be.solve()
    assert s.status is Status.OPTIMAL and s.objective == pytest.approx(2.8)   # x = (1.6, 1.2)
    np.testing.assert_allclose(s.x, [1.6, 1.2], atol=1e-7)
    be.set_objective([1.0, -1.0], "min")
    assert be.solve().objective == pytest.approx(-2.0)
    be.set_col_bounds([0], 3.0, 3.0)               # 3 x0 <= 6 fails
    assert be.solve().status is Status.INFEASIBLE
    be.set_col_bounds([0], 1.0, 0.0)               # an empty range: infeasible without solving
    assert be.solve().status is Status.INFEASIBLE
    be.set_col_bounds([0], 0.0, np.inf)
    be.set_objective([1.0, 0.0], "min")
    assert be.solve().objective == pytest.approx(0.0)


@pytest.mark.parametrize("solver", SOLVERS)
def test_unbounded(solver):
    b = ModelBuilder()
    x = b.add_vars(2, 0.0, np.inf)
    b.add_rows(np.array([[1.0, -1.0]]), -np.inf, 1.0)
    b.set_objective(x, [1.0, 1.0], sense="max")
    be = get_backend(solver)
    be.load(b.build())
    assert be.solve().status in (Status.UNBOUNDED, Status.INFEASIBLE_OR_UNBOUNDED)


@pytest.mark.parametrize("solver", SOLVERS)
def test_time_limit_keeps_a_sound_bound(solver):
    rng = np.random.default_rng(7)
    layers = [(rng.normal(size=(40, 4)), rng.normal(size=40))] + \
             [(rng.normal(size=(40, 40)) / 4, rng.normal(size=40)) for _ in range(3)]
    net = Network.from_layers(layers, final=(rng.normal(size=(1, 40)), np.zeros(1)))
    dom = Domain.box(-1, 1, 4)
    enc = encode(net, dom)
    be = get_backend(solver)
    be.load(enc.model)
    obj = np.zeros(enc.model.num_cols)
    obj[enc.output_cols[0]] = 1.0
    be.set_objective(obj, "max")
    X = dom.sample(2000, rng)
    best = net.evaluate(X)[:, 0].max()
    be.set_start(enc.start(X[np.argmax(net.evaluate(X)[:, 0])]))
    s = be.solve(time_limit=0.05, threads=1)
    assert s.status in (Status.TIME_LIMIT, Status.OPTIMAL)
    # the incumbent is at least the start, and it is the network's output at its own input
    assert s.objective is not None and s.objective >= best - 1e-6
    assert net.evaluate(s.x[enc.input_cols])[0] == pytest.approx(s.objective, rel=1e-6, abs=1e-6)
    if s.bound is not None:
        assert s.bound >= best - 1e-6 and s.bound >= s.objective - 1e-6
    else:       # only a solve stopped before its first dual bound (HiGHS within the root LP)
        assert s.status is Status.TIME_LIMIT
    if s.status is Status.TIME_LIMIT:
        assert s.seconds < 30


def _test_nets():
    rng = np.random.default_rng(3)
    from test_milp import _max_clip_net, _mlp

    return [(_mlp(rng, "relu"), Domain.box(-1, 1, 3)), (_mlp(rng, "leaky_relu"), Domain.box(-1, 1, 3)),
            (_max_clip_net(rng), Domain.box(-1, 1, 3)),
            (_mlp(rng, "relu", sizes=(2, 6, 6)), Domain(np.array([-1.0, -1.0]), np.array([1.0, 1.0]),
                                                        A=np.array([[1.0, 1.0]]), b=np.array([0.5])))]


def test_both_backends_agree_on_every_range_optimum(exact_counts, rng):
    cases = _test_nets()
    for entry in exact_counts[:5]:
        net, dom = network_from_entry(entry)
        cases.append((net, dom))
    for net, dom in cases:
        r = {s: output_range(net, dom, solver=s) for s in SOLVERS}
        X = dom.sample(5000, rng)
        Y = net.evaluate(X)
        for oh, oo in zip(r["highs"].outputs, r["ortools"].outputs):
            assert oh.min_status == oo.min_status == oh.max_status == oo.max_status == "optimal"
            assert oh.min == pytest.approx(oo.min, abs=1e-6) and oh.max == pytest.approx(oo.max, abs=1e-6)
            # witnesses attain their values inside the domain; sampling never beats them
            assert dom.contains(oh.argmax[None, :], tol=1e-9)[0]
            assert net.evaluate(oh.argmax)[oh.index] == pytest.approx(oh.max, abs=1e-9)
            assert Y[:, oh.index].max() <= oh.max + 1e-9 and Y[:, oh.index].min() >= oh.min - 1e-9
            assert oh.max_bound >= oh.max - 1e-9 and oh.gap <= 1e-6 * (1 + abs(oh.max))


def test_range_command(tmp_path, cli_run):
    import json

    import onnx

    import regioncount
    from regioncount.io.export import mlp_to_onnx

    rng = np.random.default_rng(11)
    layers = [(rng.normal(size=(6, 2)), rng.normal(size=6)), (rng.normal(size=(5, 6)), rng.normal(size=5))]
    path = tmp_path / "m.onnx"
    onnx.save(mlp_to_onnx(layers, final=(rng.normal(size=(2, 5)), rng.normal(size=2))), path)
    net = regioncount.load(path)
    code, out, err = cli_run("range", path, "--box", "-1,1", "--json")
    assert code == 0, err
    d = json.loads(out)
    X = Domain.box(-1, 1, 2).sample(20000, rng)
    Y = net.evaluate(X)
    assert [o["index"] for o in d["outputs"]] == [0, 1] and not d["partial"]
    for o in d["outputs"]:
        assert o["min_status"] == o["max_status"] == "optimal"
        assert o["min"] <= Y[:, o["index"]].min() + 1e-9 and o["max"] >= Y[:, o["index"]].max() - 1e-9
        # a dense sample comes close to the exact optimum of a 2-input network
        assert o["max"] - Y[:, o["index"]].max() < 0.05 and Y[:, o["index"]].min() - o["min"] < 0.05
    code, out, _ = cli_run("range", path, "--box", "-1,1", "--outputs", "1", "--solver", "ortools")
    assert code == 0 and "optimal" in out
    code, _, err = cli_run("range", path, "--outputs", "7")
    assert code == 2 and "--outputs" in err
