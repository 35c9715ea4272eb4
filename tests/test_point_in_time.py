"""Law counts only on the date it is in force: the evaluation date, --as-of, dated citations and facts."""

from __future__ import annotations

import json
from datetime import date
from functools import cache
from pathlib import Path

import pytest
from click.testing import CliRunner

from gap_engine.api import check_profiles
from gap_engine.cli import main
from gap_engine.errors import InputErrors
from gap_engine.findings import Finding
from gap_engine.loading import validate_profile_data
from gap_engine.rules import RuleCatalogue, load_rules
from tests.conftest import minimal_profile, offence


@cache
def catalogue() -> RuleCatalogue:
    return load_rules()


DEEPFAKES = {"real_child_record": "yes", "manipulated_real_child": "yes"}
CSAM_CONDUCT = ["producing", "offering_or_making_available", "distributing_or_transmitting", "possessing"]


def finding(data: dict, rule_id: str, on: date | None = None, engine: str = "durable") -> Finding:
    from gap_engine.api import make_engine

    results = check_profiles([("p.yaml", validate_profile_data(data, "p.yaml"))], catalogue(), make_engine(catalogue(), engine), on)
    return next(f for f in results.all_findings() if f.rule_id == rule_id)


def csam(citation: dict, **extra: object) -> dict:
    item = offence("sr-240b", CSAM_CONDUCT, material=DEEPFAKES, age_threshold=18, **extra)
    item["citation"] = {"instrument": "Test Code", "provision": "s. 240b", **citation}
    return item


@pytest.mark.parametrize("engine", ["durable", "python"])
def test_a_provision_not_yet_in_force_does_not_cover(engine: str) -> None:
    """Regression (false covered): a profile as of 2024-01-01 whose only offence enters into force
    in 2030 made GAI-001 covered, citing a law that did not exist on that date."""
    data = minimal_profile(as_of="2024-01-01", criminal_law={"offences": [csam({"in_force": "2030-01-01"})]})
    result = finding(data, "GAI-001", engine=engine)
    assert result.status.value == "unknown"
    assert any("in force from 2030-01-01, not on 2024-01-01" in m for m in result.missing)
    # Not silently dropped: the provision is shown as evidence, with why it does not count.
    assert [(e.ref, e.note) for e in result.evidence] == [("sr-240b", "in force from 2030-01-01, not on 2024-01-01")]
    exhaustive = minimal_profile(
        as_of="2024-01-01", criminal_law={"offences_listed_exhaustively": "yes", "offences": [csam({"in_force": "2030-01-01"})]}
    )
    assert finding(exhaustive, "GAI-001", engine=engine).status.value == "gap"


def test_a_repealed_provision_does_not_cover() -> None:
    data = minimal_profile(
        criminal_law={"offences_listed_exhaustively": "yes", "offences": [csam({"in_force": "2010-01-01", "in_force_until": "2020-12-31"})]}
    )
    result = finding(data, "GAI-001")
    assert result.status.value == "gap"
    assert any("in force until 2020-12-31, not on 2024-10-01" in m for m in result.missing)


def test_an_earlier_evaluation_date_sees_the_law_of_that_date() -> None:
    data = minimal_profile(criminal_law={"offences_listed_exhaustively": "yes", "offences": [csam({"in_force": "2021-06-01"})]})
    assert finding(data, "GAI-001").status.value == "covered"
    earlier = finding(data, "GAI-001", on=date(2021, 5, 31))
    assert earlier.status.value == "gap"
    assert any("in force from 2021-06-01, not on 2021-05-31" in m for m in earlier.missing)
    assert finding(data, "GAI-001", on=date(2021, 6, 1)).status.value == "covered"


def test_an_undated_citation_is_in_force_on_as_of_only() -> None:
    data = minimal_profile(criminal_law={"offences_listed_exhaustively": "yes", "offences": [csam({})]})
    assert finding(data, "GAI-001").status.value == "covered"
    earlier = finding(data, "GAI-001", on=date(2020, 1, 1))
    assert earlier.status.value == "unknown"  # neither covered nor a gap: the profile does not say
    assert any("no in-force date given" in m for m in earlier.missing)


def test_a_later_evaluation_date_is_refused() -> None:
    data = minimal_profile(criminal_law={"offences": [csam({})]})
    with pytest.raises(InputErrors) as caught:
        finding(data, "GAI-001", on=date(2025, 1, 1))
    message = str(caught.value)
    assert "p.yaml" in message and "cannot evaluate on 2025-01-01" in message and "2024-10-01" in message


