"""Country names as printed in the studies -> ISO 3166-1 alpha-3, via pycountry.

Names pycountry's exact lookup does not know (e.g. "Russia") are mapped in
``config/country_aliases.csv``; nothing is guessed by fuzzy matching.
"""

from __future__ import annotations

import csv
from functools import cache

import pycountry

from . import paths


@cache
def _aliases() -> dict[str, str]:
    path = paths.config_dir() / "country_aliases.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        return {row["name"].casefold(): row["iso3"] for row in csv.DictReader(fh)}


def to_iso3(name: str) -> str | None:
    """ISO3 code for a printed country name or code, or None when it is not a known country."""
    key = name.strip()
    alias = _aliases().get(key.casefold())
    if alias:
        return alias
    try:
        return pycountry.countries.lookup(key).alpha_3
    except LookupError:
        return None


def is_iso3(code: str) -> bool:
    return pycountry.countries.get(alpha_3=str(code).upper()) is not None and len(str(code)) == 3


def name_of(iso3: str) -> str:
    """Short English name used in titles (the study's own spelling where it has one)."""
    for printed, code in _aliases().items():
        if code == iso3:
            return printed.title()
    country = pycountry.countries.get(alpha_3=iso3)
    if country is None:
        raise KeyError(iso3)
    return getattr(country, "common_name", None) or country.name
