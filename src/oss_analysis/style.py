"""One look for every chart, and a save function whose files are byte-identical across builds."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

from .files import atomic_write

HIGHLIGHT = "#c0392b"
MUTED = "#9aa5b1"
# Categorical colours; red is kept for the highlighted (focus) mark only.
SOURCE_COLOUR = "#5d6d7e"
PALETTE = ["#1f4e79", "#2e8b57", "#d68910", "#6c3483", "#5d6d7e", "#17a589"]


def set_theme() -> None:
    """Apply the compendium's seaborn theme and the settings that make SVG output stable."""
    sns.set_theme(context="notebook", style="whitegrid", palette=PALETTE, font="DejaVu Sans")
    plt.rcParams.update(
        {
            "svg.hashsalt": "oss_analysis",  # fixed ids instead of random ones
            "svg.fonttype": "path",
            "figure.dpi": 100,
            "savefig.dpi": 150,
            "savefig.bbox": "tight",
            "axes.titleweight": "bold",
            "axes.titlesize": 12,
        }
    )


def add_source_line(fig: plt.Figure, text: str) -> None:
    """Write ``text`` under everything already drawn, left-aligned and wrapped to the figure's
    width: it is placed from the drawn extent, so it can overlap neither axis labels nor legends."""
    box = fig.get_tightbbox(fig.canvas.get_renderer())  # inches
    size = 7.5
    chars = max(40, int(box.width * 72 / (size * 0.5)))
    width, height = fig.get_size_inches()
    fig.text(  # figure fractions (below 0 is fine): the tight-bbox save shifts these, not inches
        box.x0 / width,
        (box.y0 - 0.06) / height,
        textwrap.fill(text, chars, break_on_hyphens=False),
        ha="left",
        va="top",
        fontsize=size,
        color=SOURCE_COLOUR,
        gid="source-line",  # an id in the SVG, so that tests can find the line
    )


def save_figure(
    fig: plt.Figure,
    stem: str,
    out_dir: Path,
    data: pd.DataFrame | None = None,
    *,
    sources: list[str] | None = None,
) -> None:
    """Write ``stem.png`` and ``stem.svg`` (metadata stripped, so rebuilds are byte-identical)
    and, when given, the data drawn as ``stem.data.csv`` for the output regression check.
    Every chart gets a source line from the data's origin: ``sources`` names the processed tables
    drawn from; by default those ``clean.load`` recorded on ``data``.
    Returns nothing, so that a notebook cell ending with it shows the figure, not file paths."""
    from .origin import source_line

    tables = sources if sources is not None else (data.attrs.get("processed") if data is not None else None)
    if not tables:
        raise ValueError(f"chart {stem}: no source known; pass data loaded by clean.load or sources=[processed tables]")
    add_source_line(fig, source_line(tables, data))
    out_dir = Path(out_dir)
    meta = {"png": {"Software": None}, "svg": {"Date": None, "Creator": None}}
    for ext in ("png", "svg"):
        path = out_dir / f"{stem}.{ext}"
        atomic_write(path, lambda tmp, ext=ext: fig.savefig(tmp, format=ext, metadata=meta[ext]))
    if data is not None:
        from .tables import write_csv

        write_csv(data, out_dir / f"{stem}.data.csv")
    if "ipykernel" not in sys.modules:  # in a notebook the figure stays open to be shown under the cell
        plt.close(fig)
