"""Writing outputs safely: atomically, never onto an input, never half-written."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from .errors import InputErrors


def check_output_path(target: Path, inputs: Iterable[Path] = ()) -> None:
    """Refuse an output path that is a directory, an input, or in a missing directory."""
    source = str(target)
    if target.is_dir():
        raise InputErrors.single(source, "output path is a directory", hint="name a file, e.g. report.xlsx")
    resolved = target.resolve()
    for item in inputs:
        if Path(item).resolve() == resolved:
            raise InputErrors.single(source, "output path is one of the inputs; refusing to overwrite it", hint="choose another file name")
    if not target.parent.resolve().is_dir():
        raise InputErrors.single(source, f"directory {target.parent} does not exist", hint="create it first")
    _probe_writable(target)


def _probe_writable(target: Path) -> None:
    """Create and remove a temporary file beside the target.

    Checked before any work so that with several outputs (-o, --xlsx, --csv) an unwritable one
    is reported before another has been written; permission bits alone do not tell (root).
    """
    try:
        fd, probe = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".probe", dir=target.parent.resolve())
    except OSError as exc:
        raise InputErrors.single(str(target), f"cannot write here: {exc.strerror}", hint="check the directory's permissions") from None
    os.close(fd)
    os.unlink(probe)


def write_atomic(target: Path, data: bytes | str, inputs: Iterable[Path] = ()) -> None:
    """Write to a temporary file beside the target, then rename it into place.

    A crash, Ctrl-C or full disk leaves the previous file (or no file) behind, never a partial one.
    """
    check_output_path(target, inputs)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    directory = target.parent.resolve()
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise InputErrors.single(str(target), f"cannot write here: {exc.strerror}", hint="check the directory's permissions") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, target)
    except BaseException as exc:
        try:
            os.unlink(tmp_name)
        except FileNotFoundError:
            pass
        if isinstance(exc, OSError):
            raise InputErrors.single(str(target), f"cannot write: {exc.strerror}") from None
        raise
