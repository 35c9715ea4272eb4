"""The questionnaire workbook's shape, derived from the profile model by introspection.

The template writer and the importer both work from this one description, so they cannot
disagree about where a value lives, and a fact another engineer adds to ``profile.py`` shows up
in the workbook without any change here. The workbook has four kinds of sheet:

* **Profile** — one row per scalar of the profile outside the facts and the tables
  (jurisdiction, date, Convention status, general reach abroad...), value in column C;
* **tables** — one sheet per list of records (Sources, Reservations, Declarations, Offences):
  one row per record, one column per scalar of the record, so a lawyer adds a provision by
  adding a row;
* **fact sheets** — one per theme of the paper, one row per ``Fact`` the theme's rules use,
  answer in column C followed by the citation and a note; facts no rule uses go to *General*.
  A loaded pack's own facts (``extensions.<pack>.<fact>``) are rows on the sheet of the theme
  they declare: an answer fact like a built-in one, a date or number fact with its value in the
  answer column and nothing else;
* **Instructions** and the hidden **Lists** sheet that the drop-downs refer to.
"""

from __future__ import annotations

import types
from dataclasses import dataclass, field, replace
from datetime import date
from enum import Enum
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel

from ..i18n import DEFAULT, pgettext, using
from ..profile import Fact, Profile, fact_paths

INSTRUCTIONS = "Instructions"
PROFILE_SHEET = "Profile"
LISTS_SHEET = "Lists"
GENERAL_SHEET = "General"
FACT_KEY = "fact"
QUESTION_KEY = "question"
ANSWER_KEY = "answer"
PROFILE_HEADERS = ("field", "description", "value")
YES_NO = ("yes", "no")


def localised_sheet(name: str, lang: str) -> str:
    """A fixed sheet's name (Instructions, Profile, Lists, General, a table) in ``lang``: the import finds
    the sheets of either language's template by these names."""
    if lang == DEFAULT:
        return name
    with using(lang):
        return pgettext("sheet", name)


# The fixed sheet names, marked for extraction.
_SHEETS = (
    pgettext("sheet", "Instructions"),
    pgettext("sheet", "Profile"),
    pgettext("sheet", "Lists"),
    pgettext("sheet", "General"),
    pgettext("sheet", "Sources"),
    pgettext("sheet", "Reservations"),
    pgettext("sheet", "Declarations"),
    pgettext("sheet", "Offences"),
    pgettext("sheet", "Exhaustive for"),
)
del _SHEETS


@dataclass(frozen=True)
class Column:
    """One value in the workbook: its dotted key inside its record, what it holds, and its choices."""

    key: str
    kind: str  # text | integer | number | date | boolean | choice | choice_list
    choices: tuple[str, ...] = ()
    list_name: str | None = None  # the defined name of the drop-down list on the Lists sheet
    description: str = ""
    required: bool = False  # required within its own record (a citation's instrument, an offence's conduct)


@dataclass(frozen=True)
class Table:
    """A list of records in the profile (e.g. ``criminal_law.offences``) shown as one sheet."""

    path: str
    sheet: str
    columns: tuple[Column, ...]
    description: str = ""


@dataclass(frozen=True)
class FactRow:
    path: str
    sheet: str
    question: str
    rules: tuple[str, ...] = ()
    kind: str = "answer"  # answer (a Fact: answer, citation, note) | date | number (a pack's value, in the answer column)

    @property
    def value_column(self) -> Column | None:
        """For a date or number fact, the one column it fills (the answer column, holding a date or a number)."""
        if self.kind == "answer":
            return None
        description = "A date, written YYYY-MM-DD." if self.kind == "date" else "A number."
        return Column(ANSWER_KEY, self.kind, description=description)


@dataclass
class Layout:
    """Everything the template writer and the importer need to agree on."""

    profile_rows: tuple[Column, ...]
    tables: tuple[Table, ...]
    fact_columns: tuple[Column, ...]
    facts: tuple[FactRow, ...]
    lists: dict[str, tuple[str, ...]] = field(default_factory=dict)
    lang: str = DEFAULT  # the language of the sheet names, instructions and drop-down labels

    def sheet(self, name: str) -> str:
        """A fixed sheet's name (INSTRUCTIONS, PROFILE_SHEET, LISTS_SHEET) in the layout's language."""
        return localised_sheet(name, self.lang)

    def fact_sheets(self) -> list[str]:
        return list(dict.fromkeys(row.sheet for row in self.facts))

    @property
    def fact_headers(self) -> tuple[str, ...]:
        return (FACT_KEY, QUESTION_KEY, *(c.key for c in self.fact_columns))

    def structural_sheets(self) -> list[str]:
        return [self.sheet(PROFILE_SHEET), *(t.sheet for t in self.tables)]


