"""Why a rule has its status for one profile, in full: ``gap-engine explain RULE PROFILE``.

A finding says what is missing; an adviser asked "why is this a gap?" needs the whole reasoning:
the condition as a tree with each element's outcome, every provision that could have covered an
offence element and the scope element that excluded it, whether the offences are listed
exhaustively (the difference between gap and unknown), the facts with their dates, the rules a
derived rule reads, the reservations considered, and what would change the verdict.

The explanation is built from the very pieces ``check`` uses — the compiled rule
(``catalogue.compiled``), the profile's facts on the evaluation date (``facts.profile_facts``), the
engine's element outcomes, ``verdict.decide``, ``resolve_exhaustiveness``, ``combine`` and
``read_reservations`` — so it cannot disagree with the finding: its status *is* the finding's.
Nothing is graded anew except each candidate's scope elements, by the compiled elements' own
``Dimension.grade``, to show what the engine compared. What would change the verdict is tried, not
guessed (``what_if.py``).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from . import __version__
from .api import Engine, make_engine
from .conditions import CompiledElement, CompiledRule, Dimension, ElementOutcome, Group, Leaf, Node, RuleLeaf, rule_grade
from .element_words import element_words, localised_key
from .errors import InputError, InputErrors
from .facts import APPLIES_KEY, FactDict, ProfileFacts, profile_facts
from .findings import ElementResult, Finding, Status, status_name
from .i18n import _, format_date, language
from .profile import Answer, Profile
from .rules import Condition, RuleCatalogue
from .suggest import closest
from .verdict import combine, decide_all, read_reservations, resolve_exhaustiveness
from .what_if import WhatIf, what_ifs

SCHEMA_VERSION = 1


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class DimensionGrade(_Model):
    """One scope element of a candidate provision, as the engine graded it."""

    key: str  # the engine's key: m_<material>, w_<scope field>, age, applies
    name: str  # in the profile's words: "material non_realistic_depiction", "setting.online", "age threshold"
    needed: str  # what the rule needs: "yes", "no", ">= 18"
    value: str  # what the provision states (on the evaluation date, for applicability)
    grade: Status
    note: str | None = None  # why, e.g. "in force from 2024-07-01, not on 2024-06-30"


class Candidate(_Model):
    """A listed offence whose conduct matches an offence element, with its grade on every scope element."""

    offence: str
    citation: str | None = None
    url: str | None = None
    in_force: date | None = None
    in_force_until: date | None = None
    grade: Status  # its worst scope element
    dimensions: list[DimensionGrade]
    excluded_by: list[str] = Field(default_factory=list)  # the scope elements graded below covered
    decided: bool  # one of the candidates whose grade the element took


class OffenceDetail(_Model):
    conduct: str
    material: str | None = None
    candidates: list[Candidate] = Field(default_factory=list)
    decided_by: list[str] = Field(default_factory=list)
    best_grade: Status  # the best candidate's grade (unknown with no candidate), before exhaustiveness is read
    exhaustive: bool  # the profile says its offences are listed exhaustively for this conduct (and material)
    exhaustive_by: str | None = None  # which statement of the profile says so
    reading: str  # what the candidates, and the exhaustiveness, make of the element


class FactDetail(_Model):
    path: str
    needed: str
    answer: str  # the answer on the evaluation date (unknown when not stated or not applying)
    stated: str | None = None  # the answer as written, when stated
    citation: str | None = None
    url: str | None = None
    in_force: date | None = None
    in_force_until: date | None = None
    applies: str | None = None  # does the cited provision apply on the date: yes / no / partial / unknown
    applies_note: str | None = None
    answer_before_in_force: str | None = None  # set when the cited provision is not yet in force: the answer used


class RuleDetail(_Model):
    rule_id: str
    status: Status  # the referenced rule's status for the same profile
    label: str | None = None
    explain: str  # the command that explains it


class ConditionNode(_Model):
    """One node of a rule's condition (or precondition), with its outcome for the profile."""

    kind: str  # all | any | at_least | offence | fact | rule
    description: str
    status: Status
    at_least: int | None = None
    named: str | None = None  # the named condition (use: NAME) this node was expanded from
    missing: str | None = None  # as the finding says it
    explained_by_reservation: bool = False
    offence: OffenceDetail | None = None
    fact: FactDetail | None = None
    rule: RuleDetail | None = None
    children: list[ConditionNode] = Field(default_factory=list)


