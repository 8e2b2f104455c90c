"""Reading publishers' files as distributed, quirks handled in memory, surprises one line (docs/stages/extract.md)."""

from __future__ import annotations

import csv
import hashlib
import io as _io
import re
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import NoReturn

import numpy as np
import pandas as pd

from oss_analysis import paths
from oss_analysis.errors import DataError
from oss_analysis.extract import datapackage

DELIMITERS = {",": "','", ";": "';'", "\t": "a tab"}


def decode(data: bytes, name: str) -> str:
    """Bytes -> text with LF line ends: UTF-8, else Windows-1252 if no UTF-8 at all (docs/stages/extract.md)."""

    def fail(problem: str, at: int) -> NoReturn:
        where = f"{problem} at byte {at} (tried UTF-8 and Windows-1252): save it as UTF-8"
        raise DataError(name, where, row=raw[:at].count(b"\n") + 1)

    raw, data = data, data.removeprefix(b"\xef\xbb\xbf")
    bom = len(raw) - len(data)  # offsets below are the file's
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or data.count(b"\x00") > len(data) // 4:
        fail("is UTF-16 or UTF-32 text, not UTF-8", 0)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if re.search(rb"[\xc2-\xf4][\x80-\xbf]+", data):  # some UTF-8 text: the rest must be too
            fail(f"is not valid UTF-8 ({exc.reason})", exc.start + bom)
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as bad:
            fail(f"is neither UTF-8 nor Windows-1252 (byte {data[bad.start]:#04x})", bad.start + bom)
    if "\x00" in text:
        fail("holds NUL bytes: not a text (CSV) file", raw.index(b"\x00"))
    return re.sub(r"\r*\n|\r", "\n", text)


@dataclass(frozen=True)
class Table:
    """Cells of a delimited file as text, with the line number of the header (1-based)."""

    frame: pd.DataFrame
    file: str
    header_line: int

    def line(self, position: int) -> int:
        """File line of the data row at ``position`` (0-based, in file order)."""
        return self.header_line + 1 + int(position)

    def lines(self) -> pd.RangeIndex:
        """File line of every data row, in file order."""
        return self.header_line + 1 + pd.RangeIndex(len(self.frame))

    def fail(self, rule: str, *, position: int | None = None, column: str | None = None,
             value: object = None) -> NoReturn:
        """Raise the one-line error for a data row (or the header when ``position`` is None)."""
        row = self.header_line if position is None else self.line(position)
        raise DataError(self.file, rule, row=row, column=column, value=value)

    def fail_first(self, bad: pd.Series, rule: str, column: str, values: pd.Series | None = None) -> None:
        """Raise the one-line error at the first data row where ``bad`` holds (with its value in ``values``)."""
        if bad.any():
            pos = int(bad.to_numpy().argmax())
            self.fail(rule, position=pos, column=column, value=None if values is None else values.iloc[pos])


def parse(text: str, name: str, *, sep: str = ",", header_line: int = 1, required: list[str] = (),
          trailing_sep: bool = False) -> Table:
    """Delimited text -> a Table of strings, after checking the delimiter, the columns and every row's width."""
    lines = text.split("\n", header_line)
    if not text.strip():
        raise DataError(name, "file is empty")
    if len(lines) < header_line or not lines[header_line - 1].strip():
        raise DataError(name, f"no header on line {header_line} (file truncated?)", row=header_line)
    header = lines[header_line - 1]
    if sep not in header:
        other = next((label for d, label in DELIMITERS.items() if d != sep and d in header), None)
        rule = f"wrong delimiter: the header is separated by {other}, expected {DELIMITERS[sep]}"
        if other is None:
            rule = f"the header has no {DELIMITERS[sep]} delimiter (not a table of this layout?)"
        raise DataError(name, rule, row=header_line)
    reader = csv.reader(_io.StringIO(text), delimiter=sep)
    counts = [(reader.line_num, len(row)) for row in reader]
    width = counts[header_line - 1][1]
    for pos, (line, n) in enumerate(counts[header_line:], start=header_line):
        if n != width:
            last = pos == len(counts) - 1
            hint = " (file truncated?)" if last and n < width else " (a column name missing?)" if n > width else ""
            raise DataError(name, f"has {n} fields, the header has {width}{hint}", row=line)
    try:
        # every cell as text, none taken as missing (keep_default_na): each reader knows its file's markers
        options = {"dtype": str, "keep_default_na": False, "skip_blank_lines": False}
        frame = pd.read_csv(_io.StringIO(text), sep=sep, skiprows=header_line - 1, **options)
    except pd.errors.ParserError as exc:  # a ragged row was refused above, with its line
        raise DataError(name, f"cannot be parsed as a table: {exc}") from None
    if trailing_sep and len(frame.columns) and str(frame.columns[-1]).startswith("Unnamed"):
        frame = frame.iloc[:, :-1]
    frame.columns = [str(c).strip() for c in frame.columns]
    table = Table(frame, name, header_line)
    for col in required:
        if col not in frame.columns:
            rule = f"required column is missing (renamed?); the header has {list(frame.columns)[:6]}..."
            table.fail(rule, column=col)
    if frame.empty:
        table.fail("has a header but no data rows (file truncated?)")
    return table


