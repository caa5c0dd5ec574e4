"""Turn a vendor library's exception into one scrubbed line, and tell network failures apart."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from logos.config.secrets import Secret, scrub

_MAX_DETAIL = 240
# pytest-socket's SocketBlockedError is a RuntimeError; matching it by name keeps test
# tooling out of the production import graph.
_NETWORK_NAMES = {"SocketBlockedError", "NetworkError", "RequestTimeout", "ExchangeNotAvailable", "DDoSProtection"}


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def is_network_error(exc: BaseException) -> bool:
    """Return True when ``exc`` (or what caused it) means the venue could not be reached."""
    import requests

    for link in _chain(exc):
        if isinstance(link, requests.exceptions.HTTPError) or getattr(link, "status_code", None):
            return False  # the venue answered: whatever went wrong, it was reached
        if isinstance(link, (requests.exceptions.ConnectionError, requests.exceptions.Timeout)):
            return True
        if isinstance(link, OSError) and not isinstance(link, requests.exceptions.RequestException):
            return True
        if any(cls.__name__ in _NETWORK_NAMES for cls in type(link).__mro__):
            return True
    return False


def detail(exc: BaseException, secrets: Iterable[Secret | str | None]) -> str:
    """Return ``exc`` as one short line with every configured secret masked."""
    text = " ".join(scrub(str(exc), secrets).split())
    if len(text) > _MAX_DETAIL:
        text = text[: _MAX_DETAIL - 3] + "..."
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
