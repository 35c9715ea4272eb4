"""Reporters: each turns CheckResults (or a Diff) into one text format.

This module is the one registry of output formats: ``FORMATS`` (``check --format``) and
``DIFF_FORMATS`` (``diff --format``) name each format, the module that renders it, and whether it is
streamed (written profile by profile as checked, never rendered whole). The CLI derives its
``--format`` choices from these keys, so a format added here is offered there and nowhere else needs
editing. The renderers are imported only when asked for: the CLI reads the names at start-up, and
importing every reporter (pydantic models and all) would make ``gap-engine --help`` slow.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..diff_model import Diff
    from ..findings import CheckResults

Renderer = Callable[["CheckResults"], str]
DiffRenderer = Callable[["Diff"], str]


@dataclass(frozen=True)
class OutputFormat:
    """One ``--format``: the reporter module (in this package) whose ``render`` writes it, and whether
    it is streamed (``jsonl``: ``check`` writes it line by line, so it has no whole-run renderer)."""

    module: str
    streamed: bool = False

    def renderer(self) -> Callable[[Any], str]:
        """The module's ``render``, imported now (see the module docstring for why not before)."""
        if self.streamed:
            raise LookupError(f"{self.module} is streamed profile by profile; it has no renderer of a whole run")
        render: Callable[[Any], str] = import_module(f"{__package__}.{self.module}").render
        return render


FORMATS: dict[str, OutputFormat] = {
    "text": OutputFormat("text"),
    "json": OutputFormat("json_report"),
    "markdown": OutputFormat("markdown"),
    "jsonl": OutputFormat("jsonl", streamed=True),
}
"""``check --format``, in the order ``--help`` lists them."""

DIFF_FORMATS: dict[str, OutputFormat] = {
    "text": OutputFormat("diff_text"),
    "json": OutputFormat("diff_json"),
    "markdown": OutputFormat("diff_markdown"),
}
"""``diff --format``."""


class _Renderers(Mapping[str, Callable[[Any], str]]):
    """The whole-run renderers of a registry by name (streamed formats left out), each imported on first use."""

    def __init__(self, formats: Mapping[str, OutputFormat]) -> None:
        self._formats = {name: f for name, f in formats.items() if not f.streamed}

    def __getitem__(self, name: str) -> Callable[[Any], str]:
        return self._formats[name].renderer()

    def __iter__(self) -> Iterator[str]:
        return iter(self._formats)

    def __len__(self) -> int:
        return len(self._formats)


REPORTERS: Mapping[str, Renderer] = _Renderers(FORMATS)
"""``REPORTERS["json"](results)``: the text of a whole run in that format."""

DIFF_REPORTERS: Mapping[str, DiffRenderer] = _Renderers(DIFF_FORMATS)
