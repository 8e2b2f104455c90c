"""Read raw transcriptions and processed tables, validated, failing with one clear line.

The Frictionless ``data/raw/datapackage.json`` is the single statement of each raw file's
schema; the pandera checks for raw files are derived from it, so the two cannot drift.
"""

from __future__ import annotations

import csv
import io as _io
import json
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from . import countries, paths
from .errors import DataError
from .files import sha256

if TYPE_CHECKING:  # pandera is imported where a schema is built or run, not by every reader
    import pandera.pandas as pa

_NUMERIC = {"integer", "number"}


@cache
def _datapackage(root: Path) -> dict[str, Any]:
    with (root / "data" / "raw" / "datapackage.json").open(encoding="utf-8") as fh:
        return json.load(fh)


def datapackage() -> dict[str, Any]:
    """The raw data package descriptor (cached per project root)."""
    return _datapackage(paths.root())


def resource(name: str) -> dict[str, Any]:
    """Descriptor of one raw resource; a clear error lists the known names."""
    for res in datapackage()["resources"]:
        if res["name"] == name:
            return res
    known = ", ".join(sorted(r["name"] for r in datapackage()["resources"]))
    raise KeyError(f"no raw resource named {name!r} in data/raw/datapackage.json; known: {known}")


def _rel(path: Path) -> str:
    try:
        return path.relative_to(paths.root()).as_posix()
    except ValueError:
        return str(path)


def read_checked_csv(
    path: Path, expected: list[str], *, optional: set[str] = frozenset(), may_be_empty: bool = False
) -> pd.DataFrame:
    """Read a CSV as text after checking what pandas would silently accept: missing or empty
    file, byte-order mark, bad encoding, missing/unknown columns, ragged or truncated rows."""
    name = _rel(path)
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
        line = data[: exc.start].count(b"\n") + 1
        raise DataError(name, "is not valid UTF-8; save it as UTF-8", row=line) from None
    if not text.endswith("\n"):
        last = text.count("\n") + 1
        raise DataError(name, "last line has no line ending (file truncated?)", row=last)
    rows = list(csv.reader(_io.StringIO(text, newline="")))
    header = rows[0]
    for col in expected:
        if col not in header and col not in optional:
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
    out = frame.copy()
    for field in fields:
        col, ftype = field["name"], field.get("type", "string")
        if col not in out:
            continue
        if ftype in _NUMERIC:
            num = pd.to_numeric(out[col], errors="coerce")
            bad = num.isna() & out[col].notna()
            if bad.any():
                i = int(bad.to_numpy().argmax())
                raise DataError(name, f"expected a {ftype}", row=i + 2, column=col, value=out[col].iloc[i])
            if ftype == "integer":
                frac = num.notna() & (num % 1 != 0)
                if frac.any():
                    i = int(frac.to_numpy().argmax())
                    raise DataError(name, "expected a whole number", row=i + 2, column=col, value=out[col].iloc[i])
                out[col] = num.astype("Int64")
            else:
                out[col] = num.astype("Float64")
        elif ftype == "boolean":
            mapped = out[col].str.lower().map({"true": True, "false": False})
            bad = mapped.isna() & out[col].notna()
            if bad.any():
                i = int(bad.to_numpy().argmax())
                raise DataError(name, "expected true or false", row=i + 2, column=col, value=out[col].iloc[i])
            out[col] = mapped.astype("boolean")
    return out


def _field_checks(field: dict[str, Any]) -> list[pa.Check]:
    import pandera.pandas as pa

    cons = field.get("constraints", {})
    checks: list[pa.Check] = []
    if "minimum" in cons:
        checks.append(pa.Check.ge(cons["minimum"], error=f"must be >= {cons['minimum']}"))
    if "maximum" in cons:
        checks.append(pa.Check.le(cons["maximum"], error=f"must be <= {cons['maximum']}"))
    if "pattern" in cons:
        checks.append(pa.Check.str_matches(f"^(?:{cons['pattern']})$", error=f"must match {cons['pattern']}"))
    if "enum" in cons:
        checks.append(pa.Check.isin(cons["enum"], error=f"must be one of {cons['enum']}"))
    if field.get("x-country") == "name":
        checks.append(
            pa.Check(
                lambda s: s.map(lambda v: countries.to_iso3(str(v)) is not None),
                element_wise=False,
                error="unknown country name (add it to config/country_aliases.csv if it is a real country)",
            )
        )
    if field.get("x-country") == "iso3":
        checks.append(pa.Check(lambda s: s.map(countries.is_iso3), error="unknown ISO 3166 alpha-3 code"))
    return checks


