"""Load the strategy the operator named, build it with its parameters, fingerprint its source.

``--strategy`` takes three forms:

- ``NAME``: a built-in (``momentum``, ``mean_reversion``, ``pairs_trading``) or a strategy an
  installed package registers under the entry-point group ``logos.strategies``;
- ``package.module:Class``: imported as Python imports it (an installed package, or a folder
  on ``PYTHONPATH``);
- ``path/to/file.py:Class``: a file, relative to the home folder unless absolute (every path
  Logos reads resolves against the home, so a resume from elsewhere finds the same file).

The core imports no strategy code: the shell loads the class here and hands the built object
to the reducer. The fingerprint is the sha256 of the source file defining the class (for a
built-in, the module of the built-ins), so a resume can tell when the code changed.
"""

from __future__ import annotations

import difflib
import hashlib
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, NamedTuple

from logos.core.state import Params
from logos.core.strategies import BUILTINS, build
from logos.core.strategy import Strategy
from logos.core.strategy_params import StrategyError, read_json

ENTRY_POINTS = "logos.strategies"


class StrategySource(NamedTuple):
    """A strategy class, where its code is and the fingerprint of that code."""

    spec: str  # how to name it to --strategy
    cls: type[Strategy]
    path: Path  # the source file the fingerprint covers
    fingerprint: str  # sha256 of that file's bytes


class SettingError(StrategyError):
    """A strategy that cannot run as configured; ``setting`` names the setting at fault."""

    def __init__(self, setting: str, message: str) -> None:
        super().__init__(message)
        self.setting = setting


def configured(spec: str, given: Mapping[str, Any], symbols: tuple[str, ...], home: Path) -> tuple[StrategySource, Strategy]:
    """Load the strategy ``spec`` names, build it with the ``given`` parameters and check it
    suits the session's symbols; ``SettingError`` says which setting is at fault."""
    try:
        source = load(spec, home)
    except StrategyError as exc:
        raise SettingError("strategy", str(exc)) from None
    try:
        strategy = build(source.cls, given)
    except StrategyError as exc:
        raise SettingError("params", str(exc)) from None
    try:
        strategy.check_symbols(symbols)
    except StrategyError as exc:
        raise SettingError("symbols", str(exc)) from None
    except Exception as exc:  # the operator's code
        raise SettingError("symbols", f"{strategy.name}: check_symbols raised {type(exc).__name__}: {exc}") from None
    return source, strategy


def load(spec: str, home: Path) -> StrategySource:
    """Find the class ``spec`` names; ``StrategyError`` says in one line why it cannot."""
    spec = spec.strip()
    if ":" not in spec:
        return _named(spec)
    where, _, name = spec.rpartition(":")
    if not where or not name:
        raise StrategyError(f"{spec!r} names no class after its colon")
    if where.endswith(".py") or "/" in where:
        return _pick(spec, _file_classes(resolve(where, home)), name, where)
    return _pick(spec, _module_classes(where), name, where)


def resolve(where: str, home: Path) -> Path:
    """A strategy file's path: relative to ``home`` unless absolute."""
    path = Path(where).expanduser()
    return path if path.is_absolute() else home / path


def load_recorded(params: Params, home: Path) -> tuple[StrategySource, Strategy]:
    """Load and build the strategy a session recorded, with the parameters it was given."""
    source = load(params.strategy, home)
    return source, build(source.cls, {key: read_json(text) for key, text in params.strategy_params})


def changes(params: Params, source: StrategySource, strategy: Strategy) -> list[str]:
    """What differs between the strategy a session ran and the one loaded now, as ``old -> new``."""
    found = []
    if source.fingerprint != params.strategy_fingerprint:
        found.append(f"file {source.path}: fingerprint {params.strategy_fingerprint[:16]} -> {source.fingerprint[:16]}")
    before, now = dict(params.strategy_values), dict(strategy.values())
    for name in dict.fromkeys([*before, *now]):
        if before.get(name) != now.get(name):
            found.append(f"parameter {name}: {before.get(name, '(not declared)')} -> {now.get(name, '(not declared)')}")
    return found


def installed() -> dict[str, Any]:
    """The entry points of the ``logos.strategies`` group, by name (read only when needed)."""
    from importlib.metadata import entry_points

    return {ep.name: ep for ep in entry_points(group=ENTRY_POINTS)}


