"""Waivers (--waivers): validated like profiles, applied after the findings without changing a status,
shown in every output, active only between accepted_on and expires on the evaluation date, and
ignored by --fail-on only while active.

The Netherlands fixture (law as of 2024-06-30) has three gaps: GAI-011 and GAI-017 (non-realistic
depictions) and LIVE-008 (the removal deadline takes effect on 2024-07-01).
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from gap_engine import api
from gap_engine.cli import main
from gap_engine.errors import InputErrors
from gap_engine.findings import CheckResults
from gap_engine.reporters import REPORTERS, csv_report
from gap_engine.rules import load_rules
from gap_engine.waivers import apply_waivers, parse_waivers
from tests.conftest import FIXTURES, ROOT, write_manifest

NL = FIXTURES / "nl_netherlands.yaml"
FR = FIXTURES / "fr_france.yaml"
ENGINE = ("--engine", "python")
NL_GAPS = ("GAI-011", "GAI-017", "LIVE-008")


def waiver(
    rule: str = "GAI-011", jurisdiction: str = "NL", accepted_on: str = "2024-06-01", expires: str = "2025-06-30", **extra: str
) -> str:
    """One waiver entry as YAML text, its keys in the documented order."""
    fields = {
        "jurisdiction": jurisdiction,
        "rule": rule,
        "justification": f'"Bill before Parliament ({rule})."',
        "accepted_by": '"Ministry of Justice"',
        "accepted_on": accepted_on,
        "expires": expires,
        **extra,
    }
    lines = [f"{key}: {value}" for key, value in fields.items() if value != "-"]
    return "  - " + "\n    ".join(lines) + "\n"


def waiver_file(tmp_path: Path, *entries: str, name: str = "waivers.yaml") -> Path:
    path = tmp_path / name
    path.write_text("waivers:\n" + "".join(entries), encoding="utf-8")
    return path


def invoke(*args: str | Path) -> Any:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def catalogue() -> Any:
    return load_rules()


@pytest.fixture(scope="module")
def nl_results(catalogue: Any) -> CheckResults:
    return api.check([NL], engine="python", catalogue=catalogue)


def waived(results: CheckResults, text: str, catalogue: Any) -> tuple[CheckResults, list[str]]:
    return apply_waivers(results, parse_waivers("waivers:\n" + text, catalogue, "w.yaml"))


def errors_of(text: str, catalogue: Any) -> list[str]:
    with pytest.raises(InputErrors) as caught:
        parse_waivers("waivers:\n" + text, catalogue, "w.yaml")
    return [str(e) for e in caught.value.errors]


# --- validation: each error with file, line and field -------------------------------------------------


def test_an_unknown_field_is_named_with_its_line_and_the_nearest_field(catalogue: Any) -> None:
    assert errors_of(waiver(justificaton='"typo"'), catalogue) == [
        "w.yaml:8:5: waivers[0].justificaton: unknown field 'justificaton' (did you mean 'justification'?)"
    ]


def test_a_missing_field_is_named(catalogue: Any) -> None:
    assert errors_of(waiver(accepted_by="-"), catalogue) == [
        "w.yaml:2:5: waivers[0].accepted_by: required field is missing (add 'accepted_by:')"
    ]


def test_a_date_that_is_not_one_is_an_error_on_its_line(catalogue: Any) -> None:
    (error,) = errors_of(waiver(expires="2025-13-01"), catalogue)
    assert error.startswith("w.yaml:7:5: waivers[0].expires: ")


def test_a_rule_that_is_not_loaded_gets_the_nearest_id(catalogue: Any) -> None:
    assert errors_of(waiver(rule="GAI-111"), catalogue) == ["w.yaml:3:5: waivers[0].rule: no loaded rule GAI-111 (did you mean 'GAI-011'?)"]


def test_a_retired_rule_names_its_successors(catalogue: Any) -> None:
    retired = next(r for r in catalogue.retired if r.replaced_by)
    successors = ", ".join(retired.replaced_by)
    assert errors_of(waiver(rule=retired.id), catalogue) == [
        f"w.yaml:3:5: waivers[0].rule: rule {retired.id} is retired (its content moved to {successors}; name those instead)"
    ]


@pytest.mark.parametrize("rule", ["GAI-011", "CC-001"])
def test_a_rule_left_out_by_select_or_skip_is_a_warning_not_an_error(nl_results: CheckResults, rule: str) -> None:
    """One waiver file serves runs with other selections: a rule that does not run this time is named, not refused."""
    selected = load_rules(select=["GAI-001"], skip=[])
    waivers = parse_waivers("waivers:\n" + waiver(rule=rule), selected, "w.yaml")
    _, notices = apply_waivers(nl_results, waivers)
    assert notices == [
        f"warning: w.yaml:2: waiver for NL {rule}: rule {rule} does not run: --select/--skip leaves it out; it applies to nothing"
    ]


def test_a_rule_replaced_by_a_pack_rule_is_a_warning_naming_the_replacement(tmp_path: Path, nl_results: CheckResults) -> None:
    pack = write_manifest(tmp_path / "pack")
    (pack / "rules.yaml").write_text(
        "theme: test_theme\nrules:\n  - id: TP-001\n    title: A stricter GAI-011\n    questions: [TP-Q1]\n"
        "    articles: ['20(1)(a)']\n    severity: obligation\n    replaces: [GAI-011]\n"
        "    condition: {offence: {conduct: producing, material: non_realistic_depiction}}\n"
        "    finding: A finding.\n    recommendation: A recommendation.\n"
        "    cases: [{name: unknown_when_nothing_stated, profile: {}, expect: unknown}]\n",
        encoding="utf-8",
    )
    catalogue = load_rules([pack])
    _, notices = apply_waivers(nl_results, parse_waivers("waivers:\n" + waiver(), catalogue, "w.yaml"))
    assert notices == ["warning: w.yaml:2: waiver for NL GAI-011: rule GAI-011 is replaced by TP-001 in this run; it applies to nothing"]


def test_two_waivers_for_the_same_jurisdiction_and_rule_are_refused(catalogue: Any) -> None:
    assert errors_of(waiver() + waiver(expires="2026-01-01"), catalogue) == [
        "w.yaml:9:5: waivers[1].rule: a second waiver for NL GAI-011 (the first is at line 2) (keep one waiver per jurisdiction and rule)"
    ]


def test_expires_before_accepted_on_is_refused(catalogue: Any) -> None:
    assert errors_of(waiver(accepted_on="2024-09-01", expires="2024-08-31"), catalogue) == [
        "w.yaml:7:5: waivers[0].expires: expires (2024-08-31) is before accepted_on (2024-09-01) "
        "(a waiver applies from accepted_on to expires, both included)"
    ]


def test_every_error_of_a_file_is_reported_at_once(catalogue: Any) -> None:
    errors = errors_of(waiver(rule="GAI-111") + waiver(accepted_on="2024-09-01", expires="2024-08-31"), catalogue)
    assert [e.split(": ")[1] for e in errors] == ["waivers[0].rule", "waivers[1].expires"]


def test_a_file_that_is_not_a_mapping_is_refused(catalogue: Any) -> None:
    with pytest.raises(InputErrors) as caught:
        parse_waivers("- NL\n", catalogue, "w.yaml")
    assert str(caught.value) == "w.yaml:1:1: a waiver file must be a mapping with 'waivers:', found list (start with 'waivers:')"


def test_the_cli_exits_2_with_every_error_and_writes_nothing(tmp_path: Path) -> None:
    path = waiver_file(tmp_path, waiver(rule="GAI-111"), waiver(rule="GAI-111", expires="2024-01-01"))
    csv_target = tmp_path / "out.csv"
    result = invoke("check", NL, *ENGINE, "--waivers", path, "--csv", csv_target)
    assert result.exit_code == 2
    lines = result.output.splitlines()
    assert f"Error: {path}:3:5: waivers[0].rule: no loaded rule GAI-111 (did you mean 'GAI-011'?)" in lines
    assert any(line.startswith(f"Error: {path}:9:5: waivers[1].rule: a second waiver") for line in lines)
    assert any(line.startswith(f"Error: {path}:13:5: waivers[1].expires: expires (2024-01-01) is before") for line in lines)
    assert not csv_target.exists()


def test_a_missing_waiver_file_exits_2(tmp_path: Path) -> None:
    result = invoke("check", NL, *ENGINE, "--waivers", tmp_path / "none.yaml")
    assert result.exit_code == 2 and "none.yaml: file not found" in result.output


def test_a_jurisdiction_not_checked_is_a_warning_not_an_error(tmp_path: Path) -> None:
    path = waiver_file(tmp_path, waiver(), waiver(jurisdiction="DE"))
    result = invoke("check", NL, *ENGINE, "--waivers", path)
    assert result.exit_code == 0
    assert f"warning: {path}:8: waiver for DE GAI-011: no profile of DE was checked; it applies to nothing" in result.stderr
    assert "» waived until 2025-06-30" in result.stdout


def test_the_waiver_file_is_never_overwritten(tmp_path: Path) -> None:
    path = waiver_file(tmp_path, waiver())
    before = path.read_bytes()
    result = invoke("check", NL, *ENGINE, "--waivers", path, "--csv", path)
    assert result.exit_code == 2 and "output path is one of the inputs" in result.output
    assert path.read_bytes() == before


# --- applying: statuses unchanged, active between the two dates on the evaluation date ----------------


def test_waivers_never_change_a_status(nl_results: CheckResults, catalogue: Any) -> None:
    results, _ = waived(nl_results, "".join(waiver(rule) for rule in NL_GAPS) + waiver("GAI-001"), catalogue)
    assert [(f.rule_id, f.status) for f in results.all_findings()] == [(f.rule_id, f.status) for f in nl_results.all_findings()]
    assert {f.rule_id for f in results.all_findings() if f.waiver} == {*NL_GAPS, "GAI-001"}
    assert all(f.waiver is None for f in nl_results.all_findings())  # the original results are untouched


@pytest.mark.parametrize(
    ("accepted_on", "expires", "state"),
    [
        ("2024-06-01", "2025-06-30", "active"),
        ("2024-06-30", "2024-06-30", "active"),  # both ends included: NL is evaluated on 2024-06-30
        ("2024-01-01", "2024-06-29", "expired"),
        ("2024-07-01", "2025-06-30", "not_yet_accepted"),
    ],
)
def test_a_waiver_is_active_only_between_its_dates_on_the_evaluation_date(
    nl_results: CheckResults, catalogue: Any, accepted_on: str, expires: str, state: str
) -> None:
    results, notices = waived(nl_results, waiver(accepted_on=accepted_on, expires=expires), catalogue)
    finding = next(f for f in results.all_findings() if f.rule_id == "GAI-011")
    assert finding.waiver is not None and finding.waiver.state == state
    assert finding.waiver.active is (state == "active") and finding.waived is (state == "active")
    assert finding.waiver.source == "w.yaml:2"
    if state == "active":
        assert notices == []
    else:
        (notice,) = notices
        assert notice.startswith("notice: w.yaml:2: NL GAI-011 (") and "evaluated on 2024-06-30" in notice


def test_an_expired_waiver_is_reported_on_the_finding_and_on_stderr(tmp_path: Path) -> None:
    path = waiver_file(tmp_path, waiver(accepted_on="2024-01-01", expires="2024-06-29"))
    result = invoke("check", NL, *ENGINE, "--waivers", path)
    assert result.exit_code == 0
    assert "waiver expired on 2024-06-29 (no longer applies)" in result.stdout
    assert f"notice: {path}:2: NL GAI-011 ({NL}, evaluated on 2024-06-30): waiver expired on 2024-06-29 (no longer applies)" in (
        result.stderr
    )


def test_an_earlier_as_of_date_can_precede_the_waiver(tmp_path: Path) -> None:
    """The evaluation date, not the profile's as_of, decides: on 2024-05-01 the waiver is not yet accepted."""
    path = waiver_file(tmp_path, waiver())
    result = invoke("check", NL, *ENGINE, "--waivers", path, "--as-of", "2024-05-01", "--format", "json")
    finding = next(f for f in json.loads(result.stdout)["profiles"][0]["findings"] if f["rule_id"] == "GAI-011")
    assert finding["waiver"]["state"] == "not_yet_accepted" and finding["waiver"]["active"] is False
    assert "waiver accepted only from 2024-06-01 (does not apply yet)" in result.stderr


