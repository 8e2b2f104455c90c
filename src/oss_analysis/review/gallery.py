"""The gallery: every table and figure of the studies and every chart the compendium adds, one
card each, grouped by theme (the notebook that makes it). A card links to its notebook page, its
data file and its row of the catalogue, so a reader finds any figure in two clicks. The same
entries give the captions of Snakemake's report (``make report``)."""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

from oss_analysis import notebook_specs


@dataclass(frozen=True)
class Card:
    key: str  # the chart's stem, or the catalogue item of a table without a chart
    notebook: str
    theme: str
    title: str
    image: str | None  # figures/ file of the thumbnail
    data: str  # figures/ file of the numbers
    item_id: str | None  # catalogue row, when the studies print this item
    catalogue_line: int | None


def cards() -> list[Card]:
    """One card per chart (each PNG a notebook declares) and per catalogued table that has no
    chart, in notebook order; the catalogue gives titles and rows where the studies print them."""
    from oss_analysis.review.report import catalogue

    cat = catalogue()
    out: list[Card] = []
    for name, nb in notebook_specs.notebooks().items():
        rows = [(i + 2, r) for i, r in cat.iterrows() if r["notebook"] == name]
        owner = {o: (line, r) for line, r in rows for o in str(r["outputs"]).split()}
        for png in [o for o in nb.outputs if o.endswith(".png")]:
            stem = png.removesuffix(".png")
            line, row = owner.get(png, (None, None))
            title = f"{stem} ({row['number']}: {row['title']})" if row is not None else stem
            data = f"{stem}.data.csv" if f"{stem}.data.csv" in nb.outputs else png
            item = row["item_id"] if row is not None else None
            out.append(Card(stem, name, nb.title, title, png, data, item, line))
        charted = {c.item_id for c in out}
        for line, row in rows:
            tables = [o for o in str(row["outputs"]).split() if o.endswith(".csv")]
            if row["item_id"] not in charted and tables:
                title = f"{row['number']}: {row['title']}"
                out.append(Card(row["item_id"], name, nb.title, title, None, tables[0], row["item_id"], line))
    return out


def html_section(entries: list[Card]) -> str:
    """The gallery as HTML for the site's index (links relative to build/site/)."""
    parts = []
    for theme in dict.fromkeys(c.theme for c in entries):
        items = []
        for c in (c for c in entries if c.theme == theme):
            thumb = (
                f'<img src="figures/{c.image}" alt="{html.escape(c.title)}">'
                if c.image
                else f'<div class="table-thumb">table<br><code>{html.escape(c.data)}</code></div>'
            )
            links = [
                f'<a href="notebooks/{c.notebook}.html">notebook</a>',
                f'<a href="figures/{c.data}">data</a>',
            ]
            if c.item_id:
                links.append(f'<a href="#item-{c.item_id}">catalogue line {c.catalogue_line}</a>')
            items.append(
                f'<figure class="card" id="card-{c.key}"><a href="notebooks/{c.notebook}.html">{thumb}</a>'
                f"<figcaption>{html.escape(c.title)}<br>{' · '.join(links)}</figcaption></figure>"
            )
        parts.append(f'<h3>{html.escape(theme)}</h3>\n<div class="gallery">{"".join(items)}</div>')
    return "\n".join(parts)


STYLE = (
    ".gallery{display:grid;grid-template-columns:repeat(auto-fill,minmax(15em,1fr));gap:1em}"
    ".card{margin:0;border:1px solid #ddd;padding:.5em;font-size:90%}"
    ".card img{width:100%;height:10em;object-fit:contain;background:#fff}"
    ".table-thumb{height:10em;display:flex;flex-direction:column;align-items:center;justify-content:center;"
    "background:#f3f3f3;color:#555}"
)


def write_captions(out: Path) -> list[Path]:
    """One reStructuredText caption per chart for Snakemake's report: its title and where its
    notebook, numbers and catalogue row are (the chart itself carries its source line)."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for c in cards():
        if not c.image:
            continue
        where = f" (catalogue line {c.catalogue_line})" if c.catalogue_line else ""
        text = f"**{c.title}**{where}. Made by ``notebooks/{c.notebook}.ipynb``; numbers in ``figures/{c.data}``.\n"
        path = out / f"{c.key}.rst"
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    import sys

    for p in write_captions(Path(sys.argv[1] if len(sys.argv) > 1 else "build/report/captions")):
        print(p)
