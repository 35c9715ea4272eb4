"""Facts a pack declares (``facts:`` in pack.yaml): answered in a profile under
``extensions.<pack id>``, validated like built-in facts, tested by the pack's own rules, and
carried through schema, template, import and checklist."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from gap_engine.api import check
from gap_engine.cli import main
from gap_engine.errors import InputErrors
from gap_engine.rules import load_rules
from tests.conftest import write_manifest

MANIFEST = """\
id: model-law
title: Model legislation criteria
version: 1.0.0
source: {title: "Model legislation, 2025 edition", url: "https://example.org/model-law"}
licence: CC-BY-4.0
themes:
  - {id: definitions, title: Definitions, section: Part I}
  - {id: reporting, title: Reporting duties, section: Part II}
questions:
  - {id: ML-C1, theme: definitions, text: CSAM is defined in law.}
facts:
  - id: csam_defined
    type: answer
    label: CSAM is defined in the criminal law
    help: Cite the provision that defines it.
    theme: definitions
  - {id: reporting_body_named_on, type: date, label: The date the reporting body was named, theme: reporting}
  - {id: referrals_per_year, type: number, label: Referrals to the reporting body per year}
"""

RULES = """\
theme: definitions
rules:
  - id: MLC-001
    title: CSAM is defined in the criminal law
    questions: [ML-C1]
    severity: obligation
    condition: {fact: extensions.model-law.csam_defined}
    finding: The criminal law does not define CSAM.
    recommendation: Define CSAM in the criminal law.
    cases:
      - {name: unknown_when_not_stated, profile: {}, expect: unknown}
      - {name: covered_when_defined, profile: {extensions: {model-law: {csam_defined: "yes"}}}, expect: covered}
      - {name: gap_when_not_defined, profile: {extensions: {model-law: {csam_defined: "no"}}}, expect: gap}
"""

PROFILE = """\
jurisdiction: {code: XT, name: Testland}
as_of: 2024-10-01
fictional: true
extensions:
  model-law:
    csam_defined: {answer: yes, citation: {instrument: Criminal Code, provision: "s. 1"}, note: Since 2019.}
    reporting_body_named_on: 2023-05-01
    referrals_per_year: 1200
