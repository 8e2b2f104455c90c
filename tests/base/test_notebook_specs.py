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


def test_a_country_run_publishes_only_what_the_focus_country_or_year_changes(spec):
    corruption = notebook_specs.notebooks()["corruption"]
    assert "thesis_table_03" in corruption.same_in_every_run
    assert not {o for o in corruption.run_outputs if o.startswith("thesis_table_03.")}
    assert corruption.run_outputs == tuple(o for o in corruption.outputs if not o.startswith(
        tuple(f"{s}." for s in corruption.same_in_every_run)))
    assert "cpi_ranked.png" in corruption.run_outputs and "cpi_ranked.meta.json" in corruption.run_outputs
    # a stem that is none of the entry's outputs is the one-line error naming it
    text = spec.read_text()
    spec.write_text(text.replace("same_in_every_run: [thesis_table_02]", "same_in_every_run: [thesis_table_2]", 1))
    notebook_specs._spec.cache_clear()
    with pytest.raises(DataError, match=r"^workflow/notebooks.yaml, line \d+: notebook 'governance': "
                       r"same_in_every_run names 'thesis_table_2', not an output$"):
        notebook_specs.notebooks()
    spec.write_text(text.replace("same_in_every_year: [wgi_since_thesis,", "same_in_every_year: [wgi_since,", 1))
    notebook_specs._spec.cache_clear()
    with pytest.raises(DataError, match=r"^workflow/notebooks.yaml, line \d+: notebook 'series': "
                       r"same_in_every_year names 'wgi_since', not an output$"):
        notebook_specs.notebooks()


def test_every_chart_and_table_is_listed_with_its_claims():
    """The claims (.meta.json) are derived outputs: one after each chart's .png and each table's
    .md, so the build graph knows them; a chart and a table of one name would share one: refused."""
    assert notebook_specs.with_claims(["t.csv", "t.md", "c.png", "c.svg", "c.data.csv"]) == (
        "t.csv", "t.md", "t.meta.json", "c.png", "c.meta.json", "c.svg", "c.data.csv",
    )
    with pytest.raises(DataError, match=r"x.png: a chart and a table named alike would share x.meta.json"):
        notebook_specs.with_claims(["x.md", "x.png"])
    outputs = [o for nb in notebook_specs.notebooks().values() for o in nb.outputs]
    assert all(o.rsplit(".", 1)[0] + ".meta.json" in outputs for o in outputs if o.endswith((".png", ".md")))


def test_an_entry_of_the_wrong_type_is_one_line(spec):
    """pydantic checks the types of an entry's keys: a list given as a number names the key."""
    text = spec.read_text()
    assert "    processed: [satisfaction, facts]\n" in text
    spec.write_text(text.replace("    processed: [satisfaction, facts]\n", "    processed: 5\n", 1))
    with pytest.raises(DataError, match=r"^workflow/notebooks.yaml, line \d+: notebook 'satisfaction': key 'processed' "
                       r"Input should be a valid tuple \(keys: notebook, params, outputs, title, processed, ") as err:
        notebook_specs.notebooks()
    assert "\n" not in str(err.value)
