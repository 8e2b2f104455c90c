"""Fault suite for the build: a broken raw file, a killed build, two builds at once, a direct
Snakemake run beside `make all`, and no network. Each ends with a clear message (or a clean
finish) and the last good outputs intact. Each test starts from a copy of the one clean build
(``built_copy`` in conftest) and gives the build real work by touching or editing a raw file:
where any work will do, the errata register, which only the reproduction report reads."""

import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, build_env, run_build, snakemake_cmd, spaceless

from oss_analysis import notebook_specs
from oss_analysis.review import figure_diff

OUTPUTS = sorted(o for nb in notebook_specs.notebooks().values() for o in nb.outputs)
VENV = spaceless(Path(sys.executable).parents[1])
ERRATA = "data/raw/errata.csv"  # read by the reproduction report only: the cheapest real work


def tree_digest(project):
    files = [project / "figures" / o for o in OUTPUTS] + sorted((project / "data" / "processed").glob("*.csv"))
    return {str(f.relative_to(project)): hashlib.sha256(f.read_bytes()).hexdigest() for f in files}


@pytest.fixture
def project(built_copy):
    return built_copy


def make_build(project, **kw):
    """`make build` in the copy, with the already installed venv (what `make all` runs after set-up),
    started as a user starts it, not as a sub-make of `make test`."""
    env = {k: v for k, v in build_env(project).items() if k not in ("MAKELEVEL", "MAKEFLAGS", "MFLAGS")}
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


def wait_for(condition, what, timeout=120):
    deadline = time.time() + timeout
    while not condition():
        assert time.time() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def build_lock_held(project):
    """Whether a build holds the folder's build lock (.build.lock), without taking it for long."""
    import fcntl

    with (project / ".build.lock").open("a") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(fh, fcntl.LOCK_UN)
    return False


def test_killed_build_then_rerun_ends_identical_to_a_clean_build(project):
    (project / ERRATA).touch()
    proc = make_build(project)
    running = project / "build" / "notebooks" / ".reproduction_report.tmp.ipynb"  # papermill writes it as it runs
    wait_for(lambda: running.exists() or proc.poll() is not None, "the notebook to start")
    assert proc.poll() is None, "the build finished before it could be interrupted"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert any((project / ".snakemake" / "locks").iterdir()), "the killed build left no lock to clear"
    done = make_build(project)
    out, _ = done.communicate(timeout=600)
    assert done.returncode == 0, out[-3000:]
    assert "cleared a Snakemake lock left by a build that was stopped" in out
    assert figure_diff.compare(ROOT / "figures", project / "figures", OUTPUTS) == []
    assert not list((project / "figures").glob(".*.tmp")) and not list((project / "data" / "processed").glob(".*.tmp"))


def test_two_builds_at_once_the_second_waits(project):
    (project / ERRATA).touch()  # give the first build real work
    first = make_build(project)
    wait_for(lambda: build_lock_held(project) or first.poll() is not None, "the first build to start")
    second = make_build(project)
    out1, _ = first.communicate(timeout=600)
    out2, _ = second.communicate(timeout=600)
    assert first.returncode == 0 and second.returncode == 0, out1[-2000:] + out2[-2000:]
    assert "another build is running in this folder; waiting for it to finish" in out2
    assert "nothing to do: every output is up to date" in out2
    assert figure_diff.compare(ROOT / "figures", project / "figures", OUTPUTS) == []
    # what a person reads: one screen, progress and a summary with the reproduction verdict
    lines = out1.splitlines()
    assert len(lines) <= 40, out1
    assert any(re.fullmatch(r"\s*\d+/\d+ jobs done \(100%\)", ln) for ln in lines), out1
    assert re.search(r"^reproduction: (\d+) of \1 printed cells match", out1, re.M), out1


def test_a_direct_snakemake_run_is_not_broken_by_make_all(project, tmp_path):
    """`make all` started while a direct `snakemake` run works in the same folder waits for it
    instead of clearing its lock (issue 17)."""
    (project / ERRATA).touch()
    log = (tmp_path / "direct.log").open("w")
    direct = subprocess.Popen(snakemake_cmd(), cwd=project, env=build_env(project), stdout=log, stderr=log)
    locks = project / ".snakemake" / "locks"
    wait_for(lambda: (locks.is_dir() and any(locks.iterdir())) or direct.poll() is not None, "the direct run's lock")
    assert direct.poll() is None, "the direct run finished before make started"
    made = make_build(project)
    out_make, _ = made.communicate(timeout=600)
    direct.wait(timeout=600)
    log.close()
    assert direct.returncode == 0, (tmp_path / "direct.log").read_text()[-3000:]
    assert made.returncode == 0, out_make[-3000:]
    assert f"waiting for Snakemake (pid {direct.pid})" in out_make
    assert "cleared a Snakemake lock" not in out_make
    assert figure_diff.compare(ROOT / "figures", project / "figures", OUTPUTS) == []


def test_broken_raw_file_stops_the_build_and_keeps_outputs(project):
    before = tree_digest(project)
    raw = project / "data/raw/thesis_table_03_cpi.csv"
    keep = raw.read_bytes()
    raw.write_bytes(keep.replace(b"Kazakhstan,2.7", b"Kazakhstan,11"))
    env = build_env(project)
    subprocess.run(
        [sys.executable, "-m", "oss_analysis.pipeline.cli", "datapackage"], env=env, check=True, capture_output=True
    )
    error = "error: data/raw/thesis_table_03_cpi.csv, line 6, column 'cpi_score': must be <= 10 (got 11.0)"
    proc = run_build(project, check=False)  # Snakemake itself shows the failed job's log
    assert proc.returncode != 0
    assert error in proc.stdout + proc.stderr
    made = make_build(project)  # `make all`: the job's log named, the one-line error last
    out, _ = made.communicate(timeout=600)
    lines = [ln for ln in out.splitlines() if not re.match(r"make(\[\d+\])?: \*\*\*", ln)]
    assert made.returncode != 0
    assert lines[-1] == error, out
    assert "failed job's log: build/logs/prepare/cpi_2009.log" in out
    assert len(lines) <= 40, out
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
    (project / ERRATA).touch()
    env = build_env(project)
    snake = snakemake_cmd()
    proc = subprocess.run([*NO_NET, *snake], cwd=project, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "notebook_reproduction_report" in proc.stdout + proc.stderr
    run = subprocess.run(
        [
            *NO_NET,
            sys.executable,
            "-m",
            "oss_analysis.pipeline.cli",
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
