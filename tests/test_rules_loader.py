"""The rule loader: conditions are checked against the profile model at load time."""

from __future__ import annotations

from pathlib import Path

import pytest

from gap_engine.errors import InputErrors
from gap_engine.rules import load_rules
from tests.conftest import write_manifest

RULE = """\
theme: test_theme
rules:
  - id: {rule_id}
    title: Something is criminalised
    questions: [TP-Q1]
    articles: ["20"]
    severity: obligation
    condition:
      {condition}
    finding: Why it matters.
    recommendation: What to do.
    cases:
      - name: unknown_when_nothing_stated
        profile: {{}}
        expect: unknown
"""


def write_pack(tmp_path: Path, name: str = "pack", **files: str) -> Path:
    pack = write_manifest(tmp_path / name)
    for filename, text in files.items():
        (pack / f"{filename}.yaml").write_text(text)
    return pack


def load_errors(pack: Path) -> list[str]:
    with pytest.raises(InputErrors) as info:
        load_rules([pack], include_builtin=False)
    return [str(e) for e in info.value.errors]


def test_a_valid_pack_loads_with_its_pack_name(tmp_path: Path) -> None:
    pack = write_pack(tmp_path, a=RULE.format(rule_id="ORG-001", condition="fact: regulation.platforms.hash_sharing"))
    catalogue = load_rules([pack], include_builtin=False)
    assert [(r.id, r.pack, r.pack_version, r.theme) for r in catalogue.rules] == [("ORG-001", "test-pack", "1.0.0", "test_theme")]


def test_unknown_fact_path_names_file_and_rule(tmp_path: Path) -> None:
    pack = write_pack(tmp_path, a=RULE.format(rule_id="ORG-001", condition="fact: regulation.platforms.hash_shareing"))
    (error,) = load_errors(pack)
    assert error.startswith(f"{pack / 'a.yaml'}:8:5: rules[0].condition: rule ORG-001: the profile has no fact")
    assert "did you mean 'regulation.platforms.hash_sharing'?" in error


def test_unknown_conduct_value_names_rule(tmp_path: Path) -> None:
    pack = write_pack(tmp_path, a=RULE.format(rule_id="ORG-002", condition="offence: {conduct: producin}"))
    (error,) = load_errors(pack)
    assert "rules[0].condition.offence.conduct: rule ORG-002: 'producin' is not one of" in error
    assert "did you mean 'producing'?" in error


def test_unknown_scope_element_names_rule(tmp_path: Path) -> None:
    pack = write_pack(tmp_path, a=RULE.format(rule_id="ORG-003", condition="offence: {conduct: producing, where: {setting.vr: yes}}"))
    (error,) = load_errors(pack)
    assert "rule ORG-003: offence has no scope element 'setting.vr'" in error


def test_unknown_field_in_a_rule(tmp_path: Path) -> None:
    text = RULE.format(rule_id="ORG-004", condition="fact: programmes.education").replace("severity:", "severty: obligation\n    severity:")
    (error,) = load_errors(write_pack(tmp_path, a=text))
    assert "rule ORG-004: unknown field 'severty' (did you mean 'severity'?)" in error


def test_unknown_question_reference(tmp_path: Path) -> None:
    text = RULE.format(rule_id="ORG-005", condition="fact: programmes.education").replace("[TP-Q1]", "[TP-Q11]")
    (error,) = load_errors(write_pack(tmp_path, a=text))
    assert "rule ORG-005: question 'TP-Q11' is not declared in pack 'test-pack'; did you mean 'TP-Q1'?" in error


def test_duplicate_ids_across_files_are_an_error(tmp_path: Path) -> None:
    rule = RULE.format(rule_id="ORG-006", condition="fact: programmes.education")
    pack = write_pack(tmp_path, a=rule, b=rule)
    (error,) = load_errors(pack)
    assert error.startswith(f"{pack / 'b.yaml'}:3: ORG-006: duplicate rule ID ORG-006 (also in {pack / 'a.yaml'}, line 3)")


def test_a_pack_cannot_reuse_a_builtin_id(tmp_path: Path) -> None:
    pack = write_pack(tmp_path, a=RULE.format(rule_id="GAI-001", condition="fact: programmes.education"))
    with pytest.raises(InputErrors, match="duplicate rule ID GAI-001"):
        load_rules([pack])


