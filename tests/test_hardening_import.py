"""Issue 14: the questionnaire import and the smaller checks, hardened against hostile or careless input.

Each refusal is exit 2 with a message naming the file (and the sheet or cell, and the field), a
hint, no traceback and no output file. The workbook limits are checked on the archive before
openpyxl loads it: the tests prove that by making openpyxl's loader fail if it is ever called,
not by timing (the workbooks they build are small on disk for the same reason).
"""

from __future__ import annotations

import io
import json
import os
import pathlib
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner, Result
from conftest import minimal_profile, offence
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

import gap_engine.facts
from gap_engine import api
from gap_engine.cli import MAX_SHOWN_ERRORS, main
from gap_engine.errors import InputErrors
from gap_engine.loading import parse_profile, validate_profile_data
from gap_engine.questionnaire import importer, workbook_safety
from gap_engine.questionnaire.importer import import_workbook
from gap_engine.questionnaire.layout import Column
from gap_engine.questionnaire.profile_yaml import dump_profile
from gap_engine.questionnaire.template import build_template
from gap_engine.questionnaire.values import CellValueError, escape_text, from_cell, nest, set_path, unescape_text
from gap_engine.rules import load_rules

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


@pytest.fixture(scope="module")
def catalogue() -> Any:
    return load_rules()


@pytest.fixture(scope="module")
def template_bytes(catalogue: Any) -> bytes:
    return build_template(
        catalogue, validate_profile_data(minimal_profile(criminal_law={"offences": [offence("s-1", ["producing"])]}), "t")
    )


def run(args: list[str]) -> Result:
    return CliRunner().invoke(main, args, catch_exceptions=False)


def refused(path: Path, *expected: str) -> str:
    """``import`` of ``path``: exit 2, every line an error, each expected text, no traceback, no profile written."""
    output = path.with_suffix(".yaml")
    result = run(["import", str(path), "-o", str(output)])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert lines and all(line.startswith("Error: ") for line in lines), result.stderr
    for text in expected:
        assert text in result.stderr
    assert "Traceback" not in result.output
    assert not output.exists()
    return result.stderr


def _part(data: bytes, sheet: str) -> str:
    """The archive part (xl/worksheets/sheetN.xml) of the sheet titled ``sheet``."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return next(part for name, _, part in workbook_safety._listed_sheets(archive, "t") if name == sheet and part)


def _with_part(data: bytes, part: str, xml: bytes) -> bytes:
    """``data`` with one archive member replaced (the rest copied as is)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item.filename, xml if item.filename == part else source.read(item))
    return out.getvalue()


def _sheet_xml(rows: str, dimension: str | None = None) -> bytes:
    head = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN[1:-1]}">{head}<sheetData>{rows}</sheetData></worksheet>'
    ).encode()


