"""The documentation site (``make docs``): Sphinx, MyST-NB and the book theme, from a source folder
assembled under build/docs-src/ (what goes in, and why this stack: docs/layout.md, "This site")."""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from collections.abc import Iterable, Sequence
from html import escape
from pathlib import Path

import pandas as pd

from oss_analysis import notebook_specs, paths
from oss_analysis.review import gallery

_SAVE_FIGURE = re.compile(r"save_figure\(\s*\w+\s*,\s*[\"'](\w+)[\"']")
# front matter of a generated page whose table needs the width the page's table of contents would take
_WIDE = "---\nhtml_theme.sidebar_secondary.remove: true\n---\n"


def _write(path: Path, data: str | bytes) -> None:
    """Write only when the content changes (keeps Sphinx's incremental build incremental)."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if not path.exists() or path.read_bytes() != raw:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(raw)


def _raw_html(markup: str) -> str:
    return "```{raw} html\n" + markup + "\n```\n"


def html_table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A table in the theme's scrollable frame. Cells are HTML already (links, line breaks): the
    caller escapes text, so that markup and text never mix by accident."""
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{v}</td>" for v in row) + "</tr>" for row in rows)
    return _raw_html(
        '<div class="pst-scrollable-table-container"><table class="table data-table">'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )


def _anchor(id: str, markup: str) -> str:
    """A cell that is also the target of links to its row (``page.html#id``)."""
    return f'<span id="{escape(id)}">{markup}</span>'


def cards_html(cards: Sequence[gallery.Card], *, figures: str, notebook_page: str, catalogue: str) -> str:
    """The gallery as HTML cards grouped by theme. ``figures``, ``notebook_page`` (with a
    ``{name}`` field) and ``catalogue`` are links relative to the page that shows the cards."""
    parts = []
    for theme in dict.fromkeys(c.theme for c in cards):
        items = []
        for c in (c for c in cards if c.theme == theme):
            page, alt = notebook_page.format(name=c.notebook), escape(c.alt, quote=True)
            thumb = (f'<img src="{figures}/{c.image}" alt="{alt}">' if c.image else
                     f'<div class="table-thumb" title="{alt}">table<br><code>{escape(c.data)}</code></div>')
            links = [f'<a href="{page}">notebook</a>', f'<a href="{figures}/{c.data}">data</a>']
            if c.item_id:
                links.append(f'<a href="{catalogue}#item-{c.item_id}">catalogue row</a>')
            items.append(f'<figure class="card" id="card-{c.key}"><a href="{page}">{thumb}</a><figcaption>'
                         f'{escape(c.title)}<span class="links">{" · ".join(links)}</span></figcaption></figure>')
        parts.append(f"<h2>{escape(theme)}</h2>\n" + '<div class="gallery">' + "".join(items) + "</div>")
    return "\n".join(parts)


def notebook_with_alt(executed: Path, folder: Path) -> str:
    """The executed notebook with an ``alt`` for every image output (the claims of the chart the cell
    saves, else a sentence naming the cell), and papermill's injected parameters folded."""
    nb = json.loads(executed.read_text(encoding="utf-8"))
    heads = [ln for c in nb["cells"] if c["cell_type"] == "markdown" for ln in "".join(c["source"]).splitlines()]
    title = next((ln.lstrip("# ").strip() for ln in heads if ln.startswith("# ")), executed.stem)
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            continue
        tags = cell.setdefault("metadata", {}).setdefault("tags", [])
        if "injected-parameters" in tags and "hide-cell" not in tags:
            tags.append("hide-cell")  # the build's values, folded: output_dir is a staging folder of the build
        if not any(k.startswith("image/") for o in cell.get("outputs", []) for k in o.get("data", {})):
            continue
        stems = _SAVE_FIGURE.findall("".join(cell["source"]))
        if stems and (folder / f"{stems[0]}.png").exists():
            alt = gallery.alt_text(folder, stems[0])
        else:
            alt = f"Figure drawn by cell {i + 1} of the notebook '{title}'."
        cell["metadata"].setdefault("mystnb", {})["image"] = {"alt": alt}
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def countries() -> list[str]:
    """Country runs present in this tree: folders figures/<CODE>/ with an AVAILABILITY.md."""
    return sorted(p.parent.name for p in paths.figures_dir().glob("*/AVAILABILITY.md"))


