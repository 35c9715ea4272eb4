"""Bad input gets one clear error (file, line, field), exit code 2, and no output at all.

One fixture file per kind of bad input lives in ``tests/data/bad/``; each test asserts the
message a user would read, that ``check`` writes nothing to stdout, and that an ``-o`` report
does not appear. Also: ``--fail-on`` exit codes under every status, and Ctrl-C leaving no
half-written report behind.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

import gap_engine.api
from gap_engine.cli import main
from tests.conftest import write_manifest

ROOT = Path(__file__).resolve().parent.parent
BAD = Path(__file__).resolve().parent / "data" / "bad"
GOOD = ROOT / "fixtures" / "examplia_complete.yaml"


def run(args: list[str]) -> Result:
    return CliRunner().invoke(main, args, catch_exceptions=False)


def check_refused(tmp_path: Path, args: list[str], *expected: str) -> str:
    """Run ``check`` with a report file; assert exit 2, every expected text, no output anywhere."""
    report = tmp_path / "report.json"
    result = run(["check", *args, "--format", "json", "-o", str(report)])
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    errors = result.stderr.strip().splitlines()
    assert errors and all(line.startswith("Error: ") for line in errors), result.stderr
    for text in expected:
        assert text in result.stderr
    assert not report.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [], "a temporary or partial file was left behind"
    return result.stderr


# --- profiles -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("malformed.yaml", [":2:6: ", "expected ',' or '}'"]),
        ("duplicate_keys.yaml", [":4:1: ", 'duplicate key "as_of"']),
        ("billion_laughs.yaml", [":5:8: ", "YAML alias *a is not allowed"]),
        ("binary.yaml", ["binary.yaml:2: ", "is a binary file"]),
        ("not_utf8.yaml", ["not_utf8.yaml:4: ", "is not UTF-8 text"]),
        ("empty.yaml", ["empty.yaml: is empty"]),
        ("list_not_mapping.yaml", [":1:1: ", "a profile must be a mapping of fields, found list"]),
        ("list_for_criminal_law.yaml", [":4:1: criminal_law: ", "valid dictionary"]),
        ("wrong_types.yaml", [":10:7: criminal_law.offences[0].age_threshold: ", "valid integer"]),
        ("out_of_range_date.yaml", [":2:1: as_of: ", "month value is outside expected range"]),
        ("unknown_field.yaml", [":6:5: regulation.platforms.hash_shareing: unknown field", "did you mean 'hash_sharing'?"]),
        ("unknown_enum.yaml", [":6:5: regulation.platforms.hash_sharing", "'maybe' is not one of"]),
        # Regression: 5,000 nested brackets ended in a RecursionError traceback.
        ("deeply_nested.yaml", ["deeply_nested.yaml: YAML is nested too deeply"]),
    ],
)
def test_bad_profile_is_refused_with_location(tmp_path: Path, name: str, expected: list[str]) -> None:
    path = BAD / name
    stderr = check_refused(tmp_path, [str(path)], f"Error: {path}", *expected)
    assert "Traceback" not in stderr


def test_billion_laughs_is_refused_before_expansion(tmp_path: Path) -> None:
    """Nine levels of nine-fold aliases would expand to ~387 million strings; the refusal is
    immediate because aliases are rejected while parsing, before any node is built."""
    check_refused(tmp_path, [str(BAD / "billion_laughs.yaml")], "write the value out in full")


def test_file_over_size_limit(tmp_path: Path) -> None:
    from gap_engine.yamlio import MAX_FILE_BYTES

    inputs = tmp_path / "in"
    inputs.mkdir()
    big = inputs / "huge.yaml"
    big.write_text("jurisdiction: {code: XA, name: Examplia}\nnote: " + "x" * MAX_FILE_BYTES + "\n", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    check_refused(out, [str(big)], f"Error: {big}: file is ", f"over the {MAX_FILE_BYTES:,}-byte limit")


def test_profile_path_that_does_not_exist(tmp_path: Path) -> None:
    missing = tmp_path.parent / f"{tmp_path.name}-missing.yaml"
    check_refused(tmp_path, [str(missing)], f"Error: {missing}: file not found")


def test_profile_path_that_is_a_directory(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    check_refused(out, [str(BAD.parent)], f"Error: {BAD.parent}: is a directory, not a file")


def test_one_bad_profile_among_good_ones_stops_all_output(tmp_path: Path) -> None:
    """No report for the good profiles either: a partial report would read as complete."""
    check_refused(tmp_path, [str(GOOD), str(BAD / "unknown_field.yaml"), str(ROOT / "fixtures" / "nescia_unknown.yaml")], "hash_shareing")


def test_every_error_of_every_file_is_reported_at_once(tmp_path: Path) -> None:
    stderr = check_refused(tmp_path, [str(BAD / "unknown_field.yaml"), str(BAD / "wrong_types.yaml")])
    assert "hash_shareing" in stderr and "age_threshold" in stderr


# --- rule files ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pack", "expected"),
    [
        ("rules_bad_condition", ["bad_condition.yaml:9:11: rules[0].condition.all[0]: rule ZZBAD-001", "exactly one of all, any"]),
        ("rules_duplicate_ids", ["duplicate_ids.yaml:13: ZZDUP-001: duplicate rule ID ZZDUP-001 (also in", "line 3)"]),
        ("rules_unknown_field", ["unknown_field.yaml:9:5: rules[0].severty: rule ZZUNK-001: unknown field", "did you mean 'severity'?"]),
        ("rules_unknown_enum", ["unknown_enum.yaml:8:37: rules[0].condition.offence.material: rule ZZENM-001", "'holographic' is not one"]),
    ],
)
def test_bad_rule_pack_is_refused_with_location(tmp_path: Path, pack: str, expected: list[str]) -> None:
    check_refused(tmp_path, [str(GOOD), "--rules", str(BAD / pack)], *expected)


def test_rule_pack_that_is_not_a_directory(tmp_path: Path) -> None:
    check_refused(tmp_path, [str(GOOD), "--rules", str(GOOD)], "rule pack is not a directory")


# --- output paths -------------------------------------------------------------------------------


def test_output_path_is_a_directory(tmp_path: Path) -> None:
    result = run(["check", str(GOOD), "-o", str(tmp_path)])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert f"Error: {tmp_path}: output path is a directory" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_output_path_is_an_input(tmp_path: Path) -> None:
    profile = tmp_path / "profile.yaml"
    profile.write_bytes(GOOD.read_bytes())
    result = run(["check", str(profile), "-o", str(profile)])
    assert result.exit_code == 2
    assert "output path is one of the inputs; refusing to overwrite it" in result.stderr
    assert profile.read_bytes() == GOOD.read_bytes()


def test_output_path_in_a_missing_directory(tmp_path: Path) -> None:
    target = tmp_path / "nowhere" / "report.txt"
    result = run(["check", str(GOOD), "-o", str(target)])
    assert result.exit_code == 2
    assert "does not exist (create it first)" in result.stderr
    assert not target.parent.exists()


def _deny_writes_in(directory: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``directory`` unwritable: by permission bits, and (as root, who ignores them) by refusing temporary files there."""
    directory.chmod(0o500)
    real_mkstemp = tempfile.mkstemp

    def mkstemp(*args: Any, **kwargs: Any) -> tuple[int, str]:
        if Path(kwargs.get("dir") or "").resolve() == directory.resolve():
            raise PermissionError(13, "Permission denied")
        return real_mkstemp(*args, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)


