"""Adding a country's data: read the public distribution files of the World Bank's WGI and
Transparency International's CPI, keep the requested countries, and merge them into the
additions files in data/raw/additions/ (validated by the same schemas as any raw file).

Accepted layouts (CSV, UTF-8):
- WGI: the World Bank DataBank export ("Country Name", "Country Code", "Series Name",
  "Series Code", "2008 [YR2008]", ...), using the six percentile-rank series (codes ending in
  ".PER.RNK"); or this compendium's own template layout (data/raw/additions/wgi_2008_additions.csv).
- CPI: Transparency International's table ("Country Rank", "Country/Territory" or "Country",
  "CPI 2009 Score", ...); or the template layout (data/raw/additions/cpi_2009_additions.csv).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from . import countries, paths
from .errors import DataError
from .io import load_raw, resource, validate_as

WGI_SERIES = {
    "VA.PER.RNK": "voice_and_accountability",
    "PV.PER.RNK": "political_stability",
    "GE.PER.RNK": "government_effectiveness",
    "RQ.PER.RNK": "regulatory_quality",
    "RL.PER.RNK": "rule_of_law",
    "CC.PER.RNK": "control_of_corruption",
}


def _read(path: Path) -> pd.DataFrame:
    if not path.exists():
        raise DataError(str(path), "file is missing")
    raw = path.read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]  # public downloads often carry a BOM; the committed additions file never does
    try:
        from io import StringIO

        return pd.read_csv(StringIO(raw.decode("utf-8")), dtype=str, keep_default_na=False)
    except UnicodeDecodeError:
        raise DataError(str(path), "is not valid UTF-8; save it as UTF-8") from None


def _by_country(frame: pd.DataFrame, resource_name: str, file: str) -> pd.DataFrame:
    """Validate converted rows; a failure names the country, since converted rows have no line."""
    try:
        return validate_as(resource_name, frame.reset_index(drop=True), file)
    except DataError as exc:
        if isinstance(exc.row, int) and 0 <= exc.row - 2 < len(frame):
            code = frame.reset_index(drop=True).at[exc.row - 2, "country_code"]
            raise DataError(file, f"{exc.rule} for {code}", column=exc.column, value=exc.value) from None
        raise


def _as_template(frame: pd.DataFrame, resource_name: str, codes: set[str] | None, file: str) -> pd.DataFrame | None:
    """The frame validated as-is when it is already in the template layout, else None."""
    template = [f["name"] for f in resource(resource_name)["schema"]["fields"]]
    if list(frame.columns) != template:
        return None
    return _by_country(frame if codes is None else frame[frame["country_code"].isin(codes)], resource_name, file)


def read_wgi(path: Path, *, year: int = 2008, codes: set[str] | None = None) -> pd.DataFrame:
    """WGI percentile ranks in the template layout, from either accepted layout (optionally only
    the given countries)."""
    frame = _read(Path(path))
    name = str(path)
    done = _as_template(frame, "wgi_2008_additions", codes, name)
    if done is not None:
        return done
    template = [f["name"] for f in resource("wgi_2008_additions")["schema"]["fields"]]
    need = {"Country Name", "Country Code", "Series Code", f"{year} [YR{year}]"}
    missing = need - set(frame.columns)
    if missing:
        raise DataError(
            name, f"neither the template layout nor the World Bank DataBank layout (missing {sorted(missing)})", row=1
        )
    col = f"{year} [YR{year}]"
    rows = frame[frame["Series Code"].isin(WGI_SERIES)]
    if rows.empty:
        raise DataError(name, f"no percentile-rank series ({', '.join(WGI_SERIES)})", column="Series Code")
    rows = rows.assign(field=rows["Series Code"].map(WGI_SERIES), value=rows[col].replace({"..": ""}))
    wide = rows.pivot_table(index=["Country Code", "Country Name"], columns="field", values="value", aggfunc="first")
    wide = wide.reset_index().rename(columns={"Country Code": "country_code", "Country Name": "country"})
    for f in WGI_SERIES.values():
        if f not in wide:
            wide[f] = ""
    wide["year"] = str(year)
    wide["source"] = f"World Bank WGI DataBank file {Path(path).name}"
    if codes is not None:
        wide = wide[wide["country_code"].isin(codes)]
    return _by_country(wide[template].fillna(""), "wgi_2008_additions", name)


def read_cpi(path: Path, *, year: int = 2009, codes: set[str] | None = None) -> pd.DataFrame:
    """CPI ranks and scores in the template layout, from either accepted layout."""
    frame = _read(Path(path))
    name = str(path)
    done = _as_template(frame, "cpi_2009_additions", codes, name)
    if done is not None:
        return done
    template = [f["name"] for f in resource("cpi_2009_additions")["schema"]["fields"]]

    def find(pattern: str) -> str:
        hits = [c for c in frame.columns if re.search(pattern, c, re.I)]
        if not hits:
            raise DataError(
                name, f"neither the template layout nor TI's CPI table (no column matching {pattern!r})", row=1
            )
        return hits[0]

    rank, country, score = find(r"rank"), find(r"^country(?!\s*rank)"), find(rf"cpi.*{year}.*score|cpi.*score|^score")
    iso3 = frame[country].map(lambda n: countries.to_iso3(str(n)) or "")
    unknown = frame.loc[iso3 == "", country]
    if len(unknown):
        raise DataError(
            name,
            "unknown country name (add it to config/country_aliases.csv if it is a real country)",
            row=int(unknown.index[0]) + 2,
            column=country,
            value=unknown.iloc[0],
        )
    out = pd.DataFrame(
        {
            "country_code": iso3,
            "country": frame[country],
            "country_rank": frame[rank],
            "cpi_score": frame[score],
            "year": str(year),
            "source": f"Transparency International CPI {year} table {Path(path).name}",
        }
    )
    if codes is not None:
        out = out[out["country_code"].isin(codes)]
    return _by_country(out[template], "cpi_2009_additions", name)


def add(kind: str, path: Path, codes: list[str]) -> Path:
    """Merge the rows of the given countries from a public file into the additions file."""
    reader, res = {"wgi": (read_wgi, "wgi_2008_additions"), "cpi": (read_cpi, "cpi_2009_additions")}[kind]
    wanted = {c.upper() for c in codes}
    picked = reader(path, codes=wanted)
    absent = sorted(wanted - set(picked["country_code"]))
    if absent:
        raise DataError(str(path), f"has no rows for {', '.join(absent)}", column="country_code")
    thesis = {"wgi": "thesis_table_02_wgi", "cpi": "thesis_table_03_cpi"}[kind]
    already = {countries.to_iso3(n) for n in load_raw(thesis, verify_hash=False)["country"]}
    clash = sorted(wanted & already)
    if clash:
        raise DataError(
            str(path),
            f"{', '.join(clash)} already in the thesis' table; additions are for other countries",
            column="country_code",
        )
    target = paths.raw_dir() / resource(res)["path"]
    current = load_raw(res, verify_hash=False)
    merged = pd.concat([current[~current["country_code"].isin(wanted)], picked], ignore_index=True)
    merged = merged.sort_values("country_code").reset_index(drop=True)
    merged.to_csv(target, index=False, lineterminator="\n")
    from .datapackage import update

    update()
    return target
