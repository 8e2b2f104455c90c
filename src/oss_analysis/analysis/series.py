"""The series since the thesis for one focus country, from the publishers' files (docs/stages/analysis.md)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import pandas as pd
from scipy.special import ndtr, ndtri  # what scipy.stats.norm uses, without importing scipy.stats (1 s)

from oss_analysis.domain import THESIS_YEAR, WGI_CODES, source_label, source_labels
from oss_analysis.parameters import load_groups

Z90 = float(ndtri(0.95))  # 1.645: two-sided 90%, the World Bank's interval
SCALE_BREAK = 2012  # first CPI edition on the 0-100 scale
POST_SOVIET = "config/groups/former_soviet_union.csv"  # the fifteen post-Soviet states: their one definition
UN_FILE = "UN E-Government Survey file"


def post_soviet(available: Iterable[str]) -> list[str]:
    """The fifteen post-Soviet states, from their one definition file whatever groups a run sets."""
    groups = load_groups(POST_SOVIET, dict.fromkeys(available, ""))
    return [m for members in groups.values() for m in members]


def medians(focus: str, groups: Mapping[str, Sequence[str]], available: Iterable[str]) -> dict[str, list[str]]:
    """Label -> members of the group's and the post-Soviet median, over the others ('Baltic states: mean of ...')."""
    group = next((name for name, members in groups.items() if focus in members), None)
    mates = [m for m in groups[group] if m != focus] if group else []
    defined = post_soviet(available)
    others = [m for m in defined if m != focus]
    label = f"post-Soviet median ({f'other {len(others)}' if focus in defined else f'all {len(defined)}'})"
    mine = f"{group}: mean of {' and '.join(mates)}" if len(mates) == 2 else f"{group} median (other {len(mates)})"
    return ({mine: mates} if mates else {}) | {label: others}


def wgi_series(wgi_sources: pd.DataFrame, focus: str, groups: Mapping[str, Sequence[str]]) -> pd.DataFrame:
    """Long table of the latest release: the focus country and each median, by indicator and year."""
    release = int(wgi_sources["release"].max())
    src = wgi_sources[wgi_sources["release"] == release]
    own = src[src["iso3"] == focus]
    bounds = {"lower": own["pct_rank_lower"].astype(float), "upper": own["pct_rank_upper"].astype(float)}
    parts = [own.assign(series=focus, value=own["pct_rank"].astype(float), **bounds, n=1, members=focus)]
    for name, codes in medians(focus, groups, src["iso3"].unique()).items():
        med = src[src["iso3"].isin(codes)].groupby(["indicator", "year"], as_index=False)
        agg = med.agg(value=("pct_rank", "median"), n=("pct_rank", "count"), source_file=("source_file", "first"))
        agg["value"] = agg["value"].round(10)  # the mean of two middle values, without float noise
        parts.append(agg.assign(series=name, release=release, members=" ".join(codes)))  # no interval: NaN
    out = pd.concat(parts, ignore_index=True)
    out["indicator_name"] = out["indicator"].map(WGI_CODES)
    out["source"] = [source_label("World Bank WGI release", release, f) for f in out["source_file"]]
    cols = ["indicator", "indicator_name", "year", "series", "value", "lower", "upper", "n", "members", "release"]
    order = {code: i for i, code in enumerate(WGI_CODES)}
    out = out.assign(_o=out["indicator"].map(order)).sort_values(["_o", "series", "year"], kind="stable")
    return out[[*cols, "source"]].reset_index(drop=True)


def cpi_series(cpi_sources: pd.DataFrame, focus: str) -> pd.DataFrame:
    """One CPI score a year for the focus country on its year's scale, with a 90% interval where there is an SE."""
    own = cpi_sources[(cpi_sources["iso3"] == focus) & cpi_sources["score"].notna()].copy()
    own = own[own["scale"] == own["year"].map(lambda y: 100 if y >= SCALE_BREAK else 10)]
    own = own.sort_values(["year", "edition", "source_file"], kind="stable").groupby("year").tail(1)
    score, se = own["score"].astype(float), own["stderr"].astype(float)
    panel = ["0-10 (to 2011)" if s == 10 else "0-100 (from 2012)" for s in own["scale"]]
    return pd.DataFrame(
        {"year": own["year"].astype(int), "scale": own["scale"].astype(int), "panel": panel,
         # at TI's printed precision: the merged file holds 2011 unrounded (2.694, printed 2.7)
         "score": [round(v, 2 if y < 1998 else 1 if y < SCALE_BREAK else 0)
                   for v, y in zip(score, own["year"], strict=True)],
         "lower": (score - Z90 * se).round(2), "upper": (score + Z90 * se).round(2),  # to the SE's precision
         "rank": own["rank"].astype("Int64"), "source": source_labels("TI CPI edition", own, "edition")}
    ).reset_index(drop=True)


