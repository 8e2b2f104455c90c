"""Build helpers called by the Snakemake rules: prepare processed tables, execute one notebook
with papermill into a staging folder, publish staged outputs, refresh data-package checksums.

Outputs are staged under ``build/stage/<notebook>/`` and copied into ``figures/`` only after the
notebook succeeded, so a failing notebook never costs the outputs of the last good build.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import paths


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 1


def load_params(name: str, param_file: Path | None, overrides: list[str], country: str | None = None) -> dict[str, Any]:
    """Parameters from the notebook's YAML file plus ``key=value`` overrides, checked against
    the notebook's ``parameters`` cell (unknown names and wrong types are refused)."""
    import papermill as pm
    import yaml

    from .errors import ParameterError
    from .registry import notebooks

    nb = notebooks()[name]
    source = param_file or nb.params
    values: dict[str, Any] = {}
    if source and Path(source).exists():
        values = yaml.safe_load(Path(source).read_text(encoding="utf-8")) or {}
        if not isinstance(values, dict):
            raise ParameterError(f"{source}: expected a mapping of parameter names to values")
    declared = pm.inspect_notebook(str(nb.path))
    if country:
        from . import countryrun

        # a country's file serves several notebooks: each takes the keys it declares
        values.update({k: v for k, v in countryrun.parameters(country).items() if k in declared})
    for item in overrides:
        key, _, raw = item.partition("=")
        values[key] = yaml.safe_load(raw)
    for key, value in values.items():
        if key not in declared:
            known = ", ".join(sorted(declared))
            raise ParameterError(f"{source}: unknown parameter {key!r} for notebook {name}; known: {known}")
        expected = _declared_type(declared[key])
        if expected in ("str", "int", "float", "bool", "list", "dict") and value is not None:
            ok = {"str": str, "int": int, "float": (int, float), "bool": bool, "list": list, "dict": dict}[expected]
            if not isinstance(value, ok) or (expected == "int" and isinstance(value, bool)):
                raise ParameterError(
                    f"{source}: parameter {key!r} of notebook {name} expects {expected}, got {value!r}"
                )
    return values


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


def run_notebook(
    name: str,
    *,
    param_file: Path | None = None,
    overrides: list[str] = (),
    output_dir: Path | None = None,
    executed: Path | None = None,
    record: bool = False,
    country: str | None = None,
) -> int:
    """Execute one notebook with papermill; outputs go to ``output_dir`` (default: its stage)."""
    import papermill as pm

    from .errors import DataError, ParameterError
    from .registry import notebooks

    nb = notebooks()[name]
    try:
        params = load_params(name, param_file, list(overrides), country)
    except ParameterError as exc:
        return _fail(str(exc))
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
    try:
        pm.execute_notebook(
            str(nb.path),
            str(tmp),
            parameters=params,
            kernel_name=KERNEL,
            progress_bar=False,
            cwd=str(nb.path.parent),
            log_output=False,
        )
    except pm.PapermillExecutionError as exc:
        failed = paths.build_dir() / "failed" / f"{name}.ipynb"
        failed.parent.mkdir(parents=True, exist_ok=True)
        if tmp.exists():
            os.replace(tmp, failed)
        return _fail(
            f"notebook {nb.path.name} failed in cell {exc.exec_count}: {exc.ename}: {exc.evalue} "
            f"(executed copy: {failed.relative_to(paths.root())})"
        )
    except (DataError, ParameterError) as exc:
        return _fail(str(exc))
    missing = [o for o in nb.outputs if not (out / o).exists()]
    if missing:
        return _fail(f"notebook {name} did not write its declared outputs: {', '.join(missing)}")
    if record:
        from . import manifest

        manifest.write_entry(str(where), manifest.notebook_entry(name, params, out, country))
    os.replace(tmp, executed)
    return 0


def publish(stage: Path, dest: Path, files: list[str]) -> None:
    """Copy staged outputs into place, each one atomically (temp file + rename)."""
    from .files import atomic_write

    for f in files:
        atomic_write(dest / f, lambda tmp, f=f: shutil.copyfile(stage / f, tmp))


def copy_files(pairs: dict[str, str]) -> None:
    """Copy each source file to its destination, atomically (temp file + rename)."""
    from .files import atomic_write

    for src, dest in pairs.items():
        atomic_write(Path(dest), lambda tmp, src=src: shutil.copyfile(src, tmp))


def publish_notebook(name: str, country: str | None = None) -> None:
    """Copy a notebook's staged outputs into figures/ (figures/<COUNTRY>/ for a country run)."""
    from .registry import notebooks

    sub_dir = Path(country) if country else Path()
    outputs = list(notebooks()[name].outputs)
    publish(paths.build_dir() / "stage" / sub_dir / name, paths.figures_dir() / sub_dir, outputs)


