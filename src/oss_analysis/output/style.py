"""One look for every chart, and a save function whose files are byte-identical across builds."""

from __future__ import annotations

import sys
import zlib
from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
import pandas as pd

from oss_analysis.errors import DataError
from oss_analysis.files import atomic_write, write_csv
from oss_analysis.output.chart_checks import check_chart, fit_text

HIGHLIGHT = "#c0392b"
MUTED = "#9aa5b1"
SOURCE_COLOUR = "#5d6d7e"  # the source line under every chart
PALETTE = ["#1f4e79", "#2e8b57", "#d68910", "#6c3483", "#5d6d7e", "#17a589"]  # categorical; red: the focus only
ROLES = {  # one colour per role, declared once (docs/stages/output.md)
    "focus": HIGHLIGHT, "comparator median": PALETTE[0], "post-Soviet median": PALETTE[1],
    "thesis": PALETTE[0], "article": PALETTE[1], "publisher": HIGHLIGHT,  # the UN file: the focus country's line
    "Baltic states": PALETTE[0], "Central Asia": PALETTE[1], "Russia": PALETTE[2], "Benchmark": PALETTE[3],
    "Eastern Europe": PALETTE[5], "South Caucasus": "#b8860b",
}


def colour_of(role: str) -> str:
    """A role's colour; a comparator group declared nowhere takes one from its name, not its order."""
    return ROLES.get(role) or PALETTE[zlib.crc32(role.encode()) % len(PALETTE)]


THEME_FILE = Path(__file__).with_name("theme.mplstyle")  # seaborn's theme as a style sheet (docs/stages/output.md)
SEABORN_THEME = {"context": "notebook", "style": "whitegrid", "palette": PALETTE, "font": "DejaVu Sans"}
NOT_IN_SHEET = ("image.cmap",)  # seaborn's default colour map, registered by seaborn only; heatmaps name theirs
STABLE = {"svg.hashsalt": "oss_analysis", "svg.fonttype": "path", "figure.dpi": 100, "savefig.dpi": 150,  # fixed ids
          "savefig.bbox": "tight", "axes.titleweight": "bold", "axes.titlesize": 12}


def write_theme_file() -> Path:
    """Write as the style sheet ``set_theme`` applies every rcParam ``seaborn.set_theme(**SEABORN_THEME)`` sets."""
    import seaborn as sns
    from cycler import Cycler

    with mpl.rc_context():
        mpl.rcdefaults()
        before = dict(mpl.rcParams)
        sns.set_theme(**SEABORN_THEME)  # its style and context, and any other change it makes
        keys = {*sns.axes_style(SEABORN_THEME["style"]), *sns.plotting_context(SEABORN_THEME["context"])}
        keys |= {k for k, v in mpl.rcParams.items() if before[k] != v}
        theme = {k: mpl.rcParams[k] for k in sorted(keys - set(NOT_IN_SHEET))}

    def value(v: object) -> str:
        if isinstance(v, Cycler):  # the colour cycle, as hex strings without '#' (a sheet's '#' starts a comment)
            return "cycler('color', [" + ", ".join(repr(mpl.colors.to_hex(c["color"])[1:]) for c in v) + "])"
        if isinstance(v, list | tuple):
            return ", ".join(map(str, v))
        return str(v.name if hasattr(v, "name") else v)

    lines = ["# seaborn.set_theme(" + ", ".join(f"{k}={v!r}" for k, v in SEABORN_THEME.items()) + ")",
             "# as a matplotlib style sheet; written by `python -m oss_analysis.output.style`, checked by tests.",
             *(f"{k}: {value(v)}" for k, v in theme.items())]
    THEME_FILE.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return THEME_FILE


def set_theme() -> None:
    """Apply the seaborn theme (from its style sheet) and the settings that make SVG output stable."""
    plt.style.use(THEME_FILE)
    plt.rcParams.update(STABLE)


def add_source_line(fig: plt.Figure, text: str) -> None:
    """``text`` left-aligned under everything drawn (from the drawn extent: clear of labels and legends), fitted."""
    box = fig.get_tightbbox(fig.canvas.get_renderer())  # inches
    width, height = fig.get_size_inches()
    # in figure fractions (below 0 is fine: the tight-bbox save shifts these); the gid names it in the SVG
    line = fig.text(box.x0 / width, (box.y0 - 0.06) / height, text, ha="left", va="top", fontsize=7.5,
                    color=SOURCE_COLOUR, gid="source-line")
    fit_text(line, box.width * fig.dpi)  # wrapped as the renderer measures it, not by a guess


def _has_data(artist: object) -> bool:
    """Whether an artist draws anything: a line with points, dots, a band, bars."""
    if hasattr(artist, "get_xdata"):
        return len(artist.get_xdata()) > 0
    return len(getattr(artist, "patches", [])) > 0 or any(len(p.vertices) for p in getattr(artist, "get_paths", list)())