def schema_from_fields(fields: list[dict[str, Any]], primary_key: list[str] | None = None) -> pa.DataFrameSchema:
    """pandera schema equivalent to a Frictionless table schema (types, required, unique, range,
    enum, country codes, primary key)."""
    import pandera.pandas as pa

    dtypes = {"integer": "Int64", "number": "Float64", "string": "string", "date": "string", "boolean": "boolean"}
    cols = {}
    for f in fields:
        cons = f.get("constraints", {})
        cols[f["name"]] = pa.Column(
            dtypes.get(f.get("type", "string"), "string"),
            checks=_field_checks(f),
            nullable=not cons.get("required", False),
            unique=bool(cons.get("unique", False)),
            required=True,
        )
    return pa.DataFrameSchema(cols, unique=primary_key if primary_key and len(primary_key) > 1 else None, strict=True)


def validate(frame: pd.DataFrame, schema: pa.DataFrameSchema, file: str) -> pd.DataFrame:
    """Run a pandera schema and turn its first failure into a one-line DataError."""
    import pandera.pandas as pa

    try:
        return schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        fc = exc.failure_cases.copy()
        fc["_order"] = pd.to_numeric(fc["index"], errors="coerce").fillna(-1)
        first = fc.sort_values(["_order", "column"], kind="stable").iloc[0]
        idx = first["index"]
        row = int(idx) + 2 if pd.notna(idx) else None
        rule = str(first["check"])
        if rule == "not_nullable":
            rule = "value is required"
        elif rule.startswith("field_uniqueness") or rule == "multiple_fields_uniqueness":
            same = fc[(fc["check"] == first["check"]) & (fc["column"] == first["column"])]
            if len(same) > 1:  # report the repeat, and where the key was first seen
                first, row = same.iloc[1], int(same.iloc[1]["_order"]) + 2
            rule = f"duplicate key (first seen on line {int(same.iloc[0]['_order']) + 2})"
        column = first["column"] if pd.notna(first["column"]) else None
        raise DataError(file, rule, row=row, column=column, value=first["failure_case"]) from None


def check_hash(name: str) -> None:
    """Fail when a raw file no longer matches the checksum recorded in the data package."""
    res = resource(name)
    path = paths.raw_dir() / res["path"]
    expected = res.get("hash", "").removeprefix("sha256:")
    if expected and path.exists() and sha256(path) != expected:
        raise DataError(
            _rel(path),
            "sha256 differs from data/raw/datapackage.json (edited by hand? run `make datapackage` "
            "after checking the change)",
        )


def load_raw(name: str, *, verify_hash: bool = True) -> pd.DataFrame:
    """A raw transcription as a typed, validated frame (rows in file order)."""
    res = resource(name)
    path = paths.raw_dir() / res["path"]
    fields = res["schema"]["fields"]
    frame = read_checked_csv(path, [f["name"] for f in fields], may_be_empty=bool(res.get("x-may-be-empty")))
    frame = validate_as(name, frame, _rel(path))
    if verify_hash:
        check_hash(name)
    return frame


def validate_as(name: str, frame: pd.DataFrame, file: str) -> pd.DataFrame:
    """Type and validate text cells against a raw resource's schema (a raw file, or a frame built
    from another file layout)."""
    res = resource(name)
    fields = res["schema"]["fields"]
    text = frame.astype("string").replace({"": pd.NA})
    return validate(_coerce(text, fields, file), schema_from_fields(fields, res["schema"].get("primaryKey")), file)


def titles(name: str) -> dict[str, str]:
    """Printed column headers (Frictionless ``title``) by field name."""
    return {f["name"]: f.get("title", f["name"]) for f in resource(name)["schema"]["fields"]}
