"""English and French: the catalogue is complete, --lang reaches every command, rule and paper texts come in
both languages (with a notice where a pack lacks one), the questionnaire works in either language, and JSON
stays language-neutral."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
import yaml
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from click.testing import CliRunner

from gap_engine import api, i18n
from gap_engine.api import check_profiles, make_engine
from gap_engine.cli import main
from gap_engine.i18n import _, format_date, using
from gap_engine.loading import load_profile
from gap_engine.rules import load_rules, paper
from tests.conftest import FIXTURES, ROOT, minimal_profile

PO = ROOT / "gap_engine" / "locale" / "fr" / "LC_MESSAGES" / "gap_engine.po"
KEYWORDS = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}
NL = FIXTURES / "nl_netherlands.yaml"


def _extracted() -> set[tuple[str | None, str]]:
    """Every message the code marks for translation, read from the source as ``make i18n`` reads it."""
    found = set()
    for _filename, _line, message, _comments, context in extract_from_dir(
        str(ROOT / "gap_engine"), method_map=[("**.py", "python")], keywords=KEYWORDS
    ):
        found.add((context, message if isinstance(message, str) else message[0]))
    return found


def _catalogue() -> dict[tuple[str | None, str], tuple[str, bool]]:
    with PO.open("rb") as handle:
        catalog = read_po(handle, locale="fr")
    return {(m.context, m.id): (m.string, m.fuzzy) for m in catalog if m.id}


def test_every_interface_message_has_a_french_translation() -> None:
    catalogue = _catalogue()
    extracted = _extracted()
    assert len(extracted) > 150  # the extraction itself works (a broken keyword list would find nothing)
    untranslated = sorted(str(key) for key in extracted if not catalogue.get(key, ("", False))[0] or catalogue[key][1])
    assert not untranslated, f"no (or only a fuzzy) French translation; run `make i18n` and translate: {untranslated}"


def test_no_message_is_hidden_inside_an_f_string() -> None:
    """Extraction does not look inside f-string braces: ``f"{_('All')}"`` would never reach the catalogue."""
    hidden = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted((ROOT / "gap_engine").rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if re.search(r"\{\s*(?:_|gettext|pgettext)\(\s*[\"']", line)
    ]
    assert not hidden


def test_every_translation_keeps_the_placeholders_of_its_message() -> None:
    """A translation that drops or renames {name} would raise KeyError (or lose a value) when formatted."""
    placeholder = re.compile(r"\{[a-z_]*(?:![a-z])?\}")
    wrong = [
        key
        for key, (string, _fuzzy) in _catalogue().items()
        if string and sorted(placeholder.findall(key[1])) != sorted(placeholder.findall(string))
    ]
    assert not wrong


def test_messages_are_french_only_under_lang_fr() -> None:
    assert _("Recommendation: {text}") == "Recommendation: {text}"
    with using("fr"):
        assert _("Recommendation: {text}") == "Recommandation\u00a0: {text}"
        assert i18n.pgettext("sheet", "Offences") == "Infractions"
    assert i18n.language() == "en"  # the block restores the language


def test_an_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="choose one of en, fr"):
        i18n.set_language("de")


def test_dates_follow_the_language() -> None:
    assert format_date(date(2026, 12, 2), "en") == "2026-12-02"
    assert format_date(date(2026, 12, 2), "fr") == "2 décembre 2026"


def _commands(group: object, prefix: str = "") -> list[tuple[str, object]]:
    import click

    out = []
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        out.append((prefix + name, command))
        if isinstance(command, click.Group):
            out += _commands(command, prefix + name + " ")
    return out


def test_every_command_takes_lang() -> None:
    missing = [name for name, command in _commands(main) if not any(p.name == "lang" for p in command.params)]  # type: ignore[attr-defined]
    assert not missing


def test_check_in_french_writes_french_labels_and_dates(runner: CliRunner) -> None:
    result = runner.invoke(main, ["check", "--lang", "fr", str(NL)])
    assert result.exit_code == 0, result.output
    first = result.stdout.splitlines()[0]
    assert "droit au 30 juin 2024, évalué au 30 juin 2024" in first
    assert "LACUNE" in result.stdout and "GAP " not in result.stdout
    again = runner.invoke(main, ["check", str(NL)])  # the language of one run never leaks into the next
    assert "law as of 2024-06-30, evaluated on 2024-06-30" in again.stdout.splitlines()[0]


def test_lang_on_the_group_and_the_environment(runner: CliRunner) -> None:
    grouped = runner.invoke(main, ["--lang", "fr", "check", "--format", "markdown", str(NL)])
    assert grouped.stdout.startswith("# Rapport gap-engine")
    from_env = runner.invoke(main, ["check", "--format", "markdown", str(NL)], env={"GAP_ENGINE_LANG": "fr"})
    assert from_env.stdout == grouped.stdout


def test_json_keys_and_enum_values_do_not_depend_on_the_language(runner: CliRunner) -> None:
    english = json.loads(runner.invoke(main, ["check", "--format", "json", str(NL)]).stdout)
    french = json.loads(runner.invoke(main, ["check", "--lang", "fr", "--format", "json", str(NL)]).stdout)

    def neutral(data: dict) -> list[tuple]:
        return [(f["rule_id"], f["status"], f["severity"], f["theme"], sorted(f)) for p in data["profiles"] for f in p["findings"]]

    assert neutral(english) == neutral(french)
    assert sorted(english) == sorted(french)


def test_a_usage_error_is_reported_in_french(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "q.xlsx"
    target.write_bytes(b"mine")
    result = runner.invoke(main, ["template", "--lang", "fr", "--xlsx", str(target)])
    assert result.exit_code == 2
    assert "Erreur\u00a0:" in result.stderr and "il ne sera pas écrasé" in result.stderr
    assert target.read_bytes() == b"mine"


def test_csv_headers_are_translated_only_in_french() -> None:
    from gap_engine.reporters.csv_report import COLUMNS, headers

    assert headers() == list(COLUMNS)
    with using("fr"):
        french = headers()
    assert french[COLUMNS.index("status")] == "statut" and len(set(french)) == len(COLUMNS)


# --- rule, theme and question texts -------------------------------------------------------------

PACK_RULE = """\
theme: {theme}
rules:
  - id: ORG-001
    title: {title}
    questions: [TP-Q1]
    severity: obligation
    condition:
      fact: regulation.platforms.hash_sharing
    finding: {finding}
    recommendation: {recommendation}
{other}    cases:
      - name: unknown_when_nothing_stated
        expect: unknown
  - id: ORG-002
    title: {title} (2)
    questions: [TP-Q1]
    severity: obligation
    condition:
      fact: regulation.platforms.risk_assessment
    finding: {finding}
    recommendation: {recommendation}
    cases:
      - name: unknown_when_nothing_stated
        expect: unknown
