"""Shared fixtures. Imported before nbval starts any kernel, so the output-folder variable set
here reaches every notebook the tests execute: tests never write into figures/."""

from __future__ import annotations

import atexit
import json
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

@pytest.fixture
def chart_theme():
    """Draw in the project's theme, in matplotlib settings of the test's own, and close its figures after."""
    import matplotlib
    import matplotlib.pyplot as plt

    from oss_analysis.output import style

    with matplotlib.rc_context():
        style.set_theme()
        yield
    plt.close("all")


IGNORE = shutil.ignore_patterns(".venv*", "build", ".snakemake", ".git", "__pycache__", ".pytest_cache", ".ruff_cache")


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


def _untracked_outputs() -> set[Path]:
    """What git does not track under figures/ (a country run's folder, figures/GEO/, as one entry):
    not the project's, and a build of a copy would refuse it as a foreign output."""
    cmd = ["git", "ls-files", "--others", "--directory", "-z", "figures"]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True)
    return {ROOT / f.rstrip("/") for f in proc.stdout.decode().split("\0") if f} if proc.returncode == 0 else set()


def copy_project(dest: Path) -> Path:
    """A copy of the checkout without its build, its venvs or untracked outputs."""
    untracked = _untracked_outputs()

    def ignore(folder: str, names: list[str]) -> set[str]:
        return set(IGNORE(folder, names)) | {n for n in names if Path(folder) / n in untracked}

    shutil.copytree(ROOT, dest, ignore=ignore)
    return dest


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    """A private copy of the project tree; the package's paths point at it for this test."""
    copy = copy_project(tmp_path / "project")
    monkeypatch.setenv("OSS_ANALYSIS_ROOT", str(copy))
    return copy


def spaceless(path: Path) -> Path:
    """``path``, or a symlink to it in a fresh temporary folder when it holds a space: make variables
    and the job scripts of Snakemake's SLURM executor split on spaces (the checkout itself may hold
    one; the README's commands do not pass such paths)."""
    if " " not in str(path):
        return path
    link = Path(tempfile.mkdtemp(prefix="oss-nospace-")) / path.name
    link.symlink_to(path)
    return link


def snakemake_cmd(*extra: str) -> list[str]:
    """The build graph command `make all` runs, for a project copy (its other flags come from
    workflow/profiles/default, which Snakemake reads by itself)."""
    snakemake = str(Path(sys.executable).with_name("snakemake"))
    return [snakemake, "--snakefile", "workflow/Snakefile", "--cores", "2", *extra]


def build_env(project_dir: Path) -> dict[str, str]:
    env = dict(os.environ, OSS_ANALYSIS_ROOT=str(project_dir))
    env.pop("OSS_ANALYSIS_OUTPUT_DIR", None)
    return env


def run_build(project_dir: Path, *extra: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run the build graph in a project copy as `make all` does."""
    proc = subprocess.run(
        snakemake_cmd(*extra), cwd=project_dir, env=build_env(project_dir), capture_output=True, text=True
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"build failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}")
    return proc


# One clean build per test run: every test that reads a build reads this tree, and every test that
# changes something starts from a copy of it, so that it pays an incremental rebuild, not a clean
# one. Under xdist the controller starts the build at once in the background, while the workers
# run the tests that need no build; whoever needs the tree first waits for it (a file lock).
_BUILT = "built-once"
_SHARED_ENV = "OSS_TESTS_BUILT_ONCE"
_HEAVY = ("build", ".ipynb", "notebooks")
_NOT_COPIED = {".snakemake/locks", "build/site", "build/site-screenshots", "build/failed"}


def build_once(shared: Path) -> tuple[Path, str]:
    """Build a copy of the project in ``shared`` unless that was done already; (project, log)."""
    import fcntl

    project, log, failed = shared / _BUILT / "project", shared / _BUILT / "build.log", shared / _BUILT / "failed.log"
    project.parent.mkdir(parents=True, exist_ok=True)
    with (shared / f"{_BUILT}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not log.exists() and not failed.exists():
            shutil.rmtree(project, ignore_errors=True)
            copy_project(project)
            proc = run_build(project, check=False)
            (log if proc.returncode == 0 else failed).write_text(proc.stdout + proc.stderr)
    if failed.exists():
        raise AssertionError(f"the clean build failed:\n{failed.read_text()[-5000:]}")
    return project, log.read_text()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests under tests/build/ and the notebooks nbval executes build the project: marked ``build``,
    so that ``pytest -m "not build"`` runs the unit tests alone."""
    build = ROOT / "tests" / "build"
    for item in items:
        path = Path(str(item.path))
        if path.suffix == ".ipynb" or build in path.parents:
            item.add_marker(pytest.mark.build)


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    """In the xdist controller, when build tests are among those run, start the build now."""
    cfg = session.config
    if os.environ.get("PYTEST_XDIST_WORKER") or not getattr(cfg.option, "numprocesses", None):
        return
    if "not build" in (cfg.option.markexpr or ""):
        return
    if not any(Path(a).name == "tests" or any(h in a for h in _HEAVY) for a in map(str, cfg.args)):
        return
    shared = _SCRATCH / "shared"
    shared.mkdir()
    os.environ[_SHARED_ENV] = str(shared)  # the workers, started after this hook, inherit it
    cfg.stash[_BACKGROUND] = subprocess.Popen([sys.executable, __file__, str(shared)], cwd=ROOT)


_BACKGROUND = pytest.StashKey[subprocess.Popen]()


def pytest_sessionfinish(session: pytest.Session) -> None:
    proc = session.config.stash.get(_BACKGROUND, None)
    if proc is not None and proc.poll() is None:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="session")
