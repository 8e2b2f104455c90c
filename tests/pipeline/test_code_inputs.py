"""A build job's code inputs are the package modules it runs (pipeline/code_inputs.py, the standard
library's modulefinder on the compiled code): on a made-up package, and on the real notebooks against
an independent reader of the syntax tree (tests/imports.py, whose own cases come first)."""

import nbformat
import pytest
from conftest import ROOT
from imports import closure, imported, module_name

from oss_analysis import notebook_specs
from oss_analysis.pipeline import code_inputs
from oss_analysis.transform import registry

MODULES = {
    "oss_analysis",
    "oss_analysis.paths",
    "oss_analysis.output",
    "oss_analysis.output.charts",
    "oss_analysis.output.style",
    "oss_analysis.review",
    "oss_analysis.review.gallery",
}


def test_imports_anywhere_in_the_code_are_read():
    source = (
        "import pandas as pd\n"
        "from oss_analysis.output import charts\n"  # a module: the module, and its packages
        "def f():\n"
        "    from oss_analysis import paths\n"  # inside a function: it runs when f is called
        "    return paths\n"
    )
    assert imported(source, MODULES) == {
        "oss_analysis",
        "oss_analysis.output",
        "oss_analysis.output.charts",
        "oss_analysis.paths",
    }


def test_a_name_imported_from_a_module_counts_the_module():
    assert imported("from oss_analysis.output.style import apply\n", MODULES) == {
        "oss_analysis",
        "oss_analysis.output",
        "oss_analysis.output.style",
    }
    assert imported("import oss_analysis.review.gallery as g\n", MODULES) >= {"oss_analysis.review.gallery"}


def test_relative_imports():
    source = "from . import style\nfrom ..review import gallery\n"
    found = imported(source, MODULES, module="oss_analysis.output.charts")
    assert found == {"oss_analysis", "oss_analysis.output", "oss_analysis.output.style", "oss_analysis.review",
                     "oss_analysis.review.gallery"}
    init = imported("from . import charts\n", MODULES, module="oss_analysis.output", is_package=True)
    assert init == {"oss_analysis", "oss_analysis.output.charts"}  # not itself


def test_closure_follows_imports_through_circles():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"b"}, "d": {"a"}}
    assert closure(["a"], graph) == {"a", "b", "c"}
    assert closure(["d"], graph) == {"a", "b", "c", "d"}
    assert closure([], graph) == set()


def test_a_made_up_package_is_read_from_its_files(tmp_path, monkeypatch):
    tmp_path = tmp_path.resolve()
    pkg = tmp_path / "src" / "oss_analysis"
    for rel, text in {
        "__init__.py": "",
        "output/__init__.py": "",
        "output/charts.py": "from .style import apply\n",  # a name from a module: the module; apply's import
        "output/style.py": "def apply():\n    from oss_analysis import paths\n    return 'theme.mplstyle'\n",
        "output/theme.mplstyle": "",  # a data file named by the module beside it
        "paths.py": "from oss_analysis.output import charts\n",  # a circle
        "review/__init__.py": "",
        "review/gallery.py": "from oss_analysis.output import charts\n",
    }.items():
        (pkg / rel).parent.mkdir(parents=True, exist_ok=True)
        (pkg / rel).write_text(text)
    monkeypatch.setenv("OSS_ANALYSIS_ROOT", str(tmp_path))
    run = code_inputs.modules_run(["import pandas\n", "from oss_analysis.output import charts\n"])
    names = {module_name(p, tmp_path / "src") for p in run if p.suffix == ".py"}
    # not the gallery, which imports charts, not the other way round
    assert names == {"oss_analysis", "oss_analysis.output", "oss_analysis.output.charts", "oss_analysis.output.style",
                     "oss_analysis.paths"}
    assert pkg / "output" / "theme.mplstyle" in run
    assert code_inputs.modules_run(["import oss_analysis.review.gallery as g\n"]) == sorted(
        [*run, pkg / "review" / "__init__.py", pkg / "review" / "gallery.py"])
    assert code_inputs.modules_run(["def f(:\n"]) == sorted([*pkg.rglob("*.py"), pkg / "output" / "theme.mplstyle"])


def test_notebook_magics_are_left_out(tmp_path):
    path = tmp_path / "n.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("%matplotlib inline\nfrom oss_analysis import paths\n!ls"),
        nbformat.v4.new_code_cell("%%bash\necho from oss_analysis import nothing"),
        nbformat.v4.new_markdown_cell("from oss_analysis.review import gallery"),
    ]), path)
    sources = code_inputs.notebook_sources(path)
    assert [imported(s, MODULES) for s in sources] == [{"oss_analysis", "oss_analysis.paths"}, set()]


def _read_from_the_tree(code: str) -> set[str]:
    """The package modules some code runs, by tests/imports.py: its imports and theirs."""
    src = ROOT / "src"
    modules = {module_name(p, src): p for p in sorted((src / "oss_analysis").rglob("*.py"))}
    graph = {m: imported(p.read_text(), modules, m, p.name == "__init__.py") for m, p in modules.items()}
    return closure(imported(code, modules), graph)


@pytest.mark.parametrize("name", sorted(notebook_specs.notebooks()))
def test_each_notebook_runs_what_the_syntax_tree_imports(name):
    code = "\n".join(code_inputs.notebook_sources(notebook_specs.notebooks()[name].path))
    files = code_inputs.notebook_code(name)
    got = {module_name(p, ROOT / "src") for p in files if p.suffix == ".py"}
    assert got == _read_from_the_tree(code)
    style = ROOT / "src" / "oss_analysis" / "output"  # the style sheet counts where the style module does
    assert ((style / "theme.mplstyle") in files) == ((style / "style.py") in files)
    assert not [m for m in got if m.startswith("oss_analysis.pipeline")]  # the runner is no code input


def test_prepare_jobs_run_the_builders_closure():
    for table in registry.TABLES:
        got = {module_name(p, ROOT / "src") for p in code_inputs.table_code(table)}
        assert got == _read_from_the_tree("from oss_analysis.transform import clean\n"), table
    with pytest.raises(KeyError):
        code_inputs.table_code("no_such_table")


def test_code_inputs_tell_the_jobs_apart():
    """What the acceptance test on a built tree relies on: some notebooks draw with the chart
    helpers and some do not, and no job runs the figure-diff or gallery review tools."""
    src = ROOT / "src" / "oss_analysis"
    code = {name: set(code_inputs.notebook_code(name)) for name in notebook_specs.notebooks()}
    drawing = {name for name, files in code.items() if src / "output" / "charts.py" in files}
    assert drawing and drawing != set(code)
    for tool in ("review/figure_diff.py", "review/gallery.py", "pipeline/runner.py"):
        assert not [name for name, files in code.items() if src / tool in files], tool
        assert src / tool not in code_inputs.table_code("facts")
    inputs = code_inputs.notebook_inputs("corruption")
    assert inputs["src"] == sorted(code["corruption"]) and inputs["notebook"]
