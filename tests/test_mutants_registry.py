"""Tests written against the mutants of regioncount/bounds/registry.py (benchmarks/mutation.py,
docs/benchmarks.md "Mutation score"): the registry's texts against what docs/bounds.md states
(its first table and its table of requirements), the properties of :class:`BoundInput`, the
deprecated names, and :func:`evaluate` and :func:`make_report` on their own."""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

import pytest

from regioncount.bounds import formulas as F
from regioncount.bounds import registry as R
from regioncount.bounds.registry import (BOUNDS, BoundInput, BoundKind, Names, bounds_for_arch,
                                         current_name, evaluate, make_report)
from regioncount.errors import RegioncountError

DOC = Path(__file__).resolve().parents[1] / "docs" / "bounds.md"


def _doc_table(command: str) -> list[str]:
    """The lines docs/bounds.md shows under ``$ command`` (up to the end of its block)."""
    lines = DOC.read_text().splitlines()
    start = lines.index(f"$ {command}") + 1
    end = next(i for i in range(start, len(lines)) if lines[i].startswith(("```", "$ ")))
    return lines[start:end]


def _row(line: str) -> tuple:
    """``name value kind reference [reason]`` of one row of the human table."""
    m = re.match(r"^(\w+) +(n/a|[\d,]+) +(upper \(weights, domain\)|upper \(weights\)|\w+) +"
                 r"(.*?)(?:  \[(.*)\])?$", line)
    assert m, line
    name, value, kind, ref, why = m.groups()
    return name, None if value == "n/a" else int(value.replace(",", "")), kind, ref, why


def test_the_first_table_of_the_bounds_page_is_the_registrys():
    """docs/bounds.md opens with ``regioncount bounds --arch 2,6,6``: every row's value, kind,
    reference and reason is the registry's."""
    rows = [_row(ln) for ln in _doc_table("regioncount bounds --arch 2,6,6")[3:]]
    r = bounds_for_arch((2, 6, 6))
    assert [n for n, *_ in rows] == list(r.bounds)
    for name, value, kind, ref, why in rows:
        assert (r.bounds[name], str(r.kinds[name]), r.references[name]) == (value, kind, ref)
        assert r.reasons.get(name) == why, name


def test_the_requirement_table_of_the_bounds_page_states_each_reason():
    """Each reason the registry can give for a failed requirement is in the table 'Which
    bounds a model keeps' of docs/bounds.md, on the row of its requirement."""
    text = DOC.read_text()
    table = text[text.index("| requirement |"):text.index("Two rows exist only for a model")]
    rows = {r.split("|")[1].strip(): r for r in table.splitlines()[2:] if r.startswith("|")}
    leaky = BoundInput((2, 6, 6), units=frozenset({"leaky_relu"}))
    clip = BoundInput((2, 6, 6), units=frozenset({"clip", "relu"}))
    sizes = BoundInput((2, 6, 6), units=frozenset({"max"}), max_sizes=(2, 3))
    dag = BoundInput((2, 6, 6), chain=False)
    want = {
        "a chain (each layer reads only the one before)": [
            R.CHAIN.why_not(dag), R.CHAIN_CONSTRUCTION.why_not(dag)],
        "ReLU units only": [R.RELU.why_not(leaky),
                            R.RELU_CONSTRUCTION.why_not(clip).replace("clip/relu", "...")],
        "two-piece units (ReLU, leaky ReLU)": [R.TWO_PIECES.why_not(clip),
                                               R.ONE_LAYER_TWO_PIECES.why_not(clip)],
        "no max units": [R.NO_MAX.why_not(sizes)],
        "max units of one rank": [R.ONE_MAXOUT_RANK.why_not(sizes)],
    }
    assert set(rows) == set(want)
    for req, reasons in want.items():
        for why in reasons:
            assert why is not None and f"`{why}`" in rows[req], (req, why)


