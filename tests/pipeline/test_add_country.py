"""`oss-build add-country-data`: the publishers' files are the one way in; everything is checked
before a file is shipped or a value merged."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pandas as pd
import pytest
from conftest import ROOT, one_line

from oss_analysis.errors import DataError
from oss_analysis.extract import datapackage, publisher_file, publishers
from oss_analysis.transform import clean


def test_import_refuses_incomplete_or_thesis_countries(project, tmp_path):  # noqa: ARG001 (fixture sets the root)
    from oss_analysis.errors import DataError
    from oss_analysis.pipeline import add_country

    fixture = ROOT / "tests" / "fixtures" / "sources" / "wgi_2024_release_long.csv"
    gap = tmp_path / "wgi_gap.csv"  # Georgia without its 2008 percentile rank for Control of Corruption
    cc = b"GEOcc2008,GEO,Georgia,2008,cc,-0.10,0.14,13,"
    gap.write_bytes(fixture.read_bytes().replace(cc + b"53.9,", cc + b"..,"))
    with pytest.raises(DataError, match=r"column 'control_of_corruption': value is required for GEO"):
        add_country.add("wgi", gap, ["GEO"])
    assert not (project / "data" / "sources" / "wgi" / "wgi_gap.csv").exists(), "a refused file was shipped"
    with pytest.raises(DataError, match=r"EST already in the thesis' table"):
        add_country.add("cpi", ROOT / "data" / "sources" / "cpi" / "CPI2009.csv", ["EST"])
    with pytest.raises(DataError, match=r"has no rows for MDA"):
        add_country.add("wgi", fixture, ["MDA"])


FIXTURES = ROOT / "tests" / "fixtures" / "sources"


def _pct(release: str, iso3: str, year: int, indicator: str) -> float:
    """An independent look-up in the shipped file's reader output."""
    wgi = publishers.read_shipped_file(release, publishers.Drops())
    row = wgi[(wgi["iso3"] == iso3) & (wgi["year"] == year) & (wgi["indicator"] == indicator)]
    return float(row["pct_rank"].iloc[0])


def _write_addition(project, name, line):
    path = project / "data" / "raw" / "additions" / name
    path.write_text(path.read_text(encoding="utf-8") + line + "\n", encoding="utf-8")
    subprocess.run(
        [sys.executable, "-m", "oss_analysis.pipeline.cli", "datapackage"],
        check=True,
        capture_output=True,
        env=dict(os.environ, OSS_ANALYSIS_ROOT=str(project)),
    )
    datapackage.cache_clear()


def test_lower_case_code_cannot_add_a_printed_country_again(project):
    _write_addition(project, "cpi_2009_additions.csv", "kaz,Kazakhstan,120,2.7,2009,typed by hand")
    with pytest.raises(
        DataError,
        match=r"cpi_2009_additions.csv, line 2, column 'country_code': KAZ is already in "
        r"the thesis' table \(data/raw/thesis_table_03_cpi.csv, line 6\); additions are for other countries "
        r"\(got 'kaz'\)",
    ):
        clean.build("cpi_2009")


def test_wgi_addition_name_and_code_must_agree(project):
    _write_addition(project, "wgi_2008_additions.csv", "ARM,Georgia,50,50,50,50,50,50,2008,typed by hand")
    with pytest.raises(
        DataError,
        match=r"wgi_2008_additions.csv, line 2, column 'country_code': name and code "
        r"disagree: 'Georgia' is GEO, the code says ARM",
    ):
        clean.build("wgi_2008")


def test_import_refuses_a_name_that_disagrees_with_its_code(project, tmp_path):  # noqa: ARG001 (sets the root)
    from oss_analysis.pipeline import add_country

    sample = (FIXTURES / "wgi_2024_release_long.csv").read_bytes()
    bad = tmp_path / "wgi_2024_release_long.csv"
    bad.write_bytes(sample.replace(b",GEO,Georgia,", b",ARM,Georgia,", 1))
    with pytest.raises(DataError, match=r"line 2, column 'code': name and code disagree: 'Georgia' is GEO"):
        add_country.add("wgi", bad, ["arm"])


