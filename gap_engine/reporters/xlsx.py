"""The gap workbook for NGOs and legal advisers: Summary matrix, one sheet per jurisdiction, Who (the
jurisdictions in each status per rule), Items (one row per jurisdiction and checklist item), Rules, About.

Built only from ``CheckResults`` (the single source for every reporter). Every piece of text goes
through ``cells.set_text`` so profile text can never become a formula, and the file is written
byte-for-byte deterministically (fixed document times and zip entry times) and atomically.
openpyxl is imported inside functions so ``gap-engine --help`` stays instant.
"""

from __future__ import annotations

import math
import os
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from copy import copy
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..cells import SheetTitles, clean_text, set_text
from ..compare import WHO_ORDER, item_rows, parties_by_rule, rules_in_order
from ..errors import InputErrors
from ..findings import CheckResults, Evidence, Finding, PackInfo, ProfileResult, Status
from ..i18n import N_, format_date, gettext, pgettext
from ..output import write_atomic
from ..print_layout import fit_row, row_height, set_up_page
from ..xlsx_bytes import first_sheet, fixed_bytes
from .grouping import STATUS_ORDER, status_counts, themes_in_order

# (fill, font) per status: each status its own colour, used by the conditional formatting and the legend.
STATUS_COLOURS: dict[str, tuple[str, str]] = {
    Status.gap.value: ("FFC7CE", "9C0006"),
    Status.partial.value: ("FFE699", "7F6000"),
    Status.unknown.value: ("D9D2E9", "3F3151"),
    Status.covered.value: ("C6EFCE", "006100"),
    Status.reserved.value: ("BDD7EE", "1F4E79"),
    Status.not_applicable.value: ("E7E6E6", "595959"),
}

STATUS_MEANING: dict[str, str] = {
    Status.gap.value: N_("the law, as described, does not cover what the rule requires"),
    Status.partial.value: N_("covered only in part"),
    Status.unknown.value: N_("a needed fact is not stated in the profile (never read as 'no')"),
    Status.covered.value: N_("every element is covered, with the provisions or measures that cover it as evidence"),
    Status.reserved.value: N_("a gap or partial coverage explained by a reservation to the Convention in force"),
    Status.not_applicable.value: N_("the rule's precondition does not hold"),
}

# The columns up to Waiver are this jurisdiction's own and print (fitted to an A4 width, so their widths add up
# to what stays legible there). The rest show on screen only: the source link repeats an address given in the
# Evidence (and a spreadsheet program does not wrap a link), the others repeat the rule catalogue, which prints
# once, on the Rules sheet.
FINDING_COLUMNS: list[tuple[str, int]] = [
    (N_("Rule ID"), 9),
    (N_("Title"), 24),
    (N_("Theme"), 12),
    (N_("Status"), 13),
    (N_("Label"), 8),
    (N_("Severity"), 11),
    (N_("Evidence"), 40),
    (N_("Missing elements"), 38),
    (N_("Waiver"), 18),
    (N_("Source link"), 34),
    (N_("Finding"), 70),
    (N_("Recommendation"), 60),
    (N_("Paper section"), 32),
    (N_("Paper questions and Committee points"), 60),
    (N_("Convention articles"), 18),
]
PRINTED_FINDING_COLUMNS = [name for name, _ in FINDING_COLUMNS].index("Waiver") + 1

WHO_STATUSES = [status.value for status in WHO_ORDER]
WHO_COLUMNS: list[tuple[str, int]] = [
    (N_("Rule ID"), 9),
    (N_("Title"), 26),
    (N_("Theme"), 12),
    (N_("Who"), 36),
    *[(status, 13) for status in WHO_STATUSES],
]

ITEM_COLUMNS: list[tuple[str, int]] = [
    (N_("Code"), 6),
    (N_("Jurisdiction"), 12),
    (N_("Evaluated on"), 11),
    (N_("Rule ID"), 9),
    (N_("Rule title"), 34),
    (N_("Item"), 26),
    (N_("Item status"), 13),
    (N_("Answer and evidence"), 32),
    (N_("Missing"), 28),
    (N_("Rule status"), 13),
]

