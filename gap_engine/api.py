"""The library API the CLI (and anyone else) calls: load profiles and rules, check, get results."""

from __future__ import annotations

import gc
import itertools
import sys
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Protocol

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

__all__ = ["check", "check_profiles", "load_profile", "load_rules", "make_engine", "refuse_duplicates", "stream_check", "validate_profile"]

ENGINES = ("durable", "python")


class Engine(Protocol):
    name: str

    def evaluate(self, facts: list[FactDict]) -> dict[str, ElementOutcome]: ...


def make_engine(catalogue: RuleCatalogue, name: str = "durable", *, notice: bool = True) -> Engine:
    """Build an engine for a catalogue; fall back to the Python evaluator where durable_rules cannot load."""
    compiled = catalogue.compiled
    if engine_that_runs(name, notice=notice) == "durable":
        from .engine_durable import DurableEngine

        return DurableEngine(compiled)
    from .engine_python import PythonEngine

    return PythonEngine(compiled)


def engine_that_runs(name: str, *, notice: bool = True) -> str:
    """The engine ``name`` gives here: "durable", or "python" where durable_rules cannot be imported
    (said on stderr unless ``notice`` is False). Workers of a streamed run build their own engine
    from this name, so the decision and its notice are made once, in the parent."""
    if name == "durable":
        from .engine_durable import DurableUnavailable, import_durable

        try:
            import_durable()
        except DurableUnavailable as exc:
            if notice:
                print(f"notice: {exc}; using the built-in Python evaluator (--engine python)", file=sys.stderr)
            return "python"
    elif name != "python":
        raise ValueError(f"unknown engine {name!r}; choose one of {', '.join(ENGINES)}")
    return name


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
    with collector_paused():
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


# --- streaming: one profile at a time, optionally in worker processes -------------------------------

ProfileLoader = Callable[[Any, Sequence[Pack]], Profile]
"""Reads one profile given its path (or, in the benchmark, its number) and the catalogue's packs."""

CHUNK = 32
"""Profiles per task sent to a worker process: large enough that pickling and queueing stay small
beside the check itself (~3-5 ms a profile), small enough that results arrive steadily."""


@dataclass
class CheckStream:
    """A check run whose results are produced one profile at a time, in the order the paths were given.

    Iterating yields each ``ProfileResult`` as soon as it is decided and drops it after, so memory
    stays flat however many profiles there are (the caller writes each result and lets it go). A
    profile that cannot be read or checked is skipped and its errors collected; when the iteration
    ends, they are raised together as InputErrors, so a caller writing to a temporary file discards
    it (all-or-nothing)."""

    paths: Sequence[str | Path]
    catalogue: RuleCatalogue
    engine_name: str
    on: date | None = None
    jobs: int = 1
    load: ProfileLoader = load_profile
    errors: list[Any] = field(default_factory=list)

    def run_info(self) -> dict[str, str]:
        return {
            "tool_version": __version__,
            "rules_version": f"{__version__}+{self.catalogue.content_hash}",
            "rules_hash": self.catalogue.content_hash,
            "engine": self.engine_name,
        }

    def collect(self) -> CheckResults:
        """Every result held, in the order ``check`` gives (jurisdiction, as_of, source): for the
        reports built whole (text, json, markdown, xlsx) when ``jobs`` > 1."""
        results = sorted(self, key=lambda r: (r.jurisdiction, r.as_of, r.source))
        return CheckResults(**self.run_info(), profiles=results, packs=[pack_info(pack) for pack in self.catalogue.packs])

    def __iter__(self) -> Iterator[ProfileResult]:
        from .errors import InputErrors

        outcomes = self._serial() if self.jobs <= 1 else self._parallel()
        for outcome in outcomes:
            if isinstance(outcome, ProfileResult):
                yield outcome
            else:
                self.errors.extend(outcome)
        if self.errors:
            raise InputErrors(self.errors)

    def _serial(self) -> Iterator[ProfileResult | list[Any]]:
        engine = make_engine(self.catalogue, self.engine_name)
        for path in self.paths:
            yield _check_path(path, self.catalogue, engine, self.on, self.load)

    def _parallel(self) -> Iterator[ProfileResult | list[Any]]:
        """Chunks of paths checked in worker processes, results taken back in the paths' order.

        The workers are forked, so they share the loaded catalogue instead of loading it again; at
        most ``2 * jobs`` chunks are in flight, so results waiting to be written stay few."""
        import multiprocessing

        global _WORKER_STATE
        _WORKER_STATE = (self.catalogue, self.engine_name, self.on, self.load)
        chunks = [list(self.paths[i : i + CHUNK]) for i in range(0, len(self.paths), CHUNK)]
        context = multiprocessing.get_context("fork")
        with context.Pool(self.jobs, initializer=_worker_signals) as pool:
            pending: deque[Any] = deque()
            queued = iter(chunks)
            for chunk in itertools.islice(queued, 2 * self.jobs):
                pending.append(pool.apply_async(_worker_chunk, (chunk,)))
            while pending:
                done = pending.popleft().get()
                for chunk in itertools.islice(queued, 1):
                    pending.append(pool.apply_async(_worker_chunk, (chunk,)))
                yield from done


