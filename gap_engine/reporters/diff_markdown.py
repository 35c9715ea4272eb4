"""Markdown diff for memos: the two sides, counts per jurisdiction and direction, rule-pack changes,
then each finding that moved with the elements and the provisions or facts that moved it.

Text from the profiles, results files and rule packs goes through ``md_text`` so it stays text."""

from __future__ import annotations

from ..diff_model import (
    DIRECTION_ORDER,
    Diff,
    Direction,
    EvidenceChange,
    FindingChange,
    JurisdictionOnly,
    Side,
    sorted_for_report,
)
from ..findings import Status, status_name
from ..i18n import _, format_date
from ..md_text import inline, link
from .diff_words import direction_name, grouped_rule_changes, side_text, status_move

ARROW = "→"


def render(diff: Diff) -> str:
    out = ["# gap-engine diff", ""]
    out += ["| | " + _("Source") + " | " + _("Rules") + " | " + _("Engine") + " |", "|---|---|---|---|"]
    out += [_side_row(_("Old"), diff.old), _side_row(_("New"), diff.new), ""]
    out += [_("## Summary"), ""]
    out.append("| " + _("Jurisdiction") + " | " + _("Evaluated on") + " | " + " | ".join(direction_name(d) for d in DIRECTION_ORDER) + " |")
    out.append("|---|---|" + "---|" * len(DIRECTION_ORDER))
    for item in diff.jurisdictions:
        dates = f"{format_date(item.evaluated_on_before)} {ARROW} {format_date(item.evaluated_on_after)}"
        counts = " | ".join(str(item.counts[d.value]) for d in DIRECTION_ORDER)
        out.append(f"| {inline(item.jurisdiction_name)} ({inline(item.jurisdiction)}) | {dates} | {counts} |")
    out.append("| **" + _("All") + "** | | " + " | ".join(str(diff.counts[d.value]) for d in DIRECTION_ORDER) + " |")
    out.append("")
    out += _rules(diff)
    for item in diff.jurisdictions:
        changed = [f for f in sorted_for_report(item.findings) if f.direction is not Direction.unchanged]
        out += [f"## {inline(item.jurisdiction_name)} ({inline(item.jurisdiction)})", ""]
        out.append(
            _("Law as of {as_of}, evaluated on {on}. {n} findings unchanged.").format(
                as_of=f"{format_date(item.as_of_before)} {ARROW} {format_date(item.as_of_after)}",
                on=f"{format_date(item.evaluated_on_before)} {ARROW} {format_date(item.evaluated_on_after)}",
                n=item.counts[Direction.unchanged.value],
            )
        )
        out.append("")
        for finding in changed:
            out += _finding(finding)
    for title, members in (
        (_("Jurisdictions added (NEW only)"), diff.jurisdictions_added),
        (_("Jurisdictions removed (OLD only)"), diff.jurisdictions_removed),
    ):
        if members:
            out += [f"## {title}", ""]
            out += [_only(item) for item in members]
            out.append("")
    return "\n".join(out).rstrip() + "\n"


def _side_row(name: str, side: Side) -> str:
    return f"| {name} | {inline(side_text(side))} | {inline(side.rules_version)} | {inline(side.engine)} |"


def _rules(diff: Diff) -> list[str]:
    out = ["## " + _("Rule-pack changes"), ""]
    if not (diff.packs or diff.rules or diff.rules_note):
        return [*out, _("None: both sides ran the same rules."), ""]
    for pack in diff.packs:
        before, after = inline(pack.version_before or _("(not run)")), inline(pack.version_after or _("(not run)"))
        out.append("- " + _("Pack `{pack}`: {before} → {after}").format(pack=inline(pack.id), before=before, after=after))
    if diff.rules_note:
        out.append("- " + _("Note: {note}").format(note=inline(diff.rules_note)))
    for heading, entries in grouped_rule_changes(diff):
        out.append(f"- {inline(heading.capitalize())}:")
        out += [f"  - {inline(entry)}" for entry in entries]
    out.append("")
    out.append(_("A finding whose rule changed is reported as *rule changed*, never as improved or regressed."))
    out.append("")
    return out


def _finding(finding: FindingChange) -> list[str]:
    move = status_move(finding, ARROW)
    title = f"{inline(finding.rule_id)} — {inline(finding.title)}: {inline(move)}"
    out = [f"### {title} (**{direction_name(finding.direction)}**)", ""]
    if finding.rule_change:
        out += [_("Rule changed: {change}.").format(change=inline(finding.rule_change)), ""]
    bullets = []
    for element in finding.elements:
        move = _status(element.status_before) + f" {ARROW} " + _status(element.status_after)
        if element.status_before is element.status_after:
            move = _("still {status}").format(status=_status(element.status_after))
        bullets.append(f"- {inline(element.element)}: {inline(move)}")
        bullets += [f"  - {_evidence(change)}" for change in element.evidence]
    bullets += [f"- {_evidence(change)}" for change in finding.evidence]
    bullets += ["- " + _("New note: {note}").format(note=inline(note)) for note in finding.notes_added]
    bullets += ["- " + _("Note gone: {note}").format(note=inline(note)) for note in finding.notes_removed]
    return [*out, *bullets, ""] if bullets else out


def _status(status: Status | None) -> str:
    return status_name(status) if status else _("(not in the rule)")


def _evidence(change: EvidenceChange) -> str:
    cite = f" — {inline(change.citation)}" if change.citation else ""
    url = f" {link(change.url)}" if change.url else ""
    return f"{inline(change.summary)}{cite}{url}"


def _only(item: JurisdictionOnly) -> str:
    counts = ", ".join(f"{n} {status_name(status)}" for status, n in item.counts.items() if n)
    where = _("law as of {as_of}, evaluated on {on} ({source})").format(
        as_of=format_date(item.as_of), on=format_date(item.evaluated_on), source=inline(item.source)
    )
    return f"- {inline(item.jurisdiction_name)} ({inline(item.jurisdiction)}), {where}: {counts}"
