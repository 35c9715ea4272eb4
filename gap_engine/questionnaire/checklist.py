"""The monitoring-round checklist: the rule catalogue as numbered questions, optionally pre-filled.

Themes are numbered by their place in the paper (so question 4.2 means the same with or without
``--theme``), questions by the rule order within a theme. Each question carries the paper's
food-for-thought questions it serves, the Convention articles and the evidence expected; each
*item* is one element of the rule's condition — a fact to answer or an offence scope to show.
With a profile, the rules are run (through ``gap_engine.api``) so every item shows what the
profile states, the evidence it cites and the element's status; unknown items are the questions
still to answer, counted per theme.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InputErrors
from ..findings import Finding, FindingWaiver, Status
from ..i18n import N_, _, language
from ..profile import Answer, Fact, Profile

if TYPE_CHECKING:
    from ..waivers import Waivers

EVIDENCE_FACT = N_("the answer (yes / no / partial) with the instrument, provision, URL and date in force that support it")
EVIDENCE_OFFENCE = N_(
    "the offence provision: instrument, provision, URL, date in force, and its scope "
    "(conduct, material, setting, age threshold) as the text or case law reads"
)
EVIDENCE_RULE = N_("the evidence asked for by the rules it refers to")


@dataclass(frozen=True)
class Cited:
    """One piece of evidence the profile cites for an item."""

    text: str
    url: str | None = None
    in_force: date | None = None

    def label(self) -> str:
        extra = "; ".join(x for x in (self.url, f"in force {self.in_force}" if self.in_force else None) if x)
        return f"{self.text} ({extra})" if extra else self.text


@dataclass(frozen=True)
class Item:
    """One thing to answer: a fact (``ref`` is its path) or an offence element (``ref`` describes it);
    or, for a ``rule:`` element, a pointer to the rule it reads (``ref`` is its ID)."""

    kind: str  # fact | offence | rule
    ref: str
    prompt: str
    precondition: bool = False
    answer: str | None = None  # what the profile states (facts), or the element's status (offences)
    status: Status | None = None
    evidence: tuple[Cited, ...] = ()
    note: str | None = None
    missing: str | None = None

    @property
    def to_answer(self) -> bool:
        # A rule item's open questions are the referenced rule's own items; counting them here too would count them twice.
        if self.kind == "rule":
            return False
        return self.status is Status.unknown or (self.kind == "fact" and self.answer == Answer.unknown.value)


@dataclass(frozen=True)
class Question:
    number: str
    rule_id: str
    title: str
    severity: str
    questions: tuple[tuple[str, str], ...]  # food-for-thought (id, text)
    articles: tuple[str, ...]
    evidence_expected: str
    items: tuple[Item, ...]
    status: Status | None = None
    pack: str = "builtin"
    waiver: FindingWaiver | None = None  # from --waivers: shown beside the status, which it never changes

    @property
    def open_items(self) -> int:
        return sum(1 for item in self.items if item.to_answer)


@dataclass(frozen=True)
class Theme:
    number: int
    id: str
    title: str
    section: str
    questions: tuple[Question, ...]

    @property
    def open_items(self) -> int:
        return sum(q.open_items for q in self.questions)

    @property
    def open_questions(self) -> int:
        return sum(1 for q in self.questions if q.open_items)


@dataclass(frozen=True)
class Checklist:
    themes: tuple[Theme, ...]
    paper: str
    profile: Profile | None = None
    source: str | None = None
    notices: tuple[str, ...] = ()  # what applying the waivers found (expired ones, other jurisdictions), for stderr

    @property
    def prefilled(self) -> bool:
        return self.profile is not None


def build_checklist(
    profile_path: Path | None, themes: list[str], catalogue: Any, engine: str = "durable", waivers: Waivers | None = None
) -> Checklist:
    """Load the profile, if given, and build the checklist of a loaded catalogue, with the profile's
    waivers beside the rule statuses; raises InputErrors on bad input."""
    from dataclasses import replace

    from ..api import check_profiles, make_engine
    from ..loading import load_profile
    from ..waivers import apply_waivers

    profile = load_profile(profile_path, catalogue.packs) if profile_path else None
    findings: dict[str, Finding] = {}
    notices: list[str] = []
    if profile is not None:
        results = check_profiles([(str(profile_path), profile)], catalogue, make_engine(catalogue, engine))
        if waivers is not None:
            results, notices = apply_waivers(results, waivers)
        findings = {f.rule_id: f for f in results.all_findings()}
    checklist = checklist_from(catalogue, themes, profile, findings, str(profile_path) if profile_path else None)
    return replace(checklist, notices=tuple(notices))


def checklist_from(
    catalogue: Any, themes: list[str], profile: Profile | None = None, findings: dict[str, Finding] | None = None, source: str | None = None
) -> Checklist:
    """The checklist for an already loaded catalogue, profile and findings (by rule ID)."""
    from ..rules import paper

    pack_themes = [(pack, theme) for pack in catalogue.packs for theme in pack.themes]
    known = [theme.id for _, theme in pack_themes]
    unknown = [t for t in themes if t not in known]
    if unknown:
        raise InputErrors.single("--theme", f"unknown theme {', '.join(repr(t) for t in unknown)}", hint=f"known: {', '.join(known)}")
    lang = language()
    texts = {ref: pack.question_text(ref, lang) or text for pack in catalogue.packs for ref, text in pack.questions.items()}
    findings = findings or {}
    pack_facts = _pack_facts(catalogue, profile)
    out: list[Theme] = []
    for number, (pack, theme) in enumerate(pack_themes, start=1):
        if themes and theme.id not in themes:
            continue
        rules = [r for r in catalogue.compiled.rules if r.loaded.pack == pack.id and r.loaded.theme == theme.id]
        questions = tuple(
            _question(f"{number}.{index}", rule, texts, profile, findings.get(rule.id), pack_facts)
            for index, rule in enumerate(rules, start=1)
        )
        if questions:
            title, section = theme.in_language(lang, pack.language) or (theme.title, theme.section)
            out.append(Theme(number, theme.id, title, section, questions))
    cited = paper().get(f"paper_{lang}") or paper()["paper"]
    sources = [cited] if any(p.builtin for p in catalogue.packs) else []
    sources += [f"{p.title} ({p.label}; source: {p.source_title})" for p in catalogue.packs if not p.builtin]
    return Checklist(themes=tuple(out), paper="; ".join(sources), profile=profile, source=source)


@dataclass(frozen=True)
class PackFacts:
    """The loaded packs' declared facts by path, and what the profile states of them (checked, typed)."""

    declared: dict[str, Any]
    stated: dict[str, Any]


