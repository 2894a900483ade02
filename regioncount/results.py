"""Plain-data results: frozen dataclasses that turn into JSON.

Every command returns one of these; ``to_json`` gives the object the CLI prints with
``--json``. Numpy scalars and arrays become Python numbers and lists; Python integers stay
exact (bounds can exceed 2**64).
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np


def jsonable(obj: Any) -> Any:
    """Recursively convert dataclasses, numpy values, tuples and dicts to JSON types.

    Non-finite floats become ``None`` (JSON has no infinity).

    >>> jsonable({"a": np.int64(3), "b": (np.float32(0.5), float("inf"))})
    {'a': 3, 'b': [0.5, None]}
    """
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        if hasattr(obj, "to_json"):
            return obj.to_json()
        return {f.name: jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return jsonable(obj.tolist())
    if isinstance(obj, (bool, np.bool_)):
        return bool(obj)
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        f = float(obj)
        return f if math.isfinite(f) else None
    return obj
