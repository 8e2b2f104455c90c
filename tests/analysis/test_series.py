"""The series since the thesis: the post-Soviet median is the fifteen states of one definition
file whatever comparator groups a run sets, and the comparator group's median is its own series."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import ROOT

from oss_analysis.analysis import series
from oss_analysis.errors import DataError

FIFTEEN = list(pd.read_csv(ROOT / series.POST_SOVIET)["iso3"])
# the thesis' comparators as KGZ.yaml sets them: Singapore in, six post-Soviet states out
THESIS_GROUPS = {
    "Benchmark": ["SGP"],
    "Baltic states": ["EST", "LVA", "LTU"],
    "Russia": ["RUS"],
    "Central Asia": ["KAZ", "KGZ", "UZB", "TJK", "TKM"],
}


def _wgi(codes: list[str]) -> pd.DataFrame:
    """A made-up release: country i scores 10 * i on every indicator, so each median is known."""
    rows = [
        {
            "iso3": c,
            "release": 2024,
            "year": 2023,
            "indicator": ind,
            "pct_rank": 10.0 * i,
            "pct_rank_lower": 0.0,
            "pct_rank_upper": 100.0,
            "source_file": "data/sources/wgi/made_up.csv",
        }
        for i, c in enumerate(codes)
        for ind in ("VA", "CC")
    ]
    return pd.DataFrame(rows)


def _median(frame: pd.DataFrame, prefix: str) -> pd.DataFrame:
    return frame[frame["series"].str.startswith(prefix) & (frame["indicator"] == "VA")]


def test_the_post_soviet_median_covers_the_other_fourteen_whatever_the_groups():
    wgi = _wgi(["SGP", *FIFTEEN])
    for groups in (THESIS_GROUPS, {"Central Asia": ["KAZ", "KGZ", "UZB", "TJK", "TKM"]}):
        out = series.wgi_series(wgi, "KGZ", groups)
        med = _median(out, "post-Soviet").iloc[0]
        others = [c for c in FIFTEEN if c != "KGZ"]
        assert med["series"] == "post-Soviet median (other 14)"
        assert med["members"].split() == others and med["n"] == 14
        values = {c: 10.0 * (i + 1) for i, c in enumerate(FIFTEEN)}  # SGP is country 0
        assert med["value"] == pd.Series([values[c] for c in others]).median()
        assert "SGP" not in med["members"]


def test_a_focus_outside_the_fifteen_gets_the_median_of_all_fifteen():
    out = series.wgi_series(_wgi(["SGP", *FIFTEEN]), "SGP", THESIS_GROUPS)
    med = _median(out, "post-Soviet").iloc[0]
    assert med["series"] == "post-Soviet median (all 15)" and med["n"] == 15
    assert set(out["series"]) == {"SGP", "post-Soviet median (all 15)"}  # SGP's group has no other member


def test_the_comparator_group_median_is_a_separate_series_over_the_other_members():
    out = series.wgi_series(_wgi(["SGP", *FIFTEEN]), "KGZ", THESIS_GROUPS)
    group = _median(out, "Central Asia").iloc[0]
    assert group["series"] == "Central Asia median (other 4)"
    assert group["members"] == "KAZ UZB TJK TKM" and group["n"] == 4
    assert list(dict.fromkeys(out["series"])) == [
        "Central Asia median (other 4)",
        "KGZ",
        "post-Soviet median (other 14)",
    ]


def test_a_group_median_over_two_says_it_is_their_mean():
    out = series.wgi_series(_wgi(["SGP", *FIFTEEN]), "EST", {"Baltic states": ["EST", "LTU", "LVA"]})
    group = _median(out, "Baltic").iloc[0]
    assert group["series"] == "Baltic states: mean of LTU and LVA"
    assert group["members"] == "LTU LVA" and group["n"] == 2
    codes = ["SGP", *FIFTEEN]
    assert group["value"] == 10.0 * (codes.index("LTU") + codes.index("LVA")) / 2


def test_a_definition_naming_a_country_the_files_lack_stops_with_its_line():
    with pytest.raises(DataError, match=r"former_soviet_union.csv, line \d+, column 'iso3': country not in the data"):
        series.wgi_series(_wgi(FIFTEEN[:-1]), "KGZ", THESIS_GROUPS)


def test_the_definition_is_the_fifteen_states():
    assert len(FIFTEEN) == len(set(FIFTEEN)) == 15
    assert series.post_soviet(FIFTEEN) == FIFTEEN
