"""From validated settings to what the core and the shell run on: params, setup and feed."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pyrsistent import pmap

from logos import paths
from logos.config.settings import Settings
from logos.config.validation import DEFAULT_EXCHANGE
from logos.core.state import Params
from logos.core.strategy import Strategy
from logos.core.strategy_params import StrategyError, freeze_params
from logos.core.symbols import SymbolSpec
from logos.extras import missing_extra
from logos.live.report import SEED_SOURCE
from logos.live.runner import SessionError, SessionSetup
from logos.live.session_log import LogChoice

SESSION_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


def default_session_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%d-%H%M%S-paper")


def check_session_id(session_id: str, given_as: str = "--session-id") -> str:
    """Return the id, or refuse one that cannot be a session folder's name (``..``, a path); ``given_as`` names the input."""
    if not SESSION_ID.fullmatch(session_id):
        shown = repr(session_id if len(session_id) <= 70 else session_id[:64] + "...")
        raise SessionError(
            f"{given_as} {shown} is not usable as a folder name; "
            "fix: use letters, digits, '.', '_' or '-' (at most 64, starting with a letter or digit)"
        )
    return session_id


def build_params(settings: Settings, specs: dict[str, SymbolSpec], session_id: str) -> tuple[Params, Strategy]:
    """Return the core's params of validated ``settings`` (``logos.config.validation.validate`` found no
    problem) and the strategy the session runs, loaded and built."""
    from logos.strategy_loader import configured

    try:
        source, strategy = configured(settings.strategy, settings.params, tuple(settings.symbols), settings.home)
    except StrategyError as exc:  # validated a moment ago: its file changed since
        raise SessionError(f"strategy {settings.strategy}: {exc}") from None
    params = Params(
        session_id=session_id,
        seed=settings.seed,
        specs=pmap({s: specs[s] for s in settings.symbols}),
        symbols=tuple(settings.symbols),
        strategy=settings.strategy,
        strategy_params=freeze_params(settings.params),
        strategy_values=strategy.values(),
        strategy_fingerprint=source.fingerprint,
        sizing=settings.sizing,
        sizing_value=settings.sizing_value,
        order_type=settings.order_type,
        limit_offset_bps=settings.limit_offset_bps,
        limit_ttl_bars=settings.limit_ttl_bars,
        fill_at=settings.fill_at,
        slippage_bps=settings.slippage_bps,
        fee_bps=settings.fee_bps,
        volume_share=settings.volume_share,
        initial_cash=settings.initial_cash,
        max_notional=settings.max_notional,
        max_exposure=settings.max_exposure,
        max_position=settings.max_position,
        max_drawdown_bps=settings.max_drawdown_bps,
        drawdown_action=settings.drawdown_action,
        stale_after_s=settings.stale_after_s,
        interval_s=settings.interval_s,
    )
    return params, strategy


SNAPSHOT_EVERY = 5000
SNAPSHOT_EVENTS_PER_SYMBOL = 50


def snapshot_interval(chosen: int | None, symbols: int) -> int:
    """Events between snapshots: the operator's choice, else 5,000, or 50 per symbol when
    that is more. A snapshot holds every symbol's windows, so at thousands of symbols one
    costs a noticeable fraction of a second; spacing them with the symbol count keeps that
    cost per bar flat, and a resume replays at most that many events (a run at a time)."""
    if chosen is not None:
        return chosen
    return max(SNAPSHOT_EVERY, SNAPSHOT_EVENTS_PER_SYMBOL * symbols)


def kill_switch_label(settings: Settings) -> str:
    """The kill-switch path as journaled: relative to home when inside it, so reruns match."""
    path = Path(settings.kill_switch_file)
    try:
        return str(path.relative_to(settings.home))
    except ValueError:
        return str(path)


def build_setup(settings: Settings, specs: dict[str, SymbolSpec], session_id: str, duration_s: int | None = None) -> SessionSetup:
    params, strategy = build_params(settings, specs, session_id)
    return SessionSetup(
        home=settings.home,
        params=params,
        strategy=strategy,
        feed=settings.feed,
        speed=settings.speed,
        snapshot_every=snapshot_interval(settings.snapshot_every, len(settings.symbols)),
        durability=settings.durability,
        kill_switch=kill_switch_label(settings),
        settings={**settings.public_dict(), SEED_SOURCE: settings.origin("seed").source()},
        duration_s=duration_s,
        poll_interval_s=settings.poll_interval_s,
        exchange_id=settings.ccxt_exchange or DEFAULT_EXCHANGE,
        interval=settings.interval,
        request_timeout_s=settings.request_timeout_s,
        ccxt_base_url=settings.ccxt_base_url,
        yfinance_base_url=settings.yfinance_base_url,
        log=log_choice(settings),
    )


def log_choice(settings: Settings) -> LogChoice:
    """Return the session log's level and console copy the settings give, with the secrets it must scrub."""
    return LogChoice(settings.log_level, settings.log_console, settings.secrets())


def build_feed(setup: SessionSetup, seed: int) -> Any:
    """Return the cache feed, or a poller for ``yfinance``/``ccxt`` (imported only then).

    Pollers write through to the home's own cache, never to the bundled fixtures, and keep
    yfinance's own caches under the home too. A poller whose extra is not installed is a
    ``FeedError`` naming it (a resume meets it here).
    """
    from logos.feeds.errors import FeedError
    from logos.feeds.factory import make_feed

    absent = missing_extra(setup.feed, f"feed {setup.feed}") if setup.feed != "cache" else None
    if absent:
        raise FeedError(absent)

    cache = paths.cache_dir(setup.home) if setup.feed == "cache" else paths.data_dir(setup.home) / "cache"
    specs = {s: setup.params.specs[s] for s in setup.params.symbols}
    options: dict[str, Any] = {}
    if setup.feed == "ccxt":
        options = {"base_url": setup.ccxt_base_url, "timeout_s": setup.request_timeout_s}
    elif setup.feed == "yfinance":
        options = {
            "base_url": setup.yfinance_base_url,
            "timeout_s": setup.request_timeout_s,
            "cache_folder": paths.yfinance_cache_dir(setup.home),
        }
    return make_feed(
        setup.feed,
        cache_dir=cache,
        specs=specs,
        seed=seed,
        interval=setup.interval,
        interval_s=setup.params.interval_s,
        exchange_id=setup.exchange_id,
        **options,
    )
