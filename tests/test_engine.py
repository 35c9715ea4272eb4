"""The durable_rules engine: order independence, no cross-talk, state freed, one status per rule."""

from __future__ import annotations

import random
from functools import cache

import pytest

from gap_engine.api import check_profiles, evaluate_profile, make_engine
from gap_engine.errors import InputErrors
from gap_engine.facts import MAX_FACTS_PER_PROFILE, profile_facts
from gap_engine.loading import load_profile, validate_profile_data
from gap_engine.rules import RuleCatalogue, load_rules
from tests.conftest import FIXTURES, minimal_profile, offence


@cache
def catalogue() -> RuleCatalogue:
    return load_rules()


def fixture_profiles():  # type: ignore[no-untyped-def]
    return [(str(p), load_profile(p)) for p in sorted(FIXTURES.glob("*.yaml"))]


def mixed_profile():  # type: ignore[no-untyped-def]
    """A profile with several candidates per element at different grades, and a reservation."""
    return validate_profile_data(
        minimal_profile(
            convention={"status": "party", "reservations": [{"article": 20, "paragraph": 3, "indent": 1}]},
            criminal_law={
                "offences_listed_exhaustively": "yes",
                "offences": [
                    offence("a", ["producing", "possessing"], material={"manipulated_real_child": "partial", "synthetic_realistic": "no"}),
                    offence("b", ["possessing", "distributing_or_transmitting"], material={"manipulated_real_child": "yes"}),
                    offence("c", ["soliciting_for_sexual_purposes"], meeting_proposal_required="yes"),
                    offence("d", ["sexual_activity_with_child"], setting={"physical_contact_required": "yes"}),
                ],
            },
            regulation={"platforms": {"hash_sharing": "partial", "age_assurance": "no"}},
            programmes={"education": "yes"},
        ),
        "mixed",
    )


def test_findings_do_not_depend_on_fact_order() -> None:
    engine = make_engine(catalogue(), "durable")
    profile = mixed_profile()
    facts = profile_facts(profile).facts
    expected = engine.evaluate(facts)
    rng = random.Random(20241001)
    for _ in range(20):
        shuffled = facts[:]
        rng.shuffle(shuffled)
        assert engine.evaluate(shuffled) == expected


def test_durable_and_python_agree_on_every_fixture() -> None:
    profiles = [*fixture_profiles(), ("mixed", mixed_profile())]
    durable = check_profiles(profiles, catalogue(), make_engine(catalogue(), "durable"))
    python = check_profiles(profiles, catalogue(), make_engine(catalogue(), "python"))
    assert durable.profiles == python.profiles


def test_no_cross_talk_between_profiles_in_one_run() -> None:
    engine = make_engine(catalogue(), "durable")
    profiles = [*fixture_profiles(), ("mixed", mixed_profile())]
    alone = [evaluate_profile(p, catalogue(), make_engine(catalogue(), "durable"), s) for s, p in profiles]
    together = [evaluate_profile(p, catalogue(), engine, s) for s, p in profiles * 3]
    assert together == alone * 3


def test_each_rule_yields_exactly_one_finding_per_profile() -> None:
    results = check_profiles([("mixed", mixed_profile()), *fixture_profiles()], catalogue())
    for profile in results.profiles:
        ids = [f.rule_id for f in profile.findings]
        assert sorted(ids) == sorted(r.id for r in catalogue().rules)
        assert len(ids) == len(set(ids))


def test_session_state_is_deleted_after_each_profile() -> None:
    engine = make_engine(catalogue(), "durable")
    engine.evaluate(profile_facts(mixed_profile()).facts)
    with pytest.raises(Exception, match="309"):
        engine._host.get_facts(engine._ruleset, engine.last_sid)  # type: ignore[attr-defined]


def test_evidence_is_deduplicated_and_names_the_best_provision() -> None:
    results = check_profiles([("mixed", mixed_profile())], catalogue())
    gai = next(f for f in results.all_findings() if f.rule_id == "GAI-001")
    refs = [(e.kind, e.ref) for e in gai.evidence]
    assert len(refs) == len(set(refs))
    assert ("offence", "b") in refs  # b covers possessing/distributing manipulated images
    assert gai.status.value == "partial"  # producing is only partly covered (a: partial)


def test_a_fact_no_rule_mentions_is_accepted() -> None:
    """durable_rules raises MessageNotHandledException for a fact no rule matches; facts.py sends only
    facts some element can take as a candidate, so an offence no rule mentions is not sent at all."""
    profile = validate_profile_data(minimal_profile(criminal_law={"offences": [offence("x", ["selling"])]}), "p")
    findings = evaluate_profile(profile, catalogue(), make_engine(catalogue(), "durable")).findings
    python = evaluate_profile(profile, catalogue(), make_engine(catalogue(), "python", notice=False)).findings
    assert len(findings) == len(catalogue().rules)
    assert [(f.rule_id, f.status) for f in findings] == [(f.rule_id, f.status) for f in python]


def test_profiles_above_the_fact_cap_are_refused() -> None:
    offences = [offence(f"o{i}", ["possessing"]) for i in range(MAX_FACTS_PER_PROFILE + 1)]
    profile = validate_profile_data(minimal_profile(criminal_law={"offences": offences}), "big.yaml")
    with pytest.raises(InputErrors, match=r"big.yaml: criminal_law.offences: profile yields .* facts, over the limit"):
        profile_facts(profile, "big.yaml")


