"""The diff model: what changed between two checks, the single source for every diff reporter.

Kept apart from ``diff.py`` (which computes it) so that reporters and the JSON Schema depend on
the shape only, as the check reporters depend on ``findings.py``.
"""

from __future__ import annotations

from datetime import date
from enum import Enum

from pydantic import BaseModel, ConfigDict, Field

from .findings import Status


class Direction(str, Enum):
    """How a finding (or an element) moved between OLD and NEW; see ``diff.direction`` for the ordering."""

    regressed = "regressed"
    rule_changed = "rule_changed"  # the rule (or a rule it reads) changed: not a like-for-like comparison
    improved = "improved"
    changed = "changed"
    rule_added = "rule_added"  # the rule ran on NEW only
    rule_removed = "rule_removed"  # the rule ran on OLD only
    unchanged = "unchanged"


DIRECTION_ORDER = list(Direction)
"""The order reports list changes in: what needs attention first."""

DIRECTION_TEXT: dict[Direction, str] = {
    Direction.regressed: "regressed",
    Direction.rule_changed: "rule changed",
    Direction.improved: "improved",
    Direction.changed: "changed",
    Direction.rule_added: "rule added",
    Direction.rule_removed: "rule removed",
    Direction.unchanged: "unchanged",
}


class EvidenceChangeKind(str, Enum):
    """What happened to one provision, measure, reservation or rule cited as evidence."""

    entered_into_force = "entered_into_force"  # not in force on OLD's date, in force on NEW's
    no_longer_in_force = "no_longer_in_force"  # in force on OLD's date, not on NEW's
    widened = "widened"  # its answer now meets more of what the element needs (e.g. a material 'no' -> 'yes')
    narrowed = "narrowed"  # its answer now meets less of it
    answer_changed = "answer_changed"  # to or from unknown, or answers that cannot be ranked
    added = "added"  # cited on NEW only: a fact now stated, a provision newly listed or now deciding the element
    removed = "removed"  # cited on OLD only
    details_changed = "details_changed"  # same answer; citation, address, dates or note changed


class EvidenceChange(BaseModel):
    """One piece of evidence that changed, with both sides' answers and the words reports show."""

    model_config = ConfigDict(frozen=True)

    kind: str  # offence | fact | reservation | rule (Evidence.kind)
    ref: str
    change: EvidenceChangeKind
    answer_before: str | None = None
    answer_after: str | None = None
    citation: str | None = None  # NEW's citation (OLD's when removed)
    url: str | None = None
    in_force: date | None = None
    in_force_until: date | None = None
    note_before: str | None = None
    note_after: str | None = None
    fields: list[str] = Field(default_factory=list)  # details_changed: which fields differ
    summary: str  # plain words, e.g. "regulation.platforms.removal_deadline entered into force on 2024-07-01: no -> partial"


class ElementChange(BaseModel):
    """An element of a rule's condition whose status or evidence changed (or that only one side has)."""

    model_config = ConfigDict(frozen=True)

    element: str
    status_before: Status | None = None  # None: the element is on NEW only (the rule's condition changed)
    status_after: Status | None = None  # None: on OLD only
    direction: Direction
    evidence: list[EvidenceChange] = Field(default_factory=list)


class FindingChange(BaseModel):
    """One rule's finding for one jurisdiction on both sides. Unchanged findings are kept (direction ``unchanged``)."""

    model_config = ConfigDict(frozen=True)

    rule_id: str
    title: str  # NEW's title (OLD's when the rule was removed)
    theme: str
    severity: str
    direction: Direction
    status_before: Status | None = None
    status_after: Status | None = None
    label_before: str | None = None
    label_after: str | None = None
    pack_before: str | None = None  # "builtin 2.0.0"
    pack_after: str | None = None
    rule_change: str | None = None  # why the direction is rule_changed
    elements: list[ElementChange] = Field(default_factory=list)
    evidence: list[EvidenceChange] = Field(default_factory=list)  # evidence of the finding outside its elements (reservations)
    notes_added: list[str] = Field(default_factory=list)
    notes_removed: list[str] = Field(default_factory=list)


