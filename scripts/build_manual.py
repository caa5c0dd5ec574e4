"""Build ``docs/CLI.md`` and ``docs/MANUAL.html`` from the sources they describe.

- ``docs/CLI.md`` is generated from the typer app itself (``logos.cli.app``), so the command
  reference cannot drift from the commands.
- ``docs/MANUAL.html`` is one self-contained page (inline CSS, no script, no external asset):
  README.md, the docs/*.md pages, the order and session state machines drawn from the tables
  the engine runs on, and the CLI reference. Markdown is converted by markdown-it-py
  (CommonMark with tables; a dependency of rich, declared by the dev extra); headings get
  anchors and links between pages point inside the manual.
- The diagrams are rendered to SVG with Graphviz ``dot`` when it is installed. Without it, an
  SVG already in the existing manual for the same DOT source is kept; failing that, the
  diagram's mermaid text is shown in a ``<pre>``.

Usage::

    python scripts/build_manual.py            # write docs/CLI.md and docs/MANUAL.html
    python scripts/build_manual.py --check    # exit 1 if either is out of date
    python scripts/build_manual.py --no-graphviz
"""

from __future__ import annotations

import argparse
import hashlib
import html
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator, NamedTuple

from markdown_it import MarkdownIt

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
CLI_MD = DOCS / "CLI.md"
MANUAL = DOCS / "MANUAL.html"
# Pages in reading order; any other docs/*.md follows them, then the diagrams and the CLI.
FIRST_PAGES = ("README.md", "docs/LIVE-RUNBOOK.md", "docs/ARTIFACTS.md", "docs/DATA-FORMAT.md")
GENERATED_PAGES = ("docs/CLI.md",)
REBUILD = "python scripts/build_manual.py"


# --- the CLI reference ------------------------------------------------------------------------


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _commands(command: Any, ctx: Any, path: str) -> Iterator[tuple[str, Any, Any]]:
    """Yield ``(path, command, context)`` for ``command`` and every command below it."""
    yield path, command, ctx
    if hasattr(command, "list_commands"):
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is None or getattr(sub, "hidden", False):
                continue
            yield from _commands(sub, type(ctx)(sub, info_name=name, parent=ctx), f"{path} {name}")


def _usage(command: Any, ctx: Any, path: str) -> str:
    params = [p for p in command.get_params(ctx) if not getattr(p, "hidden", False)]
    pieces = [path]
    if any(p.param_type_name == "option" for p in params):
        pieces.append("[OPTIONS]")
    for param in params:
        if param.param_type_name == "argument":
            name = param.name.upper()
            pieces.append(name if param.required else f"[{name}]")
    if hasattr(command, "list_commands"):
        pieces.append("COMMAND [ARGS]...")
    return " ".join(pieces)


def cli_reference() -> str:
    """Return the Markdown reference of every ``logos`` command, read from the typer app."""
    import inspect

    import typer

    from logos.cli import app

    root = typer.main.get_command(app)
    out = [
        "# CLI reference",
        "",
        f"Generated from the typer app (`logos.cli.app`) by `{REBUILD}`; do not edit by hand.",
        "`python -m logos.live ...` takes the same commands as `logos ...`.",
        "",
    ]
    for path, command, ctx in _commands(root, typer.Context(root, info_name="logos"), "logos"):
        params = [p for p in command.get_params(ctx) if not getattr(p, "hidden", False)]
        out += [f"## {path}", ""]
        if command.help:
            out += [inspect.cleandoc(command.help), ""]
        out += ["```text", _usage(command, ctx, path), "```", ""]
        if hasattr(command, "list_commands"):
            out += ["| command | what it does |", "|---|---|"]
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                if sub is not None and not getattr(sub, "hidden", False):
                    out.append(f"| `{path} {name}` | {_cell(sub.get_short_help_str(limit=300))} |")
            out.append("")
        arguments = [p for p in params if p.param_type_name == "argument"]
        if arguments:
            out += ["| argument | description |", "|---|---|"]
            for param in arguments:
                _, text = param.get_help_record(ctx) or ("", "")
                out.append(f"| `{param.name.upper()}` | {_cell(text)} |")
            out.append("")
        options = [p for p in params if p.param_type_name == "option"]
        if options:
            out += ["| option | description |", "|---|---|"]
            for param in options:
                record = param.get_help_record(ctx)
                if record is None:
                    continue
                flags, text = record
                repeat = " (repeatable)" if getattr(param, "multiple", False) else ""
                out.append(f"| `{_cell(flags)}` | {_cell(text)}{repeat} |")
            out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


