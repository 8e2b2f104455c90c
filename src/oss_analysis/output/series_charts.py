"""Charts of the series since the thesis (the look comes from ``style``; one figure per series)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from oss_analysis.output.style import HIGHLIGHT, MUTED, PALETTE


def _thesis_line(ax: plt.Axes, year: int) -> None:
    ax.axvline(year, color=MUTED, lw=1, ls=":", zorder=0)


def wgi_panels(
    frame: pd.DataFrame, *, focus: str, title: str, thesis_year: int, printed: pd.DataFrame | None = None
) -> plt.Figure:
    """Six small panels (one per indicator): the focus country with its 90% band, the medians
    dashed, the thesis's year dotted; ``printed`` (indicator, value) marks the thesis's values."""
    fig, axes = plt.subplots(2, 3, figsize=(13, 7.5), sharex=True, sharey=True)
    medians = [s for s in dict.fromkeys(frame["series"]) if s != focus]
    for ax, (code, part) in zip(axes.flat, frame.groupby("indicator", sort=False), strict=False):
        own = part[part["series"] == focus]
        ax.fill_between(own["year"], own["lower"], own["upper"], color=HIGHLIGHT, alpha=0.15, lw=0)
        ax.plot(
            own["year"], own["value"], color=HIGHLIGHT, lw=2, marker="o", ms=3, label=f"{focus} (90% interval shaded)"
        )
        for i, name in enumerate(medians):
            med = part[part["series"] == name]
            ax.plot(med["year"], med["value"], color=PALETTE[i], lw=1.3, ls="--", label=name)
        if printed is not None:
            mark = printed[printed["indicator"] == code]
            ax.scatter(
                mark["year"], mark["value"], marker="D", s=40, color="black", zorder=4, label="thesis Table 2 (printed)"
            )
        _thesis_line(ax, thesis_year)
        ax.set_title(str(part["indicator_name"].iloc[0]), fontsize=10, loc="left")
        ax.set_ylim(0, 100)
    for ax in axes[:, 0]:
        ax.set_ylabel("percentile rank")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=4, fontsize=9, frameon=False)
    fig.suptitle(title, x=0.01, ha="left", fontweight="bold")
    fig.tight_layout(rect=(0, 0.06, 1, 0.97))
    return fig


def cpi_panels(frame: pd.DataFrame, *, title: str, thesis_year: int) -> plt.Figure:
    """Two panels, never joined: 0-10 editions (to 2011) and 0-100 editions (from 2012), the
    latter with score +/- 1.645 standard errors."""
    panels = list(dict.fromkeys(frame["panel"]))
    fig, axes = plt.subplots(1, len(panels), figsize=(12, 4.5), squeeze=False)
    for ax, name in zip(axes[0], panels, strict=True):
        part = frame[frame["panel"] == name]
        ax.fill_between(part["year"], part["lower"], part["upper"], color=HIGHLIGHT, alpha=0.15, lw=0)
        ax.plot(part["year"], part["score"], color=HIGHLIGHT, lw=2, marker="o", ms=4)
        top = int(part["scale"].iloc[0])
        ax.set_ylim(0, top)
        ax.set_title(f"CPI score, scale {name}", fontsize=10, loc="left")
        ax.set_xlabel("year")
        ax.set_ylabel(f"score (0-{top}, higher = cleaner)")
        if part["year"].min() <= thesis_year <= part["year"].max():
            _thesis_line(ax, thesis_year)
    fig.suptitle(title, x=0.01, ha="left", fontweight="bold")
    fig.tight_layout()
    return fig


def egov_panels(frame: pd.DataFrame, *, title: str) -> plt.Figure:
    """UN e-government rank (inverted, 1 = best) with the studies' printed ranks drawn on top,
    and the EGDI (0-1) of every edition shipped."""
    files = frame[frame["kind"] == "UN E-Government Survey file"]
    printed = frame[frame["kind"] != "UN E-Government Survey file"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5))
    left.plot(files["year"], files["rank"].astype(float), color=HIGHLIGHT, lw=2, marker="o", label="UN survey file")
    for i, (kind, part) in enumerate(printed.groupby("kind", sort=True)):
        left.scatter(part["year"], part["rank"].astype(float), marker="D", s=55, color=PALETTE[i], zorder=4, label=kind)
    for r in files.itertuples():
        left.annotate(
            f"{r.rank} of {r.surveyed}", (r.year, float(r.rank)), xytext=(4, 5), textcoords="offset points", fontsize=8
        )
    left.invert_yaxis()
    left.set_ylabel("rank (1 = best)")
    left.set_xlabel("survey year")
    left.set_title("rank among the countries surveyed", fontsize=10, loc="left")
    left.legend(fontsize=8, loc="lower right")
    right.plot(files["year"], files["egdi"], color=HIGHLIGHT, lw=2, marker="o")
    right.set_ylim(0, 1)
    right.set_ylabel("EGDI (0-1)")
    right.set_xlabel("survey year")
    right.set_title("E-Government Development Index", fontsize=10, loc="left")
    fig.suptitle(title, x=0.01, ha="left", fontweight="bold")
    fig.tight_layout()
    return fig