# --- --fail-on --------------------------------------------------------------------------------------------


def test_fail_on_ignores_findings_under_an_active_waiver(tmp_path: Path) -> None:
    assert invoke("check", NL, *ENGINE, "--fail-on", "gap").exit_code == 1
    every = waiver_file(tmp_path, *(waiver(rule) for rule in NL_GAPS))
    assert invoke("check", NL, *ENGINE, "--fail-on", "gap", "--waivers", every).exit_code == 0
    # partial findings are not waived, so --fail-on partial still fails
    assert invoke("check", NL, *ENGINE, "--fail-on", "partial", "--waivers", every).exit_code == 1


def test_fail_on_counts_a_finding_whose_waiver_has_expired(tmp_path: Path) -> None:
    entries = [waiver("GAI-011"), waiver("GAI-017"), waiver("LIVE-008", accepted_on="2024-01-01", expires="2024-06-29")]
    path = waiver_file(tmp_path, *entries)
    assert invoke("check", NL, *ENGINE, "--fail-on", "gap", "--waivers", path).exit_code == 1


def test_fail_on_counts_the_same_rule_for_a_jurisdiction_without_a_waiver(tmp_path: Path) -> None:
    """A waiver is per jurisdiction: a gap elsewhere on the same rule still fails the run."""
    gb = FIXTURES / "gb_united_kingdom.yaml"
    (gb_gap,) = [f.rule_id for f in api.check([gb], engine="python").all_findings() if f.status.value == "gap"]
    path = waiver_file(tmp_path, waiver(gb_gap, jurisdiction="NL") if gb_gap not in NL_GAPS else waiver(gb_gap))
    assert invoke("check", gb, *ENGINE, "--fail-on", "gap", "--waivers", path).exit_code == 1


