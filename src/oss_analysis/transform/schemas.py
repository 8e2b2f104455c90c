"""pandera schemas of the tables in ``data/processed/``, declared as Frictionless table schemas in
``schemas.json`` (docs/stages/transform.md), plus the cross-column checks a table schema cannot state."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pandera.pandas as pa

from oss_analysis import countries
from oss_analysis.domain import WGI_CODES
from oss_analysis.extract.transcriptions import resource, schema_from_fields

ISO3166_AGREES = pa.Check(  # one row per error; vectorised over the distinct codes (up to 130,000 rows)
    lambda d: d["iso3166"] == d["iso3"].map({c: countries.is_iso3(c) for c in d["iso3"].unique()}),
    error="iso3166 must say whether iso3 is an ISO 3166 alpha-3 code",
)
WGI_INDICATOR = pa.Check(lambda d: d["indicator"].isin(list(WGI_CODES)), error="indicator must be a WGI code")

CHECKS = {
    "CPI_SOURCES": [
        ISO3166_AGREES, pa.Check(lambda d: (d["score"] <= d["scale"]).all(), error="score above its scale")
    ],
    "EGDI_SOURCES": [ISO3166_AGREES],
    "WGI_SOURCES": [ISO3166_AGREES, WGI_INDICATOR],
    "WGI": [
        WGI_INDICATOR,
        pa.Check(lambda d: d["indicator_name"].isin(WGI_CODES.values()), error="indicator_name must be a WGI name"),
    ],
    "EIU": [
        pa.Check(lambda d: (d["lowest_score"] <= d["highest_score"]).all(), error="lowest score above highest"),
        pa.Check(
            lambda d: d["weight_pct"].isna().sum() == 1, error="exactly one row (the overall score) has no weight"
        ),
    ],
    "BARRIERS": [
        pa.Check(lambda d: d["rating"].is_monotonic_increasing, error="rows not ordered by rating"),
        pa.Check(lambda d: d["is_oss"].sum() == 1, error="exactly one provider must be the One Stop Shop"),
    ],
    "LEGISLATION": [pa.Check(lambda d: d["date_start"].is_monotonic_increasing, error="events not in date order")],
    "CASE_OFFICES": [
        pa.Check(lambda d: (d["spans_both"] == d["oss_2"].isna()).all(), error="spanning cells must leave oss_2 blank")
    ],
    "SERVICES": [
        pa.Check(lambda d: (d["period_start"] <= d["period_end"]).all(), error="period ends before it starts")
    ],
    "FACTS": [  # row-wise (a boolean per row), so an error names the line; the rule starts with its column
        pa.Check(
            lambda d: d["value_high"].isna() | (d["value_high"] >= d["value"]),
            error="value_high must be >= value (the upper end of a range)",
        ),
        pa.Check(
            lambda d: d["unit"].ne("percent") | d["value"].between(0, 100),
            error="value must be between 0 and 100 when unit is percent",
        ),
        pa.Check(lambda d: d["unit"].ne("rank") | (d["value"] >= 1), error="value must be >= 1 when unit is rank"),
    ],
    "TIMELINE": [
        pa.Check(lambda d: d["year"].notna() | d["kind"].eq("target"), error="year is required unless kind is target")
    ],
}


@cache
def declared() -> dict[str, Any]:
    return json.loads(Path(__file__).with_name("schemas.json").read_text(encoding="utf-8"))


@cache
def schema(name: str) -> pa.DataFrameSchema:
    """The schema ``name`` of schemas.json: exactly these columns (strict), each coerced to its type:
    numpy's (a missing number is NaN), pandas' nullable one for an optional integer or as ``x-dtype`` says."""
    entry = declared()[name]
    raw = resource(entry["x-raw"])["schema"] if "x-raw" in entry else {"fields": []}
    fields = {f["name"]: f for f in raw["fields"]}
    fields.update({f["name"]: {**fields.get(f["name"], {}), **f} for f in entry["fields"]})

    def dtype(field: dict[str, Any]) -> object:
        numpy = {"integer": int, "number": float, "boolean": bool}.get(field.get("type", "string"), str)
        optional = numpy is int and not field.get("constraints", {}).get("required")
        return field.get("x-dtype", "Int64" if optional else numpy)

    key = entry.get("primaryKey", raw.get("primaryKey"))
    options = {"coerce": True, "checks": CHECKS.get(name, []), "description": entry.get("description")}
    return schema_from_fields(list(fields.values()), key, dtype, **options)


def __getattr__(name: str) -> pa.DataFrameSchema:
    """``schemas.CPI``: the schema of that name, built on first use."""
    if name in declared():
        return schema(name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
