"""Chart builders shared by the notebooks (the look comes from ``style``)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import to_hex
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch

from oss_analysis.analysis.views import from_publisher
from oss_analysis.output.chart_checks import (
    GAP,
    GOES_ON,
    fit_text,
    mark_cut,
    names_points,
    problems,
    rank_axis,
    set_editions,
    wrap,
)
from oss_analysis.output.style import HIGHLIGHT, MUTED, PALETTE, colour_of

LEADER = {"arrowstyle": "-", "color": "#5d6d7e", "lw": 0.6}  # the thin line from a label to its point


def precision(values: object, printed: bool = False) -> str:
    """One format per chart: whole numbers as integers, else the print's digits or the decimals given."""
    v = pd.Series(values, dtype=float).dropna()
    if (v % 1 == 0).all():
        return ".0f"
    return "g" if printed else f".{min(2, max(len(repr(x).partition('.')[2]) for x in v if x % 1))}f"


def printed(frame: pd.DataFrame) -> bool:
    """Whether every row drawn is a study's print (no row from a publisher's file or added)."""
    return "source" in frame and from_publisher(frame).empty


def place_labels(ax: plt.Axes, texts: list, xs: list[float], ys: list[float], push: float = 1.0,
                 targets: tuple | None = None, move: str = "xy") -> None:
    """Labels off each other and the points by adjustText (deterministic), retried harder while they collide."""
    from adjustText import adjust_text

    tx, ty = (None, None) if targets is None else map(list, targets)
    start, before = [t.get_position() for t in texts], list(ax.patches)
    for k in range(4):
        for t, xy in zip(texts, start, strict=True):
            t.set_position(xy)
        for leader in set(ax.patches) - set(before):
            leader.remove()
        strength = push * 1.25**k
        adjust_text(texts, x=list(xs), y=list(ys), ax=ax, target_x=tx, target_y=ty, iter_lim=400,
                    expand=(1.3 * strength, 1.6 * strength), force_static=(0.3 * strength, 0.6 * strength),
                    arrowprops=dict(LEADER), only_move=dict.fromkeys(("text", "static", "explode", "pull"), move))
        keep_inside(ax, texts)
        if not any(w in p for p in problems(ax.figure) for w in ("overlaps text", "crosses a line", "on a marker")):
            break


def label_line(ax: plt.Axes, xs: pd.Series, ys: pd.Series, labels: list[str]) -> None:
    """A label over or under each point of a line (NaN: a gap), on the side its segments leave more room."""
    xy = np.column_stack([xs, ys]).astype(float)
    style = {"textcoords": "offset points", "ha": "center", "va": "center", "fontsize": 8}
    texts = {i: ax.annotate(t, xy[i], xytext=(0, 0), **style) for i, t in enumerate(labels) if np.isfinite(xy[i]).all()}
    for _ in range(2):  # again once keep_inside has widened the axes
        px = ax.transData.transform(xy)
        for i, t in texts.items():  # a segment's height over the label's edges, clamped at its ends
            box, segs = t.get_window_extent(), [s for j in (i - 1, i) if len(s := px[max(j, 0):j + 2]) == 2]
            dy = [np.interp(px[i, 0] + u * (box.width / 2 + 2), *s[s[:, 0].argsort()].T) - px[i, 1]
                  for s in segs if np.isfinite(s).all() for u in (-1, 1)]
            up, down = (max([0, *(k * v for v in dy)]) + box.height / 2 + 7 for k in (1, -1))  # 7 px clear
            t.xyann = (0, (up if up <= down else -down) * 72 / ax.figure.dpi)
        keep_inside(ax, list(texts.values()))
    for t in texts.values():  # pushed off its point by a steep segment: a leader says whose label it is
        if abs(t.xyann[1]) * ax.figure.dpi / 72 - t.get_window_extent().height / 2 > 12:
            t.remove()
            ax.annotate(t.get_text(), t.xy, xytext=t.xyann, arrowprops=LEADER, **style)


def keep_inside(ax: plt.Axes, texts: list) -> None:
    """Widen the axes until every text sits inside the frame with 2% of the span to spare."""
    for _ in range(3 if texts else 0):  # an inverted axis stays inverted
        corners = np.vstack([ax.transData.inverted().transform(t.get_window_extent()) for t in texts])
        for i, (get, put) in enumerate(((ax.get_xlim, ax.set_xlim), (ax.get_ylim, ax.set_ylim))):
            (a, b), pad = get(), 0.02 * abs(get()[1] - get()[0])
            lo, hi = min(a, b, corners[:, i].min() - pad), max(a, b, corners[:, i].max() + pad)
            if (lo, hi) != (min(a, b), max(a, b)):
                put((lo, hi) if a < b else (hi, lo))