def test_the_example_waiver_file_in_the_readme_runs_as_shown() -> None:
    example = ROOT / "examples" / "waivers.yaml"
    result = invoke("check", NL, *ENGINE, "--waivers", example, "--fail-on", "gap")
    assert result.exit_code == 1  # LIVE-008's waiver has expired
    readme = (ROOT / "README.md").read_text()
    assert "gap-engine check fixtures/nl_netherlands.yaml --waivers examples/waivers.yaml --fail-on gap" in readme
    assert "3 gap, 5 partial, 58 unknown, 11 covered — 2 waived, 1 waiver(s) expired" in result.stdout
    assert "3 gap, 5 partial, 58 unknown, 11 covered — 2 waived, 1 waiver(s) expired" in readme
    assert "notice: " in result.stderr and "NL LIVE-008" in result.stderr


# --- shown in every output ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shown(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One run with an active waiver (GAI-011) and an expired one (LIVE-008), in every format."""
    tmp_path = tmp_path_factory.mktemp("shown")
    path = waiver_file(tmp_path, waiver("GAI-011"), waiver("LIVE-008", accepted_on="2024-01-01", expires="2024-06-29"))
    out: dict[str, Any] = {}
    for fmt in ("text", "markdown", "json"):
        result = invoke("check", NL, FR, *ENGINE, "--waivers", path, "--format", fmt)
        assert result.exit_code == 0
        out[fmt] = result.stdout
    book, table = tmp_path / "w.xlsx", tmp_path / "w.csv"
    assert invoke("check", NL, FR, *ENGINE, "--waivers", path, "--xlsx", book, "--csv", table).exit_code == 0
    out["xlsx"] = openpyxl.load_workbook(book)
    out["csv"] = list(csv.DictReader(io.StringIO(table.read_text(encoding="utf-8-sig"))))
    checklist = invoke("checklist", NL, *ENGINE, "--waivers", path, "--format", "markdown")
    assert checklist.exit_code == 0
    out["checklist"] = checklist.stdout
    checklist_book = tmp_path / "checklist.xlsx"
    assert invoke("checklist", NL, *ENGINE, "--waivers", path, "--xlsx", checklist_book).exit_code == 0
    out["checklist_xlsx"] = openpyxl.load_workbook(checklist_book)
    return out


