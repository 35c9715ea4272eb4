"""Opening a workbook that came by e-mail from outside, without trusting it.

Checked before openpyxl sees a byte: that the path is a regular file (a FIFO or ``/dev/zero`` is
never read), its size, its signature (an encrypted workbook is an OLE compound file, a CSV renamed
``.xlsx`` is text), and the zip archive's directory (a small file that inflates to gigabytes is a
zip bomb). Then the archive's own XML is streamed, not loaded: the number of sheets, each part's
inflated size, each sheet's ``<dimension>`` claim and its actual rows, columns and cells. openpyxl
builds an object per cell, so a sheet of a million rows costs tens of seconds and hundreds of
megabytes there; streamed, it is refused after the first few thousand rows. The same pass notes
hidden sheets and hidden rows and columns, which a reviewer of the workbook would not see.

openpyxl parses the XML with defusedxml, which refuses entity expansion and external entities;
without defusedxml we refuse to read at all.
"""

from __future__ import annotations

import posixpath
import re
import stat
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from ..errors import InputError, InputErrors
from ..i18n import N_, _

MAX_WORKBOOK_BYTES = 20_000_000
"""A filled questionnaire is well under a megabyte; 20 MB leaves room for pasted images."""

MAX_UNCOMPRESSED_BYTES = 200_000_000
"""Total size of the archive's members once inflated."""

MAX_RATIO = 100
"""Inflated size over file size; real workbooks compress XML about 5 to 20 times."""

MAX_MEMBERS = 2_000

MAX_SHEETS = 100
"""Sheets per workbook; a questionnaire has about fifteen, one more per rule pack theme."""

MAX_PART_BYTES = 50_000_000
"""Inflated size of one XML part (a sheet, the shared strings, the styles...); a full Offences sheet of 5,000 rows is a few megabytes."""

MAX_ROWS = 5_000
"""Rows read per sheet below the header; a questionnaire has far fewer, and a sheet claiming a million is refused."""

MAX_COLUMNS = 200
"""Columns read per sheet; the widest sheet (Offences) has a few dozen."""

MAX_CELLS = 300_000
"""Cells in the whole workbook: a full Offences sheet (5,000 rows of some fifty columns) and the rest."""

MAX_NUMBER_CHARS = 100
"""Characters in a stored number; a longer one is no answer, and Python refuses to parse 4,300 digits and more."""

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})")

_OLE = b"\xd0\xcf\x11\xe0"
_ZIP = b"PK\x03\x04"
_SAVE_AS = N_("save it from Excel or LibreOffice as an Excel workbook (.xlsx) without a password")


@dataclass(frozen=True)
class SheetInfo:
    """What the archive says of one sheet before openpyxl reads it: its visibility and what is hidden in it."""

    name: str
    state: str  # visible, hidden or veryHidden
    hidden_rows: tuple[int, ...] = ()
    hidden_columns: tuple[str, ...] = ()  # column letters


def check_workbook_file(path: Path) -> None:
    """Raise InputErrors when ``path`` is not a plausible, reasonably sized .xlsx archive."""
    source = str(path)
    try:
        status = path.stat()
    except FileNotFoundError:
        raise InputErrors.single(source, _("file not found"), hint=_("check the path")) from None
    except OSError as exc:
        raise InputErrors.single(
            source, _("cannot read: {reason}").format(reason=exc.strerror), hint=_("check the path and its permissions")
        ) from None
    if stat.S_ISDIR(status.st_mode):
        raise InputErrors.single(source, _("is a directory, not a workbook"))
    if not stat.S_ISREG(status.st_mode):  # a FIFO would block the read, /dev/zero never end it
        raise InputErrors.single(source, _("is not a regular file (a device, pipe or socket), not an .xlsx workbook"), hint=_(_SAVE_AS))
    size = status.st_size
    if size > MAX_WORKBOOK_BYTES:
        raise InputErrors.single(
            source,
            _("workbook is {size} bytes, over the {limit}-byte limit").format(size=f"{size:,}", limit=f"{MAX_WORKBOOK_BYTES:,}"),
            hint=_("is it the right file?"),
        )
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith(_OLE):
        raise InputErrors.single(
            source, _("is an encrypted (password-protected) workbook or an old .xls file, which cannot be read"), hint=_(_SAVE_AS)
        )
    if not head.startswith(_ZIP):
        if not head:
            message = _("is empty, not an .xlsx workbook")
        elif _looks_like_text(path):
            message = _("is text (CSV?), not an .xlsx workbook")
        else:
            message = _("is not an .xlsx workbook")
        raise InputErrors.single(source, message, hint=_(_SAVE_AS))
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            names = {m.filename for m in members}
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InputErrors.single(source, _("is a corrupt workbook ({error})").format(error=exc), hint=_(_SAVE_AS)) from None
    if len(members) > MAX_MEMBERS:
        raise InputErrors.single(
            source,
            _("workbook archive holds {count} parts, over the limit of {limit}").format(
                count=f"{len(members):,}", limit=f"{MAX_MEMBERS:,}"
            ),
        )
    inflated = sum(m.file_size for m in members)
    if inflated > MAX_UNCOMPRESSED_BYTES or inflated > MAX_RATIO * max(size, 1):
        raise InputErrors.single(
            source,
            _("workbook inflates to {inflated} bytes from {size}; refusing an archive out of proportion to its size").format(
                inflated=f"{inflated:,}", size=f"{size:,}"
            ),
            hint=_("a genuine questionnaire never does this; ask the sender for a fresh copy"),
        )
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise InputErrors.single(source, _("is a zip archive but not an .xlsx workbook"), hint=_(_SAVE_AS))


