"""The click CLI: parse arguments, call the library, turn its errors into exit codes.

Exit codes: 0 ok; 1 findings at or above ``--fail-on`` (or failing rule cases / trace); 2 bad
input or usage; 3 engine fault; 130 Ctrl-C; 143 SIGTERM (128 + 15, as a shell reports a
terminated process) — interrupted, a run writes no output and leaves no temporary file.
Heavy modules are imported inside commands so ``--help`` stays instant. Every text printed goes
through ``_echo`` (control characters made visible, see ``terminal.py``).

Streams, as ruff and pytest keep results apart from chatter: reports and data (what a user pipes or
redirects) go to stdout; confirmations ("ok: ..."), notices, progress and errors go to stderr, so
``gap-engine validate *.yaml > list`` or ``check ... | jq`` never mixes the two. ``--quiet`` drops
the confirmations, notices and progress (``_notify``), never an error.
"""

from __future__ import annotations

import functools
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from . import __version__
from . import reporters as registry
from .i18n import LANGUAGES, _
from .terminal import COLOR_MODES

FAIL_ON = ("gap", "partial", "unknown")
FORMATS = tuple(registry.FORMATS)  # check --format: the reporters' registry is the one list
STREAMED_FORMATS = tuple(name for name, f in registry.FORMATS.items() if f.streamed)  # written profile by profile, never held whole
HELD_LIMITS = {"markdown": 2_000, "xlsx": 2_000, "html": 2_000}
"""Profiles at most for the reports built whole in memory before they are written (README, Performance):
beyond these a run would need gigabytes; --format jsonl and --csv stream any number."""
ENGINES = ("durable", "python")  # mirrors api.ENGINES; a test keeps them equal
DIFF_FORMATS = tuple(registry.DIFF_FORMATS)
DIFF_FAIL_ON = ("regression", "change")


PROGRESS_FROM = 50
"""Profiles from which ``check`` shows a progress bar on stderr (a terminal only, never with --quiet): fewer take a second or two."""

QUIET, COLOR = "gap_engine.quiet", "gap_engine.color"
"""Keys of --quiet and --color in ``click.Context.meta``, which the group's context shares with its command's."""

MAX_SHOWN_ERRORS = 100
"""Errors printed for one run; the rest are counted ("… and N more"), so garbage input cannot flood the terminal."""


class UsageFailure(click.ClickException):
    exit_code = 2


def _echo(message: str, **kwargs: Any) -> None:
    """click.echo, with control characters in profile text shown escaped instead of sent to the terminal."""
    from .terminal import terminal_safe

    click.echo(terminal_safe(message), **kwargs)


def _setting(key: str, default: Any) -> Any:
    ctx = click.get_current_context(silent=True)
    return ctx.meta.get(key, default) if ctx is not None else default


def _quiet() -> bool:
    return bool(_setting(QUIET, False))


def _notify(message: str) -> None:
    """A confirmation, notice or warning: on stderr with the errors (stdout is for reports and data), dropped by --quiet."""
    if not _quiet():
        _echo(message, err=True)


