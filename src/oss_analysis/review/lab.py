"""The reader's JupyterLab (``make lab``) leaves the repository as it was (docs/layout.md, "The reader's lab")."""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path
from typing import Any

from oss_analysis import paths

# Cell metadata the lab's interface writes on its own (timings, scrolled or hidden outputs), and
# notebook metadata it rewrites when a kernel starts: kept as stored, like outputs.
UI_CELL_METADATA = ("collapsed", "scrolled", "execution", "trusted", "jupyter")
KERNEL_METADATA = ("kernelspec", "language_info")

CONFIG = """\
# Written by `python -m oss_analysis.review.lab install` (make lab): see that module.
try:
    from oss_analysis.review import lab

    lab.configure(c)  # noqa: F821 (c is the configuration object Jupyter passes in)
except Exception as exc:
    raise SystemExit(f"the reader's lab is not configured ({exc!r}); see src/oss_analysis/review/lab.py") from exc
"""


def _keep(new: dict[str, Any], old: dict[str, Any], keys: tuple[str, ...]) -> None:
    """Give ``new`` the stored values of ``keys`` (none where ``old`` has none)."""
    for key in keys:
        new.pop(key, None)
        if key in old:
            new[key] = copy.deepcopy(old[key])


def as_stored(saved: dict[str, Any], stored: dict[str, Any] | None) -> dict[str, Any]:
    """What the lab writes when it saves ``saved`` over ``stored``: the reader's cells, the rest as stored."""
    nb = copy.deepcopy(saved)
    old_cells = {c.get("id"): c for c in (stored or {}).get("cells", []) if c.get("id")}
    for cell in nb.get("cells", []):
        old = old_cells.get(cell.get("id"), {})
        _keep(cell.setdefault("metadata", {}), old.get("metadata", {}), UI_CELL_METADATA)
        if cell.get("cell_type") == "code":
            cell["outputs"] = copy.deepcopy(old.get("outputs", []))
            cell["execution_count"] = old.get("execution_count")
    if stored is not None:
        _keep(nb.setdefault("metadata", {}), stored.get("metadata", {}), KERNEL_METADATA)
    return nb


def guarded(os_path: Path) -> bool:
    """Whether a file is one of the committed notebooks' folder (saved as stored)."""
    return os_path.suffix == ".ipynb" and os_path.resolve().parent == (paths.root() / "notebooks").resolve()


def stored_kernel() -> dict[str, str]:
    """The kernelspec every notebook of notebooks/ stores (they agree; a test checks it)."""
    specs = {
        json.dumps(json.loads(p.read_text(encoding="utf-8"))["metadata"]["kernelspec"], sort_keys=True)
        for p in sorted((paths.root() / "notebooks").glob("*.ipynb"))
    }
    if len(specs) != 1:
        raise ValueError(f"the notebooks store {len(specs)} different kernelspecs: {sorted(specs)}")
    return json.loads(specs.pop())


def configure(c: Any) -> None:
    """Server settings: notebooks saved as stored (not at all when nothing changes), only their own kernel."""
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

    c.ServerApp.contents_manager_class = StoredNotebooksContentsManager
    c.KernelSpecManager.ensure_native_kernel = False
    c.KernelSpecManager.allowed_kernelspecs = {stored_kernel()["name"]}
    c.LabApp.default_url = "/lab/tree/notebooks"


def install(prefix: Path | None = None) -> Path:
    """Install the kernelspec and the server configuration into the venv at ``prefix`` (default: this one)."""
    prefix, spec = Path(prefix or sys.prefix).resolve(), stored_kernel()
    argv = [str(prefix / "bin" / "python"), "-Xfrozen_modules=off", "-m", "ipykernel_launcher", "-f",
            "{connection_file}"]
    body = {"argv": argv, "display_name": spec["display_name"], "language": spec.get("language", "python"),
            "metadata": {"debugger": True}}
    kernel = prefix / "share" / "jupyter" / "kernels" / spec["name"] / "kernel.json"
    config = prefix / "etc" / "jupyter" / "jupyter_server_config.py"
    for path, text in ((kernel, json.dumps(body, indent=1) + "\n"), (config, CONFIG)):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return config


if __name__ == "__main__":
    if sys.argv[1:] != ["install"]:
        raise SystemExit("usage: python -m oss_analysis.review.lab install")
    print(f"lab configuration: {install()}")