def _check_dimension(ref: str, name: str, source: str) -> None:
    """Refuse a sheet whose ``<dimension ref="A1:XFD1048576">`` claims more than the limits, before reading a row."""
    from openpyxl.utils import column_index_from_string

    match = _REF.fullmatch(ref.split(":")[-1])
    if not match:
        return
    columns, rows = column_index_from_string(match.group(1).upper()), int(match.group(2))
    hint = _("its <dimension ref={ref}> says so; a questionnaire is far smaller: is it the right file?").format(ref=repr(ref))
    if rows > MAX_ROWS + 1:
        message = _("sheet has {rows} rows, over the limit of {limit}").format(rows=f"{rows:,}", limit=f"{MAX_ROWS:,}")
        raise InputErrors([InputError(source, cell=name, message=message, hint=hint)])
    if columns > MAX_COLUMNS:
        message = _("sheet has {columns} columns, over the limit of {limit}").format(columns=f"{columns:,}", limit=MAX_COLUMNS)
        raise InputErrors([InputError(source, cell=name, message=message, hint=hint)])


def _int(text: str | None) -> int | None:
    """An attribute's row or column number; None when absent or not a number; a very long one is simply very large."""
    if text is None or not (text.isascii() and text.isdigit()):
        return None
    return int(text) if len(text) < 10 else 10**10


def _looks_like_text(path: Path) -> bool:
    with path.open("rb") as handle:
        sample = handle.read(4096)
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return b"\x00" not in sample


def open_workbook(path: Path) -> tuple[Any, list[SheetInfo]]:
    """Open an untrusted workbook for reading values, with what its archive says of each sheet.

    Every failure becomes an InputErrors; the limits are checked on the archive before openpyxl
    builds a single cell."""
    check_workbook_file(path)
    from openpyxl import load_workbook
    from openpyxl.xml import DEFUSEDXML

    if not DEFUSEDXML:  # pragma: no cover - defusedxml is a dependency
        raise InputErrors.single(str(path), _("refusing to read a workbook without defusedxml installed"), hint="pip install defusedxml")
    try:
        sheets = inspect_sheets(path)
        return load_workbook(path, read_only=False, data_only=False, keep_links=False, keep_vba=False), sheets
    except InputErrors:
        raise
    except Exception as exc:  # any parser failure on untrusted input is the input's fault
        if _defused(exc):
            raise InputErrors.single(
                str(path),
                _("cannot read the workbook: its XML declares entities or a DTD, which genuine workbooks never do"),
                hint=_(_SAVE_AS),
            ) from None
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputErrors.single(str(path), _("cannot read the workbook: {reason}").format(reason=reason), hint=_(_SAVE_AS)) from None


def inspect_sheets(path: Path) -> list[SheetInfo]:
    """Stream the archive's XML (never building it in memory) and refuse a workbook over the limits.

    Checked per sheet, in order: the inflated size of its part, the rows and columns its
    ``<dimension>`` claims, then the rows, columns and cells it actually holds (a ``<dimension>`` is
    optional and may lie), and the length of each stored number. The workbook-wide cell count stops
    a workbook that spreads its cells over many sheets."""
    source = str(path)
    with zipfile.ZipFile(path) as archive:
        sizes = {m.filename: m.file_size for m in archive.infolist()}
        if sizes["xl/workbook.xml"] > MAX_PART_BYTES:
            raise _over(source, None, _part_over("xl/workbook.xml", sizes["xl/workbook.xml"]))
        listed = _listed_sheets(archive, source)
        if len(listed) > MAX_SHEETS:
            raise _over(source, None, _("workbook has over {limit} sheets, the limit").format(limit=MAX_SHEETS))
        sheet_parts = {part for _name, _state, part in listed}
        for member, size in sizes.items():  # shared strings, styles, comments...: openpyxl loads each whole
            if member not in sheet_parts and member.endswith((".xml", ".rels", ".vml")) and size > MAX_PART_BYTES:
                raise _over(source, None, _part_over(member, size))
        cells = 0
        out = []
        for name, state, part in listed:
            if part is None or part not in sizes:
                out.append(SheetInfo(name, state))  # openpyxl reports a sheet without its part
                continue
            if sizes[part] > MAX_PART_BYTES:
                raise _over(
                    source,
                    name,
                    _("sheet inflates to {size} bytes, over the limit of {limit}").format(
                        size=f"{sizes[part]:,}", limit=f"{MAX_PART_BYTES:,}"
                    ),
                )
            with archive.open(part) as stream:
                info, counted = _scan_sheet(stream, name, state, source, MAX_CELLS - cells)
            cells += counted
            out.append(info)
    return out


