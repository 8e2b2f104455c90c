"""Country runs from the publishers' files: printed values kept where printed, the files' values
(named by file and release) elsewhere; the year as a parameter; importing the real files; codes
normalised once (issue 17)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pandas as pd
import pytest
from conftest import ROOT, copy_project, run_build

from oss_analysis.analysis import views
from oss_analysis.errors import DataError, ParameterError
from oss_analysis.extract import datapackage, publisher_file, publishers, transcriptions
from oss_analysis.pipeline import country_runs
from oss_analysis.transform import clean

FIXTURES = ROOT / "tests" / "fixtures" / "sources"


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
    assert views.wgi_view(wgi, 2008, ["GEO"], publisher=False) is wgi
    assert views.cpi_view(cpi, 2009, ["GEO"], publisher=False).drop(columns="scale").equals(cpi)


def test_printed_values_stay_and_missing_countries_come_from_the_newest_release(printed):
    wgi, _ = printed
    view = views.wgi_view(wgi, 2008, ["GEO", "KAZ"], publisher=True)
    kaz = view[view["iso3"] == "KAZ"].reset_index(drop=True)
    # printed values stay as printed
    pd.testing.assert_frame_equal(kaz, wgi[wgi["iso3"] == "KAZ"].reset_index(drop=True), check_dtype=False)
    geo = view[view["iso3"] == "GEO"].set_index("indicator")
    assert len(geo) == 6 and geo["source"].str.contains("data/sources/wgi/wgi_2024_release_long.csv").all()
    assert geo.loc["CC", "percentile"] == _pct("wgi_2024_release_long", "GEO", 2008, "CC")
    assert "GEO: World Bank WGI release 2024" in views.source_note(view, "thesis Table 2")
    assert views.source_note(wgi, "thesis Table 2") == ""


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
    assert view.loc["KAZ", "source"] == "thesis Table 3"


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


# --- issue 17: codes normalised once, checked, never duplicated ----------------------------


def test_codes_are_normalised_once_and_names_get_a_suggestion():
    assert country_runs.normalise(["kgz", "KGZ", " uzb "]) == ["KGZ", "UZB"]
    with pytest.raises(
        ParameterError, match=r"^COUNTRY=Kazakhstan: not an ISO 3166 alpha-3 code \(did you mean KAZ\?\)"
    ):
        country_runs.normalise(["Kazakhstan"])
    with pytest.raises(ParameterError, match=r"^COUNTRY=XXX: not an ISO 3166 alpha-3 code; countries with data"):
        country_runs.normalise(["KGZ", "XXX"])


@pytest.mark.slow
def test_a_code_that_is_not_iso_fails_a_several_country_run(tmp_path):
    project = copy_project(tmp_path / "project")
    proc = run_build(project, "--config", "country=KGZ XXX", "-n", check=False)
    assert proc.returncode != 0 and "error: COUNTRY=XXX: not an ISO 3166 alpha-3 code" in proc.stderr + proc.stdout
    proc = run_build(project, "--config", "country=Kazakhstan", "-n", check=False)
    assert proc.returncode != 0 and "(did you mean KAZ?)" in proc.stderr + proc.stdout
    proc = run_build(project, "--config", "country=GEO", "year=2030", "-n", check=False)
    assert proc.returncode != 0 and "YEAR=2030: not a year the WGI files hold; they hold 1996" in proc.stderr


def _write_addition(project, name, line):
    path = project / "data" / "raw" / "additions" / name
    path.write_text(path.read_text(encoding="utf-8") + line + "\n", encoding="utf-8")
    subprocess.run(
        [sys.executable, "-m", "oss_analysis.pipeline.cli", "datapackage"],
        check=True,
        capture_output=True,
        env=dict(os.environ, OSS_ANALYSIS_ROOT=str(project)),
    )
    transcriptions._datapackage.cache_clear()


def test_lower_case_code_cannot_add_a_printed_country_again(project):
    _write_addition(project, "cpi_2009_additions.csv", "kaz,Kazakhstan,120,2.7,2009,typed by hand")
    with pytest.raises(
        DataError,
        match=r"cpi_2009_additions.csv, line 2, column 'country_code': KAZ is already in "
        r"the thesis' table \(data/raw/thesis_table_03_cpi.csv, line 6\); additions are for other countries "
        r"\(got 'kaz'\)",
    ):
        clean.build("cpi_2009")


def test_wgi_addition_name_and_code_must_agree(project):
    _write_addition(project, "wgi_2008_additions.csv", "ARM,Georgia,50,50,50,50,50,50,2008,typed by hand")
    with pytest.raises(
        DataError,
        match=r"wgi_2008_additions.csv, line 2, column 'country_code': name and code "
        r"disagree: 'Georgia' is GEO, the code says ARM",
    ):
        clean.build("wgi_2008")


def test_import_refuses_a_name_that_disagrees_with_its_code(project, tmp_path):  # noqa: ARG001 (sets the root)
    from oss_analysis.pipeline import add_country

    sample = (FIXTURES / "wgi_2024_release_long.csv").read_bytes()
    bad = tmp_path / "wgi_2024_release_long.csv"
    bad.write_bytes(sample.replace(b",GEO,Georgia,", b",ARM,Georgia,", 1))
    with pytest.raises(DataError, match=r"line 2, column 'code': name and code disagree: 'Georgia' is GEO"):
        add_country.add("wgi", bad, ["arm"])


@pytest.mark.parametrize(
    "header",
    [
        "country_code,country,country_rank,cpi_score,year,source",  # this compendium's additions template
        '"Country Name","Country Code","Series Name","Series Code","2008 [YR2008]"',  # a DataBank export
        "Country Rank,Country/Territory,CPI 2009 Score,Surveys Used,Confidence Range",  # TI's 2009 table
    ],
)
def test_a_legacy_layout_is_refused_in_one_line(project, tmp_path, capsys, header):  # noqa: ARG001
    """One way in: the layouts read before the publishers' own files stop with one line naming
    the layouts accepted, before anything is shipped or merged."""
    from oss_analysis.pipeline import cli

    legacy = tmp_path / "legacy.csv"
    legacy.write_text(header + "\nArmenia,ARM,90,2.9,2009,typed\n", encoding="utf-8")
    additions = (project / "data" / "raw" / "additions" / "cpi_2009_additions.csv").read_bytes()
    assert cli.main(["add-country-data", "cpi", str(legacy), "--countries", "ARM"]) == 1
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "Traceback" not in err
    assert f"{legacy}, line 1: layout no longer accepted" in err
    assert "pass the publisher's file as downloaded" in err and "wgi_wide, wgi_long, cpi_merged, cpi_2009" in err
    assert (project / "data" / "raw" / "additions" / "cpi_2009_additions.csv").read_bytes() == additions
    assert not (project / "data" / "sources" / "cpi" / "legacy.csv").exists()


# --- oss-build add-country-data with the real files -----------------------------------------


def test_every_shipped_file_imports_for_georgia(project, capsys):
    """`oss-build add-country-data` (its command line, in this process: fifteen Python start-ups
    would cost more than the imports) reads every shipped file's real layout."""
    from oss_analysis.pipeline import cli

    for res in publisher_file.package()["resources"]:
        kind = res["path"].split("/")[0]
        rc = cli.main(["add-country-data", kind, str(ROOT / "data" / "sources" / res["path"]), "--countries", "geo"])
        said = capsys.readouterr()
        assert rc == 0, (res["path"], said.err)
        assert "is already shipped as data/sources/" + res["path"] in said.out
    wgi = pd.read_csv(project / "data" / "raw" / "additions" / "wgi_2008_additions.csv")
    cpi = pd.read_csv(project / "data" / "raw" / "additions" / "cpi_2009_additions.csv")
    assert wgi["country_code"].tolist() == ["GEO"] and cpi["country_code"].tolist() == ["GEO"]
    assert wgi.loc[0, "control_of_corruption"] == _pct("wgi_2024_release_long", "GEO", 2008, "CC")
    full = publishers.read_shipped_file("cpi_2009_edition", publishers.Drops()).set_index("iso3")["score"]
    assert cpi.loc[0, "cpi_score"] == full["GEO"] and cpi.loc[0, "country_rank"] == 1 + int((full > full["GEO"]).sum())


