"""Issue 23, causes 4 and 6: hand runs never touch the build, the build publishes only its own
outputs, and what matters reaches the screen. Each case ends with rc != 0 and a one-line error
naming the right file, or with outputs equal to a clean build."""

import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, build_env, spaceless

from oss_analysis import notebook_specs
from oss_analysis.review import figure_diff

OUTPUTS = sorted(o for nb in notebook_specs.notebooks().values() for o in nb.outputs)
BIN = Path(sys.executable).parent
BUILD_PLACES = ("figures", "build/notebooks", "build/stage", "build/manifest", "data/processed")


def digest(project, places=BUILD_PLACES):
    """Every file of the build's own places, by path: what a hand run must leave alone."""
    return {
        p.relative_to(project).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for place in places
        for p in sorted((project / place).rglob("*"))
        if p.is_file()
    }


def make_all(project, *args, env=None):
    """What `make all` runs: the build graph and its screen."""
    cmd = [sys.executable, "-m", "oss_analysis.pipeline.run_graph", "--snakefile", "workflow/Snakefile", "--cores", "2"]
    return subprocess.run([*cmd, *args], cwd=project, env=env or build_env(project), capture_output=True, text=True)


def cli(project, *args):
    cmd = [sys.executable, "-m", "oss_analysis.pipeline.cli", *args]
    return subprocess.run(cmd, cwd=project, env=build_env(project), capture_output=True, text=True)


def errors(proc):
    return [ln for ln in (proc.stdout + proc.stderr).splitlines() if ln.startswith("error: ")]


def assert_clean_build(project, proc):
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert figure_diff.compare(ROOT / "figures", project / "figures", OUTPUTS) == []


# --- 4. hand runs write only to build/scratch/ or their own folder -----------------------------


def test_a_hand_run_with_other_parameters_is_never_published(built_copy, tmp_path):
    """The issue's case: a hand run for Georgia, then `make all`, published Georgia as the
    default outputs and said "264 of 264"."""
    before = digest(built_copy)
    run = cli(built_copy, "run", "governance", "-p", "focus_country=GEO", "-p", "publisher_values=true")
    assert run.returncode == 0, run.stderr[-3000:]
    scratch = built_copy / "build" / "scratch" / "governance"
    assert (scratch / "governance.ipynb").exists() and (scratch / "thesis_table_02.csv").exists()
    # the README's own example, into a folder outside the checkout
    kgz = cli(built_copy, "run", "governance", "-p", "focus_country=KGZ", "--output-dir", str(tmp_path / "kgz"))
    assert kgz.returncode == 0, kgz.stderr[-3000:]
    assert (tmp_path / "kgz" / "governance.ipynb").exists() and (tmp_path / "kgz" / "thesis_table_02.csv").exists()
    assert digest(built_copy) == before
    build = make_all(built_copy)
    assert_clean_build(built_copy, build)
    assert "nothing to do: every output is up to date" in build.stdout


@pytest.mark.parametrize(
    "option, target",
    [
        ("--output-dir", "figures"),
        ("--output-dir", "build/stage/governance"),
        ("--output-dir", "build/notebooks"),
        ("--output-dir", "data/processed"),
        ("--executed", "build/notebooks/governance.ipynb"),
        ("--executed", "notebooks/governance.ipynb"),
    ],
)
def test_a_hand_run_into_the_builds_places_is_refused(built_copy, option, target):
    before = digest(built_copy, (*BUILD_PLACES, "notebooks"))
    proc = cli(built_copy, "run", "governance", "-p", "focus_country=GEO", option, target)
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == [
        f"error: {option} {target}: a hand run writes only to build/scratch/ or outside the checkout; "
        "figures/ and the rest of build/ are the build's (make all)"
    ]
    assert digest(built_copy, (*BUILD_PLACES, "notebooks")) == before


def papermill(project, tmp_path, *params):
    cmd = [str(BIN / "papermill"), "notebooks/satisfaction.ipynb", str(tmp_path / "nb.ipynb"), "-k", "oss-analysis"]
    return subprocess.run([*cmd, *params], cwd=project, env=build_env(project), capture_output=True, text=True)


@pytest.mark.parametrize(
    "params, message",
    [
        (["-p", "output_dir", "figures"], "parameter 'output_dir' must be a folder outside figures/ (only the build "
         "publishes there), or None for build/scratch/ (got 'figures')"),
        (["-p", "output_dir", "figures/mine"], "parameter 'output_dir' must be a folder outside figures/"),
        (["-p", "end_year", "2021.5"], "parameter 'end_year' expects int (a year from 1900 to 2100), got 2021.5"),
        (["-p", "start_year", "1800"], "parameter 'start_year' must be a year from 1900 to 2100 (got 1800)"),
    ],
)
def test_papermill_by_hand_with_a_bad_parameter_is_one_line(built_copy, tmp_path, params, message):
    """papermill's traceback and the kernel's came before the one-line error (issue 23)."""
    before = digest(built_copy)
    proc = papermill(built_copy, tmp_path, *params)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr + proc.stdout
    assert errors(proc) == [errors(proc)[0]] and errors(proc)[0].startswith(
        f"error: notebooks/satisfaction.ipynb: {message}"
    ), proc.stderr[-2000:]
    assert proc.stderr.strip().splitlines()[-1] == errors(proc)[0]
    assert digest(built_copy) == before


