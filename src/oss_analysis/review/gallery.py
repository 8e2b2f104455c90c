"""The gallery's entries: every table and figure of the studies and every chart the compendium
adds, one card each, grouped by theme (the notebook that makes it). A card knows its notebook, its
data file, its catalogue row and an ``alt`` text read from the files, never typed per chart, so
that the documentation site (``oss_analysis.review.docs``) and the captions of Snakemake's report
(``make report``) say the same thing.

Alt text: ``<stem>.meta.json``'s ``alt`` where a notebook wrote one; otherwise one sentence built
from the chart's own title and source line (read from its SVG) and the shape of its ``.data.csv``."""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from pathlib import Path

from oss_analysis import notebook_specs, paths


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


# matplotlib writes each text of an SVG as a group (id text_N, or the artist's gid) holding one
# comment per line of the text and the position of its first line
_GROUP = re.compile(r'<g id="([^"]+)">')
_COMMENT = re.compile(r"<!-- (.*?) -->", re.S)
_Y = re.compile(r'transform="translate\([-\d.e]+ ([-\d.e]+)\)')


def svg_texts(svg: Path) -> list[tuple[str, str, float]]:
    """(group id, text, y) of every text matplotlib drew into ``svg``; y grows downwards and the
    lines of a wrapped text are joined with spaces."""
    import html

    text = svg.read_text(encoding="utf-8")
    starts = [(m.start(), m.group(1)) for m in _GROUP.finditer(text)]
    out = []
    for (start, gid), (end, _) in zip(starts, [*starts[1:], (len(text), "")], strict=True):
        part = text[start:end]
        lines = _COMMENT.findall(part)
        y = _Y.search(part)
        if lines and y and part.lstrip().startswith("<g id") and part.find("<!--") < part.find("<g ", 5):
            out.append((gid, html.unescape(" ".join(lines)), float(y.group(1))))
    return out


def chart_title(svg: Path) -> str | None:
    """The topmost text of a chart (its suptitle or first panel title), the source line aside;
    the title the reader sees, so the gallery never repeats it by hand."""
    if not svg.exists():
        return None
    texts = [(y, -len(text), text) for gid, text, y in svg_texts(svg) if gid != "source-line"]
    return min(texts)[2] if texts else None


def chart_source(svg: Path) -> str | None:
    """The chart's source line ('Source: ...'), as drawn under it (``style.add_source_line``)."""
    if not svg.exists():
        return None
    return next((text for gid, text, _y in svg_texts(svg) if gid == "source-line"), None)


def _shape(data: Path) -> tuple[int, list[str]] | None:
    if not data.exists() or data.suffix != ".csv":
        return None
    with data.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    return (len(rows) - 1, rows[0]) if rows else None


def alt_text(folder: Path, stem: str) -> str:
    """What a chart shows, in words, for a reader who cannot see it: the notebook's own ``alt``
    (``<stem>.meta.json``) when it wrote one, else title, data and source read from the files."""
    meta = folder / f"{stem}.meta.json"
    if meta.exists():
        alt = json.loads(meta.read_text(encoding="utf-8")).get("alt")
        if alt:
            return str(alt)
    title = chart_title(folder / f"{stem}.svg") or stem.replace("_", " ")
    words = [f"Chart: {title.rstrip('.')}."]
    shape = _shape(folder / f"{stem}.data.csv")
    if shape:
        n, columns = shape
        words.append(f"It draws the {n} rows of {stem}.data.csv (columns {', '.join(columns)}).")
    source = chart_source(folder / f"{stem}.svg")
    if source:
        words.append(source.rstrip(".") + ".")
    return " ".join(words)


def cards(country: str | None = None) -> list[Card]:
    """One card per chart (each PNG a notebook declares and the output folder holds) and per
    catalogued table that has no chart, in notebook order; the catalogue gives titles and rows
    where the studies print them. ``country``: the outputs of that country run (figures/<CODE>/)."""
    from oss_analysis.review.report import catalogue

    folder = paths.figures_dir() / country if country else paths.figures_dir()
    cat = catalogue()
    out: list[Card] = []
    for name, nb in notebook_specs.notebooks().items():
        present = [o for o in nb.outputs if (folder / o).exists()]
        if country and not present:
            continue
        rows = [(i + 2, r) for i, r in cat.iterrows() if r["notebook"] == name]
        owner = {o: (line, r) for line, r in rows for o in str(r["outputs"]).split()}
        for png in [o for o in present if o.endswith(".png")]:
            stem = png.removesuffix(".png")
            line, row = owner.get(png, (None, None))
            drawn = chart_title(folder / f"{stem}.svg") or stem
            numbered = row is not None and str(row["number"]).startswith(("Table", "Figure"))
            title = f"{row['number']}: {drawn}" if numbered else drawn
            data = f"{stem}.data.csv" if f"{stem}.data.csv" in present else png
            item = row["item_id"] if row is not None else None
            out.append(Card(stem, name, nb.title, title, png, data, item, line, alt_text(folder, stem)))
        charted = {c.item_id for c in out}
        for line, row in rows:
            tables = [o for o in str(row["outputs"]).split() if o.endswith(".csv") and o in present]
            if row["item_id"] not in charted and tables:
                title = f"{row['number']}: {row['title']}"
                out.append(Card(row["item_id"], name, nb.title, title, None, tables[0], row["item_id"], line))
    return out


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
