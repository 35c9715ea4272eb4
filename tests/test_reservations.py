"""Reservations explain only what they permit (reservations.py), and only while in force.

Each regression test names a false ``reserved`` found in review: the status is now what the law gives.
"""

from __future__ import annotations

from functools import cache

import pytest

from gap_engine.api import check_profiles, make_engine
from gap_engine.errors import InputErrors
from gap_engine.findings import Finding
from gap_engine.loading import validate_profile_data
from gap_engine.reservations import RESERVABLE
from gap_engine.rules import RuleCatalogue, load_rules
from tests.conftest import minimal_profile, offence


@cache
def catalogue() -> RuleCatalogue:
    return load_rules()


def findings(data: dict, engine: str = "durable") -> dict[str, Finding]:
    results = check_profiles([("p.yaml", validate_profile_data(data, "p.yaml"))], catalogue(), make_engine(catalogue(), engine))
    return {f.rule_id: f for f in results.all_findings()}


def reserving(*reservations: dict, stated: bool = True) -> dict:
    return {"status": "party", "reservations_stated": stated, "reservations": list(reservations)}


FIRST_INDENT = {"article": 20, "paragraph": 3, "indent": 1}
EVERY_MATERIAL = {
    "real_child_record": "yes",
    "manipulated_real_child": "yes",
    "synthetic_realistic": "yes",
    "non_realistic_depiction": "yes",
    "child_like_doll_or_robot_depiction": "yes",
    "avatar_or_immersive": "yes",
}


EXCLUDING_SYNTHETIC = {
    "offences_listed_exhaustively": "yes",
    "offences": [
        offence("csam", ["producing", "possessing"], material={"real_child_record": "yes", "synthetic_realistic": "no"}, age_threshold=18)
    ],
}
"""The only production and possession offence leaves out realistic images of a non-existent child (GAI-009's gap)."""


@pytest.mark.parametrize("engine", ["durable", "python"])
def test_first_indent_does_not_explain_an_age_gap(engine: str) -> None:
    """Regression: an offence reaching every material but protecting only under-14s was `reserved`
    on GAI-009, GAI-011, IMM-001 and ROB-001. The reservation is about the material, not the age."""
    data = minimal_profile(
        convention=reserving(FIRST_INDENT),
        criminal_law={
            "offences_listed_exhaustively": "yes",
            "offences": [offence("csam", ["producing", "possessing"], material=EVERY_MATERIAL, age_threshold=14)],
        },
    )
    got = findings(data, engine)
    for rule_id in ("GAI-009", "GAI-011", "IMM-001", "ROB-001"):
        assert got[rule_id].status.value == "gap", rule_id
        assert any("Article 20(3), first indent does not explain" in n and "age threshold is 14" in n for n in got[rule_id].notes), rule_id


def test_first_indent_explains_exactly_the_exclusion_of_material_of_a_non_existent_child() -> None:
    data = minimal_profile(
        convention=reserving(FIRST_INDENT),
        criminal_law={
            "offences_listed_exhaustively": "yes",
            "offences": [
                offence(
                    "csam",
                    ["producing", "possessing", "distributing_or_transmitting"],
                    material={**EVERY_MATERIAL, "synthetic_realistic": "no", "non_realistic_depiction": "no"},
                    age_threshold=18,
                )
            ],
        },
    )
    got = findings(data)
    assert got["GAI-009"].status.value == "reserved"
    assert got["GAI-011"].status.value == "reserved"
    assert [e.ref for e in got["GAI-009"].evidence if e.kind == "reservation"] == ["Article 20(3) indent 1"]
    assert any("explains producing of synthetic realistic material" in n for n in got["GAI-009"].notes)
    assert got["GAI-001"].status.value == "covered"  # real children: untouched by the reservation


def test_first_indent_does_not_explain_avatars_which_may_depict_real_children() -> None:
    """Regression: IMM-001's missing coverage of 3D/immersive depictions was `reserved`, though they
    may depict real children, who are not "a non-existent child"."""
    data = minimal_profile(
        convention=reserving(FIRST_INDENT),
        criminal_law={
            "offences_listed_exhaustively": "yes",
            "offences": [
                offence("csam", ["producing", "possessing"], material={**EVERY_MATERIAL, "avatar_or_immersive": "no"}, age_threshold=18)
            ],
        },
    )
    imm = findings(data)["IMM-001"]
    assert imm.status.value == "gap"
    assert any("explains only part of" in n and "(in part)" in n for n in imm.notes)


def test_article_25_3_does_not_explain_a_missing_offence() -> None:
    """Regression: with no offence of recruiting or coercing a child into performances, LIVE-003 was
    `reserved` by Article 25(3), which only lets a Party not apply jurisdiction over habitual residents."""
    data = minimal_profile(
        convention=reserving({"article": 25, "paragraph": 3}),
        criminal_law={
            "offences_listed_exhaustively": "yes",
            "extraterritorial": {"nationals": "yes", "habitual_residents": "no"},
            "offences": [offence("abuse", ["remote_directing_abuse"])],
        },
    )
    assert findings(data)["LIVE-003"].status.value == "gap"
    # With the offences there, the habitual-residence ground is exactly what 25(3) permits.
    data["criminal_law"]["offences"] = [
        offence("abuse", ["remote_directing_abuse", "recruiting_for_performance", "coercing_into_performance"])
    ]
    live = findings(data)["LIVE-003"]
    assert live.status.value == "reserved"
    assert any("habitual_residents is no" in n for n in live.notes)