def write_availability(country: str) -> Path:
    """Write figures/<COUNTRY>/AVAILABILITY.md: what a country run could and could not build."""
    from . import countryrun

    page = countryrun.availability_page(country)
    target = paths.figures_dir() / country / "AVAILABILITY.md"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(page, encoding="utf-8")
    return target


class JobFailed(RuntimeError):
    """A job of the build graph failed; its message is the job's one-line error."""


def job(log: str, fn: Callable[..., object], *args: object) -> None:
    """Run one small job inside the Snakemake process (a `run:` rule): a DataError or
    ParameterError becomes ``error: ...`` in the job's log and a failed job, any other exception
    its traceback, so that the job's own log says why it failed."""
    import traceback

    from .errors import DataError, ParameterError

    Path(log).parent.mkdir(parents=True, exist_ok=True)
    try:
        fn(*args)
    except (DataError, ParameterError) as exc:
        Path(log).write_text(f"error: {exc}\n", encoding="utf-8")
        raise JobFailed(f"error: {exc}") from None
    except Exception as exc:
        Path(log).write_text(traceback.format_exc() + f"error: {type(exc).__name__}: {exc}\n", encoding="utf-8")
        raise
    Path(log).write_text("", encoding="utf-8")


def update_datapackage() -> list[str]:
    """Record sha256 and size of every raw resource in ``data/raw/datapackage.json``."""
    from .files import sha256

    dp_path = paths.raw_dir() / "datapackage.json"
    dp = json.loads(dp_path.read_text(encoding="utf-8"))
    changed = []
    for res in dp["resources"]:
        f = paths.raw_dir() / res["path"]
        new = f"sha256:{sha256(f)}"
        if res.get("hash") != new:
            changed.append(res["name"])
        res["hash"], res["bytes"] = new, f.stat().st_size
    dp_path.write_text(json.dumps(dp, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return changed


def main(argv: list[str] | None = None) -> int:
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
        "add-country-data", help="merge countries from a public WGI or CPI file into data/raw/additions/"
    )
    p.add_argument("kind", choices=["wgi", "cpi"])
    p.add_argument("file", type=Path)
    p.add_argument("--countries", required=True, help="comma-separated ISO3 codes to take from the file")
    p = sub.add_parser("site", help="render the built notebooks, catalogue and report into build/site/")
    p.add_argument("--out", type=Path)
    p = sub.add_parser("availability", help="write figures/<COUNTRY>/AVAILABILITY.md")
    p.add_argument("country")
    sub.add_parser("datapackage", help="refresh sha256/bytes of raw resources")
    p = sub.add_parser("manifest", help="assemble build/manifest.json from the notebooks' entries")
    p.add_argument("--country")
    p.add_argument("names", nargs="*", help="notebooks to include (default: all)")
    sub.add_parser("check-manifest", help="list outputs that are stale against build/manifest.json")
    args = parser.parse_args(argv)
    if args.cmd == "run":
        return run_notebook(
            args.name,
            param_file=args.param_file,
            overrides=args.param,
            output_dir=args.output_dir,
            executed=args.executed,
            record=args.record,
            country=args.country,
        )
    if args.cmd == "prepare":
        from . import clean
        from .errors import DataError

        try:
            clean.write(args.table, args.out_dir)
        except DataError as exc:
            return _fail(str(exc))
        return 0
    if args.cmd == "publish":
        publish_notebook(args.name, args.country)
        return 0
    if args.cmd == "add-country-data":
        from . import additions
        from .errors import DataError

        try:
            target = additions.add(args.kind, args.file, [c.strip() for c in args.countries.split(",") if c.strip()])
        except DataError as exc:
            return _fail(str(exc))
        print(f"updated {target.relative_to(paths.root())} and its checksum in data/raw/datapackage.json")
        return 0
    if args.cmd == "site":
        from .site import build_site

        try:
            out = build_site(args.out)
        except FileNotFoundError as exc:
            return _fail(str(exc))
        print(f"wrote {out / 'index.html'}")
        return 0
    if args.cmd == "availability":
        from .errors import ParameterError

        try:
            write_availability(args.country)
        except ParameterError as exc:
            return _fail(str(exc))
        return 0
    if args.cmd == "manifest":
        from . import manifest

        written = manifest.assemble(args.country, args.names or None)
        print(f"wrote {written.relative_to(paths.root())}")
        return 0
    if args.cmd == "check-manifest":
        from . import manifest

        problems = manifest.stale()
        for p in problems:
            print(p)
        print(f"{len(problems)} stale or changed outputs" if problems else "every output matches its recorded inputs")
        return 1 if problems else 0
    if args.cmd == "datapackage":
        changed = update_datapackage()
        print("updated: " + (", ".join(changed) if changed else "nothing changed"))
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
