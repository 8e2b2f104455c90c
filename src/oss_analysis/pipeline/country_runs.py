"""Runs for another focus country: which notebooks its data allow, its parameters, and a clear
answer for a country the data do not know.

A notebook is country-dependent when ``workflow/notebooks.yaml`` lists ``country_data``: the
processed tables whose ``iso3`` column holds the countries the studies print. A country they do
not print can still be built from the publishers' files when the notebook's ``country_sources``
hold it (the notebooks then take ``publisher_values``; see ``views``).

A run is keyed by its folder under figures/: the code (``GEO``), or code and year (``GEO_2022``)
when the year is not the studies' own."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from oss_analysis import countries, notebook_specs, paths
from oss_analysis.domain import CPI_YEAR, THESIS_YEAR
from oss_analysis.errors import ParameterError

if TYPE_CHECKING:
    import pandas as pd


@cache
def _codes(table: str, root: Path) -> frozenset[str]:
    from oss_analysis.transform import clean

    # built from raw now rather than read from data/processed, which may predate an addition
    return frozenset(clean.build(table)["iso3"].dropna())


@cache
def _source_frame(kind: str, root: Path) -> pd.DataFrame:
    from oss_analysis.extract import publishers

    frame = publishers.table(kind)  # ISO 3166 countries only: a run is for a country
    return frame[frame["iso3166"]][["iso3", "year"] if kind != "egdi" else ["iso3", "edition"]]


def source_codes(table: str, year: int | None = None) -> frozenset[str]:
    """ISO3 codes in a publisher table (wgi_sources, cpi_sources, egdi_sources), for one year if
    given, read from the shipped files (never from a data/processed file that may be stale)."""
    frame = _source_frame(table.removesuffix("_sources"), paths.root())
    if year is not None and "year" in frame:
        frame = frame[frame["year"] == year]
    return frozenset(frame["iso3"])


def check_year(year: object) -> int | None:
    """YEAR of a country run: None (the studies' years), or a year the WGI files hold (the
    governance and corruption views both need it); else one line with the years there are."""
    if year in (None, ""):
        return None
    from oss_analysis.domain import year_span

    years = sorted(int(y) for y in _source_frame("wgi", paths.root())["year"].unique())
    try:
        value = int(str(year))
    except ValueError:
        value = None
    if value not in years:
        raise ParameterError(f"YEAR={year}: not a year the WGI files hold; they hold {year_span(years)}")
    return None if value == THESIS_YEAR else value


def run_key(code: str, year: int | None = None) -> str:
    """Folder (and job key) of a run: ``GEO``, or ``GEO_2022`` for another year than the studies'."""
    return code if year is None else f"{code}_{year}"


def split_key(key: str) -> tuple[str, int | None]:
    code, _, year = str(key).partition("_")
    return code, int(year) if year else None


def normalise(codes: list[str]) -> list[str]:
    """Codes of a COUNTRY= list, upper-cased once and de-duplicated; any code that is not ISO
    3166 alpha-3 stops the run (a name gets 'did you mean')."""
    return countries.normalise_codes(
        codes, lambda rule: ParameterError(f"COUNTRY={rule}; countries with data: {choices()}")
    )


def codes_in(table: str) -> frozenset[str]:
    """ISO3 codes in a processed table, as the raw data (with any additions) would build it."""
    return _codes(table, paths.root())


def country_notebooks() -> dict[str, tuple[str, ...]]:
    """Country-dependent notebooks -> the tables that must hold the focus country."""
    return {n: nb.country_data for n, nb in notebook_specs.notebooks().items() if nb.country_data}


def _sources_of(name: str) -> tuple[str, ...]:
    return notebook_specs.notebooks()[name].country_sources


def _printed_codes() -> set[str]:
    """Countries some country-dependent notebook can be built for from the studies' tables alone."""
    codes = set()
    for tables in country_notebooks().values():
        codes |= set.intersection(*(set(codes_in(t)) for t in tables))
    return codes


def available_countries() -> dict[str, str]:
    """Every country that at least one country-dependent notebook can be built for (printed, or
    in the publishers' files)."""
    codes = _printed_codes()
    for name in country_notebooks():
        if _sources_of(name):
            codes |= set.intersection(*(set(source_codes(t)) for t in _sources_of(name)))
    return {c: countries.name_of(c) for c in sorted(codes)}


def choices() -> str:
    """The countries a run can take, in one line: the studies' own, then how many more the
    publishers' files add."""
    printed = _printed_codes()
    extra = set(available_countries()) - printed
    text = ", ".join(f"{c} ({countries.name_of(c)})" for c in sorted(printed))
    return text + (f"; and {len(extra)} more in the publishers' files (data/sources/)" if extra else "")