RULE_COLUMNS: list[tuple[str, int]] = [
    (N_("Rule ID"), 9),
    (N_("Title"), 22),
    (N_("Theme"), 12),
    (N_("Severity"), 11),
    (N_("Convention articles"), 10),
    (N_("Paper questions and Committee points"), 36),
    (N_("Paper section"), 14),
    (N_("Pack and version"), 10),
    (N_("Finding"), 50),
    (N_("Recommendation"), 36),
]

LINK_COLUMN = [name for name, _ in FINDING_COLUMNS].index("Source link") + 1

CONVENTION = N_("Council of Europe Convention on the Protection of Children against Sexual Exploitation and Sexual Abuse (CETS No. 201)")
SUMMARY, WHO, ITEMS, RULES, ABOUT = "Summary", "Who", "Items", "Rules", "About"
"""The fixed sheets' English names; :func:`sheet_names` gives them in the current language."""
URL_LIMIT = 2079  # the longest hyperlink address Excel accepts
FIRST_RULE_COLUMN = 4  # Summary: A code, B jurisdiction, C as of, then one column per rule
SUMMARY_NAME_WIDTH = 24
RULE_COLUMN_WIDTH = 13  # wide enough for "not_applicable"; at 65 % the Summary prints about ten rules a page
SUMMARY_FOOTER = N_(
    "Statuses: gap, partial, unknown (a fact not stated), covered, reserved, not_applicable; the Legend is below the "
    "table; rule titles are on the Rules sheet."
)


def sheet_names() -> dict[str, str]:
    """The fixed sheets' names in the current language, by English name (``Synthèse``, ``Qui``… in French).

    Translated where the workbook is written, not at import, because the language is chosen per command.
    """
    return {
        SUMMARY: pgettext("sheet", "Summary"),
        WHO: pgettext("sheet", "Who"),
        ITEMS: pgettext("sheet", "Items"),
        RULES: pgettext("sheet", "Rules"),
        ABOUT: pgettext("sheet", "About"),
    }


def write_workbook(results: CheckResults, target: Path, inputs: Iterable[Path] = ()) -> None:
    """Write the gap workbook to ``target`` atomically; an input file is never overwritten."""
    write_atomic(target, workbook_bytes(results), inputs)


def workbook_bytes(results: CheckResults) -> bytes:
    """The workbook as bytes: the same results (and ``SOURCE_DATE_EPOCH``) always give the same bytes."""
    from openpyxl import Workbook

    generated = generation_time(results)
    workbook = Workbook()
    names = sheet_names()
    summary = first_sheet(workbook)
    summary.title = names[SUMMARY]
    titles = SheetTitles(reserved=tuple(names.values()))
    sheet_titles = [titles.take(f"{p.jurisdiction} {p.jurisdiction_name}") for p in results.profiles]
    rules = catalogue(results)
    _summary_sheet(summary, results, rules, sheet_titles)
    with titles_already_unique():
        sheets = [workbook.create_sheet(title) for title in sheet_titles]
    for profile, sheet in zip(results.profiles, sheets, strict=True):
        _jurisdiction_sheet(sheet, profile, results)
    _who_sheet(workbook.create_sheet(names[WHO]), results)
    _items_sheet(workbook.create_sheet(names[ITEMS]), results)
    _rules_sheet(workbook.create_sheet(names[RULES]), rules, results)
    _about_sheet(workbook.create_sheet(names[ABOUT]), results, sheet_titles, generated)

    return fixed_bytes(workbook, "gap-engine gap workbook", generated)


@contextmanager
def titles_already_unique() -> Iterator[None]:
    """Skip openpyxl's check of each new sheet's title against every sheet already made.

    The check rebuilds and lower-cases the list of titles for every new sheet, so creating n sheets costs n²:
    0.6 s for 500 sheets, 7 s for 2,000 on the benchmark machine, more than writing them. ``SheetTitles`` has
    already made the titles valid and unique regardless of case, so for the sheets created inside this
    block the check is replaced by one that keeps the title.
    """
    from openpyxl.workbook import child

    original = child.avoid_duplicate_name
    child.avoid_duplicate_name = _keep_title
    try:
        yield
    finally:
        child.avoid_duplicate_name = original


