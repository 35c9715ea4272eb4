"""What changed between two checks: ``diff_results(old, new)`` compares two CheckResults.

Jurisdictions are matched by code, findings by rule ID, elements by their description and
evidence by kind and reference, so every change is traced down to the provision or fact that
made it ("regulation.platforms.removal_deadline entered into force on 2024-07-01: no -> partial").

**Which way is better.** A finding's status says how much protection the law, as described, is
shown to give. The diff ranks that, not the order ``all``/``any`` combine elements in:

- gap and unknown show no protection, partial some, covered all: gap/unknown -> partial -> covered
  is ``improved``, the reverse ``regressed``;
- gap <-> unknown is ``changed``: a known gap replacing an unknown is not a worsening of the law,
  and an unknown replacing a gap is not a gap closed (deleting a provision or an answer from a
  profile must never read as an improvement, which is also why partial -> unknown and
  covered -> unknown are regressions: protection that was shown no longer is);
- reserved: the law falls short but a reservation in force permits it. covered -> reserved is
  ``regressed`` (the law now covers less, even if permitted), reserved -> covered ``improved``;
  to or from gap, partial or unknown it is ``changed`` (a reservation made, withdrawn or now
  reaching the shortfall changes what the Party must do, not the protection the law gives);
- not_applicable (the rule's precondition does not hold, e.g. no programme exists at all, which
  another rule reports) to or from anything is ``changed``: the rule now has something, or
  nothing, to check.

A finding whose rule changed between the sides (its pack or pack version, title, severity or
condition), or that reads such a rule, is ``rule_changed`` whatever its status did, so that a
weakened rule cannot pass for a closed gap.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from .diff_model import (
    Diff,
    Direction,
    ElementChange,
    EvidenceChange,
    EvidenceChangeKind,
    FindingChange,
    JurisdictionDiff,
    JurisdictionOnly,
    PackChange,
    RuleChange,
    Side,
)
from .errors import InputError, InputErrors
from .findings import CheckResults, ElementResult, Evidence, Finding, ProfileResult, Status

__all__ = ["Diff", "Direction", "diff_results", "direction"]

PROTECTION: dict[Status, int] = {Status.gap: 0, Status.unknown: 0, Status.partial: 1, Status.covered: 2}
"""How much protection a status shows; reserved and not_applicable are off this scale (see the module docstring)."""

T = TypeVar("T")
_GRADE = {Status.gap.value: 0, Status.partial.value: 1, Status.covered.value: 2}
_COMPARED = ("answer", "citation", "url", "in_force", "in_force_until")


def direction(before: Status, after: Status) -> Direction:
    """improved / regressed / changed / unchanged for a status moving from ``before`` to ``after``."""
    if before is after:
        return Direction.unchanged
    if before in PROTECTION and after in PROTECTION:
        if PROTECTION[after] == PROTECTION[before]:
            return Direction.changed
        return Direction.improved if PROTECTION[after] > PROTECTION[before] else Direction.regressed
    if {before, after} == {Status.reserved, Status.covered}:
        return Direction.improved if after is Status.covered else Direction.regressed
    return Direction.changed


@dataclass(frozen=True)
class _Context:
    """One side's dates, to tell what is in force and to read notes that name the dates."""

    on: date
    as_of: date

    def plain(self, note: str | None) -> str | None:
        """A note with this side's dates replaced, so "not on 2024-01-01" and "not on 2024-06-30" compare equal."""
        if note is None:
            return None
        return note.replace(self.on.isoformat(), "<evaluation date>").replace(self.as_of.isoformat(), "<as_of>")


@dataclass(frozen=True)
class _RuleFacts:
    """What the findings of one side carry about a rule."""

    title: str
    pack: str
    severity: str
    condition: tuple[str, ...]
    reads: frozenset[str]