"""


def _pack(tmp_path: Path, language: str, other: str, theme_other: str, question_other: str, **texts: str) -> Path:
    directory = tmp_path / "pack"
    directory.mkdir()
    (directory / "pack.yaml").write_text(
        "id: test-pack\ntitle: Test pack\nversion: 1.0.0\nsource: {title: Source}\nlicence: CC0-1.0\n"
        f"language: {language}\n"
        f"themes:\n  - {{id: test_theme, title: {texts['theme_title']}{theme_other}}}\n"
        f"questions:\n  - {{id: TP-Q1, theme: test_theme, text: {texts['question']}{question_other}}}\n",
        encoding="utf-8",
    )
    (directory / "rules.yaml").write_text(
        PACK_RULE.format(theme="test_theme", other=other, **{k: texts[k] for k in ("title", "finding", "recommendation")}),
        encoding="utf-8",
    )
    return directory


def _results(pack: Path, lang: str):  # type: ignore[no-untyped-def]
    catalogue = load_rules([pack], include_builtin=False)
    from gap_engine.profile import Profile

    return check_profiles([("p.yaml", Profile.model_validate(minimal_profile()))], catalogue, make_engine(catalogue, "python"), lang=lang)


ENGLISH_PACK = {
    "title": "Hashes are shared",
    "finding": "Why it matters.",
    "recommendation": "Share hashes.",
    "theme_title": "Platforms",
    "question": "Are hashes shared?",
}
FRENCH_RULE = (
    "    fr:\n      title: Les empreintes sont partagées\n      finding: Pourquoi cela compte.\n"
    "      recommendation: Partager les empreintes.\n"
)


def test_a_rule_with_fr_texts_gives_french_findings_and_english_by_default(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    question = ", fr: {text: Les empreintes sont-elles partagées ?}"
    pack = _pack(tmp_path, "en", FRENCH_RULE, ", fr: {title: Plateformes}", question, **ENGLISH_PACK)
    french = _results(pack, "fr")
    first = french.profiles[0].findings[0]
    assert (first.title, first.finding, first.recommendation) == (
        "Les empreintes sont partagées",
        "Pourquoi cela compte.",
        "Partager les empreintes.",
    )
    assert french.packs[0].themes[0].title == "Plateformes"
    assert french.packs[0].questions["TP-Q1"] == "Les empreintes sont-elles partagées ?"
    english = _results(pack, "en").profiles[0].findings[0]
    assert (english.title, english.recommendation) == ("Hashes are shared", "Share hashes.")
    # ORG-002 has no fr: it stays English, and one notice says so, naming it.
    assert french.profiles[0].findings[1].title == "Hashes are shared (2)"
    err = capsys.readouterr().err
    assert "ORG-002" in err and "ORG-001" not in err and "test-pack" in err


def test_a_french_pack_falls_back_to_french_in_english_with_a_notice(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    texts = {
        "title": "Les empreintes sont partagées",
        "finding": "Pourquoi.",
        "recommendation": "Partager.",
        "theme_title": "Plateformes",
        "question": "Partage ?",
    }
    english_rule = "    en:\n      title: Hashes are shared\n"
    pack = _pack(tmp_path, "fr", english_rule, "", "", **texts)
    results = _results(pack, "en")
    first, second = results.profiles[0].findings
    assert first.title == "Hashes are shared"
    assert first.recommendation == "Partager."  # not given in English: the pack's own language
    assert second.title == "Les empreintes sont partagées (2)"
    assert results.packs[0].themes[0].title == "Plateformes"
    err = capsys.readouterr().err
    assert "ORG-001" in err and "ORG-002" in err and "test_theme" in err and "TP-Q1" in err
    french = _results(pack, "fr")
    assert french.profiles[0].findings[0].title == "Les empreintes sont partagées"
    assert "notice" not in capsys.readouterr().err


def test_an_unknown_key_under_fr_is_refused_with_its_place(tmp_path: Path) -> None:
    from gap_engine.errors import InputErrors

    bad = FRENCH_RULE.replace("      finding:", "      constat:")
    pack = _pack(tmp_path, "en", bad, "", "", **ENGLISH_PACK)
    with pytest.raises(InputErrors) as info:
        load_rules([pack], include_builtin=False)
    message = str(info.value.errors[0])
    assert "rules.yaml" in message and "fr" in message and "constat" in message


def test_the_pack_language_must_be_en_or_fr(tmp_path: Path) -> None:
    from gap_engine.errors import InputErrors

    pack = _pack(tmp_path, "de", "", "", "", **ENGLISH_PACK)
    with pytest.raises(InputErrors) as info:
        load_rules([pack], include_builtin=False)
    assert "language" in str(info.value.errors[0])


def test_every_builtin_rule_theme_and_question_has_its_french_text() -> None:
    catalogue = load_rules()
    builtin = [r for r in catalogue.rules if r.pack == "builtin"]
    no_french = [r.id for r in builtin if r.rule.texts("fr", "en")[1]]
    assert not no_french, f"built-in rules without fr: title, finding and recommendation: {no_french}"
    data = paper()
    assert data.get("paper_fr")
    assert not [t["id"] for t in data["themes"] if not (t.get("fr") or {}).get("title")]
    assert not [q["id"] for q in data["questions"] if not (q.get("fr") or {}).get("text")]
    points = [p for text in data["committee_texts"] for p in text["points"]]
    assert not [p["id"] for p in points if not (p.get("fr") or {}).get("text")]


def test_the_builtin_pack_title_follows_the_language() -> None:
    """rules/pack.yaml's fr: title is what a French report names the pack; English keeps the plain title."""
    builtin = load_rules().packs[0]
    assert builtin.title_in("en") == builtin.title and builtin.title.startswith("Emerging technologies")
    assert builtin.title_in("fr").startswith("Technologies émergentes")
    profile = load_profile(FIXTURES / "nl_netherlands.yaml")
    with using("fr"):
        french = check_profiles([("nl", profile)], load_rules(), make_engine(load_rules(), "python", notice=False))
    assert french.packs[0].title == builtin.title_in("fr")


