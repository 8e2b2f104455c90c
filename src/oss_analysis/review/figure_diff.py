"""Visual figure diff (``make diff``): rebuilds a private copy and shows each chart that differs
(committed, rebuilt, difference) with its changed cells, in build/figure-diff/index.html."""

from __future__ import annotations

import argparse
import html
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd

from oss_analysis import notebook_specs, paths
from oss_analysis.review.regression import cell_differences, changed, compare

IGNORE = shutil.ignore_patterns(".venv*", "build", ".snakemake", ".git", "__pycache__", "*_cache", ".build.lock")


def _images(a: Path, b: Path, out: Path, stem: str) -> list[Path]:
    """Both images padded with white to a common size (a chart that grew is a change worth seeing,
    not an error) and their difference, amplified tenfold as matplotlib's image check draws it."""
    from PIL import Image, ImageChops

    imgs = [Image.open(p).convert("RGB") for p in (a, b)]
    size = (max(i.width for i in imgs), max(i.height for i in imgs))
    padded = [Image.new("RGB", size, "white") for _ in imgs]
    for canvas, img in zip(padded, imgs, strict=True):
        canvas.paste(img, (0, 0))
    padded.append(ImageChops.difference(*padded).point(lambda v: min(255, v * 10)))
    copies = [out / f"{stem}.{which}.png" for which in ("committed", "rebuilt", "difference")]
    for img, path in zip(padded, copies, strict=True):
        img.save(path)
    return copies


def row_labels(frame: pd.DataFrame) -> list[str]:
    """A name for each row a reader can find ("Country = Kazakhstan"): the first of the two leading
    columns with unique text, else the fewest leading columns unique together, else the file line."""
    cols = list(frame.columns)
    for col in cols[:2]:
        if frame[col].is_unique and not pd.to_numeric(frame[col], errors="coerce").notna().all():
            return [f"{col} = {v}" for v in frame[col]]
    for n in range(1, len(cols) + 1):
        if not frame.duplicated(subset=cols[:n]).any():
            return [", ".join(f"{c} = {v}" for c, v in zip(cols[:n], row, strict=True)) for row in
                    frame[cols[:n]].itertuples(index=False)]
    return [f"line {i + 2}" for i in range(len(frame))]


def _cells_table(committed: Path, rebuilt: Path) -> str:
    shape, cells = cell_differences(committed, rebuilt)
    notes = "".join(f"<p>{html.escape(s)}</p>" for s in shape)
    if not cells:
        return notes + "<p>No cell of the data changed.</p>"
    labels = row_labels(pd.read_csv(committed, dtype=str, keep_default_na=False))
    rows = "".join("<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in (labels[line - 2], col, was, now, line))
                   + "</tr>" for line, col, was, now in cells)
    head = "<tr><th>row</th><th>column</th><th>committed</th><th>rebuilt</th><th>file line</th></tr>"
    return f'{notes}<table class="cells">{head}{rows}</table>'


def _chart_section(stem: str, committed: Path, rebuilt: Path, out: Path) -> str:
    a, b, d = _images(committed / f"{stem}.png", rebuilt / f"{stem}.png", out / "img", stem)
    figs = "".join(
        f'<figure><a href="img/{p.name}" title="{what}: open full size"><img src="img/{p.name}" '
        f'alt="{stem}: {what}"></a><figcaption>{what} (click for full size)</figcaption></figure>'
        for p, what in ((a, "committed"), (b, "rebuilt"), (d, "difference"))
    )
    data = f"{stem}.data.csv"
    both = (committed / data).exists() and (rebuilt / data).exists()
    cells = _cells_table(committed / data, rebuilt / data) if both else "<p>No .data.csv beside this chart.</p>"
    return (
        f'<section class="chart" id="{stem}"><h2>figures/{stem}.png</h2><div class="figs">{figs}</div>'
        f'<div class="data"><h3>{html.escape(data)}: changed cells</h3>{cells}</div></section>'
    )


