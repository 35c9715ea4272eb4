"""Element outcomes -> findings: combine a rule's condition, apply reservations, attach evidence.

Both engines hand their element outcomes to this module, so the two differ only in how they
match facts, never in how a rule's status is decided. The verdict reads the compiled rule
(conditions.py), the profile's facts on the evaluation date (facts.py) and the outcomes; it never
reads the profile itself. A ``rule:`` element is no engine outcome: it is graded from the status of
the rule it reads, decided earlier for the same profile (``decide_all`` takes the rules in the
catalogue's dependency order), and its evidence is that rule's ID and status, not its facts.

How a reservation is applied: a failing element is *explained* by a reservation in force on the
evaluation date only when every shortfall of a provision that would otherwise cover it lies
inside what that reservation permits (reservations.py) — or, when no provision exists at all,
when the whole element does. The rule's condition is then combined again with the explained
elements counted as covered; only if that gives ``covered`` is the finding ``reserved``.
Otherwise the status is what the law gives, and the notes say what a reservation explains and
what it does not. A ``rule:`` element is never explained by a reservation: the rule it reads has
its own ``reserved`` status.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

from .conditions import (
    GRADE_ORDER,
    CompiledElement,
    CompiledRule,
    Dimension,
    ElementOutcome,
    Leaf,
    Node,
    RuleLeaf,
    grade_at_least,
    rule_grade,
    scope_field,
)
from .element_words import element_words, localised_key
from .facts import APPLIES_KEY, ProfileFacts, Provision, ReservationState
from .findings import ElementResult, Evidence, Finding, Status, status_name, trusted
from .i18n import N_, _, format_date
from .profile import Answer
from .reservations import ReservableProvision, ReservationScope, scope_of

_EXHAUSTIVE_HINT = N_(
    "list the provision, or, if none exists, set criminal_law.offences_listed_exhaustively: yes "
    "or name the conduct in criminal_law.exhaustive_for_conduct or criminal_law.exhaustive_for"
)


def combine(node: Node, statuses: Mapping[str, Status]) -> Status:
    """A condition's grade from its leaves' grades (by ``Leaf.key`` / ``RuleLeaf.key``)."""
    if not isinstance(node, Leaf | RuleLeaf):
        grades = [combine(child, statuses) for child in node.children]
        if node.op == "at_least":
            assert node.at_least is not None
            return grade_at_least(grades, node.at_least)
        return min(grades, key=GRADE_ORDER.index) if node.op == "all" else max(grades, key=GRADE_ORDER.index)
    return statuses[node.key]


def resolve_exhaustiveness(facts: ProfileFacts, element: CompiledElement, outcome: ElementOutcome) -> ElementOutcome:
    """Decide, from the profile, what an offence element no listed provision covers means.

    A gap needs proof that nothing else covers the element: the profile must say its offences
    are listed exhaustively (in all, for the element's conduct, or for its conduct and material).
    Otherwise an element with no candidate is unknown, and one that every listed provision
    excludes is unknown too, with the excluding provisions kept as evidence (``excluded``).
    """
    if element.kind != "offence":
        return outcome
    exhaustive = facts.is_exhaustive(element.conduct, element.material)
    if outcome.no_candidate:
        return replace(outcome, status=Status.gap if exhaustive else Status.unknown)
    if outcome.status is Status.gap and not exhaustive:
        return replace(outcome, status=Status.unknown, excluded=True)
    return outcome


def decide_all(rules: Iterable[CompiledRule], facts: ProfileFacts, outcomes: dict[str, ElementOutcome]) -> list[Finding]:
    """The findings of ``rules``, given in decision order (``CompiledRules.decision_order``), so
    that every rule a ``rule:`` element reads is decided before the rule reading it."""
    decided: dict[str, Status] = {}
    findings = []
    memo = ProfileMemo()  # an element shared by several rules is resolved and described once per profile
    for rule in rules:
        finding = decide(rule, facts, outcomes, decided, memo)
        decided[rule.id] = finding.status
        findings.append(finding)
    return findings


@dataclass
class ProfileMemo:
    """What one profile's findings share, computed once: many rules read the same element (the
    catalogue shares elements by key), so its resolved outcome, its ElementResult and each piece of
    evidence are the same object in every finding that shows it. Valid for one (facts, outcomes)."""

    resolved: dict[str, ElementOutcome] = field(default_factory=dict)
    results: dict[str, ElementResult] = field(default_factory=dict)
    evidence: dict[tuple[str, Status], Evidence] = field(default_factory=dict)  # by (fact id, element status)


@dataclass(frozen=True)
class _RulePlan:
    """What a rule contributes to each of its findings whatever the profile: its leaves, flattened
    once, and the Finding fields copied from the rule file (the check runs it for every profile)."""

    leaves: tuple[Leaf | RuleLeaf, ...]
    precondition_leaves: tuple[Leaf | RuleLeaf, ...]
    element_leaves: tuple[Leaf, ...]  # the Leafs of both, the ones an engine decides
    rule_leaves: tuple[RuleLeaf, ...]
    static: dict[str, Any]


_PLANS: dict[int, _RulePlan] = {}


def _plan(rule: CompiledRule) -> _RulePlan:
    """The rule's plan, built at its first use and dropped with the rule (keyed by identity, since a
    CompiledRule is not cheaply hashable)."""
    plan = _PLANS.get(id(rule))
    if plan is None:
        leaves = tuple(rule.leaves())
        pre = tuple(rule.precondition_leaves())
        loaded = rule.loaded
        spec = loaded.rule
        plan = _RulePlan(
            leaves=leaves,
            precondition_leaves=pre,
            element_leaves=tuple(leaf for leaf in leaves + pre if isinstance(leaf, Leaf)),
            rule_leaves=tuple(leaf for leaf in leaves + pre if isinstance(leaf, RuleLeaf)),
            static={
                "rule_id": spec.id,
                "title": spec.title,
                "theme": loaded.theme,
                "severity": spec.severity.value,
                "articles": tuple(spec.articles),
                "paper_section": loaded.paper_section,
                "questions": tuple(spec.questions),
                "finding": spec.finding.strip(),
                "recommendation": spec.recommendation.strip(),
                "pack": loaded.pack,
                "pack_version": loaded.pack_version,
                "replaces": tuple(spec.replaces),
                "labels": dict(spec.labels),
            },
        )
        _PLANS[id(rule)] = plan
        weakref.finalize(rule, _PLANS.pop, id(rule), None)
    return plan


def decide(
    rule: CompiledRule,
    facts: ProfileFacts,
    outcomes: dict[str, ElementOutcome],
    decided: Mapping[str, Status] | None = None,
    memo: ProfileMemo | None = None,
) -> Finding:
    """One rule's finding for one profile on its evaluation date, from the engine's element outcomes
    and, for ``rule:`` elements, the statuses of the rules already ``decided`` for this profile.

    ``memo`` shares element results between the rules of one profile (``decide_all``); it must not
    outlive that profile's facts and outcomes. The models are built with ``model_construct``: every
    value comes from validated rules and facts, and validating ~100,000 small models per 1,000
    profiles was a third of the check's time."""
    decided = decided or {}
    memo = memo if memo is not None else ProfileMemo()
    plan = _plan(rule)
    resolved_memo = memo.resolved
    statuses: dict[str, Status] = {}
    resolved: dict[str, ElementOutcome] = {}
    for leaf in plan.element_leaves:
        key = leaf.element.key
        outcome = resolved_memo.get(key)
        if outcome is None:
            outcome = resolved_memo[key] = resolve_exhaustiveness(facts, leaf.element, outcomes[key])
        resolved[key] = outcome
        statuses[key] = outcome.status
    for rule_leaf in plan.rule_leaves:
        if rule_leaf.rule_id not in decided:
            raise ValueError(f"rule {rule.id} reads rule {rule_leaf.rule_id}, which has not been decided for this profile yet")
        statuses[rule_leaf.key] = rule_grade(decided[rule_leaf.rule_id])

    results = memo.results

    def result(leaf: Leaf | RuleLeaf) -> ElementResult:
        if isinstance(leaf, RuleLeaf):
            return _rule_result(leaf, decided[leaf.rule_id])
        key = leaf.element.key
        found = results.get(key)
        if found is None:
            found = results[key] = _element_result(leaf, facts, resolved[key], memo.evidence)
        return found

    elements = [result(leaf) for leaf in plan.leaves]
    notes: list[str] = []
    if rule.applies_if is not None and combine(rule.applies_if, statuses) is Status.gap:
        status = Status.not_applicable
        missing: list[str] = []
        evidence = [e for leaf in plan.precondition_leaves for e in result(leaf).evidence]
    else:
        status = combine(rule.condition, statuses)
        if status is Status.covered:
            # Reached through ``any``: the alternatives not taken are neither missing nor evidence.
            evidence = [e for element in elements if element.status is Status.covered for e in element.evidence]
            missing = []
        else:
            evidence = [e for element in elements for e in element.evidence]
            missing = [element.missing for element in elements if element.missing]
            reading = read_reservations(rule, facts, resolved)
            notes = reading.notes
            if reading.explained:
                adjusted = {key: Status.covered if key in reading.explained else s for key, s in statuses.items()}
                if combine(rule.condition, adjusted) is Status.covered:
                    status = Status.reserved
                    evidence += reading.evidence
    static = plan.static
    return trusted(
        Finding,
        jurisdiction=facts.jurisdiction,
        jurisdiction_name=facts.jurisdiction_name,
        rule_id=static["rule_id"],
        title=static["title"],
        theme=static["theme"],
        severity=static["severity"],
        status=status,
        label=static["labels"].get(status),
        articles=list(static["articles"]),
        paper_section=static["paper_section"],
        questions=list(static["questions"]),
        finding=static["finding"],
        recommendation=static["recommendation"],
        evidence=list(dict.fromkeys(evidence)),
        missing=list(dict.fromkeys(missing)),
        notes=list(dict.fromkeys(notes)),
        elements=elements,
        pack=static["pack"],
        pack_version=static["pack_version"],
        replaces=list(static["replaces"]),
        waiver=None,
    )


