"""The CLI conventions users know from ruff, Checkov and pytest: chatter on stderr and --quiet, colour
only where wanted (NO_COLOR, --color), a progress bar only on a terminal, one registry of formats,
shell completion."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from gap_engine import cli, reporters
from gap_engine.cli import main
from gap_engine.terminal import colour_choice
from tests.conftest import FIXTURES, ROOT, minimal_profile

NL = str(FIXTURES / "nl_netherlands.yaml")  # gaps, partials and covered findings
NESCIA = str(FIXTURES / "nescia_unknown.yaml")  # unknowns
EXAMPLIA = str(FIXTURES / "examplia_complete.yaml")
ENGINE = ("--engine", "python")
RED_BOLD, GREY = "\x1b[31m\x1b[1m", "\x1b[90m"
OUR_ESCAPES = re.compile(r"\x1b\[[0-9;]*m")


def invoke(*args: str | Path, color: bool = False, env: dict[str, str] | None = None) -> Any:
    """Run the CLI; ``color=True`` is click's way of simulating a terminal (ANSI codes kept on stdout)."""
    environment = {"NO_COLOR": "", "FORCE_COLOR": "", **(env or {})}  # the developer's own shell must not decide the test
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False, color=color, env=environment)


def profiles(directory: Path, count: int) -> list[Path]:
    """``count`` quick profiles of distinct jurisdictions (two-letter codes XA.., YA..)."""
    paths = []
    for i in range(count):
        code = "XYZW"[i // 26] + chr(ord("A") + i % 26)
        path = directory / f"p{i:03d}.yaml"
        path.write_text(json.dumps(minimal_profile(jurisdiction={"code": code, "name": f"Land {i}"})), encoding="utf-8")
        paths.append(path)
    return paths


# --- streams: reports on stdout, confirmations and notices on stderr ---------------------------------------


def test_validate_confirms_on_stderr_and_leaves_stdout_empty() -> None:
    result = invoke("validate", EXAMPLIA)
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr.startswith(f"ok: {EXAMPLIA} (Examplia")


def test_quiet_hides_ok_but_never_an_error(tmp_path: Path) -> None:
    assert invoke("-q", "validate", EXAMPLIA).stderr == ""
    assert invoke("validate", "--quiet", EXAMPLIA).stderr == "", "--quiet is accepted on the command too"
    result = invoke("--quiet", "validate", EXAMPLIA, tmp_path / "missing.yaml")
    assert result.exit_code == 2
    assert "ok:" not in result.stderr
    assert f"Error: {tmp_path / 'missing.yaml'}: file not found" in result.stderr


def test_quiet_hides_the_import_confirmation(tmp_path: Path) -> None:
    workbook, output = tmp_path / "q.xlsx", tmp_path / "out.yaml"
    assert invoke("template", "--xlsx", workbook, "--from", EXAMPLIA).exit_code == 0
    loud = invoke("import", workbook, "-o", output)
    assert loud.exit_code == 0 and f"ok: {output}" in loud.stderr and loud.stdout == ""
    quiet = invoke("import", workbook, "-o", tmp_path / "again.yaml", "-q")
    assert quiet.exit_code == 0 and quiet.stderr == "" and (tmp_path / "again.yaml").read_text() == output.read_text()


def test_quiet_hides_waiver_warnings_and_keeps_the_report(tmp_path: Path) -> None:
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(
        "waivers:\n  - jurisdiction: DE\n    rule: GAI-011\n    justification: Bill before Parliament.\n"
        "    accepted_by: Ministry of Justice\n    accepted_on: 2024-06-01\n    expires: 2025-06-30\n",
        encoding="utf-8",
    )
    loud = invoke("check", NL, *ENGINE, "--waivers", waivers)
    assert loud.exit_code == 0 and "warning: " in loud.stderr and "no profile of DE was checked" in loud.stderr
    quiet = invoke("-q", "check", NL, *ENGINE, "--waivers", waivers)
    assert quiet.exit_code == 0 and quiet.stderr == ""
    assert quiet.stdout == loud.stdout


def test_quiet_keeps_exit_codes() -> None:
    assert invoke("-q", "check", NESCIA, *ENGINE, "--fail-on", "unknown").exit_code == 1
    assert invoke("-q", "check", "--no-builtin", NESCIA).exit_code == 2


# --- colour ------------------------------------------------------------------------------------------------


def test_status_words_are_coloured_on_a_terminal() -> None:
    coloured = invoke("check", NL, *ENGINE, color=True).stdout
    gap_line = next(line for line in coloured.splitlines() if "GAI-011" in line)
    assert gap_line.startswith(f"    {RED_BOLD}GAP")
    assert f"{GREY}UNKNOWN" in invoke("check", NESCIA, *ENGINE, color=True).stdout


def test_a_pipe_gets_no_colour_and_the_same_text() -> None:
    piped = invoke("check", NL, *ENGINE).stdout
    assert "\x1b" not in piped
    assert click.unstyle(invoke("check", NL, *ENGINE, color=True).stdout) == piped


def test_no_color_strips_colour_on_a_terminal_even_with_color_auto() -> None:
    for args in ((), ("--color", "auto")):
        result = invoke("check", NL, *ENGINE, *args, color=True, env={"NO_COLOR": "1"})
        assert result.exit_code == 0 and "GAP" in result.stdout and "\x1b" not in result.stdout
    assert "\x1b" in invoke("check", NL, *ENGINE, color=True, env={"NO_COLOR": ""}).stdout, "an empty NO_COLOR is not set"


def test_color_flag_overrides_the_terminal_and_the_environment(tmp_path: Path) -> None:
    assert "\x1b" not in invoke("check", NL, *ENGINE, "--color", "never", color=True).stdout
    assert "\x1b" not in invoke("--color", "never", "check", NL, *ENGINE, color=True).stdout
    assert RED_BOLD in invoke("check", NL, *ENGINE, "--color", "always").stdout, "always colours a pipe"
    assert RED_BOLD in invoke("check", NL, *ENGINE, "--color", "always", env={"NO_COLOR": "1"}).stdout
    assert RED_BOLD in invoke("check", NL, *ENGINE, env={"FORCE_COLOR": "1"}).stdout
    assert "\x1b" not in invoke("check", NL, *ENGINE, env={"FORCE_COLOR": "1", "NO_COLOR": "1"}).stdout


def test_colour_never_goes_into_a_file(tmp_path: Path) -> None:
    target = tmp_path / "report.txt"
    result = invoke("check", NL, *ENGINE, "--color", "always", "-o", target, color=True)
    assert result.exit_code == 0
    assert "GAP" in target.read_text() and "\x1b" not in target.read_text()
    assert target.read_text() == invoke("check", NL, *ENGINE).stdout


def test_other_formats_are_never_coloured() -> None:
    for fmt in ("json", "markdown", "jsonl"):
        assert "\x1b" not in invoke("check", NL, *ENGINE, "--format", fmt, "--color", "always").stdout


def test_profile_escapes_stay_inert_in_the_coloured_report(tmp_path: Path) -> None:
    hostile = tmp_path / "hostile.yaml"
    hostile.write_text(
        json.dumps(minimal_profile(jurisdiction={"code": "XT", "name": "Evil\x1b]0;owned\x07\x1b[2J\u202eland"})), encoding="utf-8"
    )
    coloured = invoke("check", hostile, *ENGINE, "--color", "always").stdout
    assert "Evil\\x1b]0;owned\\x07\\x1b[2J\\u202eland" in coloured
    assert "\x1b" not in OUR_ESCAPES.sub("", coloured), "every real ESC left is one of our colour codes"
    assert click.unstyle(coloured) == invoke("check", hostile, *ENGINE).stdout


@pytest.mark.parametrize(
    ("mode", "environ", "expected"),
    [
        ("auto", {}, None),
        ("auto", {"NO_COLOR": "1"}, False),
        ("auto", {"NO_COLOR": ""}, None),
        ("auto", {"FORCE_COLOR": "1"}, True),
        ("auto", {"FORCE_COLOR": "1", "NO_COLOR": "x"}, False),
        ("always", {"NO_COLOR": "1"}, True),
        ("never", {"FORCE_COLOR": "1"}, False),
    ],
)
def test_colour_choice(mode: str, environ: dict[str, str], expected: bool | None) -> None:
    assert colour_choice(mode, environ) is expected


# --- progress ----------------------------------------------------------------------------------------------


def as_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """The runner's streams answer isatty() as a terminal does (both our check and click's bar ask the stream)."""
    import click.testing

    monkeypatch.setattr(click.testing._NamedTextIOWrapper, "isatty", lambda self: True)


def test_no_progress_bar_when_stderr_is_not_a_terminal(tmp_path: Path) -> None:
    paths = profiles(tmp_path, cli.PROGRESS_FROM)
    result = invoke("check", *paths, *ENGINE, "--format", "jsonl")
    assert result.exit_code == 0 and result.stderr == ""
    assert len(result.stdout.splitlines()) == cli.PROGRESS_FROM


def test_progress_bar_on_a_terminal_for_a_long_run_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = profiles(tmp_path, cli.PROGRESS_FROM)
    plain = invoke("check", *paths, *ENGINE, "--format", "jsonl").stdout
    as_terminal(monkeypatch)
    shown = invoke("check", *paths, *ENGINE, "--format", "jsonl")
    assert shown.exit_code == 0
    assert f"{cli.PROGRESS_FROM}/{cli.PROGRESS_FROM}" in shown.stderr
    assert shown.stdout == plain, "the bar changes nothing on stdout"
    assert invoke("check", *paths, *ENGINE, "--format", "jsonl", "--quiet").stderr == ""
    assert invoke("check", *paths[:-1], *ENGINE, "--format", "jsonl").stderr == "", "a short run has no bar"


def test_progress_bar_with_jobs_gives_the_same_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = profiles(tmp_path, cli.PROGRESS_FROM)
    plain = invoke("check", *paths, *ENGINE, "--format", "json", "--jobs", "2").stdout
    as_terminal(monkeypatch)
    shown = invoke("check", *paths, *ENGINE, "--format", "json", "--jobs", "2")
    assert shown.exit_code == 0 and f"{cli.PROGRESS_FROM}/{cli.PROGRESS_FROM}" in shown.stderr
    assert shown.stdout == plain


# --- one registry of formats -------------------------------------------------------------------------------


def _choices(command: click.Command) -> list[str]:
    option = next(p for p in command.params if p.name == "fmt")
    assert isinstance(option.type, click.Choice)
    return list(option.type.choices)


def test_format_choices_are_the_registry_keys() -> None:
    assert _choices(main.commands["check"]) == list(reporters.FORMATS)
    assert _choices(main.commands["diff"]) == list(reporters.DIFF_FORMATS)
    assert cli.STREAMED_FORMATS == tuple(name for name, f in reporters.FORMATS.items() if f.streamed) == ("jsonl",)


def test_every_registered_format_renders_or_streams() -> None:
    from gap_engine import api

    results = api.check([NL], engine="python")
    for name, fmt in reporters.FORMATS.items():
        if fmt.streamed:
            with pytest.raises(LookupError):
                fmt.renderer()
            assert name not in reporters.REPORTERS
        else:
            assert reporters.REPORTERS[name](results).strip(), name
    assert set(reporters.DIFF_REPORTERS) == set(reporters.DIFF_FORMATS)
    assert all(callable(reporters.DIFF_REPORTERS[name]) for name in reporters.DIFF_FORMATS)


def test_the_registry_imports_no_renderer_until_asked() -> None:
    probe = "import sys, gap_engine.cli; print(sorted(m for m in sys.modules if m.startswith('gap_engine.reporters.')))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=_env())
    assert result.stdout.strip() == "[]", "gap-engine --help would import every reporter"


# --- shell completion --------------------------------------------------------------------------------------


def _env(**extra: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), **extra}


