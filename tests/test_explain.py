"""``gap-engine explain RULE PROFILE``: why a rule has its status, checked against hand-worked cases.

Each expectation below was worked out by hand from the fixture or the small profile it names; the
what-if changes are then applied to the *profile* (not the engine's facts) and checked again, so a
proposed change is one a user can actually make.
"""

from __future__ import annotations

import copy
import json
from collections import Counter
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from ruamel.yaml import YAML

from gap_engine.api import check_profiles, make_engine
from gap_engine.cli import main
from gap_engine.errors import InputErrors
from gap_engine.explain import ConditionNode, Explanation, explain, explain_profile
from gap_engine.findings import Status
from gap_engine.loading import load_profile, validate_profile_data
from gap_engine.profile import Profile
from gap_engine.reporters.explanation import render_json, render_text
from gap_engine.rules import RuleCatalogue, load_rules
from tests.conftest import FIXTURES, minimal_profile, offence, write_manifest

NL = str(FIXTURES / "nl_netherlands.yaml")
DE = str(FIXTURES / "de_germany.yaml")
FIRST_INDENT = {"article": 20, "paragraph": 3, "indent": 1}
EVERY_MATERIAL = {
    m: "yes"
    for m in (
        "real_child_record",
        "manipulated_real_child",
        "synthetic_realistic",
        "non_realistic_depiction",
        "child_like_doll_or_robot_depiction",
        "avatar_or_immersive",
    )
}


@cache
def catalogue() -> RuleCatalogue:
    return load_rules()


@cache
def fixture(path: str) -> Profile:
    return load_profile(path)


def explained(rule_id: str, data: dict[str, Any] | Profile, cat: RuleCatalogue | None = None, **kwargs: Any) -> Explanation:
    profile = data if isinstance(data, Profile) else validate_profile_data(data, "p.yaml")
    return explain_profile(rule_id, profile, cat or catalogue(), "p.yaml", **kwargs)


def status_of(rule_id: str, profile: Profile, cat: RuleCatalogue | None = None, engine: str = "python") -> Status:
    cat = cat or catalogue()
    results = check_profiles([("p.yaml", profile)], cat, make_engine(cat, engine, notice=False))
    return next(f.status for f in results.all_findings() if f.rule_id == rule_id)


def yaml_data(path: str) -> dict[str, Any]:
    return json.loads(json.dumps(YAML(typ="safe", pure=True).load(Path(path).read_text()), default=str))


def flat(text: str) -> str:
    """The text with its wrapping undone, for finding a phrase that may straddle two lines."""
    return " ".join(text.split())


def run(*args: str) -> Any:
    return CliRunner().invoke(main, list(args))


# --- GAI-011 on the Netherlands: a gap, and the one change that closes it ---------------------------


def test_gai_011_nl_is_a_gap_because_sr_240b_leaves_out_non_realistic_depictions() -> None:
    e = explained("GAI-011", fixture(NL))
    assert (e.status, e.rule_id, e.pack, e.pack_version, e.severity) == (Status.gap, "GAI-011", "builtin", "2.0.0", "obligation")
    assert e.articles == ["20(1)(a)", "20(1)(e)", "20(2)", "20(3)"]
    assert (e.as_of.isoformat(), e.evaluated_on.isoformat()) == ("2024-06-30", "2024-06-30")
    assert e.condition.kind == "all" and e.condition.status is Status.gap
    for node, conduct in zip(e.condition.children, ["producing", "possessing"], strict=True):
        assert node.kind == "offence" and node.status is Status.gap
        detail = node.offence
        assert detail is not None and (detail.conduct, detail.material) == (conduct, "non_realistic_depiction")
        [candidate] = detail.candidates
        assert candidate.offence == "sr-240b" and candidate.grade is Status.gap and candidate.decided
        assert candidate.excluded_by == ["material non_realistic_depiction"]
        grades = {d.key: (d.value, d.needed, d.grade) for d in candidate.dimensions}
        assert grades["m_non_realistic_depiction"] == ("no", "yes", Status.gap)
        assert grades["age"] == ("18", ">= 18", Status.covered)
        assert grades["applies"] == ("yes", "yes", Status.covered)
        assert detail.decided_by == ["sr-240b"]
        # NL lists its offences exhaustively for the Article 20(1) conduct: a gap, not unknown.
        assert detail.exhaustive and conduct in (detail.exhaustive_by or "") and detail.reading.endswith(": a gap")


