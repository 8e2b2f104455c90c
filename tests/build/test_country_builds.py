"""Country runs through the real build graph: two countries at once, a student's added country,
another year (Moldova and Ukraine, 2022), and the one-line errors a bad country code gives."""

from __future__ import annotations

import csv
import hashlib
import json

import pandas as pd
import pytest
from conftest import ROOT, copy_project, run_build

from oss_analysis import notebook_specs
from oss_analysis.pipeline import cli, country_runs

DEFAULT = sorted(o for nb in notebook_specs.notebooks().values() for o in nb.outputs)


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


# The country runs (KGZ, ARM added by a student, MDA and UKR 2022) are built once per test run by the
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
            nb = notebook_specs.notebooks()[n]
            for o in nb.outputs:  # what no focus country changes is the default build's, not copied
                assert (folder / o).exists() == (o in nb.run_outputs), f"{code}/{o}"
        assert f"# Outputs for {name} ({code})" in (folder / "AVAILABILITY.md").read_text()
        executed = (project / "build" / "notebooks" / code / "corruption.ipynb").read_text()
        assert f"{name}: rank" in executed and "Kazakhstan: rank" not in executed
        assert digest(folder / "cpi_ranked.png") != before["cpi_ranked.png"]
        assert (folder / "wgi_comparisons.csv").read_text() != (
            ROOT / "figures" / "wgi_comparisons.csv"
        ).read_text()
    assert {o: digest(project / "figures" / o) for o in DEFAULT} == before, "default outputs were touched"
    again = run_build(project, "--config", "country=KGZ ARM", "-n")  # a dry run: the shared tree stays
    assert "Nothing to be done" in again.stdout + again.stderr


def test_an_addition_leaves_the_default_build_the_reproduction_of_the_print(countries_built):
    top = json.loads((countries_built[0].parent / "top.json").read_text())
    after, before = top["after"], top["before"]
    changed = sorted({name for name, _ in set(after.items()) ^ set(before.items())})
    assert after == before, "files under figures/ changed: " + ", ".join(changed)


def test_a_student_adds_a_country_from_the_public_files_and_builds_it(countries_built):
    project = countries_built[0]
    folder = project / "figures" / "ARM"
    page = (folder / "AVAILABILITY.md").read_text()
    # the added rows name the publisher's file and release they came from, in the data drawn
    wgi = "World Bank WGI release 2024 (data/sources/wgi/wgi_2024_release_long.csv)"
    assert f"wgi_heatmap.data.csv` | publisher: {wgi}" in page
    heatmap = pd.read_csv(folder / "wgi_heatmap.data.csv")
    assert set(heatmap.loc[heatmap["iso3"] == "ARM", "source"]) == {f"{wgi}, added"}
    assert "`un_egov_ranks.data.csv` | printed; not available for ARM" in page
    assert (
        "`egov_rank_by_year.meta.json` | publisher: UN E-Government Survey 2010 (data/sources/egdi/egdi-2010.csv)"
        in page
    )
    assert (folder / "wgi_groups.png").exists() and (folder / "cpi_ranked.svg").exists()
    executed = (project / "build" / "notebooks" / "ARM" / "corruption.ipynb").read_text()
    assert "Armenia: rank 120, score 2.7" in executed
    # the printed tables are unchanged by an addition
    table3 = (project / "data" / "processed" / "cpi_2009.csv").read_text()
    assert 'ARM,Armenia,2009,120,2.7,"TI CPI edition 2009 (data/sources/cpi/CPI2009.csv), added",' in table3


