"""JSON Lines results: one JSON object per checked profile (jurisdiction) per line, written as produced.

Why a second JSON format: ``--format json`` is one document, so the whole run must be held before
it is written (about 0.4 MB per profile). A line per profile lets ``check`` stream 100,000 profiles
in flat memory and lets a pipeline read results one at a time (``jq -c``, ``pandas.read_json(lines=True)``).

Shape of each line (``gap-engine schema --results-line`` prints its JSON Schema): the fields of one
profile's results as in ``--format json`` (``jurisdiction``, ``jurisdiction_name``, ``as_of``,
``evaluated_on``, ``source``, ``findings``), plus what identifies the run (``tool_version``,
``rules_version``, ``rules_hash``, ``engine``, ``schema_version``), so that every line stands alone.
The rule packs' descriptions are not repeated on every line: ``--format json`` carries them. The
run's keys come first, then the profile's in the schema's order; the text is UTF-8, one line per
profile, in the order the profiles were given (with ``--jobs N`` too).
"""

from __future__ import annotations

import json

from pydantic import BaseModel

from ..findings import SCHEMA_VERSION, ProfileResult
from .json_report import versioned_schema


class RunInfo(BaseModel):
    """What every line repeats about the run that produced it."""

    tool_version: str
    rules_version: str
    rules_hash: str
    engine: str


class ResultLine(ProfileResult):
    """One line of ``--format jsonl``: a profile's results and the run that produced them."""

    tool_version: str
    rules_version: str
    rules_hash: str
    engine: str


def line(profile: ProfileResult, run: RunInfo) -> str:
    """One profile's line, newline included: the run's fields, then the profile's as pydantic writes
    them (its own serialiser, in Rust, is several times faster than json.dumps of a model_dump)."""
    head = json.dumps({**run.model_dump(mode="json"), "schema_version": SCHEMA_VERSION}, ensure_ascii=False, separators=(",", ":"))
    return head[:-1] + "," + profile.model_dump_json()[1:] + "\n"


def line_schema() -> dict:
    return versioned_schema(ResultLine, SCHEMA_VERSION, "gap-engine check results, one line (--format jsonl)")
