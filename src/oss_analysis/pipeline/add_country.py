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

from oss_analysis import countries, paths
from oss_analysis.domain import ti_rank
from oss_analysis.errors import DataError
from oss_analysis.extract import new_release, publishers
from oss_analysis.extract.transcriptions import load_raw, resource, validate_as

PRODUCER = {"wgi": "World Bank WGI", "cpi": "Transparency International CPI"}
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


def _wanted(codes: list[str], file: str) -> set[str]:
    """The --countries codes, normalised once; a code that is not ISO 3166 alpha-3 is refused."""
    out = set()
    for code in codes:
        iso3 = countries.normalise_code(code)
        if iso3 is None:
            raise DataError(file, f"--countries {code}: not an ISO 3166 alpha-3 code{countries.suggestion(code)}")
        out.add(iso3)
    return out


def _legacy(kind: str, path: Path) -> bool:
    """The layouts accepted before the publishers' own files: this compendium's template, the
    DataBank export (Series Code, '2008 [YR2008]') and TI's CPI 2009 table (with a rank column)."""
    if kind == "egdi" or not path.exists():
        return False
    first = path.read_bytes()[:2000].decode("utf-8", errors="replace").lstrip("\ufeff").splitlines()[0]
    template = ",".join(
        f["name"] for f in resource(f"{kind}_{ {'wgi': 2008, 'cpi': 2009}[kind] }_additions")["schema"]["fields"]
    )
    return first == template or "Series Code" in first or (kind == "cpi" and "Country Rank" in first)


def _from_sources(kind: str, frame: pd.DataFrame, wanted: set[str], file: str, year: int | None) -> pd.DataFrame:
    """Rows of the studies' year (WGI 2008 percentile ranks, CPI 2009 on 0-10) in the template
    layout; empty when the file does not hold that year."""
    if kind == "wgi":
        rows = frame[(frame["year"] == (year or 2008)) & frame["iso3"].isin(wanted) & frame["pct_rank"].notna()]
        wide = rows.pivot_table(index=["iso3", "country"], columns="indicator", values="pct_rank", aggfunc="first")
        wide = wide.rename(columns={k[:2].upper(): v for k, v in WGI_SERIES.items()}).reset_index()
        out = wide.rename(columns={"iso3": "country_code"}).assign(year=str(year or 2008))
    else:
        scored = frame[(frame["year"] == (year or 2009)) & (frame["scale"] == 10)]
        rank = scored["rank"].fillna(ti_rank(scored["score"]))  # a file without ranks: TI's rule
        rows = scored[scored["iso3"].isin(wanted)]
        out = pd.DataFrame(
            {
                "country_code": rows["iso3"],
                "country": rows["country"],
                "country_rank": rank[rows.index],
                "cpi_score": rows["score"],
                "year": rows["year"],
            }
        )
    if out.empty:
        return out
    res = f"{kind}_{ {'wgi': 2008, 'cpi': 2009}[kind] }_additions"
    out = out.assign(source=f"{PRODUCER[kind]} file {Path(file).name}")
    template = [f["name"] for f in resource(res)["schema"]["fields"]]
    return _by_country(out.reindex(columns=template).astype("string").fillna(""), res, file)


def add(kind: str, path: Path, codes: list[str], *, year: int | None = None) -> list[str]:
    """Import a publisher's file as downloaded: check it holds the countries, ship it among the
    publishers' files if it is new (any WGI, CPI or UN e-government layout), and merge the
    countries' values of the studies' year (WGI 2008, CPI 2009) into data/raw/additions/.
    Returns the lines to print."""
    path = Path(path)
    file = paths.shown(path)
    wanted = _wanted(codes, file)
    said = []
    if _legacy(kind, path):
        picked = {"wgi": read_wgi, "cpi": read_cpi}[kind](path, codes=wanted)
    else:
        drops = publishers.Drops()
        frame = publishers.read_file(path, drops)
        layout = publishers.detect_layout(publishers.decode(path.read_bytes(), file), file)
        actual = publishers.KIND.get(layout, "egdi")
        if actual != kind:
            raise DataError(file, f"is a {actual} file (layout {layout}), not {kind}: use `add-country-data {actual}`")
        _check_present(wanted, set(frame["iso3"]), file)
        said.append(new_release.register(path, kind, layout, frame))
        picked = _from_sources(kind, frame, wanted, file, year) if kind != "egdi" else pd.DataFrame()
        if picked.empty:
            return said + [
                f"{Path(path).name} holds no values of the studies' year for the additions; "
                "country runs take its values from data/sources/"
            ]
    _check_present(wanted, set(picked["country_code"]), file)
    said.append(_merge(kind, picked, wanted, file))
    return said


def _check_present(wanted: set[str], present: set[str], file: str) -> None:
    absent = sorted(wanted - present)
    if absent:
        raise DataError(file, f"has no rows for {', '.join(absent)}", column="country_code")


def _merge(kind: str, picked: pd.DataFrame, wanted: set[str], file: str) -> str:
    """Merge validated rows into the additions file (never a country the thesis' table holds)."""
    res = {"wgi": "wgi_2008_additions", "cpi": "cpi_2009_additions"}[kind]
    thesis = {"wgi": "thesis_table_02_wgi", "cpi": "thesis_table_03_cpi"}[kind]
    picked = picked.assign(country_code=picked["country_code"].map(lambda c: countries.normalise_code(str(c)) or c))
    for code, name in zip(picked["country_code"], picked["country"], strict=True):
        rule = countries.disagreement(name, code)  # the code is not ignored: it must name the same country
        if rule:
            raise DataError(file, rule, column="country_code", value=code)
    already = {countries.to_iso3(n) for n in load_raw(thesis, verify_hash=False)["country"]}
    clash = sorted(wanted & already)
    if clash:
        raise DataError(
            file,
            f"{', '.join(clash)} already in the thesis' table; additions are for other countries",
            column="country_code",
        )
    target = paths.raw_dir() / resource(res)["path"]
    current = load_raw(res, verify_hash=False)
    merged = pd.concat([current[~current["country_code"].isin(wanted)], picked], ignore_index=True)
    merged = merged.sort_values("country_code").reset_index(drop=True)
    merged.to_csv(target, index=False, lineterminator="\n")
    from oss_analysis.extract.datapackage import update

    update()
    return f"updated {target.relative_to(paths.root())} and its checksum in data/raw/datapackage.json"
