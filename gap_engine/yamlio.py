"""Safe YAML reading that remembers where every key and item came from.

ruamel.yaml reads YAML 1.2, where ``yes``/``no`` stay strings (PyYAML's YAML 1.1 would turn
them into booleans, the very answers profiles are written in), and it keeps line and column
for every node, which our error messages need. Aliases are refused outright: profiles and
rules have no use for them and they are the vector of exponential expansion ("billion laughs").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from .errors import InputError, InputErrors

MAX_FILE_BYTES = 2_000_000
"""Profiles and rule files are hand-written text; anything larger is almost surely a mistake."""

Loc = tuple[int, int]  # 1-based line, column
PathKey = tuple[str | int, ...]


@dataclass
class LoadedYaml:
    """Plain data (dicts, lists, scalars) plus the position of each node by its path."""

    source: str
    data: Any
    positions: dict[PathKey, Loc] = field(default_factory=dict)

    def locate(self, path: PathKey) -> Loc | None:
        """Position of the deepest node on ``path`` that exists (a missing key points at its parent)."""
        for end in range(len(path), -1, -1):
            if path[:end] in self.positions:
                return self.positions[path[:end]]
        return None


def read_text(path: Path, *, max_bytes: int = MAX_FILE_BYTES) -> str:
    """Read a UTF-8 text file, turning every way it can be unreadable into an InputError."""
    source = str(path)
    if not path.exists():
        raise InputErrors.single(source, "file not found", hint="check the path")
    if path.is_dir():
        raise InputErrors.single(source, "is a directory, not a file", hint="name a .yaml file inside it")
    size = path.stat().st_size
    if size > max_bytes:
        raise InputErrors.single(
            source, f"file is {size:,} bytes, over the {max_bytes:,}-byte limit", hint="split it or check it is the right file"
        )
    raw = path.read_bytes()
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise InputErrors.single(source, "is a binary file, not YAML text", line=line, hint="name the YAML profile or rule file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputErrors.single(source, f"is not UTF-8 text (byte {exc.start})", line=line, hint="save the file as UTF-8") from None
    if not text.strip():
        raise InputErrors.single(source, "is empty", hint="see fixtures/ for an example")
    return text


def load_yaml(path: Path) -> LoadedYaml:
    return parse_yaml(read_text(path), str(path))


def parse_yaml(text: str, source: str) -> LoadedYaml:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError
    from ruamel.yaml.events import AliasEvent

    yaml = YAML(typ="rt", pure=True)
    yaml.Constructor = _text_dates_constructor()
    yaml.allow_duplicate_keys = False
    try:
        # An alias needs a '*'; without one the separate event pass (a third of the load time) is skipped.
        for event in yaml.parse(text) if "*" in text else ():
            if isinstance(event, AliasEvent):
                mark = event.start_mark
                raise InputErrors.single(
                    source,
                    f"YAML alias *{event.anchor} is not allowed",
                    line=mark.line + 1,
                    column=mark.column + 1,
                    hint="write the value out in full",
                )
        node = yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = (exc.problem or exc.context or "invalid YAML").strip()
        if "duplicate key" in problem:
            hint = "each key may appear once per mapping; remove or rename one"
        else:
            hint = "check indentation, colons and quotes"
        raise InputErrors.single(
            source,
            problem,
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
            hint=hint,
        ) from None
    except YAMLError as exc:
        raise InputErrors.single(source, f"invalid YAML: {exc}") from None
    except RecursionError:
        raise _too_deep(source) from None
    loaded = LoadedYaml(source=source, data=None)
    try:
        loaded.data = _plain(node, (), loaded.positions)
    except RecursionError:
        raise _too_deep(source) from None
    return loaded


def _too_deep(source: str) -> InputErrors:
    """ruamel.yaml and _plain recurse once per level; thousands of nested [ or { would otherwise
    end in a RecursionError traceback instead of an error naming the file."""
    return InputErrors.single(source, "YAML is nested too deeply to be a profile or rule file", hint="check the brackets")


@cache
def _text_dates_constructor() -> type:
    """A round-trip constructor that leaves dates as text for pydantic to parse.

    ruamel.yaml would build ``datetime.date`` itself and crash on an out-of-range date such as
    2024-13-01 with no location; as text, pydantic reports it against the field and line.
    """
    from ruamel.yaml.constructor import RoundTripConstructor

    class TextDatesConstructor(RoundTripConstructor):
        pass

    TextDatesConstructor.add_constructor("tag:yaml.org,2002:timestamp", TextDatesConstructor.construct_yaml_str)
    return TextDatesConstructor


def _plain(node: Any, path: PathKey, positions: dict[PathKey, Loc]) -> Any:
    """Convert ruamel's round-trip containers to plain Python, recording positions."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(node, CommentedMap):
        if path == ():
            positions[()] = (node.lc.line + 1, node.lc.col + 1)
        out: dict[Any, Any] = {}
        for key, value in node.items():
            key_plain = key if isinstance(key, (str, int, float, bool)) or key is None else str(key)
            line, col = node.lc.key(key)
            positions[(*path, key_plain)] = (line + 1, col + 1)
            out[key_plain] = _plain(value, (*path, key_plain), positions)
        return out
    if isinstance(node, CommentedSeq):
        if path == ():
            positions[()] = (node.lc.line + 1, node.lc.col + 1)
        items = []
        for index, value in enumerate(node):
            line, col = node.lc.item(index)
            positions[(*path, index)] = (line + 1, col + 1)
            items.append(_plain(value, (*path, index), positions))
        return items
    if isinstance(node, str):
        return str(node)
    if type(node).__module__.startswith("ruamel"):
        # ScalarFloat, ScalarInt and friends: hand pydantic the plain base type.
        for base in (bool, int, float):
            if isinstance(node, base):
                return base(node)
    return node


def validation_errors(exc: Any, loaded: LoadedYaml, model: type) -> list[InputError]:
    """Turn a pydantic ValidationError into located InputErrors with did-you-mean hints."""
    errors: list[InputError] = []
    for err in exc.errors(include_url=False):
        loc: PathKey = tuple(err["loc"])
        data_loc = _data_path(loc)
        field_path = _dotted(data_loc)
        position = loaded.locate(data_loc)
        message = err["msg"]
        hint = None
        if err["type"] == "extra_forbidden":
            message = f"unknown field {str(data_loc[-1])!r}"
            hint = _suggest_field(model, data_loc)
        elif err["type"] == "missing":
            message = "required field is missing"
            hint = f"add '{data_loc[-1]}:'"
        elif err["type"] == "enum":
            allowed = err.get("ctx", {}).get("expected", "")
            given = err.get("input")
            message = f"{given!r} is not one of {allowed}"
            suggestion = _closest(str(given), [a.strip(" '") for a in str(allowed).replace(" or ", ",").split(",")])
            if suggestion:
                hint = f"did you mean {suggestion!r}?"
        elif message.startswith("Value error, "):
            message = message[len("Value error, ") :]
        errors.append(
            InputError(
                source=loaded.source,
                line=position[0] if position else None,
                column=position[1] if position else None,
                field=field_path or None,
                message=message,
                hint=hint,
            )
        )
    return errors


def _data_path(loc: PathKey) -> PathKey:
    """Drop pydantic's synthetic location parts (union branches, 'function-before[...]')."""
    return tuple(p for p in loc if not (isinstance(p, str) and ("[" in p or p in {"str", "bool", "int"})))


def _dotted(path: PathKey) -> str:
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def _closest(word: str, candidates: list[str]) -> str | None:
    import difflib

    match = difflib.get_close_matches(word, candidates, n=1, cutoff=0.6)
    return match[0] if match else None


def _suggest_field(model: type, path: PathKey) -> str:
    """Walk the model along ``path`` to list the fields allowed where an unknown key was found."""
    from pydantic import BaseModel

    current: Any = model
    for part in path[:-1]:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)) or part not in current.model_fields:
            current = None
            break
        current = _inner_model(current.model_fields[part].annotation)
    names = list(current.model_fields) if isinstance(current, type) and issubclass(current, BaseModel) else []
    suggestion = _closest(str(path[-1]), names)
    if suggestion:
        return f"did you mean {suggestion!r}?"
    return f"allowed here: {', '.join(names)}" if names else "remove it"


def _inner_model(annotation: Any) -> Any:
    from typing import get_args

    from pydantic import BaseModel

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        inner = _inner_model(arg)
        if inner is not None:
            return inner
    return None