class Precondition(_Model):
    holds: bool  # the rule applies (otherwise not_applicable)
    status: Status
    condition: ConditionNode


class ReservationMade(_Model):
    key: str
    label: str
    in_force: str  # yes / no / unknown on the evaluation date
    note: str | None = None
    since: date | None = None
    citation: str | None = None


class ReservationOnElement(_Model):
    element: str
    reservation: str | None = None  # the reservation made (its label); None when none is made
    explains: bool
    why: str


class ReservableConsidered(_Model):
    """A reservation the rule admits: the Party's reservations there and what they do for each failing element."""

    provision: str
    permits: str
    made: list[ReservationMade] = Field(default_factory=list)
    elements: list[ReservationOnElement] = Field(default_factory=list)


class Explanation(_Model):
    schema_version: int = SCHEMA_VERSION
    tool_version: str
    rules_hash: str
    engine: str
    rule_id: str
    title: str
    theme: str
    pack: str
    pack_version: str
    severity: str
    articles: list[str]
    replaces: list[str] = Field(default_factory=list)
    jurisdiction: str
    jurisdiction_name: str
    source: str
    as_of: date
    evaluated_on: date
    status: Status
    label: str | None = None
    condition: ConditionNode
    precondition: Precondition | None = None
    reservations_considered: bool  # the verdict read the reservations (the condition was not covered)
    reservations_stated: bool
    reservations: list[ReservableConsidered] = Field(default_factory=list)
    missing: list[str] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    what_if: list[WhatIf] = Field(default_factory=list)
    what_if_note: str | None = None


# --- the library entry points -------------------------------------------------------------------


def explain(
    rule_id: str, path: str | Path, catalogue: RuleCatalogue, engine: str = "durable", on: date | None = None, *, notice: bool = True
) -> Explanation:
    """Load a profile and explain one rule's status for it on ``on`` (default: its as_of); every bad input
    (an unknown rule ID, an invalid profile, a date after as_of) raises InputErrors, all at once."""
    from .loading import load_profile

    errors: list[InputError] = []
    try:
        find_rule(catalogue, rule_id)
    except InputErrors as exc:
        errors += exc.errors
    try:
        profile = load_profile(path)
    except InputErrors as exc:
        errors += exc.errors
    if errors:
        raise InputErrors(errors)
    return explain_profile(rule_id, profile, catalogue, str(path), on, make_engine(catalogue, engine, notice=notice))


def find_rule(catalogue: RuleCatalogue, rule_id: str) -> CompiledRule:
    """The compiled rule with this ID; an unknown, retired or replaced ID is an input error saying what to do."""
    compiled = {rule.id: rule for rule in catalogue.compiled.rules}
    if rule_id in compiled:
        return compiled[rule_id]
    retired = {r.id: r for r in catalogue.retired}
    if rule_id in catalogue.replaced:
        raise InputErrors.single(rule_id, f"rule {rule_id} is replaced by {catalogue.replaced[rule_id]}", hint="explain that rule")
    if rule_id in retired:
        successors = retired[rule_id].replaced_by
        hint = f"explain its successor{'s' if len(successors) > 1 else ''} {', '.join(successors)}" if successors else None
        raise InputErrors.single(rule_id, f"rule {rule_id} is retired", hint=hint)
    suggestion = closest(rule_id.upper(), sorted(compiled))
    raise InputErrors.single(
        rule_id,
        "no such rule in the loaded rules",
        hint=f"did you mean {suggestion!r}?" if suggestion else "see gap-engine rules list",
    )


