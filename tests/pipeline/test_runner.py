"""The runner: parameter files and overrides checked before a notebook runs, hand runs write to
the scratch folder, a kernel that cannot start says why."""


import sys

import pytest
from conftest import edit, one_line

from oss_analysis import parameters, paths
from oss_analysis.errors import DataError, ParameterError
from oss_analysis.pipeline import cli, runner

pytestmark = pytest.mark.usefixtures("fresh_caches")


def test_default_output_folder_is_scratch_not_figures(project, monkeypatch):
    monkeypatch.delenv(paths.OUTPUT_ENV, raising=False)
    out = paths.output_dir(None)
    assert out == project / "build" / "scratch"
    assert not out.is_relative_to(project / "figures")


def test_wrong_type_stops_before_any_output(project, tmp_path, capsys):
    out = tmp_path / "out"
    executed = tmp_path / "x.ipynb"
    rc = cli.main(["run", "governance", "-p", "similar_within=five", "--output-dir", str(out),
                   "--executed", str(executed)])
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 1 and len(err) == 1
    assert err[0] == (
        "error: -p similar_within=five: parameter 'similar_within' expects float or int (a finite number of "
        "percentile points from 0 to 100), got 'five'"
    )
    assert not out.exists() and not (tmp_path / "x.ipynb").exists()


def test_notebook_side_check_refuses_wrong_type_and_range():
    with pytest.raises(ParameterError, match=r"parameter 'similar_within' expects float or int .*got 'five'"):
        parameters.validate(similar_within="five")
    with pytest.raises(ParameterError, match=r"parameter 'fit_trend' expects bool"):
        parameters.validate(fit_trend="yes")
    with pytest.raises(ParameterError, match=r"parameter 'start_year' expects int"):
        parameters.validate(start_year=True)


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
    """SPECS is the one declaration of a parameter's type: the notebooks' own defaults must fit it."""
    import ast

    import papermill as pm

    from oss_analysis import notebook_specs

    for name, nb in notebook_specs.notebooks().items():
        declared = pm.inspect_notebook(str(nb.path))
        for key, spec in declared.items():
            assert key in parameters.SPECS, f"{name}: parameter {key} has no entry in parameters.SPECS"
            assert spec["help"], f"{name}: parameter {key} has no comment in the parameters cell"
            parameters.check_value(key, ast.literal_eval(spec["default"]), f"notebook {name}'s default")
        # and the values of its parameters file
        runner.load_params(name, None, [])


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


def test_year_run_reads_the_country_file_and_its_year_wins(project):
    edit(project, "config/countries/KGZ.yaml", lambda t: t + "year: 2008\n")
    assert runner.load_params("governance", None, [], "KGZ_2022")["year"] == 2022
    edit(project, "config/countries/KGZ.yaml", lambda t: t + "similar_withn: 5\n")
    with pytest.raises(ParameterError) as info:  # a typo in KGZ.yaml is named in a year run too
        runner.load_params("governance", None, [], "KGZ_2022")
    assert one_line(info).startswith("config/countries/KGZ.yaml, line ") and "similar_withn" in one_line(info)


def test_unknown_override_is_named_as_typed():
    with pytest.raises(ParameterError, match=r"^-p focus_cuntry=KGZ: unknown parameter 'focus_cuntry'"):
        runner.load_params("governance", None, ["focus_cuntry=KGZ"])


def test_override_without_equals_sign():
    with pytest.raises(ParameterError, match=r"^-p similar_within: expected key=value"):
        runner.load_params("governance", None, ["similar_within"])


def test_parameters_file_that_is_not_a_mapping(project):
    edit(project, "config/params/governance.yaml", lambda t: "- KAZ\n- 5\n")
    with pytest.raises(DataError, match=r"config/params/governance.yaml, line 1: expected a mapping"):
        runner.load_params("governance", None, [])