def built_tree(tmp_path_factory) -> tuple[Path, str]:
    """(project, build log) of the one clean build of this test run. Read it, never change it."""
    shared = os.environ.get(_SHARED_ENV)
    return build_once(Path(shared) if shared else tmp_path_factory.getbasetemp())


@pytest.fixture
def built(built_tree) -> Path:
    """The built tree, read-only."""
    return built_tree[0]


def copy_built(source: Path, copy: Path) -> Path:
    """A copy of a built tree, modification times kept (so nothing is out of date); the run-time
    leftovers (locks, the site) are not copied."""

    def ignore(folder: str, names: list[str]) -> list[str]:
        rel = Path(folder).relative_to(source)
        return [n for n in names if (rel / n).as_posix() in _NOT_COPIED]

    shutil.copytree(source, copy, symlinks=True, ignore=ignore)
    return copy


@pytest.fixture
def built_copy(built_tree, tmp_path, monkeypatch) -> Path:
    """A private copy of the built tree; the package's paths point at it for this test."""
    copy = copy_built(built_tree[0], tmp_path / "project")
    monkeypatch.setenv("OSS_ANALYSIS_ROOT", str(copy))
    return copy



# The country runs every claims check reads, built once per test run like the clean build (a file
# lock in the same shared folder): a student adds Armenia from the publishers' files, then builds
# Kyrgyzstan (in every table), Armenia (an addition) and Moldova in one run, in parallel; Moldova and
# Ukraine for 2022 (TI scored 180 entities, Kosovo among them) are built into the same tree
# afterwards. Read it, never change it.
COUNTRY_RUNS = ("KGZ", "ARM", "MDA", "MDA_2022", "UKR_2022")


def _top_files(project: Path) -> dict[str, str]:
    """Every file directly under figures/ (the default build's), by name -> sha256."""
    import hashlib

    files = sorted(p for p in (project / "figures").iterdir() if p.is_file())
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def countries_once(built: Path, shared: Path) -> tuple[Path, str]:
    """(project, build log) of the country runs, built in a copy of the built tree unless done."""
    import fcntl

    here = shared / "countries"
    project, log, failed = here / "project", here / "build.log", here / "failed.log"
    project.parent.mkdir(parents=True, exist_ok=True)
    with (shared / "countries.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not log.exists() and not failed.exists():
            shutil.rmtree(project, ignore_errors=True)
            copy_built(built, project)
            out, top = [], {"before": _top_files(project)}
            for kind, name in (("wgi", "wgi/wgi_2024_release_long.csv"), ("cpi", "cpi/CPI2009.csv")):
                cmd = [sys.executable, "-m", "oss_analysis.pipeline.cli", "add-country-data", kind]
                cmd += [str(ROOT / "data" / "sources" / name), "--countries", "ARM"]
                proc = subprocess.run(cmd, env=build_env(project), capture_output=True, text=True)
                out.append(proc.stdout + proc.stderr)
            proc = run_build(project, check=False)  # the default build, after the addition
            out.append(proc.stdout + proc.stderr)
            top["after"] = _top_files(project)
            (here / "top.json").write_text(json.dumps(top))
            for args in (["country=KGZ ARM MDA"], ["country=MDA UKR", "year=2022"]):
                proc = run_build(project, "--config", *args, check=False)
                out.append(proc.stdout + proc.stderr)
                if proc.returncode != 0:
                    failed.write_text("".join(out))
                    break
            else:
                log.write_text("".join(out))
    if failed.exists():
        raise AssertionError(f"the country runs failed:\n{failed.read_text()[-5000:]}")
    return project, log.read_text()


@pytest.fixture(scope="session")
def countries_built(built_tree, tmp_path_factory) -> tuple[Path, str]:
    """(project, log) of the country runs KGZ, ARM (added from the publishers' files), MDA, and MDA and UKR 2022."""
    shared = os.environ.get(_SHARED_ENV)
    return countries_once(built_tree[0], Path(shared) if shared else tmp_path_factory.getbasetemp())


def committed_charts() -> list[str]:
    """The stem of every chart the default build publishes."""
    from oss_analysis import notebook_specs

    outputs = [o for nb in notebook_specs.notebooks().values() for o in nb.outputs]
    return [o.removesuffix(".png") for o in outputs if o.endswith(".png")]


@pytest.fixture
def fresh_caches():
    """The data packages and the country tables read afresh before and after the test (tests that
    edit them in a project copy: ``pytestmark = pytest.mark.usefixtures("fresh_caches")``)."""
    from oss_analysis import countries
    from oss_analysis.extract import datapackage

    datapackage.cache_clear()
    countries.cache_clear()
    yield
    datapackage.cache_clear()
    countries.cache_clear()


def one_line(exc_info: pytest.ExceptionInfo[BaseException]) -> str:
    """The error's message, which must be one line."""
    message = str(exc_info.value)
    assert "\n" not in message, message
    return message


def edit(project: Path, rel: str, transform) -> None:  # noqa: ANN001
    """Rewrite a text file of a project copy through ``transform``."""
    path = project / rel
    path.write_text(transform(path.read_text(encoding="utf-8")), encoding="utf-8")


if __name__ == "__main__":  # the controller's background build: python tests/conftest.py SHARED_DIR
    build_once(Path(sys.argv[1]))