def stream_check(
    paths: Sequence[str | Path],
    catalogue: RuleCatalogue,
    engine: str = "durable",
    on: date | None = None,
    *,
    jobs: int = 1,
    load: ProfileLoader = load_profile,
) -> CheckStream:
    """A check of ``paths`` whose results come one profile at a time (see ``CheckStream``).

    ``jobs`` > 1 checks chunks of profiles in that many worker processes (forked: POSIX only); the
    results, and so every output written from them, are the same and in the same order as with one.
    ``load`` reads one profile (default: a YAML file); the benchmark passes a generator of synthetic ones."""
    import multiprocessing

    if jobs < 1:
        raise ValueError("jobs must be at least 1")
    if jobs > 1 and "fork" not in multiprocessing.get_all_start_methods():
        jobs = 1  # spawned workers would load the rules again per process; one process is as fast here
    if jobs > 1 and not fork_is_safe():
        jobs = 1  # the results are the same in one process; a forked worker could hang for ever
    return CheckStream(paths, catalogue, engine_that_runs(engine), on, jobs, load)


def fork_is_safe() -> bool:
    """Whether worker processes may be forked from this process: only when it runs a single thread.

    A fork copies the memory of every thread but runs only the calling one, so a lock another thread
    held at that moment (an I/O buffer's, the import lock, logging's) stays locked in the child for
    ever. The CLI is single-threaded; a program embedding the library may not be (a test runner's
    worker was: a forked check worker hung on such a lock), and there the stream runs in one process."""
    import threading

    return threading.active_count() == 1


def _check_path(
    path: str | Path, catalogue: RuleCatalogue, engine: Engine, on: date | None, load: ProfileLoader = load_profile
) -> ProfileResult | list[Any]:
    """One profile read and checked, or its input errors."""
    from .errors import InputErrors

    try:
        with collector_paused():
            profile = load(path, catalogue.packs)
            return evaluate_profile(profile, catalogue, engine, str(path), on)
    except InputErrors as exc:
        return list(exc.errors)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while profiles are checked.

    Why it is safe: checking a profile creates no reference cycles (tests/test_scale.py asserts that
    a collection after a check finds nothing), so reference counting frees everything and the cyclic
    collector only re-walks objects that stay alive — the results held for a whole-report run, which
    made a held run of 600 profiles ~30 % slower (benchmarks/bench.py prints the figure)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


_WORKER_STATE: tuple[RuleCatalogue, str, date | None, ProfileLoader] | None = None
_WORKER_ENGINE: Engine | None = None


def _worker_signals() -> None:
    """In a worker process: die on SIGTERM as a process should, and leave Ctrl-C to the parent.

    A forked worker inherits the CLI's handlers, which turn SIGTERM into an exception so that the
    parent removes its temporary files. ``Pool.terminate`` stops workers with SIGTERM; a worker that
    raised instead of exiting could hang on a queue lock, and the parent then waited for it for ever."""
    import signal

    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _worker_chunk(paths: list[str | Path]) -> list[ProfileResult | list[Any]]:
    """In a worker process: check a chunk of paths with the engine built there once (durable_rules'
    state is per process, so it is not inherited from the parent)."""
    global _WORKER_ENGINE
    assert _WORKER_STATE is not None
    catalogue, engine_name, on, load = _WORKER_STATE
    if _WORKER_ENGINE is None:
        _WORKER_ENGINE = make_engine(catalogue, engine_name, notice=False)
    return [_check_path(path, catalogue, _WORKER_ENGINE, on, load) for path in paths]