def _colour() -> bool | None:
    """True or False when --color, NO_COLOR or FORCE_COLOR decide; None to colour only a terminal (click decides)."""
    from .terminal import colour_choice

    return colour_choice(_setting(COLOR, "auto"))


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so every ``finally`` removes its temporary files."""


def _raise_terminated(signum: int, frame: Any) -> None:
    raise Terminated


@contextmanager
def input_errors() -> Iterator[None]:
    """Report every InputError (one per line) and exit 2; Ctrl-C exits 130 and SIGTERM 143, with no partial output."""
    from .errors import InputErrors

    installed = False
    try:
        previous = signal.signal(signal.SIGTERM, _raise_terminated)
        installed = True
    except ValueError:  # not the main thread: leave signals alone
        previous = None
    try:
        yield
    except InputErrors as exc:
        for error in exc.errors[:MAX_SHOWN_ERRORS]:
            _echo(_("Error: {error}").format(error=error), err=True)
        more = len(exc.errors[MAX_SHOWN_ERRORS:]) + exc.omitted
        if more:
            _echo(_("Error: … and {more} more (fix these and run again to see the rest)").format(more=f"{more:,}"), err=True)
        sys.exit(2)
    except RuntimeError as exc:
        from .engine_durable import EngineFault

        if not isinstance(exc, EngineFault):
            raise
        _echo(_("Error: {error}").format(error=exc), err=True)
        sys.exit(3)
    except Terminated:
        _echo("Terminated; no output was written.", err=True)
        sys.exit(143)
    except KeyboardInterrupt:
        _echo(_("Interrupted; no output was written."), err=True)
        sys.exit(130)
    finally:
        if installed:
            signal.signal(signal.SIGTERM, previous if previous is not None else signal.SIG_DFL)


def _paths(values: tuple[str, ...]) -> list[Path]:
    return [Path(v) for v in values]


def _emit(text: str | bytes, output: str | None, inputs: list[Path]) -> None:
    """Print ``text`` (already made safe by ``_report``), or write it atomically to ``output``."""
    if output is None:
        click.echo(text if isinstance(text, str) else text.decode(), nl=False)
        return
    from .output import write_atomic

    write_atomic(Path(output), text, inputs)


def _report(render: Callable[[Any], str], fmt: str) -> Callable[[Any], str]:
    """A report renderer whose text is safe to print or ``cat``: control characters escaped (JSON escapes for JSON)."""
    from .terminal import json_safe, terminal_safe

    safe = json_safe if fmt == "json" else terminal_safe
    return lambda value: safe(render(value))


def _write_outputs(
    outputs: Any, value: Any, report: Callable[[Any], str], output: str | None, shown: Callable[[Any], str] | None = None
) -> None:
    """Write every planned file (all or nothing), then print the report when no -o was given: ``shown``
    (the coloured one) when given, which click.echo strips of its colour on a pipe or with colour off."""
    outputs.write(value)
    if output is None:
        if shown is None:
            click.echo(report(value), nl=False)
        else:
            click.echo(shown(value), nl=False, color=_colour())


def _rule_inputs(rule_dirs: list[Path]) -> list[Path]:
    from .yamlio import path_problem  # a name too long makes is_dir() raise; load_rules reports it

    return [p for d in rule_dirs if path_problem(d) is None and d.is_dir() for p in d.iterdir()]


def _set_lang(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """--lang on the group always sets the language (English when not given), so a run never inherits
    the previous one's in the same process; --lang on a command sets it only when given. Either way the
    language is restored when the command ends."""
    from .i18n import DEFAULT, language, set_language

    if value is not None or ctx.parent is None:
        previous = language()
        set_language(value or DEFAULT)
        ctx.call_on_close(lambda: set_language(previous))  # a library caller after the command gets its own language back
    return value


def _set_meta(key: str, default: Any) -> Callable[[click.Context, click.Parameter, Any], Any]:
    """A callback storing an option in ``ctx.meta``: on the group always (its default included), on a
    command only when given, so ``gap-engine -q check`` and ``gap-engine check -q`` both work."""

    def callback(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        if ctx.parent is None or value not in (None, False):
            ctx.meta[key] = default if value is None else value
        return value

    return callback


QUIET_HELP = "Print no confirmations, notices or progress on stderr (errors still); reports on stdout are unchanged."
COLOR_HELP = "Colour the text report's statuses: auto (a terminal, unless NO_COLOR is set; FORCE_COLOR forces it), always, never."


def quiet_option() -> click.Option:
    return click.Option(["-q", "--quiet"], is_flag=True, expose_value=False, callback=_set_meta(QUIET, False), help=QUIET_HELP)


def color_option() -> click.Option:
    return click.Option(
        ["--color", "--colour"], type=click.Choice(COLOR_MODES), expose_value=False, callback=_set_meta(COLOR, "auto"), help=COLOR_HELP
    )


LANG_HELP = "Language of everything written for people (reports, workbooks, messages); JSON keys and statuses stay as they are."


def lang_option() -> click.Option:
    return click.Option(
        ["--lang"],
        type=click.Choice(LANGUAGES),
        envvar="GAP_ENGINE_LANG",
        is_eager=True,
        expose_value=False,
        callback=_set_lang,
        help=LANG_HELP,
    )


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="gap-engine")
@click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    envvar="GAP_ENGINE_LANG",
    is_eager=True,
    expose_value=False,
    callback=_set_lang,
    help=LANG_HELP,
)
@click.option("-q", "--quiet", is_flag=True, expose_value=False, callback=_set_meta(QUIET, False), help=QUIET_HELP)
@click.option("--color", "--colour", type=click.Choice(COLOR_MODES), expose_value=False, callback=_set_meta(COLOR, "auto"), help=COLOR_HELP)
def main() -> None:
    """Audit a jurisdiction's law for the gaps emerging technologies open in the protection of
    children against sexual exploitation and abuse (Lanzarote Convention, CETS 201)."""


@dataclass(frozen=True)
class RuleSelection:
    """Which rules a command runs: the built-in pack (unless --no-builtin), the --rules packs, and
    --select / --skip by rule or theme ID."""

    dirs: tuple[str, ...] = ()
    no_builtin: bool = False
    select: tuple[str, ...] = ()
    skip: tuple[str, ...] = ()

    def load(self) -> Any:
        from .errors import InputErrors
        from .rules import load_rules

        if self.no_builtin and not self.dirs:
            raise InputErrors.single("--no-builtin", "no rules left to run", hint="pass a rule pack with --rules DIR")
        return load_rules(_paths(self.dirs), include_builtin=not self.no_builtin, select=self.select, skip=self.skip)

    def inputs(self) -> list[Path]:
        return _rule_inputs(_paths(self.dirs))


def rules_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """--rules DIR (repeatable), --no-builtin, --select ID, --skip ID, handed to the command as ``selection``."""

    @functools.wraps(command)
    def wrapper(
        *args: Any, rule_dirs: tuple[str, ...], no_builtin: bool, select: tuple[str, ...], skip: tuple[str, ...], **kwargs: Any
    ) -> Any:
        return command(*args, selection=RuleSelection(rule_dirs, no_builtin, select, skip), **kwargs)

    options = (
        click.option("--rules", "rule_dirs", multiple=True, type=click.Path(), help="A rule pack (directory with pack.yaml); repeatable."),
        click.option("--no-builtin", is_flag=True, help="Run only the --rules packs, not the built-in rules."),
        click.option("--select", multiple=True, metavar="ID", help="Run only this rule or theme (ID); repeatable."),
        click.option("--skip", multiple=True, metavar="ID", help="Do not run this rule or theme (ID); repeatable."),
    )
    for option in reversed(options):
        wrapper = option(wrapper)
    return wrapper


engine_option = click.option(
    "--engine", type=click.Choice(ENGINES), default="durable", show_default=True, help="durable_rules, or the reference Python evaluator."
)

as_of_option = click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Evaluate the law in force on this date (YYYY-MM-DD), on or before each profile's as_of. Default: the profile's as_of.",
)


@main.command()
@click.argument("profiles", nargs=-1, required=True, type=click.Path())
@rules_option
@engine_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="jsonl: one JSON object per profile per line, written as each profile is checked (flat memory, any number of profiles).",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Worker processes checking the profiles (in chunks, in order); the output is the same as with 1.",
)
@click.option("-o", "--output", type=click.Path(), help="Write the report to this file (atomically) instead of stdout.")
@click.option("--xlsx", type=click.Path(), help="Also write a gap workbook (Excel) to this file.")
@click.option("--csv", "csv_path", type=click.Path(), help="Also write one CSV row per finding to this file.")
@click.option("--html", "html_path", type=click.Path(), help="Also write a self-contained HTML report to this file.")
@click.option(
    "--fail-on", type=click.Choice(FAIL_ON), help="Exit 1 when a finding has this status or a worse one (gap > partial > unknown)."
)
@as_of_option
@click.option(
    "--waivers",
    "waivers_path",
    type=click.Path(),
    help="A waiver file (YAML): accepted findings, shown as waived in every output; --fail-on ignores those with an active waiver.",
)
def check(
    profiles: tuple[str, ...],
    selection: RuleSelection,
    engine: str,
    fmt: str,
    jobs: int,
    output: str | None,
    xlsx: str | None,
    csv_path: str | None,
    html_path: str | None,
    fail_on: str | None,
    as_of: Any,
    waivers_path: str | None,
) -> None:
    """Check PROFILE files against the rules and report the gaps, as the law stands on each profile's
    as_of date (or an earlier --as-of date): a provision counts only when it is in force then."""
    with input_errors():
        from .api import check as run_check
        from .errors import InputErrors
        from .output import OutputSet

        inputs = _paths(profiles) + selection.inputs() + _paths((waivers_path,) if waivers_path else ())
        _refuse_oversized(fmt, xlsx, html_path, len(profiles))
        held = [option for option, path in (("--xlsx", xlsx), ("--html", html_path)) if path]
        if fmt in STREAMED_FORMATS and held:
            raise InputErrors.single(
                held[0],
                "this report is built from every result held in memory, which --format jsonl exists to avoid",
                hint=f"write --csv beside the JSON Lines; run {held[0]} separately (at most {HELD_LIMITS['xlsx']:,} profiles)",
            )
        report = _streamed_elsewhere if fmt in STREAMED_FORMATS else _report(registry.FORMATS[fmt].renderer(), fmt)
        outputs = OutputSet(inputs)  # every path checked now, before the work; all written together, or none
        outputs.plan("-o", output, report)
        outputs.plan("--xlsx", xlsx, _workbook)
        outputs.plan("--csv", csv_path, _csv)
        outputs.plan("--html", html_path, _html)
        catalogue = selection.load()
        waivers = _load_waivers(waivers_path, catalogue)
        on = as_of.date() if as_of else None
        if fmt in STREAMED_FORMATS:
            statuses = _check_streamed(profiles, catalogue, engine, on, jobs, waivers, output, csv_path, inputs)
            if fail_on and statuses & set(FAIL_ON[: FAIL_ON.index(fail_on) + 1]):
                sys.exit(1)
            return
        if jobs > 1:
            from .api import stream_check

            results = _with_progress(stream_check(_paths(profiles), catalogue, engine, on, jobs=jobs), len(profiles)).collect()
        else:
            results = run_check(_paths(profiles), catalogue=catalogue, engine=engine, on=on)
        results = _apply_waivers(results, waivers)
        _write_outputs(outputs, results, report, output, _coloured_text if fmt == "text" and _colour() is not False else None)
    if fail_on:
        failing = set(FAIL_ON[: FAIL_ON.index(fail_on) + 1])
        # A finding under an active waiver has been accepted: it keeps its status but does not fail the run.
        if any(f.status.value in failing and not f.waived for f in results.all_findings()):
            sys.exit(1)


def _coloured_text(results: Any) -> str:
    from .reporters.text import render

    return render(results, colour=True)


def _stderr_is_terminal() -> bool:
    return sys.stderr.isatty()


def _progress_shown(count: int) -> bool:
    """A bar only for a long run (PROGRESS_FROM profiles), on a terminal (never a file or pipe), without --quiet."""
    return count >= PROGRESS_FROM and not _quiet() and _stderr_is_terminal()


class _Progress:
    """An iterable of results that advances a bar on stderr as each arrives; ``collect`` and errors as the stream's."""

    def __init__(self, stream: Any, count: int) -> None:
        self.stream, self.count = stream, count

    def __iter__(self) -> Iterator[Any]:
        with click.progressbar(length=self.count, file=sys.stderr, show_pos=True) as bar:
            for result in self.stream:
                bar.update(1)
                yield result

    def collect(self) -> Any:
        from .api import CheckStream

        return CheckStream.collect(self)  # type: ignore[arg-type]  # sorts what __iter__ yields, as the stream's own

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


