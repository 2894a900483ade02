"""Tests written against the mutants of regioncount/enumeration/results.py
(benchmarks/mutation.py, docs/benchmarks.md "Mutation score"): a count's JSON, key by key, its
pattern set across integer types, and the split of a flat pattern by stage."""

from __future__ import annotations

import numpy as np
import pytest

from regioncount import Network
from regioncount.enumeration.results import KIND, CountResult, Progress, split_pattern


def test_to_json_key_by_key():
    r = CountResult(regions=7, complete=False, method="tree", seconds=1.234567, lps=12,
                    per_class={np.int64(2): 3, 0: 4}, per_layer=(3, np.int64(7)),
                    stop_reason="time limit", solver="highs", workers=2,
                    extra={"certified": True, "lower": np.int64(5)})
    assert r.to_json() == {"regions": 7, "complete": False, "method": "tree",
                           "seconds": 1.2346, "lps": 12, "per_class": {"0": 4, "2": 3},
                           "per_layer": [3, 7], "kind": KIND, "workers": 2, "solver": "highs",
                           "stop_reason": "time limit", "certified": True, "lower": 5}
    plain = CountResult(regions=1, complete=True, method="slice", seconds=2.0, lps=0,
                        per_class={})
    assert plain.to_json() == {"regions": 1, "complete": True, "method": "slice",
                               "seconds": 2.0, "lps": 0, "per_class": {}, "per_layer": [],
                               "kind": KIND, "workers": 1}
    assert type(plain.to_json()["seconds"]) is float


def test_pattern_set_is_the_same_for_every_integer_type():
    P = np.array([[0, 1, 2], [1, 1, 0]])
    sets = [CountResult(2, True, "tree", 0.0, 0, {}, patterns=P.astype(t)).pattern_set()
            for t in (np.int64, np.int32, np.int8, np.uint8)]
    assert all(s == sets[0] for s in sets)
    assert sets[0] == {np.array(p, np.int32).tobytes() for p in P}
    with pytest.raises(ValueError, match=r"^this result kept no patterns \(pass "
                                         r"keep_patterns=True\)$"):
        CountResult(2, True, "tree", 0.0, 0, {}).pattern_set()


def test_split_pattern_over_three_stages():
    net = Network.from_layers([(np.ones((2, 1)), np.zeros(2)), (np.ones((3, 2)), np.zeros(3)),
                               (np.ones((1, 3)), np.zeros(1))], final=None)
    assert [s.size for s in net.pwl_stages] == [2, 3, 1]
    parts = split_pattern(net, np.arange(6))
    assert [p.tolist() for p in parts] == [[0, 1], [2, 3, 4], [5]]


def test_progress_rate():
    assert Progress(regions=10, lps=3, depth=1, seconds=4.0).rate == 2.5
    assert Progress(regions=10, lps=3, depth=1, seconds=0.0).rate == 0.0
