"""What the build graph's jobs call: run a notebook into its stage, publish it, copy files; each failure one
line (docs/stages/pipeline.md). Standard library only at import: `make setup` runs its disk check first."""

from __future__ import annotations

import difflib
import errno
import json
import logging
import os
import re
import shutil
import socket
import sys
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, Any

from oss_analysis import paths
from oss_analysis.errors import DataError, ParameterError
from oss_analysis.files import atomic_write, sha256

# The venv's own kernel (`make setup` installs it): a user's "python3" kernelspec cannot stand in.
KERNEL = "oss-analysis"
# A kernel that dies before its first reply ran no cell (two kernels picked one loopback port): retried.
_KERNEL_START_TRIES = 3


class NotebookFailed(RuntimeError):
    """A notebook could not run, failed, or left out a declared output: the one-line reason."""


class JobFailed(RuntimeError):
    """A job of the build graph failed; its message is the job's one-line error."""


EXPECTED = (DataError, ParameterError, NotebookFailed, OSError)  # failures with a one-line reason; others are bugs


def fail(message: str) -> int:
    """``error: <message>`` on stderr; the exit status 1."""
    print(f"error: {message}", file=sys.stderr)
    return 1


def foreign_checkout() -> str | None:
    """Why this process must not run here (its venv or folder is another checkout's: a `cp -a` copy), else None."""
    if os.environ.get(paths.ROOT_ENV):  # a root chosen on purpose (tests, benchmarks)
        return None
    root, cwd = paths.root(), Path.cwd().resolve()
    for venv in (Path(sys.prefix), Path(sys.argv[0]).absolute().parent.parent):
        if (venv / ".checkout").is_file() and venv.parent.resolve() != root:
            return (f"{venv} runs the package of {root}, not of this checkout ({venv.parent}): it was copied with "
                    f"it; run `make setup` in {venv.parent} to give it its own .venv (nothing was written)")
    here = next((d for d in (cwd, *cwd.parents) if (d / "workflow" / "Snakefile").is_file()), root)
    if here != root:
        return (f"this folder belongs to the checkout {here}, but the package runs from {root}: use {here}/.venv "
                f"(run `make setup` there first; nothing was written)")
    return None


def disk_problem(path: Path, need: int = 64 * 2**20) -> str | None:
    """One line naming the disk (its mount point) when less than ``need`` bytes are free, else None."""
    probe = Path(path).absolute()
    while not probe.exists():
        probe = probe.parent
    free = shutil.disk_usage(probe).free
    if free >= need:
        return None
    mount = probe.resolve()
    while not os.path.ismount(mount):
        mount = mount.parent
    return (f"no space left on the disk holding {paths.shown(path)} (mounted at {mount}, {free // 2**20} MB free); "
            "free some space and run again")


def message(exc: Exception) -> str:
    """An expected failure as its one line; an OSError naming the file (relative to the project) and what to do."""
    if not isinstance(exc, OSError):
        return str(exc)
    name = paths.shown(Path(exc.filename)) if exc.filename else ""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return disk_problem(Path(exc.filename or paths.build_dir()), need=2**62) or str(exc)
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        folder = Path(name).parent.as_posix() + "/" if name else "the output folder"
        why = (exc.strerror or "permission denied").lower()
        return f"{folder}: cannot write there ({why}); make it writable and run again"
    return f"{name}: {exc.strerror or exc}" if name else str(exc)


def _unknown(key: str, known: Iterable[str]) -> str:
    """'unknown parameter ...', with the nearest known name when there is one (a typo)."""
    near = difflib.get_close_matches(key, list(known), n=1)
    hint = f" (did you mean {near[0]!r}?)" if near else ""
    return f"unknown parameter {key!r}{hint}; known: {', '.join(sorted(known))}"


def _file_values(path: Path, only: Iterable[str] | None = None) -> dict[str, tuple[Any, str]]:
    """A parameters file's values with file and line; ``only``: a country's file (a key no notebook takes: refused)."""
    from oss_analysis.parameters import SPECS, read_yaml

    values, lines = read_yaml(Path(path))
    where = {k: f"{paths.shown(path)}, line {lines.get(k, 1)}" for k in values}
    if only is not None and (typo := next((k for k in values if k not in SPECS), None)):
        raise ParameterError(f"{where[typo]}: {_unknown(typo, SPECS)}")
    return {k: (v, where[k]) for k, v in values.items() if only is None or k in only}


