"""The graph runs on a SLURM cluster through Snakemake's executor plugin, as the guide says: one
notebook is submitted with sbatch to a one-node SLURM on this machine
(`.ci/slurm` starts one; CI runs it as root) and its outputs are byte-identical to the committed
ones. Skipped where no SLURM answers, or where `make cluster-setup` has not made .venv-cluster."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT, spaceless

from oss_analysis import notebook_specs

NOTEBOOK = "satisfaction"


def _slurm_answers() -> bool:
    if not (shutil.which("sinfo") and shutil.which("sbatch") and shutil.which("squeue")):
        return False
    proc = subprocess.run(["sinfo", "-h", "-o", "%t"], capture_output=True, text=True, timeout=20)
    return proc.returncode == 0 and any(s.startswith(("idle", "mix")) for s in proc.stdout.split())


def _cluster_venv() -> Path:
    """.venv-cluster (build.lock plus cluster.lock), made by `make cluster-setup` at set-up time:
    the test itself installs nothing (no network after install)."""
    venv = ROOT / ".venv-cluster"
    if not (venv / ".installed").exists():
        pytest.skip("no .venv-cluster here: `make cluster-setup` installs requirements/cluster.lock")
    return venv


def test_one_notebook_runs_on_slurm_and_matches_the_committed_outputs(tmp_path):
    if not _slurm_answers():
        pytest.skip("no SLURM answers here (as root: .ci/slurm starts a one-node cluster)")
    venv = spaceless(_cluster_venv())
    project = tmp_path / "project"
    shutil.copytree(ROOT, project, ignore=shutil.ignore_patterns(".venv*", "build", ".snakemake", ".git", "*_cache"))
    outputs = notebook_specs.notebooks()[NOTEBOOK].outputs
    proc = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "snakemake", "--snakefile", "workflow/Snakefile", "--executor", "slurm",
         "--jobs", "2", "--slurm-status-command", "squeue", "--force", f"figures/{outputs[0]}"],
        cwd=project, env=dict(os.environ, OSS_ANALYSIS_ROOT=str(project)), capture_output=True, text=True,
        timeout=1200,
    )
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-4000:]
    assert "submitted with SLURM jobid" in log and f"notebooks/{NOTEBOOK}.ipynb" in log
    for name in outputs:
        assert (project / "figures" / name).read_bytes() == (ROOT / "figures" / name).read_bytes(), name
