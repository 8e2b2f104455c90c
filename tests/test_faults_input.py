"""Fault suite, in process (issue 17): each hostile input ends in one line naming the right file,
line and column, or cannot change a result. The build-level cases are in test_faults_build.py."""

import json
import os
import stat

import pytest

from oss_analysis import countries, files, parameters, paths
from oss_analysis.errors import DataError, ParameterError
from oss_analysis.extract import datapackage, transcriptions
from oss_analysis.pipeline import cli, runner
from oss_analysis.transform import clean


@pytest.fixture(autouse=True)
def _fresh_caches():
    datapackage.cache_clear()
    countries.cache_clear()
    yield
    datapackage.cache_clear()
    countries.cache_clear()


def one_line(exc_info) -> str:
    message = str(exc_info.value)
    assert "\n" not in message, message
    return message


def edit(project, rel, transform):
    path = project / rel
    path.write_text(transform(path.read_text(encoding="utf-8")), encoding="utf-8")


def edit_and_refresh(project, rel, transform):
    edit(project, rel, transform)
    datapackage.update()


# --- 3. a hand-edited processed table is refused ---------------------------------------------


def test_hand_edited_processed_table_is_refused(project):
    edited = "Kazakhstan,2009,120,9.9"
    edit(project, "data/processed/cpi_2009.csv", lambda t: t.replace("Kazakhstan,2009,120,2.7", edited))
    with pytest.raises(DataError) as info:
        clean.load("cpi_2009")
    message = one_line(info)
    assert message.startswith("data/processed/cpi_2009.csv, line ")
    assert "is not what data/raw gives" in message and "data/raw/thesis_table_03_cpi.csv" in message
    line = int(message.split("line ")[1].split(":")[0])
    assert "9.9" in (project / "data/processed/cpi_2009.csv").read_text().splitlines()[line - 1]


def test_processed_table_appended_row_is_refused(project):
    edit(project, "data/processed/facts.csv", lambda t: t + t.splitlines()[-1] + "\n")
    with pytest.raises(DataError, match=r"data/processed/facts.csv, line \d+: is not what data/raw gives"):
        clean.load("facts")


def test_missing_processed_table_is_named(project):
    (project / "data/processed/eiu_2008.csv").unlink()
    with pytest.raises(DataError, match=r"data/processed/eiu_2008.csv: file is missing"):
        clean.load("eiu_2008")


def test_check_manifest_notices_a_hand_edited_table(project):
    from oss_analysis.pipeline import manifest

    rec = {"sha256": "x", "notebook": "n", "parameters": {}, "inputs": {"data/processed/eiu_2008.csv": "x"}}
    edit(project, "data/processed/eiu_2008.csv", lambda t: t.replace("3.89", "4.89", 1))
    problems = manifest.unfaithful_tables({"outputs": {"figures/thesis_table_04.csv": rec}})
    assert len(problems) == 1 and problems[0].startswith("data/processed/eiu_2008.csv, line ")


