"""Charts of the series since the thesis (the look comes from ``style``; one figure per series)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from oss_analysis.output.chart_checks import fit_text, rank_axis, set_editions
from oss_analysis.output.charts import label_line
from oss_analysis.output.style import HIGHLIGHT, colour_of


def _thesis_line(ax: plt.Axes, year: int) -> None:
    ax.axvline(year, color="0.3", lw=1, ls=":", zorder=1, label=f"thesis year ({year})")  # over the grid


def _finish(fig: plt.Figure, title: str, axes: list[plt.Axes], ncol: int, fontsize: float, rect: tuple) -> plt.Figure:
    """The title fitted over the panels, one legend under them (a band and its line one entry), panels in ``rect``."""
    merged: dict[str, tuple] = {}
    for ax in axes:  # the first panel to draw a name gives its handles
        handles, labels = ax.get_legend_handles_labels()
        merged |= {n: tuple(h for h, m in zip(handles, labels, strict=True) if m == n)
                   for n in labels if n not in merged}
    fig.legend(list(merged.values()), list(merged), loc="lower center", bbox_to_anchor=(0.5, 0),
               bbox_transform=fig.transFigure, ncol=ncol, fontsize=fontsize, frameon=False)
    fit_text(fig.suptitle(title, x=0.01, ha="left", fontweight="bold"), 0.98 * fig.bbox.width)
    fig.tight_layout(rect=rect)
    return fig


def _editions(ax: plt.Axes, part: pd.DataFrame, editions: list[int]) -> pd.DataFrame:
    """``part`` with an empty row for each edition it lacks (its line breaks there), told to the chart check."""
    set_editions(ax, editions)
    return part.set_index("year").reindex(sorted(set(editions) | set(part["year"]))).reset_index()


def _printed(ax: plt.Axes, x: object, y: object, colour: str, label: str) -> None:
    """Printed values: hollow diamonds, so that the file's point under them stays visible."""
    ax.scatter(x, y, marker="D", s=55, facecolor="none", edgecolor=colour, linewidth=1.8, zorder=4, label=label)


def wgi_panels(frame: pd.DataFrame, *, focus: str, title: str, thesis_year: int,
               printed: pd.DataFrame | None = None) -> plt.Figure:
    """A panel per indicator: the focus with its 90% band, medians dashed, the thesis year dotted, ``printed``."""
    fig, axes = plt.subplots(2, 3, figsize=(13, 7.5), sharex=True, sharey=True)
    medians = [s for s in dict.fromkeys(frame["series"]) if s != focus]
    years = sorted(frame["year"].unique())  # the release's years: a year the focus lacks is a gap
    for ax, (code, part) in zip(axes.flat, frame.groupby("indicator", sort=False), strict=False):
        own = _editions(ax, part[part["series"] == focus], years)
        label = f"{focus} (90% interval shaded)"
        ax.fill_between(own["year"], own["lower"], own["upper"], color=HIGHLIGHT, alpha=0.15, lw=0, label=label)
        ax.plot(own["year"], own["value"], color=HIGHLIGHT, lw=2, marker="o", ms=3, label=label, zorder=5)  # over
        # the printed diamonds: the release's point stays whole where the printed value differs
        for name in medians:
            med = _editions(ax, part[part["series"] == name], years)
            role = "post-Soviet median" if name.startswith("post-Soviet") else "comparator median"
            ax.plot(med["year"], med["value"], color=colour_of(role), lw=1.3, ls="--", label=name)
        if printed is not None:
            mark = printed[printed["indicator"] == code]
            _printed(ax, mark["year"], mark["value"], "black", "thesis Table 2 (printed)")
        _thesis_line(ax, thesis_year)
        ax.set_title(str(part["indicator_name"].iloc[0]), fontsize=10, loc="left")
        ax.set_ylim(-4, 104)  # a value near 0 or 100 shows its whole marker
    plt.setp(axes[:, 0], ylabel="percentile rank")
    return _finish(fig, title, list(axes.flat), 5, 9, rect=(0, 0.06, 1, 0.97))


def cpi_panels(frame: pd.DataFrame, *, title: str, thesis_year: int) -> plt.Figure:
    """Two panels, never joined: 0-10 editions (to 2011), 0-100 ones (from 2012, score +/- 1.645 SE)."""
    panels = list(dict.fromkeys(frame["panel"]))
    fig, axes = plt.subplots(1, len(panels), figsize=(12, 4.5), squeeze=False)
    for ax, name in zip(axes[0], panels, strict=True):
        own = frame[frame["panel"] == name]  # TI's index is annual: a year without a score is a gap
        part = _editions(ax, own, list(range(own["year"].min(), own["year"].max() + 1)))
        ax.fill_between(part["year"], part["lower"], part["upper"], color=HIGHLIGHT, alpha=0.15, lw=0,
                        label="90% interval (score ± 1.645 standard errors)")
        ax.plot(part["year"], part["score"], color=HIGHLIGHT, lw=2, marker="o", ms=4, label="CPI score")
        top = int(own["scale"].iloc[0])
        ax.set_title(f"CPI score, scale {name}", fontsize=10, loc="left")
        ax.set(ylim=(0, top), xlabel="year", ylabel=f"score (0-{top}, higher = cleaner)")
        if own["year"].min() <= thesis_year <= own["year"].max():
            _thesis_line(ax, thesis_year)
    return _finish(fig, title, list(axes[0][::-1]), 3, 9, rect=(0, 0.07, 1, 1))  # 0-100 first: 0-10 may draw no band


def egov_panels(frame: pd.DataFrame, *, title: str) -> plt.Figure:
    """UN e-government rank (1 = best, on top) under the studies' printed ranks, and every edition's EGDI."""
    files = frame[frame["kind"] == "UN E-Government Survey file"]
    printed = frame[frame["kind"] != "UN E-Government Survey file"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5))
    years = list(range(files["year"].min(), files["year"].max() + 1, 2))  # the survey is biennial since 2008
    own = _editions(left, files, years).assign(rank=lambda d: d["rank"].astype(float))
    left.plot(own["year"], own["rank"], color=HIGHLIGHT, lw=2, marker="o", label=files["kind"].iloc[0])
    for kind, part in printed.groupby("kind", sort=True):  # 'printed (thesis)': the study's colour
        _printed(left, part["year"], part["rank"].astype(float), colour_of(kind.split("(")[-1].strip(")")), kind)
    left.margins(x=0.08, y=0.2)
    left.invert_yaxis()
    set_editions(left, set(frame["year"]) | set(years))  # the studies' printed years are drawn years too
    surveyed = own["surveyed"].astype("Int64").astype(str)  # two lines: narrower than a column
    label_line(left, own["year"], own["rank"], list(own["rank"].astype("Int64").astype(str) + "\nof " + surveyed))
    rank_axis(left.yaxis)  # ranks from 1, not 0 or 62.5
    left.set(ylabel="rank (1 = best)", xlabel="survey year")
    left.set_title("rank among the countries surveyed", fontsize=10, loc="left")
    egdi = _editions(right, files, years)
    right.plot(egdi["year"], egdi["egdi"], color=HIGHLIGHT, lw=2, marker="o")
    right.set(ylim=(0, 1), ylabel="EGDI (0-1)", xlabel="survey year")
    right.set_title("E-Government Development Index", fontsize=10, loc="left")
    return _finish(fig, title, [left], 3, 8, rect=(0, 0.07, 1, 1))  # under the panels, off the rank labels
