"""Checks on notebook parameters: a bad value stops with one line that lists the valid choices."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

import yaml
from pydantic import AfterValidator, ConfigDict, Field, TypeAdapter, ValidationError

from oss_analysis import countries, paths
from oss_analysis.errors import DataError, ParameterError
from oss_analysis.files import csv_rows


def check_country(code: object, available: Mapping[str, str], *, what: str = "focus_country") -> str:
    """Return the upper-cased ISO3 code if the data have it; otherwise say which codes they have."""
    iso3 = countries.normalise_code(code) if isinstance(code, str) else None
    if not isinstance(code, str):
        rule = f"expected an ISO 3166 alpha-3 code as text, got {code!r}"
    elif iso3 is None:
        rule = f"{code!r} is not an ISO 3166 alpha-3 code"
    elif iso3 not in available:
        rule = f"{iso3} ({countries.name_of(iso3)}) is not in these data"
    else:
        return iso3
    choices = ", ".join(f"{k} ({v})" for k, v in sorted(available.items()))
    raise ParameterError(f"parameter {what}: {rule}; choose one of: {choices}")


def load_groups(path: str, available: Mapping[str, str]) -> dict[str, list[str]]:
    """Comparator groups from a CSV (columns iso3, group) of codes the data hold, no group empty."""
    if not (paths.root() / path).exists():
        raise ParameterError(f"parameter groups_file: {path} does not exist")
    groups: dict[str, list[str]] = {}
    for line, row in csv_rows(paths.root() / path, path, ("iso3", "group")):
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
    cover = f"data cover {years[0]}-{years[-1]}" if years else "data cover none"
    for name, value in (("start_year", start), ("end_year", end)):
        if not isinstance(value, int) or isinstance(value, bool):
            raise ParameterError(f"parameter {name}: expected a year as a whole number, got {value!r}; {cover}")
    if start > end:
        raise ParameterError(f"parameters start_year={start} and end_year={end}: start is after end; {cover}")
    if not any(start <= y <= end for y in years):
        raise ParameterError(f"parameters start_year={start}, end_year={end}: no data in that range; {cover}")
    return start, end


def _not_figures(value: str | None) -> str | None:
    """Only the build publishes into figures/: papermill by hand into it left foreign outputs there."""
    if value is not None and (paths.root() / value).resolve().is_relative_to(paths.figures_dir()):
        raise ValueError("inside figures/")
    return value


Count = Annotated[int, Field(ge=1)]
YEAR = (Annotated[int, Field(ge=1900, le=2100)], "a year from 1900 to 2100")
# every notebook parameter -> (its pydantic type, its documented range in words for the one-line message)
SPECS: dict[str, tuple[Any, str]] = {
    "output_dir": (Annotated[str | None, AfterValidator(_not_figures)],
                   "a folder outside figures/ (only the build publishes there), or None for build/scratch/"),
    "published_dir": (str, "the folder holding the published tables (figures)"),
    "focus_country": (str, "an ISO 3166 alpha-3 code the data hold"),
    "groups_file": (Annotated[str, Field(pattern=r"\.csv$")], "a CSV file of comparator groups (columns iso3, group)"),
    "similar_within": (Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)],
                       "a finite number of percentile points from 0 to 100"),
    "survey_n": (Count | None, "a whole number of respondents from 1 up, or None"),
    "sensitivity_n": (list[Count], "a list of whole numbers of respondents, each from 1 up"),
    **dict.fromkeys(("timeline_start", "timeline_end", "start_year", "end_year"), YEAR),
    "year": (YEAR[0], f"{YEAR[1]} (the data must hold it)"),
    "cpi_year": (YEAR[0], f"{YEAR[1]} (the CPI files must hold it)"),
    "wgi_year": (YEAR[0], f"{YEAR[1]} (the WGI files must hold it)"),
    "thesis_year": (YEAR[0], f"{YEAR[1]} (the WGI files must hold it)"),
    **dict.fromkeys(("publisher_values", "show_targets", "fit_trend"), (bool, "true or false")),
}


@cache
def _adapter(tp: Any) -> TypeAdapter[Any]:
    """Strict: no "5" for 5, no True for 1 (an int is accepted where a float is); built once a type."""
    return TypeAdapter(tp, config=ConfigDict(strict=True))


def type_names(tp: Any) -> str:
    """The Python types a pydantic type accepts ('float or int'): pydantic's messages do not say which."""
    if get_origin(tp) is Annotated:
        return type_names(get_args(tp)[0])
    if get_origin(tp) in (Union, UnionType):
        return " or ".join(type_names(t) for t in get_args(tp))
    if tp is type(None):
        return "None"
    return "float or int" if tp is float else (get_origin(tp) or tp).__name__


def check_value(key: str, value: Any, where: str | None = None) -> Any:
    """Check one parameter against its spec; the error names where the value came from and the types taken."""
    where = f"{where}: " if where else ""
    if key not in SPECS:
        raise ParameterError(f"{where}parameter {key!r} has no documented range in oss_analysis.parameters.SPECS")
    tp, rule = SPECS[key]
    try:
        _adapter(tp).validate_python(value)
    except ValidationError as exc:
        # pydantic's error types: "int_type", "none_required", ... for the type; others for a range
        if all(not e["loc"] and e["type"].endswith(("_type", "none_required")) for e in exc.errors()):
            raise ParameterError(f"{where}parameter {key!r} expects {type_names(tp)} ({rule}), got {value!r}") from None
        raise ParameterError(f"{where}parameter {key!r} must be {rule} (got {value!r})") from None
    return value


def validate(**values: Any) -> None:
    """What a notebook calls first, before it writes anything: every parameter it was given is checked."""
    for key, value in values.items():
        check_value(key, value)


def read_yaml(path: Path) -> tuple[dict[str, Any], dict[str, int]]:
    """A YAML mapping of parameters and the line of each key; anything else is a one-line error."""
    shown = paths.shown(path)
    if not path.exists():
        raise DataError(shown, "file is missing")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise DataError(shown, "is not valid UTF-8; save it as UTF-8", row=line) from None
    try:
        node, values = yaml.compose(text, Loader=yaml.SafeLoader), yaml.safe_load(text)
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