def diff_results(
    old: CheckResults,
    new: CheckResults,
    *,
    old_source: str = "OLD",
    new_source: str = "NEW",
    old_kind: str = "results",
    new_kind: str = "results",
) -> Diff:
    """Compare two checks. Raises InputErrors when a side holds one jurisdiction code twice."""
    before, after = _by_code(old, old_source), _by_code(new, new_source)
    old_rules, new_rules = _rules_of(old), _rules_of(new)
    rules, packs, note = _rule_changes(old, new, old_rules, new_rules)
    affected = _affected(rules, old_rules, new_rules)
    jurisdictions = [_jurisdiction(before[code], after[code], affected) for code in sorted(set(before) & set(after))]
    totals: Counter[str] = Counter()
    for item in jurisdictions:
        totals.update(item.counts)
    return Diff(
        old=_side(old, old_source, old_kind),
        new=_side(new, new_source, new_kind),
        counts={d.value: totals.get(d.value, 0) for d in Direction},
        packs=packs,
        rules=rules,
        rules_note=note,
        jurisdictions=jurisdictions,
        jurisdictions_added=[_only(after[code]) for code in sorted(set(after) - set(before))],
        jurisdictions_removed=[_only(before[code]) for code in sorted(set(before) - set(after))],
    )


def _side(results: CheckResults, source: str, kind: str) -> Side:
    return Side(
        source=source,
        kind=kind,
        tool_version=results.tool_version,
        rules_version=results.rules_version,
        rules_hash=results.rules_hash,
        engine=results.engine,
        packs=[pack.label for pack in results.packs],
    )


def _by_code(results: CheckResults, source: str) -> dict[str, ProfileResult]:
    counts = Counter(p.jurisdiction for p in results.profiles)
    errors = [
        InputError(
            source=source,
            field="profiles",
            message=f"jurisdiction {code} appears {n} times ("
            + ", ".join(sorted(p.source for p in results.profiles if p.jurisdiction == code))
            + ")",
            hint="diff matches jurisdictions by code: give results holding one profile per jurisdiction",
        )
        for code, n in sorted(counts.items())
        if n > 1
    ]
    if errors:
        raise InputErrors(errors)
    return {p.jurisdiction: p for p in results.profiles}


def _only(profile: ProfileResult) -> JurisdictionOnly:
    counts = Counter(f.status.value for f in profile.findings)
    return JurisdictionOnly(
        jurisdiction=profile.jurisdiction,
        jurisdiction_name=profile.jurisdiction_name,
        as_of=profile.as_of,
        evaluated_on=profile.evaluated_on,
        source=profile.source,
        counts={s.value: counts.get(s.value, 0) for s in Status},
    )


# --- rules and packs ------------------------------------------------------------------------------


def _pack_label(finding: Finding) -> str:
    return f"{finding.pack} {finding.pack_version}".strip()


def _rules_of(results: CheckResults) -> dict[str, _RuleFacts]:
    """Each rule as the first finding of it carries it, and the rules any finding of it reads."""
    first: dict[str, Finding] = {}
    reads: dict[str, set[str]] = {}
    for finding in results.all_findings():
        first.setdefault(finding.rule_id, finding)
        every = [*finding.evidence, *(e for element in finding.elements for e in element.evidence)]
        reads.setdefault(finding.rule_id, set()).update(e.ref.removeprefix("rule ") for e in every if e.kind == "rule")
    return {
        rid: _RuleFacts(
            title=f.title,
            pack=_pack_label(f),
            severity=f.severity,
            condition=tuple(e.element for e in f.elements),
            reads=frozenset(reads[rid]),
        )
        for rid, f in first.items()
    }


def _rule_changes(
    old: CheckResults, new: CheckResults, before: dict[str, _RuleFacts], after: dict[str, _RuleFacts]
) -> tuple[list[RuleChange], list[PackChange], str | None]:
    old_packs = {p.id: p.version for p in old.packs}
    new_packs = {p.id: p.version for p in new.packs}
    packs = [
        PackChange(id=pid, version_before=old_packs.get(pid), version_after=new_packs.get(pid))
        for pid in sorted(set(old_packs) | set(new_packs))
        if old_packs.get(pid) != new_packs.get(pid)
    ]
    note = None
    silent = old.rules_hash != new.rules_hash and [p.label for p in old.packs] == [p.label for p in new.packs]
    if silent:
        note = (
            f"the rule files differ (rules_hash {old.rules_hash} -> {new.rules_hash}) although every pack has the same "
            "version: which rules changed cannot be told from the results, so every rule on both sides is treated as changed"
        )
    changes = []
    for rid in sorted(set(before) | set(after)):
        o, n = before.get(rid), after.get(rid)
        if o is None and n is not None:
            changes.append(
                RuleChange(
                    rule_id=rid,
                    change="added",
                    title_after=n.title,
                    pack_after=n.pack,
                    severity_after=n.severity,
                    condition_after=list(n.condition),
                    reasons=[f"added ({n.pack})"],
                )
            )
        elif n is None and o is not None:
            changes.append(
                RuleChange(
                    rule_id=rid,
                    change="removed",
                    title_before=o.title,
                    pack_before=o.pack,
                    severity_before=o.severity,
                    condition_before=list(o.condition),
                    reasons=[f"removed ({o.pack})"],
                )
            )
        elif o is not None and n is not None:
            reasons = _rule_reasons(o, n)
            if silent:
                reasons.append(f"rule files changed without a new pack version (rules_hash {old.rules_hash} -> {new.rules_hash})")
            if reasons:
                changes.append(
                    RuleChange(
                        rule_id=rid,
                        change="changed",
                        title_before=o.title,
                        title_after=n.title,
                        pack_before=o.pack,
                        pack_after=n.pack,
                        severity_before=o.severity,
                        severity_after=n.severity,
                        condition_before=list(o.condition),
                        condition_after=list(n.condition),
                        reasons=reasons,
                    )
                )
    return changes, packs, note