def _over(source: str, sheet: str | None, message: str) -> InputErrors:
    return InputErrors(
        [InputError(source=source, cell=sheet, message=message, hint=_("a questionnaire is far smaller; is it the right file?"))]
    )


def _part_over(member: str, size: int) -> str:
    return _("part {member} inflates to {size} bytes, over the limit of {limit}").format(
        member=member, size=f"{size:,}", limit=f"{MAX_PART_BYTES:,}"
    )


def _iterparse(stream: IO[bytes], events: tuple[str, ...]) -> Iterator[tuple[str, Any]]:
    from defusedxml.ElementTree import iterparse

    return iterparse(stream, events=events, forbid_dtd=True)


def _listed_sheets(archive: zipfile.ZipFile, source: str) -> list[tuple[str, str, str | None]]:
    """(name, state, archive part) of each worksheet the workbook lists, in its order."""
    targets: dict[str, str] = {}
    if "xl/_rels/workbook.xml.rels" in archive.namelist():
        with archive.open("xl/_rels/workbook.xml.rels") as stream:
            for _event, element in _iterparse(stream, ("end",)):
                if element.tag == f"{_PKG_REL}Relationship" and element.get("Id") and element.get("Target"):
                    target = element.get("Target")
                    part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
                    targets[element.get("Id")] = part
    listed = []
    with archive.open("xl/workbook.xml") as stream:
        for _event, element in _iterparse(stream, ("end",)):
            if element.tag == f"{_MAIN}sheet":
                listed.append((element.get("name", ""), element.get("state", "visible"), targets.get(element.get(f"{_REL}id", ""))))
                if len(listed) > MAX_SHEETS:
                    break
    return listed


def _scan_sheet(stream: IO[bytes], name: str, state: str, source: str, cells_left: int) -> tuple[SheetInfo, int]:
    """One sheet's hidden rows and columns and its cell count; refuses it at the first limit it passes."""
    from openpyxl.utils import column_index_from_string, get_column_letter

    hidden_rows: list[int] = []
    hidden_columns: list[str] = []
    cells = rows = 0
    ref, kind = "", None
    for event, element in _iterparse(stream, ("start", "end")):
        tag = element.tag
        if event == "start":
            if tag == f"{_MAIN}dimension":
                _check_dimension(element.get("ref", ""), name, source)
            elif tag == f"{_MAIN}row":
                rows += 1
                number = _int(element.get("r")) or rows
                if rows > MAX_ROWS + 1 or number > MAX_ROWS + 1:
                    raise _over(source, name, f"sheet has rows beyond row {MAX_ROWS + 1:,}, over the limit of {MAX_ROWS:,} rows")
                if element.get("hidden") in ("1", "true"):
                    hidden_rows.append(number)
            elif tag == f"{_MAIN}c":
                cells += 1
                if cells > cells_left:
                    raise _over(source, name, f"workbook has over {MAX_CELLS:,} cells, the limit")
                ref, kind = element.get("r", ""), element.get("t", "n")
                match = _REF.fullmatch(ref)
                if match and column_index_from_string(match.group(1).upper()) > MAX_COLUMNS:
                    raise _over(
                        source,
                        f"{name}!{ref}",
                        f"a cell beyond column {get_column_letter(MAX_COLUMNS)}, over the limit of {MAX_COLUMNS} columns",
                    )
            elif tag == f"{_MAIN}col" and element.get("hidden") in ("1", "true"):
                low, high = max(_int(element.get("min")) or 1, 1), _int(element.get("max")) or 1
                hidden_columns += [get_column_letter(i) for i in range(low, min(high, MAX_COLUMNS) + 1)]
        elif tag == f"{_MAIN}v" and kind == "n" and len(element.text or "") > MAX_NUMBER_CHARS:
            raise InputErrors(
                [
                    InputError(
                        source=source,
                        cell=f"{name}!{ref}",
                        message=_("the number stored here has {count} characters, over the limit of {limit}").format(
                            count=f"{len(element.text or ''):,}", limit=MAX_NUMBER_CHARS
                        ),
                        hint=_("type the number again, or write it as text"),
                    )
                ]
            )
        elif tag in (f"{_MAIN}c", f"{_MAIN}row"):
            element.clear()  # the stream keeps no cell it has passed
    return SheetInfo(name, state, tuple(hidden_rows), tuple(hidden_columns)), cells


def _defused(exc: BaseException | None) -> bool:
    """Whether defusedxml refused the XML somewhere in the chain (openpyxl wraps its parser's errors)."""
    from defusedxml.common import DefusedXmlException

    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, DefusedXmlException):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False
