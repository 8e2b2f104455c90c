"""What a rebuild changed: each output and cell (``compare``), and each changed chart drawn (``make diff``)."""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd

from oss_analysis import notebook_specs, paths
from oss_analysis.files import sha256
from oss_analysis.review.docs import render

IGNORE = shutil.ignore_patterns(".venv*", "build", ".snakemake", ".git", "__pycache__", "*_cache", ".build.lock")


def row_labels(frame: pd.DataFrame) -> list[str]:
    """A name for each row a reader can find ("Country = Kazakhstan"; the rule: docs/stages/review.md)."""
    cols = list(frame.columns)
    for col in cols[:2]:
        if frame[col].is_unique and not pd.to_numeric(frame[col], errors="coerce").notna().all():
            return [f"{col} = {v}" for v in frame[col]]
    for n in range(1, len(cols) + 1):
        if not frame.duplicated(subset=cols[:n]).any():
            return [", ".join(f"{c} = {v}" for c, v in zip(cols[:n], row, strict=True)) for row in
                    frame[cols[:n]].itertuples(index=False)]
    return [f"line {i + 2}" for i in range(len(frame))]


def cell_differences(a: Path, b: Path) -> tuple[list[str], list[tuple[int, str, str, str, str]]]:
    """Two CSV files' changes of shape and changed cells (file line, row label, column, committed, rebuilt)."""
    old = pd.read_csv(a, dtype=str, keep_default_na=False)
    new = pd.read_csv(b, dtype=str, keep_default_na=False)
    shape = []
    if list(old.columns) != list(new.columns):
        shape.append(f"columns changed from {list(old.columns)} to {list(new.columns)}")
    if len(old) != len(new):
        shape.append(f"{len(old)} rows committed, {len(new)} rebuilt")
    labels = row_labels(old)
    cells = [
        (i + 2, labels[i], col, old.at[i, col], new.at[i, col])
        for col in [c for c in old.columns if c in new.columns]
        for i in range(min(len(old), len(new)))
        if old.at[i, col] != new.at[i, col]
    ]
    return shape, cells


def changed(committed: Path, rebuilt: Path, files: list[str]) -> dict[str, str]:
    """Each of ``files`` whose two copies differ in bytes, with how (``compare`` and ``write_report`` share it)."""
    out = {}
    for f in files:
        a, b = Path(committed) / f, Path(rebuilt) / f
        if not b.exists():
            out[f] = "not rebuilt"
        elif not a.exists():
            out[f] = "rebuilt but not committed"
        elif a.read_bytes() != b.read_bytes():
            out[f] = "differs"
    return out


def compare(committed: Path, rebuilt: Path, files: list[str], limit: int = 10) -> list[str]:
    """A line per difference between the committed and rebuilt figures/ (at most ``limit`` a table)."""
    problems: list[str] = []
    for f, how in changed(committed, rebuilt, files).items():
        a, b, name = Path(committed) / f, Path(rebuilt) / f, "figures/" + f
        if how != "differs":
            problems.append(f"{name}: {how}")
        elif f.endswith(".csv"):
            shape, cells = cell_differences(a, b)
            out = [f"{name}: {s}" for s in shape]
            out += [f"{name} line {ln}, column {col!r}: committed {was!r}, rebuilt {now!r}"
                    for ln, _, col, was, now in cells]
            if len(out) > limit:
                out = out[:limit] + [f"{name}: ... and {len(out) - limit} more differences"]
            problems.extend(out or [f"{name}: bytes differ but every cell is equal (formatting)"])
        elif f.endswith(".md"):
            problems.append(f"{name}: the rendering differs (see the .csv beside it)")
        else:
            ha, hb = (sha256(p)[:12] for p in (a, b))
            problems.append(
                f"{name}: bytes differ (committed {ha}, rebuilt {hb}); its numbers are in the .data.csv beside it"
            )
    return problems


def _images(a: Path, b: Path, out: Path, stem: str) -> None:
    """Both images padded with white to a common size, and their difference amplified tenfold."""
    from PIL import Image, ImageChops

    imgs = [Image.open(p).convert("RGB") for p in (a, b)]
    size = (max(i.width for i in imgs), max(i.height for i in imgs))
    padded = [Image.new("RGB", size, "white") for _ in imgs]
    for canvas, img in zip(padded, imgs, strict=True):
        canvas.paste(img, (0, 0))
    padded.append(ImageChops.difference(*padded).point(lambda v: min(255, v * 10)))
    for img, which in zip(padded, ("committed", "rebuilt", "difference"), strict=True):
        img.save(out / f"{stem}.{which}.png")


def write_report(committed: Path, rebuilt: Path, files: list[str], out: Path) -> list[str]:
    """Write ``out/index.html`` for the outputs in ``files`` that differ; returns the charts (stems) shown."""
    if out.exists():
        shutil.rmtree(out)
    (out / "img").mkdir(parents=True)
    changes = changed(committed, rebuilt, files)
    differ = [f for f, how in changes.items() if how == "differs"]
    charts = {}
    for stem in sorted({f.removesuffix(".png") for f in differ if f.endswith(".png")}):
        _images(committed / f"{stem}.png", rebuilt / f"{stem}.png", out / "img", stem)
        data = f"{stem}.data.csv"
        both = (committed / data).exists() and (rebuilt / data).exists()
        charts[stem] = cell_differences(committed / data, rebuilt / data) if both else None
    tables = {f: cell_differences(committed / f, rebuilt / f) for f in differ if f.endswith(".csv")
              and not f.endswith(".data.csv")}
    missing = [f for f, how in changes.items() if how != "differs"]
    page = render("figure_diff.html.j2", changes=changes, charts=charts, tables=tables, missing=missing)
    (out / "index.html").write_text(page, encoding="utf-8")
    return list(charts)


def build_copy(dest: Path) -> Path:
    """A private copy built by the Makefile with this venv, linked as .venv; raw checksums refreshed."""
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
