"""Safe YAML reading that remembers where every key and item came from.

ruamel.yaml reads YAML 1.2, where ``yes``/``no`` stay strings (PyYAML's YAML 1.1 would turn
them into booleans, the very answers profiles are written in), and it keeps line and column
for every node, which our error messages need. Aliases are refused outright: profiles and
rules have no use for them and they are the vector of exponential expansion ("billion laughs").
"""

from __future__ import annotations

import errno
import os
import re
import stat
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from .errors import InputError, InputErrors
from .i18n import N_, _
from .suggest import did_you_mean

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
    raw = read_bytes(path, max_bytes=max_bytes)
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise InputErrors.single(source, _("is a binary file, not YAML text"), line=line, hint=_("name the YAML profile or rule file"))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputErrors.single(
            source, _("is not UTF-8 text (byte {byte})").format(byte=exc.start), line=line, hint=_("save the file as UTF-8")
        ) from None
    if not text.strip():
        raise InputErrors.single(source, _("is empty"), hint=_("see fixtures/ for an example"))
    return text


def read_bytes(path: Path, *, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file of at most ``max_bytes``, or an InputError saying why not.

    The size is checked by reading, not by trusting ``stat``: /dev/zero reports 0 bytes and never
    ends, and a FIFO blocks until someone writes. So the file is opened without blocking, refused
    unless it is a regular file, and read for at most ``max_bytes + 1`` bytes."""
    source = str(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise InputErrors([open_error(source, exc)]) from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise InputErrors.single(source, _("is a directory, not a file"), hint=_("name a .yaml file inside it"))
        if not stat.S_ISREG(info.st_mode):
            raise InputErrors.single(
                source,
                _("is not a regular file (it is a {kind})").format(kind=_(_file_kind(info.st_mode))),
                hint=_("name a YAML file saved on disk"),
            )
        if info.st_size > max_bytes:
            raise _too_big(source, _("file is {size} bytes, over the {limit}-byte limit"), max_bytes, info.st_size)
        chunks: list[bytes] = []
        left = max_bytes + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    except OSError as exc:
        raise InputErrors.single(
            source, _("cannot be read: {reason}").format(reason=exc.strerror), hint=_("check the file and its permissions")
        ) from None
    finally:
        os.close(fd)
    raw = b"".join(chunks)
    if len(raw) > max_bytes:  # it grew after stat, or stat does not know its size
        raise _too_big(source, _("file is over the {limit}-byte limit"), max_bytes)
    return raw


def _too_big(source: str, message: str, max_bytes: int, size: int = 0) -> InputErrors:
    """``message``: translated, with ``{limit}`` (and ``{size}``) to fill."""
    return InputErrors.single(
        source, message.format(size=f"{size:,}", limit=f"{max_bytes:,}"), hint=_("split it or check it is the right file")
    )


def path_problem(path: Path) -> InputError | None:
    """Why ``path`` cannot even be looked at (a name too long, a loop of links, no permission), or None.

    ``Path.is_dir()`` answers False for a loop and raises for a name too long; a rule pack
    directory is checked with this first so neither ends as "not a directory" or a traceback.
    A path that does not exist is not a problem here: the caller words that in its own terms."""
    try:
        os.stat(path)
    except OSError as exc:
        if exc.errno in (errno.ENOENT, errno.ENOTDIR):
            return None
        return open_error(str(path), exc)
    return None


def open_error(source: str, exc: OSError) -> InputError:
    """Every reason a path cannot be opened, in words, with what to do about it."""
    reasons = {
        errno.ENOENT: (N_("file not found"), N_("check the path")),
        errno.ENOTDIR: (N_("file not found (a part of the path is not a directory)"), N_("check the path")),
        errno.EISDIR: (N_("is a directory, not a file"), N_("name a .yaml file inside it")),
        errno.ENAMETOOLONG: (N_("the file name is longer than the file system allows"), N_("check the path, or shorten the name")),
        errno.ELOOP: (N_("the path is a loop of symbolic links"), N_("point the link at a real file")),
        errno.EACCES: (N_("permission denied"), N_("check the file's permissions")),
        errno.EPERM: (N_("permission denied"), N_("check the file's permissions")),
    }
    if (exc.errno or 0) in reasons:
        message, hint = reasons[exc.errno or 0]
        return InputError(source=source, message=_(message), hint=_(hint))
    return InputError(source=source, message=_("cannot be opened: {reason}").format(reason=exc.strerror), hint=_("check the path"))


def _file_kind(mode: int) -> str:
    """The kind of a special file, as an English message id (shown through ``_()``)."""
    for test, kind in ((stat.S_ISFIFO, N_("named pipe")), (stat.S_ISCHR, N_("character device")), (stat.S_ISBLK, N_("block device"))):
        if test(mode):
            return kind
    return N_("socket") if stat.S_ISSOCK(mode) else N_("special file")


def load_yaml(path: Path) -> LoadedYaml:
    return parse_yaml(read_text(path), str(path))


def parse_yaml(text: str, source: str) -> LoadedYaml:
    """Plain data and positions: by libyaml when it is installed and the text is ordinary, else by ruamel.

    Both paths give the same data and positions for the same text (tests/test_yaml_fast.py); the
    fast one declines anything it is not sure of and the ruamel path then decides, or refuses."""
    from . import yaml_fast

    if yaml_fast.available():
        try:
            composed = yaml_fast.compose(text)
        except yaml_fast.TooDeep:
            raise _too_deep(source) from None
        if composed is not None:
            return LoadedYaml(source=source, data=composed[0], positions=composed[1])
    return parse_yaml_ruamel(text, source)


def parse_yaml_ruamel(text: str, source: str) -> LoadedYaml:
    """The complete path: ruamel.yaml's pure-Python parser, for anything the fast path declines."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    yaml = YAML(typ="rt", pure=True)
    yaml.Constructor = _text_dates_constructor()
    yaml.allow_duplicate_keys = False
    try:
        # Aliases, tags and merge keys need a '*', '!' or '<<'; without one the separate event pass
        # (a third of the load time) is skipped.
        if "*" in text or "!" in text or "<<" in text or _LONG_DIGITS.search(text):
            _refuse_unsupported_events(yaml, text, source)
        node = yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = (exc.problem or exc.context or "invalid YAML").strip()
        if "duplicate key" in problem:
            hint = _("each key may appear once per mapping; remove or rename one")
        elif problem.startswith("an integer of "):
            hint = _("quote it if it is text; no field takes a number that long")
        else:
            hint = _("check indentation, colons and quotes")
        raise InputErrors.single(
            source,
            problem,
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
            hint=hint,
        ) from None
    except YAMLError as exc:
        raise InputErrors.single(source, _("invalid YAML: {error}").format(error=exc)) from None
    except RecursionError:
        raise _too_deep(source) from None
    loaded = LoadedYaml(source=source, data=None)
    try:
        loaded.data = _plain(node, (), loaded.positions, source)
    except RecursionError:
        raise _too_deep(source) from None
    return loaded


def _refuse_unsupported_events(yaml: Any, text: str, source: str) -> None:
    """Refuse aliases, tags, merge keys and over-long integers before anything is built, naming the field.

    Aliases are the vector of exponential expansion ("billion laughs"). Tags (``!x [a]``,
    ``!!omap``, ``!!python/object``) and merge keys (``<<: {...}``) have no place in a profile or
    rule file: ruamel builds objects from them that are not plain data (or fails on them with a
    traceback), and the libyaml fast path could not read them the same way. An integer beyond
    Python's int-from-text limit would end in a ValueError."""
    from ruamel.yaml.events import AliasEvent, CollectionEndEvent, CollectionStartEvent, MappingStartEvent, NodeEvent, ScalarEvent

    from .yaml_fast import MAX_INT_DIGITS

    # One frame per open mapping or sequence: its path, and the key awaiting a value (mapping) or the last index (sequence).
    frames: list[list[Any]] = []
    for event in yaml.parse(text):
        if isinstance(event, CollectionEndEvent):
            frames.pop()
            continue
        if not isinstance(event, NodeEvent):
            continue
        path: PathKey = ()
        if frames:
            kind, parent, pending = frames[-1]
            if kind == "seq":
                frames[-1][2] = pending + 1
                path = (*parent, pending + 1)
            elif pending is None:
                path = parent  # this node is a key: the error is in the mapping that holds it
            else:
                path = (*parent, pending)
        mark = event.start_mark
        where = {"line": mark.line + 1, "column": mark.column + 1, "field": dotted_path(path) or None}
        if isinstance(event, AliasEvent):
            raise InputErrors.single(
                source, _("YAML alias *{anchor} is not allowed").format(anchor=event.anchor), hint=_("write the value out in full"), **where
            )
        tag = getattr(event, "tag", None)
        if tag is None and isinstance(event, ScalarEvent) and not any(event.implicit or ()):
            tag = "!"  # the bare non-specific tag; ruamel would read '! 5' as a number
        if tag is not None:
            shown = "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:yaml.org,2002:") else tag
            raise InputErrors.single(
                source,
                _("YAML tag {tag} is not allowed").format(tag=shown),
                hint=_(
                    "remove the tag: profiles and rule files hold plain text, numbers, lists and mappings; quote a value to keep it text"
                ),
                **where,
            )
        if isinstance(event, ScalarEvent) and not event.style:
            if event.value == "<<":
                raise InputErrors.single(
                    source,
                    _("YAML merge key '<<' is not allowed"),
                    hint=_("write the keys out in full, or quote '<<' if you mean the text"),
                    **where,
                )
            digits = sum(char.isalnum() for char in event.value) if len(event.value) > MAX_INT_DIGITS else 0
            if digits > MAX_INT_DIGITS and _LONG_INTEGER.fullmatch(event.value):
                raise InputErrors.single(
                    source,
                    _("an integer of {digits} digits is too long (at most {limit})").format(
                        digits=f"{digits:,}", limit=f"{MAX_INT_DIGITS:,}"
                    ),
                    hint=_("quote it if it is text; no field takes a number that long"),
                    **where,
                )
        if frames and frames[-1][0] == "map":  # a key now awaits its value, or a value completes the pair
            frames[-1][2] = (event.value if isinstance(event, ScalarEvent) else "?") if frames[-1][2] is None else None
        if isinstance(event, MappingStartEvent):
            frames.append(["map", path, None])
        elif isinstance(event, CollectionStartEvent):
            frames.append(["seq", path, -1])


