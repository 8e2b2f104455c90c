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
        "source": pa.Column(str),
        "seed_line": pa.Column("Int64", pa.Check.ge(1), nullable=True),  # empty for user additions
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
        "percentile": pa.Column(float, pa.Check.in_range(0, 100), nullable=True),
        "source": pa.Column(str),
        "seed_line": pa.Column("Int64", pa.Check.ge(1), nullable=True),  # empty for user additions
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
        "highest_country": pa.Column(str),
        "highest_iso3": ISO3,
        "lowest_score": pa.Column(float, pa.Check.in_range(0, 10)),
        "lowest_country": pa.Column(str),
        "lowest_iso3": ISO3,
        "seed_line": SEED_LINE,
    },
    checks=[
        pa.Check(lambda d: (d["lowest_score"] <= d["highest_score"]).all(), error="lowest score above highest"),
        pa.Check(
            lambda d: d["weight_pct"].isna().sum() == 1, error="exactly one row (the overall score) has no weight"
        ),
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
        "is_oss_stakeholder": pa.Column(bool),
        "seed_line": SEED_LINE,
    },
    checks=[
        pa.Check(lambda d: d["rating"].is_monotonic_increasing, error="rows not ordered by rating"),
        pa.Check(lambda d: d["is_oss"].sum() == 1, error="exactly one provider must be the One Stop Shop"),
    ],
    strict=True,
    coerce=True,
)

YEAR_MONTH = pa.Check.str_matches(r"^\d{4}(-\d{2})?$")
QUALIFIERS = ["exact", "about", "over", "up to", "nearly", "at least", "less than", "planned", "target", "garbled"]
COUNT = pa.Column(float, pa.Check.ge(0), nullable=True)

LEGISLATION = pa.DataFrameSchema(
    {
        "date_start": pa.Column(str, YEAR_MONTH),
        "date_end": pa.Column(str, YEAR_MONTH, nullable=True),
        "year": pa.Column(float, pa.Check.in_range(2005, 2011)),
        "printed_order": pa.Column(int, pa.Check.ge(1), unique=True),
        "date_as_printed": pa.Column(str, unique=True),
        "legislation_as_printed": pa.Column(str),
        "instrument_type": pa.Column(str),
        "instrument_name": pa.Column(str),
        "key_points_summary": pa.Column(str),
        "offices": COUNT,
        "offices_qualifier": pa.Column(str, pa.Check.isin(QUALIFIERS), nullable=True),
        "services_total": COUNT,
        "services_added": COUNT,
        "seed_line": SEED_LINE,
    },
    checks=[pa.Check(lambda d: d["date_start"].is_monotonic_increasing, error="events not in date order")],
    strict=True,
    coerce=True,
)

CASE_OFFICES = pa.DataFrameSchema(
    {
        "attribute": pa.Column(str, unique=True),
        "oss_1": pa.Column(str),
        "oss_2": pa.Column(str, nullable=True),
        "spans_both": pa.Column(bool),
        "seed_line": SEED_LINE,
    },
    checks=[
        pa.Check(lambda d: (d["spans_both"] == d["oss_2"].isna()).all(), error="spanning cells must leave oss_2 blank")
    ],
    strict=True,
    coerce=True,
)

SERVICES = pa.DataFrameSchema(
    {
        "printed_order": pa.Column(int, pa.Check.ge(1), unique=True),
        "agency": pa.Column(str, unique=True),
        "services_count": pa.Column(int, pa.Check.ge(0)),
        "period_as_printed": pa.Column(str, nullable=True),
        "period_start": pa.Column(str, YEAR_MONTH),
        "period_end": pa.Column(str, YEAR_MONTH),
        "services_examples": pa.Column(str),
        "seed_line": SEED_LINE,
    },
    checks=[pa.Check(lambda d: (d["period_start"] <= d["period_end"]).all(), error="period ends before it starts")],
    strict=True,
    coerce=True,
)

STAGES = pa.DataFrameSchema(
    {
        "stage": pa.Column(int, pa.Check.ge(1), unique=True),
        "label": pa.Column(str),
        "period_as_printed": pa.Column(str, nullable=True),
        "date_start": pa.Column(str, YEAR_MONTH, nullable=True),
        "date_end": pa.Column(str, YEAR_MONTH, nullable=True),
        "services": COUNT,
        "services_kind": pa.Column(str, pa.Check.isin(["total", "added", "target"]), nullable=True),
        "offices_from": COUNT,
        "offices_to": COUNT,
        "is_vision": pa.Column(bool),
        "seed_line": SEED_LINE,
    },
    strict=True,
    coerce=True,
)

