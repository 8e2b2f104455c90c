"""The command line (``oss-build``): run a notebook by hand, prepare or publish tables, add data.

Bad input ends in one line on stderr and a non-zero exit status, never a traceback."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from oss_analysis.pipeline import runner


def _run(args: argparse.Namespace) -> int:
    """One subcommand's work (each imports what it alone uses: `oss-build run` stays quick to start)."""
    match args.cmd:
        case "run":
            options = {k: getattr(args, k) for k in ("param_file", "output_dir", "executed", "country")}
            runner.execute_notebook(args.name, overrides=args.param, **options)
        case "prepare":
            from oss_analysis.transform import clean

            written = clean.write(args.table, args.out_dir)
            if args.table == "source_drops":
                from oss_analysis.extract.publishers import drops_note

                print(drops_note(written))
        case "publish":
            runner.publish_notebook(args.name, args.country)
        case "add-country-data":
            from oss_analysis.pipeline import add_country

            codes = [c.strip() for c in args.countries.split(",") if c.strip()]
            print("\n".join(add_country.add(args.kind, args.file, codes, year=args.year)))
        case "check-manifest":
            from oss_analysis.pipeline import manifest

            problems = manifest.stale()
            print("\n".join(problems or ["every output matches its recorded inputs"]))
            if problems:
                print(f"{len(problems)} stale or changed outputs")
                return 1
        case "datapackage":
            from oss_analysis.extract import datapackage

            changed = datapackage.update()
            print("updated: " + (", ".join(changed) if changed else "nothing changed"))
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="oss-build", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("run", help="execute one notebook by hand into build/scratch/, never the build's folders")
    p.add_argument("name")
    p.add_argument("--param-file", type=Path)
    p.add_argument("-p", "--param", action="append", default=[], help="key=value (YAML value)")
    p.add_argument("--output-dir", type=Path, help="default build/scratch/<name>/; in the checkout only build/scratch/")
    p.add_argument("--executed", type=Path, help="the executed notebook (default: <output-dir>/<name>.ipynb)")
    p.add_argument("--country", help="ISO3 focus country: parameters from config/countries/, outputs under <country>/")
    p = sub.add_parser("prepare", help="write one processed table from raw")
    p.add_argument("table")
    p.add_argument("--out-dir", type=Path)
    p = sub.add_parser("publish", help="copy a notebook's staged outputs into figures/ (only the build's own run's)")
    p.add_argument("name")
    p.add_argument("--country")
    p = sub.add_parser(
        "add-country-data",
        help="import a WGI, CPI or UN e-government file as downloaded: ship it in data/sources/ if new, and merge "
        "the countries' 2008 WGI / 2009 CPI values into data/raw/additions/",
    )
    p.add_argument("kind", choices=["wgi", "cpi", "egdi"])
    p.add_argument("file", type=Path)
    p.add_argument("--countries", required=True, help="comma-separated ISO3 codes to take from the file")
    p.add_argument("--year", type=int, help="year of the values merged into the additions (default 2008 / 2009)")
    sub.add_parser("datapackage", help="refresh sha256/bytes of raw resources")
    sub.add_parser("check-manifest", help="list outputs that are stale against build/manifest.json")
    return parser


def main(argv: list[str] | None = None) -> int:
    """``oss-build``: bad input and unwritable folders end in one line on stderr and exit status 1."""
    args = _parser().parse_args(argv)
    if problem := runner.foreign_checkout():
        return runner.fail(problem)
    try:
        return _run(args)
    except runner.EXPECTED as exc:
        return runner.fail(runner.message(exc))
    except KeyboardInterrupt:
        print("interrupted: nothing half-written is kept (every file is written whole or not at all)", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
