"""Derived numbers the notebooks report: comparisons the studies state, recomputed totals and
counts, here so that the notebooks stay narrative and the tests can check each function."""

from __future__ import annotations

import pandas as pd


def relation(value: float, others: list[float], similar_within: float) -> str:
    """Where a value stands against a set: above/below all, similar (within a margin), or mixed."""
    if all(abs(value - o) <= similar_within for o in others):
        return "similar to all"
    if all(value > o for o in others):
        return "above all"
    if all(value < o for o in others):
        return "below all"
    return "mixed"


def wgi_comparisons(wgi: pd.DataFrame, groups: dict[str, list[str]], focus: str, *,
                    similar_within: float = 5.0) -> pd.DataFrame:
    """The focus country against each comparator group on government effectiveness and control of
    corruption (the WGI dimensions the thesis discusses), and its rank in its own group."""
    wide = wgi.pivot(index="iso3", columns="indicator", values="percentile")
    rows = []
    for ind in ("GE", "CC"):
        mine = float(wide.loc[focus, ind])
        for group, members in groups.items():
            others = [m for m in members if m != focus]
            if not others:
                continue
            values = [float(wide.loc[m, ind]) for m in others]
            in_group = focus in members
            rank = int((wide.loc[members, ind] > mine).sum()) + 1 if in_group else None
            rows.append(
                {"indicator": ind, "group": group, "focus_value": mine,
                 "comparators": ", ".join(f"{m} {v:g}" for m, v in zip(others, values, strict=False)),
                 "min": min(values), "max": max(values), "relation": relation(mine, values, similar_within),
                 "focus_rank_in_own_group": rank, "group_size": len(members) if in_group else None}
            )
    return pd.DataFrame(rows)


def eiu_overall_check(eiu: pd.DataFrame) -> pd.DataFrame:
    """Kazakhstan's EIU overall score recomputed as the weighted mean of its category scores."""
    cats = eiu[eiu["weight_pct"].notna()]
    weighted = float((cats["weight_pct"] * cats["kaz_score"]).sum() / cats["weight_pct"].sum())
    printed = float(eiu.loc[eiu["weight_pct"].isna(), "kaz_score"].iloc[0])
    holds = round(weighted, 2) == round(printed, 2)  # weights in whole percent, scores to 2 decimals: 4 decimals
    return pd.DataFrame([{"weights_sum_pct": float(cats["weight_pct"].sum()), "recomputed_overall": weighted,
                          "printed_overall": printed, "difference": round(weighted - printed, 4),
                          "holds_to_printed_precision": holds}])


def services_in_force(services: pd.DataFrame, month: str) -> int:
    """Number of OSS services whose printed period covers a year-month ('2006-06')."""
    live = (services["period_start"] <= month) & (services["period_end"] >= month)
    return int(services.loc[live, "services_count"].sum())


def services_by_period(services: pd.DataFrame) -> pd.DataFrame:
    """Services per stakeholder in each period where the set of stakeholders is constant."""
    bounds = sorted(set(services["period_start"]))
    rows = []
    for i, start in enumerate(bounds):
        live = services[(services["period_start"] <= start) & (services["period_end"] >= start)]
        end = live["period_end"].min()
        if i + 1 < len(bounds):  # up to the month before the next period starts
            end = min(end, (pd.Period(bounds[i + 1], "M") - 1).strftime("%Y-%m"))
        for r in live.itertuples():
            rows.append({"period": f"{start} to {end}", "period_start": start, "period_end": end, "agency": r.agency,
                         "services": int(r.services_count)})
    out = pd.DataFrame(rows)
    out["period_total"] = out.groupby("period")["services"].transform("sum")
    return out