def _keep_title(names: Any, value: str) -> str:
    return value


def generation_time(results: CheckResults) -> datetime:
    """When the workbook counts as generated: ``SOURCE_DATE_EPOCH`` if set, else the latest profile as-of date.

    A wall-clock time would make every run's bytes differ; the latest as-of date is the date of
    the newest law the workbook describes, so it is both stable and meaningful.
    """
    return time_for(p.as_of for p in results.profiles)


def time_for(dates: Iterable[date]) -> datetime:
    """``SOURCE_DATE_EPOCH`` if set, else the latest of ``dates`` (1980-01-01, the zip epoch, when none)."""
    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if raw:
        try:
            return datetime.fromtimestamp(int(raw), tz=timezone.utc)
        except (ValueError, OverflowError, OSError):
            raise InputErrors.single("SOURCE_DATE_EPOCH", f"not a whole number of seconds since 1970: {raw!r}") from None
    latest = max(dates, default=None)
    if latest is None:
        return datetime(1980, 1, 1, tzinfo=timezone.utc)
    return datetime(latest.year, latest.month, latest.day, tzinfo=timezone.utc)


def generation_note() -> str:
    if os.environ.get("SOURCE_DATE_EPOCH", "").strip():
        return gettext("Fixed by the SOURCE_DATE_EPOCH environment variable, so that the same input gives a byte-identical file.")
    return gettext(
        "The latest as-of date among the profiles (not the wall-clock time), so that the same input gives a "
        "byte-identical file; set SOURCE_DATE_EPOCH to choose another time."
    )


def catalogue(results: CheckResults) -> list[Finding]:
    """The rules as run, one representative finding per rule, in paper (theme) order then rule ID.

    Built from the findings, so rules from ``--rules`` packs appear with their pack.
    """
    return rules_in_order(results)