def _rule_reasons(o: _RuleFacts, n: _RuleFacts) -> list[str]:
    reasons = []
    if o.pack != n.pack:
        reasons.append(f"pack {o.pack} -> {n.pack}")
    if o.title != n.title:
        reasons.append(f"title changed (was: {o.title})")
    if o.severity != n.severity:
        reasons.append(f"severity {o.severity} -> {n.severity}")
    if o.condition != n.condition:
        gone = [e for e in o.condition if e not in n.condition]
        new = [e for e in n.condition if e not in o.condition]
        parts = [f"element removed: {e}" for e in gone] + [f"element added: {e}" for e in new]
        reasons.append("condition changed" + (f" ({'; '.join(parts)})" if parts else " (elements reordered or repeated)"))
    return reasons


def _affected(changes: list[RuleChange], before: dict[str, _RuleFacts], after: dict[str, _RuleFacts]) -> dict[str, str]:
    """Rule ID -> why its findings are not a like-for-like comparison: its own change, or a changed rule it reads."""
    affected = {c.rule_id: "; ".join(c.reasons) for c in changes if c.change == "changed"}
    reads: dict[str, set[str]] = {}
    for side in (before, after):
        for rid, facts in side.items():
            reads.setdefault(rid, set()).update(facts.reads)
    moved = {c.rule_id for c in changes}  # added and removed rules too: a rule reading one has another condition
    grew = True
    while grew:  # a rule reading a rule that reads a changed rule is affected too
        grew = False
        for rid in sorted(reads):
            if rid in affected:
                continue
            touched = sorted(r for r in reads[rid] if r in affected or r in moved)
            if touched:
                affected[rid] = f"reads rule {', '.join(touched)}, which changed"
                grew = True
    return affected


# --- findings, elements, evidence -----------------------------------------------------------------


def _jurisdiction(old: ProfileResult, new: ProfileResult, affected: dict[str, str]) -> JurisdictionDiff:
    sides = (_Context(old.evaluated_on, old.as_of), _Context(new.evaluated_on, new.as_of))
    before = {f.rule_id: f for f in old.findings}
    after = {f.rule_id: f for f in new.findings}
    findings = [_finding(before.get(rid), after.get(rid), sides, affected) for rid in sorted(set(before) | set(after))]
    counts = Counter(f.direction.value for f in findings)
    return JurisdictionDiff(
        jurisdiction=new.jurisdiction,
        jurisdiction_name=new.jurisdiction_name,
        as_of_before=old.as_of,
        as_of_after=new.as_of,
        evaluated_on_before=old.evaluated_on,
        evaluated_on_after=new.evaluated_on,
        source_before=old.source,
        source_after=new.source,
        counts={d.value: counts.get(d.value, 0) for d in Direction},
        findings=findings,
    )


