"""Run the build graph in this process and say in a few lines what happened (what `make all` calls); all
Snakemake prints goes to build/logs/snakemake.log. docs/stages/pipeline.md says why (and not --quiet)."""

from __future__ import annotations

import fcntl
import logging
import os
import re
import shutil
import signal
import sys
import time
from collections import Counter
from pathlib import Path
from typing import TextIO

import psutil
from snakemake_interface_logger_plugins.base import LogHandlerBase
from snakemake_interface_logger_plugins.common import LogEvent

from oss_analysis.files import csv_rows
from oss_analysis.pipeline.runner import disk_problem, foreign_checkout

MAX_JOB_LOG_LINES = 15
NOISE = ("Kernel is running over TCP without encryption",)  # every kernel says it on start-up
INTERRUPTED = "interrupted: outputs already published are kept; `make all` finishes the build"


def snakemake_pids(root: Path) -> list[int]:
    """Live Snakemake processes working in ``root``, other than this process and its ancestors."""
    mine = {os.getpid(), *(p.pid for p in psutil.Process().parents())}
    found = []
    for proc in psutil.process_iter(["cmdline", "cwd"]):
        names = [Path(a).name for a in (proc.info["cmdline"] or [])[:3]]
        if proc.pid not in mine and "snakemake" in names and proc.info["cwd"] == str(root):
            found.append(proc.pid)
    return sorted(found)


def process(pid: int) -> tuple[str, bool]:
    """A process's command line and whether it is stopped (Ctrl-Z)."""
    try:
        proc = psutil.Process(pid)
        return " ".join(proc.cmdline()), proc.status() in (psutil.STATUS_STOPPED, psutil.STATUS_TRACING_STOP)
    except psutil.Error:
        return "", False


def _say_stopped(pids: list[int], out: TextIO, told: set[int]) -> None:
    """A line when a process waited for is stopped (Ctrl-Z): otherwise the wait looks like a hang."""
    for pid in pids:
        if not process(pid)[1]:
            told.discard(pid)
        elif pid not in told:
            told.add(pid)
            print(f"pid {pid} is stopped (Ctrl-Z): `kill -CONT {pid}` (or `fg` in its shell) resumes it, "
                  f"`kill {pid}` ends it", file=out, flush=True)


def clear_stale_locks(root: Path, out: TextIO, poll: float = 0.5) -> None:
    """Wait for Snakemake runs in ``root`` to end, then remove the locks none holds any more."""
    locks, told, stopped = root / ".snakemake" / "locks", False, set()
    while pids := snakemake_pids(root):
        if not told:
            cmds = "; ".join(process(p)[0] for p in pids)
            print(f"waiting for Snakemake (pid {', '.join(map(str, pids))}) already running in this folder: {cmds}",
                  file=out, flush=True)
            told = True
        _say_stopped(pids, out, stopped)
        time.sleep(poll)
    if locks.is_dir() and any(locks.iterdir()):
        shutil.rmtree(locks, ignore_errors=True)
        print("cleared a Snakemake lock left by a build that was stopped", file=out, flush=True)


def hold_build_lock(root: Path, out: TextIO, poll: float = 0.5) -> TextIO:
    """Take the folder's build lock (one build at a time) and write this process's pid in it, so that the
    wait of another build names it (a flock's holder is not in psutil, nor portably in /proc/locks)."""
    fh = (root / ".build.lock").open("a")
    start, told, stopped = time.monotonic(), False, set()
    while True:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            said = (root / ".build.lock").read_text().strip()
            pid = int(said) if said.isdigit() else None
            if not told:
                who = f" (pid {pid}: {process(pid)[0]})" if pid else ""
                print(f"another build is running in this folder; waiting for it to finish{who}", file=out, flush=True)
                told = True
            _say_stopped([pid] if pid else [], out, stopped)
            time.sleep(poll)
    if told:
        print(f"waited {time.monotonic() - start:.1f} s for the other build", file=out, flush=True)
    fh.truncate(0)
    print(os.getpid(), file=fh, flush=True)
    return fh


