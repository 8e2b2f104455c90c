"""The reproduction report: the published tables' round trips against the raw text, the checks, the catalogue."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from oss_analysis import notebook_specs, paths
from oss_analysis.extract.transcriptions import raw_rows, titles, validate
from oss_analysis.review import against_publishers as ap
from oss_analysis.review import checks

STATUSES = ["rebuilt cell-exact", "rebuilt: dates and legislation cell-exact, key points summarised",
            "rebuilt as chart from data", "rebuilt as table from data", "qualitative: summarised and located",
            "not rebuildable"]
KINDS = ["quantitative table", "data-bearing figure", "qualitative table", "diagram", "photograph", "in-text series"]
KINDS += ["beyond the print"]  # outputs that set the print against, or extend it with, the publishers' files


def _plain(name: str, columns: list[str] | None = None) -> pd.DataFrame:
    """The printed columns of a transcription under their printed headers (by default all but our seed line)."""
    rows, t = raw_rows(name), titles(name)
    columns = columns or [c for c in t if c != "seed_line"]
    return pd.DataFrame([[r[c] for c in columns] for r in rows], columns=[t[c] for c in columns])


def _table_04() -> pd.DataFrame:
    cells = [[r["category"], f"{r['weight_pct']}%" if r["weight_pct"] else "", r["kaz_score"],
              f"{r['highest_score']} ({r['highest_country']})", f"{r['lowest_score']} ({r['lowest_country']})"]
             for r in raw_rows("thesis_table_04_eiu")]
    return pd.DataFrame(cells, columns=["Categories", "Weight (%)", "KAZ", "Highest Score/Country",
                                        "Lowest Score/Country"])


def _table_09() -> pd.DataFrame:
    rows = raw_rows("thesis_table_09_services")
    heads = [f"{r['agency']} ({r['services_count']} services)"
             + (f" ({r['period_as_printed']})" if r["period_as_printed"] else "") for r in rows]
    return pd.DataFrame([[r["services_examples"] for r in rows]], columns=heads)


# published table -> its printed form built from the raw text alone
PRINTED_FROM_RAW: dict[str, Callable[[], pd.DataFrame]] = {
    "thesis_table_02": lambda: _plain("thesis_table_02_wgi"),
    "thesis_table_03": lambda: _plain("thesis_table_03_cpi"),
    "thesis_table_04": _table_04,
    "thesis_table_05": lambda: _plain("thesis_table_05_legislation", ["date_as_printed", "legislation_as_printed"]),
    "thesis_table_08": lambda: _plain("thesis_table_08_case_offices", ["attribute", "oss_1", "oss_2"]),
    "thesis_table_09": _table_09,
    "thesis_table_11": lambda: _plain("thesis_table_11_barriers"),
}


def round_trip(table: str, published_dir: Path) -> dict[str, object]:
    """Compare a published table with its printed form from raw, cell by cell (the printed columns only)."""
    expected = PRINTED_FROM_RAW[table]()
    got = pd.read_csv(Path(published_dir) / f"{table}.csv", dtype=str, keep_default_na=False)
    got.columns = ["" if c.startswith("Unnamed") else c for c in got.columns]
    mismatches, match = [], 0
    for j, col in enumerate(expected.columns):  # the printed headers are cells too
        mine = got.columns[j] if j < len(got.columns) else None
        if mine == col:
            match += 1
        else:
            mismatches.append(f"header {j + 1}: published {mine!r} vs printed {col!r}")
    if got.shape[0] != expected.shape[0]:
        mismatches.append(f"rows: published {got.shape[0]} vs printed {expected.shape[0]}")
    total = (expected.shape[0] + 1) * expected.shape[1]
    for i in range(min(got.shape[0], expected.shape[0])):
        for j, col in enumerate(expected.columns):
            a, b = str(got.iat[i, j]), str(expected.iat[i, j])
            if a == b:
                match += 1
            else:
                row = f"row {i + 1} ({expected.iat[i, 0]})" if j else f"row {i + 1}"
                mismatches.append(f"{row}, column {col!r}: published {a!r} vs printed {b!r}")
    return {"table": table, "cells": total, "matching": match, "summary": f"{match} of {total} cells match",
            "mismatches": "; ".join(mismatches)}


def _first(count: int, one: str, many: str, items: list[str], n: int = 3) -> str:
    """'1 printed cell differs: a' or '5 printed cells differ: a; b; c; and 2 more'."""
    more = f"; and {len(items) - n} more" if len(items) > n else ""
    return f"{count} {one if count == 1 else many}: " + "; ".join(items[:n]) + more


def headline(root: Path) -> list[str]:
    """The build summary's verdict lines, each naming the first few that fail."""
    figures, lines = root / "figures", []
    names = ("reproduction_round_trip", "consistency_checks", "source_crosscheck")
    trips, checked, cross = (figures / f"{n}.csv" for n in names)
    if trips.exists():
        t = pd.read_csv(trips, dtype=str, keep_default_na=False)
        cells, match = t["cells"].astype(int).sum(), t["matching"].astype(int).sum()
        where = trips.relative_to(root)
        lines.append(f"reproduction: {match} of {cells} printed cells match in {len(t)} tables ({where})")
        split = r"; (?=row |header |rows: )"  # a cell's text may hold '; '
        off = [f"{r.table} {m}" for r in t.itertuples() if r.mismatches for m in re.split(split, r.mismatches)]
        if off:  # a header or row count is one entry; the count is of cells
            lines.append("  " + _first(cells - match, "printed cell differs", "printed cells differ", off))
    if checked.exists():
        c = pd.read_csv(checked, dtype=str, keep_default_na=False)
        holds, known = (c["outcome"] == "holds").sum(), c["outcome"].str.startswith("known erratum").sum()
        off = [f"{r.check} (expected {r.expected}, observed {r.observed})" for r in c.itertuples()
               if r.outcome == "differs"]
        lines.append(
            f"consistency: {holds} of {len(c)} checks hold, {known} are known errata"
            + (", " + _first(len(off), "does not", "do not", off) if off else "")
            + f" ({checked.relative_to(root)})"
        )
    if cross.exists():
        cc = ap.read_crosscheck(cross)
        values = cc.groupby(ap.KEY)["verdict"].agg(ap.cell_verdict).value_counts()
        said = ", ".join(f"{v} {values[v]}" for v in ap.VERDICTS if v in values)
        loose = ap.errata_of_differs(cc, pd.read_csv(root / "data" / "raw" / "errata.csv", dtype=str))
        loose = [f"{r.item} {r.country_iso3} {r.measure} {r.year} (printed {r.printed})"
                 for r in loose.itertuples() if pd.isna(r.erratum)]
        why = "; " + _first(len(loose), "differs with no erratum", "differ with no erratum", loose) if loose else ""
        lines.append(f"against the publishers: {values.sum()} printed values, {said}{why} ({cross.relative_to(root)})")
    return lines


