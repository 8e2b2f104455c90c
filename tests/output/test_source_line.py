"""A chart's source line comes from the data package, never typed."""


import matplotlib.pyplot as plt
import pandas as pd
import pytest
from conftest import ROOT, committed_charts

from oss_analysis.output import source_line, style

CHARTS = committed_charts()


def test_source_line_comes_from_the_data_package():
    assert source_line.source_line(["wgi_2008"]) == "Source: WGI, 2009 release, as printed in Janenova (2010), Table 2"
    assert source_line.source_line(["oss_stages"]) == "Source: Janenova (2010), Figure 4"


def test_facts_are_cited_by_the_sources_the_study_gives_for_them():
    shown = pd.DataFrame({"fact_id": ["A004", "A003"]})
    line = source_line.source_line(["satisfaction"], shown)
    assert line.startswith("Source: Galy and Tynyshbayeva (article), text, citing ")
    assert "UNDP, 2021" in line and "Government of Kazakhstan, 2021" in line and "Janenova" not in line


@pytest.mark.parametrize("chart", CHARTS)
def test_every_committed_chart_carries_a_source_line(chart):
    svg = (ROOT / "figures" / f"{chart}.svg").read_text()
    assert '<g id="source-line">' in svg
    assert "<!-- Source: " in svg.split('<g id="source-line">')[1][:400]


def test_a_chart_without_known_source_is_refused(tmp_path):
    fig, _ = plt.subplots()
    with pytest.raises(ValueError, match="no source known"):
        style.save_figure(fig, "orphan", tmp_path, data=pd.DataFrame({"x": [1]}))
    assert not list(tmp_path.iterdir())

