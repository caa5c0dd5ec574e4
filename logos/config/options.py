"""The one builder of command-line options for every command that takes settings.

Each setting on the command line becomes one option, with the same name, help, value
shape and panel in every command: ``trade`` takes them all, ``validate-config`` all,
``resume`` and ``adapters check`` the few they honour. The panels group them as an
operator looks for them.
"""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Callable, Iterable
from typing import Any

from logos.config.settings import SETTINGS, SettingSpec

PANELS: dict[str, tuple[str, ...]] = {
    "Strategy": ("symbols", "strategy", "params", "sizing", "sizing_value", "seed"),
    "Execution": ("order_type", "limit_offset_bps", "limit_ttl_bars", "fill_at", "slippage_bps", "fee_bps", "volume_share", "initial_cash", "adapter"),
    "Risk": ("max_notional", "max_exposure", "max_position", "max_drawdown_bps", "drawdown_action", "stale_after_s", "kill_switch_file"),
    "Feed": ("feed", "speed", "interval", "poll_interval_s", "request_timeout_s", "ccxt_base_url", "yfinance_base_url"),
    "Storage": ("home", "config", "snapshot_every", "durability", "log_level", "log_console"),
}
PANEL_OF = {name: panel for panel, names in PANELS.items() for name in names}
_ORDER = {panel: index for index, panel in enumerate(PANELS)}


def setting_options(names: Iterable[str] | None = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Give a typer command one option per command-line setting (all of them, or ``names``).

    The decorated function takes a ``cli`` parameter and receives the options the user gave
    as a mapping for ``load_settings``; its other parameters stay typer parameters. The
    options are plain text here so every value goes through the same parser as the other
    layers and a malformed one becomes a Problem, not a usage error.
    """
    wanted = [s for s in SETTINGS if s.on_cli and (names is None or s.name in set(names))]
    chosen = sorted(wanted, key=lambda spec: _ORDER[PANEL_OF[spec.name]])  # panels in PANELS order

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        hints = typing.get_type_hints(func, include_extras=True)
        own = [
            p.replace(kind=inspect.Parameter.KEYWORD_ONLY, annotation=hints.get(p.name, p.annotation))
            for p in inspect.signature(func).parameters.values()
            if p.name != "cli"
        ]
        added = [inspect.Parameter(s.name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=_option(s)) for s in chosen]

        @functools.wraps(func)
        def command(**kwargs: Any) -> Any:
            cli = {s.name: kwargs.pop(s.name) for s in chosen}
            return func(cli=cli, **kwargs)

        del command.__wrapped__  # typer must see the new signature, not the wrapped one
        command.__signature__ = inspect.Signature(own + added)  # type: ignore[attr-defined]
        command.__annotations__ = {p.name: p.annotation for p in own + added}
        return command

    return decorate


def _option(spec: SettingSpec) -> Any:
    from typing import Annotated, Optional

    import typer

    default = f", default {spec.default}" if spec.default != "" else ""
    # Parentheses, not brackets: typer's help renderer reads brackets as markup.
    text = f"{spec.help} (env {spec.env}{default})"
    value_type = Optional[list[str]] if spec.name == "symbols" else Optional[str]
    option = typer.Option(spec.option, help=text, metavar=spec.kind.metavar, show_default=False, rich_help_panel=PANEL_OF[spec.name])
    return Annotated[value_type, option]
