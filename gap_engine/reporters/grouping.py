"""Shared ordering helpers so every reporter groups findings the same way (paper order)."""

from __future__ import annotations

from collections import Counter

from ..findings import Finding, Status
from ..rules import paper

STATUS_ORDER = [s.value for s in Status]


def themes_in_order() -> list[dict]:
    return list(paper()["themes"])


def by_theme(findings: list[Finding]) -> list[tuple[dict, list[Finding]]]:
    groups = []
    for theme in themes_in_order():
        members = [f for f in findings if f.theme == theme["id"]]
        if members:
            groups.append((theme, members))
    return groups


def status_counts(findings: list[Finding]) -> dict[str, int]:
    counts = Counter(f.status.value for f in findings)
    return {status: counts.get(status, 0) for status in STATUS_ORDER}
