"""Outputs are all or nothing, and safe in every viewer (issue 14).

- Several outputs of one run (``-o``, ``--xlsx``, ``--csv``; ``diff -o --xlsx``) are written together or
  not at all: a failure while writing any of them leaves every target as it was and no temporary file.
- SIGTERM while writing cleans up like Ctrl-C (exit 143), checked in a real subprocess.
- An output path that is a device, FIFO, socket, link loop or too long a name is refused with exit 2;
  a symbolic link to a regular file is written through, the link kept.
- Profile text is inert in Markdown (memo, checklist, diff), in the terminal (text report, validate,
  error messages) and in CSV opened with any common separator; URLs are checked strictly.
"""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from markdown_it import MarkdownIt

from gap_engine.cells import csv_safe
from gap_engine.cli import main
from gap_engine.urls import url_problem

ROOT = Path(__file__).resolve().parent.parent
GOOD = ROOT / "fixtures" / "examplia_complete.yaml"
PYTHON = sys.executable
TEMPORARY = re.compile(r"\.(tmp|probe|old)$")


def run(args: list[str]) -> Result:
    return CliRunner().invoke(main, args, catch_exceptions=False)


def leftovers(directory: Path) -> list[str]:
    """Temporary, probe or backup files left in ``directory``."""
    return sorted(p.name for p in directory.iterdir() if TEMPORARY.search(p.name))


# --- several outputs: all or nothing --------------------------------------------------------------


def _fail_replace_onto(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """Make the rename onto the file called ``name`` fail as a full disk would."""
    real = os.replace

    def replace(src: Any, dst: Any, *args: Any, **kwargs: Any) -> None:
        if Path(dst).name == name:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)


@pytest.mark.parametrize("failing", ["report.md", "gaps.xlsx", "gaps.csv"])
def test_check_outputs_are_all_or_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str) -> None:
    """Regression: a failing --csv left the --xlsx already written. Whichever output fails, the
    targets that existed keep their content, those that did not stay absent, nothing temporary is left."""
    report, workbook, table = tmp_path / "report.md", tmp_path / "gaps.xlsx", tmp_path / "gaps.csv"
    workbook.write_bytes(b"previous workbook")
    _fail_replace_onto(monkeypatch, failing)
    result = run(
        ["check", str(GOOD), "--engine", "python", "--format", "markdown", "-o", str(report), "--xlsx", str(workbook), "--csv", str(table)]
    )
    assert result.exit_code == 2, result.output
    assert f"Error: {tmp_path / failing}: cannot write: No space left on device" in result.stderr
    assert "Traceback" not in result.output
    assert workbook.read_bytes() == b"previous workbook"
    assert not report.exists() and not table.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gaps.xlsx"]


def test_check_outputs_all_written_when_nothing_fails(tmp_path: Path) -> None:
    report, workbook, table = tmp_path / "report.json", tmp_path / "gaps.xlsx", tmp_path / "gaps.csv"
    workbook.write_bytes(b"previous workbook")
    result = run(
        ["check", str(GOOD), "--engine", "python", "--format", "json", "-o", str(report), "--xlsx", str(workbook), "--csv", str(table)]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(report.read_text())["profiles"][0]["jurisdiction"] == "XA"
    assert workbook.read_bytes().startswith(b"PK")
    assert table.read_text(encoding="utf-8-sig").startswith("jurisdiction,")
    assert leftovers(tmp_path) == []


def test_disk_full_while_writing_the_second_temporary_file_changes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    report, table = tmp_path / "report.txt", tmp_path / "gaps.csv"
    report.write_text("previous report\n")
    real, calls = os.fsync, {"n": 0}

    def fsync(fd: int) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    result = run(["check", str(GOOD), "--engine", "python", "-o", str(report), "--csv", str(table)])
    assert result.exit_code == 2
    assert "No space left on device" in result.stderr
    assert report.read_text() == "previous report\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.txt"]