# --- reservations -------------------------------------------------------------------------------

ALL, SOME, NONE, UNDETERMINED = "all", "some", "none", "undetermined"


@dataclass(frozen=True)
class ReservationAssessment:
    """One reservable provision of a rule against one failing element: whether a reservation the Party
    made there explains the element, and why or why not (``explain`` shows every one; the finding's
    notes carry only those worth a reader's attention)."""

    provision: ReservableProvision
    element_key: str
    element: str  # the element's description
    reservation: ReservationState | None  # the reservation made there; None when the Party made none
    explains: bool
    why: str


@dataclass
class ReservationReading:
    explained: set[str]  # element keys fully explained by a reservation in force
    evidence: list[Evidence]
    notes: list[str]
    assessments: list[ReservationAssessment] = field(default_factory=list)  # every provision x failing element


def read_reservations(rule: CompiledRule, facts: ProfileFacts, resolved: dict[str, ElementOutcome]) -> ReservationReading:
    """Which failing elements the reservations the rule admits explain, and notes on those they do not."""
    reading = ReservationReading(set(), [], [])
    if not rule.reservable:  # most rules admit no reservation: nothing to read
        return reading
    # A ``rule:`` element is never explained here: the rule it reads has its own reserved status.
    failing = [leaf for leaf in rule.leaves() if isinstance(leaf, Leaf) and resolved[leaf.key].status is not Status.covered]
    for provision in rule.reservable:
        made = [r for r in facts.reservations if r.place == provision.place]
        for leaf in failing:
            _read_one(provision, made, leaf, resolved[leaf.element.key], facts, reading)
    return reading


