"""Planted secrets never leave: no output, no exception message, no log record, no file.

Every command this package owns runs here, on its healthy and its failing paths, with
recognizable fake credentials planted in the environment, ``.env`` and the config file.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import ccxt
import pytest
import requests  # noqa: F401 - urllib3 probes IPv6 with a socket on import; do it before sockets are blocked
import responses
from test_adapter_alpaca import ACCOUNT
from test_adapter_ccxt import SYMBOLS_TOML, StandInBinance
from typer.testing import CliRunner

from logos.adapters import ccxt_check
from logos.adapters.alpaca_check import PAPER_ACCOUNT_URL
from logos.cli import app
from logos.config.settings import SETTINGS

pytestmark = pytest.mark.filterwarnings("ignore:A test tried to use socket", "ignore:websockets.legacy is deprecated")

CCXT_KEY = "APIKEY-PLANTED-7c1e"
CCXT_SECRET = "SECRETKEY-PLANTED-9f3a"
CCXT_PASSWORD = "PASSWORD-PLANTED-55aa"
ALPACA_KEY = "PKPLANTED9F3A7C1E"
ALPACA_SECRET = "ALPACASECRET-PLANTED-0b2d"
PLANTED = (CCXT_KEY, CCXT_SECRET, CCXT_PASSWORD, ALPACA_KEY, ALPACA_SECRET)


class ChattyBinance(StandInBinance):
    """A stand-in whose balance call goes through ccxt's real signing, logging and HTTP code."""

    fetch_balance = ccxt.binance.fetch_balance
    fetch = ccxt.binance.fetch


class EchoingBinance(StandInBinance):
    """A stand-in whose exchange echoes the request, keys and all, in its error."""

    def fetch_balance(self, params=None):
        raise ccxt.ExchangeError(f"binance GET https://api/v3/account?apiKey={CCXT_KEY}&secret={CCXT_SECRET} {{'X-MBX-APIKEY': '{CCXT_KEY}'}}")


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for spec in SETTINGS:
        monkeypatch.delenv(spec.env, raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "symbols.toml").write_text(SYMBOLS_TOML.format(step="0.00001"))
    (tmp_path / "logos.toml").write_text(f'symbols = ["BTC/USDT"]\nccxt_password = "{CCXT_PASSWORD}"\n')
    (tmp_path / ".env").write_text(f"CCXT_API_SECRET={CCXT_SECRET}\nALPACA_SECRET_KEY={ALPACA_SECRET}\n")
    monkeypatch.setenv("CCXT_EXCHANGE", "binance")
    monkeypatch.setenv("CCXT_API_KEY", CCXT_KEY)
    monkeypatch.setenv("ALPACA_KEY_ID", ALPACA_KEY)
    return tmp_path


def scenarios(home: Path, monkeypatch: pytest.MonkeyPatch):
    """Yield (name, setup, argv, env) for every command and path this package owns."""
    h = ["--home", str(home)]

    def exchange(cls):
        return lambda mock: monkeypatch.setattr(ccxt_check, "new_exchange", lambda exchange_id, config: cls(config))

    def real_exchange(mock):
        monkeypatch.setattr(ccxt_check, "new_exchange", REAL_NEW_EXCHANGE)

    def nothing(mock):
        pass

    def alpaca(**kwargs):
        def setup(mock):
            mock.get(PAPER_ACCOUNT_URL, **kwargs)

        return setup

    yield "validate ok", nothing, ["validate-config", *h, "--adapter", "ccxt"], {}
    yield "validate problems", nothing, ["validate-config", *h, "--adapter", "alpaca", "--max-notional", "0"], {"ALPACA_KEY_ID": "AK" + ALPACA_KEY[2:]}
    yield "validate malformed", nothing, ["validate-config", *h], {"CCXT_API_KEY": f'"{CCXT_KEY}"', "ALPACA_SECRET_KEY": f"{ALPACA_SECRET} x"}
    yield "ccxt healthy", exchange(StandInBinance), ["adapters", "check", "ccxt", *h, "--dry-run"], {}
    yield "ccxt real signing offline", exchange(ChattyBinance), ["adapters", "check", "ccxt", *h, "--dry-run"], {}
    yield "ccxt echoed keys", exchange(EchoingBinance), ["adapters", "check", "ccxt", *h, "--dry-run"], {}
    yield "ccxt real offline", real_exchange, ["adapters", "check", "ccxt", *h, "--dry-run"], {}
    yield "ccxt needs password", real_exchange, ["adapters", "check", "ccxt", *h, "--dry-run"], {"CCXT_EXCHANGE": "kucoin"}
    yield "ccxt no dry-run", nothing, ["adapters", "check", "ccxt", *h], {}
    yield "alpaca healthy", alpaca(json=ACCOUNT), ["adapters", "check", "alpaca", *h, "--dry-run"], {}
    yield "alpaca rejected", alpaca(status=403, body=json.dumps({"message": f"forbidden {ALPACA_KEY} {ALPACA_SECRET}"})), ["adapters", "check", "alpaca", *h, "--dry-run"], {}
    yield "alpaca server error", alpaca(status=500, body=f"oops {ALPACA_KEY}:{ALPACA_SECRET}"), ["adapters", "check", "alpaca", *h, "--dry-run"], {}
    yield "alpaca refused", alpaca(body=requests.ConnectionError(f"refused for {ALPACA_KEY}")), ["adapters", "check", "alpaca", *h, "--dry-run"], {}
    yield "ib stub", nothing, ["adapters", "check", "ib", "--dry-run"], {}


REAL_NEW_EXCHANGE = ccxt_check.new_exchange


def test_every_command_with_planted_secrets_never_shows_them(home, monkeypatch, caplog):
    # Arrange
    caplog.set_level(logging.DEBUG)
    seen_exit_codes = {}

    for name, setup, argv, env in scenarios(home, monkeypatch):
        with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
            setup(mock)

            # Act
            result = CliRunner().invoke(app, argv, env=env)

        # Assert
        seen_exit_codes[name] = result.exit_code
        texts = [result.stdout, result.stderr, repr(result.exception), str(result.exception)]
        for secret in PLANTED:
            assert all(secret not in text for text in texts), f"{name}: {secret} leaked in {texts}"
        assert "Traceback" not in result.output, name

    # Assert: the failing paths failed, the healthy ones did not, and nothing leaked anywhere else
    assert seen_exit_codes == {
        "validate ok": 0,
        "validate problems": 2,
        "validate malformed": 2,
        "ccxt healthy": 0,
        "ccxt real signing offline": 1,
        "ccxt echoed keys": 1,
        "ccxt real offline": 1,
        "ccxt needs password": 2,
        "ccxt no dry-run": 2,
        "alpaca healthy": 0,
        "alpaca rejected": 1,
        "alpaca server error": 1,
        "alpaca refused": 1,
        "ib stub": 2,
    }
    logged = "\n".join(f"{r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
    assert any("Request" in r.getMessage() for r in caplog.records), "ccxt's request log line should have been captured (and scrubbed)"
    for secret in PLANTED:
        assert secret not in logged
    planted_files = {home / "logos.toml", home / ".env"}
    for path in home.rglob("*"):
        if path.is_file() and path not in planted_files:
            assert all(secret not in path.read_text(errors="replace") for secret in PLANTED), path
