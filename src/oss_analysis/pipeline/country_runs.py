"""Runs for another focus country (and year): which notebooks its data allow, its parameters, the page of
where each value comes from (docs/stages/pipeline.md says how a run is keyed and planned)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from oss_analysis import countries, notebook_specs, paths
from oss_analysis.domain import CPI_YEAR, THESIS_YEAR, year_span
from oss_analysis.errors import ParameterError
from oss_analysis.files import atomic_write, csv_rows
from oss_analysis.parameters import read_yaml


@cache
def _codes(table: str, root: Path) -> frozenset[str]:
    """ISO3 codes in a processed table, built from raw now (data/processed may predate an addition)."""
    from oss_analysis.transform import clean

    return frozenset(clean.build(table)["iso3"].dropna())


@cache
def _source_years(kind: str, root: Path) -> dict[str, frozenset[int | None]]:
    """ISO 3166 country (a run is for a country) -> the years a publisher's files hold it."""
    from oss_analysis.extract import publishers

    frame = publishers.table(kind)
    frame = frame[frame["iso3166"]]
    if kind == "egdi":  # the UN series takes whatever editions there are
        return dict.fromkeys(frame["iso3"], frozenset([None]))
    return frame.groupby("iso3")["year"].agg(lambda years: frozenset(int(y) for y in years)).to_dict()


def source_codes(table: str, year: int | None = None) -> frozenset[str]:
    """ISO3 codes in a publisher table (wgi_sources, ...), in ``year`` if given, from the shipped files."""
    held = _source_years(table.removesuffix("_sources"), paths.root())
    return frozenset(c for c, years in held.items() if year is None or None in years or year in years)


def check_year(year: object) -> int | None:
    """YEAR of a country run: None (the studies' years) or a year the WGI files hold, else one line."""
    if year in (None, ""):
        return None
    years = sorted({y for held in _source_years("wgi", paths.root()).values() for y in held})
    value = int(str(year)) if str(year).strip().isdigit() else None
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
    """COUNTRY= codes upper-cased and de-duplicated; one that is not ISO 3166 alpha-3 stops the run."""
    return countries.normalise_codes(
        codes, lambda rule: ParameterError(f"COUNTRY={rule}; countries with data: {choices()}")
    )


def country_notebooks() -> dict[str, notebook_specs.Notebook]:
    """The country-dependent notebooks: those whose ``country_data`` tables must hold the focus country."""
    return {n: nb for n, nb in notebook_specs.notebooks().items() if nb.country_data}


def choices() -> str:
    """The countries a run can take: the studies' own, then how many more the publishers' files add."""
    printed: set[str] = set()
    extra: set[str] = set()
    for nb in country_notebooks().values():
        printed |= frozenset.intersection(*(_codes(t, paths.root()) for t in nb.country_data))
        if nb.country_sources:
            extra |= frozenset.intersection(*(source_codes(t) for t in nb.country_sources))
    extra -= printed
    text = ", ".join(f"{c} ({countries.name_of(c)})" for c in sorted(printed))
    return text + (f"; and {len(extra)} more in the publishers' files (data/sources/)" if extra else "")


def plan(key: str) -> dict[str, str | None]:
    """A run (``GEO_2022``, code normalised): notebook -> None if it can be built, else why not; no table: one line."""
    iso3, year = split_key(key)
    # the year a publisher table must hold: the run's, else the printed tables' (WGI 2008, CPI 2009)
    needed = {"wgi_sources": year or THESIS_YEAR, "cpi_sources": year or CPI_YEAR}
    out: dict[str, str | None] = {}
    for name, nb in country_notebooks().items():
        # another year than the studies' comes from the publishers' files only
        printed_missing = [t for t in nb.country_data if iso3 not in _codes(t, paths.root())] if year is None else []
        source_missing = [t for t in nb.country_sources if iso3 not in source_codes(t, needed.get(t))]
        if (year is None and not printed_missing) or (nb.country_sources and not source_missing):
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


def parameters(code: str) -> dict[str, Any]:
    """The country's parameters file if there is one, else defaults from the run's key."""
    code, year = split_key(code)
    path = paths.country_params(code)
    values = read_yaml(path)[0] if path.exists() else {}
    values.setdefault("focus_country", code)
    values.setdefault("publisher_values", True)  # a country the studies do not print takes the files' values
    if year is not None:
        values["year"] = year
    if "year" in values:  # one year for the governance and corruption views
        values.setdefault("wgi_year", values["year"])
        values.setdefault("cpi_year", values["year"])
    if values["focus_country"] != code:
        raise ParameterError(f"{paths.shown(path)}: focus_country is {values['focus_country']!r}, expected {code!r}")
    return values


