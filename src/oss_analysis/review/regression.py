"""Output regression: which output and which cell a rebuild changed. Tables cell by cell, images
byte for byte (deterministic on the pinned environment, so any byte change is real)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from oss_analysis.files import sha256


def cell_differences(a: Path, b: Path) -> tuple[list[str], list[tuple[int, str, str, str]]]:
    """Two CSV files' changes of shape (columns, rows) and changed cells (file line, column, committed, rebuilt)."""
    old = pd.read_csv(a, dtype=str, keep_default_na=False)
    new = pd.read_csv(b, dtype=str, keep_default_na=False)
    shape = []
    if list(old.columns) != list(new.columns):
        shape.append(f"columns changed from {list(old.columns)} to {list(new.columns)}")
    if len(old) != len(new):
        shape.append(f"{len(old)} rows committed, {len(new)} rebuilt")
    cells = [
        (i + 2, col, old.at[i, col], new.at[i, col])
        for col in [c for c in old.columns if c in new.columns]
        for i in range(min(len(old), len(new)))
        if old.at[i, col] != new.at[i, col]
    ]
    return shape, cells


def changed(committed: Path, rebuilt: Path, files: list[str]) -> dict[str, str]:
    """Each of ``files`` whose two copies differ in bytes, with how (``compare`` and the figure diff share it)."""
    out = {}
    for f in files:
        a, b = Path(committed) / f, Path(rebuilt) / f
        if not b.exists():
            out[f] = "not rebuilt"
        elif not a.exists():
            out[f] = "rebuilt but not committed"
        elif a.read_bytes() != b.read_bytes():
            out[f] = "differs"
    return out


def compare(committed: Path, rebuilt: Path, files: list[str], limit: int = 10) -> list[str]:
    """A line per difference between the committed and rebuilt figures/ (at most ``limit`` a table)."""
    problems: list[str] = []
    for f, how in changed(committed, rebuilt, files).items():
        a, b, name = Path(committed) / f, Path(rebuilt) / f, "figures/" + f
        if how != "differs":
            problems.append(f"{name}: {how}")
        elif f.endswith(".csv"):
            shape, cells = cell_differences(a, b)
            out = [f"{name}: {s}" for s in shape]
            out += [f"{name} line {ln}, column {col!r}: committed {was!r}, rebuilt {now!r}"
                    for ln, col, was, now in cells]
            if len(out) > limit:
                out = out[:limit] + [f"{name}: ... and {len(out) - limit} more differences"]
            problems.extend(out or [f"{name}: bytes differ but every cell is equal (formatting)"])
        elif f.endswith(".md"):
            problems.append(f"{name}: the rendering differs (see the .csv beside it)")
        else:
            ha, hb = (sha256(p)[:12] for p in (a, b))
            problems.append(
                f"{name}: bytes differ (committed {ha}, rebuilt {hb}); its numbers are in the .data.csv beside it"
            )
    return problems
