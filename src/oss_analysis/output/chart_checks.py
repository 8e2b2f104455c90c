"""Checks a drawn chart, as the renderer measures it, before it is saved (the rules: docs/stages/output.md)."""

from __future__ import annotations

import itertools
import re
import textwrap
from collections.abc import Iterable, Iterator

import matplotlib.pyplot as plt
import numpy as np
from matplotlib import rcParams
from matplotlib.collections import PathCollection, PolyCollection
from matplotlib.colors import to_rgba
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, Rectangle
from matplotlib.path import Path
from matplotlib.text import Annotation, Text
from matplotlib.ticker import FixedLocator, MaxNLocator, ScalarFormatter
from matplotlib.transforms import Bbox

from oss_analysis.errors import DataError

CUT_GID = "axis-cut"
GOES_ON = "goes-on"  # the gid of a text saying that a bar cut by the frame goes on
_EDITIONS = "_oss_editions"
_RANKS = "_oss_ranks"
_NAMES = "_oss_names"
TOL = 1.0  # pixels: touching is not overlapping
GAP = 2.5  # pixels two filled dots keep between them (4 in the saved PNG): closer, they read as one
FAR = 20.0  # pixels a label may sit from its point without a leader
ROOM = 2.0  # pixels a label keeps from the frame inside it
NICE = {"steps": [1, 2, 5, 10], "integer": True}  # whole ticks in 1-2-5 x 10^k steps


class _Ranks(MaxNLocator):  # whole ranks from 1
    def tick_values(self, vmin: float, vmax: float) -> list[float]:
        return [t for t in super().tick_values(vmin, vmax) if t >= 1]


def set_editions(ax: plt.Axes, years: Iterable[float]) -> None:
    """The x values (editions) that exist, ticked; the checks judge gaps, labels' columns and ticks by them."""
    setattr(ax, _EDITIONS, known := sorted({float(y) for y in years}))
    year = 3.0 * FontProperties(size=rcParams["xtick.labelsize"]).get_size_in_points() * ax.figure.dpi / 72
    room = max(2, int(ax.get_window_extent().width / year))  # where all would collide: round years, else every k-th
    nice = [t for t in MaxNLocator(room, **NICE).tick_values(known[0], known[-1]) if t in known]
    ax.xaxis.set_major_locator(FixedLocator(nice if len(known) > room and len(nice) > 2 else known, nbins=room))


def rank_axis(axis: object) -> None:
    """A rank axis: whole ticks from 1 in 1-2-5 steps (no 0 or 62.5 that no rank can be), checked as such."""
    axis.set_major_locator(_Ranks(nbins=10, **NICE))
    setattr(axis, _RANKS, True)


def names_points(text: Text, points: Iterable[tuple[float, float]]) -> Text:
    """The points ``text`` speaks for: a leader of it must reach each, or it reads as one dot's label."""
    setattr(text, _NAMES, list(points))
    return text


def mark_cut(ax: plt.Axes) -> None:
    """Mark a y axis that does not start at zero: a double slash on its foot, the usual sign of a cut scale."""
    for dx in (-0.012, 0.004):
        ax.plot([dx, dx + 0.016], [-0.018, 0.018], transform=ax.transAxes, color="0.15", lw=1.2,
                clip_on=False, gid=CUT_GID, zorder=10)


def wrap(words: str, chars: int) -> str:
    """``textwrap.fill``, never breaking inside brackets ('(release 2024)') or before a number ('survey 2007')."""
    bound = re.sub(r" (?=\d)", "\u00a0", re.sub(r"\([^()]*\)", lambda m: m[0].replace(" ", "\u00a0"), words))
    return textwrap.fill(bound, chars, break_on_hyphens=False, break_long_words=False).replace("\u00a0", " ")


