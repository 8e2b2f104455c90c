"""The transcriptions read and validated: each broken raw file fails with one line naming file,
row, column and rule."""

import json

import pytest
from conftest import edit, one_line

from oss_analysis.errors import DataError
from oss_analysis.extract import datapackage, transcriptions
from oss_analysis.transform import clean

pytestmark = pytest.mark.usefixtures("fresh_caches")


def edit_and_refresh(project, rel, transform):
    edit(project, rel, transform)
    datapackage.update()


CPI = "data/raw/thesis_table_03_cpi.csv"


@pytest.mark.parametrize("bad", ["2007-13", "2007-00"])
def test_month_13_is_refused(project, bad):
    edit_and_refresh(project, "data/raw/thesis_table_05_legislation.csv", lambda t: t.replace("2007-01", bad, 1))
    lines = (project / "data/raw/thesis_table_05_legislation.csv").read_text().splitlines()
    line = next(i + 1 for i, row in enumerate(lines) if bad in row)
    with pytest.raises(DataError) as info:
        transcriptions.load_raw("thesis_table_05_legislation")
    message = one_line(info)
    assert message.startswith(f"data/raw/thesis_table_05_legislation.csv, line {line}, column '")
    assert f"must be a real date (year, or year-month with month 01-12) (got '{bad}')" in message


def test_month_13_in_a_fact_date(project):
    edit_and_refresh(project, "data/raw/facts.csv", lambda t: t.replace(",2005-11,", ",2005-13,", 1))
    rule = r"data/raw/facts.csv, line \d+, column 'date_(start|end)': must be a real date"
    with pytest.raises(DataError, match=rule):
        transcriptions.load_raw("facts")


def test_duplicated_header_column(project):
    edit_and_refresh(project, CPI, lambda t: t.replace("cpi_score", "country", 1))
    with pytest.raises(DataError) as info:
        transcriptions.load_raw("thesis_table_03_cpi")
    assert one_line(info) == (
        f"{CPI}, line 1, column 'country': column name appears twice in the header (fields 2 and 3)"
    )


def test_two_duplicated_keys_report_the_first_repeat_and_its_first_line(project):
    def twice(t):
        rows = t.splitlines()
        # line 7 repeats line 3's country, line 9 repeats line 2's
        rows[6] = rows[6].replace(rows[6].split(",")[1], rows[2].split(",")[1])
        rows[8] = rows[8].replace(rows[8].split(",")[1], rows[1].split(",")[1])
        return "\n".join(rows) + "\n"

    edit_and_refresh(project, CPI, twice)
    with pytest.raises(DataError) as info:
        transcriptions.load_raw("thesis_table_03_cpi")
    assert one_line(info).startswith(f"{CPI}, line 7, column 'country': duplicate key (first seen on line 3)")


def test_duplicate_in_a_large_file_reports_the_first_repeat():
    import pandas as pd
    import pandera.pandas as pa

    n = 200_000
    frame = pd.DataFrame({"k": [f"r{i}" for i in range(n)]})
    frame.loc[150_000, "k"] = "r17"  # first repeat: line 150002, of line 19
    frame.loc[199_990, "k"] = "r18"
    schema = pa.DataFrameSchema({"k": pa.Column(str, unique=True)})
    with pytest.raises(DataError) as info:
        transcriptions.validate(frame, schema, "big.csv")
    assert one_line(info) == "big.csv, line 150002, column 'k': duplicate key (first seen on line 19) (got 'r17')"


def test_fact_range_error_names_raw_file_line_and_value(project):
    raw = (project / "data/raw/facts.csv").read_text().splitlines()
    line = next(i + 1 for i, r in enumerate(raw) if ",percent," in r)
    value = raw[line - 1].split(",")
    header = raw[0].split(",")
    value[header.index("value")] = "120"
    raw[line - 1] = ",".join(value)
    (project / "data/raw/facts.csv").write_text("\n".join(raw) + "\n")
    datapackage.update()
    with pytest.raises(DataError) as info:
        clean.build("facts")
    assert one_line(info) == (
        f"data/raw/facts.csv, line {line}, column 'value': value must be between 0 and 100 when unit is percent "
        "(got 120.0)"
    )


def test_duplicate_in_additions_names_the_additions_file(project):
    add = "data/raw/additions/cpi_2009_additions.csv"
    header = (project / add).read_text().splitlines()[0]
    assert header.startswith("country_code,")
    row = "ARM,Armenia,120,2.7,2009,made-up test row"
    edit_and_refresh(project, add, lambda t: f"{header}\n{row}\n{row}\n")
    with pytest.raises(DataError) as info:
        clean.build("cpi_2009")
    message = one_line(info)
    assert message.startswith(f"{add}, line 3")
    assert "(built)" not in message


@pytest.mark.parametrize(
    "resource, additions, row",
    [
        ("cpi_2009", "cpi_2009_additions.csv", "kaz,Kazakhstan,120,9.9,2009,made-up test row"),
        ("wgi_2008", "wgi_2008_additions.csv", "RUS,Russia,1,1,1,1,1,1,2008,made-up test row"),
    ],
)
def test_shipped_country_added_again_names_the_additions_line(project, resource, additions, row):
    add = f"data/raw/additions/{additions}"
    header = (project / add).read_text().splitlines()[0]
    edit_and_refresh(project, add, lambda t: f"{header}\n{row}\n")
    with pytest.raises(DataError) as info:
        clean.build(resource)
    message = one_line(info)
    assert message.startswith(f"{add}, line 2, column 'country_code': ")
    assert "is already in the thesis' table (data/raw/thesis_table_0" in message


def _edit(project, rel, transform):
    path = project / rel
    path.write_bytes(transform(path.read_bytes()))


def _refresh_hash(project):
    from oss_analysis.extract.datapackage import update as update_datapackage

    update_datapackage()
    datapackage.cache_clear()


@pytest.fixture(autouse=True)
def _fresh_cache():
    datapackage.cache_clear()
    yield
    datapackage.cache_clear()


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



def test_a_primary_key_of_one_field_is_unique(project):
    """Frictionless: a primary key is unique, also when the field itself does not say so (Figure 4's stage)."""
    stages = "data/raw/thesis_figure_04_stages.csv"
    edit_and_refresh(project, stages, lambda t: t.replace("\n2,Legal mandate", "\n1,Legal mandate", 1))
    with pytest.raises(DataError) as info:
        transcriptions.load_raw("thesis_figure_04_stages")
    assert one_line(info).startswith(f"{stages}, line 3, column 'stage': duplicate key (first seen on line 2)")
