"""The HTML report (``check --html FILE``): self-contained, complete, inert for hostile profile text,
deterministic, readable without script, and written like every other output (atomically, never onto an input).

What a browser does with it (filters, console, print to PDF) is tested in tests/test_html_browser.py.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from gap_engine import api
from gap_engine.cli import main
from gap_engine.findings import CheckResults, Evidence
from gap_engine.reporters import html
from tests.conftest import FIXTURES, ROOT, minimal_profile, offence

NL = FIXTURES / "nl_netherlands.yaml"
FR = FIXTURES / "fr_france.yaml"
ENGINE = ("--engine", "python")


class Page(HTMLParser):
    """Every element of a page with its attributes, the text of each script and style, and the visible text."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.raw: dict[str, list[str]] = {"script": [], "style": []}
        self.text_parts: list[str] = []
        self._in: str | None = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))
        if tag in self.raw:
            self._in = tag
            self.raw[tag].append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in:
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in:
            self.raw[self._in][-1] += data
        else:
            self.text_parts.append(data)

    @property
    def text(self) -> str:
        return re.sub(r"\s+", " ", " ".join(self.text_parts))

    def all(self, tag: str, **attrs: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.elements if t == tag and all(a.get(k.replace("_", "-")) == v for k, v in attrs.items())]


def invoke(*args: object) -> object:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def fixtures_results() -> CheckResults:
    return api.check(sorted(FIXTURES.glob("*.yaml")), engine="python")


@pytest.fixture(scope="module")
def fixtures_page(fixtures_results: CheckResults) -> tuple[str, Page]:
    text = html.render(fixtures_results)
    return text, Page(text)


# --- contents ---------------------------------------------------------------------------------------


def test_every_finding_has_an_article_with_its_status_word_and_a_matrix_cell_linking_to_it(
    fixtures_results: CheckResults, fixtures_page: tuple[str, Page]
) -> None:
    _, page = fixtures_page
    articles = page.all("article")
    findings = fixtures_results.all_findings()
    assert len(articles) == len(findings) == 616
    by_anchor = {a["id"]: a for a in articles}
    assert len(by_anchor) == len(articles), "finding anchors are unique"
    for article in articles:
        assert article["data-status"] in html.STATUS_WORDS
    # The same (jurisdiction, rule, status) triples as the results, in the results' order.
    seen = [(a["data-jurisdiction"], a["id"].split("-", 2)[2], a["data-status"]) for a in articles]
    expected = sorted(
        ((f"j-{f.jurisdiction}", f.rule_id, f.status.value) for f in findings),
        key=lambda t: (t[0], t[1]),
    )
    assert sorted(seen) == expected
    # Every matrix cell links to an existing finding of the same status.
    text, _ = fixtures_page
    cells = re.findall(
        r'<td class="status s-(\w+)" data-scope data-jurisdiction="[^"]+" data-status="\w+"><a href="#([^"]+)">([^<]+)<', text
    )
    assert len(cells) == len(findings)
    for status, anchor, word in cells:
        assert by_anchor[anchor]["data-status"] == status
        assert word == html.STATUS_WORDS[status], "the status is written out, never only a colour"


def test_counts_per_status_and_theme_match_the_results(fixtures_results: CheckResults, fixtures_page: tuple[str, Page]) -> None:
    text, _ = fixtures_page
    nl = next(p for p in fixtures_results.profiles if p.jurisdiction == "NL")
    # Netherlands: gap 3, partial 5, unknown 58, covered 11, reserved 0, not applicable 0 (README table).
    row = re.search(r'<a href="#j-NL">Netherlands \(NL\)</a></th>(.*?)</tr>', text).group(1)
    assert re.findall(r'<td class="num">(\d+)</td>', row) == ["3", "5", "58", "11", "0", "0"]
    assert sum(f.status.value == "gap" for f in nl.findings) == 3
    theme_row = re.search(r"<th scope=\"row\">Generative AI</th>(.*?)</tr>", text).group(1)
    gai = [f for f in fixtures_results.all_findings() if f.theme == "generative_ai"]
    expected = [str(sum(f.status.value == s for f in gai)) for s in html.STATUS_ORDER]
    assert re.findall(r'<td class="num">(\d+)</td>', theme_row) == expected


