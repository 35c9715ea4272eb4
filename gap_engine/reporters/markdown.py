"""Markdown for memos: an executive summary of counts, then per theme each gap with reason, evidence and recommendation.

Every text that comes from a profile, a rule pack or a waiver file goes through ``md_text`` (``inline``
and ``link``), so it shows as written and never turns into headings, links or HTML. (``pack_mark`` is
left as it is: pack IDs, versions and rule IDs are checked against patterns that allow no markup.)
"""

from __future__ import annotations

from ..compare import parties_by_rule
from ..findings import CheckResults, Finding, Status, severity_name, status_name
from ..i18n import _, format_date
from ..md_text import inline, link
from .grouping import STATUS_ORDER, pack_mark, status_counts, themes_in_order

NOT_COVERED = (Status.gap, Status.partial, Status.unknown, Status.reserved)


def render(results: CheckResults) -> str:
    statuses = " | ".join(status_name(s) for s in STATUS_ORDER)
    out: list[str] = [_("# gap-engine report"), ""]
    out.append(
        _("Rules {version} (packs: {packs}); engine {engine}.").format(
            version=inline(results.rules_version), packs=inline(results.packs_label()), engine=inline(results.engine)
        )
    )
    out.append("")
    out.append(_("## Executive summary"))
    out.append("")
    out.append(_("### By jurisdiction"))
    out.append("")
    out.append("| " + _("Jurisdiction") + " | " + _("Law as of") + " | " + _("Evaluated on") + " | " + statuses + " |")
    out.append("|---|---|---|" + "---|" * len(STATUS_ORDER))
    for profile in results.profiles:
        counts = status_counts(profile.findings)
        out.append(
            f"| {inline(profile.jurisdiction_name)} ({inline(profile.jurisdiction)}) | {format_date(profile.as_of)} | "
            f"{format_date(profile.evaluated_on)} | " + " | ".join(str(counts[s]) for s in STATUS_ORDER) + " |"
        )
    out.append("")
    out.append(_("### By theme"))
    out.append("")
    out.append("| " + _("Theme") + " | " + statuses + " |")
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
                heading = _("{name} ({code}), law as of {as_of}, evaluated on {on}").format(
                    name=inline(profile.jurisdiction_name),
                    code=inline(profile.jurisdiction),
                    as_of=format_date(profile.as_of),
                    on=format_date(profile.evaluated_on),
                )
                sections += [f"### {heading}", ""]
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
    headers = (_("Jurisdiction"), _("Rule"), _("Status"), _("Waiver"), _("Accepted by"), _("Accepted on"), _("Expires"), _("Justification"))
    out = [_("### Waivers"), "", "| " + " | ".join(headers) + " |"]
    out.append("|---|---|---|---|---|---|---|---|")
    for profile, finding in rows:
        waiver = finding.waiver
        assert waiver is not None
        out.append(
            f"| {inline(profile.jurisdiction_name)} ({inline(profile.jurisdiction)}) | {inline(finding.rule_id)} | "
            f"{status_name(finding.status)} | "
            f"{inline(waiver.headline())} | {inline(waiver.accepted_by)} | {format_date(waiver.accepted_on)} | "
            f"{format_date(waiver.expires)} | "
            f"{inline(waiver.justification)} |"
        )
    return [*out, ""]


def _parties_by_rule(results: CheckResults) -> list[str]:
    """Per theme, one line per rule saying which jurisdictions are in which status, for a report to quote."""
    out = [_("## Parties by rule"), ""]
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
    out = [f"#### {title}: **{status_name(finding.status)}**{label}", ""]
    if finding.pack == "builtin":
        source = _("Paper")
    else:
        source = _("Pack {pack} {version}").format(pack=inline(finding.pack), version=inline(finding.pack_version))
    articles = inline(", ".join(_("Art. {article}").format(article=a) for a in finding.articles) or "—")
    questions = _(", questions {questions}.").format(questions=inline(", ".join(finding.questions))) if finding.questions else "."
    out.append(
        _("*Severity:* {severity}. *Convention:* {articles}. ").format(severity=inline(severity_name(finding.severity)), articles=articles)
        + f"*{source}:* {inline(finding.paper_section)}"
        + questions
    )
    out.append("")
    if finding.waiver is not None:
        out += [_("**Waiver:** {waiver}").format(waiver=inline(finding.waiver.describe())), ""]
    out.append(inline(finding.finding))
    out.append("")
    if finding.missing:
        out.append(_("Missing:"))
        out.extend(f"- {inline(m)}" for m in finding.missing)
        out.append("")
    if finding.evidence:
        out.append(_("Evidence:"))
        for e in finding.evidence:
            cite = inline(e.citation or _("no citation given"))
            url = f" {link(e.url)}" if e.url else ""
            note = f" — {inline(e.note)}" if e.note else ""
            out.append(f"- {inline(e.ref)} ({inline(e.answer)}): {cite}{url}{note}")
        out.append("")
    if finding.notes:
        out.append(_("Reservations:"))
        out.extend(f"- {inline(n)}" for n in finding.notes)
        out.append("")
    out.append(_("Recommendation: {text}").format(text=inline(finding.recommendation)))
    out.append("")
    return out
