"""Plain-text diff for the terminal: the sides, rule-pack changes, then per jurisdiction each finding that moved.

Unchanged findings are counted, not listed (the JSON keeps them).
"""

from __future__ import annotations

import textwrap

from ..diff_model import Diff, Direction, FindingChange, JurisdictionDiff, JurisdictionOnly, Side, sorted_for_report
from ..findings import status_name
from ..i18n import _, format_date
from .diff_words import counts_text, dates_text, direction_name, grouped_rule_changes, side_text, status_move

INDENT = 28


def render(diff: Diff) -> str:
    lines = [
        "gap-engine diff",
        "  " + _("old: {side}").format(side=side_text(diff.old)),
        "  " + _("new: {side}").format(side=side_text(diff.new)),
        "",
    ]
    lines += _rule_section(diff)
    for jurisdiction in diff.jurisdictions:
        lines += _jurisdiction(jurisdiction)
    for title, members in (
        (_("Jurisdictions added (NEW only)"), diff.jurisdictions_added),
        (_("Jurisdictions removed (OLD only)"), diff.jurisdictions_removed),
    ):
        if members:
            lines.append(title)
            lines += [f"  {_only(item)}" for item in members]
            lines.append("")
    lines.append(_("Summary: {counts}").format(counts=counts_text(diff.counts)))
    lines.append(_engines(diff.old, diff.new))
    return "\n".join(lines) + "\n"


def _rule_section(diff: Diff) -> list[str]:
    if not (diff.packs or diff.rules or diff.rules_note):
        return [_("Rule-pack changes: none"), ""]
    lines = [_("Rule-pack changes")]
    for pack in diff.packs:
        before, after = pack.version_before or _("(not run)"), pack.version_after or _("(not run)")
        lines.append("  " + _("pack {pack}: {before} -> {after}").format(pack=pack.id, before=before, after=after))
    if diff.rules_note:
        lines += _wrapped(_("note: {note}").format(note=diff.rules_note), 2, "")
    for heading, entries in grouped_rule_changes(diff):
        lines.append(f"  {heading}")
        for entry in entries:
            lines += _wrapped(entry, 4, "- ")
    lines.append("")
    return lines


def _jurisdiction(item: JurisdictionDiff) -> list[str]:
    dates = _("evaluated on {dates}").format(dates=dates_text(item.evaluated_on_before, item.evaluated_on_after))
    lines = [f"{item.jurisdiction_name} ({item.jurisdiction}) — {dates}", f"  {counts_text(item.counts)}"]
    for finding in sorted_for_report(item.findings):
        if finding.direction is not Direction.unchanged:
            lines += _finding(finding)
    lines.append("")
    return lines


def _finding(finding: FindingChange) -> list[str]:
    label = direction_name(finding.direction).upper()
    lines = [f"    {label:<13} {finding.rule_id:<9} {finding.title}", f"{'':{INDENT}}{status_move(finding)}"]
    if finding.rule_change:
        lines += _wrapped(_("rule: {change}").format(change=finding.rule_change), INDENT, "! ")
    for element in finding.elements:
        before = status_name(element.status_before) if element.status_before else _("(not in the rule)")
        after = status_name(element.status_after) if element.status_after else _("(not in the rule)")
        move = f"{before} -> {after}" if before != after else _("still {status}").format(status=after)
        lines += _wrapped(f"{element.element}: {move}", INDENT, "- ")
        for change in element.evidence:
            lines += _wrapped(change.summary, INDENT + 2, "* ")
    for change in finding.evidence:
        lines += _wrapped(change.summary, INDENT, "* ")
    for note in finding.notes_added:
        lines += _wrapped(_("new note: {note}").format(note=note), INDENT, "+ ")
    for note in finding.notes_removed:
        lines += _wrapped(_("note gone: {note}").format(note=note), INDENT, "- ")
    return lines


def _wrapped(text: str, indent: int, bullet: str) -> list[str]:
    chunks = textwrap.wrap(text, 100) or [""]
    return [f"{'':{indent}}{bullet if i == 0 else ' ' * len(bullet)}{chunk}" for i, chunk in enumerate(chunks)]


def _only(item: JurisdictionOnly) -> str:
    counts = ", ".join(f"{n} {status_name(status)}" for status, n in item.counts.items() if n)
    where = _("law as of {as_of}, evaluated on {on} — {source}").format(
        as_of=format_date(item.as_of), on=format_date(item.evaluated_on), source=item.source
    )
    return f"{item.jurisdiction_name} ({item.jurisdiction}) — {where}: {counts}"


def _engines(old: Side, new: Side) -> str:
    if old.rules_version == new.rules_version and old.engine == new.engine:
        return _("rules {version} (packs: {packs}), engine {engine}").format(
            version=new.rules_version, packs=", ".join(new.packs), engine=new.engine
        )
    return _("rules {old} -> {new}, engine {old_engine} -> {new_engine}").format(
        old=old.rules_version, new=new.rules_version, old_engine=old.engine, new_engine=new.engine
    )
