"""The questionnaire workbook: template, import, the round trip, error reports and untrusted files."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from conftest import FIXTURES, minimal_profile, offence
from openpyxl import Workbook, load_workbook

from gap_engine.cli import main
from gap_engine.errors import InputErrors
from gap_engine.loading import load_profile, parse_profile, validate_profile_data
from gap_engine.profile import fact_paths
from gap_engine.questionnaire import workbook_safety
from gap_engine.questionnaire.importer import import_workbook
from gap_engine.questionnaire.profile_yaml import dump_profile
from gap_engine.questionnaire.template import build_template
from gap_engine.rules import load_rules

FIXTURE_FILES = sorted(FIXTURES.glob("*.yaml"))


@pytest.fixture(scope="module")
def catalogue() -> Any:
    return load_rules()


def _template(tmp_path: Path, catalogue: Any, data: dict[str, Any] | None = None, name: str = "q.xlsx") -> Path:
    profile = validate_profile_data(data, "<test>") if data is not None else None
    target = tmp_path / name
    target.write_bytes(build_template(catalogue, profile))
    return target


def _fact_row(workbook: Any, path: str) -> tuple[Any, int]:
    for sheet in workbook.worksheets:
        if sheet.cell(row=1, column=1).value != "fact":
            continue
        for row in range(2, sheet.max_row + 1):
            if sheet.cell(row=row, column=1).value == path:
                return sheet, row
    raise AssertionError(f"no row for {path}")


def _column(sheet: Any, name: str) -> int:
    headers = [c.value for c in sheet[1]]
    return headers.index(name) + 1


def _errors(path: Path, catalogue: Any) -> list[str]:
    with pytest.raises(InputErrors) as caught:
        import_workbook(path, catalogue)
    return [str(e) for e in caught.value.errors]


# --- the round trip -----------------------------------------------------------------------------


@pytest.mark.parametrize("fixture", FIXTURE_FILES, ids=[p.stem for p in FIXTURE_FILES])
def test_template_from_profile_then_import_gives_an_equal_profile(fixture: Path, tmp_path: Path, runner: Any) -> None:
    workbook = tmp_path / "questionnaire.xlsx"
    output = tmp_path / "imported.yaml"
    made = runner.invoke(main, ["template", "--xlsx", str(workbook), "--from", str(fixture)])
    assert made.exit_code == 0, made.output
    imported = runner.invoke(main, ["import", str(workbook), "-o", str(output)])
    assert imported.exit_code == 0, imported.output
    assert load_profile(output) == load_profile(fixture)


def test_round_trip_keeps_text_that_looks_like_a_formula_as_text(tmp_path: Path, catalogue: Any) -> None:
    note = '=HYPERLINK("http://evil.example","click")'
    data = minimal_profile(
        note="+1 then -2",
        criminal_law={"offences": [offence("s-1", ["producing"], note=note, material={"real_child_record": "yes"})]},
        programmes={"helplines": {"answer": "yes", "note": "@helpline", "citation": {"instrument": "-Act", "in_force": "2021-02-03"}}},
    )
    path = _template(tmp_path, catalogue, data)
    sheet = load_workbook(path)["Offences"]
    cell = sheet.cell(row=2, column=_column(sheet, "note"))
    assert cell.data_type == "s" and cell.value == note
    assert import_workbook(path, catalogue) == validate_profile_data(data, "<test>")


def test_a_blank_template_names_the_cells_that_must_be_filled(tmp_path: Path, catalogue: Any) -> None:
    path = _template(tmp_path, catalogue)
    errors = _errors(path, catalogue)
    sheet = load_workbook(path)["Profile"]
    rows = {sheet.cell(row=r, column=1).value: r for r in range(2, sheet.max_row + 1)}
    assert f"{path}: Profile!C{rows['jurisdiction.code']}: required field is missing (fill in this cell)" in errors
    assert f"{path}: Profile!C{rows['as_of']}: required field is missing (fill in this cell)" in errors


def test_a_lawyer_adds_a_provision_as_a_row(tmp_path: Path, catalogue: Any) -> None:
    path = _template(tmp_path, catalogue, minimal_profile())
    workbook = load_workbook(path)
    sheet = workbook["Offences"]
    for name, value in {
        "id": "cc-184",
        "title": "Child sexual abuse material",
        "citation.instrument": "Criminal Code",
        "citation.provision": "s. 184",
        "citation.url": "https://example.org/cc#184",
        "conduct": "producing, Possessing",
        "material.synthetic_realistic": "No",
        "setting.online": "yes",
        "age_threshold": 18,
    }.items():
        sheet.cell(row=2, column=_column(sheet, name), value=value)
    workbook.save(path)
    profile = import_workbook(path, catalogue)
    (provision,) = profile.criminal_law.offences
    assert [c.value for c in provision.conduct] == ["producing", "possessing"]
    assert {m.value: a.value for m, a in provision.material.items()} == {"synthetic_realistic": "no"}
    assert provision.setting.online.value == "yes" and provision.setting.immersive.value == "unknown"
    assert provision.age_threshold == 18 and provision.extraterritorial is None


# --- the workbook's shape -----------------------------------------------------------------------


def test_every_fact_of_the_model_has_exactly_one_row(tmp_path: Path, catalogue: Any) -> None:
    workbook = load_workbook(_template(tmp_path, catalogue))
    rows = [
        sheet.cell(row=r, column=1).value
        for sheet in workbook.worksheets
        if sheet.cell(row=1, column=1).value == "fact"
        for r in range(2, sheet.max_row + 1)
    ]
    assert sorted(rows) == sorted(fact_paths())


def test_facts_sit_on_the_sheet_of_the_theme_whose_rules_use_them(tmp_path: Path, catalogue: Any) -> None:
    workbook = load_workbook(_template(tmp_path, catalogue))
    for loaded in catalogue.rules:
        for leaf in loaded.rule.condition.leaves():
            if leaf.fact:
                sheet, row = _fact_row(workbook, leaf.fact)
                assert sheet.title != "General"
                assert loaded.id in sheet.cell(row=row, column=2).value


def test_drop_downs_use_the_hidden_lists_and_only_answer_cells_are_unlocked(tmp_path: Path, catalogue: Any) -> None:
    workbook = load_workbook(_template(tmp_path, catalogue, minimal_profile()))
    assert workbook["Lists"].sheet_state == "hidden"
    names = workbook.defined_names
    assert "list_Answer" in names and names["list_Answer"].attr_text.startswith("'Lists'!")
    answers = [workbook["Lists"].cell(row=r, column=c).value for c in range(1, 30) for r in range(1, 6)]
    assert answers[answers.index("list_Answer") + 1 : answers.index("list_Answer") + 5] == ["yes", "no", "partial", "unknown"]
    sheet, row = _fact_row(workbook, "regulation.platforms.hash_sharing")
    assert sheet.protection.sheet
    assert sheet.cell(row=1, column=3).protection.locked and sheet.cell(row=row, column=1).protection.locked
    assert not sheet.cell(row=row, column=3).protection.locked
    answer_rules = [dv for dv in sheet.data_validations.dataValidation if dv.formula1 == "list_Answer"]
    assert answer_rules and any(f"C{row}" in str(dv.sqref) or f"C{row}" in dv for dv in answer_rules)
    offences = workbook["Offences"]
    conduct = offences.cell(row=2, column=_column(offences, "conduct"))
    assert not conduct.protection.locked
    conduct_rules = [dv for dv in offences.data_validations.dataValidation if dv.formula1 == "list_Conduct"]
    assert conduct_rules and not conduct_rules[0].showErrorMessage  # several values, comma-separated: checked on import


# --- error reports ------------------------------------------------------------------------------


def test_every_wrong_cell_is_reported_at_once_with_its_sheet_and_cell(tmp_path: Path, catalogue: Any, runner: Any) -> None:
    data = minimal_profile(criminal_law={"offences": [offence("s-1", ["producing"])]})
    path = _template(tmp_path, catalogue, data)
    workbook = load_workbook(path)
    facts, row = _fact_row(workbook, "regulation.platforms.hash_sharing")
    facts.cell(row=row, column=_column(facts, "answer"), value="yess")
    facts.cell(row=row, column=_column(facts, "citation.instrument"), value="Online Safety Act")
    facts.cell(row=row, column=_column(facts, "citation.url"), value="www.example.org")
    facts.cell(row=row, column=_column(facts, "citation.in_force"), value="2024-02-30")
    offences = workbook["Offences"]
    offences.cell(row=2, column=_column(offences, "conduct"), value="producing, posessing")
    offences.cell(row=2, column=_column(offences, "age_threshold"), value="eighteen")
    extra = offences.max_column + 1
    offences.cell(row=1, column=extra, value="penalty")
    del workbook["Reservations"]
    workbook.save(path)

    result = runner.invoke(main, ["import", str(path), "-o", str(tmp_path / "out.yaml")])

    assert result.exit_code == 2
    letter = {name: offences.cell(row=1, column=_column(offences, name)).column_letter for name in ("conduct", "age_threshold")}
    col = {name: facts.cell(row=1, column=_column(facts, name)).column_letter for name in ("answer", "citation.url", "citation.in_force")}
    lines = result.output.splitlines()
    assert (
        f"Error: {path}: {facts.title}!{col['answer']}{row}: \"yess\" is not one of yes, no, partial, unknown (did you mean 'yes'?)"
        in lines
    )
    assert f"Error: {path}: {facts.title}!{col['citation.url']}{row}: must be an http:// or https:// address" in lines
    bad_date = f'Error: {path}: {facts.title}!{col["citation.in_force"]}{row}: "2024-02-30" is not a date'
    bad_date += " (write it as YYYY-MM-DD, e.g. 2024-10-01)"
    assert bad_date in lines
    conduct = [
        line for line in lines if line.startswith(f"Error: {path}: Offences!{letter['conduct']}2: 'posessing' is not among producing, ")
    ]
    assert len(conduct) == 1 and conduct[0].endswith("(did you mean 'posessing' → 'possessing'?)")
    assert f'Error: {path}: Offences!{letter["age_threshold"]}2: "eighteen" is not a whole number (write digits only, e.g. 16)' in lines
    assert f"Error: {path}: Offences!{offences.cell(row=1, column=extra).column_letter}1: unknown column 'penalty' (remove it)" in lines
    assert f"Error: {path}: Reservations: sheet 'Reservations' is missing (use a workbook made by 'gap-engine template')" in lines
    assert not (tmp_path / "out.yaml").exists()


def test_a_deleted_fact_row_a_formula_and_a_stray_value_are_reported(tmp_path: Path, catalogue: Any) -> None:
    path = _template(tmp_path, catalogue, minimal_profile())
    workbook = load_workbook(path)
    sheet, row = _fact_row(workbook, "programmes.helplines")
    sheet.delete_rows(row)
    other, other_row = _fact_row(workbook, "institutions.covert_operations")
    other.cell(row=other_row, column=3, value='=IF(TRUE,"yes","no")')
    stray = max(c.column for c in other[1] if c.value is not None) + 2  # beyond the last header, with a gap
    other.cell(row=other_row, column=stray, value="yes")
    workbook.save(path)
    errors = _errors(path, catalogue)
    assert f"{path}: {sheet.title}: no row for fact 'programmes.helplines' (restore the row from a fresh template)" in errors
    assert f"{path}: {other.title}!C{other_row}: formulas are not accepted in a questionnaire (type the value itself)" in errors
    letter = other.cell(row=1, column=stray).column_letter
    assert f"{path}: {other.title}!{letter}{other_row}: value in a column without a header (move it to the right column)" in errors


# --- output files -------------------------------------------------------------------------------


def test_import_never_overwrites_without_force_and_writes_atomically(tmp_path: Path, runner: Any) -> None:
    workbook = tmp_path / "q.xlsx"
    output = tmp_path / "profile.yaml"
    fixture = FIXTURES / "examplia_complete.yaml"
    assert runner.invoke(main, ["template", "--xlsx", str(workbook), "--from", str(fixture)]).exit_code == 0
    output.write_text("previous work\n")

    refused = runner.invoke(main, ["import", str(workbook), "-o", str(output)])
    assert refused.exit_code == 2 and "file exists; refusing to overwrite it (pass --force" in refused.output
    assert output.read_text() == "previous work\n"

    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(workbook.read_bytes()[:5000])
    failed = runner.invoke(main, ["import", str(broken), "-o", str(output), "--force"])
    assert failed.exit_code == 2 and output.read_text() == "previous work\n"

    replaced = runner.invoke(main, ["import", str(workbook), "-o", str(output), "--force"])
    assert replaced.exit_code == 0 and load_profile(output) == load_profile(fixture)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.xlsx", "profile.yaml", "q.xlsx"]  # no temporary files left

    onto_itself = runner.invoke(main, ["import", str(workbook), "-o", str(workbook), "--force"])
    assert onto_itself.exit_code == 2 and "output path is one of the inputs" in onto_itself.output


def test_template_does_not_replace_an_existing_workbook_without_force(tmp_path: Path, runner: Any) -> None:
    workbook = tmp_path / "q.xlsx"
    workbook.write_bytes(b"filled in by someone")
    refused = runner.invoke(main, ["template", "--xlsx", str(workbook)])
    assert refused.exit_code == 2 and workbook.read_bytes() == b"filled in by someone"
    assert runner.invoke(main, ["template", "--xlsx", str(workbook), "--force"]).exit_code == 0
    assert load_workbook(workbook).sheetnames[:3] == ["Instructions", "Lists", "Profile"]


# --- untrusted workbooks ------------------------------------------------------------------------


def test_a_workbook_declaring_xml_entities_is_refused(tmp_path: Path, runner: Any) -> None:
    """An entity expansion ("billion laughs") in the workbook's XML must be refused before it expands:
    openpyxl parses with defusedxml, and the importer turns its refusal into a located error."""
    template = tmp_path / "t.xlsx"
    assert runner.invoke(main, ["template", "--xlsx", str(template)]).exit_code == 0
    bomb = tmp_path / "bomb.xlsx"
    dtd = b'<?xml version="1.0"?><!DOCTYPE workbook [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    with zipfile.ZipFile(template) as source, zipfile.ZipFile(bomb, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            target.writestr(item, dtd + data if item.filename == "xl/workbook.xml" else data)
    output = _import_error(runner, bomb)
    assert "bomb.xlsx" in output and "entities or a DTD" in output
    assert not bomb.with_suffix(".yaml").exists()


def _import_error(runner: Any, path: Path) -> str:
    result = runner.invoke(main, ["import", str(path), "-o", str(path.with_suffix(".yaml"))])
    assert result.exit_code == 2, result.output
    assert ("Traceback" not in result.output and result.exception is None) or isinstance(result.exception, SystemExit)
    return result.output


def test_a_csv_renamed_xlsx_is_a_clear_error(tmp_path: Path, runner: Any) -> None:
    path = tmp_path / "answers.xlsx"
    path.write_text("fact,answer\nregulation.platforms.hash_sharing,yes\n")
    assert f"Error: {path}: is text (CSV?), not an .xlsx workbook" in _import_error(runner, path)


def test_an_encrypted_workbook_is_a_clear_error(tmp_path: Path, runner: Any) -> None:
    path = tmp_path / "locked.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    assert "is an encrypted (password-protected) workbook or an old .xls file" in _import_error(runner, path)


def test_a_corrupt_workbook_is_a_clear_error(tmp_path: Path, runner: Any, catalogue: Any) -> None:
    good = build_template(catalogue)
    truncated = tmp_path / "truncated.xlsx"
    truncated.write_bytes(good[: len(good) // 2])
    assert f"Error: {truncated}: is a corrupt workbook" in _import_error(runner, truncated)
    garbled = tmp_path / "garbled.xlsx"
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as source, zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            target.writestr(item, data[: len(data) // 3] if item.filename == "xl/workbook.xml" else data)
    garbled.write_bytes(buffer.getvalue())
    assert f"Error: {garbled}: cannot read the workbook:" in _import_error(runner, garbled)


def test_a_zip_that_is_not_a_workbook_is_refused(tmp_path: Path, runner: Any) -> None:
    path = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert "is a zip archive but not an .xlsx workbook" in _import_error(runner, path)


def test_an_archive_out_of_proportion_is_refused_before_parsing(tmp_path: Path, runner: Any, catalogue: Any) -> None:
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(io.BytesIO(build_template(catalogue))) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item.filename, source.read(item))
        target.writestr("xl/media/padding.bin", bytes(60_000_000))
    assert path.stat().st_size < 1_000_000
    assert "refusing an archive out of proportion to its size" in _import_error(runner, path)


def test_a_workbook_over_the_size_limit_is_refused(tmp_path: Path, runner: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workbook_safety, "MAX_WORKBOOK_BYTES", 1_000)
    path = tmp_path / "big.xlsx"
    Workbook().save(path)
    assert "over the 1,000-byte limit" in _import_error(runner, path)


def test_an_xml_entity_bomb_is_refused(tmp_path: Path, runner: Any, catalogue: Any) -> None:
    doctype = b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    path = tmp_path / "entities.xlsx"
    with zipfile.ZipFile(io.BytesIO(build_template(catalogue))) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename in ("xl/workbook.xml", "xl/worksheets/sheet3.xml"):
                data = doctype + data.split(b"?>", 1)[-1] if data.startswith(b"<?xml") else doctype + data
            target.writestr(item, data)
    assert f"Error: {path}: cannot read the workbook: its XML declares entities or a DTD" in _import_error(runner, path)


def test_round_trip_keeps_every_kind_of_value(tmp_path: Path, catalogue: Any) -> None:
    """Values the fixtures do not exercise: explicit unknowns, empty reach abroad, order of conduct, text edge cases."""
    data = {
        "jurisdiction": {"code": "XC", "name": "Casia — Å § ✓"},
        "as_of": "2025-01-31",
        "sources": [
            {
                "instrument": "Official Journal",
                "title": "Consolidated text",
                "url": "https://example.org/oj?a=1&b=2",
                "in_force": "2024-06-30",
            },
            {"instrument": "Penal Code 2010", "provision": "184"},
        ],
        "note": " leading space\nand a second line ",
        "convention": {
            "status": "signatory",
            "signed": "2010-05-05",
            "reservations_stated": True,
            "reservations": [
                {"article": 20, "paragraph": 3, "indent": 1, "extent": "part", "withdrawn": "2023-01-01", "note": "-partly withdrawn"},
                {"article": 24, "paragraph": 3, "citation": {"instrument": "Instrument of ratification"}},
            ],
            "declarations": [{"article": 37, "paragraph": 2, "text": "National authority: the Ministry of Justice"}],
            "citation": {"instrument": "Treaty series", "provision": "No. 201"},
        },
        "criminal_law": {
            "offences_listed_exhaustively": {"answer": "partial", "note": "case law pending"},
            "extraterritorial": {"nationals": "yes", "citation": {"instrument": "Penal Code 2010", "provision": "5"}},
            "offences": [
                {
                    "id": "pc-184.a",
                    "title": "Possession and production",
                    "citation": {"instrument": "Penal Code 2010", "provision": "184", "in_force": "2011-01-01"},
                    "conduct": ["possessing", "producing"],
                    "material": {"synthetic_realistic": "unknown", "real_child_record": "yes"},
                    "setting": {"online": "partial"},
                    "age_threshold": 16,
                    "meeting_proposal_required": "no",
                    "extraterritorial": {},
                    "max_penalty_years": 2.5,
                }
            ],
        },
        "regulation": {
            "platforms": {"hash_sharing": {"citation": {"instrument": "Draft bill"}}, "removal_deadline": {"note": "under review"}}
        },
        "programmes": {"helplines": {"answer": "yes", "note": "  "}},
    }
    expected = validate_profile_data(data, "<test>")
    assert expected.criminal_law.offences[0].extraterritorial is not None
    path = _template(tmp_path, catalogue, data)
    imported = import_workbook(path, catalogue)
    assert imported == expected
    assert parse_profile(dump_profile(imported)) == expected  # and through the YAML that import writes


def test_text_a_cell_cannot_hold_unchanged_is_refused_not_altered(tmp_path: Path, catalogue: Any) -> None:
    data = minimal_profile(programmes={"helplines": {"answer": "yes", "note": "bell\x07 in the note"}})
    with pytest.raises(InputErrors) as caught:
        _template(tmp_path, catalogue, data)
    (error,) = caught.value.errors
    assert "note: text with control characters or over 32,767 characters cannot be put in a workbook cell unchanged" in str(error)


def test_every_field_of_a_provision_has_a_column_on_the_offences_sheet(tmp_path: Path, catalogue: Any) -> None:
    from gap_engine.profile import Material, Offence

    headers = [c.value for c in load_workbook(_template(tmp_path, catalogue))["Offences"][1]]
    for name in Offence.model_fields:
        assert any(h == name or h.startswith(f"{name}.") for h in headers), f"no column for {name}"
    assert [h for h in headers if h.startswith("material.")] == [f"material.{m.value}" for m in Material]


def test_a_sheet_stretched_to_a_far_column_is_refused(tmp_path: Path, catalogue: Any) -> None:
    path = _template(tmp_path, catalogue, minimal_profile())
    workbook = load_workbook(path)
    workbook["Offences"].cell(row=3, column=5_000, value="x")
    workbook.save(path)
    expected = f"{path}: Offences: sheet has 5,000 columns, over the limit of 200 (its <dimension ref='A1:GJH201'> says so"
    assert [e for e in _errors(path, catalogue) if e.startswith(expected)]


def _profiles() -> Any:
    """Random profiles: any subset of facts answered (some cited), provisions with any scope, printable text."""
    from hypothesis import strategies as st

    from gap_engine.profile import Answer, Conduct, Material, OffenceSetting

    answers = st.sampled_from([a.value for a in Answer])
    text = st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), min_size=1, max_size=30)
    dates = st.dates(min_value=date(1950, 1, 1), max_value=date(2030, 12, 31)).map(date.isoformat)
    citation = st.fixed_dictionaries(
        {"instrument": text},
        optional={"provision": text, "title": text, "url": text.map(lambda t: "https://example.org/" + quote(t)), "in_force": dates},
    )
    fact = st.one_of(answers, st.fixed_dictionaries({"answer": answers}, optional={"citation": citation, "note": text}))
    facts = st.dictionaries(st.sampled_from(sorted(fact_paths())), fact, max_size=12)
    provision = st.fixed_dictionaries(
        {
            "title": text,
            "citation": citation,
            "conduct": st.lists(st.sampled_from([c.value for c in Conduct]), min_size=1, max_size=5, unique=True),
        },
        optional={
            "material": st.dictionaries(st.sampled_from([m.value for m in Material]), answers),
            "setting": st.dictionaries(st.sampled_from(list(OffenceSetting.model_fields)), answers),
            "age_threshold": st.integers(1, 25),
            "max_penalty_years": st.floats(0, 99, allow_nan=False).map(lambda x: round(x, 2)),
            "extraterritorial": st.fixed_dictionaries({}, optional={"nationals": answers, "citation": citation}),
            "note": text,
        },
    )
    offences = st.lists(provision, max_size=3).map(lambda items: [{"id": f"p-{i}", **item} for i, item in enumerate(items)])

    def assemble(chosen: dict[str, Any], provisions: list[dict[str, Any]], note: str | None) -> dict[str, Any]:
        data = minimal_profile(criminal_law={"offences": provisions})
        if note:
            data["note"] = note
        for path, value in chosen.items():
            node = data
            *parents, leaf = path.split(".")
            for part in parents:
                node = node.setdefault(part, {})
            node[leaf] = value
        return data

    return st.builds(assemble, facts, offences, st.none() | text)


def test_round_trip_is_lossless_for_random_profiles(tmp_path: Path, catalogue: Any) -> None:
    from hypothesis import HealthCheck, given, settings

    @settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(_profiles())
    def check(data: dict[str, Any]) -> None:
        profile = validate_profile_data(data, "<random>")
        path = tmp_path / "random.xlsx"
        path.write_bytes(build_template(catalogue, profile))
        assert import_workbook(path, catalogue) == profile

    check()


def test_the_same_profile_gives_a_byte_identical_template(catalogue: Any) -> None:
    profile = load_profile(FIXTURES / "examplia_complete.yaml")
    assert build_template(catalogue, profile) == build_template(catalogue, profile)
    assert build_template(catalogue) == build_template(catalogue)
