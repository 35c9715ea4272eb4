"""Profile text shown safely in a terminal: control characters made visible instead of obeyed.

A jurisdiction name or citation holding ESC (``\\x1b``), a C1 control such as CSI (U+009B), a
carriage return or a bidirectional override can rewrite the screen, retitle the window or hide
text when printed raw. Every text the CLI prints, and every text-format report it writes, passes
through ``terminal_safe`` (the CLI's ``_echo`` and its report renderers are the one place that calls it).
"""

from __future__ import annotations

import re

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
