"""The raw data package: valid Frictionless package, checksums current, every resource loads."""

import pytest
from conftest import ROOT
from frictionless import Package

from oss_analysis.extract import datapackage, transcriptions

RESOURCES = [r["name"] for r in datapackage.read()["resources"]]


def test_datapackage_is_valid_and_checksums_match():
    report = Package(str(ROOT / "data" / "raw" / "datapackage.json")).validate()
    errors = [e["note"] for t in report.to_dict()["tasks"] for e in t["errors"]]
    assert report.valid, errors[:5]


@pytest.mark.parametrize("name", RESOURCES)
def test_resource_has_origin_and_loads(name):
    res = transcriptions.resource(name)
    assert res.get("hash", "").startswith("sha256:"), "run `make datapackage`"
    assert res["sources"], "no sources"
    assert {"study"} <= set(res["x-origin"]), "origin must name the study"
    frame = transcriptions.load_raw(name)
    assert len(frame) > 0 or res.get("x-may-be-empty"), "only the user-additions files may ship empty"
    if "seed_line" in frame:
        assert frame["seed_line"].notna().all()


def test_every_csv_in_raw_is_described():
    described = {r["path"] for r in datapackage.read()["resources"]}
    raw = ROOT / "data" / "raw"
    on_disk = {p.relative_to(raw).as_posix() for p in raw.rglob("*.csv")}
    assert on_disk == described
