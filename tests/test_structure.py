"""The package stays in small pieces: no function over 80 lines, no two modules importing each
other (a cycle of any length in the import graph), and the consistency checks as a registry."""

import ast
from pathlib import Path

import pytest

from oss_analysis import checks, report

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "oss_analysis"
MODULES = {p.stem: p for p in sorted(PACKAGE.glob("*.py"))}
MAX_LINES = 80


def _functions(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_function_over_80_lines(module):
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    long = [
        f"{module}.{f.name} (line {f.lineno}): {f.end_lineno - f.lineno + 1} lines"
        for f in _functions(tree)
        if f.end_lineno - f.lineno + 1 > MAX_LINES
    ]
    assert not long, long


def _imports(module: str) -> set[str]:
    """Package modules a module imports, at top level or inside functions."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1 and node.module:  # from .x import y
                found.add(node.module.split(".")[0])
            elif node.level == 1:  # from . import x, y
                found.update(a.name for a in node.names)
            elif node.module and node.module.startswith("oss_analysis"):
                parts = node.module.split(".")
                found.update([parts[1]] if len(parts) > 1 else [a.name for a in node.names])
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[1] for a in node.names if a.name.startswith("oss_analysis."))
    return {m for m in found if m in MODULES and m != module}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan), i.e. every import cycle."""
    index, low, stack, on_stack, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                out.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_cycle_finder_finds_long_cycles():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_two_package_modules_import_each_other():
    graph = {m: _imports(m) for m in MODULES}
    assert graph["build"], "the import graph came out empty: the parser is broken"
    assert _cycles(graph) == []


def test_checks_are_a_registry_with_ids_locations_and_errata():
    ids = list(checks.CHECKS)
    assert len(ids) == len(set(ids)) == 27
    for c in checks.CHECKS.values():
        assert c.where and c.name and callable(c.compute)
        assert c.erratum is None or c.erratum.startswith("E")


def test_report_is_built_from_the_registry(monkeypatch):
    base = report.consistency_checks()
    assert list(base["check"]) == [c.name for c in checks.CHECKS.values()]
    extra = dict(checks.CHECKS)
    monkeypatch.setattr(checks, "CHECKS", extra)
    checks.check("C99", "A check added by a test", "line 1")(lambda d: ("1", "2", False))
    grown = report.consistency_checks()
    assert len(grown) == len(base) + 1
    assert grown.iloc[-1].to_dict() == {
        "check": "A check added by a test",
        "where": "line 1",
        "expected": "1",
        "observed": "2",
        "outcome": "differs",
    }


def test_a_check_citing_an_unknown_erratum_is_refused(monkeypatch):
    monkeypatch.setattr(checks, "CHECKS", dict(checks.CHECKS))
    checks.check("C98", "cites nothing real", "line 1", "E999")(lambda d: ("1", "1", True))
    with pytest.raises(ValueError, match=r"checks cite errata not in data/raw/errata.csv: \['E999'\]"):
        report.consistency_checks()


def test_check_ids_are_unique():
    with pytest.raises(ValueError, match="registered twice"):
        checks.check("C01", "again", "line 1")(lambda d: ("", "", True))
