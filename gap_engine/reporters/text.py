"""Plain-text report for the terminal: per jurisdiction, a table grouped by theme.

With ``colour=True`` the status words are painted (gap red, partial yellow, unknown grey, ...; see
``terminal.STATUS_COLOURS``) for a terminal. Every other character is then made terminal-safe here,
before the paint goes on, because the caller cannot escape the text afterwards without escaping the
colour too. Stripped of its colour codes, the coloured report is the plain one made safe, character for character.
"""

from __future__ import annotations

import textwrap

from ..findings import CheckResults, Finding, Status, status_name
from ..i18n import N_, _, format_date
from ..terminal import paint, terminal_safe
from .grouping import by_theme, pack_mark, status_counts

LABEL = {
    Status.gap: N_("GAP"),
    Status.partial: N_("PARTIAL"),
    Status.unknown: N_("UNKNOWN"),
    Status.covered: N_("covered"),
    Status.reserved: N_("RESERVED"),
    Status.not_applicable: N_("n/a"),
}


def status_text(finding: Finding) -> str:
    """The status as shown, with the rule's own label for it beside it: ``PARTIAL (insufficient)``."""
    return _(LABEL[finding.status]) + (f" ({finding.label})" if finding.label else "")


def waiver_summary(findings: list[Finding]) -> str:
    """`` — 1 waived, 1 waiver expired`` after a jurisdiction's counts, when it has waivers."""
    states = [f.waiver.state for f in findings if f.waiver is not None]
    parts = [
        f"{n} {text}"
        for n, text in (
            (states.count("active"), _("waived")),
            (states.count("expired"), _("waiver(s) expired")),
            (states.count("not_yet_accepted"), _("waiver(s) not yet accepted")),
        )
        if n
    ]
    return f" — {', '.join(parts)}" if parts else ""


def render(results: CheckResults, colour: bool = False) -> str:
    """The report; with ``colour``, made terminal-safe and its status words painted (plain, the caller makes it safe)."""
    lines: list[str] = []
    painted: set[int] = set()  # the lines already made safe and painted (only with colour)

    def finding_line(finding: Finding) -> str:
        cell, rest = f"{status_text(finding):<9}", f" {finding.rule_id:<9} {finding.title}{pack_mark(finding)}"
        if not colour:
            return f"    {cell}{rest}"
        painted.add(len(lines))
        return f"    {paint(terminal_safe(cell), finding.status.value)}{terminal_safe(rest)}"

    for profile in results.profiles:
        counts = status_counts(profile.findings)
        summary = ", ".join(f"{n} {status_name(s)}" for s, n in counts.items() if n) + waiver_summary(profile.findings)
        lines.append(
            _("{name} ({code}) — law as of {as_of}, evaluated on {on} — {source}").format(
                name=profile.jurisdiction_name,
                code=profile.jurisdiction,
                as_of=format_date(profile.as_of),
                on=format_date(profile.evaluated_on),
                source=profile.source,
            )
        )
        lines.append(f"  {summary}")
        for theme, findings in by_theme(profile.findings, results):
            lines.append(f"  {theme['title']}")
            for finding in findings:
                lines.append(finding_line(finding))
                if finding.status in (Status.gap, Status.partial, Status.unknown):
                    for missing in finding.missing:
                        for i, chunk in enumerate(textwrap.wrap(missing, 100)):
                            lines.append(f"{'':24}{'- ' if i == 0 else '  '}{chunk}")
                if finding.status is Status.reserved:
                    refs = ", ".join(e.ref for e in finding.evidence if e.kind == "reservation")
                    lines.append(f"{'':24}- " + _("explained by the reservation: {refs}").format(refs=refs))
                for note in finding.notes:
                    for i, chunk in enumerate(textwrap.wrap(note, 100)):
                        lines.append(f"{'':24}{'* ' if i == 0 else '  '}{chunk}")
                if finding.waiver is not None:
                    for i, chunk in enumerate(textwrap.wrap(finding.waiver.describe(), 100)):
                        lines.append(f"{'':24}{'» ' if i == 0 else '  '}{chunk}")
        lines.append("")
    lines.append(
        _("rules {version} (packs: {packs}), engine {engine}").format(
            version=results.rules_version, packs=results.packs_label(), engine=results.engine
        )
    )
    if colour:
        lines = [line if i in painted else terminal_safe(line) for i, line in enumerate(lines)]
    return "\n".join(lines) + "\n"
