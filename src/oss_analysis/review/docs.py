"""The documentation site (``make docs``), built by Sphinx from build/docs-src/ (docs/layout.md, "This site")."""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from html import escape
from pathlib import Path

import jinja2
import pandas as pd

from oss_analysis import files, notebook_specs, paths
from oss_analysis.review import gallery, report

_SAVE_FIGURE = re.compile(r"save_figure\(\s*\w+\s*,\s*[\"'](\w+)[\"']")


def render(template: str, **values: object) -> str:
    """A page from its template in docs/_templates/ (``|e`` escapes as ``html.escape`` does)."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(paths.root() / "docs" / "_templates"),
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                             undefined=jinja2.StrictUndefined)
    env.filters.update(e=lambda v: escape(str(v)), shown=paths.shown)
    return env.get_template(template).render(**values)


def notebook_with_alt(executed: Path, folder: Path) -> str:
    """The executed notebook with an ``alt`` for every image output and papermill's parameters folded."""
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
            alt = str(gallery.claims(folder, stems[0])["alt"])
        else:
            alt = f"Figure drawn by cell {i + 1} of the notebook '{title}'."
        cell["metadata"].setdefault("mystnb", {})["image"] = {"alt": alt}
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def countries() -> list[str]:
    """Country runs present in this tree: folders figures/<CODE>/ with an AVAILABILITY.md."""
    return sorted(p.parent.name for p in paths.figures_dir().glob("*/AVAILABILITY.md"))


def _catalogue(built: set[str]) -> str:
    items = report.catalogue().astype(object).fillna("").to_dict("records")
    return render("catalogue.md.j2", items=[dict(r, outputs=str(r["outputs"]).split()) for r in items], built=built)


def _errata() -> str:
    errata = [r for _, r in files.csv_rows(paths.raw_dir() / "errata.csv", "data/raw/errata.csv")]
    counts = ", ".join(f"{n} {k}" for k, n in Counter(r["kind"] for r in errata).most_common())
    return render("errata.md.j2", errata=errata, counts=counts, columns=list(errata[0]))


def _crosscheck() -> str:
    cc = pd.read_csv(paths.figures_dir() / "source_crosscheck.csv", dtype=str, keep_default_na=False)
    item = cc["study"] + " " + cc["item"]
    by_item = pd.crosstab(item, cc["verdict"]).reindex(index=item.unique(), columns=cc["verdict"].unique())
    return render("crosscheck.md.j2", verdicts=list(by_item.columns), by_item=by_item.reset_index().values,
                  columns=list(cc.columns), rows=cc.values)


def _benchmark_table() -> str:
    results = (paths.root() / "benchmarks" / "results.json").read_text(encoding="utf-8")
    return render("benchmark_results.md.j2", results=json.loads(results))


def country_page(code: str) -> tuple[str, list[str]]:
    """A country run's page: its AVAILABILITY.md, its charts and its executed notebooks (returned)."""
    names = [n for n in notebook_specs.notebooks() if (paths.build_dir() / "notebooks" / code / f"{n}.ipynb").exists()]
    page = (paths.figures_dir() / code / "AVAILABILITY.md").read_text(encoding="utf-8")
    return render("country.md.j2", code=code, availability=page, run=code.partition("_"),
                  cards=[c for c in gallery.cards(code) if c.notebook in names],
                  notebooks={n: notebook_specs.notebooks()[n] for n in names}), names


def write_sources(src: Path | None = None) -> Path:
    """Sphinx's source folder from docs/, the built tree and the data; a notebook not executed yet stops it."""
    src = Path(src) if src else paths.build_dir() / "docs-src"
    notebooks = notebook_specs.notebooks()
    executed, figures, docs = paths.build_dir() / "notebooks", paths.figures_dir(), paths.root() / "docs"
    missing = [n for n in notebooks if not (executed / f"{n}.ipynb").exists()]
    if missing:
        raise FileNotFoundError(f"not executed yet: {', '.join(missing)}; run `make all` first")
    pages: dict[str, str | bytes] = {
        str(f.relative_to(docs)): f.read_bytes() for f in sorted(docs.rglob("*"))
        if f.is_file() and f.name != "catalogue.csv" and "_templates" not in f.parts
    }
    for name in notebooks:
        pages[f"notebooks/{name}.ipynb"] = notebook_with_alt(executed / f"{name}.ipynb", figures)
    for template in sorted((paths.root() / "notebooks" / "templates").glob("*.ipynb")):  # as stored, no outputs
        pages[f"templates/{template.name}"] = template.read_bytes()
    pages |= {"generated/gallery.md": render("gallery.md.j2", cards=gallery.cards()),
              "generated/catalogue.md": _catalogue(set(notebooks)), "generated/errata.md": _errata(),
              "generated/crosscheck.md": _crosscheck(), "generated/benchmark_results.md": _benchmark_table(),
              "generated/notebooks.md": render("notebooks.md.j2", notebooks=notebooks),
              "generated/countries.md": render("countries.md.j2", codes=countries())}
    for code in countries():
        pages[f"countries/{code}.md"], names = country_page(code)
        for n in names:
            pages[f"countries/{code}/{n}.ipynb"] = notebook_with_alt(executed / code / f"{n}.ipynb", figures / code)
    for f in sorted(figures.rglob("*")):
        if f.is_file():
            pages[f"_extra/figures/{f.relative_to(figures)}"] = f.read_bytes()
    for rel, data in pages.items():
        raw = data.encode("utf-8") if isinstance(data, str) else data
        if not (src / rel).exists() or (src / rel).read_bytes() != raw:  # Sphinx's build stays incremental
            (src / rel).parent.mkdir(parents=True, exist_ok=True)
            (src / rel).write_bytes(raw)
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
