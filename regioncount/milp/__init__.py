"""MILP formulations of piecewise-linear networks, bound tightening and exact queries.

- :mod:`.model`: :class:`MilpModel`, :class:`ModelBuilder` (backend-neutral model).
- :mod:`.formulation`: :func:`encode` (big-M encoding, margin for positive-volume regions).
- :mod:`regioncount.milp.tighten`: :func:`tighten` (interval, LP and MILP bound tightening;
  stable units), with its results :class:`Tightening` and :class:`StageStability`.
- :mod:`.range`: :func:`output_range` (exact min and max of each output).

Solvers live in :mod:`regioncount.backends`.

The front doors are functions of the package: ``from regioncount.milp import tighten`` gives
the function :func:`tighten` (the attribute ``regioncount.milp.tighten`` is the function, not
its module). The module stays importable as ``from regioncount.milp.tighten import ...`` or
``importlib.import_module("regioncount.milp.tighten")``.

Examples
--------
>>> import numpy as np
>>> from regioncount import Domain, Network
>>> from regioncount.milp import output_range, tighten
>>> net = Network.from_layers([(np.array([[1.0], [-1.0]]), np.zeros(2))],
...                           final=(np.array([[1.0, 1.0]]), np.array([-0.5])))   # |x| - 0.5
>>> t = tighten(net, Domain.box(-1, 1, 1), method="lp")
>>> t.method, t.stable_count()
('lp', 0)
>>> r = output_range(net, Domain.box(-1, 2, 1))
>>> round(r.outputs[0].min, 6), round(r.outputs[0].max, 6)
(-0.5, 1.5)
"""

from .formulation import MARGIN_BOUND, Encoding, encode
from .model import MilpModel, ModelBuilder
from .range import OutputRange, RangeResult, output_range
# Importing the submodule binds the package attribute ``tighten`` to the module; the next line
# rebinds it to the function (the submodule stays in ``sys.modules``).
from .tighten import StageStability, Tightening, tighten

__all__ = ["MARGIN_BOUND", "Encoding", "MilpModel", "ModelBuilder", "encode", "tighten",
           "Tightening", "StageStability", "output_range", "OutputRange", "RangeResult"]
