"""The pre-install check names what durable-rules' C build needs, in one line, before pip runs."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "tools" / "check_build_prereqs.py"
_spec = importlib.util.spec_from_file_location("check_build_prereqs", SCRIPT)
assert _spec and _spec.loader
prereqs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(prereqs)


def test_nothing_is_missing_on_this_machine() -> None:
    """The suite itself runs on a machine that built durable-rules."""
    assert prereqs.missing_prerequisites() == []
    assert subprocess.run([sys.executable, str(SCRIPT)], capture_output=True).returncode == 0


def test_a_missing_compiler_and_headers_are_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(prereqs.shutil, "which", lambda name: None)
    monkeypatch.setattr(prereqs.sysconfig, "get_paths", lambda: {"include": str(tmp_path)})
    compiler = (prereqs.sysconfig.get_config_var("CC") or "cc").split()[0]
    assert prereqs.missing_prerequisites((3, 11)) == [f"a C compiler ({compiler})", "the Python 3.11 headers (Python.h)"]


def test_one_line_with_what_to_install(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    monkeypatch.setattr(prereqs.shutil, "which", lambda name: None)
    monkeypatch.setattr(prereqs.sysconfig, "get_paths", lambda: {"include": str(tmp_path)})
    assert prereqs.main() == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "build-essential python3-dev" in err and "durable-rules" in err


def test_python_313_needs_no_compiler(monkeypatch: pytest.MonkeyPatch) -> None:
    """durable-rules is not installed on 3.13+ (pyproject marker), so nothing is required there."""
    monkeypatch.setattr(prereqs.shutil, "which", lambda name: None)
    assert prereqs.missing_prerequisites((3, 13)) == []
