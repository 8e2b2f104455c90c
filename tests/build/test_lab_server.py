"""The reader's JupyterLab leaves the repository clean, tried as a reader would: `make lab` in a
fresh checkout, driven through Jupyter's REST API and a kernel's websocket (no browser). A notebook
saved with outputs, as autosave does after a cell ran, stays byte for byte and mtime for mtime as
committed, and `git status` stays empty. Needs the lab installed here (`make lab` once)."""

import asyncio
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

NOTEBOOK = "notebooks/satisfaction.ipynb"


def _with_outputs(nb: dict) -> dict:
    """What the lab sends when it saves after running: outputs, counts, timings, kernel info."""
    for i, cell in enumerate(c for c in nb["cells"] if c["cell_type"] == "code"):
        cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": f"ran {i}\n"}]
        cell["execution_count"] = i + 1
        cell["metadata"]["execution"] = {"iopub.status.idle": "2026-01-01T00:00:00Z"}
    nb["metadata"]["language_info"] = {"name": "python", "version": "3.11.2", "mimetype": "text/x-python"}
    return nb


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
