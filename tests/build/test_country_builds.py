"""Country runs through the real build graph: two countries at once, a student's added country,
another year, and the one-line errors a bad country code gives."""

from __future__ import annotations

import csv
import hashlib

import pandas as pd
import pytest
from conftest import ROOT, copy_project, run_build

from oss_analysis import notebook_specs
from oss_analysis.pipeline import country_runs, runner

DEFAULT = sorted(o for nb in notebook_specs.notebooks().values() for o in nb.outputs)


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


# The country runs (KGZ, ARM added by a student, MDA 2022) are built once per test run by the
# shared fixture ``countries_built`` (tests/conftest.py), which tests/build/test_claims.py reads too.
COUNTRIES = ("KGZ", "Kyrgyzstan"), ("ARM", "Armenia")


@pytest.fixture(scope="module")
def before(built_tree):
    """The default build's outputs, which no country run may touch."""
    return {o: digest(built_tree[0] / "figures" / o) for o in DEFAULT}


def _rows(path):
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_unknown_country_stops_the_build_with_the_list(tmp_path):
    project = copy_project(tmp_path / "project")
    proc = run_build(project, "--config", "country=ZZZ", "-n", check=False)
    assert proc.returncode != 0
    assert (
        "error: COUNTRY=ZZZ: not an ISO 3166 alpha-3 code; countries with data: EST (Estonia)"
        in proc.stderr + proc.stdout
    )


def test_two_countries_build_in_parallel_into_their_own_folders(countries_built, before):
    project, log = countries_built
    assert "notebook_governance_KGZ" in log and "notebook_governance_ARM" in log
    for code, name in COUNTRIES:
        folder = project / "figures" / code
        for n in country_runs.country_notebooks():
            for o in notebook_specs.notebooks()[n].outputs:
                assert (folder / o).exists(), f"{code}/{o}"
        assert f"# Outputs for {name} ({code})" in (folder / "AVAILABILITY.md").read_text()
        executed = (project / "build" / "notebooks" / code / "corruption.ipynb").read_text()
        assert f"{name}: rank" in executed and "Kazakhstan: rank" not in executed
        assert digest(folder / "cpi_2009_ranked.png") != before["cpi_2009_ranked.png"]
        assert (folder / "wgi_2008_comparisons.csv").read_text() != (
            ROOT / "figures" / "wgi_2008_comparisons.csv"
        ).read_text()
    assert {o: digest(project / "figures" / o) for o in DEFAULT} == before, "default outputs were touched"
    again = run_build(project, "--config", "country=KGZ ARM", "-n")  # a dry run: the shared tree stays
    assert "Nothing to be done" in again.stdout + again.stderr


def test_a_student_adds_a_country_from_the_public_files_and_builds_it(countries_built):
    project = countries_built[0]
    folder = project / "figures" / "ARM"
    page = (folder / "AVAILABILITY.md").read_text()
    # the added rows count as the table's own: no publisher file is named for the governance charts
    heatmap = "`wgi_2008_heatmap.png`, `wgi_2008_heatmap.meta.json`, `wgi_2008_heatmap.svg`, "
    assert f"| `notebooks/governance.ipynb` | {heatmap}" in page
    assert "wgi_2008_heatmap.data.csv` | printed" in page
    assert "`un_egov_2008_ranks.data.csv` | printed; not available for ARM" in page
    assert (
        "`egov_rank_by_year.meta.json` | publisher: UN E-Government Survey 2010 (data/sources/egdi/egdi-2010.csv)"
        in page
    )
    assert (folder / "wgi_2008_groups.png").exists() and (folder / "cpi_2009_ranked.svg").exists()
    executed = (project / "build" / "notebooks" / "ARM" / "corruption.ipynb").read_text()
    assert "Armenia: rank 120, score 2.7" in executed
    # the printed tables are unchanged by an addition
    table3 = (project / "data" / "processed" / "cpi_2009.csv").read_text()
    assert "ARM,Armenia,2009,120,2.7,Transparency International CPI file CPI2009.csv," in table3


def test_series_for_another_country_goes_into_its_own_folder(countries_built):
    project = countries_built[0]
    outputs = notebook_specs.notebooks()["series"].outputs
    folder = project / "figures" / "KGZ"
    assert all((folder / o).exists() for o in outputs)
    wgi = _rows(folder / "wgi_since_thesis.data.csv")
    assert {r["series"] for r in wgi if r["series"]} == {"KGZ", "Central Asia median", "post-Soviet median"}
    assert {r["source"] for r in wgi if not r["series"]} == {"thesis Table 2"}  # the printed marks drawn
    assert {r["year"] for r in wgi} == {r["year"] for r in _rows(ROOT / "figures" / "wgi_since_thesis.data.csv")}
    then_now = _rows(folder / "then_and_now.csv")
    assert len(then_now) == 9 and all(r["source"] for r in then_now)
    assert (project / "figures" / "wgi_since_thesis.png").read_bytes() == (
        ROOT / "figures" / "wgi_since_thesis.png"
    ).read_bytes()


def test_a_publisher_only_country_for_another_year(countries_built, before):
    project = countries_built[0]
    folder = project / "figures" / "MDA_2022"
    page = (folder / "AVAILABILITY.md").read_text()
    assert page.startswith("# Outputs for Moldova (MDA), year 2022")
    assert "`wgi_2008_heatmap.data.csv` | publisher: World Bank WGI release 2024" in page
    assert "`cpi_2009_ranked.data.csv` | publisher: TI CPI edition 2024 (data/sources/cpi/" in page
    data = pd.read_csv(folder / "wgi_2008_groups.data.csv")
    assert data["source"].str.contains("data/sources/wgi/").all()
    assert {o: digest(project / "figures" / o) for o in DEFAULT} == before, "default outputs were touched"


def test_a_code_that_is_not_iso_fails_a_several_country_run(tmp_path):
    project = copy_project(tmp_path / "project")
    proc = run_build(project, "--config", "country=KGZ XXX", "-n", check=False)
    assert proc.returncode != 0 and "error: COUNTRY=XXX: not an ISO 3166 alpha-3 code" in proc.stderr + proc.stdout
    proc = run_build(project, "--config", "country=Kazakhstan", "-n", check=False)
    assert proc.returncode != 0 and "(did you mean KAZ?)" in proc.stderr + proc.stdout
    proc = run_build(project, "--config", "country=GEO", "year=2030", "-n", check=False)
    assert proc.returncode != 0 and "YEAR=2030: not a year the WGI files hold; they hold 1996" in proc.stderr


def test_notebook_run_with_unknown_country_fails_with_one_line(tmp_path, capsys):
    rc = runner.run_notebook(
        "corruption", overrides=["focus_country=ZZZ"], output_dir=tmp_path / "out", executed=tmp_path / "nb.ipynb"
    )
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 1
    assert len(err) == 1
    assert (
        "ParameterError: parameter focus_country: 'ZZZ' is not an ISO 3166 alpha-3 code; choose one of: EST (Estonia)"
        in err[0]
    )

