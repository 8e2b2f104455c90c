"""Make variables are data, never code: a value that could reach a recipe's shell is checked by
make itself, before any shell runs, and a bad one stops with one line naming the variable."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT

INJECTIONS = ['GEO"; echo INJECTED > injected; echo "', "$(shell echo INJECTED > injected)", "GEO`touch injected`"]


def _make(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The project's Makefile alone in an empty folder: if a check failed, the recipe's shell would
    run there (and its python would not even exist), so an injected command would leave a file."""
    shutil.copy(ROOT / "Makefile", tmp_path / "Makefile")
    return subprocess.run(["make", "--no-print-directory", *args], cwd=tmp_path, capture_output=True, text=True)


@pytest.mark.parametrize("value", INJECTIONS)
@pytest.mark.parametrize(("target", "variable"), [("build", "COUNTRY"), ("build", "YEAR"), ("build", "JOBS"),
                                                  ("test", "PYTEST_WORKERS"), ("badges", "REPO")])
def test_an_injected_command_runs_nothing(tmp_path, target, variable, value):
    proc = _make(tmp_path, target, "SKIP_SETUP=1", f"{variable}={value}")
    assert proc.returncode != 0
    assert not (tmp_path / "injected").exists()
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and f"{variable}=" in lines[0], proc.stderr


def test_good_values_reach_the_build_as_config(tmp_path):
    proc = _make(tmp_path, "-n", "build", "SKIP_SETUP=1", "COUNTRY=KGZ, uzb", "YEAR=2022", "JOBS=2")
    assert proc.returncode == 0, proc.stderr
    assert '--cores 2 --config country="KGZ, uzb" year="2022"' in proc.stdout


def test_a_venv_made_for_another_checkout_is_set_up_again(tmp_path):
    """A copied or moved clone: its .venv names the original checkout, so set-up runs again here
    (a fresh venv, --clear) instead of running the original's code; one made here is kept."""
    venv = tmp_path / ".venv"
    venv.mkdir()
    (venv / ".installed").touch()
    (venv / ".checkout").write_text("/somewhere/else")
    for name in ("requirements/build.lock", "requirements/bootstrap.txt", "pyproject.toml"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        shutil.copy(ROOT / name, tmp_path / name)
    moved = _make(tmp_path, "-n", "setup")
    assert "set up for another checkout" in moved.stdout and "-m venv --clear .venv" in moved.stdout
    (venv / ".checkout").write_text(str(tmp_path))
    os.utime(venv / ".installed", (2e9, 2e9))  # newer than the Makefile _make copies in again
    assert "Nothing to be done" in _make(tmp_path, "-n", "setup").stdout
