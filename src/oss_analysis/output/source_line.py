"""Where an output's numbers come from, derived row by row from the frame drawn, so that a chart
or table credits exactly the files, releases and prints its rows come from, and no other.

A credit is one of ``{"file": "data/sources/...", "release": "2024"}`` (a publisher's file),
``{"file": "data/raw/additions/...", "added_from": ...}`` (rows a user added) or
``{"study": "Janenova (2010)", "table": "Table 2", "cites": "WGI, 2009 release"}`` (values as
printed; ``table`` is "text" for in-text facts). A row says where it came from through its
columns: ``fact_id`` (a printed fact), ``source`` or ``<x>_source`` (a publisher label, a
printed table, a fact id, an addition), ``source_file`` with ``release``/``edition``, ``study``
or ``seed_line``. A frame without any of them is credited with the prints of the processed
tables it was loaded from (``attrs['processed']``), which is refused where a table mixes prints
with added or publisher rows: then only its rows can tell. The source line is written from the
same credits, so the two cannot disagree."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from typing import Any

import pandas as pd

from oss_analysis.domain import year_span
from oss_analysis.extract import datapackage, transcriptions
from oss_analysis.transform import registry

Credit = dict[str, str]
_ID = re.compile(r"\b[A-Z]\d{3}\b")
_LABEL = re.compile(r"\((data/sources/[^)]+)\)")
_RELEASE = re.compile(r"(\d{4})\s*\(data/sources/")
_CODES = ("thesis", "article")
_LOCATOR = re.compile(r"^(?:thesis )?(Table \d+|Figure \d+)\b")
_PUBLISHER = {"wgi": "World Bank WGI release", "cpi": "TI CPI edition", "egdi": "UN E-Government Survey"}
_NONE_CITED = "none cited"
# columns whose cells name a row's origin: its source, or the printed table it checks
_TEXT_COLUMNS = ("source", "item", "number", "printed table", "where", "table")


def _short(source: dict[str, Any]) -> str:
    return source.get("x-short") or source["title"]


def _studies() -> dict[str, str]:
    """Package-level sources (the studies): title and study code -> short form."""
    out = {}
    for s in datapackage.read().get("sources", []):
        out[s["title"]] = out[s.get("x-study", s["title"])] = _short(s)
    return out


def _print_credit(name: str) -> Credit:
    """The credit of a printed resource: the study, its table or figure, the original it cites."""
    res = transcriptions.resource(name)
    where = res.get("x-origin", {})
    studies = _studies()
    printed = [_short(s) for s in res.get("sources", []) if s["title"] in studies]
    cited = [_short(s) for s in res.get("sources", []) if s["title"] not in studies]
    credit = {"study": " and ".join(printed), "table": where.get("table") or where.get("figure") or "text"}
    return credit | ({"cites": ", ".join(cited)} if cited else {})


def _raw() -> dict[str, dict[str, Any]]:
    return {r["name"]: r for r in datapackage.read()["resources"]}


def _rows(name: str) -> pd.DataFrame:
    path = datapackage.resource_paths()[name]
    return _read(str(path), path.stat().st_mtime_ns)


@cache
def _read(path: str, _mtime: int) -> pd.DataFrame:  # the mtime in the key: an edited file is read again
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _additions() -> dict[str, str]:
    """Added rows' own ``source`` text -> the additions file holding them."""
    out = {}
    for name, res in _raw().items():
        if res.get("path", "").startswith("additions/") and "source" in _rows(name):
            out.update((s, f"data/raw/{res['path']}") for s in _rows(name)["source"] if s)
    return out


def _fact(fact_id: str) -> Credit | None:
    facts = _rows("facts")
    hit = facts[facts["fact_id"] == fact_id]
    if hit.empty:
        return None
    study, cited = hit["study"].iloc[0], hit["cited_source"].iloc[0]
    credit = {"study": _studies().get(study, study), "table": "text"}
    return credit | ({"cites": cited} if cited not in ("", _NONE_CITED) else {})


def _located(locator: str) -> Credit | None:
    """A printed table or figure by its name in the thesis ('Table 5', 'Figure 4')."""
    for name, res in _raw().items():
        where = res.get("x-origin", {})
        if where.get("study") == "thesis" and locator in (where.get("table"), where.get("figure")):
            return _print_credit(name)
    return None


def _from_text(value: str, additions: dict[str, str]) -> list[Credit]:
    """Credits one source cell names: a publisher's file, fact ids, a printed table, an addition."""
    if value in additions:
        return [{"file": additions[value], "added_from": value}]
    file = _LABEL.search(value)
    if file:
        release = _RELEASE.search(value)
        return [{"file": file.group(1), "release": release.group(1) if release else ""}]
    facts = [c for i in _ID.findall(value) if (c := _fact(i))]
    if facts:
        return facts
    located = _LOCATOR.match(value)
    if located:
        return [c] if (c := _located(located.group(1))) else []
    return [_print_credit(r) for r in _raw() if value.startswith("thesis_") and r.startswith(value + "_")][:1]


