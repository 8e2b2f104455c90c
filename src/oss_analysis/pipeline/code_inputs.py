"""The package modules each build job runs (its code's imports, transitively) as that job's code inputs,
so that editing a module reruns only the jobs that run it (why the runner is none: docs/stages/pipeline.md)."""

from __future__ import annotations

import ast
import json
from collections.abc import Collection, Iterable, Mapping
from functools import cache
from importlib.util import resolve_name
from pathlib import Path

from oss_analysis import notebook_specs, paths
from oss_analysis.transform import registry

PACKAGE = "oss_analysis"
BUILDERS = "oss_analysis.transform.clean"  # the module whose functions build the processed tables


def module_name(path: Path, src: Path) -> str:
    """``src/oss_analysis/output/charts.py`` -> ``oss_analysis.output.charts`` (``__init__.py``: the package)."""
    parts = Path(path).relative_to(src).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(source: str, modules: Collection[str], module: str = "", is_package: bool = False) -> set[str]:
    """The modules of ``modules`` that ``source`` imports anywhere, with the packages above each
    (their ``__init__`` runs first); ``module`` names the code, for its relative imports."""
    package = module if is_package else module.rpartition(".")[0]
    found: set[str] = set()
    stack: list[ast.AST] = [ast.parse(source)]
    while stack:
        node = stack.pop()
        test = getattr(node, "test", None)  # ``TYPE_CHECKING`` or ``typing.TYPE_CHECKING``: its body never runs
        if isinstance(node, ast.If) and "TYPE_CHECKING" in (getattr(test, "id", ""), getattr(test, "attr", "")):
            stack.extend(node.orelse)
            continue
        stack.extend(ast.iter_child_nodes(node))
        if isinstance(node, ast.ImportFrom):
            base = resolve_name("." * node.level + (node.module or ""), package) if node.level else node.module or ""
            found.update(f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    parents = {".".join(m.split(".")[:i]) for m in found for i in range(1, m.count(".") + 2)}
    return {p for p in parents if p in modules and p != module}


def closure(start: Iterable[str], graph: Mapping[str, Collection[str]]) -> set[str]:
    """``start`` and every module reachable from it through ``graph`` (module -> what it imports)."""
    seen: set[str] = set()
    todo = list(start)
    while todo:
        m = todo.pop()
        if m not in seen:
            seen.add(m)
            todo.extend(graph.get(m, ()))
    return seen


@cache
def _package(src: Path) -> tuple[dict[str, Path], dict[str, set[str]], dict[str, list[Path]]]:
    """The package's modules (name -> file), its import graph and the data files each module names."""
    files = {module_name(p, src): p for p in sorted((src / PACKAGE).rglob("*.py"))}
    sources = {m: p.read_text(encoding="utf-8") for m, p in files.items()}
    graph = {m: imported(sources[m], files, m, p.name == "__init__.py") for m, p in files.items()}
    data = {
        m: [f for f in sorted(p.parent.iterdir()) if f.suffix not in (".py", ".pyc", "") and f.name in sources[m]]
        for m, p in files.items()
    }
    return files, graph, data


def notebook_sources(path: Path) -> list[str]:
    """A notebook's code cells as Python: magics and shell lines blanked, cell magics left out."""
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    out = []
    for cell in nb.get("cells", []):
        text = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if cell.get("cell_type") != "code" or text.lstrip().startswith("%%"):
            continue
        lines = ["" if line.lstrip().startswith(("%", "!")) else line for line in text.splitlines()]
        out.append("\n".join(lines))
    return out


def modules_run(start: Iterable[str]) -> list[Path]:
    """The files of ``start`` and of the modules they import, transitively, with the data files they name
    (editing the style sheet reruns the notebooks that draw with it)."""
    files, graph, data = _package(paths.root() / "src")
    run = [m for m in closure(start, graph) if m in files]
    return sorted({*(files[m] for m in run), *(f for m in run for f in data[m])})


def notebook_code(name: str) -> list[Path]:
    """The package modules a notebook runs: its code cells' imports and their closure."""
    files, _, _ = _package(paths.root() / "src")
    start: set[str] = set()
    try:
        for source in notebook_sources(notebook_specs.notebooks()[name].path):
            start |= imported(source, files)
    except SyntaxError:  # it fails when run, saying where; until then it may run anything
        start = set(files)
    return modules_run(start)


def table_code(table: str) -> list[Path]:
    """The package modules a prepare job runs: the builders' module and its closure."""
    if table not in registry.TABLES:
        raise KeyError(f"no processed table named {table!r}")
    return modules_run([BUILDERS])


def notebook_inputs(name: str, country: str | None = None) -> dict[str, list[Path]]:
    """What the graph (and the manifest) feeds a notebook job, by kind, ``src`` the package modules it runs."""
    return {**notebook_specs.notebook_inputs(name, country), "src": notebook_code(name)}
