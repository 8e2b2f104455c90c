"""Static site of a built tree: the executed notebooks (from build/notebooks, not re-executed)
rendered by nbconvert, the catalogue and report pages, the outputs, and an index that links each
table and figure of the studies to its notebook and files. Written to build/site/."""

from __future__ import annotations

import html
import shutil
from pathlib import Path

from oss_analysis import notebook_specs, paths
from oss_analysis.review import gallery

TEMPLATES = Path(__file__).parent / "templates"


def _page(title: str, body: str) -> str:
    """The one hand-made page frame (the index and the catalogue); notebooks use nbconvert's."""
    style = (
        "body{font-family:sans-serif;max-width:70em;margin:2em auto;padding:0 1em;line-height:1.4}"
        "table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:.3em .5em;vertical-align:top;text-align:left}"
        "th{background:#f3f3f3}code{font-size:90%}" + gallery.STYLE
    )
    return (
        f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>{html.escape(title)}</title>\n'
        f"<style>{style}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


def render_notebook(executed: Path, target: Path) -> None:
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="offline", extra_template_basedirs=[str(TEMPLATES)])
    body, _ = exporter.from_filename(str(executed))
    target.write_text(body, encoding="utf-8")


def _catalogue_rows(built: set[str]) -> str:
    from oss_analysis.review.report import catalogue

    rows = []
    for r in catalogue().fillna("").itertuples():
        nb = f'<a href="notebooks/{r.notebook}.html">{r.notebook}</a>' if r.notebook in built else ""
        files = " ".join(f'<a href="figures/{f}">{html.escape(f)}</a>' for f in str(r.outputs).split())
        where = f"p. {int(r.page)}, " if r.page != "" else ""
        rows.append(
            f'<tr id="item-{r.item_id}"><td>{html.escape(r.number)}</td><td>{html.escape(r.title)}</td>'
            f"<td>{html.escape(r.kind)}</td>"
            f"<td>{html.escape(r.status)}</td><td>{where}line {r.seed_line}</td><td>{nb}</td><td>{files}</td></tr>"
        )
    columns = ("item", "title", "kind", "status", "where", "notebook", "outputs")
    head = "<tr>" + "".join(f"<th>{h}</th>" for h in columns) + "</tr>"
    return f"<table>\n{head}\n" + "\n".join(rows) + "\n</table>"


def build_site(out: Path | None = None) -> Path:
    """Render the site from the built tree; fails when a notebook has not been executed yet."""
    out = Path(out) if out else paths.build_dir() / "site"
    notebooks = notebook_specs.notebooks()
    missing = [n for n in notebooks if not (paths.build_dir() / "notebooks" / f"{n}.ipynb").exists()]
    if missing:
        raise FileNotFoundError(f"not executed yet: {', '.join(missing)}; run `make all` first")
    if out.exists():
        shutil.rmtree(out)
    (out / "notebooks").mkdir(parents=True)
    (out / "figures").mkdir()
    for nb in notebooks.values():
        for o in nb.outputs:
            shutil.copyfile(paths.figures_dir() / o, out / "figures" / o)
        render_notebook(paths.build_dir() / "notebooks" / f"{nb.name}.ipynb", out / "notebooks" / f"{nb.name}.html")
    listing = "\n".join(
        f'<li><a href="notebooks/{n}.html">{html.escape(nb.title)}</a> (<code>notebooks/{n}.ipynb</code>)</li>'
        for n, nb in notebooks.items()
    )
    body = (
        "<h1>oss_analysis: the rebuilt tables and figures</h1>\n"
        "<p>Two studies of public-service delivery in Kazakhstan (Janenova 2010, PhD thesis; Galy and Tynyshbayeva, "
        "article), rebuilt from transcribed data. Every notebook below was executed by the build; nothing here is "
        "re-executed. The reviewers' summary is the "
        '<a href="notebooks/reproduction_report.html">reproduction report</a>.</p>\n'
        f"<h2>Notebooks</h2>\n<ul>\n{listing}\n</ul>\n"
        "<h2>Gallery: every table and figure, by theme</h2>\n<p>Each card links to its notebook, its data "
        "and its row of the catalogue below.</p>\n" + gallery.html_section(gallery.cards()) + "\n"
        "<h2>Catalogue: every table and figure of the studies</h2>\n"
        '<p>Machine-readable: <a href="figures/catalogue.csv">catalogue.csv</a>. Qualitative items are described '
        "in the catalogue in our own words.</p>\n" + _catalogue_rows(set(notebooks))
    )
    (out / "index.html").write_text(_page("oss_analysis", body), encoding="utf-8")
    return out
