"""Tests written to kill the mutants of regioncount/bounds/formulas.py that survived the focused
suite (benchmarks/mutation.py, docs/benchmarks.md "Mutation score").

The oracles are written out here, not taken from the module: Serra et al.'s Theorem 1 as a
sum over its index set J, the stable-unit recursion of the docstring evaluated literally (no
prefix sums), Zaslavsky's count of an arrangement, and hand-derived small values.
"""

from __future__ import annotations

import itertools
import math
import random
import warnings
from math import comb, prod

import pytest

from regioncount.bounds import formulas as F
from regioncount.errors import RegioncountError, ResourceError
from regioncount.memory import ENV_VAR


def serra_index_set(arch, ranks=None):
    """Serra, Tjandraatmadja, Ramalingam (ICML 2018), Thm 1 (and its rank form): the sum of
    prod_l C(n_l, j_l) over J = {0 <= j_l <= min(n0, n1 - j1, ..., n_{l-1} - j_{l-1}, r_l)}."""
    n0, ws = arch[0], arch[1:]
    rk = ranks or ws
    total = 0
    for js in itertools.product(*[range(n + 1) for n in ws]):
        caps = [min([n0] + [ws[k] - js[k] for k in range(l)] + [rk[l]]) for l in range(len(ws))]
        if all(j <= c for j, c in zip(js, caps)):
            total += prod(comb(n, j) for n, j in zip(ws, js))
    return total


def stable_recursion(n0, widths, active, inactive, ranks=None):
    """R(l, d) = sum_{j <= min(d, u_l, r_l)} C(u_l, j) R(l+1, min(d, a_l + u_l - j)), R(L, .) = 1,
    evaluated literally (the formula of serra_recursion's docstring and docs/bounds.md)."""
    rk = ranks or widths

    def r(l, d):
        if l == len(widths):
            return 1
        a, u = active[l], widths[l] - active[l] - inactive[l]
        return sum(comb(u, j) * r(l + 1, min(d, a + u - j)) for j in range(min(d, u, rk[l]) + 1))

    return r(0, n0)


def zas(n, d):
    """Zaslavsky: the most regions of n hyperplanes in R^d."""
    return sum(comb(n, j) for j in range(min(n, d) + 1))


def small_archs(seed, count):
    rng = random.Random(seed)
    for _ in range(count):
        n0 = rng.randint(1, 4)
        ws = tuple(rng.randint(1, 6) for _ in range(rng.randint(1, 3)))
        yield (n0, *ws), rng


def test_serra_and_hinz_equal_the_index_set_sum_with_and_without_ranks():
    for arch, rng in small_archs(1, 60):
        ws = arch[1:]
        assert F.serra2018_upper(arch) == serra_index_set(arch), arch
        assert F.hinz_histogram_upper(arch) == serra_index_set(arch), arch
        ranks = tuple(rng.randint(1, n) for n in ws)
        want = serra_index_set(arch, ranks)
        assert F.serra2018_rank_upper(arch, ranks) == want, (arch, ranks)
        assert F.hinz_histogram_upper(arch, ranks) == want, (arch, ranks)


def test_rank_below_the_dimension_caps_the_kept_dimension_term():
    # one layer of 8 units of rank 2 in R^4: sum_{j <= 2} C(8, j) = 1 + 8 + 28
    assert F.hinz_histogram_upper((4, 8), (2,)) == 37 == serra_index_set((4, 8), (2,))
    assert F.hinz_histogram_upper((4, 8, 8), (2, 8)) == serra_index_set((4, 8, 8), (2, 8))


def test_stable_bound_equals_the_literal_recursion_with_ranks():
    for arch, rng in small_archs(2, 60):
        ws = arch[1:]
        act = tuple(rng.randint(0, n) for n in ws)
        ina = tuple(rng.randint(0, n - a) for n, a in zip(ws, act))
        ranks = tuple(rng.randint(1, n) for n in ws)
        assert F.serra2018_stable_upper(arch, act, ina) == stable_recursion(
            arch[0], ws, act, ina), (arch, act, ina)
        assert F.serra2018_stable_upper(arch, act, ina, ranks=ranks) == stable_recursion(
            arch[0], ws, act, ina, ranks), (arch, act, ina, ranks)


def test_deprecated_stable_name_warns_at_the_caller_and_keeps_the_value():
    arch, act, ina, ranks = (3, 4, 5), (1, 0), (1, 2), (1, 2)
    want = stable_recursion(3, (4, 5), act, ina, ranks)
    assert want != stable_recursion(3, (4, 5), act, ina)       # the ranks matter here
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        got = F.serra2020_stable_upper(arch, act, ina, ranks=ranks)
    assert got == want
    assert len(w) == 1 and w[0].category is DeprecationWarning
    assert w[0].filename != F.__file__                    # stacklevel: not the library's line
    assert str(w[0].message) == ("serra2020_stable_upper is deprecated: use "
                                 "serra2018_stable_upper (Serra, Tjandraatmadja, Ramalingam, "
                                 "ICML 2018, Thm 1 with stable units)")


