"""Words the diff reporters share, so text, Markdown and the workbook say the same thing the same way."""

from __future__ import annotations

from datetime import date

from ..diff_model import DIRECTION_ORDER, DIRECTION_TEXT, Diff, Direction, FindingChange, Side
from ..findings import Status, status_name
from ..i18n import N_, _, format_date

DIRECTION_NAMES: dict[Direction, str] = {
    Direction.regressed: N_("regressed"),
    Direction.rule_changed: N_("rule changed"),
    Direction.improved: N_("improved"),
    Direction.changed: N_("changed"),
    Direction.rule_added: N_("rule added"),
    Direction.rule_removed: N_("rule removed"),
    Direction.unchanged: N_("unchanged"),
}


def direction_name(direction: Direction) -> str:
    """A direction as people read it in the current language (JSON keeps ``Direction.value``)."""
    return _(DIRECTION_NAMES[direction]) if direction in DIRECTION_NAMES else DIRECTION_TEXT[direction]


def dates_text(before: object, after: object, arrow: str = "->") -> str:
    """``2024-06-30`` or ``2021-05-31 -> 2024-06-30``, each date as the language writes it."""
    shown = [format_date(d) if isinstance(d, date) else str(d) for d in (before, after)]
    return shown[0] if before == after else f"{shown[0]} {arrow} {shown[1]}"


DIRECTION_MEANING: dict[Direction, str] = {
    Direction.regressed: "the law is shown to give less protection (e.g. partial -> gap, covered -> unknown, covered -> reserved)",
    Direction.rule_changed: "the rule, or a rule it reads, changed between the sides: not a like-for-like comparison, "
    "never counted as improved or regressed",
    Direction.improved: "the law is shown to give more protection (e.g. gap -> partial, unknown -> covered, reserved -> covered)",
    Direction.changed: "a change that is neither better nor worse law: gap <-> unknown, to or from reserved or not_applicable, "
    "or the same status with other elements or evidence",
    Direction.rule_added: "the rule ran on NEW only",
    Direction.rule_removed: "the rule ran on OLD only",
    Direction.unchanged: "same status, elements and evidence",
}


def side_text(side: Side) -> str:
    """``fixtures/nl.yaml (profile, checked now)`` or ``results.json (results of gap-engine 0.1.0)``."""
    how = _("profile, checked now") if side.kind == "profile" else _("results of gap-engine {version}").format(version=side.tool_version)
    return _("{source} ({how}; packs {packs})").format(source=side.source, how=how, packs=", ".join(side.packs) or _("none"))


def counts_text(counts: dict[str, int]) -> str:
    """``1 improved, 2 changed, 74 unchanged`` in report order, leaving out zeros."""
    parts = [f"{counts[d.value]} {direction_name(d)}" for d in DIRECTION_ORDER if counts.get(d.value)]
    return ", ".join(parts) or _("no findings")


def status_text(status: Status | None, label: str | None = None) -> str:
    """``partial (insufficient)``; ``(rule not run)`` for a side without the rule."""
    if status is None:
        return _("(rule not run)")
    return f"{status_name(status)} ({label})" if label else status_name(status)


def status_move(finding: FindingChange, arrow: str = "->") -> str:
    """``gap -> partial``, or ``still gap`` when only the elements or evidence moved."""
    before = status_text(finding.status_before, finding.label_before)
    after = status_text(finding.status_after, finding.label_after)
    return f"{before} {arrow} {after}" if before != after else _("still {status}").format(status=after)


def grouped_rule_changes(diff: Diff) -> list[tuple[str, list[str]]]:
    """Rule changes as (heading, entries): added and removed rules one per entry, changed rules grouped
    by reason so that a pack version bump reads as one line listing its rules rather than one line per rule."""
    added = [f"{r.rule_id} {r.title_after} ({r.pack_after})" for r in diff.rules if r.change == "added"]
    removed = [f"{r.rule_id} {r.title_before} ({r.pack_before})" for r in diff.rules if r.change == "removed"]
    reasons: dict[str, list[str]] = {}
    for rule in diff.rules:
        if rule.change == "changed":
            for reason in rule.reasons:
                reasons.setdefault(reason, []).append(rule.rule_id)
    changed = [f"{', '.join(ids)}: {reason}" for reason, ids in sorted(reasons.items(), key=lambda item: (item[1], item[0]))]
    groups = [(_("rules added"), added), (_("rules removed"), removed), (_("rules changed"), changed)]
    return [(heading, entries) for heading, entries in groups if entries]
