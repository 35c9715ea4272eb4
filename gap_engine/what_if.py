"""What would change a rule's verdict: concrete changes, each verified by deciding the rule again.

A change is proposed per failing element — for an offence element, every scope element that keeps
its best candidate from covering it set to the value the rule needs (or, with no candidate, a new
provision with exactly what the element asks for); for a fact element, the answer the rule needs;
for a ``rule:`` element, the other rule read as covered — and then *tried*: applied to a copy of
the profile's facts, and the rule (with the rules it reads) decided again by the reference Python
evaluator and ``verdict.decide``. Only changes that make the rule covered, or improve its status,
are reported; nothing is inferred from the shape of the condition, so an ``any``, an ``at_least``,
a reservation or a derived rule can never make the advice wrong.

The sets of changes reported are the *minimal* ones that make the rule covered (no change in a set
can be left out), smallest first, found by trying every combination of the per-element changes
when there are few of them, and by leaving changes out one at a time otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from itertools import combinations
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from .conditions import GRADE_ORDER, CompiledElement, CompiledRule, CompiledRules, Dimension, Leaf, RuleLeaf, scope_field
from .engine_python import PythonEngine
from .facts import APPLIES_KEY, Applicability, FactDict, ProfileFacts, Provision
from .findings import Finding, Status, status_name
from .i18n import _, format_date
from .profile import Answer
from .verdict import decide

MAX_EXHAUSTIVE = 8
"""Up to this many distinct changes every combination is tried (at most 255 decisions, each well
under a millisecond); beyond it, one minimal set is found by leaving changes out one at a time."""
MAX_REPORTED = 12

NEW_PROVISION = "(new provision)"

# How much better one status is than another, for "improves the status": partial sits below unknown,
# as in every combination of grades (conditions.GRADE_ORDER); reserved (a shortfall a reservation
# explains) sits just below covered.
_RANK = {status: float(index) for index, status in enumerate(GRADE_ORDER)} | {Status.reserved: GRADE_ORDER.index(Status.covered) - 0.5}


class Change(BaseModel):
    """One change to what the profile states, in its own words."""

    model_config = ConfigDict(frozen=True)

    kind: str  # offence (a listed provision's scope) | new_offence | fact | rule
    target: str  # the offence id, the fact path, the rule ID, or "(new provision)"
    field: str  # the profile field that would change, e.g. material.non_realistic_depiction, answer
    value: str  # the value the rule needs
    was: str  # the value on the evaluation date
    text: str  # the change in words: "sr-240b also reached non_realistic_depiction (material non_realistic_depiction: yes)"


class WhatIf(BaseModel):
    """A set of changes and the status the rule would then have, verified by deciding it again."""

    model_config = ConfigDict(frozen=True)

    changes: list[Change]
    status: Status
    label: str | None = None
    covered: bool  # the changes make the rule covered (otherwise they only improve its status)
    text: str = Field(description="e.g. 'if sr-240b also reached non_realistic_depiction (...), GAI-011 would be covered'")


@dataclass(frozen=True)
class _Edit:
    """How one ``Change`` is applied to the facts: set a key of a fact, add a fact, or read a rule as covered."""

    change: Change
    fact_id: str | None = None
    key: str | None = None
    value: Any = None
    new_fact: tuple[tuple[str, Any], ...] = ()
    new_provision: Provision | None = None
    rule_id: str | None = None


Fix = tuple[_Edit, ...]  # the edits that would make one failing element covered


def fix_for(leaf: Leaf | RuleLeaf, facts: ProfileFacts, decided: dict[str, Finding]) -> Fix:
    """The change that would make one failing element covered: on its best candidate, a new provision,
    a fact's answer, or the rule it reads."""
    if isinstance(leaf, RuleLeaf):
        was = decided[leaf.rule_id].status.value
        change = Change(
            kind="rule",
            target=leaf.rule_id,
            field="status",
            value="covered",
            was=was,
            text=_("rule {rule} were covered").format(rule=leaf.rule_id),
        )
        return (_Edit(change, rule_id=leaf.rule_id),)
    element = leaf.element
    if element.kind == "fact":
        return (_fact_edit(leaf, facts),)
    candidates = [fact for fact in facts.facts if element.is_candidate(fact)]
    if not candidates:
        return (_new_provision(element, leaf, facts),)
    best = max(candidates, key=lambda fact: (GRADE_ORDER.index(element.grade(fact)), -len(element.shortfalls(fact))))
    return tuple(_scope_edit(dimension, best, facts) for dimension, _grade in element.shortfalls(best))


