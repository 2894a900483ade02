"""The input box of a VNN-LIB property (the ``--vnnlib F`` domain option).

VNN-LIB (https://www.vnnlib.org) writes a verification property as SMT-LIB s-expressions over
input variables ``X_0 .. X_{n-1}`` (the C-order flattening of the model's input tensor) and
output variables ``Y_j``::

    (declare-const X_0 Real)
    (declare-const Y_0 Real)
    (assert (<= X_0 0.6798577687))
    (assert (>= X_0 0.6))
    (assert (<= Y_0 Y_1))

:func:`read_vnnlib_box` keeps the input constraints, which must form a box, and ignores the
output constraints (they state what is to be verified, not where). Accepted input constraints:
``(<= X_i c)``, ``(>= X_i c)``, the mirrored ``(<= c X_i)`` forms, chains ``(<= lo X_i hi)``,
``<``/``>`` (same closure), ``(= X_i c)``, any nesting of ``and``, and ``or`` whose disjuncts
all have the *same* input box (as in files that repeat the box in each output case). Several
bounds on one input intersect. Anything else touching an input -- a disjunction of different
boxes, ``X_0 <= X_1``, a linear combination, a negation, a constraint mixing inputs and
outputs -- is refused with a :class:`~regioncount.errors.DomainError`.
"""

from __future__ import annotations

import logging
import math
import re
from pathlib import Path

import numpy as np

from ..domain import Domain
from ..errors import DomainError

log = logging.getLogger(__name__)

_INPUT = re.compile(r"X_(\d+)$")
_TOKEN = re.compile(r"\(|\)|[^\s()]+")
_COMPARE = {"<=", ">=", "<", ">", "="}


class _List(list):
    """A parenthesised s-expression, remembering the line where it opens."""

    def __init__(self, line: int):
        super().__init__()
        self.line = line


def _parse(text: str, fail) -> list[_List]:
    """Tokenise and parse s-expressions (``;`` starts a comment)."""
    top: list[_List] = []
    stack: list[_List] = []
    for no, line in enumerate(text.splitlines(), start=1):
        for tok in _TOKEN.findall(line.split(";", 1)[0]):
            if tok == "(":
                stack.append(_List(no))
            elif tok == ")":
                if not stack:
                    fail(f"line {no}: unbalanced ')'")
                node = stack.pop()
                (stack[-1] if stack else top).append(node)
            elif not stack:
                fail(f"line {no}: {tok!r} outside parentheses")
            else:
                stack[-1].append(tok)
    if stack:
        fail(f"line {stack[-1].line}: '(' is never closed")
    return top


def _const(e) -> float | None:
    """The value of a numeric constant (``1.5``, ``-2``, ``(- 2)``), else None."""
    if isinstance(e, str):
        try:
            v = float(e)
        except ValueError:
            return None
        return v if math.isfinite(v) else None
    if len(e) == 2 and e[0] == "-":
        v = _const(e[1])
        return None if v is None else -v
    return None


def _mentions_input(e) -> bool:
    if isinstance(e, str):
        return _INPUT.match(e) is not None
    return any(_mentions_input(x) for x in e)


class _Reader:
    def __init__(self, path: Path):
        self.path = path
        self.inputs: set[int] = set()

    def fail(self, reason: str):
        raise DomainError(f"{self.path}: {reason}")

    def var(self, e) -> int | None:
        if isinstance(e, str):
            m = _INPUT.match(e)
            if m:
                i = int(m.group(1))
                if i not in self.inputs:
                    self.fail(f"{e} is used but not declared")
                return i
        return None

    @staticmethod
    def merge(box: dict, i: int, lo: float, hi: float) -> None:
        old_lo, old_hi = box.get(i, (-math.inf, math.inf))
        box[i] = (max(old_lo, lo), min(old_hi, hi))

    def bounds(self, e: _List) -> dict[int, tuple[float, float]]:
        """Input bounds of a conjunctive expression as {i: (lo, hi)}; {} when it only
        constrains outputs."""
        box: dict[int, tuple[float, float]] = {}
        if not isinstance(e, _List) or not e:
            return box
        head = e[0]
        if head == "and":
            for sub in e[1:]:
                for i, (lo, hi) in self.bounds(sub).items():
                    self.merge(box, i, lo, hi)
            return box
        if not _mentions_input(e):
            return box  # an output constraint: what is verified, not where
        if head == "or":
            boxes = [self.bounds(sub) for sub in e[1:]]
            if all(b == boxes[0] for b in boxes[1:]):
                return boxes[0] if boxes else box
            self.fail(f"line {e.line}: the input constraints are a disjunction of "
                      f"{len(boxes)} different boxes; write one property file per box")
        if head in _COMPARE and len(e) >= 3:
            args = e[1:]
            for a, b in zip(args, args[1:]):
                if head in (">=", ">"):
                    a, b = b, a          # now a <= b
                self.pair(box, a, b, e.line)
                if head == "=":
                    self.pair(box, b, a, e.line)
            return box
        self.fail(f"line {e.line}: ({head} ...) on inputs is not a box constraint "
                  "(only bounds X_i <= c, X_i >= c, 'and', and 'or' of equal boxes)")

    def pair(self, box: dict, a, b, line: int) -> None:
        """Record ``a <= b``."""
        ia, ib = self.var(a), self.var(b)
        ca, cb = _const(a), _const(b)
        if ia is not None and cb is not None:
            self.merge(box, ia, -math.inf, cb)
        elif ib is not None and ca is not None:
            self.merge(box, ib, ca, math.inf)
        elif ca is not None and cb is not None:
            return
        elif _mentions_input(a) or _mentions_input(b):
            self.fail(f"line {line}: constraint between {_show(a)} and {_show(b)} is not a "
                      "bound of one input by a constant (not a box)")


