"""Run the docstring examples of the installed package."""

import doctest
import importlib

import pytest

MODULES = ["regioncount.network", "regioncount.domain", "regioncount.results",
           "regioncount.intervals", "regioncount.io.export", "regioncount.io.vnnlib",
           "regioncount.enumeration.tree", "regioncount.enumeration.slices",
           "regioncount.enumeration.milp_count", "regioncount.bounds.formulas",
           "regioncount.app", "regioncount.analysis", "regioncount.stages",
           "regioncount.milp.formulation",
           "regioncount.milp.tighten", "regioncount.enumeration.certify",
           "regioncount.enumeration.vertex", "regioncount.enumeration.lp",
           "regioncount.enumeration.vertex_pool"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    mod = importlib.import_module(name)
    res = doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert res.failed == 0
    assert res.attempted > 0
