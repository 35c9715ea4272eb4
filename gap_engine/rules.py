"""Rule files: the model, the condition language, and the loader that checks them against the profile.

A rule is data: an ID that never changes meaning, its metadata tracing it to the paper and the
Convention, a condition over profile facts, the finding and recommendation texts, and its own
test cases. Conditions are a small language of groups over four kinds of element:

* ``offence``: some offence provision covers a conduct (optionally for a material, with scope
  elements such as ``setting.immersive: yes`` and a minimum ``age_at_least``);
* ``fact``: a measure or programme fact (``regulation.platforms.hash_sharing``) answered ``yes``
  (or ``no`` where ``good: no``); a pack's rule may also test an answer fact its own pack declares
  (``extensions.<pack id>.<fact id>``, see packs.py);
* ``rule``: another rule's finding for the same profile (a *derived* rule, see references.py);
* ``use``: a named condition of the same file's ``conditions:`` mapping, expanded at load time
  (the way to reuse a condition, since YAML aliases are refused);

grouped by ``all``, ``any`` or ``at_least: N`` with ``of: [...]``.

Names are checked against the profile model when the file is loaded, so a typo in a rule fails
at load time with the rule file and rule ID, instead of silently never firing; references to
rules and named conditions are checked once the whole catalogue is loaded (references.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from enum import Enum
from functools import cache, cached_property
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, ValidationInfo, field_validator, model_validator

from .errors import InputError, InputErrors
from .findings import Status
from .packs import EXTENSIONS, MANIFEST, FactType, Pack, load_manifest
from .profile import OFFENCE_ANSWER_FIELDS, Answer, Conduct, Material, fact_paths
from .reservations import RESERVABLE, reservation_key
from .strict import Strict
from .suggest import closest
from .yamlio import LoadedYaml, load_yaml, path_problem, read_bytes, validation_errors


class Severity(str, Enum):
    """How strongly the Convention asks for what a rule checks."""

    obligation = "obligation"  # the Convention says "shall"
    recommendation = "recommendation"  # the Convention or the Committee recommends or invites
    good_practice = "good_practice"  # the paper points at promising practice


class OffenceElement(Strict):
    """Some offence provision must cover this conduct, for this material, with these scope elements."""

    conduct: Conduct
    material: Material | None = None
    where: dict[str, Answer] = Field(default_factory=dict)
    age_at_least: int | None = Field(None, ge=1, le=25)

    @field_validator("where")
    @classmethod
    def _known_scope_fields(cls, where: dict[str, Answer]) -> dict[str, Answer]:
        for name, answer in where.items():
            if name not in OFFENCE_ANSWER_FIELDS:
                raise ValueError(f"offence has no scope element {name!r}; known: {', '.join(OFFENCE_ANSWER_FIELDS)}")
            if answer not in (Answer.yes, Answer.no):
                raise ValueError(f"where.{name} must require 'yes' or 'no', not {answer.value!r}")
        return where

    def describe(self) -> str:
        text = self.conduct.value.replace("_", " ")
        if self.material:
            text += f" of {self.material.value.replace('_', ' ')} material"
        for name, answer in self.where.items():
            text += f", {name} = {answer.value}"
        if self.age_at_least:
            text += f", protecting children under {self.age_at_least}"
        return text


RULE_ID_PATTERN = r"^[A-Z][A-Z0-9]{1,7}-\d{3}$"
CONDITION_NAME_PATTERN = r"^[a-z][a-z0-9_]*$"
CONDITION_KINDS = ("all", "any", "of", "offence", "fact", "rule", "use")


class Condition(Strict):
    """Exactly one of: all, any, at_least with of, offence, fact (with optional good), rule, use.

    ``at_least: N`` with ``of`` is covered when N of its conditions are (see ``conditions.at_least``
    for how it grades otherwise); ``rule: ID`` reads another rule's status for the same profile;
    ``use: NAME`` stands for a named condition of the same file and is gone once the file is
    loaded (``references.expand_named``), so everything downstream sees plain conditions.
    """

    all: list[Condition] | None = None
    any: list[Condition] | None = None
    at_least: Annotated[int, Field(strict=True)] | None = None
    of: list[Condition] | None = None
    offence: OffenceElement | None = None
    fact: str | None = None
    good: Answer = Answer.yes
    rule: Annotated[str, Field(pattern=RULE_ID_PATTERN)] | None = None
    use: Annotated[str, Field(pattern=CONDITION_NAME_PATTERN)] | None = None
    # Set on the expansion of ``use: NAME`` so the catalogue can say which named condition it was.
    _named: str | None = PrivateAttr(None)

    @model_validator(mode="after")
    def _one_kind(self, info: ValidationInfo) -> Condition:
        if self.at_least is not None and self.of is None:
            raise ValueError("at_least needs of: [conditions], the conditions to count")
        kinds = [k for k in CONDITION_KINDS if getattr(self, k) is not None]
        if len(kinds) != 1:
            raise ValueError(
                "a condition needs exactly one of all, any, at_least/of, offence, fact, rule, use; found " + (", ".join(kinds) or "none")
            )
        if self.fact is not None:
            _check_fact(self.fact, (info.context or {}).get("pack"))
        if self.good not in (Answer.yes, Answer.no):
            raise ValueError("good must be 'yes' or 'no'")
        if self.good is not Answer.yes and self.fact is None:
            raise ValueError("good applies only to a fact element")
        for group in (self.all, self.any, self.of):
            if group is not None and not group:
                raise ValueError("all/any/of needs at least one element")
        if self.of is not None and self.at_least is None:
            raise ValueError("of needs at_least: N, the number of its conditions that must be covered")
        if self.at_least is not None and self.of is not None:
            if not 1 <= self.at_least <= len(self.of):
                raise ValueError(f"at_least must be from 1 to the number of conditions in of ({len(self.of)}), not {self.at_least}")
        return self

    @property
    def children(self) -> list[Condition] | None:
        """The conditions of a group (all, any or of), None for an element."""
        for group in (self.all, self.any, self.of):
            if group is not None:
                return group
        return None

    @property
    def named(self) -> str | None:
        """The named condition this one was expanded from (``use: NAME``), if any."""
        return self._named

    def as_named(self, name: str) -> Condition:
        copy = self.model_copy()
        copy._named = name
        return copy

    def leaves(self) -> list[Condition]:
        children = self.children
        if children is not None:
            return [leaf for child in children for leaf in child.leaves()]
        return [self]


def _check_fact(path: str, pack: Pack | None) -> None:
    """A ``fact:`` names a fact of the profile model, or an answer fact the rule's own pack declares."""
    own = [f for f in pack.facts if f.type is FactType.answer] if pack is not None else []
    if path in known_fact_paths() or path in {f.path for f in own}:
        return
    if path.startswith(EXTENSIONS + "."):
        pack_id, _, fact_id = path[len(EXTENSIONS) + 1 :].partition(".")
        if pack is None or pack.builtin:
            raise ValueError(f"a built-in rule tests only the profile's own facts, not a pack's ({path!r})")
        if pack_id != pack.id:
            raise ValueError(
                f"{path!r} is a fact of pack {pack_id!r}; a rule tests only its own pack's facts (extensions.{pack.id}.<fact>)"
            )
        declared = pack.fact(fact_id)
        if declared is not None:
            raise ValueError(f"{path!r} is a {declared.type.value} fact; a fact condition tests an answer fact (yes/no/partial/unknown)")
        suggestion = closest(path, sorted(f.path for f in own))
        hint = f"did you mean {suggestion!r}?" if suggestion else f"declare it under facts: in the pack's {MANIFEST}"
        raise ValueError(f"pack {pack.id!r} declares no fact {fact_id!r}; {hint}")
    suggestion = closest(path, sorted(known_fact_paths() | {f.path for f in own}))
    hint = f"; did you mean {suggestion!r}?" if suggestion else ""
    raise ValueError(f"the profile has no fact {path!r}{hint}")


