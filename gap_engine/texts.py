"""Rule, theme and question texts in the reader's language, chosen once when results are built.

The results carry the texts in the language asked for, so that no reporter reaches back to the
rule loader. A rule or theme a pack gives no text for in that language keeps its pack's own
language, and one notice on stderr says which (the report is never silently half-translated).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass, field

from .findings import Finding, PackInfo, ThemeInfo
from .i18n import N_, _
from .packs import Pack
from .rules import LoadedRule, RuleCatalogue

LANGUAGE_NAMES = {"en": N_("English"), "fr": N_("French")}


@dataclass
class Fallbacks:
    """What had no text in the language asked for, by pack: rule IDs, theme IDs and question IDs."""

    rules: dict[str, list[str]] = field(default_factory=dict)
    themes: dict[str, list[str]] = field(default_factory=dict)
    questions: dict[str, list[str]] = field(default_factory=dict)

    def add(self, kind: dict[str, list[str]], pack: str, item: str) -> None:
        items = kind.setdefault(pack, [])
        if item not in items:
            items.append(item)

    def notices(self, lang: str, languages: dict[str, str]) -> list[str]:
        """One line per pack with something missing, naming the first few items."""
        out = []
        for pack in sorted({*self.rules, *self.themes, *self.questions}):
            parts = [
                f"{label} {_first(items)}"
                for label, items in (
                    (_("rules"), self.rules.get(pack, [])),
                    (_("themes"), self.themes.get(pack, [])),
                    (_("questions"), self.questions.get(pack, [])),
                )
                if items
            ]
            out.append(
                _("notice: pack {pack} has no {language} text for {items}; shown in {own}").format(
                    pack=pack,
                    language=_(LANGUAGE_NAMES[lang]),
                    items="; ".join(parts),
                    own=_(LANGUAGE_NAMES[languages.get(pack, "en")]),
                )
            )
        return out


def _first(items: list[str], n: int = 5) -> str:
    shown = ", ".join(sorted(items)[:n])
    return shown + (_(" and {n} more").format(n=len(items) - n) if len(items) > n else "")


def localise_findings(findings: Iterable[Finding], catalogue: RuleCatalogue, lang: str, fallbacks: Fallbacks) -> list[Finding]:
    """Each finding with its rule's title, finding, recommendation and paper section in ``lang``."""
    by_id = catalogue.by_id()
    out = []
    for finding in findings:
        loaded: LoadedRule | None = by_id.get(finding.rule_id)
        if loaded is None:
            out.append(finding)
            continue
        texts, missing = loaded.rule.texts(lang, loaded.pack_language)
        if missing:
            fallbacks.add(fallbacks.rules, loaded.pack, loaded.id)
        theme = loaded.theme_in(lang)
        if theme is None:
            fallbacks.add(fallbacks.themes, loaded.pack, loaded.theme)
        section = theme[1] if theme else loaded.paper_section
        out.append(finding.model_copy(update={**texts, "paper_section": section}))
    return out


def pack_info(pack: Pack, lang: str, fallbacks: Fallbacks) -> PackInfo:
    """What the results say about a pack, its themes and questions in ``lang`` (the pack's own language where it gives none)."""
    themes = []
    for theme in pack.themes:
        texts = theme.in_language(lang, pack.language)
        if texts is None:
            fallbacks.add(fallbacks.themes, pack.id, theme.id)
            texts = (theme.title, theme.section)
        themes.append(ThemeInfo(id=theme.id, title=texts[0], section=texts[1]))
    questions = {}
    for question_id, text in pack.questions.items():
        translated = pack.question_text(question_id, lang)
        if translated is None:
            fallbacks.add(fallbacks.questions, pack.id, question_id)
        questions[question_id] = translated or text
    source = pack.source_title if lang == pack.language else pack.source_translations.get(lang, pack.source_title)
    return PackInfo(
        id=pack.id,
        title=pack.title_in(lang),
        version=pack.version,
        source=source,
        url=pack.source_url,
        licence=pack.licence,
        themes=themes,
        questions=questions,
    )


def report_fallbacks(fallbacks: Fallbacks, catalogue: RuleCatalogue, lang: str) -> None:
    """Print the fallback notices on stderr (never into the report itself)."""
    languages = {pack.id: pack.language for pack in catalogue.packs}
    for notice in fallbacks.notices(lang, languages):
        print(notice, file=sys.stderr)
