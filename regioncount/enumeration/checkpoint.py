"""Checkpoints of the region tree: writing, reading, validating, resuming.

A checkpoint holds data only: it is an ``.npz`` archive of plain numeric arrays, read with
``allow_pickle=False`` (so a checkpoint someone else wrote cannot execute code), and a JSON
header (format version 2)::

    header        uint8: JSON {"format": "regioncount-checkpoint", "version": 2,
                  "fingerprint": sha256 prefix of the network's stages and the domain,
                  "regions", "lps", "per_class", "per_layer", "seconds" (the counters so far),
                  "nodes", "inputs", "units", "patterns": whether patterns are kept}
    node_u        int64 (k,)    units decided at each pending node
    node_r        float64 (k,)  its margin (inf at the root)
    node_x        float64 (k, n) its interior point
    prefix        int32 (sum u)  the decided pattern prefixes, one after the other
    cut_counts    int64 (k,)    how many units cut each node's polytope
    cuts          int64          those units, one node after the other
    patterns      int32 (m, units)  the patterns found so far (only when kept)

It is written to ``<path>.tmp<pid>``, synced, then renamed over ``path``: a crash never leaves
half a file, and a writer killed mid-write leaves only its temporary file, which the next count
with that checkpoint removes (:func:`remove_stale_temporaries`). Every array is checked on
reading (types, shapes, ranges) and every refusal names the file. Resuming thaws every pending
node (its rows are rebuilt from its pattern) and restores the counters, so no region is lost
or counted twice.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import time
import zipfile
from typing import TYPE_CHECKING

import numpy as np

from ..domain import Domain
from ..errors import RegioncountError
from ..network import Network

if TYPE_CHECKING:
    from .search import Counters, Node, Searcher

#: Seconds between two checkpoint writes (when a checkpoint file is given).
CHECKPOINT_EVERY = 10.0
#: The format written and the only one read (1 was a pickle and is refused).
CHECKPOINT_VERSION = 2
#: The ``format`` entry of the header.
CHECKPOINT_FORMAT = "regioncount-checkpoint"
#: The arrays of a checkpoint and the dtype kind each must have (i: integer, f: float, u:
#: unsigned bytes).
ARRAYS = {"header": "u", "node_u": "i", "node_r": "f", "node_x": "f", "prefix": "i",
          "cut_counts": "i", "cuts": "i"}
#: Largest piece index a pattern entry may hold (a max group of this many members).
MAX_PIECE = 2**31 - 1


def fingerprint(net: Network, domain: Domain) -> str:
    """What a checkpoint belongs to: the stages (kinds, sizes, parameters) and the domain."""
    h = hashlib.sha256()
    for s in net.stages:
        h.update(s.kind.encode())
        h.update(str(s.size).encode())
        for name in ("bias", "alpha", "beta", "lo", "hi", "indptr", "indices"):
            v = getattr(s, name, None)
            if v is not None:
                h.update(np.ascontiguousarray(v, dtype=float).tobytes())
        for W in getattr(s, "weights", ()):
            W = W.toarray() if hasattr(W, "toarray") else W
            h.update(np.ascontiguousarray(W, dtype=float).tobytes())
    for v in (domain.lo, domain.hi) + ((domain.A, domain.b) if domain.A is not None else ()):
        h.update(np.ascontiguousarray(v, dtype=float).tobytes())
    return h.hexdigest()[:32]


# -- writing -----------------------------------------------------------------------------------

def _arrays(fp: str, frozen_nodes: list, counters: "Counters", keep_patterns: bool,
            inputs: int, units: int) -> dict:
    """The arrays of a checkpoint (see the module docstring)."""
    k = len(frozen_nodes)
    us = np.array([f[0] for f in frozen_nodes], dtype=np.int64)
    cut_lists = [np.asarray(f[2], dtype=np.int64) for f in frozen_nodes]
    header = {
        "format": CHECKPOINT_FORMAT, "version": CHECKPOINT_VERSION, "fingerprint": fp,
        "regions": int(counters.regions), "lps": int(counters.lps),
        "per_class": {str(int(c)): int(v) for c, v in counters.per_class.items()},
        "per_layer": [int(v) for v in counters.per_layer], "seconds": float(counters.seconds),
        "nodes": k, "inputs": int(inputs), "units": int(units), "patterns": bool(keep_patterns),
    }
    data = {
        "header": np.frombuffer(json.dumps(header).encode(), dtype=np.uint8),
        "node_u": us,
        "node_r": np.array([f[4] for f in frozen_nodes], dtype=np.float64),
        "node_x": np.array([np.asarray(f[3], float) for f in frozen_nodes],
                           dtype=np.float64).reshape(k, inputs),
        "prefix": (np.concatenate([np.asarray(f[1], np.int32) for f in frozen_nodes])
                   if k else np.zeros(0, np.int32)),
        "cut_counts": np.array([c.size for c in cut_lists], dtype=np.int64),
        "cuts": np.concatenate(cut_lists) if k else np.zeros(0, np.int64),
    }
    if keep_patterns:
        data["patterns"] = np.array(counters.patterns, dtype=np.int32).reshape(-1, units)
    return data


def write_checkpoint(path, fp: str, frozen_nodes: list, counters: "Counters",
                     keep_patterns: bool, inputs: int, units: int) -> None:
    """Write the pending ``frozen_nodes`` and the ``counters`` to ``path`` atomically
    (``inputs``: the network's input size, ``units``: its PWL units)."""
    save_atomic(path, _arrays(fp, frozen_nodes, counters, keep_patterns, inputs, units))


def save_atomic(path, data: dict) -> None:
    """Write the arrays ``data`` as an ``.npz`` archive at ``path``: to a temporary file,
    synced, then renamed over ``path`` (see the module docstring)."""
    tmp = f"{path}.tmp{os.getpid()}"
    try:
        with open(tmp, "wb") as f:
            np.savez(f, **data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as e:
        raise RegioncountError(f"{path}: cannot write the checkpoint ({e.strerror or e})") from None
    finally:
        if os.path.exists(tmp):     # an error or an interrupt mid-write: no stray file
            try:
                os.remove(tmp)
            except OSError:
                pass
    _sync_folder(path)


def _sync_folder(path) -> None:
    """Make the rename durable (best effort: not every system can sync a folder)."""
    try:
        fd = os.open(os.path.dirname(os.path.abspath(path)), os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def remove_stale_temporaries(path) -> list[str]:
    """Remove ``<path>.tmp<pid>`` files left by writers that were killed mid-write (their
    process is gone); returns the removed paths."""
    removed = []
    for tmp in glob.glob(glob.escape(str(path)) + ".tmp*"):
        suffix = tmp[len(str(path)) + 4:]
        if suffix.isdigit() and int(suffix) != os.getpid() and not _alive(int(suffix)):
            try:
                os.remove(tmp)
                removed.append(tmp)
            except OSError:
                pass
    return removed


def check_writable(path) -> None:
    """Refuse, before any work, a checkpoint whose folder does not exist or is not writable."""
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder) or not os.access(folder, os.W_OK):
        raise RegioncountError(f"{path}: cannot write the checkpoint there "
                               "(no such folder, or not writable)")


# -- reading -----------------------------------------------------------------------------------

def load_arrays(path) -> dict:
    """The arrays of the file, loaded without pickles; one-line errors naming the file."""
    try:
        z = np.load(path, allow_pickle=False)
        if not isinstance(z, np.lib.npyio.NpzFile):
            raise ValueError("a single array")
        with z:
            return {k: z[k] for k in z.files}
    except FileNotFoundError:
        raise RegioncountError(f"{path}: no such checkpoint file") from None
    except IsADirectoryError:
        raise RegioncountError(f"{path}: is a folder, not a checkpoint file") from None
    except (ValueError, OSError, EOFError, zipfile.BadZipFile, KeyError, MemoryError) as e:
        why = "it holds pickled objects (an old or foreign file)" if "pickle" in str(e) \
            else type(e).__name__
        raise RegioncountError(f"{path}: not a regioncount checkpoint ({why})") from None


#: The ``format`` entry of each kind of checkpoint -> the count method that writes it.
FORMATS = {CHECKPOINT_FORMAT: "tree", "regioncount-vertex-checkpoint": "vertex"}


def read_header(path, data: dict, fmt: str = CHECKPOINT_FORMAT,
                version: int = CHECKPOINT_VERSION) -> dict:
    """The JSON header of a loaded checkpoint, refused unless it is of format ``fmt`` (a
    checkpoint of the other count method is named as such) and version ``version``."""
    try:
        h = json.loads(bytes(np.asarray(data["header"], dtype=np.uint8)).decode())
    except (KeyError, ValueError, UnicodeDecodeError):
        raise RegioncountError(f"{path}: not a regioncount checkpoint (no readable header)") \
            from None
    got = h.get("format") if isinstance(h, dict) else None
    if got in FORMATS and got != fmt:
        raise RegioncountError(f"{path}: a checkpoint of --method {FORMATS[got]}; resume it "
                               f"with that method")
    if got != fmt:
        raise RegioncountError(f"{path}: not a regioncount checkpoint")
    if h.get("version") != version:
        raise RegioncountError(f"{path}: checkpoint format version {h.get('version')!r}; this "
                               f"regioncount reads version {version}")
    return h


def _counters_ok(h: dict) -> bool:
    def nonneg_int(v):
        return isinstance(v, int) and not isinstance(v, bool) and v >= 0

    pc = h.get("per_class")
    return (nonneg_int(h.get("regions")) and nonneg_int(h.get("lps"))
            and isinstance(pc, dict) and all(k.lstrip("-").isdigit() and nonneg_int(v)
                                             for k, v in pc.items())
            and isinstance(h.get("per_layer"), list)
            and all(nonneg_int(v) for v in h["per_layer"])
            and isinstance(h.get("seconds"), (int, float)) and h["seconds"] >= 0
            and nonneg_int(h.get("nodes")) and isinstance(h.get("patterns"), bool))


def _check_arrays(path, data: dict, h: dict, inputs: int, units: int) -> None:
    """Types, shapes and ranges of every array against the header and the network."""
    def bad(what):
        return RegioncountError(f"{path}: damaged checkpoint ({what})")

    for name, kind in ARRAYS.items():
        if name not in data:
            raise bad(f"no array '{name}'")
        if data[name].dtype.kind not in (kind, "u" if kind == "i" else kind):
            raise bad(f"array '{name}' has type {data[name].dtype}")
    k = h["nodes"]
    us, r, x = data["node_u"], data["node_r"], data["node_x"]
    counts, cuts, prefix = data["cut_counts"], data["cuts"], data["prefix"]
    if us.shape != (k,) or r.shape != (k,) or counts.shape != (k,) or x.shape != (k, inputs):
        raise bad("the pending nodes' arrays do not have one row per node")
    if np.any(us < 0) or np.any(us > units) or prefix.shape != (int(us.sum()),):
        raise bad("pattern prefixes out of range")
    if np.any(prefix < 0) or np.any(prefix > MAX_PIECE):
        raise bad("a pattern entry is not a piece index")
    if np.any(counts < 0) or cuts.shape != (int(counts.sum()),):
        raise bad("cut units out of range")
    owner = np.repeat(us, counts)
    if np.any(cuts < 0) or np.any(cuts >= owner):
        raise bad("a cut unit is not among the decided units")
    if not np.all(np.isfinite(x)) or np.any(np.isnan(r)) or np.any(r <= 0):
        raise bad("a pending node has no interior point")
    if h["patterns"]:
        p = data.get("patterns")
        if p is None or p.dtype.kind not in "iu" or p.ndim != 2 or p.shape[1] != units:
            raise bad("the patterns array does not fit the network")


def read_checkpoint(path, fp: str, inputs: int, units: int) -> dict:
    """The checkpoint at ``path`` for a network of ``inputs`` inputs and ``units`` PWL units,
    refused unless it has this version and fingerprint ``fp`` and every array checks out.

    Returns
    -------
    dict
        ``stack`` (frozen nodes), ``regions``, ``lps``, ``per_class``, ``per_layer``,
        ``seconds`` and ``patterns`` (a list of arrays, or None when not kept).
    """
    data = load_arrays(path)
    h = read_header(path, data)
    if h.get("fingerprint") != fp:
        raise RegioncountError(f"{path}: checkpoint was written for another network or domain")
    if not _counters_ok(h) or h.get("inputs") != inputs or h.get("units") != units:
        raise RegioncountError(f"{path}: damaged checkpoint (counters do not fit the network)")
    _check_arrays(path, data, h, inputs, units)
    # (unsigned arrays pass the checks; numpy would sum uint64 with int64 into floats)
    us, counts = data["node_u"].astype(np.int64), data["cut_counts"].astype(np.int64)
    starts = np.concatenate([[0], np.cumsum(us)])
    cstarts = np.concatenate([[0], np.cumsum(counts)])
    stack = [(int(u), data["prefix"][starts[i]:starts[i + 1]].astype(np.int32),
              tuple(int(c) for c in data["cuts"][cstarts[i]:cstarts[i + 1]]),
              data["node_x"][i].astype(float), float(data["node_r"][i]))
             for i, u in enumerate(us)]
    patterns = list(data["patterns"].astype(np.int32)) if h["patterns"] else None
    return {"stack": stack, "regions": h["regions"], "lps": h["lps"],
            "per_class": {int(c): v for c, v in h["per_class"].items()},
            "per_layer": list(h["per_layer"]), "seconds": float(h["seconds"]),
            "patterns": patterns}


class Checkpoint:
    """The checkpoint file of one count: where, for which network and domain, how often.

    Parameters
    ----------
    path : path
    net, domain
        What the count counts (their :func:`fingerprint` is written and checked).
    keep_patterns : bool
        Whether the count keeps patterns (they are then written, and needed to resume).
    every : float
        Seconds between two periodic writes (:meth:`due`).
    """

    def __init__(self, path, net: Network, domain: Domain, *, keep_patterns: bool = False,
                 every: float = CHECKPOINT_EVERY):
        self.path = path
        self.fingerprint = fingerprint(net, domain)
        self.keep_patterns = keep_patterns
        self.every = every
        self.inputs = int(net.input_size)
        self.units = int(sum(s.size for s in net.pwl_stages))
        self.last = time.monotonic()
        remove_stale_temporaries(path)

    def check_writable(self) -> None:
        """Refuse, before any work, a folder that does not exist or is not writable."""
        check_writable(self.path)

    def mark(self) -> None:
        """Start the period of :meth:`due` now."""
        self.last = time.monotonic()

    def due(self) -> bool:
        """Has a period passed since the last write (or :meth:`mark`)?"""
        return time.monotonic() - self.last >= self.every

    def write(self, frozen_nodes: list, counters: "Counters") -> None:
        write_checkpoint(self.path, self.fingerprint, frozen_nodes, counters, self.keep_patterns,
                         self.inputs, self.units)
        self.mark()

    def resume(self, searcher: "Searcher") -> tuple[list["Node"], float]:
        """Restore the counters of ``searcher`` from the file and rebuild its pending nodes;
        returns ``(stack, seconds already spent)``."""
        data = read_checkpoint(self.path, self.fingerprint, self.inputs, self.units)
        if self.keep_patterns and data["patterns"] is None:
            raise RegioncountError(f"{self.path}: written without patterns; "
                                   "resume without them")
        try:
            stack = [searcher.thaw(f) for f in data["stack"]]
        except RegioncountError as e:
            raise RegioncountError(f"{self.path}: {e}") from None
        except (IndexError, ValueError, KeyError) as e:
            raise RegioncountError(f"{self.path}: damaged checkpoint (a pending node does not "
                                   f"fit the network: {type(e).__name__})") from None
        c = searcher.counters
        c.regions, c.lps = data["regions"], data["lps"]
        c.per_class = dict(data["per_class"])
        c.per_layer = list(data["per_layer"])
        if self.keep_patterns:
            c.patterns = data["patterns"]
        return stack, data["seconds"]
