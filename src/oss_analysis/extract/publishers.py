"""Readers of the publishers' files, one per layout, each giving a tidy table (docs/stages/extract.md)."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import pandas as pd

from oss_analysis import countries, paths
from oss_analysis.domain import INDICATORS, ti_rank
from oss_analysis.errors import DataError
from oss_analysis.extract.datapackage import resource_paths, source_resources
from oss_analysis.extract.publisher_file import (
    Table,
    check_interval,
    check_range,
    check_release,
    numbers,
    parse,
    read_text,
    required_numbers,
    resource,
)

# WGI measures: the DataBank series suffix, the long layout's column, the name here, the range
WGI_FIELDS = [
    ("EST", "estimate", "estimate", (-5.0, 5.0)),
    ("STD.ERR", "stddev", "stderr", (0.0, 5.0)),
    ("NO.SRC", "nsource", "n_sources", (0.0, 100.0)),
    ("PER.RNK", "pctrank", "pct_rank", (0.0, 100.0)),
    ("PER.RNK.LOWER", "pctranklower", "pct_rank_lower", (0.0, 100.0)),
    ("PER.RNK.UPPER", "pctrankupper", "pct_rank_upper", (0.0, 100.0)),
]
WGI_MEASURES = {code: name for code, _, name, _ in WGI_FIELDS}
WGI_LONG = {column: name for _, column, name, _ in WGI_FIELDS}
WGI_RANGES = {name: limits for _, _, name, limits in WGI_FIELDS}
WGI_COLUMNS = ["iso3", "country", "release", "year", "indicator", *WGI_MEASURES.values(), "source_file"]
CPI_COLUMNS = "iso3 country edition year score scale rank rank_computed n_sources stderr source_file line".split()
CPI_UNSCORED = {"rank": pd.NA, "rank_computed": False, "n_sources": pd.NA, "stderr": pd.NA}  # unless a file says
EGDI_COLUMNS = ["iso3", "country", "edition", "rank", "egdi", "epart", "osi", "hci", "tii", "source_file", "line"]
UNKNOWN_NAME = ("unknown country name (add it to config/country_aliases.csv if it is a real country, "
                "or to config/source_exclusions.csv if it is not an ISO 3166 country)")
DROP_COLUMNS = ["file", "line", "country", "iso3", "year", "kind", "detail"]
YEAR = re.compile(r"^(\d{4})(?: \[YR\d{4}\])?$")


@dataclass
class Drops:
    """Rows a reader left out, each with the reason (written to data/processed/source_drops.csv)."""

    rows: list[tuple] = field(default_factory=list)

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=DROP_COLUMNS).astype({"line": "Int64", "year": "Int64"})


def map_names(table: Table, name_col: str, drops: Drops, code_col: str | None = None) -> pd.Series:
    """ISO3 for each row by its name (exclusions and aggregates: docs/stages/extract.md); an unknown name stops."""
    names = table.frame[name_col].str.strip()
    lookup = {n: countries.to_iso3(n) for n in names.unique()}
    iso3 = names.map(lookup)
    excluded = countries.exclusions()
    for name in [n for n, code in lookup.items() if code is None]:
        rows = (names == name).to_numpy().nonzero()[0]
        code, reason = excluded.get(name.casefold(), (None, None))
        if reason is None:
            table.fail(UNKNOWN_NAME, position=int(rows[0]), column=name_col, value=name)
        if code:  # an entity the publisher scores: the file's code (else the listed one) keeps its counts
            own = table.frame[code_col].str.strip().str.upper() if code_col else pd.Series(code, index=names.index)
            iso3[names == name] = own[names == name].replace("", code)
        else:
            detail = f"{len(rows)} rows; {reason}"
            drops.rows.append((table.file, table.line(rows[0]), name, None, None, "excluded", detail))
    if code_col is not None:
        codes = table.frame[code_col].str.strip().str.upper()
        valid = codes.map({c: countries.is_iso3(c) for c in codes.unique()})
        clash = (iso3.notna() & valid & (codes != iso3)).to_numpy()
        if clash.any():
            pos = int(clash.argmax())
            name, code = names.iloc[pos], codes.iloc[pos]
            rule = f"name and code disagree: {name!r} is {iso3.iloc[pos]}, the code column says {code}"
            table.fail(rule, position=pos, column=code_col, value=code)
    return iso3


def dedupe(frame: pd.DataFrame, key: list[str], values: list[str], drops: Drops, file: str) -> pd.DataFrame:
    """Apply the duplicate rule: per key, the first row in file order that holds a value."""
    has = frame[values].notna().any(axis=1)
    ordered = frame.assign(_empty=~has).sort_values(["_empty", "line"], kind="stable")
    dup = ordered.duplicated(key, keep="first")
    if dup.any():
        first = ordered[~dup].set_index(key)["line"]
        for row in ordered[dup & ~ordered["_empty"]].itertuples(index=False):
            k = tuple(getattr(row, c) for c in key)
            kept = first.loc[k if len(k) > 1 else k[0]]
            detail = f"duplicate of {', '.join(map(str, k))}; kept line {kept}"
            year = getattr(row, "year", None)
            drops.rows.append((file, row.line, row.country, row.iso3, year, "duplicate", detail))
    return ordered[~dup].drop(columns="_empty").sort_values("line", kind="stable")


def _years(table: Table) -> list[str]:
    cols = [c for c in table.frame.columns if YEAR.match(c)]
    if not cols:
        table.fail("no year columns (1996, 1998, ... or '2008 [YR2008]')")
    return cols


def read_wgi_wide(text: str, file: str, release: int | None, drops: Drops) -> pd.DataFrame:
    """WGI wide (DataBank) layout -> tidy rows (country, year, indicator; six measures)."""
    code_col = "Indicator Code" if "Indicator Code" in text.split("\n", 1)[0] else "Series Code"
    table = parse(text, file, required=["Country Name", "Country Code", code_col], trailing_sep=True)
    years = _years(table)
    series = table.frame[code_col].str.strip()
    parts = series.str.split(".", n=1, expand=True).reindex(columns=[0, 1])
    bad = ~parts[0].isin(INDICATORS) | ~parts[1].isin(WGI_MEASURES)
    table.fail_first(bad, "unknown WGI series code (expected e.g. CC.EST, VA.PER.RNK)", code_col, series)
    iso3 = map_names(table, "Country Name", drops, "Country Code")
    values = pd.DataFrame({y: numbers(table, y, missing=("", "..")) for y in years})
    measure, key = parts[1].map(WGI_MEASURES), table.frame["Country Code"] + parts[0]
    lower, upper = measure.eq("pct_rank_lower"), measure.eq("pct_rank_upper")
    for y in years:
        for m, (low, high) in WGI_RANGES.items():
            check_range(table, values[y].where(measure.eq(m)), y, low, high)
        # each row's bounds are on other lines: the first of its key (country and indicator) for each bound
        bounds = (key.map(values[y][rows].groupby(key[rows]).first()) for rows in (lower, upper))
        check_interval(table, values[y].where(measure.eq("pct_rank")), *bounds, y, "its PER.RNK.LOWER-UPPER")
    ids = {"iso3": iso3, "country": table.frame["Country Name"].str.strip(), "indicator": parts[0], "measure": measure}
    wide = pd.concat([pd.DataFrame({**ids, "line": table.lines()}), values], axis=1)
    wide = dedupe(wide[wide["iso3"].notna()], ["iso3", "indicator", "measure"], years, drops, file)
    long = wide.melt(id_vars=["iso3", "country", "indicator", "measure"], value_vars=years, var_name="year")
    long["year"] = long["year"].str.slice(0, 4).astype(int)
    tidy = long.set_index(["iso3", "country", "year", "indicator", "measure"])["value"].unstack("measure")
    return _wgi_finish(tidy.reset_index(), release, file)


def read_wgi_long(text: str, file: str, release: int | None, drops: Drops) -> pd.DataFrame:
    """WGI long layout (2024 release) -> tidy rows."""
    table = parse(text, file, required=["code", "countryname", "year", "indicator", *WGI_LONG])
    iso3 = map_names(table, "countryname", drops, "code")
    year = required_numbers(table, "year")
    check_range(table, year, "year", 1996, 2100)
    indicator = table.frame["indicator"].str.strip().str.upper()
    rule = f"unknown indicator (expected one of {sorted(INDICATORS)})"
    table.fail_first(~indicator.isin(INDICATORS), rule, "indicator", table.frame["indicator"])
    country = table.frame["countryname"].str.strip()
    out = pd.DataFrame({"iso3": iso3, "country": country, "year": year.astype("Int64"), "indicator": indicator})
    for col, measure in WGI_LONG.items():
        out[measure] = numbers(table, col, missing=("", ".."))
        check_range(table, out[measure], col, *WGI_RANGES[measure])
    bounds = out["pct_rank_lower"], out["pct_rank_upper"]
    check_interval(table, out["pct_rank"], *bounds, "pctrank", "its pctranklower-upper")
    out["line"] = table.lines()
    out = dedupe(out[out["iso3"].notna()], ["iso3", "year", "indicator"], list(WGI_LONG.values()), drops, file)
    return _wgi_finish(out, release, file)


def _wgi_finish(tidy: pd.DataFrame, release: int | None, file: str) -> pd.DataFrame:
    for measure in WGI_MEASURES.values():
        if measure not in tidy:
            tidy[measure] = pd.NA
    tidy = tidy.assign(release=release or int(tidy["year"].max()) + 1, source_file=file)
    tidy["year"] = tidy["year"].astype(int)
    return tidy[WGI_COLUMNS].sort_values(["iso3", "year", "indicator"], kind="stable").reset_index(drop=True)


def _cpi_frame(table: Table, iso3: pd.Series, name: str, edition: int, scale: int, **cols) -> pd.DataFrame:
    """Rows of one CPI year; ``country`` is the name ``iso3`` was mapped from (column ``name``)."""
    base = {"iso3": iso3, "country": table.frame[name].str.strip(), "edition": edition, "scale": scale}
    return pd.DataFrame({**base, **CPI_UNSCORED, "source_file": table.file, "line": table.lines(), **cols})


def _cpi_finish(frame: pd.DataFrame, drops: Drops, file: str) -> pd.DataFrame:
    """Keep scored rows (an edition that did not score a country has no row), then dedupe."""
    frame = frame[frame["iso3"].notna() & frame["score"].notna()]
    frame = dedupe(frame, ["iso3", "edition", "year"], ["score"], drops, file)
    return frame[CPI_COLUMNS].sort_values(["iso3", "edition", "year"], kind="stable").reset_index(drop=True)


def read_cpi_merged(text: str, file: str, release: int | None, drops: Drops) -> pd.DataFrame:
    """CPI 1995-2017 merged: one column per edition, 0-10 scale, ``0.0`` = not scored."""
    table = parse(text, file, required=["country"])
    years = _years(table)
    iso3 = map_names(table, "country", drops)
    parts = []
    for y in years:
        score = numbers(table, y)
        check_range(table, score, y, 0, 10)
        score = score.mask(score == 0)  # 0.0 marks an edition that did not score the country
        parts.append(_cpi_frame(table, iso3, "country", int(y), 10, year=int(y), score=score))
    return _cpi_finish(pd.concat(parts, ignore_index=True), drops, file)


def _edition_from_name(file: str) -> int:
    found = re.findall(r"(?:19|20)\d\d", Path(file).name)
    if not found:
        rule = "cannot tell the edition: the file name must hold its year (e.g. CPI2009.csv, egdi-2010.csv)"
        raise DataError(file, rule)
    return int(found[-1])


def read_cpi_single(text: str, file: str, release: int | None, drops: Drops) -> pd.DataFrame:
    """CPI 2009 layout (name, score on 0-10): the rank is computed as TI ranks (ties share)."""
    table = parse(text, file, required=["Country/Territory", "CPI"])
    edition = release or _edition_from_name(file)
    iso3 = map_names(table, "Country/Territory", drops)
    score = numbers(table, "CPI")
    check_range(table, score, "CPI", 0, 10)
    frame = _cpi_frame(table, iso3, "Country/Territory", edition, 10, year=edition, score=score, rank=ti_rank(score))
    return _cpi_finish(frame.assign(rank_computed=True), drops, file)


def read_cpi_trends(text: str, file: str, release: int | None, drops: Drops) -> pd.DataFrame:
    """CPI results and trends (``;``, header on line 3): scores 0-100, ranks from 2017 on."""
    table = parse(text, file, sep=";", header_line=3, required=["Country / Territory", "ISO3"])
    score_cols = {int(m.group(1)): c for c in table.frame.columns if (m := re.fullmatch(r"CPI score (\d{4})", c, re.I))}
    if not score_cols:
        table.fail("no 'CPI score <year>' columns")
    edition = release or max(score_cols)
    iso3 = map_names(table, "Country / Territory", drops, "ISO3")
    parts = []
    for year, col in sorted(score_cols.items()):
        score = numbers(table, col)
        check_range(table, score, col, 0, 100)
        named = {"rank": "Rank", "n_sources": "Sources", "stderr": "Standard error"}
        extra = {k: numbers(table, f"{n} {year}") for k, n in named.items() if f"{n} {year}" in table.frame}
        if "rank" in extra:
            check_range(table, extra["rank"], f"Rank {year}", 1, 250)
            extra["rank"] = extra["rank"].astype("Int64")
        parts.append(_cpi_frame(table, iso3, "Country / Territory", edition, 100, year=year, score=score, **extra))
    return _cpi_finish(pd.concat(parts, ignore_index=True), drops, file)


# the UN e-government layouts' headers: the name here -> the column in egdi_unu, egdi_un, egdi_un_2024
EGDI_FIELDS = {
    "country": ("country-name", "Country Name", "Country"),
    "rank": ("e-gov-rank", "E-Government Rank", "Rank"),
    "egdi": ("e-gov-index", "E-Government Index", "E_Index"),
    "epart": ("e-pat-index", "E-Participation Index", "E_Participation"),
    "osi": ("osi", "Online Service Index", "Online_Service"),
    "hci": ("hci", "Human Capital Index", "Human_Capital"),
    "tii": ("tii", "Telecommunication Infrastructure Index", "Tele_Infra"),
}
EGDI_HEADERS = {layout: {columns[i]: key for key, columns in EGDI_FIELDS.items()}
                for i, layout in enumerate(["egdi_unu", "egdi_un", "egdi_un_2024"])}


def read_egdi(text: str, file: str, release: int | None, drops: Drops, *, layout: str) -> pd.DataFrame:
    """One of the UN e-government layouts -> one row per country."""
    names = EGDI_HEADERS[layout]
    table = parse(text, file, required=list(names))
    name_col = next(c for c, v in names.items() if v == "country")
    code_col = "country-code" if "country-code" in table.frame else None
    iso3 = map_names(table, name_col, drops, code_col)
    out = pd.DataFrame({"iso3": iso3, "country": table.frame[name_col].str.strip()})
    for col, key in names.items():
        if key != "country":
            out[key] = numbers(table, col)
            check_range(table, out[key], col, *((1, 250) if key == "rank" else (0, 1)))
    if release is None and "Survey Year" in table.frame:  # else the file's name says it
        year = required_numbers(table, "Survey Year")
        if year.nunique() != 1:
            table.fail("Survey Year differs between rows (one edition per file)", column="Survey Year")
        release = int(year.iloc[0])
    edition = release or _edition_from_name(file)
    # an EGDI of 0.0 means "not computed" (2010, 2012): its rank is a placeholder and any
    # zero component of that row was not computed either
    uncomputed = out["egdi"].eq(0)
    for key in ("rank", "egdi", "epart", "osi", "hci", "tii"):
        out[key] = out[key].mask(uncomputed & (out[key].eq(0) | (key in ("rank", "egdi"))))
    mean = out[["osi", "hci", "tii"]].mean(axis=1, skipna=False)
    col = next(c for c, v in names.items() if v == "egdi")
    check_interval(table, out["egdi"], mean - 0.005, mean + 0.005, col, "the mean of OSI, HCI, TII ±0.005")
    out = out.assign(edition=edition, rank=out["rank"].round().astype("Int64"), source_file=file, line=table.lines())
    out = dedupe(out[out["iso3"].notna()], ["iso3"], ["egdi", "rank"], drops, file)
    return out[EGDI_COLUMNS].sort_values("iso3").reset_index(drop=True)


READERS = {"wgi_wide": read_wgi_wide, "wgi_long": read_wgi_long, "cpi_merged": read_cpi_merged,
           "cpi_2009": read_cpi_single, "cpi_trends": read_cpi_trends,
           **{k: partial(read_egdi, layout=k) for k in EGDI_HEADERS}}
KIND = {layout: layout.split("_")[0] for layout in READERS}  # the publisher: wgi, cpi or egdi
SIGNATURES = {
    "wgi_wide": {"country name", "country code", "indicator name", "indicator code", "series code"},
    "wgi_long": {"codeindyr", "code", "countryname", "year", "indicator", *WGI_LONG},
    "cpi_2009": {"country/territory", "cpi"},
    "cpi_trends": {"country / territory", "iso3", "region"},
    **{k: {c.casefold() for c in v} | {"country-code", "survey year"} for k, v in EGDI_HEADERS.items()},
}


def detect_layout(text: str, file: str) -> str:
    """The layout of a file by its header cells, split on any delimiter (a wrong one is its reader's error)."""
    head = text.split("\n", 3)[:3]
    cells = [{c.strip().strip('"').strip().casefold() for c in re.split(r"[,;\t]", line)} for line in head]
    first, third = cells[0], cells[2] if len(cells) > 2 else set()
    if any(c.startswith("corruption perceptions index") for c in first):
        return "cpi_trends"
    scores = {k: len((third if k == "cpi_trends" else first) & sig) / min(len(sig), 4) for k, sig in SIGNATURES.items()}
    best = max(scores, key=scores.get)
    years = [c for c in first if re.fullmatch(r"(19|20)\d\d", c)]
    if scores[best] < 0.5 and len(years) >= 3 and len(first) <= len(years) + 2:
        return "cpi_merged"  # a name column and one column per edition
    if scores[best] >= 0.5:
        return best
    rule = "unknown layout: the first line matches none of the WGI, CPI or UN e-government layouts"
    raise DataError(file, f"{rule} this compendium reads ({', '.join(READERS)})", row=1, value=head[0][:60])


# Each file parsed once per build (wgi_sources and source_drops read the same files, in two threads):
# an entry serves while the file, its package entry and the name tables it was read with are the same.
_READS: dict[Path, tuple[tuple, tuple[object, object], pd.DataFrame, tuple[tuple, ...]]] = {}
_READS_LOCK = threading.Lock()


def read_shipped_file(name: str, drops: Drops) -> pd.DataFrame:
    """Read one shipped file by its resource name; the rows it leaves out are added to ``drops``."""
    res = resource(name)
    path = resource_paths()[name]
    with _READS_LOCK:  # a second thread asking for the same file waits for the first's result
        st = path.stat() if path.exists() else None  # missing: read_text says so
        stamp = (st and (st.st_size, st.st_mtime_ns), res["hash"], res["x-layout"], res["x-release"])
        names = (countries.aliases(), countries.exclusions())
        hit = _READS.get(path)
        if hit is None or hit[0] != stamp or any(a is not b for a, b in zip(hit[1], names, strict=True)):
            text, file = read_text(path, res["hash"]), paths.shown(path)
            own = Drops()
            frame = READERS[res["x-layout"]](text, file, None, own)  # the release the file says
            check_release(frame, res, file)
            hit = _READS[path] = (stamp, names, frame, tuple(own.rows))
    drops.rows.extend(hit[3])
    return hit[2].copy()


def table(kind: str, drops: Drops | None = None) -> pd.DataFrame:
    """All shipped files of one publisher ('wgi', 'cpi' or 'egdi'), in package order, in one tidy table."""
    drops = drops if drops is not None else Drops()
    out = pd.concat([read_shipped_file(n, drops) for n in source_resources(kind)], ignore_index=True)
    out.insert(1, "iso3166", out["iso3"].map({c: countries.is_iso3(c) for c in out["iso3"].unique()}))
    return out


def drops_note(path: Path) -> str:
    """The one line the build prints about the rows left out of the source tables."""
    counts = pd.read_csv(path)["kind"].value_counts()
    left, dropped = counts.get("excluded", 0), counts.get("duplicate", 0)
    listed = "each listed in data/processed/source_drops.csv"
    return f"source tables: {left} aggregates left out, {dropped} duplicate country-years dropped; {listed}"
