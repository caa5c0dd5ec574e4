"""Settings: one table, five layers, exact decimals, problems collected rather than raised."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from logos import paths
from logos.config.settings import SETTINGS, SPECS, Problem, Settings, default_settings_table, env_seed, load_settings

PLANTED = "SECRETKEY-PLANTED-9f3a"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def load(home: Path, cli: dict | None = None, env: dict | None = None) -> Settings:
    return load_settings({"home": str(home), **(cli or {})}, environ=env or {})


def test_load_settings_with_no_layer_gives_the_defaults(home):
    # Act
    settings = load(home)

    # Assert
    assert settings.problems == ()
    assert settings.home == home.resolve()
    assert settings.config is None
    assert settings.seed == paths.DEFAULT_SEED
    assert settings.symbols == ("AAPL", "MSFT", "SPY")
    assert settings.max_notional == Decimal("25000")
    assert settings.volume_share == Decimal("0.25")
    assert settings.kill_switch_file == home.resolve() / "KILL_SWITCH"
    assert settings.ccxt_sandbox is True and settings.alpaca_paper is True
    assert settings.ccxt_api_key is None


def test_settings_table_with_every_field_has_one_spec_and_one_name_per_layer():
    # Arrange
    names = [spec.name for spec in SETTINGS]

    # Assert
    assert len(names) == len(set(names))
    assert SPECS["max_notional"].env == "LOGOS_MAX_NOTIONAL"
    assert SPECS["max_notional"].option == "--max-notional"
    assert SPECS["ccxt_api_key"].env == "CCXT_API_KEY"
    assert not SPECS["ccxt_api_key"].on_cli
    assert SPECS["symbols"].option == "--symbol"
    assert [row[2] for row in default_settings_table()] == [spec.env for spec in SETTINGS]


def test_load_settings_with_every_layer_reads_config_dotenv_env_and_cli(home):
    # Arrange
    (home / "logos.toml").write_text('max_notional = 1\nmax_exposure = 2\nmax_position = 3\nfee_bps = 4\n')
    (home / ".env").write_text("LOGOS_MAX_EXPOSURE=20\nLOGOS_MAX_POSITION=30\nLOGOS_FEE_BPS=40\n")
    env = {"LOGOS_MAX_POSITION": "300", "LOGOS_FEE_BPS": "400"}

    # Act
    settings = load(home, {"fee_bps": "999"}, env)

    # Assert
    assert settings.problems == ()
    assert settings.config == home / "logos.toml"
    assert (settings.max_notional, settings.max_exposure, settings.max_position, settings.fee_bps) == (1, 20, 300, 999)
    assert [settings.origin(n).layer for n in ("max_notional", "max_exposure", "max_position", "fee_bps")] == ["config", "dotenv", "env", "cli"]


def test_load_settings_with_dotenv_never_writes_os_environ(home, monkeypatch):
    monkeypatch.delenv("LOGOS_STRATEGY", raising=False)
    (home / ".env").write_text("LOGOS_STRATEGY=pairs_trading\n")
    settings = load_settings({"home": str(home)})
    assert settings.strategy == "pairs_trading"
    import os

    assert "LOGOS_STRATEGY" not in os.environ


_LAYERS = ("config", "dotenv", "env", "cli")


@given(present=st.lists(st.booleans(), min_size=4, max_size=4), values=st.lists(st.integers(1, 10**9), min_size=4, max_size=4, unique=True))
def test_load_settings_with_any_layer_combination_the_highest_layer_wins(tmp_path_factory, present, values):
    # Arrange
    home = tmp_path_factory.mktemp("home")
    given_layers = {layer: str(value) for layer, value, on in zip(_LAYERS, values, present) if on}
    if "config" in given_layers:
        (home / "logos.toml").write_text(f'max_notional = "{given_layers["config"]}"\n')
    if "dotenv" in given_layers:
        (home / ".env").write_text(f"LOGOS_MAX_NOTIONAL={given_layers['dotenv']}\n")
    env = {"LOGOS_MAX_NOTIONAL": given_layers["env"]} if "env" in given_layers else {}
    cli = {"max_notional": given_layers.get("cli")}

    # Act
    settings = load(home, cli, env)

    # Assert
    winner = [layer for layer in _LAYERS if layer in given_layers][-1:] or ["default"]
    expected = given_layers.get(winner[0], SPECS["max_notional"].default)
    assert settings.max_notional == Decimal(expected)
    assert settings.origin("max_notional").layer == winner[0]


def test_load_settings_with_toml_float_and_table_keeps_exact_decimals(home):
    # Arrange
    (home / "logos.toml").write_text('volume_share = 0.1\nslippage_bps = 2.5\n[params]\nfast = 10\nthreshold = 0.1\n')

    # Act
    settings = load(home)

    # Assert
    assert settings.volume_share == Decimal("0.1")
    assert settings.slippage_bps == Decimal("2.5")
    assert settings.params == {"fast": 10, "threshold": Decimal("0.1")}
    assert settings.public_dict()["params"] == '{"fast":10,"threshold":0.1}'


def test_load_settings_with_json_params_parses_floats_as_decimals(home):
    settings = load(home, {"params": '{"slow": 30, "z": 1.25}'})
    assert settings.params == {"slow": 30, "z": Decimal("1.25")}


def test_load_settings_with_cli_symbols_list_and_commas_flattens_and_dedupes(home):
    settings = load(home, {"symbols": ["AAPL,BTC/USDT", "AAPL", " EUR/USD "]})
    assert settings.symbols == ("AAPL", "BTC/USDT", "EUR/USD")


def test_load_settings_with_env_config_path_reads_that_file(home, tmp_path_factory):
    # Arrange
    other = tmp_path_factory.mktemp("cfg") / "alt.toml"
    other.write_text('strategy = "mean_reversion"\n')

    # Act
    settings = load(home, env={"LOGOS_CONFIG": str(other)})

    # Assert
    assert settings.strategy == "mean_reversion"
    assert settings.config == other


def test_load_settings_with_relative_kill_switch_resolves_against_home(home):
    settings = load(home, {"kill_switch_file": "run/STOP"})
    assert settings.kill_switch_file == home.resolve() / "run" / "STOP"


def test_load_settings_with_speed_factor_normalizes_it(home):
    assert load(home, {"speed": "10.0"}).speed == "10"
    assert load(home, {"speed": "0.50"}).speed == "0.5"
    assert load(home, {"speed": "REALTIME"}).speed == "realtime"
    assert load(home, {"speed": "-1"}).problems[0].setting == "speed"


def test_load_settings_with_malformed_values_collects_problems_and_keeps_defaults(home):
    # Act
    settings = load(home, env={"LOGOS_MAX_NOTIONAL": "abc", "LOGOS_SEED": "x", "LOGOS_VOLUME_SHARE": "1.5"})

    # Assert
    assert [p.setting for p in settings.problems] == ["seed", "volume_share", "max_notional"]
    assert settings.max_notional == Decimal("25000")
    assert all(isinstance(p, Problem) and "; fix: " in str(p) and "\n" not in str(p) for p in settings.problems)


def test_load_settings_with_cli_credential_refuses_as_a_programming_error(home):
    with pytest.raises(TypeError):
        load(home, {"ccxt_api_key": "x"})


def test_load_settings_with_none_cli_values_ignores_them(home):
    settings = load(home, {"max_notional": None, "symbols": None})
    assert settings.max_notional == Decimal("25000")
    assert settings.origin("max_notional").layer == "default"


def test_settings_with_secrets_never_show_them_in_repr_str_or_public_dict(home):
    # Arrange
    (home / ".env").write_text(f"CCXT_API_SECRET={PLANTED}\nALPACA_SECRET_KEY={PLANTED}\n")

    # Act
    settings = load(home, env={"CCXT_API_KEY": PLANTED, "ALPACA_KEY_ID": "PK" + PLANTED.replace("-", "")})

    # Assert
    texts = [repr(settings), str(settings), repr(settings.public_dict()), repr(dict(settings.origins)), repr(settings.problems)]
    assert all(PLANTED not in text and PLANTED.replace("-", "") not in text for text in texts)
    assert settings.public_dict()["ccxt_api_key"] == "****3a"
    assert settings.ccxt_api_key.reveal() == PLANTED


def test_public_dict_with_defaults_renders_every_setting_as_text(home):
    public = load(home).public_dict()
    assert list(public) == [spec.name for spec in SETTINGS]
    assert all(isinstance(v, str) for v in public.values())
    assert public["symbols"] == "AAPL,MSFT,SPY"
    assert public["ccxt_sandbox"] == "true"


def test_load_settings_with_unknown_config_key_suggests_the_setting(home):
    (home / "logos.toml").write_text('max_notionl = "5"\n')
    settings = load(home)
    assert [str(p) for p in settings.problems] == [f"config: {home / 'logos.toml'} has unknown setting 'max_notionl'; fix: rename it to 'max_notional'"]


def test_load_settings_with_home_in_config_file_reports_it_as_unknown(home):
    (home / "logos.toml").write_text('home = "/elsewhere"\n')
    settings = load(home)
    assert settings.home == home.resolve()
    assert settings.problems[0].setting == "config"


def test_runbook_with_settings_reference_matches_the_table():
    from logos.config.settings import settings_table_markdown

    runbook = Path(__file__).resolve().parent.parent / "docs" / "LIVE-RUNBOOK.md"
    assert settings_table_markdown() in runbook.read_text()


def test_setting_options_with_typer_command_passes_only_given_options(home):
    # Arrange
    import typer
    from typer.testing import CliRunner

    from logos.config.options import setting_options

    seen = {}
    app = typer.Typer()

    @app.command()
    @setting_options(("max_notional", "symbols"))
    def show(cli: dict, flag: bool = False) -> None:
        seen.update(cli=cli, flag=flag)

    # Act
    result = CliRunner().invoke(app, ["--max-notional", "-5", "--symbol", "AAPL", "--symbol", "BTC/USDT", "--flag"])

    # Assert
    assert result.exit_code == 0, result.output
    assert seen == {"cli": {"max_notional": "-5", "symbols": ["AAPL", "BTC/USDT"]}, "flag": True}
    assert load(home, seen["cli"]).problems[0].setting == "max_notional"


@given(text=st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=25) | st.integers(-5, 2**64).map(str))
def test_env_seed_with_any_text_parses_as_the_seed_setting_does(text):
    # Arrange
    settings = load_settings({"home": "."}, environ={"LOGOS_SEED": text})
    refused = [p for p in settings.problems if p.setting == "seed"]

    # Act / Assert: one parser, so the same value, or a refusal with the same line
    if refused:
        with pytest.raises(ValueError) as caught:
            env_seed({"LOGOS_SEED": text})
        assert str(caught.value) == str(refused[0])
    else:
        assert env_seed({"LOGOS_SEED": text}) == settings.seed
