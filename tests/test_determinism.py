"""Same inputs, same bytes: whatever the order of the files on the command line or of the facts in a file."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from ruamel.yaml import YAML

from gap_engine.cli import main
from tests.conftest import FIXTURES

PROFILES = ["de_germany.yaml", "nl_netherlands.yaml", "examplia_complete.yaml"]


def _write_reordered(source: Path, target: Path) -> None:
    """The same profile with its offences, sources and top-level keys in reverse order."""
    yaml = YAML(typ="rt")
    data = yaml.load(source.read_text())
    data["criminal_law"]["offences"].reverse()
    if "sources" in data:
        data["sources"].reverse()
    reordered = type(data)()
    for key in reversed(list(data)):
        reordered[key] = data[key]
    with target.open("w") as handle:
        yaml.dump(reordered, handle)


def _outputs(workdir: Path, names: list[str], monkeypatch: pytest.MonkeyPatch) -> dict[str, bytes]:
    monkeypatch.chdir(workdir)
    runner = CliRunner()
    out: dict[str, bytes] = {}
    for fmt in ("text", "json", "markdown"):
        result = runner.invoke(main, ["check", *names, "--format", fmt], catch_exceptions=False)
        assert result.exit_code == 0
        out[fmt] = result.output.encode()
    result = runner.invoke(main, ["check", *names, "--xlsx", "gaps.xlsx", "--csv", "gaps.csv"], catch_exceptions=False)
    assert result.exit_code == 0
    out["xlsx"] = (workdir / "gaps.xlsx").read_bytes()
    out["csv"] = (workdir / "gaps.csv").read_bytes()
    return out


def test_outputs_are_byte_identical_whatever_the_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    for name in PROFILES:
        (first / name).write_text((FIXTURES / name).read_text())
        _write_reordered(FIXTURES / name, second / name)
    assert (first / PROFILES[0]).read_text() != (second / PROFILES[0]).read_text()
    expected = _outputs(first, PROFILES, monkeypatch)
    assert _outputs(second, list(reversed(PROFILES)), monkeypatch) == expected
    assert _outputs(first, PROFILES, monkeypatch) == expected  # and twice in a row
