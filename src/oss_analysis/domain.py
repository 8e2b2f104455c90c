"""The studies' domain constants and rules, stated once; a base module, importing nothing of the package."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import groupby
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the rules take pandas objects; importing this module does not import pandas
    import pandas as pd

# the World Bank's six indicators: code -> name, in the order its files list them
WGI_CODES = {"VA": "Voice and Accountability", "PV": "Political Stability", "GE": "Government Effectiveness",
             "RQ": "Regulatory Quality", "RL": "Rule of Law", "CC": "Control of Corruption"}
INDICATORS = set(WGI_CODES)

THESIS_YEAR = 2008  # the year of the printed governance table, thesis Table 2 (errata E001)
CPI_YEAR = 2009  # the CPI edition the thesis prints (Table 3)


def ti_rank(scores: pd.Series) -> pd.Series:
    """TI's rank rule: 1 + the number of countries with a higher score (ties share a rank)."""
    return scores.map(lambda s: 1 + int((scores > s).sum())).astype("Int64")


def source_label(what: str, release: object, file: object) -> str:
    """'World Bank WGI release 2024 (data/sources/wgi/...)': the one wording of a publisher value's source."""
    return f"{what} {release} ({file})"


def source_labels(what: str, rows: pd.DataFrame, release: str) -> list[str]:
    """``source_label`` of each row of a publisher's table, from its ``release`` and file columns."""
    return [source_label(what, r, f) for r, f in zip(rows[release], rows["source_file"], strict=True)]


def decimal_year(date: pd.Series) -> pd.Series:
    """'2007' -> 2007.0, '2007-11' -> 2007 + 10/12: the package's one reading of 'YYYY-MM'."""
    import pandas as pd

    parts = date.astype("string").str.split("-", expand=True)
    year = pd.to_numeric(parts[0]).astype(float)
    month = pd.to_numeric(parts[1], errors="coerce").fillna(1) if parts.shape[1] > 1 else 1
    return year + (month - 1) / 12


def year_span(years: Iterable[int]) -> str:
    """1996, 1998, 2000, 2002-2023: years with their runs collapsed (files' ranges, editions)."""
    ordered = sorted({int(y) for y in years})  # a run: consecutive years, year - position constant
    runs = [[y for _, y in run] for _, run in groupby(enumerate(ordered), key=lambda pair: pair[1] - pair[0])]
    return ", ".join(f"{r[0]}-{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs)