# --- 4. the build publishes only its own outputs -----------------------------------------------


def test_a_foreign_stage_is_run_again_before_it_is_published(built_copy):
    """papermill or a copy into build/stage/ (as the old hand runs did): the publish job finds the
    staged bytes are not what its own run recorded, runs the notebook again, then publishes."""
    staged = built_copy / "build" / "stage" / "governance" / "thesis_table_02.csv"
    staged.write_text(staged.read_text().replace("Kazakhstan", "Georgia"))
    proc = make_all(built_copy)
    assert_clean_build(built_copy, proc)
    assert (
        "build/stage/governance/thesis_table_02.csv is not what the build's run of governance wrote "
        "(sha256 recorded in build/manifest/governance.json); notebook governance ran again"
    ) in proc.stdout.splitlines()


def test_a_foreign_stage_is_refused_by_a_publish_by_hand(built_copy):
    staged = built_copy / "build" / "stage" / "governance" / "thesis_table_02.csv"
    staged.write_text("foreign\n")
    before = digest(built_copy, ("figures",))
    proc = cli(built_copy, "publish", "governance")
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == [
        "error: build/stage/governance/thesis_table_02.csv: is not what the build's run of governance wrote "
        "(sha256 recorded in build/manifest/governance.json); not published (make all runs it again)"
    ]
    assert digest(built_copy, ("figures",)) == before


def test_a_foreign_parameter_in_the_record_is_refused(built_copy):
    import json

    entry = built_copy / "build" / "manifest" / "governance.json"
    record = json.loads(entry.read_text())
    record["parameters"]["focus_country"] = "GEO"
    entry.write_text(json.dumps(record))
    proc = cli(built_copy, "publish", "governance")
    assert proc.returncode == 1
    line = proc.stderr.strip().splitlines()
    assert len(line) == 1 and line[0].startswith(
        "error: build/manifest/governance.json: notebook governance ran with {"
    ) and "'focus_country': 'GEO'" in line[0] and "not the build's parameters {" in line[0]


def test_a_foreign_output_in_figures_is_published_again(built_copy):
    """A file copied over a published output is newer than its stage: Snakemake alone would keep it."""
    published = built_copy / "figures" / "thesis_table_02.csv"
    published.write_text(published.read_text().replace("Kazakhstan", "Georgia"))
    proc = make_all(built_copy)
    assert_clean_build(built_copy, proc)
    assert "figures/thesis_table_02.csv was not the build's own output: published again" in proc.stdout


@pytest.mark.parametrize("name", ["governance_extra.png", "wgi_2008_groups_GEO.data.csv"])
def test_a_foreign_file_in_figures_is_refused(built_copy, name):
    (built_copy / "figures" / name).write_text("left by a hand run\n")
    before = digest(built_copy)
    proc = make_all(built_copy)
    assert proc.returncode == 1
    assert proc.stdout.strip().splitlines()[-1] == (
        f"error: figures/{name}: not an output of the build; move it out of figures/ or delete it "
        "(hand runs write to build/scratch/)"
    )
    assert "Traceback" not in proc.stdout
    assert digest(built_copy) == before
    (built_copy / "figures" / name).unlink()
    assert "nothing to do" in make_all(built_copy).stdout


# --- 6. what matters reaches the screen --------------------------------------------------------


def test_a_skipped_country_is_a_line_of_the_summary(built_copy):
    proc = make_all(built_copy, "--config", "country=GEO ATA", "-n")
    assert proc.returncode == 0, proc.stdout[-3000:]
    skipped = [ln for ln in proc.stdout.splitlines() if ln.startswith("skipped ")]
    assert skipped == ["skipped COUNTRY=ATA (Antarctica): no table holds this country, so nothing can be built"]


def in_namespace(*mounts):
    """A command prefix that runs in a private mount namespace after the given mount commands."""
    script = "; ".join([*mounts, 'exec "$@"'])
    return ["unshare", "-rm", "sh", "-c", script, "sh"]


def _unshare_mounts():
    return shutil.which("unshare") is not None and subprocess.run(
        ["unshare", "-rm", "mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", "/mnt"], capture_output=True
    ).returncode == 0


needs_mounts = pytest.mark.skipif(not _unshare_mounts(), reason="needs `unshare -rm` and mount (util-linux)")


