"""The HTML report of the bundled fixtures in a real browser: the system's headless Chromium, driven by Playwright.

Loads with no console error and no request leaving the file, filters hide and show findings (by mouse and by
keyboard), everything is readable with script disabled, and printing to PDF gives A4 pages, numbered, holding
the first and the last finding.

Nothing here downloads a browser: Playwright is pointed at the system Chromium. Where Chromium, Playwright or
poppler (pdfinfo, pdftotext) is missing the tests skip with one line saying how to install them; with
GAP_ENGINE_REQUIRE_BROWSER=1 (set by .ci/run) they fail instead, so CI cannot pass by skipping them.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gap_engine import api
from gap_engine.findings import CheckResults
from gap_engine.reporters import html
from tests.conftest import FIXTURES

pytestmark = pytest.mark.browser

INSTALL = (
    "needs Chromium, Playwright and poppler: apt-get install chromium poppler-utils fonts-dejavu-core "
    "and pip install -e '.[test]' (or set GAP_ENGINE_CHROMIUM=/path/to/chromium); never `playwright install`"
)


def _chromium() -> str | None:
    configured = os.environ.get("GAP_ENGINE_CHROMIUM")
    if configured:
        return configured if os.access(configured, os.X_OK) else None
    return next((found for name in ("chromium", "chromium-browser", "google-chrome") if (found := shutil.which(name))), None)


def _missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright"
    if _chromium() is None:
        return "chromium"
    return next((tool for tool in ("pdfinfo", "pdftotext") if shutil.which(tool) is None), None)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    missing = _missing()
    if missing:
        if os.environ.get("GAP_ENGINE_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{missing} not found; {INSTALL}")
        pytest.skip(f"{missing} not found; {INSTALL}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        # --no-sandbox: CI runs as root, where Chromium refuses its sandbox. The page is our own local file.
        launched = driver.chromium.launch(executable_path=_chromium(), args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def results() -> CheckResults:
    return api.check(sorted(FIXTURES.glob("*.yaml")), engine="python")


@pytest.fixture(scope="module")
def report(results: CheckResults, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("html") / "report.html"
    target.write_text(html.render(results), encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def loaded(browser: Any, report: Path) -> Iterator[tuple[Any, list[str], list[str]]]:
    """The report open in a page, with every console error and every request other than the file itself."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    requests: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type in ("error", "warning") else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("request", lambda request: requests.append(request.url) if request.url != report.as_uri() else None)
    page.goto(report.as_uri())
    yield page, errors, requests
    page.close()


def _visible_findings(page: Any) -> list[dict[str, str]]:
    return page.eval_on_selector_all(
        "article[data-finding]",
        "els => els.filter(e => e.offsetParent !== null).map(e => ({status: e.dataset.status, jurisdiction: e.dataset.jurisdiction}))",
    )


def test_loads_without_console_errors_or_network_requests(loaded: tuple[Any, list[str], list[str]], results: CheckResults) -> None:
    page, errors, requests = loaded
    assert errors == [], "no console error or warning (a CSP violation would be one)"
    assert requests == [], "nothing is fetched: the report is self-contained"
    assert page.is_visible("#filters"), "the script ran and showed the filters"
    assert page.text_content("#filter-count") == f"Showing {len(results.all_findings())} of {len(results.all_findings())} findings."


def test_a_filter_hides_and_shows_rows(loaded: tuple[Any, list[str], list[str]], results: CheckResults) -> None:
    page, errors, _ = loaded
    total = len(results.all_findings())
    gaps = [f for f in results.all_findings() if f.status.value == "gap"]
    assert 0 < len(gaps) < total
    page.select_option("#f-status", "gap")
    visible = _visible_findings(page)
    assert len(visible) == len(gaps) and {v["status"] for v in visible} == {"gap"}
    assert page.text_content("#filter-count") == f"Showing {len(gaps)} of {total} findings."
    # Matrix rows without a gap are hidden; a row with one stays.
    assert page.is_visible('table.matrix tr[data-rule="GAI-011"]')
    assert not page.is_visible('table.matrix tr[data-rule="GAI-001"]')
    assert not page.is_visible("#filter-note"), "on screen the filter controls say it"
    page.emulate_media(media="print")
    assert page.text_content("#filter-note") == f"Filtered (Status: gap): {len(gaps)} of {total} findings shown."
    assert page.is_visible("#filter-note"), "printed after filtering, the document says it is a selection"
    page.emulate_media(media="screen")
    # Jurisdiction too: the Netherlands' gaps only, and the other jurisdictions' matrix columns hidden.
    page.select_option("#f-jurisdiction", "j-NL")
    visible = _visible_findings(page)
    assert visible and {(v["status"], v["jurisdiction"]) for v in visible} == {("gap", "j-NL")}
    assert len(visible) == sum(f.jurisdiction == "NL" for f in gaps)
    assert not page.is_visible('table.matrix th[data-jurisdiction="j-DE"]')
    assert not page.is_visible("#j-DE"), "a jurisdiction's section with nothing to show is hidden"
    page.click("#f-reset")
    page.wait_for_function(f"document.getElementById('filter-count').textContent === 'Showing {total} of {total} findings.'")
    assert len(_visible_findings(page)) == total
    assert page.is_visible('table.matrix tr[data-rule="GAI-001"]') and page.is_visible('table.matrix th[data-jurisdiction="j-DE"]')
    page.emulate_media(media="print")
    assert not page.is_visible("#filter-note"), "nothing filtered, nothing to say"
    page.emulate_media(media="screen")
    assert errors == []