def egov_series(egdi_sources: pd.DataFrame, printed: pd.DataFrame, focus: str) -> pd.DataFrame:
    """UN e-government rank and EGDI of the focus country in every edition shipped, and its printed ranks."""
    surveyed = egdi_sources.dropna(subset=["rank"]).groupby("edition")["iso3"].count()
    own = egdi_sources[egdi_sources["iso3"] == focus].sort_values("edition")
    files = pd.DataFrame({"year": own["edition"].astype(int), "kind": UN_FILE, "rank": own["rank"].astype("Int64"),
                          "egdi": own["egdi"].astype(float), "surveyed": own["edition"].map(surveyed).astype("Int64"),
                          "source": source_labels("UN E-Government Survey", own, "edition")})
    mine = printed[(printed["iso3"] == focus) & ~printed["derived"]]
    shown = pd.DataFrame({"year": mine["year"].astype(int), "kind": "printed (" + mine["study"] + ")",
                          "rank": mine["rank"].astype("Int64"), "egdi": float("nan"),
                          "surveyed": pd.array([pd.NA] * len(mine), dtype="Int64"),
                          "source": mine["study"] + " " + mine["source"]})
    out = pd.concat([files, shown], ignore_index=True)
    return out.sort_values(["year", "kind"], kind="stable").reset_index(drop=True)


def _overlap(a: tuple[float, float], b: tuple[float, float]) -> str:
    if any(pd.isna(v) for v in (*a, *b)):
        return "no interval"
    return "yes" if a[0] <= b[1] and b[0] <= a[1] else "no"


def _row(measure: str, a: pd.Series, b: pd.Series, col: str, **rest: object) -> dict[str, object]:
    """One row of the then-and-now table: ``a`` then, ``b`` now; ``rest`` the other columns (or intervals)."""
    return {"measure": measure, "year_then": int(a["year"]), "value_then": float(a[col]),
            "interval_then": _span(a.get("lower"), a.get("upper")), "year_now": int(b["year"]),
            "value_now": float(b[col]), "interval_now": _span(b.get("lower"), b.get("upper")), **rest}


def wgi_then_now(wgi_sources: pd.DataFrame, focus: str, then: int = THESIS_YEAR) -> pd.DataFrame:
    """Per WGI indicator: the focus country then and now, intervals, overlap, z (docs/stages/analysis.md)."""
    release = int(wgi_sources["release"].max())
    own = wgi_sources[(wgi_sources["release"] == release) & (wgi_sources["iso3"] == focus)]
    now = int(own.dropna(subset=["pct_rank"])["year"].max())
    rows = []
    for code, name in WGI_CODES.items():
        a, b = (own[(own["indicator"] == code) & (own["year"] == y)].astype(object).iloc[0] for y in (then, now))
        estimates = (a.estimate, b.estimate, a.stderr, b.stderr)
        ea, eb, sa, sb = (float(x) if pd.notna(x) else float("nan") for x in estimates)
        z = (eb - ea) / (sa**2 + sb**2) ** 0.5
        pa, pb = (float(a.pct_rank_lower), float(a.pct_rank_upper)), (float(b.pct_rank_lower), float(b.pct_rank_upper))
        rows.append(_row(
            f"WGI {name} (percentile rank)", a, b, "pct_rank", interval_then=_span(*pa), interval_now=_span(*pb),
            intervals_overlap=_overlap(pa, pb),
            estimate_overlap=_overlap((ea - Z90 * sa, ea + Z90 * sa), (eb - Z90 * sb, eb + Z90 * sb)),
            z_estimates=round(z, 2), p_two_sided=round(float(2 * ndtr(-abs(z))), 4),
            source=source_label("World Bank WGI release", release, a.source_file),
        ))
    return pd.DataFrame(rows)


def other_then_now(cpi: pd.DataFrame, egov: pd.DataFrame, then: int = THESIS_YEAR) -> pd.DataFrame:
    """CPI score, UN e-government rank and EGDI in the thesis's year (or first edition after) and the latest."""
    rows = []
    c_then = cpi[cpi["year"] == then]
    if len(c_then):
        a, b = c_then.iloc[0], cpi.tail(1).iloc[0]
        scales = "not comparable: the scale changed in 2012"
        rows.append(("CPI score (0-10 to 2011, 0-100 from 2012)", a, b, "score", scales))
    files = egov[egov["kind"] == UN_FILE]
    printed = egov[(egov["kind"] != UN_FILE) & (egov["year"] == then)]
    if len(files):
        first = printed.iloc[0] if len(printed) else files.iloc[0]
        rows.append(("UN e-government rank (1 = best)", first, files.iloc[-1], "rank", "no interval: ranks have none"))
        rows.append(("UN EGDI (0-1)", files.iloc[0], files.iloc[-1], "egdi", "no interval: the survey gives none"))
    nan = float("nan")
    return pd.DataFrame(
        _row(measure, a, b, col, intervals_overlap=overlap, estimate_overlap="", z_estimates=nan, p_two_sided=nan,
             source=f"{a['source']}; {b['source']}" if a["source"] != b["source"] else a["source"])
        for measure, a, b, col, overlap in rows
    )


def _span(lo: object, hi: object) -> str:
    """'15.7-26': an interval to one decimal, a whole bound written whole."""
    return "" if lo is None or pd.isna(lo) or pd.isna(hi) else f"{round(float(lo), 1):g}-{round(float(hi), 1):g}"


def then_and_now(wgi_sources: pd.DataFrame, cpi: pd.DataFrame, egov: pd.DataFrame, focus: str,
                 then: int = THESIS_YEAR) -> pd.DataFrame:
    """The then-and-now table: six WGI indicators, the CPI score, UN rank and EGDI."""
    return pd.concat([wgi_then_now(wgi_sources, focus, then), other_then_now(cpi, egov, then)], ignore_index=True)
