"""`oss-build add-country-data`: a publisher's file as downloaded, shipped if new, its countries' values
merged into data/raw/additions/ (the one way in: docs/stages/pipeline.md)."""

from __future__ import annotations

import copy
import hashlib
import os
import re
import tempfile
from pathlib import Path

import pandas as pd

from oss_analysis import countries, paths
from oss_analysis.domain import CPI_YEAR, THESIS_YEAR, WGI_CODES, source_label, ti_rank
from oss_analysis.errors import DataError
from oss_analysis.extract import datapackage, new_release, publishers
from oss_analysis.extract.transcriptions import load_raw, resource, titles, validate_as
from oss_analysis.files import csv_bytes, sha256

PRODUCER = {"wgi": "World Bank WGI release", "cpi": "TI CPI edition"}  # as the views word it (domain.source_label)
ADDITIONS = {"wgi": "wgi_2008_additions", "cpi": "cpi_2009_additions"}
THESIS = {"wgi": "thesis_table_02_wgi", "cpi": "thesis_table_03_cpi"}  # additions are for countries it does not print
# a header cell of each refused layout: the additions template, a DataBank export, TI's 2009 table
LEGACY = re.compile(r'^"?country_code"?,|Series Code|\[YR\d{4}\]|Country Rank')


def _by_country(frame: pd.DataFrame, resource_name: str, file: str) -> pd.DataFrame:
    """Validate converted rows; a failure names the country (converted rows have no line)."""
    try:
        return validate_as(resource_name, frame.reset_index(drop=True), file)
    except DataError as exc:
        if isinstance(exc.row, int) and 0 <= exc.row - 2 < len(frame):
            code = frame.reset_index(drop=True).at[exc.row - 2, "country_code"]
            raise DataError(file, f"{exc.rule} for {code}", column=exc.column, value=exc.value) from None
        raise


def shipped_as(path: Path, kind: str) -> str:
    """Where a publisher's file is (or will be) shipped: the shipped file of the same bytes, else its new place."""
    digest = f"sha256:{sha256(path)}"  # read and hashed once, not once per shipped file
    same = [r["path"] for r in datapackage.read_sources()["resources"] if r["hash"] == digest]
    return f"data/sources/{same[0] if same else new_release.shipped_name(kind, path)}"


def _from_sources(kind: str, frame: pd.DataFrame, wanted: set[str], file: str, year: int | None) -> pd.DataFrame:
    """The rows of the studies' year (WGI percentile ranks, CPI on 0-10) in the additions' layout, if any."""
    if kind == "wgi":
        year = year or THESIS_YEAR
        rows = frame[(frame["year"] == year) & frame["iso3"].isin(wanted) & frame["pct_rank"].notna()]
        wide = rows.pivot_table(index=["iso3", "country"], columns="indicator", values="pct_rank", aggfunc="first")
        codes = {name: code for code, name in WGI_CODES.items()}
        fields = {codes[title]: f for f, title in titles(THESIS["wgi"]).items() if title in codes}
        out = wide.rename(columns=fields).reset_index().rename(columns={"iso3": "country_code"}).assign(year=str(year))
    else:
        scored = frame[(frame["year"] == (year or CPI_YEAR)) & (frame["scale"] == 10)]
        rank = scored["rank"].fillna(ti_rank(scored["score"]))  # a file without ranks: TI's rule
        rows = scored[scored["iso3"].isin(wanted)]
        out = rows.assign(country_rank=rank).rename(columns={"iso3": "country_code", "score": "cpi_score"})
    if out.empty:
        return out
    release = int(frame["release"].max() if kind == "wgi" else rows["edition"].max())
    # the publisher's label, marked as added: the same label on the publisher's own rows (a series
    # drawn from the file) must not read as rows added to the studies' data
    label = source_label(PRODUCER[kind], release, shipped_as(paths.root() / file, kind))
    out = out.assign(source=f"{label}, added")
    template = [f["name"] for f in resource(ADDITIONS[kind])["schema"]["fields"]]
    return _by_country(out.reindex(columns=template).astype("string").fillna(""), ADDITIONS[kind], file)