# --- the questionnaire ---------------------------------------------------------------------------


def _workbook(path: Path):  # type: ignore[no-untyped-def]
    from openpyxl import load_workbook

    return load_workbook(path)


def test_french_template_has_french_sheets_instructions_and_drop_downs(tmp_path: Path) -> None:
    from gap_engine.questionnaire.template import build_template

    catalogue = load_rules()
    target = tmp_path / "fr.xlsx"
    target.write_bytes(build_template(catalogue, lang="fr"))
    book = _workbook(target)
    assert {"Instructions", "Profil", "Listes", "Infractions", "Réserves", "Général"} <= set(book.sheetnames)
    assert "Profile" not in book.sheetnames
    assert book["Instructions"]["A1"].value == "Questionnaire de suivi du Comité de Lanzarote"
    lists = book["Listes"]
    column = next(c for c in lists.iter_cols(values_only=True) if c[0] == "list_Answer")
    assert list(column[1:5]) == ["oui", "non", "partiellement", "inconnu"]
    assert build_template(catalogue, lang="fr") == target.read_bytes()  # byte-deterministic per language
    assert build_template(catalogue, lang="fr") != build_template(catalogue, lang="en")


def _fill(path: Path, words: dict[str, str]) -> None:
    """Answer every blank answer cell of the fact sheets with the given word (``yes`` -> ``oui`` ...)."""
    book = _workbook(path)
    for sheet in book.worksheets:
        header = [c.value for c in sheet[1]]
        if header[:1] != ["fact"]:
            continue
        answer = header.index("answer") + 1
        for row in range(2, sheet.max_row + 1):
            cell = sheet.cell(row=row, column=answer)
            if cell.value in words:
                cell.value = words[cell.value]
    book.save(path)


