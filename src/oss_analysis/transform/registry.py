"""The processed tables, each declared once: the raw resources it is built from, the pandera
schema it must pass, what it holds, and its builder (the function of ``transform/clean.py``
named like the table). The build graph, the cleaning code, the manifest and the charts' source
lines all read this table.

A plain table rather than decorators on the builders: the build graph reads it whenever it is
parsed (every ``make all``, every dry run), and importing the builders imports pandas (about a
second). This module imports neither pandas nor pandera: a schema is named here and looked up in
``transform/schemas.py`` only where a table is built or validated.
"""

from __future__ import annotations

from dataclasses import dataclass

from oss_analysis.extract import datapackage


@dataclass(frozen=True)
class Shipped:
    """Every publisher's file of one kind ('wgi', 'cpi', 'egdi'): the resources of
    data/sources/datapackage.json under data/sources/<kind>/, so that a release added later
    (``oss-build add-country-data``) is an input without an edit here."""

    kind: str


@dataclass(frozen=True)
class Table:
    name: str  # also the name of its builder in transform/clean.py
    inputs: tuple[str | Shipped, ...]  # raw resources (data package names), or a publisher's files
    schema: str  # the name of its pandera schema in transform/schemas.py
    description: str

    @property
    def raw(self) -> tuple[str, ...]:
        """The resources it reads, a publisher's files expanded to those shipped now."""
        names: list[str] = []
        for item in self.inputs:
            names.extend(datapackage.source_resources(item.kind) if isinstance(item, Shipped) else [item])
        return tuple(dict.fromkeys(names))


def _table(name: str, inputs: list[str | Shipped], schema: str, description: str) -> Table:
    return Table(name, tuple(inputs), schema, description)


_THESIS_FIGURES = ["facts", "thesis_table_05_legislation", "thesis_figure_04_stages"]
_PUBLISHERS = [Shipped("wgi"), Shipped("cpi"), Shipped("egdi")]

TABLES: dict[str, Table] = {
    t.name: t
    for t in [
        _table("cpi_2009", ["thesis_table_03_cpi", "cpi_2009_additions"], "CPI", "CPI 2009 rank and score by country"),
        _table("wgi_2008", ["thesis_table_02_wgi", "wgi_2008_additions"], "WGI", "WGI percentile ranks, long"),
        _table("eiu_2008", ["thesis_table_04_eiu"], "EIU", "EIU e-readiness 2008 by category"),
        _table(
            "barriers_2007",
            ["thesis_table_11_barriers", "thesis_oss_stakeholder_providers"],
            "BARRIERS",
            "Sange 2007 administrative-barrier rating",
        ),
        _table(
            "legislation_events",
            ["thesis_table_05_legislation"],
            "LEGISLATION",
            "Table 5 as dated events, chronological",
        ),
        _table("case_offices", ["thesis_table_08_case_offices"], "CASE_OFFICES", "Table 8, the two case offices"),
        _table(
            "services_by_agency",
            ["thesis_table_09_services"],
            "SERVICES",
            "Table 9, services by ministry/agency and period",
        ),
        _table("oss_stages", ["thesis_figure_04_stages"], "STAGES", "Figure 4 stages"),
        _table("facts", ["facts"], "FACTS", "in-text facts of both studies, typed"),
        _table("errata", ["errata"], "ERRATA", "errata register"),
        _table("oss_offices_timeline", _THESIS_FIGURES, "TIMELINE", "every OSS office count at its own date"),
        _table("oss_services_timeline", _THESIS_FIGURES, "TIMELINE", "every OSS service count at its own date"),
        _table("egov_ranks", ["facts"], "EGOV", "UN e-government ranks, printed and derived"),
        _table("satisfaction", ["facts"], "SATISFACTION", "citizen satisfaction by year and source"),
        _table("document_delays", ["facts"], "DELAYS", "document delays 2007-2008"),
        # the publishers' files (data/sources/): wgi_sources is about 17 MB
        _table("wgi_sources", [Shipped("wgi")], "WGI_SOURCES", "World Bank WGI, every shipped release, tidy"),
        _table("cpi_sources", [Shipped("cpi")], "CPI_SOURCES", "TI CPI, every shipped file, tidy"),
        _table("egdi_sources", [Shipped("egdi")], "EGDI_SOURCES", "UN E-Government Survey, every shipped edition"),
        _table("source_drops", _PUBLISHERS, "SOURCE_DROPS", "rows of the publishers' files left out, and why"),
    ]
}


def raw_inputs() -> dict[str, tuple[str, ...]]:
    """Processed table -> the raw resources it is built from (the build graph's view)."""
    return {name: t.raw for name, t in TABLES.items()}
