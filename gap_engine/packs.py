"""Rule packs: a directory of rule files described by a manifest (``pack.yaml``).

A pack is how an outside organisation or a new monitoring round brings its own rules without
touching the code: the manifest names the pack (id, title, version, the source text it encodes,
its licence, the oldest gap-engine it needs) and declares the pack's own themes and questions,
which its rules reference. A pack's rules therefore never claim to serve the paper, and
``rules trace`` traces each pack against its own source.

A pack may also declare facts of its own (``facts:``): questions the profile model does not ask,
answered in a profile under ``extensions.<pack id>.<fact id>`` and checked against the pack's
declarations by ``extensions.py``. Its rules test them like built-in facts
(``fact: extensions.<pack id>.<fact id>``); only answer facts can be tested, and only by the
pack's own rules, so a pack never depends on another pack's questions.

The built-in catalogue is a pack described the same way (``rules/pack.yaml``, id ``builtin``,
which no other pack may take); its themes and questions are the paper's (``paper.yaml``) and the
points of the Committee's texts that follow it up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError, model_validator

from . import __version__
from .errors import InputError, InputErrors
from .strict import Strict
from .suggest import did_you_mean
from .yamlio import LoadedYaml, load_yaml, validation_errors

BUILTIN = "builtin"
MANIFEST = "pack.yaml"
PACK_ID_PATTERN = r"^[a-z][a-z0-9-]{1,39}$"
THEME_ID_PATTERN = r"^[a-z][a-z0-9_]{1,39}$"
QUESTION_ID_PATTERN = r"^[A-Z][A-Z0-9]{0,9}(-[A-Z0-9]{1,8})+$"
FACT_ID_PATTERN = r"^[a-z][a-z0-9_]{1,39}$"
EXTENSIONS = "extensions"  # the profile's top-level mapping of pack facts, by pack id
VERSION_PATTERN = r"^\d+(\.\d+){0,2}([-+][0-9A-Za-z.-]+)?$"

MANIFEST_EXAMPLE = """id: my-pack
title: My organisation's model legislation criteria
version: 1.0.0
source: {title: "Model legislation, 2025 edition", url: "https://example.org/model-law"}
licence: CC-BY-4.0
themes:
  - {id: criteria, title: Criteria}
questions:
  - {id: ML-C1, theme: criteria, text: "CSAM is defined in law."}"""


class PackSource(Strict):
    """The text a pack encodes: a model law, a monitoring round's questionnaire, a standard."""

    title: Annotated[str, Field(min_length=1)]
    url: str | None = Field(None, pattern=r"^https?://\S+$", description="http(s) address of the text.")


class ThemeTexts(Strict):
    """A theme's title and section in the pack's other language."""

    title: Annotated[str, Field(min_length=1)]
    section: str | None = None


class PackTexts(Strict):
    """The pack's title in its other language."""

    title: Annotated[str, Field(min_length=1)]


class QuestionTexts(Strict):
    """A question's text in the pack's other language."""

    text: Annotated[str, Field(min_length=1)]


class PackTheme(Strict):
    id: Annotated[str, Field(pattern=THEME_ID_PATTERN, description="Lowercase slug, unique across every loaded pack.")]
    title: Annotated[str, Field(min_length=1)]
    section: str | None = Field(None, description="Where the theme sits in the pack's source, e.g. 'Part II'.")
    en: ThemeTexts | None = Field(None, description="The title and section in English, for a pack whose language is fr.")
    fr: ThemeTexts | None = Field(None, description="The title and section in French, for a pack whose language is en.")


class PackQuestion(Strict):
    """A question, criterion or point of the pack's source that its rules serve."""

    id: Annotated[str, Field(pattern=QUESTION_ID_PATTERN, description="e.g. ML-C1 or R3-Q12; unique across every loaded pack.")]
    theme: str
    text: Annotated[str, Field(min_length=1)]
    policy: bool = Field(False, description="true when the question asks for a policy judgement rather than a legal fact.")
    en: QuestionTexts | None = Field(None, description="The text in English, for a pack whose language is fr.")
    fr: QuestionTexts | None = Field(None, description="The text in French, for a pack whose language is en.")