def test_a_french_template_filled_in_french_imports_to_the_same_profile_as_its_english_twin(tmp_path: Path) -> None:
    from gap_engine.questionnaire.importer import import_workbook
    from gap_engine.questionnaire.template import build_template

    catalogue = load_rules()
    profile = load_profile(NL, catalogue.packs)
    english, french = tmp_path / "en.xlsx", tmp_path / "fr.xlsx"
    english.write_bytes(build_template(catalogue, profile, "en"))
    french.write_bytes(build_template(catalogue, profile, "fr"))
    report_en: list = []
    report_fr: list = []
    from_english = import_workbook(english, catalogue, report=report_en)
    from_french = import_workbook(french, catalogue, report=report_fr)
    assert from_french == from_english == profile  # lossless in both languages
    assert (report_en[0].template, report_fr[0].template) == ("en", "fr")
    assert report_fr[0].answers.get("fr", 0) > 0 and not report_fr[0].answers.get("en")
    with using("fr"):
        assert "modèle lu en français" in report_fr[0].describe()


def test_french_answers_in_an_english_template_and_english_in_a_french_one(tmp_path: Path) -> None:
    from gap_engine.questionnaire.importer import import_workbook
    from gap_engine.questionnaire.template import build_template

    catalogue = load_rules()
    profile = load_profile(NL, catalogue.packs)
    english, french = tmp_path / "en.xlsx", tmp_path / "fr.xlsx"
    english.write_bytes(build_template(catalogue, profile, "en"))
    french.write_bytes(build_template(catalogue, profile, "fr"))
    _fill(english, {"yes": "Oui", "no": "non", "partial": "partiellement", "unknown": "inconnu"})
    _fill(french, {"oui": "yes", "non": "no", "partiellement": "partial", "inconnu": "unknown"})
    report: list = []
    assert import_workbook(english, catalogue, report=report) == profile
    assert report[0].template == "en" and report[0].answers.get("fr", 0) > 0
    report = []
    assert import_workbook(french, catalogue, report=report) == profile
    assert report[0].template == "fr" and report[0].answers.get("en", 0) > 0


