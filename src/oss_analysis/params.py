"""Checks on notebook parameters: a bad value stops with one line that lists the valid choices."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from . import countries
from .errors import ParameterError


def check_country(code: object, available: Mapping[str, str], *, what: str = "focus_country") -> str:
    """Return the upper-cased ISO3 code if the data have it; otherwise say which codes they have."""
    choices = ", ".join(f"{k} ({v})" for k, v in sorted(available.items()))
    if not isinstance(code, str):
        raise ParameterError(
            f"parameter {what}: expected an ISO 3166 alpha-3 code as text, got {code!r}; choose one of: {choices}"
        )
    iso3 = code.strip().upper()
    if not countries.is_iso3(iso3):
        raise ParameterError(f"parameter {what}: {code!r} is not an ISO 3166 alpha-3 code; choose one of: {choices}")
    if iso3 not in available:
        raise ParameterError(
            f"parameter {what}: {iso3} ({countries.name_of(iso3)}) is not in these data; choose one of: {choices}"
        )
    return iso3


def load_groups(path: str, available: Mapping[str, str]) -> dict[str, list[str]]:
    """Comparator groups from a CSV (columns iso3, group): every code must be in the data and no
    group may be empty; errors name the file, line and column."""
    import csv

    from . import paths
    from .errors import DataError

    file = paths.root() / path
    if not file.exists():
        raise ParameterError(f"parameter groups_file: {path} does not exist")
    groups: dict[str, list[str]] = {}
    with file.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        for col in ("iso3", "group"):
            if col not in (reader.fieldnames or []):
                raise DataError(path, "required column is missing", row=1, column=col)
        for line, row in enumerate(reader, start=2):
            code, group = (row["iso3"] or "").strip().upper(), (row["group"] or "").strip()
            if not group:
                raise DataError(path, "group name is empty", row=line, column="group")
            if code not in available:
                known = ", ".join(sorted(available))
                raise DataError(path, f"country not in the data (known: {known})", row=line, column="iso3", value=code)
            groups.setdefault(group, []).append(code)
    if not groups:
        raise DataError(path, "defines no comparator group")
    return groups


def check_year_range(start: object, end: object, available: Iterable[int]) -> tuple[int, int]:
    """A (start, end) year range that overlaps the data; otherwise a message with the years there are."""
    years = sorted({int(y) for y in available})
    shown = f"{years[0]}-{years[-1]}" if years else "none"
    for name, value in (("start_year", start), ("end_year", end)):
        if not isinstance(value, int) or isinstance(value, bool):
            raise ParameterError(
                f"parameter {name}: expected a year as a whole number, got {value!r}; data cover {shown}"
            )
    if start > end:
        raise ParameterError(
            f"parameters start_year={start} and end_year={end}: start is after end; data cover {shown}"
        )
    if not any(start <= y <= end for y in years):
        raise ParameterError(
            f"parameters start_year={start}, end_year={end}: no data in that range; data cover {shown}"
        )
    return start, end