def test_diff_outputs_are_all_or_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """diff -o + --xlsx: the workbook is written first; a failing -o must take it back."""
    report, workbook = tmp_path / "diff.md", tmp_path / "diff.xlsx"
    _fail_replace_onto(monkeypatch, "diff.md")
    nescia = ROOT / "fixtures" / "nescia_unknown.yaml"
    result = run(["diff", str(nescia), str(GOOD), "--engine", "python", "--format", "markdown", "-o", str(report), "--xlsx", str(workbook)])
    assert result.exit_code == 2, result.output
    assert f"Error: {report}: cannot write: No space left on device" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_the_same_file_for_two_outputs_names_both_options(tmp_path: Path) -> None:
    target = tmp_path / "same.out"
    result = run(["check", str(GOOD), "--xlsx", str(target), "--csv", str(target)])
    assert result.exit_code == 2
    assert f"Error: {target}: the same file is named for two outputs (--xlsx and --csv)" in result.stderr


# --- SIGTERM ------------------------------------------------------------------------------------

# Loaded with ``python -c``: stalls the program where named, after it has created its temporary files,
# and tells the test (by creating a marker file) that it is time to send SIGTERM. Test-only: nothing in
# gap_engine knows about it.
STALL = """
import os, sys, time, pathlib
marker, where, args = pathlib.Path(sys.argv[1]), sys.argv[2], sys.argv[3:]
real = getattr(os, where)
def stalled(*a, **k):
    marker.touch()
    time.sleep(60)
    return real(*a, **k)
setattr(os, where, stalled)
from gap_engine.cli import main
main(args=args, prog_name="gap-engine")
"""


