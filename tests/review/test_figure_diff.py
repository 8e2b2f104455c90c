"""The figure diff shows a changed chart and its changed cells."""


import matplotlib.pyplot as plt
import pandas as pd

from oss_analysis.output import style
from oss_analysis.review import figure_diff


def _chart(folder, y):
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.bar(["a", "b"], y)
    style.save_figure(fig, "demo", folder, data=pd.DataFrame({"k": ["a", "b"], "v": y}), sources=["cpi_2009"])


def test_figure_diff_shows_committed_rebuilt_and_difference(tmp_path):
    a, b = tmp_path / "committed", tmp_path / "rebuilt"
    a.mkdir(), b.mkdir()
    _chart(a, [1, 2])
    _chart(b, [1, 3])
    files = ["demo.png", "demo.svg", "demo.data.csv"]
    charts = figure_diff.write_report(a, b, files, tmp_path / "report")
    page = (tmp_path / "report" / "index.html").read_text()
    assert charts == ["demo"]
    for which in ("committed", "rebuilt", "difference"):
        assert (tmp_path / "report" / "img" / f"demo.{which}.png").stat().st_size > 500
        assert f'src="img/demo.{which}.png"' in page
    assert "<td>k = b</td><td>v</td><td>2</td><td>3</td><td>3</td>" in page  # named by row key and column
    assert '<a href="img/demo.rebuilt.png"' in page  # each image links to its full size
    assert figure_diff.compare(a, b, files) == [
        "figures/demo.png: bytes differ (committed {}, rebuilt {}); its numbers are in the .data.csv beside it".format(
            *(figure_diff.sha256(d / "demo.png")[:12] for d in (a, b))),
        "figures/demo.svg: bytes differ (committed {}, rebuilt {}); its numbers are in the .data.csv beside it".format(
            *(figure_diff.sha256(d / "demo.svg")[:12] for d in (a, b))),
        "figures/demo.data.csv line 3, column 'v': committed '2', rebuilt '3'",
    ]
    assert figure_diff.write_report(a, a, files, tmp_path / "same") == []
    assert "byte-identical" in (tmp_path / "same" / "index.html").read_text()


def test_diff_names_rows_by_a_key_a_reader_can_find():
    """Changed cells are named by what identifies their row (a country, a year and a scale),
    not by a file line only: the rule picks a unique text column, else unique leading columns."""
    table = pd.DataFrame({"rank": ["3", "27"], "Country": ["Singapore", "Estonia"], "score": ["9.2", "6.6"]})
    assert figure_diff.row_labels(table) == ["Country = Singapore", "Country = Estonia"]
    series = pd.DataFrame({"year": ["1999", "1999", "2000"], "scale": ["10", "100", "10"], "v": ["1", "2", "3"]})
    assert figure_diff.row_labels(series) == ["year = 1999, scale = 10", "year = 1999, scale = 100",
                                              "year = 2000, scale = 10"]
    same = pd.DataFrame({"a": ["1", "1"], "b": ["x", "x"]})
    assert figure_diff.row_labels(same) == ["line 2", "line 3"]
