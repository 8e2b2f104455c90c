"""The studies' tables rebuilt as printed from ``data/processed/`` (headers: the data package's field titles)."""

from __future__ import annotations

import pandas as pd

from oss_analysis.extract.transcriptions import titles
from oss_analysis.output.source_line import credits
from oss_analysis.output.tables import fmt_number


def _from(rows: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    """The table with the credits of the printed rows it shows, so that its claims name the print."""
    table.attrs["sources"] = credits(rows[rows["seed_line"].notna()] if "seed_line" in rows else rows)
    table.attrs["as_printed"] = True  # its numbers as the print writes them ('2.0'), not as they mean
    return table


def thesis_table_02(wgi: pd.DataFrame) -> pd.DataFrame:
    """Table 2: countries x six WGI dimensions, percentile ranks printed in shortest form."""
    t = titles("thesis_table_02_wgi")
    wgi = wgi[wgi["seed_line"].notna()]  # the printed table only; user additions are not in it
    order = wgi.groupby("country", sort=False)["seed_line"].first().sort_values().index
    wide = wgi.pivot(index="country", columns="indicator_name", values="percentile").loc[order]
    dims = [t[f] for f in t if f not in ("country", "seed_line")]
    return _from(wgi, wide[dims].map(fmt_number).rename_axis(index=t["country"], columns=None).reset_index())


def thesis_table_03(cpi: pd.DataFrame) -> pd.DataFrame:
    """Table 3: CPI 2009 rank, country and score (one decimal, as printed)."""
    t = titles("thesis_table_03_cpi")
    rows = cpi[cpi["seed_line"].notna()].sort_values("seed_line", kind="stable").reset_index(drop=True)
    cols = {t["country_rank"]: rows["rank"].map(lambda r: str(int(r))), t["country"]: rows["country"]}
    return _from(cpi, pd.DataFrame(cols | {t["cpi_score"]: rows["score"].map(lambda v: fmt_number(v, 1))}))


def thesis_table_04(eiu: pd.DataFrame) -> pd.DataFrame:
    """Table 4: EIU 2008 e-readiness; highest/lowest printed as 'score (country)'."""
    rows = eiu.sort_values("order")
    return _from(eiu, pd.DataFrame({
        "Categories": rows["category"],
        "Weight (%)": rows["weight_pct"].map(lambda v: "" if pd.isna(v) else f"{fmt_number(v)}%"),
        "KAZ": rows["kaz_score"].map(lambda v: fmt_number(v, 2)),
        **{f"{end.title()} Score/Country": [f"{fmt_number(s, 2)} ({c})" for s, c in zip(
            rows[f"{end}_score"], rows[f"{end}_country"], strict=False)] for end in ("highest", "lowest")},
    }))


def thesis_table_11(barriers: pd.DataFrame) -> pd.DataFrame:
    """Table 11: one row per provider, ties kept, in printed order."""
    t = titles("thesis_table_11_barriers")
    rows = barriers.sort_values("order")
    return _from(barriers, pd.DataFrame({t["rating"]: rows["rating"].map(str), t["provider"]: rows["provider"]}))


def thesis_table_05(events: pd.DataFrame) -> pd.DataFrame:
    """Table 5 in printed order: date and legislation as printed, key points in our own words."""
    t = titles("thesis_table_05_legislation")
    rows = events.sort_values("printed_order")
    cols = {t[c]: rows[c] for c in ("date_as_printed", "legislation_as_printed")}
    return _from(events, pd.DataFrame(cols | {"Key points (summarised)": rows["key_points_summary"]}))


def thesis_table_08(case: pd.DataFrame) -> pd.DataFrame:
    """Table 8 as printed: a blank OSS-2 cell where the printed cell spans both offices."""
    t = titles("thesis_table_08_case_offices")
    return _from(case, pd.DataFrame({t["attribute"]: case["attribute"], t["oss_1"]: case["oss_1"],
                                     t["oss_2"]: case["oss_2"].fillna("")}))


def thesis_table_09(services: pd.DataFrame) -> pd.DataFrame:
    """Table 9 as printed: one column per ministry/agency, headed with its count and period."""
    rows = services.sort_values("printed_order")
    heads = zip(rows["agency"], rows["services_count"], rows["period_as_printed"], strict=False)
    headers = [f"{a} ({n} services)" + (f" ({p})" if isinstance(p, str) and p else "") for a, n, p in heads]
    return _from(services, pd.DataFrame([list(rows["services_examples"])], columns=headers))
