"""Shared helpers: paths, a CLI runner, and small profile builders."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def minimal_profile(**extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"jurisdiction": {"code": "XT", "name": "Testland"}, "as_of": "2024-10-01", "fictional": True}
    data.update(extra)
    return data


def offence(oid: str, conduct: list[str], **scope: Any) -> dict[str, Any]:
    return {"id": oid, "title": f"Offence {oid}", "citation": {"instrument": "Test Code", "provision": oid}, "conduct": conduct, **scope}


def write_manifest(directory: Path, pack_id: str = "test-pack", theme: str = "test_theme", question: str = "TP-Q1") -> Path:
    """Write a minimal pack.yaml declaring one theme and one question for a test pack's rules."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "pack.yaml").write_text(
        f"id: {pack_id}\ntitle: Test pack {pack_id}\nversion: 1.0.0\n"
        f"source: {{title: Test source of {pack_id}, url: 'https://example.org/{pack_id}'}}\nlicence: CC0-1.0\n"
        f"themes:\n  - {{id: {theme}, title: Test theme {theme}}}\n"
        f"questions:\n  - {{id: {question}, theme: {theme}, text: A test question.}}\n",
        encoding="utf-8",
    )
    return directory