def _read_one(
    provision: ReservableProvision,
    made: list[ReservationState],
    leaf: Leaf,
    outcome: ElementOutcome,
    facts: ProfileFacts,
    reading: ReservationReading,
) -> None:
    """What the reservations made under one provision do for one failing element, added to ``reading``."""
    element = leaf.element
    what = element_words(leaf)

    def record(reservation: ReservationState | None, why: str, explains: bool = False) -> None:
        reading.assessments.append(ReservationAssessment(provision, element.key, what, reservation, explains, why))

    if element.kind != "offence":
        record(None, _("A reservation lets a Party not apply an offence or a ground of jurisdiction, not a measure."))
        return
    if not provision.touches(element.conduct):
        record(None, _("It does not touch the conduct {conduct}.").format(conduct=element.conduct))
        return
    eligible = outcome.status in (Status.gap, Status.partial) or outcome.excluded
    could, could_text = assess(_whole(provision), element, outcome, facts, what)
    if not made:
        if could != NONE and not facts.reservations_stated:
            unstated = (
                _("A reservation under {provision} would explain this for {element}; the profile does not state the Party's reservations.")
                if could == ALL
                else _(
                    "A reservation under {provision} would explain part of this for {element}; "
                    "the profile does not state the Party's reservations."
                )
            ).format(provision=_(provision.label), element=what)
            reading.notes.append(unstated)
            record(None, unstated)
        elif could != NONE:
            record(
                None,
                (
                    _("The Party made no reservation under {provision} (the profile states its reservations); one would explain this.")
                    if could == ALL
                    else _(
                        "The Party made no reservation under {provision} (the profile states its reservations); "
                        "one would explain part of this."
                    )
                ).format(provision=_(provision.label)),
            )
        else:
            why = (
                _("No reservation is made under {provision}, and one would not explain this: {why}.").format(
                    provision=_(provision.label), why=could_text
                )
                if could_text
                else _(
                    "No reservation is made under {provision}; what the element lacks is not stated, so there is nothing to explain."
                ).format(provision=_(provision.label))
            )
            record(None, why)
        return
    for reservation in made:
        if reservation.in_force.answer is not Answer.yes:
            fields = {"reservation": reservation.label, "date": format_date(facts.on), "reason": reservation.in_force.reason}
            if could != NONE:
                reading.notes.append(
                    _(
                        "The reservation under {reservation} is not in force on {date} ({reason}) and explains nothing for {element}."
                    ).format(element=what, **fields)
                )
            record(
                reservation,
                _("The reservation under {reservation} is not in force on {date} ({reason}); it explains nothing.").format(**fields),
            )
            continue
        extent, text = assess(reservation.scope, element, outcome, facts, what)
        if extent == ALL and eligible:
            reading.explained.add(element.key)
            reading.evidence.append(_reservation_evidence(reservation))
            explained = _("{reservation} explains {element}: {why}.").format(reservation=reservation.label, element=what, why=text)
            reading.notes.append(explained)
            record(reservation, explained, explains=True)
            continue
        note: str | None = None
        if extent == ALL:
            note = _("{reservation} would explain a gap for {element}, but whether the law reaches it is not stated.").format(
                reservation=reservation.label, element=what
            )
        elif extent == SOME:
            note = _("{reservation} explains only part of {element}: {why}.").format(reservation=reservation.label, element=what, why=text)
        elif extent == UNDETERMINED:
            note = _(
                "{reservation} may explain some of {element}, but the profile does not say which part it "
                "covers (give the reservation's covers: conduct and material)."
            ).format(reservation=reservation.label, element=what)
        elif text:
            note = _("{reservation} does not explain {element}: {why}.").format(reservation=reservation.label, element=what, why=text)
        if note is not None:
            reading.notes.append(note)
        record(
            reservation,
            note
            or _("{reservation} has nothing to explain for {element}: what it lacks is not stated.").format(
                reservation=reservation.label, element=what
            ),
        )


