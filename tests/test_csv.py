"""CSV (--csv): one row per finding, matching the JSON results, with formula-like text escaped."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from gap_engine import api
from gap_engine.cells import csv_safe
from gap_engine.cli import main
from gap_engine.reporters import csv_report
from tests.conftest import FIXTURES, minimal_profile

EXAMPLIA = FIXTURES / "examplia_complete.yaml"
NESCIA = FIXTURES / "nescia_unknown.yaml"


def invoke(*args: str | Path):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_one_row_per_finding_matching_the_json_results(tmp_path: Path) -> None:
    target = tmp_path / "findings.csv"
    result = invoke("check", NESCIA, EXAMPLIA, "--engine", "python", "--format", "json", "--csv", target)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    rows = read_rows(target)
    expected = [(p["jurisdiction"], f["rule_id"], f["status"], f["pack"]) for p in data["profiles"] for f in p["findings"]]
    assert [(r["jurisdiction"], r["rule_id"], r["status"], r["pack"]) for r in rows] == expected
    assert list(rows[0]) == list(csv_report.COLUMNS)
    findings = [f for p in data["profiles"] for f in p["findings"]]
    for row, finding in zip(rows, findings, strict=True):
        assert row["missing"] == "; ".join(finding["missing"])
        assert row["evidence_urls"] == "; ".join(e["url"] for e in finding["evidence"] if e["url"])
        assert row["recommendation"] == finding["recommendation"]


def test_csv_opens_in_excel_with_accents_and_standard_line_ends(tmp_path: Path) -> None:
    text = csv_report.render(api.check([EXAMPLIA], engine="python"))
    assert text.startswith("\ufeffjurisdiction,")
    assert text.endswith("\r\n")


@pytest.mark.parametrize("value", ["=1+2", "+41 22", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"])
def test_formula_like_text_gets_a_leading_apostrophe(value: str) -> None:
    # ("\t=cmd" also gets one before the "=", which opens a cell in a tab-separated reader: tests/test_hardening_outputs.py)
    assert csv_safe(value) == "'" + value
    assert csv_safe("Examplia") == "Examplia"
    assert csv_safe(None) == ""


def test_profile_text_that_looks_like_a_formula_is_escaped_in_the_file(tmp_path: Path) -> None:
    hostile = '=HYPERLINK("https://evil.example/","click")'
    profile = tmp_path / "hostile.yaml"
    profile.write_text(json.dumps(minimal_profile(jurisdiction={"code": "XT", "name": hostile})), encoding="utf-8")
    target = tmp_path / "findings.csv"
    result = invoke("check", profile, "--engine", "python", "--csv", target)
    assert result.exit_code == 0, result.output
    rows = read_rows(target)
    assert rows and all(r["jurisdiction_name"] == "'" + hostile for r in rows)
    assert not any(value.startswith(("=", "+", "-", "@")) for r in rows for value in r.values())


def test_control_characters_are_escaped() -> None:
    results = api.check([NESCIA], engine="python")
    profile = results.profiles[0].model_copy(update={"jurisdiction_name": "Nes\x07cia"})
    text = csv_report.render(results.model_copy(update={"profiles": [profile]}))
    assert "\x07" not in text and "Nes\\x07cia" in text


def test_unwritable_csv_target_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "missing-dir" / "findings.csv"
    result = invoke("check", EXAMPLIA, "--engine", "python", "--csv", target)
    assert result.exit_code == 2 and "does not exist" in result.stderr
    assert not target.parent.exists()
