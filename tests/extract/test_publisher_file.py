"""A publisher's file checked against itself (issue 23): its text decoded or refused with the byte,
the line and the encodings tried; its values within the bounds it publishes for them; its release
the one it says; and a removed checksum answered with advice that fixes it."""

from __future__ import annotations

import hashlib
import json

import pytest
from conftest import ROOT, edit, one_line

from oss_analysis.errors import DataError
from oss_analysis.extract import datapackage, publisher_file, publishers
from oss_analysis.pipeline import cli

pytestmark = pytest.mark.usefixtures("fresh_caches")


@pytest.mark.parametrize(
    "data,message",
    [
        ("a,b\n1,2\n".encode("utf-16"), r"x.csv, line 1: is UTF-16 or UTF-32 text, not UTF-8 at byte 0"),
        ("a,b\n1,2\n".encode("utf-16-le"), r"x.csv, line 1: is UTF-16 or UTF-32 text, not UTF-8 at byte 0"),
        (  # a UTF-8 file with one Latin-1 byte: read as Windows-1252 its names would be garbled
            "name\nCôte d'Ivoire\nS\xe3o Tomé\n".encode().replace(b"S\xc3\xa3o", b"S\xe3o"),
            r"x.csv, line 3: is not valid UTF-8 \(invalid continuation byte\) at byte 21 \(tried UTF-8 and "
            r"Windows-1252\): save it as UTF-8",
        ),
        (b"\xef\xbb\xbfname\n\xc3\xb4\n\xff\n", r"x.csv, line 3: is not valid UTF-8 .* at byte 11 "),
        (b"name\nC\x81te\n", r"x.csv, line 2: is neither UTF-8 nor Windows-1252 \(byte 0x81\) at byte 6 "),
        (b"name\nab\x00cd\nef\n", r"x.csv, line 2: holds NUL bytes: not a text \(CSV\) file at byte 7 "),
    ],
)
def test_an_undecodable_file_names_the_byte_the_line_and_the_encodings_tried(data, message):
    with pytest.raises(DataError, match=message) as info:
        publisher_file.decode(data, "x.csv")
    one_line(info)


def test_windows_1252_without_any_utf8_still_reads():
    assert publisher_file.decode(b"name\r\nC\xf4te d\x92Ivoire\r\n", "x.csv") == "name\nCôte d’Ivoire\n"
    cpi = ROOT / "data" / "sources" / "cpi" / "cpi.csv"  # the shipped Windows-1252 file
    assert "Côte" in publisher_file.decode(cpi.read_bytes(), "cpi.csv")


def _rehash(project, rel: str) -> None:
    """What the sweep did: edit a shipped file and record its new sha256, so only the data can tell."""
    new = hashlib.sha256((project / rel).read_bytes()).hexdigest()
    name = rel.removeprefix("data/sources/")
    dp = json.loads((project / datapackage.SOURCES_FILE).read_text(encoding="utf-8"))
    next(r for r in dp["resources"] if r["path"] == name)["hash"] = f"sha256:{new}"
    (project / datapackage.SOURCES_FILE).write_bytes(datapackage.dumps(dp))


def _prepare_fails(project, capsys, table: str) -> str:
    """The build's own step (`oss-build prepare`) stops with one line."""
    assert cli.main(["prepare", table, "--out-dir", str(project / "build" / "t")]) == 1
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "Traceback" not in err
    return err


def _line_of(project, rel: str, start: bytes) -> int:
    lines = (project / rel).read_bytes().split(b"\n")
    return next(i for i, line in enumerate(lines, 1) if line.lstrip(b"\xef\xbb\xbf").startswith(start))


SHIPPED_EDITS = [
    (  # the long layout: rank and bounds on one line
        "data/sources/wgi/wgi_2024_release_long.csv",
        b"KAZcc2008,KAZ,Kazakhstan,2008,cc,-0.98,0.13,13,16.0,8.7,24.3",
        b"KAZcc2008,KAZ,Kazakhstan,2008,cc,-0.98,0.13,13,26.0,8.7,24.3",
        "wgi_sources",
        "column 'pctrank': 26 lies outside its pctranklower-upper, 8.7 to 24.3",
    ),
    (  # the wide layout: the bounds are the next two lines of the same series
        "data/sources/wgi/wgi_2023_release_wide.csv",
        b'"Kazakhstan","KAZ","Control of Corruption: Percentile Rank","CC.PER.RNK","12.3655910491943"',
        b'"Kazakhstan","KAZ","Control of Corruption: Percentile Rank","CC.PER.RNK","42.3655910491943"',
        "wgi_sources",
        "column '1996': 42.3656 lies outside its PER.RNK.LOWER-UPPER, 0.537634 to 30.1075",
    ),
    (  # an index published as the mean of its three components
        "data/sources/egdi/EGOV_DATA_2024.csv",
        b"2024,Kazakhstan ,24,0.90093,",
        b"2024,Kazakhstan ,24,0.95093,",
        "egdi_sources",
        "column 'E_Index': 0.95093 lies outside the mean of OSI, HCI, TII ±0.005, 0.89595 to 0.90595",
    ),
]


