"""Interface strings and dates in the reader's language (English or French).

Why gettext through Babel: the catalogue (``locale/fr/LC_MESSAGES/gap_engine.po``) is the format
translators and their tools know, ``pybabel extract`` finds every ``_()`` in the code (``make i18n``),
and ``tests/test_i18n.py`` fails when an extracted message has no French translation.

Why the ``.po`` is compiled here, in memory, on first use, rather than shipped as a ``.mo``: a
committed ``.mo`` can silently lag its ``.po``, and a build step would be one more thing a fresh
``pip install -e .`` or CI could skip. Compiling about a hundred messages takes milliseconds.

The language is a context variable set once per command (``--lang``); library code asks for
``_("...")`` when it renders, never at import time, so a module-level table of labels holds the
English message ids and translates them where they are shown. JSON output never goes through
here: its keys and enum values stay language-neutral.
"""

from __future__ import annotations

import gettext as gnu_gettext
import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from functools import cache
from pathlib import Path
from typing import Literal

Language = Literal["en", "fr"]
LANGUAGES: tuple[Language, ...] = ("en", "fr")
DEFAULT: Language = "en"
DOMAIN = "gap_engine"
LOCALE_DIR = Path(__file__).with_name("locale")
LANGUAGE_NAMES = {"en": "English", "fr": "French"}  # message ids: show them through _()

_current: ContextVar[Language] = ContextVar("gap_engine_language", default=DEFAULT)


def catalogue_path(lang: str) -> Path:
    """Where a language's message catalogue (.po) lives in the package."""
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def check_language(lang: str) -> Language:
    """The language code, or a ValueError naming the ones there are."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; choose one of {', '.join(LANGUAGES)}")
    return lang


@cache
def translations(lang: str) -> gnu_gettext.NullTranslations:
    """The compiled catalogue of a language (English: the message ids themselves)."""
    check_language(lang)
    path = catalogue_path(lang)
    if lang == DEFAULT or not path.is_file():
        return gnu_gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with path.open("rb") as handle:
        catalog = read_po(handle, locale=lang, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)  # a fuzzy (unchecked) translation is never shown
    buffer.seek(0)
    return gnu_gettext.GNUTranslations(buffer)


def language() -> Language:
    """The language outputs for people are written in now."""
    return _current.get()


def set_language(lang: str) -> None:
    """Set the language for the rest of this command (the CLI's ``--lang``)."""
    _current.set(check_language(lang))


@contextmanager
def using(lang: str) -> Iterator[None]:
    """Write in ``lang`` inside the block (tests, and a library caller rendering one report in French)."""
    token = _current.set(check_language(lang))
    try:
        yield
    finally:
        _current.reset(token)


def _(message: str) -> str:
    """The message in the current language (the English message id when it has no translation)."""
    return translations(language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form of a message, for ``n``, in the current language."""
    return translations(language()).ngettext(singular, plural, n)


def format_date(value: date, lang: str | None = None) -> str:
    """A date as people of the language read it: ISO ``2026-12-02`` in English (what every English
    output has always shown, and unambiguous), ``2 décembre 2026`` in French."""
    lang = lang or language()
    if lang == DEFAULT:
        return value.isoformat()
    from babel.dates import format_date as babel_date

    return babel_date(value, format="long", locale=lang)


def N_(message: str) -> str:
    """Mark a message for extraction where it is defined (a module-level table); ``_()`` translates it where it is shown."""
    return message


def pgettext(context: str, message: str) -> str:
    """A message whose translation depends on where it is shown (``pgettext("csv header", "status")``)."""
    return translations(language()).pgettext(context, message)


gettext = _
"""``_`` under its long name, for modules that use ``_`` as a throwaway variable (extracted all the same)."""
