"""Country runs through the real build graph: two countries at once, a student's added country,
another year (Moldova and Ukraine, 2022), and the one-line errors a bad country code gives."""

from __future__ import annotations

import csv
import hashlib
import json
import re
import subprocess
import sys
import time

import pandas as pd
import pytest
from conftest import ROOT, build_env, copy_project, run_build

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


def published(project, run, name):
    """The outputs a run's publish job copied into figures/<run>/ (its record: what it left out)."""
    left = json.loads((project / "build" / "published" / run / f"{name}.json").read_text())
    return [o for o in notebook_specs.notebooks()[name].run_outputs if o.split(".")[0] not in left]


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
            for o in nb.outputs:  # what the run does not change is the default build's, not copied
                assert (folder / o).exists() == (o in published(project, code, n)), f"{code}/{o}"
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
    # the thesis' nine UN ranks do not hold Armenia: not copied, the page says why and where it is
    assert "| not copied | does not show Armenia (no ARM row drawn): [`figures/un_egov_ranks.png`]" in page
    assert not (folder / "un_egov_ranks.png").exists() and (project / "figures/KGZ/un_egov_ranks.png").exists()
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



def disagreements(project, runs, same, claim="the same in every run"):
    """Outputs whose declaration (``same``: notebook -> stems) the bytes the runs staged
    (build/stage/<run>/<notebook>/, every output, copied or not) contradict."""
    wrong = []
    for name in country_runs.country_notebooks():
        for o in notebook_specs.notebooks()[name].outputs:
            staged = [project / "build" / "stage" / r / name / o for r in runs]
            kinds = {digest(f) for f in staged if f.exists()}
            if sum(f.exists() for f in staged) < 2:
                continue
            declared = o.split(".")[0] in same[name]
            if declared != (len(kinds) == 1):
                wrong.append(f"{name}/{o}: declared {claim if declared else 'changed'}, {len(kinds)} distinct file(s)")
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
    assert "corruption/thesis_table_03.csv: declared changed, 1 distinct file(s)" in found
    assert any(f.startswith("corruption/cpi_ranked.png: declared the same in every run") for f in found)


def test_what_notebooks_yaml_says_no_year_changes_is_what_the_runs_bytes_show(countries_built):
    """Moldova at the studies' years and in 2022: an output declared ``same_in_every_year`` has
    the same bytes in both, any other the focus country changes differs; the year's folder holds
    only the latter, its page links the country's folder for the former."""
    project = countries_built[0]
    nbs = notebook_specs.notebooks()
    names = country_runs.country_notebooks()
    declared = {n: set(nbs[n].same_in_every_year) | set(nbs[n].same_in_every_run) for n in names}
    assert disagreements(project, ("MDA", "MDA_2022"), declared, "the same in every year") == []
    assert "cpi_since_thesis" in nbs["series"].same_in_every_year
    page = (project / "figures" / "MDA_2022" / "AVAILABILITY.md").read_text()
    for name in declared:
        for stem in nbs[name].same_in_every_year:
            assert not any((project / "figures" / "MDA_2022").glob(f"{stem}.*")), stem
            first = next(o for o in nbs[name].outputs if o.split(".")[0] == stem)
            link = f"[`figures/MDA/{first}`](../MDA/{first})"
            assert f"| not copied | the same in every year: {link}" in page and "`make all COUNTRY=MDA`" in page
    # a wrong claim either way is caught
    wrong = {**declared, "series": declared["series"] - {"cpi_since_thesis"}, "governance": {"wgi_groups"}}
    found = disagreements(project, ("MDA", "MDA_2022"), wrong, "the same in every year")
    assert "series/cpi_since_thesis.png: declared changed, 1 distinct file(s)" in found
    assert "governance/wgi_groups.png: declared the same in every year, 2 distinct file(s)" in found


BUSY_KERNEL = """import json, runpy, socket, sys
# the port race of two kernels started at once (build/logs/notebook/MDA/corruption.log, sweep 2):
# the IOPub port is taken before the kernel binds it, and ipykernel lives on without it
conn = json.load(open(sys.argv[sys.argv.index("-f") + 1]))
taken = socket.socket()
taken.bind((conn["ip"], conn["iopub_port"]))
taken.listen(1)
sys.argv = ["ipykernel_launcher", *sys.argv[1:]]
runpy.run_module("ipykernel_launcher", run_name="__main__")
"""


def test_a_kernel_that_cannot_bind_its_port_fails_its_job_in_seconds(built_copy, tmp_path, monkeypatch):
    """A kernel whose port another took (``zmq.error.ZMQError: Address already in use``) once hung
    a country build for minutes: each start is now given up at once, retried, and the job fails
    with one line naming the notebook and the kernel's own error."""
    from oss_analysis.pipeline import runner

    spec = tmp_path / "jupyter" / "kernels" / runner.KERNEL
    spec.mkdir(parents=True)
    (tmp_path / "busy_kernel.py").write_text(BUSY_KERNEL)
    argv = [sys.executable, str(tmp_path / "busy_kernel.py"), "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "busy", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))  # found before the venv's own
    cmd = [sys.executable, "-m", "oss_analysis.pipeline.run_graph", "--snakefile", "workflow/Snakefile", "--cores", "2"]
    started = time.monotonic()
    proc = subprocess.run([*cmd, "--config", "country=GEO"], cwd=built_copy, env=build_env(built_copy),
                          capture_output=True, text=True, timeout=600)
    took = time.monotonic() - started
    last = (proc.stdout + proc.stderr).strip().splitlines()[-1]
    assert proc.returncode == 1 and took < 60, (took, proc.stdout[-2000:])
    assert re.fullmatch(r"error: notebook \w+\.ipynb: the Jupyter kernel 'oss-analysis' failed: Kernel died before "
                        r"replying to kernel_info \(zmq\.error\.ZMQError: Address already in use \(addr='tcp://"
                        r"127\.0\.0\.1:\d+'\); 3 starts\)", last), last
