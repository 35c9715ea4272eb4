"""The click CLI: parse arguments, call the library, turn its errors into exit codes.

Exit codes: 0 ok; 1 findings at or above ``--fail-on`` (or failing rule cases / trace); 2 bad
input or usage. Heavy modules are imported inside commands so ``--help`` stays instant.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from . import __version__

FAIL_ON = ("gap", "partial", "unknown")
FORMATS = ("text", "json", "markdown")  # mirrors reporters.REPORTERS; a test keeps them equal
ENGINES = ("durable", "python")  # mirrors api.ENGINES; a test keeps them equal


class UsageFailure(click.ClickException):
    exit_code = 2


@contextmanager
def input_errors() -> Iterator[None]:
    """Report every InputError (one per line) and exit 2; Ctrl-C exits 130 with no partial output."""
    from .errors import InputErrors

    try:
        yield
    except InputErrors as exc:
        for error in exc.errors:
            click.echo(f"Error: {error}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        click.echo("Interrupted; no output was written.", err=True)
        sys.exit(130)


def _paths(values: tuple[str, ...]) -> list[Path]:
    return [Path(v) for v in values]


def _emit(text: str | bytes, output: str | None, inputs: list[Path]) -> None:
    if output is None:
        click.echo(text if isinstance(text, str) else text.decode(), nl=False)
        return
    from .output import write_atomic

    write_atomic(Path(output), text, inputs)


def _rule_inputs(rule_dirs: list[Path]) -> list[Path]:
    return [p for d in rule_dirs if d.is_dir() for p in d.iterdir()]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="gap-engine")
def main() -> None:
    """Audit a jurisdiction's law for the gaps emerging technologies open in the protection of
    children against sexual exploitation and abuse (Lanzarote Convention, CETS 201)."""


rules_option = click.option(
    "--rules", "rule_dirs", multiple=True, type=click.Path(), help="Extra directory of rule files (a rule pack); repeatable."
)
engine_option = click.option(
    "--engine", type=click.Choice(ENGINES), default="durable", show_default=True, help="durable_rules, or the reference Python evaluator."
)


@main.command()
@click.argument("profiles", nargs=-1, required=True, type=click.Path())
@rules_option
@engine_option
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("-o", "--output", type=click.Path(), help="Write the report to this file (atomically) instead of stdout.")
@click.option("--xlsx", type=click.Path(), help="Also write a gap workbook (Excel) to this file.")
@click.option("--csv", "csv_path", type=click.Path(), help="Also write one CSV row per finding to this file.")
@click.option(
    "--fail-on", type=click.Choice(FAIL_ON), help="Exit 1 when a finding has this status or a worse one (gap > partial > unknown)."
)
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Evaluate the law in force on this date (YYYY-MM-DD), on or before each profile's as_of. Default: the profile's as_of.",
)
def check(
    profiles: tuple[str, ...],
    rule_dirs: tuple[str, ...],
    engine: str,
    fmt: str,
    output: str | None,
    xlsx: str | None,
    csv_path: str | None,
    fail_on: str | None,
    as_of: Any,
) -> None:
    """Check PROFILE files against the rules and report the gaps, as the law stands on each profile's
    as_of date (or an earlier --as-of date): a provision counts only when it is in force then."""
    with input_errors():
        from .api import check as run_check
        from .errors import InputErrors
        from .output import check_output_path
        from .reporters import REPORTERS

        inputs = _paths(profiles) + _rule_inputs(_paths(rule_dirs))
        targets = [Path(t) for t in (output, xlsx, csv_path) if t]
        for target in targets:
            check_output_path(target, inputs)
        if len({t.resolve() for t in targets}) < len(targets):
            raise InputErrors.single(
                str(targets[-1]), "the same file is named for two outputs", hint="give -o, --xlsx and --csv different files"
            )
        results = run_check(_paths(profiles), _paths(rule_dirs), engine=engine, on=as_of.date() if as_of else None)
        if xlsx:
            from .reporters.xlsx import write_workbook

            write_workbook(results, Path(xlsx), inputs)
        if csv_path:
            from .output import write_atomic
            from .reporters.csv_report import render as render_csv

            write_atomic(Path(csv_path), render_csv(results), inputs)
        _emit(REPORTERS[fmt](results), output, inputs)
    if fail_on:
        failing = set(FAIL_ON[: FAIL_ON.index(fail_on) + 1])
        if any(f.status.value in failing for f in results.all_findings()):
            sys.exit(1)


@main.command()
@click.argument("profiles", nargs=-1, required=True, type=click.Path())
def validate(profiles: tuple[str, ...]) -> None:
    """Validate PROFILE files; report every error with file, line, column and field."""
    from .errors import InputErrors
    from .loading import load_profile

    errors = []
    for path in profiles:
        try:
            profile = load_profile(path)
            click.echo(f"ok: {path} ({profile.jurisdiction.name}, law as of {profile.as_of})")
        except InputErrors as exc:
            errors.extend(exc.errors)
    if errors:
        with input_errors():
            raise InputErrors(errors)


@main.command()
@click.option("--results", is_flag=True, help="Print the JSON Schema of check results (--format json) instead.")
def schema(results: bool) -> None:
    """Print the JSON Schema of a profile, for editors to validate and autocomplete."""
    import json

    if results:
        from .reporters.json_report import results_schema

        data: dict[str, Any] = results_schema()
    else:
        from .profile import Profile

        data = Profile.model_json_schema()
        data["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        data["title"] = "gap-engine national legislation profile"
    click.echo(json.dumps(data, indent=2, sort_keys=True))


@main.group()
def rules() -> None:
    """Inspect, test and document the rule catalogue."""


def _catalogue(rule_dirs: tuple[str, ...]) -> Any:
    from .rules import load_rules

    return load_rules(_paths(rule_dirs))


@rules.command("list")
@rules_option
def rules_list(rule_dirs: tuple[str, ...]) -> None:
    """List the rules: ID, theme, severity, title."""
    with input_errors():
        catalogue = _catalogue(rule_dirs)
    for loaded in catalogue.rules:
        pack = "" if loaded.pack == "builtin" else f"  [{loaded.pack}]"
        click.echo(f"{loaded.id:<9} {loaded.theme:<16} {loaded.rule.severity.value:<14} {loaded.rule.title}{pack}")


@rules.command("test")
@rules_option
@engine_option
def rules_test(rule_dirs: tuple[str, ...], engine: str) -> None:
    """Run every rule's own cases; report failures by rule ID and case."""
    from .rule_cases import run_cases

    with input_errors():
        results = run_cases(_catalogue(rule_dirs), engine)
    failures = [r for r in results if not r.ok]
    for r in failures:
        click.echo(f"FAIL {r.rule_id}/{r.case}: expected {r.expected}, got {r.got} ({r.source}) {r.detail}")
    click.echo(f"{len(results) - len(failures)} of {len(results)} rule cases pass")
    if failures:
        sys.exit(1)


