"""The consistency checks are a registry: ids, locations and errata, and the report built from it."""

import pytest

from oss_analysis.review import checks, report


def test_checks_are_a_registry_with_ids_locations_and_errata():
    ids = list(checks.CHECKS)
    assert len(ids) == len(set(ids)) == 27
    for c in checks.CHECKS.values():
        assert c.where and c.name and callable(c.compute)
        assert c.erratum is None or c.erratum.startswith("E")


def test_report_is_built_from_the_registry(monkeypatch):
    base = report.consistency_checks()
    assert list(base["check"]) == [c.name for c in checks.CHECKS.values()]
    extra = dict(checks.CHECKS)
    monkeypatch.setattr(checks, "CHECKS", extra)
    checks.check("C99", "A check added by a test", "line 1")(lambda d: ("1", "2", False))
    grown = report.consistency_checks()
    assert len(grown) == len(base) + 1
    assert grown.iloc[-1].to_dict() == {
        "check": "A check added by a test",
        "where": "line 1",
        "expected": "1",
        "observed": "2",
        "outcome": "differs",
    }


def test_a_check_citing_an_unknown_erratum_is_refused(monkeypatch):
    monkeypatch.setattr(checks, "CHECKS", dict(checks.CHECKS))
    checks.check("C98", "cites nothing real", "line 1", "E999")(lambda d: ("1", "1", True))
    with pytest.raises(ValueError, match=r"checks cite errata not in data/raw/errata.csv: \['E999'\]"):
        report.consistency_checks()


def test_check_ids_are_unique():
    with pytest.raises(ValueError, match="registered twice"):
        checks.check("C01", "again", "line 1")(lambda d: ("", "", True))
