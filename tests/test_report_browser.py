"""`logos report` pages opened in a real browser: Debian's headless Chromium, driven by playwright.

Each page must draw (coloured pixels where its lines and markers go), carry one DOM marker
per fill drawn, per guard trip and per halt, and load nothing but itself. Set
LOGOS_TEST_REPORT_FOLDER to a session folder to check its page as well (a 1M-bar benchmark
session, say); its report.html is rebuilt.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Iterator

import pytest
from PIL import Image
from session_helpers import invoke, rows, run_logos, session_dir

from benchmarks.logos_runs import TRADE_OPTIONS
from benchmarks.synthetic import make_home
from logos.report.page import BUY, MAX_MARKERS, SELL

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--no-sandbox",  # as root (CI), and inside `unshare -rn`
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
EQUITY_LINE, PRICE_LINE = "#2c7bb6", "#555555"
SYNTHETIC_BARS = 120_000  # enough for both the line downsampling and the marker thinning

if not CHROMIUM.is_file():
    reason = f"{CHROMIUM} is missing: apt-get install -y chromium (.ci/run installs it)"
    pytestmark = pytest.mark.skipif(not os.environ.get("CI"), reason=reason)


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def coloured_pixels(png: Path, colour: str, tolerance: int = 24) -> int:
    """Count the pixels of ``png`` within ``tolerance`` of ``colour`` on every channel."""
    target = _rgb(colour)
    image = Image.open(png).convert("RGB")
    return sum(
        count
        for count, pixel in image.getcolors(maxcolors=1 << 24)
        if all(abs(channel - want) <= tolerance for channel, want in zip(pixel, target))
    )


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A fresh Chromium profile, every request recorded and anything but a file:// URL refused."""
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as driver:
        context = driver.chromium.launch_persistent_context(
            str(profile), executable_path=str(CHROMIUM), headless=True, args=FLAGS, viewport={"width": 1400, "height": 900}
        )
        context.requests = []  # type: ignore[attr-defined]
        context.on("request", lambda request: context.requests.append(request.url))  # type: ignore[attr-defined]
        context.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file://") else route.abort())
        yield context
        context.close()


def _journal_stops(folder: Path) -> int:
    lines = (folder / "state.jsonl").read_text().splitlines()
    return sum(1 for line in lines if line.endswith("}") and json.loads(line)["type"] in ("SessionHalted", "SessionPaused"))


def check_page(browser: Any, folder: Path, shots: Path) -> None:
    """Open ``folder``'s report.html and assert it drew, marked everything and fetched nothing."""
    # Arrange
    page_file = folder / "report.html"
    url = page_file.resolve().as_uri()
    trades = rows(folder / "trades.csv")
    symbols = json.loads((folder / "state.json").read_text())["state"]["params"]["symbols"]
    trips = json.loads((folder / "state.json").read_text())["state"]["trips"]
    summary = json.loads((folder / "summary.json").read_text())
    browser.requests.clear()
    page = browser.new_page()

    # Act
    page.goto(url)
    page.wait_for_function(f"document.querySelectorAll('.js-plotly-plot .main-svg').length >= {2 * (1 + len(symbols))}")
    page.screenshot(path=str(shots / "report.png"), full_page=True)

    # Assert: nothing but the page itself was asked for
    assert browser.requests == [url]
    # the equity chart drew its line, its drawdown and a marker per trip and a line per halt
    equity = page.locator("#equity .js-plotly-plot")
    equity.screenshot(path=str(shots / "equity.png"))
    assert coloured_pixels(shots / "equity.png", EQUITY_LINE) > 300
    assert coloured_pixels(shots / "equity.png", SELL) > 300
    assert page.locator("#equity .scatterlayer path.point").count() == len(trips)
    assert page.locator("#equity .shapelayer path").count() == _journal_stops(folder)
    # each symbol's chart drew its price and a marker per fill drawn
    sections = page.locator("section.symbol")
    assert sections.count() == len(symbols)
    for index, symbol in enumerate(symbols):
        section = sections.nth(index)
        mine = [t for t in trades if t["symbol"] == symbol]
        fills, drawn = int(section.get_attribute("data-fills")), int(section.get_attribute("data-drawn"))
        assert (section.get_attribute("data-symbol"), fills) == (symbol, len(mine))
        assert section.locator(".scatterlayer path.point").count() == drawn
        sides = [sum(1 for t in mine if t["side"] == side) for side in ("buy", "sell")]
        if max(sides) <= MAX_MARKERS:
            assert drawn == fills
        else:
            # a side with more than MAX_MARKERS fills marks one in k of them: more than half the cap
            assert sum(min(n, MAX_MARKERS) for n in sides) >= drawn > sum(min(n, MAX_MARKERS // 2) for n in sides)
        shot = shots / f"symbol-{index}.png"
        section.locator(".js-plotly-plot").screenshot(path=str(shot))
        assert coloured_pixels(shot, PRICE_LINE) > 300
        if sides[0]:
            assert coloured_pixels(shot, BUY) > 0
        if sides[1]:
            assert coloured_pixels(shot, SELL) > 0
    # the statistics tables are those of summary.json
    assert page.locator("table").first.inner_text().count(summary["return_pct"]) == 1
    page.close()


@pytest.mark.parametrize(
    ("options", "code"),
    [((), 0), (("--max-drawdown-bps", "30"), 3)],
    ids=["completed", "halted"],
)
def test_report_with_bundled_session_draws_every_chart_offline(browser: Any, tmp_path: Path, options: tuple[str, ...], code: int) -> None:
    # Arrange
    assert invoke(["trade", "--paper", "--session-id", "s", "--home", str(tmp_path), *options]).exit_code == code
    # Act
    run = run_logos(["report", "s"], tmp_path)
    # Assert
    assert run.returncode == 0, run.stderr
    check_page(browser, session_dir(tmp_path, "s"), tmp_path)


def test_report_with_long_synthetic_session_thins_what_it_draws_and_still_draws_it(browser: Any, tmp_path: Path) -> None:
    # Arrange
    home = tmp_path / "home"
    make_home(home, SYNTHETIC_BARS)
    result = invoke(["trade", "--paper", "--session-id", "long", "--home", str(home), *TRADE_OPTIONS])
    assert result.exit_code == 0, result.output
    # Act
    run = run_logos(["report", "long", "--out", str(tmp_path / "long.html")], home)
    # Assert
    assert run.returncode == 0, run.stderr
    folder = session_dir(home, "long")
    (tmp_path / "long.html").replace(folder / "report.html")
    check_page(browser, folder, tmp_path)
    assert len((folder / "report.html").read_bytes()) < 12_000_000


@pytest.mark.skipif(not os.environ.get("LOGOS_TEST_REPORT_FOLDER"), reason="set LOGOS_TEST_REPORT_FOLDER to check a session of your own")
def test_report_with_given_session_folder_passes_the_same_checks(browser: Any, tmp_path: Path) -> None:
    folder = Path(os.environ["LOGOS_TEST_REPORT_FOLDER"])
    home, session_id = folder.parents[3], folder.name
    run = run_logos(["report", session_id], home)
    assert run.returncode == 0, run.stderr
    check_page(browser, folder, tmp_path)
