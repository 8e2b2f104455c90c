"""Plans for other focus countries and years: which notebooks a country's data allow, and the
one-line errors for codes and countries the data do not know."""

from __future__ import annotations

import pytest

from oss_analysis.errors import ParameterError
from oss_analysis.pipeline import country_runs


def test_plan_for_a_country_in_every_table():
    assert country_runs.plan("KGZ") == {n: None for n in country_runs.country_notebooks()}


def test_plan_for_a_country_missing_from_some_tables():
    # Aruba: in the WGI files, in no CPI or UN e-government file, in no table of the studies
    plan = country_runs.plan("abw")
    assert plan["governance"] is None
    assert plan["corruption"] == (
        "no data for ABW in data/processed/cpi_2009.csv, data/processed/wgi_2008.csv, data/processed/cpi_sources.csv"
    )
    assert plan["egovernment"] == "no data for ABW in data/processed/egov_ranks.csv, data/processed/egdi_sources.csv"


def test_every_post_soviet_state_can_be_built_from_the_publishers_files():
    for code in "ARM AZE BLR EST GEO KAZ KGZ LTU LVA MDA RUS TJK TKM UKR UZB".split():
        assert country_runs.plan(code) == {n: None for n in country_runs.country_notebooks()}, code


def test_country_in_no_table_gets_one_clear_error():
    with pytest.raises(
        ParameterError, match=r"COUNTRY=ATA \(Antarctica\): no table holds this country.*countries with data: EST"
    ):
        country_runs.plan("ATA")
    with pytest.raises(ParameterError, match=r"COUNTRY=K4Z: not an ISO 3166 alpha-3 code; countries with data:"):
        country_runs.plan("K4Z")


def test_codes_are_normalised_once_and_names_get_a_suggestion():
    assert country_runs.normalise(["kgz", "KGZ", " uzb "]) == ["KGZ", "UZB"]
    with pytest.raises(
        ParameterError, match=r"^COUNTRY=Kazakhstan: not an ISO 3166 alpha-3 code \(did you mean KAZ\?\)"
    ):
        country_runs.normalise(["Kazakhstan"])
    with pytest.raises(ParameterError, match=r"^COUNTRY=XXX: not an ISO 3166 alpha-3 code; countries with data"):
        country_runs.normalise(["KGZ", "XXX"])


def test_a_year_the_cpi_files_lack_builds_the_rest_and_says_why():
    assert country_runs.plan("GEO_1996") == {
        "corruption": "no data for GEO in 1996 in data/processed/cpi_sources.csv",
        "governance": None,
        "egovernment": None,
        "series": "no data for GEO in 1996 in data/processed/cpi_sources.csv",
    }

