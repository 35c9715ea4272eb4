"""Workbooks that print legibly, serialised the same way by every writer.

Three groups: the row-height estimate and the print settings of every workbook (no LibreOffice needed, so
CI without it still guards them); the printed PDF itself where LibreOffice is installed (page count within a
bound, and every printed cell's text on the page, none cut by a row too short); and the shared serialiser
(zip times clamped into 1980..2107, the same bytes with or without lxml).
"""

from __future__ import annotations

import io
import math
import re
import shutil
import subprocess
import zipfile
from datetime import date, datetime, timezone
from functools import partial
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.utils.cell import range_boundaries

from gap_engine import api
from gap_engine.cli import main
from gap_engine.print_layout import (
    DEFAULT_SIZE,
    LINE_HEIGHT,
    MAX_ROW_HEIGHT,
    chars_per_line,
    fit_row,
    fitting_size,
    lines_needed,
    row_height,
)
from gap_engine.questionnaire import checklist_xlsx
from gap_engine.questionnaire.xlsx_bytes import workbook_bytes as questionnaire_bytes
from gap_engine.reporters import diff_xlsx, xlsx
from gap_engine.xlsx_bytes import ZIP_LATEST, fixed_bytes, standard_library_xml, zip_time
from tests.conftest import FIXTURES

FIXTURE_PROFILES = sorted(FIXTURES.glob("*.yaml"))
NL = FIXTURES / "nl_netherlands.yaml"
ENGINE = ("--engine", "python")
AFTER_2107 = 4_360_000_000  # 2108-02-29, past the last time a zip entry can carry


def invoke(*args: str | Path) -> Any:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def gap_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    book = tmp_path_factory.mktemp("print") / "gaps.xlsx"
    assert invoke("check", *FIXTURE_PROFILES, *ENGINE, "--xlsx", book).exit_code == 0
    return book


@pytest.fixture(scope="module")
def diff_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("diff")
    newer = directory / "nl_later.yaml"
    text, replaced = re.subn(r"^as_of: 2024-06-30$", "as_of: 2024-07-02", NL.read_text(encoding="utf-8"), flags=re.M)
    assert replaced == 1
    newer.write_text(text, encoding="utf-8")
    book = directory / "diff.xlsx"
    assert invoke("diff", NL, newer, "--xlsx", book).exit_code == 0
    return book


@pytest.fixture(scope="module")
def checklist_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    book = tmp_path_factory.mktemp("checklist") / "checklist.xlsx"
    assert invoke("checklist", NL, *ENGINE, "--xlsx", book).exit_code == 0
    return book


# --- the row-height estimate ------------------------------------------------------------------------


def test_a_short_value_takes_one_line_and_each_explicit_line_break_another() -> None:
    assert lines_needed("covered", 13) == 1
    assert lines_needed("a\nb\nc", 40) == 3
    assert lines_needed("", 40) == 1
    assert row_height(["covered", None, 3, date(2024, 1, 1)], [13, 10, 10, 10]) == row_height(["x"], [10])