"""


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    directory = tmp_path / "model_law"
    directory.mkdir()
    (directory / "pack.yaml").write_text(MANIFEST, encoding="utf-8")
    (directory / "definitions.yaml").write_text(RULES, encoding="utf-8")
    return directory


def write(tmp_path: Path, text: str, name: str = "profile.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def run(*args: str) -> Any:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def load_errors(*dirs: Path) -> str:
    with pytest.raises(InputErrors) as info:
        load_rules(list(dirs))
    return "\n".join(str(e) for e in info.value.errors)


# --- the manifest --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("id: csam_defined", "id: CSAM-defined"), "pack.yaml:12:5: facts[0].id: String should match pattern '^[a-z][a-z0-9_]{1,39}$'"),
        (("type: answer", "type: yesno"), "pack.yaml:13:5: facts[0].type: 'yesno' is not one of 'answer', 'date' or 'number'"),
        (
            ("theme: definitions\n  - {id: rep", "theme: definitons\n  - {id: rep"),
            "pack.yaml:16:5: facts[0].theme: fact csam_defined names theme 'definitons', which the pack does not declare "
            "(did you mean 'definitions'?)",
        ),
        (
            ("id: referrals_per_year", "id: csam_defined"),
            "pack.yaml:18:6: facts[2].id: fact ID 'csam_defined' is declared twice (give each fact its own ID)",
        ),
        (("    label: CSAM is defined in the criminal law\n", ""), "facts[0].label: required field is missing (add 'label:')"),
    ],
)
def test_manifest_fact_errors_name_the_line_and_field(pack: Path, change: tuple[str, str], expected: str) -> None:
    assert change[0] in MANIFEST
    (pack / "pack.yaml").write_text(MANIFEST.replace(*change), encoding="utf-8")
    assert expected in load_errors(pack)


def test_a_pack_without_themes_cannot_place_its_facts(tmp_path: Path) -> None:
    manifest = MANIFEST.split("themes:")[0] + "facts:\n  - {id: csam_defined, type: answer, label: Defined}\n"
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "pack.yaml").write_text(manifest, encoding="utf-8")
    assert "facts[0].theme: fact csam_defined needs a theme to be asked on, and the pack declares none" in load_errors(tmp_path / "p")


def test_a_fact_without_a_theme_is_asked_on_the_first_theme(pack: Path) -> None:
    model_law = load_rules([pack]).packs[1]
    assert [(f.path, f.type.value, f.theme) for f in model_law.facts] == [
        ("extensions.model-law.csam_defined", "answer", "definitions"),
        ("extensions.model-law.reporting_body_named_on", "date", "reporting"),
        ("extensions.model-law.referrals_per_year", "number", "definitions"),
    ]


# --- rules that test pack facts ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fact", "expected"),
    [
        (
            "extensions.model-law.csam_defind",
            "pack 'model-law' declares no fact 'csam_defind'; did you mean 'extensions.model-law.csam_defined'?",
        ),
        (
            "extensions.model-law.referrals_per_year",
            "'extensions.model-law.referrals_per_year' is a number fact; a fact condition tests an answer fact",
        ),
        (
            "extensions.model-law.reporting_body_named_on",
            "'extensions.model-law.reporting_body_named_on' is a date fact; a fact condition tests an answer fact",
        ),
        (
            "extensions.other-pack.csam_defined",
            "'extensions.other-pack.csam_defined' is a fact of pack 'other-pack'; a rule tests only its own pack's facts "
            "(extensions.model-law.<fact>)",
        ),
    ],
)
def test_a_rule_testing_a_fact_it_cannot_use_is_refused_at_load(pack: Path, fact: str, expected: str) -> None:
    (pack / "definitions.yaml").write_text(RULES.replace("extensions.model-law.csam_defined}", fact + "}"), encoding="utf-8")
    errors = load_errors(pack)
    assert f"definitions.yaml:7:5: rules[0].condition: rule MLC-001: {expected}" in errors


def test_another_packs_fact_is_refused_even_when_that_pack_is_loaded(pack: Path, tmp_path: Path) -> None:
    other = write_manifest(tmp_path / "other", pack_id="other-pack", theme="other_theme", question="OP-Q1")
    (other / "pack.yaml").write_text(
        (other / "pack.yaml").read_text(encoding="utf-8") + "facts:\n  - {id: own_fact, type: answer, label: Own}\n", encoding="utf-8"
    )
    rules = RULES.replace("definitions", "other_theme").replace("ML-C1", "OP-Q1").replace("MLC-001", "OPC-001")
    (other / "r.yaml").write_text(rules, encoding="utf-8")  # still tests extensions.model-law.csam_defined
    errors = load_errors(pack, other)
    assert "r.yaml:7:5: rules[0].condition: rule OPC-001: 'extensions.model-law.csam_defined' is a fact of pack 'model-law'" in errors


def test_a_builtin_rule_cannot_use_extensions() -> None:
    from gap_engine.packs import Pack
    from gap_engine.rules import RuleFile

    rule_file = {
        "theme": "generative_ai",
        "rules": [
            {
                "id": "GAI-900",
                "title": "t",
                "questions": ["GAI-Q1"],
                "severity": "obligation",
                "condition": {"fact": "extensions.model-law.csam_defined"},
                "finding": "f",
                "recommendation": "r",
                "cases": [{"name": "c", "expect": "unknown"}],
            }
        ],
    }
    builtin = next(p for p in load_rules().packs if p.builtin)
    assert isinstance(builtin, Pack) and builtin.facts == ()
    with pytest.raises(Exception, match="a built-in rule tests only the profile's own facts, not a pack's"):
        RuleFile.model_validate(rule_file, context={"pack": builtin})


def test_a_case_profile_with_a_wrong_pack_fact_fails_when_the_pack_loads(pack: Path) -> None:
    (pack / "definitions.yaml").write_text(RULES.replace('csam_defined: "no"', 'csam_defind: "no"'), encoding="utf-8")
    errors = load_errors(pack)
    assert (
        "definitions.yaml:13: rules[0].cases[2].profile.extensions.model-law.csam_defind: rule MLC-001, case gap_when_not_defined:"
        in errors
    )
    assert "pack 'model-law' declares no fact 'csam_defind' (did you mean 'csam_defined'?)" in errors


@pytest.mark.parametrize("engine", ["python", "durable"])
@pytest.mark.parametrize(
    ("stated", "status"),
    [
        ("    csam_defined: yes\n", "covered"),
        ("    csam_defined: {answer: no, citation: {instrument: Criminal Code}}\n", "gap"),
        ("    csam_defined: partial\n", "partial"),
        ("    referrals_per_year: 3\n", "unknown"),  # absent: unknown, never "no"
        # Not yet in force on the evaluation date: the answer before it applies, as for a built-in fact.
        ("    csam_defined: {answer: yes, answer_before_in_force: no, citation: {instrument: CC, in_force: 2030-01-01}}\n", "gap"),
    ],
)
def test_a_pack_rule_over_a_pack_fact_with_both_engines(pack: Path, tmp_path: Path, engine: str, stated: str, status: str) -> None:
    profile = write(tmp_path, PROFILE.split("  model-law:\n")[0] + "  model-law:\n" + stated)
    result = run("check", str(profile), "--no-builtin", "--rules", str(pack), "--engine", engine, "--format", "json")
    assert result.exit_code == 0, result.output
    (finding,) = json.loads(result.output)["profiles"][0]["findings"]
    assert (finding["rule_id"], finding["status"]) == ("MLC-001", status)


def test_the_evidence_of_a_pack_fact_is_its_citation(pack: Path, tmp_path: Path) -> None:
    results = check([write(tmp_path, PROFILE)], [pack], engine="python")
    finding = next(f for f in results.all_findings() if f.rule_id == "MLC-001")
    assert finding.status.value == "covered"
    assert "Criminal Code, s. 1" in json.dumps(finding.model_dump(mode="json"))


def test_rules_test_runs_cases_stating_pack_facts(pack: Path) -> None:
    result = run("rules", "test", "--rules", str(pack), "--pack", "model-law", "--engine", "python")
    assert result.exit_code == 0 and result.output.strip() == "3 of 3 rule cases pass"


# --- profiles -----------------------------------------------------------------------------------

BAD_PROFILE = """\
jurisdiction: {code: XT, name: Testland}
as_of: 2024-10-01
fictional: true
extensions:
  model-law:
    csam_defind: yes
    csam_defined: {answer: maybe}
    reporting_body_named_on: 2023-13-01
    referrals_per_year: true
  other-pack:
    anything: {goes: here}
