"""The compendium's style sheet leaves matplotlib as seaborn's set_theme does, and every chart is
saved with its claims (title, legend, source line, alt text) beside it."""

import json
from xml.etree import ElementTree

import matplotlib as mpl
import matplotlib.pyplot as plt
import pandas as pd
import pytest
from conftest import ROOT, committed_charts

from oss_analysis.output import style

CHARTS = committed_charts()


def _comparable(params):
    """rcParams with the colour cycle as hex strings (a style sheet gives names, seaborn tuples)."""
    import matplotlib as mpl

    out = dict(params)
    out["axes.prop_cycle"] = [mpl.colors.to_hex(c["color"]) for c in out["axes.prop_cycle"]]
    return out


def test_style_sheet_gives_what_seaborns_set_theme_gives():
    """set_theme applies a style sheet instead of importing seaborn (a second per kernel): from the
    same start, it must leave matplotlib exactly as seaborn.set_theme with the same arguments does,
    but for seaborn's own default colour map, which only seaborn registers."""
    import matplotlib as mpl
    import seaborn as sns

    with mpl.rc_context():
        mpl.rcdefaults()
        style.set_theme()
        ours = _comparable(mpl.rcParams)
        mpl.rcdefaults()
        sns.set_theme(**style.SEABORN_THEME)
        mpl.rcParams.update(style.STABLE)
        theirs = _comparable(mpl.rcParams)
    assert ours.pop("image.cmap") == "viridis" and theirs.pop("image.cmap") == "rocket"
    changed = {k: (ours[k], theirs[k]) for k in ours if ours[k] != theirs[k]}
    assert changed == {}, f"rewrite the sheet with `python -m oss_analysis.output.style`: {changed}"



def test_save_figure_writes_the_claims_it_drew(tmp_path):
    """title, legend, axis labels and source line are read back from the drawn figure and the
    rows it draws, not typed."""
    data = pd.DataFrame({"year": [2019, 2020], "value": [1.0, 2.0], "fact_id": ["A004", "A005"]})
    fig, ax = plt.subplots()
    ax.plot(data["year"], data["value"], label="first series")
    ax.plot(data["year"], data["value"] + 1, label="second series")
    ax.set_title("A made-up chart", loc="left")
    ax.set_xlabel("year")
    ax.set_ylabel("value (%)")
    ax.legend()
    style.save_figure(fig, "made_up", tmp_path, data=data)
    claims = json.loads((tmp_path / "made_up.meta.json").read_text(encoding="utf-8"))
    credit = {"study": "Galy and Tynyshbayeva (article)", "table": "text", "cites": "UNDP, 2021"}
    assert claims == {
        "title": "A made-up chart",
        "source_line": "Source: Galy and Tynyshbayeva (article), text, citing UNDP, 2021",
        "legend": ["first series", "second series"],
        "series": ["first series", "second series"],
        "alt": "A made-up chart. The chart plots 2 data rows (axes: year against value (%)); "
        "series: first series, second series.",
        "sources": [credit],
    }


def test_a_legend_entry_without_data_is_not_a_series_drawn():
    """A series listed in the legend but drawn with no points (or a stand-in handle in a colour
    nothing is drawn in) is not among the series drawn, so the claims checks catch it."""
    from matplotlib.lines import Line2D

    fig, ax = plt.subplots()
    ax.plot([1, 2], [1, 2], label="drawn")
    ax.plot([], [], label="empty")
    ax.legend()
    assert style.drawn_series(fig) == ["drawn"]
    fig, ax = plt.subplots()
    ax.scatter([1], [1], color="#1f4e79")
    stand_ins = [Line2D([], [], marker="o", color=c, label=c) for c in ("#1f4e79", "#d68910")]
    ax.legend(handles=stand_ins)
    assert style.drawn_series(fig) == ["#1f4e79"]
    plt.close("all")


@pytest.mark.parametrize("chart", CHARTS)
def test_every_committed_chart_has_its_claims_beside_it(chart):
    """Each chart's .meta.json says what its SVG draws: the same title, legend labels and source
    line (matplotlib writes every drawn text into the SVG as a comment)."""
    claims = json.loads((ROOT / "figures" / f"{chart}.meta.json").read_text(encoding="utf-8"))
    svg = (ROOT / "figures" / f"{chart}.svg").read_text(encoding="utf-8")
    assert set(claims) >= {"title", "source_line", "legend", "series", "alt", "sources"}
    assert claims["title"] and claims["alt"].startswith(claims["title"] + ". ")
    parser = ElementTree.XMLParser(target=ElementTree.TreeBuilder(insert_comments=True))
    tree = ElementTree.fromstring(svg, parser)
    comments = " ".join(c.text.strip() for c in tree.iter(ElementTree.Comment))  # a wrapped title: one per line
    for text in [claims["title"].split("; ")[0], *claims["legend"]]:
        assert text in comments, text
    group = tree.find(".//*[@id='source-line']")
    drawn = " ".join(c.text for c in group.iter(ElementTree.Comment))  # a comment per wrapped line
    assert " ".join(claims["source_line"].split()) == " ".join(drawn.split())


def test_a_group_keeps_its_colour_whatever_else_a_run_draws():
    """Russia's dots are Russia's colour whether the Baltic states are drawn beside them or not
    (colours by role, from style.ROLES, never by order of appearance)."""
    from oss_analysis.output import charts

    def colours(groups):
        frame = pd.DataFrame({"iso3": ["KAZ", *groups], "group": ["Central Asia", *groups.values()]})
        frame = frame.assign(country=frame["iso3"], indicator_name="Voice", percentile=[10.0, 50, 70][: len(frame)])
        fig = charts.group_dots(frame, x="percentile", y="indicator_name", group="group", label="country",
                                key="iso3", focus="KAZ", title="made up", xlabel="percentile")
        leg = fig.axes[0].get_legend()
        pairs = zip(leg.get_texts(), leg.legend_handles, strict=True)
        return {t.get_text().split(" (")[0]: mpl.colors.to_hex(h.get_markerfacecolor()) for t, h in pairs}

    both, alone = colours({"EST": "Baltic states", "RUS": "Russia"}), colours({"RUS": "Russia"})
    assert both["Russia"] == alone["Russia"] == style.colour_of("Russia") != both["Baltic states"]
    assert style.colour_of("a group declared nowhere") == style.colour_of("a group declared nowhere")