def along(x: pd.Series, y: pd.Series, per_step: int = 12) -> tuple[np.ndarray, np.ndarray]:
    """Points along a line's drawn segments (none across a gap), for labels to keep off the line."""
    xy = np.column_stack([np.asarray(x, float), np.asarray(y, float)])
    steps = [np.linspace(a, b, per_step) for a, b in zip(xy, xy[1:], strict=False) if np.isfinite([a, b]).all()]
    pts = np.vstack([xy[np.isfinite(xy).all(axis=1)], *steps])
    return pts[:, 0], pts[:, 1]


def _dot(colour: str, label: str, **style: object) -> Line2D:
    """A legend entry for a kind of point: one round marker, no line."""
    return Line2D([], [], marker="o", ls="", color=colour, label=label, **style)


def _titles(ax: plt.Axes, title: str, xlabel: str | None = None, ylabel: str | None = None,
            right: float | None = None) -> None:
    """The title left-aligned, fitted to the plot (to ``right`` px past a colour bar); the axis labels given."""
    box = ax.get_window_extent()
    fit_text(ax.set_title(title, loc="left"), (right or box.x1) - box.x0)
    ax.set(**{k: v for k, v in (("xlabel", xlabel), ("ylabel", ylabel)) if v is not None})


def ranked_bars(frame: pd.DataFrame, *, value: str, label: str, key: str, highlight: str, title: str, xlabel: str,
                xlim: tuple[float, float] | None = None, best: str = "high") -> plt.Figure:
    """Horizontal bars, best at the top (``best="low"`` for ranks), the ``highlight`` row in red."""
    rows = frame.sort_values(value, ascending=(best == "high"), kind="stable")
    spec = precision(rows[value])  # ranks, counts, 0-100 scores: no "83.0"; CPI to one decimal, as TI and the print
    colours = [HIGHLIGHT if k == highlight else MUTED for k in rows[key]]
    fig, ax = plt.subplots(figsize=(7, 0.45 * len(rows) + 1.2))
    ax.barh(rows[label], rows[value], color=colours)
    texts = [ax.text(v, y, f" {v:{spec}}", va="center", fontsize=9) for y, v in enumerate(rows[value])]
    if xlim:
        ax.set_xlim(*xlim)
    keep_inside(ax, texts)  # every value label ends inside the frame
    if best == "low":
        rank_axis(ax.xaxis)  # bars grow from 0, but no rank is 0
    _titles(ax, title, xlabel, "")
    ax.grid(axis="y", visible=False)
    return fig


def heatmap(wide: pd.DataFrame, *, title: str, focus_label: str | None = None, cbar_label: str = "",
            as_printed: bool = False) -> plt.Figure:
    """Annotated heatmap of a countries x dimensions frame (``as_printed``: a print's digits); the focus row red."""
    import seaborn as sns

    fig, ax = plt.subplots(figsize=(10, 0.5 * len(wide) + 2))
    sns.heatmap(wide, annot=True, fmt=precision(wide.stack(), as_printed), cmap="RdYlGn", vmin=0, vmax=100,
                linewidths=0.5, ax=ax, cbar_kws={"label": cbar_label})
    _titles(ax, title, "", "", right=fig.axes[-1].get_window_extent().x1)  # over the colour bar too
    words = [wrap(t.get_text(), 12) for t in ax.get_xticklabels()]
    ax.set_xticklabels(words, rotation=0, fontsize=9, va="center")  # centred: one-line names level with two-line
    ax.tick_params(axis="x", pad=max(w.count("\n") + 1 for w in words) * 9 * 0.6 + 3)
    plt.setp([t for t in ax.get_yticklabels() if t.get_text() == focus_label], color=HIGHLIGHT, fontweight="bold")
    return fig


