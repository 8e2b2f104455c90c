"""Published tables rebuilt from tidy frames, and a writer for CSV plus a Markdown rendering."""

from __future__ import annotations

import json
import math
import numbers
import re
from pathlib import Path

import numpy as np
import pandas as pd

from oss_analysis.errors import DataError
from oss_analysis.extract.publisher_file import without_noise
from oss_analysis.files import atomic_write, write_csv


def fmt_number(value: object, decimals: int | None = None) -> str:
    """As the studies print: fixed ``decimals``, else the shortest form (``92``, ``99.5``); missing: empty."""
    if value is None or pd.isna(value):
        return ""
    return f"{float(value):.{decimals}f}" if decimals is not None else f"{float(value):.10g}"  # type: ignore[arg-type]


_P_VALUE = re.compile(r"(^|_)p(_value|_two_sided)?$|^p[ -]value")


def md_cell(value: object, column: object, whole: bool) -> str:
    """A .md cell as it means: a p-value '< 0.001' or to 3 decimals, whole numbers as integers, else 4 digits."""
    if not isinstance(value, numbers.Real) or isinstance(value, bool | np.bool_) or math.isnan(value):
        return "" if value is None or value is pd.NA or isinstance(value, float) else str(value)
    if _P_VALUE.search(str(column).lower()):
        return "< 0.001" if value < 0.001 else f"{value:.3f}".rstrip("0").rstrip(".")  # 1, not 1.000
    return str(int(value)) if whole else np.format_float_positional(value, 4, False, False, trim="-")


def float_noise(frame: pd.DataFrame) -> str | None:
    """The first cell a few units in the last place off a short decimal (0.30000000000000004)."""
    for col in frame.select_dtypes("number").columns:
        v = frame[col].to_numpy(dtype=float)
        short = without_noise(v)
        if (bad := np.flatnonzero((short != v) & ~np.isnan(v))).size:
            return f"line {bad[0] + 2}, column '{col}': float noise {float(v[bad[0]])!r} for {float(short[bad[0]])!r}"
    return None


def whole_as_decimal(cells: dict[str, list[str]]) -> str | None:
    """The first cell writing a whole number 'N.0' ('109.0', '1323.0 services'); 'printed' columns keep the print's."""
    for col, values in cells.items():
        for i, v in enumerate(values if "printed" not in str(col) else []):
            if found := re.search(r"(?<![\d.])\d+\.0+(?![\d.])", v):
                return f"line {i + 3}, column '{col}': the whole number {found.group()} written with decimals"
    return None


def _whole(values: pd.Series) -> bool:
    reals = [float(v) for v in values if isinstance(v, numbers.Real) and not isinstance(v, bool | np.bool_)]
    return bool(reals := [v for v in reals if v == v]) and all(v.is_integer() for v in reals)  # NaN: empty


def whole(frame: pd.DataFrame) -> pd.DataFrame:
    """The .csv's frame: a column of whole numbers as integers (page 13, not '13.0'), unless printed so."""
    out = frame.copy()
    for col, values in frame.items():
        if _whole(values) and values.dtype.kind in "fO" and "printed" not in str(col):
            out[col] = values.astype("Int64") if values.dtype.kind == "f" else values.map(
                lambda v: int(v) if isinstance(v, float) and v.is_integer() else v)
    return frame if frame.attrs.get("as_printed") else out


def render(frame: pd.DataFrame, name: str = "table") -> str:
    """The Markdown grid of a table (``name`` in an error), each number formatted as it means (``md_cell``)."""
    cells = {col: [md_cell(v, col, w) for v in values] for col, values in frame.items() for w in [_whole(values)]}
    if not frame.attrs.get("as_printed") and (problem := whole_as_decimal(cells)):  # a print's '2.0' stays
        raise DataError(name, problem)
    return pd.DataFrame(cells, columns=frame.columns).to_markdown(index=False, disable_numparse=True)


def write_table(frame: pd.DataFrame, stem: str, out_dir: Path, *, title: str = "", note: str = "",
                data: pd.DataFrame | None = None, sources: list[str] | None = None) -> None:
    """Write ``stem.csv``, ``stem.md`` and ``stem.meta.json``, credited from ``data`` (else the table), ``sources``."""
    from oss_analysis.output.source_line import credits, source_line

    found = credits(frame if data is None else data, sources or frame.attrs.get("processed", []), f"table {stem}")
    line = source_line(found)
    grid = render(frame, f"table {stem}.md")
    shown = title or stem
    rows, columns = f"{len(frame)} row" + ("" if len(frame) == 1 else "s"), ", ".join(map(str, frame.columns))
    alt = f"{shown}. A table of {rows} and {len(frame.columns)} columns ({columns})."
    claims = {"title": shown, "source_line": line, "legend": [], "series": [], "alt": alt, "sources": found}
    if noise := float_noise(frame):
        raise DataError(f"table {stem}.csv", noise)
    write_csv(whole(frame), Path(out_dir) / f"{stem}.csv")
    parts = [f"# {title}" if title else "", grid, f"\n{note}" if note else "", line]
    text = "\n\n".join(p for p in parts if p).strip() + "\n"
    atomic_write(Path(out_dir) / f"{stem}.md", lambda tmp: Path(tmp).write_text(text, encoding="utf-8", newline="\n"))
    write_claims(claims, Path(out_dir) / f"{stem}.meta.json")


def write_claims(claims: dict, path: Path) -> None:
    """``<stem>.meta.json``: an output's claims, written whole or not at all; title and alt one line each."""
    claims = claims | {k: " ".join(claims[k].split()) for k in ("title", "alt") if k in claims}  # a wrap is drawing
    text = json.dumps(claims, indent=1, ensure_ascii=False) + "\n"
    atomic_write(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
