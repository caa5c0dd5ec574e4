"""A fuzz corpus of hostile input: every case runs the real CLI and is refused in one line.

Each case asserts what an operator is promised: exit 2, exactly one ``error:`` line per
problem naming the input and the fix, no traceback, and nothing written (the home's bytes
are the same before and after). A configuration case runs through both ``logos trade`` and
``logos validate-config``, which must print the same error lines: they share one validation.
The hypothesis properties push random text into every setting through each layer (command
line, environment, ``.env``, ``logos.toml``), random bytes into cache rows and
``symbols.toml``, and random numbers against the bounds the docs state.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pytest
import requests  # noqa: F401 - urllib3 probes IPv6 with a socket on import; do it before sockets are blocked
from hypothesis import given, settings
from hypothesis import strategies as st
from session_helpers import folder_digest, invoke, journal, run_logos, session_dir

from logos.config.settings import SETTINGS

EQUITY_RULES = """asset_class = "equity"
price_tick = "0.01"
qty_step = "1"
lot_size = "1"
min_notional = "1"
max_order_notional = "1000000"
cash_step = "0.01"
"""
TINY_SYMBOLS = "".join(f"\n[symbols.{symbol}]\n{EQUITY_RULES}" for symbol in ("TINY", "TINY2"))
HEADER = "timestamp,open,high,low,close,volume\n"
BARS = 24


def bar(minute: int, price: str = "100.00") -> str:
    return f"2025-10-13T13:{30 + minute:02d}:00Z,{price},{price},{price},{price},50000\n"


def make_home(root: Path) -> Path:
    """A home with two tiny equity fixtures and a config that trades TINY: a session takes milliseconds."""
    (root / "data" / "cache" / "equity").mkdir(parents=True)
    (root / "data" / "symbols.toml").write_text(TINY_SYMBOLS)
    for symbol in ("TINY", "TINY2"):
        rows = "".join(bar(m, f"{100 + m % 5}.{m:02d}") for m in range(BARS))
        (root / "data" / "cache" / "equity" / f"{symbol}_1m.csv").write_text(HEADER + rows)
    (root / "logos.toml").write_text('symbols = ["TINY"]\n')
    return root


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return make_home(tmp_path / "home")


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error: ")]


def assert_clean_refusal(result, count: int = 1) -> list[str]:
    """Exit 2, ``count`` error lines, each one line with a fix, and nothing but findings on stderr."""
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    assert result.exit_code == 2, output
    errors = error_lines(result.stderr)
    assert len(errors) == count, result.stderr
    assert all("; fix: " in line or "fix " in line for line in errors), errors
    others = [line for line in result.stderr.splitlines() if line.strip() and not line.startswith(("error: ", "warning: "))]
    assert all(line.endswith("run `logos validate-config` again") for line in others), others
    return errors


@dataclass(frozen=True)
class Case:
    name: str
    args: tuple[str, ...] = ()
    fragments: tuple[str, ...] = ()  # each must be in the one error line
    env: dict[str, str] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)  # written into the home first
    config: bool = True  # a configuration case: validate-config must say the same


def _deep(depth: int) -> str:
    return "[" * depth + "]" * depth


CASES = [
    # --- numbers that are not finite, out of bounds or absurdly long ---------------------
    Case("sizing value 1e999", ("--sizing-value", "1e999"), ("option --sizing-value '1e999' must be at most 1000000000000", "fix: change --sizing-value")),
    Case("initial cash 1e1000000", ("--initial-cash", "1e1000000"), ("option --initial-cash '1e1000000' must be at most",)),
    Case("max notional 1e999 is refused as firmly as 0", ("--max-notional", "1e999"), ("option --max-notional '1e999' must be at most",)),
    Case("max notional 0", ("--max-notional", "0"), ("turns the per-order notional cap off, which is unsafe",)),
    Case("max notional Infinity", ("--max-notional", "Infinity"), ("is not a finite number",)),
    Case("max exposure NaN", ("--max-exposure", "NaN"), ("is not a finite number",)),
    Case("initial cash with 11 places", ("--initial-cash", "1.00000000001"), ("has more than 10 decimal places",)),
    Case("fee above 1000 bps", ("--fee-bps", "1001"), ("option --fee-bps '1001' must be at most 1000",)),
    Case("drawdown above 10000 bps", ("--max-drawdown-bps", "10000.5"), ("must be at most 10000",)),
    Case("volume share above 1", ("--volume-share", "1.5"), ("must be at most 1",)),
    Case("limit offset of 100%", ("--limit-offset-bps", "10000"), ("must be at most 5000",)),
    Case("speed 1e-1000000", ("--speed", "1e-1000000"), ("option --speed '1e-1000000' must be at least 0.1",)),
    Case("speed 1e-300 in logos.toml never reaches a bar", files={"logos.toml": b'symbols = ["TINY"]\nspeed = 1e-300\n'}, fragments=("speed = '1E-300' in", "logos.toml must be at least 0.1")),
    Case("speed abc", ("--speed", "abc"), ("is not max, realtime or a number",)),
    Case("seed of 5000 digits", ("--seed", "9" * 5000), ("option --seed '99999", "must be at most 9223372036854775807")),
    Case("negative seed", ("--seed", "-1"), ("must be at least 0",)),
    Case("limit ttl of 5000 digits", ("--limit-ttl-bars", "1" + "0" * 4999), ("must be at most 100000",)),
    Case("stale limit of a year", ("--stale-after-s", "31536000"), ("must be at most 2592000",)),
    Case("5000-digit integer in logos.toml", files={"logos.toml": b"seed = " + b"9" * 5000 + b"\n"}, fragments=("logos.toml is not valid TOML", "Exceeds the limit")),
    # --- strategy params -----------------------------------------------------------------
    Case("params with a 5000-digit integer", ("--params", '{"fast": ' + "9" * 5000 + "}"), ("has a number of 5000 characters",)),
    Case("params nested 100000 deep", ("--params", '{"x": ' + _deep(100_000) + "}"), ("nests deeper than 4 levels",)),
    Case("params nested deep in logos.toml", files={"logos.toml": b'symbols = ["TINY"]\nparams = {x = ' + _deep(50_000).encode() + b"}\n"}, fragments=("is not valid TOML (arrays or tables nest too deeply)",)),
    Case("params as a list", ("--params", "[1, 2]"), ("is a JSON list, not an object",)),
    Case("params NaN", ("--params", '{"entry_z": NaN}'), ("holds NaN, which is not a number",)),
    Case("params with a repeated key", ("--params", '{"fast": 5, "fast": 7}'), ("names 'fast' twice",)),
    Case("params the strategy refuses", ("--params", '{"fast":50,"slow":10}'), ("does not suit strategy momentum", "momentum needs fast < slow, got fast=50 slow=10")),
    Case("params with a fraction for a whole number", ("--params", '{"fast": 2.5}'), ("momentum's parameter fast must be an int >= 1, got 2.5",)),
    Case("params a strategy does not take", ("--strategy", "mean_reversion", "--params", '{"fast": 3}'), ("mean_reversion has no parameter 'fast'; its parameters are lookback, entry_z, exit_z, long_only",)),
    Case("pairs trading with one symbol", ("--strategy", "pairs_trading", "--symbol", "TINY"), ("pairs_trading trades two symbols, the session has 1",)),
    Case("pairs leg not traded", ("--strategy", "pairs_trading", "--symbol", "TINY,TINY2", "--params", '{"pair": ["TINY", "AAPL"]}'), ("pair names AAPL, which the session does not trade",)),
    # --- paths, names and symbols ---------------------------------------------------------
    Case("kill switch of 300 characters", ("--kill-switch-file", "k" * 300), ("cannot be used as a file name (File name too long)",)),
    Case("kill switch with NUL", files={"logos.toml": b'symbols = ["TINY"]\nkill_switch_file = "STOP\\u0000"\n'}, fragments=("contains a control character",)),
    Case("kill switch already present", files={"KILL_SWITCH": b""}, fragments=("KILL_SWITCH exists, so a session would halt at its first event",)),
    Case("kill switch is a folder", ("--kill-switch-file", "data"), ("is a folder, not a file path",)),
    Case("home of 300 characters", ("--home", "h" * 300), ("is not an existing folder (File name too long)",)),
    Case("lower-case symbol", ("--symbol", "aapl"), ("'aapl' has no metadata", "did you mean AAPL?")),
    Case("pair written with a dash", ("--symbol", "ETH-USDT"), ("'ETH-USDT' has no metadata", "did you mean ETH/USDT?")),
    Case("symbol with a control character", env={"LOGOS_SYMBOLS": "TINY\x01"}, fragments=("LOGOS_SYMBOLS", "contains a control character")),
    Case("ccxt feed with an unknown exchange", ("--feed", "ccxt", "--symbol", "BTC/USDT"), ("'nope' is not a ccxt exchange", "CCXT_EXCHANGE"), env={"CCXT_EXCHANGE": "nope"}),
    Case("price tick 1e-30 in symbols.toml", files={"data/symbols.toml": TINY_SYMBOLS.replace('price_tick = "0.01"', 'price_tick = "1e-30"', 1).encode()}, fragments=("symbols.toml: symbol 'TINY': price_tick = '1e-30' must be at least 0.0000000001",)),
    Case("5000-digit integer in symbols.toml", files={"data/symbols.toml": TINY_SYMBOLS.replace('qty_step = "1"', "qty_step = " + "9" * 5000, 1).encode()}, fragments=("symbols.toml is not valid TOML",)),
    Case("symbols.toml of binary garbage", files={"data/symbols.toml": bytes(range(256))}, fragments=("symbols.toml is not valid TOML",)),
    # --- the files and names around the settings -------------------------------------------
    Case(".env with byte 0xff", files={".env": b"LOGOS_SEED=\xff\n"}, fragments=(".env line 1 is not UTF-8 text (byte 0xff)",)),
    Case(".env with an unterminated quote", files={".env": b'LOGOS_MAX_NOTIONAL="500\nLOGOS_SEED=3\n'}, fragments=(".env line 1 does not parse (the value of LOGOS_MAX_NOTIONAL)",)),
    Case(".env line that is no assignment", files={".env": b"LOGOS_SEED=3\n\n=5\n"}, fragments=(".env line 3 does not parse",)),
    Case(".env typo of a setting", files={".env": b"LOGOS_MAX_NOTINAL=500\n"}, fragments=("LOGOS_MAX_NOTINAL in", ".env is not a Logos setting; fix: rename it to LOGOS_MAX_NOTIONAL")),
    Case(".env typo of a credential", files={".env": b"CCXT_API_KEYS=abcdefghijklmnop\n"}, fragments=("CCXT_API_KEYS in", "rename it to CCXT_API_KEY")),
    Case("a one-character credential", files={".env": b"CCXT_API_KEY=-\n"}, fragments=("CCXT_API_KEY", "too short to be a real credential")),
    Case("environment typo of a setting", env={"LOGOS_MAX_NOTINAL": "500"}, fragments=("LOGOS_MAX_NOTINAL in the environment is not a Logos setting; fix: rename it to LOGOS_MAX_NOTIONAL",)),
    Case("logos.toml typo of a setting", files={"logos.toml": b'symbols = ["TINY"]\nmax_notinal = 5\n'}, fragments=("has unknown setting 'max_notinal'; fix: rename it to 'max_notional'",)),
    Case("logos.toml not UTF-8", files={"logos.toml": b"seed = 1\n# \xff\xfe\n"}, fragments=("logos.toml is not valid TOML",)),
    # --- options of trade itself ----------------------------------------------------------
    Case("duration -5", ("--duration", "-5"), ("--duration '-5' must be at least 1",), config=False),
    Case("duration abc", ("--duration", "abc"), ("--duration 'abc' is not a whole number",), config=False),
    Case("duration on a cache replay", ("--duration", "5"), ("--duration applies to polling feeds only",), config=False),
    Case("session id of 300 characters", ("--session-id", "s" * 300), ("--session-id 'sss", "is not usable as a folder name"), config=False),
    Case("session id climbing out", ("--session-id", "../../etc"), ("is not usable as a folder name",), config=False),
]


@contextmanager
def files_written(home: Path, files: dict[str, bytes]) -> Iterator[None]:
    for name, data in files.items():
        (home / name).parent.mkdir(parents=True, exist_ok=True)
        (home / name).write_bytes(data)
    yield


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_input_with_trade_gives_one_line_exit_2_and_writes_nothing(home: Path, case: Case) -> None:
    # Arrange
    with files_written(home, case.files):
        before = folder_digest(home)

        # Act
        traded = invoke(["trade", "--paper", "--home", str(home), "--session-id", "hostile", *case.args], **case.env)

        # Assert
        [line] = assert_clean_refusal(traded)
        assert all(fragment in line for fragment in case.fragments), line
        assert folder_digest(home) == before
        if case.config:
            checked = invoke(["validate-config", "--home", str(home), *case.args], **case.env)
            assert assert_clean_refusal(checked) == [line]


def test_params_with_json_floats_are_read_exactly_into_the_session(home: Path) -> None:
    # Act
    params = '{"entry_z": 2.5, "exit_z": 0.10000000000000000001, "lookback": 5}'
    result = invoke(["trade", "--paper", "--home", str(home), "--session-id", "exact", "--strategy", "mean_reversion", "--params", params])

    # Assert: the journal carries the decimals as written, not as binary floats round them
    assert result.exit_code == 0, result.output
    started = journal(session_dir(home, "exact"))[0]
    snapshot = json.loads((session_dir(home, "exact") / "state.json").read_text())
    assert started["type"] == "SessionStarted"
    assert ["exit_z", "0.10000000000000000001"] in snapshot["state"]["params"]["strategy_params"]
    assert ["entry_z", "2.5"] in snapshot["state"]["params"]["strategy_params"]
    assert '| params | {"entry_z":2.5,"exit_z":0.10000000000000000001,"lookback":5} |' in (session_dir(home, "exact") / "session.md").read_text()


def test_session_md_with_seed_from_dotenv_says_where_it_came_from(home: Path) -> None:
    (home / ".env").write_text("LOGOS_SEED=7\n")

    result = invoke(["trade", "--paper", "--home", str(home), "--session-id", "seeded"])

    assert result.exit_code == 0, result.output
    assert f"- Seed: 7 (from LOGOS_SEED in {home / '.env'})" in (session_dir(home, "seeded") / "session.md").read_text()


def test_validate_config_with_mixed_trading_hours_warns_and_trade_says_the_same(tmp_path: Path) -> None:
    # Act: the bundled fixtures, AAPL (session hours) with BTC/USDT (24/7)
    checked = invoke(["validate-config", "--home", str(tmp_path), "--symbol", "AAPL,BTC/USDT"])
    traded = invoke(["trade", "--paper", "--home", str(tmp_path), "--session-id", "mixed", "--symbol", "AAPL,BTC/USDT"])

    # Assert: a warning, not a refusal; and the session does halt on stale data as it says
    warnings = [line for line in checked.stderr.splitlines() if line.startswith("warning: ")]
    assert checked.exit_code == 0 and len(warnings) == 1, checked.output
    assert "AAPL trades exchange session hours; BTC/USDT trades 24/7" in warnings[0]
    assert warnings[0] in traded.stderr.splitlines()
    assert traded.exit_code == 3 and "stale_data" in traded.stdout


def test_validate_config_with_dotenv_credentials_readable_by_others_warns(home: Path) -> None:
    env_file = home / ".env"
    env_file.write_text("CCXT_API_KEY=abcdefghijklmnopqrstuvwx\n")
    env_file.chmod(0o644)

    loose = invoke(["validate-config", "--home", str(home)])
    env_file.chmod(0o600)
    tight = invoke(["validate-config", "--home", str(home)])

    assert loose.exit_code == 0 and f"warning: dotenv: {env_file} holds CCXT_API_KEY and other users may read it (mode 644); fix: chmod 600 {env_file}" in loose.stderr
    assert "abcdefghijklmnopqrstuvwx" not in loose.output
    assert tight.exit_code == 0 and "warning" not in tight.stderr


def test_validate_config_with_home_symbols_adds_to_the_bundled_table(home: Path) -> None:
    # TINY comes from the home's file, AAPL from the bundled one: both are known
    result = invoke(["validate-config", "--home", str(home), "--symbol", "TINY,AAPL", "--feed", "yfinance"])

    assert result.exit_code == 0, result.output


# --- resume: its options are checked before anything is touched ----------------------------


@pytest.fixture(scope="module")
def crashed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home holding a session killed after seq 20, resumable."""
    root = make_home(tmp_path_factory.mktemp("crashed") / "home")
    run = run_logos(["trade", "--paper", "--session-id", "crashed"], root, crash_after=20)
    assert run.returncode == -9, run.stderr
    return root


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        (("--speed", "abc"), "--speed 'abc' is not max, realtime or a number"),
        (("--speed", "1e-300"), "--speed '1e-300' must be at least 0.1"),
        (("--speed", "1e-1000000"), "must be at least 0.1"),
        (("--speed", "1" + "0" * 5000), "must be at most 1000000"),
        (("--reset-guard", "everything"), "--reset-guard 'everything' is not a resettable guard"),
    ],
)
def test_resume_with_bad_option_is_refused_in_one_line_with_the_session_unchanged(crashed: Path, options: tuple[str, ...], fragment: str) -> None:
    before = folder_digest(crashed)

    result = invoke(["resume", "crashed", "--home", str(crashed), *options])

    output = result.stdout + result.stderr
    assert "Traceback" not in output and result.exit_code == 2, output
    [line] = error_lines(result.stderr)
    assert fragment in line
    assert folder_digest(crashed) == before


