"""Options and helpers shared by the commands: model loading, the domain, JSON output."""

from __future__ import annotations

import functools
import json
import sys
import time

import click

from regioncount.domain import Domain
from regioncount.results import jsonable


def model_options(f):
    """``MODEL`` argument and ``--output NAME``."""
    f = click.option("--output", "output_name", default=None, metavar="NAME",
                     help="Graph output to analyse (default: the first).")(f)
    f = click.argument("model", type=click.Path(dir_okay=False))(f)
    return f


def domain_options(f):
    """``--box LO,HI``, ``--box-file F.json`` and ``--vnnlib F``."""
    f = click.option("--vnnlib", "vnnlib", type=click.Path(dir_okay=False), default=None,
                     help="Take the input box of a VNN-LIB property.")(f)
    f = click.option("--box-file", "box_file", type=click.Path(dir_okay=False), default=None,
                     help="JSON file with lists 'lo' and 'hi' (C order of the input tensor).")(f)
    f = click.option("--box", "box", default=None, metavar="LO,HI",
                     help="Every input coordinate in [LO, HI] (default 0,1).")(f)
    return f


def json_option(f):
    return click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")(f)


def load_model(model: str, output_name: str | None = None):
    """Load and lower a model; errors are :class:`RegioncountError` with one line."""
    import regioncount

    return regioncount.load(model, output=output_name)


def resolve_domain(n: int, box: str | None = None, box_file: str | None = None,
                   vnnlib: str | None = None) -> Domain:
    """The domain the user asked for, for a network with ``n`` inputs (default [0, 1]^n):
    :func:`regioncount.app.domain_for`, after a usage error when several are given."""
    from regioncount.app import domain_for

    options = (("--box", box), ("--box-file", box_file), ("--vnnlib", vnnlib))
    given = [o for o, v in options if v is not None]     # an empty value is given, and refused
    if len(given) > 1:
        raise click.UsageError(f"give at most one of --box, --box-file, --vnnlib (got {', '.join(given)})")
    return domain_for(n, box, box_file, vnnlib)


def load_problem(model: str, output_name: str | None, box: str | None, box_file: str | None,
                 vnnlib: str | None):
    """``(net, domain)`` of the options :func:`model_options` and :func:`domain_options`
    (the model is read first, so its errors come first)."""
    net = load_model(model, output_name)
    return net, resolve_domain(net.input_size, box, box_file, vnnlib)


def emit(result, as_json: bool, human) -> None:
    """Print ``result`` as one JSON object, or call ``human(result)`` for the human form."""
    if as_json:
        click.echo(json.dumps(jsonable(result)))
    else:
        human(result)


def fmt_int(v) -> str:
    """Thousands separators for integers; '-' for None."""
    return "-" if v is None else f"{v:,}"


def common(f):
    """Model, domain and --json, in that order in --help."""
    @functools.wraps(f)
    def wrapper(*a, **k):
        return f(*a, **k)
    return json_option(domain_options(model_options(wrapper)))


class ProgressLine:
    """Progress of a long count on stderr: one line rewritten in place on a terminal, a new
    line every ``every`` seconds otherwise (logs, CI). ``step(msg)`` prints a step heading.

    Call it with a :class:`regioncount.enumeration.Progress` (``regions``, ``rate``, ``lps``,
    ``depth``, ``seconds``); ``close()`` ends the line.
    """

    def __init__(self, enabled: bool, prefix: str = "", every: float = 10.0):
        self.enabled = enabled
        self.prefix = prefix
        self.every = every
        self.tty = sys.stderr.isatty()
        self.last = 0.0
        self.open = False

    def step(self, msg: str) -> None:
        if self.enabled:
            self.close()
            click.echo(f"{self.prefix}{msg}", err=True)

    def __call__(self, p) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if not self.tty and now - self.last < self.every:
            return
        self.last = now
        rate = getattr(p, "rate", None)
        depth = getattr(p, "depth", None)
        line = (f"  regions {p.regions:,}" + (f"  |  {rate:,.0f}/s" if rate is not None else "")
                + f"  |  LPs {p.lps:,}" + (f"  |  depth {depth}" if depth is not None else "")
                + f"  |  {p.seconds:,.1f} s")
        if self.tty:
            click.echo("\r" + line.ljust(78), err=True, nl=False)
            self.open = True
        else:
            click.echo(line, err=True)

    def close(self) -> None:
        if self.open:
            click.echo("", err=True)
            self.open = False
