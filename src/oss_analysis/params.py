"""Checks on notebook parameters: a bad value stops with one line that lists the valid choices."""

from __future__ import annotations

from collections.abc import Mapping

from . import countries
from .errors import ParameterError


def check_country(code: object, available: Mapping[str, str], *, what: str = "focus_country") -> str:
    """Return the upper-cased ISO3 code if the data have it; otherwise say which codes they have."""
    choices = ", ".join(f"{k} ({v})" for k, v in sorted(available.items()))
    if not isinstance(code, str):
        raise ParameterError(f"parameter {what}: expected an ISO 3166 alpha-3 code as text, got {code!r}; choose one of: {choices}")
    iso3 = code.strip().upper()
    if not countries.is_iso3(iso3):
        raise ParameterError(f"parameter {what}: {code!r} is not an ISO 3166 alpha-3 code; choose one of: {choices}")
    if iso3 not in available:
        raise ParameterError(
            f"parameter {what}: {iso3} ({countries.name_of(iso3)}) is not in these data; choose one of: {choices}"
        )
    return iso3