def test_a_wrong_answer_names_the_cell_and_offers_the_french_words(tmp_path: Path, runner: CliRunner) -> None:
    from gap_engine.questionnaire.template import build_template

    catalogue = load_rules()
    path = tmp_path / "fr.xlsx"
    path.write_bytes(build_template(catalogue, load_profile(NL, catalogue.packs), "fr"))
    _fill(path, {"oui": "ouii"})
    result = runner.invoke(main, ["import", "--lang", "fr", str(path), "-o", str(tmp_path / "out.yaml")])
    assert result.exit_code == 2
    line = next(line for line in result.stderr.splitlines() if "ouii" in line)
    assert re.search(r"!C\d+", line) and "oui, non" in line and "vouliez-vous dire 'oui'" in line
    assert not (tmp_path / "out.yaml").exists()


def test_import_says_which_language_it_read(tmp_path: Path, runner: CliRunner) -> None:
    template = tmp_path / "fr.xlsx"
    assert runner.invoke(main, ["template", "--lang", "fr", "--xlsx", str(template), "--from", str(NL)]).exit_code == 0
    out = tmp_path / "nl.yaml"
    result = runner.invoke(main, ["import", str(template), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "read a template in French; answers in French" in result.stderr
    assert yaml.safe_load(out.read_text())["jurisdiction"]["code"] == "NL"


def test_the_french_checklist_uses_french_answer_words_and_labels() -> None:
    from gap_engine.questionnaire.checklist import checklist_from
    from gap_engine.questionnaire.checklist_markdown import render

    catalogue = load_rules()
    with using("fr"):
        text = render(checklist_from(catalogue, ["generative_ai"]))
    assert text.startswith("# Liste de contrôle du cycle de suivi")
    assert "☐ oui ☐ non ☐ partiellement ☐ inconnu" in text
    assert "Gravité\u00a0: obligation" in text


# --- the HTML report's templates and the gap workbook --------------------------------------------------------

TEMPLATES = ROOT / "gap_engine" / "reporters" / "templates"


def _template_messages() -> set[str]:
    """The messages of the HTML report's templates, read by Jinja2's extractor as babel.cfg configures it."""
    return {
        message if isinstance(message, str) else message[0]
        for _filename, _line, message, _comments, _context in extract_from_dir(
            str(TEMPLATES),
            method_map=[("**.j2", "jinja2")],
            options_map={"**.j2": {"extensions": "jinja2.ext.i18n"}},
            keywords=KEYWORDS,
        )
    }


def test_every_message_of_the_html_templates_is_extracted_and_translated() -> None:
    messages = _template_messages()
    assert {"Summary matrix", "Page {page} of {pages}", "Showing {shown} of {total} findings."} <= messages
    catalogue = _catalogue()
    untranslated = sorted(m for m in messages if not catalogue.get((None, m), ("", False))[0] or catalogue[(None, m)][1])
    assert not untranslated, f"run `make i18n` and translate: {untranslated}"


def test_babel_cfg_extracts_the_templates() -> None:
    """`make i18n` reads babel.cfg: without its jinja2 section the templates' words would never reach the catalogue."""
    config = (ROOT / "babel.cfg").read_text(encoding="utf-8")
    assert "[jinja2: gap_engine/reporters/templates/**.j2]" in config and "extensions = jinja2.ext.i18n" in config


def test_the_french_gap_workbook_has_french_sheet_names_and_labels(tmp_path: Path) -> None:
    import openpyxl

    from gap_engine.reporters import xlsx

    english = openpyxl.load_workbook(_gap_workbook(tmp_path / "en.xlsx", "en"))
    assert english.sheetnames == ["Summary", "NL Netherlands", "Who", "Items", "Rules", "About"]
    target = _gap_workbook(tmp_path / "fr.xlsx", "fr")
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["Synthèse", "NL Netherlands", "Qui", "Éléments", "Règles", "À propos"]
    summary = book["Synthèse"]
    assert summary.oddFooter.right.text == "Page &P sur &N"
    assert summary.oddHeader.center.text.startswith("synthèse gap-engine")
    assert "lacune" in summary.oddFooter.left.text and "Statuses" not in summary.oddFooter.left.text
    sheet = book["NL Netherlands"]
    assert "droit au 30 juin 2024, évalué au 30 juin 2024" in sheet.oddHeader.center.text
    assert "feuille Règles" in sheet.oddFooter.left.text
    about = {row[0]: row[1] for row in book["À propos"].iter_rows(min_row=3, max_col=2, values_only=True) if row[0]}
    assert {"Outil", "Moteur", "Convention"} <= set(about)
    assert "Tool" not in about and about["Choix de la date de génération"].startswith("La date de référence")
    assert [book[name].oddHeader.center.text for name in ("Qui", "Éléments", "Règles", "À propos")] == [
        "gap-engine\u00a0: les juridictions dans chaque statut, par règle",
        "gap-engine\u00a0: chaque élément de la liste de contrôle par juridiction",
        "gap-engine\u00a0: les règles telles qu’appliquées",
        "À propos de ce classeur des lacunes",
    ]
    # The status cells stay the language-neutral values the conditional formats and filters match on.
    assert {c.value for c in summary[4][xlsx.FIRST_RULE_COLUMN - 1 :] if isinstance(c.value, str)} <= set(xlsx.STATUS_COLOURS)
    assert target.read_bytes() == _gap_workbook(tmp_path / "fr2.xlsx", "fr").read_bytes(), "byte-identical in French too"


def _gap_workbook(target: Path, lang: str) -> Path:
    from gap_engine.reporters import xlsx

    with using(lang):
        xlsx.write_workbook(api.check([NL], engine="python"), target)
    return target


# --- the lines the engine composes for findings -------------------------------------------------


def _elements(lang: str) -> dict[tuple[str, int], tuple[str, str | None]]:
    with using(lang):
        results = api.check([NL], engine="python")
    return {
        (finding.rule_id, n): (element.element, element.missing)
        for finding in results.profiles[0].findings
        for n, element in enumerate(finding.elements)
    }


def test_a_french_check_writes_its_missing_and_element_lines_in_french() -> None:
    english, french = _elements("en"), _elements("fr")
    assert english.keys() == french.keys()
    pairs = list(zip(english.values(), french.values(), strict=True))
    # A fact nobody stated: the English line as it always was, the French one in French with its no-break space.
    stated = [(en, fr) for (_e, en), (_f, fr) in pairs if en and en.startswith("not stated: ")]
    assert stated and all(fr == "non indiqué\u00a0: " + en.removeprefix("not stated: ") for en, fr in stated)
    # An offence element: conduct and material in French words, field names of the profile as written.
    assert ("producing of non realistic depiction material, protecting children under 18", None) not in french.values()
    described = {fr for (en, _m), (fr, _n) in pairs if en == "producing of non realistic depiction material, protecting children under 18"}
    assert described == {"produire, matériel\u00a0: représentation non réaliste, protégeant les enfants de moins de 18 ans"}
    missing_fr = [fr for (_e, en), (_f, fr) in pairs if en and en != fr]
    assert missing_fr and not any("not stated" in line or "no listed offence" in line for line in missing_fr)
    assert any(line.startswith("aucune infraction énumérée ne couvre\u00a0: ") for line in missing_fr)


def test_the_french_in_force_reason_names_the_dates_in_french() -> None:
    from gap_engine.facts import in_force_between

    english = in_force_between(date(2024, 7, 1), None, date(2024, 6, 30), date(2024, 6, 30)).reason
    assert english == "in force from 2024-07-01, not on 2024-06-30"
    with using("fr"):
        french = in_force_between(date(2024, 7, 1), None, date(2024, 6, 30), date(2024, 6, 30)).reason
    assert french == "en vigueur à partir du 1 juillet 2024, non le 30 juin 2024"


# --- the error messages users meet most ----------------------------------------------------------


def test_a_missing_profile_is_reported_in_french_and_in_english_as_before(runner: CliRunner, tmp_path: Path) -> None:
    missing = tmp_path / "absent.yaml"
    english = runner.invoke(main, ["check", str(missing)])
    assert english.exit_code == 2 and "file not found" in english.stderr and "check the path" in english.stderr
    french = runner.invoke(main, ["check", "--lang", "fr", str(missing)])
    assert french.exit_code == 2, french.output
    assert "fichier introuvable" in french.stderr and "vérifiez le chemin" in french.stderr
    assert "file not found" not in french.stderr and "Traceback" not in french.stderr


def test_yaml_and_output_errors_are_french_under_lang_fr(tmp_path: Path) -> None:
    from gap_engine.errors import InputErrors
    from gap_engine.output import check_output_path
    from gap_engine.yamlio import parse_yaml, read_text

    empty = tmp_path / "empty.yaml"
    empty.write_text("  \n", encoding="utf-8")
    with using("fr"), pytest.raises(InputErrors) as caught:
        read_text(empty)
    assert caught.value.errors[0].message == "est vide"
    with using("fr"), pytest.raises(InputErrors) as caught:
        parse_yaml("a: &x 1\nb: *x\n", "p.yaml")
    assert caught.value.errors[0].message == "l'alias YAML *x n'est pas admis"
    with using("fr"), pytest.raises(InputErrors) as caught:
        check_output_path(tmp_path)
    assert caught.value.errors[0].message == "le chemin de sortie est un répertoire"
    with pytest.raises(InputErrors) as caught:  # English exactly as before
        check_output_path(tmp_path)
    assert caught.value.errors[0].message == "output path is a directory"


def test_a_text_file_given_as_a_workbook_is_refused_in_french(tmp_path: Path) -> None:
    from gap_engine.errors import InputErrors
    from gap_engine.questionnaire.workbook_safety import check_workbook_file

    csv = tmp_path / "answers.xlsx"
    csv.write_text("a,b\n1,2\n", encoding="utf-8")
    with using("fr"), pytest.raises(InputErrors) as caught:
        check_workbook_file(csv)
    error = caught.value.errors[0]
    assert error.message == "est du texte (CSV\u00a0?), non un classeur .xlsx"
    assert error.hint is not None and error.hint.startswith("enregistrez-le depuis Excel")


# --- the diff and checklist workbooks ---------------------------------------------------------------


def test_the_french_diff_workbook_has_french_sheet_names_and_labels(runner: CliRunner, tmp_path: Path) -> None:
    import openpyxl

    old = tmp_path / "old.yaml"
    old.write_bytes(NL.read_bytes())
    paths = {}
    for lang in ("en", "fr"):
        paths[lang] = tmp_path / f"diff-{lang}.xlsx"
        result = runner.invoke(main, ["diff", "--lang", lang, str(old), str(NL), "--xlsx", str(paths[lang])])
        assert result.exit_code == 0, result.output
    english = openpyxl.load_workbook(paths["en"])
    assert english.sheetnames == ["Changes", "Rule changes", "About"]
    assert english["Changes"]["A1"].value == "Code" and english["Changes"]["A2"].value == "No finding changed."
    book = openpyxl.load_workbook(paths["fr"])
    assert book.sheetnames == ["Modifications", "Règles modifiées", "À propos"]
    changes = book["Modifications"]
    assert changes["E1"].value == "Sens" and changes["A2"].value == "Aucun constat n'a changé."
    assert book["Règles modifiées"]["A2"].value.startswith("Aucune règle n'a changé\u00a0:")
    about = [row[0] for row in book["À propos"].iter_rows(min_row=3, max_col=1, values_only=True) if row[0]]
    assert "Ancien\u00a0: source" in about and "Old: source" not in about


def test_the_french_checklist_workbook_has_french_sheet_names_and_headers() -> None:
    import io

    import openpyxl

    from gap_engine.questionnaire.checklist import checklist_from
    from gap_engine.questionnaire.checklist_xlsx import HEADERS, render

    catalogue = load_rules()
    english = openpyxl.load_workbook(io.BytesIO(render(checklist_from(catalogue, ["generative_ai"]))))
    assert english.sheetnames == ["Summary", "Checklist"]
    assert [c.value for c in english["Checklist"][1]] == list(HEADERS)
    with using("fr"):
        french = openpyxl.load_workbook(io.BytesIO(render(checklist_from(catalogue, ["generative_ai"]))))
    assert french.sheetnames == ["Synthèse", "Liste de contrôle"]
    headers = [c.value for c in french["Liste de contrôle"][1]]
    assert "Gravité" in headers and "Severity" not in headers


def test_reservation_notes_name_the_provision_in_french() -> None:
    germany = FIXTURES / "de_germany.yaml"
    notes = {}
    for lang in ("en", "fr"):
        with using(lang):
            results = api.check([germany], engine="python")
        notes[lang] = [note for finding in results.profiles[0].findings for note in finding.notes]
    assert any(note.startswith("Article 20(3), first indent (in part) may explain some of producing of ") for note in notes["en"])
    french = [note for note in notes["fr"] if note.startswith("Article 20(3), premier tiret (en partie) peut expliquer une partie de ")]
    assert french and all("first indent" not in note and "may explain" not in note for note in notes["fr"])


def test_hidden_sheet_rows_and_columns_are_warned_of_in_french() -> None:
    from gap_engine.questionnaire.importer import hidden_notices
    from gap_engine.questionnaire.workbook_safety import SheetInfo

    sheets = [SheetInfo("Infractions", "hidden", hidden_rows=(3, 4, 5, 9)), SheetInfo("Sources", "visible", hidden_columns=("B",))]
    english = hidden_notices("q.xlsx", sheets)
    assert (
        english[1]
        == "warning: q.xlsx: sheet 'Infractions': rows 3-5, 9 are hidden; read like the others: unhide them to check what they hold"
    )
    with using("fr"):
        french = hidden_notices("q.xlsx", sheets)
    assert french == [
        "avertissement\u00a0: q.xlsx\u00a0: la feuille 'Infractions' est masquée\u00a0; elle a été lue comme les autres\u00a0: "
        "vérifiez ce qu'elle contient",
        "avertissement\u00a0: q.xlsx\u00a0: feuille 'Infractions'\u00a0: les lignes 3-5, 9 sont masquées\u00a0; "
        "leur contenu a été lu comme le reste\u00a0: réaffichez-les pour le vérifier",
        "avertissement\u00a0: q.xlsx\u00a0: feuille 'Sources'\u00a0: la colonne B est masquée\u00a0; "
        "leur contenu a été lu comme le reste\u00a0: réaffichez-les pour le vérifier",
    ]
