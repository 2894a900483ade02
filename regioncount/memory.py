"""The memory budget: big allocations are estimated first and refused past a limit.

A hostile or mistaken model (an input declared with 10^9 entries, a 10^5 x 10^5 convolution)
or architecture (``bounds --arch 100000000,100000000,100000000``) would otherwise run for
seconds or hours and end in a ``MemoryError``, or get the process killed. Every allocation
that grows with the model's sizes (the lowering's matrices and index arrays, dense products,
the region tree's affine maps, the tables of the bound recursions) first calls
:func:`check_memory` with an estimate of its bytes; past :func:`memory_limit` it raises
:class:`~regioncount.errors.ResourceError` with the estimate, and the CLI prints one line and
exits 2.

The limit is :data:`DEFAULT_MEMORY_LIMIT`, or the environment variable
``REGIONCOUNT_MEMORY_LIMIT`` (bytes, or with a suffix K, M, G, T: ``64G``, ``512M``).

Examples
--------
>>> parse_size("16G") == 16 * 2**30, parse_size("1500")
(True, 1500)
>>> check_memory(10**6, "a small table")       # fine: returns None
>>> try:
...     check_memory(10**15, "a huge table", limit=2**30)
... except ResourceError as e:
...     print(str(e)[:76])
a huge table would need about 909 TiB of memory, above the limit of 1 GiB (s
"""

from __future__ import annotations

import os

from .errors import RegioncountError, ResourceError  # noqa: F401 (ResourceError: doctest)

#: The environment variable that overrides :data:`DEFAULT_MEMORY_LIMIT`.
ENV_VAR = "REGIONCOUNT_MEMORY_LIMIT"

#: Bytes one estimated allocation may take by default: 8 GiB. Every shared model (CIFAR-sized
#: convolutions included) lowers with estimates below 100 MiB, so this leaves two orders of
#: magnitude for real models while a model that would exhaust a 16 GiB laptop is refused in
#: milliseconds instead of swapping or ending in MemoryError. Raise it with ``ENV_VAR``.
DEFAULT_MEMORY_LIMIT = 8 * 2**30

_UNITS = {"": 1, "B": 1, "K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}


def parse_size(text: str) -> int:
    """Bytes of ``"123"``, ``"512M"``, ``"16G"``, ``"1.5T"`` (binary units; a trailing ``B`` or
    ``iB`` is allowed)."""
    t = str(text).strip().upper().removesuffix("IB").removesuffix("B")
    unit = t[-1:] if t[-1:] in _UNITS else ""
    try:
        value = float(t[: len(t) - len(unit)])
    except ValueError:
        raise RegioncountError(f"{ENV_VAR}={text!r}: expected a size such as 64G or 512M") from None
    if not value > 0 or value == float("inf"):
        raise RegioncountError(f"{ENV_VAR}={text!r}: the limit must be a positive size")
    return int(value * _UNITS[unit])


def memory_limit() -> int:
    """Bytes one allocation may take: ``$REGIONCOUNT_MEMORY_LIMIT`` or the default."""
    env = os.environ.get(ENV_VAR)
    return DEFAULT_MEMORY_LIMIT if not env else parse_size(env)


def format_bytes(n: float) -> str:
    """``n`` bytes in binary units with three significant digits (``"74.5 GiB"``)."""
    n = float(n)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if n < 1024:
            return f"{n:.3g} {unit}" if unit != "B" else f"{int(n)} B"
        n /= 1024
    return f"{n:,.0f} EiB"


def check_memory(nbytes: float, what: str, limit: int | None = None) -> None:
    """Refuse an allocation of about ``nbytes`` bytes for ``what`` when it is above the limit.

    Raises
    ------
    ResourceError
        With the estimate, the limit and how to raise it.
    """
    limit = memory_limit() if limit is None else limit
    if nbytes > limit:
        raise ResourceError(f"{what} would need about {format_bytes(nbytes)} of memory, above the "
                            f"limit of {format_bytes(limit)} (set {ENV_VAR}, e.g. "
                            f"{ENV_VAR}=64G, to raise it)")
