"""Profile text shown safely in a terminal: control characters made visible instead of obeyed.

A jurisdiction name or citation holding ESC (``\\x1b``), a C1 control such as CSI (U+009B), a
carriage return or a bidirectional override can rewrite the screen, retitle the window or hide
text when printed raw. Every text the CLI prints, and every text-format report it writes, passes
through ``terminal_safe`` (the CLI's ``_echo`` and its report renderers are the one place that calls it).

Colour is decided here too (``colour_choice``): only on a terminal, never with NO_COLOR, and the
status words painted (``paint``) after the text around them was made safe, so that an escape in
profile text can never pass for one of ours.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
"""C0 controls but tab and line feed, DEL, C1 controls, and the bidirectional marks and overrides."""


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal_safe(text: str) -> str:
    """``text`` with every control character shown as an escape (``\\x1b``, ``\\u202e``); tab and newline kept."""
    return _UNSAFE.sub(_visible, text)


def json_safe(text: str) -> str:
    """JSON text with the same characters written as JSON escapes (``\\u001b``): the same data, inert on a terminal.

    Outside strings JSON holds only ASCII punctuation and whitespace, so every match is inside a string.
    """
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


# --- colour -------------------------------------------------------------------------------------------

COLOR_MODES = ("auto", "always", "never")
"""``--color``: ``auto`` colours only a terminal and honours NO_COLOR / FORCE_COLOR; the others decide outright."""

STATUS_COLOURS: dict[str, str] = {
    "gap": "\x1b[31m\x1b[1m",  # red, bold
    "partial": "\x1b[33m",  # yellow
    "unknown": "\x1b[90m",  # grey (bright black)
    "covered": "\x1b[32m",  # green
    "reserved": "\x1b[36m",  # cyan
    "not_applicable": "\x1b[2m",  # dim
}
"""How each status word of the text report is painted: the worst stands out, the settled recede."""


def colour_choice(mode: str, environ: Mapping[str, str] | None = None) -> bool | None:
    """Whether to colour: True or False when decided, None to let click decide by whether the stream is a terminal.

    ``--color always`` and ``never`` win over the environment (a flag typed now says more than a
    variable set once, as https://no-color.org allows). Under ``auto``, NO_COLOR with any non-empty
    value turns colour off; otherwise FORCE_COLOR with any non-empty value turns it on (for CI logs
    that render ANSI); otherwise a terminal gets colour and a file or pipe does not.
    """
    env = os.environ if environ is None else environ
    if mode == "always":
        return True
    if mode == "never" or env.get("NO_COLOR"):
        return False
    if env.get("FORCE_COLOR"):
        return True
    return None


def paint(text: str, status: str) -> str:
    """``text`` (already made terminal-safe) in the colour of ``status``; click.echo strips it where colour is off.

    The SGR codes are written here rather than by click.style (the same bytes) because the library,
    the text reporter included, does not import click: only the CLI does (an import-linter contract)."""
    start = STATUS_COLOURS.get(status)
    return f"{start}{text}\x1b[0m" if start else text