def test_a_requirement_that_holds_gives_no_reason_and_the_first_failure_is_shown():
    relu = BoundInput((2, 6, 6))
    assert all(r.why_not(relu) is None for r in (R.CHAIN, R.RELU, R.TWO_PIECES, R.NO_MAX))
    both = BoundInput((2, 6, 6), units=frozenset({"leaky_relu"}), chain=False)
    assert BOUNDS["serra2018_upper"].why_not(both) == R.CHAIN.reason        # chain first
    assert BOUNDS["serra2018_lower"].why_not(both) == R.CHAIN_CONSTRUCTION.reason
    assert BOUNDS["serra2018_upper"].apply(both) == (None, R.CHAIN.reason)
    assert R.RELU.why_not(BoundInput((2, 6, 6), units=frozenset({"clip", "relu"}))) == (
        "ReLU only (inactive unit = 0); this is a clip/relu network")
    assert R.ONE_MAXOUT_RANK.why_not(BoundInput((2, 6), max_sizes=(3, 2))) == (
        "max groups of several sizes [3, 2]")


@pytest.mark.parametrize("units, two, text", [
    ({"relu"}, True, "leaky ReLU"), ({"leaky_relu"}, True, "leaky ReLU"),
    ({"relu", "leaky_relu"}, True, "leaky ReLU"), ({"relu", "clip"}, False, "clip/relu"),
    ({"max"}, False, "max")])
def test_two_piece_networks_and_their_unit_text(units, two, text):
    b = BoundInput((2, 3), units=frozenset(units))
    assert (b.two_piece, b.units_text) == (two, text)


def test_the_maxout_inputs_of_a_bound_input():
    assert (BoundInput((2, 3)).maxout, BoundInput((2, 3)).maxout_k) == (None, None)
    assert (BoundInput((2, 3), maxout_rank=4, max_sizes=(2,)).maxout,
            BoundInput((2, 3), maxout_rank=4, max_sizes=(2,)).maxout_k) == (4, 4)
    assert (BoundInput((2, 3), max_sizes=(3,)).maxout,
            BoundInput((2, 3), max_sizes=(3,)).maxout_k) == ((3,), 3)
    assert (BoundInput((2, 3), max_sizes=(2, 3)).maxout,
            BoundInput((2, 3), max_sizes=(2, 3)).maxout_k) == ((2, 3), None)
    assert BoundInput((2, 3, 4)).cuts == (3, 4)
    assert BoundInput((2, 3, 4), hyperplanes=(6, 8)).cuts == (6, 8)
    assert [n.given(BoundInput((2, 3))) for n in R.Needs] == [False, False, False]
    assert [n.given(BoundInput((2, 3), ranks=(2,), active=(0,), maxout_rank=2))
            for n in R.Needs] == [True, True, True]


def test_kinds_print_as_their_text():
    assert str(BoundKind.UPPER_WEIGHTS) == "upper (weights)"
    assert f"{BoundKind.LOWER:>7}|" == "  lower|"
    assert R.KINDS == tuple(BoundKind) and len(R.KINDS) == 6