@pytest.mark.parametrize(
    "header",
    [
        "country_code,country,country_rank,cpi_score,year,source",  # this compendium's additions template
        '"Country Name","Country Code","Series Name","Series Code","2008 [YR2008]"',  # a DataBank export
        "Country Rank,Country/Territory,CPI 2009 Score,Surveys Used,Confidence Range",  # TI's 2009 table
    ],
)
def test_a_legacy_layout_is_refused_in_one_line(project, tmp_path, capsys, header):  # noqa: ARG001
    """One way in: the layouts read before the publishers' own files stop with one line naming
    the layouts accepted, before anything is shipped or merged."""
    from oss_analysis.pipeline import cli

    legacy = tmp_path / "legacy.csv"
    legacy.write_text(header + "\nArmenia,ARM,90,2.9,2009,typed\n", encoding="utf-8")
    additions = (project / "data" / "raw" / "additions" / "cpi_2009_additions.csv").read_bytes()
    assert cli.main(["add-country-data", "cpi", str(legacy), "--countries", "ARM"]) == 1
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "Traceback" not in err
    assert f"{legacy}, line 1: layout no longer accepted" in err
    assert "pass the publisher's file as downloaded" in err and "wgi_wide, wgi_long, cpi_merged, cpi_2009" in err
    assert (project / "data" / "raw" / "additions" / "cpi_2009_additions.csv").read_bytes() == additions
    assert not (project / "data" / "sources" / "cpi" / "legacy.csv").exists()


def test_every_shipped_file_imports_for_georgia(project, capsys):
    """`oss-build add-country-data` (its command line, in this process: fifteen Python start-ups
    would cost more than the imports) reads every shipped file's real layout."""
    from oss_analysis.pipeline import cli

    for res in datapackage.read_sources()["resources"]:
        kind = res["path"].split("/")[0]
        rc = cli.main(["add-country-data", kind, str(ROOT / "data" / "sources" / res["path"]), "--countries", "geo"])
        said = capsys.readouterr()
        assert rc == 0, (res["path"], said.err)
        assert "is already shipped as data/sources/" + res["path"] in said.out
    wgi = pd.read_csv(project / "data" / "raw" / "additions" / "wgi_2008_additions.csv")
    cpi = pd.read_csv(project / "data" / "raw" / "additions" / "cpi_2009_additions.csv")
    assert wgi["country_code"].tolist() == ["GEO"] and cpi["country_code"].tolist() == ["GEO"]
    assert wgi.loc[0, "control_of_corruption"] == _pct("wgi_2024_release_long", "GEO", 2008, "CC")
    full = publishers.read_shipped_file("cpi_2009_edition", publishers.Drops()).set_index("iso3")["score"]
    assert cpi.loc[0, "cpi_score"] == full["GEO"] and cpi.loc[0, "country_rank"] == 1 + int((full > full["GEO"]).sum())


def test_a_new_release_file_is_shipped_byte_for_byte(project, tmp_path):
    from oss_analysis.pipeline import add_country

    new = tmp_path / "EGOV DATA (2026).csv"  # a name the shell would trip on: shipped under a safe one
    shutil.copyfile(FIXTURES / "EGOV_DATA_2024.csv", new)
    new.write_bytes(new.read_bytes().replace(b"\r\n2024,", b"\r\n2026,"))
    credited = add_country.shipped_as(new, "egdi")  # what added rows' source names, before shipping
    said = add_country.add("egdi", new, ["GEO"])
    assert said[0].startswith("shipped data/sources/egdi/EGOV_DATA_2026_.csv (release 2026)")
    shipped = project / "data" / "sources" / "egdi" / "EGOV_DATA_2026_.csv"
    assert shipped.read_bytes() == new.read_bytes()
    datapackage.cache_clear()
    assert credited == add_country.shipped_as(new, "egdi") == "data/sources/egdi/EGOV_DATA_2026_.csv"
    datapackage.cache_clear()
    entry = publisher_file.resource("egdi_egov_data_2026")
    assert entry["x-layout"] == "egdi_un_2024" and entry["x-release"] == 2026
    assert 2026 in set(publishers.table("egdi")["edition"])


def test_a_file_of_another_publisher_is_refused(project):
    from oss_analysis.pipeline import add_country

    with pytest.raises(DataError, match=r"CPI2009.csv: is a cpi file \(layout cpi_2009\), not wgi"):
        add_country.add("wgi", FIXTURES / "CPI2009.csv", ["GEO"])


def test_import_normalises_codes_and_refuses_a_printed_country(project):  # noqa: ARG001 (fixture sets the root)
    from oss_analysis.pipeline import add_country

    with pytest.raises(DataError, match=r"KAZ already in the thesis' table; additions are for other countries"):
        add_country.add("cpi", FIXTURES / "CPI2009.csv", ["kaz"])
    with pytest.raises(DataError, match=r"--countries Georgia: not an ISO 3166 alpha-3 code \(did you mean GEO\?\)"):
        add_country.add("cpi", FIXTURES / "CPI2009.csv", ["Georgia"])


# --- issue 23: validate, then ship -----------------------------------------------------------

