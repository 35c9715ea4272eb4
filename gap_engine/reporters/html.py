"""A self-contained HTML report: one file with its CSS and script inline, for a browser, a USB stick or an e-mail.

Why a separate view model: the template only lays out what this module decides (order, anchors, which
addresses may become links, labels), so the decisions are testable in Python and the template stays dumb.

Profile text is untrusted. Three defences, each enough on its own for what it covers:

- Jinja2 autoescaping escapes every value (``<``, ``>``, ``&``, ``"`` and ``'``), so text cannot open a
  tag or leave an attribute;
- only addresses that parse as ``http``/``https`` with a host and no whitespace or control characters
  become ``href`` values (:func:`safe_url`); anything else, ``javascript:`` included, is shown as text;
- a Content-Security-Policy allows no network access and only the report's own script (by its hash),
  so even markup that slipped through could neither run nor fetch anything.

The output is deterministic (sorted as the results are, no clock): the same results in the same language give
the same bytes.

Languages: the templates' words are gettext messages (``_()`` through Jinja2's i18n extension, extracted by
``babel.cfg``), so ``--lang fr`` gives a French page. Two places a CSP makes special: the printed page numbers
live in CSS ``content:`` strings, so the ``@page`` rule is rendered per language (``page.css.j2``) and appended
to the stylesheet *before* its hash is taken; and the script's sentences ("Showing 3 of 10 findings.") come
from ``data-*`` attributes of the form, so the script, and its hash, are the same in every language.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from importlib import resources
from urllib.parse import urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from .. import i18n
from ..findings import CheckResults, Evidence, Finding, ProfileResult, severity_name
from ..i18n import N_, _, format_date
from .grouping import STATUS_ORDER, pack_mark, status_counts, themes_in_order

MAX_ACROSS = 8
"""How many status columns fit across an A4 page (portrait, legible): with at most this many rules, the rules go
across and the jurisdictions down; with more, the rules go down and the jurisdictions across, this many per table."""

STATUS_WORDS = {
    "gap": N_("gap"),
    "partial": N_("partial"),
    "unknown": N_("unknown"),
    "covered": N_("covered"),
    "reserved": N_("reserved"),
    "not_applicable": N_("not applicable"),
}
"""The word shown for each status (message ids: shown through ``_()``): the status is never told by colour alone."""

WAIVED_MARK = N_("w")
"""The mark after a waived finding's status in the matrix (``d`` for « dérogation » in French)."""

SEVERITY_ORDER = ["obligation", "recommendation", "good_practice"]

_UNSAFE_IN_URL = re.compile(r"[\x00-\x20\x7f-\x9f\s]")
_SLUG = re.compile(r"[^A-Za-z0-9_-]+")


def safe_url(url: str | None) -> str | None:
    """The address if it may become a link: http(s), a host, no whitespace or control characters; else None.

    Strict on purpose: browsers strip or tolerate characters (tabs inside ``java\\tscript:``, leading spaces)
    that a looser check would let through, so anything unusual stays text.
    """
    if not url or _UNSAFE_IN_URL.search(url):
        return None
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return url


def _slug(text: str) -> str:
    return _SLUG.sub("-", text).strip("-") or "x"


@dataclass
class EvidenceView:
    ref: str
    kind: str
    answer: str
    citation: str
    url: str | None  # a safe link target, or None
    url_text: str | None  # an address that is not linked, shown as text
    in_force: str
    note: str


@dataclass
class FindingView:
    anchor: str
    finding: Finding
    status_word: str
    pack_mark: str
    articles: str
    questions: list[tuple[str, str]]
    evidence: list[EvidenceView]
    theme_title: str


@dataclass
class ThemeGroup:
    theme: dict
    findings: list[FindingView]


@dataclass
class ProfileView:
    anchor: str
    profile: ProfileResult
    header: str  # the column header in the matrix: the code, with the date when a code occurs twice
    counts: dict[str, int]
    themes: list[ThemeGroup] = field(default_factory=list)


@dataclass
class MatrixRow:
    rule_id: str
    title: str
    severity: str
    cells: list[FindingView | None]  # one per profile of the chunk; None when the rule did not run for it


@dataclass
class MatrixBlock:
    """The rules of one theme in one matrix table."""

    theme: dict
    rows: list[MatrixRow]


