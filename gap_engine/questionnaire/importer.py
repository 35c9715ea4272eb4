"""A filled questionnaire workbook back into a validated profile, every error named by sheet and cell.

The import reads every sheet before reporting, so the person answering fixes all mistakes in one
pass. Cell contents are checked against their column (drop-down values, dates, numbers) here;
what the profile model checks (URLs, required citations, duplicate ids...) comes back from the
model's validation and is traced to the cell it came from.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..errors import InputError, InputErrors
from ..extensions import is_extension
from ..i18n import LANGUAGES, N_, _
from ..profile import Profile
from ..suggest import did_you_mean
from .layout import (
    ANSWER_KEY,
    FACT_KEY,
    INSTRUCTIONS,
    LISTS_SHEET,
    PROFILE_HEADERS,
    PROFILE_SHEET,
    Column,
    Layout,
    build_layout,
    localised_sheet,
)
from .values import BLANK, CellValueError, from_cell, nest, set_path
from .workbook_safety import MAX_COLUMNS, MAX_ROWS, SheetInfo

__all__ = ["MAX_COLUMNS", "MAX_ERRORS", "MAX_ROWS", "import_to_file", "import_workbook"]

MAX_ERRORS = 200
"""Errors kept in detail; past them only counted, so a workbook of garbage costs neither memory nor a
screen of a million lines, and the person answering still sees where the trouble starts."""


@dataclass
class _Reader:
    """Collects values, the cell each came from (to locate validation errors), and cell errors."""

    source: str
    data: dict[str, Any] = field(default_factory=dict)
    cells: dict[str, str] = field(default_factory=dict)  # dotted field path -> Sheet!A1
    required: set[str] = field(default_factory=set)  # field paths whose column is required in its record
    errors: list[InputError] = field(default_factory=list)
    languages: Counter[str] = field(default_factory=Counter)  # how many answers were read in English, in French
    omitted: int = 0  # errors past MAX_ERRORS, counted only

    def add(self, error: InputError) -> None:
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(error)
        else:
            self.omitted += 1

    def error(self, cell: str, message: str, hint: str | None = None) -> None:
        self.add(InputError(source=self.source, cell=cell, message=message, hint=hint))

    def data_set(self, dotted: str, value: Any) -> None:
        set_path(self.data, dotted, value)

    def convert(self, column: Column, raw: Any, cell: str, path: str) -> Any:
        """The value of one cell (an openpyxl cell or None), or BLANK after recording why it is unusable."""
        self.cells[path] = cell
        if column.required:
            self.required.add(path)
        if raw is None:
            return BLANK
        if raw.data_type == "f":  # a formula's text is not an answer, and its cached result may be stale
            self.error(cell, _("formulas are not accepted in a questionnaire"), hint=_("type the value itself"))
            return BLANK
        try:
            return from_cell(column, raw.value, self.languages)
        except CellValueError as exc:
            self.error(cell, str(exc), exc.hint)
            return BLANK


@dataclass(frozen=True)
class ImportReport:
    """What the import read: the template's language (by its sheet names) and how many answers were in each language."""

    template: str
    answers: dict[str, int]

    def describe(self) -> str:
        """``read a French template; answers in French (12) and English (3)``, for the person importing."""
        names = {"en": _("English"), "fr": _("French")}
        counts = [_("{language} ({n})").format(language=names[lang], n=n) for lang, n in sorted(self.answers.items()) if n]
        answers = _(" and ").join(counts) if counts else _("none given")
        return _("read a template in {language}; answers in {answers}").format(language=names[self.template], answers=answers)


def template_language(sheet_names: set[str]) -> str:
    """The language of a workbook made by ``gap-engine template``, from the name of its profile sheet (English when unclear)."""
    for lang in LANGUAGES:
        if localised_sheet(PROFILE_SHEET, lang) in sheet_names:
            return lang
    return "en"


