"""The code is ruff-clean (same settings as `make lint`)."""

import subprocess
import sys
from pathlib import Path

from conftest import ROOT


def test_ruff_clean():
    ruff = Path(sys.executable).with_name("ruff")
    proc = subprocess.run(
        [str(ruff), "check", "src", "tests", "benchmarks", "notebooks"], cwd=ROOT, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout[-3000:]


def test_snakemake_lint_clean():
    """`snakemake --lint` (part of `make lint`) finds nothing: every rule has a log, no rule reads
    variables from outside it in its shell command."""
    snakemake = Path(sys.executable).with_name("snakemake")
    proc = subprocess.run(
        [str(snakemake), "--snakefile", "workflow/Snakefile", "--lint", "--quiet", "all"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
