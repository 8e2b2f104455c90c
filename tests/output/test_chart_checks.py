"""The chart checks: a clean made-up chart passes, and each rule fails on a chart made to break it,
with one line naming the chart and the two things that collide."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
from conftest import one_line

from oss_analysis.errors import DataError
from oss_analysis.output import chart_checks, style

pytestmark = pytest.mark.usefixtures("chart_theme")  # tests/conftest.py


def clean():
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot([2000, 2001, 2002], [10, 30, 20], marker="o", label="A")
    ax.set_title("A clean chart", loc="left")
    ax.set_ylim(0, 40)
    ax.set_xticks([2000, 2001, 2002])
    ax.legend(loc="upper right")
    return fig, ax


def test_a_clean_chart_passes():
    fig, _ = clean()
    assert chart_checks.problems(fig) == []
    chart_checks.check_chart(fig, "clean")


def broken(rule: str):  # noqa: C901
    fig, ax = clean()
    if rule == "overlap":
        ax.text(2000.5, 35, "first label")
        ax.text(2000.6, 35, "second label")
    elif rule == "frame":
        ax.text(2001.9, 20, "a label that runs out of the frame")
    elif rule == "past":
        ax.set_title("A title far too long for its plot, as a country run may make it, " * 2, loc="left")
    elif rule == "marker":
        ax.text(2001, 30, "on the dot")
    elif rule == "hides":
        ax.scatter([2001], [30], s=300, color="red", zorder=5, label="focus")
    elif rule == "legend":
        ax.plot([2000, 2002], [37, 37], marker="o", label="B")
        ax.legend(loc="upper right")
    elif rule == "gap":
        ax.scatter([2001.5], [5], label="printed")
    elif rule == "editions":
        chart_checks.set_editions(ax, [2000, 2000.5, 2001, 2002])
    elif rule == "alone":
        chart_checks.set_editions(ax, [2000, 2001, 2002])
        ax.plot([2000, 2001, 2002], [5, np.nan, np.nan], label="C")
    elif rule == "cut":
        ax.lines[0].set_ydata([20, 22, 21])
        ax.set_ylim(19.5, 22.5)
    return fig


@pytest.mark.parametrize(
    "rule, expected",
    [
        ("overlap", "text 'first label' overlaps text 'second label'"),
        ("frame", "text 'a label that runs out of the frame' crosses the frame of the panel 'A clean chart'"),
        ("past", "px past the plot"),
        ("marker", "text 'on the dot' sits on a marker of series 'A'"),
        ("hides", "a marker of series 'focus' hides a marker of series 'A'"),
        ("legend", "the legend covers data of series 'B'"),
        ("gap", "series 'A' joins 2001 to 2002 across 2001.5, which it does not draw"),
        ("editions", "series 'A' joins 2000 to 2001 across 2000.5, which it does not draw"),
        ("alone", "series 'C' has a point at 2000 between gaps that nothing draws"),
        ("cut", "the y axis of the panel 'A clean chart' runs 19.5 to 22.5, cut from zero without a mark"),
    ],
)
def test_each_rule_fails_with_one_line(rule, expected):
    with pytest.raises(DataError) as exc:
        chart_checks.check_chart(broken(rule), "made_up")
    message = one_line(exc)
    assert message.startswith("chart made_up: ") and expected in message, message


def test_a_marked_cut_passes_and_a_missing_edition_drawn_as_a_gap_passes():
    fig, ax = clean()
    ax.lines[0].set_ydata([20, 22, 21])
    ax.set_ylim(19.5, 22.5)
    chart_checks.mark_cut(ax)
    chart_checks.set_editions(ax, [2000, 2001, 2002])
    ax.plot([2000, 2001, 2002], [19.8, np.nan, 20.5], marker="o", label="gapped")
    assert chart_checks.problems(fig) == []


def test_save_figure_stops_before_writing_anything(tmp_path):
    fig = broken("overlap")
    with pytest.raises(DataError, match="chart made_up: text 'first label' overlaps"):
        style.save_figure(fig, "made_up", tmp_path, sources=["satisfaction"])
    assert list(tmp_path.iterdir()) == []


def test_the_check_sees_the_saved_layout():
    """A figure legend anchored to the figure's edge moves under a tight-bbox save: the check
    measures it where it is saved, on top of a source line drawn under the plot."""
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot([1, 2], [1, 2], label="a series with a long name")
    fig.legend(loc="lower center", frameon=False)
    fig.tight_layout(rect=(0, 0.1, 1, 1))
    style.add_source_line(fig, "Source: a made-up source line long enough to reach the middle of the figure")
    assert any("overlaps text 'a series with a long name'" in p for p in chart_checks.problems(fig))


def test_labels_may_not_cross_lines_leaders_or_the_legend():
    """A label across a series or fit line, two leaders that cross, a legend over a label: each
    is named (a label may touch its own leader)."""
    from matplotlib.patches import FancyArrowPatch

    fig, ax = clean()
    ax.text(2000.5, 20, "across the line")
    one, two = ax.text(2000.1, 36, "one"), ax.text(2001.2, 36, "two")
    ax.add_patch(FancyArrowPatch(posA=(2000.2, 36), posB=(2001.8, 2), patchA=one, arrowstyle="-"))
    ax.add_patch(FancyArrowPatch(posA=(2001.3, 36), posB=(2000.2, 2), patchA=two, arrowstyle="-"))
    ax.text(2001.9, 38.5, "x", fontsize=6)  # under the legend at the upper right
    found = chart_checks.problems(fig)
    assert "text 'across the line' crosses a line: series 'A'" in found, found
    assert "the leader of text 'one' crosses the leader of text 'two'" in found, found
    assert "the legend covers text 'x'" in found, found
    assert "the leader of text 'one' ends on no marker" in found, found
    assert "text 'one' crosses a line: the leader of text 'one'" not in found


def test_whole_numbers_with_decimals_and_ranks_outside_their_domain_fail():
    from matplotlib.ticker import MaxNLocator

    fig, ax = clean()
    chart_checks.rank_axis(ax.yaxis)
    assert chart_checks.problems(fig) == []  # a rank axis from 1: no tick at 0
    ax.text(2000.1, 3, "83.0")
    ax.text(2001.4, 3, "54.0")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    found = chart_checks.problems(fig)
    assert "the rank axis of the panel 'A clean chart' has a tick at 0, which no rank is" in found, found
    assert "text '83.0' writes the whole number 83.0 with decimals" in found, found
    ax.text(2001.4, 12, "2.5")  # a scale with decimals may write 83.0 beside 2.5
    assert not any("whole number" in p for p in chart_checks.problems(fig))


def test_rings_clipped_markers_pressed_labels_cut_rank_axes_and_stray_year_ticks_fail():
    """A ring whose edge runs over another dot, a marker cut in half by the frame, a label against
    the frame's inside, a rank axis 'among 192' stopping at 140, a year tick after the last year."""
    fig, ax = clean()
    ax.scatter([2000], [11.2], s=200, facecolor="none", edgecolor="red", zorder=5, label="ring")
    ax.scatter([2002], [0.2], s=40, label="near zero")
    ax.text(2000.5, 39.9, "at the top", va="top")
    found = chart_checks.problems(fig)
    assert "a marker of series 'ring' hides a marker of series 'A'" in found, found
    assert "a marker of series 'near zero' is clipped by the frame of the panel 'A clean chart'" in found, found
    assert "text 'at the top' presses against the frame of the panel 'A clean chart'" in found, found
    fig, ax = plt.subplots()
    ax.barh(["a", "b"], [12, 140])
    ax.set_xlabel("rank among 192 countries")
    chart_checks.rank_axis(ax.xaxis)
    ax.set_title("ranks", loc="left")
    assert "the rank axis of the panel 'ranks' stops at 147 of 192, cut without a mark" in chart_checks.problems(fig)
    ax.set_xlim(0, 192)
    assert chart_checks.problems(fig) == []
    fig, ax = clean()
    chart_checks.set_editions(ax, [2000, 2001, 2002])
    ax.set_xticks([2000, 2001, 2002, 2002.5])
    ax.set_xlim(1999.8, 2002.6)
    found = chart_checks.problems(fig)
    assert "the year axis of the panel 'A clean chart' has a tick at 2002.5, which is no edition" in found, found


