"""The durable_rules engine against its oracle, the reference Python evaluator.

A "covered" verdict a legal adviser cannot trust is the worst bug gap-engine can have, so the
durable_rules engine is checked, on random valid profiles, against the plain-Python evaluation
of the same compiled elements: identical element outcomes (status, the facts that decided it,
"no candidate"), and identical findings (status, evidence, what is missing) for every rule of
the full catalogue and of a random rule pack loaded from a directory (with derived rules reading
other rules, at_least groups, named conditions and labels), whatever the order of the facts and
however many profiles one engine has already seen.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from gap_engine.api import check_profiles, make_engine
from gap_engine.conditions import rule_grade
from gap_engine.engine_python import PythonEngine
from gap_engine.facts import profile_facts
from gap_engine.findings import Status
from gap_engine.loading import validate_profile_data
from gap_engine.profile import (
    OFFENCE_ANSWER_FIELDS,
    Answer,
    Conduct,
    ConventionStatus,
    ExtortionMotive,
    Extraterritorial,
    Material,
    OffenceSetting,
    Profile,
    fact_paths,
)
from gap_engine.reservations import RESERVABLE
from gap_engine.rules import RuleCatalogue, load_rules
from tests.conftest import write_manifest

pytest.importorskip("durable.engine", reason="durable_rules does not load on this Python")

ANSWERS = [a.value for a in Answer]
STATUSES = [s.value for s in Status]
FACT_PATHS = sorted(fact_paths())
AS_OF = date(2024, 10, 1)
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# ---------------------------------------------------------------------------------------------
# Random valid profiles: every enum value, unknowns (stated and by omission), many provisions,
# reservations in force, withdrawn, and listed twice.
# ---------------------------------------------------------------------------------------------

answers = st.sampled_from(ANSWERS)


@st.composite
def fact_values(draw: st.DrawFn) -> Any:
    answer = draw(answers)
    form = draw(st.sampled_from(["bare", "mapping", "cited"]))
    if form == "bare":
        return answer
    value: dict[str, Any] = {"answer": answer}
    if form == "cited":
        value["citation"] = {"instrument": "Test Act", "provision": f"s. {draw(st.integers(1, 99))}"}
    return value


def _answer_block(draw: st.DrawFn, fields: list[str]) -> dict[str, str]:
    chosen = draw(st.lists(st.sampled_from(fields), unique=True))
    return {name: draw(answers) for name in chosen}


@st.composite
def offences(draw: st.DrawFn, index: int) -> dict[str, Any]:
    offence: dict[str, Any] = {
        "id": f"o-{index}",
        "title": f"Offence {index}",
        "citation": {"instrument": "Test Code", "provision": f"s. {index}"},
        "conduct": draw(st.lists(st.sampled_from([c.value for c in Conduct]), min_size=1, max_size=6, unique=True)),
    }
    materials = draw(st.lists(st.sampled_from([m.value for m in Material]), unique=True))
    if materials:
        offence["material"] = {m: draw(answers) for m in materials}
    setting = _answer_block(draw, list(OffenceSetting.model_fields))
    if setting:
        offence["setting"] = setting
    age = draw(st.none() | st.integers(1, 25))
    if age is not None:
        offence["age_threshold"] = age
    for name in ("meeting_proposal_required", "non_monetary_consideration", "limited_to_recruited_or_coerced", "attempt_punishable"):
        if draw(st.booleans()):
            offence[name] = draw(answers)
    motive = _answer_block(draw, list(ExtortionMotive.model_fields))
    if motive:
        offence["extortion_motive"] = motive
    # In force before, on or after the date the profile describes; sometimes repealed; sometimes for part of the State.
    if draw(st.integers(0, 2)) == 0:
        offence["citation"]["in_force"] = (AS_OF + timedelta(days=draw(st.integers(-1600, 400)))).isoformat()
    if draw(st.integers(0, 4)) == 0:
        offence["citation"]["in_force_until"] = (
            AS_OF + timedelta(days=draw(st.integers(401, 800)) * draw(st.sampled_from([-1, 1])))
        ).isoformat()
        if "in_force" in offence["citation"] and offence["citation"]["in_force_until"] < offence["citation"]["in_force"]:
            del offence["citation"]["in_force_until"]
    if draw(st.integers(0, 4)) == 0:
        offence["citation"]["extent"] = draw(st.lists(st.sampled_from(["North", "South"]), min_size=1, max_size=2, unique=True))
    if draw(st.integers(0, 3)) == 0:
        offence["extraterritorial"] = _answer_block(draw, [f for f in Extraterritorial.model_fields if f != "citation"])
    return offence


@st.composite
def reservations(draw: st.DrawFn) -> dict[str, Any]:
    article, paragraph, indent = draw(st.sampled_from(sorted(RESERVABLE, key=str)))
    item: dict[str, Any] = {"article": article}
    if paragraph is not None:
        item["paragraph"] = paragraph
    if indent is not None:
        item["indent"] = indent
    if draw(st.integers(0, 2)) == 0:  # in force from before or after the date the profile describes
        item["in_force"] = (AS_OF + timedelta(days=draw(st.integers(-1600, 400)))).isoformat()
    if draw(st.integers(0, 2)) == 0:  # withdrawn before or after the date the profile describes
        withdrawn = AS_OF + timedelta(days=draw(st.integers(-800, 800)))
        if "in_force" not in item or withdrawn > date.fromisoformat(item["in_force"]):
            item["withdrawn"] = withdrawn.isoformat()
    return item


@st.composite
def profiles(draw: st.DrawFn, max_offences: int = 12) -> Profile:
    n_offences = draw(st.integers(0, max_offences))
    criminal_law: dict[str, Any] = {"offences": [draw(offences(i)) for i in range(n_offences)]}
    if draw(st.booleans()):
        criminal_law["offences_listed_exhaustively"] = draw(fact_values())
    reach = _answer_block(draw, [f for f in Extraterritorial.model_fields if f != "citation"])
    if reach:
        criminal_law["extraterritorial"] = reach
    jurisdiction = {"code": draw(st.sampled_from(["XA", "XB", "XC", "XD"])), "name": "Randomland"}
    if draw(st.integers(0, 3)) == 0:
        jurisdiction["territory"] = draw(st.sampled_from(["North", "South"]))
    data: dict[str, Any] = {
        "jurisdiction": jurisdiction,
        "as_of": AS_OF.isoformat(),
        "fictional": True,
        "convention": {
            "status": draw(st.sampled_from([s.value for s in ConventionStatus])),
            "reservations_stated": draw(st.booleans()),
            "reservations": draw(st.lists(reservations(), max_size=5)),
        },
        "criminal_law": criminal_law,
    }
    for path in draw(st.lists(st.sampled_from(FACT_PATHS), unique=True, max_size=len(FACT_PATHS))):
        node = data
        *parents, leaf = path.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = draw(fact_values())
    return validate_profile_data(data, "<random>")


# ---------------------------------------------------------------------------------------------
# Engines: one durable engine per catalogue, shared by every example, so each test also checks
# that sessions do not leak into one another.
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def catalogue() -> RuleCatalogue:
    return load_rules()


@pytest.fixture(scope="module")
def engines(catalogue: RuleCatalogue) -> tuple[Any, PythonEngine]:
    durable = make_engine(catalogue, "durable", notice=False)
    assert durable.name == "durable"
    return durable, make_engine(catalogue, "python")


def _results(profile_list: list[Profile], catalogue: RuleCatalogue, engine: Any) -> list[dict[str, Any]]:
    results = check_profiles([(f"p{i}", p) for i, p in enumerate(profile_list)], catalogue, engine)
    return [r.model_dump(mode="json") for r in results.profiles]


@SETTINGS
@given(profile=profiles())
def test_durable_findings_equal_oracle(profile: Profile, catalogue: RuleCatalogue, engines: tuple[Any, PythonEngine]) -> None:
    durable, oracle = engines
    facts = profile_facts(profile).facts
    assert durable.evaluate(facts) == oracle.evaluate(facts)
    assert _results([profile], catalogue, durable) == _results([profile], catalogue, oracle)


@SETTINGS
@given(profile=profiles(), seed=st.randoms(use_true_random=False))
def test_fact_order_does_not_change_outcomes(profile: Profile, seed: random.Random, engines: tuple[Any, PythonEngine]) -> None:
    durable, oracle = engines
    facts = profile_facts(profile).facts
    expected = oracle.evaluate(facts)
    shuffled = list(facts)
    seed.shuffle(shuffled)
    assert durable.evaluate(shuffled) == expected
    assert oracle.evaluate(shuffled) == expected


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(batch=st.lists(profiles(max_offences=6), min_size=2, max_size=12), seed=st.randoms(use_true_random=False))
def test_interleaved_profiles_in_one_engine(
    batch: list[Profile], seed: random.Random, catalogue: RuleCatalogue, engines: tuple[Any, PythonEngine]
) -> None:
    """Many profiles, some repeated (identical facts in a new session), in a random order."""
    durable, oracle = engines
    order = [*range(len(batch)), *range(len(batch))]
    seed.shuffle(order)
    facts = [profile_facts(p).facts for p in batch]
    for index in order:
        assert durable.evaluate(facts[index]) == oracle.evaluate(facts[index])
    assert _results(batch, catalogue, durable) == _results(batch, catalogue, oracle)


def test_reservation_listed_twice_is_one_fact(engines: tuple[Any, PythonEngine]) -> None:
    """Regression: a reservation listed twice gave two facts with one id, and durable_rules
    raised MessageObservedException instead of giving a verdict."""
    durable, oracle = engines
    twice = [{"article": 20, "paragraph": 3, "indent": 1}, {"article": 20, "paragraph": 3, "indent": 1, "withdrawn": "2030-01-01"}]
    profile = validate_profile_data(
        {"jurisdiction": {"code": "XA", "name": "A"}, "as_of": "2024-10-01", "fictional": True, "convention": {"reservations": twice}},
        "<twice>",
    )
    facts = profile_facts(profile)
    # Reservations are no longer engine facts (the verdict reads them from ProfileFacts), so no id can repeat.
    assert [f for f in facts.facts if f["t"] == "reservation"] == []
    assert [r.key for r in facts.reservations_in_force()] == ["20(3) indent 1", "20(3) indent 1"]
    assert durable.evaluate(facts.facts) == oracle.evaluate(facts.facts)


def test_empty_profile_is_unknown_not_covered(catalogue: RuleCatalogue, engines: tuple[Any, PythonEngine]) -> None:
    """A profile stating nothing gives no rule as covered, in either engine."""
    profile = validate_profile_data({"jurisdiction": {"code": "XA", "name": "A"}, "as_of": "2024-10-01", "fictional": True}, "<empty>")
    for engine in engines:
        statuses = {f["status"] for r in _results([profile], catalogue, engine) for f in r["findings"]}
        assert "covered" not in statuses


# ---------------------------------------------------------------------------------------------
# A random rule pack, written to a directory and loaded as ``--rules DIR`` loads it.
# ---------------------------------------------------------------------------------------------

_SCOPE = list(OFFENCE_ANSWER_FIELDS)


@st.composite
def leaves(draw: st.DrawFn) -> dict[str, Any]:
    if draw(st.booleans()):
        spec: dict[str, Any] = {"conduct": draw(st.sampled_from([c.value for c in Conduct]))}
        if draw(st.booleans()):
            spec["material"] = draw(st.sampled_from([m.value for m in Material]))
        where = draw(st.lists(st.sampled_from(_SCOPE), unique=True, max_size=3))
        if where:
            spec["where"] = {name: draw(st.sampled_from(["yes", "no"])) for name in where}
        if draw(st.integers(0, 2)) == 0:
            spec["age_at_least"] = draw(st.integers(1, 25))
        return {"offence": spec}
    leaf: dict[str, Any] = {"fact": draw(st.sampled_from(FACT_PATHS))}
    if draw(st.booleans()):
        leaf["good"] = "no"
    return leaf


BUILTIN_REFS = ["GAI-001", "GAI-009", "IMM-001", "ML-001", "CC-016"]
"""Built-in rules a pack's derived rules may read."""


