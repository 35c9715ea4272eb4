"""Compile rule conditions into elements that both engines evaluate the same way.

An *element* (a leaf of a condition) becomes a ``CompiledElement``: a *candidate* test that
picks the facts it is about, and *dimensions* that grade each candidate. A candidate's grade is
its worst dimension (no < partial < unknown < yes); the element's verdict is the best grade
among its candidates. With no candidate, an offence element is a gap when the profile lists its
offences exhaustively and unknown otherwise; a fact element is unknown.

The same ``CompiledElement`` is turned into durable_rules patterns (engine_durable.py) and
evaluated directly in Python (engine_python.py), which is what makes the Python evaluator a
trustworthy oracle for the durable_rules engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .facts import conduct_key, material_key, scope_key
from .findings import Status
from .profile import Answer
from .rules import Condition, RuleCatalogue

# Ordering used to combine grades: ``all`` and a candidate's dimensions take the lowest, ``any``
# and the best candidate the highest. ``partial`` sits below ``unknown``: a partly covered element
# is known not to be fully covered, whereas an unknown one might still be, so ``any`` prefers
# asking the question to asserting partial coverage.
GRADE_ORDER = (Status.gap, Status.partial, Status.unknown, Status.covered)


@dataclass(frozen=True)
class Dimension:
    """One graded aspect of a candidate fact: ``key`` must equal ``good`` (or reach ``at_least``)."""

    key: str
    good: str | None = None  # answer-valued dimension
    at_least: int | None = None  # numeric dimension (age threshold), absent key = unknown

    def grade(self, fact: dict[str, Any]) -> Status:
        if self.at_least is not None:
            if self.key not in fact:
                return Status.unknown
            return Status.covered if fact[self.key] >= self.at_least else Status.gap
        value = fact.get(self.key, Answer.unknown.value)
        if value == self.good:
            return Status.covered
        if value == Answer.partial.value:
            return Status.partial
        if value == Answer.unknown.value:
            return Status.unknown
        return Status.gap

    def describe(self) -> str:
        if self.at_least is not None:
            return f"{self.key} >= {self.at_least}"
        return f"{self.key} = {self.good}"


@dataclass(frozen=True)
class CompiledElement:
    key: str  # canonical, shared by identical elements of different rules
    kind: str  # offence | fact | reservation
    candidate: tuple[tuple[str, str], ...]  # equalities a fact must satisfy to be about this element
    dimensions: tuple[Dimension, ...] = ()
    description: str = ""

    def is_candidate(self, fact: dict[str, Any]) -> bool:
        return all(fact.get(k) == v for k, v in self.candidate)

    def grade(self, fact: dict[str, Any]) -> Status:
        grades = [d.grade(fact) for d in self.dimensions]
        return min(grades, key=GRADE_ORDER.index) if grades else Status.covered

    def failing(self, fact: dict[str, Any]) -> list[str]:
        """The dimensions that keep this candidate from full coverage, in plain words."""
        out = []
        for dimension in self.dimensions:
            grade = dimension.grade(fact)
            if grade is not Status.covered:
                shown = fact.get(dimension.key, "not stated")
                out.append(f"{_plain_key(dimension.key)} is {shown}")
        return out


@dataclass
class CompiledRules:
    """Every distinct element of a catalogue, plus each rule's condition mapped onto them."""

    elements: dict[str, CompiledElement] = field(default_factory=dict)

    def add(self, condition: Condition) -> None:
        for leaf in condition.leaves():
            element = compile_element(leaf)
            self.elements.setdefault(element.key, element)


_COMPILED: dict[int, tuple[Condition, CompiledElement]] = {}
"""Leaf -> element, memoised by identity: decide() needs the element of every leaf of every rule
for every profile, and compiling it each time cost ~40% of a check. The leaf is kept in the value
so its id cannot be reused by another object while the entry exists."""


def compile_element(leaf: Condition) -> CompiledElement:
    """The element a leaf condition compiles to (computed once per leaf)."""
    entry = _COMPILED.get(id(leaf))
    if entry is None:
        entry = _COMPILED[id(leaf)] = (leaf, _compile_element(leaf))
    return entry[1]


def _compile_element(leaf: Condition) -> CompiledElement:
    if leaf.offence is not None:
        spec = leaf.offence
        dims: list[Dimension] = []
        if spec.material is not None:
            dims.append(Dimension(key=material_key(spec.material), good=Answer.yes.value))
        for name, answer in sorted(spec.where.items()):
            dims.append(Dimension(key=scope_key(name), good=answer.value))
        if spec.age_at_least is not None:
            dims.append(Dimension(key="age", at_least=spec.age_at_least))
        key = "offence:" + conduct_key(spec.conduct) + "".join(f"|{d.describe()}" for d in dims)
        return CompiledElement(
            key=key,
            kind="offence",
            candidate=(("t", "offence"), (conduct_key(spec.conduct), "yes")),
            dimensions=tuple(dims),
            description=spec.describe(),
        )
    assert leaf.fact is not None
    return CompiledElement(
        key=f"fact:{leaf.fact}={leaf.good.value}",
        kind="fact",
        candidate=(("t", "fact"), ("path", leaf.fact)),
        dimensions=(Dimension(key="answer", good=leaf.good.value),),
        description=f"{leaf.fact} = {leaf.good.value}",
    )


def reservation_element(key: str) -> CompiledElement:
    return CompiledElement(
        key=f"reservation:{key}", kind="reservation", candidate=(("t", "reservation"), ("key", key)), description=f"reservation {key}"
    )


def compile_catalogue(catalogue: RuleCatalogue) -> CompiledRules:
    compiled = CompiledRules()
    for loaded in catalogue.rules:
        compiled.add(loaded.rule.condition)
        if loaded.rule.applies_if is not None:
            compiled.add(loaded.rule.applies_if)
        for ref in loaded.rule.reservable:
            element = reservation_element(ref.key)
            compiled.elements.setdefault(element.key, element)
    return compiled


def _plain_key(key: str) -> str:
    if key.startswith("m_"):
        return f"material {key[2:]}"
    if key.startswith("w_"):
        return key[2:].replace("__", ".")
    if key == "age":
        return "age threshold"
    return key


@dataclass(frozen=True)
class ElementOutcome:
    """An engine's verdict on one element for one profile."""

    status: Status
    fact_ids: tuple[str, ...] = ()  # the candidates that achieved ``status``
    no_candidate: bool = False
    excluded: bool = False  # unknown only because listed provisions exclude it and the list may be incomplete


def outcome_from_grades(element: CompiledElement, graded: dict[Status, list[str]]) -> ElementOutcome:
    """Pick the best grade reached by any candidate. Whether "no candidate" or an exclusion by
    every listed provision is a gap depends on the profile's exhaustiveness: verdict.py decides."""
    for status in reversed(GRADE_ORDER):
        if graded.get(status):
            return ElementOutcome(status=status, fact_ids=tuple(sorted(set(graded[status]))))
    return ElementOutcome(status=Status.unknown if element.kind != "reservation" else Status.gap, no_candidate=True)


def exhaustive_key(element: CompiledElement) -> str | None:
    """The conduct an offence element is about, as named in ``exhaustive_for_conduct``."""
    for key, _ in element.candidate:
        if key.startswith("c_"):
            return key[2:]
    return None
