"""The compendium's code, by stage (docs/layout.md); notebooks only call into it."""

__version__ = "0.1.0"
