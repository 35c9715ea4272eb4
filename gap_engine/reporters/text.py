"""Plain-text report for the terminal: per jurisdiction, a table grouped by theme."""

from __future__ import annotations

import textwrap

from ..findings import CheckResults, Finding, Status
from .grouping import by_theme, pack_mark, status_counts

LABEL = {
    Status.gap: "GAP",
    Status.partial: "PARTIAL",
    Status.unknown: "UNKNOWN",
    Status.covered: "covered",
    Status.reserved: "RESERVED",
    Status.not_applicable: "n/a",
}


def status_text(finding: Finding) -> str:
    """The status as shown, with the rule's own label for it beside it: ``PARTIAL (insufficient)``."""
    return LABEL[finding.status] + (f" ({finding.label})" if finding.label else "")


def waiver_summary(findings: list[Finding]) -> str:
    """`` — 1 waived, 1 waiver expired`` after a jurisdiction's counts, when it has waivers."""
    states = [f.waiver.state for f in findings if f.waiver is not None]
    parts = [
        f"{n} {text}"
        for n, text in (
            (states.count("active"), "waived"),
            (states.count("expired"), "waiver(s) expired"),
            (states.count("not_yet_accepted"), "waiver(s) not yet accepted"),
        )
        if n
    ]
    return f" — {', '.join(parts)}" if parts else ""


def render(results: CheckResults) -> str:
    lines: list[str] = []
    for profile in results.profiles:
        counts = status_counts(profile.findings)
        summary = ", ".join(f"{n} {s}" for s, n in counts.items() if n) + waiver_summary(profile.findings)
        lines.append(
            f"{profile.jurisdiction_name} ({profile.jurisdiction}) — law as of {profile.as_of}, evaluated on {profile.evaluated_on}"
            f" — {profile.source}"
        )
        lines.append(f"  {summary}")
        for theme, findings in by_theme(profile.findings, results):
            lines.append(f"  {theme['title']}")
            for finding in findings:
                lines.append(f"    {status_text(finding):<9} {finding.rule_id:<9} {finding.title}{pack_mark(finding)}")
                if finding.status in (Status.gap, Status.partial, Status.unknown):
                    for missing in finding.missing:
                        for i, chunk in enumerate(textwrap.wrap(missing, 100)):
                            lines.append(f"{'':24}{'- ' if i == 0 else '  '}{chunk}")
                if finding.status is Status.reserved:
                    refs = ", ".join(e.ref for e in finding.evidence if e.kind == "reservation")
                    lines.append(f"{'':24}- explained by the reservation: {refs}")
                for note in finding.notes:
                    for i, chunk in enumerate(textwrap.wrap(note, 100)):
                        lines.append(f"{'':24}{'* ' if i == 0 else '  '}{chunk}")
                if finding.waiver is not None:
                    for i, chunk in enumerate(textwrap.wrap(finding.waiver.describe(), 100)):
                        lines.append(f"{'':24}{'» ' if i == 0 else '  '}{chunk}")
        lines.append("")
    lines.append(f"rules {results.rules_version} (packs: {results.packs_label()}), engine {results.engine}")
    return "\n".join(lines) + "\n"
