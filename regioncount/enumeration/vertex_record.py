"""The record of a vertex count past its memory budget: packed patterns on disk, and the
per-layer counts of a record too large to sort at once.

A vertex count keeps every region's packed pattern until the end, where the per-layer counts
(distinct prefixes of the patterns) are read off one sort (:func:`prefix_counts`). With a
spill directory (``count_vertex(spill_dir=...)``, ``count --spill-dir``) the regions of the
sub-boxes counted to the end leave memory for files there when the record reaches its share of
the budget (:class:`Spill`); the per-layer counts are then taken bucket by bucket
(:func:`distinct_prefixes`): rows with equal prefixes hash to the same bucket, so the distinct
prefixes of the whole record are the sum over buckets of each bucket's, and a bucket is sized to
the memory left. Nothing here is approximate: hashing only decides which pass sees a row.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

import numpy as np

from ..errors import RegioncountError

#: Bytes of the values of one batched operation over rows (hashes, comparisons).
_BLOCK = 32 << 20
#: Bytes a row of a bucket takes beside twice its width (the prefix copied out of a block,
#: then into the bucket's array): :func:`prefix_counts`' order and first-difference arrays (10)
#: and the block's bucket numbers (8); :func:`distinct_rows` adds its class, flag and the
#: indices of np.unique (:data:`_ROW_EXTRA`).
_BUCKET_ROW = 18
_ROW_EXTRA = 24
#: Odd multipliers of the bucket hash, one per pattern byte (any fixed values give exact
#: counts; these spread the buckets evenly).
_MULT = (np.random.default_rng(20231128).integers(1, 2 ** 62, 1 << 12, dtype=np.int64)
         .astype(np.uint64) * np.uint64(2) + np.uint64(1))


def prefix_counts(B: np.ndarray, widths) -> tuple[int, ...]:
    """The number of distinct prefixes of the rows of the uint8 matrix ``B``, for every prefix
    width in ``widths`` (bytes), from one sort of the rows: rows sorted as byte strings keep
    equal prefixes together, so a prefix of width ``w`` is new where two neighbours first
    differ before byte ``w``. Takes 10 bytes a row beside ``B`` (the order and the first
    differing byte of each neighbour pair, computed in blocks)."""
    n = len(B)
    if n == 0:
        return tuple(0 for _ in widths)
    B = np.ascontiguousarray(B)
    order = np.argsort(B.view(np.dtype((np.void, B.shape[1]))).ravel(), kind="stable") \
        if B.shape[1] else np.arange(n)
    first = np.full(n - 1, B.shape[1], np.uint16)
    step = max(1, _BLOCK // max(1, 2 * B.shape[1]))
    for s in range(0, n - 1, step):
        a, b = B[order[s:s + step + 1]][:-1], B[order[s + 1:s + step + 1]]
        diff = a != b
        hit = diff.any(axis=1)
        if hit.any():                   # (rows of no bytes never differ)
            first[s:s + len(b)][hit] = np.argmax(diff[hit], axis=1)
    return tuple(1 + int(np.count_nonzero(first < w)) for w in widths)


def buckets(P: np.ndarray, k: int) -> np.ndarray:
    """The bucket (``0 .. k-1``) of every row of the uint8 matrix ``P``: a function of the
    row's bytes only, so equal rows share a bucket."""
    if k == 1 or P.shape[1] == 0:
        return np.zeros(len(P), np.int64)
    out = np.empty(len(P), np.int64)
    step = max(1, _BLOCK // (8 * P.shape[1]))
    mult = _MULT[np.arange(P.shape[1]) % len(_MULT)]
    for s in range(0, len(P), step):
        h = (P[s:s + step].astype(np.uint64) * mult).sum(axis=1, dtype=np.uint64)
        out[s:s + step] = ((h >> np.uint64(17)) % np.uint64(k)).astype(np.int64)
    return out


def distinct_prefixes(blocks: Callable[[], Iterable[np.ndarray]], rows: int, widths,
                      room: int) -> tuple[int, ...]:
    """:func:`prefix_counts` of the rows of every block ``blocks()`` yields (uint8 matrices
    of one width; ``rows`` in all), in about ``room`` bytes beside the blocks.

    Rows are hashed into buckets by their shortest prefix: rows with equal prefixes of any
    longer width then share a bucket too, so one sort of each bucket gives every width's
    count, and the counts of the buckets add up. A first pass takes the histogram of the hash
    in fine bins, which are packed into buckets that fit (largest first). When one prefix
    holds more rows than a bucket fits, that width is counted on its own (hashed into as many
    buckets as it takes, one pass each) and the next width leads.

    Examples
    --------
    >>> import numpy as np
    >>> B = np.array([[1, 2], [1, 3], [2, 2], [1, 2]], np.uint8)
    >>> distinct_prefixes(lambda: [B[:2], B[2:]], 4, [1, 2], room=1)
    (2, 3)
    >>> distinct_prefixes(lambda: [B[:2], B[2:]], 4, [1, 2], room=10**6)
    (2, 3)
    """
    out: dict = {}
    todo = sorted(set(widths))
    while todo:
        cap = max(1, room // (2 * todo[-1] + _BUCKET_ROW))     # rows of one bucket
        of = _pack_bins(blocks, todo[0], math.ceil(rows / cap), cap)
        if of is not None:
            for b in range(int(of.max(initial=0)) + 1):
                got = prefix_counts(_gather(blocks, todo[0], of, b, todo[-1]), todo)
                for w, n in zip(todo, got):
                    out[w] = out.get(w, 0) + n
            break
        out[todo[0]] = _one_width(blocks, rows, todo[0], room)
        todo.pop(0)
    return tuple(out.get(w, 0) for w in widths)


#: Fine bins of the histogram per bucket (:func:`_pack_bins`).
_BINS_PER_BUCKET = 64


def _pack_bins(blocks, w: int, k: int, cap: int) -> np.ndarray | None:
    """The bucket of every fine bin of the ``w``-byte prefixes' hash, packed largest first
    into buckets of at most ``cap`` rows; None when one bin alone holds more."""
    nb = max(1, k) * _BINS_PER_BUCKET
    hist = np.zeros(nb, np.int64)
    for blk in blocks():
        hist += np.bincount(buckets(blk[:, :w], nb), minlength=nb)
    if hist.max(initial=0) > cap:
        return None
    of, load = np.zeros(nb, np.int64), []
    for i in np.argsort(-hist, kind="stable"):
        if not hist[i]:
            break
        j = next((j for j, x in enumerate(load) if x + hist[i] <= cap), len(load))
        if j == len(load):
            load.append(0)
        load[j] += int(hist[i])
        of[i] = j
    return of


def _gather(blocks, w: int, of: np.ndarray, b: int, wide: int) -> np.ndarray:
    """The ``wide``-byte prefixes of the rows whose ``w``-byte prefix falls in bucket ``b``."""
    parts = [np.ascontiguousarray(blk[:, :wide][of[buckets(blk[:, :w], len(of))] == b])
             for blk in blocks()]
    return np.concatenate(parts) if parts else np.zeros((0, wide), np.uint8)


def _one_width(blocks, rows: int, w: int, room: int) -> int:
    """Distinct ``w``-byte prefixes, hashed into as many buckets as it takes to fit."""
    k = max(1, math.ceil(rows * (2 * w + _BUCKET_ROW) / max(1, room)))
    total = 0
    for b in range(k):
        parts = []
        for blk in blocks():
            P = blk[:, :w]
            parts.append(np.ascontiguousarray(P[buckets(P, k) == b]))
        sub = np.concatenate(parts) if parts else np.zeros((0, w), np.uint8)
        total += prefix_counts(sub, [w])[0]
    return total


def distinct_rows(blocks: Callable[[], Iterable[tuple]], rows: int, width: int,
                  room: int) -> tuple[int, dict, int]:
    """The distinct rows among the blocks ``(B, C, U)`` that ``blocks()`` yields (``B`` uint8
    rows of ``width`` bytes, ``rows`` in all; ``C`` a class and ``U`` a flag per row), counted
    bucket by bucket in about ``room`` bytes: their number, the classes and the number of
    flags of one row per distinct row (the first one ``blocks()`` yields).

    Examples
    --------
    >>> import numpy as np
    >>> B = np.array([[1, 2], [1, 3], [1, 2]], np.uint8)
    >>> C, U = np.array([0, 1, 1]), np.array([False, False, True])
    >>> distinct_rows(lambda: [(B[:2], C[:2], U[:2]), (B[2:], C[2:], U[2:])], 3, 2, room=1)
    (2, {0: 1, 1: 1}, 0)
    """
    k = max(1, math.ceil(rows * (2 * width + _BUCKET_ROW + _ROW_EXTRA) / max(1, room)))
    n, per_class, bad = 0, {}, 0
    for b in range(k):
        parts = []
        for B, C, U in blocks():
            hit = buckets(B, k) == b
            parts.append((np.ascontiguousarray(B[hit]), C[hit], U[hit]))
        if not parts:
            continue
        B = np.concatenate([p[0] for p in parts])
        if not len(B):
            continue
        C = np.concatenate([p[1] for p in parts])
        U = np.concatenate([p[2] for p in parts])
        _, first = np.unique(B.view(np.dtype((np.void, width))).ravel(), return_index=True)
        n += len(first)
        for c, v in zip(*np.unique(C[first], return_counts=True)):
            per_class[int(c)] = per_class.get(int(c), 0) + int(v)
        bad += int(np.count_nonzero(U[first]))
    return n, dict(sorted(per_class.items())), bad


def _write_rows(path: Path, width: int, rows: int, parts: Iterable[np.ndarray]) -> None:
    """An ``.npy`` file of ``rows`` uint8 rows of ``width`` bytes, written part by part and
    synced (a checkpoint may name it as soon as it is written)."""
    with open(path, "wb") as f:
        np.lib.format.write_array_header_1_0(
            f, {"descr": np.lib.format.dtype_to_descr(np.dtype(np.uint8)),
                "fortran_order": False, "shape": (rows, width)})
        for p in parts:
            np.ascontiguousarray(p, np.uint8).tofile(f)
        f.flush()
        os.fsync(f.fileno())


def _rows_of(path: Path, width: int) -> int | None:
    """The rows of an ``.npy`` file of uint8 rows of ``width`` bytes (None: not such a file,
    or shorter than its header says)."""
    try:
        a = np.load(path, mmap_mode="r", allow_pickle=False)
    except (OSError, ValueError):
        return None
    ok = a.dtype == np.uint8 and a.ndim == 2 and a.shape[1] == width
    return int(a.shape[0]) if ok else None


def _read_rows(path: Path, width: int, rows: int, step: int) -> Iterator[np.ndarray]:
    with open(path, "rb") as f:
        np.lib.format.read_magic(f)
        np.lib.format.read_array_header_1_0(f)
        for s in range(0, rows, step):
            m = min(step, rows - s)
            yield np.fromfile(f, np.uint8, m * width).reshape(m, width)


@dataclass
class _File:
    """One file of a :class:`Spill`: ``rows`` packed patterns; ``side``: the classes and
    flags beside flagged patterns (None: the regions cannot repeat, tallied in ``per_class``
    and ``bad``); ``settled``: its sub-boxes were counted to the end."""

    path: Path
    rows: int
    side: Path | None
    settled: bool
    per_class: dict
    bad: int


class Spill:
    """Packed patterns of a vertex count on disk, in a fresh directory inside ``parent``
    (removed by :meth:`close`). The regions that cannot repeat are files of patterns, with
    their output classes and failed certificates tallied as they go; the ones that may repeat
    (flagged: met by several sub-boxes, or several cells of one region) keep their class and
    flag in a file beside the patterns, since which copy counts is decided at the end
    (:func:`distinct_rows`). ``n``: rows written, a repeated region once per copy.

    Files of a sub-box still being counted are written too (not *settled*): :meth:`rollback`
    removes them when the sub-box is cut further, :meth:`settle` keeps them. With
    a checkpoint the directory outlives a stopped count (``keep``): the checkpoint names the
    settled files (:meth:`state`) and a resumed count reopens them (:meth:`reopen`). A worker
    process spills into a directory of its own inside the master's, whose files the master
    takes over (:meth:`export`, :meth:`adopt`)."""

    def __init__(self, parent, width: int, directory=None):
        if directory is None:
            Path(parent).mkdir(parents=True, exist_ok=True)
            directory = tempfile.mkdtemp(prefix="regioncount-record-", dir=parent)
        self.dir = Path(directory)
        self.width = int(width)
        self.files: list[_File] = []
        #: leave the files when the count ends (a checkpoint names them: the count stopped)
        self.keep = False
        #: the count ended complete: a checkpoint written now says the files are gone
        self.finished = False

    # -- tallies ------------------------------------------------------------------------------
    @property
    def n(self) -> int:
        return sum(f.rows for f in self.files)

    @property
    def n_once(self) -> int:
        return sum(f.rows for f in self.files if f.side is None)

    @property
    def once(self) -> list[tuple[Path, int]]:
        return [(f.path, f.rows) for f in self.files if f.side is None]

    @property
    def flagged(self) -> list[tuple[Path, int, Path]]:
        return [(f.path, f.rows, f.side) for f in self.files if f.side is not None]

    @property
    def per_class(self) -> dict[int, int]:
        out: dict[int, int] = {}
        for f in self.files:
            for k, v in f.per_class.items():
                out[k] = out.get(k, 0) + v
        return out

    @property
    def bad(self) -> int:
        return sum(f.bad for f in self.files)

    # -- writing, undoing -----------------------------------------------------------------------
    def _name(self, kind: str) -> Path:
        i = 1 + max((int(f.path.name.split("-")[1][:6]) for f in self.files), default=-1)
        return self.dir / f"{kind}-{i:06d}.npy"

    def write(self, B: list, F: list, C: list, U: list, settled: bool = True) -> None:
        """Append the regions of the chunks ``B`` (packed patterns), ``F``, ``C``, ``U``
        (``settled``: of sub-boxes counted to the end)."""
        rows = sum(int(np.count_nonzero(~f)) for f in F)
        if rows:
            path = self._name("once")
            _write_rows(path, self.width, rows, (b[~f] for b, f in zip(B, F)))
            per_class: dict[int, int] = {}
            for c, f in zip(C, F):
                for k, v in zip(*np.unique(c[~f], return_counts=True)):
                    per_class[int(k)] = per_class.get(int(k), 0) + int(v)
            bad = sum(int(np.count_nonzero(u[~f])) for u, f in zip(U, F))
            self.files.append(_File(path, rows, None, settled, per_class, bad))
        frows = sum(int(np.count_nonzero(f)) for f in F)
        if frows:
            path = self._name("flagged")
            _write_rows(path, self.width, frows, (b[f] for b, f in zip(B, F)))
            side = path.with_name(path.stem + "-cu.npz")
            with open(side, "wb") as out:
                np.savez(out, C=np.concatenate([c[f] for c, f in zip(C, F)]),
                         U=np.concatenate([u[f] for u, f in zip(U, F)]))
                out.flush()
                os.fsync(out.fileno())
            self.files.append(_File(path, frows, side, settled, {}, 0))

    def rollback(self) -> None:
        """Remove the files of the sub-box being counted (the ones not settled)."""
        for f in self.files:
            if not f.settled:
                _unlink(f.path, f.side)
        self.files = [f for f in self.files if f.settled]

    def settle(self) -> None:
        """Every file so far belongs to sub-boxes counted to the end."""
        for f in self.files:
            f.settled = True

    # -- workers -------------------------------------------------------------------------------
    def export(self) -> tuple[str, list]:
        """The directory and files of a worker's spill, for the master (:meth:`adopt`); the
        worker leaves them in place."""
        self.keep = True
        return str(self.dir), [(str(f.path), f.rows, None if f.side is None else str(f.side),
                                f.settled, f.per_class, f.bad) for f in self.files]

    def adopt(self, exported: tuple[str, list], settled_only: bool = False) -> int:
        """Move the files of a worker's spill (:meth:`export`) here, then remove its
        directory; with ``settled_only`` its other files are dropped. Returns the rows
        taken over."""
        folder, files = exported
        rows = 0
        for path, n, side, settled, per_class, bad in files:
            path, side = Path(path), None if side is None else Path(side)
            if settled_only and not settled:
                _unlink(path, side)
                continue
            kind = "once" if side is None else "flagged"
            new = self._name(kind)
            os.replace(path, new)
            new_side = None
            if side is not None:
                new_side = new.with_name(new.stem + "-cu.npz")
                os.replace(side, new_side)
            self.files.append(_File(new, int(n), new_side, bool(settled), dict(per_class),
                                    int(bad)))
            rows += int(n)
        shutil.rmtree(folder, ignore_errors=True)
        return rows

    @staticmethod
    def discard(exported: tuple[str, list]) -> None:
        """Remove the files of a worker's spill (:meth:`export`) the master does not take."""
        shutil.rmtree(exported[0], ignore_errors=True)

    # -- checkpoints ---------------------------------------------------------------------------
    def state(self) -> dict:
        """What a checkpoint keeps of the spill (JSON): the directory and its settled files
        with their rows and tallies."""
        if self.finished:
            return {"removed": True}
        return {"dir": str(self.dir.resolve()),
                "files": [[f.path.name, f.rows, None if f.side is None else f.side.name,
                           [[k, v] for k, v in sorted(f.per_class.items())], f.bad]
                          for f in self.files if f.settled]}

    @classmethod
    def reopen(cls, state, width: int, where) -> "Spill":
        """The spill a checkpoint (``where``: its file, for messages) names, its files checked
        against their rows; files and worker folders written after that checkpoint are
        removed."""
        def bad(what):
            return RegioncountError(f"{where}: its spilled record is damaged or missing ({what})")

        try:
            sp = cls(None, width, directory=state["dir"])
            sp.keep = True                  # a refused checkpoint leaves its files alone
            files = [_File(sp.dir / str(name), int(r), None if side is None else
                           sp.dir / str(side), True, {int(k): int(v) for k, v in pc}, int(nb))
                     for name, r, side, pc, nb in state["files"]]
        except (KeyError, TypeError, ValueError):
            raise bad("the checkpoint's list of files") from None
        if not sp.dir.is_dir():
            raise bad(f"no folder {sp.dir}")
        for f in files:
            if f.path.parent != sp.dir or _rows_of(f.path, sp.width) != f.rows:
                raise bad(f"{f.path.name}")
            if f.side is not None and (f.side.parent != sp.dir or not _side_ok(f.side, f.rows)):
                raise bad(f"{f.side.name}")
        named = {f.path.name for f in files} | {f.side.name for f in files if f.side}
        for f in sp.dir.iterdir():          # written after the checkpoint: not in the count
            if f.is_file() and f.name not in named and _SPILL_FILE.fullmatch(f.name):
                f.unlink()
            elif f.is_dir() and f.name.startswith("regioncount-record-"):
                shutil.rmtree(f, ignore_errors=True)
        sp.files, sp.keep = files, False
        return sp

    # -- reading -------------------------------------------------------------------------------
    def step(self) -> int:
        """Rows of one block of the reads (:data:`_BLOCK` bytes)."""
        return max(1, _BLOCK // max(1, self.width))

    def blocks(self) -> Iterator[np.ndarray]:
        """Every pattern written (read in blocks, not mapped)."""
        for path, rows in self.once:
            yield from _read_rows(path, self.width, rows, self.step())
        for path, rows, _ in self.flagged:
            yield from _read_rows(path, self.width, rows, self.step())

    def flagged_blocks(self) -> Iterator[tuple]:
        """The flagged patterns written, with their classes and flags: ``(B, C, U)``."""
        step = self.step()
        for path, rows, side in self.flagged:
            with np.load(side) as z:
                C, U = z["C"], z["U"]
            for s, B in zip(range(0, rows, step), _read_rows(path, self.width, rows, step)):
                yield B, C[s:s + len(B)], U[s:s + len(B)]

    def close(self) -> None:
        """Remove the directory, unless a checkpoint still needs it (``keep``)."""
        if not self.keep:
            shutil.rmtree(self.dir, ignore_errors=True)

    def __del__(self):
        if os.path.isdir(getattr(self, "dir", "")):
            self.close()


def _unlink(*paths) -> None:
    for p in paths:
        if p is not None:
            Path(p).unlink(missing_ok=True)


#: The names of the files a :class:`Spill` writes.
_SPILL_FILE = re.compile(r"(once|flagged)-\d{6}(\.npy|-cu\.npz)")


def _side_ok(side: Path, rows: int) -> bool:
    """Whether the classes and flags beside ``rows`` flagged patterns are whole."""
    try:
        with np.load(side, allow_pickle=False) as z:
            return z["C"].shape == (rows,) and z["U"].shape == (rows,)
    except (OSError, ValueError, KeyError):
        return False
