"""Reading back the results JSON that ``gap-engine check --format json`` writes.

Only the schema version this gap-engine writes is read: an older file may lack fields a diff
compares (packs, pack versions, labels), and reading it as if it had them would report changes
that are only changes of format. Such a file is refused with the fix (re-run the check).
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .errors import InputErrors
from .findings import SCHEMA_VERSION, CheckResults
from .yamlio import MAX_FILE_BYTES, LoadedYaml, parse_yaml, read_text, validation_errors

MAX_RESULTS_BYTES = 200_000_000
"""Results for many profiles are far larger than a hand-written profile (~200 KB per profile)."""

# 4 only added an optional waiver per finding, so results of version 3 read as version 4 without one.
READABLE = (3, SCHEMA_VERSION)
RERUN = f"write them again with `gap-engine check --format json`, which writes schema_version {SCHEMA_VERSION}"


def looks_like_results(text: str) -> bool:
    """Whether ``text`` is a JSON object of check results rather than a profile (a profile has no ``profiles`` key)."""
    if not text.lstrip().startswith("{"):
        return False
    try:
        data = json.loads(text)
    except ValueError:
        return False
    return isinstance(data, dict) and ("schema_version" in data or "profiles" in data)


def read_results_text(path: Path) -> str:
    return read_text(path, max_bytes=MAX_RESULTS_BYTES)


def load_results(path: str | Path, text: str | None = None) -> CheckResults:
    """Read a results JSON file; raise InputErrors naming the file, line and field on anything else."""
    source = str(path)
    text = read_results_text(Path(path)) if text is None else text
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputErrors.single(source, f"not valid JSON: {exc.msg}", line=exc.lineno, column=exc.colno, hint=RERUN) from None
    if not isinstance(data, dict):
        raise InputErrors.single(source, "results must be a JSON object", line=1, column=1, hint=RERUN)
    line = _line_of_key(text, "schema_version")
    if "schema_version" not in data:
        raise InputErrors.single(
            source, "no schema_version: not results written by gap-engine check", line=1, field="schema_version", hint=RERUN
        )
    version = data.pop("schema_version")
    if version not in READABLE:
        raise InputErrors.single(
            source,
            f"results schema_version {version!r} is not supported: this gap-engine reads schema_version " + " or ".join(map(str, READABLE)),
            line=line,
            field="schema_version",
            hint=RERUN,
        )
    try:
        return CheckResults.model_validate(data)
    except ValidationError as exc:
        errors = validation_errors(exc, _positions(text, source, data), CheckResults)
        # The profile reader's "add 'field:'" hint is YAML; results are written by a program, not by hand.
        raise InputErrors(replace(e, hint=RERUN) if (e.hint or "").startswith("add '") else e for e in errors) from None


def _line_of_key(text: str, key: str) -> int | None:
    match = re.search(rf'"{re.escape(key)}"\s*:', text)
    return text.count("\n", 0, match.start()) + 1 if match else None


def _positions(text: str, source: str, data: Any) -> LoadedYaml:
    """Where each field is, read with the YAML reader (JSON is YAML) only now an error needs it, and only for files it reads fast enough."""
    if len(text) <= MAX_FILE_BYTES:
        try:
            loaded = parse_yaml(text, source)
            loaded.data = data
            return loaded
        except InputErrors:
            pass
    return LoadedYaml(source=source, data=data)
