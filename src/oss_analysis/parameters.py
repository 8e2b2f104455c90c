"""Checks on notebook parameters: a bad value stops with one line that lists the valid choices."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from oss_analysis import countries
from oss_analysis.errors import ParameterError


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

    from oss_analysis import paths
    from oss_analysis.errors import DataError

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


# --- every notebook parameter: its type and its documented valid range ----------------------


@dataclass(frozen=True)
class Spec:
    """What a parameter accepts: Python types (int is accepted where float is, bool never where a
    number is), and a rule stated in words and as a test, checked before a notebook runs."""

    types: tuple[type, ...]
    rule: str
    test: Callable[[Any], bool] = lambda v: True


def _finite(lo: float, hi: float) -> Callable[[Any], bool]:
    return lambda v: math.isfinite(v) and lo <= v <= hi


def _year(v: Any) -> bool:
    return 1900 <= v <= 2100


SPECS: dict[str, Spec] = {
    "output_dir": Spec((str, type(None)), "a folder, or None for build/scratch/"),
    "published_dir": Spec((str,), "the folder holding the published tables (figures)"),
    "focus_country": Spec((str,), "an ISO 3166 alpha-3 code the data hold"),
    "groups_file": Spec((str,), "a CSV file of comparator groups (columns iso3, group)", lambda v: v.endswith(".csv")),
    "similar_within": Spec((float, int), "a finite number of percentile points from 0 to 100", _finite(0, 100)),
    "survey_n": Spec(
        (int, type(None)), "a whole number of respondents from 1 up, or None", lambda v: v is None or v >= 1
    ),
    "sensitivity_n": Spec(
        (list,),
        "a list of whole numbers of respondents, each from 1 up",
        lambda v: all(isinstance(x, int) and not isinstance(x, bool) and x >= 1 for x in v),
    ),
    "timeline_start": Spec((int,), "a year from 1900 to 2100", _year),
    "timeline_end": Spec((int,), "a year from 1900 to 2100", _year),
    "start_year": Spec((int,), "a year from 1900 to 2100", _year),
    "end_year": Spec((int,), "a year from 1900 to 2100", _year),
    "year": Spec((int,), "a year from 1900 to 2100 (the data must hold it)", _year),
    "cpi_year": Spec((int,), "a year from 1900 to 2100 (the CPI files must hold it)", _year),
    "wgi_year": Spec((int,), "a year from 1900 to 2100 (the WGI files must hold it)", _year),
    "thesis_year": Spec((int,), "a year from 1900 to 2100 (the WGI files must hold it)", _year),
    "publisher_values": Spec((bool,), "true or false"),
    "show_targets": Spec((bool,), "true or false"),
    "fit_trend": Spec((bool,), "true or false"),
}


def check_value(key: str, value: Any, where: str | None = None) -> Any:
    """Check one parameter against its spec; the error names where the value came from."""
    where = f"{where}: " if where else ""
    spec = SPECS.get(key)
    if spec is None:
        raise ParameterError(f"{where}parameter {key!r} has no documented range in oss_analysis.parameters.SPECS")
    is_bool = isinstance(value, bool)
    if not isinstance(value, spec.types) or (is_bool and bool not in spec.types):
        names = " or ".join("None" if t is type(None) else t.__name__ for t in spec.types)
        raise ParameterError(f"{where}parameter {key!r} expects {names} ({spec.rule}), got {value!r}")
    if not spec.test(value):
        raise ParameterError(f"{where}parameter {key!r} must be {spec.rule} (got {value!r})")
    return value


def validate(**values: Any) -> None:
    """What a notebook calls first, before it writes anything: every parameter it was given, by
    papermill or by hand, has the right type and lies in its documented range."""
    for key, value in values.items():
        check_value(key, value)


def read_yaml(path: Path) -> tuple[dict[str, Any], dict[str, int]]:
    """A YAML mapping of parameters and the line of each key; invalid YAML or anything but a
    mapping stops with one line naming the file, line and column."""
    import yaml

    from oss_analysis import paths
    from oss_analysis.errors import DataError

    shown = paths.shown(path)
    if not path.exists():
        raise DataError(shown, "file is missing")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise DataError(shown, "is not valid UTF-8; save it as UTF-8", row=line) from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        values = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        where = f" (column {mark.column + 1})" if mark else ""
        raise DataError(shown, f"is not valid YAML{where}: {problem}", row=mark.line + 1 if mark else None) from None
    if values is None:
        return {}, {}
    if not isinstance(values, dict) or not isinstance(node, yaml.MappingNode):
        raise DataError(shown, "expected a mapping of parameter names to values (name: value)", row=1)
    lines: dict[str, int] = {}
    for key, _ in node.value:
        line = key.start_mark.line + 1
        if key.value in lines:  # YAML would silently keep the last one
            raise DataError(shown, f"parameter {key.value!r} is set twice (first on line {lines[key.value]})", row=line)
        lines[key.value] = line
    return values, lines
