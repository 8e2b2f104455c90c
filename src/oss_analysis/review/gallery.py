"""The gallery: a card per chart and per table of the studies, for the site and ``make report``'s captions."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from oss_analysis import notebook_specs, paths
from oss_analysis.errors import DataError
from oss_analysis.review import report


@dataclass(frozen=True)
class Card:
    key: str  # the chart's stem, or the catalogue item of a table without a chart
    notebook: str
    theme: str
    title: str
    image: str | None  # file of the thumbnail, relative to the output folder
    data: str  # file of the numbers, relative to the output folder
    item_id: str | None  # catalogue row, when the studies print this item
    catalogue_line: int | None
    alt: str = ""


def claims(folder: Path, stem: str) -> dict[str, object]:
    """An output's claims (title, source line, legend, alt, sources) as saved beside it, which every output has."""
    meta = folder / f"{stem}.meta.json"
    if not meta.exists():
        raise DataError(paths.shown(meta), "file is missing: every chart is saved with its claims (run `make all`)")
    return json.loads(meta.read_text(encoding="utf-8"))


def cards(country: str | None = None) -> list[Card]:
    """A card per chart and per catalogued table without a chart, in notebook order (``country``: that run's)."""
    folder = paths.figures_dir() / country if country else paths.figures_dir()
    cat = report.catalogue()
    out: list[Card] = []
    for name, nb in notebook_specs.notebooks().items():
        present = [o for o in nb.outputs if (folder / o).exists()]
        rows = [(i + 2, r) for i, r in cat.iterrows() if r["notebook"] == name]
        owner = {o: (line, r) for line, r in rows for o in str(r["outputs"]).split()}
        for png in [o for o in present if o.endswith(".png")]:
            stem = png.removesuffix(".png")
            line, row = owner.get(png, (None, None))
            chart = claims(folder, stem)
            drawn = str(chart["title"]) or stem
            numbered = row is not None and str(row["number"]).startswith(("Table", "Figure"))
            title = f"{row['number']}: {drawn}" if numbered else drawn
            data = f"{stem}.data.csv" if f"{stem}.data.csv" in present else png
            item = row["item_id"] if row is not None else None
            out.append(Card(stem, name, nb.title, title, png, data, item, line, str(chart["alt"])))
        charted = {c.item_id for c in out}
        for line, row in rows:
            tables = [o for o in str(row["outputs"]).split() if o.endswith(".csv") and o in present]
            if row["item_id"] not in charted and tables:
                title, alt = f"{row['number']}: {row['title']}", str(claims(folder, tables[0][:-4])["alt"])
                out.append(Card(row["item_id"], name, nb.title, title, None, tables[0], row["item_id"], line, alt))
    return out


def write_captions(out: Path) -> None:
    """A reStructuredText caption per chart for Snakemake's report (the chart carries its source line)."""
    out.mkdir(parents=True, exist_ok=True)
    for c in (c for c in cards() if c.image):
        where = f" (catalogue line {c.catalogue_line})" if c.catalogue_line else ""
        text = f"**{c.title}**{where}. Made by ``notebooks/{c.notebook}.ipynb``; numbers in ``figures/{c.data}``.\n"
        (out / f"{c.key}.rst").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    import sys

    write_captions(Path(sys.argv[1] if len(sys.argv) > 1 else "build/report/captions"))
