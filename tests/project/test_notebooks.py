"""The notebooks are stored without outputs, a parameters cell first, and the build lists exactly
them."""

import json

import pytest
from conftest import ROOT

from oss_analysis import notebook_specs

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_output_free_with_parameters_cell(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code), "stored with outputs"
    assert "parameters" in code[0]["metadata"].get("tags", []), "first code cell is not tagged 'parameters'"
    assert "output_dir = None" in "".join(code[0]["source"])
    assert nb["metadata"]["kernelspec"]["name"] == "python3"


def test_registry_lists_exactly_the_notebooks():
    registered = {nb.path.name for nb in notebook_specs.notebooks().values()}
    assert registered == {p.name for p in NOTEBOOKS}
    for name, nb in notebook_specs.notebooks().items():
        assert nb.params.exists(), f"{name}: parameters file {nb.params} is missing"
        assert len(set(nb.outputs)) == len(nb.outputs)

