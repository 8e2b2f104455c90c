"""papermill run by hand: a notebook's ParameterError or DataError ends in ``error: <notebook>: <message>``,
not in tracebacks (loaded through papermill's ``papermill.engine`` entry point, pyproject.toml)."""

from __future__ import annotations

import sys
from types import TracebackType
from typing import Any


def _hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    if getattr(exc, "ename", None) in ("ParameterError", "DataError"):
        notebook = next((a for a in sys.argv[1:] if a.endswith(".ipynb")), "the notebook")
        print(f"error: {notebook}: {' '.join(str(getattr(exc, 'evalue', '')).split())}", file=sys.stderr)
        return
    _previous(kind, exc, tb)


_previous, sys.excepthook = sys.excepthook, _hook


class Engine:
    """papermill's own engine (nbclient) under the name ``oss-analysis``: the entry point's object."""

    @classmethod
    def execute_notebook(cls, *args: Any, **kwargs: Any) -> Any:
        from papermill.engines import NBClientEngine

        return NBClientEngine.execute_notebook(*args, **kwargs)
