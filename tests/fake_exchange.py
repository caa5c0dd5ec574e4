"""A fake exchange on 127.0.0.1 that the real ccxt and yfinance clients talk to over HTTP.

It speaks enough of Binance's REST API for ccxt's ``load_markets``, ``fetch_time`` and
``fetch_ohlcv`` (``/api/v3/exchangeInfo``, ``/api/v3/time``, ``/api/v3/klines``), and of
Yahoo's for yfinance's ``Ticker.history``: the cookie (``/`` as ``fc.yahoo.com``), the crumb
(``/v1/test/getcrumb``), the consent pages of its fallback cookie strategy (``/consent``,
``/v2/collectConsent``, ``/copyConsent``), the chart API (``/v8/finance/chart/{ticker}``)
and the quote API its time-zone lookup falls back on (``/v10/finance/quoteSummary/{ticker}``,
``/v7/finance/quote``).
Point Logos at it with ``--ccxt-base-url`` / ``--yfinance-base-url``.

The market is deterministic: each candle is a run of ticks (10 per candle for ``1s``, 20
otherwise) whose prices follow a slow wave plus a hashed wiggle, so momentum strategies
trade. A candle whose close the venue's clock has not reached is *forming*: it is served
with the ticks seen so far, so its close, high, low and volume still change; ``final``
gives what it will be once closed.

The venue's clock is ``time.time() * speed`` shifted by ``skew_s``; ``stop_at`` freezes
the market (no candle after it, the one it falls in forming forever) while the clock goes
on. ``faults`` is a timeline: each request takes the first fault that matches its endpoint
and still has uses left. Every request is logged with its time and status.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

INTERVALS = {"1s": 1, "1m": 60, "3m": 180, "5m": 300, "15m": 900, "30m": 1800, "1h": 3600, "2h": 7200, "4h": 14400, "1d": 86400}
CRUMB = "fake-crumb"
WAVE_CANDLES = 16  # candles per period of the price wave


def yahoo_name(symbol: str) -> str:
    return symbol.replace("/", "-")


def binance_name(symbol: str) -> str:
    return symbol.replace("/", "")


@dataclass
class Fault:
    """What one or more requests to ``endpoint`` get instead of (or before) the normal answer.

    ``endpoint``: time | klines | exchangeInfo | chart | quote | crumb | cookie | any. ``kind``:
    ``status`` (answer ``status`` with ``body`` and ``headers``), ``slow`` (wait ``delay_s``,
    then answer normally), ``html`` (a 200 web page), ``truncated`` (the normal JSON cut in
    half). ``symbol`` limits it to one symbol's candles; ``times`` is how many requests it
    takes (``None``: every one from now on).
    """

    endpoint: str
    kind: str = "status"
    status: int = 500
    body: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    symbol: str | None = None
    times: int | None = 1

    def matches(self, endpoint: str, symbol: str | None) -> bool:
        if self.times is not None and self.times <= 0:
            return False
        if self.endpoint not in ("any", endpoint):
            return False
        return self.symbol is None or self.symbol == symbol


@dataclass
class Request:
    endpoint: str
    symbol: str | None
    query: dict[str, str]
    at: float  # time.time() when it arrived
    status: int = 0
    fault: str = ""


class Market:
    """The candles of every symbol, on the venue's clock."""

    def __init__(self, prices: dict[str, Decimal]) -> None:
        self.prices = prices

    def tick_price(self, symbol: str, interval_s: int, tick_ms: int) -> Decimal:
        base = self.prices[symbol]
        ticks_per_candle = 10 if interval_s == 1 else 20
        phase = 2 * math.pi * tick_ms / (WAVE_CANDLES * ticks_per_candle * (interval_s * 1000 // ticks_per_candle))
        wiggle = ((tick_ms // 100) * 2654435761 + len(symbol)) % 7 - 3
        cents = int(base * 100) + round(float(base) * 2 * math.sin(phase)) + wiggle
        return Decimal(cents) / 100

    def candle(self, symbol: str, open_s: int, interval_s: int, now: float) -> list[Decimal] | None:
        """Return ``[open, high, low, close, volume]`` of the candle as of venue time ``now``."""
        ticks = 10 if interval_s == 1 else 20
        step_ms = interval_s * 1000 // ticks
        start_ms = open_s * 1000
        seen = [start_ms + k * step_ms for k in range(ticks) if start_ms + k * step_ms <= now * 1000]
        if not seen:
            return None
        prices = [self.tick_price(symbol, interval_s, ms) for ms in seen]
        volume = (Decimal("0.015") if "/" in symbol else Decimal(100)) * len(seen)
        return [prices[0], max(prices), min(prices), prices[-1], volume]

    def final(self, symbol: str, open_s: int, interval_s: int) -> list[Decimal]:
        """Return the candle as it is once closed."""
        candle = self.candle(symbol, open_s, interval_s, open_s + interval_s)
        assert candle is not None
        return candle


class FakeExchange:
    """Serve the fake venue on 127.0.0.1 in a thread; use as a context manager."""

    def __init__(self, prices: dict[str, str] | None = None, *, history: int = 40) -> None:
        self.market = Market({s: Decimal(p) for s, p in (prices or {"BTC/USDT": "60000", "ETH/USDT": "3000", "AAPL": "250", "MSFT": "500"}).items()})
        self.history = history  # candles Yahoo's range serves, and ccxt's default page without startTime
        self.skew_s = 0.0
        self.speed = 1.0
        self.stop_at: float | None = None
        self.missing: set[tuple[str, int]] = set()
        self.duplicated: set[tuple[str, int]] = set()
        self.delay_all_s = 0.0
        self.faults: list[Fault] = []
        self.log: list[Request] = []
        self.forming_closed_locally: list[tuple[str, int]] = []  # forming at the venue, closed by our clock
        self._lock = threading.Lock()
        self._anchor = time.time()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-exchange", daemon=True)

    # --- lifecycle ----------------------------------------------------------------------

    def __enter__(self) -> FakeExchange:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # --- the venue's clock and market ---------------------------------------------------

    def now(self) -> float:
        """The venue's clock: ours, sped up by ``speed`` from the start, shifted by ``skew_s``."""
        real = time.time()
        return self._anchor + (real - self._anchor) * self.speed + self.skew_s

    def market_now(self) -> float:
        now = self.now()
        return now if self.stop_at is None else min(now, self.stop_at)

    def final(self, symbol: str, open_s: int, interval: str) -> list[Decimal]:
        return self.market.final(symbol, open_s, INTERVALS[interval])

    def candles(self, symbol: str, interval: str, start_s: int | None, limit: int) -> list[tuple[int, list[Decimal]]]:
        """The candles a request sees, oldest first: from ``start_s`` (or the last ``limit``)
        up to the forming one, minus the missing ones, plus the duplicated ones twice."""
        interval_s = INTERVALS[interval]
        now = self.market_now()
        newest = int(now // interval_s) * interval_s
        first = newest - (limit - 1) * interval_s if start_s is None else -(-start_s // interval_s) * interval_s
        out: list[tuple[int, list[Decimal]]] = []
        ts = first
        while ts <= newest and len(out) < limit:
            candle = self.market.candle(symbol, ts, interval_s, now)
            if candle is not None and (symbol, ts) not in self.missing:
                out.append((ts, candle))
                if (symbol, ts) in self.duplicated:
                    out.append((ts, [*candle[:4], candle[4] + 1]))
                if ts + interval_s > now and ts + interval_s <= time.time():
                    self.forming_closed_locally.append((symbol, ts))
            ts += interval_s
        return out

    # --- what tests read ------------------------------------------------------------------

    def requests(self, endpoint: str, symbol: str | None = None) -> list[Request]:
        with self._lock:
            return [r for r in self.log if r.endpoint == endpoint and (symbol is None or r.symbol == symbol)]

    def add(self, *faults: Fault) -> None:
        with self._lock:
            self.faults.extend(faults)

    def _take_fault(self, endpoint: str, symbol: str | None) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.matches(endpoint, symbol):
                    if fault.times is not None:
                        fault.times -= 1
                    return fault
        return None

    # --- HTTP ----------------------------------------------------------------------------

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        venue = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                venue._serve(self)

            def do_POST(self) -> None:  # noqa: N802
                venue._serve(self)

            def log_message(self, *args: object) -> None:
                pass

        return Handler

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        endpoint, symbol = self._route(parts.path, query)
        record = Request(endpoint, symbol, query, time.time())
        with self._lock:
            self.log.append(record)
        if handler.command == "POST":
            length = int(handler.headers.get("Content-Length") or 0)
            handler.rfile.read(length)
        fault = self._take_fault(endpoint, symbol)
        if fault is not None:
            record.fault = fault.kind
        delay = self.delay_all_s + (fault.delay_s if fault else 0.0)
        if delay:
            time.sleep(delay)
        status, headers, body = self._answer(endpoint, symbol, parts.path, query)
        if fault is not None:
            if fault.kind == "status":
                status, headers, body = fault.status, {"Content-Type": "application/json", **fault.headers}, fault.body
            elif fault.kind == "html":
                status, headers, body = 200, {"Content-Type": "text/html"}, "<html><body>Will be right back</body></html>"
            elif fault.kind == "truncated":
                # Cut after a "]" where there is one: such a body still ends like JSON.
                half = body[: len(body) // 2]
                body = half[: half.rfind("]") + 1] if "]" in half[1:] else half
        record.status = status
        data = body.encode()
        try:
            handler.send_response(status)
            for name, value in headers.items():
                handler.send_header(name, value)
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up on a slow answer

    def _route(self, path: str, query: dict[str, str]) -> tuple[str, str | None]:
        if path == "/api/v3/klines":
            return "klines", self._symbol_of(query.get("symbol", ""), binance_name)
        if path.startswith("/v8/finance/chart/"):
            return "chart", self._symbol_of(path.rsplit("/", 1)[1], yahoo_name)
        if path.startswith("/v10/finance/quoteSummary/"):
            return "quote", self._symbol_of(path.rsplit("/", 1)[1], yahoo_name)
        if path == "/v7/finance/quote":
            return "quote", self._symbol_of(query.get("symbols", ""), yahoo_name)
        return {
            "/api/v3/time": "time",
            "/api/v3/exchangeInfo": "exchangeInfo",
            "/v1/test/getcrumb": "crumb",
            "/": "cookie",
        }.get(path, "other"), None

    def _symbol_of(self, name: str, naming: object) -> str | None:
        for symbol in self.market.prices:
            if naming(symbol) == name:  # type: ignore[operator]
                return symbol
        return None

    def _answer(self, endpoint: str, symbol: str | None, path: str, query: dict[str, str]) -> tuple[int, dict[str, str], str]:
        json_type = {"Content-Type": "application/json"}
        if endpoint == "time":
            return 200, json_type, json.dumps({"serverTime": int(self.now() * 1000)})
        if endpoint == "exchangeInfo":
            return 200, json_type, json.dumps(self._exchange_info())
        if endpoint == "klines":
            if symbol is None:
                return 400, json_type, json.dumps({"code": -1121, "msg": "Invalid symbol."})
            start = int(query["startTime"]) // 1000 if "startTime" in query else None
            candles = self.candles(symbol, query["interval"], start, int(query.get("limit", 500)))
            return 200, json_type, json.dumps([_kline(ts, c, INTERVALS[query["interval"]]) for ts, c in candles])
        if endpoint == "chart":
            if symbol is None:
                error = {"code": "Not Found", "description": "No data found, symbol may be delisted"}
                return 404, json_type, json.dumps({"chart": {"result": None, "error": error}})
            return 200, json_type, json.dumps(self._chart(symbol, query.get("interval", "1m")))
        if endpoint == "cookie":
            expires = formatdate(time.time() + 365 * 86400, usegmt=True)
            return 404, {"Set-Cookie": f"A3=d=fake; Expires={expires}; Path=/", "Content-Type": "text/html"}, "<html>404</html>"
        if endpoint == "crumb":
            return 200, {"Content-Type": "text/plain"}, CRUMB
        if endpoint == "quote":
            key = "quoteSummary" if path.startswith("/v10/") else "quoteResponse"
            if symbol is None:
                error = {"code": "Not Found", "description": "Quote not found for symbol"}
                return 404, json_type, json.dumps({key: {"result": None, "error": error}})
            quote = {"symbol": yahoo_name(symbol), "exchangeTimezoneName": "UTC", "quoteType": "CRYPTOCURRENCY"}
            return 200, json_type, json.dumps({key: {"result": [quote], "error": None}})
        if path == "/consent":
            form = '<form method="post"><input name="csrfToken" value="t"><input name="sessionId" value="s"></form>'
            return 200, {"Content-Type": "text/html"}, f"<html><body>{form}</body></html>"
        return 200, {"Content-Type": "text/html"}, "<html>ok</html>"

    def _exchange_info(self) -> dict[str, object]:
        symbols = []
        for symbol in self.market.prices:
            if "/" not in symbol:
                continue
            base, quote = symbol.split("/")
            symbols.append(
                {
                    "symbol": binance_name(symbol), "status": "TRADING", "baseAsset": base, "baseAssetPrecision": 8,
                    "quoteAsset": quote, "quotePrecision": 8, "quoteAssetPrecision": 8,
                    "orderTypes": ["LIMIT", "MARKET"], "isSpotTradingAllowed": True, "isMarginTradingAllowed": False,
                    "filters": [
                        {"filterType": "PRICE_FILTER", "minPrice": "0.01", "maxPrice": "1000000", "tickSize": "0.01"},
                        {"filterType": "LOT_SIZE", "minQty": "0.00001", "maxQty": "9000", "stepSize": "0.00001"},
                    ],
                    "permissions": ["SPOT"], "permissionSets": [["SPOT"]],
                }
            )
        return {"timezone": "UTC", "serverTime": int(self.now() * 1000), "rateLimits": [], "exchangeFilters": [], "symbols": symbols}

    def _chart(self, symbol: str, interval: str) -> dict[str, object]:
        candles = self.candles(symbol, interval, None, self.history)
        now = int(self.now())
        period = {"timezone": "UTC", "start": now - 86400, "end": now + 86400, "gmtoffset": 0}
        meta = {
            "currency": "USD", "symbol": yahoo_name(symbol), "exchangeName": "CCC", "fullExchangeName": "CCC",
            "instrumentType": "CRYPTOCURRENCY", "firstTradeDate": 0, "regularMarketTime": now, "hasPrePostMarketData": False,
            "gmtoffset": 0, "timezone": "UTC", "exchangeTimezoneName": "UTC", "priceHint": 2,
            "currentTradingPeriod": {"pre": period, "regular": period, "post": period},
            "tradingPeriods": [[{"timezone": "UTC", "start": now - 86400 * 2, "end": now + 86400, "gmtoffset": 0}]],
            "dataGranularity": interval, "range": "1d", "validRanges": ["1d", "5d", "1mo", "3mo", "6mo", "1y"],
        }
        values = list(zip(*[c for _, c in candles])) or [(), (), (), (), ()]
        quote = {name: [float(v) for v in column] for name, column in zip(("open", "high", "low", "close", "volume"), values)}
        result = {"meta": meta, "timestamp": [ts for ts, _ in candles], "indicators": {"quote": [quote], "adjclose": [{"adjclose": quote["close"]}]}}
        return {"chart": {"result": [result], "error": None}}


def _kline(ts: int, candle: Iterable[Decimal], interval_s: int) -> list[object]:
    o, h, l, c, v = (str(x) for x in candle)
    return [ts * 1000, o, h, l, c, v, ts * 1000 + interval_s * 1000 - 1, "0", 1, "0", "0", "0"]