def group_dots(frame: pd.DataFrame, *, x: str, y: str, group: str, label: str, focus: str, key: str, title: str,
               xlabel: str, order: list[str] | None = None) -> plt.Figure:
    """One row per dimension, a dot per country in its group's colour; the focus red, labelled, in its own lane."""
    import seaborn as sns

    name = frame.loc[frame[key] == focus, label].iloc[0]
    size = frame.groupby(group)[key].transform("nunique")
    named = frame[group].where((size > 1) | (frame[group] == frame[label]), frame[group] + " (" + frame[label] + ")")
    dots = frame.assign(**{group: named.where(frame[key] != focus, name)})
    lanes = [g for g in dict.fromkeys(dots[group]) if g != name] + [name]  # the focus last, as it was
    rows = order or list(dict.fromkeys(frame[y]))
    fig, ax = plt.subplots(figsize=(9, max(4.8, 1.4 + 0.17 * len(rows) * len(lanes))))  # lanes a dot and GAP apart
    colours = {g: HIGHLIGHT if g == name else colour_of(g.split(" (")[0]) for g in lanes}
    sns.stripplot(data=dots, x=x, y=y, hue=group, hue_order=lanes, order=order, jitter=False, dodge=True, size=7,
                  ax=ax, alpha=0.85, palette=colours)  # dodged, not jittered: the same data, the same picture
    placed, size = np.empty((0, 2)), 7 * fig.dpi / 72 + GAP + 0.5  # dots of a lane that would touch: up or down
    for coll in ax.collections:
        px = ax.transData.transform(np.asarray(coll.get_offsets(), float))
        for i in np.argsort(px[:, 0], kind="stable"):
            px[i, 1] += next(k * size for k in (0, -1, 1, -2, 2)
                             if np.hypot(*(placed - px[i] - (0, k * size)).T).min(initial=np.inf) >= size)
            placed = np.vstack([placed, px[i]])
        coll.set_offsets(ax.transData.inverted().transform(px))
    mine = np.vstack([c.get_offsets() for c in ax.collections  # the focus lane's dots, in whichever collections
                      if len(c.get_offsets()) and to_hex(c.get_facecolors()[0]) == HIGHLIGHT])
    spec = precision(frame.loc[frame[key] == focus, x], printed(frame))  # the numbers drawn
    for v, row in mine:
        ax.annotate(f"{v:{spec}}", (v, row), xytext=(6 if v < 85 else -6, 0), textcoords="offset points", fontsize=7.5,
                    ha="left" if v < 85 else "right", va="center", color=HIGHLIGHT)
    ax.set_xlim(-2, 102)
    _titles(ax, title, xlabel, "")
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
    return fig


def rated_providers(frame: pd.DataFrame, *, title: str) -> plt.Figure:
    """Providers by rating position (1 = most barriers), ties on one line, the OSS and its stakeholders marked."""
    rows = frame.sort_values(["rating", "order"], ascending=[False, False]).reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(8, 0.27 * len(rows) + 1.5))
    kinds = list(zip(rows["is_oss"], rows["is_oss_stakeholder"], strict=False))
    colour = [HIGHLIGHT if o else ("#1f4e79" if s else MUTED) for o, s in kinds]
    ax.scatter(rows["rating"], range(len(rows)), c=colour, s=45, zorder=3)
    ax.set_yticks(range(len(rows)), rows["provider"], fontsize=8)
    for t, c, (o, s) in zip(ax.get_yticklabels(), colour, kinds, strict=False):
        if o or s:
            t.set(color=c, fontweight="bold" if o else "normal")
    ax.set_xticks(range(1, int(rows["rating"].max()) + 1))
    _titles(ax, title, "Rating position (1 = most administrative barriers)")
    names = {"One Stop Shop": HIGHLIGHT, "OSS stakeholder bodies": "#1f4e79", "other providers": MUTED}
    ax.legend(handles=[_dot(c, n) for n, c in names.items()], loc="upper right", fontsize=8)
    return fig


