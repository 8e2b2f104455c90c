"""The build graph on a private copy of the project: a fresh copy executes every notebook and
reproduces the committed outputs byte for byte (two independent builds, so also determinism), a
second build does nothing, touching a raw file reruns only its readers, a changed value is named
by output and cell, and a failing notebook leaves the last good outputs intact.

The clean build is made once per test run (``built_tree`` in conftest); tests that change
something work on a copy of it and rebuild only what they touched."""

import hashlib
import json
import os
import re
import subprocess
import sys

import pytest
from conftest import ROOT, build_env, copy_built, run_build

from oss_analysis import notebook_specs
from oss_analysis.review import figure_diff
from oss_analysis.transform import clean, registry

OUTPUTS = sorted(o for nb in notebook_specs.notebooks().values() for o in nb.outputs)


def digests(folder):
    return {o: hashlib.sha256((folder / o).read_bytes()).hexdigest() for o in OUTPUTS}


def planned_jobs(project):
    out = run_build(project, "-n").stdout
    table = re.search(r"Job stats:\n(.*?)\n\s*total", out, re.S)
    return set() if table is None else {line.split()[0] for line in table.group(1).splitlines()[2:]}


def test_fresh_copy_executes_every_notebook(built_tree):
    """figures/ is committed, build/ is not: a fresh checkout must still run every notebook."""
    log = built_tree[1]
    ran = set(re.findall(r"\(Rule: (notebook_\w+)\)", log))
    assert ran == {f"notebook_{n}" for n in notebook_specs.notebooks()}, log[-2000:]


def test_clean_build_reproduces_committed_outputs(built):
    """Output regression: a number that changed is named with its file, line and column; a
    changed figure is shown in build/figure-diff/index.html (committed, rebuilt, difference)."""
    problems = figure_diff.compare(ROOT / "figures", built / "figures", OUTPUTS)
    if problems:
        report = ROOT / "build" / "figure-diff"
        figure_diff.write_report(ROOT / "figures", built / "figures", OUTPUTS, report)
        problems.append(f"see {report / 'index.html'} for the changed figures side by side")
    assert not problems, "rebuilt outputs differ from the committed ones:\n" + "\n".join(problems)


def test_manifest_records_every_output_and_input(built):
    manifest = json.loads((built / "build" / "manifest.json").read_text())
    assert set(manifest["outputs"]) == {f"figures/{o}" for o in OUTPUTS}
    rec = manifest["outputs"]["figures/thesis_table_03.csv"]
    assert rec["notebook"] == "notebooks/corruption.ipynb"
    assert "data/raw/thesis_table_03_cpi.csv" in rec["inputs"] and "data/processed/cpi_2009.csv" in rec["inputs"]
    assert rec["parameters"]["focus_country"] == "KAZ"
    assert manifest["packages"]["pandas"]
    assert all(len(d) == 64 for d in rec["inputs"].values())


def test_second_build_executes_nothing(built):
    assert planned_jobs(built) == set()


def test_snakemake_report_shows_every_chart_with_its_caption(built_copy):
    """make report: snakemake --report on the built tree, every published chart tagged."""
    built = built_copy
    env = dict(os.environ, OSS_ANALYSIS_ROOT=str(built))
    captions = built / "build" / "report" / "captions"
    subprocess.run([sys.executable, "-m", "oss_analysis.review.gallery", str(captions)], env=env, check=True)
    log = run_build(built, "--report", "build/report.html")
    log = log.stdout + log.stderr
    charts = [o for o in OUTPUTS if o.endswith(".png")]
    assert [c for c in charts if f"Adding {c}" not in log] == [], log[-2000:]
    assert sorted(p.name for p in captions.iterdir()) == sorted(c.replace(".png", ".rst") for c in charts)
    assert (built / "build" / "report.html").stat().st_size > 100_000


def test_every_notebook_executed_cleanly(built):
    """Each executed notebook ran every code cell, in order, without an error output."""
    for name in notebook_specs.notebooks():
        nb = json.loads((built / "build" / "notebooks" / f"{name}.ipynb").read_text())
        cells = [c for c in nb["cells"] if c["cell_type"] == "code"]
        assert [c["execution_count"] for c in cells] == list(range(1, len(cells) + 1)), name
        assert not [o for c in cells for o in c["outputs"] if o["output_type"] == "error"], name


