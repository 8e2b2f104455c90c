"""Fault suite through the build graph (issue 17), on one private built copy of the project: each
fault ends with rc != 0 and the one-line error, or with the committed outputs unchanged."""

import hashlib
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, build_env, copy_built, run_build, snakemake_cmd

from oss_analysis import notebook_specs
from oss_analysis.review import figure_diff

OUTPUTS = sorted(o for nb in notebook_specs.notebooks().values() for o in nb.outputs)
BIN = Path(sys.executable).parent


def figures_digest(project):
    folder = project / "figures"
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.fixture(scope="module")
def built(built_tree, tmp_path_factory):
    """One copy of the test run's built tree for this module: each fault below puts back what it
    changed, so the next starts from a built, up-to-date tree."""
    return copy_built(built_tree[0], tmp_path_factory.mktemp("faults17") / "project")


class Saved:
    """Put a file back exactly as it was (bytes and times), so the graph sees no change."""

    def __init__(self, path):
        self.path, self.data, self.stat = path, path.read_bytes(), path.stat()

    def restore(self):
        self.path.write_bytes(self.data)
        os.utime(self.path, ns=(self.stat.st_atime_ns, self.stat.st_mtime_ns))


def error_lines(proc):
    return [line for line in (proc.stdout + proc.stderr).splitlines() if line.startswith("error: ")]


# --- 10. published outputs are readable by others (the umask's permissions, not 0600) ----------


def test_published_outputs_get_the_umask_permissions(built):
    mask = os.umask(0o022)
    os.umask(mask)
    processed = [f"data/processed/{p.name}" for p in (built / "data/processed").glob("*.csv")]
    for rel in [f"figures/{o}" for o in OUTPUTS] + processed:
        mode = stat.S_IMODE((built / rel).stat().st_mode)
        assert mode == 0o666 & ~mask, f"{rel}: mode {mode:o}"
    assert figure_diff.compare(ROOT / "figures", built / "figures", OUTPUTS) == []


# --- 6, 9 and the descriptor: stopped before the graph runs -----------------------------------


@pytest.mark.parametrize(
    "fault, expected",
    [
        ("deleted raw file", "error: data/raw/thesis_table_08_case_offices.csv: file is missing (declared as resource"),
        ("hash removed", "error: data/raw/datapackage.json, line "),
        ("invalid JSON", "error: data/raw/datapackage.json, line "),
    ],
)
def test_broken_data_package_stops_the_build(built, fault, expected):
    raw = built / "data/raw/thesis_table_08_case_offices.csv"
    descriptor = built / "data/raw/datapackage.json"
    saved = [Saved(raw), Saved(descriptor)]
    before = figures_digest(built)
    if fault == "deleted raw file":
        raw.unlink()
    elif fault == "hash removed":
        dp = json.loads(descriptor.read_text())
        del dp["resources"][5]["hash"]
        descriptor.write_text(json.dumps(dp, indent=2))
    else:
        descriptor.write_text(descriptor.read_text().replace('"resources":', '"resources"', 1))
    try:
        proc = run_build(built, check=False)
    finally:
        for s in saved:
            s.restore()
    assert proc.returncode != 0
    errors = error_lines(proc)
    assert len(errors) == 1 and errors[0].startswith(expected), proc.stderr[-2000:]
    assert figures_digest(built) == before


# --- a deleted input that no job writes is an error, never "nothing to do" (issue 23) ----------


@pytest.mark.parametrize(
    "deleted",
    ["config/params/governance.yaml", "notebooks/series.ipynb", "config/groups/former_soviet_union.csv",
     "config/groups/thesis_comparators.csv"],
)
def test_a_deleted_input_stops_the_build_naming_it(built, deleted):
    path = built / deleted
    saved = Saved(path)
    before = figures_digest(built)
    path.unlink()
    try:
        proc = run_build(built, check=False)
    finally:
        saved.restore()
    assert proc.returncode != 0
    errors = error_lines(proc)
    assert errors == [f"error: {deleted}: file is missing (an input of notebook " + errors[0].split("notebook ")[1]]
    assert figures_digest(built) == before


# --- 3. a hand-edited processed table is never published; check-manifest notices -------------


