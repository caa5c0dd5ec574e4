"""`logos adapters check alpaca --dry-run`: reads the paper account, builds an order, never submits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests  # noqa: F401 - urllib3 probes IPv6 with a socket on import; do it before sockets are blocked
import responses
from typer.testing import CliRunner

from logos.adapters import alpaca_check
from logos.adapters.alpaca_check import PAPER_ACCOUNT_URL
from logos.adapters.readonly import NotOnAllowList, read_only
from logos.cli import app
from logos.config.settings import SETTINGS

pytestmark = pytest.mark.filterwarnings("ignore:websockets.legacy is deprecated")  # alpaca-py's own import

PLANTED_KEY = "PKPLANTEDKEY7c1e"
PLANTED_SECRET = "SECRETKEY-PLANTED-9f3a"
CREDENTIALS = {"ALPACA_KEY_ID": PLANTED_KEY, "ALPACA_SECRET_KEY": PLANTED_SECRET}
ACCOUNT = {
    "id": "3f1c2d9e-0b7a-4c55-9f0e-2a1b3c4d5e6f",
    "account_number": "PA3XAMPLE01",
    "status": "ACTIVE",
    "currency": "USD",
    "buying_power": "199876.5432",
    "cash": "99938.27",
    "portfolio_value": "99938.27",
    "trading_blocked": False,
    "account_blocked": False,
    "trade_suspended_by_user": False,
}


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for spec in SETTINGS:
        monkeypatch.delenv(spec.env, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def api():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def run(home: Path, *args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(app, ["adapters", "check", "alpaca", "--home", str(home), *args], env={**CREDENTIALS, **(env or {})})


def order_calls(api: responses.RequestsMock) -> list[str]:
    return [call.request.url for call in api.calls if "/v2/orders" in call.request.url]


def test_check_alpaca_with_paper_account_reports_health_and_submits_nothing(home, api):
    # Arrange
    account = api.get(PAPER_ACCOUNT_URL, json=ACCOUNT)
    orders = api.post("https://paper-api.alpaca.markets/v2/orders", json={})

    # Act
    result = run(home, "--dry-run")

    # Assert
    assert result.exit_code == 0, result.output
    assert account.call_count == 1
    assert orders.call_count == 0 and order_calls(api) == []
    assert [call.request.method for call in api.calls] == ["GET"]
    assert "account       ACTIVE" in result.stdout
    assert "buying power  199,877" in result.stdout
    assert "key id        ****1e" in result.stdout
    assert "sample order  buy 1 AAPL market day (built, not submitted)" in result.stdout
    assert result.stdout.rstrip().endswith("healthy: no order was sent")


def test_check_alpaca_with_request_headers_sends_the_keys_only_to_the_vendor(home, api):
    api.get(PAPER_ACCOUNT_URL, json=ACCOUNT)
    run(home, "--dry-run")
    [call] = api.calls
    assert call.request.headers["APCA-API-KEY-ID"] == PLANTED_KEY


def test_check_alpaca_with_blocked_account_is_unhealthy(home, api):
    api.get(PAPER_ACCOUNT_URL, json={**ACCOUNT, "trading_blocked": True})
    result = run(home, "--dry-run")
    assert result.exit_code == 1
    assert "unhealthy: account has trading_blocked set" in result.stdout
    assert order_calls(api) == []


def test_check_alpaca_with_rejected_keys_says_so_in_one_line(home, api):
    # Arrange
    api.get(PAPER_ACCOUNT_URL, status=401, body=json.dumps({"code": 40110000, "message": f"request is not authorized {PLANTED_KEY}"}))

    # Act
    result = run(home, "--dry-run")

    # Assert
    assert result.exit_code == 1
    assert result.stderr == "alpaca: the paper API rejected the credentials (HTTP 401); fix: check ALPACA_KEY_ID and ALPACA_SECRET_KEY are paper keys\n"


def test_check_alpaca_with_server_error_scrubs_the_vendor_message(home, api):
    api.get(PAPER_ACCOUNT_URL, status=500, body=json.dumps({"code": 50010000, "message": f"internal error for key {PLANTED_KEY}"}))
    result = run(home, "--dry-run")
    assert result.exit_code == 1
    assert result.stderr.startswith("alpaca: reading the account failed (APIError:")
    assert "****1e" in result.stderr and PLANTED_KEY not in result.output


def test_check_alpaca_with_connection_refused_says_unreachable_in_one_line(home, api):
    # Arrange: no endpoint registered, so responses refuses the connection

    # Act
    result = run(home, "--dry-run")

    # Assert
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("alpaca: could not reach the paper API")
    assert "Traceback" not in result.output


@pytest.mark.filterwarnings("ignore:A test tried to use socket")  # the blocked request is the point
def test_check_alpaca_with_no_network_says_unreachable_in_one_line(home):
    result = run(home, "--dry-run")
    assert result.exit_code == 1
    assert result.stderr.startswith("alpaca: could not reach the paper API (SocketBlockedError")
    assert result.stderr.count("\n") == 1


def test_check_alpaca_without_dry_run_refuses(home, api):
    result = run(home)
    assert result.exit_code == 2
    assert "runs only with --dry-run" in result.stderr
    assert len(api.calls) == 0


def test_check_alpaca_with_missing_secret_asks_for_it_without_contact(home, api):
    result = CliRunner().invoke(app, ["adapters", "check", "alpaca", "--home", str(home), "--dry-run"], env={"ALPACA_KEY_ID": PLANTED_KEY})
    assert result.exit_code == 2
    assert result.stdout.startswith("alpaca_secret_key: not set; fix: set alpaca_secret_key in logos.toml or ALPACA_SECRET_KEY in the environment or .env")
    assert len(api.calls) == 0


def test_read_only_view_with_alpaca_client_refuses_submit_order(home):
    # Arrange
    client = read_only(alpaca_check.new_trading_client(PLANTED_KEY, PLANTED_SECRET), {"get_account"}, "alpaca")

    # Act / Assert
    for name in ("submit_order", "cancel_orders", "cancel_order_by_id", "replace_order_by_id", "close_all_positions"):
        with pytest.raises(NotOnAllowList):
            getattr(client, name)
    assert PLANTED_SECRET not in repr(client)


def test_build_sample_request_with_lot_gives_a_day_market_buy():
    from alpaca.trading.requests import MarketOrderRequest

    request = alpaca_check.build_sample_request("AAPL", alpaca_check.Decimal(1))
    assert isinstance(request, MarketOrderRequest)
    assert (request.symbol, request.qty, request.side.value, request.time_in_force.value) == ("AAPL", 1.0, "buy", "day")
