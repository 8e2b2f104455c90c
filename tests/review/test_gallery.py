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



def test_a_caption_per_chart_says_its_card(tmp_path):
    """make report's captions: one per chart (none for a table without a chart), from the chart's card."""
    gallery.write_captions(tmp_path)
    charts = [c for c in gallery.cards() if c.image]
    assert sorted(p.stem for p in tmp_path.iterdir()) == sorted(c.key for c in charts)
    card = next(c for c in charts if c.key == "wgi_heatmap")
    assert (tmp_path / "wgi_heatmap.rst").read_text(encoding="utf-8") == (
        f"**{card.title}** (catalogue line {card.catalogue_line}). Made by ``notebooks/governance.ipynb``; "
        "numbers in ``figures/wgi_heatmap.data.csv``.\n"
    )
    assert card.title.startswith("Table 2: ")
