"""JSON results: stable field names, sorted keys, the rule-pack version; schema via ``schema --results``."""

from __future__ import annotations

import json

from ..findings import CheckResults

SCHEMA_VERSION = 4
"""2: evaluated_on per profile, notes per finding, in_force_until and note per evidence item.
3: packs (id, version, source, themes, questions); pack_version, replaces and label per finding;
   evidence of kind "rule" (derived rules).
4: waiver per finding (null, or justification, accepted_by, accepted_on, expires, active, state, source)."""


def to_data(results: CheckResults) -> dict:
    data = results.model_dump(mode="json")
    data["schema_version"] = SCHEMA_VERSION
    return data


def render(results: CheckResults) -> str:
    return json.dumps(to_data(results), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def results_schema() -> dict:
    schema = CheckResults.model_json_schema()
    schema["properties"]["schema_version"] = {"const": SCHEMA_VERSION, "type": "integer"}
    schema["required"] = [*schema.get("required", []), "schema_version"]
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "gap-engine check results"
    return schema
