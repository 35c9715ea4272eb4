"""A profile's pack facts (``extensions.<pack id>.<fact id>``), checked against the loaded packs.

The profile model keeps ``extensions`` raw, because what a value must be depends on which packs
are loaded: the same profile is checked with one pack and then another. Here each loaded pack's
declarations become a small pydantic model (answer -> ``profile.Fact``, date -> a YYYY-MM-DD
date, number -> an int or float, never a boolean), so a wrong value is reported like any other
profile error, with its file, line and column, and the typed values are handed to facts.py.

Extensions of packs that are not loaded are kept in the profile untouched and ignored: a profile
written for several packs is checked with whichever are given (``validate --rules DIR`` checks a
pack's facts). The same models give ``gap-engine schema --pack-dir DIR`` its typed properties.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, WithJsonSchema, create_model

from .errors import InputError, InputErrors
from .packs import EXTENSIONS, DeclaredFact, FactType, Pack
from .profile import Fact, Profile
from .yamlio import LoadedYaml, validation_errors

ExtensionValue = Fact | date | int | float
"""A checked pack fact: a Fact for an answer fact, a date, or a number."""

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _a_date(value: Any) -> date:
    if isinstance(value, date) and not hasattr(value, "hour"):
        return value
    if isinstance(value, str) and _ISO_DATE.match(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError as exc:
            raise ValueError(f"{value.strip()!r} is not a date: {exc}") from None
    raise ValueError(f"a date fact is written YYYY-MM-DD, e.g. 2024-05-01, not {value!r}")


def _a_number(value: Any) -> int | float:
    if isinstance(value, bool):  # YAML true/false: an answer, not a count
        raise ValueError(f"a number fact needs a number, not the boolean {str(value).lower()}")
    if isinstance(value, (int, float)):
        return value
    raise ValueError(f"a number fact needs a number, e.g. 1200 or 0.5, not {value!r}")


PackDate = Annotated[date, BeforeValidator(_a_date)]
PackNumber = Annotated[int | float, BeforeValidator(_a_number), WithJsonSchema({"type": "number"})]
_TYPES: dict[FactType, Any] = {FactType.answer: Fact, FactType.date: PackDate, FactType.number: PackNumber}


def _description(fact: DeclaredFact) -> str:
    return fact.label + (f" — {fact.help}" if fact.help else "")


def pack_model(pack: Pack) -> type[BaseModel]:
    """The model of one pack's ``extensions.<pack id>`` mapping: one optional field per declared fact."""
    fields: dict[str, Any] = {
        fact.id: (_TYPES[fact.type] | None, Field(None, description=_description(fact), title=fact.label)) for fact in pack.facts
    }
    model: type[BaseModel] = create_model(
        "Extensions_" + pack.id.replace("-", "_"),
        __config__=ConfigDict(extra="forbid", frozen=True, title=f"Facts of pack {pack.id}"),
        __doc__=f"The facts pack {pack.id!r} ({pack.title}) declares.",
        **fields,
    )
    return model


def _extensions_model(packs: Sequence[Pack]) -> type[BaseModel]:
    """A profile-shaped model holding only the loaded packs' extensions, so errors are located by the profile's paths."""
    by_pack: dict[str, Any] = {pack.id: (pack_model(pack) | None, None) for pack in packs}
    inner: type[BaseModel] = create_model("Extensions", __config__=ConfigDict(extra="ignore"), **by_pack)
    return create_model("ProfileExtensions", __config__=ConfigDict(extra="ignore"), extensions=(inner, ...))


def extension_values(
    profile: Profile, packs: Iterable[Pack], loaded: LoadedYaml | None = None, source: str = "<profile>"
) -> dict[str, ExtensionValue]:
    """The profile's facts of the loaded ``packs``, typed, by path (``extensions.<pack>.<fact>``).

    Raises InputErrors with every problem; with ``loaded`` (the profile as read from YAML) they carry
    the value's line and column, otherwise the field path only. Absent facts are left out: unknown."""
    return check_extensions(profile.extensions, packs, loaded, source)


def check_extensions(
    extensions: Mapping[str, Any], packs: Iterable[Pack], loaded: LoadedYaml | None = None, source: str = "<profile>"
) -> dict[str, ExtensionValue]:
    """``extension_values`` for a profile's raw ``extensions`` mapping, also when the rest of the profile
    failed validation (so every error is reported in one pass)."""
    packs = [pack for pack in packs if isinstance(extensions.get(pack.id), dict)]
    if not packs:
        return {}
    loaded = loaded or LoadedYaml(source=source, data=None)
    model = _extensions_model(packs)
    try:
        checked = model.model_validate({EXTENSIONS: {pack.id: extensions[pack.id] for pack in packs}})
    except ValidationError as exc:
        raise InputErrors([_explained(error, packs) for error in validation_errors(exc, loaded, model)]) from None
    values: dict[str, ExtensionValue] = {}
    for pack in packs:
        stated = getattr(getattr(checked, EXTENSIONS), pack.id)  # a model built at run time: its fields are names in data
        for fact in pack.facts:
            value = getattr(stated, fact.id)
            if value is not None:
                values[fact.path] = value
    return values


def _explained(error: InputError, packs: list[Pack]) -> InputError:
    """An unknown key under a pack is a fact the pack does not declare: say so, and list what it does."""
    parts = (error.field or "").split(".")
    if not error.message.startswith("unknown field") or len(parts) != 3:
        return error
    pack = next(p for p in packs if p.id == parts[1])
    hint = error.hint if error.hint and error.hint.startswith("did you mean") else None
    if hint is None:
        declared = ", ".join(f.id for f in pack.facts)
        hint = f"it declares: {declared}" if declared else "it declares no facts"
    return InputError(
        source=error.source,
        line=error.line,
        column=error.column,
        field=error.field,
        message=f"pack {pack.id!r} declares no fact {parts[2]!r}",
        hint=hint,
    )


def declared_fact(packs: Iterable[Pack], path: str) -> DeclaredFact | None:
    """The declaration behind ``extensions.<pack>.<fact>``, when a loaded pack declares it."""
    head, _, rest = path.partition(".")
    pack_id, _, fact_id = rest.partition(".")
    if head != EXTENSIONS:
        return None
    return next((f for pack in packs if pack.id == pack_id for f in pack.facts if f.id == fact_id), None)


def is_extension(path: str) -> bool:
    return path.startswith(EXTENSIONS + ".")


def profile_schema(packs: Sequence[Pack] = ()) -> dict[str, Any]:
    """The profile's JSON Schema; with ``packs``, their declared facts as typed properties of ``extensions.<pack id>``."""
    from pydantic.json_schema import models_json_schema

    if not packs:
        schema = Profile.model_json_schema()
    else:
        models: list[type[BaseModel]] = [Profile, *(pack_model(pack) for pack in packs)]
        refs, top = models_json_schema([(m, "validation") for m in models], ref_template="#/$defs/{model}")
        defs = top["$defs"]
        schema = defs.pop("Profile")
        extensions = schema["properties"][EXTENSIONS]
        extensions["properties"] = {pack.id: refs[(model, "validation")] for pack, model in zip(packs, models[1:], strict=True)}
        schema["$defs"] = defs
    schema["title"] = "gap-engine national legislation profile"
    return schema
