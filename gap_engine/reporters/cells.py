"""Cell safety shared by every spreadsheet-shaped output (the gap workbook, the CSV, the questionnaire).

Profile text is user input that ends up in files NGOs open in Excel or LibreOffice. Three things can go
wrong there, and each has one fix here so every writer applies the same one:

- a value starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return is read as a formula
  (openpyxl even turns a string starting with ``=`` into a live formula on assignment);
- control characters that the XML of a workbook cannot hold make openpyxl refuse the value;
- a cell holds at most 32,767 characters; longer text would be rejected or silently cut by the reader.

Sheet titles have their own rules (31 characters, none of ``[]:*?/\\``, unique regardless of case).
"""

from __future__ import annotations

import re
from typing import Any

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""A value starting with one of these can be taken for a formula by a spreadsheet program."""

CELL_LIMIT = 32_767
"""Excel's maximum number of characters (UTF-16 code units) in one cell."""

TRUNCATION_MARKER = " […truncated: {cut} characters cut; see the source profile for the full text]"

# The same set openpyxl rejects (C0 controls other than tab, line feed and carriage return).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

SHEET_TITLE_LIMIT = 31
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def is_formula_like(text: str) -> bool:
    """Whether a spreadsheet program could read ``text`` as a formula (or a DDE payload)."""
    return text.startswith(FORMULA_TRIGGERS)


def escape_control(text: str) -> str:
    """Replace characters a workbook cannot hold with a visible ``\\xNN`` so nothing disappears silently."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def cut_to_limit(text: str, limit: int = CELL_LIMIT) -> str:
    """Cut text longer than a cell holds, ending with a marker that says how much was cut.

    Length is counted in UTF-16 code units, as Excel counts it, so text with emoji or other
    characters outside the Basic Multilingual Plane is not cut too late.
    """
    total = _utf16_len(text)
    if total <= limit:
        return text
    # The marker's own length depends on the number it shows; the number never has more digits than ``total``.
    marker_room = _utf16_len(TRUNCATION_MARKER.format(cut=total))
    kept: list[str] = []
    used = 0
    for char in text:
        size = 2 if ord(char) > 0xFFFF else 1
        if used + size > limit - marker_room:
            break
        kept.append(char)
        used += size
    return "".join(kept) + TRUNCATION_MARKER.format(cut=total - used)


def clean_text(value: Any) -> Any:
    """Make text safe to store in a cell: control characters escaped, length within the cell limit.

    Non-text values (numbers, dates, None) pass through unchanged.
    """
    if not isinstance(value, str):
        return value
    return cut_to_limit(escape_control(value))


def csv_safe(value: Any) -> str:
    """A CSV field: cleaned text, with a leading apostrophe when it could be read as a formula.

    CSV has no cell types, so the apostrophe is the only defence spreadsheet programs honour
    (they show the rest of the text and keep the apostrophe out of the cell's display).
    """
    if value is None:
        return ""
    text = clean_text(str(value))
    if is_formula_like(text):
        return "'" + text
    return text


def set_text(cell: Any, value: Any) -> Any:
    """Store ``value`` in an openpyxl cell so that text stays text, whatever it starts with.

    A formula-like string is stored as a string cell with Excel's quote-prefix flag, so the cell
    shows exactly the text and editing it does not turn it into a formula either.
    """
    cleaned = clean_text(value)
    cell.value = cleaned
    if isinstance(cleaned, str) and cleaned:
        cell.data_type = "s"
        if is_formula_like(cleaned):
            cell.quotePrefix = True
    return cell


class SheetTitles:
    """Hands out valid, unique sheet titles (Excel compares titles without regard to case)."""

    def __init__(self, reserved: tuple[str, ...] = ()) -> None:
        self._taken: set[str] = set()
        for title in reserved:
            self._taken.add(title.casefold())

    @staticmethod
    def valid(raw: str) -> str:
        """Drop forbidden characters, collapse whitespace, cut to 31 characters, never begin or end with an apostrophe."""
        title = _SHEET_FORBIDDEN.sub("", _CONTROL.sub("", raw))
        title = " ".join(title.split()).strip("'").strip()
        title = title[:SHEET_TITLE_LIMIT].rstrip().rstrip("'")
        # "History" is reserved by Excel for change tracking.
        if not title or title.casefold() == "history":
            title = f"Sheet {title}".strip()
        return title

    def take(self, raw: str) -> str:
        """A valid title for ``raw``, made unique with a `` (2)``, `` (3)``… suffix when needed."""
        base = self.valid(raw)
        title = base
        number = 2
        while title.casefold() in self._taken:
            suffix = f" ({number})"
            title = base[: SHEET_TITLE_LIMIT - len(suffix)].rstrip() + suffix
            number += 1
        self._taken.add(title.casefold())
        return title
