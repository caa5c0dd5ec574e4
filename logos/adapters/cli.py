"""CLI commands for configuration validation and adapter dry-runs.

Exit codes: 0 fine; 1 an adapter was unreachable or unhealthy; 2 bad input (a malformed or
unsafe setting, missing credentials, no ``--dry-run``, the IB stub). Every line printed
passes through ``scrub`` with the configured secrets, so a key never reaches the terminal.

typer builds these commands on every ``logos`` run, ``trade`` included, so this module
imports only what their signatures need; the health-check types, the IB stub text, the
symbol table and the validator are imported in the commands that use them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any

import typer

from logos import output
from logos.config.options import setting_options
from logos.config.secrets import scrub
from logos.config.settings import Settings, load_settings
from logos.extras import missing_extra
from logos.output import JsonFlag

if TYPE_CHECKING:
    from logos.adapters.health import HealthReport
    from logos.core.symbols import SymbolSpec

adapters_app = typer.Typer(help="Check broker adapters in dry-run mode (never sends an order).", no_args_is_help=True)
check_app = typer.Typer(help="Dry-run health check of one adapter: credentials, metadata, a sample order built but never sent.", no_args_is_help=True)
adapters_app.add_typer(check_app, name="check")

DryRun = Annotated[bool, typer.Option("--dry-run", help="Required: check without sending any order (the only mode in scope).")]
_CHECK_SETTINGS = ("home", "config", "symbols")


@setting_options()
def validate_config_command(cli: dict[str, Any], json_output: JsonFlag = False) -> None:
    """Validate the configuration and print every problem found (exit 2 if any).

    Runs the checks `logos trade` runs before it writes anything, so a configuration this
    accepts starts a session. With --adapter ccxt or alpaca the adapter's credentials are
    checked too (offline).
    """
    # imported here: only `validate-config` runs the validator from this module (`trade`
    # imports it in its own body); keeps `resume` and `--help` startup short
    from logos.adapters.checks import VENUES
    from logos.adapters.health import EXIT_BAD_INPUT
    from logos.config.validation import validate

    settings = load_settings(cli)
    findings = validate(settings, VENUES)
    secrets = settings.secrets()
    warnings = output.listed(findings.warnings)
    if findings.problems:
        message = f"{len(findings.problems)} configuration problem(s); fix them and run `logos validate-config` again"
        lines = findings.lines() + [message]
        raise output.error(message, EXIT_BAD_INPUT, lines=lines, secrets=secrets, problems=output.listed(findings.problems), warnings=warnings)

    def as_text() -> None:
        for line in findings.lines() + _summary(settings):
            _say(line, settings, err=line.startswith("warning:"))

    output.show(lambda: {"warnings": warnings, "settings": settings.public_dict()}, as_text, secrets=secrets)


def _summary(settings: Settings) -> list[str]:
    risk = (
        f"max_notional {settings.max_notional}, max_exposure {settings.max_exposure}, max_position {settings.max_position}, "
        f"max_drawdown_bps {settings.max_drawdown_bps} ({settings.drawdown_action})"
    )
    return [
        "configuration OK",
        f"  home         {settings.home}",
        f"  config       {settings.config or '(none)'}",
        f"  symbols      {', '.join(settings.symbols)} (feed {settings.feed})",
        f"  strategy     {settings.strategy} {settings.public_dict()['params']}",
        f"  risk         {risk}",
        f"  kill switch  {settings.kill_switch_file}",
        f"  seed         {settings.seed} (from {settings.origin('seed').source()}; written into session.md)",
        f"  adapter      {settings.adapter}",
    ]


@check_app.command("ccxt")
@setting_options(_CHECK_SETTINGS)
def check_ccxt_command(cli: dict[str, Any], dry_run: DryRun = False) -> None:
    """Check the CCXT adapter: credentials, sandbox, markets, a sample order's precision and limits.

    Reads CCXT_EXCHANGE, CCXT_API_KEY, CCXT_API_SECRET, CCXT_PASSWORD and CCXT_SANDBOX.
    The sample order uses the first crypto symbol configured (default BTC/USDT).
    """
    from logos.adapters.ccxt_check import check_ccxt

    _run_check("ccxt", cli, dry_run, check_ccxt)


@check_app.command("alpaca")
@setting_options(_CHECK_SETTINGS)
def check_alpaca_command(cli: dict[str, Any], dry_run: DryRun = False) -> None:
    """Check the Alpaca adapter: paper account status, buying power, a sample order request.

    Reads ALPACA_KEY_ID and ALPACA_SECRET_KEY.
    The sample order uses the first equity symbol configured (default SPY); it is built, never submitted.
    """
    from logos.adapters.alpaca_check import check_alpaca

    _run_check("alpaca", cli, dry_run, check_alpaca)


@check_app.command("ib")
def check_ib_command(dry_run: DryRun = False) -> None:
    """Explain the Interactive Brokers adapter: a documented stub (always exits 2)."""
    # imported here: only `adapters check ib` prints the stub text; keeps `trade` startup short
    from logos.adapters.health import EXIT_BAD_INPUT
    from logos.adapters.ib import IB_STUB_LINES

    for line in IB_STUB_LINES:
        typer.echo(line)
    raise typer.Exit(code=EXIT_BAD_INPUT)


def _run_check(name: str, cli: dict[str, Any], dry_run: bool, check: Callable[[Settings, dict[str, SymbolSpec]], HealthReport]) -> None:
    # imported here: only the adapter checks need the health-check types and the symbol
    # table; keeps `trade` / `resume` startup short
    from logos.adapters.health import EXIT_BAD_INPUT, EXIT_UNHEALTHY, BadInput, Unhealthy
    from logos.config.symbols import SymbolTableError, load_symbol_table

    if not dry_run:
        typer.echo(f"refusing: `logos adapters check {name}` runs only with --dry-run (live order paths are out of scope); rerun with --dry-run", err=True)
        raise typer.Exit(code=EXIT_BAD_INPUT)
    absent = missing_extra(name, f"`logos adapters check {name}`")
    if absent:
        typer.echo(f"error: {absent}", err=True)
        raise typer.Exit(code=EXIT_BAD_INPUT)
    settings = load_settings(cli)
    try:
        specs = load_symbol_table(settings.home)
        report = check(settings, specs)
    except SymbolTableError as exc:
        _say(f"symbols: {exc}", settings, err=True)
        raise typer.Exit(code=EXIT_BAD_INPUT) from None
    except BadInput as exc:
        for problem in exc.problems:
            _say(str(problem), settings)
        _say(f"{name}: {len(exc.problems)} configuration problem(s); nothing was contacted", settings, err=True)
        raise typer.Exit(code=EXIT_BAD_INPUT) from None
    except Unhealthy as exc:
        _say(exc.line, settings, err=True)
        raise typer.Exit(code=EXIT_UNHEALTHY) from None
    for line in report.lines():
        _say(line, settings)
    if not report.healthy:
        raise typer.Exit(code=EXIT_UNHEALTHY)


def _say(line: str, settings: Settings, *, err: bool = False) -> None:
    typer.echo(scrub(line, settings.secrets()), err=err)
