"""Reading profiles from YAML into validated models, with every error located.

Given the loaded packs, a profile's pack facts (``extensions``) are checked too, while the YAML's
positions are at hand, so their errors carry a line like every other profile error.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from .errors import InputError, InputErrors
from .packs import Pack
from .profile import Profile
from .yamlio import LoadedYaml, load_yaml, parse_yaml, validation_errors


def load_profile(path: str | Path, packs: Sequence[Pack] = ()) -> Profile:
    """Load and validate one profile (and its facts of ``packs``); raise InputErrors naming file, line, column and field."""
    return _validate(load_yaml(Path(path)), packs)


def parse_profile(text: str, source: str = "<profile>", packs: Sequence[Pack] = ()) -> Profile:
    return _validate(parse_yaml(text, source), packs)


def validate_profile_data(data: object, source: str, packs: Sequence[Pack] = ()) -> Profile:
    """Validate already-parsed data (rule cases, workbook imports); errors carry no line numbers."""
    return _validate(LoadedYaml(source=source, data=data), packs)


def _validate(loaded: LoadedYaml, packs: Sequence[Pack] = ()) -> Profile:
    if not packs:
        return _validate_model(loaded)
    from .extensions import check_extensions

    errors: list[InputError] = []
    profile = None
    try:
        profile = _validate_model(loaded)
    except InputErrors as exc:
        errors += exc.errors
    raw = loaded.data.get("extensions") if isinstance(loaded.data, dict) else None
    if isinstance(raw, dict):
        try:
            check_extensions(raw, packs, loaded, loaded.source)
        except InputErrors as exc:  # also when the model failed, so every error is reported in one pass
            errors += exc.errors
    if errors or profile is None:
        raise InputErrors(errors)
    return profile


def _validate_model(loaded: LoadedYaml) -> Profile:
    if not isinstance(loaded.data, dict):
        kind = type(loaded.data).__name__ if loaded.data is not None else "nothing"
        raise InputErrors(
            [
                InputError(
                    source=loaded.source,
                    line=1,
                    column=1,
                    message=f"a profile must be a mapping of fields, found {kind}",
                    hint="start with 'jurisdiction:'",
                )
            ]
        )
    try:
        return Profile.model_validate(loaded.data)
    except ValidationError as exc:
        raise InputErrors(validation_errors(exc, loaded, Profile)) from None
