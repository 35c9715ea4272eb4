"""Plain-text diff for the terminal: the sides, rule-pack changes, then per jurisdiction each finding that moved.

Unchanged findings are counted, not listed (the JSON keeps them).
"""

from __future__ import annotations

import textwrap

from ..diff_model import DIRECTION_TEXT, Diff, Direction, FindingChange, JurisdictionDiff, JurisdictionOnly, Side, sorted_for_report
from .diff_words import counts_text, grouped_rule_changes, side_text, status_move

INDENT = 28


def render(diff: Diff) -> str:
    lines = ["gap-engine diff", f"  old: {side_text(diff.old)}", f"  new: {side_text(diff.new)}", ""]
    lines += _rule_section(diff)
    for jurisdiction in diff.jurisdictions:
        lines += _jurisdiction(jurisdiction)
    for title, members in (
        ("Jurisdictions added (NEW only)", diff.jurisdictions_added),
        ("Jurisdictions removed (OLD only)", diff.jurisdictions_removed),
    ):
        if members:
            lines.append(title)
            lines += [f"  {_only(item)}" for item in members]
            lines.append("")
    lines.append(f"Summary: {counts_text(diff.counts)}")
    lines.append(_engines(diff.old, diff.new))
    return "\n".join(lines) + "\n"


def _rule_section(diff: Diff) -> list[str]:
    if not (diff.packs or diff.rules or diff.rules_note):
        return ["Rule-pack changes: none", ""]
    lines = ["Rule-pack changes"]
    for pack in diff.packs:
        lines.append(f"  pack {pack.id}: {pack.version_before or '(not run)'} -> {pack.version_after or '(not run)'}")
    if diff.rules_note:
        lines += _wrapped(f"note: {diff.rules_note}", 2, "")
    for heading, entries in grouped_rule_changes(diff):
        lines.append(f"  {heading}")
        for entry in entries:
            lines += _wrapped(entry, 4, "- ")
    lines.append("")
    return lines


def _jurisdiction(item: JurisdictionDiff) -> list[str]:
    dates = (
        f"evaluated on {item.evaluated_on_before}"
        if item.evaluated_on_before == item.evaluated_on_after
        else f"evaluated on {item.evaluated_on_before} -> {item.evaluated_on_after}"
    )
    lines = [f"{item.jurisdiction_name} ({item.jurisdiction}) — {dates}", f"  {counts_text(item.counts)}"]
    for finding in sorted_for_report(item.findings):
        if finding.direction is not Direction.unchanged:
            lines += _finding(finding)
    lines.append("")
    return lines


def _finding(finding: FindingChange) -> list[str]:
    label = DIRECTION_TEXT[finding.direction].upper()
    lines = [f"    {label:<13} {finding.rule_id:<9} {finding.title}", f"{'':{INDENT}}{status_move(finding)}"]
    if finding.rule_change:
        lines += _wrapped(f"rule: {finding.rule_change}", INDENT, "! ")
    for element in finding.elements:
        before = element.status_before.value if element.status_before else "(not in the rule)"
        after = element.status_after.value if element.status_after else "(not in the rule)"
        move = f"{before} -> {after}" if before != after else f"still {after}"
        lines += _wrapped(f"{element.element}: {move}", INDENT, "- ")
        for change in element.evidence:
            lines += _wrapped(change.summary, INDENT + 2, "* ")
    for change in finding.evidence:
        lines += _wrapped(change.summary, INDENT, "* ")
    for note in finding.notes_added:
        lines += _wrapped(f"new note: {note}", INDENT, "+ ")
    for note in finding.notes_removed:
        lines += _wrapped(f"note gone: {note}", INDENT, "- ")
    return lines


def _wrapped(text: str, indent: int, bullet: str) -> list[str]:
    chunks = textwrap.wrap(text, 100) or [""]
    return [f"{'':{indent}}{bullet if i == 0 else ' ' * len(bullet)}{chunk}" for i, chunk in enumerate(chunks)]


def _only(item: JurisdictionOnly) -> str:
    counts = ", ".join(f"{n} {status}" for status, n in item.counts.items() if n)
    where = f"law as of {item.as_of}, evaluated on {item.evaluated_on} — {item.source}"
    return f"{item.jurisdiction_name} ({item.jurisdiction}) — {where}: {counts}"


def _engines(old: Side, new: Side) -> str:
    if old.rules_version == new.rules_version and old.engine == new.engine:
        return f"rules {new.rules_version} (packs: {', '.join(new.packs)}), engine {new.engine}"
    return f"rules {old.rules_version} -> {new.rules_version}, engine {old.engine} -> {new.engine}"
