"""pandera schemas of data/processed/ from ``schemas.json``, plus the checks a table schema cannot state."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd
import pandera.pandas as pa

from oss_analysis import countries
from oss_analysis.domain import WGI_CODES
from oss_analysis.extract.transcriptions import resource, schema_from_fields

AGREES = "iso3166 must say whether iso3 is an ISO 3166 alpha-3 code"
WGI_CODE = "indicator must be a WGI code"


def _agrees(d: pd.DataFrame) -> pd.Series:  # vectorised over the distinct codes (up to 130,000 rows)
    return d["iso3166"] == d["iso3"].map({c: countries.is_iso3(c) for c in d["iso3"].unique()})


# (schema, rule, what holds): the checks across columns, or against the domain's constants; one that
# gives a boolean per row names the line, and the column its rule starts with
RULES = [
    *((s, AGREES, _agrees) for s in ("CPI_SOURCES", "EGDI_SOURCES", "WGI_SOURCES")),
    ("CPI_SOURCES", "score above its scale", lambda d: (d["score"] <= d["scale"]).all()),
    ("WGI_SOURCES", WGI_CODE, lambda d: d["indicator"].isin(list(WGI_CODES))),
    ("WGI", WGI_CODE, lambda d: d["indicator"].isin(list(WGI_CODES))),
    ("WGI", "indicator_name must be a WGI name", lambda d: d["indicator_name"].isin(WGI_CODES.values())),
    ("EIU", "lowest score above highest", lambda d: (d["lowest_score"] <= d["highest_score"]).all()),
    ("EIU", "exactly one row (the overall score) has no weight", lambda d: d["weight_pct"].isna().sum() == 1),
    ("BARRIERS", "rows not ordered by rating", lambda d: d["rating"].is_monotonic_increasing),
    ("BARRIERS", "exactly one provider must be the One Stop Shop", lambda d: d["is_oss"].sum() == 1),
    ("LEGISLATION", "events not in date order", lambda d: d["date_start"].is_monotonic_increasing),
    ("CASE_OFFICES", "spanning cells must leave oss_2 blank", lambda d: (d["spans_both"] == d["oss_2"].isna()).all()),
    ("SERVICES", "period ends before it starts", lambda d: (d["period_start"] <= d["period_end"]).all()),
    ("FACTS", "value_high must be >= value (the upper end of a range)",
     lambda d: d["value_high"].isna() | (d["value_high"] >= d["value"])),
    ("FACTS", "value must be between 0 and 100 when unit is percent",
     lambda d: d["unit"].ne("percent") | d["value"].between(0, 100)),
    ("FACTS", "value must be >= 1 when unit is rank", lambda d: d["unit"].ne("rank") | (d["value"] >= 1)),
    ("TIMELINE", "year is required unless kind is target", lambda d: d["year"].notna() | d["kind"].eq("target")),
]


@cache
def declared() -> dict[str, Any]:
    return json.loads(Path(__file__).with_name("schemas.json").read_text(encoding="utf-8"))


@cache
def schema(name: str) -> pa.DataFrameSchema:
    """The schema ``name`` of schemas.json: strict, each column coerced (types: docs/stages/transform.md)."""
    entry = declared()[name]
    raw = resource(entry["x-raw"])["schema"] if "x-raw" in entry else {"fields": []}
    fields = {f["name"]: f for f in raw["fields"]}
    fields.update({f["name"]: {**fields.get(f["name"], {}), **f} for f in entry["fields"]})

    def dtype(field: dict[str, Any]) -> object:
        numpy = {"integer": int, "number": float, "boolean": bool}.get(field.get("type", "string"), str)
        optional = numpy is int and not field.get("constraints", {}).get("required")
        return field.get("x-dtype", "Int64" if optional else numpy)

    key = entry.get("primaryKey", raw.get("primaryKey"))
    checks = [pa.Check(holds, error=rule) for table, rule, holds in RULES if table == name]
    options = {"coerce": True, "checks": checks, "description": entry.get("description")}
    return schema_from_fields(list(fields.values()), key, dtype, **options)