@pytest.mark.parametrize(
    ("scope", "why"),
    [
        ({"setting": {"online": "no"}, "age_threshold": 18}, "setting.online is no"),
        ({"setting": {"online": "yes"}, "age_threshold": 16}, "age threshold is 16"),
    ],
)
def test_article_21_2_does_not_explain_online_or_age_gaps(scope: dict, why: str) -> None:
    """Regression: Article 21(2) explained LIVE-004's online-setting and age gaps; it only lets a Party
    limit attendance to children recruited or coerced."""
    data = minimal_profile(
        convention=reserving({"article": 21, "paragraph": 2}),
        criminal_law={
            "offences_listed_exhaustively": "yes",
            "offences": [offence("attend", ["attending_performance"], limited_to_recruited_or_coerced="yes", **scope)],
        },
    )
    live = findings(data)["LIVE-004"]
    assert live.status.value == "gap"
    assert any("explains only part of" in n and why in n for n in live.notes)


def test_a_reservation_in_part_without_its_part_explains_nothing_for_certain() -> None:
    """Regression: `extent: part` was parsed and never read, so a reservation "in part" made a rule fully reserved."""
    law = EXCLUDING_SYNTHETIC
    part = findings(minimal_profile(convention=reserving({**FIRST_INDENT, "extent": "part"}), criminal_law=law))["GAI-009"]
    assert part.status.value == "gap"
    assert any("may explain some of" in n and "does not say which part" in n for n in part.notes)
    covers = {**FIRST_INDENT, "extent": "part", "covers": {"material": ["synthetic_realistic"]}}
    assert findings(minimal_profile(convention=reserving(covers), criminal_law=law))["GAI-009"].status.value == "reserved"
    other = {**FIRST_INDENT, "extent": "part", "covers": {"material": ["non_realistic_depiction"], "conduct": ["possessing"]}}
    assert findings(minimal_profile(convention=reserving(other), criminal_law=law))["GAI-009"].status.value == "gap"


def test_a_reservation_counts_only_while_in_force() -> None:
    law = EXCLUDING_SYNTHETIC
    later = findings(minimal_profile(convention=reserving({**FIRST_INDENT, "in_force": "2025-01-01"}), criminal_law=law))["GAI-009"]
    assert later.status.value == "gap"
    assert any("not in force on 2024-10-01 (in force from 2025-01-01" in n for n in later.notes)
    withdrawn = {**FIRST_INDENT, "in_force": "2016-03-01", "withdrawn": "2024-01-01"}
    assert findings(minimal_profile(convention=reserving(withdrawn), criminal_law=law))["GAI-009"].status.value == "gap"
    running = {**FIRST_INDENT, "in_force": "2016-03-01"}
    reserved = findings(minimal_profile(convention=reserving(running), criminal_law=law))["GAI-009"]
    assert reserved.status.value == "reserved"
    assert [e.in_force.isoformat() for e in reserved.evidence if e.kind == "reservation"] == ["2016-03-01"]


def test_an_unstated_reservation_that_would_explain_the_gap_is_mentioned() -> None:
    law = EXCLUDING_SYNTHETIC
    unstated = findings(minimal_profile(convention={"status": "party"}, criminal_law=law))["GAI-009"]
    assert unstated.status.value == "gap"
    assert any(
        "A reservation under Article 20(3), first indent would explain this" in n and "does not state the Party's reservations" in n
        for n in unstated.notes
    )
    stated_none = findings(minimal_profile(convention=reserving(), criminal_law=law))["GAI-009"]
    assert stated_none.notes == []


def test_article_25_5_never_explains_a_gap_in_full() -> None:
    """25(5) concerns only the Article 18(1)(b) second- and third-indent offences, which the profile does not tell apart."""
    provision = RESERVABLE[(25, 5, None)]
    assert provision.explains_in_part_only and provision.scope == frozenset({"extraterritorial.dual_criminality_required"})


def test_covers_must_lie_within_what_the_provision_permits() -> None:
    bad = {**FIRST_INDENT, "extent": "part", "covers": {"material": ["real_child_record"]}}
    with pytest.raises(InputErrors) as caught:
        validate_profile_data(minimal_profile(convention=reserving(bad)), "p.yaml")
    assert "Article 20(3), first indent permits leaving out" in str(caught.value) and "not real_child_record" in str(caught.value)
    whole = {**FIRST_INDENT, "covers": {"material": ["synthetic_realistic"]}}
    with pytest.raises(InputErrors) as caught:
        validate_profile_data(minimal_profile(convention=reserving(whole)), "p.yaml")
    assert "set extent: part" in str(caught.value)


def test_every_reservable_provision_is_described_and_reservable_in_a_profile() -> None:
    for place in RESERVABLE:
        article, paragraph, indent = place
        item = {"article": article, "paragraph": paragraph, "indent": indent}
        profile = validate_profile_data(minimal_profile(convention=reserving({k: v for k, v in item.items() if v is not None})), "p")
        assert profile.convention.reservations[0].place == place
