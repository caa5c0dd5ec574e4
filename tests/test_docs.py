"""The documentation stays true: its commands parse, its generated files match their sources.

- Every ``logos ...`` / ``python -m logos...`` command in README.md and docs/LIVE-RUNBOOK.md
  (code blocks and inline code) parses: run with ``--help`` appended it exits 0 with no
  "No such command" / "No such option".
- The quick start and the runbook's first drills really run, in a temporary home, and do
  what the runbook says.
- docs/CLI.md and docs/MANUAL.html are what ``scripts/build_manual.py`` makes now, and the
  manual is self-contained. None of this needs graphviz.
"""

from __future__ import annotations

import importlib.util
import logging
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from logos.cli import app
from logos.core.events import EVENT_TYPES
from logos.core.guards import HALT_ORDER, PRE_TRADE_ORDER, RESETTABLE
from logos.core.order_fsm import ORDER_TABLE
from logos.core.session_fsm import SESSION_TABLE
from logos.core.state import SessionState
from logos.live.artifacts import HEADERS, POSITIONS_HEADER

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
RUNBOOK = ROOT / "docs" / "LIVE-RUNBOOK.md"
ARTIFACTS = ROOT / "docs" / "ARTIFACTS.md"
CLI_MD = ROOT / "docs" / "CLI.md"
MANUAL = ROOT / "docs" / "MANUAL.html"
REBUILD = "run `python scripts/build_manual.py` and commit docs/CLI.md and docs/MANUAL.html"
SHELL_BLOCKS = {"", "bash", "sh", "shell", "console"}


