"""How a workbook sheet prints: page set-up, header and footer, and row heights that fit wrapped text.

Every workbook gap-engine writes (gap workbook, diff workbook, checklist) is also printed and filed, so
each sheet states how it prints rather than leaving it to the reader's defaults: A4, landscape where the
columns need it, fitted to the page *width* only (never to one page tall, which shrinks a long sheet
to an unreadable stamp), the header row repeated on every page, the sheet's name in the page header and
page numbers in the footer.

Row heights are the one thing a spreadsheet program does not work out when it opens a file: openpyxl
writes no height, LibreOffice and Excel print a row of wrapped text at the default single-line height
unless told otherwise, and the lines below the first are cut. ``row_height`` estimates the height from
the text's length, its explicit line breaks and the column's width, erring towards too tall: a little
white space is harmless, a cut line loses the law's text.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from copy import copy
from functools import lru_cache
from typing import Any

from .cells import clean_text
from .i18n import gettext

LINE_HEIGHT = 14.0
"""Points per line of the default 11-point font: Calibri's line in Excel is about 14.3, the DejaVu Sans that
LibreOffice substitutes where Calibri is missing about 13.4 (measured on the printed fixtures)."""

ROW_PADDING = 4.0
"""Points above and below the text of a wrapped cell."""

MAX_ROW_HEIGHT = 409.0
"""The tallest row Excel accepts, in points; text needing more is shown up to there."""

CHARS_PER_WIDTH = 1.1
"""Characters of prose per unit of column width, on the wide side of real fonts.