class ReservationRef(Strict):
    article: int
    paragraph: int | None = None
    indent: int | None = None

    @model_validator(mode="after")
    def _reservable(self) -> ReservationRef:
        if (self.article, self.paragraph, self.indent) not in RESERVABLE:
            raise ValueError("the Convention allows no reservation at this place")
        return self

    @property
    def key(self) -> str:
        return reservation_key(self.article, self.paragraph, self.indent)


class RuleCase(Strict):
    """A small profile fragment and the status the rule must give it."""

    name: Annotated[str, Field(pattern=r"^[a-z0-9_]+$")]
    why: str | None = None
    profile: dict[str, Any] = Field(default_factory=dict)
    expect: Status


class RuleTexts(Strict):
    """A rule's texts in its pack's other language (``fr:`` under an English rule, ``en:`` under a French one).
    A text left out is shown in the pack's language, with a notice."""

    title: Annotated[str, Field(min_length=1)] | None = None
    finding: Annotated[str, Field(min_length=1)] | None = None
    recommendation: Annotated[str, Field(min_length=1)] | None = None


class Rule(Strict):
    id: Annotated[str, Field(pattern=RULE_ID_PATTERN)]
    title: Annotated[str, Field(min_length=1, description="Reads as the expectation, e.g. '... are criminalised'.")]
    questions: list[str] = Field(
        default_factory=list,
        description="What the rule serves: the paper's questions and Committee points (built-in rules, at least one), "
        "or the questions its pack declares.",
    )
    articles: list[str] = Field(default_factory=list)
    severity: Severity
    condition: Condition
    applies_if: Condition | None = None
    reservable: list[ReservationRef] = Field(default_factory=list)
    finding: Annotated[str, Field(min_length=1, description="What a gap means, in the paper's terms.")]
    recommendation: Annotated[str, Field(min_length=1)]
    labels: dict[Status, Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[^\n]+$")]] = Field(
        default_factory=dict,
        description="A pack's own word for some outcomes (e.g. partial: insufficient), shown beside the status.",
    )
    cases: Annotated[list[RuleCase], Field(min_length=1)]
    replaces: list[Annotated[str, Field(pattern=RULE_ID_PATTERN)]] = Field(
        default_factory=list,
        description="Rule packs only: the rules (usually built-in) this rule runs instead of; they are not run, and every output says so.",
    )
    en: RuleTexts | None = Field(None, description="Title, finding and recommendation in English (a pack whose language is fr).")
    fr: RuleTexts | None = Field(None, description="Title, finding and recommendation in French (the built-in rules, a pack in en).")

    def texts(self, lang: str, pack_language: str = "en") -> tuple[dict[str, str], list[str]]:
        """The title, finding and recommendation in ``lang``, and the names of those that fell back to the pack's language."""
        plain = {"title": self.title, "finding": self.finding.strip(), "recommendation": self.recommendation.strip()}
        if lang == pack_language:
            return plain, []
        other: RuleTexts | None = getattr(self, lang, None)
        out, missing = {}, []
        for name, text in plain.items():
            translated = getattr(other, name) if other is not None else None
            if translated:
                out[name] = translated.strip()
            else:
                out[name] = text
                missing.append(name)
        return out, missing

    def references(self) -> list[str]:
        """The rules this rule's condition and precondition read (``rule:`` elements), in order, once each."""
        conditions = [self.condition, *([self.applies_if] if self.applies_if is not None else [])]
        return list(dict.fromkeys(leaf.rule for c in conditions for leaf in c.leaves() if leaf.rule is not None))

    @field_validator("questions")
    @classmethod
    def _known_questions(cls, questions: list[str], info: ValidationInfo) -> list[str]:
        pack: Pack | None = (info.context or {}).get("pack")
        known = pack.questions if pack is not None else paper()["reference_texts"]
        for ref in questions:
            if ref in known:
                continue
            if pack is None or pack.builtin:
                suggestion = closest(ref, sorted(known))
                raise ValueError(
                    f"unknown paper question or Committee text point {ref!r}" + (f"; did you mean {suggestion!r}?" if suggestion else "")
                )
            if ref in paper()["reference_texts"]:
                raise ValueError(
                    f"{ref!r} is a question of the paper; a pack's rules cite only the questions its pack.yaml declares, "
                    "so they never count as serving the paper"
                )
            suggestion = closest(ref, sorted(known))
            raise ValueError(
                f"question {ref!r} is not declared in pack {pack.id!r}"
                + (f"; did you mean {suggestion!r}?" if suggestion else "; declare it under questions: in pack.yaml")
            )
        return questions

    @field_validator("replaces")
    @classmethod
    def _replaces_only_in_packs(cls, replaces: list[str], info: ValidationInfo) -> list[str]:
        pack: Pack | None = (info.context or {}).get("pack")
        if replaces and (pack is None or pack.builtin):
            raise ValueError("only a rule pack's rule may replace another rule")
        return replaces

    @model_validator(mode="after")
    def _case_names_unique(self, info: ValidationInfo) -> Rule:
        pack: Pack | None = (info.context or {}).get("pack")
        if not self.questions and (pack is None or pack.builtin):
            raise ValueError("a built-in rule must serve at least one paper question or Committee point (questions: [...])")
        names = [case.name for case in self.cases]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"case names used twice: {', '.join(duplicates)}")
        return self