class FactType(str, Enum):
    """What a pack fact holds: an answer like a built-in fact, or a plain date or number."""

    answer = "answer"  # yes / no / partial / unknown, with citation and note (profile.Fact)
    date = "date"
    number = "number"


class PackFact(Strict):
    """A fact the pack asks for that the profile model does not: ``extensions.<pack id>.<id>`` in a profile."""

    id: Annotated[str, Field(pattern=FACT_ID_PATTERN, description="Lowercase slug, unique in the pack.")]
    type: FactType = Field(
        description="answer: yes/no/partial/unknown with citation and note, like a built-in fact; date: YYYY-MM-DD; number."
    )
    label: Annotated[str, Field(min_length=1, description="The question as people read it, e.g. 'CSAM is defined in the criminal law'.")]
    help: str | None = Field(None, description="What to cite or how to answer, shown beside the question.")
    theme: str | None = Field(None, description="The pack theme whose questionnaire sheet asks it; default: the pack's first theme.")


class PackManifest(Strict):
    """``pack.yaml``: who wrote the pack, from what, and the themes and questions its rules use."""

    id: Annotated[str, Field(pattern=PACK_ID_PATTERN, description="Lowercase slug; 'builtin' is reserved.")]
    title: Annotated[str, Field(min_length=1)]
    version: Annotated[str, Field(pattern=VERSION_PATTERN, description="The pack's own version, e.g. 1.2.0.")]
    source: PackSource
    licence: Annotated[str, Field(min_length=1, description="e.g. CC-BY-4.0, or 'all rights reserved'.")]
    requires_gap_engine: str | None = Field(None, pattern=VERSION_PATTERN, description="The oldest gap-engine version the pack works with.")
    language: Literal["en", "fr"] = Field(
        "en", description="The language of the pack's plain texts; the other language goes under en: or fr: beside them."
    )
    en: PackTexts | None = Field(None, description="The title in English, for a pack whose language is fr.")
    fr: PackTexts | None = Field(None, description="The title in French, for a pack whose language is en.")
    themes: list[PackTheme] = Field(default_factory=list)
    questions: list[PackQuestion] = Field(default_factory=list)
    facts: list[PackFact] = Field(
        default_factory=list, description="Facts the pack asks for, answered in a profile under extensions.<pack id>.<fact id>."
    )

    @model_validator(mode="after")
    def _consistent(self) -> PackManifest:
        theme_ids = [t.id for t in self.themes]
        for kind, ids in (("theme", theme_ids), ("question", [q.id for q in self.questions])):
            twice = sorted({i for i in ids if ids.count(i) > 1})
            if twice:
                raise ValueError(f"{kind} IDs used twice: {', '.join(twice)}")
        for question in self.questions:
            if question.theme not in theme_ids:
                raise ValueError(f"question {question.id} names theme {question.theme!r}, which the pack does not declare")
        return self


@dataclass(frozen=True)
class Theme:
    id: str
    title: str
    section: str
    translations: dict[str, tuple[str, str]] = field(default_factory=dict)  # language -> (title, section)

    def in_language(self, lang: str, pack_language: str = "en") -> tuple[str, str] | None:
        """(title, section) in ``lang``; None when the pack gives no text in that language."""
        if lang == pack_language:
            return self.title, self.section
        return self.translations.get(lang)


@dataclass(frozen=True)
class DeclaredFact:
    """A pack fact as loaded: its theme resolved (the pack's first theme when the manifest names none)."""

    pack: str
    id: str
    type: FactType
    label: str
    help: str | None
    theme: str

    @property
    def path(self) -> str:
        """How a profile and a rule's ``fact:`` name it."""
        return f"{EXTENSIONS}.{self.pack}.{self.id}"