def is_web_url(url: str | None) -> bool:
    """Only plain http(s) addresses become hyperlinks; anything else (file:, javascript:, …) stays text."""
    if not url or len(url) > URL_LIMIT or any(c.isspace() or ord(c) < 32 for c in url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def _theme_title(results: CheckResults, theme_id: str) -> str:
    return next((theme.title for theme in results.themes() if theme.id == theme_id), theme_id)


def _questions(results: CheckResults, ids: list[str]) -> str:
    return "\n".join(f"{qid}: {text}" if (text := results.question_text(qid)) else qid for qid in ids)


def _evidence(finding: Finding) -> str:
    return "\n".join(_evidence_line(item) for item in finding.evidence)


def _evidence_line(item: Evidence, with_note: bool = False) -> str:
    parts = [f"{item.ref} ({item.answer})", item.citation or gettext("no citation given")]
    if item.in_force:
        parts.append(gettext("in force {date}").format(date=format_date(item.in_force)))
    if item.url:
        parts.append(item.url)
    if with_note and item.note:
        parts.append(item.note)
    return " — ".join(parts)


def _header(ws: Any, row: int, columns: list[tuple[str, int]]) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    for index, (name, width) in enumerate(columns, start=1):
        cell = set_text(ws.cell(row=row, column=index), gettext(name))
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", start_color="D9E1F2", end_color="D9E1F2")
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[get_column_letter(index)].width = width


def _status_formatting(ws: Any, cell_range: str) -> None:
    """One conditional-format rule per status, each with its own fill and font colour."""
    from openpyxl.formatting.rule import CellIsRule
    from openpyxl.styles import Font, PatternFill

    for status in STATUS_ORDER:
        fill, font = STATUS_COLOURS[status]
        rule = CellIsRule(
            operator="equal",
            formula=[f'"{status}"'],
            fill=PatternFill("solid", start_color=fill, end_color=fill),
            font=Font(color=font),
        )
        ws.conditional_formatting.add(cell_range, rule)


def _widths(columns: list[tuple[str, int]]) -> list[float]:
    return [float(width) for _, width in columns]


def _summary_sheet(ws: Any, results: CheckResults, rules: list[Finding], sheet_titles: list[str]) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.hyperlink import Hyperlink

    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    centre = Alignment(horizontal="center", vertical="top", wrap_text=True)
    header_fill = PatternFill("solid", start_color="D9E1F2", end_color="D9E1F2")
    first_count = FIRST_RULE_COLUMN + len(rules)
    last_column = first_count + len(STATUS_ORDER) - 1

    # Row 1: theme header cells spanning their rules; row 2: rule titles; row 3: the filter header.
    for column, name in enumerate((gettext("Code"), gettext("Jurisdiction"), gettext("Evaluated on")), start=1):
        set_text(ws.cell(row=3, column=column), name)
    set_text(ws.cell(row=1, column=1), gettext("Rules by theme →"))
    set_text(ws.cell(row=2, column=1), gettext("Rule titles →"))
    column = FIRST_RULE_COLUMN
    for theme in themes_in_order(results):
        members = [r for r in rules if r.theme == theme["id"]]
        if not members:
            continue
        start = column
        for rule in members:
            set_text(ws.cell(row=2, column=column), rule.title).alignment = wrap
            set_text(ws.cell(row=3, column=column), rule.rule_id)
            ws.column_dimensions[get_column_letter(column)].width = RULE_COLUMN_WIDTH
            column += 1
        set_text(ws.cell(row=1, column=start), theme["title"]).alignment = centre
        if column - 1 > start:
            ws.merge_cells(start_row=1, start_column=start, end_row=1, end_column=column - 1)
    for offset, status in enumerate(STATUS_ORDER):
        set_text(ws.cell(row=3, column=first_count + offset), status)
        ws.column_dimensions[get_column_letter(first_count + offset)].width = 15
    set_text(ws.cell(row=1, column=first_count), gettext("Findings by status")).alignment = centre
    ws.merge_cells(start_row=1, start_column=first_count, end_row=1, end_column=last_column)
    for row in (1, 2, 3):
        for col in range(1, last_column + 1):
            cell = ws.cell(row=row, column=col)
            cell.font = bold
            cell.fill = header_fill
    longest = max((len(r.title) for r in rules), default=10)
    ws.row_dimensions[2].height = min(409, 15 * (math.ceil(longest / 14) + 1))
    ws.column_dimensions["A"].width = 7
    ws.column_dimensions["B"].width = SUMMARY_NAME_WIDTH
    ws.column_dimensions["C"].width = 12

    row = 4
    for profile, title in zip(results.profiles, sheet_titles, strict=True):
        by_rule = {f.rule_id: f for f in profile.findings}
        set_text(ws.cell(row=row, column=1), profile.jurisdiction)
        name = ws.cell(row=row, column=2)
        name.style = "Hyperlink"  # before set_text: assigning a named style resets the quote-prefix flag
        set_text(name, profile.jurisdiction_name).alignment = wrap  # a long name wraps rather than being cut in print
        ws.row_dimensions[row].height = row_height([profile.jurisdiction_name], [SUMMARY_NAME_WIDTH])
        name.hyperlink = Hyperlink(ref=name.coordinate, location="'{}'!A1".format(title.replace("'", "''")))
        # The date the law was evaluated on (the profile's as_of unless --as-of gave an earlier one).
        ws.cell(row=row, column=3, value=profile.evaluated_on).number_format = "yyyy-mm-dd"
        for offset, rule in enumerate(rules):
            finding = by_rule.get(rule.rule_id)
            # A rule with no finding for this profile is shown as unknown, never as covered.
            cell = set_text(ws.cell(row=row, column=FIRST_RULE_COLUMN + offset), finding.status.value if finding else Status.unknown.value)
            if finding is not None and finding.waiver is not None:
                _mark_waived(cell, finding)
        counts = status_counts(profile.findings)
        for offset, status in enumerate(STATUS_ORDER):
            ws.cell(row=row, column=first_count + offset, value=counts[status])
        row += 1
    last_row = max(row - 1, 3)
    ws.freeze_panes = ws.cell(row=4, column=FIRST_RULE_COLUMN).coordinate
    ws.auto_filter.ref = f"A3:{get_column_letter(last_column)}{last_row}"
    if rules:
        matrix = f"{get_column_letter(FIRST_RULE_COLUMN)}4:{get_column_letter(first_count - 1)}{last_row}"
        _status_formatting(ws, matrix)

    row = last_row + 2
    _per_rule_counts(ws, row, results, rules)
    row += len(STATUS_ORDER) + 2
    row = _theme_counts(ws, row, results)
    end = _legend(ws, row + 1, last_column)
    # Printed from row 3: the rule IDs head each page (a dozen full titles would take the page); the titles
    # print on the Rules sheet, the statuses' meanings in every page's footer and in the Legend.
    set_up_page(
        ws,
        title_rows="3:3",
        title_columns="A:C",
        heading=gettext("gap-engine summary: status of each rule per jurisdiction"),
        fit_width=False,
        scale=65,
        print_area=f"A3:{get_column_letter(last_column)}{end}",
        footer_note=gettext(SUMMARY_FOOTER),
    )


WAIVED_BORDER_COLOUR = "C00000"


def _mark_waived(cell: Any, finding: Finding) -> None:
    """The status stays the cell's value (filters and the colours read it); a comment carries the waiver and
    a dashed border marks the cell: dark red for an active waiver, grey for one that no longer applies."""
    from openpyxl.comments import Comment
    from openpyxl.styles import Border, Side

    assert finding.waiver is not None
    comment = Comment(clean_text(finding.waiver.describe())[:2000], "gap-engine")
    comment.width, comment.height = 300, 150
    cell.comment = comment
    side = Side(style="mediumDashed", color=WAIVED_BORDER_COLOUR if finding.waiver.active else "808080")
    cell.border = Border(left=side, right=side, top=side, bottom=side)


def _per_rule_counts(ws: Any, row: int, results: CheckResults, rules: list[Finding]) -> None:
    from openpyxl.styles import Font

    set_text(ws.cell(row=row, column=2), gettext("Jurisdictions with each status, per rule")).font = Font(bold=True)
    counts = rule_status_counts(results)
    for offset, status in enumerate(STATUS_ORDER, start=1):
        set_text(ws.cell(row=row + offset, column=3), status)
        for index, rule in enumerate(rules):
            ws.cell(row=row + offset, column=FIRST_RULE_COLUMN + index, value=counts.get((rule.rule_id, status), 0))


def rule_status_counts(results: CheckResults) -> Counter[tuple[str, str]]:
    """How many jurisdictions have each (rule, status), counted in one pass over the findings.

    Counting per rule and status by rescanning every finding made the Summary's cost rules × statuses ×
    findings, which dominated the workbook's writing time for a few dozen profiles.
    """
    return Counter((f.rule_id, f.status.value) for p in results.profiles for f in p.findings)


def _theme_counts(ws: Any, row: int, results: CheckResults) -> int:
    from openpyxl.styles import Alignment, Font

    set_text(ws.cell(row=row, column=2), gettext("Findings by theme (all jurisdictions)")).font = Font(bold=True)
    # Counts under the rule columns, not in the title columns A:C that repeat on every printed page.
    for offset, status in enumerate(STATUS_ORDER):
        set_text(ws.cell(row=row, column=FIRST_RULE_COLUMN + offset), status).font = Font(bold=True)
    by_theme: dict[str, list[Finding]] = {}
    for finding in results.all_findings():
        by_theme.setdefault(finding.theme, []).append(finding)
    wrap = Alignment(wrap_text=True, vertical="top")
    top = Alignment(vertical="top")  # the counts level with the first line of a wrapped theme title
    for theme in themes_in_order(results):
        members = by_theme.get(theme["id"])
        if not members:
            continue
        row += 1
        set_text(ws.cell(row=row, column=2), theme["title"]).alignment = wrap
        ws.row_dimensions[row].height = row_height([theme["title"]], [SUMMARY_NAME_WIDTH])
        counts = status_counts(members)
        for offset, status in enumerate(STATUS_ORDER):
            ws.cell(row=row, column=FIRST_RULE_COLUMN + offset, value=counts[status]).alignment = top
    return row + 1


LEGEND_SPAN = 8
"""Rule columns a legend meaning spans (from D): wide enough to read, narrow enough to stay on the first printed page."""


def _legend(ws: Any, row: int, last_column: int) -> int:
    """The legend from ``row``; returns its last row. Each meaning is wrapped in a merged cell from column D, so that
    it prints whole on the first page instead of running across the page edge, and is not cut short where the
    title columns A:C repeat on the next pages (the coloured status names in B do, as a legend for each page)."""
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    set_text(ws.cell(row=row, column=2), gettext("Legend")).font = Font(bold=True)
    meanings = [(status, gettext(STATUS_MEANING[status])) for status in STATUS_ORDER]
    meanings.append(
        (
            gettext("waived"),
            gettext(
                "a dashed border and a comment mark a waived finding (--waivers): the cell keeps its status, the comment gives the "
                "justification; a grey border marks a waiver that no longer applies (expired or not yet accepted)"
            ),
        )
    )
    span = min(LEGEND_SPAN, max(last_column - FIRST_RULE_COLUMN + 1, 1))
    width = RULE_COLUMN_WIDTH * span
    for offset, (name, meaning) in enumerate(meanings, start=1):
        cell = set_text(ws.cell(row=row + offset, column=2), name)
        if name in STATUS_COLOURS:
            fill, font = STATUS_COLOURS[name]
            cell.fill = PatternFill("solid", start_color=fill, end_color=fill)
            cell.font = Font(color=font)
        else:
            side = Side(style="mediumDashed", color=WAIVED_BORDER_COLOUR)
            cell.border = Border(left=side, right=side, top=side, bottom=side)
        text = set_text(ws.cell(row=row + offset, column=FIRST_RULE_COLUMN), meaning)
        text.alignment = Alignment(wrap_text=True, vertical="top")
        if span > 1:
            last = FIRST_RULE_COLUMN + span - 1
            ws.merge_cells(start_row=row + offset, start_column=FIRST_RULE_COLUMN, end_row=row + offset, end_column=last)
        ws.row_dimensions[row + offset].height = row_height([meaning], [width])
    return row + len(meanings)


def _wrapped_style(ws: Any) -> Any:
    """The style array of a top-aligned, wrapped cell, to copy onto each body cell.

    Assigning an ``Alignment`` per cell makes openpyxl look the style up each time, which was most of a
    sheet's cost; copying one cell's style array gives the same style index at a fraction of it. Made on
    row 2, column 1, which every caller fills with a wrapped cell anyway.
    """
    from openpyxl.styles import Alignment

    template = ws.cell(row=2, column=1)
    template.alignment = Alignment(wrap_text=True, vertical="top")
    return copy(template._style)


def _jurisdiction_sheet(ws: Any, profile: ProfileResult, results: CheckResults) -> None:
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    _header(ws, 1, FINDING_COLUMNS)
    wrap = Alignment(wrap_text=True, vertical="top")
    wrapped = _wrapped_style(ws)
    order = {theme["id"]: i for i, theme in enumerate(themes_in_order(results))}
    findings = sorted(profile.findings, key=lambda f: (order.get(f.theme, len(order)), f.rule_id))
    printed = _widths(FINDING_COLUMNS)[:PRINTED_FINDING_COLUMNS]
    for row, finding in enumerate(findings, start=2):
        link = next((e.url for e in finding.evidence if is_web_url(e.url)), None)
        values = [
            finding.rule_id,
            finding.title,
            _theme_title(results, finding.theme),
            finding.status.value,
            finding.label or "",
            finding.severity,
            _evidence(finding),
            "\n".join([*finding.missing, *finding.notes]),
            finding.waiver.describe() if finding.waiver else "",
            link or "",
            finding.finding,
            finding.recommendation,
            finding.paper_section,
            _questions(results, finding.questions),
            ", ".join(finding.articles),
        ]
        for column, value in enumerate(values, start=1):
            cell = ws.cell(row=row, column=column)
            if link and column == LINK_COLUMN:
                cell.style = "Hyperlink"  # before set_text, which the named style would undo
                set_text(cell, value).alignment = wrap
            else:
                cell._style = copy(wrapped)  # see _wrapped_style; before set_text, which may add the quote prefix
                set_text(cell, value)
        if link:
            ws.cell(row=row, column=LINK_COLUMN).hyperlink = link
        # Fitted to the printed columns: the catalogue columns after them print on the Rules sheet.
        fit_row(ws, row, printed)
    last_row = max(len(findings) + 1, 2)
    ws.freeze_panes = "B2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(FINDING_COLUMNS))}{last_row}"
    _status_formatting(ws, f"D2:D{last_row}")
    set_up_page(
        ws,
        title_rows="1:1",
        heading=gettext("{name} ({code}), law as of {as_of}, evaluated on {evaluated_on}").format(
            name=profile.jurisdiction_name,
            code=profile.jurisdiction,
            as_of=format_date(profile.as_of),
            evaluated_on=format_date(profile.evaluated_on),
        ),
        print_area=f"A1:{get_column_letter(PRINTED_FINDING_COLUMNS)}{last_row}",
        footer_note=gettext("Each rule's finding, recommendation and paper references print on the Rules sheet."),
    )


def _who_sheet(ws: Any, results: CheckResults) -> None:
    """Per rule, the jurisdictions in each status: one text to quote, then one column per status to filter on."""
    from openpyxl.utils import get_column_letter

    _header(ws, 1, WHO_COLUMNS)
    wrapped = _wrapped_style(ws)
    parties = parties_by_rule(results)
    widths = _widths(WHO_COLUMNS)
    for row, entry in enumerate(parties, start=2):
        values = [
            entry.rule.rule_id,
            entry.rule.title,
            _theme_title(results, entry.rule.theme),
            entry.text(),
            *[", ".join(entry.parties(status)) for status in WHO_ORDER],
        ]
        for column, value in enumerate(values, start=1):
            cell = ws.cell(row=row, column=column)
            cell._style = copy(wrapped)
            set_text(cell, value)
        fit_row(ws, row, widths)
    ws.freeze_panes = "B2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(WHO_COLUMNS))}{max(len(parties) + 1, 2)}"
    set_up_page(ws, title_rows="1:1", heading=gettext("gap-engine: the jurisdictions in each status, per rule"))


def _items_sheet(ws: Any, results: CheckResults) -> None:
    """One row per jurisdiction and checklist item (each element of each finding), so that which Parties do and
    which do not on a given item is one filter away."""
    from openpyxl.utils import get_column_letter

    _header(ws, 1, ITEM_COLUMNS)
    rows = item_rows(results)
    widths = _widths(ITEM_COLUMNS)
    wrapped = _wrapped_style(ws)
    for row, item in enumerate(rows, start=2):
        element = item.element
        values = [
            item.profile.jurisdiction,
            item.profile.jurisdiction_name,
            None,
            item.finding.rule_id,
            item.finding.title,
            element.element,
            element.status.value,
            "\n".join(_evidence_line(e, with_note=True) for e in element.evidence),
            element.missing or "",
            item.finding.status.value,
        ]
        for column, value in enumerate(values, start=1):
            cell = ws.cell(row=row, column=column)
            cell._style = copy(wrapped)  # before set_text, which may add the quote prefix to the style
            if value is not None:
                set_text(cell, value)
        ws.cell(row=row, column=3, value=item.profile.evaluated_on).number_format = "yyyy-mm-dd"
        fit_row(ws, row, widths)
    last_row = max(len(rows) + 1, 2)
    ws.freeze_panes = "C2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(ITEM_COLUMNS))}{last_row}"
    names = [name for name, _ in ITEM_COLUMNS]
    for name in ("Item status", "Rule status"):
        letter = get_column_letter(names.index(name) + 1)
        _status_formatting(ws, f"{letter}2:{letter}{last_row}")
    set_up_page(ws, title_rows="1:1", heading=gettext("gap-engine: each checklist item per jurisdiction"))


def _rules_sheet(ws: Any, rules: list[Finding], results: CheckResults) -> None:
    from openpyxl.utils import get_column_letter

    _header(ws, 1, RULE_COLUMNS)
    wrapped = _wrapped_style(ws)
    widths = _widths(RULE_COLUMNS)
    for row, rule in enumerate(rules, start=2):
        values = [
            rule.rule_id,
            rule.title,
            _theme_title(results, rule.theme),
            rule.severity,
            ", ".join(rule.articles),
            _questions(results, rule.questions),
            rule.paper_section,
            _pack_cell(rule),
            rule.finding,
            rule.recommendation,
        ]
        for column, value in enumerate(values, start=1):
            cell = ws.cell(row=row, column=column)
            cell._style = copy(wrapped)
            set_text(cell, value)
        fit_row(ws, row, widths)
    ws.freeze_panes = "B2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(RULE_COLUMNS))}{max(len(rules) + 1, 2)}"
    set_up_page(ws, title_rows="1:1", heading=gettext("gap-engine rules as run"))


def _pack_cell(rule: Finding) -> str:
    """The Rules sheet's pack cell: pack and version, then the rules this one replaces."""
    text = f"{rule.pack} {rule.pack_version}".strip()
    if rule.replaces:
        text += "\n" + gettext("replaces {rules}").format(rules=", ".join(rule.replaces))
    return text


ABOUT_WIDTHS = (34.0, 90.0, 28.0, 12.0, 50.0, 12.0)


def _about_sheet(ws: Any, results: CheckResults, sheet_titles: list[str], generated: datetime) -> None:
    from openpyxl.styles import Alignment, Font

    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    facts = [
        (gettext("Tool"), f"gap-engine {results.tool_version}"),
        (gettext("Rule-pack version"), results.rules_version),
        (gettext("Rule-pack content hash"), results.rules_hash),
        (gettext("Engine"), results.engine),
        (gettext("Generated"), generated.strftime("%Y-%m-%d %H:%M:%S UTC")),
        (gettext("How the generation time is chosen"), generation_note()),
        *[(gettext("Rule pack {pack}").format(pack=pack.label), _pack_text(pack)) for pack in results.packs],
        (gettext("Convention"), gettext(CONVENTION)),
    ]
    set_text(ws.cell(row=1, column=1), gettext("About this workbook")).font = Font(bold=True, size=14)
    for row, (key, value) in enumerate(facts, start=3):
        set_text(ws.cell(row=row, column=1), key).font = bold
        set_text(ws.cell(row=row, column=2), value).alignment = wrap
        ws.row_dimensions[row].height = row_height([key, value], ABOUT_WIDTHS)
    row = 3 + len(facts) + 1
    set_text(ws.cell(row=row, column=1), gettext("Profiles checked")).font = bold
    row += 1
    names = (N_("Sheet"), N_("Code"), N_("Jurisdiction"), N_("As of"), N_("Source file"), N_("Evaluated on"))
    for column, name in enumerate(names, start=1):
        set_text(ws.cell(row=row, column=column), gettext(name)).font = bold
    for profile, title in zip(results.profiles, sheet_titles, strict=True):
        row += 1
        set_text(ws.cell(row=row, column=1), title)
        set_text(ws.cell(row=row, column=2), profile.jurisdiction)
        set_text(ws.cell(row=row, column=3), profile.jurisdiction_name)
        ws.cell(row=row, column=4, value=profile.as_of).number_format = "yyyy-mm-dd"
        set_text(ws.cell(row=row, column=5), profile.source)
        ws.cell(row=row, column=6, value=profile.evaluated_on).number_format = "yyyy-mm-dd"
    for letter, width in zip("ABCDEF", ABOUT_WIDTHS, strict=True):
        ws.column_dimensions[letter].width = width
    set_up_page(ws, title_rows=None, heading=gettext("About this gap workbook"))


def _pack_text(pack: PackInfo) -> str:
    parts = (
        pack.title,
        gettext("Source: {source}").format(source=pack.source),
        pack.url or "",
        gettext("Licence: {licence}").format(licence=pack.licence),
    )
    return "\n".join(part for part in parts if part)
