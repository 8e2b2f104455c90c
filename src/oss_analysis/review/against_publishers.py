"""The reproduction report's section "Against the publishers": figures/source_crosscheck.csv summarised."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from oss_analysis.analysis.crosscheck import KEY, VERDICTS  # the report notebook reads VERDICTS from here too


def read_crosscheck(path: Path) -> pd.DataFrame:
    """figures/source_crosscheck.csv as written, with numbers typed."""
    return pd.read_csv(path, dtype={"printed": str, "source_file": str, "release": "Int64"})


def cell_verdict(verdicts: pd.Series) -> str:
    """A printed value's verdict over all releases: the worst of its rows (differs > revised > agrees)."""
    for v in ("differs", "revised", "agrees"):
        if (verdicts == v).any():
            return v
    return "not in source"


def verdict_counts(cc: pd.DataFrame) -> pd.DataFrame:
    """Per table: rows (value x release) and printed values by verdict."""
    cc = cc.assign(table=cc["item"].where(cc["item"].str.startswith("Table"), "UN e-government ranks (text)"))
    rows = pd.crosstab(cc["table"], cc["verdict"]).reindex(columns=list(VERDICTS), fill_value=0)
    cells = cc.groupby(["table", *KEY])["verdict"].agg(cell_verdict).reset_index()
    by_cell = pd.crosstab(cells["table"], cells["verdict"]).reindex(columns=list(VERDICTS), fill_value=0)
    out = rows.add_prefix("rows ").join(by_cell.add_prefix("values ")).reset_index()
    out.insert(1, "printed values", out[[f"values {v}" for v in VERDICTS]].sum(axis=1))
    out.insert(2, "rows", out[[f"rows {v}" for v in VERDICTS]].sum(axis=1))
    return out.rename(columns={"table": "printed table"})


def largest_differences(cc: pd.DataFrame, n: int = 10) -> pd.DataFrame:
    """The printed values furthest from their nearest release (distance to the closest one)."""
    found = cc.dropna(subset=["source_value"]).assign(gap=lambda d: d["difference"].abs())
    nearest = found.sort_values("gap", kind="stable").groupby(KEY, as_index=False, sort=False).first()
    nearest = nearest.assign(verdict=nearest.set_index(KEY).index.map(found.groupby(KEY)["verdict"].agg(cell_verdict)))
    out = nearest.sort_values(["gap", "item", "country_iso3", "measure"], ascending=[False, True, True, True])
    cols = ["item", "country_iso3", "measure", "year", "printed", "release", "source_value", "difference", "verdict"]
    return out[cols].head(n).rename(columns={"release": "nearest release"}).reset_index(drop=True)


def wgi_revisions(cc: pd.DataFrame) -> pd.DataFrame:
    """Per Table 2 cell: the first and latest release's values, how far it moved and its range."""
    wgi = cc[cc["item"] == "Table 2"].dropna(subset=["source_value"]).sort_values("release", kind="stable")
    g = wgi.groupby(["country_iso3", "measure"], sort=False)
    out = g.agg(printed=("printed", "first"), first_release=("release", "first"),
                first_value=("source_value", "first"), latest_release=("release", "last"),
                latest_value=("source_value", "last"), lowest=("source_value", "min"),
                highest=("source_value", "max"), verdict=("verdict", cell_verdict)).reset_index()
    out["moved"] = (out["latest_value"] - out["first_value"]).round(2)
    out["range"] = (out["highest"] - out["lowest"]).round(2)
    values = ["first_value", "latest_value", "lowest", "highest"]
    out[values] = out[values].round(2)
    return out


def errata_of_differs(cc: pd.DataFrame, errata: pd.DataFrame) -> pd.DataFrame:
    """Each printed value judged 'differs', with the erratum whose ``affects`` names it (or none)."""
    differs = cc[cc["verdict"] == "differs"].drop_duplicates(KEY)[KEY + ["printed"]]
    tokens = [(e, set(str(a).split())) for e, a in zip(errata["erratum_id"], errata["affects"], strict=True)]
    found = []
    for r in differs.itertuples(index=False):
        need = {"source_crosscheck", r.country_iso3, r.measure}
        found.append(next((e for e, t in tokens if need <= t), None))
    return differs.assign(erratum=found).reset_index(drop=True)
