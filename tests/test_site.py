"""The documentation site (``make docs``) and the texts that point into it: the README names only
make targets and paths that exist; every chart's ``alt`` is read from the chart and its data; a
country run gets a page; the site of a built tree holds every notebook, chart and page, fetches
nothing from outside and reads well in headless Chromium (every internal link and anchor resolves,
every image loads and has an ``alt``); the student guide's template notebook builds through the
real build graph exactly as the guide registers it."""

from __future__ import annotations

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

from oss_analysis import notebook_specs
from oss_analysis.review import docs, gallery

README = ROOT / "README.md"
GUIDES = ROOT / "docs" / "guides"
TEMPLATE = ROOT / "notebooks" / "templates" / "my_analysis.ipynb"
CHARTS = [
    o.removesuffix(".png") for nb in notebook_specs.notebooks().values() for o in nb.outputs if o.endswith(".png")
]


def make_targets() -> set[str]:
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    return set(re.findall(r"^([A-Za-z][\w.-]*)\s*:(?!=)", text, re.M))


def named_paths(text: str) -> list[str]:
    """Repository paths a text names in backticks: a token with a slash or a file suffix, no
    spaces; the first word of a command (`.venv/bin/oss-build check-manifest`) counts too."""
    found = []
    for token in re.findall(r"`([^`\n]+)`", text):
        word = token.split()[0].rstrip(":,;")
        if word.startswith(("make", "http")) or "=" in word or re.fullmatch(r"\.[\w.]+", word):
            continue  # a command, a setting, or a bare suffix such as `.data.csv`
        if "/" in word or re.search(r"\.(md|csv|json|ya?ml|cff|ipynb|py|txt|lock|toml)$", word):
            found.append(word)
    return found


def exists_in_checkout(path: str) -> bool:
    """A path exists in the repository; ``<CODE>``-style placeholders stand for any folder, and
    what the commands make (``.venv/``, ``build/``, a country run) is judged by its parent."""
    if "<" in path:
        return (ROOT / path.split("<")[0]).exists()
    if path.startswith(("build/", ".venv/")):
        return True  # made by make all / make docs; the guides and tests check these outputs
    return (ROOT / path.rstrip("/")).exists()


def test_readme_is_short_and_names_only_targets_and_paths_that_exist():
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 120
    targets = make_targets()
    named = set(re.findall(r"`make (\w[\w-]*)", text)) | set(re.findall(r"^make (\w[\w-]*)", text, re.M))
    assert named and named - targets == set(), f"README names make targets the Makefile lacks: {named - targets}"
    paths = named_paths(text)
    assert len(paths) > 20
    assert [p for p in paths if not exists_in_checkout(p)] == []
    links = re.findall(r"\]\(((?!http)[^)#]+)\)", text)
    assert {"docs/guides/reader.md", "docs/guides/reviewer.md", "docs/guides/student.md"} <= set(links)
    assert [link for link in links if not (ROOT / link).exists()] == []
    assert "slurm" not in text.lower()


def test_readme_checker_catches_a_missing_path_and_target():
    """The checks above can fail: a made-up path and target are caught."""
    assert not exists_in_checkout("config/nowhere.yaml")
    assert "nowhere" not in make_targets()
    assert named_paths("see `data/raw/errata.csv` and `.venv/bin/oss-build run x`") == [
        "data/raw/errata.csv",
        ".venv/bin/oss-build",
    ]


def test_guides_name_only_targets_and_paths_that_exist():
    targets = make_targets()
    for guide in [*sorted(GUIDES.glob("*.md")), ROOT / "docs" / "index.md", ROOT / "docs" / "benchmark.md"]:
        text = guide.read_text(encoding="utf-8")
        named = set(re.findall(r"`make (\w[\w-]*)", text)) | set(re.findall(r"^make (\w[\w-]*)", text, re.M))
        assert named - targets == set(), guide.name
        # the student guide names the files a student creates: notebooks/my_analysis.ipynb and its params
        made = {"notebooks/my_analysis.ipynb", "config/params/my_analysis.yaml"}
        missing = [p for p in named_paths(text) if p not in made and not exists_in_checkout(p)]
        assert missing == [], f"{guide.name} names missing paths: {missing}"


def test_alt_text_is_read_from_each_chart_and_its_data():
    figures = ROOT / "figures"
    for stem in CHARTS:
        alt = gallery.alt_text(figures, stem)
        title = gallery.chart_title(figures / f"{stem}.svg")
        assert title and alt.startswith(f"Chart: {title.rstrip('.')}.")
        assert "Source: " in alt, stem
        if (figures / f"{stem}.data.csv").exists():
            assert f"{stem}.data.csv" in alt
    heat = gallery.alt_text(figures, "wgi_2008_heatmap")
    assert "60 rows" in heat and "Worldwide Governance Indicators" in heat


