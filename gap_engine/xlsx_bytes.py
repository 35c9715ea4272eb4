"""A workbook's bytes that depend only on its content: the one serialiser every XLSX writer uses.

The gap workbook, the diff workbook, the checklist and the questionnaire template are all
circulated and compared between rounds; a file should differ from last round's only where the
content does. openpyxl's ``Workbook.save`` breaks that three ways, each fixed here once:

- it stamps the wall-clock time into the document properties and every zip entry — the caller
  gives the time instead, and zip entry times are clamped into the range a zip header can hold
  (1980-01-01 to 2107-12-31), so a law described as of 2150 or a ``SOURCE_DATE_EPOCH`` past 2107
  still gives a file rather than a crash;
- the zip entries carry the host's system and permission bits — fixed to the same values everywhere;
- openpyxl writes its XML with lxml when lxml is installed and with the standard library otherwise,
  and the two give different bytes — the standard-library writer is used either way.

Neither ``reporters`` nor ``questionnaire``: both packages write workbooks, and neither should own
the other's file format. openpyxl is imported inside functions so ``gap-engine --help`` stays instant.
"""

from __future__ import annotations

import io
import sys
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from functools import partial
from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree

from . import __version__

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

ZIP_EARLIEST = datetime(1980, 1, 1)
"""The earliest time a zip entry header can carry (the MS-DOS date epoch)."""

ZIP_LATEST = datetime(2107, 12, 31, 23, 59, 58)
"""The latest: the MS-DOS date field holds 1980 + 127 years, in two-second steps."""


def zip_time(when: datetime) -> tuple[int, int, int, int, int, int]:
    """``when`` (naive UTC) clamped into the range a zip entry can carry, as a zip ``date_time`` tuple."""
    return min(max(when, ZIP_EARLIEST), ZIP_LATEST).timetuple()[:6]


def first_sheet(workbook: Workbook) -> Worksheet:
    """A new workbook's first sheet, as the worksheet it is.

    openpyxl types ``Workbook.active`` as possibly no sheet or a chartsheet; a workbook made with
    ``Workbook()`` always starts with one worksheet, and this says so once, checked, for every writer.
    """
    from openpyxl.worksheet.worksheet import Worksheet

    sheet = workbook.active
    if not isinstance(sheet, Worksheet):
        raise TypeError(f"expected the new workbook's first sheet to be a worksheet, not {type(sheet).__name__}")
    return sheet


def fixed_bytes(workbook: Any, title: str, generated: datetime) -> bytes:
    """``workbook`` serialised with every time in it fixed to ``generated``: the same content gives the same bytes.

    The document properties carry ``generated`` itself (their format reaches year 9999); the zip entries
    carry it clamped into the zip range (``zip_time``).
    """
    from openpyxl.writer.excel import ExcelWriter

    naive = generated.astimezone(timezone.utc).replace(tzinfo=None) if generated.tzinfo else generated
    workbook.properties.creator = f"gap-engine {__version__}"
    workbook.properties.title = title
    workbook.properties.created = naive
    workbook.properties.modified = naive
    buffer = io.BytesIO()
    # ExcelWriter rather than Workbook.save: save() stamps the current time as "modified". Entries are
    # stored uncompressed here and deflated once, in stable_zip, instead of twice.
    with standard_library_xml(), zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
        ExcelWriter(workbook, archive).write_data()
    return stable_zip(buffer.getvalue(), naive)


def stable_zip(data: bytes, when: datetime) -> bytes:
    """Re-pack the archive with fixed entry times and attributes, keeping openpyxl's (stable) entry order."""
    stamp = zip_time(when)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as packed:
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0o644 << 16
            packed.writestr(info, source.read(entry.filename))
    return out.getvalue()


@contextmanager
def standard_library_xml() -> Iterator[None]:
    """Make openpyxl write with the standard library's XML writer for the duration, lxml installed or not.

    openpyxl chooses lxml or xml.etree once, when first imported, and copies the choice into each module
    that imported its XML functions; the two write different bytes (attribute quoting, namespace
    declarations), so a workbook's bytes would depend on whether lxml happens to be installed. When the
    lxml writer is active its bindings are swapped for the standard library's, and restored afterwards.
    """
    import openpyxl.xml.functions as functions
    from openpyxl.cell import _writer as cell_writer

    # The stubs leave out LXML, which functions re-exports from openpyxl.xml; it is read here, where tests set it.
    if not functions.LXML:  # type: ignore[attr-defined]
        yield
        return
    replacements = _standard_library_bindings()
    # Read before any swap: openpyxl.xml.functions is itself one of the modules swapped.
    lxml_versions = {attr: cell_writer.lxml_write_cell if attr == "write_cell" else getattr(functions, attr, None) for attr in replacements}
    swapped: list[tuple[Any, str, Any]] = []
    for name, module in list(sys.modules.items()):
        if module is None or not (name == "openpyxl" or name.startswith("openpyxl.")):
            continue
        for attr, stdlib in replacements.items():
            current = getattr(module, attr, None)
            if current is not None and current is lxml_versions[attr] and current is not stdlib:
                swapped.append((module, attr, current))
                setattr(module, attr, stdlib)
    try:
        yield
    finally:
        for module, attr, original in reversed(swapped):
            setattr(module, attr, original)


def _standard_library_bindings() -> dict[str, Any]:
    """xml.etree's versions of the writer names, with the namespace prefixes openpyxl registers for it."""
    from et_xmlfile import xmlfile
    from openpyxl.cell._writer import etree_write_cell
    from openpyxl.xml import constants

    for prefix, uri in (
        (constants.DCTERMS_PREFIX, constants.DCTERMS_NS),
        ("dcmitype", "http://purl.org/dc/dcmitype/"),
        ("cp", constants.COREPROPS_NS),
        ("c", constants.CHART_NS),
        ("a", constants.DRAWING_NS),
        ("s", constants.SHEET_MAIN_NS),
        ("r", constants.REL_NS),
        ("vt", constants.VTYPES_NS),
        ("xdr", constants.SHEET_DRAWING_NS),
        ("cdr", constants.CHART_DRAWING_NS),
        ("xml", constants.XML_NS),
        ("cust", constants.CUSTPROPS_NS),
    ):
        ElementTree.register_namespace(prefix, uri)
    return {
        "Element": ElementTree.Element,
        "SubElement": ElementTree.SubElement,
        "QName": ElementTree.QName,
        "tostring": _TOSTRING,
        "xmlfile": xmlfile,
        "register_namespace": ElementTree.register_namespace,
        "write_cell": etree_write_cell,
    }


_TOSTRING = partial(ElementTree.tostring, encoding="utf-8")
"""openpyxl's own standard-library ``tostring`` (``openpyxl.xml.functions``, lxml absent)."""
