"""The HTTP session yfinance talks through: a capped timeout, every answer recorded, and
(for a mirror or the tests' fake exchange) every Yahoo host replaced by one base URL.

yfinance reaches the network through ``curl_cffi``, which pytest-socket cannot block. With
a base URL set, a request for any host outside Yahoo's is refused here before it is made,
so the session can reach nothing but the base URL. This module imports ``curl_cffi`` and is
imported only when a yfinance feed fetches.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from curl_cffi import requests as curl_requests

from logos.feeds.answers import AnswerLog, answer_of
from logos.feeds.errors import PermanentFetchError


def is_yahoo_host(host: str | None) -> bool:
    return host is not None and (host == "yahoo.com" or host.endswith(".yahoo.com"))


class YahooSession(curl_requests.Session):
    """A browser-like ``curl_cffi`` session (what yfinance uses itself), made safe to wait on."""

    def __init__(self, *, base_url: str, timeout_s: float, answers: AnswerLog) -> None:
        super().__init__(impersonate="chrome")
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s
        self.answers = answers

    def request(self, method: Any, url: str, *args: Any, **kwargs: Any) -> Any:
        asked = kwargs.get("timeout")
        kwargs["timeout"] = min(asked, self.timeout_s) if isinstance(asked, (int, float)) else self.timeout_s
        response = super().request(method, self.target(url), *args, **kwargs)
        self.answers.last = answer_of(response.status_code, response.headers, response.text, url)
        return response

    def target(self, url: str) -> str:
        """Return where a request for ``url`` really goes: the base URL in place of Yahoo's host."""
        if not self.base_url:
            return url
        parts = urlsplit(url)
        if not is_yahoo_host(parts.hostname):
            raise PermanentFetchError(f"yfinance asked for {parts.scheme}://{parts.hostname}, which is not Yahoo; it is not sent to --yfinance-base-url")
        return self.base_url + (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
