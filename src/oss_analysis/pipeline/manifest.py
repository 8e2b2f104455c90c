"""Provenance manifest and ``oss-build check-manifest`` (what it records and why: docs/stages/pipeline.md)."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

from oss_analysis import notebook_specs, paths
from oss_analysis.errors import DataError
from oss_analysis.extract import datapackage
from oss_analysis.files import atomic_write, sha256
from oss_analysis.pipeline import code_inputs
from oss_analysis.transform import registry


def _git(*args: str) -> str | None:
    try:
        out = subprocess.run(["git", *args], cwd=paths.root(), capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def notebook_entry(name: str, params: dict[str, Any], output_dir: Path, country: str | None = None) -> dict[str, Any]:
    """The manifest entry of one notebook run, outputs hashed where they were written; its inputs are what the
    graph feeds it (its package modules among them) and its tables' raw sources."""
    nb, raw, tables = notebook_specs.notebooks()[name], datapackage.resource_paths(), registry.raw_inputs()
    inputs = {f for group in code_inputs.notebook_inputs(name, country).values() for f in group}
    inputs.update(raw[r] for t in nb.processed for r in tables[t])
    return {
        "notebook": paths.shown(nb.path),
        "parameters": {k: v for k, v in params.items() if k != "output_dir"},
        "parameters_file": paths.shown(nb.params),
        "inputs": {paths.shown(p): sha256(p) for p in sorted(inputs) if p.exists()},
        "outputs": {o: sha256(Path(output_dir) / o) for o in nb.outputs},
    }


def _write_json(path: Path, data: dict[str, Any]) -> Path:
    """Sorted, indented JSON, written whole or not at all (a killed job leaves no half a record)."""
    text = json.dumps(data, indent=2, sort_keys=True) + "\n"
    return atomic_write(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))


def write_entry(name: str, entry: dict[str, Any]) -> Path:
    """Write one run's entry (``name`` may be ``KGZ/governance`` for a country run)."""
    return _write_json(paths.build_dir() / "manifest" / f"{name}.json", entry)


def assemble(country: str | None = None, names: list[str] | None = None) -> Path:
    """The notebooks' entries, keyed by output file, as build/manifest.json (-<COUNTRY>.json)."""
    outputs: dict[str, Any] = {}
    prefix = f"{country}/" if country else ""
    for name in sorted(names or notebook_specs.notebooks()):
        entry = json.loads((paths.build_dir() / "manifest" / f"{prefix}{name}.json").read_text(encoding="utf-8"))
        made_by = {k: entry[k] for k in ("notebook", "parameters", "inputs")}
        for out in entry["outputs"]:
            if not country or (paths.figures_dir() / prefix / out).exists():  # what a country run published
                outputs[f"figures/{prefix}{out}"] = {"sha256": entry["outputs"][out], **made_by}
    dirty = _git("status", "--porcelain")
    requirements = (paths.root() / "requirements" / "build.in").read_text().splitlines()
    packages = filter(None, (line.split("#")[0].strip() for line in requirements))  # those build.in names
    manifest = {
        "commit": _git("rev-parse", "HEAD"),
        "working_tree_clean": None if dirty is None else dirty == "",
        "python": platform.python_version(),
        "packages": {name: _version(name) for name in packages},
        "outputs": outputs,
    }
    return _write_json(paths.build_dir() / (f"manifest-{country}.json" if country else "manifest.json"), manifest)


def unfaithful_tables(manifest: dict[str, Any]) -> list[str]:
    """The processed tables behind the outputs that are not what data/raw gives (a hand edit)."""
    from oss_analysis.transform import clean

    recorded = {i for rec in manifest["outputs"].values() for i in rec["inputs"]}
    problems = []
    for name in sorted(n for n in registry.TABLES if f"data/processed/{n}.csv" in recorded):
        try:
            clean.verify(name)
        except DataError as exc:
            problems.append(str(exc))
    return problems


