"""Every location the compendium reads or writes, relative to one root (the checkout, or OSS_ANALYSIS_ROOT)."""

from __future__ import annotations

import os
from pathlib import Path

ROOT_ENV = "OSS_ANALYSIS_ROOT"
OUTPUT_ENV = "OSS_ANALYSIS_OUTPUT_DIR"


def root() -> Path:
    """Project root (the folder holding ``pyproject.toml``)."""
    env = os.environ.get(ROOT_ENV)
    return Path(env).resolve() if env else Path(__file__).resolve().parents[2]


def shown(path: Path | str) -> str:
    """A path as messages show it: relative to the project root when inside it, else as given."""
    try:
        return Path(path).resolve().relative_to(root()).as_posix()
    except ValueError:
        return str(path)


def raw_dir() -> Path:
    return root() / "data" / "raw"


def processed_dir() -> Path:
    return root() / "data" / "processed"


def figures_dir() -> Path:
    return root() / "figures"


def build_dir() -> Path:
    return root() / "build"


def config_dir() -> Path:
    return root() / "config"


def country_params(run: str) -> Path:
    """A run's parameters file, config/countries/<CODE>.yaml (a year run, ``GEO_2022``, reads GEO's)."""
    return config_dir() / "countries" / f"{run.partition('_')[0]}.yaml"


def processed_file(name: str) -> Path:
    return processed_dir() / f"{name}.csv"


def output_dir(value: str | os.PathLike[str] | None = None) -> Path:
    """Where a notebook writes: the parameter, else ``$OSS_ANALYSIS_OUTPUT_DIR``, else ``build/scratch/``."""
    path = root() / Path(value or os.environ.get(OUTPUT_ENV) or build_dir() / "scratch")
    path.mkdir(parents=True, exist_ok=True)
    return path
