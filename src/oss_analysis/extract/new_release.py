"""Adding a publisher's file as downloaded: its bytes and its entry in data/sources/datapackage.json, planned."""

from __future__ import annotations

import copy
import datetime as _dt
import hashlib
import re
from pathlib import Path

import pandas as pd

from oss_analysis import paths
from oss_analysis.errors import DataError
from oss_analysis.extract import datapackage
from oss_analysis.extract.publisher_file import implied_release


def shipped_name(kind: str, path: Path) -> str:
    """Where a downloaded file is shipped under data/sources/: its name made one any shell takes."""
    return f"{kind}/{re.sub(r'[^A-Za-z0-9._-]+', '_', Path(path).name)}"


def plan(path: Path, kind: str, layout: str, frame: pd.DataFrame) -> tuple[str, dict[str, bytes]]:
    """(line to print, {path: bytes}) that ship ``path`` (checked as ``frame``); a release or name taken is refused."""
    data, file = Path(path).read_bytes(), paths.shown(path)
    digest = hashlib.sha256(data).hexdigest()
    package = copy.deepcopy(datapackage.read_sources())
    for res in package["resources"]:
        if res["hash"] == f"sha256:{digest}":
            return f"{Path(path).name} is already shipped as data/sources/{res['path']} (same sha256)", {}
    release, years = implied_release(frame)
    name = re.sub(r"[^a-z0-9]+", "_", f"{kind}_{Path(path).stem}".lower()).strip("_")
    target = shipped_name(kind, path)
    for res in package["resources"]:
        if res["path"].startswith(f"{kind}/") and (res["x-layout"], res["x-release"]) == (layout, release):
            taken = f"release {release} is already shipped as data/sources/{res['path']} with other bytes"
            raise DataError(file, f"{taken}; remove it and its entry in {datapackage.SOURCES_FILE} first if it goes")
        if name == res["name"] or target.casefold() == res["path"].casefold():
            raise DataError(file, f"its name gives resource {name!r}, taken by data/sources/{res['path']}; rename it")
    if (paths.root() / "data" / "sources" / target).exists():
        raise DataError(file, f"data/sources/{target} exists (not in {datapackage.SOURCES_FILE}); rename the file")
    producer = next(r["x-origin"]["producer"] for r in package["resources"] if r["path"].startswith(f"{kind}/"))
    title = f"{producer}, release {release} (added with oss-build add-country-data)"
    encoding = "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
    origin = {"producer": producer, "original_name": Path(path).name,
              "repository": "added by a user (oss-build add-country-data); record where it came from here",
              "commit": "", "retrieved": _dt.date.today().isoformat(), "provenance": ""}
    package["resources"].append(
        {"name": name, "path": target, "title": title, "format": "csv", "mediatype": "text/csv", "encoding": encoding,
         "bytes": len(data), "hash": f"sha256:{digest}", "x-layout": layout, "x-release": release, "x-years": years,
         "x-origin": origin,
         "x-licence-as-stated": "not recorded: add the producer's licence as stated where the file came from"}
    )
    said = f"shipped data/sources/{target} (release {release}) and recorded it in {datapackage.SOURCES_FILE}"
    return said, {f"data/sources/{target}": data, datapackage.SOURCES_FILE: datapackage.dumps(package)}
