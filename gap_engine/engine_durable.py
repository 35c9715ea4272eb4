"""The durable_rules engine: the only module that imports durable_rules.

Why the JSON ruleset form rather than the Python DSL: rules are data loaded at run time from
YAML (including users' rule packs), so generating ruleset dicts is direct, needs no global
``with ruleset(...)`` state, and lets us build a fresh definition for every Host (durable_rules
deletes ``run`` from the dict it registers).

How durable_rules 2.0.28 is used, and why:
* One ruleset per catalogue, compiled once and reused for every profile; each profile is a
  session (``sid``) whose state is deleted as soon as its outcomes are read (sessions left
  behind were measured to crash the process at ~10,000 profiles).
* Actions run eagerly as facts arrive, so a negation (``$not``) would fire before the fact that
  blocks it. Every rule therefore also requires a trigger fact (``t: go``) that is asserted in
  a separate call after all evidence: nothing fires before the evidence is complete, and the
  verdict cannot depend on the order of the evidence facts.
* Grading is done by the patterns: one rule per element and grade (covered / partial /
  unknown / gap) plus negation rules for "no candidate". Positive rules use ``cap`` so one
  action call receives every matching fact at once instead of one call per match.
* A never-firing "sink" rule mentions every fact type, because a fact no rule matches raises
  ``MessageNotHandledException``.
* The Host's background dispatch threads are not started: all work is synchronous.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from typing import Any

from .conditions import GRADE_ORDER, CompiledElement, CompiledRules, Dimension, ElementOutcome, outcome_from_grades
from .facts import FactDict
from .findings import Status

_ruleset_numbers = itertools.count(1)
_sids = itertools.count(1)
CAP = 100_000


class DurableUnavailable(RuntimeError):
    pass


def _import_durable() -> Any:
    try:
        from durable import engine as durable_engine
    except Exception as exc:  # ImportError, or the C extension failing on Python 3.13+
        raise DurableUnavailable(f"durable_rules cannot be imported here ({type(exc).__name__}: {exc})") from None
    return durable_engine


def _eq(key: str, value: Any) -> dict[str, Any]:
    return {key: value}


def _and(*parts: dict[str, Any]) -> dict[str, Any]:
    return parts[0] if len(parts) == 1 else {"$and": list(parts)}


def _or(*parts: dict[str, Any]) -> dict[str, Any]:
    return parts[0] if len(parts) == 1 else {"$or": list(parts)}


def _good(d: Dimension) -> dict[str, Any]:
    return {"$gte": {d.key: d.at_least}} if d.at_least is not None else _eq(d.key, d.good)


def _bad(d: Dimension) -> dict[str, Any]:
    if d.at_least is not None:
        return _and({"$ex": {d.key: 1}}, {"$lt": {d.key: d.at_least}})
    return _eq(d.key, "no" if d.good == "yes" else "yes")


def _unknown(d: Dimension) -> dict[str, Any]:
    return {"$nex": {d.key: 1}} if d.at_least is not None else _eq(d.key, "unknown")


def _partial(d: Dimension) -> dict[str, Any] | None:
    return None if d.at_least is not None else _eq(d.key, "partial")


def grade_patterns(element: CompiledElement) -> dict[Status, dict[str, Any]]:
    """One durable_rules pattern per grade; together they partition the candidates."""
    candidate = [_eq(k, v) for k, v in element.candidate]
    dims = element.dimensions
    if not dims:
        return {Status.covered: _and(*candidate)}
    patterns = {
        Status.covered: _and(*candidate, *(_good(d) for d in dims)),
        Status.gap: _and(*candidate, _or(*(_bad(d) for d in dims))),
        Status.unknown: _and(*candidate, *(_or(_good(d), _unknown(d)) for d in dims), _or(*(_unknown(d) for d in dims))),
    }
    partials = [p for p in (_partial(d) for d in dims) if p is not None]
    if partials:
        patterns[Status.partial] = _and(
            *candidate,
            *(_or(*(p for p in (_good(d), _partial(d), _unknown(d)) if p is not None)) for d in dims),
            _or(*partials),
        )
    return patterns


class DurableEngine:
    name = "durable"

    def __init__(self, compiled: CompiledRules) -> None:
        durable_engine = _import_durable()

        class _QuietHost(durable_engine.Host):  # type: ignore[misc, name-defined]
            def _run(self) -> None:  # no background dispatch threads; we drive it synchronously
                pass

        self._elements = list(compiled.elements.values())
        self._host = _QuietHost()
        self._ruleset = f"gap_engine_{next(_ruleset_numbers)}"
        # sid -> element key -> grade -> fact ids; "none" rules record under Status.gap/unknown with no ids.
        self._graded: dict[str, dict[str, dict[Status, list[str]]]] = defaultdict(lambda: defaultdict(dict))
        self._no_candidate: dict[str, dict[str, Status]] = defaultdict(dict)
        self._host.set_rulesets({self._ruleset: self._definition()})

    def _definition(self) -> dict[str, Any]:
        rules: dict[str, Any] = {}
        go = {"g": {"t": "go"}}
        for index, element in enumerate(self._elements):
            for status, pattern in grade_patterns(element).items():
                rules[f"e{index}_{status.value}"] = {
                    "all": [go, {"f": pattern}],
                    "cap": CAP,
                    "run": self._grade_action(element.key, status),
                }
            if element.kind == "reservation":
                continue
            candidate = _and(*(_eq(k, v) for k, v in element.candidate))
            if element.kind == "offence":
                exhaustive = {"$and": [{"t": "meta"}, {"exhaustive": "yes"}]}
                not_exhaustive = {"$and": [{"t": "meta"}, {"$neq": {"exhaustive": "yes"}}]}
                rules[f"e{index}_none_gap"] = {
                    "all": [go, {"x": exhaustive}, {"f$not": candidate}],
                    "run": self._none_action(element.key, Status.gap),
                }
                rules[f"e{index}_none_unknown"] = {
                    "all": [go, {"x": not_exhaustive}, {"f$not": candidate}],
                    "run": self._none_action(element.key, Status.unknown),
                }
            else:
                rules[f"e{index}_none_unknown"] = {"all": [go, {"f$not": candidate}], "run": self._none_action(element.key, Status.unknown)}
        types = [{"t": t} for t in ("go", "meta", "offence", "fact", "reservation")]
        rules["sink"] = {"all": [{"a": {"t": "__never__"}}, {"b": {"$or": types}}], "run": lambda c: None}
        return rules

    def _grade_action(self, key: str, status: Status) -> Any:
        def action(c: Any) -> None:
            matches = c.m if isinstance(c.m, list) else [c.m]
            ids = self._graded[c.s.sid][key].setdefault(status, [])
            ids.extend(match["f"]["id"] for match in matches)

        return action

    def _none_action(self, key: str, status: Status) -> Any:
        def action(c: Any) -> None:
            self._no_candidate[c.s.sid][key] = status

        return action

    def evaluate(self, facts: list[FactDict]) -> dict[str, ElementOutcome]:
        sid = str(next(_sids))
        self.last_sid = sid  # lets tests check that the session's state was deleted
        try:
            # Evidence first, in one call; the trigger alone, after it (see the module docstring).
            self._host.assert_facts(self._ruleset, [{**fact, "sid": sid} for fact in facts])
            self._host.assert_fact(self._ruleset, {"sid": sid, "id": "go", "t": "go"})
            graded = self._graded.pop(sid, {})
            none = self._no_candidate.pop(sid, {})
        finally:
            self._host.delete_state(self._ruleset, sid)
            self._graded.pop(sid, None)
            self._no_candidate.pop(sid, None)
        outcomes: dict[str, ElementOutcome] = {}
        for element in self._elements:
            grades = graded.get(element.key, {})
            if grades:
                outcomes[element.key] = outcome_from_grades(element, grades, exhaustive=False)
            elif element.key in none:
                status = none[element.key]
                outcomes[element.key] = ElementOutcome(status=status, no_candidate=True)
            else:  # reservation elements have no negation rule: absent means not reserved
                outcomes[element.key] = ElementOutcome(status=Status.gap, no_candidate=True)
        assert all(o.status in GRADE_ORDER for o in outcomes.values())
        return outcomes
