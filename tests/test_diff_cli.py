"""`gap-engine diff`: inputs (profiles, results JSON, dates), formats, the workbook, --fail-on and bad input."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from gap_engine.cli import DIFF_FORMATS, main
from gap_engine.reporters import DIFF_REPORTERS
from gap_engine.reporters.diff_json import DIFF_SCHEMA_VERSION, diff_schema
from tests.conftest import FIXTURES, ROOT, minimal_profile
from tests.test_markdown_json import schema_errors

NL = str(FIXTURES / "nl_netherlands.yaml")
SE = str(FIXTURES / "se_sweden.yaml")


def invoke(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def nl_copy(tmp_path_factory: pytest.TempPathFactory) -> str:
    """TEST COPY of the NL fixture with as_of 2024-07-01, not researched law (see test_diff.py)."""
    text = (FIXTURES / "nl_netherlands.yaml").read_text(encoding="utf-8")
    path = tmp_path_factory.mktemp("nl") / "nl_TEST_COPY.yaml"
    path.write_text("# TEST COPY, not researched law\n" + text.replace("\nas_of: 2024-06-30\n", "\nas_of: 2024-07-01\n"), encoding="utf-8")
    return str(path)


@pytest.fixture(scope="module")
def results_json(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Results of NL and SE as `check --format json` writes them."""
    path = tmp_path_factory.mktemp("results") / "results.json"
    assert invoke("check", NL, SE, "--format", "json", "-o", str(path)).exit_code == 0
    return str(path)


# --- text, Markdown, JSON ---------------------------------------------------------------------------


def test_text_lists_what_moved_and_counts_the_rest(nl_copy: str) -> None:
    result = invoke("diff", NL, nl_copy)
    assert result.exit_code == 0
    out = result.output
    assert "Rule-pack changes: none" in out
    assert "Netherlands (NL) — evaluated on 2024-06-30 -> 2024-07-01\n  1 improved, 76 unchanged" in out
    assert "IMPROVED      LIVE-008  Reported sexual images of children" in out
    assert "- regulation.platforms.removal_deadline = yes: gap -> partial" in out
    assert "* regulation.platforms.removal_deadline entered into force on 2024-07-01: no -> partial" in out
    assert "GAI-011" not in out  # unchanged: counted, not listed


def test_markdown_memo(nl_copy: str) -> None:
    out = invoke("diff", NL, nl_copy, "--format", "markdown").output
    assert out.startswith("# gap-engine diff\n")
    assert "| Netherlands (NL) | 2024-06-30 → 2024-07-01 | 0 | 0 | 1 | 0 | 0 | 0 | 76 |" in out
    assert "### LIVE-008 — Reported sexual images" in out and "gap → partial (**improved**)" in out
    assert "None: both sides ran the same rules." in out
    assert "<https://www.njb.nl/wetgeving/staatsbladen/verwijderen-online-kinderpornografisch-materiaal/>" in out


def test_json_keeps_unchanged_findings_and_validates_against_the_published_schema(nl_copy: str) -> None:
    data = json.loads(invoke("diff", NL, nl_copy, "--format", "json").output)
    assert data["schema_version"] == DIFF_SCHEMA_VERSION
    (jurisdiction,) = data["jurisdictions"]
    assert len(jurisdiction["findings"]) == 77
    directions = {f["rule_id"]: f["direction"] for f in jurisdiction["findings"]}
    assert directions["LIVE-008"] == "improved" and directions["GAI-011"] == "unchanged"
    schema = json.loads(invoke("schema", "--diff").output)
    assert schema == json.loads(json.dumps(diff_schema()))
    assert schema_errors(data, schema, schema) == []
    data["jurisdictions"][0]["findings"][0]["direction"] = "sideways"
    assert any("direction" in e for e in schema_errors(data, schema, schema))


def test_published_diff_schema_is_up_to_date() -> None:
    committed = (ROOT / "docs" / "diff.schema.json").read_text()
    assert committed == invoke("schema", "--diff").output, "run `make docs` to regenerate docs/diff.schema.json"


def test_diff_formats_mirror_the_reporters() -> None:
    assert set(DIFF_FORMATS) == set(DIFF_REPORTERS)


def test_same_inputs_same_bytes(nl_copy: str, tmp_path: Path) -> None:
    for fmt in DIFF_FORMATS:
        first, second = tmp_path / f"a.{fmt}", tmp_path / f"b.{fmt}"
        assert invoke("diff", NL, nl_copy, "--format", fmt, "-o", str(first)).exit_code == 0
        assert invoke("diff", NL, nl_copy, "--format", fmt, "-o", str(second)).exit_code == 0
        assert first.read_bytes() == second.read_bytes()


# --- sides: results JSON, one profile at two dates ---------------------------------------------------


