"""Conditions over rules: ``rule: ID``, ``at_least: N`` with ``of``, named conditions (``use: NAME``), labels.

Outside organisations write rule packs that build on other rules' findings; a reference that
silently never fires, or a cycle that hangs, would give findings a legal adviser cannot trust.
Each test loads a small pack from a directory, as ``--rules DIR`` does.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from ruamel.yaml import YAML

from gap_engine.api import check_profiles, make_engine
from gap_engine.catalogue_docs import describe_condition, render_catalogue
from gap_engine.cli import main
from gap_engine.conditions import grade_at_least, rule_grade
from gap_engine.errors import InputErrors
from gap_engine.facts import profile_facts
from gap_engine.findings import Finding, Status
from gap_engine.loading import validate_profile_data
from gap_engine.questionnaire import checklist_markdown, checklist_xlsx
from gap_engine.questionnaire.checklist import checklist_from
from gap_engine.rules import RuleCatalogue, load_rules
from gap_engine.verdict import decide
from tests.conftest import minimal_profile, offence, write_manifest

HASHES = "regulation.platforms.hash_sharing"
DEADLINE = "regulation.platforms.removal_deadline"
HELPLINES = "programmes.helplines"
FIRST_INDENT = {"article": 20, "paragraph": 3, "indent": 1}


def rule(rule_id: str, condition: dict[str, Any], cases: list[dict[str, Any]] | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "id": rule_id,
        "title": f"Rule {rule_id} holds",
        "questions": ["TP-Q1"],
        "severity": "recommendation",
        "condition": condition,
        "finding": "Why it matters.",
        "recommendation": "What to do.",
        **extra,
        "cases": cases or [{"name": "unknown_when_nothing_stated", "profile": {}, "expect": "unknown"}],
    }


def write_pack(tmp_path: Path, name: str = "pack", **files: dict[str, Any]) -> Path:
    """Each keyword is a file (``a`` -> a.yaml) holding a theme, optional named conditions and rules."""
    pack = write_manifest(tmp_path / name, pack_id=name.replace("_", "-"))
    yaml = YAML(typ="rt", pure=True)  # keeps the keys in order, so a rule's item starts at its id
    yaml.default_flow_style = False
    for filename, data in files.items():
        with (pack / f"{filename}.yaml").open("w", encoding="utf-8") as handle:
            # Through JSON: a dict used twice would otherwise be dumped as a YAML alias, which the loader refuses.
            yaml.dump(json.loads(json.dumps({"theme": "test_theme", **data})), handle)
    return pack


def line_of(path: Path, needle: str, after: str | None = None) -> int:
    """The 1-based line of the first ``needle`` (after the first ``after``, if given)."""
    lines = path.read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if after in line) if after else 0
    return next(i for i, line in enumerate(lines) if i >= start and needle in line) + 1


def load_errors(pack: Path, *, include_builtin: bool = False) -> list[str]:
    with pytest.raises(InputErrors) as info:
        load_rules([pack], include_builtin=include_builtin)
    return [str(e) for e in info.value.errors]


def findings(catalogue: RuleCatalogue, data: dict[str, Any], engine: str = "python") -> dict[str, Finding]:
    results = check_profiles([("p.yaml", validate_profile_data(data, "p.yaml"))], catalogue, make_engine(catalogue, engine, notice=False))
    return {f.rule_id: f for f in results.all_findings()}


def platforms(hashes: str) -> dict[str, Any]:
    return minimal_profile(regulation={"platforms": {"hash_sharing": hashes}})


# --- load-time errors ---------------------------------------------------------------------------


def test_unknown_rule_reference_names_file_line_rule_and_the_nearest_id(tmp_path: Path) -> None:
    pack = write_pack(tmp_path, a={"rules": [rule("ORG-001", {"fact": HASHES}), rule("ORG-002", {"rule": "ORG-011"})]})
    (error,) = load_errors(pack)
    path = pack / "a.yaml"
    assert error.startswith(f"{path}:{line_of(path, 'rule: ORG-011')}:")
    assert "rules[1].condition.rule: rule ORG-002: refers to rule ORG-011, which is not in the loaded catalogue" in error
    assert error.endswith("(did you mean 'ORG-001'?)")


def test_reference_to_a_retired_rule_names_its_successor(tmp_path: Path) -> None:
    pack = write_pack(
        tmp_path,
        a={
            "rules": [rule("ORG-002", {"fact": HASHES}), rule("ORG-003", {"rule": "ORG-001"})],
            "retired": [{"id": "ORG-001", "replaced_by": ["ORG-002"], "reason": "Split."}],
        },
    )
    (error,) = load_errors(pack)
    assert "rule ORG-003: refers to rule ORG-001, which is retired (refer to its successor ORG-002)" in error


def test_a_pack_may_refer_to_a_builtin_rule(tmp_path: Path) -> None:
    pack = write_pack(tmp_path, a={"rules": [rule("ORG-001", {"rule": "GAI-001"})]})
    catalogue = load_rules([pack])
    assert catalogue.by_id()["ORG-001"].rule.references() == ["GAI-001"]
    with pytest.raises(InputErrors, match="refers to rule GAI-001, which is not in the loaded catalogue"):
        load_rules([pack], include_builtin=False)


@pytest.mark.parametrize(
    ("condition", "at", "message"),
    [
        (
            {"at_least": 0, "of": [{"fact": HASHES}, {"fact": HELPLINES}]},
            "condition:",
            "at_least must be from 1 to the number of conditions in of (2), not 0",
        ),
        (
            {"at_least": 3, "of": [{"fact": HASHES}, {"fact": HELPLINES}]},
            "condition:",
            "at_least must be from 1 to the number of conditions in of (2), not 3",
        ),
        ({"at_least": 1}, "condition:", "at_least needs of: [conditions]"),
        ({"of": [{"fact": HASHES}]}, "condition:", "of needs at_least: N"),
        ({"at_least": True, "of": [{"fact": HASHES}]}, "at_least:", "Input should be a valid integer"),
    ],
)
def test_at_least_out_of_range_is_refused(tmp_path: Path, condition: dict[str, Any], at: str, message: str) -> None:
    pack = write_pack(tmp_path, a={"rules": [rule("ORG-001", condition)]})
    (error,) = load_errors(pack)
    assert error.startswith(f"{pack / 'a.yaml'}:{line_of(pack / 'a.yaml', at)}:")
    assert "rule ORG-001: " in error and message in error


def test_unknown_named_condition_suggests_the_nearest_name(tmp_path: Path) -> None:
    pack = write_pack(
        tmp_path,
        a={
            "conditions": {"platform_duties": {"fact": HASHES}},
            "rules": [rule("ORG-001", {"any": [{"fact": HELPLINES}, {"use": "platform_dutie"}]})],
        },
    )
    (error,) = load_errors(pack)
    path = pack / "a.yaml"
    assert error.startswith(f"{path}:{line_of(path, 'use: platform_dutie')}:")
    assert "rules[0].condition.any[1].use: rule ORG-001: no named condition 'platform_dutie' in this file's conditions" in error
    assert error.endswith("(did you mean 'platform_duties'?)")


def test_named_conditions_are_per_file(tmp_path: Path) -> None:
    pack = write_pack(
        tmp_path,
        a={"conditions": {"duties": {"fact": HASHES}}, "rules": [rule("ORG-001", {"use": "duties"})]},
        b={"rules": [rule("ORG-002", {"use": "duties"})]},
    )
    (error,) = load_errors(pack)
    assert error.startswith(f"{pack / 'b.yaml'}:") and "rule ORG-002: no named condition 'duties'" in error


def test_named_condition_cycle_lists_the_names_in_order(tmp_path: Path) -> None:
    conditions = {"alpha": {"any": [{"fact": HASHES}, {"use": "beta"}]}, "beta": {"all": [{"use": "gamma"}]}, "gamma": {"use": "alpha"}}
    pack = write_pack(
        tmp_path, a={"conditions": conditions, "rules": [rule("ORG-001", {"use": "gamma"}), rule("ORG-002", {"fact": HASHES})]}
    )
    (error,) = load_errors(pack)
    path = pack / "a.yaml"
    assert error.startswith(f"{path}:{line_of(path, 'alpha:')}:")
    assert "named condition 'alpha': cycle: alpha -> beta -> gamma -> alpha (used by rule ORG-001)" in error


def test_rule_cycle_across_files_lists_the_ids_in_order(tmp_path: Path) -> None:
    pack = write_pack(
        tmp_path,
        a={"rules": [rule("ORG-001", {"all": [{"fact": HASHES}, {"rule": "ORG-002"}]})]},
        b={"rules": [rule("ORG-002", {"at_least": 1, "of": [{"rule": "ORG-003"}]}), rule("ORG-003", {"rule": "ORG-001"})]},
    )
    (error,) = load_errors(pack)
    path = pack / "a.yaml"
    assert error.startswith(f"{path}:{line_of(path, 'id: ORG-001')}: rule ORG-001: cycle: ORG-001 -> ORG-002 -> ORG-003 -> ORG-001")
    assert f"ORG-002 in {pack / 'b.yaml'}" in error


def test_rule_cycle_through_a_named_condition_and_in_a_precondition(tmp_path: Path) -> None:
    pack = write_pack(
        tmp_path,
        a={
            "conditions": {"needs_two": {"rule": "ORG-002"}},
            "rules": [
                rule("ORG-001", {"use": "needs_two"}),
                rule("ORG-002", {"fact": HASHES}, applies_if={"rule": "ORG-001"}),
            ],
        },
    )
    (error,) = load_errors(pack)
    assert "rule ORG-001: cycle: ORG-001 -> ORG-002 -> ORG-001" in error


def test_a_rule_reading_itself_is_a_cycle(tmp_path: Path) -> None:
    pack = write_pack(tmp_path, a={"rules": [rule("ORG-001", {"any": [{"fact": HASHES}, {"rule": "ORG-001"}]})]})
    (error,) = load_errors(pack)
    assert error.startswith(f"{pack / 'a.yaml'}:{line_of(pack / 'a.yaml', 'id: ORG-001')}: rule ORG-001: cycle: ORG-001 -> ORG-001")


def test_a_file_with_errors_still_makes_its_rule_ids_known(tmp_path: Path) -> None:
    """One mistake gives one error: a rule of a file whose named conditions fail is not also "unknown"."""
    pack = write_pack(
        tmp_path,
        a={"rules": [rule("ORG-001", {"use": "missing"})]},
        b={"rules": [rule("ORG-002", {"rule": "ORG-001"})]},
    )
    (error,) = load_errors(pack)
    assert "no named condition 'missing'" in error


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        ({"gapp": "none"}, "'gapp' is not one of"),
        ({"gap": "x" * 41}, "at most 40 characters"),
        ({"gap": ""}, "at least 1 character"),
    ],
)
def test_labels_are_short_words_for_statuses(tmp_path: Path, labels: dict[str, str], message: str) -> None:
    (error,) = load_errors(write_pack(tmp_path, a={"rules": [rule("ORG-001", {"fact": HASHES}, labels=labels)]}))
    assert "rule ORG-001: " in error and message in error


# --- grading ------------------------------------------------------------------------------------

C, P, U, G = Status.covered, Status.partial, Status.unknown, Status.gap


@pytest.mark.parametrize(
    ("grades", "n", "expected"),
    [
        ([C, C, G], 2, C),  # two covered
        ([C, U, G], 2, U),  # the unknown one may be covered
        ([C, P, G], 2, P),  # only the partly covered one could make up the two
        ([C, P, U], 3, P),  # counting the unknown as covered still needs the partial one
        ([C, U, U], 3, U),
        ([C, G, G], 2, G),  # even every partial and unknown as covered would not reach two
        ([P, U, G], 3, G),
        ([G, G, G], 1, G),
        ([P, G, G], 1, P),
        ([C, C, C], 3, C),
    ],
)
def test_at_least_grades(grades: list[Status], n: int, expected: Status) -> None:
    assert grade_at_least(grades, n) is expected


@pytest.mark.parametrize("grades", [[C, P], [U, G], [P, U, G], [C, C, U], [G], [P, P, U, C]])
def test_at_least_one_is_any_and_at_least_all_is_all(grades: list[Status]) -> None:
    order = [G, P, U, C]
    assert grade_at_least(grades, 1) is max(grades, key=order.index)
    assert grade_at_least(grades, len(grades)) is min(grades, key=order.index)


@pytest.mark.parametrize(
    ("status", "grade"),
    [
        (Status.covered, Status.covered),
        (Status.partial, Status.partial),
        (Status.unknown, Status.unknown),
        (Status.gap, Status.gap),
        (Status.reserved, Status.gap),
        (Status.not_applicable, Status.gap),
    ],
)
def test_a_rule_element_grades_the_referenced_status(tmp_path: Path, status: Status, grade: Status) -> None:
    """Through decide(), with the referenced rule's status given: status, missing and evidence."""
    assert rule_grade(status) is grade
    pack = write_pack(tmp_path, a={"rules": [rule("ORG-001", {"fact": HASHES}), rule("ORG-002", {"rule": "ORG-001"})]})
    catalogue = load_rules([pack], include_builtin=False)
    compiled = {r.id: r for r in catalogue.compiled.rules}
    facts = profile_facts(validate_profile_data(platforms("yes"), "p.yaml"))
    outcomes = make_engine(catalogue, "python").evaluate(facts.facts)
    finding = decide(compiled["ORG-002"], facts, outcomes, {"ORG-001": status})
    assert finding.status is grade
    assert finding.missing == ([] if grade is Status.covered else [f"rule ORG-001 is {status.value}"])
    assert [(e.kind, e.ref, e.answer) for e in finding.evidence] == [("rule", "rule ORG-001", status.value)]
    assert [(e.element, e.status) for e in finding.elements] == [("rule ORG-001 is covered", grade)]


