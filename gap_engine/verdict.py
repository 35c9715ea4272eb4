"""Element outcomes -> findings: combine a rule's condition, apply reservations, attach evidence.

Both engines hand their element outcomes to this module, so the two differ only in how they
match facts, never in how a rule's status is decided.
"""

from __future__ import annotations

from dataclasses import replace

from .conditions import GRADE_ORDER, CompiledElement, ElementOutcome, compile_element, exhaustive_key, reservation_element
from .facts import FactDict
from .findings import ElementResult, Evidence, Finding, Status
from .profile import Answer, Profile
from .rules import Condition, LoadedRule

_EXHAUSTIVE_HINT = (
    "list the provision, or, if none exists, set criminal_law.offences_listed_exhaustively: yes "
    "or name the conduct in criminal_law.exhaustive_for_conduct"
)


def combine(condition: Condition, outcomes: dict[str, ElementOutcome]) -> Status:
    if condition.all is not None:
        return min((combine(c, outcomes) for c in condition.all), key=GRADE_ORDER.index)
    if condition.any is not None:
        return max((combine(c, outcomes) for c in condition.any), key=GRADE_ORDER.index)
    return outcomes[compile_element(condition).key].status


def resolve_exhaustiveness(
    profile: Profile, outcomes: dict[str, ElementOutcome], elements: list[CompiledElement]
) -> dict[str, ElementOutcome]:
    """Decide, from the profile, what an offence element no listed provision covers means.

    A gap needs proof that nothing else covers the element: the profile must say its offences
    are listed exhaustively (in all, or for the element's conduct). Otherwise an element with no
    candidate is unknown, and one that every listed provision excludes is unknown too, with the
    excluding provisions kept as evidence (``excluded``).
    """
    law = profile.criminal_law
    everything = law.offences_listed_exhaustively.answer is Answer.yes
    by_conduct = {c.value for c in law.exhaustive_for_conduct}
    resolved = dict(outcomes)
    for element in elements:
        key = element.key
        outcome = outcomes[key]
        if element.kind != "offence":
            continue
        exhaustive = everything or exhaustive_key(element) in by_conduct
        if outcome.no_candidate:
            resolved[key] = replace(outcome, status=Status.gap if exhaustive else Status.unknown)
        elif outcome.status is Status.gap and not exhaustive:
            resolved[key] = replace(outcome, status=Status.unknown, excluded=True)
    return resolved


def decide(
    loaded: LoadedRule,
    profile: Profile,
    facts_by_id: dict[str, FactDict],
    outcomes: dict[str, ElementOutcome],
) -> Finding:
    """One rule's finding for one profile, from the engine's element outcomes."""
    rule = loaded.rule
    leaves = rule.condition.leaves() + (rule.applies_if.leaves() if rule.applies_if is not None else [])
    outcomes = resolve_exhaustiveness(profile, outcomes, [compile_element(leaf) for leaf in leaves])
    elements = [_element_result(leaf, profile, facts_by_id, outcomes) for leaf in rule.condition.leaves()]
    status = combine(rule.condition, outcomes)
    evidence: list[Evidence] = []
    missing: list[str] = []
    if rule.applies_if is not None and combine(rule.applies_if, outcomes) is Status.gap:
        status = Status.not_applicable
        missing = []
        evidence = [e for leaf in rule.applies_if.leaves() for e in _element_result(leaf, profile, facts_by_id, outcomes).evidence]
    else:
        if status is Status.covered:
            # Reached through ``any``: the alternatives not taken are neither missing nor evidence.
            evidence = [e for element in elements if element.status is Status.covered for e in element.evidence]
            missing = []
        else:
            evidence = [e for element in elements for e in element.evidence]
            missing = [element.missing for element in elements if element.missing]
        if status in (Status.gap, Status.partial) or (status is Status.unknown and _unknown_only_by_exclusion(rule.condition, outcomes)):
            reservations = [ref.key for ref in rule.reservable if outcomes[reservation_element(ref.key).key].status is Status.covered]
            if reservations:
                status = Status.reserved
                evidence += [_reservation_evidence(profile, key) for key in reservations]
    return Finding(
        jurisdiction=profile.jurisdiction.code,
        jurisdiction_name=profile.jurisdiction.name,
        rule_id=rule.id,
        title=rule.title,
        theme=loaded.theme,
        severity=rule.severity.value,
        status=status,
        articles=list(rule.articles),
        paper_section=loaded.paper_section,
        questions=list(rule.questions),
        finding=rule.finding.strip(),
        recommendation=rule.recommendation.strip(),
        evidence=_dedupe(evidence),
        missing=list(dict.fromkeys(missing)),
        elements=elements,
        pack=loaded.pack,
    )