def test_check_manifest_takes_staleness_from_snakemake(project, monkeypatch):
    """Snakemake's summary says what is stale; the manifest's hashes name the inputs whose content
    changed and notice an output edited after the build, which Snakemake takes for up to date."""
    import json

    from oss_analysis.files import sha256
    from oss_analysis.pipeline import manifest

    def rec(out, inputs):
        return {"sha256": sha256(project / out), "notebook": "n", "parameters": {}, "inputs": inputs}

    raw = "data/raw/thesis_table_04_eiu.csv"
    outputs = {
        "figures/thesis_table_04.csv": rec("figures/thesis_table_04.csv", {raw: "x"}),  # content changed
        "figures/thesis_table_04.md": rec("figures/thesis_table_04.md", {raw: "x"}),  # Snakemake: up to date
        "figures/thesis_table_03.csv": rec("figures/thesis_table_03.csv", {}) | {"sha256": "x"},  # edited
        "figures/thesis_table_02.csv": rec("figures/thesis_table_02.csv", {}),  # its rule changed
        "figures/gone.csv": {"sha256": "x", "inputs": {}},
    }
    (project / "build").mkdir(exist_ok=True)
    (project / "build/manifest.json").write_text(json.dumps({"outputs": outputs}))

    def row(status="ok", plan="no update", inputs="-"):
        return {"status": status, "plan": plan, "input-file(s)": inputs}

    summary = {
        "figures/thesis_table_04.csv": row(plan="update pending"),
        "figures/thesis_table_04.md": row(),
        "figures/thesis_table_03.csv": row(),
        "figures/thesis_table_02.csv": row(plan="update pending", inputs="build/stage/a,build/stage/b"),
        "build/stage/a": row(plan="update pending"),
        "build/stage/b": row("rule implementation changed", "update pending"),
    }
    monkeypatch.setattr(manifest, "snakemake_summary", lambda: summary)
    assert manifest.stale() == [
        "figures/gone.csv: no longer an output of the build",
        "figures/thesis_table_02.csv: stale, Snakemake would rebuild it (build/stage/b: rule implementation changed)",
        "figures/thesis_table_03.csv: differs from the build that the manifest records",
        f"figures/thesis_table_04.csv: stale, inputs changed since it was built: {raw}",
    ]


# --- 4. outside the build, notebooks never write into figures/ by default ---------------------


def test_default_output_folder_is_scratch_not_figures(project, monkeypatch):
    monkeypatch.delenv(paths.OUTPUT_ENV, raising=False)
    out = paths.output_dir(None)
    assert out == project / "build" / "scratch"
    assert not out.is_relative_to(project / "figures")


def test_wrong_type_stops_before_any_output(project, tmp_path, capsys):
    out = tmp_path / "out"
    executed = tmp_path / "x.ipynb"
    rc = runner.run_notebook("governance", overrides=["similar_within=five"], output_dir=out, executed=executed)
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 1 and len(err) == 1
    assert err[0] == (
        "error: -p similar_within=five: parameter 'similar_within' of notebook governance expects float, got 'five'"
    )
    assert not out.exists() and not (tmp_path / "x.ipynb").exists()


def test_notebook_side_check_refuses_wrong_type_and_range():
    with pytest.raises(ParameterError, match=r"parameter 'similar_within' expects float or int .*got 'five'"):
        parameters.validate(similar_within="five")
    with pytest.raises(ParameterError, match=r"parameter 'fit_trend' expects bool"):
        parameters.validate(fit_trend="yes")
    with pytest.raises(ParameterError, match=r"parameter 'start_year' expects int"):
        parameters.validate(start_year=True)


# --- 7. every numeric parameter has a documented range, checked before the notebook runs ------


@pytest.mark.parametrize(
    "override, rule",
    [
        ("similar_within=-1", "a finite number of percentile points from 0 to 100"),
        ("similar_within=.inf", "a finite number of percentile points from 0 to 100"),
        ("similar_within=.nan", "a finite number of percentile points from 0 to 100"),
        ("similar_within=101", "a finite number of percentile points from 0 to 100"),
    ],
)
def test_tolerance_out_of_range_is_refused(override, rule):
    with pytest.raises(ParameterError) as info:
        runner.load_params("governance", None, [override])
    assert one_line(info).startswith(f"-p {override}: parameter 'similar_within' must be {rule}")


@pytest.mark.parametrize(
    "notebook, override",
    [
        ("corruption", "survey_n=0"),
        ("corruption", "sensitivity_n=[1000, -3]"),
        ("corruption", "sensitivity_n=[1000, 2.5]"),
        ("oss_expansion", "timeline_start=-2005"),
        ("satisfaction", "end_year=99999"),
    ],
)
def test_other_numeric_parameters_out_of_range(notebook, override):
    with pytest.raises(ParameterError) as info:
        runner.load_params(notebook, None, [override])
    assert one_line(info).startswith(f"-p {override}: parameter '{override.split('=')[0]}' must be")


