"""Every rebuilt published table equals the table printed in the study, cell for cell.

The expected cells are parsed from the seed text itself (tab-separated rows), not typed here."""

import pytest
from conftest import ROOT

from oss_analysis import registry
from oss_analysis.tables import read_published

THESIS = "004_2afbd09316cb29ad.txt"
# published table -> (seed file, header line, last data line) in the seed text
SEED_TABLES = {
    "thesis_table_02": (THESIS, 247, 257),
    "thesis_table_03": (THESIS, 275, 285),
}
BUILT = {o.removesuffix(".csv") for nb in registry.notebooks().values() for o in nb.outputs if o.endswith(".csv")}


def printed_rows(seeds, spec):
    name, first, last = spec
    lines = (seeds / name).read_text(encoding="utf-8").split("\n")[first - 1 : last]
    return [[cell.strip() for cell in line.split("\t")] for line in lines if line.strip()]


@pytest.mark.parametrize("table", sorted(t for t in SEED_TABLES if t in BUILT))
def test_published_table_equals_print(seeds, table):
    printed = printed_rows(seeds, SEED_TABLES[table])
    header, body = printed[0], printed[1:]
    published = read_published(ROOT / "figures" / f"{table}.csv")
    assert list(published.columns.map(lambda c: "" if c.startswith("Unnamed") else c)) == header
    assert published.values.tolist() == body


def test_every_published_thesis_table_is_checked_against_the_print():
    published = {t for t in BUILT if t.startswith(("thesis_table_", "article_table_"))}
    assert published <= set(SEED_TABLES) | set(SPECIAL_LAYOUTS), published - set(SEED_TABLES)


SPECIAL_LAYOUTS: dict[str, str] = {}
