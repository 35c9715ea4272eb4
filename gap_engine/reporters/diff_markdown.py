"""Markdown diff for memos: the two sides, counts per jurisdiction and direction, rule-pack changes,
then each finding that moved with the elements and the provisions or facts that moved it.

Text from the profiles, results files and rule packs goes through ``md_text`` so it stays text."""

from __future__ import annotations

from ..diff_model import (
    DIRECTION_ORDER,
    DIRECTION_TEXT,
    Diff,
    Direction,
    EvidenceChange,
    FindingChange,
    JurisdictionOnly,
    Side,
    sorted_for_report,
)
from ..findings import Status
from .diff_words import grouped_rule_changes, side_text, status_move
from .md_text import inline, link

ARROW = "→"


def render(diff: Diff) -> str:
    out = ["# gap-engine diff", ""]
    out += ["| | Source | Rules | Engine |", "|---|---|---|---|"]
    out += [_side_row("Old", diff.old), _side_row("New", diff.new), ""]
    out += ["## Summary", ""]
    out.append("| Jurisdiction | Evaluated on | " + " | ".join(DIRECTION_TEXT[d] for d in DIRECTION_ORDER) + " |")
    out.append("|---|---|" + "---|" * len(DIRECTION_ORDER))
    for item in diff.jurisdictions:
        dates = f"{item.evaluated_on_before} {ARROW} {item.evaluated_on_after}"
        counts = " | ".join(str(item.counts[d.value]) for d in DIRECTION_ORDER)
        out.append(f"| {inline(item.jurisdiction_name)} ({inline(item.jurisdiction)}) | {dates} | {counts} |")
    out.append("| **All** | | " + " | ".join(str(diff.counts[d.value]) for d in DIRECTION_ORDER) + " |")
    out.append("")
    out += _rules(diff)
    for item in diff.jurisdictions:
        changed = [f for f in sorted_for_report(item.findings) if f.direction is not Direction.unchanged]
        out += [f"## {inline(item.jurisdiction_name)} ({inline(item.jurisdiction)})", ""]
        out.append(
            f"Law as of {item.as_of_before} → {item.as_of_after}, evaluated on {item.evaluated_on_before} → "
            f"{item.evaluated_on_after}. {item.counts[Direction.unchanged.value]} findings unchanged."
        )
        out.append("")
        for finding in changed:
            out += _finding(finding)
    for title, members in (
        ("Jurisdictions added (NEW only)", diff.jurisdictions_added),
        ("Jurisdictions removed (OLD only)", diff.jurisdictions_removed),
    ):
        if members:
            out += [f"## {title}", ""]
            out += [_only(item) for item in members]
            out.append("")
    return "\n".join(out).rstrip() + "\n"


def _side_row(name: str, side: Side) -> str:
    return f"| {name} | {inline(side_text(side))} | {inline(side.rules_version)} | {inline(side.engine)} |"


def _rules(diff: Diff) -> list[str]:
    out = ["## Rule-pack changes", ""]
    if not (diff.packs or diff.rules or diff.rules_note):
        return [*out, "None: both sides ran the same rules.", ""]
    for pack in diff.packs:
        before, after = inline(pack.version_before or "(not run)"), inline(pack.version_after or "(not run)")
        out.append(f"- Pack {inline(pack.id)}: {before} → {after}")
    if diff.rules_note:
        out.append(f"- Note: {inline(diff.rules_note)}")
    for heading, entries in grouped_rule_changes(diff):
        out.append(f"- {inline(heading.capitalize())}:")
        out += [f"  - {inline(entry)}" for entry in entries]
    out.append("")
    out.append("A finding whose rule changed is reported as *rule changed*, never as improved or regressed.")
    out.append("")
    return out


def _finding(finding: FindingChange) -> list[str]:
    move = status_move(finding, ARROW)
    out = [f"### {inline(finding.rule_id)} — {inline(finding.title)}: {inline(move)} (**{DIRECTION_TEXT[finding.direction]}**)", ""]
    if finding.rule_change:
        out += [f"Rule changed: {inline(finding.rule_change)}.", ""]
    bullets = []
    for element in finding.elements:
        move = _status(element.status_before) + f" {ARROW} " + _status(element.status_after)
        if element.status_before is element.status_after:
            move = f"still {_status(element.status_after)}"
        bullets.append(f"- {inline(element.element)}: {inline(move)}")
        bullets += [f"  - {_evidence(change)}" for change in element.evidence]
    bullets += [f"- {_evidence(change)}" for change in finding.evidence]
    bullets += [f"- New note: {inline(note)}" for note in finding.notes_added]
    bullets += [f"- Note gone: {inline(note)}" for note in finding.notes_removed]
    return [*out, *bullets, ""] if bullets else out


def _status(status: Status | None) -> str:
    return status.value if status else "(not in the rule)"


def _evidence(change: EvidenceChange) -> str:
    cite = f" — {inline(change.citation)}" if change.citation else ""
    url = f" {link(change.url)}" if change.url else ""
    return f"{inline(change.summary)}{cite}{url}"


def _only(item: JurisdictionOnly) -> str:
    counts = ", ".join(f"{n} {status}" for status, n in item.counts.items() if n)
    where = f"law as of {item.as_of}, evaluated on {item.evaluated_on} ({inline(item.source)})"
    return f"- {inline(item.jurisdiction_name)} ({inline(item.jurisdiction)}), {where}: {counts}"