def test_output_path_unwritable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    _deny_writes_in(locked, monkeypatch)
    try:
        result = run(["check", str(GOOD), "-o", str(locked / "report.txt")])
        assert result.exit_code == 2
        assert result.stdout == ""
        assert f"Error: {locked / 'report.txt'}: cannot write here: Permission denied" in result.stderr
        assert list(locked.iterdir()) == []
    finally:
        locked.chmod(0o700)


def test_unwritable_second_output_leaves_no_first_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Regression: --csv was written before -o failed. Every output path is now probed before
    any is written, so a run that cannot write all its outputs writes none."""
    locked = tmp_path / "locked"
    locked.mkdir()
    _deny_writes_in(locked, monkeypatch)
    gaps = tmp_path / "gaps.csv"
    try:
        result = run(["check", str(GOOD), "--format", "markdown", "--csv", str(gaps), "-o", str(locked / "report.md")])
        assert result.exit_code == 2
        assert "report.md: cannot write here" in result.stderr
        assert not gaps.exists()
    finally:
        locked.chmod(0o700)


# --- --fail-on under every status -------------------------------------------------------------

FAIL_ON_RULE = """\
theme: test_theme
rules:
  - id: ZZFAIL-001
    title: Hash sharing is provided for, or synthetic CSAM possession is an offence, where perpetrator programmes exist
    questions: [TP-Q1]
    severity: obligation
    condition:
      any:
        - {fact: regulation.platforms.hash_sharing}
        - offence: {conduct: possessing, material: synthetic_realistic}
    applies_if: {fact: programmes.perpetrator_programmes, good: yes}
    reservable: [{article: 20, paragraph: 3, indent: 1}]
    finding: A test finding.
    recommendation: A test recommendation.
    cases:
      - {name: unknown_when_nothing_stated, profile: {}, expect: unknown}
