"""Input domains: a box ``lo <= x <= hi``, optionally cut by ``A x <= b``.

Coordinates are in the C order of the model's input tensor without its batch dimension.
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
    lo, hi : ndarray of shape (n,)
        Box bounds; every region count is relative to a bounded domain.
    A, b : ndarray of shape (m, n) and (m,), optional
        Extra half-spaces.

    Examples
    --------
    >>> d = Domain.box(0.0, 1.0, 3)
    >>> d.dim, d.center.tolist()
    (3, [0.5, 0.5, 0.5])
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
        """A box; scalars ``lo``, ``hi`` are broadcast to ``n`` coordinates."""
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
        """Parse ``"LO,HI"`` (the ``--box`` option) for ``n`` inputs."""
        try:
            lo_s, hi_s = spec.split(",")
            lo, hi = float(lo_s), float(hi_s)
        except ValueError:
            raise DomainError(f"--box: expected LO,HI (two numbers), got {spec!r}") from None
        return cls.box(lo, hi, n)

    @classmethod
    def from_file(cls, path, n: int | None = None) -> "Domain":
        """Read a JSON file with lists ``lo`` and ``hi`` (and optionally ``A``, ``b``)."""
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
        """All constraints as ``G x <= h``: the box rows first, then ``A x <= b``."""
        n = self.dim
        eye = np.eye(n)
        G = [eye, -eye]
        h = [self.hi, -self.lo]
        if self.A is not None:
            G.append(self.A)
            h.append(self.b)
        return np.vstack(G), np.concatenate(h)

    def contains(self, x: np.ndarray, tol: float = 0.0) -> np.ndarray:
        """Boolean mask of the rows of ``x`` (shape (B, n)) that lie in the domain."""
        x = np.atleast_2d(x)
        ok = np.all((x >= self.lo - tol) & (x <= self.hi + tol), axis=1)
        if self.A is not None:
            ok &= np.all(x @ self.A.T <= self.b + tol, axis=1)
        return ok

    def sample(self, count: int, rng: np.random.Generator | int | None = None) -> np.ndarray:
        """Uniform samples in the domain (rejection from the box when ``A`` is given)."""
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
