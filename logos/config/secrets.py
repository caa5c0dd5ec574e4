"""Secrets: held wrapped, shown only as a masked hint, scrubbed from any text that leaves.

A broker key must never reach a log, the journal, an artifact or an error message. Three
tools keep it so: ``Secret`` hides its value from ``repr``/``str``/formatting, ``mask``
gives the only form a human ever sees (at most the last two characters), and ``scrub``
replaces a configured secret wherever a vendor library echoed it (URLs, headers, bodies).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from urllib.parse import quote, quote_plus

MASK = "****"
# Shorter secrets would give away too large a share of themselves in a two-character hint.
_MIN_LEN_FOR_HINT = 8


def mask(value: str | None) -> str:
    """Return a masked hint of ``value``: ``****`` plus at most its last two characters."""
    if not value:
        return "(not set)"
    tail = value[-2:]
    # A tail of control characters or spaces would break the one line it is shown in.
    shown = len(value) >= _MIN_LEN_FOR_HINT and tail.isprintable() and " " not in tail
    return MASK + tail if shown else MASK


class Secret:
    """A credential whose value is only reachable through ``reveal()``."""

    __slots__ = ("_value",)
    _value: str  # set once, through object.__setattr__: assignment is refused

    def __init__(self, value: str) -> None:
        object.__setattr__(self, "_value", value)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Secret is immutable")

    def reveal(self) -> str:
        """Return the plain value; pass it straight to the vendor client, nowhere else."""
        return self._value

    @property
    def hint(self) -> str:
        return mask(self._value)

    def __repr__(self) -> str:
        return f"Secret({self.hint})"

    def __str__(self) -> str:
        return self.hint

    def __format__(self, spec: str) -> str:
        return format(self.hint, spec)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash((Secret, self._value))

    def __bool__(self) -> bool:
        return bool(self._value)

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("a Secret cannot be pickled")


def _variants(secret: str) -> Iterator[str]:
    # Vendors echo keys URL-encoded in query strings as often as raw in headers.
    yield secret
    yield quote(secret, safe="")
    yield quote_plus(secret, safe="")


def scrub(text: str, secrets: Iterable[str | Secret | None]) -> str:
    """Return ``text`` with every occurrence of each secret replaced by its mask."""
    values = sorted(
        {s.reveal() if isinstance(s, Secret) else s for s in secrets if s},
        key=len,
        reverse=True,  # a longer secret may contain a shorter one
    )
    for value in values:
        hint = mask(value)
        for variant in _variants(value):
            text = text.replace(variant, hint)
    return text


class ScrubFilter(logging.Filter):
    """A logging filter that renders each record once and scrubs the secrets from it."""

    def __init__(self, secrets: Iterable[str | Secret | None]) -> None:
        super().__init__()
        self._secrets = tuple(s for s in secrets if s)

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = scrub(record.getMessage(), self._secrets)
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = scrub(logging.Formatter().formatException(record.exc_info), self._secrets)
            record.exc_info = None
        return True


# Loggers of the libraries an adapter check drives; ccxt logs request headers at DEBUG.
VENDOR_LOGGERS = ("ccxt", "ccxt.base.exchange", "urllib3", "urllib3.connectionpool", "requests", "alpaca")


@contextmanager
def scrubbed_vendor_logs(secrets: Iterable[str | Secret | None]) -> Iterator[None]:
    """Scrub ``secrets`` from every record the vendor loggers emit inside the block."""
    scrubber = ScrubFilter(secrets)
    loggers = [logging.getLogger(name) for name in VENDOR_LOGGERS]
    for logger in loggers:
        logger.addFilter(scrubber)
    try:
        yield
    finally:
        for logger in loggers:
            logger.removeFilter(scrubber)