def _fact_edit(leaf: Leaf, facts: ProfileFacts) -> _Edit:
    path = leaf.source.fact
    assert path is not None
    good = leaf.source.good.value
    fact_id = f"fact:{path}"
    was = facts.by_id[fact_id]["answer"] if fact_id in facts.by_id else Answer.unknown.value
    provision = facts.provisions.get(fact_id)
    before = provision is not None and provision.applies.answer is Answer.no and provision.applies.before_in_force
    text = (
        _("{path} were {answer} on {date}").format(path=path, answer=good, date=format_date(facts.on))
        if before or path in facts.dormant
        else _("{path} were {answer}").format(path=path, answer=good)
    )
    change = Change(kind="fact", target=path, field="answer", value=good, was=was, text=text)
    if fact_id in facts.by_id:
        return _Edit(change, fact_id=fact_id, key="answer", value=good)
    # Not sent to the engines (not stated, or stated but not applying on the date): add it.
    provision = facts.dormant.get(path) or Provision("fact", path, None, None, None, None, Applicability(Answer.yes))
    return _Edit(change, new_fact=(("t", "fact"), ("id", fact_id), ("path", path), ("answer", good)), new_provision=provision)


def _scope_edit(dimension: Dimension, fact: FactDict, facts: ProfileFacts) -> _Edit:
    ref = fact.get("ref", fact["id"])
    was = str(fact.get(dimension.key, "not stated"))
    if dimension.at_least is not None:
        value: Any = dimension.at_least
        change = Change(
            kind="offence",
            target=ref,
            field="age_threshold",
            value=str(value),
            was=was,
            text=_("{ref} protected every child under {age} (age_threshold: {age})").format(ref=ref, age=value),
        )
    elif dimension.key == APPLIES_KEY:
        value = Answer.yes.value
        provision = facts.provisions.get(fact["id"])
        reason = (
            provision.applies.reason if provision is not None and provision.applies.reason else _("applies: {answer}").format(answer=was)
        )
        change = Change(
            kind="offence",
            target=ref,
            field="citation.in_force, citation.extent",
            value=value,
            was=was,
            text=_("{ref} applied on {date} (now: {reason})").format(ref=ref, date=format_date(facts.on), reason=reason),
        )
    elif dimension.key.startswith("m_"):
        value = dimension.good
        material = dimension.key[2:]

        change = Change(
            kind="offence",
            target=ref,
            field=f"material.{material}",
            value=str(value),
            was=was,
            text={
                "no": _("{ref} also reached {material} (material {material}: {value})"),
                "partial": _("{ref} fully reached {material} (material {material}: {value})"),
            }.get(was, _("{ref} reached {material} (material {material}: {value})")).format(ref=ref, material=material, value=value),
        )
    else:
        value = dimension.good
        name = scope_field(dimension.key) or dimension.key
        change = Change(
            kind="offence",
            target=ref,
            field=name,
            value=str(value),
            was=was,
            text=_("{ref} had {name}: {value}").format(ref=ref, name=name, value=value),
        )
    return _Edit(change, fact_id=fact["id"], key=dimension.key, value=value)


def _new_provision(element: CompiledElement, leaf: Leaf, facts: ProfileFacts) -> _Edit:
    """A provision with exactly what the element asks for, in force and extending to the whole territory."""
    spec = leaf.source.offence
    assert spec is not None
    fact: FactDict = {"t": "offence", "id": f"offence:what-if:{element.key}", "ref": NEW_PROVISION}
    fact.update(dict(element.candidate))
    parts = [f"conduct {element.conduct}"]
    for dimension in element.dimensions:
        fact[dimension.key] = dimension.at_least if dimension.at_least is not None else dimension.good
    if spec.material is not None:
        parts.append(f"material {spec.material.value}: yes")
    parts += [f"{name}: {answer.value}" for name, answer in spec.where.items()]
    if spec.age_at_least is not None:
        parts.append(f"age_threshold: {spec.age_at_least}")
    change = Change(
        kind="new_offence",
        target=NEW_PROVISION,
        field="criminal_law.offences",
        value=", ".join(parts),
        was="no listed provision",
        text=_("a provision with {parts} were listed (criminal_law.offences), in force on {date}").format(
            parts=", ".join(parts), date=format_date(facts.on)
        ),
    )
    provision = Provision("offence", NEW_PROVISION, None, None, None, None, Applicability(Answer.yes))
    return _Edit(change, new_fact=tuple(fact.items()), new_provision=provision)


class Trial:
    """Decides one rule (and the rules it reads) again on changed facts, with the reference evaluator."""

    def __init__(self, chain: Sequence[CompiledRule], facts: ProfileFacts) -> None:
        self.chain = list(chain)
        self.facts = facts
        elements = {
            leaf.key: leaf.element for rule in self.chain for leaf in rule.leaves() + rule.precondition_leaves() if isinstance(leaf, Leaf)
        }
        self.engine = PythonEngine(CompiledRules(rules=self.chain, elements=elements))

    def decide(self, edits: Sequence[_Edit]) -> Finding:
        facts = apply(self.facts, edits)
        covered = {edit.rule_id for edit in edits if edit.rule_id}
        outcomes = self.engine.evaluate(facts.facts)
        decided: dict[str, Status] = {}
        finding = None
        for rule in self.chain:
            finding = decide(rule, facts, outcomes, decided)
            decided[rule.id] = Status.covered if rule.id in covered else finding.status
        assert finding is not None
        return finding


