"""The questionnaire's and checklist's workbook bytes: the shared serialiser (``gap_engine.xlsx_bytes``) with
the time taken from the profile the workbook is about.

A template or checklist sent to a Party should differ from last round's only where the content does, so
its time is the as-of date of the law it describes (the zip epoch for a blank one), never the clock.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ..xlsx_bytes import ZIP_EARLIEST, fixed_bytes

EPOCH = ZIP_EARLIEST
"""The time of a workbook about no profile (a blank template or checklist)."""


def workbook_bytes(workbook: Any, title: str, as_of: date | None = None) -> bytes:
    """Serialise ``workbook`` with its times fixed to ``as_of`` (the date of the law described) or the zip epoch."""
    when = datetime(as_of.year, as_of.month, as_of.day) if as_of else EPOCH
    return fixed_bytes(workbook, title, max(when, EPOCH))
