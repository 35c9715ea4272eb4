"""diff_results: directions, element and evidence changes, rule-pack changes, jurisdictions on one side,
and the issue's acceptance case (the Netherlands' removal deadline entering into force)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from gap_engine.api import check, check_profiles, make_engine
from gap_engine.diff import diff_results, direction
from gap_engine.diff_model import Diff, Direction, EvidenceChangeKind, FindingChange
from gap_engine.errors import InputErrors
from gap_engine.findings import CheckResults, Status
from gap_engine.loading import validate_profile_data
from gap_engine.rules import RuleCatalogue, load_rules
from tests.conftest import FIXTURES, minimal_profile, offence, write_manifest

RULES = ["GAI-009", "GAI-011", "LIVE-008", "CC-007"]


@pytest.fixture(scope="module")
def catalogue() -> RuleCatalogue:
    return load_rules(select=RULES)


def run(catalogue: RuleCatalogue, data: dict[str, Any], on: date | None = None, source: str = "x.yaml") -> CheckResults:
    profile = validate_profile_data(data, source)
    return check_profiles([(source, profile)], catalogue, make_engine(catalogue, "python"), on)


def finding(diff: Diff, rule_id: str, code: str = "XT") -> FindingChange:
    jurisdiction = next(j for j in diff.jurisdictions if j.jurisdiction == code)
    return next(f for f in jurisdiction.findings if f.rule_id == rule_id)


def depictions(material: dict[str, str], exhaustive: str = "yes", **extra: Any) -> dict[str, Any]:
    """A profile whose one offence covers producing and possessing with the given materials (GAI-009, GAI-011)."""
    scope = {"material": material, "age_threshold": 18, **extra}
    return minimal_profile(
        criminal_law={"offences_listed_exhaustively": exhaustive, "offences": [offence("sr-1", ["producing", "possessing"], **scope)]}
    )


# --- the ordering -----------------------------------------------------------------------------------

G, P, U, C, R, N = Status.gap, Status.partial, Status.unknown, Status.covered, Status.reserved, Status.not_applicable
IMPROVED, REGRESSED, CHANGED = Direction.improved, Direction.regressed, Direction.changed

ORDERING = {
    (G, P): IMPROVED, (G, C): IMPROVED, (U, P): IMPROVED, (U, C): IMPROVED, (P, C): IMPROVED, (R, C): IMPROVED,
    (P, G): REGRESSED, (C, G): REGRESSED, (P, U): REGRESSED, (C, U): REGRESSED, (C, P): REGRESSED, (C, R): REGRESSED,
    # A known gap replacing an unknown is not a worse law, and an unknown replacing a gap is not a gap closed.
    (G, U): CHANGED, (U, G): CHANGED,
    (R, G): CHANGED, (G, R): CHANGED, (R, P): CHANGED, (P, R): CHANGED, (R, U): CHANGED, (U, R): CHANGED,
    **{(N, s): CHANGED for s in (G, P, U, C, R)},
    **{(s, N): CHANGED for s in (G, P, U, C, R)},
}  # fmt: skip


@pytest.mark.parametrize(("before", "after"), [(b, a) for b in Status for a in Status])
def test_every_pair_of_statuses_has_its_documented_direction(before: Status, after: Status) -> None:
    expected = Direction.unchanged if before is after else ORDERING[(before, after)]
    assert direction(before, after) is expected


# --- directions end to end --------------------------------------------------------------------------


def test_a_material_reached_is_an_improvement_with_the_provision_widened(catalogue: RuleCatalogue) -> None:
    old = run(catalogue, depictions({"non_realistic_depiction": "no"}))
    new = run(catalogue, depictions({"non_realistic_depiction": "yes"}))
    change = finding(diff_results(old, new), "GAI-011")
    assert (change.status_before, change.status_after, change.direction) == (G, C, IMPROVED)
    assert [e.element for e in change.elements] == [
        "producing of non realistic depiction material, protecting children under 18",
        "possessing of non realistic depiction material, protecting children under 18",
    ]
    evidence = change.elements[0].evidence[0]
    assert (evidence.ref, evidence.change, evidence.answer_before, evidence.answer_after) == (
        "sr-1",
        EvidenceChangeKind.widened,
        "gap",
        "covered",
    )
    assert evidence.summary == "sr-1 widened: gap -> covered"


def test_a_material_no_longer_reached_is_a_regression_with_the_provision_narrowed(catalogue: RuleCatalogue) -> None:
    old = run(catalogue, depictions({"non_realistic_depiction": "yes"}))
    new = run(catalogue, depictions({"non_realistic_depiction": "no"}))
    diff = diff_results(old, new)
    change = finding(diff, "GAI-011")
    assert (change.direction, change.elements[0].direction, change.elements[0].evidence[0].change) == (
        REGRESSED,
        REGRESSED,
        EvidenceChangeKind.narrowed,
    )
    assert diff.counts["regressed"] == 1 and diff.has(Direction.regressed)


def test_a_gap_becoming_unknown_is_a_change_not_an_improvement(catalogue: RuleCatalogue) -> None:
    """Saying less about the law (offences no longer declared exhaustive) must never close a gap."""
    old = run(catalogue, depictions({"non_realistic_depiction": "no"}))
    new = run(catalogue, depictions({"non_realistic_depiction": "no"}, exhaustive="unknown"))
    change = finding(diff_results(old, new), "GAI-011")
    assert (change.status_before, change.status_after, change.direction) == (G, U, CHANGED)
    back = finding(diff_results(new, old), "GAI-011")
    assert back.direction is CHANGED


def test_a_rule_becoming_applicable_is_a_change(catalogue: RuleCatalogue) -> None:
    old = run(catalogue, minimal_profile(programmes={"perpetrator_programmes": "no"}))
    new = run(catalogue, minimal_profile(programmes={"perpetrator_programmes": "yes", "perpetrator_programmes_online_offenders": "no"}))
    change = finding(diff_results(old, new), "CC-007")
    assert (change.status_before, change.status_after, change.direction) == (N, G, CHANGED)


def test_reserved_against_covered(catalogue: RuleCatalogue) -> None:
    """A reservation permits the shortfall; the law covering it instead is better, and the reverse worse."""
    reservation = {
        "status": "party",
        "reservations_stated": True,
        "reservations": [{"article": 20, "paragraph": 3, "indent": 1, "in_force": "2015-07-01"}],
    }
    reserved = run(catalogue, {**depictions({"synthetic_realistic": "no"}), "convention": reservation})
    covered = run(catalogue, {**depictions({"synthetic_realistic": "yes"}), "convention": reservation})
    assert reserved.profiles[0].findings[0].rule_id == "CC-007"
    up = finding(diff_results(reserved, covered), "GAI-009")
    assert (up.status_before, up.status_after, up.direction) == (R, C, IMPROVED)
    down = finding(diff_results(covered, reserved), "GAI-009")
    assert down.direction is REGRESSED
    # The reservation that explained the finding is evidence of the finding, outside its elements.
    assert [(e.ref, e.change) for e in up.evidence] == [("Article 20(3) indent 1", EvidenceChangeKind.removed)]


def test_identical_checks_are_unchanged_and_kept(catalogue: RuleCatalogue) -> None:
    results = run(catalogue, depictions({"non_realistic_depiction": "no"}))
    diff = diff_results(results, results)
    assert diff.counts["unchanged"] == len(RULES) and not diff.any_change()
    assert {f.direction for f in diff.jurisdictions[0].findings} == {Direction.unchanged}
    assert diff.changed_findings() == []


# --- elements and evidence -------------------------------------------------------------------------


def test_a_fact_answer_is_ranked_against_the_answer_the_element_needs(catalogue: RuleCatalogue) -> None:
    old = run(catalogue, minimal_profile(regulation={"platforms": {"removal_deadline": "no"}}))
    new = run(catalogue, minimal_profile(regulation={"platforms": {"removal_deadline": "partial"}}))
    (element,) = finding(diff_results(old, new), "LIVE-008").elements
    assert (element.element, element.status_before, element.status_after) == ("regulation.platforms.removal_deadline = yes", G, P)
    assert element.evidence[0].change is EvidenceChangeKind.widened


def test_a_fact_stated_where_none_was(catalogue: RuleCatalogue) -> None:
    old = run(catalogue, minimal_profile(regulation={"platforms": {"removal_deadline": "unknown"}}))
    new = run(catalogue, minimal_profile(regulation={"platforms": {"removal_deadline": "yes"}}))
    (element,) = finding(diff_results(old, new), "LIVE-008").elements
    assert (element.evidence[0].change, element.evidence[0].summary) == (
        EvidenceChangeKind.added,
        "regulation.platforms.removal_deadline now stated: yes",
    )
    (element,) = finding(diff_results(new, old), "LIVE-008").elements
    assert element.evidence[0].summary == "regulation.platforms.removal_deadline no longer stated (was yes)"


def test_an_undated_fact_at_an_earlier_date_is_an_answer_change(catalogue: RuleCatalogue) -> None:
    data = minimal_profile(regulation={"platforms": {"removal_deadline": {"answer": "yes", "citation": {"instrument": "Act"}}}})
    old, new = run(catalogue, data, on=date(2024, 1, 1)), run(catalogue, data)
    change = finding(diff_results(old, new), "LIVE-008")
    assert (change.status_before, change.status_after) == (U, U)  # the other two facts are not stated
    (element,) = change.elements
    assert (element.status_before, element.status_after, element.direction) == (U, C, IMPROVED)
    assert element.evidence[0].change is EvidenceChangeKind.answer_changed
    assert element.evidence[0].summary == (
        "regulation.platforms.removal_deadline: unknown -> yes "
        "(before: stated yes; no in-force date given: the profile states it for 2024-10-01 only, not for 2024-01-01)"
    )


def test_a_provision_entering_into_force_between_the_dates(catalogue: RuleCatalogue) -> None:
    data = depictions({"non_realistic_depiction": "yes"})
    data["criminal_law"]["offences"][0]["citation"]["in_force"] = "2024-01-01"
    old, new = run(catalogue, data, on=date(2023, 12, 31)), run(catalogue, data)
    change = finding(diff_results(old, new), "GAI-011")
    assert (change.status_before, change.status_after, change.direction) == (G, C, IMPROVED)
    evidence = change.elements[0].evidence[0]
    assert evidence.change is EvidenceChangeKind.entered_into_force and evidence.in_force == date(2024, 1, 1)
    assert evidence.note_before == "in force from 2024-01-01, not on 2023-12-31" and evidence.note_after is None
    assert evidence.summary == "sr-1 entered into force on 2024-01-01: gap -> covered"


def test_a_provision_no_longer_in_force_on_the_later_date(catalogue: RuleCatalogue) -> None:
    data = depictions({"non_realistic_depiction": "yes"})
    data["criminal_law"]["offences"][0]["citation"].update(in_force="2020-01-01", in_force_until="2024-06-30")
    old, new = run(catalogue, data, on=date(2024, 6, 30)), run(catalogue, data)
    change = finding(diff_results(old, new), "GAI-011")
    assert change.direction is REGRESSED
    evidence = change.elements[0].evidence[0]
    assert evidence.change is EvidenceChangeKind.no_longer_in_force
    assert evidence.summary == "sr-1 not in force on 2024-10-01 (in force until 2024-06-30, not on 2024-10-01): covered -> gap"


def test_provisions_added_and_removed(catalogue: RuleCatalogue) -> None:
    old = run(catalogue, depictions({"non_realistic_depiction": "no"}))
    data = depictions({"non_realistic_depiction": "no"})
    data["criminal_law"]["offences"].append(offence("sr-2", ["producing"], material={"non_realistic_depiction": "yes"}, age_threshold=18))
    new = run(catalogue, data)
    producing = finding(diff_results(old, new), "GAI-011").elements[0]
    # An element cites the provisions that decide it: sr-2 now covers it, so sr-1 (still listed) is no longer cited.
    assert [(e.ref, e.change, e.summary) for e in producing.evidence] == [
        ("sr-1", EvidenceChangeKind.removed, "sr-1 no longer cited (was gap)"),
        ("sr-2", EvidenceChangeKind.added, "sr-2 now cited (covered)"),
    ]
    back = finding(diff_results(new, old), "GAI-011").elements[0]
    assert [(e.ref, e.change) for e in back.evidence] == [("sr-1", EvidenceChangeKind.added), ("sr-2", EvidenceChangeKind.removed)]


def test_a_citation_corrected_is_a_change_with_the_same_status(catalogue: RuleCatalogue) -> None:
    old = run(catalogue, depictions({"non_realistic_depiction": "no"}))
    data = depictions({"non_realistic_depiction": "no"})
    data["criminal_law"]["offences"][0]["citation"]["provision"] = "art. 240b"
    change = finding(diff_results(old, run(catalogue, data)), "GAI-011")
    assert (change.status_before, change.status_after, change.direction) == (G, G, CHANGED)
    evidence = change.elements[0].evidence[0]
    assert (evidence.change, evidence.fields) == (EvidenceChangeKind.details_changed, ["citation"])


def test_a_note_that_only_names_another_date_is_not_a_change(catalogue: RuleCatalogue) -> None:
    """An undated provision is 'unknown' in force at an earlier date; its grade and the finding stay gap."""
    data = depictions({"non_realistic_depiction": "no"})
    old, new = run(catalogue, data, on=date(2024, 1, 1)), run(catalogue, data)
    assert old.profiles[0].findings[1].elements[0].evidence[0].note  # the earlier date has a note
    assert finding(diff_results(old, new), "GAI-011").direction is Direction.unchanged


# --- the acceptance case: the Netherlands' removal deadline -----------------------------------------


def test_diff_shows_the_netherlands_removal_deadline_entering_into_force(tmp_path: Path) -> None:
    """TEST COPY, not researched law: the NL fixture describes the law as of 2024-06-30 only (the sexual
    offences were rewritten on 1 July 2024 and the new text has not been read). The copy moves as_of to
    2024-07-01 only so that the removal-order regime, recorded as in force from that day, can be compared."""
    source = (FIXTURES / "nl_netherlands.yaml").read_text(encoding="utf-8")
    assert "\nas_of: 2024-06-30\n" in source
    copy = tmp_path / "nl_netherlands_TEST_COPY_as_of_2024-07-01.yaml"
    copy.write_text(
        "# TEST COPY of fixtures/nl_netherlands.yaml with as_of moved to 2024-07-01 (not researched law).\n"
        + source.replace("\nas_of: 2024-06-30\n", "\nas_of: 2024-07-01\n"),
        encoding="utf-8",
    )
    catalogue = load_rules()
    diff = diff_results(check([FIXTURES / "nl_netherlands.yaml"], catalogue=catalogue), check([copy], catalogue=catalogue))
    change = finding(diff, "LIVE-008", "NL")
    assert (change.status_before, change.status_after, change.direction) == (G, P, IMPROVED)
    (element,) = change.elements
    assert (element.element, element.status_before, element.status_after) == ("regulation.platforms.removal_deadline = yes", G, P)
    (evidence,) = element.evidence
    assert evidence.change is EvidenceChangeKind.entered_into_force
    assert (evidence.answer_before, evidence.answer_after, evidence.in_force) == ("no", "partial", date(2024, 7, 1))
    assert evidence.summary == "regulation.platforms.removal_deadline entered into force on 2024-07-01: no -> partial"
    assert diff.changed_findings() == [(diff.jurisdictions[0], change)]  # nothing else moved
    assert not diff.rules and not diff.packs


# --- jurisdictions and rules ------------------------------------------------------------------------


def test_jurisdictions_on_one_side_are_added_or_removed(catalogue: RuleCatalogue) -> None:
    xt = run(catalogue, minimal_profile())
    xu = run(catalogue, minimal_profile(jurisdiction={"code": "XU", "name": "Uland"}), source="u.yaml")
    both = xt.model_copy(update={"profiles": [*xt.profiles, *xu.profiles]})
    diff = diff_results(both, xt)
    assert [j.jurisdiction for j in diff.jurisdictions] == ["XT"]
    assert [(j.jurisdiction, j.source, j.counts["unknown"]) for j in diff.jurisdictions_removed] == [("XU", "u.yaml", 4)]
    assert diff_results(xt, both).jurisdictions_added[0].jurisdiction_name == "Uland"
    assert diff.any_change() and not diff.has(Direction.regressed)


def test_a_jurisdiction_twice_on_one_side_is_refused(catalogue: RuleCatalogue) -> None:
    xt = run(catalogue, minimal_profile())
    twice = xt.model_copy(update={"profiles": [*xt.profiles, *xt.profiles]})
    with pytest.raises(InputErrors) as caught:
        diff_results(xt, twice, new_source="new.json")
    assert str(caught.value.errors[0]) == (
        "new.json: profiles: jurisdiction XT appears 2 times (x.yaml, x.yaml) "
        "(diff matches jurisdictions by code: give results holding one profile per jurisdiction)"
    )


def test_rules_run_on_one_side_only(catalogue: RuleCatalogue) -> None:
    data = minimal_profile()
    fewer = run(load_rules(select=["GAI-011", "LIVE-008"]), data)
    diff = diff_results(fewer, run(catalogue, data))
    assert [(r.rule_id, r.change) for r in diff.rules] == [("CC-007", "added"), ("GAI-009", "added")]
    assert finding(diff, "CC-007").direction is Direction.rule_added
    assert finding(diff_results(run(catalogue, data), fewer), "GAI-009").direction is Direction.rule_removed


PACK_RULE = """\
theme: test_theme
rules:
  - id: TP-001
    title: Reported material is removed
    questions: [TP-Q1]
    severity: recommendation
    condition:
{condition}
    finding: Removal matters.
    recommendation: Remove it.
    cases:
      - {{name: unknown_when_nothing_stated, profile: {{}}, expect: unknown}}
