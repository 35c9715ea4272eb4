"""The example rule pack of docs/rule-packs.md loads, passes its cases, checks the fixtures and
shows its own themes in the workbook, as the documentation promises."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from openpyxl import load_workbook

from gap_engine.cli import main
from tests.conftest import FIXTURES, ROOT

PACK = ROOT / "examples" / "model-law-pack"


def run(*args: str) -> object:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_the_example_pack_passes_its_own_cases() -> None:
    result = run("rules", "test", "--rules", str(PACK), "--pack", "model-law-example")
    assert result.exit_code == 0 and result.output.strip() == "21 of 21 rule cases pass"


def test_the_example_pack_checks_every_fixture_with_its_band() -> None:
    fixtures = sorted(str(p) for p in FIXTURES.glob("*.yaml"))
    result = run("check", *fixtures, "--rules", str(PACK), "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert [p["id"] for p in data["packs"]] == ["builtin", "model-law-example"]
    bands = {p["jurisdiction"]: next(f for f in p["findings"] if f["rule_id"] == "MLX-010") for p in data["profiles"]}
    assert len(bands) == len(fixtures)
    assert (bands["XA"]["status"], bands["XA"]["label"]) == ("covered", "sufficient")
    assert (bands["XB"]["status"], bands["XB"]["label"]) == ("unknown", "not yet known")
    assert (bands["NL"]["status"], bands["NL"]["label"]) == ("partial", "partly sufficient")


def test_the_workbook_shows_the_packs_themes(tmp_path: Path) -> None:
    target = tmp_path / "gaps.xlsx"
    fixtures = [str(FIXTURES / "nl_netherlands.yaml"), str(FIXTURES / "examplia_complete.yaml")]
    assert run("check", *fixtures, "--no-builtin", "--rules", str(PACK), "--xlsx", str(target)).exit_code == 0
    workbook = load_workbook(target)
    themes = [c.value for c in workbook["Summary"][1] if c.value]
    assert themes[1:4] == ["Model law: offences", "Model law: online services and victims", "Model law: overall band"]
    rules = {row[0]: row for row in workbook["Rules"].iter_rows(min_row=2, values_only=True)}
    assert sorted(rules) == ["MLX-001", "MLX-002", "MLX-003", "MLX-004", "MLX-005", "MLX-006", "MLX-010"]
    about = "\n".join(str(c.value) for row in workbook["About"].iter_rows() for c in row if c.value)
    assert "Rule pack model-law-example 1.0.0" in about and "Licence: CC0-1.0" in about


def test_the_example_pack_is_traced_against_its_own_source() -> None:
    result = run("rules", "trace", "--no-builtin", "--rules", str(PACK))
    assert result.exit_code == 0 and "NO RULE" not in result.output
    assert "== pack model-law-example 1.0.0" in result.output


def test_the_example_packs_facts_round_trip_through_the_questionnaire(tmp_path: Path) -> None:
    profile = tmp_path / "with_facts.yaml"
    extensions = (
        "extensions:\n  model-law-example:\n"
        "    csam_defined: {answer: partial, citation: {instrument: Criminal Code, provision: 's. 240b'}, note: Realistic images only.}\n"
        "    reports_received_per_year: 1200\n    statistics_published_on: 2024-03-01\n"
    )
    profile.write_text((FIXTURES / "nl_netherlands.yaml").read_text(encoding="utf-8") + extensions, encoding="utf-8")
    checked = json.loads(run("check", str(profile), "--rules", str(PACK), "--format", "json").output)
    mlx_006 = next(f for f in checked["profiles"][0]["findings"] if f["rule_id"] == "MLX-006")
    assert mlx_006["status"] == "partial"
    workbook = tmp_path / "questionnaire.xlsx"
    assert run("template", "--xlsx", str(workbook), "--from", str(profile), "--rules", str(PACK)).exit_code == 0
    back = tmp_path / "back.yaml"
    result = run("import", str(workbook), "-o", str(back), "--rules", str(PACK))
    assert result.exit_code == 0, result.output
    from gap_engine.loading import load_profile

    assert load_profile(back).extensions == load_profile(profile).extensions