@pytest.mark.parametrize("where", ["replace", "fsync"])
def test_sigterm_while_writing_leaves_no_temporary_file(tmp_path: Path, where: str) -> None:
    """Regression: SIGTERM between creating and renaming the temporary file left .tmp files behind
    (Python's default SIGTERM action kills without running ``finally``)."""
    out = tmp_path / "out"
    out.mkdir()
    report = out / "report.txt"
    report.write_text("previous report\n")
    marker = tmp_path / "stalled"
    args = ["check", str(GOOD), "--engine", "python", "-o", str(report), "--csv", str(out / "gaps.csv"), "--xlsx", str(out / "gaps.xlsx")]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [PYTHON, "-c", STALL, str(marker), where, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "the run never reached the stalled call"
            time.sleep(0.05)
        assert leftovers(out), "the stall should come after the temporary files exist"
        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 143, stderr
    assert "Terminated; no output was written." in stderr
    assert "Traceback" not in stderr
    assert stdout == ""
    assert sorted(p.name for p in out.iterdir()) == ["report.txt"]
    assert report.read_text() == "previous report\n"


# --- what an output path may be ---------------------------------------------------------------------


def refused(args: list[str], *expected: str) -> Result:
    result = run(args)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert "Traceback" not in result.output
    for text in expected:
        assert text in result.stderr
    return result


def test_fifo_output_is_refused_and_kept(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    refused(["check", str(GOOD), "-o", str(fifo)], f"Error: {fifo}: output path is a named pipe (FIFO)", "leave out the option")
    assert fifo.is_fifo()
    assert leftovers(tmp_path) == []


def test_socket_output_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s"
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(path))
        refused(["check", str(GOOD), "--csv", str(path)], f"Error: {path}: output path is a socket")
        assert path.is_socket()
    finally:
        server.close()


def test_link_to_a_device_is_refused_and_kept(tmp_path: Path) -> None:
    """Regression: a link to /dev/null was replaced by a regular file. Linking is how a user names
    /dev/null here without risking the real one should the refusal ever regress."""
    link = tmp_path / "null"
    link.symlink_to("/dev/null")
    refused(["check", str(GOOD), "--xlsx", str(link)], f"Error: {link}: output path is a character device")
    assert os.readlink(link) == "/dev/null"


def test_stdout_is_refused_when_it_is_not_a_regular_file(tmp_path: Path) -> None:
    """-o /dev/stdout (a pipe here, as in a shell pipeline) is refused; leaving out -o prints to stdout.

    A link to /proc/self/fd/1 stands for /dev/stdout (which is one): run as root, a regression would
    replace the link, not the machine's /dev/stdout (as the code before this test did).
    """
    stdout_link = tmp_path / "stdout"
    stdout_link.symlink_to("/proc/self/fd/1")
    result = subprocess.run(
        [PYTHON, "-m", "gap_engine.cli", "check", str(GOOD), "--engine", "python", "-o", str(stdout_link)],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert f"Error: {stdout_link}: output path is a named pipe (FIFO); gap-engine writes only regular files" in result.stderr
    assert result.stdout == ""
    assert os.readlink(stdout_link) == "/proc/self/fd/1"


def test_link_to_a_regular_file_is_written_through(tmp_path: Path) -> None:
    real = tmp_path / "reports" / "report.txt"
    real.parent.mkdir()
    real.write_text("old\n")
    link = tmp_path / "latest.txt"
    link.symlink_to(real)
    result = run(["check", str(GOOD), "--engine", "python", "-o", str(link)])
    assert result.exit_code == 0, result.output
    assert link.is_symlink()
    assert real.read_text().startswith("Examplia (XA)")
    assert leftovers(real.parent) == [] and leftovers(tmp_path) == []


def test_symlink_loop_is_refused(tmp_path: Path) -> None:
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.symlink_to(b)
    b.symlink_to(a)
    refused(["check", str(GOOD), "-o", str(a)], f"Error: {a}: symbolic link loop")


def test_name_too_long_for_the_file_system_is_refused(tmp_path: Path) -> None:
    target = tmp_path / ("r" * 300 + ".txt")
    refused(["check", str(GOOD), "-o", str(target)], f"Error: {target}: file name is too long for the file system (choose a shorter name)")
    assert list(tmp_path.iterdir()) == []


def test_long_but_valid_name_is_written(tmp_path: Path) -> None:
    """Regression: the temporary file's name added ~15 characters to the target's, so a valid 250-character name failed."""
    target = tmp_path / ("r" * 246 + ".txt")
    result = run(["check", str(GOOD), "--engine", "python", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_text().startswith("Examplia (XA)")
    assert leftovers(tmp_path) == []


# --- profile text in Markdown ---------------------------------------------------------------------

HOSTILE = {
    "name": "Testland\n# Injected heading\n<img src=x onerror=alert(1)>",
    "instrument": "Code [click](javascript:alert(1)) *bold* <script>alert(2)</script>",
    "note": "- not a list\n\n> not a quote | not a cell ` not code",
}


def hostile_profile(tmp_path: Path, url: str = "https://example.org/osa") -> Path:
    citation = {"instrument": HOSTILE["instrument"], "provision": "s. 1", "url": url}
    profile = {
        "jurisdiction": {"code": "XT", "name": HOSTILE["name"]},
        "as_of": "2024-10-01",
        "fictional": True,
        "regulation": {"platforms": {"hash_sharing": {"answer": "partial", "citation": citation, "note": HOSTILE["note"]}}},
    }
    path = tmp_path / "hostile.yaml"
    path.write_text(json.dumps(profile))  # JSON is YAML
    return path


def assert_inert_markdown(text: str) -> None:
    """Rendered by a CommonMark parser with HTML on: no HTML of the profile's, no link but http(s), no heading of its own."""
    html = MarkdownIt("commonmark", {"html": True}).enable("table").render(text)
    assert "<img" not in html and "<script" not in html and "onerror" not in html.replace("onerror=alert", "")
    assert "javascript:" not in re.findall(r'href="([^"]*)"', html).__str__()
    assert all(href.startswith(("http://", "https://")) for href in re.findall(r'href="([^"]*)"', html))
    assert "Injected heading</h" not in html
    assert "<blockquote>" not in html
    assert "<em>bold</em>" not in html
    assert all(re.fullmatch(r"[a-z0-9_.]+", code) for code in re.findall(r"<code>(.*?)</code>", html))  # only our fact paths


def test_memo_markdown_keeps_profile_text_inert(tmp_path: Path) -> None:
    result = run(["check", str(hostile_profile(tmp_path)), "--engine", "python", "--format", "markdown"])
    assert result.exit_code == 0, result.output
    assert_inert_markdown(result.stdout)
    assert "Testland # Injected heading &lt;img src=x onerror=alert(1)&gt; (XT)" in result.stdout
    assert "<https://example.org/osa>" in result.stdout


def test_checklist_markdown_keeps_profile_text_inert(tmp_path: Path) -> None:
    result = run(["checklist", str(hostile_profile(tmp_path)), "--format", "markdown", "--engine", "python"])
    assert result.exit_code == 0, result.output
    assert_inert_markdown(result.stdout)
    assert result.stdout.startswith("# Monitoring-round checklist — Testland # Injected heading &lt;img")


def test_diff_markdown_keeps_profile_text_inert(tmp_path: Path) -> None:
    hostile = hostile_profile(tmp_path)
    result = run(["diff", str(GOOD), str(hostile), "--engine", "python", "--format", "markdown"])
    assert result.exit_code in (0, 1), result.output
    assert_inert_markdown(result.stdout)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.org/a><script>alert(1)</script>", "found '>' at character 22"),
        ("https://example.org/a\n", "found '\\n' at character 22"),
        ("https://example.org/a\x00", "found '\\x00' at character 22"),
        ("https://example.org/a b", "found ' ' at character 22"),
        ("javascript://example.org/%0aalert(1)", "must be an http:// or https:// address"),
        ("https://example.org:99999/", "does not parse as a URL"),
        ("https:///path", "with a host name"),
    ],
)
def test_url_that_could_break_out_is_refused_with_its_location(tmp_path: Path, url: str, expected: str) -> None:
    path = hostile_profile(tmp_path, url)
    result = run(["validate", str(path)])
    assert result.exit_code == 2
    assert f"Error: {path}:1:" in result.stderr
    assert "regulation.platforms.hash_sharing.citation.url: must be an http:// or https:// address" in result.stderr
    assert expected in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "url", ["https://example.org/a?b=1#c", "http://[::1]:8080/x", "https://de.wikipedia.org/wiki/Stra%C3%9Fe", "HTTPS://EXAMPLE.ORG"]
)
def test_ordinary_urls_pass(url: str) -> None:
    assert url_problem(url) is None


# --- profile text in the terminal ---------------------------------------------------------------------

ESCAPES = "Test\x1b]0;pwned\x07land\x9b31m\rX\u202e"


def escape_profile(tmp_path: Path, **extra: Any) -> Path:
    profile = {"jurisdiction": {"code": "XT", "name": ESCAPES}, "as_of": "2024-10-01", "fictional": True, **extra}
    path = tmp_path / "escapes.yaml"
    path.write_text(json.dumps(profile))
    return path


def assert_no_raw_controls(text: str) -> None:
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e]", text), repr(text)


