"""Code-health guarantees that a refactoring could silently undo.

Every file a user writes (profile, rule file, pack manifest, waivers) is validated by models sharing one
strict base; a reservation's place is spelt by one function whichever file names it; modules use each
other's public names only; and a new workbook's first sheet is checked to be a worksheet.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from pydantic import ValidationError

from gap_engine.packs import PackManifest
from gap_engine.profile import Profile, Reservation
from gap_engine.reservations import RESERVABLE, reservation_key
from gap_engine.rules import ReservationRef, RuleFile
from gap_engine.strict import Strict
from gap_engine.waivers import Waiver, WaiverFile
from gap_engine.xlsx_bytes import first_sheet

PACKAGE = Path(__file__).resolve().parent.parent / "gap_engine"


@pytest.mark.parametrize("model", [Profile, Reservation, RuleFile, ReservationRef, PackManifest, WaiverFile, Waiver])
def test_every_user_file_model_is_strict(model: type[Strict]) -> None:
    assert issubclass(model, Strict)
    assert model.model_config.get("extra") == "forbid"
    assert model.model_config.get("frozen") is True


def test_the_strict_base_refuses_unknown_keys_and_changes() -> None:
    article, paragraph, indent = next(iter(RESERVABLE))
    ref = ReservationRef(article=article, paragraph=paragraph, indent=indent)
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        ReservationRef(article=article, paragraph=paragraph, indent=indent, indnet=1)
    with pytest.raises(ValidationError, match="frozen"):
        ref.article = 21


@pytest.mark.parametrize(
    ("place", "key"),
    [((20, 3, None), "20(3)"), ((18, 1, 2), "18(1) indent 2"), ((25, None, None), "25"), ((25, None, 1), "25 indent 1")],
)
def test_reservation_key_spelling(place: tuple[int, int | None, int | None], key: str) -> None:
    assert reservation_key(*place) == key


@pytest.mark.parametrize("place", sorted(RESERVABLE, key=str))
def test_a_rule_and_a_profile_name_each_reservation_the_same_way(place: tuple[int, int | None, int | None]) -> None:
    article, paragraph, indent = place
    ref = ReservationRef(article=article, paragraph=paragraph, indent=indent)
    made = Reservation(article=article, paragraph=paragraph, indent=indent, extent="whole")
    assert ref.key == made.key == reservation_key(*place)


def _private_cross_imports() -> list[str]:
    """``from .module import _name`` between gap_engine modules (``_`` and ``N_``, the gettext markers, are public)."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.level > 0 or (node.module or "").startswith("gap_engine")):
                for alias in node.names:
                    if alias.name.startswith("_") and alias.name not in ("_", "N_") and not alias.name.startswith("__"):
                        found.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno} imports {alias.name}")
    return found


def test_no_module_imports_another_modules_private_names() -> None:
    assert _private_cross_imports() == []


def test_first_sheet_is_the_new_workbooks_worksheet() -> None:
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

    workbook = Workbook()
    sheet = first_sheet(workbook)
    assert isinstance(sheet, Worksheet) and sheet is workbook.worksheets[0]


def test_first_sheet_refuses_a_chartsheet() -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    workbook.create_chartsheet("Chart")
    workbook.active = 0
    with pytest.raises(TypeError, match="Chartsheet"):
        first_sheet(workbook)