def fit_text(text: Text, width: float) -> Text:
    """Wrap ``text`` at word boundaries into ``width`` px, at its own size: the fewest lines, filled evenly."""
    renderer = text.get_figure().canvas.get_renderer()
    words, lines, best = " ".join(text.get_text().split()), None, None
    for chars in range(len(words), 19, -1):
        wrapped = wrap(words, chars)
        if lines is not None and wrapped.count("\n") > lines:
            break
        if text.set_text(wrapped) or text.get_window_extent(renderer).width <= width:
            lines, best = wrapped.count("\n"), wrapped
    text.set_text(best or words)
    return text


def _name(artist: object) -> str:
    if isinstance(artist, FancyArrowPatch) and isinstance(artist.patchA, Text):
        return f"the leader of {_name(artist.patchA)}"
    if isinstance(artist, Text):
        text = " ".join(artist.get_text().split())
        return f"text '{text[:45]}…'" if len(text) > 45 else f"text '{text}'"
    label = getattr(artist, "get_label", lambda: "")()
    return f"series '{label}'" if label and not label.startswith("_") else type(artist).__name__.lower()


def _shown(text: Text) -> bool:
    return text.get_visible() and bool(text.get_text().strip())


def _ticks(ax: plt.Axes) -> list[Text]:
    """The tick labels drawn (inside the view), and the axis labels."""
    out = [ax.xaxis.label, ax.yaxis.label]
    for axis in (ax.xaxis, ax.yaxis):
        lo, hi = sorted(axis.get_view_interval())
        for tick in axis.get_major_ticks():
            if lo - 1e-9 <= tick.get_loc() <= hi + 1e-9:
                out += [tick.label1, tick.label2]
    return [t for t in out if _shown(t)]  # visible, with words


def _markers(ax: plt.Axes, dpi: float) -> Iterator[tuple[object, np.ndarray, float, bool]]:
    """(artist, pixel centres, radius in pixels, filled) of every series' markers in ``ax``."""
    for line in ax.lines:
        if line.get_gid() == CUT_GID or line.get_marker() in (None, "", "None", " ", "none"):
            continue
        xy = (xy := np.column_stack(line.get_data()).astype(float))[np.isfinite(xy).all(axis=1)]
        fill = line.get_markerfacecolor()
        filled = line.get_fillstyle() != "none" and fill not in ("none", "None") and to_rgba(fill)[3] > 0
        radius = (line.get_markersize() + line.get_markeredgewidth()) / 2 * dpi / 72
        yield line, line.get_transform().transform(xy), radius, filled
    for coll in ax.collections:
        if not isinstance(coll, PathCollection) or not coll.get_visible() or not len(coll.get_offsets()):
            continue
        xy = np.asarray(coll.get_offsets(), dtype=float)
        keep = np.isfinite(xy).all(axis=1)
        sizes = np.resize(coll.get_sizes() if len(coll.get_sizes()) else [36.0], len(xy))
        filled = len(faces := coll.get_facecolors()) > 0 and float(np.max(faces[:, 3])) > 0
        edged = len(edges := coll.get_edgecolors()) > 0 and float(np.max(edges[:, 3])) > 0
        edge = float(np.max(coll.get_linewidths(), initial=0)) if edged else 0.0  # the edge is drawn half outside
        for c, s in zip(coll.get_offset_transform().transform(xy[keep]), sizes[keep], strict=True):
            yield coll, c[None, :], float((np.sqrt(s) + edge) / 2 * dpi / 72), filled


def _hits(box: Bbox, centre: np.ndarray, radius: float) -> bool:
    """Whether a circle of ``radius`` around ``centre`` reaches into ``box``."""
    return bool(np.hypot(*(centre - np.clip(centre, box.min, box.max))) < radius)


def _data_lines(ax: plt.Axes) -> Iterator[tuple[Line2D, np.ndarray]]:
    for line in ax.lines:
        if line.get_transform() is ax.transData and line.get_gid() != CUT_GID:
            yield line, np.column_stack(line.get_data()).astype(float)


