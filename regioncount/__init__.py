"""regioncount: exact analysis of piecewise-linear neural networks.

>>> import regioncount
>>> net = regioncount.load("models/digits_mlp.onnx")          # doctest: +SKIP
>>> net.evaluate(x); net.pattern(x); net.local_affine(x)      # doctest: +SKIP
"""

from __future__ import annotations

import logging

from .domain import Domain
from .errors import DomainError, ModelError, RegioncountError, SolverError
from .network import Network

__version__ = "0.1.0"
__all__ = ["load", "Network", "Domain", "RegioncountError", "ModelError", "DomainError",
           "SolverError", "__version__"]

logging.getLogger(__name__).addHandler(logging.NullHandler())


def load(path, output: str | None = None) -> Network:
    """Read a model file (ONNX, or ``.nnet``) and lower it to the canonical network.

    Parameters
    ----------
    path : str or Path
        The model file.
    output : str, optional
        Name of the graph output to analyse (default: the first).

    Returns
    -------
    Network
    """
    from .io import read_model
    from .lowering import lower

    return lower(read_model(path), output=output)
