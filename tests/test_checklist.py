"""The monitoring-round checklist: structure, numbering, pre-filled answers and the count of unknowns."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, minimal_profile
from openpyxl import load_workbook

from gap_engine.cli import main
from gap_engine.rules import load_rules, paper


@pytest.fixture(scope="module")
def catalogue() -> Any:
    return load_rules()


def _markdown(runner: Any, *args: str) -> str:
    result = runner.invoke(main, ["checklist", *args, "--format", "markdown", "--engine", "python"])
    assert result.exit_code == 0, result.output
    return result.output


def _sections(text: str) -> dict[str, str]:
    """Each question's block (from its ### heading to the next heading), by rule ID."""
    blocks = re.split(r"\n(?=###? )", text)
    out = {}
    for block in blocks:
        match = re.match(r"### [\d.]+ ([A-Z0-9]+-\d{3}) — ", block)
        if match:
            out[match.group(1)] = block
    return out


def test_blank_checklist_numbers_questions_by_theme_in_the_papers_order(runner: Any, catalogue: Any) -> None:
    text = _markdown(runner)
    themes = [t for t in paper()["themes"] if any(r.theme == t["id"] for r in catalogue.rules)]
    headings = re.findall(r"^## (\d+)\. (.+)$", text, flags=re.MULTILINE)
    numbers = {t["id"]: i for i, t in enumerate(paper()["themes"], start=1)}
    assert headings == [(str(numbers[t["id"]]), t["title"]) for t in themes]
    questions = re.findall(r"^### (\d+)\.(\d+) ([A-Z0-9]+-\d{3}) — (.+)$", text, flags=re.MULTILINE)
    assert [q[2] for q in questions] == [r.id for r in catalogue.rules]
    for loaded, (theme_no, index, _rule_id, title) in zip(catalogue.rules, questions, strict=True):
        assert int(theme_no) == numbers[loaded.theme] and title == loaded.rule.title
        siblings = [r.id for r in catalogue.rules if r.theme == loaded.theme]
        assert int(index) == siblings.index(loaded.id) + 1
    assert "Current status" not in text and "to answer**" not in text


def test_each_question_carries_its_food_for_thought_articles_and_evidence_expected(runner: Any, catalogue: Any) -> None:
    sections = _sections(_markdown(runner))
    texts = paper()["reference_texts"]
    paper_questions = {q["id"] for q in paper()["questions"]}
    for loaded in catalogue.rules:
        block = sections[loaded.id]
        for ref in loaded.rule.questions:
            label = "Food for thought" if ref in paper_questions else "Committee Declaration of 7 November 2024"
            assert f"- {label}: **{ref}** — {texts[ref]}" in block
        assert f"- Convention articles: {', '.join(loaded.rule.articles) or '—'}" in block
        assert "- Evidence expected: " in block and "URL" in block and "date in force" in block
        facts = [leaf.fact for leaf in loaded.rule.condition.leaves() if leaf.fact]
        for fact in facts:
            assert f"(`{fact}`) | ☐ yes ☐ no ☐ partial ☐ unknown |" in block


def test_prefilled_checklist_shows_answers_evidence_and_rule_status(runner: Any, tmp_path: Path, catalogue: Any) -> None:
    import json

    profile = minimal_profile(
        regulation={
            "platforms": {
                "hash_sharing": {
                    "answer": "yes",
                    "citation": {
                        "instrument": "Online Safety Act",
                        "provision": "s. 12",
                        "url": "https://example.org/osa#12",
                        "in_force": "2023-05-01",
                    },
                },
                "removal_deadline": "no",
            }
        }
    )
    path = tmp_path / "testland.yaml"
    path.write_text(json.dumps(profile))  # JSON is YAML
    text = _markdown(runner, str(path))
    assert text.startswith("# Monitoring-round checklist — Testland (XT), law as of 2024-10-01\n")
    rows = [line for line in text.splitlines() if "(`regulation.platforms.hash_sharing`)" in line]
    users = [r for r in catalogue.rules if any(leaf.fact == "regulation.platforms.hash_sharing" for leaf in r.rule.condition.leaves())]
    assert len(rows) == len(users) >= 1
    for row in rows:
        assert "| yes |" in row and "Online Safety Act, s. 12 (https://example.org/osa#12; in force 2023-05-01)" in row
    removal = [line for line in text.splitlines() if "(`regulation.platforms.removal_deadline`)" in line]
    assert removal and all("| no → gap |" in row for row in removal)
    sections = _sections(text)
    for loaded in users:
        assert re.search(
            rf"- Current status of {loaded.id}: \*\*(covered|partial|gap|unknown|reserved|not_applicable)\*\*", sections[loaded.id]
        )


