"""Raw transcriptions -> tidy, typed frames: one builder per table of ``transform/registry.py``, named like it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from oss_analysis import countries, paths
from oss_analysis.domain import WGI_CODES, decimal_year
from oss_analysis.errors import DataError, ParameterError
from oss_analysis.extract import datapackage, publishers
from oss_analysis.extract.transcriptions import load_raw, titles, validate
from oss_analysis.files import atomic_write, csv_bytes, sha256, write_csv
from oss_analysis.transform import registry

if TYPE_CHECKING:  # pandera (with the schemas) is imported to build or check a table, not to read one
    import pandera.pandas as pa


def _iso3(names: pd.Series) -> pd.Series:
    return names.map(lambda n: countries.to_iso3(str(n)))


def _additions(name: str, thesis: str, printed: pd.DataFrame) -> pd.DataFrame:
    """A user-additions file, codes normalised; a row naming two countries or one of ``printed`` is refused."""
    add = load_raw(name)
    file = f"data/raw/{datapackage.resource(name)['path']}"
    shipped = {code: i + 2 for i, code in enumerate(_iso3(printed["country"]))}
    codes = add["country_code"].map(lambda c: countries.normalise_code(str(c)))
    for i, (code, country) in enumerate(zip(codes, add["country"], strict=True)):
        rule = countries.disagreement(country, code)
        if rule is None and code in shipped:
            where = f"data/raw/{datapackage.resource(thesis)['path']}, line {shipped[code]}"
            rule = f"{code} is already in the thesis' table ({where}); additions are for other countries"
        if rule:
            raise DataError(file, rule, row=i + 2, column="country_code", value=add["country_code"].iloc[i])
    return add.assign(country_code=codes)


def cpi_2009() -> pd.DataFrame:
    """Thesis Table 3, plus any countries users added (source says which; seed_line empty)."""
    raw = load_raw("thesis_table_03_cpi")
    add = _additions("cpi_2009_additions", "thesis_table_03_cpi", raw)
    names = {"country_code": "iso3", "country_rank": "rank", "cpi_score": "score"}
    printed = raw.assign(iso3=_iso3(raw["country"]), year=2009, source="thesis Table 3").rename(columns=names)
    out = pd.concat([printed, add.rename(columns=names).assign(seed_line=pd.NA)], ignore_index=True)
    cols = ["iso3", "country", "year", "rank", "score", "source", "seed_line"]
    return out[cols].sort_values(["rank", "iso3"], kind="stable").reset_index(drop=True)


def wgi_2008() -> pd.DataFrame:
    """Thesis Table 2 in long form, plus any countries users added."""
    raw = load_raw("thesis_table_02_wgi").assign(source="thesis Table 2")
    add = _additions("wgi_2008_additions", "thesis_table_02_wgi", raw)
    add = add.drop(columns=["country_code", "year"]).assign(seed_line=pd.NA)
    both = pd.concat([raw, add], ignore_index=True)
    long = both.melt(id_vars=["country", "seed_line", "source"], var_name="field", value_name="percentile")
    long["indicator_name"] = long["field"].map(titles("thesis_table_02_wgi"))
    long["indicator"] = long["indicator_name"].map({v: k for k, v in WGI_CODES.items()})
    long["iso3"] = _iso3(long["country"])
    long["year"] = 2008
    cols = ["iso3", "country", "year", "indicator", "indicator_name", "percentile", "source", "seed_line"]
    return long[cols].sort_values(["iso3", "indicator"], kind="stable").reset_index(drop=True)


def eiu_2008() -> pd.DataFrame:
    out = load_raw("thesis_table_04_eiu")
    for end in ("highest", "lowest"):  # each country's code beside its name
        out.insert(out.columns.get_loc(f"{end}_country") + 1, f"{end}_iso3", _iso3(out[f"{end}_country"]))
    out.insert(0, "order", range(len(out)))
    return out


def barriers_2007() -> pd.DataFrame:
    raw = load_raw("thesis_table_11_barriers")
    stakeholders = set(load_raw("thesis_oss_stakeholder_providers")["provider"])
    unknown = stakeholders - set(raw["provider"])
    if unknown:
        rule = f"providers not in Table 11: {sorted(unknown)}"
        raise DataError("data/raw/thesis_oss_stakeholder_providers.csv", rule, column="provider")
    out = raw.assign(is_oss=raw["provider"].eq("One Stop Shop"), is_oss_stakeholder=raw["provider"].isin(stakeholders))
    out = out.sort_values("rating", kind="stable").reset_index(drop=True)
    out.insert(0, "order", range(1, len(out) + 1))
    return out[["order", "rating", "provider", "is_oss", "is_oss_stakeholder", "seed_line"]]


def legislation_events() -> pd.DataFrame:
    raw = load_raw("thesis_table_05_legislation")
    out = raw.assign(printed_order=range(1, len(raw) + 1), year=decimal_year(raw["date_start"]))
    dates = ["date_start", "date_end", "year", "printed_order"]  # first, then the printed columns in file order
    cols = [*dates, *(c for c in raw if c not in dates)]
    return out[cols].sort_values(["date_start", "printed_order"], kind="stable").reset_index(drop=True)


def case_offices() -> pd.DataFrame:
    return load_raw("thesis_table_08_case_offices").reset_index(drop=True)


def services_by_agency() -> pd.DataFrame:
    out = load_raw("thesis_table_09_services")
    out.insert(0, "printed_order", range(1, len(out) + 1))
    return out


def oss_stages() -> pd.DataFrame:
    return load_raw("thesis_figure_04_stages").sort_values("stage").reset_index(drop=True)


def _checked(name: str, key: str) -> pd.DataFrame:
    """A raw table checked against its processed schema in file order (errors name its lines), sorted by ``key``."""
    raw = load_raw(name)
    validate(raw, schema(name), f"data/raw/{name}.csv")
    return raw.sort_values(key).reset_index(drop=True)


def facts() -> pd.DataFrame:
    return _checked("facts", "fact_id")


def errata() -> pd.DataFrame:
    return _checked("errata", "erratum_id")


_KIND = {"oss_offices": "existing", "oss_offices_opened": "opened", "oss_offices_planned": "planned",
         "oss_offices_target": "target", "oss_services": "existing", "oss_services_target": "target",
         "oss_services_planned": "planned (added)"}
POINT = ["date", "value", "qualifier", "kind", "source", "seed_line", "fact_id"]


def _oss_timeline(topic: str, count: str, qualifier: str | None = None) -> pd.DataFrame:
    """Every count of one topic (``oss_offices``, ``oss_services``) at its own date (docs/stages/transform.md)."""
    f, rows = facts(), []
    quantities = {q: kind for q, kind in _KIND.items() if q.startswith(topic)}
    for r in f[f["topic"].eq(topic) & f["quantity"].isin([*quantities, f"{topic}_range"])].itertuples():
        src = f"text, line {r.seed_line} ({r.fact_id})"
        if r.quantity == f"{topic}_range":
            rows.append((r.date_start, r.value, r.qualifier, "existing", src, r.seed_line, r.fact_id))
            rows.append((r.date_end, r.value_high, r.qualifier, "existing", src, r.seed_line, r.fact_id))
        else:
            date = r.date_end if pd.notna(r.date_end) else r.date_start
            rows.append((date, r.value, r.qualifier, quantities[r.quantity], src, r.seed_line, r.fact_id))
    for r in legislation_events().dropna(subset=[count]).itertuples():  # with a qualifier: at its end, if any
        date = r.date_end if qualifier and pd.notna(r.date_end) else r.date_start
        src, mark = f"Table 5, line {r.seed_line}", getattr(r, qualifier) if qualifier else "exact"
        rows.append((date, float(getattr(r, count)), mark, "existing", src, r.seed_line, pd.NA))
    for r in oss_stages().itertuples():
        planned = ("target", "target") if r.is_vision else ("exact", "existing")  # qualifier, kind
        points = []
        if topic == "oss_offices" and pd.notna(r.offices_to):
            points = [(r.date_start, r.offices_from, ("exact", "existing"))] if pd.notna(r.offices_from) else []
            points.append((r.date_end, r.offices_to, planned))
        if topic == "oss_services" and pd.notna(r.services) and r.services_kind in ("total", "target"):
            points = [(r.date_start, r.services, planned)]
        src = f"Figure 4 stage {r.stage}, line {r.seed_line}"
        rows += [(date, float(value), *mark, src, r.seed_line, pd.NA) for date, value, mark in points]
    out = pd.DataFrame(rows, columns=POINT)
    out["year"] = out["date"].where(out["date"].notna()).pipe(lambda d: decimal_year(d.fillna("2099")))
    out.loc[out["date"].isna(), "year"] = pd.NA
    out = out.sort_values(["kind", "year", "value", "source"], kind="stable", na_position="last").reset_index(drop=True)
    kind = out["source"].str.extract(r"^(Table \d+|Figure \d+|text)")[0].str.replace("Figure", "Fig.")
    out["source_short"] = kind + " l." + out["seed_line"].astype(str)
    return out[["kind", "date", "year", "value", "qualifier", "source", "source_short", "seed_line", "fact_id"]]


def oss_offices_timeline() -> pd.DataFrame:
    """Every office count of the thesis at its own date (not one series: errata E003, E024)."""
    return _oss_timeline("oss_offices", "offices", qualifier="offices_qualifier")


def oss_services_timeline() -> pd.DataFrame:
    """Every count of services the OSS offered (or were to offer), each at its own date."""
    return _oss_timeline("oss_services", "services_total")


def egov_ranks() -> pd.DataFrame:
    """UN e-government ranks as printed, and Kazakhstan's 2005 and 2003 ranks derived from the stated changes."""
    f = facts()
    ranks = f[f["quantity"].isin(["un_egov_rank", "egdi_rank"])]
    out = pd.DataFrame({"iso3": ranks["iso3"], "year": ranks["date_start"].astype(int),
                        "rank": ranks["value"].astype(int), "derived": False, "study": ranks["study"],
                        "source": "line " + ranks["seed_line"].astype(str) + " (" + ranks["fact_id"] + ")"})
    changes = f[f["quantity"].eq("un_egov_rank_change")].set_index("period")["value"]
    kaz = out[(out["iso3"] == "KAZ") & (out["year"] == 2008)]["rank"].iloc[0]
    r2005 = kaz + int(changes["2005-2008"])
    r2003 = r2005 + int(changes["2003-2005"])
    derived = pd.DataFrame({"iso3": "KAZ", "year": [2005, 2003], "rank": [r2005, r2003], "derived": True,
                            "study": "thesis", "source": ["2008 rank + 16 (line 316)", "2005 rank + 18 (line 316)"]})
    out = pd.concat([out, derived], ignore_index=True)
    return out.sort_values(["iso3", "year"], kind="stable").reset_index(drop=True)