class JurisdictionDiff(BaseModel):
    """A jurisdiction found on both sides (matched by code), with every rule's finding compared."""

    model_config = ConfigDict(frozen=True)

    jurisdiction: str
    jurisdiction_name: str
    as_of_before: date
    as_of_after: date
    evaluated_on_before: date
    evaluated_on_after: date
    source_before: str
    source_after: str
    counts: dict[str, int]  # direction -> number of findings, every direction present
    findings: list[FindingChange]  # by rule ID


class JurisdictionOnly(BaseModel):
    """A jurisdiction found on one side only."""

    model_config = ConfigDict(frozen=True)

    jurisdiction: str
    jurisdiction_name: str
    as_of: date
    evaluated_on: date
    source: str
    counts: dict[str, int]  # status -> number of findings, every status present


class PackChange(BaseModel):
    """A rule pack whose version differs, or that ran on one side only."""

    model_config = ConfigDict(frozen=True)

    id: str
    version_before: str | None = None
    version_after: str | None = None


class RuleChange(BaseModel):
    """A rule added, removed or changed between the sides, as the findings carry it."""

    model_config = ConfigDict(frozen=True)

    rule_id: str
    change: str  # added | removed | changed
    title_before: str | None = None
    title_after: str | None = None
    pack_before: str | None = None
    pack_after: str | None = None
    severity_before: str | None = None
    severity_after: str | None = None
    condition_before: list[str] = Field(default_factory=list)  # the elements' descriptions, in order
    condition_after: list[str] = Field(default_factory=list)
    reasons: list[str] = Field(default_factory=list)  # plain words, one per aspect that changed


class Side(BaseModel):
    """Where one side's results came from: a profile checked now, or a results JSON file."""

    model_config = ConfigDict(frozen=True)

    source: str
    kind: str  # profile | results
    tool_version: str
    rules_version: str
    rules_hash: str
    engine: str
    packs: list[str]  # "id version", in load order


class Diff(BaseModel):
    """Everything ``gap-engine diff`` reports, in a stable order (jurisdiction code, then rule ID)."""

    model_config = ConfigDict(frozen=True)

    old: Side
    new: Side
    counts: dict[str, int]  # direction -> number of findings over every jurisdiction on both sides
    packs: list[PackChange] = Field(default_factory=list)
    rules: list[RuleChange] = Field(default_factory=list)
    rules_note: str | None = None  # e.g. the rule files changed without a new pack version
    jurisdictions: list[JurisdictionDiff] = Field(default_factory=list)
    jurisdictions_added: list[JurisdictionOnly] = Field(default_factory=list)
    jurisdictions_removed: list[JurisdictionOnly] = Field(default_factory=list)

    def changed_findings(self) -> list[tuple[JurisdictionDiff, FindingChange]]:
        """Every finding that is not unchanged, jurisdiction by jurisdiction, in report order."""
        return [(j, f) for j in self.jurisdictions for f in sorted_for_report(j.findings) if f.direction is not Direction.unchanged]

    def has(self, direction: Direction) -> bool:
        return self.counts.get(direction.value, 0) > 0

    def any_change(self) -> bool:
        """Whether anything differs: a finding, a jurisdiction, a rule or a pack."""
        moved = any(n for d, n in self.counts.items() if d != Direction.unchanged.value)
        return bool(moved or self.packs or self.rules or self.rules_note or self.jurisdictions_added or self.jurisdictions_removed)


def sorted_for_report(findings: list[FindingChange]) -> list[FindingChange]:
    """Regressions first, then rule changes, improvements, other changes; by rule ID within each."""
    return sorted(findings, key=lambda f: (DIRECTION_ORDER.index(f.direction), f.rule_id))
