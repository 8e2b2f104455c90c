"""The package modules each build job runs (its code's imports, transitively) as that job's code inputs,
so that editing a module reruns only the jobs that run it (why the runner is none: docs/stages/pipeline.md)."""

from __future__ import annotations

from functools import cache
from modulefinder import ModuleFinder
from pathlib import Path

from oss_analysis import notebook_specs, paths
from oss_analysis.transform import registry

PACKAGE = "oss_analysis"
BUILDERS = "from oss_analysis.transform import clean"  # a prepare job's code: the tables' builders


def notebook_sources(path: Path) -> list[str]:
    """A notebook's code cells as IPython runs them: magics and shell lines become calls, not imports."""
    import nbformat
    from IPython.core.inputtransformer2 import TransformerManager

    cells = nbformat.read(path, as_version=4).cells
    return [TransformerManager().transform_cell(c.source) for c in cells if c.cell_type == "code"]


@cache
def _modules_run(code: tuple[str, ...], src: Path) -> list[Path]:
    finder = ModuleFinder(path=[str(src)])  # only the package is scanned
    try:
        for text in code:
            finder.scan_code(compile(text, "<job>", "exec"), finder.add_module("__main__"))
    except SyntaxError:  # it fails when run, saying where; until then it may run anything
        run = sorted((src / PACKAGE).rglob("*.py"))
    else:
        run = [Path(m.__file__) for name, m in finder.modules.items() if name.split(".")[0] == PACKAGE]
    texts = {p: p.read_text(encoding="utf-8") for p in run}
    named = [f for p in run for f in p.parent.iterdir() if f.suffix not in (".py", ".pyc", "") and f.name in texts[p]]
    return sorted({*run, *named})


def modules_run(code: list[str]) -> list[Path]:
    """The package files some code runs (its imports, transitively, by modulefinder) and the data files they name."""
    return _modules_run(tuple(code), paths.root() / "src")


def notebook_code(name: str) -> list[Path]:
    """The package modules a notebook runs: its code cells' imports and their closure."""
    return modules_run(notebook_sources(notebook_specs.notebooks()[name].path))


def table_code(table: str) -> list[Path]:
    """The package modules a prepare job runs: the builders' module and its closure."""
    if table not in registry.TABLES:
        raise KeyError(f"no processed table named {table!r}")
    return modules_run([BUILDERS])


def notebook_inputs(name: str, country: str | None = None) -> dict[str, list[Path]]:
    """What the graph (and the manifest) feeds a notebook job, by kind, ``src`` the package modules it runs."""
    return {**notebook_specs.notebook_inputs(name, country), "src": notebook_code(name)}
