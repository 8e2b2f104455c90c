"""The publishers' files: shipped byte for byte with their origin, read by one reader per layout
into tidy validated tables, and every kind of damage refused with one line."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pandas as pd
import pytest
from conftest import ROOT

from oss_analysis import countries, paths
from oss_analysis.errors import DataError
from oss_analysis.extract import datapackage, publisher_file, publishers
from oss_analysis.transform import clean, schemas

FIXTURES = ROOT / "tests" / "fixtures" / "sources"
SHARED = ROOT.parent / "shared" / "external"
RESOURCES = datapackage.read_sources()["resources"]
BY_FILE = {Path(r["path"]).name: r for r in RESOURCES}
CUTS = sorted(p for p in FIXTURES.glob("*.csv") if p.name in BY_FILE)  # cut from shipped files (README)


def read_file(path: Path, drops: publishers.Drops | None = None, *, release: int | None = None) -> pd.DataFrame:
    """A user's file read as oss-build add-country-data reads it: decoded, its layout told, its reader run."""
    text, file = publishers.read_text(path), paths.shown(path)
    return publishers.READERS[publishers.detect_layout(text, file)](text, file, release, drops or publishers.Drops())


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- shipped files and their data package ----------------------------------------------------


@pytest.mark.parametrize("res", RESOURCES, ids=lambda r: r["name"])
def test_shipped_file_matches_package_and_shared_copy(res):
    path = ROOT / "data" / "sources" / res["path"]
    assert res["hash"] == f"sha256:{sha(path)}" and res["bytes"] == path.stat().st_size
    if not SHARED.exists():
        pytest.skip("../shared/external is not beside this checkout: compared with the data package only")
    assert sha(path) == sha(SHARED / res["path"]), "the shipped copy differs from the publisher's file"


@pytest.mark.parametrize("res", RESOURCES, ids=lambda r: r["name"])
def test_package_records_origin_and_licence(res):
    origin = res["x-origin"]
    for key in ("producer", "original_name", "repository", "commit", "retrieved", "provenance"):
        assert origin.get(key), key
    assert re.fullmatch(r"[0-9a-f]{40}", origin["commit"])
    assert (ROOT / origin["provenance"]).exists()
    assert res["x-licence-as-stated"] and res["x-layout"] in publishers.READERS and isinstance(res["x-release"], int)
    provenance = (ROOT / origin["provenance"]).read_text(encoding="utf-8")
    assert res["hash"].removeprefix("sha256:") in provenance, "sha256 not the one PROVENANCE.md records"
    assert origin["commit"] in provenance


def test_every_shipped_csv_is_described_and_git_leaves_its_bytes_alone():
    on_disk = {p.relative_to(ROOT / "data" / "sources").as_posix() for p in (ROOT / "data" / "sources").rglob("*.csv")}
    assert on_disk == {r["path"] for r in RESOURCES}
    attributes = (ROOT / ".gitattributes").read_text()
    assert "data/sources/** -text" in attributes and "tests/fixtures/sources/*.csv -text" in attributes


# --- readers on fixtures cut from the real files (whole lines, bytes unchanged) ---------------


@pytest.mark.parametrize("fixture", CUTS, ids=lambda p: p.name)
def test_fixture_reads_like_the_full_file(fixture):
    res = BY_FILE[fixture.name]
    text = publisher_file.decode(fixture.read_bytes(), fixture.name)
    assert publishers.detect_layout(text, fixture.name) == res["x-layout"]
    small = read_file(fixture, release=res["x-release"])
    full = publishers.read_shipped_file(res["name"], publishers.Drops())
    # a computed rank depends on every row of the file, so a cut file cannot reproduce it
    skip = ("source_file", "line", "rank") if res["x-layout"] == "cpi_2009" else ("source_file", "line")
    key = [c for c in small.columns if c not in skip]
    # the fixture holds whole lines: all of Georgia's, and the file's last line
    small, picked = small[small["iso3"] == "GEO"], full[full["iso3"] == "GEO"]
    if "_long" in fixture.name:  # the long fixture holds 2008 and 2022 only
        picked = picked[picked["year"].isin([2008, 2022])]
    assert len(small) > 0
    pd.testing.assert_frame_equal(small[key].reset_index(drop=True), picked[key].reset_index(drop=True))


