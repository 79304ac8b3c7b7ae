"""The hub's page (exports/index.html) in headless chromium, opened from file://.

Real consumer tests: they need Debian's ``chromium`` and ``chromium-driver`` (installed by
.ci/run; skipped locally without them, failing in CI). Screenshots at desktop and phone
widths are written to tests/artifacts/ (git-ignored) on every run.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from citekit.cli import cli
from citekit.library import load
from citekit.model import Date, Name, Record
from citekit.writers.html import format_html
from tests.browser.chromium import chromium, find
from tests.conftest import require_binary

pytestmark = pytest.mark.consumer

ROOT = Path(__file__).resolve().parent.parent.parent
HUB_BIB = ROOT / "references.bib"
PAGE = ROOT / "exports" / "index.html"
ARTIFACTS = ROOT / "tests" / "artifacts"
KNOX = {"knox2009interactively", "knox2011augmenting"}


def _binaries() -> tuple[str, str]:
    browser = find("chromium", "/usr/bin/chromium") or require_binary("chromium")
    driver = find("chromedriver", "/usr/bin/chromedriver") or require_binary("chromedriver")
    return browser, driver


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium(*_binaries()) as session:
        yield session


@pytest.fixture
def hub(browser: Any) -> Any:
    """The committed hub page, freshly loaded, console log emptied."""
    browser.set_window_size(1280, 900)
    browser.get(PAGE.as_uri())
    browser.get_log("browser")
    return browser


def errors(session: Any) -> list[Any]:
    return [e for e in session.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]


def shown_keys(session: Any) -> set[str]:
    """Keys of the entries a reader sees (an entry filed twice counts once)."""
    script = """return Array.from(document.querySelectorAll('li.entry'))
        .filter(e => e.offsetParent !== null).map(e => e.dataset.key);"""
    return set(session.execute_script(script))


def text_of(session: Any, css: str) -> str:
    return str(session.execute_script(f"return document.querySelector({css!r}).textContent;"))


def hub_keys(collection: str | None = None) -> set[str]:
    return {
        r.key for r in load(HUB_BIB).records if collection is None or collection in r.collections
    }


def test_page_loads_from_file_with_no_console_errors(browser: Any) -> None:
    browser.get_log("browser")
    browser.get(PAGE.as_uri())
    assert browser.title == "Bibliography"
    assert browser.execute_script("return document.readyState") == "complete"
    assert errors(browser) == []


def test_all_11_entries_are_shown(hub: Any) -> None:
    assert shown_keys(hub) == hub_keys() and len(hub_keys()) == 11
    assert text_of(hub, "#count") == "11 entries"


def test_choosing_rlhf_shows_exactly_its_entries(hub: Any) -> None:
    """The issue says 4; the hub files 5 entries under RLHF (InstructGPT is also in it)."""
    hub.find_element("css selector", 'nav a[data-c="LLM Hub/RLHF"]').click()
    expected = hub_keys("LLM Hub/RLHF")
    assert expected == {
        "ouyang2022training",
        "lambert2022illustrating",
        "knox2011augmenting",
        "knox2009interactively",
        "schulman2017proximal",
    }
    assert shown_keys(hub) == expected
    assert hub.current_url.endswith("#c=LLM+Hub%2FRLHF")
    link = hub.find_element("css selector", 'nav a[data-c="LLM Hub/RLHF"]')
    assert link.get_attribute("aria-current") == "true"
    hub.find_element("css selector", 'nav a[data-c=""]').click()
    assert shown_keys(hub) == hub_keys()
    assert errors(hub) == []


def test_typing_knox_filters_and_updates_the_fragment(hub: Any) -> None:
    search = hub.find_element("id", "q")
    for letter in "knox":
        search.send_keys(letter)
    assert shown_keys(hub) == KNOX
    assert text_of(hub, "#count") == "2 entries match"
    assert hub.current_url.endswith("#q=knox")
    search.send_keys(" 2009")
    assert shown_keys(hub) == {"knox2009interactively"}
    assert errors(hub) == []


def test_a_linked_filtered_view_opens_filtered(hub: Any) -> None:
    hub.get(PAGE.as_uri() + "#q=STONE&c=LLM+Hub%2FRLHF")
    assert shown_keys(hub) == KNOX
    assert hub.find_element("id", "q").get_attribute("value") == "STONE"
    hub.get(PAGE.as_uri() + "#q=no-such-paper")
    assert shown_keys(hub) == set()
    assert hub.find_element("id", "none").is_displayed()


def bibtex_export_of(key: str) -> str:
    """The block ``citekit export bibtex`` writes for ``key``."""
    result = CliRunner().invoke(cli, ["--bib", str(HUB_BIB), "export", "bibtex", "-o", "-"])
    assert result.exit_code == 0, result.output
    (block,) = [b + "\n" for b in result.stdout.split("\n\n") if b.startswith("@") and key in b]
    return block.replace("\n\n", "\n")


def test_copy_button_copies_exactly_the_bibtex_export(hub: Any) -> None:
    key = "knox2009interactively"
    expected = bibtex_export_of(key)
    hub.execute_cdp_cmd(
        "Browser.grantPermissions",
        {"origin": "file://", "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]},
    )
    hub.find_element("css selector", f'li[data-key="{key}"] button[data-fmt="bibtex"]').click()
    deadline = time.monotonic() + 5
    while "Copied" not in text_of(hub, "#status") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert text_of(hub, "#status") == f"Copied BibTeX of {key}"
    assert text_of(hub, "#copied") == expected
    clipboard = hub.execute_async_script(
        "const done = arguments[0];"
        "navigator.clipboard.readText().then(done, e => done({error: String(e)}));"
    )
    if isinstance(clipboard, dict):  # no clipboard in this headless session: #copied above
        if os.environ.get("CI"):
            pytest.fail(f"clipboard not readable under CI: {clipboard['error']}")
        pytest.skip(f"clipboard not readable here: {clipboard['error']}")
    assert clipboard == expected
    assert errors(hub) == []


def test_toggle_shows_the_export_text(hub: Any) -> None:
    entry = hub.find_element("css selector", 'li[data-key="chung2024scaling"]')
    pre = entry.find_element("css selector", 'pre[data-fmt="csl"]')
    assert not pre.is_displayed()
    entry.find_element("css selector", "summary").click()
    assert pre.is_displayed()
    assert json.loads(pre.text)[0]["id"] == "chung2024scaling"


def test_keyboard_reaches_the_search_box_and_collections(hub: Any) -> None:
    from selenium.webdriver.common.keys import Keys

    body = hub.find_element("tag name", "body")
    body.send_keys(Keys.TAB)
    assert hub.switch_to.active_element.text == "Skip to the entries"
    hub.switch_to.active_element.send_keys(Keys.TAB)
    assert hub.switch_to.active_element.get_attribute("id") == "q"
    hub.switch_to.active_element.send_keys(Keys.TAB, Keys.TAB)
    active = hub.switch_to.active_element
    assert active.get_attribute("data-c") == "LLM Hub"
    active.send_keys(Keys.ENTER)
    assert len(shown_keys(hub)) == 11 and hub.current_url.endswith("#c=LLM+Hub")


def test_print_hides_the_controls(hub: Any) -> None:
    hub.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        assert not hub.find_element("tag name", "nav").is_displayed()
        assert not hub.find_element("id", "find").is_displayed()
        assert len(shown_keys(hub)) == 11
    finally:
        hub.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})


def test_screenshots_desktop_and_phone(hub: Any) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    hub.set_window_size(1280, 1000)
    assert hub.save_screenshot(str(ARTIFACTS / "hub-desktop.png"))
    hub.set_window_size(390, 844)
    hub.get(PAGE.as_uri())
    width = hub.execute_script("return [document.documentElement.scrollWidth, innerWidth]")
    assert width[0] <= width[1], "the page scrolls sideways on a phone"
    assert hub.save_screenshot(str(ARTIFACTS / "hub-phone.png"))
    assert (ARTIFACTS / "hub-phone.png").stat().st_size > 10_000


def test_without_javascript_every_entry_under_its_collection_heading() -> None:
    with chromium(*_binaries(), javascript=False) as session:
        session.get(PAGE.as_uri())
        assert shown_keys(session) == hub_keys()
        headings = [h.text for h in session.find_elements("css selector", "main h2, main h3")]
        assert headings == [
            "LLM Hub",
            "LLM Hub › GPT series",
            "LLM Hub › Prompting and instruction tuning",
            "LLM Hub › RLHF",
        ]
        assert not session.find_element("id", "find").is_displayed()
        buttons = session.find_elements("css selector", "p.copy button")
        assert buttons and not any(b.is_displayed() for b in buttons)
        assert errors(session) == []


HOSTILE = [
    Record(
        key="evil2024",
        type="webpage",
        title="<script>alert(1)</script>",
        author=(Name(family="<img src=x onerror=alert(2)>"),),
        container_title='"><svg onload=alert(3)>',
        url="javascript:alert(4)",
        issued=Date(2024),
        collections=("<script>alert(5)</script>",),
    ),
    Record(
        key="evil2025",
        type="article-journal",
        title="Click <a href='javascript:alert(6)'>here</a>",
        author=(Name(family="Mallory", given="M."),),
        doi="10.1/x'><script>alert(7)</script>",
        url="JAVASCRIPT:alert(8)",
        issued=Date(2025),
    ),
]


def test_hostile_metadata_shows_as_text_and_runs_nothing(browser: Any, tmp_path: Path) -> None:
    page = tmp_path / "hostile.html"
    page.write_text(format_html(HOSTILE, title="<script>alert(9)</script>"), encoding="utf-8")
    browser.set_window_size(1280, 900)
    browser.get_log("browser")
    browser.get(page.as_uri())
    # an alert would make every later command fail with UnexpectedAlertPresentException
    assert browser.title == "<script>alert(9)</script>"
    visible = browser.find_element("tag name", "main").text
    assert "<script>alert(1)</script>" in visible
    assert "<img src=x onerror=alert(2)>" in visible
    assert "Click <a href='javascript:alert(6)'>here</a>" in visible
    assert browser.execute_script("return document.scripts.length") == 1
    assert browser.execute_script("return document.querySelectorAll('img, svg').length") == 0
    hrefs = browser.execute_script(
        "return Array.from(document.querySelectorAll('a')).map(a => a.href)"
    )
    assert not [h for h in hrefs if h.lower().startswith("javascript")]
    browser.find_element("id", "q").send_keys("<img src=x onerror=")
    assert shown_keys(browser) == {"evil2024"}
    browser.find_element("css selector", "nav a[data-c='<script>alert(5)</script>']").click()
    assert shown_keys(browser) == {"evil2024"}
    assert errors(browser) == []


def test_a_big_library_shows_200_matches_until_asked_for_all(browser: Any, tmp_path: Path) -> None:
    """Re-showing thousands of entries costs seconds a keystroke: at most 200 at once."""
    records = [
        Record(
            key=f"doe{i}",
            type="article-journal",
            title=f"Paper number {i}",
            author=(Name(family="Doe", given="Jane"),),
            issued=Date(2000 + i % 20),
        )
        for i in range(250)
    ]
    page = tmp_path / "big.html"
    page.write_text(format_html(records), encoding="utf-8")
    browser.get(page.as_uri())
    assert len(shown_keys(browser)) == 200
    more = browser.find_element("id", "more")
    assert more.is_displayed() and more.text == "Show all 250 matches"
    more.click()
    assert len(shown_keys(browser)) == 250 and not more.is_displayed()
    browser.find_element("id", "q").send_keys("2001")
    assert len(shown_keys(browser)) == 13 and not more.is_displayed()
    assert errors(browser) == []