def test_hand_edited_processed_table_is_refused_by_build_and_manifest(built):
    table = built / "data/processed/eiu_2008.csv"
    saved = Saved(table)
    before = figures_digest(built)
    table.write_text(table.read_text().replace("3.89", "4.89", 1))
    try:
        proc = run_build(built, check=False)
        check = subprocess.run(
            [sys.executable, "-m", "oss_analysis.pipeline.cli", "check-manifest"],
            env=build_env(built),
            capture_output=True,
            text=True,
        )
    finally:
        table.unlink()  # the next build republishes it from build/processed
    assert proc.returncode != 0
    assert any(
        "DataError: data/processed/eiu_2008.csv, line " in e and "is not what data/raw gives" in e
        for e in error_lines(proc)
    ), proc.stderr[-3000:]
    assert figures_digest(built) == before
    assert check.returncode == 1
    assert "data/processed/eiu_2008.csv, line " in check.stdout
    run_build(built)
    assert figure_diff.compare(ROOT / "figures", built / "figures", OUTPUTS) == []
    assert saved.data == table.read_bytes()


# --- 5. publishing never deletes outputs -------------------------------------------------------

NAME = "satisfaction"


def _publish_only():
    return ["--forcerun", f"publish_{NAME}", "--until", f"publish_{NAME}"]


def test_failed_publish_keeps_every_output(built):
    stage = built / "build" / "stage" / NAME
    victim = stage / notebook_specs.notebooks()[NAME].outputs[-1]
    saved = Saved(victim)
    before = figures_digest(built)
    victim.unlink()
    victim.mkdir()  # the copy of this one file fails
    try:
        proc = run_build(built, *_publish_only(), check=False)
    finally:
        victim.rmdir()
        saved.restore()
    assert proc.returncode != 0
    assert "Removing output files" not in proc.stdout + proc.stderr
    assert figures_digest(built) == before


def test_killed_publish_never_leaves_fewer_files(built):
    before = figures_digest(built)
    proc = subprocess.Popen(
        snakemake_cmd(*_publish_only()),
        cwd=built,
        env=build_env(built),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    seen = []
    for line in proc.stdout:
        seen.append(line)
        if "publishing the outputs of" in line:
            os.killpg(proc.pid, signal.SIGKILL)
            break
    proc.wait()
    assert any("publishing the outputs of" in s for s in seen), "".join(seen)[-2000:]
    after = figures_digest(built)
    assert set(after) == set(before), f"lost: {sorted(set(before) - set(after))}"
    run_build(built, "--unlock")  # the killed run's lock (what `make all` clears when it is stale)
    run_build(built)  # --rerun-incomplete finishes the job
    assert figures_digest(built) == before


# --- 4. papermill by hand: never into figures/, a wrong type stops before any output --------------


def test_papermill_without_output_dir_does_not_write_into_figures(built, tmp_path):
    before = figures_digest(built)
    proc = subprocess.run(
        [str(BIN / "papermill"), f"notebooks/{NAME}.ipynb", str(tmp_path / "nb.ipynb"), "-k", "oss-analysis"],
        cwd=built,
        env=build_env(built),
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert figures_digest(built) == before
    assert (built / "build" / "scratch" / "satisfaction_trend.png").exists()


def test_papermill_with_wrong_type_writes_nothing(built, tmp_path):
    out = tmp_path / "out"
    proc = subprocess.run(
        [str(BIN / "papermill"), f"notebooks/{NAME}.ipynb", str(tmp_path / "nb.ipynb"), "-k", "oss-analysis"]
        + ["-p", "output_dir", str(out), "-p", "end_year", "2021.5"],
        cwd=built,
        env=build_env(built),
        capture_output=True,
        text=True,
    )
    assert proc.returncode != 0
    last = proc.stderr.strip().splitlines()[-1]
    assert last == (
        "error: notebooks/satisfaction.ipynb: parameter 'end_year' expects int (a year from 1900 to 2100), got 2021.5"
    )
    assert "Traceback" not in proc.stderr
    assert not out.exists()


# --- a kernel that cannot start: no loopback ------------------------------------------------------

NO_LOOPBACK = ["unshare", "-rn"]  # a network namespace whose loopback is left down


def _unshare_works():
    return shutil.which("unshare") is not None and subprocess.run([*NO_LOOPBACK, "true"]).returncode == 0


@pytest.mark.skipif(not _unshare_works(), reason="needs `unshare -rn` (util-linux)")
def test_no_loopback_fails_at_once_in_one_line(built, tmp_path):
    start = time.monotonic()
    proc = subprocess.run(
        [*NO_LOOPBACK, sys.executable, "-m", "oss_analysis.pipeline.cli", "run", NAME,
         "--output-dir", str(tmp_path / "o")],
        cwd=built,
        env=build_env(built),
        capture_output=True,
        text=True,
    )
    assert time.monotonic() - start < 20
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("error: cannot start a Jupyter kernel: the loopback interface (127.0.0.1) is not usable")
    assert lines[0].endswith("; notebooks need it even without a network")
    assert not (tmp_path / "o").exists()
