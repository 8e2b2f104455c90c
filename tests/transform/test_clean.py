"""Processed tables: built from raw, validated, and refused when edited by hand or missing."""


import pandas as pd
import pytest
from conftest import ROOT, edit, one_line

from oss_analysis.errors import DataError
from oss_analysis.pipeline import add_country, cli
from oss_analysis.transform import clean

pytestmark = pytest.mark.usefixtures("fresh_caches")


def test_hand_edited_processed_table_is_refused(project):
    edited = "Kazakhstan,2009,120,9.9"
    edit(project, "data/processed/cpi_2009.csv", lambda t: t.replace("Kazakhstan,2009,120,2.7", edited))
    with pytest.raises(DataError) as info:
        clean.load("cpi_2009")
    message = one_line(info)
    assert message.startswith("data/processed/cpi_2009.csv, line ")
    assert "is not what data/raw gives" in message and "data/raw/thesis_table_03_cpi.csv" in message
    line = int(message.split("line ")[1].split(":")[0])
    assert "9.9" in (project / "data/processed/cpi_2009.csv").read_text().splitlines()[line - 1]


def test_processed_table_appended_row_is_refused(project):
    edit(project, "data/processed/facts.csv", lambda t: t + t.splitlines()[-1] + "\n")
    with pytest.raises(DataError, match=r"data/processed/facts.csv, line \d+: is not what data/raw gives"):
        clean.load("facts")


def test_missing_processed_table_is_named(project):
    (project / "data/processed/eiu_2008.csv").unlink()
    with pytest.raises(DataError, match=r"data/processed/eiu_2008.csv: file is missing"):
        clean.load("eiu_2008")


def test_unknown_processed_table(capsys):
    assert cli.main(["prepare", "cpi_2010", "--out-dir", "/nonexistent"]) == 1
    assert capsys.readouterr().err.startswith("error: no processed table named 'cpi_2010'; known: barriers_2007")


def test_processed_schema_errors_name_the_raw_files(project, monkeypatch):
    import pandera.pandas as pa

    strict = pa.DataFrameSchema({c: pa.Column(nullable=True) for c in clean.build("eiu_2008").columns}, strict=True)
    built = clean.eiu_2008().assign(x=1)  # the table with a column its schema does not allow
    monkeypatch.setattr(clean, "eiu_2008", lambda: built)
    monkeypatch.setattr(clean, "schema", lambda name: strict)
    with pytest.raises(DataError, match=r"data/processed/eiu_2008.csv \(built from data/raw/thesis_table_04_eiu.csv\)"):
        clean.build("eiu_2008")




def test_publisher_entities_stay_flagged_so_counts_are_the_publishers():
    import pandera.errors

    from oss_analysis.transform import schemas

    cpi = clean.build("cpi_sources")
    at = cpi[cpi["source_file"].str.endswith("CPI2024_GlobalResultsTrends.csv") & (cpi["year"] == 2022)]
    assert len(at) == 180  # TI scored 180 in 2022, Kosovo (its code KSV) among them
    assert at.loc[~at["iso3166"], "iso3"].tolist() == ["KSV"]
    assert set(cpi.loc[~cpi["iso3166"], "iso3"]) == {"BEL+LUX", "KSV", "SCG", "YUG"}
    with pytest.raises(pandera.errors.SchemaError, match="iso3166 must say whether iso3 is an ISO"):
        schemas.schema("CPI_SOURCES").validate(cpi.assign(iso3166=True))  # Kosovo claimed as an ISO country


def test_added_rows_keep_the_publishers_digits_and_name_their_file_and_release(project):
    shipped = "data/sources/wgi/wgi_2019_release_wide.csv"
    add_country.add("wgi", ROOT / shipped, ["GEO"])
    clean.write("wgi_2008")
    text = pd.read_csv(project / "data/processed/wgi_2008.csv", dtype=str).set_index(["iso3", "indicator"])
    raw = pd.read_csv(ROOT / shipped, dtype=str, encoding="utf-8-sig").set_index(["Country Code", "Indicator Code"])
    for code in ("VA", "CC"):  # as the file writes them (54.36893), no float noise, no rounding
        assert text.loc[("GEO", code), "percentile"] == raw.loc[("GEO", f"{code}.PER.RNK"), "2008"]
    assert set(text.loc["GEO", "source"]) == {f"World Bank WGI release 2019 ({shipped}), added"}
    assert text.loc["GEO", "seed_line"].isna().all() and text.loc["KAZ", "seed_line"].notna().all()