def test_invalid_yaml_in_override():
    with pytest.raises(ParameterError, match=r"^-p similar_within=\[5: value is not valid YAML"):
        runner.load_params("governance", None, ["similar_within=[5"])


def test_kernel_without_loopback_fails_at_once(monkeypatch, tmp_path, capsys):
    import socket
    import time

    class NoLoopback(socket.socket):
        def bind(self, address):
            raise OSError(99, "Cannot assign requested address")

    monkeypatch.setattr(socket, "socket", NoLoopback)
    start = time.monotonic()
    rc = cli.main(["run", "satisfaction", "--output-dir", str(tmp_path / "out"),
                   "--executed", str(tmp_path / "nb.ipynb")])
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 1 and time.monotonic() - start < 10
    assert err == [
        "error: cannot start a Jupyter kernel: the loopback interface (127.0.0.1) is not usable "
        "(Cannot assign requested address); notebooks need it even without a network"
    ]
    assert not (tmp_path / "out").exists()


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


def test_parameters_file_not_utf8(project):
    path = project / "config/params/governance.yaml"
    path.write_bytes(path.read_bytes() + "# Казахстан\n".encode("cp1251"))
    n = len(path.read_bytes().splitlines())
    with pytest.raises(DataError, match=rf"config/params/governance.yaml, line {n}: is not valid UTF-8"):
        runner.load_params("governance", None, [])



@pytest.mark.parametrize(
    "option, target",
    [("output_dir", "figures"), ("output_dir", "build/stage/governance"), ("output_dir", "build"),
     ("executed", "build/notebooks/governance.ipynb"), ("executed", "notebooks/governance.ipynb")],
)
def test_a_hand_run_never_writes_the_builds_places(project, monkeypatch, capsys, option, target):
    monkeypatch.chdir(project)
    flag = "--" + option.replace("_", "-")
    rc = cli.main(["run", "governance", flag, target])
    assert rc == 1
    assert capsys.readouterr().err.splitlines() == [
        f"error: {flag} {target}: a hand run writes only to build/scratch/ or outside the checkout; "
        "figures/ and the rest of build/ are the build's (make all)"
    ]
    assert not (project / "build").exists()


def test_a_hand_run_goes_to_scratch_by_default(project, monkeypatch):
    """The folders a hand run chooses, without running it: build/scratch/<name>/ and its notebook beside."""
    calls = {}
    monkeypatch.setattr(runner, "_execute", lambda nb, tmp, failed, params, log: calls.update(tmp=tmp, params=params))
    with pytest.raises(runner.NotebookFailed, match="did not write its declared outputs"):
        runner.execute_notebook("governance", overrides=["focus_country=GEO"])
    assert calls["params"]["output_dir"] == "build/scratch/governance"
    assert calls["tmp"] == project / "build" / "scratch" / "governance" / ".governance.tmp.ipynb"
    assert sorted(p.name for p in (project / "build").iterdir()) == ["scratch"]


def staged(project, name="satisfaction", country=None):
    """A stage and manifest entry as the build's own job leaves them."""
    from oss_analysis import notebook_specs
    from oss_analysis.pipeline import manifest

    where = f"{country}/{name}" if country else name
    stage = project / "build" / "stage" / where
    stage.mkdir(parents=True)
    for o in notebook_specs.notebooks()[name].outputs:
        (stage / o).write_text(f"{o}\n")
    manifest.write_entry(where, manifest.notebook_entry(name, runner.load_params(name, None, [], country), stage))
    return stage


def test_only_the_builds_own_stage_is_published(project):
    stage = staged(project)
    assert runner.foreign_stage("satisfaction") is None
    first = sorted(stage.iterdir())[0]
    first.write_text("foreign\n")
    assert runner.foreign_stage("satisfaction") == (
        f"build/stage/satisfaction/{first.name}",
        "is not what the build's run of satisfaction wrote (sha256 recorded in build/manifest/satisfaction.json)",
    )
    with pytest.raises(DataError) as info:
        runner.publish_notebook("satisfaction")
    assert one_line(info).endswith("; not published (make all runs it again)")
    assert (project / "figures" / first.name).read_bytes() != b"foreign\n"
    (project / "build" / "manifest" / "satisfaction.json").unlink()
    assert runner.foreign_stage("satisfaction") == (
        "build/manifest/satisfaction.json", "is missing: no record that the build ran notebook satisfaction"
    )