def _with_progress(stream: Any, count: int) -> Any:
    """The stream, wrapped in a progress bar when one is shown (see ``_progress_shown``); the results are the same."""
    return _Progress(stream, count) if _progress_shown(count) else stream


def _workbook(results: Any) -> bytes:
    from .reporters.xlsx import workbook_bytes

    return workbook_bytes(results)


def _csv(results: Any) -> str:
    from .reporters.csv_report import render

    return render(results)


def _html(results: Any) -> str:
    from .reporters.html import render

    return render(results)


def _diff_workbook(diff: Any) -> bytes:
    from .reporters.diff_xlsx import diff_workbook_bytes

    return diff_workbook_bytes(diff)


def _streamed_elsewhere(results: Any) -> str:
    raise AssertionError("--format jsonl is written by _check_streamed, never rendered whole")


def _refuse_oversized(fmt: str, xlsx: str | None, html: str | None, count: int) -> None:
    """Refuse, before any work, a report built whole in memory for more profiles than it is meant for."""
    from .errors import InputErrors

    held = (("markdown", "--format markdown", fmt == "markdown"), ("xlsx", "--xlsx", bool(xlsx)), ("html", "--html", bool(html)))
    for name, option, asked in held:
        limit = HELD_LIMITS[name]
        if asked and count > limit:
            raise InputErrors.single(
                option,
                f"{count:,} profiles given; {option} is built in memory and meant for at most {limit:,}",
                hint="check fewer profiles at a time, or use --format jsonl and --csv, which stream any number",
            )


