"""Reporters: each turns CheckResults into one text format. The registry feeds ``--format``."""

from __future__ import annotations

from collections.abc import Callable

from ..findings import CheckResults
from . import json_report, markdown, text

Renderer = Callable[[CheckResults], str]

REPORTERS: dict[str, Renderer] = {
    "text": text.render,
    "json": json_report.render,
    "markdown": markdown.render,
}