def scatter_fit(fitted: pd.DataFrame, band: pd.DataFrame, *, x: str, y: str, label: str, key: str, focus: str,
                title: str, xlabel: str, ylabel: str) -> plt.Figure:
    """Points, OLS line and 95% confidence band; every point labelled, the focus country in red."""
    fig, ax = plt.subplots(figsize=(8.5, 5.8))  # room between close neighbours (AZE, RUS at 11-12)
    ax.fill_between(band[x], band["ci_low"], band["ci_high"], color=MUTED, alpha=0.3, label="95% confidence band")
    ax.plot(band[x], band["fit"], color="#1f4e79", lw=1.5, label="OLS fit")
    rows = fitted.sort_values([x, y])
    dx, dy = 0.02 * (rows[x].max() - rows[x].min()), 0.05 * (rows[y].max() - rows[y].min())
    texts = []
    for r in rows.itertuples():
        mine, side = getattr(r, key) == focus, 1 if getattr(r, y) >= r.fitted else -1
        ax.scatter(getattr(r, x), getattr(r, y), color=HIGHLIGHT if mine else "#5d6d7e", s=26 if mine else 16, lw=0,
                   zorder=4)  # small: neighbours (TJK, RUS, KGZ at 13-16) stay apart
        texts.append(ax.text(  # starting beside its point, on its side of the line (which rises to the right)
            getattr(r, x) - side * dx, getattr(r, y) + side * dy, getattr(r, label), fontsize=8, zorder=5,
            color=HIGHLIGHT if mine else "black", fontweight="bold" if mine else "normal",
            ha="right" if side > 0 else "left", va="bottom" if side > 0 else "top"))
    ax.margins(0.1)  # room at the edges for the labels of the extreme points; a score's scale starts at 0
    ax.set_ylim(0, ax.get_ylim()[1])
    line = along(band[x].iloc[::4], band["fit"].iloc[::4], 6)  # the labels keep off the fit line too
    place_labels(ax, texts, [*rows[x], *line[0]], [*rows[y], *line[1]], push=1.4, targets=(rows[x], rows[y]))
    _titles(ax, title, xlabel, ylabel)
    ax.legend(loc="upper left", fontsize=8)
    return fig


def category_ranges(frame: pd.DataFrame, *, title: str, focus_label: str) -> plt.Figure:
    """Per category: the range from lowest to highest score, and the focus country's score."""
    rows = frame.iloc[::-1].reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(9, 0.6 * len(rows) + 1.5))
    ends = (("lowest", "#5d6d7e"), ("highest", "#2e8b57"))
    for i, r in rows.iterrows():
        ax.plot([r["lowest_score"], r["highest_score"]], [i, i], color=MUTED, lw=3, zorder=1)
        for end, colour in ends:
            ax.scatter(r[f"{end}_score"], i, color=colour, s=40, zorder=2)
            ax.annotate(r[f"{end}_label"], (r[f"{end}_score"], i), xytext=(0, -12), textcoords="offset points",
                        ha="center", fontsize=7)
        ax.scatter(r["kaz_score"], i, color=HIGHLIGHT, s=90, zorder=3, edgecolor="black")
    ax.set_yticks(range(len(rows)), rows["category"], fontsize=9)
    ax.set(xlim=(0, 10.6), ylim=(-0.8, len(rows) - 0.5))  # room under the lowest row's names
    _titles(ax, title, "EIU e-readiness score, 2008 (0-10)")
    ax.legend(handles=[_dot(HIGHLIGHT, focus_label), *(_dot(colour, end) for end, colour in reversed(ends))],
              loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False, fontsize=8)
    return fig


def dated_points(frame: pd.DataFrame, *, title: str, ylabel: str, styles: dict[str, dict]) -> plt.Figure:
    """Counts at their dates, one label (a leader to each dot) per value's cluster; undated targets at the right."""
    fig, ax = plt.subplots(figsize=(10, 5.8))
    right = float(frame["year"].max()) + 0.8  # past the last dated count
    pts = frame.assign(x=frame["year"].fillna(right))
    for kind, st in styles.items():
        part = pts[pts["kind"] == kind]
        if not part.empty:
            filled = {"linewidths": 0} if st.get("facecolor") != "none" else {}  # small and edgeless: a month apart
            ax.scatter(part["x"], part["value"], label=kind, zorder=3, clip_on=False, **{"s": 16, **filled, **st})
    s = pts.sort_values(["value", "x"], kind="stable")  # a new label where the value changes or dates part (> 0.3)
    new = s["value"].ne(s["value"].shift()) | s["x"].diff().gt(0.3)
    clusters = [(g["value"].iloc[0], list(g["x"]), list(g["label"])) for _, g in s.groupby(new.cumsum(), sort=False)]
    texts = [names_points(ax.text(xs[0], value, wrap(f"{value:g}: " + "; ".join(dict.fromkeys(labels)), 32),
                                  fontsize=6.5, va="center", ha="right" if right - 1.4 < xs[-1] < right else "left"),
                          [(x, value) for x in xs]) for value, xs, labels in clusters]  # off the targets' line
    ax.margins(y=0.1)
    ax.set(xlim=(ax.get_xlim()[0], right + 1.6), ylim=(0, ax.get_ylim()[1]))  # counts from 0; labels stay inside
    ax.axvline(right - 0.4, color=MUTED, ls=":", lw=1, zorder=1, label="undated targets: right of the line")
    wall = np.linspace(0, ax.get_ylim()[1], 120)  # the labels keep off the undated targets' line too
    place_labels(ax, texts, [*pts["x"], *np.full(120, right - 0.4)], [*pts["value"], *wall])
    for text, (value, xs, _) in zip(texts, clusters, strict=True):  # a leader to each further dot it names
        for x in sorted(set(xs) - {xs[0]}):
            ax.add_patch(FancyArrowPatch(text.get_position(), (x, value), patchA=text, shrinkA=0, shrinkB=0, **LEADER))
    years = list(range(int(frame["year"].min()), int(right - 0.4) + 1))
    ax.set_xticks([*years, right], [*map(str, years), "undated\ntargets"])  # a tick: it cannot overlap
    _titles(ax, title, "Year", ylabel)
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False, fontsize=8)  # off the labels
    return fig


