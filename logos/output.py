"""How a command prints: text for a person, or with ``--json`` one JSON document on stdout
and nothing else there.

Every document is an object with ``command`` (``"trade"``, ``"sessions list"``, ...) and
``exit_code`` (the process's own), then the command's figures. A failure is a document too:
``error`` holds the line a person would read and, where the command found several,
``problems`` lists them (``{"setting": ..., "message": ...}``). Decimals are strings, as
in the session's files.

The consoles print text as given: no markup, no emoji codes (a file named in an error as
``SPY_1m.csv:100:`` stays that), no highlighting. Off a terminal they never wrap, so a piped
table keeps one row a line and a long message stays one line.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Annotated, Any

import typer
from rich.console import Console
from typer.core import TyperCommand

from logos.config.secrets import scrub

UNWRAPPED = 1 << 16  # columns of a console that is not a terminal: wide enough for any row
JSON_HELP = "Print one JSON document on stdout (a failure too) instead of text."


def _console(stderr: bool) -> Console:
    console = Console(stderr=stderr, markup=False, emoji=False, highlight=False)
    if not console.is_terminal:
        console.width = UNWRAPPED
        console.soft_wrap = True
    return console


out = _console(stderr=False)
err = _console(stderr=True)


class _Run:
    """What this run prints: the command a JSON document is for (None: text), and the notes
    a JSON run keeps for its document instead of printing them."""

    def __init__(self) -> None:
        self.command: str | None = None
        self.notes: list[str] = []


_run = _Run()


def _command_name(ctx: Any) -> str:
    names = []
    while ctx.parent is not None:  # the root is the program itself
        names.append(ctx.info_name)
        ctx = ctx.parent
    return " ".join(reversed(names))


def _json_option(ctx: typer.Context, wanted: bool) -> bool:
    _run.command = _command_name(ctx) if wanted else None
    _run.notes = []
    return wanted


JsonFlag = Annotated[bool, typer.Option("--json", help=JSON_HELP, is_eager=True, callback=_json_option)]


def reset() -> None:
    """Print text until a command's ``--json`` says otherwise (the root command calls it first)."""
    _run.command = None
    _run.notes = []


def json_wanted() -> bool:
    return _run.command is not None


def note(message: str) -> None:
    """Tell the operator something on the way: a ``note:`` line, or a line of the document's ``notes``."""
    if json_wanted():
        _run.notes.append(message)
    else:
        out.print(f"note: {message}")


def _scrubbed(value: Any, secrets: tuple[Any, ...]) -> Any:
    if isinstance(value, str):
        return scrub(value, secrets)
    if isinstance(value, dict):
        return {k: _scrubbed(v, secrets) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_scrubbed(v, secrets) for v in value]
    return value


def emit(fields: dict[str, Any], exit_code: int = 0, secrets: Iterable[Any] = ()) -> None:
    """Print this run's JSON document: its command, exit code and notes, then ``fields``."""
    document = {"command": _run.command, "exit_code": exit_code, **fields}
    if _run.notes:
        document.setdefault("notes", []).extend(_run.notes)
    print(json.dumps(_scrubbed(document, tuple(secrets)), default=str), flush=True)  # a reader of --watch sees each line


def show(document: Callable[[], dict[str, Any]], text: Callable[[], None], exit_code: int = 0, secrets: Iterable[Any] = ()) -> None:
    """Print the command's result: ``document()`` as JSON with ``--json``, else ``text()``."""
    if json_wanted():
        emit(document(), exit_code, secrets)
    else:
        text()


EXIT_BAD_INPUT = 2
EXIT_FAILED = 1


def fail(message: str, code: int = EXIT_BAD_INPUT, **fields: Any) -> typer.Exit:
    """Report a failure in one line (or the --json document) and return the exit to raise."""
    return error(message, code, **fields)


def error(message: str, code: int, *, lines: Iterable[str] | None = None, secrets: Iterable[Any] = (), **fields: Any) -> typer.Exit:
    """Report a failure and return the exit to raise: the JSON document (``error`` and
    ``fields``), or on stderr ``lines`` (default: ``error: <message>``)."""
    secrets = tuple(secrets)
    if json_wanted():
        emit({"error": message, **fields}, code, secrets)
    else:
        for line in [f"error: {message}"] if lines is None else lines:
            err.print(scrub(line, secrets), soft_wrap=True)
    return typer.Exit(code=code)


def listed(problems: Iterable[Any]) -> list[dict[str, str]]:
    """``Problem`` records (setting, message) as a document lists them."""
    return [{"setting": p.setting, "message": p.message} for p in problems]


class JsonCommand(TyperCommand):
    """A command with ``--json``: a usage error (an unknown option, a missing argument) is a JSON document too."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        wanted = "--json" in args
        try:
            return super().parse_args(ctx, args)
        except Exception as exc:
            # A click error carries its exit code and its message; anything else is not one.
            if not wanted or not hasattr(exc, "format_message"):
                raise
            _run.command = _command_name(ctx)
            raise error(exc.format_message(), getattr(exc, "exit_code", 2)) from None