def test_a_foreign_stage_is_repaired_by_running_the_notebook_again(project, monkeypatch):
    stage = staged(project)
    first = sorted(stage.iterdir())[0]
    first.write_text("foreign\n")
    ran, notes = [], []
    monkeypatch.setattr(runner, "note", notes.append)

    def run_again(name, record, country):
        ran.append((name, record, country))
        first.write_text(f"{first.name}\n")

    monkeypatch.setattr(runner, "execute_notebook", run_again)
    runner.publish_notebook("satisfaction", repair=True)
    assert ran == [("satisfaction", True, None)]
    assert len(notes) == 1 and notes[0].endswith("notebook satisfaction ran again")
    assert (project / "figures" / first.name).read_text() == f"{first.name}\n"


def test_other_parameters_in_the_record_are_not_the_builds(project):
    import json

    staged(project, "governance")
    entry = project / "build" / "manifest" / "governance.json"
    record = json.loads(entry.read_text())
    record["parameters"]["focus_country"] = "GEO"
    entry.write_text(json.dumps(record))
    file, why = runner.foreign_stage("governance")
    assert file == "build/manifest/governance.json" and "'focus_country': 'GEO'" in why


def test_the_disk_check_imports_only_the_standard_library():
    """`make setup` runs the disk check with the system Python, before the venv has pydantic or yaml."""
    import subprocess

    code = ("import sys; before = set(sys.modules); import oss_analysis.pipeline.runner; "
            "new = set(sys.modules) - before; "
            "print(sorted({m.split('.')[0] for m in new} - set(sys.stdlib_module_names) - {'oss_analysis'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_a_full_disk_is_named(monkeypatch, tmp_path):
    import errno
    import shutil
    from collections import namedtuple

    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda p: usage(10, 10, 3 * 2**20))
    said = runner.disk_problem(tmp_path / "a" / "b")  # a folder not made yet: its disk is its parent's
    assert said.startswith(f"no space left on the disk holding {tmp_path / 'a' / 'b'} (mounted at /")
    assert said.endswith(", 3 MB free); free some space and run again")
    monkeypatch.setattr(shutil, "disk_usage", lambda p: usage(10, 0, 2**40))
    assert runner.disk_problem(tmp_path) is None
    said = runner.message(OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "x")))
    assert said.startswith(f"no space left on the disk holding {tmp_path / 'x'} (mounted at ")


def test_a_copied_venv_or_folder_of_another_checkout_is_refused(tmp_path, monkeypatch):
    monkeypatch.delenv(paths.ROOT_ENV, raising=False)
    copy = tmp_path / "copy"
    (copy / ".venv" / "bin").mkdir(parents=True)
    (copy / ".venv" / ".checkout").write_text(str(paths.root()))
    (copy / "workflow").mkdir()
    (copy / "workflow" / "Snakefile").write_text("")
    monkeypatch.chdir(copy)
    monkeypatch.setattr(sys, "argv", [str(copy / ".venv" / "bin" / "oss-build"), "run"])
    said = runner.foreign_checkout()
    assert said.startswith(f"{copy / '.venv'} runs the package of {paths.root()}, not of this checkout ({copy})")
    assert said.endswith(f"run `make setup` in {copy} to give it its own .venv (nothing was written)")
    monkeypatch.setattr(sys, "argv", ["-c"])
    assert runner.foreign_checkout().startswith(f"this folder belongs to the checkout {copy}, but the package runs")
    monkeypatch.chdir(paths.root())
    assert runner.foreign_checkout() is None
