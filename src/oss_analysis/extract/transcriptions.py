"""Raw transcriptions, validated against ``data/raw/datapackage.json`` (docs/stages/extract.md)."""

from __future__ import annotations

import csv
import io as _io
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from oss_analysis import countries, paths
from oss_analysis.errors import DataError
from oss_analysis.extract.datapackage import resource  # one raw resource's descriptor
from oss_analysis.extract.publisher_file import Table
from oss_analysis.files import csv_rows, sha256

if TYPE_CHECKING:  # pandera is imported where a schema is built or run, not by every reader
    import pandera.pandas as pa


def read_checked_csv(path: Path, expected: list[str], *, may_be_empty: bool = False) -> pd.DataFrame:
    """A CSV as text, after checking what pandas would silently accept (docs/stages/extract.md)."""
    name = paths.shown(path)
    if not path.exists():
        raise DataError(name, "file is missing")
    data = path.read_bytes()
    if not data.strip():
        raise DataError(name, "file is empty")
    if data.startswith(b"\xef\xbb\xbf"):
        raise DataError(name, "starts with a UTF-8 byte-order mark; save it as UTF-8 without BOM", row=1)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DataError(name, "is not valid UTF-8; save it as UTF-8", row=data[: exc.start].count(b"\n") + 1) from None
    if not text.endswith("\n"):
        raise DataError(name, "last line has no line ending (file truncated?)", row=text.count("\n") + 1)
    rows = list(csv.reader(_io.StringIO(text, newline="")))
    header = rows[0]
    for j, col in enumerate(header):
        if col in header[:j]:
            where = f"fields {header.index(col) + 1} and {j + 1}"
            raise DataError(name, f"column name appears twice in the header ({where})", row=1, column=col)
    for col in expected:
        if col not in header:
            raise DataError(name, "required column is missing", row=1, column=col)
    for col in header:
        if col not in expected:
            raise DataError(name, "column is not in the schema (renamed or extra?)", row=1, column=col)
    if len(rows) == 1 and not may_be_empty:
        raise DataError(name, "has a header but no data rows")
    for i, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise DataError(name, f"has {len(row)} fields, the header has {len(header)}", row=i)
    return pd.DataFrame(rows[1:], columns=header, dtype="string").replace({"": pd.NA})


def _coerce(frame: pd.DataFrame, fields: list[dict[str, Any]], name: str) -> pd.DataFrame:
    """Text cells -> the types the package declares, refusing the first cell that is not of its type."""
    out, table = frame.copy(), Table(frame, name, header_line=1)
    for field in fields:
        col, ftype = field["name"], field.get("type", "string")
        if col not in out:
            continue
        if ftype in ("integer", "number"):
            num = pd.to_numeric(out[col], errors="coerce")
            table.fail_first(num.isna() & out[col].notna(), f"expected a {ftype}", col, frame[col])
            if ftype == "integer":
                table.fail_first(num.notna() & (num % 1 != 0), "expected a whole number", col, frame[col])
            out[col] = num.astype("Int64" if ftype == "integer" else "Float64")
        elif ftype == "boolean":
            mapped = out[col].str.lower().map({"true": True, "false": False})
            table.fail_first(mapped.isna() & out[col].notna(), "expected true or false", col, frame[col])
            out[col] = mapped.astype("boolean")
    return out


def _real_dates(values: pd.Series) -> pd.Series:
    """True where a ``YYYY`` or ``YYYY-MM`` value is a date (a pattern lets month 13 through)."""
    return values.isna() | pd.to_datetime(values.astype("string"), format="ISO8601", errors="coerce").notna()


def _field_checks(field: dict[str, Any]) -> list[pa.Check]:
    import pandera.pandas as pa

    cons = field.get("constraints", {})
    bounds = {"minimum": (pa.Check.ge, ">="), "maximum": (pa.Check.le, "<="), "exclusiveMinimum": (pa.Check.gt, ">")}
    checks = [check(cons[k], error=f"must be {op} {cons[k]}") for k, (check, op) in bounds.items() if k in cons]
    if pattern := cons.get("pattern"):
        checks.append(pa.Check.str_matches(f"^(?:{pattern})$", error=f"must match {pattern}"))
        if pattern.strip("^$").startswith("[0-9]{4}") and "-[0-9]{2}" in pattern:  # a year or a year-month
            checks.append(pa.Check(_real_dates, error="must be a real date (year, or year-month with month 01-12)"))
    if "enum" in cons:
        checks.append(pa.Check.isin(cons["enum"], error=f"must be one of {cons['enum']}"))
    if field.get("x-country") == "name":
        rule = "unknown country name (add it to config/country_aliases.csv if it is a real country)"
        checks.append(pa.Check(lambda s: s.map(lambda v: countries.to_iso3(str(v)) is not None), error=rule))
    if field.get("x-country") == "iso3":
        checks.append(pa.Check(lambda s: s.map(countries.is_iso3), error="unknown ISO 3166 alpha-3 code"))
    return checks


RAW_TYPES = {"integer": "Int64", "number": "Float64", "string": "string", "date": "string", "boolean": "boolean"}


