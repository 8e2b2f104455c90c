"""workflow/notebooks.yaml: an entry missing a key, an unknown key or broken YAML is the one-line
error naming the file, the line, the entry and the key, never a KeyError."""

import pytest

from oss_analysis import notebook_specs
from oss_analysis.errors import DataError


@pytest.fixture
def spec(project):
    notebook_specs._spec.cache_clear()
    yield project / "workflow" / "notebooks.yaml"
    notebook_specs._spec.cache_clear()


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("    params: config/params/satisfaction.yaml\n", "",
         r"^workflow/notebooks.yaml, line \d+: notebook 'satisfaction': key 'params' is required \(keys: notebook, "),
        ("    params: config/params/satisfaction.yaml\n", "    params: config/params/satisfaction.yaml\n    parms: x\n",
         r"^workflow/notebooks.yaml, line \d+: notebook 'satisfaction': key 'parms' is not a key an entry takes"),
        ("notebooks:\n", "notebooks: [\n", r"^workflow/notebooks.yaml, line \d+: is not valid YAML \(column \d+\)"),
    ],
)
def test_a_broken_entry_is_one_line(spec, old, new, message):
    text = spec.read_text()
    assert old in text
    spec.write_text(text.replace(old, new, 1))
    with pytest.raises(DataError, match=message) as err:
        notebook_specs.notebooks()
    assert "\n" not in str(err.value)
    if "line" in message and "satisfaction" in message:
        line = int(str(err.value).split("line ")[1].split(":")[0])
        assert spec.read_text().splitlines()[line - 1].strip() == "satisfaction:"
