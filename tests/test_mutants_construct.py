"""Tests written against the mutants of regioncount/bounds/construct.py (benchmarks/mutation.py,
docs/benchmarks.md "Mutation score"): the names a construction's network and ONNX model carry,
and the one-line errors that say why an architecture or box is refused."""

from __future__ import annotations

import pytest

from regioncount import RegioncountError
from regioncount.bounds.construct import max_regions_network, sawtooth


def test_names_of_the_network_and_the_onnx_model():
    c = max_regions_network((2, 6, 6))
    assert c.lo == 0.0 and c.hi == 1.0 and c.regions == 352
    assert c.network().name == "max-regions-2-6-6"
    assert c.onnx().graph.name == "max_regions_2_6_6"


@pytest.mark.parametrize("args,message", [
    (((2, 6, 6), 1.0, 1.0), "box [1, 1]: need lo < hi"),
    (((2, 6, 6), 2.0, 1.0), "box [2, 1]: need lo < hi"),
    (((2, 5, 6),), "architecture 2-5-6: layer 1 has 5 units, the construction needs n_l >= 3 "
                   "n0 = 6 for every layer but the last (Serra et al. 2018, Thm 6)"),
    (((1, 3, 2, 4),), "architecture 1-3-2-4: layer 2 has 2 units, the construction needs "
                      "n_l >= 3 n0 = 3"),
])
def test_refusals_say_why(args, message):
    with pytest.raises(RegioncountError) as e:
        max_regions_network(*args)
    assert str(e.value).startswith(message)


def test_sawtooth_refusal():
    with pytest.raises(RegioncountError, match="a sawtooth layer needs at least 3 units"):
        sawtooth(2)