def test_bounds_of_clip_and_max_networks_count_their_hyperplanes():
    """A clip unit is two parallel hyperplanes, a max group of k candidates k(k-1)/2: the
    products of Montufar 2017 and Raghu take the hyperplanes of ``cuts``; the maxout bound of
    the network's own groups too, with its note."""
    clip = BoundInput((2, 3, 3), units=frozenset({"clip"}), hyperplanes=(6, 6))
    v, r = evaluate(clip)
    assert v["montufar2017_upper"] == F.hyperplane_product(2, (3, 3), (6, 6))
    assert v["raghu2017_upper"] == F.zaslavsky(6, 2) ** 2 == 22 ** 2
    assert r["montufar2017_upper"] == "a clip unit counts as two parallel hyperplanes"
    assert r["raghu2017_upper"] == "hyperplanes per layer: k(k-1)/2 per max group, 2 per clip"
    mx = BoundInput((2, 4), units=frozenset({"max"}), max_sizes=(3,), hyperplanes=(12,))
    v, r = evaluate(mx)
    assert v["serra2018_maxout_upper"] == F.hyperplane_product(2, (4,), (12,)) == 79
    assert r["serra2018_maxout_upper"] == ("k(k-1)/2 hyperplanes per max group of size k "
                                           "(sizes [3]), 1 per ReLU")
    assert v["maxout_one_layer_sharp"] == F.maxout_one_layer_sharp((2, 4), 3)
    assert "maxout_one_layer_sharp" not in r
    v, r = evaluate(BoundInput((2, 4), maxout_rank=3))
    assert v["serra2018_maxout_upper"] == F.serra2018_maxout_upper((2, 4), 3)
    assert "serra2018_maxout_upper" not in r
    v, r = evaluate(BoundInput((2, 4), chain=False))
    assert r["raghu2017_upper"] == "holds for DAGs: PWL stages in topological order"
    assert v["raghu2017_upper"] == F.raghu2017_upper((2, 4))


def test_stable_units_enter_serra_s_bound():
    b = BoundInput((784, 11, 11), active=(2, 1), inactive=(3, 2))
    v, _ = evaluate(b, names={"serra2018_stable_upper"})
    assert v == {"serra2018_stable_upper": 12911}                  # docs/bounds.md, by hand
    v, _ = evaluate(BoundInput((784, 11, 11), active=(2, 1), inactive=(3, 2), ranks=(1, 11)),
                    names={"serra2018_stable_upper"})
    assert v["serra2018_stable_upper"] == F.serra2018_stable_upper((784, 11, 11), (2, 1), (3, 2),
                                                                   ranks=(1, 11)) < 12911


def test_evaluate_leaves_out_what_is_not_given_and_what_is_not_asked():
    v, r = evaluate(BoundInput((2, 6, 6)))
    assert "serra2018_rank_upper" not in v and "serra2018_maxout_upper" not in v
    assert v["exact_max_n0_1"] is None and r["exact_max_n0_1"] == BOUNDS["exact_max_n0_1"].condition
    v, r = evaluate(BoundInput((2, 6, 6)), names={"serra2018_upper", "exact_max_n0_1"})
    assert v == {"serra2018_upper": 484, "exact_max_n0_1": None}
    assert r == {"exact_max_n0_1": "n0 = 1 and n_l >= 3 for every l < L"}


def test_evaluate_refuses_tables_past_the_budget_before_any_bound(monkeypatch):
    """The table check sees the widest layer times the hyperplanes of one max group of the
    largest size (at least 2, i.e. one hyperplane per unit)."""
    seen = []
    monkeypatch.setattr(F, "check_tables", lambda n0, widths: seen.append((n0, widths)))
    for b in (BoundInput((2, 5, 7)), BoundInput((2, 5, 7), hyperplanes=(9, 3)),
              BoundInput((2, 5, 7), max_sizes=(2, 4)), BoundInput((2, 5, 7), maxout_rank=3)):
        assert evaluate(b, names=set()) == ({}, {})          # only the check runs
    assert seen == [(2, (5, 7)), (2, (9, 7)), (2, (30, 42)), (2, (15, 21))]


def test_make_report_takes_kinds_and_references_from_the_registry():
    rep = make_report({"serra2018_upper": 484, "mine": 3}, {"mine": "why"}, arch=(2, 6, 6),
                      kinds={"mine": "lower"}, references={"mine": "me"})
    assert dict(rep.kinds) == {"mine": BoundKind.LOWER, "serra2018_upper": BoundKind.UPPER}
    assert dict(rep.references) == {"mine": "me",
                                    "serra2018_upper": BOUNDS["serra2018_upper"].reference}
    assert dict(rep.reasons) == {"mine": "why"} and rep.source == "architecture"
    own = make_report({"serra2018_upper": 1}, {}, arch=(2, 6, 6),
                      kinds={"serra2018_upper": "exact"}, references={"serra2018_upper": "x"})
    assert (own.kinds["serra2018_upper"], own.references["serra2018_upper"]) == ("exact", "x")


