"""Reporters: each turns CheckResults (or a Diff) into one text format. The registries feed ``--format``."""

from __future__ import annotations

from collections.abc import Callable

from ..diff_model import Diff
from ..findings import CheckResults
from . import diff_json, diff_markdown, diff_text, json_report, markdown, text

Renderer = Callable[[CheckResults], str]
DiffRenderer = Callable[[Diff], str]

REPORTERS: dict[str, Renderer] = {
    "text": text.render,
    "json": json_report.render,
    "markdown": markdown.render,
}

DIFF_REPORTERS: dict[str, DiffRenderer] = {
    "text": diff_text.render,
    "json": diff_json.render,
    "markdown": diff_markdown.render,
}
