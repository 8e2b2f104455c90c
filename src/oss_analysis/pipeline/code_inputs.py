"""The package modules each build job runs, as that job's code inputs.

Snakemake tracks files, not imports: before this, every job declared every module of the package
as an input, so editing any module (a review helper, the runner) reran every notebook. Here a
notebook job's code is the modules its code cells import and, transitively, what those import (at
the top of a module or inside a function; ``if TYPE_CHECKING:`` blocks never run and are left
out). A prepare job's code is the module holding the table's builder and what it imports.

The job runner (``pipeline/``) is not a code input of any job: it starts a job and records it,
but the numbers come from the notebook's own modules, so editing it reruns nothing. A runner
change that should alter the outputs needs a clean rebuild (``make clean all``).
"""

from __future__ import annotations

import ast
import json
from collections.abc import Collection, Iterable, Iterator, Mapping
from functools import cache
from pathlib import Path

from oss_analysis import notebook_specs, paths
from oss_analysis.transform import registry

PACKAGE = "oss_analysis"
BUILDERS = "oss_analysis.transform.clean"  # the module whose functions build the processed tables


def module_name(path: Path, src: Path) -> str:
    """``src/oss_analysis/output/charts.py`` -> ``oss_analysis.output.charts`` (a package's
    ``__init__.py`` is the package itself); ``src`` is the folder holding ``oss_analysis``."""
    parts = Path(path).relative_to(src).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _parents(module: str) -> list[str]:
    """Importing ``a.b.c`` runs ``a`` and ``a.b`` (their ``__init__``) first."""
    parts = module.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts) + 1)]


def _type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node of the tree except the bodies of ``if TYPE_CHECKING:`` (their ``else`` runs)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _type_checking(node.test):
            stack.extend(node.orelse)
            continue
        yield node
        stack.extend(ast.iter_child_nodes(node))


def imported(source: str, modules: Collection[str], module: str = "", is_package: bool = False) -> set[str]:
    """The modules of ``modules`` that code ``source`` imports, anywhere in it (``module`` names
    that code, for its relative imports; ``is_package`` when it is an ``__init__.py``). ``from
    pkg import name`` counts ``pkg.name`` when that is a module, else ``pkg``; a module counts
    with the packages above it, whose ``__init__`` runs first."""
    package = module if is_package else module.rpartition(".")[0]
    found: set[str] = set()
    for node in _nodes(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(up + ([base] if base else []))
            for alias in node.names:
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {p for m in found for p in _parents(m) if p in modules and p != module}


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
    """The package's modules (name -> file), its import graph and the data files beside each
    module that it names (``output/theme.mplstyle``), read once per source folder."""
    files = {module_name(p, src): p for p in sorted((src / PACKAGE).rglob("*.py"))}
    sources = {m: p.read_text(encoding="utf-8") for m, p in files.items()}
    graph = {m: imported(sources[m], files, m, p.name == "__init__.py") for m, p in files.items()}
    data = {
        m: [f for f in sorted(p.parent.iterdir()) if f.suffix not in (".py", ".pyc", "") and f.name in sources[m]]
        for m, p in files.items()
    }
    return files, graph, data


def _src() -> Path:
    return paths.root() / "src"


def notebook_sources(path: Path) -> list[str]:
    """A notebook's code cells as Python: IPython magics and shell lines (``%``, ``!``) are
    blanked, cell magics (``%%``) left out."""
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
    """The files of ``start`` and of every package module they import, transitively, with the
    package's data files those modules name (``output/theme.mplstyle``, the look of every chart):
    editing the style sheet reruns the notebooks that draw with it."""
    files, graph, data = _package(_src())
    run = [m for m in closure(start, graph) if m in files]
    return sorted({*(files[m] for m in run), *(f for m in run for f in data[m])})


def notebook_code(name: str) -> list[Path]:
    """The package modules a notebook runs: its code cells' imports and their closure."""
    files, _, _ = _package(_src())
    start: set[str] = set()
    try:
        for source in notebook_sources(notebook_specs.notebooks()[name].path):
            start |= imported(source, files)
    except SyntaxError:  # it fails when run, saying where; until then it may run anything
        start = set(files)
    return modules_run(start)


def table_code(table: str) -> list[Path]:
    """The package modules a prepare job runs: the module of the table's builder (every
    processed table is built by the function of ``transform/clean.py`` named like it, see
    ``transform/registry.py``) and its closure."""
    if table not in registry.TABLES:
        raise KeyError(f"no processed table named {table!r}")
    return modules_run([BUILDERS])


def notebook_inputs(name: str, country: str | None = None) -> dict[str, list[Path]]:
    """What the build graph feeds a notebook job, by kind: the notebook's own entry
    (``notebook_specs.notebook_inputs``) and ``src``, the package modules it runs. The Snakefile
    and the manifest both use this."""
    return {**notebook_specs.notebook_inputs(name, country), "src": notebook_code(name)}