@pytest.fixture(scope="module")
def derived(tmp_path_factory: pytest.TempPathFactory) -> RuleCatalogue:
    """A pack whose derived rules read fact rules, a precondition rule and a reservable rule."""
    pack = write_pack(
        tmp_path_factory.mktemp("derived"),
        a={
            "conditions": {"platform_duties": {"all": [{"fact": HASHES}, {"fact": DEADLINE}]}},
            "rules": [
                rule("ORG-001", {"fact": HASHES}),
                rule("ORG-002", {"fact": DEADLINE}, applies_if={"fact": HELPLINES}),
                rule(
                    "ORG-003",
                    {"offence": {"conduct": "producing", "material": "synthetic_realistic"}},
                    reservable=[FIRST_INDENT],
                ),
                rule("ORG-004", {"use": "platform_duties"}),
                rule("ORG-005", {"use": "platform_duties"}),
                # Derived rules. ORG-000 sorts before the rule it reads: decided after it all the same.
                rule("ORG-000", {"rule": "ORG-001"}, labels={"gap": "none", "partial": "insufficient", "covered": "sufficient"}),
                rule("ORG-010", {"rule": "ORG-002"}),
                rule(
                    "ORG-011",
                    {"all": [{"rule": "ORG-003"}, {"offence": {"conduct": "producing", "material": "synthetic_realistic"}}]},
                    reservable=[FIRST_INDENT],
                ),
                rule("ORG-012", {"at_least": 2, "of": [{"rule": "ORG-000"}, {"fact": HELPLINES}, {"fact": DEADLINE}]}),
                rule("ORG-013", {"fact": HASHES}, applies_if={"rule": "ORG-002"}),
            ],
        },
    )
    return load_rules([pack], include_builtin=False)


