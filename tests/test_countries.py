"""Country runs: `make all COUNTRY=...` builds the country-dependent notebooks for another focus
country into figures/<CODE>/, leaves the default outputs alone, degrades or fails clearly."""

import hashlib

import pytest
from conftest import ROOT, copy_project, run_build

from oss_analysis import countryrun, registry
from oss_analysis.errors import ParameterError

DEFAULT = sorted(o for nb in registry.notebooks().values() for o in nb.outputs)


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_plan_for_a_country_in_every_table():
    assert countryrun.plan("KGZ") == {n: None for n in countryrun.country_notebooks()}


def test_plan_for_a_country_missing_from_some_tables():
    plan = countryrun.plan("sgp")
    assert plan["governance"] is None and plan["corruption"] is None
    assert plan["egovernment"] == "no data for SGP in data/processed/egov_ranks.csv"


def test_country_in_no_table_gets_one_clear_error():
    with pytest.raises(
        ParameterError, match=r"COUNTRY=FRA \(France\): no table holds this country.*countries with data: EST"
    ):
        countryrun.plan("FRA")
    with pytest.raises(ParameterError, match=r"COUNTRY=K4Z: not an ISO 3166 alpha-3 code; countries with data:"):
        countryrun.plan("K4Z")


@pytest.mark.slow
def test_two_countries_build_in_parallel_into_their_own_folders(tmp_path):
    project = copy_project(tmp_path / "project")
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
