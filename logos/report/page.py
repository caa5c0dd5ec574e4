"""The report page: plotly charts with plotly.js inlined, and the statistics tables.

Plotly because a minute-bar session needs zoom: drag to zoom any stretch, double-click to
go back, hover for exact values, the equity and drawdown charts zoomed together; and the
Python package carries plotly.js, so the page inlines it and loads nothing from anywhere.
"""

from __future__ import annotations

import html
import math
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio
from plotly.offline import get_plotlyjs
from plotly.subplots import make_subplots

from logos.core.state import SessionState
from logos.core.timestamps import iso
from logos.live.report import statistics_tables
from logos.report.downsample import keep
from logos.report.gaps import closures
from logos.report.series import Prices, Stop
from logos.stats.records import Fill
from logos.version import __version__

# Above this many fills of one side, a symbol's chart marks every k-th (the page says so).
MAX_MARKERS = 2000
CONFIG = {"displaylogo": False, "responsive": True, "scrollZoom": False}
BUY, SELL, TRIP = "#1a9850", "#d73027", "#7b3294"
STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5rem auto; max-width: 1400px; color: #222; }
h1 { font-size: 1.5rem; margin-bottom: .2rem; } h2 { font-size: 1.2rem; margin-top: 2rem; }
p.meta, p.note { color: #555; margin: .2rem 0; }
table { border-collapse: collapse; font-size: .85rem; margin: .5rem 0; }
th, td { border: 1px solid #ccc; padding: .25rem .5rem; text-align: right; }
th:first-child, td:first-child { text-align: left; }
.chart { width: 100%; }
"""


def _x(text: str) -> str:
    """``2025-10-13T14:00:00Z`` as plotly reads a date (UTC; the axes say so)."""
    return text[:10] + " " + text[11:19]


def _thin(values: Sequence[Any], times: Sequence[str]) -> tuple[list[str], list[float]]:
    floats = list(map(float, values))
    kept = keep(floats)
    return [_x(times[i]) for i in kept], [floats[i] for i in kept]


def _breaks(gaps: Sequence[tuple[int, int]]) -> list[dict[str, Any]]:
    return [{"bounds": [_x(iso(start)), _x(iso(end))]} for start, end in gaps]


def equity_figure(
    times: list[str], equity: list[str], drawdown: list[str], trips: Sequence[Any], stops: Sequence[Stop],
    gaps: Sequence[tuple[int, int]], span: list[str] | None,
) -> go.Figure:
    """Return equity above, drawdown (bps, drawn downwards) below, trips and stops marked."""
    figure = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.68, 0.32], vertical_spacing=0.04)
    x, y = _thin(equity, times)
    figure.add_trace(go.Scatter(x=x, y=y, mode="lines", name="equity", line={"width": 1.2, "color": "#2c7bb6"}), row=1, col=1)
    x, y = _thin(drawdown, times)
    figure.add_trace(
        go.Scatter(x=x, y=[-v for v in y], mode="lines", name="drawdown (bps)", fill="tozeroy", line={"width": 1, "color": SELL}),
        row=2, col=1,
    )
    if trips:
        at = [max(bisect_right(times, iso(t.ts)) - 1, 0) for t in trips]
        figure.add_trace(
            go.Scatter(
                x=[_x(iso(t.ts)) for t in trips],
                y=[float(equity[i]) if equity else 0.0 for i in at],
                mode="markers",
                name="guard trips",
                marker={"symbol": "x", "size": 10, "color": TRIP},
                text=[f"{t.guard} {t.action}: measured {t.measured}, limit {t.limit}<br>{html.escape(t.detail)}" for t in trips],
                hoverinfo="text+x",
            ),
            row=1, col=1,
        )
    for stop in stops:
        word = "halted" if stop.kind == "SessionHalted" else "paused"
        stop_at = _x(iso(stop.ts))
        # One line down both charts (they share the x axis), so the page has one shape per stop.
        figure.add_shape(
            type="line", x0=stop_at, x1=stop_at, xref="x", y0=0, y1=1, yref="paper",
            line={"dash": "dash", "color": SELL if word == "halted" else "#888", "width": 1.5},
        )
        figure.add_annotation(x=stop_at, xref="x", y=1, yref="paper", text=f"{word}: {html.escape(stop.why)}", showarrow=False, yanchor="bottom")
    figure.update_yaxes(title_text="equity", tickformat=",.0f", row=1, col=1)
    figure.update_yaxes(title_text="drawdown (bps)", row=2, col=1)
    figure.update_xaxes(title_text="market time (UTC)", row=2, col=1)
    figure.update_xaxes(rangebreaks=_breaks(gaps), range=span)
    figure.update_layout(height=560, margin={"l": 70, "r": 20, "t": 30, "b": 40}, hovermode="x", legend={"orientation": "h", "y": 1.08})
    return figure


def _markers(fills: list[Fill]) -> tuple[list[Fill], int]:
    step = max(1, math.ceil(len(fills) / MAX_MARKERS))
    return fills[::step], step


def price_figure(
    symbol: str, prices: Prices, fills: list[Fill], gaps: Sequence[tuple[int, int]], span: list[str] | None
) -> tuple[go.Figure, int, int]:
    """Return the symbol's close with its fills marked, the markers drawn and the thinning step."""
    figure = go.Figure()
    closes = prices.closes
    kept = keep(closes)
    figure.add_trace(
        go.Scatter(x=[_x(iso(prices.times[i])) for i in kept], y=[closes[i] for i in kept], mode="lines", name="close", line={"width": 1, "color": "#555"})
    )
    drawn, step = 0, 1
    for side, colour, shape in (("buy", BUY, "triangle-up"), ("sell", SELL, "triangle-down")):
        marked, every = _markers([f for f in fills if f.side == side])
        step = max(step, every)
        drawn += len(marked)
        figure.add_trace(
            go.Scatter(
                x=[_x(f.ts) for f in marked],
                y=[float(f.price) for f in marked],
                mode="markers",
                name=f"{side}s",
                marker={"symbol": shape, "size": 9 if len(marked) <= 300 else 6, "color": colour, "line": {"width": 0.5, "color": "#222"}},
                text=[f"{side} {f.qty} @ {f.price}, fee {f.fee}, realized {f.realized}" for f in marked],
                hoverinfo="text+x",
            )
        )
    figure.update_layout(
        height=360, margin={"l": 70, "r": 20, "t": 30, "b": 40}, hovermode="closest",
        xaxis_title="market time (UTC)", yaxis_title=f"{symbol} close", legend={"orientation": "h", "y": 1.12},
        xaxis_rangebreaks=_breaks(gaps), xaxis_range=span,
    )
    return figure, drawn, step


def _chart(figure: go.Figure, div_id: str) -> str:
    return pio.to_html(figure, include_plotlyjs=False, full_html=False, config=CONFIG, div_id=div_id, validate=False)


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render_page(
    state: SessionState,
    summary: Mapping[str, Any],
    account: Mapping[str, list[str]],
    prices: Mapping[str, Prices],
    fills: list[Fill],
    stops: Sequence[Stop],
) -> str:
    """Return the whole page: charts, tables and plotly.js, nothing to fetch.

    Every chart cuts out the market closures of the whole session, so all share one axis.
    """
    if len(prices) == 1:
        bar_closes = next(iter(prices.values())).times
    else:
        bar_closes = sorted({ts for series in prices.values() for ts in series.times})
    gaps = closures(bar_closes, state.params.interval_s)
    # every chart starts at the first bar's open and ends at the last bar's close, so they line up
    span = [_x(iso(bar_closes[0] - state.params.interval_s)), _x(iso(bar_closes[-1]))] if bar_closes else None
    session_id = state.params.session_id
    figures, trade_header, trade_rows = statistics_tables(summary)
    status = state.status + (f" ({', '.join(state.halt_causes)})" if state.halt_causes else "")
    parts = [
        f"<h1>Session {html.escape(session_id)}</h1>",
        (
            f"<p class='meta'>Status: {html.escape(status)} · bars: {summary['bars']} · fills: {len(fills)} · "
            f"guard trips: {len(state.trips)} · Logos {__version__}</p>"
        ),
        "<h2>Equity and drawdown</h2>",
        (
            "<p class='note'>Drag to zoom, double-click to reset. Long series are drawn from the first, lowest, "
            "highest and last point of each of 1,500 stretches, so spikes stay; the statistics use every row.</p>"
        ),
        f"<section id='equity' data-trips='{len(state.trips)}' data-stops='{len(stops)}'>"
        + _chart(equity_figure(account["ts"], account["equity"], account["drawdown_bps"], state.trips, stops, gaps, span), "equity-chart")
        + "</section>",
        "<h2>Statistics</h2>",
        _table(("figure", "value"), figures),
        "<h3>Trades</h3>",
        _table(trade_header, trade_rows),
    ]
    for number, symbol in enumerate(state.params.symbols):
        mine = [f for f in fills if f.symbol == symbol]
        figure, drawn, step = price_figure(symbol, prices.get(symbol, Prices([], [])), mine, gaps, span)
        note = f"{len(mine)} fills; {drawn} marked (one in {step} on a side with more than {MAX_MARKERS:,})" if step > 1 else f"{len(mine)} fills, all marked"
        parts += [
            f"<h2>{html.escape(symbol)}</h2><p class='note'>{note}</p>",
            f"<section class='symbol' data-symbol='{html.escape(symbol, quote=True)}' data-fills='{len(mine)}' data-drawn='{drawn}'>"
            + _chart(figure, f"symbol-{number}")
            + "</section>",
        ]
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>Logos session {html.escape(session_id)}</title><style>{STYLE}</style>"
        f"<script>{get_plotlyjs()}</script></head><body>" + "\n".join(parts) + "</body></html>\n"
    )
