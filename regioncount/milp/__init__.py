"""MILP formulations of piecewise-linear networks, bound tightening and exact queries.

- :mod:`.model`: :class:`MilpModel`, :class:`ModelBuilder` (backend-neutral model).
- :mod:`.formulation`: :func:`encode` (big-M encoding, margin for positive-volume regions).
- :mod:`.tighten`: :func:`tighten` (interval, LP and MILP bound tightening; stable units).
- :mod:`.range`: :func:`output_range` (exact min and max of each output).

Solvers live in :mod:`regioncount.backends`.
"""

from .formulation import MARGIN_BOUND, Encoding, encode
from .model import MilpModel, ModelBuilder

__all__ = ["MARGIN_BOUND", "Encoding", "MilpModel", "ModelBuilder", "encode"]
