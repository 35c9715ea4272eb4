"""Words the diff reporters share, so text, Markdown and the workbook say the same thing the same way."""

from __future__ import annotations

from ..diff_model import DIRECTION_ORDER, DIRECTION_TEXT, Diff, Direction, FindingChange, Side
from ..findings import Status

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
    how = "profile, checked now" if side.kind == "profile" else f"results of gap-engine {side.tool_version}"
    return f"{side.source} ({how}; packs {', '.join(side.packs) or 'none'})"


def counts_text(counts: dict[str, int]) -> str:
    """``1 improved, 2 changed, 74 unchanged`` in report order, leaving out zeros."""
    parts = [f"{counts[d.value]} {DIRECTION_TEXT[d]}" for d in DIRECTION_ORDER if counts.get(d.value)]
    return ", ".join(parts) or "no findings"


def status_text(status: Status | None, label: str | None = None) -> str:
    """``partial (insufficient)``; ``(rule not run)`` for a side without the rule."""
    if status is None:
        return "(rule not run)"
    return f"{status.value} ({label})" if label else status.value


def status_move(finding: FindingChange, arrow: str = "->") -> str:
    """``gap -> partial``, or ``still gap`` when only the elements or evidence moved."""
    before = status_text(finding.status_before, finding.label_before)
    after = status_text(finding.status_after, finding.label_after)
    return f"{before} {arrow} {after}" if before != after else f"still {after}"


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
    groups = [("rules added", added), ("rules removed", removed), ("rules changed", changed)]
    return [(heading, entries) for heading, entries in groups if entries]
