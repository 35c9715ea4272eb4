"""Comparative views across jurisdictions: who has which status on a rule, and on each checklist item.

An evaluator or NGO comparing Parties asks "which Parties do, and which do not?" — of a rule, or of
one element of it (producing, possessing, a platform duty). The views here answer from the
results alone (after the findings, and any waivers, are decided), so the memo, the workbook and
``gap-engine compare`` always say the same thing:

- ``parties_by_rule``: per rule, the jurisdictions in each status, as lists a report can quote;
- ``item_rows``: one row per jurisdiction and checklist item (each element of each finding);
- ``compare_rule`` / ``compare_item``: a jurisdictions x statuses table for the terminal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import InputErrors
from .findings import CheckResults, ElementResult, Finding, ProfileResult, Status
from .suggest import did_you_mean

WHO_ORDER = (Status.covered, Status.gap, Status.partial, Status.unknown, Status.reserved, Status.not_applicable)
"""The order of a "who" line: who does, who does not, who does in part, who is not known, then the rest."""


def rules_in_order(results: CheckResults) -> list[Finding]:
    """One representative finding per rule, in the packs' theme order then rule ID (as every report lists rules)."""
    seen: dict[str, Finding] = {}
    for finding in results.all_findings():
        seen.setdefault(finding.rule_id, finding)
    order = {theme.id: i for i, theme in enumerate(results.themes())}
    return sorted(seen.values(), key=lambda f: (order.get(f.theme, len(order)), f.rule_id))


def party_labels(results: CheckResults) -> list[str]:
    """How each profile is named in a comparison: its code, with the evaluation date when a code occurs twice."""
    codes = [p.jurisdiction for p in results.profiles]
    return [p.jurisdiction if codes.count(p.jurisdiction) == 1 else f"{p.jurisdiction} ({p.evaluated_on})" for p in results.profiles]


@dataclass(frozen=True)
class RuleParties:
    """The jurisdictions in each status on one rule (only statuses that occur, in ``WHO_ORDER``)."""

    rule: Finding  # a representative finding, for the rule's ID, title and theme
    by_status: tuple[tuple[Status, tuple[str, ...]], ...]

    def text(self) -> str:
        """``covered: FR, NO; gap: NL (waived); partial: DE, GB, SE`` — for a memo or a cell."""
        return "; ".join(f"{status.value}: {', '.join(parties)}" for status, parties in self.by_status)

    def parties(self, status: Status) -> tuple[str, ...]:
        return next((parties for s, parties in self.by_status if s is status), ())


def parties_by_rule(results: CheckResults) -> list[RuleParties]:
    """Per rule (in report order), who is in each status. A party under an active waiver is marked ``(waived)``."""
    labels = party_labels(results)
    out = []
    for rule in rules_in_order(results):
        groups: dict[Status, list[str]] = {}
        for profile, label in zip(results.profiles, labels, strict=True):
            finding = _finding(profile, rule.rule_id)
            if finding is None:
                continue
            groups.setdefault(finding.status, []).append(label + (" (waived)" if finding.waived else ""))
        out.append(RuleParties(rule, tuple((s, tuple(groups[s])) for s in WHO_ORDER if s in groups)))
    return out


@dataclass(frozen=True)
class ItemRow:
    """One checklist item of one jurisdiction's finding: an element of the rule's condition and its verdict."""

    profile: ProfileResult
    finding: Finding
    element: ElementResult


def item_rows(results: CheckResults) -> list[ItemRow]:
    """Every element of every finding: by jurisdiction (results order), then rule (report order), then the rule's own element order."""
    order = {rule.rule_id: i for i, rule in enumerate(rules_in_order(results))}
    rows: list[ItemRow] = []
    for profile in results.profiles:
        for finding in sorted(profile.findings, key=lambda f: order[f.rule_id]):
            rows.extend(ItemRow(profile, finding, element) for element in finding.elements)
    return rows


# --- the terminal comparison ----------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    label: str  # the column heading: a rule ID or [n]
    legend: str  # what it stands for, shown above the table
    rule_id: str
    element: str | None = None  # None: the rule's own status