def rank_over_time(frame: pd.DataFrame, *, title: str) -> plt.Figure:
    """Ranks by year (1 = best, on top), derived ones hollow; points, not a line across editions not printed."""
    fig, ax = plt.subplots(figsize=(8, 4.5))
    colours = {study: colour_of(study) for study in ("thesis", "article", "publisher")}
    texts = []
    for r in frame.itertuples():
        c = colours[r.study]
        ax.scatter(r.year, r.rank, s=70, zorder=3, facecolor="white" if r.derived else c, edgecolor=c, linewidth=2)
        texts.append(ax.text(r.year, r.rank, f"{r.rank}" + "\n(derived)" * bool(r.derived), fontsize=8, ha="center"))
    ax.margins(x=0.08, y=0.15)
    place_labels(ax, texts, frame["year"], frame["rank"], push=1.6, move="y")
    ax.invert_yaxis()
    set_editions(ax, frame["year"])  # years, not 2002.5 or a 2025 after the last edition
    rank_axis(ax.yaxis)  # ranks from 1, not 0 or 62.5
    _titles(ax, title, "Year", "Rank (1 = best)")
    drawn = set(zip(frame["study"], frame["derived"].astype(bool), strict=True))  # the legend lists these only
    entries = {("thesis", False): _dot(colours["thesis"], "thesis (UN survey 2008)"),
               ("thesis", True): _dot(colours["thesis"], "derived from the thesis' rank changes", mfc="white"),
               ("article", False): _dot(colours["article"], "article (UN EGDI)"),
               ("publisher", False): _dot(colours["publisher"], "UN E-Government Survey file")}
    ax.legend(handles=[h for kind, h in entries.items() if kind in drawn], loc="center left",  # beside the plot:
              bbox_to_anchor=(1.01, 0.5), frameon=False, fontsize=8)  # in it, it would cover a rank somewhere
    return fig


def sources_over_time(frame: pd.DataFrame, *, x: str, y: str, source: str, title: str, ylabel: str,
                      fit: object | None = None) -> plt.Figure:
    """Values by year, one colour per source, each point labelled; optional OLS line with band."""
    fig, ax = plt.subplots(figsize=(8, 4.8))
    if fit is not None:
        band = fit.band  # type: ignore[attr-defined]
        ax.fill_between(band[x], band["ci_low"], band["ci_high"], color=MUTED, alpha=0.25,
                        label=f"OLS line, 95% band (n = {fit.n})")  # type: ignore[attr-defined]
        ax.plot(band[x], band["fit"], color="#5d6d7e", lw=1, ls="--")
    for i, (name, part) in enumerate(frame.groupby(source, sort=False)):
        ax.scatter(part[x], part[y], s=80, color=PALETTE[i % len(PALETTE)], label=name, zorder=3)
        for xv, yv in zip(part[x], part[y], strict=False):
            ax.annotate(f"{yv:g}", (xv, yv), xytext=(0, 9), textcoords="offset points", ha="center", fontsize=9)
    ax.set_xticks(sorted(frame[x].unique()))
    lo, hi = frame[y].min(), frame[y].max()
    ax.set_ylim(lo - 2, hi + 2)
    if lo - 2 > 0 and hi - lo + 4 < lo - 2:  # a narrow range far from zero: say the axis is cut
        mark_cut(ax)
    _titles(ax, title, "Year", ylabel)
    ax.legend(loc="lower right", fontsize=8)
    return fig