def snakemake_summary() -> dict[str, dict[str, str]]:
    """``snakemake --detailed-summary`` by output file (its ``status``, ``plan``, ``input-file(s)``)."""
    snakemake = Path(sys.executable).with_name("snakemake")
    cmd = [str(snakemake), "--snakefile", "workflow/Snakefile", "--detailed-summary"]
    proc = subprocess.run(cmd, cwd=paths.root(), capture_output=True, text=True)
    if proc.returncode != 0:
        said = [ln for ln in proc.stderr.splitlines() if ln.strip()] or ["no output"]
        why = said[-1].removeprefix("error: ")
        raise DataError("workflow/Snakefile", f"snakemake --detailed-summary failed: {why}")
    header, *rows = [ln.split("\t") for ln in proc.stdout.splitlines() if "\t" in ln]
    return {row[0]: dict(zip(header, row, strict=True)) for row in rows}


def _first_cause(out: str, summary: dict[str, dict[str, str]]) -> str:
    """The nearest file upstream of ``out`` whose Snakemake status is not ok, with that status."""
    todo, seen = [out], set()
    while todo:
        f = todo.pop(0)
        if f in seen or f not in summary:
            continue
        seen.add(f)
        if summary[f]["status"] != "ok":
            return f"{f}: {summary[f]['status']}"
        todo.extend(i for i in summary[f]["input-file(s)"].split(",") if i != "-")
    return "an upstream job is pending"


def stale() -> list[str]:
    """Each recorded output missing, edited or that `make all` would rebuild, and why (docs/stages/pipeline.md)."""
    manifest = json.loads((paths.build_dir() / "manifest.json").read_text(encoding="utf-8"))
    summary = snakemake_summary()
    problems = unfaithful_tables(manifest)
    root = paths.root()
    for out, rec in sorted(manifest["outputs"].items()):
        path, row = root / out, summary.get(out)
        if row is None:
            problems.append(f"{out}: no longer an output of the build")
            continue
        if row["status"] == "missing" or not path.exists():
            problems.append(f"{out}: missing")
            continue
        if sha256(path) != rec["sha256"]:
            problems.append(f"{out}: differs from the build that the manifest records")
        if row["plan"] != "update pending":
            continue
        changed = [i for i, d in rec["inputs"].items() if not (root / i).exists() or sha256(root / i) != d]
        more = f" and {len(changed) - 5} more" if len(changed) > 5 else ""
        why = f"inputs changed since it was built: {', '.join(changed[:5])}{more}"
        if not changed:  # touched, or a rule's code or parameters changed: Snakemake's reason
            why = f"Snakemake would rebuild it ({_first_cause(out, summary)})"
        problems.append(f"{out}: stale, {why}")
    return problems


def check_published(country: str | None = None, names: list[str] | None = None) -> list[str]:
    """Before a build: refuse a foreign file in figures/; a line for each output published again, not the build's."""
    folder = paths.figures_dir() / (country or "")
    nbs = notebook_specs.notebooks()
    declared = {o: n for n in names or nbs for o in nbs[n].outputs}
    foreign = sorted(p for p in folder.glob("*") if p.is_file() and not p.name.startswith("."))
    foreign = [p for p in foreign if p.name not in declared and not (country and p.name == "AVAILABILITY.md")]
    if foreign:
        more = f" (and {len(foreign) - 1} more)" if len(foreign) > 1 else ""
        rule = f"not an output of the build{more}; move it out of figures/ or delete it"
        raise DataError(paths.shown(foreign[0]), f"{rule} (hand runs write to build/scratch/)")
    repaired = []
    for name in sorted(set(declared.values())):
        where = Path(country or "", name)
        entry = paths.build_dir() / "manifest" / f"{where}.json"
        if not entry.exists():
            continue  # the notebook's job runs anyway
        recorded = json.loads(entry.read_text(encoding="utf-8"))["outputs"]
        for out in nbs[name].outputs:
            staged, published = paths.build_dir() / "stage" / where / out, folder / out
            if not (staged.exists() and published.exists()) or staged.stat().st_mtime > published.stat().st_mtime:
                continue  # Snakemake publishes it anyway
            if sha256(published) != recorded.get(out):  # the publish job checks the stage and reruns if need be
                os.utime(staged)
                repaired.append(f"{paths.shown(published)} was not the build's own output: published again")
    return repaired
