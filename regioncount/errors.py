"""Errors that the CLI turns into one clear line and a non-zero exit."""

from __future__ import annotations


class RegioncountError(Exception):
    """Any error the user can act on. ``str(err)`` is one line."""


class ModelError(RegioncountError):
    """A model file that cannot be read or lowered exactly.

    The message names the file, the node (when there is one) and the reason::

        model.onnx: node 'conv3' (Conv): group 3 does not divide 16 input channels
    """

    def __init__(self, path, reason: str, node: str | None = None, op: str | None = None):
        self.path = str(path) if path is not None else "<model>"
        self.node = node
        self.op = op
        self.reason = printable(" ".join(str(reason).split()))
        where = ""
        if node is not None:
            where = f" node '{printable(node)}'" + (f" ({printable(op)})" if op else "") + ":"
        super().__init__(f"{self.path}:{where} {self.reason}")


def printable(text: str) -> str:
    """``text`` with every character that is not printable escaped (``\\n``, ``\\x1b``): names
    read from a model file must not break the one-line error or drive the terminal.

    >>> printable("Max\\nPool\\x1b[2J")
    'Max\\\\nPool\\\\x1b[2J'
    """
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(text))


class DomainError(RegioncountError):
    """An input domain that does not fit the model or is empty."""


class SolverError(RegioncountError):
    """A solver that is missing, or that failed in a way the user must hear about."""


class ResourceError(RegioncountError):
    """Work that would need more memory than the budget of :mod:`regioncount.memory` (the
    message gives the estimate and how to raise the limit)."""
