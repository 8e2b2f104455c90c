"""Build helpers called by the Snakemake rules: prepare processed tables, execute one notebook
with papermill into a staging folder, publish staged outputs, refresh data-package checksums.

Outputs are staged under ``build/stage/<notebook>/`` and copied into ``figures/`` only after the
notebook succeeded, so a failing notebook never costs the outputs of the last good build.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from . import paths


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 1


def _file_values(
    path: Path | None, declared: dict[str, Any], *, only_declared: bool = False
) -> dict[str, tuple[Any, str]]:
    """A parameters file's values, each with where it came from (file and line)."""
    from .params import read_yaml

    if not path or (only_declared and not Path(path).exists()):  # a country may have no file
        return {}
    values, lines = read_yaml(Path(path))
    shown = paths.shown(path)
    return {
        k: (v, f"{shown}, line {lines.get(k, 1)}") for k, v in values.items() if not only_declared or k in declared
    }


def _override_values(overrides: list[str]) -> dict[str, tuple[Any, str]]:
    """``-p key=value`` overrides (YAML values), each named as the user typed it."""
    import yaml

    from .errors import ParameterError

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
    """Parameters from the notebook's YAML file, the country's file and ``key=value`` overrides,
    checked against the notebook's ``parameters`` cell (unknown names and wrong types refused) and
    against each parameter's documented range (``params.SPECS``). An error names the file and
    line, or the ``-p`` option, that gave the value."""
    import papermill as pm

    from .errors import ParameterError
    from .params import check_value
    from .registry import notebook

    nb = notebook(name)
    declared = pm.inspect_notebook(str(nb.path))
    values = _file_values(param_file or nb.params, declared)
    if country:
        from . import countryrun

        # a country's file serves several notebooks: each takes the keys it declares
        from_file = _file_values(countryrun.params_file(country), declared, only_declared=True)
        defaults = {k: (v, f"COUNTRY={country}") for k, v in countryrun.parameters(country).items() if k in declared}
        values.update(defaults | from_file)
    values.update(_override_values(overrides))
    for key, (value, where) in values.items():
        if key not in declared:
            known = ", ".join(sorted(declared))
            raise ParameterError(f"{where}: unknown parameter {key!r} for notebook {name}; known: {known}")
        expected = _declared_type(declared[key])
        if expected in ("str", "int", "float", "bool", "list", "dict") and value is not None:
            ok = {"str": str, "int": int, "float": (int, float), "bool": bool, "list": list, "dict": dict}[expected]
            if not isinstance(value, ok) or (expected != "bool" and isinstance(value, bool)):
                raise ParameterError(f"{where}: parameter {key!r} of notebook {name} expects {expected}, got {value!r}")
        check_value(key, value, where)
    return {k: v for k, (v, _) in values.items()}


def _declared_type(spec: dict[str, Any]) -> str:
    """Type of a notebook parameter: its annotation if any, else the type of its default value."""
    import ast

    if spec.get("inferred_type_name") not in (None, "None"):
        return spec["inferred_type_name"]
    try:
        default = ast.literal_eval(spec["default"])
    except (ValueError, SyntaxError):
        return "None"
    return "None" if default is None else type(default).__name__


# The venv's own kernel, installed into the venv by `make setup`: a user-level "python3"
# kernelspec pointing at another Python cannot take its place.
KERNEL = "oss-analysis"


def kernel_problem() -> str | None:
    """Why a Jupyter kernel cannot start here, found in milliseconds instead of papermill's
    60-second wait: the kernel talks to papermill over TCP on the loopback interface."""
    import socket

    try:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
            server.bind(("127.0.0.1", 0))
            server.listen(1)
            with socket.create_connection(server.getsockname(), timeout=2):
                pass
    except OSError as exc:
        return (
            f"cannot start a Jupyter kernel: the loopback interface (127.0.0.1) is not usable "
            f"({exc.strerror or exc}); notebooks need it even without a network"
        )
    return None


# A kernel that dies before its first reply never ran a cell: usually two kernels started at once
# picked the same random loopback port ("Address already in use"). Starting it again is safe.
_KERNEL_START_TRIES = 3


class NotebookFailed(RuntimeError):
    """A notebook could not run, failed, or left out a declared output: the one-line reason."""