"""

READER_RULE = """\
theme: reader_theme
rules:
  - id: RD-001
    title: Removal is in place (read from TP-001)
    questions: [RD-Q1]
    severity: recommendation
    condition: {rule: TP-001}
    finding: Derived.
    recommendation: Derive it.
    cases:
      - {name: unknown_when_nothing_stated, profile: {}, expect: unknown}
"""


def _packs(directory: Path, version: str, condition: str) -> RuleCatalogue:
    """Pack test-pack at ``version`` with TP-001, and pack reader (always 1.0.0) whose RD-001 reads TP-001."""
    changing, reader = write_manifest(directory / "changing"), write_manifest(directory / "reader", "reader", "reader_theme", "RD-Q1")
    manifest = changing / "pack.yaml"
    manifest.write_text(manifest.read_text().replace("version: 1.0.0", f"version: {version}"))
    (changing / "rules.yaml").write_text(PACK_RULE.format(condition=condition))
    (reader / "rules.yaml").write_text(READER_RULE)
    return load_rules([changing, reader], select=["TP-001", "RD-001", "LIVE-008"])


def test_a_rule_whose_pack_version_changed_cannot_pass_for_a_closed_gap(tmp_path: Path) -> None:
    strict = _packs(tmp_path / "v1", "1.0.0", "      fact: regulation.platforms.hash_sharing")
    weak = _packs(
        tmp_path / "v2",
        "1.1.0",
        "      any:\n        - fact: regulation.platforms.hash_sharing\n        - fact: regulation.platforms.removal_deadline",
    )
    data = minimal_profile(regulation={"platforms": {"hash_sharing": "no", "removal_deadline": "yes"}})
    diff = diff_results(run(strict, data), run(weak, data))
    weakened = finding(diff, "TP-001")
    assert (weakened.status_before, weakened.status_after) == (G, C)
    assert weakened.direction is Direction.rule_changed  # not improved
    assert weakened.rule_change == (
        "pack test-pack 1.0.0 -> test-pack 1.1.0; condition changed (element added: regulation.platforms.removal_deadline = yes)"
    )
    reader = finding(diff, "RD-001")  # its own pack did not change, but the rule it reads did
    assert (reader.status_before, reader.status_after) == (G, C)
    assert (reader.direction, reader.rule_change) == (Direction.rule_changed, "reads rule TP-001, which changed")
    assert finding(diff, "LIVE-008").direction is Direction.unchanged  # the built-in rule did not change
    assert [(p.id, p.version_before, p.version_after) for p in diff.packs] == [("test-pack", "1.0.0", "1.1.0")]
    assert [(r.rule_id, r.change) for r in diff.rules] == [("TP-001", "changed")]
    assert not diff.has(Direction.improved) and not diff.has(Direction.regressed)


def test_rule_files_changed_without_a_new_version_flag_every_rule(catalogue: RuleCatalogue) -> None:
    old = run(catalogue, depictions({"non_realistic_depiction": "no"}))
    new = run(catalogue, depictions({"non_realistic_depiction": "yes"}))
    diff = diff_results(old, new.model_copy(update={"rules_hash": "0000000000000000"}))
    assert diff.rules_note is not None and "treated as changed" in diff.rules_note
    assert finding(diff, "GAI-011").direction is Direction.rule_changed
    assert len(diff.rules) == len(RULES)
