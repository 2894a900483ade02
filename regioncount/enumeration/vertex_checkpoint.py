"""Checkpoints of the vertex method: the sub-boxes left and the regions of the finished ones.

Sub-boxes are the unit of a vertex count's checkpoints, as they are of its progress and its
parallel work (:mod:`.vertex`). A checkpoint holds the sub-boxes not yet counted and the record
of every sub-box counted to the end (with a spill directory, partly in the files it names, which
stay until the count finishes); the regions a stopped sub-box had found are left out (the
sub-box is counted again on resume), so no region is lost or counted twice. Regions met by
several sub-boxes are counted once on resume as in one run: the patterns that may repeat
(``F``) rebuild the set they go through.

The file is data only, like the region tree's (:mod:`.checkpoint`, same atomic write, no
pickles), in its own format::

    header     uint8: JSON {"format": "regioncount-vertex-checkpoint", "version": 1,
               "fingerprint", "inputs", "pattern_bytes", "points": whether points are kept,
               "seconds", "cells", "splits", "lps", "slivers", "subboxes", "boxes", "regions",
               "spill": null, or the files of the record's part on disk (a folder and, per
               file, its name and rows; :meth:`.vertex_record.Spill.state`)}
    box_lo, box_hi  float64 (k, inputs)  the sub-boxes left, unit-cube coordinates
    box_depth       int64 (k,)           their bisection depth
    B               uint8 (n, pattern_bytes)  packed patterns of the regions found
    F, U            bool (n,)            may repeat / certificate did not reproduce the pattern
    C               int32 (n,)           output argmax at the certificate
    X, M            float64 (n, inputs), (n,)  certificates and margins (only with points)
"""

from __future__ import annotations

import json
import time

import numpy as np

from ..domain import Domain
from ..errors import RegioncountError
from ..network import Network
from .checkpoint import (CHECKPOINT_EVERY, check_writable, fingerprint, load_arrays,
                         read_header, remove_stale_temporaries, save_atomic)

FORMAT = "regioncount-vertex-checkpoint"
VERSION = 1
#: The counters of a vertex count kept in the header.
COUNTERS = ("cells", "splits", "lps", "slivers", "subboxes")
#: Bisections of a sub-box at most (as :data:`.vertex.MAX_SUBBOX_DEPTH`; checked on reading).
MAX_DEPTH = 64


class VertexCheckpoint:
    """The checkpoint file of one vertex count (``net``, ``domain``: what it counts)."""

    def __init__(self, path, net: Network, domain: Domain, pattern_bytes: int, *,
                 keep_points: bool = False, every: float = CHECKPOINT_EVERY,
                 resume: bool = False):
        self.path, self.every = path, every
        self.fingerprint = fingerprint(net, domain)
        self.inputs, self.pattern_bytes = int(net.input_size), int(pattern_bytes)
        self.keep_points = keep_points
        self.outputs = int(net.output_size)
        self.last = time.monotonic()
        remove_stale_temporaries(path)
        if not resume:
            check_writable(path)

    def due(self) -> bool:
        return time.monotonic() - self.last >= self.every

    def write(self, count, boxes: list, seconds: float) -> None:
        """Write the sub-boxes ``boxes`` (``(lo, hi, depth)``) left by ``count`` and its
        settled record (:meth:`.vertex._Store.arrays`)."""
        rec = count.store.arrays(settled=True)
        k = len(boxes)
        h = {"format": FORMAT, "version": VERSION, "fingerprint": self.fingerprint,
             "inputs": self.inputs, "pattern_bytes": self.pattern_bytes,
             "points": bool(self.keep_points), "seconds": float(seconds),
             "boxes": k, "regions": int(len(rec["B"])),
             "spill": None if count.store.disk is None else count.store.disk.state()}
        h.update({c: int(getattr(count, c)) for c in COUNTERS})
        d = self.inputs
        data = {"header": np.frombuffer(json.dumps(h).encode(), dtype=np.uint8),
                "box_lo": np.array([b[0] for b in boxes], float).reshape(k, d),
                "box_hi": np.array([b[1] for b in boxes], float).reshape(k, d),
                "box_depth": np.array([b[2] for b in boxes], np.int64).reshape(k)}
        data.update({f: rec[f] for f in ("B", "F", "U", "C")})
        if self.keep_points:
            data.update(X=rec["X"], M=rec["M"])
        save_atomic(self.path, data)
        self.last = time.monotonic()

    def read(self) -> tuple[dict, list, dict]:
        """``(record, boxes, header)`` of the file, every array checked; refused (one line
        naming the file) unless it was written for this network, domain and options."""
        data = load_arrays(self.path)
        h = read_header(self.path, data, FORMAT, VERSION)
        if h.get("fingerprint") != self.fingerprint:
            raise RegioncountError(f"{self.path}: checkpoint was written for another network "
                                   "or domain")
        if self.keep_points and not h.get("points"):
            raise RegioncountError(f"{self.path}: written without points and patterns; "
                                   "resume without them")
        _check(self.path, data, h, self.inputs, self.pattern_bytes, self.outputs)
        rec = {f: data[f] for f in ("B", "F", "U", "C")}
        n = len(rec["B"])
        rec["X"] = data["X"] if h["points"] else np.full((n, self.inputs), np.nan)
        rec["M"] = data["M"] if h["points"] else np.full(n, np.nan)
        boxes = [(lo, hi, int(dp)) for lo, hi, dp in
                 zip(data["box_lo"], data["box_hi"], data["box_depth"])]
        return rec, boxes, h


def _check(path, data: dict, h: dict, d: int, pb: int, outputs: int) -> None:
    """Types, shapes and ranges of every array against the header and the network."""
    def bad(what):
        return RegioncountError(f"{path}: damaged checkpoint ({what})")

    def count_ok(v):
        return isinstance(v, int) and not isinstance(v, bool) and v >= 0

    if not all(count_ok(h.get(c)) for c in COUNTERS + ("boxes", "regions")) or \
            not isinstance(h.get("seconds"), (int, float)) or not h["seconds"] >= 0 or \
            h.get("inputs") != d or h.get("pattern_bytes") != pb:
        raise bad("counters do not fit the network")
    k, n = h["boxes"], h["regions"]
    shapes = {"box_lo": ((k, d), "f"), "box_hi": ((k, d), "f"), "box_depth": ((k,), "i"),
              "B": ((n, pb), "u"), "F": ((n,), "b"), "U": ((n,), "b"), "C": ((n,), "i")}
    if h.get("points"):
        shapes.update(X=((n, d), "f"), M=((n,), "f"))
    for name, (shape, kind) in shapes.items():
        a = data.get(name)
        if a is None or a.shape != shape or a.dtype.kind != kind:
            raise bad(f"array '{name}' missing or not of shape {shape}")
    lo, hi = data["box_lo"], data["box_hi"]
    if not (np.all(np.isfinite(lo)) and np.all(np.isfinite(hi)) and np.all(lo >= 0)
            and np.all(hi <= 1) and np.all(lo < hi)):
        raise bad("a sub-box is not inside the domain")
    if np.any(data["box_depth"] < 0) or np.any(data["box_depth"] > MAX_DEPTH):
        raise bad("a sub-box depth out of range")
    if np.any(data["C"] < 0) or np.any(data["C"] >= max(outputs, 1)):
        raise bad("an output class out of range")
