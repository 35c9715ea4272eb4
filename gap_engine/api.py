"""The library API the CLI (and anyone else) calls: load profiles and rules, check, get results."""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Protocol

from . import __version__, texts
from .conditions import ElementOutcome
from .extensions import ExtensionValue, extension_values
from .facts import FactDict, evaluation_date, profile_facts
from .findings import CheckResults, PackInfo, ProfileResult
from .i18n import language
from .loading import load_profile
from .packs import Pack
from .profile import Profile
from .rules import RuleCatalogue, load_rules
from .texts import Fallbacks, localise_findings, report_fallbacks
from .verdict import decide_all

__all__ = ["check", "check_profiles", "load_profile", "load_rules", "make_engine"]

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
    profiles: Sequence[tuple[str, Profile]],
    catalogue: RuleCatalogue,
    engine: Engine | None = None,
    on: date | None = None,
    lang: str | None = None,
) -> CheckResults:
    """Check already-loaded profiles, given as (source, profile) pairs, on ``on`` (default: each profile's as_of).

    ``lang`` (default: the current ``--lang``): the language of the rule, theme and question texts the
    results carry; a text a pack does not give in that language stays in the pack's, with a notice on stderr.

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
    lang = lang or language()
    fallbacks = Fallbacks()
    packs = [texts.pack_info(pack, lang, fallbacks) for pack in catalogue.packs]
    if any(pack.language != lang for pack in catalogue.packs):  # the findings already carry their packs' own texts
        results = [r.model_copy(update={"findings": localise_findings(r.findings, catalogue, lang, fallbacks)}) for r in results]
    report_fallbacks(fallbacks, catalogue, lang)
    return CheckResults(
        tool_version=__version__,
        rules_version=f"{__version__}+{catalogue.content_hash}",
        rules_hash=catalogue.content_hash,
        engine=engine.name,
        profiles=results,
        packs=packs,
    )


def pack_info(pack: Pack, lang: str = "en") -> PackInfo:
    """What the results say about a pack, its texts in ``lang`` (English by default)."""
    return texts.pack_info(pack, lang, Fallbacks())


def check(
    paths: Sequence[str | Path],
    rule_dirs: Sequence[str | Path] = (),
    engine: str = "durable",
    on: date | None = None,
    *,
    catalogue: RuleCatalogue | None = None,
) -> CheckResults:
    """Load profiles (and, unless a catalogue is given, the built-in rules and the ``rule_dirs`` packs)
    and check them on ``on`` (default: each profile's as_of); raises InputErrors on bad input."""
    from .errors import InputErrors

    catalogue = catalogue or load_rules([Path(d) for d in rule_dirs])
    loaded: list[tuple[str, Profile]] = []
    errors = []
    for path in paths:
        try:
            loaded.append((str(path), load_profile(path, catalogue.packs)))
        except InputErrors as exc:
            errors.extend(exc.errors)
    if errors:
        raise InputErrors(errors)
    return check_profiles(loaded, catalogue, make_engine(catalogue, engine), on)
