"""The results model: one finding per (profile, rule), the single source for every reporter."""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from .i18n import N_, _, format_date

SCHEMA_VERSION = 4
"""The version of the results this model describes, written as ``schema_version`` in JSON and JSON Lines
results and checked when results are read back (``results_file.py``). It lives with the model it versions,
so reading results does not depend on a reporter. Bump it when the model changes shape.

2: evaluated_on per profile, notes per finding, in_force_until and note per evidence item.
3: packs (id, version, source, themes, questions); pack_version, replaces and label per finding;
   evidence of kind "rule" (derived rules).
4: waiver per finding (null, or justification, accepted_by, accepted_on, expires, active, state, source)."""


class Status(str, Enum):
    gap = "gap"
    partial = "partial"
    unknown = "unknown"
    covered = "covered"
    reserved = "reserved"  # a gap or partial coverage explained by a reservation in force
    not_applicable = "not_applicable"


# How statuses and severities read in the current language. They belong with the values they name, so
# every writer (reporters, the questionnaire's checklist, the diff) shows the same words.
STATUS_NAMES = {
    "gap": N_("gap"),
    "partial": N_("partial"),
    "unknown": N_("unknown"),
    "covered": N_("covered"),
    "reserved": N_("reserved"),
    "not_applicable": N_("not_applicable"),
}
SEVERITY_NAMES = {"obligation": N_("obligation"), "recommendation": N_("recommendation"), "good_practice": N_("good practice")}


def status_name(status: str | Status) -> str:
    """A status as people read it in the current language; JSON and filters keep ``Status.value``."""
    value = status.value if isinstance(status, Status) else status
    return _(STATUS_NAMES[value]) if value in STATUS_NAMES else value


def severity_name(severity: str) -> str:
    """A severity in the current language (``obligation``, ``recommandation``...)."""
    return _(SEVERITY_NAMES[severity]) if severity in SEVERITY_NAMES else severity


class Evidence(BaseModel):
    """A provision, measure or reservation that decided an element, with its citation."""

    model_config = ConfigDict(frozen=True)

    kind: str  # offence | fact | reservation | rule
    ref: str  # offence id, fact path, reservation key, or "rule ID" (a rule whose finding another rule reads)
    answer: str  # the element's verdict from this piece of evidence
    citation: str | None = None
    url: str | None = None
    in_force: date | None = None
    in_force_until: date | None = None
    note: str | None = None  # e.g. why a provision does not apply on the evaluation date


class ElementResult(BaseModel):
    """The verdict on one element of a rule's condition."""

    model_config = ConfigDict(frozen=True)

    element: str  # plain-words description of what was required
    status: Status
    evidence: list[Evidence] = Field(default_factory=list)
    missing: str | None = None  # what is missing, when not covered


class FindingWaiver(BaseModel):
    """A waiver (``--waivers``) attached to a finding: the finding keeps its status, and every output
    shows the waiver with its justification. Only an ``active`` waiver takes the finding out of ``--fail-on``."""

    model_config = ConfigDict(frozen=True)

    justification: str
    accepted_by: str
    accepted_on: date
    expires: date  # the last day the waiver applies
    active: bool  # the evaluation date lies between accepted_on and expires, both included
    state: Literal["active", "expired", "not_yet_accepted"]  # why it is (in)active: the evaluation date against the two dates
    source: str  # where the waiver is written: file:line

    def headline(self) -> str:
        """Whether the waiver applies, in a few words: ``waived until 2025-06-30``, ``waiver expired on 2025-06-30``."""
        if self.state == "expired":
            return _("waiver expired on {date} (no longer applies)").format(date=format_date(self.expires))
        if self.state == "not_yet_accepted":
            return _("waiver accepted only from {date} (does not apply yet)").format(date=format_date(self.accepted_on))
        return _("waived until {date}").format(date=format_date(self.expires))

    def describe(self) -> str:
        """One line for a report: whether the waiver applies, who accepted it and why."""
        return _("{headline} — accepted by {who} on {date}: {why}").format(
            headline=self.headline(), who=self.accepted_by, date=format_date(self.accepted_on), why=self.justification
        )


