"""Charts cite their source (read from the data package, never typed per chart), the visual
figure diff shows a changed chart, the gallery lists every chart, Binder installs the exact lock."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from conftest import ROOT

from oss_analysis import notebook_specs
from oss_analysis.output import source_line, style
from oss_analysis.review import figure_diff, gallery

CHARTS = [
    o.removesuffix(".png") for nb in notebook_specs.notebooks().values() for o in nb.outputs if o.endswith(".png")
]


def test_source_line_comes_from_the_data_package():
    assert source_line.source_line(["wgi_2008"]) == "Source: WGI, 2009 release, as printed in Janenova (2010), Table 2"
    assert source_line.source_line(["oss_stages"]) == "Source: Janenova (2010), Figure 4"


def test_facts_are_cited_by_the_sources_the_study_gives_for_them():
    shown = pd.DataFrame({"fact_id": ["A004", "A003"]})
    line = source_line.source_line(["satisfaction"], shown)
    assert line.startswith("Source: Galy and Tynyshbayeva (article), text, citing ")
    assert "UNDP, 2021" in line and "Government of Kazakhstan, 2021" in line and "Janenova" not in line


@pytest.mark.parametrize("chart", CHARTS)
def test_every_committed_chart_carries_a_source_line(chart):
    svg = (ROOT / "figures" / f"{chart}.svg").read_text()
    assert '<g id="source-line">' in svg
    assert "<!-- Source: " in svg.split('<g id="source-line">')[1][:400]


def test_a_chart_without_known_source_is_refused(tmp_path):
    fig, _ = plt.subplots()
    with pytest.raises(ValueError, match="no source known"):
        style.save_figure(fig, "orphan", tmp_path, data=pd.DataFrame({"x": [1]}))
    assert not list(tmp_path.iterdir())


def _chart(folder, y):
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.bar(["a", "b"], y)
    style.save_figure(fig, "demo", folder, data=pd.DataFrame({"k": ["a", "b"], "v": y}), sources=["cpi_2009"])


def test_figure_diff_shows_committed_rebuilt_and_difference(tmp_path):
    a, b = tmp_path / "committed", tmp_path / "rebuilt"
    a.mkdir(), b.mkdir()
    _chart(a, [1, 2])
    _chart(b, [1, 3])
    files = ["demo.png", "demo.svg", "demo.data.csv"]
    charts = figure_diff.write_report(a, b, files, tmp_path / "report")
    page = (tmp_path / "report" / "index.html").read_text()
    assert charts == ["demo"]
    for which in ("committed", "rebuilt", "difference"):
        assert (tmp_path / "report" / "img" / f"demo.{which}.png").stat().st_size > 500
        assert f'src="img/demo.{which}.png"' in page
    assert "<td>3</td><td>v</td><td>2</td><td>3</td>" in page
    assert figure_diff.write_report(a, a, files, tmp_path / "same") == []
    assert "byte-identical" in (tmp_path / "same" / "index.html").read_text()


def test_gallery_has_every_chart_and_every_catalogued_item():
    from oss_analysis.review.report import catalogue

    cards = gallery.cards()
    assert sorted(c.key for c in cards if c.image) == sorted(CHARTS)
    rebuilt = set(catalogue().dropna(subset=["notebook"])["item_id"])
    assert rebuilt <= {c.item_id for c in cards}
    outputs = {o for nb in notebook_specs.notebooks().values() for o in nb.outputs}
    assert all(c.data in outputs for c in cards)
    lines = (ROOT / "docs" / "catalogue.csv").read_text().splitlines()
    assert all(lines[c.catalogue_line - 1].startswith(c.item_id + ",") for c in cards if c.item_id)


def test_binder_installs_the_exact_build_lock():
    reqs = (ROOT / "binder" / "requirements.txt").read_text().split()
    assert "../requirements/build.lock" in reqs
    assert (ROOT / "binder" / "runtime.txt").read_text().strip() == "python-3.11"


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
