"""`oss-build add-country-data` on a built tree (issue 23): a new WGI release is read by the next
build, a copied clone adds data into itself, never into the original; and a shipped file edited
to disagree with itself (its hash updated) stops the build in one line."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import venv
from pathlib import Path

import pandas as pd
from conftest import ROOT, build_env, copy_built, run_build

NEW = ROOT / "tests" / "fixtures" / "sources" / "wgi_2025_release_long.csv"  # made up: see its README
SHIPPED = "data/sources/wgi/wgi_2025_release_long.csv"
# the fixture holds the fifteen post-Soviet states, whose median the series notebook draws
FIFTEEN = {"ARM", "AZE", "BLR", "EST", "GEO", "KAZ", "KGZ", "LTU", "LVA", "MDA", "RUS", "TJK", "TKM", "UKR", "UZB"}


def _data(project: Path) -> dict[str, bytes]:
    return {p.relative_to(project).as_posix(): p.read_bytes() for p in (project / "data").rglob("*") if p.is_file()}


def test_a_new_wgi_release_is_read_by_the_next_build(built_tree, tmp_path):
    project = copy_built(built_tree[0], tmp_path / "project")
    cmd = [sys.executable, "-m", "oss_analysis.pipeline.cli", "add-country-data", "wgi", str(NEW), "--countries", "GEO"]
    added = subprocess.run(cmd, env=build_env(project), capture_output=True, text=True)
    assert added.returncode == 0, added.stderr
    assert added.stdout.startswith(f"shipped {SHIPPED} (release 2025)")
    run_build(project)
    wgi = pd.read_csv(project / "data" / "processed" / "wgi_sources.csv")
    new = wgi[wgi["source_file"] == SHIPPED]
    assert set(new["release"]) == {2025} and set(new["iso3"]) == FIFTEEN and set(new["year"]) == {2008, 2024}
    cross = pd.read_csv(project / "figures" / "source_crosscheck.csv")
    named = cross[cross["source_file"] == SHIPPED]
    assert set(named["release"]) == {2025}, "the cross-check does not set the print against the new release"
    holds = set(named.loc[named["source_value"].notna(), "country_iso3"])
    assert "KAZ" in holds and holds <= FIFTEEN  # the printed countries it holds, no other
    kaz = named[(named["country_iso3"] == "KAZ") & named["source_value"].notna()]
    held = kaz.set_index("measure")["source_value"]
    # the fixture's 2008 lines are the 2024 release's, so its values are set against the print alike
    same = cross[cross["source_file"].str.endswith("wgi_2024_release_long.csv") & cross["measure"].isin(held.index)]
    same = same[(same["country_iso3"] == "KAZ") & (same["year"] == 2008)].set_index("measure")["source_value"]
    pd.testing.assert_series_equal(held.sort_index(), same.sort_index())
    assert len(held) == 6


def _venv(checkout: Path) -> Path:
    """A .venv like `make setup`'s, quickly: its own interpreter, the checkout's src/ first on the
    path (an editable install's .pth), this run's libraries after it, and the oss-build script."""
    env = checkout / ".venv"
    venv.EnvBuilder(clear=True, symlinks=True, with_pip=False).create(env)
    site = next(env.glob("lib/python*/site-packages"))
    libraries = next(Path(sys.prefix).glob("lib/python*/site-packages"))
    (site / "oss_analysis.pth").write_text(f"{checkout / 'src'}\n{libraries}\n")
    script = env / "bin" / "oss-build"
    script.write_text(
        f"#!{env / 'bin' / 'python'}\nimport sys\nfrom oss_analysis.pipeline.cli import main\nsys.exit(main())\n"
    )
    script.chmod(0o755)
    (env / ".checkout").write_text(str(checkout))
    return script


def test_a_copied_clone_adds_data_without_touching_the_original(built_tree, tmp_path):
    """cp -a of a built clone: the copy's own entry point (its .venv/bin/oss-build, which runs the
    original's package) refuses in one line and writes nowhere; once the copy has a venv of its
    own (`make setup`, as the line says), the same command adds into the copy alone."""
    original = copy_built(built_tree[0], tmp_path / "original")
    _venv(original)
    copy = tmp_path / "copy"
    subprocess.run(["cp", "-a", str(original), str(copy)], check=True)
    before, env = _data(original), {k: v for k, v in os.environ.items() if k != "OSS_ANALYSIS_ROOT"}
    cmd = [str(copy / ".venv" / "bin" / "oss-build"), "add-country-data", "wgi", str(NEW), "--countries", "GEO"]
    refused = subprocess.run(cmd, cwd=copy, env=env, capture_output=True, text=True)
    assert refused.returncode == 1
    message = refused.stderr  # one line naming the copy, the original whose package it runs, and the fix
    assert message.count("\n") == 1 and message.startswith(f"error: {copy}/.venv runs the package of {original}")
    assert "make setup" in message
    assert _data(original) == before and _data(copy) == before
    _venv(copy)
    added = subprocess.run(cmd, cwd=copy, env=env, capture_output=True, text=True)
    assert added.returncode == 0, added.stderr
    assert _data(original) == before, "the copy's command changed the original"
    assert (copy / SHIPPED).read_bytes() == NEW.read_bytes()


def test_a_shipped_value_outside_its_own_bounds_stops_the_build(built_tree, tmp_path):
    """The sweep's case: a publisher's value edited to lie outside its own published interval, its
    sha256 updated in the descriptor so that only the data can tell."""
    project = copy_built(built_tree[0], tmp_path / "project")
    rel, descriptor = "data/sources/wgi/wgi_2024_release_long.csv", project / "data" / "sources" / "datapackage.json"
    old = b"KAZcc2008,KAZ,Kazakhstan,2008,cc,-0.98,0.13,13,16.0,"
    data = (project / rel).read_bytes()
    line = data[: data.index(old)].count(b"\n") + 1
    (project / rel).write_bytes(data.replace(old, old.replace(b",16.0,", b",26.0,"), 1))
    text = descriptor.read_text(encoding="utf-8")
    was = next(r["hash"] for r in json.loads(text)["resources"] if r["path"] == rel.removeprefix("data/sources/"))
    descriptor.write_text(text.replace(was, "sha256:" + hashlib.sha256((project / rel).read_bytes()).hexdigest()))
    before = _data(project)
    outputs = {p: p.read_bytes() for p in (project / "figures").rglob("*") if p.is_file()}
    proc = run_build(project, check=False)
    errors = [x for x in (proc.stdout + proc.stderr).splitlines() if x.startswith("error: ")]
    assert proc.returncode != 0
    assert set(errors) == {  # once per job that reads the file (wgi_sources, source_drops); make all shows one
        f"error: {rel}, line {line}, column 'pctrank': 26 lies outside its pctranklower-upper, 8.7 to 24.3: the file "
        "disagrees with itself (edited?)"
    }, (proc.stdout + proc.stderr)[-3000:]
    assert _data(project) == before, "a table was written from the edited file"
    assert {p: p.read_bytes() for p in (project / "figures").rglob("*") if p.is_file()} == outputs
