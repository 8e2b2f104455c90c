"""The studies' internal consistency checks, one small function each, in the registry ``report`` runs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, cached_property

import pandas as pd

from oss_analysis.analysis import comparisons
from oss_analysis.transform import clean

Outcome = tuple[str, str, bool]  # expected, observed, holds


class Data:
    """The processed tables the checks read, each loaded (and validated) once."""

    def __init__(self) -> None:
        self.table = cache(clean.load)

    @cached_property
    def facts(self) -> pd.DataFrame:
        return self.table("facts").set_index("fact_id")

    def v(self, fact_id: str) -> float:
        """The value of one in-text fact."""
        return float(self.facts.loc[fact_id, "value"])

    def stated(self, fact_id: str, value: float) -> Outcome:
        """A number the text states against the value the data give."""
        return f"{self.v(fact_id):g}", f"{value:g}", value == self.v(fact_id)

    @cached_property
    def rating(self) -> pd.Series:
        """Table 11's rating by provider."""
        return self.table("barriers_2007").set_index("provider")["rating"]

    @cached_property
    def eiu_overall(self) -> pd.Series:
        return comparisons.eiu_overall_check(self.table("eiu_2008")).iloc[0]


Compute = Callable[[Data], Outcome]


@dataclass(frozen=True)
class Check:
    name: str
    where: str  # the locations in the studies the check compares
    erratum: str | None
    compute: Compute


CHECKS: dict[str, Check] = {}


def check(id: str, name: str, where: str, erratum: str | None = None) -> Callable[[Compute], Compute]:
    """Register a consistency check under its id (ids are unique; order is the report's order)."""

    def register(fn: Compute) -> Compute:
        if id in CHECKS:
            raise ValueError(f"consistency check {id} is registered twice")
        CHECKS[id] = Check(name, where, erratum, fn)
        return fn

    return register


@check("C01", "Table 4: overall score = weighted mean of the category scores", "Table 4, lines 302-308")
def _eiu_weighted_mean(d: Data) -> Outcome:
    o = d.eiu_overall
    holds = bool(o["holds_to_printed_precision"])
    return f"{o['printed_overall']:.2f} (printed)", f"{o['recomputed_overall']:.3f}", holds


@check("C02", "Table 4 vs text: Kazakhstan's EIU score", "lines 295 and 302")
def _eiu_score_in_text(d: Data) -> Outcome:
    printed = d.eiu_overall["printed_overall"]
    return f"{d.v('T015'):.2f}", f"{printed:.2f}", d.v("T015") == printed


@check("C03", "EIU rank 66 of 70 vs the countries named as ranked below", "lines 295 and 312", "E005")
def _eiu_rank_below(d: Data) -> Outcome:
    below = d.v("T014") - d.v("T013")
    return f"{below:g} below", f"{d.v('T020'):g} named", below == d.v("T020")


@check("C04", "Text vs Table 2: every WGI value the text repeats", "lines 263-269")
def _wgi_in_text(d: Data) -> Outcome:
    wide = d.table("wgi_2008").pivot(index="iso3", columns="indicator_name", values="percentile")
    text = d.facts[d.facts["quantity"] == "wgi_percentile_in_text"]
    ok = [wide.loc[r.iso3, r.entity.split(": ")[1]] == r.value for r in text.itertuples()]
    return f"{len(ok)} values equal", f"{sum(ok)} equal", all(ok)


@check("C05", "Text vs Table 3: every CPI score and rank the text repeats", "lines 271, 289-291")
def _cpi_in_text(d: Data) -> Outcome:
    by = d.table("cpi_2009").set_index("iso3")
    text = d.facts[d.facts["quantity"] == "cpi_score_in_text"]
    ok = [by.loc[r.iso3, "score"] == r.value for r in text.itertuples()] + [by.loc["KAZ", "rank"] == d.v("T011")]
    return f"{len(ok)} values equal", f"{sum(ok)} equal", all(ok)


@check("C06", "Text vs Table 11: OSS position", "lines 2064 and 2057")
def _oss_position(d: Data) -> Outcome:
    return d.stated("T080", d.rating["One Stop Shop"])


@check("C07", "Text vs Table 11: nurseries' position", "lines 2090 and 2060")
def _nurseries_position(d: Data) -> Outcome:
    return d.stated("T083", d.rating["Nurseries"])


@check("C08", "Text vs Table 11: only secondary schools and border security rate better than the OSS", "line 2064")
def _better_than_oss(d: Data) -> Outcome:
    barriers = d.table("barriers_2007")
    below = sorted(barriers.loc[barriers["rating"] > d.rating["One Stop Shop"], "provider"])
    expected = ["Border security bodies", "Secondary schools"]
    return ", ".join(expected), ", ".join(below), below == expected


@check("C09", "Text vs Table 11: land registration, passport desks, property centres in the top five", "line 2064")
def _top_five(d: Data) -> Outcome:
    top = ["Land registration", "Passport desks", "Property Centres"]
    shown = ", ".join(f"{p} {d.rating[p]}" for p in top)
    return "all <= 5", shown, all(d.rating[p] <= 5 for p in top)


