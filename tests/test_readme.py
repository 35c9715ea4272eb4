"""The README's table of fixture results must match what `make demo` prints."""

from __future__ import annotations

import re
from collections import Counter

from gap_engine.api import check
from tests.conftest import FIXTURES, ROOT

ORDER = ["gap", "partial", "unknown", "covered", "reserved", "not_applicable"]


def test_readme_fixture_table_matches_the_check() -> None:
    readme = (ROOT / "README.md").read_text()
    rows = re.findall(r"^\| `(fixtures/[^`]+)` — .*? \| ([\d-]+) \| ((?:\d+ \| ){5}\d+) \|$", readme, re.M)
    stated = {path: (as_of, [int(n) for n in counts.split(" | ")]) for path, as_of, counts in rows}
    paths = sorted(FIXTURES.glob("*.yaml"))
    assert sorted(stated) == sorted(f"fixtures/{p.name}" for p in paths), "every fixture has a row"
    results = check(paths)
    for profile in results.profiles:
        name = f"fixtures/{profile.source.rsplit('/', 1)[-1]}"
        counts = Counter(f.status.value for f in profile.findings)
        assert stated[name] == (str(profile.as_of), [counts.get(s, 0) for s in ORDER]), name