"""

PROFILE_FOR_STATUS = {
    "covered": "regulation: {platforms: {hash_sharing: yes}}",
    "gap": "regulation: {platforms: {hash_sharing: no}}\ncriminal_law: {offences_listed_exhaustively: yes}",
    "partial": "regulation: {platforms: {hash_sharing: partial}}\ncriminal_law: {offences_listed_exhaustively: yes}",
    "unknown": "regulation: {platforms: {hash_sharing: unknown}}",
    # A reservation explains only the offence element it permits (Article 20(3), first indent: synthetic material).
    "reserved": "regulation: {platforms: {hash_sharing: no}}\ncriminal_law: {offences_listed_exhaustively: yes}\n"
    "convention: {reservations: [{article: 20, paragraph: 3, indent: 1}]}",
    "not_applicable": "regulation: {platforms: {hash_sharing: no}}\nprogrammes: {perpetrator_programmes: no}",
}

EXIT_CODE = {  # status -> {--fail-on value (None = not given) -> exit code}
    "gap": {None: 0, "gap": 1, "partial": 1, "unknown": 1},
    "partial": {None: 0, "gap": 0, "partial": 1, "unknown": 1},
    "unknown": {None: 0, "gap": 0, "partial": 0, "unknown": 1},
    "covered": {None: 0, "gap": 0, "partial": 0, "unknown": 0},
    "reserved": {None: 0, "gap": 0, "partial": 0, "unknown": 0},
    "not_applicable": {None: 0, "gap": 0, "partial": 0, "unknown": 0},
}


@pytest.fixture
def single_rule(tmp_path: Path) -> Path:
    """A pack of exactly one rule, run with --no-builtin so one status is reported."""
    pack = write_manifest(tmp_path / "pack")
    (pack / "fail_on.yaml").write_text(FAIL_ON_RULE, encoding="utf-8")
    return pack


@pytest.mark.parametrize("status", list(EXIT_CODE))
@pytest.mark.parametrize("fail_on", [None, "gap", "partial", "unknown"])
def test_fail_on_exit_codes(tmp_path: Path, single_rule: Path, status: str, fail_on: str | None) -> None:
    profile = tmp_path / f"{status}.yaml"
    profile.write_text(f"jurisdiction: {{code: XA, name: Examplia}}\nas_of: 2024-10-01\nfictional: true\n{PROFILE_FOR_STATUS[status]}\n")
    args = ["check", str(profile), "--no-builtin", "--rules", str(single_rule), "--format", "json"]
    if fail_on:
        args += ["--fail-on", fail_on]
    result = run(args)
    assert f'"status": "{status}"' in result.stdout
    assert result.exit_code == EXIT_CODE[status][fail_on], result.output


# --- Ctrl-C -------------------------------------------------------------------------------------


def test_ctrl_c_during_a_run_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = gap_engine.api.evaluate_profile
    calls = {"n": 0}

    def interrupted(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(gap_engine.api, "evaluate_profile", interrupted)
    out = tmp_path / "out"
    out.mkdir()
    report = out / "report.json"
    result = run(["check", str(GOOD), str(ROOT / "fixtures" / "nescia_unknown.yaml"), "--format", "json", "-o", str(report)])
    assert calls["n"] == 2
    assert result.exit_code == 130
    assert "Interrupted; no output was written." in result.stderr
    assert result.stdout == ""
    assert list(out.iterdir()) == []


def test_ctrl_c_while_the_report_is_written_leaves_the_old_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Interrupted between writing the temporary file and renaming it: the previous report stays
    whole and no temporary file is left beside it."""
    report = tmp_path / "report.json"
    report.write_text("previous report\n")

    def interrupted_fsync(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted_fsync)
    result = run(["check", str(GOOD), "--format", "json", "-o", str(report)])
    assert result.exit_code == 130
    assert report.read_text() == "previous report\n"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]