def _drawn_lines(ax: plt.Axes) -> Iterator[tuple[object, Path]]:
    """Pixel paths of each unbroken run of a line in ``ax``, and of the labels' leaders."""
    for line in ax.lines:  # series, fits and reference lines (axvline)
        if line.get_gid() != CUT_GID and line.get_linestyle() not in ("None", "", " ", "none"):
            px = line.get_transform().transform(np.column_stack(line.get_data()).astype(float))
            for run in np.split(px, np.flatnonzero(~np.isfinite(px).all(axis=1))):
                if len(run := run[np.isfinite(run).all(axis=1)]) > 1:
                    yield line, Path(run)
    for patch in ax.patches:
        if isinstance(patch, FancyArrowPatch) and patch.get_visible():
            yield from ((patch, path) for path in patch._get_path_in_displaycoord()[0])  # noqa: SLF001


def _ranks(ax: plt.Axes) -> Iterator[str]:
    for axis in (x for x in (ax.xaxis, ax.yaxis) if getattr(x, _RANKS, False)):
        lo, hi = sorted(axis.get_view_interval())
        ticks = [t for t in axis.get_majorticklocs() if lo - 1e-9 <= t <= hi + 1e-9]
        if bad := [t for t in ticks if t < 1 or t % 1]:
            yield f"the rank axis of the panel '{_panel(ax)}' has a tick at {bad[0]:g}, which no rank is"
        steps = set(np.round(np.diff(ticks), 6))
        if len(steps) > 1 or steps and f"{(s := steps.pop()) / 10 ** np.floor(np.log10(s)):g}" not in "1 2 5".split():
            yield f"the rank axis of the panel '{_panel(ax)}' ticks {ticks[0]:g}, {ticks[1]:g}…: not in 1-2-5 steps"
        among = re.search(r"(?:among|of) (\d+)", axis.get_label_text())
        if among and hi < int(among[1]) and not any(a.get_gid() == CUT_GID for a in ax.get_children()):
            yield f"the rank axis of the panel '{_panel(ax)}' stops at {hi:g} of {among[1]}, cut without a mark"
    lo, hi, years = *sorted(ax.xaxis.get_view_interval()), getattr(ax, _EDITIONS, [])
    if out := [t for t in ax.xaxis.get_majorticklocs() if lo <= t <= hi and years and t not in years]:
        yield f"the year axis of the panel '{_panel(ax)}' has a tick at {out[0]:g}, which is no edition"


def problems(fig: plt.Figure) -> list[str]:
    """Every rule the figure breaks, one phrase each, measured as saved (a tight-bbox save moves a figure legend)."""
    from matplotlib._tight_bbox import adjust_bbox  # what savefig(bbox_inches="tight") applies

    fig.draw_without_rendering()
    renderer, restore = fig.canvas.get_renderer(), lambda: None
    if rcParams["savefig.bbox"] == "tight":
        restore = adjust_bbox(fig, fig.get_tightbbox(renderer).padded(rcParams["savefig.pad_inches"]), renderer)
        fig.draw_without_rendering()
    try:
        return list(dict.fromkeys(_problems(fig, renderer)))
    finally:
        restore()


