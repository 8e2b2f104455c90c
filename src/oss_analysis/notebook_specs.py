"""The notebooks of the compendium, their inputs and outputs (``workflow/notebooks.yaml``).

The build graph, the runner and the tests all read this one file. The processed tables are
declared in ``transform/registry.py``; the package modules a notebook runs are found by
``pipeline/code_inputs.py``."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from oss_analysis import paths


@dataclass(frozen=True)
class Notebook:
    name: str
    path: Path
    params: Path
    processed: tuple[str, ...]
    outputs: tuple[str, ...]
    title: str
    extra_inputs: tuple[Path, ...] = ()
    reads_outputs_of: tuple[str, ...] = ()  # notebooks whose published outputs this one checks
    country_data: tuple[str, ...] = ()  # processed tables that must hold the focus country (country runs)
    country_sources: tuple[str, ...] = ()  # publisher tables that can stand in when the studies lack it


@cache
def _spec(root: Path) -> dict:
    with (root / "workflow" / "notebooks.yaml").open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def notebooks() -> dict[str, Notebook]:
    spec = _spec(paths.root())
    out = {}
    for name, item in spec["notebooks"].items():
        out[name] = Notebook(
            name=name,
            path=paths.root() / item["notebook"],
            params=paths.root() / item["params"],
            processed=tuple(item.get("processed", [])),
            outputs=tuple(item["outputs"]),
            title=item.get("title", name),
            extra_inputs=tuple(paths.root() / p for p in item.get("extra_inputs", [])),
            reads_outputs_of=tuple(item.get("reads_outputs_of", [])),
            country_data=tuple(item.get("country_data", [])),
            country_sources=tuple(item.get("country_sources", [])),
        )
    return out


def notebook(name: str) -> Notebook:
    """One notebook by name; an unknown name is a one-line error listing the known ones."""
    from oss_analysis.errors import ParameterError

    nbs = notebooks()
    if name not in nbs:
        raise ParameterError(f"no notebook named {name!r}; known: {', '.join(sorted(nbs))}")
    return nbs[name]


def notebook_inputs(name: str, country: str | None = None) -> dict[str, list[Path]]:
    """What a notebook's entry feeds it, by kind: the notebook, its parameters file (and a
    country's, for a country run), processed tables, extra inputs and other notebooks' published
    outputs it reads. The package modules it runs are added by ``pipeline/code_inputs.py``, which
    the Snakefile and the manifest both use."""
    nbs = notebooks()
    nb = nbs[name]
    inputs = {
        "notebook": [nb.path],
        "params": [nb.params],
        "processed": [paths.processed_file(t) for t in nb.processed],
        "extra": list(nb.extra_inputs),
        "published": [paths.figures_dir() / o for other in nb.reads_outputs_of for o in nbs[other].outputs],
    }
    # a run key may carry a year (GEO_2022): the parameters file is the country's
    country_file = paths.config_dir() / "countries" / f"{str(country).partition('_')[0]}.yaml"
    if country and country_file.exists():
        inputs["country"] = [country_file]
    return inputs
