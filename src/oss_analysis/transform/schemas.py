"""pandera schemas for the tidy tables in ``data/processed/``: the constraints a reader can rely on."""

from __future__ import annotations

import pandera.pandas as pa

from oss_analysis import countries
from oss_analysis.domain import WGI_CODES

ISO3 = pa.Column(str, pa.Check(lambda s: s.map(countries.is_iso3), error="unknown ISO 3166 alpha-3 code"))
SEED_LINE = pa.Column(int, pa.Check.ge(1))


def _strict(columns: dict[str, pa.Column], **kwargs: object) -> pa.DataFrameSchema:
    """A processed table's schema: exactly these columns (strict), each coerced to its type."""
    return pa.DataFrameSchema(columns, strict=True, coerce=True, **kwargs)


CPI = _strict(
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
)

WGI = _strict(
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
)

EIU = _strict(
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
)

BARRIERS = _strict(
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
)

YEAR_MONTH = pa.Check.str_matches(r"^\d{4}(-\d{2})?$")
QUALIFIERS = ["exact", "about", "over", "up to", "nearly", "at least", "less than", "planned", "target", "garbled"]
COUNT = pa.Column(float, pa.Check.ge(0), nullable=True)

LEGISLATION = _strict(
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
)

CASE_OFFICES = _strict(
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
)

SERVICES = _strict(
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
)

STAGES = _strict(
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
)

FACTS = _strict(
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
)

ERRATA = _strict(
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
)

TIMELINE = _strict(
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
)

EGOV = _strict(
    {
        "iso3": ISO3,
        "year": pa.Column(int, pa.Check.in_range(2003, 2020)),
        "rank": pa.Column(int, pa.Check.in_range(1, 193)),
        "derived": pa.Column(bool),
        "study": pa.Column(str, pa.Check.isin(["thesis", "article"])),
        "source": pa.Column(str),
    },
    unique=["iso3", "year"],
)

SATISFACTION = _strict(
    {
        "year": pa.Column(int, pa.Check.in_range(2015, 2030), unique=True),
        "satisfied_pct": pa.Column(float, pa.Check.in_range(0, 100)),
        "source": pa.Column(str),
        "instrument": pa.Column(str),
        "seed_line": SEED_LINE,
        "fact_id": pa.Column(str),
    },
)

DELAYS = _strict(
    {
        "year": pa.Column(int, unique=True),
        "delayed_pct": pa.Column(float, pa.Check.in_range(0, 100)),
        "services": pa.Column(float, pa.Check.gt(0)),
        "fact_share": pa.Column(str),
        "delayed_implied": pa.Column(int, pa.Check.ge(0)),
    },
)


# --- publishers' files (data/sources/), read by src/oss_analysis/extract/publishers.py ------------------


def _col(dtype: object, *checks: pa.Check, nullable: bool = False, description: str) -> pa.Column:
    return pa.Column(dtype, list(checks), nullable=nullable, description=description)


def _optional(check: pa.Check, description: str) -> pa.Column:
    """A measure a file may leave empty: a nullable float within ``check``."""
    return _col("Float64", check, nullable=True, description=description)


# vectorised over the distinct codes: these tables have up to 130,000 rows
SOURCE_ISO3 = _col(  # for an entity that is not an ISO country, the code config/source_exclusions.csv gives
    str, pa.Check.str_matches(r"^[A-Z][A-Z+]{2,6}$"), description="ISO 3166-1 alpha-3 code, else the publisher's"
)
ISO3166 = _col(bool, description="the row is an ISO 3166-1 country (false: Kosovo, a former state, ...)")
ISO3166_AGREES = pa.Check(  # one row per error: the line of a row whose flag is wrong
    lambda d: d["iso3166"] == d["iso3"].map({c: countries.is_iso3(c) for c in d["iso3"].unique()}),
    error="iso3166 must say whether iso3 is an ISO 3166 alpha-3 code",
)
SOURCE_FILE = _col(str, pa.Check.str_startswith("data/sources/"), description="the shipped file the row was read from")
SOURCE_LINE = _col(int, pa.Check.ge(2), description="line of the file the row was read from (as an editor shows it)")
SOURCE_COUNTRY = _col(str, description="country name as the file writes it")
PCT = pa.Check.in_range(0, 100)
INDEX = pa.Check.in_range(0, 1)