@dataclass
class MatrixTable:
    """One table of the matrix.

    Rules as rows (``rules_across`` false): at most MAX_ACROSS jurisdictions across, more go to the next table.
    Rules across (few rules): one column per rule under its theme, one row per jurisdiction (``by_jurisdiction``).
    """

    profiles: list[ProfileView]
    blocks: list[MatrixBlock]
    part: int
    parts: int
    rules_across: bool = False
    by_jurisdiction: list[tuple[ProfileView, list[FindingView | None]]] = field(default_factory=list)


def _evidence(item: Evidence) -> EvidenceView:
    url = safe_url(item.url)
    dates = ""
    if item.in_force and item.in_force_until:
        dates = _("{start} to {end}").format(start=format_date(item.in_force), end=format_date(item.in_force_until))
    elif item.in_force:
        dates = _("from {start}").format(start=format_date(item.in_force))
    elif item.in_force_until:
        dates = _("until {end}").format(end=format_date(item.in_force_until))
    return EvidenceView(
        ref=item.ref,
        kind=item.kind,
        answer=item.answer,
        citation=item.citation or _("no citation given"),
        url=url,
        url_text=item.url if item.url and url is None else None,
        in_force=dates,
        note=item.note or "",
    )


def _profiles(results: CheckResults) -> list[ProfileView]:
    codes = Counter(p.jurisdiction for p in results.profiles)
    views: list[ProfileView] = []
    used: set[str] = set()
    themes = themes_in_order(results)
    titles = {t["id"]: t["title"] for t in themes}
    for index, profile in enumerate(results.profiles):
        # Prefixed so that no code or rule ID can take the id of a section (``matrix``, ``about``) or of another kind of anchor.
        anchor = f"j-{_slug(profile.jurisdiction)}"
        if anchor in used:
            anchor = f"{anchor}-p{index + 1}"
        used.add(anchor)
        header = profile.jurisdiction if codes[profile.jurisdiction] == 1 else f"{profile.jurisdiction} {format_date(profile.evaluated_on)}"
        view = ProfileView(anchor=anchor, profile=profile, header=header, counts=status_counts(profile.findings))
        seen: set[str] = set()
        for theme in themes:
            members = []
            for finding in profile.findings:
                if finding.theme != theme["id"]:
                    continue
                rule_anchor = f"f-{anchor[2:]}-{_slug(finding.rule_id)}"
                while rule_anchor in seen:  # two rule IDs that differ only in characters an anchor drops
                    rule_anchor += "-"
                seen.add(rule_anchor)
                members.append(
                    FindingView(
                        anchor=rule_anchor,
                        finding=finding,
                        status_word=_(STATUS_WORDS[finding.status.value]),
                        pack_mark=pack_mark(finding).strip(),
                        articles=", ".join(_("Art. {article}").format(article=a) for a in finding.articles) or "—",
                        questions=[(q, results.question_text(q)) for q in finding.questions],
                        evidence=[_evidence(e) for e in finding.evidence],
                        theme_title=titles.get(finding.theme, finding.theme),
                    )
                )
            if members:
                view.themes.append(ThemeGroup(theme=theme, findings=members))
        views.append(view)
    return views


def _matrix(results: CheckResults, profiles: list[ProfileView]) -> list[MatrixTable]:
    """The status matrix, laid out so that a printed A4 page stays legible (see MatrixTable)."""
    cells = {(p.profile.jurisdiction, p.anchor, fv.finding.rule_id): fv for p in profiles for group in p.themes for fv in group.findings}
    rules: dict[str, dict[str, Finding]] = {}
    for finding in results.all_findings():
        rules.setdefault(finding.theme, {}).setdefault(finding.rule_id, finding)
    rules_across = sum(len(members) for members in rules.values()) <= MAX_ACROSS
    if rules_across:
        chunks = [profiles]
    else:
        chunks = [profiles[i : i + MAX_ACROSS] for i in range(0, len(profiles), MAX_ACROSS)] or [[]]
    tables = []
    for number, chunk in enumerate(chunks, start=1):
        blocks = []
        for theme in themes_in_order(results):
            members = rules.get(theme["id"], {})
            rows = [
                MatrixRow(
                    rule_id=rule_id,
                    title=first.title,
                    severity=first.severity,
                    cells=[cells.get((p.profile.jurisdiction, p.anchor, rule_id)) for p in chunk],
                )
                for rule_id, first in sorted(members.items())
            ]
            if rows:
                blocks.append(MatrixBlock(theme=theme, rows=rows))
        table = MatrixTable(profiles=chunk, blocks=blocks, part=number, parts=len(chunks), rules_across=rules_across)
        if rules_across:
            table.by_jurisdiction = [(p, [row.cells[i] for block in blocks for row in block.rows]) for i, p in enumerate(chunk)]
        tables.append(table)
    return tables