def test_every_notebook_parameter_has_a_documented_range():
    import papermill as pm

    from oss_analysis import notebook_specs

    for name, nb in notebook_specs.notebooks().items():
        declared = pm.inspect_notebook(str(nb.path))
        for key, spec in declared.items():
            assert key in parameters.SPECS, f"{name}: parameter {key} has no entry in parameters.SPECS"
            assert spec["help"], f"{name}: parameter {key} has no comment in the parameters cell"
        # the defaults themselves lie in range
        runner.load_params(name, None, [])


# --- parameters named at their origin ---------------------------------------------------------


def test_parameter_file_error_names_file_and_line(project, tmp_path):
    f = tmp_path / "p.yaml"
    f.write_text("focus_country: KAZ\n\nsimilar_within: -5\n")
    with pytest.raises(ParameterError, match=rf"^{f}, line 3: parameter 'similar_within' must be"):
        runner.load_params("governance", f, [])


def test_country_file_error_names_the_country_file(project):
    edit(project, "config/countries/KGZ.yaml", lambda t: t + "similar_within: .nan\n")
    lines = (project / "config/countries/KGZ.yaml").read_text().splitlines()
    with pytest.raises(ParameterError) as info:
        runner.load_params("governance", None, [], "KGZ")
    assert one_line(info).startswith(f"config/countries/KGZ.yaml, line {len(lines)}: parameter 'similar_within'")


def test_unknown_override_is_named_as_typed():
    with pytest.raises(ParameterError, match=r"^-p focus_cuntry=KGZ: unknown parameter 'focus_cuntry'"):
        runner.load_params("governance", None, ["focus_cuntry=KGZ"])


def test_override_without_equals_sign():
    with pytest.raises(ParameterError, match=r"^-p similar_within: expected key=value"):
        runner.load_params("governance", None, ["similar_within"])


def test_invalid_yaml_in_parameters_file_is_one_line(project, capsys):
    edit(project, "config/params/governance.yaml", lambda t: t.replace("similar_within: 5.0", "similar_within: [5.0"))
    rc = cli.main(["run", "governance"])
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 1 and len(err) == 1
    assert err[0].startswith("error: config/params/governance.yaml, line ")
    assert "is not valid YAML (column " in err[0]


def test_parameters_file_that_is_not_a_mapping(project):
    edit(project, "config/params/governance.yaml", lambda t: "- KAZ\n- 5\n")
    with pytest.raises(DataError, match=r"config/params/governance.yaml, line 1: expected a mapping"):
        runner.load_params("governance", None, [])


def test_invalid_yaml_in_override():
    with pytest.raises(ParameterError, match=r"^-p similar_within=\[5: value is not valid YAML"):
        runner.load_params("governance", None, ["similar_within=[5"])


# --- 6, 9 and the descriptor: every declared resource exists and carries its hash ------------


def test_deleted_raw_file_is_an_error(project):
    (project / "data/raw/thesis_table_08_case_offices.csv").unlink()
    with pytest.raises(DataError) as info:
        datapackage.check_files()
    assert one_line(info) == (
        "data/raw/thesis_table_08_case_offices.csv: file is missing "
        "(declared as resource 'thesis_table_08_case_offices' in data/raw/datapackage.json)"
    )
    with pytest.raises(DataError, match="file is missing"):
        datapackage.update()


def _descriptor(project):
    return project / "data/raw/datapackage.json"


def test_missing_hash_is_an_error(project):
    dp = json.loads(_descriptor(project).read_text())
    del dp["resources"][1]["hash"]
    text = json.dumps(dp, indent=2, ensure_ascii=False) + "\n"
    _descriptor(project).write_text(text)
    line = text.splitlines().index(f'      "name": "{dp["resources"][1]["name"]}",') + 1
    with pytest.raises(DataError) as info:
        transcriptions.load_raw(dp["resources"][1]["name"])
    message = one_line(info)
    assert message.startswith(f"data/raw/datapackage.json, line {line}: resource '{dp['resources'][1]['name']}'")
    assert "must carry its checksum" in message


