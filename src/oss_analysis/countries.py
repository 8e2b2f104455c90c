"""Country names as printed -> ISO 3166-1 alpha-3 (pycountry, then config/country_aliases.csv; never guessed)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache

import pycountry

from oss_analysis import paths
from oss_analysis.errors import DataError
from oss_analysis.files import csv_rows

ALIASES = "config/country_aliases.csv"


@cache
def alias_rows() -> tuple[dict[str, str], ...]:
    """Rows of the aliases file, checked before any table's check depends on it, so its own errors name it."""
    path = paths.config_dir() / "country_aliases.csv"
    if not path.exists():
        raise DataError(ALIASES, "file is missing")
    rows = csv_rows(path, ALIASES, ("name", "iso3"))
    seen: dict[str, str] = {}
    for line, row in rows:
        name, code = (row["name"] or "").strip(), (row["iso3"] or "").strip()
        if not name:
            raise DataError(ALIASES, "value is required", row=line, column="name")
        if normalise_code(code) != code:
            rule = "must be an ISO 3166 alpha-3 code in capitals"
            raise DataError(ALIASES, rule, row=line, column="iso3", value=code)
        if seen.get(name.casefold(), code) != code:
            rule = f"name already mapped to {seen[name.casefold()]}"
            raise DataError(ALIASES, rule, row=line, column="name", value=name)
        seen[name.casefold()] = code
    return tuple(row for _, row in rows)


@cache
def aliases() -> dict[str, str]:
    """Printed name (case-folded) -> ISO3 code, as read (and cached) now."""
    return {row["name"].strip().casefold(): row["iso3"].strip() for row in alias_rows()}


def cache_clear() -> None:
    """Forget the aliases and exclusions read so far (tests edit them in a copy)."""
    for fn in (alias_rows, aliases, exclusions):
        fn.cache_clear()


@cache
def exclusions() -> dict[str, tuple[str, str]]:
    """Publishers' names that are not ISO 3166-1 countries -> (code, reason), from config/source_exclusions.csv."""
    rows = csv_rows(paths.config_dir() / "source_exclusions.csv", "config/source_exclusions.csv")
    return {row["name"].casefold(): ((row.get("code") or "").strip(), row["reason"]) for _, row in rows}


def to_iso3(name: str) -> str | None:
    """ISO3 code for a printed country name or code, or None when it is not a known country."""
    key = name.strip()
    if alias := aliases().get(key.casefold()):
        return alias
    try:
        return pycountry.countries.lookup(key).alpha_3
    except LookupError:
        return None


def is_iso3(code: str) -> bool:
    return pycountry.countries.get(alpha_3=str(code).upper()) is not None and len(str(code)) == 3


def normalise_code(code: str) -> str | None:
    """A user's country code, normalised once (stripped, upper case), if it is ISO 3166 alpha-3."""
    value = str(code).strip().upper()
    return value if len(value) == 3 and is_iso3(value) else None


def normalise_codes(codes: Iterable[str], refuse: Callable[[str], Exception]) -> list[str]:
    """A user's codes (COUNTRY=, --countries) normalised, de-duplicated, in order; else ``refuse(rule)``."""
    out = []
    for code in codes:
        if (iso3 := normalise_code(code)) is None:
            named = to_iso3(code)  # a country's name rather than its code
            hint = f" (did you mean {named}?)" if named and str(code).strip().upper() != named else ""
            raise refuse(f"{code}: not an ISO 3166 alpha-3 code{hint}")
        out.append(iso3)
    return list(dict.fromkeys(out))


def name_of(iso3: str) -> str:
    """Short English name used in titles (the study's own spelling where it has one)."""
    for row in alias_rows():  # only aliases marked as the title spelling (the study's own)
        if row["iso3"] == iso3 and row.get("title") == "yes":
            return row["name"]
    country = pycountry.countries.get(alpha_3=iso3)
    if country is None:
        raise KeyError(iso3)
    return getattr(country, "common_name", None) or country.name


def disagreement(name: str, code: str) -> str | None:
    """The rule broken when a row's country name and code name different countries, else None."""
    named = to_iso3(str(name))
    if named == code:
        return None
    return f"name and code disagree: {str(name)!r} is {named or 'no known country'}, the code says {code}"