def schema_from_fields(fields: list[dict[str, Any]], primary_key: list[str] | None = None,
                       dtype: Callable | None = None, **options: Any) -> pa.DataFrameSchema:
    """pandera schema equivalent to a Frictionless table schema (why not pandera's: docs/stages/extract.md)."""
    import pandera.pandas as pa

    dtype = dtype or (lambda f: RAW_TYPES.get(f.get("type", "string"), "string"))
    cols = {}
    for f in fields:
        cons = f.get("constraints", {})
        is_key = primary_key == [f["name"]]  # a primary key of one field is unique
        cols[f["name"]] = pa.Column(dtype(f), checks=_field_checks(f), nullable=not cons.get("required"),
                                    unique=bool(cons.get("unique")) or is_key, description=f.get("description"))
    unique = primary_key if primary_key and len(primary_key) > 1 else None
    return pa.DataFrameSchema(cols, unique=unique, strict=True, **options)


_UNIQUE = ("field_uniqueness", "multiple_fields_uniqueness")


def _unique_failures(fc: pd.DataFrame, frame: pd.DataFrame, schema: pa.DataFrameSchema) -> list[dict[str, Any]]:
    """The first repeat of each unique key and the line it repeats (pandera lists them in no useful order)."""
    out = []
    for check in fc.loc[fc["check"].isin(_UNIQUE), ["check", "column"]].drop_duplicates().itertuples():
        columns = list(schema.unique or []) if check.check == "multiple_fields_uniqueness" else [check.column]
        cols = [c for c in columns if c in frame]
        repeated = frame.duplicated(subset=cols, keep="first").to_numpy() if cols else None
        if repeated is None or not repeated.any():
            continue
        i = int(repeated.argmax())
        key = frame.iloc[i][cols]
        same = (frame[cols] == key).all(axis=1) | (frame[cols].isna() & key.isna()).all(axis=1)
        first, column = int(same.to_numpy().argmax()), columns[0]
        named = f" {', '.join(columns)}" if len(columns) > 1 else ""
        rule = f"duplicate key{named} (first seen on line {first + 2})"
        out.append({"_order": i, "column": column, "rule": rule, "value": frame.iloc[i][column]})
    return out


def _other_failures(fc: pd.DataFrame) -> list[dict[str, Any]]:
    """Every other failure, one per (row, check), a check across columns naming its rule's first column."""
    fc = fc[~fc["check"].isin(_UNIQUE)].copy()
    fc["pos"] = pd.to_numeric(fc["index"], errors="coerce").fillna(-1).astype(int)
    fc["named"] = [str(r.check).startswith(f"{r.column} ") for r in fc.itertuples()]
    fc = fc.sort_values(["pos", "named", "column"], ascending=[True, False, True], kind="stable")
    out = []
    for r in fc.drop_duplicates(["pos", "check"]).itertuples():
        rule = "value is required" if r.check == "not_nullable" else str(r.check)
        column = r.column if pd.notna(r.column) else None
        out.append({"_order": r.pos, "column": column, "rule": rule, "value": r.failure_case})
    return out


def validate(frame: pd.DataFrame, schema: pa.DataFrameSchema, file: str) -> pd.DataFrame:
    """Run a pandera schema; its first failure (by line, then column) becomes a one-line DataError."""
    import pandera.pandas as pa

    try:
        return schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        failures = _unique_failures(exc.failure_cases, frame, schema) + _other_failures(exc.failure_cases)
        first = min(failures, key=lambda f: (f["_order"], str(f["column"])))
        row = first["_order"] + 2 if first["_order"] >= 0 else None
        raise DataError(file, first["rule"], row=row, column=first["column"], value=first["value"]) from None


def load_raw(name: str, *, verify_hash: bool = True) -> pd.DataFrame:
    """A raw transcription, typed and validated (file order); with ``verify_hash``, a changed sha256 is refused."""
    res = resource(name)
    path = paths.raw_dir() / res["path"]
    fields = res["schema"]["fields"]
    frame = read_checked_csv(path, [f["name"] for f in fields], may_be_empty=bool(res.get("x-may-be-empty")))
    frame = validate_as(name, frame, paths.shown(path))
    if verify_hash and sha256(path) != res["hash"].removeprefix("sha256:"):
        fix = "(edited by hand? run `make datapackage` after checking the change)"
        raise DataError(paths.shown(path), f"sha256 differs from data/raw/datapackage.json {fix}")
    return frame


def validate_as(name: str, frame: pd.DataFrame, file: str) -> pd.DataFrame:
    """Type and validate text cells against a raw resource's schema (a raw file, or a frame of another layout)."""
    res = resource(name)
    fields = res["schema"]["fields"]
    if any("x-country" in f for f in fields):
        countries.alias_rows()  # read (and so checked) first: its own errors name it, not the table
    text = frame.astype("string").replace({"": pd.NA})
    return validate(_coerce(text, fields, file), schema_from_fields(fields, res["schema"].get("primaryKey")), file)


def raw_rows(name: str) -> list[dict[str, str]]:
    """A raw transcription's rows as text, the printed digits exactly (no typing, no checks)."""
    return [row for _, row in csv_rows(paths.raw_dir() / f"{name}.csv", f"data/raw/{name}.csv")]


def titles(name: str) -> dict[str, str]:
    """Printed column headers (Frictionless ``title``) by field name."""
    return {f["name"]: f.get("title", f["name"]) for f in resource(name)["schema"]["fields"]}