@cache
def _whole(provision: ReservableProvision) -> ReservationScope:
    return scope_of(provision, "whole", None)


def assess(
    scope: ReservationScope, element: CompiledElement, outcome: ElementOutcome, facts: ProfileFacts, what: str | None = None
) -> tuple[str, str]:
    """How much of an element's failure a reservation's scope explains: all, some, none, or undetermined; and why.

    ``what``: the element's description in the reader's language (default: the compiled English one)."""
    provision = scope.provision
    what = what or element.description
    if scope.undetermined:
        extent, text = assess(_whole(provision), element, outcome, facts, what)
        return (UNDETERMINED, text) if extent != NONE else (NONE, text)
    if element.kind != "offence" or (scope.conduct and element.conduct not in scope.conduct):
        return NONE, _("it does not touch this conduct")
    if outcome.no_candidate:
        if scope.whole_conduct or element.material in scope.materials:
            extent, text = ALL, _("no listed offence covers {element}, which it permits").format(element=what)
        elif element.material in scope.materials_in_part:
            extent, text = SOME, _("material {material} lies within it only in part").format(material=element.material)
        else:
            return NONE, _("an offence is missing altogether, which it does not permit")
    else:
        extent, text = NONE, ""
        for fact_id in outcome.fact_ids:
            fact = facts.by_id[fact_id]
            inside: list[str] = []
            partly: list[str] = []
            outside: list[str] = []
            # Only what makes the candidate fail (gap or partial) needs explaining; a scope element that is
            # merely not stated beside it cannot make the element worse than the reservation allows.
            for dimension, grade in element.shortfalls(fact):
                if grade is Status.unknown:
                    continue
                shown = _shortfall_text(dimension, fact, facts.provisions.get(fact_id))
                {ALL: inside, SOME: partly, NONE: outside}[_where(scope, dimension)].append(shown)
            ref = fact.get("ref", fact_id)
            if inside and not partly and not outside:
                extent, text = ALL, f"{ref}: {', '.join(inside)}"
                break
            if (inside or partly) and extent == NONE:
                parts = [", ".join(inside)] if inside else []
                parts += [_("{items} (in part)").format(items=", ".join(partly))] if partly else []
                extent, text = (
                    SOME,
                    f"{ref}: {'; '.join(parts)}" + (_(", but not {items}").format(items=", ".join(outside)) if outside else ""),
                )
            elif extent == NONE and outside:
                text = f"{ref}: {', '.join(outside)}"
    if extent == ALL and provision.explains_in_part_only:
        extent, text = SOME, text + _(" (it concerns only some of the offences and persons, which the profile does not tell apart)")
    return extent, text


