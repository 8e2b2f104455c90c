"""Focus-country views: printed values where the studies print them, the publishers' values
where they do not, and the run keys and parameters of a country run."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import ROOT

from oss_analysis.analysis import views
from oss_analysis.errors import ParameterError
from oss_analysis.extract import publishers
from oss_analysis.pipeline import country_runs
from oss_analysis.transform import clean


@pytest.fixture(scope="module")
def printed():
    return clean.build("wgi_2008"), clean.build("cpi_2009")


def _pct(release: str, iso3: str, year: int, indicator: str) -> float:
    """An independent look-up in the shipped file's reader output."""
    wgi = publishers.read_shipped_file(release, publishers.Drops())
    row = wgi[(wgi["iso3"] == iso3) & (wgi["year"] == year) & (wgi["indicator"] == indicator)]
    return float(row["pct_rank"].iloc[0])


def test_default_views_are_the_printed_tables(printed):
    wgi, cpi = printed
    assert views.wgi_view(wgi, 2008, ["GEO"], publisher=False) is wgi  # no rows added: the table itself
    assert views.cpi_view(cpi, 2009, ["GEO"], publisher=False).drop(columns="scale").equals(cpi)


def test_a_country_outside_the_print_takes_every_value_from_one_release(printed):
    """One chart, one release: not the 2024 release's decimals for Georgia beside the 2009 release's integers."""
    wgi, _ = printed
    pd.testing.assert_frame_equal(views.wgi_view(wgi, 2008, ["KGZ", "KAZ"], publisher=True), wgi, check_dtype=False)
    view = views.wgi_view(wgi, 2008, ["GEO", "KAZ"], publisher=True)
    assert set(view["source"]) == {"World Bank WGI release 2024 (data/sources/wgi/wgi_2024_release_long.csv)"}
    assert set(view["iso3"]) == set(wgi["iso3"]) | {"GEO"} and view["seed_line"].isna().all()
    pct = view.set_index(["iso3", "indicator"])["percentile"]
    assert pct["KAZ", "VA"] == _pct("wgi_2024_release_long", "KAZ", 2008, "VA") != 19  # printed: 19
    assert (views.release_words(view), views.release_words(wgi)) == ("2008 (release 2024)", "2008")
    assert "GEO, KAZ" in views.source_note(view, "thesis Table 2") and views.source_note(wgi, "thesis Table 2") == ""


def test_another_year_takes_every_value_from_the_files(printed):
    wgi, cpi = printed
    view = views.wgi_view(wgi, 2022, ["GEO"], publisher=True)
    assert view["seed_line"].isna().all() and set(view["year"]) == {2022}
    assert set(wgi["iso3"]) | {"GEO"} == set(view["iso3"])
    cpi22 = views.cpi_view(cpi, 2022, ["GEO"], publisher=True)
    assert set(cpi22["scale"]) == {100} and cpi22["source"].str.contains("CPI2024_GlobalResultsTrends.csv").all()


def test_cpi_2009_for_an_unprinted_country_uses_ti_rank_rule(printed):
    _, cpi = printed
    view = views.cpi_view(cpi, 2009, ["GEO"], publisher=True).set_index("iso3")
    full = publishers.read_shipped_file("cpi_2009_edition", publishers.Drops()).set_index("iso3")["score"]
    assert view.loc["GEO", "score"] == full["GEO"]
    assert view.loc["GEO", "rank"] == 1 + int((full > full["GEO"]).sum())
    assert view["source"].str.startswith("TI CPI edition 2009 (data/sources/cpi/CPI2009.csv)").all()  # KAZ too


def test_a_year_outside_the_files_stops_with_the_range():
    with pytest.raises(
        ParameterError,
        match=r"^YEAR=2030: not a year the WGI files hold; they hold 1996, 1998, 2000, "
        r"2002-2023$",
    ):
        country_runs.check_year("2030")
    with pytest.raises(ParameterError, match=r"parameter year: 1997 is not a year the WGI files hold"):
        views.wgi_view(clean.build("wgi_2008"), 1997, [], publisher=True)
    assert country_runs.check_year("2008") is None and country_runs.check_year(None) is None


def test_run_keys_and_parameters():
    assert country_runs.run_key("GEO", 2022) == "GEO_2022" and country_runs.split_key("GEO_2022") == ("GEO", 2022)
    values = country_runs.parameters("GEO_2022")
    assert values == {
        "focus_country": "GEO",
        "publisher_values": True,
        "year": 2022,
        "wgi_year": 2022,
        "cpi_year": 2022,
    }


def test_notebook_parameters_are_all_seen_by_papermill():
    """papermill silently drops a parameter whose comment it cannot parse (e.g. one with '=')."""
    import json

    import papermill as pm

    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        cell = next(c for c in json.loads(nb.read_text())["cells"] if c["cell_type"] == "code")
        names = [line.split("=")[0].strip() for line in "".join(cell["source"]).splitlines() if "=" in line]
        assert set(names) == set(pm.inspect_notebook(str(nb))), nb.name



def test_rows_users_added_appear_only_in_runs_that_ask_for_publisher_values(printed):
    _, cpi = printed
    geo = {"iso3": "GEO", "country": "Georgia", "year": 2009, "rank": 66, "score": 4.1, "seed_line": pd.NA}
    label = "TI CPI edition 2009 (data/sources/cpi/CPI2009.csv), added"  # as add-country-data writes it
    added = pd.concat([cpi, pd.DataFrame([{**geo, "source": label}])], ignore_index=True)
    default = views.cpi_view(added, 2009, ["GEO"], publisher=False)
    assert default["iso3"].tolist() == cpi["iso3"].tolist()  # the reproduction of the print
    asked = views.cpi_view(added, 2009, ["GEO"], publisher=True)  # from the file it was added from, like the others
    assert asked.set_index("iso3")["source"].str.endswith(", added").to_dict() == {c: c == "GEO" for c in asked["iso3"]}
    moved = added.replace({"source": {label: label.replace("CPI2009", "cpi")}})  # added from another file: not kept
    assert not views.cpi_view(moved, 2009, [], publisher=True)["source"].str.endswith(", added").any()
    assert views.with_source(asked, ["iso3", "score"]) == ["iso3", "score", "source"]  # each row says where from


def test_a_2022_view_counts_and_ranks_as_ti_does(printed):
    _, cpi = printed
    view = views.cpi_view(cpi, 2022, ["UKR"], publisher=True)
    ti = pd.read_csv(ROOT / "data/sources/cpi/CPI2024_GlobalResultsTrends.csv", sep=";", header=2)
    assert views.cpi_total(view, 2022) == int(ti["CPI score 2022"].notna().sum()) == 180  # Kosovo counted
    assert view.set_index("iso3").loc["UKR", "rank"] == int(ti.loc[ti["ISO3"] == "UKR", "Rank 2022"].iloc[0])
