"""Render the benchmark results as markdown (for people) next to the JSON (for tools)."""

from __future__ import annotations

from typing import Any

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


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def speed_table(rows: list[dict[str, Any]]) -> list[str]:
    body = [
        [
            r["engine"], r["fill_at"], _num(r["bars"]), _num(r["wall_s"]), _num(r["bars_per_s"], 0), _num(r.get("engine_s")),
            _num(r["peak_rss_mb"], 1), _num(r["fills"]), _num(r["final_equity"]),
        ]
        for r in rows
    ]
    return _table(["engine", "fill at", "bars", "wall s", "bars/s", "loop s", "peak RSS MB", "fills", "final equity"], body)


def ratio_table(rows: list[dict[str, Any]]) -> list[str]:
    """Logos against each peer row of the same bar count and fill convention."""
    logos = {(r["bars"], r["fill_at"]): r for r in rows if r["engine"] == "logos"}
    body = []
    for peer in rows:
        mine = logos.get((peer["bars"], peer["fill_at"]))
        if peer["engine"] == "logos" or mine is None:
            continue
        body.append(
            [
                f"logos / {peer['engine']}", peer["fill_at"], _num(peer["bars"]),
                f"{mine['bars_per_s'] / peer['bars_per_s']:.2f}x", f"{mine['peak_rss_mb'] / peer['peak_rss_mb']:.2f}x",
            ]
        )
    return _table(["ratio", "fill at", "bars", "bars/s (higher: Logos faster)", "peak RSS (lower: Logos leaner)"], body) if body else []


def cross_check(rows: list[dict[str, Any]]) -> list[str]:
    logos = {(r["bars"], r["fill_at"]): r for r in rows if r["engine"] == "logos"}
    body = []
    for r in rows:
        mine = logos.get((r["bars"], r["fill_at"]))
        same = "-" if r["engine"] == "logos" or mine is None else (
            "yes" if (r["fills"], r["final_equity"]) == (mine["fills"], mine["final_equity"]) else "NO"
        )
        body.append([_num(r["bars"]), r["engine"], CONVENTION.get((r["engine"], r["fill_at"]), r["fill_at"]), _num(r["fills"]), _num(r["final_equity"]), same])
    return _table(["bars", "engine", "market order fills at", "fills", "final equity", "same as Logos"], body)


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
    ties = ", ".join(f"{int(n):,} bars: {count}" for n, count in results["ties"].items())
    lines += [f"Bars where the two averages tie exactly, so the target is kept: {ties}.", ""]
    resume = results.get("resume")
    if resume:
        lines += [f"## Crash and resume ({_num(resume['bars'])} bars, fill at {resume['fill_at']})", ""]
        lines += _table(
            ["measure", "value"],
            [
                ["killed right after journaling seq", f"{resume['kill_at_seq']:,} of {resume['final_seq']:,}"],
                ["restore: start of `logos resume` to \"resuming ... at seq\"", f"{_num(resume['restore_s'])} s"],
                ["restored from the snapshot at seq", _num(resume["snapshot_seq"])],
                ["input events replayed from the journal on restore", _num(resume["journal_replayed"])],
                ["resume total, to the session's end", f"{_num(resume['resume_total_s'])} s"],
                ["resume peak RSS", f"{_num(resume['resume_peak_rss_mb'], 1)} MB"],
                ["fills / final equity after resume", f"{_num(resume['fills'])} / {_num(resume['final_equity'])}"],
                ["CSV artifacts identical to the uninterrupted run", "yes" if resume["artifacts_identical"] else "NO: " + ", ".join(resume["artifacts_differing"])],
            ],
        )
        lines.append("")
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
