"""Inputs that used to end in a traceback, a hang or a wrong hint: each is now exit 2 with a located message.

YAML the tool has no use for (tags, merge keys, keys that are lists, integers beyond Python's
int-from-text limit) is refused with file, line, column, field and a fix, wherever YAML is read:
profiles, rule files, pack.yaml, waiver files. Files that are not regular files (/dev/zero, a
FIFO, a link to either) are refused before reading instead of filling memory or blocking; a
path that is a loop of links or a name too long says so. Keys that look like pydantic's own
location parts (``int``, ``a[0]``) are reported as themselves, not as their parent.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from gap_engine.cli import main
from gap_engine.errors import InputErrors
from gap_engine.suggest import closest
from gap_engine.yamlio import MAX_FILE_BYTES, read_bytes
from tests.conftest import write_manifest

ROOT = Path(__file__).resolve().parent.parent
BAD = Path(__file__).resolve().parent / "data" / "bad"
GOOD = ROOT / "fixtures" / "examplia_complete.yaml"
TAG_HINT = "(remove the tag: profiles and rule files hold plain text, numbers, lists and mappings; quote a value to keep it text)"


def run(args: list[str]) -> Result:
    return CliRunner().invoke(main, args, catch_exceptions=False)


def refused(args: list[str], *expected: str) -> str:
    """Exit 2, nothing on stdout, every line of stderr an 'Error: ', every expected text present."""
    result = run(args)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert lines and all(line.startswith("Error: ") or line.startswith("  ") for line in lines), result.stderr
    for text in expected:
        assert text in result.stderr, result.stderr
    return result.stderr


@pytest.fixture
def deadline() -> Iterator[None]:
    """Fail instead of hanging if a read blocks (a FIFO) or never ends (/dev/zero)."""

    def expired(signum: int, frame: object) -> None:
        raise TimeoutError("the input was read without end")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(20)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


# --- YAML in profiles ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        # Each ended in a TypeError or KeyError traceback, or (the Python object) was accepted as a mapping.
        ("tag_on_sequence.yaml", ":6:13: criminal_law.offences: YAML tag !x is not allowed " + TAG_HINT),
        ("omap_tag.yaml", ":5:13: regulation: YAML tag !!omap is not allowed"),
        ("python_object_tag.yaml", ":5:7: note: YAML tag !!python/object/apply:os.system is not allowed"),
        ("merge_key.yaml", ":7:5: regulation.platforms: YAML merge key '<<' is not allowed (write the keys out in full"),
        # Was: unknown field "('a',)" — a key ruamel made of the list's text.
        ("list_as_key.yaml", ":5:1: a key must be a name, not a list (quote the key if the brackets are part of it)"),
        # Were IndexError tracebacks: the key was taken for pydantic's own location part and dropped.
        ("key_named_int.yaml", ":5:1: int: unknown field 'int' (allowed here: jurisdiction, as_of,"),
        ("key_with_bracket.yaml", ":5:1: criminal_law[0]: unknown field 'criminal_law[0]' (did you mean 'criminal_law'?)"),
        # Was: "jurisdiction: unknown field 'jurisdiction' (did you mean 'jurisdiction'?)".
        ("nested_key_named_str.yaml", ":2:42: jurisdiction.str: unknown field 'str' (allowed here: code, name, territory)"),
    ],
)
@pytest.mark.parametrize("command", ["check", "validate"])
def test_unsupported_yaml_in_a_profile(command: str, name: str, expected: str) -> None:
    path = BAD / name
    stderr = refused([command, str(path)], f"Error: {path}{expected}")
    assert "did you mean 'jurisdiction'" not in stderr


def test_an_integer_beyond_pythons_limit(tmp_path: Path) -> None:
    """Was: ValueError 'Exceeds the limit (4300 digits) for integer string conversion'."""
    profile = tmp_path / "huge.yaml"
    profile.write_text(GOOD.read_text(encoding="utf-8") + "note: 1" + "0" * 4400 + "\n", encoding="utf-8")
    line = GOOD.read_text(encoding="utf-8").count("\n") + 1
    refused(
        ["validate", str(profile)],
        f"Error: {profile}:{line}:7: note: an integer of 4,401 digits is too long (at most 4,300) (quote it if it is text",
    )


# --- YAML in rule packs and waiver files --------------------------------------------------------


@pytest.mark.parametrize("command", [["rules", "list"], ["check", str(GOOD)], ["validate", str(GOOD)]])
def test_tag_in_a_rule_file(command: list[str]) -> None:
    pack = BAD / "rules_tagged"
    refused(
        [*command, "--rules", str(pack)],
        f"Error: {pack / 'tagged.yaml'}:8:16: rules[0].condition: YAML tag !!python/object:gap_engine.rules.Condition is not allowed",
    )


def test_merge_key_in_a_pack_manifest() -> None:
    """Was: KeyError 'source' traceback."""
    pack = BAD / "rules_merge_manifest"
    refused(["rules", "list", "--rules", str(pack)], f"Error: {pack / 'pack.yaml'}:4:1: YAML merge key '<<' is not allowed")


def test_tag_in_a_waiver_file() -> None:
    path = BAD / "waivers_tagged.yaml"
    refused(["check", str(GOOD), "--waivers", str(path)], f"Error: {path}:5:20: waivers[0].justification: YAML tag !!binary is not allowed")


# --- files that are not regular files -----------------------------------------------------------


def refused_in_a_capped_process(args: list[str], *expected: str) -> None:
    """Like ``refused``, in a child process limited to 1 GiB of memory and 120 s: if /dev/zero were
    read again, the run would fail here instead of exhausting the machine's memory."""
    import resource
    import subprocess
    import sys

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    code = "import sys; from gap_engine.cli import main; main(sys.argv[1:])"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120, preexec_fn=cap, env=env, check=False
    )
    assert result.returncode == 2, result.stderr
    assert result.stdout == "" and "Traceback" not in result.stderr
    for text in expected:
        assert text in result.stderr, result.stderr


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_dev_zero_is_refused_not_read_until_memory_runs_out(tmp_path: Path) -> None:
    """/dev/zero reports a size of 0 and never ends: the old size check let it through."""
    refused_in_a_capped_process(
        ["check", "/dev/zero"], "Error: /dev/zero: is not a regular file (it is a character device) (name a YAML file saved on disk)"
    )
    refused_in_a_capped_process(["check", str(GOOD), "--waivers", "/dev/zero"], "Error: /dev/zero: is not a regular file")
    pack = write_manifest(tmp_path / "pack")
    (pack / "zero.yaml").symlink_to("/dev/zero")
    refused_in_a_capped_process(
        ["rules", "list", "--rules", str(pack)], f"Error: {pack / 'zero.yaml'}: is not a regular file (it is a character device)"
    )
    manifest_pack = tmp_path / "manifest-pack"
    manifest_pack.mkdir()
    (manifest_pack / "pack.yaml").symlink_to("/dev/zero")
    refused_in_a_capped_process(
        ["validate", str(GOOD), "--rules", str(manifest_pack)], f"Error: {manifest_pack / 'pack.yaml'}: is not a regular file"
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
@pytest.mark.usefixtures("deadline")
def test_fifo_is_refused_not_waited_on(tmp_path: Path) -> None:
    """Opening a FIFO for reading blocks until a writer comes; it is now opened without blocking and refused."""
    fifo = tmp_path / "profile.yaml"
    os.mkfifo(fifo)
    refused(["check", str(fifo)], f"Error: {fifo}: is not a regular file (it is a named pipe)")
    refused(["check", str(GOOD), "--waivers", str(fifo)], f"Error: {fifo}: is not a regular file (it is a named pipe)")
    pack = write_manifest(tmp_path / "pack")
    (pack / "rules.yaml").symlink_to(fifo)
    refused(["rules", "list", "--rules", str(pack)], f"Error: {pack / 'rules.yaml'}: is not a regular file (it is a named pipe)")


def test_size_limit_does_not_trust_the_reported_size(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file whose stat says it is small but is not: at most max_bytes + 1 bytes are read, then it is refused."""
    big = tmp_path / "big.yaml"
    big.write_bytes(b"note: " + b"x" * 5_000 + b"\n")
    real_fstat, real_read = os.fstat, os.read

    class Shrunk:
        def __init__(self, info: os.stat_result) -> None:
            self.st_mode, self.st_size = info.st_mode, 10

    monkeypatch.setattr(os, "fstat", lambda fd: Shrunk(real_fstat(fd)))
    asked: list[int] = []
    monkeypatch.setattr(os, "read", lambda fd, n: asked.append(n) or real_read(fd, n))
    with pytest.raises(InputErrors, match=r"big.yaml: file is over the 1,000-byte limit"):
        read_bytes(big, max_bytes=1_000)
    assert sum(asked) <= 1_001
    assert read_bytes(big, max_bytes=MAX_FILE_BYTES).startswith(b"note: xxx")


# --- paths --------------------------------------------------------------------------------------


def test_symlink_loop(tmp_path: Path) -> None:
    """Was: 'file not found' for a profile, 'not a directory' for a rule pack."""
    loop = tmp_path / "loop.yaml"
    loop.symlink_to(loop)
    message = f"Error: {loop}: the path is a loop of symbolic links (point the link at a real file)"
    refused(["check", str(loop)], message)
    refused(["check", str(GOOD), "--waivers", str(loop)], message)
    refused(["rules", "list", "--rules", str(loop)], message)


def test_name_longer_than_the_file_system_allows(tmp_path: Path) -> None:
    """Was: OSError [Errno 36] traceback for --rules (Path.is_dir raises on it)."""
    long = tmp_path / ("x" * 300 + ".yaml")
    message = "the file name is longer than the file system allows (check the path, or shorten the name)"
    refused(["validate", str(long)], f"Error: {long}: {message}")
    refused(["check", str(GOOD), "--waivers", str(long)], message)
    refused(["rules", "list", "--rules", str(long)], message)
    refused(["check", str(GOOD), "--rules", str(long)], message)


# --- did you mean --------------------------------------------------------------------------------


def test_an_unknown_field_is_never_suggested_for_itself() -> None:
    """Even where pydantic's location lands on a real field's name, the hint never repeats it."""
    from pydantic import BaseModel, ConfigDict

    from gap_engine.yamlio import _suggest_field

    class Inner(BaseModel):
        model_config = ConfigDict(extra="forbid")
        jurisdiction: str = ""
        jurisdictions: str = ""

    class Outer(BaseModel):
        inner: Inner

    assert _suggest_field(Outer, ("inner", "jurisdiction")) == "did you mean 'jurisdictions'?"
    assert _suggest_field(Outer, ("inner", "jurisdictoin")) == "did you mean 'jurisdiction'?"


def test_suggestions_are_shared() -> None:
    """One measure for every did-you-mean; a normalised name (upper-cased rule ID) may match exactly."""
    assert closest("GAI-011", ["GAI-011", "GAI-019"]) == "GAI-011"
    assert closest("hash_shareing", ["hash_sharing", "age_assurance"]) == "hash_sharing"
    assert closest("zzz", ["hash_sharing"]) is None
