"""JSON results: stable field names, sorted keys, the rule-pack version; schema via ``schema --results``."""

from __future__ import annotations

import json

from pydantic import BaseModel

from ..findings import SCHEMA_VERSION, CheckResults


def to_data(results: CheckResults) -> dict:
    data = results.model_dump(mode="json")
    data["schema_version"] = SCHEMA_VERSION
    return data


def render(results: CheckResults) -> str:
    return json.dumps(to_data(results), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def results_schema() -> dict:
    return versioned_schema(CheckResults, SCHEMA_VERSION, "gap-engine check results")


def versioned_schema(model: type[BaseModel], version: int, title: str) -> dict:
    """The JSON Schema of ``model`` as written to disk: with its constant ``schema_version``."""
    schema = model.model_json_schema()
    schema["properties"]["schema_version"] = {"const": version, "type": "integer"}
    schema["required"] = [*schema.get("required", []), "schema_version"]
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = title
    return schema
