"""Markdown for memos and JSON for pipelines: structure, counts, shape, and the published results schema."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from gap_engine import api
from gap_engine.cli import main
from gap_engine.findings import CheckResults
from gap_engine.loading import load_profile
from gap_engine.reporters import REPORTERS
from gap_engine.reporters.grouping import STATUS_ORDER
from gap_engine.reporters.json_report import SCHEMA_VERSION, results_schema
from gap_engine.rules import load_rules, paper
from tests.conftest import FIXTURES, minimal_profile

EXAMPLIA = FIXTURES / "examplia_complete.yaml"
NESCIA = FIXTURES / "nescia_unknown.yaml"
NOT_COVERED = {"gap", "partial", "unknown", "reserved"}


def invoke(*args: str | Path):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def check(fmt: str, *profiles: Path) -> str:
    result = invoke("check", *profiles, "--engine", "python", "--format", fmt)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture(scope="module")
def results() -> CheckResults:
    """One run feeds both formats, so they describe the same catalogue even while rule files change."""
    return api.check([NESCIA, EXAMPLIA], engine="python")


@pytest.fixture(scope="module")
def data(results: CheckResults) -> dict:
    return json.loads(REPORTERS["json"](results))


@pytest.fixture(scope="module")
def memo(results: CheckResults) -> str:
    return REPORTERS["markdown"](results)


# --- a small JSON Schema checker: just the keywords `schema --results` uses ------------------------


def schema_errors(value: Any, schema: dict, root: dict, path: str = "$") -> list[str]:
    """Every place ``value`` breaks ``schema``; also flags object fields the schema does not declare."""
    if "$ref" in schema:
        name = schema["$ref"].removeprefix("#/$defs/")
        return schema_errors(value, root["$defs"][name], root, path)
    if "anyOf" in schema:
        options = [schema_errors(value, option, root, path) for option in schema["anyOf"]]
        return [] if any(not o for o in options) else [f"{path}: matches no anyOf option ({options})"]
    errors: list[str] = []
    kinds = {"object": dict, "array": list, "string": str, "integer": int, "number": (int, float), "boolean": bool}
    expected = schema.get("type")
    if expected == "null":
        return [] if value is None else [f"{path}: expected null"]
    if expected and (not isinstance(value, kinds[expected]) or (expected == "integer" and isinstance(value, bool))):
        return [f"{path}: expected {expected}, got {type(value).__name__}"]
    if "const" in schema and value != schema["const"]:
        errors.append(f"{path}: expected {schema['const']!r}")
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{path}: {value!r} not one of {schema['enum']}")
    if schema.get("format") == "date":
        try:
            date.fromisoformat(value)
        except ValueError:
            errors.append(f"{path}: not a date")
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        errors += [f"{path}: missing {key}" for key in schema.get("required", []) if key not in value]
        extra = schema.get("additionalProperties")
        if not isinstance(extra, dict):  # a mapping of free keys (e.g. question ID -> text) declares its values' schema
            errors += [f"{path}: undeclared field {key}" for key in value if key not in properties]
        for key, item in value.items():
            if key in properties:
                errors += schema_errors(item, properties[key], root, f"{path}.{key}")
            elif isinstance(extra, dict):
                errors += schema_errors(item, extra, root, f"{path}.{key}")
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            errors += schema_errors(item, schema["items"], root, f"{path}[{index}]")
    return errors


def published_schema() -> dict:
    result = invoke("schema", "--results")
    assert result.exit_code == 0
    return json.loads(result.stdout)


# --- JSON ---------------------------------------------------------------------------------------------


def test_json_results_validate_against_the_published_schema() -> None:
    data = json.loads(check("json", NESCIA, EXAMPLIA))
    schema = published_schema()
    assert schema == json.loads(json.dumps(results_schema()))
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert schema_errors(data, schema, schema) == []


def test_the_schema_check_rejects_a_wrong_status_and_an_undeclared_field(data: dict) -> None:
    schema = published_schema()
    broken = json.loads(json.dumps(data))
    broken["profiles"][0]["findings"][0]["status"] = "probably_fine"
    broken["profiles"][0]["extra"] = 1
    errors = schema_errors(broken, schema, schema)
    assert any("status" in e for e in errors) and any("undeclared field extra" in e for e in errors)


def test_json_field_names_are_stable(data: dict) -> None:
    """Pipelines read these names; renaming one is a breaking change and must bump schema_version."""
    assert set(data) == {"engine", "packs", "profiles", "rules_hash", "rules_version", "schema_version", "tool_version"}
    assert set(data["packs"][0]) == {"id", "licence", "questions", "source", "themes", "title", "url", "version"}
    assert data["schema_version"] == SCHEMA_VERSION
    profile = data["profiles"][0]
    assert set(profile) == {"as_of", "evaluated_on", "findings", "jurisdiction", "jurisdiction_name", "source"}
    assert set(profile["findings"][0]) == {
        "articles",
        "elements",
        "evidence",
        "finding",
        "jurisdiction",
        "jurisdiction_name",
        "label",
        "missing",
        "notes",
        "pack",
        "pack_version",
        "paper_section",
        "questions",
        "recommendation",
        "replaces",
        "rule_id",
        "severity",
        "status",
        "theme",
        "title",
        "waiver",
    }


def test_json_carries_the_rule_pack_version_and_every_rule_per_profile() -> None:
    catalogue = load_rules()
    loaded = [(str(path), load_profile(path)) for path in (NESCIA, EXAMPLIA)]
    data = json.loads(REPORTERS["json"](api.check_profiles(loaded, catalogue, api.make_engine(catalogue, "python"))))
    assert data["rules_hash"] == catalogue.content_hash
    assert data["rules_version"].endswith(catalogue.content_hash)
    ids = sorted(r.id for r in catalogue.rules)
    for profile in data["profiles"]:
        assert [f["rule_id"] for f in profile["findings"]] == ids


def test_json_is_deterministic_whatever_the_order_of_the_profiles() -> None:
    catalogue = load_rules()
    engine = api.make_engine(catalogue, "python")
    loaded = [(str(path), load_profile(path)) for path in (NESCIA, EXAMPLIA)]
    first = REPORTERS["json"](api.check_profiles(loaded, catalogue, engine))
    assert first == REPORTERS["json"](api.check_profiles(loaded[::-1], catalogue, engine))


# --- Markdown -----------------------------------------------------------------------------------------


def table_rows(memo: str, heading: str) -> list[list[str]]:
    """The body rows of the first table after ``heading`` (unescaping ``\\|``)."""
    section = memo[memo.index(heading) :]
    rows = []
    for line in section.splitlines()[1:]:
        if line.startswith("|"):
            cells = [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
            rows.append(cells)
        elif rows:
            break
    return rows[2:]  # drop header and separator


def test_memo_opens_with_an_executive_summary_before_any_finding(memo: str) -> None:
    assert memo.startswith("# gap-engine report")
    summary = memo.index("## Executive summary")
    first_finding = memo.index("#### ")
    assert summary < memo.index("### By jurisdiction") < memo.index("### By theme") < first_finding


def test_memo_counts_per_country_and_per_theme_match_the_json(memo: str, data: dict) -> None:
    rows = table_rows(memo, "### By jurisdiction")
    assert len(rows) == len(data["profiles"])
    for row, profile in zip(rows, data["profiles"], strict=True):
        assert row[0] == f"{profile['jurisdiction_name']} ({profile['jurisdiction']})" and row[1] == profile["as_of"]
        assert row[2] == profile["evaluated_on"]
        assert [int(n) for n in row[3:]] == [sum(1 for f in profile["findings"] if f["status"] == s) for s in STATUS_ORDER]
    every = [f for p in data["profiles"] for f in p["findings"]]
    themed = [t for t in paper()["themes"] if any(f["theme"] == t["id"] for f in every)]
    theme_rows = table_rows(memo, "### By theme")
    assert [r[0] for r in theme_rows] == [t["title"] for t in themed]
    for row, theme in zip(theme_rows, themed, strict=True):
        assert [int(n) for n in row[1:]] == [sum(1 for f in every if f["theme"] == theme["id"] and f["status"] == s) for s in STATUS_ORDER]


def _theme_sections(memo: str) -> dict[str, dict[str, str]]:
    """theme title -> jurisdiction heading -> its part of the memo."""
    sections: dict[str, dict[str, str]] = {}
    for part in memo.split("\n## ")[2:]:
        title, _, body = part.partition("\n")
        if title == "Parties by rule":
            continue
        sections[title] = {sub.split("\n", 1)[0]: sub for sub in body.split("\n### ")[1:]}
    return sections


def test_memo_explains_each_gap_with_evidence_and_recommendation(memo: str, data: dict) -> None:
    sections = _theme_sections(memo)
    titles = {t["id"]: t["title"] for t in paper()["themes"]}
    for profile in data["profiles"]:
        name = f"{profile['jurisdiction_name']} ({profile['jurisdiction']}), law as of {profile['as_of']}"
        name += f", evaluated on {profile['evaluated_on']}"
        for finding in profile["findings"]:
            heading = f"#### {finding['rule_id']} — {finding['title']}: **{finding['status']}**"
            section = sections.get(titles[finding["theme"]], {}).get(name, "")
            if finding["status"] not in NOT_COVERED:
                assert heading not in section
                continue
            block = section[section.index(heading) :].split("\n#### ")[0]
            assert finding["finding"] in block
            assert f"Recommendation: {finding['recommendation']}" in block
            for missing in finding["missing"]:
                assert f"- {missing}" in block
            for item in finding["evidence"]:
                assert item["ref"] in block
            for note in finding["notes"]:
                assert f"- {note}" in block


def test_memo_groups_findings_by_theme_in_paper_order_then_by_jurisdiction(memo: str, data: dict) -> None:
    titles = [t["title"] for t in paper()["themes"]]
    shown = [line[3:] for line in memo.split("## Executive summary", 1)[1].splitlines() if line.startswith("## ")]
    assert shown[0] == "Parties by rule"  # the comparative view comes right after the executive summary
    shown = shown[1:]
    assert shown and shown == [t for t in titles if t in shown]
    order = [
        f"{p['jurisdiction_name']} ({p['jurisdiction']}), law as of {p['as_of']}, evaluated on {p['evaluated_on']}"
        for p in data["profiles"]
    ]
    for jurisdictions in _theme_sections(memo).values():
        assert list(jurisdictions) == [name for name in order if name in jurisdictions]


def test_a_pipe_in_a_jurisdiction_name_does_not_break_the_summary_table(tmp_path: Path) -> None:
    profile = tmp_path / "pipe.yaml"
    profile.write_text(json.dumps(minimal_profile(jurisdiction={"code": "XT", "name": "North | South"})), encoding="utf-8")
    memo = check("markdown", profile)
    rows = table_rows(memo, "### By jurisdiction")
    assert rows[0][0] == "North | South (XT)" and len(rows[0]) == 3 + len(STATUS_ORDER)