def test_gai_011_nl_what_if_sr_240b_reached_non_realistic_depictions() -> None:
    e = explained("GAI-011", fixture(NL))
    [what_if] = e.what_if
    assert what_if.covered and what_if.status is Status.covered
    [change] = what_if.changes
    assert (change.kind, change.target, change.field, change.value, change.was) == (
        "offence",
        "sr-240b",
        "material.non_realistic_depiction",
        "yes",
        "no",
    )
    assert what_if.text == (
        "if sr-240b also reached non_realistic_depiction (material non_realistic_depiction: yes), GAI-011 would be covered"
    )
    # The same change made in the profile itself gives covered.
    data = yaml_data(NL)
    sr = next(o for o in data["criminal_law"]["offences"] if o["id"] == "sr-240b")
    sr["material"]["non_realistic_depiction"] = "yes"
    assert status_of("GAI-011", validate_profile_data(data, "nl.yaml")) is Status.covered


def test_gai_011_nl_text_names_the_excluding_scope_element_and_the_change() -> None:
    lines = render_text(explained("GAI-011", fixture(NL)))
    assert max(len(line) for line in lines.splitlines()) <= 100
    text = flat(lines)
    assert "Status: GAP" in text
    assert "candidate sr-240b: gap — decided the element; excluded by material" in text
    assert "- material non_realistic_depiction: no (needed yes) <- excludes it" in text
    assert "if sr-240b also reached non_realistic_depiction (material non_realistic_depiction: yes), GAI-011" in text
    assert "Article 20(3), first indent" in text and "the profile does not state the Party's reservations" in text


# --- LIVE-008 on the Netherlands: a measure not yet in force -----------------------------------------


def test_live_008_nl_removal_deadline_is_no_before_it_enters_into_force() -> None:
    e = explained("LIVE-008", fixture(NL))
    assert e.status is Status.gap
    nodes = {n.fact.path: n for n in e.condition.children if n.fact is not None}
    deadline = nodes["regulation.platforms.removal_deadline"]
    assert deadline.status is Status.gap
    fact = deadline.fact
    assert fact is not None
    assert (fact.answer, fact.stated, fact.answer_before_in_force, fact.needed) == ("no", "partial", "no", "yes")
    assert (str(fact.in_force), str(e.evaluated_on), fact.applies) == ("2024-07-01", "2024-06-30", "no")
    assert fact.applies_note == "in force from 2024-07-01, not on 2024-06-30"
    hashes = nodes["regulation.platforms.hash_sharing"].fact
    assert hashes is not None and (hashes.answer, hashes.answer_before_in_force) == ("partial", None)
    assert nodes["programmes.image_removal_support"].status is Status.covered
    text = flat(render_text(e))
    assert "answer on 2024-06-30: no (needed yes)" in text
    assert "(answer_before_in_force: no)" in text and "from 2024-07-01, is partial" in text