_LONG_INTEGER = re.compile(r"[-+]?(?:[0-9_]+|0x[0-9a-fA-F_]+|0o[0-7_]+|0b[01_]+)")
_LONG_DIGITS = re.compile(r"[0-9a-fA-F_]{4301}")
"""A run of digits long enough to hold an integer over MAX_INT_DIGITS: the event pass must look."""


def _too_deep(source: str) -> InputErrors:
    """ruamel.yaml and _plain recurse once per level; thousands of nested [ or { would otherwise
    end in a RecursionError traceback instead of an error naming the file."""
    return InputErrors.single(source, _("YAML is nested too deeply to be a profile or rule file"), hint=_("check the brackets"))


@cache
def _text_dates_constructor() -> type:
    """A round-trip constructor that leaves dates (and a bare ``=``) as text and refuses huge integers.

    Numbers ruamel's resolver claims but cannot build (``._``, ``0x_``, ``-_``) are text too: they
    ended in a ValueError or IndexError traceback.

    ruamel.yaml would build ``datetime.date`` itself and crash on an out-of-range date such as
    2024-13-01 with no location; as text, pydantic reports it against the field and line. A bare
    ``=`` is YAML 1.1's "value" key, which ruamel 1.2 still tags and would hand on as an object:
    in YAML 1.2 core it is just text, and the fast path reads it so. An integer longer than
    Python's int-from-text limit would end in a ValueError traceback instead of a located error.
    """
    from ruamel.yaml.constructor import ConstructorError, RoundTripConstructor

    from .yaml_fast import MAX_INT_DIGITS

    class TextDatesConstructor(RoundTripConstructor):
        def construct_yaml_int(self, node: Any) -> Any:
            digits = sum(char.isalnum() for char in str(node.value))
            if digits > MAX_INT_DIGITS:
                raise ConstructorError(
                    None, None, f"an integer of {digits:,} digits is too long (at most {MAX_INT_DIGITS:,})", node.start_mark
                )
            try:
                return super().construct_yaml_int(node)
            except (ValueError, IndexError):
                return str(node.value)  # '0x_', '-_': ruamel's pattern takes them for numbers, its constructor fails

        def construct_yaml_float(self, node: Any) -> Any:
            try:
                return super().construct_yaml_float(node)
            except ValueError:
                return str(node.value)  # '._': no number in YAML 1.2 core, text as for the fast path

    TextDatesConstructor.add_constructor("tag:yaml.org,2002:timestamp", TextDatesConstructor.construct_yaml_str)
    TextDatesConstructor.add_constructor("tag:yaml.org,2002:value", TextDatesConstructor.construct_yaml_str)
    TextDatesConstructor.add_constructor("tag:yaml.org,2002:int", TextDatesConstructor.construct_yaml_int)
    TextDatesConstructor.add_constructor("tag:yaml.org,2002:float", TextDatesConstructor.construct_yaml_float)
    return TextDatesConstructor


