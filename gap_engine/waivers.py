"""Waivers: a finding a named authority has accepted, for a stated reason, until a stated date.

A waiver file (``check --waivers FILE``) lists, per jurisdiction and rule, why a finding is
accepted, by whom, since when and until when. Waivers are applied after the findings are decided
and never change a status: a waived finding is still a gap, shown in every output as waived with
its justification, so that a reader sees both what the law lacks and who accepted it. The only
effect is on ``--fail-on``, which ignores findings under an *active* waiver — one whose dates
include the evaluation date (the date the law is evaluated on, never the clock, so that outputs
stay deterministic). An expired waiver stays visible on its finding and no longer applies.

The file is validated like a profile: every error at once, with file, line and field.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated

from pydantic import Field, ValidationError

from .errors import InputError, InputErrors
from .findings import CheckResults, Finding, FindingWaiver, ProfileResult
from .rules import RULE_ID_PATTERN, RuleCatalogue
from .strict import Strict
from .yamlio import LoadedYaml, load_yaml, parse_yaml, validation_errors


class Waiver(Strict):
    """One accepted finding: a jurisdiction's finding on one rule."""

    jurisdiction: Annotated[str, Field(pattern=r"^[A-Z]{2}$", description="The jurisdiction code, as in the profile (e.g. NL).")]
    rule: Annotated[str, Field(pattern=RULE_ID_PATTERN, description="The rule ID, e.g. GAI-011.")]
    justification: Annotated[str, Field(min_length=1, description="Why the finding is accepted; shown on the finding in every output.")]
    accepted_by: Annotated[str, Field(min_length=1, description="Who accepted it (an authority, a department).")]
    accepted_on: date = Field(description="The first day the waiver applies.")
    expires: date = Field(description="The last day the waiver applies; after it the finding counts again for --fail-on.")


class WaiverFile(Strict):
    waivers: list[Waiver]


@dataclass(frozen=True)
class PlacedWaiver:
    """A waiver with the place it was written, for messages."""

    waiver: Waiver
    source: str
    line: int | None

    @property
    def where(self) -> str:
        return f"{self.source}:{self.line}" if self.line else self.source


@dataclass(frozen=True)
class Waivers:
    """The waivers of one file, keyed by (jurisdiction, rule)."""

    source: str
    items: tuple[PlacedWaiver, ...]
    notices: tuple[str, ...] = ()  # waivers for rules loaded but not run this time (--select/--skip, replaces)

    def get(self, jurisdiction: str, rule_id: str) -> PlacedWaiver | None:
        return next((p for p in self.items if p.waiver.jurisdiction == jurisdiction and p.waiver.rule == rule_id), None)


def load_waivers(path: str | Path, catalogue: RuleCatalogue) -> Waivers:
    """Read and validate a waiver file against the rules that run; raise InputErrors naming file, line and field."""
    return _validate(load_yaml(Path(path)), catalogue)


def parse_waivers(text: str, catalogue: RuleCatalogue, source: str = "<waivers>") -> Waivers:
    return _validate(parse_yaml(text, source), catalogue)