def satisfaction() -> pd.DataFrame:
    f = facts()
    names = {"date_start": "year", "value": "satisfied_pct", "cited_source": "source", "entity": "instrument"}
    s = f[f["quantity"].eq("citizen_satisfaction")].rename(columns=names)
    out = s[[*names.values(), "seed_line", "fact_id"]].astype({"year": int})
    return out.sort_values("year").reset_index(drop=True)


def document_delays() -> pd.DataFrame:
    """Delayed-document shares and service volumes, 2007 and 2008, and the implied count (derived)."""
    f = facts().set_index("fact_id")
    share = f[f["quantity"].eq("documents_delayed_share")]
    volume = f[f["quantity"].eq("services_delivered")]
    services = volume.set_index("date_start").loc[share["date_start"], "value"] * 1_000_000
    out = pd.DataFrame({"year": share["date_start"].astype(int).to_numpy(), "delayed_pct": share["value"].to_numpy(),
                        "services": services.to_numpy(), "fact_share": share.index.to_numpy()})
    out["delayed_implied"] = (out["delayed_pct"] / 100 * out["services"]).round().astype(int)
    return out.sort_values("year").reset_index(drop=True)


def wgi_sources() -> pd.DataFrame:
    return publishers.table("wgi")


def cpi_sources() -> pd.DataFrame:
    return publishers.table("cpi")


