"""Every output of every run says what it shows: for the default build and every country folder
the session builds (KGZ, ARM added by a student, MDA for 2022, and any other), each chart and
table has its claims; its source line names exactly the publishers' files and releases whose
rows it draws, credits a study only for printed values and no credit twice; its legend lists
exactly the series drawn; its title names the run's country and year. The outputs are those of
notebooks.yaml that each run's folder holds."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from claims import check_alt, check_counts, check_legend, check_medians, check_sources, check_title, outputs
from claims import claims as read_claims
from conftest import COUNTRY_RUNS, ROOT

from oss_analysis import notebook_specs, parameters
from oss_analysis.output import source_line
from oss_analysis.pipeline import country_runs


def _default_years() -> set[int]:
    """The years the default build runs with (2008, 2009, ...): set in config/params/ or, where
    the yaml does not, in the notebook's parameters cell (``cpi_year = 2009``). A title naming
    one of them names the run's year."""
    years = set()
    for nb in notebook_specs.notebooks().values():
        values, _ = parameters.read_yaml(nb.params)
        years |= {v for k, v in values.items() if k.endswith("year") and isinstance(v, int)}
        cells = json.loads(Path(nb.path).read_text(encoding="utf-8"))["cells"]
        cell = "".join(next((c["source"] for c in cells if "parameters" in c["metadata"].get("tags", [])), []))
        years |= {int(y) for y in re.findall(r"^\w*year\s*=\s*(\d{4})\b", cell, flags=re.M)}
    return years


def test_every_output_of_the_default_build_claims_what_it_holds(built):
    folder = built / "figures"
    found = outputs(folder)
    expected = [o for nb in notebook_specs.notebooks().values() for o in nb.outputs if o.endswith((".png", ".md"))]
    assert found == list(dict.fromkeys(expected))
    wrong = [
        w
        for o in found
        for w in [
            *check_sources(folder, o),
            *check_legend(folder, o),
            *check_medians(folder, o),
            *check_counts(folder, o),
            *check_alt(folder, o),
        ]
    ]
    assert wrong == []


def run_folders(figures: Path) -> list[str]:
    """Every country folder a build wrote under figures/: CODE or CODE_YEAR."""
    return sorted(d.name for d in figures.iterdir() if d.is_dir() and re.fullmatch(r"[A-Z]{3}(_\d{4})?", d.name))


def wrong_claims(figures: Path, run: str) -> list[str]:
    """Every claim of every output of the run's folder that its rows or its run contradict."""
    folder = figures / run
    iso3, year = country_runs.split_key(run)
    found, years, wrong = outputs(folder), _default_years(), []
    if not found:
        return [f"{run}: no outputs"]
    for o in found:
        wrong += check_sources(folder, o) + check_legend(folder, o)
        wrong += check_medians(folder, o) + check_counts(folder, o) + check_alt(folder, o)
        same = (folder / o).read_bytes() == (figures / o).read_bytes()  # a copy the run does not change
        wrong += [] if same else check_title(folder, o, figures, iso3, year, years)
    return [f"{run}/{w}" for w in wrong]


def test_every_output_of_every_country_folder_claims_what_it_holds(countries_built):
    figures = countries_built[0] / "figures"
    runs = run_folders(figures)
    assert set(COUNTRY_RUNS) <= set(runs), runs
    assert [w for run in runs for w in wrong_claims(figures, run)] == []