def test_results_json_against_its_profile_is_unchanged_and_the_other_jurisdiction_removed(results_json: str) -> None:
    result = invoke("diff", results_json, NL, "--fail-on", "regression")
    assert result.exit_code == 0
    assert "Rule-pack changes: none" in result.output
    assert "Netherlands (NL) — evaluated on 2024-06-30\n  77 unchanged" in result.output
    assert "Jurisdictions removed (OLD only)\n  Sweden (SE) — law as of 2021-07-01" in result.output
    assert invoke("diff", results_json, NL, "--fail-on", "change").exit_code == 1  # Sweden is gone


def test_one_profile_at_two_dates(tmp_path: Path) -> None:
    profile = tmp_path / "p.yaml"
    data = minimal_profile(
        regulation={"platforms": {"removal_deadline": {"answer": "yes", "citation": {"instrument": "Act", "in_force": "2024-01-01"}}}}
    )
    profile.write_text(json.dumps(data))  # JSON is YAML: a profile need not be named .yaml
    out = invoke("diff", str(profile), "--as-of-old", "2023-12-31", "--select", "LIVE-008", "--format", "json").output
    data = json.loads(out)
    (jurisdiction,) = data["jurisdictions"]
    assert (jurisdiction["evaluated_on_before"], jurisdiction["evaluated_on_after"]) == ("2023-12-31", "2024-10-01")
    (element,) = jurisdiction["findings"][0]["elements"]
    assert element["evidence"][0]["change"] == "entered_into_force"
    assert data["old"]["kind"] == data["new"]["kind"] == "profile"


# --- --fail-on -------------------------------------------------------------------------------------


def test_fail_on_regression(nl_copy: str) -> None:
    assert invoke("diff", NL, nl_copy, "--fail-on", "regression").exit_code == 0  # an improvement
    backwards = invoke("diff", nl_copy, NL, "--fail-on", "regression")
    assert backwards.exit_code == 1
    assert "REGRESSED     LIVE-008" in backwards.output
    assert invoke("diff", nl_copy, NL).exit_code == 0  # without --fail-on, a regression is reported, not failed


def test_fail_on_change() -> None:
    assert invoke("diff", NL, NL, "--fail-on", "change").exit_code == 0
    assert invoke("diff", NL, "--as-of-old", "2024-01-01", "--fail-on", "change").exit_code == 1


# --- the workbook ----------------------------------------------------------------------------------


def test_xlsx_changes_sheet(nl_copy: str, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    target = tmp_path / "diff.xlsx"
    result = invoke("diff", nl_copy, NL, "--xlsx", str(target))
    assert result.exit_code == 0
    workbook = load_workbook(target)
    assert workbook.sheetnames == ["Changes", "Rule changes", "About"]
    rows = list(workbook["Changes"].iter_rows(values_only=True))
    assert rows[0][:7] == ("Code", "Jurisdiction", "Rule ID", "Title", "Direction", "Before", "After")
    assert len(rows) == 2  # one changed finding
    row = rows[1]
    assert row[:3] == ("NL", "Netherlands", "LIVE-008") and row[4:7] == ("regressed", "partial", "gap")
    assert row[7] == "regulation.platforms.removal_deadline = yes: partial -> gap"
    assert row[8].startswith("regulation.platforms.removal_deadline not in force on 2024-06-30")
    formats = workbook["Changes"].conditional_formatting
    formulas = {rule.formula[0]: rule.dxf.fill.fgColor.rgb for entry in formats for rule in entry.rules}
    assert formulas['$E2="regressed"'].endswith("FFC7CE") and formulas['$E2="improved"'].endswith("C6EFCE")
    assert formulas['$E2="rule changed"'].endswith("BDD7EE")
    assert [str(entry.sqref) for entry in formats] == ["A2:K2"]
    assert workbook["Rule changes"]["A2"].value == "No rule changed: both sides ran the same rules."


def test_xlsx_is_byte_identical_and_keeps_formula_like_text_as_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from openpyxl import load_workbook

    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    name = {"code": "XT", "name": '=HYPERLINK("http://evil.example","x")'}
    old.write_text(json.dumps(minimal_profile(jurisdiction=name, regulation={"platforms": {"removal_deadline": "no"}})))
    new.write_text(json.dumps(minimal_profile(jurisdiction=name, regulation={"platforms": {"removal_deadline": "yes"}})))
    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    assert invoke("diff", str(old), str(new), "--select", "LIVE-008", "--xlsx", str(first)).exit_code == 0
    assert invoke("diff", str(old), str(new), "--select", "LIVE-008", "--xlsx", str(second)).exit_code == 0
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2024, 10, 1, 0, 0, 0)}  # the latest as_of, not the clock
    cell = load_workbook(first)["Changes"]["B2"]
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK") and cell.quotePrefix
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert invoke("diff", str(old), str(new), "--select", "LIVE-008", "--xlsx", str(second)).exit_code == 0
    with zipfile.ZipFile(second) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2023, 11, 14, 22, 13, 20)}


