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