def test_a_band_or_reference_line_named_in_no_legend_fails():
    fig, ax = clean()
    ax.fill_between([2000, 2002], [5, 5], [15, 15], alpha=0.2)
    ax.axvline(2001, ls=":")
    found = chart_checks.problems(fig)
    assert "the band in the panel 'A clean chart' is named in no legend" in found, found
    assert "the reference line in the panel 'A clean chart' is named in no legend" in found, found
    ax.collections[-1].set_label("interval")
    ax.lines[-1].set_label("thesis year")
    ax.legend(loc="upper right")
    assert chart_checks.problems(fig) == []


def test_a_label_naming_two_points_reaches_each_with_a_leader():
    from matplotlib.patches import FancyArrowPatch

    fig, ax = clean()
    label = chart_checks.names_points(ax.text(2000.3, 33, "30: two passages"), [(2001, 30), (2000, 10)])
    ax.add_patch(FancyArrowPatch(posA=(2000.5, 33), posB=(2001, 30), patchA=label, arrowstyle="-"))
    assert "text '30: two passages' names the point at 2000, 10 but no leader of it reaches there" in (
        chart_checks.problems(fig))
    ax.add_patch(FancyArrowPatch(posA=(2000.5, 33), posB=(2000, 10), patchA=label, arrowstyle="-"))
    assert not any("names the point" in p for p in chart_checks.problems(fig))


