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
    assert "<td>3</td><td>v</td><td>2</td><td>3</td>" in page
    assert figure_diff.write_report(a, a, files, tmp_path / "same") == []
    assert "byte-identical" in (tmp_path / "same" / "index.html").read_text()

