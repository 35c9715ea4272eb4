"""The durable_rules engine: the only module that imports durable_rules.

Why the JSON ruleset form rather than the Python DSL: rules are data loaded at run time from
YAML (including users' rule packs), so generating ruleset dicts is direct, needs no global
``with ruleset(...)`` state, and lets us build a fresh definition for every Host (durable_rules
deletes ``run`` from the dict it registers).

How durable_rules 2.0.28 is used, and why:
* One ruleset per catalogue, compiled once and reused for every profile; each profile is a
  session (``sid``) whose state is deleted as soon as its outcomes are read (sessions left
  behind were measured to crash the process at ~10,000 profiles).
* Grading is done by the patterns: one single-fact rule per element and grade (covered /
  partial / unknown / gap). The patterns partition an element's candidates, so the rules that
  fire tell each candidate's grade. ``cap`` makes one action receive every matching fact at once.
* "No candidate" is *not* a durable_rules negation: an element none of whose grade rules fired
  has no candidate; verdict.py decides from the profile whether that is a gap (offences listed
  exhaustively) or unknown. An earlier design used ``$not``
  rules joined to a trigger fact (actions run eagerly, so a negation must wait for all evidence);
  every rule then shared the trigger's alpha node, and durable_rules refuses more than 256 rules
  behind one alpha node (``Could not create ruleset, error code: 108``), which the full
  catalogue exceeded. Single-fact rules also fire independently of the order of the facts.
* A fact no rule matches raises ``MessageNotHandledException``, so only facts some element can
  take as a candidate are sent (every candidate matches exactly one grade rule); identical facts
  in one session raise ``MessageObservedException`` (facts.py gives every fact a unique ``id``).
* The Host registers the ruleset (and is kept for inspection), but evaluation drives the C
  extension directly: assert every fact of a profile in one call, then take the pending actions
  one by one (``start_action_for_state`` / ``complete_and_start_action``) and read the matched
  facts from their JSON: each fact travels with its index in the list sent as its ``id``, written
  first, so the ids are cut out of the text without decoding it. ``tests/test_scale.py`` pins these
  calls' return codes and the action JSON's shape, so a durable_rules release that changes them fails
  there. This skips the Host's per-action Closure, Promise and state write-back,
  which cost ~10 µs per action; the actions record nothing but ids, so nothing is lost.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

from .conditions import CompiledElement, CompiledRules, Dimension, ElementOutcome, outcome_from_grades
from .facts import FactDict
from .findings import Status

_ruleset_numbers = itertools.count(1)
_sids = itertools.count(1)
CAP = 65_535
"""Matches handed to one action at most: durable_rules stores ``cap`` as an unsigned short, and a
profile has at most MAX_FACTS_PER_PROFILE facts, far fewer."""
_META_RULE = "meta_present"
_DEFAULT_META: FactDict = {"t": "meta", "id": "meta"}


class EngineFault(RuntimeError):
    """durable_rules answered with a code other than "ok", "not handled" or "observed" (e.g. 3, event
    deferred). Reading it as "no rule fired" would report every element unknown without a word, so
    the run stops instead; the CLI prints the message and exits 3."""


class DurableUnavailable(RuntimeError):
    pass


def import_durable() -> Any:
    """durable_rules' engine module, or DurableUnavailable: public so the API can fall back to the Python evaluator
    before a run rather than fail in the middle of one (the module is untyped, hence ``Any``)."""
    try:
        from durable import engine as durable_engine
    except Exception as exc:  # ImportError, or the C extension failing on Python 3.13+
        raise DurableUnavailable(f"durable_rules cannot be imported here ({type(exc).__name__}: {exc})") from None
    return durable_engine


def _import_c_extension() -> Any:
    import durable_rules_engine  # the C extension under durable.engine; importable once durable.engine is

    return durable_rules_engine


def _eq(key: str, value: Any) -> dict[str, Any]:
    return {key: value}


def _and(*parts: dict[str, Any]) -> dict[str, Any]:
    return parts[0] if len(parts) == 1 else {"$and": list(parts)}


def _or(*parts: dict[str, Any]) -> dict[str, Any]:
    return parts[0] if len(parts) == 1 else {"$or": list(parts)}


def _good(d: Dimension) -> dict[str, Any]:
    return {"$gte": {d.key: d.at_least}} if d.at_least is not None else _eq(d.key, d.good)


def _bad_value(d: Dimension) -> str:
    return "no" if d.good == "yes" else "yes"


def _bad(d: Dimension) -> dict[str, Any]:
    if d.at_least is not None:
        return _and({"$ex": {d.key: 1}}, {"$lt": {d.key: d.at_least}})
    return _eq(d.key, _bad_value(d))


def _unknown(d: Dimension) -> dict[str, Any]:
    return {"$nex": {d.key: 1}} if d.at_least is not None else _eq(d.key, "unknown")


def _partial(d: Dimension) -> dict[str, Any] | None:
    return None if d.at_least is not None else _eq(d.key, "partial")


def _not_bad(d: Dimension) -> dict[str, Any]:
    """Good, partial or unknown. Answer-valued keys are always present in a fact (facts.py writes
    ``unknown`` out), so ``$neq`` is exact there and spares durable_rules an ``$or``."""
    if d.at_least is not None:
        return _or(_good(d), _unknown(d))
    return {"$neq": {d.key: _bad_value(d)}}


def _good_or_unknown(d: Dimension) -> dict[str, Any]:
    if d.at_least is not None:
        return _or(_good(d), _unknown(d))
    return _and({"$neq": {d.key: _bad_value(d)}}, {"$neq": {d.key: "partial"}})


def grade_patterns(element: CompiledElement) -> dict[Status, dict[str, Any]]:
    """One durable_rules pattern per grade; together they partition the candidates.

    A candidate's grade is its worst dimension (gap < partial < unknown < covered). Every ``$or``
    is expanded by durable_rules into alternative paths, and the time to assert a fact grows
    with them, so each pattern is written with as few as the grade allows.
    """
    candidate = [_eq(k, v) for k, v in element.candidate]
    dims = element.dimensions
    if not dims:
        return {Status.covered: _and(*candidate)}
    patterns = {
        Status.covered: _and(*candidate, *(_good(d) for d in dims)),
        Status.gap: _and(*candidate, _or(*(_bad(d) for d in dims))),
    }
    partials = [p for p in (_partial(d) for d in dims) if p is not None]
    if len(dims) == 1:  # the one dimension's value is the grade
        patterns[Status.unknown] = _and(*candidate, _unknown(dims[0]))
        if partials:
            patterns[Status.partial] = _and(*candidate, partials[0])
        return patterns
    patterns[Status.unknown] = _and(*candidate, *(_good_or_unknown(d) for d in dims), _or(*(_unknown(d) for d in dims)))
    if partials:
        patterns[Status.partial] = _and(*candidate, *(_not_bad(d) for d in dims), _or(*partials))
    return patterns


class DurableEngine:
    name = "durable"

    def __init__(self, compiled: CompiledRules) -> None:
        durable_engine = import_durable()

        # durable_rules ships no types and is imported at run time, so its Host class is unknown to mypy.
        class _QuietHost(durable_engine.Host):  # type: ignore[name-defined]
            def _run(self) -> None:  # no background dispatch threads; we drive it synchronously
                pass

        self._elements = list(compiled.elements.values())
        self._durable = durable_engine
        self._c = _import_c_extension()
        self._host = _QuietHost()
        self._ruleset = f"gap_engine_{next(_ruleset_numbers)}"
        self._rule_grade: dict[str, tuple[str, Status]] = {}  # rule name -> (element key, grade)
        self._host.set_rulesets({self._ruleset: self._definition()})
        self._handle = self._host.get_ruleset(self._ruleset)._handle
        self._by_key = {element.key: element for element in self._elements}
        self._used_keys = frozenset(
            {"t", "id"} | {k for e in self._elements for k, _ in e.candidate} | {d.key for e in self._elements for d in e.dimensions}
        )
        # Facts no element can take as a candidate are not sent: durable_rules would raise
        # MessageNotHandledException for them, and holding them costs time in every session.
        self._wanted: dict[str, dict[str, set[Any]]] = {"meta": {}}
        for element in self._elements:
            (_, kind), *rest = element.candidate
            for key, value in rest:
                self._wanted.setdefault(kind, {}).setdefault(key, set()).add(value)
        # The outcome of an element no grade rule fired for, computed once by the shared code.
        self._no_candidate_outcomes = {element.key: outcome_from_grades(element, {}) for element in self._elements}

    def _definition(self) -> dict[str, Any]:
        rules: dict[str, Any] = {}
        for index, element in enumerate(self._elements):
            for status, pattern in grade_patterns(element).items():
                name = f"e{index}_{status.value}"
                rules[name] = {"all": [{"f": pattern}], "cap": CAP, "run": _unused_action}
                self._rule_grade[name] = (element.key, status)
        # This fires in every session (evaluate() makes sure a meta fact is there): durable_rules
        # 2.0.28 corrupts memory when deleting a session in which no action ever ran.
        rules[_META_RULE] = {"all": [{"x": {"t": "meta"}}], "run": _unused_action}
        return rules

    def evaluate(self, facts: list[FactDict]) -> dict[str, ElementOutcome]:
        sid = str(next(_sids))
        self.last_sid = sid  # lets tests check that the session's state was deleted
        graded: dict[str, dict[Status, list[str]]] = {}
        engine = self._c
        handle = self._handle
        if not any(fact["t"] == "meta" for fact in facts):
            facts = [_DEFAULT_META, *facts]
        used = self._used_keys
        wanted = self._wanted
        # Only the keys some pattern tests travel to durable_rules: the JSON to encode, for the C
        # engine to parse and for every action to hand back is then a fraction of the full fact.
        # The fact's id travels as its index in ``sent_ids``, written first: an action's matches then
        # read ``{"f":{"id": <n>, ...`` and the ids are cut out with str.split, not a regular expression
        # over the whole JSON (which was a fifth of the engine's time).
        sent_ids: list[str] = []
        sent: list[dict[str, Any]] = []
        for fact in facts:
            if fact["t"] == "meta" or any(fact.get(key) in values for key, values in wanted.get(fact["t"], {}).items()):
                item: dict[str, Any] = {"id": len(sent_ids)}
                item.update((key, value) for key, value in fact.items() if key in used and key != "id")
                item["sid"] = sid
                sent.append(item)
                sent_ids.append(fact["id"])
        acted = False
        try:
            code, state = engine.assert_facts(handle, json.dumps(sent, ensure_ascii=False))
            if code == 1:
                raise self._durable.MessageNotHandledException(facts)
            if code == 2:
                raise self._durable.MessageObservedException(facts)
            if code != 0:
                raise EngineFault(
                    f"durable_rules returned code {code} for the facts of one profile; its findings would be incomplete "
                    "(run again with --engine python, the reference evaluator)"
                )
            pending = engine.start_action_for_state(handle, state)
            message = pending[1] if pending else None
            while message:
                acted = True
                # One rule's matches per action: {"<rule>":[{"f":{"id": <n>, ...}}, ...]}; the rule
                # name and the fact ids are all we need.
                grade = self._rule_grade.get(message[2 : message.index('"', 2)])
                if grade is not None:
                    key, status = grade
                    ids = graded.setdefault(key, {}).setdefault(status, [])
                    ids.extend(sent_ids[int(part[: part.index(",")])] for part in message.split(_MATCH)[1:])
                message = engine.complete_and_start_action(handle, state)
        finally:
            if acted:  # see _definition: deleting a session in which no action ran crashes the process
                engine.delete_state(handle, sid)
        outcomes = dict(self._no_candidate_outcomes)
        for key, grades in graded.items():
            outcomes[key] = outcome_from_grades(self._by_key[key], grades)
        return outcomes


_MATCH = '{"f":{"id": '
"""How each matched fact opens in an action's JSON (durable_rules keeps the keys in the order sent;
``tests/test_scale.py`` checks that shape, so a durable_rules release that changes it fails there)."""


def _unused_action(c: Any) -> None:
    """Registered because durable_rules requires an action; evaluate() reads the matches itself."""
