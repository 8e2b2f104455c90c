"""What the focus-country notebooks draw: printed values, else the publishers' (docs/stages/analysis.md)."""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

from oss_analysis import countries, paths
from oss_analysis.domain import WGI_CODES, source_labels, ti_rank, year_span
from oss_analysis.errors import ParameterError
from oss_analysis.files import csv_rows
from oss_analysis.transform import clean


def wanted(focus: str, groups_file: str | None = None) -> list[str]:
    """The focus country and the members of its comparator groups (codes as the files write them)."""
    codes = [str(focus).strip().upper()]
    file = paths.root() / groups_file if groups_file else None
    if file and file.exists():
        codes += [(row.get("iso3") or "").strip().upper() for _, row in csv_rows(file, str(groups_file))]
    return list(dict.fromkeys(c for c in codes if c))


def _carry(out: pd.DataFrame, printed: pd.DataFrame, table: str) -> pd.DataFrame:
    """A view remembers its processed tables (``attrs['processed']``): a chart of it is credited like a table."""
    out.attrs["processed"] = list(dict.fromkeys([*printed.attrs.get("processed", []), table]))
    return out


def check_year(year: object, available: Iterable[int], what: str, parameter: str = "year") -> int:
    """A year the publishers' files hold; otherwise one line with the years they do hold."""
    years = set(int(y) for y in available)
    if not isinstance(year, int) or isinstance(year, bool) or year not in years:
        raise ParameterError(f"parameter {parameter}: {year!r} is not a year the {what} hold; "
                             f"they hold {year_span(years)}")
    return year


def _names(printed: pd.DataFrame, codes: Iterable[str]) -> dict[str, str]:
    """Printed spelling where the table has one, else the usual short name."""
    known = dict(zip(printed["iso3"], printed["country"], strict=False))
    return {c: known.get(c) or countries.name_of(c) for c in codes}