def _colours(artist: object) -> set[str]:
    """The colours an artist draws in: a legend's stand-in handle stands for the series drawn in its colour."""
    for get in ("get_markerfacecolor", "get_color", "get_facecolor", "get_edgecolor"):
        value = getattr(artist, get)() if hasattr(artist, get) else "none"
        if seen := {mpl.colors.to_hex(c) for c in mpl.colors.to_rgba_array(value) if c[3] > 0}:
            return seen
    return set()


def drawn_series(fig: plt.Figure) -> list[str]:
    """The series drawn, as the legends should list them (the entries drawn, then labelled data left out)."""
    every = {ax: [*ax.get_children(), *ax.containers] for ax in fig.axes}
    drawn = [a for ax in fig.axes for a in every[ax] if _has_data(a)]
    colours = set().union(*map(_colours, drawn))
    out: list[str] = []
    for leg, axes in [(ax.get_legend(), [ax]) for ax in fig.axes] + [(leg, fig.axes) for leg in fig.legends]:
        texts = [t.get_text() for t in leg.get_texts()] if leg else []
        out += [text for handle, text in zip(leg.legend_handles if leg else [], texts, strict=False)
                if any(a.get_label() == text for a in drawn) or _colours(handle) & colours]
        mine = [a.get_label() for ax in axes for a in every[ax] if leg and a in drawn]
        out += [x for x in dict.fromkeys(mine) if x and x[0] != "_" and x not in texts and x not in out]
    return out


def chart_claims(fig: plt.Figure, source_text: str, data: pd.DataFrame | None, found: list[dict]) -> dict:
    """What a chart says, read back from the figure and the rows drawn (``<stem>.meta.json``: alt text, tests)."""
    titles = [t for ax in fig.axes for loc in ("left", "center", "right") if (t := ax.get_title(loc))]
    title = fig.get_suptitle() or "; ".join(titles)
    legends = [ax.get_legend() for ax in fig.axes] + list(fig.legends)
    legend = [text.get_text() for leg in legends if leg is not None for text in leg.get_texts()]
    labels = [[s for s in (ax.get_xlabel(), ax.get_ylabel()) if s] for ax in fig.axes if ax.get_visible()]
    axes = list(dict.fromkeys(" against ".join(pair) for pair in labels if pair))
    rows = f"{len(data)} data rows" if data is not None else "the data"
    alt = f"{title}. The chart plots {rows}" + (f" (axes: {'; '.join(axes)})" if axes else "")
    alt += f"; series: {', '.join(legend)}." if legend else "."
    claims = {"title": title, "source_line": source_text, "legend": legend, "series": drawn_series(fig)}
    return claims | {"alt": alt, "sources": found}


def save_figure(fig: plt.Figure, stem: str, out_dir: Path, data: pd.DataFrame | None = None, *,
                sources: list[str] | None = None, also_drawn: tuple[pd.DataFrame, ...] = ()) -> None:
    """Check the chart, then write its PNG/SVG (byte-identical), rows drawn, claims; the source line from the rows."""
    from oss_analysis.output.source_line import credits, source_line
    from oss_analysis.output.tables import float_noise, write_claims

    frames = [f for f in (data, *also_drawn) if f is not None and len(f)]
    tables = sources or [t for f in (data, *also_drawn) if f is not None for t in f.attrs.get("processed", [])]
    if len(frames) > 1:  # whole numbers stay whole beside the other frames' empty cells
        frames = [f.astype({c: "Int64" for c in f.columns if pd.api.types.is_integer_dtype(f[c])}) for f in frames]
    drawn = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0] if frames else data
    found = credits(drawn, tables, f"chart {stem}")
    source_text = source_line(found)
    add_source_line(fig, source_text)
    check_chart(fig, stem)  # a chart that collides stops here, before any file is written
    if data is not None and (noise := float_noise(drawn)):
        raise DataError(f"chart {stem}.data.csv", noise)
    out_dir = Path(out_dir)
    write_claims(chart_claims(fig, source_text, drawn, found), out_dir / f"{stem}.meta.json")
    meta = {"png": {"Software": None}, "svg": {"Date": None, "Creator": None}}
    for ext in ("png", "svg"):
        atomic_write(out_dir / f"{stem}.{ext}", lambda tmp, ext=ext: fig.savefig(tmp, format=ext, metadata=meta[ext]))
    if data is not None:
        write_csv(drawn, out_dir / f"{stem}.data.csv")
    if "ipykernel" not in sys.modules:  # in a notebook the figure stays open to be shown under the cell
        plt.close(fig)


if __name__ == "__main__":
    print(write_theme_file())
