"""Writing outputs safely: atomically, all or nothing, never onto an input or a device, never half-written.

One run can write several files (``check -o R --xlsx W --csv C``). They are rendered first, then each
is written to a temporary file beside its target, and only when every one is written are they renamed
into place; any failure (a full disk, Ctrl-C, SIGTERM) removes every temporary file and leaves every
target as it was. ``OutputSet`` is that protocol; ``write_atomic`` is the one-file case.

Only regular files are written. An output path that names a FIFO, socket or device (``/dev/null``,
``/dev/stdout`` on a terminal or pipe) is refused: replacing it by a regular file (what a rename does)
is never what the user meant, and writing into it is not atomic. Leave out ``-o`` to print to stdout.
A symbolic link is followed: the file it points to is replaced and the link stays.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import InputErrors
from .i18n import N_, _

Payload = bytes | str
Renderer = Callable[[Any], Payload]

_TEMP_NAME_ROOM = 40
"""How much of the target's name a temporary file's name keeps, so a long (but valid) name still leaves room for the suffix."""

_KIND = {
    stat.S_IFCHR: N_("a character device"),
    stat.S_IFBLK: N_("a block device"),
    stat.S_IFIFO: N_("a named pipe (FIFO)"),
    stat.S_IFSOCK: N_("a socket"),
}


def _os_error(target: Path, exc: OSError, doing: str = N_("cannot write here")) -> InputErrors:
    """An OSError about an output path as a located, fixable error (``doing``: an English message id, shown translated)."""
    if exc.errno == errno.ENAMETOOLONG:
        return InputErrors.single(str(target), _("file name is too long for the file system"), hint=_("choose a shorter name"))
    if exc.errno == errno.ELOOP:
        return InputErrors.single(str(target), _("symbolic link loop"), hint=_("fix or remove the link, or name another file"))
    return InputErrors.single(
        str(target), _("{doing}: {reason}").format(doing=_(doing), reason=exc.strerror), hint=_("check the directory's permissions")
    )


def resolve_output(target: Path) -> Path:
    """The regular file a write to ``target`` lands on: symbolic links followed, non-regular files refused."""
    try:
        info = os.stat(target)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise _os_error(target, exc) from None
    if info is not None:
        if stat.S_ISDIR(info.st_mode):
            raise InputErrors.single(str(target), _("output path is a directory"), hint=_("name a file, e.g. report.xlsx"))
        if not stat.S_ISREG(info.st_mode):
            kind = _KIND.get(stat.S_IFMT(info.st_mode), N_("not a regular file"))
            raise InputErrors.single(
                str(target),
                _("output path is {kind}; gap-engine writes only regular files").format(kind=_(kind)),
                hint=_("leave out the option to print to stdout (-o), or name a regular file"),
            )
    # realpath follows the links of an existing path (and of a dangling link, to the file it would create).
    return Path(os.path.realpath(target))


def check_output_path(target: Path, inputs: Iterable[Path] = ()) -> None:
    """Refuse an output path that is a directory, a device or pipe, an input, too long, a link loop, or in a missing directory."""
    source = str(target)
    resolved = resolve_output(target)
    for item in inputs:
        if Path(os.path.realpath(item)) == resolved:
            raise InputErrors.single(
                source, _("output path is one of the inputs; refusing to overwrite it"), hint=_("choose another file name")
            )
    if not resolved.parent.is_dir():
        raise InputErrors.single(
            source, _("directory {directory} does not exist").format(directory=target.parent), hint=_("create it first")
        )
    _probe_writable(target, resolved)


def _temp_file(target: Path, resolved: Path, suffix: str) -> tuple[int, str]:
    try:
        return tempfile.mkstemp(prefix=f".{resolved.name[:_TEMP_NAME_ROOM]}.", suffix=suffix, dir=resolved.parent)
    except OSError as exc:
        raise _os_error(target, exc) from None


def _unlink_quietly(name: str) -> None:
    try:
        os.unlink(name)
    except FileNotFoundError:
        pass


def _probe_writable(target: Path, resolved: Path) -> None:
    """Create and remove a temporary file beside the target.

    Checked before any work so that with several outputs (-o, --xlsx, --csv) an unwritable one
    is reported before another has been written; permission bits alone do not tell (root).
    A name too long for the file system is found here too (the probe's name is no longer than the target's).
    """
    if len(os.fsencode(resolved.name)) > 255:
        raise InputErrors.single(str(target), _("file name is too long for the file system"), hint=_("choose a shorter name"))
    fd, probe = _temp_file(target, resolved, ".probe")
    try:
        os.close(fd)
    finally:
        _unlink_quietly(probe)
    try:
        os.stat(resolved)
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise _os_error(target, exc) from None


@dataclass
class _Planned:
    option: str
    target: Path
    render: Renderer


@dataclass
class OutputSet:
    """The files one run writes, all or nothing.

    Plan each output (``plan("--csv", path, render)``; a ``None`` path is not asked for) before the
    work, so every path is checked before anything is computed; then ``write(value)`` renders each
    from the same value, writes them all to temporary files and renames them into place together.
    Adding an output to a command is one ``plan`` line.
    """

    inputs: list[Path] = field(default_factory=list)
    planned: list[_Planned] = field(default_factory=list)

    def plan(self, option: str, target: str | Path | None, render: Renderer) -> None:
        """Add an output (checked now): ``render(value)`` will be written to ``target`` by ``write``."""
        if target is None:
            return
        path = Path(target)
        check_output_path(path, self.inputs)
        resolved = resolve_output(path)
        for other in self.planned:
            if resolve_output(other.target) == resolved:
                raise InputErrors.single(
                    str(path),
                    _("the same file is named for two outputs ({first} and {second})").format(first=other.option, second=option),
                    hint=_("give each output its own file"),
                )
        self.planned.append(_Planned(option, path, render))

    def write(self, value: Any) -> None:
        """Render every planned output from ``value``, then write them all atomically, or none."""
        write_all([(p.target, p.render(value)) for p in self.planned], self.inputs)


def write_all(outputs: list[tuple[Path, Payload]], inputs: Iterable[Path] = ()) -> None:
    """Write several files so that either all are replaced or none is.

    Each payload goes to a temporary file beside its target (written and fsynced); only then are
    they renamed into place. If a rename fails part-way (or the run is interrupted), the targets
    already replaced get their previous content back from a hard-link backup taken before the first
    rename, and those that did not exist are removed again.
    """
    inputs = list(inputs)
    for target, _payload in outputs:
        check_output_path(target, inputs)
    temps: list[tuple[Path, Path, str]] = []  # (target as named, resolved target, temporary file)
    backups: dict[int, str | None] = {}
    replaced: list[int] = []
    done = False
    try:
        for target, data in outputs:
            resolved = resolve_output(target)
            fd, tmp_name = _temp_file(target, resolved, ".tmp")
            temps.append((target, resolved, tmp_name))
            _fill(target, fd, tmp_name, data)
        for index, (target, resolved, _) in enumerate(temps):
            backups[index] = _backup(target, resolved) if len(temps) > 1 else None
        for index, (target, resolved, tmp_name) in enumerate(temps):
            try:
                os.replace(tmp_name, resolved)
            except OSError as exc:
                raise _os_error(target, exc, N_("cannot write")) from None
            replaced.append(index)
        done = True
    finally:
        if not done:
            _roll_back(temps, backups, replaced)
        for _target, _resolved, tmp_name in temps:
            _unlink_quietly(tmp_name)
        for backup in backups.values():
            if backup is not None:
                _unlink_quietly(backup)


def _fill(target: Path, fd: int, tmp_name: str, data: Payload) -> None:
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, 0o644)
    except OSError as exc:
        raise _os_error(target, exc, N_("cannot write")) from None


def _backup(target: Path, resolved: Path) -> str | None:
    """A hard link to the target's current content (None when it does not exist); raises if it cannot be kept."""
    if not resolved.exists():
        return None
    fd, name = _temp_file(target, resolved, ".old")
    os.close(fd)
    os.unlink(name)
    try:
        os.link(resolved, name)
    except OSError:
        # No hard links on this file system: a copy keeps the content just as well.
        try:
            shutil.copy2(resolved, name)
        except OSError as exc:
            _unlink_quietly(name)
            raise _os_error(target, exc, N_("cannot keep the previous file while writing")) from None
    return name


def _roll_back(temps: list[tuple[Path, Path, str]], backups: dict[int, str | None], replaced: list[int]) -> None:
    """Put back what the renames already replaced: the previous file from its backup, or no file."""
    for index in replaced:
        _target, resolved, _tmp = temps[index]
        backup = backups.get(index)
        if backup is not None:
            os.replace(backup, resolved)
        else:
            _unlink_quietly(str(resolved))


def write_atomic(target: Path, data: bytes | str, inputs: Iterable[Path] = ()) -> None:
    """Write to a temporary file beside the target, then rename it into place.

    A crash, Ctrl-C, SIGTERM or full disk leaves the previous file (or no file) behind, never a partial one.
    """
    write_all([(target, data)], inputs)
