"""Render the benchmark results as markdown (for people) next to the JSON (for tools)."""

from __future__ import annotations

from typing import Any

from benchmarks import SAME_CLOSE, SLOW

CONVENTION = {
    ("logos", "next_open"): "next bar's open",
    ("logos", "same_close"): "this bar's close",
    ("backtrader", "next_open"): "next bar's open (default)",
    ("backtrader", "same_close"): "this bar's close (cheat-on-close)",
    ("nautilus_trader", "same_close"): "this bar's close (native)",
}


def _num(value: Any, digits: int = 2) -> str:
    if value is None:
        return "-"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,.{digits}f}"


def _many(count: int, word: str) -> str:
    return f"{count:,} {word}" + ("" if count == 1 else "s")


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def _size(row: dict[str, Any]) -> tuple[int, int, str]:
    return row["bars"], row["symbols"], row["fill_at"]


def speed_table(rows: list[dict[str, Any]]) -> list[str]:
    body = [
        [
            r["engine"], r["fill_at"], _num(r["bars"]), _num(r["symbols"]), _num(r["wall_s"]), _num(r["bars_per_s"], 0),
            _num(r.get("engine_s")), _num(r["peak_rss_mb"], 1), _num(r["fills"]), _num(r["final_equity"]),
        ]
        for r in rows
    ]
    return _table(["engine", "fill at", "bars", "symbols", "wall s", "bars/s", "loop s", "peak RSS MB", "fills", "final equity"], body)


def ratio_table(rows: list[dict[str, Any]]) -> list[str]:
    """Logos against each peer row of the same bar count, symbol count and fill convention."""
    logos = {_size(r): r for r in rows if r["engine"] == "logos"}
    body = []
    for peer in rows:
        mine = logos.get(_size(peer))
        if peer["engine"] == "logos" or mine is None:
            continue
        body.append(
            [
                f"logos / {peer['engine']}", peer["fill_at"], _num(peer["bars"]), _num(peer["symbols"]),
                f"{mine['bars_per_s'] / peer['bars_per_s']:.2f}x", f"{mine['peak_rss_mb'] / peer['peak_rss_mb']:.2f}x",
            ]
        )
    header = ["ratio", "fill at", "bars", "symbols", "bars/s (higher: Logos faster)", "peak RSS (lower: Logos leaner)"]
    return _table(header, body) if body else []


def agreement(logos: dict[str, Any], peer: dict[str, Any]) -> str:
    """Say whether ``peer`` made the same fills, symbol by symbol, and ended on the same equity as ``logos``.

    Filling at the close, Logos fills an order of a symbol's last bar there; backtrader acts
    on an order at the next bar, and there is none. Its orders left open excuse exactly that
    difference, and only in that convention (filling at the next open, Logos lets them expire).
    """
    mine, theirs = logos["fills_by_symbol"], peer["fills_by_symbol"]
    left_open = peer["open_by_symbol"] if peer["fill_at"] == SAME_CLOSE else {}
    differing = sorted(s for s in mine.keys() | theirs.keys() if mine.get(s, 0) != theirs.get(s, 0))
    unexplained = [s for s in differing if mine.get(s, 0) - theirs.get(s, 0) != left_open.get(s, 0)]
    if unexplained:
        first = unexplained[0]
        return f"NO: fills differ in {_many(len(unexplained), 'symbol')} (first {first}: Logos {mine.get(first, 0)}, {peer['engine']} {theirs.get(first, 0)})"
    if logos["final_equity"] != peer["final_equity"]:
        return "NO: final equity differs"
    if differing:
        unfilled = sum(mine.get(s, 0) - theirs.get(s, 0) for s in differing)
        return f"yes, but for {_many(unfilled, 'order')} of a symbol's last bar, which {peer['engine']} never fills"
    return "yes"


def cross_check(rows: list[dict[str, Any]]) -> list[str]:
    logos = {_size(r): r for r in rows if r["engine"] == "logos"}
    body = []
    for r in rows:
        mine = logos.get(_size(r))
        same = "-" if r["engine"] == "logos" or mine is None else agreement(mine, r)
        convention = CONVENTION.get((r["engine"], r["fill_at"]), r["fill_at"])
        body.append([_num(r["bars"]), _num(r["symbols"]), r["engine"], convention, _num(r["fills"]), _num(r["final_equity"]), same])
    return _table(["bars", "symbols", "engine", "market order fills at", "fills", "final equity", "same as Logos, symbol by symbol"], body)