def import_workbook(
    path: Path, catalogue: Any | None = None, notices: list[str] | None = None, report: list[ImportReport] | None = None
) -> Profile:
    """Read ``path`` (an untrusted workbook, a template of either language) into a validated Profile; raise
    InputErrors with every problem (the first ``MAX_ERRORS`` in detail, the rest counted in ``omitted``).
    ``report``, when given, receives what was read (the template's language, the answers' languages).

    Hidden sheets, rows and columns are read like visible ones (an answer is an answer), but a reviewer
    of the workbook did not see them, so each is named in a warning appended to ``notices``."""
    from ..rules import load_rules
    from .workbook_safety import open_workbook

    workbook, infos = open_workbook(path)
    if notices is not None:
        notices += hidden_notices(str(path), infos)
    catalogue = catalogue if catalogue is not None else load_rules()
    sheets = {ws.title: ws for ws in workbook.worksheets}
    lang = template_language(set(sheets))
    layout = build_layout(catalogue, lang)
    reader = _Reader(source=str(path))
    for name in layout.structural_sheets():
        if name not in sheets:
            reader.add(
                InputError(
                    source=str(path),
                    cell=name,
                    message=_("sheet {name!r} is missing").format(name=name),
                    hint=_("use a workbook made by 'gap-engine template'"),
                )
            )
    if layout.sheet(PROFILE_SHEET) in sheets:
        _read_profile_sheet(sheets[layout.sheet(PROFILE_SHEET)], layout, reader)
    for table in layout.tables:
        if table.sheet in sheets:
            reader.data_set(table.path, _read_table(sheets[table.sheet], table.path, table.columns, reader))
    known = {layout.sheet(PROFILE_SHEET), layout.sheet(INSTRUCTIONS), layout.sheet(LISTS_SHEET), *(t.sheet for t in layout.tables)}
    fact_sheets = [ws for ws in workbook.worksheets if ws.title not in known and _header_row(ws)[:1] == [FACT_KEY]]
    seen = _read_facts(fact_sheets, layout, reader)
    _missing_facts(layout, seen, set(sheets), reader)
    profile = _validate(reader, catalogue.packs)  # even after cell errors, so the model's own complaints are reported in the same pass
    if reader.errors or profile is None:
        raise InputErrors(reader.errors, omitted=reader.omitted)
    if report is not None:
        report.append(ImportReport(lang, dict(reader.languages)))
    return profile


def hidden_notices(source: str, sheets: list[SheetInfo]) -> list[str]:
    """One warning per sheet that is hidden or hides rows or columns (the template's own Lists sheet excepted)."""
    out = []
    for info in sheets:
        if info.name == LISTS_SHEET:
            continue
        if info.state != "visible":
            message = (
                _(
                    "warning: {source}: sheet {name!r} is very hidden (only a macro can show it); "
                    "it was read like the others: check what it holds"
                )
                if info.state == "veryHidden"
                else _("warning: {source}: sheet {name!r} is hidden; it was read like the others: check what it holds")
            )
            out.append(message.format(source=source, name=info.name))
        for noun, items in (("row", info.hidden_rows), ("column", info.hidden_columns)):
            if items:
                out.append(
                    _(
                        "warning: {source}: sheet {name!r}: {hidden} hidden; read like the others: unhide them to check what they hold"
                    ).format(source=source, name=info.name, hidden=_plural(noun, items))
                )
    return out


_HIDDEN = {
    ("row", False): N_("row {items} is"),
    ("row", True): N_("rows {items} are"),
    ("column", False): N_("column {items} is"),
    ("column", True): N_("columns {items} are"),
}


def _plural(noun: str, items: tuple[Any, ...]) -> str:
    """``rows 3-5, 9 are`` / ``column C is``: runs of consecutive rows joined, so 500 hidden rows make one short line."""
    if noun == "row":
        runs: list[list[int]] = []
        for number in sorted(set(items)):
            if runs and number == runs[-1][-1] + 1:
                runs[-1].append(number)
            else:
                runs.append([number])
        parts = [str(r[0]) if len(r) == 1 else f"{r[0]}-{r[-1]}" for r in runs]
        count = len(set(items))
    else:
        parts, count = list(items), len(items)
    shown = ", ".join(parts[:20]) + (_(" and {n} more").format(n=len(parts) - 20) if len(parts) > 20 else "")
    return _(_HIDDEN[(noun, count > 1)]).format(items=shown)


