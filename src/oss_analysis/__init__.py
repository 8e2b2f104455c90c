"""Shared code of the oss_analysis compendium: paths, loading and validation, cleaning,
models, plotting style, table rendering and build helpers. Notebooks only call into it."""

__version__ = "0.1.0"
