"""Chart builders shared by the notebooks (the look comes from ``style``)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from .style import HIGHLIGHT, MUTED


def ranked_bars(
    frame: pd.DataFrame,
    *,
    value: str,
    label: str,
    key: str,
    highlight: str,
    title: str,
    xlabel: str,
    value_fmt: str = "{:.1f}",
    xlim: tuple[float, float] | None = None,
) -> plt.Figure:
    """Horizontal bars, best first, with the row whose ``key`` equals ``highlight`` in red."""
    rows = frame.sort_values(value, ascending=True, kind="stable")
    colours = [HIGHLIGHT if k == highlight else MUTED for k in rows[key]]
    fig, ax = plt.subplots(figsize=(7, 0.45 * len(rows) + 1.2))
    ax.barh(rows[label], rows[value], color=colours)
    for y, v in enumerate(rows[value]):
        ax.text(v, y, " " + value_fmt.format(v), va="center", fontsize=9)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("")
    ax.set_title(title, loc="left")
    if xlim:
        ax.set_xlim(*xlim)
    ax.grid(axis="y", visible=False)
    return fig