def test_malformed_hash_is_an_error(project):
    edit(project, "data/raw/datapackage.json", lambda t: t.replace('"hash": "sha256:', '"hash": "md5:', 1))
    with pytest.raises(DataError, match=r"must carry its checksum .* \(got 'md5:"):
        datapackage.read()


def test_invalid_json_descriptor_names_the_file(project, capsys):
    edit(project, "data/raw/datapackage.json", lambda t: t.replace('"resources": [', '"resources": [,', 1))
    with pytest.raises(DataError, match=r"^data/raw/datapackage.json, line \d+: is not valid JSON: .* \(column \d+\)"):
        transcriptions.load_raw("facts")
    assert cli.main(["datapackage"]) == 1
    assert capsys.readouterr().err.startswith("error: data/raw/datapackage.json, line ")


def test_resource_declared_twice(project):
    dp = json.loads(_descriptor(project).read_text())
    dp["resources"].append(dict(dp["resources"][0]))
    _descriptor(project).write_text(json.dumps(dp, indent=2))
    with pytest.raises(DataError, match=r"resource name 'thesis_table_02_wgi' is declared twice"):
        datapackage.read()


# --- 8. dates are dates -----------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["2007-13", "2007-00"])
def test_month_13_is_refused(project, bad):
    edit_and_refresh(project, "data/raw/thesis_table_05_legislation.csv", lambda t: t.replace("2007-01", bad, 1))
    lines = (project / "data/raw/thesis_table_05_legislation.csv").read_text().splitlines()
    line = next(i + 1 for i, row in enumerate(lines) if bad in row)
    with pytest.raises(DataError) as info:
        transcriptions.load_raw("thesis_table_05_legislation")
    message = one_line(info)
    assert message.startswith(f"data/raw/thesis_table_05_legislation.csv, line {line}, column '")
    assert f"must be a real date (year, or year-month with month 01-12) (got '{bad}')" in message


def test_month_13_in_a_fact_date(project):
    edit_and_refresh(project, "data/raw/facts.csv", lambda t: t.replace(",2005-11,", ",2005-13,", 1))
    rule = r"data/raw/facts.csv, line \d+, column 'date_(start|end)': must be a real date"
    with pytest.raises(DataError, match=rule):
        transcriptions.load_raw("facts")


# --- 10. outputs get the umask's permissions --------------------------------------------------


@pytest.mark.parametrize("mask", [0o022, 0o027])
def test_atomic_write_uses_the_umask(tmp_path, monkeypatch, mask):
    monkeypatch.setattr(files, "_umask", lambda: mask)
    target = files.atomic_write(tmp_path / "a.csv", lambda tmp: open(tmp, "w").write("x\n"))
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~mask


def test_umask_is_read_from_the_process():
    current = os.umask(0o022)
    os.umask(current)
    assert files._umask() == current


# --- one line, the right place -----------------------------------------------------------------

CPI = "data/raw/thesis_table_03_cpi.csv"


def test_duplicated_header_column(project):
    edit_and_refresh(project, CPI, lambda t: t.replace("cpi_score", "country", 1))
    with pytest.raises(DataError) as info:
        transcriptions.load_raw("thesis_table_03_cpi")
    assert one_line(info) == (
        f"{CPI}, line 1, column 'country': column name appears twice in the header (fields 2 and 3)"
    )


