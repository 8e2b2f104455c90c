"""Every printed value a publisher's file also holds, against each release, with a verdict (docs/stages/analysis.md)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Literal

import pandas as pd

from oss_analysis import countries
from oss_analysis.domain import CPI_YEAR, THESIS_YEAR, WGI_CODES, ti_rank
from oss_analysis.extract.transcriptions import load_raw, raw_rows, titles

Verdict = Literal["agrees", "revised", "differs", "not in source"]
VERDICTS: tuple[Verdict, ...] = ("agrees", "revised", "differs", "not in source")
KEY = ["study", "item", "country_iso3", "measure", "year"]  # one printed value (a row per release)
COLUMNS = [*KEY, "printed", "source_file", "release", "source_value", "difference", "verdict"]
CELL = ["iso3", "measure", "printed", "seed_line", "source_file", "release", "value", "sdec"]  # a cell x release
EPSILON = 1e-9
EGOV_MEASURES = ("un_egov_rank", "egdi_rank", "egdi_rank_cis", "e_participation_rank")
FILE_RANKS = ("un_egov_rank", "egdi_rank")  # the ranks the survey files carry (the world EGDI rank)
CPI_MEASURES = (("cpi_score", "cpi_score", "score"), ("cpi_rank", "country_rank", "computed_rank"))  # raw, file


def decimals(text: str) -> int:
    """Digits after the decimal point of a number as printed ('99.5' -> 1, '35' -> 0)."""
    text = str(text).strip()
    return len(text.split(".", 1)[1]) if "." in text else 0


def source_decimals(values: Iterable[float], most: int = 6) -> int:
    """The fewest decimals (at most ``most``) that reproduce every value of a release."""
    vals = [float(v) for v in values if v is not None and not math.isnan(float(v))]
    return next((d for d in range(most + 1) if all(abs(v * 10**d - round(v * 10**d)) < 1e-6 for v in vals)), most)


def tolerance(printed_decimals: int, release_decimals: float) -> float:
    """Half a unit of the printed last digit, plus half of the release's when it rounds (NaN: it does not)."""
    extra = 0.0 if math.isnan(release_decimals) else 0.5 * 10.0**-release_decimals
    return 0.5 * 10.0**-printed_decimals + extra + EPSILON


def verdict(printed: float, value: float, tol: float, releases: Sequence[tuple[float, float]]) -> Verdict:
    """Verdict of one release's ``value`` against ``printed``; ``releases``: (value, tolerance) of every release."""
    if abs(printed - value) <= tol:
        return "agrees"
    values = [v for v, _ in releases]
    beyond = min(abs(printed - v) - t for v, t in releases)
    return "revised" if beyond <= max(values) - min(values) + EPSILON else "differs"


def _raw_rows(name: str) -> list[dict[str, str]]:
    """A raw transcription as text (the printed digits), after the checks every reader makes (checksum, schema)."""
    load_raw(name)
    return raw_rows(name)


def _judge(cells: pd.DataFrame, key: list[str]) -> pd.DataFrame:
    """Add ``printed_value``, ``pdec``, ``tol`` and ``verdict`` to cells x releases (no value: 'not in source')."""
    out = cells.assign(printed_value=cells["printed"].astype(float), pdec=cells["printed"].map(decimals))
    out["tol"] = [tolerance(p, float(s)) for p, s in zip(out["pdec"], out["sdec"], strict=True)]
    groups = {k: list(zip(g["value"], g["tol"], strict=True)) for k, g in out.dropna(subset=["value"]).groupby(key)}
    verdicts = []
    for row in out.itertuples(index=False):
        k = tuple(getattr(row, c) for c in key)
        known = not pd.isna(row.value)
        verdicts.append(verdict(row.printed_value, row.value, row.tol, groups[k]) if known else "not in source")
    return out.assign(verdict=verdicts)