def _check_streamed(
    profiles: tuple[str, ...],
    catalogue: Any,
    engine: str,
    on: Any,
    jobs: int,
    waivers: Any,
    output: str | None,
    csv_path: str | None,
    inputs: list[Path],
) -> set[str]:
    """--format jsonl: write each profile's line (and CSV rows) as it is checked; return the statuses
    of the findings no active waiver covers (for --fail-on). Files are written all-or-nothing; on
    stdout the lines appear as produced, and an input error ends the stream with exit 2."""
    from contextlib import ExitStack

    from .api import stream_check
    from .reporters import csv_report, jsonl
    from .stream_output import atomic_stream
    from .terminal import json_safe

    stream = _with_progress(stream_check(_paths(profiles), catalogue, engine, on, jobs=jobs), len(profiles))
    run = jsonl.RunInfo(**stream.run_info())
    statuses: set[str] = set()
    notices: list[str] = list(waivers.notices) if waivers is not None else []
    checked: set[str] = set()
    with ExitStack() as outputs:
        out = outputs.enter_context(atomic_stream(Path(output), inputs)) if output else sys.stdout
        table = outputs.enter_context(atomic_stream(Path(csv_path), inputs)) if csv_path else None
        if table is not None:
            table.write(csv_report.header())
        for result in stream:
            if waivers is not None:
                from .waivers import apply_to_profile

                result = apply_to_profile(result, waivers, notices)
            checked.add(result.jurisdiction)
            statuses.update(f.status.value for f in result.findings if not f.waived)
            out.write(json_safe(jsonl.line(result, run)))
            if table is not None:
                table.write(csv_report.profile_rows(result))
    if waivers is not None:
        from .waivers import unmatched_notices

        notices += unmatched_notices(waivers, checked)
    for notice in notices:
        _notify(notice)
    return statuses