def _cell(sheet: Any, row: int, column: int) -> str:
    from openpyxl.utils import get_column_letter

    return f"{sheet.title}!{get_column_letter(column)}{row}"


def _header_row(sheet: Any) -> list[Any]:
    row = next(sheet.iter_rows(min_row=1, max_row=1, values_only=True), ())
    values = [v.strip() if isinstance(v, str) else v for v in row]
    while values and values[-1] is None:
        values.pop()
    return values


def _check_headers(sheet: Any, expected: list[str], reader: _Reader) -> dict[str, int]:
    """Map header name to column number; report missing, unknown and repeated columns."""
    found: dict[str, int] = {}
    for index, name in enumerate(_header_row(sheet), start=1):
        if name is None:
            continue
        name = str(name)
        if name in found:
            reader.error(_cell(sheet, 1, index), _("column {name!r} appears twice").format(name=name))
        elif name not in expected:
            reader.error(
                _cell(sheet, 1, index), _("unknown column {name!r}").format(name=name), hint=did_you_mean(name, expected) or _("remove it")
            )
        else:
            found[name] = index
    for name in expected:
        if name not in found:
            reader.error(sheet.title, _("column {name!r} is missing").format(name=name), hint=_("restore the header from a fresh template"))
    return found


def _rows(sheet: Any, reader: _Reader) -> list[tuple[int, tuple[Any, ...]]]:
    """Non-blank rows below the header, as (row number, cells)."""
    if sheet.max_row > MAX_ROWS + 1:
        reader.error(sheet.title, f"sheet has {sheet.max_row:,} rows, over the limit of {MAX_ROWS:,}")
        return []
    if sheet.max_column > MAX_COLUMNS:
        reader.error(sheet.title, f"sheet has {sheet.max_column:,} columns, over the limit of {MAX_COLUMNS}")
        return []
    headed = {index for index, name in enumerate(_header_row(sheet)) if name is not None}
    out = []
    for number, cells in enumerate(sheet.iter_rows(min_row=2), start=2):
        filled = [index for index, c in enumerate(cells) if c.value is not None and not (isinstance(c.value, str) and not c.value.strip())]
        if not filled:
            continue
        out.append((number, cells))
        for index in filled:
            if index not in headed:  # an answer typed where no column is would otherwise be lost without a word
                reader.error(
                    _cell(sheet, number, index + 1), _("value in a column without a header"), hint=_("move it to the right column")
                )
    return out


def _read_profile_sheet(sheet: Any, layout: Layout, reader: _Reader) -> None:
    headers = _check_headers(sheet, list(PROFILE_HEADERS), reader)
    if "field" not in headers or "value" not in headers:
        return
    columns = {c.key: c for c in layout.profile_rows}
    seen: set[str] = set()
    for number, cells in _rows(sheet, reader):
        key_cell = cells[headers["field"] - 1] if len(cells) >= headers["field"] else None
        key = str(key_cell.value).strip() if key_cell is not None and key_cell.value is not None else ""
        where = _cell(sheet, number, headers["field"])
        if key not in columns:
            reader.error(
                where,
                _("unknown field {key!r}").format(key=key),
                hint=did_you_mean(key, columns) or _("restore the row from a fresh template"),
            )
            continue
        if key in seen:
            reader.error(where, _("field {key!r} appears twice").format(key=key))
            continue
        seen.add(key)
        raw = cells[headers["value"] - 1] if len(cells) >= headers["value"] else None
        value = reader.convert(columns[key], raw, _cell(sheet, number, headers["value"]), key)
        if value is not BLANK:
            reader.data_set(key, value)
    for key in columns:
        if key not in seen:
            reader.cells.setdefault(key, sheet.title)