NEW = FIXTURES / "wgi_2025_release_long.csv"  # made up: the 2024 release's lines, 2023 relabelled 2024


def _state(project) -> dict[str, bytes]:
    """Every byte under data/ (the publishers' files, both descriptors, the additions)."""
    return {
        p.relative_to(project).as_posix(): p.read_bytes() for p in sorted((project / "data").rglob("*")) if p.is_file()
    }


def _variant(tmp_path, name, change=lambda b: b):
    path = tmp_path / name
    path.write_bytes(change(NEW.read_bytes()))
    return path


def _drop_line(prefix: bytes):
    return lambda b: b"\n".join(line for line in b.split(b"\n") if not line.startswith(prefix))


def _second_row(b: bytes) -> bytes:
    lines = b.split(b"\n")
    return b"\n".join([*lines[:3], lines[1].replace(b",53.9,", b",50.0,"), *lines[3:]])


REFUSED = {
    "missing indicator": (
        {"change": _drop_line(b"GEOge2008")},
        r"column 'government_effectiveness': value is required for GEO",
    ),
    "country already in the thesis": ({"codes": ["KAZ"]}, r"KAZ already in the thesis' table"),
    "year the file does not hold": (
        {"year": 2030},
        r"--year 2030 out of range: the file holds years 2008-2024, the additions take 2008",
    ),
    "year the additions do not take": ({"year": 2024}, r"--year 2024 out of range: .* the additions take 2008$"),
    "two rows for one key": ({"change": _second_row}, r", line 4: two rows for GEO, 2008, CC: \S+csv:2 and \S+csv:4$"),
    "value outside its own bounds": (
        {"change": lambda b: b.replace(b"13,53.9,44.2,61.7", b"13,63.9,44.2,61.7")},
        r", line 2, column 'pctrank': 63.9 lies outside its pctranklower-upper, 44.2 to 61.7",
    ),
    "UTF-8 with a bad byte": (
        {"change": lambda b: b.replace(b"Georgia", b"G\xe9orgia", 1).replace(b"Kazakhstan", "Kazakhstan ✓".encode())},
        r", line 2: is not valid UTF-8 \(invalid continuation byte\) at byte 119 \(tried UTF-8 and Windows-1252\)",
    ),
    "UTF-16": (
        {"change": lambda b: b.decode("utf-8-sig").encode("utf-16")},
        r", line 1: is UTF-16 or UTF-32 text, not UTF-8 at byte 0",
    ),
}


@pytest.mark.parametrize("case", REFUSED)
def test_a_refused_file_changes_nothing_and_the_corrected_one_is_then_accepted(project, tmp_path, case):
    """Every refusal comes before anything is written: data/ is byte-identical after it, and the
    same file corrected is then shipped and merged (it used to be refused as already shipped)."""
    from oss_analysis.pipeline import add_country

    how, message = REFUSED[case]
    before = _state(project)
    (tmp_path / "bad").mkdir()
    bad = _variant(tmp_path / "bad", NEW.name, how.get("change", lambda b: b))
    with pytest.raises(DataError, match=message) as info:
        add_country.add("wgi", bad, how.get("codes", ["GEO"]), year=how.get("year"))
    assert one_line(info).startswith(str(bad))
    assert _state(project) == before, "a refused file changed data/"
    said = add_country.add("wgi", NEW, ["GEO"])
    assert said == [
        "shipped data/sources/wgi/wgi_2025_release_long.csv (release 2025) and recorded it in "
        "data/sources/datapackage.json",
        "updated data/raw/additions/wgi_2008_additions.csv and its checksum in data/raw/datapackage.json",
    ]
    assert (project / "data" / "sources" / "wgi" / NEW.name).read_bytes() == NEW.read_bytes()
    assert publisher_file.resource("wgi_wgi_2025_release_long")["x-years"] == "2008-2024"


def test_the_one_mismatch_between_the_ok_case_and_a_refusal_is_the_refusal(project):
    """The byte comparison above can fail: a successful add changes data/."""
    from oss_analysis.pipeline import add_country

    before = _state(project)
    add_country.add("wgi", NEW, ["GEO"])
    after = _state(project)
    changed = {k for k in after.keys() | before.keys() if after.get(k) != before.get(k)}
    assert changed == {
        "data/sources/wgi/wgi_2025_release_long.csv",
        "data/sources/datapackage.json",
        "data/raw/additions/wgi_2008_additions.csv",
        "data/raw/datapackage.json",
    }