def test_stable_unit_errors():
    with pytest.raises(RegioncountError) as e:
        F.serra_recursion(2, (3, 3), active=(0,), inactive=(0, 0))
    assert str(e.value) == "serra_recursion: one rank / active / inactive count per layer"
    with pytest.raises(RegioncountError) as e:
        F.serra_recursion(2, (3, 4), active=(0, 3), inactive=(0, 2))
    assert str(e.value) == "layer 2: 3 active + 2 inactive units exceed its width 4"
    # negative counts are refused even when the unstable count stays in range
    with pytest.raises(RegioncountError, match="layer 1: -1 active"):
        F.serra_recursion(2, (3,), active=(-1,), inactive=(0,))
    with pytest.raises(RegioncountError, match="layer 1: 0 active \\+ -1 inactive"):
        F.serra_recursion(2, (3,), active=(0,), inactive=(-1,))


def test_architecture_errors_name_the_offending_entry():
    cases = {("a", 2): "architecture ('a', 2): widths must be integers",
             (): "architecture (): give the input dimension and at least one hidden width, "
                 "e.g. 2,4,4",
             (3,): "architecture 3: give the input dimension and at least one hidden width, "
                   "e.g. 2,4,4",
             (2, 0, 3): "architecture 2-0-3: entry 1 is 0, every width must be >= 1"}
    for arch, msg in cases.items():
        with pytest.raises(RegioncountError) as e:
            F.check_arch(arch)
        assert str(e.value) == msg


def test_maxout_rank_error():
    with pytest.raises(RegioncountError) as e:
        F.serra2018_maxout_upper((2, 3), 1)
    assert str(e.value) == "maxout rank 1: a maxout unit has at least 2 pieces"


def test_huge_tables_are_refused_with_the_architecture(monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    with pytest.raises(ResourceError, match="the bound tables of 100000000-100000000-100000000 "):
        F.serra2018_upper((10**8, 10**8, 10**8))


def test_table_bytes_follows_its_documented_estimate():
    # per layer 4 (D + 2) integers of at most 1 + sum_l min(n_l, D_l log2(n_l + 1)) bits, each
    # costing bits / 8 + 32 bytes; by hand:
    # (2, 3): 16 integers, 1 + min(3, 2 log2 4 = 4) = 4 bits -> 16 * (0.5 + 32) = 520
    assert F.table_bytes(2, (3,)) == 520
    # (3, 2, 5): 4*5 + 4*4 = 36 integers, 1 + 2 + 5 = 8 bits -> 36 * 33 = 1188
    assert F.table_bytes(3, (2, 5)) == 1188
    # fifty layers of 8 on a line: 600 integers of 1 + 50 log2(9) bits (log2 9 < 8 units)
    assert F.table_bytes(1, (8,) * 50) == int(600 * ((1 + 50 * math.log2(9)) / 8 + 32))


def test_one_dimensional_exact_maximum_needs_three_units_in_every_layer_but_the_last():
    assert F.exact_max_n0_1((1, 3, 2, 3)) is None     # the middle layer has 2 units
    assert F.exact_max_n0_1((1, 2)) == 3              # the last layer may be narrow
    assert F.exact_max_n0_1((1, 3, 3, 3)) == 64
    assert F.exact_max_n0_1((2, 3, 3)) is None


def test_raghu_product_uses_the_input_dimension():
    assert F.raghu2017_upper((2, 3, 3)) == 7 * 7              # Z(3, 2)^2
    assert F.raghu2017_upper((3, 2, 4)) == 4 * 15             # Z(2, 3) Z(4, 3)


def test_one_layer_maxout_and_rank_limited_relu():
    # rank-2 maxout on a line: three units, three breakpoints, four pieces
    assert F.maxout_one_layer_sharp((1, 3), 2) == 4
    assert F.maxout_one_layer_sharp((2, 3), 3) == 1 + 3 * 2 + 3 * 4
    # the rank of W cannot exceed the input dimension: ranks=(5,) in R^2 counts as rank 2
    assert F.zaslavsky_one_layer((2, 5), ranks=(5,)) == zas(5, 2) == 16
    assert F.zaslavsky_one_layer((3, 5), ranks=(1,)) == 6


def test_arora_shapes():
    # 2m = 4 units then width 2: 2 (C(1,0) + C(1,1)) 2^1 = 8; Serra's Thm 7: 2 * 2 * 3 = 12
    assert F.arora2018_lower((2, 4, 2)) == 8
    assert F.serra2018_thm7_lower((2, 4, 2)) == 12
    assert F.arora2018_lower((2, 4)) == 4                 # one layer: w^0
    assert F.arora2018_lower((2, 4, 1)) is None           # width 1 after the first layer


def test_hyperplane_product_uses_cuts_and_the_running_dimension():
    assert F.hyperplane_product(2, (3, 3), (3, 3)) == zas(3, 2) ** 2 == 49
    assert F.hyperplane_product(3, (2, 4), (2, 4)) == zas(2, 2) * zas(4, 2) == 44
    # rank-3 maxout: 3 cuts per unit; one unit then three units on a line: Z(3,1) Z(9,1)
    assert F.hyperplane_product(1, (1, 3), (3, 9)) == 4 * 10
    assert F.hyperplane_product(2, (), ()) == 1