@rules.command("trace")
@rules_option
def rules_trace(rule_dirs: tuple[str, ...]) -> None:
    """Print the paper -> rule matrix; exit 1 if a question or cross-cutting theme has no rule."""
    from .catalogue_docs import render_trace, trace

    with input_errors():
        rows = trace(_catalogue(rule_dirs))
    click.echo(render_trace(rows), nl=False)
    if any(not row.rule_ids for row in rows):
        sys.exit(1)


@rules.command("docs")
@rules_option
@click.option("-o", "--output", type=click.Path(), help="Write the catalogue here (atomically) instead of stdout.")
def rules_docs(rule_dirs: tuple[str, ...], output: str | None) -> None:
    """Generate the rule catalogue (docs/rules.md) from the rule files."""
    from .catalogue_docs import render_catalogue

    with input_errors():
        text = render_catalogue(_catalogue(rule_dirs))
        _emit(text, output, _rule_inputs(_paths(rule_dirs)))


@main.command()
@click.argument("profile", required=False, type=click.Path())
@click.option("--theme", "themes", multiple=True, help="Only this theme of the paper (e.g. generative_ai); repeatable.")
@click.option("--xlsx", type=click.Path(), help="Write the checklist as a workbook to this file.")
@click.option("--format", "fmt", type=click.Choice(["markdown"]), help="Print the checklist as Markdown.")
@click.option("-o", "--output", type=click.Path(), help="Write the Markdown checklist to this file (atomically) instead of stdout.")
@rules_option
@engine_option
def checklist(
    profile: str | None,
    themes: tuple[str, ...],
    xlsx: str | None,
    fmt: str | None,
    output: str | None,
    rule_dirs: tuple[str, ...],
    engine: str,
) -> None:
    """The monitoring-round checklist derived from the rules; with PROFILE, pre-filled and with the unknowns to answer."""
    if (xlsx is None) == (fmt is None):
        raise UsageFailure("choose one of --xlsx FILE or --format markdown")
    with input_errors():
        from .questionnaire.checklist import build_checklist

        inputs = _paths((profile,) if profile else ()) + _rule_inputs(_paths(rule_dirs))
        items = build_checklist(Path(profile) if profile else None, list(themes), _paths(rule_dirs), engine)
        if xlsx:
            from .output import write_atomic
            from .questionnaire.checklist_xlsx import render as render_xlsx

            write_atomic(Path(xlsx), render_xlsx(items), inputs)
        else:
            from .questionnaire.checklist_markdown import render as render_markdown

            _emit(render_markdown(items), output, inputs)


@main.command()
@click.option("--xlsx", required=True, type=click.Path(), help="The workbook to write.")
@click.option("--from", "from_profile", type=click.Path(), help="Pre-fill the workbook from this profile.")
@click.option("--force", is_flag=True, help="Replace the workbook if it exists.")
@rules_option
def template(xlsx: str, from_profile: str | None, force: bool, rule_dirs: tuple[str, ...]) -> None:
    """Write a fillable questionnaire workbook (drop-downs, citation columns, one row per fact or provision)."""
    with input_errors():
        from .errors import InputErrors
        from .loading import load_profile
        from .questionnaire.template import write_template

        target = Path(xlsx)
        if target.exists() and not force:
            raise InputErrors.single(xlsx, "file exists; refusing to overwrite it", hint="pass --force to replace it")
        inputs = _paths((from_profile,) if from_profile else ())
        stated = load_profile(from_profile) if from_profile else None
        write_template(_catalogue(rule_dirs), target, stated, inputs)


@main.command("import")
@click.argument("workbook", type=click.Path())
@click.option("-o", "--output", required=True, type=click.Path(), help="The profile YAML to write.")
@click.option("--force", is_flag=True, help="Replace the output file if it exists.")
@rules_option
def import_(workbook: str, output: str, force: bool, rule_dirs: tuple[str, ...]) -> None:
    """Read a filled questionnaire WORKBOOK back into a validated profile (every error with its sheet and cell)."""
    with input_errors():
        from .questionnaire.importer import import_to_file

        profile = import_to_file(Path(workbook), Path(output), force=force, catalogue=_catalogue(rule_dirs))
    click.echo(f"ok: {output} ({profile.jurisdiction.name}, law as of {profile.as_of})", err=True)


if __name__ == "__main__":  # pragma: no cover
    main()
