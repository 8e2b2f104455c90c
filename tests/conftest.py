"""Shared fixtures. Imported before nbval starts any kernel, so the output-folder variable set
here reaches every notebook the tests execute: tests never write into figures/."""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_SCRATCH = Path(tempfile.mkdtemp(prefix="oss-tests-"))
atexit.register(shutil.rmtree, _SCRATCH, ignore_errors=True)
os.environ["OSS_ANALYSIS_OUTPUT_DIR"] = str(_SCRATCH / "nbval-outputs")

IGNORE = shutil.ignore_patterns(".venv", "build", ".snakemake", ".git", "__pycache__", ".pytest_cache", ".ruff_cache")


def seeds_dir() -> Path | None:
    env = os.environ.get("OSS_SEEDS_DIR")
    for cand in ([Path(env)] if env else []) + [
        ROOT.parent / "shared" / "seeds",
        ROOT.parent.parent / "shared" / "seeds",
    ]:
        if (cand / "004_2afbd09316cb29ad.txt").exists():
            return cand
    return None


@pytest.fixture(scope="session")
def seeds() -> Path:
    found = seeds_dir()
    if found is None:
        pytest.skip(
            "the seed texts (shared/seeds) are not beside this checkout; set OSS_SEEDS_DIR to check against them"
        )
    return found


def copy_project(dest: Path) -> Path:
    shutil.copytree(ROOT, dest, ignore=IGNORE)
    return dest


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    """A private copy of the project tree; the package's paths point at it for this test."""
    copy = copy_project(tmp_path / "project")
    monkeypatch.setenv("OSS_ANALYSIS_ROOT", str(copy))
    return copy


def snakemake_cmd(*extra: str) -> list[str]:
    """The build graph command `make all` runs (same flags), for a project copy."""
    return [
        str(Path(sys.executable).with_name("snakemake")),
        "--snakefile",
        "workflow/Snakefile",
        "--cores",
        "2",
        "--max-checksum-file-size",
        "0",
        "--rerun-incomplete",
        "--show-failed-logs",
        *extra,
    ]


def run_build(project_dir: Path, *extra: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run the build graph in a project copy exactly as `make all` does (same flags)."""
    env = dict(os.environ, OSS_ANALYSIS_ROOT=str(project_dir))
    env.pop("OSS_ANALYSIS_OUTPUT_DIR", None)
    proc = subprocess.run(snakemake_cmd(*extra), cwd=project_dir, env=env, capture_output=True, text=True)
    if check and proc.returncode != 0:
        raise AssertionError(f"build failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}")
    return proc
