"""What counts as a web address in a profile: an http(s) URL a strict parser agrees on, and nothing that could break out.

A citation's ``url`` ends up inside Markdown autolinks (``<https://…>``), workbook hyperlinks and
CSV cells. A regex that accepts "http(s):// then no whitespace" also accepts ``https://example.org/a><script>``
(the ``>`` closes the autolink), a trailing newline (``$`` matches before it) or a NUL. So the address
must parse (``urllib.parse``) as http or https with a host and a valid port, and hold only characters a
URL may hold unescaped: no whitespace, no control character, none of ``<>"`{}|\\^``.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_FORBIDDEN = re.compile(r"[\x00-\x20\x7f-\x9f<>\"`{}|\\^\s\u2028\u2029\ufeff]")


def url_problem(value: str) -> str | None:
    """Why ``value`` is not an acceptable http(s) address, or None when it is."""
    bad = _FORBIDDEN.search(value)
    if bad:
        char = bad.group()
        shown = repr(char)[1:-1] if not char.isprintable() or char.isspace() else char
        return (
            f"must be an http:// or https:// address; found '{shown}' at character {bad.start() + 1}, which a URL may not hold "
            "unescaped (copy the address from the browser's address bar; percent-encode a space as %20)"
        )
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number in range
    except ValueError:
        return "must be an http:// or https:// address (it does not parse as a URL)"
    if parts.scheme.lower() not in ("http", "https") or not value.lower().startswith(("http://", "https://")):
        return "must be an http:// or https:// address"
    if not parts.hostname:
        return "must be an http:// or https:// address with a host name"
    return None


def is_http_url(value: str) -> bool:
    """Whether ``value`` is an acceptable http(s) address (see ``url_problem``)."""
    return url_problem(value) is None
