"""The checklist as Markdown: for circulating a monitoring round's questions, blank or pre-filled.

Text from the profile and the rule packs goes through ``md_text``, so a name or citation
never turns into a heading, a link or HTML in the circulated checklist."""

from __future__ import annotations

import re

from ..findings import severity_name, status_name
from ..i18n import N_, _, format_date
from ..md_text import cell, inline
from ..rules import reference_label
from .checklist import Checklist, Item, Question, Theme
from .values import choice_label

TO_ANSWER = N_("**⚠ to answer**")
_PLAIN_REF = re.compile(r"[A-Za-z0-9_.\-]+")


def blank_answer() -> str:
    """``☐ yes ☐ no ☐ partial ☐ unknown``, the answer words in the current language."""
    from ..i18n import language

    return " ".join(f"☐ {choice_label(a, language())}" for a in ("yes", "no", "partial", "unknown"))


def render(checklist: Checklist) -> str:
    lines: list[str] = []
    profile = checklist.profile
    if profile is not None:
        lines.append(
            _("# Monitoring-round checklist — {name} ({code}), law as of {date}").format(
                name=inline(profile.jurisdiction.name), code=inline(profile.jurisdiction.code), date=format_date(profile.as_of)
            )
        )
    else:
        lines.append(_("# Monitoring-round checklist"))
    lines += ["", _("Derived from the gap-engine rules and the paper: *{paper}*").format(paper=inline(checklist.paper)), ""]
    if profile is not None:
        lines += [
            _(
                "Pre-filled from {source}. Items marked {mark} are not stated in the profile: "
                "they are the questions still to answer (a fact not given is unknown, never 'no')."
            ).format(source=inline(checklist.source), mark=_(TO_ANSWER)),
            "",
        ]
    else:
        lines += [_("Blank checklist: answer each item yes / no / partial / unknown and cite the evidence expected."), ""]
    lines += _summary(checklist)
    for theme in checklist.themes:
        lines += _theme(theme, checklist.prefilled)
    return "\n".join(lines).rstrip() + "\n"


def _summary(checklist: Checklist) -> list[str]:
    if not checklist.prefilled:
        lines = ["| # | " + _("Theme") + " | " + _("Questions") + " |", "|---|---|---|"]
        lines += [f"| {t.number} | {cell(t.title)} | {len(t.questions)} |" for t in checklist.themes]
        return [*lines, ""]
    headers = (_("Theme"), _("Questions"), _("Still to answer (items)"), _("Questions with items to answer"))
    lines = ["| # | " + " | ".join(headers) + " |", "|---|---|---|---|---|"]
    for t in checklist.themes:
        lines.append(f"| {t.number} | {cell(t.title)} | {len(t.questions)} | {t.open_items} | {t.open_questions} |")
    total_items = sum(t.open_items for t in checklist.themes)
    total_questions = sum(t.open_questions for t in checklist.themes)
    total = _("Total")
    lines.append(f"| | **{total}** | {sum(len(t.questions) for t in checklist.themes)} | {total_items} | {total_questions} |")
    return [*lines, ""]


def _theme(theme: Theme, prefilled: bool) -> list[str]:
    lines = [
        f"## {theme.number}. {inline(theme.title)}",
        "",
        "*" + _("Paper section: {section}").format(section=inline(theme.section)) + "*",
        "",
    ]
    if prefilled:
        counts = _("**{items}** items in {open} of {total} questions").format(
            items=theme.open_items, open=theme.open_questions, total=len(theme.questions)
        )
        lines += [_("Still to answer in this theme: {counts}.").format(counts=counts), ""]
    for question in theme.questions:
        lines += _question(question, prefilled)
    return lines


def _question(question: Question, prefilled: bool) -> list[str]:
    pack = "" if question.pack == "builtin" else f" \\[{inline(question.pack)}\\]"
    lines = [f"### {question.number} {inline(question.rule_id)} — {inline(question.title)}{pack}", ""]
    for ref, text in question.questions:
        lines.append(f"- {inline(reference_label(ref))}: **{inline(ref)}** — {inline(text)}")
    articles = inline(", ".join(question.articles)) if question.articles else "—"
    lines.append("- " + _("Convention articles: {articles}").format(articles=articles))
    lines.append("- " + _("Severity: {severity}").format(severity=inline(severity_name(question.severity))))
    lines.append("- " + _("Evidence expected: {evidence}").format(evidence=inline(question.evidence_expected)))
    if prefilled and question.status is not None:
        status = status_name(question.status)
        lines.append("- " + _("Current status of {rule}: **{status}**").format(rule=inline(question.rule_id), status=inline(status)))
    if prefilled and question.waiver is not None:
        lines.append("- " + _("Waiver: {waiver}").format(waiver=inline(question.waiver.describe())))
    lines.append("")
    if prefilled:
        lines += ["| | " + _("Item") + " | " + _("Answer") + " | " + _("Evidence cited") + " |", "|---|---|---|---|"]
        lines += [_prefilled_row(index, item) for index, item in enumerate(question.items)]
    else:
        evidence = _("Evidence (instrument, provision, URL, date in force)")
        lines += ["| | " + _("Item") + " | " + _("Answer") + f" | {evidence} |", "|---|---|---|---|"]
        blank = blank_answer()
        lines += [f"| {_letter(index)} | {_prompt(item)} | {blank} | |" for index, item in enumerate(question.items)]
    return [*lines, ""]


def _letter(index: int) -> str:
    return chr(ord("a") + index) if index < 26 else str(index + 1)


def _prompt(item: Item) -> str:
    """The item's prompt as Markdown (its fact path shown in a code span, which holds only [a-z0-9_.])."""
    text = cell(item.prompt)
    if item.kind == "fact":
        text += f" (`{item.ref}`)" if _PLAIN_REF.fullmatch(item.ref) else f" ({inline(item.ref)})"
    return _("Precondition: {text}").format(text=text) if item.precondition else text


def _prefilled_row(index: int, item: Item) -> str:
    answer = cell(item.answer or "—")
    if item.to_answer:
        answer = f"{_(TO_ANSWER)} ({answer})"
    elif item.kind == "fact" and item.status is not None and item.status.value != "covered":
        answer = f"{answer} → {status_name(item.status)}"
    evidence = "; ".join(c.label() for c in item.evidence)
    if item.note:
        note = _("note: {note}").format(note=item.note)
        evidence = f"{evidence} — {note}" if evidence else note
    if item.missing and (item.kind == "offence" or not item.to_answer):
        missing = _("missing: {missing}").format(missing=item.missing)
        evidence = f"{evidence} — {missing}" if evidence else missing
    return f"| {_letter(index)} | {_prompt(item)} | {answer} | {cell(evidence)} |"
