"""``logos strategies list|show``: the strategies a session can run, each with its parameters.

The parameters shown are the strategies' own declarations, the same that validate
``--params``. Listing a file or a folder runs its code (that is how its classes are found).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from logos import paths
from logos.output import fail, out

strategies_app = typer.Typer(help="List the strategies a session can run, with their parameters.", no_args_is_help=True)

HOME_OPTION = typer.Option("--home", help="Home folder relative strategy files are found in (default: LOGOS_HOME or the current folder).")


@strategies_app.command("list")
def strategies_list(
    path: Annotated[
        list[str] | None,
        typer.Option("--path", help="Also list the strategies in this file, or in the *.py files of this folder (relative to the home); repeat for more."),
    ] = None,
    home: Annotated[Path | None, HOME_OPTION] = None,
) -> None:
    """List the built-in and installed strategies (and those under --path), each with its parameters.

    Exit 2 when a strategy file or an installed strategy cannot be loaded (each is named).
    """
    from logos.strategy_loader import catalogue

    broken = 0
    for found in catalogue(path or [], paths.home(home)):
        if isinstance(found, Exception):
            broken += 1
            out.print(f"cannot be loaded: {found}", markup=False, soft_wrap=True)
            continue
        out.print(f"{found.spec}: {_summary(found.cls)}", markup=False, soft_wrap=True)
        for line in _parameter_lines(found.cls):
            out.print(line, markup=False, soft_wrap=True)
    if broken:
        raise typer.Exit(code=2)


@strategies_app.command("show")
def strategies_show(
    name: Annotated[str, typer.Argument(help="A built-in or installed name, package.module:Class or path/to/file.py:Class.")],
    home: Annotated[Path | None, HOME_OPTION] = None,
) -> None:
    """Show one strategy: what it does, its parameters, the windows it keeps and its source."""
    from logos.core.strategies import build
    from logos.core.strategy_params import StrategyError
    from logos.strategy_loader import load

    try:
        found = load(name, paths.home(home))
        strategy = build(found.cls, {})
    except StrategyError as exc:
        raise fail(str(exc)) from None
    out.print(f"{found.spec}: {_plain(found.cls.__doc__ or '') or 'no description'}", markup=False, soft_wrap=True)
    out.print("parameters:", markup=False)
    for line in _parameter_lines(found.cls):
        out.print(line, markup=False, soft_wrap=True)
    sums = ", ".join(f"last {n}" for n in strategy.sums) or "none"
    out.print(
        f"kept per symbol at the defaults: {strategy.window} closes; rolling sums of closes: {sums}; "
        f"{strategy.highs} highs; {strategy.lows} lows",
        markup=False, soft_wrap=True,
    )
    out.print(f"source: {found.path} (sha256 {found.fingerprint})", markup=False, soft_wrap=True)


def _summary(cls: Any) -> str:
    return _plain((cls.__doc__ or "").strip().split("\n\n")[0]) or "no description"


def _plain(doc: str) -> str:
    """A docstring as one paragraph of text (its reST literals unquoted)."""
    return " ".join(doc.replace("``", "").split())


def _parameter_lines(cls: Any) -> list[str]:
    if not cls.parameters:
        return ["  (no parameters)"]
    width = max(len(p.name) for p in cls.parameters)
    kinds = [p.describe() for p in cls.parameters]
    kind_width = max(len(k) for k in kinds)
    return [
        f"  {p.name:<{width}}  {kind:<{kind_width}}  default {p.text(p.default)}: {p.help}"
        for p, kind in zip(cls.parameters, kinds)
    ]