def test_a_failure_while_staging_leaves_data_as_it_was(project, monkeypatch):
    from oss_analysis.pipeline import add_country

    def broken(root, shown):
        raise DataError(shown, "staged descriptor refused")

    before = _state(project)
    monkeypatch.setattr(datapackage._read, "__wrapped__", broken)  # the staged descriptors' check
    with pytest.raises(DataError, match="staged descriptor refused"):
        add_country.add("wgi", NEW, ["GEO"])
    assert _state(project) == before
    assert not list((project / "build").glob("add-country-data-*")), "the scratch folder was left behind"


def test_names_that_differ_only_in_spaces_dashes_or_case_are_one_resource(project, tmp_path):
    """Two files whose names give one resource name: the second is refused before anything is
    written (the descriptor would name one resource twice and every later build would fail)."""
    from oss_analysis.pipeline import add_country

    first = _variant(tmp_path, "wgi dup-2025.csv")
    assert add_country.add("wgi", first, ["GEO"])[0].startswith("shipped data/sources/wgi/wgi_dup-2025.csv ")
    before = _state(project)
    (tmp_path / "b").mkdir()
    second = _variant(tmp_path / "b", "WGI-Dup 2025.csv", lambda b: b.replace(b"2024,", b"2025,"))
    with pytest.raises(DataError) as info:
        add_country.add("wgi", second, ["GEO"])
    assert one_line(info) == (
        f"{second}: its name gives resource 'wgi_wgi_dup_2025', taken by data/sources/wgi/wgi_dup-2025.csv; rename it"
    )
    assert _state(project) == before
    datapackage.cache_clear()
    names = [r["name"] for r in datapackage.read_sources()["resources"]]
    assert len(names) == len(set(names))


def test_a_release_shipped_with_other_bytes_is_refused(project, tmp_path):
    from oss_analysis.pipeline import add_country

    add_country.add("wgi", NEW, ["GEO"])
    before = _state(project)
    other = _variant(tmp_path, "wgi_2025_other.csv", lambda b: b.replace(b"-0.10,0.14", b"-0.11,0.14"))
    with pytest.raises(DataError, match=r"release 2025 is already shipped as data/sources/wgi/wgi_2025_release_long"):
        add_country.add("wgi", other, ["GEO"])
    assert _state(project) == before


def test_a_name_the_file_reader_cannot_place_hints_at_the_encoding(project, tmp_path):
    """A file in another 8-bit encoding decodes as Windows-1252 into names no alias knows: the one
    line says what to do about the encoding."""
    from oss_analysis.pipeline import add_country

    latin = _variant(tmp_path, NEW.name, lambda b: b.replace(b"Georgia", "Géorgie".encode("mac_roman")))
    with pytest.raises(DataError, match=r"unknown country name .*save it as UTF-8 \(got 'G\Sorgie'\)"):
        add_country.add("wgi", latin, ["KAZ"])


def test_a_copied_clones_entry_point_refuses_to_write_into_the_original(project, monkeypatch, capsys):
    """A cp -a copy's .venv/bin/oss-build runs the original's package (its root is the original):
    one line says so (runner.foreign_checkout, for every subcommand), nothing is written anywhere."""
    from oss_analysis.pipeline import cli

    monkeypatch.delenv("OSS_ANALYSIS_ROOT")
    (project / ".venv" / "bin").mkdir(parents=True)
    (project / ".venv" / ".checkout").write_text(str(ROOT))
    monkeypatch.setattr(sys, "argv", [str(project / ".venv" / "bin" / "oss-build")])
    before = _state(ROOT)
    assert cli.main(["add-country-data", "wgi", str(NEW), "--countries", "GEO"]) == 1
    assert capsys.readouterr().err.startswith(
        f"error: {project / '.venv'} runs the package of {ROOT}, not of this checkout ({project}): "
    )
    assert _state(ROOT) == before


def test_a_year_for_a_file_without_additions_or_a_stray_file_is_refused_first(project, tmp_path):
    """Variants: --year for a UN file (nothing is merged from it), and a file of that name lying in
    data/sources/ outside the descriptor (it would be overwritten): both refused, data/ unchanged."""
    from oss_analysis.pipeline import add_country

    before = _state(project)
    with pytest.raises(DataError, match=r"--year 2022: only WGI and CPI values are merged into data/raw/additions/"):
        add_country.add("egdi", FIXTURES / "EGOV_DATA_2022.csv", ["GEO"], year=2022)
    stray = project / "data" / "sources" / "wgi" / NEW.name
    stray.write_bytes(b"left here by hand\n")
    with pytest.raises(DataError, match=rf"data/sources/wgi/{NEW.name} exists \(not in data/sources/datapackage"):
        add_country.add("wgi", NEW, ["GEO"])
    stray.unlink()
    assert _state(project) == before
