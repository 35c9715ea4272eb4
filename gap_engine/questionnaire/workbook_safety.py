"""Opening a workbook that came by e-mail from outside, without trusting it.

Checked before openpyxl sees a byte: the file's size, its signature (an encrypted workbook is an
OLE compound file, a CSV renamed ``.xlsx`` is text), and the zip archive's directory (a small file
that inflates to gigabytes is a zip bomb). openpyxl parses the XML with defusedxml, which refuses
entity expansion and external entities; without defusedxml we refuse to read at all.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

from ..errors import InputErrors

MAX_WORKBOOK_BYTES = 20_000_000
"""A filled questionnaire is well under a megabyte; 20 MB leaves room for pasted images."""

MAX_UNCOMPRESSED_BYTES = 200_000_000
"""Total size of the archive's members once inflated."""

MAX_RATIO = 100
"""Inflated size over file size; real workbooks compress XML about 5 to 20 times."""

MAX_MEMBERS = 2_000

_OLE = b"\xd0\xcf\x11\xe0"
_ZIP = b"PK\x03\x04"
_SAVE_AS = "save it from Excel or LibreOffice as an Excel workbook (.xlsx) without a password"


def check_workbook_file(path: Path) -> None:
    """Raise InputErrors when ``path`` is not a plausible, reasonably sized .xlsx archive."""
    source = str(path)
    if not path.exists():
        raise InputErrors.single(source, "file not found", hint="check the path")
    if path.is_dir():
        raise InputErrors.single(source, "is a directory, not a workbook")
    size = path.stat().st_size
    if size > MAX_WORKBOOK_BYTES:
        raise InputErrors.single(
            source, f"workbook is {size:,} bytes, over the {MAX_WORKBOOK_BYTES:,}-byte limit", hint="is it the right file?"
        )
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith(_OLE):
        raise InputErrors.single(
            source, "is an encrypted (password-protected) workbook or an old .xls file, which cannot be read", hint=_SAVE_AS
        )
    if not head.startswith(_ZIP):
        kind = "empty" if not head else "text (CSV?)" if _looks_like_text(path) else "not an .xlsx workbook"
        raise InputErrors.single(source, f"is {kind}, not an .xlsx workbook", hint=_SAVE_AS)
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            names = {m.filename for m in members}
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InputErrors.single(source, f"is a corrupt workbook ({exc})", hint=_SAVE_AS) from None
    if len(members) > MAX_MEMBERS:
        raise InputErrors.single(source, f"workbook archive holds {len(members):,} parts, over the limit of {MAX_MEMBERS:,}")
    inflated = sum(m.file_size for m in members)
    if inflated > MAX_UNCOMPRESSED_BYTES or inflated > MAX_RATIO * max(size, 1):
        raise InputErrors.single(
            source,
            f"workbook inflates to {inflated:,} bytes from {size:,}; refusing an archive out of proportion to its size",
            hint="a genuine questionnaire never does this; ask the sender for a fresh copy",
        )
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise InputErrors.single(source, "is a zip archive but not an .xlsx workbook", hint=_SAVE_AS)


def _looks_like_text(path: Path) -> bool:
    with path.open("rb") as handle:
        sample = handle.read(4096)
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return b"\x00" not in sample


def open_workbook(path: Path) -> Any:
    """Open an untrusted workbook for reading values; every failure becomes an InputErrors."""
    check_workbook_file(path)
    from openpyxl import load_workbook
    from openpyxl.xml import DEFUSEDXML

    if not DEFUSEDXML:  # pragma: no cover - defusedxml is a dependency
        raise InputErrors.single(str(path), "refusing to read a workbook without defusedxml installed", hint="pip install defusedxml")
    try:
        return load_workbook(path, read_only=False, data_only=False, keep_links=False, keep_vba=False)
    except InputErrors:
        raise
    except Exception as exc:  # any parser failure on untrusted input is the input's fault
        if _defused(exc):
            raise InputErrors.single(
                str(path), "cannot read the workbook: its XML declares entities or a DTD, which genuine workbooks never do", hint=_SAVE_AS
            ) from None
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputErrors.single(str(path), f"cannot read the workbook: {reason}", hint=_SAVE_AS) from None


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