"""


def test_profile_pack_fact_errors_are_located(pack: Path, tmp_path: Path) -> None:
    profile = write(tmp_path, BAD_PROFILE)
    result = run("validate", str(profile), "--rules", str(pack))
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        f"Error: {profile}:6:5: extensions.model-law.csam_defind: pack 'model-law' declares no fact 'csam_defind' "
        "(did you mean 'csam_defined'?)",
        f"Error: {profile}:7:20: extensions.model-law.csam_defined.answer: 'maybe' is not one of 'yes', 'no', 'partial' or 'unknown'",
        f"Error: {profile}:8:5: extensions.model-law.reporting_body_named_on: '2023-13-01' is not a date: month must be in 1..12",
        f"Error: {profile}:9:5: extensions.model-law.referrals_per_year: a number fact needs a number, not the boolean true",
    ]
    check_result = run("check", str(profile), "--rules", str(pack))
    assert check_result.exit_code == 2 and "declares no fact 'csam_defind'" in check_result.output


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("reporting_body_named_on: 1 May 2023", "a date fact is written YYYY-MM-DD, e.g. 2024-05-01, not '1 May 2023'"),
        ("referrals_per_year: many", "a number fact needs a number, e.g. 1200 or 0.5, not 'many'"),
        ("referrals_per_year: false", "a number fact needs a number, not the boolean false"),
        ("csam_defined: [yes]", "extensions.model-law.csam_defined"),
    ],
)
def test_wrong_types_for_pack_facts(pack: Path, tmp_path: Path, value: str, expected: str) -> None:
    profile = write(
        tmp_path, f"jurisdiction: {{code: XT, name: T}}\nas_of: 2024-10-01\nfictional: true\nextensions:\n  model-law:\n    {value}\n"
    )
    result = run("validate", str(profile), "--rules", str(pack))
    assert result.exit_code == 2 and f"{profile}:6:5: " in result.output and expected in result.output


def test_pack_ids_and_fact_ids_are_checked_by_the_profile_model_alone(tmp_path: Path) -> None:
    profile = write(
        tmp_path,
        "jurisdiction: {code: XT, name: T}\nas_of: 2024-10-01\nfictional: true\nextensions:\n  Model Law: {x1: 1}\n  ok-pack: yes\n",
    )
    result = run("validate", str(profile))
    assert result.exit_code == 2
    assert f"{profile}:5:3: extensions.Model Law: String should match pattern" in result.output
    assert f"{profile}:6:3: extensions.ok-pack: Input should be a valid dictionary" in result.output


def test_extensions_of_a_pack_not_loaded_are_kept_and_ignored(pack: Path, tmp_path: Path) -> None:
    profile = write(tmp_path, BAD_PROFILE)
    result = run("validate", str(profile))
    assert result.exit_code == 0
    assert "not checked: the facts of pack model-law, other-pack (pass its --rules DIR)" in result.output
    checked = run("check", str(profile), "--format", "json")  # the built-in rules alone
    assert checked.exit_code == 0, checked.output
    from gap_engine.loading import load_profile

    assert load_profile(profile).extensions["other-pack"] == {"anything": {"goes": "here"}}


def test_validate_with_the_pack_says_ok(pack: Path, tmp_path: Path) -> None:
    result = run("validate", str(write(tmp_path, PROFILE)), "--rules", str(pack))
    assert result.exit_code == 0 and result.output.startswith("ok: ") and "not checked" not in result.output


def test_the_builtin_facts_are_never_extensions(tmp_path: Path) -> None:
    profile = write(
        tmp_path, "jurisdiction: {code: XT, name: T}\nas_of: 2024-10-01\nfictional: true\nextensions:\n  builtin: {hash_sharing: yes}\n"
    )
    result = run("validate", str(profile))
    assert result.exit_code == 2
    assert f"{profile}:4:1: extensions: the built-in facts are the profile's own fields" in result.output


# --- schema -------------------------------------------------------------------------------------


def test_schema_with_a_pack_types_its_facts(pack: Path) -> None:
    result = run("schema", "--pack-dir", str(pack))
    assert result.exit_code == 0, result.output
    schema = json.loads(result.output)
    extensions = schema["properties"]["extensions"]
    assert extensions["properties"] == {"model-law": {"$ref": "#/$defs/Extensions_model_law"}}
    facts = schema["$defs"]["Extensions_model_law"]
    assert facts["additionalProperties"] is False
    answer, day, number = (facts["properties"][f]["anyOf"][0] for f in ("csam_defined", "reporting_body_named_on", "referrals_per_year"))
    assert answer == {"$ref": "#/$defs/Fact"} and "Fact" in schema["$defs"]
    assert day == {"format": "date", "type": "string"} and number == {"type": "number"}
    assert facts["properties"]["csam_defined"]["description"] == "CSAM is defined in the criminal law — Cite the provision that defines it."
    # The plain schema is unchanged by the pack, and still says what extensions are.
    plain = json.loads(run("schema").output)
    assert "properties" not in plain["properties"]["extensions"] and "patternProperties" in plain["properties"]["extensions"]
    assert {k: v for k, v in schema.items() if k not in ("$defs", "properties")} == {
        k: v for k, v in plain.items() if k not in ("$defs", "properties")
    }


def test_schema_pack_dir_errors(pack: Path, tmp_path: Path) -> None:
    result = run("schema", "--pack-dir", str(tmp_path / "nowhere"))
    assert result.exit_code == 2 and "rule pack has no pack.yaml" in result.output
    result = run("schema", "--rules", "--pack-dir", str(pack))
    assert result.exit_code == 2 and "--pack-dir adds a pack's facts to the profile schema; it does not go with --rules" in result.output
    assert json.loads(run("schema", "--pack").output)["properties"]["facts"]["items"] == {"$ref": "#/$defs/PackFact"}


# --- the questionnaire workbook ------------------------------------------------------------------

ROUND_TRIP = """\
jurisdiction: {code: XT, name: Testland}
as_of: 2024-10-01
fictional: true
extensions:
  model-law:
    csam_defined:
      answer: partial
      answer_before_in_force: no
      citation: {instrument: Criminal Code, provision: "s. 1", url: "https://example.org/cc#1", in_force: 2019-03-01}
      note: Defined for images only.
    reporting_body_named_on: 2023-05-01
    referrals_per_year: 1200