def _notebooks(notebooks: dict[str, notebook_specs.Notebook]) -> str:
    entries = "\n".join(f"{nb.title} <{name}>" for name, nb in notebooks.items())
    listing = "\n".join(f"- [{nb.title}]({name}.ipynb): `notebooks/{name}.ipynb`, parameters in "
                        f"`{paths.shown(nb.params)}`, {len(nb.outputs)} outputs" for name, nb in notebooks.items())
    return f"{listing}\n\n```{{toctree}}\n:hidden:\n\n{entries}\n```\n"


def _gallery() -> str:
    cards = gallery.cards()
    charts = sum(1 for c in cards if c.image)
    return f"{charts} charts and {len(cards) - charts} tables without a chart.\n\n" + _raw_html(
        cards_html(cards, figures="figures", notebook_page="notebooks/{name}.html", catalogue="catalogue.html")
    )


def _catalogue(built: set[str]) -> str:
    from oss_analysis.review.report import catalogue

    rows = []
    for r in catalogue().astype(object).fillna("").itertuples():
        nb = f'<a href="notebooks/{r.notebook}.html">{r.notebook}</a>' if r.notebook in built else ""
        files = "<br>".join(f'<a href="figures/{o}">{escape(o)}</a>' for o in str(r.outputs).split())
        about = f"<strong>{escape(r.title)}</strong><br>{escape(r.description)}"
        where = (f"p. {int(r.page)}, " if r.page != "" else "") + f"seed line {r.seed_line}"
        rows.append([_anchor(f"item-{r.item_id}", escape(r.number)), about, escape(r.kind), escape(r.status),
                     where, nb, files])
    return html_table(["item", "title and description", "kind", "status", "where", "notebook", "outputs"], rows)


def _read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _errata() -> str:
    errata = _read_csv(paths.raw_dir() / "errata.csv")
    counts = ", ".join(f"{n} {k}" for k, n in Counter(errata["kind"]).most_common())

    def said(r: dict[str, str], side: str) -> str:
        where = f"<em>{escape(r['study_' + side])}, seed line {escape(r['seed_line_' + side])}</em>"
        return f"{where}: {escape(r['statement_' + side])}"

    rows = [
        [
            _anchor(r["erratum_id"], f"<strong>{escape(r['erratum_id'])}</strong><br>{escape(r['kind'])}"),
            said(r, "a") + "<br>" + said(r, "b"),
            f"{escape(r['reading_used'])}<br><em>Why:</em> {escape(r['reason'])}",
            escape(r["affects"]),
        ]
        for r in errata.to_dict("records")
    ]
    return (
        f"{len(rows)} entries ({counts}). Columns of the file: {', '.join(errata.columns)}.\n\n"
        + html_table(["erratum", "the two statements", "reading used, and why", "affects"], rows)
    )


def _crosscheck() -> str:
    cc = _read_csv(paths.figures_dir() / "source_crosscheck.csv")
    item = cc["study"] + " " + cc["item"]
    by_item = pd.crosstab(item, cc["verdict"]).reindex(index=item.unique(), columns=cc["verdict"].unique())
    return (
        "## Verdicts by item\n\n"
        + html_table(["item", *by_item.columns], ([escape(k), *v] for k, v in by_item.iterrows()))
        + "\n## Every comparison\n\n"
        + html_table(list(cc.columns), cc.map(escape).values)
    )


def _benchmark_table() -> str:
    results = json.loads((paths.root() / "benchmarks" / "results.json").read_text(encoding="utf-8"))
    lines = ["| measurement | value |", "|---|---|"]
    for key, value in results.get("seconds", {}).items():
        unit = "" if " / " in key or "lines" in key or "clean after" in key else " s"
        lines.append(f"| {key} | {f'{value:.2f}' if isinstance(value, float) else value}{unit} |")
    about = ", ".join(f"{k}: {v}" for k, v in results.get("machine", {}).items())
    return f"Machine of the last run: {about}.\n\n" + "\n".join(lines) + "\n"


