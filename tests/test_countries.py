"""Country runs: `make all COUNTRY=...` builds the country-dependent notebooks for another focus
country into figures/<CODE>/, leaves the default outputs alone, degrades or fails clearly."""

import hashlib

import pytest
from conftest import ROOT, build_env, copy_project, run_build

from oss_analysis import countryrun, registry
from oss_analysis.errors import ParameterError

DEFAULT = sorted(o for nb in registry.notebooks().values() for o in nb.outputs)


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_plan_for_a_country_in_every_table():
    assert countryrun.plan("KGZ") == {n: None for n in countryrun.country_notebooks()}


def test_plan_for_a_country_missing_from_some_tables():
    # Aruba: in the WGI files, in no CPI or UN e-government file, in no table of the studies
    plan = countryrun.plan("abw")
    assert plan["governance"] is None
    assert plan["corruption"] == (
        "no data for ABW in data/processed/cpi_2009.csv, data/processed/wgi_2008.csv, data/processed/cpi_sources.csv"
    )
    assert plan["egovernment"] == "no data for ABW in data/processed/egov_ranks.csv, data/processed/egdi_sources.csv"


def test_every_post_soviet_state_can_be_built_from_the_publishers_files():
    for code in "ARM AZE BLR EST GEO KAZ KGZ LTU LVA MDA RUS TJK TKM UKR UZB".split():
        assert countryrun.plan(code) == {n: None for n in countryrun.country_notebooks()}, code


def test_country_in_no_table_gets_one_clear_error():
    with pytest.raises(
        ParameterError, match=r"COUNTRY=ATA \(Antarctica\): no table holds this country.*countries with data: EST"
    ):
        countryrun.plan("ATA")
    with pytest.raises(ParameterError, match=r"COUNTRY=K4Z: not an ISO 3166 alpha-3 code; countries with data:"):
        countryrun.plan("K4Z")


@pytest.mark.slow
def test_two_countries_build_in_parallel_into_their_own_folders(built_copy):
    project = built_copy
    before = {o: digest(project / "figures" / o) for o in DEFAULT}
    log = run_build(project, "--config", "country=KGZ UZB")
    assert "notebook_governance_KGZ" in log.stdout + log.stderr
    for code, name in (("KGZ", "Kyrgyzstan"), ("UZB", "Uzbekistan")):
        folder = project / "figures" / code
        for n in countryrun.country_notebooks():
            for o in registry.notebooks()[n].outputs:
                assert (folder / o).exists(), f"{code}/{o}"
        assert f"# Outputs for {name} ({code})" in (folder / "AVAILABILITY.md").read_text()
        executed = (project / "build" / "notebooks" / code / "corruption.ipynb").read_text()
        assert f"{name}: rank" in executed and "Kazakhstan: rank" not in executed
        assert digest(folder / "cpi_2009_ranked.png") != before["cpi_2009_ranked.png"]
        assert (folder / "wgi_2008_comparisons.csv").read_text() != (
            ROOT / "figures" / "wgi_2008_comparisons.csv"
        ).read_text()
    assert {o: digest(project / "figures" / o) for o in DEFAULT} == before, "default outputs were touched"
    again = run_build(project, "--config", "country=KGZ UZB", "-n")
    assert "Nothing to be done" in again.stdout + again.stderr


@pytest.mark.slow
def test_unknown_country_stops_the_build_with_the_list(tmp_path):
    project = copy_project(tmp_path / "project")
    proc = run_build(project, "--config", "country=ZZZ", "-n", check=False)
    assert proc.returncode != 0
    assert (
        "error: COUNTRY=ZZZ: not an ISO 3166 alpha-3 code; countries with data: EST (Estonia)"
        in proc.stderr + proc.stdout
    )


def test_import_refuses_incomplete_or_thesis_countries(project):  # noqa: ARG001 (fixture sets the root)
    from oss_analysis import additions
    from oss_analysis.errors import DataError

    fixture = ROOT / "tests" / "fixtures" / "wgi_databank_sample.csv"
    with pytest.raises(DataError, match=r"column 'control_of_corruption': value is required for GEO"):
        additions.add("wgi", fixture, ["GEO"])
    with pytest.raises(DataError, match=r"EST already in the thesis' table"):
        additions.add("cpi", ROOT / "tests" / "fixtures" / "cpi_2009_ti_sample.csv", ["EST"])
    with pytest.raises(DataError, match=r"has no rows for MDA"):
        additions.add("wgi", fixture, ["MDA"])


@pytest.mark.slow
def test_a_student_adds_a_country_from_the_public_files_and_builds_it(built_copy):
    import subprocess
    import sys

    project = built_copy
    env = build_env(project)
    for kind, name in (("wgi", "wgi_databank_sample.csv"), ("cpi", "cpi_2009_ti_sample.csv")):
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "oss_analysis.build",
                "add-country-data",
                kind,
                str(ROOT / "tests" / "fixtures" / name),
                "--countries",
                "ARM",
            ],
            env=env,
            capture_output=True,
            text=True,
        )
        assert proc.returncode == 0, proc.stderr
    run_build(project, "--config", "country=ARM")
    folder = project / "figures" / "ARM"
    page = (folder / "AVAILABILITY.md").read_text()
    # the added rows count as the table's own: no publisher file is named for the governance charts
    assert "| `notebooks/governance.ipynb` | `wgi_2008_heatmap.png`, `wgi_2008_heatmap.svg`, " in page
    assert "wgi_2008_heatmap.data.csv` | printed" in page
    assert "`un_egov_2008_ranks.data.csv` | printed; not available for ARM" in page
    assert (
        "`egov_rank_kaz_over_time.md` | publisher: UN E-Government Survey 2010 (data/sources/egdi/egdi-2010.csv)"
        in page
    )
    assert (folder / "wgi_2008_groups.png").exists() and (folder / "cpi_2009_ranked.svg").exists()
    executed = (project / "build" / "notebooks" / "ARM" / "corruption.ipynb").read_text()
    assert "Armenia: rank 90, score 2.9" in executed
    # the printed tables are unchanged by an addition
    table3 = (project / "data" / "processed" / "cpi_2009.csv").read_text()
    assert "ARM,Armenia,2009,90,2.9,Transparency International CPI 2009 table cpi_2009_ti_sample.csv," in table3