def _where(scope: ReservationScope, dimension: Dimension) -> str:
    """Does a reservation's scope reach this shortfall: all, some (material only partly within), or none?"""
    if scope.whole_conduct:
        return ALL
    if dimension.key.startswith("m_"):
        material = dimension.key[2:]
        if material in scope.materials:
            return ALL
        if material in scope.materials_in_part:
            return SOME
        return NONE
    field = scope_field(dimension.key)
    return ALL if field is not None and field in scope.scope else NONE


# --- evidence -----------------------------------------------------------------------------------


def _shortfall_text(dimension: Dimension, fact: dict, provision: Provision | None) -> str:
    if dimension.key == APPLIES_KEY and provision is not None and provision.applies.reason:
        return provision.applies.reason
    if provision is not None and dimension.key[2:] in provision.silent_materials and dimension.key.startswith("m_"):
        return _("{what} is not stated, so no (criminal_law.exhaustive_for)").format(what=localised_key(dimension.key))
    if dimension.key not in fact:
        return _("{what} is not stated").format(what=localised_key(dimension.key))
    return _("{what} is {answer}").format(what=localised_key(dimension.key), answer=fact[dimension.key])


def _element_result(
    leaf: Leaf, facts: ProfileFacts, outcome: ElementOutcome, shared: dict[tuple[str, Status], Evidence] | None = None
) -> ElementResult:
    element = leaf.element
    source = leaf.source
    description = element_words(leaf)
    shared = shared if shared is not None else {}
    status = outcome.status
    evidence = []
    for fact_id in outcome.fact_ids:
        item = shared.get((fact_id, status))
        if item is None:
            item = shared[(fact_id, status)] = _evidence(facts, fact_id, status)
        evidence.append(item)
    missing = None
    if element.kind == "fact" and source.fact in facts.dormant:
        evidence.append(_dormant_evidence(facts.dormant[source.fact]))
    if outcome.status is not Status.covered:
        if outcome.no_candidate:
            if element.kind == "offence":
                missing = _("no listed offence covers {element}").format(element=description)
                if outcome.status is Status.unknown:
                    missing += " (" + _(_EXHAUSTIVE_HINT) + ")"
            elif source.fact in facts.dormant:
                dormant = facts.dormant[source.fact]
                missing = _("{fact} is {answer} only where the cited provision applies: {reason}").format(
                    fact=source.fact, answer=dormant.stated_answer, reason=dormant.applies.reason
                )
            else:
                missing = _("not stated: {fact}").format(fact=source.fact)
        elif element.kind == "offence":
            details = _("; ").join(
                _("{ref}: {shortfalls}").format(
                    ref=facts.by_id[fid]["ref"],
                    shortfalls=", ".join(
                        _shortfall_text(d, facts.by_id[fid], facts.provisions.get(fid))
                        for d, _grade in element.shortfalls(facts.by_id[fid])
                    ),
                )
                for fid in outcome.fact_ids
            )
            missing = f"{description} — {details}"
            if outcome.excluded:
                missing += _("; no other listed offence covers it ({hint})").format(hint=_(_EXHAUSTIVE_HINT))
        else:
            fid = outcome.fact_ids[0]
            answer = facts.by_id[fid]["answer"]
            missing = _("{fact} is {answer} (needed: {needed})").format(fact=source.fact, answer=answer, needed=source.good.value)
            provision = facts.provisions.get(fid)
            if provision is not None and provision.applies.reason:
                missing += _(" — the answer before the cited provision applies: {reason}").format(reason=provision.applies.reason)
    return trusted(ElementResult, element=description, status=outcome.status, evidence=evidence, missing=missing)