@pytest.mark.parametrize("engine", ["durable", "python"])
@pytest.mark.parametrize(("answer", "status"), [("yes", "covered"), ("partial", "partial"), ("unknown", "unknown"), ("no", "gap")])
def test_a_derived_rule_reads_the_finding_for_the_same_profile(derived: RuleCatalogue, engine: str, answer: str, status: str) -> None:
    if engine == "durable":
        pytest.importorskip("durable.engine", reason="durable_rules does not load on this Python")
    got = findings(derived, platforms(answer), engine)
    assert got["ORG-001"].status.value == status
    assert got["ORG-000"].status.value == status  # decided after ORG-001 although its ID sorts first
    assert [f.rule_id for f in got.values()] == sorted(got)  # findings are still listed by rule ID


def test_a_not_applicable_rule_reads_as_a_gap(derived: RuleCatalogue) -> None:
    got = findings(derived, minimal_profile(programmes={"helplines": "no"}, regulation={"platforms": {"hash_sharing": "yes"}}))
    assert got["ORG-002"].status is Status.not_applicable
    assert got["ORG-010"].status is Status.gap
    assert got["ORG-010"].missing == ["rule ORG-002 is not_applicable"]
    assert got["ORG-013"].status is Status.not_applicable  # a rule: precondition that is not met


