"""Runs for another focus country: which notebooks its data allow, its parameters, and a clear
answer for a country the data do not know.

A notebook is country-dependent when ``workflow/notebooks.yaml`` lists ``country_data``: the
processed tables whose ``iso3`` column must contain the focus country for it to run."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

from . import countries, paths, registry
from .errors import ParameterError


@cache
def _codes(table: str, root: Path) -> frozenset[str]:
    from . import clean

    # built from raw now rather than read from data/processed, which may predate an addition
    return frozenset(clean.build(table)["iso3"].dropna())


def codes_in(table: str) -> frozenset[str]:
    """ISO3 codes in a processed table, as the raw data (with any additions) would build it."""
    return _codes(table, paths.root())


def country_notebooks() -> dict[str, tuple[str, ...]]:
    """Country-dependent notebooks -> the tables that must hold the focus country."""
    return {n: nb.country_data for n, nb in registry.notebooks().items() if nb.country_data}


def available_countries() -> dict[str, str]:
    """Every country that at least one country-dependent notebook can be built for."""
    codes = set()
    for tables in country_notebooks().values():
        codes |= set.intersection(*(set(codes_in(t)) for t in tables))
    return {c: countries.name_of(c) for c in sorted(codes)}


def plan(code: str) -> dict[str, str | None]:
    """For one country: notebook -> None if it can be built, else the reason it cannot. Raises a
    ParameterError listing the available countries when the code is unknown or in no table."""
    iso3 = str(code).strip().upper()
    choices = ", ".join(f"{k} ({v})" for k, v in available_countries().items())
    if not countries.is_iso3(iso3):
        raise ParameterError(f"COUNTRY={code}: not an ISO 3166 alpha-3 code; countries with data: {choices}")
    out: dict[str, str | None] = {}
    for name, tables in country_notebooks().items():
        missing = [t for t in tables if iso3 not in codes_in(t)]
        out[name] = (
            None if not missing else f"no data for {iso3} in {', '.join(f'data/processed/{t}.csv' for t in missing)}"
        )
    if all(reason is not None for reason in out.values()):
        raise ParameterError(
            f"COUNTRY={iso3} ({countries.name_of(iso3)}): no table holds this country, so nothing can be built; "
            f"countries with data: {choices}. To add it, see 'Adding a country' in the README."
        )
    return out


def params_file(code: str) -> Path:
    return paths.config_dir() / "countries" / f"{code}.yaml"


def parameters(code: str) -> dict[str, Any]:
    """The country's parameters file if there is one, else sensible defaults from the data."""
    path = params_file(code)
    values = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else None
    values = dict(values or {})
    values.setdefault("focus_country", code)
    if values["focus_country"] != code:
        raise ParameterError(
            f"{path.relative_to(paths.root())}: focus_country is {values['focus_country']!r}, expected {code!r}"
        )
    return values


def availability_page(code: str) -> str:
    """A short Markdown page for figures/<CODE>/: what was built and what could not be, and why."""
    lines = [f"# Outputs for {countries.name_of(code)} ({code})", ""]
    for name, reason in plan(code).items():
        nb = registry.notebooks()[name]
        if reason is None:
            lines.append(f"- built: `notebooks/{nb.path.name}` ({nb.title})")
        else:
            lines.append(f"- not built: `notebooks/{nb.path.name}` ({nb.title}): {reason}")
    source = params_file(code)
    lines += [
        "",
        f"Parameters: `{source.relative_to(paths.root())}`"
        if source.exists()
        else "Parameters: defaults (no config/countries file for this country).",
    ]
    return "\n".join(lines) + "\n"
