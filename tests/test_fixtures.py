"""The bundled fixtures keep their meaning: Examplia closes every gap, Nescia states nothing."""

from __future__ import annotations

from functools import cache

import pytest

from gap_engine.api import check
from gap_engine.findings import CheckResults
from gap_engine.loading import load_profile
from tests.conftest import FIXTURES

ALL_FIXTURES = sorted(FIXTURES.glob("*.yaml"))


@cache
def results_for(name: str) -> CheckResults:
    return check([FIXTURES / name])


@pytest.mark.parametrize("path", ALL_FIXTURES, ids=lambda p: p.name)
def test_every_fixture_validates(path) -> None:  # type: ignore[no-untyped-def]
    profile = load_profile(path)
    if not profile.fictional:
        assert profile.sources, "a real jurisdiction's profile cites its sources"
        assert path.read_text().lstrip().startswith("#"), "a real profile opens with a comment on its scope and limits"


def test_examplia_is_covered_on_every_rule() -> None:
    findings = results_for("examplia_complete.yaml").all_findings()
    assert findings
    not_covered = {f.rule_id: (f.status.value, f.missing) for f in findings if f.status.value != "covered"}
    assert not_covered == {}


def test_nescia_is_unknown_on_every_rule() -> None:
    """Nothing stated must never read as a gap (or as covered)."""
    findings = results_for("nescia_unknown.yaml").all_findings()
    assert findings
    assert {f.rule_id: f.status.value for f in findings if f.status.value != "unknown"} == {}


def test_covered_findings_cite_their_evidence() -> None:
    for finding in results_for("examplia_complete.yaml").all_findings():
        assert finding.evidence, f"{finding.rule_id} is covered without evidence"
        # An offence's evidence carries the element's status; a fact's, its answer ("no" where that is the protective one).
        assert all(e.answer in ("covered", "yes", "no") for e in finding.evidence if e.kind != "reservation")