class Progress:
    """One line per tenth of the jobs (not tqdm's or rich's redrawn line: a file), or one updating line on a tty."""

    def __init__(self, out: TextIO) -> None:
        self.out, self.tty, self.shown, self.total = out, out.isatty(), -1, 0

    def update(self, done: int, total: int) -> None:
        self.total, pct = total, 100 * done // max(total, 1)
        if self.tty:
            self.out.write(f"\r[{'#' * (pct // 5):<20}] {done}/{total} jobs")
            self.out.flush()
        elif pct // 10 > self.shown:
            self.shown = pct // 10
            print(f"  {done:>3}/{total} jobs done ({pct}%)", file=self.out, flush=True)

    def end(self) -> None:
        if self.tty and self.total:
            self.out.write("\n")


class LogHandler(LogHandlerBase):
    """Snakemake's records as the screen: progress, failed jobs' logs, ``note: ...`` lines; it only listens."""

    writes_to_stream = writes_to_file = needs_rulegraph = has_formatter = False
    has_filter = True  # every record, whatever --quiet says
    progress: Progress | None = None
    failed: list[str] = []
    notes: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        event = getattr(record, "event", None)
        if event == LogEvent.PROGRESS and LogHandler.progress:
            LogHandler.progress.update(record.done, record.total)  # type: ignore[attr-defined]
        elif event == LogEvent.JOB_ERROR:
            LogHandler.failed.extend(f for f in record.log if f not in LogHandler.failed)  # type: ignore[attr-defined]
        elif str(record.msg).startswith("note: ") and record.msg[6:] not in LogHandler.notes:
            LogHandler.notes.append(record.msg[6:])


def one_line_error(lines: list[str]) -> str:
    """The last ``error: ...``, else Snakemake's exception in a rule, else the last exception, else the last line."""
    errors = [ln for ln in lines if ln.startswith("error: ")]
    if errors:
        return errors[-1]
    # Snakemake's "XException in rule R in file F, line N:", its message and the files affected
    heads = [i for i, ln in enumerate(lines) if re.match(r"\w+(Exception|Error) in rule \S+ in file .*:$", ln)]
    if heads and heads[-1] + 1 < len(lines):
        head, said = lines[heads[-1]].split(), lines[heads[-1] + 1]
        files = [ln.strip() for ln in lines[heads[-1] + 2 :] if ln.startswith("        ")]
        where = f"{files[0]}{f' (and {len(files) - 1} more)' if len(files) > 1 else ''}: " if files else ""
        hint = "; make them writable and run again" if "protected" in said.lower() else ""
        return f"error: {where}{said.strip().rstrip(':')} ({head[0]} in rule {head[3]}){hint}"
    raised = [ln.strip() for ln in lines if re.match(r"\s*[\w.]*(Error|Exception|Exit)\b[^:]*: ", ln)]
    if raised:
        home = os.environ.get("HOME", "")
        hint = f"; HOME ({home}) must be a writable folder" if home and home in raised[-1] else ""
        return f"error: {raised[-1].removeprefix('Error: ')}{hint}"
    rest = [ln for ln in lines if ln.strip()]
    return rest[-1] if rest else "error: the build failed"


def report_failure(root: Path, failed: list[str], full_log: Path, out: TextIO) -> None:
    """Each failed job's log (its last lines; a traceback stays in the file), then the one-line error last."""
    last: list[str] = []
    for log in (root / p for p in failed):
        lines = log.read_text(encoding="utf-8", errors="replace").splitlines() if log.exists() else []
        shown = [ln for ln in lines if not ln.startswith("error: ") and not any(n in ln for n in NOISE)]
        shown = [] if any(ln.startswith("Traceback (most recent call last)") for ln in lines) else shown
        print(f"failed job's log: {log.relative_to(root)}" + (" (its last lines:)" if shown else ""), file=out)
        for ln in shown[-MAX_JOB_LOG_LINES:]:
            print(f"  {ln}", file=out)
        last = lines or last
    if not failed:  # no job ran (a bad Snakefile, a bad COUNTRY, Snakemake's own exception)
        text = full_log.read_text(encoding="utf-8", errors="replace")
        last = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("Complete log")]
        for ln in last[-MAX_JOB_LOG_LINES:-1] if not one_line_error(last).startswith("error: ") else []:
            print(f"  {ln}", file=out)  # Snakemake's own words where it raised nothing
    print(f"full log: {full_log.relative_to(root)}", file=out)
    print(one_line_error(last), file=out, flush=True)


def dropped_duplicates(root: Path) -> list[str]:
    """A line per publisher file whose duplicate country-years were dropped: no value chosen silently."""
    table = root / "data" / "processed" / "source_drops.csv"
    if not table.exists():
        return []
    rows = csv_rows(table, str(table.relative_to(root)), ("file", "kind"))  # the project's one CSV reader
    dups = Counter(r["file"] for _, r in rows if r["kind"] == "duplicate")
    said = f"dropped, the first kept ({table.relative_to(root)})"
    return [f"{f}: {n} duplicate country-year{'s' * (n > 1)} {said}" for f, n in sorted(dups.items())]


def summary(root: Path, started: float, elapsed: float, jobs: int, out: TextIO) -> None:
    """Closing lines of a successful build: what was written, the verdict, where to look."""
    from oss_analysis.review.report import headline  # pandas, once the build is done

    written = [p for p in (root / "figures").rglob("*") if p.is_file() and p.stat().st_mtime >= started]
    built = f"built in {elapsed:.0f} s: {jobs} jobs, {len(written)} files written under figures/"
    print(built if jobs else "nothing to do: every output is up to date", *headline(root), sep="\n", file=out)
    if (root / "build" / "notebooks" / "reproduction_report.ipynb").exists():
        print("report: build/notebooks/reproduction_report.ipynb; provenance: build/manifest.json", file=out)
    site = "build/site/index.html"
    print(f"site: {site if (root / site).exists() else f'`make docs` renders it into {site}'}", file=out)
    print("full log: build/logs/snakemake.log", file=out, flush=True)


def snakemake(args: list[str]) -> int:
    """Snakemake's command line, in this process, with the ``oss-build`` logger; its exit status."""
    from snakemake.cli import main as snakemake_main
    from snakemake_interface_logger_plugins.registry import LoggerPluginRegistry

    LoggerPluginRegistry().register_plugin("snakemake_logger_plugin_oss_build", sys.modules[__name__])
    try:
        snakemake_main([*args, "--logger", "oss-build"])
    except SystemExit as exc:  # the Snakefile's sys.exit("error: ...") too
        if isinstance(exc.code, str):
            print(exc.code, file=sys.stderr)
        return exc.code if isinstance(exc.code, int) else 1
    return 0


def _watch_interrupts() -> list[int]:
    """A list that gets an entry when Ctrl-C arrives; Snakemake still gets its KeyboardInterrupt."""
    seen: list[int] = []

    def note(signum: int, frame: object) -> None:
        seen.append(signum)
        signal.default_int_handler(signum, frame)

    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:  # not where SIGINT is ignored
        signal.signal(signal.SIGINT, note)
    return seen


def run(args: list[str], root: Path, out: TextIO = sys.stdout) -> int:
    """Run Snakemake with ``args`` in ``root``, all it prints (and the kernels) to build/logs/snakemake.log."""
    if problem := foreign_checkout() or disk_problem(root / "build"):
        print(f"error: {problem}", file=out, flush=True)
        return 1
    with hold_build_lock(root, out):
        clear_stale_locks(root, out)
        full_log = root / "build" / "logs" / "snakemake.log"
        full_log.parent.mkdir(parents=True, exist_ok=True)
        started = time.time()
        out.flush()
        with full_log.open("w", encoding="utf-8") as log, os.fdopen(os.dup(out.fileno()), "w") as screen:
            LogHandler.progress, LogHandler.failed, LogHandler.notes = Progress(screen), [], []
            saved = [os.dup(1), os.dup(2)]
            os.dup2(log.fileno(), 1)
            os.dup2(log.fileno(), 2)
            interrupted = _watch_interrupts()
            try:
                os.chdir(root)  # Snakemake works in the current folder
                code = snakemake(args)
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                for fd, copy in enumerate(saved, start=1):
                    os.dup2(copy, fd)
                    os.close(copy)
            LogHandler.progress.end()
        if code != 0 and interrupted:  # Snakemake stopped its jobs: its own account of that is in the log
            print(INTERRUPTED, file=out, flush=True)
            return 130
        for line in LogHandler.notes + dropped_duplicates(root):
            print(line, file=out)
        if code != 0:
            report_failure(root, LogHandler.failed, full_log, out)
            return code
        summary(root, started, time.time() - started, LogHandler.progress.total, out)
        return 0


def main(argv: list[str] | None = None) -> int:
    """``python -m oss_analysis.pipeline.run_graph SNAKEMAKE-ARGS...``; Ctrl-C: one line, exit status 130."""
    try:
        return run(list(sys.argv[1:] if argv is None else argv), Path.cwd().resolve())
    except KeyboardInterrupt:
        print(INTERRUPTED, file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
