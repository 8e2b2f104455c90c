"""Raw transcriptions -> tidy, typed frames (one registry, one function per processed table).

Each processed table declares the raw resources it reads, so the build graph reruns only what a
changed raw file feeds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from . import countries, paths, registry, schemas
from .io import load_raw, titles, validate
from .tables import write_csv


@dataclass(frozen=True)
class Processed:
    build: Callable[[], pd.DataFrame]
    schema: pa.DataFrameSchema
    description: str

    @property
    def name(self) -> str:
        return self.build.__name__

    @property
    def raw(self) -> tuple[str, ...]:
        """Raw resources read, as declared in workflow/notebooks.yaml (the build graph's view)."""
        return registry.processed_tables()[self.name]


def _iso3(names: pd.Series) -> pd.Series:
    return names.map(lambda n: countries.to_iso3(str(n)))


def cpi_2009() -> pd.DataFrame:
    raw = load_raw("thesis_table_03_cpi")
    out = pd.DataFrame(
        {
            "iso3": _iso3(raw["country"]),
            "country": raw["country"],
            "year": 2009,
            "rank": raw["country_rank"],
            "score": raw["cpi_score"],
            "seed_line": raw["seed_line"],
        }
    )
    return out.sort_values(["rank", "iso3"], kind="stable").reset_index(drop=True)


def wgi_2008() -> pd.DataFrame:
    raw = load_raw("thesis_table_02_wgi")
    names = {v: k for k, v in schemas.WGI_CODES.items()}
    fields = titles("thesis_table_02_wgi")
    long = raw.melt(id_vars=["country", "seed_line"], var_name="field", value_name="percentile")
    long["indicator_name"] = long["field"].map(fields)
    long["indicator"] = long["indicator_name"].map(names)
    long["iso3"] = _iso3(long["country"])
    long["year"] = 2008
    cols = ["iso3", "country", "year", "indicator", "indicator_name", "percentile", "seed_line"]
    return long[cols].sort_values(["iso3", "indicator"], kind="stable").reset_index(drop=True)


def eiu_2008() -> pd.DataFrame:
    raw = load_raw("thesis_table_04_eiu")
    out = raw.rename(columns={"highest_country": "highest_iso3", "lowest_country": "lowest_iso3"})
    out["highest_iso3"] = _iso3(raw["highest_country"])
    out["lowest_iso3"] = _iso3(raw["lowest_country"])
    out.insert(0, "order", range(len(out)))
    return out


def barriers_2007() -> pd.DataFrame:
    raw = load_raw("thesis_table_11_barriers")
    out = raw.assign(is_oss=raw["provider"].eq("One Stop Shop"))
    out = out.sort_values("rating", kind="stable").reset_index(drop=True)
    out.insert(0, "order", range(1, len(out) + 1))
    return out[["order", "rating", "provider", "is_oss", "seed_line"]]


PROCESSED: dict[str, Processed] = {
    p.name: p
    for p in [
        Processed(cpi_2009, schemas.CPI, "CPI 2009 rank and score by country"),
        Processed(wgi_2008, schemas.WGI, "WGI percentile ranks, long"),
        Processed(eiu_2008, schemas.EIU, "EIU e-readiness 2008 by category"),
        Processed(barriers_2007, schemas.BARRIERS, "Sange 2007 administrative-barrier rating"),
    ]
}


def build(name: str) -> pd.DataFrame:
    """Build one processed table from raw and validate it against its schema."""
    spec = PROCESSED[name]
    return validate(spec.build(), spec.schema, f"data/processed/{name}.csv (built)")


def write(name: str, out_dir: Path | None = None) -> Path:
    """Build and write one processed table (atomically)."""
    target = Path(out_dir) if out_dir else paths.processed_dir()
    return write_csv(build(name), target / f"{name}.csv")


def load(name: str) -> pd.DataFrame:
    """Read a processed table written by the build and validate it (what notebooks call)."""
    path = paths.processed_file(name)
    frame = pd.read_csv(path, keep_default_na=True)
    return validate(frame, PROCESSED[name].schema, f"data/processed/{name}.csv")