def _problems(fig: plt.Figure, renderer: object) -> Iterator[str]:
    dpi = fig.dpi
    axes = [ax for ax in fig.axes if ax.get_visible()]
    legends = [leg for leg in [*(ax.get_legend() for ax in axes), *fig.legends] if leg is not None]
    inner = [t for ax in axes for t in ax.texts if _shown(t)]
    free = [t for t in [*fig.texts, *(t for ax in axes for t in (ax.title, ax._left_title, ax._right_title))]  # noqa: SLF001
            if _shown(t)]
    texts = free + inner + [t for ax in axes for t in _ticks(ax)]
    texts += [t for leg in legends for t in [*leg.get_texts(), leg.get_title()] if _shown(t)]
    box = {id(t): Bbox.union([Text.get_window_extent(t, renderer), *([t.get_bbox_patch().get_window_extent(renderer)]
                                                                 if t.get_bbox_patch() else [])]) for t in texts}
    for a, b in itertools.combinations(texts, 2):
        if Bbox.intersection(box[id(a)].padded(-TOL), box[id(b)].padded(-TOL)) is not None:
            yield f"{_name(a)} overlaps {_name(b)}"
    frames = {ax: ax.get_window_extent(renderer) for ax in axes}
    content = Bbox.union([*frames.values()] + [box[id(t)] for ax in axes for t in _ticks(ax)]
                         + [leg.get_window_extent(renderer) for leg in legends])
    for t in free + inner:
        b = box[id(t)].padded(-TOL)
        for ax, f in frames.items():
            if f.overlaps(b) and not (f.x0 <= b.x0 and b.x1 <= f.x1 and f.y0 <= b.y0 and b.y1 <= f.y1):
                yield f"{_name(t)} crosses the frame of the panel '{_panel(ax)}'"
            elif t in inner and f.overlaps(b) and min(b.x0 - f.x0, f.x1 - b.x1, b.y0 - f.y0, f.y1 - b.y1) < ROOM:
                yield f"{_name(t)} presses against the frame of the panel '{_panel(ax)}'"
        whole = box[id(t)]  # titles start at the left edge, near the axis label: only the right is strict
        if whole.x0 < content.x0 - 10 * TOL or whole.x1 > content.x1 + 2 * TOL:
            yield f"{_name(t)} runs {max(content.x0 - whole.x0, whole.x1 - content.x1):.0f} px past the plot"
    for ax in axes:
        marks, lines = list(_markers(ax, dpi)), list(_drawn_lines(ax))
        leaders = [(a, p) for a, p in lines if isinstance(a, FancyArrowPatch)]
        g = [(k, px) for k, x in enumerate((ax.xaxis, ax.yaxis)) if any(map(Line2D.get_visible, x.get_gridlines()))
                for px in ax.transData.transform([(v, v) for v in x.get_majorticklocs()])[:, k]]
        for t, tb in ((t, box[id(t)].padded(-TOL)) for t in inner if t.axes is ax):
            if (bp := t.get_bbox_patch()) and bp.get_facecolor()[3] and any(tb.min[k] < v < tb.max[k] for k, v in g):
                yield f"the box of {_name(t)} hides a grid line"
            if on := next((a for a, cs, r, _ in marks if any(_hits(tb, c, r) for c in cs)), None):
                yield f"{_name(t)} sits on a marker of {_name(on)}"
            crossing = (a for a, p in lines if getattr(a, "patchA", 0) is not t and p.intersects_bbox(tb, filled=False))
            if hit := next(crossing, None):  # a label's own leader touches it
                yield f"{_name(t)} crosses a line: {_name(hit)}"
            own = isinstance(t, Annotation) and t.xycoords == "data" and not t.arrow_patch  # a point's, no leader
            if own and not _hits(tb, ax.transData.transform(t.xy), FAR):
                yield f"{_name(t)} sits far from its point at {t.xy[0]:g}, {t.xy[1]:g} without a leader"
            for x, y in getattr(t, _NAMES, []):  # a label naming several points reaches each one
                p = ax.transData.transform((x, y))
                if not any(np.hypot(*(p - q.vertices[-1])) <= 4 for a, q in leaders if a.patchA is t) and not _hits(
                        box[id(t)], p, 4):
                    yield f"{_name(t)} names the point at {x:g}, {y:g} but no leader of it reaches there"
        years, inv = getattr(ax, _EDITIONS, []), ax.transData.inverted()
        owned = [(a.patchA, inv.transform(p.vertices[-1])[0]) for a, p in leaders]  # a label and its point's x
        for t, own in owned + [(t, t.xy[0]) for t in ax.texts if isinstance(t, Annotation)] if years else []:
            mid = inv.transform((box[id(t)].intervalx.mean(), 0))[0]  # a point's label sits in its year's column
            if (near := min(years, key=lambda y: abs(y - mid))) != min(years, key=lambda y: abs(y - own)):
                yield f"{_name(t)} sits over {near:g}, not over its own point's year"
        yield from _drawn_rules(ax, marks, frames[ax])
        for a, path in leaders:  # a leader points at its own label's marker, not at empty space
            if not any(len(c) and np.hypot(*(c - path.vertices[-1]).T).min() <= r + 4 for _, c, r, _ in marks):
                yield f"{_name(a)} ends on no marker"
        refs = [(a, p) for a, p in lines if isinstance(a, Line2D) and a.get_transform() is not ax.transData]
        for (a, pa), (b, pb) in itertools.combinations(leaders + refs, 2):  # leaders across leaders or a reference
            if isinstance(a, FancyArrowPatch) and getattr(b, "patchA", 0) is not a.patchA and pa.intersects_path(pb, 0):
                yield f"{_name(a)} crosses {_name(b)}"
        yield from _gaps(ax)
        yield from _cut(ax)
        yield from _ranks(ax)
    numbers = [(t, n) for t in free + inner for n in re.findall(r"(?<![\d.])\d+\.\d+(?![\d.])", t.get_text())]
    if numbers and all(float(n).is_integer() for _, n in numbers):
        yield f"{_name(numbers[0][0])} writes the whole number {numbers[0][1]} with decimals"
    named = {t.get_text() for leg in legends for t in leg.get_texts()}
    yield from (p for ax in axes for p in _unnamed(ax, named))
    for leg in legends:
        lbox = leg.get_window_extent(renderer).padded(-TOL)
        for ax in axes if leg in fig.legends else [leg.axes]:
            under = [a for a, xy in _data_lines(ax) if lbox.count_contains(a.get_transform().transform(xy))]
            under += [a for a, cs, r, _ in _markers(ax, dpi)
                      if isinstance(a, PathCollection) and any(_hits(lbox, c, r) for c in cs)]
            yield from (f"the legend covers data of {_name(a)}" for a in under)
            yield from (f"the legend covers {_name(t)}" for t in inner
                        if t.axes is ax and lbox.overlaps(box[id(t)].padded(-TOL)))


