"""The documentation site of a built tree (``make docs``) holds every notebook, chart and page,
fetches nothing from outside and reads well in headless Chromium (every internal link and anchor
resolves, every image loads and has an ``alt``); the student guide's template notebook builds
through the real build graph exactly as the guide registers it."""

import html
import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, build_env, run_build
from docs_site import CHARTS, TEMPLATE_NAME, fake_country_run

from oss_analysis import notebook_specs
from oss_analysis.review import gallery

GUIDES = ROOT / "docs" / "guides"
TEMPLATE = ROOT / TEMPLATE_NAME


def test_template_notebook_builds_as_the_student_guide_registers_it(built_copy):
    """Steps 1, 4 and 5 of the guide's worked example on a copy of a built tree: the YAML the guide
    shows is what is added; the build runs the new notebook (and nothing else) and publishes its
    charts with their data and the right source lines."""
    project = built_copy
    guide = (GUIDES / "student.md").read_text(encoding="utf-8")
    entry, params = re.findall(r"```yaml\n(.*?)```", guide, re.S)
    shutil.copyfile(TEMPLATE, project / "notebooks" / "my_analysis.ipynb")
    spec = project / "workflow" / "notebooks.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").rstrip("\n") + "\n" + entry, encoding="utf-8")
    (project / "config" / "params" / "my_analysis.yaml").write_text(params, encoding="utf-8")
    log = run_build(project)
    ran = set(re.findall(r"\(Rule: (notebook_\w+)\)", log.stdout + log.stderr))
    assert ran == {"notebook_my_analysis"}, (log.stdout + log.stderr)[-2000:]
    outputs = yaml.safe_load(entry)["my_analysis"]["outputs"]
    assert all((project / "figures" / o).stat().st_size > 0 for o in outputs)
    cpi = gallery.claims(project / "figures", "my_cpi_2009")["source_line"]
    assert cpi == "Source: TI CPI 2009, as printed in Janenova (2010), Table 3"
    egdi = str(gallery.claims(project / "figures", "my_egdi")["source_line"])
    assert egdi.startswith("Source: UN E-Government Survey 2010 (data/sources/egdi/egdi-2010.csv);")
    assert "UN E-Government Survey 2024 (data/sources/egdi/EGOV_DATA_2024.csv)" in egdi
    drawn = (project / "figures" / "my_cpi_2009.data.csv").read_text().splitlines()
    assert drawn[0] == "iso3,country,score" and len(drawn) == 11
    manifest = json.loads((project / "build" / "manifest.json").read_text())
    assert manifest["outputs"]["figures/my_cpi_2009.png"]["notebook"] == "notebooks/my_analysis.ipynb"


@pytest.mark.browser
def test_docs_site_of_a_built_tree_reads_well_in_a_browser(built_copy, tmp_path):
    """make docs on a built tree (with a country run): every notebook, chart and page is there,
    nothing is fetched from outside; headless Chromium follows every internal link from the index
    and finds every image loaded and described."""
    project = built_copy
    fake_country_run(project, "KGZ")
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "oss_analysis.review.docs"], env=build_env(project), capture_output=True, text=True
    )
    seconds = time.monotonic() - started
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "WARNING" not in proc.stderr, proc.stderr
    assert proc.stdout.strip() == "site: build/site/index.html"
    assert seconds < 120, f"make docs took {seconds:.0f} s"
    site = project / "build" / "site"
    names = list(notebook_specs.notebooks())
    pages = [f"notebooks/{n}.html" for n in names] + [f"guides/{g}.html" for g in ("reader", "reviewer", "student")]
    pages += ["gallery.html", "catalogue.html", "errata.html", "crosscheck.html", "benchmark.html", "layout.html"]
    pages += [
        "countries/index.html",
        "countries/KGZ.html",
        "countries/KGZ/corruption.html",
        "templates/my_analysis.html",
    ]
    assert [p for p in pages if not (site / p).exists()] == []
    assert not (project / "docs" / "_extra").exists() and not list((project / "docs").glob("*.ipynb"))
    for html_file in site.rglob("*.html"):
        text = html_file.read_text(encoding="utf-8")
        assert not re.search(r'(src|href)="https?://[^"]*\.(js|css|woff2?)', text), html_file
    for css in site.rglob("*.css"):
        assert not re.search(r"url\(['\"]?https?:", css.read_text(encoding="utf-8")), css
    gallery_html = (site / "gallery.html").read_text(encoding="utf-8")
    for stem in CHARTS:  # each image carries its chart's alt, from its claims file
        alt = json.loads((project / "figures" / f"{stem}.meta.json").read_text(encoding="utf-8"))["alt"]
        assert f'src="figures/{stem}.png" alt="{html.escape(alt, quote=True)}"' in gallery_html, stem
    catalogue = (site / "catalogue.html").read_text(encoding="utf-8")
    assert 'id="item-thesis_table_03"' in catalogue and "&lt;a href" not in catalogue and "&lt;strong" not in catalogue
    benchmark = (site / "benchmark.html").read_text(encoding="utf-8")
    assert "clean full rebuild (graph)" in benchmark
    if shutil.which("chromium") is None and not Path("/usr/bin/chromium").exists():
        pytest.skip("Chromium not found: install Debian's chromium and chromium-driver")
    import browser

    if browser.MISSING:
        pytest.skip(browser.MISSING)
    shots = ROOT / "build" / "site-screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    wanted = {
        p: shots / (p.replace("/", "_").removesuffix(".html") + ".png")
        for p in ("index.html", "gallery.html", "notebooks/corruption.html", "guides/student.html")
    }
    drv = browser.driver(tmp_path / "profile")
    try:
        seen = browser.crawl(drv, site / "index.html", wanted)
    finally:
        drv.quit()
    visited = {p.relative_to(site.resolve()).as_posix() for p in seen.pages}
    assert set(pages) <= visited, set(pages) - visited
    assert seen.broken_links == []
    assert seen.broken_images == []
    assert seen.missing_alt == []
    assert seen.external == []
    shown = [src for src, _alt in seen.images[(site / "gallery.html").resolve()]]
    assert sorted(Path(s).name for s in shown) == sorted(f"{c}.png" for c in CHARTS)
    corruption = seen.images[(site / "notebooks" / "corruption.html").resolve()]
    charts = [o for o in notebook_specs.notebooks()["corruption"].outputs if o.endswith(".png")]
    assert len(corruption) == len(charts)  # every chart the notebook saves, under its cell
    claims = [project / "figures" / f"{c[:-4]}.meta.json" for c in charts]
    alts = {json.loads(f.read_text(encoding="utf-8"))["alt"] for f in claims}
    assert {alt for _src, alt in corruption} == alts  # each chart's own alt, from its claims
    assert all(f.stat().st_size > 10_000 for f in wanted.values())