def _date(value: Any) -> Any:
    return value.date() if value else None


@main.command()
@click.argument("old", type=click.Path())
@click.argument("new", required=False, type=click.Path())
@click.option(
    "--as-of-old",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Check OLD (a profile) on this date, on or before its as_of. With no NEW, NEW is the same profile.",
)
@click.option(
    "--as-of-new",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Check NEW (a profile) on this date, on or before its as_of. Default: its as_of.",
)
@rules_option
@engine_option
@click.option("--format", "fmt", type=click.Choice(DIFF_FORMATS), default="text", show_default=True)
@click.option("-o", "--output", type=click.Path(), help="Write the diff to this file (atomically) instead of stdout.")
@click.option("--xlsx", type=click.Path(), help="Also write a workbook with a Changes sheet to this file.")
@click.option(
    "--fail-on",
    type=click.Choice(DIFF_FAIL_ON),
    help="Exit 1 when a finding regressed (regression), or when anything changed (change).",
)
def diff(
    old: str,
    new: str | None,
    as_of_old: Any,
    as_of_new: Any,
    selection: RuleSelection,
    engine: str,
    fmt: str,
    output: str | None,
    xlsx: str | None,
    fail_on: str | None,
) -> None:
    """What changed between two checks: OLD and NEW are each a profile (checked with the rules) or a
    results JSON file (check --format json). PROFILE --as-of-old DATE [--as-of-new DATE] compares one
    profile at two dates. Findings are improved, regressed, changed or rule changed (see the README)."""
    with input_errors():
        from .diff_sides import diff_files
        from .output import OutputSet

        inputs = _paths((old, new) if new else (old,)) + selection.inputs()
        report = _report(registry.DIFF_FORMATS[fmt].renderer(), fmt)
        outputs = OutputSet(inputs)
        outputs.plan("-o", output, report)
        outputs.plan("--xlsx", xlsx, _diff_workbook)
        result = diff_files(
            old,
            new,
            as_of_old=_date(as_of_old),
            as_of_new=_date(as_of_new),
            catalogue=selection.load,
            engine=engine,
            rules_chosen=selection != RuleSelection(),
        )
        _write_outputs(outputs, result, report, output)
    if (fail_on == "regression" and result.counts["regressed"]) or (fail_on == "change" and result.any_change()):
        sys.exit(1)


@main.command()
@click.argument("rule_id", metavar="RULE")
@click.argument("profile", type=click.Path())
@rules_option
@engine_option
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Evaluate the law in force on this date (YYYY-MM-DD), on or before the profile's as_of. Default: its as_of.",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("-o", "--output", type=click.Path(), help="Write the explanation to this file (atomically) instead of stdout.")
def explain(rule_id: str, profile: str, selection: RuleSelection, engine: str, as_of: Any, fmt: str, output: str | None) -> None:
    """Explain why RULE has its status for PROFILE: the condition tree with each element's outcome, the
    candidate provisions and what excluded them, the facts and their dates, the reservations considered,
    and the changes that would make it covered (each verified by deciding the rule again)."""
    with input_errors():
        from .explain import explain as build
        from .output import check_output_path
        from .reporters.explanation import render_json, render_text

        inputs = [Path(profile), *selection.inputs()]
        if output:
            check_output_path(Path(output), inputs)
        explanation = build(rule_id, profile, selection.load(), engine, as_of.date() if as_of else None)
        _emit(_report(render_json if fmt == "json" else render_text, fmt)(explanation), output, inputs)


def _load_waivers(path: str | None, catalogue: Any) -> Any:
    if path is None:
        return None
    from .waivers import load_waivers

    return load_waivers(path, catalogue)