# Charts are shown as large as the window allows (two side by side on a wide screen, one per row
# on a narrow one), each a link to the full-size image.
STYLE = (
    "body{font-family:sans-serif;margin:1.5em}"
    ".figs{display:grid;grid-template-columns:repeat(auto-fit,minmax(28em,1fr));gap:1em;align-items:start}"
    "figure{margin:0}figure img{width:100%;height:auto;border:1px solid #ccc}"
    "section.chart{margin-bottom:2.5em}"
    "table{border-collapse:collapse;margin-top:.5em}td,th{border:1px solid #ccc;padding:.2em .4em;text-align:left}"
)


def write_report(committed: Path, rebuilt: Path, files: list[str], out: Path) -> list[str]:
    """Write ``out/index.html`` for the outputs in ``files`` whose bytes differ between the two
    folders; returns the charts (stems) shown. An empty report says that nothing differs."""
    if out.exists():
        shutil.rmtree(out)
    (out / "img").mkdir(parents=True)
    changes = changed(committed, rebuilt, files)
    differ = [f for f, how in changes.items() if how == "differs"]
    missing = [f for f, how in changes.items() if how != "differs"]
    charts = sorted({f.removesuffix(".png") for f in differ if f.endswith(".png")})
    tables = [f for f in differ if f.endswith(".csv") and not f.endswith(".data.csv")]
    parts = [_chart_section(stem, committed, rebuilt, out) for stem in charts]
    parts += [f"<section><h2>figures/{html.escape(f)}</h2>{_cells_table(committed / f, rebuilt / f)}</section>"
              for f in tables]
    if missing:
        parts.append("<h2>Missing on one side</h2><ul>" + "".join(f"<li>{html.escape(f)}</li>" for f in missing)
                     + "</ul>")
    summary = (f"<p>{len(charts)} chart(s) and {len(tables)} table(s) differ from the committed outputs.</p>"
               if changes else "<p>Every rebuilt output is byte-identical to the committed one.</p>")
    page = (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Figure diff</title>'
        f"<style>{STYLE}</style></head><body><h1>Rebuilt outputs against the committed ones</h1>"
        f"{summary}{''.join(parts)}</body></html>\n"
    )
    (out / "index.html").write_text(page, encoding="utf-8")
    return charts


def build_copy(dest: Path) -> Path:
    """A private copy built by the Makefile with this venv, linked as .venv so that no path reaches
    a make variable or a shell line (spaces and non-ASCII letters build); raw checksums refreshed."""
    shutil.copytree(paths.root(), dest, ignore=IGNORE)
    (dest / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
    env = dict(os.environ, OSS_ANALYSIS_ROOT=str(dest))
    env.pop(paths.OUTPUT_ENV, None)
    python = str(dest / ".venv" / "bin" / "python")
    subprocess.run([python, "-m", "oss_analysis.pipeline.cli", "datapackage"], env=env, check=True, cwd=dest)
    subprocess.run(["make", "--no-print-directory", "build", "SKIP_SETUP=1"], env=env, check=True, cwd=dest)
    return dest


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rebuilt", type=Path, help="an already built project tree (default: build a private copy)")
    ap.add_argument("--out", type=Path, default=None, help="report folder (default build/figure-diff)")
    args = ap.parse_args(argv)
    out = args.out or paths.build_dir() / "figure-diff"
    with tempfile.TemporaryDirectory(prefix="oss-diff-") as tmp:
        tree = args.rebuilt or build_copy(Path(tmp) / "project")
        files = sorted(o for nb in notebook_specs.notebooks().values() for o in nb.outputs)  # all the build writes
        problems = compare(paths.figures_dir(), tree / "figures", files)
        charts = write_report(paths.figures_dir(), tree / "figures", files, out)
    for p in problems:
        print(p)
    print(f"{len(charts)} changed chart(s); report: {out / 'index.html'}")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
