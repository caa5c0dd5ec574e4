"""`logos validate-config`: every problem kind is one line naming the setting and the fix."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
import requests  # noqa: F401 - urllib3 probes IPv6 with a socket on import; do it before sockets are blocked
from typer.testing import CliRunner

from logos.cli import app
from logos.config.settings import SETTINGS, load_settings
from logos.config.symbols import SymbolTableError, load_symbol_specs, load_symbol_table
from logos.adapters.checks import VENUES
from logos.config.validation import validate

SYMBOLS_TOML = """
[symbols.AAPL]
asset_class = "equity"
price_tick = "0.01"
qty_step = "1"
lot_size = "1"
min_notional = "1"
max_order_notional = "1000000"
cash_step = "0.01"

[symbols."BTC/USDT"]
asset_class = "crypto"
price_tick = "0.01"
qty_step = "0.00001"
lot_size = "0.00001"
min_notional = "5"
max_order_notional = "1000000"
cash_step = "0.00000001"
"""


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A home with metadata and cache fixtures for AAPL and BTC/USDT, and a clean environment."""
    for spec in SETTINGS:
        monkeypatch.delenv(spec.env, raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data" / "cache" / "equity").mkdir(parents=True)
    (tmp_path / "data" / "cache" / "crypto").mkdir(parents=True)
    (tmp_path / "data" / "symbols.toml").write_text(SYMBOLS_TOML)
    (tmp_path / "data" / "cache" / "equity" / "AAPL_1m.csv").write_text("ts,open,high,low,close,volume\n")
    (tmp_path / "data" / "cache" / "crypto" / "BTC-USDT_1m.csv").write_text("ts,open,high,low,close,volume\n")
    (tmp_path / "logos.toml").write_text('symbols = ["AAPL", "BTC/USDT"]\n')
    return tmp_path


def run(home: Path, *args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(app, ["validate-config", "--home", str(home), *args], env=env)


def assert_problem(result, setting: str, *fragments: str) -> None:
    """Assert exit 2 and one ``error:`` line on stderr naming ``setting`` that holds every fragment and a fix."""
    assert result.exit_code == 2, result.output
    lines = [line for line in result.stderr.splitlines() if line.startswith(f"error: {setting}: ")]
    assert any("; fix: " in line and all(f in line for f in fragments) for line in lines), result.stdout


def test_validate_config_with_sound_configuration_exits_0_with_a_summary(home):
    result = run(home)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("configuration OK")
    assert "AAPL, BTC/USDT" in result.stdout


def test_validate_config_with_negative_limit_names_setting_and_fix(home):
    result = run(home, env={"LOGOS_MAX_NOTIONAL": "-5"})
    assert_problem(result, "max_notional", "LOGOS_MAX_NOTIONAL='-5'", "must be greater than 0", "fix: set LOGOS_MAX_NOTIONAL to a decimal greater than 0 and at most 1000000000000, with at most 10 decimal places, such as 25000")


def test_validate_config_with_non_numeric_limit_names_setting_and_fix(home):
    result = run(home, env={"LOGOS_MAX_EXPOSURE": "abc"})
    assert_problem(result, "max_exposure", "is not a number", "fix: set LOGOS_MAX_EXPOSURE to a decimal greater than 0")


@pytest.mark.parametrize("value", ["0", "none", ""])
def test_validate_config_with_notional_cap_off_reports_it_unsafe(home, value):
    result = run(home, env={"LOGOS_MAX_NOTIONAL": value})
    assert_problem(result, "max_notional", "turns the per-order notional cap off, which is unsafe", "fix: set LOGOS_MAX_NOTIONAL to")


def test_validate_config_with_zero_drawdown_limit_reports_it_unsafe(home):
    result = run(home, "--max-drawdown-bps", "0")
    assert_problem(result, "max_drawdown_bps", "turns the drawdown limit off", "fix: change --max-drawdown-bps to a decimal greater than 0 and at most 10000")


def test_validate_config_with_bad_enum_lists_the_choices(home):
    result = run(home, "--order-type", "stop")
    assert_problem(result, "order_type", "'stop' is not one of market, limit", "fix: change --order-type to one of")


def test_validate_config_with_an_unknown_strategy_names_the_close_one_and_the_forms(home):
    result = run(home, "--strategy", "momentun")
    assert_problem(
        result, "strategy", "option --strategy 'momentun' cannot be loaded: no strategy is called 'momentun' (did you mean 'momentum'?)",
        "fix: change --strategy to a built-in (momentum, mean_reversion, pairs_trading), an installed name, package.module:Class or path/to/file.py:Class",
    )


def test_validate_config_with_a_parameter_the_strategy_lacks_names_it_and_the_close_one(home):
    result = run(home, "--params", '{"fats": 3}')
    assert_problem(result, "params", "does not suit strategy momentum: momentum has no parameter 'fats'; did you mean 'fast' (an int >= 1)?")


def test_validate_config_with_bad_json_params_reports_json_error(home):
    result = run(home, "--params", "{fast: 10}")
    assert_problem(result, "params", "is not valid JSON", "fix: change --params to a JSON object")


def test_validate_config_with_json_list_params_reports_not_an_object(home):
    (home / "logos.toml").write_text('params = "[1, 2]"\n')
    result = run(home)
    assert_problem(result, "params", "is a JSON list, not an object", f"fix: set params in {home / 'logos.toml'} to a JSON object")


def test_validate_config_with_bad_integer_in_dotenv_names_the_file(home):
    (home / ".env").write_text("LOGOS_LIMIT_TTL_BARS=0\n")
    result = run(home)
    assert_problem(result, "limit_ttl_bars", "must be at least 1", f"fix: set LOGOS_LIMIT_TTL_BARS in {home / '.env'} to a whole number from 1 to 100000")


def test_validate_config_with_kill_switch_in_missing_folder_reports_it(home):
    result = run(home, "--kill-switch-file", "no/such/dir/KILL")
    assert_problem(result, "kill_switch_file", "folder that does not exist", "fix: create", "change --kill-switch-file to a path in an existing folder")


def test_validate_config_with_symbol_without_metadata_names_the_file(home):
    result = run(home, "--symbol", "AAPL", "--symbol", "DOGE/USDT")
    assert_problem(result, "symbols", "'DOGE/USDT' has no metadata in", "symbols.toml", 'add a [symbols."DOGE/USDT"] table', "remove DOGE/USDT from --symbol")


def test_validate_config_with_missing_cache_fixture_names_the_file(home):
    (home / "data" / "cache" / "crypto" / "BTC-USDT_1m.csv").unlink()
    result = run(home)
    assert_problem(result, "feed", "no fixture for BTC/USDT", "BTC-USDT_1m.csv", "fix: add that file")


def test_validate_config_with_ccxt_feed_and_equity_symbol_reports_it(home):
    result = run(home, "--feed", "ccxt")
    assert_problem(result, "feed", "ccxt serves crypto only, but AAPL is equity", "fix: drop AAPL")


@pytest.mark.parametrize("feed", ["ccxt", "yfinance"])
def test_validate_config_with_a_polled_feed_and_same_close_fills_refuses_them(home, feed):
    # A polled bar is seen after its close: a fill at that close predates the decision.
    result = run(home, "--feed", feed, "--symbol", "BTC/USDT", "--fill-at", "same_close")
    assert_problem(result, "fill_at", "same_close fills at the close the order was decided on", "fix: drop --fill-at (next_open is the default)")


def test_validate_config_with_malformed_symbols_file_names_file_and_symbol(home):
    (home / "data" / "symbols.toml").write_text(SYMBOLS_TOML.replace('price_tick = "0.01"', 'price_tick = "abc"', 1))
    result = run(home)
    assert_problem(result, "symbols", "symbols.toml", "symbol 'AAPL'", "price_tick = 'abc' is not a decimal")


def test_validate_config_with_missing_config_file_reports_it(home):
    result = run(home, "--config", "nope.toml")
    assert_problem(result, "config", "names a file that does not exist", "fix: change --config to an existing TOML file")


def test_validate_config_with_invalid_toml_reports_it(home):
    (home / "logos.toml").write_text("max_notional = = 5\n")
    result = run(home)
    assert_problem(result, "config", "is not valid TOML", "fix: correct the file")


def test_validate_config_with_missing_home_reports_it(home):
    result = run(home / "nowhere")
    assert_problem(result, "home", "is not an existing folder", "fix: create it")


def test_validate_config_with_ccxt_adapter_and_no_credentials_lists_each(home):
    result = run(home, "--adapter", "ccxt")
    for setting, env in (("ccxt_exchange", "CCXT_EXCHANGE"), ("ccxt_api_key", "CCXT_API_KEY"), ("ccxt_api_secret", "CCXT_API_SECRET")):
        assert_problem(result, setting, "not set", f"{env} in the environment or .env")


def test_validate_config_with_unknown_ccxt_exchange_reports_it(home):
    result = run(home, "--adapter", "ccxt", env={"CCXT_EXCHANGE": "binanse", "CCXT_API_KEY": "k" * 16, "CCXT_API_SECRET": "s" * 16})
    assert_problem(result, "ccxt_exchange", "'binanse' is not a ccxt exchange", "fix: set CCXT_EXCHANGE to an id")


def test_validate_config_with_exchange_needing_password_asks_for_it(home):
    result = run(home, "--adapter", "ccxt", env={"CCXT_EXCHANGE": "okx", "CCXT_API_KEY": "k" * 16, "CCXT_API_SECRET": "s" * 16})
    assert_problem(result, "ccxt_password", "okx requires a password", "fix: set", "CCXT_PASSWORD")


def test_validate_config_with_sandbox_on_exchange_without_one_says_so(home):
    result = run(home, "--adapter", "ccxt", env={"CCXT_EXCHANGE": "kraken", "CCXT_API_KEY": "k" * 16, "CCXT_API_SECRET": "s" * 16})
    assert_problem(result, "ccxt_sandbox", "kraken has no sandbox", "to false")


def test_validate_config_with_malformed_credential_reports_it_masked(home):
    result = run(home, env={"CCXT_API_KEY": "abc def-9f3a-long"})
    assert_problem(result, "ccxt_api_key", "contains whitespace", "fix: set CCXT_API_KEY to the value your broker issued")
    assert "abc def" not in result.output


def test_validate_config_with_alpaca_adapter_and_no_credentials_lists_each(home):
    result = run(home, "--adapter", "alpaca")
    assert_problem(result, "alpaca_key_id", "not set", "ALPACA_KEY_ID")
    assert_problem(result, "alpaca_secret_key", "not set", "ALPACA_SECRET_KEY")


def test_validate_config_with_alpaca_live_key_refuses_it(home):
    result = run(home, "--adapter", "alpaca", env={"ALPACA_KEY_ID": "AKLIVEKEY0123456789", "ALPACA_SECRET_KEY": "s" * 30})
    assert_problem(result, "alpaca_key_id", "live-trading key", "fix: use a paper key")


def test_validate_config_with_alpaca_paper_false_refuses_it(home):
    env = {"ALPACA_KEY_ID": "PKPAPERKEY0123456789", "ALPACA_SECRET_KEY": "s" * 30, "ALPACA_PAPER": "false"}
    result = run(home, "--adapter", "alpaca", env=env)
    assert_problem(result, "alpaca_paper", "out of scope", "fix: set ALPACA_PAPER to true")


def test_validate_config_with_many_problems_prints_them_all_at_once(home):
    result = run(home, "--order-type", "x", "--fee-bps", "-1", env={"LOGOS_MAX_NOTIONAL": "abc"})
    assert result.exit_code == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert [line.split(":")[1].strip() for line in errors] == ["order_type", "fee_bps", "max_notional"]
    assert "3 configuration problem(s)" in result.stderr


def test_validate_with_ib_adapter_reports_the_stub(home):
    problems = validate(load_settings({"home": str(home)}, environ={}), VENUES, adapter="ib").problems
    assert [p.setting for p in problems] == ["adapter"]
    assert "documented stub" in problems[0].message


def test_load_symbol_table_with_home_file_adds_its_symbols_and_replaces_the_shared_ones(home):
    # Arrange: the home redefines AAPL with another tick and adds a symbol of its own
    own = SYMBOLS_TOML.replace('price_tick = "0.01"', 'price_tick = "0.05"', 1) + SYMBOLS_TOML.split("[symbols.\"BTC/USDT\"]")[0].replace("AAPL", "OWN")
    (home / "data" / "symbols.toml").write_text(own)
    from logos import paths

    bundled = load_symbol_specs(paths.bundled_data_dir() / "symbols.toml")

    # Act
    table = load_symbol_table(home)

    # Assert
    assert table["AAPL"].price_tick == Decimal("0.05") != bundled["AAPL"].price_tick
    assert table["OWN"].asset_class == "equity" and "OWN" not in bundled
    assert {s: table[s] for s in bundled if s not in ("AAPL", "BTC/USDT")} == {s: bundled[s] for s in bundled if s not in ("AAPL", "BTC/USDT")}


def test_trade_with_home_symbol_entry_uses_it_over_the_bundled_one(home):
    # Arrange
    (home / "data" / "symbols.toml").write_text(SYMBOLS_TOML.replace('max_order_notional = "1000000"', 'max_order_notional = "5000"', 1))
    (home / "data" / "cache" / "equity" / "AAPL_1m.csv").write_text("timestamp,open,high,low,close,volume\n")

    # Act
    result = CliRunner().invoke(app, ["trade", "--paper", "--home", str(home), "--symbol", "AAPL", "--session-id", "own"], env={})

    # Assert
    assert result.exit_code == 0, result.output
    snapshot = json.loads((home / "runs" / "live" / "sessions" / "own" / "state.json").read_text())
    assert snapshot["state"]["params"]["specs"]["AAPL"]["max_order_notional"] == "5000"


def test_load_symbol_specs_with_bundled_file_gives_exact_specs():
    from logos import paths

    specs = load_symbol_specs(paths.bundled_data_dir() / "symbols.toml")
    assert specs["BTC/USDT"].qty_step.as_tuple().exponent == -5
    assert specs["AAPL"].asset_class == "equity"


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        (('asset_class = "equity"', 'asset_class = "bond"'), "asset_class 'bond' is not one of"),
        (('lot_size = "1"', 'lot_size = "1.5"'), "lot_size 1.5 is not a multiple of qty_step 1"),
        (('cash_step = "0.01"', 'cash_step = "0.01"\nextra = "1"'), "unknown field extra"),
        (('min_notional = "1"\n', ""), "missing min_notional"),
        (('price_tick = "0.01"', "price_tick = 0"), "price_tick = 0 must be at least 0.0000000001"),
        (('price_tick = "0.01"', 'price_tick = "1e-30"'), "price_tick = '1e-30' must be at least 0.0000000001"),
        (('max_order_notional = "1000000"', 'max_order_notional = "1e999"'), "max_order_notional = '1e999' must be at most 1000000000000"),
        (('qty_step = "1"', 'qty_step = "0.50000000000000000001"'), "qty_step = '0.50000000000000000001' has more than 10 decimal places"),
    ],
)
def test_load_symbol_specs_with_flaw_raises_one_line_naming_file_and_symbol(tmp_path, change, fragment):
    # Arrange
    path = tmp_path / "symbols.toml"
    path.write_text(SYMBOLS_TOML.replace(*change, 1))

    # Act
    with pytest.raises(SymbolTableError) as caught:
        load_symbol_specs(path)

    # Assert
    message = str(caught.value)
    assert "\n" not in message
    assert str(path) in message and "symbol 'AAPL'" in message and fragment in message