@dataclass(frozen=True)
class Pack:
    """A loaded pack: its manifest facts, its directory, and the themes and questions its rules may use."""

    id: str
    title: str
    version: str
    source_title: str
    source_url: str | None
    licence: str
    directory: Path
    themes: tuple[Theme, ...]
    questions: dict[str, str] = field(default_factory=dict)  # id -> text
    question_themes: dict[str, str] = field(default_factory=dict)  # id -> theme id
    policy_questions: frozenset[str] = frozenset()
    facts: tuple[DeclaredFact, ...] = ()
    language: str = "en"  # the language of the plain texts (pack.yaml language:)
    question_translations: dict[str, dict[str, str]] = field(default_factory=dict)  # language -> id -> text
    source_translations: dict[str, str] = field(default_factory=dict)  # language -> the source's citation
    title_translations: dict[str, str] = field(default_factory=dict)  # language -> the pack's title

    def title_in(self, lang: str) -> str:
        """The pack's title in ``lang``, or in the pack's own language when it gives none."""
        return self.title if lang == self.language else self.title_translations.get(lang, self.title)

    def question_text(self, question_id: str, lang: str) -> str | None:
        """A question's text in ``lang``; None when the pack gives none in that language."""
        if lang == self.language:
            return self.questions.get(question_id)
        return self.question_translations.get(lang, {}).get(question_id)

    @property
    def builtin(self) -> bool:
        return self.id == BUILTIN

    @property
    def label(self) -> str:
        return f"{self.id} {self.version}"

    def theme(self, theme_id: str) -> Theme | None:
        return next((t for t in self.themes if t.id == theme_id), None)

    def fact(self, fact_id: str) -> DeclaredFact | None:
        return next((f for f in self.facts if f.id == fact_id), None)


def version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.split(r"[-+]", version, maxsplit=1)[0].split("."))


def load_manifest(directory: Path, *, builtin: bool = False) -> Pack:
    """Read and check ``directory/pack.yaml``; raise InputErrors naming the file, line and field."""
    path = directory / MANIFEST
    if not (path.exists() or path.is_symlink()):  # a FIFO, a device or a broken link is refused by load_yaml, saying so
        raise InputErrors.single(
            str(directory),
            f"rule pack has no {MANIFEST}",
            hint=f"describe the pack in {path}, for example:\n{MANIFEST_EXAMPLE}",
        )
    parsed = load_yaml(path)
    if not isinstance(parsed.data, dict):
        raise InputErrors.single(str(path), "a pack manifest must be a mapping", hint=f"for example:\n{MANIFEST_EXAMPLE}")
    try:
        manifest = PackManifest.model_validate(parsed.data)
    except ValidationError as exc:
        raise InputErrors(validation_errors(exc, parsed, PackManifest)) from None
    errors: list[InputError] = []
    position = parsed.positions.get(("id",))
    line = position[0] if position else None
    if manifest.id == BUILTIN and not builtin:
        errors.append(
            InputError(source=str(path), line=line, field="id", message="the pack id 'builtin' is reserved for the built-in rules")
        )
    if builtin and (manifest.themes or manifest.questions):
        errors.append(InputError(source=str(path), field="themes", message="the built-in themes and questions live in paper.yaml"))
    if builtin and manifest.facts:
        errors.append(InputError(source=str(path), field="facts", message="the built-in facts are the profile model's (profile.py)"))
    elif manifest.facts:
        errors += _fact_errors(manifest, parsed)
    if manifest.requires_gap_engine and version_tuple(manifest.requires_gap_engine) > version_tuple(__version__):
        errors.append(
            InputError(
                source=str(path),
                field="requires_gap_engine",
                message=f"the pack needs gap-engine {manifest.requires_gap_engine} or later; this is {__version__}",
                hint="upgrade gap-engine, or use a version of the pack written for this one",
            )
        )
    if errors:
        raise InputErrors(errors)
    if builtin:
        return _builtin_pack(manifest, directory)
    return _pack(manifest, directory)


