"""The check at scale: streamed JSON Lines and CSV, worker processes, size limits, and the shortcuts
the fast check takes (trusted models, durable_rules' private C calls) pinned down."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from gap_engine import api
from gap_engine.cli import main
from gap_engine.findings import ElementResult, Evidence, Finding, Status, trusted
from gap_engine.reporters import jsonl
from gap_engine.rules import load_rules
from tests.conftest import FIXTURES, minimal_profile, offence

EXAMPLIA = FIXTURES / "examplia_complete.yaml"
NESCIA = FIXTURES / "nescia_unknown.yaml"


def invoke(*args: str | Path):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def invoke_fresh(*args: str | Path, chunk: int) -> subprocess.CompletedProcess[str]:
    """The CLI in a fresh, single-threaded interpreter with ``api.CHUNK`` set: --jobs forks workers,
    which is only safe from a process running one thread (a test runner's worker runs several)."""
    code = f"import gap_engine.api as api; api.CHUNK = {chunk}; from gap_engine.cli import main; main()"
    return subprocess.run([sys.executable, "-c", code, *map(str, args)], capture_output=True, text=True, timeout=300)


def small_profiles(directory: Path, count: int) -> list[Path]:
    """``count`` quick-to-read profiles of different jurisdictions, some with a gap, some unknown."""
    paths = []
    for i in range(count):
        data = minimal_profile(jurisdiction={"code": f"X{chr(ord('A') + i % 26)}", "name": f"Land {i}"})
        if i % 2:
            data["criminal_law"] = {
                "offences_listed_exhaustively": "yes",
                "offences": [offence(f"o{i}", ["producing", "possessing"], material={"synthetic_realistic": "yes"})],
            }
        path = directory / f"p{i:02d}.yaml"
        path.write_text(json.dumps(data), encoding="utf-8")  # JSON is YAML
        paths.append(path)
    return paths


# --- --format jsonl -------------------------------------------------------------------------------


def test_jsonl_lines_are_the_json_results_one_profile_per_line_in_the_order_given(tmp_path: Path) -> None:
    as_json = invoke("check", NESCIA, EXAMPLIA, "--format", "json")
    streamed = invoke("check", NESCIA, EXAMPLIA, "--format", "jsonl")
    assert as_json.exit_code == 0 and streamed.exit_code == 0, streamed.output
    document = json.loads(as_json.stdout)
    lines = [json.loads(text) for text in streamed.stdout.splitlines()]
    assert [line["source"] for line in lines] == [str(NESCIA), str(EXAMPLIA)]  # the order given, not sorted
    by_source = {p["source"]: p for p in document["profiles"]}
    for line in lines:
        for key in ("tool_version", "rules_version", "rules_hash", "engine", "schema_version"):
            assert line.pop(key) == document[key]
        assert line == by_source[line["source"]]


def test_jsonl_lines_match_their_json_schema() -> None:
    streamed = invoke("check", EXAMPLIA, "--format", "jsonl")
    schema = jsonl.line_schema()
    line = json.loads(streamed.stdout)
    assert set(schema["required"]) >= {"jurisdiction", "findings", "rules_version", "engine", "schema_version"}
    assert set(line) == set(schema["properties"])
    import jsonschema  # a test dependency: the line must match its published schema, not be skipped

    jsonschema.validate(line, schema)


def test_streamed_csv_is_byte_identical_to_the_held_one_for_the_same_order(tmp_path: Path) -> None:
    paths = small_profiles(tmp_path, 4)  # jurisdictions XA..XD: input order is also the held report's order
    held, streamed = tmp_path / "held.csv", tmp_path / "streamed.csv"
    assert invoke("check", *paths, "--csv", held).exit_code == 0
    assert invoke("check", *paths, "--format", "jsonl", "-o", tmp_path / "out.jsonl", "--csv", streamed).exit_code == 0
    assert streamed.read_bytes() == held.read_bytes()
    rows = list(csv.DictReader(io.StringIO(streamed.read_text(encoding="utf-8-sig"))))
    assert {row["jurisdiction"] for row in rows} == {"XA", "XB", "XC", "XD"}


def test_a_bad_profile_anywhere_leaves_no_output_and_names_it(tmp_path: Path) -> None:
    paths = small_profiles(tmp_path, 3)
    bad = tmp_path / "bad.yaml"
    bad.write_text("jurisdiction: {code: XZ, name: Bad}\nas_of: not-a-date\nfictional: true\n", encoding="utf-8")
    out, table = tmp_path / "out.jsonl", tmp_path / "gaps.csv"
    table.write_text("previous run\n", encoding="utf-8")
    result = invoke("check", *paths[:2], bad, paths[2], "--format", "jsonl", "-o", out, "--csv", table)
    assert result.exit_code == 2
    assert str(bad) in result.stderr and "as_of" in result.stderr
    assert not out.exists()
    assert table.read_text(encoding="utf-8") == "previous run\n"  # the earlier file is kept, not half-overwritten
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_jsonl_fail_on_sees_every_streamed_finding(tmp_path: Path) -> None:
    assert invoke("check", EXAMPLIA, "--format", "jsonl", "--fail-on", "unknown").exit_code == 0
    assert invoke("check", EXAMPLIA, NESCIA, "--format", "jsonl", "--fail-on", "unknown").exit_code == 1


def test_jsonl_refuses_a_workbook_beside_it(tmp_path: Path) -> None:
    result = invoke("check", EXAMPLIA, "--format", "jsonl", "--xlsx", tmp_path / "gaps.xlsx")
    assert result.exit_code == 2
    assert "--xlsx" in result.stderr and "--csv" in result.stderr
    assert not (tmp_path / "gaps.xlsx").exists()


def test_the_stream_reads_a_profile_only_when_the_previous_result_is_taken(tmp_path: Path) -> None:
    """What keeps memory flat: one profile read, checked and handed on at a time, none held back."""
    paths = small_profiles(tmp_path, 3)
    read: list[str] = []

    def load(path: Any, packs: Any) -> Any:
        read.append(Path(path).name)
        return api.load_profile(path, packs)

    stream = api.stream_check(paths, load_rules(), "python", load=load)
    results = iter(stream)
    first = next(results)
    assert read == ["p00.yaml"] and first.source == str(paths[0])
    next(results)
    assert read == ["p00.yaml", "p01.yaml"]


# --- --jobs ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["jsonl", "json"])
def test_jobs_output_is_byte_identical_to_one_process(tmp_path: Path, fmt: str) -> None:
    paths = small_profiles(tmp_path, 5)[::-1]
    outputs = {}
    for jobs in ("1", "2"):
        out, table = tmp_path / f"out{jobs}.{fmt}", tmp_path / f"gaps{jobs}.csv"
        # 5 profiles in 3 chunks over 2 workers: order must be restored
        result = invoke_fresh("check", *paths, "--format", fmt, "--jobs", jobs, "-o", out, "--csv", table, chunk=2)
        assert result.returncode == 0, result.stderr
        outputs[jobs] = (out.read_bytes(), table.read_bytes())
    assert outputs["1"] == outputs["2"]
    assert outputs["1"][0].count(b'"jurisdiction"') >= 5


def test_jobs_reports_a_bad_profile_like_one_process(tmp_path: Path) -> None:
    paths = small_profiles(tmp_path, 2)
    missing = tmp_path / "missing.yaml"
    result = invoke_fresh("check", paths[0], missing, paths[1], "--format", "jsonl", "--jobs", "2", "-o", tmp_path / "o.jsonl", chunk=1)
    assert result.returncode == 2 and str(missing) in result.stderr
    assert not (tmp_path / "o.jsonl").exists()


# --- size limits of the reports built whole -----------------------------------------------------


@pytest.mark.parametrize(("option", "limit_key"), [(("--format", "markdown"), "markdown"), (("--xlsx", "WORKBOOK"), "xlsx")])
def test_reports_built_in_memory_are_refused_beyond_their_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, option: tuple[str, str], limit_key: str
) -> None:
    from gap_engine import cli

    monkeypatch.setitem(cli.HELD_LIMITS, limit_key, 1)
    args = [a.replace("WORKBOOK", str(tmp_path / "gaps.xlsx")) for a in option]
    result = invoke("check", EXAMPLIA, NESCIA, *args)
    assert result.exit_code == 2
    assert "2 profiles given" in result.stderr and "at most 1" in result.stderr and "--format jsonl" in result.stderr
    assert invoke("check", EXAMPLIA, *args).exit_code == 0  # at the limit it runs


