"""The documentation site's pages made from the data: every chart's alt text is the chart's own
claims (its .meta.json), a country run gets a page, tables escape text and keep
markup, and the student guide's template is stored clean with its parameters first."""

import json
import shutil

import pytest
from conftest import ROOT
from docs_site import CHARTS, TEMPLATE_NAME, fake_country_run

from oss_analysis import notebook_specs
from oss_analysis.errors import DataError
from oss_analysis.review import docs, gallery

TEMPLATE = ROOT / TEMPLATE_NAME


def test_alt_text_is_the_charts_own_claims():
    figures = ROOT / "figures"
    for stem in CHARTS:
        meta = json.loads((figures / f"{stem}.meta.json").read_text(encoding="utf-8"))
        assert gallery.claims(figures, stem)["alt"] == meta["alt"]
        assert meta["alt"].startswith(meta["title"] + ". ")
    heat = gallery.claims(figures, "wgi_heatmap")["alt"]
    assert "60 data rows" in heat and "Worldwide Governance Indicators" in heat


def test_a_chart_without_its_claims_is_a_one_line_error(tmp_path):
    shutil.copyfile(ROOT / "figures" / "cpi_ranked.svg", tmp_path / "cpi_ranked.svg")
    with pytest.raises(DataError, match=r"cpi_ranked.meta.json: file is missing: every chart is saved"):
        gallery.claims(tmp_path, "cpi_ranked")


def test_a_country_run_gets_a_page_with_its_charts_and_notebooks(project):
    fake_country_run(project, "KGZ_2022")
    assert docs.countries() == ["KGZ_2022"]
    page, names = docs.country_page("KGZ_2022")
    assert names == ["corruption", "governance"]
    assert "\n# Outputs for Testland (KGZ_2022)\n" in page
    assert "`make all COUNTRY=KGZ YEAR=2022`" in page
    assert 'src="../figures/KGZ_2022/wgi_heatmap.png"' in page
    assert 'href="KGZ_2022/corruption.html"' in page and "KGZ_2022/governance>" in page


def test_tables_escape_text_and_keep_markup(monkeypatch):
    """The crosscheck's headers and cells are text, escaped; the catalogue's text is escaped, its
    links and anchors are not."""
    from oss_analysis.review import report

    table = docs.render("crosscheck.md.j2", verdicts=["a < b"], by_item=[["<i>x</i>", 3]], columns=[], rows=[])
    assert '<th>a &lt; b</th></tr></thead><tbody><tr><td>&lt;i&gt;x&lt;/i&gt;</td><td>3</td></tr>' in table
    row = report.catalogue().iloc[:1].assign(title="x < y", description="a & b", notebook="corruption")
    monkeypatch.setattr(report, "catalogue", lambda: row)
    page = docs._catalogue({"corruption"})
    assert f'<td><span id="item-{row["item_id"].iloc[0]}">' in page
    assert "<strong>x &lt; y</strong><br>a &amp; b" in page and '<a href="notebooks/corruption.html">' in page


def test_template_notebook_is_stored_clean_with_parameters_first():
    nb = json.loads(TEMPLATE.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert "parameters" in code[0]["metadata"].get("tags", [])
    assert all(c["outputs"] == [] and c["execution_count"] is None for c in code)
    source = "".join("".join(c["source"]) for c in code)
    assert 'clean.load("cpi_2009")' in source and "style.set_theme()" in source and "sources=" in source


def test_sources_are_assembled_under_build_and_rewritten_only_when_changed(project):
    """write_sources on a project whose executed notebooks are stand-ins (the stored ones): every
    page is assembled under build/docs-src/, docs/ is left as it is, a second run rewrites nothing
    (Sphinx's incremental build stays incremental), and a notebook not executed yet stops it."""
    executed = project / "build" / "notebooks"
    executed.mkdir(parents=True)
    for name in notebook_specs.notebooks():
        shutil.copyfile(project / "notebooks" / f"{name}.ipynb", executed / f"{name}.ipynb")
    before = sorted(p.relative_to(project).as_posix() for p in (project / "docs").rglob("*"))
    src = docs.write_sources()
    assert src == project / "build" / "docs-src"
    for rel in (
        "conf.py",
        "index.md",
        "guides/student.md",
        "gallery.md",
        "catalogue.md",
        "errata.md",
        "crosscheck.md",
        "generated/benchmark_results.md",
        "countries/index.md",
        "notebooks/index.md",
        "notebooks/corruption.ipynb",
        "templates/my_analysis.ipynb",
        "_extra/figures/thesis_table_03.csv",
    ):
        assert (src / rel).is_file(), rel
    assert not (src / "catalogue.csv").exists()
    assert sorted(p.relative_to(project).as_posix() for p in (project / "docs").rglob("*")) == before
    stamps = {p: p.stat().st_mtime_ns for p in src.rglob("*") if p.is_file()}
    docs.write_sources()
    assert {p: p.stat().st_mtime_ns for p in src.rglob("*") if p.is_file()} == stamps
    (executed / "series.ipynb").unlink()
    with pytest.raises(FileNotFoundError, match="not executed yet: series; run `make all` first"):
        docs.write_sources()