def test_alt_text_prefers_the_notebooks_own(tmp_path):
    for ext in ("svg", "data.csv"):
        shutil.copyfile(ROOT / "figures" / f"cpi_2009_ranked.{ext}", tmp_path / f"cpi_2009_ranked.{ext}")
    (tmp_path / "cpi_2009_ranked.meta.json").write_text(json.dumps({"alt": "Ten bars, Kazakhstan in red."}))
    assert gallery.alt_text(tmp_path, "cpi_2009_ranked") == "Ten bars, Kazakhstan in red."
    (tmp_path / "cpi_2009_ranked.meta.json").write_text(json.dumps({"title": "no alt here"}))
    assert gallery.alt_text(tmp_path, "cpi_2009_ranked").startswith("Chart: CPI 2009: Kazakhstan ranks")


def _fake_country_run(project: Path, code: str) -> list[str]:
    """A stand-in for `make all COUNTRY=...` (which the country tests run for real): the default
    outputs and executed notebooks of the country-dependent notebooks under the country's folders."""
    names = ["governance", "corruption"]
    for other in [d for d in (project / "figures").iterdir() if d.is_dir()]:
        shutil.rmtree(other)  # a country run the checkout happens to hold
    folder = project / "figures" / code
    folder.mkdir(parents=True)
    executed = project / "build" / "notebooks" / code
    executed.mkdir(parents=True, exist_ok=True)
    for name in names:
        for out in notebook_specs.notebooks()[name].outputs:
            shutil.copyfile(project / "figures" / out, folder / out)
        src = project / "build" / "notebooks" / f"{name}.ipynb"
        if src.exists():
            shutil.copyfile(src, executed / f"{name}.ipynb")
        else:  # an unbuilt copy: the notebook as stored stands in for its executed copy
            shutil.copyfile(project / "notebooks" / f"{name}.ipynb", executed / f"{name}.ipynb")
    (folder / "AVAILABILITY.md").write_text(f"# Outputs for Testland ({code})\n\n| notebook | output |\n|---|---|\n")
    return names


def test_a_country_run_gets_a_page_with_its_charts_and_notebooks(project):
    _fake_country_run(project, "KGZ_2022")
    assert docs.countries() == ["KGZ_2022"]
    page, names = docs.country_page("KGZ_2022", set(notebook_specs.notebooks()))
    assert names == ["corruption", "governance"]
    assert "\n# Outputs for Testland (KGZ_2022)\n" in page
    assert "`make all COUNTRY=KGZ YEAR=2022`" in page
    assert 'src="../figures/KGZ_2022/wgi_2008_heatmap.png"' in page
    assert 'href="KGZ_2022/corruption.html"' in page and "KGZ_2022/governance>" in page


def test_tables_escape_text_and_keep_markup():
    table = docs.html_table(["a", "b"], [["x < y", docs.Markup('<a href="p.html">p</a>')], [3, "&"]], ["r1", "r2"])
    assert '<tr id="r1"><td>x &lt; y</td><td><a href="p.html">p</a></td></tr>' in table
    assert "<td>3</td><td>&amp;</td>" in table


def test_template_notebook_is_stored_clean_with_parameters_first():
    nb = json.loads(TEMPLATE.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert "parameters" in code[0]["metadata"].get("tags", [])
    assert all(c["outputs"] == [] and c["execution_count"] is None for c in code)
    source = "".join("".join(c["source"]) for c in code)
    assert 'clean.load("cpi_2009")' in source and "style.set_theme()" in source and "sources=" in source


@pytest.mark.slow
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
    cpi = gallery.chart_source(project / "figures" / "my_cpi_2009.svg")
    assert cpi == "Source: TI CPI 2009, as printed in Janenova (2010), Table 3"
    egdi = gallery.chart_source(project / "figures" / "my_egdi.svg")
    assert egdi.startswith("Source: UN E-Government Survey 2010 (data/sources/egdi/egdi-2010.csv);")
    assert "UN E-Government Survey 2024 (data/sources/egdi/EGOV_DATA_2024.csv)" in egdi
    drawn = (project / "figures" / "my_cpi_2009.data.csv").read_text().splitlines()
    assert drawn[0] == "iso3,country,score" and len(drawn) == 11
    manifest = json.loads((project / "build" / "manifest.json").read_text())
    assert manifest["outputs"]["figures/my_cpi_2009.png"]["notebook"] == "notebooks/my_analysis.ipynb"


@pytest.mark.slow
@pytest.mark.browser
def test_docs_site_of_a_built_tree_reads_well_in_a_browser(built_copy, tmp_path):
    """make docs on a built tree (with a country run): every notebook, chart and page is there,
    nothing is fetched from outside; headless Chromium follows every internal link from the index
    and finds every image loaded and described."""
    project = built_copy
    _fake_country_run(project, "KGZ")
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
    for stem in CHARTS:
        assert f'src="figures/{stem}.png" alt="Chart: ' in gallery_html, stem
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
    assert all(alt.startswith("Chart: ") for _src, alt in corruption)
    assert all(f.stat().st_size > 10_000 for f in wanted.values())
