"""The checklist as a workbook: a Summary sheet (count per theme) and a Checklist sheet, one row per item.

Items still to answer are filled yellow so an evaluator sees at a glance what to ask the Party.
The workbook is for reading and circulating, not for answering: its sheets are protected (no
password) and the Summary says where answers go — the questionnaire workbook of ``gap-engine
template``, which ``gap-engine import`` reads back. An evaluator typing into the checklist would
otherwise lose the answers, since nothing reads them.
"""

from __future__ import annotations

from typing import Any

from ..cells import set_text
from ..i18n import N_, _, format_date, pgettext
from ..print_layout import fit_row, row_height, set_up_page
from ..xlsx_bytes import first_sheet
from .checklist import Checklist
from .xlsx_bytes import workbook_bytes

HEADERS = (
    N_("No."),
    N_("Theme"),
    N_("Rule"),
    N_("Question"),
    N_("Food for thought / Committee points"),
    N_("Convention articles"),
    N_("Severity"),
    N_("Item"),
    N_("Evidence expected"),
    N_("Rule status"),
    N_("Answer in the profile"),
    N_("Evidence cited"),
    N_("To answer"),
    N_("Waiver"),
)
# Widths that add up to what prints legibly on an A4 landscape width; rows grow with their text instead.
_WIDTHS = (5.0, 12.0, 9.0, 26.0, 32.0, 9.0, 11.0, 26.0, 24.0, 13.0, 10.0, 30.0, 8.0, 18.0)
_SUMMARY_WIDTHS = (7.0, 36.0, 12.0, 24.0, 30.0)
READ_ONLY_NOTE = N_(
    "Read-only: the checklist is not read back. To answer, fill in the questionnaire from "
    "`gap-engine template --xlsx FILE` (pre-filled with --from PROFILE) and read it with `gap-engine import`."
)


def render(checklist: Checklist) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    summary = first_sheet(workbook)
    summary.title = pgettext("sheet", "Summary")
    subject = checklist.profile
    title = _("Monitoring-round checklist") + (
        _(" — {name} ({code}), law as of {date}").format(
            name=subject.jurisdiction.name, code=subject.jurisdiction.code, date=format_date(subject.as_of)
        )
        if subject
        else _(" (blank)")
    )
    set_text(summary.cell(row=1, column=1), title).font = Font(bold=True, size=14)
    set_text(summary.cell(row=2, column=1), checklist.paper)
    set_text(summary.cell(row=3, column=1), _(READ_ONLY_NOTE)).font = Font(italic=True)
    for note_row in (2, 3):  # long lines: wrapped across the table's width, not run off the printed page
        summary.merge_cells(start_row=note_row, start_column=1, end_row=note_row, end_column=len(_SUMMARY_WIDTHS))
        summary.cell(row=note_row, column=1).alignment = Alignment(wrap_text=True, vertical="top")
        text = summary.cell(row=note_row, column=1).value
        summary.row_dimensions[note_row].height = row_height([text], [sum(_SUMMARY_WIDTHS)])
    head = [_("No."), _("Theme"), _("Questions"), _("Still to answer (items)"), _("Questions with items to answer")]
    _row(summary, 4, head, bold=True)
    row = 5
    for theme in checklist.themes:
        counts: list[Any] = [theme.open_items, theme.open_questions] if checklist.prefilled else [None, None]
        _row(summary, row, [theme.number, theme.title, len(theme.questions), *counts])
        summary.cell(row=row, column=2).alignment = Alignment(wrap_text=True, vertical="top")
        fit_row(summary, row, _SUMMARY_WIDTHS)
        row += 1
    for index, width in enumerate(_SUMMARY_WIDTHS, start=1):
        summary.column_dimensions[get_column_letter(index)].width = width
    summary.cell(row=4, column=4).alignment = summary.cell(row=4, column=5).alignment = Alignment(wrap_text=True, vertical="top")
    fit_row(summary, 4, _SUMMARY_WIDTHS)
    set_up_page(summary, title_rows="4:4", heading=title, landscape=False)

    sheet = workbook.create_sheet(pgettext("sheet", "Checklist"))
    _row(sheet, 1, [_(h) for h in HEADERS], bold=True)
    highlight = PatternFill("solid", fgColor="FFF2A8")
    row = 2
    for theme in checklist.themes:
        for question in theme.questions:
            ffq = "\n".join(f"{ref}: {text}" for ref, text in question.questions)
            for item in question.items:
                evidence = "; ".join(c.label() for c in item.evidence)
                if item.note:
                    note = _("note: {note}").format(note=item.note)
                    evidence = f"{evidence} — {note}" if evidence else note
                if item.missing and (item.kind == "offence" or not item.to_answer):
                    missing = _("missing: {missing}").format(missing=item.missing)
                    evidence = f"{evidence} — {missing}" if evidence else missing
                values = [
                    question.number,
                    theme.title,
                    question.rule_id,
                    question.title,
                    ffq,
                    ", ".join(question.articles),
                    question.severity,
                    _prompt(item.prompt + (f" ({item.ref})" if item.kind == "fact" else ""), item.precondition),
                    question.evidence_expected,
                    question.status.value if question.status else None,
                    item.answer,
                    evidence or None,
                    (_("yes") if item.to_answer else _("no")) if checklist.prefilled else None,
                    question.waiver.describe() if question.waiver else None,
                ]
                _row(sheet, row, values)
                for col in range(1, len(HEADERS) + 1):
                    cell = sheet.cell(row=row, column=col)
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
                    if checklist.prefilled and item.to_answer:
                        cell.fill = highlight
                fit_row(sheet, row, _WIDTHS)
                row += 1
    for index, width in enumerate(_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for col in range(1, len(HEADERS) + 1):
        sheet.cell(row=1, column=col).alignment = Alignment(wrap_text=True, vertical="top")
    fit_row(sheet, 1, _WIDTHS)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(HEADERS))}{max(row - 1, 1)}"
    set_up_page(sheet, title_rows="1:1", heading=title, footer_note=_("Yellow rows: still to answer.") if checklist.prefilled else "")
    for protected in (summary, sheet):
        protected.protection.sheet = True  # read-only without a password; filters and sorting stay usable
        protected.protection.autoFilter = False
        protected.protection.sort = False
    return workbook_bytes(workbook, "gap-engine monitoring-round checklist", subject.as_of if subject else None)


def _prompt(text: str, precondition: bool) -> str:
    """An item's prompt, marked when it is a precondition of its rule (the Markdown checklist's words)."""
    return _("Precondition: {text}").format(text=text) if precondition else text


def _row(sheet: Any, row: int, values: list[Any], bold: bool = False) -> None:
    from openpyxl.styles import Font

    for col, value in enumerate(values, start=1):
        cell = sheet.cell(row=row, column=col)
        if isinstance(value, str):
            set_text(cell, value)
        else:
            cell.value = value
        if bold:
            cell.font = Font(bold=True)