def test_live_008_nl_what_if_needs_both_platform_duties() -> None:
    e = explained("LIVE-008", fixture(NL))
    covering = [w for w in e.what_if if w.covered]
    assert [[(c.target, c.value) for c in w.changes] for w in covering] == [
        [("regulation.platforms.removal_deadline", "yes"), ("regulation.platforms.hash_sharing", "yes")]
    ]
    improving = [w for w in e.what_if if not w.covered]
    assert [(w.changes[0].target, w.status) for w in improving] == [("regulation.platforms.removal_deadline", Status.partial)]
    assert improving[0].text == "if regulation.platforms.removal_deadline were yes on 2024-06-30, LIVE-008 would be partial, not covered"
    # Hash sharing alone changes nothing (the deadline is still no), so it is not reported on its own.
    data = yaml_data(NL)
    data["regulation"]["platforms"]["removal_deadline"]["answer_before_in_force"] = "yes"
    data["regulation"]["platforms"]["hash_sharing"]["answer"] = "yes"
    assert status_of("LIVE-008", validate_profile_data(data, "nl.yaml")) is Status.covered


def test_explain_at_an_earlier_date_and_refuses_a_later_one() -> None:
    e = explain_profile("GAI-001", fixture(NL), catalogue(), NL, on=date(2024, 1, 1))
    assert str(e.evaluated_on) == "2024-01-01" and str(e.as_of) == "2024-06-30"
    with pytest.raises(InputErrors, match="cannot evaluate on 2025-01-01"):
        explain_profile("GAI-001", fixture(NL), catalogue(), NL, on=date(2025, 1, 1))


def test_a_provision_not_yet_in_force_is_a_candidate_excluded_by_its_date() -> None:
    """The README's point-in-time example: the only deepfake CSAM offence takes effect on 2021-06-01."""
    csam = offence("sr-240b", ["producing", "distributing_or_transmitting", "possessing"], material={"manipulated_real_child": "yes"})
    csam["age_threshold"] = 18
    csam["citation"]["in_force"] = "2021-06-01"
    data = minimal_profile(criminal_law={"offences_listed_exhaustively": "yes", "offences": [csam]})
    e = explained("GAI-001", data, on=date(2021, 5, 31))
    assert e.status is Status.gap
    candidate = e.condition.children[0].offence.candidates[0]  # type: ignore[union-attr]
    assert str(candidate.in_force) == "2021-06-01"
    assert candidate.excluded_by == ["in force on 2021-05-31 and extends to the territory"]
    applies = next(d for d in candidate.dimensions if d.key == "applies")
    assert (applies.value, applies.grade, applies.note) == ("no", Status.gap, "in force from 2021-06-01, not on 2021-05-31")
    [what_if] = e.what_if
    assert what_if.text == "if sr-240b applied on 2021-05-31 (now: in force from 2021-06-01, not on 2021-05-31), GAI-001 would be covered"
    assert explained("GAI-001", data).status is Status.covered  # on its as_of, 2024-10-01


# --- reservations ------------------------------------------------------------------------------------


def reserving_profile(material: dict[str, str], age: int, reservation: dict[str, Any]) -> dict[str, Any]:
    return minimal_profile(
        convention={"status": "party", "reservations_stated": True, "reservations": [reservation]},
        criminal_law={
            "offences_listed_exhaustively": "yes",
            "offences": [offence("csam", ["producing", "possessing"], material=material, age_threshold=age)],
        },
    )


def test_gai_009_reserved_by_a_first_indent_reservation_in_force() -> None:
    data = reserving_profile({**EVERY_MATERIAL, "synthetic_realistic": "no"}, 18, {**FIRST_INDENT, "in_force": "2015-07-01"})
    e = explained("GAI-009", data)
    assert e.status is Status.reserved and e.reservations_considered
    assert all(node.status is Status.gap and node.explained_by_reservation for node in e.condition.children)
    [considered] = e.reservations
    assert considered.provision == "Article 20(3), first indent"
    [made] = considered.made
    assert (made.in_force, str(made.since)) == ("yes", "2015-07-01")
    assert [(x.explains, x.reservation) for x in considered.elements] == [(True, "Article 20(3), first indent")] * 2
    assert "explains producing of synthetic realistic material" in considered.elements[0].why
    assert "csam: material synthetic_realistic is no" in considered.elements[0].why
    # The law's shortfall is still shown, and what would cover it outright.
    assert [w.text for w in e.what_if if w.covered] == [
        "if csam also reached synthetic_realistic (material synthetic_realistic: yes), GAI-009 would be covered"
    ]


