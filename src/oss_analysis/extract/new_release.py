"""Adding a publisher's file as downloaded (a newer WGI release, another CPI or UN edition):
copied byte for byte into data/sources/<publisher>/ and recorded in data/sources/datapackage.json
with its sha256, layout and release, so the source tables and country runs use it."""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import re
import shutil
from pathlib import Path

import pandas as pd

from oss_analysis import paths
from oss_analysis.errors import DataError
from oss_analysis.extract import datapackage

PRODUCERS = {
    "wgi": "World Bank, Worldwide Governance Indicators",
    "cpi": "Transparency International, Corruption Perceptions Index",
    "egdi": "UN DESA, United Nations E-Government Survey",
}


def register(path: Path, kind: str, layout: str, frame: pd.DataFrame) -> str:
    """Ship ``path`` (already read and validated as ``frame``) unless an identical file is shipped;
    returns the line to print. A second file of a release already shipped is refused."""
    data = Path(path).read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    package = datapackage.read_sources()
    for res in package["resources"]:
        if res["hash"] == f"sha256:{digest}":
            return f"{Path(path).name} is already shipped as data/sources/{res['path']} (same sha256)"
    release = int(frame["release"].max() if kind == "wgi" else frame["edition"].max())
    for res in package["resources"]:
        same_kind = res["path"].startswith(f"{kind}/")
        if same_kind and res["x-layout"] == layout and int(res["x-release"]) == release:
            raise DataError(
                paths.shown(path),
                f"release {release} is already shipped as data/sources/{res['path']} with other bytes; "
                "remove that file and its entry in data/sources/datapackage.json first if this one replaces it",
            )
    target = paths.root() / "data" / "sources" / kind / Path(path).name
    if target.exists():
        raise DataError(paths.shown(path), f"data/sources/{kind}/{target.name} exists; rename the file")
    years = frame["year"] if "year" in frame else frame["edition"]
    package["resources"].append(
        {
            "name": re.sub(r"[^a-z0-9_]+", "_", f"{kind}_{Path(path).stem}".lower()).strip("_"),
            "path": f"{kind}/{target.name}",
            "title": f"{PRODUCERS[kind]}, release {release} (added with oss-build add-country-data)",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8",
            "bytes": len(data),
            "hash": f"sha256:{digest}",
            "x-layout": layout,
            "x-release": release,
            "x-years": f"{int(years.min())}-{int(years.max())}",
            "x-origin": {
                "producer": PRODUCERS[kind],
                "original_name": Path(path).name,
                "repository": "added by a user (oss-build add-country-data); record where it came from here",
                "commit": "",
                "retrieved": _dt.date.today().isoformat(),
                "provenance": "",
            },
            "x-licence-as-stated": "not recorded: add the producer's licence as stated where the file came from",
        }
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, target)
    descriptor = paths.root() / "data" / "sources" / "datapackage.json"
    descriptor.write_text(json.dumps(package, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    datapackage.cache_clear()
    shipped = f"data/sources/{kind}/{target.name}"
    return f"shipped {shipped} (release {release}) and recorded it in data/sources/datapackage.json"
