"""Reading profiles from YAML into validated models, with every error located."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from .errors import InputError, InputErrors
from .profile import Profile
from .yamlio import LoadedYaml, load_yaml, parse_yaml, validation_errors


def load_profile(path: str | Path) -> Profile:
    """Load and validate one profile; raise InputErrors naming file, line, column and field."""
    return _validate(load_yaml(Path(path)))


def parse_profile(text: str, source: str = "<profile>") -> Profile:
    return _validate(parse_yaml(text, source))


def validate_profile_data(data: object, source: str) -> Profile:
    """Validate already-parsed data (rule cases, workbook imports); errors carry no line numbers."""
    return _validate(LoadedYaml(source=source, data=data))


def _validate(loaded: LoadedYaml) -> Profile:
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
