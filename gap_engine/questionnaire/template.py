"""The fillable questionnaire workbook, blank or pre-filled from a profile.

For people who answer a monitoring round in a spreadsheet rather than in YAML: every fact is a
row with a drop-down answer and columns for the citation, every list of records (sources,
reservations, offence provisions) is a sheet where a row is a record. Headers and the fact
paths are locked so the import can find them again; the answer cells are not.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from ..cells import CELL_LIMIT, clean_text, is_formula_like, set_text
from ..errors import InputErrors
from ..i18n import DEFAULT, N_, _, format_date, using
from ..profile import Fact, Profile, fact_paths
from ..xlsx_bytes import first_sheet
from .layout import (
    FACT_KEY,
    INSTRUCTIONS,
    LISTS_SHEET,
    PROFILE_HEADERS,
    PROFILE_SHEET,
    QUESTION_KEY,
    Column,
    FactRow,
    Layout,
    build_layout,
)
from .values import choice_label, lookup, to_cell
from .xlsx_bytes import workbook_bytes

SPARE_ROWS = 200
"""Unlocked rows with drop-downs below the last record, where a lawyer adds provisions."""

_PROMPTS = {
    "choice_list": N_("Several values: separate them with commas. The drop-down offers one value at a time."),
    "date": N_("A date, written YYYY-MM-DD."),
    "integer": N_("A whole number."),
    "number": N_("A number."),
}


def build_template(catalogue: Any, profile: Profile | None = None, lang: str = DEFAULT) -> bytes:
    """The workbook as .xlsx bytes (the caller writes them atomically), its sheet names, instructions,
    drop-down labels and comments in ``lang``; header keys and fact paths stay the same in every language."""
    with using(lang):
        return _build(catalogue, profile, lang)


def _build(catalogue: Any, profile: Profile | None, lang: str) -> bytes:
    from openpyxl import Workbook

    layout = build_layout(catalogue, lang)
    workbook = Workbook()
    instructions = first_sheet(workbook)
    instructions.title = layout.sheet(INSTRUCTIONS)
    _write_instructions(instructions, layout, profile, [pack.id for pack in catalogue.packs if pack.facts])
    _write_lists(workbook, layout)
    data = profile.model_dump(mode="json") if profile else None
    _write_profile_sheet(workbook.create_sheet(layout.sheet(PROFILE_SHEET)), layout, data)
    for table in layout.tables:
        records = lookup(data, table.path) if data else None
        _write_table(workbook.create_sheet(table.sheet), table.columns, records or [], table.description)
    stated = _stated_facts(profile, catalogue)
    for sheet in layout.fact_sheets():
        rows = [row for row in layout.facts if row.sheet == sheet]
        _write_facts(workbook.create_sheet(sheet), layout, rows, stated)
    return workbook_bytes(workbook, _("gap-engine monitoring questionnaire"), profile.as_of if profile else None)


def write_template(
    catalogue: Any, target: Path, profile: Profile | None = None, inputs: list[Path] | None = None, lang: str = DEFAULT
) -> None:
    from ..output import write_atomic

    write_atomic(target, build_template(catalogue, profile, lang), inputs or [])


def _header(sheet: Any, headers: list[str], descriptions: dict[str, str]) -> None:
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill

    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDDDDD")
    for index, name in enumerate(headers, start=1):
        cell = set_text(sheet.cell(row=1, column=index), name)
        cell.font = bold
        cell.fill = fill
        if descriptions.get(name):
            cell.comment = Comment(descriptions[name], "gap-engine")
    sheet.freeze_panes = "A2"


def _protect(sheet: Any) -> None:
    """Lock the sheet (no password: this guards against slips, not people), leaving rows insertable."""
    protection = sheet.protection
    protection.sheet = True
    protection.insertRows = False
    protection.deleteRows = False
    protection.formatColumns = False
    protection.formatRows = False
    protection.formatCells = False
    protection.autoFilter = False
    protection.sort = False


def _unlock(cell: Any) -> None:
    from openpyxl.styles import Protection

    cell.protection = Protection(locked=False)


def _validation(sheet: Any, column: Column, cell_range: str) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    if column.list_name:
        strict = column.kind != "choice_list"  # a comma-separated list cannot be checked by Excel; the import checks it
        rule = DataValidation(type="list", formula1=column.list_name, allow_blank=True, showErrorMessage=strict)
        if strict:
            labels = ", ".join(choice_label(choice, _language()) for choice in column.choices)
            rule.error = _("Choose one of: {choices}").format(choices=labels)[:255]  # Excel's limits on these texts
            rule.errorTitle = column.key[-32:]
    elif column.kind == "date":
        rule = DataValidation(type="date", operator="greaterThan", formula1="1", allow_blank=True, showErrorMessage=True)
        rule.error = _("Write a date as YYYY-MM-DD.")
    elif column.kind == "integer":
        rule = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True, showErrorMessage=True)
        rule.error = _("Write a whole number.")
    elif column.kind == "number":
        rule = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True, showErrorMessage=True)
        rule.error = _("Write a number.")
    else:
        return
    if column.kind in _PROMPTS:
        rule.prompt = _(_PROMPTS[column.kind])
        rule.promptTitle = column.key[-32:]
        rule.showInputMessage = True
    sheet.add_data_validation(rule)
    rule.add(cell_range)


def _fill(sheet: Any, row: int, col: int, column: Column, value: Any) -> None:
    cell = sheet.cell(row=row, column=col)
    _unlock(cell)
    if column.kind == "date":
        cell.number_format = "yyyy-mm-dd"
    stated, value = value, to_cell(column, value, _language())
    if value is None:
        return
    if isinstance(value, str):
        if clean_text(value) != value:  # the import would read back something else: say so rather than lose it
            raise InputErrors.single(
                "--from",
                _("{field}: text with control characters or over {limit} characters cannot be put in a workbook cell unchanged").format(
                    field=column.key, limit=f"{CELL_LIMIT:,}"
                ),
                hint=_("shorten or clean the text ({cell})").format(cell=_cell_name(cell)),
            )
        set_text(cell, value)
        # "\r=1" is stored as "_x000D_=1", which set_text does not see as a formula; the cell is protected all the same.
        if isinstance(stated, str) and is_formula_like(stated):
            cell.quotePrefix = True
    else:
        cell.value = value


def _cell_name(cell: Any) -> str:
    return f"{cell.parent.title}!{cell.coordinate}"


def _write_lists(workbook: Any, layout: Layout) -> None:
    from openpyxl.workbook.defined_name import DefinedName

    lists_sheet = layout.sheet(LISTS_SHEET)
    sheet = workbook.create_sheet(lists_sheet)
    sheet.sheet_state = "hidden"
    for index, (name, choices) in enumerate(sorted(layout.lists.items()), start=1):
        from openpyxl.utils import get_column_letter

        letter = get_column_letter(index)
        set_text(sheet.cell(row=1, column=index), name)
        for offset, choice in enumerate(choices, start=2):
            set_text(sheet.cell(row=offset, column=index), choice_label(choice, layout.lang))
        ref = f"'{lists_sheet}'!${letter}$2:${letter}${len(choices) + 1}"
        workbook.defined_names[name] = DefinedName(name, attr_text=ref)
    _protect(sheet)


def _write_profile_sheet(sheet: Any, layout: Layout, data: dict[str, Any] | None) -> None:
    _header(sheet, list(PROFILE_HEADERS), {"value": _("Answer here; the other columns are locked.")})
    value_col = PROFILE_HEADERS.index("value") + 1
    for row, column in enumerate(layout.profile_rows, start=2):
        set_text(sheet.cell(row=row, column=1), column.key)
        set_text(sheet.cell(row=row, column=2), column.description)
        _fill(sheet, row, value_col, column, lookup(data, column.key) if data else None)
        _validation(sheet, column, sheet.cell(row=row, column=value_col).coordinate)
    _widths(sheet, [42, 70, 30])
    _protect(sheet)


def _write_table(sheet: Any, columns: tuple[Column, ...], records: list[dict[str, Any]], description: str) -> None:
    from openpyxl.utils import get_column_letter

    _header(sheet, [c.key for c in columns], {c.key: c.description for c in columns if c.description})
    last = len(records) + 1 + SPARE_ROWS
    for index, column in enumerate(columns, start=1):
        for row in range(2, last + 1):
            record = records[row - 2] if row - 2 < len(records) else None
            _fill(sheet, row, index, column, lookup(record, column.key) if record is not None else None)
        letter = get_column_letter(index)
        _validation(sheet, column, f"{letter}2:{letter}{last}")
    _widths(sheet, [18] * len(columns))
    _protect(sheet)


def _write_facts(sheet: Any, layout: Layout, rows: list[FactRow], stated: dict[str, Any]) -> None:
    from openpyxl.utils import get_column_letter

    headers = list(layout.fact_headers)
    _header(sheet, headers, {c.key: c.description for c in layout.fact_columns if c.description})
    first_answer = headers.index(layout.fact_columns[0].key) + 1
    answer_rows: list[int] = []
    for row_number, row in enumerate(rows, start=2):
        set_text(sheet.cell(row=row_number, column=headers.index(FACT_KEY) + 1), row.path)
        question = row.question + (_(" (rules: {rules})").format(rules=", ".join(row.rules)) if row.rules else "")
        set_text(sheet.cell(row=row_number, column=headers.index(QUESTION_KEY) + 1), question)
        value = stated.get(row.path)
        column = row.value_column
        if column is not None:  # a pack's date or number: one cell, the rest of the row stays locked and blank
            _fill(sheet, row_number, first_answer, column, value)
            _value_validation(sheet, column, sheet.cell(row=row_number, column=first_answer).coordinate)
            continue
        answer_rows.append(row_number)
        for offset, fact_column in enumerate(layout.fact_columns):
            _fill(sheet, row_number, first_answer + offset, fact_column, lookup(value, fact_column.key) if value else None)
    for offset, fact_column in enumerate(layout.fact_columns):
        letter = get_column_letter(first_answer + offset)
        ranges = " ".join(f"{letter}{start}:{letter}{end}" for start, end in _runs(answer_rows))
        if ranges:
            _validation(sheet, fact_column, ranges)
    _widths(sheet, [44, 60, 10, 28, 14, 20, 30, 12, 30])
    _protect(sheet)


def _runs(numbers: list[int]) -> list[tuple[int, int]]:
    """Consecutive row numbers as (first, last) runs, so a drop-down covers only the answer rows."""
    runs: list[tuple[int, int]] = []
    for number in numbers:
        if runs and runs[-1][1] == number - 1:
            runs[-1] = (runs[-1][0], number)
        else:
            runs.append((number, number))
    return runs


def _value_validation(sheet: Any, column: Column, cell: str) -> None:
    """A pack's date or number cell: Excel checks the kind (a pack number may be negative or a fraction)."""
    from openpyxl.worksheet.datavalidation import DataValidation

    if column.kind == "date":
        _validation(sheet, column, cell)
        return
    rule = DataValidation(
        type="decimal", operator="between", formula1="-1E+307", formula2="1E+307", allow_blank=True, showErrorMessage=True
    )
    rule.error = _("Write a number.")
    rule.prompt = _(_PROMPTS["number"])
    rule.showInputMessage = True
    sheet.add_data_validation(rule)
    rule.add(cell)


