"""Rule packs: a manifest, their own themes and questions, selection, replacement, load-time checks,
and the pack's id and version in every output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from gap_engine import __version__
from gap_engine.catalogue_docs import render_trace, trace
from gap_engine.cli import main
from gap_engine.errors import InputErrors
from gap_engine.rules import load_rules
from tests.conftest import FIXTURES, write_manifest

NESCIA = FIXTURES / "nescia_unknown.yaml"
EXAMPLIA = FIXTURES / "examplia_complete.yaml"

MANIFEST = """\
id: model-law
title: Model legislation criteria
version: 1.2.0
source: {title: "Model legislation, 2025 edition", url: "https://example.org/model-law"}
licence: CC-BY-4.0
requires_gap_engine: "0.1"
themes:
  - {id: definitions, title: Definitions, section: Part I}
  - {id: reporting, title: Reporting duties, section: Part II}
questions:
  - {id: ML-C1, theme: definitions, text: CSAM is defined in law.}
  - {id: ML-C2, theme: reporting, text: Hash sharing is provided for.}
"""

RULES = """\
theme: definitions
rules:
  - id: MLC-001
    title: Producing deepfake CSAM is an offence
    questions: [ML-C1]
    severity: recommendation
    condition:
      offence: {conduct: producing, material: manipulated_real_child}
    finding: The model law defines CSAM to include altered images.
    recommendation: Define it so.
    cases:
      - {name: unknown_when_nothing_stated, profile: {}, expect: unknown}
      - name: covered_when_the_offence_reaches_it
        profile:
          criminal_law:
            offences:
              - {id: o, title: O, citation: {instrument: Code}, conduct: [producing], material: {manipulated_real_child: "yes"}}
        expect: covered
"""

REPORTING = """\
theme: reporting
rules:
  - id: MLC-002
    title: Hash sharing is provided for
    questions: [ML-C2]
    severity: good_practice
    replaces: [LIVE-008]
    condition: {fact: regulation.platforms.hash_sharing}
    finding: The model law asks for hash sharing.
    recommendation: Provide for it.
    cases:
      - {name: unknown_when_nothing_stated, profile: {}, expect: unknown}
      - {name: covered_when_provided, profile: {regulation: {platforms: {hash_sharing: "yes"}}}, expect: covered}
