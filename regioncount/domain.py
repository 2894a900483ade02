"""Input domains: a box ``lo <= x <= hi``, optionally cut by ``A x <= b``.

Coordinates are in the C order of the model's input tensor without its batch dimension.
Every count, bound on a domain and output range is relative to a bounded domain: a box, or a
polytope (a box cut by half-spaces, e.g. from a VNN-LIB property or a JSON file with ``A``
and ``b``).

Examples
--------
>>> import numpy as np
>>> tri = Domain(np.zeros(2), np.ones(2), A=np.array([[1.0, 1.0]]), b=np.array([1.0]))
>>> tri.is_box, tri.contains(np.array([[0.2, 0.3], [0.9, 0.9]])).tolist()
(False, [True, False])
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .errors import DomainError


def _numbers(path, key: str, value) -> np.ndarray:
    """The JSON value ``value`` of ``key`` as a float array; a one-line error naming the file
    and the key when it holds strings, nulls, ragged lists or anything but numbers."""
    if isinstance(value, (str, bytes, dict)) or value is None:
        raise DomainError(f"{path}: '{key}' must be a list of numbers, not {type(value).__name__}")
    try:
        arr = np.asarray(value)
        if arr.dtype.kind not in "iuf":
            raise ValueError
        return arr.astype(float)
    except (ValueError, TypeError):
        raise DomainError(f"{path}: '{key}' must be a list of numbers (found strings, nulls "
                          "or ragged lists)") from None


@dataclass(frozen=True, eq=False)
class Domain:
    """A bounded polytope ``{x : lo <= x <= hi, A x <= b}``.

    Parameters
    ----------
    lo, hi : array_like of shape (n,)
        Box bounds (finite, ``lo <= hi``); every region count is relative to a bounded domain.
    A, b : array_like of shape (m, n) and (m,), optional
        Extra half-spaces ``A x <= b`` (a polytope domain); give both or neither.
    name : str
        A label for messages and reports.

    Raises
    ------
    DomainError
        When ``lo`` and ``hi`` differ in size, are not finite, ``lo > hi`` somewhere, or ``A``
        does not have shape ``(b.size, n)``.

    Examples
    --------
    >>> d = Domain.box(0.0, 1.0, 3)
    >>> d.dim, d.center.tolist()
    (3, [0.5, 0.5, 0.5])

    A polytope: the triangle ``x, y >= 0``, ``x + y <= 1``, the box ``[0, 1]^2`` cut by one
    half-space. The MILP, the region tree and the bounds use the half-spaces; interval
    propagation uses the box.

    >>> import numpy as np
    >>> tri = Domain(np.zeros(2), np.ones(2), A=[[1.0, 1.0]], b=[1.0], name="triangle")
    >>> tri.halfspaces()[0].shape, tri.to_json()["A"]
    ((5, 2), [[1.0, 1.0]])
    >>> Domain([0.0, 1.0], [1.0, 0.0])
    Traceback (most recent call last):
    ...
    regioncount.errors.DomainError: domain: lo[1] = 1.0 is above hi[1] = 0.0
    """

    lo: np.ndarray
    hi: np.ndarray
    A: np.ndarray | None = None
    b: np.ndarray | None = None
    name: str = field(default="box")

    def __post_init__(self):
        lo = np.asarray(self.lo, dtype=float).ravel()
        hi = np.asarray(self.hi, dtype=float).ravel()
        if lo.shape != hi.shape:
            raise DomainError(f"domain: lo has {lo.size} entries but hi has {hi.size}")
        if not (np.all(np.isfinite(lo)) and np.all(np.isfinite(hi))):
            raise DomainError("domain: box bounds must be finite")
        if np.any(lo > hi):
            i = int(np.argmax(lo > hi))
            raise DomainError(f"domain: lo[{i}] = {lo[i]} is above hi[{i}] = {hi[i]}")
        object.__setattr__(self, "lo", lo)
        object.__setattr__(self, "hi", hi)
        if self.A is not None:
            A = np.atleast_2d(np.asarray(self.A, dtype=float))
            b = np.asarray(self.b, dtype=float).ravel()
            if A.shape != (b.size, lo.size):
                raise DomainError(
                    f"domain: A has shape {A.shape}, expected ({b.size}, {lo.size})")
            object.__setattr__(self, "A", A)
            object.__setattr__(self, "b", b)

    # -- constructors -------------------------------------------------------------------
    @classmethod
    def box(cls, lo, hi, n: int | None = None) -> "Domain":
        """A box ``lo <= x <= hi``.

        Parameters
        ----------
        lo, hi : float or array_like
            Bounds: scalars are broadcast to ``n`` coordinates, arrays give one per coordinate.
        n : int, optional
            Number of coordinates (the network's ``input_size``); needed for scalar bounds.

        Returns
        -------
        Domain

        Raises
        ------
        DomainError
            When the bounds have neither 1 nor ``n`` entries, are not finite, or ``lo > hi``.

        Examples
        --------
        >>> Domain.box(-1, 1, 2).lo.tolist(), Domain.box([0, -1], [1, 1]).hi.tolist()
        ([-1.0, -1.0], [1.0, 1.0])
        >>> Domain.box([0, 0, 0], 1, 2)
        Traceback (most recent call last):
        ...
        regioncount.errors.DomainError: domain: box has 3 coordinates, the model has 2 inputs
        """
        lo = np.asarray(lo, dtype=float)
        hi = np.asarray(hi, dtype=float)
        if n is not None:
            if lo.size not in (1, n) or hi.size not in (1, n):
                raise DomainError(
                    f"domain: box has {max(lo.size, hi.size)} coordinates, the model has {n} inputs")
            lo = np.broadcast_to(lo.ravel() if lo.size > 1 else lo.reshape(()), (n,))
            hi = np.broadcast_to(hi.ravel() if hi.size > 1 else hi.reshape(()), (n,))
        return cls(lo.copy(), hi.copy())

    @classmethod
    def from_spec(cls, spec: str, n: int) -> "Domain":
        """Parse ``"LO,HI"`` (the ``--box`` option) for ``n`` inputs.

        Parameters
        ----------
        spec : str
            Two numbers, ``"LO,HI"``.
        n : int

        Returns
        -------
        Domain
            The box ``[LO, HI]^n``.

        Raises
        ------
        DomainError
            When ``spec`` is not two numbers, or ``LO > HI``.

        Examples
        --------
        >>> Domain.from_spec("-1,1", 3).hi.tolist()
        [1.0, 1.0, 1.0]
        """
        try:
            lo_s, hi_s = spec.split(",")
            lo, hi = float(lo_s), float(hi_s)
        except ValueError:
            raise DomainError(f"--box: expected LO,HI (two numbers), got {spec!r}") from None
        return cls.box(lo, hi, n)

    @classmethod
    def from_file(cls, path, n: int | None = None) -> "Domain":
        """Read a domain from a JSON file (the ``--box-file`` option).

        The file holds an object with lists ``lo`` and ``hi`` (one number per input), and
        optionally ``A`` (a list of rows) and ``b`` for the half-spaces ``A x <= b``.

        Parameters
        ----------
        path : str or Path
        n : int, optional
            The network's number of inputs, checked against ``lo`` and ``hi``.

        Returns
        -------
        Domain
            Named after the file.

        Raises
        ------
        DomainError
            When the file is missing or not JSON, lacks ``lo`` / ``hi``, holds anything but
            numbers, gives only one of ``A`` and ``b``, or does not match ``n`` (one line naming
            the file and the key).

        Examples
        --------
        >>> import json, tempfile
        >>> from pathlib import Path
        >>> path = Path(tempfile.mkdtemp()) / "triangle.json"
        >>> _ = path.write_text(json.dumps({"lo": [0, 0], "hi": [1, 1],
        ...                                 "A": [[1, 1]], "b": [1]}))
        >>> d = Domain.from_file(path, n=2)
        >>> d.name, d.is_box, d.A.tolist(), d.b.tolist()
        ('triangle.json', False, [[1.0, 1.0]], [1.0])
        >>> Domain.from_file(path, n=3)                     # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        regioncount.errors.DomainError: ...triangle.json: 'lo' has 2 and 'hi' 2 entries, the model has 3 inputs
        """
        path = Path(path)
        try:
            data = json.loads(path.read_text())
            lo, hi = data["lo"], data["hi"]
        except FileNotFoundError:
            raise DomainError(f"{path}: no such file") from None
        except (json.JSONDecodeError, UnicodeDecodeError) as e:
            raise DomainError(f"{path}: not valid JSON ({e})") from None
        except (KeyError, TypeError):
            raise DomainError(f"{path}: expected a JSON object with lists 'lo' and 'hi'") from None
        except OSError as e:
            raise DomainError(f"{path}: cannot read ({e.strerror or e})") from None
        lo, hi = _numbers(path, "lo", lo).ravel(), _numbers(path, "hi", hi).ravel()
        if n is not None and (lo.size != n or hi.size != n):
            raise DomainError(
                f"{path}: 'lo' has {lo.size} and 'hi' {hi.size} entries, the model has {n} inputs")
        A = data.get("A")
        b = data.get("b")
        if (A is None) != (b is None):
            raise DomainError(f"{path}: give both 'A' and 'b' (half-spaces A x <= b) or neither")
        if A is not None:
            A, b = _numbers(path, "A", A), _numbers(path, "b", b)
            if not (np.all(np.isfinite(A)) and np.all(np.isfinite(b))):
                raise DomainError(f"{path}: 'A' and 'b' must be finite numbers")
        try:
            return cls(lo, hi, A, b, name=path.name)
        except DomainError as e:
            raise DomainError(f"{path}: {e}") from None

    # -- properties ---------------------------------------------------------------------
    @property
    def dim(self) -> int:
        return int(self.lo.size)

    @property
    def center(self) -> np.ndarray:
        return (self.lo + self.hi) / 2

    @property
    def is_box(self) -> bool:
        return self.A is None

    def halfspaces(self) -> tuple[np.ndarray, np.ndarray]:
        """All constraints as ``G x <= h``: the box rows first, then ``A x <= b``.

        Returns
        -------
        G : ndarray of shape (2n + m, n)
        h : ndarray of shape (2n + m,)

        Examples
        --------
        >>> G, h = Domain.box(0, 1, 1).halfspaces()
        >>> G.ravel().tolist(), h.tolist()
        ([1.0, -1.0], [1.0, -0.0])
        """
        n = self.dim
        eye = np.eye(n)
        G = [eye, -eye]
        h = [self.hi, -self.lo]
        if self.A is not None:
            G.append(self.A)
            h.append(self.b)
        return np.vstack(G), np.concatenate(h)

    def contains(self, x: np.ndarray, tol: float = 0.0) -> np.ndarray:
        """Which rows of ``x`` lie in the domain.

        Parameters
        ----------
        x : ndarray of shape (B, n) or (n,)
        tol : float
            Slack allowed on every constraint.

        Returns
        -------
        ndarray of bool, shape (B,)

        Examples
        --------
        >>> Domain.box(0, 1, 2).contains([[0.5, 0.5], [1.5, 0.0]]).tolist()
        [True, False]
        """
        x = np.atleast_2d(x)
        ok = np.all((x >= self.lo - tol) & (x <= self.hi + tol), axis=1)
        if self.A is not None:
            ok &= np.all(x @ self.A.T <= self.b + tol, axis=1)
        return ok

    def sample(self, count: int, rng: np.random.Generator | int | None = None) -> np.ndarray:
        """Uniform random points of the domain (rejection from the box when ``A`` is given).

        Parameters
        ----------
        count : int
        rng : numpy.random.Generator or int, optional
            A generator or a seed.

        Returns
        -------
        ndarray of shape (count, n)

        Raises
        ------
        DomainError
            When no sample hits the polytope (it is empty, or too thin to sample).

        Examples
        --------
        >>> X = Domain.box(0, 1, 2).sample(5, rng=0)
        >>> X.shape, bool(((X >= 0) & (X <= 1)).all())
        ((5, 2), True)
        """
        rng = np.random.default_rng(rng)
        out = []
        have = 0
        tries = 0
        while have < count:
            x = rng.uniform(self.lo, self.hi, size=(max(count, 16), self.dim))
            x = x[self.contains(x)]
            out.append(x)
            have += len(x)
            tries += 1
            if tries > 1000 and have == 0:
                raise DomainError("domain: no sample hit the polytope; is it empty?")
        return np.vstack(out)[:count]

    def to_json(self) -> dict:
        d = {"lo": self.lo.tolist(), "hi": self.hi.tolist()}
        if self.A is not None:
            d["A"] = self.A.tolist()
            d["b"] = self.b.tolist()
        return d
