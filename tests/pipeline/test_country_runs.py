"""Plans for other focus countries and years: which notebooks a country's data allow, and the
one-line errors for codes and countries the data do not know."""

from __future__ import annotations

import pytest

from oss_analysis import notebook_specs
from oss_analysis.errors import ParameterError
from oss_analysis.pipeline import country_runs


def test_plan_for_a_country_in_every_table():
    assert country_runs.plan("KGZ") == {n: None for n in country_runs.country_notebooks()}


def test_plan_for_a_country_missing_from_some_tables():
    # Aruba: in the WGI files, in no CPI or UN e-government file, in no table of the studies
    plan = country_runs.plan("ABW")
    assert plan["governance"] is None
    assert plan["corruption"] == (
        "no data for ABW in data/processed/cpi_2009.csv, data/processed/wgi_2008.csv, data/processed/cpi_sources.csv"
    )
    assert plan["egovernment"] == "no data for ABW in data/processed/egov_ranks.csv, data/processed/egdi_sources.csv"


def test_every_post_soviet_state_can_be_built_from_the_publishers_files():
    for code in "ARM AZE BLR EST GEO KAZ KGZ LTU LVA MDA RUS TJK TKM UKR UZB".split():
        assert country_runs.plan(code) == {n: None for n in country_runs.country_notebooks()}, code


def test_country_in_no_table_gets_one_clear_error():
    with pytest.raises(
        ParameterError, match=r"COUNTRY=ATA \(Antarctica\): no table holds this country.*countries with data: EST"
    ):
        country_runs.plan("ATA")
    with pytest.raises(ParameterError, match=r"COUNTRY=K4Z: not an ISO 3166 alpha-3 code; countries with data:"):
        country_runs.normalise(["K4Z"])  # the graph normalises the codes before it plans


def test_codes_are_normalised_once_and_names_get_a_suggestion():
    assert country_runs.normalise(["kgz", "KGZ", " uzb "]) == ["KGZ", "UZB"]
    with pytest.raises(
        ParameterError, match=r"^COUNTRY=Kazakhstan: not an ISO 3166 alpha-3 code \(did you mean KAZ\?\)"
    ):
        country_runs.normalise(["Kazakhstan"])
    with pytest.raises(ParameterError, match=r"^COUNTRY=XXX: not an ISO 3166 alpha-3 code; countries with data"):
        country_runs.normalise(["KGZ", "XXX"])


def test_a_year_the_cpi_files_lack_builds_the_rest_and_says_why():
    assert country_runs.plan("GEO_1996") == {
        "corruption": "no data for GEO in 1996 in data/processed/cpi_sources.csv",
        "governance": None,
        "egovernment": None,
        "series": "no data for GEO in 1996 in data/processed/cpi_sources.csv",
    }



def test_the_availability_page_points_to_the_default_build_for_what_no_country_changes(project):
    page = country_runs.availability_page("GEO")
    for nb in notebook_specs.notebooks().values():
        for stem in nb.same_in_every_run:
            links = ", ".join(f"[`figures/{o}`](../{o})" for o in nb.outputs if o.split(".")[0] == stem)
            assert f"| `notebooks/{nb.path.name}` | not copied | the same in every run: {links} |" in page
            assert f"`{stem}." not in page  # not listed as an output of the run
    assert "| `notebooks/corruption.ipynb` | `cpi_ranked.png`, `cpi_ranked.meta.json`, `cpi_ranked.svg`, " in page


def _named_after_a_parameter(name: str, outputs: tuple[str, ...]) -> list[str]:
    """The outputs of a country run whose names hold the default value of a parameter a country
    run changes (``kaz`` for focus_country, ``2008`` for year...): such a name would be wrong."""
    import re

    import papermill
    import yaml

    nb = notebook_specs.notebooks()[name]
    defaults = {k: v["default"].strip("\"'") for k, v in papermill.inspect_notebook(str(nb.path)).items()}
    defaults.update(yaml.safe_load(nb.params.read_text()) or {})
    changed = {k for key in ("GEO_2022", "KGZ") for k in country_runs.parameters(key)} & set(defaults)
    values = {str(defaults[k]).lower() for k in changed}
    return [o for o in outputs if values & set(re.split(r"[_.]", o.lower()))]