def test_cpi_merged_maps_variant_names_and_treats_zero_as_missing():
    cpi = read_file(FIXTURES / "cpi.csv")
    rows = cpi.set_index(["iso3", "year"])
    assert rows.loc[("MDA", 2007), "country"] == "Moldovaa"
    assert (
        rows.loc[("KGZ", 1999), "country"] == "Kyrgyz Republic" and rows.loc[("KGZ", 2003), "country"] == "Kyrgyzstan"
    )
    assert ("GEO", 2000) not in rows.index and ("GEO", 1999) in rows.index, "0.0 (not scored) is no score"
    assert rows.loc[("TJK", 2008), "country"] == "Taijikistan", "the misspelt row holds Tajikistan's 2008 score"
    assert (cpi["score"] > 0).all() and set(cpi["scale"]) == {10}


def test_cpi_2009_rank_is_computed_as_ti_ranks():
    full = publishers.read_shipped_file("cpi_2009_edition", publishers.Drops())
    expected = full["score"].map(lambda s: 1 + int((full["score"] > s).sum()))
    assert full["rank"].tolist() == expected.tolist() and full["rank_computed"].all()
    ranks = full.set_index("iso3")["rank"]
    assert ranks["KAZ"] == ranks["ARM"] and ranks["RUS"] == ranks["UKR"], "ties share a rank"


def test_cpi_country_is_the_name_its_code_was_mapped_from(tmp_path):
    """The name column, not the first one: a file with its columns in another order keeps its names."""
    lines = (FIXTURES / "CPI2009.csv").read_text(encoding="utf-8").splitlines()
    swapped = tmp_path / "CPI2009.csv"
    swapped.write_text("\n".join(",".join(reversed(line.split(","))) for line in lines) + "\n", encoding="utf-8")
    cpi = read_file(swapped).set_index("iso3")
    assert cpi.loc["GEO", "country"] == "Georgia" and cpi.loc["GEO", "score"] == 4.1


def test_egdi_zero_index_means_not_computed():
    egdi = read_file(FIXTURES / "egdi-2012.csv").set_index("iso3")
    assert pd.isna(egdi.loc["LBY", "egdi"]) and pd.isna(egdi.loc["LBY", "rank"])
    assert egdi.loc["KAZ", "egdi"] > 0 and egdi.loc["KAZ", "rank"] >= 1


def test_wgi_missing_marker_becomes_na_never_zero():
    wgi = publishers.read_shipped_file("wgi_2024_release_long", publishers.Drops())
    raw = pd.read_csv(
        ROOT / "data" / "sources" / "wgi" / "wgi_2024_release_long.csv",
        dtype=str,
        encoding="utf-8-sig",
        keep_default_na=False,
    )
    missing = raw[raw["estimate"] == ".."]
    some = missing.iloc[0]
    row = wgi[
        (wgi["iso3"] == some["code"])
        & (wgi["year"] == int(some["year"]))
        & (wgi["indicator"] == some["indicator"].upper())
    ]
    assert len(row) == 1 and row["estimate"].isna().all() and row["pct_rank"].isna().all()


def test_entities_a_publisher_scores_stay_with_its_code_and_only_aggregates_are_listed():
    drops = publishers.Drops()
    wgi = read_file(FIXTURES / "wgi_2019_release_wide.csv", drops)
    assert set(wgi.loc[wgi["country"] == "Kosovo", "iso3"]) == {"XKX"}  # the file's own code
    assert (wgi["iso3"] == "XKX").any() and drops.frame().empty
    cpi = read_file(FIXTURES / "cpi.csv", drops)  # names only: the code of config/source_exclusions.csv
    assert set(cpi.loc[cpi["country"] == "Kosovo", "iso3"]) == {"KSV"}
    listed = drops.frame()
    assert listed["kind"].tolist() == ["excluded"] * len(listed)
    assert "Kosovo" not in set(listed["country"])


def test_duplicate_country_year_keeps_the_first_line_and_lists_the_other(tmp_path):
    data = (FIXTURES / "cpi.csv").read_bytes()
    first = data.split(b"\r\r\n")[1]  # a whole line, repeated under a variant spelling
    name = first.split(b",")[0]
    alias = {b"Georgia": b"Georgia", b"Kazakhstan": b"Kazakhstan"}.get(name, name)
    copy = tmp_path / "cpi.csv"
    copy.write_bytes(data.replace(first + b"\r\r\n", first + b"\r\r\n" + alias + first[len(name) :] + b"\r\r\n", 1))
    drops = publishers.Drops()
    out = read_file(copy, drops)
    listed = drops.frame().query("kind == 'duplicate'")
    assert len(listed) == out[out["line"] == 2]["year"].nunique() > 0 and (listed["line"] == 3).all()
    assert listed["detail"].str.endswith("kept line 2").all()
    assert not out.duplicated(["iso3", "edition", "year"]).any()


