"""The build graph on a private copy of the project: clean build reproduces the committed
outputs byte for byte, a second build does nothing, touching a raw file reruns only its readers,
and a failing notebook leaves the last good outputs intact."""

import hashlib
import json
import re

import pytest
from conftest import ROOT, run_build

from oss_analysis import clean, registry

pytestmark = pytest.mark.slow
OUTPUTS = sorted(o for nb in registry.notebooks().values() for o in nb.outputs)


def digests(folder):
    return {o: hashlib.sha256((folder / o).read_bytes()).hexdigest() for o in OUTPUTS}


def planned_jobs(project):
    out = run_build(project, "-n").stdout
    table = re.search(r"Job stats:\n(.*?)\n\s*total", out, re.S)
    return set() if table is None else {line.split()[0] for line in table.group(1).splitlines()[2:]}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from conftest import copy_project

    project = copy_project(tmp_path_factory.mktemp("build") / "project")
    run_build(project)
    return project


def test_clean_build_reproduces_committed_outputs(built):
    fresh, committed = digests(built / "figures"), digests(ROOT / "figures")
    differ = [o for o in OUTPUTS if fresh[o] != committed[o]]
    assert not differ, f"rebuilt outputs differ from the committed ones: {differ}"


def test_second_build_executes_nothing(built):
    assert planned_jobs(built) == set()


def test_touching_a_raw_file_reruns_only_its_readers(built):
    (built / "data/raw/thesis_table_03_cpi.csv").touch()
    readers = {n for n, nb in registry.notebooks().items() if "cpi_2009" in nb.processed}
    tables = {t for t, spec in clean.PROCESSED.items() if "thesis_table_03_cpi" in spec.raw}
    expected = {"prepare", "all"} | {f"notebook_{n}" for n in readers} | {f"publish_{n}" for n in readers}
    assert tables and readers
    assert planned_jobs(built) == expected
    run_build(built)
    assert planned_jobs(built) == set()


def test_failing_notebook_stops_build_and_keeps_last_good_outputs(built):
    before = digests(built / "figures")
    name = "corruption"
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


def test_two_clean_builds_are_byte_identical(built):
    import shutil

    first = digests(built / "figures")
    shutil.rmtree(built / "build")
    for o in OUTPUTS:
        (built / "figures" / o).unlink()
    # undo the failing cell of the previous test, if it ran first
    shutil.copy(ROOT / "notebooks" / "corruption.ipynb", built / "notebooks" / "corruption.ipynb")
    run_build(built)
    assert digests(built / "figures") == first
