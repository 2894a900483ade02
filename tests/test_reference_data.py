"""The reference vectors in tests/data/ are the shared ones (when those are present)."""

import json

import pytest

from conftest import DATA, shared_path


@pytest.mark.parametrize("name", ["exact_counts.json", "bound_values.json"])
def test_reference_copies_are_current(name):
    shared = shared_path("reference", name)
    assert json.loads((DATA / name).read_text()) == json.loads(shared.read_text())


def test_reference_copies_are_not_empty(exact_counts, bound_values):
    assert len(exact_counts) >= 10 and all("regions" in e for e in exact_counts)
    assert "table" in bound_values