def _finding(old: Finding | None, new: Finding | None, sides: tuple[_Context, _Context], affected: dict[str, str]) -> FindingChange:
    shown = new or old
    assert shown is not None
    common = {
        "rule_id": shown.rule_id,
        "title": shown.title,
        "theme": shown.theme,
        "severity": shown.severity,
        "status_before": old.status if old else None,
        "status_after": new.status if new else None,
        "label_before": old.label if old else None,
        "label_after": new.label if new else None,
        "pack_before": _pack_label(old) if old else None,
        "pack_after": _pack_label(new) if new else None,
    }
    if old is None or new is None:
        return FindingChange(**common, direction=Direction.rule_added if old is None else Direction.rule_removed)
    elements = _element_changes(old.elements, new.elements, sides)
    evidence = _evidence_changes(_outside_elements(old), _outside_elements(new), sides, None)
    old_notes = {sides[0].plain(n) for n in old.notes}
    new_notes = {sides[1].plain(n) for n in new.notes}
    added = [n for n in new.notes if sides[1].plain(n) not in old_notes]
    removed = [n for n in old.notes if sides[0].plain(n) not in new_notes]
    moved = old.status is not new.status or elements or evidence or added or removed
    if not moved:
        verdict = Direction.unchanged
    elif old.rule_id in affected:
        verdict = Direction.rule_changed
    elif old.status is not new.status:
        verdict = direction(old.status, new.status)
    else:
        verdict = Direction.changed
    return FindingChange(
        **common,
        direction=verdict,
        rule_change=affected.get(old.rule_id) if verdict is Direction.rule_changed else None,
        elements=elements,
        evidence=evidence,
        notes_added=added,
        notes_removed=removed,
    )


def _outside_elements(finding: Finding) -> list[Evidence]:
    """Evidence of the finding that no element carries: the reservations that explain a reserved finding."""
    inside = {(e.kind, e.ref) for element in finding.elements for e in element.evidence}
    return [e for e in finding.evidence if (e.kind, e.ref) not in inside]


def _keyed(items: Iterable[tuple[tuple[str, ...], T]]) -> dict[tuple[tuple[str, ...], int], T]:
    """Key items by their identity plus the occurrence number, so repeated identities pair up in order."""
    seen: Counter[tuple[str, ...]] = Counter()
    out: dict[tuple[tuple[str, ...], int], T] = {}
    for key, item in items:
        out[(key, seen[key])] = item
        seen[key] += 1
    return out


def _element_changes(old: list[ElementResult], new: list[ElementResult], sides: tuple[_Context, _Context]) -> list[ElementChange]:
    before = _keyed(((e.element,), e) for e in old)
    after = _keyed(((e.element,), e) for e in new)
    order = list(after) + [key for key in before if key not in after]
    changes = []
    for key in order:
        o, n = before.get(key), after.get(key)
        if o is not None and n is not None:
            evidence = _evidence_changes(o.evidence, n.evidence, sides, n.element)
            if o.status is n.status and not evidence:
                continue
            changes.append(
                ElementChange(
                    element=n.element,
                    status_before=o.status,
                    status_after=n.status,
                    direction=direction(o.status, n.status),
                    evidence=evidence,
                )
            )
        elif n is not None:
            changes.append(ElementChange(element=n.element, status_after=n.status, direction=Direction.changed))
        elif o is not None:
            changes.append(ElementChange(element=o.element, status_before=o.status, direction=Direction.changed))
    return changes


def _evidence_changes(
    old: list[Evidence], new: list[Evidence], sides: tuple[_Context, _Context], element: str | None
) -> list[EvidenceChange]:
    before = _keyed(((e.kind, e.ref), e) for e in old)
    after = _keyed(((e.kind, e.ref), e) for e in new)
    changes = []
    for key in sorted(set(before) | set(after)):
        o, n = before.get(key), after.get(key)
        change = _evidence_change(o, n, sides, element)
        if change is not None:
            changes.append(change)
    return changes


def _in_force(evidence: Evidence, on: date) -> bool | None:
    """Whether the cited text is in force on ``on`` by its dates; None when it carries none."""
    if evidence.in_force and on < evidence.in_force:
        return False
    if evidence.in_force_until and on > evidence.in_force_until:
        return False
    if evidence.in_force or evidence.in_force_until:
        return True
    return None


def _grade(evidence: Evidence, element: str | None) -> int | None:
    """How much of what the element needs this evidence meets (0 none, 1 part, 2 all); None when it cannot be ranked.

    Offence and rule evidence answer with a status. A fact answers yes/no/partial, and which of
    yes and no meets the element is in the element's description (``path = yes`` or ``path = no``).
    """
    if evidence.kind in ("offence", "rule"):
        return _GRADE.get(evidence.answer)
    if evidence.kind == "fact" and element is not None:
        for good, bad in (("yes", "no"), ("no", "yes")):
            if element == f"{evidence.ref} = {good}":
                return {good: 2, "partial": 1, bad: 0}.get(evidence.answer)
    return None