def _pack(manifest: PackManifest, directory: Path, source_translations: dict[str, str] | None = None) -> Pack:
    return Pack(
        id=manifest.id,
        title=manifest.title,
        version=manifest.version,
        source_title=manifest.source.title,
        source_url=manifest.source.url,
        licence=manifest.licence,
        directory=directory,
        themes=tuple(Theme(t.id, t.title, t.section or t.title, _theme_translations(t)) for t in manifest.themes),
        questions={q.id: q.text for q in manifest.questions},
        question_themes={q.id: q.theme for q in manifest.questions},
        policy_questions=frozenset(q.id for q in manifest.questions if q.policy),
        facts=tuple(DeclaredFact(manifest.id, f.id, f.type, f.label, f.help, f.theme or manifest.themes[0].id) for f in manifest.facts),
        language=manifest.language,
        question_translations={
            lang: {q.id: texts.text for q in manifest.questions if (texts := getattr(q, lang)) is not None} for lang in ("en", "fr")
        },
        source_translations=dict(source_translations or {}),
        title_translations={lang: texts.title for lang in ("en", "fr") if (texts := getattr(manifest, lang)) is not None},
    )


def _theme_translations(theme: PackTheme) -> dict[str, tuple[str, str]]:
    out = {}
    for lang in ("en", "fr"):
        texts: ThemeTexts | None = getattr(theme, lang)
        if texts is not None:
            out[lang] = (texts.title, texts.section or texts.title)
    return out


def _fact_errors(manifest: PackManifest, parsed: LoadedYaml) -> list[InputError]:
    """Each fact once, on a theme the pack declares; checked here rather than in the model so the error
    points at the fact's own line."""
    errors = []
    theme_ids = [t.id for t in manifest.themes]
    seen: set[str] = set()
    for index, fact in enumerate(manifest.facts):
        problem = None
        if fact.id in seen:
            problem = ("id", f"fact ID {fact.id!r} is declared twice", "give each fact its own ID")
        elif fact.theme is not None and fact.theme not in theme_ids:
            problem = (
                "theme",
                f"fact {fact.id} names theme {fact.theme!r}, which the pack does not declare",
                _theme_hint(fact.theme, theme_ids),
            )
        elif fact.theme is None and not theme_ids:
            problem = ("theme", f"fact {fact.id} needs a theme to be asked on, and the pack declares none", "declare themes: in pack.yaml")
        seen.add(fact.id)
        if problem:
            key, message, hint = problem
            position = parsed.locate(("facts", index, key))
            errors.append(
                InputError(
                    source=parsed.source,
                    line=position[0] if position else None,
                    column=position[1] if position else None,
                    field=f"facts[{index}].{key}",
                    message=message,
                    hint=hint,
                )
            )
    return errors


def _theme_hint(theme: str, theme_ids: list[str]) -> str:
    hint = did_you_mean(theme, theme_ids)
    if hint:
        return hint
    return f"declared themes: {', '.join(theme_ids)}" if theme_ids else "declare themes: in pack.yaml"


def _builtin_pack(manifest: PackManifest, directory: Path) -> Pack:
    """The built-in pack: its manifest with the paper's themes and questions and the Committee's points
    (a point's theme is the Committee text it belongs to), built like any other pack."""
    from .rules import paper

    data = paper()
    themes = [PackTheme(id=t["id"], title=t["title"], section=t["section"], fr=_french(ThemeTexts, t)) for t in data["themes"]]
    questions = [
        PackQuestion(id=q["id"], theme=q["theme"], text=q["text"], policy=bool(q.get("policy")), fr=_french(QuestionTexts, q))
        for q in data["questions"]
    ]
    questions += [
        PackQuestion(id=p["id"], theme=text["id"], text=p["text"], fr=_french(QuestionTexts, p))
        for text in data["committee_texts"]
        for p in text["points"]
    ]
    # model_copy does not validate: a point's theme names its Committee text, not one of the themes.
    french_source = {"fr": data["paper_fr"]} if data.get("paper_fr") else {}
    return _pack(manifest.model_copy(update={"themes": themes, "questions": questions}), directory, french_source)


def _french(model: type[Strict], entry: dict[str, Any]) -> Any:
    """The ``fr:`` texts of a paper.yaml entry (a theme, question or Committee point), checked; None when absent."""
    texts = entry.get("fr")
    return model.model_validate(texts) if texts else None


def manifest_schema() -> dict[str, Any]:
    schema = PackManifest.model_json_schema()
    schema["title"] = "gap-engine rule pack manifest (pack.yaml)"
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema
