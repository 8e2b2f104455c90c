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


def test_a_waiting_build_names_the_process_and_says_when_it_is_stopped(tmp_path):
    """Issue 23: a stopped build (Ctrl-Z) made the next `make all` wait without a word."""
    import os
    import signal
    import subprocess
    import sys
    import threading
    import time

    holder = subprocess.Popen(
        [sys.executable, "-c", "import fcntl,os,sys,time; f=open(sys.argv[1],'a'); fcntl.flock(f, fcntl.LOCK_EX); "
         "print(os.getpid(), file=f, flush=True); print('held', flush=True); time.sleep(60)",
         str(tmp_path / ".build.lock")],
        stdout=subprocess.PIPE, text=True,
    )
    screen = Screen()
    try:
        assert holder.stdout.readline() == "held\n"
        os.kill(holder.pid, signal.SIGSTOP)
        waiter = threading.Thread(target=lambda: run_graph.hold_build_lock(tmp_path, screen, poll=0.05).close())
        waiter.start()
        deadline = time.time() + 20
        while "is stopped" not in screen.getvalue() and time.time() < deadline:
            time.sleep(0.05)
        assert waiter.is_alive()
    finally:
        os.kill(holder.pid, signal.SIGCONT)
        holder.kill()
        holder.wait()
    waiter.join(timeout=20)
    lines = screen.getvalue().splitlines()
    assert lines[0].startswith(f"another build is running in this folder; waiting for it to finish (pid {holder.pid}: ")
    assert str(tmp_path / ".build.lock") in lines[0]  # its command line
    assert lines[1] == (f"pid {holder.pid} is stopped (Ctrl-Z): `kill -CONT {holder.pid}` (or `fg` in its shell) "
                        f"resumes it, `kill {holder.pid}` ends it")
    assert lines[2].startswith("waited ")
    assert (tmp_path / ".build.lock").read_text() == f"{os.getpid()}\n"  # the next waiting build names this one


def test_a_running_holder_is_not_called_stopped():
    import os

    screen = Screen()
    run_graph._say_stopped([os.getpid()], screen, set())
    assert screen.getvalue() == "" and run_graph.process(os.getpid())[1] is False


def test_notes_and_dropped_duplicates_reach_the_screen(tmp_path):
    """Issue 23: a skipped country and the duplicates dropped from a publisher file were only in
    build/logs/snakemake.log."""
    rec = logging.LogRecord("snakemake.logging", logging.WARNING, __file__, 1, "note: skipped ATA: no data", None, None)
    run_graph.LogHandler.notes = []
    run_graph.LogHandler(None, None).emit(rec)
    run_graph.LogHandler(None, None).emit(rec)  # said once
    assert run_graph.LogHandler.notes == ["skipped ATA: no data"]
    table = tmp_path / "data" / "processed" / "source_drops.csv"
    table.parent.mkdir(parents=True)
    table.write_text(
        "file,line,country,iso3,year,kind,detail\n"
        "data/sources/wgi/a.csv,3,Kosovo,,,excluded,x\n"
        "data/sources/wgi/a.csv,9,Georgia,GEO,2008,duplicate,x\n"
        "data/sources/wgi/a.csv,12,Georgia,GEO,2009,duplicate,x\n"
        "data/sources/cpi/b.csv,5,Chad,TCD,2009,duplicate,x\n"
    )
    assert run_graph.dropped_duplicates(tmp_path) == [
        "data/sources/cpi/b.csv: 1 duplicate country-year dropped, the first kept (data/processed/source_drops.csv)",
        "data/sources/wgi/a.csv: 2 duplicate country-years dropped, the first kept (data/processed/source_drops.csv)",
    ]
    table.write_text("file,line,country,iso3,year,kind,detail\n")
    assert run_graph.dropped_duplicates(tmp_path) == []


def test_an_exception_becomes_the_one_line_error():
    """Snakemake's own exceptions (no HOME, no --cores) reached the screen as dumps (issue 23)."""
    trace = ["Traceback (most recent call last):", '  File "x.py", line 1, in f',
             "FileNotFoundError: [Errno 2] No such file or directory: '/nohome/.cache'"]
    assert run_graph.one_line_error(trace) == "error: FileNotFoundError: [Errno 2] No such file or directory: " \
        "'/nohome/.cache'"
    assert run_graph.one_line_error(["Using profile x", "Error: cores have to be specified"]) == (
        "error: cores have to be specified"
    )
    ours = "error: data/raw/x.csv, line 3: bad"
    assert run_graph.one_line_error([*trace, ours]) == ours
    assert run_graph.one_line_error(["SyntaxError in file workflow/Snakefile, line 3"]) == (
        "SyntaxError in file workflow/Snakefile, line 3"
    )


def test_a_jobs_traceback_stays_in_its_log(tmp_path):
    log = tmp_path / "build" / "logs" / "job.log"
    log.parent.mkdir(parents=True)
    log.write_text("Traceback (most recent call last):\n  File x\nOSError: boom\nerror: OSError: boom\n")
    full = tmp_path / "build" / "logs" / "snakemake.log"
    full.write_text("")
    screen = Screen()
    run_graph.report_failure(tmp_path, ["build/logs/job.log"], full, screen)
    assert screen.getvalue().splitlines() == [
        "failed job's log: build/logs/job.log", "full log: build/logs/snakemake.log", "error: OSError: boom"
    ]


def test_snakemakes_own_exception_in_a_rule_is_one_line():
    said = [
        'ProtectedOutputException in rule publish_x in file "/p/workflow/Snakefile", line 199:',
        "Write-protected output files for rule publish_x:",
        "    output: figures/a.csv, figures/b.csv",
        "    affected files:",
        "        figures/a.csv",
        "        figures/b.csv",
    ]
    assert run_graph.one_line_error(said) == (
        "error: figures/a.csv (and 1 more): Write-protected output files for rule publish_x "
        "(ProtectedOutputException in rule publish_x); make them writable and run again"
    )
