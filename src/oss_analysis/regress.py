"""Output regression: compare committed outputs with a fresh rebuild and say, readably, which
output and which cell changed. Tables and chart data are compared cell by cell; figures byte for
byte (they are deterministic on the pinned environment, so any byte change is a real change)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd


def _csv_diff(name: str, a: Path, b: Path, limit: int) -> list[str]:
    old = pd.read_csv(a, dtype=str, keep_default_na=False)
    new = pd.read_csv(b, dtype=str, keep_default_na=False)
    out = []
    if list(old.columns) != list(new.columns):
        out.append(f"{name}: columns changed from {list(old.columns)} to {list(new.columns)}")
    if len(old) != len(new):
        out.append(f"{name}: {len(old)} rows committed, {len(new)} rebuilt")
    for col in [c for c in old.columns if c in new.columns]:
        for i in range(min(len(old), len(new))):
            if old.at[i, col] != new.at[i, col]:
                out.append(
                    f"{name} line {i + 2}, column {col!r}: committed {old.at[i, col]!r}, rebuilt {new.at[i, col]!r}"
                )
    if len(out) > limit:
        out = out[:limit] + [f"{name}: ... and {len(out) - limit} more differences"]
    return out


def compare(
    committed: Path, rebuilt: Path, files: list[str], *, prefix: str = "figures/", limit: int = 10
) -> list[str]:
    """One line per difference between the committed and the rebuilt copy of each file."""
    problems: list[str] = []
    for f in files:
        a, b = Path(committed) / f, Path(rebuilt) / f
        name = prefix + f
        if not b.exists():
            problems.append(f"{name}: not rebuilt")
            continue
        if not a.exists():
            problems.append(f"{name}: rebuilt but not committed")
            continue
        if a.read_bytes() == b.read_bytes():
            continue
        if f.endswith(".csv"):
            problems.extend(
                _csv_diff(name, a, b, limit) or [f"{name}: bytes differ but every cell is equal (formatting)"]
            )
        elif f.endswith(".md"):
            problems.append(f"{name}: the rendering differs (see the .csv beside it)")
        else:
            ha, hb = (hashlib.sha256(p.read_bytes()).hexdigest()[:12] for p in (a, b))
            problems.append(
                f"{name}: bytes differ (committed {ha}, rebuilt {hb}); its numbers are in the .data.csv beside it"
            )
    return problems
