"""The checklist as Markdown: for circulating a monitoring round's questions, blank or pre-filled.

Text from the profile and the rule packs goes through ``reporters.md_text``, so a name or citation
never turns into a heading, a link or HTML in the circulated checklist."""

from __future__ import annotations

import re

from ..reporters.md_text import cell, inline
from ..rules import reference_label
from .checklist import Checklist, Item, Question, Theme

TO_ANSWER = "**⚠ to answer**"
_PLAIN_REF = re.compile(r"[A-Za-z0-9_.\-]+")
BLANK_ANSWER = "☐ yes ☐ no ☐ partial ☐ unknown"


def render(checklist: Checklist) -> str:
    lines: list[str] = []
    profile = checklist.profile
    if profile is not None:
        name, code = inline(profile.jurisdiction.name), inline(profile.jurisdiction.code)
        lines.append(f"# Monitoring-round checklist — {name} ({code}), law as of {profile.as_of}")
    else:
        lines.append("# Monitoring-round checklist")
    lines += ["", f"Derived from the gap-engine rules and the paper: *{inline(checklist.paper)}*", ""]
    if profile is not None:
        lines += [
            f"Pre-filled from {inline(checklist.source)}. Items marked {TO_ANSWER} are not stated in the profile: "
            "they are the questions still to answer (a fact not given is unknown, never 'no').",
            "",
        ]
    else:
        lines += ["Blank checklist: answer each item yes / no / partial / unknown and cite the evidence expected.", ""]
    lines += _summary(checklist)
    for theme in checklist.themes:
        lines += _theme(theme, checklist.prefilled)
    return "\n".join(lines).rstrip() + "\n"


def _summary(checklist: Checklist) -> list[str]:
    if not checklist.prefilled:
        lines = ["| # | Theme | Questions |", "|---|---|---|"]
        lines += [f"| {t.number} | {cell(t.title)} | {len(t.questions)} |" for t in checklist.themes]
        return [*lines, ""]
    lines = ["| # | Theme | Questions | Still to answer (items) | Questions with items to answer |", "|---|---|---|---|---|"]
    for t in checklist.themes:
        lines.append(f"| {t.number} | {cell(t.title)} | {len(t.questions)} | {t.open_items} | {t.open_questions} |")
    total_items = sum(t.open_items for t in checklist.themes)
    total_questions = sum(t.open_questions for t in checklist.themes)
    lines.append(f"| | **Total** | {sum(len(t.questions) for t in checklist.themes)} | {total_items} | {total_questions} |")
    return [*lines, ""]


def _theme(theme: Theme, prefilled: bool) -> list[str]:
    lines = [f"## {theme.number}. {inline(theme.title)}", "", f"*Paper section: {inline(theme.section)}*", ""]
    if prefilled:
        counts = f"**{theme.open_items}** items in {theme.open_questions} of {len(theme.questions)} questions"
        lines += [f"Still to answer in this theme: {counts}.", ""]
    for question in theme.questions:
        lines += _question(question, prefilled)
    return lines


def _question(question: Question, prefilled: bool) -> list[str]:
    pack = "" if question.pack == "builtin" else f" \\[{inline(question.pack)}\\]"
    lines = [f"### {question.number} {inline(question.rule_id)} — {inline(question.title)}{pack}", ""]
    for ref, text in question.questions:
        lines.append(f"- {inline(reference_label(ref))}: **{inline(ref)}** — {inline(text)}")
    lines.append(f"- Convention articles: {inline(', '.join(question.articles)) if question.articles else '—'}")
    lines.append(f"- Severity: {inline(question.severity)}")
    lines.append(f"- Evidence expected: {inline(question.evidence_expected)}")
    if prefilled and question.status is not None:
        lines.append(f"- Current status of {inline(question.rule_id)}: **{question.status.value}**")
    if prefilled and question.waiver is not None:
        lines.append(f"- Waiver: {inline(question.waiver.describe())}")
    lines.append("")
    if prefilled:
        lines += ["| | Item | Answer | Evidence cited |", "|---|---|---|---|"]
        lines += [_prefilled_row(index, item) for index, item in enumerate(question.items)]
    else:
        lines += ["| | Item | Answer | Evidence (instrument, provision, URL, date in force) |", "|---|---|---|---|"]
        lines += [f"| {_letter(index)} | {_prompt(item)} | {BLANK_ANSWER} | |" for index, item in enumerate(question.items)]
    return [*lines, ""]


def _letter(index: int) -> str:
    return chr(ord("a") + index) if index < 26 else str(index + 1)


def _prompt(item: Item) -> str:
    """The item's prompt as Markdown (its fact path shown in a code span, which holds only [a-z0-9_.])."""
    text = cell(item.prompt)
    if item.kind == "fact":
        text += f" (`{item.ref}`)" if _PLAIN_REF.fullmatch(item.ref) else f" ({inline(item.ref)})"
    return ("Precondition: " + text) if item.precondition else text


def _prefilled_row(index: int, item: Item) -> str:
    answer = cell(item.answer or "—")
    if item.to_answer:
        answer = f"{TO_ANSWER} ({answer})"
    elif item.kind == "fact" and item.status is not None and item.status.value != "covered":
        answer = f"{answer} → {item.status.value}"
    evidence = "; ".join(c.label() for c in item.evidence)
    if item.note:
        evidence = f"{evidence} — note: {item.note}" if evidence else f"note: {item.note}"
    if item.missing and (item.kind == "offence" or not item.to_answer):
        evidence = f"{evidence} — missing: {item.missing}" if evidence else f"missing: {item.missing}"
    return f"| {_letter(index)} | {_prompt(item)} | {answer} | {cell(evidence)} |"
