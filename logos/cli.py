"""The ``logos`` command line: a thin typer app that hands each command to one function.

typer builds every command on every run, so the modules imported here hold only the command
signatures and what ``trade`` / ``resume`` need; each other command imports its own
machinery when it runs (see logos.live.cli and logos.adapters.cli).
"""

from __future__ import annotations

import typer

from logos.adapters.cli import adapters_app, validate_config_command
from logos.live import cli as live

app = typer.Typer(
    name="logos",
    help="Deterministic paper-trading execution engine.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("trade")(live.trade)
app.command("resume")(live.resume)
app.command("rehearse")(live.rehearse)
app.add_typer(live.sessions_app, name="sessions")
app.command("diagram")(live.diagram)
app.command("validate-config")(validate_config_command)
app.add_typer(adapters_app, name="adapters")


def main() -> None:
    app()
