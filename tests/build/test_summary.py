"""The build's closing lines count what a reviewer needs, and a changed transcription shows there:
edited in a project copy and rebuilt, the summary names the cell, not only a CSV."""

from __future__ import annotations

import subprocess
import sys

from conftest import build_env, copy_built, edit

RAW = "data/raw/thesis_table_02_wgi.csv"


def make_all(project):
    cmd = [sys.executable, "-m", "oss_analysis.pipeline.run_graph", "--snakefile", "workflow/Snakefile", "--cores", "2"]
    proc = subprocess.run(cmd, cwd=project, env=build_env(project), capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout


def test_a_changed_transcription_shows_in_the_builds_summary(built_tree, tmp_path):
    project = copy_built(built_tree[0], tmp_path / "project")
    before = make_all(project)
    assert "nothing to do" in before and "with no erratum" not in before and " do not:" not in before
    # Kazakhstan's Government Effectiveness as if mistyped (39 printed), the checksum refreshed
    edit(project, RAW, lambda t: t.replace("\nKazakhstan,19,64,39,", "\nKazakhstan,19,64,93,"))
    cli = [sys.executable, "-m", "oss_analysis.pipeline.cli", "datapackage"]
    subprocess.run(cli, cwd=project, env=build_env(project), check=True, capture_output=True)
    after = make_all(project)
    said = [ln for ln in after.splitlines() if ln.startswith("against the publishers:")]
    named = "1 differs with no erratum: Table 2 KAZ wgi_GE_percentile_rank 2008 (printed 93)"
    assert len(said) == 1 and named in said[0], after
    # the text repeats that value (line 263): the check of the text against Table 2 fails, named
    check = "1 does not: Text vs Table 2: every WGI value the text repeats (expected 20 values equal, observed 19 "
    check += "equal)"
    assert any(ln.startswith("consistency: ") and check in ln for ln in after.splitlines()), after
