"""Where a chart's numbers come from, as one short line read from the data package, so that no
chart types its own source and a new chart (or a new raw resource) gets its line for free.

Each raw resource in ``data/raw/datapackage.json`` lists its ``sources``: the study that prints
the numbers (one of the package-level sources) and the original it cites, each with a short form
(``x-short``). A resource whose rows name their own source (a ``cited_source`` column, as in
``facts.csv``) is cited row by row: by the facts whose ids appear in the chart's data."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import pandas as pd

from oss_analysis.domain import year_span
from oss_analysis.extract import datapackage, transcriptions
from oss_analysis.transform import registry

_PER_ROW = "cited_source"
_NONE_CITED = "none cited"
_ID = re.compile(r"\b[A-Z]\d{3}\b")


def _short(source: dict[str, Any]) -> str:
    return source.get("x-short") or source["title"]


def _studies() -> dict[str, dict[str, Any]]:
    """Package-level sources (the studies) by title."""
    return {s["title"]: s for s in datapackage.read().get("sources", [])}


def _locator(res: dict[str, Any]) -> str:
    where = res.get("x-origin", {})
    return where.get("table") or where.get("figure") or "text"


def _rows(name: str) -> pd.DataFrame:
    return pd.read_csv(datapackage.resource_paths()[name], dtype=str, keep_default_na=False)


def _per_row_origin(name: str, ids: set[str]) -> list[str]:
    """Facts: per study, the sources it cites for the facts the chart shows."""
    by_code = {s.get("x-study"): _short(s) for s in _studies().values()}
    rows = _rows(name)
    shown = rows[rows["fact_id"].isin(ids)] if ids else rows.iloc[0:0]
    if shown.empty:
        studies = " and ".join(by_code[s] for s in dict.fromkeys(rows["study"]) if s in by_code)
        return [f"{studies}, text"]
    out = []
    for study, part in shown.groupby("study", sort=False):
        cited = [c for c in dict.fromkeys(part[_PER_ROW]) if c and c != _NONE_CITED]
        printed = f"{by_code.get(study, study)}, text"
        out.append(f"{printed}, citing {' and '.join(cited)}" if cited else printed)
    return out


def resource_origin(name: str, ids: Iterable[str] = ()) -> list[str]:
    """The origin of one raw resource in words, e.g. 'WGI, 2009 release, as printed in Janenova
    (2010), Table 2'; ``ids`` picks the rows of a resource cited row by row."""
    res = transcriptions.resource(name)
    if any(f["name"] == _PER_ROW for f in res.get("schema", {}).get("fields", [])):
        return _per_row_origin(name, set(ids))
    studies = _studies()
    printed_in = [_short(s) for s in res.get("sources", []) if s["title"] in studies]
    cited = [_short(s) for s in res.get("sources", []) if s["title"] not in studies]
    if printed_in and cited:
        return [f"{', '.join(cited)}, as printed in {' and '.join(printed_in)}, {_locator(res)}"]
    if printed_in:
        return [f"{' and '.join(printed_in)}, {_locator(res)}"]
    return []  # rows added (data/raw/additions/) name their publisher file in ``source``: publisher_origin


def source_line(processed: Iterable[str], data: pd.DataFrame | None = None) -> str:
    """'Source: ...' for a chart drawn from these processed tables. Raw resources without data
    rows (an empty additions file) are left out; ids of facts found in ``data`` select the facts."""
    tables = registry.raw_inputs()
    unknown = [t for t in processed if t not in tables]
    if unknown:
        raise KeyError(f"unknown processed table(s) {unknown}; known: {', '.join(tables)}")
    resources = dict.fromkeys(r for t in processed for r in tables[t])
    ids: set[str] = set()
    if data is not None:
        for col in data.columns:
            if pd.api.types.is_string_dtype(data[col]) or pd.api.types.is_object_dtype(data[col]):
                ids.update(m for v in data[col].dropna().astype(str) for m in _ID.findall(v))
    clauses: list[str] = []
    raw = {r["name"] for r in datapackage.read()["resources"]}
    for name in resources:
        if name not in raw or _rows(name).empty:  # publishers' files: named by publisher_origin below
            continue
        clauses.extend(c for c in resource_origin(name, ids) if c not in clauses)
    clauses.extend(c for c in publisher_origin(data) if c not in clauses)
    return "Source: " + "; ".join(clauses)


def publisher_origin(data: pd.DataFrame | None) -> list[str]:
    """Publishers' files a chart's rows name in their ``source`` column (a country run that takes
    values the studies do not print, or a series since the thesis), one clause per file with its
    editions or releases, e.g. 'TI CPI edition 1998-2011 (data/sources/cpi/cpi.csv)'."""
    if data is None or "source" not in data:
        return []
    values = data["source"].dropna().astype(str).str.replace(", rank computed", "", regex=False)
    grouped: dict[tuple[str, str], list[str]] = {}
    for text in dict.fromkeys(v for v in values if "data/sources/" in v):
        match = _LABEL.match(text)
        what, release, file = match.groups() if match else (text, "", "")
        grouped.setdefault((what, file), []).append(release)
    out = []
    for (what, file), releases in grouped.items():
        years = sorted(int(r) for r in releases if r.isdigit())
        span = year_span(years) if len(years) == len(releases) else ", ".join(releases)
        out.append(f"{what} {span} ({file})" if file else what)
    return out


_LABEL = re.compile(r"^(.*?) (\S+) \((data/sources/[^)]+)\)$")