def _show(e) -> str:
    s = e if isinstance(e, str) else "(" + " ".join(_show(x) for x in e) + ")"
    return s if len(s) <= 40 else s[:37] + "..."


def read_vnnlib_box(path, n: int | None = None) -> Domain:
    """The input box of a VNN-LIB property file.

    Parameters
    ----------
    path : str or Path
        The ``.vnnlib`` file.
    n : int, optional
        Number of model inputs; the file must declare exactly ``X_0 .. X_{n-1}``.

    Returns
    -------
    Domain
        The box, named after the file.

    Raises
    ------
    DomainError
        One line naming the file: unreadable or unbalanced file, input constraints that are
        not a box (disjunctions of different boxes, relations between variables), an input
        without a lower or upper bound, an empty box, or a number of inputs other than ``n``.

    Examples
    --------
    >>> import tempfile, os
    >>> text = '''(declare-const X_0 Real) (declare-const X_1 Real) (declare-const Y_0 Real)
    ... (assert (<= X_0 0.5)) (assert (>= X_0 -0.5))
    ... (assert (and (<= 0 X_1) (<= X_1 1)))
    ... (assert (or (<= Y_0 0) (>= Y_0 3)))'''
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = os.path.join(d, "prop.vnnlib")
    ...     _ = open(p, "w").write(text)
    ...     box = read_vnnlib_box(p, 2)
    >>> box.lo.tolist(), box.hi.tolist()
    ([-0.5, 0.0], [0.5, 1.0])
    """
    path = Path(path)
    r = _Reader(path)
    try:
        text = path.read_text()
    except FileNotFoundError:
        r.fail("no such file")
    except (OSError, UnicodeDecodeError) as e:
        r.fail(f"cannot read as text ({e})")
    commands = _parse(text, r.fail)
    k = _declared_inputs(r, commands, n)
    box: dict[int, tuple[float, float]] = {}
    for c in commands:
        if c and c[0] == "assert":
            if len(c) != 2:
                r.fail(f"line {c.line}: 'assert' takes one expression")
            for i, (lo, hi) in r.bounds(c[1]).items():
                r.merge(box, i, lo, hi)
        elif c and c[0] not in _IGNORED:
            log.debug("%s: line %d: ignoring (%s ...)", path, c.line, c[0])
    return _box(r, box, k, path.name)


#: Commands that say nothing about the input box.
_IGNORED = ("declare-const", "declare-fun", "set-logic", "set-info", "set-option", "check-sat",
            "get-model", "exit")


def _declared_inputs(r: "_Reader", commands, n: int | None) -> int:
    """The number of inputs ``X_0 .. X_{k-1}`` the file declares (checked against ``n``)."""
    for c in commands:
        if len(c) >= 2 and c[0] == "declare-const" and isinstance(c[1], str):
            m = _INPUT.match(c[1])
            if m:
                i = int(m.group(1))
                if i in r.inputs:
                    r.fail(f"line {c.line}: {c[1]} is declared twice")
                r.inputs.add(i)
    k = len(r.inputs)
    if k == 0:
        if any(c and c[0] in ("vnnlib-version", "declare-network") for c in commands):
            r.fail("VNN-LIB 2.0 (declare-network, X[i,j]) is not supported; "
                   "write the property in the 1.0 form with X_0, X_1, ...")
        r.fail("declares no input variables X_0, X_1, ...")
    if r.inputs != set(range(k)):
        missing = min(set(range(max(r.inputs) + 1)) - r.inputs)
        r.fail(f"inputs are not X_0 .. X_{k - 1}: X_{missing} is not declared")
    if n is not None and k != n:
        r.fail(f"declares {k} input{'s' if k != 1 else ''} X_i, the model has {n}")
    return k


def _box(r: "_Reader", box: dict, k: int, name: str) -> Domain:
    """The bounded, non-empty box of the merged bounds."""
    lo = np.array([box.get(i, (-math.inf, math.inf))[0] for i in range(k)])
    hi = np.array([box.get(i, (-math.inf, math.inf))[1] for i in range(k)])
    for i in range(k):
        if not math.isfinite(lo[i]):
            r.fail(f"X_{i} has no lower bound (the domain must be a bounded box)")
        if not math.isfinite(hi[i]):
            r.fail(f"X_{i} has no upper bound (the domain must be a bounded box)")
        if lo[i] > hi[i]:
            r.fail(f"X_{i} has lower bound {lo[i]} above its upper bound {hi[i]}: empty box")
    return Domain(lo, hi, name=name)
