"""A validated profile written back as the YAML a person would write: defaults left out, bare answers.

The result loads back (``gap-engine validate``) to an equal profile; ``import`` relies on that.
"""

from __future__ import annotations

import io
import re
from datetime import date
from typing import Any

from ..profile import Profile

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
HEADER = "# Imported from a questionnaire workbook by gap-engine import. Facts left out are unknown.\n"


def dump_profile(profile: Profile) -> str:
    from ruamel.yaml import YAML

    data = _compact(profile.model_dump(mode="json", exclude_defaults=True))
    data = _dates(profile.model_dump(mode="python", exclude_defaults=True), data)
    if "extensions" in data:
        data["extensions"] = _text_dates(data["extensions"])
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.allow_unicode = True
    yaml.width = 120
    # ruamel declares this setting as None (its unset default); False is the value it documents and reads.
    yaml.sort_base_mapping_type_on_output = False  # type: ignore[assignment]
    buffer = io.StringIO()
    yaml.dump(data, buffer)
    return HEADER + buffer.getvalue()


def _compact(node: Any) -> Any:
    """A fact that carries only its answer is written as the bare answer (``hash_sharing: yes``)."""
    if isinstance(node, dict):
        if set(node) == {"answer"} and isinstance(node["answer"], str):
            return node["answer"]
        return {key: _compact(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_compact(item) for item in node]
    return node


def _text_dates(node: Any) -> Any:
    """Pack facts are kept raw, so their dates are the text the YAML reader made of them: write them back as
    unquoted YAML dates, which the reader turns into the same text again."""
    if isinstance(node, dict):
        return {key: _text_dates(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_text_dates(item) for item in node]
    if isinstance(node, str) and _ISO_DATE.match(node):
        try:
            return date.fromisoformat(node)
        except ValueError:
            return node
    return node


def _dates(python: Any, data: Any) -> Any:
    """Put real dates back where JSON mode made strings, so they are written as unquoted YAML dates."""
    if isinstance(python, date) and isinstance(data, str):
        return python
    if isinstance(python, dict) and isinstance(data, dict):
        values = list(python.values())
        return {key: _dates(values[i], value) if i < len(values) else value for i, (key, value) in enumerate(data.items())}
    if isinstance(python, list) and isinstance(data, list):
        return [_dates(p, d) for p, d in zip(python, data, strict=True)]
    return data
