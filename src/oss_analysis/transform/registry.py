"""The processed tables, each declared once: raw inputs, schema name, description (docs/stages/transform.md)."""

from __future__ import annotations

from dataclasses import dataclass

from oss_analysis.extract import datapackage


@dataclass(frozen=True)
class Shipped:
    """Every publisher's file of one kind, so that a release added later is an input without an edit here."""

    kind: str


@dataclass(frozen=True)
class Table:
    name: str  # also the name of its builder in transform/clean.py
    inputs: tuple[str | Shipped, ...]  # raw resources (data package names), or a publisher's files
    schema: str  # the name of its schema in transform/schemas.json
    description: str

    @property
    def raw(self) -> tuple[str, ...]:
        """The resources it reads, a publisher's files expanded to those shipped now."""
        names: list[str] = []
        for item in self.inputs:
            names.extend(datapackage.source_resources(item.kind) if isinstance(item, Shipped) else [item])
        return tuple(dict.fromkeys(names))


_THESIS_FIGURES = ("facts", "thesis_table_05_legislation", "thesis_figure_04_stages")
_PUBLISHERS = (Shipped("wgi"), Shipped("cpi"), Shipped("egdi"))

TABLES: dict[str, Table] = {
    t.name: t
    for t in [
        Table("cpi_2009", ("thesis_table_03_cpi", "cpi_2009_additions"), "CPI", "CPI 2009 rank and score by country"),
        Table("wgi_2008", ("thesis_table_02_wgi", "wgi_2008_additions"), "WGI", "WGI percentile ranks, long"),
        Table("eiu_2008", ("thesis_table_04_eiu",), "EIU", "EIU e-readiness 2008 by category"),
        Table("barriers_2007", ("thesis_table_11_barriers", "thesis_oss_stakeholder_providers"), "BARRIERS",
              "Sange 2007 administrative-barrier rating"),
        Table("legislation_events", ("thesis_table_05_legislation",), "LEGISLATION", "Table 5 as dated events"),
        Table("case_offices", ("thesis_table_08_case_offices",), "CASE_OFFICES", "Table 8, the two case offices"),
        Table("services_by_agency", ("thesis_table_09_services",), "SERVICES", "Table 9, services by agency, period"),
        Table("oss_stages", ("thesis_figure_04_stages",), "STAGES", "Figure 4 stages"),
        Table("facts", ("facts",), "FACTS", "in-text facts of both studies, typed"),
        Table("errata", ("errata",), "ERRATA", "errata register"),
        Table("oss_offices_timeline", _THESIS_FIGURES, "TIMELINE", "every OSS office count at its own date"),
        Table("oss_services_timeline", _THESIS_FIGURES, "TIMELINE", "every OSS service count at its own date"),
        Table("egov_ranks", ("facts",), "EGOV", "UN e-government ranks, printed and derived"),
        Table("satisfaction", ("facts",), "SATISFACTION", "citizen satisfaction by year and source"),
        Table("document_delays", ("facts",), "DELAYS", "document delays 2007-2008"),
        # the publishers' files (data/sources/): wgi_sources is about 17 MB
        Table("wgi_sources", (Shipped("wgi"),), "WGI_SOURCES", "World Bank WGI, every shipped release, tidy"),
        Table("cpi_sources", (Shipped("cpi"),), "CPI_SOURCES", "TI CPI, every shipped file, tidy"),
        Table("egdi_sources", (Shipped("egdi"),), "EGDI_SOURCES", "UN E-Government Survey, every shipped edition"),
        Table("source_drops", _PUBLISHERS, "SOURCE_DROPS", "rows of the publishers' files left out, and why"),
    ]
}


def raw_inputs() -> dict[str, tuple[str, ...]]:
    """Processed table -> the raw resources it is built from (the build graph's view)."""
    return {name: t.raw for name, t in TABLES.items()}