def consistency_checks() -> pd.DataFrame:
    """Every registered check computed from the data; one citing an erratum the register lacks is an error."""
    data = checks.Data()
    errata = set(data.table("errata")["erratum_id"])
    unknown = sorted({c.erratum for c in checks.CHECKS.values() if c.erratum and c.erratum not in errata})
    if unknown:
        raise ValueError(f"checks cite errata not in data/raw/errata.csv: {unknown}")
    rows = []
    for c in checks.CHECKS.values():
        expected, observed, holds = c.compute(data)
        verdict = "holds" if holds else f"known erratum ({c.erratum})" if c.erratum else "differs"
        rows.append({"check": c.name, "where": c.where, "expected": expected, "observed": observed, "outcome": verdict})
    return pd.DataFrame(rows)


CATALOGUE = pa.DataFrameSchema(
    {
        "item_id": pa.Column(str, unique=True),
        "study": pa.Column(str, pa.Check.isin(["thesis", "article", "both"])),
        "number": pa.Column(str),
        "title": pa.Column(str),
        "page": pa.Column(float, nullable=True),
        "seed_line": pa.Column(int, pa.Check.ge(1)),
        "kind": pa.Column(str, pa.Check.isin(KINDS)),
        "status": pa.Column(str, pa.Check.isin(STATUSES)),
        "notebook": pa.Column(str, nullable=True),
        "outputs": pa.Column(str, nullable=True),
        "description": pa.Column(str),
    },
    checks=[pa.Check(lambda d: (d["status"].str.startswith("rebuilt") == d["notebook"].notna()).all(),
                     error="rebuilt items name their notebook, others do not")],
    strict=True, coerce=True,
)


def catalogue() -> pd.DataFrame:
    """docs/catalogue.csv, validated: rebuilt entries name a notebook and only outputs it declares."""
    frame = validate(pd.read_csv(paths.root() / "docs" / "catalogue.csv"), CATALOGUE, "docs/catalogue.csv")
    notebooks = notebook_specs.notebooks()
    for i, r in frame.dropna(subset=["notebook"]).iterrows():
        if r["notebook"] not in notebooks:
            raise ValueError(f"docs/catalogue.csv line {i + 2}: unknown notebook {r['notebook']!r}")
        missing = set(str(r["outputs"]).split()) - set(notebooks[r["notebook"]].outputs)
        if missing:
            raise ValueError(f"docs/catalogue.csv line {i + 2}: {r['notebook']} does not declare {sorted(missing)}")
    return frame
