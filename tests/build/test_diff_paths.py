"""`make diff` works in a project whose path holds a space and a non-ASCII letter (and with such
a temporary folder), and its report names a changed cell by its row and its column."""

import os
import shutil
import subprocess

from conftest import ROOT


def test_make_diff_in_a_path_with_a_space_names_the_cell(tmp_path):
    project = tmp_path / "my clone ü" / "oss analysis"
    shutil.copytree(ROOT, project, ignore=shutil.ignore_patterns(".venv*", "build", ".snakemake", ".git", "*_cache"))
    (project / ".venv").symlink_to(ROOT / ".venv", target_is_directory=True)  # this project's venv
    table = project / "figures" / "thesis_table_03.csv"
    text = table.read_text(encoding="utf-8")
    assert "120,Kazakhstan,2.7\n" in text
    table.write_text(text.replace("120,Kazakhstan,2.7\n", "120,Kazakhstan,2.9\n"), encoding="utf-8")
    tmp = tmp_path / "tmp dir é"
    tmp.mkdir()
    env = dict(os.environ, OSS_ANALYSIS_ROOT=str(project), TMPDIR=str(tmp))
    proc = subprocess.run(  # -o: never reinstall the shared venv from the copy
        ["make", "--no-print-directory", "-o", ".venv/.installed", "diff"],
        cwd=project, env=env, capture_output=True, text=True,
    )
    assert proc.returncode == 2, proc.stdout[-3000:] + proc.stderr[-3000:]  # make's code for a failed recipe
    assert "figures/thesis_table_03.csv line 6, column '2009 CPI score': committed '2.9', rebuilt '2.7'" in proc.stdout
    page = (project / "build" / "figure-diff" / "index.html").read_text(encoding="utf-8")
    assert "<td>Country = Kazakhstan</td><td>2009 CPI score</td><td>2.9</td><td>2.7</td><td>6</td>" in page
    assert not list(tmp.glob("oss-diff-*"))  # the private copy is gone
