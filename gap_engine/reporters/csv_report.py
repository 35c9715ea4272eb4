"""CSV: one row per finding, for pipelines and for NGOs who prefer a flat sheet.

Every field goes through ``cells.csv_safe``, the same formula-injection escaping as the workbook
(CSV has no cell types, so a leading apostrophe is the defence). The text starts with a UTF-8
byte-order mark so that Excel shows accented jurisdiction names correctly; read it with
``encoding="utf-8-sig"``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from functools import lru_cache

from ..cells import csv_safe
from ..findings import CheckResults, Finding, ProfileResult
from ..i18n import DEFAULT, language, pgettext

COLUMNS = (
    "jurisdiction",
    "jurisdiction_name",
    "as_of",
    "evaluated_on",
    "source",
    "rule_id",
    "title",
    "theme",
    "status",
    "severity",
    "pack",
    "articles",
    "questions",
    "paper_section",
    "missing",
    "notes",
    "evidence",
    "evidence_urls",
    "finding",
    "recommendation",
    "label",
    "pack_version",
    "replaces",
    "waived",
    "waiver_justification",
    "waiver_expires",
)


def headers() -> list[str]:
    """The header row: the column keys in English (what pipelines read), their translations in French."""
    if language() == DEFAULT:
        return list(COLUMNS)
    return [pgettext("csv header", column) for column in COLUMNS]


# The French headers, marked for extraction (pgettext needs its literal context and message).
_HEADERS = [
    pgettext("csv header", "jurisdiction"),
    pgettext("csv header", "jurisdiction_name"),
    pgettext("csv header", "as_of"),
    pgettext("csv header", "evaluated_on"),
    pgettext("csv header", "source"),
    pgettext("csv header", "rule_id"),
    pgettext("csv header", "title"),
    pgettext("csv header", "theme"),
    pgettext("csv header", "status"),
    pgettext("csv header", "severity"),
    pgettext("csv header", "pack"),
    pgettext("csv header", "articles"),
    pgettext("csv header", "questions"),
    pgettext("csv header", "paper_section"),
    pgettext("csv header", "missing"),
    pgettext("csv header", "notes"),
    pgettext("csv header", "evidence"),
    pgettext("csv header", "evidence_urls"),
    pgettext("csv header", "finding"),
    pgettext("csv header", "recommendation"),
    pgettext("csv header", "label"),
    pgettext("csv header", "pack_version"),
    pgettext("csv header", "replaces"),
    pgettext("csv header", "waived"),
    pgettext("csv header", "waiver_justification"),
    pgettext("csv header", "waiver_expires"),
]
del _HEADERS

SEPARATOR = "; "
"""Joins list values (articles, questions, missing elements, evidence) inside one field."""


def _evidence(finding: Finding) -> str:
    return SEPARATOR.join(
        f"{e.ref} ({e.answer}): {e.citation or 'no citation given'}" + (f" — {e.note}" if e.note else "") for e in finding.evidence
    )


WAIVED = {"active": "yes", "expired": "expired", "not_yet_accepted": "not yet accepted"}
"""The ``waived`` column: empty without a waiver; ``yes`` only when the waiver applies on the evaluation date."""


def _waived(finding: Finding) -> str:
    return WAIVED[finding.waiver.state] if finding.waiver else ""


def _row(profile: ProfileResult, finding: Finding) -> list[str]:
    values = (
        profile.jurisdiction,
        profile.jurisdiction_name,
        profile.as_of.isoformat(),
        profile.evaluated_on.isoformat(),
        profile.source,
        finding.rule_id,
        finding.title,
        finding.theme,
        finding.status.value,
        finding.severity,
        finding.pack,
        SEPARATOR.join(finding.articles),
        SEPARATOR.join(finding.questions),
        finding.paper_section,
        SEPARATOR.join(finding.missing),
        SEPARATOR.join(finding.notes),
        _evidence(finding),
        SEPARATOR.join(e.url for e in finding.evidence if e.url),
        finding.finding,
        finding.recommendation,
        finding.label,
        finding.pack_version,
        SEPARATOR.join(finding.replaces),
        _waived(finding),
        finding.waiver.justification if finding.waiver else "",
        finding.waiver.expires.isoformat() if finding.waiver else "",
    )
    return [_safe(v) if from_rule else csv_safe(v) for v, from_rule in zip(values, _FROM_RULE, strict=True)]


_FROM_RULE = tuple(
    name
    in {"title", "theme", "status", "severity", "pack", "articles", "questions", "paper_section", "finding", "recommendation", "label"}
    | {"pack_version", "replaces"}
    for name in COLUMNS
)
"""The columns whose values come from the rule, not the profile: the same in every profile's rows."""


@lru_cache(maxsize=4_096)
def _safe(value: str | None) -> str:
    """``csv_safe``, remembered for the columns that come from the rule (titles, findings,
    recommendations, articles): they repeat in every profile's rows, and escaping them again was a
    quarter of a streamed run's time. Only those: a profile's own text (evidence, missing) rarely
    repeats, and remembering it made a streamed run's memory creep (bench: RSS along the run)."""
    return csv_safe(value)


BOM = "\ufeff"


def header() -> str:
    """The byte-order mark and the header row: the start of every CSV, streamed or not."""
    return BOM + _lines([headers()])


def profile_rows(profile: ProfileResult) -> str:
    """One profile's rows, in its findings' order: what a streamed run writes as each profile is checked."""
    return _lines(_row(profile, finding) for finding in profile.findings)


def _lines(rows: Iterable[Sequence[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


def render(results: CheckResults) -> str:
    """The CSV text: a header row, then one row per finding in the results' order (jurisdiction, rule ID)."""
    return header() + "".join(profile_rows(profile) for profile in results.profiles)
