"""The notebooks, their inputs and outputs, from ``workflow/notebooks.yaml``: read by graph, runner and tests."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from oss_analysis import paths
from oss_analysis.errors import DataError, ParameterError
from oss_analysis.parameters import read_yaml

SPEC = "workflow/notebooks.yaml"
Rooted = Annotated[Path, AfterValidator(lambda p: paths.root() / p)]  # as written, from the project root


class Notebook(BaseModel):
    """One entry of the file, its keys and types checked by pydantic (its name is the entry's key)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    path: Rooted = Field(alias="notebook")
    params: Rooted
    outputs: tuple[str, ...]
    title: str
    processed: tuple[str, ...] = ()
    extra_inputs: tuple[Rooted, ...] = ()
    reads_outputs_of: tuple[str, ...] = ()  # notebooks whose published outputs this one checks
    country_data: tuple[str, ...] = ()  # processed tables that must hold the focus country (country runs)
    country_sources: tuple[str, ...] = ()  # publisher tables that can stand in when the studies lack it
    same_in_every_run: tuple[str, ...] = ()  # output stems no focus country or year changes
    same_in_every_year: tuple[str, ...] = ()  # output stems the focus country changes, the year does not

    @property
    def run_outputs(self) -> tuple[str, ...]:
        """What a country run may publish into figures/<CODE>/ (pipeline/country_runs.left_out decides)."""
        return tuple(o for o in self.outputs if o.split(".")[0] not in self.same_in_every_run)


@cache
def _spec(root: Path) -> dict:
    """The file, read once and checked: a bad entry is one line naming the file, line, entry and key."""
    spec, _ = read_yaml(root / SPEC)  # the one reader of YAML files, with its one-line errors
    entries = spec.get("notebooks")
    if not isinstance(entries, dict):
        raise DataError(SPEC, "needs a 'notebooks:' mapping of notebook name -> entry")
    lines = (root / SPEC).read_text(encoding="utf-8").splitlines()
    keys = ", ".join(f.alias or k for k, f in Notebook.model_fields.items())
    for name, item in entries.items():
        row = next((i + 1 for i, line in enumerate(lines) if line.strip() == f"{name}:"), None)
        try:
            nb = Notebook.model_validate({"title": name, **(item if isinstance(item, dict) else {})})
        except ValidationError as exc:
            first = sorted(exc.errors(), key=lambda e: e["type"] != "missing")[0]  # a missing key first
            rules = {"missing": "is required", "extra_forbidden": "is not a key an entry takes"}
            where = f"notebook {name!r}: key '{first['loc'][0]}'"
            raise DataError(SPEC, f"{where} {rules.get(first['type'], first['msg'])} (keys: {keys})", row=row) from None
        entries[name] = nb.model_copy(update={"outputs": with_claims(list(nb.outputs))})
        stems = {o.split(".")[0] for o in nb.outputs}
        for key, stem in [(k, s) for k in ("same_in_every_run", "same_in_every_year") for s in getattr(nb, k)]:
            if stem not in stems:
                raise DataError(SPEC, f"notebook {name!r}: {key} names {stem!r}, not an output", row=row)
    return spec


def with_claims(outputs: list[str]) -> tuple[str, ...]:
    """The outputs listed, each chart (``.png``) and table (``.md``) followed by its ``.meta.json`` claims."""
    out: list[str] = []
    for o in outputs:
        out.append(o)
        if o.endswith((".png", ".md")):
            meta = o.rsplit(".", 1)[0] + ".meta.json"
            if meta in out:
                raise DataError(SPEC, f"{o}: a chart and a table named alike would share {meta}; rename one")
            out.append(meta)
    return tuple(out)


def notebooks() -> dict[str, Notebook]:
    """Every notebook by name, in the file's order."""
    return dict(_spec(paths.root())["notebooks"])


def notebook(name: str) -> Notebook:
    """One notebook by name; an unknown name is a one-line error listing the known ones."""
    nbs = notebooks()
    if name not in nbs:
        raise ParameterError(f"no notebook named {name!r}; known: {', '.join(sorted(nbs))}")
    return nbs[name]


def notebook_inputs(name: str, country: str | None = None) -> dict[str, list[Path]]:
    """What a notebook's entry feeds it, by kind (its package modules: pipeline/code_inputs.py)."""
    nbs = notebooks()
    nb = nbs[name]
    processed = [paths.processed_file(t) for t in nb.processed]
    inputs = {"notebook": [nb.path], "params": [nb.params], "processed": processed, "extra": list(nb.extra_inputs),
              "published": [paths.figures_dir() / o for other in nb.reads_outputs_of for o in nbs[other].outputs]}
    if country and paths.country_params(country).exists():
        inputs["country"] = [paths.country_params(country)]
    inputs["named"] = [f for params in [nb.params, *inputs.get("country", [])] for f in _files_named(params)]
    return inputs


def _files_named(params: Path) -> list[Path]:
    """The files a parameters file names (``groups_file: ...``): inputs too, so an edit or deletion reruns or stops."""
    try:
        values, _ = read_yaml(params)
    except DataError:
        return []  # missing or broken: missing_inputs and the runner report it, with its line
    return [paths.root() / v for k, v in values.items() if str(k).endswith("_file") and isinstance(v, str)]


SOURCE_KINDS = ("notebook", "params", "extra", "country", "named")  # the kinds no job of the graph writes


def missing_inputs(name: str, country: str | None = None) -> str | None:
    """The first missing input that no job writes, as one line (Snakemake would publish stale outputs)."""
    for kind, files in notebook_inputs(name, country).items():
        for f in files if kind in SOURCE_KINDS else []:
            if not f.exists():
                return f"{paths.shown(f)}: file is missing (an input of notebook {name!r}, workflow/notebooks.yaml)"
    return None