def _theme_counts(results: CheckResults) -> list[tuple[dict, dict[str, int]]]:
    every = results.all_findings()
    rows = []
    for theme in themes_in_order(results):
        members = [f for f in every if f.theme == theme["id"]]
        if members:
            rows.append((theme, status_counts(members)))
    return rows


def _asset(name: str) -> str:
    # Traversable.joinpath takes several parts from Python 3.11; the package is read from the file system, whose Path takes them on 3.10.
    return resources.files(__package__).joinpath("templates", name).read_text(encoding="utf-8")  # type: ignore[call-arg]


def _sha256(text: str) -> str:
    """A Content-Security-Policy source for exactly this inline text: nothing else inline may run or style."""
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def css_string(text: str) -> str:
    """``text`` as a CSS string literal: a translation may hold a quote or a backslash, which must not end the string."""
    escaped = "".join(ch if ch.isprintable() and ch not in '"\\<' else f"\\{ord(ch):x} " for ch in text)
    return f'"{escaped}"'


def css_counters(message: str) -> str:
    """A translated "Page {page} of {pages}" as a CSS ``content`` value, the placeholders becoming page counters."""
    parts = re.split(r"(\{page\}|\{pages\})", message)
    values = [f"counter({part[1:-1]})" if part in ("{page}", "{pages}") else css_string(part) for part in parts if part]
    return " ".join(values)


def _environment(autoescape: bool = True) -> Environment:
    """Jinja2 with the i18n extension: ``_()`` in the templates is the project's gettext, so the words follow ``--lang``
    and ``pybabel extract`` (babel.cfg) finds them beside the code's."""
    # Autoescaping on for the page: the template holds profile text in both element content and attributes.
    # Off only for the page CSS, which holds no profile text and whose strings css_string escapes.
    environment = Environment(
        loader=PackageLoader("gap_engine.reporters", "templates"),
        autoescape=autoescape,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.i18n"],
    )
    environment.install_gettext_callables(gettext=_, ngettext=i18n.ngettext, newstyle=False)  # type: ignore[attr-defined]
    environment.filters["date"] = format_date
    environment.filters["css_string"] = css_string
    environment.filters["css_counters"] = css_counters
    return environment


def page_style() -> str:
    """The ``@page`` rule in the current language: the page numbers and the report's name printed at each page's foot."""
    return _environment(autoescape=False).get_template("page.css.j2").render()


def render(results: CheckResults) -> str:
    """The report as one HTML document (a str) in the current language (``i18n.using``), the same bytes for the same
    results and language."""
    script = _asset("report.js")
    style = _asset("report.css") + page_style()
    csp = (
        f"default-src 'none'; style-src '{_sha256(style)}'; script-src '{_sha256(script)}'; "
        "img-src data:; form-action 'none'; base-uri 'none'"
    )
    profiles = _profiles(results)
    every = results.all_findings()
    severities = sorted({f.severity for f in every}, key=lambda s: (SEVERITY_ORDER.index(s) if s in SEVERITY_ORDER else 99, s))
    statuses = [s for s in STATUS_ORDER if any(f.status.value == s for f in every)]
    builtin = next((p for p in results.packs if p.id == "builtin"), None)
    template = _environment().get_template("report.html.j2")
    return template.render(
        results=results,
        profiles=profiles,
        matrix=_matrix(results, profiles),
        theme_counts=_theme_counts(results),
        totals=status_counts(every),
        all_statuses=STATUS_ORDER,
        statuses=statuses,
        status_words={status: _(word) for status, word in STATUS_WORDS.items()},
        severities=severities,
        severity_words={severity: severity_name(severity) for severity in severities},
        waived_mark=_(WAIVED_MARK),
        lang=i18n.language(),
        paper_cite=Markup("<cite>{}</cite>").format(builtin.source) if builtin else "",
        unknown_em=Markup("<em>{}</em>").format(_(STATUS_WORDS["unknown"])),
        hash_code=Markup("<code>{}</code>").format(results.rules_hash),
        themes=[theme for theme, _ in _theme_counts(results)],
        paper=builtin,
        pack_links={p.id: safe_url(p.url) for p in results.packs},
        finding_count=len(every),
        csp=csp,
        script=Markup(script),
        style=Markup(style),
    )
