"""Notebook parameters: pydantic types with one-line messages that list the valid choices."""

import pytest

from oss_analysis import parameters
from oss_analysis.errors import DataError, ParameterError
from oss_analysis.pipeline import runner

AVAILABLE = {"KAZ": "Kazakhstan", "KGZ": "Kyrgyzstan", "RUS": "Russia"}


def test_unknown_code_lists_choices():
    with pytest.raises(
        ParameterError,
        match=r"focus_country: 'XYZ' is not an ISO 3166 alpha-3 code; choose one of: KAZ \(Kazakhstan\), KGZ",
    ):
        parameters.check_country("XYZ", AVAILABLE)


def test_country_not_in_data():
    with pytest.raises(ParameterError, match=r"FRA \(France\) is not in these data; choose one of"):
        parameters.check_country("fra", AVAILABLE)


def test_wrong_type():
    with pytest.raises(ParameterError, match=r"expected an ISO 3166 alpha-3 code as text, got 5"):
        parameters.check_country(5, AVAILABLE)


def test_lower_case_code_is_accepted():
    assert parameters.check_country("kgz", AVAILABLE) == "KGZ"


def test_unknown_parameter_name(tmp_path):
    f = tmp_path / "p.yaml"
    f.write_text("focus_cuntry: KAZ\n")
    nearest = r"unknown parameter 'focus_cuntry' \(did you mean 'focus_country'\?\); known: "
    with pytest.raises(ParameterError, match=nearest + r".*focus_country.*\(notebook governance\)$"):
        runner.load_params("governance", f, [])


def test_a_typo_in_a_country_file_is_refused_with_the_nearest_key(project):
    """A country's file serves several notebooks, each taking the keys it declares; a key no
    notebook takes (a typo) used to be dropped silently and the default used."""
    f = project / "config" / "countries" / "KGZ.yaml"
    f.write_text(f.read_text() + "simlar_within: 20\n")
    line = len(f.read_text().splitlines())
    with pytest.raises(ParameterError, match=rf"^config/countries/KGZ.yaml, line {line}: unknown parameter "
                                             r"'simlar_within' \(did you mean 'similar_within'\?\)"):
        runner.load_params("governance", None, [], country="KGZ")


def test_parameter_of_wrong_type(tmp_path):
    f = tmp_path / "p.yaml"
    f.write_text("similar_within: five\n")
    with pytest.raises(
        ParameterError, match=r"parameter 'similar_within' expects float or int \(a finite .*\), got 'five'"
    ):
        runner.load_params("governance", f, [])


def test_year_range_checks():
    with pytest.raises(ParameterError, match=r"start is after end; data cover 2019-2021"):
        parameters.check_year_range(2021, 2019, [2019, 2020, 2021])
    with pytest.raises(ParameterError, match=r"no data in that range"):
        parameters.check_year_range(2000, 2005, [2019, 2020, 2021])
    with pytest.raises(ParameterError, match=r"expected a year as a whole number"):
        parameters.check_year_range("2019", 2021, [2019])


def test_groups_file_with_country_not_in_data(project):
    path = project / "config/groups/thesis_comparators.csv"
    path.write_text(path.read_text() + "FRA,Western Europe,not in the thesis\n")
    with pytest.raises(
        DataError, match=r"config/groups/thesis_comparators.csv, line 12, column 'iso3': country not in the data"
    ):
        parameters.load_groups(
            "config/groups/thesis_comparators.csv",
            AVAILABLE | {c: c for c in ["SGP", "EST", "LVA", "LTU", "UZB", "TJK", "TKM"]},
        )


def test_groups_file_with_empty_group(project):
    path = project / "config/groups/thesis_comparators.csv"
    path.write_text("iso3,group,why\nKAZ,,\n")
    with pytest.raises(DataError, match=r"line 2, column 'group': group name is empty"):
        parameters.load_groups("config/groups/thesis_comparators.csv", AVAILABLE)


@pytest.mark.parametrize(
    "key, value, message",
    [
        ("survey_n", True, "parameter 'survey_n' expects int or None (a whole number of respondents from 1 up"),
        ("output_dir", 5, "parameter 'output_dir' expects str or None (a folder outside figures/ (only the build"),
        ("output_dir", "figures/", "parameter 'output_dir' must be a folder outside figures/ (only the build"),
        ("sensitivity_n", "1000", "parameter 'sensitivity_n' expects list (a list of whole numbers"),
        ("sensitivity_n", [True], "parameter 'sensitivity_n' must be a list of whole numbers of respondents, each"),
        ("groups_file", "groups.txt", "parameter 'groups_file' must be a CSV file of comparator groups"),
        ("similar_within", 1e999, "parameter 'similar_within' must be a finite number of percentile points"),
    ],
)
def test_pydantic_errors_become_one_line(key, value, message):
    """A wrong type names the types the parameter takes; a wrong value (or list element) its rule."""
    with pytest.raises(ParameterError) as info:
        parameters.check_value(key, value)
    assert str(info.value).startswith(message) and "\n" not in str(info.value)


def test_values_are_returned_unchanged():
    """pydantic would turn 5 into 5.0: the notebook gets the value as given."""
    assert repr(parameters.check_value("similar_within", 5)) == "5"
    assert parameters.check_value("survey_n", None) is None

