"""The gallery holds every chart and every catalogued item."""


from conftest import ROOT

from oss_analysis import notebook_specs
from oss_analysis.review import gallery

CHARTS = [
    o.removesuffix(".png") for nb in notebook_specs.notebooks().values() for o in nb.outputs if o.endswith(".png")
]


def test_gallery_has_every_chart_and_every_catalogued_item():
    from oss_analysis.review.report import catalogue

    cards = gallery.cards()
    assert sorted(c.key for c in cards if c.image) == sorted(CHARTS)
    rebuilt = set(catalogue().dropna(subset=["notebook"])["item_id"])
    assert rebuilt <= {c.item_id for c in cards}
    outputs = {o for nb in notebook_specs.notebooks().values() for o in nb.outputs}
    assert all(c.data in outputs for c in cards)
    lines = (ROOT / "docs" / "catalogue.csv").read_text().splitlines()
    assert all(lines[c.catalogue_line - 1].startswith(c.item_id + ",") for c in cards if c.item_id)

