"""The two sides of ``gap-engine diff``: each a profile checked on a date, or a results JSON file read back.

Kept out of the CLI so that the command only parses arguments, and out of ``diff.py`` so that
the comparison works on CheckResults however they were obtained. Every problem with either
side is collected and reported together (exit 2), each naming its file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .diff import diff_results
from .diff_model import Diff
from .errors import InputError, InputErrors
from .findings import CheckResults
from .loading import load_profile
from .profile import Profile
from .results_file import load_results, looks_like_results, read_results_text
from .rules import RuleCatalogue
from .yamlio import load_yaml


@dataclass
class _Side:
    path: Path
    option: str  # the option that dates this side: --as-of-old or --as-of-new
    on: date | None
    results: CheckResults | None = None  # read from a results file
    profile: Profile | None = None  # to be checked

    @property
    def kind(self) -> str:
        return "results" if self.profile is None else "profile"


def diff_files(
    old: str | Path,
    new: str | Path | None = None,
    *,
    as_of_old: date | None = None,
    as_of_new: date | None = None,
    catalogue: Callable[[], RuleCatalogue] | None = None,
    engine: str = "durable",
    rules_chosen: bool = False,
) -> Diff:
    """Diff OLD against NEW (default: OLD again, for one profile at two dates).

    A profile side is checked with ``catalogue()`` (default: the built-in rules), on its
    ``as_of`` or the given date; a results side is read as written. ``rules_chosen`` says rule
    options were given, which is refused when neither side is a profile they could apply to.
    """
    if new is None and as_of_old is None:
        raise InputErrors.single(
            "NEW", "not given", hint="give OLD and NEW, or PROFILE with --as-of-old DATE to compare one profile at two dates"
        )
    sides = [_Side(Path(old), "--as-of-old", as_of_old), _Side(Path(new if new is not None else old), "--as-of-new", as_of_new)]
    errors: list[InputError] = []
    for side in sides:
        try:
            _read(side)
        except InputErrors as exc:
            errors.extend(exc.errors)
    if errors:
        raise InputErrors(sorted(set(errors)))
    profiles = [side for side in sides if side.profile is not None]
    if rules_chosen and not profiles:
        raise InputErrors.single(
            "--rules", "both sides are results files, already checked: rule options apply to a profile only", hint="drop the rule options"
        )
    if profiles:
        from .api import check_profiles, make_engine
        from .rules import load_rules

        rules = catalogue() if catalogue is not None else load_rules()
        runner = make_engine(rules, engine)
        for side in profiles:
            assert side.profile is not None
            side.results = check_profiles([(str(side.path), side.profile)], rules, runner, side.on)
    first, second = sides
    assert first.results is not None and second.results is not None
    return diff_results(
        first.results, second.results, old_source=str(first.path), new_source=str(second.path), old_kind=first.kind, new_kind=second.kind
    )


def _read(side: _Side) -> None:
    """Read one side as results or as a profile, refusing a date for results and a date after a profile's as_of."""
    source = str(side.path)
    text = read_results_text(side.path)
    if side.path.suffix.lower() == ".json" or looks_like_results(text):
        if side.on is not None:
            raise InputErrors.single(
                side.option,
                f"{source} holds results already evaluated; a date applies to a profile only",
                hint=f"drop {side.option}, or give the profile instead of its results",
            )
        side.results = load_results(side.path, text)
        return
    side.profile = load_profile(side.path)
    if side.on is not None and side.on > side.profile.as_of:
        position = load_yaml(side.path).locate(("as_of",))
        raise InputErrors.single(
            source,
            f"{side.option} {side.on} is after the profile's as_of {side.profile.as_of}: "
            "the profile does not describe the law on that date",
            line=position[0] if position else None,
            column=position[1] if position else None,
            field="as_of",
            hint=f"give {side.option} {side.profile.as_of} or an earlier date, or update the profile to describe the later law",
        )