class RetiredRule(Strict):
    """A rule ID no longer in use. IDs never change meaning, so a rule that was split or dropped keeps
    its ID here, never reused, with the rules that replace it and why (outputs and waivers that name
    the old ID can then say where its content went)."""

    id: Annotated[str, Field(pattern=RULE_ID_PATTERN)]
    replaced_by: list[Annotated[str, Field(pattern=RULE_ID_PATTERN)]] = Field(default_factory=list)
    reason: Annotated[str, Field(min_length=1)]


class RuleFile(Strict):
    theme: str
    conditions: dict[Annotated[str, Field(pattern=CONDITION_NAME_PATTERN)], Condition] = Field(
        default_factory=dict, description="Named conditions the file's rules can reuse with use: NAME."
    )
    rules: list[Rule]
    retired: list[RetiredRule] = Field(default_factory=list)

    @field_validator("theme")
    @classmethod
    def _known_theme(cls, theme: str, info: ValidationInfo) -> str:
        pack: Pack | None = (info.context or {}).get("pack")
        themes = [t.id for t in pack.themes] if pack is not None else [t["id"] for t in paper()["themes"]]
        if theme not in themes:
            where = f"pack {pack.id!r}" if pack is not None and not pack.builtin else "the paper"
            raise ValueError(f"unknown theme {theme!r} in {where}; known: {', '.join(themes) or 'none (declare themes in pack.yaml)'}")
        return theme