def test_withdrawn_reservation_no_longer_explains_a_gap() -> None:
    base = minimal_profile(
        criminal_law={"offences_listed_exhaustively": "yes"},
        convention={"status": "party", "reservations": [{"article": 20, "paragraph": 3, "indent": 1, "withdrawn": "2020-01-01"}]},
    )
    facts = profile_facts(validate_profile_data(base, "p")).facts
    assert not [f for f in facts if f["t"] == "reservation"]
    # The verdict, not only the facts: with the reservation in force the exhaustive list's silence
    # on synthetic material is reserved; once it is withdrawn the same silence is a gap.
    in_force = {**base, "convention": {"status": "party", "reservations": [{"article": 20, "paragraph": 3, "indent": 1}]}}
    assert _gai009(in_force["criminal_law"], in_force["convention"]) == "reserved"
    assert _gai009(base["criminal_law"], base["convention"]) == "gap"


def _gai009(criminal_law: dict, convention: dict | None = None, engine_name: str = "durable") -> str:
    """GAI-009's status (realistic synthetic CSAM) for a profile whose only CSAM provision excludes it."""
    data = minimal_profile(criminal_law=criminal_law, convention=convention or {"status": "party"})
    engine = make_engine(catalogue(), engine_name, notice=False)
    results = check_profiles([("p", validate_profile_data(data, "p"))], catalogue(), engine)
    return next(f for f in results.all_findings() if f.rule_id == "GAI-009").status.value


EXCLUDING = [offence("csam", ["producing", "possessing"], material={"real_child_record": "yes", "synthetic_realistic": "no"})]


@pytest.mark.parametrize("engine_name", ["durable", "python"])
def test_exclusion_is_unknown_unless_offences_are_listed_exhaustively(engine_name: str) -> None:
    """Regression: a provision that excludes synthetic images was reported as a gap although
    another, unlisted provision might reach them."""
    assert _gai009({"offences": EXCLUDING}, engine_name=engine_name) == "unknown"
    assert _gai009({"offences": EXCLUDING, "offences_listed_exhaustively": "yes"}, engine_name=engine_name) == "gap"
    assert _gai009({"offences": EXCLUDING, "exhaustive_for_conduct": ["producing", "possessing"]}, engine_name=engine_name) == "gap"
    # Production alone is then a proven gap; the rule needs both, so it is a gap whatever possession is.
    assert _gai009({"offences": EXCLUDING, "exhaustive_for_conduct": ["producing"]}, engine_name=engine_name) == "gap"


def test_no_candidate_is_a_gap_only_for_conduct_declared_exhaustive() -> None:
    assert _gai009({"offences": []}) == "unknown"
    assert _gai009({"offences": [], "exhaustive_for_conduct": ["producing", "possessing"]}) == "gap"


def test_reservation_explains_an_exclusion_even_without_an_exhaustive_list() -> None:
    """The Party reserved the right not to criminalise: the listed exclusion is the whole story."""
    reserved = {"status": "party", "reservations": [{"article": 20, "paragraph": 3, "indent": 1}]}
    assert _gai009({"offences": EXCLUDING}, reserved) == "reserved"
    assert _gai009({"offences": []}, reserved) == "unknown"  # nothing listed: still a question to answer


def test_a_rule_covered_through_any_lists_no_missing_alternative() -> None:
    """Regression: LIVE-010 was covered through one alternative of an `any` while the other,
    partial alternative was still listed as missing (and as evidence)."""
    data = minimal_profile(
        criminal_law={
            "extraterritorial": {"nationals": "yes", "victim_complaint_required": "no"},
            "offences": [
                offence(
                    "direct", ["remote_directing_abuse"], extraterritorial={"nationals": "yes", "victim_complaint_required": "partial"}
                ),
                offence("abuse", ["sexual_activity_with_child", "producing", "recruiting_for_performance"]),
            ],
        }
    )
    results = check_profiles([("p", validate_profile_data(data, "p"))], catalogue())
    finding = next(f for f in results.all_findings() if f.rule_id == "LIVE-010")
    assert finding.status.value == "covered"
    assert finding.missing == []
    assert {e.ref for e in finding.evidence} == {"abuse"}


class _DeferringC:
    """The C extension, except that asserting facts answers 3 (event deferred)."""

    def __init__(self, real: object) -> None:
        self._real = real

    def assert_facts(self, handle: object, facts: str) -> tuple[int, int]:
        return 3, 0

    def __getattr__(self, name: str) -> object:
        return getattr(self._real, name)


def test_a_code_other_than_ok_or_a_refusal_stops_the_run() -> None:
    from gap_engine.engine_durable import EngineFault

    engine = make_engine(catalogue(), "durable")
    if engine.name != "durable":
        pytest.skip("durable_rules is not available here")
    engine._c = _DeferringC(engine._c)  # type: ignore[attr-defined]
    with pytest.raises(EngineFault, match="returned code 3"):
        engine.evaluate(profile_facts(mixed_profile()).facts)


def test_the_cli_reports_an_engine_fault_without_a_traceback(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    from click.testing import CliRunner

    from gap_engine import engine_durable
    from gap_engine.cli import main

    def faulty(self: object, facts: object) -> object:
        raise engine_durable.EngineFault("durable_rules returned code 3 for the facts of one profile")

    monkeypatch.setattr(engine_durable.DurableEngine, "evaluate", faulty)
    result = CliRunner().invoke(main, ["check", str(FIXTURES / "nescia_unknown.yaml")])
    if "notice:" in result.output:
        pytest.skip("durable_rules is not available here")
    assert result.exit_code == 3 and result.output.startswith("Error: durable_rules returned code 3")
