"""The package's import graph read from the syntax tree, independently of the build's reader (the
standard library's modulefinder, which reads the compiled code: pipeline/code_inputs.py):
``tests/project/test_layout.py`` checks the stage order on it, ``tests/pipeline/test_code_inputs.py``
compares the two readers on every notebook."""

from __future__ import annotations

import ast
from collections.abc import Collection, Iterable, Mapping
from importlib.util import resolve_name
from pathlib import Path


def module_name(path: Path, src: Path) -> str:
    """``src/oss_analysis/output/charts.py`` -> ``oss_analysis.output.charts`` (``__init__.py``: the package)."""
    parts = Path(path).relative_to(src).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(source: str, modules: Collection[str], module: str = "", is_package: bool = False) -> set[str]:
    """The modules of ``modules`` that ``source`` imports anywhere (inside functions too), with the
    packages above each (their ``__init__`` runs first); ``module`` names the code, for its relative imports."""
    package = module if is_package else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
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
