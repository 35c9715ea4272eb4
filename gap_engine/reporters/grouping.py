"""Shared ordering helpers so every reporter groups findings the same way (pack order, then each
pack's theme order), from what the results carry."""

from __future__ import annotations

from collections import Counter

from ..findings import CheckResults, Finding, Status
from ..i18n import N_, _

STATUS_ORDER = [s.value for s in Status]

STATUS_NAMES = {
    "gap": N_("gap"),
    "partial": N_("partial"),
    "unknown": N_("unknown"),
    "covered": N_("covered"),
    "reserved": N_("reserved"),
    "not_applicable": N_("not_applicable"),
}
SEVERITY_NAMES = {"obligation": N_("obligation"), "recommendation": N_("recommendation"), "good_practice": N_("good practice")}


def status_name(status: str | Status) -> str:
    """A status as people read it in the current language; JSON and filters keep ``Status.value``."""
    value = status.value if isinstance(status, Status) else status
    return _(STATUS_NAMES[value]) if value in STATUS_NAMES else value


def severity_name(severity: str) -> str:
    """A severity in the current language (``obligation``, ``recommandation``...)."""
    return _(SEVERITY_NAMES[severity]) if severity in SEVERITY_NAMES else severity


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