def apply(facts: ProfileFacts, edits: Sequence[_Edit]) -> ProfileFacts:
    """A copy of ``facts`` with the edits made (``facts`` itself is left as it is)."""
    changed = [dict(fact) for fact in facts.facts]
    by_id = {fact["id"]: fact for fact in changed}
    provisions = dict(facts.provisions)
    dormant = dict(facts.dormant)
    for edit in edits:
        if edit.fact_id is not None:
            assert edit.key is not None, "an edit of a fact names the key it sets"
            by_id[edit.fact_id][edit.key] = edit.value
        elif edit.new_fact:
            fact = dict(edit.new_fact)
            changed.append(fact)
            by_id[fact["id"]] = fact
            assert edit.new_provision is not None
            provisions[fact["id"]] = edit.new_provision
            if fact["t"] == "fact":
                dormant.pop(fact["path"], None)
    return replace(facts, facts=changed, provisions=provisions, dormant=dormant, by_id={})


def what_ifs(
    rule: CompiledRule,
    chain: Sequence[CompiledRule],
    facts: ProfileFacts,
    finding: Finding,
    failing: Sequence[Leaf | RuleLeaf],
    decided: dict[str, Finding],
) -> tuple[list[WhatIf], str | None]:
    """The verified changes that would make ``rule`` covered (minimal sets, smallest first), then the
    single changes that would only improve its status; and a note when none is found."""
    if finding.status is Status.covered:
        return [], "the rule is covered: nothing to change"
    fixes = list(dict.fromkeys(fix for fix in (fix_for(leaf, facts, decided) for leaf in failing) if fix))
    if not fixes:
        return [], "no element of the rule can be changed to cover it"
    trial = Trial(chain, facts)
    outcome = {fix: trial.decide(fix) for fix in fixes}

    def covers(chosen: Sequence[Fix]) -> bool:
        if len(chosen) == 1:
            return outcome[chosen[0]].status is Status.covered
        return trial.decide([edit for fix in chosen for edit in fix]).status is Status.covered

    if not covers(fixes):
        note = "no change found makes it covered, even every change below together"
        minimal: list[tuple[Fix, ...]] = []
    else:
        note = None
        minimal = _minimal_sets(fixes, covers)
    results = [
        _what_if(rule, [edit for fix in chosen for edit in fix], Status.covered, finding.status) for chosen in minimal[:MAX_REPORTED]
    ]
    in_minimal = {fix for chosen in minimal for fix in chosen}
    for fix in fixes:
        after = outcome[fix]
        if fix in in_minimal and after.status is Status.covered:
            continue
        if _better(after.status, finding.status):
            results.append(_what_if(rule, list(fix), after.status, finding.status))
    if not results:
        note = "no single change improves the status" if note is None else note + "; no single change improves the status"
    return results, note


def _minimal_sets(fixes: list[Fix], covers: Any) -> list[tuple[Fix, ...]]:
    """Every set of fixes that covers the rule and from which none can be left out, smallest first
    (or, with many fixes, one such set)."""
    if len(fixes) > MAX_EXHAUSTIVE:
        chosen = list(fixes)
        for fix in fixes:
            rest = [f for f in chosen if f != fix]
            if rest and covers(rest):
                chosen = rest
        return [tuple(chosen)]
    found: list[tuple[Fix, ...]] = []
    for size in range(1, len(fixes) + 1):
        for candidate in combinations(fixes, size):
            if any(set(smaller) <= set(candidate) for smaller in found):
                continue
            if covers(candidate):
                found.append(candidate)
    return found


def _better(after: Status, before: Status) -> bool:
    if before is Status.not_applicable:
        return after is not Status.not_applicable  # the change makes the rule apply: worth knowing
    return after in _RANK and _RANK[after] > _RANK.get(before, len(GRADE_ORDER))


def _what_if(rule: CompiledRule, edits: list[_Edit], status: Status, before: Status) -> WhatIf:
    changes = [edit.change for edit in edits]
    label = rule.loaded.rule.labels.get(status)
    shown = status_name(status) + (f" ({label})" if label else "")
    outcome = (_("{rule} would apply and be {status}") if before is Status.not_applicable else _("{rule} would be {status}")).format(
        rule=rule.id, status=shown
    ) + ("" if status is Status.covered else _(", not covered"))
    return WhatIf(
        changes=changes,
        status=status,
        label=label,
        covered=status is Status.covered,
        text=_("if {changes}, {outcome}").format(changes=_and(c.text for c in changes), outcome=outcome),
    )


def _and(parts: Any) -> str:
    items = list(parts)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + _(" and ") + items[-1]
