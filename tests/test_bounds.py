"""Analytic bounds: every value of bound_values.json, the recursion against a brute-force sum
over Serra's index set, consistency between bounds, and the ``bounds --arch`` CLI contract."""

import itertools
import json
from math import comb, prod

import pytest

from regioncount.bounds import formulas as F
from regioncount.bounds.registry import BOUNDS, bounds_for_arch
from regioncount.errors import RegioncountError

#: bound_values.json key -> (registry name, maxout rank)
KEYS = {"two_pow_N": ("two_pow_n", None), "shallow_zaslavsky": ("zaslavsky_shallow", None),
        "montufar2017_upper": ("montufar2017_upper", None),
        "serra2018_upper": ("serra2018_upper", None),
        "montufar2014_lower": ("montufar2014_lower", None),
        "serra2018_lower": ("serra2018_lower", None),
        "maxout_k3_upper": ("serra2018_maxout_upper", 3)}


def brute_force_serra(arch, ranks=None):
    """Serra et al.'s Thm 1 sum written out over its index set J (no recursion)."""
    n0, ws = arch[0], arch[1:]
    rk = ranks or ws
    total = 0
    for js in itertools.product(*[range(n + 1) for n in ws]):
        ok = True
        for l, j in enumerate(js):
            cap = min([n0] + [ws[k] - js[k] for k in range(l)] + [rk[l]])
            if j > cap:
                ok = False
                break
        if ok:
            total += prod(comb(n, j) for n, j in zip(ws, js))
    return total


def test_every_value_of_bound_values_json(bound_values):
    checked = 0
    for row in bound_values["table"]:
        arch = tuple(row["arch"])
        rep = bounds_for_arch(arch, maxout_rank=3)
        for key, (name, _) in KEYS.items():
            assert rep.bounds[name] == row[key], (arch, key)
            assert type(rep.bounds[name]) in (int, type(None))
            checked += 1
    for row in bound_values["sweep_784_n1_n2_sum22"]:
        arch = tuple(row["arch"])
        assert F.serra2018_upper(arch) == row["serra2018_upper"]
        assert F.montufar2017_upper(arch) == row["montufar2017_upper"]
        checked += 2
    for row in bound_values["rank_examples"]:
        arch, ranks = tuple(row["arch"]), tuple(row["ranks"])
        assert F.serra2018_rank_upper(arch, ranks) == row["serra2018_upper"]
        assert bounds_for_arch(arch, ranks=ranks).bounds["serra2018_rank_upper"] == row["serra2018_upper"]
        checked += 1
    assert checked >= 18 * 7 + 21 * 2 + 2


def test_bounds_md_examples():
    # BOUNDS.md: bottleneck, depth vs width, stable units, constructions
    assert F.serra2018_upper((3, 2, 5)) == 29 and F.serra2018_upper((3, 5, 2)) == 104
    assert F.serra2018_upper((10, 8, 8)) == 39203 < F.zaslavsky_shallow((10, 8, 8)) == 58651
    assert F.serra2018_stable_upper((784, 11, 11), (2, 1), (3, 2)) == 12911
    assert F.serra2018_upper((784, 11, 11)) == 2449868
    assert F.serra2018_lower((2, 6, 6)) == 352
    assert F.exact_max_n0_1((1, 3, 3)) == 16 and F.exact_max_n0_1((1, 3, 3, 3)) == 64
    assert F.exact_max_n0_1((1, 3, 2)) == 12


def test_recursion_equals_brute_force_on_random_architectures():
    import random

    rnd = random.Random(7)
    for _ in range(150):
        L = rnd.randint(1, 4)
        arch = tuple([rnd.randint(1, 7)] + [rnd.randint(1, 6) for _ in range(L)])
        assert F.serra2018_upper(arch) == brute_force_serra(arch), arch
        assert F.hinz_histogram_upper(arch) == F.serra2018_upper(arch)
        ranks = tuple(rnd.randint(1, min(arch[l], arch[l + 1])) for l in range(L))
        assert F.serra2018_rank_upper(arch, ranks) == brute_force_serra(arch, ranks), (arch, ranks)


