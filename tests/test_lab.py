"""The reader's JupyterLab leaves the repository clean: a notebook saved with outputs (what
autosave does after a cell ran) leaves notebooks/*.ipynb byte for byte and mtime for mtime as
committed, the kernel on offer is the one the notebooks store, and `make lab` takes LAB_ARGS
(checked before any shell runs) and runs as root."""

import asyncio
import copy
import json
import os
import shutil
import signal
import socket
import subprocess
import time
import uuid
from pathlib import Path

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
    proc = subprocess.run(["make", "-n", "lab", f"LAB_ARGS={bad}"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode != 0 and "LAB_ARGS" in proc.stderr and not proc.stdout, proc.stdout + proc.stderr


def test_lab_args_and_root_reach_jupyter():
    args = "--ip=127.0.0.1 --port=8890 --no-browser --ServerApp.base_url=/x/"
    proc = subprocess.run(["make", "-n", "lab", f"LAB_ARGS={args}"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    line = [x for x in proc.stdout.splitlines() if "jupyter lab" in x][-1]
    assert line.endswith(args) and ("--allow-root" in line) == (os.getuid() == 0)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _copy_project(dest: Path) -> Path:
    """The project as a fresh git checkout (committed, clean), sharing this project's venvs."""
    shutil.copytree(ROOT, dest, ignore=shutil.ignore_patterns(".venv*", "build", ".snakemake", ".git", "*_cache"))
    for venv in (".venv", ".venv-lab"):
        (dest / venv).symlink_to(ROOT / venv, target_is_directory=True)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-C", str(dest)]
    subprocess.run([*git, "init", "-q"], check=True)
    (dest / ".git" / "info" / "exclude").write_text(".venv\n.venv-lab\n")
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "base"], check=True)
    return dest


async def _run_cell(ws_url: str, code: str) -> list[dict]:
    """Execute one cell through the kernel's websocket, as the lab does; returns its outputs."""
    from tornado.websocket import websocket_connect

    conn = await websocket_connect(ws_url)
    msg_id = uuid.uuid4().hex
    header = {"msg_id": msg_id, "msg_type": "execute_request", "username": "t", "session": uuid.uuid4().hex,
              "date": "", "version": "5.3"}
    await conn.write_message(json.dumps({"header": header, "parent_header": {}, "metadata": {}, "channel": "shell",
                                         "content": {"code": code, "silent": False, "store_history": True,
                                                     "user_expressions": {}, "allow_stdin": False}}))
    outputs = []
    while True:
        msg = json.loads(await asyncio.wait_for(conn.read_message(), 60))
        if msg["parent_header"].get("msg_id") != msg_id or msg["channel"] != "iopub":
            continue
        if msg["msg_type"] == "stream":
            outputs.append({"output_type": "stream", "name": msg["content"]["name"], "text": msg["content"]["text"]})
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            conn.close()
            return outputs


@pytest.mark.slow
def test_make_lab_leaves_the_repository_clean(tmp_path):
    """`make lab` in a fresh checkout, driven through Jupyter's REST API as the browser would:
    open a notebook, start its kernel, run a cell, save the notebook with the output (autosave).
    The notebook's bytes and mtime stay as committed and `git status` stays empty."""
    import requests

    if not (ROOT / ".venv-lab" / ".installed").exists():
        pytest.skip("the lab is not installed here: run `make lab` once")
    project = _copy_project(tmp_path / "project")
    port, token = _free_port(), uuid.uuid4().hex
    env = dict(os.environ, JUPYTER_TOKEN=token, OSS_ANALYSIS_ROOT=str(project))
    server = subprocess.Popen(
        ["make", "-o", ".venv-lab/.installed", "lab",
         f"LAB_ARGS=--no-browser --ip=127.0.0.1 --port={port} --ServerApp.port_retries=0"],
        cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )
    api = f"http://127.0.0.1:{port}/api"
    http = requests.Session()
    http.headers["Authorization"] = f"token {token}"
    try:
        for _ in range(120):
            try:
                if http.get(f"{api}/status", timeout=2).ok:
                    break
            except requests.ConnectionError:
                pass
            assert server.poll() is None, server.stdout.read()
            time.sleep(0.5)
        file = project / NOTEBOOK
        before, mtime = file.read_bytes(), file.stat().st_mtime_ns
        specs = http.get(f"{api}/kernelspecs").json()
        model = http.get(f"{api}/contents/{NOTEBOOK}").json()
        stored = model["content"]["metadata"]["kernelspec"]
        assert set(specs["kernelspecs"]) == {stored["name"]}
        assert specs["kernelspecs"][stored["name"]]["spec"]["display_name"] == stored["display_name"]
        kernel = http.post(f"{api}/kernels", json={"name": stored["name"]}).json()
        ws = f"ws://127.0.0.1:{port}/api/kernels/{kernel['id']}/channels?token={token}"
        outputs = asyncio.run(_run_cell(ws, "import oss_analysis, sys; print(sys.prefix)"))
        assert outputs and ".venv-lab" in outputs[0]["text"]  # the lab venv's Python, with the package
        nb = _with_outputs(model["content"])
        nb["cells"][1]["outputs"] = outputs
        saved = http.put(f"{api}/contents/{NOTEBOOK}", json={"type": "notebook", "format": "json", "content": nb})
        assert saved.ok, saved.text
        http.post(f"{api}/contents/{NOTEBOOK}/checkpoints")  # what an explicit save adds
        http.delete(f"{api}/kernels/{kernel['id']}")
        assert file.read_bytes() == before and file.stat().st_mtime_ns == mtime
        status = subprocess.run(["git", "status", "--porcelain"], cwd=project, capture_output=True, text=True)
        assert status.stdout == "", status.stdout
        code = next(c for c in nb["cells"] if c["cell_type"] == "code" and c is not nb["cells"][1])
        code["source"] += "\n# a reader's note"  # a real edit is saved, still without outputs
        assert http.put(f"{api}/contents/{NOTEBOOK}", json={"type": "notebook", "content": nb}).ok
        after = json.loads(file.read_text(encoding="utf-8"))
        assert any("# a reader's note" in "".join(c["source"]) for c in after["cells"])
        assert not any(c.get("outputs") for c in after["cells"]) and after["metadata"] == json.loads(before)["metadata"]
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
