"""One generic runner for every rule's own test cases (``gap-engine rules test`` and pytest)."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from .api import Engine, make_engine
from .conditions import CompiledRule
from .errors import InputErrors
from .facts import profile_facts
from .loading import validate_profile_data
from .rules import RuleCase, RuleCatalogue
from .verdict import decide

CASE_BASE: dict[str, Any] = {
    "jurisdiction": {"code": "XT", "name": "Rule case"},
    "as_of": "2024-10-01",
    "fictional": True,
}


@dataclass(frozen=True)
class CaseResult:
    rule_id: str
    case: str
    expected: str
    got: str
    source: str
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.expected == self.got


def case_profile_data(case: RuleCase) -> dict[str, Any]:
    return deep_merge(copy.deepcopy(CASE_BASE), case.profile)


def deep_merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            deep_merge(base[key], value)
        else:
            base[key] = copy.deepcopy(value)
    return base


def run_case(compiled: CompiledRule, case: RuleCase, engine: Engine) -> CaseResult:
    loaded = compiled.loaded
    source = f"{loaded.source} {loaded.id}/{case.name}"
    try:
        profile = validate_profile_data(case_profile_data(case), source)
    except InputErrors as exc:
        return CaseResult(loaded.id, case.name, case.expect.value, "invalid-profile", loaded.source, str(exc))
    facts = profile_facts(profile, source)
    finding = decide(compiled, facts, engine.evaluate(facts.facts))
    detail = "; ".join(finding.missing)
    return CaseResult(loaded.id, case.name, case.expect.value, finding.status.value, loaded.source, detail)


def run_cases(catalogue: RuleCatalogue, engine_name: str = "durable", packs: tuple[str, ...] | list[str] = ()) -> list[CaseResult]:
    """Every rule's cases, or only those of the rules of ``packs``."""
    engine = make_engine(catalogue, engine_name)
    rules = [rule for rule in catalogue.compiled.rules if not packs or rule.loaded.pack in packs]
    return [run_case(rule, case, engine) for rule in rules for case in rule.loaded.rule.cases]