def _override_values(overrides: list[str]) -> dict[str, tuple[Any, str]]:
    """``-p key=value`` overrides (YAML values), each named as the user typed it."""
    import yaml

    out = {}
    for item in overrides:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise ParameterError(f"-p {item}: expected key=value")
        try:
            out[key.strip()] = (yaml.safe_load(raw), f"-p {item}")
        except yaml.YAMLError as exc:
            raise ParameterError(f"-p {item}: value is not valid YAML: {str(exc).splitlines()[0]}") from None
    return out


def load_params(name: str, param_file: Path | None, overrides: list[str], country: str | None = None) -> dict[str, Any]:
    """Parameters from the notebook's file, the country's and ``-p``, checked; an error names where the value came."""
    import papermill as pm

    from oss_analysis.notebook_specs import notebook
    from oss_analysis.parameters import check_value

    nb = notebook(name)
    declared = pm.inspect_notebook(str(nb.path))
    values = _file_values(param_file or nb.params)
    if country:
        from oss_analysis.pipeline import country_runs

        code, year = country_runs.split_key(country)  # a year run (GEO_2022) reads GEO.yaml; its YEAR= wins
        own = paths.country_params(code)
        from_file = _file_values(own, declared) if own.exists() else {}
        from_file = {k: v for k, v in from_file.items() if year is None or k != "year"}
        defaults = {k: (v, f"COUNTRY={country}") for k, v in country_runs.parameters(country).items() if k in declared}
        values.update(defaults | from_file)
    values.update(_override_values(overrides))
    for key, (value, where) in values.items():
        if key not in declared:
            raise ParameterError(f"{where}: {_unknown(key, declared)} (notebook {name})")
        check_value(key, value, where)  # its type and range: parameters.SPECS, what the notebook checks too
    return {k: v for k, (v, _) in values.items()}


def kernel_problem() -> str | None:
    """Why a kernel cannot start (no usable loopback), found at once instead of after papermill's 60 s."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
            server.bind(("127.0.0.1", 0))
            server.listen(1)
            with socket.create_connection(server.getsockname(), timeout=2):
                pass
    except OSError as exc:
        return (f"cannot start a Jupyter kernel: the loopback interface (127.0.0.1) is not usable "
                f"({exc.strerror or exc}); notebooks need it even without a network")
    return None


def _kernel_error(kernel_log: IO[str], since: int) -> str:
    """The kernel's last ``...Error: ...`` line in its log after ``since`` (its start), or ''."""
    kernel_log.flush()
    with open(kernel_log.name, encoding="utf-8", errors="replace") as fh:
        fh.seek(since)
        said = [ln.strip() for ln in fh if re.match(r"[\w.]*(Error|Exception): ", ln)]
    return said[-1] if said else ""


def _kernel_manager(kernel_log: IO[str] | None, since: int = 0) -> type:
    """papermill's kernel manager, the kernel's output to ``kernel_log``; one that could not bind its sockets
    (``zmq.error``: two kernels took one port) is dead at once, or papermill would wait for it in vain."""
    from jupyter_client.manager import AsyncKernelManager

    class LoggedKernelManager(AsyncKernelManager):
        async def start_kernel(self, **kw: Any) -> None:
            await super().start_kernel(**{"stdout": kernel_log, "stderr": kernel_log, **kw})

        async def _async_is_alive(self) -> bool:
            if self.provisioner and kernel_log and _kernel_error(kernel_log, since).startswith("zmq.error."):
                await self.provisioner.kill()  # not _async_kill_kernel: that asks is_alive again
            return await super()._async_is_alive()

    return LoggedKernelManager