def _load_builder():
    spec = importlib.util.spec_from_file_location("build_manual", ROOT / "scripts" / "build_manual.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


builder = _load_builder()


# --- finding the commands a reader is told to type ------------------------------------------


def _shell_lines(text: str) -> list[str]:
    """Lines of the shell code blocks (continuations joined) and the inline code spans."""
    lines: list[str] = []
    fence: str | None = None
    language = ""
    for raw in text.splitlines():
        stripped = raw.strip()
        opening = re.match(r"^(`{3,}|~{3,})\s*([\w+-]*)", stripped)
        if fence is None and opening:
            fence, language = opening.group(1), opening.group(2)
            continue
        if fence is not None:
            if stripped.startswith(fence) and not stripped.strip("`~"):
                fence = None
            elif language in SHELL_BLOCKS:
                if lines and lines[-1].endswith("\\"):
                    lines[-1] = lines[-1][:-1] + " " + stripped
                elif language == "console" and not stripped.startswith("$ "):
                    continue  # program output, not a command
                else:
                    lines.append(stripped.removeprefix("$ "))
            continue
        for span in re.findall(r"(?<!`)`([^`]+)`(?!`)", raw):
            span = span.replace("\\|", "|")
            if "..." in span or "…" in span:
                continue
            lines.append(span)
    return lines


def _simple_commands(line: str) -> list[list[str]]:
    """Split a shell line at ``&&``, ``||``, ``;``, ``|`` and ``&`` into simple commands."""
    lexer = shlex.shlex(line, posix=True, punctuation_chars=";&|")
    lexer.whitespace_split = True
    try:
        tokens = list(lexer)
    except ValueError:
        return []
    commands, current = [], []
    for token in tokens:
        if token and set(token) <= set(";&|"):
            commands.append(current)
            current = []
        else:
            current.append(token)
    commands.append(current)
    cleaned = []
    for command in commands:
        while command and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=.*", command[0]):
            command = command[1:]  # an environment assignment before the command
        if command:
            cleaned.append(command)
    return cleaned


def documented_commands(path: Path) -> list[tuple[str, ...]]:
    """Every ``logos`` / ``python -m logos...`` command in ``path``, as argv after the program."""
    found: list[tuple[str, ...]] = []
    for line in _shell_lines(path.read_text()):
        for command in _simple_commands(line):
            if command[0] == "logos":
                argv = ("logos", *command[1:])
            elif command[0] in ("python", "python3") and command[1:2] == ["-m"] and len(command) > 2 and command[2].startswith("logos"):
                argv = tuple(command[2:])
                argv = ("logos", *argv[1:]) if argv[0] == "logos.live" else ("-m", *argv)
            else:
                continue
            if argv not in found:
                found.append(argv)
    return found


COMMANDS = [(path.name, argv) for path in (README, RUNBOOK) for argv in documented_commands(path)]


def test_documented_commands_with_both_files_found_the_main_ones():
    # Arrange
    shown = {" ".join(argv[:3]) for _, argv in COMMANDS}

    # Assert
    for expected in ("logos trade --paper", "logos resume drill-crash", "logos sessions list", "logos rehearse", "logos validate-config"):
        assert any(s.startswith(expected) for s in shown), f"{expected!r} not found among the documented commands"


@pytest.mark.parametrize(("source", "argv"), COMMANDS, ids=[f"{s}: {' '.join(a)}" for s, a in COMMANDS])
def test_documented_command_with_help_appended_parses(source, argv):
    # Act
    if argv[0] == "-m":
        done = subprocess.run([sys.executable, *argv, "--help"], capture_output=True, text=True, timeout=120, cwd=ROOT)
        code, output = done.returncode, done.stdout + done.stderr
    else:
        result = CliRunner().invoke(app, [*argv[1:], "--help"])
        code, output = result.exit_code, result.output

    # Assert
    assert "No such command" not in output and "No such option" not in output, f"{source}: {' '.join(argv)}\n{output}"
    assert code == 0, f"{source}: `{' '.join(argv)} --help` exited {code}\n{output}"


def test_python_dash_m_logos_live_with_help_is_the_same_cli():
    # Act
    done = subprocess.run([sys.executable, "-m", "logos.live", "trade", "--help"], capture_output=True, text=True, timeout=120)

    # Assert
    assert done.returncode == 0, done.stderr
    assert "--max-notional" in done.stdout


# --- the quick start and the first drills, for real ---------------------------------------------


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("LOGOS_HOME", str(tmp_path))
    for name in ("LOGOS_SEED", "LOGOS_CONFIG", "LOGOS_MAX_NOTIONAL", "LOGOS_SYMBOLS", "LOGOS_SPEED"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    yield tmp_path
    for name in list(logging.root.manager.loggerDict):
        if name.startswith("logos.session."):
            logger = logging.getLogger(name)
            for handler in list(logger.handlers):
                logger.removeHandler(handler)
                handler.close()


def _invoke(*args: str):
    return CliRunner().invoke(app, list(args))


def test_quick_start_trade_with_fresh_home_completes_and_leaves_what_the_readme_lists(home):
    # Arrange
    quick_start = next(argv for _, argv in COMMANDS if argv[:2] == ("logos", "trade"))
    readme = README.read_text()

    # Act
    result = _invoke(*quick_start[1:])

    # Assert
    assert result.exit_code == 0, result.output
    folders = list((home / "runs" / "live" / "sessions").iterdir())
    assert len(folders) == 1
    for name in ("state.jsonl", "state.json", "orders.csv", "trades.csv", "positions.csv", "account.csv", "session.md"):
        assert f"`{name}`" in readme
        assert (folders[0] / name).is_file(), name
    assert (home / "logos" / "logs" / f"{folders[0].name}.log").is_file()


def test_runbook_first_session_with_sessions_commands_shows_it_and_refuses_a_second_resume(home):
    # Act
    trade = _invoke("trade", "--paper", "--session-id", "first")
    listed = _invoke("sessions", "list")
    shown = _invoke("sessions", "show", "first")
    resumed = _invoke("resume", "first")

    # Assert
    assert trade.exit_code == 0, trade.output
    assert listed.exit_code == 0 and "first" in listed.output and "completed" in listed.output
    assert shown.exit_code == 0 and "# Session first" in shown.output and "Seed: 20251020 (from the default)" in shown.output
    assert resumed.exit_code == 2
    assert "already completed; start a new session instead" in resumed.output


def test_runbook_drawdown_drill_with_and_without_reset_behaves_as_written(home):
    # Arrange
    drill = next(argv for _, argv in COMMANDS if "drill-drawdown" in argv and argv[1] == "trade")

    # Act
    halted = _invoke(*drill[1:])
    refused = _invoke("resume", "drill-drawdown")
    cleared = _invoke("resume", "drill-drawdown", "--reset-guard", "drawdown")

    # Assert
    assert halted.exit_code == 3, halted.output
    assert "halted (drawdown)" in halted.output
    assert refused.exit_code == 2
    assert "--reset-guard drawdown" in refused.output
    assert cleared.exit_code == 0, cleared.output


def test_runbook_validate_config_example_with_negative_cap_prints_the_documented_line(home, monkeypatch):
    # Arrange
    monkeypatch.setenv("LOGOS_MAX_NOTIONAL", "-5")
    documented = re.search(r"^\s*(error: max_notional: environment variable LOGOS_MAX_NOTIONAL='-5'.*)$", RUNBOOK.read_text(), re.M)

    # Act
    result = _invoke("validate-config")

    # Assert
    assert result.exit_code == 2
    assert documented is not None and documented.group(1) in result.output


# --- what the docs promise to cover ---------------------------------------------------------------


def test_artifacts_md_with_every_csv_header_and_event_type_documents_each():
    text = ARTIFACTS.read_text()
    sections = {name: text.split(f"## {name}.csv", 1)[1].split("\n## ", 1)[0] for name in (*HEADERS, "positions")}
    for name, header in [*HEADERS.items(), ("positions", POSITIONS_HEADER)]:
        for column in header:
            assert f"| `{column}` |" in sections[name], f"{name}.csv column {column} is not in docs/ARTIFACTS.md"
    for event in EVENT_TYPES:
        assert f"| `{event}` |" in text, f"event {event} is not in docs/ARTIFACTS.md"
    snapshot = text.split("## state.json\n", 1)[1].split("\n## ", 1)[0]
    for name in SessionState._fields:
        assert f"`state.{name}`" in snapshot, f"state.json key state.{name} is not in docs/ARTIFACTS.md"


def test_runbook_with_every_guard_names_each_and_how_to_clear_it():
    text = RUNBOOK.read_text()
    guards_section = text.split("## Risk guards", 1)[1].split("\n## ", 1)[0]
    for guard in (*PRE_TRADE_ORDER, *HALT_ORDER):
        assert f"| `{guard}` |" in guards_section, guard
    for guard in RESETTABLE:
        assert f"--reset-guard {guard}" in guards_section, guard
    for code in ("| 0 |", "| 1 |", "| 2 |", "| 3 |"):
        assert code in text.split("## Exit codes", 1)[1]


# --- the generated files ---------------------------------------------------------------------------


def test_cli_md_with_app_regenerated_is_unchanged(tmp_path):
    # Arrange
    fresh = tmp_path / "CLI.md"

    # Act
    fresh.write_text(builder.cli_reference(), encoding="utf-8")

    # Assert
    assert fresh.read_bytes() == CLI_MD.read_bytes(), f"docs/CLI.md is out of date with the CLI; {REBUILD}"


def test_cli_md_with_every_command_lists_it():
    text = CLI_MD.read_text()
    for heading in ("## logos trade", "## logos resume", "## logos sessions list", "## logos sessions show", "## logos diagram",
                    "## logos validate-config", "## logos adapters check ccxt", "## logos adapters check alpaca", "## logos adapters check ib"):
        assert f"\n{heading}\n" in text, heading


def test_manual_html_rebuilt_without_graphviz_is_unchanged():
    # Arrange: without dot, the builder keeps the SVGs already in the manual for unchanged tables
    committed = MANUAL.read_text(encoding="utf-8")

    # Act
    rebuilt = builder.build_manual(builder.cli_reference(), graphviz=False, previous=committed)

    # Assert
    assert rebuilt == committed, f"docs/MANUAL.html is out of date with README.md, docs/*.md, the state tables or the CLI; {REBUILD}"


def test_manual_html_with_both_machines_names_every_state():
    text = MANUAL.read_text(encoding="utf-8")
    for state in (*ORDER_TABLE.states, *SESSION_TABLE.states):
        assert f">{state}<" in text, f"state {state} is missing from docs/MANUAL.html"


def test_manual_html_with_no_external_asset_is_self_contained():
    text = MANUAL.read_text(encoding="utf-8")
    assert not re.search(r"<script\b", text, re.I), "no script, inline or not"
    assert not re.search(r"<link\b", text, re.I), "stylesheets are inline"
    assert not re.search(r"@import|url\(", text, re.I), "no CSS import or url()"
    assert not re.search(r"\bsrc\s*=", text, re.I), "no src= asset at all"
    for tag in re.findall(r"<(\w+)[^>]*\bhref\s*=", text, re.I):
        assert tag.lower() == "a", f"<{tag} href=...> refers to an asset"
    assert "<style>" in text


def test_manual_html_with_in_page_links_resolves_each():
    text = MANUAL.read_text(encoding="utf-8")
    ids = set(re.findall(r'\bid="([^"]+)"', text))
    missing = sorted({target for target in re.findall(r'href="#([^"]*)"', text) if target not in ids})
    assert not missing, f"links to anchors that do not exist: {missing}"


def test_build_manual_without_graphviz_or_previous_page_shows_mermaid_text():
    # Act
    page = builder.build_manual("# CLI reference\n", graphviz=False, previous="")

    # Assert
    assert "<svg" not in page
    assert page.count('data-render="mermaid"') == 2
    assert "stateDiagram-v2" in page
    for state in (*ORDER_TABLE.states, *SESSION_TABLE.states):
        assert state in page


# --- the Markdown pages (markdown-it-py, as the builder configures it) -------------------------------


def _html(text: str, source: str = "docs/X.md") -> str:
    """The page's HTML, without the line breaks the renderer puts between tags."""
    pages = {"README.md": "readme", "docs/X.md": "x", "docs/ARTIFACTS.md": "artifacts"}
    return re.sub(r">\n+<", "><", builder.markdown_to_html(builder.Page(pages[source], source, text), pages)[0])


def test_converter_with_table_and_escaped_pipe_keeps_the_cell_whole_in_a_scrolling_box():
    out = _html("| a | b |\n|---|---|\n| `x\\|y` | **z** |\n")
    assert '<div class="table"><table><thead>' in out and out.rstrip().endswith("</table></div>")
    assert "<td><code>x|y</code></td><td><strong>z</strong></td>" in out


def test_converter_with_nested_list_and_code_block_keeps_them_in_the_item():
    out = _html("1. First.\n\n   ```bash\n   logos trade\n   ```\n\n2. Second.\n")
    assert out.startswith("<ol>") and out.count("<li>") == 2
    assert '<li><p>First.</p><pre><code class="language-bash">logos trade\n</code></pre></li>' in out


def test_converter_with_links_between_pages_points_inside_the_manual():
    out = _html("See [a](ARTIFACTS.md#orderscsv), [b](#top-part), [c](../logos/cli.py) and [d](https://example.org).")
    assert 'href="#artifacts-orderscsv"' in out and 'href="#x-top-part"' in out
    assert 'href="../logos/cli.py"' in out and 'href="https://example.org"' in out


def test_converter_with_html_in_text_escapes_it():
    out = _html("A <b>tag</b> & `<code>`.")
    assert "&lt;b&gt;tag&lt;/b&gt; &amp; <code>&lt;code&gt;</code>" in out


def test_converter_with_repeated_headings_gives_each_a_page_anchor_and_lists_them():
    # Act
    out, headings = builder.markdown_to_html(builder.Page("x", "docs/X.md", "# Top\n## `logos trade` runs\n## Same\n## Same\n"), {"docs/X.md": "x"})

    # Assert
    assert headings == [(1, "x-top", "Top"), (2, "x-logos-trade-runs", "<code>logos trade</code> runs"), (2, "x-same", "Same"), (2, "x-same-1", "Same")]
    for _, ident, _ in headings:
        assert f'id="{ident}"' in out