ACTIVE = "waived until 2025-06-30 — accepted by Ministry of Justice on 2024-06-01: Bill before Parliament (GAI-011)."
EXPIRED = (
    "waiver expired on 2024-06-29 (no longer applies) — accepted by Ministry of Justice on 2024-01-01: Bill before Parliament (LIVE-008)."
)


def test_text_shows_the_waiver_under_the_finding(shown: dict[str, Any]) -> None:
    text = shown["text"]
    nl = text[text.index("Netherlands (NL)") :]
    lines = nl[nl.index("GAP       GAI-011") :].splitlines()
    block = "\n".join(lines[: next(i for i, line in enumerate(lines[1:], start=1) if re.match(r"^ {4}\S", line))])
    assert "» waived until 2025-06-30 — accepted by Ministry of Justice on 2024-06-01: Bill before Parliament" in block
    assert "» waiver expired on 2024-06-29 (no longer applies)" in nl
    assert "— 1 waived, 1 waiver(s) expired" in nl
    assert "waived" not in text[: text.index("Netherlands (NL)")]  # France has no waiver


def test_markdown_lists_the_waivers_and_shows_each_on_its_finding(shown: dict[str, Any]) -> None:
    memo = shown["markdown"]
    summary = memo[memo.index("### Waivers") : memo.index("## Parties by rule")]
    assert "| Netherlands (NL) | GAI-011 | gap | waived until 2025-06-30 | Ministry of Justice | 2024-06-01 | 2025-06-30 |" in summary
    assert "| Netherlands (NL) | LIVE-008 | gap | waiver expired on 2024-06-29 (no longer applies) |" in summary
    nl = memo[memo.index("### Netherlands (NL)") :]
    block = nl[nl.index("#### GAI-011") :].split("\n#### ")[0]
    assert f"**Waiver:** {ACTIVE}" in block
    fr = memo[memo.index("### France (FR)") :].split("\n### ")[0]
    assert "**Waiver:**" not in fr
    assert f"**Waiver:** {EXPIRED}" in memo


