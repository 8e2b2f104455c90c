"""The country alias table: a broken one is blamed on itself, in one line."""


import pytest
from conftest import edit, one_line

from oss_analysis import countries
from oss_analysis.errors import DataError
from oss_analysis.transform import clean

pytestmark = pytest.mark.usefixtures("fresh_caches")


def test_broken_aliases_file_is_blamed_on_itself(project):
    edit(project, "config/country_aliases.csv", lambda t: t.replace("name,iso3", "nom,iso3"))
    with pytest.raises(DataError) as info:
        clean.build("eiu_2008")
    assert one_line(info) == "config/country_aliases.csv, line 1, column 'name': required column is missing"


def test_bad_code_in_aliases_file(project):
    edit(project, "config/country_aliases.csv", lambda t: t + "Narnia,NRN\n")
    n = len((project / "config/country_aliases.csv").read_text().splitlines())
    with pytest.raises(DataError, match=rf"config/country_aliases.csv, line {n}, column 'iso3': must be an ISO 3166"):
        clean.build("cpi_2009")


def test_aliases_name_mapped_twice(project):
    edit(project, "config/country_aliases.csv", lambda t: t + "russia,KAZ\n")
    with pytest.raises(DataError, match=r"config/country_aliases.csv, line \d+, column 'name': name already mapped"):
        countries.to_iso3("Kazakhstan")

