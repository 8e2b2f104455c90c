"""`oss-build`: unknown names, unwritable folders and broken inputs end in one line, never a
traceback."""


import os

import pytest
from conftest import edit

from oss_analysis import notebook_specs
from oss_analysis.errors import DataError
from oss_analysis.extract import transcriptions
from oss_analysis.pipeline import cli

pytestmark = pytest.mark.usefixtures("fresh_caches")


def test_invalid_yaml_in_parameters_file_is_one_line(project, capsys):
    edit(project, "config/params/governance.yaml", lambda t: t.replace("similar_within: 5.0", "similar_within: [5.0"))
    rc = cli.main(["run", "governance"])
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 1 and len(err) == 1
    assert err[0].startswith("error: config/params/governance.yaml, line ")
    assert "is not valid YAML (column " in err[0]


def test_invalid_json_descriptor_names_the_file(project, capsys):
    edit(project, "data/raw/datapackage.json", lambda t: t.replace('"resources": [', '"resources": [,', 1))
    with pytest.raises(DataError, match=r"^data/raw/datapackage.json, line \d+: is not valid JSON: .* \(column \d+\)"):
        transcriptions.load_raw("facts")
    assert cli.main(["datapackage"]) == 1
    assert capsys.readouterr().err.startswith("error: data/raw/datapackage.json, line ")


def staged_run(project, name="satisfaction"):
    """A stage and manifest entry as the build's own job of ``name`` leaves them."""
    from oss_analysis.pipeline import manifest, runner

    stage = project / "build" / "stage" / name
    stage.mkdir(parents=True)
    for o in notebook_specs.notebooks()[name].outputs:
        (stage / o).write_text("x\n")
    manifest.write_entry(name, manifest.notebook_entry(name, runner.load_params(name, None, []), stage))
    return stage


def test_read_only_figures_folder_is_one_line(project, monkeypatch, capsys):
    import errno
    import tempfile

    staged_run(project)

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
    staged_run(project)
    (project / "figures").chmod(0o555)
    try:
        assert cli.main(["publish", "satisfaction"]) == 1
    finally:
        (project / "figures").chmod(0o755)
    assert capsys.readouterr().err.startswith("error: figures/: cannot write there (permission denied)")


@pytest.mark.parametrize("argv", [["run", "governnace"], ["publish", "governnace"]])
def test_unknown_notebook_name_is_one_line(argv, capsys):
    assert cli.main(argv) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: no notebook named 'governnace'; known: corruption, egovernment")



def test_ctrl_c_ends_in_one_line_and_status_130(monkeypatch, capsys):
    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_run", interrupted)
    assert cli.main(["datapackage"]) == 130
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith("interrupted: ")