def test_the_country_checks_fail_on_a_made_up_wrong_claim(countries_built, tmp_path):
    """On a copy of the real runs: a source line wrapped by the renderer still passes; a title with a
    line break, a credit given twice, a title about another country, a year run's title without its
    year, a new folder holding a wrong claim each fail."""
    figures = shutil.copytree(countries_built[0] / "figures", tmp_path / "figures")
    shutil.copytree(countries_built[0] / "data" / "processed", tmp_path / "data" / "processed")  # the counts
    run, chart = "MDA_2022", "cpi_ranked"
    meta_path = figures / run / f"{chart}.meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))

    def claim(**changed: object) -> list[str]:
        meta_path.write_text(json.dumps(meta | changed), encoding="utf-8")
        return wrong_claims(figures, run)

    assert "Moldova" in meta["title"] and "2022" in meta["title"] and claim() == []
    assert claim(title=meta["title"].replace(" ", "\n", 2))[0] == f"{run}/{chart}.png: title holds a line break"
    assert claim(source_line=meta["source_line"].replace(" ", "\n", 3)) == []
    twice = [*meta["sources"], meta["sources"][0]]
    assert claim(sources=twice) == [f"{run}/{chart}.png: credits {dict(sorted(twice[0].items()))} 2 times"]
    wrong = claim(title=meta["title"].replace("Moldova", "Kazakhstan"))  # the alt, too, no longer opens with it
    assert any(w.endswith("is not about Moldova") for w in wrong), wrong
    assert any("does not name the run's year 2022" in w for w in claim(title=meta["title"].replace("2022", "2009")))
    claim()
    shutil.copytree(figures / run, figures / "UZB_2022")  # Moldova's charts in a folder for Uzbekistan
    assert "UZB_2022" in run_folders(figures)
    assert any("is not about Uzbekistan" in w for w in wrong_claims(figures, "UZB_2022"))


def test_a_year_run_credits_no_print(countries_built):
    """Moldova and Ukraine 2022: the studies print neither the year nor these countries' values
    for it, so no chart of the country's notebooks credits a study, and each names the 2022 (or
    newest) releases it draws."""
    for run in ("MDA_2022", "UKR_2022"):
        folder = countries_built[0] / "figures" / run
        for name in ("corruption", "governance"):
            for o in [o for o in notebook_specs.notebooks()[name].run_outputs if o.endswith(".png")]:
                meta = read_claims(folder, o)  # every chart the run publishes is one the year changes
                if meta:
                    assert "as printed in" not in meta["source_line"], (run, o, meta["source_line"])
                    assert all("release" in c for c in meta["sources"]), (run, o, meta["sources"])


def test_words_are_compared_with_whitespace_joined_and_a_credit_twice_fails(tmp_path):
    """Without a build: a made-up table whose claims wrap their lines passes; one that credits
    the same file and release twice (even spelt with other whitespace) fails, once."""
    credit = {"file": "data/sources/cpi/CPI2009.csv", "release": "2009"}
    (tmp_path / "made_up.csv").write_text(f"score,source\n2.7,TI CPI edition 2009 ({credit['file']})\n")
    line = source_line.source_line([credit])

    def claim(**meta: object) -> list[str]:
        (tmp_path / "made_up.meta.json").write_text(json.dumps({"legend": [], "series": []} | meta))
        return check_sources(tmp_path, "made_up.md") + check_legend(tmp_path, "made_up.md")

    assert claim(title="t", source_line=line.replace(" ", "\n", 2), sources=[credit]) == []
    assert claim(title="t", source_line=line, sources=[credit], legend=["a\nb"], series=["a b"]) == []
    twice = [credit, credit | {"file": f" {credit['file']}\n"}]
    assert claim(title="t", source_line=source_line.source_line(twice), sources=twice) == [
        f"made_up.md: credits {credit} 2 times"
    ]
    assert claim(title="t", source_line="Source: TI CPI edition 2010", sources=[credit])[0].endswith(
        "is not what its sources say"
    )


def test_a_median_that_does_not_say_over_whom_fails(tmp_path):
    """KGZ's old defect: a 'post-Soviet median' over 9 countries (Singapore among them)."""
    members = "EST LVA LTU BLR MDA RUS UKR ARM AZE GEO KAZ TJK TKM UZB"
    (tmp_path / "m.data.csv").write_text(f"series,value,n,members\npost-Soviet median (other 14),32.1,14,{members}\n")

    def claim(entry: str) -> list[str]:
        (tmp_path / "m.meta.json").write_text(json.dumps({"legend": [entry], "series": [entry]}))
        return check_medians(tmp_path, "m.png")

    assert claim("post-Soviet median (other 14)") == []
    assert claim("post-Soviet median") == ["m.png: 'post-Soviet median' does not say over how many countries"]
    (tmp_path / "m.data.csv").write_text("series,value,n,members\npost-Soviet median (other 14),21.6,9,KGZ SGP\n")
    assert claim("post-Soviet median (other 14)") == [
        "m.png: 'post-Soviet median (other 14)' but its rows hold n/members ['2', '9']"
    ]
    (tmp_path / "m.data.csv").write_text("series,value,n,members\nBaltic states: mean of LTU and LVA,72.5,2,LTU LVA\n")
    assert claim("Baltic states: mean of LTU and LVA") == []
    (tmp_path / "m.data.csv").write_text("series,value,n,members\nBaltic states: mean of LTU and LVA,72.5,2,EST LVA\n")
    assert claim("Baltic states: mean of LTU and LVA") == [
        "m.png: 'Baltic states: mean of LTU and LVA' but its rows hold n/members ['2']"
    ]