def test_a_label_sits_in_its_own_years_column():
    """A point's label pushed over a neighbouring edition (the 2018 label in the empty 2020 column) fails."""
    from matplotlib.patches import FancyArrowPatch

    fig, ax = clean()
    chart_checks.set_editions(ax, [2000, 2001, 2002])
    label = ax.text(2000.75, 16, "30 of 193")
    ax.add_patch(FancyArrowPatch(posA=(2000.9, 17), posB=(2001, 30), patchA=label, arrowstyle="-"))
    assert "text '30 of 193' sits over 2001, not over its own point's year" not in chart_checks.problems(fig)
    label.set_x(2001.55)
    assert "text '30 of 193' sits over 2002, not over its own point's year" in chart_checks.problems(fig)


def test_editions_are_ticked_and_ranks_tick_in_1_2_5_steps():
    from matplotlib.ticker import MaxNLocator

    fig, ax = plt.subplots(figsize=(8, 4))
    ax.plot([2003, 2005, 2008, 2018, 2020], [115, 97, 81, 39, 29], marker="o", ls="", label="rank")
    ax.set_title("ranks", loc="left")
    chart_checks.set_editions(ax, [2003, 2005, 2008, 2018, 2020])
    chart_checks.rank_axis(ax.yaxis)
    fig.draw_without_rendering()
    assert list(ax.get_xticks()) == [2003, 2005, 2008, 2018, 2020] and len(set(np.diff(ax.get_yticks()))) == 1
    assert chart_checks.problems(fig) == []
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # every 3 years: 2005, 2008, 2011 ...
    ax.set_yticks(range(30, 121, 15))  # steps of 15
    found = chart_checks.problems(fig)
    assert any(p.startswith("the year axis of the panel 'ranks' has a tick at") and "no edition" in p for p in found)
    assert any(p.startswith("the rank axis of the panel 'ranks' ticks") and "not in 1-2-5 steps" in p for p in found)
    fig, ax = plt.subplots(figsize=(4, 3))  # many editions close together: thinned, never a tick at no edition
    chart_checks.set_editions(ax, range(1996, 2024))
    ax.plot(range(1996, 2024), range(28), marker="o", ms=2)
    fig.draw_without_rendering()
    assert 3 < len(ax.get_xticks()) < 28 and set(ax.get_xticks()) <= set(range(1996, 2024))
    assert not any("overlaps" in p or "edition" in p for p in chart_checks.problems(fig))


def test_dots_that_overlap_read_as_one_and_fail():
    """A big focus dot over the edge of a neighbour, two dots of one series a hair apart (not on the same spot)."""
    fig, ax = clean()
    ax.scatter([2000], [11.3], s=120, color="red", zorder=5, label="focus")
    assert "a marker of series 'A' at 2000, 10 touches a marker of series 'focus'" in chart_checks.problems(fig)
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.scatter([2000.9, 2000.93, 2001.5, 2001.5], [5, 5, 8, 8], label="same")
    ax.set(xlim=(2000, 2002), ylim=(0, 10), xticks=[2000, 2001, 2002])
    found = chart_checks.problems(fig)
    assert "a marker of series 'same' at 2000.9, 5 touches a marker of series 'same'" in found, found
    assert not any("2001.5" in p for p in found)