def test_gai_009_first_indent_does_not_explain_an_age_gap() -> None:
    data = reserving_profile(EVERY_MATERIAL, 14, FIRST_INDENT)
    e = explained("GAI-009", data)
    assert e.status is Status.gap
    [considered] = e.reservations
    assert [x.explains for x in considered.elements] == [False, False]
    assert all("does not explain" in x.why and "age threshold is 14" in x.why for x in considered.elements)
    candidate = e.condition.children[0].offence.candidates[0]  # type: ignore[union-attr]
    assert candidate.excluded_by == ["age threshold"]
    assert [w.text for w in e.what_if] == ["if csam protected every child under 18 (age_threshold: 18), GAI-009 would be covered"]


def test_a_reservation_not_yet_in_force_explains_nothing() -> None:
    data = reserving_profile({**EVERY_MATERIAL, "synthetic_realistic": "no"}, 18, {**FIRST_INDENT, "in_force": "2024-09-01"})
    e = explain_profile("GAI-009", validate_profile_data(data, "p.yaml"), catalogue(), "p.yaml", on=__import__("datetime").date(2024, 8, 1))
    assert e.status is Status.gap
    [considered] = e.reservations
    assert considered.made[0].in_force == "no" and considered.made[0].note == "in force from 2024-09-01, not on 2024-08-01"
    assert not any(x.explains for x in considered.elements)
    assert "is not in force on 2024-08-01" in considered.elements[0].why
    assert "not in force on 2024-08-01 (in force from 2024-09-01, not on 2024-08-01)" in flat(render_text(e))


def test_germany_reservation_in_part_may_explain_some_of_gai_009() -> None:
    e = explained("GAI-009", fixture(DE))
    assert e.status is Status.partial
    [considered] = e.reservations
    assert considered.made[0].label == "Article 20(3), first indent (in part)" and considered.made[0].in_force == "yes"
    assert all(not x.explains and "may explain some of" in x.why for x in considered.elements)
    assert e.notes == [x.why for x in considered.elements]  # the finding's notes, not a second reading


def test_reservations_are_not_read_for_a_covered_rule() -> None:
    e = explained("GAI-009", reserving_profile(EVERY_MATERIAL, 18, FIRST_INDENT))
    assert e.status is Status.covered and not e.reservations_considered
    assert e.reservations[0].elements == [] and e.what_if == []
    assert "Not read: the condition is covered." in flat(render_text(e))


# --- unknown, not a gap ------------------------------------------------------------------------------


def test_gai_004_nl_is_unknown_because_the_solicitation_offences_are_not_listed_exhaustively() -> None:
    e = explained("GAI-004", fixture(NL))
    assert e.status is Status.unknown
    detail = e.condition.offence
    assert detail is not None
    assert detail.best_grade is Status.gap and not detail.exhaustive and detail.exhaustive_by is None
    assert detail.candidates[0].offence == "sr-248e" and detail.candidates[0].excluded_by == ["meeting_proposal_required"]
    assert detail.reading.endswith("so another provision may cover it: unknown, not a gap")
    assert [w.text for w in e.what_if] == ["if sr-248e had meeting_proposal_required: no, GAI-004 would be covered"]


def test_gai_006_nl_no_candidate_and_not_exhaustive_is_unknown_and_either_new_offence_covers_it() -> None:
    e = explained("GAI-006", fixture(NL))
    assert e.status is Status.unknown and e.condition.kind == "any"
    for node in e.condition.children:
        assert node.offence is not None and node.offence.candidates == [] and not node.offence.exhaustive
        assert node.offence.reading.startswith(f"no listed offence has the conduct {node.offence.conduct}")
    assert [(w.changes[0].kind, w.covered) for w in e.what_if] == [("new_offence", True), ("new_offence", True)]
    assert e.what_if[1].changes[0].value == "conduct sexual_extortion, material manipulated_real_child: yes"
    # Listing that provision in the profile covers the rule.
    data = yaml_data(NL)
    data["criminal_law"]["offences"].append(offence("new", ["sexual_extortion"], material={"manipulated_real_child": "yes"}))
    assert status_of("GAI-006", validate_profile_data(data, "nl.yaml")) is Status.covered


