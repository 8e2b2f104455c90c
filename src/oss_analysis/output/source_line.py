"""Where an output's numbers come from, credited row by row from the frame drawn (docs/stages/output.md)."""

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
_LABEL = re.compile(r"(\d{4}) \((data/sources/[^)]+)\)")
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
    own = re.fullmatch(rf"{study}, ((?:Table|Figure) \d+)", cited)  # the study's own figure: credited as the figure
    credit = {"study": _studies().get(study, study), "table": own[1] if own else "text"}
    return credit | ({"cites": cited} if cited not in ("", _NONE_CITED) and not own else {})


def _from_text(value: str, additions: dict[str, str]) -> list[Credit]:
    """Credits a cell names: an addition, a file and release, fact ids, a print ('thesis Table 3', 'Figure 4')."""
    found = [{"file": file, "release": release} for release, file in _LABEL.findall(value)]
    if value in additions:  # an added row: the additions file, and the publisher's file it names
        return [{"file": additions[value], "added_from": value}, *found]
    if found := found + [c for i in _ID.findall(value) if (c := _fact(i))]:
        return found
    where = _LOCATOR.match(value)
    return [
        _print_credit(name)
        for name, res in _raw().items()
        if (where and where.group(1) in res.get("x-origin", {}).values())
        or (value.startswith("thesis_") and name.startswith(f"{value}_"))
    ][:1]


def _row_credits(data: pd.DataFrame) -> tuple[list[Credit], bool]:
    """Credits of every row that says where it came from, and whether some row says nothing."""
    additions, memo = _additions(), {}
    texts = [c for c in data.columns if c.endswith("_source") and c != "cited_source" or c in _TEXT_COLUMNS]
    texts = [c for c in data.columns if str(c).startswith("fact")] + texts
    release = next((c for c in ("release", "edition") if c in data), None)
    out: list[Credit] = []
    silent = False
    for row in data.to_dict("records"):
        found: list[Credit] = []
        for v in (row[col] for col in texts if isinstance(row[col], str)):
            found += memo[v] if v in memo else memo.setdefault(v, _from_text(v, additions))
        if isinstance(row.get("source_file"), str) and release and pd.notna(row[release]):
            found.append({"file": row["source_file"], "release": str(int(row[release]))})
        if not found and row.get("study") in _CODES:
            found.append({"study": _studies()[row["study"]], "table": "text"})
        silent |= not found
        out += found
    return out, silent


def _table_credits(tables: Iterable[str], output: str) -> list[Credit]:
    """The prints of processed tables, for silent rows; refused for a table of added or publisher rows."""
    out: list[Credit] = []
    for table in tables:
        for name in registry.raw_inputs()[table]:
            res = _raw().get(name)
            if res is None:  # a publisher's file: only the rows can name the release
                raise ValueError(f"{output}: {table}: rows from publishers' files need a source column naming "
                                 "each file")
            if name in ("facts", "errata"):
                out += [{"study": _studies()[code], "table": "text"} for code in _CODES]
            elif not res["path"].startswith("additions/"):
                out.append(_print_credit(name))
            elif not _rows(name).empty:
                raise ValueError(f"{output}: {table}: rows from {name} need a source column naming each row's origin")
    return out


def credits(data: pd.DataFrame | None, tables: Iterable[str] = (), output: str = "output") -> list[Credit]:
    """Every file, release and print ``data``'s rows (else ``tables``) come from, once each; errors name ``output``."""
    if data is not None and "sources" in data.attrs:
        return list(data.attrs["sources"])
    names = list(tables) or list(data.attrs.get("processed", []) if data is not None else [])
    found, silent = _row_credits(data) if data is not None else ([], True)
    if silent or not found:
        found += _table_credits(names, output)
    if not found:
        raise ValueError(f"{output}: no source known; pass data loaded by clean.load or sources=[processed tables]")
    unique = list({tuple(sorted(c.items())): c for c in found}.values())  # a set: each credit once,
    unique = [c for c in unique if not any(c != d and c.items() <= d.items() for d in unique)]  # the fuller kept
    return [c for kind in ("study", "added_from", "release") for c in unique if kind in c]  # prints, added, files


def source_line(found: list[Credit]) -> str:
    """'Source: ...', a clause per print (its cited originals joined), additions file, publisher's file."""
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
            out.append(f"rows added in {head}")  # the publisher's file they came from has its own clause
        elif kind:
            out.append(f"{', '.join(parts)}, as printed in {head}, {kind}" if parts else f"{head}, {kind}")
        else:
            years = [int(p) for p in parts if p.isdigit()]
            span = year_span(years) if len(years) == len(parts) else ", ".join(parts)
            out.append(f"{_PUBLISHER.get(head.split('/')[2], 'publisher file')} {span} ({head})")
    return "Source: " + "; ".join(out)
