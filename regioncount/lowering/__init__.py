"""Lowering: layer graph -> canonical :class:`~regioncount.network.Network` (see docs/lowering.md)."""

from .linear import LinearValue
from .lower import LOWERERS, SQUASHING, lower

__all__ = ["lower", "LinearValue", "LOWERERS", "SQUASHING"]
