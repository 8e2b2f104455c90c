"""Published tables rebuilt from tidy frames, and a writer for CSV plus a Markdown rendering."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from oss_analysis.files import atomic_write, write_csv


def fmt_number(value: object, decimals: int | None = None) -> str:
    """Format as the studies print: fixed decimals when given, else the shortest form
    (``92`` not ``92.0``, ``99.5`` stays); missing values become empty cells."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    number = float(value)  # type: ignore[arg-type]
    if decimals is not None:
        return f"{number:.{decimals}f}"
    return f"{number:.10g}"


def write_table(frame: pd.DataFrame, stem: str, out_dir: Path, *, title: str = "", note: str = "") -> None:
    """Write ``stem.csv`` (the table cell for cell) and ``stem.md`` (a readable rendering)."""
    out_dir = Path(out_dir)
    write_csv(frame, out_dir / f"{stem}.csv")
    grid = frame.astype("string").fillna("").to_markdown(index=False, disable_numparse=True)
    parts = [f"# {title}" if title else "", grid, f"\n{note}" if note else ""]
    text = "\n\n".join(p for p in parts if p).strip() + "\n"
    atomic_write(out_dir / f"{stem}.md", lambda tmp: Path(tmp).write_text(text, encoding="utf-8", newline="\n"))


def read_published(path: Path) -> pd.DataFrame:
    """Read a published table back as text cells, exactly as written."""
    return pd.read_csv(path, dtype=str, keep_default_na=False)
