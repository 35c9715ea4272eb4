"""Every rule's own cases, collected by one generic runner (the same one `gap-engine rules test` uses)."""

from __future__ import annotations

from functools import cache

import pytest

from gap_engine.api import make_engine
from gap_engine.rule_cases import run_case
from gap_engine.rules import RuleCatalogue, load_rules


@cache
def catalogue() -> RuleCatalogue:
    return load_rules()


@cache
def engine(name: str):  # type: ignore[no-untyped-def]
    return make_engine(catalogue(), name)


CASES = [(loaded, case) for loaded in catalogue().rules for case in loaded.rule.cases]


@pytest.mark.parametrize("engine_name", ["durable", "python"])
@pytest.mark.parametrize(("loaded", "case"), CASES, ids=[f"{lr.id}/{c.name}" for lr, c in CASES])
def test_rule_case(loaded, case, engine_name: str) -> None:  # type: ignore[no-untyped-def]
    result = run_case(loaded, case, engine(engine_name))
    assert result.got == result.expected, f"{loaded.id}/{case.name}: {result.detail}"


@pytest.mark.parametrize("loaded", catalogue().rules, ids=lambda r: r.id)
def test_every_rule_can_report_gap_covered_and_unknown(loaded) -> None:  # type: ignore[no-untyped-def]
    """A rule that can never fire is a bug: its cases must reach each verdict it can give."""
    expected = {case.expect.value for case in loaded.rule.cases}
    needed = {"gap", "covered", "unknown"}
    if loaded.rule.reservable:
        needed.add("reserved")
    if loaded.rule.applies_if is not None:
        needed.add("not_applicable")
    assert needed <= expected, f"{loaded.id} lacks cases for {sorted(needed - expected)}"