def _drawn_rules(ax: plt.Axes, marks: list, f: Bbox) -> Iterator[str]:
    """A marker hides another, two filled dots touch (they read as one), a marker or bar is cut by the frame."""
    order = ax.get_children()  # drawn later: a higher zorder, then added later
    for (a, ca, ra, _), (b, cb, rb, fill_b) in itertools.permutations(marks, 2):
        d = np.hypot(*(ca[:, None] - cb[None]).T).ravel()  # a disc covers it, or a ring's edge crosses it
        hides = (d < rb).any() and rb >= ra if fill_b else (abs(d - rb) < ra).any()
        if a is not b and (b.get_zorder(), order.index(b)) > (a.get_zorder(), order.index(a)) and hides:
            yield f"a marker of {_name(b)} hides a marker of {_name(a)}"
    dots = [(a, c, r) for a, cs, r, filled in marks if filled for c in cs]
    for (a, ca, ra), (b, cb, rb) in itertools.combinations(dots, 2):
        if np.hypot(*(ca - cb)) < ra + rb + GAP and not (a is b and np.allclose(ca, cb)):
            x, y = ax.transData.inverted().transform(ca)
            yield f"a marker of {_name(a)} at {x:.6g}, {y:.4g} touches a marker of {_name(b)}"
    for a, cs, r, _ in marks:  # a value near 0 on a 0-100 axis
        if a.get_clip_on() and any(f.contains(*c) and min(*(c - f.min), *(f.max - c)) < r for c in cs):
            yield f"a marker of {_name(a)} is clipped by the frame of the panel '{_panel(ax)}'"
    for bar in (p for p in ax.patches if isinstance(p, Rectangle) and p.get_visible()):
        if bar.get_window_extent().x1 >= f.x1 - TOL and all(a.get_gid() != GOES_ON for a in ax.texts):
            yield f"a bar runs into the right frame of the panel '{_panel(ax)}' without a mark that it goes on"