@pytest.mark.parametrize("rel,old,new,table,message", SHIPPED_EDITS, ids=lambda v: str(v)[:40])
def test_a_shipped_value_outside_its_own_bounds_stops_the_build(project, capsys, rel, old, new, table, message):
    """A publisher's value edited (its hash updated) to lie outside the bounds the file gives for
    it: the build's step names the file and the line."""
    line = _line_of(project, rel, old)
    edit(project, rel, lambda t: t.replace(old.decode(), new.decode(), 1))
    _rehash(project, rel)
    err = _prepare_fails(project, capsys, table)
    assert err.startswith(f"error: {rel}, line {line}, {message}: the file disagrees with itself (edited?)"), err


def test_the_unedited_values_lie_within_their_bounds(project, capsys):
    """The check above can pass: every shipped file reads (the edit is what fails)."""
    assert cli.main(["prepare", "egdi_sources", "--out-dir", str(project / "build" / "t")]) == 0
    assert len(publishers.table("wgi")) > 100_000


@pytest.mark.parametrize(
    "name,key,value,says",
    [
        ("wgi_2024_release_long", "x-release", 2025, "release 2024, years 1996-2023"),
        ("wgi_2024_release_long", "x-years", "1996-2024", "release 2024, years 1996-2023"),
        ("cpi_2009_edition", "x-release", 2010, "release 2009, years 2009"),  # its name says 2009
        ("egdi_2022", "x-release", 2024, "release 2022, years 2022"),  # its Survey Year column says 2022
    ],
)
def test_a_relabelled_release_stops_the_build(project, capsys, name, key, value, says):
    """Changing a file's release in data/sources/datapackage.json must not relabel its data."""
    dp = json.loads((project / datapackage.SOURCES_FILE).read_text(encoding="utf-8"))
    res = next(r for r in dp["resources"] if r["name"] == name)
    was, res[key] = (res["x-release"], res["x-years"]), value
    (project / datapackage.SOURCES_FILE).write_bytes(datapackage.dumps(dp))
    kind = res["path"].split("/")[0]
    err = _prepare_fails(project, capsys, f"{kind}_sources")
    line = datapackage.line_of(name)
    assert err == (
        f"error: data/sources/datapackage.json, line {line}: resource {name!r} records release "
        f"{res['x-release']!r}, years {res['x-years']!r}, but data/sources/{res['path']} holds {says}: a file's "
        "release is what it says; restore the entry"
    )
    assert f"release {was[0]}, years {was[1]}" == says


def test_a_removed_source_hash_gives_advice_that_fixes_it(project):
    rel = "data/sources/cpi/CPI2009.csv"
    dp = json.loads((project / datapackage.SOURCES_FILE).read_text(encoding="utf-8"))
    res = next(r for r in dp["resources"] if r["name"] == "cpi_2009_edition")
    digest = res.pop("hash")
    (project / datapackage.SOURCES_FILE).write_bytes(datapackage.dumps(dp))
    with pytest.raises(DataError) as info:
        publishers.table("cpi")
    message = one_line(info)
    assert "make datapackage" not in message  # it re-hashes the raw files only: no help here
    assert f"restore it with `git checkout {datapackage.SOURCES_FILE}`" in message
    advice = message.split(f"if {rel} is the publisher's file as downloaded, write ")[1].removesuffix(")")
    assert advice == f'"hash": "{digest}"'
    # follow the advice: the file reads again
    edit(project, datapackage.SOURCES_FILE, lambda t: t.replace('"bytes": 2453,', f'"bytes": 2453,\n      {advice},'))
    datapackage.cache_clear()
    assert len(publishers.table("cpi")) > 1000


def test_a_removed_raw_hash_is_fixed_by_the_command_it_names(project, capsys):
    dp = json.loads((project / datapackage.FILE).read_text(encoding="utf-8"))
    del dp["resources"][0]["hash"]
    (project / datapackage.FILE).write_bytes(datapackage.dumps(dp))
    with pytest.raises(DataError, match=r"\(run `make datapackage` after checking the file\)"):
        datapackage.read()
    assert cli.main(["datapackage"]) == 0  # what `make datapackage` runs
    capsys.readouterr()
    assert datapackage.read()["resources"][0]["hash"].startswith("sha256:")


def test_float_noise_in_a_file_goes_and_printed_digits_stay():
    import numpy as np

    from oss_analysis.extract.publisher_file import without_noise

    values = np.array([0.7249899999999999, 1.14748227596283, 0.30000000000000004, 0.72499, np.nan])
    got = without_noise(values)
    assert got[:4].tolist() == [0.72499, 1.14748227596283, 0.3, 0.72499]
    assert np.isnan(got[4])
