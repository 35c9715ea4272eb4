"""The diff workbook: a Changes sheet (one row per finding that moved, coloured by direction), the
rule changes, and an About sheet with both sides.

Every piece of text goes through ``cells.set_text`` (profile text never becomes a formula), and the
bytes are fixed the way the gap workbook fixes them (``xlsx_bytes.fixed_bytes``, ``xlsx.time_for``), so
the same diff gives the same file. openpyxl is imported inside functions so ``--help`` stays instant.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from ..cells import set_text
from ..diff_model import DIRECTION_ORDER, DIRECTION_TEXT, Diff, Direction, FindingChange, JurisdictionDiff
from ..i18n import N_, _, format_date, pgettext
from ..output import write_atomic
from ..print_layout import fit_row, set_up_page
from ..xlsx_bytes import first_sheet, fixed_bytes
from .diff_words import DIRECTION_MEANING, side_text, status_text
from .xlsx import generation_note, time_for

CHANGES, RULES, ABOUT = "Changes", "Rule changes", "About"
"""The sheets' English names; ``sheet_names()`` gives them in the reader's language."""


def sheet_names() -> dict[str, str]:
    """The sheets' names in the current language, by English name (``Modifications``… in French), as the gap
    workbook's ``xlsx.sheet_names()`` does: translated where the workbook is written, not at import."""
    return {CHANGES: pgettext("sheet", "Changes"), RULES: pgettext("sheet", "Rule changes"), ABOUT: pgettext("sheet", "About")}


DIRECTION_COLOURS: dict[Direction, tuple[str, str]] = {
    Direction.regressed: ("FFC7CE", "9C0006"),
    Direction.rule_changed: ("BDD7EE", "1F4E79"),
    Direction.improved: ("C6EFCE", "006100"),
    Direction.changed: ("FFE699", "7F6000"),
    Direction.rule_added: ("E7E6E6", "595959"),
    Direction.rule_removed: ("E7E6E6", "595959"),
    Direction.unchanged: ("FFFFFF", "000000"),
}

# Widths that add up to what prints legibly on an A4 landscape width (rows grow with their text instead).
CHANGE_COLUMNS: list[tuple[str, int]] = [
    (N_("Code"), 6),
    (N_("Jurisdiction"), 14),
    (N_("Rule ID"), 9),
    (N_("Title"), 26),
    (N_("Direction"), 12),
    (N_("Before"), 12),
    (N_("After"), 12),
    (N_("Elements that changed"), 36),
    (N_("Provisions and facts that changed them"), 44),
    (N_("Rule change"), 20),
    (N_("Evaluated on"), 13),
]
DIRECTION_COLUMN = "E"

RULE_COLUMNS: list[tuple[str, int]] = [
    (N_("Rule ID"), 9),
    (N_("Change"), 10),
    (N_("Title before"), 28),
    (N_("Title after"), 28),
    (N_("Pack before"), 12),
    (N_("Pack after"), 12),
    (N_("Severity before"), 11),
    (N_("Severity after"), 11),
    (N_("What changed"), 50),
]
ABOUT_WIDTHS = (34.0, 100.0)


def write_diff_workbook(diff: Diff, target: Path, inputs: Iterable[Path] = ()) -> None:
    """Write the diff workbook to ``target`` atomically; an input file is never overwritten."""
    write_atomic(target, diff_workbook_bytes(diff), inputs)


def generation_time(diff: Diff) -> datetime:
    """``SOURCE_DATE_EPOCH``, else the latest as-of date on either side: never the clock."""
    dates = [d for j in diff.jurisdictions for d in (j.as_of_before, j.as_of_after)]
    dates += [j.as_of for j in (*diff.jurisdictions_added, *diff.jurisdictions_removed)]
    return time_for(dates)


