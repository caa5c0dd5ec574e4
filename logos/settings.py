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
- ``<home>/.env`` is parsed with python-dotenv's ``dotenv_values`` and is never copied into
  ``os.environ``.
- An empty value counts as given: ``LOGOS_MAX_NOTIONAL=`` switches the cap off, which the
  loader reports as unsafe instead of silently falling back to the default.
- A malformed value never raises here: it is collected in ``Settings.problems`` (one line
  naming the setting, where the value came from and how to fix it) and the field keeps its
  default. ``logos.validation.validate`` adds the checks that need the file system.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from decimal import Decimal, InvalidOperation
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

from logos import paths
from logos.secrets import Secret, mask

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
    return str(raw).strip()


_OFF_WORDS = {"", "none", "null", "off", "no", "false"}


def decimal_kind(low: Decimal, *, high: Decimal | None = None, low_open: bool = True, cap: str | None = None) -> Kind:
    """A decimal in ``(low, high]`` (``[low, high]`` when not ``low_open``).

    ``cap`` names a safety limit: turning it off (0, none, empty) is reported as unsafe.
    """
    low_text = f"greater than {low}" if low_open else f"at least {low}"
    expect = f"a decimal {'' if low_open else 'of '}{low_text}" + (f" and at most {high}" if high is not None else "")

    def parse(raw: Any) -> Decimal:
        if isinstance(raw, bool):
            raise Invalid("is true/false, not a number")
        text = _text(raw)
        if cap and (text.lower() in _OFF_WORDS or _is_zero(text)):
            raise Invalid(f"turns the {cap} off, which is unsafe")
        if not text:
            raise Invalid("is empty")
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise Invalid("is not a number") from None
        if not value.is_finite():
            raise Invalid("is not a finite number")
        if value < low or (low_open and value == low):
            raise Invalid(f"must be {low_text}")
        if high is not None and value > high:
            raise Invalid(f"must be at most {high}")
        return value

    return Kind(parse, expect, numeric=True, metavar="DECIMAL")


def _is_zero(text: str) -> bool:
    try:
        return Decimal(text) == 0
    except InvalidOperation:
        return False


def int_kind(low: int) -> Kind:
    def parse(raw: Any) -> int:
        if isinstance(raw, bool):
            raise Invalid("is true/false, not a whole number")
        text = _text(raw)
        if not re.fullmatch(r"[+-]?\d+", text):
            raise Invalid("is empty" if not text else "is not a whole number")
        value = int(text)
        if value < low:
            raise Invalid(f"must be at least {low}")
        return value

    return Kind(parse, f"a whole number of at least {low}", numeric=True, metavar="INTEGER")


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


BOOL = Kind(_bool, "true or false", lambda v: "true" if v else "false")


def _seed(raw: Any) -> int:
    if isinstance(raw, bool):
        raise Invalid("is true/false, not a whole number")
    text = _text(raw)
    if not re.fullmatch(r"[+-]?\d+", text):
        raise Invalid("is empty" if not text else "is not a whole number")
    return int(text)


SEED = Kind(_seed, "a whole number such as 42", metavar="INTEGER")


def _path(raw: Any) -> Path:
    text = _text(raw)
    if not text:
        raise Invalid("is empty")
    return Path(text).expanduser()


PATH = Kind(_path, "a file path", metavar="PATH")


def _optional_path(raw: Any) -> Path | None:
    text = _text(raw)
    return Path(text).expanduser() if text else None


OPTIONAL_PATH = Kind(_optional_path, "a file path", lambda v: "" if v is None else str(v), metavar="PATH")

_SYMBOL = re.compile(r"[A-Za-z0-9.\-_=^]+(/[A-Za-z0-9.\-_]+)?")


def _symbols(raw: Any) -> tuple[str, ...]:
    items = raw if isinstance(raw, (list, tuple)) else [raw]
    names: list[str] = []
    for item in items:
        for part in _text(item).split(","):
            name = part.strip()
            if not name:
                continue
            if not _SYMBOL.fullmatch(name):
                raise Invalid(f"has {name!r}, which is not a symbol")
            if name not in names:
                names.append(name)
    if not names:
        raise Invalid("lists no symbol")
    return tuple(names)