FACTS = pa.DataFrameSchema(
    {
        "fact_id": pa.Column(str, pa.Check.str_matches(r"^[TA]\d{3}$"), unique=True),
        "study": pa.Column(str, pa.Check.isin(["thesis", "article"])),
        "seed_line": SEED_LINE,
        "section": pa.Column(str, nullable=True),
        "page": pa.Column(float, pa.Check.ge(1), nullable=True),
        "topic": pa.Column(str),
        "quantity": pa.Column(str, pa.Check.str_matches(r"^[a-z0-9_]+$")),
        "entity": pa.Column(str),
        "iso3": pa.Column(str, pa.Check(lambda s: s.map(countries.is_iso3)), nullable=True),
        "period": pa.Column(str, nullable=True),
        "date_start": pa.Column(str, YEAR_MONTH, nullable=True),
        "date_end": pa.Column(str, YEAR_MONTH, nullable=True),
        "value": pa.Column(float),
        "value_high": pa.Column(float, nullable=True),
        "unit": pa.Column(str),
        "qualifier": pa.Column(str, pa.Check.isin(QUALIFIERS)),
        "as_printed": pa.Column(str),
        "cited_source": pa.Column(str, nullable=True),
        "note": pa.Column(str, nullable=True),
    },
    checks=[
        # row-wise (a boolean per row), so an error names the line; the rule starts with its column
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
    strict=True,
    coerce=True,
)

ERRATA = pa.DataFrameSchema(
    {
        "erratum_id": pa.Column(str, pa.Check.str_matches(r"^E\d{3}$"), unique=True),
        "kind": pa.Column(str),
        "study_a": pa.Column(str, pa.Check.isin(["thesis", "article"])),
        "seed_line_a": SEED_LINE,
        "statement_a": pa.Column(str),
        "study_b": pa.Column(str, pa.Check.isin(["thesis", "article"])),
        "seed_line_b": SEED_LINE,
        "statement_b": pa.Column(str),
        "reading_used": pa.Column(str),
        "reason": pa.Column(str),
        "affects": pa.Column(str),
    },
    strict=True,
    coerce=True,
)

TIMELINE = pa.DataFrameSchema(
    {
        "kind": pa.Column(str, pa.Check.isin(["existing", "opened", "planned", "target", "planned (added)"])),
        "date": pa.Column(str, YEAR_MONTH, nullable=True),
        "year": pa.Column(float, pa.Check.in_range(2004, 2011), nullable=True),
        "value": pa.Column(float, pa.Check.ge(0)),
        "qualifier": pa.Column(str, pa.Check.isin(QUALIFIERS)),
        "source": pa.Column(str),
        "source_short": pa.Column(str, pa.Check.str_matches(r"^(Table \d+|Fig\. \d+|text) l\.\d+$")),
        "seed_line": SEED_LINE,
        "fact_id": pa.Column(str, nullable=True),
    },
    checks=[
        pa.Check(lambda d: d["year"].notna() | d["kind"].eq("target"), error="year is required unless kind is target")
    ],
    strict=True,
    coerce=True,
)

EGOV = pa.DataFrameSchema(
    {
        "iso3": ISO3,
        "year": pa.Column(int, pa.Check.in_range(2003, 2020)),
        "rank": pa.Column(int, pa.Check.in_range(1, 193)),
        "derived": pa.Column(bool),
        "study": pa.Column(str, pa.Check.isin(["thesis", "article"])),
        "source": pa.Column(str),
    },
    unique=["iso3", "year"],
    strict=True,
    coerce=True,
)

SATISFACTION = pa.DataFrameSchema(
    {
        "year": pa.Column(int, pa.Check.in_range(2015, 2030), unique=True),
        "satisfied_pct": pa.Column(float, pa.Check.in_range(0, 100)),
        "source": pa.Column(str),
        "instrument": pa.Column(str),
        "seed_line": SEED_LINE,
        "fact_id": pa.Column(str),
    },
    strict=True,
    coerce=True,
)

DELAYS = pa.DataFrameSchema(
    {
        "year": pa.Column(int, unique=True),
        "delayed_pct": pa.Column(float, pa.Check.in_range(0, 100)),
        "services": pa.Column(float, pa.Check.gt(0)),
        "fact_share": pa.Column(str),
        "delayed_implied": pa.Column(int, pa.Check.ge(0)),
    },
    strict=True,
    coerce=True,
)