def resume_table(resumes: list[dict[str, Any]]) -> list[str]:
    """One column per crashed-and-resumed session."""
    measures: list[tuple[str, Any]] = [
        ("killed right after journaling seq", lambda r: f"{r['kill_at_seq']:,} of {r['final_seq']:,}"),
        ("restore: start of `logos resume` to \"resuming ... at seq\"", lambda r: f"{_num(r['restore_s'])} s"),
        ("restored from the snapshot at seq", lambda r: _num(r["snapshot_seq"])),
        ("input events replayed from the journal on restore", lambda r: _num(r["journal_replayed"])),
        ("resume total, to the session's end", lambda r: f"{_num(r['resume_total_s'])} s"),
        ("resume peak RSS", lambda r: f"{_num(r['resume_peak_rss_mb'], 1)} MB"),
        ("fills / final equity after resume", lambda r: f"{_num(r['fills'])} / {_num(r['final_equity'])}"),
        (
            "CSV artifacts identical to the uninterrupted run",
            lambda r: "yes" if r["artifacts_identical"] else "NO: " + ", ".join(r["artifacts_differing"]),
        ),
    ]
    header = ["measure", *(f"{_num(r['bars'])} bars x {_many(r['symbols'], 'symbol')}" for r in resumes)]
    return _table(header, [[name, *(show(r) for r in resumes)] for name, show in measures])


def thin_sizes(rows: list[dict[str, Any]]) -> list[str]:
    """Name the sizes with too few bars per symbol for the slow average to fill: nothing trades there."""
    thin = sorted({(r["bars"], r["symbols"]) for r in rows if r["bars"] // r["symbols"] < SLOW})
    return [
        f"- {_num(bars)} bars x {_many(symbols, 'symbol')} is {bars // symbols} bars per symbol, fewer than the slow average's "
        f"{SLOW}: no symbol trades, so that size measures the bar path alone."
        for bars, symbols in thin
    ]


def render(results: dict[str, Any]) -> str:
    rows = results["rows"]
    lines = [f"# Logos benchmark {results['started']}", ""]
    lines += [f"- Machine: {results['machine']}", f"- Versions: {results['versions']}", f"- Logos code: {results['revision']}"]
    lines += [f"- Workload: {results['workload']}", f"- Repeats per measure: {results['repeat']} (median shown)"]
    if results["missing_peers"]:
        lines.append(f"- Not installed (skipped): {', '.join(results['missing_peers'])} - `pip install -e \".[bench]\"`")
    lines += ["", "## Speed and memory (whole process each)", "", *speed_table(rows), ""]
    ratios = ratio_table(rows)
    if ratios:
        lines += ["## Logos / peer, same run, same fill convention", "", *ratios, ""]
    lines += ["## Cross-check: fills and final equity", "", *cross_check(rows), ""]
    ties = ", ".join(f"{t['bars']:,} bars x {_many(t['symbols'], 'symbol')}: {t['ties']}" for t in results["ties"])
    lines += [f"Bars where the two averages tie exactly, so the target is kept: {ties}.", ""]
    thin = thin_sizes(rows)
    if thin:
        lines += [*thin, ""]
    resumes = results.get("resumes")
    if resumes:
        lines += [f"## Crash and resume (fill at {resumes[0]['fill_at']})", "", *resume_table(resumes), ""]
    startup = results.get("startup")
    if startup:
        lines += [f"## Startup: a {_num(startup[0]['bars'])}-bar session, whole process", ""]
        lines += _table(
            ["engine", "wall s", "loop s", "peak RSS MB"],
            [[s["engine"], _num(s["wall_s"]), _num(s.get("engine_s")), _num(s["peak_rss_mb"], 1)] for s in startup],
        )
        lines.append("")
    for note in results.get("notes", []):
        lines.append(f"- {note}")
    return "\n".join(lines).rstrip() + "\n"
