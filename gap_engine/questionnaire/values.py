"""Converting between a profile's values and cell values, in both directions, for one ``Column``.

Writing and reading sit side by side so the round trip (template ``--from`` then ``import``)
stays lossless: whatever ``to_cell`` writes, ``from_cell`` reads back to the same value.
"""

from __future__ import annotations

import difflib
import json
from collections import Counter
from datetime import date, datetime
from typing import Any

from .layout import Column

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
    return value


def from_cell(column: Column, raw: Any, languages: Counter[str] | None = None) -> Any:
    """The profile value for a cell's content; ``BLANK`` when empty; raises ``CellValueError``.

    An answer may be written in English or French (``oui``, ``partiellement``...) in a template of
    either language; ``languages`` counts which one each answer was read in."""
    kind = column.kind
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
            hints = [f"{item!r} → {m[0]!r}" for item in bad if (m := difflib.get_close_matches(item, column.choices, n=1, cutoff=0.6))]
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
    match = difflib.get_close_matches(text, [*choices, *french], n=1, cutoff=0.6)
    # The French words are offered to a reader working in French; in English the message stays as it always was.
    shown = french if language() != DEFAULT else []
    accepted = ", ".join(choices) + (" " + _("(or in French: {words})").format(words=", ".join(shown)) if shown else "")
    raise CellValueError(
        _("{value} is not one of {choices}").format(value=_show(raw), choices=accepted),
        hint=_("did you mean {choice!r}?").format(choice=match[0]) if match else None,
    )


def _integer(raw: Any) -> int:
    if isinstance(raw, bool):
        raise CellValueError(f"{_show(raw)} is not a whole number")
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    if isinstance(raw, str) and raw.strip().lstrip("-").isdigit():
        return int(raw.strip())
    raise CellValueError(f"{_show(raw)} is not a whole number")


def _number(raw: Any) -> int | float:
    """A number as the cell holds it: a whole number stays an int (a pack's count written 1200 comes back 1200)."""
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
        raise CellValueError(f"{_show(raw)} is not a number")
    if isinstance(raw, (int, float)):
        return raw
    text = raw.strip()
    if text.lstrip("-").isdigit():
        return int(text)
    try:
        return float(text)
    except ValueError:
        raise CellValueError(f"{_show(raw)} is not a number") from None


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


def nest(flat: dict[str, Any]) -> dict[str, Any]:
    """Dotted keys to nested mappings; an all-blank group (e.g. no citation) stays absent."""
    out: dict[str, Any] = {}
    for key, value in flat.items():
        node = out
        parts = key.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return out