def _apply_waivers(results: Any, waivers: Any) -> Any:
    """Attach the waivers to their findings; print what the user should know (expired waivers, unknown jurisdictions) on stderr."""
    if waivers is None:
        return results
    from .waivers import apply_waivers

    results, notices = apply_waivers(results, waivers)
    for notice in notices:
        _notify(notice)
    return results


@main.command()
@click.argument("profiles", nargs=-1, required=True, type=click.Path())
@click.option("--rule", "rule_id", metavar="ID", help="Compare this rule: its status and each of its elements.")
@click.option("--item", metavar="TEXT", help="Compare every checklist item (rule element) whose description contains TEXT.")
@rules_option
@engine_option
@as_of_option
def compare(profiles: tuple[str, ...], rule_id: str | None, item: str | None, selection: RuleSelection, engine: str, as_of: Any) -> None:
    """Compare jurisdictions on one rule (--rule ID) or on checklist items (--item TEXT): a table of
    each PROFILE's status, to see which Parties do and which do not."""
    if (rule_id is None) == (item is None):
        raise UsageFailure("choose one of --rule ID or --item TEXT")
    with input_errors():
        from .api import check as run_check
        from .compare import compare_item, compare_rule, render_comparison
        from .errors import InputErrors

        catalogue = selection.load()
        why = catalogue.why_not_run(rule_id) if rule_id else None
        if why is not None:
            raise InputErrors.single("--rule", why[0], hint=why[1])
        results = run_check(_paths(profiles), catalogue=catalogue, engine=engine, on=as_of.date() if as_of else None)
        comparison = compare_rule(results, rule_id) if rule_id else compare_item(results, item or "")
    _echo(render_comparison(comparison), nl=False)


@main.command()
@click.argument("profiles", nargs=-1, required=True, type=click.Path())
@rules_option
def validate(profiles: tuple[str, ...], selection: RuleSelection) -> None:
    """Validate PROFILE files; report every error with file, line, column and field.

    With --rules DIR, the facts the pack declares (extensions.<pack id>) are checked too; the
    extensions of packs not given are kept and not checked, and the ok line names them."""
    from .api import refuse_duplicates, validate_profile
    from .errors import InputErrors

    packs = []
    if selection.dirs or selection.no_builtin:
        with input_errors():
            packs = selection.load().packs
    loaded = {pack.id for pack in packs}
    errors = []
    good = []
    for path in profiles:
        try:
            profile = validate_profile(path, packs)
        except InputErrors as exc:
            errors.extend(exc.errors)
            continue
        good.append((path, profile))
    try:
        refuse_duplicates(good)  # as check refuses them: a profile given twice would be counted twice
    except InputErrors as exc:
        errors.extend(exc.errors)
        twice = {e.source for e in exc.errors}
        good = [(path, profile) for path, profile in good if path not in twice]
    for path, profile in good:
        unchecked = sorted(set(profile.extensions) - loaded)
        note = f"; not checked: the facts of pack {', '.join(unchecked)} (pass its --rules DIR)" if unchecked else ""
        _notify(f"ok: {path} ({profile.jurisdiction.name}, law as of {profile.as_of}{note})")
    if errors:
        with input_errors():
            raise InputErrors(errors)


