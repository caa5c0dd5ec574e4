"""The ``logos`` command line: a thin typer app that hands each command to one function.

typer builds every command on every run, so the modules imported here hold only the command
signatures and what ``trade`` / ``resume`` need; each other command imports its own
machinery when it runs (see logos.live.cli and logos.adapters.cli).
"""

from __future__ import annotations

import gc
import logging
import os
import sys
from typing import Annotated

import typer

from logos import output
from logos.adapters.cli import adapters_app, validate_config_command
from logos.live import cli as live
from logos.live.strategies_cli import strategies_app
from logos.report.cli import report
from logos.version import __version__

app = typer.Typer(
    name="logos",
    help="Deterministic paper-trading execution engine.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _print_version(wanted: bool) -> None:
    if wanted:
        typer.echo(f"logos {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", help="Print the Logos version and exit.", is_eager=True, callback=_print_version)] = False,
) -> None:
    """Deterministic paper-trading execution engine."""
    output.reset()  # a command's --json decides; nothing left from an earlier run in this process


app.command("trade", cls=output.JsonCommand)(live.trade)
app.command("resume", cls=output.JsonCommand)(live.resume)
app.command("status", cls=output.JsonCommand)(live.status)
app.command("stop")(live.stop_session)
app.command("rehearse")(live.rehearse)
app.add_typer(live.sessions_app, name="sessions")
app.add_typer(strategies_app, name="strategies")
app.command("report")(report)
app.command("diagram")(live.diagram)
app.command("validate-config", cls=output.JsonCommand)(validate_config_command)
app.add_typer(adapters_app, name="adapters")


# Unloading these at interpreter exit takes about a second (measured 0.9-1.2 s), which would
# make a polled session's kill-switch halt exit late; by the time the command returns, every
# file the session writes is closed and fsync'd, and no helper thread writes any.
_SLOW_TO_UNLOAD = ("ccxt", "yfinance", "curl_cffi")


# The cyclic collector's default first generation (700 objects) fills every few bars of a
# many-symbol replay with records that live until their symbol's next bar and hold no
# cycles; it promotes them, then scans them again for nothing: 3% of a 500-symbol session's
# instructions. A larger first generation lets them die before any scan; cycles (an
# exception's traceback) are still collected.
GC_THRESHOLDS = (20_000, 20, 20)


def main() -> None:
    """Run the command; after a polled session, exit without tearing the interpreter down."""
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        app()
    except SystemExit as exc:
        if not any(name in sys.modules for name in _SLOW_TO_UNLOAD):
            raise
        code = exc.code
        if code is not None and not isinstance(code, int):
            print(code, file=sys.stderr)
            code = 1
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code or 0)
