"""Whole-or-nothing writes, a table's CSV bytes, and the reader of small CSV files with line numbers."""

from __future__ import annotations

import csv
import hashlib
import os
import tempfile
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from oss_analysis.errors import DataError

if TYPE_CHECKING:
    import pandas as pd


@cache
def _umask() -> int:
    """The process umask (read once: setting it back and forth is not thread-safe)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def atomic_write(path: Path, write: Callable[[str], object]) -> Path:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then rename it into place (mode: 0666 less umask)."""
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
    """Deterministic CSV (UTF-8, LF, no index): what ``write_csv`` writes and a processed table is compared with."""
    return frame.to_csv(index=False, lineterminator="\n").encode("utf-8")


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """``csv_bytes`` of a frame, written atomically."""
    return atomic_write(Path(path), lambda tmp: Path(tmp).write_bytes(csv_bytes(frame)))


def csv_rows(path: Path, shown: str, required: Iterable[str] = ()) -> list[tuple[int, dict[str, str]]]:
    """(line, row) of a small CSV file, numbered as an editor shows them; a bad file is one line naming ``shown``."""
    try:
        with Path(path).open(encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            for col in (c for c in required if c not in (reader.fieldnames or [])):
                raise DataError(shown, "required column is missing", row=1, column=col)
            return list(enumerate(reader, start=2))
    except UnicodeDecodeError:
        raise DataError(shown, "is not valid UTF-8; save it as UTF-8") from None
