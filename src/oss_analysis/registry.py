"""The notebooks of the compendium, their inputs and outputs (``workflow/notebooks.yaml``).

The build graph, the runner and the tests all read this one file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from . import paths


@dataclass(frozen=True)
class Notebook:
    name: str
    path: Path
    params: Path
    processed: tuple[str, ...]
    outputs: tuple[str, ...]
    title: str


def notebooks() -> dict[str, Notebook]:
    with (paths.root() / "workflow" / "notebooks.yaml").open(encoding="utf-8") as fh:
        spec = yaml.safe_load(fh)
    out = {}
    for name, item in spec["notebooks"].items():
        out[name] = Notebook(
            name=name,
            path=paths.root() / item["notebook"],
            params=paths.root() / item["params"],
            processed=tuple(item.get("processed", [])),
            outputs=tuple(item["outputs"]),
            title=item.get("title", name),
        )
    return out
