"""Write a file so that readers see the old bytes or the new ones, never half a file; the one
definition of a table's CSV bytes."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd


@cache
def _umask() -> int:
    """The process umask (read once: setting it back and forth is not thread-safe)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def atomic_write(path: Path, write: Callable[[str], object]) -> Path:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then rename it into place.

    The temporary file is created private (0600); before the rename it gets the permissions any
    new file gets (0666 less the umask), so published outputs are as readable as a plain copy."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def sha256(path: Path) -> str:
    """Hex sha256 of a file (stdlib only, so callers need not import pandas)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """Deterministic CSV (UTF-8, ``\\n`` line ends, no index): what ``write_csv`` writes, and what
    a processed table is compared with."""
    return frame.to_csv(index=False, lineterminator="\n").encode("utf-8")


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """``csv_bytes`` of a frame, written atomically."""
    return atomic_write(Path(path), lambda tmp: Path(tmp).write_bytes(csv_bytes(frame)))
