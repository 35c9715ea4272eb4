"""Did-you-mean suggestions for every kind of name a user can mistype (fields, rule IDs, themes, columns).

One module so every message suggests by the same measure; it knows nothing of profiles or rules.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

CUTOFF = 0.6
"""difflib's similarity ratio a candidate must reach: below it a suggestion misleads more than it helps."""


def closest(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate most like ``word``, or None when none is close enough.

    ``word`` itself may be the answer: a caller that normalised what was typed (``gai-011`` asked
    as ``GAI-011``) suggests the exact name. A caller to whom ``word`` cannot be right leaves it out
    of ``candidates`` (yamlio does, for unknown fields)."""
    match = difflib.get_close_matches(word, list(candidates), n=1, cutoff=CUTOFF)
    return match[0] if match else None


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    """The usual hint, ``did you mean 'x'?``, or None when nothing is close."""
    match = closest(word, candidates)
    return f"did you mean {match!r}?" if match else None
