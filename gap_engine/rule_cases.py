"""One generic runner for every rule's own test cases (``gap-engine rules test`` and pytest)."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .api import Engine, make_engine
from .conditions import CompiledRule, CompiledRules
from .errors import InputErrors
from .extensions import extension_values
from .facts import profile_facts
from .loading import validate_profile_data
from .packs import Pack
from .rules import RuleCase, RuleCatalogue
from .verdict import decide_all

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


def run_case(
    compiled: CompiledRule, case: RuleCase, engine: Engine, catalogue: CompiledRules | None = None, packs: Sequence[Pack] = ()
) -> CaseResult:
    """Run one case of one rule. A rule that reads other rules (``rule:`` elements) is decided with
    them: each referenced rule is decided first, from the same case profile, so ``catalogue`` (the
    compiled catalogue the rule belongs to) is needed for such a rule. ``packs``: the loaded packs,
    whose facts (``extensions``) a pack rule's case profile may state."""
    loaded = compiled.loaded
    source = f"{loaded.source} {loaded.id}/{case.name}"
    if compiled.references and catalogue is None:
        raise ValueError(f"rule {loaded.id} reads other rules; pass the compiled catalogue to run its cases")
    rules = catalogue.with_dependencies(compiled) if catalogue is not None else [compiled]
    try:
        profile = validate_profile_data(case_profile_data(case), source)
        extensions = extension_values(profile, packs, source=source)
    except InputErrors as exc:
        return CaseResult(loaded.id, case.name, case.expect.value, "invalid-profile", loaded.source, str(exc))
    facts = profile_facts(profile, source, extensions=extensions)
    finding = decide_all(rules, facts, engine.evaluate(facts.facts))[-1]
    detail = "; ".join(finding.missing)
    return CaseResult(loaded.id, case.name, case.expect.value, finding.status.value, loaded.source, detail)


def run_cases(catalogue: RuleCatalogue, engine_name: str = "durable", packs: tuple[str, ...] | list[str] = ()) -> list[CaseResult]:
    """Every rule's cases, or only those of the rules of ``packs``."""
    engine = make_engine(catalogue, engine_name)
    compiled = catalogue.compiled
    rules = [rule for rule in compiled.rules if not packs or rule.loaded.pack in packs]
    return [run_case(rule, case, engine, compiled, catalogue.packs) for rule in rules for case in rule.loaded.rule.cases]