def test_stable_recursion_brute_force_and_limits():
    import random

    rnd = random.Random(3)
    for _ in range(100):
        L = rnd.randint(1, 3)
        arch = tuple([rnd.randint(1, 6)] + [rnd.randint(1, 6) for _ in range(L)])
        ws = arch[1:]
        a = tuple(rnd.randint(0, n) for n in ws)
        i = tuple(rnd.randint(0, n - x) for n, x in zip(ws, a))
        # brute force: j_l unstable units off, dimension min(n0, a_k + u_k - j_k for k < l)
        total = 0
        us = [n - x - y for n, x, y in zip(ws, a, i)]
        for js in itertools.product(*[range(u + 1) for u in us]):
            caps = [min([arch[0]] + [a[k] + us[k] - js[k] for k in range(l)]) for l in range(L)]
            if all(j <= c for j, c in zip(js, caps)):
                total += prod(comb(u, j) for u, j in zip(us, js))
        assert F.serra2018_stable_upper(arch, a, i) == total
        # no stable units: Serra's bound; all stable: one region
        assert F.serra2018_stable_upper(arch, (0,) * L, (0,) * L) == F.serra2018_upper(arch)
        assert F.serra2018_stable_upper(arch, ws, (0,) * L) == 1
        assert F.serra2018_stable_upper(arch, a, i) <= F.serra2018_upper(arch)


def test_lower_bounds_never_exceed_upper_bounds():
    for arch in itertools.chain(
            itertools.product(range(1, 5), range(1, 13), range(1, 13)),
            itertools.product(range(1, 4), range(2, 10, 2), range(2, 8), range(2, 8))):
        rep = bounds_for_arch(arch, maxout_rank=2)
        b = rep.bounds
        ups = [b[k] for k in ("two_pow_n", "montufar2017_upper", "serra2018_upper", "raghu2017_upper")]
        lows = [v for k, v in b.items() if rep.kinds[k] in ("lower", "exact") and v is not None]
        assert all(lo <= min(ups) for lo in lows), (arch, b)
        assert b["serra2018_upper"] <= b["montufar2017_upper"] <= b["two_pow_n"]
        assert b["montufar2017_upper"] <= b["raghu2017_upper"]
        # a rank-2 maxout unit is max(a, b): one hyperplane, as a ReLU
        assert b["serra2018_maxout_upper"] == b["montufar2017_upper"]


def test_one_layer_values():
    assert F.zaslavsky_one_layer((2, 6)) == 22 and F.zaslavsky_one_layer((2, 6, 6)) is None
    assert F.zaslavsky_one_layer((5, 8), ranks=(2,)) == 1 + 8 + 28
    # three lines in the plane: 7 regions; a maxout unit of rank k in R^1: k pieces
    assert F.zaslavsky(3, 2) == 7 and F.maxout_one_layer_sharp((1, 1), 5) == 5
    # Arora / Serra Thm 7 on 1-4-3-3 (m = 2, w = 3): 2 * C(1, 0) * w^2 and (w + 1)^2
    assert F.arora2018_lower((1, 4, 3, 3)) == 18 and F.serra2018_thm7_lower((1, 4, 3, 3)) == 32
    assert F.arora2018_lower((1, 4, 3, 2)) is None and F.arora2018_lower((1, 3, 3)) is None


def test_784_22_22_22_22_is_immediate():
    rep = bounds_for_arch((784, 22, 22, 22, 22), maxout_rank=4)
    assert rep.bounds["two_pow_n"] == 2 ** 88
    assert 0 < rep.bounds["serra2018_upper"] < 2 ** 88
    assert rep.bounds["serra2018_upper"] == F.hinz_histogram_upper((784, 22, 22, 22, 22))


def test_bad_architectures_raise_one_line():
    for bad in [(3,), (2, 0, 4), ("a", 2)]:
        with pytest.raises(RegioncountError) as e:
            bounds_for_arch(bad)
        assert "\n" not in str(e.value)
    with pytest.raises(RegioncountError):
        bounds_for_arch((2, 4), maxout_rank=1)


def test_registry_is_complete():
    for name, spec in BOUNDS.items():
        assert spec.kind in ("upper", "lower", "exact", "upper (weights)",
                             "upper (weights, domain)", "reference"), name
        assert spec.reference and spec.condition


# -- CLI ------------------------------------------------------------------------------------

def test_cli_arch_json_contract(cli_run, bound_values):
    row = next(r for r in bound_values["table"] if r["arch"] == [2, 6, 6])
    code, out, err = cli_run("bounds", "--arch", "2,6,6", "--maxout-rank", "3", "--json")
    assert code == 0, err
    d = json.loads(out)
    assert d["arch"] == [2, 6, 6]
    for key, (name, _) in KEYS.items():
        assert d["bounds"][name] == row[key]
    for k in ("two_pow_n", "zaslavsky_shallow", "montufar2017_upper", "serra2018_upper",
              "montufar2014_lower", "serra2018_lower", "serra2018_maxout_upper"):
        assert k in d["bounds"]