def test_text_wraps_at_words_and_a_word_longer_than_a_line_is_broken() -> None:
    per_line = chars_per_line(20)
    words = " ".join(["abcd"] * 30)  # 149 characters
    assert lines_needed(words, 20) >= -(-len(words) // per_line)  # never fewer lines than the characters need
    # A word that does not fit on the line's rest starts the next line, so wrapping takes more than len/per_line.
    assert lines_needed("a " + "b" * (per_line - 1), 20) == 2
    address = "https://example.org/" + "x" * (3 * per_line)
    assert lines_needed(address, 20) == -(-len(address) // per_line)


def test_the_row_is_as_tall_as_its_tallest_cell_and_grows_with_the_text() -> None:
    short, long = "word " * 10, "word " * 60
    widths = [30.0, 30.0]
    assert row_height([short, long], widths) == row_height([long], [30.0]) > row_height([short], [30.0])
    assert row_height([long], [30.0]) == math.ceil(lines_needed(long, 30) * LINE_HEIGHT + 4.0)
    assert row_height([long], [60.0]) < row_height([long], [30.0])  # a wider column needs fewer lines


def test_text_too_long_for_the_tallest_row_is_set_smaller_so_it_still_fits() -> None:
    text = "word " * 500  # ~2,500 characters: far more than 409 points of 11-point lines in a 40-wide column
    assert lines_needed(text, 40) * LINE_HEIGHT > MAX_ROW_HEIGHT
    size = fitting_size(text, 40)
    assert size < DEFAULT_SIZE
    assert row_height([text], [40.0]) <= MAX_ROW_HEIGHT
    ws = openpyxl.Workbook().active
    ws["A1"] = text
    ws["A1"].font = openpyxl.styles.Font(bold=True)
    ws["B1"] = "short"
    fit_row(ws, 1, [40.0, 20.0])
    assert ws["A1"].font.sz == size and ws["A1"].font.b  # smaller, otherwise the same font
    assert ws["B1"].font.sz == DEFAULT_SIZE
    assert ws.row_dimensions[1].height == row_height([text, "short"], [40.0, 20.0])
    assert fitting_size("word", 40) == DEFAULT_SIZE


# --- print settings, without LibreOffice --------------------------------------------------------------


def _widths(ws: Any, count: int) -> list[float]:
    return [ws.column_dimensions[openpyxl.utils.get_column_letter(c)].width for c in range(1, count + 1)]


def _assert_rows_fit(ws: Any, first_row: int, columns: int) -> None:
    """Every row is at least as tall as its printed cells' text needs (openpyxl computes no height itself)."""
    widths = _widths(ws, columns)
    for row in range(first_row, ws.max_row + 1):
        cells = [ws.cell(row=row, column=c) for c in range(1, columns + 1)]
        values = [cell.value if cell.alignment.wrap_text else None for cell in cells]  # unwrapped text runs on, uncut
        needed = row_height(values, widths)
        if needed > LINE_HEIGHT + 4.0:
            height = ws.row_dimensions[row].height
            assert height is not None and height >= needed, f"{ws.title}!row {row}: {height} < {needed}"


def _assert_fitted_to_width(ws: Any, landscape: bool = True) -> None:
    setup = ws.page_setup
    assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
    assert setup.fitToWidth == 1 and setup.fitToHeight == 0, ws.title  # never squeezed to one page tall
    assert setup.orientation == ("landscape" if landscape else "portrait"), ws.title
    assert int(setup.paperSize) == int(ws.PAPERSIZE_A4)
    _assert_header_and_footer(ws)


def _assert_header_and_footer(ws: Any) -> None:
    assert ws.oddHeader.left.text == "&A", ws.title  # the sheet's name
    assert ws.oddFooter.right.text == "Page &P of &N", ws.title


def test_jurisdiction_sheets_print_their_own_columns_fitted_to_width_with_rows_as_tall_as_their_text(gap_book: Path) -> None:
    wb = openpyxl.load_workbook(gap_book)
    printed = xlsx.PRINTED_FINDING_COLUMNS
    names = [name for name, _ in xlsx.FINDING_COLUMNS]
    assert names[printed - 1] == "Waiver" and {"Status", "Evidence", "Missing elements"} <= set(names[:printed])
    # What stays off the printout repeats the catalogue (printed once on the Rules sheet) or an address in the Evidence.
    rules_sheet = [name for name, _ in xlsx.RULE_COLUMNS]
    assert all(name in rules_sheet or name == "Source link" for name in names[printed:])
    # The printed columns add up to a width that stays legible on A4 landscape (about 140 units at 100 %).
    assert sum(width for _, width in xlsx.FINDING_COLUMNS[:printed]) <= 180
    sheets = [name for name in wb.sheetnames if name not in ("Summary", "Who", "Items", "Rules", "About")]
    assert len(sheets) == len(FIXTURE_PROFILES)
    for name in sheets:
        ws = wb[name]
        _assert_fitted_to_width(ws)
        assert ws.print_title_rows.replace("$", "") == "1:1"
        letter = openpyxl.utils.get_column_letter(printed)
        assert str(ws.print_area).replace("$", "") == f"'{name}'!A1:{letter}{ws.max_row}"
        _assert_rows_fit(ws, 2, printed)
        assert any((ws.row_dimensions[r].height or 0) > 3 * LINE_HEIGHT for r in range(2, ws.max_row + 1))


def test_the_other_sheets_print_fitted_to_width_with_their_header_row_repeated(gap_book: Path) -> None:
    wb = openpyxl.load_workbook(gap_book)
    for name, columns in (("Who", xlsx.WHO_COLUMNS), ("Items", xlsx.ITEM_COLUMNS), ("Rules", xlsx.RULE_COLUMNS)):
        ws = wb[name]
        _assert_fitted_to_width(ws)
        assert ws.print_title_rows.replace("$", "") == "1:1"
        _assert_rows_fit(ws, 2, len(columns))
    _assert_fitted_to_width(wb["About"])
    _assert_rows_fit(wb["About"], 3, 2)


def test_the_summary_prints_about_ten_rules_a_page_at_a_legible_scale_with_the_legend_in_every_footer(gap_book: Path) -> None:
    ws = openpyxl.load_workbook(gap_book)["Summary"]
    assert not ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.scale >= 60
    assert ws.print_title_cols.replace("$", "") == "A:C" and ws.print_title_rows.replace("$", "") == "3:3"
    _assert_header_and_footer(ws)
    for status in ("gap", "partial", "unknown", "covered", "reserved", "not_applicable"):
        assert status in ws.oddFooter.left.text
    assert "Rules sheet" in ws.oddFooter.left.text
    rule_width = ws.column_dimensions["D"].width
    # A4 landscape holds about 140 width units at 100 %: at the print scale, at least ten rule columns beside A:C.
    room = 140 * 100 / ws.page_setup.scale - sum(_widths(ws, 3))
    assert room / rule_width >= 10


def test_the_diff_and_checklist_workbooks_print_fitted_to_width_with_rows_as_tall_as_their_text(
    diff_book: Path, checklist_book: Path
) -> None:
    diff = openpyxl.load_workbook(diff_book)
    for name, columns in (("Changes", len(diff_xlsx.CHANGE_COLUMNS)), ("Rule changes", len(diff_xlsx.RULE_COLUMNS)), ("About", 2)):
        _assert_fitted_to_width(diff[name])
        _assert_rows_fit(diff[name], 2, columns)
    assert diff["Changes"].max_row >= 2 and diff["Changes"].print_title_rows.replace("$", "") == "1:1"
    checklist = openpyxl.load_workbook(checklist_book)
    _assert_fitted_to_width(checklist["Checklist"])
    _assert_fitted_to_width(checklist["Summary"], landscape=False)
    assert checklist["Checklist"].print_title_rows.replace("$", "") == "1:1"
    _assert_rows_fit(checklist["Checklist"], 1, len(checklist_xlsx.HEADERS))
    _assert_rows_fit(checklist["Summary"], 5, 5)


def test_an_ampersand_in_a_heading_is_printed_not_read_as_a_code() -> None:
    results = api.check([FIXTURES / "examplia_complete.yaml"], engine="python")
    profile = results.profiles[0].model_copy(update={"jurisdiction_name": "A & B"})
    wb = openpyxl.load_workbook(io.BytesIO(xlsx.workbook_bytes(results.model_copy(update={"profiles": [profile]}))))
    assert wb["XA A & B"].oddHeader.center.text.startswith("A && B (XA)")


# --- the printed PDF, where LibreOffice is installed ---------------------------------------------------


def _to_pdf(book: Path, directory: Path) -> Path:
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if not office or not shutil.which("pdftotext") or not shutil.which("pdfinfo"):
        pytest.skip("LibreOffice or poppler-utils (pdftotext, pdfinfo) is not installed")
    done = subprocess.run(
        [
            office,
            "--headless",
            f"-env:UserInstallation=file://{directory / 'lo'}",
            "--convert-to",
            "pdf",
            "--outdir",
            str(directory),
            str(book),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    pdf = directory / (book.stem + ".pdf")
    assert pdf.is_file()
    return pdf


def _pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def _letters(text: str) -> str:
    return re.sub(r"[^0-9A-Za-z]", "", text)


def _page_sheets(pdf: Path, count: int) -> list[str]:
    """The sheet each page prints (the page header's left part is the sheet's name, the page's first line)."""
    names = []
    for page in range(1, count + 1):
        text = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"], capture_output=True, text=True).stdout
        names.append(text.strip().splitlines()[0] if text.strip() else "")
    return names


def _assert_every_printed_cell_whole(pdf: Path, book: Path) -> None:
    """Every text cell of each sheet's print area appears in full in the PDF: a row too short would cut its last lines."""
    flat = _letters(subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True).stdout)
    wb = openpyxl.load_workbook(book)
    cut = []
    for name in wb.sheetnames:
        ws = wb[name]
        first_column, first_row, last_column, last_row = 1, 1, ws.max_column, ws.max_row
        if ws.print_area:
            first_column, first_row, last_column, last_row = range_boundaries(str(ws.print_area).split("!")[-1])
        for row in ws.iter_rows(min_row=first_row, max_row=last_row, min_col=first_column, max_col=last_column):
            for cell in row:
                if isinstance(cell.value, str) and _letters(cell.value) and _letters(cell.value) not in flat:
                    cut.append(f"{name}!{cell.coordinate}")
    assert not cut, f"printed text cut or missing: {cut[:10]}"


@pytest.mark.slow
@pytest.mark.libreoffice
def test_the_fixtures_workbook_prints_every_finding_whole_on_a_bounded_number_of_pages(gap_book: Path, tmp_path: Path) -> None:
    pdf = _to_pdf(gap_book, tmp_path)
    pages = _pages(pdf)
    sheets = _page_sheets(pdf, pages)
    summary_pages = sum(1 for name in sheets if name == "Summary")
    rules = len({f.rule_id for p in api.check(FIXTURE_PROFILES[:1], engine="python").profiles for f in p.findings})
    assert 1 <= summary_pages <= -(-rules // 8) + 1  # eight to ten rules a page (LibreOffice without Calibri: nine), not three
    # Legible costs pages, but within a bound: per jurisdiction at least three findings a page on average
    # (the fixtures take 8 to 18 pages for 77 findings).
    for name in openpyxl.load_workbook(gap_book).sheetnames[1 : 1 + len(FIXTURE_PROFILES)]:
        assert 1 <= sum(1 for sheet in sheets if sheet.startswith(name[:25])) <= rules // 3, name
    assert pages <= 400
    _assert_every_printed_cell_whole(pdf, gap_book)


@pytest.mark.slow
@pytest.mark.libreoffice
def test_the_diff_and_checklist_workbooks_print_every_row_whole(diff_book: Path, checklist_book: Path, tmp_path: Path) -> None:
    diff_pdf = _to_pdf(diff_book, tmp_path)
    assert _pages(diff_pdf) <= 5
    _assert_every_printed_cell_whole(diff_pdf, diff_book)
    checklist_pdf = _to_pdf(checklist_book, tmp_path)
    rows = openpyxl.load_workbook(checklist_book)["Checklist"].max_row
    assert _pages(checklist_pdf) <= rows // 3
    _assert_every_printed_cell_whole(checklist_pdf, checklist_book)


# --- the shared serialiser: dates past 2107 and lxml ----------------------------------------------------


def _zip_times(data: bytes) -> set[tuple[int, ...]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        return {info.date_time for info in archive.infolist()}


def test_zip_times_are_clamped_at_both_ends() -> None:
    assert zip_time(datetime(1970, 1, 1)) == (1980, 1, 1, 0, 0, 0)
    assert zip_time(datetime(2150, 6, 1)) == ZIP_LATEST.timetuple()[:6] == (2107, 12, 31, 23, 59, 58)
    assert zip_time(datetime(2050, 3, 4, 5, 6, 7)) == (2050, 3, 4, 5, 6, 7)


def _profile_as_of(directory: Path, when: str) -> Path:
    text, replaced = re.subn(
        r"^as_of: .*$", f"as_of: {when}", (FIXTURES / "examplia_complete.yaml").read_text(encoding="utf-8"), flags=re.M
    )
    assert replaced == 1
    path = directory / "future.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_gap_workbook_about_law_as_of_2150_is_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    book = tmp_path / "gaps.xlsx"
    result = invoke("check", _profile_as_of(tmp_path, "2150-01-01"), *ENGINE, "--xlsx", book)
    assert result.exit_code == 0, result.output
    data = book.read_bytes()
    assert _zip_times(data) == {(2107, 12, 31, 23, 59, 58)}
    assert openpyxl.load_workbook(io.BytesIO(data)).properties.created.year == 2150  # the document keeps the true date
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(AFTER_2107))
    results = api.check([FIXTURES / "examplia_complete.yaml"], engine="python")
    assert _zip_times(xlsx.workbook_bytes(results)) == {(2107, 12, 31, 23, 59, 58)}


def test_a_diff_workbook_with_source_date_epoch_past_2107_is_written(
    diff_book: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(AFTER_2107))
    newer = diff_book.parent / "nl_later.yaml"
    book = tmp_path / "diff.xlsx"
    result = invoke("diff", NL, newer, "--xlsx", book)
    assert result.exit_code == 0, result.output
    assert _zip_times(book.read_bytes()) == {(2107, 12, 31, 23, 59, 58)}
    assert openpyxl.load_workbook(book).properties.created.year == 2108


def test_a_checklist_and_a_questionnaire_about_law_as_of_2150_are_written(tmp_path: Path) -> None:
    profile = _profile_as_of(tmp_path, "2150-01-01")
    checklist, template = tmp_path / "checklist.xlsx", tmp_path / "questionnaire.xlsx"
    result = invoke("checklist", profile, *ENGINE, "--xlsx", checklist)
    assert result.exit_code == 0, result.output
    result = invoke("template", "--xlsx", template, "--from", profile)
    assert result.exit_code == 0, result.output
    for book in (checklist, template):
        assert _zip_times(book.read_bytes()) == {(2107, 12, 31, 23, 59, 58)}
        assert openpyxl.load_workbook(book).properties.created.year == 2150
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "x"
    assert _zip_times(questionnaire_bytes(workbook, "t", date(9999, 12, 31))) == {(2107, 12, 31, 23, 59, 58)}
    assert _zip_times(questionnaire_bytes(workbook, "t", date(1900, 1, 1))) == {(1980, 1, 1, 0, 0, 0)}


def _sample_workbook() -> Any:
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.title = "Sheet & more"
    ws["A1"] = 'text with <markup> & "quotes"'
    ws["B1"] = 42
    ws["C1"] = date(2024, 10, 1)
    ws["A2"].font = openpyxl.styles.Font(bold=True)
    ws.oddHeader.center.text = "&A"
    return workbook


def _fake_lxml_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make openpyxl behave as it does with lxml installed: its XML bindings swapped, module by module, for
    versions whose output differs (as lxml's does: quoting, declarations), and the LXML flag set."""
    import sys

    import openpyxl.xml.functions as functions
    from openpyxl.cell import _writer as cell_writer

    stdlib_tostring = functions.tostring

    def lxml_like_tostring(element: Any, **kwargs: Any) -> bytes:
        return stdlib_tostring(element, **kwargs).replace(b'"', b"'")  # lxml-style differences in the bytes

    fake = partial(lxml_like_tostring)

    def lxml_like_write_cell(xf: Any, worksheet: Any, cell: Any, styled: bool = False) -> None:
        cell_writer.etree_write_cell(xf, worksheet, cell, styled)
        xf.write(" ")  # a whitespace difference, as lxml's incremental writer makes

    monkeypatch.setattr(cell_writer, "lxml_write_cell", lxml_like_write_cell)
    for name, module in list(sys.modules.items()):
        if module is None or not name.startswith("openpyxl"):
            continue
        if getattr(module, "tostring", None) is stdlib_tostring:
            monkeypatch.setattr(module, "tostring", fake)
        if getattr(module, "write_cell", None) is cell_writer.etree_write_cell and module is not cell_writer:
            monkeypatch.setattr(module, "write_cell", lxml_like_write_cell)
    monkeypatch.setattr(cell_writer, "write_cell", lxml_like_write_cell)
    monkeypatch.setattr(functions, "LXML", True)


def test_the_bytes_are_the_same_whether_or_not_openpyxl_writes_with_lxml(monkeypatch: pytest.MonkeyPatch) -> None:
    from openpyxl.writer.excel import ExcelWriter

    when = datetime(2024, 10, 1, tzinfo=timezone.utc)
    plain = fixed_bytes(_sample_workbook(), "t", when)

    def raw(workbook: Any) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            ExcelWriter(workbook, archive).write_data()
        with zipfile.ZipFile(buffer) as archive:
            return b"".join(archive.read(name) for name in archive.namelist())

    plain_raw = raw(_sample_workbook())
    with monkeypatch.context() as patch:
        _fake_lxml_mode(patch)
        assert raw(_sample_workbook()) != plain_raw  # the fake lxml mode really changes what openpyxl writes
        assert fixed_bytes(_sample_workbook(), "t", when) == plain  # and the serialiser writes as without lxml
        with standard_library_xml():
            assert raw(_sample_workbook()) == plain_raw
        assert raw(_sample_workbook()) != plain_raw  # restored afterwards
    assert fixed_bytes(_sample_workbook(), "t", when) == plain


def test_the_gap_workbook_bytes_do_not_depend_on_lxml(monkeypatch: pytest.MonkeyPatch) -> None:
    results = api.check([FIXTURES / "examplia_complete.yaml", FIXTURES / "nescia_unknown.yaml"], engine="python")
    plain = xlsx.workbook_bytes(results)
    with monkeypatch.context() as patch:
        _fake_lxml_mode(patch)
        assert xlsx.workbook_bytes(results) == plain
    assert plain.startswith(b"PK")