def _groups(inner: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    items = st.lists(inner, min_size=1, max_size=4)
    return st.one_of(
        st.builds(lambda kind, children: {kind: children}, st.sampled_from(["all", "any"]), items),
        items.flatmap(lambda children: st.integers(1, len(children)).map(lambda n: {"at_least": n, "of": children})),
    )


def condition_trees(rule_refs: Sequence[str] = (), names: Sequence[str] = ()) -> st.SearchStrategy[dict[str, Any]]:
    """Conditions over offence and fact elements and, when given, ``rule:`` and ``use:`` elements."""
    kinds = [leaves()]
    if rule_refs:
        kinds.append(st.sampled_from(list(rule_refs)).map(lambda rule_id: {"rule": rule_id}))
    if names:
        kinds.append(st.sampled_from(list(names)).map(lambda name: {"use": name}))
    return st.recursive(st.one_of(*kinds), _groups, max_leaves=8)


conditions = condition_trees()


@st.composite
def rule_packs(draw: st.DrawFn) -> dict[str, Any]:
    """A rule file: named conditions, and rules that may read built-in rules and the pack's earlier rules
    (so never a cycle), with at_least groups and labels."""
    named = {"shared": draw(condition_trees(BUILTIN_REFS))} if draw(st.booleans()) else {}
    rules = []
    for number in range(1, draw(st.integers(1, 6)) + 1):
        earlier = [r["id"] for r in rules]
        rule: dict[str, Any] = {
            "id": f"ZZPK-{number:03d}",
            "title": f"Random pack rule {number} holds",
            "questions": ["TP-Q1"],
            "severity": draw(st.sampled_from(["obligation", "recommendation", "good_practice"])),
            "condition": draw(condition_trees([*BUILTIN_REFS, *earlier], list(named))),
            "finding": "Generated for the differential test.",
            "recommendation": "None.",
            "cases": [{"name": "unknown_when_nothing_stated", "profile": {}, "expect": "unknown"}],
        }
        if draw(st.integers(0, 2)) == 0:
            rule["applies_if"] = draw(st.one_of(leaves(), st.sampled_from([*BUILTIN_REFS, *earlier]).map(lambda r: {"rule": r})))
        reservable = draw(st.lists(st.sampled_from(sorted(RESERVABLE, key=str)), unique=True, max_size=2))
        if reservable:
            rule["reservable"] = [
                {k: v for k, v in zip(("article", "paragraph", "indent"), key, strict=True) if v is not None} for key in reservable
            ]
        labels = draw(st.dictionaries(st.sampled_from(STATUSES), st.sampled_from(["none", "insufficient", "sufficient"]), max_size=3))
        if labels:
            rule["labels"] = labels
        rules.append(rule)
    return {"theme": "test_theme", "conditions": named, "rules": rules}


def _load_pack(directory: Path, data: dict[str, Any]) -> RuleCatalogue:
    yaml = YAML(typ="safe", pure=True)
    write_manifest(directory)
    with (directory / "random_pack.yaml").open("w", encoding="utf-8") as handle:
        # Through JSON: a sub-tree hypothesis drew twice would otherwise be dumped as a YAML alias, which the loader refuses.
        yaml.dump(json.loads(json.dumps(data)), handle)
    return load_rules([directory])


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(pack=rule_packs(), batch=st.lists(profiles(max_offences=8), min_size=1, max_size=6))
def test_rule_pack_from_directory_equal_oracle(pack: dict[str, Any], batch: list[Profile], tmp_path_factory: Any) -> None:
    directory: Path = tmp_path_factory.mktemp("pack")
    catalogue = _load_pack(directory, pack)
    assert {r.id for r in catalogue.rules if r.pack == "test-pack"} == {r["id"] for r in pack["rules"]}
    durable = make_engine(catalogue, "durable", notice=False)
    oracle = make_engine(catalogue, "python")
    for profile in batch:
        facts = profile_facts(profile).facts
        assert durable.evaluate(facts) == oracle.evaluate(facts)
    assert _results(batch, catalogue, durable) == _results(batch, catalogue, oracle)


DERIVED_PACK: dict[str, Any] = {
    "theme": "test_theme",
    "conditions": {"two_of_the_synthetic_rules": {"at_least": 2, "of": [{"rule": "GAI-001"}, {"rule": "GAI-009"}, {"rule": "IMM-001"}]}},
    "rules": [
        {
            "id": f"ZZDR-{number:03d}",
            "title": "Derived",
            "questions": ["TP-Q1"],
            "severity": "recommendation",
            "condition": condition,
            "finding": "Generated.",
            "recommendation": "None.",
            "labels": {"gap": "none", "partial": "insufficient", "covered": "sufficient"},
            "cases": [{"name": "unknown_when_nothing_stated", "profile": {}, "expect": "unknown"}],
            **extra,
        }
        for number, condition, extra in [
            (1, {"rule": "GAI-009"}, {}),
            (2, {"use": "two_of_the_synthetic_rules"}, {}),
            (3, {"all": [{"rule": "ZZDR-002"}, {"offence": {"conduct": "producing", "material": "synthetic_realistic"}}]}, {}),
            (4, {"any": [{"rule": "ZZDR-003"}, {"fact": "regulation.platforms.hash_sharing"}]}, {"applies_if": {"rule": "CC-016"}}),
            (5, {"at_least": 1, "of": [{"rule": "ZZDR-001"}]}, {"reservable": [{"article": 20, "paragraph": 3, "indent": 1}]}),
        ]
    ],
}
"""Derived rules reading built-in rules and each other, through a named condition and a precondition."""


@pytest.fixture(scope="module")
def derived_catalogue(tmp_path_factory: pytest.TempPathFactory) -> RuleCatalogue:
    return _load_pack(tmp_path_factory.mktemp("derived"), DERIVED_PACK)


@pytest.fixture(scope="module")
def derived_engines(derived_catalogue: RuleCatalogue) -> tuple[Any, PythonEngine]:
    return make_engine(derived_catalogue, "durable", notice=False), make_engine(derived_catalogue, "python")


@SETTINGS
@given(profile=profiles())
def test_derived_rules_equal_oracle(profile: Profile, derived_catalogue: RuleCatalogue, derived_engines: tuple[Any, PythonEngine]) -> None:
    """The two engines give identical findings for derived rules, and each derived status is what
    the rules it reads give (ZZDR-001 reads GAI-009 alone; ZZDR-005 reads ZZDR-001 alone)."""
    durable, oracle = derived_engines
    results = _results([profile], derived_catalogue, durable)
    assert results == _results([profile], derived_catalogue, oracle)
    status = {f["rule_id"]: Status(f["status"]) for f in results[0]["findings"]}
    assert status["ZZDR-001"] is rule_grade(status["GAI-009"])
    assert status["ZZDR-005"] is rule_grade(status["ZZDR-001"])  # a rule: element is never reserved


def test_catalogue_far_larger_than_the_builtin_one_compiles_and_agrees(tmp_path: Path) -> None:
    """Regression: every rule once joined one trigger fact, and durable_rules refuses more than
    256 rules behind one pattern ("Could not create ruleset, error code: 108") — the built-in
    catalogue outgrew it. A pack of several hundred distinct elements must load and agree."""
    materials = [m.value for m in Material]
    rules: list[dict[str, Any]] = [
        {"offence": {"conduct": c.value, "material": m, "where": {"setting.online": "yes"}}} for c in Conduct for m in materials
    ]
    rules += [{"fact": path} for path in FACT_PATHS] + [{"fact": path, "good": "no"} for path in FACT_PATHS]
    pack = [
        {
            "id": f"ZZBIG-{number:03d}",
            "title": "Generated",
            "questions": ["TP-Q1"],
            "severity": "obligation",
            "condition": condition,
            "finding": "Generated.",
            "recommendation": "None.",
            "cases": [{"name": "unknown_when_nothing_stated", "profile": {}, "expect": "unknown"}],
        }
        for number, condition in enumerate(rules[:999], start=1)
    ]
    write_manifest(tmp_path)
    with (tmp_path / "big.yaml").open("w", encoding="utf-8") as handle:
        YAML(typ="safe", pure=True).dump({"theme": "test_theme", "rules": pack}, handle)
    catalogue = load_rules([tmp_path])
    durable = make_engine(catalogue, "durable", notice=False)
    oracle = make_engine(catalogue, "python")
    example = validate_profile_data(
        {
            "jurisdiction": {"code": "XA", "name": "A"},
            "as_of": "2024-10-01",
            "fictional": True,
            "criminal_law": {
                "offences_listed_exhaustively": "yes",
                "offences": [
                    {
                        "id": "o-1",
                        "title": "All",
                        "citation": {"instrument": "Code"},
                        "conduct": [c.value for c in Conduct],
                        "material": dict.fromkeys(materials[:3], "yes") | dict.fromkeys(materials[3:], "partial"),
                        "setting": {"online": "yes"},
                    }
                ],
            },
            "regulation": {"platforms": {"hash_sharing": "yes", "removal_deadline": "no"}},
        },
        "<big>",
    )
    assert len(catalogue.rules) > 300
    for facts in (profile_facts(example).facts, [], profile_facts(example).facts):
        assert durable.evaluate(facts) == oracle.evaluate(facts)


def test_a_session_in_which_nothing_matches_is_deleted_safely(engines: tuple[Any, PythonEngine]) -> None:
    """Regression: durable_rules 2.0.28 corrupts memory (the process aborts) when a session in
    which no action ran is deleted; a bare profile and an empty fact list must both be fine."""
    durable, oracle = engines
    bare = validate_profile_data({"jurisdiction": {"code": "XA", "name": "A"}, "as_of": "2024-10-01", "fictional": True}, "<bare>")
    for _ in range(3):
        for facts in (profile_facts(bare).facts, []):
            assert durable.evaluate(facts) == oracle.evaluate(facts)


def test_fallback_to_the_oracle_when_durable_rules_cannot_load(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where durable_rules does not import (Python 3.13+), check still runs, on the reference
    evaluator, says so in one line on stderr, and reports the same findings."""
    import json

    from click.testing import CliRunner

    import gap_engine.engine_durable
    from gap_engine.cli import main

    fixture = str(Path(__file__).resolve().parent.parent / "fixtures" / "examplia_complete.yaml")
    normal = CliRunner().invoke(main, ["check", fixture, "--format", "json"], catch_exceptions=False)

    def unavailable() -> Any:
        raise gap_engine.engine_durable.DurableUnavailable("durable_rules cannot be imported here (ImportError: simulated)")

    monkeypatch.setattr(gap_engine.engine_durable, "import_durable", unavailable)
    fallback = CliRunner().invoke(main, ["check", fixture, "--format", "json"], catch_exceptions=False)
    assert fallback.exit_code == normal.exit_code == 0
    notice = fallback.stderr.strip().splitlines()
    assert len(notice) == 1 and notice[0].startswith("notice: durable_rules cannot be imported here") and "--engine python" in notice[0]
    got, expected = json.loads(fallback.stdout), json.loads(normal.stdout)
    assert (got["engine"], expected["engine"]) == ("python", "durable")
    assert got["profiles"] == expected["profiles"]