def test_an_output_a_parameter_changes_has_a_neutral_name():
    for name in country_runs.country_notebooks():
        assert _named_after_a_parameter(name, notebook_specs.notebooks()[name].run_outputs) == [], name
    # the old names, which kept the default build's country and years, are caught
    old = ("egov_rank_kaz_over_time.png", "un_egov_2008_ranks.csv", "egov_since_thesis.png")
    assert _named_after_a_parameter("egovernment", old) == list(old[:2])
    assert _named_after_a_parameter("corruption", ("cpi_2009_ranked.png",)) == ["cpi_2009_ranked.png"]


def test_the_availability_page_credits_every_source_of_an_outputs_claims(project):
    """Issue 22: cpi_vs_wgi_cc's x values come from a WGI file the page did not name; the page now
    takes every credit from the output's claims (.meta.json)."""
    import json

    folder = project / "figures" / "GEO"
    folder.mkdir(parents=True)
    cpi = {"file": "data/sources/cpi/CPI2009.csv", "release": "2009"}
    wgi = {"file": "data/sources/wgi/wgi_2024_release_long.csv", "release": "2024"}
    printed = {"study": "Janenova (2010)", "table": "Table 3", "cites": "TI CPI 2009"}
    (folder / "cpi_vs_wgi_cc.meta.json").write_text(json.dumps({"sources": [printed, wgi, cpi]}))
    row = next(ln for ln in country_runs.availability_page("GEO").splitlines() if "`cpi_vs_wgi_cc.png`" in ln)
    assert row.endswith(
        "| publisher: TI CPI edition 2009 (data/sources/cpi/CPI2009.csv); World Bank WGI release 2024 "
        "(data/sources/wgi/wgi_2024_release_long.csv); printed: TI CPI 2009, as printed in Janenova (2010), Table 3 |"
    )
    (folder / "cpi_vs_wgi_cc.meta.json").write_text(json.dumps({"sources": [cpi]}))  # WGI left out: not named
    assert "wgi_2024" not in country_runs.availability_page("GEO")


def _stage(project, key, name, change=()):
    """A run's stage made of the default build's files, the stems in ``change`` altered."""
    stage = project / "build" / "stage" / key / name
    stage.mkdir(parents=True)
    for o in notebook_specs.notebooks()[name].outputs:
        data = (project / "figures" / o).read_bytes()
        (stage / o).write_bytes(data + b"\n" if o.split(".")[0] in change else data)
    return stage


def test_a_folder_leaves_out_what_the_run_does_not_change(project):
    """What a run's folder does not get is decided from its staged bytes: byte for byte the
    default build's (Kazakhstan at the studies' years), rows that do not show the focus country
    (Armenia is not among the thesis' nine UN ranks), or what the year does not change."""
    _stage(project, "KAZ", "series")
    left = country_runs.left_out("KAZ", "series")
    assert set(left) == {s.split(".")[0] for s in notebook_specs.notebooks()["series"].run_outputs}
    assert left["cpi_since_thesis"].startswith("the same as the default build's: [`figures/cpi_since_thesis.png`]")
    _stage(project, "ARM", "egovernment", change={"un_egov_ranks", "egov_rank_over_time"})
    left = country_runs.left_out("ARM", "egovernment")
    assert left["un_egov_ranks"].startswith("does not show Armenia (no ARM row drawn): [`figures/un_egov_ranks.png`]")
    assert "egov_rank_over_time" not in left  # changed, and holds no iso3 column to say otherwise
    _stage(project, "UKR_2022", "series", change={"cpi_since_thesis"})
    left = country_runs.left_out("UKR_2022", "series")
    link = "[`figures/UKR/cpi_since_thesis.png`](../UKR/cpi_since_thesis.png)"
    assert left["cpi_since_thesis"].startswith(f"the same in every year: {link}")
    assert "`make all COUNTRY=UKR`" in left["cpi_since_thesis"]
    _stage(project, "KAZ_2022", "governance", change={"wgi_groups"})
    assert set(country_runs.left_out("KAZ_2022", "governance")) == {"wgi_heatmap", "wgi_comparisons"}  # the default's
