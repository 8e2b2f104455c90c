"""Benchmark of the build, on a private copy of the project (the committed outputs are never touched).

Measures: a clean full rebuild through the Snakemake graph, a no-op rebuild, a rebuild after
touching one raw file, a naive serial loop of the papermill CLI over the notebooks, and the floor
(every notebook's code executed in one Python process). Prints wall times and ratios, and writes
them to benchmarks/results.json. Run it with `make bench`.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT / "tests"))
from conftest import copy_project  # noqa: E402

from oss_analysis import registry  # noqa: E402


def timed(cmd: list[str], cwd: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def floor_script(project: Path, out: Path) -> str:
    """All notebooks' code cells, parameters substituted, as one Python program."""
    import yaml

    parts = ["import matplotlib\nmatplotlib.use('Agg')\n"]
    for nb in registry.notebooks().values():
        params = yaml.safe_load(nb.params.read_text()) or {}
        params["output_dir"] = str(out / nb.name)
        code = [c.source for c in nbformat.read(nb.path, as_version=4).cells if c.cell_type == "code"]
        assign = "\n".join(f"{k} = {v!r}" for k, v in params.items())
        body = "\n".join([code[0], assign, *code[1:]])
        parts.append(
            f"def _{nb.name}():\n" + "\n".join("    " + line for line in body.splitlines()) + f"\n_{nb.name}()\n"
        )
    return "\n".join(parts)


POST_SOVIET = "ARM AZE BLR EST GEO KAZ KGZ LTU LVA MDA RUS TJK TKM UKR UZB"


def source_reads() -> dict[str, float]:
    """Seconds to read each shipped publisher's file with its reader (sha256 check included)."""
    from oss_analysis import sourcefile, sources

    out = {}
    for res in sourcefile.package()["resources"]:
        start = time.perf_counter()
        sources.read_shipped_file(res["name"], sources.Drops())
        out[f"read data/sources/{res['path']}"] = time.perf_counter() - start
    return out


def main() -> None:
    repeats = int(os.environ.get("BENCH_REPEATS", "1"))
    n_notebooks = len(registry.notebooks())
    with tempfile.TemporaryDirectory(prefix="oss-bench-") as tmp:
        project = copy_project(Path(tmp) / "project")
        os.environ["OSS_ANALYSIS_ROOT"] = str(project)  # registry paths now point into the copy
        env = dict(os.environ)
        env.pop("OSS_ANALYSIS_OUTPUT_DIR", None)
        snake = [
            str(BIN / "snakemake"),
            "--snakefile",
            "workflow/Snakefile",
            "--cores",
            "all",
            "--max-checksum-file-size",
            "0",
        ]
        results: dict[str, float] = {}

        def best(label: str, fn) -> None:
            results[label] = min(fn() for _ in range(repeats))
            print(f"{label:<34} {results[label]:7.2f} s", flush=True)

        def clean_build() -> float:
            shutil.rmtree(project / "build", ignore_errors=True)
            shutil.rmtree(project / ".snakemake", ignore_errors=True)
            return timed(snake, project, env)

        best("clean full rebuild (graph)", clean_build)
        best("no-op rebuild", lambda: timed(snake, project, env))

        def touch_one() -> float:
            (project / "data/raw/thesis_table_03_cpi.csv").touch()
            return timed(snake, project, env)

        best("rebuild after touching one raw", touch_one)

        for label, seconds in source_reads().items():
            results[label] = seconds
            print(f"{label:<34} {seconds:7.2f} s", flush=True)
        countries = [*snake, "--config", f"country={POST_SOVIET}"]
        best("all 15 post-Soviet states (graph)", lambda: timed(countries, project, env))

        def naive() -> float:
            out = Path(tmp) / "naive"
            out.mkdir(exist_ok=True)
            start = time.perf_counter()
            for nb in registry.notebooks().values():
                subprocess.run(
                    [
                        str(BIN / "papermill"),
                        str(nb.path),
                        str(out / f"{nb.name}.ipynb"),
                        "-f",
                        str(nb.params),
                        "-p",
                        "output_dir",
                        str(out / nb.name),
                        "--kernel",
                        "oss-analysis",
                        "--no-progress-bar",
                    ],
                    cwd=project,
                    env=env,
                    check=True,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            return time.perf_counter() - start

        best("naive serial papermill loop", naive)

        def floor() -> float:
            script = Path(tmp) / "floor.py"
            script.write_text(floor_script(project, Path(tmp) / "floor"))
            return timed([sys.executable, str(script)], project, env)

        best("floor (one process, all code)", floor)

        imports = "import time; t=time.perf_counter(); import nbformat; print(time.perf_counter()-t)"
        out = subprocess.run([sys.executable, "-c", imports], capture_output=True, text=True, check=True)
        results["import nbformat (this venv)"] = float(out.stdout)
        print(f"{'import nbformat (this venv)':<34} {results['import nbformat (this venv)']:7.2f} s")

    results["clean / naive"] = results["clean full rebuild (graph)"] / results["naive serial papermill loop"]
    results["clean / floor"] = results["clean full rebuild (graph)"] / results["floor (one process, all code)"]
    print(f"{'clean / naive (target <= 0.5)':<34} {results['clean / naive']:7.2f}")
    print(f"{'clean / floor (target <= 3)':<34} {results['clean / floor']:7.2f}")
    meta = {"cores": os.cpu_count(), "python": platform.python_version(), "notebooks": n_notebooks}
    (ROOT / "benchmarks" / "results.json").write_text(
        json.dumps({"machine": meta, "seconds": results}, indent=2) + "\n"
    )


if __name__ == "__main__":
    main()