def _stage_facts(r: pd.Series) -> str:
    """'25 services; offices 30 to 300': what the thesis gives for a stage, in words."""
    bits = []
    if pd.notna(r["services"]):
        bits.append(f"{int(r['services'])} services" + (" added" if r["services_kind"] == "added" else ""))
    if pd.notna(r["offices_to"]):
        fro = f"offices {int(r['offices_from'])} to " if pd.notna(r["offices_from"]) else ""
        bits.append(f"{fro}{int(r['offices_to'])}" + ("" if fro else " offices"))
    return "; ".join(bits)


def stages_timeline(stages: pd.DataFrame, *, title: str, end_year: float, start_year: float) -> plt.Figure:
    """Figure 4 rebuilt: a bar per stage over its period holding its numbers; the undated vision last, at the right."""
    from oss_analysis.domain import decimal_year

    dated = stages[~stages["is_vision"]].reset_index(drop=True)
    vision = stages[stages["is_vision"]]
    rows = len(dated) + len(vision)
    fig, ax = plt.subplots(figsize=(10, 0.75 * rows + 1.4))
    ax.set_xlim(start_year, end_year + 0.2)
    ax.set_ylim(rows + 0.5, 0.5)
    labels = []
    for y, (_, r) in enumerate(dated.iterrows(), start=1):
        start = float(decimal_year(pd.Series([r["date_start"]])).iloc[0])
        end = float(decimal_year(pd.Series([r["date_end"]])).iloc[0]) + 1 / 12 if pd.notna(r["date_end"]) else None
        if end is None:  # open ('since 2009'): into the frame, saying it goes on
            end = end_year + 0.2
            ax.text(end - 0.05, y, "goes on →", ha="right", va="center", color="white", fontsize=8, gid=GOES_ON)
        ax.barh(y, end - start, left=start, color=PALETTE[(y - 1) % len(PALETTE)], alpha=0.85, height=0.6)
        labels.append(f"Stage {r['stage']}: {r['label']}")
        if facts := _stage_facts(r):
            text = ax.text(start + 0.05, y, facts, fontsize=8, va="center", color="white", fontweight="bold")
            if ax.transData.inverted().transform(text.get_window_extent())[1, 0] > end - 0.05:
                text.set(x=end + 0.05, color="black")  # too long for its bar: after it instead
    for j, r in enumerate(vision.itertuples(), start=len(dated) + 1):
        labels.append(f"Vision (undated): {r.label.removeprefix('Vision: ')}")
        text = ax.text(end_year, j, _stage_facts(pd.Series(r._asdict())) or "no numbers given", fontsize=9, va="center",
                       ha="right")  # on a bar as wide as its words (a box over the grid would hide it), at the right
        x0, x1 = ax.transData.inverted().transform(text.get_window_extent())[:, 0]
        ax.barh(j, x1 - x0 + 0.1, left=x0 - 0.05, height=0.6, color="#fdebd0", edgecolor="#d68910")
    ax.set_yticks(range(1, rows + 1), [wrap(t, 38) for t in labels], fontsize=8)
    ax.set_xticks(range(int(start_year), int(end_year) + 1))
    _titles(ax, title, "Year")
    ax.grid(axis="y", visible=False)
    return fig


def stacked_periods(frame: pd.DataFrame, *, period: str, part: str, value: str, title: str,
                    reference: float | None = None, reference_label: str = "") -> plt.Figure:
    """Stacked bars: one bar per period, one segment per part, with an optional reference line."""
    wide = frame.pivot_table(index=period, columns=part, values=value, aggfunc="sum", sort=False).fillna(0)
    fig, ax = plt.subplots(figsize=(8, 4.8))
    bottom = pd.Series(0.0, index=wide.index)
    for i, col in enumerate(wide.columns):
        ax.bar(wide.index, wide[col], bottom=bottom, label=col, color=PALETTE[i % len(PALETTE)], width=0.55)
        for xi, (b, v) in enumerate(zip(bottom, wide[col], strict=False)):
            if v:
                ax.text(xi, b + v / 2, f"{v:g}", ha="center", va="center", color="white", fontsize=9, fontweight="bold")
        bottom = bottom + wide[col]
    # totals under the bars (tick labels), where the reference line cannot run through them
    ax.set_xticks(range(len(wide)), [f"{p}\ntotal {t:g}" for p, t in zip(wide.index, bottom, strict=True)])
    if reference is not None:  # in the legend, where it cannot collide with the bar totals
        ax.axhline(reference, color=HIGHLIGHT, ls="--", lw=1.2, label=reference_label, zorder=0.9)  # behind the bars
    ax.grid(axis="x", visible=False)  # no grid stubs over categories
    _titles(ax, title, ylabel=value)
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False, fontsize=8)
    return fig
