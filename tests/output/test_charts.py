"""Chart builders: one precision per chart, column names level, a reference line never drawn on a bar's edge."""

import pandas as pd
import pytest

from oss_analysis.output import charts

pytestmark = pytest.mark.usefixtures("chart_theme")  # tests/conftest.py


def test_a_heatmap_writes_one_precision_and_levels_its_column_names():
    """Sweep 29: '50' among one-decimal cells, and 'Rule of Law' higher than its two-line neighbours."""
    wide = pd.DataFrame({"Rule of Law": [50.0, 98.5], "Voice and Accountability": [16.0, 44.2]}, index=["A", "B"])
    ax = charts.heatmap(wide, title="WGI").axes[0]
    assert sorted(t.get_text() for t in ax.texts) == ["16.0", "44.2", "50.0", "98.5"]
    ax.figure.draw_without_rendering()
    middle = [t.get_window_extent().intervaly.mean() for t in ax.get_xticklabels()]
    assert abs(middle[0] - middle[1]) < 1, middle
    whole = charts.heatmap(wide.round(), title="WGI").axes[0]
    assert "50" in [t.get_text() for t in whole.texts]  # all whole: written whole
    printed = charts.heatmap(wide, title="WGI", as_printed=True).axes[0]  # the print's digits, not one more
    assert sorted(t.get_text() for t in printed.texts) == ["16", "44.2", "50", "98.5"]


def test_a_chart_reads_its_numbers_as_printed_only_when_every_row_is_printed():
    frame = pd.DataFrame({"source": ["thesis Table 2", "thesis Table 2"], "seed_line": [248, 249]})
    assert charts.printed(frame)
    added = frame.assign(source=["thesis Table 2", "WGI release 2024 (data/sources/wgi/x.csv)"])
    assert not charts.printed(added) and not charts.printed(frame.drop(columns="source"))
    assert charts.precision([50.0, 98.55, 3.0]) == ".2f" and charts.precision([35.0, 99.5], True) == "g"


def test_a_reference_line_stays_behind_the_bars_and_categories_have_no_x_grid():
    frame = pd.DataFrame({"period": ["a", "a", "b"], "part": ["x", "y", "x"], "services": [20.0, 5.0, 24.0]})
    ax = charts.stacked_periods(frame, period="period", part="part", value="services", title="t", reference=25,
                                reference_label="25 services").axes[0]
    assert not any(line.get_visible() for line in ax.xaxis.get_gridlines())
    assert ax.lines[-1].get_zorder() < min(bar.get_zorder() for bar in ax.patches)