def _execute(nb: Any, tmp: Path, failed: Path, params: dict[str, Any], kernel_log: IO[str] | None) -> None:
    """Run papermill in the notebook's folder without its process-wide ``cwd`` (jobs are threads), a
    failed kernel start retried; a failure raises NotebookFailed, the partial copy kept."""
    import papermill as pm

    for attempt in range(1, _KERNEL_START_TRIES + 1):
        since = kernel_log.tell() if kernel_log else 0
        try:
            pm.execute_notebook(
                str(nb.path), str(tmp), parameters=params, kernel_name=KERNEL, progress_bar=False, log_output=False,
                resources={"metadata": {"path": str(nb.path.parent)}},
                kernel_manager_class=_kernel_manager(kernel_log, since),
            )
            return
        except pm.PapermillExecutionError as exc:
            failed.parent.mkdir(parents=True, exist_ok=True)
            if tmp.exists():
                os.replace(tmp, failed)
            evalue = " ".join(str(exc.evalue).split())
            raise NotebookFailed(f"notebook {nb.path.name} failed in cell {exc.exec_count}: {exc.ename}: {evalue} "
                                 f"(executed copy: {paths.shown(failed)})") from None
        except (RuntimeError, OSError) as exc:  # the kernel died or did not start (e.g. no such kernelspec)
            if "before replying to kernel_info" in str(exc) and attempt < _KERNEL_START_TRIES:
                continue
            tmp.unlink(missing_ok=True)
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            cause = f" ({said}; {attempt} starts)" if kernel_log and (said := _kernel_error(kernel_log, since)) else ""
            raise NotebookFailed(f"notebook {nb.path.name}: the Jupyter kernel {KERNEL!r} failed: "
                                 f"{first}{cause}") from None


def _hand_target(flag: str, path: Path) -> Path:
    """A hand run writes inside the checkout only under build/scratch/, never over the build's (issue 23)."""
    resolved, root = Path(path).resolve(), paths.root()
    if resolved.is_relative_to(root) and not resolved.is_relative_to(paths.build_dir() / "scratch"):
        raise ParameterError(
            f"{flag} {paths.shown(path)}: a hand run writes only to build/scratch/ or outside the checkout; "
            "figures/ and the rest of build/ are the build's (make all)"
        )
    return Path(path)


def execute_notebook(name: str, *, param_file: Path | None = None, overrides: Iterable[str] = (),
                     output_dir: Path | None = None, executed: Path | None = None, record: bool = False,
                     country: str | None = None, kernel_log: IO[str] | None = None) -> None:
    """Execute one notebook: ``record``, the build's own job (stage, build/notebooks/, manifest entry), else
    a hand run into ``output_dir`` (default build/scratch/<name>/); parameters checked before anything."""
    from oss_analysis.notebook_specs import notebook  # pydantic: not at import (the module's docstring)

    nb = notebook(name)
    where = Path(country or "", name)  # a country run: <COUNTRY>/<name> under each build folder
    if record:
        out, executed = paths.build_dir() / "stage" / where, paths.build_dir() / "notebooks" / f"{where}.ipynb"
    else:
        out = _hand_target("--output-dir", output_dir or paths.build_dir() / "scratch" / where)
        executed = _hand_target("--executed", executed or out / f"{name}.ipynb")
    params = load_params(name, param_file, list(overrides), country)
    if problem := kernel_problem():
        raise NotebookFailed(problem)
    out.mkdir(parents=True, exist_ok=True)
    params["output_dir"] = paths.shown(out.resolve())  # relative inside the project: no machine paths
    executed.parent.mkdir(parents=True, exist_ok=True)
    tmp = executed.with_name(f".{executed.stem}.tmp.ipynb")
    failed = paths.build_dir() / "failed" / f"{where}.ipynb" if record else executed.with_suffix(".failed.ipynb")
    _execute(nb, tmp, failed, params, kernel_log)
    if missing := [o for o in nb.outputs if not (out / o).exists()]:
        raise NotebookFailed(f"notebook {name} did not write its declared outputs: {', '.join(missing)}")
    if record:
        from oss_analysis.pipeline import manifest

        manifest.write_entry(str(where), manifest.notebook_entry(name, params, out, country))
    os.replace(tmp, executed)


