"""Traceability (paper -> rules) and the generated rule catalogue (docs/rules.md).

Both are derived from the rule files and ``paper.yaml`` only, so they cannot drift from the
rules: a test regenerates docs/rules.md and compares it with the committed file.
"""

from __future__ import annotations

from dataclasses import dataclass

from .rules import Condition, RuleCatalogue, paper


@dataclass(frozen=True)
class TraceRow:
    question_id: str
    theme: str
    text: str
    policy: bool
    rule_ids: tuple[str, ...]


def trace(catalogue: RuleCatalogue) -> list[TraceRow]:
    """One row per food-for-thought question or cross-cutting theme, then per point of the Committee's
    texts that follow the paper up, with the rules serving it."""
    data = paper()
    rows = []
    for question in data["questions"]:
        rule_ids = tuple(r.id for r in catalogue.rules if question["id"] in r.rule.questions)
        rows.append(TraceRow(question["id"], question["theme"], question["text"], bool(question.get("policy")), rule_ids))
    for text in data["committee_texts"]:
        for point in text["points"]:
            rule_ids = tuple(r.id for r in catalogue.rules if point["id"] in r.rule.questions)
            rows.append(TraceRow(point["id"], text["id"], point["text"], False, rule_ids))
    return rows


def _group_titles() -> dict[str, str]:
    data = paper()
    return {t["id"]: t["title"] for t in data["themes"]} | {t["id"]: t["title"] for t in data["committee_texts"]}


def render_trace(rows: list[TraceRow]) -> str:
    lines = []
    titles = _group_titles()
    current = None
    for row in rows:
        if row.theme != current:
            current = row.theme
            lines.append(titles[row.theme])
        text = row.text if len(row.text) <= 90 else row.text[:87] + "..."
        served = ", ".join(row.rule_ids) if row.rule_ids else "NO RULE"
        policy = " (policy; checkable part)" if row.policy else ""
        lines.append(f"  {row.question_id:<8} {served}{policy}")
        lines.append(f"           {text}")
    missing = [r.question_id for r in rows if not r.rule_ids]
    lines.append("")
    lines.append(
        f"{len(rows) - len(missing)} of {len(rows)} questions, themes and Committee points served"
        + (f"; none for {', '.join(missing)}" if missing else "")
    )
    return "\n".join(lines) + "\n"


def describe_condition(condition: Condition, depth: int = 0) -> list[str]:
    """The condition in plain words, as nested Markdown bullets.

    Named conditions (``use: NAME``) were expanded when the file was loaded; they are shown
    expanded, with their name, so a reader never has to look the name up.
    """
    pad = "  " * depth
    named = f" (named condition `{condition.named}`)" if condition.named else ""
    children = condition.children
    if children is not None:
        if condition.at_least is not None:
            head = f"at least {condition.at_least} of:"
        else:
            head = "all of:" if condition.all is not None else "any of:"
        lines = [f"{pad}- {head}{named}"]
        for child in children:
            lines += describe_condition(child, depth + 1)
        return lines
    if condition.offence is not None:
        return [f"{pad}- a listed offence covers {condition.offence.describe()}{named}"]
    if condition.rule is not None:
        return [f"{pad}- rule {condition.rule} is covered{named}"]
    return [f"{pad}- `{condition.fact}` is {condition.good.value}{named}"]


def render_catalogue(catalogue: RuleCatalogue) -> str:
    data = paper()
    out = [
        "# Rule catalogue",
        "",
        "Generated from `rules/*.yaml` by `gap-engine rules docs`; do not edit by hand (a test fails when it is out of date).",
        "",
        f"Source paper: {data['paper']}",
        "",
        *[f"Committee text: {text['title']}, {text['url']}" for text in data["committee_texts"]],
        "",
        f"{len(catalogue.rules)} rules"
        + (f"; {len(catalogue.retired)} retired IDs, never reused (see the end)." if catalogue.retired else "."),
        "",
    ]
    for theme in data["themes"]:
        members = [r for r in catalogue.rules if r.theme == theme["id"]]
        if not members:
            continue
        out += [f"## {theme['title']}", "", f"Paper section: {theme['section']}", ""]
        for loaded in members:
            rule = loaded.rule
            out += [f"### {rule.id} — {rule.title}", ""]
            out.append(f"- **Severity:** {rule.severity.value}")
            out.append(f"- **Convention articles:** {', '.join(rule.articles) or '—'}")
            out.append(f"- **Serves:** {', '.join(rule.questions)}")
            if rule.reservable:
                out.append(f"- **A gap is explained by a reservation under:** {', '.join('Article ' + r.key for r in rule.reservable)}")
            out.append("- **Condition:**")
            out += ["  " + line for line in describe_condition(rule.condition)]
            if rule.applies_if is not None:
                out.append("- **Applies only if** (otherwise not applicable):")
                out += ["  " + line for line in describe_condition(rule.applies_if)]
            if rule.labels:
                out.append(f"- **Labels:** {', '.join(f'{status.value}: {label}' for status, label in rule.labels.items())}")
            out.append(f"- **Cases:** {', '.join(f'`{c.name}` ({c.expect.value})' for c in rule.cases)}")
            out += ["", rule.finding.strip(), "", f"*Recommendation:* {rule.recommendation.strip()}", ""]
    if catalogue.retired:
        out += ["## Retired rule IDs", "", "| ID | Replaced by | Why |", "|---|---|---|"]
        out += [f"| {r.id} | {', '.join(r.replaced_by) or '—'} | {' '.join(r.reason.split())} |" for r in catalogue.retired]
    return "\n".join(out).rstrip() + "\n"
