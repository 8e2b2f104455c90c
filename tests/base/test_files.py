"""Atomic writes keep the process umask; small CSVs are read with their line numbers, or refused in one line."""


import os
import stat

import pytest

from oss_analysis import files
from oss_analysis.errors import DataError

pytestmark = pytest.mark.usefixtures("fresh_caches")


@pytest.mark.parametrize("mask", [0o022, 0o027])
def test_atomic_write_uses_the_umask(tmp_path, monkeypatch, mask):
    monkeypatch.setattr(files, "_umask", lambda: mask)
    target = files.atomic_write(tmp_path / "a.csv", lambda tmp: open(tmp, "w").write("x\n"))
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~mask


def test_umask_is_read_from_the_process():
    current = os.umask(0o022)
    os.umask(current)
    assert files._umask() == current



def test_csv_rows_numbers_lines_as_an_editor_does(tmp_path):
    path = tmp_path / "g.csv"
    path.write_text("iso3,group\nKAZ,a\nKGZ,b\n")
    rows = [(2, {"iso3": "KAZ", "group": "a"}), (3, {"iso3": "KGZ", "group": "b"})]
    assert files.csv_rows(path, "g.csv", ("iso3",)) == rows


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"code,group\nKAZ,a\n", "g.csv, line 1, column 'iso3': required column is missing"),
        ("iso3,group\nKAZ,Gruppe \u00e4\n".encode("latin-1"), "g.csv: is not valid UTF-8; save it as UTF-8"),
    ],
)
def test_csv_rows_refuses_in_one_line(tmp_path, data, message):
    (tmp_path / "g.csv").write_bytes(data)
    with pytest.raises(DataError) as info:
        files.csv_rows(tmp_path / "g.csv", "g.csv", ("iso3", "group"))
    assert str(info.value) == message