def _values_of(folder: Path, stem: str) -> str:
    """Where an output's values come from: every credit of its claims (``<stem>.meta.json``), publishers first."""
    from oss_analysis.output.source_line import source_line

    claims = folder / f"{stem}.meta.json"
    if not claims.exists():
        return f"not written yet (no `{claims.name}`)"
    found = json.loads(claims.read_text(encoding="utf-8"))["sources"]
    groups = {
        "publisher: ": sorted((c for c in found if "release" in c), key=lambda c: source_line([c])),  # by label
        "printed: ": [c for c in found if "study" in c],
        "": [c for c in found if "added_from" in c],  # 'rows added in <file>'
    }
    return "; ".join(head + source_line(group).removeprefix("Source: ") for head, group in groups.items() if group)


def _stems(outputs: tuple[str, ...]) -> dict[str, list[str]]:
    return {s: [o for o in outputs if o.split(".")[0] == s] for s in dict.fromkeys(o.split(".")[0] for o in outputs)}


def _links(files: list[str], folder: str = "") -> str:
    return ", ".join(f"[`figures/{folder}{o}`](../{folder}{o})" for o in files)


def left_out(key: str, name: str) -> dict[str, str]:
    """Outputs of a run (by stem) its folder does not get, with why and where they are; decided from the
    run's staged bytes, not a country list (docs/stages/pipeline.md)."""
    iso3, year = split_key(key)
    nb, stage = notebook_specs.notebooks()[name], paths.build_dir() / "stage" / key / name
    out = {}
    for stem, files in _stems(nb.run_outputs).items():
        data = next((stage / f for f in (f"{stem}.data.csv", f"{stem}.csv") if (stage / f).exists()), None)
        drawn = [row for _, row in csv_rows(data, paths.shown(data))] if data else []
        if drawn and "iso3" in drawn[0] and iso3 not in {row["iso3"] for row in drawn}:
            out[stem] = f"does not show {countries.name_of(iso3)} (no {iso3} row drawn): {_links(files)}"
        elif all((paths.figures_dir() / f).read_bytes() == (stage / f).read_bytes() for f in files):
            out[stem] = f"the same as the default build's: {_links(files)}"
        elif year and stem in nb.same_in_every_year:
            out[stem] = f"the same in every year: {_links(files, f'{iso3}/')} (`make all COUNTRY={iso3}`)"
    return out


def availability_page(code: str) -> str:
    """figures/<run>/AVAILABILITY.md: per output, where its values come from, or why it is not built or copied."""
    iso3, year = split_key(code)
    folder = paths.figures_dir() / code
    lines = [f"# Outputs for {countries.name_of(iso3)} ({iso3})" + (f", year {year}" if year else ""), ""]
    lines += ["| notebook | output | values |", "|---|---|---|"]
    for name, reason in plan(code).items():
        nb, record = notebook_specs.notebooks()[name], paths.build_dir() / "published" / code / f"{name}.json"
        row, stems = f"| `notebooks/{nb.path.name}` |", _stems(nb.outputs)
        lines += [f"{row} not built | not available: {reason} |"] if reason else []
        left = json.loads(record.read_text(encoding="utf-8")) if record.exists() else {}  # the publish job's left_out
        left |= {stem: f"the same in every run: {_links(stems[stem])}" for stem in nb.same_in_every_run}
        for stem, files in ({} if reason else stems).items():  # a notebook not built: its one line above
            if stem in left:
                lines.append(f"{row} not copied | {left[stem]} |")
            else:
                lines.append(f"{row} {', '.join(f'`{o}`' for o in files)} | {_values_of(folder, stem)} |")
    source = paths.country_params(iso3)
    copied = any(p.name != "AVAILABILITY.md" for p in folder.glob("*"))
    lines += [
        "",
        *([] if copied else ["Every output of this run is the default build's: see [figures/](../)."]),
        f"Parameters: `{paths.shown(source)}`" if source.exists()
        else f"Parameters: defaults (no `{paths.shown(source)}`).",
        "Publisher values are used only where the studies do not print the country (or the year); file names are "
        "the default build's. An output the run does not change is not copied here, only linked above.",
    ]
    return "\n".join(lines) + "\n"


def write_availability(code: str) -> Path:
    """Write figures/<run>/AVAILABILITY.md (the graph's job), atomically."""
    target = paths.figures_dir() / code / "AVAILABILITY.md"
    return atomic_write(target, lambda tmp: Path(tmp).write_text(availability_page(code), encoding="utf-8"))
