"""One option builder: every command that takes a setting offers it the same way."""

from __future__ import annotations

import typer.main

from logos.cli import app
from logos.config.options import PANEL_OF, PANELS
from logos.config.settings import SETTINGS

ON_CLI = [spec for spec in SETTINGS if spec.on_cli]


def _options(*path: str) -> dict[str, tuple[str | None, str | None, str | None]]:
    command = typer.main.get_command(app)
    for name in path:
        command = command.commands[name]  # type: ignore[attr-defined]
    return {
        opt: (param.help, param.metavar, getattr(param, "rich_help_panel", None))
        for param in command.params
        for opt in param.opts
    }


def test_every_command_line_setting_sits_in_exactly_one_panel() -> None:
    placed = [name for names in PANELS.values() for name in names]
    assert sorted(placed) == sorted(spec.name for spec in ON_CLI)
    assert set(PANEL_OF.values()) >= {"Risk", "Execution", "Feed", "Storage"}


def test_trade_and_validate_config_offer_every_setting_with_the_same_help_shape_and_panel() -> None:
    trade, check = _options("trade"), _options("validate-config")
    for spec in ON_CLI:
        assert spec.option in trade, spec.option
        assert trade[spec.option] == check[spec.option], spec.option
        assert trade[spec.option][2] == PANEL_OF[spec.name]
        assert spec.help in (trade[spec.option][0] or "")


def test_commands_that_take_a_few_settings_offer_them_as_trade_does() -> None:
    # (resume's own --speed overrides the stored speed; it is not the setting, so no panel)
    trade = _options("trade")
    for path in (("resume",), ("adapters", "check", "ccxt"), ("adapters", "check", "alpaca")):
        offered = _options(*path)
        shared = [spec.option for spec in ON_CLI if offered.get(spec.option, (None, None, None))[2] is not None]
        assert shared, path
        assert all(offered[option] == trade[option] for option in shared), path
