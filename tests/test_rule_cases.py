"""Every rule's own cases, collected by one generic runner (the same one `gap-engine rules test` uses)."""

from __future__ import annotations

from functools import cache

import pytest

from gap_engine.api import make_engine
from gap_engine.reservations import RESERVABLE
from gap_engine.rule_cases import run_case
from gap_engine.rules import RuleCatalogue, load_rules


@cache
def catalogue() -> RuleCatalogue:
    return load_rules()


@cache
def engine(name: str):  # type: ignore[no-untyped-def]
    return make_engine(catalogue(), name)


CASES = [(compiled, case) for compiled in catalogue().compiled.rules for case in compiled.loaded.rule.cases]


@pytest.mark.parametrize("engine_name", ["durable", "python"])
@pytest.mark.parametrize(("compiled", "case"), CASES, ids=[f"{cr.id}/{c.name}" for cr, c in CASES])
def test_rule_case(compiled, case, engine_name: str) -> None:  # type: ignore[no-untyped-def]
    result = run_case(compiled, case, engine(engine_name), catalogue().compiled)
    assert result.got == result.expected, f"{compiled.id}/{case.name}: {result.detail}"


def _can_explain_in_full(ref, rule) -> bool:  # type: ignore[no-untyped-def]
    provision = RESERVABLE[(ref.article, ref.paragraph, ref.indent)]
    if provision.explains_in_part_only:
        return False
    offences = [leaf.offence for leaf in rule.condition.leaves() if leaf.offence is not None]
    return any(
        provision.touches(o.conduct.value)
        and (provision.whole_conduct or provision.scope or (o.material is not None and o.material.value in provision.materials))
        for o in offences
    )


@pytest.mark.parametrize("loaded", catalogue().rules, ids=lambda r: r.id)
def test_every_rule_can_report_gap_covered_and_unknown(loaded) -> None:  # type: ignore[no-untyped-def]
    """A rule that can never fire is a bug: its cases must reach each verdict it can give."""
    expected = {case.expect.value for case in loaded.rule.cases}
    needed = {"gap", "covered", "unknown"}
    # A rule whose reservations can explain its elements only in part (IMM-001: an avatar may depict a
    # real child) can never be reserved; its cases show the gap the reservation does not explain.
    if any(_can_explain_in_full(ref, loaded.rule) for ref in loaded.rule.reservable):
        needed.add("reserved")
    if loaded.rule.applies_if is not None:
        needed.add("not_applicable")
    assert needed <= expected, f"{loaded.id} lacks cases for {sorted(needed - expected)}"
