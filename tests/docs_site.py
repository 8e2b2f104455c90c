"""Helpers of the documentation site's tests (tests/review/test_docs.py, tests/build/test_docs_site.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

from oss_analysis import notebook_specs

TEMPLATE_NAME = "notebooks/templates/my_analysis.ipynb"
CHARTS = [
    o.removesuffix(".png") for nb in notebook_specs.notebooks().values() for o in nb.outputs if o.endswith(".png")
]


def fake_country_run(project: Path, code: str) -> list[str]:
    """A stand-in for `make all COUNTRY=...` (which the country tests run for real): the default
    outputs and executed notebooks of the country-dependent notebooks under the country's folders."""
    names = ["governance", "corruption"]
    for other in [d for d in (project / "figures").iterdir() if d.is_dir()]:
        shutil.rmtree(other)  # a country run the checkout happens to hold
    folder = project / "figures" / code
    folder.mkdir(parents=True)
    executed = project / "build" / "notebooks" / code
    executed.mkdir(parents=True, exist_ok=True)
    for name in names:
        for out in notebook_specs.notebooks()[name].outputs:
            shutil.copyfile(project / "figures" / out, folder / out)
        src = project / "build" / "notebooks" / f"{name}.ipynb"
        if src.exists():
            shutil.copyfile(src, executed / f"{name}.ipynb")
        else:  # an unbuilt copy: the notebook as stored stands in for its executed copy
            shutil.copyfile(project / "notebooks" / f"{name}.ipynb", executed / f"{name}.ipynb")
    (folder / "AVAILABILITY.md").write_text(f"# Outputs for Testland ({code})\n\n| notebook | output |\n|---|---|\n")
    return names