def _unknown_only_by_exclusion(condition: Condition, outcomes: dict[str, ElementOutcome]) -> bool:
    """True when every unknown element is unknown only because the listed provisions exclude it.

    A reservation in force then explains the exclusion (the Party reserved the right not to
    criminalise), so the rule is reported as reserved rather than as a question to answer.
    """
    unknown = [outcomes[compile_element(leaf).key] for leaf in condition.leaves()]
    unknown = [o for o in unknown if o.status is Status.unknown]
    return bool(unknown) and all(o.excluded for o in unknown)


def _dedupe(evidence: list[Evidence]) -> list[Evidence]:
    return list(dict.fromkeys(evidence))


def _element_result(
    leaf: Condition, profile: Profile, facts_by_id: dict[str, FactDict], outcomes: dict[str, ElementOutcome]
) -> ElementResult:
    element = compile_element(leaf)
    outcome = outcomes[element.key]
    evidence = [_evidence(profile, facts_by_id[fid], outcome.status) for fid in outcome.fact_ids]
    missing = None
    if outcome.status is not Status.covered:
        if outcome.no_candidate:
            if element.kind == "offence":
                missing = f"no listed offence covers {element.description}"
                if outcome.status is Status.unknown:
                    missing += f" ({_EXHAUSTIVE_HINT})"
            else:
                missing = f"not stated: {leaf.fact}"
        elif element.kind == "offence":
            details = "; ".join(f"{facts_by_id[fid]['ref']}: {', '.join(element.failing(facts_by_id[fid]))}" for fid in outcome.fact_ids)
            missing = f"{element.description} — {details}"
            if outcome.excluded:
                missing += f"; no other listed offence covers it ({_EXHAUSTIVE_HINT})"
        else:
            answer = facts_by_id[outcome.fact_ids[0]]["answer"] if outcome.fact_ids else "unknown"
            missing = f"{leaf.fact} is {answer} (needed: {leaf.good.value})"
    return ElementResult(element=element.description, status=outcome.status, evidence=evidence, missing=missing)


def _evidence(profile: Profile, fact: FactDict, status: Status) -> Evidence:
    if fact["t"] == "offence":
        offence = next(o for o in profile.criminal_law.offences if o.id == fact["ref"])
        citation = offence.citation
        return Evidence(
            kind="offence",
            ref=offence.id,
            answer=status.value,
            citation=f"{citation.label()} — {offence.title}",
            url=citation.url,
            in_force=citation.in_force,
        )
    from .facts import resolve_fact

    stated = resolve_fact(profile, fact["path"])
    cite = stated.citation
    return Evidence(
        kind="fact",
        ref=fact["path"],
        answer=fact["answer"],
        citation=cite.label() if cite else None,
        url=cite.url if cite else None,
        in_force=cite.in_force if cite else None,
    )


def _reservation_evidence(profile: Profile, key: str) -> Evidence:
    reservation = next(r for r in profile.reservations_in_force() if r.key == key)
    cite = reservation.citation
    return Evidence(
        kind="reservation",
        ref=f"Article {key}",
        answer="reserved",
        citation=cite.label() if cite else None,
        url=cite.url if cite else None,
        in_force=cite.in_force if cite else None,
    )
