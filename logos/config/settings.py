"""Settings: one frozen object built from defaults < config file < .env < environment < CLI.

Every setting is declared once, as a field of ``Settings`` carrying its spec (kind, default,
help, whether it is secret). The CLI options, the environment names, the validator's
messages and the runbook table all derive from that one declaration, so a setting has one
name everywhere: config key ``max_notional``, option ``--max-notional``, environment
variable ``LOGOS_MAX_NOTIONAL``. Broker credentials keep their vendors' names
(``CCXT_API_KEY``; config key ``ccxt_api_key``) and are never taken from the command line.

Rules of the layers:

- ``home`` and ``config`` come from the environment and the command line only (they say
  where the other layers live).
- The config file is TOML with top-level keys named like the settings; it is read with
  ``parse_float=Decimal``, so a TOML float such as ``0.25`` arrives as the exact decimal
  written in the file, never as a binary float. ``params`` may be a JSON string or a table.
- ``<home>/.env`` is parsed with python-dotenv and is never copied into ``os.environ``. It
  must be UTF-8; a line python-dotenv cannot parse is a problem naming the line (python-dotenv
  alone would drop it with a warning), and so is a ``LOGOS_*``, ``CCXT_*`` or ``ALPACA_*`` name
  that no setting has. A ``.env`` holding a credential that other users may read is a warning.
- A ``LOGOS_*`` name in the environment that no setting has is a problem, with the closest
  setting's name: ``LOGOS_MAX_NOTINAL`` must not pass for a cap that is set.
- Every number has stated bounds (``MAX_AMOUNT``, ``MAX_PLACES`` and each setting's own),
  so no value the loader accepts can overflow or round the core's exact arithmetic.
- An empty value counts as given: ``LOGOS_MAX_NOTIONAL=`` switches the cap off, which the
  loader reports as unsafe instead of silently falling back to the default.
- A malformed value never raises here: it is collected in ``Settings.problems`` (one line
  naming the setting, where the value came from and how to fix it) and the field keeps its
  default. ``logos.config.validation.validate`` adds the checks that need the file system.
"""

from __future__ import annotations

import difflib
import io
import json
import os
import re
import stat
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from decimal import Decimal, InvalidOperation
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from logos import paths
from logos.config.secrets import Secret, mask
from logos.core.money import ZERO, decimal_places
from logos.core.strategy_params import exact_json

CONFIG_FILE_NAME = "logos.toml"
DOTENV_FILE_NAME = ".env"
ENV_PREFIX = "LOGOS_"


class Problem(NamedTuple):
    """One thing wrong with the configuration; ``str()`` is one line ending in the fix."""

    setting: str
    message: str

    def __str__(self) -> str:
        return f"{self.setting}: {self.message}"


class Invalid(ValueError):
    """Raised by a kind's parser; the text says what is wrong with the value."""


# --- kinds: how a raw value (text, or a TOML value) becomes a typed one -------------------

# Bounds every amount and step stays within, so the 28-digit decimal arithmetic of the core
# never rounds or overflows: an amount of 10**12 counted in steps of 10**-10 is 23 digits.
MAX_AMOUNT = Decimal(10) ** 12
MAX_PLACES = 10
MAX_INT_DIGITS = 19  # int() of a longer text is refused unread: 5000 digits would raise


@dataclass(frozen=True)
class Kind:
    parse: Callable[[Any], Any]
    expect: str  # completes "fix: set X to ..."
    render: Callable[[Any], str] = str
    numeric: bool = False  # the fix text then quotes the default as an example
    metavar: str = "TEXT"


def _text(raw: Any) -> str:
    if isinstance(raw, bool) or not isinstance(raw, (str, int, Decimal, Path)):
        raise Invalid(f"is not text (got a TOML {type(raw).__name__})")
    text = raw if isinstance(raw, str) else str(raw)
    if _CONTROL.search(text):
        raise Invalid("contains a control character")
    return text.strip()


# Tabs and line breaks are fine in text (a JSON object over several TOML lines); NUL and the
# other control characters never belong in a setting.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


_OFF_WORDS = {"", "none", "null", "off", "no", "false"}


def decimal_kind(low: Decimal, high: Decimal, *, low_open: bool = True, cap: str | None = None) -> Kind:
    """A decimal in ``(low, high]`` (``[low, high]`` when not ``low_open``) with at most ``MAX_PLACES`` places.

    ``cap`` names a safety limit: turning it off (0, none, empty) is reported as unsafe.
    """
    low_text = f"greater than {low}" if low_open else f"at least {low}"
    expect = f"a decimal {'' if low_open else 'of '}{low_text} and at most {high}, with at most {MAX_PLACES} decimal places"

    def parse(raw: Any) -> Decimal:
        if isinstance(raw, bool):
            raise Invalid("is true/false, not a number")
        text = _text(raw)
        if cap and (text.lower() in _OFF_WORDS or _is_zero(text)):
            raise Invalid(f"turns the {cap} off, which is unsafe")
        return bounded_decimal(text, low, high, low_open=low_open)

    return Kind(parse, expect, numeric=True, metavar="DECIMAL")