def test_no_candidate_with_exhaustive_offences_is_a_gap() -> None:
    data = minimal_profile(criminal_law={"offences_listed_exhaustively": "yes"})
    e = explained("GAI-006", data)
    assert e.status is Status.gap
    assert all(
        n.offence is not None and n.offence.exhaustive_by == "criminal_law.offences_listed_exhaustively: yes" for n in e.condition.children
    )


# --- applies_if ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule_id", "precondition", "condition"),
    [
        ("CC-007", "programmes.perpetrator_programmes", "programmes.perpetrator_programmes_online_offenders"),
        ("CC-024", "institutions.specialised_units", "institutions.specialised_units_resourced"),
    ],
)
def test_not_applicable_when_the_precondition_does_not_hold(rule_id: str, precondition: str, condition: str) -> None:
    group, _, name = precondition.partition(".")
    e = explained(rule_id, minimal_profile(**{group: {name: "no"}}))
    assert e.status is Status.not_applicable
    assert e.precondition is not None and not e.precondition.holds and e.precondition.status is Status.gap
    assert e.precondition.condition.fact is not None and e.precondition.condition.fact.path == precondition
    assert e.condition.fact is not None and e.condition.fact.path == condition
    covered = [w for w in e.what_if if w.covered]
    assert [[c.target for c in w.changes] for w in covered] == [[precondition, condition]]
    assert [w.text for w in e.what_if if not w.covered] == [
        f"if {precondition} were yes, {rule_id} would apply and be unknown, not covered"
    ]
    text = flat(render_text(e))
    assert "Status: n/a (not applicable)" in text and "Applies only if (applies_if): does not hold" in text


def test_precondition_that_holds_is_shown_with_its_outcome() -> None:
    e = explained("CC-007", minimal_profile(programmes={"perpetrator_programmes": "yes", "perpetrator_programmes_online_offenders": "no"}))
    assert e.status is Status.gap and e.precondition is not None and e.precondition.holds
    assert e.precondition.status is Status.covered


# --- derived rules -------------------------------------------------------------------------------------


def derived_pack(tmp_path: Path) -> Path:
    pack = write_manifest(tmp_path / "derived", pack_id="derived")
    (pack / "rules.yaml").write_text(
        """theme: test_theme
conditions:
  platform_duties:
    all:
      - fact: regulation.platforms.hash_sharing
      - fact: regulation.platforms.removal_deadline
rules:
  - id: ORG-001
    title: Synthetic material and platform duties are both in place
    questions: [TP-Q1]
    severity: recommendation
    condition:
      at_least: 2
      of:
        - rule: GAI-011
        - rule: GAI-009
        - use: platform_duties
    labels: {gap: none, partial: insufficient, covered: sufficient}
    finding: Why it matters.
    recommendation: What to do.
    cases:
      - {name: unknown_when_nothing_stated, profile: {}, expect: unknown}
""",
        encoding="utf-8",
    )
    return pack