# --- cache rows: a bad row is a bad row wherever it is ---------------------------------------


@pytest.mark.parametrize(
    ("row", "at", "error_line", "fragment"),
    [
        # the header is line 1 and bar(k) line k + 2; the row goes in before bar(at)
        ("9999-12-31T23:59:00Z,1,1,1,1,1\n", BARS, BARS + 2, "timestamp '9999-12-31T23:59:00Z' is outside the years 1970 to 9998"),
        ("9999-12-31T23:59:00Z,1,1,1,1,1\n", 10, 12, "is outside the years 1970 to 9998"),
        ("2031-01-01T00:00:00Z,1,1,1,1,1\n", 10, 13, "timestamp 2025-10-13T13:40:00Z is older than line 12 (2031-01-01T00:00:00Z)"),
        (bar(9), 10, 12, "timestamp 2025-10-13T13:39:00Z repeats the timestamp of line 11"),
        (bar(5), 10, 12, "is older than line 11"),
        ("2025-10-13T13:39:30Z,1E+13,1,1,1,1\n", 10, 12, "open '1E+13' is above 1000000000000"),
        ("2025-10-13T13:39:30Z,1,1,1,1,1E+999999\n", 10, 12, "volume '1E+999999' is above"),
        ("2025-10-13T13:39:30Z,1,sNaN,1,1,1\n", 10, 12, "high 'sNaN' is not a number"),
    ],
)
def test_cache_with_bad_row_anywhere_stops_the_session_at_that_row_in_one_line(home: Path, row: str, at: int, error_line: int, fragment: str) -> None:
    # Arrange
    path = home / "data" / "cache" / "equity" / "TINY_1m.csv"
    lines = path.read_text().splitlines(keepends=True)
    lines.insert(1 + at, row)
    path.write_text("".join(lines))

    # Act
    result = invoke(["trade", "--paper", "--home", str(home), "--session-id", "rows"])

    # Assert: the line is named, and no bar at or after it was journaled
    output = result.stdout + result.stderr
    assert "Traceback" not in output and result.exit_code == 2, output
    [line] = error_lines(result.stderr)
    # The run is recorded as failed, naming the file and line, and says how to continue it.
    assert line.startswith("error: session rows failed at seq ") and f" {path}:{error_line}: " in line and fragment in line, line
    assert line.endswith("continue with `logos resume rows --home " + str(home) + "`"), line
    bars = [e for e in journal(session_dir(home, "rows")) if e["type"] == "BarClosed"]
    assert len(bars) < at