@needs_mounts
def test_a_read_only_figures_folder_is_one_line_with_the_jobs_log(built_copy):
    (built_copy / "build" / "stage" / "satisfaction" / "satisfaction_trend.png").touch()  # publish runs again
    before = digest(built_copy, ("figures",))
    figures = built_copy / "figures"
    cmd = in_namespace(f"mount --bind {figures} {figures}", f"mount -o remount,ro,bind {figures}")
    proc = subprocess.run(
        [*cmd, sys.executable, "-m", "oss_analysis.pipeline.run_graph", "--snakefile", "workflow/Snakefile",
         "--cores", "2"],
        cwd=built_copy, env=build_env(built_copy), capture_output=True, text=True,
    )
    assert proc.returncode == 1
    lines = proc.stdout.strip().splitlines()
    # Snakemake finds it before the job runs (its ProtectedOutputException), in whichever publish
    # rule it reaches first (the satisfaction notebook's or the report's that reads it)
    assert lines[0] == "full log: build/logs/snakemake.log" and len(lines) == 2, lines
    assert re.fullmatch(
        r"error: figures/\S+ \(and \d+ more\): Write-protected output files for rule (publish_\w+) "
        r"\(ProtectedOutputException in rule \1\); make them writable and run again", lines[1]
    ), lines[1]
    assert "Traceback" not in proc.stdout + proc.stderr
    assert digest(built_copy, ("figures",)) == before


@needs_mounts
def test_a_full_disk_is_one_line_naming_it(built_copy):
    build = built_copy / "build"
    cmd = in_namespace(f"mount -t tmpfs -o size=1m tmpfs {build}", f"dd if=/dev/zero of={build}/fill bs=4k 2>/dev/null")
    proc = subprocess.run(
        [*cmd, sys.executable, "-m", "oss_analysis.pipeline.run_graph", "--snakefile", "workflow/Snakefile"],
        cwd=built_copy, env=build_env(built_copy), capture_output=True, text=True,
    )
    assert proc.returncode == 1
    assert proc.stdout.strip().splitlines() == [
        f"error: no space left on the disk holding build (mounted at {build}, 0 MB free); free some space and run again"
    ]


@needs_mounts
def test_a_full_disk_during_set_up_is_one_line_naming_it(tmp_path):
    """A checkout on a disk with no room left: `make setup` says so in one line before anything."""
    source, small = tmp_path / "source", tmp_path / "small"
    source.mkdir()
    small.mkdir()
    for part in ("Makefile", "pyproject.toml", "requirements", "src"):
        (shutil.copytree if (ROOT / part).is_dir() else shutil.copy2)(ROOT / part, source / part)
    cmd = in_namespace(f"mount -t tmpfs -o size=8m tmpfs {small}", f"cp -a {source}/. {small}/",
                       f"dd if=/dev/zero of={small}/fill bs=4k 2>/dev/null", f"cd {small}")
    python = spaceless(Path(sys.executable).parents[1]) / "bin" / "python"
    proc = subprocess.run([*cmd, "make", "--no-print-directory", "setup", f"PYTHON={python}"],
                          capture_output=True, text=True, env=dict(os.environ, MAKEFLAGS=""))
    assert proc.returncode != 0
    assert proc.stderr.strip().splitlines()[0] == (
        f"error: no space left on the disk holding .venv (mounted at {small}, 0 MB free); free some space and run again"
    ), proc.stderr
    assert "ensurepip" not in proc.stdout + proc.stderr


def test_an_unwritable_home_is_one_line(built_copy):
    env = dict(build_env(built_copy), HOME="/proc/1/no-home", XDG_CACHE_HOME="")
    proc = make_all(built_copy, env=env)
    assert proc.returncode == 1
    lines = proc.stdout.strip().splitlines()
    assert lines[-2:] == [
        "full log: build/logs/snakemake.log",
        "error: FileNotFoundError: [Errno 2] No such file or directory: '/proc/1/no-home'; "
        "HOME (/proc/1/no-home) must be a writable folder",
    ], proc.stdout
    assert "Traceback" not in proc.stdout + proc.stderr


# --- 5. a copied clone's .venv never runs against the original ----------------------------------


def test_a_copied_clones_venv_is_refused_in_one_line(built, tmp_path):
    """`cp -a` of a built clone, then the copy's own .venv/bin/oss-build or python: both would run
    the original's package and write there. (The copy's .venv is hard links to this one's.)"""
    copy = tmp_path / "copy"
    shutil.copytree(built, copy, symlinks=True)
    venv = BIN.parent
    assert (venv / ".checkout").is_file(), "run the tests from a venv made by `make setup`"
    subprocess.run(["cp", "-al", str(venv), str(copy / ".venv")], check=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("OSS_ANALYSIS_")}
    before = digest(ROOT, ("figures", "build/scratch"))
    runs = [
        [str(copy / ".venv/bin/oss-build"), "run", "satisfaction"],
        [str(copy / ".venv/bin/python"), "-m", "oss_analysis.pipeline.cli", "run", "satisfaction"],
        [str(copy / ".venv/bin/python"), "-m", "oss_analysis.pipeline.run_graph", "--snakefile", "workflow/Snakefile"],
        [str(copy / ".venv/bin/snakemake"), "--snakefile", "workflow/Snakefile", "--cores", "1"],
    ]
    for argv in runs:
        proc = subprocess.run(argv, cwd=copy, env=env, capture_output=True, text=True)
        assert proc.returncode != 0, argv
        said = errors(proc)
        assert len(said) == 1 and "run `make setup` in" in said[0] and "nothing was written" in said[0], proc.stderr
        assert "Traceback" not in proc.stdout + proc.stderr
    assert digest(ROOT, ("figures", "build/scratch")) == before
