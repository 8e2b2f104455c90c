"""Fault suite for the build: a broken raw file, a killed build, two builds at once, and no
network. Each ends with a clear message (or a clean finish) and the last good outputs intact."""

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, copy_project, run_build, snakemake_cmd

from oss_analysis import registry, regress

pytestmark = pytest.mark.slow
OUTPUTS = sorted(o for nb in registry.notebooks().values() for o in nb.outputs)
VENV = Path(sys.executable).parents[1]


def tree_digest(project):
    files = [project / "figures" / o for o in OUTPUTS] + sorted((project / "data" / "processed").glob("*.csv"))
    return {str(f.relative_to(project)): hashlib.sha256(f.read_bytes()).hexdigest() for f in files}


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    return copy_project(tmp_path_factory.mktemp("faults") / "project")


def make_build(project, **kw):
    """`make build` in the copy, with the already installed venv (what `make all` runs after set-up)."""
    env = dict(os.environ, OSS_ANALYSIS_ROOT=str(project))
    env.pop("OSS_ANALYSIS_OUTPUT_DIR", None)
    return subprocess.Popen(
        ["make", "-s", "build", f"VENV={VENV}", "JOBS=2", "SKIP_SETUP=1"],
        cwd=project,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        **kw,
    )


def test_killed_build_then_rerun_ends_identical_to_a_clean_build(project):
    proc = make_build(project)
    deadline = time.time() + 120
    stage = project / "build" / "stage"
    while time.time() < deadline and not (stage.exists() and any(stage.iterdir())):
        time.sleep(0.2)
    assert proc.poll() is None, "the build finished before it could be interrupted"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    done = make_build(project)
    out, _ = done.communicate(timeout=600)
    assert done.returncode == 0, out[-3000:]
    assert regress.compare(ROOT / "figures", project / "figures", OUTPUTS) == []
    assert not list((project / "figures").glob(".*.tmp")) and not list((project / "data" / "processed").glob(".*.tmp"))


def test_two_builds_at_once_the_second_waits(project):
    (project / "data/raw/thesis_table_03_cpi.csv").touch()  # give the first build real work
    first, second = make_build(project), None
    time.sleep(0.5)
    second = make_build(project)
    out1, _ = first.communicate(timeout=600)
    out2, _ = second.communicate(timeout=600)
    assert first.returncode == 0 and second.returncode == 0, out1[-2000:] + out2[-2000:]
    assert "getting lock took" in out2
    assert "Nothing to be done" in out2 or "Nothing to be done" in out1
    assert regress.compare(ROOT / "figures", project / "figures", OUTPUTS) == []


def test_broken_raw_file_stops_the_build_and_keeps_outputs(project):
    before = tree_digest(project)
    raw = project / "data/raw/thesis_table_03_cpi.csv"
    keep = raw.read_bytes()
    raw.write_bytes(keep.replace(b"Kazakhstan,2.7", b"Kazakhstan,11"))
    env = dict(os.environ, OSS_ANALYSIS_ROOT=str(project))
    subprocess.run(
        [sys.executable, "-m", "oss_analysis.build", "datapackage"], env=env, check=True, capture_output=True
    )
    try:
        proc = run_build(project, check=False)
    finally:
        raw.write_bytes(keep)
        subprocess.run(
            [sys.executable, "-m", "oss_analysis.build", "datapackage"], env=env, check=True, capture_output=True
        )
    log = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "error: data/raw/thesis_table_03_cpi.csv, line 6, column 'cpi_score': must be <= 10 (got 11.0)" in log
    assert tree_digest(project) == before


# A network namespace of its own: only loopback (which Jupyter kernels talk over), nothing outside.
NO_NET = ["unshare", "-rn", "sh", "-c", 'ip link set lo up && exec "$@"', "sh"]


def _unshare_works():
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        return False
    return subprocess.run([*NO_NET, "true"], capture_output=True).returncode == 0


@pytest.mark.skipif(
    not _unshare_works(), reason="needs `unshare -rn` and `ip` (util-linux, iproute2) to cut the network"
)
def test_build_and_notebook_run_without_network(project, tmp_path):
    """After set-up nothing needs the network: in a namespace with no network, a rebuild of one
    notebook's chain and a notebook executed by hand both succeed."""
    routes = subprocess.run([*NO_NET, "ip", "route", "show"], capture_output=True, text=True)
    assert routes.returncode == 0 and routes.stdout.strip() == "", "the namespace must have no route out"
    (project / "data/raw/thesis_table_04_eiu.csv").touch()
    env = dict(os.environ, OSS_ANALYSIS_ROOT=str(project))
    env.pop("OSS_ANALYSIS_OUTPUT_DIR", None)
    snake = snakemake_cmd()
    proc = subprocess.run([*NO_NET, *snake], cwd=project, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "notebook_egovernment" in proc.stdout + proc.stderr
    run = subprocess.run(
        [
            *NO_NET,
            sys.executable,
            "-m",
            "oss_analysis.build",
            "run",
            "satisfaction",
            "--output-dir",
            str(tmp_path / "out"),
            "--executed",
            str(tmp_path / "nb.ipynb"),
        ],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert (tmp_path / "out" / "satisfaction_trend.png").exists()
