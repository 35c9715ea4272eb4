"""The library API the CLI (and anyone else) calls: load profiles and rules, check, get results."""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Protocol

from . import __version__
from .conditions import ElementOutcome
from .extensions import ExtensionValue, extension_values
from .facts import FactDict, evaluation_date, profile_facts
from .findings import CheckResults, PackInfo, ProfileResult, ThemeInfo
from .loading import load_profile
from .packs import Pack
from .profile import Profile
from .rules import RuleCatalogue, load_rules
from .verdict import decide_all

__all__ = ["check", "check_profiles", "load_profile", "load_rules", "make_engine", "refuse_duplicates", "validate_profile"]

ENGINES = ("durable", "python")


class Engine(Protocol):
    name: str

    def evaluate(self, facts: list[FactDict]) -> dict[str, ElementOutcome]: ...


def make_engine(catalogue: RuleCatalogue, name: str = "durable", *, notice: bool = True) -> Engine:
    """Build an engine for a catalogue; fall back to the Python evaluator where durable_rules cannot load."""
    compiled = catalogue.compiled
    if name == "durable":
        from .engine_durable import DurableEngine, DurableUnavailable

        try:
            return DurableEngine(compiled)
        except DurableUnavailable as exc:
            if notice:
                print(f"notice: {exc}; using the built-in Python evaluator (--engine python)", file=sys.stderr)
    elif name != "python":
        raise ValueError(f"unknown engine {name!r}; choose one of {', '.join(ENGINES)}")
    from .engine_python import PythonEngine

    return PythonEngine(compiled)


def evaluate_profile(
    profile: Profile,
    catalogue: RuleCatalogue,
    engine: Engine,
    source: str = "<profile>",
    on: date | None = None,
    extensions: Mapping[str, ExtensionValue] | None = None,
) -> ProfileResult:
    """One profile's findings on ``on`` (default: the profile's ``as_of``; a later date is refused).

    ``extensions``: the profile's pack facts already checked against the catalogue's packs; checked here when not given."""
    if extensions is None:
        extensions = extension_values(profile, catalogue.packs, source=source)
    facts = profile_facts(profile, source, on, extensions)
    outcomes = engine.evaluate(facts.facts)
    findings = decide_all(catalogue.compiled.decision_order, facts, outcomes)
    findings.sort(key=lambda f: f.rule_id)
    return ProfileResult(
        jurisdiction=profile.jurisdiction.code,
        jurisdiction_name=profile.jurisdiction.name,
        as_of=profile.as_of,
        evaluated_on=facts.on,
        source=source,
        findings=findings,
    )


def check_profiles(
    profiles: Sequence[tuple[str, Profile]], catalogue: RuleCatalogue, engine: Engine | None = None, on: date | None = None
) -> CheckResults:
    """Check already-loaded profiles, given as (source, profile) pairs, on ``on`` (default: each profile's as_of).

    Each profile's facts of the catalogue's packs are checked first (without line numbers: the
    profiles are already loaded; ``check`` loads them with the packs to locate errors)."""
    from .errors import InputError, InputErrors

    engine = engine or make_engine(catalogue)
    errors: list[InputError] = []
    typed: list[dict[str, ExtensionValue]] = []
    for source, profile in profiles:  # every profile a later date or a bad pack fact does not suit, before any work
        try:
            evaluation_date(profile, source, on)
            typed.append(extension_values(profile, catalogue.packs, source=source))
        except InputErrors as exc:
            errors.extend(exc.errors)
    if errors:
        raise InputErrors(errors)
    results = [
        evaluate_profile(profile, catalogue, engine, source, on, extensions)
        for (source, profile), extensions in zip(profiles, typed, strict=True)
    ]
    results.sort(key=lambda r: (r.jurisdiction, r.as_of, r.source))
    return CheckResults(
        tool_version=__version__,
        rules_version=f"{__version__}+{catalogue.content_hash}",
        rules_hash=catalogue.content_hash,
        engine=engine.name,
        profiles=results,
        packs=[pack_info(pack) for pack in catalogue.packs],
    )


def pack_info(pack: Pack) -> PackInfo:
    return PackInfo(
        id=pack.id,
        title=pack.title,
        version=pack.version,
        source=pack.source_title,
        url=pack.source_url,
        licence=pack.licence,
        themes=[ThemeInfo(id=t.id, title=t.title, section=t.section) for t in pack.themes],
        questions=dict(pack.questions),
    )


def validate_profile(path: str | Path, packs: Sequence[Pack] = ()) -> Profile:
    """Load one profile as ``check`` would and build its facts, so every refusal ``check`` makes of
    a profile alone (the model, the packs' facts, the fact limit) ``validate`` makes too."""
    profile = load_profile(path, packs)
    profile_facts(profile, str(path), None, extension_values(profile, packs, source=str(path)))
    return profile


def refuse_duplicates(loaded: Sequence[tuple[str, Profile]]) -> None:
    """Refuse the same file given twice, or two files for one jurisdiction (code and territory) on one as_of date.

    Either would be counted twice in a report's Summary without a word. Two as_of dates for one
    jurisdiction are a time series and pass."""
    from .errors import InputError, InputErrors

    errors: list[InputError] = []
    paths: dict[Path, str] = {}
    keys: dict[tuple[str, str | None, date], str] = {}
    for source, profile in loaded:
        resolved = Path(source).resolve()
        if resolved in paths:
            errors.append(InputError(source=source, message=f"is given twice (also as {paths[resolved]})", hint="name each profile once"))
            continue
        paths[resolved] = source
        where = profile.jurisdiction
        key = (where.code, where.territory, profile.as_of)
        if key in keys:
            errors.append(
                InputError(
                    source=source,
                    field="as_of",
                    message=f"{keys[key]} already describes {where.code}{f' ({where.territory})' if where.territory else ''} "
                    f"as of {profile.as_of}; the report would count the jurisdiction twice",
                    hint=f"check one profile, not both; for a time series give each its own as_of (see {keys[key]})",
                )
            )
        else:
            keys[key] = source
    if errors:
        raise InputErrors(errors)


def check(
    paths: Sequence[str | Path],
    rule_dirs: Sequence[str | Path] = (),
    engine: str = "durable",
    on: date | None = None,
    *,
    catalogue: RuleCatalogue | None = None,
) -> CheckResults:
    """Load profiles (and, unless a catalogue is given, the built-in rules and the ``rule_dirs`` packs)
    and check them on ``on`` (default: each profile's as_of); raises InputErrors on bad input,
    including a profile given twice (``refuse_duplicates``)."""
    from .errors import InputErrors

    catalogue = catalogue or load_rules([Path(d) for d in rule_dirs])
    loaded: list[tuple[str, Profile]] = []
    errors = []
    for path in paths:
        try:
            loaded.append((str(path), load_profile(path, catalogue.packs)))
        except InputErrors as exc:
            errors.extend(exc.errors)
    try:
        refuse_duplicates(loaded)
    except InputErrors as exc:
        errors.extend(exc.errors)
    if errors:
        raise InputErrors(errors)
    return check_profiles(loaded, catalogue, make_engine(catalogue, engine), on)