class Finding(BaseModel):
    model_config = ConfigDict(frozen=True)

    jurisdiction: str
    jurisdiction_name: str
    rule_id: str
    title: str
    theme: str
    severity: str
    status: Status
    label: str | None = None  # the rule's own word for this status (its ``labels``), if it declares one
    articles: list[str]
    paper_section: str
    questions: list[str]
    finding: str
    recommendation: str
    evidence: list[Evidence] = Field(default_factory=list)
    missing: list[str] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)  # what reservations explain and what they do not
    elements: list[ElementResult] = Field(default_factory=list)
    pack: str = "builtin"
    pack_version: str = ""
    replaces: list[str] = Field(default_factory=list)  # rules this pack rule runs instead of
    waiver: FindingWaiver | None = None  # set after the findings are decided (waivers.py); never changes the status

    @property
    def waived(self) -> bool:
        """Whether an active waiver covers this finding (``--fail-on`` then ignores it)."""
        return self.waiver is not None and self.waiver.active


class ProfileResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    jurisdiction: str
    jurisdiction_name: str
    as_of: date  # the date whose law the profile describes
    evaluated_on: date  # the date the law was evaluated on: as_of, or an earlier --as-of
    source: str
    findings: list[Finding]


class ThemeInfo(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    title: str
    section: str


class PackInfo(BaseModel):
    """A rule pack that produced findings, carried in the results so that every reporter can name
    it, order its themes and quote its questions without loading the rules again."""

    model_config = ConfigDict(frozen=True)

    id: str
    title: str
    version: str
    source: str
    url: str | None = None
    licence: str
    themes: list[ThemeInfo]
    questions: dict[str, str] = Field(default_factory=dict)  # question or point ID -> text

    @property
    def label(self) -> str:
        return f"{self.id} {self.version}"


class CheckResults(BaseModel):
    """Everything one ``check`` run produced, in a stable order (jurisdiction, then rule ID)."""

    model_config = ConfigDict(frozen=True)

    tool_version: str
    rules_version: str
    rules_hash: str
    engine: str
    profiles: list[ProfileResult]
    packs: list[PackInfo] = Field(default_factory=list)  # in load order, built-in first

    def themes(self) -> list[ThemeInfo]:
        """Every theme of every pack, in pack order then the pack's own order."""
        return [theme for pack in self.packs for theme in pack.themes]

    def question_text(self, ref: str) -> str:
        return next((pack.questions[ref] for pack in self.packs if ref in pack.questions), "")

    def packs_label(self) -> str:
        return ", ".join(pack.label for pack in self.packs)

    def all_findings(self) -> list[Finding]:
        return [finding for profile in self.profiles for finding in profile.findings]


_M = TypeVar("_M", bound=BaseModel)
_UNSET = object()
_TRUSTED_SHAPES: dict[type[BaseModel], tuple[dict[str, Any], tuple[tuple[str, Any], ...]]] = {}


def trusted(cls: type[_M], **values: Any) -> _M:
    """Build a results model from values already of the right types, without validating them.

    Why: the verdict builds ~300 models per profile (findings, element results, evidence) from
    rules and facts that were validated on loading; validating them again was a quarter of the
    check's time (``model_construct`` is slower still: it re-derives every default on each call).
    Only the verdict uses this, only for values it built itself; ``tests/test_scale.py`` checks that
    a trusted model equals, hashes and serialises like a validated one, so a pydantic release that
    changes the private attributes set here fails there first."""
    shape = _TRUSTED_SHAPES.get(cls)
    if shape is None:
        fields = cls.model_fields
        template = {name: _UNSET if info.default_factory is not None else info.default for name, info in fields.items()}
        factories = tuple((name, info.default_factory) for name, info in fields.items() if info.default_factory is not None)
        shape = _TRUSTED_SHAPES[cls] = (template, factories)
    template, factories = shape
    data = dict(template)  # the fields in declaration order, as validation would leave them
    data.update(values)
    if len(data) != len(template):
        raise TypeError(f"{cls.__name__} has no field {sorted(set(data) - set(template))}")
    for name, factory in factories:
        if data[name] is _UNSET:
            # pydantic also allows factories that take the validated data; the results models use none of them.
            data[name] = factory()  # type: ignore[call-arg]
    model = cls.__new__(cls)
    object.__setattr__(model, "__dict__", data)
    object.__setattr__(model, "__pydantic_fields_set__", set(values))
    object.__setattr__(model, "__pydantic_extra__", None)
    object.__setattr__(model, "__pydantic_private__", None)
    return model