def _stated_facts(profile: Profile | None, catalogue: Any) -> dict[str, Any]:
    """What the profile states, by fact path, as JSON-mode data: the built-in Facts that are not blank, and
    the loaded packs' facts; a fact absent here leaves its row blank.

    A pack's answer fact leaves its defaults out: the import keeps pack facts raw, as written, so a
    default filled into a cell would come back as a value the profile never stated."""
    if profile is None:
        return {}
    from ..extensions import extension_values
    from ..facts import resolve_fact

    stated: dict[str, Any] = {
        path: fact.model_dump(mode="json") for path in fact_paths() if (fact := resolve_fact(profile, path)) != Fact()
    }
    for path, value in extension_values(profile, catalogue.packs).items():
        if isinstance(value, Fact):
            stated[path] = value.model_dump(mode="json", exclude_defaults=True)
        else:
            stated[path] = value.isoformat() if isinstance(value, date) else value
    return stated


def _widths(sheet: Any, widths: list[int]) -> None:
    from openpyxl.utils import get_column_letter

    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def _language() -> str:
    from ..i18n import language

    return language()


def _write_instructions(sheet: Any, layout: Layout, profile: Profile | None, packs: list[str]) -> None:
    from openpyxl.styles import Alignment, Font

    subject = (
        _(" for {name} ({code}), law as of {date}").format(
            name=profile.jurisdiction.name, code=profile.jurisdiction.code, date=format_date(profile.as_of)
        )
        if profile
        else ""
    )
    answers = " / ".join(choice_label(a, layout.lang) for a in ("yes", "no", "partial", "unknown"))
    how = _("How to answer")
    lines = [
        _("Lanzarote Committee monitoring questionnaire{subject}").format(subject=subject),
        "",
        _(
            "This workbook describes one jurisdiction's law for gap-engine, which checks it against the rules derived from the "
            "background paper on emerging technologies and the Lanzarote Convention (CETS 201)."
        ),
        "",
        how,
        _(
            "• Answers are {answers} (choose from the drop-down). A blank answer means unknown: "
            "a fact not given is never read as 'no'. Answers in English or French are both accepted."
        ).format(answers=answers),
        _(
            "• Cite the evidence in the same row: citation.instrument (the Act or code), citation.provision, citation.title, "
            "citation.url (http:// or https://) and citation.in_force (the date in force, YYYY-MM-DD)."
        ),
        _(
            "• Sheet '{profile}': the jurisdiction, the date whose law is described (as_of) and the status towards the "
            "Convention. A real jurisdiction must list its sources on the {sources} sheet."
        ).format(profile=layout.sheet(PROFILE_SHEET), sources=layout.sheet("Sources")),
        _("• Sheet '{sheet}': one row per reservation made (article, paragraph, indent), e.g. the Article 20(3) reservation.").format(
            sheet=layout.sheet("Reservations")
        ),
        _(
            "• Sheet '{sheet}': one row per offence provision. To add a provision, fill the next empty row. 'conduct' takes "
            "several values separated by commas (e.g. producing, possessing); each 'material.*' column says whether the "
            "provision reaches that material; a blank material is not stated."
        ).format(sheet=layout.sheet("Offences")),
        _(
            "• The theme sheets ({sheets}) hold one row per fact to answer; the rules that use "
            "each fact are named in the question column. A rule pack's facts (rows whose fact starts with 'extensions.') are "
            "answered the same way, except a date or a number, which goes alone in the answer column."
        ).format(sheets=", ".join(layout.fact_sheets())),
        _("• Do not rename sheets or header cells, and do not change the 'fact' column: the import finds answers by them."),
        "",
        _("Read it back with:  gap-engine import THIS_WORKBOOK.xlsx -o profile.yaml")
        + (_("  --rules DIR  (once for each rule pack whose facts it asks: {packs})").format(packs=", ".join(packs)) if packs else ""),
        _("Every error is reported at once, with its sheet and cell."),
    ]
    for row, line in enumerate(lines, start=1):
        cell = set_text(sheet.cell(row=row, column=1), line)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if row == 1 or line == how:
            cell.font = Font(bold=True, size=14 if row == 1 else 11)
    sheet.column_dimensions["A"].width = 120
    _protect(sheet)