def printed_only(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows a study prints (a seed line): without the rows users added, which carry none."""
    added = frame["seed_line"].isna()
    return frame[~added].reset_index(drop=True) if added.any() else frame  # (attrs follow the rows)


def _with_files(printed: pd.DataFrame, year: int, codes: Iterable[str], file: pd.DataFrame, label: str,
                sort: list[str], table: str) -> pd.DataFrame:
    """The print if it holds the year and every country drawn, else one file and release (``file``) for all."""
    drawn = list(dict.fromkeys([*printed["iso3"], *codes]))
    keep = printed
    if year != int(printed["year"].iloc[0]) or not set(drawn) <= set(printed_only(printed)["iso3"]):
        added = printed["seed_line"].isna() & printed["source"].str.startswith(label)
        keep = printed[added & (printed["year"] == year)]
    need = [c for c in drawn if c not in set(keep["iso3"])]
    rows = file[file["iso3"].isin(need)]
    out = pd.concat([keep, rows.assign(country=rows["iso3"].map(_names(printed, rows["iso3"])))], ignore_index=True)
    return _carry(out.sort_values(sort, kind="stable").reset_index(drop=True), printed, table)


def wgi_view(printed: pd.DataFrame, year: int, codes: Iterable[str], *, publisher: bool) -> pd.DataFrame:
    """WGI percentile ranks for ``year`` in the layout of ``wgi_2008``, each row's ``source`` named."""
    if not publisher:
        return printed_only(printed)
    src, codes = clean.load("wgi_sources"), list(codes)
    year = check_year(year, src["year"], "WGI files")
    at = src[(src["year"] == year) & src["pct_rank"].notna()]  # the newest release holding every country drawn
    holds = at.groupby("release")["iso3"].agg(set)
    at = at[at["release"] == max([r for r, s in holds.items() if s >= {*printed["iso3"], *codes}] or holds.index)]
    rows = pd.DataFrame(
        {"iso3": at["iso3"], "year": year, "indicator": at["indicator"],
         "indicator_name": at["indicator"].map(WGI_CODES), "percentile": at["pct_rank"].astype(float),
         "source": source_labels("World Bank WGI release", at, "release"), "seed_line": pd.NA}
    )
    return _with_files(printed, year, codes, rows, rows["source"].iloc[0], ["iso3", "indicator"], "wgi_sources")


def _cpi_rows(src: pd.DataFrame, year: int) -> pd.DataFrame:
    """The CPI scores for ``year`` from one file: one with ranks first, else the newest; ranks computed if absent."""
    at = src[src["year"] == year]
    best = at.groupby("source_file").agg(ranked=("rank", lambda r: bool(r.notna().all())), edition=("edition", "max"))
    chosen = at[at["source_file"] == best.sort_values(["ranked", "edition"]).index[-1]].copy()
    if chosen["rank"].isna().any():  # TI's rule: ties share the rank
        chosen["rank"] = ti_rank(chosen["score"])
        chosen["rank_computed"] = True
    return chosen


def cpi_view(printed: pd.DataFrame, year: int, codes: Iterable[str], *, publisher: bool) -> pd.DataFrame:
    """CPI rank and score for ``year`` in the layout of ``cpi_2009``, plus ``scale`` (10 or 100)."""
    if not publisher:
        return printed_only(printed).assign(scale=10)
    src, printed = clean.load("cpi_sources"), printed.assign(scale=10)
    year = check_year(year, src["year"], "CPI files", "cpi_year")
    chosen = _cpi_rows(src, year)
    labels = source_labels("TI CPI edition", chosen, "edition")
    computed = zip(labels, chosen["rank_computed"], strict=True)
    rows = pd.DataFrame(
        {"iso3": chosen["iso3"], "year": year, "rank": chosen["rank"].astype(int),
         "score": chosen["score"].astype(float), "scale": chosen["scale"].astype(int), "seed_line": pd.NA,
         "source": [label + (", rank computed" if c else "") for label, c in computed]}
    )
    return _with_files(printed, year, codes, rows, labels[0], ["rank", "iso3"], "cpi_sources")


def cpi_total(cpi: pd.DataFrame, year: int) -> int:
    """Countries scored in the CPI file the view's year comes from."""
    return int(len(_cpi_rows(clean.load("cpi_sources"), year)))


def egov_view(ranks: pd.DataFrame, year: int, codes: Iterable[str], *, publisher: bool) -> pd.DataFrame:
    """UN e-government ranks for ``year``: the print's for its year, else the newest edition at or before it."""
    if not publisher or year == int(ranks["year"].iloc[0]):  # the printed ranks' year
        return ranks
    src = clean.load("egdi_sources")
    editions = sorted(e for e in src["edition"].unique() if e <= year)
    if not editions:
        raise ParameterError(f"parameter year: {year!r} is before the first UN e-government edition shipped; "
                             f"they hold {year_span(src['edition'])}")
    rows = src[(src["edition"] == editions[-1]) & src["iso3"].isin([*ranks["iso3"], *codes]) & src["rank"].notna()]
    return _carry(_egov_ranks(rows).reset_index(drop=True), ranks, "egdi_sources")


def _egov_ranks(rows: pd.DataFrame) -> pd.DataFrame:
    """Rows of the UN files in the layout of ``egov_ranks`` (study 'publisher', never derived)."""
    return pd.DataFrame(
        {"iso3": rows["iso3"], "year": rows["edition"].astype(int), "rank": rows["rank"].astype(int), "derived": False,
         "study": "publisher", "source": source_labels("UN E-Government Survey", rows, "edition")}
    )


def egov_series(egov: pd.DataFrame, focus: str, *, publisher: bool) -> pd.DataFrame:
    """The focus country's UN e-government ranks over time (with ``publisher``, each edition's from its file)."""
    printed = egov[egov["iso3"] == focus]
    if not publisher:
        return printed.sort_values("year")
    src = clean.load("egdi_sources")
    rows = src[(src["iso3"] == focus) & src["rank"].notna()]
    out = pd.concat([printed[~printed["year"].isin(rows["edition"])], _egov_ranks(rows)], ignore_index=True)
    out = out.sort_values("year").reset_index(drop=True)
    return _carry(out, egov, "egdi_sources")


def from_publisher(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows whose values come from a publisher's file rather than the studies (added rows too)."""
    added = frame["seed_line"].isna() if "seed_line" in frame else False
    return frame[frame["source"].str.contains("data/sources/", regex=False, na=False) | added]


def release_words(frame: pd.DataFrame) -> str:
    """A title's year: '2008' as printed, '2008 (release 2024)' from a publisher's file of another release."""
    year = year_span(frame["year"])
    found = {m for s in from_publisher(frame)["source"] for m in re.findall(r"(\w+ \d{4}) \(data/sources/", s)}
    return year + "".join(f" ({f})" for f in sorted(found) if not f.endswith(year))


def with_source(frame: pd.DataFrame, columns: list[str]) -> list[str]:
    """The chart data's columns, plus the frame's ``source`` and ``<x>_source`` columns (its source line)."""
    return [*columns, *(c for c in frame.columns if (c == "source" or c.endswith("_source")) and c not in columns)]


def source_note(frame: pd.DataFrame, printed: str) -> str:
    """A caption naming the publisher files used, by country; '' when every value is printed."""
    pub = from_publisher(frame)
    if pub.empty:
        return ""
    parts = [f"{', '.join(sorted(g['iso3'].unique()))}: {src}" for src, g in pub.groupby("source", sort=True)]
    rest = "; other values as printed in " + printed if len(pub) < len(frame) else ""
    return " Publisher values - " + "; ".join(parts) + rest + "."


def egov_available(ranks: pd.DataFrame, *, publisher: bool) -> dict[str, str]:
    """Focus countries the e-government notebook can draw (with ``publisher``, every country in the UN files)."""
    codes = set(ranks["iso3"]) | (set(clean.load("egdi_sources").query("iso3166")["iso3"]) if publisher else set())
    return {c: countries.name_of(c) for c in sorted(codes)}


def egov_edition(ranks: pd.DataFrame, facts: pd.DataFrame) -> tuple[int, int]:
    """(edition, number of countries ranked): the thesis' printed number (fact T021), else the file's count."""
    edition = int(ranks["year"].iloc[0])
    if (ranks["study"] != "publisher").all():
        return edition, int(facts.loc["T021", "value"])
    return edition, int(clean.load("egdi_sources").query("edition == @edition")["rank"].max())
