"""A workbook as bytes that depend only on its content: the same questionnaire gives the same file.

openpyxl's ``save`` stamps the wall-clock time into the document properties and the zip entries;
a template or checklist sent to a Party should differ from last round's only where the content does.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from typing import Any

from .. import __version__

EPOCH = datetime(1980, 1, 1)
"""The earliest time a zip entry can carry; used when no profile date applies."""


def workbook_bytes(workbook: Any, title: str, as_of: date | None = None) -> bytes:
    """Serialise ``workbook`` with its times fixed to ``as_of`` (the date of the law described) or the zip epoch."""
    from openpyxl.writer.excel import ExcelWriter

    when = datetime(as_of.year, as_of.month, as_of.day) if as_of else EPOCH
    when = max(when, EPOCH)
    workbook.properties.creator = f"gap-engine {__version__}"
    workbook.properties.title = title
    workbook.properties.created = when
    workbook.properties.modified = when
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(workbook, archive).write_data()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw.getvalue())) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as packed:
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=when.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            packed.writestr(info, source.read(entry.filename))
    return out.getvalue()