def test_text_report_shows_control_characters_escaped(tmp_path: Path) -> None:
    result = run(["check", str(escape_profile(tmp_path)), "--engine", "python"])
    assert result.exit_code == 0
    assert_no_raw_controls(result.stdout)
    assert "Test\\x1b]0;pwned\\x07land\\x9b31m\\x0dX\\u202e (XT)" in result.stdout


def test_text_report_written_to_a_file_is_escaped_too(tmp_path: Path) -> None:
    report = tmp_path / "report.txt"
    result = run(["check", str(escape_profile(tmp_path)), "--engine", "python", "-o", str(report)])
    assert result.exit_code == 0
    assert_no_raw_controls(report.read_text())


def test_json_keeps_the_data_but_prints_no_raw_control(tmp_path: Path) -> None:
    result = run(["check", str(escape_profile(tmp_path)), "--engine", "python", "--format", "json"])
    assert result.exit_code == 0
    assert_no_raw_controls(result.stdout)
    assert json.loads(result.stdout)["profiles"][0]["jurisdiction_name"] == ESCAPES


def test_validate_and_error_messages_show_control_characters_escaped(tmp_path: Path) -> None:
    good = escape_profile(tmp_path)
    result = run(["validate", str(good)])
    assert result.exit_code == 0
    assert_no_raw_controls(result.stderr)  # the confirmation goes to stderr, with every message for people
    assert "ok: " in result.stderr and "Test\\x1b]0;pwned" in result.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        json.dumps(
            {
                "jurisdiction": {"code": "XT", "name": "x"},
                "as_of": "2024-10-01",
                "fictional": True,
                "regulation": {"platforms": {"hash_sharing": "y\x1b[2Jes"}},
            }
        )
    )
    result = run(["validate", str(bad)])
    assert result.exit_code == 2
    assert_no_raw_controls(result.stderr)
    assert "y\\x1b[2Jes" in result.stderr


