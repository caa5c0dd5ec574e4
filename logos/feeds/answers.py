"""What a venue's HTTP answer says about trying again: a ban, a rate limit, an outage.

Neither ccxt nor yfinance keeps what a poller needs to decide (ccxt raises the same
``DDoSProtection`` for Binance's 429 and its 418 ban; yfinance drops the headers), so each
poller records the last answer its own thread received and judges it here, the same way
for both libraries.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Mapping
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from logos.feeds.errors import TransientFetchError, VenueBanned
from logos.feeds.retry import retry_after_seconds

BODY_KEPT = 400  # characters of a body kept for judging it and for the stall reason
# A 403 is a ban only when its page says so (Binance's WAF page, "IP banned until ...").
_BAN_PAGE = re.compile(r"(?i)\bbanned\b|\bban\b|\bWAF\b|web application firewall")
_RATE_LIMITED = (429, 503)


class Answer(NamedTuple):
    """The parts of one HTTP answer that decide what happens next."""

    status: int
    retry_after_s: float | None
    body: str
    whole_json: bool  # the body is one JSON object or array
    path: str = ""  # the URL path it answered


def answer_of(status: int, headers: Mapping[str, Any], body: str, url: str = "") -> Answer:
    """Return the ``Answer`` for a response to ``url``."""
    text = body.strip()
    return Answer(status, retry_after_seconds(headers.get("Retry-After")), text[:BODY_KEPT], _whole_json(text), urlsplit(url).path)


def _whole_json(text: str) -> bool:
    # The ends rule out an HTML page cheaply, but a body cut short can still end in "]" (cut
    # right after a candle), so only a parse proves it whole.
    if text[:1] not in ("[", "{") or text[-1:] not in ("]", "}"):
        return False
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


class AnswerLog(threading.local):
    """The last answer received on the current thread (each fetch runs on its own thread)."""

    last: Answer | None = None


def judge(answer: Answer | None, message: str) -> Exception | None:
    """Return the fetch error a failed answer stands for, or None when the status says nothing.

    A ban is never retried (each retry prolongs it); a rate limit or an outage is, after at
    least the ``Retry-After`` the venue sent.
    """
    if answer is None or answer.status < 400:
        return None
    status = answer.status
    wait = f"; it asks to wait {answer.retry_after_s:g} s (Retry-After)" if answer.retry_after_s is not None else ""
    if status == 418 or (status == 403 and _BAN_PAGE.search(answer.body)):
        return VenueBanned(f"HTTP {status}{wait}: {message}")
    if status in _RATE_LIMITED:
        return TransientFetchError(f"rate limited, HTTP {status}{wait}: {message}", answer.retry_after_s)
    if status >= 500 or status == 408:
        return TransientFetchError(f"venue error, HTTP {status}: {message}", answer.retry_after_s)
    return None
