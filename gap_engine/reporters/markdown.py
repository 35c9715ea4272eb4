"""Markdown for memos: an executive summary of counts, then per theme each gap with reason, evidence and recommendation.

Every text that comes from a profile, a rule pack or a waiver file goes through ``md_text`` (``inline``
and ``link``), so it shows as written and never turns into headings, links or HTML. (``pack_mark`` is
left as it is: pack IDs, versions and rule IDs are checked against patterns that allow no markup.)
"""

from __future__ import annotations

from ..compare import parties_by_rule
from ..findings import CheckResults, Finding, Status
from .grouping import STATUS_ORDER, pack_mark, status_counts, themes_in_order
from .md_text import inline, link

NOT_COVERED = (Status.gap, Status.partial, Status.unknown, Status.reserved)


def render(results: CheckResults) -> str:
    out: list[str] = ["# gap-engine report", ""]
    out.append(f"Rules {inline(results.rules_version)} (packs: {inline(results.packs_label())}); engine {inline(results.engine)}.")
    out.append("")
    out.append("## Executive summary")
    out.append("")
    out.append("### By jurisdiction")
    out.append("")
    out.append("| Jurisdiction | Law as of | Evaluated on | " + " | ".join(STATUS_ORDER) + " |")
    out.append("|---|---|---|" + "---|" * len(STATUS_ORDER))
    for profile in results.profiles:
        counts = status_counts(profile.findings)
        out.append(
            f"| {inline(profile.jurisdiction_name)} ({inline(profile.jurisdiction)}) | {profile.as_of} | {profile.evaluated_on} | "
            + " | ".join(str(counts[s]) for s in STATUS_ORDER)
            + " |"
        )
    out.append("")
    out.append("### By theme")
    out.append("")
    out.append("| Theme | " + " | ".join(STATUS_ORDER) + " |")
    out.append("|---|" + "---|" * len(STATUS_ORDER))
    every = results.all_findings()
    for theme in themes_in_order(results):
        members = [f for f in every if f.theme == theme["id"]]
        if members:
            counts = status_counts(members)
            out.append(f"| {inline(theme['title'])} | " + " | ".join(str(counts[s]) for s in STATUS_ORDER) + " |")
    out.append("")
    out += _waivers(results)
    out += _parties_by_rule(results)
    # Then per theme (paper order), each jurisdiction's findings that are not covered, and every waived one (never hidden).
    for theme in themes_in_order(results):
        sections: list[str] = []
        for profile in results.profiles:
            shown = [f for f in profile.findings if f.theme == theme["id"] and (f.status in NOT_COVERED or f.waiver is not None)]
            if shown:
                heading = f"{inline(profile.jurisdiction_name)} ({inline(profile.jurisdiction)}), law as of {profile.as_of}"
                sections += [f"### {heading}, evaluated on {profile.evaluated_on}", ""]
                for finding in shown:
                    sections.extend(_finding(finding))
        if sections:
            out += [f"## {inline(theme['title'])}", "", *sections]
    return "\n".join(out).rstrip() + "\n"


def _waivers(results: CheckResults) -> list[str]:
    """The waivers in the results, as a table in the executive summary (only when there are some)."""
    rows = [(profile, f) for profile in results.profiles for f in profile.findings if f.waiver is not None]
    if not rows:
        return []
    out = ["### Waivers", "", "| Jurisdiction | Rule | Status | Waiver | Accepted by | Accepted on | Expires | Justification |"]
    out.append("|---|---|---|---|---|---|---|---|")
    for profile, finding in rows:
        waiver = finding.waiver
        assert waiver is not None
        out.append(
            f"| {inline(profile.jurisdiction_name)} ({inline(profile.jurisdiction)}) | {inline(finding.rule_id)} | "
            f"{finding.status.value} | "
            f"{inline(waiver.headline())} | {inline(waiver.accepted_by)} | {waiver.accepted_on} | {waiver.expires} | "
            f"{inline(waiver.justification)} |"
        )
    return [*out, ""]


def _parties_by_rule(results: CheckResults) -> list[str]:
    """Per theme, one line per rule saying which jurisdictions are in which status, for a report to quote."""
    out = ["## Parties by rule", ""]
    parties = parties_by_rule(results)
    for theme in themes_in_order(results):
        members = [p for p in parties if p.rule.theme == theme["id"]]
        if not members:
            continue
        out += [f"### {inline(theme['title'])}", ""]
        out += [f"- **{inline(p.rule.rule_id)}** {inline(p.rule.title)}{pack_mark(p.rule)} — {inline(p.text())}" for p in members]
        out.append("")
    return out


def _finding(finding: Finding) -> list[str]:
    label = f" ({inline(finding.label)})" if finding.label else ""
    title = f"{inline(finding.rule_id)} — {inline(finding.title)}{pack_mark(finding)}"
    out = [f"#### {title}: **{finding.status.value}**{label}", ""]
    source = "Paper" if finding.pack == "builtin" else f"Pack {inline(finding.pack)} {inline(finding.pack_version)}"
    articles = inline(", ".join("Art. " + a for a in finding.articles) or "—")
    questions = f", questions {inline(', '.join(finding.questions))}." if finding.questions else "."
    out.append(f"*Severity:* {inline(finding.severity)}. *Convention:* {articles}. *{source}:* {inline(finding.paper_section)}{questions}")
    out.append("")
    if finding.waiver is not None:
        out += [f"**Waiver:** {inline(finding.waiver.describe())}", ""]
    out.append(inline(finding.finding))
    out.append("")
    if finding.missing:
        out.append("Missing:")
        out.extend(f"- {inline(m)}" for m in finding.missing)
        out.append("")
    if finding.evidence:
        out.append("Evidence:")
        for e in finding.evidence:
            cite = inline(e.citation or "no citation given")
            url = f" {link(e.url)}" if e.url else ""
            note = f" — {inline(e.note)}" if e.note else ""
            out.append(f"- {inline(e.ref)} ({inline(e.answer)}): {cite}{url}{note}")
        out.append("")
    if finding.notes:
        out.append("Reservations:")
        out.extend(f"- {inline(n)}" for n in finding.notes)
        out.append("")
    out.append(f"Recommendation: {inline(finding.recommendation)}")
    out.append("")
    return out