def test_condition_needs_exactly_one_kind(tmp_path: Path) -> None:
    pack = write_pack(
        tmp_path, a=RULE.format(rule_id="ORG-007", condition="{fact: programmes.education, all: [{fact: programmes.helplines}]}")
    )
    (error,) = load_errors(pack)
    assert "rule ORG-007: a condition needs exactly one of all, any, at_least/of, offence, fact, rule, use; found all, fact" in error


def test_missing_pack_directory(tmp_path: Path) -> None:
    (error,) = load_errors(tmp_path / "nope")
    assert error.endswith("rule pack is not a directory (pass a directory holding pack.yaml)")


def test_builtin_catalogue_loads_in_paper_order() -> None:
    catalogue = load_rules()
    themes = [r.theme for r in catalogue.rules]
    order = ["generative_ai", "machine_learning", "immersive", "iot", "robotics", "live_csea", "cross_cutting"]
    assert themes == sorted(themes, key=order.index)
    assert len({r.id for r in catalogue.rules}) == len(catalogue.rules)


RETIRED = """\
retired:
  - id: {retired_id}
    replaced_by: [{successors}]
    reason: Split into an obligation and a recommendation.
"""


def test_a_retired_id_is_listed_with_its_successors(tmp_path: Path) -> None:
    text = RULE.format(rule_id="ORG-002", condition="fact: regulation.platforms.hash_sharing")
    pack = write_pack(tmp_path, a=text + RETIRED.format(retired_id="ORG-001", successors="ORG-002"))
    catalogue = load_rules([pack], include_builtin=False)
    assert [(r.id, r.replaced_by) for r in catalogue.retired] == [("ORG-001", ["ORG-002"])]


def test_a_retired_id_is_never_reused(tmp_path: Path) -> None:
    text = RULE.format(rule_id="ORG-001", condition="fact: regulation.platforms.hash_sharing")
    pack = write_pack(tmp_path, a=text + RETIRED.format(retired_id="ORG-001", successors=""))
    (error,) = load_errors(pack)
    assert "rule ID ORG-001 was retired in" in error and "is never reused" in error
    assert "give the rule a new ID" in error


def test_a_retired_rule_names_only_rules_that_exist(tmp_path: Path) -> None:
    text = RULE.format(rule_id="ORG-002", condition="fact: regulation.platforms.hash_sharing")
    pack = write_pack(tmp_path, a=text + RETIRED.format(retired_id="ORG-001", successors="ORG-003"))
    (error,) = load_errors(pack)
    assert "replaced_by names ORG-003, which is not a rule" in error


def test_an_id_is_retired_only_once(tmp_path: Path) -> None:
    text = RULE.format(rule_id="ORG-002", condition="fact: regulation.platforms.hash_sharing")
    retired = RETIRED.format(retired_id="ORG-001", successors="ORG-002")
    other = RULE.format(rule_id="ORG-003", condition="fact: regulation.platforms.hash_sharing") + retired
    pack = write_pack(tmp_path, a=text + retired, b=other)
    (error,) = load_errors(pack)
    assert "ORG-001 is retired twice" in error


def test_a_pack_rule_never_claims_a_question_of_the_paper(tmp_path: Path) -> None:
    for ref in ("DECL-5", "GAI-Q3"):
        text = RULE.format(rule_id="ORG-001", condition="fact: regulation.platforms.hash_sharing").replace("[TP-Q1]", f"[{ref}]")
        (error,) = load_errors(write_pack(tmp_path / ref, a=text))
        assert f"{ref!r} is a question of the paper; a pack's rules cite only the questions its pack.yaml declares" in error


def test_builtin_rules_cite_the_committee_declaration() -> None:
    cited = {ref for loaded in load_rules().rules for ref in loaded.rule.questions}
    assert {f"DECL-{n}" for n in range(1, 6)} <= cited


def test_builtin_retired_ids_point_at_live_rules() -> None:
    catalogue = load_rules()
    live = {r.id for r in catalogue.rules}
    assert catalogue.retired, "the regrade retired the rules it split"
    for retired in catalogue.retired:
        assert retired.id not in live
        assert set(retired.replaced_by) <= live