def test_a_finding_shows_evidence_links_missing_recommendation_section_questions_and_articles(
    fixtures_results: CheckResults, fixtures_page: tuple[str, Page]
) -> None:
    text, _ = fixtures_page
    finding = next(f for f in fixtures_results.all_findings() if f.jurisdiction == "NL" and f.rule_id == "GAI-011")
    article = re.search(r'<article class="finding" id="f-NL-GAI-011".*?</article>', text, re.S).group(0)
    plain = Page(article).text
    assert "gap" in plain and finding.title in plain
    assert finding.missing and all(m in plain for m in finding.missing)
    assert finding.recommendation in plain
    assert finding.paper_section in plain
    assert all(f"Art. {a}" in plain for a in finding.articles)
    for ref in finding.questions:
        assert ref in plain and fixtures_results.question_text(ref)[:40] in plain
    urls = [e.url for e in finding.evidence if e.url]
    assert urls and all(f'href="{u}"' in article for u in urls), "http(s) citations are links"
    assert all((e.citation or "") in plain for e in finding.evidence)


def test_about_names_tool_packs_hash_dates_and_the_paper(fixtures_results: CheckResults, fixtures_page: tuple[str, Page]) -> None:
    text, _ = fixtures_page
    about = Page(re.search(r'<section id="about".*?</section>', text, re.S).group(0)).text
    assert f"gap-engine {fixtures_results.tool_version}" in about
    assert fixtures_results.rules_hash in about and fixtures_results.rules_version in about
    builtin = fixtures_results.packs[0]
    assert builtin.version in about and builtin.source in about and "© Council of Europe, October 2024" in about
    for profile in fixtures_results.profiles:
        assert f"{profile.jurisdiction_name} ({profile.jurisdiction}) {profile.as_of} {profile.evaluated_on}" in about


def test_waivers_are_shown(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    result = invoke("check", NL, *ENGINE, "--waivers", ROOT / "examples" / "waivers.yaml", "--html", target)
    assert result.exit_code == 0, result.output
    article = re.search(r'<article class="finding" id="f-NL-GAI-011".*?</article>', target.read_text(encoding="utf-8"), re.S).group(0)
    assert "Waiver:" in article and "waived until 2025-06-30" in article and "Example ministry" in article
    assert '<abbr title="waived"> w</abbr>' in target.read_text(encoding="utf-8")


# --- self-contained, no script needed --------------------------------------------------------------


def test_self_contained_no_network_and_only_its_own_script_may_run(fixtures_page: tuple[str, Page]) -> None:
    text, page = fixtures_page
    assert not page.all("link") and not page.all("img") and not page.all("iframe")
    assert all("src" not in attrs for _, attrs in page.elements), "nothing is loaded from anywhere"
    assert "@import" not in text and "url(" not in text and "@font-face" not in text
    (csp,) = [a["content"] for a in page.all("meta") if a.get("http-equiv") == "Content-Security-Policy"]
    assert "default-src 'none'" in csp
    (script,) = page.raw["script"]
    (style,) = page.raw["style"]
    for body in (script, style):
        digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode("ascii")
        assert f"'sha256-{digest}'" in csp, "the policy allows exactly the inline script and style"
    assert page.all("html")[0]["lang"] == "en"


def test_without_script_the_filters_are_hidden_and_every_finding_is_visible(fixtures_page: tuple[str, Page]) -> None:
    _, page = fixtures_page
    (form,) = page.all("form")
    assert "hidden" in form, "the filter controls only appear when the script runs"
    hidden = [attrs.get("id") for tag, attrs in page.elements if "hidden" in attrs]
    assert hidden == ["filters", "filter-note"], "nothing else is hidden: all content is readable without script"
    assert "Filters need JavaScript" in page.text


def test_tables_have_real_headers(fixtures_page: tuple[str, Page]) -> None:
    text, page = fixtures_page
    assert page.all("th", scope="col") and page.all("th", scope="row") and page.all("th", scope="rowgroup")
    assert text.count("<table") == text.count("<thead>") == text.count("<caption>")


def test_status_colours_pass_wcag_aa_contrast() -> None:
    css = (Path(html.__file__).parent / "templates" / "report.css").read_text(encoding="utf-8")
    rules = dict(re.findall(r"\.s-(\w+) \{ ([^}]*) \}", css))
    assert set(html.STATUS_WORDS) <= set(rules)
    for status, body in rules.items():
        background = re.search(r"background: (#[0-9a-f]{6})", body).group(1)
        colour = re.search(r"(?<!-)color: (#[0-9a-f]{6})", body).group(1)
        assert _contrast(background, colour) >= 4.5, (status, background, colour)


def _contrast(a: str, b: str) -> float:
    def luminance(hex_colour: str) -> float:
        channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, bl = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * bl

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_contrast_formula_sanity() -> None:
    assert _contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert _contrast("#777777", "#ffffff") < 4.5


# --- untrusted text ----------------------------------------------------------------------------------

HOSTILE = '<script>alert(1)</script>"\' onmouseover="alert(2)" <img src=x onerror=alert(3)>'


def test_hostile_profile_text_comes_out_inert(tmp_path: Path) -> None:
    profile = tmp_path / "hostile.yaml"
    bad = offence("sr-1", ["producing", "possessing", "distributing_or_transmitting"])
    bad["title"] = HOSTILE
    bad["citation"] = {
        "instrument": HOSTILE,
        "provision": "javascript:alert(4)",
        "title": HOSTILE,
        "url": "https://example.org/a?b='x'&c=1",
    }
    data = minimal_profile(jurisdiction={"code": "XT", "name": HOSTILE}, criminal_law={"offences": [bad]})
    profile.write_text(json.dumps(data), encoding="utf-8")
    target = tmp_path / "report.html"
    result = invoke("check", profile, *ENGINE, "--html", target)
    assert result.exit_code == 0, result.output
    text = target.read_text(encoding="utf-8")
    page = Page(text)
    assert len(page.raw["script"]) == 1 and "alert" not in page.raw["script"][0]
    assert {tag for tag, _ in page.elements}.isdisjoint({"img"})
    for _, attrs in page.elements:
        assert not any(name.startswith("on") for name in attrs), attrs
        assert not (attrs.get("href") or "").lower().startswith("javascript")
    assert HOSTILE in page.text, "the text is shown, as text"
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&#34;&#39;" in text
    # The profile model refuses '"' and '<' in a URL; an apostrophe is legal there and must not leave the attribute.
    assert 'href="https://example.org/a?b=&#39;x&#39;&amp;c=1"' in text, "quotes cannot leave the attribute"


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "java\tscript:alert(1)",
        " https://example.org",
        "https://exa mple.org",
        "https://example.org/\x00",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox",
        "https:///nohost",
        "//example.org/x",
        "https://example.org:99999/",
        "",
        None,
    ],
)
def test_only_http_urls_become_links(url: str | None) -> None:
    assert html.safe_url(url) is None


