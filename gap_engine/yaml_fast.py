"""The fast path for reading YAML: libyaml (PyYAML's C parser) composes, we build plain data.

ruamel.yaml's pure-Python round-trip parser was half the time of a check and most of the test
suite's. libyaml parses ~25 times faster, but PyYAML resolves plain scalars by YAML 1.1 rules
(``NO`` would become False: Norway's country code, and every ``yes``/``no`` answer). So the
composer here resolves with **ruamel.yaml's own YAML 1.2 table** — the same regular expressions,
in the same order — and builds only the values whose meaning is beyond doubt: text, null,
true/false, plain decimal integers and floats, dates (kept as text, as the ruamel path does).

Anything else returns None and the caller reads the text with ruamel, which either gives the
same answer or refuses with a located error: tags, anchors used by aliases, merge keys (``<<``),
directives (``%YAML``), non-text keys, duplicate keys, octal/hex/underscored numbers, integers
too long for Python's int-from-text limit, several documents, syntax errors, deep nesting.
Being sure and slow on the rare odd file beats being fast and different on any file.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

Loc = tuple[int, int]
PathKey = tuple[str | int, ...]

_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
_FLOAT = re.compile(r"[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)(?:[eE][-+]?[0-9]+)?")  # only asked of what is tagged float
_INF = re.compile(r"[-+]?\.(?:inf|Inf|INF)")
_NAN = re.compile(r"\.(?:nan|NaN|NAN)")
_DIRECTIVE = re.compile(r"^%", re.MULTILINE)
_BARE_TAG = re.compile(r"(?:^|[\s,\[{])!(?=[\s,\]}]|$)", re.MULTILINE)
"""A bare ``!`` (the non-specific tag): libyaml hides it from the resolver, so the text is searched."""

MAX_INT_DIGITS = 4300
"""Python refuses to turn longer digit strings into ints (CPython's default int_max_str_digits);
such a number goes to the ruamel path, which refuses it with its line and column."""

# Tags the resolver below hands out; anything else on a node was written in the file.
_STR, _NULL, _BOOL, _INT_TAG, _FLOAT_TAG, _DATE, _VALUE = "?str", "?null", "?bool", "?int", "?float", "?timestamp", "?value"
_MAP, _SEQ, _ODD = "?map", "?seq", "?odd"
_BY_YAML_TAG = {
    "tag:yaml.org,2002:bool": _BOOL,
    "tag:yaml.org,2002:float": _FLOAT_TAG,
    "tag:yaml.org,2002:int": _INT_TAG,
    "tag:yaml.org,2002:null": _NULL,
    "tag:yaml.org,2002:timestamp": _DATE,
    "tag:yaml.org,2002:value": _VALUE,
}


MAX_DEPTH = 100
"""Deepest nesting of mappings and sequences either path accepts (profiles and rules nest under a
dozen levels). One limit for both, so they agree; ruamel alone gave up between 250 and 1,000
levels depending on the brackets, after seconds of work."""


class _Fallback(Exception):
    """The fast path declines this text; the ruamel path decides."""


class TooDeep(Exception):
    """Nested deeper than MAX_DEPTH (or than libyaml's own limit of 1,000 levels): refused on either path."""


def available() -> bool:
    """True when PyYAML is installed with its libyaml C extension (without it there is no speed to gain)."""
    try:
        import yaml
    except ImportError:
        return False
    return bool(getattr(yaml, "__with_libyaml__", False))


@cache
def _core_resolvers() -> dict[str, tuple[tuple[str, Any], ...]]:
    """ruamel.yaml's YAML 1.2 implicit resolvers by first character, so both paths tag every plain
    scalar identically (a resolver this module wrote itself could drift from ruamel's)."""
    from ruamel.yaml.resolver import implicit_resolvers

    table: dict[str, list[tuple[str, Any]]] = {}
    for versions, tag, regexp, first in implicit_resolvers:
        if (1, 2) not in versions:
            continue
        ours = _BY_YAML_TAG.get(tag, _ODD)
        compiled = re.compile(regexp.pattern, regexp.flags)  # ruamel wraps it in a lazy proxy, slow to call
        for char in first:
            table.setdefault(char, []).append((ours, compiled))
    return {char: tuple(entries) for char, entries in table.items()}


@cache
def _loader_class() -> type:
    """A libyaml parser whose resolver speaks YAML 1.2 core (ruamel's table) instead of PyYAML's 1.1."""
    from yaml._yaml import CParser
    from yaml.nodes import ScalarNode
    from yaml.resolver import BaseResolver

    resolvers = _core_resolvers()

    class CoreLoader(CParser, BaseResolver):
        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            BaseResolver.__init__(self)

        def descend_resolver(self, current_node: Any, current_index: Any) -> None:
            """No path resolvers here: skip PyYAML's bookkeeping, called twice per node."""

        def ascend_resolver(self) -> None:
            pass

        def resolve(self, kind: type, value: str | None, implicit: Any) -> str:
            """Called by libyaml's composer for every node with no tag of its own (or the bare ``!``)."""
            if kind is ScalarNode:
                if implicit[0]:  # plain scalar
                    for tag, regexp in resolvers.get(value[0] if value else "", ()):
                        if regexp.match(value):
                            return tag
                    return _STR
                return _STR if implicit[1] else _ODD  # quoted / block, or a bare '!' tag
            if not implicit:
                return _ODD  # a bare '!' on a mapping or sequence
            return _MAP if kind.__name__ == "MappingNode" else _SEQ

    return CoreLoader


def compose(text: str) -> tuple[Any, dict[PathKey, Loc]] | None:
    """Plain data and 1-based positions (the same as the ruamel path gives), or None to fall back."""
    import yaml

    if text.startswith("\ufeff"):
        text = text[1:]
    if "\t" in text or "\x85" in text or "\u2028" in text or "\u2029" in text:
        # libyaml (YAML 1.1) counts NEL and the Unicode line and paragraph separators as line breaks,
        # ruamel (1.2) does not, so lines would differ; and ruamel refuses tabs libyaml accepts.
        return None
    if _DIRECTIVE.search(text):
        return None  # %YAML 1.1 changes what plain scalars mean; ruamel honours it
    if "!" in text and _BARE_TAG.search(text):
        return None
    loader = _loader_class()(text)
    try:
        node = loader.get_single_node()
    except yaml.YAMLError as exc:
        if "maximum nesting depth" in str(exc):
            raise TooDeep from None
        return None  # the ruamel path words the error (with its line) as users have always seen it
    finally:
        loader.dispose()
    if node is None:
        return None, {}
    positions: dict[PathKey, Loc] = {}
    try:
        if node.tag in (_MAP, _SEQ):
            positions[()] = (node.start_mark.line + 1, node.start_mark.column + 1)
        data = _build(node, (), positions, set())
    except (_Fallback, RecursionError):
        return None
    return data, positions


def _build(node: Any, path: PathKey, positions: dict[PathKey, Loc], seen: set[int]) -> Any:
    """Plain Python from a composed node, recording each key's and item's position by its path.

    ``seen`` holds every node built: libyaml composes an alias as the very node it names, so a
    node met twice is an alias — the ruamel path refuses those before expanding them."""
    if len(path) > MAX_DEPTH:
        raise TooDeep
    if id(node) in seen:
        raise _Fallback
    seen.add(id(node))
    tag = node.tag
    if tag == _MAP:
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MAP or key_node.tag == _SEQ or id(key_node) in seen:
                raise _Fallback
            seen.add(id(key_node))
            key = _scalar(key_node)
            if key in out:
                raise _Fallback  # duplicate: the ruamel path refuses it with its line
            mark = key_node.start_mark
            key_path = (*path, key)
            positions[key_path] = (mark.line + 1, mark.column + 1)
            out[key] = _build(value_node, key_path, positions, seen)
        return out
    if tag == _SEQ:
        items = []
        for index, item in enumerate(node.value):
            mark = item.start_mark
            item_path = (*path, index)
            positions[item_path] = (mark.line + 1, mark.column + 1)
            items.append(_build(item, item_path, positions, seen))
        return items
    return _scalar(node)


def _scalar(node: Any) -> Any:
    tag, value = node.tag, node.value
    if tag == _STR or tag == _DATE or tag == _VALUE:
        # Dates stay text for pydantic to check against the field (see yamlio); a bare '=' is text.
        return value
    if tag == _NULL:
        return None
    if tag == _BOOL:
        return value[0] in "tT"
    if tag == _INT_TAG and len(value) <= MAX_INT_DIGITS and _INT.fullmatch(value):
        return int(value)
    if tag == _FLOAT_TAG:
        if _FLOAT.fullmatch(value):
            return float(value)
        if _INF.fullmatch(value):
            return float("-inf") if value[0] == "-" else float("inf")
        if _NAN.fullmatch(value):
            return float("nan")
    raise _Fallback  # a written tag, a merge key, 0o17, 0x1F, 1_000, ...