def test_filters_work_from_the_keyboard(loaded: tuple[Any, list[str], list[str]], results: CheckResults) -> None:
    page, _, _ = loaded
    page.focus("#f-theme")
    page.keyboard.press("ArrowDown")  # the first theme after "all themes"
    first_theme = html.themes_in_order(results)[0]["id"]
    assert page.input_value("#f-theme") == first_theme
    visible = _visible_findings(page)
    assert len(visible) == sum(f.theme == first_theme for f in results.all_findings())
    assert page.is_visible(f'table.matrix tbody[data-theme="{first_theme}"]')
    other_theme = html.themes_in_order(results)[1]["id"]
    assert not page.is_visible(f'table.matrix tbody[data-theme="{other_theme}"]'), "the matrix follows the theme filter"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "f-jurisdiction", "the controls are reached in order with Tab"
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("ArrowUp")
    assert len(_visible_findings(page)) == len(results.all_findings())


def test_filters_follow_a_matrix_with_the_rules_across(browser: Any, results: CheckResults, tmp_path: Path) -> None:
    from tests.test_html import few_rules

    report = tmp_path / "few.html"
    report.write_text(html.render(few_rules(results)), encoding="utf-8")
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(report.as_uri())
    page.select_option("#f-theme", "live_csea")
    assert page.is_visible('th[data-colgroup-theme="live_csea"]') and not page.is_visible('th[data-colgroup-theme="generative_ai"]')
    assert page.eval_on_selector_all("table.matrix th[data-col]", "els => els.filter(e => e.offsetParent !== null).length") == 1
    page.select_option("#f-jurisdiction", "j-NL")
    assert page.eval_on_selector_all("table.matrix tr[data-row]", "els => els.filter(e => e.offsetParent !== null).length") == 1
    page.select_option("#f-theme", "")
    assert page.get_attribute('th[data-colgroup-theme="generative_ai"]', "colspan") == "2"
    assert errors == []
    page.close()


def test_with_script_disabled_everything_is_shown(browser: Any, report: Path, results: CheckResults) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(report.as_uri())
    assert not page.is_visible("#filters"), "no dead controls without script"
    assert page.is_visible("noscript p") or "Filters need JavaScript" in page.content()
    assert len(_visible_findings(page)) == len(results.all_findings())
    context.close()


def test_prints_to_numbered_a4_pages_holding_the_first_and_last_finding(browser: Any, report: Path, results: CheckResults) -> None:
    page = browser.new_page()
    page.goto(report.as_uri())
    pdf = report.with_suffix(".pdf")
    # What the browser's "Save as PDF" does: print media, the page size and margins of the stylesheet's @page.
    page.pdf(path=str(pdf), prefer_css_page_size=True, print_background=True)
    page.close()
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    assert "(A4)" in info
    assert pages > len(results.profiles), "each jurisdiction starts on a new page"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat = re.sub(r"\s+", " ", text)
    assert f"Page 1 of {pages}" in flat and f"Page {pages} of {pages}" in flat, "pages are numbered"
    ordered = [
        f for profile in results.profiles for theme in html.themes_in_order(results) for f in profile.findings if f.theme == theme["id"]
    ]
    first, last = ordered[0], ordered[-1]
    # After the matrix (which names every rule too): the findings, the first one first and the last one last.
    start = flat.index("Findings by jurisdiction and theme")
    positions = []
    for finding in (first, last):
        heading = f"{finding.rule_id} {finding.title}"[:70]
        assert heading in flat[start:], finding.rule_id
        positions.append(flat.index(heading, start))
        assert re.sub(r"\s+", " ", finding.recommendation)[:60] in flat[positions[-1] :], finding.rule_id
    assert positions[0] < positions[1] < flat.index("About this report", start)
    assert "Filter findings" not in flat, "the filter controls are not printed"


def test_the_french_report_loads_cleanly_and_its_filters_speak_french(browser: Any, tmp_path: Path) -> None:
    """The same script in a French page: no console error (the CSP hashes hold for the translated stylesheet),
    and the filter's sentences come out in French."""
    from gap_engine import i18n

    with i18n.using("fr"):
        results = api.check(sorted(FIXTURES.glob("*.yaml")), engine="python")
        target = tmp_path / "rapport.html"
        target.write_text(html.render(results), encoding="utf-8")
    total = len(results.all_findings())
    gaps = [f for f in results.all_findings() if f.status.value == "gap"]
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type in ("error", "warning") else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(target.as_uri())
        assert page.is_visible("#filters"), "the script ran and showed the filters"
        assert page.text_content("#filter-count") == f"{total} constats affichés sur {total}."
        page.select_option("#f-status", "gap")
        visible = _visible_findings(page)
        assert len(visible) == len(gaps) and {v["status"] for v in visible} == {"gap"}
        assert page.text_content("#filter-count") == f"{len(gaps)} constats affichés sur {total}."
        page.emulate_media(media="print")
        assert page.text_content("#filter-note") == f"Filtré (Statut\u00a0: lacune)\u00a0: {len(gaps)} constats affichés sur {total}."
        page.emulate_media(media="screen")
        page.click("#f-reset")
        from playwright.sync_api import expect

        # expect() polls from Python: a wait_for_function string would be eval'd, which the report's CSP forbids.
        expect(page.locator("#filter-count")).to_have_text(f"{total} constats affichés sur {total}.")
        assert len(_visible_findings(page)) == total
        assert errors == []
    finally:
        page.close()