def test_derived_rule_shows_the_rules_it_reads_with_a_pointer_to_explain_them(tmp_path: Path) -> None:
    cat = load_rules([derived_pack(tmp_path)])
    e = explain_profile("ORG-001", fixture(NL), cat, NL)
    assert (e.pack, e.pack_version) == ("derived", "1.0.0")
    assert e.status is status_of("ORG-001", fixture(NL), cat) is Status.gap and e.label == "none"
    assert e.condition.kind == "at_least" and e.condition.at_least == 2
    gai_011, gai_009, duties = e.condition.children
    assert gai_011.rule is not None and (gai_011.rule.rule_id, gai_011.rule.status, gai_011.status) == ("GAI-011", Status.gap, Status.gap)
    assert gai_011.rule.explain == f"gap-engine explain GAI-011 {NL}"
    assert gai_009.rule is not None and gai_009.rule.status is Status.covered
    assert duties.named == "platform_duties" and duties.status is Status.gap
    # Either GAI-011 covered, or both platform duties, brings it to two of three.
    covering = [[(c.kind, c.target) for c in w.changes] for w in e.what_if if w.covered]
    assert covering == [
        [("rule", "GAI-011")],
        [("fact", "regulation.platforms.hash_sharing"), ("fact", "regulation.platforms.removal_deadline")],
    ]
    assert e.what_if[0].text == "if rule GAI-011 were covered, ORG-001 would be covered (sufficient)"
    text = flat(render_text(e))
    assert "Status: GAP (none)" in text and "(named condition platform_duties)" in text
    assert f"to see why: gap-engine explain GAI-011 {NL}" in text


def test_derived_rule_what_if_is_decided_with_the_rules_it_reads(tmp_path: Path) -> None:
    """A change to the facts is seen by the rules a derived rule reads, too: covering GAI-011's gap
    in sr-240b covers ORG-001 as well (checked by changing the profile)."""
    cat = load_rules([derived_pack(tmp_path)])
    data = yaml_data(NL)
    next(o for o in data["criminal_law"]["offences"] if o["id"] == "sr-240b")["material"]["non_realistic_depiction"] = "yes"
    changed = validate_profile_data(data, "nl.yaml")
    assert explain_profile("ORG-001", changed, cat, "nl.yaml").status is status_of("ORG-001", changed, cat) is Status.covered


# --- explain agrees with check, everywhere -------------------------------------------------------------


@pytest.mark.parametrize("engine", ["python", "durable"])
@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.yaml")), ids=lambda p: p.stem)
def test_explain_status_equals_check_status_for_every_rule(path: Path, engine: str) -> None:
    cat = catalogue()
    profile = fixture(str(path))
    runner = make_engine(cat, engine, notice=False)
    results = check_profiles([(str(path), profile)], cat, runner)
    for finding in results.all_findings():
        e = explain_profile(finding.rule_id, profile, cat, str(path), engine=runner)
        assert (e.status, e.label) == (finding.status, finding.label), finding.rule_id
        assert e.missing == finding.missing and e.notes == finding.notes, finding.rule_id
        assert e.engine == runner.name
        for what_if in e.what_if:  # every reported change moves the status, and never to a worse one
            assert what_if.status is not finding.status
        if finding.status is not Status.covered:
            assert any(w.covered for w in e.what_if) or e.what_if_note, finding.rule_id