def test_two_duplicated_keys_report_the_first_repeat_and_its_first_line(project):
    def twice(t):
        rows = t.splitlines()
        # line 7 repeats line 3's country, line 9 repeats line 2's
        rows[6] = rows[6].replace(rows[6].split(",")[1], rows[2].split(",")[1])
        rows[8] = rows[8].replace(rows[8].split(",")[1], rows[1].split(",")[1])
        return "\n".join(rows) + "\n"

    edit_and_refresh(project, CPI, twice)
    with pytest.raises(DataError) as info:
        transcriptions.load_raw("thesis_table_03_cpi")
    assert one_line(info).startswith(f"{CPI}, line 7, column 'country': duplicate key (first seen on line 3)")


def test_duplicate_in_a_large_file_reports_the_first_repeat():
    import pandas as pd
    import pandera.pandas as pa

    n = 200_000
    frame = pd.DataFrame({"k": [f"r{i}" for i in range(n)]})
    frame.loc[150_000, "k"] = "r17"  # first repeat: line 150002, of line 19
    frame.loc[199_990, "k"] = "r18"
    schema = pa.DataFrameSchema({"k": pa.Column(str, unique=True)})
    with pytest.raises(DataError) as info:
        transcriptions.validate(frame, schema, "big.csv")
    assert one_line(info) == "big.csv, line 150002, column 'k': duplicate key (first seen on line 19) (got 'r17')"


def test_fact_range_error_names_raw_file_line_and_value(project):
    raw = (project / "data/raw/facts.csv").read_text().splitlines()
    line = next(i + 1 for i, r in enumerate(raw) if ",percent," in r)
    value = raw[line - 1].split(",")
    header = raw[0].split(",")
    value[header.index("value")] = "120"
    raw[line - 1] = ",".join(value)
    (project / "data/raw/facts.csv").write_text("\n".join(raw) + "\n")
    datapackage.update()
    with pytest.raises(DataError) as info:
        clean.build("facts")
    assert one_line(info) == (
        f"data/raw/facts.csv, line {line}, column 'value': value must be between 0 and 100 when unit is percent "
        "(got 120.0)"
    )


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


def test_duplicate_in_additions_names_the_additions_file(project):
    add = "data/raw/additions/cpi_2009_additions.csv"
    header = (project / add).read_text().splitlines()[0]
    assert header.startswith("country_code,")
    row = "ARM,Armenia,120,2.7,2009,made-up test row"
    edit_and_refresh(project, add, lambda t: f"{header}\n{row}\n{row}\n")
    with pytest.raises(DataError) as info:
        clean.build("cpi_2009")
    message = one_line(info)
    assert message.startswith(f"{add}, line 3")
    assert "(built)" not in message


# --- read-only output folder, a kernel that cannot start -------------------------------------