def test_the_json_of_a_report_field_by_field():
    d = bounds_for_arch((2, 5), maxout_rank=2, ranks=[2.0]).to_json()
    assert json.loads(json.dumps(d)) == d
    assert (d["arch"], d["source"], d["layers"], d["ranks"], d["maxout_rank"], d["domain"],
            d["notes"]) == ([2, 5], "architecture", [], [2], 2, None, [])
    assert d["bounds"]["zaslavsky_one_layer_rank"] == 1 + 5 + 10 and d["kinds"]["two_pow_n"] == "upper"
    assert d["references"]["two_pow_n"] == "Montufar et al., NeurIPS 2014"
    assert d["reasons"]["arora2018_lower"] == R._ARORA_SHAPE
    assert type(bounds_for_arch((2, 4), ranks=[2.0]).ranks[0]) is int


@pytest.mark.parametrize("k", [0, 1, -3])
def test_a_maxout_rank_below_two_is_refused(k):
    with pytest.raises(RegioncountError, match=rf"^--maxout-rank {k}: a maxout unit has at "
                                               r"least 2 pieces$"):
        bounds_for_arch((2, 4), maxout_rank=k)
    assert bounds_for_arch((2, 4), maxout_rank=2).bounds["serra2018_maxout_upper"] == 11


def test_deprecated_names_warn_and_answer():
    with pytest.warns(DeprecationWarning, match=r"^bound name 'serra2020_stable_upper' is "
                                                r"deprecated: use 'serra2018_stable_upper'$") as w:
        assert current_name("serra2020_stable_upper") == "serra2018_stable_upper"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert current_name("serra2018_upper") == "serra2018_upper"
    d = Names({"serra2018_stable_upper": 7, "a": 1})
    with pytest.warns(DeprecationWarning) as w:
        assert d["serra2020_stable_upper"] == 7
    # the warning points at the line that looked up (under mutmut, at the trampoline that
    # mutmut puts between a caller and every function of the mutated module)
    assert w[0].filename == __file__ or w[0].filename.endswith("mutmut/mutation/trampoline.py")
    with pytest.warns(DeprecationWarning):
        assert "serra2020_stable_upper" in d
    with pytest.warns(DeprecationWarning):
        assert d.get("serra2020_stable_upper") == 7
    assert d.get("b", 5) == 5 and d.get("a") == 1 and "a" in d and "b" not in d
    with pytest.raises(KeyError):
        d["b"]
    with pytest.raises(KeyError), pytest.warns(DeprecationWarning):
        Names({"a": 1})["serra2020_stable_upper"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert "serra2020_stable_upper" not in Names({"a": 1})
        assert Names({"a": 1}).get("serra2020_stable_upper", 3) == 3


def test_a_deprecated_name_whose_bound_is_absent_is_a_key_error_naming_it():
    d = Names({"a": 1})
    with pytest.warns(DeprecationWarning), pytest.raises(KeyError) as e:
        d["serra2020_stable_upper"]
    assert e.value.args == ("serra2020_stable_upper",)            # the name asked for
    with pytest.raises(KeyError) as e:
        d["b"]
    assert e.value.args == ("b",)


def test_a_deprecated_name_stored_as_such_answers_with_its_own_value():
    # a dict that holds both names: the name asked for is found as it is, not renamed
    d = Names({"serra2020_stable_upper": 1, "serra2018_stable_upper": 2})
    with warnings.catch_warnings():
        warnings.simplefilter("error")                                # no rename, no warning
        assert d.get("serra2020_stable_upper") == 1 and d["serra2020_stable_upper"] == 1
    assert d.get("serra2018_stable_upper") == 2