def test_unknowns_are_highlighted_and_counted_per_theme(runner: Any) -> None:
    text = _markdown(runner, str(FIXTURES / "nescia_unknown.yaml"))
    summary = re.findall(r"^\| (\d+) \| ([^|]+) \| (\d+) \| (\d+) \| (\d+) \|$", text, flags=re.MULTILINE)
    assert summary
    for number, title, questions, open_items, open_questions in summary:
        body = text.split(f"\n## {number}. {title.strip()}\n", 1)[1].split("\n## ", 1)[0]
        rows = [line for line in body.splitlines() if re.match(r"^\| [a-z] \| ", line)]
        flagged = [line for line in rows if "**⚠ to answer**" in line]
        assert int(open_items) == len(flagged) == len(rows)  # Nescia states nothing: every item is still to answer
        assert int(open_questions) == int(questions)
        assert f"Still to answer in this theme: **{open_items}** items in {open_questions} of {questions} questions." in body
    total = re.search(r"^\| \| \*\*Total\*\* \| (\d+) \| (\d+) \| (\d+) \|$", text, flags=re.MULTILINE)
    assert total and int(total.group(2)) == sum(int(row[3]) for row in summary)


def test_a_complete_profile_leaves_nothing_to_answer(runner: Any) -> None:
    text = _markdown(runner, str(FIXTURES / "examplia_complete.yaml"))
    assert not [line for line in text.splitlines() if line.startswith("| ") and "**⚠ to answer**" in line]
    assert re.search(r"^\| \| \*\*Total\*\* \| \d+ \| 0 \| 0 \|$", text, flags=re.MULTILINE)
    statuses = re.findall(r"- Current status of [A-Z0-9-]+: \*\*(\w+)\*\*", text)
    assert statuses and set(statuses) == {"covered"}
    assert "Examplia Criminal Code, Art. 200 — Child sexual abuse material (https://example.org/cc#200; in force 2020-01-01)" in text


def test_theme_filter_keeps_the_papers_numbering(runner: Any, catalogue: Any) -> None:
    text = _markdown(runner, "--theme", "iot", "--theme", "generative_ai")
    number = {t["id"]: i for i, t in enumerate(paper()["themes"], start=1)}
    headings = re.findall(r"^## (\d+)\. ", text, flags=re.MULTILINE)
    assert headings == [str(number["generative_ai"]), str(number["iot"])]
    ids = re.findall(r"^### [\d.]+ ([A-Z0-9]+-\d{3}) ", text, flags=re.MULTILINE)
    assert ids == [r.id for r in catalogue.rules if r.theme in ("generative_ai", "iot")]


def test_checklist_usage_errors_exit_2(runner: Any) -> None:
    unknown = runner.invoke(main, ["checklist", "--theme", "iott", "--format", "markdown"])
    assert unknown.exit_code == 2 and "Error: --theme: unknown theme 'iott' (known: generative_ai," in unknown.output
    neither = runner.invoke(main, ["checklist"])
    assert neither.exit_code == 2 and "choose one of --xlsx FILE or --format markdown" in neither.output


def test_xlsx_checklist_has_a_row_per_item_and_highlights_the_unknowns(runner: Any, tmp_path: Path) -> None:
    target = tmp_path / "checklist.xlsx"
    fixture = FIXTURES / "nescia_unknown.yaml"
    result = runner.invoke(main, ["checklist", str(fixture), "--xlsx", str(target), "--engine", "python"])
    assert result.exit_code == 0, result.output
    markdown = _markdown(runner, str(fixture))
    workbook = load_workbook(target)
    sheet = workbook["Checklist"]
    headers = [c.value for c in sheet[1]]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    item_rows = [line for line in markdown.splitlines() if re.match(r"^\| [a-z] \| ", line)]
    assert len(rows) == len(item_rows)
    to_answer = headers.index("To answer")
    assert {row[to_answer] for row in rows} == {"yes"}
    assert sheet.cell(row=2, column=1).fill.fgColor.rgb.endswith("FFF2A8")
    summary = workbook["Summary"]
    counts = {row[1]: row[3] for row in summary.iter_rows(min_row=5, values_only=True) if row[0]}
    themes = [row[headers.index("Theme")] for row in rows]
    assert counts == {title: themes.count(title) for title in dict.fromkeys(themes)}


def test_the_xlsx_checklist_does_not_look_fillable(runner: Any, tmp_path: Path) -> None:
    target = tmp_path / "checklist.xlsx"
    assert runner.invoke(main, ["checklist", "--xlsx", str(target)]).exit_code == 0
    workbook = load_workbook(target)
    assert all(workbook[name].protection.sheet for name in ("Summary", "Checklist"))
    assert "Answer" not in [c.value for c in workbook["Checklist"][1]] and "Answer in the profile" in [
        c.value for c in workbook["Checklist"][1]
    ]
    assert "gap-engine template --xlsx FILE" in workbook["Summary"].cell(row=3, column=1).value


def test_the_xlsx_checklist_is_byte_identical_across_runs(runner: Any, tmp_path: Path) -> None:
    outputs = []
    for name in ("one.xlsx", "two.xlsx"):
        target = tmp_path / name
        args = ["checklist", str(FIXTURES / "examplia_complete.yaml"), "--xlsx", str(target), "--engine", "python"]
        assert runner.invoke(main, args).exit_code == 0
        outputs.append(target.read_bytes())
    assert outputs[0] == outputs[1]