def test_a_new_release_file_is_shipped_byte_for_byte(project, tmp_path):
    from oss_analysis.pipeline import add_country

    new = tmp_path / "EGOV_DATA_2026.csv"
    shutil.copyfile(FIXTURES / "EGOV_DATA_2024.csv", new)
    new.write_bytes(new.read_bytes().replace(b"\r\n2024,", b"\r\n2026,"))
    said = add_country.add("egdi", new, ["GEO"])
    assert said[0].startswith("shipped data/sources/egdi/EGOV_DATA_2026.csv (release 2026)")
    shipped = project / "data" / "sources" / "egdi" / "EGOV_DATA_2026.csv"
    assert shipped.read_bytes() == new.read_bytes()
    datapackage.cache_clear()
    entry = publisher_file.resource("egdi_egov_data_2026")
    assert entry["x-layout"] == "egdi_un_2024" and entry["x-release"] == 2026
    assert 2026 in set(publishers.table("egdi")["edition"])


def test_a_file_of_another_publisher_is_refused(project):
    from oss_analysis.pipeline import add_country

    with pytest.raises(DataError, match=r"CPI2009.csv: is a cpi file \(layout cpi_2009\), not wgi"):
        add_country.add("wgi", FIXTURES / "CPI2009.csv", ["GEO"])


def test_import_normalises_codes_and_refuses_a_printed_country(project):  # noqa: ARG001 (fixture sets the root)
    from oss_analysis.pipeline import add_country

    with pytest.raises(DataError, match=r"KAZ already in the thesis' table; additions are for other countries"):
        add_country.add("cpi", FIXTURES / "CPI2009.csv", ["kaz"])
    with pytest.raises(DataError, match=r"--countries Georgia: not an ISO 3166 alpha-3 code \(did you mean GEO\?\)"):
        add_country.add("cpi", FIXTURES / "CPI2009.csv", ["Georgia"])


def test_a_year_the_cpi_files_lack_builds_the_rest_and_says_why():
    assert country_runs.plan("GEO_1996") == {
        "corruption": "no data for GEO in 1996 in data/processed/cpi_sources.csv",
        "governance": None,
        "egovernment": None,
        "series": "no data for GEO in 1996 in data/processed/cpi_sources.csv",
    }
