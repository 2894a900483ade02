"""Exact enumeration of activation regions: the LP region tree (default), the MILP baseline with
no-good cuts, and exact 1-D / 2-D slices. See docs/count.md."""

from .results import CountResult, Progress, split_pattern
from .tree import count_tree

__all__ = ["CountResult", "Progress", "count_tree", "split_pattern"]