# --- the shortcuts of the fast check --------------------------------------------------------------


def _evidence() -> dict[str, Any]:
    return {"kind": "offence", "ref": "o-1", "answer": "covered", "citation": "Code, s. 1", "url": None}


def test_trusted_models_equal_hash_and_serialise_like_validated_ones() -> None:
    """Pins the private pydantic attributes ``findings.trusted`` sets: a release changing them fails here."""
    evidence = trusted(Evidence, **_evidence())
    assert evidence == Evidence(**_evidence()) and hash(evidence) == hash(Evidence(**_evidence()))
    element = {"element": "e", "status": Status.gap, "evidence": [evidence], "missing": "m"}
    finding_fields = {
        "jurisdiction": "XT",
        "jurisdiction_name": "Testland",
        "rule_id": "R-1",
        "title": "t",
        "theme": "th",
        "severity": "high",
        "status": Status.gap,
        "articles": ["20"],
        "paper_section": "1",
        "questions": [],
        "finding": "f",
        "recommendation": "r",
        "elements": [trusted(ElementResult, **element)],
    }
    fast, slow = trusted(Finding, **finding_fields), Finding(**finding_fields)
    assert fast == slow
    assert fast.model_dump_json() == slow.model_dump_json()
    assert fast.notes == [] and fast.notes is not trusted(Finding, **finding_fields).notes  # defaults made per model
    assert fast.model_copy(update={"label": "x"}).label == "x"
    with pytest.raises(TypeError, match="no field"):
        trusted(Evidence, **_evidence(), colour="red")