def _pack_facts(catalogue: Any, profile: Profile | None) -> PackFacts:
    from ..extensions import extension_values

    declared = {fact.path: fact for pack in catalogue.packs for fact in pack.facts}
    return PackFacts(declared, extension_values(profile, catalogue.packs) if profile is not None else {})


def _question(
    number: str, compiled: Any, texts: dict[str, str], profile: Profile | None, finding: Finding | None, pack_facts: PackFacts
) -> Question:
    loaded = compiled.loaded
    rule = loaded.rule
    leaves = compiled.leaves()
    # decide() gives one ElementResult per leaf of the compiled tree, in the tree's order.
    elements = finding.elements if finding is not None else [None] * len(leaves)
    items = [_item(leaf.source, profile, element, pack_facts) for leaf, element in zip(leaves, elements, strict=True)]
    items += [_item(leaf.source, profile, None, pack_facts, precondition=True) for leaf in compiled.precondition_leaves()]
    kinds = {item.kind for item in items}
    wanted = (("offence", EVIDENCE_OFFENCE), ("fact", EVIDENCE_FACT), ("rule", EVIDENCE_RULE))
    expected = "; ".join(_(text) for kind, text in wanted if kind in kinds)
    return Question(
        number=number,
        rule_id=rule.id,
        title=rule.texts(language(), loaded.pack_language)[0]["title"],
        severity=rule.severity.value,
        questions=tuple((ref, texts.get(ref, "")) for ref in rule.questions),
        articles=tuple(rule.articles),
        evidence_expected=expected,
        items=tuple(_dedupe(items)),
        status=finding.status if finding is not None else None,
        pack=loaded.pack,
        waiver=finding.waiver if finding is not None else None,
    )


def _dedupe(items: list[Item]) -> list[Item]:
    seen: set[tuple[str, str]] = set()
    out = []
    for item in items:
        if (item.kind, item.ref) not in seen:
            seen.add((item.kind, item.ref))
            out.append(item)
    return out


def _item(leaf: Any, profile: Profile | None, element: Any, pack_facts: PackFacts, precondition: bool = False) -> Item:
    if leaf.rule is not None:
        if element is None:
            return Item("rule", leaf.rule, f"see rule {leaf.rule}", precondition)
        return Item(
            "rule",
            leaf.rule,
            f"see rule {leaf.rule}",
            precondition,
            answer=element.status.value,
            status=element.status,
            missing=element.missing,
        )
    if leaf.fact is not None:
        declared = pack_facts.declared.get(leaf.fact)
        # A pack's fact is asked in the pack's words; a built-in one by its place in the profile.
        prompt = declared.label if declared is not None else leaf.fact.replace(".", " › ").replace("_", " ")
        if leaf.good is Answer.no:
            prompt += " (the protective answer is 'no')"
        if profile is None:
            return Item("fact", leaf.fact, prompt, precondition)
        from ..facts import resolve_fact

        stated = pack_facts.stated.get(leaf.fact, Fact()) if declared is not None else resolve_fact(profile, leaf.fact)
        cite = stated.citation
        evidence: tuple[Cited, ...] = (Cited(cite.label(), cite.url, cite.in_force),) if cite else ()
        return Item(
            "fact",
            leaf.fact,
            prompt,
            precondition,
            answer=stated.answer.value,
            status=element.status if element is not None else None,
            evidence=evidence,
            note=stated.note,
            missing=element.missing if element is not None else None,
        )
    description = leaf.offence.describe()
    prompt = f"an offence provision covers {description}"
    if profile is None or element is None:
        return Item("offence", description, prompt, precondition)
    evidence = tuple(Cited(e.citation or e.ref, e.url, e.in_force) for e in element.evidence)
    return Item(
        "offence",
        description,
        prompt,
        precondition,
        answer=element.status.value,
        status=element.status,
        evidence=evidence,
        missing=element.missing,
    )