@dataclass(frozen=True)
class Comparison:
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[str, str, tuple[str, ...]], ...]  # (jurisdiction, evaluated on, one status per column)


def compare_rule(results: CheckResults, rule_id: str) -> Comparison:
    """Each jurisdiction's status on a rule and on each of its elements."""
    rule = next((r for r in rules_in_order(results) if r.rule_id == rule_id), None)
    if rule is None:
        raise InputErrors.single("--rule", f"no finding for rule {rule_id}", hint="check that the rule runs: gap-engine rules list")
    columns = [Column(rule_id, "the rule's status", rule_id)]
    columns += [
        Column(f"[{n}]", element.element, rule_id, element.element) for n, element in enumerate(_elements(results, rule_id), start=1)
    ]
    return _comparison(results, f"{rule_id} — {rule.title}", columns)


def compare_item(results: CheckResults, text: str) -> Comparison:
    """Each jurisdiction's status on every checklist item whose description contains ``text`` (any case), across rules."""
    wanted = text.casefold().strip()
    columns: list[Column] = []
    for rule in rules_in_order(results):
        for element in _elements(results, rule.rule_id):
            if wanted and wanted in element.element.casefold():
                columns.append(Column(f"[{len(columns) + 1}]", f"{rule.rule_id}: {element.element}", rule.rule_id, element.element))
    if not columns:
        descriptions = {row.element.element for row in item_rows(results)}
        words = sorted({word for d in descriptions for token in re.findall(r"[\w.]+", d) for word in (token, *re.split(r"[._]", token))})
        hint = did_you_mean(text, words) or "see the items of a rule with --rule ID"
        raise InputErrors.single("--item", f"no checklist item contains {text!r}", hint=hint)
    return _comparison(results, f"Checklist items containing {text!r}", columns)


def _elements(results: CheckResults, rule_id: str) -> list[ElementResult]:
    """A rule's elements, each description once, in the rule's order (the same for every profile)."""
    seen: dict[str, ElementResult] = {}
    for profile in results.profiles:
        finding = _finding(profile, rule_id)
        for element in finding.elements if finding else ():
            seen.setdefault(element.element, element)
    return list(seen.values())


def _finding(profile: ProfileResult, rule_id: str) -> Finding | None:
    return next((f for f in profile.findings if f.rule_id == rule_id), None)


def _comparison(results: CheckResults, title: str, columns: list[Column]) -> Comparison:
    rows = []
    for profile in results.profiles:
        cells = []
        for column in columns:
            finding = _finding(profile, column.rule_id)
            if finding is None:
                cells.append("—")
            elif column.element is None:
                cells.append(finding.status.value)
            else:
                element = next((e for e in finding.elements if e.element == column.element), None)
                cells.append(element.status.value if element else "—")
        rows.append((f"{profile.jurisdiction} {profile.jurisdiction_name}", profile.evaluated_on.isoformat(), tuple(cells)))
    return Comparison(title, tuple(columns), tuple(rows))


NAME_WIDTH = 40


def render_comparison(comparison: Comparison) -> str:
    """The comparison as a plain-text table: the legend of the columns, then one row per jurisdiction."""
    label_width = max(len(c.label) for c in comparison.columns)
    lines = [comparison.title, ""]
    lines += [f"  {c.label:<{label_width}}  {c.legend}" for c in comparison.columns]
    lines.append("")
    names = [name if len(name) <= NAME_WIDTH else name[: NAME_WIDTH - 1] + "…" for name, _, _ in comparison.rows]
    widths = [
        len("jurisdiction"),
        len("evaluated on"),
        *(max(len(c.label), *(len(row[2][i]) for row in comparison.rows)) for i, c in enumerate(comparison.columns)),
    ]
    widths[0] = max(widths[0], *(len(n) for n in names))
    table = [["jurisdiction", "evaluated on", *(c.label for c in comparison.columns)]]
    table += [[name, evaluated, *cells] for name, (_, evaluated, cells) in zip(names, comparison.rows, strict=True)]
    for row in table:
        lines.append("  ".join(f"{cell:<{width}}" for cell, width in zip(row, widths, strict=True)).rstrip())
    return "\n".join(lines) + "\n"
