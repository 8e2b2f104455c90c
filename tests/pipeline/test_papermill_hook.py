"""papermill by hand: the notebooks' parameter check ends in one line; anything else is papermill's."""

import sys

from oss_analysis.pipeline import papermill_hook


class Failed(Exception):
    def __init__(self, ename, evalue):
        super().__init__(evalue)
        self.ename, self.evalue = ename, evalue


def test_a_parameter_error_is_one_line_naming_the_notebook(monkeypatch, capsys):
    seen = []
    monkeypatch.setattr(papermill_hook, "_previous", lambda *a: seen.append(a))
    monkeypatch.setattr(sys, "argv", ["papermill", "notebooks/satisfaction.ipynb", "/tmp/out.ipynb"])
    papermill_hook._hook(Failed, Failed("ParameterError", "parameter 'end_year'\n expects int"), None)
    assert capsys.readouterr().err == "error: notebooks/satisfaction.ipynb: parameter 'end_year' expects int\n"
    assert seen == []


def test_any_other_failure_is_shown_as_before(monkeypatch, capsys):
    seen = []
    monkeypatch.setattr(papermill_hook, "_previous", lambda *a: seen.append(a))
    exc = Failed("KeyError", "'x'")
    papermill_hook._hook(Failed, exc, None)
    papermill_hook._hook(ValueError, ValueError("v"), None)
    assert capsys.readouterr().err == ""
    assert [a[1] for a in seen][0] is exc and len(seen) == 2


def test_papermill_loads_the_hook_through_its_entry_point():
    from importlib.metadata import entry_points

    (point,) = [e for e in entry_points(group="papermill.engine") if e.name == "oss-analysis"]
    assert point.load() is papermill_hook.Engine
    assert sys.excepthook is papermill_hook._hook or sys.excepthook.__module__ != papermill_hook.__name__