def _entry_point(**env: str) -> subprocess.CompletedProcess[str]:
    """The console script as installed (``gap-engine = gap_engine.cli:main``), its program name included."""
    script = "import sys; sys.argv[0] = 'gap-engine'; from gap_engine.cli import main; main()"
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=_env(**env), timeout=60)


@pytest.mark.parametrize(
    ("shell", "marker"),
    [
        ("bash", "complete -o nosort -F _gap_engine_completion gap-engine"),
        ("zsh", "#compdef gap-engine"),
        ("fish", "complete --no-files --command gap-engine"),
    ],
)
def test_completion_script_is_produced(shell: str, marker: str) -> None:
    result = _entry_point(_GAP_ENGINE_COMPLETE=f"{shell}_source")
    assert result.returncode == 0, result.stderr
    assert marker in result.stdout


def test_completion_offers_the_commands_and_the_options() -> None:
    commands = _entry_point(_GAP_ENGINE_COMPLETE="bash_complete", COMP_WORDS="gap-engine che", COMP_CWORD="1")
    assert commands.stdout.split() == ["plain,check", "plain,checklist"]
    formats = _entry_point(_GAP_ENGINE_COMPLETE="bash_complete", COMP_WORDS="gap-engine check --format ", COMP_CWORD="3")
    assert [line.split(",")[1] for line in formats.stdout.split()] == list(reporters.FORMATS)


@pytest.mark.parametrize(
    ("status", "style"),
    [
        ("gap", {"fg": "red", "bold": True}),
        ("partial", {"fg": "yellow"}),
        ("unknown", {"fg": "bright_black"}),
        ("covered", {"fg": "green"}),
        ("reserved", {"fg": "cyan"}),
        ("not_applicable", {"dim": True}),
    ],
)
def test_the_library_paints_the_bytes_click_would(status: str, style: dict) -> None:
    """terminal.paint writes its own SGR codes (the library does not import click) and they are click.style's."""
    import click

    from gap_engine.terminal import paint

    assert paint("GAP", status) == click.style("GAP", **style)
