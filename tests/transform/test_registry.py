"""The processed tables are declared once, and the build reads that declaration."""

import json

from conftest import ROOT

from oss_analysis import notebook_specs
from oss_analysis.extract import datapackage


def test_processed_registry_matches_the_cleaning_code():
    """transform/registry.py declares each table once: a builder of that name in clean.py, a
    schema in schemas.py, raw inputs the data packages hold; every table-building function of
    clean.py (public, no arguments) is declared, and every table a notebook reads exists."""
    import inspect

    from oss_analysis.transform import clean, registry, schemas

    raw = datapackage.resource_paths()
    for name, table in registry.TABLES.items():
        assert table.raw and all(r in raw for r in table.raw), name
        assert callable(getattr(clean, name, None)), f"{name}: no builder in transform/clean.py"
        assert schemas.schema(table.schema).__class__.__name__ == "DataFrameSchema", name
        assert clean.schema(name) is schemas.schema(table.schema)
    builders = {
        n for n, f in vars(clean).items()
        if inspect.isfunction(f) and f.__module__ == clean.__name__ and not n.startswith("_")
        and not inspect.signature(f).parameters
    }
    assert builders == set(registry.TABLES)
    read = {t for nb in notebook_specs.notebooks().values() for t in (*nb.processed, *nb.country_sources)}
    assert read <= set(registry.TABLES)
    assert "processed" not in notebook_specs._spec(ROOT)  # no second declaration in notebooks.yaml


def test_publishers_tables_read_every_file_of_their_kind(project, monkeypatch):
    """A publisher's release added under data/sources/<kind>/ is an input of its tables at once."""
    import pandas as pd

    from oss_analysis.extract import publishers
    from oss_analysis.transform import registry

    shipped = [r["name"] for r in datapackage.read_sources()["resources"]]
    assert set(registry.TABLES["source_drops"].raw) == set(shipped)
    read = []  # the files a table reads, in its order
    empty = pd.DataFrame({"iso3": []})
    monkeypatch.setattr(publishers, "read_shipped_file", lambda name, drops: read.append(name) or empty)
    for kind in ("wgi", "cpi", "egdi"):
        read.clear()
        publishers.table(kind)
        assert registry.TABLES[f"{kind}_sources"].raw == tuple(read)
    descriptor = project / "data" / "sources" / "datapackage.json"
    package = json.loads(descriptor.read_text(encoding="utf-8"))
    added = dict(package["resources"][0], name="wgi_2099_release_wide", path="wgi/wgi_2099_release_wide.csv")
    package["resources"].append(added)
    descriptor.write_text(json.dumps(package), encoding="utf-8")
    datapackage.cache_clear()  # as oss-build add-country-data does after writing it
    assert registry.TABLES["wgi_sources"].raw[-1] == "wgi_2099_release_wide"
    assert "wgi_2099_release_wide" in registry.TABLES["source_drops"].raw
    assert "wgi_2099_release_wide" not in registry.TABLES["cpi_sources"].raw