@pytest.mark.parametrize(
    "url", ["https://example.org/a?b=1&c=2", "http://seksueelmisdrijf.nl/wetsartikelen/x", "https://example.org/§184b"]
)
def test_http_urls_are_kept(url: str) -> None:
    assert html.safe_url(url) == url


def test_an_address_that_is_not_http_is_shown_as_text_not_linked() -> None:
    # Evidence from results JSON or a pack is not validated like a profile: the reporter must hold on its own.
    results = api.check([NL], engine="python")
    profile = results.profiles[0]
    finding = profile.findings[0]
    evil = Evidence(kind="fact", ref="x.y", answer="yes", citation="Cited", url="javascript:alert(1)")
    finding = finding.model_copy(update={"evidence": [evil]})
    profile = profile.model_copy(update={"findings": [finding]})
    text = html.render(results.model_copy(update={"profiles": [profile]}))
    assert "(address not linked: javascript:alert(1))" in text
    assert 'href="javascript' not in text.lower()


def test_without_the_builtin_pack_the_about_block_names_the_packs_and_links_only_http(fixtures_results: CheckResults) -> None:
    pack = fixtures_results.packs[0].model_copy(update={"id": "other", "source": "Another source", "url": "javascript:alert(1)"})
    text = html.render(fixtures_results.model_copy(update={"packs": [pack]}))
    about = Page(re.search(r'<section id="about".*?</section>', text, re.S).group(0)).text
    assert "Another source (address not linked: javascript:alert(1))" in about
    assert "Paper" not in about.split("Rule packs")[0], "no paper is claimed when the built-in rules did not run"
    assert 'href="javascript' not in text


# --- layout decisions ------------------------------------------------------------------------------


def test_many_jurisdictions_split_the_matrix_into_legible_tables(fixtures_results: CheckResults) -> None:
    profiles = [
        p.model_copy(
            update={
                "jurisdiction": f"X{chr(65 + i)}",
                "findings": [f.model_copy(update={"jurisdiction": f"X{chr(65 + i)}"}) for f in p.findings],
            }
        )
        for i, p in enumerate(fixtures_results.profiles * 2)
    ]
    page = Page(html.render(fixtures_results.model_copy(update={"profiles": profiles})))
    tables = [a for a in page.all("table") if a.get("class") == "matrix"]
    assert len(tables) == 2 and len(profiles) == 16
    juris = page.all("th", scope="col", **{"class": "juris"})
    assert len(juris) == 16, "each jurisdiction once, at most MAX_ACROSS per table"
    assert "part 1 of 2" in page.text and "part 2 of 2" in page.text


