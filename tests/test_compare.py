"""Comparative views: the workbook's Items and Who sheets, the memo's "Parties by rule", and `gap-engine compare`.

Expectations come from the JSON results of the same run, so these tests hold whatever the
catalogue holds; a few fixture facts (NL's GAI-011 gap) pin the views to real verdicts.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from gap_engine import api
from gap_engine.cli import main
from gap_engine.compare import WHO_ORDER, compare_item, compare_rule, parties_by_rule, render_comparison
from gap_engine.findings import CheckResults
from gap_engine.reporters import REPORTERS
from gap_engine.rules import load_rules
from gap_engine.waivers import apply_waivers, parse_waivers
from tests.conftest import FIXTURES

ENGINE = ("--engine", "python")
FIXTURE_PROFILES = sorted(FIXTURES.glob("*.yaml"))
WHO = [s.value for s in WHO_ORDER]


def invoke(*args: str | Path) -> Any:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[openpyxl.Workbook, dict]:
    """Every fixture: the workbook and the JSON results of the same run."""
    book = tmp_path_factory.mktemp("compare") / "gaps.xlsx"
    result = invoke("check", *FIXTURE_PROFILES, *ENGINE, "--format", "json", "--xlsx", book)
    assert result.exit_code == 0, result.output
    return openpyxl.load_workbook(book), json.loads(result.stdout)


@pytest.fixture(scope="module")
def results() -> CheckResults:
    return api.check(FIXTURE_PROFILES, engine="python")


def expected_who(data: dict) -> dict[str, dict[str, list[str]]]:
    """rule ID -> status -> jurisdiction codes in results order, from the JSON."""
    who: dict[str, dict[str, list[str]]] = {}
    for profile in data["profiles"]:
        for finding in profile["findings"]:
            who.setdefault(finding["rule_id"], {}).setdefault(finding["status"], []).append(profile["jurisdiction"])
    return who


def who_text(by_status: dict[str, list[str]]) -> str:
    return "; ".join(f"{status}: {', '.join(by_status[status])}" for status in WHO if status in by_status)


# --- the Items sheet --------------------------------------------------------------------------------------


def test_items_has_one_row_per_element_of_every_finding(run: tuple) -> None:
    wb, data = run
    sheet = wb["Items"]
    headers = [c.value for c in sheet[1]]
    assert headers[:2] == ["Code", "Jurisdiction"] and "Item" in headers and "Item status" in headers
    col = {name: headers.index(name) for name in headers}
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    got: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for row in rows:
        got.setdefault((row[col["Code"]], row[col["Rule ID"]]), []).append((row[col["Item"]], row[col["Item status"]]))
        assert row[col["Evaluated on"]] is not None
    expected = {
        (p["jurisdiction"], f["rule_id"]): [(e["element"], e["status"]) for e in f["elements"]]
        for p in data["profiles"]
        for f in p["findings"]
    }
    assert got == expected
    assert len(rows) == sum(len(f["elements"]) for p in data["profiles"] for f in p["findings"])


def test_items_carry_the_rule_status_and_the_evidence_of_each_element(run: tuple) -> None:
    wb, _ = run
    sheet = wb["Items"]
    headers = [c.value for c in sheet[1]]
    col = {name: headers.index(name) for name in headers}
    nl = [r for r in sheet.iter_rows(min_row=2, values_only=True) if r[col["Code"]] == "NL" and r[col["Rule ID"]] == "GAI-011"]
    assert [r[col["Item status"]] for r in nl] == ["gap", "gap"]  # sr-240b: non_realistic_depiction: no
    assert all(r[col["Rule status"]] == "gap" and r[col["Answer and evidence"]].startswith("sr-240b (gap) — ") for r in nl)
    assert all("non_realistic_depiction is no" in r[col["Missing"]] for r in nl)
    removal = next(
        r
        for r in sheet.iter_rows(min_row=2, values_only=True)
        if r[col["Code"]] == "NL" and r[col["Rule ID"]] == "LIVE-008" and "removal_deadline" in r[col["Item"]]
    )
    # a fact item shows the answer the profile gives, and why (the provision applies only from 2024-07-01)
    assert removal[col["Answer and evidence"]].startswith("regulation.platforms.removal_deadline (no) — ")
    assert "2024-07-01" in removal[col["Answer and evidence"]]


def test_items_sheet_filters_colours_and_prints_like_the_others(run: tuple) -> None:
    wb, _ = run
    sheet = wb["Items"]
    headers = [c.value for c in sheet[1]]
    assert sheet.auto_filter.ref == f"A1:{openpyxl.utils.get_column_letter(len(headers))}{sheet.max_row}"
    assert sheet.freeze_panes == "C2"
    assert sheet.page_setup.orientation == "landscape" and sheet.print_title_rows.replace("$", "") == "1:1"
    assert sheet.page_setup.fitToWidth == 1 and sheet.sheet_properties.pageSetUpPr.fitToPage
    ranges = {str(r) for cf in sheet.conditional_formatting for r in cf.sqref.ranges}
    status_col = openpyxl.utils.get_column_letter(headers.index("Item status") + 1)
    assert f"{status_col}2:{status_col}{sheet.max_row}" in ranges


# --- the Who sheet and the memo's Parties by rule ---------------------------------------------------------


def test_who_sheet_lists_the_jurisdictions_in_each_status_per_rule(run: tuple) -> None:
    wb, data = run
    sheet = wb["Who"]
    headers = [c.value for c in sheet[1]]
    assert headers == ["Rule ID", "Title", "Theme", "Who", *WHO]
    expected = expected_who(data)
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == [c.value for c in wb["Summary"][3]][3 : 3 + len(rows)]  # the Summary's rule order
    assert {r[0] for r in rows} == set(expected)
    for row in rows:
        by_status = expected[row[0]]
        assert row[3] == who_text(by_status)
        for status in WHO:
            assert (row[headers.index(status)] or "") == ", ".join(by_status.get(status, []))
    gai_011 = next(r for r in rows if r[0] == "GAI-011")
    assert "gap: NL" in gai_011[3] and "NL" in gai_011[headers.index("gap")]
    assert sheet.page_setup.orientation == "landscape" and sheet.print_title_rows.replace("$", "") == "1:1"
    assert sheet.auto_filter.ref == f"A1:J{len(rows) + 1}"


def test_memo_has_a_who_line_per_rule_after_the_executive_summary(results: CheckResults) -> None:
    memo = REPORTERS["markdown"](results)
    data = json.loads(REPORTERS["json"](results))
    section = memo[memo.index("\n## Parties by rule\n") :].split("\n## ", 2)[1]
    assert memo.index("## Executive summary") < memo.index("## Parties by rule")
    expected = expected_who(data)
    titles = {f["rule_id"]: f["title"] for p in data["profiles"] for f in p["findings"]}
    lines = [line for line in section.splitlines() if line.startswith("- **")]
    assert len(lines) == len(expected)
    for rule_id, by_status in expected.items():
        assert f"- **{rule_id}** {titles[rule_id]} — {who_text(by_status)}" in lines
    gai_001 = next(line for line in lines if line.startswith("- **GAI-001**"))
    assert gai_001.endswith("— covered: GB, NL, NO, SE, XA; partial: DE, FR; unknown: XB")


def test_who_marks_a_party_under_an_active_waiver(results: CheckResults) -> None:
    text = (
        "waivers:\n  - {jurisdiction: NL, rule: GAI-011, justification: x, accepted_by: y, accepted_on: 2024-01-01, expires: 2025-01-01}\n"
    )
    waived, _ = apply_waivers(results, parse_waivers(text, load_rules()))
    entry = next(p for p in parties_by_rule(waived) if p.rule.rule_id == "GAI-011")
    assert entry.parties(next(s for s in WHO_ORDER if s.value == "gap")) == ("NL (waived)",)
    assert "gap: NL (waived)" in REPORTERS["markdown"](waived)


# --- gap-engine compare -----------------------------------------------------------------------------------


def test_compare_rule_shows_each_partys_status_on_the_rule_and_each_element(run: tuple) -> None:
    _, data = run
    result = invoke("compare", *FIXTURE_PROFILES, *ENGINE, "--rule", "GAI-001")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("GAI-001 — Producing, distributing and possessing deepfake CSAM of real children are criminalised\n")
    for n, conduct in enumerate(("producing", "distributing or transmitting", "possessing"), start=1):
        assert f"  [{n}]      {conduct} of manipulated real child material, protecting children under 18" in out
    table = out[out.index("\njurisdiction ") + 1 :].splitlines()
    assert table[0].split() == ["jurisdiction", "evaluated", "on", "GAI-001", "[1]", "[2]", "[3]"]
    for profile, line in zip(data["profiles"], table[1:], strict=True):
        finding = next(f for f in profile["findings"] if f["rule_id"] == "GAI-001")
        cells = line.split()
        assert line.startswith(f"{profile['jurisdiction']} {profile['jurisdiction_name']}")
        assert cells[-4:] == [finding["status"], *(e["status"] for e in finding["elements"])]
        assert profile["evaluated_on"] in cells


def test_compare_rule_on_the_netherlands_non_realistic_gap() -> None:
    result = invoke("compare", FIXTURES / "nl_netherlands.yaml", FIXTURES / "no_norway.yaml", *ENGINE, "--rule", "GAI-011")
    rows = {line.split()[0]: line.split()[-3:] for line in result.stdout.splitlines() if line.startswith(("NL ", "NO "))}
    assert rows == {"NL": ["gap", "gap", "gap"], "NO": ["covered", "covered", "covered"]}


def test_compare_item_finds_elements_across_rules(results: CheckResults) -> None:
    comparison = compare_item(results, "REMOVAL_DEADLINE")
    assert [c.legend for c in comparison.columns] == ["LIVE-008: regulation.platforms.removal_deadline = yes"]
    statuses = {name.split()[0]: cells[0] for name, _, cells in comparison.rows}
    assert statuses["NL"] == "gap" and statuses["XA"] == "covered" and statuses["XB"] == "unknown"
    wide = compare_item(results, "non realistic depiction")
    assert {c.rule_id for c in wide.columns} >= {"GAI-011", "GAI-017"}
    assert all("non realistic depiction" in c.legend for c in wide.columns)
    text = render_comparison(wide)
    assert all(f"  {c.label}  {c.legend}" in text for c in wide.columns)


def test_compare_is_the_same_as_the_library(results: CheckResults) -> None:
    result = invoke("compare", *FIXTURE_PROFILES, *ENGINE, "--rule", "LIVE-008")
    assert result.stdout == render_comparison(compare_rule(results, "LIVE-008"))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--rule", "GAI-111"], "Error: --rule: no loaded rule GAI-111 (did you mean 'GAI-011'?)"),
        (["--rule", "GAI-002"], "Error: --rule: rule GAI-002 is retired (its content moved to GAI-013; name those instead)"),
        (["--rule", "GAI-011", "--select", "GAI-001"], "Error: --rule: rule GAI-011 does not run: --select/--skip leaves it out"),
        (["--item", "removl"], "Error: --item: no checklist item contains 'removl' (did you mean 'removal'?)"),
        (["--rule", "GAI-001", "--item", "x"], "Error: choose one of --rule ID or --item TEXT"),
        ([], "Error: choose one of --rule ID or --item TEXT"),
    ],
)
def test_compare_bad_input_exits_2(args: list[str], message: str) -> None:
    result = invoke("compare", FIXTURES / "nl_netherlands.yaml", *ENGINE, *args)
    assert result.exit_code == 2
    assert message in result.output


def test_compare_takes_an_earlier_as_of_date() -> None:
    result = invoke("compare", FIXTURES / "nl_netherlands.yaml", *ENGINE, "--rule", "GAI-001", "--as-of", "2024-01-01")
    assert result.exit_code == 0 and "NL Netherlands  2024-01-01" in result.stdout