def test_a_rule_element_is_never_explained_by_a_reservation(derived: RuleCatalogue) -> None:
    """ORG-003 is reserved; ORG-011 reads it and has the same offence element and reservation: the
    offence element is explained, the rule element is not, so ORG-011 is a gap."""
    data = minimal_profile(
        convention={"status": "party", "reservations_stated": True, "reservations": [FIRST_INDENT]},
        criminal_law={
            "offences_listed_exhaustively": "yes",
            "offences": [offence("csam", ["producing"], material={"real_child_record": "yes", "synthetic_realistic": "no"})],
        },
    )
    got = findings(derived, data)
    assert got["ORG-003"].status is Status.reserved
    assert got["ORG-011"].status is Status.gap
    assert "rule ORG-003 is reserved" in got["ORG-011"].missing
    assert any("first indent explains producing of synthetic realistic material" in n for n in got["ORG-011"].notes)
    assert not any(e.kind == "reservation" for e in got["ORG-011"].evidence)


def test_a_derived_finding_copies_no_fact_evidence(derived: RuleCatalogue) -> None:
    got = findings(
        derived, minimal_profile(regulation={"platforms": {"hash_sharing": {"answer": "partial", "citation": {"instrument": "Act"}}}})
    )
    assert got["ORG-001"].evidence and got["ORG-001"].evidence[0].kind == "fact"
    assert [(e.kind, e.ref, e.answer) for e in got["ORG-000"].evidence] == [("rule", "rule ORG-001", "partial")]
    assert got["ORG-000"].missing == ["rule ORG-001 is partial"]


