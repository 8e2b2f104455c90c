"""The build's short screen (`make all`) is fed by Snakemake's structured log records, through a
logger plugin, not by reading Snakemake's text."""

import io
import logging

from snakemake_interface_logger_plugins.common import LogEvent

from oss_analysis.pipeline import run_graph


def record(event, **fields):
    rec = logging.LogRecord("snakemake", logging.INFO, __file__, 1, "", None, None)
    rec.__dict__.update(event=event, **fields)
    return rec


class Screen(io.StringIO):
    def isatty(self):
        return False


def test_snakemake_accepts_the_handler_as_a_logger_plugin():
    from snakemake.settings.types import OutputSettings
    from snakemake_interface_logger_plugins.registry import LoggerPluginRegistry

    registry = LoggerPluginRegistry()
    registry.register_plugin("snakemake_logger_plugin_oss_build", run_graph)
    handler = registry.get_plugin("oss-build").log_handler(OutputSettings(), None)
    assert isinstance(handler, run_graph.LogHandler)
    assert not handler.writes_to_stream  # Snakemake's own handler still writes the full log


def test_progress_records_become_a_line_per_tenth(monkeypatch):
    screen = Screen()
    monkeypatch.setattr(run_graph.LogHandler, "progress", run_graph.Progress(screen))
    handler = run_graph.LogHandler.__new__(run_graph.LogHandler)  # the records alone matter here
    for done in range(1, 21):
        handler.emit(record(LogEvent.PROGRESS, done=done, total=20))
    handler.emit(record(None, msg="Building DAG of jobs..."))
    lines = screen.getvalue().splitlines()
    assert lines[0] == "    1/20 jobs done (5%)" and lines[-1] == "   20/20 jobs done (100%)"
    assert len(lines) == 11  # the first record, then each new tenth


def test_failed_jobs_logs_shown_with_the_one_line_error_last(tmp_path, monkeypatch):
    monkeypatch.setattr(run_graph.LogHandler, "failed", [])
    handler = run_graph.LogHandler.__new__(run_graph.LogHandler)
    log = tmp_path / "build/logs/prepare/cpi.log"
    log.parent.mkdir(parents=True)
    log.write_text("reading data/raw/x.csv\nerror: data/raw/x.csv, line 6, column 'a': must be <= 10 (got 11.0)\n")
    for _ in range(2):  # Snakemake may report a job twice: shown once
        handler.emit(record(LogEvent.JOB_ERROR, log=["build/logs/prepare/cpi.log"]))
    full = tmp_path / "build/logs/snakemake.log"
    full.write_text("Error in rule prepare:\n")
    out = io.StringIO()
    run_graph.report_failure(tmp_path, run_graph.LogHandler.failed, full, out)
    assert out.getvalue().splitlines() == [
        "failed job's log: build/logs/prepare/cpi.log (its last lines:)",
        "  reading data/raw/x.csv",
        "full log: build/logs/snakemake.log",
        "error: data/raw/x.csv, line 6, column 'a': must be <= 10 (got 11.0)",
    ]


def test_ctrl_c_ends_in_one_line_and_status_130(monkeypatch, capsys):
    def interrupted(argv, root):
        raise KeyboardInterrupt

    monkeypatch.setattr(run_graph, "run", interrupted)
    assert run_graph.main(["--cores", "1"]) == 130
    assert capsys.readouterr().err.splitlines() == [run_graph.INTERRUPTED]