def numbers(table: Table, column: str, *, missing: tuple[str, ...] = ("",)) -> pd.Series:
    """A column as floats: the file's ``missing`` markers NA (never 0), anything else not a number refused."""
    text = table.frame[column].str.strip()
    is_missing = text.isin(missing)
    num = pd.to_numeric(text.where(~is_missing), errors="coerce")
    rule = f"expected a number or a missing marker {list(missing)}"
    table.fail_first(num.isna() & ~is_missing, rule, column, table.frame[column])
    return pd.Series(without_noise(num.to_numpy(dtype=float)), index=num.index).astype("Float64")


def without_noise(values: np.ndarray) -> np.ndarray:
    """Each value as the short decimal a few units in the last place away, if any (0.7249899999999999: 0.72499)."""
    short = np.array([float(f"{x:.12g}") for x in values])
    noise = (short != values) & (np.abs(short - values) <= 4 * np.spacing(np.abs(values)))
    return np.where(noise, short, values)


def required_numbers(table: Table, column: str) -> pd.Series:
    """A column of numbers that may not be missing (a year, say)."""
    values = numbers(table, column)
    table.fail_first(values.isna(), "value is required (a missing year?)", column)
    return values


def check_range(table: Table, values: pd.Series, column: str, low: float, high: float) -> None:
    """Stop at the first value outside [low, high] (missing values pass)."""
    bad = values.notna() & ((values < low) | (values > high))
    table.fail_first(bad, f"must be between {low:g} and {high:g}", column, values)


def check_interval(table: Table, value: pd.Series, low: pd.Series, high: pd.Series, column: str, what: str) -> None:
    """A value within the bounds its own file gives for it: an edit that stays in range is caught."""
    bad = ((value < low) | (value > high) | (low > high)).fillna(False)
    if bad.any():
        pos = int(bad.to_numpy().argmax())
        got = f"{value.iloc[pos]:g} lies outside {what}, {low.iloc[pos]:g} to {high.iloc[pos]:g}"
        table.fail(f"{got}: the file disagrees with itself (edited?)", position=pos, column=column)


def implied_release(frame: pd.DataFrame) -> tuple[int, str]:
    """(release, years) as a file says them by its years, columns or name (read with no release given)."""
    first, last = (int(f(frame["year" if "year" in frame else "edition"])) for f in (min, max))
    return int(frame["release" if "release" in frame else "edition"].max()), f"{first}-{last}"[5 * (first == last) :]


def check_release(frame: pd.DataFrame, res: dict, file: str) -> None:
    """A release recorded in data/sources/datapackage.json is the file's own: an edit must not relabel data."""
    release, years = implied_release(frame)
    if (res.get("x-release"), res.get("x-years")) != (release, years):
        said = f"resource {res['name']!r} records release {res.get('x-release')!r}, years {res.get('x-years')!r}"
        rule = f"{said}, but {file} holds release {release}, years {years}: a file's release is what it says"
        raise DataError(datapackage.SOURCES_FILE, f"{rule}; restore the entry", row=datapackage.line_of(res["name"]))


resource = partial(datapackage.resource, shown=datapackage.SOURCES_FILE)  # one shipped file's descriptor


def read_text(path: Path, sha256: str | None = None) -> str:
    """A publisher's file as text; missing, empty, or (``sha256``: its entry's hash) changed bytes refused."""
    shown = paths.shown(path)
    if not Path(path).exists():
        raise DataError(shown, "file is missing" + (f" ({datapackage.SOURCES_FILE} lists it)" if sha256 else ""))
    data = Path(path).read_bytes()
    if sha256 and f"sha256:{hashlib.sha256(data).hexdigest()}" != sha256:
        rule = f"sha256 differs from {datapackage.SOURCES_FILE}: publishers' files are shipped unchanged; "
        fix = "restore it with `git checkout`, or add a newer release as a new file (see docs/guides/student.md)"
        raise DataError(shown, rule + fix)
    text = decode(data, shown)
    if not text.strip():
        raise DataError(shown, "file is empty")
    return text