# --- hypothesis: random input through every layer ---------------------------------------------

# A session these pick could poll the network or wait in real time: validated, never run.
PACED = {"feed", "speed"}
CLI_SETTINGS = [spec for spec in SETTINGS if spec.on_cli and spec.name not in ("home", "config")]
# What an OS can carry in argv and the environment: no NUL, no lone surrogate.
os_text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40)
hostile_text = st.one_of(
    os_text,
    st.sampled_from(["1e999", "-0", "NaN", "sNaN", "Infinity", "1e-1000000", "9" * 5000, "0x10", "1_000", " 5 ", "١٢", "None", "[]", "{}", "true"]),
    st.builds(lambda d: _deep(d), st.integers(1, 3000)),
)


# Each example runs the CLI once or twice: half the profile's count keeps CI quick, and the
# explore profile still runs hundreds.
CLI_SIZED = settings(max_examples=max(10, settings.default.max_examples // 2))


@contextmanager
def scratch_home() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as folder:
        home = make_home(Path(folder) / "home")
        cwd = os.getcwd()
        os.chdir(home)  # a relative --home or --config resolves inside the scratch folder
        try:
            yield home
        finally:
            os.chdir(cwd)


def _check_both(home: Path, args: list[str], env: dict[str, str], *, may_trade: bool = False) -> None:
    """validate-config never raises; when it refuses, trade refuses with the same lines and writes
    nothing; when it accepts (and ``may_trade``: a cache replay at full speed), trade starts."""
    before = folder_digest(home.parent)
    checked = invoke(["validate-config", "--home", str(home), *args], **env)
    assert "Traceback" not in checked.output
    assert checked.exit_code in (0, 2), checked.output
    if checked.exit_code == 0:
        if may_trade:
            traded = invoke(["trade", "--paper", "--home", str(home), "--session-id", "fuzz", *args], **env)
            assert "Traceback" not in traded.output and traded.exit_code in (0, 3), traded.output
        return
    errors = assert_clean_refusal(checked, count=len(error_lines(checked.stderr)))
    assert errors
    traded = invoke(["trade", "--paper", "--home", str(home), "--session-id", "fuzz", *args], **env)
    assert assert_clean_refusal(traded, count=len(errors)) == errors
    assert folder_digest(home.parent) == before


@CLI_SIZED
@given(spec=st.sampled_from(CLI_SETTINGS), text=hostile_text)
def test_random_text_on_the_command_line_never_gets_past_validation_unparsed(spec, text: str) -> None:
    with scratch_home() as home:
        _check_both(home, [spec.option, text], {}, may_trade=spec.name not in PACED)


@CLI_SIZED
@given(spec=st.sampled_from([s for s in SETTINGS if s.name not in ("home", "config")]), text=hostile_text)
def test_random_text_in_the_environment_never_gets_past_validation_unparsed(spec, text: str) -> None:
    with scratch_home() as home:
        _check_both(home, [], {spec.env: text}, may_trade=spec.name not in PACED)


@CLI_SIZED
@given(data=st.one_of(st.binary(max_size=120), st.builds(lambda spec, text: f"{spec.env}={text}\n".encode("utf-8", "surrogatepass"), st.sampled_from(SETTINGS), hostile_text)))
def test_random_dotenv_never_gets_past_validation_unparsed(data: bytes) -> None:
    with scratch_home() as home:
        (home / ".env").write_bytes(data)
        _check_both(home, [], {})


@CLI_SIZED
@given(
    data=st.one_of(
        st.binary(max_size=120),
        st.builds(
            lambda spec, text: f"{spec.name} = {json.dumps(text)}\n".encode(),
            st.sampled_from([s for s in SETTINGS if "config" in s.layers]),
            hostile_text,
        ),
    )
)
def test_random_logos_toml_never_gets_past_validation_unparsed(data: bytes) -> None:
    with scratch_home() as home:
        (home / "logos.toml").write_bytes(data)
        _check_both(home, [], {})


@CLI_SIZED
@given(field_name=st.sampled_from(["price_tick", "qty_step", "lot_size", "min_notional", "max_order_notional", "cash_step", "asset_class"]), value=st.one_of(hostile_text.map(json.dumps), st.binary(max_size=30).map(lambda b: b.decode("latin-1"))))
def test_random_symbols_toml_field_is_refused_naming_the_file_or_accepted(field_name: str, value: str) -> None:
    with scratch_home() as home:
        text = re.sub(rf"(?m)^{field_name} = .*$", f"{field_name} = {value}".replace("\\", "\\\\"), TINY_SYMBOLS, count=1)
        (home / "data" / "symbols.toml").write_text(text, encoding="utf-8", errors="surrogateescape")
        checked = invoke(["validate-config", "--home", str(home)])
        assert "Traceback" not in checked.output and checked.exit_code in (0, 2), checked.output
        if checked.exit_code == 2:
            [line] = assert_clean_refusal(checked)
            assert "symbols.toml" in line


@CLI_SIZED
@given(row=st.binary(max_size=60).filter(lambda b: b"\n" not in b), at=st.integers(0, BARS))
def test_random_bytes_as_a_cache_row_stop_the_session_in_one_line_or_replay(row: bytes, at: int) -> None:
    with scratch_home() as home:
        path = home / "data" / "cache" / "equity" / "TINY_1m.csv"
        lines = path.read_bytes().splitlines(keepends=True)
        lines.insert(1 + at, row + b"\n")
        path.write_bytes(b"".join(lines))

        result = invoke(["trade", "--paper", "--home", str(home), "--session-id", "bytes"])

        output = result.stdout + result.stderr
        assert "Traceback" not in output and result.exit_code in (0, 2), output
        if result.exit_code == 2:
            [line] = error_lines(result.stderr)
            assert line.startswith("error: session bytes failed at seq ") and f" {path}:" in line and "fix or delete" in line


# The bounds as docs/LIVE-RUNBOOK.md's settings reference states them: (low, low allowed, high).
DOCUMENTED_BOUNDS = {
    "sizing_value": (Decimal(0), False, Decimal(10) ** 12),
    "initial_cash": (Decimal(0), False, Decimal(10) ** 12),
    "max_notional": (Decimal(0), False, Decimal(10) ** 12),
    "max_exposure": (Decimal(0), False, Decimal(10) ** 12),
    "max_position": (Decimal(0), False, Decimal(10) ** 12),
    "limit_offset_bps": (Decimal(0), True, Decimal(5000)),
    "slippage_bps": (Decimal(0), True, Decimal(1000)),
    "fee_bps": (Decimal(0), True, Decimal(1000)),
    "volume_share": (Decimal(0), False, Decimal(1)),
    "max_drawdown_bps": (Decimal(0), False, Decimal(10000)),
    "limit_ttl_bars": (Decimal(1), True, Decimal(100000)),
    "stale_after_s": (Decimal(1), True, Decimal(2592000)),
    "snapshot_every": (Decimal(1), True, Decimal(10000000)),
    "seed": (Decimal(0), True, Decimal(2**63 - 1)),
}
WHOLE = {"limit_ttl_bars", "stale_after_s", "snapshot_every", "seed"}
numbers = st.one_of(
    st.decimals(allow_nan=False, allow_infinity=False, places=None).filter(lambda d: abs(d.adjusted()) < 40),
    st.integers(-(10**20), 10**20).map(Decimal),
    st.sampled_from([Decimal(10) ** 12, Decimal(10) ** 12 + Decimal("0.0000000001"), Decimal("0.0000000001"), Decimal("1E-11"), Decimal(5000), Decimal(1000), Decimal(2**63)]),
)


@CLI_SIZED
@given(name=st.sampled_from(sorted(DOCUMENTED_BOUNDS)), value=numbers)
def test_numeric_setting_is_accepted_exactly_within_its_documented_bounds(name: str, value: Decimal) -> None:
    # Arrange
    low, low_allowed, high = DOCUMENTED_BOUNDS[name]
    text = format(value, "f")
    inside = (low < value or (low_allowed and value == low)) and value <= high
    if name in WHOLE:
        expected = inside and re.fullmatch(r"-?\d+", text) is not None
    else:
        expected = inside and len(text.partition(".")[2].rstrip("0")) <= 10
    option = next(spec.option for spec in SETTINGS if spec.name == name)

    # Act
    with scratch_home() as home:
        result = invoke(["validate-config", "--home", str(home), option, text])

    # Assert: nothing unsafe accepted, nothing safe refused
    assert "Traceback" not in result.output
    assert result.exit_code == (0 if expected else 2), (name, value, result.output)
    if not expected:
        [line] = assert_clean_refusal(result)
        assert line.startswith(f"error: {name}: option {option} ")