@pytest.mark.parametrize(
    ("helplines", "deadline", "expected"),
    [("yes", "no", "covered"), ("unknown", "no", "unknown"), ("partial", "no", "partial"), ("no", "no", "gap")],
)
def test_at_least_over_a_rule_and_facts(derived: RuleCatalogue, helplines: str, deadline: str, expected: str) -> None:
    """ORG-012: at least 2 of (rule ORG-000, helplines, deadline), with ORG-000 covered."""
    data = minimal_profile(
        programmes={"helplines": helplines}, regulation={"platforms": {"hash_sharing": "yes", "removal_deadline": deadline}}
    )
    assert findings(derived, data)["ORG-012"].status.value == expected


def test_named_conditions_are_expanded_at_load_time(derived: RuleCatalogue) -> None:
    by_id = derived.by_id()
    condition = by_id["ORG-004"].rule.condition
    assert condition.use is None and condition.named == "platform_duties"
    assert [leaf.fact for leaf in condition.leaves()] == [HASHES, DEADLINE]
    compiled = {r.id: r for r in derived.compiled.rules}
    assert [leaf.key for leaf in compiled["ORG-004"].leaves()] == [leaf.key for leaf in compiled["ORG-005"].leaves()]


def test_rule_elements_are_never_sent_to_the_engines(derived: RuleCatalogue) -> None:
    assert derived.compiled.elements and not any(key.startswith("rule:") for key in derived.compiled.elements)
    order = [r.id for r in derived.compiled.decision_order]
    for compiled in derived.compiled.rules:
        assert all(order.index(ref) < order.index(compiled.id) for ref in compiled.references)


# --- the rule's own cases -----------------------------------------------------------------------

DERIVED_CASES = [
    {"name": "covered_when_hashes_shared", "profile": {"regulation": {"platforms": {"hash_sharing": "yes"}}}, "expect": "covered"},
    {
        "name": "partial_when_hashes_shared_in_part",
        "profile": {"regulation": {"platforms": {"hash_sharing": "partial"}}},
        "expect": "partial",
    },
    {"name": "gap_when_no_hash_sharing", "profile": {"regulation": {"platforms": {"hash_sharing": "no"}}}, "expect": "gap"},
    {"name": "unknown_when_nothing_stated", "profile": {}, "expect": "unknown"},
]


@pytest.mark.parametrize("engine", ["durable", "python"])
def test_a_derived_rules_own_cases_pass_with_rules_test(tmp_path: Path, engine: str) -> None:
    pack = write_pack(
        tmp_path,
        a={
            "rules": [rule("ORG-002", {"fact": HASHES}), rule("ORG-001", {"at_least": 1, "of": [{"rule": "ORG-002"}]}, cases=DERIVED_CASES)]
        },
    )
    result = CliRunner().invoke(main, ["rules", "test", "--rules", str(pack), "--engine", engine])
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith("rule cases pass") and "FAIL" not in result.output