@check("C10", "Text vs Table 11: justice 11th, state and military registration 12th", "line 2066")
def _lagging(d: Data) -> Outcome:
    lagging = {"Departments of justice": 11, "State Registration authorities": 12, "Military registration bodies": 12}
    expected = ", ".join(f"{p} {k}" for p, k in lagging.items())
    observed = ", ".join(f"{p} {d.rating[p]}" for p in lagging)
    return expected, observed, all(d.rating[p] == k for p, k in lagging.items())


@check("C11", "Sange survey: providers rated vs rows of Table 11", "lines 2046 and 2048")
def _providers_rated(d: Data) -> Outcome:
    return d.stated("T079", len(d.table("barriers_2007")))


@check("C12", "Sange survey: OSS compared with 'the other 34' providers", "lines 2066 and 2046", "E008")
def _other_34(d: Data) -> Outcome:
    others = len(d.table("barriers_2007")) - 1
    return f"{others} others", "34 others", others == 34


@check("C13", "Table 9: sum of the service counts vs the 25 services stated", "lines 1071 and 186", "E002")
def _services_sum(d: Data) -> Outcome:
    return d.stated("T052", int(d.table("services_by_agency")["services_count"].sum()))


@check("C14", "Table 9: services in force from January 2007 vs the 25 stated", "lines 1071 and 186")
def _services_in_force(d: Data) -> Outcome:
    return d.stated("T052", comparisons.services_in_force(d.table("services_by_agency"), "2007-01"))


@check("C15", "Services: 25 + 32 added = 57", "lines 186, 207, 848")
def _services_added(d: Data) -> Outcome:
    return d.stated("T059", d.v("T052") + d.v("T054"))


@check("C16", "Table 8: staff breakdown adds to the total", "line 713", "E006")
def _staff_breakdown(d: Data) -> Outcome:
    return d.stated("T097", sum(d.v(f) for f in ("T098", "T099", "T100", "T101", "T102")))


@check("C17", "Table 8 vs text: deputy managers", "lines 713 and 811", "E007")
def _deputy_managers(d: Data) -> Outcome:
    return d.stated("T099", d.v("T107"))


@check("C18", "Figure 4: 'four stages' vs items listed", "lines 1032-1038", "E009")
def _four_stages(d: Data) -> Outcome:
    stages = d.table("oss_stages")
    observed = f"{len(stages)} ({int((~stages['is_vision']).sum())} dated + vision)"
    return "4", observed, len(stages) == 4


@check("C19", "Offices in 2007: Table 5 vs the Minister's count", "lines 338 and 2070", "E003")
def _offices_2007(d: Data) -> Outcome:
    offices = d.table("legislation_events").set_index("date_as_printed").loc["From January 2007", "offices"]
    return f"{offices:g} (Table 5)", f"{d.v('T048'):g} opened", offices == d.v("T048")


@check("C20", "Services in 2007: district offices vs all offices", "line 2070", "E015")
def _district_vs_all(d: Data) -> Outcome:
    return f"<= {d.v('T073') * 1e6:,.0f}", f"{d.v('T076'):,.0f}", d.v("T076") <= d.v("T073") * 1e6


@check("C21", "Fees: legal fast-track fee 'twice' the illegal fee", "lines 2078 and 2080", "E014")
def _fees_twice(d: Data) -> Outcome:
    ratio = d.v("T151") / d.v("T149")
    return "2", f"{ratio:.2f}", ratio == 2


@check("C22", "Exchange rate implied by the tenge/GBP pairs", "lines 2038 and 2092")
def _exchange_rate(d: Data) -> Outcome:
    rate_a, rate_b = d.v("T156") / 50, d.v("T162") / 50
    return f"{rate_a:g} KZT/GBP", f"{rate_b:g} KZT/GBP", rate_a == rate_b


@check("C23", "Rural population: 'nearly half' vs 43%", "lines 207 and 235", "E018")
def _rural_population(d: Data) -> Outcome:
    return f"{d.v('T006'):g}% (in words)", f"{d.v('T005'):g}%", d.v("T005") == d.v("T006")


@check("C24", "Astana population 'increased three times'", "line 824", "E023")
def _astana_three_times(d: Data) -> Outcome:
    ratio = d.facts.loc["T138", "value_high"] / d.v("T138")
    return "3", f"{ratio:.2f}", ratio == 3


@check("C25", "Article: State Corporation share of services", "article lines 19 and 35", "E020")
def _state_corporation_share(d: Data) -> Outcome:
    return "all 1323 (line 35)", f"more than {d.v('A001'):g}% (line 19)", False


@check("C26", "Article: e-government users 'increased' 2009-2018", "article line 117", "E004")
def _egov_users(d: Data) -> Outcome:
    users = d.facts.loc[["A011", "A012"], "value"]
    return "end > start", f"{users.iloc[0]:g} -> {users.iloc[1]:g} (units as printed)", users.iloc[1] > users.iloc[0]


@check("C27", "Article vs thesis: start of the OSS programme", "article line 107; thesis lines 207, 335", "E011")
def _programme_start(d: Data) -> Outcome:
    return "2005 (thesis)", f"{d.v('A018'):g} (article)", d.v("A018") == 2005