def test_series_for_another_country_goes_into_its_own_folder(countries_built):
    project = countries_built[0]
    outputs = notebook_specs.notebooks()["series"].outputs
    folder = project / "figures" / "KGZ"
    assert all((folder / o).exists() for o in outputs)
    wgi = _rows(folder / "wgi_since_thesis.data.csv")
    series = {r["series"] for r in wgi if r["series"]}  # rows without a series: the printed marks drawn
    assert series == {"KGZ", "Central Asia median (other 4)", "post-Soviet median (other 14)"}
    # config/countries/KGZ.yaml sets the thesis' groups (Singapore among them): the post-Soviet
    # median is still over the other fourteen states of the one definition
    fifteen = list(pd.read_csv(ROOT / "config" / "groups" / "former_soviet_union.csv")["iso3"])
    median = [r for r in wgi if r["series"].startswith("post-Soviet")]
    assert {r["members"] for r in median} == {" ".join(c for c in fifteen if c != "KGZ")}
    va = next(r for r in median if r["indicator"] == "VA" and r["year"] == "2023")
    assert (va["value"], va["n"]) == ("32.1", "14")  # was 21.6 over 9 countries, Singapore among them
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
    assert "`wgi_heatmap.data.csv` | publisher: World Bank WGI release 2024" in page
    assert "`cpi_ranked.data.csv` | publisher: TI CPI edition 2024 (data/sources/cpi/" in page
    data = pd.read_csv(folder / "wgi_groups.data.csv")
    assert data["source"].str.contains("data/sources/wgi/").all()
    # "ranks R of M": M is every entity TI scored in 2022 (Kosovo among them), as for any 2022 run
    ti = pd.read_csv(ROOT / "data/sources/cpi/CPI2024_GlobalResultsTrends.csv", sep=";", header=2)
    for code in ("MDA", "UKR"):  # Ukraine's title once said "116 of 179"
        rank = int(ti.loc[ti["ISO3"] == code, "Rank 2022"].iloc[0])
        svg = (project / "figures" / f"{code}_2022" / "cpi_ranked.svg").read_text()
        assert f"ranks {rank} of {int(ti['CPI score 2022'].notna().sum())}" in svg, code
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
    rc = cli.main(["run", "corruption", "-p", "focus_country=ZZZ", "--output-dir", str(tmp_path / "out"),
                   "--executed", str(tmp_path / "nb.ipynb")])
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 1
    assert len(err) == 1
    assert (
        "ParameterError: parameter focus_country: 'ZZZ' is not an ISO 3166 alpha-3 code; choose one of: EST (Estonia)"
        in err[0]
    )



def disagreements(project, runs, same_in_every_run):
    """Outputs whose declaration (``same_in_every_run``: notebook -> stems) the bytes the runs
    staged (build/stage/<run>/<notebook>/, every output, copied or not) contradict."""
    wrong = []
    for name in country_runs.country_notebooks():
        for o in notebook_specs.notebooks()[name].outputs:
            staged = [project / "build" / "stage" / r / name / o for r in runs]
            kinds = {digest(f) for f in staged if f.exists()}
            if sum(f.exists() for f in staged) < 2:
                continue
            same = o.split(".")[0] in same_in_every_run[name]
            if same != (len(kinds) == 1):
                claim = "the same in every run" if same else "changed by the run"
                wrong.append(f"{name}/{o}: declared {claim}, {len(kinds)} distinct file(s)")
    return wrong


def test_what_notebooks_yaml_says_no_country_changes_is_what_the_runs_bytes_show(countries_built):
    project = countries_built[0]
    runs = ("KGZ", "ARM", "MDA_2022", "UKR_2022")
    declared = {n: set(notebook_specs.notebooks()[n].same_in_every_run) for n in country_runs.country_notebooks()}
    assert disagreements(project, runs, declared) == []
    assert all(len(list((project / "build" / "stage" / r).glob("*/*"))) > 20 for r in runs)
    # a wrong claim either way is caught
    wrong = {**declared, "corruption": declared["corruption"] - {"thesis_table_03"} | {"cpi_ranked"}}
    found = disagreements(project, runs, wrong)
    assert "corruption/thesis_table_03.csv: declared changed by the run, 1 distinct file(s)" in found
    assert any(f.startswith("corruption/cpi_ranked.png: declared the same in every run") for f in found)