def _plain(node: Any, path: PathKey, positions: dict[PathKey, Loc], source: str) -> Any:
    """Convert ruamel's round-trip containers to plain Python, recording positions."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    from .yaml_fast import MAX_DEPTH

    if len(path) > MAX_DEPTH:
        raise _too_deep(source)

    if isinstance(node, CommentedMap):
        if path == ():
            positions[()] = (node.lc.line + 1, node.lc.col + 1)
        out: dict[Any, Any] = {}
        for key, value in node.items():
            line, col = node.lc.key(key)
            if not (isinstance(key, (str, int, float, bool)) or key is None):
                # ruamel makes a tuple of a [list] key and a frozen map of a {mapping} one; no field is named so.
                kind = N_("mapping") if isinstance(key, dict) or hasattr(key, "items") else N_("list")
                raise InputErrors.single(
                    source,
                    _("a key must be a name, not a {kind}").format(kind=_(kind)),
                    line=line + 1,
                    column=col + 1,
                    field=dotted_path(path) or None,
                    hint="quote the key if the brackets are part of it",
                )
            key = _plain(key, path, positions, source)  # a ruamel ScalarInt key becomes an int
            # Named first: mypy takes ``positions[(*path, key)]`` for the starred subscript of Python 3.11.
            key_path = (*path, key)
            positions[key_path] = (line + 1, col + 1)
            out[key] = _plain(value, key_path, positions, source)
        return out
    if isinstance(node, CommentedSeq):
        if path == ():
            positions[()] = (node.lc.line + 1, node.lc.col + 1)
        items = []
        for index, value in enumerate(node):
            line, col = node.lc.item(index)
            index_path = (*path, index)
            positions[index_path] = (line + 1, col + 1)
            items.append(_plain(value, index_path, positions, source))
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
        data_loc = _data_path(loc, loaded.data) or loc  # never empty: the messages below name its last part
        field_path = dotted_path(data_loc)
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
            hint = did_you_mean(str(given), [a.strip(" '") for a in str(allowed).replace(" or ", ",").split(",")])
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


def _data_path(loc: PathKey, data: Any) -> PathKey:
    """Drop pydantic's synthetic location parts (union branches such as 'str', 'function-before[...]').

    The parts are matched against the data itself: a part naming a key that is there is the
    user's key, whatever it looks like. Judging by the name alone dropped a key such as ``int:``
    or ``a[0]:`` and blamed its parent ("unknown field 'jurisdiction' (did you mean 'jurisdiction'?)")."""
    kept: list[str | int] = []
    current = data
    for part in loc:
        if isinstance(current, dict) and part in current:
            current = current[part]
        elif isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current):
            current = current[part]
        elif isinstance(part, str) and ("[" in part or part in {"str", "bool", "int", "float"}):
            continue  # synthetic: a union branch or validator, not a key in the file
        else:
            current = None  # a missing key (the field to add) or something pydantic made of the data
        kept.append(part)
    return tuple(kept)


def dotted_path(path: PathKey) -> str:
    """A key path as errors show it (``criminal_law.offences[0].conduct``): one spelling for every file reader."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


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
    # The unknown key is never suggested for itself ("unknown field 'x' (did you mean 'x'?)"): if it
    # is a field's name, the error lies elsewhere on the path.
    suggestion = did_you_mean(str(path[-1]), [name for name in names if name != str(path[-1])])
    if suggestion:
        return suggestion
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