def _kernel_manager(kernel_log: IO[str] | None) -> type:
    """The kernel manager papermill starts the kernel with: the kernel's own output (start-up
    warnings, a crash) goes to ``kernel_log`` when given, else to this process's."""
    from jupyter_client.manager import AsyncKernelManager

    if kernel_log is None:
        return AsyncKernelManager

    class LoggedKernelManager(AsyncKernelManager):
        async def start_kernel(self, **kw: Any) -> None:
            kw.setdefault("stdout", kernel_log)
            kw.setdefault("stderr", kernel_log)
            await super().start_kernel(**kw)

    return LoggedKernelManager


def _papermill(nb: Any, tmp: Path, params: dict[str, Any], kernel_log: IO[str] | None) -> None:
    """papermill.execute_notebook, with a kernel that failed to start retried (never a cell).
    The kernel starts in the notebook's folder without papermill's ``cwd`` (a process-wide
    chdir), so that notebooks can run in threads of one process (the build graph's jobs)."""
    import papermill as pm

    for attempt in range(1, _KERNEL_START_TRIES + 1):
        try:
            pm.execute_notebook(
                str(nb.path),
                str(tmp),
                parameters=params,
                kernel_name=KERNEL,
                progress_bar=False,
                log_output=False,
                resources={"metadata": {"path": str(nb.path.parent)}},  # the kernel's working folder
                kernel_manager_class=_kernel_manager(kernel_log),
            )
            return
        except RuntimeError as exc:
            if "before replying to kernel_info" not in str(exc) or attempt == _KERNEL_START_TRIES:
                raise


def _execute(nb: Any, tmp: Path, params: dict[str, Any], kernel_log: IO[str] | None) -> None:
    """Run papermill; a failure raises NotebookFailed with the one-line reason (and keeps the
    partial copy)."""
    import papermill as pm

    try:
        _papermill(nb, tmp, params, kernel_log)
    except pm.PapermillExecutionError as exc:
        failed = paths.build_dir() / "failed" / f"{nb.name}.ipynb"
        failed.parent.mkdir(parents=True, exist_ok=True)
        if tmp.exists():
            os.replace(tmp, failed)
        evalue = " ".join(str(exc.evalue).split())
        raise NotebookFailed(
            f"notebook {nb.path.name} failed in cell {exc.exec_count}: {exc.ename}: {evalue} "
            f"(executed copy: {failed.relative_to(paths.root())})"
        ) from None
    except (RuntimeError, OSError) as exc:  # kernel died or did not start (e.g. no such kernelspec)
        tmp.unlink(missing_ok=True)
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise NotebookFailed(f"notebook {nb.path.name}: the Jupyter kernel {KERNEL!r} failed: {first}") from None


def execute_notebook(
    name: str,
    *,
    param_file: Path | None = None,
    overrides: list[str] = (),
    output_dir: Path | None = None,
    executed: Path | None = None,
    record: bool = False,
    country: str | None = None,
    kernel_log: IO[str] | None = None,
) -> None:
    """Execute one notebook with papermill; outputs go to ``output_dir`` (default: its stage).
    Parameters are checked before anything runs or is written; any failure raises NotebookFailed
    (or ParameterError, DataError) with its one-line reason."""
    from .registry import notebook

    nb = notebook(name)
    params = load_params(name, param_file, list(overrides), country)
    problem = kernel_problem()
    if problem:
        raise NotebookFailed(problem)
    where = Path(country) / name if country else Path(name)
    out = Path(output_dir) if output_dir else paths.build_dir() / "stage" / where
    out.mkdir(parents=True, exist_ok=True)
    # relative to the project root when inside it, so executed notebooks carry no machine paths
    resolved = out.resolve()
    inside = resolved.is_relative_to(paths.root())
    params["output_dir"] = resolved.relative_to(paths.root()).as_posix() if inside else str(resolved)
    executed = Path(executed) if executed else paths.build_dir() / "notebooks" / f"{where}.ipynb"
    executed.parent.mkdir(parents=True, exist_ok=True)
    tmp = executed.with_name(f".{executed.stem}.tmp.ipynb")
    _execute(nb, tmp, params, kernel_log)
    missing = [o for o in nb.outputs if not (out / o).exists()]
    if missing:
        raise NotebookFailed(f"notebook {name} did not write its declared outputs: {', '.join(missing)}")
    if record:
        from . import manifest

        manifest.write_entry(str(where), manifest.notebook_entry(name, params, out, country))
    os.replace(tmp, executed)