def _unwrap_optional(annotation: Any) -> Any:
    if get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _list_name(annotation: Any, key: str) -> str:
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return f"list_{annotation.__name__}"
    return "list_" + key.replace(".", "_")


def _scalar(annotation: Any, key: str, description: str) -> Column:
    """The column for one scalar field; a type this module does not know becomes free text."""
    if annotation is bool:
        return Column(key, "boolean", YES_NO, "list_yes_no", description)
    if annotation is int:
        return Column(key, "integer", description=description)
    if annotation is float:
        return Column(key, "number", description=description)
    if annotation is date:
        return Column(key, "date", description=description)
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return Column(key, "choice", tuple(m.value for m in annotation), _list_name(annotation, key), description)
    if get_origin(annotation) is Literal:
        return Column(key, "choice", tuple(str(a) for a in get_args(annotation)), _list_name(annotation, key), description)
    return Column(key, "text", description=description)


def record_columns(model: type[BaseModel], prefix: str = "", tables: list[tuple[str, type[BaseModel], str]] | None = None) -> list[Column]:
    """Flatten a model into columns: nested models become dotted keys, dicts keyed by an enum one column per member.

    With ``tables`` given (the profile-level walk), ``Fact`` fields are left to the fact sheets and
    lists of records are collected as tables instead of becoming columns.
    """
    columns: list[Column] = []
    for name, info in model.model_fields.items():
        key = f"{prefix}{name}"
        annotation = _unwrap_optional(info.annotation)
        description = info.description or ""
        origin = get_origin(annotation)
        if tables is not None and annotation is Fact:
            continue
        if _is_model(annotation):
            columns += record_columns(annotation, f"{key}.", tables)
        elif origin is list:
            (item,) = get_args(annotation)
            if tables is not None and _is_model(item):
                tables.append((key, item, description))
            elif isinstance(item, type) and issubclass(item, Enum):
                choices = tuple(m.value for m in item)
                columns.append(Column(key, "choice_list", choices, _list_name(item, key), description, info.is_required()))
            else:
                columns.append(Column(key, "text_list", description=description, required=info.is_required()))
        elif origin is dict:
            key_type, value_type = get_args(annotation)
            members = [m.value for m in key_type] if isinstance(key_type, type) and issubclass(key_type, Enum) else []
            for member in members:
                columns.append(_scalar(_unwrap_optional(value_type), f"{key}.{member}", description))
        else:
            columns.append(replace(_scalar(annotation, key, description), required=info.is_required()))
    return columns


def sheet_name_for_table(path: str) -> str:
    return path.rsplit(".", 1)[-1].replace("_", " ").capitalize()


def theme_sheet_name(title: str) -> str:
    """A theme's title as a sheet name: the part before any parenthesis, without forbidden characters."""
    from ..cells import SheetTitles

    return SheetTitles.valid(title.split("(")[0])


def _theme_title(loaded: Any, lang: str) -> str:
    texts = loaded.theme_in(lang)
    return texts[0] if texts else loaded.theme_title


def fact_themes(catalogue: Any, lang: str = DEFAULT) -> dict[str, tuple[str, list[str]]]:
    """For every fact path a rule tests: the first theme (in the paper's order, titled in ``lang``) using it, and the rules."""
    found: dict[str, tuple[str, list[str]]] = {}
    for loaded in catalogue.rules:  # the catalogue is sorted in the paper's theme order
        conditions = [loaded.rule.condition] + ([loaded.rule.applies_if] if loaded.rule.applies_if else [])
        for condition in conditions:
            for leaf in condition.leaves():
                if leaf.fact is None:
                    continue
                _theme, rules = found.setdefault(leaf.fact, (_theme_title(loaded, lang), []))
                if loaded.id not in rules:
                    rules.append(loaded.id)
    return found


