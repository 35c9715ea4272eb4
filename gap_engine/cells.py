"""Cell safety shared by every spreadsheet-shaped output (the gap workbook, the CSV, the questionnaire).

Profile text is user input that ends up in files NGOs open in Excel or LibreOffice. Three things can go
wrong there, and each has one fix here so every writer applies the same one:

- a value starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return is read as a formula
  (openpyxl even turns a string starting with ``=`` into a live formula on assignment), and so is
  one where spaces (a no-break space too, when the reader trims) come before it, or the full-width
  ``＝＋－＠``. In a CSV, a cell can also start *inside* a field: opened where ``;`` or tab is the
  separator (many European locales), ``a;=cmd`` is two cells, the second a formula, and a line
  break inside a field starts a new row. ``csv_safe`` neutralises a trigger after any of those;
- control characters that the XML of a workbook cannot hold make openpyxl refuse the value;
- a cell holds at most 32,767 characters; longer text would be rejected or silently cut by the reader.

Sheet titles have their own rules (31 characters, none of ``[]:*?/\\``, unique regardless of case).
"""

from __future__ import annotations

import re
from typing import Any

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""A value starting with one of these can be taken for a formula by a spreadsheet program."""

_TRIGGER_CHARS = "=+\\-@\uff1d\uff0b\uff0d\uff20\ufe62\ufe63\ufe66\ufe6b\u2212"
"""The ASCII triggers, their full-width and small forms, and the minus sign (as a regex class body)."""

_SPACES = "\\s\u200b\u200c\u200d\u2060\ufeff"
"""Whitespace (``\\s`` covers the no-break and other Unicode spaces) and the zero-width characters a reader may drop."""

_LEADING_TRIGGER = re.compile(f"^[{_SPACES}]*[{_TRIGGER_CHARS}]")

CSV_CELL_STARTS = ",;\t\n\r"
"""Where a cell can start when a CSV is opened with any common separator (comma, semicolon, tab) or split at a line break."""

_CSV_TRIGGER = re.compile(f'(?:^|(?<=[{CSV_CELL_STARTS}]))([{_SPACES}"]*)(?=[{_TRIGGER_CHARS}])')

CELL_LIMIT = 32_767
"""Excel's maximum number of characters (UTF-16 code units) in one cell."""

TRUNCATION_MARKER = " […truncated: {cut} characters cut; see the source profile for the full text]"

# The same set openpyxl rejects (C0 controls other than tab, line feed and carriage return).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

SHEET_TITLE_LIMIT = 31
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def is_formula_like(text: str) -> bool:
    """Whether a spreadsheet program could read ``text`` as a formula (or a DDE payload), leading spaces trimmed."""
    return text.startswith(FORMULA_TRIGGERS) or _LEADING_TRIGGER.match(text) is not None


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
    """A CSV field: cleaned text, with an apostrophe before every formula trigger that could open a cell.

    CSV has no cell types, so the apostrophe is the only defence spreadsheet programs honour
    (a cell starting with it is text). A trigger opens a cell at the start of the field and, for a
    reader using another separator or splitting at line breaks, after any ``,`` ``;`` tab or line
    break; spaces, no-break spaces and quotes before it do not help, so the apostrophe goes
    right before the trigger.
    """
    if value is None:
        return ""
    text = clean_text(str(value))
    if text.startswith(("\t", "\r")):
        text = "'" + text
    return _CSV_TRIGGER.sub(lambda m: m.group(1) + "'", text)


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
