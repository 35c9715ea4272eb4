"""Errors as values that know where they are, collected and reported together."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class InputError:
    """One problem in one input: a file (line, column) or a workbook (sheet, cell), and a field."""

    source: str
    line: int | None = None  # 1-based
    column: int | None = None  # 1-based
    field: str | None = None  # dotted path, e.g. criminal_law.offences[0].conduct[1]
    message: str = ""
    hint: str | None = None
    cell: str | None = None  # e.g. IoT!C12

    def __str__(self) -> str:
        where = self.source
        if self.cell:
            where = self.cell if self.cell.startswith(self.source) else f"{self.source}: {self.cell}"
        elif self.line is not None:
            where += f":{self.line}" + (f":{self.column}" if self.column is not None else "")
        text = f"{where}: "
        if self.field:
            text += f"{self.field}: "
        text += self.message
        if self.hint:
            text += f" ({self.hint})"
        return text


def _cell_key(cell: str | None) -> tuple[str, int, str]:
    """Sort Sheet!C2 before Sheet!C10 (row numbers as numbers), then by column."""
    if not cell:
        return ("", 0, "")
    sheet, _, ref = cell.rpartition("!")
    match = re.fullmatch(r"([A-Z]+)(\d+)", ref)
    if not match:
        return (sheet, 0, ref)
    return (sheet, int(match.group(2)), match.group(1).rjust(3))


class InputErrors(Exception):
    """Raised with every error found in an input, so the user fixes them all in one pass.

    ``omitted`` counts errors a reader chose not to keep in detail (a workbook of garbage would
    otherwise yield a million); they are announced as "… and N more", never dropped without a word."""

    def __init__(self, errors: Iterable[InputError], omitted: int = 0) -> None:
        self.errors = sorted(errors, key=lambda e: (e.source, e.line or 0, e.column or 0, _cell_key(e.cell), e.field or ""))
        self.omitted = omitted
        super().__init__("\n".join(str(e) for e in self.errors) + (f"\n… and {omitted:,} more" if omitted else ""))

    @classmethod
    def single(
        cls,
        source: str,
        message: str,
        *,
        line: int | None = None,
        column: int | None = None,
        field: str | None = None,
        hint: str | None = None,
        cell: str | None = None,
    ) -> InputErrors:
        return cls([InputError(source=source, line=line, column=column, field=field, message=message, hint=hint, cell=cell)])