def plan(code: str) -> dict[str, str | None]:
    """For one run (``GEO`` or ``GEO_2022``): notebook -> None if it can be built, else the
    reason it cannot. Raises a ParameterError listing the available countries when the code is
    unknown or in no table."""
    code, year = split_key(code)
    iso3 = normalise([code])[0]
    # the year each publisher table must hold the country for: the run's year, else the printed
    # tables' years (WGI 2008, CPI 2009); the UN series takes whatever editions there are
    needed = {"wgi_sources": year or THESIS_YEAR, "cpi_sources": year or CPI_YEAR}
    out: dict[str, str | None] = {}
    for name, tables in country_notebooks().items():
        # another year than the studies' comes from the publishers' files only
        printed_missing = [t for t in tables if iso3 not in codes_in(t)] if year is None else []
        source_missing = [t for t in _sources_of(name) if iso3 not in source_codes(t, needed.get(t))]
        if (year is None and not printed_missing) or (_sources_of(name) and not source_missing):
            out[name] = None
        else:
            where = ", ".join(f"data/processed/{t}.csv" for t in printed_missing + source_missing)
            out[name] = f"no data for {iso3}" + (f" in {year}" if year else "") + f" in {where}"
    if all(reason is not None for reason in out.values()):
        raise ParameterError(
            f"COUNTRY={iso3} ({countries.name_of(iso3)}): no table holds this country, so nothing can be built; "
            f"countries with data: {choices()}. To add it, see docs/guides/student.md."
        )
    return out


def params_file(code: str) -> Path:
    return paths.config_dir() / "countries" / f"{code}.yaml"


def parameters(code: str) -> dict[str, Any]:
    """The country's parameters file if there is one, else sensible defaults from the data."""
    code, year = split_key(code)
    path = params_file(code)
    values = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else None
    values = dict(values or {})
    values.setdefault("focus_country", code)
    values.setdefault("publisher_values", True)  # a country the studies do not print takes the files' values
    if year is not None:
        values["year"] = year
    if "year" in values:  # one year for the governance and corruption views
        values.setdefault("wgi_year", values["year"])
        values.setdefault("cpi_year", values["year"])
    if values["focus_country"] != code:
        raise ParameterError(
            f"{path.relative_to(paths.root())}: focus_country is {values['focus_country']!r}, expected {code!r}"
        )
    return values


def _values_of(folder: Path, stem: str, iso3: str) -> str:
    """Where an output's values come from, read from what the run wrote: the ``source`` column
    of its data (chart data or table), or the caption of its table."""
    import pandas as pd

    for data in (folder / f"{stem}.data.csv", folder / f"{stem}.csv"):
        if data.exists():
            frame = pd.read_csv(data, dtype=str, keep_default_na=False)
            if "iso3" in frame and iso3 not in set(frame["iso3"]):
                return (
                    f"printed; not available for {iso3}: the study does not print it for this year and no "
                    "shipped publisher's file covers that year"
                )
            if "source" in frame:
                pub = sorted({s for s in frame["source"] if "data/sources/" in s})
                if pub:
                    mixed = "; other rows printed" if len(pub) < frame["source"].nunique() else ""
                    return "publisher: " + "; ".join(pub) + mixed
            break
    md = folder / f"{stem}.md"
    parts = md.read_text(encoding="utf-8").split("Publisher values - ")[1:] if md.exists() else []
    if parts:
        return "publisher: " + "; ".join(p.strip().rstrip(".") for p in parts)
    return "printed (the studies' values, or computed from them; with any rows added in data/raw/additions/)"


def availability_page(code: str) -> str:
    """A short Markdown page for figures/<run>/: per output, printed values or the publisher's
    file and release, or not built and why (read from the outputs the run wrote)."""
    iso3, year = split_key(code)
    folder = paths.figures_dir() / code
    head = f"# Outputs for {countries.name_of(iso3)} ({iso3})" + (f", year {year}" if year else "")
    lines = [head, "", "| notebook | output | values |", "|---|---|---|"]
    for name, reason in plan(code).items():
        nb = notebook_specs.notebooks()[name]
        if reason is not None:
            lines.append(f"| `notebooks/{nb.path.name}` | not built | not available: {reason} |")
            continue
        stems = list(dict.fromkeys(o.split(".")[0] for o in nb.outputs))
        for stem in stems:
            outs = [o for o in nb.outputs if o.split(".")[0] == stem]
            if stem in nb.same_in_every_run:  # not copied here: the default build's file is the same
                default = ", ".join(f"[`figures/{o}`](../{o})" for o in outs)
                lines.append(f"| `notebooks/{nb.path.name}` | not copied | the same in every run: {default} |")
                continue
            files = ", ".join(f"`{o}`" for o in outs)
            lines.append(f"| `notebooks/{nb.path.name}` | {files} | {_values_of(folder, stem, iso3)} |")
    source = params_file(iso3)
    lines += [
        "",
        f"Parameters: `{source.relative_to(paths.root())}`"
        if source.exists()
        else "Parameters: defaults (no config/countries file for this country).",
        "Publisher values are used only where the studies do not print the country (or the year); "
        "file names are the default build's. Outputs no focus country or year changes are not copied "
        "here (`same_in_every_run` in workflow/notebooks.yaml): the default build's are linked above.",
    ]
    return "\n".join(lines) + "\n"
