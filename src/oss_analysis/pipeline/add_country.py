"""Adding a country's data: a publisher's file as downloaded (World Bank WGI, Transparency
International CPI or UN E-Government Survey, in any layout of data/sources/) is read by the
publishers' readers, shipped among the publishers' files if new, and the countries' values of
the studies' year are merged into the additions files in data/raw/additions/ (validated by the
same schemas as any raw file).

The layouts accepted before the publishers' own files (this compendium's additions template, a
World Bank DataBank export, TI's CPI 2009 table with a rank column) are refused in one line.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pandas as pd

from oss_analysis import countries, paths
from oss_analysis.domain import CPI_YEAR, THESIS_YEAR, WGI_CODES, source_label, ti_rank
from oss_analysis.errors import DataError
from oss_analysis.extract import new_release, publishers
from oss_analysis.extract.datapackage import read_sources
from oss_analysis.extract.transcriptions import load_raw, resource, titles, validate_as

PRODUCER = {"wgi": "World Bank WGI release", "cpi": "TI CPI edition"}  # as the views word it (domain.source_label)
ADDITIONS = {"wgi": "wgi_2008_additions", "cpi": "cpi_2009_additions"}
# a header cell of each refused layout: the additions template, a DataBank export, TI's 2009 table
LEGACY = re.compile(r'^"?country_code"?,|Series Code|\[YR\d{4}\]|Country Rank')


def _by_country(frame: pd.DataFrame, resource_name: str, file: str) -> pd.DataFrame:
    """Validate converted rows; a failure names the country, since converted rows have no line."""
    try:
        return validate_as(resource_name, frame.reset_index(drop=True), file)
    except DataError as exc:
        if isinstance(exc.row, int) and 0 <= exc.row - 2 < len(frame):
            code = frame.reset_index(drop=True).at[exc.row - 2, "country_code"]
            raise DataError(file, f"{exc.rule} for {code}", column=exc.column, value=exc.value) from None
        raise


def _refuse_legacy(text: str, file: str) -> None:
    """One way in: a file in a layout read before the publishers' own files is refused by its header."""
    if LEGACY.search(text.split("\n", 1)[0]):
        raise DataError(
            file,
            "layout no longer accepted (additions template, DataBank export or TI's table with ranks): pass the "
            f"publisher's file as downloaded, in a layout of data/sources/ ({', '.join(publishers.READERS)})",
            row=1,
        )


def shipped_as(path: Path, kind: str) -> str:
    """Where a publisher's file is (or will be) shipped: the shipped file with the same bytes, else
    data/sources/<kind>/<name>, so that an added row's ``source`` names it as the views name theirs."""
    digest = "sha256:" + hashlib.sha256(Path(path).read_bytes()).hexdigest()
    same = [r["path"] for r in read_sources()["resources"] if r["hash"] == digest]
    return f"data/sources/{same[0] if same else f'{kind}/{Path(path).name}'}"


def _from_sources(kind: str, frame: pd.DataFrame, wanted: set[str], file: str, year: int | None) -> pd.DataFrame:
    """Rows of the studies' year (WGI 2008 percentile ranks, CPI 2009 on 0-10) in the template
    layout; empty when the file does not hold that year."""
    if kind == "wgi":
        year = year or THESIS_YEAR
        rows = frame[(frame["year"] == year) & frame["iso3"].isin(wanted) & frame["pct_rank"].notna()]
        wide = rows.pivot_table(index=["iso3", "country"], columns="indicator", values="pct_rank", aggfunc="first")
        codes = {name: code for code, name in WGI_CODES.items()}
        fields = {codes[title]: f for f, title in titles("thesis_table_02_wgi").items() if title in codes}
        out = wide.rename(columns=fields).reset_index().rename(columns={"iso3": "country_code"}).assign(year=str(year))
    else:
        scored = frame[(frame["year"] == (year or CPI_YEAR)) & (frame["scale"] == 10)]
        rank = scored["rank"].fillna(ti_rank(scored["score"]))  # a file without ranks: TI's rule
        rows = scored[scored["iso3"].isin(wanted)]
        out = pd.DataFrame(
            {
                "country_code": rows["iso3"],
                "country": rows["country"],
                "country_rank": rank[rows.index],
                "cpi_score": rows["score"],
                "year": rows["year"],
            }
        )
    if out.empty:
        return out
    release = int(frame["release"].max() if kind == "wgi" else rows["edition"].max())
    out = out.assign(source=source_label(PRODUCER[kind], release, shipped_as(paths.root() / file, kind)))
    template = [f["name"] for f in resource(ADDITIONS[kind])["schema"]["fields"]]
    return _by_country(out.reindex(columns=template).astype("string").fillna(""), ADDITIONS[kind], file)