@main.command()
@click.option("--results", "kind", flag_value="results", help="The JSON Schema of check results (--format json).")
@click.option("--results-line", "kind", flag_value="results-line", help="The JSON Schema of one line of check --format jsonl.")
@click.option("--rules", "kind", flag_value="rules", help="The JSON Schema of a rule file (rules/*.yaml or a pack's).")
@click.option("--pack", "kind", flag_value="pack", help="The JSON Schema of a rule pack's manifest (pack.yaml).")
@click.option("--diff", "kind", flag_value="diff", help="The JSON Schema of a diff (diff --format json).")
@click.option(
    "--pack-dir",
    "pack_dirs",
    multiple=True,
    type=click.Path(),
    help="A rule pack (directory with pack.yaml) whose facts the profile schema lists under extensions.<pack id>; repeatable.",
)
def schema(kind: str | None, pack_dirs: tuple[str, ...]) -> None:
    """Print the JSON Schema of a profile (or of results, a rule file, a pack manifest, a diff) for editors to validate and autocomplete."""
    import json

    if pack_dirs and kind:
        raise UsageFailure(f"--pack-dir adds a pack's facts to the profile schema; it does not go with --{kind}")
    if pack_dirs:
        from .extensions import profile_schema

        with input_errors():
            data: dict[str, Any] = profile_schema(_manifests(_paths(pack_dirs)))
    elif kind == "diff":
        from .reporters.diff_json import diff_schema

        data = diff_schema()
    elif kind == "results-line":
        from .reporters.jsonl import line_schema

        data = line_schema()
    elif kind == "results":
        from .reporters.json_report import results_schema

        data = results_schema()
    elif kind == "rules":
        from .rules import rule_file_schema

        data = rule_file_schema()
    elif kind == "pack":
        from .packs import manifest_schema

        data = manifest_schema()
    else:
        from .extensions import profile_schema

        data = profile_schema()
    data["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    _echo(json.dumps(data, indent=2, sort_keys=True))


@main.group()
def rules() -> None:
    """Inspect, test and document the rule catalogue."""


@rules.command("list")
@rules_option
def rules_list(selection: RuleSelection) -> None:
    """List the rules: ID, theme, severity, title (and the pack, for a rule pack's rules)."""
    with input_errors():
        catalogue = selection.load()
    for loaded in catalogue.rules:
        pack = "" if loaded.pack == "builtin" else f"  [{loaded.pack} {loaded.pack_version}]"
        if loaded.rule.replaces:
            pack += f" (replaces {', '.join(loaded.rule.replaces)})"
        _echo(f"{loaded.id:<9} {loaded.theme:<16} {loaded.rule.severity.value:<14} {loaded.rule.title}{pack}")


@rules.command("test")
@rules_option
@engine_option
@click.option("--pack", "pack_ids", multiple=True, metavar="ID", help="Run only the cases of this pack's rules (e.g. builtin); repeatable.")
def rules_test(selection: RuleSelection, engine: str, pack_ids: tuple[str, ...]) -> None:
    """Run every rule's own cases; report failures by rule ID and case."""
    from .rule_cases import run_cases

    with input_errors():
        catalogue = selection.load()
        _check_pack_ids(catalogue, pack_ids)
        results = run_cases(catalogue, engine, packs=pack_ids)
    failures = [r for r in results if not r.ok]
    for r in failures:
        _echo(f"FAIL {r.rule_id}/{r.case}: expected {r.expected}, got {r.got} ({r.source}) {r.detail}")
    _echo(f"{len(results) - len(failures)} of {len(results)} rule cases pass")
    if failures:
        sys.exit(1)


@rules.command("trace")
@rules_option
def rules_trace(selection: RuleSelection) -> None:
    """Print each pack's source -> rule matrix (the paper's for the built-in rules); exit 1 if a question has no rule."""
    from .catalogue_docs import render_trace, trace

    with input_errors():
        catalogue = selection.load()
        rows = trace(catalogue)
    _echo(render_trace(rows, catalogue), nl=False)
    if any(not row.rule_ids for row in rows):
        sys.exit(1)


@rules.command("docs")
@rules_option
@click.option("-o", "--output", type=click.Path(), help="Write the catalogue here (atomically) instead of stdout.")
def rules_docs(selection: RuleSelection, output: str | None) -> None:
    """Generate the rule catalogue (docs/rules.md) from the rule files."""
    from .catalogue_docs import render_catalogue

    with input_errors():
        text = _report(render_catalogue, "markdown")(selection.load())
        _emit(text, output, selection.inputs())


@main.command()
@click.argument("profile", required=False, type=click.Path())
@click.option("--theme", "themes", multiple=True, help="Only this theme of the paper (e.g. generative_ai); repeatable.")
@click.option("--xlsx", type=click.Path(), help="Write the checklist as a workbook to this file.")
@click.option("--format", "fmt", type=click.Choice(["markdown"]), help="Print the checklist as Markdown.")
@click.option("-o", "--output", type=click.Path(), help="Write the Markdown checklist to this file (atomically) instead of stdout.")
@click.option("--waivers", "waivers_path", type=click.Path(), help="A waiver file (YAML): each waiver shown beside its rule's status.")
@rules_option
@engine_option
def checklist(
    profile: str | None,
    themes: tuple[str, ...],
    xlsx: str | None,
    fmt: str | None,
    output: str | None,
    waivers_path: str | None,
    selection: RuleSelection,
    engine: str,
) -> None:
    """The monitoring-round checklist derived from the rules; with PROFILE, pre-filled and with the unknowns to answer."""
    if (xlsx is None) == (fmt is None):
        raise UsageFailure("choose one of --xlsx FILE or --format markdown")
    if waivers_path and not profile:
        raise UsageFailure("--waivers needs a PROFILE: a blank checklist has no findings to waive")
    with input_errors():
        from .questionnaire.checklist import build_checklist

        inputs = _paths((profile,) if profile else ()) + selection.inputs() + _paths((waivers_path,) if waivers_path else ())
        catalogue = selection.load()
        waivers = _load_waivers(waivers_path, catalogue)
        items = build_checklist(Path(profile) if profile else None, list(themes), catalogue, engine, waivers)
        for notice in items.notices:
            _notify(notice)
        if xlsx:
            from .output import write_atomic
            from .questionnaire.checklist_xlsx import render as render_xlsx

            write_atomic(Path(xlsx), render_xlsx(items), inputs)
        else:
            from .questionnaire.checklist_markdown import render as render_markdown

            _emit(_report(render_markdown, "markdown")(items), output, inputs)


@main.command()
@click.option("--xlsx", required=True, type=click.Path(), help="The workbook to write.")
@click.option("--from", "from_profile", type=click.Path(), help="Pre-fill the workbook from this profile.")
@click.option("--force", is_flag=True, help="Replace the workbook if it exists.")
@rules_option
def template(xlsx: str, from_profile: str | None, force: bool, selection: RuleSelection) -> None:
    """Write a fillable questionnaire workbook (drop-downs, citation columns, one row per fact or provision)."""
    with input_errors():
        from .errors import InputErrors
        from .loading import load_profile
        from .questionnaire.template import write_template

        target = Path(xlsx)
        if target.exists() and not force:
            raise InputErrors.single(xlsx, _("file exists; refusing to overwrite it"), hint=_("pass --force to replace it"))
        inputs = _paths((from_profile,) if from_profile else ())
        catalogue = selection.load()
        stated = load_profile(from_profile, catalogue.packs) if from_profile else None
        from .i18n import language

        write_template(catalogue, target, stated, inputs, lang=language())
    left_out = sorted(set(stated.extensions) - {pack.id for pack in catalogue.packs}) if stated else []
    if left_out:
        _notify(
            f"notice: the facts of pack {', '.join(left_out)} in {from_profile} are not in the workbook; "
            "pass --rules DIR for that pack to ask them"
        )


@main.command("import")
@click.argument("workbook", type=click.Path())
@click.option("-o", "--output", required=True, type=click.Path(), help="The profile YAML to write.")
@click.option("--force", is_flag=True, help="Replace the output file if it exists.")
@rules_option
def import_(workbook: str, output: str, force: bool, selection: RuleSelection) -> None:
    """Read a filled questionnaire WORKBOOK back into a validated profile (every error with its sheet and cell)."""
    with input_errors():
        from .questionnaire.importer import import_to_file

        notices: list[str] = []
        report: list[Any] = []
        try:
            profile = import_to_file(Path(workbook), Path(output), force=force, catalogue=selection.load(), notices=notices, report=report)
        finally:  # a hidden sheet is worth knowing about also when the import fails
            for notice in notices:
                _notify(notice)
    from .i18n import format_date

    for read in report:
        _notify(_("notice: {what}").format(what=read.describe()))
    _notify(
        _("ok: {output} ({name}, law as of {date})").format(output=output, name=profile.jurisdiction.name, date=format_date(profile.as_of))
    )


def _manifests(directories: list[Path]) -> list[Any]:
    """The packs' manifests (not their rules: a schema needs only the declarations), every error at once."""
    from .errors import InputError, InputErrors
    from .packs import load_manifest

    packs, errors = [], []
    for directory in directories:
        try:
            packs.append(load_manifest(directory))
        except InputErrors as exc:
            errors += exc.errors
    if errors:
        raise InputErrors(errors)
    twice = sorted({p.id for p in packs if [q.id for q in packs].count(p.id) > 1})
    if twice:
        raise InputErrors(
            [InputError(source="--pack-dir", message=f"pack {i!r} is given twice", hint="pass each pack once") for i in twice]
        )
    return packs


def _check_pack_ids(catalogue: Any, pack_ids: tuple[str, ...]) -> None:
    from .errors import InputErrors

    known = [pack.id for pack in catalogue.packs]
    unknown = [p for p in pack_ids if p not in known]
    if unknown:
        raise InputErrors.single("--pack", f"no loaded pack {', '.join(map(repr, unknown))}", hint=f"loaded: {', '.join(known)}")


def _add_lang_option(group: click.Group) -> None:
    """Every command takes --lang, --quiet and --color (``gap-engine check --lang fr -q``) as well as the
    group (``gap-engine --lang fr -q check``)."""
    for command in group.commands.values():
        if isinstance(command, click.Group):
            _add_lang_option(command)
        for name, option in (("lang", lang_option), ("quiet", quiet_option), ("color", color_option)):
            if not any(p.name == name for p in command.params):
                command.params.append(option())


_add_lang_option(main)


if __name__ == "__main__":  # pragma: no cover
    main()
