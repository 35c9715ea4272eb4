"""Profile text made inert in Markdown: it reads the same, and never becomes markup, HTML or a link.

A jurisdiction name, citation, note or waiver justification is text the user wrote. Put raw into a
memo, a newline in it starts a heading or a list, ``*`` and ``_`` start emphasis, ``[x](javascript:…)``
is a link, ``<img onerror=…>`` is HTML that a permissive renderer runs, and ``>`` closes an autolink.
Every Markdown writer (memo, checklist, diff, rule catalogue) puts text through ``inline`` (or ``cell``
in a table) and addresses through ``link``; the markup around them is the writer's own.
"""

from __future__ import annotations

import re

from .terminal import terminal_safe
from .urls import is_http_url

_LINE_BREAKS = re.compile(r"\r\n|[\n\r\x0b\x0c\x85\u2028\u2029]")
_PUNCTUATION = re.compile(r"[\\`*\[\]|~$]")
# An underscore inside a word (hash_sharing) is never emphasis in CommonMark; only one at a word's edge is escaped.
_EDGE_UNDERSCORE = re.compile(r"(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])")
# What starts a block when it opens a line: a heading, a list item, a thematic break, a setext underline
# (a quote's ``>`` is an entity already). A number is a list marker only before a space or the end: "0.1.0" stays as it is.
_BLOCK_START = re.compile(r"^(\s*)([-+=:#]|\d{1,9}[.)](?=\s|$))")


def inline(text: object) -> str:
    """``text`` as literal inline Markdown: one line, punctuation escaped, ``<`` ``>`` ``&`` as entities, controls shown."""
    value = _LINE_BREAKS.sub(" ", str(text))
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    value = _PUNCTUATION.sub(lambda m: "\\" + m.group(), value)
    value = _EDGE_UNDERSCORE.sub(r"\\_", value)
    value = _BLOCK_START.sub(_escape_block_start, value)
    return terminal_safe(value)


def _escape_block_start(match: re.Match[str]) -> str:
    """``\\-`` for a list or heading marker; ``12\\.`` for an ordered-list number."""
    marker = match.group(2)
    escaped = marker[:-1] + "\\" + marker[-1] if marker[0].isdigit() else "\\" + marker
    return match.group(1) + escaped


def cell(text: object) -> str:
    """``inline`` for a table cell (``|`` is escaped there too); ``—`` for no text."""
    if text is None or str(text) == "":
        return "—"
    return inline(text)


def link(url: str) -> str:
    """An autolink ``<https://…>`` for an address that passes the strict check, otherwise the address as inert text."""
    if is_http_url(url):
        return f"<{url}>"
    return inline(url)
