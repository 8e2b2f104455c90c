"""Each check that tests/build/test_claims.py runs over every output fails on a made-up wrong
claim: a credit missing or extra, a study credited for publisher rows, a legend entry not
drawn, a title about another country or year, claims missing."""

import json

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from claims import check_legend, check_sources, check_title

from oss_analysis.output import style, tables
from oss_analysis.output.source_line import source_line

PUBLISHER = "TI CPI edition 2022 (data/sources/cpi/CPI2024_GlobalResultsTrends.csv)"
PRINTED = "thesis Table 3"


def _chart(folder, sources, title="CPI 2022: Moldova ranks 76 of 180", legend=("Moldova",)):
    """A made-up chart saved as every chart is: its rows name their sources."""
    folder.mkdir(parents=True, exist_ok=True)
    data = pd.DataFrame({"iso3": ["MDA", "EST"][: len(sources)], "score": [42.0, 74.0][: len(sources)]})
    data["source"] = sources
    fig, ax = plt.subplots()
    for i, name in enumerate(legend):
        ax.plot([0, 1], [i, i], label=name)
    ax.set_title(title, loc="left")
    ax.legend()
    style.save_figure(fig, "made_up", folder, data=data)
    return folder


def _rewrite(folder, **claims):
    path = folder / "made_up.meta.json"
    path.write_text(json.dumps(json.loads(path.read_text()) | claims), encoding="utf-8")


def test_claims_as_written_pass_every_check(tmp_path):
    folder = _chart(tmp_path / "run", [PUBLISHER, PUBLISHER])
    assert check_sources(folder, "made_up.png") == [] and check_legend(folder, "made_up.png") == []


def test_a_missing_or_extra_file_credit_fails(tmp_path):
    folder = _chart(tmp_path / "run", [PUBLISHER])
    meta = json.loads((folder / "made_up.meta.json").read_text())
    extra = [*meta["sources"], {"file": "data/sources/cpi/cpi.csv", "release": "2009"}]
    _rewrite(folder, sources=extra, source_line=source_line(extra))
    assert "not drawn" in check_sources(folder, "made_up.png")[0]
    _rewrite(folder, sources=[], source_line="Source: ")
    missing = "misses [('data/sources/cpi/CPI2024_GlobalResultsTrends.csv', '2022')]"
    assert missing in check_sources(folder, "made_up.png")[0]


def test_a_source_line_its_credits_do_not_give_fails(tmp_path):
    folder = _chart(tmp_path / "run", [PUBLISHER])
    _rewrite(folder, source_line="Source: TI CPI 2009, as printed in Janenova (2010), Table 3")
    assert "is not what its sources say" in check_sources(folder, "made_up.png")[0]


def test_a_study_credited_for_publisher_rows_fails(tmp_path):
    """The 2022 run's defect: 'as printed in Janenova (2010)' over values from 2022/2024 files."""
    folder = _chart(tmp_path / "run", [PUBLISHER])
    meta = json.loads((folder / "made_up.meta.json").read_text())
    wrong = [{"study": "Janenova (2010)", "table": "Table 3", "cites": "TI CPI 2009"}, *meta["sources"]]
    _rewrite(folder, sources=wrong, source_line=source_line(wrong))
    assert "credits ['Janenova (2010)'] but printed rows drawn: False" in check_sources(folder, "made_up.png")[0]


def test_an_addition_credited_but_not_drawn_fails(tmp_path):
    """After add-country-data, an output credits the added rows only when it draws them."""
    folder = _chart(tmp_path / "figures", [PUBLISHER])
    extra = [{"file": "data/raw/additions/cpi_2009_additions.csv", "added_from": "TI file CPI2009.csv"}]
    _rewrite(folder, sources=extra + json.loads((folder / "made_up.meta.json").read_text())["sources"])
    _rewrite(folder, source_line=source_line(json.loads((folder / "made_up.meta.json").read_text())["sources"]))
    assert "credits rows added from ['TI file CPI2009.csv']" in check_sources(folder, "made_up.png")[0]


def test_a_legend_entry_not_drawn_fails(tmp_path):
    folder = _chart(tmp_path / "run", [PUBLISHER], legend=("Moldova", "Kazakhstan"))
    assert check_legend(folder, "made_up.png") == []
    _rewrite(folder, legend=["Moldova", "Kazakhstan", "thesis (UN survey 2008)"])
    assert "legend" in check_legend(folder, "made_up.png")[0]


def test_a_title_about_another_country_or_year_fails(tmp_path):
    default = _chart(tmp_path / "default", [PRINTED], title="CPI 2009: Kazakhstan ranks 120 of 180")
    run = _chart(tmp_path / "MDA_2022", [PUBLISHER])
    assert check_title(run, "made_up.png", default, "MDA", 2022, {2008, 2009}) == []
    _rewrite(run, title="CPI 2009: Moldova ranks 76 of 180")
    assert "does not name the run's year 2022" in check_title(run, "made_up.png", default, "MDA", 2022, {2009})[0]
    _rewrite(run, title="CPI 2022: Kazakhstan ranks 120 of 180")
    assert "is not about Moldova" in check_title(run, "made_up.png", default, "MDA", 2022, {2009})[0]


def test_an_output_without_claims_fails(tmp_path):
    folder = tmp_path / "run"
    tables.write_table(pd.DataFrame({"source": [PUBLISHER], "score": [42.0]}), "made_up", folder)
    assert check_sources(folder, "made_up.md") == []
    (folder / "made_up.meta.json").unlink()
    assert check_sources(folder, "made_up.md") == ["made_up.md: no made_up.meta.json"]


def test_a_table_naming_a_file_it_does_not_credit_fails(tmp_path):
    folder = tmp_path / "run"
    tables.write_table(pd.DataFrame({"source": [PUBLISHER], "score": [42.0]}), "made_up", folder)
    _rewrite(folder, sources=[], source_line="Source: ")
    assert "without crediting them" in check_sources(folder, "made_up.md")[0]


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")