SYMBOLS = Kind(_symbols, "a comma-separated list of symbols such as AAPL,MSFT,BTC/USDT", ",".join, metavar="SYMBOL")


def _json_ready(value: Any) -> bool:
    if isinstance(value, dict):
        return all(isinstance(k, str) and _json_ready(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_json_ready(v) for v in value)
    return value is None or isinstance(value, (str, bool, int, Decimal))


def _params(raw: Any) -> Mapping[str, Any]:
    if isinstance(raw, dict):
        value = raw
    else:
        text = _text(raw)
        try:
            value = json.loads(text or "{}", parse_float=Decimal)
        except json.JSONDecodeError as exc:
            raise Invalid(f"is not valid JSON ({exc.msg} at column {exc.colno})") from None
        if not isinstance(value, dict):
            raise Invalid(f"is a JSON {type(value).__name__}, not an object")
    if not _json_ready(value):
        raise Invalid("holds a value JSON cannot carry")
    return MappingProxyType(dict(value))


def canonical_json(value: Mapping[str, Any]) -> str:
    """Return ``value`` as sorted, compact JSON; decimals are written as their exact text."""
    return json.dumps(dict(value), sort_keys=True, separators=(",", ":"), default=str)


PARAMS = Kind(_params, 'a JSON object such as {"fast": 10, "slow": 30}', canonical_json, metavar="JSON")


def _speed(raw: Any) -> str:
    text = _text(raw).lower()
    if text in {"max", "realtime"}:
        return text
    try:
        factor = Decimal(text)
    except InvalidOperation:
        raise Invalid("is not max, realtime or a number") from None
    if not factor.is_finite() or factor <= 0:
        raise Invalid("must be max, realtime or a factor greater than 0")
    return format(factor.normalize(), "f")


SPEED = Kind(_speed, "max, realtime or a positive factor such as 10", metavar="max|realtime|FACTOR")

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
    return Secret(text)


SECRET = Kind(_secret, "the value your broker issued", lambda v: mask(v.reveal()) if v else "(not set)")


def _exchange_id(raw: Any) -> str | None:
    text = _text(raw).lower()
    if not text:
        return None
    if not re.fullmatch(r"[a-z][a-z0-9_]*", text):
        raise Invalid("is not a ccxt exchange id")
    return text


EXCHANGE_ID = Kind(_exchange_id, "a ccxt exchange id such as binance", lambda v: v or "(not set)")


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
    seed: int = _setting(SEED, str(paths.DEFAULT_SEED), "Seed of every random choice; written into session.md.")
    symbols: tuple[str, ...] = _setting(SYMBOLS, "AAPL,MSFT,SPY", "Symbols to trade; repeat --symbol or separate with commas.")
    strategy: str = _setting(choice_kind("momentum", "mean_reversion", "pairs_trading"), "momentum", "Strategy that emits the signals.")
    params: Mapping[str, Any] = _setting(PARAMS, "{}", "Strategy parameters as a JSON object.")
    sizing: str = _setting(choice_kind("notional", "equity_fraction", "units"), "notional", "How a signal becomes a target size.")
    sizing_value: Decimal = _setting(decimal_kind(Decimal(0)), "10000", "Size per signal: notional, fraction of equity, or units.")
    order_type: str = _setting(choice_kind("market", "limit"), "market", "Order type the translator emits.")
    limit_offset_bps: Decimal = _setting(decimal_kind(Decimal(0), low_open=False), "5", "Limit price offset from the decision close, in basis points.")
    limit_ttl_bars: int = _setting(int_kind(1), "5", "Bars a limit order rests before it expires.")
    fill_at: str = _setting(choice_kind("next_open", "same_close"), "next_open", "Price a market order fills at.")
    slippage_bps: Decimal = _setting(decimal_kind(Decimal(0), low_open=False), "1", "Slippage added to market fills, in basis points.")
    fee_bps: Decimal = _setting(decimal_kind(Decimal(0), low_open=False), "1", "Fee on every fill, in basis points.")
    volume_share: Decimal = _setting(decimal_kind(Decimal(0), high=Decimal(1)), "0.25", "Largest share of a bar's volume one order may fill.")
    initial_cash: Decimal = _setting(decimal_kind(Decimal(0)), "100000", "Starting cash of the paper account.")
    max_notional: Decimal = _setting(decimal_kind(Decimal(0), cap="per-order notional cap"), "25000", "Risk: largest notional of one order.")
    max_exposure: Decimal = _setting(decimal_kind(Decimal(0), cap="gross exposure cap"), "100000", "Risk: largest gross exposure across symbols.")
    max_position: Decimal = _setting(decimal_kind(Decimal(0), cap="per-symbol position cap"), "50000", "Risk: largest position notional in one symbol.")
    max_drawdown_bps: Decimal = _setting(
        decimal_kind(Decimal(0), high=Decimal(10000), cap="drawdown limit"), "1000", "Risk: drawdown from peak equity that trips the guard, in basis points."
    )
    drawdown_action: str = _setting(choice_kind("halt", "reduce"), "halt", "Risk: what a drawdown trip does.")
    stale_after_s: int = _setting(int_kind(1), "300", "Risk: seconds without a bar before data counts as stale.")
    kill_switch_file: Path = _setting(PATH, "KILL_SWITCH", "Risk: the session halts while this file exists (relative to home).")
    feed: str = _setting(choice_kind("cache", "yfinance", "ccxt"), "cache", "Where bars come from.")
    speed: str = _setting(SPEED, "max", "Replay speed: max, realtime, or a factor of real time.")
    snapshot_every: int = _setting(int_kind(1), "5000", "Events between state.json snapshots.")
    durability: str = _setting(choice_kind("auto", "always", "end"), "auto", "When the journal is fsync'd.")
    adapter: str = _setting(choice_kind("none", "ccxt", "alpaca"), "none", "Broker adapter whose credentials must be valid.")
    ccxt_exchange: str | None = _credential(EXCHANGE_ID, "ccxt exchange id, e.g. binance.", secret=False)
    ccxt_api_key: Secret | None = _credential(SECRET, "ccxt API key.")
    ccxt_api_secret: Secret | None = _credential(SECRET, "ccxt API secret.")
    ccxt_password: Secret | None = _credential(SECRET, "ccxt API password/passphrase (only exchanges that need one).")
    ccxt_sandbox: bool = _credential(BOOL, "Use the exchange's sandbox/testnet.", default="true", secret=False)
    alpaca_key_id: Secret | None = _credential(SECRET, "Alpaca API key id (paper keys start with PK).")
    alpaca_secret_key: Secret | None = _credential(SECRET, "Alpaca API secret key.")
    alpaca_paper: bool = _credential(BOOL, "Use Alpaca's paper endpoint (live is out of scope).", default="true", secret=False)
    problems: tuple[Problem, ...] = ()
    origins: Mapping[str, Origin] = field(default_factory=dict, repr=False)

    def public_dict(self) -> dict[str, str]:
        """Return every setting as text, secrets masked: for session.md and the config hash."""
        return {spec.name: spec.kind.render(getattr(self, spec.name)) for spec in SETTINGS}

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
        if self.layer == "config":
            return f"set {self.key} in {self.location}"
        if self.layer == "dotenv":
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
    return repr(raw if isinstance(raw, str) else str(raw))


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
    home = _home(given, environ)
    config_path, config_origin = _config_path(home, given, environ)
    config_values = _read_config(config_path, config_origin, problems)
    dotenv_path = home / DOTENV_FILE_NAME
    dotenv = _read_dotenv(dotenv_path)

    layers: list[tuple[str, Mapping[str, Any], str]] = [
        ("config", config_values, str(config_path)),
        ("dotenv", dotenv, str(dotenv_path)),
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

    values["home"] = home
    values["config"] = config_path
    if not values["kill_switch_file"].is_absolute():
        values["kill_switch_file"] = home / values["kill_switch_file"]
    return Settings(**values, problems=tuple(problems), origins=MappingProxyType(origins))


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


def _read_dotenv(path: Path) -> dict[str, str]:
    """``<home>/.env`` as python-dotenv parses it (a key without a value is ""); {} without one."""
    if not path.is_file():
        return {}
    # imported here: python-dotenv is needed only when the home has a .env file; keeps
    # `trade` / `resume` startup short without one
    from dotenv import dotenv_values

    return {k: v or "" for k, v in dotenv_values(path).items()}


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
    return (default, None) if default.is_file() else (None, None)


def _resolve(path: Path) -> Path:
    return path if path.is_absolute() else Path.cwd() / path


def _read_config(path: Path | None, origin: Origin | None, problems: list[Problem]) -> Mapping[str, Any]:
    if path is None:
        return {}
    spec = SPECS["config"]
    where = origin or Origin("default", spec.name, "", str(path))
    if not path.is_file():
        problems.append(problem(spec, where, "names a file that does not exist", "an existing TOML file, or leave it unset"))
        return {}
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle, parse_float=Decimal)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        problems.append(Problem("config", f"{path} is not valid TOML ({exc}); fix: correct the file or point {spec.option} elsewhere"))
        return {}
    except OSError as exc:
        problems.append(Problem("config", f"{path} cannot be read ({exc.strerror}); fix: check its permissions"))
        return {}
    known = {s.name for s in SETTINGS if "config" in s.layers}
    for key in data:
        if key not in known:
            problems.append(Problem("config", f"{path} has unknown setting {key!r}; fix: {_suggest(key, known)}"))
    return {k: v for k, v in data.items() if k in known}


def _suggest(key: str, known: Iterable[str]) -> str:
    lowered = key.lower().removeprefix(ENV_PREFIX.lower())
    close = difflib.get_close_matches(lowered, sorted(known), n=1)
    return f"rename it to {close[0]!r}" if close else "remove it (see `logos validate-config --help` for the settings)"


def default_settings_table() -> list[tuple[str, str, str, str, str]]:
    """Return (config key, option, environment name, default, help) per setting, for docs."""
    rows = []
    for spec in SETTINGS:
        option = spec.option if spec.on_cli else "-"
        default = "(secret)" if spec.secret else (str(spec.default) if spec.default != "" else "-")
        key = spec.name if "config" in spec.layers else "-"
        rows.append((key, option, spec.env, default, spec.help))
    return rows


# --- command line -------------------------------------------------------------------------


def setting_options(names: Iterable[str] | None = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Give a typer command one option per command-line setting (all of them, or ``names``).

    The decorated function takes a ``cli`` parameter and receives the options the user gave
    as a mapping for ``load_settings``; its other parameters stay typer parameters. The
    options are plain text here so every value goes through the same parser as the other
    layers and a malformed one becomes a Problem, not a usage error.
    """
    import functools
    import inspect
    import typing

    import typer

    chosen = [s for s in SETTINGS if s.on_cli and (names is None or s.name in set(names))]

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        hints = typing.get_type_hints(func, include_extras=True)
        own = [
            p.replace(kind=inspect.Parameter.KEYWORD_ONLY, annotation=hints.get(p.name, p.annotation))
            for p in inspect.signature(func).parameters.values()
            if p.name != "cli"
        ]
        added = [inspect.Parameter(s.name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=_option(s, typer)) for s in chosen]

        @functools.wraps(func)
        def command(**kwargs: Any) -> Any:
            cli = {s.name: kwargs.pop(s.name) for s in chosen}
            return func(cli=cli, **kwargs)

        del command.__wrapped__  # typer must see the new signature, not the wrapped one
        command.__signature__ = inspect.Signature(own + added)  # type: ignore[attr-defined]
        command.__annotations__ = {p.name: p.annotation for p in own + added}
        return command

    return decorate


def _option(spec: SettingSpec, typer: Any) -> Any:
    from typing import Annotated, Optional

    default = f", default {spec.default}" if spec.default != "" else ""
    # Parentheses, not brackets: typer's help renderer reads brackets as markup.
    text = f"{spec.help} (env {spec.env}{default})"
    value_type = Optional[list[str]] if spec.name == "symbols" else Optional[str]  # noqa: UP007 - typer resolves these at run time
    option = typer.Option(spec.option, help=text, metavar=spec.kind.metavar, show_default=False, rich_help_panel="Settings")
    return Annotated[value_type, option]


def settings_table_markdown() -> str:
    """Return the settings reference as a Markdown table (the runbook embeds it verbatim)."""
    lines = ["| config key | option | environment | default | what it sets |", "|---|---|---|---|---|"]
    for key, option, env, default, help_text in default_settings_table():
        lines.append(f"| `{key}` | `{option}` | `{env}` | `{default}` | {help_text} |".replace("`-`", "-"))
    return "\n".join(lines) + "\n"
