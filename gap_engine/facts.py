"""Profile -> flat facts for the engines: the one place that knows both shapes.

Every fact is a flat dict of strings (plus ``age`` as an int) so that a durable_rules pattern
can test it with plain equality. Every scope element of an offence is written out, ``unknown``
when the profile does not state it, so "not stated" is matched explicitly instead of by the
absence of a key. Facts carry a unique ``id``: durable_rules refuses an identical fact twice.
"""

from __future__ import annotations

from typing import Any

from .errors import InputErrors
from .profile import OFFENCE_ANSWER_FIELDS, Answer, Conduct, Extraterritorial, Fact, Material, Offence, Profile, fact_paths

MAX_FACTS_PER_PROFILE = 2_000
"""durable_rules 2.0.28 was measured to stop firing negation rules past ~16,000 facts in one
session; profiles stay far below that, and a larger one is refused with a clear error."""

FactDict = dict[str, Any]


def conduct_key(conduct: Conduct) -> str:
    return f"c_{conduct.value}"


def material_key(material: Material) -> str:
    return f"m_{material.value}"


def scope_key(field: str) -> str:
    return "w_" + field.replace(".", "__")


def offence_fact(offence: Offence, default_reach: Extraterritorial) -> FactDict:
    fact: FactDict = {"t": "offence", "id": f"offence:{offence.id}", "ref": offence.id}
    for conduct in offence.conduct:
        fact[conduct_key(conduct)] = "yes"
    for material in Material:
        fact[material_key(material)] = offence.material.get(material, Answer.unknown).value
    reach = offence.extraterritorial or default_reach
    for field in OFFENCE_ANSWER_FIELDS:
        group, _, name = field.partition(".")
        if group == "setting":
            value = getattr(offence.setting, name)
        elif group == "extraterritorial":
            value = getattr(reach, name)
        else:
            value = getattr(offence, field)
        fact[scope_key(field)] = value.value
    if offence.age_threshold is not None:
        fact["age"] = offence.age_threshold
    return fact


def profile_facts(profile: Profile, source: str = "<profile>") -> list[FactDict]:
    """The evidence facts of one profile (the trigger fact is the engine's business)."""
    law = profile.criminal_law
    # The meta fact gives the durable engine one rule that fires in every session (see engine_durable.py).
    facts: list[FactDict] = [{"t": "meta", "id": "meta"}]
    facts += [offence_fact(offence, law.extraterritorial) for offence in law.offences]
    for path in fact_paths():
        fact = resolve_fact(profile, path)
        if fact.answer is not Answer.unknown:
            facts.append({"t": "fact", "id": f"fact:{path}", "path": path, "answer": fact.answer.value})
    # A reservation listed twice (e.g. once withdrawn, once re-made) is one fact: durable_rules
    # raises MessageObservedException on a second fact with the same id in a session.
    in_force = {r.key for r in profile.reservations_in_force()}
    facts += [{"t": "reservation", "id": f"reservation:{key}", "key": key} for key in sorted(in_force)]
    if len(facts) > MAX_FACTS_PER_PROFILE:
        raise InputErrors.single(
            source,
            f"profile yields {len(facts):,} facts, over the limit of {MAX_FACTS_PER_PROFILE:,}",
            field="criminal_law.offences",
            hint="split the profile or list only the provisions relevant to child sexual exploitation and abuse",
        )
    return facts


def resolve_fact(profile: Profile, path: str) -> Fact:
    node: Any = profile
    for part in path.split("."):
        node = getattr(node, part)
    return node
