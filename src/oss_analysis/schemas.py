"""pandera schemas for the tidy tables in ``data/processed/``: the constraints a reader can rely on."""

from __future__ import annotations

import pandera.pandas as pa

from . import countries

ISO3 = pa.Column(str, pa.Check(lambda s: s.map(countries.is_iso3), error="unknown ISO 3166 alpha-3 code"))
SEED_LINE = pa.Column(int, pa.Check.ge(1))

WGI_CODES = {
    "VA": "Voice and Accountability",
    "PV": "Political Stability",
    "GE": "Government Effectiveness",
    "RQ": "Regulatory Quality",
    "RL": "Rule of Law",
    "CC": "Control of Corruption",
}

CPI = pa.DataFrameSchema(
    {
        "iso3": ISO3,
        "country": pa.Column(str),
        "year": pa.Column(int, pa.Check.isin([2009])),
        "rank": pa.Column(int, pa.Check.in_range(1, 180)),
        "score": pa.Column(float, pa.Check.in_range(0, 10)),
        "seed_line": SEED_LINE,
    },
    unique=["iso3", "year"],
    strict=True,
    coerce=True,
)

WGI = pa.DataFrameSchema(
    {
        "iso3": ISO3,
        "country": pa.Column(str),
        "year": pa.Column(int, pa.Check.in_range(1996, 2008)),
        "indicator": pa.Column(str, pa.Check.isin(list(WGI_CODES))),
        "indicator_name": pa.Column(str, pa.Check.isin(list(WGI_CODES.values()))),
        "percentile": pa.Column(float, pa.Check.in_range(0, 100)),
        "seed_line": SEED_LINE,
    },
    unique=["iso3", "year", "indicator"],
    strict=True,
    coerce=True,
)

EIU = pa.DataFrameSchema(
    {
        "order": pa.Column(int, pa.Check.ge(0), unique=True),
        "category": pa.Column(str, unique=True),
        "weight_pct": pa.Column(float, pa.Check.in_range(0, 100), nullable=True),
        "kaz_score": pa.Column(float, pa.Check.in_range(0, 10)),
        "highest_score": pa.Column(float, pa.Check.in_range(0, 10)),
        "highest_iso3": ISO3,
        "lowest_score": pa.Column(float, pa.Check.in_range(0, 10)),
        "lowest_iso3": ISO3,
        "seed_line": SEED_LINE,
    },
    checks=[
        pa.Check(lambda d: (d["lowest_score"] <= d["highest_score"]).all(), error="lowest score above highest"),
    ],
    strict=True,
    coerce=True,
)

BARRIERS = pa.DataFrameSchema(
    {
        "order": pa.Column(int, pa.Check.ge(1), unique=True),
        "rating": pa.Column(int, pa.Check.in_range(1, 34)),
        "provider": pa.Column(str, unique=True),
        "is_oss": pa.Column(bool),
        "seed_line": SEED_LINE,
    },
    checks=[pa.Check(lambda d: d["rating"].is_monotonic_increasing, error="rows not ordered by rating")],
    strict=True,
    coerce=True,
)