def test_a_focus_dot_whose_edge_touches_a_neighbour_fails():
    """KGZ's red dot beside TJK's in cpi_vs_wgi_cc (sweep 29): the discs clear by a pixel once their
    edges are drawn, and read as one; the edge counts, and dots keep GAP pixels apart."""
    fig, ax = plt.subplots(figsize=(7.5, 5.2))
    ax.set(xlim=(-5, 105), ylim=(0, 10.3))
    ax.scatter(13, 1.9, color="red", s=40, zorder=4)
    ax.scatter(15, 2.0, color="grey", s=22, zorder=4)
    assert any("at 13, 1.9 touches a marker of pathcollection" in p for p in chart_checks.problems(fig))
    ax.collections[0].set(sizes=[24], linewidths=[0])
    ax.collections[1].set(sizes=[16], linewidths=[0])
    assert not any("touches" in p for p in chart_checks.problems(fig))


def test_a_label_far_from_its_point_needs_a_leader():
    fig, ax = clean()
    ax.annotate("45 of 193", (2001, 30), xytext=(0, -40), textcoords="offset points", ha="center")
    assert "text '45 of 193' sits far from its point at 2001, 30 without a leader" in chart_checks.problems(fig)
    ax.texts[-1].remove()
    ax.annotate("45 of 193", (2001, 30), xytext=(0, -40), textcoords="offset points", ha="center",
                arrowprops={"arrowstyle": "-"})
    assert not any("far from" in p for p in chart_checks.problems(fig))


def test_boxes_over_grid_lines_labels_over_reference_lines_and_count_axes_off_zero_fail():
    fig, ax = clean()
    ax.text(2000.2, 24, "boxed", bbox={"fc": "white", "ec": "none"})
    ax.axvline(2001.5, ls=":", label="separator")
    ax.text(2001.4, 4, "over the separator")
    ax.legend(loc="upper right")
    found = chart_checks.problems(fig)
    assert "the box of text 'boxed' hides a grid line" in found, found
    assert "text 'over the separator' crosses a line: series 'separator'" in found, found
    fig, ax = clean()
    ax.lines[0].set_ydata([25, 100, 57])
    ax.set_ylim(16, 105)  # counts 25-100 on an axis from 16 (ticks 20, 40 ...): a cut, unmarked
    assert "the y axis of the panel 'A clean chart' runs 16 to 105, cut from zero without a mark" in (
        chart_checks.problems(fig))
    ax.set_ylim(0.2, 105)  # a 0-40 scale that stops just short of 0
    assert "the y axis of the panel 'A clean chart' runs 0.2 to 105, cut from zero without a mark" in (
        chart_checks.problems(fig))
    ax.set_ylim(-8, 105)
    assert "the y axis of the panel 'A clean chart' runs to -8, below 0, for values from 0 up" in (
        chart_checks.problems(fig))


def test_a_bar_cut_by_the_frame_says_it_goes_on_and_a_box_keeps_off_the_frame():
    fig, ax = plt.subplots(figsize=(6, 3))
    ax.barh([1, 2], [3, 9], left=2005)
    ax.set_xlim(2005, 2012)
    ax.set_title("stages", loc="left")
    assert "a bar runs into the right frame of the panel 'stages' without a mark that it goes on" in (
        chart_checks.problems(fig))
    ax.text(2011.9, 2, "→", ha="right", va="center", gid=chart_checks.GOES_ON)
    assert chart_checks.problems(fig) == []
    vision = ax.text(2011.95, 1, "vision", ha="right", va="center")
    assert chart_checks.problems(fig) == []
    vision.set_bbox({"boxstyle": "round", "fc": "none", "ec": "orange"})  # its box is measured too
    assert "text 'vision' crosses the frame of the panel 'stages'" in chart_checks.problems(fig)


def test_a_wrapped_title_never_breaks_inside_brackets_or_before_a_number():
    """Sweep 30: '(release / 2024)' and 'Sange survey / 2007' read as two things."""
    title = "Kazakhstan in CPI 2009 against WGI 2008 (release 2024) control (n = 10)"
    for chars in range(20, len(title)):  # textwrap alone: '(release / 2024)' at 25, '2009' opening a line at 20
        lines = chart_checks.wrap(title, chars).split("\n")
        assert all(line.count("(") == line.count(")") for line in lines), (chars, lines)
        assert not any(line[:1].isdigit() for line in lines[1:]), (chars, lines)
        assert " ".join(lines) == title
