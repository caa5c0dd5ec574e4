"""Alpaca dry-run check: read the paper account and build (never submit) a sample order.

The trading client is wrapped at once in a read-only view that forwards ``get_account``
only; ``submit_order`` and every other order call are unreachable from here. Live trading
is out of scope, so the client is always built with ``paper=True``.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from logos.adapters.errors import detail, is_network_error
from logos.adapters.health import BadInput, HealthReport, Unhealthy
from logos.adapters.readonly import ALPACA_READ_ONLY, read_only
from logos.config.secrets import scrubbed_vendor_logs
from logos.config.settings import SPECS, Problem, Settings, how_to_set
from logos.core.symbols import SymbolSpec

ALPACA_SETTINGS = ("alpaca_key_id", "alpaca_secret_key", "alpaca_paper", "symbols")
DEFAULT_SAMPLE = "SPY"
PAPER_ACCOUNT_URL = "https://paper-api.alpaca.markets/v2/account"


def new_trading_client(key_id: str, secret_key: str) -> Any:
    """Build alpaca-py's paper ``TradingClient``."""
    from alpaca.trading.client import TradingClient

    return TradingClient(key_id, secret_key, paper=True)


def credential_problems(settings: Settings) -> list[Problem]:
    """Return what is missing or unsafe in the Alpaca settings, without any request."""
    problems = [p for p in settings.problems if p.setting in ALPACA_SETTINGS]
    for name in ("alpaca_key_id", "alpaca_secret_key"):
        if getattr(settings, name) is None and not any(p.setting == name for p in problems):
            problems.append(Problem(name, f"not set; fix: {how_to_set(SPECS[name])} to your paper account's key"))
    key = settings.alpaca_key_id
    if key is not None:
        if key.reveal().startswith("AK"):
            problems.append(Problem("alpaca_key_id", f"{key.hint} looks like a live-trading key (AK...); fix: use a paper key (PK...) from the paper dashboard"))
        elif not key.reveal().isalnum():
            problems.append(Problem("alpaca_key_id", f"{key.hint} is not an Alpaca key id (letters and digits only); fix: copy the key id again"))
    if not settings.alpaca_paper:
        spec = SPECS["alpaca_paper"]
        problems.append(Problem("alpaca_paper", f"false asks for live trading, which is out of scope; fix: {settings.origin(spec.name).how_to_fix(spec)} to true or remove it"))
    return problems


def check_alpaca(settings: Settings, specs: dict[str, SymbolSpec]) -> HealthReport:
    """Run the dry-run check; raise ``BadInput`` (nothing contacted) or ``Unhealthy``."""
    problems = credential_problems(settings)
    key, secret = settings.alpaca_key_id, settings.alpaca_secret_key
    if problems or key is None or secret is None:  # a missing key is among the problems
        raise BadInput(problems)
    secrets = settings.secrets()
    with scrubbed_vendor_logs(secrets):
        client = read_only(new_trading_client(key.reveal(), secret.reveal()), ALPACA_READ_ONLY, "alpaca")
        try:
            account = client.get_account()
        except Exception as exc:  # a vendor failure is reported, never a traceback
            raise _unhealthy(exc, secrets) from None
    return _report(account, settings, specs)


def _unhealthy(exc: Exception, secrets: Any) -> Unhealthy:
    if is_network_error(exc):
        return Unhealthy(f"alpaca: could not reach the paper API ({detail(exc, secrets)}); fix: check the network and try again")
    status = getattr(exc, "status_code", None)
    if status in (401, 403):
        return Unhealthy(f"alpaca: the paper API rejected the credentials (HTTP {status}); fix: check ALPACA_KEY_ID and ALPACA_SECRET_KEY are paper keys")
    return Unhealthy(f"alpaca: reading the account failed ({detail(exc, secrets)})")


def _report(account: Any, settings: Settings, specs: dict[str, SymbolSpec]) -> HealthReport:
    report = HealthReport("alpaca")
    status = getattr(account.status, "value", str(account.status))
    report.row("endpoint", "paper")
    report.row("key id", str(settings.alpaca_key_id))  # a Secret prints as its hint
    report.row("account", str(status))
    report.row("buying power", _rounded(account.buying_power))
    if str(status) != "ACTIVE":
        report.fail(f"account status is {status}, not ACTIVE")
    for flag in ("trading_blocked", "account_blocked", "trade_suspended_by_user"):
        if getattr(account, flag, False):
            report.fail(f"account has {flag} set")
    symbol, qty = sample_order(settings, specs)
    try:
        request = build_sample_request(symbol, qty)
    except Exception as exc:  # pydantic ValidationError: the request itself is malformed
        report.fail(f"sample order for {symbol} is not a valid Alpaca request ({detail(exc, ())})")
    else:
        report.row("sample order", f"{request.side.value} {request.qty:g} {request.symbol} {request.type.value} {request.time_in_force.value} (built, not submitted)")
    report.row("orders sent", "0 (dry-run: no order method is reachable)")
    return report


def _rounded(value: Any) -> str:
    try:
        return f"{Decimal(str(value)).quantize(Decimal(1)):,}"
    except (InvalidOperation, ValueError):
        return "unknown"


def sample_order(settings: Settings, specs: dict[str, SymbolSpec]) -> tuple[str, Decimal]:
    """Return the first configured equity symbol and its lot, else ``SPY`` and 1 share."""
    for symbol in settings.symbols:
        spec = specs.get(symbol)
        if spec is not None and spec.asset_class == "equity":
            return symbol, spec.lot_size
    return DEFAULT_SAMPLE, Decimal(1)


def build_sample_request(symbol: str, qty: Decimal) -> Any:
    """Build (and so validate) a market order request; nothing here can submit it."""
    from alpaca.trading.enums import OrderSide, TimeInForce
    from alpaca.trading.requests import MarketOrderRequest

    return MarketOrderRequest(symbol=symbol, qty=qty, side=OrderSide.BUY, time_in_force=TimeInForce.DAY)