A column's width is counted in widths of the digit 0 of the default font. Prose in Calibri averages about
1.2 characters per unit; LibreOffice on a machine without Calibri prints with a wider substitute (DejaVu
Sans, measured at 1.15 to 1.2 on the fixtures' text), so the estimate assumes the wider font.
"""

SMALLER_SIZES = (10.0, 9.0, 8.0)
"""Font sizes (points) tried, in turn, for a cell whose text would need a row taller than Excel allows."""

DEFAULT_SIZE = 11.0


def chars_per_line(width: float, size: float = DEFAULT_SIZE) -> int:
    """How many characters of prose one line of a ``width``-wide column holds, at the least, in ``size``-point type."""
    return max(1, int(width * CHARS_PER_WIDTH * DEFAULT_SIZE / size))


@lru_cache(maxsize=65_536)
def lines_needed(text: str, width: float, size: float = DEFAULT_SIZE) -> int:
    """Lines ``text`` takes wrapped in a ``width``-wide column, as word wrap lays it out.

    Each explicit line wraps on its own; a word that does not fit on the line starts the next one, and a
    word longer than a whole line (an address) is broken across lines. Cached: the same titles, themes and
    statuses recur on every jurisdiction's rows.
    """
    per_line = chars_per_line(width, size)
    if len(text) <= per_line and "\n" not in text:
        return 1
    total = 0
    for paragraph in text.split("\n"):
        lines, used = 1, 0
        for word in paragraph.split(" "):
            length = len(word)
            if used and used + 1 + length <= per_line:
                used += 1 + length
                continue
            if used:
                lines += 1
            lines += (length - 1) // per_line if length else 0
            used = length % per_line if length > per_line and length % per_line else min(length, per_line)
        total += lines
    return total


def cell_height(text: str, width: float, size: float = DEFAULT_SIZE) -> float:
    """Points ``text`` needs in a ``width``-wide wrapped cell in ``size``-point type."""
    return lines_needed(text, width, size) * LINE_HEIGHT * size / DEFAULT_SIZE + ROW_PADDING


def fitting_size(text: str, width: float) -> float:
    """The largest font size (the default, else one of ``SMALLER_SIZES``) at which ``text`` fits Excel's tallest row.

    The smallest size when none does: the row is then as tall as Excel allows and the rest of the text is
    in the cell but not shown.
    """
    for size in (DEFAULT_SIZE, *SMALLER_SIZES):
        if cell_height(text, width, size) <= MAX_ROW_HEIGHT:
            return size
    return SMALLER_SIZES[-1]


def row_height(values: Iterable[Any], widths: Sequence[float]) -> float:
    """The height (points) a row of wrapped cells needs: its tallest cell, capped at Excel's maximum.

    ``values`` and ``widths`` go column by column; a value that is not text (a number, a date, None) takes
    one line. A cell too long for the tallest row counts at the size ``fitting_size`` gives it (which
    ``fit_row`` applies).
    """
    height = LINE_HEIGHT + ROW_PADDING
    for value, width in zip(values, widths, strict=False):
        if isinstance(value, str) and value:
            height = max(height, cell_height(value, width, fitting_size(value, width)))
    return min(MAX_ROW_HEIGHT, float(math.ceil(height)))  # whole points: the file stores what was computed


def fit_row(ws: Any, row: int, widths: Sequence[float]) -> None:
    """Size row ``row`` to its text, setting a cell too long for Excel's tallest row in smaller type."""
    height = LINE_HEIGHT + ROW_PADDING
    for column, width in enumerate(widths, start=1):
        # Only the cells that exist: ws.cell() would create an empty one for every blank column.
        cell = ws._cells.get((row, column))
        if cell is None or not isinstance(cell.value, str) or not cell.value:
            continue
        size = fitting_size(cell.value, width)
        if size != DEFAULT_SIZE:
            font = copy(cell.font)
            font.sz = size
            cell.font = font
        height = max(height, cell_height(cell.value, width, size))
    ws.row_dimensions[row].height = min(MAX_ROW_HEIGHT, float(math.ceil(height)))


def fit_rows(ws: Any, first_row: int, last_row: int, widths: Sequence[float]) -> None:
    """``fit_row`` for rows ``first_row``..``last_row``."""
    for row in range(first_row, last_row + 1):
        fit_row(ws, row, widths)


def page_text(text: str, limit: int = 200) -> str:
    """Text for a page header or footer: safe, short, and with "&" (which starts a code there) doubled."""
    return clean_text(text)[:limit].replace("&", "&&")


def set_up_page(
    ws: Any,
    *,
    title_rows: str | None,
    heading: str,
    landscape: bool = True,
    fit_width: bool = True,
    title_columns: str | None = None,
    print_area: str | None = None,
    scale: int | None = None,
    footer_note: str = "",
) -> None:
    """A4, narrow margins, the title rows repeated, the sheet's name and ``heading`` above, page numbers below.

    ``fit_width`` fits the columns to one page width and lets the rows run onto as many pages as they
    need (``fitToHeight`` 0); without it the sheet prints at ``scale`` per cent across several pages,
    each repeating ``title_columns``. ``footer_note`` (e.g. a legend) prints at the foot of every page.
    """
    setup = ws.page_setup
    setup.paperSize = ws.PAPERSIZE_A4
    setup.orientation = "landscape" if landscape else "portrait"
    if fit_width:
        setup.fitToWidth = 1
        setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
    else:
        ws.sheet_properties.pageSetUpPr.fitToPage = False
        if scale:
            setup.scale = scale
    if title_rows:
        ws.print_title_rows = title_rows
    if title_columns:
        ws.print_title_cols = title_columns
    if print_area:
        ws.print_area = print_area
    margins = ws.page_margins
    margins.left = margins.right = 0.4
    margins.top = margins.bottom = 0.7
    margins.header = margins.footer = 0.3
    ws.print_options.gridLines = True
    # Header/footer codes start with "&": &A is the sheet's name, &P the page, &N the number of pages.
    ws.oddHeader.left.text = "&A"
    ws.oddHeader.center.text = page_text(heading)
    ws.oddFooter.right.text = gettext("Page &P of &N")  # &P, &N: Excel's codes, kept in every language
    if footer_note:
        ws.oddFooter.left.text = page_text(footer_note, 250)
