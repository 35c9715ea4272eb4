"""The CLI: exit codes, output shapes, and the README and docs staying true to the code."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from gap_engine import __version__, api
from gap_engine.catalogue_docs import render_catalogue, trace
from gap_engine.cli import ENGINES, FORMATS, main
from gap_engine.reporters import REPORTERS
from gap_engine.rules import load_rules
from tests.conftest import FIXTURES, ROOT

EXAMPLIA = str(FIXTURES / "examplia_complete.yaml")
NESCIA = str(FIXTURES / "nescia_unknown.yaml")


def run(runner: CliRunner, *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(main, list(args), catch_exceptions=False)


def test_version(runner: CliRunner) -> None:
    result = run(runner, "--version")
    assert result.exit_code == 0 and __version__ in result.output


def test_check_text_groups_by_jurisdiction_and_theme(runner: CliRunner) -> None:
    result = run(runner, "check", NESCIA, EXAMPLIA)
    assert result.exit_code == 0
    out = result.output
    assert out.index("Examplia (XA)") < out.index("Nescia (XB)")  # sorted by jurisdiction code
    assert "Generative AI" in out and "GAI-001" in out
    assert "UNKNOWN" in out and "covered" in out


def test_check_json_shape(runner: CliRunner) -> None:
    result = run(runner, "check", EXAMPLIA, "--format", "json")
    data = json.loads(result.output)
    assert data["schema_version"] == 4
    assert set(data) >= {"tool_version", "rules_version", "rules_hash", "engine", "profiles"}
    finding = data["profiles"][0]["findings"][0]
    assert set(finding) >= {"rule_id", "status", "severity", "evidence", "missing", "articles", "questions", "finding", "recommendation"}
    assert data["profiles"][0]["jurisdiction"] == "XA"


@pytest.mark.parametrize(
    ("profile", "fail_on", "code"),
    [(NESCIA, "unknown", 1), (NESCIA, "partial", 0), (NESCIA, "gap", 0), (EXAMPLIA, "unknown", 0), (EXAMPLIA, "gap", 0)],
)
def test_fail_on_exit_codes(runner: CliRunner, profile: str, fail_on: str, code: int) -> None:
    assert run(runner, "check", profile, "--fail-on", fail_on).exit_code == code


def test_bad_profile_exits_2_with_located_errors(runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("jurisdiction: {code: XT, name: T}\nas_of: 2024-10-01\nfictional: true\nprogrammes:\n  educaton: yes\n")
    result = run(runner, "check", str(bad))
    assert result.exit_code == 2
    assert f"Error: {bad}:5:3: programmes.educaton: unknown field 'educaton' (did you mean 'education'?)" in result.output


def test_validate(runner: CliRunner, tmp_path: Path) -> None:
    assert run(runner, "validate", EXAMPLIA).output.startswith("ok: ")
    result = run(runner, "validate", EXAMPLIA, str(tmp_path / "missing.yaml"))
    assert result.exit_code == 2 and "missing.yaml: file not found" in result.output


def test_output_onto_an_input_is_refused_and_the_input_kept(runner: CliRunner, tmp_path: Path) -> None:
    profile = tmp_path / "p.yaml"
    profile.write_text(Path(NESCIA).read_text())
    before = profile.read_bytes()
    result = run(runner, "check", str(profile), "-o", str(profile))
    assert result.exit_code == 2 and "output path is one of the inputs" in result.output
    assert profile.read_bytes() == before


def test_output_file_is_written(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "report.md"
    assert run(runner, "check", EXAMPLIA, "--format", "markdown", "-o", str(target)).exit_code == 0
    assert target.read_text().startswith("# gap-engine report")


def test_rules_list_and_test(runner: CliRunner) -> None:
    listing = run(runner, "rules", "list").output
    assert re.search(r"^GAI-001\s+generative_ai\s+obligation", listing, re.M)
    result = run(runner, "rules", "test")
    assert result.exit_code == 0 and "rule cases pass" in result.output


def test_rules_trace_serves_every_question(runner: CliRunner) -> None:
    result = run(runner, "rules", "trace")
    assert result.exit_code == 0, result.output
    assert "NO RULE" not in result.output


def test_trace_reports_unserved_questions() -> None:
    rows = trace(load_rules())
    assert len(rows) == 36  # 22 food-for-thought questions + 9 cross-cutting themes + 5 Declaration points
    assert [r.question_id for r in rows if r.rule_ids] == [r.question_id for r in rows]
    assert [r.question_id for r in rows if r.theme == "declaration_2024"] == [f"DECL-{n}" for n in range(1, 6)]


def test_trace_shows_the_declaration_points_beside_the_papers_questions(runner: CliRunner) -> None:
    output = run(runner, "rules", "trace").output
    assert "Declaration on the protection of children against sexual exploitation and sexual abuse facilitated" in output
    assert output.index("CC-T9") < output.index("DECL-1") < output.index("DECL-5")


def test_schema_commands(runner: CliRunner) -> None:
    profile_schema = json.loads(run(runner, "schema").output)
    assert profile_schema["title"] == "gap-engine national legislation profile"
    results_schema = json.loads(run(runner, "schema", "--results").output)
    assert "profiles" in results_schema["properties"] and "packs" in results_schema["properties"]
    rule_schema = json.loads(run(runner, "schema", "--rules").output)
    assert rule_schema["title"] == "gap-engine rule file" and {"theme", "rules", "retired"} <= set(rule_schema["properties"])
    pack_schema = json.loads(run(runner, "schema", "--pack").output)
    assert {"id", "version", "source", "licence", "themes", "questions"} <= set(pack_schema["properties"])


def test_cli_choices_mirror_the_library() -> None:
    assert set(FORMATS) == set(REPORTERS) | {"jsonl"}
    assert set(ENGINES) == set(api.ENGINES)


def _commands(group: click.Group, prefix: str = "gap-engine") -> list[str]:
    names = []
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            names += _commands(command, f"{prefix} {name}")
        else:
            names.append(f"{prefix} {name}")
    return names


def test_readme_documents_every_command() -> None:
    readme = (ROOT / "README.md").read_text()
    for command in _commands(main):
        assert f"`{command}" in readme, f"README does not document {command}"
    assert "make demo" in readme and "make test" in readme


def test_docs_rules_md_is_up_to_date() -> None:
    committed = (ROOT / "docs" / "rules.md").read_text()
    assert committed == render_catalogue(load_rules()), "run `make docs` to regenerate docs/rules.md"


def test_ci_runs_make_test() -> None:
    assert "make test" in (ROOT / ".ci" / "run").read_text()


@pytest.mark.slow
def test_wheel_ships_the_rules_and_runs_from_any_directory(tmp_path: Path) -> None:
    """A plain (non-editable) install must find the built-in rules inside the package."""
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path / "dist"), str(ROOT)],
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp_path / "dist").glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "gap_engine/rules/generative_ai.yaml" in names and "gap_engine/paper.yaml" in names
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = subprocess.run(
        [sys.executable, "-c", "from gap_engine.cli import main; main()", "check", EXAMPLIA, "--format", "json"],
        capture_output=True,
        text=True,
        cwd=elsewhere,
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert len(data["profiles"][0]["findings"]) == len(load_rules().rules)


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("profile.schema.json", ["schema"]),
        ("results.schema.json", ["schema", "--results"]),
        ("rule-file.schema.json", ["schema", "--rules"]),
        ("pack.schema.json", ["schema", "--pack"]),
    ],
)
def test_published_schemas_are_up_to_date(runner: CliRunner, name: str, args: list[str]) -> None:
    committed = (ROOT / "docs" / name).read_text()
    assert committed == run(runner, *args).output, "run `make docs` to regenerate the published schemas"


def test_two_outputs_onto_one_file_are_refused(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "out.xlsx"
    result = run(runner, "check", EXAMPLIA, "-o", str(target), "--xlsx", str(target))
    assert result.exit_code == 2 and "the same file is named for two outputs" in result.output
    assert not target.exists()
