"""The profile model and its loader: valid profiles, and errors located by file, line, column and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from gap_engine.errors import InputErrors
from gap_engine.loading import load_profile, parse_profile, validate_profile_data
from gap_engine.profile import Answer, Material, Profile, fact_paths
from tests.conftest import minimal_profile, offence


def errors_of(text: str) -> list[str]:
    with pytest.raises(InputErrors) as info:
        parse_profile(text, "p.yaml")
    return [str(e) for e in info.value.errors]


def test_absent_facts_are_unknown_never_no() -> None:
    profile = validate_profile_data(minimal_profile(), "p")
    assert profile.regulation.platforms.hash_sharing.answer is Answer.unknown
    assert profile.criminal_law.offences_listed_exhaustively.answer is Answer.unknown
    assert profile.convention.status.value == "unknown"


def test_offence_material_not_listed_is_unknown() -> None:
    data = minimal_profile(criminal_law={"offences": [offence("a", ["possessing"], material={"real_child_record": "yes"})]})
    profile = validate_profile_data(data, "p")
    assert profile.criminal_law.offences[0].material.get(Material.synthetic_realistic, Answer.unknown) is Answer.unknown


def test_yes_and_no_stay_answers_in_yaml() -> None:
    profile = parse_profile(
        "jurisdiction: {code: XT, name: T}\nas_of: 2024-10-01\nfictional: true\n"
        "regulation:\n  platforms:\n    hash_sharing: no\n    age_assurance: yes\n"
    )
    assert profile.regulation.platforms.hash_sharing.answer is Answer.no
    assert profile.regulation.platforms.age_assurance.answer is Answer.yes


def test_unknown_field_is_located_and_suggests_the_nearest_name() -> None:
    errors = errors_of(
        "jurisdiction: {code: XT, name: T}\nas_of: 2024-10-01\nfictional: true\nregulation:\n  platforms:\n    hash_shareing: yes\n"
    )
    assert errors == ["p.yaml:6:5: regulation.platforms.hash_shareing: unknown field 'hash_shareing' (did you mean 'hash_sharing'?)"]


def test_all_errors_of_a_file_are_reported_at_once() -> None:
    errors = errors_of("jurisdiction: {code: xt, name: T}\nas_of: 2024-13-01\nfictional: true\nprogrammes:\n  education: maybe\n")
    assert len(errors) == 3
    assert errors[0].startswith("p.yaml:1:") and "jurisdiction.code" in errors[0]
    assert errors[1].startswith("p.yaml:2:1: as_of:")
    assert errors[2].startswith("p.yaml:5:3: programmes.education") and "'maybe' is not one of" in errors[2]


def test_bad_enum_in_offence_scope_suggests_value() -> None:
    text = (
        "jurisdiction: {code: XT, name: T}\nas_of: 2024-10-01\nfictional: true\ncriminal_law:\n  offences:\n"
        "    - id: a\n      title: A\n      citation: {instrument: Code}\n      conduct: [producin]\n"
    )
    (error,) = errors_of(text)
    assert error.startswith("p.yaml:9:17: criminal_law.offences[0].conduct[0]: 'producin' is not one of")
    assert "did you mean 'producing'?" in error


def test_duplicate_offence_ids_are_an_error() -> None:
    data = minimal_profile(criminal_law={"offences": [offence("a", ["possessing"]), offence("a", ["producing"])]})
    with pytest.raises(InputErrors, match="offence id 'a' is used twice"):
        validate_profile_data(data, "p")


def test_real_jurisdiction_must_cite_sources() -> None:
    data = minimal_profile()
    data["fictional"] = False
    with pytest.raises(InputErrors, match="must list its sources"):
        validate_profile_data(data, "p")


@pytest.mark.parametrize(
    ("reservation", "ok"),
    [
        ({"article": 20, "paragraph": 3, "indent": 1}, True),
        ({"article": 20, "paragraph": 3, "indent": 2}, True),
        ({"article": 25, "paragraph": 3}, True),
        ({"article": 20, "paragraph": 3}, False),  # 20(3) has two separate indents: name one
        ({"article": 18}, False),
    ],
)
def test_reservations_only_where_the_convention_allows(reservation: dict, ok: bool) -> None:
    data = minimal_profile(convention={"status": "party", "reservations": [reservation]})
    if ok:
        assert validate_profile_data(data, "p").convention.reservations[0].article == reservation["article"]
    else:
        with pytest.raises(InputErrors, match="allows no reservation at this place"):
            validate_profile_data(data, "p")


def test_citation_url_must_be_http() -> None:
    data = minimal_profile(programmes={"education": {"answer": "yes", "citation": {"instrument": "Act", "url": "javascript:alert(1)"}}})
    with pytest.raises(InputErrors, match="http:// or https://"):
        validate_profile_data(data, "p")


def test_a_list_where_a_mapping_is_expected(tmp_path: Path) -> None:
    path = tmp_path / "list.yaml"
    path.write_text("- a\n- b\n")
    with pytest.raises(InputErrors, match="a profile must be a mapping of fields, found list"):
        load_profile(path)


def test_fact_paths_cover_every_section() -> None:
    paths = fact_paths()
    assert "regulation.connected_devices.unique_passwords" in paths
    assert "institutions.covert_operations" in paths
    assert "criminal_law.corporate_liability" in paths
    assert not any(p.startswith("criminal_law.offences.") for p in paths)


def test_json_schema_forbids_unknown_keys() -> None:
    schema = Profile.model_json_schema()
    assert schema["additionalProperties"] is False
    assert "jurisdiction" in schema["required"]


def test_workbook_errors_sort_by_row_number_not_text() -> None:
    from gap_engine.errors import InputError

    errors = InputErrors([InputError(source="q.xlsx", cell=f"IoT!C{row}", message="bad") for row in (10, 2, 1)])
    assert [e.cell for e in errors.errors] == ["IoT!C1", "IoT!C2", "IoT!C10"]