def _row_credits(data: pd.DataFrame, tables: list[str]) -> tuple[list[Credit], bool]:
    """Credits of every row that says where it came from, and whether some row says nothing."""
    additions = _additions()
    texts = [c for c in data.columns if c.endswith("_source") and c != "cited_source" or c in _TEXT_COLUMNS]
    release = next((c for c in ("release", "edition") if c in data), None)
    facts = [c for c in data.columns if str(c).startswith("fact")]
    seed_credit = _single_print(tables) if "seed_line" in data else None
    out: list[Credit] = []
    silent = False
    memo: dict[str, list[Credit]] = {}
    for row in data.to_dict("records"):
        found: list[Credit] = []
        for col in facts:
            if isinstance(row[col], str):
                found += [c for i in _ID.findall(row[col]) if (c := _fact(i))]
        for col in texts:
            if isinstance(row[col], str):
                if row[col] not in memo:
                    memo[row[col]] = _from_text(row[col], additions)
                found += memo[row[col]]
        if isinstance(row.get("source_file"), str) and release and pd.notna(row[release]):
            found.append({"file": row["source_file"], "release": str(int(row[release]))})
        if not found and row.get("study") in _studies() and row.get("study") != "publisher":
            found.append({"study": _studies()[row["study"]], "table": "text"})
        if not found and seed_credit and pd.notna(row.get("seed_line")):
            found.append(seed_credit)
        silent |= not found
        out += found
    return out, silent


def _single_print(tables: list[str]) -> Credit | None:
    """The one printed resource (with rows) of these processed tables, if there is exactly one."""
    prints = [r for t in tables for r in registry.raw_inputs().get(t, ()) if _printed(r)]
    return _print_credit(prints[0]) if len(set(prints)) == 1 else None


def _printed(name: str) -> bool:
    res = _raw().get(name)
    return res is not None and not res.get("path", "").startswith("additions/") and name not in ("facts", "errata")


def _table_credits(tables: Iterable[str]) -> list[Credit]:
    """A processed table's prints, for a frame whose rows do not say where they came from; a
    table that may hold added, publisher or per-fact rows cannot be credited this way."""
    known = registry.raw_inputs()
    out: list[Credit] = []
    for table in tables:
        if table not in known:
            raise KeyError(f"unknown processed table {table!r}; known: {', '.join(known)}")
        for name in known[table]:
            if name not in _raw() or (not _printed(name) and _rows(name).empty):
                if name not in _raw():  # a publisher's file: only the rows can name the release
                    raise ValueError(f"{table}: rows from publishers' files need a source column naming each file")
                continue
            if name in ("facts", "errata"):  # both studies' text, for a table about the two studies
                out += [{"study": short, "table": "text"} for code, short in _studies().items() if code in _CODES]
            elif not _printed(name):
                raise ValueError(f"{table}: rows from {name} need a source column naming each row's origin")
            else:
                out.append(_print_credit(name))
    return out


def credits(data: pd.DataFrame | None, tables: Iterable[str] = ()) -> list[Credit]:
    """Every file, release and print the rows of ``data`` come from, each once, in the order of
    the source line; ``tables`` (or ``data.attrs['processed']``) credit rows that say nothing."""
    if data is not None and "sources" in data.attrs:
        return list(data.attrs["sources"])
    names = list(tables) or list(data.attrs.get("processed", []) if data is not None else [])
    found, silent = _row_credits(data, names) if data is not None else ([], True)
    if silent or not found:
        found += _table_credits(names)
    if not found:
        raise ValueError("no source known; pass data loaded by clean.load or sources=[processed tables]")
    unique = list({tuple(sorted(c.items())): c for c in found}.values())
    printed = [c for c in unique if "study" in c]
    added = [c for c in unique if "added_from" in c]
    publisher = [c for c in unique if "release" in c]
    return printed + added + publisher


def source_line(found: list[Credit]) -> str:
    """'Source: ...': one clause per print (the originals it cites joined), per additions file
    and per publisher's file (its releases as a span), e.g. 'TI CPI edition 1999-2011
    (data/sources/cpi/cpi.csv)'."""
    clauses: dict[tuple[str, str], list[str]] = {}
    for c in found:
        key = (c["study"], c["table"]) if "study" in c else (c["file"], "added" if "added_from" in c else "")
        clauses.setdefault(key, [])
        more = c.get("cites") or c.get("added_from") or c.get("release")
        if more and more not in clauses[key]:
            clauses[key].append(more)
    out = []
    for (head, kind), parts in clauses.items():
        if kind == "text":
            out.append(f"{head}, text" + (f", citing {' and '.join(parts)}" if parts else ""))
        elif kind == "added":
            out.append(f"rows added from {' and '.join(parts)} ({head})")
        elif kind:
            out.append(f"{', '.join(parts)}, as printed in {head}, {kind}" if parts else f"{head}, {kind}")
        else:
            years = [int(p) for p in parts if p.isdigit()]
            span = year_span(years) if len(years) == len(parts) else ", ".join(parts)
            out.append(f"{_PUBLISHER.get(head.split('/')[2], 'publisher file')} {span} ({head})")
    return "Source: " + "; ".join(out)