def notebook_job(log: str, name: str, country: str | None = None) -> None:
    """The graph's notebook job (a thread of the Snakemake process): the kernel writes to its log."""
    with open(log, "a", encoding="utf-8") as kernel_log:
        execute_notebook(name, record=True, country=country, kernel_log=kernel_log)


def copy_files(pairs: dict[str | Path, str | Path]) -> None:
    """Copy each source file to its destination, atomically (temp file + rename)."""
    for src, dest in pairs.items():
        atomic_write(Path(dest), lambda tmp, src=src: shutil.copyfile(src, tmp))


def note(text: str) -> None:
    """A line for the build's summary on screen (run_graph collects the records ``note: ...``)."""
    logging.getLogger("snakemake.logging").warning(f"note: {text}")


def foreign_stage(name: str, country: str | None = None) -> tuple[str, str] | None:
    """(file, why) when a notebook's stage is not what its manifest entry records (e.g. a hand run into it)."""
    from oss_analysis.notebook_specs import notebook

    where = Path(country or "", name)
    entry_file, stage = paths.build_dir() / "manifest" / f"{where}.json", paths.build_dir() / "stage" / where
    record = paths.shown(entry_file)
    if not entry_file.exists():
        return record, f"is missing: no record that the build ran notebook {name}"
    entry = json.loads(entry_file.read_text(encoding="utf-8"))
    for o in notebook(name).outputs:
        if not (stage / o).exists() or sha256(stage / o) != entry["outputs"].get(o):
            return paths.shown(stage / o), f"is not what the build's run of {name} wrote (sha256 recorded in {record})"
    own = json.loads(json.dumps(load_params(name, None, [], country)))
    if entry["parameters"] != own:
        return record, f"notebook {name} ran with {entry['parameters']}, not the build's parameters {own}"
    return None


def publish_notebook(name: str, country: str | None = None, repair: bool = False) -> None:
    """Copy a notebook's stage into figures/[<COUNTRY>/] atomically; a foreign stage refused, or rerun (``repair``)."""
    from oss_analysis.notebook_specs import notebook
    from oss_analysis.pipeline import country_runs

    outputs = notebook(name).run_outputs if country else notebook(name).outputs  # an unknown name: one line
    problem = foreign_stage(name, country)
    if problem and repair:
        note(f"{' '.join(problem)}; notebook {name} ran again")
        execute_notebook(name, record=True, country=country)
        problem = foreign_stage(name, country)
    if problem:
        raise DataError(problem[0], f"{problem[1]}; not published (make all runs it again)")
    stage, dest = paths.build_dir() / "stage" / (country or "") / name, paths.figures_dir() / (country or "")
    skipped = country_runs.left_out(country, name) if country else {}  # what the run does not change
    for f in [o for o in outputs if o.split(".")[0] in skipped]:
        (dest / f).unlink(missing_ok=True)  # an earlier build's copy
    copy_files({stage / f: dest / f for f in outputs if f.split(".")[0] not in skipped})
    if country:  # the graph's record of what the folder left out, and why (its AVAILABILITY.md says it)
        record = paths.build_dir() / "published" / country / f"{name}.json"
        atomic_write(record, lambda t: Path(t).write_text(json.dumps(skipped) + "\n"))


def job(log: str, fn: Callable[..., object], *args: object) -> None:
    """Run one job: an expected failure ends its log with ``error: ...``, anything else with its traceback."""
    Path(log).parent.mkdir(parents=True, exist_ok=True)
    Path(log).write_text("", encoding="utf-8")
    try:
        fn(*args)
    except EXPECTED as exc:
        said = message(exc)
        with open(log, "a", encoding="utf-8") as out:
            out.write(f"error: {said}\n")
        raise JobFailed(f"error: {said}") from None
    except Exception as exc:
        with open(log, "a", encoding="utf-8") as out:
            out.write(traceback.format_exc() + f"error: {type(exc).__name__}: {exc}\n")
        raise


if __name__ == "__main__":  # `make setup`, before the venv has any package: exit 1 on a full disk
    sys.exit(fail(problem) if (problem := disk_problem(Path(sys.argv[1]))) else 0)
