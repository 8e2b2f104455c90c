"""The processed tables' schemas: declared in transform/schemas.json, a mirror of a raw transcription
stating only what it changes, translated with the raw files' rules and messages."""

import pytest

from oss_analysis.errors import DataError
from oss_analysis.extract import datapackage
from oss_analysis.extract.transcriptions import validate
from oss_analysis.transform import clean, registry, schemas


def test_every_registered_schema_is_declared_and_every_declared_one_used():
    assert set(schemas.declared()) == {t.schema for t in registry.TABLES.values()}
    with pytest.raises(KeyError):
        schemas.schema("NOT_A_SCHEMA")


def test_a_mirrored_table_states_only_what_it_changes():
    """A field listed beside ``x-raw`` is new or differs from the raw one; the rest come from the raw schema."""
    for name, entry in schemas.declared().items():
        if "x-raw" not in entry:
            continue
        raw = {f["name"]: f for f in datapackage.resource(entry["x-raw"])["schema"]["fields"]}
        for field in entry["fields"]:
            assert field["name"] not in raw or {**raw[field["name"]], **field} != raw[field["name"]], (name, field)
        assert set(raw) <= set(schemas.schema(name).columns), name


def test_a_raw_optional_integer_is_a_float_in_its_mirror_and_a_declared_one_stays_nullable():
    assert str(schemas.schema("STAGES").columns["services"].dtype) == "float64"  # 25.0 in data/processed/oss_stages.csv
    assert str(schemas.schema("CPI").columns["seed_line"].dtype) == "Int64"  # empty for a user's addition
    assert str(schemas.schema("WGI_SOURCES").columns["estimate"].dtype) == "Float64"  # x-dtype


@pytest.mark.parametrize(
    ("table", "column", "bad", "rule"),
    [
        ("legislation_events", "year", 2012.0, "must be <= 2011"),
        ("document_delays", "services", 0.0, "must be > 0"),
        ("egov_ranks", "iso3", "XXX", "unknown ISO 3166 alpha-3 code"),
        ("wgi_2008", "indicator", "ZZ", "indicator must be a WGI code"),
        ("oss_offices_timeline", "source_short", "Tab 5", r"must match \^\(Table"),
    ],
)
def test_a_processed_rule_names_file_line_and_column(table, column, bad, rule):
    frame = clean.build(table)
    frame.loc[1, column] = bad
    with pytest.raises(DataError, match=rf"^t\.csv, line 3, column '{column}': {rule}"):
        validate(frame, clean.schema(table), "t.csv")


def test_a_mirror_keeps_the_raw_checks():
    frame = clean.build("oss_stages")
    frame.loc[1, "stage"] = frame.loc[0, "stage"]  # the raw primary key: one row per stage
    with pytest.raises(DataError, match=r"^t\.csv, line 3, column 'stage': duplicate key \(first seen on line 2\)"):
        validate(frame, schemas.schema("STAGES"), "t.csv")