def explain_profile(
    rule_id: str,
    profile: Profile,
    catalogue: RuleCatalogue,
    source: str = "<profile>",
    on: date | None = None,
    engine: Engine | None = None,
) -> Explanation:
    """Explain one rule's status for an already-loaded profile (``engine``: an ``api.Engine``; default
    the reference Python evaluator)."""
    rule = find_rule(catalogue, rule_id)
    facts = profile_facts(profile, source, on)
    runner = engine if engine is not None else make_engine(catalogue, "python")
    outcomes = runner.evaluate(facts.facts)
    # The rule and the rules it reads, decided exactly as ``check`` decides them.
    decided = {finding.rule_id: finding for finding in decide_all(catalogue.compiled.with_dependencies(rule), facts, outcomes)}
    return _Builder(rule, facts, outcomes, decided, decided[rule.id]).build(catalogue, runner.name)


# --- building -----------------------------------------------------------------------------------


class _Builder:
    """One explanation, from the facts, the engine's outcomes and the findings of the rule and the rules it reads."""

    def __init__(
        self, rule: CompiledRule, facts: ProfileFacts, outcomes: dict[str, ElementOutcome], decided: dict[str, Finding], finding: Finding
    ) -> None:
        self.rule = rule
        self.facts = facts
        self.outcomes = outcomes
        self.decided = decided
        self.finding = finding
        every = rule.leaves() + rule.precondition_leaves()
        # The same resolution and grades ``verdict.decide`` used.
        self.resolved = {
            leaf.key: resolve_exhaustiveness(facts, leaf.element, outcomes[leaf.element.key]) for leaf in every if isinstance(leaf, Leaf)
        }
        self.statuses: dict[str, Status] = {key: outcome.status for key, outcome in self.resolved.items()}
        for leaf in every:
            if isinstance(leaf, RuleLeaf):
                self.statuses[leaf.key] = rule_grade(decided[leaf.rule_id].status)
        self.results: dict[str, ElementResult] = {leaf.key: result for leaf, result in zip(rule.leaves(), finding.elements, strict=True)}
        self.considered = finding.status in (Status.gap, Status.partial, Status.unknown, Status.reserved)
        self.reading = read_reservations(rule, facts, self.resolved) if self.considered else None

    def build(self, catalogue: RuleCatalogue, engine: str) -> Explanation:
        rule, facts, finding = self.rule, self.facts, self.finding
        spec = rule.loaded.rule
        precondition = None
        if rule.applies_if is not None:
            assert spec.applies_if is not None
            status = combine(rule.applies_if, self.statuses)
            precondition = Precondition(
                holds=status is not Status.gap, status=status, condition=self.node(spec.applies_if, rule.applies_if)
            )
        # The elements to change: those not covered, and first, for a rule that does not apply, its precondition's.
        failing = [leaf for leaf in rule.precondition_leaves() if finding.status is Status.not_applicable]
        failing = [leaf for leaf in failing + rule.leaves() if self.statuses[leaf.key] is not Status.covered]
        chain = catalogue.compiled.with_dependencies(rule)
        changes, note = what_ifs(rule, chain, facts, finding, list({leaf.key: leaf for leaf in failing}.values()), self.decided)
        return Explanation(
            tool_version=__version__,
            rules_hash=catalogue.content_hash,
            engine=engine,
            rule_id=rule.id,
            title=spec.texts(language(), rule.loaded.pack_language)[0]["title"],
            theme=rule.loaded.theme,
            pack=rule.loaded.pack,
            pack_version=rule.loaded.pack_version,
            severity=spec.severity.value,
            articles=list(spec.articles),
            replaces=list(spec.replaces),
            jurisdiction=facts.jurisdiction,
            jurisdiction_name=facts.jurisdiction_name,
            source=facts.source,
            as_of=facts.as_of,
            evaluated_on=facts.on,
            status=finding.status,
            label=finding.label,
            condition=self.node(spec.condition, rule.condition),
            precondition=precondition,
            reservations_considered=self.considered,
            reservations_stated=facts.reservations_stated,
            reservations=self.reservations(),
            missing=list(finding.missing),
            notes=list(finding.notes),
            what_if=changes,
            what_if_note=note,
        )

    def node(self, condition: Condition, node: Node) -> ConditionNode:
        """The compiled node beside the rule-file condition it came from (which knows named conditions)."""
        named = condition.named
        if isinstance(node, Group):
            children = condition.children or []
            if node.op == "at_least":
                description = _("at least {count} of {total}").format(count=node.at_least, total=len(node.children))
            else:
                description = _("all of") if node.op == "all" else _("any of")
            return ConditionNode(
                kind=node.op,
                description=description,
                status=combine(node, self.statuses),
                at_least=node.at_least,
                named=named,
                children=[self.node(child, compiled) for child, compiled in zip(children, node.children, strict=True)],
            )
        result = self.results.get(node.key)
        missing = result.missing if result is not None else None
        if isinstance(node, RuleLeaf):
            referenced = self.decided[node.rule_id]
            return ConditionNode(
                kind="rule",
                description=_("rule {rule} is covered").format(rule=node.rule_id),
                status=self.statuses[node.key],
                named=named,
                missing=missing,
                rule=RuleDetail(
                    rule_id=node.rule_id, status=referenced.status, label=referenced.label, explain=self._command(node.rule_id)
                ),
            )
        element = node.element
        explained = self.reading is not None and node.key in self.reading.explained
        if element.kind == "offence":
            return ConditionNode(
                kind="offence",
                description=element_words(node),
                status=self.statuses[node.key],
                named=named,
                missing=missing,
                explained_by_reservation=explained,
                offence=self.offence(element),
            )
        return ConditionNode(
            kind="fact",
            description=element.description,
            status=self.statuses[node.key],
            named=named,
            missing=missing,
            fact=self.fact(node),
        )

    def offence(self, element: CompiledElement) -> OffenceDetail:
        facts = self.facts
        raw = self.outcomes[element.key]
        resolved = self.resolved[element.key]
        candidates = [self.candidate(element, fact, fact["id"] in raw.fact_ids) for fact in facts.facts if element.is_candidate(fact)]
        decided_by = [c.offence for c in candidates if c.decided]
        exhaustive_by = _exhaustive_by(facts, element.conduct, element.material)
        conduct = element.conduct or ""
        if raw.no_candidate:
            found = _("no listed offence has the conduct {conduct}").format(conduct=conduct)
        elif raw.status is Status.gap:
            found = _("every candidate excludes it ({offences})").format(offences=", ".join(c.offence for c in candidates))
        else:
            found = _("the best candidate grade is {grade} ({offences})").format(
                grade=status_name(raw.status), offences=", ".join(decided_by)
            )
        if resolved.status is Status.gap:
            reading = _("{found}, and the offences are listed exhaustively for it ({by}): a gap").format(found=found, by=exhaustive_by)
        elif raw.no_candidate or resolved.excluded:
            reading = _(
                "{found}, but the profile does not say its offences are listed exhaustively for it, "
                "so another provision may cover it: unknown, not a gap"
            ).format(found=found)
        else:
            reading = found
        return OffenceDetail(
            conduct=conduct,
            material=element.material,
            candidates=candidates,
            decided_by=decided_by,
            best_grade=raw.status,
            exhaustive=exhaustive_by is not None,
            exhaustive_by=exhaustive_by,
            reading=reading,
        )

    def candidate(self, element: CompiledElement, fact: FactDict, decided: bool) -> Candidate:
        provision = self.facts.provisions[fact["id"]]
        dimensions = [self.dimension(d, fact) for d in element.dimensions]
        return Candidate(
            offence=provision.ref,
            citation=provision.citation,
            url=provision.url,
            in_force=provision.in_force,
            in_force_until=provision.in_force_until,
            grade=element.grade(fact),
            dimensions=dimensions,
            excluded_by=[d.name for d in dimensions if d.grade is not Status.covered],
            decided=decided,
        )

    def dimension(self, dimension: Dimension, fact: FactDict) -> DimensionGrade:
        provision = self.facts.provisions[fact["id"]]
        note = None
        if dimension.key == APPLIES_KEY:
            name = _("in force on {date} and extends to the territory").format(date=format_date(self.facts.on))
            note = provision.applies.reason
        elif dimension.key.startswith("m_") and dimension.key[2:] in provision.silent_materials:
            name = localised_key(dimension.key)
            note = _("not stated, so no: criminal_law.exhaustive_for names this conduct and material")
        else:
            name = localised_key(dimension.key)
        return DimensionGrade(
            key=dimension.key,
            name=name,
            needed=f">= {dimension.at_least}" if dimension.at_least is not None else str(dimension.good),
            value=str(fact.get(dimension.key, _("not stated"))),
            grade=dimension.grade(fact),
            note=note,
        )

    def fact(self, leaf: Leaf) -> FactDetail:
        facts = self.facts
        path = leaf.source.fact
        assert path is not None
        fact_id = f"fact:{path}"
        answer = facts.by_id[fact_id]["answer"] if fact_id in facts.by_id else Answer.unknown.value
        provision = facts.provisions.get(fact_id) or facts.dormant.get(path)
        if provision is None:
            return FactDetail(path=path, needed=leaf.source.good.value, answer=answer)
        applies = provision.applies
        before = applies.answer is Answer.no and applies.before_in_force
        return FactDetail(
            path=path,
            needed=leaf.source.good.value,
            answer=answer,
            stated=provision.stated_answer,
            citation=provision.citation,
            url=provision.url,
            in_force=provision.in_force,
            in_force_until=provision.in_force_until,
            applies=applies.answer.value,
            applies_note=applies.reason,
            answer_before_in_force=answer if before else None,
        )

    def reservations(self) -> list[ReservableConsidered]:
        considered = []
        for provision in self.rule.reservable:
            made = [
                ReservationMade(
                    key=r.key,
                    label=r.label,
                    in_force=r.in_force.answer.value,
                    note=r.in_force.reason,
                    since=r.since,
                    citation=r.citation,
                )
                for r in self.facts.reservations
                if r.place == provision.place
            ]
            assessments = [a for a in self.reading.assessments if a.provision == provision] if self.reading is not None else []
            elements = [
                ReservationOnElement(
                    element=a.element, reservation=a.reservation.label if a.reservation else None, explains=a.explains, why=a.why
                )
                for a in assessments
            ]
            considered.append(
                ReservableConsidered(provision=_(provision.label), permits=_(provision.permits), made=made, elements=elements)
            )
        return considered

    def _command(self, rule_id: str) -> str:
        facts = self.facts
        return f"gap-engine explain {rule_id} {facts.source}" + (f" --as-of {facts.on}" if facts.on != facts.as_of else "")


def _exhaustive_by(facts: ProfileFacts, conduct: str | None, material: str | None) -> str | None:
    """Which statement of the profile lists its offences exhaustively for this conduct (and material), if any."""
    if facts.exhaustive_all:
        return "criminal_law.offences_listed_exhaustively: yes"
    if conduct is not None and conduct in facts.exhaustive_conduct:
        return _("criminal_law.exhaustive_for_conduct (or exhaustive_for) names {conduct}").format(conduct=conduct)
    if conduct is not None and material is not None and (conduct, material) in facts.exhaustive_pairs:
        return _("criminal_law.exhaustive_for names {{conduct: {conduct}, material: {material}}}").format(
            conduct=conduct, material=material
        )
    return None


ConditionNode.model_rebuild()
