"""Profile -> flat facts for the engines, on one evaluation date: the one place that knows both shapes.

Every fact is a flat dict of strings (plus ``age`` as an int) so that a durable_rules pattern
can test it with plain equality. Every scope element of an offence is written out, ``unknown``
when the profile does not state it, so "not stated" is matched explicitly instead of by the
absence of a key. Facts carry a unique ``id``: durable_rules refuses an identical fact twice.

Law counts only on the date it is in force. The evaluation date is the profile's ``as_of`` or an
earlier one; each offence fact carries ``applies`` (in force on that date and extending to the
profile's territory: yes / partial / no / unknown), which every offence element grades like any
other scope element, so a provision not in force is kept as evidence but never covers. A measure
or programme (a ``Fact``) not in force on the date takes its ``answer_before_in_force`` (or
``unknown``); the stated answer is kept for the evidence. An undated citation is known to be in
force on ``as_of`` only: at an earlier date it is ``unknown``.

Everything the verdict needs besides the engine's outcomes (evidence texts, exhaustiveness,
reservations with their dates and scope) is gathered here into ``ProfileFacts``, so the verdict
never reads the profile by a second road.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .errors import InputErrors
from .i18n import _, format_date
from .profile import (
    OFFENCE_ANSWER_FIELDS,
    Answer,
    Citation,
    Conduct,
    Extraterritorial,
    Fact,
    Material,
    Offence,
    Profile,
    Reservation,
    fact_paths,
)
from .reservations import RESERVABLE, ReservationScope, scope_of

MAX_FACTS_PER_PROFILE = 2_000
"""Why a cap: the durable engine asserts all of one profile's facts in one session and hands every
match of a grade rule to one action, which durable_rules 2.0.28 caps at 65,535 matches (an unsigned
short; engine_durable.CAP); a profile with more facts could lose matches without a word. Real
profiles yield tens of facts (the bench's synthetic ones ~60), so a profile over 2,000 is a mistake
(e.g. a whole criminal code pasted in) and is refused with a clear error rather than checked slowly."""

FactDict = dict[str, Any]
APPLIES_KEY = "applies"
_ANSWER_ORDER = (Answer.no, Answer.partial, Answer.unknown, Answer.yes)


def conduct_key(conduct: Conduct) -> str:
    return f"c_{conduct.value}"


def material_key(material: Material) -> str:
    return f"m_{material.value}"


def scope_key(field: str) -> str:
    return "w_" + field.replace(".", "__")


@dataclass(frozen=True)
class Applicability:
    """Whether a cited provision applies on the evaluation date in the profile's territory, and why not."""

    answer: Answer
    reason: str | None = None  # e.g. "in force from 2030-01-01, not on 2024-01-01"
    before_in_force: bool = False  # not yet in force (rather than expired, or undated, or elsewhere)


def evaluation_date(profile: Profile, source: str, on: date | None) -> date:
    """The date to evaluate ``profile`` on: its ``as_of``, or an earlier ``on``; a later one is an input error."""
    if on is None:
        return profile.as_of
    if on > profile.as_of:
        raise InputErrors.single(
            source,
            f"cannot evaluate on {on}: the profile describes the law as of {profile.as_of}",
            field="as_of",
            hint=f"give --as-of {profile.as_of} or an earlier date, or update the profile to describe the later law",
        )
    return on


def in_force_between(since: date | None, until: date | None, day: date, as_of: date) -> Applicability:
    """Is something in force from ``since`` to ``until`` (inclusive) in force on ``day``? Undated: known only for ``as_of``."""
    if since and day < since:
        return Applicability(
            Answer.no, _("in force from {since}, not on {day}").format(since=format_date(since), day=format_date(day)), before_in_force=True
        )
    if until and day > until:
        return Applicability(Answer.no, _("in force until {until}, not on {day}").format(until=format_date(until), day=format_date(day)))
    if since or day >= as_of:
        return Applicability(Answer.yes)
    return Applicability(
        Answer.unknown,
        _("no in-force date given: the profile states it for {as_of} only, not for {day}").format(
            as_of=format_date(as_of), day=format_date(day)
        ),
    )


def in_force_on(citation: Citation | None, day: date, as_of: date) -> Applicability:
    """Is the cited provision in force on ``day``?"""
    return in_force_between(citation.in_force if citation else None, citation.in_force_until if citation else None, day, as_of)


def extends_to(citation: Citation | None, territory: str | None) -> Applicability:
    """Does the cited provision extend to the profile's territory (or, for a whole State, to all of it)?"""
    extent = citation.extent if citation else []
    if not extent:
        return Applicability(Answer.yes)
    places = ", ".join(extent)
    if territory is None:
        return Applicability(Answer.partial, _("extends to {places} only, not to the whole State").format(places=places))
    if territory.casefold() in {e.casefold() for e in extent}:
        return Applicability(Answer.yes)
    return Applicability(Answer.no, _("extends to {places}, not to {territory}").format(places=places, territory=territory))


def applicability(citation: Citation | None, day: date, as_of: date, territory: str | None) -> Applicability:
    """The worse of being in force on ``day`` and extending to ``territory``, with the reasons."""
    dated = in_force_on(citation, day, as_of)
    placed = extends_to(citation, territory)
    worst = min(dated.answer, placed.answer, key=_ANSWER_ORDER.index)
    reasons = "; ".join(r for r in (dated.reason, placed.reason) if r) or None
    return Applicability(worst, reasons, dated.before_in_force)


@dataclass(frozen=True)
class Provision:
    """What the evidence says about one fact sent to the engines: its citation and whether it applies."""

    kind: str  # offence | fact
    ref: str  # offence id or fact path
    citation: str | None
    url: str | None
    in_force: date | None
    in_force_until: date | None
    applies: Applicability
    stated_answer: str | None = None  # a fact's answer as written, before dates were applied
    silent_materials: frozenset[str] = frozenset()  # read as "no" by criminal_law.exhaustive_for


@dataclass(frozen=True)
class ReservationState:
    """A reservation the profile lists, with what it permits and whether it is in force on the date."""

    key: str
    place: tuple[int, int | None, int | None]
    label: str
    scope: ReservationScope
    in_force: Applicability
    citation: str | None
    url: str | None
    since: date | None


@dataclass(frozen=True)
class ProfileFacts:
    """One profile on one date, as the engines and the verdict see it."""

    jurisdiction: str
    jurisdiction_name: str
    source: str
    as_of: date
    on: date  # the evaluation date
    facts: list[FactDict]
    provisions: dict[str, Provision]  # by fact id
    dormant: dict[str, Provision]  # fact path -> a stated fact that does not apply on the date
    exhaustive_all: bool
    exhaustive_conduct: frozenset[str]
    exhaustive_pairs: frozenset[tuple[str, str]]
    reservations: tuple[ReservationState, ...]
    reservations_stated: bool
    by_id: dict[str, FactDict] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_id.update({fact["id"]: fact for fact in self.facts})

    def is_exhaustive(self, conduct: str | None, material: str | None) -> bool:
        """Does the profile say every provision is listed for this conduct (and material)?"""
        return (
            self.exhaustive_all
            or (conduct is not None and conduct in self.exhaustive_conduct)
            or (conduct is not None and material is not None and (conduct, material) in self.exhaustive_pairs)
        )

    def reservations_in_force(self) -> list[ReservationState]:
        return [r for r in self.reservations if r.in_force.answer is Answer.yes]


def offence_fact(offence: Offence, default_reach: Extraterritorial, applies: Answer, reach_known: bool = True) -> FactDict:
    fact: FactDict = {"t": "offence", "id": f"offence:{offence.id}", "ref": offence.id, APPLIES_KEY: applies.value}
    for conduct in offence.conduct:
        fact[conduct_key(conduct)] = "yes"
    for material in Material:
        fact[material_key(material)] = offence.material.get(material, Answer.unknown).value
    reach = offence.extraterritorial or default_reach
    for field_name in OFFENCE_ANSWER_FIELDS:
        group, _dot, name = field_name.partition(".")
        if group == "setting":
            value = getattr(offence.setting, name)
        elif group == "extortion_motive":
            value = getattr(offence.extortion_motive, name)
        elif group == "extraterritorial":
            value = getattr(reach, name) if reach_known else Answer.unknown
        else:
            value = getattr(offence, field_name)
        fact[scope_key(field_name)] = value.value
    if offence.age_threshold is not None:
        fact["age"] = offence.age_threshold
    return fact


def fact_on(stated: Fact, applies: Applicability) -> Answer:
    """A measure's answer on the evaluation date, given whether its citation applies then."""
    if applies.answer is Answer.yes:
        return stated.answer
    if applies.answer is Answer.partial:  # in force in only part of the State: a "yes" holds only in part
        return Answer.partial if stated.answer is Answer.yes else stated.answer
    if applies.answer is Answer.no and applies.before_in_force:
        return stated.answer_before_in_force
    return Answer.unknown


def profile_facts(
    profile: Profile, source: str = "<profile>", on: date | None = None, extensions: Mapping[str, Any] | None = None
) -> ProfileFacts:
    """The facts of one profile on ``on`` (default: its ``as_of``), the meta fact first (see engine_durable.py).

    ``extensions`` are the profile's pack facts as ``extensions.extension_values`` checked them, by
    path; an answer fact among them is sent like a built-in fact (same dates, same "unknown when not
    stated"). Date and number facts are for people and no condition tests them, so they are not sent."""
    day = evaluation_date(profile, source, on)
    territory = profile.jurisdiction.territory
    law = profile.criminal_law
    # The meta fact gives the durable engine one rule that fires in every session (see engine_durable.py).
    facts: list[FactDict] = [{"t": "meta", "id": "meta"}]
    provisions: dict[str, Provision] = {}
    reach_known = in_force_on(law.extraterritorial.citation, day, profile.as_of).answer is Answer.yes
    exhaustive_pairs = frozenset((e.conduct.value, e.material.value) for e in law.exhaustive_for if e.material is not None)
    for offence in law.offences:
        cite = offence.citation
        applies = applicability(cite, day, profile.as_of, territory)
        own_reach = offence.extraterritorial
        known = in_force_on(own_reach.citation, day, profile.as_of).answer is Answer.yes if own_reach else reach_known
        fact = offence_fact(offence, law.extraterritorial, applies.answer, known)
        # exhaustive_for {conduct, material} states that every provision reaching that material for that
        # conduct is listed and says so: a listed provision with that conduct, silent on the material, does
        # not reach it (a material is a property of the provision, so for all its conduct).
        silent = frozenset(
            m for c, m in exhaustive_pairs if Conduct(c) in offence.conduct and fact[material_key(Material(m))] == Answer.unknown.value
        )
        for material in silent:
            fact[material_key(Material(material))] = Answer.no.value
        facts.append(fact)
        provisions[fact["id"]] = Provision(
            "offence",
            offence.id,
            f"{cite.label()} — {offence.title}",
            cite.url,
            cite.in_force,
            cite.in_force_until,
            applies,
            silent_materials=silent,
        )
    dormant: dict[str, Provision] = {}
    stated_facts = [(path, resolve_fact(profile, path)) for path in fact_paths()]
    stated_facts += [(path, value) for path, value in (extensions or {}).items() if isinstance(value, Fact)]
    for path, stated in stated_facts:
        if stated.answer is Answer.unknown and stated.answer_before_in_force is Answer.unknown:
            continue  # unknown on every date: nothing to send, nothing to show
        fact_cite = stated.citation  # optional here, unlike an offence's citation above
        applies = applicability(fact_cite, day, profile.as_of, territory)
        answer = fact_on(stated, applies)
        provision = Provision(
            "fact",
            path,
            fact_cite.label() if fact_cite else None,
            fact_cite.url if fact_cite else None,
            fact_cite.in_force if fact_cite else None,
            fact_cite.in_force_until if fact_cite else None,
            applies,
            stated.answer.value,
        )
        if answer is not Answer.unknown:
            fact_id = f"fact:{path}"
            facts.append({"t": "fact", "id": fact_id, "path": path, "answer": answer.value})
            provisions[fact_id] = provision
        elif stated.answer is not Answer.unknown:
            dormant[path] = provision
    if len(facts) > MAX_FACTS_PER_PROFILE:
        raise InputErrors.single(
            source,
            f"profile yields {len(facts):,} facts, over the limit of {MAX_FACTS_PER_PROFILE:,}",
            field="criminal_law.offences",
            hint="split the profile or list only the provisions relevant to child sexual exploitation and abuse",
        )
    return ProfileFacts(
        jurisdiction=profile.jurisdiction.code,
        jurisdiction_name=profile.jurisdiction.name,
        source=source,
        as_of=profile.as_of,
        on=day,
        facts=facts,
        provisions=provisions,
        dormant=dormant,
        exhaustive_all=law.offences_listed_exhaustively.answer is Answer.yes,
        exhaustive_conduct=frozenset(c.value for c in law.exhaustive_for_conduct)
        | frozenset(e.conduct.value for e in law.exhaustive_for if e.material is None),
        exhaustive_pairs=exhaustive_pairs,
        reservations=tuple(_reservation_state(profile, r, day) for r in profile.convention.reservations),
        reservations_stated=profile.convention.reservations_stated,
    )


def _reservation_state(profile: Profile, reservation: Reservation, day: date) -> ReservationState:
    provision = RESERVABLE[reservation.place]
    since = reservation.in_force or profile.convention.in_force
    if reservation.withdrawn and day >= reservation.withdrawn:
        state = Applicability(Answer.no, _("withdrawn on {date}").format(date=format_date(reservation.withdrawn)))
    else:
        state = in_force_between(since, None, day, profile.as_of)
    cite = reservation.citation
    return ReservationState(
        key=reservation.key,
        place=reservation.place,
        label=_(provision.label) + (_(" (in part)") if reservation.extent == "part" else ""),
        scope=scope_of(provision, reservation.extent, reservation.covers),
        in_force=state,
        citation=cite.label() if cite else None,
        url=cite.url if cite else None,
        since=since,
    )


def resolve_fact(profile: Profile, path: str) -> Fact:
    node: Any = profile
    for part in path.split("."):
        node = getattr(node, part)
    return node
