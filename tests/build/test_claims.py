"""Every output of every run says what it shows: for the default build and the country runs
(KGZ, ARM added by a student, MDA for 2022), each chart and table has its claims; its source
line names exactly the publishers' files and releases whose rows it draws and credits a study
only for printed values; its legend lists exactly the series drawn; its title names the run's
country and year. The outputs are those of notebooks.yaml that each run's folder holds."""

from __future__ import annotations

import pytest
from claims import check_legend, check_sources, check_title, outputs
from claims import claims as read_claims
from conftest import COUNTRY_RUNS

from oss_analysis import notebook_specs, parameters
from oss_analysis.pipeline import country_runs


def _default_years() -> set[int]:
    """The years the default build's parameters set (2008, 2009): a title naming one names the run's year."""
    years = set()
    for nb in notebook_specs.notebooks().values():
        values, _ = parameters.read_yaml(nb.params)
        years |= {v for k, v in values.items() if k.endswith("year") and isinstance(v, int)}
    return years


def test_every_output_of_the_default_build_claims_what_it_holds(built):
    folder = built / "figures"
    found = outputs(folder)
    expected = [o for nb in notebook_specs.notebooks().values() for o in nb.outputs if o.endswith((".png", ".md"))]
    assert found == list(dict.fromkeys(expected))
    wrong = [w for o in found for w in [*check_sources(folder, o), *check_legend(folder, o)]]
    assert wrong == []


@pytest.mark.parametrize("run", COUNTRY_RUNS)
def test_every_output_of_a_country_run_claims_what_it_holds(countries_built, run):
    project = countries_built[0]
    folder, default = project / "figures" / run, project / "figures"
    iso3, year = country_runs.split_key(run)
    found = outputs(folder)
    assert found, f"no outputs in figures/{run}"
    years = _default_years()
    wrong = []
    for o in found:
        wrong += check_sources(folder, o) + check_legend(folder, o)
        same = (folder / o).read_bytes() == (default / o).read_bytes()  # a copy the run does not change
        wrong += [] if same else check_title(folder, o, default, iso3, year, years)
    assert wrong == []


def test_a_year_run_credits_no_print(countries_built):
    """Moldova 2022: the studies print neither the country nor the year, so no chart of the
    country's notebooks credits a study, and each names the 2022 (or newest) releases it draws."""
    folder = countries_built[0] / "figures" / "MDA_2022"
    for name in ("corruption", "governance"):
        for o in [o for o in notebook_specs.notebooks()[name].run_outputs if o.endswith(".png")]:
            meta = read_claims(folder, o)  # every chart the run publishes is one the year changes
            if meta:
                assert "as printed in" not in meta["source_line"], (o, meta["source_line"])
                assert all("release" in c for c in meta["sources"]), (o, meta["sources"])
