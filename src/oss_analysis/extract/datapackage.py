"""The data packages (data/raw/, data/sources/): read, checked, raw checksums refreshed (docs/stages/extract.md)."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from oss_analysis import paths
from oss_analysis.errors import DataError
from oss_analysis.files import atomic_write, sha256

FILE = "data/raw/datapackage.json"
SOURCES_FILE = "data/sources/datapackage.json"
_HASH = re.compile(r"^sha256:[0-9a-f]{64}$")


def _line_of(text: str, name: str) -> int | None:
    """Line of a resource's ``"name": ...`` entry, for messages about that resource."""
    match = re.search(r'"name"\s*:\s*' + re.escape(json.dumps(name)), text)
    return text.count("\n", 0, match.start()) + 1 if match else None


def _parse(path: Path, shown: str = FILE) -> tuple[dict[str, Any], str]:
    if not path.exists():
        raise DataError(shown, "file is missing")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise DataError(shown, "is not valid UTF-8; save it as UTF-8") from None
    try:
        dp = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataError(shown, f"is not valid JSON: {exc.msg} (column {exc.colno})", row=exc.lineno) from None
    if not isinstance(dp, dict) or not isinstance(dp.get("resources"), list) or not dp["resources"]:
        raise DataError(shown, "must be an object with a non-empty list 'resources'")
    return dp, text


@cache
def _read(root: Path, shown: str = FILE) -> dict[str, Any]:
    dp, text = _parse(root / shown, shown)
    seen: set[str] = set()
    for i, res in enumerate(dp["resources"]):
        if not isinstance(res, dict) or not isinstance(res.get("name"), str) or not isinstance(res.get("path"), str):
            raise DataError(shown, f"resource {i + 1} needs a 'name' and a 'path'")
        line = _line_of(text, res["name"])
        if res["name"] in seen:
            raise DataError(shown, f"resource name {res['name']!r} is declared twice", row=line)
        seen.add(res["name"])
        fields = res.get("schema", {}).get("fields") if isinstance(res.get("schema"), dict) else None
        if shown == FILE and (not isinstance(fields, list) or not fields):  # publishers' files have layouts instead
            raise DataError(shown, f"resource {res['name']!r} has no schema fields", row=line)
        if not _HASH.match(str(res.get("hash", ""))):
            fix, data = "run `make datapackage` after checking the file", Path(shown).parent / res["path"]
            if shown == SOURCES_FILE:  # never re-hashed by code (`make datapackage` re-hashes the raw files only)
                fix = f"restore it with `git checkout {shown}`"
                if (paths.root() / data).is_file():  # or record the file's, if it is the publisher's as downloaded
                    fix += f", or if {data} is the publisher's file as downloaded, write "
                    fix += f'"hash": "sha256:{sha256(paths.root() / data)}"'
            rule = f"resource {res['name']!r} must carry its checksum as 'hash': 'sha256:<64 hex digits>' ({fix})"
            raise DataError(shown, rule, row=line, value=res.get("hash"))
    return dp


def read() -> dict[str, Any]:
    """The descriptor, checked (valid JSON; every resource named, with a schema and a sha256)."""
    return _read(paths.root())


def read_sources() -> dict[str, Any]:
    """The descriptor of the publishers' files, checked the same way (a deleted hash is refused)."""
    return _read(paths.root(), SOURCES_FILE)


def resource(name: str, shown: str = FILE) -> dict[str, Any]:
    """Descriptor of one resource of the raw package (or of ``SOURCES_FILE``); an error lists the known names."""
    resources = _read(paths.root(), shown)["resources"]
    for res in resources:
        if res["name"] == name:
            return res
    known = ", ".join(sorted(r["name"] for r in resources))
    raise KeyError(f"no {'raw ' if shown == FILE else ''}resource named {name!r} in {shown}; known: {known}")


def line_of(name: str, shown: str = SOURCES_FILE) -> int | None:
    return _line_of((paths.root() / shown).read_text(encoding="utf-8"), name)


def cache_clear() -> None:
    _read.cache_clear()


def _missing(res: dict[str, Any]) -> DataError:
    return DataError(f"data/raw/{res['path']}", f"file is missing (declared as resource {res['name']!r} in {FILE})")


def check_files() -> None:
    """A deleted raw file is an error, not a table the build silently stops reading."""
    for res in read()["resources"]:
        if not (paths.raw_dir() / res["path"]).is_file():
            raise _missing(res)


def update() -> list[str]:
    """Record sha256 and size of every raw resource in the descriptor; return the names changed."""
    dp_path = paths.raw_dir() / "datapackage.json"
    dp, _ = _parse(dp_path)
    changed = []
    for res in dp["resources"]:
        f = paths.raw_dir() / res["path"]
        if not f.is_file():
            raise _missing(res)
        new = f"sha256:{sha256(f)}"
        if res.get("hash") != new:
            changed.append(res["name"])
        res["hash"], res["bytes"] = new, f.stat().st_size
    atomic_write(dp_path, lambda tmp: Path(tmp).write_bytes(dumps(dp)))
    cache_clear()
    return changed


def dumps(dp: dict[str, Any]) -> bytes:
    """A descriptor's bytes as every writer writes them: a rewrite changes only what changed."""
    return (json.dumps(dp, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def source_resources(kind: str) -> list[str]:
    """The publishers' files of one kind ('wgi', 'cpi', 'egdi'): those under data/sources/<kind>/, in order."""
    return [r["name"] for r in read_sources()["resources"] if r["path"].startswith(f"{kind}/")]


def resource_paths() -> dict[str, Path]:
    """Resource name -> file, of both packages (the raw transcriptions and the publishers' files)."""
    out = {r["name"]: paths.raw_dir() / r["path"] for r in read()["resources"]}
    sources = paths.root() / "data" / "sources"
    out.update({r["name"]: sources / r["path"] for r in read_sources()["resources"]})
    return out
