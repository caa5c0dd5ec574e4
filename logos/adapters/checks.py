"""The configuration checks only the vendors' libraries can make, handed to ``validate``.

Configuration (``logos.config``) imports no adapter; the commands that validate settings
pass ``VENUES``, whose checks import ccxt or alpaca-py only when a setting names them.
"""

from __future__ import annotations

from logos.config.settings import Problem, Settings
from logos.extras import missing_extra

ADAPTERS = ("none", "ccxt", "alpaca", "ib")


class VendorChecks:
    """``logos.config.validation.Venues`` with the real vendors' libraries."""

    def exchange_problems(self, settings: Settings, exchange_id: str) -> list[Problem]:
        from logos.adapters.ccxt_check import unknown_exchange  # about a second to import: only a ccxt feed pays it

        return unknown_exchange(settings, exchange_id)

    def credential_problems(self, settings: Settings, adapter: str) -> list[Problem]:
        if adapter == "ccxt":
            absent = missing_extra("ccxt", "adapter ccxt")
            if absent:
                return [Problem("adapter", absent)]
            from logos.adapters.ccxt_check import prepare

            return prepare(settings)[1]
        if adapter == "alpaca":
            from logos.adapters.alpaca_check import credential_problems

            return credential_problems(settings)
        if adapter == "ib":
            return [Problem("adapter", "ib is a documented stub and cannot be used (see `logos adapters check ib`); fix: choose ccxt, alpaca or none")]
        if adapter != "none":
            return [Problem("adapter", f"{adapter!r} is not one of {', '.join(ADAPTERS)}; fix: pass --adapter with one of them")]
        return []


VENUES = VendorChecks()