WGI_SOURCES = _strict(
    {
        "iso3": SOURCE_ISO3,
        "iso3166": ISO3166,
        "country": SOURCE_COUNTRY,
        "release": _col(int, pa.Check.in_range(2000, 2100), description="WGI update (data to release - 1)"),
        "year": _col(int, pa.Check.in_range(1996, 2099), description="data year"),
        "indicator": _col(str, pa.Check.isin(list(WGI_CODES)), description="VA, PV, GE, RQ, RL or CC"),
        "estimate": _optional(pa.Check.in_range(-5, 5), "governance estimate (about -2.5 to 2.5)"),
        "stderr": _optional(pa.Check.ge(0), "standard error of the estimate"),
        "n_sources": _optional(pa.Check.ge(0), "number of data sources"),
        "pct_rank": _optional(PCT, "percentile rank among all economies, 0-100"),
        "pct_rank_lower": _optional(PCT, "lower bound of the 90% interval of pct_rank"),
        "pct_rank_upper": _optional(PCT, "upper bound of the 90% interval of pct_rank"),
        "source_file": SOURCE_FILE,
    },
    checks=[ISO3166_AGREES],
    unique=["release", "iso3", "year", "indicator"],
    description="World Bank WGI, every shipped release, tidy: one row per release, country, year and indicator",
)

CPI_SOURCES = _strict(
    {
        "iso3": SOURCE_ISO3,
        "iso3166": ISO3166,
        "country": SOURCE_COUNTRY,
        "edition": _col(int, pa.Check.in_range(1995, 2100), description="CPI edition the file belongs to"),
        "year": _col(int, pa.Check.in_range(1995, 2100), description="year the score is for"),
        "score": _col(float, pa.Check.ge(0), description="CPI score on the row's scale (missing: no row)"),
        # 10: editions to 2011, and the merged file, which divides 2012-2017 by 10; TI: not comparable across 2012
        "scale": _col(int, pa.Check.isin([10, 100]), description="10: a 0-10 scale; 100: 0-100"),
        "rank": _col("Int64", pa.Check.ge(1), nullable=True, description="rank as printed, or see rank_computed"),
        "rank_computed": _col(bool, description="rank computed as TI ranks: 1 + number of higher scores"),
        "n_sources": _optional(pa.Check.ge(0), "number of sources (2024 file)"),
        "stderr": _optional(pa.Check.ge(0), "standard error (2024 file)"),
        "source_file": SOURCE_FILE,
        "line": SOURCE_LINE,
    },
    checks=[ISO3166_AGREES, pa.Check(lambda d: (d["score"] <= d["scale"]).all(), error="score above its scale")],
    unique=["source_file", "iso3", "edition", "year"],
    description="Transparency International CPI, every shipped file, tidy: one row per file, country and year scored",
)

EGDI_SOURCES = _strict(
    {
        "iso3": SOURCE_ISO3,
        "iso3166": ISO3166,
        "country": _col(str, description="country name as the file writes it (trailing spaces removed)"),
        "edition": _col(int, pa.Check.in_range(2001, 2100), description="UN E-Government Survey edition"),
        "rank": _col("Int64", pa.Check.in_range(1, 250), nullable=True, description="EGDI rank (if computed)"),
        "egdi": _optional(INDEX, "E-Government Development Index"),
        "epart": _optional(INDEX, "E-Participation Index"),
        "osi": _optional(INDEX, "Online Service Index"),
        "hci": _optional(INDEX, "Human Capital Index"),
        "tii": _optional(INDEX, "Telecommunication Infrastructure Index"),
        "source_file": SOURCE_FILE,
        "line": SOURCE_LINE,
    },
    checks=[ISO3166_AGREES],
    unique=["edition", "iso3"],
    description="UN E-Government Survey, every shipped edition: one row per edition and country",
)

SOURCE_DROPS = _strict(
    {
        "file": SOURCE_FILE,
        "line": _col("Int64", pa.Check.ge(2), description="first line concerned"),
        "country": _col(str, description="name as the file writes it"),
        "iso3": _col(str, nullable=True, description="ISO3 of a dropped duplicate; empty for an aggregate"),
        "year": _col("Int64", nullable=True, description="year of a dropped duplicate"),
        "kind": _col(str, pa.Check.isin(["excluded", "duplicate"]), description="why the rows were left out"),
        "detail": _col(str, description="how many rows and the reason, or which line was kept"),
    },
    description="rows of the publishers' files left out of the source tables, each with the reason",
)
