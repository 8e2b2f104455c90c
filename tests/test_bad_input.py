"""Broken raw files fail with one line naming file, row, column and rule (issue: fault suite)."""

import json

import pytest

from oss_analysis.errors import DataError
from oss_analysis.extract import transcriptions
from oss_analysis.transform import clean

CPI = "data/raw/thesis_table_03_cpi.csv"


def _edit(project, rel, transform):
    path = project / rel
    path.write_bytes(transform(path.read_bytes()))


def _refresh_hash(project):
    from oss_analysis.extract.datapackage import update as update_datapackage

    update_datapackage()
    transcriptions._datapackage.cache_clear()


@pytest.fixture(autouse=True)
def _fresh_cache():
    transcriptions._datapackage.cache_clear()
    yield
    transcriptions._datapackage.cache_clear()


CASES = {
    "missing column": (
        lambda b: b.replace(b"country_rank,", b"").replace(b"\n3,", b"\n").replace(b"\n27,", b"\n"),
        "column 'country_rank': required column is missing",
    ),
    "renamed column": (lambda b: b.replace(b"cpi_score", b"score"), "column 'cpi_score': required column is missing"),
    "extra column": (
        lambda b: (
            b.replace(b"seed_line\n", b"seed_line,notes\n", 1)
            .replace(b"\n", b",x\n")
            .replace(b"seed_line,notes,x", b"seed_line,notes")
        ),
        "column 'notes': column is not in the schema",
    ),
    "wrong type": (
        lambda b: b.replace(b"Kazakhstan,2.7", b"Kazakhstan,two"),
        "line 6, column 'cpi_score': expected a number (got 'two')",
    ),
    "out of range": (
        lambda b: b.replace(b"Kazakhstan,2.7", b"Kazakhstan,11"),
        "line 6, column 'cpi_score': must be <= 10",
    ),
    "negative rank": (
        lambda b: b.replace(b"120,Kazakhstan", b"-120,Kazakhstan"),
        "line 6, column 'country_rank': must be >= 1",
    ),
    "duplicate key": (lambda b: b.replace(b"Russia", b"Kazakhstan"), "line 7, column 'country': duplicate key"),
    "unknown country": (lambda b: b.replace(b"Russia", b"Narnia"), "line 7, column 'country': unknown country name"),
    "empty file": (lambda b: b"", "file is empty"),
    "header only": (lambda b: b.split(b"\n")[0] + b"\n", "has a header but no data rows"),
    "byte-order mark": (lambda b: b"\xef\xbb\xbf" + b, "line 1: starts with a UTF-8 byte-order mark"),
    "wrong encoding": (lambda b: b.replace(b"Russia", "Россия".encode("cp1251")), "line 7: is not valid UTF-8"),
    "truncated last line": (lambda b: b[:-6], "line 11: last line has no line ending"),
    "ragged row": (
        lambda b: b.replace(b"Kazakhstan,2.7,280", b"Kazakhstan,2.7"),
        "line 6: has 3 fields, the header has 4",
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_broken_raw_file_gives_one_clear_line(project, case):
    transform, expected = CASES[case]
    _edit(project, CPI, transform)
    _refresh_hash(project)
    with pytest.raises(DataError) as info:
        clean.build("cpi_2009")
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(CPI), message
    assert expected in message, message


def test_missing_file(project):
    (project / CPI).unlink()
    with pytest.raises(DataError, match=r"thesis_table_03_cpi.csv: file is missing"):
        transcriptions.load_raw("thesis_table_03_cpi")


def test_checksum_mismatch(project):
    _edit(project, CPI, lambda b: b.replace(b"2.7", b"2.8"))
    with pytest.raises(DataError, match=r"sha256 differs from data/raw/datapackage.json"):
        transcriptions.load_raw("thesis_table_03_cpi")


def test_missing_value_in_required_column(project):
    _edit(project, CPI, lambda b: b.replace(b"Kazakhstan,2.7", b"Kazakhstan,"))
    _refresh_hash(project)
    with pytest.raises(DataError, match=r"line 6, column 'cpi_score': value is required"):
        transcriptions.load_raw("thesis_table_03_cpi")


def test_datapackage_names_every_resource(project):
    dp = json.loads((project / "data/raw/datapackage.json").read_text())
    with pytest.raises(KeyError, match="no raw resource named 'nope'"):
        transcriptions.resource("nope")
    assert dp["resources"]
