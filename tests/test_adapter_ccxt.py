"""`logos adapters check ccxt --dry-run`: reads metadata, checks a sample order, never orders."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ccxt
import pytest
import requests  # noqa: F401 - urllib3 probes IPv6 with a socket on import; do it before sockets are blocked
from typer.testing import CliRunner

from logos.adapters import ccxt_check
from logos.adapters.readonly import ALPACA_READ_ONLY, CCXT_READ_ONLY, NotOnAllowList
from logos.cli import app
from logos.config.settings import SETTINGS, load_settings

PLANTED_KEY = "APIKEY-PLANTED-7c1e"
PLANTED_SECRET = "SECRETKEY-PLANTED-9f3a"
ORDER_PREFIXES = ("create", "cancel", "edit", "withdraw", "transfer", "submit", "replace", "close")

SYMBOLS_TOML = """
[symbols."BTC/USDT"]
asset_class = "crypto"
price_tick = "0.01"
qty_step = "{step}"
lot_size = "{step}"
min_notional = "5"
max_order_notional = "1000000"
cash_step = "0.00000001"

[symbols."ETH/USDT"]
asset_class = "crypto"
price_tick = "0.01"
qty_step = "0.0001"
lot_size = "0.0001"
min_notional = "5"
max_order_notional = "1000000"
cash_step = "0.00000001"
"""


def market(symbol: str, amount_step: float, cost_min: float) -> dict[str, Any]:
    base, quote = symbol.split("/")
    return {
        "id": base + quote, "symbol": symbol, "base": base, "quote": quote, "baseId": base, "quoteId": quote,
        "type": "spot", "spot": True, "active": True,
        "precision": {"amount": amount_step, "price": 0.01},
        "limits": {"amount": {"min": amount_step, "max": 9000.0}, "price": {"min": 0.01, "max": 1000000.0}, "cost": {"min": cost_min, "max": None}},
    }


MARKETS = [market("BTC/USDT", 0.00001, 5.0), market("ETH/USDT", 0.0001, 5.0)]


class StandInBinance(ccxt.binance):
    """A real ccxt binance whose network methods are replaced and whose every access is recorded."""

    markets_fixture: list[dict[str, Any]] = MARKETS
    balance_error: Exception | None = None
    instances: list[StandInBinance] = []

    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__(config)
        self.accessed: list[str] = []
        self.http_calls: list[str] = []
        self.load_markets_calls = 0
        StandInBinance.instances.append(self)

    def __getattribute__(self, name: str) -> Any:
        accessed = object.__getattribute__(self, "__dict__").get("accessed")
        if accessed is not None and not name.startswith("_"):
            accessed.append(name)
        return super().__getattribute__(name)

    def fetch(self, url, method="GET", headers=None, body=None):  # the HTTP layer: must stay unused
        self.http_calls.append(url)
        raise AssertionError("the stand-in must not reach HTTP")

    def load_markets(self, reload=False, params=None):
        self.load_markets_calls += 1
        self.set_markets(self.markets_fixture)
        return self.markets

    def fetch_balance(self, params=None):
        if self.balance_error is not None:
            raise self.balance_error
        return {"info": {}, "USDT": {"free": 100.0, "used": 0.0, "total": 100.0}}

    def fetch_ticker(self, symbol, params=None):
        return {"symbol": symbol, "last": 65000.123 if symbol.startswith("BTC") else 3000.5}


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for spec in SETTINGS:
        monkeypatch.delenv(spec.env, raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "symbols.toml").write_text(SYMBOLS_TOML.format(step="0.00001"))
    (tmp_path / "logos.toml").write_text('symbols = ["BTC/USDT", "ETH/USDT"]\n')
    StandInBinance.instances = []
    StandInBinance.balance_error = None
    StandInBinance.markets_fixture = MARKETS
    return tmp_path


@pytest.fixture
def stand_in(monkeypatch: pytest.MonkeyPatch) -> type[StandInBinance]:
    monkeypatch.setattr(ccxt_check, "new_exchange", lambda exchange_id, config: StandInBinance(config))
    return StandInBinance


CREDENTIALS = {"CCXT_EXCHANGE": "binance", "CCXT_API_KEY": PLANTED_KEY, "CCXT_API_SECRET": PLANTED_SECRET}


def run(home: Path, *args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(app, ["adapters", "check", "ccxt", "--home", str(home), *args], env={**CREDENTIALS, **(env or {})})


def test_check_ccxt_with_healthy_stand_in_reports_health_and_sends_nothing(home, stand_in):
    # Act
    result = run(home, "--dry-run")

    # Assert
    assert result.exit_code == 0, result.output
    assert "binance (sandbox)" in result.stdout
    assert "markets       2 loaded" in result.stdout
    assert "buy 0.00008 BTC/USDT limit @ 65000.12" in result.stdout  # 5 USDT minimum cost, rounded up to the lot
    assert "precision and limits ok" in result.stdout
    assert result.stdout.rstrip().endswith("healthy: no order was sent")
    [exchange] = stand_in.instances
    assert exchange.load_markets_calls == 1
    assert exchange.http_calls == []
    assert not [name for name in exchange.accessed if name.startswith(ORDER_PREFIXES)]


def test_check_ccxt_with_symbol_option_samples_that_symbol(home, stand_in):
    result = run(home, "--dry-run", "--symbol", "ETH/USDT")
    assert result.exit_code == 0, result.output
    assert "buy 0.0017 ETH/USDT limit @ 3000.50" in result.stdout


def test_check_ccxt_without_dry_run_refuses_before_building_anything(home, stand_in):
    result = run(home)
    assert result.exit_code == 2
    assert "runs only with --dry-run" in result.stderr
    assert stand_in.instances == []


def test_read_only_view_with_order_method_refuses_it(home, stand_in):
    # Arrange
    settings = load_settings({"home": str(home)}, environ=CREDENTIALS)
    exchange, problems, _ = ccxt_check.prepare(settings)
    assert problems == []

    # Act / Assert
    for name in ("create_order", "cancel_order", "edit_order", "create_market_buy_order", "withdraw", "fetch"):
        with pytest.raises(NotOnAllowList):
            getattr(exchange, name)
    with pytest.raises(NotOnAllowList):
        exchange.markets = {}
    assert not [name for name in dir(exchange) if name.startswith(ORDER_PREFIXES)]


def test_read_only_allow_lists_hold_no_order_method():
    assert not [name for name in CCXT_READ_ONLY | ALPACA_READ_ONLY if name.startswith(ORDER_PREFIXES)]


@pytest.mark.filterwarnings("ignore:A test tried to use socket")  # the blocked request is the point
def test_check_ccxt_with_no_network_says_so_in_one_line(home):
    # Arrange: the real ccxt binance; pytest-socket blocks its request

    # Act
    result = run(home, "--dry-run")

    # Assert
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("ccxt: could not reach binance to load binance's markets")
    assert "Traceback" not in result.output


def test_check_ccxt_with_rejected_keys_reports_them_scrubbed(home, stand_in):
    # Arrange
    stand_in.balance_error = ccxt.AuthenticationError(f'binance {{"code":-2015,"msg":"Invalid API-key {PLANTED_KEY}, IP, or permissions"}}')

    # Act
    result = run(home, "--dry-run")

    # Assert
    assert result.exit_code == 1
    assert "rejected the credentials" in result.stderr
    assert "****1e" in result.stderr
    assert PLANTED_KEY not in result.output


def test_check_ccxt_with_lot_finer_than_venue_precision_is_unhealthy(home, stand_in):
    # Arrange
    (home / "data" / "symbols.toml").write_text(SYMBOLS_TOML.format(step="0.000001"))

    # Act
    result = run(home, "--dry-run")

    # Assert
    assert result.exit_code == 1
    assert "unhealthy: amount 0.000077 is not on BTC/USDT's precision (the exchange would send 0.00007)" in result.stdout


def test_check_ccxt_with_symbol_not_listed_is_unhealthy(home, stand_in):
    stand_in.markets_fixture = [market("ETH/USDT", 0.0001, 5.0)]
    result = run(home, "--dry-run")
    assert result.exit_code == 1
    assert "unhealthy: BTC/USDT is not listed on binance" in result.stdout


def test_check_ccxt_with_sandbox_off_notes_the_production_endpoint(home, stand_in):
    result = run(home, "--dry-run", env={"CCXT_SANDBOX": "false"})
    assert result.exit_code == 0, result.output
    assert "binance (production)" in result.stdout
    assert "sandbox off: production endpoint, read-only calls only" in result.stdout


def test_check_ccxt_with_exchange_needing_password_asks_for_it_without_contact(home):
    result = run(home, "--dry-run", env={"CCXT_EXCHANGE": "okx"})
    assert result.exit_code == 2
    assert result.stdout.startswith("ccxt_password: okx requires a password (API passphrase); fix: set")
    assert "nothing was contacted" in result.stderr


def test_check_ccxt_with_sandbox_requested_on_exchange_without_one_says_so(home):
    result = run(home, "--dry-run", env={"CCXT_EXCHANGE": "kraken"})
    assert result.exit_code == 2
    assert "ccxt_sandbox: kraken has no sandbox/testnet in ccxt; fix:" in result.stdout


def test_check_ccxt_with_missing_credentials_lists_them(home):
    result = CliRunner().invoke(app, ["adapters", "check", "ccxt", "--home", str(home), "--dry-run"], env={"CCXT_EXCHANGE": "binance"})
    assert result.exit_code == 2
    assert [line.split(":")[0] for line in result.stdout.splitlines()] == ["ccxt_api_key", "ccxt_api_secret"]


def test_sample_intent_with_venue_minimum_above_our_lot_uses_the_venue_minimum():
    # Arrange
    venue = market("BTC/USDT", 0.001, 1.0)

    # Act
    intent = ccxt_check.sample_intent("BTC/USDT", None, venue, price=ccxt_check.Decimal("100"))

    # Assert
    assert intent.qty == ccxt_check.Decimal("0.010")
    assert intent.notional == intent.qty * intent.limit_price
    assert intent.annotations == ("dry-run sample: never sent",)


def test_logos_help_with_fresh_interpreter_imports_no_vendor_library():
    import subprocess
    import sys

    code = "import sys; from logos.cli import app; print(sorted(m for m in ('ccxt', 'alpaca') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
