"""The reference evaluator: the compiled elements evaluated in plain Python.

It is the oracle the durable_rules engine is tested against, and the fallback where
durable_rules cannot be imported (its C extension does not load on Python 3.13+).
"""

from __future__ import annotations

from .conditions import CompiledRules, ElementOutcome, outcome_from_grades
from .facts import FactDict
from .findings import Status


class PythonEngine:
    name = "python"

    def __init__(self, compiled: CompiledRules) -> None:
        self._elements = list(compiled.elements.values())

    def evaluate(self, facts: list[FactDict]) -> dict[str, ElementOutcome]:
        by_type: dict[str, list[FactDict]] = {}
        for fact in facts:
            by_type.setdefault(fact["t"], []).append(fact)
        outcomes: dict[str, ElementOutcome] = {}
        for element in self._elements:
            graded: dict[Status, list[str]] = {}
            for fact in by_type.get(element.candidate[0][1], ()):
                if element.is_candidate(fact):
                    graded.setdefault(element.grade(fact), []).append(fact["id"])
            outcomes[element.key] = outcome_from_grades(element, graded)
        return outcomes