def test_read_only_figures_folder_is_one_line(project, monkeypatch, capsys):
    import errno
    import tempfile

    stage = project / "build" / "stage" / "satisfaction"
    stage.mkdir(parents=True)
    from oss_analysis import notebook_specs

    for o in notebook_specs.notebooks()["satisfaction"].outputs:
        (stage / o).write_text("x\n")

    def refuse(dir=None, **kw):
        raise OSError(errno.EROFS, "Read-only file system", os.path.join(dir, ".x.tmp"))

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    before = {p.name: p.read_bytes() for p in (project / "figures").iterdir() if p.is_file()}
    assert cli.main(["publish", "satisfaction"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["error: figures/: cannot write there (read-only file system); make it writable and run again"]
    assert {p.name: p.read_bytes() for p in (project / "figures").iterdir() if p.is_file()} == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_figures_folder_for_real(project, capsys):
    stage = project / "build" / "stage" / "satisfaction"
    stage.mkdir(parents=True)
    from oss_analysis import notebook_specs

    for o in notebook_specs.notebooks()["satisfaction"].outputs:
        (stage / o).write_text("x\n")
    (project / "figures").chmod(0o555)
    try:
        assert cli.main(["publish", "satisfaction"]) == 1
    finally:
        (project / "figures").chmod(0o755)
    assert capsys.readouterr().err.startswith("error: figures/: cannot write there (permission denied)")


def test_kernel_without_loopback_fails_at_once(monkeypatch, tmp_path, capsys):
    import socket
    import time

    class NoLoopback(socket.socket):
        def bind(self, address):
            raise OSError(99, "Cannot assign requested address")

    monkeypatch.setattr(socket, "socket", NoLoopback)
    start = time.monotonic()
    rc = runner.run_notebook("satisfaction", output_dir=tmp_path / "out", executed=tmp_path / "nb.ipynb")
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 1 and time.monotonic() - start < 10
    assert err == [
        "error: cannot start a Jupyter kernel: the loopback interface (127.0.0.1) is not usable "
        "(Cannot assign requested address); notebooks need it even without a network"
    ]
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("argv", [["run", "governnace"], ["publish", "governnace"]])
def test_unknown_notebook_name_is_one_line(argv, capsys):
    assert cli.main(argv) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: no notebook named 'governnace'; known: corruption, egovernment")


# --- more hostile inputs ----------------------------------------------------------------------


def test_parameter_set_twice_in_a_file_is_refused(project):
    edit(project, "config/params/governance.yaml", lambda t: t + "similar_within: 50.0\n")
    n = len((project / "config/params/governance.yaml").read_text().splitlines())
    with pytest.raises(DataError) as info:
        runner.load_params("governance", None, [])
    assert one_line(info).startswith(
        f"config/params/governance.yaml, line {n}: parameter 'similar_within' is set twice (first on line "
    )


def test_explicit_parameter_file_that_does_not_exist(tmp_path):
    with pytest.raises(DataError, match=r"nope.yaml: file is missing"):
        runner.load_params("governance", tmp_path / "nope.yaml", [])


def test_unknown_processed_table(capsys):
    assert cli.main(["prepare", "cpi_2010", "--out-dir", "/nonexistent"]) == 1
    assert capsys.readouterr().err.startswith("error: no processed table named 'cpi_2010'; known: barriers_2007")


@pytest.mark.parametrize(
    "resource, additions, row",
    [
        ("cpi_2009", "cpi_2009_additions.csv", "kaz,Kazakhstan,120,9.9,2009,made-up test row"),
        ("wgi_2008", "wgi_2008_additions.csv", "RUS,Russia,1,1,1,1,1,1,2008,made-up test row"),
    ],
)
def test_shipped_country_added_again_names_the_additions_line(project, resource, additions, row):
    add = f"data/raw/additions/{additions}"
    header = (project / add).read_text().splitlines()[0]
    edit_and_refresh(project, add, lambda t: f"{header}\n{row}\n")
    with pytest.raises(DataError) as info:
        clean.build(resource)
    message = one_line(info)
    assert message.startswith(f"{add}, line 2, column 'country_code': ")
    assert "is already in the thesis' table (data/raw/thesis_table_0" in message


def test_processed_schema_errors_name_the_raw_files(project, monkeypatch):
    import pandera.pandas as pa

    spec = clean.PROCESSED["eiu_2008"]
    strict = pa.DataFrameSchema({c: pa.Column(nullable=True) for c in clean.build("eiu_2008").columns}, strict=True)

    def eiu_2008():  # the table with a column its schema does not allow
        return spec.build().assign(x=1)

    monkeypatch.setitem(clean.PROCESSED, "eiu_2008", clean.Processed(eiu_2008, strict, "x"))
    with pytest.raises(DataError, match=r"data/processed/eiu_2008.csv \(built from data/raw/thesis_table_04_eiu.csv\)"):
        clean.build("eiu_2008")


def test_parameters_file_not_utf8(project):
    path = project / "config/params/governance.yaml"
    path.write_bytes(path.read_bytes() + "# Казахстан\n".encode("cp1251"))
    n = len(path.read_bytes().splitlines())
    with pytest.raises(DataError, match=rf"config/params/governance.yaml, line {n}: is not valid UTF-8"):
        runner.load_params("governance", None, [])
