"""One look for every chart, and a save function whose files are byte-identical across builds."""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
import pandas as pd

from oss_analysis.files import atomic_write
from oss_analysis.output.chart_checks import fit_text

HIGHLIGHT = "#c0392b"
MUTED = "#9aa5b1"
SOURCE_COLOUR = "#5d6d7e"  # the source line under every chart
# Categorical colours; red is kept for the highlighted (focus) mark only.
PALETTE = ["#1f4e79", "#2e8b57", "#d68910", "#6c3483", "#5d6d7e", "#17a589"]


# The compendium's seaborn theme, kept as a matplotlib style sheet beside this module: importing
# seaborn costs about a second (it imports scipy.stats), which every notebook kernel would pay
# even when it draws nothing with seaborn. tests/test_figures.py checks the sheet against what
# seaborn's set_theme sets today; `python -m oss_analysis.output.style` writes it again.
THEME_FILE = Path(__file__).with_name("theme.mplstyle")
SEABORN_THEME = {"context": "notebook", "style": "whitegrid", "palette": PALETTE, "font": "DejaVu Sans"}
# seaborn's default colour map, registered by seaborn only; every heatmap here names its own
NOT_IN_SHEET = ("image.cmap",)
STABLE = {
    "svg.hashsalt": "oss_analysis",  # fixed ids instead of random ones
    "svg.fonttype": "path",
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "savefig.bbox": "tight",
    "axes.titleweight": "bold",
    "axes.titlesize": 12,
}


def seaborn_theme() -> dict[str, object]:
    """Every rcParam ``seaborn.set_theme(**SEABORN_THEME)`` sets (its style and context keys, and
    whatever else it changes from matplotlib's defaults), with the value it sets."""
    import seaborn as sns

    with mpl.rc_context():
        mpl.rcdefaults()
        before = dict(mpl.rcParams)
        sns.set_theme(**SEABORN_THEME)
        keys = {*sns.axes_style(SEABORN_THEME["style"]), *sns.plotting_context(SEABORN_THEME["context"])}
        keys |= {k for k, v in mpl.rcParams.items() if before[k] != v}
        return {k: mpl.rcParams[k] for k in sorted(keys - set(NOT_IN_SHEET))}


def write_theme_file() -> Path:
    """Write seaborn's theme as the style sheet ``set_theme`` applies."""
    from cycler import Cycler

    def value(v: object) -> str:
        if isinstance(v, Cycler):  # the colour cycle, as hex strings without '#' (a sheet's '#' starts a comment)
            return "cycler('color', [" + ", ".join(repr(mpl.colors.to_hex(c["color"])[1:]) for c in v) + "])"
        if isinstance(v, list | tuple):
            return ", ".join(map(str, v))
        return str(v.name if hasattr(v, "name") else v)

    lines = [
        "# seaborn.set_theme(" + ", ".join(f"{k}={v!r}" for k, v in SEABORN_THEME.items()) + ")",
        "# as a matplotlib style sheet; written by `python -m oss_analysis.output.style`, checked by tests.",
        *(f"{k}: {value(v)}" for k, v in sorted(seaborn_theme().items())),
    ]
    THEME_FILE.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return THEME_FILE


def set_theme() -> None:
    """Apply the compendium's seaborn theme (from its style sheet) and the settings that make
    SVG output stable."""
    plt.style.use(THEME_FILE)
    plt.rcParams.update(STABLE)