def _unnamed(ax: plt.Axes, named: set[str]) -> Iterator[str]:
    for a in [*ax.collections, *ax.lines]:  # a band or a reference line (axvline) is named, as a series is
        band = isinstance(a, PolyCollection) and any(len(p.vertices) for p in a.get_paths())
        ref = isinstance(a, Line2D) and a.get_transform() is not ax.transData and a.get_gid() != CUT_GID
        if (band or ref) and a.get_visible() and a.get_label() not in named:
            yield f"the {'band' if band else 'reference line'} in the panel '{_panel(ax)}' is named in no legend"


def _panel(ax: plt.Axes) -> str:
    return ax.get_title("left") or ax.get_title() or ax.get_ylabel() or "axes"


def _gaps(ax: plt.Axes) -> Iterator[str]:
    """No line joins two points across an x value the chart knows of; a point between gaps has a marker."""
    declared = getattr(ax, _EDITIONS, [])
    drawn = [p[0] for _, xy in _data_lines(ax) for p in xy if np.isfinite(p).all()]
    drawn += [float(x) for coll in ax.collections if isinstance(coll, PathCollection)
              for x, _ in np.asarray(coll.get_offsets(), dtype=float)]
    for line, xy in _data_lines(ax):
        plain = line.get_marker() in (None, "", "None", " ", "none")
        if line.get_linestyle() in ("None", "", " ", "none") or len(xy) < 2 or (plain and not declared):
            continue  # a fitted curve or a reference line is not a series of editions
        ok = np.isfinite(xy).all(axis=1)
        known = set(declared) | {p[0] for p in xy[~ok] if np.isfinite(p[0])} | (set(drawn) if ok.sum() >= 3 else set())
        for lo, hi in (sorted(xy[i:i + 2, 0]) for i in range(len(xy) - 1) if ok[i] and ok[i + 1]):
            if between := sorted(k for k in known if lo < k < hi):
                yield f"{_name(line)} joins {lo:g} to {hi:g} across {between[0]:g}, which it does not draw"
        alone = [i for i in range(len(xy)) if ok[i] and not (i and ok[i - 1]) and not (i + 1 < len(xy) and ok[i + 1])]
        if alone and plain:
            yield f"{_name(line)} has a point at {xy[alone[0], 0]:g} between gaps that nothing draws"


def _cut(ax: plt.Axes) -> Iterator[str]:
    """A y axis cut from zero is marked; one for values from 0 up does not run far below 0."""
    dots = (np.asarray(c.get_offsets(), float)[:, 1] for c in ax.collections if isinstance(c, PathCollection))
    ys = np.concatenate([[np.nan], *(xy[:, 1] for _, xy in _data_lines(ax)), *dots])
    if not np.isfinite(ys).any() or ax.yaxis_inverted() or ax.get_yscale() != "linear":
        return
    (lo, hi), marked = ax.get_ylim(), any(a.get_gid() == CUT_GID for a in ax.get_children())
    numbers = isinstance(ax.yaxis.get_major_formatter(), ScalarFormatter)
    if not marked and lo * hi > 0 and (hi - lo < min(abs(lo), abs(hi)) or numbers and 0 < lo < (hi - lo) / 4):
        yield f"the y axis of the panel '{_panel(ax)}' runs {lo:.3g} to {hi:.3g}, cut from zero without a mark"
    if numbers and lo < 0 <= np.nanmin(ys) < np.nanmax(ys) and -lo > 0.05 * (hi - lo):
        yield f"the y axis of the panel '{_panel(ax)}' runs to {lo:.3g}, below 0, for values from 0 up"


def check_chart(fig: plt.Figure, stem: str) -> None:
    """Stop at the first rule broken: one line (a DataError) naming the chart and the two things that collide."""
    if found := problems(fig):
        raise DataError(f"chart {stem}", found[0])