@pytest.fixture
def no_openpyxl_load(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if openpyxl is asked to load the workbook: the refusal must come before."""

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("openpyxl loaded a workbook that should have been refused from its archive")

    monkeypatch.setattr(openpyxl, "load_workbook", refuse)


# --- limits checked on the archive, before openpyxl -----------------------------------------------


def test_a_sheet_of_many_rows_is_refused_while_streaming(tmp_path: Path, template_bytes: bytes, no_openpyxl_load: None) -> None:
    """No <dimension> to give it away: the rows themselves are counted, and the count stops at the limit."""
    rows = "".join(f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>x{n}</t></is></c></row>' for n in range(1, 6_100))
    path = tmp_path / "rows.xlsx"
    path.write_bytes(_with_part(template_bytes, _part(template_bytes, "Offences"), _sheet_xml(rows)))
    assert path.stat().st_size < 200_000
    refused(path, f"Error: {path}: Offences: sheet has rows beyond row 5,001, over the limit of 5,000 rows")


def test_a_dimension_claiming_a_million_rows_is_refused_before_any_row(
    tmp_path: Path, template_bytes: bytes, no_openpyxl_load: None
) -> None:
    path = tmp_path / "claims.xlsx"
    path.write_bytes(_with_part(template_bytes, _part(template_bytes, "Sources"), _sheet_xml("", "A1:C1048576")))
    refused(path, f"Error: {path}: Sources: sheet has 1,048,576 rows, over the limit of 5,000", "<dimension ref='A1:C1048576'>")


def test_a_cell_beyond_the_column_limit_is_refused_with_its_address(tmp_path: Path, template_bytes: bytes, no_openpyxl_load: None) -> None:
    path = tmp_path / "wide.xlsx"
    rows = '<row r="2"><c r="ZZ2" t="inlineStr"><is><t>x</t></is></c></row>'
    path.write_bytes(_with_part(template_bytes, _part(template_bytes, "Sources"), _sheet_xml(rows)))
    refused(path, f"Error: {path}: Sources!ZZ2: a cell beyond column GR, over the limit of 200 columns")


@pytest.mark.parametrize(
    ("limit", "value", "expected"),
    [
        ("MAX_CELLS", 1_000, "workbook has over 1,000 cells, the limit"),
        ("MAX_SHEETS", 5, "workbook has over 5 sheets, the limit"),
        ("MAX_PART_BYTES", 100_000, "Offences: sheet inflates to "),
    ],
)
def test_workbook_wide_limits_are_checked_from_the_archive(
    tmp_path: Path, template_bytes: bytes, monkeypatch: pytest.MonkeyPatch, no_openpyxl_load: None, limit: str, value: int, expected: str
) -> None:
    """The real limits need workbooks of hundreds of megabytes; lowered, the same checks refuse the template."""
    monkeypatch.setattr(workbook_safety, limit, value)
    path = tmp_path / "q.xlsx"
    path.write_bytes(template_bytes)
    refused(path, f"Error: {path}", expected, "is it the right file?")


def test_an_oversized_part_that_is_not_a_sheet_is_refused(
    tmp_path: Path, template_bytes: bytes, monkeypatch: pytest.MonkeyPatch, no_openpyxl_load: None
) -> None:
    """Styles, shared strings and comments are loaded whole by openpyxl too."""
    monkeypatch.setattr(workbook_safety, "MAX_PART_BYTES", 150_000)
    with zipfile.ZipFile(io.BytesIO(template_bytes)) as archive:
        styles = archive.read("xl/styles.xml")
    path = tmp_path / "styles.xlsx"
    path.write_bytes(_with_part(template_bytes, "xl/styles.xml", styles.replace(b"<fonts", b" " * 200_000 + b"<fonts", 1)))
    refused(path, f"Error: {path}: part xl/styles.xml inflates to {len(styles) + 200_000:,} bytes, over the limit of 150,000")


def test_a_stored_number_of_5000_digits_is_a_located_error(tmp_path: Path, template_bytes: bytes) -> None:
    """openpyxl would call int() on it and Python refuses 4,300 digits and more: a traceback before."""
    workbook = load_workbook(io.BytesIO(template_bytes))
    offences = workbook["Offences"]
    column = [c.value for c in offences[1]].index("age_threshold") + 1
    offences.cell(row=2, column=column, value=123456789)
    letter = offences.cell(row=2, column=column).column_letter
    buffer = io.BytesIO()
    workbook.save(buffer)
    data = buffer.getvalue()
    part = _part(data, "Offences")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read(part)
    assert xml.count(b"<v>123456789</v>") == 1
    path = tmp_path / "digits.xlsx"
    path.write_bytes(_with_part(data, part, xml.replace(b"<v>123456789</v>", b"<v>" + b"9" * 5_000 + b"</v>")))
    refused(path, f"Error: {path}: Offences!{letter}2: the number stored here has 5,000 characters, over the limit of 100")


def test_the_template_passes_the_archive_checks_with_nothing_hidden_but_the_lists(template_bytes: bytes, tmp_path: Path) -> None:
    path = tmp_path / "q.xlsx"
    path.write_bytes(template_bytes)
    sheets = workbook_safety.inspect_sheets(path)
    assert {s.name for s in sheets if s.state != "visible"} == {"Lists"}
    assert importer.hidden_notices(str(path), sheets) == []


# --- errors are bounded ----------------------------------------------------------------------------


def test_a_workbook_of_garbage_prints_a_bounded_number_of_errors(tmp_path: Path, template_bytes: bytes, catalogue: Any) -> None:
    """Before, a 2.9 MB workbook printed 985,000 error lines; now MAX_SHOWN_ERRORS, then a count of the rest."""
    workbook = load_workbook(io.BytesIO(template_bytes))
    offences = workbook["Offences"]
    stray = offences.max_column + 3
    for row in range(2, 1_002):
        offences.cell(row=row, column=stray, value="stray")
    path = tmp_path / "garbage.xlsx"
    workbook.save(path)
    with pytest.raises(InputErrors) as caught:
        import_workbook(path, catalogue)
    assert len(caught.value.errors) == importer.MAX_ERRORS and caught.value.omitted > 1_000 - importer.MAX_ERRORS
    stderr = refused(path, "value in a column without a header")
    lines = stderr.strip().splitlines()
    assert len(lines) == MAX_SHOWN_ERRORS + 1
    more = len(caught.value.errors) - MAX_SHOWN_ERRORS + caught.value.omitted
    assert lines[-1] == f"Error: … and {more:,} more (fix these and run again to see the rest)"


# --- numbers typed as text --------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["--5", "²", "5" * 5_000, "١٢", "1_000", "5.5"])
def test_a_whole_number_cell_that_is_not_one_is_a_located_error(tmp_path: Path, template_bytes: bytes, typed: str) -> None:
    """int() accepts Arabic-Indic digits and underscores and refuses '²' although '²'.isdigit(); '--5' passed lstrip('-')."""
    workbook = load_workbook(io.BytesIO(template_bytes))
    offences = workbook["Offences"]
    column = [c.value for c in offences[1]].index("age_threshold") + 1
    offences.cell(row=2, column=column, value=typed)
    path = tmp_path / "typed.xlsx"
    workbook.save(path)
    letter = offences.cell(row=2, column=column).column_letter
    refused(path, f"Error: {path}: Offences!{letter}2: ", "is not a whole number (write digits only, e.g. 16)")


@pytest.mark.parametrize("typed", ["--5", "²", "nan", "inf", "-infinity", "1_000", "٣", "1e999", "9" * 5_000])
def test_a_number_cell_accepts_only_plain_finite_numbers(typed: str) -> None:
    with pytest.raises(CellValueError, match="is not a number"):
        from_cell(Column("count", "number"), typed)


@pytest.mark.parametrize(("typed", "value"), [("1200", 1200), ("-3", -3), ("+7", 7), ("0.5", 0.5), (".5", 0.5), ("1e3", 1000.0)])
def test_a_number_cell_still_reads_plain_numbers(typed: str, value: float) -> None:
    read = from_cell(Column("count", "number"), typed)
    assert read == value and type(read) is type(value)
    assert from_cell(Column("age", "integer"), " 16 ") == 16


# --- the carriage return round trip -----------------------------------------------------------------


def test_text_with_carriage_returns_survives_template_and_import(tmp_path: Path, catalogue: Any) -> None:
    """XML parsers read a raw \\r as \\n: "\\r=1" came back "\\n=1". It is now written as Excel writes it (_x000D_)."""
    tricky = ["\r=1", "a\r\nb\rc", "literal _x000D_ and _x005F_", "\r"]
    data = minimal_profile(
        note=tricky[0],
        criminal_law={"offences": [offence("s-1", ["producing"], note=tricky[1], title=tricky[2])]},
        programmes={"helplines": {"answer": "yes", "note": tricky[3]}},
    )
    workbook = tmp_path / "q.xlsx"
    profile_path = tmp_path / "p.yaml"
    profile_path.write_text(dump_profile(validate_profile_data(data, "p.yaml")), encoding="utf-8")
    assert run(["template", "--xlsx", str(workbook), "--from", str(profile_path)]).exit_code == 0
    imported = tmp_path / "imported.yaml"
    result = run(["import", str(workbook), "-o", str(imported)])
    assert result.exit_code == 0, result.output
    profile = api.load_profile(imported)
    assert profile == validate_profile_data(data, "<test>")
    assert profile.note == "\r=1" and profile.criminal_law.offences[0].title == tricky[2]
    note_cell = next(c for row in load_workbook(workbook)["Profile"].iter_rows() for c in row if c.value == "_x000D_=1")
    assert note_cell.quotePrefix  # still protected from being edited into a formula


@pytest.mark.parametrize("text", ["\r", "_x000D_", "_x005F_x000D_", "a_x00zz_b", "\r_x0041_\r", "_x0000_"])
def test_escaping_text_for_a_cell_is_undone_exactly(text: str) -> None:
    assert unescape_text(escape_text(text)) == text
    assert "\r" not in escape_text(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="_x0041DF5\r\n", max_size=40))
def test_escaping_round_trips_any_mix_of_underscores_escapes_and_returns(text: str) -> None:
    """Overlapping candidates ("_x005F_x000D_", "_x0041" before a \r) are where a naive escape loses text."""
    escaped = escape_text(text)
    assert "\r" not in escaped and unescape_text(escaped) == text


def test_unescaping_leaves_characters_a_profile_cannot_hold_as_written() -> None:
    assert unescape_text("a_x0000_b_x000a_c_x00e9_") == "a_x0000_b\nc\u00e9"


# --- hidden sheets, rows and columns ------------------------------------------------------------------


def test_hidden_sheets_rows_and_columns_are_imported_with_a_warning(tmp_path: Path, template_bytes: bytes) -> None:
    workbook = load_workbook(io.BytesIO(template_bytes))
    workbook["General"].sheet_state = "hidden"
    workbook["Live CSEA"].sheet_state = "veryHidden"
    offences = workbook["Offences"]
    for row in (3, 4, 5, 9):
        offences.row_dimensions[row].hidden = True
    workbook["Sources"].column_dimensions["B"].hidden = True
    path = tmp_path / "hidden.xlsx"
    workbook.save(path)
    output = tmp_path / "out.yaml"
    result = run(["import", str(path), "-o", str(output)])
    assert result.exit_code == 0, result.output
    assert output.exists()
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning: ")]
    assert warnings == [
        f"warning: {path}: sheet 'Sources': column B is hidden; read like the others: unhide them to check what they hold",
        f"warning: {path}: sheet 'Offences': rows 3-5, 9 are hidden; read like the others: unhide them to check what they hold",
        f"warning: {path}: sheet 'Live CSEA' is very hidden (only a macro can show it); it was read like the others: check what it holds",
        f"warning: {path}: sheet 'General' is hidden; it was read like the others: check what it holds",
    ]


# --- files that are not workbooks ---------------------------------------------------------------------


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_dev_zero_is_refused_without_reading_it(tmp_path: Path) -> None:
    output = tmp_path / "out.yaml"
    result = run(["import", "/dev/zero", "-o", str(output)])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "Error: /dev/zero: is not a regular file (a device, pipe or socket), not an .xlsx workbook "
        "(save it from Excel or LibreOffice as an Excel workbook (.xlsx) without a password)"
    ]
    assert not output.exists()


def test_a_fifo_is_refused_without_opening_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Opening a FIFO blocks until a writer comes: the refusal must come from its status alone."""
    fifo = tmp_path / "answers.xlsx"
    os.mkfifo(fifo)
    real_open = pathlib.Path.open

    def guarded(self: Path, *args: Any, **kwargs: Any) -> Any:
        assert self != fifo, "the FIFO was opened"
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(pathlib.Path, "open", guarded)
    assert "is not a regular file (a device, pipe or socket)" in refused(fifo)


def test_binary_garbage_says_not_a_workbook_once(tmp_path: Path) -> None:
    path = tmp_path / "zeros.xlsx"
    path.write_bytes(bytes(1_000))
    stderr = refused(path)
    assert stderr.count("not an .xlsx workbook") == 1
    assert stderr.startswith(f"Error: {path}: is not an .xlsx workbook (")


# --- validate agrees with check on the fact limit -------------------------------------------------------


def test_validate_refuses_a_profile_over_the_fact_limit_as_check_does(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gap_engine.facts, "MAX_FACTS_PER_PROFILE", 3)
    path = tmp_path / "big.yaml"
    path.write_text(json.dumps(minimal_profile(criminal_law={"offences": [offence(f"o{i}", ["possessing"]) for i in range(4)]})))
    expected = f"Error: {path}: criminal_law.offences: profile yields 5 facts, over the limit of 3"
    for command in (["validate"], ["check", "--engine", "python"]):
        result = run([*command, str(path)])
        assert result.exit_code == 2, (command, result.output)
        assert expected in result.stderr, (command, result.stderr)
        assert "ok:" not in result.output


# --- the same jurisdiction and date twice ----------------------------------------------------------------


def _profile(tmp_path: Path, filename: str, as_of: str = "2024-10-01", **jurisdiction: Any) -> Path:
    path = tmp_path / filename
    data = minimal_profile(as_of=as_of, criminal_law={"offences": [offence("s-1", ["producing"])]})
    data["jurisdiction"].update(jurisdiction)
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.mark.parametrize("command", [["validate"], ["check", "--engine", "python"], ["compare", "--rule", "GAI-001", "--engine", "python"]])
def test_the_same_file_twice_is_refused(tmp_path: Path, command: list[str]) -> None:
    path = _profile(tmp_path, "a.yaml")
    result = run([*command, str(path), str(path)])
    assert result.exit_code == 2, result.output
    assert f"Error: {path}: is given twice (also as {path}) (name each profile once)" in result.stderr
    assert "ok:" not in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("command", [["validate"], ["check", "--engine", "python"], ["compare", "--rule", "GAI-001", "--engine", "python"]])
def test_two_files_for_one_jurisdiction_on_one_date_are_refused_naming_both(tmp_path: Path, command: list[str]) -> None:
    first, second = _profile(tmp_path, "a.yaml"), _profile(tmp_path, "b.yaml", name="Testland again")
    result = run([*command, str(first), str(second)])
    assert result.exit_code == 2, result.output
    assert f"Error: {second}: as_of: {first} already describes XT as of 2024-10-01; the report would count the jurisdiction twice" in (
        result.stderr
    )


def test_a_time_series_and_two_territories_of_one_code_still_check(tmp_path: Path) -> None:
    paths = [
        _profile(tmp_path, "a.yaml"),
        _profile(tmp_path, "b.yaml", as_of="2023-10-01"),
        _profile(tmp_path, "c.yaml", territory="Scotland"),
    ]
    results = api.check(paths, engine="python")
    assert [(p.jurisdiction, str(p.as_of)) for p in results.profiles] == [("XT", "2023-10-01"), ("XT", "2024-10-01"), ("XT", "2024-10-01")]
    assert run(["validate", *map(str, paths)]).exit_code == 0


def test_the_library_refuses_duplicates_not_only_the_cli(tmp_path: Path) -> None:
    path = _profile(tmp_path, "a.yaml")
    with pytest.raises(InputErrors, match="is given twice"):
        api.check([path, Path(str(path))], engine="python")
    with pytest.raises(InputErrors, match="already describes XT as of 2024-10-01"):
        api.refuse_duplicates([("a", parse_profile(path.read_text())), ("b", parse_profile(path.read_text()))])


# --- one way to nest dotted keys ----------------------------------------------------------------------------


def test_nest_and_set_path_build_the_same_mappings() -> None:
    flat = {"answer": "yes", "citation.instrument": "Code", "citation.provision": "1"}
    built: dict[str, Any] = {}
    for key, value in flat.items():
        set_path(built, key, value)
    assert nest(flat) == built == {"answer": "yes", "citation": {"instrument": "Code", "provision": "1"}}