"""


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    directory = tmp_path / "model_law"
    directory.mkdir()
    (directory / "pack.yaml").write_text(MANIFEST, encoding="utf-8")
    (directory / "definitions.yaml").write_text(RULES, encoding="utf-8")
    (directory / "reporting.yaml").write_text(REPORTING, encoding="utf-8")
    return directory


def run(*args: str) -> object:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def errors_of(*dirs: Path, **options: object) -> str:
    with pytest.raises(InputErrors) as info:
        load_rules(list(dirs), **options)  # type: ignore[arg-type]
    return "\n".join(str(e) for e in info.value.errors)


def test_a_pack_brings_its_own_themes_and_questions(pack: Path) -> None:
    catalogue = load_rules([pack])
    mine = [r for r in catalogue.rules if r.pack == "model-law"]
    assert [(r.id, r.theme, r.theme_title, r.paper_section, r.pack_version) for r in mine] == [
        ("MLC-001", "definitions", "Definitions", "Part I", "1.2.0"),
        ("MLC-002", "reporting", "Reporting duties", "Part II", "1.2.0"),
    ]
    assert [p.label for p in catalogue.packs] == ["builtin 2.0.0", "model-law 1.2.0"]


def test_trace_shows_each_pack_against_its_own_source(pack: Path) -> None:
    catalogue = load_rules([pack])
    rows = trace(catalogue)
    served = {row.question_id: row.rule_ids for row in rows}
    assert served["ML-C1"] == ("MLC-001",) and served["ML-C2"] == ("MLC-002",)
    # The pack's rules never count as serving the paper.
    assert not any(rule.startswith("MLC") for row in rows if row.pack == "builtin" for rule in row.rule_ids)
    text = render_trace(rows, catalogue)
    assert "== pack model-law 1.2.0: Model legislation, 2025 edition" in text
    assert text.index("DECL-5") < text.index("== pack model-law") < text.index("ML-C1")


def test_a_pack_rule_citing_an_undeclared_theme(pack: Path) -> None:
    (pack / "definitions.yaml").write_text(RULES.replace("theme: definitions", "theme: definitons"), encoding="utf-8")
    error = errors_of(pack)
    assert "definitions.yaml:1:1: theme: unknown theme 'definitons' in pack 'model-law'; known: definitions, reporting" in error


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("id: model-law", "id: builtin"), "pack.yaml:1: id: the pack id 'builtin' is reserved for the built-in rules"),
        (("id: model-law", "id: Model Law"), "pack.yaml:1:1: id: String should match pattern"),
        (('requires_gap_engine: "0.1"', 'requires_gap_engine: "99.0"'), "the pack needs gap-engine 99.0 or later; this is " + __version__),
        (("theme: reporting, text", "theme: reportin, text"), "question ML-C2 names theme 'reportin', which the pack does not declare"),
        (("licence: CC-BY-4.0\n", ""), "pack.yaml:1:1: licence: required field is missing (add 'licence:')"),
        (("themes:\n", "themes:\n  - {id: generative_ai, title: Clash}\n"), "theme ID 'generative_ai' is also a theme of pack 'builtin'"),
        (
            ("questions:\n", "questions:\n  - {id: GAI-Q1, theme: reporting, text: Clash}\n"),
            "question ID 'GAI-Q1' is also a question of pack",
        ),
    ],
)
def test_manifest_errors_name_the_file_and_field(pack: Path, change: tuple[str, str], expected: str) -> None:
    (pack / "pack.yaml").write_text(MANIFEST.replace(*change), encoding="utf-8")
    assert expected in errors_of(pack)


def test_a_theme_of_another_pack_is_refused(pack: Path) -> None:
    (pack / "pack.yaml").write_text(MANIFEST.replace("themes:\n", "themes:\n  - {id: iot, title: Things}\n"), encoding="utf-8")
    assert "theme ID 'iot' is also a theme of pack 'builtin'" in errors_of(pack)


def test_a_directory_without_a_manifest_is_explained(tmp_path: Path) -> None:
    bare = tmp_path / "bare"
    bare.mkdir()
    (bare / "rules.yaml").write_text(RULES, encoding="utf-8")
    error = errors_of(bare)
    assert f"{bare}: rule pack has no pack.yaml" in error and "id: my-pack" in error


def test_a_pack_given_twice_is_one_clear_error(pack: Path, tmp_path: Path) -> None:
    assert errors_of(pack, pack).count("\n") == 0
    assert "rule pack is given twice" in errors_of(pack, pack)
    twin = tmp_path / "twin"
    twin.mkdir()
    (twin / "pack.yaml").write_text(MANIFEST, encoding="utf-8")
    (twin / "other.yaml").write_text(RULES.replace("MLC-001", "MLC-009"), encoding="utf-8")
    error = errors_of(pack, twin)
    assert "pack 'model-law' is loaded twice (also from" in error and "duplicate rule ID" not in error


def test_a_typo_in_a_case_profile_fails_when_the_pack_loads(pack: Path) -> None:
    (pack / "definitions.yaml").write_text(RULES.replace('manipulated_real_child: "yes"', 'manipulated_real_chil: "yes"'), encoding="utf-8")
    error = errors_of(pack)
    assert "definitions.yaml:17: rules[0].cases[1].profile" in error
    assert "rule MLC-001, case covered_when_the_offence_reaches_it:" in error
    result = run("check", str(NESCIA), "--rules", str(pack))
    assert result.exit_code == 2 and "MLC-001, case covered_when_the_offence_reaches_it" in result.output


def test_replaces_runs_the_pack_rule_instead_and_says_so(pack: Path, tmp_path: Path) -> None:
    catalogue = load_rules([pack])
    ids = {r.id for r in catalogue.rules}
    assert "LIVE-008" not in ids and "MLC-002" in ids and catalogue.replaced == {"LIVE-008": "MLC-002"}
    text = run("check", str(NESCIA), "--rules", str(pack)).output
    assert "MLC-002   Hash sharing is provided for [model-law 1.2.0] (replaces LIVE-008)" in text
    data = json.loads(run("check", str(NESCIA), "--rules", str(pack), "--format", "json").output)
    finding = next(f for f in data["profiles"][0]["findings"] if f["rule_id"] == "MLC-002")
    assert finding["replaces"] == ["LIVE-008"] and finding["pack"] == "model-law" and finding["pack_version"] == "1.2.0"
    csv_path = tmp_path / "out.csv"
    run("check", str(NESCIA), "--rules", str(pack), "--csv", str(csv_path))
    row = next(line for line in csv_path.read_text(encoding="utf-8").splitlines() if line.startswith("XB,") and ",MLC-002," in line)
    assert row.endswith(",1.2.0,LIVE-008,,,")  # then the (empty) waiver columns


def test_replacing_a_rule_that_is_not_loaded(pack: Path) -> None:
    (pack / "reporting.yaml").write_text(REPORTING.replace("[LIVE-008]", "[LIVE-099]"), encoding="utf-8")
    assert "MLC-002.replaces: replaces LIVE-099, which is not a loaded rule" in errors_of(pack)


def test_a_duplicate_id_without_replaces_points_at_replaces(pack: Path) -> None:
    (pack / "reporting.yaml").write_text(
        REPORTING.replace("MLC-002", "LIVE-008").replace("    replaces: [LIVE-008]\n", ""), encoding="utf-8"
    )
    error = errors_of(pack)
    assert "duplicate rule ID LIVE-008" in error and "declare replaces: [ID]" in error


def test_no_builtin_select_and_skip(pack: Path) -> None:
    assert [r.id for r in load_rules([pack], include_builtin=False).rules] == ["MLC-001", "MLC-002"]
    assert [r.id for r in load_rules([pack], select=["definitions", "GAI-001"]).rules] == ["GAI-001", "MLC-001"]
    skipped = load_rules([pack], skip=["generative_ai", "MLC-002"])
    assert not any(r.theme == "generative_ai" for r in skipped.rules) and "MLC-002" not in {r.id for r in skipped.rules}
    assert "--select: no rule or theme 'GAI-100' (did you mean 'GAI-010'?)" in errors_of(pack, select=["GAI-100"])
    result = run("check", str(NESCIA), "--no-builtin", "--rules", str(pack), "--skip", "MLC-02")
    assert result.exit_code == 2 and "--skip: no rule or theme 'MLC-02' (did you mean 'MLC-002'?)" in result.output
    text = run("check", str(NESCIA), "--no-builtin", "--rules", str(pack)).output
    assert "2 unknown" in text and "GAI-001" not in text
    assert run("check", str(NESCIA), "--no-builtin").exit_code == 2


def test_rules_test_runs_one_pack(pack: Path) -> None:
    result = run("rules", "test", "--rules", str(pack), "--pack", "model-law")
    assert result.exit_code == 0 and result.output.strip() == "4 of 4 rule cases pass"
    result = run("rules", "test", "--rules", str(pack), "--pack", "model-lw")
    assert result.exit_code == 2 and "--pack: no loaded pack 'model-lw' (loaded: builtin, model-law)" in result.output


def test_every_output_names_the_packs_and_their_versions(pack: Path, tmp_path: Path) -> None:
    text = run("check", str(NESCIA), "--rules", str(pack)).output
    assert "(packs: builtin 2.0.0, model-law 1.2.0)" in text
    markdown = run("check", str(NESCIA), "--rules", str(pack), "--format", "markdown").output
    assert "(packs: builtin 2.0.0, model-law 1.2.0)" in markdown and "*Pack model-law 1.2.0:* Part I, questions ML-C1." in markdown
    data = json.loads(run("check", str(NESCIA), "--rules", str(pack), "--format", "json").output)
    assert [(p["id"], p["version"], p["source"]) for p in data["packs"]] == [
        ("builtin", "2.0.0", data["packs"][0]["source"]),
        ("model-law", "1.2.0", "Model legislation, 2025 edition"),
    ]
    assert data["packs"][1]["questions"] == {"ML-C1": "CSAM is defined in law.", "ML-C2": "Hash sharing is provided for."}
    assert [t["id"] for t in data["packs"][1]["themes"]] == ["definitions", "reporting"]


def test_a_pack_theme_groups_its_findings_in_the_reports(pack: Path) -> None:
    text = run("check", str(NESCIA), "--rules", str(pack)).output
    assert text.index("  Cross-cutting themes") < text.index("  Definitions\n") < text.index("MLC-001") < text.index("  Reporting duties\n")


def test_only_a_pack_may_replace(tmp_path: Path) -> None:
    pack = write_manifest(tmp_path / "p")
    (pack / "r.yaml").write_text(REPORTING.replace("theme: reporting", "theme: test_theme").replace("[ML-C2]", "[TP-Q1]"), encoding="utf-8")
    assert [r.rule.replaces for r in load_rules([pack]).rules if r.pack == "test-pack"] == [["LIVE-008"]]


def test_the_manifest_is_part_of_the_rules_hash(pack: Path) -> None:
    before = load_rules([pack]).content_hash
    (pack / "pack.yaml").write_text(MANIFEST.replace("CSAM is defined in law.", "CSAM is defined in the criminal law."), encoding="utf-8")
    assert load_rules([pack]).content_hash != before
