"""JSON diff: every finding of every jurisdiction on both sides (unchanged ones with direction
"unchanged"), keys sorted; schema via ``gap-engine schema --diff`` and docs/diff.schema.json."""

from __future__ import annotations

import json

from ..diff_model import Diff
from .json_report import versioned_schema

DIFF_SCHEMA_VERSION = 1
"""Bumped when a field of the diff JSON is renamed or added."""


def to_data(diff: Diff) -> dict:
    data = diff.model_dump(mode="json")
    data["schema_version"] = DIFF_SCHEMA_VERSION
    return data


def render(diff: Diff) -> str:
    return json.dumps(to_data(diff), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def diff_schema() -> dict:
    return versioned_schema(Diff, DIFF_SCHEMA_VERSION, "gap-engine diff")