def test_notebooks_read_processed_tables_as_validated(built, tmp_path):
    """A kernel reads the tables the build validated without pandera: typed from the build's
    record, the frame equals the validated one; bytes the build did not write are validated."""
    import pandas as pd

    from oss_analysis.extract.transcriptions import validate

    env = build_env(built)
    probe = (
        "import sys, pandas as pd\n"
        "from oss_analysis.transform import clean, registry\n"
        "for t in registry.TABLES:\n"
        "    clean.load(t).to_pickle(f'{sys.argv[1]}/{t}.pkl')\n"
        "print('pandera' in sys.modules)\n"
    )
    out = tmp_path
    proc = subprocess.run([sys.executable, "-c", probe, str(out)], env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "False"  # nothing imported pandera
    for t in clean.registry.TABLES:
        fast = pd.read_pickle(out / f"{t}.pkl")
        slow = validate(pd.read_csv(built / "data" / "processed" / f"{t}.csv"), clean.schema(t), t)
        assert fast.equals(slow) and list(fast.dtypes) == list(slow.dtypes), t


def test_a_hand_edited_processed_table_is_refused_on_load(built_copy):
    from oss_analysis.errors import DataError

    table = built_copy / "data" / "processed" / "cpi_2009.csv"
    table.write_text(table.read_text().replace(",2.7,", ",27,"))
    with pytest.raises(DataError, match=r"data/processed/cpi_2009.csv, line 6: is not what data/raw gives"):
        clean.load("cpi_2009")


@pytest.fixture(scope="module")
def cpi_edited(built_tree, tmp_path_factory):
    """One incremental rebuild serves the two tests below: in a copy of the built tree, the CPI
    raw file is touched (the plan is recorded), then one value in it is edited and its checksum
    refreshed, and the graph rebuilds. (project, plan after the touch, build log, plan after)."""
    built = copy_built(built_tree[0], tmp_path_factory.mktemp("cpi-edited") / "project")
    raw = built / "data/raw/thesis_table_03_cpi.csv"
    raw.touch()
    touched = planned_jobs(built)
    raw.write_bytes(raw.read_bytes().replace(b"Kazakhstan,2.7", b"Kazakhstan,2.8"))
    env = build_env(built)
    subprocess.run(
        [sys.executable, "-m", "oss_analysis.pipeline.cli", "datapackage"], env=env, check=True, capture_output=True
    )
    log = run_build(built)
    return built, touched, log.stdout + log.stderr, planned_jobs(built)


def test_touching_a_raw_file_reruns_only_its_readers(cpi_edited):
    _, touched, _, after = cpi_edited
    readers = {
        n
        for n, nb in notebook_specs.notebooks().items()
        if "cpi_2009" in nb.processed or any(p.name == "thesis_table_03_cpi.csv" for p in nb.extra_inputs)
    }
    tables = {t for t, spec in registry.TABLES.items() if "thesis_table_03_cpi" in spec.raw}
    expected = {"prepare", "publish_processed", "all", "manifest"}
    expected |= {f"notebook_{n}" for n in readers} | {f"publish_{n}" for n in readers}
    assert tables and readers
    assert touched == expected
    assert after == set()  # the rebuild did all it planned


def test_changed_raw_value_is_named_by_output_and_cell(cpi_edited, monkeypatch):
    """A deliberate edit of one raw value (checksum refreshed) changes the outputs, and the
    regression names the output and the cell. Only the tables built from that file are rebuilt."""
    built, _, log, _ = cpi_edited
    monkeypatch.setenv("OSS_ANALYSIS_ROOT", str(built))
    env = build_env(built)
    tables = {t for t, spec in registry.TABLES.items() if "thesis_table_03_cpi" in spec.raw}
    prepared = set(re.findall(r"preparing (\w+) from data/raw", log))
    stale = subprocess.run(
        [sys.executable, "-m", "oss_analysis.pipeline.cli", "check-manifest"], env=env, capture_output=True, text=True
    )
    problems = figure_diff.compare(ROOT / "figures", built / "figures", OUTPUTS)
    diff = subprocess.run(  # the report `make diff` writes, here on the tree just built
        [sys.executable, "-m", "oss_analysis.review.figure_diff", "--rebuilt", str(built),
         "--out", str(built / "diff")],
        env=dict(os.environ, OSS_ANALYSIS_ROOT=str(ROOT)),
        capture_output=True,
        text=True,
    )
    assert "figures/thesis_table_03.csv line 6, column '2009 CPI score': committed '2.7', rebuilt '2.8'" in problems
    assert stale.returncode == 0  # the manifest describes the build just made
    assert prepared == tables  # the data package's other entries did not change
    assert diff.returncode == 1 and "report: " in diff.stdout, diff.stdout + diff.stderr
    page = (built / "diff" / "index.html").read_text()
    for chart in ("cpi_ranked", "cpi_vs_wgi_cc"):  # the charts drawn from the CPI scores
        for which in ("committed", "rebuilt", "difference"):
            image = built / "diff" / "img" / f"{chart}.{which}.png"
            assert image.stat().st_size > 1000 and f'src="img/{image.name}"' in page
    assert "<td>Country = Kazakhstan</td><td>2009 CPI score</td><td>2.7</td><td>2.8</td><td>6</td>" in page
    assert "<td>score</td><td>2.7</td><td>2.8</td>" in page  # a chart's .data.csv


@pytest.fixture(scope="module")
def code_edited(built_tree, tmp_path_factory):
    """A copy of the built tree and the jobs a dry run plans after touching one module: a review
    tool no notebook imports (figure_diff; the report notebook imports review.report, so that
    one may rerun it), then a chart helper. {module: planned jobs}."""
    built = copy_built(built_tree[0], tmp_path_factory.mktemp("code-edited") / "project")
    plans = {}
    for module in ("review/figure_diff.py", "output/charts.py"):
        (built / "src" / "oss_analysis" / module).touch()
        plans[module] = planned_jobs(built)
    return plans


def test_editing_a_review_tool_reruns_nothing(code_edited):
    assert code_edited["review/figure_diff.py"] == set()


def test_editing_a_chart_helper_reruns_only_the_notebooks_that_draw_with_it(code_edited):
    from oss_analysis.pipeline import code_inputs

    charts = ROOT / "src" / "oss_analysis" / "output" / "charts.py"
    nbs = notebook_specs.notebooks()
    drawing = {n for n in nbs if charts in code_inputs.notebook_code(n)}
    readers = {n for n, nb in nbs.items() if drawing & set(nb.reads_outputs_of)}  # of their published outputs
    assert drawing and drawing | readers != set(nbs)
    expected = {"all", "manifest"} | {f"{job}_{n}" for n in drawing | readers for job in ("notebook", "publish")}
    assert code_edited["output/charts.py"] == expected


def test_manifest_reports_stale_outputs(built_copy):
    env = build_env(built_copy)
    raw = built_copy / "data/raw/thesis_table_02_wgi.csv"
    raw.write_bytes(raw.read_bytes().replace(b"Kazakhstan,19,", b"Kazakhstan,20,"))
    proc = subprocess.run(
        [sys.executable, "-m", "oss_analysis.pipeline.cli", "check-manifest"], env=env, capture_output=True, text=True
    )
    assert proc.returncode == 1
    assert (
        "figures/thesis_table_02.csv: stale, inputs changed since it was built: data/raw/thesis_table_02_wgi.csv"
        in proc.stdout
    )


def test_failing_notebook_stops_build_and_keeps_last_good_outputs(built_copy):
    built = built_copy
    before = digests(built / "figures")
    name = "satisfaction"
    path = built / "notebooks" / f"{name}.ipynb"
    nb = json.loads(path.read_text())
    nb["cells"].append(
        {
            "cell_type": "code",
            "metadata": {},
            "outputs": [],
            "execution_count": None,
            "id": "boom",
            "source": "raise RuntimeError('deliberate failure for the test')",
        }
    )
    path.write_text(json.dumps(nb))
    proc = run_build(built, check=False)
    assert proc.returncode != 0
    log = proc.stdout + proc.stderr
    assert "RuntimeError: deliberate failure for the test" in log
    assert f"notebook {name}.ipynb failed in cell" in log
    assert digests(built / "figures") == before
    assert not list((built / "figures").glob(".*.tmp"))
