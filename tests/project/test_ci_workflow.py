"""The hosted CI workflow runs the README's commands and is valid for GitHub Actions: actionlint
(its binary ships inside a wheel, so this runs offline) passes on it and fails on a broken copy."""

import subprocess
import sys
from pathlib import Path

import yaml
from conftest import ROOT

ACTIONLINT = Path(sys.executable).with_name("actionlint")
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def actionlint(*files):
    return subprocess.run([str(ACTIONLINT), "-no-color", *map(str, files)], capture_output=True, text=True, cwd=ROOT)


def test_workflow_runs_the_readme_commands_and_uploads_the_reports():
    assert WORKFLOWS, "no workflow in .github/workflows"
    flow = yaml.safe_load(WORKFLOWS[0].read_text())
    steps = [s for job in flow["jobs"].values() for s in job["steps"]]
    runs = "\n".join(s.get("run", "") for s in steps)
    for command in ("make all", "make test", "make lint", "make site", "make diff", "chromium-driver"):
        assert command in runs
    uploads = {s["with"]["path"] for s in steps if s.get("uses", "").startswith("actions/upload-artifact")}
    assert uploads == {"build/site", "build/figure-diff"}
    assert all(s.get("if") == "always()" for s in steps if s.get("uses", "").startswith("actions/upload-artifact"))


def test_actionlint_passes_on_the_workflow():
    proc = actionlint(*WORKFLOWS)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path):
    broken = tmp_path / ".github" / "workflows" / "ci.yml"
    broken.parent.mkdir(parents=True)
    broken.write_text(WORKFLOWS[0].read_text().replace("runs-on: ubuntu-24.04", "runs-on: ${{ matrix.os }}"))
    proc = subprocess.run([str(ACTIONLINT), "-no-color", str(broken)], capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 1 and "matrix" in proc.stdout, proc.stdout


def test_make_test_collects_every_test_file():
    """`make test`'s own paths collect every tests/**/test_*.py: pytest's default norecursedirs
    holds "build" and once skipped all of tests/build/ without a word."""
    make = (ROOT / "Makefile").read_text()
    command = next(line for line in make.splitlines() if "-m pytest" in line and "nbval" in line)
    paths = command.split("--nbval-current-env", 1)[1].split()
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *paths],
        capture_output=True, text=True, cwd=ROOT,
    ).stdout
    collected = {line.split("::")[0] for line in out.splitlines() if "::" in line}
    wanted = {p.relative_to(ROOT).as_posix() for p in (ROOT / "tests").rglob("test_*.py")}
    assert wanted - collected == set()
    assert any(p.startswith("tests/build/") for p in collected)