def bounded_decimal(text: str, low: Decimal, high: Decimal, *, low_open: bool = False) -> Decimal:
    """Return ``text`` as an exact decimal within the bounds and ``MAX_PLACES``; raise ``Invalid`` otherwise."""
    if not text:
        raise Invalid("is empty")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise Invalid("is not a number") from None
    if not value.is_finite():
        raise Invalid("is not a finite number")
    if value < low or (low_open and value == low):
        raise Invalid(f"must be {'greater than' if low_open else 'at least'} {low:f}")
    if value > high:
        raise Invalid(f"must be at most {high:f}")
    if decimal_places(value) > MAX_PLACES:
        raise Invalid(f"has more than {MAX_PLACES} decimal places")
    return value


def _is_zero(text: str) -> bool:
    try:
        return Decimal(text) == 0
    except InvalidOperation:
        return False


def int_kind(low: int, high: int, *, example: int | None = None) -> Kind:
    """A whole number in ``[low, high]``."""

    def parse(raw: Any) -> int:
        if isinstance(raw, bool):
            raise Invalid("is true/false, not a whole number")
        return bounded_int(_text(raw), low, high)

    such = f", such as {example}" if example is not None else ""
    return Kind(parse, f"a whole number from {low} to {high}{such}", numeric=example is None, metavar="INTEGER")


def auto_int_kind(low: int, high: int) -> Kind:
    """``auto`` (None: the engine chooses) or a whole number in ``[low, high]``."""
    whole = int_kind(low, high)

    def parse(raw: Any) -> int | None:
        if isinstance(raw, str) and raw.strip().lower() == "auto":
            return None
        return whole.parse(raw)

    return Kind(parse, f"auto or {whole.expect}", lambda v: "auto" if v is None else str(v), metavar="auto|INTEGER")


def bounded_int(text: str, low: int, high: int) -> int:
    """Return ``text`` as a whole number in ``[low, high]``; raise ``Invalid`` otherwise."""
    match = re.fullmatch(r"([+-]?)0*([0-9]+)", text)
    if match is None:
        raise Invalid("is empty" if not text else "is not a whole number")
    sign, digits = match.groups()
    if len(digits) > MAX_INT_DIGITS:
        raise Invalid(f"must be at least {low}" if sign == "-" else f"must be at most {high}")
    value = int(text)
    if value < low:
        raise Invalid(f"must be at least {low}")
    if value > high:
        raise Invalid(f"must be at most {high}")
    return value


def choice_kind(*options: str) -> Kind:
    def parse(raw: Any) -> str:
        text = _text(raw).lower()
        if text not in options:
            raise Invalid(f"is not one of {', '.join(options)}")
        return text

    return Kind(parse, "one of " + ", ".join(options), metavar="|".join(options))