def run_notebook(name: str, **options: Any) -> int:
    """`oss-build run`: execute_notebook with the same options (output_dir, executed, overrides,
    ...), a failure said in one line on stderr (exit status 1) instead of raised."""
    from .errors import DataError, ParameterError

    try:
        execute_notebook(name, **options)
    except (ParameterError, DataError, NotebookFailed) as exc:
        return _fail(str(exc))
    return 0


def notebook_job(log: str, name: str, country: str | None = None) -> None:
    """The build graph's notebook job, run in a thread of the Snakemake process (which has
    papermill imported already): the kernel's own output goes to the job's log."""
    with open(log, "a", encoding="utf-8") as kernel_log:
        execute_notebook(name, record=True, country=country, kernel_log=kernel_log)


def publish(stage: Path, dest: Path, files: list[str]) -> None:
    """Copy staged outputs into place, each one atomically (temp file + rename): a build killed
    while publishing leaves every file either old or new, never missing (the graph marks these
    outputs ``update`` so Snakemake does not delete them first)."""
    copy_files({stage / f: dest / f for f in files})


def copy_files(pairs: dict[str | Path, str | Path]) -> None:
    """Copy each source file to its destination, atomically (temp file + rename)."""
    from .files import atomic_write

    for src, dest in pairs.items():
        atomic_write(Path(dest), lambda tmp, src=src: shutil.copyfile(src, tmp))


def publish_notebook(name: str, country: str | None = None) -> None:
    """Copy a notebook's staged outputs into figures/ (figures/<COUNTRY>/ for a country run)."""
    from .registry import notebook

    sub_dir = Path(country) if country else Path()
    outputs = list(notebook(name).outputs)
    publish(paths.build_dir() / "stage" / sub_dir / name, paths.figures_dir() / sub_dir, outputs)


def write_availability(country: str) -> Path:
    """Write figures/<COUNTRY>/AVAILABILITY.md: what a country run could and could not build."""
    from . import countryrun
    from .files import atomic_write

    page = countryrun.availability_page(country)
    target = paths.figures_dir() / country / "AVAILABILITY.md"
    atomic_write(target, lambda tmp: Path(tmp).write_text(page, encoding="utf-8"))
    return target


class JobFailed(RuntimeError):
    """A job of the build graph failed; its message is the job's one-line error."""


def job(log: str, fn: Callable[..., object], *args: object) -> None:
    """Run one job inside the Snakemake process (a `run:` rule): a DataError, ParameterError or
    NotebookFailed becomes ``error: ...`` as the last line of the job's log and a failed job, any
    other exception its traceback, so that the job's own log says why it failed."""
    import traceback

    from .errors import DataError, ParameterError

    Path(log).parent.mkdir(parents=True, exist_ok=True)
    Path(log).write_text("", encoding="utf-8")
    try:
        fn(*args)
    except (DataError, ParameterError, NotebookFailed) as exc:
        with open(log, "a", encoding="utf-8") as out:
            out.write(f"error: {exc}\n")
        raise JobFailed(f"error: {exc}") from None
    except Exception as exc:
        with open(log, "a", encoding="utf-8") as out:
            out.write(traceback.format_exc() + f"error: {type(exc).__name__}: {exc}\n")
        raise


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="oss-build", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("run", help="execute one notebook with papermill")
    p.add_argument("name")
    p.add_argument("--param-file", type=Path)
    p.add_argument("-p", "--param", action="append", default=[], help="key=value (YAML value)")
    p.add_argument("--output-dir", type=Path)
    p.add_argument("--executed", type=Path)
    p.add_argument("--record", action="store_true", help="write the notebook's provenance entry (the build graph does)")
    p.add_argument("--country", help="ISO3 focus country: parameters from config/countries/, outputs under <country>/")
    p = sub.add_parser("prepare", help="write one processed table from raw")
    p.add_argument("table")
    p.add_argument("--out-dir", type=Path)
    p = sub.add_parser("publish", help="copy a notebook's staged outputs into figures/")
    p.add_argument("name")
    p.add_argument("--country")
    p = sub.add_parser(
        "add-country-data",
        help="import a WGI, CPI or UN e-government file as downloaded: ship it in data/sources/ if new, and merge "
        "the countries' 2008 WGI / 2009 CPI values into data/raw/additions/",
    )
    p.add_argument("kind", choices=["wgi", "cpi", "egdi"])
    p.add_argument("file", type=Path)
    p.add_argument("--countries", required=True, help="comma-separated ISO3 codes to take from the file")
    p.add_argument("--year", type=int, help="year of the values merged into the additions (default 2008 / 2009)")
    p = sub.add_parser("site", help="render the built notebooks, catalogue and report into build/site/")
    p.add_argument("--out", type=Path)
    p = sub.add_parser("availability", help="write figures/<COUNTRY>/AVAILABILITY.md")
    p.add_argument("country")
    sub.add_parser("datapackage", help="refresh sha256/bytes of raw resources")
    p = sub.add_parser("manifest", help="assemble build/manifest.json from the notebooks' entries")
    p.add_argument("--country")
    p.add_argument("names", nargs="*", help="notebooks to include (default: all)")
    sub.add_parser("check-manifest", help="list outputs that are stale against build/manifest.json")
    return parser