def egdi_sources() -> pd.DataFrame:
    return publishers.table("egdi")


def source_drops() -> pd.DataFrame:
    """Every row the readers left out of the three source tables, with the reason."""
    drops = publishers.Drops()
    for kind in ("wgi", "cpi", "egdi"):
        publishers.table(kind, drops)
    return drops.frame()


def schema(name: str) -> pa.DataFrameSchema:
    """A processed table's pandera schema, as transform/registry.py names it (pandera imported on first use)."""
    from oss_analysis.transform import schemas

    return schemas.schema(registry.TABLES[name].schema)


def build(name: str) -> pd.DataFrame:
    """Build one processed table (its builder is the function named like it) and validate it against its schema."""
    if name not in registry.TABLES:
        raise ParameterError(f"no processed table named {name!r}; known: {', '.join(sorted(registry.TABLES))}")
    return validate(globals()[name](), schema(name), f"data/processed/{name}.csv (built from {_raw_files(name)})")


def _raw_files(name: str) -> str:
    """The raw files a processed table is built from, as a reader would name them."""
    files = datapackage.resource_paths()
    return ", ".join(files[r].relative_to(paths.root()).as_posix() for r in registry.TABLES[name].raw)


def write(name: str, out_dir: Path | None = None) -> Path:
    """Build and write one processed table; into ``out_dir`` (staging) also the record :func:`load` types it by."""
    target = Path(out_dir) if out_dir else paths.processed_dir()
    frame = build(name)
    path = write_csv(frame, target / f"{name}.csv")
    if out_dir:
        record = {"sha256": sha256(path), "dtypes": {str(c): str(t) for c, t in frame.dtypes.items()}}
        text = json.dumps(record, indent=1) + "\n"
        atomic_write(target / f"{name}.json", lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
    return path


def verify(name: str) -> None:
    """Refuse a processed table that is not what its raw files give now, naming the first line that differs."""
    path = paths.processed_file(name)
    shown = f"data/processed/{name}.csv"
    if not path.exists():
        raise DataError(shown, "file is missing (run `make all` to build it from data/raw)")
    have, want = path.read_bytes(), csv_bytes(build(name))
    if have == want:
        return
    a, b = have.split(b"\n"), want.split(b"\n")
    line = next((i + 1 for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
    rule = f"is not what data/raw gives (edited by hand? edits belong in {_raw_files(name)}; "
    raise DataError(shown, rule + "delete it and run `make all` to rebuild it)", row=line)


def load(name: str) -> pd.DataFrame:
    """A processed table as notebooks read it: typed from the build's record, else verified and validated."""
    path = paths.processed_file(name)
    rec = paths.build_dir() / "prepared" / f"{name}.json"  # the build's record: sha256 of the bytes, dtypes
    known = json.loads(rec.read_text(encoding="utf-8")) if rec.exists() and path.exists() else {}
    if known and known.get("sha256") == sha256(path):
        frame = pd.read_csv(path, keep_default_na=True)
        if list(known.get("dtypes", {})) == list(frame.columns):
            frame = frame.astype(known["dtypes"])
            frame.attrs["processed"] = [name]  # follows the frame into charts: their source line (origin)
            return frame
    verify(name)
    checked = validate(pd.read_csv(path, keep_default_na=True), schema(name), f"data/processed/{name}.csv")
    checked.attrs["processed"] = [name]
    return checked
