"""The heap of a counting process: what the process holds now, and the freed memory it gives
back to the system.

A long vertex count allocates and frees arrays of every size. glibc raises its mmap threshold
each time a block it mapped is freed (up to 32 MiB); arrays below the threshold then come from
the heap, which keeps their freed space. The resident memory of a count so grew far past what
it held: the workers of a 2 GiB moonshot run held 0.9 to 1.2 GB each for a share of 683 MiB.
:func:`trim_heap`, called every :data:`TRIM_EVERY` seconds by the count, hands the free pages
back. (Fixing the threshold at 1 MiB instead made the count about 40% slower: every array of a
pass was mapped and faulted in anew, 130,000 page faults a second per worker.)
"""

from __future__ import annotations

import ctypes
import os
import sys

#: Seconds between two trims of the heap during a count.
TRIM_EVERY = 1.0


def _glibc():
    if not sys.platform.startswith("linux"):
        return None
    try:
        lib = ctypes.CDLL(None)
        lib.malloc_trim.argtypes = [ctypes.c_size_t]
        return lib
    except (OSError, AttributeError):       # no malloc_trim: not glibc
        return None


_LIBC = _glibc()


def trim_heap() -> bool:
    """Give the heap's free pages back to the system (glibc's ``malloc_trim``; elsewhere
    nothing). Returns whether memory was released."""
    return bool(_LIBC.malloc_trim(0)) if _LIBC is not None else False


def resident_bytes(pid: int | str = "self") -> int | None:
    """The resident memory now of process ``pid`` (default: this one; Linux), or None where it
    cannot be read."""
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


__all__ = ["TRIM_EVERY", "resident_bytes", "trim_heap"]
