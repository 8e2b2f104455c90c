"""What every output claims (its ``.meta.json``) checked against what it holds and the run it
belongs to, independently of the code that wrote the claims: the files and releases named in
the rows drawn, whether any drawn row is a printed value, one release per chart of countries in
one year, the legend against the series drawn, the title against the run's country and year, no
credit given twice, title and alt on one line (wrapping is drawing; other words are compared with
their whitespace joined). Each check returns the claims it finds wrong, as lines;
``tests/build/test_claims.py`` runs them over every output of every run's folder and, with
``tests/output/test_claims_checks.py``, shows each failing on a made-up wrong claim."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd

from oss_analysis import countries, notebook_specs
from oss_analysis.output import source_line

_FILE = re.compile(r"(\d{4}) \((data/sources/[^)]+)\)")
_LOCATOR = re.compile(r"\b(?:Table|Figure) \d+")
_PRINTED = re.compile(r"^(thesis|Table \d|Figure \d|text|line \d)|\b[A-Z]\d{3}\b|\(line \d+\)")


def words(text: object) -> str:
    """The text with every run of whitespace (a wrapped line's newline) as one space."""
    return " ".join(str(text).split())


def outputs(folder: Path) -> list[str]:
    """The outputs of notebooks.yaml this folder holds: charts and tables (their .png or .md)."""
    listed = [o for nb in notebook_specs.notebooks().values() for o in nb.outputs]
    return [o for o in dict.fromkeys(listed) if o.endswith((".png", ".md")) and (folder / o).exists()]


def claims(folder: Path, output: str) -> dict | None:
    meta = folder / (output.rsplit(".", 1)[0] + ".meta.json")
    return json.loads(meta.read_text(encoding="utf-8")) if meta.exists() else None


def _rows(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False) if path.exists() else pd.DataFrame()


def _files_named(rows: pd.DataFrame) -> set[tuple[str, str]]:
    """(file, release) of every publisher's file a row names, in a label or in file and release."""
    found = {(f, r) for col in rows for cell in rows[col] for r, f in _FILE.findall(str(cell))}
    release = next((c for c in ("release", "edition") if c in rows), None)
    if "source_file" in rows and release:
        found |= {(f, r) for f, r in zip(rows["source_file"], rows[release], strict=True) if f.startswith("data/")}
    return found


def _printed_rows(rows: pd.DataFrame) -> bool:
    """Whether any row holds a value as a study prints it (a seed line, a printed source, a fact)."""
    if "seed_line" in rows and (rows["seed_line"] != "").any():
        return True
    if "study" in rows and rows["study"].isin(["thesis", "article"]).any():
        return True
    cols = [c for c in rows if c.startswith("fact") or c == "source" or c.endswith("_source")]
    return any(_PRINTED.search(str(v)) for c in cols for v in rows[c] if v)


def check_sources(folder: Path, output: str) -> list[str]:
    """The source line names exactly the files and releases the drawn rows name, credits a study
    only where some drawn row is printed (and one where one is), and is the line its credits give;
    a chart of countries in one year draws them from one release (or the print)."""
    meta, stem = claims(folder, output), output.rsplit(".", 1)[0]
    if meta is None:
        return [f"{output}: no {stem}.meta.json"]
    wrong = check_credits(output, meta["sources"])
    if words(meta["source_line"]) != words(source_line.source_line(meta["sources"])):
        wrong.append(f"{output}: source line {meta['source_line']!r} is not what its sources say")
    credited = {(c["file"], c["release"]) for c in meta["sources"] if "release" in c}
    studies = [c for c in meta["sources"] if "study" in c]
    rows = _rows(folder / (f"{stem}.data.csv" if output.endswith(".png") else f"{stem}.csv"))
    named = _files_named(rows)
    if output.endswith(".png"):  # a chart's rows are all there: exactly these files, prints only if drawn
        if named != credited:
            wrong.append(f"{output}: credits {sorted(credited - named)} not drawn, misses {sorted(named - credited)}")
        if bool(studies) != _printed_rows(rows):
            said = [c["study"] for c in studies]
            wrong.append(f"{output}: credits {said} but printed rows drawn: {_printed_rows(rows)}")
    elif named - credited:  # a table may be computed from more rows than it shows, never fewer
        wrong.append(f"{output}: names {sorted(named - credited)} without crediting them")
    if output.endswith(".png") and "iso3" in rows and ("year" not in rows or rows["year"].nunique() == 1):
        for col in (c for c in rows if c == "source" or c.endswith("_source")):  # countries in one year: one release
            if len(drawn := {m[0] if (m := _FILE.search(v)) else "print" for v in rows[col]}) > 1:
                wrong.append(f"{output}: {col} mixes releases {sorted(drawn)}")
    added = {c["added_from"] for c in meta["sources"] if "added_from" in c}
    if output.endswith(".png") and added != _added(folder) & {v for col in rows for v in rows[col]}:
        wrong.append(f"{output}: credits rows added from {sorted(added)}, not the added rows it draws")
    return wrong


def check_credits(output: str, sources: list[dict]) -> list[str]:
    """No credit twice: the same file and release; the same study, table and citation; a table credited and cited."""
    keys = [tuple(sorted((k, words(v)) for k, v in c.items())) for c in sources]
    wrong = [f"{output}: credits {dict(k)} {n} times" for k in sorted(set(keys)) if (n := keys.count(k)) > 1]
    tables = {(c["study"], c["table"]) for c in sources if "study" in c}
    cited = [(c["study"], t) for c in sources if "study" in c for t in _LOCATOR.findall(c.get("cites", ""))]
    return wrong + [f"{output}: credits {s}, {t} and cites it again" for s, t in cited if (s, t) in tables]


def _added(folder: Path) -> set[str]:
    """The ``source`` of every row a user added (data/raw/additions/ of the run's project)."""
    root = (folder if folder.name == "figures" else folder.parent).parent
    return {v for f in (root / "data" / "raw" / "additions").glob("*.csv") for v in _rows(f).get("source", [])}


def check_legend(folder: Path, output: str) -> list[str]:
    meta = claims(folder, output)
    if meta is None or [words(x) for x in meta["legend"]] == [words(x) for x in meta.get("series", meta["legend"])]:
        return []
    return [f"{output}: legend {meta['legend']} but series drawn {meta['series']}"]


def check_title(folder: Path, output: str, default: Path, iso3: str, year: int | None, years: set[int]) -> list[str]:
    """Where the default build's title names Kazakhstan or its year, the run's names its own."""
    meta, was = claims(folder, output), claims(default, output)
    if meta is None or was is None:
        return []
    wrong, name, title = [], countries.name_of(iso3), words(meta["title"])
    other = iso3 != "KAZ" and "Kazakhstan" in title
    if "Kazakhstan" in words(was["title"]) and (name not in title or other):
        wrong.append(f"{output}: title {meta['title']!r} is not about {name}")
    said = {int(y) for y in re.findall(r"(?<![\d-])((?:19|20)\d\d)(?![\d-])", was["title"])} & years
    if year is not None and said and str(year) not in title:
        wrong.append(f"{output}: title {meta['title']!r} does not name the run's year {year}")
    return wrong


_HOW_MANY = re.compile(r"\((?:other |all )?(\d+)\)|\bover (\d+)\b|\bmean of (\w+) and (\w+)$")


def check_medians(folder: Path, output: str) -> list[str]:
    """A median says over how many countries (a mean of two names both), and its rows agree: ``n``
    and ``members`` of every row of that series hold that many (those two)."""
    meta, stem = claims(folder, output), output.rsplit(".", 1)[0]
    if meta is None or not output.endswith(".png"):
        return []
    rows, wrong = _rows(folder / f"{stem}.data.csv"), []
    for entry in (words(e) for e in meta.get("series", meta["legend"]) if "median" in e or "mean of" in e):
        said = _HOW_MANY.search(entry)
        if said is None:
            wrong.append(f"{output}: {entry!r} does not say over how many countries")
            continue
        n = "2" if said[3] else next(g for g in said.groups() if g)
        drawn = rows[rows["series"].map(words) == entry] if "series" in rows else rows.iloc[:0]
        counts = {*drawn.get("n", []), *(str(len(m.split())) for m in drawn.get("members", []))}
        named = {" ".join(sorted(said.groups()[2:]))} if said[3] else set()
        if drawn.empty or counts != {n} or named - {" ".join(sorted(m.split())) for m in drawn.get("members", [])}:
            wrong.append(f"{output}: {entry!r} but its rows hold n/members {sorted(counts)}")
    return wrong


def _scored(root: Path, table: str, value: str, year: str, files: set[str]) -> set[int]:
    """How many entities the publisher's file(s) score for the year (each file on its own)."""
    rows = _rows(root / "data" / "processed" / f"{table}.csv")
    when = "year" if "year" in rows else "edition"
    rows = rows[(rows[when] == year) & (rows[value] != "")]
    rows = rows[rows["source_file"].isin(files)] if files & set(rows["source_file"]) else rows
    return {int(n) for n in rows.groupby("source_file")["iso3"].nunique()}


def check_counts(folder: Path, output: str) -> list[str]:
    """Every "ranks R of M" of a CPI or UN title and every "R of M" an e-government chart draws (its
    ``surveyed``) is the publisher's own count for that edition, entities that are not ISO 3166
    (Kosovo) among them: the M of the credited file, or of any file holding the year."""
    meta, stem = claims(folder, output), output.rsplit(".", 1)[0]
    if meta is None or not output.endswith(".png"):
        return []
    root = folder.parent if folder.name == "figures" else folder.parent.parent
    files, wrong = {c["file"] for c in meta["sources"] if "file" in c}, []
    said = re.search(r"\b(CPI|e-government \w+) (\d{4})\b.*\branks \d+ of (\d+)\b", words(meta["title"]))
    if said:  # a year no shipped file holds (the UN's 2008 survey) can only be as printed
        table, value, who = (
            ("cpi_sources", "score", "TI scored") if said[1] == "CPI" else ("egdi_sources", "rank", "the UN ranked")
        )
        counts = _scored(root, table, value, said[2], files)
        if counts and int(said[3]) not in counts:
            wrong.append(f"{output}: title says of {said[3]}, {who} {sorted(counts)} in {said[2]}")
    rows = _rows(folder / f"{stem}.data.csv")
    drawn = zip(rows["year"], rows["surveyed"], strict=True) if {"year", "surveyed"} <= set(rows) else []
    for year, n in sorted({(y, n) for y, n in drawn if n}):
        if int(float(n)) not in (counts := _scored(root, "egdi_sources", "rank", year, files)):
            wrong.append(f"{output}: draws {year} 'of {n}', the UN ranked {sorted(counts)}")
    return wrong


_ROWS = re.compile(r"\bplots (\d+) data rows\b|\bA table of (\d+) rows\b")


def check_alt(folder: Path, output: str) -> list[str]:
    """The alt text (what a screen reader says) opens with the title and counts the rows the
    output holds."""
    meta, stem = claims(folder, output), output.rsplit(".", 1)[0]
    if meta is None:
        return []
    alt = words(meta.get("alt", ""))  # one line each: wrapping is drawing, not words
    wrong = [f"{output}: {k} holds a line break" for k in ("title", "alt") if "\n" in meta.get(k, "")]
    if not alt.startswith(words(meta["title"])):
        wrong.append(f"{output}: alt {alt[:60]!r}… does not open with the title")
    said = _ROWS.search(alt)
    rows = _rows(folder / (f"{stem}.data.csv" if output.endswith(".png") else f"{stem}.csv"))
    if said and int(said[1] or said[2]) != len(rows):
        wrong.append(f"{output}: alt counts {said[1] or said[2]} rows, the output holds {len(rows)}")
    return wrong
