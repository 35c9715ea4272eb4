"""Writing an output while it is produced, still all-or-nothing.

A run over 100,000 profiles cannot hold its report in memory before writing it (``output.write_atomic``
takes the whole text). ``atomic_stream`` gives a text handle onto a temporary file beside the target
and renames it into place only when the block ends without an exception: an input error found at the
last profile, Ctrl-C or a full disk leaves the previous file (or none) behind, never a partial one.
It is one small function so that a writer of several outputs can open one per target and commit them
together.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from .errors import InputErrors
from .output import check_output_path


@contextmanager
def atomic_stream(target: Path, inputs: Iterable[Path] = (), *, encoding: str = "utf-8") -> Iterator[TextIO]:
    """A text handle whose content replaces ``target`` atomically when the ``with`` block succeeds."""
    check_output_path(target, inputs)
    directory = target.parent.resolve()
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise InputErrors.single(str(target), f"cannot write here: {exc.strerror}", hint="check the directory's permissions") from None
    try:
        with os.fdopen(fd, "w", encoding=encoding, newline="") as handle:
            yield handle
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
