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

from .facts import APPLIES_KEY, conduct_key, material_key, scope_key
from .findings import Status
from .profile import Answer
from .reservations import RESERVABLE, ReservableProvision
from .rules import Condition, LoadedRule, RuleCatalogue

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
    kind: str  # offence | fact
    candidate: tuple[tuple[str, str], ...]  # equalities a fact must satisfy to be about this element
    dimensions: tuple[Dimension, ...] = ()
    description: str = ""
    conduct: str | None = None  # offence elements: the conduct and material they are about
    material: str | None = None

    def is_candidate(self, fact: dict[str, Any]) -> bool:
        return all(fact.get(k) == v for k, v in self.candidate)

    def grade(self, fact: dict[str, Any]) -> Status:
        grades = [d.grade(fact) for d in self.dimensions]
        return min(grades, key=GRADE_ORDER.index) if grades else Status.covered

    def shortfalls(self, fact: dict[str, Any]) -> list[tuple[Dimension, Status]]:
        """The dimensions that keep this candidate from full coverage, with their grades."""
        return [(d, g) for d in self.dimensions if (g := d.grade(fact)) is not Status.covered]


@dataclass(frozen=True)
class Leaf:
    """An element of a rule's condition: what the rule file says (``source``) and what it compiles to."""

    source: Condition
    element: CompiledElement

    @property
    def key(self) -> str:
        return self.element.key


@dataclass(frozen=True)
class RuleLeaf:
    """A ``rule: ID`` element: graded from another rule's finding for the same profile, never by an engine.

    It is not a fact element, so it is never sent to durable_rules or the Python evaluator; the
    verdict reads the referenced rule's status (decided first, see ``CompiledRules.decision_order``)
    and grades it with ``rule_grade``.
    """

    source: Condition
    rule_id: str

    @property
    def key(self) -> str:
        return f"rule:{self.rule_id}"

    @property
    def description(self) -> str:
        return f"rule {self.rule_id} is covered"


@dataclass(frozen=True)
class Group:
    op: str  # all | any | at_least
    children: tuple[Node, ...]
    at_least: int | None = None  # op at_least: how many children must be covered


Node = Leaf | RuleLeaf | Group


def leaves(node: Node) -> list[Leaf | RuleLeaf]:
    if isinstance(node, Group):
        return [leaf for child in node.children for leaf in leaves(child)]
    return [node]


def rule_grade(status: Status) -> Status:
    """How a ``rule: ID`` element grades the referenced rule's status.

    covered, partial and unknown carry over as they are. gap, reserved and not_applicable all give
    gap: the element asks whether the other rule's criterion is *met*, and a criterion the Party
    has reserved against, or one whose precondition does not hold, is not met — the reservation
    explains the other rule's finding, not this one (a ``rule:`` element is never explained by a
    reservation), and "not applicable" says there is nothing there to rely on.
    """
    if status in (Status.covered, Status.partial, Status.unknown):
        return status
    return Status.gap


def grade_at_least(grades: list[Status], n: int) -> Status:
    """The grade of ``at_least: n`` over its conditions' grades.

    * covered when at least ``n`` conditions are covered;
    * gap when ``n`` cannot be reached even counting every partial and unknown condition as covered;
    * unknown when the unknown conditions could still bring it to ``n`` (covered + unknown >= n);
    * partial otherwise: only by counting partly covered conditions could ``n`` be reached.

    For example, ``at_least: 2`` over (covered, unknown, gap) is unknown — the unknown one may be
    covered; over (covered, partial, gap) it is partial; over (covered, gap, gap) it is a gap; over
    (covered, covered, gap) it is covered. ``at_least: 1`` grades as ``any`` and ``at_least: len(of)``
    as ``all``.
    """
    covered = grades.count(Status.covered)
    unknown = grades.count(Status.unknown)
    partial = grades.count(Status.partial)
    if covered >= n:
        return Status.covered
    if covered + unknown + partial < n:
        return Status.gap
    if covered + unknown >= n:
        return Status.unknown
    return Status.partial