def _read_table(sheet: Any, path: str, columns: tuple[Column, ...], reader: _Reader) -> list[dict[str, Any]]:
    headers = _check_headers(sheet, [c.key for c in columns], reader)
    records: list[dict[str, Any]] = []
    for number, cells in _rows(sheet, reader):
        index = len(records)
        flat = _read_row(sheet, number, cells, columns, headers, reader, f"{path}[{index}]")
        reader.cells[f"{path}[{index}]"] = _cell(sheet, number, 1)
        records.append(nest(flat))
    return records


def _read_row(
    sheet: Any, number: int, cells: Any, columns: tuple[Column, ...], headers: dict[str, int], reader: _Reader, path: str
) -> dict[str, Any]:
    """The non-blank values of one row, converted by column, keyed by column key."""
    flat: dict[str, Any] = {}
    for column in columns:
        if column.key not in headers:
            continue
        position = headers[column.key]
        raw = cells[position - 1] if len(cells) >= position else None
        value = reader.convert(column, raw, _cell(sheet, number, position), f"{path}.{column.key}")
        if value is not BLANK:
            flat[column.key] = value
    return flat


def _read_facts(sheets: list[Any], layout: Layout, reader: _Reader) -> set[str]:
    rows = {row.path: row for row in layout.facts}
    expected = list(layout.fact_headers)
    seen: set[str] = set()
    for sheet in sheets:
        headers = _check_headers(sheet, expected, reader)
        if FACT_KEY not in headers:
            continue
        for number, cells in _rows(sheet, reader):
            path_cell = cells[headers[FACT_KEY] - 1]
            path = str(path_cell.value).strip() if path_cell.value is not None else ""
            where = _cell(sheet, number, headers[FACT_KEY])
            if path not in rows:
                reader.error(where, _("unknown fact {path!r}").format(path=path), hint=_unknown_fact_hint(path, sorted(rows)))
                continue
            if path in seen:
                reader.error(where, _("fact {path!r} is answered twice").format(path=path))
                continue
            seen.add(path)
            reader.cells[path] = _cell(sheet, number, headers.get(ANSWER_KEY, 1))
            value_column = rows[path].value_column
            if value_column is not None:
                _read_value(sheet, number, cells, value_column, layout, headers, reader, path)
                continue
            flat = _read_row(sheet, number, cells, layout.fact_columns, headers, reader, path)
            if flat and is_extension(path):
                # A pack fact stays raw in the profile: written as a person writes it (a bare answer when that is all).
                reader.data_set(path, flat[ANSWER_KEY] if set(flat) == {ANSWER_KEY} else nest(flat))
            elif flat:
                reader.data_set(path, nest(flat))
    return seen


def _read_value(
    sheet: Any, number: int, cells: Any, column: Column, layout: Layout, headers: dict[str, int], reader: _Reader, path: str
) -> None:
    """A pack's date or number fact: the answer cell alone; anything typed beside it has no place in the profile."""
    for other in layout.fact_columns[1:]:
        position = headers.get(other.key)
        if position is not None and len(cells) >= position and _filled(cells[position - 1]):
            reader.error(
                _cell(sheet, number, position),
                _("{path} is a {kind} fact: it has no {column}").format(path=path, kind=column.kind, column=other.key),
                hint=_("write the {kind} in the {column} column and leave the rest of the row blank").format(
                    kind=column.kind, column=ANSWER_KEY
                ),
            )
    position = headers.get(ANSWER_KEY)
    if position is None:
        return
    raw = cells[position - 1] if len(cells) >= position else None
    value = reader.convert(column, raw, _cell(sheet, number, position), path)
    if value is BLANK:
        return
    # A date is kept as text, as the YAML reader keeps it, so an imported profile equals the one it was made from.
    reader.data_set(path, value.isoformat() if column.kind == "date" else value)