def test_durable_rules_private_calls_keep_their_codes_and_action_shape() -> None:
    """engine_durable.py drives durable_rules' C extension directly and cuts fact ids out of the
    actions' JSON; this pins what it relies on, on a two-rule ruleset."""
    durable_engine = pytest.importorskip("durable.engine")
    from gap_engine.engine_durable import _MATCH, _import_c_extension

    class Host(durable_engine.Host):  # type: ignore[misc, name-defined]
        def _run(self) -> None:
            pass

    host = Host()
    host.set_rulesets(
        {
            "scale_contract": {
                "hit": {"all": [{"f": {"$and": [{"t": "offence"}, {"a": "yes"}]}}], "cap": 100, "run": lambda c: None},
                "meta": {"all": [{"x": {"t": "meta"}}], "run": lambda c: None},
            }
        }
    )
    handle = host.get_ruleset("scale_contract")._handle
    c = _import_c_extension()
    facts = [
        {"id": 0, "t": "meta", "sid": "1"},
        {"id": 1, "t": "offence", "a": "yes", "sid": "1"},
        {"id": 2, "t": "offence", "a": "yes", "sid": "1"},
    ]
    code, state = c.assert_facts(handle, json.dumps(facts))
    assert code == 0
    messages = []
    pending = c.start_action_for_state(handle, state)
    message = pending[1] if pending else None
    while message:
        messages.append(message)
        message = c.complete_and_start_action(handle, state)
    hit = next(m for m in messages if m.startswith('{"hit"'))
    assert sorted(int(part[: part.index(",")]) for part in hit.split(_MATCH)[1:]) == [1, 2]
    assert sorted(match["f"]["id"] for match in json.loads(hit)["hit"]) == [1, 2]  # every match as sent, id first
    assert all(match == {"f": facts[match["f"]["id"]]} for match in json.loads(hit)["hit"])
    assert any(m.startswith('{"meta"') for m in messages)
    c.delete_state(handle, "1")
    code, _ = c.assert_facts(handle, json.dumps([{"id": 0, "t": "nothing", "sid": "2"}]))
    assert code == 1  # no rule takes it: MessageNotHandled
    same = {"id": 5, "t": "meta", "sid": "3"}
    assert c.assert_facts(handle, json.dumps([same]))[0] == 0
    assert c.assert_facts(handle, json.dumps([same]))[0] == 2  # the same fact again: MessageObserved


def test_published_line_schema_is_up_to_date() -> None:
    from tests.conftest import ROOT

    committed = (ROOT / "docs" / "results-line.schema.json").read_text()
    assert committed == invoke("schema", "--results-line").output, "run `make docs` to regenerate the published schemas"


def test_a_check_creates_no_reference_cycles_so_pausing_the_collector_is_safe() -> None:
    """api.collector_paused turns the cyclic collector off while profiles are checked; that is only
    safe while a check leaves no cyclic garbage behind, which a change to the verdict could break."""
    import gc

    catalogue = load_rules()
    engine = api.make_engine(catalogue, "durable", notice=False)
    profiles = [(str(path), api.load_profile(path)) for path in (EXAMPLIA, NESCIA, FIXTURES / "nl_netherlands.yaml")]
    api.check_profiles(profiles, catalogue, engine)  # warm: first-use caches are not garbage
    gc.collect()
    gc.disable()
    try:
        results = api.check_profiles(profiles, catalogue, engine)
        del results
        assert gc.collect() == 0
    finally:
        gc.enable()
    assert gc.isenabled()
    with api.collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_workers_are_not_forked_from_a_threaded_process(tmp_path: Path) -> None:
    """A fork from a process running several threads can inherit a held lock and hang: there the
    stream runs in one process (same results), and only a single-threaded process forks workers."""
    import threading

    release = threading.Event()
    helper = threading.Thread(target=release.wait)
    helper.start()
    try:
        assert not api.fork_is_safe()
        stream = api.stream_check(small_profiles(tmp_path, 2), load_rules(), "python", jobs=2)
        assert stream.jobs == 1
    finally:
        release.set()
        helper.join()
    code = "import gap_engine.api as api; print(api.fork_is_safe())"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "True"