def test_a_count_that_is_not_the_publishers_fails(tmp_path):
    """UKR 2022's old defect: "ranks 116 of 179" where TI scored 180 entities (Kosovo among them);
    and an e-government chart drawing "of 192" for an edition the UN ranked 193 in."""
    (tmp_path / "data").mkdir()
    shutil.copytree(ROOT / "data" / "processed", tmp_path / "data" / "processed")
    figures = tmp_path / "figures"
    figures.mkdir()
    credit = {"file": "data/sources/cpi/CPI2024_GlobalResultsTrends.csv", "release": "2024"}
    (figures / "c.data.csv").write_text("year,rank,surveyed\n2022,28,193\n")

    def claim(title: str) -> list[str]:
        (figures / "c.meta.json").write_text(json.dumps({"title": title, "legend": [], "sources": [credit]}))
        return check_counts(figures, "c.png")

    assert claim("CPI 2022: Ukraine\nranks 116 of 180 with 33") == []
    assert claim("CPI 2022: Ukraine ranks 116 of 179 with 33") == ["c.png: title says of 179, TI scored [180] in 2022"]
    assert claim("UN e-government readiness 2022: Moldova ranks 72 of 192") == [
        "c.png: title says of 192, the UN ranked [193] in 2022"
    ]
    assert claim("UN e-government readiness 2008: Kazakhstan ranks 81 of 192") == []  # no file holds 2008
    (figures / "c.data.csv").write_text("year,rank,surveyed\n2022,28,192\n")
    assert claim("Ukraine in the UN E-Government Survey") == ["c.png: draws 2022 'of 192', the UN ranked [193]"]


def test_an_alt_text_that_is_not_the_charts_fails(tmp_path):
    (tmp_path / "a.data.csv").write_text("iso3,score\nMDA,42\nUKR,33\n")
    title = "CPI 2022: Moldova ranks 76 of 180"

    def claim(alt: str) -> list[str]:
        (tmp_path / "a.meta.json").write_text(json.dumps({"title": title, "alt": alt}))
        return check_alt(tmp_path, "a.png")

    assert claim("CPI 2022: Moldova ranks 76 of 180. The chart plots 2 data rows (axes: score).") == []
    assert claim("CPI 2009: Kazakhstan ranks 120 of 180. The chart plots 2 data rows.")[0].endswith(
        "does not open with the title"
    )
    assert claim(f"{title}. The chart plots 10 data rows.") == ["a.png: alt counts 10 rows, the output holds 2"]
    assert claim(f"{title}.\nThe chart plots 2 data rows.") == ["a.png: alt holds a line break"]


def test_a_figure_credited_twice_or_a_chart_of_two_releases_fails(tmp_path):
    """The OSS charts' Figure 4, credited and cited again; ARM's heatmap, the print beside a 2024-release row."""

    def claim(sources: list[dict], rows: str) -> list[str]:
        (tmp_path / "h.meta.json").write_text(json.dumps({"sources": sources, "source_line": line(sources)}))
        (tmp_path / "h.data.csv").write_text(f"iso3,value,source\n{rows}")
        return check_sources(tmp_path, "h.png")

    line, fig4, table2 = source_line.source_line, {"study": "J", "table": "Figure 4"}, {"study": "J", "table": "T 2"}
    cited = [fig4, fig4 | {"table": "text", "cites": "thesis, Figure 4"}]
    assert claim(cited, "KAZ,25,Figure 4 stage 2") == ["h.png: credits J, Figure 4 and cites it again"]
    wgi = {"file": "data/sources/wgi/wgi_2024_release_long.csv", "release": "2024"}
    rows = f"KAZ,16,thesis Table 2\nARM,28.2,World Bank WGI release 2024 ({wgi['file']})"
    assert claim([table2, wgi], rows) == [f"h.png: source mixes releases ['2024 ({wgi['file']})', 'print']"]
