"""A backend-neutral mixed-integer linear model.

:class:`MilpModel` is plain data: column bounds, integrality, a linear objective, and sparse
rows ``row_lb <= A x <= row_ub``. Every backend (``regioncount.backends``) loads it in bulk.
:class:`ModelBuilder` assembles one block of columns and rows at a time.

Examples
--------
>>> import numpy as np
>>> b = ModelBuilder()
>>> x = b.add_vars(2, lb=0.0, ub=1.0, name="x")
>>> z = b.add_vars(1, lb=0, ub=1, integer=True, name="z")
>>> rows = b.add_rows(np.array([[1.0, 1.0, -1.0]]), lb=-np.inf, ub=0.5)
>>> b.set_objective(x, [1.0, 2.0], sense="max")
>>> m = b.build()
>>> m.num_cols, m.num_rows, m.integer.tolist(), m.names
(3, 1, [False, False, True], ('x[0]', 'x[1]', 'z[0]'))
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import scipy.sparse as sp

SENSES = ("min", "max")


@dataclass(frozen=True, eq=False)
class MilpModel:
    """``opt obj @ x`` subject to ``row_lb <= A x <= row_ub``, ``col_lb <= x <= col_ub`` and
    ``x[integer]`` integral.

    Attributes
    ----------
    col_lb, col_ub : ndarray of shape (n,)
        Column bounds; ``-inf`` / ``+inf`` allowed.
    integer : ndarray of bool, shape (n,)
    obj : ndarray of shape (n,)
    sense : {'min', 'max'}
    A : scipy.sparse.csr_matrix of shape (m, n)
    row_lb, row_ub : ndarray of shape (m,)
        ``-inf`` / ``+inf`` allowed (a one-sided row).
    names : tuple of str or None
        Column names, for debugging and model files.
    """

    col_lb: np.ndarray
    col_ub: np.ndarray
    integer: np.ndarray
    obj: np.ndarray
    sense: str
    A: sp.csr_matrix
    row_lb: np.ndarray
    row_ub: np.ndarray
    names: tuple | None = None

    def __post_init__(self):
        if self.sense not in SENSES:
            raise ValueError(f"sense must be 'min' or 'max', not {self.sense!r}")

    @property
    def num_cols(self) -> int:
        return int(self.col_lb.size)

    @property
    def num_rows(self) -> int:
        return int(self.row_lb.size)

    @property
    def num_integer(self) -> int:
        return int(np.count_nonzero(self.integer))

    def relaxed(self) -> "MilpModel":
        """The LP relaxation (same bounds and rows, no integrality)."""
        return replace(self, integer=np.zeros(self.num_cols, dtype=bool))

    def with_objective(self, obj, sense: str = "min") -> "MilpModel":
        """The same model with a new dense objective vector."""
        obj = np.asarray(obj, dtype=float).ravel()
        if obj.size != self.num_cols:
            raise ValueError(f"objective has {obj.size} entries, the model {self.num_cols} columns")
        return replace(self, obj=obj, sense=sense)

    def violation(self, x) -> float:
        """Largest violation of a bound, row or integrality by the point ``x`` (0 if feasible)."""
        x = np.asarray(x, dtype=float)
        ax = self.A @ x
        v = [np.max(self.col_lb - x, initial=0.0), np.max(x - self.col_ub, initial=0.0),
             np.max(self.row_lb - ax, initial=0.0), np.max(ax - self.row_ub, initial=0.0)]
        if self.num_integer:
            xi = x[self.integer]
            v.append(np.max(np.abs(xi - np.round(xi)), initial=0.0))
        return float(max(v))


def _broadcast(v, n: int, what: str) -> np.ndarray:
    a = np.asarray(v, dtype=float)
    if a.ndim == 0 or a.size == 1:
        return np.full(n, float(a.reshape(-1)[0]) if a.size else float(a))
    a = a.ravel()
    if a.size != n:
        raise ValueError(f"{what} has {a.size} entries, expected {n}")
    return a.copy()


class ModelBuilder:
    """Assemble a :class:`MilpModel` block by block.

    Columns are added with :meth:`add_vars`, rows with :meth:`add_rows` (dense or sparse
    blocks, over all columns so far or over a given list of columns).
    """

    def __init__(self):
        self._lb: list[np.ndarray] = []
        self._ub: list[np.ndarray] = []
        self._int: list[np.ndarray] = []
        self._names: list[str] | None = []
        self._n = 0
        self._rows: list[np.ndarray] = []
        self._cols: list[np.ndarray] = []
        self._vals: list[np.ndarray] = []
        self._rlb: list[np.ndarray] = []
        self._rub: list[np.ndarray] = []
        self._m = 0
        self._obj: dict[int, float] = {}
        self._sense = "min"

    @property
    def num_cols(self) -> int:
        return self._n

    @property
    def num_rows(self) -> int:
        return self._m

    def add_vars(self, n: int, lb=0.0, ub=np.inf, integer: bool = False,
                 name: str | None = None) -> np.ndarray:
        """Add ``n`` columns; returns their indices.

        Parameters
        ----------
        n : int
        lb, ub : float or array of shape (n,)
        integer : bool
        name : str, optional
            Columns are named ``name[i]``.
        """
        n = int(n)
        lb = _broadcast(lb, n, "lb")
        ub = _broadcast(ub, n, "ub")
        self._lb.append(lb)
        self._ub.append(ub)
        self._int.append(np.full(n, bool(integer)))
        base = name or "c"
        if self._names is not None:
            self._names.extend(f"{base}[{i}]" for i in range(n))
        idx = np.arange(self._n, self._n + n)
        self._n += n
        return idx

    def add_rows(self, A_block, lb, ub, cols=None) -> np.ndarray:
        """Add rows ``lb <= A_block @ x[cols] <= ub``; returns the new row indices.

        Parameters
        ----------
        A_block : ndarray or scipy.sparse matrix of shape (m, k)
            With ``cols=None``, its columns are the model's first ``k`` columns (``k`` at most
            the number of columns so far); otherwise column ``j`` is model column ``cols[j]``.
        lb, ub : float or array of shape (m,)
            ``-inf`` / ``+inf`` for one-sided rows.
        cols : array of int, optional
        """
        A = sp.coo_matrix(A_block)
        m, k = A.shape
        if cols is None:
            if k > self._n:
                raise ValueError(f"row block has {k} columns, the model only {self._n}")
            c = A.col.astype(np.int64)
        else:
            cols = np.asarray(cols, dtype=np.int64).ravel()
            if cols.size != k:
                raise ValueError(f"row block has {k} columns but {cols.size} column indices")
            if cols.size and (cols.min() < 0 or cols.max() >= self._n):
                raise ValueError("row block refers to a column that does not exist")
            c = cols[A.col]
        keep = A.data != 0
        self._rows.append(A.row[keep].astype(np.int64) + self._m)
        self._cols.append(c[keep])
        self._vals.append(A.data[keep].astype(float))
        self._rlb.append(_broadcast(lb, m, "lb"))
        self._rub.append(_broadcast(ub, m, "ub"))
        idx = np.arange(self._m, self._m + m)
        self._m += m
        return idx

    def set_bounds(self, cols, lb=None, ub=None) -> None:
        """Change the bounds of existing columns (``None`` keeps a side)."""
        lo_all = np.concatenate(self._lb) if self._lb else np.zeros(0)
        hi_all = np.concatenate(self._ub) if self._ub else np.zeros(0)
        cols = np.asarray(cols, dtype=np.int64).ravel()
        if lb is not None:
            lo_all[cols] = _broadcast(lb, cols.size, "lb")
        if ub is not None:
            hi_all[cols] = _broadcast(ub, cols.size, "ub")
        self._lb, self._ub = [lo_all], [hi_all]

    def set_integer(self, flag: bool = False) -> None:
        """Mark every column integer (``True``) or continuous (``False``)."""
        self._int = [np.full(self._n, bool(flag))]

    def set_objective(self, cols, coeffs, sense: str = "min") -> None:
        """Objective ``sense sum coeffs[j] x[cols[j]]`` (replaces any earlier objective)."""
        if sense not in SENSES:
            raise ValueError(f"sense must be 'min' or 'max', not {sense!r}")
        cols = np.asarray(cols, dtype=np.int64).ravel()
        coeffs = _broadcast(coeffs, cols.size, "coeffs")
        self._obj = {}
        for c, v in zip(cols.tolist(), coeffs.tolist()):
            self._obj[c] = self._obj.get(c, 0.0) + v
        self._sense = sense

    def build(self) -> MilpModel:
        """The model assembled so far (the builder stays usable)."""
        n, m = self._n, self._m
        cat = lambda parts, dt: np.concatenate(parts).astype(dt) if parts else np.zeros(0, dt)  # noqa: E731
        A = sp.csr_matrix((cat(self._vals, float), (cat(self._rows, np.int64), cat(self._cols, np.int64))),
                          shape=(m, n))
        A.sum_duplicates()
        obj = np.zeros(n)
        for c, v in self._obj.items():
            obj[c] = v
        names = tuple(self._names) if self._names is not None else None
        return MilpModel(cat(self._lb, float), cat(self._ub, float), cat(self._int, bool), obj,
                         self._sense, A, cat(self._rlb, float), cat(self._rub, float), names)


__all__ = ["MilpModel", "ModelBuilder"]
