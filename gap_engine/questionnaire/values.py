"""Converting between a profile's values and cell values, in both directions, for one ``Column``.

Writing and reading sit side by side so the round trip (template ``--from`` then ``import``)
stays lossless: whatever ``to_cell`` writes, ``from_cell`` reads back to the same value.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from datetime import date, datetime
from typing import Any

from ..suggest import closest
from .layout import Column

_INTEGER = re.compile(r"[+-]?[0-9]{1,15}")
"""A whole number as typed: ASCII digits only (``int()`` also takes ``٣`` or full-width digits, and
``str.isdigit()`` is true for ``²``, which ``int()`` refuses), and short (``int()`` refuses 4,300 digits)."""

_DECIMAL = re.compile(r"[+-]?(?:[0-9]{1,30}(?:\.[0-9]{0,30})?|\.[0-9]{1,30})(?:[eE][+-]?[0-9]{1,3})?")
"""A decimal number as typed, ASCII only; ``float()`` alone would take ``nan``, ``inf`` and ``1_000``."""

_OOXML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
"""OOXML's escape for a character XML cannot carry as is: ``_x000D_`` for a carriage return
(an XML parser reads a raw ``\r`` as ``\n``). Excel and LibreOffice write it; openpyxl neither writes nor reads it."""

_ESCAPE_NEEDED = re.compile(r"\r|_(?=x[0-9A-Fa-f]{4}[_\r])")
"""What ``escape_text`` rewrites: a carriage return, and an underscore that would start an escape
(followed by ``_``, or by a carriage return, which is about to become ``_x000D_``)."""

BLANK = object()
"""``from_cell``'s answer for an empty cell: the value is not stated."""

ANSWER_LABELS = {"fr": {"yes": "oui", "no": "non", "partial": "partiellement", "unknown": "inconnu"}}
"""The drop-down labels of the answers (and of yes/no columns) in a template of another language than English.
Only these four words are translated: the other choices (conducts, materials...) are identifiers a rule names."""

READ_AS = {
    "oui": "yes",
    "non": "no",
    "partiellement": "partial",
    "partiel": "partial",
    "partielle": "partial",
    "inconnu": "unknown",
    "inconnue": "unknown",
    "vrai": "yes",
    "faux": "no",
}
"""French answers the import accepts in a template of either language, and what they stand for."""

ENGLISH_WORDS = frozenset(("yes", "no", "partial", "unknown", "true", "false"))


def choice_label(choice: str, lang: str) -> str:
    """How a choice is shown in a template of ``lang`` (``oui`` for yes in French); the value itself otherwise."""
    return ANSWER_LABELS.get(lang, {}).get(choice, choice)


