"""Options and helpers shared by the commands: model loading, the domain, JSON output."""

from __future__ import annotations

import functools
import json
import sys
import time

import click
from click.core import ParameterSource

from regioncount.domain import Domain
from regioncount.results import jsonable


def output_name_options(what: str = "analyse", refuse_suffixes: tuple = ()):
    """``--output-name NAME`` (the graph output) and its deprecated spelling ``--output NAME``.

    The command receives one ``output_name``. ``--output`` still works, with a one-line
    deprecation warning on stderr; a value ending in one of ``refuse_suffixes`` is refused (on
    ``report``, ``--output out.html`` means a file, and the file is ``-o``).
    """
    def decorate(f):
        @functools.wraps(f)
        def wrapper(*a, output_name=None, output_deprecated=None, **k):
            name = pick_output_name(output_name, output_deprecated, refuse_suffixes)
            return f(*a, output_name=name, **k)

        wrapper = click.option(
            "--output", "output_deprecated", default=None, metavar="NAME",
            help="Deprecated spelling of --output-name (prints a warning).")(wrapper)
        return click.option("--output-name", "output_name", default=None, metavar="NAME",
                            help=f"Graph output to {what} (default: the first).")(wrapper)
    return decorate


def pick_output_name(name: str | None, deprecated: str | None, refuse_suffixes: tuple = ()):
    """The graph output of ``--output-name`` or of the deprecated ``--output`` (warned)."""
    if deprecated is None:
        return name
    from pathlib import Path

    if Path(deprecated).suffix.lower() in refuse_suffixes:
        raise click.UsageError(f"--output {deprecated}: --output is the deprecated spelling of "
                               f"--output-name (a graph output), not the file; write the file "
                               f"with -o {deprecated}")
    if name is not None:
        raise click.UsageError("give --output-name, or its deprecated spelling --output, not both")
    click.echo(f"regioncount: warning: --output NAME is deprecated; use --output-name {deprecated}",
               err=True)
    return deprecated


def model_options(f):
    """``MODEL`` argument and ``--output-name NAME`` (deprecated spelling ``--output``)."""
    f = output_name_options()(f)
    f = click.argument("model", type=click.Path(dir_okay=False))(f)
    return f


def given_options(*names: str) -> list[str]:
    """The flags (``--time-limit``) of the parameters ``names`` that the user gave on the
    command line rather than left at their defaults, in the order of ``names``."""
    ctx = click.get_current_context()
    flags = {p.name: max(p.opts, key=len) for p in ctx.command.params}
    unset = (None, ParameterSource.DEFAULT, ParameterSource.DEFAULT_MAP)
    return [flags[n] for n in names if ctx.get_parameter_source(n) not in unset]


def refuse_options(names, why: str) -> None:
    """A usage error when any of the parameters ``names`` was given: the options do not
    apply, and ``why`` says so (never a silently ignored option)."""
    got = given_options(*names)
    if got:
        raise click.UsageError(f"{', '.join(got)}: {why}")


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


def write_out(out_path: str, text: str) -> bool:
    """Write a report's ``text`` to ``out_path`` (``-``: stdout); True when a file was
    written. An unwritable path is a one-line error."""
    from pathlib import Path

    from regioncount.errors import RegioncountError

    if out_path == "-":
        click.echo(text, nl=not text.endswith("\n"))
        return False
    try:
        Path(out_path).write_text(text, encoding="utf-8")
    except OSError as e:
        raise RegioncountError(f"{out_path}: cannot write the report ({e.strerror})") from None
    return True


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