# --- the Markdown pages, converted by markdown-it-py ---------------------------------------------


def slug(text: str) -> str:
    """Return GitHub's anchor for a heading text."""
    text = re.sub(r"<[^>]+>", "", text).strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


class Page(NamedTuple):
    key: str  # anchors of the page are "<key>-<heading slug>"; the page itself is "doc-<key>"
    source: str  # path from the repo root
    text: str


def page_key(source: str) -> str:
    return Path(source).stem.lower()


def _markdown() -> MarkdownIt:
    """CommonMark with tables; HTML written in a page is shown as text, never passed through."""
    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    # A wide table scrolls in its own box (div.table in the CSS), not the whole page.
    md.add_render_rule("table_open", lambda *_: '<div class="table"><table>\n')
    md.add_render_rule("table_close", lambda *_: "</table></div>\n")
    return md


MARKDOWN = _markdown()


def href(page: Page, pages: dict[str, str], target: str) -> str:
    """Return where a link of ``page`` points in the manual: a page or heading of it, else the file beside docs/."""
    if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I):
        return target  # an external page: a link, never an asset
    path, _, fragment = target.partition("#")
    if not path:
        return f"#{page.key}-{fragment}" if fragment else "#"
    resolved = os.path.normpath(os.path.join(os.path.dirname(page.source), path)).replace(os.sep, "/")
    if resolved in pages:
        key = pages[resolved]
        return f"#{key}-{fragment}" if fragment else f"#doc-{key}"
    relative = os.path.relpath(ROOT / resolved, DOCS).replace(os.sep, "/")
    if relative == MANUAL.name:
        return "#top"
    return relative + (f"#{fragment}" if fragment else "")


def markdown_to_html(page: Page, pages: dict[str, str]) -> tuple[str, list[tuple[int, str, str]]]:
    """Return a page's HTML and its headings ``(level, anchor, html)``.

    ``pages`` maps each page's source path to its key: links between pages point inside the
    manual, and every heading gets the anchor ``<key>-<GitHub slug>`` (``-1``, ``-2`` ... on repeats).
    """
    env: dict[str, Any] = {}
    tokens = MARKDOWN.parse(page.text, env)
    for token in tokens:
        for child in token.children or ():
            if child.type == "link_open":
                child.attrSet("href", href(page, pages, str(child.attrGet("href"))))
    seen: dict[str, int] = {}
    headings = []
    for token, inline in zip(tokens, tokens[1:]):
        if token.type != "heading_open":
            continue
        base = slug(inline.content)
        count = seen.get(base, 0)
        seen[base] = count + 1
        ident = f"{page.key}-{base}" + (f"-{count}" if count else "")
        token.attrSet("id", ident)
        headings.append((int(token.tag[1:]), ident, MARKDOWN.renderer.renderInline(inline.children or [], MARKDOWN.options, env)))
    return MARKDOWN.renderer.render(tokens, MARKDOWN.options, env), headings


# --- the state diagrams ---------------------------------------------------------------------


def dot_available() -> bool:
    return shutil.which("dot") is not None


def _styled_dot(text: str) -> str:
    # Presentation only: rounded boxes read better than circles for long state names.
    text = text.replace("[shape=doublecircle]", '[shape=box, style="rounded,bold", peripheries=2]')
    text = text.replace("[shape=circle]", '[shape=box, style="rounded"]')
    return text.replace("rankdir=LR;", 'rankdir=LR; bgcolor="transparent"; nodesep=0.35; ranksep=0.55;', 1)


