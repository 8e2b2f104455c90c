"""The cross-check against the publishers, recomputed here from the shipped files with the csv
module alone (no package reader), and the series since the thesis for the default focus country
(another country's series: tests/test_countries.py)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import ROOT

from oss_analysis.analysis import crosscheck, series
from oss_analysis.extract.publishers import ti_rank
from oss_analysis.review import against_publishers

SOURCES = ROOT / "data" / "sources"
FIGURES = ROOT / "figures"
INDICATORS = {
    "voice_and_accountability": "VA",
    "political_stability": "PV",
    "government_effectiveness": "GE",
    "regulatory_quality": "RQ",
    "rule_of_law": "RL",
    "control_of_corruption": "CC",
}
NAMES = {  # the printed names of thesis Tables 2 and 3 -> the codes the publishers' files use
    "Singapore": "SGP",
    "Estonia": "EST",
    "Latvia": "LVA",
    "Lithuania": "LTU",
    "Russia": "RUS",
    "Kazakhstan": "KAZ",
    "Kyrgyzstan": "KGZ",
    "Uzbekistan": "UZB",
    "Tajikistan": "TJK",
    "Turkmenistan": "TKM",
}


def rows(path: Path, encoding: str = "utf-8-sig") -> list[dict[str, str]]:
    with path.open(encoding=encoding, newline="") as fh:
        return list(csv.DictReader(fh))


def shipped(layout_prefix: str) -> list[dict]:
    package = json.loads((SOURCES / "datapackage.json").read_text(encoding="utf-8"))
    return [r for r in package["resources"] if r["x-layout"].startswith(layout_prefix)]


def wgi_2008_pct_ranks() -> dict[tuple[str, str, int], float]:
    """(iso3, indicator, release) -> 2008 percentile rank, parsed from each shipped WGI file."""
    out = {}
    for res in shipped("wgi"):
        release, path = int(res["x-release"]), SOURCES / res["path"]
        for r in rows(path):
            r = {k.strip().strip('"'): (v or "").strip().strip('"') for k, v in r.items() if k}
            if "pctrank" in r:  # the long layout (2024)
                if r["year"] == "2008" and r["pctrank"] not in ("", ".."):
                    out[(r["code"], r["indicator"].upper(), release)] = float(r["pctrank"])
                continue
            code = r.get("Indicator Code") or r.get("Series Code")
            year = next((k for k in r if k.startswith("2008")), None)
            if code and code.endswith(".PER.RNK") and year and r[year] not in ("", ".."):
                out[(r["Country Code"], code.split(".")[0], release)] = float(r[year])
    return out


@pytest.fixture(scope="module")
def cc() -> list[dict[str, str]]:
    return rows(FIGURES / "source_crosscheck.csv")


def test_columns_and_coverage(cc):
    assert list(cc[0]) == crosscheck.COLUMNS
    releases = {int(r["x-release"]) for r in shipped("wgi")}
    table2 = [r for r in cc if r["item"] == "Table 2"]
    assert len(table2) == 60 * len(releases) == len({(r["country_iso3"], r["measure"], r["release"]) for r in table2})
    printed3 = rows(ROOT / "data" / "raw" / "thesis_table_03_cpi.csv")
    table3 = {(r["country_iso3"], r["measure"]) for r in cc if r["item"] == "Table 3"}
    assert table3 == {(NAMES[p["country"]], m) for p in printed3 for m in ("cpi_score", "cpi_rank")}
    assert {r["verdict"] for r in cc} <= set(crosscheck.VERDICTS)


def test_wgi_values_and_verdicts_match_an_independent_parse(cc):
    parsed = wgi_2008_pct_ranks()
    printed = {
        (NAMES[r["country"]], INDICATORS[k]): v
        for r in rows(ROOT / "data" / "raw" / "thesis_table_02_wgi.csv")
        for k, v in r.items()
        if k in INDICATORS
    }
    cells: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for r in (r for r in cc if r["item"] == "Table 2"):
        ind = r["measure"].split("_")[1]
        value = parsed[(r["country_iso3"], ind, int(r["release"]))]
        assert float(r["source_value"]) == pytest.approx(value, abs=1e-6)
        assert r["printed"] == printed[(r["country_iso3"], ind)]
        p = float(r["printed"])
        tol = 0.5 * 10 ** -(len(r["printed"].partition(".")[2])) + (0.05 if r["release"] == "2024" else 1e-6)
        assert (r["verdict"] == "agrees") == (abs(p - value) <= tol + 1e-9), r
        cells.setdefault((r["country_iso3"], ind), []).append((value, tol))
    for (iso3, ind), values in cells.items():
        p = float(printed[(iso3, ind)])
        spread = max(v for v, _ in values) - min(v for v, _ in values)
        beyond = min(abs(p - v) - t for v, t in values)
        verdicts = {
            r["verdict"] for r in cc if r["country_iso3"] == iso3 and r["measure"] == f"wgi_{ind}_percentile_rank"
        }
        assert ("differs" in verdicts) == (beyond > spread + 1e-6), (iso3, ind)


def test_cpi_scores_and_ties_sharing_ranks_match_an_independent_parse(cc):
    scores = {}
    for r in rows(SOURCES / "cpi" / "CPI2009.csv"):
        scores[r["Country/Territory"].strip()] = float(r["CPI"])
    ranks = {name: 1 + sum(s > v for s in scores.values()) for name, v in scores.items()}
    for r in (r for r in cc if r["item"] == "Table 3" and r["source_file"].endswith("CPI2009.csv")):
        name = next(n for n, c in NAMES.items() if c == r["country_iso3"])
        expected = scores[name] if r["measure"] == "cpi_score" else ranks[name]
        assert float(r["source_value"]) == pytest.approx(expected)
        assert r["verdict"] == ("agrees" if float(r["printed"]) == pytest.approx(expected) else "differs")
    assert ti_rank(pd.Series([9.0, 8.0, 8.0, 7.0])).tolist() == [1, 2, 2, 4]


def test_un_ranks_against_the_shipped_editions(cc):
    facts = [f for f in rows(ROOT / "data" / "raw" / "facts.csv") if f["quantity"] in crosscheck.EGOV_MEASURES]
    un = [r for r in cc if r["measure"] in crosscheck.EGOV_MEASURES]
    assert len(un) == len(facts)
    editions = {int(r["x-release"]): SOURCES / r["path"] for r in shipped("egdi")}
    for r in un:
        year = int(r["year"])
        if year not in editions or r["measure"] not in crosscheck.FILE_RANKS:
            assert r["verdict"] == "not in source" and r["source_value"] == ""
            continue
        # the UNU layout (2010-2018) carries codes; the article's one shipped edition is 2018
        hit = [x for x in rows(editions[year]) if x.get("country-code") == r["country_iso3"]]
        assert len(hit) == 1, r
        assert float(r["source_value"]) == float(hit[0]["e-gov-rank"])
        assert r["verdict"] == ("agrees" if float(r["printed"]) == float(hit[0]["e-gov-rank"]) else "differs")


def test_every_differs_has_an_erratum_naming_the_release_that_would_settle_it(cc):
    frame = pd.DataFrame(cc).replace({"": None})
    errata = pd.DataFrame(rows(ROOT / "data" / "raw" / "errata.csv"))
    found = against_publishers.errata_of_differs(frame, errata)
    assert len(found) == len({(r["country_iso3"], r["measure"]) for r in cc if r["verdict"] == "differs"}) > 0
    assert found["erratum"].notna().all(), found[found["erratum"].isna()]
    for e in found["erratum"]:
        entry = errata[errata["erratum_id"] == e].iloc[0]
        assert "2009 release" in entry["reason"] and "data/sources/wgi/" in entry["statement_b"]


def test_verdict_rule_cases():
    tol = crosscheck.tolerance(0, float("nan"))
    assert crosscheck.verdict(84, 84.4, tol, [(84.4, tol), (86.0, tol)]) == "agrees"
    assert crosscheck.verdict(84, 86.0, tol, [(84.4, tol), (86.0, tol)]) == "revised"
    assert crosscheck.verdict(90, 86.0, tol, [(84.4, tol), (86.0, tol)]) == "differs"
    assert crosscheck.decimals("99.5") == 1 and crosscheck.decimals("35") == 0
    assert crosscheck.source_decimals([80.1, 16.0]) == 1


def test_series_data_cover_every_year_shipped():
    long = next(r for r in shipped("wgi_long"))
    years = {int(r["year"]) for r in rows(SOURCES / long["path"]) if r["code"] == "KAZ"}
    wgi = rows(FIGURES / "wgi_since_thesis.data.csv")
    for s in {r["series"] for r in wgi if r["series"]}:  # not the printed marks drawn beside the series
        for ind in INDICATORS.values():
            assert {int(r["year"]) for r in wgi if r["series"] == s and r["indicator"] == ind} == years
    cpi = {int(r["year"]) for r in rows(FIGURES / "cpi_since_thesis.data.csv")}
    merged = rows(SOURCES / "cpi" / "cpi.csv", encoding="cp1252")
    kaz = next(r for r in merged if r["country"].strip() == "Kazakhstan")
    first = min(int(y) for y, v in kaz.items() if y.isdigit() and v not in ("", "0.0"))
    assert cpi == set(range(first, 2025)) - {y for y in range(first, 2012) if kaz.get(str(y)) in ("", "0.0")}
    scales = {(int(r["year"]) >= series.SCALE_BREAK, r["scale"]) for r in rows(FIGURES / "cpi_since_thesis.data.csv")}
    assert scales == {(False, "10"), (True, "100")}
    egov = rows(FIGURES / "egov_since_thesis.data.csv")
    assert {int(r["year"]) for r in egov if r["kind"].startswith("UN")} == {
        int(r["x-release"]) for r in shipped("egdi")
    }
    assert {(r["year"], r["rank"]) for r in egov if r["kind"] == "printed (article)"} == {
        ("2018", "39"),
        ("2020", "29"),
    }

