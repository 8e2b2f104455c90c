"""The reproduction report: round trips of every rebuilt published table against the as-printed
raw transcription, the studies' internal consistency checks, and the catalogue of tables and figures.

The round trip reads the raw files as plain text (the csv module, no typing or cleaning), so it is
independent of the path the published tables take (raw -> typed -> processed -> rendered)."""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from . import paths, registry
from .io import titles, validate
from .tables import read_published

STATUSES = [
    "rebuilt cell-exact",
    "rebuilt: dates and legislation cell-exact, key points summarised",
    "rebuilt as chart from data",
    "rebuilt as table from data",
    "qualitative: summarised and located",
    "not rebuildable",
]
KINDS = ["quantitative table", "data-bearing figure", "qualitative table", "diagram", "photograph", "in-text series"]


def _raw_text(name: str) -> list[dict[str, str]]:
    with (paths.raw_dir() / f"{name}.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _plain(name: str, columns: list[str]) -> pd.DataFrame:
    rows, t = _raw_text(name), titles(name)
    return pd.DataFrame([[r[c] for c in columns] for r in rows], columns=[t[c] for c in columns])


def _table_04() -> pd.DataFrame:
    rows = _raw_text("thesis_table_04_eiu")
    return pd.DataFrame(
        [
            [
                r["category"],
                f"{r['weight_pct']}%" if r["weight_pct"] else "",
                r["kaz_score"],
                f"{r['highest_score']} ({r['highest_country']})",
                f"{r['lowest_score']} ({r['lowest_country']})",
            ]
            for r in rows
        ],
        columns=["Categories", "Weight (%)", "KAZ", "Highest Score/Country", "Lowest Score/Country"],
    )


def _table_09() -> pd.DataFrame:
    rows = _raw_text("thesis_table_09_services")
    heads = [
        f"{r['agency']} ({r['services_count']} services)"
        + (f" ({r['period_as_printed']})" if r["period_as_printed"] else "")
        for r in rows
    ]
    return pd.DataFrame([[r["services_examples"] for r in rows]], columns=heads)


# published table -> its printed form built from the raw text alone
PRINTED_FROM_RAW: dict[str, Callable[[], pd.DataFrame]] = {
    "thesis_table_02": lambda: _plain(
        "thesis_table_02_wgi",
        [
            "country",
            "voice_and_accountability",
            "political_stability",
            "government_effectiveness",
            "regulatory_quality",
            "rule_of_law",
            "control_of_corruption",
        ],
    ),
    "thesis_table_03": lambda: _plain("thesis_table_03_cpi", ["country_rank", "country", "cpi_score"]),
    "thesis_table_04": _table_04,
    "thesis_table_05": lambda: _plain("thesis_table_05_legislation", ["date_as_printed", "legislation_as_printed"]),
    "thesis_table_08": lambda: _plain("thesis_table_08_case_offices", ["attribute", "oss_1", "oss_2"]),
    "thesis_table_09": _table_09,
    "thesis_table_11": lambda: _plain("thesis_table_11_barriers", ["rating", "provider"]),
}


def round_trip(table: str, published_dir: Path) -> dict[str, object]:
    """Compare a published table with its printed form from raw, cell by cell (only the printed
    columns; Table 5's summarised key points are not printed text and are left out)."""
    expected = PRINTED_FROM_RAW[table]()
    got = read_published(Path(published_dir) / f"{table}.csv")
    got.columns = ["" if c.startswith("Unnamed") else c for c in got.columns]
    expected.columns = list(expected.columns)
    mismatches = []
    match = 0
    for j, col in enumerate(expected.columns):  # the printed headers are cells too
        mine = got.columns[j] if j < len(got.columns) else None
        if mine == col:
            match += 1
        else:
            mismatches.append(f"header {j + 1}: published {mine!r} vs printed {col!r}")
    if got.shape[0] != expected.shape[0]:
        mismatches.append(f"rows: published {got.shape[0]} vs printed {expected.shape[0]}")
    n_rows = min(got.shape[0], expected.shape[0])
    total = (expected.shape[0] + 1) * expected.shape[1]
    for i in range(n_rows):
        for j, col in enumerate(expected.columns):
            a, b = str(got.iat[i, j]), str(expected.iat[i, j])
            if a == b:
                match += 1
            else:
                mismatches.append(f"row {i + 1}, column {col!r}: published {a!r} vs printed {b!r}")
    return {
        "table": table,
        "cells": total,
        "matching": match,
        "summary": f"{match} of {total} cells match",
        "mismatches": "; ".join(mismatches),
    }


@dataclass(frozen=True)
class Check:
    name: str
    where: str
    expected: str
    observed: str
    holds: bool
    erratum: str | None = None

    @property
    def outcome(self) -> str:
        if self.holds:
            return "holds"
        return f"known erratum ({self.erratum})" if self.erratum else "differs"


def consistency_checks() -> pd.DataFrame:
    """The studies' internal consistency checks, each computed from the data."""
    from . import analysis, clean

    facts = clean.load("facts").set_index("fact_id")
    v = lambda fid: float(facts.loc[fid, "value"])  # noqa: E731
    eiu = clean.load("eiu_2008")
    wgi = clean.load("wgi_2008")
    cpi = clean.load("cpi_2009")
    barriers = clean.load("barriers_2007")
    services = clean.load("services_by_agency")
    checks: list[Check] = []

    overall = analysis.eiu_overall_check(eiu).iloc[0]
    checks.append(
        Check(
            "Table 4: overall score = weighted mean of the category scores",
            "Table 4, lines 302-308",
            f"{overall['printed_overall']:.2f} (printed)",
            f"{overall['recomputed_overall']:.3f}",
            bool(overall["holds_to_printed_precision"]),
        )
    )
    checks.append(
        Check(
            "Table 4 vs text: Kazakhstan's EIU score",
            "lines 295 and 302",
            f"{v('T015'):.2f}",
            f"{overall['printed_overall']:.2f}",
            v("T015") == overall["printed_overall"],
        )
    )
    checks.append(
        Check(
            "EIU rank 66 of 70 vs the countries named as ranked below",
            "lines 295 and 312",
            f"{v('T014') - v('T013'):g} below",
            f"{v('T020'):g} named",
            v("T014") - v("T013") == v("T020"),
            "E005",
        )
    )

    wide = wgi.pivot(index="iso3", columns="indicator_name", values="percentile")
    text = facts[facts["quantity"] == "wgi_percentile_in_text"]
    ok = [wide.loc[r.iso3, r.entity.split(": ")[1]] == r.value for r in text.itertuples()]
    checks.append(
        Check(
            "Text vs Table 2: every WGI value the text repeats",
            "lines 263-269",
            f"{len(ok)} values equal",
            f"{sum(ok)} equal",
            all(ok),
        )
    )
    by = cpi.set_index("iso3")
    text = facts[facts["quantity"] == "cpi_score_in_text"]
    ok = [by.loc[r.iso3, "score"] == r.value for r in text.itertuples()] + [by.loc["KAZ", "rank"] == v("T011")]
    checks.append(
        Check(
            "Text vs Table 3: every CPI score and rank the text repeats",
            "lines 271, 289-291",
            f"{len(ok)} values equal",
            f"{sum(ok)} equal",
            all(ok),
        )
    )

    rating = barriers.set_index("provider")["rating"]
    checks.append(
        Check(
            "Text vs Table 11: OSS position",
            "lines 2064 and 2057",
            f"{v('T080'):g}",
            f"{rating['One Stop Shop']}",
            rating["One Stop Shop"] == v("T080"),
        )
    )
    checks.append(
        Check(
            "Text vs Table 11: nurseries' position",
            "lines 2090 and 2060",
            f"{v('T083'):g}",
            f"{rating['Nurseries']}",
            rating["Nurseries"] == v("T083"),
        )
    )
    below = sorted(barriers.loc[barriers["rating"] > rating["One Stop Shop"], "provider"])
    checks.append(
        Check(
            "Text vs Table 11: only secondary schools and border security rate better than the OSS",
            "line 2064",
            "Border security bodies, Secondary schools",
            ", ".join(below),
            below == ["Border security bodies", "Secondary schools"],
        )
    )
    top = ["Land registration", "Passport desks", "Property Centres"]
    checks.append(
        Check(
            "Text vs Table 11: land registration, passport desks, property centres in the top five",
            "line 2064",
            "all <= 5",
            ", ".join(f"{p} {rating[p]}" for p in top),
            all(rating[p] <= 5 for p in top),
        )
    )
    lagging = {"Departments of justice": 11, "State Registration authorities": 12, "Military registration bodies": 12}
    checks.append(
        Check(
            "Text vs Table 11: justice 11th, state and military registration 12th",
            "line 2066",
            ", ".join(f"{p} {k}" for p, k in lagging.items()),
            ", ".join(f"{p} {rating[p]}" for p in lagging),
            all(rating[p] == k for p, k in lagging.items()),
        )
    )
    checks.append(
        Check(
            "Sange survey: providers rated vs rows of Table 11",
            "lines 2046 and 2048",
            f"{v('T079'):g}",
            f"{len(barriers)}",
            len(barriers) == v("T079"),
        )
    )
    checks.append(
        Check(
            "Sange survey: OSS compared with 'the other 34' providers",
            "lines 2066 and 2046",
            f"{len(barriers) - 1} others",
            "34 others",
            len(barriers) - 1 == 34,
            "E008",
        )
    )

    total = int(services["services_count"].sum())
    checks.append(
        Check(
            "Table 9: sum of the service counts vs the 25 services stated",
            "lines 1071 and 186",
            f"{v('T052'):g}",
            f"{total}",
            total == v("T052"),
            "E002",
        )
    )
    in_force = analysis.services_in_force(services, "2007-01")
    checks.append(
        Check(
            "Table 9: services in force from January 2007 vs the 25 stated",
            "lines 1071 and 186",
            f"{v('T052'):g}",
            f"{in_force}",
            in_force == v("T052"),
        )
    )
    checks.append(
        Check(
            "Services: 25 + 32 added = 57",
            "lines 186, 207, 848",
            f"{v('T059'):g}",
            f"{v('T052') + v('T054'):g}",
            v("T052") + v("T054") == v("T059"),
        )
    )
    parts = sum(v(f) for f in ("T098", "T099", "T100", "T101", "T102"))
    checks.append(
        Check(
            "Table 8: staff breakdown adds to the total",
            "line 713",
            f"{v('T097'):g}",
            f"{parts:g}",
            parts == v("T097"),
            "E006",
        )
    )
    checks.append(
        Check(
            "Table 8 vs text: deputy managers",
            "lines 713 and 811",
            f"{v('T099'):g}",
            f"{v('T107'):g}",
            v("T099") == v("T107"),
            "E007",
        )
    )
    stages = clean.load("oss_stages")
    checks.append(
        Check(
            "Figure 4: 'four stages' vs items listed",
            "lines 1032-1038",
            "4",
            f"{len(stages)} ({int((~stages['is_vision']).sum())} dated + vision)",
            len(stages) == 4,
            "E009",
        )
    )
    events = clean.load("legislation_events").set_index("date_as_printed")
    checks.append(
        Check(
            "Offices in 2007: Table 5 vs the Minister's count",
            "lines 338 and 2070",
            f"{events.loc['From January 2007', 'offices']:g} (Table 5)",
            f"{v('T048'):g} opened",
            events.loc["From January 2007", "offices"] == v("T048"),
            "E003",
        )
    )
    checks.append(
        Check(
            "Services in 2007: district offices vs all offices",
            "line 2070",
            f"<= {v('T073') * 1e6:,.0f}",
            f"{v('T076'):,.0f}",
            v("T076") <= v("T073") * 1e6,
            "E015",
        )
    )
    checks.append(
        Check(
            "Fees: legal fast-track fee 'twice' the illegal fee",
            "lines 2078 and 2080",
            "2.00",
            f"{v('T151') / v('T149'):.2f}",
            v("T151") / v("T149") == 2,
            "E014",
        )
    )
    rate_a, rate_b = v("T156") / 50, v("T162") / 50
    checks.append(
        Check(
            "Exchange rate implied by the tenge/GBP pairs",
            "lines 2038 and 2092",
            f"{rate_a:g} KZT/GBP",
            f"{rate_b:g} KZT/GBP",
            rate_a == rate_b,
        )
    )
    checks.append(
        Check(
            "Rural population: 'nearly half' vs 43%",
            "lines 207 and 235",
            f"{v('T006'):g}% (in words)",
            f"{v('T005'):g}%",
            v("T005") == v("T006"),
            "E018",
        )
    )
    checks.append(
        Check(
            "Astana population 'increased three times'",
            "line 824",
            "3",
            f"{facts.loc['T138', 'value_high'] / v('T138'):.2f}",
            facts.loc["T138", "value_high"] / v("T138") == 3,
            "E023",
        )
    )
    checks.append(
        Check(
            "Article: State Corporation share of services",
            "article lines 19 and 35",
            "all 1323 (line 35)",
            f"more than {v('A001'):g}% (line 19)",
            False,
            "E020",
        )
    )
    users = facts.loc[["A011", "A012"], "value"]
    checks.append(
        Check(
            "Article: e-government users 'increased' 2009-2018",
            "article line 117",
            "end > start",
            f"{users.iloc[0]:g} -> {users.iloc[1]:g} (units as printed)",
            users.iloc[1] > users.iloc[0],
            "E004",
        )
    )
    checks.append(
        Check(
            "Article vs thesis: start of the OSS programme",
            "article line 107; thesis lines 207, 335",
            "2005 (thesis)",
            f"{v('A018'):g} (article)",
            v("A018") == 2005,
            "E011",
        )
    )
    errata = set(clean.load("errata")["erratum_id"])
    unknown = {c.erratum for c in checks if c.erratum and c.erratum not in errata}
    if unknown:
        raise ValueError(f"checks cite errata not in data/raw/errata.csv: {sorted(unknown)}")
    return pd.DataFrame(
        [
            {"check": c.name, "where": c.where, "expected": c.expected, "observed": c.observed, "outcome": c.outcome}
            for c in checks
        ]
    )


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
    checks=[
        pa.Check(
            lambda d: (d["status"].str.startswith("rebuilt") == d["notebook"].notna()).all(),
            error="rebuilt items name their notebook, others do not",
        )
    ],
    strict=True,
    coerce=True,
)


def catalogue() -> pd.DataFrame:
    """The catalogue of every table, figure and in-text series (docs/catalogue.csv), validated:
    rebuilt entries name a registered notebook and only outputs that notebook declares."""
    frame = validate(pd.read_csv(paths.root() / "docs" / "catalogue.csv"), CATALOGUE, "docs/catalogue.csv")
    notebooks = registry.notebooks()
    for i, r in frame.iterrows():
        if pd.isna(r["notebook"]):
            continue
        if r["notebook"] not in notebooks:
            raise ValueError(f"docs/catalogue.csv line {i + 2}: unknown notebook {r['notebook']!r}")
        missing = set(str(r["outputs"]).split()) - set(notebooks[r["notebook"]].outputs)
        if missing:
            raise ValueError(f"docs/catalogue.csv line {i + 2}: {r['notebook']} does not declare {sorted(missing)}")
    return frame