def catalogue(places: list[str], home: Path) -> Iterator[StrategySource | StrategyError]:
    """Every strategy there is to run: the built-ins, the installed ones and those in ``places``
    (files, or folders whose ``*.py`` files are loaded; relative to ``home``). One that cannot
    be loaded comes as the error saying why."""
    names = [*BUILTINS, *(name for name in installed() if name not in BUILTINS)]
    for name in names:
        yield _attempt(_named, name)
    for where in places:
        place = resolve(where, home)
        for path in sorted(place.glob("*.py")) if place.is_dir() else [place]:
            found = _attempt(_file_classes, path)
            if isinstance(found, StrategyError):
                yield found
                continue
            for name, cls in found.items():
                yield _attempt(_source, f"{path}:{name}", cls, path)


def _attempt(load_one: Any, *args: Any) -> Any:
    try:
        return load_one(*args)
    except StrategyError as exc:
        return exc


# --- the three forms --------------------------------------------------------------------------


def _named(name: str) -> StrategySource:
    if name in BUILTINS:
        cls = BUILTINS[name]
        return _source(name, cls, Path(sys.modules[cls.__module__].__file__ or ""))
    registered = installed()
    if name not in registered:
        close = difflib.get_close_matches(name, [*BUILTINS, *registered], n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        known = ", ".join([*BUILTINS, *(n for n in registered if n not in BUILTINS)])
        raise StrategyError(f"no strategy is called {name!r}{hint}; the strategies installed are {known}")
    entry = registered[name]
    try:
        cls = entry.load()
    except Exception as exc:
        raise StrategyError(f"strategy {name!r} (entry point {entry.value}) cannot be loaded: {type(exc).__name__}: {exc}") from None
    if not _is_strategy(cls):
        raise StrategyError(f"strategy {name!r} (entry point {entry.value}) is not a subclass of logos.core.strategy.Strategy")
    return _source(name, cls, Path(sys.modules[cls.__module__].__file__ or ""))


def _module_classes(module_name: str) -> dict[str, type[Strategy]]:
    import importlib  # imported here, as in _file_classes: a built-in strategy needs neither

    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and module_name.startswith(exc.name):
            raise StrategyError(
                f"no module {module_name!r} to load a strategy from; install its package or add its folder to "
                "PYTHONPATH, or name a file as path/to/file.py:Class"
            ) from None
        raise StrategyError(f"importing {module_name} raised ModuleNotFoundError: {exc}") from None
    except Exception as exc:
        raise StrategyError(f"importing {module_name} raised {type(exc).__name__}: {exc}") from None
    return _classes_of(module)


def _file_classes(path: Path) -> dict[str, type[Strategy]]:
    """Run the file as a fresh module (an edit since the last load is seen) and return its strategies."""
    import importlib.util  # imported here: only a strategy file needs it, and every trade loads this module

    try:
        code = path.read_bytes()
    except FileNotFoundError:
        raise StrategyError(f"strategy file {path} does not exist (a relative path is taken from the home folder)") from None
    except OSError as exc:
        raise StrategyError(f"strategy file {path} cannot be read: {exc.strerror}") from None
    name = "logos_strategy_" + hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:16]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None:
        raise StrategyError(f"strategy file {path} is not a Python file")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # classes look their module up there (dataclasses, typing)
    try:
        exec(compile(code, str(path), "exec"), module.__dict__)
    except Exception as exc:
        del sys.modules[name]
        where = f" (line {exc.lineno})" if isinstance(exc, SyntaxError) and exc.lineno else ""
        raise StrategyError(f"strategy file {path} cannot be loaded: {type(exc).__name__}: {exc}{where}") from None
    module.__dict__["__logos_fingerprint__"] = hashlib.sha256(code).hexdigest()  # of the bytes that ran
    return _classes_of(module)


def _classes_of(module: Any) -> dict[str, type[Strategy]]:
    return {
        name: value for name, value in vars(module).items()
        if _is_strategy(value) and value.__module__ == module.__name__
    }


def _pick(spec: str, classes: Mapping[str, type[Strategy]], name: str, where: str) -> StrategySource:
    cls = classes.get(name)
    if cls is None:
        close = difflib.get_close_matches(name, list(classes), n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        defined = ", ".join(classes) or "none"
        raise StrategyError(f"{where} has no strategy class {name!r}; {hint}the strategies it defines: {defined}")
    return _source(spec, cls, Path(sys.modules[cls.__module__].__file__ or where))


def _source(spec: str, cls: type[Strategy], path: Path) -> StrategySource:
    fingerprint = getattr(sys.modules[cls.__module__], "__logos_fingerprint__", None)
    if fingerprint is None:
        try:
            fingerprint = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError as exc:
            raise StrategyError(f"the source of strategy {spec} ({path}) cannot be read to fingerprint it: {exc.strerror}") from None
    return StrategySource(spec, cls, path, fingerprint)


def _is_strategy(value: Any) -> bool:
    return isinstance(value, type) and issubclass(value, Strategy) and value is not Strategy
