"""VNN-LIB input boxes: the accepted forms and every refusal."""

import numpy as np
import pytest

from regioncount.errors import DomainError
from regioncount.io.vnnlib import read_vnnlib_box

DECL = "\n".join([f"(declare-const X_{i} Real)" for i in range(5)]
                 + [f"(declare-const Y_{j} Real)" for j in range(5)]) + "\n"

# ACAS Xu property 3 as in VNN-COMP 2021 (prop_3.vnnlib), normalised inputs.
PROP3 = DECL + """
; Unscaled Input 0: (1500, 1800)
(assert (<= X_0 -0.298552812))
(assert (>= X_0 -0.303531156))
; Unscaled Input 1: (-0.06, 0.06)
(assert (<= X_1 0.009549297))
(assert (>= X_1 -0.009549297))
(assert (<= X_2 0.5))
(assert (>= X_2 0.493380324))
(assert (<= X_3 0.5))
(assert (>= X_3 0.3))
(assert (<= X_4 0.5))
(assert (>= X_4 0.3))
; unsafe if COC is minimal
(assert (<= Y_0 Y_1))
(assert (<= Y_0 Y_2))
(assert (<= Y_0 Y_3))
(assert (<= Y_0 Y_4))
"""

LO3 = [-0.303531156, -0.009549297, 0.493380324, 0.3, 0.3]
HI3 = [-0.298552812, 0.009549297, 0.5, 0.5, 0.5]


def _write(tmp_path, text, name="prop.vnnlib"):
    p = tmp_path / name
    p.write_text(text)
    return p


def test_acas_property_box(tmp_path):
    d = read_vnnlib_box(_write(tmp_path, PROP3), 5)
    np.testing.assert_array_equal(d.lo, LO3)
    np.testing.assert_array_equal(d.hi, HI3)
    assert d.name == "prop.vnnlib"


def test_other_accepted_forms(tmp_path):
    text = DECL + """
(assert (and (<= -0.5 X_0) (>= 0.25 X_0)
             (<= 0 X_1 1)                    ; a chain: 0 <= X_1 <= 1
             (and (< X_2 2.0) (> X_2 (- 1.5)))))
(assert (= X_3 0.125))
(assert (>= X_4 -3)) (assert (<= X_4 3))
(assert (<= X_4 2.5))                        ; a second, tighter upper bound
(assert (or (and (>= Y_0 Y_1) (>= Y_0 Y_2)) (and (>= Y_3 Y_1) (>= Y_3 Y_2))))
(check-sat)
"""
    d = read_vnnlib_box(_write(tmp_path, text), 5)
    np.testing.assert_array_equal(d.lo, [-0.5, 0.0, -1.5, 0.125, -3.0])
    np.testing.assert_array_equal(d.hi, [0.25, 1.0, 2.0, 0.125, 2.5])


def test_or_of_equal_boxes_and_single_disjunct(tmp_path):
    box = " ".join(f"(>= X_{i} {lo}) (<= X_{i} {hi})" for i, (lo, hi) in enumerate(zip(LO3, HI3)))
    text = DECL + f"(assert (or (and {box} (<= Y_0 Y_1)) (and {box} (<= Y_0 Y_2))))\n"
    d = read_vnnlib_box(_write(tmp_path, text), 5)
    np.testing.assert_array_equal(d.lo, LO3)
    text = DECL + f"(assert (or (and {box})))\n"
    np.testing.assert_array_equal(read_vnnlib_box(_write(tmp_path, text), 5).hi, HI3)


def _refused(tmp_path, text, n, *fragments):
    with pytest.raises(DomainError) as e:
        read_vnnlib_box(_write(tmp_path, text, "bad.vnnlib"), n)
    msg = str(e.value)
    assert "\n" not in msg and "bad.vnnlib" in msg
    for f in fragments:
        assert f in msg, msg


def test_refuses_disjunctive_inputs(tmp_path):
    text = PROP3 + "(assert (or (<= X_3 0.4) (>= X_3 0.45)))\n"
    _refused(tmp_path, text, 5, "disjunction of 2 different boxes")
    # an or whose second case constrains only outputs leaves the inputs unbounded there
    text = PROP3 + "(assert (or (<= X_3 0.4) (<= Y_0 Y_1)))\n"
    _refused(tmp_path, text, 5, "disjunction")


def test_refuses_non_box(tmp_path):
    _refused(tmp_path, PROP3 + "(assert (<= X_0 X_1))\n", 5, "not a box")
    _refused(tmp_path, PROP3 + "(assert (<= (+ X_0 X_1) 0.1))\n", 5, "not a box")
    _refused(tmp_path, PROP3 + "(assert (<= X_0 Y_1))\n", 5, "not a box")
    _refused(tmp_path, PROP3 + "(assert (not (<= X_0 0.0)))\n", 5, "(not ...)", "not a box")


def test_refuses_missing_bounds(tmp_path):
    _refused(tmp_path, PROP3.replace("(assert (>= X_3 0.3))", ""), 5, "X_3 has no lower bound")
    _refused(tmp_path, PROP3.replace("(assert (<= X_1 0.009549297))", ""), 5,
             "X_1 has no upper bound")
    _refused(tmp_path, PROP3 + "(assert (<= X_4 0.1))\n", 5, "X_4", "empty box")


def test_refuses_wrong_input_count(tmp_path):
    _refused(tmp_path, PROP3, 784, "declares 5 inputs", "784")
    _refused(tmp_path, PROP3.replace("(declare-const X_2 Real)", ""), None, "X_2 is not declared")
    _refused(tmp_path, PROP3 + "(assert (<= X_7 1))\n", 5, "X_7 is used but not declared")


def test_refuses_malformed(tmp_path):
    _refused(tmp_path, PROP3 + "(assert (<= X_0 1)\n", 5, "never closed")
    _refused(tmp_path, PROP3 + ")\n", 5, "unbalanced")
    v2 = "(vnnlib-version <2.0>)\n(declare-network N (declare-input X float32 [1,2]))\n"
    _refused(tmp_path, v2 + "(assert (<= X[0,0] 1))\n", 2, "VNN-LIB 2.0")
    with pytest.raises(DomainError, match="no such file"):
        read_vnnlib_box(tmp_path / "missing.vnnlib", 5)