def test_a_derived_rules_wrong_case_fails_with_the_rule_it_read(tmp_path: Path) -> None:
    wrong = [{"name": "covered_when_nothing_stated", "profile": {}, "expect": "covered"}]
    pack = write_pack(tmp_path, a={"rules": [rule("ORG-002", {"fact": HASHES}), rule("ORG-001", {"rule": "ORG-002"}, cases=wrong)]})
    result = CliRunner().invoke(main, ["rules", "test", "--rules", str(pack), "--engine", "python"])
    assert result.exit_code == 1
    assert "FAIL ORG-001/covered_when_nothing_stated: expected covered, got unknown" in result.output
    assert "rule ORG-002 is unknown" in result.output


# --- labels in the outputs ----------------------------------------------------------------------


def test_labels_in_text_markdown_json_and_csv(tmp_path: Path, derived: RuleCatalogue) -> None:
    pack = write_pack(
        tmp_path,
        a={
            "rules": [
                rule("ORG-001", {"fact": HASHES}, labels={"gap": "none", "partial": "insufficient", "covered": "sufficient"}),
                rule("ORG-002", {"rule": "ORG-001"}),
            ]
        },
    )
    profile = tmp_path / "p.yaml"
    YAML(typ="safe", pure=True).dump(platforms("partial"), profile.open("w"))
    common = ["check", str(profile), "--rules", str(pack), "--engine", "python"]
    text = CliRunner().invoke(main, common).output
    assert "PARTIAL (insufficient) ORG-001" in text
    assert "PARTIAL   ORG-002" in text  # no label declared: the status alone
    markdown = CliRunner().invoke(main, [*common, "--format", "markdown"]).output
    assert "#### ORG-001 — Rule ORG-001 holds [pack 1.0.0]: **partial** (insufficient)" in markdown
    data = json.loads(CliRunner().invoke(main, [*common, "--format", "json"]).output)
    labels = {f["rule_id"]: f["label"] for f in data["profiles"][0]["findings"]}
    assert labels["ORG-001"] == "insufficient" and labels["ORG-002"] is None
    target = tmp_path / "out.csv"
    CliRunner().invoke(main, [*common, "--csv", str(target)])
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    label = rows[0].index("label")
    assert rows[0][label : label + 3] == ["label", "pack_version", "replaces"]
    by_rule = {row[rows[0].index("rule_id")]: row for row in rows[1:]}
    assert by_rule["ORG-001"][label] == "insufficient" and by_rule["ORG-002"][label] == ""


# --- checklist and docs -------------------------------------------------------------------------


def test_checklist_has_an_item_per_rule_element(derived: RuleCatalogue) -> None:
    blank = checklist_from(derived, [])
    questions = {q.rule_id: q for theme in blank.themes for q in theme.questions}
    items = questions["ORG-012"].items
    assert (items[0].kind, items[0].ref, items[0].prompt) == ("rule", "ORG-000", "see rule ORG-000")
    assert [(i.kind, i.ref, i.precondition) for i in questions["ORG-013"].items][-1] == ("rule", "ORG-002", True)
    data = minimal_profile(regulation={"platforms": {"hash_sharing": "partial"}})
    profile = validate_profile_data(data, "p.yaml")
    filled = checklist_from(derived, [], profile, findings(derived, data), "p.yaml")
    question = next(q for theme in filled.themes for q in theme.questions if q.rule_id == "ORG-000")
    (item,) = question.items
    assert (item.status, item.missing, item.to_answer) == (Status.partial, "rule ORG-001 is partial", False)
    assert "see rule ORG-001" in checklist_markdown.render(filled)
    assert checklist_xlsx.render(filled)[:2] == b"PK"


def test_describe_condition_names_the_new_elements(derived: RuleCatalogue) -> None:
    by_id = derived.by_id()
    assert describe_condition(by_id["ORG-012"].rule.condition) == [
        "- at least 2 of:",
        "  - rule ORG-000 is covered",
        "  - `programmes.helplines` is yes",
        "  - `regulation.platforms.removal_deadline` is yes",
    ]
    assert describe_condition(by_id["ORG-004"].rule.condition) == [
        "- all of: (named condition `platform_duties`)",
        "  - `regulation.platforms.hash_sharing` is yes",
        "  - `regulation.platforms.removal_deadline` is yes",
    ]
    assert "- **Labels:** gap: none, partial: insufficient, covered: sufficient" in render_catalogue(derived)