def country_page(code: str) -> tuple[str, list[str]]:
    """A country run's page: its AVAILABILITY.md, its charts and its executed notebooks (returned)."""
    names = [n for n in notebook_specs.notebooks() if (paths.build_dir() / "notebooks" / code / f"{n}.ipynb").exists()]
    cards = [c for c in gallery.cards(code) if c.notebook in names]
    page = (paths.figures_dir() / code / "AVAILABILITY.md").read_text(encoding="utf-8")
    page = _WIDE + (page.replace("\n# ", "\n## ") if page.startswith("# ") else f"# Country run {code}\n\n{page}")
    country, _, year = code.partition("_")
    command = f"make all COUNTRY={country}" + (f" YEAR={year}" if year else "")
    page += f'\nOutputs: <a href="../figures/{code}/AVAILABILITY.md">figures/{code}/</a>, built by `{command}`.\n\n'
    if cards:
        page += "## Charts\n\n" + _raw_html(cards_html(cards, figures=f"../figures/{code}",
                                                        notebook_page=f"{code}/{{name}}.html",
                                                        catalogue="../catalogue.html"))
    if names:
        entries = "\n".join(f"{notebook_specs.notebooks()[n].title} ({code}) <{code}/{n}>" for n in names)
        page += f"\n## Notebooks\n\n```{{toctree}}\n:maxdepth: 1\n\n{entries}\n```\n"
    return page, names


def _countries(codes: Sequence[str]) -> str:
    if not codes:
        return "No country run in this build.\n"
    return "```{toctree}\n:maxdepth: 1\n\n" + "\n".join(codes) + "\n```\n"


def write_sources(src: Path | None = None) -> Path:
    """Assemble Sphinx's source folder from docs/, the built tree and the data; fails when a
    notebook has not been executed yet (run ``make all`` first)."""
    src = Path(src) if src else paths.build_dir() / "docs-src"
    notebooks = notebook_specs.notebooks()
    executed, figures, docs = paths.build_dir() / "notebooks", paths.figures_dir(), paths.root() / "docs"
    missing = [n for n in notebooks if not (executed / f"{n}.ipynb").exists()]
    if missing:
        raise FileNotFoundError(f"not executed yet: {', '.join(missing)}; run `make all` first")
    pages: dict[str, str | bytes] = {
        str(f.relative_to(docs)): f.read_bytes() for f in sorted(docs.rglob("*"))
        if f.is_file() and f.name != "catalogue.csv"
    }
    for name in notebooks:
        pages[f"notebooks/{name}.ipynb"] = notebook_with_alt(executed / f"{name}.ipynb", figures)
    for template in sorted((paths.root() / "notebooks" / "templates").glob("*.ipynb")):  # as stored, no outputs
        pages[f"templates/{template.name}"] = template.read_bytes()
    pages |= {"generated/gallery.md": _gallery(), "generated/catalogue.md": _catalogue(set(notebooks)),
              "generated/errata.md": _errata(), "generated/crosscheck.md": _crosscheck(),
              "generated/benchmark_results.md": _benchmark_table(), "generated/notebooks.md": _notebooks(notebooks),
              "generated/countries.md": _countries(countries())}
    for code in countries():
        pages[f"countries/{code}.md"], names = country_page(code)
        for n in names:
            pages[f"countries/{code}/{n}.ipynb"] = notebook_with_alt(executed / code / f"{n}.ipynb", figures / code)
    for f in sorted(figures.rglob("*")):
        if f.is_file():
            pages[f"_extra/figures/{f.relative_to(figures)}"] = f.read_bytes()
    for rel, data in pages.items():
        _write(src / rel, data)
    for stale in [p for p in src.rglob("*") if p.is_file() and str(p.relative_to(src)) not in pages]:
        stale.unlink()
    return src


def build(out: Path | None = None) -> Path:
    """Build the site into ``out`` (default build/site/) with Sphinx; returns its index page."""
    from sphinx.cmd.build import build_main

    src = write_sources()
    out = Path(out) if out else paths.build_dir() / "site"
    if out.exists():
        shutil.rmtree(out)
    doctrees = paths.build_dir() / "docs-doctrees"
    code = build_main(["-b", "html", "-q", "-j", "auto", "-d", str(doctrees), str(src), str(out)])
    if code != 0:
        raise RuntimeError(f"sphinx-build failed (exit {code}); its messages are above")
    return out / "index.html"


if __name__ == "__main__":
    import sys

    try:
        index = build(Path(sys.argv[1]) if len(sys.argv) > 1 else None)
    except FileNotFoundError as exc:
        raise SystemExit(f"error: {exc}") from None
    print(f"site: {paths.shown(index)}")
