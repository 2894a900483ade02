"""Tests written against the mutants of regioncount/enumeration/vertex_cells.py
(benchmarks/mutation.py, docs/benchmarks.md "Mutation score"): the bit counts of the incidence
sets, on both paths (numpy 2's ``bitwise_count`` and the byte table numpy 1 uses)."""

from __future__ import annotations

import numpy as np
import pytest

from regioncount.enumeration import vertex_cells as vc

#: words with known numbers of set bits
WORDS = np.array([0, 1, 3, 2**63, 2**64 - 1, 0x0123456789ABCDEF, 255 << 56], dtype=np.uint64)
BITS = [0, 1, 2, 1, 64, 32, 8]


@pytest.mark.parametrize("numpy1", [False, True])
def test_set_bits_of_each_word_and_each_row(numpy1, monkeypatch):
    if numpy1:                  # the byte-table path of numpy before 2.0
        monkeypatch.delattr(np, "bitwise_count", raising=False)
    got = vc._bits(WORDS)
    assert got.tolist() == BITS and got.dtype == np.int64
    Z = np.stack([WORDS, WORDS[::-1]], axis=1)
    assert vc.popcount(Z).tolist() == [a + b for a, b in zip(BITS, BITS[::-1])]
    assert vc.popcount(Z[:, :1]).tolist() == BITS
    assert vc._bits(np.zeros(0, np.uint64)).tolist() == []


def test_the_byte_table():
    assert vc._BYTE_BITS.tolist() == [bin(b).count("1") for b in range(256)]
