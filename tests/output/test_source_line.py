"""A chart's source line comes from the data package, never typed."""


import matplotlib.pyplot as plt
import pandas as pd
import pytest
from conftest import ROOT, committed_charts

from oss_analysis.output import source_line, style

CHARTS = committed_charts()


def _line(data, tables=()):
    return source_line.source_line(source_line.credits(data, tables))


def test_rows_that_say_nothing_are_credited_with_their_tables_print():
    assert _line(None, ["wgi_2008"]) == "Source: WGI, 2009 release, as printed in Janenova (2010), Table 2"
    assert _line(None, ["oss_stages"]) == "Source: Janenova (2010), Figure 4"


def test_facts_are_cited_by_the_sources_the_study_gives_for_them():
    shown = pd.DataFrame({"fact_id": ["A004", "A003"]})
    line = _line(shown, ["satisfaction"])
    assert line.startswith("Source: Galy and Tynyshbayeva (article), text, citing ")
    assert "UNDP, 2021" in line and "Government of Kazakhstan, 2021" in line and "Janenova" not in line
    figure = pd.DataFrame({"source": ["Figure 4 stage 2, line 1035", "text, line 1035 (T060)"]})  # T060 cites Figure 4
    assert _line(figure) == "Source: Janenova (2010), Figure 4"  # the study's own figure: credited once, as the figure


def test_each_row_credits_its_own_origin_and_nothing_else():
    """A print is credited only for its rows, each publisher's file with the releases drawn."""
    rows = pd.DataFrame(
        {
            "source": [
                "thesis Table 3",
                "TI CPI edition 2022 (data/sources/cpi/CPI2024_GlobalResultsTrends.csv)",
                "World Bank WGI release 2024 (data/sources/wgi/wgi_2024_release_long.csv)",
                "TI CPI edition 2010 (data/sources/cpi/cpi.csv), rank computed",
                "TI CPI edition 2011 (data/sources/cpi/cpi.csv)",
            ]
        }
    )
    assert source_line.credits(rows) == [
        {"study": "Janenova (2010)", "table": "Table 3", "cites": "TI CPI 2009"},
        {"file": "data/sources/cpi/CPI2024_GlobalResultsTrends.csv", "release": "2022"},
        {"file": "data/sources/wgi/wgi_2024_release_long.csv", "release": "2024"},
        {"file": "data/sources/cpi/cpi.csv", "release": "2010"},
        {"file": "data/sources/cpi/cpi.csv", "release": "2011"},
    ]
    publisher_only = _line(rows.iloc[1:])
    assert "Janenova" not in publisher_only and "TI CPI edition 2010-2011 (data/sources/cpi/cpi.csv)" in publisher_only
    x_values = pd.DataFrame({"source": ["thesis Table 3"], "cc_source": [rows["source"][2]]})
    assert "World Bank WGI release 2024" in _line(x_values)  # a scatter's x values name their release


def test_ranks_are_credited_to_the_study_that_prints_them():
    """The thesis prints the 2008 UN ranks (line 316): the article is not credited for them."""
    ranks = pd.DataFrame({"iso3": ["KAZ", "EST"], "source": ["line 316 (T024)", "line 316 (T025)"]})
    assert _line(ranks) == "Source: Janenova (2010), text, citing United Nations E-Government Survey 2008"


def test_a_table_with_added_rows_needs_rows_that_say_so(project, fresh_caches):
    """Once a user adds rows, a frame that cannot tell them from the printed ones is refused; a
    frame whose rows name their source credits the additions file only when it draws its rows."""
    added = "TI CPI edition 2009 (data/sources/cpi/CPI2009.csv), added"  # as add-country-data writes it
    path = project / "data" / "raw" / "additions" / "cpi_2009_additions.csv"
    path.write_text(path.read_text() + f"ARM,Armenia,120,2.7,2009,\"{added}\"\n", encoding="utf-8")
    with pytest.raises(ValueError, match="cpi_2009: rows from cpi_2009_additions need a source column"):
        source_line.credits(pd.DataFrame({"score": [2.7]}), ["cpi_2009"])
    printed = pd.DataFrame({"source": ["thesis Table 3"]})
    assert "added" not in _line(printed, ["cpi_2009"])
    line = _line(pd.DataFrame({"source": ["thesis Table 3", added]}), ["cpi_2009"])
    assert line.endswith(
        "; rows added in data/raw/additions/cpi_2009_additions.csv; TI CPI edition 2009 (data/sources/cpi/CPI2009.csv)"
    )


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



def test_credits_are_a_set_a_study_named_once():
    """A derived rank (the study's text, no citation) beside a printed one (the same text, citing
    the survey): the study is credited once, with what it cites."""
    ranks = pd.DataFrame({"source": ["2005 rank + 16 (line 316)", "line 316 (T024)"], "study": ["thesis", "thesis"]})
    assert source_line.credits(ranks) == [
        {"study": "Janenova (2010)", "table": "text", "cites": "United Nations E-Government Survey 2008"}
    ]