class LoadedRule(BaseModel):
    """A rule with where it came from and its theme's metadata filled in."""

    model_config = ConfigDict(frozen=True)

    rule: Rule
    theme: str
    theme_title: str
    paper_section: str
    source: str
    pack: str
    pack_version: str = ""
    line: int | None = None  # where the rule starts in its file
    pack_language: str = "en"  # the language of the rule's plain texts
    theme_translations: dict[str, tuple[str, str]] = Field(default_factory=dict)  # language -> (theme title, section)

    @property
    def id(self) -> str:
        return self.rule.id

    def theme_in(self, lang: str) -> tuple[str, str] | None:
        """(theme title, paper section) in ``lang``; None when the pack gives none in that language."""
        if lang == self.pack_language:
            return self.theme_title, self.paper_section
        return self.theme_translations.get(lang)


class RuleCatalogue(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    rules: list[LoadedRule]
    content_hash: str
    retired: list[RetiredRule] = Field(default_factory=list)
    packs: list[Pack] = Field(default_factory=list)  # every pack loaded, built-in first
    replaced: dict[str, str] = Field(default_factory=dict)  # replaced rule ID -> the rule run instead
    left_out: list[str] = Field(default_factory=list)  # rule IDs loaded but not run (--select / --skip)

    @cached_property
    def compiled(self) -> Any:
        """Every rule compiled once into a tree of shared elements (``conditions.CompiledRules``)."""
        from .conditions import compile_catalogue

        return compile_catalogue(self)

    def by_id(self) -> dict[str, LoadedRule]:
        return {r.id: r for r in self.rules}

    def why_not_run(self, rule_id: str) -> tuple[str, str] | None:
        """Why a rule named by a user (a waiver, ``compare --rule``) does not run, and what to do: it is
        retired (its successors), replaced by a pack rule, left out by --select/--skip, or unknown
        (the nearest ID). None when it runs."""
        if rule_id in self.by_id():
            return None
        retired = next((r for r in self.retired if r.id == rule_id), None)
        if retired is not None:
            successors = ", ".join(retired.replaced_by)
            hint = f"its content moved to {successors}; name those instead" if successors else "it has no successor"
            return f"rule {rule_id} is retired", hint
        if rule_id in self.replaced:
            return f"rule {rule_id} is replaced by {self.replaced[rule_id]} in this run", f"name {self.replaced[rule_id]} instead"
        if rule_id in self.left_out:
            return f"rule {rule_id} does not run: --select/--skip leaves it out", "select it, or leave it out here too"
        suggestion = closest(rule_id, sorted(self.by_id()))
        return f"no loaded rule {rule_id}", f"did you mean {suggestion!r}?" if suggestion else "see gap-engine rules list"


@cache
def known_fact_paths() -> frozenset[str]:
    return frozenset(fact_paths())


@cache
def paper() -> dict[str, Any]:
    """The paper's themes and questions, from the packaged ``paper.yaml``."""
    loaded = load_yaml(Path(__file__).with_name("paper.yaml"))
    data = dict(loaded.data)
    data["theme_by_id"] = {t["id"]: t for t in data["themes"]}
    data.setdefault("committee_texts", [])
    points = [point for text in data["committee_texts"] for point in text["points"]]
    # What a rule's ``questions`` may cite: the paper's questions and themes, and the points of the
    # Lanzarote Committee's texts that follow it up (its 2024 Declaration).
    data["reference_texts"] = {q["id"]: q["text"] for q in [*data["questions"], *points]}
    data["question_ids"] = set(data["reference_texts"])
    return data


def rule_file_schema() -> dict[str, Any]:
    """The JSON Schema of a rule file. Names the model cannot express (fact paths, themes and questions,
    which depend on the profile model and the pack) are checked when the file loads."""
    schema = RuleFile.model_json_schema()
    schema["title"] = "gap-engine rule file"
    schema["description"] = (
        "One theme's rules. 'theme' and each rule's 'questions' must be declared in the pack's pack.yaml (built-in rules: "
        "gap_engine/paper.yaml); a 'fact' condition names a dotted profile path (see `gap-engine schema`), or, in a pack's "
        "rule, an answer fact its pack.yaml declares (extensions.<pack id>.<fact id>)."
    )
    return schema


def reference_label(ref: str) -> str:
    """What a reference in a rule's ``questions`` is, in words for people: a paper question or theme,
    or a point of one of the Committee's texts."""
    for text in paper()["committee_texts"]:
        if any(point["id"] == ref for point in text["points"]):
            return text.get("label", "Committee point")
    return "Food for thought" if ref in paper()["reference_texts"] else "Pack question"


def builtin_rules_dir() -> Path:
    """The rules shipped with the package (wheel) or, in a source checkout, the repo's ``rules/``."""
    packaged = Path(__file__).with_name("rules")
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "rules"


def load_rules(
    extra_dirs: list[Path] | tuple[Path, ...] = (),
    *,
    include_builtin: bool = True,
    select: list[str] | tuple[str, ...] = (),
    skip: list[str] | tuple[str, ...] = (),
) -> RuleCatalogue:
    """Load the built-in pack and any rule packs; raise InputErrors listing every problem found.

    ``select`` keeps only the named rules or themes, ``skip`` drops them (rule IDs or theme IDs);
    a rule naming another in ``replaces`` runs instead of it."""
    from .references import RuleReference, cycle_errors, reference_errors

    errors: list[InputError] = []
    packs: list[Pack] = []
    seen_dirs: dict[Path, str] = {}
    directories = ([(builtin_rules_dir(), True)] if include_builtin else []) + [(Path(d), False) for d in extra_dirs]
    for directory, builtin in directories:
        problem = path_problem(directory)
        if problem is not None:
            errors.append(problem)
            continue
        if not directory.is_dir():
            errors.append(
                InputError(source=str(directory), message="rule pack is not a directory", hint="pass a directory holding pack.yaml")
            )
            continue
        resolved = directory.resolve()
        if resolved in seen_dirs:
            errors.append(
                InputError(
                    source=str(directory), message=f"rule pack is given twice (also as {seen_dirs[resolved]})", hint="pass each pack once"
                )
            )
            continue
        seen_dirs[resolved] = str(directory)
        try:
            pack = load_manifest(directory, builtin=builtin)
        except InputErrors as exc:
            errors.extend(exc.errors)
            continue
        twin = next((p for p in packs if p.id == pack.id), None)
        if twin is not None:
            errors.append(
                InputError(
                    source=str(directory / MANIFEST),
                    field="id",
                    message=f"pack {pack.id!r} is loaded twice (also from {twin.directory})",
                    hint="pass each pack once; two different packs need two different ids",
                )
            )
            continue
        errors += _clashes(pack, packs)
        packs.append(pack)
    if errors:
        raise InputErrors(errors)
    loaded: list[LoadedRule] = []
    retired: list[tuple[RetiredRule, str]] = []
    references: list[RuleReference] = []
    digest = hashlib.sha256()
    for pack in packs:
        # The manifest is part of what ran: its themes and questions are shown in every output.
        digest.update(pack.label.encode() + b"\0" + read_bytes(pack.directory / MANIFEST) + b"\0")
        files = [p for p in sorted(pack.directory.glob("*.yaml")) + sorted(pack.directory.glob("*.yml")) if p.name != MANIFEST]
        if not files:
            errors.append(InputError(source=str(pack.directory), message="rule pack holds no rule files (.yaml beside pack.yaml)"))
        for path in files:
            pack_rules, pack_retired, file_errors = _load_rule_file(path, pack, digest, references)
            loaded += pack_rules
            retired += pack_retired
            errors += file_errors
    seen: dict[str, LoadedRule] = {}
    for item in loaded:
        if item.id in seen:
            errors.append(
                InputError(
                    source=item.source,
                    line=item.line,
                    field=item.id,
                    message=f"duplicate rule ID {item.id} (also in {seen[item.id].source}, line {seen[item.id].line})",
                    hint="rule IDs never change meaning; give the new rule a new ID, or declare replaces: [ID] to run it instead",
                )
            )
        seen.setdefault(item.id, item)
    errors += _retirement_errors(retired, seen)
    replaced, replace_errors = _replacements(loaded, seen, include_builtin)
    errors += replace_errors
    errors += reference_errors(references, seen, {item.id: item for item, _ in retired})
    errors += cycle_errors(seen)
    if errors:
        raise InputErrors(errors)
    loaded = [r for r in loaded if r.id not in replaced]
    before = {r.id for r in loaded}
    loaded = _selected(loaded, packs, select, skip)
    _check_dependencies_run(loaded, replaced)
    order = {(pack.id, theme.id): (p_index, t_index) for p_index, pack in enumerate(packs) for t_index, theme in enumerate(pack.themes)}
    loaded.sort(key=lambda r: (order[(r.pack, r.theme)], r.id))
    return RuleCatalogue(
        rules=loaded,
        content_hash=digest.hexdigest()[:16],
        retired=sorted((r for r, _ in retired), key=lambda r: r.id),
        packs=packs,
        replaced=replaced,
        left_out=sorted(before - {r.id for r in loaded}),
    )


def _clashes(pack: Pack, earlier: list[Pack]) -> list[InputError]:
    """Theme and question IDs are unique across loaded packs, so a finding's theme and questions are unambiguous."""
    errors = []
    for other in earlier:
        for kind, mine, theirs in (
            ("theme", {t.id for t in pack.themes}, {t.id for t in other.themes}),
            ("question", set(pack.questions), set(other.questions)),
        ):
            for clash in sorted(mine & theirs):
                errors.append(
                    InputError(
                        source=str(pack.directory / MANIFEST),
                        field=f"{kind}s",
                        message=f"{kind} ID {clash!r} is also a {kind} of pack {other.id!r}",
                        hint=f"give the pack's {kind}s IDs of their own (e.g. prefix them with the pack's initials)",
                    )
                )
    return errors


def _load_rule_file(
    path: Path, pack: Pack, digest: Any, references: list[Any]
) -> tuple[list[LoadedRule], list[tuple[RetiredRule, str]], list[InputError]]:
    from .references import expand_named, rule_references

    try:
        parsed = load_yaml(path)
    except InputErrors as exc:
        return [], [], list(exc.errors)
    digest.update(path.name.encode() + b"\0" + read_bytes(path))
    rule_file, errors = _validate_rule_file(parsed, pack)
    if rule_file is None:
        return [], [], errors
    references += rule_references(rule_file, parsed)
    rule_file, named_errors = expand_named(rule_file, parsed)
    errors += named_errors
    theme = pack.theme(rule_file.theme)
    assert theme is not None  # checked by RuleFile
    loaded = []
    for index, rule in enumerate(rule_file.rules):
        position = parsed.positions.get(("rules", index))
        loaded.append(
            LoadedRule(
                rule=rule,
                theme=theme.id,
                theme_title=theme.title,
                paper_section=theme.section,
                source=str(path),
                pack=pack.id,
                pack_version=pack.version,
                line=position[0] if position else None,
                pack_language=pack.language,
                theme_translations=dict(theme.translations),
            )
        )
        if not pack.builtin:  # the built-in cases are checked by the test suite; a pack's at load time
            errors += _case_profile_errors(rule, index, parsed, pack)
    return loaded, [(item, str(path)) for item in rule_file.retired], errors


def _case_profile_errors(rule: Rule, index: int, parsed: LoadedYaml, pack: Pack) -> list[InputError]:
    """A typo in a case profile fails when the pack loads (check, rules test), not only at rules test;
    its facts of the pack (``extensions``) are checked against the pack's declarations."""
    from .loading import validate_profile_data
    from .rule_cases import case_profile_data

    errors = []
    for case_index, case in enumerate(rule.cases):
        try:
            validate_profile_data(case_profile_data(case), parsed.source, [pack])
        except InputErrors as exc:
            for error in exc.errors:
                position = parsed.locate(("rules", index, "cases", case_index, "profile", *_field_path(error.field)))
                errors.append(
                    InputError(
                        source=parsed.source,
                        line=position[0] if position else None,
                        field=f"rules[{index}].cases[{case_index}].profile" + (f".{error.field}" if error.field else ""),
                        message=f"rule {rule.id}, case {case.name}: {error.message}",
                        hint=error.hint,
                    )
                )
    return errors


def _field_path(field: str | None) -> tuple[str | int, ...]:
    """``criminal_law.offences[0].material`` -> ("criminal_law", "offences", 0, "material")."""
    parts: list[str | int] = []
    for name in (field or "").split("."):
        head, *indexes = name.split("[")
        if head:
            parts.append(head)
        parts += [int(i.rstrip("]")) for i in indexes if i.rstrip("]").isdigit()]
    return tuple(parts)


def _replacements(loaded: list[LoadedRule], live: dict[str, LoadedRule], builtin_loaded: bool) -> tuple[dict[str, str], list[InputError]]:
    """Which rules run instead of which. With --no-builtin a pack's replacement of a built-in rule
    has nothing to replace; otherwise naming a rule that is not loaded is an error (a typo would
    leave both rules running)."""
    replaced: dict[str, str] = {}
    errors: list[InputError] = []
    for item in loaded:
        for target in item.rule.replaces:
            problem = None
            if target not in live:
                if not builtin_loaded:
                    continue
                problem = f"replaces {target}, which is not a loaded rule"
            elif target == item.id:
                problem = "a rule cannot replace itself"
            elif target in replaced:
                problem = f"{target} is already replaced by {replaced[target]}"
            if problem:
                errors.append(InputError(source=item.source, line=item.line, field=f"{item.id}.replaces", message=problem))
            else:
                replaced[target] = item.id
    return replaced, errors


def _check_dependencies_run(loaded: list[LoadedRule], replaced: dict[str, str]) -> None:
    """A derived rule reads other rules' findings: they must run too (not skipped, not replaced)."""
    running = {r.id for r in loaded}
    errors = []
    for item in loaded:
        for target in sorted(set(item.rule.references()) - running):
            why = f"it is replaced by {replaced[target]}" if target in replaced else "--select/--skip leaves it out"
            errors.append(
                InputError(
                    source=item.source,
                    line=item.line,
                    field=item.id,
                    message=f"rule {item.id} reads rule {target}, which will not run: {why}",
                    hint=f"run {target} too, or leave {item.id} out",
                )
            )
    if errors:
        raise InputErrors(errors)


def _selected(loaded: list[LoadedRule], packs: list[Pack], select: Sequence[str], skip: Sequence[str]) -> list[LoadedRule]:
    """Apply --select / --skip (rule IDs or theme IDs); an unknown name is an error with a suggestion."""
    known = {r.id for r in loaded} | {t.id for pack in packs for t in pack.themes}
    errors = []
    for option, names in (("--select", select), ("--skip", skip)):
        for name in names:
            if name not in known:
                suggestion = closest(name, sorted(known))
                errors.append(
                    InputError(
                        source=option,
                        message=f"no rule or theme {name!r}",
                        hint=f"did you mean {suggestion!r}?" if suggestion else "see gap-engine rules list",
                    )
                )
    if errors:
        raise InputErrors(errors)
    if select:
        loaded = [r for r in loaded if r.id in select or r.theme in select]
    return [r for r in loaded if r.id not in skip and r.theme not in skip]


def _retirement_errors(retired: list[tuple[RetiredRule, str]], live: dict[str, LoadedRule]) -> list[InputError]:
    """A retired ID is never reused, retired once, and points only at rules that exist."""
    errors: list[InputError] = []
    first: dict[str, str] = {}
    for item, source in retired:
        if item.id in live:
            rule = live[item.id]
            errors.append(
                InputError(
                    source=rule.source,
                    line=rule.line,
                    field=item.id,
                    message=f"rule ID {item.id} was retired in {source} ({item.reason.strip()}) and is never reused",
                    hint="give the rule a new ID",
                )
            )
        if item.id in first:
            errors.append(
                InputError(source=source, field=f"retired {item.id}", message=f"{item.id} is retired twice (also in {first[item.id]})")
            )
        first.setdefault(item.id, source)
        for successor in item.replaced_by:
            if successor not in live:
                errors.append(
                    InputError(
                        source=source,
                        field=f"retired {item.id}",
                        message=f"replaced_by names {successor}, which is not a rule",
                        hint="name the rules that now check what the retired rule checked",
                    )
                )
    return errors


def _validate_rule_file(parsed: LoadedYaml, pack: Pack) -> tuple[RuleFile | None, list[InputError]]:
    if not isinstance(parsed.data, dict):
        return None, [InputError(source=parsed.source, line=1, message="a rule file must be a mapping with 'theme' and 'rules'")]
    try:
        return RuleFile.model_validate(parsed.data, context={"pack": pack}), []
    except ValidationError as exc:
        errors = validation_errors(exc, parsed, RuleFile)
        rules = parsed.data.get("rules")
        named: list[InputError] = []
        for error in errors:
            rule_id = _rule_id_for(error.field, rules)
            if rule_id:
                error = error.__class__(**{**error.__dict__, "message": f"rule {rule_id}: {error.message}"})
            named.append(error)
        return None, named


def _rule_id_for(field: str | None, rules: Any) -> str | None:
    if not field or not field.startswith("rules[") or not isinstance(rules, list):
        return None
    index = int(field[len("rules[") : field.index("]")])
    if index < len(rules) and isinstance(rules[index], dict):
        return str(rules[index].get("id", f"#{index + 1}"))
    return None