def diff_workbook_bytes(diff: Diff) -> bytes:
    from openpyxl import Workbook

    generated = generation_time(diff)
    workbook = Workbook()
    changes = first_sheet(workbook)
    names = sheet_names()
    changes.title = names[CHANGES]
    _changes_sheet(changes, diff)
    _rules_sheet(workbook.create_sheet(names[RULES]), diff)
    _about_sheet(workbook.create_sheet(names[ABOUT]), diff, generated)
    return fixed_bytes(workbook, "gap-engine diff", generated)


def _header(ws: Any, columns: list[tuple[str, int]]) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    for index, (name, width) in enumerate(columns, start=1):
        cell = set_text(ws.cell(row=1, column=index), _(name))
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", start_color="D9E1F2", end_color="D9E1F2")
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "A2"


def change_rows(diff: Diff) -> list[list[str]]:
    """The Changes sheet's rows (without the header): one per finding that is not unchanged."""
    return [_row(jurisdiction, finding) for jurisdiction, finding in diff.changed_findings()]


def _row(jurisdiction: JurisdictionDiff, finding: FindingChange) -> list[str]:
    elements, evidence = [], []
    for element in finding.elements:
        before = element.status_before.value if element.status_before else _("(not in the rule)")
        after = element.status_after.value if element.status_after else _("(not in the rule)")
        elements.append(
            f"{element.element}: {before} -> {after}"
            if before != after
            else _("{element}: still {status}").format(element=element.element, status=after)
        )
        for change in element.evidence:
            evidence.append(change.summary + (f" — {change.citation}" if change.citation else ""))
    evidence += [change.summary + (f" — {change.citation}" if change.citation else "") for change in finding.evidence]
    evidence += [_("new note: {note}").format(note=note) for note in finding.notes_added]
    evidence += [_("note gone: {note}").format(note=note) for note in finding.notes_removed]
    dates = f"{jurisdiction.evaluated_on_before} -> {jurisdiction.evaluated_on_after}"
    return [
        jurisdiction.jurisdiction,
        jurisdiction.jurisdiction_name,
        finding.rule_id,
        finding.title,
        DIRECTION_TEXT[finding.direction],
        status_text(finding.status_before, finding.label_before),
        status_text(finding.status_after, finding.label_after),
        "\n".join(elements),
        "\n".join(evidence),
        finding.rule_change or "",
        dates,
    ]


def _changes_sheet(ws: Any, diff: Diff) -> None:
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    _header(ws, CHANGE_COLUMNS)
    wrap = Alignment(wrap_text=True, vertical="top")
    rows = change_rows(diff)
    widths = [float(width) for _name, width in CHANGE_COLUMNS]
    for row_number, values in enumerate(rows, start=2):
        for column, value in enumerate(values, start=1):
            set_text(ws.cell(row=row_number, column=column), value).alignment = wrap
        fit_row(ws, row_number, widths)
    if not rows:
        set_text(ws.cell(row=2, column=1), _("No finding changed."))
    last_row = max(len(rows) + 1, 2)
    last_column = get_column_letter(len(CHANGE_COLUMNS))
    ws.auto_filter.ref = f"A1:{last_column}{last_row}"
    ws.freeze_panes = "D2"
    span = f"A2:{last_column}{last_row}"
    for direction in DIRECTION_ORDER:
        if direction is Direction.unchanged:
            continue
        fill, font = DIRECTION_COLOURS[direction]
        ws.conditional_formatting.add(
            span,
            FormulaRule(
                formula=[f'${DIRECTION_COLUMN}2="{DIRECTION_TEXT[direction]}"'],
                fill=PatternFill("solid", start_color=fill, end_color=fill),
                font=Font(color=font),
            ),
        )
    set_up_page(ws, title_rows="1:1", heading=_("gap-engine diff: findings that changed"))


def _rules_sheet(ws: Any, diff: Diff) -> None:
    from openpyxl.styles import Alignment

    _header(ws, RULE_COLUMNS)
    wrap = Alignment(wrap_text=True, vertical="top")
    widths = [float(width) for _name, width in RULE_COLUMNS]
    for row, rule in enumerate(diff.rules, start=2):
        values = [
            rule.rule_id,
            rule.change,
            rule.title_before or "",
            rule.title_after or "",
            rule.pack_before or "",
            rule.pack_after or "",
            rule.severity_before or "",
            rule.severity_after or "",
            "\n".join(rule.reasons),
        ]
        for column, value in enumerate(values, start=1):
            set_text(ws.cell(row=row, column=column), value).alignment = wrap
        fit_row(ws, row, widths)
    if not diff.rules:
        set_text(ws.cell(row=2, column=1), _("No rule changed: both sides ran the same rules."))
    set_up_page(ws, title_rows="1:1", heading=_("gap-engine diff: rules that changed between the two sides"))


def _about_sheet(ws: Any, diff: Diff, generated: datetime) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    set_text(ws.cell(row=1, column=1), _("About this diff")).font = Font(bold=True, size=14)
    facts: list[tuple[str, str]] = []
    for side, source, rules, engine in (
        (diff.old, _("Old: source"), _("Old: rules"), _("Old: engine")),
        (diff.new, _("New: source"), _("New: rules"), _("New: engine")),
    ):
        facts += [
            (source, side_text(side)),
            (rules, _("{version} (hash {hash})").format(version=side.rules_version, hash=side.rules_hash)),
            (engine, side.engine),
        ]
    not_run = _("(not run)")
    facts += [(_("Pack {pack}").format(pack=p.id), f"{p.version_before or not_run} -> {p.version_after or not_run}") for p in diff.packs]
    if diff.rules_note:
        facts.append((_("Rules note"), diff.rules_note))
    facts += [
        (_("Generated"), generated.strftime("%Y-%m-%d %H:%M:%S UTC")),
        (_("How the generation time is chosen"), generation_note()),
    ]
    row = 3
    for key, value in facts:
        set_text(ws.cell(row=row, column=1), key).font = bold
        set_text(ws.cell(row=row, column=2), value).alignment = wrap
        fit_row(ws, row, ABOUT_WIDTHS)
        row += 1
    row += 1
    set_text(ws.cell(row=row, column=1), _("Directions")).font = bold
    for direction in DIRECTION_ORDER:
        row += 1
        fill, font = DIRECTION_COLOURS[direction]
        cell = set_text(ws.cell(row=row, column=1), DIRECTION_TEXT[direction])
        cell.fill = PatternFill("solid", start_color=fill, end_color=fill)
        cell.font = Font(color=font)
        set_text(ws.cell(row=row, column=2), f"{diff.counts[direction.value]} — {DIRECTION_MEANING[direction]}").alignment = wrap
        fit_row(ws, row, ABOUT_WIDTHS)
    row += 2
    set_text(ws.cell(row=row, column=1), _("Jurisdictions")).font = bold
    for item in diff.jurisdictions:
        row += 1
        set_text(ws.cell(row=row, column=1), f"{item.jurisdiction} {item.jurisdiction_name}")
        text = _("compared: {before} (evaluated on {on_before}) -> {after} (evaluated on {on_after})").format(
            before=item.source_before,
            on_before=format_date(item.evaluated_on_before),
            after=item.source_after,
            on_after=format_date(item.evaluated_on_after),
        )
        set_text(ws.cell(row=row, column=2), text).alignment = wrap
        fit_row(ws, row, ABOUT_WIDTHS)
    for label, members in ((_("added (NEW only)"), diff.jurisdictions_added), (_("removed (OLD only)"), diff.jurisdictions_removed)):
        for only in members:
            row += 1
            set_text(ws.cell(row=row, column=1), f"{only.jurisdiction} {only.jurisdiction_name}")
            text = _("{label}: {source}, evaluated on {date}").format(label=label, source=only.source, date=format_date(only.evaluated_on))
            set_text(ws.cell(row=row, column=2), text).alignment = wrap
            fit_row(ws, row, ABOUT_WIDTHS)
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = ABOUT_WIDTHS
    set_up_page(ws, title_rows=None, heading=_("About this diff"))