FEW = ("GAI-001", "GAI-011", "LIVE-008")


def few_rules(results: CheckResults) -> CheckResults:
    """The results cut down to three rules of two themes: few enough to go across an A4 page."""
    profiles = [p.model_copy(update={"findings": [f for f in p.findings if f.rule_id in FEW]}) for p in results.profiles]
    return results.model_copy(update={"profiles": profiles})


def test_few_rules_go_across_with_the_jurisdictions_as_rows(fixtures_results: CheckResults) -> None:
    text = html.render(few_rules(fixtures_results))
    page = Page(text)
    (table,) = [a for a in page.all("table") if (a.get("class") or "").startswith("matrix")]
    assert table["class"] == "matrix across"
    assert [a["data-theme"] for a in page.all("th", scope="col", **{"class": "rule-col"})] == [
        "generative_ai",
        "generative_ai",
        "live_csea",
    ]
    assert [(a["data-colgroup-theme"], a["colspan"]) for a in page.all("th", scope="colgroup")] == [
        ("generative_ai", "2"),
        ("live_csea", "1"),
    ]
    rows = [a for a in page.all("tr") if "data-row" in a]
    assert [r["data-jurisdiction"] for r in rows] == [f"j-{p.jurisdiction}" for p in fixtures_results.profiles]
    key = Page(re.search(r'<dl class="rule-key">.*?</dl>', text, re.S).group(0)).text
    for finding in few_rules(fixtures_results).profiles[0].findings:
        assert f"{finding.rule_id} {finding.title}" in key, "the rule titles are printed under a matrix that shows only IDs"
    nl_row = re.search(r'<tr data-row data-scope data-jurisdiction="j-NL">.*?</tr>', text, re.S).group(0)
    assert re.findall(r'href="#(f-NL-[^"]+)">(\w+)', nl_row) == [
        ("f-NL-GAI-001", "covered"),
        ("f-NL-GAI-011", "gap"),
        ("f-NL-LIVE-008", "gap"),
    ]


def test_the_same_code_twice_gets_distinct_anchors(fixtures_results: CheckResults) -> None:
    nl = next(p for p in fixtures_results.profiles if p.jurisdiction == "NL")
    page = Page(html.render(fixtures_results.model_copy(update={"profiles": [nl, nl]})))
    ids = [a["id"] for _, a in page.elements if "id" in a]
    assert len(ids) == len(set(ids))
    assert len(page.all("article")) == 2 * len(nl.findings)


# --- determinism and writing -------------------------------------------------------------------------


def test_same_input_gives_byte_identical_html(tmp_path: Path) -> None:
    first, second = tmp_path / "a.html", tmp_path / "b.html"
    for target in (first, second):
        assert invoke("check", NL, FR, *ENGINE, "--html", target).exit_code == 0
    assert first.read_bytes() == second.read_bytes()
    assert first.read_bytes().startswith(b'<!DOCTYPE html>\n<html lang="en">')