def _humanise(path: str) -> str:
    return " › ".join(part.replace("_", " ") for part in path.split("."))


def build_layout(catalogue: Any, lang: str = DEFAULT) -> Layout:
    """The workbook layout for the current profile model, with facts placed on the sheets of the themes whose rules use them;
    sheet names in ``lang`` (the keys in the header rows and the fact column stay the same in every language)."""
    tables_found: list[tuple[str, type[BaseModel], str]] = []
    profile_rows = record_columns(Profile, tables=tables_found)
    tables = tuple(
        Table(path, localised_sheet(sheet_name_for_table(path), lang), tuple(record_columns(model)), description)
        for path, model, description in tables_found
    )
    fact_columns = tuple(record_columns(Fact))
    themes = fact_themes(catalogue, lang)
    general = localised_sheet(GENERAL_SHEET, lang)
    facts: list[FactRow] = []
    descriptions = _fact_descriptions()
    for path in fact_paths():
        title, rules = themes.get(path, (None, []))
        sheet = theme_sheet_name(title) if title else general
        question = _humanise(path)
        if descriptions.get(path):
            question += f" — {descriptions[path]}"
        facts.append(FactRow(path, sheet, question, tuple(rules)))
    facts += _pack_fact_rows(catalogue, themes, lang)
    order: dict[str, int] = {}
    for loaded in catalogue.rules:  # in the paper's theme order
        order.setdefault(theme_sheet_name(_theme_title(loaded, lang)), len(order))
    for pack in catalogue.packs:  # a pack theme no rule uses still holds the facts declared on it
        for theme in pack.themes:
            order.setdefault(theme_sheet_name(_pack_theme_title(theme, pack, lang)), len(order))
    facts.sort(key=lambda row: order.get(row.sheet, len(order)))  # General last; stable: model order within a sheet
    fixed = tuple(localised_sheet(name, lang) for name in (INSTRUCTIONS, PROFILE_SHEET, LISTS_SHEET))
    facts = _clear_of(facts, (*fixed, *(t.sheet for t in tables)))
    layout = Layout(tuple(profile_rows), tables, fact_columns, tuple(facts), lang=lang)
    for column in [*profile_rows, *fact_columns, *(c for t in tables for c in t.columns)]:
        if column.list_name:
            layout.lists[column.list_name] = column.choices
    return layout


def _clear_of(facts: list[FactRow], reserved: tuple[str, ...]) -> list[FactRow]:
    """A pack theme titled like a sheet of the workbook (e.g. 'Offences') gets 'Offences (2)': the import finds
    the structural sheets by name, and a second sheet of that name would shadow one or the other."""
    from ..cells import SheetTitles

    taken = {name.casefold() for name in reserved}
    titles = SheetTitles(reserved)
    renamed = {row.sheet: titles.take(row.sheet) for row in facts if row.sheet.casefold() in taken}
    return [replace(row, sheet=renamed.get(row.sheet, row.sheet)) for row in facts]


def _pack_theme_title(theme: Any, pack: Any, lang: str) -> str:
    texts = theme.in_language(lang, pack.language)
    return texts[0] if texts else theme.title


def _pack_fact_rows(catalogue: Any, themes: dict[str, tuple[str, list[str]]], lang: str = DEFAULT) -> list[FactRow]:
    """A row per fact a loaded pack declares, on the sheet of the theme it names, its label as the question."""
    rows = []
    for pack in catalogue.packs:
        for fact in pack.facts:
            theme = pack.theme(fact.theme)
            question = fact.label + (f" — {fact.help}" if fact.help else "")
            rules = themes.get(fact.path, ("", []))[1]
            rows.append(FactRow(fact.path, theme_sheet_name(_pack_theme_title(theme, pack, lang)), question, tuple(rules), fact.type.value))
    return rows


def _fact_descriptions() -> dict[str, str]:
    """The ``description`` a fact field carries in the model, by path."""
    out: dict[str, str] = {}

    def walk(model: type[BaseModel], prefix: str) -> None:
        for name, info in model.model_fields.items():
            annotation = _unwrap_optional(info.annotation)
            if annotation is Fact:
                out[f"{prefix}{name}"] = info.description or ""
            elif _is_model(annotation):
                walk(annotation, f"{prefix}{name}.")

    walk(Profile, "")
    return out
