"""Tests written against the mutants of regioncount/milp/model.py (benchmarks/mutation.py,
docs/benchmarks.md "Mutation score"): every field of a built model pinned by hand, each kind
of violation on its own, and each error message."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from regioncount.milp.model import MilpModel, ModelBuilder


def _model():
    """x0 in [0, 1], x1 in [-2, 2], z integer in [0, 3]; rows 1 <= x0 + z <= 2, x1 - x0 <= 0."""
    b = ModelBuilder()
    b.add_vars(2, lb=[0.0, -2.0], ub=[1.0, 2.0], name="x")
    b.add_vars(1, lb=0, ub=3, integer=True, name="z")
    b.add_rows(np.array([[1.0, 0.0, 1.0]]), lb=1.0, ub=2.0)
    b.add_rows(np.array([[1.0, -1.0]]), lb=-np.inf, ub=0.0, cols=[1, 0])
    return b.build()


def test_every_field_of_a_built_model():
    m = _model()
    assert m.col_lb.tolist() == [0.0, -2.0, 0.0] and m.col_ub.tolist() == [1.0, 2.0, 3.0]
    assert m.integer.tolist() == [False, False, True] and m.integer.dtype == bool
    assert m.A.toarray().tolist() == [[1.0, 0.0, 1.0], [-1.0, 1.0, 0.0]]
    assert sp.isspmatrix_csr(m.A) and m.A.nnz == 4          # the zero entry is not stored
    assert m.row_lb.tolist() == [1.0, -np.inf] and m.row_ub.tolist() == [2.0, 0.0]
    assert m.obj.tolist() == [0.0, 0.0, 0.0] and m.sense == "min"
    assert m.names == ("x[0]", "x[1]", "z[0]")
    assert (m.num_cols, m.num_rows, m.num_integer) == (3, 2, 1)


@pytest.mark.parametrize("x, v", [
    ([0.5, 0.0, 1.0], 0.0),             # feasible
    ([-0.25, -0.5, 1.0], 0.25),         # x0 below its lower bound (and row 0 short by 0.25)
    ([1.0, 1.5, 1.0], 0.5),             # x1 - x0 above 0 by 0.5
    ([0.5, 0.0, 0.25], 0.25),           # row 0: 0.75 below 1 by 0.25 (z off by 0.25 too)
    ([1.0, 0.0, 1.5], 0.5),             # row 0 above 2 by 0.5, z off integrality by 0.5
    ([1.0, 0.0, 0.9], 0.1),             # z off integrality by 0.1, row 0 inside
    ([1.0, 2.5, 1.0], 1.5),             # x1 above its upper bound by 0.5, row 1 by 1.5
    ([0.0, -2.0, 3.5], 1.5),            # z above 3 by 0.5, row 0 above 2 by 1.5
])
def test_each_violation_is_measured(x, v):
    assert _model().violation(x) == pytest.approx(v, abs=1e-12)


def test_violations_one_kind_at_a_time():
    m = _model()
    bare = MilpModel(m.col_lb, m.col_ub, np.zeros(3, bool), m.obj, "min",
                     sp.csr_matrix((0, 3)), np.zeros(0), np.zeros(0))
    assert bare.violation([1.0, 2.0, 2.5]) == 0.0             # no rows, no integers
    assert bare.violation([1.0, 2.0, 3.75]) == 0.75           # an upper bound only
    assert bare.violation([-0.5, -2.0, 0.0]) == 0.5           # a lower bound only
    assert bare.num_integer == 0 and bare.num_rows == 0 and bare.names is None
    rows = MilpModel(np.full(2, -np.inf), np.full(2, np.inf), np.zeros(2, bool), np.zeros(2),
                     "max", sp.csr_matrix(np.array([[1.0, 1.0]])), np.array([-1.0]),
                     np.array([1.0]))
    assert rows.violation([2.0, 1.0]) == 2.0 and rows.violation([-2.0, -1.0]) == 2.0
    assert rows.violation([2.0, -1.5]) == 0.0


def test_the_relaxation_and_a_new_objective():
    m = _model()
    r = m.relaxed()
    assert r.integer.tolist() == [False, False, False] and r.num_integer == 0
    assert m.integer.tolist() == [False, False, True]                     # unchanged
    assert r.A is m.A and r.col_ub is m.col_ub and r.names == m.names
    assert r.violation([1.0, 0.0, 0.5]) == 0.0 and m.violation([1.0, 0.0, 0.5]) == 0.5
    w = m.with_objective([[1, 0, 2]], sense="max")
    assert w.obj.tolist() == [1.0, 0.0, 2.0] and w.obj.dtype == float and w.sense == "max"
    assert m.with_objective([0, 0, 1]).sense == "min"
    with pytest.raises(ValueError, match=r"^objective has 2 entries, the model 3 columns$"):
        m.with_objective([1.0, 2.0])
    with pytest.raises(ValueError, match=r"^sense must be 'min' or 'max', not 'up'$"):
        m.with_objective([1.0, 2.0, 3.0], sense="up")


def test_columns_default_and_broadcast():
    b = ModelBuilder()
    assert b.add_vars(2).tolist() == [0, 1] and b.add_vars(1, lb=np.array([-1.0])).tolist() == [2]
    lb = np.array([1.0, 2.0])
    assert b.add_vars(2, lb=lb, ub=5).tolist() == [3, 4]
    lb[0] = 9.0                                      # the builder keeps its own copy
    assert b.num_cols == 5 and b.num_rows == 0
    m = b.build()
    assert m.col_lb.tolist() == [0.0, 0.0, -1.0, 1.0, 2.0]
    assert m.col_ub.tolist() == [np.inf, np.inf, np.inf, 5.0, 5.0]
    assert m.names == ("c[0]", "c[1]", "c[0]", "c[0]", "c[1]")
    with pytest.raises(ValueError, match=r"^ub has 3 entries, expected 2$"):
        b.add_vars(2, ub=[1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"^lb has 3 entries, expected 2$"):
        b.add_rows(np.ones((2, 1)), lb=[0.0, 1.0, 2.0], ub=1.0)
    assert b.num_rows == 0


def test_rows_over_given_columns_and_their_errors():
    b = ModelBuilder()
    b.add_vars(3, lb=-1, ub=1)
    assert b.add_rows(sp.csr_matrix(np.array([[2.0, 0.0], [0.0, 3.0]])), lb=[-1.0, 0.0],
                      ub=np.inf, cols=[2, 0]).tolist() == [0, 1]
    # two block columns onto one model column: summed
    assert b.add_rows(np.array([[1.0, 4.0]]), lb=0.0, ub=0.0, cols=[1, 1]).tolist() == [2]
    assert b.add_rows(np.array([[5.0]]), lb=0.0, ub=1.0).tolist() == [3]
    m = b.build()
    assert m.A.toarray().tolist() == [[0.0, 0.0, 2.0], [3.0, 0.0, 0.0], [0.0, 5.0, 0.0],
                                      [5.0, 0.0, 0.0]]
    assert m.A.nnz == 4 and m.row_lb.tolist() == [-1.0, 0.0, 0.0, 0.0]
    assert m.row_ub.tolist() == [np.inf, np.inf, 0.0, 1.0]
    with pytest.raises(ValueError, match=r"^row block has 4 columns, the model only 3$"):
        b.add_rows(np.ones((1, 4)), 0.0, 1.0)
    b.add_rows(np.ones((1, 3)), 0.0, 1.0)                       # every column: allowed
    with pytest.raises(ValueError, match=r"^row block has 2 columns but 3 column indices$"):
        b.add_rows(np.ones((1, 2)), 0.0, 1.0, cols=[0, 1, 2])
    for bad in ([0, 3], [-1, 0]):
        with pytest.raises(ValueError, match=r"^row block refers to a column that does not "
                                             r"exist$"):
            b.add_rows(np.ones((1, 2)), 0.0, 1.0, cols=bad)
    b.add_rows(np.ones((1, 2)), 0.0, 1.0, cols=[0, 2])         # the last column: allowed
    b.add_rows(np.zeros((1, 0)), 0.0, 1.0, cols=[])            # an empty row
    assert b.num_rows == 7 and b.build().num_rows == 7


def test_bounds_integrality_and_objective_changed_after_the_fact():
    b = ModelBuilder()
    b.add_vars(2, lb=0, ub=1, name="a")
    b.add_vars(2, lb=-1, ub=2, integer=True, name="b")
    b.set_bounds([3, 0], lb=[-5.0, 0.5])
    b.set_bounds([1], ub=0.25)
    b.set_bounds([2])                                            # nothing changes
    m = b.build()
    assert m.col_lb.tolist() == [0.5, 0.0, -1.0, -5.0] and m.col_ub.tolist() == [1, 0.25, 2, 2]
    assert m.integer.tolist() == [False, False, True, True]
    b.set_integer(True)
    assert b.build().integer.tolist() == [True] * 4
    b.set_integer()
    assert b.build().integer.tolist() == [False] * 4
    b.set_objective([0, 2, 0], [1.0, 2.0, 3.0], sense="max")      # a column twice: summed
    m = b.build()
    assert m.obj.tolist() == [4.0, 0.0, 2.0, 0.0] and m.sense == "max"
    b.set_objective([1], 7.0)                                    # replaces, default sense
    m = b.build()
    assert m.obj.tolist() == [0.0, 7.0, 0.0, 0.0] and m.sense == "min"
    b.set_objective([1, 3], 0.5)
    assert b.build().obj.tolist() == [0.0, 0.5, 0.0, 0.5]
    with pytest.raises(ValueError, match=r"^sense must be 'min' or 'max', not 'MAX'$"):
        b.set_objective([1], 1.0, sense="MAX")
    assert b.build().sense == "min"
    with pytest.raises(ValueError, match=r"^coeffs has 2 entries, expected 1$"):
        b.set_objective([1], [1.0, 2.0])


def test_an_empty_model_and_a_builder_that_stays_usable():
    m = ModelBuilder().build()
    assert (m.num_cols, m.num_rows, m.A.shape, m.names) == (0, 0, (0, 0), ())
    assert m.col_lb.dtype == float and m.integer.dtype == bool and m.violation([]) == 0.0
    e = ModelBuilder()
    e.set_bounds([], lb=1.0)
    assert e.build().num_cols == 0
    b = ModelBuilder()
    b.add_vars(1)
    first = b.build()
    b.add_vars(1, integer=True)
    assert first.num_cols == 1 and b.build().num_cols == 2 and b.build().num_integer == 1
    with pytest.raises(ValueError, match=r"^sense must be 'min' or 'max', not 'avg'$"):
        MilpModel(first.col_lb, first.col_ub, first.integer, first.obj, "avg", first.A,
                  first.row_lb, first.row_ub)


def test_integer_bounds_become_float_bounds():
    """Bounds given as integers are stored as floats: a later fractional bound is kept whole."""
    b = ModelBuilder()
    b.add_vars(2, lb=[0, 1], ub=[4, 5])
    b.set_bounds([0, 1], lb=0.5, ub=[2.5, 4.75])
    m = b.build()
    assert m.col_lb.tolist() == [0.5, 0.5] and m.col_ub.tolist() == [2.5, 4.75]


def test_one_value_in_a_vector_is_broadcast():
    b = ModelBuilder()
    b.add_vars(3, lb=[-2.0], ub=np.array([[7.0]]))
    b.add_rows(np.eye(3), lb=[1.0], ub=np.array([2.0]))
    m = b.build()
    assert m.col_lb.tolist() == [-2.0] * 3 and m.col_ub.tolist() == [7.0] * 3
    assert m.row_lb.tolist() == [1.0] * 3 and m.row_ub.tolist() == [2.0] * 3
    assert m.relaxed().integer.dtype == bool


@pytest.mark.parametrize("call, message", [
    (lambda b: b.add_vars(2, lb=[1.0, 2.0, 3.0]), "lb has 3 entries, expected 2"),
    (lambda b: b.add_rows(np.ones((2, 1)), lb=0.0, ub=[1.0, 2.0, 3.0]),
     "ub has 3 entries, expected 2"),
    (lambda b: b.set_bounds([0, 1], lb=[1.0, 2.0, 3.0]), "lb has 3 entries, expected 2"),
    (lambda b: b.set_bounds([0, 1], ub=[1.0, 2.0, 3.0]), "ub has 3 entries, expected 2"),
])
def test_each_mismatch_names_its_argument(call, message):
    b = ModelBuilder()
    b.add_vars(2)
    with pytest.raises(ValueError) as e:
        call(b)
    assert str(e.value) == message


def test_changing_no_bounds_of_an_empty_builder():
    e = ModelBuilder()
    e.set_bounds([], lb=1.0, ub=2.0)
    m = e.build()
    assert m.col_lb.size == m.col_ub.size == m.integer.size == 0