def wgi_rows(wgi_sources: pd.DataFrame) -> pd.DataFrame:
    """Table 2's 60 cells against every WGI release shipped (one row per cell and release)."""
    fields, codes = titles("thesis_table_02_wgi"), {v: k for k, v in WGI_CODES.items()}
    printed = pd.DataFrame(
        [
            (countries.to_iso3(r["country"]), codes[title], r[field], int(r["seed_line"]))
            for r in _raw_rows("thesis_table_02_wgi")
            for field, title in fields.items()
            if title in codes
        ],
        columns=["iso3", "indicator", "printed", "seed_line"],
    )
    src = wgi_sources[wgi_sources["year"] == THESIS_YEAR][["iso3", "indicator", "release", "pct_rank"]]
    sdec = {r: source_decimals(g["pct_rank"].dropna()) for r, g in wgi_sources.groupby("release")}
    grid = printed.merge(pd.DataFrame({"release": sorted(wgi_sources["release"].unique())}), how="cross")
    cells = grid.merge(src, on=["iso3", "indicator", "release"], how="left")
    files = dict(zip(wgi_sources["release"], wgi_sources["source_file"], strict=False))
    cells = cells.assign(
        source_file=cells["release"].map(files), value=cells["pct_rank"].astype(float),
        sdec=cells["release"].map(sdec), measure="wgi_" + cells["indicator"] + "_percentile_rank",
        item="Table 2", study="thesis", year=THESIS_YEAR,
    )
    return _judge(cells, ["iso3", "indicator"])


def cpi_rows(cpi_sources: pd.DataFrame) -> pd.DataFrame:
    """Table 3's scores and ranks against every shipped file that holds the 2009 edition."""
    src = cpi_sources[(cpi_sources["edition"] == CPI_YEAR) & cpi_sources["score"].notna()].copy()
    src["computed_rank"] = src.groupby("source_file")["score"].transform(ti_rank)
    parts = []
    for r in _raw_rows("thesis_table_03_cpi"):
        iso3 = countries.to_iso3(r["country"])
        for measure, field, col in CPI_MEASURES:
            for f in sorted(src["source_file"].unique()):
                hit = src[(src["iso3"] == iso3) & (src["source_file"] == f)]
                value = float(hit[col].iloc[0]) if len(hit) else math.nan
                parts.append((iso3, measure, r[field], int(r["seed_line"]), f, CPI_YEAR, value, math.nan))
    cells = pd.DataFrame(parts, columns=CELL).assign(item="Table 3", study="thesis", year=CPI_YEAR)
    return _judge(cells, ["iso3", "measure"])


def egov_rows(facts: pd.DataFrame, egdi_sources: pd.DataFrame) -> pd.DataFrame:
    """Every UN e-government rank the studies print, against the edition of that year if shipped."""
    rows = []
    for f in facts[facts["quantity"].isin(EGOV_MEASURES)].itertuples(index=False):
        year = int(f.date_start)
        hit = egdi_sources[(egdi_sources["edition"] == year) & (egdi_sources["iso3"] == f.iso3)]
        if f.quantity not in FILE_RANKS:  # a regional or e-participation rank: not in the files
            hit = hit.iloc[:0]
        source = (hit["source_file"].iloc[0], year, float(hit["rank"].iloc[0])) if len(hit) else (None, None, math.nan)
        item = f"{f.fact_id} (line {f.seed_line})"  # sdec NaN: a rank is the published figure itself
        rows.append((f.iso3, f.quantity, f"{f.value:g}", int(f.seed_line), *source, math.nan, f.study, year, item))
    cells = pd.DataFrame(rows, columns=[*CELL, "study", "year", "item"])
    return _judge(cells, ["iso3", "measure", "year"])


def crosscheck(wgi_sources: pd.DataFrame, cpi_sources: pd.DataFrame, egdi_sources: pd.DataFrame,
               facts: pd.DataFrame) -> pd.DataFrame:
    """The cross-check in the published columns, plus ``seed_line`` and ``tolerance`` (not published)."""
    parts = [wgi_rows(wgi_sources), cpi_rows(cpi_sources), egov_rows(facts, egdi_sources)]
    out = pd.concat(parts, ignore_index=True).rename(columns={"iso3": "country_iso3", "value": "source_value"})
    out["difference"] = (out["printed_value"] - out["source_value"]).round(6)
    out["source_value"] = out["source_value"].round(6)
    out["release"] = out["release"].astype("Int64")
    out["tolerance"] = out["tol"].round(6)
    return out[[*COLUMNS, "seed_line", "tolerance"]].reset_index(drop=True)


def published(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[COLUMNS]  # the columns of figures/source_crosscheck.csv