def render_svg(dot_text: str) -> str | None:
    """Return the SVG of ``dot_text`` drawn by Graphviz, or None when it cannot be drawn."""
    if not dot_available():
        return None
    command = ["dot", "-Tsvg", "-Nfontname=Helvetica", "-Efontname=Helvetica", "-Nfontsize=11", "-Efontsize=10"]
    try:
        done = subprocess.run(command, input=_styled_dot(dot_text), capture_output=True, text=True, timeout=60, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    svg = done.stdout
    svg = re.sub(r"<\?xml[^>]*\?>", "", svg)
    svg = re.sub(r"<!DOCTYPE[^>]*>", "", svg, flags=re.S)
    svg = re.sub(r"<!--.*?-->", "", svg, flags=re.S)
    # Inline SVG in HTML needs no namespace declarations; dropping them keeps the page free of URLs.
    svg = re.sub(r'\s?xmlns(:xlink)?="[^"]*"', "", svg)
    svg = re.sub(r"\n\s*\n", "\n", svg).strip()
    return svg.replace("<svg ", '<svg role="img" ', 1)


def _kept_svgs(previous: str) -> dict[str, str]:
    """Map DOT digests to the SVGs of an earlier manual (kept when dot is not installed)."""
    found = {}
    for match in re.finditer(r'<figure class="diagram" data-dot-sha256="([0-9a-f]{64})" data-render="graphviz">\s*(<svg .*?</svg>)', previous, re.S):
        found[match.group(1)] = match.group(2)
    return found


def _readable_mermaid(text: str) -> str:
    """Drop the styling lines transitions adds (still valid mermaid, easier to read as text)."""
    lines = [ln for ln in text.splitlines() if not ln.strip().startswith(("classDef ", "Class "))]
    return re.sub(r"\n\s*\n+", "\n\n", "\n".join(lines)).strip() + "\n"


_MODE_MEANING = {
    "active": "any order may go out",
    "reducing": "only orders that shrink a position (set by a drawdown trip with action reduce)",
    "halted": "no order goes out",
}


def diagrams_html(graphviz: bool, previous: str = "") -> tuple[str, list[tuple[int, str, str]], str]:
    """Return the diagrams section, its headings, and how they were rendered."""
    from logos.core.session_fsm import TRADING_MODES
    from logos.diagrams import TABLES, dot, mermaid

    kept = _kept_svgs(previous)
    titles = {"order": "Order lifecycle", "session": "Session lifecycle"}
    modes = set()
    out = [
        '<h1 id="diagrams-state-machines">State machines</h1>',
        "<p>Drawn from the same tables the engine validates every transition against "
        "(<code>logos/core/order_fsm.py</code>, <code>logos/core/session_fsm.py</code>). "
        "A pair (state, trigger) that is not an edge here is refused with an error naming both. "
        "<code>logos diagram order</code> and <code>logos diagram session</code> print them as mermaid "
        "(<code>--format dot</code> for Graphviz).</p>",
    ]
    headings = [(1, "diagrams-state-machines", "State machines")]
    for name, table in TABLES.items():
        ident = f"diagrams-{name}"
        title = titles.get(name, f"{name.capitalize()} machine")
        headings.append((2, ident, title))
        source = dot(table)
        digest = hashlib.sha256(source.encode()).hexdigest()
        svg = render_svg(source) if graphviz else None
        if svg is None and digest in kept:
            svg = kept[digest]
        out.append(f'<h2 id="{ident}">{html.escape(title)}</h2>')
        if svg is not None:
            modes.add("graphviz")
            out.append(f'<figure class="diagram" data-dot-sha256="{digest}" data-render="graphviz">\n{svg}\n'
                       f"<figcaption>{html.escape(title)}: initial state <code>{table.initial}</code>; "
                       "double border: final states.</figcaption></figure>")
        else:
            modes.add("mermaid")
            out.append(f'<figure class="diagram" data-dot-sha256="{digest}" data-render="mermaid">'
                       f'<pre class="diagram-text">{html.escape(_readable_mermaid(mermaid(table)))}</pre>'
                       "<figcaption>Graphviz <code>dot</code> was not installed when this page was built, so this "
                       "is the diagram's mermaid source (any mermaid renderer draws it; "
                       f"<code>logos diagram {name} --format dot | dot -Tsvg</code> draws it with Graphviz).</figcaption></figure>")
        final = ", ".join(f"<code>{s}</code>" for s in table.states if s in table.terminal)
        rows = "\n".join(
            f"<tr><td><code>{e.source}</code></td><td><code>{e.trigger}</code></td><td><code>{e.dest}</code></td></tr>" for e in table.edges
        )
        out.append(
            f"<p>States: {', '.join(f'<code>{s}</code>' for s in table.states)}. Initial: <code>{table.initial}</code>. Final: {final}.</p>"
            f'<details><summary>Every edge of the {name} machine ({len(table.edges)})</summary><div class="table"><table>'
            f"<thead><tr><th>from</th><th>trigger</th><th>to</th></tr></thead><tbody>\n{rows}\n</tbody></table></div></details>"
        )
        if name == "session":
            items = "".join(f"<li><code>{m}</code>: {html.escape(_MODE_MEANING.get(m, ''))}</li>" for m in TRADING_MODES)
            out.append(f"<p>While a session is <code>running</code>, its trading mode says which orders may go out:</p><ul>{items}</ul>")
    return "\n".join(out), headings, "+".join(sorted(modes))


# --- the page -----------------------------------------------------------------------------------

CSS = """
:root { --fg:#1d232a; --muted:#5b6570; --bg:#ffffff; --panel:#f5f7f9; --line:#d9dee3; --accent:#0b5cad; --code:#f0f3f6; }
* { box-sizing: border-box; }
html { scroll-padding-top: 1rem; }
body { margin:0; color:var(--fg); background:var(--bg); font:16px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif; }
.layout { display:grid; grid-template-columns: 17rem minmax(0,1fr); max-width: 86rem; margin:0 auto; }
nav.toc { position:sticky; top:0; align-self:start; height:100vh; overflow-y:auto; padding:1.25rem 1rem 2rem 1.25rem; border-right:1px solid var(--line); background:var(--panel); font-size:.88rem; }
nav.toc p.title { font-weight:700; font-size:1.05rem; margin:0 0 .75rem; }
nav.toc ul { list-style:none; margin:0; padding:0; }
nav.toc ul ul { padding-left:.9rem; margin:.15rem 0 .5rem; }
nav.toc li { margin:.12rem 0; }
nav.toc a { color:var(--fg); text-decoration:none; }
nav.toc a:hover { color:var(--accent); text-decoration:underline; }
main { padding:1.5rem 2.5rem 4rem; min-width:0; }
header.manual { border-bottom:2px solid var(--line); margin-bottom:1rem; }
header.manual h1 { margin:.2rem 0 .3rem; font-size:2rem; }
header.manual p { color:var(--muted); margin:.2rem 0 1rem; }
section.doc { border-top:1px solid var(--line); padding-top:.5rem; margin-top:2.5rem; }
h1 { font-size:1.75rem; margin:1.2rem 0 .6rem; }
h2 { font-size:1.35rem; margin:2rem 0 .5rem; padding-bottom:.2rem; border-bottom:1px solid var(--line); }
h3 { font-size:1.12rem; margin:1.5rem 0 .4rem; }
h4, h5, h6 { font-size:1rem; margin:1.2rem 0 .3rem; }
p, ul, ol { margin:.5rem 0 .8rem; }
li { margin:.2rem 0; }
li > p { margin:.3rem 0; }
a { color:var(--accent); }
code { font:.86em/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace; background:var(--code); padding:.08em .3em; border-radius:4px; }
pre { background:var(--code); border:1px solid var(--line); border-radius:6px; padding:.75rem 1rem; overflow-x:auto; }
pre code { background:none; padding:0; font-size:.84rem; white-space:pre; }
div.table { overflow-x:auto; margin:.6rem 0 1rem; }
table { border-collapse:collapse; font-size:.9rem; }
th, td { border:1px solid var(--line); padding:.35rem .6rem; vertical-align:top; text-align:left; }
th { background:var(--panel); }
td:first-child > code:only-child { white-space:nowrap; }
tbody tr:nth-child(even) td { background:#fafbfc; }
figure.diagram { margin:1rem 0; padding:1rem; border:1px solid var(--line); border-radius:8px; background:#fff; }
figure.diagram svg { display:block; max-width:100%; height:auto; margin:0 auto; }
figure.diagram pre.diagram-text { margin:0; }
figcaption { color:var(--muted); font-size:.85rem; margin-top:.6rem; }
details { margin:.5rem 0 1rem; }
summary { cursor:pointer; color:var(--accent); }
@media (max-width: 900px) { .layout { display:block; } nav.toc { position:static; height:auto; border-right:none; border-bottom:1px solid var(--line); } main { padding:1rem; } }
@media print { nav.toc { display:none; } .layout { display:block; } main { padding:0; } a { color:inherit; } pre, table, figure { break-inside: avoid; } }
"""


def source_pages() -> list[tuple[str, str]]:
    """Return ``(source path, text)`` of every page, in reading order, the CLI reference last."""
    found = [s for s in FIRST_PAGES if (ROOT / s).is_file()]
    others = sorted(
        f"docs/{p.name}" for p in DOCS.glob("*.md") if f"docs/{p.name}" not in FIRST_PAGES and f"docs/{p.name}" not in GENERATED_PAGES
    )
    return [(s, (ROOT / s).read_text(encoding="utf-8")) for s in found + others]


def build_manual(cli_markdown: str, graphviz: bool | None = None, previous: str = "") -> str:
    """Return the whole manual as one HTML page."""
    graphviz = dot_available() if graphviz is None else graphviz
    sources = source_pages() + [("docs/CLI.md", cli_markdown)]
    keys = {source: page_key(source) for source, _ in sources}
    sections: list[tuple[str, str, list[tuple[int, str, str]]]] = []
    for source, text in sources:
        page = Page(keys[source], source, text)
        body, headings = markdown_to_html(page, keys)
        sections.append((page.key, body, headings))
    diagrams, diagram_headings, rendered = diagrams_html(graphviz, previous)
    sections.insert(len(sections) - 1, ("diagrams", diagrams, diagram_headings))

    toc = ['<nav class="toc" aria-label="Contents"><p class="title"><a href="#top">Logos manual</a></p><ul>']
    for key, _, headings in sections:
        top = next((h for h in headings if h[0] == 1), None)
        label = top[2] if top else key
        toc.append(f'<li><a href="#doc-{key}">{label}</a>')
        subs = [h for h in headings if h[0] == 2]
        if subs:
            toc.append("<ul>" + "".join(f'<li><a href="#{ident}">{text}</a></li>' for _, ident, text in subs) + "</ul>")
        toc.append("</li>")
    toc.append("</ul></nav>")

    listed = ", ".join(f"<code>{s}</code>" for s, _ in sources if s not in GENERATED_PAGES)
    body = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>Logos manual</title>",
        f"<style>{CSS}</style>",
        "</head>",
        f'<body id="top" data-diagrams="{rendered}">',
        '<div class="layout">',
        "\n".join(toc),
        "<main>",
        '<header class="manual"><h1>Logos manual</h1>'
        f"<p>One page built from {listed}, the state tables of the engine and the command line itself, "
        f"by <code>{REBUILD}</code>. Do not edit it by hand: edit the sources and rebuild.</p></header>",
    ]
    for key, html_text, _ in sections:
        body.append(f'<section class="doc" id="doc-{key}">\n{html_text}\n</section>')
    body += ["</main>", "</div>", "</body>", "</html>", ""]
    return "\n".join(body)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build docs/CLI.md and docs/MANUAL.html.")
    parser.add_argument("--check", action="store_true", help="do not write; exit 1 if a generated file is out of date")
    parser.add_argument("--no-graphviz", action="store_true", help="do not call dot (diagrams kept from the existing manual, else mermaid text)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))

    previous = MANUAL.read_text(encoding="utf-8") if MANUAL.is_file() else ""
    cli = cli_reference()
    manual = build_manual(cli, graphviz=False if args.no_graphviz else None, previous=previous)
    outputs = {CLI_MD: cli, MANUAL: manual}
    if args.check:
        stale = [path for path, text in outputs.items() if not path.is_file() or path.read_text(encoding="utf-8") != text]
        for path in stale:
            print(f"{path.relative_to(ROOT)} is out of date; run `{REBUILD}`", file=sys.stderr)
        return 1 if stale else 0
    for path, text in outputs.items():
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