def apply_to_profile(data: dict[str, Any], change: Any) -> bool:
    """Make a what-if change in profile data, as a user would; False when it cannot be said in the profile simply."""
    offences = data.setdefault("criminal_law", {}).setdefault("offences", [])
    if change.kind == "fact":
        group = data
        *parents, name = change.target.split(".")
        for part in parents:
            group = group.setdefault(part, {})
        current = group.get(name)
        group[name] = (
            {**current, "answer": change.value, "answer_before_in_force": change.value} if isinstance(current, dict) else change.value
        )
        if isinstance(current, dict) and "citation" in current:
            current["citation"].pop("in_force_until", None)
            group[name]["citation"] = current["citation"]
        return True
    if change.kind == "offence":
        target = next(o for o in offences if o["id"] == change.target)
        if change.field == "age_threshold":
            target["age_threshold"] = int(change.value)
        elif change.field.startswith("material."):
            target.setdefault("material", {})[change.field.split(".", 1)[1]] = change.value
        elif "." in change.field and change.field.split(".")[0] in ("setting", "extortion_motive"):
            group, name = change.field.split(".")
            target.setdefault(group, {})[name] = change.value
        elif change.field.startswith("extraterritorial."):
            # The provision's own reach, starting from the profile's general reach (which it then replaces).
            own = target.setdefault("extraterritorial", copy.deepcopy(data["criminal_law"].get("extraterritorial", {})))
            own[change.field.split(".")[1]] = change.value
        elif "." not in change.field:
            target[change.field] = change.value
        else:
            return False  # the provision's dates and extent
        return True
    if change.kind == "new_offence":
        new = offence(f"new-{len(offences)}", [change.value.split(", ")[0].removeprefix("conduct ")])
        for part in change.value.split(", ")[1:]:
            name, value = part.split(": ")
            if name.startswith("material "):
                new.setdefault("material", {})[name.removeprefix("material ")] = value
            elif name == "age_threshold":
                new["age_threshold"] = int(value)
            elif "." in name:
                group, field = name.split(".")
                new.setdefault(group, {})[field] = value
            else:
                new[name] = value
        offences.append(new)
        return True
    return False  # a rule read as covered is not a change to this profile


def test_what_if_changes_made_in_the_profile_give_the_status_they_promise() -> None:
    """Never guessed: each reported set of changes, made in the fixture's YAML and checked, gives the
    status the explanation says it would (for every rule on every fixture)."""
    cat = catalogue()
    tried: Counter[str] = Counter()
    for path in sorted(FIXTURES.glob("*.yaml")):
        base = yaml_data(str(path))
        for loaded in cat.rules:
            e = explain_profile(loaded.id, fixture(str(path)), cat, str(path))
            for what_if in e.what_if:
                data = copy.deepcopy(base)
                if all(apply_to_profile(data, change) for change in what_if.changes):
                    assert status_of(loaded.id, validate_profile_data(data, "changed.yaml"), cat) is what_if.status, (
                        path.name,
                        what_if.text,
                    )
                    tried.update(change.kind for change in what_if.changes)
    assert tried["fact"] >= 100 and tried["offence"] >= 10 and tried["new_offence"] >= 10, tried


# --- output: JSON and text ----------------------------------------------------------------------------


def test_json_is_deterministic_sorted_and_round_trips() -> None:
    first = render_json(explain("GAI-011", NL, catalogue(), "python"))
    second = render_json(explain("GAI-011", NL, catalogue(), "python"))
    assert first == second
    data = json.loads(first)
    assert first == json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert Explanation.model_validate(data) == explain("GAI-011", NL, catalogue(), "python")
    assert data["schema_version"] == 1 and data["status"] == "gap" and data["rule_id"] == "GAI-011"
    assert data["condition"]["children"][0]["offence"]["candidates"][0]["excluded_by"] == ["material non_realistic_depiction"]


def test_text_tree_indents_children_under_their_parent() -> None:
    lines = render_text(explained("GAI-006", fixture(NL))).splitlines()
    start = lines.index("Condition")
    assert lines[start + 1] == "  UNKNOWN  any of"
    assert lines[start + 2].startswith("    UNKNOWN  offence: coercing into self generated images")


def nodes(node: ConditionNode) -> list[ConditionNode]:
    return [node, *(n for child in node.children for n in nodes(child))]


def test_every_fixture_explanation_wraps_at_100_columns() -> None:
    for path in sorted(FIXTURES.glob("*.yaml")):
        for rule_id in ("GAI-001", "GAI-003", "IMM-001", "LIVE-008", "CC-007"):
            text = render_text(explain_profile(rule_id, fixture(str(path)), catalogue(), str(path)))
            assert max(len(line) for line in text.splitlines()) <= 100, (path.name, rule_id)


# --- CLI -----------------------------------------------------------------------------------------------