# --- bad input: exit 2, located ---------------------------------------------------------------------


def test_a_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "gone.yaml"
    result = invoke("diff", str(missing), NL)
    assert result.exit_code == 2
    assert result.output == f"Error: {missing}: file not found (check the path)\n"


def test_results_of_another_schema_version(results_json: str, tmp_path: Path) -> None:
    text = Path(results_json).read_text(encoding="utf-8")
    old = tmp_path / "old.json"
    assert '"schema_version": 4' in text
    old.write_text(text.replace('"schema_version": 4', '"schema_version": 2'), encoding="utf-8")
    line = text[: text.index('"schema_version"')].count("\n") + 1
    result = invoke("diff", str(old), NL)
    assert result.exit_code == 2
    assert result.output == (
        f"Error: {old}:{line}: schema_version: results schema_version 2 is not supported: this gap-engine reads schema_version 3 or 4 "
        "(write them again with `gap-engine check --format json`, which writes schema_version 4)\n"
    )


def test_results_of_schema_version_3_read_as_without_waivers(results_json: str, tmp_path: Path) -> None:
    data = json.loads(Path(results_json).read_text(encoding="utf-8"))
    data["schema_version"] = 3
    for profile in data["profiles"]:
        for finding in profile["findings"]:
            del finding["waiver"]
    old = tmp_path / "round-3.json"
    old.write_text(json.dumps(data), encoding="utf-8")
    result = invoke("diff", str(old), results_json)
    assert result.exit_code == 0, result.output


def test_broken_results(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"schema_version": 3,\n  "profiles": [\n')
    result = invoke("diff", str(broken), NL)
    assert result.exit_code == 2 and result.output.startswith(f"Error: {broken}:3:1: not valid JSON: ")
    wrong = tmp_path / "wrong.json"
    wrong.write_text('{"schema_version": 3, "tool_version": "0.1.0", "rules_version": "x", "rules_hash": "x", "engine": "python",\n'
                     ' "profiles": [{"jurisdiction": "NL"}]}')  # fmt: skip
    result = invoke("diff", str(wrong), NL)
    assert result.exit_code == 2
    assert f"Error: {wrong}:2:15: profiles[0].as_of: required field is missing" in result.output


def test_a_date_after_the_profiles_as_of() -> None:
    line = (FIXTURES / "nl_netherlands.yaml").read_text().split("\n").index("as_of: 2024-06-30") + 1
    result = invoke("diff", NL, "--as-of-old", "2024-01-01", "--as-of-new", "2024-07-01")
    assert result.exit_code == 2
    assert result.output == (
        f"Error: {NL}:{line}:1: as_of: --as-of-new 2024-07-01 is after the profile's as_of 2024-06-30: the profile does not "
        "describe the law on that date (give --as-of-new 2024-06-30 or an earlier date, or update the profile to describe "
        "the later law)\n"
    )


def test_a_date_for_results_and_rules_for_results_only(results_json: str) -> None:
    result = invoke("diff", results_json, NL, "--as-of-old", "2024-01-01")
    assert result.exit_code == 2
    assert f"Error: --as-of-old: {results_json} holds results already evaluated; a date applies to a profile only" in result.output
    result = invoke("diff", results_json, results_json, "--select", "GAI-001")
    assert result.exit_code == 2 and "Error: --rules: both sides are results files" in result.output


def test_one_file_without_a_date() -> None:
    result = invoke("diff", NL)
    assert result.exit_code == 2
    assert (
        result.output == "Error: NEW: not given (give OLD and NEW, or PROFILE with --as-of-old DATE to compare one profile at two dates)\n"
    )


def test_outputs_onto_an_input_or_onto_one_file_are_refused(nl_copy: str, tmp_path: Path) -> None:
    before = Path(nl_copy).read_bytes()
    result = invoke("diff", NL, nl_copy, "-o", nl_copy)
    assert result.exit_code == 2 and "output path is one of the inputs" in result.output
    assert Path(nl_copy).read_bytes() == before
    target = tmp_path / "same"
    result = invoke("diff", NL, nl_copy, "-o", str(target), "--xlsx", str(target))
    assert result.exit_code == 2 and "the same file is named for two outputs" in result.output


def test_the_readme_example_is_what_diff_prints(monkeypatch: pytest.MonkeyPatch) -> None:
    import re

    monkeypatch.chdir(ROOT)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    command = "gap-engine diff fixtures/gb_united_kingdom.yaml --as-of-old 2024-04-28 --select IOT-003"
    block = readme.split(f"$ {command}\n", 1)[1].split("```", 1)[0]
    result = CliRunner().invoke(main, command.split()[1:], catch_exceptions=False)
    assert result.exit_code == 0

    def unhashed(text: str) -> str:  # the rules hash changes with every rule edit
        return re.sub(r"\+[0-9a-f]{16}", "+HASH", text)

    assert unhashed(block) == unhashed(result.output)
