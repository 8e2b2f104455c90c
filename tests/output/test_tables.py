"""A table's rendering formats numbers as they mean, and every table is written with its claims."""

import json

import pandas as pd
import pytest

from oss_analysis.errors import DataError
from oss_analysis.output import tables
from oss_analysis.output.tables import write_table


def test_numbers_are_rendered_as_they_mean():
    """Ranks and counts whole (not '109.0'), p-values as '< 0.001' (not '0.0'), estimates to four
    significant digits (not sixteen); the .csv keeps every digit."""
    frame = pd.DataFrame(
        {
            "rank": [109.0, 7.0],
            "p_value": [0.0, 0.0114],
            "estimate": [1.0317443900851795, 2.0],
            "name": ["a", "b"],
        }
    )
    grid = tables.render(frame).splitlines()
    assert [c.strip() for c in grid[2].split("|")[1:-1]] == ["109", "< 0.001", "1.032", "a"]
    assert [c.strip() for c in grid[3].split("|")[1:-1]] == ["7", "0.011", "2", "b"]


@pytest.mark.parametrize(("value", "column", "whole", "shown"), [
    (109.0, "rank", True, "109"), (3.3e-06, "p_two_sided", False, "< 0.001"), (46.61531707895973, "z", False, "46.62"),
    (float("nan"), "z", False, ""), (None, "z", False, ""), (True, "holds", False, "True"),
    (1.0, "p_two_sided", False, "1"), (2.0, "estimate", False, "2"),
])
def test_a_cell(value, column, whole, shown):
    assert tables.md_cell(value, column, whole) == shown


def test_a_table_is_written_with_the_claims_of_its_rows(tmp_path):
    frame = pd.DataFrame({"iso3": ["MDA"], "score": [42.0]})
    rows = pd.DataFrame({"source": ["TI CPI edition 2022 (data/sources/cpi/CPI2024_GlobalResultsTrends.csv)"]})
    tables.write_table(frame, "made_up", tmp_path, title="CPI 2022: Moldova", data=rows)
    claims = json.loads((tmp_path / "made_up.meta.json").read_text())
    line = "Source: TI CPI edition 2022 (data/sources/cpi/CPI2024_GlobalResultsTrends.csv)"
    assert claims == {
        "title": "CPI 2022: Moldova",
        "source_line": line,
        "legend": [],
        "series": [],
        "alt": "CPI 2022: Moldova. A table of 1 row and 2 columns (iso3, score).",
        "sources": [{"file": "data/sources/cpi/CPI2024_GlobalResultsTrends.csv", "release": "2022"}],
    }
    assert (tmp_path / "made_up.md").read_text().endswith(line + "\n")
    tables.write_claims({"title": "a\nwrapped  title", "alt": "a\nb"}, tmp_path / "w.meta.json")  # words, not drawing
    assert json.loads((tmp_path / "w.meta.json").read_text()) == {"title": "a wrapped title", "alt": "a b"}


def test_a_table_without_a_known_source_writes_nothing(tmp_path):
    with pytest.raises(ValueError, match="table orphan: no source known"):
        tables.write_table(pd.DataFrame({"x": [1]}), "orphan", tmp_path)
    assert not list(tmp_path.iterdir())


def test_float_noise_and_whole_numbers_with_decimals_are_refused(tmp_path):
    """0.1 + 0.2 written as 0.30000000000000004 fails; a computed 8.1027622511 does not; a
    column of ranks written '109.0' stops the table before anything is written."""
    from oss_analysis.output.tables import float_noise

    assert float_noise(pd.DataFrame({"a": [0.5, 8.102762251170793], "n": [1, 2]})) is None
    assert float_noise(pd.DataFrame({"a": [0.5, 0.1 + 0.2]})) == (
        "line 3, column 'a': float noise 0.30000000000000004 for 0.3"
    )
    frame = pd.DataFrame({"rank": ["109", "110"], "score": ["3.5", "2.7"], "what": ["1323.0 services", "x"]})
    with pytest.raises(DataError, match=r"table ranks\.md: line 3, column 'what': the whole number 1323.0 written"):
        write_table(frame, "ranks", tmp_path, sources=["satisfaction"])
    assert list(tmp_path.iterdir()) == []
    write_table(frame.assign(what=["1323 services", "x"]), "ranks", tmp_path, sources=["satisfaction"])


def test_a_csv_table_writes_whole_numbers_whole_and_refuses_float_noise(tmp_path):
    """A page 13.0 is written 13 in the .csv (a float column with a decimal keeps its form); a
    sum 0.30000000000000004 stops the table, naming the .csv, before anything is written; a p-value
    near a short decimal passes."""
    frame = pd.DataFrame({"page": [13.0, None], "score": [2.0, 2.5], "as_printed": [3.0, 4.0]})
    write_table(frame, "pages", tmp_path, sources=["satisfaction"])
    assert (tmp_path / "pages.csv").read_text().splitlines() == ["page,score,as_printed", "13,2.0,3.0", ",2.5,4.0"]
    with pytest.raises(DataError, match=r"table noisy\.csv: line 2, column 'sum': float noise 0\.30000000000000004"):
        write_table(pd.DataFrame({"sum": [0.1 + 0.2]}), "noisy", tmp_path, sources=["satisfaction"])
    assert not (tmp_path / "noisy.csv").exists()
    write_table(pd.DataFrame({"p": [3.82790999956456e-06]}), "p_value", tmp_path, sources=["satisfaction"])