# --- one handler per subcommand; each returns the exit status --------------------------------


def _cmd_run(args: argparse.Namespace) -> int:
    return run_notebook(
        args.name,
        param_file=args.param_file,
        overrides=args.param,
        output_dir=args.output_dir,
        executed=args.executed,
        record=args.record,
        country=args.country,
    )


def _cmd_prepare(args: argparse.Namespace) -> int:
    from . import clean

    written = clean.write(args.table, args.out_dir)
    if args.table == "source_drops":
        from .sources import drops_note

        print(drops_note(written))
    return 0


def _cmd_publish(args: argparse.Namespace) -> int:
    publish_notebook(args.name, args.country)
    return 0


def _cmd_add_country_data(args: argparse.Namespace) -> int:
    from . import additions

    codes = [c.strip() for c in args.countries.split(",") if c.strip()]
    print("\n".join(additions.add(args.kind, args.file, codes, year=args.year)))
    return 0


def _cmd_site(args: argparse.Namespace) -> int:
    from .site import build_site

    try:
        out = build_site(args.out)
    except FileNotFoundError as exc:
        return _fail(str(exc))
    print(f"wrote {out / 'index.html'}")
    return 0


def _cmd_availability(args: argparse.Namespace) -> int:
    write_availability(args.country)
    return 0


def _cmd_manifest(args: argparse.Namespace) -> int:
    from . import manifest

    written = manifest.assemble(args.country, args.names or None)
    print(f"wrote {written.relative_to(paths.root())}")
    return 0


def _cmd_check_manifest(args: argparse.Namespace) -> int:
    from . import manifest

    problems = manifest.stale()
    for p in problems:
        print(p)
    print(f"{len(problems)} stale or changed outputs" if problems else "every output matches its recorded inputs")
    return 1 if problems else 0


def _cmd_datapackage(args: argparse.Namespace) -> int:
    from . import datapackage

    changed = datapackage.update()
    print("updated: " + (", ".join(changed) if changed else "nothing changed"))
    return 0


HANDLERS = {
    "run": _cmd_run,
    "prepare": _cmd_prepare,
    "publish": _cmd_publish,
    "add-country-data": _cmd_add_country_data,
    "site": _cmd_site,
    "availability": _cmd_availability,
    "manifest": _cmd_manifest,
    "check-manifest": _cmd_check_manifest,
    "datapackage": _cmd_datapackage,
}


def _os_error(exc: OSError) -> str:
    """An OSError as one line naming the file (relative to the project) and what to do."""
    import errno

    name = paths.shown(Path(exc.filename)) if exc.filename else ""
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        folder = Path(name).parent.as_posix() + "/" if name else "the output folder"
        why = (exc.strerror or "permission denied").lower()
        return f"{folder}: cannot write there ({why}); make it writable and run again"
    return f"{name}: {exc.strerror or exc}" if name else str(exc)


def main(argv: list[str] | None = None) -> int:
    """``oss-build``: parse the command line and hand it to its subcommand's handler; bad input
    and unwritable folders end in one line on stderr and exit status 1, never a traceback."""
    from .errors import DataError, ParameterError

    args = _parser().parse_args(argv)
    try:
        return HANDLERS[args.cmd](args)
    except (DataError, ParameterError) as exc:
        return _fail(str(exc))
    except OSError as exc:
        return _fail(_os_error(exc))


if __name__ == "__main__":
    sys.exit(main())
