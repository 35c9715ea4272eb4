"""Say in one line what to install when durable-rules cannot be built here.

durable-rules 2.0.28 ships no wheel: ``pip install`` compiles its C extension, so on a machine
without a C compiler or without the Python headers ``make demo`` used to fail deep inside pip's
output. This runs before the install (``make``) and stops with one actionable line instead. On
Python 3.13+ durable-rules is not installed at all (the reference evaluator is used), so nothing is
needed there. Standard library only: it runs before anything is installed.
"""

from __future__ import annotations

import shlex
import shutil
import sys
import sysconfig
from pathlib import Path

HINT = "Debian/Ubuntu: apt-get install build-essential python3-dev; Fedora: dnf install gcc python3-devel; macOS: xcode-select --install"


def missing_prerequisites(version: tuple[int, int] = sys.version_info[:2]) -> list[str]:
    """What durable-rules' build needs and this machine lacks (empty when nothing is missing)."""
    if version >= (3, 13):
        return []
    missing = []
    compiler = shlex.split(sysconfig.get_config_var("CC") or "cc")[:1] or ["cc"]
    if shutil.which(compiler[0]) is None and shutil.which("cc") is None:
        missing.append(f"a C compiler ({compiler[0]})")
    include = sysconfig.get_paths().get("include", "")
    if not (Path(include) / "Python.h").is_file():
        missing.append(f"the Python {version[0]}.{version[1]} headers (Python.h)")
    return missing


def main() -> int:
    missing = missing_prerequisites()
    if not missing:
        return 0
    print(
        f"gap-engine needs {' and '.join(missing)} to build durable-rules (it ships no wheel). {HINT}",
        file=sys.stderr,
    )
    return 1


if __name__ == "__main__":
    sys.exit(main())
