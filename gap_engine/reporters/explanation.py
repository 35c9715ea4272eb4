"""An explanation (``gap-engine explain``) as an indented text tree for the terminal, or as JSON.

The text wraps at 100 columns and indents each node of the condition under its parent, with the
node's outcome in a fixed-width column, so the reasoning reads top-down the way the rule decides.
"""

from __future__ import annotations

import json
import textwrap

from ..explain import Candidate, ConditionNode, Explanation, FactDetail, OffenceDetail
from ..findings import Status, severity_name
from ..i18n import _, format_date
from .text import LABEL

WIDTH = 100
STEP = 2
COLUMN = 9  # the status column, then the node


def render_json(explanation: Explanation) -> str:
    return json.dumps(explanation.model_dump(mode="json"), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def render_text(explanation: Explanation) -> str:
    e = explanation
    out: list[str] = []
    status = (_("n/a (not applicable)") if e.status is Status.not_applicable else _(LABEL[e.status])) + (f" ({e.label})" if e.label else "")
    _wrap(out, f"{e.rule_id} — {e.title}", 0, hang=2)
    facts = [
        _("pack {pack} {version}").format(pack=e.pack, version=e.pack_version),
        _("theme {theme}").format(theme=e.theme),
        _("severity {severity}").format(severity=severity_name(e.severity)),
    ]
    facts.append(_("Convention articles {articles}").format(articles=", ".join(e.articles)) if e.articles else _("no Convention article"))
    if e.replaces:
        facts.append(_("runs instead of {rules}").format(rules=", ".join(e.replaces)))
    _wrap(out, "; ".join(facts), 1, hang=2)
    heading = _("{name} ({code}) — law as of {as_of}, evaluated on {on} — {source}").format(
        name=e.jurisdiction_name, code=e.jurisdiction, as_of=format_date(e.as_of), on=format_date(e.evaluated_on), source=e.source
    )
    _wrap(out, heading, 0, hang=2)
    out.append(_("Status: {status}").format(status=status))
    if e.precondition is not None:
        out.append("")
        holds = _("holds") if e.precondition.holds else _("does not hold, so the rule is not applicable")
        out.append(_("Applies only if (applies_if): {holds}").format(holds=holds))
        _node(out, e.precondition.condition, 1, e)
    out.append("")
    out.append(_("Condition"))
    _node(out, e.condition, 1, e)
    out.append("")
    _reservations(out, e)
    out.append("")
    out.append(_("What would change the verdict (each change tried: the rule decided again on the changed facts)"))
    for what_if in e.what_if:
        _wrap(out, f"- {what_if.text}", 1, hang=2)
    if e.what_if_note:
        _wrap(out, f"{'' if e.what_if else '- '}{e.what_if_note[0].upper()}{e.what_if_note[1:]}.", 1, hang=2)
    return "\n".join(out) + "\n"


def _wrap(out: list[str], text: str, level: int, hang: int = 0) -> None:
    """Append ``text`` indented by ``level`` steps, continuation lines ``hang`` further in."""
    pad = " " * (level * STEP)
    out.extend(
        textwrap.wrap(text, WIDTH, initial_indent=pad, subsequent_indent=pad + " " * hang, break_long_words=False, break_on_hyphens=False)
        or [pad]
    )


def _detail(out: list[str], text: str, level: int, extra: int = 0, hang: int = 0) -> None:
    """A line of detail under a node at ``level``: aligned with the node's text, past the status column."""
    pad = " " * (level * STEP + COLUMN + extra)
    out.extend(
        textwrap.wrap(text, WIDTH, initial_indent=pad, subsequent_indent=pad + " " * hang, break_long_words=False, break_on_hyphens=False)
    )


def _node(out: list[str], node: ConditionNode, level: int, e: Explanation) -> None:
    head = {"all": "", "any": "", "at_least": "", "offence": "offence: ", "fact": "fact: ", "rule": ""}[node.kind]
    text = head + node.description + (f" (named condition {node.named})" if node.named else "")
    pad = " " * (level * STEP)
    lines = textwrap.wrap(text, WIDTH - len(pad) - COLUMN, break_long_words=False, break_on_hyphens=False, subsequent_indent="") or [""]
    out.append(f"{pad}{_(LABEL[node.status]):<{COLUMN - 1}} {lines[0]}")
    out.extend(f"{pad}{'':<{COLUMN}}{line}" for line in lines[1:])
    if node.explained_by_reservation:
        _detail(out, "explained by a reservation in force, so counted as covered when the reservations are read", level)
    if node.offence is not None:
        _offence(out, node.offence, level)
    if node.fact is not None:
        _fact(out, node.fact, level, e)
    if node.rule is not None:
        rule = node.rule
        label = f" ({rule.label})" if rule.label else ""
        _detail(out, f"rule {rule.rule_id} is {rule.status.value}{label} for this profile — to see why: {rule.explain}", level, hang=2)
    for child in node.children:
        _node(out, child, level + 1, e)


def _offence(out: list[str], offence: OffenceDetail, level: int) -> None:
    if not offence.candidates:
        _detail(out, "no candidate: no listed offence has this conduct", level, hang=2)
    for candidate in offence.candidates:
        _candidate(out, candidate, level)
    _detail(out, f"=> {offence.reading}", level, hang=3)


def _candidate(out: list[str], candidate: Candidate, level: int) -> None:
    role = "decided the element" if candidate.decided else "not the best candidate"
    excluded = f"; excluded by {', '.join(candidate.excluded_by)}" if candidate.excluded_by else ""
    _detail(out, f"candidate {candidate.offence}: {candidate.grade.value} — {role}{excluded}", level, hang=2)
    if candidate.citation:
        _detail(out, candidate.citation, level, extra=2, hang=2)
    _detail(out, _dates(candidate.in_force, candidate.in_force_until), level, extra=2, hang=2)
    for d in candidate.dimensions:
        note = f" ({d.note})" if d.note else ""
        mark = "" if d.grade is Status.covered else "  <- excludes it" if d.grade is Status.gap else f"  <- {d.grade.value}"
        _detail(out, f"- {d.name}: {d.value}{note} (needed {d.needed}){mark}", level, extra=2, hang=2)


def _dates(since: object, until: object) -> str:
    if since is None and until is None:
        return "no in-force date given"
    text = f"in force from {since}" if since is not None else "in force"
    return text + (f" until {until}" if until is not None else "")


def _fact(out: list[str], fact: FactDetail, level: int, e: Explanation) -> None:
    if fact.stated is None:
        _detail(out, f"not stated in the profile: unknown (needed {fact.needed})", level, hang=2)
        return
    _detail(out, f"answer on {e.evaluated_on}: {fact.answer} (needed {fact.needed})", level, hang=2)
    if fact.answer_before_in_force is not None:
        _detail(
            out,
            f"the cited provision is not yet in force ({fact.applies_note}), so the answer before it applies "
            f"(answer_before_in_force: {fact.answer_before_in_force}); the stated answer, from {fact.in_force}, is {fact.stated}",
            level,
            hang=2,
        )
    elif fact.applies_note:
        _detail(out, f"stated answer {fact.stated}, but {fact.applies_note}", level, hang=2)
    if fact.citation:
        _detail(out, f"cited: {fact.citation}; {_dates(fact.in_force, fact.in_force_until)}", level, hang=2)
    else:
        _detail(out, "no citation given", level, hang=2)


def _reservations(out: list[str], e: Explanation) -> None:
    out.append("Reservations considered")
    if not e.reservations:
        _wrap(out, "The rule admits no reservation.", 1)
        return
    if not e.reservations_considered:
        why = "the rule is not applicable" if e.status is Status.not_applicable else "the condition is covered"
        _wrap(out, f"Not read: {why}.", 1)
    for item in e.reservations:
        _wrap(out, f"{item.provision}: {item.permits}", 1, hang=2)
        if not item.made:
            stated = (
                "the Party's reservations are stated" if e.reservations_stated else "the profile does not state the Party's reservations"
            )
            _wrap(out, f"made: none ({stated})", 2, hang=2)
        for made in item.made:
            since = f" since {made.since}" if made.since else ""
            state = f"in force on {e.evaluated_on}{since}" if made.in_force == "yes" else f"not in force on {e.evaluated_on} ({made.note})"
            _wrap(out, f"made: {made.label}, {state}", 2, hang=2)
        for element in item.elements:
            verdict = "explained" if element.explains else "not explained"
            _wrap(out, f"- {element.element}: {verdict} — {element.why}", 2, hang=2)