def test_cli_writes_what_the_library_renders(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    result = invoke("check", NL, *ENGINE, "--html", target)
    assert result.exit_code == 0
    assert target.read_text(encoding="utf-8") == html.render(api.check([NL], engine="python"))
    assert "Netherlands (NL)" in result.output, "the terminal report is still printed"


def test_html_and_another_output_on_the_same_file_exit_2(tmp_path: Path) -> None:
    target = tmp_path / "out"
    result = invoke("check", NL, *ENGINE, "--csv", target, "--html", target)
    assert result.exit_code == 2 and "the same file is named for two outputs" in result.stderr
    assert not target.exists()


def test_html_onto_an_input_or_into_a_missing_directory_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    profile = tmp_path / "nl.yaml"
    profile.write_bytes(NL.read_bytes())
    result = invoke("check", profile, *ENGINE, "--html", profile)
    assert result.exit_code == 2 and "one of the inputs" in result.stderr
    assert profile.read_bytes() == NL.read_bytes()
    missing = tmp_path / "nowhere" / "report.html"
    result = invoke("check", profile, *ENGINE, "--html", missing, "--csv", tmp_path / "x.csv")
    assert result.exit_code == 2 and "does not exist" in result.stderr
    assert not (tmp_path / "x.csv").exists(), "checked before any output is written"


# --- French (--lang fr) ---------------------------------------------------------------------------------------

ENGLISH_LABELS = (
    "Summary matrix",
    "Counts by status",
    "Findings by jurisdiction and theme",
    "About this report",
    "Filter findings",
    "all statuses",
    "Show all",
    "Law as of",
    "Evaluated on",
    "What is missing",
    "Recommendation:",
    "Provision or fact",
    "No evidence",
    "Rule packs",
    "Profiles and evaluation dates",
    "not run",
    "evaluated on",
    "checked against",
    "gap-engine report",
    '" of " counter',
    "Showing {shown}",
)


@pytest.fixture(scope="module")
def french_report() -> tuple[str, Page]:
    from gap_engine import i18n

    with i18n.using("fr"):
        results = api.check(sorted(FIXTURES.glob("*.yaml")), engine="python")
        text = html.render(results)
    return text, Page(text)


def test_a_french_report_is_french_throughout(french_report: tuple[str, Page]) -> None:
    text, page = french_report
    assert text.startswith('<!DOCTYPE html>\n<html lang="fr">')
    visible = page.text
    labels = ("Tableau de synthèse", "Décompte par statut", "Filtrer les constats", "tous les statuts", "Ce qui manque")
    labels += ("À propos de ce rapport",)
    for label in labels:
        assert label in visible, label
    # The statuses are the glossary's words, in the matrix cells as in the legend and the counts' headers.
    cells = re.findall(r'data-status="gap"><a href="#[^"]+">([^<]+)</a>', text)
    assert cells and set(cells) == {"lacune"}
    assert "sous réserve" in visible and "sans objet" in visible
    assert re.search(r'<td class="date">30 juin 2024</td>', text), "dates as French readers write them"
    everything = visible + " ".join(a.get("data-showing", "") or "" for _, a in page.elements) + " ".join(page.raw["style"])
    english = [label for label in ENGLISH_LABELS if label in everything]
    assert not english, f"English interface words in the French report: {english}"


def test_the_french_print_footer_is_french_and_inside_the_content_security_policy(french_report: tuple[str, Page]) -> None:
    _, page = french_report
    (style,) = page.raw["style"]
    assert 'content: "Page " counter(page) " sur " counter(pages)' in style
    assert 'content: "rapport gap-engine"' in style
    (csp,) = [a["content"] for a in page.all("meta") if a.get("http-equiv") == "Content-Security-Policy"]
    digest = base64.b64encode(hashlib.sha256(style.encode("utf-8")).digest()).decode("ascii")
    assert f"'sha256-{digest}'" in csp, "the translated stylesheet is the one the policy allows"


def test_the_script_is_the_same_in_both_languages_and_reads_its_sentences_from_the_page(
    fixtures_page: tuple[str, Page], french_report: tuple[str, Page]
) -> None:
    """One script, one hash: the words it writes come from the form's data-* attributes, in the page's language."""
    assert fixtures_page[1].raw["script"] == french_report[1].raw["script"]
    (form,) = french_report[1].all("form")
    assert form["data-showing"] == "{shown} constats affichés sur {total}."
    assert form["data-pair"] == "{label}\u00a0: {value}"
    (english_form,) = fixtures_page[1].all("form")
    assert english_form["data-showing"] == "Showing {shown} of {total} findings."


def test_a_french_report_is_byte_identical_run_to_run(french_report: tuple[str, Page]) -> None:
    from gap_engine import i18n

    with i18n.using("fr"):
        again = html.render(api.check(sorted(FIXTURES.glob("*.yaml")), engine="python"))
    assert again == french_report[0]


def test_the_language_of_one_report_does_not_leak_into_the_next(fixtures_results: CheckResults) -> None:
    from gap_engine import i18n

    with i18n.using("fr"):
        html.render(fixtures_results)
    english = html.render(fixtures_results)
    assert '<html lang="en">' in english and "Summary matrix" in english and "Tableau de synthèse" not in english


def test_check_lang_fr_writes_a_french_html_report(tmp_path: Path) -> None:
    target = tmp_path / "rapport.html"
    result = invoke("check", "--lang", "fr", *ENGINE, "--html", target, NL)
    assert result.exit_code in (0, 1), result.output
    text = target.read_text(encoding="utf-8")
    assert '<html lang="fr">' in text and "lacune" in text and "Summary matrix" not in text


@pytest.mark.parametrize(
    ("text", "css"),
    [
        ("rapport", '"rapport"'),
        ('a "quoted" \\ word', '"a \\22 quoted\\22  \\5c  word"'),
        ("</style><script>", '"\\3c /style>\\3c script>"'),
    ],
)
def test_a_translation_cannot_break_out_of_its_css_string(text: str, css: str) -> None:
    assert html.css_string(text) == css


def test_page_counters_keep_the_translations_word_order() -> None:
    assert html.css_counters("{page} / {pages}") == 'counter(page) " / " counter(pages)'
    assert html.css_counters("Page {page} sur {pages}") == '"Page " counter(page) " sur " counter(pages)'
