"""The reader's JupyterLab saves a notebook of notebooks/ as stored (no outputs, the stored kernel
metadata), offers the notebooks' own kernel, and `make lab` takes LAB_ARGS (checked before any
shell runs) and runs as root. The lab itself, driven over HTTP: tests/build/test_lab_server.py."""

import copy
import json
import os
import subprocess

import pytest
from conftest import ROOT

from oss_analysis.review import lab

NOTEBOOK = "notebooks/satisfaction.ipynb"


def _stored() -> dict:
    return json.loads((ROOT / NOTEBOOK).read_text(encoding="utf-8"))


def _with_outputs(nb: dict) -> dict:
    """What the lab sends when it saves after running: outputs, counts, timings, kernel info."""
    nb = copy.deepcopy(nb)
    for i, cell in enumerate(c for c in nb["cells"] if c["cell_type"] == "code"):
        cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": f"ran {i}\n"}]
        cell["execution_count"] = i + 1
        cell["metadata"]["execution"] = {"iopub.status.idle": "2026-01-01T00:00:00Z"}
    nb["metadata"]["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nb["metadata"]["language_info"] = {"name": "python", "version": "3.11.2", "mimetype": "text/x-python"}
    return nb


def test_outputs_and_kernel_metadata_are_saved_as_stored():
    stored = _stored()
    assert lab.as_stored(_with_outputs(stored), stored) == stored


def test_a_source_edit_is_saved_but_its_outputs_are_not():
    stored = _stored()
    edited = _with_outputs(stored)
    code = [c for c in edited["cells"] if c["cell_type"] == "code"]
    code[1]["source"] = "print('mine')"
    edited["cells"].append({"cell_type": "code", "id": "new1", "metadata": {}, "source": "1",
                            "outputs": [{"output_type": "stream", "name": "stdout", "text": "1"}],
                            "execution_count": 9})
    saved = lab.as_stored(edited, stored)
    assert [c for c in saved["cells"] if c["cell_type"] == "code"][1]["source"] == "print('mine')"
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in saved["cells"]
               if c["cell_type"] == "code")
    assert saved["metadata"] == stored["metadata"]
    assert lab.as_stored(edited, None)["metadata"]["kernelspec"]["display_name"] == "Python 3 (ipykernel)"


def test_the_lab_offers_the_kernel_the_notebooks_store():
    assert lab.stored_kernel() == _stored()["metadata"]["kernelspec"]
    assert lab.guarded(ROOT / NOTEBOOK) and not lab.guarded(ROOT / "build" / "notebooks" / "x.ipynb")


@pytest.mark.parametrize("bad", ["--port=1; touch x", "--ip=$(HOME)", "--port=1\ntouch x", "--x\ttouch", "'--a'"])
def test_lab_args_are_checked_before_any_shell_runs(tmp_path, bad):
    cmd = ["make", "--no-print-directory", "-n", "lab", f"LAB_ARGS={bad}"]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode != 0 and "LAB_ARGS" in proc.stderr and not proc.stdout, proc.stdout + proc.stderr


def test_lab_args_and_root_reach_jupyter():
    args = "--ip=127.0.0.1 --port=8890 --no-browser --ServerApp.base_url=/x/"
    cmd = ["make", "--no-print-directory", "-n", "lab", f"LAB_ARGS={args}"]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    line = [x for x in proc.stdout.splitlines() if "jupyter lab" in x][-1]
    assert line.endswith(args) and ("--allow-root" in line) == (os.getuid() == 0)