def test_markdown_shows_a_waived_finding_even_when_it_is_covered(nl_results: CheckResults, catalogue: Any) -> None:
    results, _ = waived(nl_results, waiver("GAI-001"), catalogue)
    assert next(f for f in results.all_findings() if f.rule_id == "GAI-001").status.value == "covered"
    assert "#### GAI-001" not in REPORTERS["markdown"](nl_results)
    memo = REPORTERS["markdown"](results)
    assert "#### GAI-001" in memo and "**Waiver:** waived until 2025-06-30" in memo


def test_json_carries_a_waiver_object_per_finding(shown: dict[str, Any]) -> None:
    data = json.loads(shown["json"])
    assert data["schema_version"] == 4
    findings = {(p["jurisdiction"], f["rule_id"]): f for p in data["profiles"] for f in p["findings"]}
    assert findings[("NL", "GAI-011")]["waiver"] == {
        "justification": "Bill before Parliament (GAI-011).",
        "accepted_by": "Ministry of Justice",
        "accepted_on": "2024-06-01",
        "expires": "2025-06-30",
        "active": True,
        "state": "active",
        "source": findings[("NL", "GAI-011")]["waiver"]["source"],
    }
    assert findings[("NL", "GAI-011")]["waiver"]["source"].endswith("waivers.yaml:2")
    assert findings[("NL", "LIVE-008")]["waiver"]["active"] is False and findings[("NL", "LIVE-008")]["waiver"]["state"] == "expired"
    assert findings[("NL", "LIVE-008")]["status"] == "gap"
    assert sum(1 for f in findings.values() if f["waiver"] is not None) == 2


def test_csv_appends_the_waiver_columns(shown: dict[str, Any]) -> None:
    rows = shown["csv"]
    assert list(rows[0])[-3:] == ["waived", "waiver_justification", "waiver_expires"] == list(csv_report.COLUMNS[-3:])
    by_key = {(r["jurisdiction"], r["rule_id"]): r for r in rows}
    assert (by_key[("NL", "GAI-011")]["waived"], by_key[("NL", "GAI-011")]["waiver_expires"]) == ("yes", "2025-06-30")
    assert by_key[("NL", "GAI-011")]["waiver_justification"] == "Bill before Parliament (GAI-011)."
    assert by_key[("NL", "LIVE-008")]["waived"] == "expired"
    assert {r["waived"] for k, r in by_key.items() if k not in {("NL", "GAI-011"), ("NL", "LIVE-008")}} == {""}