def _filled(cell: Any) -> bool:
    return cell.value is not None and not (isinstance(cell.value, str) and not cell.value.strip())


def _unknown_fact_hint(path: str, known: list[str]) -> str:
    hint = did_you_mean(path, known)
    if hint:
        return hint
    if is_extension(path):
        pack = path.split(".")[1]
        return _("a fact of rule pack {pack!r}: import with --rules DIR for that pack, or delete the row").format(pack=pack)
    return _("restore the row from a fresh template")


def _missing_facts(layout: Layout, seen: set[str], sheet_names: set[str], reader: _Reader) -> None:
    """A deleted sheet or row must not pass silently: name what is missing, by the sheet it belongs on."""
    missing_sheets: dict[str, int] = {}
    for row in layout.facts:
        if row.path in seen:
            continue
        if row.sheet not in sheet_names:
            missing_sheets[row.sheet] = missing_sheets.get(row.sheet, 0) + 1
        else:
            reader.error(row.sheet, _("no row for fact {path!r}").format(path=row.path), hint=_("restore the row from a fresh template"))
    for sheet, count in missing_sheets.items():
        reader.error(
            sheet,
            _("sheet {name!r} is missing ({count} facts to answer)").format(name=sheet, count=count),
            hint=_("use a workbook made by 'gap-engine template'"),
        )


def _validate(reader: _Reader, packs: list[Any]) -> Profile | None:
    """Validate with the profile model and the packs' facts; add the errors, traced to cells, unless a cell was already reported."""
    from ..loading import validate_profile_data

    try:
        return validate_profile_data(reader.data, reader.source, packs)
    except InputErrors as exc:
        reported = {e.cell for e in reader.errors}
        for error in _spread_missing_groups(exc.errors, reader):
            cell = _locate(error.field, reader.cells)
            if cell in reported and cell is not None:
                continue
            hint = error.hint
            if error.message == "required field is missing" and cell and "!" in cell:
                hint = "fill in this cell"
            reader.add(
                InputError(
                    source=reader.source,
                    cell=cell,
                    field=None if cell and "!" in cell else error.field,
                    message=error.message,
                    hint=hint,
                )
            )
    return None


def _spread_missing_groups(errors: list[InputError], reader: _Reader) -> list[InputError]:
    """A missing group (e.g. the whole jurisdiction) becomes one error per required cell in it, so all are named at once."""
    out: list[InputError] = []
    for error in errors:
        inside = sorted(p for p in reader.required if error.field and p.startswith(error.field + "."))
        if error.message == "required field is missing" and error.field not in reader.cells and inside:
            out += [replace(error, field=path) for path in inside]
        else:
            out.append(error)
    return out


def _locate(field_path: str | None, cells: dict[str, str]) -> str | None:
    """The cell a field path came from, or the nearest enclosing one (a record's row, a sheet)."""
    if not field_path:
        return None
    candidate = field_path
    while candidate:
        if candidate in cells:
            return cells[candidate]
        cut = max(candidate.rfind("."), candidate.rfind("["))
        if cut <= 0:
            break
        candidate = candidate[:cut]
    return None


def import_to_file(
    workbook: Path,
    target: Path,
    *,
    force: bool = False,
    catalogue: Any | None = None,
    notices: list[str] | None = None,
    report: list[ImportReport] | None = None,
) -> Profile:
    """Import ``workbook`` and write its profile YAML to ``target``.

    Never over an existing file without ``force``, never onto the workbook, and atomically, so a
    failed import leaves whatever was there before.
    """
    from ..output import check_output_path, write_atomic
    from .profile_yaml import dump_profile

    check_output_path(target, [workbook])
    if target.exists() and not force:
        raise InputErrors.single(
            str(target), _("file exists; refusing to overwrite it"), hint=_("pass --force to replace it, or choose another name")
        )
    profile = import_workbook(workbook, catalogue, notices, report)
    write_atomic(target, dump_profile(profile), [workbook])
    return profile
