"""Shared ordering helpers so every reporter groups findings the same way (pack order, then each
pack's theme order), from what the results carry."""

from __future__ import annotations

from collections import Counter

from ..findings import CheckResults, Finding, Status
from ..i18n import _

STATUS_ORDER = [s.value for s in Status]


def themes_in_order(results: CheckResults) -> list[dict]:
    """The themes as {id, title, section}: those of the packs in the results."""
    return [theme.model_dump() for theme in results.themes()]


def by_theme(findings: list[Finding], results: CheckResults) -> list[tuple[dict, list[Finding]]]:
    groups = []
    for theme in themes_in_order(results):
        members = [f for f in findings if f.theme == theme["id"]]
        if members:
            groups.append((theme, members))
    return groups


def status_counts(findings: list[Finding]) -> dict[str, int]:
    counts = Counter(f.status.value for f in findings)
    return {status: counts.get(status, 0) for status in STATUS_ORDER}


def pack_mark(finding: Finding) -> str:
    """What a report adds after a rule's title when the rule comes from a pack or replaces another."""
    mark = "" if finding.pack == "builtin" else f" [{finding.pack} {finding.pack_version}]"
    if finding.replaces:
        mark += _(" (replaces {rules})").format(rules=", ".join(finding.replaces))
    return mark
