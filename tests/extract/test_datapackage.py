"""The data packages: a deleted file, a missing or malformed hash, a broken descriptor, a
resource declared twice: each one line naming file and line."""

import json

import pytest
from conftest import edit, one_line

from oss_analysis.errors import DataError
from oss_analysis.extract import datapackage, transcriptions

pytestmark = pytest.mark.usefixtures("fresh_caches")


def _descriptor(project):
    return project / "data/raw/datapackage.json"


def test_deleted_raw_file_is_an_error(project):
    (project / "data/raw/thesis_table_08_case_offices.csv").unlink()
    with pytest.raises(DataError) as info:
        datapackage.check_files()
    assert one_line(info) == (
        "data/raw/thesis_table_08_case_offices.csv: file is missing "
        "(declared as resource 'thesis_table_08_case_offices' in data/raw/datapackage.json)"
    )
    with pytest.raises(DataError, match="file is missing"):
        datapackage.update()


def test_missing_hash_is_an_error(project):
    dp = json.loads(_descriptor(project).read_text())
    del dp["resources"][1]["hash"]
    text = json.dumps(dp, indent=2, ensure_ascii=False) + "\n"
    _descriptor(project).write_text(text)
    line = text.splitlines().index(f'      "name": "{dp["resources"][1]["name"]}",') + 1
    with pytest.raises(DataError) as info:
        transcriptions.load_raw(dp["resources"][1]["name"])
    message = one_line(info)
    assert message.startswith(f"data/raw/datapackage.json, line {line}: resource '{dp['resources'][1]['name']}'")
    assert "must carry its checksum" in message


def test_malformed_hash_is_an_error(project):
    edit(project, "data/raw/datapackage.json", lambda t: t.replace('"hash": "sha256:', '"hash": "md5:', 1))
    with pytest.raises(DataError, match=r"must carry its checksum .* \(got 'md5:"):
        datapackage.read()


def test_resource_declared_twice(project):
    dp = json.loads(_descriptor(project).read_text())
    dp["resources"].append(dict(dp["resources"][0]))
    _descriptor(project).write_text(json.dumps(dp, indent=2))
    with pytest.raises(DataError, match=r"resource name 'thesis_table_02_wgi' is declared twice"):
        datapackage.read()