def test_the_workbook_shows_the_waiver_on_the_jurisdiction_sheet_and_marks_the_summary_cell(shown: dict[str, Any]) -> None:
    wb = shown["xlsx"]
    sheet = wb["NL Netherlands"]
    headers = [c.value for c in sheet[1]]
    waivers = {row[0]: row[headers.index("Waiver")] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert waivers["GAI-011"] == ACTIVE and waivers["LIVE-008"] == EXPIRED
    assert {rule for rule, text in waivers.items() if text} == {"GAI-011", "LIVE-008"}
    summary = wb["Summary"]
    rule_ids = [c.value for c in summary[3]]
    nl_row = next(row for row in summary.iter_rows(min_row=4) if row[0].value == "NL")
    marked = {rule_ids[c.column - 1]: c for c in nl_row if c.comment is not None}
    assert set(marked) == {"GAI-011", "LIVE-008"}
    assert marked["GAI-011"].value == "gap" and marked["GAI-011"].comment.text == ACTIVE  # the cell keeps the status
    assert marked["GAI-011"].border.left.style == "mediumDashed" and marked["GAI-011"].border.left.color.rgb.endswith("C00000")
    assert marked["LIVE-008"].border.left.color.rgb.endswith("808080")  # an expired waiver: grey
    fr_row = next(row for row in summary.iter_rows(min_row=4) if row[0].value == "FR")
    assert all(c.comment is None for c in fr_row)
    legend = [c.value for row in summary.iter_rows() for c in row if isinstance(c.value, str) and "dashed border" in c.value]
    assert legend, "the legend explains the waiver marker"


def test_the_prefilled_checklist_shows_the_waiver_beside_the_status(shown: dict[str, Any]) -> None:
    block = shown["checklist"][shown["checklist"].index("GAI-011 — ") :].split("\n### ")[0]
    assert "- Current status of GAI-011: **gap**" in block and f"- Waiver: {ACTIVE}" in block
    sheet = shown["checklist_xlsx"]["Checklist"]
    headers = [c.value for c in sheet[1]]
    rows = [r for r in sheet.iter_rows(min_row=2, values_only=True) if r[headers.index("Rule")] == "GAI-011"]
    assert rows and all(r[headers.index("Waiver")] == ACTIVE and r[headers.index("Rule status")] == "gap" for r in rows)


def test_checklist_waivers_need_a_profile(tmp_path: Path) -> None:
    result = invoke("checklist", "--waivers", waiver_file(tmp_path, waiver()), "--format", "markdown")
    assert result.exit_code == 2 and "--waivers needs a PROFILE" in result.output


# --- determinism ----------------------------------------------------------------------------------------


def test_outputs_with_waivers_are_byte_identical_whatever_the_order_of_the_waivers(tmp_path: Path) -> None:
    entries = [waiver("GAI-011"), waiver("LIVE-008", accepted_on="2024-01-01", expires="2024-06-29"), waiver("GAI-001", jurisdiction="FR")]
    outputs = []
    for name, ordered in (("a", entries), ("b", list(reversed(entries)))):
        (tmp_path / name).mkdir()
        path = waiver_file(tmp_path / name, *ordered)
        # the same relative path, so that the waiver's source (file:line) differs only by line
        book, table = tmp_path / name / "w.xlsx", tmp_path / name / "w.csv"
        result = invoke("check", NL, FR, *ENGINE, "--waivers", path, "--xlsx", book, "--csv", table)
        assert result.exit_code == 0
        outputs.append((book.read_bytes(), table.read_bytes()))
    again = tmp_path / "a" / "again.xlsx"
    invoke("check", NL, FR, *ENGINE, "--waivers", tmp_path / "a" / "waivers.yaml", "--xlsx", again)
    assert again.read_bytes() == outputs[0][0]
    assert outputs[0] == outputs[1]  # neither the workbook nor the CSV names the waiver's line
