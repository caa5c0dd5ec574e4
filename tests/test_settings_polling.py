"""The polled-feed settings: one name everywhere, defaults that follow the bar interval, URL checks."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from logos.config.settings import INTERVAL_SECONDS, SPECS, load_settings
from session_helpers import invoke, one_line_error

NEW = ("interval", "poll_interval_s", "request_timeout_s", "ccxt_base_url", "yfinance_base_url")


@pytest.mark.parametrize("name", NEW)
def test_polling_setting_has_one_name_as_config_key_option_and_environment_variable(name):
    spec = SPECS[name]

    assert (spec.option, spec.env) == ("--" + name.replace("_", "-"), "LOGOS_" + name.upper())
    assert load_settings(environ={spec.env: "1m" if name == "interval" else "7" if name.endswith("_s") else "http://127.0.0.1:1"}).problems == ()


@given(interval=st.sampled_from(sorted(INTERVAL_SECONDS)))
def test_defaults_with_any_interval_follow_it_and_keep_the_one_minute_values(interval):
    settings = load_settings({"interval": interval}, environ={})
    seconds = INTERVAL_SECONDS[interval]

    assert settings.interval_s == seconds
    assert settings.stale_after_s == max(5 * seconds, 30)
    assert settings.poll_interval_s == min(max(seconds // 4, 1), 60)
    if interval == "1m":
        assert (settings.stale_after_s, settings.poll_interval_s) == (300, 15)


@given(interval=st.sampled_from(sorted(INTERVAL_SECONDS)), stale=st.integers(1, 10**6), poll=st.integers(1, 3600))
def test_defaults_with_values_given_keep_the_given_values_whatever_the_interval(interval, stale, poll):
    settings = load_settings({"interval": interval, "poll_interval_s": str(poll)}, environ={"LOGOS_STALE_AFTER_S": str(stale)})

    assert (settings.stale_after_s, settings.poll_interval_s) == (stale, poll)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("ftp://mirror.example", "is not an http:// or https:// URL"),
        ("mirror.example", "is not an http:// or https:// URL"),
        ("https://user:hunter2@mirror.example", "carries a user name or password"),
        ("https://mirror.example/api?key=1", "has a query or fragment"),
    ],
)
def test_base_url_with_an_unusable_value_is_one_line_naming_it_and_never_echoing_a_password(tmp_path, value, reason):
    result = invoke(["trade", "--paper", "--feed", "ccxt", "--symbol", "BTC/USDT", "--ccxt-base-url", value], LOGOS_HOME=str(tmp_path))

    line = one_line_error(result.stderr)
    assert result.exit_code == 2
    assert line.startswith("error: ccxt_base_url: option --ccxt-base-url ") and reason in line
    assert "hunter2" not in result.output + result.stderr
    assert list(tmp_path.iterdir()) == [], "nothing was written"


def test_base_url_with_a_trailing_slash_is_kept_without_it():
    assert load_settings({"yfinance_base_url": "http://127.0.0.1:8080/yahoo/"}, environ={}).yfinance_base_url == "http://127.0.0.1:8080/yahoo"