def test_unknown_name_stops_with_file_line_and_name(tmp_path):
    copy = tmp_path / "CPI2009.csv"
    copy.write_bytes((FIXTURES / "CPI2009.csv").read_bytes().replace(b"Georgia", b"Narnia"))
    with pytest.raises(
        DataError,
        match=r"CPI2009.csv, line \d+, column 'Country/Territory': unknown country name"
        r".*\(got 'Narnia'\)",
    ):
        read_file(copy)


def test_name_and_code_must_agree(tmp_path):
    copy = tmp_path / "egdi-2016.csv"
    copy.write_bytes((FIXTURES / "egdi-2016.csv").read_bytes().replace(b"GEO,", b"ARM,"))
    with pytest.raises(DataError, match=r"column 'country-code': name and code disagree: 'Georgia \(Country\)' is GEO"):
        read_file(copy)


# --- every reader refuses a corrupted copy with one line --------------------------------------

HEADER_CELL = {  # a column each layout needs, as its header writes it
    "wgi_wide": b"Country Name",
    "wgi_long": b"countryname",
    "cpi_merged": b"country,",
    "cpi_2009": b"CPI\n",
    "cpi_trends": b"ISO3",
    "egdi_unu": b"country-name",
    "egdi_un": b"Country Name",
    "egdi_un_2024": b"E_Index",
}


def _corrupt(kind: str, data: bytes, layout: str) -> bytes:
    sep = b";" if layout == "cpi_trends" else b","
    lines = re.findall(rb"[^\r\n]*(?:\r\r\n|\r\n|\r|\n|$)", data)
    head = 3 if layout == "cpi_trends" else 1
    if kind == "renamed column":
        cell = HEADER_CELL[layout]
        return data.replace(cell, b"Renamed" + cell[-1:] if cell.endswith((b",", b"\n")) else b"Renamed", 1)
    if kind == "missing year" and layout in ("wgi_long", "egdi_un", "egdi_un_2024"):  # the year cell emptied
        row = lines[head]
        found = re.search(rb"(?<=[,;])(?:19|20)\d\d(?=[,;])|^(?:19|20)\d\d(?=[,;])", row)
        return data.replace(row, row[: found.start()] + row[found.end() :], 1)
    if kind == "missing year" and layout in ("cpi_2009", "egdi_unu"):
        return data  # the year is in the file name only: the copy is renamed without it
    if kind == "missing year":  # a year dropped from the header: the rows no longer fit it
        header = lines[head - 1]
        years = re.findall(rb'"?(?:CPI score )?(?:19|20)\d\d(?: \[YR\d{4}\])?"?' + sep, header)
        return data.replace(header, header.replace(years[-1], b"", 1), 1) if years else None
    if kind == "truncated":
        body = b"".join(lines[:-1]).rstrip(b"\r\n")
        last_start = body.rfind(b"\n") + 1 if b"\n" in body else body.rfind(b"\r") + 1
        return body[: last_start + 3]
    if kind == "unknown layout":
        return b"foo,bar,baz\r\n1,2,3\r\n"
    if kind == "empty file":
        return b""
    if kind in ("tab-separated", "semicolon-separated"):
        other = b"\t" if kind == "tab-separated" else (b"," if layout == "cpi_trends" else b";")
        return data.replace(sep, other)
    raise AssertionError(kind)


EXPECTED = {
    "renamed column": r"line \d+, column '[^']+': required column is missing",
    "missing year": r"(line \d+: has \d+ fields, the header has \d+|line 2, column '(year|Survey Year)': value is "
    r"required|cannot tell the edition: the file name must hold its year)",
    "truncated": r"line \d+: has \d+ fields, the header has \d+ \(file truncated\?\)",
    "unknown layout": r"line 1: unknown layout",
    "empty file": r"file is empty",
    "tab-separated": r"line \d+: wrong delimiter: the header is separated by a tab, expected",
    "semicolon-separated": r"line \d+: wrong delimiter: the header is separated by '[;,]', expected",
}


