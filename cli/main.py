"""Entry point of the ``regioncount`` command.

Commands live in their own modules and are registered in :data:`COMMANDS`, an explicit dict
from command name to ``(module, attribute)``; a module is imported only when its command runs,
so ``regioncount inspect`` does not pay for importing the solvers.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys

import click

from regioncount import __version__
from regioncount.errors import RegioncountError

#: Decimal digits Python may convert an int to (its default, 4300, is below the bounds of any
#: network with more than 14,000 units; bounds print exactly in --json up to
#: ``bounds_cmd.JSON_DIGITS``).
INT_DIGITS = 1_000_000

#: name -> (module, attribute, one-line help)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "inspect": ("regioncount.cli.inspect_cmd", "inspect", "Show the layer graph and the lowered network."),
    "check": ("regioncount.cli.check_cmd", "check", "Compare the lowered network with onnxruntime."),
    "bounds": ("regioncount.cli.bounds_cmd", "bounds", "Analytic bounds on the number of regions."),
    "build": ("regioncount.cli.build_cmd", "build", "Build networks (max-regions constructions)."),
    "count": ("regioncount.cli.count_cmd", "count", "Count activation regions exactly (region tree, MILP, slices)."),
    "report": ("regioncount.cli.report_cmd", "report", "Bound-comparison report (HTML / Markdown / JSON), or the bound sweep."),
    "stable": ("regioncount.cli.stable_cmd", "stable", "Stably active / inactive units per layer (interval, LP, MILP)."),
    "range": ("regioncount.cli.range_cmd", "range_", "Exact minimum and maximum of each output over the domain (MILP)."),
    "dcf-norms": ("regioncount.cli.dcf_cmd", "dcf_norms", "Operator norms and bounds of the (DCF) convolution layers."),
    "dcf-sweep": ("regioncount.cli.dcfsweep_cmd", "dcf_sweep", "Regions of DCF networks against K next to the plain CNN (table and report)."),
    "explain": ("regioncount.cli.explain_cmd", "explain_", "Saliency, DeconvNet and guided-backprop maps of an input."),
    "equivariance": ("regioncount.cli.equivariance_cmd", "equivariance", "Is the model invariant or equivariant under p4 / p4m / c4 / d4?"),
    "estimate": ("regioncount.cli.estimate_cmd", "estimate", "Lower bounds, estimates and brackets past exact counting."),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx):
        return sorted(COMMANDS)

    def get_command(self, ctx, name):
        if name not in COMMANDS:
            return None
        module, attr, _ = COMMANDS[name]
        return getattr(importlib.import_module(module), attr)

    def format_commands(self, ctx, formatter):
        rows = [(name, COMMANDS[name][2]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="regioncount")
@click.option("-v", "--verbose", count=True, help="More log output on stderr (-vv for debug).")
def cli(verbose):
    """Exact analysis of piecewise-linear (ReLU, maxout) neural networks."""
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s: %(message)s", stream=sys.stderr,
                        force=True)
    logging.captureWarnings(True)
    if 0 < sys.get_int_max_str_digits() < INT_DIGITS:
        sys.set_int_max_str_digits(INT_DIGITS)


def main(argv=None) -> None:
    """Run the CLI; user errors become one line on stderr and exit code 2."""
    try:
        cli.main(args=argv, prog_name="regioncount", standalone_mode=False)
    except click.exceptions.Exit as e:
        sys.exit(e.exit_code)
    except click.exceptions.Abort:
        click.echo("regioncount: aborted", err=True)
        sys.exit(130)
    except click.ClickException as e:
        e.show()
        sys.exit(e.exit_code)
    except RegioncountError as e:
        click.echo(f"regioncount: error: {e}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        click.echo("regioncount: interrupted", err=True)
        sys.exit(130)
    except Exception as e:  # never a traceback for the user; REGIONCOUNT_DEBUG=1 shows it
        if os.environ.get("REGIONCOUNT_DEBUG"):
            raise
        msg = " ".join(str(e).split()) or type(e).__name__
        click.echo(f"regioncount: internal error: {type(e).__name__}: {msg} "
                   "(set REGIONCOUNT_DEBUG=1 for the traceback)", err=True)
        sys.exit(3)
    sys.exit(0)


if __name__ == "__main__":  # pragma: no cover
    main()
