"""Country names as printed in the studies -> ISO 3166-1 alpha-3, via pycountry.

Names pycountry's exact lookup does not know (e.g. "Russia") are mapped in
``config/country_aliases.csv``; nothing is guessed by fuzzy matching.
"""

from __future__ import annotations

import csv
from functools import cache

import pycountry

from . import paths

ALIASES = "config/country_aliases.csv"


@cache
def _aliases() -> dict[str, str]:
    """Printed name (case-folded) -> ISO3 code. A broken aliases file is named as such, with its
    line and column, instead of surfacing as a failed check of whatever table was being read."""
    from .errors import DataError

    path = paths.config_dir() / "country_aliases.csv"
    if not path.exists():
        raise DataError(ALIASES, "file is missing")
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            for col in ("name", "iso3"):
                if col not in (reader.fieldnames or []):
                    raise DataError(ALIASES, "required column is missing", row=1, column=col)
            rows = list(enumerate(reader, start=2))
    except UnicodeDecodeError:
        raise DataError(ALIASES, "is not valid UTF-8; save it as UTF-8") from None
    out: dict[str, str] = {}
    for line, row in rows:
        name, code = (row["name"] or "").strip(), (row["iso3"] or "").strip()
        if not name:
            raise DataError(ALIASES, "value is required", row=line, column="name")
        if pycountry.countries.get(alpha_3=code) is None or len(code) != 3 or code != code.upper():
            rule = "must be an ISO 3166 alpha-3 code in capitals"
            raise DataError(ALIASES, rule, row=line, column="iso3", value=code)
        if out.get(name.casefold(), code) != code:
            rule = f"name already mapped to {out[name.casefold()]}"
            raise DataError(ALIASES, rule, row=line, column="name", value=name)
        out[name.casefold()] = code
    return out


def check_aliases() -> None:
    """Read (and so check) the aliases file now, before any table's check depends on it."""
    _aliases()


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