"""


def _sheet_rows(workbook: Any) -> dict[str, tuple[Any, int]]:
    return {
        sheet.cell(row=r, column=1).value: (sheet, r)
        for sheet in workbook.worksheets
        if sheet.cell(row=1, column=1).value == "fact"
        for r in range(2, sheet.max_row + 1)
    }


def _validations(sheet: Any, cell: str) -> list[str]:
    return [v.type for v in sheet.data_validations.dataValidation if cell in v.sqref]


def test_pack_facts_are_rows_on_their_theme_sheets(pack: Path, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    target = tmp_path / "q.xlsx"
    result = run("template", "--xlsx", str(target), "--rules", str(pack))
    assert result.exit_code == 0, result.output
    workbook = load_workbook(target)
    rows = _sheet_rows(workbook)
    answer_sheet, answer_row = rows["extensions.model-law.csam_defined"]
    date_sheet, date_row = rows["extensions.model-law.reporting_body_named_on"]
    number_sheet, number_row = rows["extensions.model-law.referrals_per_year"]
    # The declared theme's sheet, made even for a theme no rule of the pack uses (Reporting duties).
    assert (answer_sheet.title, date_sheet.title, number_sheet.title) == ("Definitions", "Reporting duties", "Definitions")
    assert answer_sheet.cell(row=answer_row, column=2).value == (
        "CSAM is defined in the criminal law — Cite the provision that defines it. (rules: MLC-001)"
    )
    assert date_sheet.cell(row=date_row, column=2).value == "The date the reporting body was named"
    headers = [c.value for c in answer_sheet[1]]
    answer, note = headers.index("answer") + 1, headers.index("note") + 1
    assert _validations(answer_sheet, f"C{answer_row}") == ["list"]
    assert not answer_sheet.cell(row=answer_row, column=note).protection.locked  # citation and note, as for built-in facts
    assert _validations(date_sheet, f"C{date_row}") == ["date"]
    assert _validations(number_sheet, f"C{number_row}") == ["decimal"]
    assert not date_sheet.cell(row=date_row, column=answer).protection.locked
    assert date_sheet.cell(row=date_row, column=note).protection.locked  # a date has no citation or note
    instructions = "\n".join(str(c.value) for c in workbook["Instructions"]["A"] if c.value)
    assert "--rules DIR  (once for each rule pack whose facts it asks: model-law)" in instructions


def test_without_the_pack_its_facts_are_not_in_the_template(pack: Path, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    target = tmp_path / "q.xlsx"
    profile = write(tmp_path, ROUND_TRIP)
    result = CliRunner().invoke(main, ["template", "--xlsx", str(target), "--from", str(profile)])
    assert result.exit_code == 0
    assert "notice: the facts of pack model-law in" in result.stderr and "pass --rules DIR for that pack" in result.stderr
    assert not any(str(path).startswith("extensions.") for path in _sheet_rows(load_workbook(target)))


@pytest.mark.parametrize("number", ["1200", "0.5", "-3"])
def test_template_then_import_round_trips_pack_facts(pack: Path, tmp_path: Path, number: str) -> None:
    from gap_engine.extensions import extension_values
    from gap_engine.loading import load_profile

    original = write(tmp_path, ROUND_TRIP.replace("1200", number))
    workbook, output = tmp_path / "q.xlsx", tmp_path / "imported.yaml"
    assert run("template", "--xlsx", str(workbook), "--from", str(original), "--rules", str(pack)).exit_code == 0
    imported = CliRunner().invoke(main, ["import", str(workbook), "-o", str(output), "--rules", str(pack)])
    assert imported.exit_code == 0, imported.output
    packs = load_rules([pack]).packs
    before, after = load_profile(original, packs), load_profile(output, packs)
    assert after == before
    assert extension_values(after, packs) == extension_values(before, packs)
    text = output.read_text(encoding="utf-8")
    assert "    reporting_body_named_on: 2023-05-01\n" in text and f"    referrals_per_year: {number}\n" in text


def test_a_bare_answer_round_trips_as_a_bare_answer(pack: Path, tmp_path: Path) -> None:
    from gap_engine.loading import load_profile

    original = write(tmp_path, PROFILE.split("    csam_defined:")[0] + "    csam_defined: no\n")
    workbook, output = tmp_path / "q.xlsx", tmp_path / "imported.yaml"
    run("template", "--xlsx", str(workbook), "--from", str(original), "--rules", str(pack))
    assert run("import", str(workbook), "-o", str(output), "--rules", str(pack)).exit_code == 0
    assert load_profile(output) == load_profile(original)
    assert "    csam_defined: no\n" in output.read_text(encoding="utf-8")


def test_bad_pack_fact_cells_are_named_by_sheet_and_cell(pack: Path, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    workbook_path = tmp_path / "q.xlsx"
    run("template", "--xlsx", str(workbook_path), "--from", str(write(tmp_path, ROUND_TRIP)), "--rules", str(pack))
    workbook = load_workbook(workbook_path)
    rows = _sheet_rows(workbook)
    answer_sheet, answer_row = rows["extensions.model-law.csam_defined"]
    date_sheet, date_row = rows["extensions.model-law.reporting_body_named_on"]
    number_sheet, number_row = rows["extensions.model-law.referrals_per_year"]
    headers = [c.value for c in date_sheet[1]]
    note = headers.index("note") + 1
    answer_sheet.cell(row=answer_row, column=3).value = "maybe"
    date_sheet.cell(row=date_row, column=3).value = "last spring"
    date_sheet.cell(row=date_row, column=note).value = "a note where none goes"
    number_sheet.cell(row=number_row, column=3).value = "many"
    workbook.save(workbook_path)
    result = run("import", str(workbook_path), "-o", str(tmp_path / "out.yaml"), "--rules", str(pack))
    assert result.exit_code == 2
    lines = result.output.splitlines()
    assert f'Error: {workbook_path}: Definitions!C{answer_row}: "maybe" is not one of yes, no, partial, unknown' in lines
    hint = "(write digits with a point for decimals, e.g. 1200 or 0.5)"
    assert f'Error: {workbook_path}: Definitions!C{number_row}: "many" is not a number {hint}' in lines
    assert (
        f'Error: {workbook_path}: Reporting duties!C{date_row}: "last spring" is not a date (write it as YYYY-MM-DD, e.g. 2024-10-01)'
        in lines
    )
    from openpyxl.utils import get_column_letter

    assert (
        f"Error: {workbook_path}: Reporting duties!{get_column_letter(note)}{date_row}: extensions.model-law.reporting_body_named_on "
        "is a date fact: it has no note (write the date in the answer column and leave the rest of the row blank)" in lines
    )
    assert not (tmp_path / "out.yaml").exists()


def test_a_pack_fact_the_model_refuses_is_traced_to_its_cell(pack: Path, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    workbook_path = tmp_path / "q.xlsx"
    run("template", "--xlsx", str(workbook_path), "--from", str(write(tmp_path, ROUND_TRIP)), "--rules", str(pack))
    workbook = load_workbook(workbook_path)
    sheet, row = _sheet_rows(workbook)["extensions.model-law.csam_defined"]
    headers = [c.value for c in sheet[1]]
    sheet.cell(row=row, column=headers.index("citation.url") + 1).value = "ftp://example.org"
    workbook.save(workbook_path)
    result = run("import", str(workbook_path), "-o", str(tmp_path / "out.yaml"), "--rules", str(pack))
    assert result.exit_code == 2
    from openpyxl.utils import get_column_letter

    cell = f"Definitions!{get_column_letter(headers.index('citation.url') + 1)}{row}"
    assert f"Error: {workbook_path}: {cell}: must be an http:// or https:// address" in result.output.splitlines()


def test_importing_pack_rows_without_the_pack_says_which_pack(pack: Path, tmp_path: Path) -> None:
    workbook_path = tmp_path / "q.xlsx"
    run("template", "--xlsx", str(workbook_path), "--rules", str(pack))
    result = run("import", str(workbook_path), "-o", str(tmp_path / "out.yaml"))
    assert result.exit_code == 2
    assert "unknown fact 'extensions.model-law.csam_defined' (a fact of rule pack 'model-law': import with --rules DIR" in result.output


# --- the checklist --------------------------------------------------------------------------------


def test_the_checklist_asks_a_pack_fact_by_its_label(pack: Path, tmp_path: Path) -> None:
    blank = run("checklist", "--format", "markdown", "--rules", str(pack), "--no-builtin").output
    assert "| a | CSAM is defined in the criminal law (`extensions.model-law.csam_defined`) | ☐ yes ☐ no ☐ partial ☐ unknown | |" in blank
    assert "extensions › model-law" not in blank
    filled = run("checklist", str(write(tmp_path, PROFILE)), "--format", "markdown", "--rules", str(pack), "--no-builtin").output
    assert (
        "| a | CSAM is defined in the criminal law (`extensions.model-law.csam_defined`) | yes | Criminal Code, s. 1 — note: Since 2019. |"
        in filled
    )
    unknown = write(tmp_path, PROFILE.split("extensions:")[0], "unknown.yaml")
    still_open = run("checklist", str(unknown), "--format", "markdown", "--rules", str(pack), "--no-builtin").output
    assert "| a | CSAM is defined in the criminal law (`extensions.model-law.csam_defined`) | **⚠ to answer** (unknown) | — |" in still_open


def test_check_ignores_the_facts_of_packs_not_loaded(pack: Path, tmp_path: Path) -> None:
    profile = write(tmp_path, PROFILE + "  other-pack:\n    anything: {goes: here}\n")
    result = run("check", str(profile), "--no-builtin", "--rules", str(pack), "--format", "json")
    assert result.exit_code == 0, result.output
    assert [f["status"] for f in json.loads(result.output)["profiles"][0]["findings"]] == ["covered"]


def test_check_profiles_checks_pack_facts_of_profiles_already_loaded(pack: Path) -> None:
    from gap_engine.api import check_profiles
    from gap_engine.loading import parse_profile

    catalogue = load_rules([pack], include_builtin=False)
    profile = parse_profile(BAD_PROFILE, "mem.yaml")  # loaded without the pack: its facts are not checked yet
    with pytest.raises(InputErrors) as info:
        check_profiles([("mem.yaml", profile)], catalogue)
    assert "mem.yaml: extensions.model-law.referrals_per_year: a number fact needs a number, not the boolean true" in [
        str(e) for e in info.value.errors
    ]


def test_a_pack_theme_titled_like_a_workbook_sheet_gets_its_own_sheet(pack: Path, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    (pack / "pack.yaml").write_text(MANIFEST.replace("title: Reporting duties", "title: Offences"), encoding="utf-8")
    workbook_path, output = tmp_path / "q.xlsx", tmp_path / "out.yaml"
    assert run("template", "--xlsx", str(workbook_path), "--from", str(write(tmp_path, ROUND_TRIP)), "--rules", str(pack)).exit_code == 0
    sheet, _row = _sheet_rows(load_workbook(workbook_path))["extensions.model-law.reporting_body_named_on"]
    assert sheet.title == "Offences (2)"
    assert run("import", str(workbook_path), "-o", str(output), "--rules", str(pack)).exit_code == 0
    assert "reporting_body_named_on: 2023-05-01" in output.read_text(encoding="utf-8")