@pytest.mark.parametrize("kind", list(EXPECTED))
@pytest.mark.parametrize("fixture", CUTS, ids=lambda p: p.name)
def test_reader_refuses_a_corrupted_copy(fixture, kind, tmp_path):
    layout = BY_FILE[fixture.name]["x-layout"]
    bad = _corrupt(kind, fixture.read_bytes(), layout)
    no_year_in_name = kind == "missing year" and layout in ("cpi_2009", "egdi_unu")
    copy = tmp_path / (re.sub(r"\d{4}", "", fixture.name) if no_year_in_name else fixture.name)
    copy.write_bytes(bad)
    sep = ", " if kind not in ("empty file",) and not no_year_in_name else ": "
    with pytest.raises(DataError, match=re.escape(str(copy)) + sep + EXPECTED[kind]) as exc:
        # a user's file: the release comes from the file itself
        read_file(copy)
    assert "\n" not in str(exc.value)


@pytest.mark.parametrize(
    "fixture,old,new",
    [
        ("wgi_2023_release_wide.csv", b'"CC.PER.RNK","1.07526886463165"', b'"CC.PER.RNK","250"'),
        (
            "wgi_2024_release_long.csv",
            b"GEOcc2008,GEO,Georgia,2008,cc,-0.10,0.14,13,53.9,",
            b"GEOcc2008,GEO,Georgia,2008,cc,-0.10,0.14,13,250,",
        ),
        ("cpi.csv", b"Georgia,0.0,0.0,0.0,0.0,2.3,", b"Georgia,0.0,0.0,0.0,0.0,250,"),
        ("CPI2009.csv", b"Georgia,4.1", b"Georgia,250"),
        ("egdi-2018.csv", b"GEO,Georgia (Country),60,0.6893,", b"GEO,Georgia (Country),60,250,"),
    ],
)
def test_value_out_of_range_is_refused(fixture, old, new, tmp_path):
    data = (FIXTURES / fixture).read_bytes()
    assert old in data
    copy = tmp_path / fixture
    copy.write_bytes(data.replace(old, new, 1))
    with pytest.raises(DataError, match=r"line \d+, column '[^']+': must be between .* \(got 250"):
        read_file(copy)


# --- the processed tables (full shipped files: integration) -----------------------------------


@pytest.mark.parametrize("name", ["wgi_sources", "cpi_sources", "egdi_sources", "source_drops"])
def test_processed_source_table_builds_and_validates(name):
    frame = clean.build(name)
    assert len(frame) > 0
    if name != "source_drops":
        post_soviet = pd.read_csv(ROOT / "config" / "groups" / "former_soviet_union.csv")["iso3"]
        assert set(post_soviet) <= set(frame["iso3"]), "every post-Soviet state is in every publisher's files"
        assert frame["iso3"].map(countries.is_iso3).equals(frame["iso3166"])  # Kosovo and former states flagged


def test_source_schemas_document_every_column():
    for schema in map(schemas.schema, ("WGI_SOURCES", "CPI_SOURCES", "EGDI_SOURCES", "SOURCE_DROPS")):
        assert schema.description
        assert all(col.description for col in schema.columns.values())


def test_a_file_is_parsed_once_per_process_until_it_or_the_name_tables_change(project, monkeypatch):
    """The build prepares wgi_sources and source_drops from the same files in one process: the
    second asks for a file already parsed and gets the same rows and the same drops, without a
    second parse. A file whose modification time changed, or aliases read again, is parsed again."""
    import os

    from oss_analysis import countries
    from oss_analysis.extract import publisher_file
    name = "cpi_1995_2017_merged"  # a file with rows left out (non-countries, duplicates)
    layout = publisher_file.resource(name)["x-layout"]
    calls = []
    real = publishers.READERS[layout]
    monkeypatch.setitem(publishers.READERS, layout, lambda *a: calls.append(1) or real(*a))
    first, second = publishers.Drops(), publishers.Drops()
    a = publishers.read_shipped_file(name, first)
    a.iloc[0, 0] = "changed by the caller"  # a copy: the next reader gets the file's rows
    b = publishers.read_shipped_file(name, second)
    assert len(calls) == 1 and first.rows == second.rows and len(first.rows) > 0
    assert b.iloc[0, 0] != "changed by the caller"
    path = datapackage.resource_paths()[name]
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000))
    publishers.read_shipped_file(name, publishers.Drops())
    assert len(calls) == 2
    countries.cache_clear()
    publishers.read_shipped_file(name, publishers.Drops())
    assert len(calls) == 3
