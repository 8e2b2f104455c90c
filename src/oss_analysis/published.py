"""The studies' tables rebuilt, as printed, from the tidy frames in ``data/processed/``.

Column headers come from the ``title`` of each raw field in the data package (the printed
header); printed order comes from each row's seed line; number formats follow the print.
"""

from __future__ import annotations

import pandas as pd

from .io import titles
from .tables import fmt_number


def _printed_order(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values("seed_line", kind="stable").reset_index(drop=True)


def thesis_table_02(wgi: pd.DataFrame) -> pd.DataFrame:
    """Table 2: countries x six WGI dimensions, percentile ranks printed in shortest form."""
    t = titles("thesis_table_02_wgi")
    order = wgi.groupby("country", sort=False)["seed_line"].first().sort_values().index
    wide = wgi.pivot(index="country", columns="indicator_name", values="percentile").loc[order]
    dims = [t[f] for f in t if f not in ("country", "seed_line")]
    out = pd.DataFrame({t["country"]: list(wide.index)})
    for dim in dims:
        out[dim] = [fmt_number(v) for v in wide[dim]]
    return out


def thesis_table_03(cpi: pd.DataFrame) -> pd.DataFrame:
    """Table 3: CPI 2009 rank, country and score (one decimal, as printed)."""
    t = titles("thesis_table_03_cpi")
    rows = _printed_order(cpi)
    return pd.DataFrame(
        {
            t["country_rank"]: rows["rank"].map(str),
            t["country"]: rows["country"],
            t["cpi_score"]: rows["score"].map(lambda v: fmt_number(v, 1)),
        }
    )


def thesis_table_04(eiu: pd.DataFrame, country_names: dict[str, str]) -> pd.DataFrame:
    """Table 4: EIU 2008 e-readiness; highest/lowest printed as 'score (country)'."""
    rows = eiu.sort_values("order")

    def cell(score: float, iso3: str) -> str:
        return f"{fmt_number(score, 2)} ({country_names[iso3]})"

    return pd.DataFrame(
        {
            "Categories": rows["category"],
            "Weight (%)": rows["weight_pct"].map(lambda v: "" if pd.isna(v) else f"{fmt_number(v)}%"),
            "KAZ": rows["kaz_score"].map(lambda v: fmt_number(v, 2)),
            "Highest Score/Country": [cell(s, c) for s, c in zip(rows["highest_score"], rows["highest_iso3"])],
            "Lowest Score/Country": [cell(s, c) for s, c in zip(rows["lowest_score"], rows["lowest_iso3"])],
        }
    )


def thesis_table_11(barriers: pd.DataFrame) -> pd.DataFrame:
    """Table 11: one row per provider, ties kept, in printed order."""
    t = titles("thesis_table_11_barriers")
    rows = barriers.sort_values("order")
    return pd.DataFrame({t["rating"]: rows["rating"].map(str), t["provider"]: rows["provider"]})