def add(kind: str, path: Path, codes: list[str], *, year: int | None = None) -> list[str]:
    """Import a publisher's file as downloaded: check it holds the countries, ship it among the
    publishers' files if it is new (any WGI, CPI or UN e-government layout), and merge the
    countries' values of the studies' year (WGI 2008, CPI 2009) into data/raw/additions/. Every
    check runs before anything is written. Returns the lines to print."""
    path = Path(path)
    file = paths.shown(path)
    wanted = set(countries.normalise_codes(codes, lambda rule: DataError(file, f"--countries {rule}")))
    text = publishers.read_text(path)  # decoded once: the legacy check, the layout and its reader
    _refuse_legacy(text, file)
    layout = publishers.detect_layout(text, file)
    actual = publishers.KIND.get(layout, "egdi")
    if actual != kind:
        raise DataError(file, f"is a {actual} file (layout {layout}), not {kind}: use `add-country-data {actual}`")
    frame = publishers.READERS[layout](text, file, None, publishers.Drops())
    _check_present(wanted, set(frame["iso3"]), file)
    picked = _from_sources(kind, frame, wanted, file, year) if kind != "egdi" else pd.DataFrame()
    if not picked.empty:
        _check_present(wanted, set(picked["country_code"]), file)
        _check_not_printed(kind, wanted, file)
    said = [new_release.register(path, kind, layout, frame)]
    if picked.empty:
        return said + [
            f"{path.name} holds no values of the studies' year for the additions; "
            "country runs take its values from data/sources/"
        ]
    return said + [_merge(kind, picked, wanted)]


def _check_present(wanted: set[str], present: set[str], file: str) -> None:
    absent = sorted(wanted - present)
    if absent:
        raise DataError(file, f"has no rows for {', '.join(absent)}", column="country_code")


def _check_not_printed(kind: str, wanted: set[str], file: str) -> None:
    """Additions are for countries the thesis' table does not print. (Their names and codes agree:
    the readers map each name to its code and refuse a code column that says otherwise.)"""
    thesis = {"wgi": "thesis_table_02_wgi", "cpi": "thesis_table_03_cpi"}[kind]
    already = {countries.to_iso3(n) for n in load_raw(thesis, verify_hash=False)["country"]}
    clash = sorted(wanted & already)
    if clash:
        raise DataError(
            file,
            f"{', '.join(clash)} already in the thesis' table; additions are for other countries",
            column="country_code",
        )


def _merge(kind: str, picked: pd.DataFrame, wanted: set[str]) -> str:
    """Merge validated rows into the additions file and refresh its checksum."""
    target = paths.raw_dir() / resource(ADDITIONS[kind])["path"]
    current = load_raw(ADDITIONS[kind], verify_hash=False)
    merged = pd.concat([current[~current["country_code"].isin(wanted)], picked], ignore_index=True)
    merged = merged.sort_values("country_code").reset_index(drop=True)
    merged.to_csv(target, index=False, lineterminator="\n")
    from oss_analysis.extract.datapackage import update

    update()
    return f"updated {target.relative_to(paths.root())} and its checksum in data/raw/datapackage.json"