@dataclass(frozen=True)
class CompiledRule:
    """One rule compiled once: its condition and precondition as trees of shared elements, and the
    reservable provisions it lets explain a failing element (see reservations.py)."""

    loaded: LoadedRule
    condition: Node
    applies_if: Node | None
    reservable: tuple[ReservableProvision, ...]

    @property
    def id(self) -> str:
        return self.loaded.id

    @property
    def references(self) -> list[str]:
        """The rules whose findings this one reads (``rule:`` elements), which must be decided first."""
        return self.loaded.rule.references()

    def leaves(self) -> list[Leaf | RuleLeaf]:
        return leaves(self.condition)

    def precondition_leaves(self) -> list[Leaf | RuleLeaf]:
        return leaves(self.applies_if) if self.applies_if is not None else []


@dataclass
class CompiledRules:
    """Every rule of a catalogue compiled, and every distinct element they use (what the engines evaluate)."""

    rules: list[CompiledRule] = field(default_factory=list)
    elements: dict[str, CompiledElement] = field(default_factory=dict)
    _order: list[CompiledRule] | None = field(default=None, repr=False)

    def compile_node(self, condition: Condition) -> Node:
        if condition.at_least is not None:
            return Group("at_least", tuple(self.compile_node(child) for child in condition.of or []), condition.at_least)
        if condition.all is not None or condition.any is not None:
            op = "all" if condition.all is not None else "any"
            return Group(op, tuple(self.compile_node(child) for child in (condition.all or condition.any or [])))
        if condition.rule is not None:
            return RuleLeaf(condition, condition.rule)
        element = _compile_element(condition)
        element = self.elements.setdefault(element.key, element)
        return Leaf(condition, element)

    def add(self, loaded: LoadedRule) -> CompiledRule:
        rule = loaded.rule
        compiled = CompiledRule(
            loaded=loaded,
            condition=self.compile_node(rule.condition),
            applies_if=self.compile_node(rule.applies_if) if rule.applies_if is not None else None,
            reservable=tuple(RESERVABLE[(ref.article, ref.paragraph, ref.indent)] for ref in rule.reservable),
        )
        self.rules.append(compiled)
        self._order = None
        return compiled

    @property
    def decision_order(self) -> list[CompiledRule]:
        """The rules in an order that decides every referenced rule before the rules reading it
        (otherwise the catalogue's order), computed once."""
        if self._order is None:
            from .references import decision_order

            self._order = decision_order(self.rules, lambda r: r.id, lambda r: r.references)
        return self._order

    def with_dependencies(self, rule: CompiledRule) -> list[CompiledRule]:
        """The rule and every rule it reads, directly or not, in decision order (the rule last)."""
        needed = {rule.id}
        pending = list(rule.references)
        by_id = {r.id: r for r in self.rules}
        while pending:
            rule_id = pending.pop()
            if rule_id not in needed:
                needed.add(rule_id)
                pending += by_id[rule_id].references
        return [r for r in self.decision_order if r.id in needed]


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
        # Law counts only where and when it applies: every offence element grades it (facts.py).
        dims.append(Dimension(key=APPLIES_KEY, good=Answer.yes.value))
        key = "offence:" + conduct_key(spec.conduct) + "".join(f"|{d.describe()}" for d in dims)
        return CompiledElement(
            key=key,
            kind="offence",
            candidate=(("t", "offence"), (conduct_key(spec.conduct), "yes")),
            dimensions=tuple(dims),
            description=spec.describe(),
            conduct=spec.conduct.value,
            material=spec.material.value if spec.material is not None else None,
        )
    assert leaf.fact is not None
    return CompiledElement(
        key=f"fact:{leaf.fact}={leaf.good.value}",
        kind="fact",
        candidate=(("t", "fact"), ("path", leaf.fact)),
        dimensions=(Dimension(key="answer", good=leaf.good.value),),
        description=f"{leaf.fact} = {leaf.good.value}",
    )


def compile_catalogue(catalogue: RuleCatalogue) -> CompiledRules:
    """Compile every rule once; the catalogue keeps the result (``RuleCatalogue.compiled``)."""
    compiled = CompiledRules()
    for loaded in catalogue.rules:
        compiled.add(loaded)
    return compiled


def plain_key(key: str) -> str:
    """A dimension's key in the words of the profile format."""
    if key.startswith("m_"):
        return f"material {key[2:]}"
    if key.startswith("w_"):
        return key[2:].replace("__", ".")
    if key == "age":
        return "age threshold"
    return key


def scope_field(key: str) -> str | None:
    """The offence scope field a ``w_`` dimension key tests (as reservations.py names it)."""
    return key[2:].replace("__", ".") if key.startswith("w_") else None


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
    return ElementOutcome(status=Status.unknown, no_candidate=True)