def _bool(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = _text(raw).lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off"}:
        return False
    raise Invalid("is not true or false")


BOOL = Kind(_bool, "true or false", lambda v: "true" if v else "false", metavar="true|false")
SEED = int_kind(0, 2**63 - 1, example=42)
# Polling feeds: a session longer than a year is a mistake, not a plan.
DURATION = int_kind(1, 366 * 86400, example=3600)


def _path(raw: Any) -> Path:
    text = _text(raw)
    if not text:
        raise Invalid("is empty")
    if not text.isprintable():
        raise Invalid("contains a line break or a tab")
    return Path(text).expanduser()


PATH = Kind(_path, "a file path", metavar="PATH")


def _optional_path(raw: Any) -> Path | None:
    return _path(raw) if _text(raw) else None


OPTIONAL_PATH = Kind(_optional_path, "a file path", lambda v: "" if v is None else str(v), metavar="PATH")

_SYMBOL = re.compile(r"[A-Za-z0-9.\-_=^]+(/[A-Za-z0-9.\-_]+)?")


def _symbols(raw: Any) -> tuple[str, ...]:
    items = raw if isinstance(raw, (list, tuple)) else [raw]
    names: dict[str, None] = {}  # in the order given, each once (a dict: thousands of symbols)
    for item in items:
        for part in _text(item).split(","):
            name = part.strip()
            if not name:
                continue
            if not _SYMBOL.fullmatch(name) or len(name) > 32:
                raise Invalid(f"has {_clip(name)}, which is not a symbol (letters, digits and . - _ = ^, one / in a pair, at most 32 characters)")
            names[name] = None
    if not names:
        raise Invalid("lists no symbol")
    return tuple(names)


def _clip(text: str, limit: int = 40) -> str:
    return repr(text if len(text) <= limit else text[:limit] + "...")


SYMBOLS = Kind(_symbols, "a comma-separated list of symbols such as AAPL,MSFT,BTC/USDT", ",".join, metavar="SYMBOL")

# Strategy parameters are a few numbers, flags and names: anything far beyond that is a mistake.
PARAMS_MAX_DEPTH = 4
PARAMS_MAX_NUMBER = 30  # characters of one number's text


def _number_text(text: str) -> str:
    if len(text) > PARAMS_MAX_NUMBER:
        raise Invalid(f"has a number of {len(text)} characters; numbers in params have at most {PARAMS_MAX_NUMBER}")
    return text


def _no_constant(name: str) -> Any:
    raise Invalid(f"holds {name}, which is not a number")


def _no_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    value: dict[str, Any] = {}
    for key, item in pairs:
        if key in value:
            raise Invalid(f"names {key!r} twice")
        value[key] = item
    return value


def _check_json_ready(value: Any, depth: int = 1) -> None:
    if depth > PARAMS_MAX_DEPTH:
        raise Invalid(f"nests deeper than {PARAMS_MAX_DEPTH} levels")
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise Invalid("has a key that is not text")
            _check_json_ready(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check_json_ready(item, depth + 1)
    elif isinstance(value, bool) or value is None or isinstance(value, str):
        return
    elif isinstance(value, int):
        # bit_length first: str() of an integer past 4300 digits raises
        if value.bit_length() > 4 * PARAMS_MAX_NUMBER:
            raise Invalid(f"has a number of more than {PARAMS_MAX_NUMBER} characters")
        _number_text(str(value))
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise Invalid("holds a number that is not finite")
        _number_text(str(value))
    else:
        raise Invalid(f"holds a {type(value).__name__}, which JSON cannot carry")


def _params(raw: Any) -> Mapping[str, Any]:
    if isinstance(raw, dict):
        value = raw
    else:
        text = _text(raw)
        try:
            # Numbers are read from their text: 2.5 becomes Decimal("2.5"), never a binary float.
            value = json.loads(
                text or "{}",
                parse_float=lambda t: Decimal(_number_text(t)),
                parse_int=lambda t: int(_number_text(t)),
                parse_constant=_no_constant,
                object_pairs_hook=_no_repeats,
            )
        except json.JSONDecodeError as exc:
            raise Invalid(f"is not valid JSON ({exc.msg} at column {exc.colno})") from None
        except RecursionError:
            raise Invalid(f"nests deeper than {PARAMS_MAX_DEPTH} levels") from None
        if not isinstance(value, dict):
            raise Invalid(f"is a JSON {_json_name(value)}, not an object")
    _check_json_ready(value)
    return MappingProxyType(dict(value))


def _json_name(value: Any) -> str:
    names = {list: "list", str: "string", bool: "true/false", type(None): "null"}
    return names.get(type(value), "number")


def canonical_json(value: Mapping[str, Any]) -> str:
    """Return ``value`` as sorted, compact JSON; decimals are written as the exact numbers they hold."""
    return exact_json(value, compact=True)


PARAMS = Kind(
    _params,
    f'a JSON object such as {{"fast": 10, "slow": 30}} (at most {PARAMS_MAX_DEPTH} levels deep, numbers of at most {PARAMS_MAX_NUMBER} characters)',
    canonical_json,
    metavar="JSON",
)

# Slower than a tenth of real time, a minute bar would take more than ten minutes to arrive.
SPEED_FACTORS = (Decimal("0.1"), Decimal(10) ** 6)


def _strategy(raw: Any) -> str:
    text = _text(raw)
    if not text:
        raise Invalid("is empty")
    return text  # loaded (and refused in one line if it cannot be) when a session starts


STRATEGY = Kind(
    _strategy,
    "a built-in (momentum, mean_reversion, pairs_trading), an installed name, package.module:Class or path/to/file.py:Class",
    metavar="NAME|MODULE:CLASS|FILE.py:CLASS",
)


def _speed(raw: Any) -> str:
    text = _text(raw).lower()
    if text in {"max", "realtime"}:
        return text
    low, high = SPEED_FACTORS
    try:
        factor = bounded_decimal(text, low, high)
    except Invalid as exc:
        reason = "is not max, realtime or a number" if str(exc) in ("is empty", "is not a number") else str(exc)
        raise Invalid(reason) from None
    return format(factor.normalize(), "f")


SPEED = Kind(
    _speed, f"max, realtime or a factor of real time from {SPEED_FACTORS[0]} to {SPEED_FACTORS[1]}, such as 10", metavar="max|realtime|FACTOR"
)

SECRET_MIN_LENGTH = 6
_PLACEHOLDERS = {"changeme", "change-me", "xxx", "your-api-key", "your_api_key", "your-secret", "your_secret", "secret", "none", "null"}


def _secret(raw: Any) -> Secret | None:
    if not isinstance(raw, str):
        raise Invalid(f"is not text (got a TOML {type(raw).__name__})")
    text = raw.strip()
    if not text:
        return None
    if any(ch.isspace() or not ch.isprintable() for ch in text):
        raise Invalid("contains whitespace or control characters (a pasting accident?)")
    if text[0] in "\"'" or text[-1] in "\"'":
        raise Invalid("starts or ends with a quote character")
    if text.lower() in _PLACEHOLDERS or (text.startswith("<") and text.endswith(">")):
        raise Invalid("is a placeholder, not a real credential")
    if len(text) < SECRET_MIN_LENGTH:
        # Also a guard for the scrubber: a one-character "secret" would be masked in every line printed.
        raise Invalid(f"is shorter than {SECRET_MIN_LENGTH} characters, too short to be a real credential")
    return Secret(text)


SECRET = Kind(_secret, "the value your broker issued", lambda v: mask(v.reveal()) if v else "(not set)")


def _exchange_id(raw: Any) -> str | None:
    text = _text(raw).lower()
    if not text:
        return None
    if not re.fullmatch(r"[a-z][a-z0-9_]{0,39}", text):
        raise Invalid("is not a ccxt exchange id")
    return text


EXCHANGE_ID = Kind(_exchange_id, "a ccxt exchange id such as binance", lambda v: v or "(not set)")

# --- polled market data: bar interval, polling, request timeout, base URLs -----------------

INTERVAL_SECONDS = MappingProxyType(
    {"1s": 1, "1m": 60, "3m": 180, "5m": 300, "15m": 900, "30m": 1800, "1h": 3600, "2h": 7200, "4h": 14400, "1d": 86400}
)
INTERVAL = choice_kind(*INTERVAL_SECONDS)


def _base_url(raw: Any) -> str:
    text = _text(raw).rstrip("/")
    if not text:
        return ""
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Invalid("is not an http:// or https:// URL")
    if parts.username or parts.password:
        raise Invalid("carries a user name or password; market data needs none")
    if parts.query or parts.fragment:
        raise Invalid("has a query or fragment; give the scheme, host and optional path only")
    return text


# A URL's user name and password are never echoed in a problem line.
_URL_LOGIN = re.compile(r"(\w+://)[^/@\s]+@")
BASE_URL = Kind(
    _base_url, "an http(s) URL such as https://testnet.binance.vision, or empty for the vendor's own", lambda v: v or "(vendor's own)", metavar="URL"
)


def _scale_to_interval(values: dict[str, Any], origins: Mapping[str, Origin]) -> None:
    """Defaults that follow the bar interval: stale after five bars (at least 30 s; 300 for
    1m), a poll every quarter bar (1 to 60 s; 15 for 1m). A value given anywhere stays."""
    seconds = INTERVAL_SECONDS[values["interval"]]
    if origins["stale_after_s"].layer == "default":
        values["stale_after_s"] = max(5 * seconds, 30)
    if origins["poll_interval_s"].layer == "default":
        values["poll_interval_s"] = min(max(seconds // 4, 1), 60)


def option_value(option: str, kind: Kind, raw: str) -> Any:
    """Parse a command's own option (not a setting) with ``kind``; raise ``BadOption`` with one line."""
    try:
        return kind.parse(raw)
    except Invalid as exc:
        raise BadOption(f"{option} {_clip(raw)} {exc}; fix: change {option} to {kind.expect}") from None


class BadOption(ValueError):
    """A command option with a value its kind refuses; the text is one line ending in the fix."""


# --- the declaration ------------------------------------------------------------------

ALL = ("config", "dotenv", "env", "cli")
NO_CLI = ("config", "dotenv", "env")
LOCATION = ("env", "cli")  # home and config say where the other layers live


@dataclass(frozen=True)
class SettingSpec:
    name: str
    kind: Kind
    default: Any  # raw, parsed by ``kind`` like any other layer's value
    help: str
    secret: bool = False
    layers: tuple[str, ...] = ALL
    env: str = ""
    vendor: bool = False  # a broker credential: vendor's environment name, no CLI

    @property
    def option(self) -> str:
        return "--symbol" if self.name == "symbols" else "--" + self.name.replace("_", "-")

    @property
    def on_cli(self) -> bool:
        return "cli" in self.layers


def _setting(kind: Kind, default: Any, help: str, *, layers: tuple[str, ...] = ALL, secret: bool = False) -> Any:
    return field(metadata={"spec": (kind, default, help, layers, secret)})


def _credential(kind: Kind, help: str, *, default: Any = "", secret: bool = True) -> Any:
    return field(metadata={"spec": (kind, default, help, NO_CLI, secret), "vendor": True})


@dataclass(frozen=True)
class Settings:
    """Every setting of a Logos run, typed and final; build it with ``load_settings``."""

    home: Path = _setting(OPTIONAL_PATH, "", "Home folder every path resolves against (default: the current folder).", layers=LOCATION)
    config: Path | None = _setting(OPTIONAL_PATH, "", "TOML config file (default: logos.toml in the home folder, when it exists).", layers=LOCATION)
    seed: int = _setting(SEED, str(paths.DEFAULT_SEED), "Seed of every random choice; written into session.md with where it came from.")
    symbols: tuple[str, ...] = _setting(SYMBOLS, "AAPL,MSFT,SPY", "Symbols to trade; repeat --symbol or separate with commas.")
    strategy: str = _setting(STRATEGY, "momentum", "Strategy that emits the signals (see `logos strategies list`).")
    params: Mapping[str, Any] = _setting(PARAMS, "{}", "Strategy parameters as a JSON object.")
    sizing: str = _setting(choice_kind("notional", "equity_fraction", "units"), "notional", "How a signal becomes a target size.")
    sizing_value: Decimal = _setting(decimal_kind(ZERO, MAX_AMOUNT), "10000", "Size per signal: notional, fraction of equity, or units.")
    order_type: str = _setting(choice_kind("market", "limit"), "market", "Order type the translator emits.")
    limit_offset_bps: Decimal = _setting(
        decimal_kind(ZERO, Decimal(5000), low_open=False), "5", "Limit price offset from the decision close, in basis points."
    )
    limit_ttl_bars: int = _setting(int_kind(1, 100_000), "5", "Bars a limit order rests before it expires.")
    fill_at: str = _setting(choice_kind("next_open", "same_close"), "next_open", "Price a market order fills at.")
    slippage_bps: Decimal = _setting(decimal_kind(ZERO, Decimal(1000), low_open=False), "1", "Slippage added to market fills, in basis points.")
    fee_bps: Decimal = _setting(decimal_kind(ZERO, Decimal(1000), low_open=False), "1", "Fee on every fill, in basis points.")
    volume_share: Decimal = _setting(decimal_kind(ZERO, Decimal(1)), "0.25", "Largest share of a bar's volume one order may fill.")
    initial_cash: Decimal = _setting(decimal_kind(ZERO, MAX_AMOUNT), "100000", "Starting cash of the paper account.")
    max_notional: Decimal = _setting(decimal_kind(ZERO, MAX_AMOUNT, cap="per-order notional cap"), "25000", "Risk: largest notional of one order.")
    max_exposure: Decimal = _setting(
        decimal_kind(ZERO, MAX_AMOUNT, cap="gross exposure cap"), "100000", "Risk: largest gross exposure across symbols."
    )
    max_position: Decimal = _setting(
        decimal_kind(ZERO, MAX_AMOUNT, cap="per-symbol position cap"), "50000", "Risk: largest position notional in one symbol."
    )
    max_drawdown_bps: Decimal = _setting(
        decimal_kind(ZERO, Decimal(10000), cap="drawdown limit"), "1000", "Risk: drawdown from peak equity that trips the guard, in basis points."
    )
    drawdown_action: str = _setting(choice_kind("halt", "reduce"), "halt", "Risk: what a drawdown trip does.")
    stale_after_s: int = _setting(
        int_kind(1, 30 * 86400), "300", "Risk: seconds without a bar before data counts as stale (default five bars, at least 30)."
    )
    kill_switch_file: Path = _setting(PATH, "KILL_SWITCH", "Risk: the session halts while this file exists (relative to home).")
    feed: str = _setting(choice_kind("cache", "yfinance", "ccxt"), "cache", "Where bars come from.")
    speed: str = _setting(SPEED, "max", "Replay speed: max, realtime, or a factor of real time.")
    snapshot_every: int | None = _setting(
        auto_int_kind(1, 10_000_000),
        "auto",
        "Events between state.json snapshots; auto: 5000, or 50 per symbol when that is more (a snapshot of many symbols costs more).",
    )
    durability: str = _setting(choice_kind("auto", "always", "end"), "auto", "When the journal is fsync'd.")
    interval: str = _setting(INTERVAL, "1m", "Bar interval: the cache files (<SYMBOL>_<interval>.csv), both pollers and the strategy's bars.")
    poll_interval_s: int = _setting(int_kind(1, 86400), "15", "Polling feeds: seconds between two polls (default a quarter bar, 1 to 60).")
    request_timeout_s: int = _setting(int_kind(1, 600), "10", "Polling feeds: seconds one market-data request may take before it counts as failed.")
    ccxt_base_url: str = _setting(BASE_URL, "", "ccxt feed: market-data base URL (a testnet or mirror) instead of the exchange's own.")
    yfinance_base_url: str = _setting(BASE_URL, "", "yfinance feed: base URL standing in for Yahoo's hosts (a mirror) instead of Yahoo.")
    adapter: str = _setting(choice_kind("none", "ccxt", "alpaca"), "none", "Broker adapter whose credentials must be valid.")
    # The session log, logos/logs/<id>.log (logos.live.session_log): how much it records, and a copy on stderr.
    log_level: str = _setting(choice_kind("debug", "info", "warning", "error"), "info", "Least severe level the session log records.")
    log_console: bool = _setting(BOOL, "false", "Also write the session log to the console (stderr).")
    ccxt_exchange: str | None = _credential(EXCHANGE_ID, "ccxt exchange id, e.g. binance.", secret=False)
    ccxt_api_key: Secret | None = _credential(SECRET, "ccxt API key.")
    ccxt_api_secret: Secret | None = _credential(SECRET, "ccxt API secret.")
    ccxt_password: Secret | None = _credential(SECRET, "ccxt API password/passphrase (only exchanges that need one).")
    ccxt_sandbox: bool = _credential(BOOL, "Use the exchange's sandbox/testnet.", default="true", secret=False)
    alpaca_key_id: Secret | None = _credential(SECRET, "Alpaca API key id (paper keys start with PK).")
    alpaca_secret_key: Secret | None = _credential(SECRET, "Alpaca API secret key.")
    alpaca_paper: bool = _credential(BOOL, "Use Alpaca's paper endpoint (live is out of scope).", default="true", secret=False)
    problems: tuple[Problem, ...] = ()
    warnings: tuple[Problem, ...] = ()
    unread: tuple[str, ...] = ()  # layers whose file could not be read or parsed: config, dotenv
    origins: Mapping[str, Origin] = field(default_factory=dict, repr=False)

    def public_dict(self) -> dict[str, str]:
        """Return every setting as text, secrets masked: for session.md and the config hash."""
        return {spec.name: spec.kind.render(getattr(self, spec.name)) for spec in SETTINGS}

    @property
    def interval_s(self) -> int:
        """The bar interval in seconds."""
        return INTERVAL_SECONDS[self.interval]

    def origin(self, name: str) -> Origin:
        return self.origins.get(name, Origin("default", name))

    def secrets(self) -> tuple[Secret, ...]:
        """Return every configured secret, for scrubbing text before it leaves the process."""
        return tuple(getattr(self, s.name) for s in SETTINGS if s.secret and getattr(self, s.name))


def _build_specs() -> tuple[SettingSpec, ...]:
    specs = []
    for f in fields(Settings):
        if "spec" not in f.metadata:
            continue
        kind, default, help_text, layers, secret = f.metadata["spec"]
        vendor = bool(f.metadata.get("vendor"))
        env = f.name.upper() if vendor else ENV_PREFIX + f.name.upper()
        specs.append(SettingSpec(f.name, kind, default, help_text, secret, layers, env, vendor))
    return tuple(specs)


SETTINGS: tuple[SettingSpec, ...] = _build_specs()
SPECS: Mapping[str, SettingSpec] = MappingProxyType({s.name: s for s in SETTINGS})


# --- where a value came from, and how to change it -----------------------------------


class Origin(NamedTuple):
    layer: str  # default | config | dotenv | env | cli
    key: str  # the name in that layer: config key, environment name or option
    location: str = ""  # the file, for config and dotenv
    raw: Any = None

    def describe(self, spec: SettingSpec) -> str:
        shown = _shown(spec, self.raw)
        if self.layer == "config":
            return f"{self.key} = {shown} in {self.location}"
        if self.layer == "dotenv":
            return f"{self.key}={shown} in {self.location}"
        if self.layer == "env":
            return f"environment variable {self.key}={shown}"
        if self.layer == "cli":
            return f"option {self.key} {shown}"
        return f"the default {shown}"

    def how_to_fix(self, spec: SettingSpec) -> str:
        if self.layer in ("config", "dotenv"):
            return f"set {self.key} in {self.location}"
        if self.layer == "env":
            return f"set {self.key}"
        if self.layer == "cli":
            return f"change {self.key}"
        return how_to_set(spec)

    def where(self, spec: SettingSpec) -> str:
        """Return the place the value was given, for "remove X from ..." fixes."""
        if self.layer in ("config", "dotenv"):
            return f"{self.key} in {self.location}"
        return self.key if self.layer in ("env", "cli") else f"the {spec.name} setting"

    def source(self) -> str:
        """Return where the value came from in a few words, for session.md."""
        if self.layer in ("config", "dotenv"):
            return f"{self.key} in {self.location}"
        if self.layer == "env":
            return f"{self.key} in the environment"
        return self.key if self.layer == "cli" else "the default"


def how_to_set(spec: SettingSpec) -> str:
    """Return the ways a setting can be given, for fix texts."""
    ways = [f"{spec.env} in the environment or .env"]
    if "config" in spec.layers:
        ways.insert(0, f"{spec.name} in {CONFIG_FILE_NAME}")
    if spec.on_cli:
        ways.append(f"pass {spec.option}")
    return "set " + ", ".join(ways[:-1]) + (" or " if len(ways) > 1 else "") + ways[-1]


def _shown(spec: SettingSpec, raw: Any) -> str:
    if spec.secret:
        return raw.hint if isinstance(raw, Secret) else "(hidden)"
    if isinstance(raw, (list, tuple)):
        raw = ",".join(str(x) for x in raw)
    if isinstance(raw, int) and raw.bit_length() > 128:
        return "(a whole number too long to show)"  # str() of one past 4300 digits raises
    return _clip(_URL_LOGIN.sub(r"\1***@", raw if isinstance(raw, str) else str(raw)), 60)


def problem(spec: SettingSpec, origin: Origin, reason: str, expect: str | None = None) -> Problem:
    """Return the one-line problem for a bad value of ``spec`` that came from ``origin``."""
    if expect is None:
        expect = spec.kind.expect + (f", such as {spec.default}" if spec.kind.numeric else "")
    return Problem(spec.name, f"{origin.describe(spec)} {reason}; fix: {origin.how_to_fix(spec)} to {expect}")


# --- loading ----------------------------------------------------------------------------


def load_settings(cli: Mapping[str, Any] | None = None, *, environ: Mapping[str, str] | None = None) -> Settings:
    """Build the settings from every layer; malformed values are collected, never raised.

    ``cli`` holds only the options the user gave (``None`` values are ignored), keyed by
    setting name. ``environ`` defaults to ``os.environ``.
    """
    environ = os.environ if environ is None else environ
    given = {k: v for k, v in (cli or {}).items() if v is not None and v != []}
    for key in given:
        if key not in SPECS or not SPECS[key].on_cli:
            raise TypeError(f"{key!r} is not a command-line setting")

    problems: list[Problem] = []
    warnings: list[Problem] = []
    home = _home(given, environ)
    config_path, config_origin = _config_path(home, given, environ)
    config_values = _read_config(config_path, config_origin, problems)
    dotenv_path = home / DOTENV_FILE_NAME
    dotenv = read_dotenv(dotenv_path, problems, warnings)
    problems += unknown_names(environ, "the environment", ENV_PREFIX)
    unread = tuple(name for name, values in (("config", config_values), ("dotenv", dotenv)) if values is None)

    layers: list[tuple[str, Mapping[str, Any], str]] = [
        ("config", config_values or {}, str(config_path)),
        ("dotenv", dotenv or {}, str(dotenv_path)),
        ("env", environ, ""),
        ("cli", given, ""),
    ]
    values: dict[str, Any] = {}
    origins: dict[str, Origin] = {}
    for spec in SETTINGS:
        origin = _winner(spec, layers)
        raw = origin.raw.reveal() if isinstance(origin.raw, Secret) else origin.raw
        try:
            values[spec.name] = spec.kind.parse(raw)
        except Invalid as exc:
            problems.append(problem(spec, origin, str(exc)))
            values[spec.name] = spec.kind.parse(spec.default)
        origins[spec.name] = origin

    _scale_to_interval(values, origins)
    values["home"] = home
    values["config"] = config_path
    if not values["kill_switch_file"].is_absolute():
        values["kill_switch_file"] = home / values["kill_switch_file"]
    return Settings(**values, problems=tuple(problems), warnings=tuple(warnings), unread=unread, origins=MappingProxyType(origins))


def _winner(spec: SettingSpec, layers: Iterable[tuple[str, Mapping[str, Any], str]]) -> Origin:
    origin = Origin("default", spec.name, "", spec.default)
    for layer, source, location in layers:
        if layer not in spec.layers:
            continue
        key = spec.name if layer in ("config", "cli") else spec.env
        if key in source:
            shown_key = spec.option if layer == "cli" else key
            raw = source[key]
            # The origin outlives this call; a secret's raw text must not ride along unmasked.
            held = Secret(raw.strip()) if spec.secret and isinstance(raw, str) else raw
            origin = Origin(layer, shown_key, location, held)
    return origin


# Environment names Logos reads that are not settings: the crash tests' fault injection
# (a kill after a journal seq; a kill or a full disk at a step of creating a session).
FAULT_KILL_AFTER_SEQ_ENV = "LOGOS_FAULT_KILL_AFTER_SEQ"
FAULT_CREATE_STEP_ENV = "LOGOS_FAULT_CREATE_STEP"
# A .env file belongs to Logos, so a typo of a broker credential's name is caught there too.
DOTENV_PREFIXES = (ENV_PREFIX, "CCXT_", "ALPACA_")


def unknown_names(names: Iterable[str], where: str, *prefixes: str) -> list[Problem]:
    """Return a problem for each name with one of ``prefixes`` that no setting has, with the closest one."""
    known = {spec.env for spec in SETTINGS} | {FAULT_KILL_AFTER_SEQ_ENV, FAULT_CREATE_STEP_ENV}
    return [
        Problem("env", f"{_name(name)} in {where} is not a Logos setting; fix: {_suggest(name, known, quote=False)}")
        for name in names
        if name.startswith(prefixes) and name not in known
    ]


def _name(name: str) -> str:
    return name if re.fullmatch(r"[A-Za-z0-9_]+", name) else _clip(name)


def read_dotenv(path: Path, problems: list[Problem], warnings: list[Problem]) -> dict[str, str] | None:
    """``<home>/.env`` as python-dotenv parses it (a key without a value is ""); {} without one.

    A file that is not UTF-8, a line that does not parse or an unknown name is a problem; a
    file holding credentials that others may read is a warning. None: the file could not be read.
    """
    if not is_file(path):
        return {}
    try:
        data = path.read_bytes()
    except OSError as exc:
        problems.append(Problem("dotenv", f"{path} cannot be read ({exc.strerror}); fix: check its permissions"))
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        problems.append(Problem("dotenv", f"{path} line {line} is not UTF-8 text (byte 0x{data[exc.start]:02x}); fix: save the file as UTF-8"))
        return None
    # imported here: python-dotenv is needed only when the home has a .env file; keeps
    # `trade` / `resume` startup short without one
    from dotenv import dotenv_values
    from dotenv.parser import parse_stream

    bad = [binding for binding in parse_stream(io.StringIO(text)) if binding.error]
    for binding in bad:
        problems.append(
            Problem(
                "dotenv",
                f"{path} line {_line_of(binding.original)} does not parse{_near(binding.original.string)}; fix: write it as NAME=value, with a matching quote at each end of a quoted value",
            )
        )
    if bad:
        return None  # python-dotenv would drop the line with a warning of its own
    values = {k: v or "" for k, v in dotenv_values(stream=io.StringIO(text)).items()}
    problems += unknown_names(values, str(path), *DOTENV_PREFIXES)
    warnings += _exposed_credentials(path, values)
    return values


def _line_of(original: Any) -> int:
    """The line where a statement starts: python-dotenv counts the blank lines before it in."""
    text = original.string
    return original.line + text[: len(text) - len(text.lstrip())].count("\n")


def _near(statement: str) -> str:
    # Only the name is shown: the value may be a credential.
    match = re.match(r"\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=", statement)
    return f" (the value of {match.group(1)})" if match else ""


def _exposed_credentials(path: Path, values: Mapping[str, str]) -> list[Problem]:
    held = [spec.env for spec in SETTINGS if spec.secret and values.get(spec.env, "").strip()]
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return []
    if not held or not mode & 0o077:
        return []
    return [Problem("dotenv", f"{path} holds {', '.join(held)} and other users may read it (mode {mode:o}); fix: chmod 600 {path}")]


def _home(cli: Mapping[str, Any], environ: Mapping[str, str]) -> Path:
    raw = cli.get("home") or environ.get(SPECS["home"].env, "").strip()
    return paths.home(raw or Path.cwd())


def _config_path(home: Path, cli: Mapping[str, Any], environ: Mapping[str, str]) -> tuple[Path | None, Origin | None]:
    spec = SPECS["config"]
    if cli.get("config"):
        return _resolve(Path(str(cli["config"])).expanduser()), Origin("cli", spec.option, "", str(cli["config"]))
    if environ.get(spec.env, "").strip():
        raw = environ[spec.env].strip()
        return _resolve(Path(raw).expanduser()), Origin("env", spec.env, "", raw)
    default = home / CONFIG_FILE_NAME
    return (default, None) if is_file(default) else (None, None)


def is_file(path: Path) -> bool:
    """``path.is_file()``, false for a path the system cannot even look up (too long a name)."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def _resolve(path: Path) -> Path:
    return path if path.is_absolute() else Path.cwd() / path


def _read_config(path: Path | None, origin: Origin | None, problems: list[Problem]) -> Mapping[str, Any] | None:
    """The config file's known keys; {} without one, None when it cannot be read or parsed."""
    if path is None:
        return {}
    spec = SPECS["config"]
    where = origin or Origin("default", spec.name, "", str(path))
    if not is_file(path):
        problems.append(problem(spec, where, "names a file that does not exist", "an existing TOML file, or leave it unset"))
        return None
    try:
        data = read_toml(path)
    except TomlError as exc:
        problems.append(Problem("config", f"{exc}; fix: correct the file or point {spec.option} elsewhere"))
        return None
    except OSError as exc:
        problems.append(Problem("config", f"{path} cannot be read ({exc.strerror}); fix: check its permissions"))
        return None
    known = {s.name for s in SETTINGS if "config" in s.layers}
    for key in data:
        if key not in known:
            problems.append(Problem("config", f"{path} has unknown setting {key!r}; fix: {_suggest(key, known)}"))
    return {k: v for k, v in data.items() if k in known}


class TomlError(ValueError):
    """A TOML file that does not parse; the text names the file and says why."""


def read_toml(path: Path) -> dict[str, Any]:
    """Return the TOML file at ``path`` with floats as exact decimals; raise ``TomlError`` if it does not parse."""
    with path.open("rb") as handle:
        try:
            return tomllib.load(handle, parse_float=Decimal)
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise TomlError(f"{path} is not valid TOML ({exc})") from None
        except ValueError as exc:  # tomllib passes int()'s refusal of a 5000-digit integer on
            raise TomlError(f"{path} is not valid TOML ({exc})") from None
        except RecursionError:
            raise TomlError(f"{path} is not valid TOML (arrays or tables nest too deeply)") from None


def _suggest(key: str, known: Iterable[str], *, quote: bool = True) -> str:
    if quote:
        close = difflib.get_close_matches(key.lower().removeprefix(ENV_PREFIX.lower()), sorted(known), n=1)
    else:
        close = difflib.get_close_matches(key.upper(), sorted(known), n=1)
    if close:
        return f"rename it to {close[0]!r}" if quote else f"rename it to {close[0]}"
    return "remove it (see `logos validate-config --help` for the settings)"


def default_settings_table() -> list[tuple[str, str, str, str, str, str]]:
    """Return (config key, option, environment name, default, accepted values, help) per setting, for docs."""
    rows = []
    for spec in SETTINGS:
        option = spec.option if spec.on_cli else "-"
        default = "(secret)" if spec.secret else (str(spec.default) if spec.default != "" else "-")
        key = spec.name if "config" in spec.layers else "-"
        rows.append((key, option, spec.env, default, spec.kind.expect, spec.help))
    return rows


def settings_table_markdown() -> str:
    """Return the settings reference as a Markdown table (the runbook embeds it verbatim)."""
    lines = ["| config key | option | environment | default | accepted values | what it sets |", "|---|---|---|---|---|---|"]
    for key, option, env, default, accepted, help_text in default_settings_table():
        row = f"| `{key}` | `{option}` | `{env}` | `{default}` | {accepted.replace('|', chr(92) + '|')} | {help_text} |"
        lines.append(row.replace("`-`", "-"))
    return "\n".join(lines) + "\n"


def env_seed(environ: Mapping[str, str] | None = None) -> int:
    """Return the seed ``LOGOS_SEED`` gives, else the fixed default; parsed as the ``seed`` setting is.

    Every random choice in Logos draws from the seed so reruns are identical. A session takes
    its seed from the settings (``--seed``, ``.env`` and ``logos.toml`` too); this is the same
    parser for code that reads only the environment. Raise ``ValueError`` (one line) on a bad value.
    """
    environ = os.environ if environ is None else environ
    spec = SPECS["seed"]
    if spec.env not in environ:
        return paths.DEFAULT_SEED
    raw = environ[spec.env]  # an empty value counts as given, as for every setting
    try:
        return int(spec.kind.parse(raw))
    except Invalid as exc:
        raise ValueError(str(problem(spec, Origin("env", spec.env, "", raw), str(exc)))) from None
