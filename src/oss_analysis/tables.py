"""Published tables rebuilt from tidy frames, and a writer for CSV plus a Markdown rendering."""

from __future__ import annotations

import math
import os
import tempfile
from pathlib import Path

import pandas as pd


def fmt_number(value: object, decimals: int | None = None) -> str:
    """Format as the studies print: fixed decimals when given, else the shortest form
    (``92`` not ``92.0``, ``99.5`` stays); missing values become empty cells."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    number = float(value)  # type: ignore[arg-type]
    if decimals is not None:
        return f"{number:.{decimals}f}"
    return f"{number:.10g}"


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """Deterministic CSV (UTF-8, ``\\n`` line ends, no index), written atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        frame.to_csv(tmp, index=False, lineterminator="\n", encoding="utf-8")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_table(frame: pd.DataFrame, stem: str, out_dir: Path, *, title: str = "", note: str = "") -> None:
    """Write ``stem.csv`` (the table cell for cell) and ``stem.md`` (a readable rendering)."""
    out_dir = Path(out_dir)
    write_csv(frame, out_dir / f"{stem}.csv")
    text = frame.astype("string").fillna("").to_markdown(index=False, disable_numparse=True)
    parts = [f"# {title}" if title else "", text, f"\n{note}" if note else ""]
    md_path = out_dir / f"{stem}.md"
    fd, tmp = tempfile.mkstemp(dir=out_dir, prefix=f".{md_path.name}.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
        fh.write("\n\n".join(p for p in parts if p).strip() + "\n")
    os.replace(tmp, md_path)


def read_published(path: Path) -> pd.DataFrame:
    """Read a published table back as text cells, exactly as written."""
    return pd.read_csv(path, dtype=str, keep_default_na=False)