# --- CSV opened with any separator ---------------------------------------------------------------------

TRIGGERS = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20")
CSV_PAYLOADS = [
    "a;=1+1",
    "b\t=2+2",
    "c\n=3+3",
    "d\r\n@SUM(1)",
    " =4+4",
    "\u00a0=5+5",
    "\u3000+6",
    "\uff1d7+7",
    "e, -8+8",
    'f;"=9+9',
    "=10",
]


def cells_starting_with_a_trigger(text: str) -> list[str]:
    """Every cell, read with ',' ';' or tab as separator (quotes honoured) or split raw at line breaks and
    separators, that a spreadsheet could take for a formula once it trims spaces and quotes."""
    found = []
    readers = [csv.reader(io.StringIO(text, newline=""), delimiter=d) for d in (",", ";", "\t")]
    cells = [cell for reader in readers for row in reader for cell in row]
    cells += re.split(r"[,;\t\r\n]", text)
    for cell in cells:
        stripped = cell.lstrip(' \t\r\n\u00a0\u3000\u2007\u202f\ufeff"')
        if stripped.startswith(TRIGGERS):
            found.append(cell)
    return found


def test_csv_has_no_formula_cell_under_any_separator(tmp_path: Path) -> None:
    """Regression: with ';' as separator, LibreOffice made formula cells of ';=', multi-line and space-led fields."""
    text = "\n".join(CSV_PAYLOADS)
    path = escape_profile(tmp_path, note=text)
    path.write_text(path.read_text().replace(json.dumps(ESCAPES), json.dumps("Testland " + " | ".join(CSV_PAYLOADS))))
    out = tmp_path / "gaps.csv"
    result = run(["check", str(path), "--engine", "python", "--csv", str(out)])
    assert result.exit_code == 0, result.output
    data = out.read_text(encoding="utf-8-sig")
    assert "a;'=1+1" in data  # the field is there, neutralised, not dropped
    assert cells_starting_with_a_trigger(data) == []
    for payload in CSV_PAYLOADS:
        assert cells_starting_with_a_trigger(csv_safe(payload)) == [], payload


@pytest.mark.libreoffice
def test_libreoffice_with_semicolon_separator_makes_no_formula(tmp_path: Path) -> None:
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        pytest.skip("LibreOffice is not installed")
    import openpyxl

    for name, rows in (("safe", [[csv_safe(p), "x"] for p in CSV_PAYLOADS]), ("raw", [[p, "x"] for p in CSV_PAYLOADS])):
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\r\n").writerows(rows)
        (tmp_path / f"{name}.csv").write_text(buffer.getvalue(), encoding="utf-8")
    # Separator ';' (59), quote '"' (34), UTF-8 (76), from line 1; trim spaces and evaluate formulas on.
    options = "CSV:59,34,76,1,,0,false,true,false,false,true,,true"
    subprocess.run(
        [
            office,
            "--headless",
            "--norestore",
            f"-env:UserInstallation=file://{tmp_path / 'lo'}",
            f"--infilter={options}",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(tmp_path),
            str(tmp_path / "safe.csv"),
            str(tmp_path / "raw.csv"),
        ],
        capture_output=True,
        timeout=180,
        check=True,
    )

    def formulas(name: str) -> list[str]:
        sheet = openpyxl.load_workbook(tmp_path / f"{name}.xlsx").active
        return [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"]

    assert formulas("raw"), "the payloads make formulas when not neutralised"
    assert formulas("safe") == []
