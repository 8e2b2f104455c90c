"""The reader's JupyterLab (``make lab``) leaves the repository as it was.

Two things in a plain lab change the committed notebooks: opening one, the lab offers its own
kernel and rewrites the notebook's kernel metadata; saving one (autosave, every two minutes)
writes the outputs into notebooks/*.ipynb. Either makes ``git status`` dirty, and the build, which
reruns a notebook whose file is newer than its outputs, reruns it.

Here the lab offers exactly one kernel, under the name and display name the notebooks store, in
the lab's venv; and the lab's contents manager saves a notebook of notebooks/ as stored: the
reader's sources, each cell's outputs and execution count as committed (none), the kernel and
language metadata as committed. When nothing but outputs changed, it writes nothing, so neither
the bytes nor the modification time of the file change. A git filter (nbstripout) would hide the
outputs from git but leave them in the file, whose new mtime would still rerun the build.

``python -m oss_analysis.review.lab install`` (run by ``make lab``) installs the kernelspec and
the server configuration into the running venv."""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path
from typing import Any

from oss_analysis import paths

# Cell metadata the lab's interface writes on its own (timings, scrolled or hidden outputs):
# kept as stored, like outputs.
UI_CELL_METADATA = ("collapsed", "scrolled", "execution", "trusted", "jupyter")
# Notebook metadata the lab rewrites when a kernel starts (kernel name, Python version).
KERNEL_METADATA = ("kernelspec", "language_info")

CONFIG = """\
# Written by `python -m oss_analysis.review.lab install` (make lab): see that module.
# Jupyter logs an error in a configuration file and starts anyway; a lab that would write outputs
# into the notebooks must not start, so any failure here stops it (SystemExit is not caught).
try:
    from oss_analysis.review import lab

    lab.configure(c)  # noqa: F821 (c is the configuration object Jupyter passes in)
except Exception as exc:
    raise SystemExit(f"the reader's lab is not configured ({exc!r}); see src/oss_analysis/review/lab.py") from exc
"""


def as_stored(saved: dict[str, Any], stored: dict[str, Any] | None) -> dict[str, Any]:
    """The notebook to write when the lab saves ``saved`` over ``stored``: the reader's cells and
    sources, with outputs, execution counts, interface metadata and kernel metadata taken from
    the stored file (a cell the reader added gets none), so that outputs never reach it."""
    nb = copy.deepcopy(saved)
    old_cells = {c.get("id"): c for c in (stored or {}).get("cells", []) if c.get("id")}
    for cell in nb.get("cells", []):
        old = old_cells.get(cell.get("id"), {})
        meta = cell.setdefault("metadata", {})
        for key in UI_CELL_METADATA:
            meta.pop(key, None)
            if key in old.get("metadata", {}):
                meta[key] = copy.deepcopy(old["metadata"][key])
        if cell.get("cell_type") == "code":
            cell["outputs"] = copy.deepcopy(old.get("outputs", []))
            cell["execution_count"] = old.get("execution_count")
    if stored is not None:
        meta = nb.setdefault("metadata", {})
        for key in KERNEL_METADATA:
            meta.pop(key, None)
            if key in stored.get("metadata", {}):
                meta[key] = copy.deepcopy(stored["metadata"][key])
    return nb


def _notebooks() -> Path:
    return paths.root() / "notebooks"


def guarded(os_path: Path) -> bool:
    """Whether a file is one of the committed notebooks' folder (saved as stored)."""
    return os_path.suffix == ".ipynb" and os_path.resolve().parent == _notebooks().resolve()


def stored_kernel() -> dict[str, str]:
    """The kernelspec every notebook of notebooks/ stores (they agree; a test checks it)."""
    specs = {
        json.dumps(json.loads(p.read_text(encoding="utf-8"))["metadata"]["kernelspec"], sort_keys=True)
        for p in sorted(_notebooks().glob("*.ipynb"))
    }
    if len(specs) != 1:
        raise ValueError(f"the notebooks store {len(specs)} different kernelspecs: {sorted(specs)}")
    return json.loads(specs.pop())


def contents_manager() -> type:
    """Jupyter's own contents manager, saving the notebooks of notebooks/ as :func:`as_stored`
    says and not at all when that leaves the file as it is. Built on call: Jupyter's server is
    installed in the lab's venv only."""
    import nbformat
    from jupyter_server.services.contents.largefilemanager import AsyncLargeFileManager

    class StoredNotebooksContentsManager(AsyncLargeFileManager):
        async def save(self, model: dict[str, Any], path: str = "") -> dict[str, Any]:
            path = path.strip("/")
            os_path = Path(self._get_os_path(path))
            if model.get("type") != "notebook" or model.get("content") is None or not guarded(os_path):
                return await super().save(model, path)
            stored = nbformat.read(os_path, as_version=4) if os_path.exists() else None
            content = as_stored(model["content"], stored)
            if stored is not None and nbformat.writes(nbformat.from_dict(content)) == nbformat.writes(stored):
                self.log.info("%s: only outputs changed; the file is left as it is", path)
                return await self.get(path, content=False)
            return await super().save(dict(model, content=content), path)

    return StoredNotebooksContentsManager


def configure(c: Any) -> None:
    """Server settings of the reader's lab: the stored-notebook saving above, and only the
    notebooks' own kernel on offer (so opening a notebook never changes its kernel metadata)."""
    c.ServerApp.contents_manager_class = contents_manager()
    c.KernelSpecManager.ensure_native_kernel = False
    c.KernelSpecManager.allowed_kernelspecs = {stored_kernel()["name"]}
    c.LabApp.default_url = "/lab/tree/notebooks"


def install(prefix: Path | None = None) -> Path:
    """Install the notebooks' kernelspec (this venv's Python) and the server configuration into
    the venv at ``prefix`` (default: the running one); returns the configuration file. The
    kernel names the venv's python by its resolved folder, so a link to the venv still works."""
    prefix = Path(prefix or sys.prefix).resolve()
    spec = stored_kernel()
    kernel = prefix / "share" / "jupyter" / "kernels" / spec["name"]
    kernel.mkdir(parents=True, exist_ok=True)
    argv = [str(prefix / "bin" / "python"), "-Xfrozen_modules=off", "-m", "ipykernel_launcher", "-f",
            "{connection_file}"]
    body = {"argv": argv, "display_name": spec["display_name"], "language": spec.get("language", "python"),
            "metadata": {"debugger": True}}
    (kernel / "kernel.json").write_text(json.dumps(body, indent=1) + "\n", encoding="utf-8")
    config = prefix / "etc" / "jupyter" / "jupyter_server_config.py"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(CONFIG, encoding="utf-8")
    return config


if __name__ == "__main__":
    if sys.argv[1:] != ["install"]:
        raise SystemExit("usage: python -m oss_analysis.review.lab install")
    print(f"lab configuration: {install()}")
