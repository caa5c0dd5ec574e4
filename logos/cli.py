"""The ``logos`` command line: a thin typer app that hands each command to one function."""

from __future__ import annotations

import typer

from logos.adapters.cli import adapters_app, validate_config_command

app = typer.Typer(
    name="logos",
    help="Deterministic paper-trading execution engine.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(adapters_app, name="adapters")
app.command("validate-config")(validate_config_command)


def main() -> None:
    app()