def _rule_result(leaf: RuleLeaf, status: Status) -> ElementResult:
    """A ``rule:`` element: the other rule's ID and status, never its evidence (that is in its own finding)."""
    grade = rule_grade(status)
    return trusted(
        ElementResult,
        element=_("rule {rule} is covered").format(rule=leaf.rule_id),
        status=grade,
        evidence=[
            trusted(
                Evidence,
                kind="rule",
                ref=_("rule {rule}").format(rule=leaf.rule_id),
                answer=status.value,
                citation=_("see that rule's finding"),
            )
        ],
        missing=None if grade is Status.covered else _("rule {rule} is {status}").format(rule=leaf.rule_id, status=status_name(status)),
    )


def _evidence(facts: ProfileFacts, fact_id: str, status: Status) -> Evidence:
    provision = facts.provisions[fact_id]
    fact = facts.by_id[fact_id]
    return trusted(
        Evidence,
        kind=provision.kind,
        ref=provision.ref,
        answer=status.value if provision.kind == "offence" else fact["answer"],
        citation=provision.citation,
        url=provision.url,
        in_force=provision.in_force,
        in_force_until=provision.in_force_until,
        note=provision.applies.reason,
    )


def _dormant_evidence(provision: Provision) -> Evidence:
    return trusted(
        Evidence,
        kind="fact",
        ref=provision.ref,
        answer=Status.unknown.value,
        citation=provision.citation,
        url=provision.url,
        in_force=provision.in_force,
        in_force_until=provision.in_force_until,
        note=_("stated {answer}; {reason}").format(answer=provision.stated_answer, reason=provision.applies.reason),
    )


def _reservation_evidence(reservation: ReservationState) -> Evidence:
    return trusted(
        Evidence,
        kind="reservation",
        ref=_("Article {article}").format(article=reservation.key),
        answer="reserved",
        citation=reservation.citation,
        url=reservation.url,
        in_force=reservation.since,
        note=_(reservation.scope.provision.permits),
    )