def test_a_measure_not_yet_in_force_takes_its_earlier_answer() -> None:
    """A duty with a citation in force later counts only from then; before, answer_before_in_force (or unknown)."""
    dated = {"answer": "yes", "citation": {"instrument": "Removal Act", "provision": "art. 3", "in_force": "2024-07-01"}}
    support = {"image_removal_support": "yes"}
    with_before = minimal_profile(
        programmes=support, regulation={"platforms": {"hash_sharing": "yes", "removal_deadline": {**dated, "answer_before_in_force": "no"}}}
    )
    assert finding(with_before, "LIVE-008").status.value == "covered"
    before = finding(with_before, "LIVE-008", on=date(2024, 6, 30))
    assert before.status.value == "gap"
    assert any("in force from 2024-07-01, not on 2024-06-30" in m for m in before.missing)
    without = minimal_profile(programmes=support, regulation={"platforms": {"hash_sharing": "yes", "removal_deadline": dated}})
    unknown = finding(without, "LIVE-008", on=date(2024, 6, 30))
    assert unknown.status.value == "unknown"
    assert any("removal_deadline is yes only where the cited provision applies" in m for m in unknown.missing)
    assert any(e.ref == "regulation.platforms.removal_deadline" and e.answer == "unknown" for e in unknown.evidence)


def test_territorial_extent_of_a_provision() -> None:
    scottish = csam({"extent": ["Scotland"]})
    england = minimal_profile(
        jurisdiction={"code": "GB", "name": "United Kingdom (England and Wales)", "territory": "England and Wales"},
        criminal_law={"offences_listed_exhaustively": "yes", "offences": [scottish]},
    )
    result = finding(england, "GAI-001")
    assert result.status.value == "gap"
    assert any("extends to Scotland, not to England and Wales" in m for m in result.missing)
    whole_state = minimal_profile(criminal_law={"offences_listed_exhaustively": "yes", "offences": [scottish]})
    assert finding(whole_state, "GAI-001").status.value == "partial"
    both = csam({"extent": ["England and Wales", "Northern Ireland"]})
    assert finding({**england, "criminal_law": {"offences": [both]}}, "GAI-001").status.value == "covered"


def test_in_force_until_before_in_force_is_an_input_error() -> None:
    data = minimal_profile(criminal_law={"offences": [csam({"in_force": "2020-01-01", "in_force_until": "2019-01-01"})]})
    with pytest.raises(InputErrors) as caught:
        validate_profile_data(data, "p.yaml")
    assert "in_force_until (2019-01-01) is before in_force (2020-01-01)" in str(caught.value)


def _write(tmp_path: Path) -> Path:
    from ruamel.yaml import YAML

    data = minimal_profile(criminal_law={"offences_listed_exhaustively": "yes", "offences": [csam({"in_force": "2021-06-01"})]})
    path = tmp_path / "p.yaml"
    with path.open("w") as handle:
        YAML().dump(data, handle)
    return path


def test_cli_as_of_states_the_evaluation_date_in_every_output(tmp_path: Path) -> None:
    path = _write(tmp_path)
    runner = CliRunner()
    args = ["check", str(path), "--as-of", "2021-05-31"]
    text = runner.invoke(main, args)
    assert text.exit_code == 0, text.output
    assert "law as of 2024-10-01, evaluated on 2021-05-31" in text.output
    assert "in force from 2021-06-01, not on 2021-05-31" in text.output
    markdown = runner.invoke(main, [*args, "--format", "markdown"]).output
    assert "evaluated on 2021-05-31" in markdown and "| 2024-10-01 | 2021-05-31 |" in markdown
    data = json.loads(runner.invoke(main, [*args, "--format", "json"]).output)
    assert data["profiles"][0]["evaluated_on"] == "2021-05-31" and data["profiles"][0]["as_of"] == "2024-10-01"
    csv_path, xlsx_path = tmp_path / "out.csv", tmp_path / "out.xlsx"
    assert runner.invoke(main, [*args, "--csv", str(csv_path), "--xlsx", str(xlsx_path)]).exit_code == 0
    header, first = csv_path.read_text(encoding="utf-8-sig").splitlines()[:2]
    assert "evaluated_on" in header.split(",") and "2021-05-31" in first
    from openpyxl import load_workbook

    workbook = load_workbook(xlsx_path)
    summary = workbook[workbook.sheetnames[0]]
    assert summary.cell(row=3, column=3).value == "Evaluated on"
    assert summary.cell(row=4, column=3).value.date() == date(2021, 5, 31)


def test_cli_refuses_a_later_as_of_with_exit_2(tmp_path: Path) -> None:
    path = _write(tmp_path)
    result = CliRunner().invoke(main, ["check", str(path), "--as-of", "2030-01-01"])
    assert result.exit_code == 2
    assert f"{path}" in result.output and "cannot evaluate on 2030-01-01" in result.output
    assert "Traceback" not in result.output