def add_source_line(fig: plt.Figure, text: str) -> None:
    """Write ``text`` under everything already drawn, left-aligned and wrapped to the figure's
    width: it is placed from the drawn extent, so it can overlap neither axis labels nor legends."""
    box = fig.get_tightbbox(fig.canvas.get_renderer())  # inches
    size = 7.5
    chars = max(40, int(box.width * 72 / (size * 0.5)))
    width, height = fig.get_size_inches()
    line = fig.text(  # figure fractions (below 0 is fine): the tight-bbox save shifts these, not inches
        box.x0 / width,
        (box.y0 - 0.06) / height,
        textwrap.fill(text, chars, break_on_hyphens=False),
        ha="left",
        va="top",
        fontsize=size,
        color=SOURCE_COLOUR,
        gid="source-line",  # an id in the SVG, so that tests can find the line
    )
    fit_text(line, box.width * fig.dpi, shrink=1)  # wrapped as the renderer measures it, not by a guess


def chart_claims(fig: plt.Figure, source_text: str, data: pd.DataFrame | None, tables: list[str]) -> dict:
    """What a chart says, read back from the drawn figure (title, legend labels in order, axis
    labels) and the frame it draws, never typed: written beside it as ``<stem>.meta.json`` for the
    site's alt text and for tests."""
    suptitle = fig.get_suptitle()
    titles = [t for ax in fig.axes for loc in ("left", "center", "right") if (t := ax.get_title(loc))]
    title = suptitle or "; ".join(titles)
    legends = [ax.get_legend() for ax in fig.axes] + list(fig.legends)
    legend = [text.get_text() for leg in legends if leg is not None for text in leg.get_texts()]
    labels = [[s for s in (ax.get_xlabel(), ax.get_ylabel()) if s] for ax in fig.axes if ax.get_visible()]
    axes = list(dict.fromkeys(" against ".join(pair) for pair in labels if pair))
    rows = f"{len(data)} data rows" if data is not None else "the data"
    alt = f"{title}. The chart plots {rows}" + (f" (axes: {'; '.join(axes)})" if axes else "")
    alt += (f"; series: {', '.join(legend)}." if legend else ".")
    return {"title": title, "source_line": source_text, "legend": legend, "alt": alt, "sources": list(tables)}


def save_figure(
    fig: plt.Figure,
    stem: str,
    out_dir: Path,
    data: pd.DataFrame | None = None,
    *,
    sources: list[str] | None = None,
) -> None:
    """Write ``stem.png`` and ``stem.svg`` (metadata stripped, so rebuilds are byte-identical)
    and, when given, the data drawn as ``stem.data.csv`` for the output regression check, and the
    chart's claims as ``stem.meta.json`` (see ``chart_claims``).
    Every chart gets a source line from the data's origin: ``sources`` names the processed tables
    drawn from; by default those ``clean.load`` recorded on ``data``.
    Returns nothing, so that a notebook cell ending with it shows the figure, not file paths."""
    from oss_analysis.output.chart_checks import check_chart
    from oss_analysis.output.source_line import source_line

    tables = sources if sources is not None else (data.attrs.get("processed") if data is not None else None)
    if not tables:
        raise ValueError(f"chart {stem}: no source known; pass data loaded by clean.load or sources=[processed tables]")
    source_text = source_line(tables, data)
    add_source_line(fig, source_text)
    check_chart(fig, stem)  # a chart that collides stops here, before any file is written
    out_dir = Path(out_dir)
    claims = json.dumps(chart_claims(fig, source_text, data, tables), indent=1, ensure_ascii=False) + "\n"
    atomic_write(out_dir / f"{stem}.meta.json", lambda tmp: Path(tmp).write_text(claims, encoding="utf-8"))
    meta = {"png": {"Software": None}, "svg": {"Date": None, "Creator": None}}
    for ext in ("png", "svg"):
        path = out_dir / f"{stem}.{ext}"
        atomic_write(path, lambda tmp, ext=ext: fig.savefig(tmp, format=ext, metadata=meta[ext]))
    if data is not None:
        from oss_analysis.files import write_csv

        write_csv(data, out_dir / f"{stem}.data.csv")
    if "ipykernel" not in sys.modules:  # in a notebook the figure stays open to be shown under the cell
        plt.close(fig)


if __name__ == "__main__":
    print(write_theme_file())