def _validate(loaded: LoadedYaml, catalogue: RuleCatalogue) -> Waivers:
    if not isinstance(loaded.data, dict):
        kind = type(loaded.data).__name__ if loaded.data is not None else "nothing"
        raise InputErrors.single(
            loaded.source, f"a waiver file must be a mapping with 'waivers:', found {kind}", line=1, column=1, hint="start with 'waivers:'"
        )
    try:
        parsed = WaiverFile.model_validate(loaded.data)
    except ValidationError as exc:
        raise InputErrors(validation_errors(exc, loaded, WaiverFile)) from None
    errors: list[InputError] = []
    placed: list[PlacedWaiver] = []
    notices: list[str] = []
    first: dict[tuple[str, str], PlacedWaiver] = {}
    for index, waiver in enumerate(parsed.waivers):
        here = PlacedWaiver(waiver, loaded.source, _line(loaded, (index,)))

        def error(field: str, message: str, hint: str, index: int = index) -> InputError:
            line, column = loaded.locate(("waivers", index, field)) or (None, None)
            return InputError(loaded.source, line, column, f"waivers[{index}].{field}", message, hint)

        why = catalogue.why_not_run(waiver.rule)
        if why is not None and (waiver.rule in catalogue.left_out or waiver.rule in catalogue.replaced):
            # Loaded but not run this time: one waiver file serves runs with other selections or packs.
            notices.append(f"warning: {here.where}: waiver for {waiver.jurisdiction} {waiver.rule}: {why[0]}; it applies to nothing")
        elif why is not None:
            errors.append(error("rule", *why))
        if waiver.expires < waiver.accepted_on:
            errors.append(
                error(
                    "expires",
                    f"expires ({waiver.expires}) is before accepted_on ({waiver.accepted_on})",
                    "a waiver applies from accepted_on to expires, both included",
                )
            )
        key = (waiver.jurisdiction, waiver.rule)
        if key in first:
            errors.append(
                error(
                    "rule",
                    f"a second waiver for {waiver.jurisdiction} {waiver.rule} (the first is at line {first[key].line})",
                    "keep one waiver per jurisdiction and rule",
                )
            )
        first.setdefault(key, here)
        placed.append(here)
    if errors:
        raise InputErrors(errors)
    return Waivers(loaded.source, tuple(placed), tuple(notices))


def _line(loaded: LoadedYaml, path: tuple[int, ...]) -> int | None:
    position = loaded.locate(("waivers", *path))
    return position[0] if position else None


def waiver_state(waiver: Waiver, on: date) -> str:
    """active, expired or not_yet_accepted on the evaluation date ``on`` (both ends included)."""
    if on > waiver.expires:
        return "expired"
    if on < waiver.accepted_on:
        return "not_yet_accepted"
    return "active"


def apply_waivers(results: CheckResults, waivers: Waivers) -> tuple[CheckResults, list[str]]:
    """Attach each waiver to its finding (statuses unchanged) and say what the user should know.

    Returns the results and the notices for stderr: a waiver that has expired (or is not yet
    accepted) on the evaluation date, and, as warnings rather than errors since one waiver file may
    serve several runs, one whose jurisdiction is not among the profiles checked or whose rule does
    not run this time (--select/--skip, or a pack rule replaces it).
    """
    notices = list(waivers.notices)
    profiles = [apply_to_profile(profile, waivers, notices) for profile in results.profiles]
    notices += unmatched_notices(waivers, {profile.jurisdiction for profile in results.profiles})
    return results.model_copy(update={"profiles": profiles}), notices


def unmatched_notices(waivers: Waivers, checked: set[str]) -> list[str]:
    """Warnings for the waivers of jurisdictions no checked profile has (a streamed check calls this at its end)."""
    return [
        f"warning: {placed.where}: waiver for {placed.waiver.jurisdiction} {placed.waiver.rule}: "
        f"no profile of {placed.waiver.jurisdiction} was checked; it applies to nothing"
        for placed in waivers.items
        if placed.waiver.jurisdiction not in checked
    ]


def apply_to_profile(profile: ProfileResult, waivers: Waivers, notices: list[str]) -> ProfileResult:
    """One profile's findings with their waivers attached; notices for inactive waivers are appended to ``notices``."""
    findings: list[Finding] = []
    for finding in profile.findings:
        placed = waivers.get(profile.jurisdiction, finding.rule_id)
        if placed is None:
            findings.append(finding)
            continue
        attached = attach(placed, profile.evaluated_on)
        if not attached.active:
            notices.append(
                f"notice: {placed.where}: {profile.jurisdiction} {finding.rule_id} ({profile.source}, evaluated on "
                f"{profile.evaluated_on}): {attached.headline()}"
            )
        findings.append(finding.model_copy(update={"waiver": attached}))
    return profile.model_copy(update={"findings": findings})


def attach(placed: PlacedWaiver, on: date) -> FindingWaiver:
    """The waiver as a finding carries it, judged on the evaluation date ``on``."""
    waiver = placed.waiver
    state = waiver_state(waiver, on)
    return FindingWaiver(
        justification=waiver.justification.strip(),
        accepted_by=waiver.accepted_by.strip(),
        accepted_on=waiver.accepted_on,
        expires=waiver.expires,
        active=state == "active",
        state=state,
        source=placed.where,
    )