def test_cli_big_integers_stay_exact(cli_run, bound_values):
    row = next(r for r in bound_values["table"] if r["arch"] == [64, 16, 16])
    code, out, _ = cli_run("bounds", "--arch", "64,16,16", "--maxout-rank", "3", "--json")
    d = json.loads(out)
    assert d["bounds"]["serra2018_maxout_upper"] == row["maxout_k3_upper"] == 17009888415714672477491556
    assert d["bounds"]["serra2018_lower"] is None


def test_cli_human_table(cli_run):
    code, out, _ = cli_run("bounds", "--arch", "2,8,8")
    assert code == 0
    line = next(l for l in out.splitlines() if l.startswith("two_pow_n"))
    assert "65,536" in line and "Montufar" in line
    na = next(l for l in out.splitlines() if l.startswith("exact_max_n0_1"))
    assert "n/a" in na and "n0 = 1" in na
    # values right-aligned in one column
    lines = [l for l in out.splitlines() if l.split() and l.split()[0] in BOUNDS]
    ends = {l.index(l.split()[1]) + len(l.split()[1]) for l in lines}
    assert len(ends) == 1


def test_cli_usage_errors(cli_run, tmp_path):
    code, _, err = cli_run("bounds")
    assert code != 0 and "MODEL" in err
    code, _, err = cli_run("bounds", "--arch", "2,x,4")
    assert code == 2 and len(err.strip().splitlines()) == 1
    code, _, err = cli_run("bounds", "--arch", "2,4", "--box", "0,1")
    assert code != 0
    code, _, err = cli_run("bounds", "--arch", "2,-4,4")
    assert code == 2 and "entry 1 is -4" in err
    code, out, _ = cli_run("bounds", "--arch", "3-2-5", "--json")
    assert code == 0 and json.loads(out)["bounds"]["serra2018_upper"] == 29


# -- applicability declarations ---------------------------------------------------------------

def test_declared_applicability_by_network_type():
    """Which registry bounds each kind of network keeps (docs/bounds.md, 'Which bounds a model
    keeps'), read from the declarations alone: nothing is computed."""
    from regioncount.bounds.registry import BoundInput

    def kept(**kw):
        b = BoundInput((2, 6, 6), maxout_rank=kw.pop("k", 3), **kw)
        return {n for n, s in BOUNDS.items() if s.why_not(b) is None}

    everything = set(BOUNDS)
    dimension_free = {"two_pow_n", "zaslavsky_shallow", "zaslavsky_one_layer",
                      "zaslavsky_one_layer_rank", "montufar2017_upper", "raghu2017_upper",
                      "serra2018_maxout_upper", "maxout_one_layer_sharp"}
    assert kept() == everything
    assert kept(units=frozenset({"leaky_relu"})) == dimension_free
    assert kept(units=frozenset({"relu", "leaky_relu"})) == dimension_free
    assert kept(units=frozenset({"clip", "relu"})) == {
        "zaslavsky_shallow", "montufar2017_upper", "raghu2017_upper", "serra2018_maxout_upper",
        "maxout_one_layer_sharp"}
    assert kept(units=frozenset({"max"}), max_sizes=(3,), k=None) == {
        "zaslavsky_shallow", "raghu2017_upper", "serra2018_maxout_upper", "maxout_one_layer_sharp"}
    assert kept(units=frozenset({"max"}), max_sizes=(2, 3), k=None) == {
        "zaslavsky_shallow", "raghu2017_upper", "serra2018_maxout_upper"}
    assert kept(chain=False) == {"two_pow_n", "zaslavsky_shallow", "raghu2017_upper"}
    assert kept(chain=False, units=frozenset({"clip"})) == {"zaslavsky_shallow", "raghu2017_upper"}


def test_bound_kinds_are_an_enum_of_strings():
    from regioncount.bounds.registry import UPPER_KINDS, BoundKind

    assert all(isinstance(s.kind, BoundKind) for s in BOUNDS.values())
    assert {k.value for k in UPPER_KINDS} == {"upper", "upper (weights)", "upper (weights, domain)"}
    assert [k.side for k in BoundKind] == ["upper", "lower", "exact", "upper", "upper", "reference"]
    d = bounds_for_arch((2, 4, 4)).to_json()
    assert d["kinds"]["serra2018_lower"] == "lower" and type(d["kinds"]["serra2018_lower"]) is str
    assert json.loads(json.dumps(d))["kinds"] == d["kinds"]
