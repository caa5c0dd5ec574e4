"""CCXT dry-run check: credentials, sandbox, market metadata and a sample order's rules.

The check builds the exchange, wraps it at once in a read-only view (no order method is
reachable), and then only reads: ``load_markets``, ``fetch_balance`` (proves the keys are
accepted), ``fetch_ticker`` (a price to size the sample order). ccxt hands metadata back as
binary floats; they are converted once, through their shortest text, into Decimals.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from logos.adapters.errors import detail, is_network_error
from logos.adapters.health import BadInput, HealthReport, Unhealthy
from logos.adapters.readonly import CCXT_READ_ONLY, read_only
from logos.config.secrets import scrubbed_vendor_logs
from logos.config.settings import SPECS, Problem, Settings, how_to_set
from logos.core.intents import OrderIntent
from logos.core.money import ceil_to_step, round_to_step
from logos.core.symbols import SymbolSpec

CCXT_SETTINGS = ("ccxt_exchange", "ccxt_api_key", "ccxt_api_secret", "ccxt_password", "ccxt_sandbox", "symbols")
DEFAULT_SAMPLE = "BTC/USDT"
# ccxt credential attribute -> the setting that supplies it
_CREDENTIALS = {"apiKey": "ccxt_api_key", "secret": "ccxt_api_secret", "password": "ccxt_password"}


def new_exchange(exchange_id: str, config: dict[str, Any]) -> Any:
    """Build a ccxt exchange; the one seam tests replace with a stand-in."""
    import ccxt

    return getattr(ccxt, exchange_id)(config)


def known_exchange(exchange_id: str) -> bool:
    import ccxt

    return exchange_id in ccxt.exchanges


def unknown_exchange(settings: Settings, exchange_id: str) -> list[Problem]:
    """Return a problem if ccxt has no exchange ``exchange_id``."""
    if known_exchange(exchange_id):
        return []
    spec = SPECS["ccxt_exchange"]
    fix = settings.origin(spec.name).how_to_fix(spec)
    return [Problem(spec.name, f"{exchange_id!r} is not a ccxt exchange; fix: {fix} to an id from ccxt.exchanges such as binance, kraken or okx")]


def prepare(settings: Settings) -> tuple[Any, list[Problem], list[str]]:
    """Build the read-only exchange offline; return it, the problems found, and notes.

    Nothing here touches the network: a wrong exchange id, a missing key, an exchange
    without a sandbox or one that needs a password are all caught before any request.
    """
    problems = [p for p in settings.problems if p.setting in CCXT_SETTINGS]
    exchange_id = settings.ccxt_exchange
    if exchange_id is None:
        problems.append(_missing("ccxt_exchange", "a ccxt exchange id such as binance"))
    else:
        problems += unknown_exchange(settings, exchange_id)
    for name in ("ccxt_api_key", "ccxt_api_secret"):
        if getattr(settings, name) is None and not any(p.setting == name for p in problems):
            problems.append(_missing(name, "the key your exchange issued (sandbox keys for a sandbox)"))
    key, secret = settings.ccxt_api_key, settings.ccxt_api_secret
    if problems or exchange_id is None or key is None or secret is None:  # a missing key is among the problems
        return None, problems, []

    config: dict[str, Any] = {"apiKey": key.reveal(), "secret": secret.reveal(), "enableRateLimit": True}
    if settings.ccxt_password is not None:
        config["password"] = settings.ccxt_password.reveal()
    exchange = read_only(new_exchange(exchange_id, config), CCXT_READ_ONLY, exchange_id)
    notes: list[str] = []
    if settings.ccxt_sandbox:
        try:
            exchange.set_sandbox_mode(True)
        except Exception:  # ccxt raises NotSupported, or TypeError where 'test' is None
            spec = SPECS["ccxt_sandbox"]
            problems.append(Problem(spec.name, f"{exchange_id} has no sandbox/testnet in ccxt; fix: {settings.origin(spec.name).how_to_fix(spec)} to false to check the production API with read-only calls, or choose an exchange with a testnet such as binance"))
    else:
        notes.append("sandbox off: production endpoint, read-only calls only")
    if not exchange.check_required_credentials(False):
        problems += _missing_credentials(exchange_id, exchange.requiredCredentials, settings)
    return exchange, problems, notes


def _missing(name: str, expect: str) -> Problem:
    spec = SPECS[name]
    return Problem(name, f"not set; fix: {how_to_set(spec)} to {expect}")


def _missing_credentials(exchange_id: str, required: dict[str, bool], settings: Settings) -> list[Problem]:
    problems = []
    for credential, needed in required.items():
        if not needed:
            continue
        setting = _CREDENTIALS.get(credential)
        if setting is None:
            problems.append(Problem("ccxt_exchange", f"{exchange_id} requires the {credential!r} credential, which Logos does not pass; fix: choose another exchange"))
        elif getattr(settings, setting) is None:
            what = "a password (API passphrase)" if credential == "password" else f"the {credential!r} credential"
            problems.append(Problem(setting, f"{exchange_id} requires {what}; fix: {how_to_set(SPECS[setting])} to the value shown when the API key was created"))
    return problems


def check_ccxt(settings: Settings, specs: dict[str, SymbolSpec]) -> HealthReport:
    """Run the dry-run check; raise ``BadInput`` (nothing contacted) or ``Unhealthy``."""
    with scrubbed_vendor_logs(settings.secrets()):
        exchange, problems, notes = prepare(settings)
        if problems:
            raise BadInput(problems)
        return _check(exchange, settings, specs, notes)


def _check(exchange: Any, settings: Settings, specs: dict[str, SymbolSpec], notes: list[str]) -> HealthReport:
    secrets = settings.secrets()
    name = exchange.id
    report = HealthReport("ccxt")
    report.row("exchange", f"{name} ({'sandbox' if settings.ccxt_sandbox else 'production'})")
    for note in notes:
        report.row("note", note)
    report.row("api key", str(settings.ccxt_api_key))  # a Secret prints as its hint
    report.row("credentials", f"present ({', '.join(k for k, v in exchange.requiredCredentials.items() if v)})")

    markets = _call(exchange.load_markets, f"load {name}'s markets", name, secrets)
    report.row("markets", f"{len(markets)} loaded")
    _call(exchange.fetch_balance, "read the balance", name, secrets)
    report.row("keys", "accepted (balance readable)")

    symbol = sample_symbol(settings, specs)
    if symbol not in markets:
        report.fail(f"{symbol} is not listed on {name}; fix: choose a symbol the exchange lists, e.g. {DEFAULT_SAMPLE}")
        return report
    ticker = _call(lambda: exchange.fetch_ticker(symbol), f"read the {symbol} ticker", name, secrets)
    price = _first_price(ticker)
    if price is None:
        report.fail(f"{name} returned no price for {symbol}; the sample order cannot be sized")
        return report
    market = exchange.markets[symbol]
    intent = sample_intent(symbol, specs.get(symbol), market, price)
    report.row("sample order", f"{intent.side} {intent.qty} {symbol} {intent.order_type} @ {intent.limit_price} (notional {intent.notional})")
    failures = order_rule_failures(exchange, market, intent)
    for failure in failures:
        report.fail(failure)
    if not failures:
        report.row("order rules", "precision and limits ok")
    report.row("orders sent", "0 (dry-run: no order method is reachable)")
    return report


def _call(fn: Any, what: str, name: str, secrets: Any) -> Any:
    try:
        return fn()
    except Exception as exc:  # a vendor failure is reported, never a traceback
        if is_network_error(exc):
            raise Unhealthy(f"ccxt: could not reach {name} to {what} ({detail(exc, secrets)}); fix: check the network and try again") from None
        kind = type(exc).__name__
        if kind in ("AuthenticationError", "PermissionDenied", "AccountSuspended"):
            raise Unhealthy(f"ccxt: {name} rejected the credentials while trying to {what} ({detail(exc, secrets)}); fix: check CCXT_API_KEY and CCXT_API_SECRET (sandbox keys differ from production keys)") from None
        raise Unhealthy(f"ccxt: {name} failed to {what} ({detail(exc, secrets)})") from None


def sample_symbol(settings: Settings, specs: dict[str, SymbolSpec]) -> str:
    """Return the first configured crypto symbol, else ``BTC/USDT``."""
    for symbol in settings.symbols:
        spec = specs.get(symbol)
        if spec is not None and spec.asset_class == "crypto":
            return symbol
    return DEFAULT_SAMPLE


def _dec(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _first_price(ticker: dict[str, Any]) -> Decimal | None:
    for key in ("last", "close", "ask", "bid"):
        price = _dec(ticker.get(key))
        if price is not None and price > 0:
            return price
    return None


def _limit(market: dict[str, Any], which: str, end: str) -> Decimal | None:
    return _dec(((market.get("limits") or {}).get(which) or {}).get(end))


def sample_intent(symbol: str, spec: SymbolSpec | None, market: dict[str, Any], price: Decimal) -> OrderIntent:
    """Return the smallest buy limit order at ``price`` that our spec and the venue both allow."""
    step = spec.lot_size if spec else (_limit(market, "amount", "min") or Decimal("0.00000001"))
    tick = spec.price_tick if spec else Decimal("0.00000001")
    limit_price = round_to_step(price, tick)
    floors = [step, _limit(market, "amount", "min")]
    for min_cost in (_limit(market, "cost", "min"), spec.min_notional if spec else None):
        if min_cost:
            floors.append(min_cost / limit_price)
    qty = ceil_to_step(max(f for f in floors if f is not None), step)
    return OrderIntent(
        symbol=symbol,
        asset_class="crypto",
        side="buy",
        qty=qty,
        order_type="limit",
        limit_price=limit_price,
        reference_price=price,
        notional=qty * limit_price,
        annotations=("dry-run sample: never sent",),
    )


def order_rule_failures(exchange: Any, market: dict[str, Any], intent: OrderIntent) -> list[str]:
    """Return every way ``intent`` breaks the venue's precision and limits (empty: it passes)."""
    failures = []
    symbol = intent.symbol
    for what, value, to_precision in (("amount", intent.qty, exchange.amount_to_precision), ("price", intent.limit_price, exchange.price_to_precision)):
        try:
            venue = Decimal(to_precision(symbol, str(value)))
        except Exception as exc:  # ccxt InvalidOrder: below the smallest step
            failures.append(f"{what} {value} is refused by {symbol}'s precision ({type(exc).__name__}); fix: align symbols.toml with the exchange")
            continue
        if venue != value:
            failures.append(f"{what} {value} is not on {symbol}'s precision (the exchange would send {venue}); fix: align symbols.toml steps with the exchange")
    for what, value in (("amount", intent.qty), ("price", intent.limit_price), ("cost", intent.notional)):
        if value is None:
            continue  # a market order has no price to hold to the limits
        low, high = _limit(market, what, "min"), _limit(market, what, "max")
        if low is not None and value < low:
            failures.append(f"{what} {value} is below {symbol}'s minimum {low}")
        if high is not None and value > high:
            failures.append(f"{what} {value} is above {symbol}'s maximum {high}")
    return failures