def add(kind: str, path: Path, codes: list[str], *, year: int | None = None) -> list[str]:
    """Import a publisher's file; every check runs, and every file is written in a scratch folder,
    before anything is shipped. Returns the lines to print."""
    path = Path(path)
    file = paths.shown(path)
    wanted = set(countries.normalise_codes(codes, lambda rule: DataError(file, f"--countries {rule}")))
    text = publishers.read_text(path)  # decoded once: the legacy check, the layout and its reader
    if LEGACY.search(text.split("\n", 1)[0]):
        old = "layout no longer accepted (additions template, DataBank export or TI's table with ranks)"
        rule = "pass the publisher's file as downloaded, in a layout of data/sources/"
        raise DataError(file, f"{old}: {rule} ({', '.join(publishers.READERS)})", row=1)
    layout = publishers.detect_layout(text, file)
    actual = publishers.KIND[layout]
    if actual != kind:
        raise DataError(file, f"is a {actual} file (layout {layout}), not {kind}: use `add-country-data {actual}`")
    drops = publishers.Drops()
    try:
        frame = publishers.READERS[layout](text, file, None, drops)
    except DataError as exc:  # another 8-bit encoding read as Windows-1252 garbles names: say so
        if "unknown country" in exc.rule and not str(exc.value).isascii():
            exc.rule += "; a name with odd letters may be a file neither UTF-8 nor Windows-1252: save it as UTF-8"
            raise DataError(file, exc.rule, row=exc.row, column=exc.column, value=exc.value) from None
        raise
    for dup in (r for r in drops.rows if r[5] == "duplicate"):  # the first row would be taken silently
        kept = re.search(r"kept line (\d+)", dup[6])
        key = dup[6].split(";")[0].removeprefix("duplicate of ")
        raise DataError(file, f"two rows for {key}: {file}:{kept and kept[1]} and {file}:{dup[1]}", row=dup[1])
    _check_present(wanted, set(frame["iso3"]), file)
    _check_year(kind, frame, year, file)
    picked = _from_sources(kind, frame, wanted, file, year) if kind != "egdi" else pd.DataFrame()
    if not picked.empty:
        _check_present(wanted, set(picked["country_code"]), file)
        printed = sorted(wanted & {countries.to_iso3(n) for n in load_raw(THESIS[kind], verify_hash=False)["country"]})
        if printed:
            rule = f"{', '.join(printed)} already in the thesis' table; additions are for other countries"
            raise DataError(file, rule, column="country_code")
    said, files = new_release.plan(path, kind, layout, frame)
    none = f"{path.name} holds no values of the studies' year for the additions; country runs read it in data/sources/"
    said = [said, none if picked.empty else _merge(kind, picked, wanted, files)]
    _ship(files)
    return said


def _check_year(kind: str, frame: pd.DataFrame, year: int | None, file: str) -> None:
    """A --year the file does not hold, or the additions do not take, is refused."""
    if year is None:
        return
    if kind not in ADDITIONS:
        raise DataError(file, f"--year {year}: only WGI and CPI values are merged into data/raw/additions/")
    field = next(f for f in resource(ADDITIONS[kind])["schema"]["fields"] if f["name"] == "year")["constraints"]
    low, high, held = field["minimum"], field["maximum"], set(frame["year"])
    if year not in held or not low <= year <= high:
        takes = low if low == high else f"{low}-{high}"
        rule = f"--year {year} out of range: the file holds years {min(held)}-{max(held)}, the additions take {takes}"
        raise DataError(file, rule)


def _check_present(wanted: set[str], present: set[str], file: str) -> None:
    absent = sorted(wanted - present)
    if absent:
        raise DataError(file, f"has no rows for {', '.join(absent)}", column="country_code")


def _merge(kind: str, picked: pd.DataFrame, wanted: set[str], files: dict[str, bytes]) -> str:
    """Add to ``files`` the merged additions and their checksum (theirs only: nothing else is re-hashed)."""
    res = resource(ADDITIONS[kind])
    current = load_raw(ADDITIONS[kind])  # checked against its sha256: a hand edit is not merged over
    merged = pd.concat([current[~current["country_code"].isin(wanted)], picked], ignore_index=True)
    data = csv_bytes(merged.sort_values("country_code").reset_index(drop=True))
    package = copy.deepcopy(datapackage.read())
    entry = next(r for r in package["resources"] if r["name"] == res["name"])
    entry["hash"], entry["bytes"] = f"sha256:{hashlib.sha256(data).hexdigest()}", len(data)
    files.update({f"data/raw/{res['path']}": data, datapackage.FILE: datapackage.dumps(package)})
    return f"updated data/raw/{res['path']} and its checksum in {datapackage.FILE}"


def _ship(files: dict[str, bytes]) -> None:
    """Stage every file, check the staged descriptors as the build reads them, then move each into
    place, descriptors last: a refusal at any step leaves data/ as it was."""
    paths.build_dir().mkdir(exist_ok=True)
    scratch = tempfile.TemporaryDirectory(dir=paths.build_dir(), prefix="add-country-data-", ignore_cleanup_errors=True)
    try:
        with scratch as tmp:
            for rel, data in files.items():
                (Path(tmp) / rel).parent.mkdir(parents=True, exist_ok=True)
                (Path(tmp) / rel).write_bytes(data)
            for descriptor in files.keys() & {datapackage.FILE, datapackage.SOURCES_FILE}:
                datapackage._read.__wrapped__(Path(tmp), descriptor)  # noqa: SLF001 (checked as the build reads it)
            for rel in sorted(files, key=lambda rel: rel.endswith("datapackage.json")):
                os.replace(Path(tmp) / rel, paths.root() / rel)
    finally:
        datapackage.cache_clear()