class CellValueError(ValueError):
    """A cell's content that does not fit its column; the message is shown with the cell address."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


def lookup(data: Any, key: str) -> Any:
    """The value at a dotted key in dumped (JSON-mode) profile data, or None when a level is absent."""
    node = data
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def set_path(data: dict[str, Any], dotted: str, value: Any) -> None:
    """Set ``value`` at a dotted key, creating the mappings on the way (the reverse of ``lookup``)."""
    node = data
    parts = dotted.split(".")
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value


def nest(flat: dict[str, Any]) -> dict[str, Any]:
    """Dotted keys to nested mappings; an all-blank group (e.g. no citation) stays absent."""
    out: dict[str, Any] = {}
    for key, value in flat.items():
        set_path(out, key, value)
    return out


def escape_text(text: str) -> str:
    """Text as a cell must hold it to come back unchanged: a carriage return as ``_x000D_``, and a
    literal ``_xHHHH_`` escaped itself (``_x005F_xHHHH_``), as Excel writes them."""
    # One pass, so an escape written for a \r never completes an _xHHHH_ begun by the text before it.
    return _ESCAPE_NEEDED.sub(lambda m: "_x000D_" if m.group() == "\r" else "_x005F_", text)


def unescape_text(text: str) -> str:
    """The text a cell holds, with OOXML's ``_xHHHH_`` escapes decoded (those a workbook may carry:
    tab, line feed, carriage return and printable characters; any other is left as written)."""

    def decode(match: re.Match[str]) -> str:
        char = chr(int(match.group(1), 16))
        return char if char in "\t\n\r" or (ord(char) >= 0x20 and not 0xD800 <= ord(char) <= 0xDFFF) else match.group(0)

    return _OOXML_ESCAPE.sub(decode, text) if "_x" in text else text


def to_cell(column: Column, value: Any, lang: str = "en") -> Any:
    """The cell value for a JSON-mode profile value (None leaves the cell blank), its answer words in ``lang``."""
    if value is None:
        return None
    if column.kind == "boolean":
        return choice_label("yes" if value else "no", lang)
    if column.kind == "choice":
        return choice_label(value, lang)
    if column.kind == "date":
        return date.fromisoformat(value)
    if column.kind in ("choice_list", "text_list"):
        return ", ".join(str(v) for v in value) if column.kind == "choice_list" else json.dumps(value, ensure_ascii=False)
    return escape_text(value) if isinstance(value, str) else value


def from_cell(column: Column, raw: Any, languages: Counter[str] | None = None) -> Any:
    """The profile value for a cell's content; ``BLANK`` when empty; raises ``CellValueError``.

    An answer may be written in English or French (``oui``, ``partiellement``...) in a template of
    either language; ``languages`` counts which one each answer was read in."""
    kind = column.kind
    if isinstance(raw, str):
        raw = unescape_text(raw)
    if raw is None or raw == "" or (isinstance(raw, str) and not raw.strip() and kind != "text"):
        return BLANK  # whitespace in a text cell is kept: it is what the cell holds, and the round trip stays exact
    if kind in ("choice", "boolean"):
        if isinstance(raw, bool):
            text = "yes" if raw else "no"
        else:
            text = str(raw).strip().lower()
        if text in READ_AS and READ_AS[text] in column.choices:
            text = READ_AS[text]
            if languages is not None:
                languages["fr"] += 1
        elif text in ENGLISH_WORDS and languages is not None:
            languages["en"] += 1
        if kind == "boolean":
            text = {"true": "yes", "false": "no"}.get(text, text)
        _check_choice(text, column.choices, raw)
        return (text == "yes") if kind == "boolean" else text
    if kind == "choice_list":
        items = [part.strip().lower() for part in str(raw).replace(";", ",").replace("\n", ",").split(",") if part.strip()]
        bad = [item for item in items if item not in column.choices]
        if bad:
            hints = [f"{item!r} → {m!r}" for item in bad if (m := closest(item, column.choices))]
            raise CellValueError(
                f"{', '.join(repr(b) for b in bad)} {'is' if len(bad) == 1 else 'are'} not among {', '.join(column.choices)}",
                hint=("did you mean " + "; ".join(hints) + "?") if hints else "separate several values with commas",
            )
        return items
    if kind == "integer":
        return _integer(raw)
    if kind == "number":
        return _number(raw)
    if kind == "date":
        return _date(raw)
    if kind == "text_list":
        try:
            return json.loads(str(raw))
        except json.JSONDecodeError:
            raise CellValueError(f"{_show(raw)} is not a list", hint='write it as ["a", "b"]') from None
    return _text(raw)


def _show(raw: Any) -> str:
    text = str(raw)
    return json.dumps(text[:60] + ("…" if len(text) > 60 else ""), ensure_ascii=False)


def _check_choice(text: str, choices: tuple[str, ...], raw: Any) -> None:
    if text in choices:
        return
    from ..i18n import DEFAULT, _, language

    french = [label for label in ANSWER_LABELS["fr"].values() if READ_AS[label] in choices]
    match = closest(text, [*choices, *french])
    # The French words are offered to a reader working in French; in English the message stays as it always was.
    shown = french if language() != DEFAULT else []
    accepted = ", ".join(choices) + (" " + _("(or in French: {words})").format(words=", ".join(shown)) if shown else "")
    raise CellValueError(
        _("{value} is not one of {choices}").format(value=_show(raw), choices=accepted),
        hint=_("did you mean {choice!r}?").format(choice=match) if match else None,
    )


def _integer(raw: Any) -> int:
    """A whole number, from a number cell or from text of ASCII digits; anything else is a located error, never a traceback."""
    if isinstance(raw, bool):
        raise CellValueError(f"{_show(raw)} is not a whole number", hint="write digits only, e.g. 16")
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float) and math.isfinite(raw) and raw.is_integer():
        return int(raw)
    if isinstance(raw, str) and _INTEGER.fullmatch(raw.strip()):
        return int(raw.strip())
    raise CellValueError(f"{_show(raw)} is not a whole number", hint="write digits only, e.g. 16")


def _number(raw: Any) -> int | float:
    """A number as the cell holds it: a whole number stays an int (a pack's count written 1200 comes back 1200)."""
    hint = "write digits with a point for decimals, e.g. 1200 or 0.5"
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
        raise CellValueError(f"{_show(raw)} is not a number", hint=hint)
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float):
        if not math.isfinite(raw):
            raise CellValueError(f"{_show(raw)} is not a number", hint=hint)
        return raw
    text = raw.strip()
    if _INTEGER.fullmatch(text):
        return int(text)
    if _DECIMAL.fullmatch(text) and math.isfinite(value := float(text)):
        return value
    raise CellValueError(f"{_show(raw)} is not a number", hint=hint)


def _date(raw: Any) -> date:
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    if isinstance(raw, str):
        try:
            return date.fromisoformat(raw.strip())
        except ValueError:
            pass
    raise CellValueError(f"{_show(raw)} is not a date", hint="write it as YYYY-MM-DD, e.g. 2024-10-01")


def _text(raw: Any) -> str:
    """Text as typed; a number or date the spreadsheet program typed for us is turned back into its text."""
    if isinstance(raw, bool):
        return "yes" if raw else "no"
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, datetime):
        return raw.date().isoformat() if not raw.time() else raw.isoformat()
    if isinstance(raw, date):
        return raw.isoformat()
    return str(raw)