def _evidence_change(
    old: Evidence | None, new: Evidence | None, sides: tuple[_Context, _Context], element: str | None
) -> EvidenceChange | None:
    """What happened to one piece of evidence, or None when nothing that decides or cites it changed.

    A note alone (the reason a provision does not apply, worded with the evaluation date) is
    not a change: it changes whenever the date does. What is compared is the answer, the
    citation, its address and dates, and whether the text is in force on each side's date.
    """
    first, second = sides
    if old is None or new is None:
        return _added_or_removed(old, new, sides)
    fields = [name for name in _COMPARED if getattr(old, name) != getattr(new, name)]
    was, now = _in_force(old, first.on), _in_force(new, second.on)
    if not fields and was == now:
        return None
    answers = f"{old.answer} -> {new.answer}" if old.answer != new.answer else f"still {new.answer}"
    if was is False and now is True:
        kind = EvidenceChangeKind.entered_into_force
        words = f"{new.ref} entered into force" + (f" on {new.in_force}" if new.in_force else "") + f": {answers}"
    elif was is True and now is False:
        kind = EvidenceChangeKind.no_longer_in_force
        words = f"{new.ref} not in force on {second.on}" + (f" ({new.note})" if new.note else "") + f": {answers}"
    elif "answer" in fields:
        rank_before, rank_after = _grade(old, element), _grade(new, element)
        if rank_before is not None and rank_after is not None and rank_before != rank_after:
            kind = EvidenceChangeKind.widened if rank_after > rank_before else EvidenceChangeKind.narrowed
            words = f"{new.ref} {kind.value}: {answers}"
        else:
            kind = EvidenceChangeKind.answer_changed
            words = f"{new.ref}: {answers}"
        why = new.note or (f"before: {old.note}" if old.note else None)
        if why:
            words += f" ({why})"
    else:
        kind = EvidenceChangeKind.details_changed
        words = f"{new.ref}: {', '.join(fields)} changed"
    return _change(new, kind, words, old=old, new=new, fields=fields)


def _added_or_removed(old: Evidence | None, new: Evidence | None, sides: tuple[_Context, _Context]) -> EvidenceChange:
    """Evidence on one side only: a fact now (or no longer) stated, a provision now (or no longer) cited
    for the element (an element cites the provisions that decide it, so a provision still in the
    profile can stop being cited when another covers the element better). When its dates explain
    why (not yet in force on OLD's date, or no longer on NEW's), that is the change reported."""
    first, second = sides
    if new is not None:
        if _in_force(new, second.on) and _in_force(new, first.on) is False:
            words = f"{new.ref} entered into force" + (f" on {new.in_force}" if new.in_force else "") + f" ({new.answer})"
            return _change(new, EvidenceChangeKind.entered_into_force, words, new=new)
        words = f"{new.ref} now stated: {new.answer}" if new.kind == "fact" else f"{new.ref} now cited ({new.answer})"
        return _change(new, EvidenceChangeKind.added, words, new=new)
    assert old is not None
    if _in_force(old, first.on) and _in_force(old, second.on) is False:
        words = f"{old.ref} not in force on {second.on} (was {old.answer})"
        return _change(old, EvidenceChangeKind.no_longer_in_force, words, old=old)
    words = f"{old.ref} no longer stated (was {old.answer})" if old.kind == "fact" else f"{old.ref} no longer cited (was {old.answer})"
    return _change(old, EvidenceChangeKind.removed, words, old=old)


def _change(
    item: Evidence,
    kind: EvidenceChangeKind,
    words: str,
    *,
    old: Evidence | None = None,
    new: Evidence | None = None,
    fields: list[str] | None = None,
) -> EvidenceChange:
    return EvidenceChange(
        kind=item.kind,
        ref=item.ref,
        change=kind,
        answer_before=old.answer if old else None,
        answer_after=new.answer if new else None,
        citation=item.citation,
        url=item.url,
        in_force=item.in_force,
        in_force_until=item.in_force_until,
        note_before=old.note if old else None,
        note_after=new.note if new else None,
        fields=fields or [],
        summary=words,
    )