def test_cli_explain_text_and_json() -> None:
    result = run("explain", "GAI-011", NL, "--engine", "python")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("GAI-011 — Producing and possessing non-realistic depictions")
    assert "Netherlands (NL) — law as of 2024-06-30, evaluated on 2024-06-30" in flat(result.output)
    as_json = run("explain", "GAI-011", NL, "--engine", "python", "--format", "json")
    assert as_json.exit_code == 0 and json.loads(as_json.output)["status"] == "gap"
    assert as_json.output == run("explain", "GAI-011", NL, "--engine", "python", "--format", "json").output


def test_cli_explain_as_of_and_output_file(tmp_path: Path) -> None:
    target = tmp_path / "why.json"
    result = run("explain", "LIVE-008", NL, "--as-of", "2024-05-01", "--format", "json", "-o", str(target))
    assert result.exit_code == 0 and result.output == ""
    assert json.loads(target.read_text())["evaluated_on"] == "2024-05-01"
    later = run("explain", "LIVE-008", NL, "--as-of", "2024-07-01")
    assert later.exit_code == 2 and "cannot evaluate on 2024-07-01" in later.output
    onto_input = run("explain", "LIVE-008", NL, "-o", NL)
    assert onto_input.exit_code == 2 and "output path is one of the inputs" in onto_input.output


def test_cli_unknown_rule_exits_2_with_did_you_mean() -> None:
    result = run("explain", "GAI-0111", NL)
    assert result.exit_code == 2
    assert "Error: GAI-0111: no such rule in the loaded rules (did you mean 'GAI-011'?)" in result.output
    lower = run("explain", "gai-011", NL)
    assert lower.exit_code == 2 and "(did you mean 'GAI-011'?)" in lower.output


def test_cli_retired_rule_names_its_successor() -> None:
    retired = load_rules().retired
    if not retired:
        pytest.skip("no retired rule")
    rule = retired[0]
    result = run("explain", rule.id, NL)
    assert result.exit_code == 2 and f"rule {rule.id} is retired" in result.output
    assert all(successor in result.output for successor in rule.replaced_by)


def test_cli_bad_profile_exits_2_with_located_errors_and_the_rule_error_too(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("jurisdiction: {code: XT, name: T}\nas_of: 2024-10-01\nfictional: true\nprogrammes:\n  educaton: yes\n")
    result = run("explain", "GAI-011", str(bad))
    assert result.exit_code == 2
    assert f"Error: {bad}:5:3: programmes.educaton: unknown field 'educaton' (did you mean 'education'?)" in result.output
    both = run("explain", "GAI-0111", str(bad))
    assert both.exit_code == 2 and "did you mean 'GAI-011'" in both.output and "educaton" in both.output
    missing = run("explain", "GAI-011", str(tmp_path / "missing.yaml"))
    assert missing.exit_code == 2 and "missing.yaml: file not found" in missing.output


def test_cli_explain_takes_the_rules_options(tmp_path: Path) -> None:
    pack = derived_pack(tmp_path)
    result = run("explain", "ORG-001", NL, "--rules", str(pack), "--engine", "python")
    assert result.exit_code == 0 and "pack derived 1.0.0" in result.output
    skipped = run("explain", "GAI-011", NL, "--skip", "GAI-011")
    assert skipped.exit_code == 2 and "no such rule in the loaded rules" in skipped.output


def test_readme_explain_example_is_what_the_command_prints(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(FIXTURES.parent)  # the example names the fixture by its path from the repository
    readme = Path("README.md").read_text()
    start = readme.index("```\n$ gap-engine explain")
    block = readme[start + 4 : readme.index("\n```\n", start + 4)]
    command, *shown = block.splitlines()
    args = command.removeprefix("$ gap-engine ").split()
    output = run(*args).output.splitlines()
    shown = [line for line in shown if line != "..."]
    assert shown and all(line in output for line in shown), [line for line in shown if line not in output]
    # and in the same order
    positions = [output.index(line) for line in shown]
    assert positions == sorted(positions)
